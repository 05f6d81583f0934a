//! Contract scenarios: the IAM operations the way connect-sso uses them, asserting what AWS
//! does. Every `Cloud` adapter must pass them: the sandbox (`tests/sandbox_contract.rs`) and
//! the SDK adapter against moto. Names carry a random suffix so runs can share one server;
//! only `deletions` deletes what it made (the way `teardown` does).

// Each test binary that includes `common` runs only some of these.
#![allow(dead_code)]

use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use connect_sso::cloud::{AttachedPolicy, Cloud, CloudError, Context, Tag, managed_tags};
use connect_sso::domain::policy::{permissions_policy, trust_policy};

/// IAM Identity Center metadata that `CreateSAMLProvider` accepts.
pub const METADATA: &str = include_str!("../fixtures/metadata/idc-metadata.xml");
const INSTANCE_ID: &str = "12345678-90ab-cdef-1234-567890abcdef";
/// `INSTANCE_ID` without its last digit, so documents can differ by instance.
const INSTANCE_ID_STEM: &str = "12345678-90ab-cdef-1234-567890abcde";
const GLOBAL_ACS: &str = "https://signin.aws.amazon.com/saml";
const REGIONAL_ACS: &str = "https://us-east-1.signin.aws.amazon.com/saml";

/// `prefix-` and ten random hex digits: valid as a role, policy and SAML provider name.
pub fn unique(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let seed = (
        nanos,
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
    );
    let hash = RandomState::new().hash_one(seed);
    format!("{prefix}-{:010x}", hash & 0xff_ffff_ffff)
}

/// The fixture with another entity id and endpoints: what a rotated application looks like.
pub fn other_metadata() -> String {
    let other = METADATA.replace("MTIzNDU2Nzg5MDEy", "OTg3NjU0MzIxMDk4");
    assert_ne!(
        other, METADATA,
        "the fixture no longer holds the replaced text"
    );
    other
}

async fn account(cloud: &dyn Cloud) -> String {
    let me = cloud
        .caller_identity(Context::Connect)
        .await
        .expect("GetCallerIdentity");
    assert_eq!(me.account.len(), 12, "{me:?}");
    me.account
}

/// A distinct instance ARN per `n` (0-9), so each policy version has its own document.
fn instance_arn(account: &str, n: u32) -> String {
    format!("arn:aws:connect:us-east-1:{account}:instance/{INSTANCE_ID_STEM}{n}")
}

fn sorted(mut tags: Vec<Tag>) -> Vec<Tag> {
    tags.sort_by(|a, b| a.key.cmp(&b.key));
    tags
}

fn assert_already_exists<T: std::fmt::Debug>(result: Result<T, CloudError>, what: &str) {
    assert!(
        matches!(result, Err(CloudError::AlreadyExists { .. })),
        "creating {what} twice: expected AlreadyExists, got {result:?}"
    );
}

/// Both contexts answer with a 12-digit account and the caller's ARN.
pub async fn caller_identity(cloud: &dyn Cloud) {
    for context in [Context::Identity, Context::Connect] {
        let me = cloud
            .caller_identity(context)
            .await
            .expect("GetCallerIdentity");
        assert!(me.account.bytes().all(|b| b.is_ascii_digit()), "{me:?}");
        assert!(me.arn.starts_with("arn:aws:"), "{me:?}");
        assert!(me.arn.contains(&me.account), "{me:?}");
    }
}

/// Step 6a: create, read back, refuse a duplicate, update, and a missing provider reads as
/// `None`.
pub async fn saml_provider_lifecycle(cloud: &dyn Cloud) {
    let account = account(cloud).await;
    let name = unique("cs-provider");
    let tags = managed_tags(INSTANCE_ID);

    let arn = cloud
        .create_saml_provider(&name, METADATA, &tags)
        .await
        .expect("CreateSAMLProvider");
    assert_eq!(arn, format!("arn:aws:iam::{account}:saml-provider/{name}"));

    let got = cloud
        .get_saml_provider(&arn)
        .await
        .expect("GetSAMLProvider")
        .expect("the provider exists after CreateSAMLProvider");
    assert_eq!(got.arn, arn);
    assert_eq!(got.metadata_document, METADATA);
    assert_eq!(sorted(got.tags), sorted(tags.clone()));

    assert_already_exists(
        cloud.create_saml_provider(&name, METADATA, &tags).await,
        "a SAML provider",
    );

    let rotated = other_metadata();
    cloud
        .update_saml_provider(&arn, &rotated)
        .await
        .expect("UpdateSAMLProvider");
    let got = cloud
        .get_saml_provider(&arn)
        .await
        .expect("GetSAMLProvider")
        .expect("the provider exists after UpdateSAMLProvider");
    assert_eq!(got.metadata_document, rotated);
    assert_eq!(sorted(got.tags), sorted(tags), "an update keeps the tags");

    let missing = format!(
        "arn:aws:iam::{account}:saml-provider/{}",
        unique("cs-missing")
    );
    assert_eq!(
        cloud
            .get_saml_provider(&missing)
            .await
            .expect("GetSAMLProvider"),
        None
    );
}

/// Step 6b: a managed policy's versions, the default moving, the five-version limit and
/// deleting a version that is not the default.
pub async fn policy_versions(cloud: &dyn Cloud) {
    let account = account(cloud).await;
    let name = unique("cs-policy");
    let tags = managed_tags(INSTANCE_ID);
    let doc = |n: u32| permissions_policy(&instance_arn(&account, n));

    let arn = cloud
        .create_policy(&name, &doc(1), &tags)
        .await
        .expect("CreatePolicy");
    assert_eq!(arn, format!("arn:aws:iam::{account}:policy/{name}"));

    let policy = cloud
        .get_policy(&arn)
        .await
        .expect("GetPolicy")
        .expect("the policy exists after CreatePolicy");
    assert_eq!(policy.arn, arn);
    assert_eq!(policy.name, name);
    assert_eq!(policy.default_version_id, "v1");
    assert_eq!(sorted(policy.tags), sorted(tags.clone()));

    let versions = cloud
        .list_policy_versions(&arn)
        .await
        .expect("ListPolicyVersions");
    assert_eq!(versions.len(), 1, "{versions:?}");
    assert_eq!(versions[0].version_id, "v1");
    assert!(versions[0].is_default);
    assert_eq!(
        cloud
            .get_policy_version(&arn, "v1")
            .await
            .expect("GetPolicyVersion"),
        doc(1)
    );

    assert_already_exists(cloud.create_policy(&name, &doc(1), &tags).await, "a policy");

    let v2 = cloud
        .create_policy_version(&arn, &doc(2), true)
        .await
        .expect("CreatePolicyVersion");
    assert_eq!(v2, "v2");
    let policy = cloud
        .get_policy(&arn)
        .await
        .expect("GetPolicy")
        .expect("policy");
    assert_eq!(policy.default_version_id, "v2", "the default moved");
    let versions = cloud
        .list_policy_versions(&arn)
        .await
        .expect("ListPolicyVersions");
    let default: Vec<&str> = versions
        .iter()
        .filter(|v| v.is_default)
        .map(|v| v.version_id.as_str())
        .collect();
    assert_eq!(default, ["v2"], "{versions:?}");
    assert_eq!(
        cloud
            .get_policy_version(&arn, "v2")
            .await
            .expect("GetPolicyVersion"),
        doc(2)
    );
    assert_eq!(
        cloud
            .get_policy_version(&arn, "v1")
            .await
            .expect("GetPolicyVersion"),
        doc(1),
        "older versions keep their document"
    );

    for n in 3..=5 {
        let id = cloud
            .create_policy_version(&arn, &doc(n), false)
            .await
            .expect("CreatePolicyVersion");
        assert_eq!(id, format!("v{n}"));
    }
    let versions = cloud
        .list_policy_versions(&arn)
        .await
        .expect("ListPolicyVersions");
    assert_eq!(versions.len(), 5);
    let policy = cloud
        .get_policy(&arn)
        .await
        .expect("GetPolicy")
        .expect("policy");
    assert_eq!(
        policy.default_version_id, "v2",
        "non-default versions leave it"
    );

    let sixth = cloud.create_policy_version(&arn, &doc(6), true).await;
    assert!(
        matches!(sixth, Err(CloudError::LimitExceeded { .. })),
        "a sixth version: expected LimitExceeded, got {sixth:?}"
    );

    cloud
        .delete_policy_version(&arn, "v1")
        .await
        .expect("DeletePolicyVersion");
    let versions = cloud
        .list_policy_versions(&arn)
        .await
        .expect("ListPolicyVersions");
    let mut ids: Vec<&str> = versions.iter().map(|v| v.version_id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["v2", "v3", "v4", "v5"]);

    // The deleted version made room for one more.
    let id = cloud
        .create_policy_version(&arn, &doc(6), true)
        .await
        .expect("CreatePolicyVersion after a delete");
    assert!(!ids.contains(&id.as_str()), "{id} reuses a live version id");
    assert_eq!(
        cloud
            .get_policy_version(&arn, &id)
            .await
            .expect("GetPolicyVersion"),
        doc(6)
    );

    let missing = format!("arn:aws:iam::{account}:policy/{}", unique("cs-missing"));
    assert_eq!(cloud.get_policy(&missing).await.expect("GetPolicy"), None);
}

/// Step 6c: a role trusting the SAML provider, its trust policy updated, the policy attached,
/// and the role visible in ListRoles.
pub async fn role_lifecycle(cloud: &dyn Cloud) {
    let account = account(cloud).await;
    let tags = managed_tags(INSTANCE_ID);
    // IAM checks that a trust policy's federated principal exists, so 6a comes first.
    let provider = cloud
        .create_saml_provider(&unique("cs-provider"), METADATA, &tags)
        .await
        .expect("CreateSAMLProvider");
    let policy_name = unique("cs-policy");
    let policy = cloud
        .create_policy(
            &policy_name,
            &permissions_policy(&instance_arn(&account, 1)),
            &tags,
        )
        .await
        .expect("CreatePolicy");

    let name = unique("cs-role");
    let trust = trust_policy(&provider, &[GLOBAL_ACS.to_string()]);
    let arn = cloud
        .create_role(&name, &trust, &tags)
        .await
        .expect("CreateRole");
    assert_eq!(arn, format!("arn:aws:iam::{account}:role/{name}"));

    let role = cloud
        .get_role(&name)
        .await
        .expect("GetRole")
        .expect("the role exists after CreateRole");
    assert_eq!(role.name, name);
    assert_eq!(role.arn, arn);
    assert_eq!(role.trust_policy, trust);
    assert_eq!(sorted(role.tags), sorted(tags.clone()));

    assert_already_exists(cloud.create_role(&name, &trust, &tags).await, "a role");

    let both = trust_policy(
        &provider,
        &[GLOBAL_ACS.to_string(), REGIONAL_ACS.to_string()],
    );
    cloud
        .update_assume_role_policy(&name, &both)
        .await
        .expect("UpdateAssumeRolePolicy");
    let role = cloud.get_role(&name).await.expect("GetRole").expect("role");
    assert_eq!(role.trust_policy, both);

    assert_eq!(
        cloud
            .list_attached_role_policies(&name)
            .await
            .expect("ListAttachedRolePolicies"),
        []
    );
    cloud
        .attach_role_policy(&name, &policy)
        .await
        .expect("AttachRolePolicy");
    assert_eq!(
        cloud
            .list_attached_role_policies(&name)
            .await
            .expect("ListAttachedRolePolicies"),
        [AttachedPolicy {
            name: policy_name,
            arn: policy
        }]
    );
    assert_eq!(
        cloud
            .list_role_policies(&name)
            .await
            .expect("ListRolePolicies"),
        Vec::<String>::new()
    );

    let roles = cloud.list_roles().await.expect("ListRoles");
    let listed = roles
        .iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("ListRoles does not list {name}"));
    assert_eq!(listed.arn, arn);
    assert_eq!(listed.trust_policy, both);

    assert_eq!(
        cloud
            .get_role(&unique("cs-missing"))
            .await
            .expect("GetRole"),
        None
    );
}

fn assert_not_found<T: std::fmt::Debug>(result: Result<T, CloudError>, what: &str) {
    assert!(
        matches!(result, Err(CloudError::NotFound { .. })),
        "{what}: expected NotFound, got {result:?}"
    );
}

/// Teardown's order: a role with a policy attached cannot be deleted; detach, delete the
/// role, the policy's other versions, the policy, the SAML provider; each is gone after,
/// and deleting it again is `NotFound`. (IAM also refuses to delete a policy that is still
/// attached or has other versions; moto does not check that, so the sandbox's own tests do.)
pub async fn deletions(cloud: &dyn Cloud) {
    let account = account(cloud).await;
    let tags = managed_tags(INSTANCE_ID);
    let provider = cloud
        .create_saml_provider(&unique("cs-provider"), METADATA, &tags)
        .await
        .expect("CreateSAMLProvider");
    let policy_name = unique("cs-policy");
    let policy = cloud
        .create_policy(
            &policy_name,
            &permissions_policy(&instance_arn(&account, 1)),
            &tags,
        )
        .await
        .expect("CreatePolicy");
    cloud
        .create_policy_version(
            &policy,
            &permissions_policy(&instance_arn(&account, 2)),
            true,
        )
        .await
        .expect("CreatePolicyVersion");
    let role = unique("cs-role");
    cloud
        .create_role(
            &role,
            &trust_policy(&provider, &[GLOBAL_ACS.to_string()]),
            &tags,
        )
        .await
        .expect("CreateRole");
    cloud
        .attach_role_policy(&role, &policy)
        .await
        .expect("AttachRolePolicy");
    let entities = cloud
        .list_entities_for_policy(&policy)
        .await
        .expect("ListEntitiesForPolicy");
    assert_eq!(entities.roles, std::slice::from_ref(&role), "{entities:?}");
    assert!(
        entities.users.is_empty() && entities.groups.is_empty(),
        "{entities:?}"
    );

    let conflict = cloud.delete_role(&role).await;
    assert!(
        matches!(&conflict, Err(CloudError::DeleteConflict { action, .. }) if action == "iam:DeleteRole"),
        "deleting a role with a policy attached: expected DeleteConflict, got {conflict:?}"
    );
    cloud
        .detach_role_policy(&role, &policy)
        .await
        .expect("DetachRolePolicy");
    assert_eq!(
        cloud
            .list_attached_role_policies(&role)
            .await
            .expect("ListAttachedRolePolicies"),
        []
    );
    assert!(
        cloud
            .list_entities_for_policy(&policy)
            .await
            .expect("ListEntitiesForPolicy")
            .roles
            .is_empty()
    );
    assert_not_found(
        cloud.detach_role_policy(&role, &policy).await,
        "detaching a policy that is not attached",
    );
    cloud.delete_role(&role).await.expect("DeleteRole");
    assert_eq!(cloud.get_role(&role).await.expect("GetRole"), None);
    assert_not_found(cloud.delete_role(&role).await, "deleting a deleted role");

    let versions = cloud
        .list_policy_versions(&policy)
        .await
        .expect("ListPolicyVersions");
    for v in versions.iter().filter(|v| !v.is_default) {
        cloud
            .delete_policy_version(&policy, &v.version_id)
            .await
            .expect("DeletePolicyVersion");
    }
    cloud.delete_policy(&policy).await.expect("DeletePolicy");
    assert_eq!(cloud.get_policy(&policy).await.expect("GetPolicy"), None);
    assert_not_found(
        cloud.delete_policy(&policy).await,
        "deleting a deleted policy",
    );

    cloud
        .delete_saml_provider(&provider)
        .await
        .expect("DeleteSAMLProvider");
    assert_eq!(
        cloud
            .get_saml_provider(&provider)
            .await
            .expect("GetSAMLProvider"),
        None
    );
}

/// Every scenario in turn, on one account.
pub async fn all(cloud: &dyn Cloud) {
    caller_identity(cloud).await;
    saml_provider_lifecycle(cloud).await;
    policy_versions(cloud).await;
    role_lifecycle(cloud).await;
    deletions(cloud).await;
}
