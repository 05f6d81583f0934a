//! The IAM part of `apply` (steps 6a, 6b and 6c) against a real `moto_server`, checked
//! afterwards with the raw `aws-sdk-iam` client: what exists, how many of each, and the
//! exact documents. moto cannot run the whole `apply()` (its Connect timestamps do not
//! parse in the Rust SDK, and it has no sso-admin applications), so the ensures run the
//! way `apply()` runs them: 6a and 6b concurrently, then 6c.
//!
//! One server per test, so tests in parallel threads share nothing.

mod common;

use common::contract::METADATA;
use common::moto::{ACCOUNT, MotoServer, setup};
use connect_sso::cloud::ensure::{self, Change, Outcome};
use connect_sso::cloud::{Cloud, CloudResult, Context, MANAGED_BY_KEY, MANAGED_BY_VALUE};
use connect_sso::domain::setup::Setup;
use serde_json::{Value, json};

/// Steps 6a, 6b and 6c as `apply()` runs them: 6a and 6b concurrently, then 6c.
async fn run_ensures(cloud: &dyn Cloud, setup: &Setup, dry_run: bool) -> CloudResult<[Outcome; 3]> {
    let (provider, policy) = tokio::try_join!(
        ensure::ensure_saml_provider(cloud, setup, METADATA, dry_run),
        ensure::ensure_policy(cloud, setup, dry_run),
    )?;
    let role = ensure::ensure_role(cloud, setup, dry_run).await?;
    Ok([provider, policy, role])
}

fn changes(outcomes: &[Outcome; 3]) -> Vec<(&'static str, Change)> {
    outcomes.iter().map(|o| (o.step, o.change)).collect()
}

/// Checks that the server's account is the setup's, as `apply()` does before any ensure.
async fn assert_moto_account(cloud: &dyn Cloud, setup: &Setup) {
    let me = cloud
        .caller_identity(Context::Connect)
        .await
        .expect("GetCallerIdentity");
    assert_eq!(
        me.account, ACCOUNT,
        "moto's default account changed: {me:?}"
    );
    assert_eq!(setup.instance.account.as_str(), me.account);
}

/// A policy document as IAM returns it (URL-encoded JSON; moto sometimes sends it plain).
fn decode(raw: &str) -> Value {
    if let Ok(v) = serde_json::from_str(raw) {
        return v;
    }
    let decoded = percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .expect("UTF-8 once URL-decoded");
    serde_json::from_str(&decoded).unwrap_or_else(|e| panic!("not JSON ({e}): {decoded}"))
}

fn has_managed_tag(tags: &[aws_sdk_iam::types::Tag]) -> bool {
    tags.iter()
        .any(|t| t.key() == MANAGED_BY_KEY && t.value() == MANAGED_BY_VALUE)
}

/// The document of the policy's current default version, read with the raw client.
async fn default_document(iam: &aws_sdk_iam::Client, arn: &str) -> Value {
    let policy = iam
        .get_policy()
        .policy_arn(arn)
        .send()
        .await
        .expect("GetPolicy");
    let version = policy
        .policy()
        .and_then(|p| p.default_version_id())
        .expect("a default version")
        .to_string();
    let out = iam
        .get_policy_version()
        .policy_arn(arn)
        .version_id(&version)
        .send()
        .await
        .expect("GetPolicyVersion");
    decode(
        out.policy_version()
            .and_then(|v| v.document())
            .expect("a document"),
    )
}

/// Customer-managed policies of the account (moto also lists the AWS-managed ones).
async fn local_policies(iam: &aws_sdk_iam::Client) -> Vec<aws_sdk_iam::types::Policy> {
    iam.list_policies()
        .scope(aws_sdk_iam::types::PolicyScopeType::Local)
        .send()
        .await
        .expect("ListPolicies")
        .policies()
        .to_vec()
}

#[tokio::test]
async fn apply_against_moto_twice_creates_each_iam_resource_exactly_once_with_exactly_the_generated_documents()
 {
    let Some(moto) = MotoServer::start() else {
        return;
    };
    let cloud = moto.sdk_cloud();
    let setup = setup();
    assert_moto_account(&cloud, &setup).await;

    let first = run_ensures(&cloud, &setup, false)
        .await
        .unwrap_or_else(|e| panic!("first run: {e}\n{}", moto.log()));
    assert_eq!(
        changes(&first),
        [
            ("6a", Change::Created),
            ("6b", Change::Created),
            ("6c", Change::Created)
        ],
        "{first:#?}"
    );
    assert_eq!(first[0].arn, setup.provider_arn());
    assert_eq!(first[1].arn, setup.policy_arn());
    assert_eq!(first[2].arn, setup.role_arn());
    for o in &first {
        assert!(o.warnings.is_empty(), "{o:#?}");
    }

    let second = run_ensures(&cloud, &setup, false)
        .await
        .unwrap_or_else(|e| panic!("second run: {e}\n{}", moto.log()));
    assert_eq!(
        changes(&second),
        [
            ("6a", Change::Unchanged),
            ("6b", Change::Unchanged),
            ("6c", Change::Unchanged)
        ],
        "{second:#?}"
    );
    for o in &second {
        assert!(o.details.is_empty(), "{o:#?}");
    }
    // moto drops SAML provider tags, so the provider looks made by someone else: the only
    // warning allowed is that one (on AWS the tags are there and it does not appear).
    assert!(
        second[0]
            .warnings
            .iter()
            .all(|w| w.contains("was not created by connect-sso")),
        "{second:#?}"
    );
    assert!(second[1].warnings.is_empty(), "{second:#?}");
    assert!(second[2].warnings.is_empty(), "{second:#?}");

    let iam = &cloud.clients().iam;

    // 6a: exactly one SAML provider, holding the metadata as given. (moto drops SAML
    // provider tags, so those are checked on the mocks only.)
    let providers = iam
        .list_saml_providers()
        .send()
        .await
        .expect("ListSAMLProviders");
    let provider_arns: Vec<&str> = providers
        .saml_provider_list()
        .iter()
        .filter_map(|p| p.arn())
        .collect();
    assert_eq!(provider_arns, [setup.provider_arn().as_str()]);
    let provider = iam
        .get_saml_provider()
        .saml_provider_arn(setup.provider_arn())
        .send()
        .await
        .expect("GetSAMLProvider");
    assert_eq!(provider.saml_metadata_document(), Some(METADATA));

    // 6b: exactly one customer-managed policy, with one version: the generated document.
    let policies = local_policies(iam).await;
    let policy_arns: Vec<&str> = policies.iter().filter_map(|p| p.arn()).collect();
    assert_eq!(policy_arns, [setup.policy_arn().as_str()]);
    let versions = iam
        .list_policy_versions()
        .policy_arn(setup.policy_arn())
        .send()
        .await
        .expect("ListPolicyVersions");
    assert_eq!(versions.versions().len(), 1, "{versions:?}");
    assert!(versions.versions()[0].is_default_version());
    assert_eq!(
        default_document(iam, &setup.policy_arn()).await,
        setup.permissions_policy()
    );
    let policy_tags = iam
        .list_policy_tags()
        .policy_arn(setup.policy_arn())
        .send()
        .await
        .expect("ListPolicyTags");
    assert!(has_managed_tag(policy_tags.tags()), "{policy_tags:?}");

    // 6c: exactly one role, trusting the provider, with exactly the policy attached.
    let roles = iam.list_roles().send().await.expect("ListRoles");
    let role_names: Vec<&str> = roles.roles().iter().map(|r| r.role_name()).collect();
    assert_eq!(role_names, [setup.role_name.as_str()]);
    let role = iam
        .get_role()
        .role_name(setup.role_name.as_str())
        .send()
        .await
        .expect("GetRole");
    let role = role.role().expect("a role");
    assert_eq!(role.arn(), setup.role_arn());
    assert_eq!(
        decode(role.assume_role_policy_document().expect("a trust policy")),
        setup.trust_policy()
    );
    assert!(has_managed_tag(role.tags()), "{role:?}");
    let role_tags = iam
        .list_role_tags()
        .role_name(setup.role_name.as_str())
        .send()
        .await
        .expect("ListRoleTags");
    assert!(has_managed_tag(role_tags.tags()), "{role_tags:?}");
    let attached = iam
        .list_attached_role_policies()
        .role_name(setup.role_name.as_str())
        .send()
        .await
        .expect("ListAttachedRolePolicies");
    let attached: Vec<&str> = attached
        .attached_policies()
        .iter()
        .filter_map(|p| p.policy_arn())
        .collect();
    assert_eq!(attached, [setup.policy_arn().as_str()]);
    let inline = iam
        .list_role_policies()
        .role_name(setup.role_name.as_str())
        .send()
        .await
        .expect("ListRolePolicies");
    assert!(inline.policy_names().is_empty(), "{inline:?}");
}

#[tokio::test]
async fn a_policy_changed_by_hand_gets_the_generated_document_back() {
    let Some(moto) = MotoServer::start() else {
        return;
    };
    let cloud = moto.sdk_cloud();
    let setup = setup();
    assert_moto_account(&cloud, &setup).await;
    run_ensures(&cloud, &setup, false)
        .await
        .unwrap_or_else(|e| panic!("first run: {e}\n{}", moto.log()));

    // Someone widens the policy in the console: a new default version on any resource.
    let iam = &cloud.clients().iam;
    let drifted = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Action": "connect:GetFederationToken",
            "Resource": "*"
        }]
    });
    iam.create_policy_version()
        .policy_arn(setup.policy_arn())
        .policy_document(drifted.to_string())
        .set_as_default(true)
        .send()
        .await
        .expect("CreatePolicyVersion");
    assert_eq!(default_document(iam, &setup.policy_arn()).await, drifted);

    let dry = ensure::ensure_policy(&cloud, &setup, true)
        .await
        .expect("dry run");
    assert_eq!(dry.change, Change::WouldUpdate, "{dry:#?}");
    assert_eq!(default_document(iam, &setup.policy_arn()).await, drifted);

    let fixed = ensure::ensure_policy(&cloud, &setup, false)
        .await
        .unwrap_or_else(|e| panic!("ensure_policy: {e}\n{}", moto.log()));
    assert_eq!(fixed.change, Change::Updated, "{fixed:#?}");
    assert_eq!(fixed.arn, setup.policy_arn());
    assert!(fixed.warnings.is_empty(), "{fixed:#?}");
    assert_eq!(
        default_document(iam, &setup.policy_arn()).await,
        setup.permissions_policy()
    );
    // v1 (generated), v2 (by hand), v3 (generated again, the default); still one policy.
    let versions = iam
        .list_policy_versions()
        .policy_arn(setup.policy_arn())
        .send()
        .await
        .expect("ListPolicyVersions");
    assert_eq!(versions.versions().len(), 3, "{versions:?}");
    assert_eq!(local_policies(iam).await.len(), 1);

    let again = ensure::ensure_policy(&cloud, &setup, false)
        .await
        .expect("ensure_policy");
    assert_eq!(again.change, Change::Unchanged, "{again:#?}");
}

#[tokio::test]
async fn a_dry_run_on_an_empty_account_makes_nothing() {
    let Some(moto) = MotoServer::start() else {
        return;
    };
    let cloud = moto.sdk_cloud();
    let setup = setup();
    assert_moto_account(&cloud, &setup).await;

    let outcomes = run_ensures(&cloud, &setup, true)
        .await
        .unwrap_or_else(|e| panic!("dry run: {e}\n{}", moto.log()));
    assert_eq!(
        changes(&outcomes),
        [
            ("6a", Change::WouldCreate),
            ("6b", Change::WouldCreate),
            ("6c", Change::WouldCreate)
        ],
        "{outcomes:#?}"
    );

    let iam = &cloud.clients().iam;
    let providers = iam
        .list_saml_providers()
        .send()
        .await
        .expect("ListSAMLProviders");
    assert!(providers.saml_provider_list().is_empty(), "{providers:?}");
    assert!(local_policies(iam).await.is_empty());
    let roles = iam.list_roles().send().await.expect("ListRoles");
    assert!(roles.roles().is_empty(), "{roles:?}");
}
