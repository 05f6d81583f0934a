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
    // Every screen opens on its values: the keys in the help bar act, and none of them
    // types into a field. Editing starts with e or Tab.
    state.focus = Focus::Values(0);
}

/// `e`: edit the screen's first empty field, or its first field.
pub(super) fn start_editing(state: &mut State) -> Vec<Cmd> {
    let fields = state.screen_fields();
    if fields.is_empty() {
        state.flash = Some("Nothing to type on this screen".to_string());
        return Vec::new();
    }
    let i = fields
        .iter()
        .position(|f| f.value.trim().is_empty())
        .unwrap_or(0);
    state.focus = Focus::Field(i);
    Vec::new()
}

/// Home: back to the first step of the guide.
pub(super) fn first_step(state: &mut State) -> Vec<Cmd> {
    go_to(state, START + 1);
    vec![Cmd::Save]
}

/// Enter in the step list: jump to the chosen screen.
pub(super) fn jump_to(state: &mut State, screen: usize) -> Vec<Cmd> {
    go_to(state, screen);
    vec![Cmd::Save]
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
    // Going on past a failure is allowed, but not silently.
    let failed = state
        .step()
        .filter(|s| state.status(s.id) == StepStatus::Failed)
        .map(|s| s.id);
    if state.screen + 1 >= screen_count() {
        state.flash = Some(format!(
            "This is the last step. q quits; the session is saved, and `{}` opens it again",
            state.resume_command()
        ));
        return Vec::new();
    }
    go_to(state, state.screen + 1);
    if let Some(id) = failed {
        state.flash = Some(match id {
            "prerequisites" => "The prerequisites check failed: the values from here on are for that instance, and nothing can be marked done until it passes".to_string(),
            id => format!("Step {id} failed: the steps that build on it will fail too until it is fixed (b goes back)"),
        });
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
