//! XML Signature verification of the `ds:Signature` elements in a SAMLResponse, as the SAML
//! 2.0 profile of XML Signature uses them: one `Reference` to the signature's parent element
//! by its `ID`, the enveloped-signature transform, exclusive canonicalization, and an RSA (or
//! ECDSA) signature over the canonical `SignedInfo`, checked with the key of the certificate
//! in `KeyInfo`.
//!
//! Signature wrapping: a reference must point at the element that holds the signature, and
//! its ID must be unique in the document, so the element whose digest was checked is the
//! element the caller reads values from (the caller compares node ids).

use std::collections::HashMap;

use aws_lc_rs::signature::{self, UnparsedPublicKey, VerificationAlgorithm};
use base64::Engine as _;
use roxmltree::{Document, Node, NodeId};
use serde::Serialize;
use sha2::Digest as _;
use x509_parser::prelude::{FromDer as _, X509Certificate};

use super::c14n::{C14nOptions, EXC_C14N, EXC_C14N_WITH_COMMENTS, canonicalize};
use crate::domain::metadata::{SigningCertificate, XMLDSIG_NS};

pub const ENVELOPED_SIGNATURE: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
pub const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
pub const RSA_SHA384: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384";
pub const RSA_SHA512: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512";
pub const RSA_SHA1: &str = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";
pub const ECDSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";
pub const ECDSA_SHA384: &str = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384";
pub const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
pub const SHA384: &str = "http://www.w3.org/2001/04/xmldsig-more#sha384";
pub const SHA512: &str = "http://www.w3.org/2001/04/xmlenc#sha512";
pub const SHA1: &str = "http://www.w3.org/2000/09/xmldsig#sha1";

const RSA_OID: &str = "1.2.840.113549.1.1.1";
const EC_OID: &str = "1.2.840.10045.2.1";
const P256_OID: &str = "1.2.840.10045.3.1.7";
const P384_OID: &str = "1.3.132.0.34";

/// What one `ds:Signature` covers and whether it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignatureReport {
    /// Local name of the element the reference points at (`Response`, `Assertion`, ...), or
    /// empty when it points nowhere.
    pub covers: String,
    /// The `URI` of the reference, e.g. `#_abc123`.
    pub reference_uri: Option<String>,
    /// Local name of the element the signature sits in.
    pub location: String,
    pub canonicalization: Option<String>,
    pub signature_method: Option<String>,
    pub digest_method: Option<String>,
    pub transforms: Vec<String>,
    /// Certificates in `KeyInfo`, in document order.
    pub certificates: Vec<SigningCertificate>,
    /// Index in `certificates` of the one whose key verified the signature.
    pub signed_by: Option<usize>,
    /// The digest of the referenced element matches `DigestValue`.
    pub digest_ok: bool,
    /// `SignatureValue` verifies over the canonical `SignedInfo` with a certificate's key.
    pub signature_ok: bool,
    /// SHA-1 or short keys: accepted here but weak.
    pub weak: Vec<String>,
    /// Why the signature does not hold, in plain words; `None` when it holds.
    pub problem: Option<String>,
    /// Node of the referenced element, to compare with the element values are read from.
    #[serde(skip)]
    pub(crate) target: Option<NodeId>,
    /// Canonical `SignedInfo` and the raw signature, to check against trusted certificates
    /// when `KeyInfo` has none that verifies. Empty when the structure is unusable.
    #[serde(skip)]
    pub(crate) signed_info: Vec<u8>,
    #[serde(skip)]
    pub(crate) signature_value: Vec<u8>,
}

impl SignatureReport {
    /// Digest and signature both hold.
    pub fn is_valid(&self) -> bool {
        self.digest_ok && self.signature_ok
    }

    /// The certificate whose key verified the signature.
    pub fn signing_certificate(&self) -> Option<&SigningCertificate> {
        self.signed_by.and_then(|i| self.certificates.get(i))
    }

    /// Does the key of `der` (a certificate) verify this signature? For certificates that are
    /// not in `KeyInfo`, such as those of the IAM SAML provider.
    pub fn verifies_with(&self, der: &[u8]) -> bool {
        if self.signed_info.is_empty() {
            return false;
        }
        let Some(method) = self.signature_method.as_deref() else {
            return false;
        };
        let Ok((_, cert)) = X509Certificate::from_der(der) else {
            return false;
        };
        verify_with(&cert, method, &self.signed_info, &self.signature_value).is_ok()
    }
}

/// Every element `ID` in the document, for reference lookups and duplicate detection.
pub(crate) fn id_index<'a, 'input>(doc: &'a Document<'input>) -> HashMap<&'a str, Vec<NodeId>> {
    let mut index: HashMap<&str, Vec<NodeId>> = HashMap::new();
    for node in doc.descendants().filter(Node::is_element) {
        if let Some(id) = node.attribute("ID") {
            index.entry(id).or_default().push(node.id());
        }
    }
    index
}

fn is_dsig(node: Node<'_, '_>, local: &str) -> bool {
    node.is_element()
        && node.tag_name().namespace() == Some(XMLDSIG_NS)
        && node.tag_name().name() == local
}

fn dsig_child<'a, 'input>(node: Node<'a, 'input>, local: &str) -> Option<Node<'a, 'input>> {
    node.children().find(|n| is_dsig(*n, local))
}

/// All text inside an element (comments and CDATA may split it).
pub(crate) fn element_text(node: Node<'_, '_>) -> String {
    node.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect()
}

fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .ok()
}

/// The `PrefixList` of an `InclusiveNamespaces` child of `node`, if any.
fn prefix_list<'a>(node: Node<'a, '_>) -> Option<&'a str> {
    node.children()
        .find(|n| {
            n.is_element()
                && n.tag_name().name() == "InclusiveNamespaces"
                && matches!(
                    n.tag_name().namespace(),
                    Some(EXC_C14N) | Some(EXC_C14N_WITH_COMMENTS)
                )
        })
        .and_then(|n| n.attribute("PrefixList"))
}

enum DigestAlgorithm {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl DigestAlgorithm {
    fn from_uri(uri: &str) -> Option<DigestAlgorithm> {
        match uri {
            SHA1 => Some(DigestAlgorithm::Sha1),
            SHA256 => Some(DigestAlgorithm::Sha256),
            SHA384 => Some(DigestAlgorithm::Sha384),
            SHA512 => Some(DigestAlgorithm::Sha512),
            _ => None,
        }
    }

    fn digest(&self, bytes: &[u8]) -> Vec<u8> {
        match self {
            DigestAlgorithm::Sha1 => {
                aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, bytes)
                    .as_ref()
                    .to_vec()
            }
            DigestAlgorithm::Sha256 => sha2::Sha256::digest(bytes).to_vec(),
            DigestAlgorithm::Sha384 => sha2::Sha384::digest(bytes).to_vec(),
            DigestAlgorithm::Sha512 => sha2::Sha512::digest(bytes).to_vec(),
        }
    }
}

/// Verifies the given `ds:Signature` elements of the document.
pub(crate) fn verify_all(doc: &Document<'_>, signatures: &[Node<'_, '_>]) -> Vec<SignatureReport> {
    let ids = id_index(doc);
    signatures.iter().map(|sig| verify(*sig, &ids)).collect()
}

fn verify(sig: Node<'_, '_>, ids: &HashMap<&str, Vec<NodeId>>) -> SignatureReport {
    let mut report = SignatureReport {
        covers: String::new(),
        reference_uri: None,
        location: sig
            .parent_element()
            .map(|p| p.tag_name().name().to_owned())
            .unwrap_or_default(),
        canonicalization: None,
        signature_method: None,
        digest_method: None,
        transforms: Vec::new(),
        certificates: Vec::new(),
        signed_by: None,
        digest_ok: false,
        signature_ok: false,
        weak: Vec::new(),
        problem: None,
        target: None,
        signed_info: Vec::new(),
        signature_value: Vec::new(),
    };
    // Certificates first: they are worth showing even when the rest is broken.
    let mut certificate_problem = None;
    if let Some(key_info) = dsig_child(sig, "KeyInfo") {
        for (i, element) in key_info
            .descendants()
            .filter(|n| is_dsig(*n, "X509Certificate"))
            .enumerate()
        {
            match super::certificate::decode_certificate(&element_text(element)) {
                Ok(cert) => report.certificates.push(cert),
                Err(detail) => {
                    certificate_problem = Some(format!(
                        "certificate #{} in the signature's KeyInfo cannot be read ({detail})",
                        i + 1
                    ));
                }
            }
        }
    }
    if let Err(problem) = check(sig, ids, &mut report) {
        report.problem = Some(problem);
    } else if let Some(problem) = certificate_problem.filter(|_| !report.signature_ok) {
        report.problem = Some(problem);
    }
    report
}

/// Fills `report`; the error is the first reason the signature does not hold.
fn check(
    sig: Node<'_, '_>,
    ids: &HashMap<&str, Vec<NodeId>>,
    report: &mut SignatureReport,
) -> Result<(), String> {
    let signed_info = dsig_child(sig, "SignedInfo")
        .ok_or("the signature has no SignedInfo element, so it signs nothing")?;

    let c14n_method = dsig_child(signed_info, "CanonicalizationMethod");
    report.canonicalization = c14n_method
        .and_then(|m| m.attribute("Algorithm"))
        .map(str::to_owned);
    let method = dsig_child(signed_info, "SignatureMethod").and_then(|m| m.attribute("Algorithm"));
    report.signature_method = method.map(str::to_owned);

    let references: Vec<_> = signed_info
        .children()
        .filter(|n| is_dsig(*n, "Reference"))
        .collect();
    let [reference] = references.as_slice() else {
        return Err(format!(
            "the signature has {} references; a SAML signature has exactly one, to the element \
             that holds it",
            references.len()
        ));
    };
    let uri = reference.attribute("URI").unwrap_or_default();
    report.reference_uri = Some(uri.to_owned());
    let id = uri.strip_prefix('#').filter(|id| !id.is_empty()).ok_or_else(|| {
        format!(
            "the signature's reference URI is {uri:?}; a SAML signature points at the ID of the \
             element that holds it (\"#ID\")"
        )
    })?;
    let target = match ids.get(id).map(Vec::as_slice) {
        Some([one]) => sig
            .document()
            .get_node(*one)
            .ok_or("the reference points nowhere")?,
        Some(many) if many.len() > 1 => {
            return Err(format!(
                "{} elements carry the ID {id:?}, so it is unclear which one was signed; this \
                 is how signature-wrapping attacks hide a forged element",
                many.len()
            ));
        }
        _ => {
            return Err(format!(
                "no element has the ID {id:?} the signature points at"
            ));
        }
    };
    report.covers = target.tag_name().name().to_owned();
    report.target = Some(target.id());
    if sig.parent_element().map(|p| p.id()) != Some(target.id()) {
        return Err(format!(
            "the signature sits in <{}> but signs the <{}> with ID {id:?} elsewhere in the \
             document; SAML signatures sign the element that holds them, and a moved signature \
             is a sign of a signature-wrapping attack",
            report.location, report.covers
        ));
    }

    // Transforms: the enveloped-signature transform, then exclusive canonicalization.
    let mut enveloped = false;
    let mut reference_c14n = None;
    if let Some(transforms) = dsig_child(*reference, "Transforms") {
        for transform in transforms.children().filter(|n| is_dsig(*n, "Transform")) {
            let algorithm = transform.attribute("Algorithm").unwrap_or_default();
            report.transforms.push(algorithm.to_owned());
            match algorithm {
                ENVELOPED_SIGNATURE => enveloped = true,
                // A same-document "#ID" reference drops comments before any transform, so
                // the #WithComments variant renders none here either.
                EXC_C14N | EXC_C14N_WITH_COMMENTS => {
                    reference_c14n = Some(
                        C14nOptions {
                            with_comments: false,
                            exclude: Some(sig.id()),
                            ..C14nOptions::default()
                        }
                        .with_prefix_list(prefix_list(transform)),
                    );
                }
                other => {
                    return Err(format!(
                        "the signature uses the transform {other:?}, which this inspector does \
                         not support (IAM Identity Center uses the enveloped-signature transform \
                         and exclusive canonicalization)"
                    ));
                }
            }
        }
    }
    if !enveloped {
        return Err(
            "the signature's reference lacks the enveloped-signature transform, so its digest \
             would include the signature itself"
                .to_owned(),
        );
    }
    let reference_c14n = reference_c14n.ok_or(
        "the signature's reference does not use exclusive canonicalization \
         (http://www.w3.org/2001/10/xml-exc-c14n#), the only one this inspector supports",
    )?;

    let digest_uri = dsig_child(*reference, "DigestMethod")
        .and_then(|m| m.attribute("Algorithm"))
        .unwrap_or_default();
    report.digest_method = Some(digest_uri.to_owned());
    let digest_algorithm = DigestAlgorithm::from_uri(digest_uri).ok_or_else(|| {
        format!("the digest method {digest_uri:?} is not supported (SHA-256 is expected)")
    })?;
    if matches!(digest_algorithm, DigestAlgorithm::Sha1) {
        report
            .weak
            .push("the digest uses SHA-1, which is no longer considered safe".to_owned());
    }
    let expected_digest = dsig_child(*reference, "DigestValue")
        .and_then(|d| decode_base64(&element_text(d)))
        .ok_or("the signature's DigestValue is missing or not base64")?;
    let actual_digest = digest_algorithm.digest(canonicalize(target, &reference_c14n).as_bytes());
    report.digest_ok = actual_digest == expected_digest;

    // SignedInfo.
    let with_comments = match report.canonicalization.as_deref() {
        Some(EXC_C14N) => false,
        Some(EXC_C14N_WITH_COMMENTS) => true,
        other => {
            return Err(format!(
                "the signature canonicalizes SignedInfo with {:?}, which this inspector does not \
                 support (IAM Identity Center uses exclusive canonicalization, \
                 http://www.w3.org/2001/10/xml-exc-c14n#)",
                other.unwrap_or("no method")
            ));
        }
    };
    let method = method.ok_or("the signature names no SignatureMethod")?;
    if method == RSA_SHA1 {
        report
            .weak
            .push("the signature uses RSA with SHA-1, which is no longer considered safe".into());
    }
    let signed_info_options = C14nOptions {
        with_comments,
        ..C14nOptions::default()
    }
    .with_prefix_list(c14n_method.and_then(prefix_list));
    let signature_value = dsig_child(sig, "SignatureValue")
        .and_then(|v| decode_base64(&element_text(v)))
        .ok_or("the SignatureValue is missing or not base64")?;
    report.signed_info = canonicalize(signed_info, &signed_info_options).into_bytes();
    report.signature_value = signature_value;

    let mut key_problem = None;
    for (i, cert) in report.certificates.iter().enumerate() {
        let Ok((_, parsed)) = X509Certificate::from_der(&cert.der) else {
            continue;
        };
        match verify_with(
            &parsed,
            method,
            &report.signed_info,
            &report.signature_value,
        ) {
            Ok(()) => {
                report.signed_by = Some(i);
                report.signature_ok = true;
                break;
            }
            Err(problem) => key_problem = Some(problem),
        }
    }
    if let Some(cert) = report.signing_certificate()
        && cert.key_algorithm == "RSA"
        && cert.key_bits < 2048
    {
        report.weak.push(format!(
            "the signing key is RSA with {} bits, shorter than the 2048 bits recommended",
            cert.key_bits
        ));
    }

    if !report.digest_ok {
        return Err(format!(
            "the digest of the signed <{}> does not match: it was changed after it was signed \
             (or copied with changes, such as added line breaks or re-indentation)",
            report.covers
        ));
    }
    if !report.signature_ok {
        return Err(if report.certificates.is_empty() {
            "the signature carries no readable certificate in KeyInfo, so it can only be checked \
             against the trusted certificates"
                .to_owned()
        } else {
            key_problem.unwrap_or_else(|| {
                "no certificate in KeyInfo verifies the SignatureValue".to_owned()
            })
        });
    }
    Ok(())
}

/// Verifies `signature` over `message` with the certificate's public key.
fn verify_with(
    cert: &X509Certificate<'_>,
    method: &str,
    message: &[u8],
    signature: &[u8],
) -> Result<(), String> {
    let spki = cert.public_key();
    let key_oid = spki.algorithm.algorithm.to_id_string();
    let curve = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.as_oid().ok())
        .map(|oid| oid.to_id_string());
    let rsa = key_oid == RSA_OID;
    let algorithm: &'static dyn VerificationAlgorithm = match (method, rsa, curve.as_deref()) {
        (RSA_SHA256, true, _) => &signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
        (RSA_SHA384, true, _) => &signature::RSA_PKCS1_2048_8192_SHA384,
        (RSA_SHA512, true, _) => &signature::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY,
        (RSA_SHA1, true, _) => &signature::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY,
        (ECDSA_SHA256, false, Some(P256_OID)) if key_oid == EC_OID => {
            &signature::ECDSA_P256_SHA256_FIXED
        }
        (ECDSA_SHA384, false, Some(P384_OID)) if key_oid == EC_OID => {
            &signature::ECDSA_P384_SHA384_FIXED
        }
        (RSA_SHA256 | RSA_SHA384 | RSA_SHA512 | RSA_SHA1 | ECDSA_SHA256 | ECDSA_SHA384, ..) => {
            return Err(format!(
                "the signature method {method} does not fit the certificate's key"
            ));
        }
        _ => {
            return Err(format!(
                "the signature method {method} is not supported (IAM Identity Center signs with \
                 {RSA_SHA256})"
            ));
        }
    };
    UnparsedPublicKey::new(algorithm, spki.subject_public_key.data.as_ref())
        .verify(message, signature)
        .map_err(|_| {
            "the SignatureValue does not verify with the certificate's key: the signed part \
             (SignedInfo) was changed, or another key signed it"
                .to_owned()
        })
}
