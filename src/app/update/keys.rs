//! Key presses: the keys every screen shares, the overlays' keys, then the focused field's
//! or the screen's own command keys.

use super::super::picker::Pick;
use super::super::{Cmd, Focus, Key, Mode, Overlay, START, State, StepStatus};
use super::actions::{assign_and_create, mark_done, primary_action, use_sandbox};
use super::fields::{edit_field, leave_field};
use super::inspect::inspect_key;
use super::navigation::{
    first_step, focus_count, focus_index, jump_to, next_screen, previous_screen, set_focus_index,
    start_editing,
};
use super::results::detected_troubles;
use super::values::{copy, screen_values, show_raw, use_instance};

pub(super) fn on_key(state: &mut State, key: Key) -> Vec<Cmd> {
    state.flash = None;
    if key == Key::Ctrl('c') {
        if state.busy.is_some() {
            return vec![Cmd::Cancel];
        }
        state.quit = true;
        return vec![Cmd::Save];
    }
    if state.overlay == Overlay::Inspect {
        return inspect_key(state, key);
    }
    if let Overlay::Troubles { selected } = state.overlay {
        return troubles_key(state, selected, key);
    }
    if state.overlay == Overlay::ConfirmUnassign {
        return super::unassign::key(state, key);
    }
    if state.overlay == Overlay::ConsoleForm {
        return super::console_form::key(state, key);
    }
    if state.overlay == Overlay::ConfirmConsoleApi {
        return super::console::key(state, key);
    }
    if state.overlay == Overlay::Picker {
        return super::picker::key(state, key);
    }
    if let Overlay::Steps { selected } = state.overlay {
        return steps_key(state, selected, key);
    }
    if state.overlay != Overlay::None {
        return overlay_key(state, key);
    }
    if let Some(cmds) = global_key(state, key) {
        return cmds;
    }
    match state.focus {
        Focus::Field(i) => edit_field(state, i, key),
        Focus::Values(row) => command_key(state, row, key),
    }
}

/// Keys of the troubleshooting list.
fn troubles_key(state: &mut State, selected: usize, key: Key) -> Vec<Cmd> {
    let last = crate::troubleshoot::TROUBLES.len() - 1;
    state.overlay = match key {
        Key::Up | Key::Char('k') => Overlay::Troubles {
            selected: selected.saturating_sub(1),
        },
        Key::Down | Key::Char('j') => Overlay::Troubles {
            selected: (selected + 1).min(last),
        },
        Key::Esc | Key::Enter | Key::Char('q') | Key::Char('t') | Key::F(1) => Overlay::None,
        _ => state.overlay,
    };
    Vec::new()
}

/// Keys of the step list: choose a screen and jump to it.
fn steps_key(state: &mut State, selected: usize, key: Key) -> Vec<Cmd> {
    let last = crate::app::screen_count() - 1;
    match key {
        Key::Up | Key::Char('k') => {
            state.overlay = Overlay::Steps {
                selected: selected.saturating_sub(1).max(1),
            };
        }
        Key::Down | Key::Char('j') => {
            state.overlay = Overlay::Steps {
                selected: (selected + 1).min(last),
            };
        }
        Key::Home => state.overlay = Overlay::Steps { selected: 1 },
        Key::Enter => return jump_to(state, selected),
        Key::Esc | Key::Char('q') | Key::Char('s') | Key::F(1) => state.overlay = Overlay::None,
        _ => {}
    }
    Vec::new()
}

/// Keys of the key map: it only closes.
fn overlay_key(state: &mut State, key: Key) -> Vec<Cmd> {
    if matches!(
        key,
        Key::Esc | Key::Char('?') | Key::Char('q') | Key::Char('s') | Key::F(1) | Key::Enter
    ) {
        state.overlay = Overlay::None;
    }
    Vec::new()
}

/// The keys of [`GLOBAL_KEYS`](super::GLOBAL_KEYS) and Tab; `None` for any other key.
fn global_key(state: &mut State, key: Key) -> Option<Vec<Cmd>> {
    match key {
        Key::F(1) => {
            state.overlay = Overlay::Help;
            Some(Vec::new())
        }
        Key::PageDown => Some(next_screen(state)),
        Key::PageUp => Some(previous_screen(state)),
        Key::Ctrl('d') => {
            state.scroll = state.scroll.saturating_add(5);
            Some(Vec::new())
        }
        Key::Ctrl('u') => {
            // At the top already, a selected value lower down is what holds the view there
            // (the screen keeps it in view): back to the first row, and the top shows.
            if state.scroll == 0
                && let Focus::Values(row) = state.focus
                && row > 0
            {
                state.focus = Focus::Values(0);
            }
            state.scroll = state.scroll.saturating_sub(5);
            Some(Vec::new())
        }
        Key::Tab => {
            let n = focus_count(state);
            let i = (focus_index(state) + 1) % n;
            leave_field(state);
            set_focus_index(state, i);
            Some(Vec::new())
        }
        Key::BackTab => {
            let n = focus_count(state);
            let i = (focus_index(state) + n - 1) % n;
            leave_field(state);
            set_focus_index(state, i);
            Some(Vec::new())
        }
        _ => None,
    }
}

/// Keys on a screen's values: its commands.
fn command_key(state: &mut State, row: usize, key: Key) -> Vec<Cmd> {
    let values = screen_values(state);
    match key {
        Key::Char('q') => {
            state.quit = true;
            vec![Cmd::Save]
        }
        Key::Char('?') => {
            state.overlay = Overlay::Help;
            Vec::new()
        }
        Key::Char('s') if state.screen == START && state.context_error.is_some() => {
            use_sandbox(state)
        }
        Key::Char('p') if state.screen == START && state.context_error.is_some() => {
            state.mode = Mode::PlanOnly;
            state.context_error = None;
            vec![Cmd::Save]
        }
        Key::Char('s') => {
            state.overlay = Overlay::Steps {
                selected: state.screen.max(1),
            };
            Vec::new()
        }
        Key::Char('i') if state.step().is_some_and(|s| s.id == "verify") => {
            state.overlay = Overlay::Inspect;
            Vec::new()
        }
        Key::Char('t') => {
            let detected = detected_troubles(state);
            let selected = crate::troubleshoot::TROUBLES
                .iter()
                .position(|t| detected.contains(&t.id))
                .unwrap_or(0);
            state.overlay = Overlay::Troubles { selected };
            Vec::new()
        }
        Key::Char('n') | Key::Right => next_screen(state),
        // Enter goes on, as in every prompt people know; copying is c or a number.
        Key::Enter => next_screen(state),
        Key::Char('e') => start_editing(state),
        Key::Home => first_step(state),
        Key::Char('b') | Key::Left => previous_screen(state),
        Key::Up => {
            state.focus = Focus::Values(row.saturating_sub(1));
            Vec::new()
        }
        Key::Down => {
            let last = values.len().saturating_sub(1);
            state.focus = Focus::Values((row + 1).min(last));
            Vec::new()
        }
        Key::Char('c') => copy(state, &values, row),
        Key::Char('v') => show_raw(state, &values, row),
        Key::Char(d @ '1'..='9') => {
            let i = d as usize - '1' as usize;
            state.focus = Focus::Values(i.min(values.len().saturating_sub(1)));
            copy(state, &values, i)
        }
        Key::Char('r') => primary_action(state),
        Key::Char('u') if state.step().is_some_and(|s| s.id == "prerequisites") => {
            use_instance(state, row)
        }
        Key::Char('d') => mark_done(state),
        Key::Char('a') if state.step().is_some_and(|s| s.id == "11") && state.mode.is_live() => {
            assign_and_create(state)
        }
        Key::Char('o') if state.step().is_some_and(|s| s.id == "1") => {
            super::console::toggle(state)
        }
        Key::Char('g') if state.step().is_some_and(|s| s.id == "11") && state.mode.is_live() => {
            super::picker::open_directory(state, Pick::Groups)
        }
        Key::Char('p') if state.step().is_some_and(|s| s.id == "11") && state.mode.is_live() => {
            super::picker::open_directory(state, Pick::People)
        }
        Key::Char('u') if state.step().is_some_and(|s| s.id == "11") && state.mode.is_live() => {
            super::unassign::ask(state)
        }
        Key::Char('x') => {
            if let Some(step) = state.step() {
                state.statuses.insert(step.id, StepStatus::Skipped);
            }
            vec![Cmd::Save]
        }
        _ => Vec::new(),
    }
}
