//! Other projects' SAML test vectors: signed responses from the test suites of crewjam/saml,
//! russellhaering/gosaml2, python3-saml and ruby-saml, and real IdP metadata files, each with
//! its origin's verdict in `expected.json`. The inspector's signature checks and the metadata
//! checker must reach the same verdict on every one.
//!
//! The files live outside the project, in `../shared/conformance/saml/` (or
//! `CONNECT_SSO_CONFORMANCE_DIR`), and are read from there, never copied. Without them the test
//! says so and passes, except under `CI=true`, where it fails.
//!
//! The samples are years old: every time check runs at the clock the origin test pinned (or the
//! assertion's own IssueInstant where the origin checks "at issue time"), and the metadata at the
//! day the files were taken, so the verdicts do not change with the wall clock.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use connect_sso::domain::assertion::{self, Expectations, Finding, SamlResponse, Severity};
use connect_sso::domain::metadata::{self, MetadataError};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::datetime;

/// The day the metadata files were copied (SOURCES.md): "not expired" in expected.json means
/// at this date.
const METADATA_AT: OffsetDateTime = datetime!(2026-12-01 00:00 UTC);

/// The findings that say whether a trusted signature covers the values read.
const TRUST_FIELDS: [&str; 3] = ["Signature", "Signed assertion", "Signing certificate"];

fn conformance_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("CONNECT_SSO_CONFORMANCE_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance/saml"),
    };
    if dir.join("expected.json").is_file() {
        return Some(dir);
    }
    let message = format!(
        "SAML conformance vectors not found at {} (set CONNECT_SSO_CONFORMANCE_DIR to the folder \
         holding expected.json)",
        dir.display()
    );
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{message}; under CI=true this is a failure");
    }
    eprintln!("SKIPPED: {message}");
    None
}

fn entries(dir: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(dir.join("expected.json")).expect("read expected.json");
    serde_json::from_str::<Vec<Value>>(&text).expect("expected.json is a list")
}

fn text<'a>(entry: &'a Value, key: &str) -> &'a str {
    entry[key].as_str().unwrap_or_default()
}

/// The DER of each certificate a trust anchor holds: a PEM file or IdP metadata.
fn anchor_certificates(path: &Path) -> Vec<Vec<u8>> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if path.extension().is_some_and(|e| e == "xml") {
        let parsed = metadata::parse(&bytes)
            .unwrap_or_else(|e| panic!("trust anchor {} is not usable: {e}", path.display()));
        return parsed.certificates.into_iter().map(|c| c.der).collect();
    }
    let pem = String::from_utf8(bytes).expect("PEM is text");
    pem.split("-----BEGIN CERTIFICATE-----")
        .skip(1)
        .filter_map(|block| block.split("-----END CERTIFICATE-----").next())
        .map(|body| {
            let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            base64::engine::general_purpose::STANDARD
                .decode(compact)
                .expect("PEM body is base64")
        })
        .collect()
}

fn parse_time(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text.trim(), &Rfc3339).ok()
}

/// The clock the origin test pinned: an RFC 3339 instant, the `dsig Clock` when the origin
/// pins the signature clock apart from the conditions, or the assertion's IssueInstant
/// (gosaml2's "spAtTime"). `None` when the origin pins none.
fn origin_clock(entry: &Value, response: &SamlResponse) -> Option<OffsetDateTime> {
    let clock = text(entry, "origin_clock");
    if let Some(at) = parse_time(clock) {
        return Some(at);
    }
    if let Some((_, dsig)) = clock.split_once("dsig Clock ") {
        return parse_time(dsig);
    }
    if clock.starts_with("Assertion IssueInstant") {
        let issued = response.assertion.as_ref()?.issue_instant.as_deref()?;
        return parse_time(issued);
    }
    None
}

/// The service provider the gosaml2 OneLogin scenarios were generated for, from the origin
/// verdict ("ACS https://... , audience https://..."); `None` for the other samples.
fn origin_service_provider(entry: &Value) -> Option<(String, String)> {
    let verdict = text(entry, "origin_verdict");
    let after = |marker: &str| -> Option<String> {
        let rest = verdict.split_once(marker)?.1;
        Some(
            rest.split([',', ')', ' '])
                .next()
                .unwrap_or_default()
                .to_string(),
        )
    };
    Some((after("ACS ")?, after("audience ")?))
}

/// What the checks are compared against: the trust anchor's certificates, and the origin's
/// ACS URL and audience where the origin names them, else the response's own (so only the
/// checks the sample is about can fail).
fn expectations(entry: &Value, response: &SamlResponse, trusted: Vec<Vec<u8>>) -> Expectations {
    let assertion = response.assertion.as_ref();
    let (acs, audience) = origin_service_provider(entry).unwrap_or_else(|| {
        (
            response.destination.clone().unwrap_or_default(),
            assertion
                .and_then(|a| a.audiences.first().cloned())
                .unwrap_or_default(),
        )
    });
    Expectations {
        acs_urls: vec![acs],
        audience,
        role_arn: "arn:aws:iam::111122223333:role/ConnectSSO".into(),
        provider_arn: "arn:aws:iam::111122223333:saml-provider/IdentityCenter".into(),
        trusted_certificates: Some(trusted),
        trusted_from: Some("the origin project's trust anchor".into()),
        expected_issuer: None,
        relay_state: None,
    }
}

fn failed<'a>(findings: &'a [Finding], fields: &[&str]) -> Vec<&'a Finding> {
    findings
        .iter()
        .filter(|f| f.severity == Severity::Fail && fields.contains(&f.field.as_str()))
        .collect()
}

/// A trusted signature covers the assertion whose values are read.
fn trusted_and_signed(findings: &[Finding]) -> bool {
    failed(findings, &TRUST_FIELDS).is_empty()
        && findings
            .iter()
            .any(|f| f.field == "Signing certificate" && f.severity == Severity::Pass)
}

/// Our verdict on one response entry, or why it differs from the origin's.
fn check_response(dir: &Path, entry: &Value) -> Result<(), String> {
    let raw = std::fs::read(dir.join(text(entry, "file"))).map_err(|e| e.to_string())?;
    let category = text(entry, "category");
    let expect_valid = text(entry, "expect") == "valid";
    let parsed = assertion::decode(&raw).and_then(|d| assertion::parse(&d.xml));
    let response = match parsed {
        Ok(response) => response,
        // A wrapped document can be refused outright (duplicate IDs): that is a rejection.
        Err(e) if !expect_valid && category == "xsw" => {
            eprintln!("  refused: {e}");
            return Ok(());
        }
        Err(e) => return Err(format!("could not be read: {e}")),
    };
    let anchor = dir.join(text(entry, "cert_or_metadata"));
    let exp = expectations(entry, &response, anchor_certificates(&anchor));
    let at = origin_clock(entry, &response);
    // Without a pinned clock, check at the assertion's own time so validity windows hold.
    let now = at
        .or_else(|| parse_time(response.issue_instant.as_deref()?))
        .unwrap_or(METADATA_AT);
    let findings = assertion::check(&response, &exp, now);
    let show = |fs: &[&Finding]| fs.iter().map(|f| format!("[{f}]")).collect::<Vec<_>>();
    let trusted = trusted_and_signed(&findings);
    match category {
        "valid-signature" => {
            if !trusted {
                return Err(format!(
                    "a valid sample was not trusted: {:?}",
                    show(&failed(&findings, &TRUST_FIELDS))
                ));
            }
            // Where the origin pins a clock, the signing certificate is valid at it.
            if at.is_some() {
                let invalid = failed(&findings, &["Certificate validity"]);
                if !invalid.is_empty() {
                    return Err(format!(
                        "certificate not valid at the origin clock: {:?}",
                        show(&invalid)
                    ));
                }
            }
            Ok(())
        }
        "xsw" | "tampered-digest" | "wrong-cert" | "unsigned" => match trusted {
            true => Err(format!("a {category} sample was trusted")),
            false => Ok(()),
        },
        "cert-not-yet-valid" | "wrong-destination" | "wrong-audience" => {
            let field = match category {
                "cert-not-yet-valid" => "Certificate validity",
                "wrong-destination" => "Destination",
                _ => "Audience",
            };
            if !trusted {
                return Err(format!(
                    "the signature itself holds in this sample, but it was not trusted: {:?}",
                    show(&failed(&findings, &TRUST_FIELDS))
                ));
            }
            match failed(&findings, &[field]).is_empty() {
                true => Err(format!(
                    "no failed {field} finding; findings: {:?}",
                    findings.iter().map(|f| f.to_string()).collect::<Vec<_>>()
                )),
                false => Ok(()),
            }
        }
        other => Err(format!("unknown category {other} in expected.json")),
    }
}

/// Our verdict on one metadata entry: "valid" files pass the checker at [`METADATA_AT`], or,
/// when expected.json says their certificates expired, parse and then fail only on that.
fn check_metadata(dir: &Path, entry: &Value) -> Result<(), String> {
    let bytes = std::fs::read(dir.join(text(entry, "file"))).map_err(|e| e.to_string())?;
    let expired = text(entry, "signing_certs").contains("EXPIRED");
    match (text(entry, "expect"), metadata::check(&bytes, METADATA_AT)) {
        ("valid", Ok(checked)) if !expired => match checked.metadata.certificates.is_empty() {
            true => Err("accepted without a signing certificate".into()),
            false => Ok(()),
        },
        ("valid", Err(MetadataError::AllCertificatesExpired { .. })) if expired => {
            metadata::parse(&bytes)
                .map(|_| ())
                .map_err(|e| e.to_string())
        }
        ("valid", Ok(_)) => Err("certificates expired, but the checker accepted them".into()),
        ("valid", Err(e)) => Err(format!("refused: {e}")),
        ("invalid", Err(e)) => {
            eprintln!("  refused: {e}");
            Ok(())
        }
        ("invalid", Ok(_)) => Err("accepted, but the origin says it is unusable".into()),
        (other, _) => Err(format!("unknown verdict {other} in expected.json")),
    }
}

#[test]
fn every_peer_vector_gets_its_origin_verdict() {
    let Some(dir) = conformance_dir() else {
        return;
    };
    let entries = entries(&dir);
    let mut mismatches = Vec::new();
    let (mut responses, mut metadata_files) = (0, 0);
    for entry in &entries {
        let file = text(entry, "file");
        eprintln!("{file}: expect {}", text(entry, "expect"));
        let verdict = match text(entry, "kind") {
            "response" => {
                responses += 1;
                check_response(&dir, entry)
            }
            "metadata" => {
                metadata_files += 1;
                check_metadata(&dir, entry)
            }
            other => Err(format!("unknown kind {other}")),
        };
        if let Err(why) = verdict {
            mismatches.push(format!("{file} ({}): {why}", text(entry, "category")));
        }
    }
    // Every sample on disk has a verdict, so a file added to the folder is not silently skipped.
    for sub in ["responses", "metadata"] {
        for file in std::fs::read_dir(dir.join(sub)).expect("list samples") {
            let name = format!(
                "{sub}/{}",
                file.expect("entry").file_name().to_string_lossy()
            );
            if !entries.iter().any(|e| text(e, "file") == name) {
                mismatches.push(format!("{name}: no entry in expected.json"));
            }
        }
    }
    assert!(
        responses >= 24 && metadata_files >= 7,
        "{responses} responses, {metadata_files} metadata files"
    );
    assert!(
        mismatches.is_empty(),
        "{} of {} vectors disagree with their origin:\n{}",
        mismatches.len(),
        entries.len(),
        mismatches.join("\n")
    );
}
