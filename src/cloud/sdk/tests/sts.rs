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
