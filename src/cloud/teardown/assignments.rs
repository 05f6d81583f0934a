//! Application assignments, which cannot carry tags: the ledger says which are connect-sso's
//! (planned here) and records those `apply` creates.

use super::item::{Action, Item, ItemKind, Target};
use crate::cloud::ensure::{Change, UserOutcome};
use crate::cloud::groups::GroupOutcome;
use crate::cloud::{Cloud, CloudError, PrincipalType};
use crate::domain::setup::Setup;
use crate::ledger::LedgerEntry;

/// The ledger's assignments of this instance, and the other assignments of the same
/// applications (kept).
pub(super) async fn plan_assignments(
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
                principal_type: e.principal_type,
                principal_id: e.principal_id.clone(),
            };
            let kind = e.principal_type.noun();
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
                    item.details.push(format!("{kind} id {}", e.principal_id));
                    item
                }
                Ok(_) => Item::new(
                    ItemKind::ApplicationAssignment,
                    &e.user_name,
                    arn,
                    Action::AlreadyGone,
                    &format!("the {kind} is no longer assigned to the application"),
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

fn rfc3339(now: time::OffsetDateTime) -> String {
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// The ledger entries for the group assignments `apply` created (step 11).
pub fn created_group_assignments(
    setup: &Setup,
    application_arn: &str,
    groups: &[GroupOutcome],
    now: time::OffsetDateTime,
) -> Vec<LedgerEntry> {
    let created_at = rfc3339(now);
    groups
        .iter()
        .filter(|g| g.assignment == Change::Created)
        .map(|g| LedgerEntry {
            application_arn: application_arn.to_string(),
            principal_id: g.group_id.clone(),
            principal_type: PrincipalType::Group,
            user_name: g.requested.clone(),
            instance_id: setup.instance.id.as_str().to_string(),
            created_at: created_at.clone(),
        })
        .collect()
}

/// The ledger entries for the user assignments `apply` created (step 11).
pub fn created_assignments(
    setup: &Setup,
    application_arn: &str,
    users: &[UserOutcome],
    now: time::OffsetDateTime,
) -> Vec<LedgerEntry> {
    let created_at = rfc3339(now);
    users
        .iter()
        .filter(|u| u.assignment == Some(Change::Created))
        .filter_map(|u| {
            Some(LedgerEntry {
                application_arn: application_arn.to_string(),
                principal_id: u.user_id.clone()?,
                principal_type: PrincipalType::User,
                user_name: u.requested.clone(),
                instance_id: setup.instance.id.as_str().to_string(),
                created_at: created_at.clone(),
            })
        })
        .collect()
}

/// The assignments of `kind` (users or groups) connect-sso made to `application_arn` (the
/// ledger says which) for principals no longer asked for: still assigned, but not among
/// `kept` ids. Step 11 offers to remove them, so taking a name out of the answer can take
/// its access away too.
pub async fn unrequested_assignments(
    cloud: &dyn Cloud,
    application_arn: &str,
    ledger: &[LedgerEntry],
    kind: PrincipalType,
    kept: &[String],
) -> Result<Vec<LedgerEntry>, CloudError> {
    let candidates: Vec<&LedgerEntry> = ledger
        .iter()
        .filter(|e| e.application_arn == application_arn && e.principal_type == kind)
        .filter(|e| !kept.contains(&e.principal_id))
        .collect();
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let assigned = cloud.list_application_assignments(application_arn).await?;
    let mut out: Vec<LedgerEntry> = Vec::new();
    for e in candidates {
        let still = assigned.iter().any(|a| a.principal_id == e.principal_id);
        if still && !out.iter().any(|o| o.principal_id == e.principal_id) {
            out.push(e.clone());
        }
    }
    Ok(out)
}
