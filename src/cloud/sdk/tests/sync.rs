//! What `users sync` asks of Connect through the SDK: CreateUser with its tags (and sent
//! again when throttled), DescribeUser's tags and names, DeleteUser.

use std::time::Duration;

use aws_sdk_connect::Client as Connect;
use aws_sdk_connect::operation::create_user::{CreateUserError, CreateUserOutput};
use aws_sdk_connect::operation::delete_user::{DeleteUserError, DeleteUserOutput};
use aws_sdk_connect::operation::describe_user::{DescribeUserError, DescribeUserOutput};
use aws_sdk_connect::types::error::{ResourceNotFoundException, ThrottlingException};
use aws_sdk_connect::types::{User, UserIdentityInfo};
use aws_smithy_mocks::mock;

use super::*;
use crate::cloud::sync::{CREATED_BY_KEY, CREATED_BY_VALUE, created_by_sync, sync_tags};
use crate::cloud::{ConnectApi, NewConnectUser, Tag};

const INSTANCE_ID: &str = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

fn new_user() -> NewConnectUser {
    NewConnectUser {
        username: "ana@example.com".to_string(),
        first_name: "Ana".to_string(),
        last_name: "Lima".to_string(),
        security_profile_ids: vec!["sp-agent".to_string()],
        routing_profile_id: "rp-basic".to_string(),
        tags: sync_tags(INSTANCE_ID),
    }
}

fn created() -> CreateUserOutput {
    CreateUserOutput::builder()
        .user_id("u-1")
        .user_arn("arn:aws:connect:us-east-1:123456789012:instance/x/agent/u-1")
        .build()
}

#[tokio::test(start_paused = true)]
async fn create_user_sends_the_tags_and_is_sent_again_when_throttled() {
    let tagged = |r: &aws_sdk_connect::operation::create_user::CreateUserInput| {
        r.tags().is_some_and(|t| {
            t.get(CREATED_BY_KEY).map(String::as_str) == Some(CREATED_BY_VALUE)
                && t.get("managed-by").map(String::as_str) == Some("connect-sso")
                && t.get("connect-sso:instance-id").map(String::as_str) == Some(INSTANCE_ID)
        })
    };
    let cloud = Mocks::connect([
        mock!(Connect::create_user)
            .match_requests(tagged)
            .then_error(|| {
                CreateUserError::ThrottlingException(
                    ThrottlingException::builder()
                        .message("Rate exceeded")
                        .meta(meta("ThrottlingException", "Rate exceeded"))
                        .build(),
                )
            }),
        mock!(Connect::create_user)
            .match_requests(tagged)
            .then_output(created),
    ])
    .cloud_with(Limits::default().with_backoff(Backoff {
        base: Duration::from_millis(1),
        cap: Duration::from_millis(4),
        ..Backoff::default()
    }));
    let user = cloud
        .create_connect_user(INSTANCE_ID, &new_user())
        .await
        .expect("created after the throttled answer");
    assert_eq!(user.id, "u-1");
}

#[tokio::test]
async fn create_user_without_tags_sends_none() {
    let cloud = Mocks::connect([mock!(Connect::create_user)
        .match_requests(|r| r.tags().is_none())
        .then_output(created)])
    .cloud();
    let untagged = NewConnectUser {
        tags: Vec::new(),
        ..new_user()
    };
    cloud
        .create_connect_user(INSTANCE_ID, &untagged)
        .await
        .expect("created");
}

#[tokio::test]
async fn describe_user_gives_names_and_sorted_tags() {
    let cloud = Mocks::connect([mock!(Connect::describe_user)
        .match_requests(|r| r.instance_id() == Some(INSTANCE_ID) && r.user_id() == Some("u-1"))
        .then_output(|| {
            DescribeUserOutput::builder()
                .user(
                    User::builder()
                        .id("u-1")
                        .arn("arn:u-1")
                        .username("ana@example.com")
                        .identity_info(
                            UserIdentityInfo::builder()
                                .first_name("Ana")
                                .last_name("Lima")
                                .build(),
                        )
                        .tags(CREATED_BY_KEY, CREATED_BY_VALUE)
                        .tags("managed-by", "connect-sso")
                        .build(),
                )
                .build()
        })])
    .cloud();
    let d = cloud
        .describe_connect_user(INSTANCE_ID, "u-1")
        .await
        .unwrap()
        .expect("found");
    assert_eq!(d.user.username, "ana@example.com");
    assert_eq!(d.first_name.as_deref(), Some("Ana"));
    assert_eq!(d.last_name.as_deref(), Some("Lima"));
    assert_eq!(
        d.tags,
        [
            Tag::new(CREATED_BY_KEY, CREATED_BY_VALUE),
            Tag::new("managed-by", "connect-sso")
        ]
    );
    assert!(created_by_sync(&d.tags));
}

fn not_found_describe() -> DescribeUserError {
    DescribeUserError::ResourceNotFoundException(
        ResourceNotFoundException::builder()
            .message("User not found")
            .meta(meta("ResourceNotFoundException", "User not found"))
            .build(),
    )
}

#[tokio::test]
async fn describe_user_of_a_user_that_is_gone_is_none() {
    let cloud =
        Mocks::connect([mock!(Connect::describe_user).then_error(not_found_describe)]).cloud();
    assert_eq!(
        cloud.describe_connect_user(INSTANCE_ID, "u-9").await,
        Ok(None)
    );
}

#[tokio::test]
async fn delete_user_sends_the_ids_and_a_missing_user_is_not_found() {
    let cloud = Mocks::connect([
        mock!(Connect::delete_user)
            .match_requests(|r| r.instance_id() == Some(INSTANCE_ID) && r.user_id() == Some("u-1"))
            .then_output(|| DeleteUserOutput::builder().build()),
        mock!(Connect::delete_user).then_error(|| {
            DeleteUserError::ResourceNotFoundException(
                ResourceNotFoundException::builder()
                    .message("User not found")
                    .meta(meta("ResourceNotFoundException", "User not found"))
                    .build(),
            )
        }),
    ])
    .cloud();
    cloud
        .delete_connect_user(INSTANCE_ID, "u-1")
        .await
        .expect("deleted");
    let err = cloud
        .delete_connect_user(INSTANCE_ID, "u-1")
        .await
        .expect_err("gone");
    assert!(
        matches!(&err, CloudError::NotFound { action, .. } if action == "connect:DeleteUser"),
        "{err:?}"
    );
}
