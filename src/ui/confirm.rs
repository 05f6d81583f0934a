//! Step 11's question before unassigning: who would lose the application, and the two
//! answers.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::theme::Theme;
use super::widgets::{clean, tall_popup};
use crate::app::State;

pub fn draw_overlay(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let inner = tall_popup(
        frame,
        area,
        70,
        "Unassign people removed from the answer?",
        theme,
    );
    let mut lines = vec![
        Line::styled(
            "connect-sso assigned these people to the application, and they are no longer in step 11's answer. Unassigning takes the Connect tile away from them; their Connect users stay.",
            theme.text(),
        ),
        Line::default(),
    ];
    for e in &state.unrequested {
        lines.push(Line::styled(
            format!("  • {}", clean(&e.user_name)),
            theme.value(),
        ));
    }
    lines.push(Line::default());
    lines.push(Line::styled("y unassign them   n keep them", theme.key()));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
