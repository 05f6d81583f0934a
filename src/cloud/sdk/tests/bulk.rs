//! The bulk reads behind doctor's and step 11's comparisons of many people: every page of
//! the identity store's users, groups and group members (100 a page) and of the Connect
//! instance's users (1,000 a page), and a group's id by display name.

use aws_sdk_connect::Client as Connect;
use aws_sdk_connect::operation::list_users::ListUsersOutput as ConnectListUsersOutput;
use aws_sdk_connect::types::UserSummary;
use aws_sdk_connect::types::error::ThrottlingException;
use aws_sdk_identitystore::Client as IdentityStore;
use aws_sdk_identitystore::operation::get_group_id::{GetGroupIdError, GetGroupIdOutput};
use aws_sdk_identitystore::operation::list_group_memberships::{
    ListGroupMembershipsError, ListGroupMembershipsOutput,
};
use aws_sdk_identitystore::operation::list_groups::ListGroupsOutput;
use aws_sdk_identitystore::operation::list_users::ListUsersOutput;
use aws_sdk_identitystore::types::error::{AccessDeniedException, ResourceNotFoundException};
use aws_sdk_identitystore::types::{AlternateIdentifier, Group, GroupMembership, MemberId, User};
use aws_smithy_mocks::mock;

use super::*;
use crate::cloud::{ConnectApi, ConnectUser, IdcGroup, IdentityCenter};

const STORE: &str = "d-9067000000";
const INSTANCE_ID: &str = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
const GROUP: &str = "g-agents";

#[tokio::test]
async fn list_users_asks_for_100_a_page() {
    let cloud = Mocks::identity_store([mock!(IdentityStore::list_users)
        .match_requests(|r| r.max_results() == Some(100) && r.next_token().is_none())
        .then_output(|| {
            ListUsersOutput::builder()
                .users(
                    User::builder()
                        .identity_store_id(STORE)
                        .user_id("u-1")
                        .user_arn(format!("arn:aws:identitystore:::user/{STORE}/u-1"))
                        .revision("1")
                        .user_name("ana@example.com")
                        .build()
                        .expect("all required fields"),
                )
                .build()
                .expect("all required fields")
        })])
    .cloud();
    assert_eq!(cloud.list_users(STORE).await.expect("users").len(), 1);
}

fn connect_user(id: &str, name: &str) -> UserSummary {
    UserSummary::builder()
        .id(id)
        .arn(format!(
            "arn:aws:connect:us-east-1:111122223333:instance/{INSTANCE_ID}/agent/{id}"
        ))
        .username(name)
        .build()
}

#[tokio::test]
async fn list_connect_users_reads_every_page_of_1000() {
    let cloud = Mocks::connect([
        mock!(Connect::list_users)
            .match_requests(|r| {
                r.instance_id() == Some(INSTANCE_ID)
                    && r.max_results() == Some(1000)
                    && r.next_token().is_none()
            })
            .then_output(|| {
                ConnectListUsersOutput::builder()
                    .user_summary_list(connect_user("c-1", "ana@example.com"))
                    .next_token("p2")
                    .build()
            }),
        mock!(Connect::list_users)
            .match_requests(|r| r.max_results() == Some(1000) && r.next_token() == Some("p2"))
            .then_output(|| {
                ConnectListUsersOutput::builder()
                    .user_summary_list(connect_user("c-2", "Bo@example.com"))
                    // A summary without a user name cannot be matched: it is left out.
                    .user_summary_list(UserSummary::builder().id("c-3").build())
                    .build()
            }),
    ])
    .cloud();
    let users = cloud.list_connect_users(INSTANCE_ID).await.expect("users");
    assert_eq!(
        users,
        [
            ConnectUser {
                id: "c-1".into(),
                arn: format!(
                    "arn:aws:connect:us-east-1:111122223333:instance/{INSTANCE_ID}/agent/c-1"
                ),
                username: "ana@example.com".into(),
            },
            ConnectUser {
                id: "c-2".into(),
                arn: format!(
                    "arn:aws:connect:us-east-1:111122223333:instance/{INSTANCE_ID}/agent/c-2"
                ),
                username: "Bo@example.com".into(),
            },
        ]
    );
}

#[tokio::test]
async fn list_connect_users_throttled_after_retries_says_so() {
    let cloud = Mocks::connect([mock!(Connect::list_users).then_error(|| {
        aws_sdk_connect::operation::list_users::ListUsersError::ThrottlingException(
            ThrottlingException::builder()
                .message("Rate exceeded")
                .meta(meta("ThrottlingException", "Rate exceeded"))
                .build(),
        )
    })])
    .cloud();
    let err = cloud
        .list_connect_users(INSTANCE_ID)
        .await
        .expect_err("throttled");
    assert!(
        matches!(&err, CloudError::Throttled { action } if action == "connect:ListUsers"),
        "{err:?}"
    );
}

fn group(id: &str, name: &str) -> Group {
    Group::builder()
        .identity_store_id(STORE)
        .group_id(id)
        .group_arn(format!("arn:aws:identitystore:::group/{STORE}/{id}"))
        .revision("1")
        .display_name(name)
        .build()
        .expect("all required fields")
}

#[tokio::test]
async fn list_groups_reads_every_page() {
    let cloud = Mocks::identity_store([
        mock!(IdentityStore::list_groups)
            .match_requests(|r| r.max_results() == Some(100) && r.next_token().is_none())
            .then_output(|| {
                ListGroupsOutput::builder()
                    .groups(group("g-1", "Agents"))
                    .next_token("p2")
                    .build()
                    .expect("all required fields")
            }),
        mock!(IdentityStore::list_groups)
            .match_requests(|r| r.next_token() == Some("p2"))
            .then_output(|| {
                ListGroupsOutput::builder()
                    .groups(group("g-2", "Supervisors"))
                    .build()
                    .expect("all required fields")
            }),
    ])
    .cloud();
    assert_eq!(
        cloud.list_groups(STORE).await.expect("groups"),
        [
            IdcGroup {
                group_id: "g-1".into(),
                display_name: "Agents".into()
            },
            IdcGroup {
                group_id: "g-2".into(),
                display_name: "Supervisors".into()
            },
        ]
    );
}

#[tokio::test]
async fn group_id_by_display_name_asks_for_display_name() {
    let cloud = Mocks::identity_store([
        mock!(IdentityStore::get_group_id)
            .match_requests(|r| match r.alternate_identifier() {
                Some(AlternateIdentifier::UniqueAttribute(a)) => {
                    a.attribute_path() == "displayName"
                        && a.attribute_value().as_string() == Some("Agents")
                }
                _ => false,
            })
            .then_output(|| {
                GetGroupIdOutput::builder()
                    .group_id("g-1")
                    .group_arn(format!("arn:aws:identitystore:::group/{STORE}/g-1"))
                    .identity_store_id(STORE)
                    .build()
                    .expect("all required fields")
            }),
        mock!(IdentityStore::get_group_id).then_error(|| {
            GetGroupIdError::ResourceNotFoundException(
                ResourceNotFoundException::builder()
                    .message("no such group")
                    .meta(meta("ResourceNotFoundException", "no such group"))
                    .build(),
            )
        }),
    ])
    .cloud();
    assert_eq!(
        cloud
            .group_id_by_display_name(STORE, "Agents")
            .await
            .unwrap()
            .as_deref(),
        Some("g-1")
    );
    assert_eq!(
        cloud
            .group_id_by_display_name(STORE, "Nobody")
            .await
            .unwrap(),
        None
    );
}

fn membership(user: &str) -> GroupMembership {
    GroupMembership::builder()
        .identity_store_id(STORE)
        .group_id(GROUP)
        .membership_id(format!("m-{user}"))
        .membership_arn(format!(
            "arn:aws:identitystore:::membership/{STORE}/m-{user}"
        ))
        .member_id(MemberId::UserId(user.to_string()))
        .build()
        .expect("all required fields")
}

#[tokio::test]
async fn list_group_memberships_reads_every_page_of_100() {
    let cloud = Mocks::identity_store([
        mock!(IdentityStore::list_group_memberships)
            .match_requests(|r| {
                r.group_id() == Some(GROUP)
                    && r.identity_store_id() == Some(STORE)
                    && r.max_results() == Some(100)
                    && r.next_token().is_none()
            })
            .then_output(|| {
                ListGroupMembershipsOutput::builder()
                    .group_memberships(membership("u-1"))
                    .group_memberships(membership("u-2"))
                    .next_token("p2")
                    .build()
                    .expect("all required fields")
            }),
        mock!(IdentityStore::list_group_memberships)
            .match_requests(|r| r.next_token() == Some("p2"))
            .then_output(|| {
                ListGroupMembershipsOutput::builder()
                    .group_memberships(membership("u-3"))
                    .build()
                    .expect("all required fields")
            }),
    ])
    .cloud();
    assert_eq!(
        cloud
            .list_group_memberships(STORE, GROUP)
            .await
            .expect("members"),
        ["u-1", "u-2", "u-3"]
    );
}

#[tokio::test]
async fn list_group_memberships_access_denied_names_the_action() {
    let cloud = Mocks::identity_store([mock!(IdentityStore::list_group_memberships).then_error(
        || {
            ListGroupMembershipsError::AccessDeniedException(
                AccessDeniedException::builder()
                    .message("denied")
                    .meta(meta("AccessDeniedException", "denied"))
                    .build(),
            )
        },
    )])
    .cloud();
    let err = cloud
        .list_group_memberships(STORE, GROUP)
        .await
        .expect_err("denied");
    assert_access_denied(
        &err,
        "identitystore:ListGroupMemberships",
        Context::Identity,
    );
}
