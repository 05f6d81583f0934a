//! The list of the guide's steps with their status: beside the screen on wide terminals,
//! as the Steps overlay on narrow ones. Each row carries a symbol, not only a colour, and
//! the current step is marked with `>`.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::theme::Theme;
use super::widgets::{popup, width};
use crate::app::{State, StepStatus};
use crate::steps::{STEPS, Step};

/// Width of the list beside the screen: a third of the terminal, at most 40 columns.
pub fn pane_width(terminal_width: u16) -> u16 {
    (terminal_width / 3).min(40)
}

/// The guide's number for numbered steps; the others are named by their title.
pub fn number(step: &Step) -> &'static str {
    if step.id.starts_with(|c: char| c.is_ascii_digit()) {
        step.id
    } else {
        ""
    }
}

/// One row per step: `> ✔ 6a  Title`, with the status word at the right when asked; the
/// row of screen `selected` (the step list's choice) is highlighted.
fn rows(
    state: &State,
    theme: &Theme,
    cells: usize,
    with_word: bool,
    selected: Option<usize>,
) -> Vec<Line<'static>> {
    STEPS
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let status = state.status(step.id);
            let (symbol, word) = status.marker();
            let current = state.screen == i + 1;
            let head = format!("{} ", if current { ">" } else { " " });
            let id = format!(" {:<4}", number(step));
            let word = if with_word {
                format!(" {word}")
            } else {
                String::new()
            };
            let room = cells.saturating_sub(width(&head) + 1 + id.len() + width(&word));
            let title = fit(step.title, room);
            let pad = room.saturating_sub(width(&title));
            let text = if current { theme.bold() } else { theme.text() };
            let line = Line::from(vec![
                Span::styled(head, text),
                Span::styled(symbol, theme.status(status)),
                Span::styled(id, text),
                Span::styled(title, text),
                Span::raw(" ".repeat(pad)),
                Span::styled(word, theme.status(status)),
            ]);
            if selected == Some(i + 1) {
                line.style(theme.selected())
            } else {
                line
            }
        })
        .collect()
}

/// Cuts `text` to `cells`, ending with "…" when cut.
fn fit(text: &str, cells: usize) -> String {
    if width(text) <= cells {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        if width(&out) + width(c.encode_utf8(&mut [0; 4])) + 1 > cells {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// What each symbol means, for the pane where the words do not fit.
fn legend(theme: &Theme) -> Vec<Line<'static>> {
    let item = |s: StepStatus| {
        let (symbol, word) = s.marker();
        [
            Span::styled(symbol, theme.status(s)),
            Span::styled(format!(" {word:<10}"), theme.dim()),
        ]
    };
    let rows: [&[StepStatus]; 4] = [
        &[StepStatus::Verified, StepStatus::Done],
        &[StepStatus::Failed, StepStatus::InProgress],
        &[StepStatus::NotStarted, StepStatus::Skipped],
        &[StepStatus::Stale],
    ];
    rows.into_iter()
        .map(|row| {
            let mut spans = vec![Span::raw(" ")];
            spans.extend(row.iter().flat_map(|s| item(*s)));
            Line::from(spans)
        })
        .collect()
}

/// The list beside the screen.
pub fn draw_pane(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let block = Block::bordered()
        .border_style(theme.border())
        .title(Span::styled(" Steps ", theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut lines = rows(state, theme, usize::from(inner.width), false, None);
    let legend = legend(theme);
    // The legend goes at the bottom, below at least one blank line, when there is room.
    if usize::from(inner.height) > lines.len() + legend.len() {
        let gap = usize::from(inner.height) - lines.len() - legend.len();
        lines.extend(std::iter::repeat_n(Line::default(), gap));
        lines.extend(legend);
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The list over the screen, with each status in words and the chosen row highlighted.
pub fn draw_overlay(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, selected: usize) {
    let inner = popup(frame, area, 70, STEPS.len() as u16 + 4, "Steps", theme);
    let mut lines = rows(state, theme, usize::from(inner.width), true, Some(selected));
    lines.push(Line::default());
    lines.push(Line::styled(
        " ↑↓ choose, Enter goes to the step, Esc closes this list",
        theme.dim(),
    ));
    frame.render_widget(Paragraph::new(lines), inner);
}
