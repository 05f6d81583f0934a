//! Drawing: a pure function of `State`. It reads the state and writes the frame, nothing
//! else: no I/O, no mutation, so the same state always looks the same.
//!
//! ```text
//!  header: connect-sso │ mode │ session │ step N of M
//!  ┌ Steps ┐  main pane: start screen or step screen
//!  │ (wide)│
//!  status line: spinner, flash message
//!  help bar: the screen's keys
//! ```

mod confirm;
mod console_form;
mod help;
mod inspect;
mod picker;
mod start;
mod step;
mod step_list;
mod theme;
mod troubles;
mod widgets;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

pub use theme::Theme;
pub use widgets::clean;

use crate::app::{Overlay, State};

/// Below this the screens do not fit; a message asks for more room instead.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;
/// The status line's most lines, for a message longer than the terminal is wide.
const MAX_STATUS_LINES: usize = 3;

/// Draws with colours.
pub fn draw(state: &State, frame: &mut Frame) {
    draw_with(state, frame, &Theme::default());
}

pub fn draw_with(state: &State, frame: &mut Frame, theme: &Theme) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(frame, area, theme);
        return;
    }
    let status_text = status_line(state, theme);
    // A long message takes up to three lines rather than being cut at the edge; a margin of
    // one column on each side.
    let status_width = area.width.saturating_sub(2).max(1);
    let status_height = status_text
        .width()
        .div_ceil(usize::from(status_width))
        .clamp(1, MAX_STATUS_LINES) as u16;
    let [header, _, body, status, help] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(status_height),
        Constraint::Length(1),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(header_line(state, theme)), header);

    let main = if state.wide() {
        let [list, _, main, _] = Layout::horizontal([
            Constraint::Length(step_list::pane_width(area.width)),
            Constraint::Length(1),
            Constraint::Min(0),
            Constraint::Length(1),
        ])
        .areas(body);
        step_list::draw_pane(frame, list, state, theme);
        main
    } else {
        // A margin of one column on each side.
        Rect {
            x: body.x + 1,
            width: body.width.saturating_sub(2),
            ..body
        }
    };
    let with_cursor = state.overlay == Overlay::None;
    match state.step() {
        Some(step) => step::draw(frame, main, state, step, theme, with_cursor),
        None => start::draw(frame, main, state, theme),
    }

    let status = Rect {
        x: status.x + 1,
        width: status_width,
        ..status
    };
    frame.render_widget(
        Paragraph::new(status_text).wrap(Wrap { trim: false }),
        status,
    );
    frame.render_widget(
        Paragraph::new(help::bar(state, theme, usize::from(help.width))),
        help,
    );
    match state.overlay {
        Overlay::None => {}
        Overlay::Help => help::draw_overlay(frame, body, state, theme),
        Overlay::Steps { selected } => step_list::draw_overlay(frame, body, state, theme, selected),
        Overlay::Inspect => inspect::draw_overlay(frame, body, state, theme),
        Overlay::Picker => picker::draw_overlay(frame, body, state, theme),
        Overlay::ConfirmUnassign => confirm::draw_overlay(frame, body, state, theme),
        Overlay::ConfirmConsoleApi => confirm::draw_console_api(frame, body, theme),
        Overlay::ConsoleForm => console_form::draw_overlay(frame, body, state, theme),
        Overlay::Troubles { selected } => {
            troubles::draw_overlay(frame, body, state, theme, selected)
        }
    }
}

fn header_line(state: &State, theme: &Theme) -> Line<'static> {
    let (n, m) = state.position();
    let position = if state.step().is_some() {
        format!("step {n} of {m}")
    } else {
        format!("start · {m} steps")
    };
    let bar = || Span::styled(" │ ", theme.dim());
    Line::from(vec![
        Span::styled(" connect-sso", theme.title()),
        bar(),
        Span::styled(clean(&state.mode_name()).into_owned(), theme.warning()),
        bar(),
        Span::raw("session "),
        Span::raw(clean(&state.session_name).into_owned()),
        bar(),
        Span::styled(position, theme.bold()),
    ])
}

/// The running action (whichever step it belongs to) and the last message.
fn status_line(state: &State, theme: &Theme) -> Line<'static> {
    let mut spans = Vec::new();
    if let Some(busy) = &state.busy {
        spans.push(Span::styled(
            format!(
                "{} step {}: {}…  ",
                widgets::spinner(busy.frame),
                busy.step,
                clean(&busy.label)
            ),
            theme.warning(),
        ));
    }
    if let Some(flash) = &state.flash {
        spans.push(Span::styled(clean(flash).into_owned(), theme.bold()));
    }
    Line::from(spans)
}

fn too_small(frame: &mut Frame, area: Rect, theme: &Theme) {
    let text = format!(
        "connect-sso needs a terminal of at least {MIN_WIDTH}×{MIN_HEIGHT}; this one is {}×{}. \
         Enlarge the window or make the font smaller.",
        area.width, area.height
    );
    let middle = area.height.saturating_sub(3) / 2;
    let area = Rect {
        y: area.y + middle,
        height: area.height - middle,
        ..area
    };
    frame.render_widget(
        Paragraph::new(text)
            .style(theme.bold())
            .centered()
            .wrap(Wrap { trim: true }),
        area,
    );
}
