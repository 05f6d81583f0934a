//! `doctor`: every check of the sign-in chain, read-only. Checks that do not depend on each
//! other run concurrently, so the wall time is set by the longest chain of dependent calls
//! (Identity Center instance, application, assignments, user, Connect user), not by the
//! number of calls. Every failure says what was found and how to fix it, and names the
//! troubleshooting entries it explains.
//!
//! Layout: this file holds the report types and runs the checks; `context` checks both AWS
//! contexts and the Connect instance, `iam` the SAML provider, the policy and the role (steps
//! 6a-6c), and `people` the application, its assignments and each person's Connect user.

pub mod console;
mod context;
mod groups;
mod iam;
mod people;
pub mod simulated;

/// The subject of the user check that stands for everyone assigned, when nobody is named.
pub const ASSIGNED_USERS: &str = "assigned users";

use serde::Serialize;
use time::OffsetDateTime;

use super::{Cloud, CloudError};
use crate::domain::input::IdentityStoreId;
use crate::domain::setup::Setup;
use crate::plan::{Plan, PlanValue};
use context::check_context;
use iam::{check_policy, check_provider, check_role};
use people::check_identity;
/// The application by display name and its assignments, as doctor finds them.
pub(crate) use people::find_application;

/// Doctor's checks, in the order of the report: (id, title).
pub const CHECKS: &[(&str, &str)] = &[
    ("context", "AWS contexts"),
    ("instance", "Connect instance"),
    ("provider", "SAML provider (6a)"),
    ("policy", "Permissions policy (6b)"),
    ("role", "Federation role (6c)"),
    ("application", "Identity Center application (1)"),
    ("console", "Application via console API"),
    ("group", "Group (11)"),
    ("user", "User"),
    ("sign-in", "Simulated sign-in (sandbox)"),
    ("values", "Values to compare"),
];

/// A certificate that expires sooner than this is a warning.
pub const CERT_WARN_DAYS: i64 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    /// Nothing to judge: values shown for comparison.
    Info,
    Warn,
    /// The check could not run (a prerequisite is missing, or AWS refused the read).
    Error,
    Fail,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "ok",
            Verdict::Info => "info",
            Verdict::Warn => "warn",
            Verdict::Error => "error",
            Verdict::Fail => "FAIL",
        }
    }

    /// A symbol that keeps its meaning without colour.
    pub fn symbol(self) -> &'static str {
        match self {
            Verdict::Pass => "✓",
            Verdict::Info => "i",
            Verdict::Warn => "!",
            Verdict::Error => "?",
            Verdict::Fail => "✗",
        }
    }
}

/// One row of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// One of [`CHECKS`].
    pub id: &'static str,
    /// What was checked: a resource name, a user.
    pub subject: String,
    pub verdict: Verdict,
    /// What was found, one fact a line.
    pub evidence: Vec<String>,
    pub fix: Option<String>,
    /// Troubleshooting entries this result explains (see `crate::troubleshoot`).
    pub troubles: Vec<&'static str>,
}

impl Check {
    fn new(id: &'static str, subject: impl Into<String>) -> Check {
        Check {
            id,
            subject: subject.into(),
            verdict: Verdict::Pass,
            evidence: Vec::new(),
            fix: None,
            troubles: Vec::new(),
        }
    }

    /// Raises the verdict (never lowers it) and keeps the first fix given.
    fn mark(&mut self, verdict: Verdict, fix: Option<String>, trouble: Option<&'static str>) {
        self.verdict = self.verdict.max(verdict);
        if self.fix.is_none() {
            self.fix = fix;
        }
        if let Some(t) = trouble
            && !self.troubles.contains(&t)
        {
            self.troubles.push(t);
        }
    }

    fn fail(&mut self, evidence: impl Into<String>, fix: impl Into<String>, trouble: &'static str) {
        self.evidence.push(evidence.into());
        self.mark(Verdict::Fail, Some(fix.into()), Some(trouble));
    }

    fn warn(
        &mut self,
        evidence: impl Into<String>,
        fix: impl Into<String>,
        trouble: Option<&'static str>,
    ) {
        self.evidence.push(evidence.into());
        self.mark(Verdict::Warn, Some(fix.into()), trouble);
    }

    /// Adds another check's findings after this one's, as if found in the same check.
    fn absorb(&mut self, other: Check) {
        self.evidence.extend(other.evidence);
        self.mark(other.verdict, other.fix, None);
        for t in other.troubles {
            self.mark(Verdict::Pass, None, Some(t));
        }
    }

    /// AWS refused or failed the read: the check cannot say anything.
    fn error(id: &'static str, subject: impl Into<String>, e: &CloudError) -> Check {
        let mut c = Check::new(id, subject);
        c.verdict = Verdict::Error;
        c.evidence.push("could not be checked".to_string());
        c.fix = Some(e.to_string());
        c
    }

    pub fn title(&self) -> &'static str {
        CHECKS
            .iter()
            .find(|(id, _)| *id == self.id)
            .map_or(self.id, |(_, t)| t)
    }
}

/// Everything doctor found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DoctorReport {
    pub checks: Vec<Check>,
    /// The values pasted into the consoles, for a last side-by-side look.
    pub values: Vec<PlanValue>,
    /// Where sign-in has to start.
    pub access_portal_url: Option<String>,
}

impl DoctorReport {
    /// The worst verdict of any check.
    pub fn worst(&self) -> Verdict {
        self.checks
            .iter()
            .map(|c| c.verdict)
            .max()
            .unwrap_or(Verdict::Pass)
    }

    /// True when sign-in should work: nothing failed or went unchecked (and, when strict,
    /// nothing warned).
    pub fn passed(&self, strict: bool) -> bool {
        let limit = if strict { Verdict::Info } else { Verdict::Warn };
        self.worst() <= limit
    }

    pub fn count(&self, verdict: Verdict) -> usize {
        self.checks.iter().filter(|c| c.verdict == verdict).count()
    }
}

/// What doctor checks against.
#[derive(Debug, Clone, Copy)]
pub struct DoctorInput<'a> {
    pub setup: &'a Setup,
    /// The Identity Center metadata the provider should hold, when the user supplied it.
    pub metadata: Option<&'a str>,
    /// The people who should be able to sign in; empty means everyone assigned.
    pub users: &'a [String],
    pub now: OffsetDateTime,
}

/// Runs every check. Never fails as a whole: a refused read becomes that check's error.
pub async fn doctor(cloud: &dyn Cloud, input: DoctorInput<'_>) -> DoctorReport {
    doctor_with_groups(cloud, input, &[]).await
}

/// [`doctor`] that also checks the groups `groups` names (display names or group ids):
/// found, assigned to the application, and their members as people. With groups or
/// `input.users` named, only those are checked, not everyone assigned.
pub async fn doctor_with_groups(
    cloud: &dyn Cloud,
    input: DoctorInput<'_>,
    groups: &[String],
) -> DoctorReport {
    let setup = input.setup;
    let (context, provider, policy, role, identity) = tokio::join!(
        check_context(cloud, setup),
        check_provider(cloud, input),
        check_policy(cloud, setup),
        check_role(cloud, setup),
        check_identity(cloud, setup, input.users, groups),
    );
    let mut checks = context;
    checks.push(provider);
    checks.push(policy);
    checks.push(role);
    let (identity_checks, idc) = identity;
    checks.extend(identity_checks);

    let mut setup = setup.clone();
    if setup.identity_store_id.is_none()
        && let Some(id) = idc
            .as_ref()
            .and_then(|i| IdentityStoreId::parse(&i.identity_store_id).ok())
    {
        setup.identity_store_id = Some(id);
    }
    let values = pasted_values(&setup);
    let access_portal_url = setup.access_portal_url();
    let mut v = Check::new("values", "what the consoles should hold");
    v.verdict = Verdict::Info;
    v.evidence.push(format!(
        "compare the {} values below with the consoles, character for character",
        values.len()
    ));
    match &access_portal_url {
        Some(url) => v.evidence.push(format!(
            "start sign-in at the AWS access portal {url}, then choose the \"{}\" tile (Connect cannot start the sign-in itself)",
            setup.app_name
        )),
        None => v.evidence.push(
            "start sign-in at the AWS access portal, then choose the application's tile (Connect cannot start the sign-in itself)".to_string(),
        ),
    }
    v.troubles = vec![
        "session-expired",
        "wrong-relay-state",
        "invalid-saml-response",
    ];
    checks.push(v);
    DoctorReport {
        checks,
        values,
        access_portal_url,
    }
}

/// The values of steps 3-5, 7-9 and 10 as the plan shows them.
fn pasted_values(setup: &Setup) -> Vec<PlanValue> {
    Plan::build(setup, None)
        .steps
        .into_iter()
        .filter(|s| matches!(s.id, "3-5" | "7-9" | "10"))
        .flat_map(|s| s.values)
        .collect()
}
