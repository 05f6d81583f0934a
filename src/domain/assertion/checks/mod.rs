//! [`check`]: every check of a parsed response against the [`Expectations`], most basic
//! first, and the checks of the response's status and assertion count. The other checks live
//! in the files beside this one, by what they look at.

mod addressing;
mod attributes;
mod signatures;
mod times;

pub use addressing::check_relay_state;
// The unit tests (in `assertion::tests`) exercise these helpers directly.
#[cfg(test)]
pub(super) use attributes::{NameStyle, name_style, near_miss};

use time::OffsetDateTime;

use addressing::{check_audience, check_destination, check_issuer, check_recipient};
use attributes::{check_name_id, check_role, check_role_session_name, check_session_duration};
use signatures::check_signatures;
use times::check_times;

use super::{Assertion, Expectations, Finding, STATUS_SUCCESS, SamlResponse, Severity};

// Ids of the matching `connect-sso troubleshoot` entries.
const INVALID: &str = "invalid-saml-response";
const ACS: &str = "wrong-acs-url";
const ASSUME: &str = "not-authorized-assume-role";
const UPN: &str = "windows-upn";
const EXPIRED: &str = "session-expired";
const CERTIFICATE: &str = "certificate";
const ONBOARDED: &str = "not-onboarded";
const RELAY: &str = "wrong-relay-state";

const MAPPINGS_FIX: &str = "In IAM Identity Center, open the application's Attribute mappings \
     and copy the mappings of step 10 from connect-sso exactly (`connect-sso plan` prints them)";

/// Checks the response against `exp` at `now`, most basic first.
pub fn check(resp: &SamlResponse, exp: &Expectations, now: OffsetDateTime) -> Vec<Finding> {
    let mut out = Vec::new();
    check_status(resp, &mut out);
    let Some(assertion) = check_assertion_count(resp, &mut out) else {
        check_signatures(resp, None, exp, now, &mut out);
        return out;
    };
    check_signatures(resp, Some(assertion), exp, now, &mut out);
    check_issuer(resp, assertion, exp, &mut out);
    check_destination(resp, exp, &mut out);
    check_recipient(assertion, exp, &mut out);
    check_audience(assertion, exp, &mut out);
    check_times(resp, assertion, now, &mut out);
    check_role(assertion, exp, &mut out);
    check_role_session_name(assertion, &mut out);
    check_name_id(assertion, &mut out);
    check_session_duration(assertion, &mut out);
    out
}

fn check_status(resp: &SamlResponse, out: &mut Vec<Finding>) {
    let field = "Status";
    match resp.status_code.as_deref() {
        Some(STATUS_SUCCESS) => out.push(Finding::new(field, Severity::Pass).seen(STATUS_SUCCESS)),
        seen => {
            let mut seen_text = seen.unwrap_or("(no StatusCode)").to_owned();
            if let Some(detail) = &resp.status_detail {
                seen_text.push_str(&format!(" / {detail}"));
            }
            if let Some(message) = &resp.status_message {
                seen_text.push_str(&format!(": {message}"));
            }
            out.push(
                Finding::new(field, Severity::Fail)
                    .seen(seen_text)
                    .expected(STATUS_SUCCESS)
                    .fix(
                        "The identity provider did not sign the user in, so AWS will refuse \
                         this response. Read the status above; check that the user is assigned \
                         to the application (step 11) and signs in from the AWS access portal",
                    ),
            );
        }
    }
}

fn check_assertion_count<'a>(
    resp: &'a SamlResponse,
    out: &mut Vec<Finding>,
) -> Option<&'a Assertion> {
    let field = "Assertion";
    match (resp.assertion.as_ref(), resp.encrypted_assertion_count) {
        (None, 0) => {
            out.push(
                Finding::new(field, Severity::Fail)
                    .seen("none")
                    .expected("one <Assertion>")
                    .fix(
                        "The response carries no assertion, so there is nothing to sign in \
                         with. Capture the response of a successful sign-in from the AWS access \
                         portal",
                    )
                    .trouble(INVALID),
            );
            None
        }
        (None, n) => {
            // AWS can take encrypted assertions (the SAML provider then holds a private key),
            // so this is not necessarily broken; it only cannot be inspected here.
            out.push(
                Finding::new(field, Severity::Warn)
                    .seen(format!("{n} <EncryptedAssertion>"))
                    .expected("a readable <Assertion>")
                    .fix(
                        "The assertion is encrypted and this inspector cannot decrypt it, so \
                         none of its values could be checked. Identity Center does not encrypt \
                         assertions unless the IAM SAML provider asks for it; to inspect, turn \
                         encryption off for a test, or check the application's attribute \
                         mappings against `connect-sso plan`",
                    ),
            );
            None
        }
        (Some(a), encrypted) => {
            let total = resp.assertion_count + encrypted;
            if total > 1 {
                out.push(
                    Finding::new(field, Severity::Warn)
                        .seen(format!("{total} assertions"))
                        .expected("one")
                        .fix(
                            "Identity Center sends one assertion; only the first is checked \
                             here. A response with several may have been tampered with",
                        ),
                );
            } else {
                out.push(
                    Finding::new(field, Severity::Pass)
                        .seen(a.id.clone().unwrap_or_else(|| "(no ID)".into())),
                );
            }
            Some(a)
        }
    }
}
