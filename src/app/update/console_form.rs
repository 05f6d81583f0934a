//! The sandbox's console forms (steps 3-5, 7-9 and 10): `d` opens the page as the sandbox's
//! Identity Center holds it, the attendee types or pastes each value, Ctrl-S saves the page,
//! and only then is the step done.

use super::super::console_form::{ConsoleForm, FieldKind};
use super::super::{Cmd, Key, Overlay, State, StepStatus};
use super::actions::matching_applications;
use super::fields::{edit_line, paste_line};
use super::{need, record, report};
use crate::cloud::sandbox::ConsolePage;

/// `d` on a console step of the sandbox: read the page of step 1's application (found by
/// its display name when step 1 has not been checked in this run, as on a workshop
/// scenario's account, where it exists from the start).
pub(super) fn open(state: &mut State, step: &'static str) -> Vec<Cmd> {
    let Ok(setup) = state.setup() else {
        return need(state, "Fix the answers first: the form needs them");
    };
    vec![Cmd::OpenConsolePage {
        arn: matching_applications(state).into_iter().next(),
        name: setup.app_name.to_string(),
        step,
    }]
}

/// The page as the sandbox holds it: shown as a form.
pub(super) fn opened(
    state: &mut State,
    result: Result<(String, String, ConsolePage), String>,
) -> Vec<Cmd> {
    let setup = match (result, state.setup()) {
        (Err(e), _) => return need(state, &format!("The sandbox's console: {e}")),
        (Ok(_), Err(_)) => return need(state, "Fix the answers first: the form needs them"),
        (Ok(page), Ok(setup)) => (page, setup),
    };
    let ((arn, name, page), setup) = setup;
    state.console_form = Some(ConsoleForm::new(&arn, &name, &page, &setup));
    state.overlay = Overlay::ConsoleForm;
    Vec::new()
}

pub(super) fn key(state: &mut State, key: Key) -> Vec<Cmd> {
    let Some(form) = state.console_form.as_mut() else {
        state.overlay = Overlay::None;
        return Vec::new();
    };
    let last = form.focus + 1 == form.fields.len();
    match key {
        Key::Esc => {
            let step = form.step;
            close(state);
            return need(
                state,
                &format!("Nothing was saved: step {step} stays as it was (d opens the form again)"),
            );
        }
        Key::Ctrl('s') => return save(state),
        Key::Enter if last => return save(state),
        Key::Enter | Key::Tab | Key::Down => form.move_focus(1),
        Key::BackTab | Key::Up => form.move_focus(-1),
        Key::Ctrl('y') => {
            let field = &form.fields[form.focus];
            return match &field.shown {
                Some(value) => vec![Cmd::Copy {
                    label: field.label.clone(),
                    value: value.clone(),
                }],
                None => need(state, "The wizard shows no value for this field"),
            };
        }
        _ => {
            let field = form.focused();
            match field.kind {
                FieldKind::Choice(_) => match key {
                    Key::Left => {
                        field.cycle(-1);
                        form.error = None;
                    }
                    Key::Right | Key::Char(' ') => {
                        field.cycle(1);
                        form.error = None;
                    }
                    Key::Char(_) => {
                        return need(
                            state,
                            "Choose the format with ← →: the console offers a menu",
                        );
                    }
                    _ => {}
                },
                FieldKind::Text if key == Key::Ctrl('u') => {
                    field.value.clear();
                    field.cursor = 0;
                    form.error = None;
                }
                FieldKind::Text => {
                    // Only a change of the text answers the refusal; moving the cursor not.
                    let before = field.value.clone();
                    edit_line(&mut field.value, &mut field.cursor, key);
                    if field.value != before {
                        form.error = None;
                    }
                }
            }
        }
    }
    Vec::new()
}

/// A paste goes into the focused text field whole.
pub(super) fn paste(state: &mut State, text: &str) -> Vec<Cmd> {
    let Some(form) = state.console_form.as_mut() else {
        return Vec::new();
    };
    let field = form.focused();
    if field.kind != FieldKind::Text {
        return need(
            state,
            "Choose the format with ← →: the console offers a menu",
        );
    }
    match paste_line(&mut field.value, &mut field.cursor, text) {
        Ok(()) => {
            form.error = None;
            Vec::new()
        }
        Err(why) => need(state, &why),
    }
}

/// Plain mode's answer for one field: the whole value at once.
pub(super) fn answer(state: &mut State, field: usize, value: String) -> Vec<Cmd> {
    let Some(form) = state.console_form.as_mut() else {
        return Vec::new();
    };
    let Some(f) = form.fields.get_mut(field) else {
        return Vec::new();
    };
    if let FieldKind::Choice(menu) = f.kind
        && !menu.iter().any(|(short, _)| *short == value)
    {
        return need(state, "Choose one of the formats the console offers");
    }
    f.cursor = value.chars().count();
    f.value = value;
    form.focus = field;
    form.error = None;
    Vec::new()
}

/// Ctrl-S: the page as typed goes to the sandbox's Identity Center, unless the console
/// would refuse it.
fn save(state: &mut State) -> Vec<Cmd> {
    let Some(form) = state.console_form.as_mut() else {
        return Vec::new();
    };
    match form.page() {
        Ok(page) => vec![Cmd::SaveConsolePage {
            arn: form.application_arn.clone(),
            page,
        }],
        Err(why) => {
            form.error = Some(why);
            Vec::new()
        }
    }
}

/// The sandbox saved the page: the step is done with what was typed, which its report says.
pub(super) fn saved(state: &mut State, result: Result<ConsolePage, String>) -> Vec<Cmd> {
    let page = match result {
        Ok(page) => page,
        Err(e) => {
            if let Some(form) = state.console_form.as_mut() {
                form.error = Some(format!("The sandbox did not save the page: {e}"));
            }
            return Vec::new();
        }
    };
    let step = page.step();
    close(state);
    let mut lines = vec!["Saved in the sandbox's Identity Center, as typed:".to_string()];
    lines.extend(page_lines(&page));
    lines.push(
        "i What was typed is what its Identity Center sends from now on: verification ends by signing someone in with it."
            .to_string(),
    );
    report(state, step, true, lines);
    state.refresh_bases();
    let basis = state.current_basis(step).cloned();
    record(state, step, StepStatus::Done, basis);
    vec![Cmd::Save]
}

fn close(state: &mut State) {
    state.console_form = None;
    state.overlay = Overlay::None;
}

/// What a page holds, a line each.
fn page_lines(page: &ConsolePage) -> Vec<String> {
    let shown = |v: &str| match v.trim() {
        "" => "(empty)".to_string(),
        v => v.to_string(),
    };
    match page {
        ConsolePage::Metadata { acs_url, audience } => vec![
            format!("  Application ACS URL: {}", shown(acs_url)),
            format!("  Application SAML audience: {}", shown(audience)),
        ],
        ConsolePage::Properties { relay_state } => {
            vec![format!("  Relay state: {}", shown(relay_state))]
        }
        ConsolePage::Mappings {
            subject,
            attributes,
        } => {
            let mut lines = vec![format!(
                "  Subject → {} ({})",
                shown(&subject.value),
                subject.format
            )];
            for (name, m) in attributes.iter().filter(|(n, _)| !n.trim().is_empty()) {
                lines.push(format!(
                    "  {} → {} ({})",
                    name.trim(),
                    shown(&m.value),
                    m.format
                ));
            }
            lines
        }
    }
}
