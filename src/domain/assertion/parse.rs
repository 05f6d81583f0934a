//! Parsing the SAMLResponse XML into [`SamlResponse`] and its [`Assertion`], verifying every
//! signature on the way; the roxmltree node helpers the parser uses.

use roxmltree::Node;
use serde::Serialize;

use super::decode::{clip, looks_like_html, skip_prolog};
use super::role::RolePair;
use super::signature::{self, SignatureReport};
use super::{
    ASSERTION_NS, AssertionError, MAX_NODES, MAX_SIGNATURES, MAX_XML_BYTES, METADATA_NS,
    PROTOCOL_NS,
};
use crate::domain::metadata::XMLDSIG_NS;
use crate::domain::setup::{ROLE_ATTRIBUTE, ROLE_SESSION_NAME_ATTRIBUTE};

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
/// response at all. Missing parts are left for [`check`](super::check) to report.
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
        .filter(|n| is_in(*n, XMLDSIG_NS, "Signature"))
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
