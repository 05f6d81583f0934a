//! `teardown`: removes what connect-sso created for one setup, and only that. IAM resources
//! count as connect-sso's when they carry the `managed-by=connect-sso` tag and, when they
//! have one, a `connect-sso:instance-id` tag equal to the setup's instance id. Application
//! assignments cannot carry tags: those in the ledger (see [`crate::ledger`]) count.
//!
//! [`plan_teardown`] only reads, concurrently where the reads are independent, and lists
//! every resource with what would happen to it and why. [`execute`] then works in the order
//! IAM requires: assignments, policies detached from the role, the role, the policy's
//! non-default versions and the policy, the SAML provider. A failure does not stop the items
//! that do not depend on it.

use serde::Serialize;

use super::ensure::{Change, UserOutcome};
use super::{
    AttachedPolicy, Cloud, CloudError, Context, INSTANCE_TAG_KEY, MANAGED_BY_KEY, MANAGED_BY_VALUE,
    PolicyEntities, PolicyVersion, Role, Tag,
};
use crate::domain::setup::Setup;
use crate::ledger::LedgerEntry;

/// What a teardown item is, in AWS's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    ApplicationAssignment,
    /// A managed policy attached to the role.
    PolicyAttachment,
    Role,
    Policy,
    SamlProvider,
}

impl ItemKind {
    pub fn label(self) -> &'static str {
        match self {
            ItemKind::ApplicationAssignment => "assignment",
            ItemKind::PolicyAttachment => "attachment",
            ItemKind::Role => "role",
            ItemKind::Policy => "policy",
            ItemKind::SamlProvider => "SAML provider",
        }
    }
}

/// What happens, or happened, to an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Planned: delete it.
    Delete,
    /// Planned: detach the policy from the role.
    Detach,
    /// Left in place; the reason says why.
    Kept,
    /// It does not exist (any more).
    AlreadyGone,
    Deleted,
    Detached,
    /// Reading or removing it failed; `error` says why and how to fix it.
    Failed,
    /// Not attempted because something it depends on failed.
    Skipped,
}

impl Action {
    pub fn label(self) -> &'static str {
        match self {
            Action::Delete => "delete",
            Action::Detach => "detach",
            Action::Kept => "kept",
            Action::AlreadyGone => "already gone",
            Action::Deleted => "deleted",
            Action::Detached => "detached",
            Action::Failed => "failed",
            Action::Skipped => "skipped",
        }
    }

    /// A removal still to do.
    pub fn is_pending(self) -> bool {
        matches!(self, Action::Delete | Action::Detach)
    }

    pub fn is_done(self) -> bool {
        matches!(self, Action::Deleted | Action::Detached)
    }
}

/// What `execute` calls for an item.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    None,
    Assignment {
        application_arn: String,
        principal_id: String,
    },
    Attachment {
        role_name: String,
        policy_arn: String,
    },
    Role {
        name: String,
    },
    Policy {
        arn: String,
        /// Versions other than the default, which IAM wants deleted first.
        other_versions: Vec<String>,
    },
    SamlProvider {
        arn: String,
    },
}

/// One resource teardown looked at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    pub kind: ItemKind,
    /// The user, role, policy or provider name.
    pub name: String,
    pub arn: Option<String>,
    pub action: Action,
    /// Why this action.
    pub reason: String,
    pub details: Vec<String>,
    pub warnings: Vec<String>,
    /// The error with its fix, when the action is `failed`.
    pub error: Option<String>,
    #[serde(skip)]
    target: Target,
}

impl Item {
    fn new(kind: ItemKind, name: &str, arn: Option<String>, action: Action, reason: &str) -> Item {
        Item {
            kind,
            name: name.to_string(),
            arn,
            action,
            reason: reason.to_string(),
            details: Vec::new(),
            warnings: Vec::new(),
            error: None,
            target: Target::None,
        }
    }

    fn with_target(mut self, target: Target) -> Item {
        self.target = target;
        self
    }

    fn gone(kind: ItemKind, name: &str, arn: Option<String>) -> Item {
        Item::new(kind, name, arn, Action::AlreadyGone, "it does not exist")
    }

    fn unreadable(kind: ItemKind, name: &str, arn: Option<String>, error: &CloudError) -> Item {
        let mut item = Item::new(
            kind,
            name,
            arn,
            Action::Failed,
            "could not be checked, so it is left in place",
        );
        item.error = Some(error.to_string());
        item
    }

    /// The ledger key of an assignment item.
    fn assignment(&self) -> Option<(String, String)> {
        match &self.target {
            Target::Assignment {
                application_arn,
                principal_id,
            } => Some((application_arn.clone(), principal_id.clone())),
            _ => None,
        }
    }
}

/// Everything teardown found, before it changes anything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TeardownPlan {
    /// The account of the connect context (the instance's account).
    pub account: String,
    pub instance_id: String,
    /// In the order `execute` works.
    pub items: Vec<Item>,
}

/// What `execute` did, item by item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TeardownReport {
    pub account: String,
    pub instance_id: String,
    pub items: Vec<Item>,
}

fn count(items: &[Item], wanted: impl Fn(Action) -> bool) -> usize {
    items.iter().filter(|i| wanted(i.action)).count()
}

/// Assignments the ledger can forget: removed, or found gone.
fn finished_assignments(items: &[Item], done: impl Fn(Action) -> bool) -> Vec<(String, String)> {
    items
        .iter()
        .filter(|i| done(i.action))
        .filter_map(Item::assignment)
        .collect()
}

impl TeardownPlan {
    /// Removals still to do.
    pub fn pending(&self) -> usize {
        count(&self.items, Action::is_pending)
    }

    /// Items that could not be checked.
    pub fn failed(&self) -> usize {
        count(&self.items, |a| a == Action::Failed)
    }

    /// Ledger entries of this setup whose assignment no longer exists.
    pub fn gone_assignments(&self) -> Vec<(String, String)> {
        finished_assignments(&self.items, |a| a == Action::AlreadyGone)
    }
}

impl TeardownReport {
    pub fn removed(&self) -> usize {
        count(&self.items, Action::is_done)
    }

    /// Items that could not be checked or removed, and those skipped because of them.
    pub fn failed(&self) -> usize {
        count(&self.items, |a| {
            matches!(a, Action::Failed | Action::Skipped)
        })
    }

    /// Assignments to remove from the ledger: removed now, or gone already.
    pub fn forgotten_assignments(&self) -> Vec<(String, String)> {
        finished_assignments(&self.items, |a| {
            matches!(a, Action::Deleted | Action::AlreadyGone)
        })
    }
}

/// Why teardown did not start.
#[derive(Debug, thiserror::Error)]
pub enum TeardownError {
    #[error(transparent)]
    Cloud(#[from] CloudError),
    #[error(
        "the connect context is account {caller} but the instance belongs to account {instance}: use --profile with credentials for account {instance} (teardown only looks in the instance's account)"
    )]
    WrongAccount { caller: String, instance: String },
}

/// Whether tags say connect-sso made the resource for this instance; `Err` gives the reason
/// it is kept.
fn owned(tags: &[Tag], instance_id: &str) -> Result<(), String> {
    let managed = tags
        .iter()
        .any(|t| t.key == MANAGED_BY_KEY && t.value == MANAGED_BY_VALUE);
    if !managed {
        return Err(format!(
            "not created by connect-sso: it has no {MANAGED_BY_KEY}={MANAGED_BY_VALUE} tag"
        ));
    }
    match tags.iter().find(|t| t.key == INSTANCE_TAG_KEY) {
        Some(t) if t.value != instance_id => Err(format!(
            "created by connect-sso for Connect instance {} (tag {INSTANCE_TAG_KEY}), not for this instance {instance_id}",
            t.value
        )),
        _ => Ok(()),
    }
}

const OURS: &str = "created by connect-sso for this instance (tag managed-by=connect-sso)";

/// A listing of something that may have vanished since it was read: missing means empty.
fn or_empty<T: Default>(result: Result<T, CloudError>) -> Result<T, CloudError> {
    match result {
        Err(CloudError::NotFound { .. }) => Ok(T::default()),
        other => other,
    }
}

/// Reads what exists and decides, for each resource, what teardown would do. Changes
/// nothing. `ledger` may hold entries of other setups; only this instance's count.
pub async fn plan_teardown(
    cloud: &dyn Cloud,
    setup: &Setup,
    ledger: &[LedgerEntry],
) -> Result<TeardownPlan, TeardownError> {
    let me = cloud.caller_identity(Context::Connect).await?;
    if me.account != setup.instance.account.as_str() {
        return Err(TeardownError::WrongAccount {
            caller: me.account,
            instance: setup.instance.account.to_string(),
        });
    }
    let instance_id = setup.instance.id.as_str();
    let role_name = setup.role_name.as_str();
    let policy_arn = setup.policy_arn();
    let provider_arn = setup.provider_arn();
    let (role_reads, policy_reads, provider_reads, assignments) = tokio::join!(
        async {
            tokio::join!(
                cloud.get_role(role_name),
                cloud.list_attached_role_policies(role_name),
                cloud.list_role_policies(role_name),
            )
        },
        async {
            tokio::join!(
                cloud.get_policy(&policy_arn),
                cloud.list_policy_versions(&policy_arn),
                cloud.list_entities_for_policy(&policy_arn),
            )
        },
        async { tokio::join!(cloud.get_saml_provider(&provider_arn), cloud.list_roles()) },
        plan_assignments(cloud, instance_id, ledger),
    );

    let mut items = assignments;
    let (role, attached, inline) = role_reads;
    let (role_items, deleted_role) = plan_role(
        setup,
        role,
        or_empty(attached),
        or_empty(inline),
        &policy_arn,
    );
    items.extend(role_items);
    let (policy, versions, entities) = policy_reads;
    items.push(plan_policy(
        setup,
        policy,
        or_empty(versions),
        or_empty(entities),
        deleted_role.as_deref(),
    ));
    let (provider, roles) = provider_reads;
    items.push(plan_provider(
        setup,
        provider,
        roles,
        deleted_role.as_deref(),
    ));
    Ok(TeardownPlan {
        account: me.account,
        instance_id: instance_id.to_string(),
        items,
    })
}

/// The ledger's assignments of this instance, and the other assignments of the same
/// applications (kept).
async fn plan_assignments(
    cloud: &dyn Cloud,
    instance_id: &str,
    ledger: &[LedgerEntry],
) -> Vec<Item> {
    let ours: Vec<&LedgerEntry> = ledger
        .iter()
        .filter(|e| e.instance_id == instance_id)
        .collect();
    let mut applications: Vec<&str> = Vec::new();
    for e in &ours {
        if !applications.contains(&e.application_arn.as_str()) {
            applications.push(&e.application_arn);
        }
    }
    let mut items = Vec::new();
    for application_arn in applications {
        let entries = ours.iter().filter(|e| e.application_arn == application_arn);
        let listed = cloud.list_application_assignments(application_arn).await;
        for e in entries.clone() {
            let target = Target::Assignment {
                application_arn: e.application_arn.clone(),
                principal_id: e.principal_id.clone(),
            };
            let arn = Some(application_arn.to_string());
            let item = match &listed {
                Ok(assigned) if assigned.iter().any(|a| a.principal_id == e.principal_id) => {
                    let mut item = Item::new(
                        ItemKind::ApplicationAssignment,
                        &e.user_name,
                        arn,
                        Action::Delete,
                        &format!(
                            "assigned by connect-sso on {} (recorded in the ledger)",
                            e.created_at
                        ),
                    );
                    item.details.push(format!("user id {}", e.principal_id));
                    item
                }
                Ok(_) => Item::new(
                    ItemKind::ApplicationAssignment,
                    &e.user_name,
                    arn,
                    Action::AlreadyGone,
                    "the user is no longer assigned to the application",
                ),
                Err(CloudError::NotFound { .. }) => Item::new(
                    ItemKind::ApplicationAssignment,
                    &e.user_name,
                    arn,
                    Action::AlreadyGone,
                    "the application no longer exists",
                ),
                Err(error) => {
                    Item::unreadable(ItemKind::ApplicationAssignment, &e.user_name, arn, error)
                }
            };
            items.push(item.with_target(target));
        }
        // Assignments of the same application that connect-sso did not make for this setup.
        let Ok(assigned) = &listed else { continue };
        for a in assigned {
            if entries.clone().any(|e| e.principal_id == a.principal_id) {
                continue;
            }
            let reason = match ledger
                .iter()
                .find(|e| e.application_arn == application_arn && e.principal_id == a.principal_id)
            {
                Some(other) => format!(
                    "assigned by connect-sso for Connect instance {}, not this one",
                    other.instance_id
                ),
                None => "not made by connect-sso (not in its ledger): assigned by hand or by another tool".to_string(),
            };
            items.push(Item::new(
                ItemKind::ApplicationAssignment,
                &format!("{} {}", a.principal_type.to_lowercase(), a.principal_id),
                Some(application_arn.to_string()),
                Action::Kept,
                &reason,
            ));
        }
    }
    items
}

/// The role and the policies to detach from it first; also the role's name when it is to
/// be deleted (its attachments then no longer hold the policy).
fn plan_role(
    setup: &Setup,
    role: Result<Option<Role>, CloudError>,
    attached: Result<Vec<AttachedPolicy>, CloudError>,
    inline: Result<Vec<String>, CloudError>,
    policy_arn: &str,
) -> (Vec<Item>, Option<String>) {
    let name = setup.role_name.as_str();
    let arn = Some(setup.role_arn());
    let role = match role {
        Err(e) => return (vec![Item::unreadable(ItemKind::Role, name, arn, &e)], None),
        Ok(None) => return (vec![Item::gone(ItemKind::Role, name, arn)], None),
        Ok(Some(role)) => role,
    };
    let arn = Some(role.arn.clone());
    if let Err(reason) = owned(&role.tags, setup.instance.id.as_str()) {
        return (
            vec![Item::new(
                ItemKind::Role,
                &role.name,
                arn,
                Action::Kept,
                &reason,
            )],
            None,
        );
    }
    let (attached, inline) = match (attached, inline) {
        (Err(e), _) | (_, Err(e)) => {
            return (
                vec![Item::unreadable(ItemKind::Role, &role.name, arn, &e)],
                None,
            );
        }
        (Ok(a), Ok(i)) => (a, i),
    };
    if !inline.is_empty() {
        let reason = format!(
            "it has inline policies ({}), which connect-sso never adds: someone changed the role by hand. To remove it, delete those in the IAM console (Roles › {} › Permissions), then run teardown again",
            inline.join(", "),
            role.name
        );
        return (
            vec![Item::new(
                ItemKind::Role,
                &role.name,
                arn,
                Action::Kept,
                &reason,
            )],
            None,
        );
    }
    let mut items: Vec<Item> = attached
        .iter()
        .map(|p| {
            let reason = if p.arn == policy_arn {
                "IAM deletes a role only once no policy is attached to it"
            } else {
                "attached to the role by someone else; IAM deletes a role only once no policy is attached to it (the policy itself stays)"
            };
            Item::new(
                ItemKind::PolicyAttachment,
                &format!("{} on role {}", p.name, role.name),
                Some(p.arn.clone()),
                Action::Detach,
                reason,
            )
            .with_target(Target::Attachment {
                role_name: role.name.clone(),
                policy_arn: p.arn.clone(),
            })
        })
        .collect();
    items.push(
        Item::new(ItemKind::Role, &role.name, arn, Action::Delete, OURS).with_target(
            Target::Role {
                name: role.name.clone(),
            },
        ),
    );
    (items, Some(role.name))
}

fn plan_policy(
    setup: &Setup,
    policy: Result<Option<super::ManagedPolicy>, CloudError>,
    versions: Result<Vec<PolicyVersion>, CloudError>,
    entities: Result<PolicyEntities, CloudError>,
    deleted_role: Option<&str>,
) -> Item {
    let name = setup.policy_name.as_str();
    let arn = Some(setup.policy_arn());
    let policy = match policy {
        Err(e) => return Item::unreadable(ItemKind::Policy, name, arn, &e),
        Ok(None) => return Item::gone(ItemKind::Policy, name, arn),
        Ok(Some(p)) => p,
    };
    let arn = Some(policy.arn.clone());
    if let Err(reason) = owned(&policy.tags, setup.instance.id.as_str()) {
        return Item::new(ItemKind::Policy, &policy.name, arn, Action::Kept, &reason);
    }
    let (versions, entities) = match (versions, entities) {
        (Err(e), _) | (_, Err(e)) => {
            return Item::unreadable(ItemKind::Policy, &policy.name, arn, &e);
        }
        (Ok(v), Ok(e)) => (v, e),
    };
    // The role teardown deletes has the policy detached first; anything else holds it.
    let holders: Vec<String> = entities
        .roles
        .iter()
        .filter(|r| deleted_role.is_none_or(|d| !d.eq_ignore_ascii_case(r)))
        .map(|r| format!("role {r}"))
        .chain(entities.users.iter().map(|u| format!("user {u}")))
        .chain(entities.groups.iter().map(|g| format!("group {g}")))
        .collect();
    if !holders.is_empty() {
        let reason = format!(
            "still attached to {}: IAM deletes a policy only once nothing uses it. Detach it there first (IAM console › Policies › {} › Entities attached), then run teardown again",
            holders.join(", "),
            policy.name
        );
        return Item::new(ItemKind::Policy, &policy.name, arn, Action::Kept, &reason);
    }
    let mut other_versions: Vec<&PolicyVersion> =
        versions.iter().filter(|v| !v.is_default).collect();
    other_versions.sort_by_key(|v| v.created);
    let other_versions: Vec<String> = other_versions
        .iter()
        .map(|v| v.version_id.clone())
        .collect();
    let mut item = Item::new(ItemKind::Policy, &policy.name, arn, Action::Delete, OURS);
    if !other_versions.is_empty() {
        item.details.push(format!(
            "versions {} first (IAM requires it); the default version {} goes with the policy",
            other_versions.join(", "),
            policy.default_version_id
        ));
    }
    item.with_target(Target::Policy {
        arn: policy.arn,
        other_versions,
    })
}

fn plan_provider(
    setup: &Setup,
    provider: Result<Option<super::SamlProvider>, CloudError>,
    roles: Result<Vec<Role>, CloudError>,
    deleted_role: Option<&str>,
) -> Item {
    let name = setup.provider_name.as_str();
    let arn = setup.provider_arn();
    let provider = match provider {
        Err(e) => return Item::unreadable(ItemKind::SamlProvider, name, Some(arn), &e),
        Ok(None) => return Item::gone(ItemKind::SamlProvider, name, Some(arn)),
        Ok(Some(p)) => p,
    };
    if let Err(reason) = owned(&provider.tags, setup.instance.id.as_str()) {
        return Item::new(
            ItemKind::SamlProvider,
            name,
            Some(provider.arn),
            Action::Kept,
            &reason,
        );
    }
    let mut item = Item::new(
        ItemKind::SamlProvider,
        name,
        Some(provider.arn.clone()),
        Action::Delete,
        OURS,
    );
    match roles {
        Ok(roles) => {
            for r in roles
                .iter()
                .filter(|r| deleted_role.is_none_or(|d| !d.eq_ignore_ascii_case(&r.name)))
                .filter(|r| crate::domain::policy::names_provider(&r.trust_policy, &provider.arn))
            {
                item.warnings.push(format!(
                    "role {} also trusts this SAML provider: sign-in through that role stops working once the provider is deleted",
                    r.name
                ));
            }
        }
        Err(e) => item.warnings.push(format!(
            "could not check which other roles trust this SAML provider: {e}"
        )),
    }
    item.with_target(Target::SamlProvider { arn: provider.arn })
}

/// Sets an item's outcome from the call that removed it. Something someone else removed
/// meanwhile counts as gone.
fn settle(item: &mut Item, result: Result<(), CloudError>, done: Action) {
    match result {
        Ok(()) => item.action = done,
        Err(CloudError::NotFound { .. }) => {
            item.action = Action::AlreadyGone;
            item.reason = "it was removed meanwhile by someone else".to_string();
        }
        Err(e) => {
            item.action = Action::Failed;
            item.error = Some(e.to_string());
        }
    }
}

/// Removes every item the plan marks `delete` or `detach`, in the plan's order. An item
/// that fails is reported with its fix; only what depends on it (the role on its detached
/// policies, the policy on its detachment) is skipped, everything else still runs.
pub async fn execute(cloud: &dyn Cloud, plan: &TeardownPlan) -> TeardownReport {
    let mut items = plan.items.clone();
    // (role, policy ARN) pairs that are still attached after a failed detach.
    let mut still_attached: Vec<(String, String)> = Vec::new();
    for item in &mut items {
        if !item.action.is_pending() {
            continue;
        }
        match item.target.clone() {
            Target::None => {}
            Target::Assignment {
                application_arn,
                principal_id,
            } => {
                let result = cloud
                    .delete_application_assignment(&application_arn, &principal_id)
                    .await;
                settle(item, result, Action::Deleted);
            }
            Target::Attachment {
                role_name,
                policy_arn,
            } => {
                let result = cloud.detach_role_policy(&role_name, &policy_arn).await;
                settle(item, result, Action::Detached);
                if item.action == Action::Failed {
                    still_attached.push((role_name, policy_arn));
                }
            }
            Target::Role { name } => {
                let blocking: Vec<&str> = still_attached
                    .iter()
                    .filter(|(r, _)| r == &name)
                    .map(|(_, p)| p.as_str())
                    .collect();
                if blocking.is_empty() {
                    let result = cloud.delete_role(&name).await;
                    settle(item, result, Action::Deleted);
                } else {
                    item.action = Action::Skipped;
                    item.reason = format!(
                        "not attempted: {} could not be detached from it (see above)",
                        blocking.join(", ")
                    );
                }
            }
            Target::Policy {
                arn,
                other_versions,
            } => {
                if let Some((role, _)) = still_attached.iter().find(|(_, p)| p == &arn) {
                    item.action = Action::Skipped;
                    item.reason = format!(
                        "not attempted: it could not be detached from role {role} (see above)"
                    );
                    continue;
                }
                let mut result = Ok(());
                for version in &other_versions {
                    match cloud.delete_policy_version(&arn, version).await {
                        Ok(()) | Err(CloudError::NotFound { .. }) => {}
                        Err(e) => {
                            result = Err(e);
                            break;
                        }
                    }
                }
                if result.is_ok() {
                    result = cloud.delete_policy(&arn).await;
                }
                settle(item, result, Action::Deleted);
            }
            Target::SamlProvider { arn } => {
                let result = cloud.delete_saml_provider(&arn).await;
                settle(item, result, Action::Deleted);
            }
        }
    }
    TeardownReport {
        account: plan.account.clone(),
        instance_id: plan.instance_id.clone(),
        items,
    }
}

/// The ledger entries for the assignments `apply` created (step 11).
pub fn created_assignments(
    setup: &Setup,
    application_arn: &str,
    users: &[UserOutcome],
    now: time::OffsetDateTime,
) -> Vec<LedgerEntry> {
    let created_at = now
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    users
        .iter()
        .filter(|u| u.assignment == Some(Change::Created))
        .filter_map(|u| {
            Some(LedgerEntry {
                application_arn: application_arn.to_string(),
                principal_id: u.user_id.clone()?,
                user_name: u.requested.clone(),
                instance_id: setup.instance.id.as_str().to_string(),
                created_at: created_at.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::cloud::apply::{UserRequest, apply};
    use crate::cloud::managed_tags;
    use crate::cloud::sandbox::{
        Fault, FaultKind, SANDBOX_INSTANCE_ARN, SANDBOX_INSTANCE_ID, SANDBOX_METADATA,
        SANDBOX_USERS, Sandbox,
    };
    use crate::domain::setup::Answers;

    const OTHER_INSTANCE: &str = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

    fn setup() -> Setup {
        Setup::from_answers(&Answers {
            instance_arn: Some(SANDBOX_INSTANCE_ARN.to_string()),
            app_name: Some("Workshop Connect".into()),
            ..Answers::default()
        })
        .unwrap()
    }

    fn now() -> time::OffsetDateTime {
        time::macros::datetime!(2025-03-04 05:06:07 UTC)
    }

    /// Runs `apply` for `users` (step 1 done by hand first) and returns the ledger entries
    /// it would record.
    async fn applied(sb: &Sandbox, setup: &Setup, users: &[&str]) -> Vec<LedgerEntry> {
        if sb.snapshot().applications.is_empty() {
            sb.simulate_create_application(setup.app_name.as_str());
        }
        let people = UserRequest {
            users: users.iter().map(|u| u.to_string()).collect(),
            create_connect_users: None,
        };
        let report = apply(sb, setup, SANDBOX_METADATA, &people, false)
            .await
            .unwrap();
        let app = report.applications.first().map(|a| a.arn.clone());
        created_assignments(setup, &app.unwrap_or_default(), &report.users, now())
    }

    fn actions(items: &[Item]) -> Vec<(ItemKind, Action)> {
        items.iter().map(|i| (i.kind, i.action)).collect()
    }

    fn item(items: &[Item], kind: ItemKind) -> &Item {
        items
            .iter()
            .find(|i| i.kind == kind)
            .unwrap_or_else(|| panic!("no {kind:?} in {items:#?}"))
    }

    fn writes(sb: &Sandbox) -> Vec<String> {
        sb.calls()
            .into_iter()
            .filter(|c| {
                let op = c.split(':').nth(1).unwrap_or_default();
                ["Create", "Update", "Attach", "Detach", "Delete", "Put"]
                    .iter()
                    .any(|w| op.starts_with(w))
            })
            .collect()
    }

    /// The ledger after a run forgot what it removed.
    fn remaining(ledger: &[LedgerEntry], forgotten: &[(String, String)]) -> Vec<LedgerEntry> {
        ledger
            .iter()
            .filter(|e| !forgotten.iter().any(|(a, p)| e.same_assignment(a, p)))
            .cloned()
            .collect()
    }

    #[tokio::test]
    async fn apply_then_teardown_removes_exactly_what_apply_made_and_a_second_run_does_nothing() {
        let sb = Sandbox::new();
        let setup = setup();
        let app = sb.simulate_create_application(setup.app_name.as_str());
        // Assigned by hand before connect-sso ran: not in the ledger, so kept.
        let by_hand = SANDBOX_USERS[2].user_id;
        sb.create_application_assignment(&app, by_hand)
            .await
            .unwrap();
        let unrelated = sb
            .create_policy("Unrelated", &setup.permissions_policy(), &[])
            .await
            .unwrap();
        let ledger = applied(
            &sb,
            &setup,
            &[SANDBOX_USERS[0].user_name, SANDBOX_USERS[1].email],
        )
        .await;
        assert_eq!(ledger.len(), 2, "{ledger:#?}");
        assert_eq!(ledger[0].user_name, SANDBOX_USERS[0].user_name);
        assert_eq!(ledger[0].instance_id, SANDBOX_INSTANCE_ID);
        assert_eq!(ledger[0].created_at, "2025-03-04T05:06:07Z");

        let before = sb.snapshot();
        let plan = plan_teardown(&sb, &setup, &ledger).await.unwrap();
        assert_eq!(sb.snapshot(), before, "planning changes nothing");
        assert_eq!(
            actions(&plan.items),
            [
                (ItemKind::ApplicationAssignment, Action::Delete),
                (ItemKind::ApplicationAssignment, Action::Delete),
                (ItemKind::ApplicationAssignment, Action::Kept),
                (ItemKind::PolicyAttachment, Action::Detach),
                (ItemKind::Role, Action::Delete),
                (ItemKind::Policy, Action::Delete),
                (ItemKind::SamlProvider, Action::Delete),
            ]
        );
        assert_eq!(plan.pending(), 6);
        assert_eq!(plan.failed(), 0);
        assert!(plan.items[2].name.contains(by_hand), "{:#?}", plan.items[2]);
        assert!(plan.items[2].reason.contains("by hand"));
        assert_eq!(
            plan.items[4].arn.as_deref(),
            Some(setup.role_arn().as_str())
        );
        assert!(
            plan.items.iter().all(|i| i.warnings.is_empty()),
            "{plan:#?}"
        );

        sb.clear_calls();
        let report = execute(&sb, &plan).await;
        assert_eq!(report.failed(), 0, "{report:#?}");
        assert_eq!(report.removed(), 6);
        assert_eq!(
            writes(&sb),
            [
                "sso:DeleteApplicationAssignment",
                "sso:DeleteApplicationAssignment",
                "iam:DetachRolePolicy",
                "iam:DeleteRole",
                "iam:DeletePolicy",
                "iam:DeleteSAMLProvider",
            ]
        );
        let after = sb.snapshot();
        assert!(after.saml_providers.is_empty());
        assert!(after.roles.is_empty());
        let policies: Vec<&str> = after
            .policies
            .iter()
            .map(|p| p.policy.arn.as_str())
            .collect();
        assert_eq!(policies, [unrelated.as_str()]);
        let assigned: Vec<&str> = after.applications[0]
            .assignments
            .iter()
            .map(|a| a.principal_id.as_str())
            .collect();
        assert_eq!(assigned, [by_hand]);
        // Everything else about the account is as before.
        assert_eq!(after.connect_instances, before.connect_instances);

        let forgotten = report.forgotten_assignments();
        assert_eq!(forgotten.len(), 2);
        let ledger = remaining(&ledger, &forgotten);
        assert!(ledger.is_empty());

        sb.clear_calls();
        let again = plan_teardown(&sb, &setup, &ledger).await.unwrap();
        assert_eq!(again.pending(), 0, "{again:#?}");
        assert_eq!(
            actions(&again.items),
            [
                (ItemKind::Role, Action::AlreadyGone),
                (ItemKind::Policy, Action::AlreadyGone),
                (ItemKind::SamlProvider, Action::AlreadyGone),
            ]
        );
        let report = execute(&sb, &again).await;
        assert_eq!((report.removed(), report.failed()), (0, 0));
        assert!(writes(&sb).is_empty(), "{:?}", writes(&sb));
    }

    #[tokio::test]
    async fn a_ledger_that_was_not_updated_finds_its_assignments_gone() {
        let sb = Sandbox::new();
        let setup = setup();
        let ledger = applied(&sb, &setup, &[SANDBOX_USERS[0].user_name]).await;
        let report = execute(&sb, &plan_teardown(&sb, &setup, &ledger).await.unwrap()).await;
        assert_eq!(report.failed(), 0);
        // The same ledger again, as when writing it failed last time.
        let again = plan_teardown(&sb, &setup, &ledger).await.unwrap();
        assert_eq!(again.pending(), 0);
        let assignment = item(&again.items, ItemKind::ApplicationAssignment);
        assert_eq!(assignment.action, Action::AlreadyGone);
        assert_eq!(
            again.gone_assignments(),
            [(
                ledger[0].application_arn.clone(),
                ledger[0].principal_id.clone()
            )]
        );
    }

    #[tokio::test]
    async fn resources_with_the_names_but_without_the_tag_are_never_touched() {
        let sb = Sandbox::new();
        let setup = setup();
        let provider = sb
            .create_saml_provider(setup.provider_name.as_str(), SANDBOX_METADATA, &[])
            .await
            .unwrap();
        let policy = sb
            .create_policy(
                setup.policy_name.as_str(),
                &setup.permissions_policy(),
                &[Tag::new("team", "contact-center")],
            )
            .await
            .unwrap();
        sb.create_role(setup.role_name.as_str(), &setup.trust_policy(), &[])
            .await
            .unwrap();
        sb.attach_role_policy(setup.role_name.as_str(), &policy)
            .await
            .unwrap();
        assert_eq!(provider, setup.provider_arn());

        let before = sb.snapshot();
        let plan = plan_teardown(&sb, &setup, &[]).await.unwrap();
        assert_eq!(
            actions(&plan.items),
            [
                (ItemKind::Role, Action::Kept),
                (ItemKind::Policy, Action::Kept),
                (ItemKind::SamlProvider, Action::Kept),
            ]
        );
        for i in &plan.items {
            assert!(i.reason.starts_with("not created by connect-sso"), "{i:#?}");
            assert!(i.reason.contains("managed-by=connect-sso"), "{i:#?}");
        }
        sb.clear_calls();
        let report = execute(&sb, &plan).await;
        assert_eq!((report.removed(), report.failed()), (0, 0));
        assert!(writes(&sb).is_empty());
        assert_eq!(sb.snapshot(), before);
    }

    #[tokio::test]
    async fn resources_of_another_instance_are_kept() {
        let sb = Sandbox::new();
        let setup = setup();
        let other = managed_tags(OTHER_INSTANCE);
        sb.create_saml_provider(setup.provider_name.as_str(), SANDBOX_METADATA, &other)
            .await
            .unwrap();
        let policy = sb
            .create_policy(
                setup.policy_name.as_str(),
                &setup.permissions_policy(),
                &other,
            )
            .await
            .unwrap();
        sb.create_role(setup.role_name.as_str(), &setup.trust_policy(), &other)
            .await
            .unwrap();
        sb.attach_role_policy(setup.role_name.as_str(), &policy)
            .await
            .unwrap();
        let before = sb.snapshot();
        let plan = plan_teardown(&sb, &setup, &[]).await.unwrap();
        assert_eq!(plan.pending(), 0, "{plan:#?}");
        for i in &plan.items {
            assert_eq!(i.action, Action::Kept, "{i:#?}");
            assert!(i.reason.contains(OTHER_INSTANCE), "{i:#?}");
            assert!(i.reason.contains(SANDBOX_INSTANCE_ID), "{i:#?}");
        }
        execute(&sb, &plan).await;
        assert_eq!(sb.snapshot(), before);
    }

    #[tokio::test]
    async fn a_managed_tag_without_an_instance_tag_is_enough() {
        let sb = Sandbox::new();
        let setup = setup();
        sb.create_saml_provider(
            setup.provider_name.as_str(),
            SANDBOX_METADATA,
            &[Tag::new(MANAGED_BY_KEY, MANAGED_BY_VALUE)],
        )
        .await
        .unwrap();
        // A managed-by tag with another value is not connect-sso's.
        sb.create_policy(
            setup.policy_name.as_str(),
            &setup.permissions_policy(),
            &[Tag::new(MANAGED_BY_KEY, "terraform")],
        )
        .await
        .unwrap();
        let plan = plan_teardown(&sb, &setup, &[]).await.unwrap();
        assert_eq!(
            item(&plan.items, ItemKind::SamlProvider).action,
            Action::Delete
        );
        assert_eq!(item(&plan.items, ItemKind::Policy).action, Action::Kept);
        let report = execute(&sb, &plan).await;
        assert_eq!(report.removed(), 1);
        assert!(sb.snapshot().saml_providers.is_empty());
        assert_eq!(sb.snapshot().policies.len(), 1);
    }

    #[tokio::test]
    async fn a_policy_attached_to_another_role_is_kept_and_said_so() {
        let sb = Sandbox::new();
        let setup = setup();
        applied(&sb, &setup, &[]).await;
        sb.create_role("Other", &setup.trust_policy(), &[])
            .await
            .unwrap();
        sb.attach_role_policy("Other", &setup.policy_arn())
            .await
            .unwrap();

        let plan = plan_teardown(&sb, &setup, &[]).await.unwrap();
        assert_eq!(
            actions(&plan.items),
            [
                (ItemKind::PolicyAttachment, Action::Detach),
                (ItemKind::Role, Action::Delete),
                (ItemKind::Policy, Action::Kept),
                (ItemKind::SamlProvider, Action::Delete),
            ]
        );
        let policy = item(&plan.items, ItemKind::Policy);
        assert!(
            policy.reason.contains("still attached to role Other"),
            "{policy:#?}"
        );
        let provider = item(&plan.items, ItemKind::SamlProvider);
        assert_eq!(provider.warnings.len(), 1, "{provider:#?}");
        assert!(provider.warnings[0].contains("role Other also trusts"));

        let report = execute(&sb, &plan).await;
        assert_eq!(report.failed(), 0, "{report:#?}");
        let snap = sb.snapshot();
        assert_eq!(snap.policies.len(), 1);
        let roles: Vec<&str> = snap.roles.iter().map(|r| r.role.name.as_str()).collect();
        assert_eq!(roles, ["Other"]);
        assert_eq!(snap.roles[0].attached_policies[0].arn, setup.policy_arn());
    }

    #[tokio::test]
    async fn other_policies_on_the_role_are_detached_but_stay() {
        let sb = Sandbox::new();
        let setup = setup();
        applied(&sb, &setup, &[]).await;
        let extra = sb
            .create_policy("Extra", &setup.permissions_policy(), &[])
            .await
            .unwrap();
        sb.attach_role_policy(setup.role_name.as_str(), &extra)
            .await
            .unwrap();
        let plan = plan_teardown(&sb, &setup, &[]).await.unwrap();
        let detaches: Vec<&Item> = plan
            .items
            .iter()
            .filter(|i| i.kind == ItemKind::PolicyAttachment)
            .collect();
        assert_eq!(detaches.len(), 2);
        assert!(detaches[1].reason.contains("the policy itself stays"));
        let report = execute(&sb, &plan).await;
        assert_eq!(report.failed(), 0, "{report:#?}");
        let snap = sb.snapshot();
        assert!(snap.roles.is_empty());
        let policies: Vec<&str> = snap
            .policies
            .iter()
            .map(|p| p.policy.arn.as_str())
            .collect();
        assert_eq!(policies, [extra.as_str()]);
    }

    #[tokio::test]
    async fn inline_policies_keep_the_role_and_so_its_policy() {
        let sb = Sandbox::new();
        let setup = setup();
        applied(&sb, &setup, &[]).await;
        sb.simulate_put_role_policy(
            setup.role_name.as_str(),
            "HandMade",
            &setup.permissions_policy(),
        )
        .unwrap();
        let plan = plan_teardown(&sb, &setup, &[]).await.unwrap();
        assert_eq!(
            actions(&plan.items),
            [
                (ItemKind::Role, Action::Kept),
                (ItemKind::Policy, Action::Kept),
                (ItemKind::SamlProvider, Action::Delete),
            ]
        );
        let role = item(&plan.items, ItemKind::Role);
        assert!(
            role.reason.contains("inline policies (HandMade)"),
            "{role:#?}"
        );
        let policy = item(&plan.items, ItemKind::Policy);
        assert!(
            policy.reason.contains(&format!("role {}", setup.role_name)),
            "{policy:#?}"
        );
        let provider = item(&plan.items, ItemKind::SamlProvider);
        assert!(
            provider.warnings[0].contains(&format!("role {} also trusts", setup.role_name)),
            "{provider:#?}"
        );
    }

    #[tokio::test]
    async fn other_policy_versions_go_first() {
        let sb = Sandbox::new();
        let setup = setup();
        applied(&sb, &setup, &[]).await;
        let arn = setup.policy_arn();
        let widened = json!({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "connect:*", "Resource": "*"}]
        });
        sb.create_policy_version(&arn, &widened, false)
            .await
            .unwrap();
        sb.create_policy_version(&arn, &setup.permissions_policy(), true)
            .await
            .unwrap();
        let plan = plan_teardown(&sb, &setup, &[]).await.unwrap();
        let policy = item(&plan.items, ItemKind::Policy);
        assert_eq!(policy.action, Action::Delete);
        assert_eq!(
            policy.details,
            [
                "versions v1, v2 first (IAM requires it); the default version v3 goes with the policy"
            ]
        );
        sb.clear_calls();
        let report = execute(&sb, &plan).await;
        assert_eq!(report.failed(), 0, "{report:#?}");
        let policy_calls: Vec<String> = writes(&sb)
            .into_iter()
            .filter(|c| c.contains("Policy") && !c.contains("RolePolicy"))
            .collect();
        assert_eq!(
            policy_calls,
            [
                "iam:DeletePolicyVersion",
                "iam:DeletePolicyVersion",
                "iam:DeletePolicy"
            ]
        );
        assert!(sb.snapshot().policies.is_empty());
    }

    #[tokio::test]
    async fn a_failed_deletion_is_reported_the_rest_is_done_and_a_rerun_finishes() {
        let sb = Sandbox::new();
        let setup = setup();
        let ledger = applied(&sb, &setup, &[SANDBOX_USERS[0].user_name]).await;
        sb.inject_fault(Fault::new(FaultKind::AccessDenied, "iam:DeleteRole", None));
        let plan = plan_teardown(&sb, &setup, &ledger).await.unwrap();
        let report = execute(&sb, &plan).await;
        assert_eq!(
            actions(&report.items),
            [
                (ItemKind::ApplicationAssignment, Action::Deleted),
                (ItemKind::PolicyAttachment, Action::Detached),
                (ItemKind::Role, Action::Failed),
                (ItemKind::Policy, Action::Deleted),
                (ItemKind::SamlProvider, Action::Deleted),
            ]
        );
        assert_eq!(report.failed(), 1);
        let error = item(&report.items, ItemKind::Role).error.clone().unwrap();
        assert!(error.contains("iam:DeleteRole"), "{error}");
        assert!(error.contains("Grant iam:DeleteRole"), "{error}");

        sb.clear_faults();
        let ledger = remaining(&ledger, &report.forgotten_assignments());
        assert!(ledger.is_empty());
        let plan = plan_teardown(&sb, &setup, &ledger).await.unwrap();
        assert_eq!(
            actions(&plan.items),
            [
                (ItemKind::Role, Action::Delete),
                (ItemKind::Policy, Action::AlreadyGone),
                (ItemKind::SamlProvider, Action::AlreadyGone),
            ]
        );
        let report = execute(&sb, &plan).await;
        assert_eq!((report.removed(), report.failed()), (1, 0));
        let plan = plan_teardown(&sb, &setup, &ledger).await.unwrap();
        assert_eq!(plan.pending(), 0);
        assert!(sb.snapshot().roles.is_empty());
    }

    #[tokio::test]
    async fn a_failed_detach_skips_the_role_and_the_policy_only() {
        let sb = Sandbox::new();
        let setup = setup();
        let ledger = applied(&sb, &setup, &[SANDBOX_USERS[0].user_name]).await;
        sb.inject_fault(Fault::new(
            FaultKind::Throttle,
            "iam:DetachRolePolicy",
            Some(1),
        ));
        let plan = plan_teardown(&sb, &setup, &ledger).await.unwrap();
        let report = execute(&sb, &plan).await;
        assert_eq!(
            actions(&report.items),
            [
                (ItemKind::ApplicationAssignment, Action::Deleted),
                (ItemKind::PolicyAttachment, Action::Failed),
                (ItemKind::Role, Action::Skipped),
                (ItemKind::Policy, Action::Skipped),
                (ItemKind::SamlProvider, Action::Deleted),
            ]
        );
        assert_eq!(report.failed(), 3);
        assert!(
            item(&report.items, ItemKind::Role)
                .reason
                .starts_with("not attempted")
        );
        // The fault was for one call: a rerun finishes.
        let plan = plan_teardown(&sb, &setup, &[]).await.unwrap();
        let report = execute(&sb, &plan).await;
        assert_eq!((report.removed(), report.failed()), (3, 0), "{report:#?}");
        let snap = sb.snapshot();
        assert!(snap.roles.is_empty() && snap.policies.is_empty());
    }

    #[tokio::test]
    async fn a_read_that_fails_leaves_that_resource_and_plans_the_rest() {
        let sb = Sandbox::new();
        let setup = setup();
        applied(&sb, &setup, &[]).await;
        sb.inject_fault(Fault::new(FaultKind::AccessDenied, "iam:GetPolicy", None));
        let plan = plan_teardown(&sb, &setup, &[]).await.unwrap();
        assert_eq!(plan.failed(), 1);
        let policy = item(&plan.items, ItemKind::Policy);
        assert_eq!(policy.action, Action::Failed);
        assert!(policy.error.as_deref().unwrap().contains("iam:GetPolicy"));
        let report = execute(&sb, &plan).await;
        assert_eq!(report.failed(), 1);
        // The policy is still there; the role and the provider are gone.
        let snap = sb.snapshot();
        assert_eq!(snap.policies.len(), 1);
        assert!(snap.roles.is_empty() && snap.saml_providers.is_empty());
    }

    #[tokio::test]
    async fn the_ledger_decides_which_assignments_go() {
        let sb = Sandbox::new();
        let setup = setup();
        let ledger = applied(
            &sb,
            &setup,
            &[SANDBOX_USERS[0].user_name, SANDBOX_USERS[1].user_name],
        )
        .await;
        // The second one was recorded for another instance's setup.
        let mut mixed = ledger.clone();
        mixed[1].instance_id = OTHER_INSTANCE.to_string();
        // And a record of an application that no longer exists.
        let mut vanished = ledger[0].clone();
        vanished.application_arn =
            "arn:aws:sso::111122223333:application/ssoins-7223a1b2c3d4e5f6/apl-0000000000000000"
                .to_string();
        mixed.push(vanished.clone());

        let plan = plan_teardown(&sb, &setup, &mixed).await.unwrap();
        let assignments: Vec<(Action, &str)> = plan
            .items
            .iter()
            .filter(|i| i.kind == ItemKind::ApplicationAssignment)
            .map(|i| (i.action, i.reason.as_str()))
            .collect();
        assert_eq!(assignments.len(), 3, "{assignments:#?}");
        assert_eq!(assignments[0].0, Action::Delete);
        assert_eq!(assignments[1].0, Action::Kept);
        assert!(assignments[1].1.contains(OTHER_INSTANCE), "{assignments:?}");
        assert_eq!(
            assignments[2],
            (Action::AlreadyGone, "the application no longer exists")
        );
        assert_eq!(
            plan.gone_assignments(),
            [(vanished.application_arn, vanished.principal_id)]
        );
    }

    #[tokio::test]
    async fn teardown_looks_only_in_the_instance_account() {
        let sb = Sandbox::new();
        let setup = Setup::from_answers(&Answers {
            instance_arn: Some(
                "arn:aws:connect:us-east-1:999999999999:instance/5f8c2a4e-1b3d-4c6e-9a7b-2d4f6e8a0c1b"
                    .to_string(),
            ),
            ..Answers::default()
        })
        .unwrap();
        let err = plan_teardown(&sb, &setup, &[]).await.unwrap_err();
        assert!(matches!(err, TeardownError::WrongAccount { .. }), "{err:?}");
        assert!(err.to_string().contains("999999999999"));
        assert_eq!(sb.calls(), ["sts:GetCallerIdentity"]);
    }

    #[tokio::test]
    async fn every_call_of_a_teardown_is_in_the_permissions_policy() {
        use crate::domain::operator;
        let sb = Sandbox::new();
        let setup = setup();
        let ledger = applied(&sb, &setup, &[SANDBOX_USERS[0].user_name]).await;
        sb.create_policy_version(&setup.policy_arn(), &setup.permissions_policy(), true)
            .await
            .unwrap();
        sb.clear_calls();
        let report = execute(&sb, &plan_teardown(&sb, &setup, &ledger).await.unwrap()).await;
        assert_eq!(report.failed(), 0);
        let granted: Vec<String> = [
            operator::connect_policy(Some(&setup)),
            operator::identity_policy(),
        ]
        .iter()
        .flat_map(|p| p["Statement"].as_array().unwrap().clone())
        .flat_map(|s| s["Action"].as_array().unwrap().clone())
        .map(|a| a.as_str().unwrap().to_string())
        .collect();
        for call in sb.calls() {
            assert!(
                granted.contains(&call),
                "{call} is not in `connect-sso permissions`"
            );
        }
    }

    #[test]
    fn only_created_assignments_are_recorded() {
        let setup = setup();
        let outcome = |id: Option<&str>, change: Option<Change>| UserOutcome {
            requested: "someone".to_string(),
            user_id: id.map(str::to_string),
            connect_username: None,
            assignment: change,
            connect_user: None,
            problems: Vec::new(),
        };
        let users = [
            outcome(Some("u-1"), Some(Change::Created)),
            outcome(Some("u-2"), Some(Change::Unchanged)),
            outcome(Some("u-3"), Some(Change::WouldCreate)),
            outcome(None, None),
        ];
        let entries = created_assignments(&setup, "arn:app", &users, now());
        assert_eq!(
            entries,
            [LedgerEntry {
                application_arn: "arn:app".to_string(),
                principal_id: "u-1".to_string(),
                user_name: "someone".to_string(),
                instance_id: SANDBOX_INSTANCE_ID.to_string(),
                created_at: "2025-03-04T05:06:07Z".to_string(),
            }]
        );
    }

    #[test]
    fn items_serialize_without_their_target() {
        let item = Item::new(
            ItemKind::SamlProvider,
            "IdC",
            Some("arn:aws:iam::1:saml-provider/IdC".to_string()),
            Action::AlreadyGone,
            "it does not exist",
        )
        .with_target(Target::SamlProvider {
            arn: "x".to_string(),
        });
        assert_eq!(
            serde_json::to_value(&item).unwrap(),
            json!({
                "kind": "saml_provider",
                "name": "IdC",
                "arn": "arn:aws:iam::1:saml-provider/IdC",
                "action": "already_gone",
                "reason": "it does not exist",
                "details": [],
                "warnings": [],
                "error": null
            })
        );
    }
}
