//! The whole procedure for one setup: every step of the guide in order, with each value to
//! paste and where it goes, both IAM documents and the AWS operations involved. Pure: the
//! commands render it as text, JSON or Markdown.

use serde::Serialize;
use serde_json::Value;

use crate::domain::metadata::{CheckedMetadata, SigningCertificate};
use crate::domain::setup::{AttributeMapping, Destination, Setup, USER_EMAIL};
use crate::steps::{Console, STEPS, Step, StepKind};

/// A value to copy, and where it goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanValue {
    pub label: String,
    pub value: String,
    /// Where to paste it or what it is for.
    #[serde(rename = "where")]
    pub target: String,
    /// Not a value to type but a description of what goes there (the value is not known
    /// yet): a runbook must not show it in code font.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub placeholder: bool,
}

/// A JSON document shown whole (policies).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanDocument {
    pub label: &'static str,
    pub document: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanStep {
    pub id: &'static str,
    pub title: &'static str,
    pub kind: StepKind,
    pub console: Console,
    pub guidance: String,
    pub values: Vec<PlanValue>,
    pub documents: Vec<PlanDocument>,
    /// AWS operations connect-sso calls to perform the step.
    pub runs: &'static [&'static str],
    /// AWS operations connect-sso calls to check the step.
    pub checks: &'static [&'static str],
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RelayStateLink {
    pub destination: Destination,
    pub label: &'static str,
    pub relay_state: String,
}

/// What the metadata file held, in the plan's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MetadataSummary {
    pub file: String,
    pub entity_id: String,
    pub sso_endpoints: Vec<String>,
    pub certificates: Vec<SigningCertificate>,
    pub warnings: Vec<String>,
}

impl MetadataSummary {
    pub fn new(file: impl Into<String>, checked: &CheckedMetadata) -> MetadataSummary {
        MetadataSummary {
            file: file.into(),
            entity_id: checked.metadata.entity_id.clone(),
            sso_endpoints: checked
                .metadata
                .sso_endpoints
                .iter()
                .map(|e| e.location.clone())
                .collect(),
            certificates: checked.metadata.certificates.clone(),
            warnings: checked.warnings.iter().map(ToString::to_string).collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub instance_arn: String,
    pub partition: &'static str,
    pub region: &'static str,
    pub account_id: String,
    pub instance_id: String,
    pub app_name: String,
    pub app_description: Option<String>,
    pub provider_name: String,
    pub policy_name: String,
    pub role_name: String,
    pub sign_in_endpoint: &'static str,
    pub acs_url: String,
    pub audience: &'static str,
    pub relay_state: String,
    pub relay_state_links: Vec<RelayStateLink>,
    pub role_arn: String,
    pub provider_arn: String,
    pub policy_arn: String,
    pub role_attribute: String,
    pub attribute_mappings: Vec<AttributeMapping>,
    pub permissions_policy: Value,
    pub trust_policy: Value,
    pub access_portal_url: Option<String>,
    pub metadata: Option<MetadataSummary>,
    pub warnings: Vec<String>,
    pub steps: Vec<PlanStep>,
}

fn value(
    label: impl Into<String>,
    value: impl Into<String>,
    target: impl Into<String>,
) -> PlanValue {
    PlanValue {
        label: label.into(),
        value: value.into(),
        target: target.into(),
        placeholder: false,
    }
}

/// A value that is not known yet, described.
fn fill_in(
    label: impl Into<String>,
    what: impl Into<String>,
    target: impl Into<String>,
) -> PlanValue {
    PlanValue {
        placeholder: true,
        ..value(label, what, target)
    }
}

impl Plan {
    pub fn build(setup: &Setup, metadata: Option<MetadataSummary>) -> Plan {
        let mut warnings = setup.warnings();
        if let Some(m) = &metadata {
            warnings.extend(m.warnings.iter().cloned());
        }
        let steps = STEPS
            .iter()
            .map(|step| plan_step(step, setup, metadata.as_ref()))
            .collect();
        Plan {
            instance_arn: setup.instance.arn(),
            partition: setup.partition().id(),
            region: setup.region().name(),
            account_id: setup.instance.account.to_string(),
            instance_id: setup.instance.id.to_string(),
            app_name: setup.app_name.to_string(),
            app_description: setup.app_description.as_ref().map(ToString::to_string),
            provider_name: setup.provider_name.to_string(),
            policy_name: setup.policy_name.to_string(),
            role_name: setup.role_name.to_string(),
            sign_in_endpoint: setup.sign_in_endpoint.as_str(),
            acs_url: setup.acs_url().to_string(),
            audience: setup.audience(),
            relay_state: setup.relay_state(None),
            relay_state_links: Destination::ALL
                .into_iter()
                .map(|d| RelayStateLink {
                    destination: d,
                    label: d.label(),
                    relay_state: setup.relay_state(Some(d)),
                })
                .collect(),
            role_arn: setup.role_arn(),
            provider_arn: setup.provider_arn(),
            policy_arn: setup.policy_arn(),
            role_attribute: setup.role_attribute(),
            attribute_mappings: setup.attribute_mappings(),
            permissions_policy: setup.permissions_policy(),
            trust_policy: setup.trust_policy(),
            access_portal_url: setup.access_portal_url(),
            metadata,
            warnings,
            steps,
        }
    }

    /// Every AWS operation the automated steps call, in step order, without repeats.
    pub fn operations(&self) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        for s in &self.steps {
            for op in s.checks.iter().chain(s.runs) {
                if !out.contains(op) {
                    out.push(op);
                }
            }
        }
        out
    }
}

fn plan_step(step: &'static Step, setup: &Setup, metadata: Option<&MetadataSummary>) -> PlanStep {
    let mut values = Vec::new();
    let mut documents = Vec::new();
    match step.id {
        "prerequisites" => {
            values.push(value(
                "Connect instance ARN",
                setup.instance.arn(),
                "Amazon Connect console › instance › Overview › Instance ARN",
            ));
            values.push(value(
                "Identity management",
                "SAML 2.0",
                "Amazon Connect console › instance › Overview (set when the instance was created)",
            ));
        }
        "1" => {
            values.push(value(
                "Display name",
                setup.app_name.as_str(),
                "Configure application › Details › Display name",
            ));
            if let Some(d) = &setup.app_description {
                values.push(value(
                    "Description",
                    d.as_str(),
                    "Configure application › Details › Description",
                ));
            }
        }
        "2" => match metadata {
            Some(m) => {
                values.push(value("Metadata file", &m.file, "checked; used in step 6a"));
                values.push(value(
                    "IdP entity id",
                    &m.entity_id,
                    "read from the metadata",
                ));
            }
            None => values.push(fill_in(
                "Metadata file",
                "(not given: pass --metadata FILE)",
                "IAM Identity Center SAML metadata › Download",
            )),
        },
        "3-5" => {
            values.push(value(
                "Application ACS URL",
                setup.acs_url(),
                "Application metadata › Application ACS URL",
            ));
            values.push(value(
                "Application SAML audience",
                setup.audience(),
                "Application metadata › Application SAML audience",
            ));
        }
        "6a" => {
            values.push(value(
                "Provider name",
                setup.provider_name.as_str(),
                "IAM › Identity providers › Provider name (type SAML)",
            ));
            values.push(match metadata {
                Some(m) => value(
                    "Metadata document",
                    m.file.as_str(),
                    "IAM › Identity providers › Metadata document",
                ),
                None => fill_in(
                    "Metadata document",
                    "(the file from step 2)",
                    "IAM › Identity providers › Metadata document",
                ),
            });
            values.push(value("Provider ARN", setup.provider_arn(), "the result"));
        }
        "6b" => {
            values.push(value(
                "Policy name",
                setup.policy_name.as_str(),
                "IAM › Policies › Create policy › Policy name",
            ));
            values.push(value("Policy ARN", setup.policy_arn(), "the result"));
            documents.push(PlanDocument {
                label: "Permissions policy (IAM › Policies › Create policy › JSON)",
                document: setup.permissions_policy(),
            });
        }
        "6c" => {
            values.push(value(
                "Role name",
                setup.role_name.as_str(),
                "IAM › Roles › Create role › Role name",
            ));
            values.push(value(
                "Attached policy",
                setup.policy_name.as_str(),
                "IAM › Roles › Create role › Add permissions",
            ));
            values.push(value("Role ARN", setup.role_arn(), "the result"));
            documents.push(PlanDocument {
                label: "Trust policy (IAM › Roles › Create role › Custom trust policy)",
                document: setup.trust_policy(),
            });
        }
        "7-9" => {
            values.push(value(
                "Relay state",
                setup.relay_state(None),
                "Edit configuration › Application properties › Relay state",
            ));
            for d in Destination::ALL {
                values.push(value(
                    format!("Relay state opening the {}", d.label()),
                    setup.relay_state(Some(d)),
                    "instead of the plain relay state, if you prefer",
                ));
            }
        }
        "10" => {
            for m in setup.attribute_mappings() {
                values.push(value(
                    m.attribute,
                    m.value.clone(),
                    format!(
                        "Attribute mappings › value or attribute, format {}",
                        m.format
                    ),
                ));
            }
        }
        "11" => {
            values.push(fill_in(
                "Connect user name of each assigned person",
                format!("{USER_EMAIL} (the user's email)"),
                "Amazon Connect › Users: must equal this value exactly, letter case included",
            ));
        }
        "verify" => {
            let portal = "start the sign-in here, then choose the application's tile";
            values.push(match setup.access_portal_url() {
                Some(url) => value("AWS access portal", url, portal),
                None => fill_in(
                    "AWS access portal",
                    "(pass --identity-store-id to show it)",
                    portal,
                ),
            });
            values.push(value(
                "Application tile",
                setup.app_name.as_str(),
                "AWS access portal › Applications",
            ));
        }
        _ => {}
    }
    PlanStep {
        id: step.id,
        title: step.title,
        kind: step.kind,
        console: step.console,
        guidance: step.guidance.trim().to_string(),
        values,
        documents,
        runs: step.runs,
        checks: step.checks,
    }
}
