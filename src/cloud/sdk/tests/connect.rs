//! Amazon Connect, in the connect context.

use aws_sdk_connect::Client;
use aws_sdk_connect::operation::create_user::{CreateUserError, CreateUserInput, CreateUserOutput};
use aws_sdk_connect::operation::describe_instance::{
    DescribeInstanceError, DescribeInstanceOutput,
};
use aws_sdk_connect::operation::list_instances::{ListInstancesError, ListInstancesOutput};
use aws_sdk_connect::operation::list_routing_profiles::{
    ListRoutingProfilesError, ListRoutingProfilesOutput,
};
use aws_sdk_connect::operation::list_security_profiles::{
    ListSecurityProfilesError, ListSecurityProfilesOutput,
};
use aws_sdk_connect::operation::search_users::{
    SearchUsersError, SearchUsersInput, SearchUsersOutput,
};
use aws_sdk_connect::types::error::{
    DuplicateResourceException, InvalidRequestException, LimitExceededException,
    ResourceNotFoundException, ThrottlingException,
};
use aws_sdk_connect::types::{
    DirectoryType, Instance, InstanceStatus, InstanceSummary, PhoneType, RoutingProfileSummary,
    SecurityProfileSummary, StringComparisonType, UserSearchSummary,
};
use aws_smithy_mocks::mock;

use super::*;
use crate::cloud::{ConnectApi, ConnectInstanceSummary, ConnectUser, NamedId, NewConnectUser};

const INSTANCE_ID: &str = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
const INSTANCE_ARN: &str =
    "arn:aws:connect:us-east-1:111122223333:instance/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

fn not_found() -> ResourceNotFoundException {
    ResourceNotFoundException::builder()
        .message("Instance not found")
        .meta(meta("ResourceNotFoundException", "Instance not found"))
        .build()
}

/// Connect does not model AccessDeniedException on these operations: it arrives unhandled.
fn access_denied_meta() -> aws_sdk_connect::error::ErrorMetadata {
    meta("AccessDeniedException", "denied")
}

fn throttled() -> ThrottlingException {
    ThrottlingException::builder()
        .message("Rate exceeded")
        .meta(meta("ThrottlingException", "Rate exceeded"))
        .build()
}

// ---- ListInstances

#[tokio::test]
async fn list_connect_instances_reads_every_page() {
    let cloud = Mocks::connect([
        mock!(Client::list_instances)
            .match_requests(|r| r.next_token().is_none())
            .then_output(|| {
                ListInstancesOutput::builder()
                    .instance_summary_list(
                        InstanceSummary::builder()
                            .id(INSTANCE_ID)
                            .arn(INSTANCE_ARN)
                            .instance_alias("acme")
                            .identity_management_type(DirectoryType::Saml)
                            .instance_status(InstanceStatus::Active)
                            .build(),
                    )
                    .next_token("p2")
                    .build()
            }),
        mock!(Client::list_instances)
            .match_requests(|r| r.next_token() == Some("p2"))
            .then_output(|| {
                ListInstancesOutput::builder()
                    .instance_summary_list(
                        InstanceSummary::builder()
                            .id("other")
                            .arn("arn:aws:connect:us-east-1:111122223333:instance/other")
                            .identity_management_type(DirectoryType::ConnectManaged)
                            .instance_status(InstanceStatus::CreationInProgress)
                            .build(),
                    )
                    .build()
            }),
    ])
    .cloud();
    let instances = cloud.list_connect_instances().await.expect("instances");
    assert_eq!(
        instances,
        vec![
            ConnectInstanceSummary {
                id: INSTANCE_ID.to_string(),
                arn: INSTANCE_ARN.to_string(),
                alias: Some("acme".to_string()),
                identity_management_type: "SAML".to_string(),
                status: "ACTIVE".to_string(),
            },
            ConnectInstanceSummary {
                id: "other".to_string(),
                arn: "arn:aws:connect:us-east-1:111122223333:instance/other".to_string(),
                alias: None,
                identity_management_type: "CONNECT_MANAGED".to_string(),
                status: "CREATION_IN_PROGRESS".to_string(),
            },
        ]
    );
}

#[tokio::test]
async fn list_connect_instances_access_denied() {
    let cloud = Mocks::connect([mock!(Client::list_instances)
        .then_error(|| ListInstancesError::generic(access_denied_meta()))])
    .cloud();
    let err = cloud.list_connect_instances().await.expect_err("denied");
    assert_access_denied(&err, "connect:ListInstances", Context::Connect);
}

// ---- DescribeInstance

#[tokio::test]
async fn describe_connect_instance_maps_the_instance() {
    let cloud = Mocks::connect([mock!(Client::describe_instance)
        .match_requests(|r| r.instance_id() == Some(INSTANCE_ID))
        .then_output(|| {
            DescribeInstanceOutput::builder()
                .instance(
                    Instance::builder()
                        .id(INSTANCE_ID)
                        .arn(INSTANCE_ARN)
                        .instance_alias("acme")
                        .identity_management_type(DirectoryType::ExistingDirectory)
                        .instance_status(InstanceStatus::CreationFailed)
                        .build(),
                )
                .build()
        })])
    .cloud();
    let instance = cloud
        .describe_connect_instance(INSTANCE_ID)
        .await
        .expect("described")
        .expect("some");
    assert_eq!(instance.identity_management_type, "EXISTING_DIRECTORY");
    assert_eq!(instance.status, "CREATION_FAILED");
    assert_eq!(instance.alias.as_deref(), Some("acme"));
    assert_eq!(instance.arn, INSTANCE_ARN);
}

#[tokio::test]
async fn describe_connect_instance_errors() {
    let cloud = Mocks::connect([
        mock!(Client::describe_instance)
            .then_error(|| DescribeInstanceError::ResourceNotFoundException(not_found())),
        mock!(Client::describe_instance).then_error(|| {
            DescribeInstanceError::InvalidRequestException(
                InvalidRequestException::builder()
                    .message("bad instance id")
                    .meta(meta("InvalidRequestException", "bad instance id"))
                    .build(),
            )
        }),
    ])
    .cloud();
    assert_eq!(cloud.describe_connect_instance(INSTANCE_ID).await, Ok(None));
    let err = cloud
        .describe_connect_instance("nope")
        .await
        .expect_err("invalid");
    assert_eq!(
        err,
        CloudError::Invalid {
            action: "connect:DescribeInstance".to_string(),
            message: "bad instance id".to_string(),
        }
    );
}

// ---- SearchUsers

fn exact_username(r: &SearchUsersInput, username: &str) -> bool {
    r.instance_id() == Some(INSTANCE_ID)
        && r.search_criteria()
            .and_then(|c| c.string_condition())
            .is_some_and(|c| {
                c.field_name() == Some("Username")
                    && c.value() == Some(username)
                    && c.comparison_type() == Some(&StringComparisonType::Exact)
            })
}

fn search_hit(id: &str, username: &str) -> UserSearchSummary {
    UserSearchSummary::builder()
        .id(id)
        .arn(format!("{INSTANCE_ARN}/agent/{id}"))
        .username(username)
        .build()
}

#[tokio::test]
async fn search_connect_user_is_exact_and_case_sensitive_across_pages() {
    let cloud = Mocks::connect([
        mock!(Client::search_users)
            .match_requests(|r| exact_username(r, "ana@example.com") && r.next_token().is_none())
            .then_output(|| {
                SearchUsersOutput::builder()
                    .users(search_hit("u-upper", "Ana@Example.com"))
                    .next_token("p2")
                    .build()
            }),
        mock!(Client::search_users)
            .match_requests(|r| {
                exact_username(r, "ana@example.com") && r.next_token() == Some("p2")
            })
            .then_output(|| {
                SearchUsersOutput::builder()
                    .users(search_hit("u-1", "ana@example.com"))
                    .build()
            }),
    ])
    .cloud();
    assert_eq!(
        cloud
            .search_connect_user(INSTANCE_ID, "ana@example.com")
            .await
            .expect("searched"),
        Some(ConnectUser {
            id: "u-1".to_string(),
            arn: format!("{INSTANCE_ARN}/agent/u-1"),
            username: "ana@example.com".to_string(),
        })
    );
}

#[tokio::test]
async fn search_connect_user_without_exact_match_is_none() {
    let cloud = Mocks::connect([mock!(Client::search_users)
        .match_requests(|r| exact_username(r, "ana@example.com"))
        .then_output(|| {
            SearchUsersOutput::builder()
                .users(search_hit("u-upper", "ANA@example.com"))
                .build()
        })])
    .cloud();
    assert_eq!(
        cloud
            .search_connect_user(INSTANCE_ID, "ana@example.com")
            .await,
        Ok(None)
    );
}

#[tokio::test]
async fn search_connect_user_throttled() {
    let cloud = Mocks::connect([mock!(Client::search_users)
        .then_error(|| SearchUsersError::ThrottlingException(throttled()))])
    .cloud();
    let err = cloud
        .search_connect_user(INSTANCE_ID, "ana@example.com")
        .await
        .expect_err("throttled");
    assert_eq!(
        err,
        CloudError::Throttled {
            action: "connect:SearchUsers".to_string()
        }
    );
}

// ---- CreateUser

fn new_user() -> NewConnectUser {
    NewConnectUser {
        username: "ana@example.com".to_string(),
        first_name: "Ana".to_string(),
        last_name: "Lima".to_string(),
        security_profile_ids: vec!["sp-agent".to_string(), "sp-extra".to_string()],
        routing_profile_id: "rp-basic".to_string(),
    }
}

fn is_saml_user(r: &CreateUserInput) -> bool {
    let identity = r.identity_info();
    let phone = r.phone_config();
    r.instance_id() == Some(INSTANCE_ID)
        && r.username() == Some("ana@example.com")
        // Federated users have no password, and the email field stays empty.
        && r.password().is_none()
        && identity.and_then(|i| i.email()).is_none()
        && identity.and_then(|i| i.first_name()) == Some("Ana")
        && identity.and_then(|i| i.last_name()) == Some("Lima")
        && phone.map(|p| p.phone_type()) == Some(&PhoneType::SoftPhone)
        && phone.map(|p| p.auto_accept()) == Some(false)
        && r.security_profile_ids() == ["sp-agent".to_string(), "sp-extra".to_string()]
        && r.routing_profile_id() == Some("rp-basic")
}

#[tokio::test]
async fn create_connect_user_sends_a_federated_user() {
    let cloud = Mocks::connect([mock!(Client::create_user)
        .match_requests(is_saml_user)
        .then_output(|| {
            CreateUserOutput::builder()
                .user_id("u-1")
                .user_arn(format!("{INSTANCE_ARN}/agent/u-1"))
                .build()
        })])
    .cloud();
    assert_eq!(
        cloud
            .create_connect_user(INSTANCE_ID, &new_user())
            .await
            .expect("created"),
        ConnectUser {
            id: "u-1".to_string(),
            arn: format!("{INSTANCE_ARN}/agent/u-1"),
            username: "ana@example.com".to_string(),
        }
    );
}

#[tokio::test]
async fn create_connect_user_without_an_id_in_the_answer_is_an_error() {
    let cloud = Mocks::connect([
        mock!(Client::create_user).then_output(|| CreateUserOutput::builder().build())
    ])
    .cloud();
    let err = cloud
        .create_connect_user(INSTANCE_ID, &new_user())
        .await
        .expect_err("incomplete");
    assert!(
        matches!(&err, CloudError::Service { code, action, .. }
            if code == "IncompleteResponse" && action == "connect:CreateUser"),
        "{err:?}"
    );
}

#[tokio::test]
async fn create_connect_user_errors() {
    let cloud = Mocks::connect([
        mock!(Client::create_user).then_error(|| {
            CreateUserError::DuplicateResourceException(
                DuplicateResourceException::builder()
                    .message("User with username already exists")
                    .meta(meta(
                        "DuplicateResourceException",
                        "User with username already exists",
                    ))
                    .build(),
            )
        }),
        mock!(Client::create_user).then_error(|| {
            CreateUserError::LimitExceededException(
                LimitExceededException::builder()
                    .message("user limit")
                    .meta(meta("LimitExceededException", "user limit"))
                    .build(),
            )
        }),
        mock!(Client::create_user).then_error(|| CreateUserError::generic(access_denied_meta())),
    ])
    .cloud();
    let err = cloud
        .create_connect_user(INSTANCE_ID, &new_user())
        .await
        .expect_err("duplicate");
    assert_eq!(
        err,
        CloudError::AlreadyExists {
            action: "connect:CreateUser".to_string(),
            what: "Connect user ana@example.com".to_string(),
            message: "User with username already exists".to_string(),
        }
    );
    let err = cloud
        .create_connect_user(INSTANCE_ID, &new_user())
        .await
        .expect_err("limit");
    assert!(matches!(err, CloudError::LimitExceeded { .. }), "{err:?}");
    let err = cloud
        .create_connect_user(INSTANCE_ID, &new_user())
        .await
        .expect_err("denied");
    assert_access_denied(&err, "connect:CreateUser", Context::Connect);
}

// ---- ListSecurityProfiles / ListRoutingProfiles

#[tokio::test]
async fn list_security_profiles_reads_every_page() {
    let cloud = Mocks::connect([
        mock!(Client::list_security_profiles)
            .match_requests(|r| r.instance_id() == Some(INSTANCE_ID) && r.next_token().is_none())
            .then_output(|| {
                ListSecurityProfilesOutput::builder()
                    .security_profile_summary_list(
                        SecurityProfileSummary::builder()
                            .id("sp-1")
                            .name("Agent")
                            .build(),
                    )
                    .next_token("p2")
                    .build()
            }),
        mock!(Client::list_security_profiles)
            .match_requests(|r| r.next_token() == Some("p2"))
            .then_output(|| {
                ListSecurityProfilesOutput::builder()
                    .security_profile_summary_list(
                        SecurityProfileSummary::builder()
                            .id("sp-2")
                            .name("Admin")
                            .build(),
                    )
                    .build()
            }),
    ])
    .cloud();
    assert_eq!(
        cloud
            .list_security_profiles(INSTANCE_ID)
            .await
            .expect("profiles"),
        vec![
            NamedId {
                id: "sp-1".to_string(),
                name: "Agent".to_string()
            },
            NamedId {
                id: "sp-2".to_string(),
                name: "Admin".to_string()
            },
        ]
    );
}

#[tokio::test]
async fn list_security_profiles_of_a_missing_instance() {
    let cloud = Mocks::connect([mock!(Client::list_security_profiles)
        .then_error(|| ListSecurityProfilesError::ResourceNotFoundException(not_found()))])
    .cloud();
    let err = cloud
        .list_security_profiles(INSTANCE_ID)
        .await
        .expect_err("missing");
    assert!(
        matches!(&err, CloudError::NotFound { action, what, .. }
            if action == "connect:ListSecurityProfiles" && what.contains(INSTANCE_ID)),
        "{err:?}"
    );
}

#[tokio::test]
async fn list_routing_profiles_reads_every_page() {
    let cloud = Mocks::connect([
        mock!(Client::list_routing_profiles)
            .match_requests(|r| r.instance_id() == Some(INSTANCE_ID) && r.next_token().is_none())
            .then_output(|| {
                ListRoutingProfilesOutput::builder()
                    .routing_profile_summary_list(
                        RoutingProfileSummary::builder()
                            .id("rp-1")
                            .name("Basic Routing Profile")
                            .build(),
                    )
                    .next_token("p2")
                    .build()
            }),
        mock!(Client::list_routing_profiles)
            .match_requests(|r| r.next_token() == Some("p2"))
            .then_output(|| {
                ListRoutingProfilesOutput::builder()
                    .routing_profile_summary_list(
                        RoutingProfileSummary::builder()
                            .id("rp-2")
                            .name("Sales")
                            .build(),
                    )
                    .build()
            }),
    ])
    .cloud();
    let profiles = cloud
        .list_routing_profiles(INSTANCE_ID)
        .await
        .expect("profiles");
    let ids: Vec<&str> = profiles.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, vec!["rp-1", "rp-2"]);
    assert_eq!(profiles[0].name, "Basic Routing Profile");
}

#[tokio::test]
async fn list_routing_profiles_access_denied() {
    let cloud = Mocks::connect([mock!(Client::list_routing_profiles)
        .then_error(|| ListRoutingProfilesError::generic(access_denied_meta()))])
    .cloud();
    let err = cloud
        .list_routing_profiles(INSTANCE_ID)
        .await
        .expect_err("denied");
    assert_access_denied(&err, "connect:ListRoutingProfiles", Context::Connect);
}
