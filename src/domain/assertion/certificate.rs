//! Reading a certificate from a signature's `KeyInfo`: its subject, key and validity, and
//! its SHA-256 fingerprint.

use base64::Engine as _;
use sha2::{Digest as _, Sha256};
use x509_parser::prelude::{FromDer as _, X509Certificate};
use x509_parser::public_key::PublicKey;

use crate::domain::metadata::SigningCertificate;

/// Decodes one `<X509Certificate>` body; the error is a plain-words detail.
pub(super) fn decode_certificate(text: &str) -> Result<SigningCertificate, String> {
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
