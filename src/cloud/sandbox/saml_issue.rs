//! The sandbox's IAM Identity Center as an identity provider: its own RSA-2048 signing key
//! and self-signed certificate (kept in the saved account), the SAML metadata that carries
//! that certificate ([`Sandbox::metadata_document`]), and the SAMLResponse it issues for an
//! assigned user ([`Sandbox::issue_response`]), signed as Identity Center signs it. Responses
//! are built and signed by `domain::assertion::issue`, which the tests sign with too.
//!
//! The key is made with the system's randomness when a kept account is seeded (or, for an
//! account in memory only, the first time it is needed: key generation is slow in debug
//! builds and most tests never sign), and an account saved before the sandbox signed gets
//! one when it is loaded. It is shown nowhere: `Debug` leaves it out, it is overwritten in
//! memory when dropped, and only the account file (mode 0600) holds it.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::account::{SANDBOX_METADATA, State, uuid_from};
use super::app_config::ApplicationConfig;
use super::sts::random_bytes;
use super::{SANDBOX_IDENTITY_STORE_ID, Sandbox};
use crate::cloud::console::ensure::{NAME_ID_FORMATS, format_urn};
use crate::cloud::{CUSTOM_SAML_PROVIDER, IdcUser};
use crate::domain::assertion::issue::{self, ResponseSpec, Sign, SigningKey};
use crate::domain::assertion::{SESSION_DURATION_ATTRIBUTE, STATUS_SUCCESS};
use crate::domain::setup::{Setup, USER_EMAIL};

/// The entity ID of the sandbox's Identity Center (the `entityID` of [`SANDBOX_METADATA`]):
/// the Issuer of every response it signs.
pub const SANDBOX_IDC_ENTITY_ID: &str = "https://portal.sso.us-east-1.amazonaws.com/saml/assertion/MTIzNDU2Nzg5MDEyX2lucy0xYTJiM2M0ZDVlNmY3YThi";
/// How long a response stays valid after it is issued, as Identity Center's do.
pub const RESPONSE_VALIDITY_MINUTES: i64 = 5;
/// The session duration Identity Center sends by default (the application's one hour).
pub const SESSION_DURATION_SECONDS: u32 = 3600;
/// The common name of the sandbox's signing certificate, as Identity Center names its own.
const CERTIFICATE_COMMON_NAME: &str = "portal.sso.us-east-1.amazonaws.com";
/// Identity Center's certificates are valid for five years.
const CERTIFICATE_YEARS: i64 = 5;

const X509_OPEN: &str = "<ds:X509Certificate>";
const X509_CLOSE: &str = "</ds:X509Certificate>";

/// The signing key and certificate of an account, as its file keeps them (base64 DER).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct SigningIdentity {
    /// PKCS#8 DER of the RSA-2048 private key, base64.
    private_key_pkcs8: String,
    /// The self-signed X.509 certificate, DER, base64 (as metadata carries it).
    certificate: String,
}

impl fmt::Debug for SigningIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningIdentity")
            .field("private_key_pkcs8", &"(not shown)")
            .field("certificate", &self.certificate)
            .finish()
    }
}

impl Drop for SigningIdentity {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.private_key_pkcs8.zeroize();
    }
}

impl SigningIdentity {
    /// A new RSA-2048 key and its self-signed certificate, valid from an hour before `now`
    /// (so a clock a little behind still accepts it) for five years.
    pub(super) fn generate(now: OffsetDateTime) -> SigningIdentity {
        let start = now.replace_nanosecond(0).unwrap_or(now) - time::Duration::hours(1);
        SigningIdentity::generate_between(
            start,
            start + time::Duration::days(365 * CERTIFICATE_YEARS + 1),
        )
    }

    /// A new RSA-2048 key and its self-signed certificate, valid from `start` to `end` (the
    /// workshop scenarios make expired and rotated ones).
    pub(super) fn generate_between(start: OffsetDateTime, end: OffsetDateTime) -> SigningIdentity {
        let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256)
            .expect("the system random generator makes an RSA key");
        let pkcs8 = zeroize::Zeroizing::new(pair.serialize_der());
        let start = start.replace_nanosecond(0).unwrap_or(start);
        let end = end.replace_nanosecond(0).unwrap_or(end);
        let key = SigningKey::self_signed(
            &pkcs8,
            "connect-sso sandbox",
            CERTIFICATE_COMMON_NAME,
            start,
            end,
        )
        .expect("a fresh RSA key gets a self-signed certificate");
        SigningIdentity {
            private_key_pkcs8: STANDARD.encode(pkcs8.as_slice()),
            certificate: key.cert_base64(),
        }
    }

    /// The certificate, base64 DER.
    pub(super) fn certificate_base64(&self) -> &str {
        &self.certificate
    }

    /// The key that signs, read back from the file's form.
    fn key(&self) -> Result<SigningKey, String> {
        let unreadable = |what: &str| {
            format!(
                "the sandbox account's signing {what} cannot be read: start the sandbox over with --sandbox-reset"
            )
        };
        let pkcs8 = zeroize::Zeroizing::new(
            STANDARD
                .decode(&self.private_key_pkcs8)
                .map_err(|_| unreadable("key"))?,
        );
        let cert = STANDARD
            .decode(&self.certificate)
            .map_err(|_| unreadable("certificate"))?;
        SigningKey::from_pkcs8(&pkcs8, cert).map_err(|e| format!("{}: {e}", unreadable("key")))
    }
}

impl State {
    /// The account's signing key and certificate, made now if it has none yet.
    pub(super) fn signing(&mut self) -> &SigningIdentity {
        self.signing
            .get_or_insert_with(|| SigningIdentity::generate(OffsetDateTime::now_utc()))
    }
}

/// [`SANDBOX_METADATA`] with `certificate` (base64 DER) as its signing certificate.
pub(super) fn metadata_with(certificate: &str) -> String {
    match SANDBOX_METADATA
        .split_once(X509_OPEN)
        .and_then(|(head, rest)| Some((head, rest.split_once(X509_CLOSE)?.1)))
    {
        Some((head, tail)) => format!("{head}{X509_OPEN}{certificate}{X509_CLOSE}{tail}"),
        // The template always has one (a unit test says so).
        None => SANDBOX_METADATA.to_string(),
    }
}

/// A signed response the sandbox's Identity Center issued, and where the browser posts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedResponse {
    /// The `SAMLResponse` XML, signed.
    pub xml: String,
    /// The application's relay state, posted beside the response.
    pub relay_state: Option<String>,
    /// The Application ACS URL the browser posts the form to.
    pub acs_url: String,
    /// The Identity Center user it was issued for (their user name).
    pub user_name: String,
    pub application_arn: String,
}

impl IssuedResponse {
    /// The body the browser posts: `SAMLResponse=...&RelayState=...`.
    pub fn form_body(&self) -> String {
        issue::form_body(&self.xml, self.relay_state.as_deref())
    }
}

/// Why the sandbox's Identity Center issues no response; each says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IssueError {
    #[error(
        "Identity Center (identity store {SANDBOX_IDENTITY_STORE_ID}) has no user {name}: give the user name or email of one of its users: {}",
        known.join(", ")
    )]
    UnknownUser { name: String, known: Vec<String> },
    #[error(
        "Identity Center has no custom SAML 2.0 application named {name}, so it signs nobody in to Connect: add it (step 1; on the sandbox `connect-sso --sandbox apply --yes` stands in for the console), or give the application's name with --app-name"
    )]
    NoApplication { name: String },
    #[error(
        "{user} is not assigned to the application {application}, neither directly nor through a group, so Identity Center does not show it in their access portal and issues no response: assign them (step 11: `connect-sso --sandbox apply --user {user}`); see: connect-sso troubleshoot not-assigned"
    )]
    NotAssigned { user: String, application: String },
    #[error(
        "Identity Center cannot issue a response for {user}: the Subject is mapped to {mapping} and they have no value for it. Give them one in Identity Center (or map the Subject to ${{user:email}} as step 10 shows), then sign in again"
    )]
    NoSubject { user: String, mapping: String },
    #[error(
        "the application {application} is {status}, so Identity Center shows it in nobody's access portal and issues no response: enable it (step 1: IAM Identity Center console › Applications › the application › Actions › Enable)"
    )]
    Disabled { application: String, status: String },
    #[error(
        "the application {application} has no {what}, so Identity Center has nowhere to send a response: do steps {step} (`connect-sso plan` shows the values; on the sandbox `connect-sso --sandbox apply --console-api --yes` does them)"
    )]
    NotConfigured {
        application: String,
        step: &'static str,
        what: &'static str,
    },
    #[error("{0}")]
    Signing(String),
}

impl IssueError {
    /// The troubleshooting entry for a reason that is a setup problem, not a typo.
    pub fn trouble(&self) -> Option<&'static str> {
        match self {
            IssueError::NotAssigned { .. }
            | IssueError::NoApplication { .. }
            | IssueError::Disabled { .. } => Some("not-assigned"),
            IssueError::NotConfigured { .. } => Some("wrong-acs-url"),
            _ => None,
        }
    }

    /// Whether the request itself is unusable (an unknown user), rather than the setup.
    pub fn is_bad_input(&self) -> bool {
        matches!(self, IssueError::UnknownUser { .. })
    }
}

/// `${user:...}` of an attribute mapping, for `user`.
fn resolve(value: &str, user: &IdcUser) -> String {
    let email = user.emails.first().cloned().unwrap_or_default();
    value
        .replace(USER_EMAIL, &email)
        .replace(
            "${user:givenName}",
            user.given_name.as_deref().unwrap_or(""),
        )
        .replace(
            "${user:familyName}",
            user.family_name.as_deref().unwrap_or(""),
        )
        .replace("${user:name}", &user.user_name)
        .replace("${user:subject}", &user.user_id)
}

/// The user `name` names: their user name, else their email; exact first, then in any case.
fn find_user<'a>(users: &'a [IdcUser], name: &str) -> Option<&'a IdcUser> {
    let by = |same: &dyn Fn(&str) -> bool| {
        users
            .iter()
            .find(|u| same(&u.user_name))
            .or_else(|| users.iter().find(|u| u.emails.iter().any(|e| same(e))))
    };
    by(&|v| v == name).or_else(|| by(&|v| v.eq_ignore_ascii_case(name)))
}

impl Sandbox {
    /// The SAML metadata of the sandbox's Identity Center application: the layout, entity ID
    /// and endpoints of [`SANDBOX_METADATA`], with this account's own signing certificate.
    /// What step 2 downloads and step 6a puts in the IAM SAML provider on the sandbox.
    pub fn metadata_document(&self) -> String {
        let mut state = self.lock();
        metadata_with(state.signing().certificate_base64())
    }

    /// The SAMLResponse the sandbox's Identity Center signs when `user` (user name or email)
    /// chooses the custom SAML application named like `setup`'s in their access portal at
    /// `now`, built as Identity Center builds it from the application's stored configuration
    /// ([`Sandbox::application_config`]): Destination and Recipient its ACS URL, its
    /// audience, its Subject and attribute mappings resolved for the user, its session
    /// duration, valid for five minutes, the assertion signed with the account's key; its
    /// relay state beside it. `setup` names the application; its values are used only for
    /// the parts never set of an application kept from before configurations were
    /// ([`ApplicationConfig::from_guide`](super::ApplicationConfig::from_guide)).
    ///
    /// A part never set gives what Identity Center gives for an application whose console
    /// step was never done: no response without an ACS URL and audience (the error names
    /// steps 3-5), the persistent `${user:subject}` Subject and no Role attribute without
    /// step 10 (the inspector and the sign-in test name it), no relay state without 7-9.
    pub fn issue_response(
        &self,
        user: &str,
        setup: &Setup,
        now: OffsetDateTime,
    ) -> Result<IssuedResponse, IssueError> {
        let app_name = setup.app_name.as_str();
        let (person, arn, assigned) = {
            let state = self.lock();
            let Some(person) = find_user(&state.users, user).cloned() else {
                return Err(IssueError::UnknownUser {
                    name: user.to_string(),
                    known: state.users.iter().map(|u| u.user_name.clone()).collect(),
                });
            };
            let Some(app) = state.applications.iter().find(|a| {
                a.application.provider_arn == CUSTOM_SAML_PROVIDER && a.application.name == app_name
            }) else {
                return Err(IssueError::NoApplication {
                    name: app_name.to_string(),
                });
            };
            let assigned = app
                .assignments
                .iter()
                .any(|a| match a.principal_type.as_str() {
                    "USER" => a.principal_id == person.user_id,
                    "GROUP" => state.groups.iter().any(|g| {
                        g.group.group_id == a.principal_id && g.member_ids.contains(&person.user_id)
                    }),
                    _ => false,
                });
            (person, app.application.arn.clone(), assigned)
        };
        let Some(app) = self.configured_for_issue(&arn, setup) else {
            return Err(IssueError::NoApplication {
                name: app_name.to_string(),
            });
        };
        if !app.is_enabled() {
            return Err(IssueError::Disabled {
                application: app_name.to_string(),
                status: app.status,
            });
        }
        if !assigned {
            return Err(IssueError::NotAssigned {
                user: person.user_name.clone(),
                application: app_name.to_string(),
            });
        }
        if let Some((step, what)) = app.config.missing_step() {
            return Err(IssueError::NotConfigured {
                application: app_name.to_string(),
                step,
                what,
            });
        }
        let spec = response_spec(&person, &app.config, now)?;
        let key = self.lock().signing().key().map_err(IssueError::Signing)?;
        let xml = issue::signed(&spec, &key, Sign::Assertion).map_err(IssueError::Signing)?;
        Ok(IssuedResponse {
            xml,
            relay_state: app.config.relay_state.clone(),
            acs_url: app.config.acs_url.clone().unwrap_or_default(),
            user_name: person.user_name,
            application_arn: app.arn,
        })
    }
}

/// The session duration in seconds of an ISO 8601 duration of hours, minutes and seconds
/// (`PT1H`, `PT8H30M`); `None` for another form.
pub(super) fn duration_seconds(iso: &str) -> Option<u32> {
    let mut rest = iso.strip_prefix("PT")?;
    let mut total: u32 = 0;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit())?;
        let n: u32 = rest[..digits].parse().ok()?;
        let unit = match &rest[digits..digits + 1] {
            "H" => 3600,
            "M" => 60,
            "S" => 1,
            _ => return None,
        };
        total = total.checked_add(n.checked_mul(unit)?)?;
        rest = &rest[digits + 1..];
    }
    Some(total)
}

/// What Identity Center puts in the response for `person` from the application's `config`.
fn response_spec(
    person: &IdcUser,
    config: &ApplicationConfig,
    now: OffsetDateTime,
) -> Result<ResponseSpec, IssueError> {
    let subject = config.subject_or_default();
    let mut attributes = Vec::new();
    for (name, m) in &config.attributes {
        let value = resolve(&m.value, person);
        // Identity Center leaves out an attribute whose value is empty.
        if !value.is_empty() {
            attributes.push((name.clone(), vec![value]));
        }
    }
    let duration = config
        .session_duration
        .as_deref()
        .and_then(duration_seconds)
        .unwrap_or(SESSION_DURATION_SECONDS);
    attributes.push((
        SESSION_DURATION_ATTRIBUTE.to_string(),
        vec![duration.to_string()],
    ));
    let name_id = resolve(&subject.value, person);
    if name_id.is_empty() {
        return Err(IssueError::NoSubject {
            user: person.user_name.clone(),
            mapping: subject.value,
        });
    }
    // Random, as Identity Center's: a response is never issued twice.
    let id = || format!("_{}", uuid_from(&random_bytes(16)));
    let issued = now.replace_millisecond(0).unwrap_or(now);
    let acs_url = config.acs_url.clone();
    Ok(ResponseSpec {
        response_id: id(),
        assertion_id: id(),
        status: STATUS_SUCCESS.to_string(),
        destination: acs_url.clone(),
        recipient: acs_url,
        audience: config.audience.clone().unwrap_or_default(),
        issuer: SANDBOX_IDC_ENTITY_ID.to_string(),
        name_id,
        name_id_format: format_urn(&NAME_ID_FORMATS, &subject.format)
            .map(str::to_string)
            .unwrap_or(subject.format),
        issue_instant: issued,
        not_before: issued,
        not_on_or_after: issued + time::Duration::minutes(RESPONSE_VALIDITY_MINUTES),
        attributes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_durations_read_as_identity_center_writes_them() {
        assert_eq!(duration_seconds("PT1H"), Some(3600));
        assert_eq!(duration_seconds("PT8H30M"), Some(30600));
        assert_eq!(duration_seconds("PT45S"), Some(45));
        assert_eq!(duration_seconds("PT"), None);
        assert_eq!(duration_seconds("P1D"), None);
        assert_eq!(duration_seconds("PT1X"), None);
        assert_eq!(duration_seconds("PTH"), None);
    }
}
