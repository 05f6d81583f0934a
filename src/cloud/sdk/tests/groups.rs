//! Groups in step 11 on the SDK adapter: assignments with principal type GROUP, a group by
//! id (DescribeGroup), and the resolution of the groups the answers name, whose "did you
//! mean" reads every page of ListGroups.

use aws_sdk_identitystore::Client as IdentityStore;
use aws_sdk_identitystore::operation::describe_group::{DescribeGroupError, DescribeGroupOutput};
use aws_sdk_identitystore::operation::get_group_id::{GetGroupIdError, GetGroupIdOutput};
use aws_sdk_identitystore::operation::list_groups::ListGroupsOutput;
use aws_sdk_identitystore::types::error::ResourceNotFoundException;
use aws_sdk_identitystore::types::{AlternateIdentifier, Group};
use aws_sdk_ssoadmin::Client as SsoAdmin;
use aws_sdk_ssoadmin::operation::create_application_assignment::CreateApplicationAssignmentOutput;
use aws_sdk_ssoadmin::operation::delete_application_assignment::DeleteApplicationAssignmentOutput;
use aws_sdk_ssoadmin::types::PrincipalType as SdkPrincipalType;
use aws_smithy_mocks::mock;

use super::*;
use crate::cloud::groups::{GroupError, resolve_groups};
use crate::cloud::{IdcGroup, IdentityCenter, PrincipalType};

const STORE: &str = "d-9067000000";
const APP_ARN: &str =
    "arn:aws:sso::111122223333:application/ssoins-7223a1b2c3d4e5f6/apl-1234567890abcdef";
const AGENTS_ID: &str = "9067000000-1b2c3d4e-5f6a-4b7c-9d8e-2f3a4b5c6d02";

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

fn not_found_group_id() -> GetGroupIdError {
    GetGroupIdError::ResourceNotFoundException(
        ResourceNotFoundException::builder()
            .message("GROUP not found")
            .meta(meta("ResourceNotFoundException", "GROUP not found"))
            .build(),
    )
}

#[tokio::test]
async fn a_group_is_assigned_and_unassigned_with_principal_type_group() {
    let mocks = Mocks::sso_admin([
        mock!(SsoAdmin::create_application_assignment)
            .match_requests(|r| {
                r.application_arn() == Some(APP_ARN)
                    && r.principal_id() == Some(AGENTS_ID)
                    && r.principal_type() == Some(&SdkPrincipalType::Group)
            })
            .then_output(|| CreateApplicationAssignmentOutput::builder().build()),
        mock!(SsoAdmin::delete_application_assignment)
            .match_requests(|r| {
                r.application_arn() == Some(APP_ARN)
                    && r.principal_id() == Some(AGENTS_ID)
                    && r.principal_type() == Some(&SdkPrincipalType::Group)
            })
            .then_output(|| DeleteApplicationAssignmentOutput::builder().build()),
    ]);
    let cloud = mocks.cloud();
    cloud
        .create_application_assignment(APP_ARN, PrincipalType::Group, AGENTS_ID)
        .await
        .expect("assigned");
    cloud
        .delete_application_assignment(APP_ARN, PrincipalType::Group, AGENTS_ID)
        .await
        .expect("unassigned");
    assert_eq!(mocks.sso_admin[0].num_calls(), 1);
    assert_eq!(mocks.sso_admin[1].num_calls(), 1);
}

#[tokio::test]
async fn describe_group_reads_the_group_or_says_there_is_none() {
    let cloud = Mocks::identity_store([
        mock!(IdentityStore::describe_group)
            .match_requests(|r| {
                r.identity_store_id() == Some(STORE) && r.group_id() == Some(AGENTS_ID)
            })
            .then_output(|| {
                DescribeGroupOutput::builder()
                    .identity_store_id(STORE)
                    .group_id(AGENTS_ID)
                    .group_arn(format!("arn:aws:identitystore:::group/{STORE}/{AGENTS_ID}"))
                    .revision("1")
                    .display_name("Contact center agents")
                    .build()
                    .expect("all required fields")
            }),
        mock!(IdentityStore::describe_group).then_error(|| {
            DescribeGroupError::ResourceNotFoundException(
                ResourceNotFoundException::builder()
                    .message("GROUP not found")
                    .meta(meta("ResourceNotFoundException", "GROUP not found"))
                    .build(),
            )
        }),
    ])
    .cloud();
    assert_eq!(
        cloud.describe_group(STORE, AGENTS_ID).await.unwrap(),
        Some(IdcGroup {
            group_id: AGENTS_ID.into(),
            display_name: "Contact center agents".into()
        })
    );
    assert_eq!(cloud.describe_group(STORE, AGENTS_ID).await.unwrap(), None);
}

#[tokio::test]
async fn a_group_id_is_found_after_its_display_name_is_not() {
    let cloud = Mocks::identity_store([
        mock!(IdentityStore::get_group_id)
            .match_requests(|r| match r.alternate_identifier() {
                Some(AlternateIdentifier::UniqueAttribute(a)) => {
                    a.attribute_path() == "displayName"
                        && a.attribute_value().as_string() == Some("Supervisors")
                }
                _ => false,
            })
            .then_output(|| {
                GetGroupIdOutput::builder()
                    .group_id("g-sup")
                    .group_arn(format!("arn:aws:identitystore:::group/{STORE}/g-sup"))
                    .identity_store_id(STORE)
                    .build()
                    .expect("all required fields")
            }),
        mock!(IdentityStore::get_group_id).then_error(not_found_group_id),
        mock!(IdentityStore::describe_group)
            .match_requests(|r| r.group_id() == Some(AGENTS_ID))
            .then_output(|| {
                DescribeGroupOutput::builder()
                    .identity_store_id(STORE)
                    .group_id(AGENTS_ID)
                    .group_arn(format!("arn:aws:identitystore:::group/{STORE}/{AGENTS_ID}"))
                    .revision("1")
                    .display_name("Contact center agents")
                    .build()
                    .expect("all required fields")
            }),
    ])
    .cloud();
    let found = resolve_groups(
        &cloud,
        STORE,
        &["Supervisors".to_string(), AGENTS_ID.to_string()],
    )
    .await
    .unwrap();
    let names: Vec<&str> = found
        .iter()
        .map(|f| f.group.display_name.as_str())
        .collect();
    assert_eq!(names, ["Supervisors", "Contact center agents"]);
}

#[tokio::test]
async fn an_unknown_group_is_suggested_from_every_page_of_list_groups() {
    let cloud = Mocks::identity_store([
        mock!(IdentityStore::get_group_id).then_error(not_found_group_id),
        mock!(IdentityStore::list_groups)
            .match_requests(|r| r.max_results() == Some(100) && r.next_token().is_none())
            .then_output(|| {
                ListGroupsOutput::builder()
                    .groups(group("g-1", "Back office"))
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
    let err = resolve_groups(&cloud, STORE, &["Supervisor".to_string()])
        .await
        .unwrap_err();
    let GroupError::Unknown(messages) = err else {
        panic!("expected an unknown group, got {err:?}");
    };
    assert_eq!(messages.len(), 1);
    assert!(
        messages[0].contains("\"Supervisor\"")
            && messages[0].contains("did you mean \"Supervisors\"?"),
        "{messages:?}"
    );
}
