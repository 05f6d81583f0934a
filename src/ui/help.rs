//! The help bar and the key map. Both come from `State::key_hints`, the keys the current
//! screen handles, so they cannot drift from what `update` does.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme::Theme;
use super::widgets::{popup, width, wrap};
use crate::app::{GLOBAL_KEYS, State, screen_key_hints};

/// The bottom line: as many of the screen's keys as fit, in order, keeping `?` (the key
/// map) and `q` (quit); when some do not fit, `?` says "more keys" so nothing is cut without
/// a sign.
pub fn bar(state: &State, theme: &Theme, cells: usize) -> Line<'static> {
    let hints = state.key_hints();
    let item_width = |(k, d): &(&str, &str)| width(k) + 1 + width(d) + 2;
    // The trailing gap of the last item may be cut.
    let room = cells + 2;
    let all: usize = 1 + hints.iter().map(item_width).sum::<usize>();
    let overflow = all > room && hints.iter().any(|h| h.0 == "?");
    // What always ends the bar when it overflows.
    let tail: Vec<(&'static str, &'static str)> = if overflow {
        let quit = hints.iter().find(|h| h.0 == "q").copied();
        std::iter::once(("?", "more keys")).chain(quit).collect()
    } else {
        Vec::new()
    };
    let reserve: usize = tail.iter().map(item_width).sum();
    let mut used = 1;
    let mut spans = vec![Span::raw(" ")];
    let push = |spans: &mut Vec<Span<'static>>, (k, d): (&'static str, &'static str)| {
        spans.push(Span::styled(k, theme.key()));
        spans.push(Span::raw(format!(" {d}  ")));
    };
    for hint in hints
        .iter()
        .filter(|h| !(overflow && matches!(h.0, "?" | "q")))
    {
        let w = item_width(hint);
        if used + w + reserve > room {
            // In order: once one does not fit, the rest are behind "?".
            if overflow {
                break;
            }
            continue;
        }
        used += w;
        push(&mut spans, *hint);
    }
    for hint in tail {
        push(&mut spans, hint);
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
    if lines.len() + 2 > usize::from(area.height) {
        // Too tall for the terminal: the two groups side by side, so every key stays listed.
        return draw_columns(frame, area, &screen_keys, theme);
    }
    let inner = popup(frame, area, 60, lines.len() as u16 + 2, "Keys", theme);
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The key map in two columns: this screen's keys, then the global ones. A description
/// longer than its column wraps under itself rather than running past the border.
fn draw_columns(
    frame: &mut Frame,
    area: Rect,
    screen_keys: &[(&'static str, &'static str)],
    theme: &Theme,
) {
    const WIDTH: u16 = 78;
    // Inside the border, and a gap between the columns.
    let inner = usize::from(WIDTH.min(area.width)).saturating_sub(2);
    let column = |title: &'static str, keys: &[(&'static str, &'static str)], room: usize| {
        let key_width = keys.iter().map(|(k, _)| width(k)).max().unwrap_or(0);
        let indent = 1 + key_width + 1;
        let mut rows = vec![vec![Span::styled(title, theme.bold())]];
        for (k, d) in keys {
            for (i, part) in wrap(d, room.saturating_sub(indent)).into_iter().enumerate() {
                rows.push(if i == 0 {
                    vec![
                        Span::raw(" "),
                        Span::styled(format!("{k:<key_width$}"), theme.key()),
                        Span::raw(format!(" {part}")),
                    ]
                } else {
                    vec![Span::raw(format!("{}{part}", " ".repeat(indent)))]
                });
            }
        }
        rows
    };
    let row_width = |spans: &Vec<Span>| spans.iter().map(|s| width(&s.content)).sum::<usize>();
    // The screen's keys take what they need, up to half; the global ones the rest.
    let left = column(" On this screen", screen_keys, inner / 2);
    let left_width = left.iter().map(row_width).max().unwrap_or(0) + 2;
    let right = column("Everywhere", GLOBAL_KEYS, inner.saturating_sub(left_width));
    let mut lines: Vec<Line> = (0..left.len().max(right.len()))
        .map(|i| {
            let mut spans = left.get(i).cloned().unwrap_or_default();
            let used = row_width(&spans);
            spans.push(Span::raw(" ".repeat(left_width.saturating_sub(used))));
            spans.extend(right.get(i).cloned().unwrap_or_default());
            Line::from(spans)
        })
        .collect();
    if lines.len() + 3 <= usize::from(area.height) {
        lines.push(Line::styled(" Esc, ? or F1 closes this", theme.dim()));
    }
    let inner = popup(frame, area, WIDTH, lines.len() as u16 + 2, "Keys", theme);
    frame.render_widget(Paragraph::new(lines), inner);
}
