//! STS as the sandbox stands in for it: one caller, the same in both contexts; and
//! `AssumeRoleWithSAML`, which evaluates a SAMLResponse as AWS does: the signature against
//! the IAM SAML provider's metadata, the Issuer, the times, the audience, the Role pair, the
//! RoleSessionName, and the role's trust policy with its `SAML:aud`. Like AWS, it accepts an
//! assertion once: its ID is kept (in the saved account too) until the assertion would have
//! expired, and a second use is refused.
//!
//! The temporary credentials it hands out are self-contained, like STS's: the session token
//! carries the session (role, session name, expiry) under an HMAC whose key lives only in
//! this process, so the sandbox's Connect can check them and they are worth nothing
//! anywhere else or later.

use std::sync::OnceLock;

use async_trait::async_trait;
use aws_lc_rs::hmac;
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::Sandbox;
use super::account::{SANDBOX_ACCOUNT, SANDBOX_CALLER_ARN, SANDBOX_CALLER_USER_ID, hex};
use crate::cloud::{CallerIdentity, CloudError, CloudResult, Context, Sts, TemporaryCredentials};
use crate::domain::assertion::{self, CLOCK_SKEW_MINUTES, RolePair, SamlResponse};
use crate::domain::metadata::{self, CertValidity};
use crate::domain::policy::analyze_trust;
use crate::domain::setup::ROLE_ATTRIBUTE;

const ACTION: &str = "sts:AssumeRoleWithSAML";
/// The audiences STS accepts in `AudienceRestriction`, one per partition.
const AWS_AUDIENCES: &[&str] = &[
    "urn:amazon:webservices",
    "urn:amazon:webservices:govcloud",
    "urn:amazon:webservices:cn",
];
/// A role's default `MaxSessionDuration`, which the sandbox's roles keep.
const MAX_SESSION_SECONDS: i32 = 3600;
const NOT_AUTHORIZED: &str = "Not authorized to perform sts:AssumeRoleWithSAML";
const TOKEN_PREFIX: &str = "SBXSESSION";

fn refused(code: &str, message: impl Into<String>) -> CloudError {
    CloudError::SignInRefused {
        action: ACTION.to_string(),
        code: code.to_string(),
        message: message.into(),
    }
}

/// STS's RoleSessionName rule: `[\w+=,.@-]{2,64}`.
pub(super) fn valid_session_name(name: &str) -> bool {
    (2..=64).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c))
}

/// The key the session tokens of this process are signed with.
fn session_key() -> &'static hmac::Key {
    static KEY: OnceLock<hmac::Key> = OnceLock::new();
    KEY.get_or_init(|| {
        hmac::Key::generate(hmac::HMAC_SHA256, &SystemRandom::new())
            .expect("the system random generator works")
    })
}

pub(super) fn random_bytes(n: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; n];
    SystemRandom::new()
        .fill(&mut bytes)
        .expect("the system random generator works");
    bytes
}

/// What a sandbox session token says, once its HMAC holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Session {
    pub access_key_id: String,
    pub role_arn: String,
    pub session_name: String,
    /// Seconds since the Unix epoch.
    pub expires: i64,
}

/// A session token for `session`: its fields, then their HMAC.
fn session_token(session: &Session) -> String {
    let payload = format!(
        "{}\n{}\n{}\n{}",
        session.access_key_id, session.role_arn, session.session_name, session.expires
    );
    let tag = hmac::sign(session_key(), payload.as_bytes());
    format!(
        "{TOKEN_PREFIX}{}.{}",
        URL_SAFE_NO_PAD.encode(payload),
        URL_SAFE_NO_PAD.encode(tag.as_ref())
    )
}

/// Reads a session token of this process; `Err` is `(code, message)` as AWS answers a
/// request signed with credentials it does not know or that have expired.
pub(super) fn read_session(
    credentials: &TemporaryCredentials,
    now: OffsetDateTime,
) -> Result<Session, (&'static str, &'static str)> {
    const INVALID: (&str, &str) = (
        "UnrecognizedClient",
        "The security token included in the request is invalid.",
    );
    let token = credentials
        .session_token()
        .strip_prefix(TOKEN_PREFIX)
        .ok_or(INVALID)?;
    let (payload, tag) = token.split_once('.').ok_or(INVALID)?;
    let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| INVALID)?;
    let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| INVALID)?;
    hmac::verify(session_key(), &payload, &tag).map_err(|_| INVALID)?;
    let text = String::from_utf8(payload).map_err(|_| INVALID)?;
    let fields: Vec<&str> = text.split('\n').collect();
    let [key, role_arn, session_name, expires] = fields.as_slice() else {
        return Err(INVALID);
    };
    if *key != credentials.access_key_id() {
        return Err(INVALID);
    }
    let expires: i64 = expires.parse().map_err(|_| INVALID)?;
    if now.unix_timestamp() >= expires {
        return Err((
            "ExpiredToken",
            "The security token included in the request is expired",
        ));
    }
    Ok(Session {
        access_key_id: key.to_string(),
        role_arn: role_arn.to_string(),
        session_name: session_name.to_string(),
        expires,
    })
}

fn parse_time(value: Option<&str>) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(value?.trim(), &Rfc3339).ok()
}

/// What STS reads from an accepted response.
struct Accepted {
    session_name: String,
    recipient: String,
    subject: Option<String>,
    issuer: Option<String>,
    assertion_id: String,
    /// Seconds since the epoch until which the assertion would be accepted.
    valid_until: i64,
}

/// An assertion STS accepted, refused as a replay until it would have expired anyway.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(super) struct SpentAssertion {
    pub(super) id: String,
    /// Seconds since the epoch.
    pub(super) until: i64,
}

/// The spent assertions still within their validity at `now`.
pub(super) fn unexpired(spent: &mut Vec<SpentAssertion>, now: i64) {
    spent.retain(|s| s.until > now);
}

/// The checks STS makes on the response itself, with the provider's metadata.
fn evaluate_response(
    response: &SamlResponse,
    role_arn: &str,
    principal_arn: &str,
    provider_metadata: &str,
    now: OffsetDateTime,
) -> CloudResult<Accepted> {
    let Some(a) = &response.assertion else {
        return Err(refused(
            "InvalidIdentityToken",
            "The SAML response contains no assertion (an encrypted assertion cannot be read here)",
        ));
    };
    let md = metadata::parse(provider_metadata.as_bytes()).map_err(|e| {
        refused(
            "InvalidIdentityToken",
            format!("Could not parse metadata of the specified provider: {e}"),
        )
    })?;
    let verifying: Vec<_> = md
        .certificates
        .iter()
        .filter(|c| {
            a.covered_by.iter().any(|i| {
                response
                    .signatures
                    .get(*i)
                    .is_some_and(|s| s.digest_ok && s.verifies_with(&c.der))
            })
        })
        .collect();
    // A certificate past its end date vouches for nothing: AWS documents no answer of its
    // own for it, so the sandbox words it as the signature it cannot trust.
    if !verifying
        .iter()
        .any(|c| matches!(c.validity(now), CertValidity::Valid { .. }))
    {
        return Err(refused(
            "InvalidIdentityToken",
            "Response signature invalid",
        ));
    }
    let issuer = a.issuer.as_deref().or(response.issuer.as_deref());
    if issuer.map(str::trim) != Some(md.entity_id.as_str()) {
        return Err(refused(
            "InvalidIdentityToken",
            "Issuer not present in specified provider",
        ));
    }
    if response.status_code.as_deref() != Some(assertion::STATUS_SUCCESS) {
        return Err(refused(
            "InvalidIdentityToken",
            "The SAML response does not report success",
        ));
    }
    let skew = time::Duration::minutes(CLOCK_SKEW_MINUTES);
    let bearer = a
        .subject_confirmations
        .iter()
        .find(|c| c.method.as_deref() == Some(assertion::BEARER));
    let ends = [
        a.not_on_or_after.as_deref(),
        bearer.and_then(|b| b.not_on_or_after.as_deref()),
    ];
    if ends
        .iter()
        .filter_map(|t| parse_time(*t))
        .any(|end| now >= end + skew)
    {
        return Err(refused(
            "ExpiredToken",
            "Token is expired: the SAML response's NotOnOrAfter has passed",
        ));
    }
    if let Some(start) = parse_time(a.not_before.as_deref())
        && now + skew < start
    {
        return Err(refused(
            "InvalidIdentityToken",
            "The SAML response is not valid yet (NotBefore is in the future)",
        ));
    }
    if !a
        .audiences
        .iter()
        .any(|aud| AWS_AUDIENCES.contains(&aud.trim()))
    {
        return Err(refused(
            "InvalidIdentityToken",
            "Response does not contain the required audience",
        ));
    }
    let Some(recipient) = bearer.and_then(|b| b.recipient.clone()) else {
        return Err(refused(
            "InvalidIdentityToken",
            "Response does not contain a bearer SubjectConfirmation with a Recipient",
        ));
    };
    let pairs: Vec<RolePair> = response
        .attribute_values(ROLE_ATTRIBUTE)
        .iter()
        .filter_map(|v| RolePair::parse(v).ok())
        .filter(|p| !p.spaced)
        .collect();
    if !pairs
        .iter()
        .any(|p| p.role == role_arn && p.provider == principal_arn)
    {
        return Err(refused(
            "AccessDenied",
            format!(
                "{NOT_AUTHORIZED}: the Role attribute holds no pair {role_arn},{principal_arn}"
            ),
        ));
    }
    let session_name = match response.role_session_name() {
        None => {
            return Err(refused(
                "InvalidIdentityToken",
                "RoleSessionName is required in AuthnResponse",
            ));
        }
        Some(name) if !valid_session_name(name) => {
            return Err(refused(
                "InvalidIdentityToken",
                "RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}",
            ));
        }
        Some(name) => name.to_string(),
    };
    let Some(assertion_id) = a.id.clone().filter(|id| !id.trim().is_empty()) else {
        return Err(refused(
            "InvalidIdentityToken",
            "The SAML assertion has no ID",
        ));
    };
    // Kept as spent until the last moment any of its times would still let it in.
    let valid_until = ends
        .iter()
        .filter_map(|t| parse_time(*t))
        .map(|end| (end + skew).unix_timestamp())
        .max()
        .unwrap_or_else(|| (now + skew).unix_timestamp());
    Ok(Accepted {
        session_name,
        recipient,
        subject: a.name_id.clone(),
        issuer: issuer.map(str::to_string),
        assertion_id,
        valid_until,
    })
}

#[async_trait]
impl Sts for Sandbox {
    async fn caller_identity(&self, context: Context) -> CloudResult<CallerIdentity> {
        self.enter("sts:GetCallerIdentity", context).await?;
        Ok(CallerIdentity {
            account: SANDBOX_ACCOUNT.to_string(),
            arn: SANDBOX_CALLER_ARN.to_string(),
            user_id: SANDBOX_CALLER_USER_ID.to_string(),
        })
    }

    async fn assume_role_with_saml(
        &self,
        role_arn: &str,
        principal_arn: &str,
        saml_response_b64: &str,
        duration_seconds: i32,
    ) -> CloudResult<TemporaryCredentials> {
        self.enter(ACTION, Context::Connect).await?;
        for (field, value) in [("roleArn", role_arn), ("principalArn", principal_arn)] {
            if !(20..=2048).contains(&value.len()) {
                return Err(refused(
                    "ValidationError",
                    super::errors::validation_error(
                        value,
                        field,
                        "must have length between 20 and 2048",
                    ),
                ));
            }
        }
        if !(900..=43200).contains(&duration_seconds) {
            return Err(refused(
                "ValidationError",
                super::errors::validation_error(
                    &duration_seconds.to_string(),
                    "durationSeconds",
                    "must have value between 900 and 43200",
                ),
            ));
        }
        let xml = STANDARD
            .decode(saml_response_b64.trim())
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(|| {
                refused(
                    "InvalidIdentityToken",
                    "The SAMLAssertion is not the base64 encoding of a SAML response",
                )
            })?;
        let response = assertion::parse(&xml).map_err(|e| {
            refused(
                "InvalidIdentityToken",
                format!("The SAML response could not be read: {e}"),
            )
        })?;
        let now = OffsetDateTime::now_utc();
        let (provider, role) = {
            let state = self.lock();
            let provider = state
                .providers
                .iter()
                .find(|p| p.arn == principal_arn)
                .map(|p| p.metadata_document.clone());
            let role = state
                .roles
                .iter()
                .find(|r| r.role.arn == role_arn)
                .map(|r| (r.role.trust_policy.clone(), r.role.name.clone()));
            (provider, role)
        };
        let Some(provider) = provider else {
            return Err(refused(
                "InvalidIdentityToken",
                format!(
                    "Specified provider doesn't exist: no SAML provider {principal_arn} in account {SANDBOX_ACCOUNT}"
                ),
            ));
        };
        let accepted = evaluate_response(&response, role_arn, principal_arn, &provider, now)?;

        let Some((trust_policy, role_name)) = role else {
            return Err(refused(
                "AccessDenied",
                format!("{NOT_AUTHORIZED}: no role {role_arn} in account {SANDBOX_ACCOUNT}"),
            ));
        };
        let trust = analyze_trust(&trust_policy, principal_arn);
        if !trust.trusts_provider || !trust.denies.is_empty() {
            return Err(refused(
                "AccessDenied",
                format!(
                    "{NOT_AUTHORIZED}: the trust policy of role {role_name} does not let {principal_arn} assume it"
                ),
            ));
        }
        if let Some(audiences) = &trust.audiences
            && !audiences.iter().any(|a| a == &accepted.recipient)
        {
            return Err(refused(
                "AccessDenied",
                format!(
                    "{NOT_AUTHORIZED}: the trust policy of role {role_name} allows SAML:aud {}, and the response's Recipient is {}",
                    audiences.join(", "),
                    accepted.recipient
                ),
            ));
        }
        if duration_seconds > MAX_SESSION_SECONDS {
            return Err(refused(
                "ValidationError",
                "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
            ));
        }
        let role_id = format!(
            "AROA{}",
            hex(&random_bytes(8))
                .to_ascii_uppercase()
                .get(..16)
                .unwrap_or_default()
        );
        let access_key_id = format!("ASIA{}", hex(&random_bytes(8)).to_ascii_uppercase());
        let secret = STANDARD.encode(random_bytes(30));
        let session = Session {
            access_key_id: access_key_id.clone(),
            role_arn: role_arn.to_string(),
            session_name: accepted.session_name.clone(),
            expires: now.unix_timestamp() + i64::from(duration_seconds),
        };
        {
            // Checked and spent under one lock, so two concurrent uses cannot both pass.
            let mut state = self.lock();
            unexpired(&mut state.spent_assertions, now.unix_timestamp());
            if state
                .spent_assertions
                .iter()
                .any(|s| s.id == accepted.assertion_id)
            {
                return Err(refused(
                    "InvalidIdentityToken",
                    format!(
                        "SAML assertion {} was already used: STS accepts each assertion once",
                        accepted.assertion_id
                    ),
                ));
            }
            state.spent_assertions.push(SpentAssertion {
                id: accepted.assertion_id.clone(),
                until: accepted.valid_until,
            });
        }
        let token = session_token(&session);
        let mut credentials = TemporaryCredentials::new(
            format!(
                "arn:aws:sts::{SANDBOX_ACCOUNT}:assumed-role/{role_name}/{}",
                accepted.session_name
            ),
            format!("{role_id}:{}", accepted.session_name),
            access_key_id,
            secret,
            token,
        );
        credentials.subject = accepted.subject;
        credentials.issuer = accepted.issuer;
        credentials.audience = Some(accepted.recipient);
        credentials.expiration = Some(session.expires);
        Ok(credentials)
    }
}
