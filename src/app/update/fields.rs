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
    let before = field.value.len();
    if edit_line(&mut field.value, &mut field.cursor, key) {
        if field.value.len() != before {
            field.error = None;
        }
        return Vec::new();
    }
    match key {
        Key::Enter | Key::Down => {
            let cmds = leave_field(state);
            set_focus_index(state, i + 1);
            cmds
        }
        Key::Up => {
            let cmds = leave_field(state);
            set_focus_index(state, i.saturating_sub(1));
            cmds
        }
        Key::Esc => {
            let cmds = leave_field(state);
            state.focus = Focus::Values(0);
            cmds
        }
        _ => Vec::new(),
    }
}

/// The keys that edit one line of text or move its cursor, for the answers' fields and the
/// sandbox's console forms alike; `false` for any other key.
pub(super) fn edit_line(value: &mut String, cursor: &mut usize, key: Key) -> bool {
    let len = value.chars().count();
    *cursor = (*cursor).min(len);
    let byte = |s: &str, c: usize| s.char_indices().nth(c).map_or(s.len(), |(b, _)| b);
    match key {
        Key::Char(c) if !c.is_control() => {
            value.insert(byte(value, *cursor), c);
            *cursor += 1;
        }
        Key::Backspace => {
            if *cursor > 0 {
                value.remove(byte(value, *cursor - 1));
                *cursor -= 1;
            }
        }
        Key::Delete => {
            if *cursor < len {
                value.remove(byte(value, *cursor));
            }
        }
        Key::Ctrl('k') => value.truncate(byte(value, *cursor)),
        Key::Left => *cursor = cursor.saturating_sub(1),
        Key::Right => *cursor = (*cursor + 1).min(len),
        Key::Home | Key::Ctrl('a') => *cursor = 0,
        Key::End | Key::Ctrl('e') => *cursor = len,
        _ => return false,
    }
    true
}

/// The most a field takes from one paste: more than any answer's limit, so the limit's own
/// message explains a long value, and little enough that a stray paste of a whole file is
/// refused at once instead of freezing the screen.
pub(super) const MAX_FIELD_PASTE: usize = 4096;

/// A paste goes into a line at the cursor in one piece. Line breaks and other control
/// characters would end up in an AWS name, so they are dropped. `Err` says why a paste too
/// long for a field was refused.
pub(super) fn paste_line(value: &mut String, cursor: &mut usize, text: &str) -> Result<(), String> {
    let clean: String = text.trim().chars().filter(|c| !c.is_control()).collect();
    let count = clean.chars().count();
    if count > MAX_FIELD_PASTE {
        return Err(format!(
            "That paste is {count} characters; a field takes at most {MAX_FIELD_PASTE}: copy only the value"
        ));
    }
    let at = (*cursor).min(value.chars().count());
    let byte = value.char_indices().nth(at).map_or(value.len(), |(b, _)| b);
    value.insert_str(byte, &clean);
    *cursor = at + count;
    Ok(())
}
