//! What the checks report ([`Severity`], [`Finding`]) and what they compare against
//! ([`Expectations`], built from the setup and the trusted metadata).

use std::fmt;

use serde::Serialize;

use crate::domain::metadata::IdpMetadata;
use crate::domain::setup::Setup;

/// How a finding counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Pass,
    Info,
    Warn,
    Fail,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Pass => "ok",
            Severity::Info => "info",
            Severity::Warn => "warn",
            Severity::Fail => "fail",
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Severity::Pass => "✓",
            Severity::Info => "i",
            Severity::Warn => "!",
            Severity::Fail => "✗",
        }
    }
}

/// One checked field: what was seen, what was expected, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub field: String,
    pub severity: Severity,
    pub seen: Option<String>,
    pub expected: Option<String>,
    pub fix: Option<String>,
    /// Id of the matching entry of `connect-sso troubleshoot`.
    pub trouble: Option<&'static str>,
}

impl Finding {
    pub fn new(field: impl Into<String>, severity: Severity) -> Finding {
        Finding {
            field: field.into(),
            severity,
            seen: None,
            expected: None,
            fix: None,
            trouble: None,
        }
    }

    pub fn seen(mut self, seen: impl Into<String>) -> Finding {
        self.seen = Some(seen.into());
        self
    }

    pub fn expected(mut self, expected: impl Into<String>) -> Finding {
        self.expected = Some(expected.into());
        self
    }

    pub fn fix(mut self, fix: impl Into<String>) -> Finding {
        self.fix = Some(fix.into());
        self
    }

    pub fn trouble(mut self, id: &'static str) -> Finding {
        self.trouble = Some(id);
        self
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.severity.label(), self.field)?;
        if let Some(seen) = &self.seen {
            write!(f, ": seen {seen}")?;
        }
        if let Some(expected) = &self.expected {
            write!(f, ", expected {expected}")?;
        }
        if let Some(fix) = &self.fix {
            write!(f, ". {fix}")?;
        }
        Ok(())
    }
}

/// What the response must say for this setup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectations {
    pub acs_urls: Vec<String>,
    pub audience: String,
    pub role_arn: String,
    pub provider_arn: String,
    /// DER of the certificates AWS trusts (the IAM SAML provider's metadata, or the supplied
    /// Identity Center metadata); `None` when unknown.
    pub trusted_certificates: Option<Vec<Vec<u8>>>,
    /// Where the trusted certificates come from, for messages ("the IAM SAML provider").
    pub trusted_from: Option<String>,
    /// The metadata's `entityID`.
    pub expected_issuer: Option<String>,
    /// The relay state the setup generates (without a deep link).
    pub relay_state: Option<String>,
}

impl Expectations {
    pub fn from_setup(setup: &Setup) -> Expectations {
        Expectations {
            acs_urls: setup.acs_urls(),
            audience: setup.audience().to_owned(),
            role_arn: setup.role_arn(),
            provider_arn: setup.provider_arn(),
            trusted_certificates: None,
            trusted_from: None,
            expected_issuer: None,
            relay_state: Some(setup.relay_state(None)),
        }
    }

    /// Trust the signing certificates and the entity id of `metadata`, found at `from`.
    pub fn trusting(mut self, metadata: &IdpMetadata, from: &str) -> Expectations {
        self.trusted_certificates = Some(
            metadata
                .certificates
                .iter()
                .map(|c| c.der.clone())
                .collect(),
        );
        self.trusted_from = Some(from.to_owned());
        self.expected_issuer = Some(metadata.entity_id.clone());
        self
    }
}

impl From<&Setup> for Expectations {
    fn from(setup: &Setup) -> Expectations {
        Expectations::from_setup(setup)
    }
}

/// Is there a failing finding?
pub fn any_fail(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Fail)
}
