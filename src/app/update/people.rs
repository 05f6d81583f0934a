//! Step 11's people picker: opening it (`p`), its keys, and writing the choice into the
//! step's answer.

use super::super::people::PeoplePicker;
use super::super::{Cmd, Focus, Key, Overlay, State};
use super::need;
use crate::steps::Input;

/// `p` on step 11: the identity store's users to pick from.
pub(super) fn open(state: &mut State) -> Vec<Cmd> {
    let Some(identity_store_id) = state.identity_store_id.clone() else {
        return need(
            state,
            "No IAM Identity Center instance is known yet: check the start screen",
        );
    };
    let current = state.answers().users.unwrap_or_default();
    state.people = Some(PeoplePicker::new(&current));
    state.overlay = Overlay::People;
    vec![Cmd::ListPeople { identity_store_id }]
}

pub(super) fn key(state: &mut State, key: Key) -> Vec<Cmd> {
    let Some(picker) = &mut state.people else {
        state.overlay = Overlay::None;
        return Vec::new();
    };
    match key {
        Key::Esc => close(state),
        Key::Up => picker.move_by(-1),
        Key::Down => picker.move_by(1),
        Key::PageUp => picker.move_by(-10),
        Key::PageDown => picker.move_by(10),
        Key::Char(' ') => picker.toggle(),
        Key::Backspace => picker.backspace(),
        Key::Char(c) if !c.is_control() => picker.type_char(c),
        Key::Enter => return use_choice(state),
        _ => {}
    }
    Vec::new()
}

fn close(state: &mut State) {
    state.overlay = Overlay::None;
    state.people = None;
}

/// Enter: the chosen people become step 11's answer.
fn use_choice(state: &mut State) -> Vec<Cmd> {
    let Some(answer) = state.people.as_ref().and_then(PeoplePicker::answer) else {
        return need(
            state,
            "Nobody to use: choose people with Space, or Esc to close",
        );
    };
    close(state);
    let field = state.field_mut(Input::Users);
    field.cursor = answer.chars().count();
    field.value = answer;
    field.error = None;
    state.focus = Focus::Values(0);
    state.flash = Some("People chosen: press r to assign them".to_string());
    vec![Cmd::Save]
}
