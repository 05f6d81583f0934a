//! The key hints: the keys every screen shares, and those the current screen or overlay
//! handles, for the help bar and the key map.

use super::super::{Focus, Mode, Overlay, START, State};
use super::values::screen_values;
use crate::steps::StepKind;

/// Keys that work on every screen (`update` handles them before the screen's own keys).
pub const GLOBAL_KEYS: &[(&str, &str)] = &[
    ("PageDown", "next step"),
    ("PageUp", "previous step"),
    ("Ctrl-D / Ctrl-U", "scroll down / up"),
    ("F1", "this key map"),
    ("Ctrl-C", "cancel the running action, or quit"),
];

/// The keys the current screen handles, shown in the help bar and the key map.
pub fn key_hints(state: &State) -> Vec<(&'static str, &'static str)> {
    match state.overlay {
        Overlay::None => screen_key_hints(state),
        Overlay::Troubles { .. } => vec![("↑↓", "select"), ("Esc", "close")],
        Overlay::Picker if state.picker.as_ref().is_some_and(|p| p.pick.several()) => vec![
            ("type", "filter"),
            ("↑↓", "move"),
            ("Space", "choose"),
            ("Enter", "use the chosen"),
            ("Esc", "close"),
        ],
        Overlay::Picker => vec![
            ("type", "filter"),
            ("↑↓", "move"),
            ("Enter", "use it"),
            ("Esc", "cancel"),
        ],
        Overlay::Steps { .. } => vec![("↑↓", "choose"), ("Enter", "go to step"), ("Esc", "close")],
        Overlay::Inspect if state.mode == Mode::Sandbox => vec![
            ("Ctrl-G", "issue one"),
            ("Enter", "check"),
            ("Ctrl-T", "ask AWS"),
            ("Ctrl-U", "clear"),
            ("Esc", "close"),
        ],
        Overlay::Inspect if state.mode.is_live() => vec![
            ("Enter", "check"),
            ("Ctrl-T", "ask AWS"),
            ("Ctrl-U", "clear"),
            ("Esc", "close"),
        ],
        Overlay::Inspect => vec![("Enter", "check"), ("Ctrl-U", "clear"), ("Esc", "close")],
        Overlay::ConfirmUnassign => vec![("y", "unassign"), ("n", "keep them")],
        Overlay::ConfirmConsoleApi => vec![("y", "turn it on"), ("n", "keep it off")],
        Overlay::ConsoleForm => {
            let choice = state.console_form.as_ref().is_some_and(|f| {
                matches!(
                    f.fields[f.focus].kind,
                    crate::app::console_form::FieldKind::Choice(_)
                )
            });
            // Most needed first: the bar drops what does not fit at 80 columns.
            let mut hints = Vec::new();
            if choice {
                hints.push(("← →", "choose"));
            }
            hints.extend([
                ("Tab", "next"),
                ("Ctrl-S", "save"),
                ("Esc", "cancel"),
                ("Ctrl-Y", "copy shown"),
            ]);
            if !choice {
                hints.extend([("Ctrl-U", "clear"), ("type", "or paste")]);
            }
            hints
        }
        _ => vec![("Esc", "close")],
    }
}

/// The keys of the screen under any overlay, most used first: the help bar shows as many as
/// fit and then "? more", the key map lists them all.
pub fn screen_key_hints(state: &State) -> Vec<(&'static str, &'static str)> {
    let mut hints = Vec::new();
    if state.busy.is_some() {
        hints.push(("Ctrl-C", "cancel"));
    }
    match state.focus {
        Focus::Field(_) => {
            hints.push(("Enter", "keep, next field"));
            hints.push(("Esc", "done editing"));
            hints.push(("Tab", "next field"));
            if state.busy.is_none() {
                hints.push(("Ctrl-C", "quit"));
            }
        }
        Focus::Values(_) if state.screen == START => {
            if state.context_error.is_some() {
                hints.push(("s", "sandbox"));
                hints.push(("p", "plan only"));
            }
            hints.push(("Enter", "start"));
            hints.push(("?", "keys"));
            hints.push(("q", "quit"));
        }
        Focus::Values(_) => {
            step_hints(state, &mut hints);
            hints.push(("?", "keys"));
            hints.push(("q", "quit"));
        }
    }
    hints
}

/// The keys of a step screen's values.
fn step_hints(state: &State, hints: &mut Vec<(&'static str, &'static str)>) {
    let Some(step) = state.step() else {
        return;
    };
    match step.kind {
        StepKind::Manual if super::console::runs(state, step.id) => {
            hints.push(("r", "run (console API)"));
            hints.push(console_page_hint(state, step.id));
        }
        StepKind::Manual => {
            match step.id {
                "2" => hints.push(("r", "check file")),
                "1" if state.mode.is_live() => hints.push(("r", "check")),
                _ => {}
            }
            hints.push(console_page_hint(state, step.id));
        }
        StepKind::Automated => {
            hints.push(("r", "run"));
            if step.id == "11" && state.mode.is_live() {
                hints.push(("p", "people"));
                hints.push(("g", "groups"));
                hints.push(("a", "run + Connect users"));
                if !state.unrequested.is_empty() {
                    hints.insert(0, ("u", "unassign removed"));
                }
            }
        }
        StepKind::Check => hints.push(("r", "check")),
    }
    hints.push(("n", "next"));
    hints.push(("b", "back"));
    if !state.screen_fields().is_empty() {
        hints.push(("e", "edit"));
    }
    if step.id == "prerequisites" && !state.instances.is_empty() {
        hints.push(("u", "use instance"));
    }
    if !screen_values(state).is_empty() {
        hints.push(("c", "copy"));
        hints.push(("1-9", "copy row"));
        hints.push(("↑↓", "select"));
        hints.push(("v", "show whole (mouse copy)"));
    }
    if step.id == "1" && state.mode.is_live() {
        hints.push(if state.console_api {
            ("o", "console API off")
        } else {
            ("o", "console API…")
        });
    }
    if step.id == "verify" {
        hints.push(("i", "inspect response"));
    }
    hints.push(("s", "steps"));
    hints.push(("Home", "first step"));
    hints.push(("t", "troubleshoot"));
    hints.push(("x", "skip"));
}

/// `d` on a manual step: on the sandbox, its console pages are forms in the wizard.
fn console_page_hint(state: &State, id: &str) -> (&'static str, &'static str) {
    if state.mode == Mode::Sandbox && crate::cloud::sandbox::CONSOLE_PAGE_STEPS.contains(&id) {
        ("d", "do it (console form)")
    } else {
        ("d", "I've done this")
    }
}
