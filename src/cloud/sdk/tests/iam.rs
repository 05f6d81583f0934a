//! IAM, in the connect context. IAM returns policy documents URL-encoded.

use aws_sdk_iam::Client;
use aws_sdk_iam::operation::attach_role_policy::{AttachRolePolicyError, AttachRolePolicyOutput};
use aws_sdk_iam::operation::create_policy::{CreatePolicyError, CreatePolicyOutput};
use aws_sdk_iam::operation::create_policy_version::{
    CreatePolicyVersionError, CreatePolicyVersionOutput,
};
use aws_sdk_iam::operation::create_role::{CreateRoleError, CreateRoleOutput};
use aws_sdk_iam::operation::create_saml_provider::{
    CreateSAMLProviderError, CreateSamlProviderOutput,
};
use aws_sdk_iam::operation::delete_policy_version::{
    DeletePolicyVersionError, DeletePolicyVersionOutput,
};
use aws_sdk_iam::operation::get_policy::{GetPolicyError, GetPolicyOutput};
use aws_sdk_iam::operation::get_policy_version::{GetPolicyVersionError, GetPolicyVersionOutput};
use aws_sdk_iam::operation::get_role::{GetRoleError, GetRoleOutput};
use aws_sdk_iam::operation::get_saml_provider::{GetSAMLProviderError, GetSamlProviderOutput};
use aws_sdk_iam::operation::list_attached_role_policies::{
    ListAttachedRolePoliciesError, ListAttachedRolePoliciesOutput,
};
use aws_sdk_iam::operation::list_policy_versions::{
    ListPolicyVersionsError, ListPolicyVersionsOutput,
};
use aws_sdk_iam::operation::list_role_policies::{ListRolePoliciesError, ListRolePoliciesOutput};
use aws_sdk_iam::operation::list_roles::{ListRolesError, ListRolesOutput};
use aws_sdk_iam::operation::update_assume_role_policy::{
    UpdateAssumeRolePolicyError, UpdateAssumeRolePolicyOutput,
};
use aws_sdk_iam::operation::update_saml_provider::{
    UpdateSAMLProviderError, UpdateSamlProviderOutput,
};
use aws_sdk_iam::primitives::DateTime;
use aws_sdk_iam::types::error::{
    DeleteConflictException, EntityAlreadyExistsException, InvalidInputException,
    LimitExceededException, MalformedPolicyDocumentException, NoSuchEntityException,
};
use aws_sdk_iam::types::{AttachedPolicy as SdkAttached, Policy, PolicyVersion as SdkVersion};
use aws_smithy_mocks::mock;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};

use super::*;
use crate::cloud::{AttachedPolicy, Iam, ManagedPolicy, PolicyVersion, Tag, managed_tags};

const PROVIDER_ARN: &str = "arn:aws:iam::111122223333:saml-provider/IdC-Connect";
const POLICY_ARN: &str = "arn:aws:iam::111122223333:policy/connect-sso-federation";
const ROLE: &str = "connect-sso-federation";
const ROLE_ARN: &str = "arn:aws:iam::111122223333:role/connect-sso-federation";
const METADATA: &str = "<md:EntityDescriptor entityID=\"https://portal.sso.us-east-1.amazonaws.com/saml/assertion/abc\"/>";

fn policy_document() -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Action": "connect:GetFederationToken",
            "Resource": "arn:aws:connect:us-east-1:111122223333:instance/abc/user/${aws:userid}"
        }]
    })
}

fn trust_policy() -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": PROVIDER_ARN},
            "Action": "sts:AssumeRoleWithSAML",
            "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}
        }]
    })
}

/// A document as IAM returns it: URL-encoded JSON.
fn url_encoded(document: &Value) -> String {
    utf8_percent_encode(&document.to_string(), NON_ALPHANUMERIC).to_string()
}

/// Whether a request's document is the JSON `expected`.
fn is_json(sent: Option<&str>, expected: &Value) -> bool {
    sent.and_then(|s| serde_json::from_str::<Value>(s).ok())
        .is_some_and(|v| &v == expected)
}

fn sdk_tags(tags: &[Tag]) -> Vec<aws_sdk_iam::types::Tag> {
    tags.iter()
        .map(|t| {
            aws_sdk_iam::types::Tag::builder()
                .key(&t.key)
                .value(&t.value)
                .build()
                .expect("key and value")
        })
        .collect()
}

fn tags_match(sent: &[aws_sdk_iam::types::Tag], expected: &[Tag]) -> bool {
    sent.len() == expected.len()
        && sent
            .iter()
            .zip(expected)
            .all(|(s, e)| s.key() == e.key && s.value() == e.value)
}

fn no_such_entity(message: &str) -> NoSuchEntityException {
    NoSuchEntityException::builder()
        .message(message)
        .meta(meta("NoSuchEntity", message))
        .build()
}

fn entity_exists(message: &str) -> EntityAlreadyExistsException {
    EntityAlreadyExistsException::builder()
        .message(message)
        .meta(meta("EntityAlreadyExists", message))
        .build()
}

fn malformed(message: &str) -> MalformedPolicyDocumentException {
    MalformedPolicyDocumentException::builder()
        .message(message)
        .meta(meta("MalformedPolicyDocument", message))
        .build()
}

fn limit_exceeded(message: &str) -> LimitExceededException {
    LimitExceededException::builder()
        .message(message)
        .meta(meta("LimitExceeded", message))
        .build()
}

fn sdk_role(name: &str, trust: Option<String>, tags: &[Tag]) -> aws_sdk_iam::types::Role {
    aws_sdk_iam::types::Role::builder()
        .path("/")
        .role_name(name)
        .role_id(format!("AROA{}", name.len()))
        .arn(format!("arn:aws:iam::111122223333:role/{name}"))
        .create_date(DateTime::from_secs(1_700_000_000))
        .set_assume_role_policy_document(trust)
        .set_tags(if tags.is_empty() {
            None
        } else {
            Some(sdk_tags(tags))
        })
        .build()
        .expect("all required fields")
}

// ---- GetSAMLProvider

#[tokio::test]
async fn get_saml_provider_returns_document_and_tags() {
    let tags = managed_tags("abc");
    let output_tags = sdk_tags(&tags);
    let cloud = Mocks::iam([mock!(Client::get_saml_provider)
        .match_requests(|r| r.saml_provider_arn() == Some(PROVIDER_ARN))
        .then_output(move || {
            GetSamlProviderOutput::builder()
                .saml_metadata_document(METADATA)
                .set_tags(Some(output_tags.clone()))
                .build()
        })])
    .cloud();
    let provider = cloud
        .get_saml_provider(PROVIDER_ARN)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(provider.arn, PROVIDER_ARN);
    assert_eq!(provider.metadata_document, METADATA);
    assert_eq!(provider.tags, tags);
}

#[tokio::test]
async fn get_saml_provider_errors() {
    let cloud = Mocks::iam([
        mock!(Client::get_saml_provider).then_error(|| {
            GetSAMLProviderError::NoSuchEntityException(no_such_entity("Manifest not found"))
        }),
        mock!(Client::get_saml_provider).then_error(|| {
            GetSAMLProviderError::generic(meta(
                "AccessDenied",
                "User: arn:aws:iam::111122223333:user/x is not authorized to perform: iam:GetSAMLProvider",
            ))
        }),
        mock!(Client::get_saml_provider).then_error(|| {
            GetSAMLProviderError::InvalidInputException(
                InvalidInputException::builder()
                    .message("ARN is not valid")
                    .meta(meta("InvalidInput", "ARN is not valid"))
                    .build(),
            )
        }),
    ])
    .cloud();
    assert_eq!(cloud.get_saml_provider(PROVIDER_ARN).await, Ok(None));
    let err = cloud
        .get_saml_provider(PROVIDER_ARN)
        .await
        .expect_err("denied");
    assert_access_denied(&err, "iam:GetSAMLProvider", Context::Connect);
    let err = cloud
        .get_saml_provider("not-an-arn")
        .await
        .expect_err("invalid");
    assert!(
        matches!(&err, CloudError::Invalid { action, .. } if action == "iam:GetSAMLProvider"),
        "{err:?}"
    );
}

// ---- CreateSAMLProvider

#[tokio::test]
async fn create_saml_provider_sends_name_document_and_tags() {
    let tags = managed_tags("abc");
    let expected = tags.clone();
    let cloud = Mocks::iam([mock!(Client::create_saml_provider)
        .match_requests(move |r| {
            r.name() == Some("IdC-Connect")
                && r.saml_metadata_document() == Some(METADATA)
                && tags_match(r.tags(), &expected)
        })
        .then_output(|| {
            CreateSamlProviderOutput::builder()
                .saml_provider_arn(PROVIDER_ARN)
                .build()
        })])
    .cloud();
    assert_eq!(
        cloud
            .create_saml_provider("IdC-Connect", METADATA, &tags)
            .await
            .expect("created"),
        PROVIDER_ARN
    );
}

#[tokio::test]
async fn create_saml_provider_errors() {
    let cloud = Mocks::iam([
        mock!(Client::create_saml_provider).then_error(|| {
            CreateSAMLProviderError::EntityAlreadyExistsException(entity_exists(
                "SAMLProvider IdC-Connect already exists",
            ))
        }),
        mock!(Client::create_saml_provider).then_error(|| {
            CreateSAMLProviderError::InvalidInputException(
                InvalidInputException::builder()
                    .message("Could not parse metadata")
                    .meta(meta("InvalidInput", "Could not parse metadata"))
                    .build(),
            )
        }),
        mock!(Client::create_saml_provider).then_error(|| {
            CreateSAMLProviderError::LimitExceededException(limit_exceeded(
                "Cannot exceed quota for SAMLProvidersPerAccount",
            ))
        }),
        mock!(Client::create_saml_provider).then_output(|| {
            // A success without the ARN: the provider exists, but we cannot say where.
            CreateSamlProviderOutput::builder().build()
        }),
    ])
    .cloud();
    let err = cloud
        .create_saml_provider("IdC-Connect", METADATA, &[])
        .await
        .expect_err("exists");
    assert_eq!(
        err,
        CloudError::AlreadyExists {
            action: "iam:CreateSAMLProvider".to_string(),
            what: "SAML provider IdC-Connect".to_string(),
            message: "SAMLProvider IdC-Connect already exists".to_string(),
        }
    );
    let err = cloud
        .create_saml_provider("IdC-Connect", "<bad/>", &[])
        .await
        .expect_err("invalid");
    assert!(
        matches!(&err, CloudError::Invalid { message, .. } if message == "Could not parse metadata"),
        "{err:?}"
    );
    let err = cloud
        .create_saml_provider("IdC-Connect", METADATA, &[])
        .await
        .expect_err("limit");
    assert!(matches!(err, CloudError::LimitExceeded { .. }), "{err:?}");
    let err = cloud
        .create_saml_provider("IdC-Connect", METADATA, &[])
        .await
        .expect_err("no arn");
    assert!(
        matches!(&err, CloudError::Service { code, .. } if code == "IncompleteResponse"),
        "{err:?}"
    );
}

// ---- UpdateSAMLProvider

#[tokio::test]
async fn update_saml_provider_sends_the_document() {
    let cloud = Mocks::iam([
        mock!(Client::update_saml_provider)
            .match_requests(|r| {
                r.saml_provider_arn() == Some(PROVIDER_ARN)
                    && r.saml_metadata_document() == Some(METADATA)
            })
            .then_output(|| {
                UpdateSamlProviderOutput::builder()
                    .saml_provider_arn(PROVIDER_ARN)
                    .build()
            }),
        mock!(Client::update_saml_provider).then_error(|| {
            UpdateSAMLProviderError::NoSuchEntityException(no_such_entity("not found"))
        }),
    ])
    .cloud();
    cloud
        .update_saml_provider(PROVIDER_ARN, METADATA)
        .await
        .expect("updated");
    let err = cloud
        .update_saml_provider(PROVIDER_ARN, METADATA)
        .await
        .expect_err("gone");
    // An update of a provider that vanished is an error, not a silent None.
    assert!(
        matches!(&err, CloudError::NotFound { action, what, .. }
            if action == "iam:UpdateSAMLProvider" && what.contains(PROVIDER_ARN)),
        "{err:?}"
    );
}

// ---- GetPolicy

#[tokio::test]
async fn get_policy_maps_the_policy() {
    let tags = managed_tags("abc");
    let output_tags = sdk_tags(&tags);
    let cloud = Mocks::iam([
        mock!(Client::get_policy)
            .match_requests(|r| r.policy_arn() == Some(POLICY_ARN))
            .then_output(move || {
                GetPolicyOutput::builder()
                    .policy(
                        Policy::builder()
                            .arn(POLICY_ARN)
                            .policy_name("connect-sso-federation")
                            .default_version_id("v3")
                            .set_tags(Some(output_tags.clone()))
                            .build(),
                    )
                    .build()
            }),
        mock!(Client::get_policy)
            .then_error(|| GetPolicyError::NoSuchEntityException(no_such_entity("not found"))),
        mock!(Client::get_policy)
            .then_error(|| GetPolicyError::generic(meta("AccessDenied", "denied"))),
    ])
    .cloud();
    assert_eq!(
        cloud.get_policy(POLICY_ARN).await.expect("read"),
        Some(ManagedPolicy {
            arn: POLICY_ARN.to_string(),
            name: "connect-sso-federation".to_string(),
            default_version_id: "v3".to_string(),
            tags,
        })
    );
    assert_eq!(cloud.get_policy(POLICY_ARN).await, Ok(None));
    let err = cloud.get_policy(POLICY_ARN).await.expect_err("denied");
    assert_access_denied(&err, "iam:GetPolicy", Context::Connect);
}

// ---- ListPolicyVersions

fn version(id: &str, default: bool, created: i64) -> SdkVersion {
    SdkVersion::builder()
        .version_id(id)
        .is_default_version(default)
        .create_date(DateTime::from_secs(created))
        .build()
}

#[tokio::test]
async fn list_policy_versions_reads_every_page_oldest_first() {
    let cloud = Mocks::iam([
        mock!(Client::list_policy_versions)
            .match_requests(|r| r.policy_arn() == Some(POLICY_ARN) && r.marker().is_none())
            .then_output(|| {
                ListPolicyVersionsOutput::builder()
                    .versions(version("v3", true, 300))
                    .versions(version("v2", false, 200))
                    .is_truncated(true)
                    .marker("m2")
                    .build()
            }),
        mock!(Client::list_policy_versions)
            .match_requests(|r| r.marker() == Some("m2"))
            .then_output(|| {
                ListPolicyVersionsOutput::builder()
                    .versions(version("v1", false, 100))
                    .is_truncated(false)
                    .build()
            }),
    ])
    .cloud();
    assert_eq!(
        cloud
            .list_policy_versions(POLICY_ARN)
            .await
            .expect("versions"),
        vec![
            PolicyVersion {
                version_id: "v1".to_string(),
                is_default: false,
                created: 100
            },
            PolicyVersion {
                version_id: "v2".to_string(),
                is_default: false,
                created: 200
            },
            PolicyVersion {
                version_id: "v3".to_string(),
                is_default: true,
                created: 300
            },
        ]
    );
}

#[tokio::test]
async fn list_policy_versions_of_a_missing_policy() {
    let cloud = Mocks::iam([mock!(Client::list_policy_versions).then_error(|| {
        ListPolicyVersionsError::NoSuchEntityException(no_such_entity("Policy does not exist"))
    })])
    .cloud();
    let err = cloud
        .list_policy_versions(POLICY_ARN)
        .await
        .expect_err("missing");
    assert!(
        matches!(&err, CloudError::NotFound { action, .. } if action == "iam:ListPolicyVersions"),
        "{err:?}"
    );
}

// ---- GetPolicyVersion

#[tokio::test]
async fn get_policy_version_url_decodes_the_document() {
    let encoded = url_encoded(&policy_document());
    assert!(encoded.starts_with("%7B"));
    let cloud = Mocks::iam([mock!(Client::get_policy_version)
        .match_requests(|r| r.policy_arn() == Some(POLICY_ARN) && r.version_id() == Some("v3"))
        .then_output(move || {
            GetPolicyVersionOutput::builder()
                .policy_version(
                    SdkVersion::builder()
                        .version_id("v3")
                        .document(encoded.clone())
                        .is_default_version(true)
                        .build(),
                )
                .build()
        })])
    .cloud();
    assert_eq!(
        cloud
            .get_policy_version(POLICY_ARN, "v3")
            .await
            .expect("document"),
        policy_document()
    );
}

#[tokio::test]
async fn get_policy_version_errors() {
    let cloud = Mocks::iam([
        mock!(Client::get_policy_version).then_output(|| {
            GetPolicyVersionOutput::builder()
                .policy_version(
                    SdkVersion::builder()
                        .version_id("v1")
                        .document("%7Bnope")
                        .build(),
                )
                .build()
        }),
        mock!(Client::get_policy_version).then_output(|| {
            GetPolicyVersionOutput::builder()
                .policy_version(SdkVersion::builder().version_id("v1").build())
                .build()
        }),
        mock!(Client::get_policy_version).then_error(|| {
            GetPolicyVersionError::NoSuchEntityException(no_such_entity("no version v9"))
        }),
    ])
    .cloud();
    let err = cloud
        .get_policy_version(POLICY_ARN, "v1")
        .await
        .expect_err("unreadable");
    assert!(
        matches!(&err, CloudError::Service { code, action, .. }
            if code == "UnreadablePolicyDocument" && action == "iam:GetPolicyVersion"),
        "{err:?}"
    );
    let err = cloud
        .get_policy_version(POLICY_ARN, "v1")
        .await
        .expect_err("no document");
    assert!(
        matches!(&err, CloudError::Service { code, .. } if code == "IncompleteResponse"),
        "{err:?}"
    );
    let err = cloud
        .get_policy_version(POLICY_ARN, "v9")
        .await
        .expect_err("missing");
    assert!(
        matches!(&err, CloudError::NotFound { what, .. } if what.contains("v9")),
        "{err:?}"
    );
}

// ---- CreatePolicy

#[tokio::test]
async fn create_policy_sends_the_document_as_json() {
    let tags = managed_tags("abc");
    let expected = tags.clone();
    let cloud = Mocks::iam([mock!(Client::create_policy)
        .match_requests(move |r| {
            r.policy_name() == Some("connect-sso-federation")
                && is_json(r.policy_document(), &policy_document())
                && tags_match(r.tags(), &expected)
        })
        .then_output(|| {
            CreatePolicyOutput::builder()
                .policy(Policy::builder().arn(POLICY_ARN).build())
                .build()
        })])
    .cloud();
    assert_eq!(
        cloud
            .create_policy("connect-sso-federation", &policy_document(), &tags)
            .await
            .expect("created"),
        POLICY_ARN
    );
}

#[tokio::test]
async fn create_policy_errors() {
    let cloud = Mocks::iam([
        mock!(Client::create_policy).then_error(|| {
            CreatePolicyError::MalformedPolicyDocumentException(malformed(
                "Syntax errors in policy.",
            ))
        }),
        mock!(Client::create_policy).then_error(|| {
            CreatePolicyError::EntityAlreadyExistsException(entity_exists(
                "A policy called connect-sso-federation already exists.",
            ))
        }),
    ])
    .cloud();
    let err = cloud
        .create_policy("connect-sso-federation", &json!({}), &[])
        .await
        .expect_err("malformed");
    assert_eq!(
        err,
        CloudError::Invalid {
            action: "iam:CreatePolicy".to_string(),
            message: "Syntax errors in policy.".to_string(),
        }
    );
    let err = cloud
        .create_policy("connect-sso-federation", &policy_document(), &[])
        .await
        .expect_err("exists");
    assert!(
        matches!(&err, CloudError::AlreadyExists { what, .. } if what == "policy connect-sso-federation"),
        "{err:?}"
    );
}

// ---- CreatePolicyVersion

#[tokio::test]
async fn create_policy_version_sends_document_and_default_flag() {
    let cloud = Mocks::iam([
        mock!(Client::create_policy_version)
            .match_requests(|r| {
                r.policy_arn() == Some(POLICY_ARN)
                    && is_json(r.policy_document(), &policy_document())
                    && r.set_as_default() == Some(true)
            })
            .then_output(|| {
                CreatePolicyVersionOutput::builder()
                    .policy_version(SdkVersion::builder().version_id("v4").build())
                    .build()
            }),
        mock!(Client::create_policy_version).then_error(|| {
            CreatePolicyVersionError::LimitExceededException(limit_exceeded(
                "A managed policy can have up to 5 versions.",
            ))
        }),
    ])
    .cloud();
    assert_eq!(
        cloud
            .create_policy_version(POLICY_ARN, &policy_document(), true)
            .await
            .expect("created"),
        "v4"
    );
    let err = cloud
        .create_policy_version(POLICY_ARN, &policy_document(), true)
        .await
        .expect_err("limit");
    assert_eq!(
        err,
        CloudError::LimitExceeded {
            action: "iam:CreatePolicyVersion".to_string(),
            message: "A managed policy can have up to 5 versions.".to_string(),
        }
    );
}

// ---- DeletePolicyVersion

#[tokio::test]
async fn delete_policy_version_sends_arn_and_version() {
    let cloud = Mocks::iam([
        mock!(Client::delete_policy_version)
            .match_requests(|r| r.policy_arn() == Some(POLICY_ARN) && r.version_id() == Some("v1"))
            .then_output(|| DeletePolicyVersionOutput::builder().build()),
        mock!(Client::delete_policy_version).then_error(|| {
            DeletePolicyVersionError::DeleteConflictException(
                DeleteConflictException::builder()
                    .message("Cannot delete the default version of a policy.")
                    .meta(meta(
                        "DeleteConflict",
                        "Cannot delete the default version of a policy.",
                    ))
                    .build(),
            )
        }),
    ])
    .cloud();
    cloud
        .delete_policy_version(POLICY_ARN, "v1")
        .await
        .expect("deleted");
    let err = cloud
        .delete_policy_version(POLICY_ARN, "v3")
        .await
        .expect_err("default");
    assert!(
        matches!(&err, CloudError::Invalid { action, message }
            if action == "iam:DeletePolicyVersion" && message.contains("default version")),
        "{err:?}"
    );
}

// ---- GetRole

#[tokio::test]
async fn get_role_url_decodes_the_trust_policy() {
    let tags = managed_tags("abc");
    let role = sdk_role(ROLE, Some(url_encoded(&trust_policy())), &tags);
    let cloud = Mocks::iam([mock!(Client::get_role)
        .match_requests(|r| r.role_name() == Some(ROLE))
        .then_output(move || GetRoleOutput::builder().role(role.clone()).build())])
    .cloud();
    let role = cloud.get_role(ROLE).await.expect("read").expect("exists");
    assert_eq!(role.name, ROLE);
    assert_eq!(role.arn, ROLE_ARN);
    assert_eq!(role.trust_policy, trust_policy());
    assert_eq!(role.tags, tags);
}

#[tokio::test]
async fn get_role_errors() {
    let cloud = Mocks::iam([
        mock!(Client::get_role).then_error(|| {
            GetRoleError::NoSuchEntityException(no_such_entity(
                "The role with name connect-sso-federation cannot be found.",
            ))
        }),
        mock!(Client::get_role)
            .then_error(|| GetRoleError::generic(meta("Throttling", "Rate exceeded"))),
        mock!(Client::get_role).then_output(|| {
            GetRoleOutput::builder()
                .role(sdk_role(ROLE, Some("%7Bbroken".to_string()), &[]))
                .build()
        }),
    ])
    .cloud();
    assert_eq!(cloud.get_role(ROLE).await, Ok(None));
    assert_eq!(
        cloud.get_role(ROLE).await,
        Err(CloudError::Throttled {
            action: "iam:GetRole".to_string()
        })
    );
    let err = cloud.get_role(ROLE).await.expect_err("unreadable");
    assert!(
        matches!(&err, CloudError::Service { code, .. } if code == "UnreadablePolicyDocument"),
        "{err:?}"
    );
}

// ---- CreateRole

#[tokio::test]
async fn create_role_sends_trust_policy_and_tags() {
    let tags = managed_tags("abc");
    let expected = tags.clone();
    let role = sdk_role(ROLE, None, &[]);
    let cloud = Mocks::iam([mock!(Client::create_role)
        .match_requests(move |r| {
            r.role_name() == Some(ROLE)
                && is_json(r.assume_role_policy_document(), &trust_policy())
                && tags_match(r.tags(), &expected)
        })
        .then_output(move || CreateRoleOutput::builder().role(role.clone()).build())])
    .cloud();
    assert_eq!(
        cloud
            .create_role(ROLE, &trust_policy(), &tags)
            .await
            .expect("created"),
        ROLE_ARN
    );
}

#[tokio::test]
async fn create_role_errors() {
    let cloud = Mocks::iam([
        mock!(Client::create_role).then_error(|| {
            CreateRoleError::generic(meta(
                "AccessDenied",
                "User: arn:aws:iam::111122223333:user/ana is not authorized to perform: iam:CreateRole",
            ))
        }),
        mock!(Client::create_role).then_error(|| {
            CreateRoleError::EntityAlreadyExistsException(entity_exists(
                "Role with name connect-sso-federation already exists.",
            ))
        }),
        mock!(Client::create_role).then_error(|| {
            CreateRoleError::MalformedPolicyDocumentException(malformed(
                "Invalid principal in policy",
            ))
        }),
        mock!(Client::create_role)
            .then_output(|| CreateRoleOutput::builder().build()),
    ])
    .cloud();
    let err = cloud
        .create_role(ROLE, &trust_policy(), &[])
        .await
        .expect_err("denied");
    assert_access_denied(&err, "iam:CreateRole", Context::Connect);
    assert!(err.to_string().contains("profile connect-admin"));
    let err = cloud
        .create_role(ROLE, &trust_policy(), &[])
        .await
        .expect_err("exists");
    assert_eq!(
        err,
        CloudError::AlreadyExists {
            action: "iam:CreateRole".to_string(),
            what: format!("role {ROLE}"),
            message: "Role with name connect-sso-federation already exists.".to_string(),
        }
    );
    let err = cloud
        .create_role(ROLE, &trust_policy(), &[])
        .await
        .expect_err("malformed");
    assert!(matches!(err, CloudError::Invalid { .. }), "{err:?}");
    let err = cloud
        .create_role(ROLE, &trust_policy(), &[])
        .await
        .expect_err("no role in answer");
    assert!(
        matches!(&err, CloudError::Service { code, .. } if code == "IncompleteResponse"),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_error_without_a_message_is_described_by_its_code() {
    let cloud = Mocks::iam([mock!(Client::create_role).then_error(|| {
        CreateRoleError::generic(
            aws_sdk_iam::error::ErrorMetadata::builder()
                .code("ServiceFailure")
                .build(),
        )
    })])
    .cloud();
    let err = cloud
        .create_role(ROLE, &trust_policy(), &[])
        .await
        .expect_err("failure");
    assert!(
        matches!(&err, CloudError::Service { code, message, action }
            if code == "ServiceFailure" && message.contains("ServiceFailure") && action == "iam:CreateRole"),
        "{err:?}"
    );
}

// ---- UpdateAssumeRolePolicy

#[tokio::test]
async fn update_assume_role_policy_sends_the_document() {
    let cloud = Mocks::iam([
        mock!(Client::update_assume_role_policy)
            .match_requests(|r| {
                r.role_name() == Some(ROLE) && is_json(r.policy_document(), &trust_policy())
            })
            .then_output(|| UpdateAssumeRolePolicyOutput::builder().build()),
        mock!(Client::update_assume_role_policy).then_error(|| {
            UpdateAssumeRolePolicyError::MalformedPolicyDocumentException(malformed(
                "Has prohibited field Resource",
            ))
        }),
    ])
    .cloud();
    cloud
        .update_assume_role_policy(ROLE, &trust_policy())
        .await
        .expect("updated");
    let err = cloud
        .update_assume_role_policy(ROLE, &json!({"Resource": "*"}))
        .await
        .expect_err("malformed");
    assert!(
        matches!(&err, CloudError::Invalid { action, .. } if action == "iam:UpdateAssumeRolePolicy"),
        "{err:?}"
    );
}

// ---- ListAttachedRolePolicies

fn attached(name: &str) -> SdkAttached {
    SdkAttached::builder()
        .policy_name(name)
        .policy_arn(format!("arn:aws:iam::111122223333:policy/{name}"))
        .build()
}

#[tokio::test]
async fn list_attached_role_policies_reads_every_page() {
    let cloud = Mocks::iam([
        mock!(Client::list_attached_role_policies)
            .match_requests(|r| r.role_name() == Some(ROLE) && r.marker().is_none())
            .then_output(|| {
                ListAttachedRolePoliciesOutput::builder()
                    .attached_policies(attached("one"))
                    .is_truncated(true)
                    .marker("m2")
                    .build()
            }),
        mock!(Client::list_attached_role_policies)
            .match_requests(|r| r.role_name() == Some(ROLE) && r.marker() == Some("m2"))
            .then_output(|| {
                ListAttachedRolePoliciesOutput::builder()
                    .attached_policies(attached("two"))
                    .build()
            }),
    ])
    .cloud();
    assert_eq!(
        cloud
            .list_attached_role_policies(ROLE)
            .await
            .expect("attached"),
        vec![
            AttachedPolicy {
                name: "one".to_string(),
                arn: "arn:aws:iam::111122223333:policy/one".to_string()
            },
            AttachedPolicy {
                name: "two".to_string(),
                arn: "arn:aws:iam::111122223333:policy/two".to_string()
            },
        ]
    );
}

#[tokio::test]
async fn list_attached_role_policies_of_a_missing_role() {
    let cloud = Mocks::iam([mock!(Client::list_attached_role_policies).then_error(|| {
        ListAttachedRolePoliciesError::NoSuchEntityException(no_such_entity("no role"))
    })])
    .cloud();
    let err = cloud
        .list_attached_role_policies(ROLE)
        .await
        .expect_err("missing");
    assert!(
        matches!(&err, CloudError::NotFound { what, .. } if what == "role connect-sso-federation"),
        "{err:?}"
    );
}

// ---- ListRolePolicies

#[tokio::test]
async fn list_role_policies_reads_every_page() {
    let cloud = Mocks::iam([
        mock!(Client::list_role_policies)
            .match_requests(|r| r.role_name() == Some(ROLE) && r.marker().is_none())
            .then_output(|| {
                ListRolePoliciesOutput::builder()
                    .policy_names("inline-a")
                    .is_truncated(true)
                    .marker("m2")
                    .build()
                    .expect("all required fields")
            }),
        mock!(Client::list_role_policies)
            .match_requests(|r| r.marker() == Some("m2"))
            .then_output(|| {
                ListRolePoliciesOutput::builder()
                    .policy_names("inline-b")
                    .build()
                    .expect("all required fields")
            }),
    ])
    .cloud();
    assert_eq!(
        cloud.list_role_policies(ROLE).await.expect("names"),
        vec!["inline-a".to_string(), "inline-b".to_string()]
    );
}

#[tokio::test]
async fn list_role_policies_access_denied() {
    let cloud = Mocks::iam([mock!(Client::list_role_policies)
        .then_error(|| ListRolePoliciesError::generic(meta("AccessDenied", "denied")))])
    .cloud();
    let err = cloud.list_role_policies(ROLE).await.expect_err("denied");
    assert_access_denied(&err, "iam:ListRolePolicies", Context::Connect);
}

// ---- AttachRolePolicy

#[tokio::test]
async fn attach_role_policy_sends_role_and_policy() {
    let cloud = Mocks::iam([
        mock!(Client::attach_role_policy)
            .match_requests(|r| r.role_name() == Some(ROLE) && r.policy_arn() == Some(POLICY_ARN))
            .then_output(|| AttachRolePolicyOutput::builder().build()),
        mock!(Client::attach_role_policy).then_error(|| {
            AttachRolePolicyError::NoSuchEntityException(no_such_entity("Policy does not exist"))
        }),
    ])
    .cloud();
    cloud
        .attach_role_policy(ROLE, POLICY_ARN)
        .await
        .expect("attached");
    let err = cloud
        .attach_role_policy(ROLE, POLICY_ARN)
        .await
        .expect_err("missing");
    assert!(
        matches!(&err, CloudError::NotFound { action, what, .. }
            if action == "iam:AttachRolePolicy" && what.contains(POLICY_ARN) && what.contains(ROLE)),
        "{err:?}"
    );
}

// ---- ListRoles

#[tokio::test]
async fn list_roles_reads_every_page_and_decodes_trust_policies() {
    let first = sdk_role(ROLE, Some(url_encoded(&trust_policy())), &[]);
    let second = sdk_role("broken", Some("%7Bbroken".to_string()), &[]);
    let third = sdk_role(
        "plain",
        Some(r#"{"Version":"2012-10-17"}"#.to_string()),
        &[],
    );
    let cloud = Mocks::iam([
        mock!(Client::list_roles)
            .match_requests(|r| r.marker().is_none())
            .then_output(move || {
                ListRolesOutput::builder()
                    .roles(first.clone())
                    .roles(second.clone())
                    .is_truncated(true)
                    .marker("m2")
                    .build()
                    .expect("all required fields")
            }),
        mock!(Client::list_roles)
            .match_requests(|r| r.marker() == Some("m2"))
            .then_output(move || {
                ListRolesOutput::builder()
                    .roles(third.clone())
                    .build()
                    .expect("all required fields")
            }),
    ])
    .cloud();
    let roles = cloud.list_roles().await.expect("roles");
    let names: Vec<&str> = roles.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, vec![ROLE, "broken", "plain"]);
    assert_eq!(roles[0].trust_policy, trust_policy());
    assert_eq!(roles[0].arn, ROLE_ARN);
    // ListRoles leaves tags out.
    assert!(roles[0].tags.is_empty());
    // One unreadable trust policy does not hide the other roles.
    assert_eq!(roles[1].trust_policy, Value::Null);
    assert_eq!(roles[2].trust_policy, json!({"Version": "2012-10-17"}));
}

#[tokio::test]
async fn list_roles_access_denied() {
    let cloud = Mocks::iam([mock!(Client::list_roles)
        .then_error(|| ListRolesError::generic(meta("AccessDenied", "no")))])
    .cloud();
    let err = cloud.list_roles().await.expect_err("denied");
    assert_access_denied(&err, "iam:ListRoles", Context::Connect);
}
