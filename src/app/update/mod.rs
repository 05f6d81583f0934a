//! `update`: the only place the wizard's state changes.
//!
//! This file dispatches each message and holds the helpers every handler shares; the
//! handlers live in one file per family: keys, fields, navigation, the values on screen,
//! the step actions, the SAMLResponse box, the results coming back, and the key hints.

mod actions;
mod console;
mod console_form;
mod fields;
mod hints;
mod inspect;
mod keys;
mod navigation;
mod picker;
mod results;
mod unassign;
mod values;

use super::{Busy, Cmd, Focus, Msg, State, StepReport, StepStatus};
use crate::steps::Input;

pub use fields::validate;
pub use hints::{GLOBAL_KEYS, key_hints, screen_key_hints};
pub use results::detected_troubles;
pub use values::screen_values;

/// Applies one message; returns the work to start. Afterwards every step's basis is
/// recomputed, and once the answer being edited is left, a change that put steps out of
/// date says which.
pub fn update(state: &mut State, msg: Msg) -> Vec<Cmd> {
    let cmds = dispatch(state, msg);
    state.refresh_bases();
    if matches!(state.focus, Focus::Field(_)) {
        return cmds;
    }
    let stale = state.stale_steps();
    let newly: Vec<&str> = stale
        .iter()
        .copied()
        .filter(|s| !state.announced_stale.contains(s))
        .collect();
    state.announced_stale = stale;
    if !newly.is_empty() {
        state.flash = Some(stale_message(&newly));
    }
    cmds
}

/// What the status line says when a change puts steps out of date: short enough for 80
/// columns, the step list (`s`) has the rest.
fn stale_message(ids: &[&str]) -> String {
    let name = |id: &str| match id {
        "verify" => "verification".to_string(),
        other => other.to_string(),
    };
    match ids {
        [one] => format!(
            "This change puts {} out of date (↻): run or check it again",
            step_words(one)
        ),
        few if few.len() <= 4 => format!(
            "Now out of date (↻): {}. Run or check them again",
            few.iter().map(|id| name(id)).collect::<Vec<_>>().join(", ")
        ),
        many => format!(
            "{} steps are now out of date (↻), from {} to {}: s lists them",
            many.len(),
            name(many[0]),
            name(many[many.len() - 1])
        ),
    }
}

/// A step as a sentence names it: "step 6a", "the prerequisites", "verification".
fn step_words(id: &str) -> String {
    match id {
        "prerequisites" => "the prerequisites".to_string(),
        "verify" => "verification".to_string(),
        n => format!("step {n}"),
    }
}

fn dispatch(state: &mut State, msg: Msg) -> Vec<Cmd> {
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
        Msg::FormAnswer { field, value } => console_form::answer(state, field, value),
        // A save's own result changes nothing worth saving: saving again would loop.
        Msg::Done(done @ super::Done::Saved(_)) => results::on_done(state, done),
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
    // The same key press may have just changed an answer (a picker writes one, then runs).
    state.refresh_bases();
    state.busy = Some(Busy {
        step,
        label: label.to_string(),
        frame: 0,
        basis: state.current_basis(step).cloned(),
        previous: Some((
            state.statuses.get(step).copied().unwrap_or_default(),
            state.reports.get(step).cloned(),
        )),
    });
    state.statuses.insert(step, StepStatus::InProgress);
    cmd
}

fn need(state: &mut State, what: &str) -> Vec<Cmd> {
    state.flash = Some(what.to_string());
    Vec::new()
}

/// Stores a step's result. A command it proposes (`` `connect-sso apply ...` ``) is
/// completed to run as printed on this wizard's account with its answers: the sandbox or
/// the scenario, the names, the metadata file.
fn report(state: &mut State, step: &'static str, ok: bool, lines: Vec<String>) {
    let rerun = state.rerun();
    let lines = lines.iter().map(|l| rerun.complete(l)).collect();
    state.reports.insert(step, StepReport { ok, lines });
    // A new result on the screen in view: from the top, so "Last result" is not left
    // scrolled past.
    if state.step().is_some_and(|s| s.id == step) {
        state.scroll = 0;
    }
}

/// Stores a step's new status with the basis it was computed from: the one recorded when
/// its action started, else (a result nobody started, such as a metadata file loaded at
/// start-up) the current one.
fn finish(state: &mut State, step: &'static str, status: StepStatus) {
    let started = state.busy.take().filter(|b| b.step == step);
    let basis = match started {
        Some(busy) => busy.basis,
        None => state.current_basis(step).cloned(),
    };
    record(state, step, status, basis);
}

fn record(state: &mut State, step: &'static str, status: StepStatus, basis: Option<String>) {
    state.statuses.insert(step, status);
    match basis {
        Some(basis) => state.bases.insert(step, basis),
        None => state.bases.remove(step),
    };
}
