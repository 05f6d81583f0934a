//! Step 11's pickers: the filter as typed, then one row per choice; where several may be
//! chosen (people), chosen ones are marked `[x]` (the mark carries the meaning without colour).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme::Theme;
use super::widgets::{clean, scrolled, tall_popup};
use crate::app::State;

pub fn draw_overlay(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let Some(picker) = &state.picker else {
        return;
    };
    let several = picker.pick.several();
    let inner = tall_popup(frame, area, 80, picker.pick.title(), theme);
    let mut lines = vec![Line::from(vec![
        Span::styled("Filter: ", theme.bold()),
        Span::styled(clean(&picker.filter).into_owned(), theme.value()),
        Span::styled("▏", theme.key()),
    ])];
    let note = if several {
        format!("{} chosen", picker.chosen.len())
    } else {
        "Enter uses the highlighted one".to_string()
    };
    lines.push(Line::styled(note, theme.dim()));
    lines.push(Line::default());
    let header = lines.len();
    let mut keep = None;
    let what = picker.pick.what();
    match (&picker.choices, &picker.error) {
        (_, Some(e)) => lines.push(Line::styled(
            format!("The {what} could not be read: {}", clean(e)),
            theme.error(),
        )),
        (None, None) => lines.push(Line::styled(format!("Reading the {what}…"), theme.dim())),
        (Some(_), None) => {
            let visible = picker.visible();
            if visible.is_empty() {
                lines.push(Line::styled(
                    if several {
                        "Nobody matches the filter"
                    } else {
                        "Nothing matches the filter"
                    },
                    theme.dim(),
                ));
            }
            for (i, p) in visible.iter().enumerate() {
                let mark = match (several, picker.is_chosen(p)) {
                    (false, _) => "",
                    (true, true) => "[x] ",
                    (true, false) => "[ ] ",
                };
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
