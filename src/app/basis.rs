//! What each step's result was computed from. A result is recorded with the basis of its step
//! at the time it started; when the answers change so that the step's basis differs, the step
//! shows as stale instead of keeping a ✔ that no longer holds.
//!
//! A step's basis is everything of the effective setup that its values, documents and actions
//! read: the plan's values and documents for the step (defaults applied, so an empty display
//! name and the default it stands for are the same answer), the step's own answers, and what
//! a few steps take from other steps (6a the metadata document; 3-5, 7-9, 10 and 11 the
//! application step 1 names, since their console work is done on it; verification every
//! step's answers and every other step's outcome, since it judges them). It is kept as a
//! short SHA-256 so sessions stay small.

use std::collections::BTreeMap;

use sha2::{Digest as _, Sha256};

use super::State;
use crate::cloud::sandbox::CONSOLE_PAGE_STEPS;
use crate::plan::Plan;
use crate::steps::{STEPS, step};

/// The version of the formula below; kept in session files, so that a result saved under
/// an earlier one is carried over rather than shown as out of date (see [`carry_over`]).
/// 2: steps 3-5, 7-9, 10 and 11 read step 1's display name (11 no longer its description),
/// 11 the instance; verification the other steps' outcomes.
pub const BASIS_VERSION: u32 = 2;

/// The current basis of every step; `None` for all of them while the answers are invalid
/// (no result can be trusted to match answers that do not make a setup).
pub(super) fn current_bases(state: &State) -> BTreeMap<&'static str, Option<String>> {
    bases(state, BASIS_VERSION)
}

/// Carries bases saved under formula `version` that still match the answers as restored
/// over to the current formula: a new version of connect-sso does not put results out of
/// date by itself. A saved basis that no longer matches stays as it is (out of date).
pub(super) fn carry_over(state: &mut State, version: u32) {
    if version >= BASIS_VERSION {
        return;
    }
    let old = bases(state, version);
    let matching: Vec<&'static str> = state
        .bases
        .iter()
        .filter(|(step, saved)| old.get(*step).and_then(Option::as_ref) == Some(*saved))
        .map(|(step, _)| *step)
        .collect();
    // Verification's basis reads the others', so it is carried last.
    let (verify, others): (Vec<_>, Vec<_>) = matching.into_iter().partition(|s| *s == "verify");
    for group in [others, verify] {
        let new = bases(state, BASIS_VERSION);
        for step in group {
            if let Some(Some(basis)) = new.get(step) {
                state.bases.insert(step, basis.clone());
            }
        }
    }
}

fn bases(state: &State, version: u32) -> BTreeMap<&'static str, Option<String>> {
    let setup = state.setup().ok().map(|mut setup| {
        // The identity store id arrives with the contexts, after a resume too: it is not an
        // answer, and a result does not go stale because it was not known yet.
        setup.identity_store_id = None;
        let plan = Plan::build(&setup, None);
        (
            Whole {
                app_name: setup.app_name.to_string(),
                instance: setup.instance.arn(),
            },
            plan,
        )
    });
    STEPS
        .iter()
        .map(|s| {
            let basis = setup
                .as_ref()
                .map(|(whole, plan)| basis(state, plan, whole, s.id, version));
            (s.id, basis)
        })
        .collect()
}

/// What several steps read of the setup as a whole.
struct Whole {
    /// Step 1's application, by its effective display name.
    app_name: String,
    /// The Connect instance, by its ARN.
    instance: String,
}

fn basis(state: &State, plan: &Plan, whole: &Whole, id: &str, version: u32) -> String {
    let mut hash = Sha256::new();
    let mut put = |text: &str| {
        hash.update(text.as_bytes());
        // A separator, so that ("ab", "c") and ("a", "bc") differ.
        hash.update([0]);
    };
    put(state.mode.label());
    for part in parts(id, version) {
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
    if version >= 2 && matches!(id, "3-5" | "7-9" | "10" | "11") {
        put(&whole.app_name);
    }
    // Step 11 assigns to the application and creates Connect users in the instance.
    if version >= 2 && id == "11" {
        put(&whole.instance);
    }
    // Verification judges the other steps' results: one redone since with another outcome
    // (a failed step fixed, a role run again) puts it out of date. Each step counts with its
    // settled status (not "running": running a step again does not undo it) and the basis of
    // its result; a console page saved again counts by what it holds, the one thing of it
    // no answer records. Not step 2's words, which a reload rewrites (days to expiry).
    if version >= 2 && id == "verify" {
        for s in STEPS.iter().map(|s| s.id).filter(|s| *s != "verify") {
            put(s);
            put(&format!("{:?}", state.settled_status(s)));
            put(state.bases.get(s).map_or("", String::as_str));
            if CONSOLE_PAGE_STEPS.contains(&s) {
                for line in state.settled_report(s).iter().flat_map(|r| &r.lines) {
                    put(line);
                }
            }
        }
    }
    let digest = hash.finalize();
    digest[..12].iter().map(|b| format!("{b:02x}")).collect()
}

/// The steps whose values and answers a step's result depends on.
fn parts(id: &str, version: u32) -> Vec<&str> {
    match id {
        // Formula 2 reads step 1's application by name (below), not its description.
        "11" if version >= 2 => vec!["11"],
        "11" => vec!["1", "11"],
        "verify" => STEPS.iter().map(|s| s.id).collect(),
        other => vec![other],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::{Mode, StepStatus};
    use crate::cloud::sandbox::SANDBOX_INSTANCE_ARN;
    use crate::domain::setup::Answers;
    use crate::steps::Input;

    /// A session as the version before formula 2 saved it: results for 3-5, 10 and
    /// verification, each with its basis under formula 1.
    fn saved_by_version_1() -> crate::app::Saved {
        let answers = Answers {
            instance_arn: Some(SANDBOX_INSTANCE_ARN.into()),
            ..Answers::default()
        };
        let mut state = State::new(Mode::Sandbox, "old", &answers);
        let old = bases(&state, 1);
        for (step, status) in [
            ("3-5", StepStatus::Done),
            ("10", StepStatus::Done),
            ("verify", StepStatus::Verified),
        ] {
            state.statuses.insert(step, status);
            state.bases.insert(step, old[step].clone().unwrap());
        }
        let mut saved = state.to_saved();
        saved.basis_version = 1;
        assert_ne!(
            old["10"],
            bases(&state, BASIS_VERSION)["10"],
            "formula 2 differs"
        );
        saved
    }

    fn restored(saved: crate::app::Saved) -> State {
        let mut state = State::new(Mode::Sandbox, "old", &Answers::default());
        state.restore(saved);
        state
    }

    #[test]
    fn results_saved_under_an_earlier_formula_stay_current_after_an_upgrade() {
        let state = restored(saved_by_version_1());
        assert_eq!(state.status("3-5"), StepStatus::Done);
        assert_eq!(state.status("10"), StepStatus::Done);
        assert_eq!(state.status("verify"), StepStatus::Verified);
        // Saved again, they are under the current formula.
        assert_eq!(state.to_saved().basis_version, BASIS_VERSION);
        assert_eq!(restored(state.to_saved()).status("10"), StepStatus::Done);
    }

    #[test]
    fn a_result_whose_answers_changed_since_is_still_out_of_date_after_an_upgrade() {
        let mut saved = saved_by_version_1();
        // The role name changed after step 10 was done (10's Role value names the role).
        saved.fields.retain(|(input, _)| *input != Input::RoleName);
        saved.fields.push((Input::RoleName, "AnotherRole".into()));
        let state = restored(saved);
        assert_eq!(state.status("3-5"), StepStatus::Done);
        assert_eq!(state.status("10"), StepStatus::Stale);
        assert_eq!(state.status("verify"), StepStatus::Stale);
    }
}
