//! Moving between screens, and between the fields and the values of one screen.

use super::super::{Cmd, Focus, Overlay, START, State, StepStatus, screen_count};
use super::fields::validate;
use crate::steps::Input;

/// Whether the current screen's answers allow going forward.
fn screen_is_valid(state: &State) -> bool {
    state
        .screen_fields()
        .iter()
        .all(|f| f.error.is_none() || f.input == Input::Metadata)
}

fn go_to(state: &mut State, screen: usize) {
    state.screen = screen.min(screen_count() - 1);
    state.scroll = 0;
    state.overlay = Overlay::None;
    // A step not started yet lands in its first empty field; otherwise on the values, so
    // action keys act instead of typing into a field.
    let started = state
        .step()
        .is_some_and(|s| state.status(s.id) != StepStatus::NotStarted);
    let first_empty = state
        .screen_fields()
        .iter()
        .position(|f| f.value.trim().is_empty())
        .filter(|_| !started);
    state.focus = match first_empty {
        Some(i) => Focus::Field(i),
        None => Focus::Values(0),
    };
}

pub(super) fn next_screen(state: &mut State) -> Vec<Cmd> {
    validate(state);
    if !screen_is_valid(state) {
        state.flash = Some("Fix the highlighted answer before going on".to_string());
        // Put the cursor where the problem is.
        if let Some(i) = state.screen_fields().iter().position(|f| f.error.is_some()) {
            state.focus = Focus::Field(i);
        }
        return Vec::new();
    }
    if state.screen + 1 < screen_count() {
        go_to(state, state.screen + 1);
    }
    vec![Cmd::Save]
}

pub(super) fn previous_screen(state: &mut State) -> Vec<Cmd> {
    // Going back never loses or blocks on what was typed.
    if state.screen > START {
        go_to(state, state.screen - 1);
    }
    vec![Cmd::Save]
}

pub(super) fn focus_count(state: &State) -> usize {
    state.screen_fields().len() + 1
}

pub(super) fn focus_index(state: &State) -> usize {
    match state.focus {
        Focus::Field(i) => i,
        Focus::Values(_) => state.screen_fields().len(),
    }
}

pub(super) fn set_focus_index(state: &mut State, i: usize) {
    let fields = state.screen_fields().len();
    state.focus = if i < fields {
        Focus::Field(i)
    } else {
        Focus::Values(0)
    };
}
