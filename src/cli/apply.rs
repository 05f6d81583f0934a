//! `connect-sso apply`: runs every automated step in order against AWS (or the sandbox),
//! idempotently, and lists the manual steps still to do with their values.

use std::io::{self, IsTerminal, Write};

use serde::Serialize;

use super::metadata::{load_checked, read_metadata_file};
use super::plan::resolve_answers;
use super::{ApplyArgs, Format, GlobalArgs, Status};
use crate::cloud::ensure::{self, Change, ConnectUserTemplate, Outcome, UserOutcome};
use crate::cloud::sandbox::{self, Sandbox};
use crate::cloud::sdk::{ContextSettings, SdkCloud};
use crate::cloud::{
    Application, CUSTOM_SAML_PROVIDER, CallerIdentity, Cloud, CloudError, ConnectInstanceSummary,
    Context,
};
use crate::domain::setup::{Answers, Setup};
use crate::plan::Plan;

/// Everything `apply` found and did, for text or JSON output.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub dry_run: bool,
    pub connect_caller: CallerIdentity,
    pub identity_caller: CallerIdentity,
    pub instance: ConnectInstanceSummary,
    pub identity_store_id: Option<String>,
    /// Step 1's check: applications with the display name.
    pub applications: Vec<Application>,
    pub outcomes: Vec<Outcome>,
    /// Step 11 and the Connect users, per requested person.
    pub users: Vec<UserOutcome>,
    pub warnings: Vec<String>,
    /// What still blocks sign-in and needs the user's action.
    pub problems: Vec<String>,
    /// Manual steps still to do: (step id, title).
    pub manual_steps: Vec<(&'static str, &'static str)>,
}

impl Report {
    pub fn changes(&self) -> usize {
        let users = self
            .users
            .iter()
            .flat_map(|u| [u.assignment, u.connect_user])
            .filter(|c| c.is_some_and(Change::is_change))
            .count();
        self.outcomes
            .iter()
            .filter(|o| o.change.is_change())
            .count()
            + users
    }

    /// Everything `apply` could do is done, and nothing blocks sign-in that it knows of.
    pub fn complete(&self) -> bool {
        self.problems.is_empty() && self.users.iter().all(|u| u.problems.is_empty())
    }
}

/// Why `apply` stopped before doing anything.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error(transparent)]
    Cloud(#[from] CloudError),
    #[error(
        "the connect context is account {caller} but the instance belongs to account {instance}: use --profile with credentials for account {instance}"
    )]
    WrongAccount { caller: String, instance: String },
    #[error(
        "no Connect instance {id} in account {account}, region {region}: check the instance ARN and --region"
    )]
    InstanceNotFound {
        id: String,
        account: String,
        region: String,
    },
    #[error(
        "the Connect instance {alias} is {status}, not ACTIVE: wait until it is active, then run again"
    )]
    InstanceNotActive { alias: String, status: String },
    #[error(
        "the Connect instance {alias} manages its users with {kind}, not SAML. Amazon Connect fixes this choice when an instance is created and cannot change it later: create a new instance with \"SAML 2.0-based authentication\", then run connect-sso for that instance"
    )]
    NotSaml { alias: String, kind: String },
}

/// The people of step 11, and whether to create their Connect users.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserRequest {
    pub users: Vec<String>,
    pub create_connect_users: Option<ConnectUserTemplate>,
}

impl UserRequest {
    pub fn from_answers(a: &Answers) -> UserRequest {
        UserRequest {
            users: a.users.clone().unwrap_or_default(),
            create_connect_users: a.create_connect_users.unwrap_or(false).then(|| {
                ConnectUserTemplate {
                    security_profile: a.security_profile.clone().unwrap_or_else(|| "Agent".into()),
                    routing_profile: a
                        .routing_profile
                        .clone()
                        .unwrap_or_else(|| "Basic Routing Profile".into()),
                }
            }),
        }
    }
}

/// Runs the automated steps. Reads that do not depend on each other run concurrently.
pub async fn apply(
    cloud: &dyn Cloud,
    setup: &Setup,
    metadata_document: &str,
    people: &UserRequest,
    dry_run: bool,
) -> Result<Report, ApplyError> {
    let instance_id = setup.instance.id.as_str();
    let (connect_caller, identity_caller, instance, idc_instances) = tokio::try_join!(
        cloud.caller_identity(Context::Connect),
        cloud.caller_identity(Context::Identity),
        cloud.describe_connect_instance(instance_id),
        cloud.list_idc_instances(),
    )?;
    if connect_caller.account != setup.instance.account.as_str() {
        return Err(ApplyError::WrongAccount {
            caller: connect_caller.account,
            instance: setup.instance.account.to_string(),
        });
    }
    let instance = instance.ok_or_else(|| ApplyError::InstanceNotFound {
        id: instance_id.to_string(),
        account: setup.instance.account.to_string(),
        region: setup.region().to_string(),
    })?;
    let alias = instance
        .alias
        .clone()
        .unwrap_or_else(|| instance.id.clone());
    if instance.status != "ACTIVE" {
        return Err(ApplyError::InstanceNotActive {
            alias,
            status: instance.status.clone(),
        });
    }
    if instance.identity_management_type != "SAML" {
        return Err(ApplyError::NotSaml {
            alias,
            kind: instance.identity_management_type.clone(),
        });
    }

    let mut warnings = Vec::new();
    let idc = idc_instances.first().cloned();
    if idc_instances.len() > 1 {
        warnings.push(format!(
            "the identity context sees {} IAM Identity Center instances; using {}",
            idc_instances.len(),
            idc_instances[0].instance_arn
        ));
    }
    let applications = match &idc {
        Some(i) => find_applications(cloud, &i.instance_arn, setup.app_name.as_str()).await?,
        None => {
            warnings.push(
                "the identity context sees no IAM Identity Center instance: enable Identity Center, or point --identity-profile / --identity-region at the account and region where it runs".to_string(),
            );
            Vec::new()
        }
    };
    if applications.len() > 1 {
        warnings.push(format!(
            "{} Identity Center applications are named \"{}\": give each a unique display name so users can tell the tiles apart",
            applications.len(),
            setup.app_name
        ));
    }

    // 6a and 6b are independent; 6c needs both to exist (IAM checks the trust principal).
    let (provider, policy) = tokio::try_join!(
        ensure::ensure_saml_provider(cloud, setup, metadata_document, dry_run),
        ensure::ensure_policy(cloud, setup, dry_run),
    )?;
    let role = ensure::ensure_role(cloud, setup, dry_run).await?;

    let mut problems = Vec::new();
    let mut users = Vec::new();
    if !people.users.is_empty() {
        match (&idc, applications.as_slice()) {
            (Some(idc), [app]) => {
                users = ensure::ensure_users(
                    cloud,
                    setup,
                    &app.arn,
                    &idc.identity_store_id,
                    &people.users,
                    people.create_connect_users.as_ref(),
                    dry_run,
                )
                .await?;
            }
            (None, _) => problems.push(
                "users cannot be assigned (step 11) without an IAM Identity Center instance in the identity context".to_string(),
            ),
            (Some(_), []) => problems.push(format!(
                "users cannot be assigned (step 11) before the application \"{}\" exists: do step 1, then run apply again",
                setup.app_name
            )),
            (Some(_), _) => problems.push(format!(
                "users are not assigned (step 11) because several applications are named \"{}\": rename all but one",
                setup.app_name
            )),
        }
    }
    let assigned = !users.is_empty() && users.iter().all(|u| u.assignment.is_some());

    let mut manual_steps = Vec::new();
    for step in crate::steps::STEPS {
        let still_to_do = match step.id {
            "1" => applications.is_empty(),
            "11" => !assigned,
            "2" | "prerequisites" | "6a" | "6b" | "6c" | "verify" => false,
            _ => step.kind == crate::steps::StepKind::Manual,
        };
        if still_to_do {
            manual_steps.push((step.id, step.title));
        }
    }
    Ok(Report {
        dry_run,
        connect_caller,
        identity_caller,
        instance,
        identity_store_id: idc.map(|i| i.identity_store_id),
        applications,
        outcomes: vec![provider, policy, role],
        users,
        warnings,
        problems,
        manual_steps,
    })
}

async fn find_applications(
    cloud: &dyn Cloud,
    instance_arn: &str,
    name: &str,
) -> Result<Vec<Application>, CloudError> {
    Ok(cloud
        .list_applications(instance_arn)
        .await?
        .into_iter()
        .filter(|a| a.provider_arn == CUSTOM_SAML_PROVIDER && a.name == name)
        .collect())
}

/// Strips control characters from text that came from AWS before printing it.
fn clean(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).collect()
}

pub fn render_text(report: &Report, setup: &Setup, out: &mut dyn Write) -> io::Result<()> {
    let who = |c: &CallerIdentity| format!("account {} as {}", c.account, clean(&c.arn));
    writeln!(out, "connect context:  {}", who(&report.connect_caller))?;
    writeln!(out, "identity context: {}", who(&report.identity_caller))?;
    writeln!(
        out,
        "instance:         {} ({}, SAML, {})",
        clean(
            report
                .instance
                .alias
                .as_deref()
                .unwrap_or(&report.instance.id)
        ),
        report.instance.arn,
        report.instance.status
    )?;
    if report.dry_run {
        writeln!(out, "dry run: nothing is changed")?;
    }
    writeln!(out)?;
    match report.applications.as_slice() {
        [] => writeln!(
            out,
            "1   application   not found yet: no custom SAML application is named \"{}\"",
            setup.app_name
        )?,
        [one] => writeln!(out, "1   application   found        {}", clean(&one.arn))?,
        many => writeln!(
            out,
            "1   application   {} found with this name: {}",
            many.len(),
            many.iter()
                .map(|a| clean(&a.arn))
                .collect::<Vec<_>>()
                .join(", ")
        )?,
    }
    for o in &report.outcomes {
        writeln!(
            out,
            "{:<3} {:<13} {:<12} {}",
            o.step,
            o.resource,
            o.change.label(),
            o.arn
        )?;
        for d in &o.details {
            writeln!(out, "      {d}")?;
        }
        for w in &o.warnings {
            writeln!(out, "      warning: {w}")?;
        }
    }
    for u in &report.users {
        let state = |c: Option<Change>| c.map_or("-", Change::label);
        writeln!(
            out,
            "11  user          {:<12} {} (Connect user {}: {})",
            state(u.assignment),
            clean(&u.requested),
            clean(u.connect_username.as_deref().unwrap_or("?")),
            state(u.connect_user)
        )?;
        for p in &u.problems {
            writeln!(out, "      problem: {}", clean(p))?;
        }
    }
    for w in &report.warnings {
        writeln!(out, "warning: {w}")?;
    }
    for p in &report.problems {
        writeln!(out, "problem: {p}")?;
    }
    if !report.manual_steps.is_empty() {
        writeln!(out, "\nManual steps still to do in the consoles:")?;
        let plan = Plan::build(setup, None);
        for (id, title) in &report.manual_steps {
            writeln!(out, "  {id:<4} {title}")?;
            if let Some(step) = plan.steps.iter().find(|s| s.id == *id) {
                for v in &step.values {
                    writeln!(out, "         {}: {}", v.label, v.value)?;
                }
            }
        }
    }
    let changes = report.changes();
    writeln!(out)?;
    match (report.dry_run, changes) {
        (_, 0) => writeln!(
            out,
            "Nothing to change: every automated step is already done."
        )?,
        (true, n) => writeln!(
            out,
            "{n} automated step(s) would change; run without --dry-run to apply."
        )?,
        (false, n) => writeln!(out, "{n} automated step(s) changed.")?,
    }
    Ok(())
}

/// The metadata the sandbox's Identity Center hands out for its application.
pub const SANDBOX_METADATA: &str = include_str!("../../assets/sandbox-idc-metadata.xml");

/// Builds the cloud the command works on: the sandbox account, or AWS with two contexts.
pub async fn connect_cloud(global: &GlobalArgs, answers: &Answers) -> Box<dyn Cloud> {
    if global.sandbox {
        return Box::new(Sandbox::new());
    }
    let connect = ContextSettings {
        profile: answers.profile.clone(),
        region: answers.region.clone().or_else(|| {
            // The instance ARN names the Connect region when --region is not given.
            answers
                .instance_arn
                .as_deref()
                .and_then(|a| a.split(':').nth(3))
                .map(str::to_string)
        }),
    };
    let identity = ContextSettings {
        profile: answers.identity_profile.clone(),
        region: answers.identity_region.clone(),
    };
    Box::new(SdkCloud::load(&connect, &identity).await)
}

pub fn run(
    global: &GlobalArgs,
    args: &ApplyArgs,
    now: time::OffsetDateTime,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<Status> {
    let mut given = args.answers.to_answers(global);
    if global.sandbox && given.instance_arn.is_none() && given.instance_id.is_none() {
        given.instance_arn = Some(sandbox::SANDBOX_INSTANCE_ARN.to_string());
    }
    let answers = match resolve_answers(global, given) {
        Ok(a) => a,
        Err(message) => {
            writeln!(err, "error: {message}")?;
            return Ok(Status::BadInput);
        }
    };
    let setup = match Setup::from_answers(&answers) {
        Ok(s) => s,
        Err(errors) => {
            writeln!(err, "error: the answers are not valid:")?;
            for e in errors {
                writeln!(err, "  - {e}")?;
            }
            return Ok(Status::BadInput);
        }
    };
    let document = match (&answers.metadata, global.sandbox) {
        (Some(path), _) => match load_checked(path, now)
            .and_then(|_| read_metadata_file(path))
            .and_then(|b| String::from_utf8(b).map_err(|e| e.to_string()))
        {
            Ok(d) => d,
            Err(message) => {
                writeln!(err, "error: {message}")?;
                return Ok(Status::BadInput);
            }
        },
        (None, true) => SANDBOX_METADATA.to_string(),
        (None, false) => {
            writeln!(
                err,
                "error: apply needs the IAM Identity Center metadata for step 6a: download it from the application (step 2) and pass --metadata FILE"
            )?;
            return Ok(Status::BadInput);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            writeln!(err, "error: cannot start the async runtime: {e}")?;
            return Ok(Status::CheckFailed);
        }
    };
    runtime.block_on(async {
        let cloud = connect_cloud(global, &answers).await;
        let interactive = std::io::stdin().is_terminal() && args.format == Format::Text;
        let confirm_first = !args.dry_run && !args.yes;
        let people = UserRequest::from_answers(&answers);
        let first = apply(
            cloud.as_ref(),
            &setup,
            &document,
            &people,
            args.dry_run || confirm_first,
        )
        .await;
        let report = match first {
            Ok(r) => r,
            Err(e) => {
                writeln!(err, "error: {e}")?;
                return Ok(Status::CheckFailed);
            }
        };
        if !confirm_first || report.changes() == 0 {
            return finish(&report, &setup, args.format, out);
        }
        render_text(&report, &setup, out)?;
        if !interactive {
            writeln!(
                err,
                "error: apply would change AWS resources; run it again with --yes to confirm (or --dry-run to only look)"
            )?;
            return Ok(Status::BadInput);
        }
        write!(out, "Apply these changes? [y/N] ")?;
        out.flush()?;
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes" | "Yes") {
            writeln!(out, "Nothing changed.")?;
            return Ok(Status::Ok);
        }
        match apply(cloud.as_ref(), &setup, &document, &people, false).await {
            Ok(r) => finish(&r, &setup, args.format, out),
            Err(e) => {
                writeln!(err, "error: {e}")?;
                Ok(Status::CheckFailed)
            }
        }
    })
}

fn finish(
    report: &Report,
    setup: &Setup,
    format: Format,
    out: &mut dyn Write,
) -> io::Result<Status> {
    match format {
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(report).expect("the report serializes")
        )?,
        Format::Text | Format::Markdown => render_text(report, setup, out)?,
    }
    Ok(if report.complete() {
        Status::Ok
    } else {
        Status::CheckFailed
    })
}
