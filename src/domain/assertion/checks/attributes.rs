//! The attribute checks: the Role attribute (role and SAML provider ARNs), the
//! RoleSessionName (the Connect user name), the NameID and the SessionDuration, with hints for
//! misspelt attribute names and directory-style user names.

use super::super::decode::clip;
use super::super::role::{RolePair, arn_account};
use super::super::{
    Assertion, Attribute, Expectations, Finding, SESSION_DURATION_ATTRIBUTE, Severity,
};
use super::{ASSUME, INVALID, MAPPINGS_FIX, ONBOARDED, UPN};
use crate::domain::setup::{ROLE_ATTRIBUTE, ROLE_SESSION_NAME_ATTRIBUTE};

/// How a misspelt attribute name differs from `canonical`, when it is close enough to be
/// meant as it; `short` is the bare name ("Role").
pub(in crate::domain::assertion) fn near_miss(
    name: &str,
    friendly: Option<&str>,
    canonical: &str,
    short: &str,
) -> Option<String> {
    let mut reasons = Vec::new();
    let mut s = name.to_owned();
    if s.trim() != s {
        reasons.push("spaces around it");
        s = s.trim().to_owned();
    }
    if s.len() > 1 && s.ends_with('/') {
        reasons.push("a trailing slash");
        s = s.trim_end_matches('/').to_owned();
    }
    if let Some(rest) = s
        .get(..7)
        .filter(|p| p.eq_ignore_ascii_case("http://"))
        .map(|_| s[7..].to_owned())
    {
        reasons.push("http:// instead of https://");
        s = format!("https://{rest}");
    }
    let lower = s.to_ascii_lowercase();
    if !lower.contains("/attributes/")
        && let Some(at) = lower.find("/saml/")
    {
        let candidate = format!("{}Attributes/{}", &s[..at + 6], &s[at + 6..]);
        if candidate.eq_ignore_ascii_case(canonical) {
            reasons.push("no \"Attributes/\" in the path");
            s = candidate;
        }
    }
    if s == canonical && !reasons.is_empty() {
        return Some(reasons.join(" and "));
    }
    if s.eq_ignore_ascii_case(canonical) {
        reasons.push("letters in the wrong case");
        return Some(reasons.join(" and "));
    }
    if s.eq_ignore_ascii_case(short)
        || friendly.is_some_and(|f| f.trim().eq_ignore_ascii_case(short))
    {
        return Some(format!(
            "the short name \"{short}\"; AWS only reads the full name"
        ));
    }
    None
}

fn missing_attribute(a: &Assertion, canonical: &str, short: &str, value_hint: &str) -> Finding {
    let near = a.attributes.iter().find_map(|at| {
        near_miss(&at.name, at.friendly_name.as_deref(), canonical, short)
            .map(|why| (at.name.as_str(), why))
    });
    let (seen, detail) = match near {
        Some((name, why)) => (
            format!("\"{}\" ({why})", clip(name, 100)),
            format!(
                "The attribute is named \"{}\" ({why}), but AWS matches the name character for character. ",
                clip(name, 100)
            ),
        ),
        None => (
            "missing".to_owned(),
            "The response has no attribute with this name. ".to_owned(),
        ),
    };
    Finding::new(format!("{short} attribute"), Severity::Fail)
        .seen(seen)
        .expected(canonical)
        .fix(format!(
            "{detail}{MAPPINGS_FIX}: the attribute {canonical} with the value {value_hint}"
        ))
        .trouble(INVALID)
}

pub(super) fn check_role(a: &Assertion, exp: &Expectations, out: &mut Vec<Finding>) {
    let field = "Role attribute";
    let expected_value = format!("{},{}", exp.role_arn, exp.provider_arn);
    let attributes: Vec<&Attribute> = a
        .attributes
        .iter()
        .filter(|x| x.name == ROLE_ATTRIBUTE)
        .collect();
    if attributes.is_empty() {
        out.push(missing_attribute(
            a,
            ROLE_ATTRIBUTE,
            "Role",
            &expected_value,
        ));
        return;
    }
    let values: Vec<&str> = attributes
        .iter()
        .flat_map(|x| x.values.iter().map(String::as_str))
        .collect();
    if values.iter().all(|v| v.trim().is_empty()) {
        out.push(
            Finding::new(field, Severity::Fail)
                .seen("no value")
                .expected(expected_value.clone())
                .fix(format!("{MAPPINGS_FIX}: the Role attribute's value is the role ARN, a comma and the SAML provider ARN"))
                .trouble(INVALID),
        );
        return;
    }
    let parsed: Vec<(&str, Result<RolePair, String>)> =
        values.iter().map(|v| (*v, RolePair::parse(v))).collect();
    let matching = parsed.iter().find(|(_, p)| {
        p.as_ref()
            .is_ok_and(|p| p.role == exp.role_arn && p.provider == exp.provider_arn)
    });
    let mut problems = 0;
    for (raw, pair) in &parsed {
        match pair {
            Err(why) => {
                problems += 1;
                out.push(
                    Finding::new(field, Severity::Fail)
                        .seen(format!("\"{}\"", clip(raw, 300)))
                        .expected(expected_value.clone())
                        .fix(format!(
                            "The value is not a role,provider pair: {why}. {MAPPINGS_FIX}"
                        ))
                        .trouble(INVALID),
                );
            }
            Ok(p) if p.spaced => {
                problems += 1;
                out.push(
                    Finding::new(field, Severity::Fail)
                        .seen(format!("\"{}\"", clip(raw, 300)))
                        .expected(expected_value.clone())
                        .fix("The value has a space around the comma (or at an end), which AWS rejects. Remove it: role ARN, comma, provider ARN, with no space")
                        .trouble(INVALID),
                );
            }
            Ok(_) => {}
        }
    }
    match matching {
        None => {
            let differences: Vec<String> = parsed
                .iter()
                .filter_map(|(_, p)| p.as_ref().ok())
                .flat_map(|p| pair_differences(p, exp))
                .collect();
            let detail = differences.join("; ");
            let mut chars = detail.chars();
            let detail = match chars.next() {
                Some(first) => format!("{}{}. ", first.to_uppercase(), chars.as_str()),
                None => String::new(),
            };
            out.push(
                Finding::new(field, Severity::Fail)
                    .seen(
                        values
                            .iter()
                            .map(|v| clip(v, 300))
                            .collect::<Vec<_>>()
                            .join(" | "),
                    )
                    .expected(expected_value.clone())
                    .fix(format!(
                        "{detail}AWS lets the user take only the role named here, and only \
                         through the provider named here. {MAPPINGS_FIX}, or fix the role and \
                         provider names in the answers"
                    ))
                    .trouble(ASSUME),
            );
        }
        Some((_, pair)) => {
            if problems == 0 {
                out.push(
                    Finding::new(field, Severity::Pass)
                        .seen(values.join(" | "))
                        .expected(expected_value.clone()),
                );
            }
            if pair.as_ref().is_ok_and(|p| p.provider_first) {
                out.push(
                    Finding::new(field, Severity::Info)
                        .seen("the SAML provider ARN comes first")
                        .expected("the role ARN first")
                        .fix(
                            "AWS accepts either order, so this works; the guide writes the \
                             role first",
                        ),
                );
            }
        }
    }
    if values.len() > 1 {
        out.push(
            Finding::new(field, Severity::Warn)
                .seen(format!("{} values", values.len()))
                .expected("one role,provider pair")
                .fix(
                    "With several pairs, AWS shows the user a page to choose a role before \
                     Connect opens. Map a single Role value for this application",
                ),
        );
    }
}

fn pair_differences(p: &RolePair, exp: &Expectations) -> Vec<String> {
    let mut out = Vec::new();
    for (what, seen, expected) in [
        ("role", &p.role, &exp.role_arn),
        ("SAML provider", &p.provider, &exp.provider_arn),
    ] {
        if seen == expected {
            continue;
        }
        let reason = if seen.eq_ignore_ascii_case(expected) {
            "differs only in letter case".to_owned()
        } else if arn_account(seen) != arn_account(expected) {
            format!(
                "is in account {}, the setup's is in {}",
                arn_account(seen).unwrap_or("?"),
                arn_account(expected).unwrap_or("?")
            )
        } else {
            format!("is not the setup's {expected}")
        };
        out.push(format!("the {what} {} {reason}", clip(seen, 200)));
    }
    out
}

/// What kind of user name a value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::domain::assertion) enum NameStyle {
    Email,
    /// `user@corp.local` and other directory-only domains.
    Upn,
    /// `DOMAIN\user`.
    DownLevel,
    Other,
}

pub(in crate::domain::assertion) fn name_style(value: &str) -> NameStyle {
    if value.contains('\\') {
        return NameStyle::DownLevel;
    }
    let Some((local, domain)) = value.rsplit_once('@') else {
        return NameStyle::Other;
    };
    let tld = domain
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    const DIRECTORY_ONLY: [&str; 9] = [
        "local",
        "lan",
        "corp",
        "internal",
        "intranet",
        "localdomain",
        "home",
        "ad",
        "private",
    ];
    if local.is_empty() || !domain.contains('.') || DIRECTORY_ONLY.contains(&tld.as_str()) {
        NameStyle::Upn
    } else {
        NameStyle::Email
    }
}

fn style_finding(field: &str, value: &str, style: NameStyle) -> Option<Finding> {
    let what = match style {
        NameStyle::Email => return None,
        NameStyle::Upn => {
            "looks like a Windows/Active Directory user principal name (UPN), not an email address"
        }
        NameStyle::DownLevel => "is a Windows DOMAIN\\user logon name, not an email address",
        NameStyle::Other => "is not an email address",
    };
    Some(
        Finding::new(field, Severity::Warn)
            .seen(clip(value, 100))
            .expected("the user's email address (${user:email})")
            .fix(format!(
                "The value {what}. The guide maps the email, and the Connect user must be named \
                 exactly after this value. If the identity source is Active Directory, map email \
                 to the directory's mail attribute in Identity Center's attribute mappings; \
                 otherwise name the Connect users after these values"
            ))
            .trouble(UPN),
    )
}

pub(super) fn check_role_session_name(a: &Assertion, out: &mut Vec<Finding>) {
    let field = "RoleSessionName";
    let attributes: Vec<&Attribute> = a
        .attributes
        .iter()
        .filter(|x| x.name == ROLE_SESSION_NAME_ATTRIBUTE)
        .collect();
    if attributes.is_empty() {
        let mut finding = missing_attribute(
            a,
            ROLE_SESSION_NAME_ATTRIBUTE,
            "RoleSessionName",
            "${user:email}",
        );
        finding.field = field.to_owned();
        out.push(finding);
        return;
    }
    let values: Vec<&str> = attributes
        .iter()
        .flat_map(|x| x.values.iter().map(String::as_str))
        .collect();
    let rule = "2 to 64 characters: letters, digits and _ + = , . @ -";
    let [value] = values.as_slice() else {
        out.push(
            Finding::new(field, Severity::Fail)
                .seen(format!("{} values", values.len()))
                .expected("exactly one value")
                .fix(format!(
                    "AWS needs exactly one RoleSessionName. {MAPPINGS_FIX}"
                ))
                .trouble(INVALID),
        );
        return;
    };
    let length = value.chars().count();
    let bad: Vec<String> = value
        .chars()
        .filter(|c| !(c.is_ascii_alphanumeric() || "_+=,.@-".contains(*c)))
        .map(|c| match c {
            ' ' => "a space".to_owned(),
            '\\' => "a backslash".to_owned(),
            c if c.is_control() => format!("U+{:04X}", c as u32),
            c => format!("'{c}'"),
        })
        .collect();
    let style = name_style(value);
    if !(2..=64).contains(&length) || !bad.is_empty() {
        let mut why = Vec::new();
        if !(2..=64).contains(&length) {
            why.push(format!("it is {length} characters long"));
        }
        if !bad.is_empty() {
            let mut unique: Vec<&String> = Vec::new();
            for b in &bad {
                if !unique.contains(&b) {
                    unique.push(b);
                }
            }
            let unique: Vec<&str> = unique.into_iter().map(String::as_str).collect();
            why.push(format!("it contains {}", unique.join(", ")));
        }
        let mut finding = Finding::new(field, Severity::Fail)
            .seen(format!("\"{}\"", clip(value, 100)))
            .expected(rule)
            .fix(format!(
                "AWS rejects this RoleSessionName: {}. Map it to ${{user:email}} as step 10 shows{}",
                why.join(" and "),
                if style == NameStyle::DownLevel {
                    "; the identity source sends a Windows logon name, so map email to the directory's mail attribute"
                } else {
                    ""
                }
            ));
        finding.trouble = Some(if style == NameStyle::DownLevel {
            UPN
        } else {
            INVALID
        });
        out.push(finding);
        return;
    }
    out.push(
        Finding::new(field, Severity::Pass)
            .seen(*value)
            .expected(rule)
            .fix(format!(
                "Sign-in opens the Connect user named exactly \"{value}\" (case-sensitive)"
            )),
    );
    if let Some(finding) = style_finding(field, value, style) {
        out.push(finding);
    }
    if value.chars().any(|c| c.is_uppercase()) {
        out.push(
            Finding::new(field, Severity::Info)
                .seen(*value)
                .expected(format!("a Connect user named \"{value}\", with the same capitals"))
                .fix("Connect compares user names case-sensitively, so the Connect user must use exactly these capital letters")
                .trouble(ONBOARDED),
        );
    }
}

pub(super) fn check_name_id(a: &Assertion, out: &mut Vec<Finding>) {
    let field = "NameID";
    let Some(name_id) = a.name_id.as_deref().filter(|n| !n.trim().is_empty()) else {
        out.push(
            Finding::new(field, Severity::Fail)
                .seen("missing")
                .expected("the user's email address (${user:email})")
                .fix(format!("AWS needs a NameID. {MAPPINGS_FIX}: Subject is ${{user:email}}, format emailAddress"))
                .trouble(INVALID),
        );
        return;
    };
    let format = a.name_id_format.as_deref().unwrap_or("(no Format)");
    out.push(
        Finding::new(field, Severity::Pass)
            .seen(format!(
                "{} (format {})",
                clip(name_id, 100),
                format.rsplit(':').next().unwrap_or(format)
            ))
            .expected("the user's email address, format emailAddress"),
    );
    if let Some(finding) = style_finding(field, name_id, name_style(name_id)) {
        out.push(finding);
    }
}

pub(super) fn check_session_duration(a: &Assertion, out: &mut Vec<Finding>) {
    let field = "SessionDuration";
    let values: Vec<&str> = a
        .attributes
        .iter()
        .filter(|x| x.name == SESSION_DURATION_ATTRIBUTE)
        .flat_map(|x| x.values.iter().map(String::as_str))
        .collect();
    if values.is_empty()
        && !a
            .attributes
            .iter()
            .any(|x| x.name == SESSION_DURATION_ATTRIBUTE)
    {
        return;
    }
    let expected = "one whole number of seconds from 900 to 43200";
    match values.as_slice() {
        [v] if v.trim().parse::<u32>().is_ok_and(|s| (900..=43_200).contains(&s)) => out.push(
            Finding::new(field, Severity::Pass)
                .seen(*v)
                .expected(expected)
                .fix("It must also not exceed the role's maximum session duration (1 hour unless raised)"),
        ),
        _ => out.push(
            Finding::new(field, Severity::Fail)
                .seen(values.iter().map(|v| clip(v, 40)).collect::<Vec<_>>().join(", "))
                .expected(expected)
                .fix("AWS rejects this SessionDuration. Give one value from 900 (15 minutes) to 43200 (12 hours), or remove the mapping")
                .trouble(INVALID),
        ),
    }
}
