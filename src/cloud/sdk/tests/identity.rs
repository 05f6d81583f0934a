//! IAM Identity Center (sso-admin) and its identity store, in the identity context.

use aws_sdk_identitystore::Client as IdentityStore;
use aws_sdk_identitystore::operation::describe_user::{DescribeUserError, DescribeUserOutput};
use aws_sdk_identitystore::operation::get_user_id::{GetUserIdError, GetUserIdOutput};
use aws_sdk_identitystore::operation::is_member_in_groups::{
    IsMemberInGroupsError, IsMemberInGroupsInput, IsMemberInGroupsOutput,
};
use aws_sdk_identitystore::operation::list_users::ListUsersOutput;
use aws_sdk_identitystore::types::{
    AlternateIdentifier, Email, GroupMembershipExistenceResult, MemberId, Name, User,
};
use aws_sdk_ssoadmin::Client as SsoAdmin;
use aws_sdk_ssoadmin::operation::create_application_assignment::{
    CreateApplicationAssignmentError, CreateApplicationAssignmentOutput,
};
use aws_sdk_ssoadmin::operation::list_application_assignments::{
    ListApplicationAssignmentsError, ListApplicationAssignmentsOutput,
};
use aws_sdk_ssoadmin::operation::list_applications::{
    ListApplicationsError, ListApplicationsOutput,
};
use aws_sdk_ssoadmin::operation::list_instances::{ListInstancesError, ListInstancesOutput};
use aws_sdk_ssoadmin::types::{
    ApplicationAssignment as SdkAssignment, ApplicationStatus, InstanceMetadata, InstanceStatus,
    PrincipalType,
};
use aws_smithy_mocks::mock;

use super::*;
use crate::cloud::{
    Application, ApplicationAssignment, CUSTOM_SAML_PROVIDER, IdcUser, IdentityCenter,
};

const INSTANCE_ARN: &str = "arn:aws:sso:::instance/ssoins-1111111111111111";
const APP_ARN: &str = "arn:aws:sso::111122223333:application/ssoins-1111111111111111/apl-aaaa";
const STORE: &str = "d-9067000000";

// ---- sso-admin ListInstances

#[tokio::test]
async fn list_idc_instances_reads_every_page() {
    let cloud = Mocks::sso_admin([
        mock!(SsoAdmin::list_instances)
            .match_requests(|r| r.next_token().is_none())
            .then_output(|| {
                ListInstancesOutput::builder()
                    .instances(
                        InstanceMetadata::builder()
                            .instance_arn(INSTANCE_ARN)
                            .identity_store_id(STORE)
                            .owner_account_id("111122223333")
                            .status(InstanceStatus::Active)
                            .build(),
                    )
                    .next_token("page-2")
                    .build()
            }),
        mock!(SsoAdmin::list_instances)
            .match_requests(|r| r.next_token() == Some("page-2"))
            .then_output(|| {
                ListInstancesOutput::builder()
                    .instances(
                        InstanceMetadata::builder()
                            .instance_arn("arn:aws:sso:::instance/ssoins-2222")
                            .identity_store_id("d-2222")
                            .build(),
                    )
                    .build()
            }),
    ])
    .cloud();
    let instances = cloud.list_idc_instances().await.expect("instances");
    assert_eq!(instances.len(), 2);
    assert_eq!(instances[0].instance_arn, INSTANCE_ARN);
    assert_eq!(instances[0].identity_store_id, STORE);
    assert_eq!(instances[0].owner_account.as_deref(), Some("111122223333"));
    assert_eq!(instances[0].status.as_deref(), Some("ACTIVE"));
    assert_eq!(instances[1].identity_store_id, "d-2222");
    assert_eq!(instances[1].owner_account, None);
    assert_eq!(instances[1].status, None);
}

#[tokio::test]
async fn list_idc_instances_access_denied() {
    let cloud = Mocks::sso_admin([mock!(SsoAdmin::list_instances).then_error(|| {
        ListInstancesError::AccessDeniedException(
            aws_sdk_ssoadmin::types::error::AccessDeniedException::builder()
                .message("User is not authorized to perform: sso:ListInstances")
                .meta(meta(
                    "AccessDeniedException",
                    "User is not authorized to perform: sso:ListInstances",
                ))
                .build(),
        )
    })])
    .cloud();
    let err = cloud.list_idc_instances().await.expect_err("denied");
    assert_access_denied(&err, "sso:ListInstances", Context::Identity);
}

// ---- sso-admin ListApplications

#[tokio::test]
async fn list_applications_reads_every_page_and_keeps_the_provider() {
    let cloud = Mocks::sso_admin([
        mock!(SsoAdmin::list_applications)
            .match_requests(|r| r.instance_arn() == Some(INSTANCE_ARN) && r.next_token().is_none())
            .then_output(|| {
                ListApplicationsOutput::builder()
                    .applications(
                        aws_sdk_ssoadmin::types::Application::builder()
                            .application_arn(APP_ARN)
                            .name("Amazon Connect")
                            .application_provider_arn(CUSTOM_SAML_PROVIDER)
                            .status(ApplicationStatus::Enabled)
                            .build(),
                    )
                    .next_token("t2")
                    .build()
            }),
        mock!(SsoAdmin::list_applications)
            .match_requests(|r| {
                r.instance_arn() == Some(INSTANCE_ARN) && r.next_token() == Some("t2")
            })
            .then_output(|| {
                ListApplicationsOutput::builder()
                    .applications(
                        aws_sdk_ssoadmin::types::Application::builder()
                            .application_arn("arn:aws:sso::111122223333:application/x/apl-bbbb")
                            .name("Other")
                            .application_provider_arn(
                                "arn:aws:sso::aws:applicationProvider/catalog/Salesforce",
                            )
                            .build(),
                    )
                    .build()
            }),
    ])
    .cloud();
    let apps = cloud.list_applications(INSTANCE_ARN).await.expect("apps");
    assert_eq!(
        apps,
        vec![
            Application {
                arn: APP_ARN.to_string(),
                name: "Amazon Connect".to_string(),
                provider_arn: CUSTOM_SAML_PROVIDER.to_string(),
                status: Some("ENABLED".to_string()),
            },
            Application {
                arn: "arn:aws:sso::111122223333:application/x/apl-bbbb".to_string(),
                name: "Other".to_string(),
                provider_arn: "arn:aws:sso::aws:applicationProvider/catalog/Salesforce".to_string(),
                status: None,
            },
        ]
    );
}

#[tokio::test]
async fn list_applications_throttled() {
    let cloud = Mocks::sso_admin([mock!(SsoAdmin::list_applications).then_error(|| {
        ListApplicationsError::ThrottlingException(
            aws_sdk_ssoadmin::types::error::ThrottlingException::builder()
                .message("Rate exceeded")
                .meta(meta("ThrottlingException", "Rate exceeded"))
                .build(),
        )
    })])
    .cloud();
    let err = cloud
        .list_applications(INSTANCE_ARN)
        .await
        .expect_err("throttled");
    assert_eq!(
        err,
        CloudError::Throttled {
            action: "sso:ListApplications".to_string()
        }
    );
    assert_names(&err, "sso:ListApplications");
}

// ---- sso-admin ListApplicationAssignments

fn assignment(principal: &str, kind: PrincipalType) -> SdkAssignment {
    SdkAssignment::builder()
        .application_arn(APP_ARN)
        .principal_id(principal)
        .principal_type(kind)
        .build()
        .expect("all required fields")
}

#[tokio::test]
async fn list_application_assignments_reads_every_page() {
    let cloud = Mocks::sso_admin([
        mock!(SsoAdmin::list_application_assignments)
            .match_requests(|r| r.application_arn() == Some(APP_ARN) && r.next_token().is_none())
            .then_output(|| {
                ListApplicationAssignmentsOutput::builder()
                    .application_assignments(assignment("u-1", PrincipalType::User))
                    .next_token("n")
                    .build()
            }),
        mock!(SsoAdmin::list_application_assignments)
            .match_requests(|r| r.next_token() == Some("n"))
            .then_output(|| {
                ListApplicationAssignmentsOutput::builder()
                    .application_assignments(assignment("g-1", PrincipalType::Group))
                    .build()
            }),
    ])
    .cloud();
    let assignments = cloud
        .list_application_assignments(APP_ARN)
        .await
        .expect("assignments");
    assert_eq!(
        assignments,
        vec![
            ApplicationAssignment {
                principal_id: "u-1".to_string(),
                principal_type: "USER".to_string(),
            },
            ApplicationAssignment {
                principal_id: "g-1".to_string(),
                principal_type: "GROUP".to_string(),
            },
        ]
    );
}

#[tokio::test]
async fn list_application_assignments_of_a_missing_application() {
    let cloud =
        Mocks::sso_admin([
            mock!(SsoAdmin::list_application_assignments).then_error(|| {
                ListApplicationAssignmentsError::ResourceNotFoundException(
                    aws_sdk_ssoadmin::types::error::ResourceNotFoundException::builder()
                        .message("Application not found")
                        .meta(meta("ResourceNotFoundException", "Application not found"))
                        .build(),
                )
            }),
        ])
        .cloud();
    let err = cloud
        .list_application_assignments(APP_ARN)
        .await
        .expect_err("not found");
    assert_eq!(
        err,
        CloudError::NotFound {
            action: "sso:ListApplicationAssignments".to_string(),
            what: format!("application {APP_ARN}"),
            message: "Application not found".to_string(),
        }
    );
}

// ---- sso-admin CreateApplicationAssignment

#[tokio::test]
async fn create_application_assignment_assigns_a_user() {
    let rule = mock!(SsoAdmin::create_application_assignment)
        .match_requests(|r| {
            r.application_arn() == Some(APP_ARN)
                && r.principal_id() == Some("u-1")
                && r.principal_type() == Some(&PrincipalType::User)
        })
        .then_output(|| CreateApplicationAssignmentOutput::builder().build());
    let mocks = Mocks::sso_admin([rule]);
    mocks
        .cloud()
        .create_application_assignment(APP_ARN, crate::cloud::PrincipalType::User, "u-1")
        .await
        .expect("assigned");
    assert_eq!(mocks.sso_admin[0].num_calls(), 1);
}

#[tokio::test]
async fn create_application_assignment_errors() {
    let cloud = Mocks::sso_admin([
        mock!(SsoAdmin::create_application_assignment).then_error(|| {
            CreateApplicationAssignmentError::ConflictException(
                aws_sdk_ssoadmin::types::error::ConflictException::builder()
                    .message("already assigned")
                    .meta(meta("ConflictException", "already assigned"))
                    .build(),
            )
        }),
        mock!(SsoAdmin::create_application_assignment).then_error(|| {
            CreateApplicationAssignmentError::ServiceQuotaExceededException(
                aws_sdk_ssoadmin::types::error::ServiceQuotaExceededException::builder()
                    .message("too many assignments")
                    .meta(meta(
                        "ServiceQuotaExceededException",
                        "too many assignments",
                    ))
                    .build(),
            )
        }),
        mock!(SsoAdmin::create_application_assignment).then_error(|| {
            CreateApplicationAssignmentError::AccessDeniedException(
                aws_sdk_ssoadmin::types::error::AccessDeniedException::builder()
                    .message("denied")
                    .meta(meta("AccessDeniedException", "denied"))
                    .build(),
            )
        }),
    ])
    .cloud();
    let err = cloud
        .create_application_assignment(APP_ARN, crate::cloud::PrincipalType::User, "u-1")
        .await
        .expect_err("conflict");
    assert!(
        matches!(&err, CloudError::AlreadyExists { action, what, .. }
            if action == "sso:CreateApplicationAssignment" && what.contains("u-1")),
        "{err:?}"
    );
    let err = cloud
        .create_application_assignment(APP_ARN, crate::cloud::PrincipalType::User, "u-1")
        .await
        .expect_err("quota");
    assert!(
        matches!(&err, CloudError::LimitExceeded { message, .. } if message == "too many assignments"),
        "{err:?}"
    );
    let err = cloud
        .create_application_assignment(APP_ARN, crate::cloud::PrincipalType::User, "u-1")
        .await
        .expect_err("denied");
    assert_access_denied(&err, "sso:CreateApplicationAssignment", Context::Identity);
}

// ---- identitystore GetUserId

fn unique_attribute(
    r: &aws_sdk_identitystore::operation::get_user_id::GetUserIdInput,
) -> Option<(&str, &str)> {
    match r.alternate_identifier() {
        Some(AlternateIdentifier::UniqueAttribute(a)) => {
            Some((a.attribute_path(), a.attribute_value().as_string()?))
        }
        _ => None,
    }
}

fn user_id_output() -> GetUserIdOutput {
    GetUserIdOutput::builder()
        .identity_store_id(STORE)
        .user_id("u-1")
        .user_arn(format!("arn:aws:identitystore:::user/{STORE}/u-1"))
        .build()
        .expect("all required fields")
}

#[tokio::test]
async fn user_id_by_user_name_asks_for_user_name() {
    let cloud = Mocks::identity_store([mock!(IdentityStore::get_user_id)
        .match_requests(|r| {
            r.identity_store_id() == Some(STORE)
                && unique_attribute(r) == Some(("userName", "ana@example.com"))
        })
        .then_output(user_id_output)])
    .cloud();
    assert_eq!(
        cloud
            .user_id_by_user_name(STORE, "ana@example.com")
            .await
            .expect("found"),
        Some("u-1".to_string())
    );
}

#[tokio::test]
async fn user_id_by_email_asks_for_emails_value() {
    let cloud = Mocks::identity_store([mock!(IdentityStore::get_user_id)
        .match_requests(|r| unique_attribute(r) == Some(("emails.value", "ana@example.com")))
        .then_output(user_id_output)])
    .cloud();
    assert_eq!(
        cloud
            .user_id_by_email(STORE, "ana@example.com")
            .await
            .expect("found"),
        Some("u-1".to_string())
    );
}

#[tokio::test]
async fn user_id_of_nobody_is_none() {
    let cloud = Mocks::identity_store([mock!(IdentityStore::get_user_id).then_error(|| {
        GetUserIdError::ResourceNotFoundException(
            aws_sdk_identitystore::types::error::ResourceNotFoundException::builder()
                .message("USER not found")
                .meta(meta("ResourceNotFoundException", "USER not found"))
                .build(),
        )
    })])
    .cloud();
    assert_eq!(
        cloud
            .user_id_by_user_name(STORE, "nobody")
            .await
            .expect("no error"),
        None
    );
}

#[tokio::test]
async fn user_id_access_denied_names_identitystore_action() {
    let cloud = Mocks::identity_store([mock!(IdentityStore::get_user_id).then_error(|| {
        GetUserIdError::AccessDeniedException(
            aws_sdk_identitystore::types::error::AccessDeniedException::builder()
                .message("denied")
                .meta(meta("AccessDeniedException", "denied"))
                .build(),
        )
    })])
    .cloud();
    let err = cloud
        .user_id_by_email(STORE, "ana@example.com")
        .await
        .expect_err("denied");
    assert_access_denied(&err, "identitystore:GetUserId", Context::Identity);
}

// ---- identitystore DescribeUser

#[tokio::test]
async fn describe_user_maps_the_user() {
    let cloud = Mocks::identity_store([mock!(IdentityStore::describe_user)
        .match_requests(|r| r.identity_store_id() == Some(STORE) && r.user_id() == Some("u-1"))
        .then_output(|| {
            DescribeUserOutput::builder()
                .identity_store_id(STORE)
                .user_id("u-1")
                .user_arn(format!("arn:aws:identitystore:::user/{STORE}/u-1"))
                .revision("1")
                .user_name("ana@example.com")
                .display_name("Ana Lima")
                .name(
                    Name::builder()
                        .given_name("Ana")
                        .family_name("Lima")
                        .build(),
                )
                .emails(
                    Email::builder()
                        .value("ana@example.com")
                        .primary(true)
                        .build(),
                )
                .build()
                .expect("all required fields")
        })])
    .cloud();
    assert_eq!(
        cloud.describe_user(STORE, "u-1").await.expect("described"),
        Some(IdcUser {
            user_id: "u-1".to_string(),
            user_name: "ana@example.com".to_string(),
            display_name: Some("Ana Lima".to_string()),
            given_name: Some("Ana".to_string()),
            family_name: Some("Lima".to_string()),
            emails: vec!["ana@example.com".to_string()],
        })
    );
}

#[tokio::test]
async fn describe_user_errors() {
    let cloud = Mocks::identity_store([
        mock!(IdentityStore::describe_user).then_error(|| {
            DescribeUserError::ResourceNotFoundException(
                aws_sdk_identitystore::types::error::ResourceNotFoundException::builder()
                    .message("USER not found")
                    .meta(meta("ResourceNotFoundException", "USER not found"))
                    .build(),
            )
        }),
        mock!(IdentityStore::describe_user).then_error(|| {
            DescribeUserError::ValidationException(
                aws_sdk_identitystore::types::error::ValidationException::builder()
                    .message("1 validation error detected: Value at 'userId'")
                    .meta(meta(
                        "ValidationException",
                        "1 validation error detected: Value at 'userId'",
                    ))
                    .build(),
            )
        }),
    ])
    .cloud();
    assert_eq!(cloud.describe_user(STORE, "u-9").await, Ok(None));
    let err = cloud
        .describe_user(STORE, "not an id")
        .await
        .expect_err("invalid");
    assert!(
        matches!(&err, CloudError::Invalid { action, message }
            if action == "identitystore:DescribeUser" && message.contains("userId")),
        "{err:?}"
    );
}

// ---- identitystore ListUsers

fn user(id: &str, name: &str) -> User {
    User::builder()
        .identity_store_id(STORE)
        .user_id(id)
        .user_arn(format!("arn:aws:identitystore:::user/{STORE}/{id}"))
        .revision("1")
        .user_name(name)
        .build()
        .expect("all required fields")
}

#[tokio::test]
async fn list_users_reads_every_page() {
    let cloud = Mocks::identity_store([
        mock!(IdentityStore::list_users)
            .match_requests(|r| r.identity_store_id() == Some(STORE) && r.next_token().is_none())
            .then_output(|| {
                ListUsersOutput::builder()
                    .users(user("u-1", "ana@example.com"))
                    .next_token("p2")
                    .build()
                    .expect("all required fields")
            }),
        mock!(IdentityStore::list_users)
            .match_requests(|r| r.next_token() == Some("p2"))
            .then_output(|| {
                ListUsersOutput::builder()
                    .users(user("u-2", "bo@example.com"))
                    .build()
                    .expect("all required fields")
            }),
    ])
    .cloud();
    let users = cloud.list_users(STORE).await.expect("users");
    let names: Vec<&str> = users.iter().map(|u| u.user_name.as_str()).collect();
    assert_eq!(names, vec!["ana@example.com", "bo@example.com"]);
    assert_eq!(users[1].user_id, "u-2");
    assert!(users[1].emails.is_empty());
}

#[tokio::test]
async fn list_users_access_denied() {
    let cloud = Mocks::identity_store([mock!(IdentityStore::list_users).then_error(|| {
        aws_sdk_identitystore::operation::list_users::ListUsersError::AccessDeniedException(
            aws_sdk_identitystore::types::error::AccessDeniedException::builder()
                .message("denied")
                .meta(meta("AccessDeniedException", "denied"))
                .build(),
        )
    })])
    .cloud();
    let err = cloud.list_users(STORE).await.expect_err("denied");
    assert_access_denied(&err, "identitystore:ListUsers", Context::Identity);
}

// ---- identitystore IsMemberInGroups

fn asks_about(r: &IsMemberInGroupsInput, user: &str) -> bool {
    r.identity_store_id() == Some(STORE) && r.member_id() == Some(&MemberId::UserId(user.into()))
}

/// AWS's answer: one result per group asked about.
fn membership(r: &IsMemberInGroupsInput, member_of: &[&str]) -> IsMemberInGroupsOutput {
    IsMemberInGroupsOutput::builder()
        .set_results(Some(
            r.group_ids()
                .iter()
                .map(|g| {
                    GroupMembershipExistenceResult::builder()
                        .group_id(g)
                        .member_id(MemberId::UserId("u-1".into()))
                        .membership_exists(member_of.contains(&g.as_str()))
                        .build()
                })
                .collect(),
        ))
        .build()
        .expect("all required fields")
}

#[tokio::test]
async fn is_member_in_groups_keeps_the_groups_the_user_is_in() {
    let cloud = Mocks::identity_store([mock!(IdentityStore::is_member_in_groups)
        .match_requests(|r| asks_about(r, "u-1") && r.group_ids() == ["g-1", "g-2", "g-3"])
        .then_output(|| {
            IsMemberInGroupsOutput::builder()
                .results(
                    GroupMembershipExistenceResult::builder()
                        .group_id("g-1")
                        .member_id(MemberId::UserId("u-1".into()))
                        .membership_exists(false)
                        .build(),
                )
                .results(
                    GroupMembershipExistenceResult::builder()
                        .group_id("g-2")
                        .member_id(MemberId::UserId("u-1".into()))
                        .membership_exists(true)
                        .build(),
                )
                // MembershipExists left out: false.
                .results(
                    GroupMembershipExistenceResult::builder()
                        .group_id("g-3")
                        .build(),
                )
                .build()
                .expect("all required fields")
        })])
    .cloud();
    let groups = ["g-1", "g-2", "g-3"].map(String::from);
    assert_eq!(
        cloud
            .is_member_in_groups(STORE, "u-1", &groups)
            .await
            .expect("answered"),
        ["g-2"]
    );
}

#[tokio::test]
async fn is_member_in_groups_sends_at_most_100_group_ids_per_request() {
    let groups: Vec<String> = (0..150).map(|i| format!("g-{i}")).collect();
    let first = mock!(IdentityStore::is_member_in_groups)
        .match_requests(|r| {
            asks_about(r, "u-1") && r.group_ids().len() == 100 && r.group_ids()[0] == "g-0"
        })
        .then_compute_output(|r| membership(r, &["g-3"]));
    let second = mock!(IdentityStore::is_member_in_groups)
        .match_requests(|r| {
            asks_about(r, "u-1") && r.group_ids().len() == 50 && r.group_ids()[0] == "g-100"
        })
        .then_compute_output(|r| membership(r, &["g-120", "g-149"]));
    let cloud = Mocks::identity_store([first, second]).cloud();
    assert_eq!(
        cloud
            .is_member_in_groups(STORE, "u-1", &groups)
            .await
            .expect("answered"),
        ["g-3", "g-120", "g-149"]
    );
    // No group ids: nothing to ask (a client without rules panics if called).
    assert_eq!(
        Mocks::default()
            .cloud()
            .is_member_in_groups(STORE, "u-1", &[])
            .await,
        Ok(Vec::new())
    );
}

#[tokio::test]
async fn is_member_in_groups_access_denied_names_the_identity_context() {
    let cloud =
        Mocks::identity_store([mock!(IdentityStore::is_member_in_groups).then_error(|| {
            IsMemberInGroupsError::AccessDeniedException(
                aws_sdk_identitystore::types::error::AccessDeniedException::builder()
                    .message("denied")
                    .meta(meta("AccessDeniedException", "denied"))
                    .build(),
            )
        })])
        .cloud();
    let err = cloud
        .is_member_in_groups(STORE, "u-1", &["g-1".to_string()])
        .await
        .expect_err("denied");
    assert_access_denied(&err, "identitystore:IsMemberInGroups", Context::Identity);
}
