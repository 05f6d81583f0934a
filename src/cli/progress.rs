//! A spinner on standard error while a command waits on AWS, so a run of many seconds does
//! not look hung. Only on a terminal and with text output: a pipe, a file or JSON gets
//! nothing extra. It is cleared before the command prints its result.

use std::future::Future;
use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use super::Format;

/// Whether this run shows progress: text output, standard error a terminal that can draw.
pub fn wanted(format: Format) -> bool {
    format == Format::Text
        && std::io::stderr().is_terminal()
        && std::env::var("TERM").map_or(true, |t| t != "dumb")
}

/// Awaits `work` with a spinner saying `message` (and the time it has taken) when `shown`.
pub async fn during<F: Future>(shown: bool, message: &str, work: F) -> F::Output {
    if !shown {
        return work.await;
    }
    let bar = ProgressBar::new_spinner();
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
        bar.set_style(style);
    }
    bar.set_message(message.to_string());
    bar.enable_steady_tick(Duration::from_millis(120));
    let out = work.await;
    bar.finish_and_clear();
    out
}

/// A count of finished items ("creating Connect users 12/500") when `shown`; nothing
/// otherwise. Shared by concurrent requests.
pub struct Counter(Option<ProgressBar>);

impl Counter {
    pub fn new(shown: bool, message: &str, total: usize) -> Counter {
        if !shown || total == 0 {
            return Counter(None);
        }
        let bar = ProgressBar::new(total as u64);
        if let Ok(style) =
            ProgressStyle::with_template("{msg} {pos}/{len} ({elapsed}, about {eta} left)")
        {
            bar.set_style(style);
        }
        bar.set_message(message.to_string());
        bar.enable_steady_tick(Duration::from_millis(250));
        Counter(Some(bar))
    }

    /// `done` of the total are finished.
    pub fn set(&self, done: usize) {
        if let Some(bar) = &self.0 {
            bar.set_position(done as u64);
        }
    }

    /// Clears the line, before the result is printed.
    pub fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
