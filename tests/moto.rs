//! `SdkCloud` against a real `moto_server`: IAM, STS and the identity store, through the
//! SDK's real serializers and deserializers. moto has no sso-admin applications and no
//! Connect users, and its Connect timestamps do not parse in the Rust SDK: those stay on
//! the smithy mocks in `src/cloud/sdk/tests`.
//!
//! One server per test, so tests in parallel threads share nothing.

mod common;

use aws_sdk_identitystore::types::{Email, Name};
use common::contract::{self, METADATA, other_metadata, unique};
use common::moto::{ACCOUNT, MotoServer};
use connect_sso::cloud::api::*;
use connect_sso::cloud::{CloudError, Context, IdcUser, managed_tags};
use serde_json::json;

const STORE: &str = "d-9067000000";

#[tokio::test]
async fn caller_identity_in_both_contexts() {
    let Some(moto) = MotoServer::start() else {
        return;
    };
    let cloud = moto.sdk_cloud();
    contract::caller_identity(&cloud).await;
    for context in [Context::Connect, Context::Identity] {
        let me = cloud
            .caller_identity(context)
            .await
            .expect("GetCallerIdentity");
        assert_eq!(me.account, ACCOUNT);
        assert!(!me.user_id.is_empty(), "{me:?}");
    }
}

#[tokio::test]
async fn saml_provider_create_get_update() {
    let Some(moto) = MotoServer::start() else {
        return;
    };
    let cloud = moto.sdk_cloud();
    let name = unique("cs-provider");
    let arn = cloud
        .create_saml_provider(&name, METADATA, &managed_tags("abc"))
        .await
        .expect("CreateSAMLProvider");
    assert_eq!(arn, format!("arn:aws:iam::{ACCOUNT}:saml-provider/{name}"));

    let got = cloud
        .get_saml_provider(&arn)
        .await
        .expect("GetSAMLProvider")
        .expect("exists");
    assert_eq!(got.arn, arn);
    assert_eq!(got.metadata_document, METADATA);
    // moto drops SAML provider tags, so they are checked on the mocks only.

    let rotated = other_metadata();
    cloud
        .update_saml_provider(&arn, &rotated)
        .await
        .expect("UpdateSAMLProvider");
    let got = cloud
        .get_saml_provider(&arn)
        .await
        .expect("GetSAMLProvider")
        .expect("exists");
    assert_eq!(got.metadata_document, rotated);

    let missing = format!(
        "arn:aws:iam::{ACCOUNT}:saml-provider/{}",
        unique("cs-missing")
    );
    assert_eq!(cloud.get_saml_provider(&missing).await, Ok(None));
    let err = cloud
        .update_saml_provider(&missing, METADATA)
        .await
        .expect_err("missing provider");
    assert!(
        matches!(&err, CloudError::NotFound { action, .. } if action == "iam:UpdateSAMLProvider"),
        "{err:?}"
    );
}

#[tokio::test]
async fn policy_versions_contract() {
    let Some(moto) = MotoServer::start() else {
        return;
    };
    contract::policy_versions(&moto.sdk_cloud()).await;
}

#[tokio::test]
async fn policy_documents_round_trip() {
    let Some(moto) = MotoServer::start() else {
        return;
    };
    let cloud = moto.sdk_cloud();
    // Characters IAM URL-encodes on the way back: `${...}`, `/`, `:`, `%`, `+`, spaces.
    let document = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "Federation 100% + more",
            "Effect": "Allow",
            "Action": "connect:GetFederationToken",
            "Resource": format!("arn:aws:connect:us-east-1:{ACCOUNT}:instance/abc/user/${{aws:userid}}")
        }]
    });
    let arn = cloud
        .create_policy(&unique("cs-policy"), &document, &[])
        .await
        .expect("CreatePolicy");
    assert_eq!(
        cloud
            .get_policy_version(&arn, "v1")
            .await
            .expect("GetPolicyVersion"),
        document
    );
    let versions = cloud
        .list_policy_versions(&arn)
        .await
        .expect("ListPolicyVersions");
    assert_eq!(versions.len(), 1);
    assert!(versions[0].created > 1_600_000_000, "{versions:?}");

    let err = cloud
        .delete_policy_version(&arn, "v1")
        .await
        .expect_err("the default version cannot be deleted");
    assert!(
        matches!(&err, CloudError::Invalid { action, .. } if action == "iam:DeletePolicyVersion"),
        "{err:?}"
    );
}

#[tokio::test]
async fn role_lifecycle_contract() {
    let Some(moto) = MotoServer::start() else {
        return;
    };
    contract::role_lifecycle(&moto.sdk_cloud()).await;
}

#[tokio::test]
async fn deletions_contract() {
    let Some(moto) = MotoServer::start() else {
        return;
    };
    contract::deletions(&moto.sdk_cloud()).await;
}

#[tokio::test]
async fn missing_roles_and_policies() {
    let Some(moto) = MotoServer::start() else {
        return;
    };
    let cloud = moto.sdk_cloud();
    assert_eq!(cloud.get_role("cs-nobody").await, Ok(None));
    let missing_policy = format!("arn:aws:iam::{ACCOUNT}:policy/cs-nothing");
    assert_eq!(cloud.get_policy(&missing_policy).await, Ok(None));
    let err = cloud
        .attach_role_policy("cs-nobody", &missing_policy)
        .await
        .expect_err("no such role");
    assert!(
        matches!(&err, CloudError::NotFound { action, .. } if action == "iam:AttachRolePolicy"),
        "{err:?}"
    );
    let err = cloud
        .list_attached_role_policies("cs-nobody")
        .await
        .expect_err("no such role");
    assert!(matches!(err, CloudError::NotFound { .. }), "{err:?}");
}

#[tokio::test]
async fn identity_store_users() {
    let Some(moto) = MotoServer::start() else {
        return;
    };
    // moto serves the identity store but not sso-admin applications; the users are made
    // with the raw client, as an administrator would in the console.
    let store = aws_sdk_identitystore::Client::new(&moto.sdk_config());
    let mut ids = Vec::new();
    for (user_name, given, family, email) in [
        ("ana@example.com", "Ana", "Lima", "ana@example.com"),
        ("bo", "Bo", "Berg", "bo.berg@example.com"),
    ] {
        let out = store
            .create_user()
            .identity_store_id(STORE)
            .user_name(user_name)
            .display_name(format!("{given} {family}"))
            .name(
                Name::builder()
                    .given_name(given)
                    .family_name(family)
                    .build(),
            )
            .emails(Email::builder().value(email).primary(true).build())
            .send()
            .await
            .expect("identitystore CreateUser");
        ids.push(out.user_id().to_string());
    }

    let cloud = moto.sdk_cloud();
    assert_eq!(
        cloud.user_id_by_user_name(STORE, "bo").await,
        Ok(Some(ids[1].clone()))
    );
    assert_eq!(
        cloud.user_id_by_email(STORE, "bo.berg@example.com").await,
        Ok(Some(ids[1].clone()))
    );
    assert_eq!(cloud.user_id_by_user_name(STORE, "nobody").await, Ok(None));
    assert_eq!(
        cloud.user_id_by_email(STORE, "nobody@example.com").await,
        Ok(None)
    );

    let ana = IdcUser {
        user_id: ids[0].clone(),
        user_name: "ana@example.com".to_string(),
        display_name: Some("Ana Lima".to_string()),
        given_name: Some("Ana".to_string()),
        family_name: Some("Lima".to_string()),
        emails: vec!["ana@example.com".to_string()],
    };
    assert_eq!(
        cloud.describe_user(STORE, &ids[0]).await,
        Ok(Some(ana.clone()))
    );
    assert_eq!(
        cloud
            .describe_user(STORE, "00000000-0000-0000-0000-000000000000")
            .await,
        Ok(None)
    );

    let mut users = cloud.list_users(STORE).await.expect("ListUsers");
    users.sort_by(|a, b| a.user_name.cmp(&b.user_name));
    assert_eq!(users.len(), 2, "{users:?}");
    assert_eq!(users[0], ana);
    assert_eq!(users[1].user_name, "bo");
    assert_eq!(users[1].emails, vec!["bo.berg@example.com".to_string()]);
}

#[tokio::test]
async fn reset_forgets_everything() {
    let Some(moto) = MotoServer::start() else {
        return;
    };
    let cloud = moto.sdk_cloud();
    let name = unique("cs-role");
    let trust = json!({"Version": "2012-10-17", "Statement": []});
    cloud
        .create_role(&name, &trust, &[])
        .await
        .expect("CreateRole");
    assert!(cloud.get_role(&name).await.expect("GetRole").is_some());
    moto.reset();
    assert_eq!(cloud.get_role(&name).await, Ok(None));
}

#[tokio::test]
async fn identity_store_groups_and_memberships() {
    use aws_sdk_identitystore::types::MemberId;
    use connect_sso::cloud::IdcGroup;
    use connect_sso::cloud::groups::{GroupError, resolve_groups};

    let Some(moto) = MotoServer::start() else {
        return;
    };
    // Groups and memberships made with the raw client, as an administrator would.
    let store = aws_sdk_identitystore::Client::new(&moto.sdk_config());
    let user = store
        .create_user()
        .identity_store_id(STORE)
        .user_name("ana@example.com")
        .display_name("Ana Lima")
        .name(
            Name::builder()
                .given_name("Ana")
                .family_name("Lima")
                .build(),
        )
        .send()
        .await
        .expect("identitystore CreateUser")
        .user_id()
        .to_string();
    let mut groups = Vec::new();
    for name in ["Contact center agents", "Supervisors"] {
        let id = store
            .create_group()
            .identity_store_id(STORE)
            .display_name(name)
            .send()
            .await
            .expect("identitystore CreateGroup")
            .group_id()
            .to_string();
        groups.push(id);
    }
    store
        .create_group_membership()
        .identity_store_id(STORE)
        .group_id(&groups[0])
        .member_id(MemberId::UserId(user.clone()))
        .send()
        .await
        .expect("identitystore CreateGroupMembership");

    let cloud = moto.sdk_cloud();
    assert_eq!(
        cloud.group_id_by_display_name(STORE, "Supervisors").await,
        Ok(Some(groups[1].clone()))
    );
    assert_eq!(
        cloud.group_id_by_display_name(STORE, "Nobody").await,
        Ok(None)
    );
    assert_eq!(
        cloud.describe_group(STORE, &groups[0]).await,
        Ok(Some(IdcGroup {
            group_id: groups[0].clone(),
            display_name: "Contact center agents".to_string(),
        }))
    );
    let mut listed: Vec<String> = cloud
        .list_groups(STORE)
        .await
        .expect("ListGroups")
        .into_iter()
        .map(|g| g.display_name)
        .collect();
    listed.sort();
    assert_eq!(listed, ["Contact center agents", "Supervisors"]);
    assert_eq!(
        cloud.list_group_memberships(STORE, &groups[0]).await,
        Ok(vec![user.clone()])
    );
    assert_eq!(
        cloud.list_group_memberships(STORE, &groups[1]).await,
        Ok(Vec::new())
    );

    // What apply and the wizard do first: by display name or by id, each group once; an
    // unknown one with a suggestion from the listing.
    let found = resolve_groups(
        &cloud,
        STORE,
        &["Supervisors".to_string(), groups[1].clone()],
    )
    .await
    .expect("both name the same group");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].group.group_id, groups[1]);
    match resolve_groups(&cloud, STORE, &["Supervisor".to_string()]).await {
        Err(GroupError::Unknown(messages)) => {
            assert!(messages[0].contains("Supervisors"), "{messages:?}")
        }
        other => panic!("{other:?}"),
    }
}
