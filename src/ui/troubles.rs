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
    let mut doc = Doc::new(inner.width);
    for (i, t) in TROUBLES.iter().enumerate() {
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
        doc.push(Line::from(vec![Span::styled(mark, style), title]));
    }
    doc.blank();
    let t = &TROUBLES[selected.min(TROUBLES.len() - 1)];
    let label = |l: &'static str| vec![Span::styled(format!("{l:<10}"), theme.bold())];
    doc.wrapped(label("You see"), t.symptom, theme.text());
    doc.wrapped(label("Why"), t.cause, theme.text());
    doc.wrapped(label("Fix"), t.fix, theme.value());
    doc.wrapped(label("Found by"), &t.found_by(), theme.dim());
    let note = if detected.is_empty() {
        "Run the check on the verification screen (r) to mark what applies here"
    } else {
        "! marks what the last verification found"
    };
    doc.wrapped(vec![], note, theme.dim());
    // The list stays on screen; the details give way when the terminal is short.
    let lines: Vec<Line> = doc
        .lines
        .into_iter()
        .take(usize::from(inner.height))
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}
