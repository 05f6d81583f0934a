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
//!
//! Layout: `decode` (input to XML), `parse` (XML to [`SamlResponse`]), `c14n` and `signature`
//! (canonicalization and verification), `issue` (building and signing responses as Identity
//! Center does, for the sandbox and the tests), `certificate` (`KeyInfo` certificates), `role` (the
//! Role attribute's pairs), `checks` (one file per group of fields) and `report` (what the
//! checks return and compare against). Every public item is re-exported here, but for `issue`'s,
//! which stay in their module.

mod c14n;
mod certificate;
mod checks;
mod decode;
pub mod issue;
mod parse;
mod report;
mod role;
mod signature;

#[cfg(test)]
#[path = "../../../tests/common/saml.rs"]
pub(crate) mod testkit;

#[cfg(test)]
mod tests;

pub use c14n::{C14nOptions, EXC_C14N, EXC_C14N_WITH_COMMENTS, canonicalize};
pub use certificate::fingerprint;
pub use checks::{check, check_relay_state};
pub use decode::{AssertionError, Decoded, InputKind, decode};
pub use parse::{Assertion, Attribute, SamlResponse, SubjectConfirmation, parse};
pub use report::{Expectations, Finding, Severity, any_fail};
pub use role::{RolePair, role_name_of};
pub use signature::{
    ECDSA_SHA256, ECDSA_SHA384, ENVELOPED_SIGNATURE, RSA_SHA1, RSA_SHA256, RSA_SHA384, RSA_SHA512,
    SHA1, SHA256, SHA384, SHA512, SignatureReport,
};

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
