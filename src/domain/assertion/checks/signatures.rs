//! The signature checks: each signature's verification, that a valid one covers the
//! assertion that is read (no signature wrapping), that the signing certificate is trusted,
//! and its validity period.

use time::OffsetDateTime;

use super::super::certificate::fingerprint;
use super::super::{
    Assertion, EXPIRY_WARNING_DAYS, Expectations, Finding, SamlResponse, Severity, SignatureReport,
};
use super::{CERTIFICATE, INVALID};
use crate::domain::metadata::{CertValidity, SigningCertificate, format_date};

fn describe_signature(s: &SignatureReport) -> String {
    let covers = if s.covers.is_empty() {
        "nothing found".to_owned()
    } else {
        format!(
            "<{}> {}",
            s.covers,
            s.reference_uri.as_deref().unwrap_or("")
        )
    };
    let cert = s
        .signing_certificate()
        .or(s.certificates.first())
        .map(|c| {
            format!(
                "; certificate SHA-256 {} ({})",
                c.sha256_fingerprint, c.subject
            )
        })
        .unwrap_or_default();
    format!(
        "covers {covers}; digest {}; signature {}{cert}",
        if s.digest_ok { "ok" } else { "does not match" },
        if s.signature_ok { "ok" } else { "not verified" },
    )
}

pub(super) fn check_signatures(
    resp: &SamlResponse,
    assertion: Option<&Assertion>,
    exp: &Expectations,
    now: OffsetDateTime,
    out: &mut Vec<Finding>,
) {
    if resp.signatures.is_empty() {
        out.push(
            Finding::new("Signature", Severity::Fail)
                .seen("none: the response is not signed")
                .expected("a signature by Identity Center over the assertion")
                .fix(
                    "AWS only accepts signed responses and Identity Center always signs them, \
                     so this is not an unmodified Identity Center response. Capture it again",
                )
                .trouble(INVALID),
        );
        return;
    }
    let covered = |i: usize| assertion.is_some_and(|a| a.covered_by.contains(&i));
    for (i, s) in resp.signatures.iter().enumerate() {
        let field = format!(
            "Signature on {}",
            if s.covers.is_empty() {
                "?"
            } else {
                s.covers.as_str()
            }
        );
        let finding = Finding::new(field, Severity::Pass).seen(describe_signature(s));
        if !s.is_valid() {
            let mut fix = s
                .problem
                .clone()
                .unwrap_or_else(|| "the signature does not verify".to_owned());
            fix.push_str(
                ". AWS rejects a response whose signature does not verify: capture it again \
                 without editing it (if you changed it on purpose, this is the expected result)",
            );
            let no_key = s.digest_ok && s.certificates.is_empty();
            let finding = Finding {
                severity: if no_key && exp.trusted_certificates.is_some() {
                    Severity::Info
                } else {
                    Severity::Fail
                },
                ..finding
            };
            out.push(
                finding
                    .expected("digest and signature verified")
                    .fix(fix)
                    .trouble(INVALID),
            );
        } else if !covered(i) {
            out.push(Finding {
                severity: Severity::Warn,
                ..finding
                    .expected("a signature over the assertion that is checked, or its response")
                    .fix(format!(
                        "This signature is valid but covers a <{}> that is not the assertion \
                         whose values are checked; only the first assertion of the response \
                         counts. A response rearranged like this may be a signature-wrapping \
                         attempt",
                        s.covers
                    ))
            });
        } else {
            out.push(finding.expected("digest and signature verified"));
        }
        for weak in &s.weak {
            out.push(
                Finding::new(
                    format!("Signature on {} algorithm", s.covers),
                    Severity::Warn,
                )
                .seen(weak.clone())
                .expected("RSA-SHA256 with a 2048-bit key or longer")
                .fix(
                    "Identity Center signs with RSA-SHA256; a weaker signature suggests \
                         the response does not come from Identity Center",
                ),
            );
        }
    }
    if resp.unverified_signatures > 0 {
        out.push(
            Finding::new("Signature", Severity::Warn)
                .seen(format!(
                    "{} more signatures, not verified",
                    resp.unverified_signatures
                ))
                .expected("one or two signatures")
                .fix("Identity Center signs once; so many signatures suggest a forged response"),
        );
    }
    let Some(assertion) = assertion else {
        return;
    };

    // Signatures over the checked assertion whose digest holds: the candidates for trust.
    let covering: Vec<&SignatureReport> = assertion
        .covered_by
        .iter()
        .filter_map(|i| resp.signatures.get(*i))
        .filter(|s| s.digest_ok && !s.signed_info.is_empty())
        .collect();
    if !resp.assertion_signed() {
        let trusted_verifies = exp.trusted_certificates.as_ref().is_some_and(|trusted| {
            covering
                .iter()
                .any(|s| trusted.iter().any(|t| s.verifies_with(t)))
        });
        if !trusted_verifies {
            out.push(
                Finding::new("Signed assertion", Severity::Fail)
                    .seen("no valid signature covers the assertion whose values are checked")
                    .expected("a valid signature over the assertion, or over the response")
                    .fix(
                        "AWS would reject this response. If the signatures above are valid, \
                         they sign another element than the assertion that is read: the \
                         response was rearranged (signature wrapping). Capture a fresh, \
                         unedited response",
                    )
                    .trouble(INVALID),
            );
            return;
        }
    }

    // The certificate that signed, and whether AWS trusts it.
    let signing: Vec<&SigningCertificate> = covering
        .iter()
        .filter(|s| s.signature_ok)
        .filter_map(|s| s.signing_certificate())
        .collect();
    match &exp.trusted_certificates {
        Some(trusted) => {
            let from = exp
                .trusted_from
                .as_deref()
                .unwrap_or("the trusted metadata");
            let trusted_by_der = signing.iter().find(|c| trusted.contains(&c.der));
            let trusted_by_key = covering
                .iter()
                .any(|s| trusted.iter().any(|t| s.verifies_with(t)));
            let expected = trusted
                .iter()
                .map(|der| fingerprint(der))
                .collect::<Vec<_>>()
                .join(" or ");
            match (trusted_by_der, trusted_by_key) {
                (Some(cert), _) => out.push(
                    Finding::new("Signing certificate", Severity::Pass)
                        .seen(format!("SHA-256 {}", cert.sha256_fingerprint))
                        .expected(format!("a certificate of {from}")),
                ),
                (None, true) => out.push(
                    Finding::new("Signing certificate", Severity::Pass)
                        .seen("signed with the key of a trusted certificate")
                        .expected(format!("a certificate of {from}")),
                ),
                (None, false) => out.push(
                    Finding::new("Signing certificate", Severity::Fail)
                        .seen(
                            signing
                                .first()
                                .map(|c| {
                                    format!("SHA-256 {} ({})", c.sha256_fingerprint, c.subject)
                                })
                                .unwrap_or_else(|| "an unknown key".into()),
                        )
                        .expected(format!("SHA-256 {expected} ({from})"))
                        .fix(format!(
                            "The response is signed with a certificate that {from} does not \
                             hold, so AWS cannot trust the signature: Identity Center's \
                             certificate was rotated, or the metadata belongs to another \
                             application. Download the application's metadata again (step 2) \
                             and run `connect-sso apply --metadata FILE`, which updates the IAM \
                             SAML provider"
                        ))
                        .trouble(CERTIFICATE),
                ),
            }
        }
        // Anyone can sign with a certificate of their own: without one to compare with, a valid
        // signature proves nothing about who sent the response.
        None => out.push(
            Finding::new("Signing certificate", Severity::Warn)
                .seen(
                    signing
                        .first()
                        .map(|c| format!("SHA-256 {} ({})", c.sha256_fingerprint, c.subject))
                        .unwrap_or_else(|| "unknown".into()),
                )
                .fix(
                    "Not compared with what AWS trusts: give --metadata FILE (the application's \
                     Identity Center metadata), or run without --offline to compare with the \
                     IAM SAML provider",
                ),
        ),
    }

    let mut seen_fingerprints = Vec::new();
    for cert in signing {
        if seen_fingerprints.contains(&&cert.sha256_fingerprint) {
            continue;
        }
        seen_fingerprints.push(&cert.sha256_fingerprint);
        let field = "Certificate validity";
        let period = format!(
            "{} to {}",
            format_date(&cert.not_before),
            format_date(&cert.not_after)
        );
        let rotate = "In IAM Identity Center, open the application, add a new certificate and \
             make it active; then download the metadata (step 2) and run `connect-sso apply \
             --metadata FILE` to update the IAM SAML provider";
        out.push(match cert.validity(now) {
            CertValidity::Expired => Finding::new(field, Severity::Fail)
                .seen(format!("expired on {}", format_date(&cert.not_after)))
                .expected(format!("valid now ({period})"))
                .fix(format!(
                    "If this computer's date is right, the certificate has expired. {rotate}"
                ))
                .trouble(CERTIFICATE),
            CertValidity::NotYetValid => Finding::new(field, Severity::Fail)
                .seen(format!("valid only from {}", format_date(&cert.not_before)))
                .expected(format!("valid now ({period})"))
                .fix(
                    "Check this computer's date, time and time zone; if they are right, the \
                      identity provider signs with a certificate that is not valid yet",
                )
                .trouble(CERTIFICATE),
            CertValidity::Valid { days_left } if days_left <= EXPIRY_WARNING_DAYS => {
                Finding::new(field, Severity::Warn)
                    .seen(format!(
                        "expires in {days_left} days, on {}",
                        format_date(&cert.not_after)
                    ))
                    .expected(format!("more than {EXPIRY_WARNING_DAYS} days left"))
                    .fix(format!("Sign-in stops working when it expires. {rotate}"))
                    .trouble(CERTIFICATE)
            }
            CertValidity::Valid { .. } => Finding::new(field, Severity::Pass).seen(period),
        });
    }
}
