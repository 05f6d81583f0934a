//! Parsing the metadata XML: size and encoding limits, telling an HTML page or a DTD from
//! metadata, finding the identity provider, its entity ID, sign-in endpoints and signing
//! certificates.

use super::certificate::decode_certificate;
use super::{
    Endpoint, IdpMetadata, MAX_BYTES, MIN_BYTES, MetadataError, SAML_METADATA_NS,
    SigningCertificate, XMLDSIG_NS, strip_bom,
};

/// Parse IdP metadata and check its structure (no time-based checks).
pub fn parse(bytes: &[u8]) -> Result<IdpMetadata, MetadataError> {
    parse_inner(bytes).map(|parsed| parsed.metadata)
}

pub(super) struct Parsed {
    pub(super) metadata: IdpMetadata,
    /// Number of entities with an `IDPSSODescriptor` (more than one only in `EntitiesDescriptor`).
    pub(super) idp_entity_count: usize,
}

pub(super) fn parse_inner(bytes: &[u8]) -> Result<Parsed, MetadataError> {
    let byte_len = bytes.len();
    let body = strip_bom(bytes);
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(MetadataError::Empty);
    }
    // Sizes are IAM's limits on the document it receives, so measure the raw bytes.
    if byte_len < MIN_BYTES {
        return Err(MetadataError::TooSmall { len: byte_len });
    }
    if byte_len > MAX_BYTES {
        return Err(MetadataError::TooLarge { len: byte_len });
    }
    let text = std::str::from_utf8(body).map_err(|_| MetadataError::NotUtf8)?;

    // Look at the prolog before parsing so an HTML page is reported as such, not as a DTD.
    match classify_prolog(text) {
        Prolog::Html => return Err(MetadataError::HtmlPage),
        Prolog::Doctype => return Err(MetadataError::DtdForbidden),
        Prolog::Other => {}
    }

    let options = roxmltree::ParsingOptions {
        // Never expand entities or fetch external DTDs (XXE, billion laughs).
        allow_dtd: false,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = match roxmltree::Document::parse_with_options(text, options) {
        Ok(doc) => doc,
        Err(roxmltree::Error::DtdDetected) => return Err(MetadataError::DtdForbidden),
        Err(_) if looks_like_html(text) => return Err(MetadataError::HtmlPage),
        Err(e) => {
            return Err(MetadataError::NotXml {
                detail: e.to_string(),
            });
        }
    };

    let root = doc.root_element();
    if root.tag_name().name().eq_ignore_ascii_case("html") {
        return Err(MetadataError::HtmlPage);
    }

    let (entity, idp, idp_entity_count) = if is_md(root, "EntityDescriptor") {
        match child_md(root, "IDPSSODescriptor").next() {
            Some(idp) => (root, idp, 1),
            None if child_md(root, "SPSSODescriptor").next().is_some() => {
                return Err(MetadataError::ServiceProviderMetadata);
            }
            None => return Err(MetadataError::NoIdpDescriptor),
        }
    } else if is_md(root, "EntitiesDescriptor") {
        // Nested EntitiesDescriptor groups are allowed, hence descendants.
        let entities: Vec<_> = root
            .descendants()
            .filter(|n| is_md(*n, "EntityDescriptor"))
            .collect();
        let mut idps = entities
            .iter()
            .filter_map(|e| child_md(*e, "IDPSSODescriptor").next().map(|idp| (*e, idp)));
        match idps.next() {
            Some((entity, idp)) => (entity, idp, 1 + idps.count()),
            None if entities
                .iter()
                .any(|e| child_md(*e, "SPSSODescriptor").next().is_some()) =>
            {
                return Err(MetadataError::ServiceProviderMetadata);
            }
            None => return Err(MetadataError::NoIdpDescriptor),
        }
    } else {
        return Err(MetadataError::NotMetadata {
            root: describe_element(root),
        });
    };

    let entity_id = entity
        .attribute("entityID")
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .ok_or(MetadataError::NoEntityId)?
        .to_owned();

    let sso_endpoints: Vec<Endpoint> = child_md(idp, "SingleSignOnService")
        .filter_map(|n| {
            let binding = n.attribute("Binding").map(str::trim)?;
            let location = n.attribute("Location").map(str::trim)?;
            (!binding.is_empty() && !location.is_empty()).then(|| Endpoint {
                binding: binding.to_owned(),
                location: location.to_owned(),
            })
        })
        .collect();
    if sso_endpoints.is_empty() {
        return Err(MetadataError::NoSsoEndpoint);
    }

    let mut certificates: Vec<SigningCertificate> = Vec::new();
    let cert_elements = child_md(idp, "KeyDescriptor")
        .filter(|kd| kd.attribute("use").is_none_or(|u| u.trim() == "signing"))
        .flat_map(|kd| {
            kd.descendants()
                .filter(|n| is_in(*n, XMLDSIG_NS, "X509Certificate"))
        });
    for (i, element) in cert_elements.enumerate() {
        let cert = decode_certificate(&element_text(element)).map_err(|detail| {
            MetadataError::UndecodableCertificate {
                index: i + 1,
                detail,
            }
        })?;
        if !certificates
            .iter()
            .any(|c| c.sha256_fingerprint == cert.sha256_fingerprint)
        {
            certificates.push(cert);
        }
    }
    if certificates.is_empty() {
        return Err(MetadataError::NoSigningCertificate);
    }

    Ok(Parsed {
        metadata: IdpMetadata {
            entity_id,
            sso_endpoints,
            certificates,
            byte_len,
        },
        idp_entity_count,
    })
}

#[derive(Debug, PartialEq, Eq)]
enum Prolog {
    Html,
    Doctype,
    Other,
}

/// Classify the first markup after the XML declaration, processing instructions and comments
/// (browsers' "saved from" comments come first in saved pages).
fn classify_prolog(text: &str) -> Prolog {
    let mut rest = text;
    loop {
        rest = rest.trim_start_matches(is_xml_space);
        let skipped = if let Some(pi) = rest.strip_prefix("<?") {
            pi.find("?>").map(|end| &pi[end + 2..])
        } else if let Some(comment) = rest.strip_prefix("<!--") {
            comment.find("-->").map(|end| &comment[end + 3..])
        } else {
            break;
        };
        match skipped {
            Some(after) => rest = after,
            // Unterminated: let the XML parser report it.
            None => return Prolog::Other,
        }
    }
    let bytes = rest.as_bytes();
    if starts_with_ignore_case(bytes, b"<!doctype") {
        let after = bytes[9..].trim_ascii_start();
        if starts_with_ignore_case(after, b"html") {
            Prolog::Html
        } else {
            Prolog::Doctype
        }
    } else if starts_with_ignore_case(bytes, b"<html")
        && bytes
            .get(5)
            .is_none_or(|b| b.is_ascii_whitespace() || matches!(b, b'>' | b'/'))
    {
        Prolog::Html
    } else {
        Prolog::Other
    }
}

/// Fallback for malformed HTML that does not start with `<html` (e.g. a fragment with `<head>`).
fn looks_like_html(text: &str) -> bool {
    [b"<html".as_slice(), b"<head", b"<body"]
        .iter()
        .any(|needle| contains_ignore_case(text.as_bytes(), needle))
}

fn starts_with_ignore_case(haystack: &[u8], prefix: &[u8]) -> bool {
    haystack
        .get(..prefix.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
}

fn contains_ignore_case(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// Match on namespace URI and local name only, so any prefix (or none) works.
fn is_in(node: roxmltree::Node<'_, '_>, ns: &str, local: &str) -> bool {
    node.is_element() && node.tag_name().namespace() == Some(ns) && node.tag_name().name() == local
}

fn is_md(node: roxmltree::Node<'_, '_>, local: &str) -> bool {
    is_in(node, SAML_METADATA_NS, local)
}

fn child_md<'a, 'input: 'a>(
    node: roxmltree::Node<'a, 'input>,
    local: &'static str,
) -> impl Iterator<Item = roxmltree::Node<'a, 'input>> {
    node.children().filter(move |n| is_md(*n, local))
}

fn describe_element(node: roxmltree::Node<'_, '_>) -> String {
    let name = node.tag_name();
    match name.namespace() {
        Some(ns) => format!("<{}> in namespace {ns}", name.name()),
        None => format!("<{}> with no namespace", name.name()),
    }
}

/// All text inside the element: comments or CDATA may split it into several nodes.
fn element_text(node: roxmltree::Node<'_, '_>) -> String {
    node.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect()
}
