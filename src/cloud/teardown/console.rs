//! teardown with `--console-api`: the custom SAML application itself (step 1), removed
//! through the console API only when connect-sso created it (its record says so, see
//! [`crate::cloud::console::record`]), after its assignments (removed by [`super::execute`])
//! and its profiles. An application with the setup's name that connect-sso did not create is
//! listed as kept, with the reason.

use super::item::{Action, Item, ItemKind, TeardownReport};
use crate::cloud::console::ConsoleApi;
use crate::cloud::console::record::Record;
use crate::cloud::{Cloud, CloudError};
use crate::domain::setup::Setup;

/// The console API's instance id (`ins-…`) of an application ARN (`…/apl-…`).
fn instance_id(arn: &str) -> Option<String> {
    arn.rsplit_once("/apl-").map(|(_, id)| format!("ins-{id}"))
}

/// The application's ARN as `sso-admin` lists it, found by its instance id.
async fn arn_of(cloud: &dyn Cloud, instance: &str) -> Result<Option<String>, CloudError> {
    let suffix = format!("/apl-{}", instance.strip_prefix("ins-").unwrap_or(instance));
    for idc in cloud.list_idc_instances().await? {
        let listed = cloud.list_applications(&idc.instance_arn).await?;
        if let Some(a) = listed.into_iter().find(|a| a.arn.ends_with(&suffix)) {
            return Ok(Some(a.arn));
        }
    }
    Ok(None)
}

/// The application items: one per application named like the setup's (delete when
/// connect-sso created it for this instance and nothing it did not make still holds it,
/// else kept), and one per recorded application that no longer exists (gone, so the record
/// forgets it). `planned` are the other items, whose assignments are removed first.
pub async fn plan_application(
    api: &dyn ConsoleApi,
    cloud: &dyn Cloud,
    setup: &Setup,
    record: &Record,
    planned: &[Item],
) -> Vec<Item> {
    let name = setup.app_name.as_str();
    let ours = |id: &str| {
        record
            .entry(id)
            .is_some_and(|e| e.created && e.connect_instance_id == setup.instance.id.as_str())
    };
    let listed = match api.list_application_instances().await {
        Ok(l) => l,
        Err(e) => return vec![Item::unreadable(ItemKind::Application, name, None, &e)],
    };
    let mut items = Vec::new();
    for app in listed.iter().filter(|a| a.display_name() == Some(name)) {
        let Some(id) = app.instance_id.clone() else {
            continue;
        };
        let arn = match arn_of(cloud, &id).await {
            Ok(arn) => arn,
            Err(e) => {
                items.push(Item::unreadable(ItemKind::Application, name, None, &e));
                continue;
            }
        };
        if !ours(&id) {
            let mut item = Item::new(
                ItemKind::Application,
                name,
                arn,
                Action::Kept,
                "not created by connect-sso (not in its record of the console API): left in place; delete it in the IAM Identity Center console if it is no longer needed",
            );
            item.details.push(format!("application instance {id}"));
            items.push(item);
            continue;
        }
        let Some(arn) = arn else {
            // Listed by the console API but not by sso-admin: its assignments cannot be read.
            let mut item = Item::new(
                ItemKind::Application,
                name,
                None,
                Action::Failed,
                "could not be checked, so it is left in place",
            );
            item.error = Some(format!(
                "sso:ListApplications does not list the application instance {id}: delete it in the IAM Identity Center console"
            ));
            items.push(item);
            continue;
        };
        let removed_first: Vec<String> = planned
            .iter()
            .filter(|i| i.kind == ItemKind::ApplicationAssignment && i.action == Action::Delete)
            .filter_map(Item::assignment)
            .filter(|(a, _)| *a == arn)
            .map(|(_, principal)| principal)
            .collect();
        let others = match cloud.list_application_assignments(&arn).await {
            Ok(assigned) => assigned
                .into_iter()
                .filter(|a| !removed_first.contains(&a.principal_id))
                .count(),
            Err(e) => {
                items.push(Item::unreadable(ItemKind::Application, name, Some(arn), &e));
                continue;
            }
        };
        let mut item = if others > 0 {
            Item::new(
                ItemKind::Application,
                name,
                Some(arn),
                Action::Kept,
                &format!(
                    "created by connect-sso, but {others} assignment(s) connect-sso did not make still hold it (listed above as kept): remove them in the IAM Identity Center console, then run teardown again"
                ),
            )
        } else {
            Item::new(
                ItemKind::Application,
                name,
                Some(arn),
                Action::Delete,
                "created by connect-sso through the console API (recorded beside the ledger)",
            )
        };
        item.details.push(format!(
            "application instance {id}: its profiles, then the instance, after its assignments"
        ));
        items.push(item);
    }
    for e in &record.applications {
        let listed_now = listed
            .iter()
            .any(|a| a.instance_id.as_deref() == Some(e.instance_id.as_str()));
        if ours(&e.instance_id) && !listed_now {
            let mut item = Item::gone(ItemKind::Application, name, None);
            item.details
                .push(format!("application instance {}", e.instance_id));
            items.push(item);
        }
    }
    items
}

/// Removes the application items the plan marks `delete` (profiles first, then the
/// instance), unless one of its assignments could not be removed. Run after
/// [`super::execute`].
pub async fn execute_application(api: &dyn ConsoleApi, report: &mut TeardownReport) {
    let blocked: Vec<String> = report
        .items
        .iter()
        .filter(|i| i.kind == ItemKind::ApplicationAssignment)
        .filter(|i| matches!(i.action, Action::Failed | Action::Skipped | Action::Delete))
        .filter_map(|i| i.arn.clone())
        .collect();
    for item in report
        .items
        .iter_mut()
        .filter(|i| i.kind == ItemKind::Application && i.action == Action::Delete)
    {
        let Some(id) = item.arn.as_deref().and_then(instance_id) else {
            continue;
        };
        if item.arn.as_ref().is_some_and(|a| blocked.contains(a)) {
            item.action = Action::Skipped;
            item.reason =
                "not attempted: its assignments could not all be removed (see above)".to_string();
            continue;
        }
        let mut done = Vec::new();
        let result = async {
            for p in api.list_profiles(&id).await? {
                if let Some(profile) = p.profile_id {
                    api.delete_profile(&id, &profile).await?;
                    done.push(format!("profile {profile} deleted"));
                }
            }
            api.delete_application_instance(&id).await
        }
        .await;
        match result {
            Ok(()) => item.action = Action::Deleted,
            Err(CloudError::NotFound { .. }) if done.is_empty() => {
                item.action = Action::AlreadyGone;
                item.reason = "it was removed meanwhile by someone else".to_string();
            }
            Err(e) => {
                item.action = Action::Failed;
                let before = if done.is_empty() {
                    String::new()
                } else {
                    format!(" (already done: {})", done.join(", "))
                };
                item.error = Some(format!(
                    "{e}{before}; delete the application in the IAM Identity Center console, or run teardown again"
                ));
            }
        }
        item.details.extend(done);
    }
}

/// The instance ids of applications the record can forget: removed, or found gone.
pub fn finished_applications(items: &[Item]) -> Vec<String> {
    items
        .iter()
        .filter(|i| i.kind == ItemKind::Application)
        .filter(|i| matches!(i.action, Action::Deleted | Action::AlreadyGone))
        .filter_map(|i| {
            i.arn.as_deref().and_then(instance_id).or_else(|| {
                i.details
                    .first()
                    .and_then(|d| d.strip_prefix("application instance "))
                    .map(str::to_string)
            })
        })
        .collect()
}
