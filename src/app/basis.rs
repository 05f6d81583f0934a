//! What each step's result was computed from. A result is recorded with the basis of its step
//! at the time it started; when the answers change so that the step's basis differs, the step
//! shows as stale instead of keeping a ✔ that no longer holds.
//!
//! A step's basis is everything of the effective setup that its values, documents and actions
//! read: the plan's values and documents for the step (defaults applied, so an empty display
//! name and the default it stands for are the same answer), the step's own answers, and what
//! a few steps take from other steps (6a the metadata document; 3-5, 7-9, 10 and 11 the
//! application step 1 names, since their console work is done on it; verification every
//! step's answers and every other step's result, since it judges them). It is kept as a
//! short SHA-256 so sessions stay small.

use std::collections::BTreeMap;

use sha2::{Digest as _, Sha256};

use super::State;
use crate::plan::Plan;
use crate::steps::{STEPS, step};

/// The current basis of every step; `None` for all of them while the answers are invalid
/// (no result can be trusted to match answers that do not make a setup).
pub(super) fn current_bases(state: &State) -> BTreeMap<&'static str, Option<String>> {
    let setup = state.setup().ok().map(|mut setup| {
        // The identity store id arrives with the contexts, after a resume too: it is not an
        // answer, and a result does not go stale because it was not known yet.
        setup.identity_store_id = None;
        let plan = Plan::build(&setup, None);
        (setup.app_name.to_string(), plan)
    });
    STEPS
        .iter()
        .map(|s| {
            let basis = setup
                .as_ref()
                .map(|(app, plan)| basis(state, plan, app, s.id));
            (s.id, basis)
        })
        .collect()
}

fn basis(state: &State, plan: &Plan, app_name: &str, id: &str) -> String {
    let mut hash = Sha256::new();
    let mut put = |text: &str| {
        hash.update(text.as_bytes());
        // A separator, so that ("ab", "c") and ("a", "bc") differ.
        hash.update([0]);
    };
    put(state.mode.label());
    for part in parts(id) {
        put(part);
        if let Some(ps) = plan.steps.iter().find(|s| s.id == part) {
            for v in &ps.values {
                put(&v.label);
                put(&v.value);
            }
            for d in &ps.documents {
                put(&d.document.to_string());
            }
        }
        if let Some(s) = step(part) {
            // As used: an empty answer and the default it stands for are one answer.
            for input in s.inputs {
                put(&state.answers_or_default(*input).unwrap_or_default());
            }
        }
    }
    // What `a` creates Connect users with.
    if matches!(id, "11" | "verify") {
        for input in crate::steps::PICKED_INPUTS {
            put(&state.answers_or_default(*input).unwrap_or_default());
        }
    }
    if matches!(id, "6a" | "verify") {
        put(state.metadata.as_ref().map_or("", |m| m.document.as_str()));
    }
    // The application the console steps are done on: another display name is another
    // application, whose URLs and mappings are still to do. (Step 2 checks a file, which
    // says nothing of the application it came from.)
    if matches!(id, "3-5" | "7-9" | "10") {
        put(app_name);
    }
    // Verification judges the other steps' results: a step redone since (a console form
    // saved again, a role run again) may change its verdict. Reports, not statuses, so a
    // step merely running does not count.
    if id == "verify" {
        for (step, report) in state.reports.iter().filter(|(s, _)| **s != "verify") {
            put(step);
            put(if report.ok { "ok" } else { "not ok" });
            for line in &report.lines {
                put(line);
            }
        }
    }
    let digest = hash.finalize();
    digest[..12].iter().map(|b| format!("{b:02x}")).collect()
}

/// The steps whose values and answers a step's result depends on.
fn parts(id: &str) -> Vec<&str> {
    match id {
        "11" => vec!["1", "11"],
        "verify" => STEPS.iter().map(|s| s.id).collect(),
        other => vec![other],
    }
}
