//! Step 11's pickers: opening them (`p` for people, `g` for groups; `a` walks the two
//! profile lists before creating Connect users), their keys, and writing the choice into
//! the step's answers.

use super::super::picker::{Pick, Picker};
use super::super::{Cmd, Focus, Key, Overlay, State};
use super::need;

/// `p` (people) or `g` (groups) on step 11: the identity store's users or groups to pick
/// from, opened with what the answer already names chosen.
pub(super) fn open_directory(state: &mut State, pick: Pick) -> Vec<Cmd> {
    let Some(identity_store_id) = state.identity_store_id.clone() else {
        return need(
            state,
            "No IAM Identity Center instance is known yet: check the start screen",
        );
    };
    let answers = state.answers();
    let (current, cmd) = match pick {
        Pick::Groups => (answers.groups, Cmd::ListGroups { identity_store_id }),
        _ => (answers.users, Cmd::ListPeople { identity_store_id }),
    };
    state.picker = Some(Picker::new(pick, &current.unwrap_or_default()));
    state.overlay = Overlay::Picker;
    vec![cmd]
}

/// A profile list of the instance, opened on the current answer (or its default).
pub(super) fn open_profiles(state: &mut State, pick: Pick) -> Vec<Cmd> {
    let Ok(setup) = state.setup() else {
        return need(state, "Fix the answers first: the instance is needed");
    };
    let current = state
        .answers_or_default(pick.input())
        .into_iter()
        .collect::<Vec<_>>();
    state.picker = Some(Picker::new(pick, &current));
    state.overlay = Overlay::Picker;
    vec![Cmd::ListProfiles {
        instance_id: setup.instance.id.as_str().to_string(),
        pick,
    }]
}

pub(super) fn key(state: &mut State, key: Key) -> Vec<Cmd> {
    let Some(picker) = &mut state.picker else {
        state.overlay = Overlay::None;
        return Vec::new();
    };
    match key {
        Key::Esc => close(state),
        Key::Up => picker.move_by(-1),
        Key::Down => picker.move_by(1),
        Key::PageUp => picker.move_by(-10),
        Key::PageDown => picker.move_by(10),
        Key::Char(' ') if picker.pick.several() => picker.toggle(),
        Key::Backspace => picker.backspace(),
        Key::Char(c) if !c.is_control() => picker.type_char(c),
        Key::Enter => return use_choice(state),
        _ => {}
    }
    Vec::new()
}

fn close(state: &mut State) {
    state.overlay = Overlay::None;
    state.picker = None;
}

/// Enter: the choice becomes the answer. People end there; the security profile leads to
/// the routing profile, and that one to creating the Connect users.
fn use_choice(state: &mut State) -> Vec<Cmd> {
    let Some(picker) = &state.picker else {
        return Vec::new();
    };
    let pick = picker.pick;
    let Some(answer) = picker.answer() else {
        let what = if pick == Pick::Groups {
            "No group to use: choose groups with Space, or Esc to close"
        } else if pick.several() {
            "Nobody to use: choose people with Space, or Esc to close"
        } else {
            "Nothing to use: no row matches, or the list could not be read; Esc closes"
        };
        return need(state, what);
    };
    close(state);
    let field = state.field_mut(pick.input());
    field.cursor = answer.chars().count();
    field.value = answer;
    field.error = None;
    state.focus = Focus::Values(0);
    match pick {
        Pick::People => {
            state.flash = Some("People chosen: press r to assign them".to_string());
            vec![Cmd::Save]
        }
        Pick::Groups => {
            state.flash = Some("Groups chosen: press r to assign them".to_string());
            vec![Cmd::Save]
        }
        Pick::SecurityProfile => {
            let mut cmds = vec![Cmd::Save];
            cmds.extend(open_profiles(state, Pick::RoutingProfile));
            cmds
        }
        Pick::RoutingProfile => {
            let mut cmds = vec![Cmd::Save];
            cmds.extend(super::actions::create_with_profiles(state));
            cmds
        }
    }
}
