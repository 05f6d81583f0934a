//! The orchestration of `apply`: context and prerequisite checks, step 1's check, the
//! ensures of steps 6a-6c and 11, shared by the `apply` command and the wizard.

use serde::Serialize;

use super::ensure::{self, Change, ConnectUserTemplate, Outcome, UserOutcome};
use super::groups::{self, GroupError, GroupOutcome, RequestedGroup};
use super::{
    Application, CUSTOM_SAML_PROVIDER, CallerIdentity, Cloud, CloudError, ConnectInstanceSummary,
    Context, IdcInstance,
};
use crate::domain::setup::{Answers, Setup};

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
    /// Step 11 for the requested groups.
    pub groups: Vec<GroupOutcome>,
    pub warnings: Vec<String>,
    /// What still blocks sign-in and needs the user's action.
    pub problems: Vec<String>,
    /// Manual steps still to do: (step id, title).
    pub manual_steps: Vec<(&'static str, &'static str)>,
    /// The step that failed and stopped the run; what was done before it is listed above.
    pub failure: Option<Failure>,
}

impl Report {
    pub fn changes(&self) -> usize {
        let users = self
            .users
            .iter()
            .flat_map(|u| [u.assignment, u.connect_user])
            .filter(|c| c.is_some_and(Change::is_change))
            .count()
            + self
                .groups
                .iter()
                .filter(|g| g.assignment.is_change())
                .count();
        self.outcomes
            .iter()
            .filter(|o| o.change.is_change())
            .count()
            + users
    }

    /// Everything `apply` could do is done, and nothing blocks sign-in that it knows of.
    pub fn complete(&self) -> bool {
        self.failure.is_none()
            && self.problems.is_empty()
            && self.users.iter().all(|u| u.problems.is_empty())
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
    /// Groups of the answers the identity store does not have; nothing was changed.
    #[error("{}: nothing was changed", .0.join("; "))]
    UnknownGroups(Vec<String>),
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
            create_connect_users: a
                .create_connect_users
                .unwrap_or(false)
                .then(|| ConnectUserTemplate::from_answers(a)),
        }
    }
}

/// Stops on an instance that cannot take SAML sign-in: not active, or not SAML.
pub fn instance_check(instance: &ConnectInstanceSummary) -> Result<(), ApplyError> {
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
    Ok(())
}

/// The reason and fix when the instance cannot take SAML sign-in.
pub fn instance_problem(instance: &ConnectInstanceSummary) -> Option<String> {
    instance_check(instance).err().map(|e| e.to_string())
}

/// What `apply` checks before it changes anything: the contexts, the instance, Identity
/// Center and step 1's application. Nothing is created before these pass.
#[derive(Debug, Clone)]
pub struct Prerequisites {
    pub connect_caller: CallerIdentity,
    pub identity_caller: CallerIdentity,
    pub instance: ConnectInstanceSummary,
    pub idc: Option<IdcInstance>,
    /// Step 1's check: applications with the display name.
    pub applications: Vec<Application>,
    pub warnings: Vec<String>,
    /// The groups of step 11, found ([`Prerequisites::resolve_groups`]).
    pub groups: Vec<RequestedGroup>,
}

impl Prerequisites {
    /// Finds the groups `wanted` names in the identity store, before anything changes: a
    /// group it does not have stops the run ([`ApplyError::UnknownGroups`]). Without an
    /// Identity Center instance there is nothing to look in; step 11 then says so.
    pub async fn resolve_groups(
        &mut self,
        cloud: &dyn Cloud,
        wanted: &[String],
    ) -> Result<(), ApplyError> {
        let Some(idc) = &self.idc else {
            return Ok(());
        };
        self.groups = groups::resolve_groups(cloud, &idc.identity_store_id, wanted)
            .await
            .map_err(|e| match e {
                GroupError::Unknown(messages) => ApplyError::UnknownGroups(messages),
                GroupError::Cloud(e) => ApplyError::Cloud(e),
            })?;
        Ok(())
    }

    /// Reads step 1's applications again, after something (the sandbox standing in for the
    /// console) added one.
    pub async fn refresh_applications(
        &mut self,
        cloud: &dyn Cloud,
        setup: &Setup,
    ) -> Result<(), CloudError> {
        if let Some(i) = &self.idc {
            self.applications =
                find_applications(cloud, &i.instance_arn, setup.app_name.as_str()).await?;
        }
        Ok(())
    }
}

/// Checks the prerequisites, reads only: the contexts' accounts, the instance (there, active,
/// SAML), Identity Center and step 1. Reads that do not depend on each other run
/// concurrently.
pub async fn check_prerequisites(
    cloud: &dyn Cloud,
    setup: &Setup,
) -> Result<Prerequisites, ApplyError> {
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
    instance_check(&instance)?;

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
    Ok(Prerequisites {
        connect_caller,
        identity_caller,
        instance,
        idc,
        applications,
        warnings,
        groups: Vec::new(),
    })
}

/// Checks the prerequisites, then runs the automated steps. `Err` only when a prerequisite
/// stops it, before anything changed; a step that fails later is the report's `failure`,
/// beside what was done before it.
pub async fn apply(
    cloud: &dyn Cloud,
    setup: &Setup,
    metadata_document: &str,
    people: &UserRequest,
    dry_run: bool,
) -> Result<Report, ApplyError> {
    apply_with_groups(cloud, setup, metadata_document, people, &[], dry_run).await
}

/// [`apply`] that also assigns the groups `groups` names (display names or group ids), all
/// found before anything changes.
pub async fn apply_with_groups(
    cloud: &dyn Cloud,
    setup: &Setup,
    metadata_document: &str,
    people: &UserRequest,
    groups: &[String],
    dry_run: bool,
) -> Result<Report, ApplyError> {
    let mut checked = check_prerequisites(cloud, setup).await?;
    checked.resolve_groups(cloud, groups).await?;
    Ok(apply_steps(
        cloud,
        setup,
        checked,
        metadata_document,
        people,
        dry_run,
        false,
    )
    .await)
}

/// Runs steps 6a-6c and 11 once the prerequisites passed. `application_pending`: a dry run
/// knows that step 1's application is added before the real run (the sandbox stands in for
/// the console), so its users are shown as they would be assigned, and step 1 is not left
/// as a manual step.
pub async fn apply_steps(
    cloud: &dyn Cloud,
    setup: &Setup,
    checked: Prerequisites,
    metadata_document: &str,
    people: &UserRequest,
    dry_run: bool,
    application_pending: bool,
) -> Report {
    let Prerequisites {
        connect_caller,
        identity_caller,
        instance,
        idc,
        applications,
        mut warnings,
        groups: requested_groups,
    } = checked;
    let application_pending = application_pending && dry_run && applications.is_empty();
    if applications.len() > 1 {
        warnings.push(format!(
            "{} Identity Center applications are named \"{}\": give each a unique display name so users can tell the tiles apart",
            applications.len(),
            setup.app_name
        ));
    }

    // 6a and 6b are independent; 6c needs both to exist (IAM checks the trust principal).
    // Both run to their end even when one fails, so the report says what each did.
    let (provider, policy) = tokio::join!(
        ensure::ensure_saml_provider(cloud, setup, metadata_document, dry_run),
        ensure::ensure_policy(cloud, setup, dry_run),
    );
    let mut outcomes = Vec::new();
    let mut failure = None;
    for (step, resource, result) in [("6a", "SAML provider", provider), ("6b", "policy", policy)] {
        match result {
            Ok(o) => outcomes.push(o),
            Err(e) => {
                failure.get_or_insert(Failure::new(step, resource, &e));
            }
        }
    }
    if failure.is_none() {
        match ensure::ensure_role(cloud, setup, dry_run).await {
            Ok(o) => outcomes.push(o),
            Err(e) => failure = Some(Failure::new("6c", "role", &e)),
        }
    }

    let mut problems = Vec::new();
    let mut users = Vec::new();
    let mut groups = Vec::new();
    let who = match (people.users.is_empty(), requested_groups.is_empty()) {
        (false, true) => "users",
        (true, false) => "groups",
        _ => "users and groups",
    };
    if failure.is_none() && !(people.users.is_empty() && requested_groups.is_empty()) {
        let app = match applications.as_slice() {
            [app] => Some(Some(app.arn.as_str())),
            [] if application_pending => Some(None),
            _ => None,
        };
        match (&idc, app) {
            (Some(idc), Some(application_arn)) => {
                if !people.users.is_empty() {
                    let (done, error) = ensure::ensure_users_so_far(
                        cloud,
                        setup,
                        application_arn,
                        &idc.identity_store_id,
                        &people.users,
                        people.create_connect_users.as_ref(),
                        dry_run,
                    )
                    .await;
                    users = done;
                    if let Some(e) = error {
                        failure = Some(Failure::new("11", "user", &e));
                    }
                }
                if failure.is_none() {
                    let (done, error) =
                        groups::ensure_groups(cloud, application_arn, &requested_groups, dry_run)
                            .await;
                    groups = done;
                    if let Some(e) = error {
                        failure = Some(Failure::new("11", "group", &e));
                    }
                }
            }
            (None, _) => problems.push(format!(
                "{who} cannot be assigned (step 11) without an IAM Identity Center instance in the identity context"
            )),
            (Some(_), None) if applications.is_empty() => problems.push(format!(
                "{who} cannot be assigned (step 11) before the application \"{}\" exists: do step 1, then run apply again",
                setup.app_name
            )),
            (Some(_), None) => problems.push(format!(
                "{who} are not assigned (step 11) because several applications are named \"{}\": rename all but one",
                setup.app_name
            )),
        }
    }
    let assigned = !(users.is_empty() && groups.is_empty())
        && users.iter().all(|u| u.assignment.is_some())
        && groups.len() == requested_groups.len();

    let mut manual_steps = Vec::new();
    for step in crate::steps::STEPS {
        let still_to_do = match step.id {
            "1" => applications.is_empty() && !application_pending,
            "11" => !assigned,
            "2" | "prerequisites" | "6a" | "6b" | "6c" | "verify" => false,
            _ => step.kind == crate::steps::StepKind::Manual,
        };
        if still_to_do {
            manual_steps.push((step.id, step.title));
        }
    }
    Report {
        dry_run,
        connect_caller,
        identity_caller,
        instance,
        identity_store_id: idc.map(|i| i.identity_store_id),
        applications,
        outcomes,
        users,
        groups,
        warnings,
        problems,
        manual_steps,
        failure,
    }
}

/// The step that failed and stopped the run, with the error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    pub step: &'static str,
    pub resource: &'static str,
    pub error: String,
}

impl Failure {
    fn new(step: &'static str, resource: &'static str, error: &CloudError) -> Failure {
        Failure {
            step,
            resource,
            error: error.to_string(),
        }
    }
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
