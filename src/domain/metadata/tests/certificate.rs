//! The certificates: key types and sizes, validity at `now` and its warnings.

use super::*;

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
