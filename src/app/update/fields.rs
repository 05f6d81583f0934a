//! The answers typed into a screen's fields: editing, leaving a field, and validating
//! them with the domain's rules.

use super::super::{Cmd, Focus, Key, State};
use super::navigation::set_focus_index;
use super::start;
use crate::steps::Input;

/// Answers-file keys of the domain's validation errors, mapped to the wizard's fields.
fn input_of_key(key: &str) -> Option<Input> {
    Some(match key {
        "instance_arn" | "instance_id" => Input::Instance,
        "app_name" => Input::AppName,
        "app_description" => Input::AppDescription,
        "provider_name" => Input::ProviderName,
        "policy_name" => Input::PolicyName,
        "role_name" => Input::RoleName,
        "sign_in_endpoint" => Input::SignInEndpoint,
        "users" => Input::Users,
        "groups" => Input::Groups,
        "security_profile" => Input::SecurityProfile,
        "routing_profile" => Input::RoutingProfile,
        _ => return None,
    })
}

/// Validates every field with the domain's rules and stores the messages under the fields.
pub fn validate(state: &mut State) {
    for f in &mut state.fields {
        if f.input != Input::Metadata {
            f.error = None;
        }
    }
    if let Err(errors) = state.setup() {
        for e in errors {
            if let Some(input) = input_of_key(e.key) {
                state.field_mut(input).error = Some(e.error.to_string());
            }
        }
    }
}

/// Leaving a field validates it; leaving the metadata field loads the file.
pub(super) fn leave_field(state: &mut State) -> Vec<Cmd> {
    let Focus::Field(i) = state.focus else {
        return Vec::new();
    };
    let Some(input) = state.screen_fields().get(i).map(|f| f.input) else {
        return Vec::new();
    };
    validate(state);
    let mut cmds = vec![Cmd::Save];
    if input == Input::Metadata {
        let path = state.field(input).value.trim().to_string();
        let loaded = state.metadata.as_ref().map(|m| m.summary.file.clone());
        if !path.is_empty() && loaded.as_deref() != Some(path.as_str()) {
            cmds.push(start(
                state,
                "2",
                "reading the metadata",
                Cmd::LoadMetadata { path },
            ));
        }
    }
    cmds
}

pub(super) fn edit_field(state: &mut State, i: usize, key: Key) -> Vec<Cmd> {
    let Some(input) = state.screen_fields().get(i).map(|f| f.input) else {
        state.focus = Focus::Values(0);
        return Vec::new();
    };
    let field = state.field_mut(input);
    let len = field.value.chars().count();
    field.cursor = field.cursor.min(len);
    let byte = |s: &str, c: usize| s.char_indices().nth(c).map_or(s.len(), |(b, _)| b);
    match key {
        Key::Char(c) if !c.is_control() => {
            let at = byte(&field.value, field.cursor);
            field.value.insert(at, c);
            field.cursor += 1;
            field.error = None;
        }
        Key::Backspace if field.cursor > 0 => {
            let at = byte(&field.value, field.cursor - 1);
            field.value.remove(at);
            field.cursor -= 1;
            field.error = None;
        }
        Key::Delete if field.cursor < len => {
            let at = byte(&field.value, field.cursor);
            field.value.remove(at);
            field.error = None;
        }
        Key::Ctrl('k') => {
            let at = byte(&field.value, field.cursor);
            field.value.truncate(at);
        }
        Key::Left => field.cursor = field.cursor.saturating_sub(1),
        Key::Right => field.cursor = (field.cursor + 1).min(len),
        Key::Home | Key::Ctrl('a') => field.cursor = 0,
        Key::End | Key::Ctrl('e') => field.cursor = len,
        Key::Enter | Key::Down => {
            let cmds = leave_field(state);
            set_focus_index(state, i + 1);
            return cmds;
        }
        Key::Up => {
            let cmds = leave_field(state);
            set_focus_index(state, i.saturating_sub(1));
            return cmds;
        }
        Key::Esc => {
            let cmds = leave_field(state);
            state.focus = Focus::Values(0);
            return cmds;
        }
        _ => {}
    }
    Vec::new()
}
