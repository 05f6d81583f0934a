//! Who sent the response and where it goes: the issuer, the destination and recipient (the
//! ACS URL), the audience, and the relay state posted beside it.

use super::super::decode::clip;
use super::super::{
    Assertion, BEARER, Decoded, Expectations, Finding, InputKind, SamlResponse, Severity,
    SubjectConfirmation,
};
use super::{ACS, INVALID, RELAY};

pub(super) fn check_issuer(
    resp: &SamlResponse,
    a: &Assertion,
    exp: &Expectations,
    out: &mut Vec<Finding>,
) {
    let field = "Issuer";
    let seen = a.issuer.as_deref().or(resp.issuer.as_deref());
    let Some(expected) = exp.expected_issuer.as_deref() else {
        out.push(
            Finding::new(field, Severity::Info)
                .seen(seen.unwrap_or("(none)"))
                .fix("Not compared: give --metadata FILE, or run without --offline, to compare it with the metadata's entity ID"),
        );
        return;
    };
    let wrong: Vec<&str> = [a.issuer.as_deref(), resp.issuer.as_deref()]
        .into_iter()
        .flatten()
        .filter(|i| i.trim() != expected)
        .collect();
    if a.issuer.is_none() {
        out.push(
            Finding::new(field, Severity::Fail)
                .seen("the assertion has no Issuer")
                .expected(expected)
                .fix("AWS needs the assertion's Issuer to find the SAML provider; this is not an unmodified Identity Center response")
                .trouble(INVALID),
        );
    } else if let Some(other) = wrong.first() {
        let from = exp.trusted_from.as_deref().unwrap_or("the metadata");
        out.push(
            Finding::new(field, Severity::Fail)
                .seen(*other)
                .expected(format!("{expected} (the entity ID of {from})"))
                .fix(format!(
                    "The response comes from another identity provider or application than \
                     {from} describes. Download the metadata of the application users sign in \
                     with (step 2) and run `connect-sso apply --metadata FILE`"
                ))
                .trouble(INVALID),
        );
    } else {
        out.push(
            Finding::new(field, Severity::Pass)
                .seen(expected)
                .expected(expected),
        );
    }
}

/// Which AWS sign-in endpoint a URL is, in words, when it is one.
fn describe_sign_in_url(url: &str) -> Option<String> {
    let host = url.strip_prefix("https://")?.strip_suffix("/saml")?;
    match host {
        "signin.aws.amazon.com" => Some("the global AWS sign-in endpoint".into()),
        "signin.amazonaws-us-gov.com" => Some("the AWS GovCloud (US) sign-in endpoint".into()),
        "signin.amazonaws.cn" => Some("the AWS China sign-in endpoint".into()),
        _ => host
            .strip_suffix(".signin.aws.amazon.com")
            .filter(|r| !r.is_empty() && !r.contains('.'))
            .map(|region| format!("the regional sign-in endpoint of {region}")),
    }
}

fn acs_fix(seen: &str, exp: &Expectations, what: &str) -> String {
    let expected = exp.acs_urls.join(" or ");
    match describe_sign_in_url(seen) {
        Some(endpoint) => format!(
            "Identity Center posts to {endpoint}, but this setup uses {expected}. Either set the \
             application's ACS URL in Identity Center to {expected} (step 3), or change the \
             sign-in endpoint answer (--sign-in-endpoint) to match and run `connect-sso apply` \
             so the role trusts it"
        ),
        None => format!(
            "The {what} is not an AWS sign-in URL. Set the application's ACS URL in Identity \
             Center to {expected} (step 3)"
        ),
    }
}

pub(super) fn check_destination(resp: &SamlResponse, exp: &Expectations, out: &mut Vec<Finding>) {
    let field = "Destination";
    let expected = exp.acs_urls.join(" or ");
    match resp.destination.as_deref() {
        None => out.push(
            Finding::new(field, Severity::Warn)
                .seen("(none)")
                .expected(expected)
                .fix("Identity Center always names the Destination; the Recipient check below still applies"),
        ),
        Some(d) if exp.acs_urls.iter().any(|u| u == d) => {
            out.push(Finding::new(field, Severity::Pass).seen(d).expected(expected))
        }
        Some(d) => out.push(
            Finding::new(field, Severity::Fail)
                .seen(d)
                .expected(expected.clone())
                .fix(acs_fix(d, exp, "Destination"))
                .trouble(ACS),
        ),
    }
}

pub(super) fn check_recipient(a: &Assertion, exp: &Expectations, out: &mut Vec<Finding>) {
    let field = "Recipient";
    let expected = exp.acs_urls.join(" or ");
    let bearer: Vec<&SubjectConfirmation> = a
        .subject_confirmations
        .iter()
        .filter(|c| c.method.as_deref() == Some(BEARER))
        .collect();
    if bearer.is_empty() {
        out.push(
            Finding::new(field, Severity::Fail)
                .seen("no bearer SubjectConfirmation")
                .expected(format!("a bearer SubjectConfirmation with Recipient {expected}"))
                .fix("AWS needs a bearer subject confirmation; this is not an unmodified Identity Center response")
                .trouble(INVALID),
        );
        return;
    }
    let recipients: Vec<&str> = bearer
        .iter()
        .filter_map(|c| c.recipient.as_deref())
        .collect();
    if recipients
        .iter()
        .any(|r| exp.acs_urls.iter().any(|u| u == r))
    {
        out.push(
            Finding::new(field, Severity::Pass)
                .seen(recipients.join(", "))
                .expected(expected),
        );
    } else if let Some(r) = recipients.first() {
        out.push(
            Finding::new(field, Severity::Fail)
                .seen(recipients.join(", "))
                .expected(expected)
                .fix(acs_fix(r, exp, "Recipient"))
                .trouble(ACS),
        );
    } else {
        out.push(
            Finding::new(field, Severity::Fail)
                .seen("(none)")
                .expected(expected)
                .fix("The subject confirmation names no Recipient, which AWS requires. Set the application's ACS URL in Identity Center (step 3)")
                .trouble(ACS),
        );
    }
}

pub(super) fn check_audience(a: &Assertion, exp: &Expectations, out: &mut Vec<Finding>) {
    let field = "Audience";
    let expected = exp.audience.as_str();
    if a.audiences.iter().any(|x| x == expected) {
        out.push(
            Finding::new(field, Severity::Pass)
                .seen(a.audiences.join(", "))
                .expected(expected),
        );
        return;
    }
    let seen = if a.audiences.is_empty() {
        "(none)".to_owned()
    } else {
        a.audiences.join(", ")
    };
    let hint = if a
        .audiences
        .iter()
        .any(|x| describe_sign_in_url(x).is_some())
    {
        " The audience holds a sign-in URL: the ACS URL was probably pasted into the audience \
         field too."
    } else if a
        .audiences
        .iter()
        .any(|x| x.starts_with("urn:amazon:webservices"))
    {
        " That is the audience of another AWS partition (commercial regions use \
         urn:amazon:webservices, GovCloud urn:amazon:webservices:govcloud)."
    } else {
        ""
    };
    out.push(
        Finding::new(field, Severity::Fail)
            .seen(seen)
            .expected(expected)
            .fix(format!(
                "Set the application's SAML audience in Identity Center to {expected} (step 4).{hint}"
            ))
            .trouble(ACS),
    );
}

/// The relay state the browser posted next to the response, when the input was a whole form
/// body. `None` when the input did not include it.
pub fn check_relay_state(decoded: &Decoded, exp: &Expectations) -> Option<Finding> {
    let expected = exp.relay_state.as_deref()?;
    let field = "RelayState";
    if decoded.kind != InputKind::FormBody {
        return None;
    }
    let fix_paste = "Paste the relay state of steps 7-9 from connect-sso into the application's Relay state field in Identity Center";
    Some(match decoded.relay_state.as_deref() {
        None => Finding::new(field, Severity::Warn)
            .seen("(empty)")
            .expected(expected)
            .fix(format!("Without a relay state, users land on the AWS console home page instead of Connect. {fix_paste}"))
            .trouble(RELAY),
        Some(seen) if seen == expected || seen.strip_prefix(expected).is_some_and(|rest| rest.starts_with('?')) => {
            Finding::new(field, Severity::Pass).seen(seen).expected(expected)
        }
        Some(seen) => Finding::new(field, Severity::Fail)
            .seen(clip(seen, 300))
            .expected(expected)
            .fix(format!(
                "{}. {fix_paste}",
                if seen.contains("/connect/federate/") {
                    "The relay state opens Connect in another region or another instance"
                } else {
                    "The relay state is not this instance's Connect federation URL"
                }
            ))
            .trouble(RELAY),
    })
}
