//! The start screen: what the wizard does, where its actions go, and who AWS thinks you are.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::theme::Theme;
use super::widgets::{Doc, clean, scrolled};
use crate::app::{Mode, State};
use crate::cloud::CallerIdentity;

const WELCOME: &str = "connect-sso walks you through signing agents in to Amazon Connect with \
IAM Identity Center, one screen per step of the guide. It shows every value to paste and \
where it goes, does the IAM steps for you, and checks what AWS lets it check. Your answers \
and progress are saved as you go, never your credentials.";

fn mode_text(mode: Mode) -> &'static str {
    match mode {
        Mode::Sandbox => "a built-in practice account where nothing real changes",
        Mode::Aws => "your real account, which the steps you run change",
        Mode::PlanOnly => "values and documents only, nothing is sent to AWS",
    }
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let mut doc = Doc::new(area.width);
    doc.push(Line::styled("Welcome", theme.title()));
    doc.wrapped(Vec::new(), WELCOME, theme.text());
    doc.blank();
    let label = |l: &str| Span::styled(format!("{l:<9}"), theme.bold());
    doc.wrapped(
        vec![
            label("Mode"),
            Span::styled(format!("{}: ", state.mode.label()), theme.value()),
        ],
        mode_text(state.mode),
        theme.text(),
    );
    doc.wrapped(
        vec![label("Session")],
        &clean(&state.session_name),
        theme.value(),
    );
    // A workshop scenario: what the attendee is told, never its cause.
    if let Some(scenario) = state
        .scenario
        .as_deref()
        .and_then(crate::cloud::sandbox::scenario)
    {
        doc.blank();
        doc.push(Line::styled(
            format!("Workshop scenario {}", scenario.name),
            theme.bold(),
        ));
        doc.wrapped(Vec::new(), scenario.brief, theme.text());
        doc.wrapped(vec![label("Sign in as")], scenario.user, theme.value());
        doc.wrapped(
            Vec::new(),
            "Find the cause as you would on a real setup: verification (the last step) checks everything, t lists the usual causes, and each step's screen shows what it should hold.",
            theme.dim(),
        );
    }
    doc.blank();
    doc.push(Line::styled("Who you are in AWS", theme.bold()));
    if let Some(error) = &state.context_error {
        doc.wrapped(
            vec![Span::styled("✗ ", theme.error())],
            &format!("AWS could not be reached: {}", clean(error)),
            theme.error(),
        );
        doc.blank();
        doc.push(Line::from("Go on without AWS:"));
        choice(
            &mut doc,
            theme,
            "s",
            "the sandbox account: practise every step, nothing real changes",
        );
        choice(
            &mut doc,
            theme,
            "p",
            "plan only: every value and document from your answers, no AWS calls",
        );
    } else if let Some(contexts) = &state.contexts {
        identity(&mut doc, theme, "Connect", &contexts.connect);
        identity(&mut doc, theme, "Identity", &contexts.identity);
        if let Some(id) = &state.identity_store_id {
            doc.wrapped(
                vec![Span::raw("  "), label("Store")],
                &clean(id),
                theme.value(),
            );
        }
    } else if state.mode == Mode::PlanOnly {
        doc.wrapped(
            Vec::new(),
            "Nobody: plan-only mode makes no AWS calls.",
            theme.dim(),
        );
    } else {
        doc.wrapped(
            Vec::new(),
            "Asking AWS (sts:GetCallerIdentity)…",
            theme.dim(),
        );
    }
    if state.context_error.is_none() {
        doc.blank();
        doc.push(Line::from(vec![
            Span::raw("Press "),
            Span::styled("Enter", theme.key()),
            Span::raw(" to begin with the prerequisites."),
        ]));
    }
    scrolled(frame, area, &doc.lines, state.scroll, None, theme);
}

fn choice(doc: &mut Doc, theme: &Theme, key: &'static str, what: &str) {
    doc.wrapped(
        vec![
            Span::raw("  "),
            Span::styled(key, theme.key()),
            Span::raw("  "),
        ],
        what,
        theme.text(),
    );
}

/// One AWS context: its account, then the caller's ARN on its own line (ARNs are long).
fn identity(doc: &mut Doc, theme: &Theme, context: &str, who: &CallerIdentity) {
    doc.wrapped(
        vec![
            Span::styled(format!("  {context:<9}"), theme.bold()),
            Span::raw("account "),
        ],
        &clean(&who.account),
        theme.value(),
    );
    doc.wrapped(
        vec![Span::raw(" ".repeat(11))],
        &clean(&who.arn),
        theme.value(),
    );
}
