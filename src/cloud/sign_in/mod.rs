//! The sign-in test: would AWS sign this person in with this SAMLResponse? The inspector's
//! checks run first; then, for each pair of the Role attribute (or the one chosen), STS
//! `AssumeRoleWithSAML` (900 seconds, the shortest session) and, with the temporary
//! credentials it gives, Connect `GetFederationToken` for the instance: the two calls the
//! browser's sign-in makes. Each refusal is mapped to its troubleshooting entry and a fix.
//!
//! Secrets: the temporary credentials live only inside one attempt and are dropped (and
//! zeroed) before the next; of the federation token only the user and the host of the
//! sign-in URL are kept. Nothing here prints, logs or saves them.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;
use time::OffsetDateTime;

mod fixes;

use super::inspect::{InspectReport, find_connect_user, inspect};
use super::{Cloud, CloudError};
use crate::domain::assertion::{AssertionError, Decoded, RolePair};
use crate::domain::metadata::SigningCertificate;
use crate::domain::setup::{ROLE_ATTRIBUTE, Setup};
use fixes::{certificate_cause, connect_fix, has, onboard_fix, sts_fix};

/// The session length asked for: the shortest STS allows, since the session is only a test.
pub const DURATION_SECONDS: i32 = 900;

/// How to capture a response AWS will still accept.
pub const CAPTURE_FRESH: &str = "Capture a fresh response: open the browser's developer tools \
     on the Network tab (tick \"Preserve log\"), sign in from the AWS access portal and choose \
     the Connect application, open the POST request to https://signin.aws.amazon.com/saml (or \
     your region's sign-in URL, e.g. https://eu-west-2.signin.aws.amazon.com/saml), copy the \
     SAMLResponse value from its form data (Payload tab) and run the test at once: a response \
     is valid for 5 minutes after Identity Center issues it";

/// Which of the two calls answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// `sts:AssumeRoleWithSAML`.
    AssumeRole,
    /// `connect:GetFederationToken`.
    FederationToken,
}

impl Step {
    pub fn action(self) -> &'static str {
        match self {
            Step::AssumeRole => "sts:AssumeRoleWithSAML",
            Step::FederationToken => "connect:GetFederationToken",
        }
    }
}

/// AWS's verdict on one Role pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Outcome {
    /// Both calls succeeded: Connect would open for this user.
    SignedIn {
        /// The Connect user name (the session name STS accepted).
        connect_user: String,
        connect_user_id: String,
        connect_user_arn: String,
        /// The host of the sign-in URL Connect returned.
        sign_in_host: Option<String>,
        /// The session STS opened (no secret in it).
        assumed_role_arn: String,
    },
    /// AWS refused: its code and message, the troubleshooting entry and the fix.
    Refused {
        step: Step,
        code: String,
        message: String,
        trouble: Option<&'static str>,
        fix: String,
    },
    /// AWS could not be asked (network, throttling, the tool's own credentials): no verdict.
    NotAnswered { step: Step, error: String },
}

/// One Role pair and what AWS answered for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attempt {
    pub role_arn: String,
    pub provider_arn: String,
    pub outcome: Outcome,
}

impl Attempt {
    pub fn signed_in(&self) -> bool {
        matches!(self.outcome, Outcome::SignedIn { .. })
    }
}

/// The inspector's findings and AWS's verdict on each pair tested.
#[derive(Debug, Clone, Serialize)]
pub struct SignInReport {
    pub inspection: InspectReport,
    pub attempts: Vec<Attempt>,
    /// Every pair tested signed in (and there was one to test).
    pub signed_in: bool,
}

/// Why the test cannot run at all: the input, not AWS.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignInError {
    #[error(transparent)]
    Assertion(#[from] AssertionError),
    #[error(
        "--role {chosen}: the Role attribute of this response has no pair with that role ({}). Give one of its roles, or leave --role out to test every pair",
        if found.is_empty() { "it holds no role,provider pair at all".to_string() } else { format!("its roles: {}", found.join(", ")) }
    )]
    RoleNotInResponse { chosen: String, found: Vec<String> },
}

/// Runs the inspector, then asks AWS for each Role pair (or only `role`'s).
pub async fn sign_in_test(
    cloud: &dyn Cloud,
    setup: &Setup,
    decoded: &Decoded,
    supplied_metadata: Option<&str>,
    role: Option<&str>,
    now: OffsetDateTime,
) -> Result<SignInReport, SignInError> {
    let inspection = inspect(Some(cloud), setup, decoded, supplied_metadata, now).await?;
    let pairs: Vec<RolePair> = inspection
        .response
        .attribute_values(ROLE_ATTRIBUTE)
        .iter()
        .filter_map(|v| RolePair::parse(v).ok())
        .collect();
    let pairs: Vec<RolePair> = match role {
        None => pairs,
        Some(chosen) => {
            let found: Vec<String> = pairs.iter().map(|p| p.role.clone()).collect();
            let kept: Vec<RolePair> = pairs.into_iter().filter(|p| p.role == chosen).collect();
            if kept.is_empty() {
                return Err(SignInError::RoleNotInResponse {
                    chosen: chosen.to_string(),
                    found,
                });
            }
            kept
        }
    };
    // The XML exactly as decoded: its bytes are what the signature covers.
    let assertion = STANDARD.encode(decoded.xml.as_bytes());
    let recipient = inspection
        .response
        .assertion
        .as_ref()
        .and_then(|a| {
            a.subject_confirmations
                .iter()
                .find_map(|c| c.recipient.clone())
        })
        .or_else(|| inspection.response.destination.clone());
    // The certificate that signed the assertion, as its KeyInfo carries it.
    let signing = inspection.response.assertion.as_ref().and_then(|a| {
        a.covered_by
            .iter()
            .filter_map(|i| inspection.response.signatures.get(*i))
            .find_map(|s| s.signing_certificate())
    });
    let context = Context {
        setup,
        recipient: recipient.as_deref(),
        session_name: inspection.response.role_session_name(),
        signing,
        now,
        cause: None,
    };
    let mut attempts = Vec::new();
    for pair in &pairs {
        let earlier_success = attempts.iter().any(Attempt::signed_in);
        let outcome = attempt(cloud, &context, pair, &assertion, earlier_success).await;
        attempts.push(Attempt {
            role_arn: pair.role.clone(),
            provider_arn: pair.provider.clone(),
            outcome,
        });
    }
    let signed_in = !attempts.is_empty() && attempts.iter().all(Attempt::signed_in);
    Ok(SignInReport {
        inspection,
        attempts,
        signed_in,
    })
}

/// What the fixes quote.
#[derive(Clone, Copy)]
struct Context<'a> {
    setup: &'a Setup,
    recipient: Option<&'a str>,
    session_name: Option<&'a str>,
    /// The certificate the response was signed with.
    signing: Option<&'a SigningCertificate>,
    now: OffsetDateTime,
    /// What a further look found behind the refusal: the fix to give instead.
    cause: Option<&'a str>,
}

async fn attempt(
    cloud: &dyn Cloud,
    context: &Context<'_>,
    pair: &RolePair,
    assertion: &str,
    earlier_success: bool,
) -> Outcome {
    let credentials = match cloud
        .assume_role_with_saml(&pair.role, &pair.provider, assertion, DURATION_SECONDS)
        .await
    {
        Ok(c) => c,
        Err(e) => {
            let cause = match &e {
                CloudError::SignInRefused { message, .. } if has(message, "signature") => {
                    certificate_cause(cloud, context, pair).await
                }
                _ => None,
            };
            let context = Context {
                cause: cause.as_deref(),
                ..*context
            };
            return outcome_of_error(Step::AssumeRole, e, &context, pair, earlier_success);
        }
    };
    let instance_id = context.setup.instance.id.as_str();
    let token = cloud.get_federation_token(instance_id, &credentials).await;
    let connect_user = credentials
        .session_name()
        .or(context.session_name)
        .unwrap_or_default()
        .to_string();
    let assumed_role_arn = credentials.assumed_role_arn.clone();
    // The session's secrets end here, whatever Connect answered.
    drop(credentials);
    // A user named so in other letter case is the likelier cause of a user not found.
    let near_miss = match &token {
        Err(CloudError::SignInRefused { code, .. }) if code == "UserNotFound" => {
            find_connect_user(cloud, instance_id, Some(&connect_user))
                .await
                .and_then(|(_, near)| near)
                .map(|u| onboard_fix(&connect_user, instance_id, Some(&u.username)))
        }
        _ => None,
    };
    let context = Context {
        session_name: Some(connect_user.as_str()),
        cause: near_miss.as_deref(),
        ..*context
    };
    match token {
        Ok(token) => Outcome::SignedIn {
            connect_user,
            connect_user_id: token.user_id,
            connect_user_arn: token.user_arn,
            sign_in_host: token.sign_in_host,
            assumed_role_arn,
        },
        Err(e) => outcome_of_error(Step::FederationToken, e, &context, pair, false),
    }
}

fn outcome_of_error(
    step: Step,
    err: CloudError,
    context: &Context<'_>,
    pair: &RolePair,
    earlier_success: bool,
) -> Outcome {
    match err {
        CloudError::SignInRefused { code, message, .. } => {
            let (trouble, fix) = match step {
                Step::AssumeRole => sts_fix(&code, &message, context, pair, earlier_success),
                Step::FederationToken => connect_fix(&code, &message, context),
            };
            Outcome::Refused {
                step,
                code,
                message,
                trouble,
                fix,
            }
        }
        other => Outcome::NotAnswered {
            step,
            error: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests;
