//! The `Cloud` port on the AWS SDK for Rust, with two contexts: IAM, STS and Connect run in
//! the connect context; IAM Identity Center (sso-admin), its identity store and STS in the
//! identity context. Every trait method is one AWS operation (all pages for listings).
//!
//! One file per service: [`sts`], [`identity_center`] (sso-admin and the identity store),
//! [`connect`] and [`iam`]; [`convert`] turns the SDK's shapes into the port's and [`error`]
//! maps the SDK's errors. This file holds the clients, loading both contexts, and the
//! helpers every service shares.

mod connect;
mod convert;
mod error;
mod iam;
mod identity_center;
mod sts;
#[cfg(test)]
mod tests;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};

use crate::cloud::limits::{Limits, MaxRps};
use crate::cloud::{CloudError, CloudResult, Context};
use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};
pub(crate) use error::map_error;
use error::{Call, is_throttling};

/// Every page of a paginated operation, each page one request paced and retried by
/// [`SdkCloud::send`]: `all_pages!(self, call, request, |page| { ... })` runs the block for
/// each page's output, sending the request again with the page's `next_token` until AWS
/// sends none (or the same one again). IAM names its token `marker`:
/// `all_pages!(self, call, request, set_marker, marker, |page| { ... })`. Errors are mapped
/// and returned with `?`.
macro_rules! all_pages {
    ($cloud:expr, $call:expr, $request:expr, |$page:ident| $body:block) => {
        all_pages!($cloud, $call, $request, set_next_token, next_token, |$page| $body)
    };
    ($cloud:expr, $call:expr, $request:expr, $set:ident, $get:ident, |$page:ident| $body:block) => {{
        let request = $request;
        let mut token: Option<String> = None;
        loop {
            let req = request.clone().$set(token.clone());
            let $page = $cloud
                .send($call.action, || req.clone().send())
                .await
                .map_err(|e| map_error(e, &$call))?;
            $body
            match $page.$get() {
                Some(t) if !t.is_empty() && Some(t) != token.as_deref() => {
                    token = Some(t.to_string())
                }
                _ => break,
            }
        }
    }};
}
pub(crate) use all_pages;

/// The profile and region of one context, as given on the command line or in the answers,
/// and the request rates to keep (`--max-rps`; the connect context's are used for both).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContextSettings {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub max_rps: MaxRps,
}

/// The profile names to quote in error messages (`aws sso login --profile NAME`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profiles {
    pub connect: Option<String>,
    pub identity: Option<String>,
}

/// One client per service and context.
#[derive(Debug, Clone)]
pub struct SdkClients {
    pub iam: aws_sdk_iam::Client,
    pub connect: aws_sdk_connect::Client,
    pub connect_sts: aws_sdk_sts::Client,
    pub sso_admin: aws_sdk_ssoadmin::Client,
    pub identity_store: aws_sdk_identitystore::Client,
    pub identity_sts: aws_sdk_sts::Client,
}

impl SdkClients {
    pub fn from_configs(connect: &SdkConfig, identity: &SdkConfig) -> SdkClients {
        let mut iam = aws_sdk_iam::config::Builder::from(connect);
        // IAM is global: the region only picks the partition and the signing region, so
        // without one IAM still works in the commercial partition.
        if connect.region().is_none() {
            iam = iam.region(Region::from_static("us-east-1"));
        }
        SdkClients {
            iam: aws_sdk_iam::Client::from_conf(iam.build()),
            connect: aws_sdk_connect::Client::new(connect),
            connect_sts: aws_sdk_sts::Client::new(connect),
            sso_admin: aws_sdk_ssoadmin::Client::new(identity),
            identity_store: aws_sdk_identitystore::Client::new(identity),
            identity_sts: aws_sdk_sts::Client::new(identity),
        }
    }
}

/// Connect timeout, per-attempt timeout and whole-operation timeout (all retries): without
/// a network every call fails within half a minute instead of hanging.
pub fn timeout_config() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(3))
        .operation_attempt_timeout(Duration::from_secs(10))
        .operation_timeout(Duration::from_secs(30))
        .build()
}

/// Attempts per operation: `AWS_MAX_ATTEMPTS` when it is a positive integer, else 3.
/// Read here rather than by aws-config, which panics on an invalid value.
pub fn max_attempts(env_value: Option<&str>) -> u32 {
    env_value
        .and_then(|v| v.trim().parse::<u32>().ok())
        .filter(|n| *n >= 1)
        .unwrap_or(3)
}

/// The shared config of one context: the default chain (environment, profiles including
/// SSO profiles, web identity, `AWS_ENDPOINT_URL*`) with this tool's timeouts and retries.
pub async fn load_config(settings: &ContextSettings) -> SdkConfig {
    let attempts = max_attempts(std::env::var("AWS_MAX_ATTEMPTS").ok().as_deref());
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .timeout_config(timeout_config())
        .retry_config(RetryConfig::standard().with_max_attempts(attempts));
    if let Some(profile) = &settings.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &settings.region {
        loader = loader.region(Region::new(region.clone()));
    }
    loader.load().await
}

/// The `Cloud` port on real AWS.
#[derive(Debug, Clone)]
pub struct SdkCloud {
    clients: SdkClients,
    profiles: Profiles,
    /// The pacer and backoff every request goes through.
    limits: Arc<Limits>,
}

impl SdkCloud {
    /// Loads both contexts; the identity context takes the connect context's profile and
    /// region for whichever it does not set itself.
    pub async fn load(connect: &ContextSettings, identity: &ContextSettings) -> SdkCloud {
        let identity = ContextSettings {
            profile: identity.profile.clone().or_else(|| connect.profile.clone()),
            region: identity.region.clone().or_else(|| connect.region.clone()),
            max_rps: connect.max_rps.clone(),
        };
        let connect_config = load_config(connect).await;
        // One config for both when they are the same, so credentials load (and an SSO
        // token is read) once.
        let identity_config = if &identity == connect {
            connect_config.clone()
        } else {
            load_config(&identity).await
        };
        // Name the profile the default chain uses, so credential errors can say which one
        // to log in with.
        let env_profile = std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty());
        let profiles = Profiles {
            connect: connect.profile.clone().or_else(|| env_profile.clone()),
            identity: identity.profile.clone().or(env_profile),
        };
        SdkCloud::from_configs(connect_config, identity_config, profiles)
            .with_limits(Arc::new(Limits::new(&connect.max_rps)))
    }

    pub fn from_configs(connect: SdkConfig, identity: SdkConfig, profiles: Profiles) -> SdkCloud {
        SdkCloud::from_clients(SdkClients::from_configs(&connect, &identity), profiles)
    }

    /// With AWS's default quotas kept ([`Limits::default`]).
    pub fn from_clients(clients: SdkClients, profiles: Profiles) -> SdkCloud {
        SdkCloud {
            clients,
            profiles,
            limits: Arc::new(Limits::default()),
        }
    }

    /// The pacer and backoff to send every request through (shared with whoever else
    /// holds it).
    pub fn with_limits(mut self, limits: Arc<Limits>) -> SdkCloud {
        self.limits = limits;
        self
    }

    pub fn limits(&self) -> &Arc<Limits> {
        &self.limits
    }

    /// One request for `action`: paced by its service's quota, and sent again after a
    /// backoff while AWS answers with throttling (see [`Limits::send`]).
    async fn send<O, E, F, Fut>(&self, action: &str, request: F) -> Result<O, SdkError<E>>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<O, SdkError<E>>>,
        E: ProvideErrorMetadata,
    {
        self.limits.send(action, request, is_throttling).await
    }

    pub fn clients(&self) -> &SdkClients {
        &self.clients
    }

    fn call(&self, context: Context, action: &'static str, what: impl Into<String>) -> Call<'_> {
        let profile = match context {
            Context::Connect => self.profiles.connect.as_deref(),
            Context::Identity => self.profiles.identity.as_deref(),
        };
        Call {
            context,
            profile,
            action,
            what: what.into(),
        }
    }

    fn identity(&self, action: &'static str, what: impl Into<String>) -> Call<'_> {
        self.call(Context::Identity, action, what)
    }

    fn connect(&self, action: &'static str, what: impl Into<String>) -> Call<'_> {
        self.call(Context::Connect, action, what)
    }
}

/// A request this tool could not even build (e.g. a required field left empty).
fn invalid(call: &Call<'_>, err: impl std::fmt::Display) -> CloudError {
    CloudError::Invalid {
        action: call.action.to_string(),
        message: err.to_string(),
    }
}

/// A field AWS documents as always present but did not send.
fn required(call: &Call<'_>, value: Option<&str>, field: &str) -> CloudResult<String> {
    value
        .map(str::to_string)
        .ok_or_else(|| CloudError::Service {
            action: call.action.to_string(),
            code: "IncompleteResponse".to_string(),
            message: format!("the response has no {field}"),
        })
}

#[cfg(test)]
mod config_tests {
    use super::*;
    use crate::cloud::Sts;

    #[test]
    fn max_attempts_defaults_to_three() {
        assert_eq!(max_attempts(None), 3);
        assert_eq!(max_attempts(Some("")), 3);
        assert_eq!(max_attempts(Some("zero")), 3);
        assert_eq!(max_attempts(Some("0")), 3);
        assert_eq!(max_attempts(Some("-2")), 3);
    }

    #[test]
    fn max_attempts_honours_the_environment() {
        assert_eq!(max_attempts(Some("1")), 1);
        assert_eq!(max_attempts(Some(" 5 ")), 5);
    }

    #[test]
    fn timeouts_are_bounded() {
        let t = timeout_config();
        assert_eq!(t.connect_timeout(), Some(Duration::from_secs(3)));
        assert_eq!(t.operation_attempt_timeout(), Some(Duration::from_secs(10)));
        assert_eq!(t.operation_timeout(), Some(Duration::from_secs(30)));
    }

    #[tokio::test]
    async fn identity_falls_back_to_the_connect_settings() {
        let connect = ContextSettings {
            profile: None,
            region: Some("eu-west-2".to_string()),
            ..ContextSettings::default()
        };
        let identity = ContextSettings {
            profile: None,
            region: Some("us-east-1".to_string()),
            ..ContextSettings::default()
        };
        let cloud = SdkCloud::load(&connect, &identity).await;
        let connect_region = cloud
            .clients
            .connect
            .config()
            .region()
            .map(|r| r.to_string());
        let identity_region = cloud
            .clients
            .sso_admin
            .config()
            .region()
            .map(|r| r.to_string());
        assert_eq!(connect_region.as_deref(), Some("eu-west-2"));
        assert_eq!(identity_region.as_deref(), Some("us-east-1"));
        assert_eq!(
            cloud
                .clients
                .iam
                .config()
                .region()
                .map(|r| r.to_string())
                .as_deref(),
            Some("eu-west-2")
        );

        let same = SdkCloud::load(&connect, &ContextSettings::default()).await;
        assert_eq!(
            same.clients
                .identity_store
                .config()
                .region()
                .map(|r| r.to_string())
                .as_deref(),
            Some("eu-west-2")
        );
        let timeouts = same.clients.connect.config().timeout_config().cloned();
        assert_eq!(
            timeouts.and_then(|t| t.operation_timeout()),
            Some(Duration::from_secs(30))
        );
    }

    #[tokio::test]
    async fn an_unreachable_endpoint_is_a_network_error_not_a_hang() {
        use aws_sdk_iam::config::{Credentials, SharedCredentialsProvider};
        // Port 1 on loopback: nothing listens, the connection is refused at once.
        let config = SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url("http://127.0.0.1:1")
            .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                "testing", "testing", None, None, "test",
            )))
            .retry_config(RetryConfig::standard().with_max_attempts(1))
            .timeout_config(timeout_config())
            .build();
        let cloud = SdkCloud::from_configs(config.clone(), config, Profiles::default());
        let err = cloud
            .caller_identity(Context::Connect)
            .await
            .expect_err("nothing listens");
        assert!(
            matches!(&err, CloudError::Network { action, .. } if action == "sts:GetCallerIdentity"),
            "{err:?}"
        );
        assert!(err.to_string().contains("Check the network connection"));
    }

    #[test]
    fn iam_without_a_region_signs_for_the_commercial_partition() {
        let config = SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .build();
        let clients = SdkClients::from_configs(&config, &config);
        assert_eq!(
            clients
                .iam
                .config()
                .region()
                .map(|r| r.to_string())
                .as_deref(),
            Some("us-east-1")
        );
    }
}
