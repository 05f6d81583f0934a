//! SAMLResponses shaped like IAM Identity Center's, signed with test keys, for tests.
//!
//! One file for unit and integration tests: `src/domain/assertion/mod.rs` includes it as
//! `domain::assertion::testkit` (`#[cfg(test)]`), and `tests/inspect_assertion.rs` includes
//! it with `#[path]`. The including module must have `canonicalize` and `C14nOptions` of
//! `domain::assertion` in scope, so the signer canonicalizes exactly as the verifier does;
//! the canonicalizer's own known-answer tests keep a mistake shared by both from hiding.
//!
//! The shape follows a real Identity Center response: `saml2p:Response` with an unsigned
//! envelope and a signed `saml2:Assertion` (RSA-SHA256, SHA-256 digest, exclusive
//! canonicalization with an `InclusiveNamespaces PrefixList="xs"`), the signature right after
//! the assertion's `Issuer`, and the certificate in `KeyInfo`.

#![allow(dead_code)]

use std::sync::OnceLock;

use base64::Engine as _;
use time::OffsetDateTime;
use time::macros::{datetime, format_description};

use super::{C14nOptions, canonicalize};

pub const ACS_URL: &str = "https://signin.aws.amazon.com/saml";
pub const AUDIENCE: &str = "urn:amazon:webservices";
pub const ISSUER: &str = "https://portal.sso.us-east-1.amazonaws.com/saml/assertion/\
                          MTExMTIyMjIzMzMzX2lucy03MjIzYTFiMmMzZDRlNWY2";
pub const ROLE_ATTRIBUTE: &str = "https://aws.amazon.com/SAML/Attributes/Role";
pub const ROLE_SESSION_NAME_ATTRIBUTE: &str =
    "https://aws.amazon.com/SAML/Attributes/RoleSessionName";
pub const EMAIL_FORMAT: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";
pub const SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";
const UNSPECIFIED: &str = "urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified";

/// An RSA-2048 key and a self-signed certificate for it.
pub struct TestKey {
    pub pkcs8: Vec<u8>,
    pub cert_der: Vec<u8>,
    key: aws_lc_rs::signature::RsaKeyPair,
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
        TestKey::from_rcgen(&key, common_name, not_before, not_after)
    }

    /// The same key with a certificate valid from `not_before` to `not_after`.
    pub fn with_validity(&self, not_before: OffsetDateTime, not_after: OffsetDateTime) -> TestKey {
        let key = rcgen::KeyPair::try_from(self.pkcs8.as_slice()).expect("the test key parses");
        TestKey::from_rcgen(
            &key,
            "portal.sso.us-east-1.amazonaws.com",
            not_before,
            not_after,
        )
    }

    fn from_rcgen(
        key: &rcgen::KeyPair,
        common_name: &str,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    ) -> TestKey {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
        params.distinguished_name = rcgen::DistinguishedName::new();
        params
            .distinguished_name
            .push(rcgen::DnType::OrganizationName, "connect-sso tests");
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, common_name);
        params.not_before = not_before;
        params.not_after = not_after;
        let cert = params.self_signed(key).expect("self-signed certificate");
        let pkcs8 = key.serialize_der();
        TestKey {
            key: aws_lc_rs::signature::RsaKeyPair::from_pkcs8(&pkcs8).expect("PKCS#8 RSA key"),
            cert_der: cert.der().to_vec(),
            pkcs8,
        }
    }

    pub fn cert_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(&self.cert_der)
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        let mut signature = vec![0; self.key.public_modulus_len()];
        self.key
            .sign(
                &aws_lc_rs::signature::RSA_PKCS1_SHA256,
                &aws_lc_rs::rand::SystemRandom::new(),
                message,
                &mut signature,
            )
            .expect("RSA signing");
        signature
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

fn instant(t: OffsetDateTime) -> String {
    t.format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    ))
    .expect("UTC times format")
}

/// XML-escapes text and attribute values.
pub fn escape(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The response without any signature.
pub fn unsigned(spec: &Spec) -> String {
    let issue = instant(spec.issue_instant);
    let destination = spec
        .destination
        .as_ref()
        .map(|d| format!(" Destination=\"{}\"", escape(d)))
        .unwrap_or_default();
    let recipient = spec
        .recipient
        .as_ref()
        .map(|r| format!(" Recipient=\"{}\"", escape(r)))
        .unwrap_or_default();
    let attributes: String = spec
        .attributes
        .iter()
        .map(|(name, values)| {
            let values: String = values
                .iter()
                .map(|v| {
                    format!(
                        "<saml2:AttributeValue xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" \
                         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
                         xsi:type=\"xs:string\">{}</saml2:AttributeValue>",
                        escape(v)
                    )
                })
                .collect();
            format!(
                "<saml2:Attribute Name=\"{}\" NameFormat=\"{UNSPECIFIED}\">{values}\
                 </saml2:Attribute>",
                escape(name)
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><saml2p:Response \
         xmlns:saml2p=\"urn:oasis:names:tc:SAML:2.0:protocol\"{destination} ID=\"{rid}\" \
         IssueInstant=\"{issue}\" Version=\"2.0\"><saml2:Issuer \
         xmlns:saml2=\"urn:oasis:names:tc:SAML:2.0:assertion\" \
         Format=\"urn:oasis:names:tc:SAML:2.0:nameid-format:entity\">{issuer}</saml2:Issuer>\
         <saml2p:Status><saml2p:StatusCode Value=\"{status}\"/></saml2p:Status>\
         <saml2:Assertion xmlns:saml2=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"{aid}\" \
         IssueInstant=\"{issue}\" Version=\"2.0\"><saml2:Issuer \
         Format=\"urn:oasis:names:tc:SAML:2.0:nameid-format:entity\">{issuer}</saml2:Issuer>\
         <saml2:Subject><saml2:NameID Format=\"{format}\">{name_id}</saml2:NameID>\
         <saml2:SubjectConfirmation Method=\"urn:oasis:names:tc:SAML:2.0:cm:bearer\">\
         <saml2:SubjectConfirmationData NotOnOrAfter=\"{not_after}\"{recipient}/>\
         </saml2:SubjectConfirmation></saml2:Subject><saml2:Conditions \
         NotBefore=\"{not_before}\" NotOnOrAfter=\"{not_after}\"><saml2:AudienceRestriction>\
         <saml2:Audience>{audience}</saml2:Audience></saml2:AudienceRestriction>\
         </saml2:Conditions><saml2:AuthnStatement AuthnInstant=\"{issue}\" \
         SessionIndex=\"{aid}\"><saml2:AuthnContext><saml2:AuthnContextClassRef>\
         urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport\
         </saml2:AuthnContextClassRef></saml2:AuthnContext></saml2:AuthnStatement>\
         <saml2:AttributeStatement>{attributes}</saml2:AttributeStatement></saml2:Assertion>\
         </saml2p:Response>",
        rid = escape(&spec.response_id),
        aid = escape(&spec.assertion_id),
        issuer = escape(&spec.issuer),
        status = escape(&spec.status),
        format = escape(&spec.name_id_format),
        name_id = escape(&spec.name_id),
        not_before = instant(spec.not_before),
        not_after = instant(spec.not_on_or_after),
        audience = escape(&spec.audience),
    )
}

/// What to sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sign {
    /// The assertion, as Identity Center does.
    Assertion,
    Response,
    /// The assertion, then the response around it.
    Both,
    Nothing,
}

/// The response of `spec`, signed with `key`.
pub fn signed(spec: &Spec, key: &TestKey, what: Sign) -> String {
    let xml = unsigned(spec);
    match what {
        Sign::Assertion => sign_element(&xml, &spec.assertion_id, key),
        Sign::Response => sign_element(&xml, &spec.response_id, key),
        Sign::Both => sign_element(
            &sign_element(&xml, &spec.assertion_id, key),
            &spec.response_id,
            key,
        ),
        Sign::Nothing => xml,
    }
}

fn signature_xml(id: &str, digest: &str, signature: &str, cert: &str) -> String {
    format!(
        "<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><ds:SignedInfo>\
         <ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>\
         <ds:SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256\"/>\
         <ds:Reference URI=\"#{id}\"><ds:Transforms><ds:Transform \
         Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/><ds:Transform \
         Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"><ec:InclusiveNamespaces \
         xmlns:ec=\"http://www.w3.org/2001/10/xml-exc-c14n#\" PrefixList=\"xs\"/>\
         </ds:Transform></ds:Transforms><ds:DigestMethod \
         Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/><ds:DigestValue>{digest}\
         </ds:DigestValue></ds:Reference></ds:SignedInfo><ds:SignatureValue>{signature}\
         </ds:SignatureValue><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{cert}\
         </ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature>"
    )
}

fn by_id<'a, 'input>(
    doc: &'a roxmltree::Document<'input>,
    id: &str,
) -> roxmltree::Node<'a, 'input> {
    doc.descendants()
        .find(|n| n.attribute("ID") == Some(id))
        .unwrap_or_else(|| panic!("no element with ID {id}"))
}

/// Signs the element with `ID="id"` with an enveloped signature placed right after its
/// first child element (the `Issuer`), the way Identity Center places it.
pub fn sign_element(xml: &str, id: &str, key: &TestKey) -> String {
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let doc = roxmltree::Document::parse(xml).expect("the unsigned response parses");
    let target = by_id(&doc, id);
    let at = target
        .first_element_child()
        .expect("the signed element starts with its Issuer")
        .range()
        .end;
    let reference = C14nOptions::default().with_prefix_list(Some("xs"));
    let digest = aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        canonicalize(target, &reference).as_bytes(),
    );
    let cert = key.cert_base64();
    let unsigned_signature = signature_xml(id, &b64(digest.as_ref()), "", &cert);
    let with_signature = format!("{}{unsigned_signature}{}", &xml[..at], &xml[at..]);

    let doc = roxmltree::Document::parse(&with_signature).expect("the signed response parses");
    let signed_info = by_id(&doc, id)
        .children()
        .find(|n| n.tag_name().name() == "Signature")
        .and_then(|s| s.children().find(|n| n.tag_name().name() == "SignedInfo"))
        .expect("the signature just added");
    let signature = key.sign(canonicalize(signed_info, &C14nOptions::default()).as_bytes());
    let signature_element = signature_xml(id, &b64(digest.as_ref()), &b64(&signature), &cert);
    format!("{}{signature_element}{}", &xml[..at], &xml[at..])
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

/// Percent-encodes the way a browser encodes a form value.
pub fn url_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                (b as char).to_string()
            }
            b' ' => "+".to_owned(),
            b => format!("%{b:02X}"),
        })
        .collect()
}

/// The body the browser posts to the sign-in endpoint.
pub fn form_body(xml: &str, relay_state: Option<&str>) -> String {
    let mut body = format!("SAMLResponse={}", url_encode(&base64(xml)));
    if let Some(relay) = relay_state {
        body.push_str("&RelayState=");
        body.push_str(&url_encode(relay));
    }
    body
}
