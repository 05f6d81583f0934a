//! The key hints: the keys every screen shares, and those the current screen or overlay
//! handles, for the help bar and the key map.

use super::super::{Focus, Overlay, START, State};
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
        Overlay::Inspect => vec![("Enter", "check"), ("Ctrl-U", "clear"), ("Esc", "close")],
        _ => vec![("Esc", "close")],
    }
}

/// The keys of the screen under any overlay.
pub fn screen_key_hints(state: &State) -> Vec<(&'static str, &'static str)> {
    let mut hints = Vec::new();
    if state.busy.is_some() {
        hints.push(("Ctrl-C", "cancel"));
    }
    match state.focus {
        Focus::Field(_) => {
            hints.push(("Enter", "next field"));
            hints.push(("Tab", "next"));
            hints.push(("Esc", "leave field"));
        }
        Focus::Values(_) => {
            if state.screen == START {
                if state.context_error.is_some() {
                    hints.push(("s", "sandbox"));
                    hints.push(("p", "plan only"));
                }
                hints.push(("Enter", "start"));
            } else {
                if !screen_values(state).is_empty() {
                    hints.push(("↑↓", "select"));
                    hints.push(("c", "copy"));
                    hints.push(("1-9", "copy row"));
                }
                if state.step().is_some_and(|s| s.id == "prerequisites")
                    && !state.instances.is_empty()
                {
                    hints.push(("u", "use instance"));
                }
                if let Some(step) = state.step() {
                    match step.kind {
                        StepKind::Manual => {
                            if step.id == "2" {
                                hints.push(("r", "check file"));
                            }
                            hints.push(("d", "I've done this"));
                        }
                        StepKind::Automated => hints.push(("r", "run")),
                        StepKind::Check => hints.push(("r", "check")),
                    }
                }
                if !state.screen_fields().is_empty() {
                    hints.push(("Tab", "edit"));
                }
                hints.push(("n", "next"));
                hints.push(("b", "back"));
                if state.step().is_some_and(|s| s.id == "verify") {
                    hints.push(("i", "inspect response"));
                }
                hints.push(("t", "troubleshoot"));
                if !state.wide() {
                    hints.push(("s", "steps"));
                }
            }
            hints.push(("?", "keys"));
            hints.push(("q", "quit"));
        }
    }
    hints
}
