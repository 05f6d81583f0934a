//! Unit tests of the inspector, one file per part: decoding, parsing, signatures and
//! tampering, the checks one by one, and inputs that must never make it panic. The helpers
//! here build and tamper with responses signed by the test keys.

mod checks;
mod decode;
mod never_panic;
mod parse;
mod signatures;

use super::checks::{NameStyle, name_style, near_miss};
use super::decode::looks_like_html;
use super::testkit::{self, Sign, Spec, idc_key, other_key};
use super::*;
use crate::domain::setup::{Answers, ROLE_ATTRIBUTE, ROLE_SESSION_NAME_ATTRIBUTE, Setup};
use base64::Engine as _;
use proptest::prelude::*;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use x509_parser::prelude::{FromDer as _, X509Certificate};

const NOW: OffsetDateTime = datetime!(2026-03-02 10:00 UTC);
const INSTANCE_ARN: &str =
    "arn:aws:connect:us-east-1:111122223333:instance/5f8c2a4e-1b3d-4c6e-9a7b-2d4f6e8a0c1b";
const ROLE: &str = "arn:aws:iam::111122223333:role/ConnectSSO-5f8c2a4e";
const PROVIDER: &str = "arn:aws:iam::111122223333:saml-provider/IdentityCenter-Connect-5f8c2a4e";
const USER: &str = "maria.garcia@example.com";
const RELAY: &str = "https://us-east-1.console.aws.amazon.com/connect/federate/\
                     5f8c2a4e-1b3d-4c6e-9a7b-2d4f6e8a0c1b";

fn setup() -> Setup {
    Setup::from_answers(&Answers {
        instance_arn: Some(INSTANCE_ARN.into()),
        ..Answers::default()
    })
    .unwrap()
}

/// The setup's expectations, trusting the test Identity Center key.
fn exp() -> Expectations {
    Expectations {
        trusted_certificates: Some(vec![idc_key().cert_der.clone()]),
        trusted_from: Some("the test metadata".into()),
        expected_issuer: Some(testkit::ISSUER.into()),
        ..Expectations::from_setup(&setup())
    }
}

fn spec() -> Spec {
    Spec::new(ROLE, PROVIDER, USER, NOW - Duration::minutes(1))
}

fn signed(spec: &Spec) -> String {
    testkit::signed(spec, idc_key(), Sign::Assertion)
}

fn good() -> String {
    signed(&spec())
}

fn findings(xml: &str) -> Vec<Finding> {
    check(&parse(xml).unwrap(), &exp(), NOW)
}

fn of<'a>(findings: &'a [Finding], field: &str) -> Vec<&'a Finding> {
    findings.iter().filter(|f| f.field == field).collect()
}

/// The one finding of `field` with `severity`; fails listing all findings otherwise.
fn one<'a>(findings: &'a [Finding], field: &str, severity: Severity) -> &'a Finding {
    let hits: Vec<_> = of(findings, field)
        .into_iter()
        .filter(|f| f.severity == severity)
        .collect();
    assert_eq!(hits.len(), 1, "{field} {severity:?} in {findings:#?}");
    hits[0]
}

fn fails(findings: &[Finding]) -> Vec<&str> {
    findings
        .iter()
        .filter(|f| f.severity == Severity::Fail)
        .map(|f| f.field.as_str())
        .collect()
}

fn worst(findings: &[Finding]) -> Severity {
    findings
        .iter()
        .map(|f| f.severity)
        .max()
        .unwrap_or(Severity::Pass)
}

/// Replaces `from` (which must be there) after signing.
fn tamper(xml: &str, from: &str, to: &str) -> String {
    assert!(xml.contains(from), "tamper: {from:?} not found");
    xml.replacen(from, to, 1)
}

fn element<'a>(xml: &'a str, open: &str, close: &str) -> &'a str {
    let start = xml.find(open).unwrap();
    let end = xml[start..].find(close).unwrap() + start + close.len();
    &xml[start..end]
}
