//! The SAMLResponse inspector: read what an admin copied from the browser (the form value,
//! URL-encoded or not, the whole form body, or the XML), parse the response, verify its XML
//! signatures, and check every value AWS sign-in and Amazon Connect depend on against the
//! setup.
//!
//! Pure: no I/O and no clock. [`decode`] and [`parse`] only read; [`check`] compares against
//! [`Expectations`] at a caller-supplied `now` and returns [`Finding`]s, each naming the field,
//! the value seen, the value expected and the fix, so the CLI can show them as they are.
//!
//! Security: the input is untrusted. The XML is parsed by `roxmltree` with DTDs refused (no
//! entity expansion, nothing fetched) and a node limit; sizes are bounded before decoding;
//! signatures are verified for real (exclusive canonicalization, digest, RSA/ECDSA), and the
//! values reported come only from the assertion a valid signature covers — or the check says
//! that it is not covered (signature wrapping).

mod c14n;
mod signature;

#[cfg(test)]
#[path = "../../tests/common/saml.rs"]
pub(crate) mod testkit;

use std::fmt;

use base64::Engine as _;
use roxmltree::Node;
use serde::Serialize;
use sha2::{Digest as _, Sha256};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};
use x509_parser::prelude::{FromDer as _, X509Certificate};
use x509_parser::public_key::PublicKey;

pub use c14n::{C14nOptions, EXC_C14N, EXC_C14N_WITH_COMMENTS, canonicalize};
pub use signature::{
    ECDSA_SHA256, ECDSA_SHA384, ENVELOPED_SIGNATURE, RSA_SHA1, RSA_SHA256, RSA_SHA384, RSA_SHA512,
    SHA1, SHA256, SHA384, SHA512, SignatureReport,
};

use super::metadata::{CertValidity, IdpMetadata, SigningCertificate, format_date, strip_bom};
use super::setup::{ROLE_ATTRIBUTE, ROLE_SESSION_NAME_ATTRIBUTE, Setup};

/// Largest input accepted: a real SAMLResponse is 5-30 KB of base64.
pub const MAX_INPUT_BYTES: usize = 256 * 1024;
/// Largest XML accepted after decoding (base64 only shrinks, so this guards raw XML callers).
pub const MAX_XML_BYTES: usize = 1024 * 1024;
/// Most XML nodes accepted; an Identity Center response has about a hundred.
pub const MAX_NODES: u32 = 20_000;
/// Signatures beyond this many are listed as not verified (each costs a canonicalization).
pub const MAX_SIGNATURES: usize = 8;
/// Clock difference tolerated on time checks.
pub const CLOCK_SKEW_MINUTES: i64 = 5;
/// A signing certificate expiring within this many days gives a warning.
pub const EXPIRY_WARNING_DAYS: i64 = 30;

pub const PROTOCOL_NS: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
pub const ASSERTION_NS: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
pub const STATUS_SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";
pub const BEARER: &str = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
pub const SESSION_DURATION_ATTRIBUTE: &str =
    "https://aws.amazon.com/SAML/Attributes/SessionDuration";
const METADATA_NS: &str = "urn:oasis:names:tc:SAML:2.0:metadata";

/// How to copy the right thing; appended to most input errors.
const COPY_HINT: &str = "To capture it: open the browser's developer tools on the Network tab \
     (tick \"Preserve log\"), sign in from the AWS access portal, open the POST request to the \
     AWS sign-in page (https://signin.aws.amazon.com/saml, or your region's sign-in URL) and \
     copy the SAMLResponse value from its form data (Payload tab)";

// ---------------------------------------------------------------------------------------------
// Decoding

/// What the input turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InputKind {
    /// The XML itself.
    Xml,
    /// The base64 form value.
    Base64,
    /// The form value still URL-encoded (`%2B`, `%3D`).
    UrlEncodedBase64,
    /// A whole form body, `SAMLResponse=...&RelayState=...`.
    FormBody,
}

impl InputKind {
    pub fn label(self) -> &'static str {
        match self {
            InputKind::Xml => "XML",
            InputKind::Base64 => "base64 form value",
            InputKind::UrlEncodedBase64 => "URL-encoded form value",
            InputKind::FormBody => "whole form body",
        }
    }
}

/// The SAMLResponse XML and, when the input was a whole form body, its relay state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decoded {
    pub xml: String,
    pub relay_state: Option<String>,
    pub kind: InputKind,
}

/// Why the input cannot be inspected. Every message says what is wrong and what to copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AssertionError {
    #[error("the input is empty: nothing was pasted or the file is empty. {COPY_HINT}")]
    Empty,

    #[error(
        "the input is {len} bytes, more than the {max} bytes accepted; a SAMLResponse is a few \
         dozen kilobytes at most, so this is something else (a whole HAR file or page?). \
         {COPY_HINT}"
    )]
    TooLarge { len: usize, max: usize },

    #[error(
        "the input is not text (it may be binary, compressed or UTF-16). Paste or save the \
         SAMLResponse value as plain text. {COPY_HINT}"
    )]
    NotText,

    #[error(
        "this looks like an HTML page, not a SAMLResponse: saving the sign-in page does not \
         capture the response. {COPY_HINT}"
    )]
    HtmlPage,

    #[error(
        "this is a SAMLRequest (what a service sends to the identity provider), not the \
         SAMLResponse Identity Center posts to AWS. {COPY_HINT}"
    )]
    SamlRequest,

    #[error("the form data has no SAMLResponse field (it has: {fields}). {COPY_HINT}")]
    NoSamlResponseField { fields: String },

    #[error(
        "the value is not valid base64 ({detail}); it was probably cut short or changed when \
         copied. Copy the whole value again, from the first to the last character. {COPY_HINT}"
    )]
    NotBase64 { detail: String },

    #[error(
        "the value decodes to binary data, not XML: it is not a SAMLResponse (or it is \
         compressed, which the HTTP-POST sign-in to AWS never does). {COPY_HINT}"
    )]
    DecodedNotXml,

    #[error(
        "the SAMLResponse is not well-formed XML ({detail}); it was probably cut short or \
         edited. {COPY_HINT}"
    )]
    NotXml { detail: String },

    #[error(
        "the XML contains a DOCTYPE/DTD (document type or entity declarations), which Identity \
         Center never sends and this tool refuses for safety; nothing in it was expanded or \
         fetched. {COPY_HINT}"
    )]
    DtdForbidden,

    #[error(
        "this is SAML metadata (the file that describes an identity provider), not a \
         SAMLResponse. Check metadata with `connect-sso metadata check FILE`. {COPY_HINT}"
    )]
    Metadata,

    #[error(
        "this is a lone <Assertion>; the inspector needs the whole <Response> around it to \
         check where it was sent. Copy the whole SAMLResponse value instead. {COPY_HINT}"
    )]
    BareAssertion,

    #[error(
        "the XML is not a SAMLResponse: its top-level element is {root}, where <Response> in \
         namespace {PROTOCOL_NS} was expected. {COPY_HINT}"
    )]
    NotResponse { root: String },
}

/// Reads what the admin copied: raw XML, base64 (with or without line breaks), URL-encoded
/// base64, or a whole form body `SAMLResponse=...&RelayState=...`.
pub fn decode(input: &[u8]) -> Result<Decoded, AssertionError> {
    if input.len() > MAX_INPUT_BYTES {
        return Err(AssertionError::TooLarge {
            len: input.len(),
            max: MAX_INPUT_BYTES,
        });
    }
    let text = std::str::from_utf8(strip_bom(input)).map_err(|_| AssertionError::NotText)?;
    let text = text.trim();
    if text.is_empty() {
        return Err(AssertionError::Empty);
    }
    if text.starts_with('<') {
        if looks_like_html(text) {
            return Err(AssertionError::HtmlPage);
        }
        return Ok(Decoded {
            xml: text.to_owned(),
            relay_state: None,
            kind: InputKind::Xml,
        });
    }

    let (value, relay_state, kind) = match form_fields(text) {
        Some(fields) => {
            let find = |key: &str| {
                fields
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(key))
                    .map(|(_, v)| *v)
            };
            let Some(response) = find("SAMLResponse") else {
                if find("SAMLRequest").is_some() {
                    return Err(AssertionError::SamlRequest);
                }
                let names: Vec<String> = fields.iter().map(|(k, _)| clip(k, 40)).take(10).collect();
                return Err(AssertionError::NoSamlResponseField {
                    fields: names.join(", "),
                });
            };
            // Base64's '+' arrives as %2B in a form body, so a literal '+' is kept as it is.
            let relay = find("RelayState")
                .map(|r| percent_decode(&r.replace('+', " ")))
                .filter(|r| !r.is_empty());
            (percent_decode(response), relay, InputKind::FormBody)
        }
        None if text.contains('%') => (percent_decode(text), None, InputKind::UrlEncodedBase64),
        None => (text.to_owned(), None, InputKind::Base64),
    };
    let value = value.trim().trim_matches('"');
    let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.is_empty() {
        return Err(AssertionError::Empty);
    }
    let bytes = decode_base64_lenient(&compact)?;
    if bytes.len() > MAX_XML_BYTES {
        return Err(AssertionError::TooLarge {
            len: bytes.len(),
            max: MAX_XML_BYTES,
        });
    }
    let xml = std::str::from_utf8(strip_bom(&bytes)).map_err(|_| AssertionError::DecodedNotXml)?;
    let xml = xml.trim();
    if !xml.starts_with('<') {
        return Err(AssertionError::DecodedNotXml);
    }
    if looks_like_html(xml) {
        return Err(AssertionError::HtmlPage);
    }
    Ok(Decoded {
        xml: xml.to_owned(),
        relay_state,
        kind,
    })
}

/// The `key=value` (or, as developer tools show parsed form data, `key: value`) fields of a
/// form body; `None` when the text is a single value.
fn form_fields(text: &str) -> Option<Vec<(&str, &str)>> {
    // A whole URL or a query string: keep what follows the '?'.
    let body = match text.split_once('?') {
        Some((before, after)) if !before.contains('=') => after,
        _ => text,
    };
    let is_key = |k: &str| {
        !k.is_empty() && k.len() <= 64 && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    // "abc=" may be base64 padding; an empty value only counts for the fields of the form.
    let known = |k: &str| {
        ["SAMLResponse", "SAMLRequest", "RelayState"]
            .iter()
            .any(|f| f.eq_ignore_ascii_case(k))
    };
    let mut fields = Vec::new();
    for part in body
        .split(['&', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let field = part
            .split_once('=')
            .filter(|(k, v)| {
                is_key(k) && (known(k) || (!v.is_empty() && !v.chars().all(|c| c == '=')))
            })
            .or_else(|| part.split_once(": ").filter(|(k, _)| is_key(k)));
        match field {
            Some((k, v)) => fields.push((k, v.trim())),
            // Base64 never holds '&', and a value ends at most in "==": not a form.
            None => return None,
        }
    }
    (!fields.is_empty()).then_some(fields)
}

fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

fn decode_base64_lenient(compact: &str) -> Result<Vec<u8>, AssertionError> {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    let config =
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    let standard = GeneralPurpose::new(&base64::alphabet::STANDARD, config);
    let url_safe = GeneralPurpose::new(&base64::alphabet::URL_SAFE, config);
    standard.decode(compact).or_else(|first| {
        url_safe
            .decode(compact)
            .map_err(|_| AssertionError::NotBase64 {
                detail: first.to_string(),
            })
    })
}

fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(max).collect::<String>())
    }
}

fn looks_like_html(text: &str) -> bool {
    let head: String = text
        .chars()
        .take(2048)
        .collect::<String>()
        .to_ascii_lowercase();
    let trimmed = skip_prolog(&head);
    // A tag, not a longer name such as <headers>.
    let has_tag = |tag: &str| {
        head.match_indices(tag).any(|(at, _)| {
            head[at + tag.len()..]
                .chars()
                .next()
                .is_none_or(|c| c == '>' || c == '/' || c.is_ascii_whitespace())
        })
    };
    trimmed.starts_with("<!doctype html")
        || (trimmed.starts_with("<html") && has_tag("<html"))
        || (!trimmed.starts_with("<saml") && ["<html", "<head", "<body"].into_iter().any(has_tag))
}

/// The text after the XML declaration, processing instructions and comments.
fn skip_prolog(text: &str) -> &str {
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        let after = if let Some(pi) = rest.strip_prefix("<?") {
            pi.find("?>").map(|end| &pi[end + 2..])
        } else if let Some(comment) = rest.strip_prefix("<!--") {
            comment.find("-->").map(|end| &comment[end + 3..])
        } else {
            return rest;
        };
        match after {
            Some(after) => rest = after,
            None => return rest,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing

/// What a SAMLResponse says, and whether its signatures hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SamlResponse {
    pub id: Option<String>,
    pub destination: Option<String>,
    pub issue_instant: Option<String>,
    pub in_response_to: Option<String>,
    pub issuer: Option<String>,
    /// Top-level `StatusCode/@Value`.
    pub status_code: Option<String>,
    /// Second-level status code, which says why a response is not a success.
    pub status_detail: Option<String>,
    pub status_message: Option<String>,
    /// The first `Assertion` child of the response: the one every value is read from.
    pub assertion: Option<Assertion>,
    /// `Assertion` children of the response (more than one is unusual).
    pub assertion_count: usize,
    /// `EncryptedAssertion` children, which this inspector cannot read.
    pub encrypted_assertion_count: usize,
    /// Every `ds:Signature` in the document, in document order.
    pub signatures: Vec<SignatureReport>,
    /// Signatures beyond [`MAX_SIGNATURES`], not verified.
    pub unverified_signatures: usize,
}

/// The values of the assertion the checks are about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assertion {
    pub id: Option<String>,
    pub issue_instant: Option<String>,
    pub issuer: Option<String>,
    pub name_id: Option<String>,
    pub name_id_format: Option<String>,
    pub subject_confirmations: Vec<SubjectConfirmation>,
    /// `Conditions/@NotBefore`.
    pub not_before: Option<String>,
    /// `Conditions/@NotOnOrAfter`.
    pub not_on_or_after: Option<String>,
    pub audiences: Vec<String>,
    /// `AuthnStatement/@SessionNotOnOrAfter`.
    pub session_not_on_or_after: Option<String>,
    pub attributes: Vec<Attribute>,
    /// Indexes in [`SamlResponse::signatures`] of the signatures over this assertion or over
    /// the response that holds it.
    pub covered_by: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubjectConfirmation {
    pub method: Option<String>,
    pub recipient: Option<String>,
    pub not_before: Option<String>,
    pub not_on_or_after: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attribute {
    pub name: String,
    pub name_format: Option<String>,
    pub friendly_name: Option<String>,
    pub values: Vec<String>,
}

impl SamlResponse {
    /// The values of every attribute named exactly `name`.
    pub fn attribute_values(&self, name: &str) -> Vec<&str> {
        self.assertion
            .iter()
            .flat_map(|a| &a.attributes)
            .filter(|a| a.name == name)
            .flat_map(|a| a.values.iter().map(String::as_str))
            .collect()
    }

    /// The RoleSessionName value: the Connect user name sign-in will look for.
    pub fn role_session_name(&self) -> Option<&str> {
        self.attribute_values(ROLE_SESSION_NAME_ATTRIBUTE)
            .first()
            .copied()
    }

    /// The role ARNs of the Role attribute's pairs, in either order.
    pub fn role_arns(&self) -> Vec<String> {
        self.attribute_values(ROLE_ATTRIBUTE)
            .iter()
            .filter_map(|v| RolePair::parse(v).ok())
            .map(|p| p.role)
            .collect()
    }

    /// A valid signature covers the assertion the values come from.
    pub fn assertion_signed(&self) -> bool {
        self.assertion.as_ref().is_some_and(|a| {
            a.covered_by.iter().any(|i| {
                self.signatures
                    .get(*i)
                    .is_some_and(SignatureReport::is_valid)
            })
        })
    }
}

/// Parses a SAMLResponse and verifies its signatures; errors only when the XML is not a
/// response at all. Missing parts are left for [`check`] to report.
pub fn parse(xml: &str) -> Result<SamlResponse, AssertionError> {
    if xml.len() > MAX_XML_BYTES {
        return Err(AssertionError::TooLarge {
            len: xml.len(),
            max: MAX_XML_BYTES,
        });
    }
    let text = xml.trim_start_matches('\u{FEFF}');
    if text.trim().is_empty() {
        return Err(AssertionError::Empty);
    }
    let prolog = skip_prolog(text);
    if prolog
        .get(..9)
        .is_some_and(|p| p.eq_ignore_ascii_case("<!doctype"))
    {
        return Err(if looks_like_html(text) {
            AssertionError::HtmlPage
        } else {
            AssertionError::DtdForbidden
        });
    }
    let options = roxmltree::ParsingOptions {
        // Never expand entities or fetch external DTDs (XXE, billion laughs).
        allow_dtd: false,
        nodes_limit: MAX_NODES,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = match roxmltree::Document::parse_with_options(text, options) {
        Ok(doc) => doc,
        Err(roxmltree::Error::DtdDetected) => return Err(AssertionError::DtdForbidden),
        Err(_) if looks_like_html(text) => return Err(AssertionError::HtmlPage),
        Err(e) => {
            return Err(AssertionError::NotXml {
                detail: e.to_string(),
            });
        }
    };
    let root = doc.root_element();
    if !is_in(root, PROTOCOL_NS, "Response") {
        let name = root.tag_name().name();
        return Err(match root.tag_name().namespace() {
            Some(METADATA_NS) => AssertionError::Metadata,
            Some(ASSERTION_NS) if name == "Assertion" => AssertionError::BareAssertion,
            _ if name.eq_ignore_ascii_case("html") => AssertionError::HtmlPage,
            Some(ns) => AssertionError::NotResponse {
                root: format!("<{}> in namespace {}", clip(name, 60), clip(ns, 100)),
            },
            None => AssertionError::NotResponse {
                root: format!("<{}> with no namespace", clip(name, 60)),
            },
        });
    }

    let status = child(root, PROTOCOL_NS, "Status");
    let status_code = status.and_then(|s| child(s, PROTOCOL_NS, "StatusCode"));
    let assertions: Vec<Node<'_, '_>> = children(root, ASSERTION_NS, "Assertion").collect();

    let all_signatures: Vec<Node<'_, '_>> = doc
        .descendants()
        .filter(|n| is_in(*n, super::metadata::XMLDSIG_NS, "Signature"))
        .collect();
    let signatures = signature::verify_all(
        &doc,
        &all_signatures[..all_signatures.len().min(MAX_SIGNATURES)],
    );

    let assertion = assertions.first().map(|a| {
        let mut assertion = read_assertion(*a);
        assertion.covered_by = signatures
            .iter()
            .enumerate()
            .filter(|(_, s)| s.target == Some(a.id()) || s.target == Some(root.id()))
            .map(|(i, _)| i)
            .collect();
        assertion
    });

    Ok(SamlResponse {
        id: attr(root, "ID"),
        destination: attr(root, "Destination"),
        issue_instant: attr(root, "IssueInstant"),
        in_response_to: attr(root, "InResponseTo"),
        issuer: child(root, ASSERTION_NS, "Issuer").map(signature::element_text),
        status_code: status_code.and_then(|c| attr(c, "Value")),
        status_detail: status_code
            .and_then(|c| child(c, PROTOCOL_NS, "StatusCode"))
            .and_then(|c| attr(c, "Value")),
        status_message: status
            .and_then(|s| child(s, PROTOCOL_NS, "StatusMessage"))
            .map(signature::element_text),
        assertion,
        assertion_count: assertions.len(),
        encrypted_assertion_count: children(root, ASSERTION_NS, "EncryptedAssertion").count(),
        signatures,
        unverified_signatures: all_signatures.len().saturating_sub(MAX_SIGNATURES),
    })
}

fn read_assertion(a: Node<'_, '_>) -> Assertion {
    let subject = child(a, ASSERTION_NS, "Subject");
    let name_id = subject.and_then(|s| child(s, ASSERTION_NS, "NameID"));
    let conditions = child(a, ASSERTION_NS, "Conditions");
    let subject_confirmations = subject
        .into_iter()
        .flat_map(|s| children(s, ASSERTION_NS, "SubjectConfirmation"))
        .map(|c| {
            let data = child(c, ASSERTION_NS, "SubjectConfirmationData");
            SubjectConfirmation {
                method: attr(c, "Method"),
                recipient: data.and_then(|d| attr(d, "Recipient")),
                not_before: data.and_then(|d| attr(d, "NotBefore")),
                not_on_or_after: data.and_then(|d| attr(d, "NotOnOrAfter")),
            }
        })
        .collect();
    let audiences = conditions
        .into_iter()
        .flat_map(|c| children(c, ASSERTION_NS, "AudienceRestriction"))
        .flat_map(|r| children(r, ASSERTION_NS, "Audience"))
        .map(signature::element_text)
        .collect();
    let attributes = children(a, ASSERTION_NS, "AttributeStatement")
        .flat_map(|s| children(s, ASSERTION_NS, "Attribute"))
        .map(|at| Attribute {
            name: at.attribute("Name").unwrap_or_default().to_owned(),
            name_format: attr(at, "NameFormat"),
            friendly_name: attr(at, "FriendlyName"),
            values: children(at, ASSERTION_NS, "AttributeValue")
                .map(signature::element_text)
                .collect(),
        })
        .collect();
    Assertion {
        id: attr(a, "ID"),
        issue_instant: attr(a, "IssueInstant"),
        issuer: child(a, ASSERTION_NS, "Issuer").map(signature::element_text),
        name_id: name_id.map(signature::element_text),
        name_id_format: name_id.and_then(|n| attr(n, "Format")),
        subject_confirmations,
        not_before: conditions.and_then(|c| attr(c, "NotBefore")),
        not_on_or_after: conditions.and_then(|c| attr(c, "NotOnOrAfter")),
        audiences,
        session_not_on_or_after: children(a, ASSERTION_NS, "AuthnStatement")
            .find_map(|s| attr(s, "SessionNotOnOrAfter")),
        attributes,
        covered_by: Vec::new(),
    }
}

fn is_in(node: Node<'_, '_>, ns: &str, local: &str) -> bool {
    node.is_element() && node.tag_name().namespace() == Some(ns) && node.tag_name().name() == local
}

fn children<'a, 'input: 'a>(
    node: Node<'a, 'input>,
    ns: &'static str,
    local: &'static str,
) -> impl Iterator<Item = Node<'a, 'input>> {
    node.children().filter(move |n| is_in(*n, ns, local))
}

fn child<'a, 'input: 'a>(
    node: Node<'a, 'input>,
    ns: &'static str,
    local: &'static str,
) -> Option<Node<'a, 'input>> {
    children(node, ns, local).next()
}

fn attr(node: Node<'_, '_>, name: &str) -> Option<String> {
    node.attribute(name).map(str::to_owned)
}

/// Decodes one `<X509Certificate>` body; the error is a plain-words detail.
pub(crate) fn decode_certificate(text: &str) -> Result<SigningCertificate, String> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    if compact.is_empty() {
        return Err("the certificate element is empty".to_owned());
    }
    let der = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map_err(|e| format!("the text is not valid base64: {e}"))?;
    let (_, cert) = X509Certificate::from_der(&der)
        .map_err(|e| format!("the data is not an X.509 certificate: {e}"))?;
    let (key_algorithm, key_bits) = match cert.public_key().parsed() {
        Ok(PublicKey::RSA(rsa)) => ("RSA".to_owned(), significant_bits(rsa.modulus)),
        Ok(PublicKey::EC(point)) => (
            "EC".to_owned(),
            u32::try_from(point.key_size()).unwrap_or(0),
        ),
        Ok(other) => (
            cert.public_key().algorithm.algorithm.to_id_string(),
            u32::try_from(other.key_size()).unwrap_or(0),
        ),
        Err(_) => (cert.public_key().algorithm.algorithm.to_id_string(), 0),
    };
    let validity = cert.validity();
    Ok(SigningCertificate {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        not_before: validity.not_before.to_datetime(),
        not_after: validity.not_after.to_datetime(),
        key_algorithm,
        key_bits,
        sha256_fingerprint: fingerprint(&der),
        der,
    })
}

fn significant_bits(be: &[u8]) -> u32 {
    match be.iter().position(|b| *b != 0) {
        Some(first) => {
            let bits = (be.len() - first - 1) * 8 + (8 - be[first].leading_zeros() as usize);
            u32::try_from(bits).unwrap_or(u32::MAX)
        }
        None => 0,
    }
}

/// SHA-256 of a certificate, as `openssl x509 -fingerprint -sha256` shows it.
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

// ---------------------------------------------------------------------------------------------
// The Role attribute

/// One value of the Role attribute: a role ARN and a SAML provider ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RolePair {
    pub role: String,
    pub provider: String,
    /// The provider ARN came first (AWS accepts both orders; the guide writes the role first).
    pub provider_first: bool,
    /// Whitespace around the comma or the value, which IAM rejects.
    pub spaced: bool,
}

impl RolePair {
    /// Reads `role_arn,provider_arn` (either order); the error says what shape is wrong.
    pub fn parse(value: &str) -> Result<RolePair, String> {
        let parts: Vec<&str> = value.split(',').collect();
        let [first, second] = parts.as_slice() else {
            return Err(format!(
                "it holds {} comma-separated parts, where exactly two (a role ARN and a SAML \
                 provider ARN) are expected",
                parts.len()
            ));
        };
        let spaced = parts.iter().any(|p| p.trim() != *p);
        let (first, second) = (first.trim(), second.trim());
        let pair = |role: &str, provider: &str, provider_first| RolePair {
            role: role.to_owned(),
            provider: provider.to_owned(),
            provider_first,
            spaced,
        };
        match (arn_kind(first), arn_kind(second)) {
            (Some(ArnKind::Role), Some(ArnKind::Provider)) => Ok(pair(first, second, false)),
            (Some(ArnKind::Provider), Some(ArnKind::Role)) => Ok(pair(second, first, true)),
            _ => Err(
                "it does not hold one IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME) and one SAML \
                 provider ARN (arn:aws:iam::ACCOUNT:saml-provider/NAME)"
                    .to_owned(),
            ),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ArnKind {
    Role,
    Provider,
}

fn arn_kind(arn: &str) -> Option<ArnKind> {
    let fields: Vec<&str> = arn.splitn(6, ':').collect();
    let [scheme, partition, service, region, account, resource] = fields.as_slice() else {
        return None;
    };
    if *scheme != "arn"
        || !partition.starts_with("aws")
        || *service != "iam"
        || !region.is_empty()
        || account.len() != 12
        || !account.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    if resource
        .strip_prefix("role/")
        .is_some_and(|n| !n.is_empty())
    {
        Some(ArnKind::Role)
    } else if resource
        .strip_prefix("saml-provider/")
        .is_some_and(|n| !n.is_empty())
    {
        Some(ArnKind::Provider)
    } else {
        None
    }
}

fn arn_account(arn: &str) -> Option<&str> {
    arn.split(':').nth(4)
}

/// The role's name: the last segment of its ARN's resource (roles may have a path).
pub fn role_name_of(arn: &str) -> Option<&str> {
    let resource = arn.splitn(6, ':').nth(5)?;
    resource
        .strip_prefix("role/")?
        .rsplit('/')
        .next()
        .filter(|n| !n.is_empty())
}

// ---------------------------------------------------------------------------------------------
// Checking

/// How a finding counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Pass,
    Info,
    Warn,
    Fail,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Pass => "ok",
            Severity::Info => "info",
            Severity::Warn => "warn",
            Severity::Fail => "fail",
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Severity::Pass => "✓",
            Severity::Info => "i",
            Severity::Warn => "!",
            Severity::Fail => "✗",
        }
    }
}

/// One checked field: what was seen, what was expected, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub field: String,
    pub severity: Severity,
    pub seen: Option<String>,
    pub expected: Option<String>,
    pub fix: Option<String>,
    /// Id of the matching entry of `connect-sso troubleshoot`.
    pub trouble: Option<&'static str>,
}

impl Finding {
    pub fn new(field: impl Into<String>, severity: Severity) -> Finding {
        Finding {
            field: field.into(),
            severity,
            seen: None,
            expected: None,
            fix: None,
            trouble: None,
        }
    }

    pub fn seen(mut self, seen: impl Into<String>) -> Finding {
        self.seen = Some(seen.into());
        self
    }

    pub fn expected(mut self, expected: impl Into<String>) -> Finding {
        self.expected = Some(expected.into());
        self
    }

    pub fn fix(mut self, fix: impl Into<String>) -> Finding {
        self.fix = Some(fix.into());
        self
    }

    pub fn trouble(mut self, id: &'static str) -> Finding {
        self.trouble = Some(id);
        self
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.severity.label(), self.field)?;
        if let Some(seen) = &self.seen {
            write!(f, ": seen {seen}")?;
        }
        if let Some(expected) = &self.expected {
            write!(f, ", expected {expected}")?;
        }
        if let Some(fix) = &self.fix {
            write!(f, ". {fix}")?;
        }
        Ok(())
    }
}

/// What the response must say for this setup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectations {
    pub acs_urls: Vec<String>,
    pub audience: String,
    pub role_arn: String,
    pub provider_arn: String,
    /// DER of the certificates AWS trusts (the IAM SAML provider's metadata, or the supplied
    /// Identity Center metadata); `None` when unknown.
    pub trusted_certificates: Option<Vec<Vec<u8>>>,
    /// Where the trusted certificates come from, for messages ("the IAM SAML provider").
    pub trusted_from: Option<String>,
    /// The metadata's `entityID`.
    pub expected_issuer: Option<String>,
    /// The relay state the setup generates (without a deep link).
    pub relay_state: Option<String>,
}

impl Expectations {
    pub fn from_setup(setup: &Setup) -> Expectations {
        Expectations {
            acs_urls: setup.acs_urls(),
            audience: setup.audience().to_owned(),
            role_arn: setup.role_arn(),
            provider_arn: setup.provider_arn(),
            trusted_certificates: None,
            trusted_from: None,
            expected_issuer: None,
            relay_state: Some(setup.relay_state(None)),
        }
    }

    /// Trust the signing certificates and the entity id of `metadata`, found at `from`.
    pub fn trusting(mut self, metadata: &IdpMetadata, from: &str) -> Expectations {
        self.trusted_certificates = Some(
            metadata
                .certificates
                .iter()
                .map(|c| c.der.clone())
                .collect(),
        );
        self.trusted_from = Some(from.to_owned());
        self.expected_issuer = Some(metadata.entity_id.clone());
        self
    }
}

impl From<&Setup> for Expectations {
    fn from(setup: &Setup) -> Expectations {
        Expectations::from_setup(setup)
    }
}

const INVALID: &str = "invalid-saml-response";
const ACS: &str = "wrong-acs-url";
const ASSUME: &str = "not-authorized-assume-role";
const UPN: &str = "windows-upn";
const EXPIRED: &str = "session-expired";
const CERTIFICATE: &str = "certificate";
const ONBOARDED: &str = "not-onboarded";
const RELAY: &str = "wrong-relay-state";

const MAPPINGS_FIX: &str = "In IAM Identity Center, open the application's Attribute mappings \
     and copy the mappings of step 10 from connect-sso exactly (`connect-sso plan` prints them)";

/// Checks the response against `exp` at `now`, most basic first.
pub fn check(resp: &SamlResponse, exp: &Expectations, now: OffsetDateTime) -> Vec<Finding> {
    let mut out = Vec::new();
    check_status(resp, &mut out);
    let Some(assertion) = check_assertion_count(resp, &mut out) else {
        check_signatures(resp, None, exp, now, &mut out);
        return out;
    };
    check_signatures(resp, Some(assertion), exp, now, &mut out);
    check_issuer(resp, assertion, exp, &mut out);
    check_destination(resp, exp, &mut out);
    check_recipient(assertion, exp, &mut out);
    check_audience(assertion, exp, &mut out);
    check_times(resp, assertion, now, &mut out);
    check_role(assertion, exp, &mut out);
    check_role_session_name(assertion, &mut out);
    check_name_id(assertion, &mut out);
    check_session_duration(assertion, &mut out);
    out
}

fn check_status(resp: &SamlResponse, out: &mut Vec<Finding>) {
    let field = "Status";
    match resp.status_code.as_deref() {
        Some(STATUS_SUCCESS) => out.push(Finding::new(field, Severity::Pass).seen(STATUS_SUCCESS)),
        seen => {
            let mut seen_text = seen.unwrap_or("(no StatusCode)").to_owned();
            if let Some(detail) = &resp.status_detail {
                seen_text.push_str(&format!(" / {detail}"));
            }
            if let Some(message) = &resp.status_message {
                seen_text.push_str(&format!(": {message}"));
            }
            out.push(
                Finding::new(field, Severity::Fail)
                    .seen(seen_text)
                    .expected(STATUS_SUCCESS)
                    .fix(
                        "The identity provider did not sign the user in, so AWS will refuse \
                         this response. Read the status above; check that the user is assigned \
                         to the application (step 11) and signs in from the AWS access portal",
                    ),
            );
        }
    }
}

fn check_assertion_count<'a>(
    resp: &'a SamlResponse,
    out: &mut Vec<Finding>,
) -> Option<&'a Assertion> {
    let field = "Assertion";
    match (resp.assertion.as_ref(), resp.encrypted_assertion_count) {
        (None, 0) => {
            out.push(
                Finding::new(field, Severity::Fail)
                    .seen("none")
                    .expected("one <Assertion>")
                    .fix(
                        "The response carries no assertion, so there is nothing to sign in \
                         with. Capture the response of a successful sign-in from the AWS access \
                         portal",
                    )
                    .trouble(INVALID),
            );
            None
        }
        (None, n) => {
            // AWS can take encrypted assertions (the SAML provider then holds a private key),
            // so this is not necessarily broken; it only cannot be inspected here.
            out.push(
                Finding::new(field, Severity::Warn)
                    .seen(format!("{n} <EncryptedAssertion>"))
                    .expected("a readable <Assertion>")
                    .fix(
                        "The assertion is encrypted and this inspector cannot decrypt it, so \
                         none of its values could be checked. Identity Center does not encrypt \
                         assertions unless the IAM SAML provider asks for it; to inspect, turn \
                         encryption off for a test, or check the application's attribute \
                         mappings against `connect-sso plan`",
                    ),
            );
            None
        }
        (Some(a), encrypted) => {
            let total = resp.assertion_count + encrypted;
            if total > 1 {
                out.push(
                    Finding::new(field, Severity::Warn)
                        .seen(format!("{total} assertions"))
                        .expected("one")
                        .fix(
                            "Identity Center sends one assertion; only the first is checked \
                             here. A response with several may have been tampered with",
                        ),
                );
            } else {
                out.push(
                    Finding::new(field, Severity::Pass)
                        .seen(a.id.clone().unwrap_or_else(|| "(no ID)".into())),
                );
            }
            Some(a)
        }
    }
}

fn describe_signature(s: &SignatureReport) -> String {
    let covers = if s.covers.is_empty() {
        "nothing found".to_owned()
    } else {
        format!(
            "<{}> {}",
            s.covers,
            s.reference_uri.as_deref().unwrap_or("")
        )
    };
    let cert = s
        .signing_certificate()
        .or(s.certificates.first())
        .map(|c| {
            format!(
                "; certificate SHA-256 {} ({})",
                c.sha256_fingerprint, c.subject
            )
        })
        .unwrap_or_default();
    format!(
        "covers {covers}; digest {}; signature {}{cert}",
        if s.digest_ok { "ok" } else { "does not match" },
        if s.signature_ok { "ok" } else { "not verified" },
    )
}

fn check_signatures(
    resp: &SamlResponse,
    assertion: Option<&Assertion>,
    exp: &Expectations,
    now: OffsetDateTime,
    out: &mut Vec<Finding>,
) {
    if resp.signatures.is_empty() {
        out.push(
            Finding::new("Signature", Severity::Fail)
                .seen("none: the response is not signed")
                .expected("a signature by Identity Center over the assertion")
                .fix(
                    "AWS only accepts signed responses and Identity Center always signs them, \
                     so this is not an unmodified Identity Center response. Capture it again",
                )
                .trouble(INVALID),
        );
        return;
    }
    let covered = |i: usize| assertion.is_some_and(|a| a.covered_by.contains(&i));
    for (i, s) in resp.signatures.iter().enumerate() {
        let field = format!(
            "Signature on {}",
            if s.covers.is_empty() {
                "?"
            } else {
                s.covers.as_str()
            }
        );
        let finding = Finding::new(field, Severity::Pass).seen(describe_signature(s));
        if !s.is_valid() {
            let mut fix = s
                .problem
                .clone()
                .unwrap_or_else(|| "the signature does not verify".to_owned());
            fix.push_str(
                ". AWS rejects a response whose signature does not verify: capture it again \
                 without editing it (if you changed it on purpose, this is the expected result)",
            );
            let no_key = s.digest_ok && s.certificates.is_empty();
            let finding = Finding {
                severity: if no_key && exp.trusted_certificates.is_some() {
                    Severity::Info
                } else {
                    Severity::Fail
                },
                ..finding
            };
            out.push(
                finding
                    .expected("digest and signature verified")
                    .fix(fix)
                    .trouble(INVALID),
            );
        } else if !covered(i) {
            out.push(Finding {
                severity: Severity::Warn,
                ..finding
                    .expected("a signature over the assertion that is checked, or its response")
                    .fix(format!(
                        "This signature is valid but covers a <{}> that is not the assertion \
                         whose values are checked; only the first assertion of the response \
                         counts. A response rearranged like this may be a signature-wrapping \
                         attempt",
                        s.covers
                    ))
            });
        } else {
            out.push(finding.expected("digest and signature verified"));
        }
        for weak in &s.weak {
            out.push(
                Finding::new(
                    format!("Signature on {} algorithm", s.covers),
                    Severity::Warn,
                )
                .seen(weak.clone())
                .expected("RSA-SHA256 with a 2048-bit key or longer")
                .fix(
                    "Identity Center signs with RSA-SHA256; a weaker signature suggests \
                         the response does not come from Identity Center",
                ),
            );
        }
    }
    if resp.unverified_signatures > 0 {
        out.push(
            Finding::new("Signature", Severity::Warn)
                .seen(format!(
                    "{} more signatures, not verified",
                    resp.unverified_signatures
                ))
                .expected("one or two signatures")
                .fix("Identity Center signs once; so many signatures suggest a forged response"),
        );
    }
    let Some(assertion) = assertion else {
        return;
    };

    // Signatures over the checked assertion whose digest holds: the candidates for trust.
    let covering: Vec<&SignatureReport> = assertion
        .covered_by
        .iter()
        .filter_map(|i| resp.signatures.get(*i))
        .filter(|s| s.digest_ok && !s.signed_info.is_empty())
        .collect();
    if !resp.assertion_signed() {
        let trusted_verifies = exp.trusted_certificates.as_ref().is_some_and(|trusted| {
            covering
                .iter()
                .any(|s| trusted.iter().any(|t| s.verifies_with(t)))
        });
        if !trusted_verifies {
            out.push(
                Finding::new("Signed assertion", Severity::Fail)
                    .seen("no valid signature covers the assertion whose values are checked")
                    .expected("a valid signature over the assertion, or over the response")
                    .fix(
                        "AWS would reject this response. If the signatures above are valid, \
                         they sign another element than the assertion that is read: the \
                         response was rearranged (signature wrapping). Capture a fresh, \
                         unedited response",
                    )
                    .trouble(INVALID),
            );
            return;
        }
    }

    // The certificate that signed, and whether AWS trusts it.
    let signing: Vec<&SigningCertificate> = covering
        .iter()
        .filter(|s| s.signature_ok)
        .filter_map(|s| s.signing_certificate())
        .collect();
    match &exp.trusted_certificates {
        Some(trusted) => {
            let from = exp
                .trusted_from
                .as_deref()
                .unwrap_or("the trusted metadata");
            let trusted_by_der = signing.iter().find(|c| trusted.contains(&c.der));
            let trusted_by_key = covering
                .iter()
                .any(|s| trusted.iter().any(|t| s.verifies_with(t)));
            let expected = trusted
                .iter()
                .map(|der| fingerprint(der))
                .collect::<Vec<_>>()
                .join(" or ");
            match (trusted_by_der, trusted_by_key) {
                (Some(cert), _) => out.push(
                    Finding::new("Signing certificate", Severity::Pass)
                        .seen(format!("SHA-256 {}", cert.sha256_fingerprint))
                        .expected(format!("a certificate of {from}")),
                ),
                (None, true) => out.push(
                    Finding::new("Signing certificate", Severity::Pass)
                        .seen("signed with the key of a trusted certificate")
                        .expected(format!("a certificate of {from}")),
                ),
                (None, false) => out.push(
                    Finding::new("Signing certificate", Severity::Fail)
                        .seen(
                            signing
                                .first()
                                .map(|c| {
                                    format!("SHA-256 {} ({})", c.sha256_fingerprint, c.subject)
                                })
                                .unwrap_or_else(|| "an unknown key".into()),
                        )
                        .expected(format!("SHA-256 {expected} ({from})"))
                        .fix(format!(
                            "The response is signed with a certificate that {from} does not \
                             hold, so AWS cannot trust the signature: Identity Center's \
                             certificate was rotated, or the metadata belongs to another \
                             application. Download the application's metadata again (step 2) \
                             and run `connect-sso apply --metadata FILE`, which updates the IAM \
                             SAML provider"
                        ))
                        .trouble(CERTIFICATE),
                ),
            }
        }
        // Anyone can sign with a certificate of their own: without one to compare with, a valid
        // signature proves nothing about who sent the response.
        None => out.push(
            Finding::new("Signing certificate", Severity::Warn)
                .seen(
                    signing
                        .first()
                        .map(|c| format!("SHA-256 {} ({})", c.sha256_fingerprint, c.subject))
                        .unwrap_or_else(|| "unknown".into()),
                )
                .fix(
                    "Not compared with what AWS trusts: give --metadata FILE (the application's \
                     Identity Center metadata), or run without --offline to compare with the \
                     IAM SAML provider",
                ),
        ),
    }

    let mut seen_fingerprints = Vec::new();
    for cert in signing {
        if seen_fingerprints.contains(&&cert.sha256_fingerprint) {
            continue;
        }
        seen_fingerprints.push(&cert.sha256_fingerprint);
        let field = "Certificate validity";
        let period = format!(
            "{} to {}",
            format_date(&cert.not_before),
            format_date(&cert.not_after)
        );
        let rotate = "In IAM Identity Center, open the application, add a new certificate and \
             make it active; then download the metadata (step 2) and run `connect-sso apply \
             --metadata FILE` to update the IAM SAML provider";
        out.push(match cert.validity(now) {
            CertValidity::Expired => Finding::new(field, Severity::Fail)
                .seen(format!("expired on {}", format_date(&cert.not_after)))
                .expected(format!("valid now ({period})"))
                .fix(format!(
                    "If this computer's date is right, the certificate has expired. {rotate}"
                ))
                .trouble(CERTIFICATE),
            CertValidity::NotYetValid => Finding::new(field, Severity::Fail)
                .seen(format!("valid only from {}", format_date(&cert.not_before)))
                .expected(format!("valid now ({period})"))
                .fix(
                    "Check this computer's date, time and time zone; if they are right, the \
                      identity provider signs with a certificate that is not valid yet",
                )
                .trouble(CERTIFICATE),
            CertValidity::Valid { days_left } if days_left <= EXPIRY_WARNING_DAYS => {
                Finding::new(field, Severity::Warn)
                    .seen(format!(
                        "expires in {days_left} days, on {}",
                        format_date(&cert.not_after)
                    ))
                    .expected(format!("more than {EXPIRY_WARNING_DAYS} days left"))
                    .fix(format!("Sign-in stops working when it expires. {rotate}"))
                    .trouble(CERTIFICATE)
            }
            CertValidity::Valid { .. } => Finding::new(field, Severity::Pass).seen(period),
        });
    }
}

fn check_issuer(resp: &SamlResponse, a: &Assertion, exp: &Expectations, out: &mut Vec<Finding>) {
    let field = "Issuer";
    let seen = a.issuer.as_deref().or(resp.issuer.as_deref());
    let Some(expected) = exp.expected_issuer.as_deref() else {
        out.push(
            Finding::new(field, Severity::Info)
                .seen(seen.unwrap_or("(none)"))
                .fix("Not compared: give --metadata FILE, or run without --offline, to compare it with the metadata's entity ID"),
        );
        return;
    };
    let wrong: Vec<&str> = [a.issuer.as_deref(), resp.issuer.as_deref()]
        .into_iter()
        .flatten()
        .filter(|i| i.trim() != expected)
        .collect();
    if a.issuer.is_none() {
        out.push(
            Finding::new(field, Severity::Fail)
                .seen("the assertion has no Issuer")
                .expected(expected)
                .fix("AWS needs the assertion's Issuer to find the SAML provider; this is not an unmodified Identity Center response")
                .trouble(INVALID),
        );
    } else if let Some(other) = wrong.first() {
        let from = exp.trusted_from.as_deref().unwrap_or("the metadata");
        out.push(
            Finding::new(field, Severity::Fail)
                .seen(*other)
                .expected(format!("{expected} (the entity ID of {from})"))
                .fix(format!(
                    "The response comes from another identity provider or application than \
                     {from} describes. Download the metadata of the application users sign in \
                     with (step 2) and run `connect-sso apply --metadata FILE`"
                ))
                .trouble(INVALID),
        );
    } else {
        out.push(
            Finding::new(field, Severity::Pass)
                .seen(expected)
                .expected(expected),
        );
    }
}

/// Which AWS sign-in endpoint a URL is, in words, when it is one.
fn describe_sign_in_url(url: &str) -> Option<String> {
    let host = url.strip_prefix("https://")?.strip_suffix("/saml")?;
    match host {
        "signin.aws.amazon.com" => Some("the global AWS sign-in endpoint".into()),
        "signin.amazonaws-us-gov.com" => Some("the AWS GovCloud (US) sign-in endpoint".into()),
        "signin.amazonaws.cn" => Some("the AWS China sign-in endpoint".into()),
        _ => host
            .strip_suffix(".signin.aws.amazon.com")
            .filter(|r| !r.is_empty() && !r.contains('.'))
            .map(|region| format!("the regional sign-in endpoint of {region}")),
    }
}

fn acs_fix(seen: &str, exp: &Expectations, what: &str) -> String {
    let expected = exp.acs_urls.join(" or ");
    match describe_sign_in_url(seen) {
        Some(endpoint) => format!(
            "Identity Center posts to {endpoint}, but this setup uses {expected}. Either set the \
             application's ACS URL in Identity Center to {expected} (step 3), or change the \
             sign-in endpoint answer (--sign-in-endpoint) to match and run `connect-sso apply` \
             so the role trusts it"
        ),
        None => format!(
            "The {what} is not an AWS sign-in URL. Set the application's ACS URL in Identity \
             Center to {expected} (step 3)"
        ),
    }
}

fn check_destination(resp: &SamlResponse, exp: &Expectations, out: &mut Vec<Finding>) {
    let field = "Destination";
    let expected = exp.acs_urls.join(" or ");
    match resp.destination.as_deref() {
        None => out.push(
            Finding::new(field, Severity::Warn)
                .seen("(none)")
                .expected(expected)
                .fix("Identity Center always names the Destination; the Recipient check below still applies"),
        ),
        Some(d) if exp.acs_urls.iter().any(|u| u == d) => {
            out.push(Finding::new(field, Severity::Pass).seen(d).expected(expected))
        }
        Some(d) => out.push(
            Finding::new(field, Severity::Fail)
                .seen(d)
                .expected(expected.clone())
                .fix(acs_fix(d, exp, "Destination"))
                .trouble(ACS),
        ),
    }
}

fn check_recipient(a: &Assertion, exp: &Expectations, out: &mut Vec<Finding>) {
    let field = "Recipient";
    let expected = exp.acs_urls.join(" or ");
    let bearer: Vec<&SubjectConfirmation> = a
        .subject_confirmations
        .iter()
        .filter(|c| c.method.as_deref() == Some(BEARER))
        .collect();
    if bearer.is_empty() {
        out.push(
            Finding::new(field, Severity::Fail)
                .seen("no bearer SubjectConfirmation")
                .expected(format!("a bearer SubjectConfirmation with Recipient {expected}"))
                .fix("AWS needs a bearer subject confirmation; this is not an unmodified Identity Center response")
                .trouble(INVALID),
        );
        return;
    }
    let recipients: Vec<&str> = bearer
        .iter()
        .filter_map(|c| c.recipient.as_deref())
        .collect();
    if recipients
        .iter()
        .any(|r| exp.acs_urls.iter().any(|u| u == r))
    {
        out.push(
            Finding::new(field, Severity::Pass)
                .seen(recipients.join(", "))
                .expected(expected),
        );
    } else if let Some(r) = recipients.first() {
        out.push(
            Finding::new(field, Severity::Fail)
                .seen(recipients.join(", "))
                .expected(expected)
                .fix(acs_fix(r, exp, "Recipient"))
                .trouble(ACS),
        );
    } else {
        out.push(
            Finding::new(field, Severity::Fail)
                .seen("(none)")
                .expected(expected)
                .fix("The subject confirmation names no Recipient, which AWS requires. Set the application's ACS URL in Identity Center (step 3)")
                .trouble(ACS),
        );
    }
}

fn check_audience(a: &Assertion, exp: &Expectations, out: &mut Vec<Finding>) {
    let field = "Audience";
    let expected = exp.audience.as_str();
    if a.audiences.iter().any(|x| x == expected) {
        out.push(
            Finding::new(field, Severity::Pass)
                .seen(a.audiences.join(", "))
                .expected(expected),
        );
        return;
    }
    let seen = if a.audiences.is_empty() {
        "(none)".to_owned()
    } else {
        a.audiences.join(", ")
    };
    let hint = if a
        .audiences
        .iter()
        .any(|x| describe_sign_in_url(x).is_some())
    {
        " The audience holds a sign-in URL: the ACS URL was probably pasted into the audience \
         field too."
    } else if a
        .audiences
        .iter()
        .any(|x| x.starts_with("urn:amazon:webservices"))
    {
        " That is the audience of another AWS partition (commercial regions use \
         urn:amazon:webservices, GovCloud urn:amazon:webservices:govcloud)."
    } else {
        ""
    };
    out.push(
        Finding::new(field, Severity::Fail)
            .seen(seen)
            .expected(expected)
            .fix(format!(
                "Set the application's SAML audience in Identity Center to {expected} (step 4).{hint}"
            ))
            .trouble(ACS),
    );
}

fn parse_time(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text.trim(), &Rfc3339).ok()
}

/// A time value: `Ok(None)` when absent; a Fail finding is pushed when unreadable.
fn read_time(
    field: &str,
    value: Option<&str>,
    out: &mut Vec<Finding>,
) -> Result<Option<OffsetDateTime>, ()> {
    match value {
        None => Ok(None),
        Some(text) => match parse_time(text) {
            Some(t) => Ok(Some(t)),
            None => {
                out.push(
                    Finding::new(field, Severity::Fail)
                        .seen(clip(text, 60))
                        .expected("a UTC time such as 2025-01-31T12:00:00Z")
                        .fix("AWS cannot read this time; this is not an unmodified Identity Center response")
                        .trouble(INVALID),
                );
                Err(())
            }
        },
    }
}

/// Time checks.
///
/// A saved capture is almost always inspected after it expired (Identity Center makes
/// responses valid for a few minutes). That is not a defect of the setup, so an expiry that
/// happened after the response was issued is a warning that says so, and every other check
/// still runs; the response itself is only failed when it could never have been accepted:
/// expired when issued, or not valid yet now (a clock problem).
fn check_times(resp: &SamlResponse, a: &Assertion, now: OffsetDateTime, out: &mut Vec<Finding>) {
    let skew = Duration::minutes(CLOCK_SKEW_MINUTES);
    let bearer = a
        .subject_confirmations
        .iter()
        .find(|c| c.method.as_deref() == Some(BEARER));
    let Ok(issued) = read_time(
        "IssueInstant",
        a.issue_instant.as_deref().or(resp.issue_instant.as_deref()),
        out,
    ) else {
        return;
    };
    let Ok(subject_end) = read_time(
        "NotOnOrAfter",
        bearer.and_then(|c| c.not_on_or_after.as_deref()),
        out,
    ) else {
        return;
    };
    let Ok(conditions_end) = read_time("NotOnOrAfter", a.not_on_or_after.as_deref(), out) else {
        return;
    };
    let Ok(not_before) = read_time("NotBefore", a.not_before.as_deref(), out) else {
        return;
    };

    let field = "NotOnOrAfter";
    let Some(subject_end) = subject_end else {
        out.push(
            Finding::new(field, Severity::Fail)
                .seen("the subject confirmation has no NotOnOrAfter")
                .expected("a time a few minutes after the response was issued")
                .fix("AWS requires it; this is not an unmodified Identity Center response")
                .trouble(INVALID),
        );
        return;
    };
    let end = conditions_end.map_or(subject_end, |c| c.min(subject_end));
    let window = match issued {
        Some(issued) => format!(
            "issued {}, valid until {}",
            format_date(&issued),
            format_date(&end)
        ),
        None => format!("valid until {}", format_date(&end)),
    };
    if issued.is_some_and(|i| end <= i) {
        out.push(
            Finding::new(field, Severity::Fail)
                .seen(window)
                .expected("a validity period that ends after the response was issued")
                .fix("The response was already expired when it was issued: the identity provider's clock or settings are wrong")
                .trouble(EXPIRED),
        );
    } else if now >= end + skew {
        out.push(
            Finding::new(field, Severity::Warn)
                .seen(window)
                .expected(format!("after now ({})", format_date(&now)))
                .fix(format!(
                    "This capture expired at {}; that is expected for a saved file, and the \
                     other checks still apply. AWS would refuse it now: to test sign-in, start \
                     again from the AWS access portal",
                    format_date(&end)
                ))
                .trouble(EXPIRED),
        );
    } else {
        out.push(
            Finding::new(field, Severity::Pass)
                .seen(window)
                .expected(format!("after now ({})", format_date(&now))),
        );
    }

    let starts = [
        not_before,
        issued,
        bearer
            .and_then(|c| c.not_before.as_deref())
            .and_then(parse_time),
    ];
    if let Some(start) = starts.into_iter().flatten().max() {
        let field = "NotBefore";
        if start > now + skew {
            out.push(
                Finding::new(field, Severity::Fail)
                    .seen(format!("valid from {}", format_date(&start)))
                    .expected(format!("not after now ({}), give or take {CLOCK_SKEW_MINUTES} minutes", format_date(&now)))
                    .fix("The response is not valid yet: this computer's clock or the identity provider's is wrong. Check the date, time and time zone")
                    .trouble(EXPIRED),
            );
        } else {
            out.push(
                Finding::new(field, Severity::Pass)
                    .seen(format!("valid from {}", format_date(&start)))
                    .expected(format!("not after now ({})", format_date(&now))),
            );
        }
    }
}

/// How a misspelt attribute name differs from `canonical`, when it is close enough to be
/// meant as it; `short` is the bare name ("Role").
fn near_miss(name: &str, friendly: Option<&str>, canonical: &str, short: &str) -> Option<String> {
    let mut reasons = Vec::new();
    let mut s = name.to_owned();
    if s.trim() != s {
        reasons.push("spaces around it");
        s = s.trim().to_owned();
    }
    if s.len() > 1 && s.ends_with('/') {
        reasons.push("a trailing slash");
        s = s.trim_end_matches('/').to_owned();
    }
    if let Some(rest) = s
        .get(..7)
        .filter(|p| p.eq_ignore_ascii_case("http://"))
        .map(|_| s[7..].to_owned())
    {
        reasons.push("http:// instead of https://");
        s = format!("https://{rest}");
    }
    let lower = s.to_ascii_lowercase();
    if !lower.contains("/attributes/")
        && let Some(at) = lower.find("/saml/")
    {
        let candidate = format!("{}Attributes/{}", &s[..at + 6], &s[at + 6..]);
        if candidate.eq_ignore_ascii_case(canonical) {
            reasons.push("no \"Attributes/\" in the path");
            s = candidate;
        }
    }
    if s == canonical && !reasons.is_empty() {
        return Some(reasons.join(" and "));
    }
    if s.eq_ignore_ascii_case(canonical) {
        reasons.push("letters in the wrong case");
        return Some(reasons.join(" and "));
    }
    if s.eq_ignore_ascii_case(short)
        || friendly.is_some_and(|f| f.trim().eq_ignore_ascii_case(short))
    {
        return Some(format!(
            "the short name \"{short}\"; AWS only reads the full name"
        ));
    }
    None
}

fn missing_attribute(a: &Assertion, canonical: &str, short: &str, value_hint: &str) -> Finding {
    let near = a.attributes.iter().find_map(|at| {
        near_miss(&at.name, at.friendly_name.as_deref(), canonical, short)
            .map(|why| (at.name.as_str(), why))
    });
    let (seen, detail) = match near {
        Some((name, why)) => (
            format!("\"{}\" ({why})", clip(name, 100)),
            format!(
                "The attribute is named \"{}\" ({why}), but AWS matches the name character for character. ",
                clip(name, 100)
            ),
        ),
        None => (
            "missing".to_owned(),
            "The response has no attribute with this name. ".to_owned(),
        ),
    };
    Finding::new(format!("{short} attribute"), Severity::Fail)
        .seen(seen)
        .expected(canonical)
        .fix(format!(
            "{detail}{MAPPINGS_FIX}: the attribute {canonical} with the value {value_hint}"
        ))
        .trouble(INVALID)
}

fn check_role(a: &Assertion, exp: &Expectations, out: &mut Vec<Finding>) {
    let field = "Role attribute";
    let expected_value = format!("{},{}", exp.role_arn, exp.provider_arn);
    let attributes: Vec<&Attribute> = a
        .attributes
        .iter()
        .filter(|x| x.name == ROLE_ATTRIBUTE)
        .collect();
    if attributes.is_empty() {
        out.push(missing_attribute(
            a,
            ROLE_ATTRIBUTE,
            "Role",
            &expected_value,
        ));
        return;
    }
    let values: Vec<&str> = attributes
        .iter()
        .flat_map(|x| x.values.iter().map(String::as_str))
        .collect();
    if values.iter().all(|v| v.trim().is_empty()) {
        out.push(
            Finding::new(field, Severity::Fail)
                .seen("no value")
                .expected(expected_value.clone())
                .fix(format!("{MAPPINGS_FIX}: the Role attribute's value is the role ARN, a comma and the SAML provider ARN"))
                .trouble(INVALID),
        );
        return;
    }
    let parsed: Vec<(&str, Result<RolePair, String>)> =
        values.iter().map(|v| (*v, RolePair::parse(v))).collect();
    let matching = parsed.iter().find(|(_, p)| {
        p.as_ref()
            .is_ok_and(|p| p.role == exp.role_arn && p.provider == exp.provider_arn)
    });
    let mut problems = 0;
    for (raw, pair) in &parsed {
        match pair {
            Err(why) => {
                problems += 1;
                out.push(
                    Finding::new(field, Severity::Fail)
                        .seen(format!("\"{}\"", clip(raw, 300)))
                        .expected(expected_value.clone())
                        .fix(format!(
                            "The value is not a role,provider pair: {why}. {MAPPINGS_FIX}"
                        ))
                        .trouble(INVALID),
                );
            }
            Ok(p) if p.spaced => {
                problems += 1;
                out.push(
                    Finding::new(field, Severity::Fail)
                        .seen(format!("\"{}\"", clip(raw, 300)))
                        .expected(expected_value.clone())
                        .fix("The value has a space around the comma (or at an end), which AWS rejects. Remove it: role ARN, comma, provider ARN, with no space")
                        .trouble(INVALID),
                );
            }
            Ok(_) => {}
        }
    }
    match matching {
        None => {
            let differences: Vec<String> = parsed
                .iter()
                .filter_map(|(_, p)| p.as_ref().ok())
                .flat_map(|p| pair_differences(p, exp))
                .collect();
            let detail = differences.join("; ");
            let mut chars = detail.chars();
            let detail = match chars.next() {
                Some(first) => format!("{}{}. ", first.to_uppercase(), chars.as_str()),
                None => String::new(),
            };
            out.push(
                Finding::new(field, Severity::Fail)
                    .seen(
                        values
                            .iter()
                            .map(|v| clip(v, 300))
                            .collect::<Vec<_>>()
                            .join(" | "),
                    )
                    .expected(expected_value.clone())
                    .fix(format!(
                        "{detail}AWS lets the user take only the role named here, and only \
                         through the provider named here. {MAPPINGS_FIX}, or fix the role and \
                         provider names in the answers"
                    ))
                    .trouble(ASSUME),
            );
        }
        Some((_, pair)) => {
            if problems == 0 {
                out.push(
                    Finding::new(field, Severity::Pass)
                        .seen(values.join(" | "))
                        .expected(expected_value.clone()),
                );
            }
            if pair.as_ref().is_ok_and(|p| p.provider_first) {
                out.push(
                    Finding::new(field, Severity::Info)
                        .seen("the SAML provider ARN comes first")
                        .expected("the role ARN first")
                        .fix(
                            "AWS accepts either order, so this works; the guide writes the \
                             role first",
                        ),
                );
            }
        }
    }
    if values.len() > 1 {
        out.push(
            Finding::new(field, Severity::Warn)
                .seen(format!("{} values", values.len()))
                .expected("one role,provider pair")
                .fix(
                    "With several pairs, AWS shows the user a page to choose a role before \
                     Connect opens. Map a single Role value for this application",
                ),
        );
    }
}

fn pair_differences(p: &RolePair, exp: &Expectations) -> Vec<String> {
    let mut out = Vec::new();
    for (what, seen, expected) in [
        ("role", &p.role, &exp.role_arn),
        ("SAML provider", &p.provider, &exp.provider_arn),
    ] {
        if seen == expected {
            continue;
        }
        let reason = if seen.eq_ignore_ascii_case(expected) {
            "differs only in letter case".to_owned()
        } else if arn_account(seen) != arn_account(expected) {
            format!(
                "is in account {}, the setup's is in {}",
                arn_account(seen).unwrap_or("?"),
                arn_account(expected).unwrap_or("?")
            )
        } else {
            format!("is not the setup's {expected}")
        };
        out.push(format!("the {what} {} {reason}", clip(seen, 200)));
    }
    out
}

/// What kind of user name a value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NameStyle {
    Email,
    /// `user@corp.local` and other directory-only domains.
    Upn,
    /// `DOMAIN\user`.
    DownLevel,
    Other,
}

fn name_style(value: &str) -> NameStyle {
    if value.contains('\\') {
        return NameStyle::DownLevel;
    }
    let Some((local, domain)) = value.rsplit_once('@') else {
        return NameStyle::Other;
    };
    let tld = domain
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    const DIRECTORY_ONLY: [&str; 9] = [
        "local",
        "lan",
        "corp",
        "internal",
        "intranet",
        "localdomain",
        "home",
        "ad",
        "private",
    ];
    if local.is_empty() || !domain.contains('.') || DIRECTORY_ONLY.contains(&tld.as_str()) {
        NameStyle::Upn
    } else {
        NameStyle::Email
    }
}

fn style_finding(field: &str, value: &str, style: NameStyle) -> Option<Finding> {
    let what = match style {
        NameStyle::Email => return None,
        NameStyle::Upn => {
            "looks like a Windows/Active Directory user principal name (UPN), not an email address"
        }
        NameStyle::DownLevel => "is a Windows DOMAIN\\user logon name, not an email address",
        NameStyle::Other => "is not an email address",
    };
    Some(
        Finding::new(field, Severity::Warn)
            .seen(clip(value, 100))
            .expected("the user's email address (${user:email})")
            .fix(format!(
                "The value {what}. The guide maps the email, and the Connect user must be named \
                 exactly after this value. If the identity source is Active Directory, map email \
                 to the directory's mail attribute in Identity Center's attribute mappings; \
                 otherwise name the Connect users after these values"
            ))
            .trouble(UPN),
    )
}

fn check_role_session_name(a: &Assertion, out: &mut Vec<Finding>) {
    let field = "RoleSessionName";
    let attributes: Vec<&Attribute> = a
        .attributes
        .iter()
        .filter(|x| x.name == ROLE_SESSION_NAME_ATTRIBUTE)
        .collect();
    if attributes.is_empty() {
        let mut finding = missing_attribute(
            a,
            ROLE_SESSION_NAME_ATTRIBUTE,
            "RoleSessionName",
            "${user:email}",
        );
        finding.field = field.to_owned();
        out.push(finding);
        return;
    }
    let values: Vec<&str> = attributes
        .iter()
        .flat_map(|x| x.values.iter().map(String::as_str))
        .collect();
    let rule = "2 to 64 characters: letters, digits and _ + = , . @ -";
    let [value] = values.as_slice() else {
        out.push(
            Finding::new(field, Severity::Fail)
                .seen(format!("{} values", values.len()))
                .expected("exactly one value")
                .fix(format!(
                    "AWS needs exactly one RoleSessionName. {MAPPINGS_FIX}"
                ))
                .trouble(INVALID),
        );
        return;
    };
    let length = value.chars().count();
    let bad: Vec<String> = value
        .chars()
        .filter(|c| !(c.is_ascii_alphanumeric() || "_+=,.@-".contains(*c)))
        .map(|c| match c {
            ' ' => "a space".to_owned(),
            '\\' => "a backslash".to_owned(),
            c if c.is_control() => format!("U+{:04X}", c as u32),
            c => format!("'{c}'"),
        })
        .collect();
    let style = name_style(value);
    if !(2..=64).contains(&length) || !bad.is_empty() {
        let mut why = Vec::new();
        if !(2..=64).contains(&length) {
            why.push(format!("it is {length} characters long"));
        }
        if !bad.is_empty() {
            let mut unique: Vec<&String> = Vec::new();
            for b in &bad {
                if !unique.contains(&b) {
                    unique.push(b);
                }
            }
            let unique: Vec<&str> = unique.into_iter().map(String::as_str).collect();
            why.push(format!("it contains {}", unique.join(", ")));
        }
        let mut finding = Finding::new(field, Severity::Fail)
            .seen(format!("\"{}\"", clip(value, 100)))
            .expected(rule)
            .fix(format!(
                "AWS rejects this RoleSessionName: {}. Map it to ${{user:email}} as step 10 shows{}",
                why.join(" and "),
                if style == NameStyle::DownLevel {
                    "; the identity source sends a Windows logon name, so map email to the directory's mail attribute"
                } else {
                    ""
                }
            ));
        finding.trouble = Some(if style == NameStyle::DownLevel {
            UPN
        } else {
            INVALID
        });
        out.push(finding);
        return;
    }
    out.push(
        Finding::new(field, Severity::Pass)
            .seen(*value)
            .expected(rule)
            .fix(format!(
                "Sign-in opens the Connect user named exactly \"{value}\" (case-sensitive)"
            )),
    );
    if let Some(finding) = style_finding(field, value, style) {
        out.push(finding);
    }
    if value.chars().any(|c| c.is_uppercase()) {
        out.push(
            Finding::new(field, Severity::Info)
                .seen(*value)
                .expected(format!("a Connect user named \"{value}\", with the same capitals"))
                .fix("Connect compares user names case-sensitively, so the Connect user must use exactly these capital letters")
                .trouble(ONBOARDED),
        );
    }
}

fn check_name_id(a: &Assertion, out: &mut Vec<Finding>) {
    let field = "NameID";
    let Some(name_id) = a.name_id.as_deref().filter(|n| !n.trim().is_empty()) else {
        out.push(
            Finding::new(field, Severity::Fail)
                .seen("missing")
                .expected("the user's email address (${user:email})")
                .fix(format!("AWS needs a NameID. {MAPPINGS_FIX}: Subject is ${{user:email}}, format emailAddress"))
                .trouble(INVALID),
        );
        return;
    };
    let format = a.name_id_format.as_deref().unwrap_or("(no Format)");
    out.push(
        Finding::new(field, Severity::Pass)
            .seen(format!(
                "{} (format {})",
                clip(name_id, 100),
                format.rsplit(':').next().unwrap_or(format)
            ))
            .expected("the user's email address, format emailAddress"),
    );
    if let Some(finding) = style_finding(field, name_id, name_style(name_id)) {
        out.push(finding);
    }
}

fn check_session_duration(a: &Assertion, out: &mut Vec<Finding>) {
    let field = "SessionDuration";
    let values: Vec<&str> = a
        .attributes
        .iter()
        .filter(|x| x.name == SESSION_DURATION_ATTRIBUTE)
        .flat_map(|x| x.values.iter().map(String::as_str))
        .collect();
    if values.is_empty()
        && !a
            .attributes
            .iter()
            .any(|x| x.name == SESSION_DURATION_ATTRIBUTE)
    {
        return;
    }
    let expected = "one whole number of seconds from 900 to 43200";
    match values.as_slice() {
        [v] if v.trim().parse::<u32>().is_ok_and(|s| (900..=43_200).contains(&s)) => out.push(
            Finding::new(field, Severity::Pass)
                .seen(*v)
                .expected(expected)
                .fix("It must also not exceed the role's maximum session duration (1 hour unless raised)"),
        ),
        _ => out.push(
            Finding::new(field, Severity::Fail)
                .seen(values.iter().map(|v| clip(v, 40)).collect::<Vec<_>>().join(", "))
                .expected(expected)
                .fix("AWS rejects this SessionDuration. Give one value from 900 (15 minutes) to 43200 (12 hours), or remove the mapping")
                .trouble(INVALID),
        ),
    }
}

/// The relay state the browser posted next to the response, when the input was a whole form
/// body. `None` when the input did not include it.
pub fn check_relay_state(decoded: &Decoded, exp: &Expectations) -> Option<Finding> {
    let expected = exp.relay_state.as_deref()?;
    let field = "RelayState";
    if decoded.kind != InputKind::FormBody {
        return None;
    }
    let fix_paste = "Paste the relay state of steps 7-9 from connect-sso into the application's Relay state field in Identity Center";
    Some(match decoded.relay_state.as_deref() {
        None => Finding::new(field, Severity::Warn)
            .seen("(empty)")
            .expected(expected)
            .fix(format!("Without a relay state, users land on the AWS console home page instead of Connect. {fix_paste}"))
            .trouble(RELAY),
        Some(seen) if seen == expected || seen.strip_prefix(expected).is_some_and(|rest| rest.starts_with('?')) => {
            Finding::new(field, Severity::Pass).seen(seen).expected(expected)
        }
        Some(seen) => Finding::new(field, Severity::Fail)
            .seen(clip(seen, 300))
            .expected(expected)
            .fix(format!(
                "{}. {fix_paste}",
                if seen.contains("/connect/federate/") {
                    "The relay state opens Connect in another region or another instance"
                } else {
                    "The relay state is not this instance's Connect federation URL"
                }
            ))
            .trouble(RELAY),
    })
}

/// Is there a failing finding?
pub fn any_fail(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Fail)
}

#[cfg(test)]
mod tests {
    use super::testkit::{self, Sign, Spec, idc_key, other_key};
    use super::*;
    use crate::domain::setup::Answers;
    use proptest::prelude::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-03-02 10:00 UTC);
    const INSTANCE_ARN: &str =
        "arn:aws:connect:us-east-1:111122223333:instance/5f8c2a4e-1b3d-4c6e-9a7b-2d4f6e8a0c1b";
    const ROLE: &str = "arn:aws:iam::111122223333:role/ConnectSSO-5f8c2a4e";
    const PROVIDER: &str =
        "arn:aws:iam::111122223333:saml-provider/IdentityCenter-Connect-5f8c2a4e";
    const USER: &str = "maria.garcia@example.com";
    const RELAY: &str = "https://us-east-1.console.aws.amazon.com/connect/federate/\
                         5f8c2a4e-1b3d-4c6e-9a7b-2d4f6e8a0c1b";

    fn setup() -> Setup {
        Setup::from_answers(&Answers {
            instance_arn: Some(INSTANCE_ARN.into()),
            ..Answers::default()
        })
        .unwrap()
    }

    /// The setup's expectations, trusting the test Identity Center key.
    fn exp() -> Expectations {
        Expectations {
            trusted_certificates: Some(vec![idc_key().cert_der.clone()]),
            trusted_from: Some("the test metadata".into()),
            expected_issuer: Some(testkit::ISSUER.into()),
            ..Expectations::from_setup(&setup())
        }
    }

    fn spec() -> Spec {
        Spec::new(ROLE, PROVIDER, USER, NOW - Duration::minutes(1))
    }

    fn signed(spec: &Spec) -> String {
        testkit::signed(spec, idc_key(), Sign::Assertion)
    }

    fn good() -> String {
        signed(&spec())
    }

    fn findings(xml: &str) -> Vec<Finding> {
        check(&parse(xml).unwrap(), &exp(), NOW)
    }

    fn of<'a>(findings: &'a [Finding], field: &str) -> Vec<&'a Finding> {
        findings.iter().filter(|f| f.field == field).collect()
    }

    /// The one finding of `field` with `severity`; fails listing all findings otherwise.
    fn one<'a>(findings: &'a [Finding], field: &str, severity: Severity) -> &'a Finding {
        let hits: Vec<_> = of(findings, field)
            .into_iter()
            .filter(|f| f.severity == severity)
            .collect();
        assert_eq!(hits.len(), 1, "{field} {severity:?} in {findings:#?}");
        hits[0]
    }

    fn fails(findings: &[Finding]) -> Vec<&str> {
        findings
            .iter()
            .filter(|f| f.severity == Severity::Fail)
            .map(|f| f.field.as_str())
            .collect()
    }

    fn worst(findings: &[Finding]) -> Severity {
        findings
            .iter()
            .map(|f| f.severity)
            .max()
            .unwrap_or(Severity::Pass)
    }

    /// Replaces `from` (which must be there) after signing.
    fn tamper(xml: &str, from: &str, to: &str) -> String {
        assert!(xml.contains(from), "tamper: {from:?} not found");
        xml.replacen(from, to, 1)
    }

    fn element<'a>(xml: &'a str, open: &str, close: &str) -> &'a str {
        let start = xml.find(open).unwrap();
        let end = xml[start..].find(close).unwrap() + start + close.len();
        &xml[start..end]
    }

    // ---- decode -------------------------------------------------------------------------

    #[test]
    fn decodes_every_way_of_copying_it() {
        let xml = good();
        let base64 = testkit::base64(&xml);
        let cases = [
            (xml.clone(), InputKind::Xml),
            (format!("\u{FEFF}\n  {xml}\n"), InputKind::Xml),
            (base64.clone(), InputKind::Base64),
            (testkit::base64_wrapped(&xml), InputKind::Base64),
            (format!("\"{base64}\"\n"), InputKind::Base64),
            (base64.trim_end_matches('=').to_owned(), InputKind::Base64),
            (
                base64.replace('+', "-").replace('/', "_"),
                InputKind::Base64,
            ),
            (testkit::url_encode(&base64), InputKind::UrlEncodedBase64),
            (testkit::form_body(&xml, None), InputKind::FormBody),
            (
                format!("RelayState=x&{}", testkit::form_body(&xml, None)),
                InputKind::FormBody,
            ),
            (
                format!("SAMLResponse: {base64}\nRelayState: {RELAY}\n"),
                InputKind::FormBody,
            ),
            (
                format!(
                    "https://signin.aws.amazon.com/saml?{}",
                    testkit::form_body(&xml, None)
                ),
                InputKind::FormBody,
            ),
        ];
        for (input, kind) in cases {
            let decoded = decode(input.as_bytes()).unwrap_or_else(|e| panic!("{input:.80}: {e}"));
            assert_eq!(decoded.xml, xml, "{input:.80}");
            assert_eq!(decoded.kind, kind, "{input:.80}");
        }
    }

    #[test]
    fn keeps_the_relay_state_of_a_form_body() {
        let xml = good();
        let deep_link = format!("{RELAY}?destination=%2Fccp-v2%2F");
        let decoded = decode(testkit::form_body(&xml, Some(&deep_link)).as_bytes()).unwrap();
        assert_eq!(decoded.relay_state.as_deref(), Some(deep_link.as_str()));
        assert_eq!(decoded.kind, InputKind::FormBody);
        let decoded = decode(testkit::form_body(&xml, Some("")).as_bytes()).unwrap();
        assert_eq!(decoded.relay_state, None);
        let decoded = decode(testkit::base64(&xml).as_bytes()).unwrap();
        assert_eq!(decoded.relay_state, None);
    }

    #[test]
    fn decode_errors_say_what_and_how() {
        let html =
            "<!DOCTYPE html><html><head><title>Amazon Web Services Sign-In</title></head></html>";
        let cases: Vec<(Vec<u8>, AssertionError)> = vec![
            (b"".to_vec(), AssertionError::Empty),
            (b" \r\n\t ".to_vec(), AssertionError::Empty),
            (b"SAMLResponse=".to_vec(), AssertionError::Empty),
            (
                vec![b'A'; MAX_INPUT_BYTES + 1],
                AssertionError::TooLarge {
                    len: MAX_INPUT_BYTES + 1,
                    max: MAX_INPUT_BYTES,
                },
            ),
            (vec![0xFF, 0xFE, b'<', 0], AssertionError::NotText),
            (html.as_bytes().to_vec(), AssertionError::HtmlPage),
            (
                b"<html><body>Sign in</body></html>".to_vec(),
                AssertionError::HtmlPage,
            ),
            (testkit::base64(html).into_bytes(), AssertionError::HtmlPage),
            (
                b"SAMLRequest=fZJNT8MwDIbv&RelayState=x".to_vec(),
                AssertionError::SamlRequest,
            ),
            (
                b"username=maria&password=secret".to_vec(),
                AssertionError::NoSamlResponseField {
                    fields: "username, password".into(),
                },
            ),
            (
                testkit::base64("hello, world").into_bytes(),
                AssertionError::DecodedNotXml,
            ),
            (
                base64::engine::general_purpose::STANDARD
                    .encode([0u8, 159, 146, 150])
                    .into_bytes(),
                AssertionError::DecodedNotXml,
            ),
        ];
        for (input, expected) in cases {
            let got = decode(&input).unwrap_err();
            assert_eq!(
                got,
                expected,
                "{:?}",
                String::from_utf8_lossy(&input[..input.len().min(60)])
            );
            let message = got.to_string();
            assert!(message.contains("developer tools"), "{message}");
        }
        match decode(b"PHNhbWxwOlJlc3BvbnNl!!!") {
            Err(AssertionError::NotBase64 { detail }) => {
                assert!(detail.contains("Invalid"), "{detail}")
            }
            other => panic!("{other:?}"),
        }
        assert!(
            AssertionError::HtmlPage
                .to_string()
                .starts_with("this looks like an HTML page, not a SAMLResponse")
        );
        assert!(
            AssertionError::HtmlPage
                .to_string()
                .contains("https://signin.aws.amazon.com/saml")
        );
    }

    #[test]
    fn tells_html_from_xml_by_its_tags() {
        assert!(looks_like_html(
            "<!-- saved from url -->\n<!DOCTYPE HTML><p>"
        ));
        assert!(looks_like_html("<HTML lang=\"en\"><p>x</p>"));
        assert!(looks_like_html("<div><body class=\"x\">"));
        assert!(!looks_like_html(
            "<Response xmlns=\"urn:x\"><headers/><bodyguard/></Response>"
        ));
        assert!(!looks_like_html("<htmlish/>"));
    }

    // ---- parse --------------------------------------------------------------------------

    #[test]
    fn reads_every_field_of_an_identity_center_response() {
        let s = spec();
        let resp = parse(&good()).unwrap();
        assert_eq!(resp.id.as_deref(), Some(s.response_id.as_str()));
        assert_eq!(resp.destination.as_deref(), Some(testkit::ACS_URL));
        assert_eq!(resp.issuer.as_deref(), Some(testkit::ISSUER));
        assert_eq!(resp.status_code.as_deref(), Some(STATUS_SUCCESS));
        assert_eq!(
            resp.issue_instant.as_deref(),
            Some("2026-03-02T09:59:00.000Z")
        );
        assert_eq!(
            (resp.assertion_count, resp.encrypted_assertion_count),
            (1, 0)
        );
        let a = resp.assertion.as_ref().unwrap();
        assert_eq!(a.id.as_deref(), Some(s.assertion_id.as_str()));
        assert_eq!(a.issuer.as_deref(), Some(testkit::ISSUER));
        assert_eq!(a.name_id.as_deref(), Some(USER));
        assert_eq!(a.name_id_format.as_deref(), Some(testkit::EMAIL_FORMAT));
        assert_eq!(
            a.subject_confirmations,
            vec![SubjectConfirmation {
                method: Some(BEARER.into()),
                recipient: Some(testkit::ACS_URL.into()),
                not_before: None,
                not_on_or_after: Some("2026-03-02T10:04:00.000Z".into()),
            }]
        );
        assert_eq!(a.not_before.as_deref(), Some("2026-03-02T09:54:00.000Z"));
        assert_eq!(
            a.not_on_or_after.as_deref(),
            Some("2026-03-02T10:04:00.000Z")
        );
        assert_eq!(a.audiences, vec![testkit::AUDIENCE.to_owned()]);
        assert_eq!(a.attributes.len(), 2);
        assert_eq!(a.attributes[1].name, ROLE_ATTRIBUTE);
        assert_eq!(
            a.attributes[1].name_format.as_deref(),
            Some("urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified")
        );
        assert_eq!(a.attributes[1].values, vec![format!("{ROLE},{PROVIDER}")]);
        assert_eq!(resp.role_session_name(), Some(USER));
        assert_eq!(resp.role_arns(), vec![ROLE.to_owned()]);

        assert_eq!(resp.signatures.len(), 1);
        let sig = &resp.signatures[0];
        assert_eq!(sig.covers, "Assertion");
        assert_eq!(sig.location, "Assertion");
        assert_eq!(
            sig.reference_uri.as_deref(),
            Some(format!("#{}", s.assertion_id).as_str())
        );
        assert_eq!(sig.canonicalization.as_deref(), Some(EXC_C14N));
        assert_eq!(sig.signature_method.as_deref(), Some(RSA_SHA256));
        assert_eq!(sig.digest_method.as_deref(), Some(SHA256));
        assert_eq!(
            sig.transforms,
            vec![ENVELOPED_SIGNATURE.to_owned(), EXC_C14N.to_owned()]
        );
        assert!(sig.digest_ok && sig.signature_ok, "{sig:?}");
        assert_eq!(sig.problem, None);
        assert!(sig.weak.is_empty());
        let cert = sig.signing_certificate().unwrap();
        assert_eq!(cert.der, idc_key().cert_der);
        assert_eq!(cert.sha256_fingerprint, fingerprint(&idc_key().cert_der));
        assert_eq!(cert.key_algorithm, "RSA");
        assert_eq!(cert.key_bits, 2048);
        assert!(
            cert.subject.contains("portal.sso.us-east-1.amazonaws.com"),
            "{}",
            cert.subject
        );
        assert_eq!(a.covered_by, vec![0]);
        assert!(resp.assertion_signed());
    }

    #[test]
    fn a_correct_response_passes_every_check() {
        let found = findings(&good());
        assert_eq!(worst(&found), Severity::Pass, "{found:#?}");
        let fields: Vec<&str> = found.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "Status",
                "Assertion",
                "Signature on Assertion",
                "Signing certificate",
                "Certificate validity",
                "Issuer",
                "Destination",
                "Recipient",
                "Audience",
                "NotOnOrAfter",
                "NotBefore",
                "Role attribute",
                "RoleSessionName",
                "NameID",
            ]
        );
        for f in &found {
            assert!(f.seen.is_some(), "{f:?}");
            assert_eq!(f.trouble, None, "{f:?}");
        }
    }

    #[test]
    fn signatures_over_the_response_or_both_count() {
        for what in [Sign::Response, Sign::Both] {
            let xml = testkit::signed(&spec(), idc_key(), what);
            let resp = parse(&xml).unwrap();
            assert!(
                resp.signatures.iter().all(SignatureReport::is_valid),
                "{what:?}"
            );
            assert!(resp.assertion_signed(), "{what:?}");
            let found = check(&resp, &exp(), NOW);
            assert_eq!(worst(&found), Severity::Pass, "{what:?}: {found:#?}");
        }
        let resp = parse(&testkit::signed(&spec(), idc_key(), Sign::Both)).unwrap();
        let covers: Vec<&str> = resp.signatures.iter().map(|s| s.covers.as_str()).collect();
        assert_eq!(covers, ["Response", "Assertion"]);
    }

    #[test]
    fn the_signer_and_an_independent_verifier_agree() {
        // The canonical SignedInfo is signed with PKCS#1 v1.5 SHA-256: re-verify it with
        // aws-lc-rs directly from the certificate, outside the inspector's code path.
        let resp = parse(&good()).unwrap();
        let sig = &resp.signatures[0];
        let (_, cert) = X509Certificate::from_der(&idc_key().cert_der).unwrap();
        let key = aws_lc_rs::signature::UnparsedPublicKey::new(
            &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
            cert.public_key().subject_public_key.data.as_ref(),
        );
        key.verify(&sig.signed_info, &sig.signature_value).unwrap();
        assert!(sig.verifies_with(&idc_key().cert_der));
        assert!(!sig.verifies_with(&other_key().cert_der));
        assert!(!sig.verifies_with(b"not a certificate"));
    }

    #[test]
    fn parse_errors_say_what_and_how() {
        let cases = [
            (
                "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaa\">]><r>&a;</r>",
                AssertionError::DtdForbidden,
            ),
            (
                "<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]>\
                 <samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\">&lol2;</samlp:Response>",
                AssertionError::DtdForbidden,
            ),
            (
                "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\"><!DOCTYPE x></samlp:Response>",
                AssertionError::NotXml {
                    detail: String::new(),
                },
            ),
            (
                "<html><head></head><body>x</body></html>",
                AssertionError::HtmlPage,
            ),
            ("<!doctype html><p>x", AssertionError::HtmlPage),
            (
                "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" entityID=\"x\"/>",
                AssertionError::Metadata,
            ),
            (
                "<saml2:Assertion xmlns:saml2=\"urn:oasis:names:tc:SAML:2.0:assertion\"/>",
                AssertionError::BareAssertion,
            ),
            (
                "<Response/>",
                AssertionError::NotResponse {
                    root: "<Response> with no namespace".into(),
                },
            ),
            (
                "<x:Response xmlns:x=\"urn:other\"/>",
                AssertionError::NotResponse {
                    root: "<Response> in namespace urn:other".into(),
                },
            ),
            (
                "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\">",
                AssertionError::NotXml {
                    detail: String::new(),
                },
            ),
            ("", AssertionError::Empty),
        ];
        for (xml, expected) in cases {
            let got = parse(xml).unwrap_err();
            match (&got, &expected) {
                (AssertionError::NotXml { detail }, AssertionError::NotXml { .. }) => {
                    assert!(!detail.is_empty())
                }
                _ => assert_eq!(got, expected, "{xml}"),
            }
            assert!(got.to_string().contains("developer tools"), "{got}");
        }
        let huge = format!("<a>{}</a>", "<b/>".repeat(MAX_NODES as usize));
        assert!(matches!(parse(&huge), Err(AssertionError::NotXml { .. })));
        let too_big = "x".repeat(MAX_XML_BYTES + 1);
        assert!(matches!(
            parse(&too_big),
            Err(AssertionError::TooLarge { .. })
        ));
    }

    #[test]
    fn a_refused_dtd_expands_nothing_even_through_decode() {
        let bomb = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">\
                    <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]><lolz>&lol1;</lolz>";
        let decoded = decode(testkit::base64(bomb).as_bytes()).unwrap();
        assert_eq!(parse(&decoded.xml), Err(AssertionError::DtdForbidden));
    }

    // ---- signatures and tampering -------------------------------------------------------

    fn assert_rejected(xml: &str, why: &str) {
        let found = findings(xml);
        let failing = fails(&found);
        assert!(failing.contains(&"Signed assertion"), "{why}: {found:#?}");
        assert!(!parse(xml).unwrap().assertion_signed(), "{why}");
    }

    #[test]
    fn changing_a_signed_value_breaks_the_digest() {
        let xml = good();
        let cases = [
            (
                tamper(
                    &xml,
                    "Recipient=\"https://signin.aws.amazon.com/saml\"",
                    "Recipient=\"https://evil.example.com/saml\"",
                ),
                "Recipient",
            ),
            (
                tamper(&xml, ROLE, "arn:aws:iam::111122223333:role/Admin"),
                "Role attribute",
            ),
            (
                tamper(
                    &xml,
                    ">maria.garcia@example.com</saml2:NameID>",
                    ">boss@example.com</saml2:NameID>",
                ),
                "NameID",
            ),
            (
                tamper(&xml, "<saml2:Audience>", "<saml2:Audience>\n"),
                "whitespace",
            ),
        ];
        for (tampered, what) in cases {
            let resp = parse(&tampered).unwrap();
            let sig = &resp.signatures[0];
            assert!(!sig.digest_ok && sig.signature_ok, "{what}: {sig:?}");
            assert!(
                sig.problem.as_deref().unwrap().contains("does not match"),
                "{what}"
            );
            let found = check(&resp, &exp(), NOW);
            let f = one(&found, "Signature on Assertion", Severity::Fail);
            assert_eq!(f.trouble, Some("invalid-saml-response"));
            assert!(
                f.fix
                    .as_deref()
                    .unwrap()
                    .contains("changed after it was signed"),
                "{f:?}"
            );
            assert_rejected(&tampered, what);
        }
    }

    #[test]
    fn changing_the_signed_info_or_the_value_breaks_the_signature() {
        let xml = good();
        let value = element(&xml, "<ds:SignatureValue>", "</ds:SignatureValue>").to_owned();
        let flipped = {
            let mut chars: Vec<char> = value.chars().collect();
            let i = "<ds:SignatureValue>".len() + 10;
            chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
            chars.into_iter().collect::<String>()
        };
        let cases = [
            tamper(&xml, &value, &flipped),
            tamper(
                &xml,
                "xml-exc-c14n#\"/><ds:SignatureMethod",
                "xml-exc-c14n#\"/> <ds:SignatureMethod",
            ),
        ];
        for tampered in cases {
            let resp = parse(&tampered).unwrap();
            let sig = &resp.signatures[0];
            assert!(sig.digest_ok && !sig.signature_ok, "{sig:?}");
            assert!(
                sig.problem.as_deref().unwrap().contains("does not verify"),
                "{sig:?}"
            );
            assert_rejected(&tampered, "signature");
        }
    }

    #[test]
    fn a_response_signed_with_another_key_is_not_trusted() {
        let xml = testkit::signed(&spec(), other_key(), Sign::Assertion);
        let found = findings(&xml);
        assert_eq!(fails(&found), ["Signing certificate"], "{found:#?}");
        let f = one(&found, "Signing certificate", Severity::Fail);
        assert_eq!(f.trouble, Some("certificate"));
        assert!(
            f.seen
                .as_deref()
                .unwrap()
                .contains(&fingerprint(&other_key().cert_der))
        );
        assert!(
            f.expected
                .as_deref()
                .unwrap()
                .contains(&fingerprint(&idc_key().cert_der))
        );
        assert!(
            f.fix
                .as_deref()
                .unwrap()
                .contains("connect-sso apply --metadata FILE")
        );
        // Without trusted certificates there is nothing to compare with: a warning, since
        // anyone can sign with a certificate of their own.
        let offline = check(
            &parse(&xml).unwrap(),
            &Expectations::from_setup(&setup()),
            NOW,
        );
        assert_eq!(fails(&offline), Vec::<&str>::new(), "{offline:#?}");
        one(&offline, "Signing certificate", Severity::Warn);
        one(&offline, "Issuer", Severity::Info);
    }

    #[test]
    fn a_signature_without_keyinfo_is_checked_against_the_trusted_certificates() {
        let xml = good();
        let key_info = element(&xml, "<ds:KeyInfo>", "</ds:KeyInfo>").to_owned();
        let bare = tamper(&xml, &key_info, "");
        let resp = parse(&bare).unwrap();
        assert!(resp.signatures[0].digest_ok && !resp.signatures[0].signature_ok);
        let found = check(&resp, &exp(), NOW);
        assert_eq!(fails(&found), Vec::<&str>::new(), "{found:#?}");
        one(&found, "Signing certificate", Severity::Pass);
        // Nor can it pass with an untrusted key.
        let other = Expectations {
            trusted_certificates: Some(vec![other_key().cert_der.clone()]),
            ..exp()
        };
        let found = check(&resp, &other, NOW);
        assert!(fails(&found).contains(&"Signed assertion"), "{found:#?}");
    }

    #[test]
    fn an_unsigned_response_fails() {
        let found = findings(&testkit::signed(&spec(), idc_key(), Sign::Nothing));
        let f = one(&found, "Signature", Severity::Fail);
        assert_eq!(f.trouble, Some("invalid-saml-response"));
    }

    /// The signed assertion moved aside and a forged one put first (signature wrapping).
    #[test]
    fn a_forged_assertion_next_to_the_signed_one_is_not_covered() {
        let xml = good();
        let genuine = element(&xml, "<saml2:Assertion ", "</saml2:Assertion>").to_owned();
        let forged = genuine
            .replace(&spec().assertion_id, "_forged")
            .replace("maria.garcia@example.com", "boss@example.com");
        let forged = {
            // Drop the (now meaningless) signature from the forgery.
            let sig = element(&forged, "<ds:Signature ", "</ds:Signature>").to_owned();
            forged.replace(&sig, "")
        };
        for arranged in [
            format!("{forged}{genuine}"),
            format!(
                "<samlp:Extensions xmlns:samlp=\"{PROTOCOL_NS}\">{genuine}</samlp:Extensions>{forged}"
            ),
        ] {
            let wrapped = tamper(&xml, &genuine, &arranged);
            let resp = parse(&wrapped).unwrap();
            assert_eq!(resp.role_session_name(), Some("boss@example.com"));
            assert!(resp.signatures[0].is_valid());
            assert_eq!(
                resp.assertion.as_ref().unwrap().covered_by,
                Vec::<usize>::new()
            );
            let found = check(&resp, &exp(), NOW);
            one(&found, "Signature on Assertion", Severity::Warn);
            one(&found, "Signed assertion", Severity::Fail);
        }
    }

    #[test]
    fn a_forged_assertion_with_the_signed_id_is_refused() {
        let xml = good();
        let genuine = element(&xml, "<saml2:Assertion ", "</saml2:Assertion>").to_owned();
        let forged = genuine.replace("maria.garcia@example.com", "boss@example.com");
        let wrapped = tamper(&xml, &genuine, &format!("{forged}{genuine}"));
        let resp = parse(&wrapped).unwrap();
        assert!(resp.signatures.iter().all(|s| !s.is_valid()));
        assert!(
            resp.signatures[0]
                .problem
                .as_deref()
                .unwrap()
                .contains("signature-wrapping")
        );
        assert_rejected(&wrapped, "duplicate ID");
    }

    #[test]
    fn a_signature_moved_out_of_its_element_is_refused() {
        let xml = good();
        let sig = element(&xml, "<ds:Signature ", "</ds:Signature>").to_owned();
        let moved = tamper(&xml, &sig, "");
        let moved = tamper(
            &moved,
            "</saml2:Issuer><saml2p:Status>",
            &format!("</saml2:Issuer>{sig}<saml2p:Status>"),
        );
        let resp = parse(&moved).unwrap();
        let problem = resp.signatures[0].problem.clone().unwrap();
        assert!(
            problem.contains("sits in <Response> but signs the <Assertion>"),
            "{problem}"
        );
        assert_rejected(&moved, "moved signature");
    }

    #[test]
    fn comments_cannot_truncate_a_signed_value() {
        // A comment inside a signed value is not part of the digest; the value read must be
        // the whole text, as AWS reads it, not the part before the comment.
        let xml = good();
        let commented = tamper(
            &xml,
            ">maria.garcia@example.com</saml2:NameID>",
            ">maria.garcia@example.com<!-- x -->.evil.example</saml2:NameID>",
        );
        let resp = parse(&commented).unwrap();
        assert!(!resp.signatures[0].digest_ok);
        assert_eq!(
            resp.assertion.unwrap().name_id.as_deref(),
            Some("maria.garcia@example.com.evil.example")
        );
        // Comments that were there when it was signed do not break the digest.
        let s = spec();
        let unsigned =
            testkit::unsigned(&s).replacen("<saml2:Subject>", "<saml2:Subject><!-- note -->", 1);
        let signed = testkit::sign_element(&unsigned, &s.assertion_id, idc_key());
        assert!(parse(&signed).unwrap().assertion_signed());
    }

    #[test]
    fn unsupported_algorithms_are_named() {
        let xml = good();
        let cases = [
            (
                tamper(
                    &xml,
                    "2001/04/xmldsig-more#rsa-sha256",
                    "2000/09/xmldsig#dsa-sha1",
                ),
                "not supported",
            ),
            (
                tamper(
                    &xml,
                    "<ds:Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/>",
                    "",
                ),
                "enveloped-signature transform",
            ),
            (
                tamper(
                    &xml,
                    "<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"",
                    "<ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/TR/2001/REC-xml-c14n-20010315\"",
                ),
                "does not support",
            ),
            (tamper(&xml, "URI=\"#", "URI=\"#x"), "no element has the ID"),
            (
                tamper(&xml, "xmlenc#sha256", "xmlenc#sha999"),
                "digest method",
            ),
        ];
        for (tampered, words) in cases {
            let resp = parse(&tampered).unwrap();
            let problem = resp.signatures[0].problem.clone().unwrap_or_default();
            assert!(problem.contains(words), "{words}: {problem}");
            assert!(!resp.assertion_signed());
        }
    }

    #[test]
    fn sha1_signatures_are_weak() {
        // Re-sign by hand with SHA-1 digests: the digest of the same canonical assertion.
        let xml = good();
        let resp = parse(&tamper(&xml, "xmlenc#sha256", "xmldsig#sha1").replace(
            "http://www.w3.org/2001/04/xmldsig#sha1",
            "http://www.w3.org/2000/09/xmldsig#sha1",
        ))
        .unwrap();
        let sig = &resp.signatures[0];
        assert_eq!(sig.digest_method.as_deref(), Some(SHA1));
        assert!(sig.weak.iter().any(|w| w.contains("SHA-1")), "{sig:?}");
        assert!(!sig.digest_ok);
    }

    #[test]
    fn too_many_signatures_are_not_all_verified() {
        let xml = good();
        let sig = element(&xml, "<ds:Signature ", "</ds:Signature>").to_owned();
        let many = tamper(
            &xml,
            "<saml2p:Status>",
            &format!("{}<saml2p:Status>", sig.repeat(MAX_SIGNATURES + 2)),
        );
        let resp = parse(&many).unwrap();
        assert_eq!(resp.signatures.len(), MAX_SIGNATURES);
        assert_eq!(resp.unverified_signatures, 3);
        let found = check(&resp, &exp(), NOW);
        assert!(
            of(&found, "Signature")
                .iter()
                .any(|f| f.severity == Severity::Warn)
        );
    }

    // ---- checks, one by one -------------------------------------------------------------

    #[test]
    fn status_must_be_success() {
        let s = Spec {
            status: "urn:oasis:names:tc:SAML:2.0:status:Responder".into(),
            ..spec()
        };
        let f = findings(&signed(&s));
        let status = one(&f, "Status", Severity::Fail);
        assert_eq!(
            status.seen.as_deref(),
            Some("urn:oasis:names:tc:SAML:2.0:status:Responder")
        );
        assert_eq!(status.expected.as_deref(), Some(STATUS_SUCCESS));
    }

    #[test]
    fn destination_and_recipient_must_be_the_acs_url() {
        let regional = "https://eu-west-2.signin.aws.amazon.com/saml";
        let s = Spec {
            destination: Some(regional.into()),
            recipient: Some(regional.into()),
            ..spec()
        };
        let f = findings(&signed(&s));
        for field in ["Destination", "Recipient"] {
            let finding = one(&f, field, Severity::Fail);
            assert_eq!(finding.seen.as_deref(), Some(regional));
            assert_eq!(finding.expected.as_deref(), Some(testkit::ACS_URL));
            assert_eq!(finding.trouble, Some("wrong-acs-url"));
            let fix = finding.fix.as_deref().unwrap();
            assert!(
                fix.contains("regional sign-in endpoint of eu-west-2"),
                "{fix}"
            );
            assert!(fix.contains("--sign-in-endpoint"), "{fix}");
        }
        let s = Spec {
            destination: Some("https://example.com/acs".into()),
            recipient: None,
            ..spec()
        };
        let f = findings(&signed(&s));
        assert!(
            one(&f, "Destination", Severity::Fail)
                .fix
                .as_deref()
                .unwrap()
                .contains("not an AWS sign-in URL")
        );
        one(&f, "Recipient", Severity::Fail);
        let s = Spec {
            destination: None,
            ..spec()
        };
        one(&findings(&signed(&s)), "Destination", Severity::Warn);
    }

    #[test]
    fn audience_must_be_the_partitions() {
        for (audience, hint) in [
            ("urn:amazon:webservices:govcloud", "another AWS partition"),
            (testkit::ACS_URL, "ACS URL was probably pasted"),
            ("https://example.com", "step 4"),
        ] {
            let s = Spec {
                audience: audience.into(),
                ..spec()
            };
            let f = findings(&signed(&s));
            let finding = one(&f, "Audience", Severity::Fail);
            assert_eq!(finding.seen.as_deref(), Some(audience));
            assert_eq!(finding.expected.as_deref(), Some("urn:amazon:webservices"));
            assert_eq!(finding.trouble, Some("wrong-acs-url"));
            assert!(
                finding.fix.as_deref().unwrap().contains(hint),
                "{finding:?}"
            );
        }
    }

    #[test]
    fn role_attribute_near_misses_say_what_differs() {
        let cases = [
            (
                "https://aws.amazon.com/saml/attributes/role",
                "letters in the wrong case",
            ),
            (
                "http://aws.amazon.com/SAML/Attributes/Role",
                "http:// instead of https://",
            ),
            (
                "https://aws.amazon.com/SAML/Attributes/Role/",
                "a trailing slash",
            ),
            (
                "https://aws.amazon.com/SAML/Role",
                "no \"Attributes/\" in the path",
            ),
            ("Role", "the short name \"Role\""),
            (
                " https://aws.amazon.com/SAML/Attributes/Role",
                "spaces around it",
            ),
            (
                "http://aws.amazon.com/saml/role/",
                "a trailing slash and http:// instead of https:// and no \"Attributes/\" in the path and letters in the wrong case",
            ),
        ];
        for (name, why) in cases {
            let s = spec().rename_attribute(ROLE_ATTRIBUTE, name);
            let f = findings(&signed(&s));
            let finding = one(&f, "Role attribute", Severity::Fail);
            let seen = finding.seen.as_deref().unwrap();
            assert!(seen.contains(name) && seen.contains(why), "{name}: {seen}");
            assert_eq!(finding.expected.as_deref(), Some(ROLE_ATTRIBUTE));
            assert_eq!(finding.trouble, Some("invalid-saml-response"));
            assert!(
                finding
                    .fix
                    .as_deref()
                    .unwrap()
                    .contains(&format!("{ROLE},{PROVIDER}"))
            );
        }
        let s = spec().without_attribute(ROLE_ATTRIBUTE);
        let f = findings(&signed(&s));
        assert_eq!(
            one(&f, "Role attribute", Severity::Fail).seen.as_deref(),
            Some("missing")
        );
        // RoleSessionName is not a near miss of Role.
        assert_eq!(
            near_miss(ROLE_SESSION_NAME_ATTRIBUTE, None, ROLE_ATTRIBUTE, "Role"),
            None
        );
        assert_eq!(
            near_miss(
                "https://aws.amazon.com/SAML/Attributes/Roles",
                None,
                ROLE_ATTRIBUTE,
                "Role"
            ),
            None
        );
    }

    #[test]
    fn role_pairs_in_either_order_are_accepted() {
        let s = spec().attribute(ROLE_ATTRIBUTE, &[&format!("{PROVIDER},{ROLE}")]);
        let f = findings(&signed(&s));
        assert_eq!(fails(&f), Vec::<&str>::new(), "{f:#?}");
        let info = one(&f, "Role attribute", Severity::Info);
        assert!(info.fix.as_deref().unwrap().contains("either order"));
    }

    #[test]
    fn role_values_with_spaces_are_rejected() {
        for value in [
            format!("{ROLE}, {PROVIDER}"),
            format!("{ROLE} ,{PROVIDER}"),
            format!(" {ROLE},{PROVIDER}"),
        ] {
            let s = spec().attribute(ROLE_ATTRIBUTE, &[&value]);
            let f = findings(&signed(&s));
            let finding = one(&f, "Role attribute", Severity::Fail);
            assert!(
                finding.fix.as_deref().unwrap().contains("space"),
                "{finding:?}"
            );
            assert_eq!(finding.trouble, Some("invalid-saml-response"));
        }
    }

    #[test]
    fn role_values_for_another_role_or_provider_fail() {
        let cases = [
            (
                format!("arn:aws:iam::999999999999:role/ConnectSSO-5f8c2a4e,{PROVIDER}"),
                "in account 999999999999",
            ),
            (
                format!("{},{PROVIDER}", ROLE.to_lowercase()),
                "only in letter case",
            ),
            (
                format!("{ROLE},arn:aws:iam::111122223333:saml-provider/Other"),
                "is not the setup's",
            ),
        ];
        for (value, why) in cases {
            let s = spec().attribute(ROLE_ATTRIBUTE, &[&value]);
            let f = findings(&signed(&s));
            let finding = one(&f, "Role attribute", Severity::Fail);
            assert_eq!(finding.trouble, Some("not-authorized-assume-role"));
            assert_eq!(finding.seen.as_deref(), Some(value.as_str()));
            assert_eq!(
                finding.expected.as_deref(),
                Some(format!("{ROLE},{PROVIDER}").as_str())
            );
            assert!(
                finding.fix.as_deref().unwrap().contains(why),
                "{why}: {finding:?}"
            );
        }
        for value in [
            "",
            "arn:aws:iam::111122223333:role/X",
            "a,b",
            &format!("{ROLE},{ROLE}"),
        ] {
            let s = spec().attribute(ROLE_ATTRIBUTE, &[value]);
            let f = findings(&signed(&s));
            assert!(
                of(&f, "Role attribute")
                    .iter()
                    .any(|x| x.severity == Severity::Fail),
                "{value}"
            );
        }
    }

    #[test]
    fn several_role_pairs_warn() {
        let other =
            "arn:aws:iam::111122223333:role/Other,arn:aws:iam::111122223333:saml-provider/Other";
        let s = spec().attribute(ROLE_ATTRIBUTE, &[other, &format!("{ROLE},{PROVIDER}")]);
        let f = findings(&signed(&s));
        assert_eq!(fails(&f), Vec::<&str>::new(), "{f:#?}");
        let warn = one(&f, "Role attribute", Severity::Warn);
        assert!(warn.fix.as_deref().unwrap().contains("choose a role"));
    }

    #[test]
    fn role_session_name_rules() {
        let cases = [
            ("a", "1 characters long", "invalid-saml-response"),
            (
                &"x".repeat(65) as &str,
                "65 characters long",
                "invalid-saml-response",
            ),
            (
                "maria garcia@example.com",
                "a space",
                "invalid-saml-response",
            ),
            ("CORP\\maria", "a backslash", "windows-upn"),
            ("maria#1", "'#'", "invalid-saml-response"),
        ];
        for (value, why, trouble) in cases {
            let s = spec().attribute(ROLE_SESSION_NAME_ATTRIBUTE, &[value]);
            let f = findings(&signed(&s));
            let finding = one(&f, "RoleSessionName", Severity::Fail);
            assert!(
                finding.fix.as_deref().unwrap().contains(why),
                "{value}: {finding:?}"
            );
            assert_eq!(finding.trouble, Some(trouble), "{value}");
        }
        let s = spec().attribute(ROLE_SESSION_NAME_ATTRIBUTE, &[USER, "x@example.com"]);
        one(&findings(&signed(&s)), "RoleSessionName", Severity::Fail);
        let s = spec().without_attribute(ROLE_SESSION_NAME_ATTRIBUTE);
        let f = findings(&signed(&s));
        assert_eq!(
            one(&f, "RoleSessionName", Severity::Fail).seen.as_deref(),
            Some("missing")
        );
        let s = spec().rename_attribute(ROLE_SESSION_NAME_ATTRIBUTE, "RoleSessionName");
        let f = findings(&signed(&s));
        assert!(
            one(&f, "RoleSessionName", Severity::Fail)
                .seen
                .as_deref()
                .unwrap()
                .contains("short name")
        );
        // Exactly 2 and 64 characters pass.
        for value in ["ab", &"x".repeat(64)] {
            let s = spec().attribute(ROLE_SESSION_NAME_ATTRIBUTE, &[value]);
            one(&findings(&signed(&s)), "RoleSessionName", Severity::Pass);
        }
    }

    #[test]
    fn directory_names_instead_of_emails_warn() {
        for (value, words) in [
            ("maria@corp.local", "user principal name"),
            ("maria@CORP", "user principal name"),
            ("akhan", "not an email address"),
        ] {
            let s = Spec {
                name_id: value.into(),
                ..spec().attribute(ROLE_SESSION_NAME_ATTRIBUTE, &[value])
            };
            let f = findings(&signed(&s));
            one(&f, "RoleSessionName", Severity::Pass);
            for field in ["RoleSessionName", "NameID"] {
                let warn = one(&f, field, Severity::Warn);
                assert_eq!(warn.trouble, Some("windows-upn"));
                assert!(
                    warn.fix.as_deref().unwrap().contains(words),
                    "{value}: {warn:?}"
                );
            }
        }
    }

    #[test]
    fn mixed_case_session_names_get_a_note() {
        let s = Spec {
            name_id: "Li.Wei@Example.com".into(),
            ..spec().attribute(ROLE_SESSION_NAME_ATTRIBUTE, &["Li.Wei@Example.com"])
        };
        let f = findings(&signed(&s));
        let info = one(&f, "RoleSessionName", Severity::Info);
        assert_eq!(info.trouble, Some("not-onboarded"));
        assert!(
            info.expected
                .as_deref()
                .unwrap()
                .contains("\"Li.Wei@Example.com\"")
        );
        assert_eq!(
            parse(&signed(&s)).unwrap().role_session_name(),
            Some("Li.Wei@Example.com")
        );
    }

    #[test]
    fn name_id_must_be_there() {
        let xml = good();
        let name_id = element(&xml, "<saml2:NameID", "</saml2:NameID>").to_owned();
        let unsigned = testkit::unsigned(&spec()).replace(&name_id, "");
        let s = spec();
        let xml = testkit::sign_element(&unsigned, &s.assertion_id, idc_key());
        let f = findings(&xml);
        assert_eq!(
            one(&f, "NameID", Severity::Fail).trouble,
            Some("invalid-saml-response")
        );
        let persistent = Spec {
            name_id_format: "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent".into(),
            ..spec()
        };
        let f = findings(&signed(&persistent));
        assert!(
            one(&f, "NameID", Severity::Pass)
                .seen
                .as_deref()
                .unwrap()
                .contains("format persistent")
        );
    }

    #[test]
    fn an_expired_capture_warns_and_the_rest_is_still_checked() {
        let s = Spec::new(ROLE, PROVIDER, USER, NOW - Duration::days(3));
        let f = findings(&signed(&s));
        assert_eq!(fails(&f), Vec::<&str>::new(), "{f:#?}");
        let warn = one(&f, "NotOnOrAfter", Severity::Warn);
        assert_eq!(warn.trouble, Some("session-expired"));
        let fix = warn.fix.as_deref().unwrap();
        assert!(
            fix.contains(
                "This capture expired at 2026-02-27 10:05:00 UTC; that is expected for a saved file"
            ),
            "{fix}"
        );
        one(&f, "Role attribute", Severity::Pass);
        // Within the clock skew it still passes.
        let s = Spec::new(ROLE, PROVIDER, USER, NOW - Duration::minutes(8));
        one(&findings(&signed(&s)), "NotOnOrAfter", Severity::Pass);
    }

    #[test]
    fn impossible_validity_periods_fail() {
        let issued = NOW - Duration::minutes(1);
        let born_expired = Spec {
            not_on_or_after: issued - Duration::seconds(1),
            ..spec()
        };
        let f = findings(&signed(&born_expired));
        assert_eq!(
            one(&f, "NotOnOrAfter", Severity::Fail).trouble,
            Some("session-expired")
        );
        let future = Spec::new(ROLE, PROVIDER, USER, NOW + Duration::hours(2));
        let f = findings(&signed(&future));
        let finding = one(&f, "NotBefore", Severity::Fail);
        assert!(finding.fix.as_deref().unwrap().contains("clock"));
        // Within the clock skew, a slightly early response passes.
        let early = Spec::new(ROLE, PROVIDER, USER, NOW + Duration::minutes(3));
        one(&findings(&signed(&early)), "NotBefore", Severity::Pass);
    }

    #[test]
    fn unreadable_or_missing_times_fail() {
        let xml = testkit::unsigned(&spec());
        let s = spec();
        let broken = xml.replacen(
            "NotOnOrAfter=\"2026-03-02T10:04:00.000Z\"",
            "NotOnOrAfter=\"tomorrow\"",
            1,
        );
        let f = findings(&testkit::sign_element(&broken, &s.assertion_id, idc_key()));
        assert_eq!(
            one(&f, "NotOnOrAfter", Severity::Fail).seen.as_deref(),
            Some("tomorrow")
        );
        let missing = xml.replacen(" NotOnOrAfter=\"2026-03-02T10:04:00.000Z\"", "", 1);
        let f = findings(&testkit::sign_element(&missing, &s.assertion_id, idc_key()));
        assert!(
            one(&f, "NotOnOrAfter", Severity::Fail)
                .seen
                .as_deref()
                .unwrap()
                .contains("no NotOnOrAfter")
        );
    }

    #[test]
    fn certificate_validity() {
        let expired = idc_key().with_validity(
            datetime!(2020-01-01 0:00 UTC),
            datetime!(2025-01-01 0:00 UTC),
        );
        let soon =
            idc_key().with_validity(datetime!(2020-01-01 0:00 UTC), NOW + Duration::days(10));
        let future =
            idc_key().with_validity(NOW + Duration::days(1), datetime!(2099-01-01 0:00 UTC));
        for (key, severity, words) in [
            (&expired, Severity::Fail, "expired on 2025-01-01"),
            (&soon, Severity::Warn, "expires in 10 days"),
            (&future, Severity::Fail, "valid only from"),
        ] {
            let xml = testkit::signed(&spec(), key, Sign::Assertion);
            let trusting = Expectations {
                trusted_certificates: Some(vec![key.cert_der.clone()]),
                ..exp()
            };
            let f = check(&parse(&xml).unwrap(), &trusting, NOW);
            let finding = one(&f, "Certificate validity", severity);
            assert!(
                finding.seen.as_deref().unwrap().contains(words),
                "{finding:?}"
            );
            assert_eq!(finding.trouble, Some("certificate"));
        }
    }

    #[test]
    fn issuer_must_be_the_metadata_entity_id() {
        let s = Spec {
            issuer: "https://portal.sso.eu-west-1.amazonaws.com/saml/assertion/OTHER".into(),
            ..spec()
        };
        let f = findings(&signed(&s));
        let finding = one(&f, "Issuer", Severity::Fail);
        assert_eq!(
            finding.expected.as_deref(),
            Some(format!("{} (the entity ID of the test metadata)", testkit::ISSUER).as_str())
        );
        // The metadata's entity id and certificates are what `trusting` takes.
        let metadata = crate::domain::metadata::parse(
            testkit::metadata(&idc_key().cert_der, testkit::ISSUER).as_bytes(),
        )
        .unwrap();
        let from_metadata =
            Expectations::from_setup(&setup()).trusting(&metadata, "the IAM SAML provider");
        assert_eq!(
            from_metadata.expected_issuer.as_deref(),
            Some(testkit::ISSUER)
        );
        assert_eq!(
            from_metadata.trusted_certificates,
            Some(vec![idc_key().cert_der.clone()])
        );
        let f = check(&parse(&good()).unwrap(), &from_metadata, NOW);
        assert_eq!(worst(&f), Severity::Pass, "{f:#?}");
    }

    #[test]
    fn session_duration_range() {
        let with = |v: &[&str]| findings(&signed(&spec().attribute(SESSION_DURATION_ATTRIBUTE, v)));
        one(&with(&["3600"]), "SessionDuration", Severity::Pass);
        one(&with(&["900"]), "SessionDuration", Severity::Pass);
        one(&with(&["43200"]), "SessionDuration", Severity::Pass);
        for bad in [&["899"][..], &["43201"], &["1h"], &["3600", "3600"], &[]] {
            one(&with(bad), "SessionDuration", Severity::Fail);
        }
        assert!(of(&findings(&good()), "SessionDuration").is_empty());
    }

    #[test]
    fn several_or_encrypted_assertions() {
        let xml = good();
        let genuine = element(&xml, "<saml2:Assertion ", "</saml2:Assertion>").to_owned();
        let encrypted = "<saml2:EncryptedAssertion><xenc:EncryptedData xmlns:xenc=\"http://www.w3.org/2001/04/xmlenc#\"/></saml2:EncryptedAssertion>";
        let both = tamper(&xml, &genuine, &format!("{genuine}{encrypted}"));
        let f = findings(&both.replace(
            "<saml2:EncryptedAssertion>",
            "<saml2:EncryptedAssertion xmlns:saml2=\"urn:oasis:names:tc:SAML:2.0:assertion\">",
        ));
        one(&f, "Assertion", Severity::Warn);
        let only = tamper(
            &xml,
            &genuine,
            &encrypted.replace(
                "<saml2:EncryptedAssertion>",
                "<saml2:EncryptedAssertion xmlns:saml2=\"urn:oasis:names:tc:SAML:2.0:assertion\">",
            ),
        );
        let f = findings(&only);
        let warn = one(&f, "Assertion", Severity::Warn);
        assert!(warn.fix.as_deref().unwrap().contains("encrypted"));
        assert!(of(&f, "Role attribute").is_empty());
        let none = tamper(&xml, &genuine, "");
        assert_eq!(
            one(&findings(&none), "Assertion", Severity::Fail)
                .seen
                .as_deref(),
            Some("none")
        );
    }

    #[test]
    fn relay_state_checks() {
        let xml = good();
        let exp = exp();
        let relay = |r: Option<&str>| {
            let decoded = decode(testkit::form_body(&xml, r).as_bytes()).unwrap();
            check_relay_state(&decoded, &exp).unwrap()
        };
        assert_eq!(relay(Some(RELAY)).severity, Severity::Pass);
        assert_eq!(
            relay(Some(&format!("{RELAY}?destination=%2Fccp-v2%2F"))).severity,
            Severity::Pass
        );
        let other = relay(Some(
            "https://eu-west-2.console.aws.amazon.com/connect/federate/other",
        ));
        assert_eq!(
            (other.severity, other.trouble),
            (Severity::Fail, Some("wrong-relay-state"))
        );
        assert!(
            other
                .fix
                .as_deref()
                .unwrap()
                .contains("another region or another instance")
        );
        assert_eq!(relay(Some("https://example.com")).severity, Severity::Fail);
        assert_eq!(relay(None).severity, Severity::Warn);
        let bare = decode(testkit::base64(&xml).as_bytes()).unwrap();
        assert_eq!(check_relay_state(&bare, &exp), None);
    }

    #[test]
    fn findings_serialize_for_json_output() {
        let f = Finding::new("Audience", Severity::Fail)
            .seen("x")
            .expected("urn:amazon:webservices")
            .fix("set it")
            .trouble("wrong-acs-url");
        let json = serde_json::to_value(&f).unwrap();
        assert_eq!(json["severity"], "fail");
        assert_eq!(json["trouble"], "wrong-acs-url");
        assert_eq!(
            f.to_string(),
            "fail Audience: seen x, expected urn:amazon:webservices. set it"
        );
        let resp = serde_json::to_value(parse(&good()).unwrap()).unwrap();
        assert_eq!(resp["signatures"][0]["covers"], "Assertion");
        assert!(resp["signatures"][0].get("signed_info").is_none());
        assert!(
            resp["signatures"][0]["certificates"][0]
                .get("der")
                .is_none()
        );
    }

    #[test]
    fn role_pairs_and_names() {
        let pair = RolePair::parse(&format!("{ROLE},{PROVIDER}")).unwrap();
        assert_eq!(
            (
                pair.role.as_str(),
                pair.provider.as_str(),
                pair.provider_first,
                pair.spaced
            ),
            (ROLE, PROVIDER, false, false)
        );
        let pair = RolePair::parse(&format!("{PROVIDER} , {ROLE}")).unwrap();
        assert!(pair.provider_first && pair.spaced);
        assert!(RolePair::parse("arn:aws:iam::1:role/x,arn:aws:iam::1:saml-provider/y").is_err());
        assert!(RolePair::parse("arn:aws-us-gov:iam::111122223333:role/x,arn:aws-us-gov:iam::111122223333:saml-provider/y").is_ok());
        assert_eq!(role_name_of(ROLE), Some("ConnectSSO-5f8c2a4e"));
        assert_eq!(
            role_name_of("arn:aws:iam::111122223333:role/path/to/Name"),
            Some("Name")
        );
        assert_eq!(role_name_of(PROVIDER), None);
        assert_eq!(name_style("maria@example.com"), NameStyle::Email);
        assert_eq!(name_style("maria@ad.example.co.uk"), NameStyle::Email);
        assert_eq!(name_style("maria@corp.internal"), NameStyle::Upn);
        assert_eq!(name_style("CORP\\maria"), NameStyle::DownLevel);
        assert_eq!(name_style("maria"), NameStyle::Other);
    }

    // ---- never panic --------------------------------------------------------------------

    proptest! {
        #[test]
        fn decode_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..4_000)) {
            let _ = decode(&bytes);
        }

        #[test]
        fn decode_never_panics_on_form_like_text(text in "[A-Za-z0-9%+/=&:?\\n \"]{0,400}") {
            let _ = decode(text.as_bytes());
        }

        #[test]
        fn parse_never_panics(text in "\\PC{0,2000}") {
            let _ = parse(&text);
        }

        #[test]
        fn parse_never_panics_on_xml_like_text(text in "[<>/=\"a-zA-Z0-9: !?\\[\\]&;#-]{0,2000}") {
            if let Ok(resp) = parse(&text) {
                let _ = check(&resp, &exp(), NOW);
            }
        }

        #[test]
        fn mutated_responses_never_panic_and_never_pass_when_signed_parts_change(
            flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8),
            cut in proptest::option::of(0..20_000_usize),
        ) {
            let original = good();
            let mut bytes = original.clone().into_bytes();
            for (at, byte) in flips {
                let len = bytes.len();
                bytes[at % len] = byte;
            }
            if let Some(cut) = cut {
                bytes.truncate(cut);
            }
            if let Ok(decoded) = decode(&bytes)
                && let Ok(resp) = parse(&decoded.xml)
            {
                let found = check(&resp, &exp(), NOW);
                let _ = check_relay_state(&decoded, &exp());
                prop_assert!(found.iter().all(|f| !f.field.is_empty()));
            }
        }
    }
}
