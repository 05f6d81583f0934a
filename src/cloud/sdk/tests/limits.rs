//! The pacer and the backoff in the SDK adapter's request path: every page of a listing is
//! one request, paced by its service's quota and sent again when AWS throttles it.

use std::time::Duration;

use aws_sdk_connect::Client as Connect;
use aws_sdk_connect::operation::list_users::{ListUsersError, ListUsersOutput};
use aws_sdk_connect::operation::search_users::SearchUsersError;
use aws_sdk_connect::types::UserSummary;
use aws_sdk_connect::types::error::ThrottlingException;
use aws_sdk_identitystore::Client as IdentityStore;
use aws_sdk_identitystore::operation::list_group_memberships::{
    ListGroupMembershipsError, ListGroupMembershipsOutput,
};
use aws_sdk_identitystore::types::{GroupMembership, MemberId};
use aws_smithy_mocks::{Rule, mock};

use super::*;
use crate::cloud::limits::MaxRps;
use crate::cloud::{ConnectApi, IdentityCenter};

const INSTANCE_ID: &str = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
const STORE: &str = "d-9067000000";

fn throttled() -> ListUsersError {
    ListUsersError::ThrottlingException(
        ThrottlingException::builder()
            .message("Rate exceeded")
            .meta(meta("ThrottlingException", "Rate exceeded"))
            .build(),
    )
}

/// Page `n` of `pages` of Connect's ListUsers, one user each.
fn page(n: usize, pages: usize) -> Rule {
    let token = (n > 1).then(|| format!("p{n}"));
    mock!(Connect::list_users)
        .match_requests(move |r| r.next_token() == token.as_deref())
        .then_output(move || {
            let out = ListUsersOutput::builder().user_summary_list(
                UserSummary::builder()
                    .id(format!("c-{n}"))
                    .username(format!("agent{n}@example.com"))
                    .build(),
            );
            if n < pages {
                out.next_token(format!("p{}", n + 1)).build()
            } else {
                out.build()
            }
        })
}

/// Fast retries: the delays are not what these tests measure.
fn quick() -> Backoff {
    Backoff {
        base: Duration::from_millis(1),
        cap: Duration::from_millis(4),
        ..Backoff::default()
    }
}

#[tokio::test(start_paused = true)]
async fn every_page_is_paced_by_connects_quota() {
    // Eight pages: five in the burst, then one every half second.
    let cloud = Mocks::connect((1..=8).map(|n| page(n, 8))).cloud_with(Limits::default());
    let start = tokio::time::Instant::now();
    let users = cloud.list_connect_users(INSTANCE_ID).await.expect("users");
    assert_eq!(users.len(), 8);
    assert_eq!(start.elapsed(), Duration::from_millis(1500));
}

#[tokio::test(start_paused = true)]
async fn a_raised_rate_paces_faster() {
    let limits = Limits::new(&MaxRps::parse(&["connect=10"]).unwrap());
    let cloud = Mocks::connect((1..=15).map(|n| page(n, 15))).cloud_with(limits);
    let start = tokio::time::Instant::now();
    assert_eq!(
        cloud.list_connect_users(INSTANCE_ID).await.unwrap().len(),
        15
    );
    // A burst of ten, then five more at 100 ms each.
    assert_eq!(start.elapsed(), Duration::from_millis(500));
}

#[tokio::test]
async fn a_throttled_page_is_sent_again_and_the_listing_goes_on() {
    let cloud = Mocks::connect([
        page(1, 3),
        mock!(Connect::list_users)
            .match_requests(|r| r.next_token() == Some("p2"))
            .then_error(throttled),
        mock!(Connect::list_users)
            .match_requests(|r| r.next_token() == Some("p2"))
            .then_error(throttled),
        page(2, 3),
        page(3, 3),
    ])
    .cloud_with(Limits::unpaced().with_backoff(quick()));
    let users = cloud.list_connect_users(INSTANCE_ID).await.expect("users");
    let names: Vec<&str> = users.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(
        names,
        [
            "agent1@example.com",
            "agent2@example.com",
            "agent3@example.com"
        ]
    );
    assert_eq!(cloud.limits().retries(), 2);
}

#[tokio::test]
async fn throttling_that_never_stops_ends_after_six_attempts_with_the_fix() {
    let cloud = Mocks::connect((0..6).map(|_| {
        mock!(Connect::search_users).then_error(|| {
            SearchUsersError::ThrottlingException(
                ThrottlingException::builder()
                    .message("Rate exceeded")
                    .meta(meta("ThrottlingException", "Rate exceeded"))
                    .build(),
            )
        })
    }))
    .cloud_with(Limits::unpaced().with_backoff(quick()));
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
    assert_eq!(cloud.limits().retries(), 5);
    let text = err.to_string();
    assert!(text.contains("--max-rps"), "{text}");
}

#[tokio::test]
async fn other_errors_are_not_sent_again() {
    let cloud = Mocks::identity_store([mock!(IdentityStore::list_group_memberships).then_error(
        || {
            ListGroupMembershipsError::AccessDeniedException(
                aws_sdk_identitystore::types::error::AccessDeniedException::builder()
                    .message("no")
                    .meta(meta("AccessDeniedException", "no"))
                    .build(),
            )
        },
    )])
    .cloud_with(Limits::unpaced().with_backoff(quick()));
    let err = cloud
        .list_group_memberships(STORE, "g-1")
        .await
        .expect_err("denied");
    assert!(matches!(err, CloudError::AccessDenied { .. }), "{err:?}");
    assert_eq!(cloud.limits().retries(), 0);
}

#[tokio::test(start_paused = true)]
async fn the_identity_store_pages_share_twenty_a_second() {
    // 25 pages of group members: 20 in the burst, then one every 50 ms.
    let rules = (1..=25).map(|n| {
        let token = (n > 1).then(|| format!("m{n}"));
        mock!(IdentityStore::list_group_memberships)
            .match_requests(move |r| r.next_token() == token.as_deref())
            .then_output(move || {
                let out = ListGroupMembershipsOutput::builder().group_memberships(
                    GroupMembership::builder()
                        .identity_store_id(STORE)
                        .group_id("g-1")
                        .membership_id(format!("m-{n}"))
                        .membership_arn(format!("arn:aws:identitystore:::membership/{STORE}/m-{n}"))
                        .member_id(MemberId::UserId(format!("u-{n}")))
                        .build()
                        .expect("all required fields"),
                );
                let out = if n < 25 {
                    out.next_token(format!("m{}", n + 1))
                } else {
                    out
                };
                out.build().expect("all required fields")
            })
    });
    let cloud = Mocks::identity_store(rules).cloud_with(Limits::default());
    let start = tokio::time::Instant::now();
    let members = cloud.list_group_memberships(STORE, "g-1").await.unwrap();
    assert_eq!(members.len(), 25);
    assert_eq!(start.elapsed(), Duration::from_millis(250));
}
