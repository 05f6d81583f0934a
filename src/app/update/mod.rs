//! `update`: the only place the wizard's state changes.
//!
//! This file dispatches each message and holds the helpers every handler shares; the
//! handlers live in one file per family: keys, fields, navigation, the values on screen,
//! the step actions, the SAMLResponse box, the results coming back, and the key hints.

mod actions;
mod fields;
mod hints;
mod inspect;
mod keys;
mod navigation;
mod results;
mod values;

use super::{Busy, Cmd, Msg, State, StepReport, StepStatus};
use crate::steps::Input;

pub use fields::validate;
pub use hints::{GLOBAL_KEYS, key_hints, screen_key_hints};
pub use results::detected_troubles;
pub use values::screen_values;

/// Applies one message; returns the work to start.
pub fn update(state: &mut State, msg: Msg) -> Vec<Cmd> {
    match msg {
        Msg::Resize(w, h) => {
            state.width = w;
            state.height = h;
            Vec::new()
        }
        Msg::Tick => {
            if let Some(b) = &mut state.busy {
                b.frame = b.frame.wrapping_add(1);
            }
            Vec::new()
        }
        Msg::Key(key) => keys::on_key(state, key),
        Msg::Paste(text) => inspect::on_paste(state, &text),
        Msg::Done(done) => {
            let mut cmds = results::on_done(state, done);
            cmds.push(Cmd::Save);
            cmds
        }
    }
}

/// The work to start when the wizard opens: who am I, and a metadata file already named.
pub fn init(state: &mut State) -> Vec<Cmd> {
    let mut cmds = Vec::new();
    if state.mode.is_live() {
        cmds.push(Cmd::LoadContexts);
    }
    let path = state.field(Input::Metadata).value.trim().to_string();
    if !path.is_empty() && state.metadata.is_none() {
        cmds.push(Cmd::LoadMetadata { path });
    }
    cmds
}

/// Marks a step as running and returns its command; refuses while another runs.
fn start(state: &mut State, step: &'static str, label: &str, cmd: Cmd) -> Cmd {
    state.busy = Some(Busy {
        step,
        label: label.to_string(),
        frame: 0,
    });
    state.statuses.insert(step, StepStatus::InProgress);
    cmd
}

fn need(state: &mut State, what: &str) -> Vec<Cmd> {
    state.flash = Some(what.to_string());
    Vec::new()
}

fn report(state: &mut State, step: &'static str, ok: bool, lines: Vec<String>) {
    state.reports.insert(step, StepReport { ok, lines });
}

fn finish(state: &mut State, step: &'static str, status: StepStatus) {
    state.busy = None;
    state.statuses.insert(step, status);
}
