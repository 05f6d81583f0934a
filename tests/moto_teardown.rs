//! `teardown` through `SdkCloud` against a real `moto_server`: after the IAM part of
//! `apply` (steps 6a-6c, run the way `moto_apply.rs` runs them), teardown removes the role
//! (detaching its policy first) and the policy (its other versions first), and a second
//! run finds nothing to do. Checked afterwards with the raw `aws-sdk-iam` client.
//!
//! moto drops SAML provider tags, so there the provider looks made by someone else and
//! teardown keeps it: these tests cover the role and the policy only. The provider's
//! removal is covered on the sandbox (`src/cloud/teardown.rs`) and the smithy mocks.
//! moto has no sso-admin applications either, so no assignments here.
//!
//! One server per test, so tests in parallel threads share nothing.

mod common;

use common::contract::METADATA;
use common::moto::{ACCOUNT, MotoServer, setup};
use connect_sso::cloud::api::*;
use connect_sso::cloud::ensure;
use connect_sso::cloud::teardown::{Action, ItemKind, execute, plan_teardown};
use connect_sso::domain::setup::Setup;
use serde_json::json;

/// Steps 6a and 6b concurrently, then 6c, as `apply()` runs them.
async fn run_ensures(cloud: &dyn Cloud, setup: &Setup) {
    tokio::try_join!(
        ensure::ensure_saml_provider(cloud, setup, METADATA, false),
        ensure::ensure_policy(cloud, setup, false),
    )
    .expect("6a and 6b");
    ensure::ensure_role(cloud, setup, false).await.expect("6c");
}

async fn role_names(iam: &aws_sdk_iam::Client) -> Vec<String> {
    iam.list_roles()
        .send()
        .await
        .expect("ListRoles")
        .roles()
        .iter()
        .map(|r| r.role_name().to_string())
        .collect()
}

async fn local_policy_arns(iam: &aws_sdk_iam::Client) -> Vec<String> {
    iam.list_policies()
        .scope(aws_sdk_iam::types::PolicyScopeType::Local)
        .send()
        .await
        .expect("ListPolicies")
        .policies()
        .iter()
        .filter_map(|p| p.arn().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn teardown_after_apply_removes_the_role_and_the_policy_and_a_second_run_does_nothing() {
    let Some(moto) = MotoServer::start() else {
        return;
    };
    let cloud = moto.sdk_cloud();
    let setup = setup();
    run_ensures(&cloud, &setup).await;
    let iam = &cloud.clients().iam;
    // Someone added a version by hand; the policy goes with every version.
    iam.create_policy_version()
        .policy_arn(setup.policy_arn())
        .policy_document(
            json!({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "connect:*", "Resource": "*"}]
            })
            .to_string(),
        )
        .set_as_default(false)
        .send()
        .await
        .expect("CreatePolicyVersion");

    let plan = plan_teardown(&cloud, &setup, &[])
        .await
        .unwrap_or_else(|e| panic!("plan: {e}\n{}", moto.log()));
    let actions: Vec<(ItemKind, Action)> = plan.items.iter().map(|i| (i.kind, i.action)).collect();
    assert_eq!(
        actions,
        [
            (ItemKind::PolicyAttachment, Action::Detach),
            (ItemKind::Role, Action::Delete),
            (ItemKind::Policy, Action::Delete),
            // moto drops SAML provider tags: on AWS this is a delete.
            (ItemKind::SamlProvider, Action::Kept),
        ],
        "{plan:#?}"
    );
    assert_eq!(plan.account, ACCOUNT);
    // Planning changes nothing.
    assert_eq!(role_names(iam).await, [setup.role_name.as_str()]);

    let report = execute(&cloud, &plan).await;
    assert_eq!(report.failed(), 0, "{report:#?}\n{}", moto.log());
    assert_eq!(report.removed(), 3, "{report:#?}");
    assert!(role_names(iam).await.is_empty());
    assert!(local_policy_arns(iam).await.is_empty());
    let providers = iam
        .list_saml_providers()
        .send()
        .await
        .expect("ListSAMLProviders");
    assert_eq!(
        providers.saml_provider_list().len(),
        1,
        "kept, untagged on moto"
    );

    let again = plan_teardown(&cloud, &setup, &[]).await.expect("plan");
    assert_eq!(again.pending(), 0, "{again:#?}");
    let report = execute(&cloud, &again).await;
    assert_eq!((report.removed(), report.failed()), (0, 0), "{report:#?}");
}

#[tokio::test]
async fn a_role_with_the_name_but_without_the_tag_is_kept_on_moto() {
    let Some(moto) = MotoServer::start() else {
        return;
    };
    let cloud = moto.sdk_cloud();
    let setup = setup();
    let iam = &cloud.clients().iam;
    // Made by hand with the setup's names, no tags.
    iam.create_role()
        .role_name(setup.role_name.as_str())
        .assume_role_policy_document(
            json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Principal": {"Service": "ec2.amazonaws.com"},
                    "Action": "sts:AssumeRole"
                }]
            })
            .to_string(),
        )
        .send()
        .await
        .expect("CreateRole");
    iam.create_policy()
        .policy_name(setup.policy_name.as_str())
        .policy_document(setup.permissions_policy().to_string())
        .send()
        .await
        .expect("CreatePolicy");

    let plan = plan_teardown(&cloud, &setup, &[]).await.expect("plan");
    let kept: Vec<(ItemKind, Action)> = plan.items.iter().map(|i| (i.kind, i.action)).collect();
    assert_eq!(
        kept,
        [
            (ItemKind::Role, Action::Kept),
            (ItemKind::Policy, Action::Kept),
            (ItemKind::SamlProvider, Action::AlreadyGone),
        ],
        "{plan:#?}"
    );
    for i in &plan.items[..2] {
        assert!(i.reason.starts_with("not created by connect-sso"), "{i:#?}");
    }
    execute(&cloud, &plan).await;
    assert_eq!(role_names(iam).await, [setup.role_name.as_str()]);
    assert_eq!(local_policy_arns(iam).await, [setup.policy_arn()]);
}
