//! The SAMLResponse box: its keys, pasting (into the box or the focused field), and
//! starting the check of a response.

use super::super::{Cmd, Focus, Key, Overlay, State};
use super::fields::edit_field;
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
            state.inspection = None;
        }
        return Vec::new();
    }
    match state.focus {
        Focus::Field(i) if state.overlay == Overlay::None => {
            // Line breaks and other control characters would end up in an AWS name.
            let mut cmds = Vec::new();
            for c in text.trim().chars().filter(|c| !c.is_control()) {
                cmds.extend(edit_field(state, i, Key::Char(c)));
            }
            cmds
        }
        _ => need(
            state,
            "Paste into a field (Tab to reach one), or press i on the verification screen to paste a SAML response",
        ),
    }
}

/// Keys of the SAMLResponse box: typing also works, for short tests by hand.
pub(super) fn inspect_key(state: &mut State, key: Key) -> Vec<Cmd> {
    match key {
        Key::Esc | Key::F(1) => state.overlay = Overlay::None,
        Key::Ctrl('u') => {
            state.assertion_text.clear();
            state.inspection = None;
        }
        Key::Backspace => {
            state.assertion_text.pop();
            state.inspection = None;
        }
        Key::Char(c) if state.assertion_text.len() < MAX_PASTE => {
            state.assertion_text.push(c);
            state.inspection = None;
        }
        Key::Enter => return start_inspection(state),
        _ => {}
    }
    Vec::new()
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
