//! The plan's IAM items: the role with the policies to detach first, the policy, the SAML
//! provider. Tags decide which are connect-sso's.

use super::item::{Action, Item, ItemKind, Target};
use crate::cloud::{
    AttachedPolicy, CloudError, INSTANCE_TAG_KEY, MANAGED_BY_KEY, MANAGED_BY_VALUE, PolicyEntities,
    PolicyVersion, Role, Tag,
};
use crate::domain::setup::Setup;

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

/// The role and the policies to detach from it first; also the role's name when it is to
/// be deleted (its attachments then no longer hold the policy).
pub(super) fn plan_role(
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

pub(super) fn plan_policy(
    setup: &Setup,
    policy: Result<Option<crate::cloud::ManagedPolicy>, CloudError>,
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

pub(super) fn plan_provider(
    setup: &Setup,
    provider: Result<Option<crate::cloud::SamlProvider>, CloudError>,
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
