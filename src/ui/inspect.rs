//! The SAMLResponse box: what was pasted (size and start, never the whole blob), then each
//! finding of the inspector with what was seen, what was expected and the fix.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme::Theme;
use super::widgets::{Doc, clean, tall_popup};
use crate::app::State;
use crate::cloud::sign_in::Outcome;
use crate::domain::assertion::Severity;

pub fn draw_overlay(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let inner = tall_popup(frame, area, 110, "Inspect a SAML response", theme);
    let mut doc = Doc::new(inner.width);
    let text = state.assertion_text.trim();
    if text.is_empty() && state.mode == crate::app::Mode::Sandbox {
        doc.outside(
            1,
            "On the sandbox, Ctrl-G asks its Identity Center for the response a sign-in of step 11's first person would post; Ctrl-T then signs in with it. A response captured elsewhere can be pasted here too.",
            theme.text(),
        );
    } else if text.is_empty() {
        doc.outside(
            1,
            "Sign in from the AWS access portal with the browser's developer tools open (Network tab, keep the log). Open the POST to the AWS sign-in page, copy the SAMLResponse form value (or the whole form data) and paste it here, then press Enter.",
            theme.text(),
        );
    } else {
        let start: String = text.chars().take(48).collect();
        doc.wrapped(
            vec![Span::raw(" ")],
            &format!(
                "Pasted {} characters: {}{}",
                text.chars().count(),
                clean(&start),
                if text.chars().count() > 48 { "…" } else { "" }
            ),
            theme.value(),
        );
    }
    doc.blank();
    sign_in_verdict(&mut doc, state, theme);
    match &state.inspection {
        None if !text.is_empty() => {
            doc.wrapped(vec![Span::raw(" ")], "Press Enter to check it", theme.dim())
        }
        None => {}
        Some(Err(message)) => doc.wrapped(
            vec![Span::styled(" ✗ ", theme.error())],
            &clean(message),
            theme.error(),
        ),
        Some(Ok(report)) => {
            let s = &report.summary;
            doc.wrapped(
                vec![Span::raw(" ")],
                &format!(
                    "{} ({}): {} ok, {} warning(s), {} failed{}",
                    report.input.label(),
                    if report.offline {
                        "plan only"
                    } else {
                        "checked with AWS too"
                    },
                    s.pass,
                    s.warn,
                    s.fail,
                    if report.failed() {
                        " — sign-in with it fails"
                    } else {
                        ""
                    }
                ),
                theme.bold(),
            );
            // Problems first: the box is often too short for every line.
            let mut findings: Vec<_> = report.findings.iter().collect();
            findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
            for f in findings {
                let style = match f.severity {
                    Severity::Fail => theme.error(),
                    Severity::Warn => theme.warning(),
                    Severity::Pass => theme.ok(),
                    Severity::Info => theme.dim(),
                };
                let head = vec![Span::styled(format!(" {} ", f.severity.symbol()), style)];
                let mut line = clean(&f.field).into_owned();
                if let Some(seen) = &f.seen {
                    line.push_str(&format!(": {}", clean(seen)));
                }
                doc.wrapped(head, &line, theme.text());
                if f.severity >= Severity::Warn {
                    if let Some(expected) = &f.expected {
                        doc.wrapped(
                            vec![Span::raw("   expected ")],
                            &clean(expected),
                            theme.value(),
                        );
                    }
                    if let Some(fix) = &f.fix {
                        doc.wrapped(vec![Span::raw("   fix ")], &clean(fix), theme.text());
                    }
                }
            }
        }
    }
    let height = usize::from(inner.height);
    let mut lines: Vec<Line> = doc.lines;
    if lines.len() > height {
        lines.truncate(height.saturating_sub(1));
        lines.push(Line::styled(
            " … more: `connect-sso inspect-assertion FILE` prints every finding",
            theme.dim(),
        ));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// AWS's own answer (Ctrl-T), first: it settles what the findings below only suggest.
fn sign_in_verdict(doc: &mut Doc, state: &State, theme: &Theme) {
    let Some(result) = &state.sign_in else {
        return;
    };
    let report = match result {
        Err(message) => {
            doc.wrapped(
                vec![Span::styled(" ✗ ", theme.error())],
                &clean(message),
                theme.error(),
            );
            doc.blank();
            return;
        }
        Ok(report) => report,
    };
    if report.attempts.is_empty() {
        doc.wrapped(
            vec![Span::styled(" ✗ AWS ", theme.error())],
            "was not asked: the response holds no role,provider pair in its Role attribute",
            theme.error(),
        );
    }
    for a in &report.attempts {
        match &a.outcome {
            Outcome::SignedIn {
                connect_user,
                sign_in_host,
                ..
            } => doc.wrapped(
                vec![Span::styled(" ✓ AWS ", theme.ok())],
                &format!(
                    "signed in {} with {}{}",
                    clean(connect_user),
                    clean(&a.role_arn),
                    sign_in_host
                        .as_deref()
                        .map(|h| format!(" (Connect at {})", clean(h)))
                        .unwrap_or_default()
                ),
                theme.text(),
            ),
            Outcome::Refused {
                step,
                code,
                message,
                trouble,
                fix,
            } => {
                doc.wrapped(
                    vec![Span::styled(" ✗ AWS ", theme.error())],
                    &format!("{} refused: {code}: {}", step.action(), clean(message)),
                    theme.text(),
                );
                doc.wrapped(vec![Span::raw("   fix ")], &clean(fix), theme.text());
                if let Some(t) = trouble {
                    doc.wrapped(
                        vec![Span::raw("   see ")],
                        &format!("{t} in the troubleshooting list (t)"),
                        theme.dim(),
                    );
                }
            }
            Outcome::NotAnswered { step, error } => doc.wrapped(
                vec![Span::styled(" ! AWS ", theme.warning())],
                &format!("{} did not answer: {}", step.action(), clean(error)),
                theme.text(),
            ),
        }
    }
    doc.blank();
}
