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
        tags: Vec::new(),
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

// ---- GetFederationToken, with a SAML session's credentials

mod federation {
    use std::sync::{Arc, Mutex};

    use aws_sdk_connect::config::interceptors::BeforeTransmitInterceptorContextRef;
    use aws_sdk_connect::config::{ConfigBag, Intercept, RuntimeComponents};
    use aws_sdk_connect::error::BoxError;
    use aws_sdk_connect::operation::get_federation_token::{
        GetFederationTokenError, GetFederationTokenOutput,
    };
    use aws_sdk_connect::primitives::DateTime;
    use aws_sdk_connect::types::Credentials;
    use aws_sdk_connect::types::error::{
        InvalidRequestException, ResourceNotFoundException, UserNotFoundException,
    };

    use super::*;
    use crate::cloud::{FederationToken, TemporaryCredentials};

    const KEY_ID: &str = "ASIAFEDERATIONKEY001";
    const SECRET: &str = "federationSecret/K7MDENG/bPxRfiCYEXAMPLE";
    const SESSION: &str = "FwoGZXIvYXdzEFederationSessionToken//////";
    const ACCESS_TOKEN: &str = "connect-access-token-value-must-not-leak";
    const REFRESH_TOKEN: &str = "connect-refresh-token-value-must-not-leak";
    const SIGN_IN_URL: &str =
        "https://acme.my.connect.aws/auth/sign-in?token=secret-url-part-must-not-leak";

    fn session() -> TemporaryCredentials {
        TemporaryCredentials::new(
            "arn:aws:sts::111122223333:assumed-role/ConnectSSO/maria.garcia@example.com".into(),
            "AROAEXAMPLE:maria.garcia@example.com".into(),
            KEY_ID.into(),
            SECRET.into(),
            SESSION.into(),
        )
    }

    fn output() -> GetFederationTokenOutput {
        GetFederationTokenOutput::builder()
            .user_id("7d2b9e41-3c5a-4f6e-8b1d-0a9c8e7f6d5e")
            .user_arn(format!(
                "{INSTANCE_ARN}/agent/7d2b9e41-3c5a-4f6e-8b1d-0a9c8e7f6d5e"
            ))
            .sign_in_url(SIGN_IN_URL)
            .credentials(
                Credentials::builder()
                    .access_token(ACCESS_TOKEN)
                    .access_token_expiration(DateTime::from_secs(1_900_000_600))
                    .refresh_token(REFRESH_TOKEN)
                    .refresh_token_expiration(DateTime::from_secs(1_900_003_600))
                    .build(),
            )
            .build()
    }

    /// The Authorization header of every request sent.
    #[derive(Debug, Clone, Default)]
    struct SeenAuthorization(Arc<Mutex<Vec<Option<String>>>>);

    impl Intercept for SeenAuthorization {
        fn name(&self) -> &'static str {
            "SeenAuthorization"
        }

        fn read_before_transmit(
            &self,
            context: &BeforeTransmitInterceptorContextRef<'_>,
            _components: &RuntimeComponents,
            _cfg: &mut ConfigBag,
        ) -> Result<(), BoxError> {
            let header = context
                .request()
                .headers()
                .get("authorization")
                .map(str::to_string);
            self.0.lock().unwrap().push(header);
            Ok(())
        }
    }

    #[tokio::test]
    async fn signs_with_the_session_and_keeps_no_token() {
        let seen = SeenAuthorization::default();
        let seen_by_client = seen.clone();
        let rules = [mock!(Client::get_federation_token)
            .match_requests(|r| r.instance_id() == Some(INSTANCE_ID))
            .then_output(output)];
        let client =
            aws_smithy_mocks::mock_client!(aws_sdk_connect, RuleMode::Sequential, &rules, |b| b
                .interceptor(seen_by_client.clone())
                .retry_config(aws_sdk_connect::config::retry::RetryConfig::disabled()));
        let mut cloud = Mocks::default().cloud();
        cloud.clients.connect = client;
        let token = cloud
            .get_federation_token(INSTANCE_ID, &session())
            .await
            .expect("token");
        assert_eq!(
            token,
            FederationToken {
                user_id: "7d2b9e41-3c5a-4f6e-8b1d-0a9c8e7f6d5e".into(),
                user_arn: format!("{INSTANCE_ARN}/agent/7d2b9e41-3c5a-4f6e-8b1d-0a9c8e7f6d5e"),
                sign_in_host: Some("acme.my.connect.aws".into()),
                access_token_expiration: Some(1_900_000_600),
            }
        );
        let shown = format!("{token:?}{}", serde_json::to_string(&token).unwrap());
        for secret in [
            ACCESS_TOKEN,
            REFRESH_TOKEN,
            "secret-url-part",
            KEY_ID,
            SECRET,
        ] {
            assert!(!shown.contains(secret), "{shown}");
        }
        // Signed with the session's key, not the connect context's test credentials.
        let headers = seen.0.lock().unwrap().clone();
        let [Some(authorization)] = headers.as_slice() else {
            panic!("one signed request expected: {headers:?}");
        };
        assert!(
            authorization.contains(&format!("Credential={KEY_ID}/")),
            "{authorization}"
        );
    }

    async fn refusal(error: fn() -> GetFederationTokenError) -> CloudError {
        Mocks::connect([mock!(Client::get_federation_token).then_error(error)])
            .cloud()
            .get_federation_token(INSTANCE_ID, &session())
            .await
            .expect_err("refused")
    }

    fn assert_refused(err: &CloudError, code: &str, message: &str) {
        assert_eq!(
            err,
            &CloudError::SignInRefused {
                action: "connect:GetFederationToken".to_string(),
                code: code.to_string(),
                message: message.to_string(),
            }
        );
        let text = err.to_string();
        assert!(!text.contains("aws sso login"), "{text}");
        assert!(!text.contains("Grant"), "{text}");
    }

    #[tokio::test]
    async fn a_missing_user_is_a_refusal() {
        let err = refusal(|| {
            GetFederationTokenError::UserNotFoundException(
                UserNotFoundException::builder()
                    .message("No user with the specified credentials was found")
                    .meta(meta(
                        "UserNotFoundException",
                        "No user with the specified credentials was found",
                    ))
                    .build(),
            )
        })
        .await;
        assert_refused(
            &err,
            "UserNotFound",
            "No user with the specified credentials was found",
        );
        let err = refusal(|| {
            GetFederationTokenError::ResourceNotFoundException(
                ResourceNotFoundException::builder()
                    .message("User not found")
                    .meta(meta("ResourceNotFoundException", "User not found"))
                    .build(),
            )
        })
        .await;
        assert_refused(&err, "ResourceNotFound", "User not found");
    }

    #[tokio::test]
    async fn a_policy_without_the_action_is_a_refusal() {
        let message = "User: arn:aws:sts::111122223333:assumed-role/ConnectSSO/maria is not authorized to perform: connect:GetFederationToken";
        let err = refusal(|| {
            GetFederationTokenError::generic(meta(
                "AccessDeniedException",
                "User: arn:aws:sts::111122223333:assumed-role/ConnectSSO/maria is not authorized to perform: connect:GetFederationToken",
            ))
        })
        .await;
        assert_refused(&err, "AccessDenied", message);
    }

    #[tokio::test]
    async fn a_non_saml_instance_and_an_expired_session_are_refusals() {
        let err = refusal(|| {
            GetFederationTokenError::InvalidRequestException(
                InvalidRequestException::builder()
                    .message("The instance does not support SAML")
                    .meta(meta(
                        "InvalidRequestException",
                        "The instance does not support SAML",
                    ))
                    .build(),
            )
        })
        .await;
        assert_refused(&err, "InvalidRequest", "The instance does not support SAML");
        // The session's own token, not the connect context's: no `aws sso login`.
        let err = refusal(|| {
            GetFederationTokenError::generic(meta(
                "ExpiredTokenException",
                "The security token included in the request is expired",
            ))
        })
        .await;
        assert_refused(
            &err,
            "ExpiredToken",
            "The security token included in the request is expired",
        );
    }

    #[tokio::test]
    async fn throttling_is_not_a_verdict() {
        let err = refusal(|| GetFederationTokenError::ThrottlingException(throttled())).await;
        assert_eq!(
            err,
            CloudError::Throttled {
                action: "connect:GetFederationToken".to_string()
            }
        );
    }
}
