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
    // A long message takes up to three lines rather than being cut at the edge; a margin of
    // one column on each side.
    let status_width = area.width.saturating_sub(2).max(1);
    let status_text = status_lines(state, theme, usize::from(status_width));
    let status_height = status_text.len() as u16;
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
    frame.render_widget(Paragraph::new(status_text), status);
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
    // Screens, not the guide's step numbers, which the screen's own title gives.
    let position = if state.step().is_some() {
        format!("screen {n} of {m}")
    } else {
        "start".to_string()
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

/// The running action (whichever step it belongs to) and the last message, wrapped at
/// `width`: one line at least, [`MAX_STATUS_LINES`] at most, the last ending in "…" when
/// the message is longer still.
fn status_lines(state: &State, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let busy = state
        .busy
        .as_ref()
        .map(|b| {
            format!(
                "{} step {}: {}…  ",
                widgets::spinner(b.frame),
                b.step,
                clean(&b.label)
            )
        })
        .unwrap_or_default();
    let flash = state
        .flash
        .as_deref()
        .map(|f| clean(f).into_owned())
        .unwrap_or_default();
    let mut lines = widgets::wrap(&format!("{busy}{flash}"), width);
    if lines.len() > MAX_STATUS_LINES {
        lines.truncate(MAX_STATUS_LINES);
        let last = &mut lines[MAX_STATUS_LINES - 1];
        while widgets::width(last) + 1 > width && last.pop().is_some() {}
        last.push('…');
    }
    // The running action's part of the first line in its colour, the message in bold.
    let busy_chars = busy.trim_end().chars().count();
    lines
        .into_iter()
        .enumerate()
        .map(|(i, line)| {
            let split = if i == 0 { busy_chars } else { 0 };
            let at = line
                .char_indices()
                .nth(split)
                .map_or(line.len(), |(at, _)| at);
            let (head, tail) = line.split_at(at);
            Line::from(vec![
                Span::styled(head.to_string(), theme.warning()),
                Span::styled(tail.to_string(), theme.bold()),
            ])
        })
        .collect()
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
