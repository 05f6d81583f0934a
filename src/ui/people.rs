//! Step 11's people picker: the filter as typed, then one row per person, chosen ones
//! marked `[x]` (the mark carries the meaning without colour).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme::Theme;
use super::widgets::{clean, scrolled, tall_popup};
use crate::app::State;

pub fn draw_overlay(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let inner = tall_popup(frame, area, 80, "People in Identity Center", theme);
    let Some(picker) = &state.people else {
        return;
    };
    let mut lines = vec![Line::from(vec![
        Span::styled("Filter: ", theme.bold()),
        Span::styled(clean(&picker.filter).into_owned(), theme.value()),
        Span::styled("▏", theme.key()),
    ])];
    let chosen = format!("{} chosen", picker.chosen.len());
    lines.push(Line::styled(chosen, theme.dim()));
    lines.push(Line::default());
    let header = lines.len();
    let mut keep = None;
    match (&picker.people, &picker.error) {
        (_, Some(e)) => lines.push(Line::styled(
            format!("The users could not be read: {}", clean(e)),
            theme.error(),
        )),
        (None, None) => lines.push(Line::styled("Reading the users…", theme.dim())),
        (Some(_), None) => {
            let visible = picker.visible();
            if visible.is_empty() {
                lines.push(Line::styled("Nobody matches the filter", theme.dim()));
            }
            for (i, p) in visible.iter().enumerate() {
                let mark = if picker.is_chosen(p) { "[x] " } else { "[ ] " };
                let (pointer, style) = if i == picker.selected {
                    keep = Some(header + i..header + i + 1);
                    ("› ", theme.selected())
                } else {
                    ("  ", theme.text())
                };
                lines.push(Line::from(vec![
                    Span::styled(pointer, theme.key()),
                    Span::styled(mark, theme.key()),
                    Span::styled(clean(&p.shown).into_owned(), style),
                ]));
            }
        }
    }
    if keep.is_none() {
        frame.render_widget(Paragraph::new(lines), inner);
        return;
    }
    scrolled(frame, inner, &lines, 0, keep, theme);
}
