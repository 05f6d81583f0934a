//! The sandbox's own tests, one file per service it stands in for, plus its seed, its
//! faults and its file; the helpers they share are here.

mod connect;
mod faults;
mod iam;
mod identity_center;
mod persist;
mod saml_issue;
mod seed;
mod sts;

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::account::{derived_uuid, named};
use super::iam::iam_arn;
use super::identity_center::is_uuid;
use super::*;
use crate::cloud::api::*;
use crate::cloud::{
    ApplicationAssignment, AttachedPolicy, CUSTOM_SAML_PROVIDER, CloudError, CloudResult, Context,
    NewConnectUser, PolicyEntities, PrincipalType, Tag, managed_tags,
};

const METADATA: &str = include_str!("../../../../tests/fixtures/metadata/idc-metadata.xml");

fn permissions() -> Value {
    crate::domain::policy::permissions_policy(SANDBOX_INSTANCE_ARN)
}

fn trust(provider_arn: &str) -> Value {
    crate::domain::policy::trust_policy(
        provider_arn,
        &["https://signin.aws.amazon.com/saml".to_string()],
    )
}

fn new_user(username: &str) -> NewConnectUser {
    NewConnectUser {
        username: username.to_string(),
        first_name: "Kwame".to_string(),
        last_name: "Mensah".to_string(),
        security_profile_ids: vec![SANDBOX_AGENT_SECURITY_PROFILE_ID.to_string()],
        routing_profile_id: SANDBOX_ROUTING_PROFILE_ID.to_string(),
        tags: Vec::new(),
    }
}

fn is_invalid<T: fmt::Debug>(r: CloudResult<T>) -> String {
    match r {
        Err(CloudError::Invalid { message, .. }) => message,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

fn is_not_found<T: fmt::Debug>(r: CloudResult<T>) {
    assert!(
        matches!(r, Err(CloudError::NotFound { .. })),
        "expected NotFound, got {r:?}"
    );
}

/// A sandbox with the SAML provider, policy and role a finished step 6 leaves behind.
async fn with_iam() -> (Sandbox, String, String) {
    let sb = Sandbox::new();
    let provider = sb
        .create_saml_provider("IdC", METADATA, &managed_tags(SANDBOX_INSTANCE_ID))
        .await
        .unwrap();
    let policy = sb.create_policy("Fed", &permissions(), &[]).await.unwrap();
    sb.create_role("Fed", &trust(&provider), &managed_tags(SANDBOX_INSTANCE_ID))
        .await
        .unwrap();
    (sb, provider, policy)
}

fn is_delete_conflict<T: fmt::Debug>(r: CloudResult<T>) -> String {
    match r {
        Err(CloudError::DeleteConflict { message, .. }) => message,
        other => panic!("expected DeleteConflict, got {other:?}"),
    }
}

/// An account with something of everything it can hold.
async fn busy_account() -> Sandbox {
    let (sb, _, policy) = with_iam().await;
    sb.create_policy_version(&policy, &permissions(), true)
        .await
        .unwrap();
    sb.attach_role_policy("Fed", &policy).await.unwrap();
    sb.simulate_put_role_policy("Fed", "Extra", &permissions())
        .unwrap();
    let app = sb.simulate_create_application("Workshop Connect");
    sb.create_application_assignment(&app, PrincipalType::User, SANDBOX_USERS[1].user_id)
        .await
        .unwrap();
    sb.create_application_assignment(&app, PrincipalType::Group, SANDBOX_GROUPS[0].group_id)
        .await
        .unwrap();
    sb.create_connect_user(SANDBOX_INSTANCE_ID, &new_user("kwame.mensah@example.com"))
        .await
        .unwrap();
    sb
}
