//! Step 11's `u`: taking the application away from people the admin removed from the
//! answer. Only assignments connect-sso made itself (its ledger says which) are offered,
//! and nothing is removed before the admin says yes.

use super::super::{Busy, Cmd, Key, Overlay, State};
use super::actions::matching_applications;
use super::need;

/// `u`: asks first, listing who would lose the application.
pub(super) fn ask(state: &mut State) -> Vec<Cmd> {
    if state.unrequested.is_empty() {
        return need(
            state,
            "Nobody to unassign: run the step (r) after taking a name out of the answer",
        );
    }
    state.overlay = Overlay::ConfirmUnassign;
    Vec::new()
}

pub(super) fn key(state: &mut State, key: Key) -> Vec<Cmd> {
    match key {
        Key::Char('y') | Key::Char('Y') => {
            state.overlay = Overlay::None;
            unassign(state)
        }
        Key::Char('n') | Key::Char('N') | Key::Esc | Key::Char('q') => {
            state.overlay = Overlay::None;
            state.flash = Some("Nobody was unassigned".to_string());
            Vec::new()
        }
        _ => Vec::new(),
    }
}

fn unassign(state: &mut State) -> Vec<Cmd> {
    if state.busy.is_some() {
        return need(
            state,
            "Wait for the running action to finish, or Ctrl-C to cancel it",
        );
    }
    let apps = matching_applications(state);
    let [application_arn] = apps.as_slice() else {
        return need(
            state,
            "Step 1's application must be found exactly once first: run its check (r on step 1)",
        );
    };
    // The step's result stays as it is: removing someone else's access does not change
    // whether the people asked for can sign in.
    state.busy = Some(Busy {
        step: "11",
        label: "sso:DeleteApplicationAssignment".to_string(),
        frame: 0,
        basis: None,
        previous: None,
    });
    vec![Cmd::Unassign {
        application_arn: application_arn.clone(),
        entries: state.unrequested.clone(),
    }]
}
