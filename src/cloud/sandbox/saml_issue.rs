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
use super::sts::random_bytes;
use super::{SANDBOX_IDENTITY_STORE_ID, Sandbox};
use crate::cloud::{CUSTOM_SAML_PROVIDER, IdcUser};
use crate::domain::assertion::issue::{self, EMAIL_FORMAT, ResponseSpec, Sign, SigningKey};
use crate::domain::assertion::{SESSION_DURATION_ATTRIBUTE, STATUS_SUCCESS};
use crate::domain::setup::{AttributeMapping, Setup, USER_EMAIL};

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
        let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256)
            .expect("the system random generator makes an RSA key");
        let pkcs8 = zeroize::Zeroizing::new(pair.serialize_der());
        let start = now.replace_nanosecond(0).unwrap_or(now) - time::Duration::hours(1);
        let key = SigningKey::self_signed(
            &pkcs8,
            "connect-sso sandbox",
            CERTIFICATE_COMMON_NAME,
            start,
            start + time::Duration::days(365 * CERTIFICATE_YEARS + 1),
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
        "Identity Center cannot issue a response for {user}: the Subject is mapped to ${{user:email}} and they have no email address. Give them one in Identity Center, then sign in again"
    )]
    NoEmail { user: String },
    #[error("{0}")]
    Signing(String),
}

impl IssueError {
    /// The troubleshooting entry for a reason that is a setup problem, not a typo.
    pub fn trouble(&self) -> Option<&'static str> {
        match self {
            IssueError::NotAssigned { .. } | IssueError::NoApplication { .. } => {
                Some("not-assigned")
            }
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
    /// chooses the application in their access portal at `now`, exactly as Identity Center
    /// builds it from the application's configuration: Destination and Recipient the
    /// Application ACS URL, the Application SAML audience, the attribute mappings (Subject
    /// and RoleSessionName the user's email, the Role attribute), SessionDuration, valid for
    /// five minutes, the assertion signed with the account's key.
    ///
    /// The sandbox does not yet keep the values of the console steps (3-5, 7-9, 10) as an
    /// attendee would type them into a console form (future work: a typo there would then
    /// have its real consequence); until then the application's configuration is the one
    /// `setup` generates, as the wizard shows it for those steps.
    pub fn issue_response(
        &self,
        user: &str,
        setup: &Setup,
        now: OffsetDateTime,
    ) -> Result<IssuedResponse, IssueError> {
        let mut state = self.lock();
        let Some(person) = find_user(&state.users, user).cloned() else {
            return Err(IssueError::UnknownUser {
                name: user.to_string(),
                known: state.users.iter().map(|u| u.user_name.clone()).collect(),
            });
        };
        let app_name = setup.app_name.as_str();
        let Some(app) = state
            .applications
            .iter()
            .find(|a| {
                a.application.provider_arn == CUSTOM_SAML_PROVIDER && a.application.name == app_name
            })
            .cloned()
        else {
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
        if !assigned {
            return Err(IssueError::NotAssigned {
                user: person.user_name.clone(),
                application: app_name.to_string(),
            });
        }
        let spec = response_spec(&person, setup, now)?;
        let key = state.signing().key().map_err(IssueError::Signing)?;
        drop(state);
        let xml = issue::signed(&spec, &key, Sign::Assertion).map_err(IssueError::Signing)?;
        Ok(IssuedResponse {
            xml,
            relay_state: Some(setup.relay_state(None)),
            acs_url: setup.acs_url().to_string(),
            user_name: person.user_name,
            application_arn: app.application.arn,
        })
    }
}

/// What Identity Center puts in the response for `person` from `setup`'s configuration.
fn response_spec(
    person: &IdcUser,
    setup: &Setup,
    now: OffsetDateTime,
) -> Result<ResponseSpec, IssueError> {
    let mappings: Vec<AttributeMapping> = setup.attribute_mappings();
    let mut name_id = None;
    let mut attributes = Vec::new();
    for m in &mappings {
        let value = resolve(&m.value, person);
        if m.attribute == "Subject" {
            name_id = Some(value);
        } else if !value.is_empty() {
            // Identity Center leaves out an attribute whose value is empty.
            attributes.push((m.attribute.to_string(), vec![value]));
        }
    }
    attributes.push((
        SESSION_DURATION_ATTRIBUTE.to_string(),
        vec![SESSION_DURATION_SECONDS.to_string()],
    ));
    let name_id = name_id
        .filter(|n| !n.is_empty())
        .ok_or(IssueError::NoEmail {
            user: person.user_name.clone(),
        })?;
    // Random, as Identity Center's: a response is never issued twice.
    let id = || format!("_{}", uuid_from(&random_bytes(16)));
    let issued = now.replace_millisecond(0).unwrap_or(now);
    Ok(ResponseSpec {
        response_id: id(),
        assertion_id: id(),
        status: STATUS_SUCCESS.to_string(),
        destination: Some(setup.acs_url().to_string()),
        recipient: Some(setup.acs_url().to_string()),
        audience: setup.audience().to_string(),
        issuer: SANDBOX_IDC_ENTITY_ID.to_string(),
        name_id,
        name_id_format: EMAIL_FORMAT.to_string(),
        issue_instant: issued,
        not_before: issued,
        not_on_or_after: issued + time::Duration::minutes(RESPONSE_VALIDITY_MINUTES),
        attributes,
    })
}
