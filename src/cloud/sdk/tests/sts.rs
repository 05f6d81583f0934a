use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, future};
use aws_sdk_sts::Client;
use aws_sdk_sts::operation::get_caller_identity::{
    GetCallerIdentityError, GetCallerIdentityOutput,
};
use aws_smithy_mocks::mock;

use super::*;
use crate::cloud::Sts;

fn caller(account: &str) -> Rule {
    let account = account.to_string();
    mock!(Client::get_caller_identity).then_output(move || {
        GetCallerIdentityOutput::builder()
            .account(&account)
            .arn(format!("arn:aws:sts::{account}:assumed-role/Admin/ana"))
            .user_id("AROAEXAMPLE:ana")
            .build()
    })
}

#[tokio::test]
async fn each_context_asks_its_own_account() {
    let mocks = Mocks {
        connect_sts: vec![caller("111122223333")],
        identity_sts: vec![caller("444455556666")],
        ..Mocks::default()
    };
    let cloud = mocks.cloud();
    let connect = cloud
        .caller_identity(Context::Connect)
        .await
        .expect("connect caller");
    assert_eq!(connect.account, "111122223333");
    assert_eq!(
        connect.arn,
        "arn:aws:sts::111122223333:assumed-role/Admin/ana"
    );
    assert_eq!(connect.user_id, "AROAEXAMPLE:ana");
    let identity = cloud
        .caller_identity(Context::Identity)
        .await
        .expect("identity caller");
    assert_eq!(identity.account, "444455556666");
}

#[tokio::test]
async fn missing_fields_become_empty() {
    let mocks = Mocks {
        connect_sts: vec![
            mock!(Client::get_caller_identity)
                .then_output(|| GetCallerIdentityOutput::builder().build()),
        ],
        ..Mocks::default()
    };
    let me = mocks
        .cloud()
        .caller_identity(Context::Connect)
        .await
        .expect("caller");
    assert_eq!(me.account, "");
}

#[tokio::test]
async fn expired_token_is_a_credentials_error_of_that_context() {
    let mocks = Mocks {
        identity_sts: vec![mock!(Client::get_caller_identity).then_error(|| {
            GetCallerIdentityError::generic(meta(
                "ExpiredToken",
                "The security token included in the request is expired",
            ))
        })],
        ..Mocks::default()
    };
    let err = mocks
        .cloud()
        .caller_identity(Context::Identity)
        .await
        .expect_err("expired");
    assert_eq!(
        err,
        CloudError::Credentials {
            context: Context::Identity,
            profile: Some(IDENTITY_PROFILE.to_string()),
            message: "The security token included in the request is expired".to_string(),
        }
    );
    assert!(
        err.to_string()
            .contains("aws sso login --profile idc-admin")
    );
}

#[tokio::test]
async fn access_denied_names_sts_action() {
    let mocks =
        Mocks {
            connect_sts: vec![mock!(Client::get_caller_identity).then_error(|| {
                GetCallerIdentityError::generic(meta("AccessDenied", "not allowed"))
            })],
            ..Mocks::default()
        };
    let err = mocks
        .cloud()
        .caller_identity(Context::Connect)
        .await
        .expect_err("denied");
    assert_access_denied(&err, "sts:GetCallerIdentity", Context::Connect);
}

/// A credentials chain that finds nothing, as with no keys, no profile and no SSO session.
#[derive(Debug)]
struct NoCredentials;

impl ProvideCredentials for NoCredentials {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::ready(Err(CredentialsError::provider_error(
            "the SSO session associated with this profile has expired",
        )))
    }
}

#[tokio::test]
async fn a_failing_credentials_provider_is_a_credentials_error_not_a_network_one() {
    // No interceptor: the request must fail before it is sent, while resolving the identity.
    let config = aws_sdk_sts::Config::builder()
        .with_test_defaults_v2()
        .http_client(aws_smithy_mocks::create_mock_http_client())
        .credentials_provider(NoCredentials)
        .retry_config(aws_sdk_sts::config::retry::RetryConfig::disabled())
        .build();
    let client = Client::from_conf(config);
    let mut mocks = Mocks::default().cloud();
    mocks.clients.connect_sts = client;
    let err = mocks
        .caller_identity(Context::Connect)
        .await
        .expect_err("no credentials");
    match &err {
        CloudError::Credentials {
            context, message, ..
        } => {
            assert_eq!(*context, Context::Connect);
            assert!(message.contains("SSO session"), "{message}");
        }
        other => panic!("expected Credentials, got {other:?}"),
    }
    assert!(err.to_string().contains("connect-admin"));
}

// ---- AssumeRoleWithSAML

mod saml {
    use std::sync::{Arc, Mutex};

    use aws_sdk_sts::config::interceptors::BeforeTransmitInterceptorContextRef;
    use aws_sdk_sts::config::{ConfigBag, Intercept, RuntimeComponents};
    use aws_sdk_sts::error::BoxError;
    use aws_sdk_sts::operation::assume_role_with_saml::{
        AssumeRoleWithSAMLError, AssumeRoleWithSamlOutput,
    };
    use aws_sdk_sts::primitives::DateTime;
    use aws_sdk_sts::types::error::{
        ExpiredTokenException, IdpRejectedClaimException, InvalidIdentityTokenException,
    };
    use aws_sdk_sts::types::{AssumedRoleUser, Credentials};

    use super::*;

    const ROLE: &str = "arn:aws:iam::111122223333:role/ConnectSSO";
    const PROVIDER: &str = "arn:aws:iam::111122223333:saml-provider/IdC";
    const RESPONSE: &str = "PHNhbWxwOlJlc3BvbnNlLz4=";
    pub(super) const KEY_ID: &str = "ASIAMOCKKEY7EXAMPLE1";
    pub(super) const SECRET: &str = "mockSecretKey/K7MDENG/bPxRfiCYEXAMPLEKEY";
    pub(super) const TOKEN: &str = "FwoGZXIvYXdzEMockSessionTokenValue//////////";

    fn output() -> AssumeRoleWithSamlOutput {
        AssumeRoleWithSamlOutput::builder()
            .credentials(
                Credentials::builder()
                    .access_key_id(KEY_ID)
                    .secret_access_key(SECRET)
                    .session_token(TOKEN)
                    .expiration(DateTime::from_secs(1_900_000_000))
                    .build()
                    .unwrap(),
            )
            .assumed_role_user(
                AssumedRoleUser::builder()
                    .assumed_role_id("AROAEXAMPLE:maria.garcia@example.com")
                    .arn("arn:aws:sts::111122223333:assumed-role/ConnectSSO/maria.garcia@example.com")
                    .build()
                    .unwrap(),
            )
            .subject("maria.garcia@example.com")
            .issuer("https://portal.sso.us-east-1.amazonaws.com/saml/assertion/X")
            .audience("https://signin.aws.amazon.com/saml")
            .build()
    }

    fn success() -> Rule {
        mock!(Client::assume_role_with_saml)
            .match_requests(|r| {
                r.role_arn() == Some(ROLE)
                    && r.principal_arn() == Some(PROVIDER)
                    && r.saml_assertion() == Some(RESPONSE)
                    && r.duration_seconds() == Some(900)
            })
            .then_output(output)
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
    async fn the_request_and_the_credentials_are_mapped() {
        let cloud = Mocks {
            connect_sts: vec![success()],
            ..Mocks::default()
        }
        .cloud();
        let credentials = cloud
            .assume_role_with_saml(ROLE, PROVIDER, RESPONSE, 900)
            .await
            .expect("assumed");
        assert_eq!(credentials.access_key_id(), KEY_ID);
        assert_eq!(credentials.secret_access_key(), SECRET);
        assert_eq!(credentials.session_token(), TOKEN);
        assert_eq!(credentials.expiration, Some(1_900_000_000));
        assert_eq!(credentials.session_name(), Some("maria.garcia@example.com"));
        assert_eq!(
            credentials.audience.as_deref(),
            Some("https://signin.aws.amazon.com/saml")
        );
        let shown = format!("{credentials:?}");
        for secret in [KEY_ID, SECRET, TOKEN] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("redacted"), "{shown}");
    }

    /// STS's XML answer to AssumeRoleWithSAML, as it comes over the wire.
    fn wire_answer() -> aws_sdk_sts::config::http::HttpResponse {
        let body = format!(
            "<AssumeRoleWithSAMLResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
             <AssumeRoleWithSAMLResult><Credentials><AccessKeyId>{KEY_ID}</AccessKeyId>\
             <SecretAccessKey>{SECRET}</SecretAccessKey><SessionToken>{TOKEN}</SessionToken>\
             <Expiration>2030-03-17T17:46:40Z</Expiration></Credentials><AssumedRoleUser>\
             <AssumedRoleId>AROAEXAMPLE:maria.garcia@example.com</AssumedRoleId>\
             <Arn>arn:aws:sts::111122223333:assumed-role/ConnectSSO/maria.garcia@example.com</Arn>\
             </AssumedRoleUser></AssumeRoleWithSAMLResult></AssumeRoleWithSAMLResponse>"
        );
        aws_sdk_sts::config::http::HttpResponse::new(
            200u16.try_into().expect("a valid status"),
            body.into(),
        )
    }

    #[tokio::test]
    async fn no_caller_credentials_are_needed_and_nothing_is_signed() {
        // The credentials provider fails, as with no keys and an expired SSO session. HTTP
        // answers (not modeled outputs) go through identity resolution, signing and
        // transmission, so a failing provider would show.
        let seen = SeenAuthorization::default();
        let seen_by_client = seen.clone();
        let rules = [
            mock!(Client::assume_role_with_saml).then_http_response(wire_answer),
            mock!(Client::get_caller_identity).then_http_response(wire_answer),
        ];
        let client =
            aws_smithy_mocks::mock_client!(aws_sdk_sts, RuleMode::Sequential, &rules, |b| b
                .credentials_provider(NoCredentials)
                .interceptor(seen_by_client.clone())
                .retry_config(aws_sdk_sts::config::retry::RetryConfig::disabled()));
        let mut cloud = Mocks::default().cloud();
        cloud.clients.connect_sts = client;
        let credentials = cloud
            .assume_role_with_saml(ROLE, PROVIDER, RESPONSE, 900)
            .await
            .expect("no credentials needed");
        assert_eq!(credentials.access_key_id(), KEY_ID);
        assert_eq!(credentials.session_name(), Some("maria.garcia@example.com"));
        assert_eq!(credentials.expiration, Some(1_900_000_000));
        // Sent, and sent unsigned.
        assert_eq!(seen.0.lock().unwrap().as_slice(), &[None]);
        // A signed operation on the same client stops at the credentials.
        let err = cloud
            .caller_identity(Context::Connect)
            .await
            .expect_err("signed calls need credentials");
        assert!(matches!(err, CloudError::Credentials { .. }), "{err:?}");
        assert_eq!(seen.0.lock().unwrap().len(), 1, "never sent");
    }

    async fn refusal(error: fn() -> AssumeRoleWithSAMLError) -> CloudError {
        let cloud = Mocks {
            connect_sts: vec![mock!(Client::assume_role_with_saml).then_error(error)],
            ..Mocks::default()
        }
        .cloud();
        cloud
            .assume_role_with_saml(ROLE, PROVIDER, RESPONSE, 900)
            .await
            .expect_err("refused")
    }

    fn assert_refused(err: &CloudError, code: &str, message: &str) {
        assert_eq!(
            err,
            &CloudError::SignInRefused {
                action: "sts:AssumeRoleWithSAML".to_string(),
                code: code.to_string(),
                message: message.to_string(),
            }
        );
        let text = err.to_string();
        assert!(
            text.contains("sts:AssumeRoleWithSAML refused the sign-in"),
            "{text}"
        );
        assert!(text.contains("connect-sso sign-in-test"), "{text}");
        // Not the caller's credentials or permissions: no `aws sso login`, no "grant".
        assert!(!text.contains("aws sso login"), "{text}");
        assert!(!text.contains("Grant"), "{text}");
    }

    fn invalid_token(message: &'static str) -> AssumeRoleWithSAMLError {
        AssumeRoleWithSAMLError::InvalidIdentityTokenException(
            InvalidIdentityTokenException::builder()
                .message(message)
                .meta(meta("InvalidIdentityToken", message))
                .build(),
        )
    }

    #[tokio::test]
    async fn invalid_identity_tokens_are_refusals() {
        assert_refused(
            &refusal(|| invalid_token("RoleSessionName is required in AuthnResponse")).await,
            "InvalidIdentityToken",
            "RoleSessionName is required in AuthnResponse",
        );
        assert_refused(
            &refusal(|| {
                invalid_token(
                    "RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}",
                )
            })
            .await,
            "InvalidIdentityToken",
            "RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}",
        );
        assert_refused(
            &refusal(|| invalid_token("Response signature invalid")).await,
            "InvalidIdentityToken",
            "Response signature invalid",
        );
        assert_refused(
            &refusal(|| invalid_token("Response does not contain the required audience")).await,
            "InvalidIdentityToken",
            "Response does not contain the required audience",
        );
        assert_refused(
            &refusal(|| invalid_token("Issuer not present in specified provider")).await,
            "InvalidIdentityToken",
            "Issuer not present in specified provider",
        );
    }

    #[tokio::test]
    async fn access_denied_is_a_refusal_not_a_permission_of_the_caller() {
        // AccessDenied is not modeled on AssumeRoleWithSAML: it arrives unhandled.
        assert_refused(
            &refusal(|| {
                AssumeRoleWithSAMLError::generic(meta(
                    "AccessDenied",
                    "Not authorized to perform sts:AssumeRoleWithSAML",
                ))
            })
            .await,
            "AccessDenied",
            "Not authorized to perform sts:AssumeRoleWithSAML",
        );
    }

    #[tokio::test]
    async fn expired_or_used_responses_are_refusals() {
        assert_refused(
            &refusal(|| {
                AssumeRoleWithSAMLError::ExpiredTokenException(
                    ExpiredTokenException::builder()
                        .message("Token is expired")
                        .meta(meta("ExpiredTokenException", "Token is expired"))
                        .build(),
                )
            })
            .await,
            "ExpiredToken",
            "Token is expired",
        );
        assert_refused(
            &refusal(|| invalid_token("SAML Assertion already used")).await,
            "InvalidIdentityToken",
            "SAML Assertion already used",
        );
        assert_refused(
            &refusal(|| {
                AssumeRoleWithSAMLError::IdpRejectedClaimException(
                    IdpRejectedClaimException::builder()
                        .message("rejected")
                        .meta(meta("IDPRejectedClaim", "rejected"))
                        .build(),
                )
            })
            .await,
            "IDPRejectedClaim",
            "rejected",
        );
    }

    #[tokio::test]
    async fn throttling_is_not_a_verdict() {
        let err =
            refusal(|| AssumeRoleWithSAMLError::generic(meta("Throttling", "Rate exceeded"))).await;
        assert_eq!(
            err,
            CloudError::Throttled {
                action: "sts:AssumeRoleWithSAML".to_string()
            }
        );
    }

    #[tokio::test]
    async fn missing_credentials_in_the_answer_are_an_incomplete_response() {
        let cloud = Mocks {
            connect_sts: vec![
                mock!(Client::assume_role_with_saml)
                    .then_output(|| AssumeRoleWithSamlOutput::builder().build()),
            ],
            ..Mocks::default()
        }
        .cloud();
        let err = cloud
            .assume_role_with_saml(ROLE, PROVIDER, RESPONSE, 900)
            .await
            .expect_err("incomplete");
        assert!(
            matches!(&err, CloudError::Service { code, .. } if code == "IncompleteResponse"),
            "{err:?}"
        );
    }
}
