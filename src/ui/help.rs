//! The help bar and the key map. Both come from `State::key_hints`, the keys the current
//! screen handles, so they cannot drift from what `update` does.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme::Theme;
use super::widgets::{popup, width};
use crate::app::{GLOBAL_KEYS, State, screen_key_hints};

/// The bottom line: as many of the screen's keys as fit, keeping `?` (the key map) so the
/// rest stays one key away.
pub fn bar(state: &State, theme: &Theme, cells: usize) -> Line<'static> {
    let hints = state.key_hints();
    let item_width = |(k, d): &(&str, &str)| width(k) + 1 + width(d) + 2;
    // Room for `?` is kept until it is placed; the trailing gap of the last item may be cut.
    let mut reserve: usize = hints.iter().filter(|h| h.0 == "?").map(item_width).sum();
    let mut used = 1;
    let mut spans = vec![Span::raw(" ")];
    for hint in &hints {
        let w = item_width(hint);
        if hint.0 == "?" {
            reserve = 0;
        }
        if used + w + reserve > cells + 2 {
            continue;
        }
        used += w;
        spans.push(Span::styled(hint.0, theme.key()));
        spans.push(Span::raw(format!(" {}  ", hint.1)));
    }
    Line::from(spans)
}

/// The key map over the screen: the current screen's keys, then the global ones.
pub fn draw_overlay(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    // The key map is on top: list the keys of the screen underneath.
    let screen_keys = screen_key_hints(state);
    let key_width = screen_keys
        .iter()
        .chain(GLOBAL_KEYS)
        .map(|(k, _)| width(k))
        .max()
        .unwrap_or(0);
    let row = |(k, d): &(&'static str, &'static str)| {
        Line::from(vec![
            Span::raw("  "),
            Span::styled(format!("{k:<key_width$}"), theme.key()),
            Span::raw(format!("  {d}")),
        ])
    };
    let mut lines = vec![Line::styled(" On this screen", theme.bold())];
    lines.extend(screen_keys.iter().map(row));
    lines.push(Line::default());
    lines.push(Line::styled(" Everywhere", theme.bold()));
    lines.extend(GLOBAL_KEYS.iter().map(row));
    lines.push(Line::default());
    lines.push(Line::styled(" Esc, ? or F1 closes this", theme.dim()));
    // On short terminals the blank separators go first, so every key stays listed.
    if lines.len() + 2 > usize::from(area.height) {
        lines.retain(|l| l.width() > 0);
    }
    // Then the closing hint, which the help bar also shows.
    if lines.len() + 2 > usize::from(area.height) {
        lines.pop();
    }
    let inner = popup(frame, area, 60, lines.len() as u16 + 2, "Keys", theme);
    frame.render_widget(Paragraph::new(lines), inner);
}
