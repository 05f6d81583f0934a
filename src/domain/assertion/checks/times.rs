//! The time checks: when the response was issued, until when it is valid, and from when, with
//! the clock skew AWS tolerates.

use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use super::super::decode::clip;
use super::super::{Assertion, BEARER, CLOCK_SKEW_MINUTES, Finding, SamlResponse, Severity};
use super::{EXPIRED, INVALID};
use crate::domain::metadata::format_date;

fn parse_time(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text.trim(), &Rfc3339).ok()
}

/// A time value: `Ok(None)` when absent; a Fail finding is pushed when unreadable.
fn read_time(
    field: &str,
    value: Option<&str>,
    out: &mut Vec<Finding>,
) -> Result<Option<OffsetDateTime>, ()> {
    match value {
        None => Ok(None),
        Some(text) => match parse_time(text) {
            Some(t) => Ok(Some(t)),
            None => {
                out.push(
                    Finding::new(field, Severity::Fail)
                        .seen(clip(text, 60))
                        .expected("a UTC time such as 2025-01-31T12:00:00Z")
                        .fix("AWS cannot read this time; this is not an unmodified Identity Center response")
                        .trouble(INVALID),
                );
                Err(())
            }
        },
    }
}

/// Time checks.
///
/// A saved capture is almost always inspected after it expired (Identity Center makes
/// responses valid for a few minutes). That is not a defect of the setup, so an expiry that
/// happened after the response was issued is a warning that says so, and every other check
/// still runs; the response itself is only failed when it could never have been accepted:
/// expired when issued, or not valid yet now (a clock problem).
pub(super) fn check_times(
    resp: &SamlResponse,
    a: &Assertion,
    now: OffsetDateTime,
    out: &mut Vec<Finding>,
) {
    let skew = Duration::minutes(CLOCK_SKEW_MINUTES);
    let bearer = a
        .subject_confirmations
        .iter()
        .find(|c| c.method.as_deref() == Some(BEARER));
    let Ok(issued) = read_time(
        "IssueInstant",
        a.issue_instant.as_deref().or(resp.issue_instant.as_deref()),
        out,
    ) else {
        return;
    };
    let Ok(subject_end) = read_time(
        "NotOnOrAfter",
        bearer.and_then(|c| c.not_on_or_after.as_deref()),
        out,
    ) else {
        return;
    };
    let Ok(conditions_end) = read_time("NotOnOrAfter", a.not_on_or_after.as_deref(), out) else {
        return;
    };
    let Ok(not_before) = read_time("NotBefore", a.not_before.as_deref(), out) else {
        return;
    };

    let field = "NotOnOrAfter";
    let Some(subject_end) = subject_end else {
        out.push(
            Finding::new(field, Severity::Fail)
                .seen("the subject confirmation has no NotOnOrAfter")
                .expected("a time a few minutes after the response was issued")
                .fix("AWS requires it; this is not an unmodified Identity Center response")
                .trouble(INVALID),
        );
        return;
    };
    let end = conditions_end.map_or(subject_end, |c| c.min(subject_end));
    let window = match issued {
        Some(issued) => format!(
            "issued {}, valid until {}",
            format_date(&issued),
            format_date(&end)
        ),
        None => format!("valid until {}", format_date(&end)),
    };
    if issued.is_some_and(|i| end <= i) {
        out.push(
            Finding::new(field, Severity::Fail)
                .seen(window)
                .expected("a validity period that ends after the response was issued")
                .fix("The response was already expired when it was issued: the identity provider's clock or settings are wrong")
                .trouble(EXPIRED),
        );
    } else if now >= end + skew {
        out.push(
            Finding::new(field, Severity::Warn)
                .seen(window)
                .expected(format!("after now ({})", format_date(&now)))
                .fix(format!(
                    "This capture expired at {}; that is expected for a saved file, and the \
                     other checks still apply. AWS would refuse it now: to test sign-in, start \
                     again from the AWS access portal",
                    format_date(&end)
                ))
                .trouble(EXPIRED),
        );
    } else {
        out.push(
            Finding::new(field, Severity::Pass)
                .seen(window)
                .expected(format!("after now ({})", format_date(&now))),
        );
    }

    let starts = [
        not_before,
        issued,
        bearer
            .and_then(|c| c.not_before.as_deref())
            .and_then(parse_time),
    ];
    if let Some(start) = starts.into_iter().flatten().max() {
        let field = "NotBefore";
        if start > now + skew {
            out.push(
                Finding::new(field, Severity::Fail)
                    .seen(format!("valid from {}", format_date(&start)))
                    .expected(format!("not after now ({}), give or take {CLOCK_SKEW_MINUTES} minutes", format_date(&now)))
                    .fix("The response is not valid yet: this computer's clock or the identity provider's is wrong. Check the date, time and time zone")
                    .trouble(EXPIRED),
            );
        } else {
            out.push(
                Finding::new(field, Severity::Pass)
                    .seen(format!("valid from {}", format_date(&start)))
                    .expected(format!("not after now ({})", format_date(&now))),
            );
        }
    }
}
