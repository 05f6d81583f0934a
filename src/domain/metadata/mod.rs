//! IAM Identity Center SAML metadata: parse the IdP metadata file the user downloaded and
//! check that IAM (`CreateSAMLProvider`) will accept it and that sign-in will work with it.
//!
//! Pure: no I/O and no clock. [`parse`] checks structure only; [`check`] adds the time-based
//! rules against a caller-supplied `now`. Every error and warning says what is wrong and how
//! to fix it, so the UI can show it as it is.
//!
//! Security: the XML is parsed by `roxmltree` with DTDs refused, so entities are never
//! expanded and nothing is ever fetched.
//!
//! Layout: the public types are here; `parse` reads the file, `certificate` holds [`check`]
//! and certificate decoding, `error` the errors and warnings with their messages.

mod certificate;
mod error;
mod parse;

#[cfg(test)]
mod tests;

use serde::Serialize;
use time::{OffsetDateTime, UtcOffset};

pub use certificate::check;
pub use error::{MetadataError, MetadataWarning};
pub use parse::parse;

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

/// Metadata that passed [`check`], with the warnings to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckedMetadata {
    pub metadata: IdpMetadata,
    pub warnings: Vec<MetadataWarning>,
}

/// The bytes without a leading UTF-8 byte-order mark.
pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes)
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
