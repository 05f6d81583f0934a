//! The troubleshooting list: every entry of the catalogue, those the last verification
//! explains marked, and the selected one in full (what you see, why, fix, found by).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme::Theme;
use super::widgets::{Doc, tall_popup};
use crate::app::{State, detected_troubles};
use crate::troubleshoot::TROUBLES;

pub fn draw_overlay(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, selected: usize) {
    let inner = tall_popup(frame, area, 100, "Troubleshooting", theme);
    let detected = detected_troubles(state);
    let selected = selected.min(TROUBLES.len() - 1);

    // The selected entry in full, under the list.
    let mut details = Doc::new(inner.width);
    let t = &TROUBLES[selected];
    let label = |l: &'static str| vec![Span::styled(format!("{l:<10}"), theme.bold())];
    details.wrapped(label("You see"), t.symptom, theme.text());
    details.wrapped(label("Why"), t.cause, theme.text());
    details.wrapped(label("Fix"), t.fix, theme.value());
    details.wrapped(label("Found by"), &t.found_by(), theme.dim());
    let note = match (&state.doctor, detected.is_empty()) {
        (_, false) => "! marks what the last verification found",
        (Some(_), true) => "The last verification found nothing these entries explain",
        (None, true) => "Run the check on the verification screen (r) to mark what applies here",
    };
    details.wrapped(vec![], note, theme.dim());

    // On a short terminal the list shows a window around the selected entry, so that the
    // details, the fix above all, stay in view.
    let height = usize::from(inner.height);
    let room = height
        .saturating_sub(details.lines.len() + 1)
        .clamp(3.min(TROUBLES.len()), TROUBLES.len());
    let first = selected.saturating_sub(room / 2).min(TROUBLES.len() - room);
    let mut lines = Vec::new();
    for (i, t) in TROUBLES.iter().enumerate().skip(first).take(room) {
        // The mark keeps its meaning without colour.
        let (mark, style) = if detected.contains(&t.id) {
            ("! ", theme.warning())
        } else {
            ("  ", theme.text())
        };
        let title = Span::styled(
            t.title,
            if i == selected {
                theme.selected()
            } else {
                style
            },
        );
        lines.push(Line::from(vec![Span::styled(mark, style), title]));
    }
    lines.push(Line::default());
    lines.extend(details.lines);
    // What still does not fit gives way at the bottom.
    lines.truncate(height);
    frame.render_widget(Paragraph::new(lines), inner);
}
