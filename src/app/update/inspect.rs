//! The SAMLResponse box: its keys, pasting (into the box or the focused field), and
//! starting the check of a response.

use super::super::{Cmd, Focus, Key, Mode, Overlay, State};
use super::need;

/// A SAMLResponse copied from a browser is a few kilobytes; more is not a response.
const MAX_PASTE: usize = 512 * 1024;

/// Pasted text goes whole to the SAMLResponse box, or into the focused field.
pub(super) fn on_paste(state: &mut State, text: &str) -> Vec<Cmd> {
    if state.overlay == Overlay::Inspect {
        if state.assertion_text.len() + text.len() > MAX_PASTE {
            state.flash = Some(format!(
                "That is more than {} KiB, too much for a SAMLResponse: copy only the SAMLResponse form value",
                MAX_PASTE / 1024
            ));
        } else {
            state.assertion_text.push_str(text);
            forget_results(state);
        }
        return Vec::new();
    }
    if state.overlay == Overlay::ConsoleForm {
        return super::console_form::paste(state, text);
    }
    match state.focus {
        Focus::Field(i) if state.overlay == Overlay::None => paste_into_field(state, i, text),
        _ => need(
            state,
            "Paste into a field (e edits one), or press i on the verification screen to paste a SAML response",
        ),
    }
}

/// A paste into the answer field `i`.
fn paste_into_field(state: &mut State, i: usize, text: &str) -> Vec<Cmd> {
    let Some(input) = state.screen_fields().get(i).map(|f| f.input) else {
        return Vec::new();
    };
    let field = state.field_mut(input);
    match super::fields::paste_line(&mut field.value, &mut field.cursor, text) {
        Ok(()) => {
            field.error = None;
            Vec::new()
        }
        Err(why) => need(state, &why),
    }
}

/// Keys of the SAMLResponse box: typing also works, for short tests by hand.
pub(super) fn inspect_key(state: &mut State, key: Key) -> Vec<Cmd> {
    match key {
        Key::Esc | Key::F(1) => state.overlay = Overlay::None,
        Key::Ctrl('u') => {
            state.assertion_text.clear();
            forget_results(state);
        }
        Key::Backspace => {
            state.assertion_text.pop();
            forget_results(state);
        }
        Key::Char(c) if state.assertion_text.len() < MAX_PASTE => {
            state.assertion_text.push(c);
            forget_results(state);
        }
        Key::Enter => return start_inspection(state),
        Key::Ctrl('t') => return start_sign_in_test(state),
        Key::Ctrl('g') if state.mode == Mode::Sandbox => return issue_response(state),
        _ => {}
    }
    Vec::new()
}

/// Ctrl-G on the sandbox: a response signed by its Identity Center for the first person of
/// step 11, as their sign-in from the access portal would post it.
fn issue_response(state: &mut State) -> Vec<Cmd> {
    let Some(user) = state.answers().users.and_then(|u| u.into_iter().next()) else {
        return need(
            state,
            "Name someone on step 11 first: the sandbox signs a response for its first person",
        );
    };
    let Ok(setup) = state.setup() else {
        return need(
            state,
            "Some answers are not valid yet: fix them on their steps, then ask for a response",
        );
    };
    vec![Cmd::IssueResponse {
        setup: Box::new(setup),
        user,
    }]
}

/// What was found for the text in the box is for that text only.
fn forget_results(state: &mut State) {
    state.inspection = None;
    state.sign_in = None;
}

/// Ctrl-T: asks AWS itself, with the calls sign-in makes (STS, then Connect).
fn start_sign_in_test(state: &mut State) -> Vec<Cmd> {
    if !state.mode.is_live() {
        return need(
            state,
            "Plan-only mode asks AWS nothing: start connect-sso with credentials, or on the sandbox",
        );
    }
    if state.assertion_text.trim().is_empty() {
        return need(
            state,
            "Paste the SAMLResponse first (the form value of the POST to the AWS sign-in page)",
        );
    }
    let Ok(setup) = state.setup() else {
        return need(
            state,
            "Some answers are not valid yet: fix them on their steps, then test the response",
        );
    };
    state.flash = Some("Asking AWS whether this response signs in…".to_string());
    vec![Cmd::SignInTest {
        setup: Box::new(setup),
        text: state.assertion_text.clone(),
        metadata: state.metadata.as_ref().map(|m| m.document.clone()),
    }]
}

fn start_inspection(state: &mut State) -> Vec<Cmd> {
    if state.assertion_text.trim().is_empty() {
        return need(
            state,
            "Paste the SAMLResponse first (the form value of the POST to the AWS sign-in page)",
        );
    }
    let setup = match state.setup() {
        Ok(s) => s,
        Err(_) => {
            return need(
                state,
                "Some answers are not valid yet: fix them on their steps, then check the response",
            );
        }
    };
    state.flash = Some("Checking the SAML response…".to_string());
    vec![Cmd::Inspect {
        setup: Box::new(setup),
        text: state.assertion_text.clone(),
        metadata: state.metadata.as_ref().map(|m| m.document.clone()),
        live: state.mode.is_live(),
    }]
}
