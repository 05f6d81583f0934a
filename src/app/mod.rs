//! The wizard's state machine, in the style of The Elm Architecture: terminal events become
//! `Msg`s, `update` changes the `State` and returns `Cmd`s, the effect runner turns each
//! `Cmd` into a task on the `Cloud` whose result comes back as `Msg::Done`. No terminal or
//! ratatui types here: keys arrive as `Key`.

mod basis;
pub mod console_form;
pub mod driver;
pub mod effects;
pub mod picker;
pub mod reach;
mod saved;
mod update;

pub use saved::{SESSION_FORMAT, Saved};

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::cloud::ensure::{Outcome, UserOutcome};
use crate::cloud::{Application, CallerIdentity, ConnectInstanceSummary};
use crate::domain::setup::{
    AnswerError, Answers, DEFAULT_ROUTING_PROFILE, DEFAULT_SECURITY_PROFILE, Setup,
};
use crate::plan::{MetadataSummary, Plan};
use crate::steps::{Input, STEPS, Step};

pub use update::{
    GLOBAL_KEYS, detected_troubles, init, screen_key_hints, screen_values, update, validate,
};

/// Where the wizard's actions go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// The built-in sandbox account: no credentials needed, nothing real changes.
    Sandbox,
    /// Real AWS through the SDK.
    Aws,
    /// Values and documents only, no live actions.
    PlanOnly,
}

impl Mode {
    pub fn label(self) -> &'static str {
        match self {
            Mode::Sandbox => "sandbox account",
            Mode::Aws => "AWS",
            Mode::PlanOnly => "plan only",
        }
    }

    pub fn is_live(self) -> bool {
        !matches!(self, Mode::PlanOnly)
    }
}

/// Progress of one step, shown in the step list with a symbol and a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    #[default]
    NotStarted,
    InProgress,
    /// Done by the admin (manual) or changed by the tool, not yet confirmed by a check.
    Done,
    /// Confirmed by a live check.
    Verified,
    Failed,
    Skipped,
    /// Had a result, but the answers it was computed from have changed since: run or check
    /// it again. Never stored: derived by [`State::status`].
    Stale,
}

impl StepStatus {
    /// Symbol and word: meaning never rests on colour alone.
    pub fn marker(self) -> (&'static str, &'static str) {
        match self {
            StepStatus::NotStarted => ("·", "to do"),
            StepStatus::InProgress => ("…", "running"),
            StepStatus::Done => ("✓", "done"),
            StepStatus::Verified => ("✔", "verified"),
            StepStatus::Failed => ("✗", "failed"),
            StepStatus::Skipped => ("-", "skipped"),
            StepStatus::Stale => ("↻", "stale"),
        }
    }
}

/// A key press, independent of the terminal library.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Char(char),
    /// Ctrl plus a letter.
    Ctrl(char),
    Enter,
    Tab,
    BackTab,
    Backspace,
    Delete,
    Left,
    Right,
    Up,
    Down,
    Home,
    End,
    PageUp,
    PageDown,
    Esc,
    F(u8),
}

/// One editable answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    pub input: Input,
    pub value: String,
    /// Cursor position in characters.
    #[serde(skip)]
    pub cursor: usize,
    /// Validation message, shown under the field.
    #[serde(skip)]
    pub error: Option<String>,
}

impl Field {
    pub fn label(&self) -> &'static str {
        field_label(self.input)
    }
}

pub fn field_label(input: Input) -> &'static str {
    match input {
        Input::Instance => "Connect instance ARN",
        Input::AppName => "Application display name",
        Input::AppDescription => "Description (optional)",
        Input::Metadata => "Metadata file or https URL",
        Input::ProviderName => "SAML provider name",
        Input::PolicyName => "Policy name",
        Input::RoleName => "Role name",
        Input::SignInEndpoint => "Sign-in endpoint (global or regional)",
        Input::Users => "Users to assign (user names or emails, comma-separated)",
        Input::Groups => "Groups to assign (display names or group ids, comma-separated)",
        Input::SecurityProfile => "Security profile of Connect users it creates",
        Input::RoutingProfile => "Routing profile of Connect users it creates",
    }
}

/// What has keyboard focus on a step screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    /// A text field of the screen, by its index in the screen's inputs.
    Field(usize),
    /// The list of values to copy, with the selected row.
    Values(usize),
}

/// Something shown over the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlay {
    None,
    /// The full key map.
    Help,
    /// The step list, to see every step's status and jump to one (`selected` is the screen
    /// Enter goes to).
    Steps {
        selected: usize,
    },
    /// The troubleshooting list; `selected` is the entry shown in full.
    Troubles {
        selected: usize,
    },
    /// The box where a captured SAMLResponse is pasted and checked.
    Inspect,
    /// Step 11's pickers (their state is [`State::picker`]).
    Picker,
    /// Step 11: asks before removing the assignments of people no longer in the answer
    /// ([`State::unrequested`]).
    ConfirmUnassign,
    /// Step 1's `o`: what the console API option does, before turning it on.
    ConfirmConsoleApi,
    /// On the sandbox, the console page of step 3-5, 7-9 or 10 as a form
    /// ([`State::console_form`]).
    ConsoleForm,
}

/// An action running right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Busy {
    pub step: &'static str,
    /// What is being called, e.g. "iam:CreateRole".
    pub label: String,
    /// Spinner frame.
    pub frame: usize,
    /// The step's basis when the action started: what its result is computed from.
    pub basis: Option<String>,
    /// The step's status and report before the action started, which a cancel puts back;
    /// `None` for an action that leaves the step's result alone (unassigning).
    pub previous: Option<(StepStatus, Option<StepReport>)>,
}

/// What the last action of a step found, as lines to show.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StepReport {
    pub ok: bool,
    pub lines: Vec<String>,
}

/// The two AWS contexts as `GetCallerIdentity` sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contexts {
    pub connect: CallerIdentity,
    pub identity: CallerIdentity,
}

/// The steps the console API option runs (`o` on step 1).
pub const CONSOLE_API_STEPS: [&str; 4] = ["1", "2", "3-5", "10"];

/// Screens: the start screen, then one per step of the catalogue.
pub const START: usize = 0;

pub fn screen_count() -> usize {
    STEPS.len() + 1
}

/// The whole state of the wizard. `draw` reads it; only `update` changes it.
#[derive(Debug, Clone)]
pub struct State {
    pub mode: Mode,
    pub session_name: String,
    pub screen: usize,
    pub fields: Vec<Field>,
    pub focus: Focus,
    pub statuses: BTreeMap<&'static str, StepStatus>,
    pub reports: BTreeMap<&'static str, StepReport>,
    /// The basis each step's status and report were computed from (see `basis`).
    pub bases: BTreeMap<&'static str, String>,
    /// Every step's basis for the answers as they are now; refreshed by `update`.
    current_bases: BTreeMap<&'static str, Option<String>>,
    pub busy: Option<Busy>,
    pub contexts: Option<Contexts>,
    /// Why the contexts could not be loaded (credentials), with the fix.
    pub context_error: Option<String>,
    pub instances: Vec<ConnectInstanceSummary>,
    pub metadata: Option<LoadedMetadata>,
    pub applications: Vec<Application>,
    pub identity_store_id: Option<String>,
    pub outcomes: BTreeMap<&'static str, Outcome>,
    pub users: Vec<UserOutcome>,
    /// Everyone step 1's application reached at step 11's last run.
    pub reach: Option<reach::Reach>,
    /// Steps 1, 2, 3-5 and 10 run through IAM Identity Center's console API (opt-in, `o`
    /// on step 1; the answers' `console_api`).
    pub console_api: bool,
    /// Assignments connect-sso made to step 1's application for people the answer no
    /// longer names, found by step 11's last run; `u` offers to remove them.
    pub unrequested: Vec<crate::ledger::LedgerEntry>,
    /// The last verification's checks, which also mark entries of the troubleshooting list.
    pub doctor: Option<crate::cloud::doctor::DoctorReport>,
    /// What was pasted into the SAMLResponse box, and what checking it found.
    pub assertion_text: String,
    pub inspection: Option<Result<Box<crate::cloud::inspect::InspectReport>, String>>,
    /// AWS's own verdict on the pasted response (`Ctrl-T` in the box): would it sign in.
    pub sign_in: Option<Result<Box<crate::cloud::sign_in::SignInReport>, String>>,
    /// A short message in the status line (copy confirmation, save errors).
    pub flash: Option<String>,
    /// Why the last save failed, so the same failure is reported once, not at every save.
    pub save_error: Option<String>,
    /// The stale steps already announced in the status line.
    announced_stale: Vec<&'static str>,
    /// Step 11's people picker, while it is open.
    pub picker: Option<picker::Picker>,
    /// The sandbox's console form, while it is open.
    pub console_form: Option<console_form::ConsoleForm>,
    pub overlay: Overlay,
    /// Scroll offset of the screen's documents.
    pub scroll: u16,
    pub width: u16,
    pub height: u16,
    pub quit: bool,
    /// The formula version of bases restored from an older session, until they are carried
    /// over to the current one (see `basis::carry_over`).
    basis_migration: Option<u32>,
    /// The workshop scenario whose own sandbox account this run works on
    /// (`--sandbox-scenario`); not saved: the session lives in the scenario's folder.
    pub scenario: Option<String>,
}

/// The metadata file as read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedMetadata {
    pub summary: MetadataSummary,
    pub document: String,
}

impl State {
    pub fn new(mode: Mode, session_name: &str, answers: &Answers) -> State {
        let value = |input: Input| -> String {
            match input {
                Input::Instance => answers.instance_as_arn(),
                Input::AppName => answers.app_name.clone(),
                Input::AppDescription => answers.app_description.clone(),
                Input::Metadata => answers.metadata.as_ref().map(|p| p.display().to_string()),
                Input::ProviderName => answers.provider_name.clone(),
                Input::PolicyName => answers.policy_name.clone(),
                Input::RoleName => answers.role_name.clone(),
                Input::SignInEndpoint => answers.sign_in_endpoint.clone(),
                Input::Users => answers.users.as_ref().map(|u| u.join(", ")),
                Input::Groups => answers.groups.as_ref().map(|g| g.join(", ")),
                Input::SecurityProfile => answers.security_profile.clone(),
                Input::RoutingProfile => answers.routing_profile.clone(),
            }
            .unwrap_or_default()
        };
        let mut fields: Vec<Field> = Vec::new();
        let inputs = STEPS
            .iter()
            .flat_map(|s| s.inputs.iter())
            .chain(crate::steps::PICKED_INPUTS);
        {
            for &input in inputs {
                if !fields.iter().any(|f| f.input == input) {
                    let v = value(input);
                    fields.push(Field {
                        input,
                        cursor: v.chars().count(),
                        value: v,
                        error: None,
                    });
                }
            }
        }
        let mut state = State {
            mode,
            session_name: session_name.to_string(),
            screen: START,
            fields,
            focus: Focus::Values(0),
            statuses: STEPS
                .iter()
                .map(|s| (s.id, StepStatus::NotStarted))
                .collect(),
            reports: BTreeMap::new(),
            bases: BTreeMap::new(),
            current_bases: BTreeMap::new(),
            busy: None,
            contexts: None,
            context_error: None,
            instances: Vec::new(),
            metadata: None,
            applications: Vec::new(),
            identity_store_id: None,
            outcomes: BTreeMap::new(),
            users: Vec::new(),
            reach: None,
            console_api: answers.console_api == Some(true),
            doctor: None,
            assertion_text: String::new(),
            inspection: None,
            sign_in: None,
            flash: None,
            save_error: None,
            announced_stale: Vec::new(),
            unrequested: Vec::new(),
            picker: None,
            console_form: None,
            overlay: Overlay::None,
            scroll: 0,
            width: 80,
            height: 24,
            quit: false,
            scenario: None,
            basis_migration: None,
        };
        state.refresh_bases();
        state
    }

    /// The step shown, or `None` on the start screen.
    pub fn step(&self) -> Option<&'static Step> {
        self.screen.checked_sub(1).and_then(|i| STEPS.get(i))
    }

    pub fn field(&self, input: Input) -> &Field {
        self.fields
            .iter()
            .find(|f| f.input == input)
            .expect("every input of the catalogue has a field")
    }

    pub fn field_mut(&mut self, input: Input) -> &mut Field {
        self.fields
            .iter_mut()
            .find(|f| f.input == input)
            .expect("every input of the catalogue has a field")
    }

    /// The fields of the current screen, in order.
    pub fn screen_fields(&self) -> Vec<&Field> {
        self.step()
            .map(|s| s.inputs.iter().map(|i| self.field(*i)).collect())
            .unwrap_or_default()
    }

    /// The answers as typed so far.
    pub fn answers(&self) -> Answers {
        let text = |input: Input| {
            let v = self.field(input).value.trim().to_string();
            (!v.is_empty()).then_some(v)
        };
        Answers {
            instance_arn: text(Input::Instance),
            app_name: text(Input::AppName),
            app_description: text(Input::AppDescription),
            metadata: text(Input::Metadata).map(Into::into),
            provider_name: text(Input::ProviderName),
            policy_name: text(Input::PolicyName),
            role_name: text(Input::RoleName),
            sign_in_endpoint: text(Input::SignInEndpoint),
            users: text(Input::Users).map(|u| list(&u)),
            groups: text(Input::Groups).map(|g| list(&g)),
            security_profile: text(Input::SecurityProfile),
            routing_profile: text(Input::RoutingProfile),
            identity_store_id: self.identity_store_id.clone(),
            console_api: self.console_api.then_some(true),
            ..Answers::default()
        }
    }

    /// The effective setup: the answers with every default applied. Checks, actions and
    /// displays read names from here, never from a raw answer that may be empty.
    pub fn setup(&self) -> Result<Setup, Vec<AnswerError>> {
        Setup::from_answers(&self.answers())
    }

    /// What an empty answer stands for: the default the setup derives, so the screen, plain
    /// mode and every action name the same value. `None` for answers without a default, or
    /// while the answers do not make a setup.
    pub fn default_of(&self, input: Input) -> Option<String> {
        let setup = self.setup().ok()?;
        Some(match input {
            Input::AppName => setup.app_name.to_string(),
            Input::ProviderName => setup.provider_name.to_string(),
            Input::PolicyName => setup.policy_name.to_string(),
            Input::RoleName => setup.role_name.to_string(),
            Input::SignInEndpoint => setup.sign_in_endpoint.as_str().to_string(),
            Input::SecurityProfile => DEFAULT_SECURITY_PROFILE.to_string(),
            Input::RoutingProfile => DEFAULT_ROUTING_PROFILE.to_string(),
            _ => return None,
        })
    }

    /// Whether `r` on step `id` runs the console API: opted in, on a live account.
    pub fn console_api_runs(&self, id: &str) -> bool {
        self.console_api && self.mode.is_live() && CONSOLE_API_STEPS.contains(&id)
    }

    /// An answer as it will be used: the one typed, else its default.
    pub fn answers_or_default(&self, input: Input) -> Option<String> {
        let typed = self.field(input).value.trim();
        if typed.is_empty() {
            self.default_of(input)
        } else {
            Some(typed.to_string())
        }
    }

    /// The whole procedure with the answers so far, when they are valid.
    pub fn plan(&self) -> Option<Plan> {
        let setup = self.setup().ok()?;
        Some(Plan::build(
            &setup,
            self.metadata.as_ref().map(|m| m.summary.clone()),
        ))
    }

    /// A step's status: the stored one, or [`StepStatus::Stale`] when its result was
    /// computed from answers that have changed since.
    pub fn status(&self, step: &str) -> StepStatus {
        let stored = self.statuses.get(step).copied().unwrap_or_default();
        let has_result = matches!(
            stored,
            StepStatus::Done | StepStatus::Verified | StepStatus::Failed
        );
        match self.bases.get(step) {
            Some(basis) if has_result && self.current_basis(step) != Some(basis) => {
                StepStatus::Stale
            }
            _ => stored,
        }
    }

    /// A step's status as its last finished action left it: while an action of the step
    /// runs, the status it had before (a result is not undone by running it again).
    pub fn settled_status(&self, step: &str) -> StepStatus {
        match &self.busy {
            Some(Busy {
                step: running,
                previous: Some((status, _)),
                ..
            }) if *running == step => *status,
            _ => self.statuses.get(step).copied().unwrap_or_default(),
        }
    }

    /// A step's report as its last finished action left it (see [`State::settled_status`]).
    pub fn settled_report(&self, step: &str) -> Option<&StepReport> {
        match &self.busy {
            Some(Busy {
                step: running,
                previous: Some((_, report)),
                ..
            }) if *running == step => report.as_ref(),
            _ => self.reports.get(step),
        }
    }

    /// The steps whose results are out of date, in the guide's order.
    pub fn stale_steps(&self) -> Vec<&'static str> {
        STEPS
            .iter()
            .map(|s| s.id)
            .filter(|id| self.status(id) == StepStatus::Stale)
            .collect()
    }

    /// This step's basis for the answers as they are now; `None` while they are invalid.
    pub fn current_basis(&self, step: &str) -> Option<&String> {
        self.current_bases.get(step).and_then(Option::as_ref)
    }

    /// Recomputes every step's current basis: after anything that can change the answers.
    pub fn refresh_bases(&mut self) {
        if let Some(version) = self.basis_migration {
            basis::carry_over(self, version);
            // The metadata document is part of some bases: until it is read (at start-up),
            // those cannot be compared yet.
            let path = self.field(Input::Metadata).value.trim().is_empty();
            if self.metadata.is_some() || path {
                self.basis_migration = None;
            }
        }
        self.current_bases = basis::current_bases(self);
    }

    /// "step N of M" counts the catalogue's steps; the start screen is 0.
    pub fn position(&self) -> (usize, usize) {
        (self.screen, STEPS.len())
    }

    /// Whether the step list fits beside the screen.
    pub fn wide(&self) -> bool {
        self.width >= 100
    }

    /// How a command a result proposes is completed to run on this wizard's account with
    /// its answers.
    pub fn rerun(&self) -> crate::rerun::Rerun {
        let account = account(self.mode, self.scenario.as_deref());
        let mut answers = self.answers();
        // On the sandbox the metadata is its own, and the identity store is found as the
        // wizard found it: a command finds both by itself.
        let metadata = answers.metadata.take().filter(|_| !account.sandbox);
        answers.identity_store_id = None;
        crate::rerun::Rerun::new(account, &answers, &[], None)
            .with_metadata(metadata.as_deref().map(|p| p.to_string_lossy()).as_deref())
    }

    /// What the wizard works on, as its header says it: the mode, or the workshop scenario.
    pub fn mode_name(&self) -> String {
        match &self.scenario {
            Some(name) => format!("scenario {name}"),
            None => self.mode.label().to_string(),
        }
    }

    /// The command that opens this session again, with the flags that matter here.
    pub fn resume_command(&self) -> String {
        format!(
            "connect-sso{} --session {}",
            self.mode_flag(),
            self.session_name
        )
    }

    /// The doctor command for this session: the same checks, from the command line.
    pub fn doctor_command(&self) -> String {
        format!(
            "connect-sso doctor{} --session {}",
            self.mode_flag(),
            self.session_name
        )
    }

    fn mode_flag(&self) -> String {
        mode_flag(self.mode, self.scenario.as_deref())
    }

    /// The keys the current screen handles, for the help bar and the key map.
    pub fn key_hints(&self) -> Vec<(&'static str, &'static str)> {
        update::key_hints(self)
    }
}

/// The flag that puts a command on the same account as a wizard in `mode` (on `scenario`'s
/// account for a workshop scenario), with its leading space; empty on AWS.
pub fn mode_flag(mode: Mode, scenario: Option<&str>) -> String {
    account(mode, scenario).flag()
}

/// The account a wizard in `mode` works on, as a command names it.
fn account(mode: Mode, scenario: Option<&str>) -> crate::rerun::Account<'_> {
    let sandbox = mode == Mode::Sandbox;
    crate::rerun::Account {
        scenario: scenario.filter(|_| sandbox),
        sandbox,
        config: None,
    }
}

/// What the user asked for; turned into work by the effect runner.
#[derive(Debug, Clone, PartialEq)]
pub enum Cmd {
    /// `GetCallerIdentity` in both contexts, Identity Center and Connect instances.
    LoadContexts,
    /// Prerequisites: the instance exists, is active and uses SAML.
    CheckInstance {
        instance_id: String,
    },
    /// Step 1: applications with the display name.
    FindApplication {
        name: String,
    },
    /// Sandbox only: do step 1's console work, as the user said it is done.
    SimulateApplication {
        name: String,
    },
    /// Read and check the metadata file.
    LoadMetadata {
        path: String,
    },
    Ensure6a {
        setup: Box<Setup>,
        document: String,
    },
    Ensure6b {
        setup: Box<Setup>,
    },
    Ensure6c {
        setup: Box<Setup>,
    },
    /// Step 11: assign the users and check their Connect users.
    AssignUsers {
        setup: Box<Setup>,
        application_arn: String,
        identity_store_id: String,
        users: Vec<String>,
        /// Groups to assign, as the answer names them.
        groups: Vec<String>,
        /// Also create the Connect users that are missing, with these profiles.
        create_connect_users: Option<crate::cloud::ensure::ConnectUserTemplate>,
    },
    /// Verification: every check of the sign-in chain (`doctor`), changing nothing.
    Verify {
        setup: Box<Setup>,
        /// The metadata of step 2, when loaded, to compare with the SAML provider.
        document: Option<String>,
        users: Vec<String>,
        groups: Vec<String>,
    },
    /// Check a pasted SAMLResponse against the setup, and against AWS when `live`.
    Inspect {
        setup: Box<Setup>,
        text: String,
        /// The metadata of step 2, when loaded: its certificates are trusted when the IAM
        /// provider cannot be read.
        metadata: Option<String>,
        live: bool,
    },
    /// On the sandbox: its Identity Center signs a response for `user`, as a sign-in from
    /// the access portal would post it; it goes into the SAMLResponse box.
    IssueResponse {
        setup: Box<Setup>,
        user: String,
    },
    /// Ask AWS whether the pasted response signs the person in (STS, then Connect).
    SignInTest {
        setup: Box<Setup>,
        text: String,
        metadata: Option<String>,
    },
    /// Copy a value to the clipboard (OSC 52 and the native clipboard).
    Copy {
        label: String,
        value: String,
    },
    /// Step 11's picker: every user of the identity store.
    ListPeople {
        identity_store_id: String,
    },
    /// Step 11's group picker: every group of the identity store.
    ListGroups {
        identity_store_id: String,
    },
    /// Step 11: remove these assignments (people taken out of the answer) and forget them
    /// in the ledger.
    Unassign {
        application_arn: String,
        entries: Vec<crate::ledger::LedgerEntry>,
    },
    /// Step 11's profile pickers: the instance's security or routing profiles.
    ListProfiles {
        instance_id: String,
        pick: picker::Pick,
    },
    /// Show one value alone on the normal screen, unwrapped by the wizard, so a mouse
    /// selection copies it whole; the next key comes back.
    ShowRaw {
        label: String,
        value: String,
    },
    /// Steps 1, 2, 3-5 and 10 through the console API (each an idempotent ensure).
    ConsoleSteps {
        setup: Box<Setup>,
    },
    /// Sandbox only: read the console page of step `step` of application `arn`, or, when
    /// the wizard has not found it yet, of the application displayed as `name`.
    OpenConsolePage {
        arn: Option<String>,
        name: String,
        step: &'static str,
    },
    /// Sandbox only: save a console page as typed.
    SaveConsolePage {
        arn: String,
        page: crate::cloud::sandbox::ConsolePage,
    },
    /// Save the session.
    Save,
    /// Stop the running action.
    Cancel,
    /// Switch to the sandbox account (from the start screen, when AWS has no credentials).
    UseSandbox,
}

/// A result coming back from the effect runner.
#[derive(Debug, Clone)]
pub enum Done {
    Contexts(Result<(Contexts, Vec<ConnectInstanceSummary>, Option<String>), String>),
    Instance(Result<ConnectInstanceSummary, String>),
    Applications(Result<Vec<Application>, String>),
    Metadata(Result<LoadedMetadata, String>),
    Ensured {
        step: &'static str,
        result: Result<Outcome, String>,
    },
    Users {
        result: Result<Vec<UserOutcome>, String>,
        /// Assignments connect-sso made for people no longer asked for.
        unrequested: Vec<crate::ledger::LedgerEntry>,
        /// The groups assigned (empty when none were asked for or the run failed first).
        groups: Vec<crate::cloud::groups::GroupOutcome>,
        /// Everyone the application reaches (with `a`: after creating the missing Connect
        /// users); `None` when the assignment failed.
        reach: Option<Result<reach::Reach, String>>,
    },
    /// The assignments removed (by the name they were asked for), or why not all were.
    Unassigned(Result<Vec<String>, String>),
    /// The identity store's users, for the people picker.
    People(Result<Vec<crate::cloud::IdcUser>, String>),
    /// The identity store's groups, for the group picker.
    Groups(Result<Vec<crate::cloud::IdcGroup>, String>),
    /// The instance's security or routing profiles, for a profile picker.
    Profiles {
        pick: picker::Pick,
        result: Result<Vec<crate::cloud::NamedId>, String>,
    },
    Verified(Box<crate::cloud::doctor::DoctorReport>),
    Inspected {
        /// The text checked: a result for text no longer in the box is dropped.
        text: String,
        result: Result<Box<crate::cloud::inspect::InspectReport>, String>,
    },
    /// The form body the sandbox's Identity Center posted, or why it issued none.
    Issued(Result<String, String>),
    /// AWS's verdict on the pasted response, for `text`.
    SignInTested {
        text: String,
        result: Result<Box<crate::cloud::sign_in::SignInReport>, String>,
    },
    Copied {
        label: String,
        /// Which ways worked, e.g. "terminal (OSC 52)".
        result: Result<String, String>,
    },
    /// What the console API run found and did, and the applications read after it.
    Console {
        run: Box<crate::cloud::console::ensure::ConsoleRun>,
        applications: Option<Vec<Application>>,
    },
    /// A console page of the sandbox, with its application's ARN and display name, for
    /// the form.
    ConsolePage(Result<(String, String, crate::cloud::sandbox::ConsolePage), String>),
    /// The console page as the sandbox saved it.
    ConsolePageSaved(Result<crate::cloud::sandbox::ConsolePage, String>),
    Saved(Result<(), String>),
    Cancelled,
}

#[derive(Debug, Clone)]
pub enum Msg {
    Key(Key),
    /// Text pasted into the terminal (bracketed paste), delivered whole.
    Paste(String),
    Resize(u16, u16),
    /// Spinner frame while an action runs.
    Tick,
    Done(Done),
    /// Plain mode's answer for field `field` of the open console form (a format by its
    /// name on the menu).
    FormAnswer {
        field: usize,
        value: String,
    },
}

/// A comma-separated answer as its items, blanks dropped.
fn list(text: &str) -> Vec<String> {
    text.split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}
