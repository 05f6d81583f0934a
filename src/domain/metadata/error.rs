//! Why a metadata file is refused ([`MetadataError`]) and what the user should know about
//! one that is accepted ([`MetadataWarning`]); every message says what is wrong and how to fix
//! it.

use std::fmt;

use serde::Serialize;
use time::OffsetDateTime;

use super::{MIN_EC_KEY_BITS, MIN_KEY_BITS, SAML_METADATA_NS, format_date, group_digits};

/// Where the right file comes from; appended to most errors.
pub(super) const DOWNLOAD_HINT: &str = "Download the metadata again from the IAM Identity Center console: \
     open your Amazon Connect application under Applications and, next to \
     \"IAM Identity Center SAML metadata file\", choose Download";

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
    /// The longest-lived valid certificate expires within
    /// [`EXPIRY_WARNING_DAYS`](super::EXPIRY_WARNING_DAYS).
    ExpiresSoon {
        fingerprint: String,
        days_left: i64,
        #[serde(with = "time::serde::rfc3339")]
        not_after: OffsetDateTime,
    },
    /// A certificate's key is shorter than recommended (see
    /// [`SigningCertificate::is_weak_key`](super::SigningCertificate::is_weak_key)).
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
