//! IAM's validation rules as the sandbox applies them: names, ARNs, version ids, tags, SAML
//! metadata, and the policy documents (permissions and trust) with their size quotas.

use std::collections::HashSet;

use serde_json::Value;

use super::account::SANDBOX_ACCOUNT;
use super::errors::{invalid, limit_exceeded, malformed, validation_error};
use crate::cloud::{CloudResult, SamlProvider, Tag};
use crate::domain::metadata;

/// IAM's quotas on document size, in characters without whitespace.
const MAX_POLICY_SIZE: usize = 6_144;
const MAX_TRUST_POLICY_SIZE: usize = 2_048;
const MAX_TAGS: usize = 50;

/// An IAM name: `max` characters of `\w` (ASCII) plus `extra`.
fn check_iam_name(
    action: &str,
    field: &str,
    value: &str,
    max: usize,
    extra: &str,
    pattern: &str,
) -> CloudResult<()> {
    let len = value.chars().count();
    let constraint = if len == 0 {
        "must have length greater than or equal to 1".to_string()
    } else if len > max {
        format!("must have length less than or equal to {max}")
    } else if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || extra.contains(c))
    {
        format!("must satisfy regular expression pattern: {pattern}")
    } else {
        return Ok(());
    };
    Err(invalid(action, validation_error(value, field, &constraint)))
}

pub(super) fn check_role_name(action: &str, name: &str) -> CloudResult<()> {
    check_iam_name(action, "roleName", name, 64, "+=,.@-", r"[\w+=,.@-]+")
}

pub(super) fn check_policy_name(action: &str, name: &str) -> CloudResult<()> {
    check_iam_name(action, "policyName", name, 128, "+=,.@-", r"[\w+=,.@-]+")
}

pub(super) fn check_provider_name(action: &str, name: &str) -> CloudResult<()> {
    check_iam_name(action, "name", name, 128, "._-", r"[\w._-]+")
}

/// The resource name of an IAM ARN in this account; `None` when the ARN is well formed but
/// names another account, partition or resource type (nothing this account holds).
pub(super) fn iam_arn_name<'a>(
    action: &str,
    arn: &'a str,
    kind: &str,
) -> CloudResult<Option<&'a str>> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    if arn.len() < 20
        || arn.len() > 2048
        || parts.len() != 6
        || parts[0] != "arn"
        || parts[1].is_empty()
        || parts[2] != "iam"
    {
        return Err(invalid(action, format!("ARN {arn} is not valid.")));
    }
    if parts[1] != "aws" || parts[4] != SANDBOX_ACCOUNT {
        return Ok(None);
    }
    // Paths (`policy/team/Name`) end in the name.
    Ok(match parts[5].split_once('/') {
        Some((k, rest)) if k == kind => rest.rsplit('/').next().filter(|n| !n.is_empty()),
        _ => None,
    })
}

pub(super) fn check_version_id(action: &str, version_id: &str) -> CloudResult<()> {
    let digits = version_id
        .strip_prefix('v')
        .map(|rest| rest.split_once('.').map_or(rest, |(n, _)| n));
    let ok = digits.is_some_and(|n| {
        !n.is_empty() && !n.starts_with('0') && n.bytes().all(|b| b.is_ascii_digit())
    });
    if ok {
        Ok(())
    } else {
        Err(invalid(
            action,
            validation_error(
                version_id,
                "versionId",
                r"must satisfy regular expression pattern: v[1-9][0-9]*(\.[A-Za-z0-9-]*)?",
            ),
        ))
    }
}

fn tag_char(c: char) -> bool {
    c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(c)
}

pub(super) fn check_tags(action: &str, tags: &[Tag]) -> CloudResult<()> {
    if tags.len() > MAX_TAGS {
        return Err(invalid(
            action,
            validation_error(
                "[...]",
                "tags",
                &format!("must have length less than or equal to {MAX_TAGS}"),
            ),
        ));
    }
    let mut seen = HashSet::new();
    for tag in tags {
        let key_len = tag.key.chars().count();
        if key_len == 0 || key_len > 128 {
            return Err(invalid(
                action,
                validation_error(
                    &tag.key,
                    "tags.member.key",
                    "must have length between 1 and 128",
                ),
            ));
        }
        if !tag.key.chars().all(tag_char) {
            return Err(invalid(
                action,
                validation_error(
                    &tag.key,
                    "tags.member.key",
                    r"must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+",
                ),
            ));
        }
        if tag.value.chars().count() > 256 || !tag.value.chars().all(tag_char) {
            return Err(invalid(
                action,
                validation_error(
                    &tag.value,
                    "tags.member.value",
                    r"must have length less than or equal to 256 and satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]*",
                ),
            ));
        }
        if tag.key.to_ascii_lowercase().starts_with("aws:") {
            return Err(invalid(
                action,
                format!(
                    "Tag key {} uses the reserved prefix aws:; choose another key",
                    tag.key
                ),
            ));
        }
        if !seen.insert(tag.key.to_lowercase()) {
            return Err(invalid(
                action,
                "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
            ));
        }
    }
    Ok(())
}

pub(super) fn check_metadata(action: &str, document: &str) -> CloudResult<()> {
    metadata::parse(document.as_bytes())
        .map(|_| ())
        .map_err(|e| invalid(action, format!("Could not parse metadata: {e}")))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DocumentKind {
    /// A managed policy: actions on resources, no principal.
    Permissions,
    /// A role's trust policy: principals, no resources.
    Trust,
}

/// IAM's `MalformedPolicyDocument` rules that matter for the documents this tool writes, then
/// the size quota.
pub(super) fn check_document(
    action: &str,
    doc: &Value,
    kind: DocumentKind,
    providers: &[SamlProvider],
) -> CloudResult<()> {
    const SYNTAX: &str = "Syntax errors in policy.";
    let Value::Object(map) = doc else {
        return Err(malformed(action, SYNTAX));
    };
    match map.get("Version") {
        Some(Value::String(v)) if v == "2012-10-17" || v == "2008-10-17" => {}
        None => {
            return Err(malformed(
                action,
                "Missing required field Version (use \"2012-10-17\")",
            ));
        }
        Some(_) => return Err(malformed(action, "The policy failed legacy parsing")),
    }
    let statements: Vec<&Value> = match map.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        Some(_) => return Err(malformed(action, SYNTAX)),
        None => return Err(malformed(action, "Missing required field Statement")),
    };
    let mut sids = HashSet::new();
    for statement in statements {
        let Value::Object(s) = statement else {
            return Err(malformed(action, SYNTAX));
        };
        match s.get("Sid") {
            None => {}
            Some(Value::String(sid)) if sids.insert(sid.as_str()) => {}
            Some(Value::String(_)) => {
                return Err(malformed(
                    action,
                    "Statement IDs (SID) in a single policy must be unique.",
                ));
            }
            Some(_) => return Err(malformed(action, SYNTAX)),
        }
        match s.get("Effect") {
            Some(Value::String(e)) if e == "Allow" || e == "Deny" => {}
            None => return Err(malformed(action, "Missing required field Effect")),
            Some(other) => {
                let shown = other
                    .as_str()
                    .map_or_else(|| other.to_string(), str::to_string);
                return Err(malformed(action, &format!("Invalid effect: {shown}")));
            }
        }
        let Some(actions) = s.get("Action").or_else(|| s.get("NotAction")) else {
            return Err(malformed(action, "Policy statement must contain actions."));
        };
        for a in string_or_list(actions).ok_or_else(|| malformed(action, SYNTAX))? {
            if a != "*"
                && !a
                    .split_once(':')
                    .is_some_and(|(v, o)| !v.is_empty() && !o.is_empty())
            {
                return Err(malformed(
                    action,
                    "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
                ));
            }
        }
        let principal = s.get("Principal").or_else(|| s.get("NotPrincipal"));
        let has_resource = s.contains_key("Resource") || s.contains_key("NotResource");
        match kind {
            DocumentKind::Permissions => {
                if principal.is_some() {
                    return Err(malformed(
                        action,
                        "Policy document should not specify a principal.",
                    ));
                }
                if !has_resource {
                    return Err(malformed(
                        action,
                        "Policy statement must contain resources.",
                    ));
                }
            }
            DocumentKind::Trust => {
                if has_resource {
                    return Err(malformed(action, "Has prohibited field Resource"));
                }
                let Some(principal) = principal else {
                    return Err(malformed(action, "Missing required field Principal"));
                };
                check_federated(action, principal, providers)?;
            }
        }
    }
    let (quota, name) = match kind {
        DocumentKind::Permissions => (MAX_POLICY_SIZE, "PolicySize"),
        DocumentKind::Trust => (MAX_TRUST_POLICY_SIZE, "ACLSizePerRole"),
    };
    let size = doc
        .to_string()
        .chars()
        .filter(|c| !c.is_whitespace())
        .count();
    if size > quota {
        return Err(limit_exceeded(
            action,
            &format!("Cannot exceed quota for {name}: {quota}"),
        ));
    }
    Ok(())
}

fn string_or_list(v: &Value) -> Option<Vec<&str>> {
    match v {
        Value::String(s) => Some(vec![s.as_str()]),
        Value::Array(items) => items.iter().map(Value::as_str).collect(),
        _ => None,
    }
}

/// IAM resolves principals when it stores a trust policy: a SAML provider of this account
/// that does not exist makes the document invalid (so 6a must run before 6c).
fn check_federated(action: &str, principal: &Value, providers: &[SamlProvider]) -> CloudResult<()> {
    let Some(federated) = principal.get("Federated") else {
        return Ok(());
    };
    let own = format!("arn:aws:iam::{SANDBOX_ACCOUNT}:saml-provider/");
    let arns =
        string_or_list(federated).ok_or_else(|| malformed(action, "Syntax errors in policy."))?;
    for arn in arns {
        if arn.starts_with(&own) && !providers.iter().any(|p| p.arn == arn) {
            return Err(malformed(
                action,
                &format!("Invalid principal in policy: \"Federated\":\"{arn}\""),
            ));
        }
    }
    Ok(())
}
