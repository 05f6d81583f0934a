//! The results coming back from the effect runner: each becomes the step's report and
//! status, and what the later steps need (contexts, instances, applications, metadata).

use super::super::picker::Pick;
use super::super::{Cmd, Contexts, Done, LoadedMetadata, State, StepStatus};
use super::actions::matching_applications;
use super::{finish, report, start};
use crate::cloud::apply::instance_problem;
use crate::cloud::doctor::{DoctorReport, Verdict};
use crate::cloud::ensure::{Change, Outcome, UserOutcome};
use crate::cloud::inspect::InspectReport;
use crate::cloud::{Application, ConnectInstanceSummary};
use crate::domain::metadata::format_date;
use crate::steps::Input;

pub(super) fn on_done(state: &mut State, done: Done) -> Vec<Cmd> {
    match done {
        Done::Contexts(Ok((contexts, instances, identity_store_id))) => {
            contexts_loaded(state, contexts, instances, identity_store_id);
            return recheck_application(state);
        }
        Done::Contexts(Err(message)) => state.context_error = Some(message),
        Done::Instance(result) => instance_checked(state, result),
        Done::Applications(result) => applications_found(state, result),
        Done::Metadata(result) => metadata_loaded(state, result),
        Done::Ensured { step, result } => ensured(state, step, result),
        Done::Console { run, applications } => {
            return super::console::done(state, *run, applications);
        }
        Done::ConsolePage(result) => return super::console_form::opened(state, result),
        Done::ConsolePageSaved(result) => return super::console_form::saved(state, result),
        Done::Users {
            result,
            groups,
            unrequested,
            reach,
        } => {
            users_assigned(state, result, &groups, reach);
            offer_unassign(state, unrequested);
        }
        Done::Unassigned(result) => unassigned(state, result),
        Done::People(result) => {
            if let Some(picker) = state.picker.as_mut().filter(|p| p.pick == Pick::People) {
                match result {
                    Ok(users) => picker.loaded_people(&users),
                    Err(e) => picker.error = Some(e),
                }
            }
        }
        // A list for a picker since closed, or for the other profile, is for nothing.
        Done::Groups(result) => {
            if let Some(picker) = state.picker.as_mut().filter(|p| p.pick == Pick::Groups) {
                match result {
                    Ok(groups) => picker.loaded_groups(&groups),
                    Err(e) => picker.error = Some(e),
                }
            }
        }
        Done::Profiles { pick, result } => {
            if let Some(picker) = state.picker.as_mut().filter(|p| p.pick == pick) {
                match result {
                    Ok(profiles) => picker.loaded_profiles(&profiles),
                    Err(e) => picker.error = Some(e),
                }
            }
        }
        Done::Verified(report) => verified(state, *report),
        // Checked text that was since changed or cleared: its result is for something else.
        Done::Inspected { text, .. } if text != state.assertion_text => {}
        Done::Inspected { result, .. } => inspected(state, result),
        Done::Issued(Ok(form)) => {
            state.assertion_text = form;
            state.inspection = None;
            state.sign_in = None;
            state.flash = Some(
                "The sandbox's Identity Center signed a response: Ctrl-T signs in with it, Enter checks it"
                    .to_string(),
            );
        }
        Done::Issued(Err(e)) => state.flash = Some(e),
        Done::SignInTested { text, .. } if text != state.assertion_text => {}
        Done::SignInTested { result, .. } => {
            state.flash = Some(match &result {
                Ok(r) if r.signed_in => "AWS signed the person in with this response".to_string(),
                Ok(_) => "AWS did not sign the person in: see why in the box".to_string(),
                Err(_) => "The text is not a SAML response".to_string(),
            });
            state.sign_in = Some(result);
        }
        Done::Copied { label, result } => copied(state, &label, result),
        Done::Saved(Ok(())) => state.save_error = None,
        // Said once; the next change tries again, and a new reason is said again.
        Done::Saved(Err(e)) if state.save_error.as_ref() != Some(&e) => {
            state.flash = Some(format!(
                "The session could not be saved: {e}. The wizard keeps working and tries again after the next change"
            ));
            state.save_error = Some(e);
        }
        Done::Saved(Err(_)) => {}
        Done::Cancelled => cancelled(state),
    }
    Vec::new()
}

/// Who am I in both contexts; a single SAML instance is taken when none is typed yet.
fn contexts_loaded(
    state: &mut State,
    contexts: Contexts,
    instances: Vec<ConnectInstanceSummary>,
    identity_store_id: Option<String>,
) {
    state.contexts = Some(contexts);
    state.context_error = None;
    state.identity_store_id = identity_store_id;
    let saml: Vec<_> = instances
        .iter()
        .filter(|i| i.identity_management_type == "SAML")
        .collect();
    if state.field(Input::Instance).value.trim().is_empty()
        && let [only] = saml.as_slice()
    {
        let arn = only.arn.clone();
        let f = state.field_mut(Input::Instance);
        f.cursor = arn.chars().count();
        f.value = arn;
    }
    state.instances = instances;
}

/// After a resume the applications are not known yet: a step 1 with a result is checked
/// again, so step 11 can use its application without a trip back.
fn recheck_application(state: &mut State) -> Vec<Cmd> {
    let has_result = matches!(
        state.statuses.get("1"),
        Some(StepStatus::Done | StepStatus::Verified)
    );
    if !has_result || state.busy.is_some() || !state.applications.is_empty() {
        return Vec::new();
    }
    let Ok(setup) = state.setup() else {
        return Vec::new();
    };
    let name = setup.app_name.to_string();
    vec![start(
        state,
        "1",
        "sso:ListApplications",
        Cmd::FindApplication { name },
    )]
}

/// The prerequisites check of the instance.
fn instance_checked(state: &mut State, result: Result<ConnectInstanceSummary, String>) {
    match result {
        Ok(instance) => {
            let alias = instance
                .alias
                .clone()
                .unwrap_or_else(|| instance.id.clone());
            match instance_problem(&instance) {
                None => {
                    report(
                        state,
                        "prerequisites",
                        true,
                        vec![format!(
                            "Instance {alias} is ACTIVE and uses SAML 2.0 identity management."
                        )],
                    );
                    finish(state, "prerequisites", StepStatus::Verified);
                }
                Some(problem) => {
                    report(state, "prerequisites", false, vec![problem]);
                    finish(state, "prerequisites", StepStatus::Failed);
                }
            }
        }
        Err(message) => {
            report(state, "prerequisites", false, vec![message]);
            finish(state, "prerequisites", StepStatus::Failed);
        }
    }
}

/// Step 1's check: exactly one custom SAML application with the name.
fn applications_found(state: &mut State, result: Result<Vec<Application>, String>) {
    match result {
        Ok(applications) => {
            state.applications = applications;
            let found = matching_applications(state);
            let name = state
                .setup()
                .map(|s| s.app_name.to_string())
                .unwrap_or_default();
            let (status, ok, lines) = match found.as_slice() {
                [] => (
                    StepStatus::NotStarted,
                    false,
                    vec![format!(
                        "No custom SAML 2.0 application named \"{name}\" yet: create it in the Identity Center console, then press d."
                    )],
                ),
                [one] => (StepStatus::Verified, true, vec![format!("Found: {one}")]),
                many => (
                    StepStatus::Done,
                    false,
                    vec![format!(
                        "{} applications are named \"{name}\": rename all but one so users can tell the tiles apart.",
                        many.len()
                    )],
                ),
            };
            report(state, "1", ok, lines);
            finish(state, "1", status);
        }
        Err(message) => {
            report(state, "1", false, vec![message]);
            finish(state, "1", StepStatus::Failed);
        }
    }
}

/// Step 2: the metadata file read and checked.
fn metadata_loaded(state: &mut State, result: Result<LoadedMetadata, String>) {
    match result {
        Ok(loaded) => {
            let mut lines = vec![format!("Entity id: {}", loaded.summary.entity_id)];
            for c in &loaded.summary.certificates {
                lines.push(format!(
                    "Certificate {} {} bits, SHA-256 {}, valid until {}",
                    c.key_algorithm,
                    c.key_bits,
                    c.sha256_fingerprint,
                    format_date(&c.not_after)
                ));
            }
            lines.extend(
                loaded
                    .summary
                    .warnings
                    .iter()
                    .map(|w| format!("warning: {w}")),
            );
            state.field_mut(Input::Metadata).error = None;
            state.metadata = Some(loaded);
            report(state, "2", true, lines);
            finish(state, "2", StepStatus::Verified);
        }
        Err(message) => {
            state.field_mut(Input::Metadata).error = Some(message.clone());
            state.metadata = None;
            report(state, "2", false, vec![message]);
            finish(state, "2", StepStatus::Failed);
        }
    }
}

/// Steps 6a-6c: what the ensure changed.
/// An ensure's outcome in words: what, how it changed (`via` says through what), its details
/// and warnings.
pub(super) fn outcome_lines(outcome: &Outcome, via: &str) -> Vec<String> {
    let mut lines = vec![format!(
        "{} {}{via}: {}",
        outcome.resource,
        outcome.change.label(),
        outcome.arn
    )];
    lines.extend(outcome.details.iter().cloned());
    lines.extend(outcome.warnings.iter().map(|w| format!("warning: {w}")));
    lines
}

fn ensured(state: &mut State, step: &'static str, result: Result<Outcome, String>) {
    match result {
        Ok(outcome) => {
            let lines = outcome_lines(&outcome, "");
            let status = if outcome.change == Change::Unchanged {
                StepStatus::Verified
            } else {
                StepStatus::Done
            };
            report(state, step, true, lines);
            state.outcomes.insert(step, outcome);
            finish(state, step, status);
        }
        Err(message) => {
            report(state, step, false, vec![message]);
            finish(state, step, StepStatus::Failed);
        }
    }
}

/// Step 11: each user's assignment and Connect user.
fn users_assigned(
    state: &mut State,
    result: Result<Vec<UserOutcome>, String>,
    groups: &[crate::cloud::groups::GroupOutcome],
    reach: Option<Result<crate::app::reach::Reach, String>>,
) {
    match result {
        Ok(users) => {
            let mut lines = Vec::new();
            let mut ok = true;
            for u in &users {
                ok &= u.problems.is_empty();
                lines.push(person_line(u));
                lines.extend(u.problems.iter().map(|p| format!("  {p}")));
            }
            lines.extend(groups.iter().map(|g| format!("✓ {}", g.in_words())));
            // The reach says what `a` would create, for everyone; without it, for those typed.
            state.reach = None;
            match reach {
                Some(Ok(reach)) => {
                    lines.extend(reach.lines());
                    state.reach = Some(reach);
                }
                Some(Err(e)) => lines.push(format!("! {e}")),
                None => {}
            }
            if !lines.iter().any(|l| l.contains("press a"))
                && users
                    .iter()
                    .any(|u| u.connect_user.is_none() && u.connect_username.is_some())
            {
                lines.push(
                    "i Press a to create the missing Connect users: you pick their security and routing profiles first"
                        .to_string(),
                );
            }
            state.users = users;
            report(state, "11", ok, lines);
            finish(
                state,
                "11",
                if ok {
                    StepStatus::Done
                } else {
                    StepStatus::Failed
                },
            );
        }
        Err(message) => {
            state.reach = None;
            report(state, "11", false, vec![message]);
            finish(state, "11", StepStatus::Failed);
        }
    }
}

/// People connect-sso assigned who are no longer in the answer: said under step 11's
/// result, with the key that removes them after asking.
fn offer_unassign(state: &mut State, unrequested: Vec<crate::ledger::LedgerEntry>) {
    if !unrequested.is_empty()
        && let Some(report) = state.reports.get_mut("11")
    {
        let names: Vec<&str> = unrequested.iter().map(|e| e.user_name.as_str()).collect();
        report.lines.push(format!(
            "! Still assigned, no longer in the answer: {}. Press u to unassign them",
            names.join(", ")
        ));
    }
    state.unrequested = unrequested;
}

/// After `u` and yes: who lost the assignment.
fn unassigned(state: &mut State, result: Result<Vec<String>, String>) {
    state.busy = None;
    let line = match result {
        Ok(names) => {
            state.unrequested.clear();
            format!("✓ Unassigned: {}", names.join(", "))
        }
        Err(e) => {
            // Whatever remains is found again by the next run.
            state.unrequested.clear();
            format!(
                "✗ Unassigning failed: {e}. Run the step again (r) to see who is still assigned"
            )
        }
    };
    if let Some(report) = state.reports.get_mut("11") {
        report
            .lines
            .retain(|l| !l.starts_with("! Still assigned, no longer in the answer"));
        report.lines.push(line);
    } else {
        state.flash = Some(line);
    }
}

/// One person of step 11 in words: its own ✓ or ✗, what happened to the assignment and to
/// the Connect user.
fn person_line(u: &UserOutcome) -> String {
    let symbol = if u.problems.is_empty() { "✓" } else { "✗" };
    format!("{symbol} {}", u.in_words())
}

/// Verification: one line per check, with the evidence and fix of those that did not pass.
fn verified(state: &mut State, report: DoctorReport) {
    let mut lines = Vec::new();
    // The values to compare are on each step's screen already.
    for c in report.checks.iter().filter(|c| c.id != "values") {
        let mut head = format!("{} {}", c.verdict.symbol(), c.title());
        if c.id == "user" && c.subject != crate::cloud::doctor::ASSIGNED_USERS {
            head.push_str(&format!(" {}", c.subject));
        }
        // A pass shows its main fact; anything worse shows them all, and the fix.
        let mut evidence = c.evidence.iter();
        if c.verdict != Verdict::Info
            && let Some(first) = evidence.next()
        {
            head.push_str(&format!(": {first}"));
        }
        lines.push(head);
        if c.verdict > Verdict::Info {
            lines.extend(evidence.map(|e| format!("    {e}")));
            if let Some(fix) = &c.fix {
                lines.push(format!("    fix: {fix}"));
            }
        }
    }
    if let Some(url) = &report.access_portal_url {
        lines.push(format!(
            "i Start the sign-in at {url}, then choose the application's tile"
        ));
    }
    if !report.passed(false) {
        lines.push(
            "i Press t for the troubleshooting list: what these checks explain is marked"
                .to_string(),
        );
    }
    // doctor reads AWS; the console steps it cannot see count only with a current result.
    let behind = steps_behind(state);
    if !behind.is_empty() {
        lines.push(format!(
            "✗ Not verified while {} out of date or failed: {}. Run or check {} again, then verify",
            if behind.len() == 1 {
                "this step is"
            } else {
                "these steps are"
            },
            behind.join(", "),
            if behind.len() == 1 { "it" } else { "them" },
        ));
    }
    let ok = report.passed(false) && behind.is_empty();
    if ok {
        lines.push(format!(
            "i Done. Check it again any time with `{}`; `{}` opens this session again",
            state.doctor_command(),
            state.resume_command()
        ));
    }
    state.doctor = Some(report);
    report_lines(state, ok, lines);
}

/// The steps before verification whose result is stale or failed.
fn steps_behind(state: &State) -> Vec<&'static str> {
    crate::steps::STEPS
        .iter()
        .map(|s| s.id)
        .filter(|id| *id != "verify")
        .filter(|id| matches!(state.status(id), StepStatus::Stale | StepStatus::Failed))
        .collect()
}

/// A checked SAMLResponse.
fn inspected(state: &mut State, result: Result<Box<InspectReport>, String>) {
    state.flash = Some(match &result {
        Ok(r) if r.failed() => format!(
            "This response cannot sign in: {} finding(s) failed",
            r.summary.fail
        ),
        Ok(_) => "Nothing in this response blocks sign-in".to_string(),
        Err(_) => "The text is not a SAML response".to_string(),
    });
    state.inspection = Some(result);
}

fn copied(state: &mut State, label: &str, result: Result<String, String>) {
    state.flash = Some(match result {
        Ok(how) => format!("Copied {label} through the {how}"),
        Err(e) => format!("Could not copy {label}: {e}. Select it on screen instead"),
    });
}

/// Ctrl-C stopped the running action: a step that had a result keeps it (running it again
/// was not undoing it); one without says it was cancelled.
fn cancelled(state: &mut State) {
    let Some(b) = state.busy.take() else {
        return;
    };
    match b.previous {
        Some((status, Some(last))) if status != StepStatus::NotStarted => {
            state.statuses.insert(b.step, status);
            state.reports.insert(b.step, last);
            state.flash = Some(format!(
                "Cancelled: {} keeps its last result; run it again to finish",
                super::step_words(b.step)
            ));
        }
        Some(_) => {
            state.statuses.insert(b.step, StepStatus::NotStarted);
            report(state, b.step, false, vec!["Cancelled.".to_string()]);
        }
        None => {
            state.flash = Some(format!(
                "Cancelled: the next run of {} finds whoever is still assigned",
                super::step_words(b.step)
            ));
        }
    }
}

fn report_lines(state: &mut State, ok: bool, lines: Vec<String>) {
    report(state, "verify", ok, lines);
    finish(
        state,
        "verify",
        if ok {
            StepStatus::Verified
        } else {
            StepStatus::Failed
        },
    );
}

/// Troubleshooting entries that the last verification's failed or warned checks explain.
pub fn detected_troubles(state: &State) -> Vec<&'static str> {
    let mut out = Vec::new();
    for c in state.doctor.iter().flat_map(|d| &d.checks) {
        if c.verdict >= Verdict::Warn {
            for t in &c.troubles {
                if !out.contains(t) {
                    out.push(*t);
                }
            }
        }
    }
    out
}
