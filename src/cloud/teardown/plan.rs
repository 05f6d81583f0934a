//! Planning: the account check, the reads (concurrent where independent), and the items
//! in the order `execute` works.

use super::assignments::plan_assignments;
use super::iam::{plan_policy, plan_provider, plan_role};
use super::item::TeardownPlan;
use crate::cloud::{Cloud, CloudError, Context};
use crate::domain::setup::Setup;
use crate::ledger::LedgerEntry;

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
