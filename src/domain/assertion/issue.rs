//! Issuing SAMLResponses the way IAM Identity Center issues them: the XML of a response from
//! what varies ([`ResponseSpec`]), enveloped XML signatures over the assertion and/or the
//! response (RSA-SHA256, SHA-256 digest, exclusive canonicalization with an
//! `InclusiveNamespaces PrefixList="xs"`, the signature right after the element's `Issuer`,
//! the certificate in `KeyInfo`), and the form the browser posts to the sign-in endpoint.
//!
//! The signer canonicalizes with the verifier's own [`canonicalize`], so what is signed here
//! is exactly what [`super::signature`] checks; the canonicalizer's known-answer tests keep a
//! mistake shared by both from hiding. The sandbox's Identity Center signs with this, and so
//! do the tests (`tests/common/saml.rs`).
//!
//! Pure: the key is given (generating one takes the system's randomness, which is the
//! caller's), times are given, and RSASSA-PKCS1-v1_5 signing is deterministic.

use std::fmt;

use aws_lc_rs::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use roxmltree::{Document, Node};
use time::OffsetDateTime;
use time::macros::format_description;

use super::c14n::{C14nOptions, canonicalize};

/// The NameID format Identity Center sends for a Subject mapped to `${user:email}`.
pub const EMAIL_FORMAT: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";
const UNSPECIFIED: &str = "urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified";

/// Everything that varies between responses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseSpec {
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

/// An RSA private key and the certificate that names its public key. `Debug` shows the
/// certificate only: the key never reaches a log or an error message.
pub struct SigningKey {
    key: RsaKeyPair,
    cert_der: Vec<u8>,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("key", &"(RSA private key, not shown)")
            .field("cert_der_len", &self.cert_der.len())
            .finish()
    }
}

impl SigningKey {
    /// The key of `pkcs8` (a PKCS#8 DER RSA private key), with its certificate `cert_der`.
    pub fn from_pkcs8(pkcs8: &[u8], cert_der: Vec<u8>) -> Result<SigningKey, String> {
        let key = RsaKeyPair::from_pkcs8(pkcs8)
            .map_err(|e| format!("the signing key is not a PKCS#8 RSA private key ({e})"))?;
        Ok(SigningKey { key, cert_der })
    }

    /// The key of `pkcs8` with a new self-signed certificate for `common_name`, valid from
    /// `not_before` to `not_after`, as Identity Center's own certificates are.
    pub fn self_signed(
        pkcs8: &[u8],
        organization: &str,
        common_name: &str,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
    ) -> Result<SigningKey, String> {
        let unusable = |e: rcgen::Error| format!("cannot make the signing certificate: {e}");
        let pair = rcgen::KeyPair::try_from(pkcs8).map_err(unusable)?;
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(unusable)?;
        params.distinguished_name = rcgen::DistinguishedName::new();
        params
            .distinguished_name
            .push(rcgen::DnType::OrganizationName, organization);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, common_name);
        params.not_before = not_before;
        params.not_after = not_after;
        let cert = params.self_signed(&pair).map_err(unusable)?;
        SigningKey::from_pkcs8(pkcs8, cert.der().to_vec())
    }

    /// The certificate, DER.
    pub fn cert_der(&self) -> &[u8] {
        &self.cert_der
    }

    /// The certificate as `X509Certificate` elements carry it.
    pub fn cert_base64(&self) -> String {
        STANDARD.encode(&self.cert_der)
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message`.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, String> {
        let mut signature = vec![0; self.key.public_modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &aws_lc_rs::rand::SystemRandom::new(),
                message,
                &mut signature,
            )
            .map_err(|e| format!("RSA signing failed ({e})"))?;
        Ok(signature)
    }
}

/// A time as SAML writes it: UTC, milliseconds, `Z`.
pub fn instant(t: OffsetDateTime) -> String {
    let utc = t.to_offset(time::UtcOffset::UTC);
    utc.format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    ))
    .unwrap_or_else(|_| utc.unix_timestamp().to_string())
}

/// XML-escapes text and attribute values.
pub fn escape(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The response of `spec` without any signature.
pub fn unsigned(spec: &ResponseSpec) -> String {
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

/// The response of `spec`, signed with `key` where `what` says.
pub fn signed(spec: &ResponseSpec, key: &SigningKey, what: Sign) -> Result<String, String> {
    let xml = unsigned(spec);
    match what {
        Sign::Assertion => sign_element(&xml, &spec.assertion_id, key),
        Sign::Response => sign_element(&xml, &spec.response_id, key),
        Sign::Both => sign_element(
            &sign_element(&xml, &spec.assertion_id, key)?,
            &spec.response_id,
            key,
        ),
        Sign::Nothing => Ok(xml),
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
         </ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature>",
        id = escape(id)
    )
}

fn by_id<'a, 'input>(doc: &'a Document<'input>, id: &str) -> Result<Node<'a, 'input>, String> {
    doc.descendants()
        .find(|n| n.attribute("ID") == Some(id))
        .ok_or_else(|| format!("no element with ID {id} to sign"))
}

/// Signs the element with `ID="id"` with an enveloped signature placed right after its
/// first child element (the `Issuer`), the way Identity Center places it.
pub fn sign_element(xml: &str, id: &str, key: &SigningKey) -> Result<String, String> {
    let unreadable = |e: roxmltree::Error| format!("the response to sign is not XML ({e})");
    let doc = Document::parse(xml).map_err(unreadable)?;
    let target = by_id(&doc, id)?;
    let at = target
        .first_element_child()
        .ok_or_else(|| format!("the element with ID {id} has no Issuer to sign after"))?
        .range()
        .end;
    let reference = C14nOptions::default().with_prefix_list(Some("xs"));
    let digest = aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        canonicalize(target, &reference).as_bytes(),
    );
    let digest = STANDARD.encode(digest.as_ref());
    let cert = key.cert_base64();
    let unsigned_signature = signature_xml(id, &digest, "", &cert);
    let with_signature = format!("{}{unsigned_signature}{}", &xml[..at], &xml[at..]);

    let doc = Document::parse(&with_signature).map_err(unreadable)?;
    let signed_info = by_id(&doc, id)?
        .children()
        .find(|n| n.tag_name().name() == "Signature")
        .and_then(|s| s.children().find(|n| n.tag_name().name() == "SignedInfo"))
        .ok_or_else(|| format!("the signature added to {id} has no SignedInfo"))?;
    let signature = key.sign(canonicalize(signed_info, &C14nOptions::default()).as_bytes())?;
    let signature_element = signature_xml(id, &digest, &STANDARD.encode(signature), &cert);
    Ok(format!("{}{signature_element}{}", &xml[..at], &xml[at..]))
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

/// The body the browser posts to the sign-in endpoint: the response in base64 and, when
/// the application has one, the relay state.
pub fn form_body(xml: &str, relay_state: Option<&str>) -> String {
    let mut body = format!("SAMLResponse={}", url_encode(&STANDARD.encode(xml)));
    if let Some(relay) = relay_state {
        body.push_str("&RelayState=");
        body.push_str(&url_encode(relay));
    }
    body
}
