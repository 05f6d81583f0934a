//! The wizard's questions: step 11's before unassigning (who would lose the application),
//! and step 1's before turning the console API on (what it does and needs).

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

/// Step 1's `o`: what the console API option does and needs, before it is turned on.
pub fn draw_console_api(frame: &mut Frame, area: Rect, theme: &Theme) {
    let inner = tall_popup(
        frame,
        area,
        76,
        "Run steps 1, 2, 3-5 and 10 through the console API?",
        theme,
    );
    let mut lines = vec![
        Line::styled(
            "connect-sso then creates or finds the application, takes its metadata, and sets its ACS URL, audience and attribute mappings itself, with the calls the IAM Identity Center console makes; the relay state stays a console step. AWS does not document this API and may change it: when it answers unexpectedly, the step says what was done and falls back to the console.",
            theme.text(),
        ),
        Line::default(),
        Line::styled(
            "It needs these IAM actions besides the usual ones:",
            theme.text(),
        ),
    ];
    lines.push(Line::styled(
        crate::domain::operator::CONSOLE_API_ACTIONS.join(", "),
        theme.value(),
    ));
    lines.push(Line::default());
    lines.push(Line::styled("y turn it on   n keep it off", theme.key()));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
