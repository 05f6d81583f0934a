//! The sandbox's console form: each field's label, what is typed (with the cursor), and
//! under it the wizard's value to compare with. The focused field stays in view.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme::Theme;
use super::widgets::{clean, input_window, tall_popup, wrap};
use crate::app::State;
use crate::app::console_form::FieldKind;

const INTRO: &str = "This form stands in for the console page. Type or paste each value as you would there: what is saved is what the sandbox's Identity Center sends, typos included.";

pub fn draw_overlay(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let Some(form) = &state.console_form else {
        return;
    };
    let inner = tall_popup(frame, area, 84, &form.title(), theme);
    let width = usize::from(inner.width);
    let mut lines = vec![Line::from(vec![
        Span::styled("Application: ", theme.bold()),
        Span::styled(clean(&form.application_name).into_owned(), theme.value()),
    ])];
    lines.extend(
        wrap(INTRO, width)
            .into_iter()
            .map(|l| Line::styled(l, theme.dim())),
    );
    lines.push(Line::default());
    // The focused field's first line, its input line and the line after its hint, to keep
    // them in view.
    let mut focus_at = (0, 0, 0);
    let mut focus_end = 0;
    for (i, field) in form.fields.iter().enumerate() {
        let focused = i == form.focus;
        let first = lines.len();
        let marker = if focused { "› " } else { "  " };
        let label_style = if focused {
            theme.selected()
        } else {
            theme.bold()
        };
        lines.push(Line::from(vec![
            Span::styled(marker, theme.key()),
            Span::styled(field.label.clone(), label_style),
        ]));
        let room = width.saturating_sub(4);
        let (shown, column) = match field.kind {
            FieldKind::Text => input_window(&clean(&field.value), field.cursor, room),
            FieldKind::Choice(_) => (format!("‹ {} ›", clean(&field.value)), 0),
        };
        if focused {
            focus_at = (first, lines.len(), column);
        }
        lines.push(Line::from(vec![
            Span::styled("  [", theme.dim()),
            Span::styled(shown, theme.value()),
            Span::styled("]", theme.dim()),
        ]));
        if let Some(wanted) = &field.shown {
            let wanted = if wanted.is_empty() { "(empty)" } else { wanted };
            // Whole, so it can be compared or selected with the mouse.
            let text = format!("the wizard shows: {}", clean(wanted));
            for l in wrap(&text, width.saturating_sub(4)) {
                lines.push(Line::styled(format!("    {l}"), theme.dim()));
            }
        }
        if focused {
            focus_end = lines.len();
        }
    }
    // Why a save was refused stays in view at the bottom, whatever the scroll.
    let error: Vec<Line> = form
        .error
        .iter()
        .flat_map(|e| wrap(&clean(e), width))
        .map(|l| Line::styled(l, theme.error()))
        .collect();
    let error_rows = error.len().min(usize::from(inner.height) / 2);
    let height = usize::from(inner.height) - error_rows;
    let (first, input, column) = focus_at;
    // Scroll just enough that the focused field, label to hint, is in view.
    let offset = focus_end.saturating_sub(height).min(first);
    let visible: Vec<Line> = lines.into_iter().skip(offset).take(height).collect();
    frame.render_widget(
        Paragraph::new(visible),
        Rect {
            height: height as u16,
            ..inner
        },
    );
    if error_rows > 0 {
        let at = Rect {
            y: inner.y + height as u16,
            height: error_rows as u16,
            ..inner
        };
        frame.render_widget(Paragraph::new(error), at);
    }
    let kind_text = form
        .fields
        .get(form.focus)
        .is_some_and(|f| f.kind == FieldKind::Text);
    if kind_text && input >= offset && input - offset < height {
        frame.set_cursor_position(Position {
            x: inner.x + 3 + column as u16,
            y: inner.y + (input - offset) as u16,
        });
    }
}
