//! `SdkCloud` against aws-smithy-mocks: for every operation the request sent, the output
//! mapped, all pages read, and the modeled errors mapped to the right `CloudError`.

mod bulk;
mod connect;
mod deletes;
mod doctor;
mod groups;
mod iam;
mod identity;
mod limits;
mod sts;
mod sync;

use aws_sdk_iam::error::ErrorMetadata;
use aws_smithy_mocks::{Rule, RuleMode};

use super::{Profiles, SdkClients, SdkCloud};
use crate::cloud::limits::{Backoff, Limits};
use crate::cloud::{CloudError, Context};

/// A client whose requests are answered by `rules` in `mode`. Retries are off so an error
/// rule answers exactly one request.
macro_rules! client {
    ($sdk:ident, $mode:expr, $rules:expr) => {
        aws_smithy_mocks::mock_client!($sdk, $mode, $rules, |b| b
            .retry_config($sdk::config::retry::RetryConfig::disabled()))
    };
}

/// Rules per client; a client without rules panics if it is called at all.
#[derive(Default)]
pub(super) struct Mocks {
    pub iam: Vec<Rule>,
    pub connect: Vec<Rule>,
    pub connect_sts: Vec<Rule>,
    pub sso_admin: Vec<Rule>,
    pub identity_store: Vec<Rule>,
    pub identity_sts: Vec<Rule>,
}

pub(super) const CONNECT_PROFILE: &str = "connect-admin";
pub(super) const IDENTITY_PROFILE: &str = "idc-admin";

impl Mocks {
    pub fn iam(rules: impl IntoIterator<Item = Rule>) -> Mocks {
        Mocks {
            iam: rules.into_iter().collect(),
            ..Mocks::default()
        }
    }

    pub fn connect(rules: impl IntoIterator<Item = Rule>) -> Mocks {
        Mocks {
            connect: rules.into_iter().collect(),
            ..Mocks::default()
        }
    }

    pub fn sso_admin(rules: impl IntoIterator<Item = Rule>) -> Mocks {
        Mocks {
            sso_admin: rules.into_iter().collect(),
            ..Mocks::default()
        }
    }

    pub fn identity_store(rules: impl IntoIterator<Item = Rule>) -> Mocks {
        Mocks {
            identity_store: rules.into_iter().collect(),
            ..Mocks::default()
        }
    }

    /// Each client answers its requests with its rules in order, each rule once.
    pub fn cloud(&self) -> SdkCloud {
        self.cloud_in(RuleMode::Sequential)
    }

    /// Each client answers every request with the first of its rules that matches it, as
    /// often as asked: for code that sends requests concurrently (doctor, inspect), whose
    /// order is not fixed. A request no rule matches still panics.
    pub fn cloud_any(&self) -> SdkCloud {
        self.cloud_in(RuleMode::MatchAny)
    }

    /// Each client answers in order, every request paced and retried by `limits`.
    pub fn cloud_with(&self, limits: Limits) -> SdkCloud {
        self.clients_in(RuleMode::Sequential)
            .with_limits(std::sync::Arc::new(limits))
    }

    /// Unpaced and without retries, so one rule answers one call: the tests of what each
    /// answer maps to. Pacing and retries have tests of their own (`limits`).
    fn cloud_in(&self, mode: RuleMode) -> SdkCloud {
        self.clients_in(mode)
            .with_limits(std::sync::Arc::new(Limits::unpaced().with_backoff(
                Backoff {
                    attempts: 1,
                    ..Backoff::default()
                },
            )))
    }

    fn clients_in(&self, mode: RuleMode) -> SdkCloud {
        SdkCloud::from_clients(
            SdkClients {
                iam: client!(aws_sdk_iam, mode, &self.iam),
                connect: client!(aws_sdk_connect, mode, &self.connect),
                connect_sts: client!(aws_sdk_sts, mode, &self.connect_sts),
                sso_admin: client!(aws_sdk_ssoadmin, mode, &self.sso_admin),
                identity_store: client!(aws_sdk_identitystore, mode, &self.identity_store),
                identity_sts: client!(aws_sdk_sts, mode, &self.identity_sts),
            },
            Profiles {
                connect: Some(CONNECT_PROFILE.to_string()),
                identity: Some(IDENTITY_PROFILE.to_string()),
            },
        )
    }
}

/// Error metadata as the SDK's deserializers fill it from a real error response.
pub(super) fn meta(code: &str, message: &str) -> ErrorMetadata {
    ErrorMetadata::builder().code(code).message(message).build()
}

/// Asserts an access-denied error names the action and the context to grant it in.
pub(super) fn assert_access_denied(err: &CloudError, action: &str, context: Context) {
    match err {
        CloudError::AccessDenied {
            context: got_context,
            action: got_action,
            profile,
            ..
        } => {
            assert_eq!(got_action, action);
            assert_eq!(*got_context, context);
            let expected_profile = match context {
                Context::Connect => CONNECT_PROFILE,
                Context::Identity => IDENTITY_PROFILE,
            };
            assert_eq!(profile.as_deref(), Some(expected_profile));
        }
        other => panic!("expected AccessDenied, got {other:?}"),
    }
    let text = err.to_string();
    assert!(text.contains(action), "{text}");
    assert!(
        text.contains(&format!("{} context", context.label())),
        "{text}"
    );
}

/// Asserts the error's message names the action.
pub(super) fn assert_names(err: &CloudError, action: &str) {
    let text = err.to_string();
    assert!(text.contains(action), "{text}");
}
