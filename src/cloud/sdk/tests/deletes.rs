//! The operations of `teardown`: IAM deletes in the connect context, the assignment delete
//! in the identity context. Deleting what does not exist is `NotFound`; IAM's
//! `DeleteConflict` says what to remove first.

use aws_sdk_iam::Client;
use aws_sdk_iam::operation::delete_policy::{DeletePolicyError, DeletePolicyOutput};
use aws_sdk_iam::operation::delete_role::{DeleteRoleError, DeleteRoleOutput};
use aws_sdk_iam::operation::delete_saml_provider::{
    DeleteSAMLProviderError, DeleteSamlProviderOutput,
};
use aws_sdk_iam::operation::detach_role_policy::{DetachRolePolicyError, DetachRolePolicyOutput};
use aws_sdk_iam::operation::list_entities_for_policy::{
    ListEntitiesForPolicyError, ListEntitiesForPolicyOutput,
};
use aws_sdk_iam::types::error::{DeleteConflictException, NoSuchEntityException};
use aws_sdk_iam::types::{PolicyGroup, PolicyRole, PolicyUser};
use aws_sdk_ssoadmin::Client as SsoAdmin;
use aws_sdk_ssoadmin::operation::delete_application_assignment::{
    DeleteApplicationAssignmentError, DeleteApplicationAssignmentOutput,
};
use aws_sdk_ssoadmin::types::PrincipalType;
use aws_smithy_mocks::mock;

use super::*;
use crate::cloud::{Iam, IdentityCenter, PolicyEntities};

const PROVIDER_ARN: &str = "arn:aws:iam::111122223333:saml-provider/IdC-Connect";
const POLICY_ARN: &str = "arn:aws:iam::111122223333:policy/connect-sso-federation";
const ROLE: &str = "connect-sso-federation";
const APP_ARN: &str = "arn:aws:sso::111122223333:application/ssoins-1111111111111111/apl-aaaa";

fn no_such_entity(message: &str) -> NoSuchEntityException {
    NoSuchEntityException::builder()
        .message(message)
        .meta(meta("NoSuchEntity", message))
        .build()
}

fn delete_conflict(message: &str) -> DeleteConflictException {
    DeleteConflictException::builder()
        .message(message)
        .meta(meta("DeleteConflict", message))
        .build()
}

fn assert_not_found(err: &CloudError, action: &str, what: &str) {
    assert!(
        matches!(err, CloudError::NotFound { action: a, what: w, .. } if a == action && w.contains(what)),
        "{err:?}"
    );
}

// ---- DeleteRole

#[tokio::test]
async fn delete_role_sends_the_name() {
    let mocks = Mocks::iam([mock!(Client::delete_role)
        .match_requests(|r| r.role_name() == Some(ROLE))
        .then_output(|| DeleteRoleOutput::builder().build())]);
    mocks.cloud().delete_role(ROLE).await.expect("deleted");
    assert_eq!(mocks.iam[0].num_calls(), 1);
}

#[tokio::test]
async fn delete_role_errors() {
    let cloud = Mocks::iam([
        mock!(Client::delete_role).then_error(|| {
            DeleteRoleError::DeleteConflictException(delete_conflict(
                "Cannot delete entity, must detach all policies first.",
            ))
        }),
        mock!(Client::delete_role).then_error(|| {
            DeleteRoleError::NoSuchEntityException(no_such_entity(
                "The role with name connect-sso-federation cannot be found.",
            ))
        }),
        mock!(Client::delete_role).then_error(|| {
            DeleteRoleError::generic(meta(
                "AccessDenied",
                "User: arn:aws:iam::111122223333:user/ana is not authorized to perform: iam:DeleteRole",
            ))
        }),
    ])
    .cloud();
    let err = cloud.delete_role(ROLE).await.expect_err("conflict");
    assert_eq!(
        err,
        CloudError::DeleteConflict {
            action: "iam:DeleteRole".to_string(),
            what: format!("role {ROLE}"),
            message: "Cannot delete entity, must detach all policies first.".to_string(),
        }
    );
    let text = err.to_string();
    assert!(text.contains("is still in use"), "{text}");
    assert!(text.contains("must detach all policies first"), "{text}");
    assert!(text.contains("Detach its managed policies"), "{text}");
    let err = cloud.delete_role(ROLE).await.expect_err("missing");
    assert_not_found(&err, "iam:DeleteRole", ROLE);
    let err = cloud.delete_role(ROLE).await.expect_err("denied");
    assert_access_denied(&err, "iam:DeleteRole", Context::Connect);
}

// ---- DetachRolePolicy

#[tokio::test]
async fn detach_role_policy_sends_role_and_policy() {
    let mocks = Mocks::iam([mock!(Client::detach_role_policy)
        .match_requests(|r| r.role_name() == Some(ROLE) && r.policy_arn() == Some(POLICY_ARN))
        .then_output(|| DetachRolePolicyOutput::builder().build())]);
    mocks
        .cloud()
        .detach_role_policy(ROLE, POLICY_ARN)
        .await
        .expect("detached");
    assert_eq!(mocks.iam[0].num_calls(), 1);
}

#[tokio::test]
async fn detach_role_policy_errors() {
    let cloud = Mocks::iam([
        mock!(Client::detach_role_policy).then_error(|| {
            DetachRolePolicyError::NoSuchEntityException(no_such_entity(&format!(
                "Policy {POLICY_ARN} was not found."
            )))
        }),
        mock!(Client::detach_role_policy)
            .then_error(|| DetachRolePolicyError::generic(meta("Throttling", "Rate exceeded"))),
    ])
    .cloud();
    let err = cloud
        .detach_role_policy(ROLE, POLICY_ARN)
        .await
        .expect_err("missing");
    assert_not_found(&err, "iam:DetachRolePolicy", POLICY_ARN);
    assert_eq!(
        cloud.detach_role_policy(ROLE, POLICY_ARN).await,
        Err(CloudError::Throttled {
            action: "iam:DetachRolePolicy".to_string()
        })
    );
}

// ---- DeletePolicy

#[tokio::test]
async fn delete_policy_sends_the_arn() {
    let mocks = Mocks::iam([mock!(Client::delete_policy)
        .match_requests(|r| r.policy_arn() == Some(POLICY_ARN))
        .then_output(|| DeletePolicyOutput::builder().build())]);
    mocks
        .cloud()
        .delete_policy(POLICY_ARN)
        .await
        .expect("deleted");
    assert_eq!(mocks.iam[0].num_calls(), 1);
}

#[tokio::test]
async fn delete_policy_errors() {
    let cloud = Mocks::iam([
        mock!(Client::delete_policy).then_error(|| {
            DeletePolicyError::DeleteConflictException(delete_conflict(
                "Cannot delete a policy attached to entities.",
            ))
        }),
        mock!(Client::delete_policy).then_error(|| {
            DeletePolicyError::NoSuchEntityException(no_such_entity(&format!(
                "Policy {POLICY_ARN} was not found."
            )))
        }),
    ])
    .cloud();
    let err = cloud.delete_policy(POLICY_ARN).await.expect_err("conflict");
    assert!(
        matches!(&err, CloudError::DeleteConflict { action, what, .. }
            if action == "iam:DeletePolicy" && what.contains(POLICY_ARN)),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(text.contains("attached to entities"), "{text}");
    assert!(text.contains("Entities attached"), "{text}");
    let err = cloud.delete_policy(POLICY_ARN).await.expect_err("missing");
    assert_not_found(&err, "iam:DeletePolicy", POLICY_ARN);
}

// ---- ListEntitiesForPolicy

#[tokio::test]
async fn list_entities_for_policy_reads_every_page() {
    let role = |name: &str| {
        PolicyRole::builder()
            .role_name(name)
            .role_id("AROA1")
            .build()
    };
    let cloud = Mocks::iam([
        mock!(Client::list_entities_for_policy)
            .match_requests(|r| r.policy_arn() == Some(POLICY_ARN) && r.marker().is_none())
            .then_output(move || {
                ListEntitiesForPolicyOutput::builder()
                    .policy_roles(role("connect-sso-federation"))
                    .policy_users(PolicyUser::builder().user_name("ana").build())
                    .is_truncated(true)
                    .marker("page-2")
                    .build()
            }),
        mock!(Client::list_entities_for_policy)
            .match_requests(|r| r.marker() == Some("page-2"))
            .then_output(move || {
                ListEntitiesForPolicyOutput::builder()
                    .policy_roles(role("Other"))
                    .policy_groups(PolicyGroup::builder().group_name("Admins").build())
                    .is_truncated(false)
                    .build()
            }),
    ])
    .cloud();
    assert_eq!(
        cloud
            .list_entities_for_policy(POLICY_ARN)
            .await
            .expect("entities"),
        PolicyEntities {
            roles: vec!["connect-sso-federation".to_string(), "Other".to_string()],
            users: vec!["ana".to_string()],
            groups: vec!["Admins".to_string()],
        }
    );
}

#[tokio::test]
async fn list_entities_for_policy_of_a_missing_policy() {
    let cloud = Mocks::iam([mock!(Client::list_entities_for_policy).then_error(|| {
        ListEntitiesForPolicyError::NoSuchEntityException(no_such_entity("Policy not found"))
    })])
    .cloud();
    let err = cloud
        .list_entities_for_policy(POLICY_ARN)
        .await
        .expect_err("missing");
    assert_not_found(&err, "iam:ListEntitiesForPolicy", POLICY_ARN);
}

// ---- DeleteSAMLProvider

#[tokio::test]
async fn delete_saml_provider_sends_the_arn() {
    let mocks = Mocks::iam([mock!(Client::delete_saml_provider)
        .match_requests(|r| r.saml_provider_arn() == Some(PROVIDER_ARN))
        .then_output(|| DeleteSamlProviderOutput::builder().build())]);
    mocks
        .cloud()
        .delete_saml_provider(PROVIDER_ARN)
        .await
        .expect("deleted");
    assert_eq!(mocks.iam[0].num_calls(), 1);
}

#[tokio::test]
async fn delete_saml_provider_errors() {
    let cloud = Mocks::iam([
        mock!(Client::delete_saml_provider).then_error(|| {
            DeleteSAMLProviderError::NoSuchEntityException(no_such_entity(&format!(
                "Manifest not found for arn {PROVIDER_ARN}"
            )))
        }),
        mock!(Client::delete_saml_provider).then_error(|| {
            DeleteSAMLProviderError::generic(meta(
                "AccessDenied",
                "User: arn:aws:iam::111122223333:user/ana is not authorized to perform: iam:DeleteSAMLProvider",
            ))
        }),
    ])
    .cloud();
    let err = cloud
        .delete_saml_provider(PROVIDER_ARN)
        .await
        .expect_err("missing");
    assert_not_found(&err, "iam:DeleteSAMLProvider", PROVIDER_ARN);
    let err = cloud
        .delete_saml_provider(PROVIDER_ARN)
        .await
        .expect_err("denied");
    assert_access_denied(&err, "iam:DeleteSAMLProvider", Context::Connect);
}

// ---- sso-admin DeleteApplicationAssignment

#[tokio::test]
async fn delete_application_assignment_sends_application_and_user() {
    let mocks = Mocks::sso_admin([mock!(SsoAdmin::delete_application_assignment)
        .match_requests(|r| {
            r.application_arn() == Some(APP_ARN)
                && r.principal_id() == Some("u-1")
                && r.principal_type() == Some(&PrincipalType::User)
        })
        .then_output(|| DeleteApplicationAssignmentOutput::builder().build())]);
    mocks
        .cloud()
        .delete_application_assignment(APP_ARN, crate::cloud::PrincipalType::User, "u-1")
        .await
        .expect("deleted");
    assert_eq!(mocks.sso_admin[0].num_calls(), 1);
}

#[tokio::test]
async fn delete_application_assignment_errors() {
    let cloud = Mocks::sso_admin([
        mock!(SsoAdmin::delete_application_assignment).then_error(|| {
            DeleteApplicationAssignmentError::ResourceNotFoundException(
                aws_sdk_ssoadmin::types::error::ResourceNotFoundException::builder()
                    .message("assignment not found")
                    .meta(meta("ResourceNotFoundException", "assignment not found"))
                    .build(),
            )
        }),
        mock!(SsoAdmin::delete_application_assignment).then_error(|| {
            DeleteApplicationAssignmentError::AccessDeniedException(
                aws_sdk_ssoadmin::types::error::AccessDeniedException::builder()
                    .message("denied")
                    .meta(meta("AccessDeniedException", "denied"))
                    .build(),
            )
        }),
        mock!(SsoAdmin::delete_application_assignment).then_error(|| {
            DeleteApplicationAssignmentError::ConflictException(
                aws_sdk_ssoadmin::types::error::ConflictException::builder()
                    .message("a previous write is still propagating")
                    .meta(meta(
                        "ConflictException",
                        "a previous write is still propagating",
                    ))
                    .build(),
            )
        }),
    ])
    .cloud();
    let err = cloud
        .delete_application_assignment(APP_ARN, crate::cloud::PrincipalType::User, "u-1")
        .await
        .expect_err("missing");
    assert_not_found(&err, "sso:DeleteApplicationAssignment", "u-1");
    let err = cloud
        .delete_application_assignment(APP_ARN, crate::cloud::PrincipalType::User, "u-1")
        .await
        .expect_err("denied");
    assert_access_denied(&err, "sso:DeleteApplicationAssignment", Context::Identity);
    let err = cloud
        .delete_application_assignment(APP_ARN, crate::cloud::PrincipalType::User, "u-1")
        .await
        .expect_err("conflict");
    assert_names(&err, "sso:DeleteApplicationAssignment");
}
