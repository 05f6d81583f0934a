//! Doctor's last check on the sandbox: a simulated sign-in. The sandbox's Identity Center
//! issues a response for the first person doctor checked, as their access portal would, and
//! the sign-in test runs on it (the inspector, then STS and Connect). On AWS doctor cannot
//! read the application's attribute mappings, and neither can it here; the response built
//! from them is what shows a mapping typed wrong, an audience or an ACS URL.

use time::OffsetDateTime;

use super::{Check, DoctorReport, Verdict};
use crate::cloud::sandbox::{IssueError, Sandbox};
use crate::cloud::sign_in::{Outcome, sign_in_test};
use crate::domain::assertion::{Severity, decode};
use crate::domain::setup::Setup;

/// The id of the check (one of [`CHECKS`](super::CHECKS)).
pub const ID: &str = "sign-in";

/// The simulated sign-in of the first person `report` checked; `None` when it checked
/// nobody the sandbox's Identity Center knows.
pub async fn simulated_sign_in(
    sandbox: &Sandbox,
    setup: &Setup,
    metadata: Option<&str>,
    report: &DoctorReport,
    now: OffsetDateTime,
) -> Option<Check> {
    let person = report
        .checks
        .iter()
        .find(|c| c.id == "user" && c.verdict != Verdict::Error)
        .map(|c| c.subject.clone())?;
    let mut check = Check::new(ID, format!("{person} from the access portal"));
    let issued = match sandbox.issue_response(&person, setup, now) {
        Ok(i) => i,
        // The application and user checks above say these, with the fix for this run.
        Err(IssueError::NotAssigned { .. } | IssueError::NoApplication { .. }) => return None,
        Err(e) if e.is_bad_input() => return None,
        Err(e) => {
            check
                .evidence
                .push("Identity Center issues no response".to_string());
            check.mark(Verdict::Fail, Some(e.to_string()), e.trouble());
            return Some(check);
        }
    };
    check.evidence.push(format!(
        "the sandbox's Identity Center issued a response posted to {}",
        issued.acs_url
    ));
    let tested = match decode(issued.form_body().as_bytes()) {
        Ok(decoded) => sign_in_test(sandbox, setup, &decoded, metadata, None, now).await,
        Err(e) => Err(e.into()),
    };
    let tested = match tested {
        Ok(t) => t,
        Err(e) => {
            check
                .evidence
                .push("the response could not be tested".to_string());
            check.mark(Verdict::Error, Some(e.to_string()), None);
            return Some(check);
        }
    };
    // AWS's verdict first: its fix is the one to give.
    let mut landed = Vec::new();
    for attempt in &tested.attempts {
        match &attempt.outcome {
            Outcome::SignedIn {
                connect_user,
                sign_in_host,
                ..
            } => {
                let line = format!(
                    "signed in as Connect user {connect_user}{}",
                    sign_in_host
                        .as_deref()
                        .map(|h| format!(" on {h}"))
                        .unwrap_or_default()
                );
                check.evidence.push(line.clone());
                landed.push(line);
            }
            Outcome::Refused {
                step,
                code,
                message,
                trouble,
                fix,
            } => {
                check
                    .evidence
                    .push(format!("refused by {} ({code}): {message}", step.action()));
                check.mark(Verdict::Fail, Some(fix.clone()), *trouble);
            }
            Outcome::NotAnswered { step, error } => {
                check
                    .evidence
                    .push(format!("{} could not be asked", step.action()));
                check.mark(Verdict::Error, Some(error.clone()), None);
            }
        }
    }
    // The relay state decides where the person lands: without this instance's, not in
    // Connect, which is what verification asks.
    for f in tested.inspection.findings.iter().filter(|f| {
        f.severity == Severity::Fail || (f.field == "RelayState" && f.severity == Severity::Warn)
    }) {
        let seen = f.seen.as_deref().unwrap_or("wrong");
        let expected = f
            .expected
            .as_deref()
            .map(|e| format!(" (expected {e})"))
            .unwrap_or_default();
        check
            .evidence
            .push(format!("the response's {}: {seen}{expected}", f.field));
        check.mark(Verdict::Fail, f.fix.clone(), f.trouble);
    }
    // A passing check's headline is its first fact: where it signed in. A failing one's
    // stays the response issued, so "signed in" never heads a ✗.
    if check.verdict < Verdict::Warn {
        check.evidence.retain(|e| !landed.contains(e));
        for (i, line) in landed.into_iter().enumerate() {
            check.evidence.insert(i, line);
        }
    }
    if tested.attempts.is_empty() {
        check.mark(
            Verdict::Fail,
            Some("the Role attribute holds no role,provider pair, so AWS was not asked: map https://aws.amazon.com/SAML/Attributes/Role to ROLE_ARN,PROVIDER_ARN (step 10)".to_string()),
            Some("invalid-saml-response"),
        );
    }
    Some(check)
}

/// Puts the simulated sign-in where it belongs: last of the chain, before the values.
pub fn insert_sign_in(report: &mut DoctorReport, check: Check) {
    let at = report
        .checks
        .iter()
        .position(|c| c.id == "values")
        .unwrap_or(report.checks.len());
    report.checks.insert(at, check);
}
