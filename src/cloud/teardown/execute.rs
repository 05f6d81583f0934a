//! Executing a plan in the order IAM requires, skipping only what depends on a failure.

use super::item::{Action, Item, Target, TeardownPlan, TeardownReport};
use crate::cloud::{Cloud, CloudError};

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
                principal_type,
                principal_id,
            } => {
                let result = cloud
                    .delete_application_assignment(&application_arn, principal_type, &principal_id)
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
