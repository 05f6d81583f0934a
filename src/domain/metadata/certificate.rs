//! The signing certificates: [`check`], which requires one valid at `now` and warns about
//! expiry and weak keys, and decoding a certificate with its key type, size and fingerprint.

use base64::Engine as _;
use sha2::{Digest as _, Sha256};
use time::{Duration, OffsetDateTime};
use x509_parser::prelude::{FromDer as _, X509Certificate};
use x509_parser::public_key::PublicKey;

use super::parse::{Parsed, parse_inner};
use super::{
    CertValidity, CheckedMetadata, EXPIRY_WARNING_DAYS, MetadataError, MetadataWarning,
    SigningCertificate,
};

/// [`parse`](super::parse), then require a certificate valid at `now` and collect warnings.
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

/// Decode one `<X509Certificate>` body; the error is a plain-words detail.
pub(super) fn decode_certificate(text: &str) -> Result<SigningCertificate, String> {
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
pub(super) fn significant_bits(be: &[u8]) -> u32 {
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
