//! IAM Identity Center SAML metadata: parse the IdP metadata file the user downloaded and
//! check that IAM (`CreateSAMLProvider`) will accept it and that sign-in will work with it.
//!
//! Pure: no I/O and no clock. [`parse`] checks structure only; [`check`] adds the time-based
//! rules against a caller-supplied `now`. Every error and warning says what is wrong and how
//! to fix it, so the UI can show it as it is.
//!
//! Security: the XML is parsed by `roxmltree` with DTDs refused, so entities are never
//! expanded and nothing is ever fetched.

use std::fmt;

use base64::Engine as _;
use serde::Serialize;
use sha2::{Digest as _, Sha256};
use time::{Duration, OffsetDateTime, UtcOffset};
use x509_parser::prelude::{FromDer as _, X509Certificate};
use x509_parser::public_key::PublicKey;

/// Minimum length IAM `CreateSAMLProvider` accepts for `SAMLMetadataDocument`.
pub const MIN_BYTES: usize = 1_000;
/// Maximum length IAM `CreateSAMLProvider` accepts for `SAMLMetadataDocument`.
pub const MAX_BYTES: usize = 10_000_000;
/// A valid certificate expiring within this many days produces [`MetadataWarning::ExpiresSoon`].
pub const EXPIRY_WARNING_DAYS: i64 = 30;
/// RSA (and DSA) keys shorter than this produce [`MetadataWarning::WeakKey`].
pub const MIN_KEY_BITS: u32 = 2048;
/// Elliptic-curve keys shorter than this produce [`MetadataWarning::WeakKey`] (P-256 is roughly
/// as strong as RSA 3072, so [`MIN_KEY_BITS`] does not apply to them).
pub const MIN_EC_KEY_BITS: u32 = 256;

/// SAML 2.0 metadata namespace.
pub const SAML_METADATA_NS: &str = "urn:oasis:names:tc:SAML:2.0:metadata";
/// XML Signature namespace (`KeyInfo`, `X509Data`, `X509Certificate`).
pub const XMLDSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Where the right file comes from; appended to most errors.
const DOWNLOAD_HINT: &str = "Download the metadata again from the IAM Identity Center console: \
     open your Amazon Connect application under Applications and, next to \
     \"IAM Identity Center SAML metadata file\", choose Download";

/// Identity-provider facts read from the metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdpMetadata {
    /// `EntityDescriptor/@entityID` of the identity provider.
    pub entity_id: String,
    /// `IDPSSODescriptor/SingleSignOnService` endpoints, in document order.
    pub sso_endpoints: Vec<Endpoint>,
    /// Certificates of `KeyDescriptor`s with `use="signing"` or no `use`, in document order,
    /// deduplicated by fingerprint.
    pub certificates: Vec<SigningCertificate>,
    /// Length of the raw file, as IAM will count it.
    pub byte_len: usize,
}

/// A SAML endpoint: binding URI and URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Endpoint {
    pub binding: String,
    pub location: String,
}

/// A decoded X.509 signing certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SigningCertificate {
    /// Subject distinguished name, e.g. `C=US, O=Example, CN=portal.sso...`.
    pub subject: String,
    pub issuer: String,
    #[serde(with = "time::serde::rfc3339")]
    pub not_before: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
    /// `RSA`, `EC P-256`, `EC P-384`, `EC P-521`, `Ed25519`, `Ed448`, `DSA`, or the algorithm
    /// OID when unknown.
    pub key_algorithm: String,
    /// Key size in bits (0 when unknown).
    pub key_bits: u32,
    /// SHA-256 of the DER, uppercase hex pairs separated by `:` (as `openssl x509 -fingerprint`).
    pub sha256_fingerprint: String,
    #[serde(skip)]
    pub der: Vec<u8>,
}

/// Where `now` falls in a certificate's validity period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum CertValidity {
    NotYetValid,
    /// `days_left` counts whole days until `not_after` (0 on the last day).
    Valid {
        days_left: i64,
    },
    Expired,
}

impl SigningCertificate {
    /// Validity at `now`; both bounds are inclusive, as in X.509.
    pub fn validity(&self, now: OffsetDateTime) -> CertValidity {
        if now < self.not_before {
            CertValidity::NotYetValid
        } else if now > self.not_after {
            CertValidity::Expired
        } else {
            CertValidity::Valid {
                days_left: (self.not_after - now).whole_days(),
            }
        }
    }

    /// True when the key is shorter than recommended for its algorithm.
    pub fn is_weak_key(&self) -> bool {
        match self.key_algorithm.as_str() {
            "RSA" | "DSA" => self.key_bits < MIN_KEY_BITS,
            a if a.starts_with("EC ") => self.key_bits < MIN_EC_KEY_BITS,
            // Ed25519/Ed448 have fixed, adequate sizes; unknown algorithms have no size to judge.
            _ => false,
        }
    }
}

/// Why the file cannot be used as IAM Identity Center IdP metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MetadataError {
    #[error(
        "the metadata file is empty. {DOWNLOAD_HINT}, then choose the downloaded file (usually a \
         .xml file in your Downloads folder)"
    )]
    Empty,

    #[error(
        "the file is {} bytes; IAM accepts SAML metadata of 1,000 to 10,000,000 bytes — this is \
         probably truncated or not the metadata file. {DOWNLOAD_HINT}",
        group_digits(*len)
    )]
    TooSmall { len: usize },

    #[error(
        "the file is {} bytes; IAM accepts SAML metadata of 1,000 to 10,000,000 bytes — IAM \
         Identity Center metadata is only a few kilobytes, so this is not the metadata file. \
         {DOWNLOAD_HINT}",
        group_digits(*len)
    )]
    TooLarge { len: usize },

    #[error(
        "the file is not UTF-8 text (it may be UTF-16, binary or compressed), but IAM Identity \
         Center metadata is UTF-8 XML. {DOWNLOAD_HINT} and use that file as it is, without \
         re-saving it in an editor"
    )]
    NotUtf8,

    #[error(
        "the file is a web page (HTML), not the SAML metadata XML — it was probably saved from \
         the browser or is a sign-in page. In the IAM Identity Center console, open your Amazon \
         Connect application and use the Download button next to \"IAM Identity Center SAML \
         metadata file\" instead of saving the page or the metadata URL"
    )]
    HtmlPage,

    #[error(
        "the file is not well-formed XML ({detail}); it is probably truncated or was edited. \
         {DOWNLOAD_HINT}"
    )]
    NotXml { detail: String },

    #[error(
        "the file contains a DOCTYPE/DTD (document type or entity declarations), which IAM \
         Identity Center never produces and this tool refuses for safety; nothing in it was \
         expanded or fetched. {DOWNLOAD_HINT} and use that file unmodified"
    )]
    DtdForbidden,

    #[error(
        "the file is XML but not SAML 2.0 metadata: its top-level element is {root}, where \
         <EntityDescriptor> in namespace {SAML_METADATA_NS} was expected (a SAML response, \
         assertion or another XML file will not work). {DOWNLOAD_HINT}"
    )]
    NotMetadata { root: String },

    #[error(
        "this is service-provider metadata (the AWS / Amazon Connect side, such as \
         https://signin.aws.amazon.com/static/saml-metadata.xml), not IAM Identity Center's \
         identity-provider metadata. {DOWNLOAD_HINT}"
    )]
    ServiceProviderMetadata,

    #[error(
        "the metadata describes no identity provider (it has no <IDPSSODescriptor> element), so \
         it is not IAM Identity Center's metadata. {DOWNLOAD_HINT}"
    )]
    NoIdpDescriptor,

    #[error(
        "the metadata has no entity ID (the entityID attribute of <EntityDescriptor> is missing \
         or empty), so AWS could not tell who signs the sign-ins. {DOWNLOAD_HINT} and use it \
         unmodified"
    )]
    NoEntityId,

    #[error(
        "the metadata has no sign-in endpoint (no <SingleSignOnService> with a Binding and a \
         Location). {DOWNLOAD_HINT} and use it unmodified"
    )]
    NoSsoEndpoint,

    #[error(
        "the metadata has no signing certificate (no <KeyDescriptor use=\"signing\"> holding an \
         <X509Certificate>), so AWS could not verify sign-ins. {DOWNLOAD_HINT} and use it \
         unmodified"
    )]
    NoSigningCertificate,

    /// `index` is the 1-based position of the `<X509Certificate>` among the signing
    /// certificates, in document order.
    #[error(
        "signing certificate #{index} in the metadata cannot be read ({detail}); the file was \
         probably edited or damaged when copied. {DOWNLOAD_HINT} and use it unmodified"
    )]
    UndecodableCertificate { index: usize, detail: String },

    #[error(
        "every signing certificate in the metadata has expired (the newest one expired on {}), \
         so sign-in would fail. If this computer's date is wrong, correct it; otherwise, in the \
         IAM Identity Center console open your Amazon Connect application, create a new \
         certificate and make it active, then download the metadata again",
        format_date(not_after)
    )]
    AllCertificatesExpired {
        #[serde(with = "time::serde::rfc3339")]
        not_after: OffsetDateTime,
    },

    #[error(
        "the signing certificate only becomes valid on {}, so sign-in would fail until then. \
         Check that this computer's date, time and time zone are correct; if they are, wait \
         until that date or download the metadata again after IAM Identity Center has \
         activated a current certificate",
        format_date(not_before)
    )]
    NotYetValid {
        #[serde(with = "time::serde::rfc3339")]
        not_before: OffsetDateTime,
    },
}

/// Something that does not stop the set-up but that the user should know about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MetadataWarning {
    /// The longest-lived valid certificate expires within [`EXPIRY_WARNING_DAYS`].
    ExpiresSoon {
        fingerprint: String,
        days_left: i64,
        #[serde(with = "time::serde::rfc3339")]
        not_after: OffsetDateTime,
    },
    /// A certificate's key is shorter than recommended (see [`SigningCertificate::is_weak_key`]).
    WeakKey {
        fingerprint: String,
        algorithm: String,
        bits: u32,
    },
    /// A certificate has expired but another one is still valid.
    SomeCertificateExpired {
        fingerprint: String,
        #[serde(with = "time::serde::rfc3339")]
        not_after: OffsetDateTime,
    },
    /// A certificate is not valid yet but another one is valid now.
    SomeCertificateNotYetValid {
        fingerprint: String,
        #[serde(with = "time::serde::rfc3339")]
        not_before: OffsetDateTime,
    },
    /// An `<EntitiesDescriptor>` lists several identity providers; the first was used.
    MultipleEntities {
        count: usize,
        used_entity_id: String,
    },
}

impl fmt::Display for MetadataWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ExpiresSoon {
                fingerprint,
                days_left,
                not_after,
            } => write!(
                f,
                "the signing certificate (SHA-256 {fingerprint}) expires {} (on {}); after \
                 that, sign-in to Amazon Connect stops working. Before then, create a new \
                 certificate for the application in IAM Identity Center, make it active, and \
                 update the IAM SAML provider with the new metadata",
                match days_left {
                    ..=0 => "within a day".to_owned(),
                    1 => "in 1 day".to_owned(),
                    n => format!("in {n} days"),
                },
                format_date(not_after)
            ),
            Self::WeakKey {
                fingerprint,
                algorithm,
                bits,
            } => write!(
                f,
                "the signing certificate (SHA-256 {fingerprint}) uses a {bits}-bit {algorithm} \
                 key, which is weaker than recommended (at least {} bits for RSA, {MIN_EC_KEY_BITS} \
                 for elliptic curves) and may be rejected. Create a new certificate for the \
                 application in IAM Identity Center, make it active, and download the metadata \
                 again",
                group_digits(MIN_KEY_BITS as usize)
            ),
            Self::SomeCertificateExpired {
                fingerprint,
                not_after,
            } => write!(
                f,
                "the metadata also lists a signing certificate that expired on {} (SHA-256 \
                 {fingerprint}); another certificate is valid, so sign-in works. Nothing to do \
                 now; delete the expired certificate in IAM Identity Center when convenient",
                format_date(not_after)
            ),
            Self::SomeCertificateNotYetValid {
                fingerprint,
                not_before,
            } => write!(
                f,
                "the metadata also lists a signing certificate that only becomes valid on {} \
                 (SHA-256 {fingerprint}); another certificate is valid now, so sign-in works. \
                 If that date looks wrong, check this computer's date and time",
                format_date(not_before)
            ),
            Self::MultipleEntities {
                count,
                used_entity_id,
            } => write!(
                f,
                "the file describes {count} identity providers; the first one ({used_entity_id}) \
                 is used. If that is not your IAM Identity Center application, download the \
                 metadata of that application alone from the IAM Identity Center console"
            ),
        }
    }
}

/// Metadata that passed [`check`], with the warnings to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckedMetadata {
    pub metadata: IdpMetadata,
    pub warnings: Vec<MetadataWarning>,
}

/// Parse IdP metadata and check its structure (no time-based checks).
pub fn parse(bytes: &[u8]) -> Result<IdpMetadata, MetadataError> {
    parse_inner(bytes).map(|parsed| parsed.metadata)
}

/// [`parse`], then require a certificate valid at `now` and collect warnings.
///
/// Errors when no certificate is valid at `now`: [`MetadataError::NotYetValid`] (earliest
/// `not_before`) if any certificate is still to come, because then the likely fix is the clock,
/// otherwise [`MetadataError::AllCertificatesExpired`] (latest `not_after`).
pub fn check(bytes: &[u8], now: OffsetDateTime) -> Result<CheckedMetadata, MetadataError> {
    let Parsed {
        metadata,
        idp_entity_count,
    } = parse_inner(bytes)?;
    let certs = &metadata.certificates;

    let valid: Vec<(&SigningCertificate, i64)> = certs
        .iter()
        .filter_map(|c| match c.validity(now) {
            CertValidity::Valid { days_left } => Some((c, days_left)),
            _ => None,
        })
        .collect();

    if valid.is_empty() {
        let earliest_future = certs
            .iter()
            .filter(|c| c.validity(now) == CertValidity::NotYetValid)
            .map(|c| c.not_before)
            .min();
        if let Some(not_before) = earliest_future {
            return Err(MetadataError::NotYetValid { not_before });
        }
        // `parse` guarantees at least one certificate, so all of them have expired here.
        let not_after = certs
            .iter()
            .map(|c| c.not_after)
            .max()
            .ok_or(MetadataError::NoSigningCertificate)?;
        return Err(MetadataError::AllCertificatesExpired { not_after });
    }

    let mut warnings = Vec::new();
    if idp_entity_count > 1 {
        warnings.push(MetadataWarning::MultipleEntities {
            count: idp_entity_count,
            used_entity_id: metadata.entity_id.clone(),
        });
    }
    // Only the longest-lived valid certificate matters: sign-in keeps working until it expires.
    if let Some((cert, days_left)) = valid.iter().max_by_key(|(c, _)| c.not_after)
        && cert.not_after - now <= Duration::days(EXPIRY_WARNING_DAYS)
    {
        warnings.push(MetadataWarning::ExpiresSoon {
            fingerprint: cert.sha256_fingerprint.clone(),
            days_left: *days_left,
            not_after: cert.not_after,
        });
    }
    for cert in certs {
        match cert.validity(now) {
            CertValidity::Expired => warnings.push(MetadataWarning::SomeCertificateExpired {
                fingerprint: cert.sha256_fingerprint.clone(),
                not_after: cert.not_after,
            }),
            CertValidity::NotYetValid => {
                warnings.push(MetadataWarning::SomeCertificateNotYetValid {
                    fingerprint: cert.sha256_fingerprint.clone(),
                    not_before: cert.not_before,
                })
            }
            CertValidity::Valid { .. } => {}
        }
        if cert.is_weak_key() {
            warnings.push(MetadataWarning::WeakKey {
                fingerprint: cert.sha256_fingerprint.clone(),
                algorithm: cert.key_algorithm.clone(),
                bits: cert.key_bits,
            });
        }
    }

    Ok(CheckedMetadata { metadata, warnings })
}

/// The bytes without a leading UTF-8 byte-order mark.
pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes)
}

struct Parsed {
    metadata: IdpMetadata,
    /// Number of entities with an `IDPSSODescriptor` (more than one only in `EntitiesDescriptor`).
    idp_entity_count: usize,
}

fn parse_inner(bytes: &[u8]) -> Result<Parsed, MetadataError> {
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

/// Decode one `<X509Certificate>` body; the error is a plain-words detail.
fn decode_certificate(text: &str) -> Result<SigningCertificate, String> {
    // Line wrapping and indentation are common; a pasted PEM armour is harmless to drop.
    let compact: String = text
        .replace("-----BEGIN CERTIFICATE-----", "")
        .replace("-----END CERTIFICATE-----", "")
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    if compact.is_empty() {
        return Err("the certificate element is empty".to_owned());
    }
    let der = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map_err(|e| format!("the text is not valid base64: {e}"))?;
    let (rest, cert) = X509Certificate::from_der(&der)
        .map_err(|e| format!("the data is not an X.509 certificate: {e}"))?;
    if !rest.is_empty() {
        return Err(format!(
            "{} unexpected bytes follow the certificate",
            rest.len()
        ));
    }

    let (key_algorithm, key_bits) = describe_key(&cert);
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

fn describe_key(cert: &X509Certificate<'_>) -> (String, u32) {
    let spki = cert.public_key();
    let algorithm_oid = spki.algorithm.algorithm.to_id_string();
    match algorithm_oid.as_str() {
        "1.2.840.113549.1.1.1" => {
            let bits = match spki.parsed() {
                Ok(PublicKey::RSA(rsa)) => significant_bits(rsa.modulus),
                _ => 0,
            };
            ("RSA".to_owned(), bits)
        }
        "1.2.840.10045.2.1" => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|oid| oid.to_id_string());
            match curve.as_deref() {
                Some("1.2.840.10045.3.1.7") => ("EC P-256".to_owned(), 256),
                Some("1.3.132.0.34") => ("EC P-384".to_owned(), 384),
                Some("1.3.132.0.35") => ("EC P-521".to_owned(), 521),
                other => {
                    let bits = spki.parsed().map_or(0, |k| k.key_size());
                    let name = format!("EC {}", other.unwrap_or("(unnamed curve)"));
                    (name, u32::try_from(bits).unwrap_or(0))
                }
            }
        }
        "1.3.101.112" => ("Ed25519".to_owned(), 256),
        "1.3.101.113" => ("Ed448".to_owned(), 456),
        "1.2.840.10040.4.1" => {
            let bits = match spki.parsed() {
                Ok(PublicKey::DSA(y)) => significant_bits(y),
                _ => 0,
            };
            ("DSA".to_owned(), bits)
        }
        _ => (algorithm_oid, 0),
    }
}

/// Bit length of a big-endian unsigned integer (x509-parser's `key_size` only drops one
/// leading zero byte and returns 0 when there is none).
fn significant_bits(be: &[u8]) -> u32 {
    let trimmed = match be.iter().position(|b| *b != 0) {
        Some(first) => &be[first..],
        None => return 0,
    };
    let bits = (trimmed.len() - 1) * 8 + (8 - trimmed[0].leading_zeros() as usize);
    u32::try_from(bits).unwrap_or(u32::MAX)
}

fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// `2031-11-27 20:49:41 UTC`.
pub fn format_date(dt: &OffsetDateTime) -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
    // Checked: `to_offset` panics at the edges of the representable range.
    dt.checked_to_offset(UtcOffset::UTC)
        .and_then(|utc| utc.format(&format).ok())
        .unwrap_or_else(|| dt.to_string())
}

/// `10000000` → `10,000,000`.
fn group_digits(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::datetime;

    const FIXTURE: &[u8] = include_bytes!("../../tests/fixtures/metadata/idc-metadata.xml");
    const EXPIRED_RSA2048: &str = include_str!("../../tests/fixtures/metadata/expired-rsa2048.b64");
    const RSA1024: &str = include_str!("../../tests/fixtures/metadata/rsa1024.b64");
    const RSA3072: &str = include_str!("../../tests/fixtures/metadata/rsa3072.b64");
    const EC_P256: &str = include_str!("../../tests/fixtures/metadata/ec-p256.b64");
    const EC_P384: &str = include_str!("../../tests/fixtures/metadata/ec-p384.b64");
    const ED25519: &str = include_str!("../../tests/fixtures/metadata/ed25519.b64");

    // Independent values from `openssl x509 -noout -fingerprint -sha256` (see the fixtures'
    // README.md).
    const FIXTURE_FP: &str = "E0:39:1A:18:01:D0:94:39:E5:EF:1B:36:AB:00:40:3A:A0:2F:E5:86:\
                              D1:09:CE:87:FC:5B:C9:CD:B1:F8:72:3A";
    const EXPIRED_FP: &str = "3D:1C:12:FD:1C:D0:CF:5F:CD:19:31:EB:69:77:74:82:A1:59:D1:90:\
                              1E:7C:E5:DD:11:0F:29:FA:F6:0A:FD:37";
    const RSA1024_FP: &str = "15:F2:39:35:03:D9:D4:F0:51:87:33:8F:80:3B:74:70:6D:6A:06:68:\
                              82:DB:4E:F0:01:2F:1B:1B:FB:3D:FE:61";
    const RSA3072_FP: &str = "A3:1B:DC:F8:02:B6:F4:BB:1E:72:E2:D9:6A:9B:CD:2D:A9:10:6F:3F:\
                              23:FB:9B:3C:56:EB:22:AF:1E:AD:6F:B3";
    const EC_P256_FP: &str = "52:1A:AA:BC:B6:2D:2F:82:CD:58:7A:E9:E7:49:59:8D:DC:1C:11:8E:\
                              76:7B:B2:1F:B5:11:DD:D2:D7:96:E9:68";
    const EC_P384_FP: &str = "40:D2:0F:88:B6:F2:A3:E0:EC:28:9C:3C:1C:C0:20:0E:BD:AE:53:DE:\
                              A7:F8:86:39:7F:F2:9B:40:3C:B0:E7:C3";
    const ED25519_FP: &str = "B4:F9:7D:D3:49:F1:1B:25:43:CF:40:61:24:0E:BC:DB:0F:35:FA:79:\
                              FA:9E:15:EA:BE:37:2D:AB:3E:22:42:20";

    const ENTITY_ID: &str = "https://portal.sso.us-east-1.amazonaws.com/saml/assertion/\
                             MTIzNDU2Nzg5MDEyX2lucy0xYTJiM2M0ZDVlNmY3YThi";
    const POST: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
    const REDIRECT: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
    const FIXTURE_DN: &str = "C=US, ST=Washington, L=Seattle, O=Example IdP, \
                              CN=portal.sso.us-east-1.amazonaws.com";

    /// While the fixture certificate is valid and far from expiry.
    const NOW: OffsetDateTime = datetime!(2028-06-01 12:00 UTC);

    fn fixture() -> String {
        String::from_utf8(FIXTURE.to_vec()).unwrap()
    }

    /// Replace every `from` in the fixture; fails if `from` is absent so edits never no-op.
    fn edit(doc: &str, from: &str, to: &str) -> String {
        assert!(doc.contains(from), "fixture edit: {from:?} not found");
        doc.replace(from, to)
    }

    fn fixture_cert_b64() -> String {
        let doc = fixture();
        let start = doc.find("<ds:X509Certificate>").unwrap() + "<ds:X509Certificate>".len();
        let end = doc.find("</ds:X509Certificate>").unwrap();
        doc[start..end].to_owned()
    }

    fn key_descriptor(use_attr: Option<&str>, b64: &str) -> String {
        let use_attr = use_attr
            .map(|u| format!(" use=\"{u}\""))
            .unwrap_or_default();
        format!(
            "    <md:KeyDescriptor{use_attr}>\n      <ds:KeyInfo \
             xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">\n        <ds:X509Data>\n          \
             <ds:X509Certificate>{b64}</ds:X509Certificate>\n        </ds:X509Data>\n      \
             </ds:KeyInfo>\n    </md:KeyDescriptor>\n"
        )
    }

    /// The fixture with its KeyDescriptor replaced by `descriptors`.
    fn with_key_descriptors(descriptors: &[String]) -> String {
        let doc = fixture();
        let start = doc.find("    <md:KeyDescriptor").unwrap();
        let end = doc.find("</md:KeyDescriptor>\n").unwrap() + "</md:KeyDescriptor>\n".len();
        format!("{}{}{}", &doc[..start], descriptors.concat(), &doc[end..])
    }

    fn with_signing_certs(certs: &[&str]) -> String {
        let descriptors: Vec<String> = certs
            .iter()
            .map(|c| key_descriptor(Some("signing"), c))
            .collect();
        with_key_descriptors(&descriptors)
    }

    /// Keep edited documents above MIN_BYTES so the rule under test is the one that fires.
    fn pad(doc: &str) -> String {
        format!("{doc}<!-- {} -->\n", "padding ".repeat(130))
    }

    fn parse_str(doc: &str) -> Result<IdpMetadata, MetadataError> {
        parse(doc.as_bytes())
    }

    fn check_str(doc: &str, now: OffsetDateTime) -> Result<CheckedMetadata, MetadataError> {
        check(doc.as_bytes(), now)
    }

    fn assert_fixture_identity(md: &IdpMetadata) {
        assert_eq!(md.entity_id, ENTITY_ID);
        assert_eq!(md.sso_endpoints.len(), 2);
        assert_eq!(md.certificates.len(), 1);
        assert_eq!(md.certificates[0].sha256_fingerprint, FIXTURE_FP);
    }

    // ---- the fixture itself -------------------------------------------------------------

    #[test]
    fn parses_the_fixture() {
        let md = parse(FIXTURE).unwrap();
        assert_eq!(md.entity_id, ENTITY_ID);
        assert_eq!(md.byte_len, 2789);
        assert_eq!(
            md.sso_endpoints,
            vec![
                Endpoint {
                    binding: POST.into(),
                    location: ENTITY_ID.into()
                },
                Endpoint {
                    binding: REDIRECT.into(),
                    location: ENTITY_ID.into()
                },
            ]
        );
        assert_eq!(md.certificates.len(), 1);
        let cert = &md.certificates[0];
        assert_eq!(cert.subject, FIXTURE_DN);
        assert_eq!(cert.issuer, FIXTURE_DN);
        assert_eq!(cert.not_before, datetime!(2026-11-28 20:49:41 UTC));
        assert_eq!(cert.not_after, datetime!(2031-11-27 20:49:41 UTC));
        assert_eq!(cert.key_algorithm, "RSA");
        assert_eq!(cert.key_bits, 2048);
        assert_eq!(cert.sha256_fingerprint, FIXTURE_FP);
        let der = base64::engine::general_purpose::STANDARD
            .decode(fixture_cert_b64())
            .unwrap();
        assert_eq!(cert.der, der);
        assert!(!cert.is_weak_key());
    }

    #[test]
    fn checks_the_fixture_without_warnings() {
        let checked = check(FIXTURE, NOW).unwrap();
        assert_eq!(checked.metadata, parse(FIXTURE).unwrap());
        assert_eq!(checked.warnings, vec![]);
    }

    #[test]
    fn serializes_dates_as_rfc3339_and_omits_der() {
        let json = serde_json::to_value(parse(FIXTURE).unwrap()).unwrap();
        let cert = &json["certificates"][0];
        assert_eq!(cert["not_before"], "2026-11-28T20:49:41Z");
        assert_eq!(cert["not_after"], "2031-11-27T20:49:41Z");
        assert!(cert.get("der").is_none());
        assert_eq!(json["sso_endpoints"][1]["binding"], REDIRECT);
        let warning = MetadataWarning::WeakKey {
            fingerprint: "AA".into(),
            algorithm: "RSA".into(),
            bits: 1024,
        };
        assert_eq!(serde_json::to_value(warning).unwrap()["kind"], "weak_key");
    }

    // ---- accepted variants --------------------------------------------------------------

    #[test]
    fn accepts_any_namespace_prefix() {
        let doc = edit(&fixture(), "<md:", "<saml2md:");
        let doc = edit(&doc, "</md:", "</saml2md:");
        let doc = edit(&doc, "xmlns:md=", "xmlns:saml2md=");
        let doc = edit(&doc, "<ds:", "<dsig:");
        let doc = edit(&doc, "</ds:", "</dsig:");
        let doc = edit(&doc, "xmlns:ds=", "xmlns:dsig=");
        assert_fixture_identity(&parse_str(&doc).unwrap());
    }

    #[test]
    fn accepts_default_namespaces() {
        let doc = edit(&fixture(), "<md:", "<");
        let doc = edit(&doc, "</md:", "</");
        let doc = edit(&doc, "xmlns:md=", "xmlns=");
        assert_fixture_identity(&parse_str(&doc).unwrap());

        // The signature namespace as the default inside KeyInfo as well.
        let doc = edit(&doc, "<ds:", "<");
        let doc = edit(&doc, "</ds:", "</");
        let doc = edit(&doc, "xmlns:ds=", "xmlns=");
        assert_fixture_identity(&parse_str(&doc).unwrap());
    }

    #[test]
    fn matches_namespace_uri_not_prefix() {
        // Right prefix and local names, wrong namespace URI: not SAML 2.0 metadata.
        let doc = edit(
            &fixture(),
            "xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\"",
            "xmlns:md=\"urn:oasis:names:tc:SAML:1.0:metadata\"",
        );
        assert_eq!(
            parse_str(&doc),
            Err(MetadataError::NotMetadata {
                root: "<EntityDescriptor> in namespace urn:oasis:names:tc:SAML:1.0:metadata".into()
            })
        );
        // The certificate must be in the XML-DSig namespace too.
        let doc = edit(
            &fixture(),
            "xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"",
            "xmlns:ds=\"http://example.com/not-xmldsig\"",
        );
        assert_eq!(parse_str(&doc), Err(MetadataError::NoSigningCertificate));
    }

    #[test]
    fn accepts_a_utf8_bom() {
        let mut bytes = UTF8_BOM.to_vec();
        bytes.extend_from_slice(FIXTURE);
        let md = parse(&bytes).unwrap();
        assert_fixture_identity(&md);
        assert_eq!(md.byte_len, FIXTURE.len() + 3);
        assert_eq!(strip_bom(&bytes), FIXTURE);
        assert_eq!(strip_bom(FIXTURE), FIXTURE);
    }

    #[test]
    fn accepts_crlf_line_endings() {
        let doc = edit(&fixture(), "\n", "\r\n");
        assert_fixture_identity(&parse_str(&doc).unwrap());
    }

    #[test]
    fn accepts_wrapped_and_spaced_base64() {
        let b64 = fixture_cert_b64();
        let wrapped: Vec<String> = b64
            .as_bytes()
            .chunks(64)
            .map(|c| String::from_utf8(c.to_vec()).unwrap())
            .collect();
        for (sep, label) in [
            ("\n", "LF"),
            ("\r\n", "CRLF"),
            ("\n            ", "indented"),
            (" \t ", "spaces and tabs"),
        ] {
            let body = format!("{sep}{}{sep}", wrapped.join(sep));
            let doc = edit(&fixture(), &b64, &body);
            let md = parse_str(&doc).unwrap_or_else(|e| panic!("{label}: {e}"));
            assert_fixture_identity(&md);
        }
    }

    #[test]
    fn accepts_certificate_text_split_by_a_comment_or_pem_armour() {
        let b64 = fixture_cert_b64();
        let (a, b) = b64.split_at(100);
        let doc = edit(&fixture(), &b64, &format!("{a}<!-- split -->{b}"));
        assert_fixture_identity(&parse_str(&doc).unwrap());
        let doc = edit(
            &fixture(),
            &b64,
            &format!("-----BEGIN CERTIFICATE-----\n{b64}\n-----END CERTIFICATE-----"),
        );
        assert_fixture_identity(&parse_str(&doc).unwrap());
    }

    #[test]
    fn takes_the_first_idp_from_an_entities_descriptor() {
        let doc = fixture();
        let decl_end = doc.find("?>").unwrap() + 2;
        let sp = "<md:EntityDescriptor entityID=\"urn:amazon:webservices\">\
                  <md:SPSSODescriptor protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\"/>\
                  </md:EntityDescriptor>";
        let wrapped = format!(
            "{}\n<md:EntitiesDescriptor xmlns:md=\"{SAML_METADATA_NS}\">{sp}{}</md:EntitiesDescriptor>\n",
            &doc[..decl_end],
            &doc[decl_end..]
        );
        let checked = check_str(&wrapped, NOW).unwrap();
        assert_fixture_identity(&checked.metadata);
        assert_eq!(checked.warnings, vec![]);

        // Two identity providers: the first is used, with a warning.
        let second = doc[decl_end..].replace(ENTITY_ID, "https://second.example.test/idp");
        let two = format!(
            "{}\n<md:EntitiesDescriptor xmlns:md=\"{SAML_METADATA_NS}\">{}{second}</md:EntitiesDescriptor>\n",
            &doc[..decl_end],
            &doc[decl_end..]
        );
        let checked = check_str(&two, NOW).unwrap();
        assert_fixture_identity(&checked.metadata);
        assert_eq!(
            checked.warnings,
            vec![MetadataWarning::MultipleEntities {
                count: 2,
                used_entity_id: ENTITY_ID.into()
            }]
        );
    }

    #[test]
    fn collects_signing_certificates_in_order_deduplicated() {
        let fixture_b64 = fixture_cert_b64();
        let doc = with_key_descriptors(&[
            key_descriptor(Some("encryption"), EC_P384),
            key_descriptor(Some("signing"), &fixture_b64),
            key_descriptor(None, EC_P256),
            key_descriptor(None, &fixture_b64),
            key_descriptor(Some(" signing "), ED25519),
        ]);
        let md = parse_str(&doc).unwrap();
        let fingerprints: Vec<&str> = md
            .certificates
            .iter()
            .map(|c| c.sha256_fingerprint.as_str())
            .collect();
        assert_eq!(fingerprints, vec![FIXTURE_FP, EC_P256_FP, ED25519_FP]);
    }

    // ---- key types ----------------------------------------------------------------------

    #[test]
    fn describes_key_types() {
        let cases = [
            (
                RSA1024,
                "RSA",
                1024,
                RSA1024_FP,
                "CN=weak.example.test",
                true,
            ),
            (
                RSA3072,
                "RSA",
                3072,
                RSA3072_FP,
                "CN=rotation.example.test",
                false,
            ),
            (
                EXPIRED_RSA2048,
                "RSA",
                2048,
                EXPIRED_FP,
                "CN=expired.example.test",
                false,
            ),
            (
                EC_P256,
                "EC P-256",
                256,
                EC_P256_FP,
                "CN=ec.example.test",
                false,
            ),
            (
                EC_P384,
                "EC P-384",
                384,
                EC_P384_FP,
                "CN=ec384.example.test",
                false,
            ),
            (
                ED25519,
                "Ed25519",
                256,
                ED25519_FP,
                "CN=ed.example.test",
                false,
            ),
        ];
        for (b64, algorithm, bits, fp, cn, weak) in cases {
            let md = parse_str(&with_signing_certs(&[b64])).unwrap();
            let cert = &md.certificates[0];
            let subject = format!("{cn}, O=Example IdP");
            assert_eq!(cert.key_algorithm, algorithm, "{cn}");
            assert_eq!(cert.key_bits, bits, "{cn}");
            assert_eq!(cert.sha256_fingerprint, fp, "{cn}");
            assert_eq!(cert.subject, subject);
            assert_eq!(cert.issuer, subject);
            assert_eq!(cert.is_weak_key(), weak, "{cn}");
        }
    }

    #[test]
    fn significant_bits_ignores_leading_zeros() {
        assert_eq!(significant_bits(&[]), 0);
        assert_eq!(significant_bits(&[0, 0]), 0);
        assert_eq!(significant_bits(&[0x01]), 1);
        assert_eq!(significant_bits(&[0x00, 0x80, 0x00]), 16);
        assert_eq!(significant_bits(&[0x7F, 0xFF]), 15);
    }

    // ---- size, encoding and format errors -----------------------------------------------

    #[test]
    fn rejects_empty_input() {
        assert_eq!(parse(b""), Err(MetadataError::Empty));
        assert_eq!(parse(b" \r\n\t "), Err(MetadataError::Empty));
        assert_eq!(parse(UTF8_BOM), Err(MetadataError::Empty));
        assert_eq!(parse(&[b' '; 5_000]), Err(MetadataError::Empty));
    }

    #[test]
    fn rejects_tiny_and_truncated_input_by_size() {
        assert_eq!(parse(b"<x/>"), Err(MetadataError::TooSmall { len: 4 }));
        assert_eq!(
            parse(&FIXTURE[..512]),
            Err(MetadataError::TooSmall { len: 512 })
        );
        // The limits are inclusive: 999 is too small, 1,000 goes on to parsing.
        assert_eq!(
            parse(&[b'x'; MIN_BYTES - 1]),
            Err(MetadataError::TooSmall { len: 999 })
        );
        assert!(matches!(
            parse(&[b'x'; MIN_BYTES]),
            Err(MetadataError::NotXml { .. })
        ));
    }

    #[test]
    fn rejects_input_over_ten_megabytes() {
        let mut big = FIXTURE.to_vec();
        big.extend_from_slice(b"<!--");
        big.resize(MAX_BYTES - 4, b'x');
        big.extend_from_slice(b"-->\n");
        assert_eq!(big.len(), MAX_BYTES);
        // Exactly at the limit is still accepted.
        assert_fixture_identity(&parse(&big).unwrap());
        big.push(b'\n');
        assert_eq!(
            parse(&big),
            Err(MetadataError::TooLarge { len: MAX_BYTES + 1 })
        );
    }

    #[test]
    fn rejects_truncated_xml() {
        let err = parse(&FIXTURE[..2_000]).unwrap_err();
        assert!(matches!(err, MetadataError::NotXml { .. }), "{err:?}");
        let err = parse(&FIXTURE[..FIXTURE.len() - 10]).unwrap_err();
        assert!(matches!(err, MetadataError::NotXml { .. }), "{err:?}");
    }

    #[test]
    fn rejects_non_xml_text() {
        let json = format!("{{\"metadata\": \"{}\"}}", "x".repeat(1_200));
        let err = parse_str(&json).unwrap_err();
        assert!(matches!(err, MetadataError::NotXml { .. }), "{err:?}");
    }

    #[test]
    fn rejects_non_utf8() {
        let doc = edit(
            &fixture(),
            "<md:NameIDFormat/>",
            "<!-- \u{1} --><md:NameIDFormat/>",
        );
        let mut bytes = doc.into_bytes();
        let at = bytes.iter().position(|b| *b == 1).unwrap();
        bytes[at] = 0xFF;
        assert_eq!(parse(&bytes), Err(MetadataError::NotUtf8));

        // UTF-16 (as some editors save it), with its byte-order mark.
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(fixture().encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(parse(&utf16), Err(MetadataError::NotUtf8));
    }

    #[test]
    fn rejects_html_pages() {
        let body = format!(
            "<head><title>AWS access portal</title></head>\n<body><p>{}</p></body>\n</html>\n",
            "Sign in to continue. ".repeat(60)
        );
        let pages = [
            format!("<!DOCTYPE html>\n<html lang=\"en\">{body}"),
            format!("\n\n  <!doctype HTML>\n<html>{body}"),
            format!("<HTML>{body}"),
            format!("<!-- saved from url=(0014)about:internet -->\r\n<html>{body}"),
            format!(
                "<?xml version=\"1.0\"?>\n<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" \
                 \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\">\n<html \
                 xmlns=\"http://www.w3.org/1999/xhtml\">{body}"
            ),
            // A well-formed XHTML page reaches the root-element check.
            format!("<h:html xmlns:h=\"http://www.w3.org/1999/xhtml\"><h:p>{body}</h:p></h:html>")
                .replace("</html>\n", "")
                .replace("<head>", "<h:head>")
                .replace("</head>", "</h:head>")
                .replace("<body>", "<h:body>")
                .replace("</body>", "</h:body>")
                .replace("<title>", "<h:title>")
                .replace("</title>", "</h:title>")
                .replace("<p>", "<h:p>")
                .replace("</p>", "</h:p>"),
            // Malformed HTML with no <html> start: caught after the XML parser fails.
            format!("<meta charset=\"utf-8\">{body}"),
        ];
        for (i, page) in pages.iter().enumerate() {
            let mut bytes = UTF8_BOM.to_vec();
            bytes.extend_from_slice(page.as_bytes());
            assert_eq!(parse_str(page), Err(MetadataError::HtmlPage), "page {i}");
            assert_eq!(
                parse(&bytes),
                Err(MetadataError::HtmlPage),
                "page {i} with BOM"
            );
        }
    }

    #[test]
    fn rejects_dtds_and_entities() {
        let doc = fixture();
        let decl_end = doc.find("?>").unwrap() + 2;
        let (decl, rest) = doc.split_at(decl_end);
        let dtds = [
            "<!DOCTYPE md:EntityDescriptor [<!ENTITY name \"value\">]>",
            "<!DOCTYPE md:EntityDescriptor SYSTEM \"http://attacker.example/evil.dtd\">",
            "<!DOCTYPE x [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>",
            "<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]>",
            "<!DOCTYPE md:EntityDescriptor>",
            "<!-- comment first -->\n<!DOCTYPE md:EntityDescriptor [<!ENTITY a \"b\">]>",
        ];
        for dtd in dtds {
            let with_dtd = format!("{decl}\n{dtd}{rest}");
            assert_eq!(
                parse_str(&with_dtd),
                Err(MetadataError::DtdForbidden),
                "{dtd}"
            );
        }
        // An entity reference to an entity that was declared: DTD error, never expansion.
        let used = format!(
            "{decl}\n<!DOCTYPE md:EntityDescriptor [<!ENTITY id \"{ENTITY_ID}\">]>{}",
            rest.replacen(ENTITY_ID, "&id;", 1)
        );
        assert_eq!(parse_str(&used), Err(MetadataError::DtdForbidden));
        // A DOCTYPE the prolog check does not see first still hits roxmltree's refusal.
        let late = format!("{decl}<?pi x?>\n<!DOCTYPE x [<!ENTITY a \"b\">]>{rest}");
        assert_eq!(parse_str(&late), Err(MetadataError::DtdForbidden));
    }

    // ---- structural errors --------------------------------------------------------------

    #[test]
    fn rejects_other_xml_documents() {
        let doc = fixture();
        let decl_end = doc.find("?>").unwrap() + 2;
        let response = format!(
            "{}\n<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\">{}</samlp:Response>",
            &doc[..decl_end],
            "<!-- x -->".repeat(100)
        );
        assert_eq!(
            parse_str(&response),
            Err(MetadataError::NotMetadata {
                root: "<Response> in namespace urn:oasis:names:tc:SAML:2.0:protocol".into()
            })
        );
        let plain = pad("<config><value>1</value></config>");
        assert_eq!(
            parse_str(&plain),
            Err(MetadataError::NotMetadata {
                root: "<config> with no namespace".into()
            })
        );
    }

    #[test]
    fn rejects_service_provider_metadata() {
        let doc = edit(&fixture(), "IDPSSODescriptor", "SPSSODescriptor");
        assert_eq!(parse_str(&doc), Err(MetadataError::ServiceProviderMetadata));

        let doc = fixture();
        let decl_end = doc.find("?>").unwrap() + 2;
        let sp_only = format!(
            "{}\n<md:EntitiesDescriptor xmlns:md=\"{SAML_METADATA_NS}\">{}</md:EntitiesDescriptor>",
            &doc[..decl_end],
            edit(&doc[decl_end..], "IDPSSODescriptor", "SPSSODescriptor")
        );
        assert_eq!(
            parse_str(&sp_only),
            Err(MetadataError::ServiceProviderMetadata)
        );
    }

    #[test]
    fn rejects_metadata_without_an_idp() {
        let doc = edit(
            &fixture(),
            "IDPSSODescriptor",
            "AttributeAuthorityDescriptor",
        );
        assert_eq!(parse_str(&doc), Err(MetadataError::NoIdpDescriptor));
        let empty = pad(&format!(
            "<md:EntitiesDescriptor xmlns:md=\"{SAML_METADATA_NS}\"/>"
        ));
        assert_eq!(parse_str(&empty), Err(MetadataError::NoIdpDescriptor));
    }

    #[test]
    fn rejects_a_missing_entity_id() {
        let attr = format!(" entityID=\"{ENTITY_ID}\"");
        let doc = edit(&fixture(), &attr, "");
        assert_eq!(parse_str(&doc), Err(MetadataError::NoEntityId));
        let doc = edit(&fixture(), &attr, " entityID=\"  \"");
        assert_eq!(parse_str(&doc), Err(MetadataError::NoEntityId));
    }

    #[test]
    fn rejects_a_missing_sso_endpoint() {
        let doc = fixture();
        let kept: String = doc
            .lines()
            .filter(|l| !l.contains("SingleSignOnService"))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(parse_str(&pad(&kept)), Err(MetadataError::NoSsoEndpoint));
        // Endpoints without a Location do not count.
        let doc = edit(
            &doc,
            "Location=\"https://portal.sso.us-east-1.amazonaws.com/saml/assertion",
            "Place=\"x",
        );
        assert_eq!(parse_str(&doc), Err(MetadataError::NoSsoEndpoint));
    }

    #[test]
    fn rejects_a_missing_signing_certificate() {
        let no_cert = pad(&with_key_descriptors(&[]));
        assert_eq!(
            parse_str(&no_cert),
            Err(MetadataError::NoSigningCertificate)
        );
        // Encryption certificates do not count.
        let doc = edit(&fixture(), "use=\"signing\"", "use=\"encryption\"");
        assert_eq!(parse_str(&doc), Err(MetadataError::NoSigningCertificate));
        // Nor does an empty-handed KeyDescriptor.
        let doc = pad(&edit(
            &fixture(),
            &format!(
                "<ds:X509Certificate>{}</ds:X509Certificate>",
                fixture_cert_b64()
            ),
            "",
        ));
        assert_eq!(parse_str(&doc), Err(MetadataError::NoSigningCertificate));
    }

    #[test]
    fn rejects_undecodable_certificates() {
        let b64 = fixture_cert_b64();
        let cases = [
            ("not base64 at all!".to_owned(), "not valid base64"),
            ("".to_owned(), "empty"),
            ("AAAA".to_owned(), "not an X.509 certificate"),
            (b64[..b64.len() - 40].to_owned(), ""),
            (format!("{b64}AAAA"), ""),
        ];
        for (body, detail_part) in cases {
            let doc = pad(&edit(&fixture(), &b64, &body));
            match parse_str(&doc) {
                Err(MetadataError::UndecodableCertificate { index: 1, detail }) => {
                    assert!(detail.contains(detail_part), "{detail}");
                }
                other => panic!("{body:?}: {other:?}"),
            }
        }
        // The index points at the bad certificate, counting from 1.
        let doc = with_signing_certs(&[&b64, "@@@@"]);
        assert!(matches!(
            parse_str(&doc),
            Err(MetadataError::UndecodableCertificate { index: 2, .. })
        ));
    }

    // ---- validity -----------------------------------------------------------------------

    #[test]
    fn validity_bounds_are_inclusive() {
        let cert = parse(FIXTURE).unwrap().certificates.remove(0);
        let start = datetime!(2026-11-28 20:49:41 UTC);
        let end = datetime!(2031-11-27 20:49:41 UTC);
        let second = Duration::seconds(1);
        assert_eq!(cert.validity(start - second), CertValidity::NotYetValid);
        assert_eq!(
            cert.validity(start),
            CertValidity::Valid { days_left: 1825 }
        );
        assert_eq!(cert.validity(end), CertValidity::Valid { days_left: 0 });
        assert_eq!(
            cert.validity(end - Duration::days(1)),
            CertValidity::Valid { days_left: 1 }
        );
        assert_eq!(cert.validity(end + second), CertValidity::Expired);
    }

    #[test]
    fn errors_when_the_only_certificate_is_not_yet_valid() {
        assert_eq!(
            check(FIXTURE, datetime!(2026-06-01 0:00 UTC)),
            Err(MetadataError::NotYetValid {
                not_before: datetime!(2026-11-28 20:49:41 UTC)
            })
        );
    }

    #[test]
    fn errors_when_all_certificates_expired() {
        assert_eq!(
            check(FIXTURE, datetime!(2032-01-01 0:00 UTC)),
            Err(MetadataError::AllCertificatesExpired {
                not_after: datetime!(2031-11-27 20:49:41 UTC)
            })
        );
        // Reports the newest expiry.
        let doc = with_signing_certs(&[&fixture_cert_b64(), EXPIRED_RSA2048, RSA3072]);
        assert_eq!(
            check_str(&doc, datetime!(2040-01-01 0:00 UTC)),
            Err(MetadataError::AllCertificatesExpired {
                not_after: datetime!(2031-11-27 20:49:41 UTC)
            })
        );
        let doc = with_signing_certs(&[EXPIRED_RSA2048]);
        assert_eq!(
            check_str(&doc, NOW),
            Err(MetadataError::AllCertificatesExpired {
                not_after: datetime!(2021-01-01 0:00 UTC)
            })
        );
    }

    #[test]
    fn prefers_not_yet_valid_when_expired_and_future_certificates_mix() {
        // No certificate valid now; one is still to come, so the clock is the likely culprit.
        let doc = with_signing_certs(&[EXPIRED_RSA2048, &fixture_cert_b64()]);
        assert_eq!(
            check_str(&doc, datetime!(2026-06-01 0:00 UTC)),
            Err(MetadataError::NotYetValid {
                not_before: datetime!(2026-11-28 20:49:41 UTC)
            })
        );
    }

    #[test]
    fn warns_about_an_expired_certificate_next_to_a_valid_one() {
        let doc = with_signing_certs(&[EXPIRED_RSA2048, &fixture_cert_b64()]);
        let checked = check_str(&doc, NOW).unwrap();
        assert_eq!(checked.metadata.certificates.len(), 2);
        assert_eq!(
            checked.warnings,
            vec![MetadataWarning::SomeCertificateExpired {
                fingerprint: EXPIRED_FP.into(),
                not_after: datetime!(2021-01-01 0:00 UTC)
            }]
        );
    }

    #[test]
    fn warns_about_a_future_certificate_next_to_a_valid_one() {
        // RSA3072 is valid 2026-01-01 .. 2027-01-15; the fixture starts 2026-11-28.
        let doc = with_signing_certs(&[RSA3072, &fixture_cert_b64()]);
        let checked = check_str(&doc, datetime!(2026-10-01 0:00 UTC)).unwrap();
        assert_eq!(
            checked.warnings,
            vec![MetadataWarning::SomeCertificateNotYetValid {
                fingerprint: FIXTURE_FP.into(),
                not_before: datetime!(2026-11-28 20:49:41 UTC)
            }]
        );
    }

    #[test]
    fn warns_when_the_certificate_expires_within_30_days() {
        let not_after = datetime!(2031-11-27 20:49:41 UTC);
        let expires_soon = |days_left| {
            vec![MetadataWarning::ExpiresSoon {
                fingerprint: FIXTURE_FP.into(),
                days_left,
                not_after,
            }]
        };
        let at = |now| check(FIXTURE, now).unwrap().warnings;
        assert_eq!(at(not_after - Duration::days(20)), expires_soon(20));
        assert_eq!(at(not_after - Duration::days(30)), expires_soon(30));
        assert_eq!(
            at(not_after - Duration::days(30) - Duration::seconds(1)),
            vec![]
        );
        assert_eq!(at(not_after), expires_soon(0));
    }

    #[test]
    fn no_expiry_warning_while_a_longer_lived_certificate_is_valid() {
        // Mid-rotation: RSA3072 ends 2027-01-15, but the fixture certificate lasts until 2031.
        let doc = with_signing_certs(&[RSA3072, &fixture_cert_b64()]);
        let checked = check_str(&doc, datetime!(2027-01-01 0:00 UTC)).unwrap();
        assert_eq!(checked.warnings, vec![]);
        // Alone, RSA3072 triggers the warning.
        let doc = with_signing_certs(&[RSA3072]);
        let checked = check_str(&doc, datetime!(2027-01-01 0:00 UTC)).unwrap();
        assert_eq!(
            checked.warnings,
            vec![MetadataWarning::ExpiresSoon {
                fingerprint: RSA3072_FP.into(),
                days_left: 14,
                not_after: datetime!(2027-01-15 0:00 UTC)
            }]
        );
    }

    #[test]
    fn warns_about_weak_keys() {
        let doc = with_signing_certs(&[RSA1024]);
        let checked = check_str(&doc, NOW).unwrap();
        assert_eq!(
            checked.warnings,
            vec![MetadataWarning::WeakKey {
                fingerprint: RSA1024_FP.into(),
                algorithm: "RSA".into(),
                bits: 1024
            }]
        );
        for strong in [EC_P256, EC_P384, ED25519, RSA3072] {
            let doc = with_signing_certs(&[strong]);
            let checked = check_str(&doc, datetime!(2026-06-01 0:00 UTC)).unwrap();
            assert_eq!(
                checked.warnings,
                vec![],
                "{}",
                checked.metadata.certificates[0].key_algorithm
            );
        }
    }

    // ---- messages -----------------------------------------------------------------------

    #[test]
    fn error_messages_say_what_and_how() {
        assert_eq!(
            MetadataError::TooSmall { len: 512 }.to_string(),
            format!(
                "the file is 512 bytes; IAM accepts SAML metadata of 1,000 to 10,000,000 bytes — \
                 this is probably truncated or not the metadata file. {DOWNLOAD_HINT}"
            )
        );
        assert!(
            MetadataError::TooLarge { len: 12_345_678 }
                .to_string()
                .starts_with("the file is 12,345,678 bytes")
        );
        let expired = MetadataError::AllCertificatesExpired {
            not_after: datetime!(2021-01-01 0:00 UTC),
        }
        .to_string();
        assert!(
            expired.contains("expired on 2021-01-01 00:00:00 UTC"),
            "{expired}"
        );
        assert!(expired.contains("create a new certificate"), "{expired}");
        let future = MetadataError::NotYetValid {
            not_before: datetime!(2026-11-28 20:49:41 UTC),
        }
        .to_string();
        assert!(future.contains("2026-11-28 20:49:41 UTC"), "{future}");
        assert!(future.contains("date, time and time zone"), "{future}");
        assert!(
            MetadataError::ServiceProviderMetadata
                .to_string()
                .contains("not IAM Identity Center's")
        );
        assert!(MetadataError::HtmlPage.to_string().contains("web page"));

        let all = [
            MetadataError::Empty,
            MetadataError::NotUtf8,
            MetadataError::NotXml { detail: "x".into() },
            MetadataError::DtdForbidden,
            MetadataError::NotMetadata { root: "<x>".into() },
            MetadataError::NoIdpDescriptor,
            MetadataError::NoEntityId,
            MetadataError::NoSsoEndpoint,
            MetadataError::NoSigningCertificate,
            MetadataError::UndecodableCertificate {
                index: 1,
                detail: "x".into(),
            },
        ];
        for error in all {
            let text = error.to_string();
            assert!(text.contains("Download the metadata again"), "{text}");
        }
    }

    #[test]
    fn warning_messages_say_what_and_how() {
        let soon = MetadataWarning::ExpiresSoon {
            fingerprint: "AB:CD".into(),
            days_left: 1,
            not_after: datetime!(2031-11-27 20:49:41 UTC),
        }
        .to_string();
        assert!(
            soon.contains("expires in 1 day (on 2031-11-27 20:49:41 UTC)"),
            "{soon}"
        );
        assert!(soon.contains("update the IAM SAML provider"), "{soon}");
        let today = MetadataWarning::ExpiresSoon {
            fingerprint: "AB:CD".into(),
            days_left: 0,
            not_after: datetime!(2031-11-27 20:49:41 UTC),
        }
        .to_string();
        assert!(today.contains("expires within a day (on"), "{today}");
        let weak = MetadataWarning::WeakKey {
            fingerprint: "AB:CD".into(),
            algorithm: "RSA".into(),
            bits: 1024,
        }
        .to_string();
        assert!(weak.contains("1024-bit RSA key"), "{weak}");
        assert!(weak.contains("at least 2,048 bits"), "{weak}");
        let multiple = MetadataWarning::MultipleEntities {
            count: 3,
            used_entity_id: "urn:x".into(),
        }
        .to_string();
        assert!(multiple.contains("3 identity providers; the first one (urn:x)"));
    }

    #[test]
    fn groups_digits() {
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(999), "999");
        assert_eq!(group_digits(1_000), "1,000");
        assert_eq!(group_digits(10_000_000), "10,000,000");
        assert_eq!(group_digits(123_456_789), "123,456,789");
    }

    // ---- never panic --------------------------------------------------------------------

    fn any_now() -> impl Strategy<Value = OffsetDateTime> {
        // Years 1..9999, the whole range certificates can express.
        (-62_000_000_000_i64..253_000_000_000)
            .prop_map(|s| OffsetDateTime::from_unix_timestamp(s).unwrap_or(NOW))
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_bytes(
            bytes in proptest::collection::vec(any::<u8>(), 0..3_000),
            now in any_now(),
        ) {
            let _ = parse(&bytes);
            let _ = check(&bytes, now);
        }

        #[test]
        fn never_panics_on_arbitrary_text_after_the_fixture_prolog(
            tail in "[<>/=\"a-zA-Z: !?\\[\\]&;#-]{0,2000}",
        ) {
            let doc = format!("{}{tail}", &fixture()[..1_000]);
            let _ = check_str(&doc, NOW);
        }

        #[test]
        fn never_panics_on_mutated_fixture(
            flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..16),
            cut in proptest::option::of(0..FIXTURE.len()),
            now in any_now(),
        ) {
            let mut bytes = FIXTURE.to_vec();
            for (at, byte) in flips {
                let len = bytes.len();
                bytes[at % len] = byte;
            }
            if let Some(cut) = cut {
                bytes.truncate(cut);
            }
            let _ = parse(&bytes);
            let _ = check(&bytes, now);
        }

        #[test]
        fn never_panics_on_mutated_certificate_der(
            flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8),
            cut in proptest::option::of(0..980_usize),
            now in any_now(),
        ) {
            // Mutate the DER, not the base64, so the X.509 parser sees the damage.
            let b64 = fixture_cert_b64();
            let mut der = base64::engine::general_purpose::STANDARD.decode(&b64).unwrap();
            for (at, byte) in flips {
                let len = der.len();
                der[at % len] = byte;
            }
            if let Some(cut) = cut {
                der.truncate(cut);
            }
            let body = base64::engine::general_purpose::STANDARD.encode(&der);
            let doc = pad(&fixture().replace(&b64, &body));
            match check_str(&doc, now) {
                Ok(checked) => prop_assert!(!checked.metadata.certificates.is_empty()),
                Err(e) => prop_assert!(!e.to_string().is_empty()),
            }
        }

        #[test]
        fn messages_never_panic(now in any_now(), days in any::<i64>(), len in any::<usize>()) {
            let _ = MetadataError::NotYetValid { not_before: now }.to_string();
            let _ = MetadataError::TooLarge { len }.to_string();
            let _ = MetadataWarning::ExpiresSoon {
                fingerprint: String::new(),
                days_left: days,
                not_after: now,
            }
            .to_string();
        }
    }
}
