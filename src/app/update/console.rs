//! The console API in the wizard (opt-in on step 1 with `o`): steps 1, 2, 3-5 and 10 run
//! through IAM Identity Center's own console API instead of being done by hand. `o` asks
//! first, saying what the option does and that AWS does not document that API; once on,
//! `r` on any of those steps runs all four (each an idempotent ensure) and marks each one
//! from its own outcome.

use super::super::{Cmd, Key, LoadedMetadata, Overlay, State, StepStatus};
use super::{finish, need, report};
use crate::cloud::console::ensure::ConsoleRun;
use crate::plan::MetadataSummary;

/// Whether `r` on step `id` runs the console API.
pub fn runs(state: &State, id: &str) -> bool {
    state.console_api_runs(id)
}

/// `o` on step 1: off → ask first; on → off at once (nothing runs through it any more).
pub(super) fn toggle(state: &mut State) -> Vec<Cmd> {
    if !state.mode.is_live() {
        return need(
            state,
            "Plan-only mode: nothing runs against AWS, through the console API or otherwise",
        );
    }
    if state.console_api {
        state.console_api = false;
        state.flash = Some(
            "Console API off: steps 1, 2, 3-5 and 10 are done in the console again".to_string(),
        );
        return vec![Cmd::Save];
    }
    state.overlay = Overlay::ConfirmConsoleApi;
    Vec::new()
}

pub(super) fn key(state: &mut State, key: Key) -> Vec<Cmd> {
    match key {
        Key::Char('y') | Key::Char('Y') => {
            state.overlay = Overlay::None;
            state.console_api = true;
            state.flash = Some(
                "Console API on: r on steps 1, 2, 3-5 or 10 runs all four through it".to_string(),
            );
            vec![Cmd::Save]
        }
        Key::Char('n') | Key::Char('N') | Key::Esc | Key::Char('q') => {
            state.overlay = Overlay::None;
            state.flash = Some("Console API stays off".to_string());
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// Each step the run reached gets its outcome; the step it stopped at gets the reason and
/// the console step to do instead; step 2's metadata becomes the loaded metadata, and the
/// applications read after the run are step 1's, so step 11 finds what the run created.
pub(super) fn done(
    state: &mut State,
    run: ConsoleRun,
    applications: Option<Vec<crate::cloud::Application>>,
) -> Vec<Cmd> {
    if let Some(applications) = applications {
        state.applications = applications;
    }
    for outcome in &run.outcomes {
        if run.failure.as_ref().is_some_and(|f| f.step == outcome.step) {
            continue;
        }
        let lines = super::results::outcome_lines(outcome, " (console API)");
        let status = if outcome.change.is_change() {
            StepStatus::Done
        } else {
            StepStatus::Verified
        };
        report(state, outcome.step, true, lines);
        finish(state, outcome.step, status);
    }
    for w in &run.warnings {
        state.flash = Some(format!("console API: {w}"));
    }
    if let Some(f) = &run.failure {
        report(state, f.step, false, vec![format!("✗ {}", f.message())]);
        finish(state, f.step, StepStatus::Failed);
    }
    if let (Some(url), Some((checked, document))) = (&run.metadata_url, &run.metadata) {
        state.metadata = Some(LoadedMetadata {
            summary: MetadataSummary::new(url.clone(), checked),
            document: document.clone(),
        });
    }
    // The run was started from one of the four; whichever, nothing runs any more.
    state.busy = None;
    vec![Cmd::Save]
}
