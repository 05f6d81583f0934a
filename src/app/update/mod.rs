//! `update`: the only place the wizard's state changes.

use super::{
    Busy, Cmd, Done, Focus, Key, Mode, Msg, Overlay, START, State, StepReport, StepStatus,
    screen_count,
};
use crate::cloud::CUSTOM_SAML_PROVIDER;
use crate::cloud::apply::instance_problem;
use crate::cloud::doctor::Verdict;
use crate::cloud::ensure::Change;
use crate::domain::metadata::format_date;
use crate::domain::policy::pretty;
use crate::steps::{Input, StepKind};

/// Applies one message; returns the work to start.
pub fn update(state: &mut State, msg: Msg) -> Vec<Cmd> {
    match msg {
        Msg::Resize(w, h) => {
            state.width = w;
            state.height = h;
            Vec::new()
        }
        Msg::Tick => {
            if let Some(b) = &mut state.busy {
                b.frame = b.frame.wrapping_add(1);
            }
            Vec::new()
        }
        Msg::Key(key) => on_key(state, key),
        Msg::Paste(text) => on_paste(state, &text),
        Msg::Done(done) => {
            let mut cmds = on_done(state, done);
            cmds.push(Cmd::Save);
            cmds
        }
    }
}

/// The work to start when the wizard opens: who am I, and a metadata file already named.
pub fn init(state: &mut State) -> Vec<Cmd> {
    let mut cmds = Vec::new();
    if state.mode.is_live() {
        cmds.push(Cmd::LoadContexts);
    }
    let path = state.field(Input::Metadata).value.trim().to_string();
    if !path.is_empty() && state.metadata.is_none() {
        cmds.push(Cmd::LoadMetadata { path });
    }
    cmds
}

/// Answers-file keys of the domain's validation errors, mapped to the wizard's fields.
fn input_of_key(key: &str) -> Option<Input> {
    Some(match key {
        "instance_arn" | "instance_id" => Input::Instance,
        "app_name" => Input::AppName,
        "app_description" => Input::AppDescription,
        "provider_name" => Input::ProviderName,
        "policy_name" => Input::PolicyName,
        "role_name" => Input::RoleName,
        "sign_in_endpoint" => Input::SignInEndpoint,
        _ => return None,
    })
}

/// Validates every field with the domain's rules and stores the messages under the fields.
pub fn validate(state: &mut State) {
    for f in &mut state.fields {
        if f.input != Input::Metadata {
            f.error = None;
        }
    }
    if let Err(errors) = state.setup() {
        for e in errors {
            if let Some(input) = input_of_key(e.key) {
                state.field_mut(input).error = Some(e.error.to_string());
            }
        }
    }
}

/// Whether the current screen's answers allow going forward.
fn screen_is_valid(state: &State) -> bool {
    state
        .screen_fields()
        .iter()
        .all(|f| f.error.is_none() || f.input == Input::Metadata)
}

fn go_to(state: &mut State, screen: usize) {
    state.screen = screen.min(screen_count() - 1);
    state.scroll = 0;
    state.overlay = Overlay::None;
    // A step not started yet lands in its first empty field; otherwise on the values, so
    // action keys act instead of typing into a field.
    let started = state
        .step()
        .is_some_and(|s| state.status(s.id) != StepStatus::NotStarted);
    let first_empty = state
        .screen_fields()
        .iter()
        .position(|f| f.value.trim().is_empty())
        .filter(|_| !started);
    state.focus = match first_empty {
        Some(i) => Focus::Field(i),
        None => Focus::Values(0),
    };
}

fn next_screen(state: &mut State) -> Vec<Cmd> {
    validate(state);
    if !screen_is_valid(state) {
        state.flash = Some("Fix the highlighted answer before going on".to_string());
        // Put the cursor where the problem is.
        if let Some(i) = state.screen_fields().iter().position(|f| f.error.is_some()) {
            state.focus = Focus::Field(i);
        }
        return Vec::new();
    }
    if state.screen + 1 < screen_count() {
        go_to(state, state.screen + 1);
    }
    vec![Cmd::Save]
}

fn previous_screen(state: &mut State) -> Vec<Cmd> {
    // Going back never loses or blocks on what was typed.
    if state.screen > START {
        go_to(state, state.screen - 1);
    }
    vec![Cmd::Save]
}

/// The values of the current screen that can be copied: (label, value).
pub fn screen_values(state: &State) -> Vec<(String, String)> {
    let Some(step) = state.step() else {
        return Vec::new();
    };
    let Some(plan) = state.plan() else {
        return Vec::new();
    };
    let Some(ps) = plan.steps.iter().find(|s| s.id == step.id) else {
        return Vec::new();
    };
    let mut out: Vec<(String, String)> = ps
        .values
        .iter()
        .map(|v| (v.label.clone(), v.value.clone()))
        .collect();
    for d in &ps.documents {
        out.push((d.label.to_string(), pretty(&d.document)));
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
fn use_instance(state: &mut State, row: usize) -> Vec<Cmd> {
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

fn focus_count(state: &State) -> usize {
    state.screen_fields().len() + 1
}

fn focus_index(state: &State) -> usize {
    match state.focus {
        Focus::Field(i) => i,
        Focus::Values(_) => state.screen_fields().len(),
    }
}

fn set_focus_index(state: &mut State, i: usize) {
    let fields = state.screen_fields().len();
    state.focus = if i < fields {
        Focus::Field(i)
    } else {
        Focus::Values(0)
    };
}

fn on_key(state: &mut State, key: Key) -> Vec<Cmd> {
    state.flash = None;
    if key == Key::Ctrl('c') {
        if state.busy.is_some() {
            return vec![Cmd::Cancel];
        }
        state.quit = true;
        return vec![Cmd::Save];
    }
    if state.overlay == Overlay::Inspect {
        return inspect_key(state, key);
    }
    if let Overlay::Troubles { selected } = state.overlay {
        let last = crate::troubleshoot::TROUBLES.len() - 1;
        state.overlay = match key {
            Key::Up | Key::Char('k') => Overlay::Troubles {
                selected: selected.saturating_sub(1),
            },
            Key::Down | Key::Char('j') => Overlay::Troubles {
                selected: (selected + 1).min(last),
            },
            Key::Esc | Key::Enter | Key::Char('q') | Key::Char('t') | Key::F(1) => Overlay::None,
            _ => state.overlay,
        };
        return Vec::new();
    }
    if state.overlay != Overlay::None {
        if matches!(
            key,
            Key::Esc | Key::Char('?') | Key::Char('q') | Key::Char('s') | Key::F(1) | Key::Enter
        ) {
            state.overlay = Overlay::None;
        }
        return Vec::new();
    }
    match key {
        Key::F(1) => {
            state.overlay = Overlay::Help;
            return Vec::new();
        }
        Key::PageDown => return next_screen(state),
        Key::PageUp => return previous_screen(state),
        Key::Ctrl('d') => {
            state.scroll = state.scroll.saturating_add(5);
            return Vec::new();
        }
        Key::Ctrl('u') => {
            state.scroll = state.scroll.saturating_sub(5);
            return Vec::new();
        }
        Key::Tab => {
            let n = focus_count(state);
            let i = (focus_index(state) + 1) % n;
            leave_field(state);
            set_focus_index(state, i);
            return Vec::new();
        }
        Key::BackTab => {
            let n = focus_count(state);
            let i = (focus_index(state) + n - 1) % n;
            leave_field(state);
            set_focus_index(state, i);
            return Vec::new();
        }
        _ => {}
    }
    match state.focus {
        Focus::Field(i) => edit_field(state, i, key),
        Focus::Values(row) => command_key(state, row, key),
    }
}

/// Leaving a field validates it; leaving the metadata field loads the file.
fn leave_field(state: &mut State) -> Vec<Cmd> {
    let Focus::Field(i) = state.focus else {
        return Vec::new();
    };
    let Some(input) = state.screen_fields().get(i).map(|f| f.input) else {
        return Vec::new();
    };
    validate(state);
    let mut cmds = vec![Cmd::Save];
    if input == Input::Metadata {
        let path = state.field(input).value.trim().to_string();
        let loaded = state.metadata.as_ref().map(|m| m.summary.file.clone());
        if !path.is_empty() && loaded.as_deref() != Some(path.as_str()) {
            cmds.push(start(
                state,
                "2",
                "reading the metadata",
                Cmd::LoadMetadata { path },
            ));
        }
    }
    cmds
}

fn edit_field(state: &mut State, i: usize, key: Key) -> Vec<Cmd> {
    let Some(input) = state.screen_fields().get(i).map(|f| f.input) else {
        state.focus = Focus::Values(0);
        return Vec::new();
    };
    let field = state.field_mut(input);
    let len = field.value.chars().count();
    field.cursor = field.cursor.min(len);
    let byte = |s: &str, c: usize| s.char_indices().nth(c).map_or(s.len(), |(b, _)| b);
    match key {
        Key::Char(c) if !c.is_control() => {
            let at = byte(&field.value, field.cursor);
            field.value.insert(at, c);
            field.cursor += 1;
            field.error = None;
        }
        Key::Backspace if field.cursor > 0 => {
            let at = byte(&field.value, field.cursor - 1);
            field.value.remove(at);
            field.cursor -= 1;
            field.error = None;
        }
        Key::Delete if field.cursor < len => {
            let at = byte(&field.value, field.cursor);
            field.value.remove(at);
            field.error = None;
        }
        Key::Ctrl('k') => {
            let at = byte(&field.value, field.cursor);
            field.value.truncate(at);
        }
        Key::Left => field.cursor = field.cursor.saturating_sub(1),
        Key::Right => field.cursor = (field.cursor + 1).min(len),
        Key::Home | Key::Ctrl('a') => field.cursor = 0,
        Key::End | Key::Ctrl('e') => field.cursor = len,
        Key::Enter | Key::Down => {
            let cmds = leave_field(state);
            set_focus_index(state, i + 1);
            return cmds;
        }
        Key::Up => {
            let cmds = leave_field(state);
            set_focus_index(state, i.saturating_sub(1));
            return cmds;
        }
        Key::Esc => {
            let cmds = leave_field(state);
            state.focus = Focus::Values(0);
            return cmds;
        }
        _ => {}
    }
    Vec::new()
}

fn command_key(state: &mut State, row: usize, key: Key) -> Vec<Cmd> {
    let values = screen_values(state);
    match key {
        Key::Char('q') => {
            state.quit = true;
            vec![Cmd::Save]
        }
        Key::Char('?') => {
            state.overlay = Overlay::Help;
            Vec::new()
        }
        Key::Char('s') if state.screen == START && state.context_error.is_some() => {
            use_sandbox(state)
        }
        Key::Char('p') if state.screen == START && state.context_error.is_some() => {
            state.mode = Mode::PlanOnly;
            state.context_error = None;
            vec![Cmd::Save]
        }
        Key::Char('s') => {
            state.overlay = Overlay::Steps;
            Vec::new()
        }
        Key::Char('i') if state.step().is_some_and(|s| s.id == "verify") => {
            state.overlay = Overlay::Inspect;
            Vec::new()
        }
        Key::Char('t') => {
            let detected = detected_troubles(state);
            let selected = crate::troubleshoot::TROUBLES
                .iter()
                .position(|t| detected.contains(&t.id))
                .unwrap_or(0);
            state.overlay = Overlay::Troubles { selected };
            Vec::new()
        }
        Key::Char('n') | Key::Right => next_screen(state),
        Key::Enter if state.screen == START => next_screen(state),
        Key::Char('b') | Key::Left => previous_screen(state),
        Key::Up => {
            state.focus = Focus::Values(row.saturating_sub(1));
            Vec::new()
        }
        Key::Down => {
            let last = values.len().saturating_sub(1);
            state.focus = Focus::Values((row + 1).min(last));
            Vec::new()
        }
        Key::Char('c') | Key::Enter => copy(state, &values, row),
        Key::Char(d @ '1'..='9') => {
            let i = d as usize - '1' as usize;
            state.focus = Focus::Values(i.min(values.len().saturating_sub(1)));
            copy(state, &values, i)
        }
        Key::Char('r') => primary_action(state),
        Key::Char('u') if state.step().is_some_and(|s| s.id == "prerequisites") => {
            use_instance(state, row)
        }
        Key::Char('d') => mark_done(state),
        Key::Char('x') => {
            if let Some(step) = state.step() {
                state.statuses.insert(step.id, StepStatus::Skipped);
            }
            vec![Cmd::Save]
        }
        _ => Vec::new(),
    }
}

fn use_sandbox(state: &mut State) -> Vec<Cmd> {
    state.mode = Mode::Sandbox;
    state.context_error = None;
    if state.field(Input::Instance).value.trim().is_empty() {
        let f = state.field_mut(Input::Instance);
        f.value = crate::cloud::sandbox::SANDBOX_INSTANCE_ARN.to_string();
        f.cursor = f.value.chars().count();
    }
    vec![Cmd::UseSandbox, Cmd::LoadContexts, Cmd::Save]
}

fn copy(state: &mut State, values: &[(String, String)], row: usize) -> Vec<Cmd> {
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

/// Marks a step as running and returns its command; refuses while another runs.
fn start(state: &mut State, step: &'static str, label: &str, cmd: Cmd) -> Cmd {
    state.busy = Some(Busy {
        step,
        label: label.to_string(),
        frame: 0,
    });
    state.statuses.insert(step, StepStatus::InProgress);
    cmd
}

fn need(state: &mut State, what: &str) -> Vec<Cmd> {
    state.flash = Some(what.to_string());
    Vec::new()
}

/// RUN for automated steps, CHECK for what can be verified.
fn primary_action(state: &mut State) -> Vec<Cmd> {
    let Some(step) = state.step() else {
        return next_screen(state);
    };
    if state.busy.is_some() {
        return need(
            state,
            "An action is running: wait for it, or press Ctrl-C to cancel it",
        );
    }
    if !state.mode.is_live() && step.id != "2" {
        return need(
            state,
            "Plan-only mode: nothing runs against AWS. Do this step in the console with the values shown, then press d",
        );
    }
    validate(state);
    let setup = match state.setup() {
        Ok(s) => s,
        Err(errors) => {
            let first = errors.first().map(ToString::to_string).unwrap_or_default();
            return need(state, &format!("The answers are not complete: {first}"));
        }
    };
    let cmd = match step.id {
        "prerequisites" => {
            let id = setup.instance.id.to_string();
            start(
                state,
                step.id,
                "connect:DescribeInstance",
                Cmd::CheckInstance { instance_id: id },
            )
        }
        "1" => start(
            state,
            step.id,
            "sso:ListApplications",
            Cmd::FindApplication {
                name: setup.app_name.to_string(),
            },
        ),
        "2" => {
            let path = state.field(Input::Metadata).value.trim().to_string();
            if path.is_empty() {
                return need(state, "Type the path of the metadata file first");
            }
            start(
                state,
                step.id,
                "reading the metadata",
                Cmd::LoadMetadata { path },
            )
        }
        "6a" => {
            let Some(m) = &state.metadata else {
                return need(state, "Load the metadata file in step 2 first");
            };
            let document = m.document.clone();
            start(
                state,
                step.id,
                "iam:GetSAMLProvider",
                Cmd::Ensure6a {
                    setup: Box::new(setup),
                    document,
                },
            )
        }
        "6b" => start(
            state,
            step.id,
            "iam:GetPolicy",
            Cmd::Ensure6b {
                setup: Box::new(setup),
            },
        ),
        "6c" => start(
            state,
            step.id,
            "iam:GetRole",
            Cmd::Ensure6c {
                setup: Box::new(setup),
            },
        ),
        "11" => {
            let users = state.answers().users.unwrap_or_default();
            if users.is_empty() {
                return need(state, "Type at least one user name or email to assign");
            }
            let Some(identity_store_id) = state.identity_store_id.clone() else {
                return need(
                    state,
                    "No IAM Identity Center instance is known yet: check the start screen",
                );
            };
            let apps = matching_applications(state);
            let [app] = apps.as_slice() else {
                return need(
                    state,
                    "Step 1's application must be found exactly once first: run its check (r on step 1)",
                );
            };
            let application_arn = app.clone();
            start(
                state,
                step.id,
                "sso:CreateApplicationAssignment",
                Cmd::AssignUsers {
                    setup: Box::new(setup),
                    application_arn,
                    identity_store_id,
                    users,
                },
            )
        }
        "verify" => {
            let document = state.metadata.as_ref().map(|m| m.document.clone());
            let users = state.answers().users.unwrap_or_default();
            start(
                state,
                step.id,
                "checking every step",
                Cmd::Verify {
                    setup: Box::new(setup),
                    document,
                    users,
                },
            )
        }
        _ => {
            return need(
                state,
                "This step has nothing to run: press d when you have done it",
            );
        }
    };
    vec![cmd, Cmd::Save]
}

fn matching_applications(state: &State) -> Vec<String> {
    let name = state.answers().app_name.unwrap_or_default();
    state
        .applications
        .iter()
        .filter(|a| a.provider_arn == CUSTOM_SAML_PROVIDER && a.name == name)
        .map(|a| a.arn.clone())
        .collect()
}

/// I'VE DONE THIS for manual steps; in live modes step 1 is then checked.
fn mark_done(state: &mut State) -> Vec<Cmd> {
    let Some(step) = state.step() else {
        return Vec::new();
    };
    if step.kind != StepKind::Manual {
        return need(state, "This step is run by connect-sso: press r");
    }
    state.statuses.insert(step.id, StepStatus::Done);
    let mut cmds = vec![Cmd::Save];
    if step.id == "1"
        && state.mode.is_live()
        && let Ok(setup) = state.setup()
    {
        let name = setup.app_name.to_string();
        if state.mode == Mode::Sandbox && matching_applications(state).is_empty() {
            cmds.push(Cmd::SimulateApplication { name: name.clone() });
        }
        cmds.push(start(
            state,
            "1",
            "sso:ListApplications",
            Cmd::FindApplication { name },
        ));
    }
    cmds
}

fn report_lines(state: &mut State, ok: bool, lines: Vec<String>) {
    report(state, "verify", ok, lines);
    finish(
        state,
        "verify",
        if ok {
            StepStatus::Verified
        } else {
            StepStatus::Failed
        },
    );
}

fn report(state: &mut State, step: &'static str, ok: bool, lines: Vec<String>) {
    state.reports.insert(step, StepReport { ok, lines });
}

fn finish(state: &mut State, step: &'static str, status: StepStatus) {
    state.busy = None;
    state.statuses.insert(step, status);
}

fn on_done(state: &mut State, done: Done) -> Vec<Cmd> {
    match done {
        Done::Contexts(Ok((contexts, instances, identity_store_id))) => {
            state.contexts = Some(contexts);
            state.context_error = None;
            state.identity_store_id = identity_store_id;
            let saml: Vec<_> = instances
                .iter()
                .filter(|i| i.identity_management_type == "SAML")
                .collect();
            if state.field(Input::Instance).value.trim().is_empty()
                && let [only] = saml.as_slice()
            {
                let arn = only.arn.clone();
                let f = state.field_mut(Input::Instance);
                f.cursor = arn.chars().count();
                f.value = arn;
            }
            state.instances = instances;
        }
        Done::Contexts(Err(message)) => state.context_error = Some(message),
        Done::Instance(Ok(instance)) => {
            let alias = instance
                .alias
                .clone()
                .unwrap_or_else(|| instance.id.clone());
            match instance_problem(&instance) {
                None => {
                    report(
                        state,
                        "prerequisites",
                        true,
                        vec![format!(
                            "Instance {alias} is ACTIVE and uses SAML 2.0 identity management."
                        )],
                    );
                    finish(state, "prerequisites", StepStatus::Verified);
                }
                Some(problem) => {
                    report(state, "prerequisites", false, vec![problem]);
                    finish(state, "prerequisites", StepStatus::Failed);
                }
            }
        }
        Done::Instance(Err(message)) => {
            report(state, "prerequisites", false, vec![message]);
            finish(state, "prerequisites", StepStatus::Failed);
        }
        Done::Applications(Ok(applications)) => {
            state.applications = applications;
            let found = matching_applications(state);
            let name = state.answers().app_name.unwrap_or_default();
            let (status, ok, lines) = match found.as_slice() {
                [] => (
                    StepStatus::NotStarted,
                    false,
                    vec![format!(
                        "No custom SAML 2.0 application named \"{name}\" yet: create it in the Identity Center console, then press d."
                    )],
                ),
                [one] => (StepStatus::Verified, true, vec![format!("Found: {one}")]),
                many => (
                    StepStatus::Done,
                    false,
                    vec![format!(
                        "{} applications are named \"{name}\": rename all but one so users can tell the tiles apart.",
                        many.len()
                    )],
                ),
            };
            report(state, "1", ok, lines);
            finish(state, "1", status);
        }
        Done::Applications(Err(message)) => {
            report(state, "1", false, vec![message]);
            finish(state, "1", StepStatus::Failed);
        }
        Done::Metadata(Ok(loaded)) => {
            let mut lines = vec![format!("Entity id: {}", loaded.summary.entity_id)];
            for c in &loaded.summary.certificates {
                lines.push(format!(
                    "Certificate {} {} bits, SHA-256 {}, valid until {}",
                    c.key_algorithm,
                    c.key_bits,
                    c.sha256_fingerprint,
                    format_date(&c.not_after)
                ));
            }
            lines.extend(
                loaded
                    .summary
                    .warnings
                    .iter()
                    .map(|w| format!("warning: {w}")),
            );
            state.field_mut(Input::Metadata).error = None;
            state.metadata = Some(loaded);
            report(state, "2", true, lines);
            finish(state, "2", StepStatus::Verified);
        }
        Done::Metadata(Err(message)) => {
            state.field_mut(Input::Metadata).error = Some(message.clone());
            state.metadata = None;
            report(state, "2", false, vec![message]);
            finish(state, "2", StepStatus::Failed);
        }
        Done::Ensured { step, result } => match result {
            Ok(outcome) => {
                let mut lines = vec![format!(
                    "{} {}: {}",
                    outcome.resource,
                    outcome.change.label(),
                    outcome.arn
                )];
                lines.extend(outcome.details.iter().cloned());
                lines.extend(outcome.warnings.iter().map(|w| format!("warning: {w}")));
                let status = if outcome.change == Change::Unchanged {
                    StepStatus::Verified
                } else {
                    StepStatus::Done
                };
                report(state, step, true, lines);
                state.outcomes.insert(step, outcome);
                finish(state, step, status);
            }
            Err(message) => {
                report(state, step, false, vec![message]);
                finish(state, step, StepStatus::Failed);
            }
        },
        Done::Users(Ok(users)) => {
            let mut lines = Vec::new();
            let mut ok = true;
            for u in &users {
                let assignment = u.assignment.map_or("not assigned", Change::label);
                let connect = match u.connect_user {
                    Some(c) => c.label(),
                    None => "missing",
                };
                lines.push(format!(
                    "{}: assignment {assignment}; Connect user {} {connect}",
                    u.requested,
                    u.connect_username.as_deref().unwrap_or("?")
                ));
                for p in &u.problems {
                    ok = false;
                    lines.push(format!("  problem: {p}"));
                }
            }
            state.users = users;
            report(state, "11", ok, lines);
            finish(
                state,
                "11",
                if ok {
                    StepStatus::Done
                } else {
                    StepStatus::Failed
                },
            );
        }
        Done::Users(Err(message)) => {
            report(state, "11", false, vec![message]);
            finish(state, "11", StepStatus::Failed);
        }
        Done::Verified(report) => {
            let mut lines = Vec::new();
            for c in &report.checks {
                let mut head = format!("{} {}", c.verdict.symbol(), c.title());
                if c.id == "user" {
                    head.push_str(&format!(" {}", c.subject));
                }
                // A pass shows its main fact; anything worse shows them all, and the fix.
                let mut evidence = c.evidence.iter();
                if c.verdict != Verdict::Info
                    && let Some(first) = evidence.next()
                {
                    head.push_str(&format!(": {first}"));
                }
                lines.push(head);
                if c.verdict > Verdict::Info {
                    lines.extend(evidence.map(|e| format!("    {e}")));
                    if let Some(fix) = &c.fix {
                        lines.push(format!("    fix: {fix}"));
                    }
                }
            }
            if let Some(url) = &report.access_portal_url {
                lines.push(format!(
                    "i Start the sign-in at {url}, then choose the application's tile"
                ));
            }
            if !report.passed(false) {
                lines.push(
                    "i Press t for the troubleshooting list: what these checks explain is marked"
                        .to_string(),
                );
            }
            let ok = report.passed(false);
            state.doctor = Some(*report);
            report_lines(state, ok, lines);
        }
        // Checked text that was since changed or cleared: its result is for something else.
        Done::Inspected { text, .. } if text != state.assertion_text => {}
        Done::Inspected { result, .. } => {
            state.flash = Some(match &result {
                Ok(r) if r.failed() => format!(
                    "This response cannot sign in: {} finding(s) failed",
                    r.summary.fail
                ),
                Ok(_) => "Nothing in this response blocks sign-in".to_string(),
                Err(_) => "The text is not a SAML response".to_string(),
            });
            state.inspection = Some(result);
        }
        Done::Copied { label, result } => {
            state.flash = Some(match result {
                Ok(how) => format!("Copied {label} ({how})"),
                Err(e) => format!("Could not copy {label}: {e}. Select it on screen instead"),
            });
            return Vec::new();
        }
        Done::Saved(Ok(())) => return Vec::new(),
        Done::Saved(Err(e)) => {
            state.flash = Some(format!("The session could not be saved: {e}"));
            return Vec::new();
        }
        Done::Cancelled => {
            if let Some(b) = state.busy.take() {
                state.statuses.insert(b.step, StepStatus::NotStarted);
                report(state, b.step, false, vec!["Cancelled.".to_string()]);
            }
        }
    }
    Vec::new()
}

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

/// A SAMLResponse copied from a browser is a few kilobytes; more is not a response.
const MAX_PASTE: usize = 512 * 1024;

/// Pasted text goes whole to the SAMLResponse box, or into the focused field.
fn on_paste(state: &mut State, text: &str) -> Vec<Cmd> {
    if state.overlay == Overlay::Inspect {
        if state.assertion_text.len() + text.len() > MAX_PASTE {
            state.flash = Some(format!(
                "That is more than {} KiB, too much for a SAMLResponse: copy only the SAMLResponse form value",
                MAX_PASTE / 1024
            ));
        } else {
            state.assertion_text.push_str(text);
            state.inspection = None;
        }
        return Vec::new();
    }
    match state.focus {
        Focus::Field(i) if state.overlay == Overlay::None => {
            // Line breaks and other control characters would end up in an AWS name.
            let mut cmds = Vec::new();
            for c in text.trim().chars().filter(|c| !c.is_control()) {
                cmds.extend(edit_field(state, i, Key::Char(c)));
            }
            cmds
        }
        _ => need(
            state,
            "Paste into a field (Tab to reach one), or press i on the verification screen to paste a SAML response",
        ),
    }
}

/// Keys of the SAMLResponse box: typing also works, for short tests by hand.
fn inspect_key(state: &mut State, key: Key) -> Vec<Cmd> {
    match key {
        Key::Esc | Key::F(1) => state.overlay = Overlay::None,
        Key::Ctrl('u') => {
            state.assertion_text.clear();
            state.inspection = None;
        }
        Key::Backspace => {
            state.assertion_text.pop();
            state.inspection = None;
        }
        Key::Char(c) if state.assertion_text.len() < MAX_PASTE => {
            state.assertion_text.push(c);
            state.inspection = None;
        }
        Key::Enter => return start_inspection(state),
        _ => {}
    }
    Vec::new()
}

fn start_inspection(state: &mut State) -> Vec<Cmd> {
    if state.assertion_text.trim().is_empty() {
        return need(
            state,
            "Paste the SAMLResponse first (the form value of the POST to the AWS sign-in page)",
        );
    }
    let setup = match state.setup() {
        Ok(s) => s,
        Err(_) => {
            return need(
                state,
                "Some answers are not valid yet: fix them on their steps, then check the response",
            );
        }
    };
    state.flash = Some("Checking the SAML response…".to_string());
    vec![Cmd::Inspect {
        setup: Box::new(setup),
        text: state.assertion_text.clone(),
        metadata: state.metadata.as_ref().map(|m| m.document.clone()),
        live: state.mode.is_live(),
    }]
}

/// Troubleshooting entries that the last verification's failed or warned checks explain.
pub fn detected_troubles(state: &State) -> Vec<&'static str> {
    let mut out = Vec::new();
    for c in state.doctor.iter().flat_map(|d| &d.checks) {
        if c.verdict >= Verdict::Warn {
            for t in &c.troubles {
                if !out.contains(t) {
                    out.push(*t);
                }
            }
        }
    }
    out
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
