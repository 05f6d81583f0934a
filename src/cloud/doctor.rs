//! `doctor`: every check of the sign-in chain, read-only. Checks that do not depend on each
//! other run concurrently, so the wall time is set by the longest chain of dependent calls
//! (Identity Center instance, application, assignments, user, Connect user), not by the
//! number of calls. Every failure says what was found and how to fix it, and names the
//! troubleshooting entries it explains.

use futures_util::future::join_all;
use serde::Serialize;
use time::OffsetDateTime;

use super::apply::instance_check;
use super::ensure::{find_user, metadata_differences};
use super::{
    Application, ApplicationAssignment, CUSTOM_SAML_PROVIDER, CallerIdentity, Cloud, CloudError,
    CloudResult, ConnectInstanceSummary, ConnectUser, Context, IdcInstance, IdcUser, Role,
};
use crate::domain::diff::json_diff;
use crate::domain::input::IdentityStoreId;
use crate::domain::metadata::{self, CertValidity};
use crate::domain::policy::{analyze_permissions, analyze_trust};
use crate::domain::setup::Setup;
use crate::plan::{Plan, PlanValue};

/// Doctor's checks, in the order of the report: (id, title).
pub const CHECKS: &[(&str, &str)] = &[
    ("context", "AWS contexts"),
    ("instance", "Connect instance"),
    ("provider", "SAML provider (6a)"),
    ("policy", "Permissions policy (6b)"),
    ("role", "Federation role (6c)"),
    ("application", "Identity Center application (1)"),
    ("user", "User"),
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
    let setup = input.setup;
    let (context, provider, policy, role, identity) = tokio::join!(
        check_context(cloud, setup),
        check_provider(cloud, input),
        check_policy(cloud, setup),
        check_role(cloud, setup),
        check_identity(cloud, setup, input.users),
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

async fn check_context(cloud: &dyn Cloud, setup: &Setup) -> Vec<Check> {
    let instance_id = setup.instance.id.as_str();
    let (connect, identity, instance) = tokio::join!(
        cloud.caller_identity(Context::Connect),
        cloud.caller_identity(Context::Identity),
        cloud.describe_connect_instance(instance_id),
    );
    let mut context = Check::new("context", "connect and identity contexts");
    let who = |c: &CallerIdentity| format!("account {} as {}", c.account, c.arn);
    match (&connect, &identity) {
        (Ok(c), Ok(i)) => {
            context.evidence.push(format!("connect: {}", who(c)));
            context.evidence.push(format!("identity: {}", who(i)));
            if c.account != setup.instance.account.as_str() {
                context.evidence.push(format!(
                    "the instance belongs to account {}, not {}",
                    setup.instance.account, c.account
                ));
                context.mark(
                    Verdict::Fail,
                    Some(format!(
                        "use --profile with credentials for account {}",
                        setup.instance.account
                    )),
                    None,
                );
            }
        }
        (Err(e), _) | (_, Err(e)) => context = Check::error("context", context.subject, e),
    }
    let mut check = Check::new("instance", setup.instance.arn());
    match instance {
        Err(e) => check = Check::error("instance", check.subject, &e),
        Ok(None) => {
            check.evidence.push(format!(
                "no instance {} in account {}, region {}",
                instance_id,
                setup.instance.account,
                setup.region()
            ));
            check.mark(
                Verdict::Fail,
                Some("check the instance ARN and --region".to_string()),
                None,
            );
        }
        Ok(Some(i)) => {
            check.evidence.push(instance_line(&i));
            if let Err(e) = instance_check(&i) {
                check.fail(
                    "sign-in through SAML is not possible on it",
                    e.to_string(),
                    "instance-not-saml",
                );
            }
        }
    }
    vec![context, check]
}

fn instance_line(i: &ConnectInstanceSummary) -> String {
    format!(
        "{} is {}, identity management {}",
        i.alias.as_deref().unwrap_or(&i.id),
        i.status,
        i.identity_management_type
    )
}

async fn check_provider(cloud: &dyn Cloud, input: DoctorInput<'_>) -> Check {
    let setup = input.setup;
    let arn = setup.provider_arn();
    let mut check = Check::new("provider", arn.clone());
    let provider = match cloud.get_saml_provider(&arn).await {
        Err(e) => return Check::error("provider", arn, &e),
        Ok(None) => {
            check.fail(
                "the SAML provider does not exist",
                "run `connect-sso apply --metadata FILE` (step 6a; in the wizard, r on the 6a screen)",
                "not-authorized-assume-role",
            );
            return check;
        }
        Ok(Some(p)) => p,
    };
    let held = match metadata::parse(provider.metadata_document.as_bytes()) {
        Ok(m) => m,
        Err(e) => {
            check.fail(
                format!("its metadata cannot be read ({e})"),
                "run `connect-sso apply --metadata FILE` with the application's current metadata",
                "certificate",
            );
            return check;
        }
    };
    check.evidence.push(format!("issuer {}", held.entity_id));
    match input.metadata.map(|m| metadata::parse(m.as_bytes())) {
        None => check.evidence.push(
            "not compared with Identity Center's metadata: pass --metadata FILE|URL to compare"
                .to_string(),
        ),
        Some(Err(e)) => check.warn(
            format!("the supplied metadata cannot be read ({e})"),
            "download the metadata again from the application (step 2)",
            None,
        ),
        Some(Ok(wanted)) => {
            let differences = metadata_differences(&provider.metadata_document, &wanted);
            if differences.is_empty() {
                check.evidence.push(
                    "holds the same issuer and certificates as the supplied metadata".to_string(),
                );
            } else {
                for d in differences {
                    check.evidence.push(d);
                }
                check.mark(
                    Verdict::Fail,
                    Some("run `connect-sso apply --metadata FILE` to give the provider Identity Center's current metadata".to_string()),
                    Some("certificate"),
                );
            }
        }
    }
    // IAM keeps every certificate of the metadata; the one valid longest decides.
    let newest = held.certificates.iter().max_by_key(|c| c.not_after);
    for c in &held.certificates {
        let state = match c.validity(input.now) {
            CertValidity::Expired => "expired".to_string(),
            CertValidity::NotYetValid => "not valid yet".to_string(),
            CertValidity::Valid { days_left } => format!("{days_left} days left"),
        };
        check.evidence.push(format!(
            "certificate SHA-256 {} valid until {} ({state})",
            c.sha256_fingerprint,
            metadata::format_date(&c.not_after)
        ));
    }
    match newest.map(|c| c.validity(input.now)) {
        None => check.fail(
            "its metadata holds no signing certificate",
            "run `connect-sso apply --metadata FILE` with the application's metadata",
            "certificate",
        ),
        Some(CertValidity::Expired) => check.mark(
            Verdict::Fail,
            Some("Identity Center has a new certificate: download the metadata again (step 2) and run `connect-sso apply --metadata FILE`".to_string()),
            Some("certificate"),
        ),
        Some(CertValidity::NotYetValid) => check.mark(
            Verdict::Fail,
            Some("the certificate is not valid yet: check this computer's clock, or wait until Identity Center's new certificate becomes active".to_string()),
            Some("certificate"),
        ),
        Some(CertValidity::Valid { days_left }) if days_left < CERT_WARN_DAYS => check.mark(
            Verdict::Warn,
            Some(format!("the certificate expires in {days_left} days: rotate it in Identity Center, then update the provider with the new metadata (`connect-sso apply --metadata FILE`)")),
            Some("certificate"),
        ),
        Some(_) => {}
    }
    check
}

async fn check_policy(cloud: &dyn Cloud, setup: &Setup) -> Check {
    let arn = setup.policy_arn();
    let mut check = Check::new("policy", arn.clone());
    let policy = match cloud.get_policy(&arn).await {
        Err(e) => return Check::error("policy", arn, &e),
        Ok(None) => {
            check.fail(
                "the policy does not exist",
                "run `connect-sso apply` (step 6b; in the wizard, r on the 6b screen)",
                "federation-token-denied",
            );
            return check;
        }
        Ok(Some(p)) => p,
    };
    let document = match cloud
        .get_policy_version(&arn, &policy.default_version_id)
        .await
    {
        Ok(d) => d,
        Err(e) => return Check::error("policy", arn, &e),
    };
    check
        .evidence
        .push(format!("default version {}", policy.default_version_id));
    let instance_arn = setup.instance.arn();
    let analysis = analyze_permissions(&document, &instance_arn);
    let apply_fix = "run `connect-sso apply` to make the generated document the default version";
    if analysis.grants {
        check.evidence.push(format!(
            "allows connect:GetFederationToken on {instance_arn}/user/${{aws:userid}}"
        ));
    } else {
        check.fail(
            "does not allow connect:GetFederationToken on this instance's user/${aws:userid}",
            apply_fix,
            "federation-token-denied",
        );
    }
    for b in &analysis.broader {
        check.fail(
            format!("broader than needed: {b}"),
            apply_fix,
            "federation-token-denied",
        );
    }
    for d in &analysis.denies {
        check.fail(d.clone(), apply_fix, "federation-token-denied");
    }
    if check.verdict == Verdict::Pass {
        let differences = json_diff(&document, &setup.permissions_policy());
        if !differences.is_empty() {
            check.evidence.push(format!(
                "equivalent to the generated document, written differently ({})",
                differences.join("; ")
            ));
        }
    }
    check
}

async fn check_role(cloud: &dyn Cloud, setup: &Setup) -> Check {
    let name = setup.role_name.as_str();
    let mut check = Check::new("role", setup.role_arn());
    let (role, attached, inline, roles) = tokio::join!(
        cloud.get_role(name),
        cloud.list_attached_role_policies(name),
        cloud.list_role_policies(name),
        cloud.list_roles(),
    );
    let role: Role = match role {
        Err(e) => return Check::error("role", check.subject, &e),
        Ok(None) => {
            check.fail(
                "the role does not exist",
                "run `connect-sso apply` (step 6c; in the wizard, r on the 6c screen)",
                "not-authorized-assume-role",
            );
            return check;
        }
        Ok(Some(r)) => r,
    };
    let provider = setup.provider_arn();
    let apply_fix = "run `connect-sso apply` to restore the generated trust policy";
    let trust = analyze_trust(&role.trust_policy, &provider);
    if trust.trusts_provider {
        check
            .evidence
            .push(format!("trusts {provider} for sts:AssumeRoleWithSAML"));
    } else {
        check.fail(
            format!("does not let {provider} call sts:AssumeRoleWithSAML"),
            apply_fix,
            "not-authorized-assume-role",
        );
    }
    for d in &trust.denies {
        check.fail(
            d.clone(),
            "remove the Deny statement from the role's trust policy (`connect-sso apply` restores the generated one)",
            "not-authorized-assume-role",
        );
    }
    for o in &trust.others {
        check.fail(
            format!("trusts more than the provider: {o}"),
            apply_fix,
            "not-authorized-assume-role",
        );
    }
    let acs = setup.acs_urls();
    match &trust.audiences {
        None if trust.trusts_provider => check.warn(
            "no SAML:aud condition: a response posted to any sign-in endpoint is accepted",
            apply_fix,
            Some("wrong-acs-url"),
        ),
        None => {}
        Some(aud) => {
            let missing: Vec<&String> = acs.iter().filter(|u| !aud.contains(u)).collect();
            if missing.is_empty() {
                check.evidence.push(format!("SAML:aud {}", aud.join(", ")));
            } else {
                check.fail(
                    format!(
                        "SAML:aud is {} but this setup posts to {}",
                        aud.join(", "),
                        missing.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
                    ),
                    "run `connect-sso apply` so the role trusts the ACS URL in use, or set the application's ACS URL to the one the role names",
                    "wrong-acs-url",
                );
            }
        }
    }
    let policy_arn = setup.policy_arn();
    match attached {
        Err(e) => check.warn(
            "the attached policies could not be listed",
            e.to_string(),
            None,
        ),
        Ok(list) => {
            if list.iter().any(|p| p.arn == policy_arn) {
                check
                    .evidence
                    .push(format!("policy {} attached", setup.policy_name));
            } else {
                check.fail(
                    format!("policy {} is not attached", setup.policy_name),
                    "run `connect-sso apply` to attach it",
                    "federation-token-denied",
                );
            }
            let others: Vec<&str> = list
                .iter()
                .filter(|p| p.arn != policy_arn)
                .map(|p| p.name.as_str())
                .collect();
            if !others.is_empty() {
                check.warn(
                    format!("also attached: {}", others.join(", ")),
                    "detach them unless every agent should have those permissions",
                    None,
                );
            }
        }
    }
    if let Ok(inline) = inline
        && !inline.is_empty()
    {
        check.warn(
            format!("inline policies: {}", inline.join(", ")),
            "remove them unless every agent should have those permissions",
            None,
        );
    }
    if let Ok(roles) = roles {
        for r in roles
            .iter()
            .filter(|r| r.name != name && analyze_trust(&r.trust_policy, &provider).trusts_provider)
        {
            check.warn(
                format!("role {} also trusts the provider", r.name),
                "Connect uses one role per instance: keep one role and delete the other",
                None,
            );
        }
    }
    check
}

/// The chain of dependent reads: Identity Center instance, then the application and the
/// users, then assignments, then each person's Connect user (and, for a person not assigned
/// directly, alongside it their membership in the assigned groups).
async fn check_identity(
    cloud: &dyn Cloud,
    setup: &Setup,
    wanted: &[String],
) -> (Vec<Check>, Option<IdcInstance>) {
    let mut app = Check::new("application", format!("\"{}\"", setup.app_name));
    let idc = match cloud.list_idc_instances().await {
        Err(e) => return (vec![Check::error("application", app.subject, &e)], None),
        Ok(list) => list.into_iter().next(),
    };
    let Some(idc) = idc else {
        app.fail(
            "the identity context sees no IAM Identity Center instance",
            "enable Identity Center, or point --identity-profile / --identity-region at the account and region where it runs",
            "not-assigned",
        );
        return (vec![app], None);
    };
    let store = idc.identity_store_id.as_str();
    // The application's assignments and the named users are independent lookups.
    let (applications, named) = tokio::join!(
        find_application(cloud, &idc.instance_arn, setup),
        join_all(
            wanted
                .iter()
                .map(|w| async move { (w.clone(), find_user(cloud, store, w).await) })
        ),
    );
    let (application, assignments) = match applications {
        Err(e) => {
            return (
                vec![Check::error("application", app.subject, &e)],
                Some(idc),
            );
        }
        Ok((apps, assignments)) => {
            match apps.as_slice() {
                [] => app.fail(
                    format!("no custom SAML application is named \"{}\"", setup.app_name),
                    "add the custom SAML 2.0 application in Identity Center with exactly this display name (step 1)",
                    "not-assigned",
                ),
                [one] => app.evidence.push(format!(
                    "{}{}",
                    one.arn,
                    one.status.as_deref().map(|s| format!(" ({s})")).unwrap_or_default()
                )),
                many => app.fail(
                    format!("{} applications have this display name: {}", many.len(), many.iter().map(|a| a.arn.as_str()).collect::<Vec<_>>().join(", ")),
                    "delete or rename all but one, so people and assignments meet in one place",
                    "not-assigned",
                ),
            }
            (
                apps.into_iter()
                    .next()
                    .filter(|_| app.verdict == Verdict::Pass),
                assignments,
            )
        }
    };
    let mut checks = vec![app];
    let instance_id = setup.instance.id.as_str();
    let Some(application) = application else {
        // Named people can still be checked in Identity Center and Connect.
        let user_checks = join_all(named.into_iter().map(|(asked, found)| async move {
            check_user(cloud, instance_id, store, None, &[], &[], asked, found).await
        }))
        .await;
        checks.extend(user_checks);
        return (checks, Some(idc));
    };
    let assignments = match assignments {
        Ok(a) => a,
        Err(e) => {
            checks.push(Check::error("user", "assignments", &e));
            return (checks, Some(idc));
        }
    };
    let groups: Vec<String> = assignments
        .iter()
        .filter(|a| a.principal_type == "GROUP")
        .map(|a| a.principal_id.clone())
        .collect();
    // Without named users, everyone assigned directly is checked.
    let people: Vec<(String, CloudResult<Option<IdcUser>>)> = if wanted.is_empty() {
        let direct: Vec<&ApplicationAssignment> = assignments
            .iter()
            .filter(|a| a.principal_type == "USER")
            .collect();
        if direct.is_empty() {
            let mut c = Check::new("user", "assigned users");
            if !groups.is_empty() {
                // Listing a group's members is not a call doctor makes: name the people.
                c.warn(
                    format!(
                        "only groups are assigned ({}); their members were not checked",
                        groups.len()
                    ),
                    "name the people who sign in with --user EMAIL (once per person): doctor then checks that each is in an assigned group",
                    None,
                );
            } else {
                c.fail(
                    "no one is assigned to the application",
                    "assign the people who sign in (step 11, or `connect-sso apply --user EMAIL`)",
                    "not-assigned",
                );
            }
            checks.push(c);
            return (checks, Some(idc));
        }
        join_all(direct.into_iter().map(|a| async move {
            (
                a.principal_id.clone(),
                cloud.describe_user(store, &a.principal_id).await,
            )
        }))
        .await
    } else {
        named
    };
    let user_checks = join_all(people.into_iter().map(|(asked, found)| {
        let assignments = &assignments;
        let application = &application;
        let groups = &groups;
        async move {
            check_user(
                cloud,
                instance_id,
                store,
                Some(application),
                assignments,
                groups,
                asked,
                found,
            )
            .await
        }
    }))
    .await;
    checks.extend(user_checks);
    (checks, Some(idc))
}

/// The applications with the display name, and the first one's assignments.
async fn find_application(
    cloud: &dyn Cloud,
    instance_arn: &str,
    setup: &Setup,
) -> CloudResult<(Vec<Application>, CloudResult<Vec<ApplicationAssignment>>)> {
    let apps: Vec<Application> = cloud
        .list_applications(instance_arn)
        .await?
        .into_iter()
        .filter(|a| a.provider_arn == CUSTOM_SAML_PROVIDER && a.name == setup.app_name.as_str())
        .collect();
    let assignments = match apps.as_slice() {
        [one] => cloud.list_application_assignments(&one.arn).await,
        _ => Ok(Vec::new()),
    };
    Ok((apps, assignments))
}

#[allow(clippy::too_many_arguments)]
async fn check_user(
    cloud: &dyn Cloud,
    instance_id: &str,
    store: &str,
    // `None` when no single application has the display name.
    application: Option<&Application>,
    assignments: &[ApplicationAssignment],
    // The ids of the groups assigned to the application.
    groups: &[String],
    asked: String,
    found: CloudResult<Option<IdcUser>>,
) -> Check {
    let mut check = Check::new("user", asked.clone());
    let user = match found {
        Err(e) => return Check::error("user", asked, &e),
        Ok(None) => {
            check.fail(
                format!("no Identity Center user has the user name or email {asked} (identity store {store})"),
                "check the spelling, or create the user in Identity Center",
                "not-assigned",
            );
            return check;
        }
        Ok(Some(u)) => u,
    };
    check.subject = user.user_name.clone();
    let Some(application) = application else {
        let mut check = check_connect_user(cloud, instance_id, user, check).await;
        check
            .evidence
            .push("assignment not checked: the application has to be found first".to_string());
        check.mark(
            Verdict::Error,
            Some("fix the application check above, then run doctor again".to_string()),
            None,
        );
        return check;
    };
    let assign_fix = format!(
        "assign {} to the application (step 11, or `connect-sso apply --user {}`)",
        user.user_name, asked
    );
    let direct = assignments.iter().any(|a| a.principal_id == user.user_id);
    // Group membership and the Connect user are independent reads: one round trip for both.
    let user_id = user.user_id.clone();
    let membership = async {
        if direct || groups.is_empty() {
            None
        } else {
            Some(cloud.is_member_in_groups(store, &user_id, groups).await)
        }
    };
    let connect_subject = check.subject.clone();
    let (membership, connect) = tokio::join!(
        membership,
        check_connect_user(
            cloud,
            instance_id,
            user,
            Check::new("user", connect_subject)
        ),
    );
    match membership {
        None if direct => check
            .evidence
            .push(format!("assigned to {}", application.name)),
        None => check.fail(
            format!("not assigned to {}", application.name),
            assign_fix,
            "not-assigned",
        ),
        Some(Ok(member_of)) if !member_of.is_empty() => check.evidence.push(format!(
            "assigned to {} through group {}",
            application.name,
            member_of.join(", ")
        )),
        Some(Ok(_)) => check.fail(
            format!(
                "not assigned to {}, neither directly nor through its {} assigned group(s) ({})",
                application.name,
                groups.len(),
                groups.join(", ")
            ),
            format!("{assign_fix}, or add them to an assigned group in Identity Center"),
            "not-assigned",
        ),
        Some(Err(e)) => check.warn(
            format!(
                "not assigned directly; {} group(s) are assigned and membership could not be checked",
                groups.len()
            ),
            format!("{e}; or assign the person directly"),
            Some("not-assigned"),
        ),
    }
    check.absorb(connect);
    check
}

/// The person's email, which RoleSessionName carries, names a Connect user exactly.
async fn check_connect_user(
    cloud: &dyn Cloud,
    instance_id: &str,
    user: IdcUser,
    mut check: Check,
) -> Check {
    let Some(email) = user.emails.first() else {
        check.fail(
            "has no email, so RoleSessionName (${user:email}) is empty",
            "add an email address to the user in Identity Center",
            "invalid-saml-response",
        );
        return check;
    };
    if looks_like_upn(email) {
        check.warn(
            format!("the email {email} looks like a directory logon name, not a mailbox"),
            "map the email attribute to the directory's mail attribute in Identity Center's identity source settings",
            Some("windows-upn"),
        );
    }
    match cloud.search_connect_user(instance_id, email).await {
        Err(e) => check.warn(format!("the Connect user {email} could not be checked"), e.to_string(), None),
        Ok(Some(ConnectUser { id, .. })) => check
            .evidence
            .push(format!("Connect user {email} exists ({id})")),
        Ok(None) => check.fail(
            format!("the Connect instance has no user named exactly {email} (RoleSessionName)"),
            format!("create the Connect user {email} (user names are case-sensitive), or run `connect-sso apply --user {email} --create-connect-users`"),
            "not-onboarded",
        ),
    }
    check
}

/// Emails an on-premises directory fills with a logon name: a backslash, or a domain that
/// is not routable on the internet.
fn looks_like_upn(email: &str) -> bool {
    let domain = email
        .rsplit_once('@')
        .map_or("", |(_, d)| d)
        .to_ascii_lowercase();
    email.contains('\\')
        || !email.contains('@')
        || [
            ".local",
            ".corp",
            ".lan",
            ".internal",
            ".localdomain",
            ".ad",
        ]
        .iter()
        .any(|t| domain.ends_with(t))
        || !domain.contains('.')
}
