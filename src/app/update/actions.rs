//! The screen's actions: RUN or CHECK a step (`r`), I'VE DONE THIS (`d`), and switching to
//! the sandbox from the start screen.

use super::super::{Cmd, Mode, State, StepStatus};
use super::fields::validate;
use super::navigation::next_screen;
use super::{need, record, start};
use crate::cloud::CUSTOM_SAML_PROVIDER;
use crate::cloud::sandbox::CONSOLE_PAGE_STEPS;
use crate::domain::setup::Setup;
use crate::steps::{Input, StepKind};

pub(super) fn use_sandbox(state: &mut State) -> Vec<Cmd> {
    state.mode = Mode::Sandbox;
    state.context_error = None;
    if state.field(Input::Instance).value.trim().is_empty() {
        let f = state.field_mut(Input::Instance);
        f.value = crate::cloud::sandbox::SANDBOX_INSTANCE_ARN.to_string();
        f.cursor = f.value.chars().count();
    }
    vec![Cmd::UseSandbox, Cmd::LoadContexts, Cmd::Save]
}

/// What every action needs first: nothing else running, and answers that make a setup.
/// `Err` is the message already shown.
fn ready_setup(state: &mut State) -> Result<Setup, Vec<Cmd>> {
    if state.busy.is_some() {
        return Err(need(
            state,
            "An action is running: wait for it, or press Ctrl-C to cancel it",
        ));
    }
    validate(state);
    state.setup().map_err(|errors| {
        let first = errors.first().map(ToString::to_string).unwrap_or_default();
        need(state, &format!("The answers are not complete: {first}"))
    })
}

/// RUN for automated steps, CHECK for what can be verified.
pub(super) fn primary_action(state: &mut State) -> Vec<Cmd> {
    let Some(step) = state.step() else {
        return next_screen(state);
    };
    if !state.mode.is_live() && step.id != "2" {
        return need(
            state,
            "Plan-only mode: nothing runs against AWS. Do this step in the console with the values shown, then press d",
        );
    }
    let setup = match ready_setup(state) {
        Ok(setup) => setup,
        Err(cmds) => return cmds,
    };
    if super::console::runs(state, step.id) {
        let cmd = Cmd::ConsoleSteps {
            setup: Box::new(setup),
        };
        return vec![
            start(state, step.id, "the console API (steps 1, 2, 3-5, 10)", cmd),
            Cmd::Save,
        ];
    }
    match step_command(state, step.id, setup) {
        Ok((label, cmd)) => vec![start(state, step.id, label, cmd), Cmd::Save],
        Err(what) => need(state, what),
    }
}

/// The command that runs or checks step `id`, with the label shown while it runs; `Err`
/// says what is missing first.
fn step_command(
    state: &State,
    id: &str,
    setup: Setup,
) -> Result<(&'static str, Cmd), &'static str> {
    Ok(match id {
        "prerequisites" => (
            "connect:DescribeInstance",
            Cmd::CheckInstance {
                instance_id: setup.instance.id.to_string(),
            },
        ),
        "1" => (
            "sso:ListApplications",
            Cmd::FindApplication {
                name: setup.app_name.to_string(),
            },
        ),
        "2" => {
            let path = state.field(Input::Metadata).value.trim().to_string();
            if path.is_empty() {
                return Err("Type the path of the metadata file first");
            }
            ("reading the metadata", Cmd::LoadMetadata { path })
        }
        "6a" => {
            let Some(m) = &state.metadata else {
                return Err("Load the metadata file in step 2 first");
            };
            let document = m.document.clone();
            (
                "iam:GetSAMLProvider",
                Cmd::Ensure6a {
                    setup: Box::new(setup),
                    document,
                },
            )
        }
        "6b" => (
            "iam:GetPolicy",
            Cmd::Ensure6b {
                setup: Box::new(setup),
            },
        ),
        "6c" => (
            "iam:GetRole",
            Cmd::Ensure6c {
                setup: Box::new(setup),
            },
        ),
        "11" => (
            "sso:CreateApplicationAssignment",
            assign_users(state, setup, None)?,
        ),
        "verify" => {
            let document = state.metadata.as_ref().map(|m| m.document.clone());
            let answers = state.answers();
            (
                "checking every step",
                Cmd::Verify {
                    setup: Box::new(setup),
                    document,
                    users: answers.users.unwrap_or_default(),
                    groups: answers.groups.unwrap_or_default(),
                },
            )
        }
        _ => return Err("This step has nothing to run: press d when you have done it"),
    })
}

/// `a` on step 11: assign, and create the Connect users that are missing. The profiles
/// they get are picked first from the instance's lists, opened on the current answers.
pub(super) fn assign_and_create(state: &mut State) -> Vec<Cmd> {
    let setup = match ready_setup(state) {
        Ok(setup) => setup,
        Err(cmds) => return cmds,
    };
    if let Err(what) = assign_users(state, setup, None) {
        return need(state, what);
    }
    super::picker::open_profiles(state, crate::app::picker::Pick::SecurityProfile)
}

/// After the profile pickers: assign, and create the missing Connect users with the
/// profiles now in the answers.
pub(super) fn create_with_profiles(state: &mut State) -> Vec<Cmd> {
    let setup = match ready_setup(state) {
        Ok(setup) => setup,
        Err(cmds) => return cmds,
    };
    let template = Some(crate::cloud::ensure::ConnectUserTemplate::from_answers(
        &state.answers(),
    ));
    match assign_users(state, setup, template) {
        Ok(cmd) => vec![
            start(
                state,
                "11",
                "sso:CreateApplicationAssignment, connect:CreateUser",
                cmd,
            ),
            Cmd::Save,
        ],
        Err(what) => need(state, what),
    }
}

/// Step 11's command: the users typed, assigned to step 1's application.
fn assign_users(
    state: &State,
    setup: Setup,
    create_connect_users: Option<crate::cloud::ensure::ConnectUserTemplate>,
) -> Result<Cmd, &'static str> {
    let users = state.answers().users.unwrap_or_default();
    let groups = state.answers().groups.unwrap_or_default();
    if users.is_empty() && groups.is_empty() {
        return Err(
            "Name at least one user or group to assign: p and g pick them from Identity Center",
        );
    }
    let Some(identity_store_id) = state.identity_store_id.clone() else {
        return Err("No IAM Identity Center instance is known yet: check the start screen");
    };
    let apps = matching_applications(state);
    let [app] = apps.as_slice() else {
        return Err(
            "Step 1's application must be found exactly once first: run its check (r on step 1)",
        );
    };
    let application_arn = app.clone();
    Ok(Cmd::AssignUsers {
        setup: Box::new(setup),
        application_arn,
        identity_store_id,
        users,
        groups,
        create_connect_users,
    })
}

/// The custom SAML applications with the effective display name: the one typed, or the
/// default an empty answer stands for (the name step 1 shows and the sandbox creates).
pub(super) fn matching_applications(state: &State) -> Vec<String> {
    let Ok(setup) = state.setup() else {
        return Vec::new();
    };
    let name = setup.app_name.as_str();
    state
        .applications
        .iter()
        .filter(|a| a.provider_arn == CUSTOM_SAML_PROVIDER && a.name == name)
        .map(|a| a.arn.clone())
        .collect()
}

/// I'VE DONE THIS for manual steps; in live modes step 1 is then checked.
pub(super) fn mark_done(state: &mut State) -> Vec<Cmd> {
    let Some(step) = state.step() else {
        return Vec::new();
    };
    if step.kind != StepKind::Manual {
        return need(state, "This step is run by connect-sso: press r");
    }
    // Done means done with these answers: not with invalid ones, nor on a failed instance.
    validate(state);
    if let Err(errors) = state.setup() {
        let first = errors.first().map(ToString::to_string).unwrap_or_default();
        return need(
            state,
            &format!("Fix the answers before marking this step done: {first}"),
        );
    }
    if state.status("prerequisites") == StepStatus::Failed {
        return need(
            state,
            "The prerequisites check failed: fix the instance there first (its values are used here)",
        );
    }
    // The file is what step 2 is about: done with a file that fails its check it is not.
    if step.id == "2" && state.status("2") == StepStatus::Failed {
        return need(
            state,
            "The metadata file fails its check (see the result): download it again or fix the path, then r checks it",
        );
    }
    // On the sandbox the console pages are forms: the step is done once its page is saved.
    if state.mode == Mode::Sandbox && CONSOLE_PAGE_STEPS.contains(&step.id) {
        return super::console_form::open(state, step.id);
    }
    state.refresh_bases();
    let basis = state.current_basis(step.id).cloned();
    record(state, step.id, StepStatus::Done, basis);
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
