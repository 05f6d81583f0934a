//! SAMLResponses shaped like IAM Identity Center's, signed with test keys, for tests.
//!
//! One file for unit and integration tests: `src/domain/assertion/mod.rs` includes it as
//! `domain::assertion::testkit` (`#[cfg(test)]`), and the integration tests include it with
//! `#[path]`. The including module must have `issue` of `domain::assertion` in scope: the
//! XML, the signatures and the form body are the ones the sandbox's Identity Center issues
//! (`domain::assertion::issue`), so the tests sign exactly as it does, and both canonicalize
//! exactly as the verifier does.
//!
//! The shape follows a real Identity Center response: `saml2p:Response` with an unsigned
//! envelope and a signed `saml2:Assertion` (RSA-SHA256, SHA-256 digest, exclusive
//! canonicalization with an `InclusiveNamespaces PrefixList="xs"`), the signature right after
//! the assertion's `Issuer`, and the certificate in `KeyInfo`.

#![allow(dead_code)]

use std::sync::OnceLock;

use base64::Engine as _;
use time::OffsetDateTime;
use time::macros::datetime;

use super::issue::{self, SigningKey};
// Not every test that includes this file uses each of them.
#[allow(unused_imports)]
pub use super::issue::{EMAIL_FORMAT, ResponseSpec, Sign, form_body, url_encode};

pub const ACS_URL: &str = "https://signin.aws.amazon.com/saml";
pub const AUDIENCE: &str = "urn:amazon:webservices";
pub const ISSUER: &str = "https://portal.sso.us-east-1.amazonaws.com/saml/assertion/\
                          MTExMTIyMjIzMzMzX2lucy03MjIzYTFiMmMzZDRlNWY2";
pub const ROLE_ATTRIBUTE: &str = "https://aws.amazon.com/SAML/Attributes/Role";
pub const ROLE_SESSION_NAME_ATTRIBUTE: &str =
    "https://aws.amazon.com/SAML/Attributes/RoleSessionName";
pub const SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";

/// An RSA-2048 key and a self-signed certificate for it.
pub struct TestKey {
    pub pkcs8: Vec<u8>,
    pub cert_der: Vec<u8>,
    key: SigningKey,
}

impl TestKey {
    /// A new key (slow in debug builds: share it, see [`idc_key`]).
    pub fn generate(
        common_name: &str,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    ) -> TestKey {
        let key =
            rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).expect("RSA key generation");
        TestKey::certified(key.serialize_der(), common_name, not_before, not_after)
    }

    /// The same key with a certificate valid from `not_before` to `not_after`.
    pub fn with_validity(&self, not_before: OffsetDateTime, not_after: OffsetDateTime) -> TestKey {
        TestKey::certified(
            self.pkcs8.clone(),
            "portal.sso.us-east-1.amazonaws.com",
            not_before,
            not_after,
        )
    }

    fn certified(
        pkcs8: Vec<u8>,
        common_name: &str,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    ) -> TestKey {
        let key = SigningKey::self_signed(
            &pkcs8,
            "connect-sso tests",
            common_name,
            not_before,
            not_after,
        )
        .expect("self-signed certificate");
        TestKey {
            cert_der: key.cert_der().to_vec(),
            pkcs8,
            key,
        }
    }

    /// The key that signs, as the sandbox's Identity Center holds its own.
    pub fn signing_key(&self) -> &SigningKey {
        &self.key
    }

    pub fn cert_base64(&self) -> String {
        self.key.cert_base64()
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        self.key.sign(message).expect("RSA signing")
    }
}

/// The stand-in for Identity Center's signing key, valid 2020-2099.
pub fn idc_key() -> &'static TestKey {
    static KEY: OnceLock<TestKey> = OnceLock::new();
    KEY.get_or_init(|| {
        TestKey::generate(
            "portal.sso.us-east-1.amazonaws.com",
            datetime!(2020-01-01 0:00 UTC),
            datetime!(2099-01-01 0:00 UTC),
        )
    })
}

/// Another key, that nobody trusts.
pub fn other_key() -> &'static TestKey {
    static KEY: OnceLock<TestKey> = OnceLock::new();
    KEY.get_or_init(|| {
        TestKey::generate(
            "attacker.example.com",
            datetime!(2020-01-01 0:00 UTC),
            datetime!(2099-01-01 0:00 UTC),
        )
    })
}

/// Twelve hex digits no other call of this process returns (and, from the clock, unlikely
/// in another process).
fn unique_suffix() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let clock = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!(
        "{:012x}",
        (clock.wrapping_mul(0x9e37_79b9) ^ n) & 0xffff_ffff_ffff
    )
}

/// Everything that varies between test responses.
#[derive(Debug, Clone)]
pub struct Spec {
    pub response_id: String,
    pub assertion_id: String,
    pub status: String,
    pub destination: Option<String>,
    pub recipient: Option<String>,
    pub audience: String,
    pub issuer: String,
    pub name_id: String,
    pub name_id_format: String,
    pub issue_instant: OffsetDateTime,
    pub not_before: OffsetDateTime,
    pub not_on_or_after: OffsetDateTime,
    /// `(Name, values)` of every attribute, in order.
    pub attributes: Vec<(String, Vec<String>)>,
}

impl Spec {
    /// A correct response for `user`, issued at `issued` and valid for five minutes, as
    /// Identity Center sends it with the guide's attribute mappings.
    pub fn new(role_arn: &str, provider_arn: &str, user: &str, issued: OffsetDateTime) -> Spec {
        Spec {
            response_id: "_5b2c0f9e-1d4a-4f6b-9c3e-7a8d2e1f0b4c".into(),
            assertion_id: "_9e8d7c6b-5a49-4382-b1c0-d9e8f7a6b5c4".into(),
            status: SUCCESS.into(),
            destination: Some(ACS_URL.into()),
            recipient: Some(ACS_URL.into()),
            audience: AUDIENCE.into(),
            issuer: ISSUER.into(),
            name_id: user.into(),
            name_id_format: EMAIL_FORMAT.into(),
            issue_instant: issued,
            not_before: issued - time::Duration::minutes(5),
            not_on_or_after: issued + time::Duration::minutes(5),
            attributes: vec![
                (ROLE_SESSION_NAME_ATTRIBUTE.into(), vec![user.into()]),
                (
                    ROLE_ATTRIBUTE.into(),
                    vec![format!("{role_arn},{provider_arn}")],
                ),
            ],
        }
    }

    /// The same response with IDs of its own: STS accepts an assertion once, so a test that
    /// signs in more than once on one account needs a new one each time.
    pub fn unique(mut self) -> Spec {
        self.response_id = format!("_5b2c0f9e-1d4a-4f6b-9c3e-{}", unique_suffix());
        self.assertion_id = format!("_9e8d7c6b-5a49-4382-b1c0-{}", unique_suffix());
        self
    }

    /// Replaces the values of the attribute named `name`, or adds it.
    pub fn attribute(mut self, name: &str, values: &[&str]) -> Spec {
        let values: Vec<String> = values.iter().map(|v| (*v).to_owned()).collect();
        match self.attributes.iter_mut().find(|(n, _)| n == name) {
            Some(attribute) => attribute.1 = values,
            None => self.attributes.push((name.to_owned(), values)),
        }
        self
    }

    /// Renames the attribute named `from`.
    pub fn rename_attribute(mut self, from: &str, to: &str) -> Spec {
        for attribute in &mut self.attributes {
            if attribute.0 == from {
                attribute.0 = to.to_owned();
            }
        }
        self
    }

    /// Drops the attribute named `name`.
    pub fn without_attribute(mut self, name: &str) -> Spec {
        self.attributes.retain(|(n, _)| n != name);
        self
    }
}

impl Spec {
    /// The same response as the sandbox's Identity Center describes it.
    pub fn response(&self) -> ResponseSpec {
        let s = self.clone();
        ResponseSpec {
            response_id: s.response_id,
            assertion_id: s.assertion_id,
            status: s.status,
            destination: s.destination,
            recipient: s.recipient,
            audience: s.audience,
            issuer: s.issuer,
            name_id: s.name_id,
            name_id_format: s.name_id_format,
            issue_instant: s.issue_instant,
            not_before: s.not_before,
            not_on_or_after: s.not_on_or_after,
            attributes: s.attributes,
        }
    }
}

/// The response without any signature.
pub fn unsigned(spec: &Spec) -> String {
    issue::unsigned(&spec.response())
}

/// The response of `spec`, signed with `key`.
pub fn signed(spec: &Spec, key: &TestKey, what: Sign) -> String {
    issue::signed(&spec.response(), &key.key, what).expect("the test response signs")
}

/// Signs the element with `ID="id"` with an enveloped signature placed right after its
/// first child element (the `Issuer`), the way Identity Center places it.
pub fn sign_element(xml: &str, id: &str, key: &TestKey) -> String {
    issue::sign_element(xml, id, &key.key).expect("the test response signs")
}

/// IdP metadata naming `cert_der` as the signing certificate; IAM (and `metadata::check`)
/// accept it.
pub fn metadata(cert_der: &[u8], entity_id: &str) -> String {
    let cert = base64::engine::general_purpose::STANDARD.encode(cert_der);
    let sso = entity_id;
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<md:EntityDescriptor \
         xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" entityID=\"{entity_id}\">\n  \
         <md:IDPSSODescriptor WantAuthnRequestsSigned=\"false\" \
         protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">\n    \
         <md:KeyDescriptor use=\"signing\">\n      <ds:KeyInfo \
         xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">\n        <ds:X509Data>\n          \
         <ds:X509Certificate>{cert}</ds:X509Certificate>\n        </ds:X509Data>\n      \
         </ds:KeyInfo>\n    </md:KeyDescriptor>\n    <md:SingleSignOnService \
         Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\" Location=\"{sso}\"/>\n    \
         <md:SingleSignOnService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\" \
         Location=\"{sso}\"/>\n  </md:IDPSSODescriptor>\n</md:EntityDescriptor>\n"
    )
}

/// Base64, as the form field carries it (one line).
pub fn base64(xml: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(xml)
}

/// Base64 wrapped at 76 characters, as some tools show it.
pub fn base64_wrapped(xml: &str) -> String {
    let one_line = base64(xml);
    one_line
        .as_bytes()
        .chunks(76)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("\r\n")
}
