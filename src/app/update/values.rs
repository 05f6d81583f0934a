//! The values a screen shows to copy (the plan's values and documents, the instances to
//! pick from), copying one, and picking an instance.

use super::super::{Cmd, State, StepStatus};
use super::fields::validate;
use super::need;
use crate::domain::policy::pretty;
use crate::steps::Input;

/// The values of the current screen that can be copied: (label, value).
pub fn screen_values(state: &State) -> Vec<(String, String)> {
    let Some(step) = state.step() else {
        return Vec::new();
    };
    let Some(plan) = state.plan() else {
        // The instances stay listed while the typed ARN is wrong: picking one fixes it.
        return match step.id {
            "prerequisites" => instance_rows(state),
            _ => Vec::new(),
        };
    };
    let Some(ps) = plan.steps.iter().find(|s| s.id == step.id) else {
        return Vec::new();
    };
    // Until a file is loaded, step 2's field asks for it; the plan's placeholder row speaks
    // to the command line (`--metadata`), not to the wizard.
    let mut out: Vec<(String, String)> = ps
        .values
        .iter()
        .filter(|v| !(step.id == "2" && v.placeholder))
        .map(|v| (v.label.clone(), v.value.clone()))
        .collect();
    for d in &ps.documents {
        out.push((d.label.to_string(), pretty(&d.document)));
    }
    // Step 10's attribute names are typed into the console too: copyable as well.
    if step.id == "10"
        && let Ok(setup) = state.setup()
    {
        for m in setup.attribute_mappings() {
            if let Some(short) = m
                .attribute
                .strip_prefix("https://aws.amazon.com/SAML/Attributes/")
            {
                out.push((format!("Attribute name {short}"), m.attribute.to_string()));
            }
        }
    }
    if step.id == "prerequisites" {
        out.extend(instance_rows(state));
    }
    out
}

/// The Connect instances the connect context sees, as rows to copy or pick (`u`).
fn instance_rows(state: &State) -> Vec<(String, String)> {
    state
        .instances
        .iter()
        .map(|i| {
            let alias = i.alias.as_deref().unwrap_or(&i.id);
            (
                format!(
                    "Instance {alias} ({}, {})",
                    i.identity_management_type, i.status
                ),
                i.arn.clone(),
            )
        })
        .collect()
}

/// `u` on the prerequisites screen: use the selected instance row.
pub(super) fn use_instance(state: &mut State, row: usize) -> Vec<Cmd> {
    let values = screen_values(state);
    let first = values.len() - instance_rows(state).len();
    let Some((_, arn)) = values.get(row).filter(|_| row >= first) else {
        return need(
            state,
            "Select one of the instances listed (↑↓), then press u",
        );
    };
    let arn = arn.clone();
    let f = state.field_mut(Input::Instance);
    f.cursor = arn.chars().count();
    f.value = arn;
    f.error = None;
    state
        .statuses
        .insert("prerequisites", StepStatus::NotStarted);
    state.reports.remove("prerequisites");
    state.flash = Some("Instance selected: press r to check it".to_string());
    validate(state);
    vec![Cmd::Save]
}

/// `v`: the selected value alone, for copying with the mouse.
pub(super) fn show_raw(state: &mut State, values: &[(String, String)], row: usize) -> Vec<Cmd> {
    match values.get(row) {
        Some((label, value)) => vec![Cmd::ShowRaw {
            label: label.clone(),
            value: value.clone(),
        }],
        None => need(state, "Nothing to show on this screen"),
    }
}

pub(super) fn copy(state: &mut State, values: &[(String, String)], row: usize) -> Vec<Cmd> {
    match values.get(row) {
        Some((label, value)) => vec![Cmd::Copy {
            label: label.clone(),
            value: value.clone(),
        }],
        None => {
            state.flash = Some("Nothing to copy on this screen".to_string());
            Vec::new()
        }
    }
}
