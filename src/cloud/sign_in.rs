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

use super::inspect::{InspectReport, find_connect_user, inspect};
use super::{Cloud, CloudError};
use crate::domain::assertion::{AssertionError, Decoded, RolePair};
use crate::domain::metadata::{self, CertValidity, SigningCertificate};
use crate::domain::setup::{ROLE_ATTRIBUTE, Setup};

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

fn has(message: &str, words: &str) -> bool {
    message.to_ascii_lowercase().contains(words)
}

/// The troubleshooting entry and the fix for an STS refusal.
fn sts_fix(
    code: &str,
    message: &str,
    context: &Context<'_>,
    pair: &RolePair,
    earlier_success: bool,
) -> (Option<&'static str>, String) {
    let setup = context.setup;
    let used = has(message, "already") || has(message, "replay") || has(message, "used");
    if code == "ExpiredToken" || (code == "InvalidIdentityToken" && used) {
        let why = if earlier_success {
            "STS took this response for an earlier pair of this test; a response is accepted \
             once, so test this pair with a fresh one and --role"
                .to_string()
        } else if used {
            "AWS has already used this response (the browser posted it when it was captured). \
             To keep the browser from using it first, block the sign-in URL in the developer \
             tools (Network › Block request URL) before choosing the application"
                .to_string()
        } else {
            "The response has expired".to_string()
        };
        return (Some("session-expired"), format!("{why}. {CAPTURE_FRESH}"));
    }
    if code == "AccessDenied" && pair.spaced {
        return (
            Some("invalid-saml-response"),
            format!(
                "The Role attribute has a space around its comma or its ARNs, and AWS takes no \
                 role from it. In the application's Attribute mappings in Identity Center \
                 (step 10), set https://aws.amazon.com/SAML/Attributes/Role to exactly {} (no \
                 space), then capture a fresh response",
                setup.role_attribute()
            ),
        );
    }
    if code == "AccessDenied"
        && let Some(recipient) = context.recipient
        && !setup.acs_urls().iter().any(|u| u == recipient)
    {
        return (
            Some("wrong-acs-url"),
            format!(
                "Identity Center posted the response to {recipient}, while the role's trust \
                 policy allows SAML:aud {}. Set the application's Application ACS URL in \
                 Identity Center to {} (steps 3-5), or, to keep {recipient}, set the sign-in \
                 endpoint answer to match and run `connect-sso apply` so the role trusts it \
                 (step 6c); then capture a fresh response",
                setup.acs_urls().join(", "),
                setup.acs_url()
            ),
        );
    }
    if code == "AccessDenied" && has(message, "trust policy") && has(message, "does not let") {
        return (
            Some("not-authorized-assume-role"),
            format!(
                "The trust policy of the role {} does not let the SAML provider {} assume it \
                 (it names another provider, or denies it). Run `connect-sso apply` to restore \
                 the generated trust policy (step 6c), then capture a fresh response",
                pair.role, pair.provider
            ),
        );
    }
    if code == "AccessDenied" {
        let fix = format!(
            "STS will not let this response take the role {}. Check that the role exists in \
             account {}, that its trust policy lets the SAML provider {} call \
             sts:AssumeRoleWithSAML, and that the Role attribute names both exactly: run \
             `connect-sso apply` to restore the role and its trust policy (step 6c), and \
             compare the Role attribute in Identity Center (step 10) with {}",
            pair.role,
            pair.role.split(':').nth(4).unwrap_or_default(),
            pair.provider,
            setup.role_attribute(),
        );
        return (Some("not-authorized-assume-role"), fix);
    }
    if has(message, "rolesessionname") {
        return (
            Some("invalid-saml-response"),
            format!(
                "The RoleSessionName attribute is missing or is not 2 to 64 letters, digits \
                 and _+=,.@- ({}). In the application's Attribute mappings in Identity Center \
                 (step 10), map https://aws.amazon.com/SAML/Attributes/RoleSessionName to \
                 ${{user:email}} (format unspecified), and give the person an email AWS \
                 accepts",
                match context.session_name {
                    Some(name) => format!("this response sends \"{name}\""),
                    None => "this response sends none".to_string(),
                }
            ),
        );
    }
    if has(message, "issuer not present") {
        return (
            Some("certificate"),
            format!(
                "The IAM SAML provider {} holds the metadata of another Identity Center \
                 application (or instance), so the response's Issuer is not its entity ID. \
                 Download the metadata from this application (step 2) and run `connect-sso \
                 apply --metadata FILE` to put it in the provider",
                pair.provider
            ),
        );
    }
    if has(message, "signature") {
        if let Some(cause) = context.cause {
            return (Some("certificate"), cause.to_string());
        }
        return (
            Some("certificate"),
            format!(
                "The signature does not verify with a certificate of the IAM SAML provider \
                 {}: Identity Center signs with a certificate the provider does not hold \
                 (rotated or expired), or the response was changed after it was captured. \
                 Download the metadata from the application again (step 2) and run \
                 `connect-sso apply --metadata FILE`; then capture a fresh, unedited response",
                pair.provider
            ),
        );
    }
    if has(message, "audience") {
        return (
            Some("wrong-acs-url"),
            format!(
                "The response does not name the audience AWS requires. Set the application's \
                 Application SAML audience in Identity Center to {} and its Application ACS \
                 URL to {} (steps 3-5), then capture a fresh response",
                setup.audience(),
                setup.acs_url()
            ),
        );
    }
    let name_of = |arn: &str| arn.rsplit('/').next().unwrap_or_default().to_string();
    if has(message, "provider")
        && (has(message, "exist") || has(message, "not found"))
        && name_of(&pair.role) == setup.provider_name.as_str()
        && name_of(&pair.provider) == setup.role_name.as_str()
    {
        return (
            Some("not-authorized-assume-role"),
            format!(
                "The Role attribute has the two names swapped: its role is named {} (the SAML \
                 provider's name) and its provider {} (the role's name), so neither exists. \
                 The order of the two ARNs does not matter to AWS, their names do: set the \
                 Role attribute in Identity Center (step 10) to {}, then capture a fresh \
                 response",
                name_of(&pair.role),
                name_of(&pair.provider),
                setup.role_attribute()
            ),
        );
    }
    if has(message, "provider") && (has(message, "exist") || has(message, "not found")) {
        return (
            Some("not-authorized-assume-role"),
            format!(
                "The SAML provider {} of the Role attribute does not exist. If it is this \
                 setup's ({}), step 6a is not done: run `connect-sso apply --metadata FILE`; \
                 otherwise correct the Role attribute in Identity Center (step 10) to {}",
                pair.provider,
                setup.provider_arn(),
                setup.role_attribute()
            ),
        );
    }
    if code == "RegionDisabled" {
        return (
            None,
            "STS is not activated in the connect context's region: activate it (IAM console › \
             Account settings › Security Token Service endpoints), or give another --region"
                .to_string(),
        );
    }
    (
        Some("invalid-saml-response"),
        "AWS cannot use this response. Run `connect-sso inspect-assertion` on it: the failures \
         it lists say which part of the response is wrong; copy the attribute mappings of step \
         10 from connect-sso again, then capture a fresh response"
            .to_string(),
    )
}

/// The troubleshooting entry and the fix for a Connect refusal.
fn connect_fix(code: &str, message: &str, context: &Context<'_>) -> (Option<&'static str>, String) {
    let setup = context.setup;
    let instance = setup.instance.id.as_str();
    let name = context.session_name.unwrap_or("(the RoleSessionName)");
    match code {
        "UserNotFound" | "ResourceNotFound" if code == "UserNotFound" || has(message, "user") => (
            Some("not-onboarded"),
            context
                .cause
                .map_or_else(|| onboard_fix(name, instance, None), str::to_string),
        ),
        "ResourceNotFound" => (
            None,
            format!(
                "Connect has no instance {instance} in the connect context's account and \
                 region. Check the instance ARN of the answers and the --region of the \
                 connect context"
            ),
        ),
        "AccessDenied" | "Unauthorized" => (
            Some("federation-token-denied"),
            format!(
                "The role may not call connect:GetFederationToken on instance {instance}. Run \
                 `connect-sso apply` to restore the policy {} (step 6b) and attach it to the \
                 role {}; if doctor passes and this persists, look for a permissions boundary \
                 on the role or an SCP on the account",
                setup.policy_arn(),
                setup.role_name.as_str()
            ),
        ),
        "InvalidRequest" | "InvalidParameter" if has(message, "saml") => (
            Some("instance-not-saml"),
            format!(
                "Instance {instance} does not use SAML 2.0-based authentication, which cannot \
                 be switched on later: create an instance with SAML authentication and set up \
                 single sign-on for that one"
            ),
        ),
        _ => (
            None,
            format!(
                "Connect refused the session for instance {instance}. Run `connect-sso doctor` \
                 to check the instance, the policy and the user, then test again with a fresh \
                 response"
            ),
        ),
    }
}

/// `near`: a Connect user whose name differs from `name` only in letter case.
fn onboard_fix(name: &str, instance: &str, near: Option<&str>) -> String {
    let near = near
        .map(|n| {
            format!(
                " Its user {n} differs only in letter case, and Connect compares user names \
                 case-sensitively, so it is not this person's."
            )
        })
        .unwrap_or_default();
    format!(
        "Connect has no user named exactly {name} in instance {instance} (user names are \
         case-sensitive).{near} Create it (Users › Add new users in the Connect console), or \
         run `connect-sso apply --user {name} --create-connect-users`"
    )
}

/// Why STS found no trusted signature, when a closer look can tell: the certificate that
/// signed has expired, or the IAM SAML provider does not hold it (one more read, on this
/// refusal only). The fix to give, or `None` to give the general one.
async fn certificate_cause(
    cloud: &dyn Cloud,
    context: &Context<'_>,
    pair: &RolePair,
) -> Option<String> {
    let signing = context.signing?;
    let signed_by = format!(
        "Identity Center signed this response with its certificate SHA-256 {}",
        signing.sha256_fingerprint
    );
    if signing.validity(context.now) == CertValidity::Expired {
        return Some(format!(
            "{signed_by}, which expired on {}, and AWS accepts no signature made with an expired \
             certificate. In the application's configuration in Identity Center, add a new \
             certificate and make it the active one, download the metadata again (step 2) and \
             run `connect-sso apply --metadata FILE`; then capture a fresh response",
            metadata::format_date(&signing.not_after)
        ));
    }
    let provider = cloud.get_saml_provider(&pair.provider).await.ok()??;
    let held = metadata::parse(provider.metadata_document.as_bytes()).ok()?;
    if held.certificates.iter().any(|c| c.der == signing.der) {
        return None;
    }
    let holds = held
        .certificates
        .iter()
        .map(|c| c.sha256_fingerprint.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    Some(format!(
        "{signed_by}, which the IAM SAML provider {} does not hold (it holds {holds}): the \
         certificate was rotated in Identity Center and the new one never reached IAM. \
         Download the metadata from the application again (step 2) and run `connect-sso apply \
         --metadata FILE` so the provider holds it; then capture a fresh response",
        pair.provider
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::api::*;
    use crate::cloud::apply::{UserRequest, apply};
    use crate::cloud::sandbox::{SANDBOX_EXISTING_CONNECT_USERNAME, SANDBOX_INSTANCE_ARN, Sandbox};
    use crate::domain::assertion::testkit::{self, Sign, Spec, idc_key, other_key};
    use crate::domain::assertion::{self, InputKind};
    use crate::domain::setup::{Answers, ROLE_SESSION_NAME_ATTRIBUTE};
    use time::Duration;

    fn setup() -> Setup {
        Setup::from_answers(&Answers {
            instance_arn: Some(SANDBOX_INSTANCE_ARN.into()),
            ..Answers::default()
        })
        .unwrap()
    }

    fn now() -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }

    async fn applied() -> Sandbox {
        let cloud = Sandbox::new();
        let md = testkit::metadata(&idc_key().cert_der, testkit::ISSUER);
        apply(&cloud, &setup(), &md, &UserRequest::default(), false)
            .await
            .unwrap();
        cloud
    }

    /// Each with IDs of its own, since STS accepts one once.
    fn spec(user: &str) -> Spec {
        let s = setup();
        Spec::new(
            &s.role_arn(),
            &s.provider_arn(),
            user,
            now() - Duration::minutes(1),
        )
        .unique()
    }

    fn decoded(xml: &str) -> Decoded {
        assertion::decode(testkit::form_body(xml, Some(&setup().relay_state(None))).as_bytes())
            .unwrap()
    }

    fn signed(spec: &Spec) -> Decoded {
        decoded(&testkit::signed(spec, idc_key(), Sign::Assertion))
    }

    async fn run(cloud: &Sandbox, input: &Decoded) -> SignInReport {
        sign_in_test(cloud, &setup(), input, None, None, now())
            .await
            .unwrap()
    }

    fn refused(report: &SignInReport) -> (Step, &str, &str, Option<&'static str>, &str) {
        match &report.attempts[..] {
            [
                Attempt {
                    outcome:
                        Outcome::Refused {
                            step,
                            code,
                            message,
                            trouble,
                            fix,
                        },
                    ..
                },
            ] => (*step, code, message, *trouble, fix),
            other => panic!("expected one refusal, got {other:#?}"),
        }
    }

    #[tokio::test]
    async fn a_good_response_signs_the_person_in() {
        let cloud = applied().await;
        let report = run(&cloud, &signed(&spec(SANDBOX_EXISTING_CONNECT_USERNAME))).await;
        assert!(report.signed_in, "{:#?}", report.attempts);
        match &report.attempts[0].outcome {
            Outcome::SignedIn {
                connect_user,
                sign_in_host,
                assumed_role_arn,
                ..
            } => {
                assert_eq!(connect_user, SANDBOX_EXISTING_CONNECT_USERNAME);
                assert_eq!(
                    sign_in_host.as_deref(),
                    Some("workshop-contact-center.my.connect.aws")
                );
                assert!(
                    assumed_role_arn.ends_with(&format!("/{SANDBOX_EXISTING_CONNECT_USERNAME}"))
                );
            }
            other => panic!("{other:?}"),
        }
        let calls = cloud.calls();
        assert!(
            calls.iter().any(|c| c == "sts:AssumeRoleWithSAML"),
            "{calls:?}"
        );
        assert!(
            calls.iter().any(|c| c == "connect:GetFederationToken"),
            "{calls:?}"
        );
    }

    #[tokio::test]
    async fn a_missing_connect_user_is_not_onboarded() {
        let cloud = applied().await;
        let report = run(&cloud, &signed(&spec("kwame.mensah@example.com"))).await;
        let (step, code, _, trouble, fix) = refused(&report);
        assert_eq!(
            (step, code, trouble),
            (Step::FederationToken, "UserNotFound", Some("not-onboarded"))
        );
        assert!(
            fix.contains("--user kwame.mensah@example.com --create-connect-users"),
            "{fix}"
        );
        assert!(!report.signed_in);
    }

    #[tokio::test]
    async fn an_unsigned_response_or_another_key_is_refused_by_sts() {
        let cloud = applied().await;
        for input in [
            decoded(&testkit::unsigned(&spec(SANDBOX_EXISTING_CONNECT_USERNAME))),
            decoded(&testkit::signed(
                &spec(SANDBOX_EXISTING_CONNECT_USERNAME),
                other_key(),
                Sign::Assertion,
            )),
        ] {
            let report = run(&cloud, &input).await;
            let (step, code, message, trouble, _) = refused(&report);
            assert_eq!(
                (step, code, trouble),
                (
                    Step::AssumeRole,
                    "InvalidIdentityToken",
                    Some("certificate")
                )
            );
            assert_eq!(message, "Response signature invalid");
        }
    }

    #[tokio::test]
    async fn nothing_applied_is_a_missing_provider() {
        let cloud = Sandbox::new();
        let report = run(&cloud, &signed(&spec(SANDBOX_EXISTING_CONNECT_USERNAME))).await;
        let (_, code, _, trouble, fix) = refused(&report);
        assert_eq!(
            (code, trouble),
            ("InvalidIdentityToken", Some("not-authorized-assume-role"))
        );
        assert!(fix.contains("step 6a is not done"), "{fix}");
    }

    #[tokio::test]
    async fn metadata_of_another_application_is_an_issuer_mismatch() {
        let cloud = applied().await;
        let mut other = spec(SANDBOX_EXISTING_CONNECT_USERNAME);
        other.issuer = "https://portal.sso.us-east-1.amazonaws.com/saml/assertion/OTHER".into();
        let report = run(&cloud, &signed(&other)).await;
        let (_, _, message, trouble, fix) = refused(&report);
        assert_eq!(message, "Issuer not present in specified provider");
        assert_eq!(trouble, Some("certificate"));
        assert!(fix.contains("another Identity Center"), "{fix}");
    }

    #[tokio::test]
    async fn a_wrong_recipient_is_not_authorized_with_the_acs_hint() {
        let cloud = applied().await;
        let mut s = spec(SANDBOX_EXISTING_CONNECT_USERNAME);
        s.recipient = Some("https://eu-west-2.signin.aws.amazon.com/saml".into());
        s.destination = s.recipient.clone();
        let report = run(&cloud, &signed(&s)).await;
        let (_, code, message, trouble, fix) = refused(&report);
        assert_eq!((code, trouble), ("AccessDenied", Some("wrong-acs-url")));
        assert!(message.starts_with("Not authorized to perform sts:AssumeRoleWithSAML"));
        assert!(
            fix.contains("posted the response to https://eu-west-2.signin.aws.amazon.com/saml"),
            "{fix}"
        );
        assert!(
            fix.contains("allows SAML:aud https://signin.aws.amazon.com/saml"),
            "{fix}"
        );
    }

    #[tokio::test]
    async fn a_missing_audience_or_session_name_is_an_invalid_token() {
        let cloud = applied().await;
        let mut s = spec(SANDBOX_EXISTING_CONNECT_USERNAME);
        s.audience = "urn:example:other".into();
        let report = run(&cloud, &signed(&s)).await;
        let (_, _, message, trouble, _) = refused(&report);
        assert_eq!(message, "Response does not contain the required audience");
        assert_eq!(trouble, Some("wrong-acs-url"));

        let s =
            spec(SANDBOX_EXISTING_CONNECT_USERNAME).without_attribute(ROLE_SESSION_NAME_ATTRIBUTE);
        let report = run(&cloud, &signed(&s)).await;
        let (_, _, message, trouble, fix) = refused(&report);
        assert_eq!(message, "RoleSessionName is required in AuthnResponse");
        assert_eq!(trouble, Some("invalid-saml-response"));
        assert!(fix.contains("sends none"), "{fix}");

        let s = spec(SANDBOX_EXISTING_CONNECT_USERNAME)
            .attribute(ROLE_SESSION_NAME_ATTRIBUTE, &["maria garcia"]);
        let report = run(&cloud, &signed(&s)).await;
        let (_, _, message, _, fix) = refused(&report);
        assert!(message.contains("must match"), "{message}");
        assert!(fix.contains("\"maria garcia\""), "{fix}");
    }

    #[tokio::test]
    async fn an_expired_response_says_how_to_capture_a_fresh_one() {
        let cloud = applied().await;
        let s = setup();
        let old = Spec::new(
            &s.role_arn(),
            &s.provider_arn(),
            SANDBOX_EXISTING_CONNECT_USERNAME,
            now() - Duration::hours(2),
        );
        let report = run(&cloud, &signed(&old)).await;
        let (_, code, _, trouble, fix) = refused(&report);
        assert_eq!((code, trouble), ("ExpiredToken", Some("session-expired")));
        assert!(fix.contains("developer tools"), "{fix}");
        assert!(fix.contains("signin.aws.amazon.com/saml"), "{fix}");
        assert!(fix.contains("5 minutes"), "{fix}");
    }

    #[tokio::test]
    async fn a_policy_without_get_federation_token_is_denied() {
        let cloud = applied().await;
        let s = setup();
        cloud
            .detach_role_policy(s.role_name.as_str(), &s.policy_arn())
            .await
            .unwrap();
        let report = run(&cloud, &signed(&spec(SANDBOX_EXISTING_CONNECT_USERNAME))).await;
        let (step, code, message, trouble, _) = refused(&report);
        assert_eq!(
            (step, code, trouble),
            (
                Step::FederationToken,
                "AccessDenied",
                Some("federation-token-denied")
            )
        );
        assert!(message.contains("is not authorized to perform: connect:GetFederationToken"));
    }

    #[tokio::test]
    async fn a_trust_policy_for_another_provider_is_not_authorized() {
        let cloud = applied().await;
        let s = setup();
        let other = "arn:aws:iam::111122223333:saml-provider/Other";
        cloud
            .update_assume_role_policy(
                s.role_name.as_str(),
                &crate::domain::policy::trust_policy(other, &s.acs_urls()),
            )
            .await
            .unwrap_err();
        // IAM refuses a trust policy naming a provider that does not exist: create it first.
        let md = testkit::metadata(&idc_key().cert_der, testkit::ISSUER);
        cloud.create_saml_provider("Other", &md, &[]).await.unwrap();
        cloud
            .update_assume_role_policy(
                s.role_name.as_str(),
                &crate::domain::policy::trust_policy(other, &s.acs_urls()),
            )
            .await
            .unwrap();
        let report = run(&cloud, &signed(&spec(SANDBOX_EXISTING_CONNECT_USERNAME))).await;
        let (_, code, message, trouble, _) = refused(&report);
        assert_eq!(
            (code, trouble),
            ("AccessDenied", Some("not-authorized-assume-role"))
        );
        assert!(message.contains("does not let"), "{message}");
    }

    #[tokio::test]
    async fn role_picks_one_pair_and_an_unknown_role_is_bad_input() {
        let cloud = applied().await;
        let s = setup();
        // Each run gets a response of its own: STS accepts one once.
        let two = || {
            signed(&spec(SANDBOX_EXISTING_CONNECT_USERNAME).attribute(
                ROLE_ATTRIBUTE,
                &[
                    &s.role_attribute(),
                    "arn:aws:iam::111122223333:role/Other,arn:aws:iam::111122223333:saml-provider/Other",
                ],
            ))
        };
        let input = two();
        let all = run(&cloud, &input).await;
        assert_eq!(all.attempts.len(), 2);
        assert!(all.attempts[0].signed_in());
        assert!(!all.signed_in, "one pair fails, so the test fails");
        let input = two();
        let one = sign_in_test(&cloud, &s, &input, None, Some(&s.role_arn()), now())
            .await
            .unwrap();
        assert_eq!(one.attempts.len(), 1);
        assert!(one.signed_in);
        let err = sign_in_test(
            &cloud,
            &s,
            &input,
            None,
            Some("arn:aws:iam::111122223333:role/Nope"),
            now(),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(&err, SignInError::RoleNotInResponse { found, .. } if found.len() == 2),
            "{err:?}"
        );
        assert!(err.to_string().contains("leave --role out"));
    }

    #[tokio::test]
    async fn faults_are_not_answered_rather_than_refused() {
        let cloud = applied().await;
        cloud.inject_fault("throttle:sts:AssumeRoleWithSAML".parse().unwrap());
        let report = run(&cloud, &signed(&spec(SANDBOX_EXISTING_CONNECT_USERNAME))).await;
        assert!(
            matches!(&report.attempts[0].outcome, Outcome::NotAnswered { step: Step::AssumeRole, error } if error.contains("throttled")),
            "{:#?}",
            report.attempts
        );
        assert!(!report.signed_in);
    }

    #[tokio::test]
    async fn input_that_is_not_a_response_is_an_error() {
        let cloud = Sandbox::new();
        let input = Decoded {
            xml: "<html/>".into(),
            relay_state: None,
            kind: InputKind::Xml,
        };
        assert!(matches!(
            sign_in_test(&cloud, &setup(), &input, None, None, now()).await,
            Err(SignInError::Assertion(_))
        ));
    }

    #[tokio::test]
    async fn a_replayed_response_is_refused_with_how_to_capture_a_fresh_one() {
        let cloud = applied().await;
        let input = signed(&spec(SANDBOX_EXISTING_CONNECT_USERNAME));
        assert!(run(&cloud, &input).await.signed_in);
        let again = run(&cloud, &input).await;
        let (step, code, message, trouble, fix) = refused(&again);
        assert_eq!(
            (step, code, trouble),
            (
                Step::AssumeRole,
                "InvalidIdentityToken",
                Some("session-expired")
            )
        );
        assert!(message.contains("already used"), "{message}");
        assert!(fix.contains("AWS has already used this response"), "{fix}");
        assert!(fix.contains("Capture a fresh response"), "{fix}");
        assert!(fix.contains("valid for 5 minutes"), "{fix}");
        // A fresh response is accepted.
        assert!(
            run(&cloud, &signed(&spec(SANDBOX_EXISTING_CONNECT_USERNAME)))
                .await
                .signed_in
        );
    }

    #[tokio::test]
    async fn an_expired_or_unknown_signing_certificate_is_named() {
        let cloud = applied().await;
        // The provider's certificate, past its end date: STS trusts it no more.
        let expired =
            idc_key().with_validity(now() - Duration::days(400), now() - Duration::days(1));
        let md = testkit::metadata(&expired.cert_der, testkit::ISSUER);
        cloud
            .update_saml_provider(&setup().provider_arn(), &md)
            .await
            .unwrap();
        let report = run(
            &cloud,
            &decoded(&testkit::signed(
                &spec(SANDBOX_EXISTING_CONNECT_USERNAME),
                &expired,
                Sign::Assertion,
            )),
        )
        .await;
        let (_, code, message, trouble, fix) = refused(&report);
        assert_eq!(
            (code, message, trouble),
            (
                "InvalidIdentityToken",
                "Response signature invalid",
                Some("certificate")
            )
        );
        assert!(fix.contains("which expired on"), "{fix}");
        assert!(fix.contains("add a new certificate"), "{fix}");

        // Signed with a key the provider does not hold: rotated in Identity Center only.
        let report = run(
            &cloud,
            &decoded(&testkit::signed(
                &spec(SANDBOX_EXISTING_CONNECT_USERNAME),
                other_key(),
                Sign::Assertion,
            )),
        )
        .await;
        let (_, _, _, trouble, fix) = refused(&report);
        assert_eq!(trouble, Some("certificate"));
        assert!(fix.contains("does not hold"), "{fix}");
        assert!(fix.contains("rotated in Identity Center"), "{fix}");
        assert!(fix.contains(&other_key_fingerprint()), "{fix}");
    }

    fn other_key_fingerprint() -> String {
        crate::domain::assertion::fingerprint(&other_key().cert_der)
    }

    #[tokio::test]
    async fn a_connect_user_in_other_letter_case_is_named() {
        let cloud = applied().await;
        let report = run(&cloud, &signed(&spec("Maria.Garcia@example.com"))).await;
        let (step, code, _, trouble, fix) = refused(&report);
        assert_eq!(
            (step, code, trouble),
            (Step::FederationToken, "UserNotFound", Some("not-onboarded"))
        );
        assert!(
            fix.contains("Its user maria.garcia@example.com differs only in letter case"),
            "{fix}"
        );
    }

    #[test]
    fn the_report_serializes_without_secrets() {
        let attempt = Attempt {
            role_arn: "r".into(),
            provider_arn: "p".into(),
            outcome: Outcome::Refused {
                step: Step::AssumeRole,
                code: "AccessDenied".into(),
                message: "m".into(),
                trouble: Some("not-authorized-assume-role"),
                fix: "f".into(),
            },
        };
        let json = serde_json::to_value(&attempt).unwrap();
        assert_eq!(json["outcome"]["result"], "refused");
        assert_eq!(json["outcome"]["step"], "assume_role");
    }
}
