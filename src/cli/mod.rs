//! Command-line interface: flags (each with a `CONNECT_SSO_*` environment variable), the
//! answers file, and the non-interactive commands. Precedence: flag > environment > file.

pub mod account;
pub mod answers;
pub mod apply;
pub mod completions;
pub mod config;
pub mod doctor;
pub mod export;
pub mod help;
pub mod inspect;
pub mod man;
pub mod metadata;
pub mod options;
pub mod output;
mod parse;
pub mod plain;
pub mod plan;
pub mod progress;
pub mod sign_in;
pub mod teardown;
pub mod users;
pub mod wizard;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::builder::BoolishValueParser;
use clap::{Args, Parser, Subcommand, ValueEnum};

use options::{
    AwsOptions, ConnectUserOptions, ConsoleApiOptions, InstanceOptions, MetadataOptions,
    RegionOptions, SandboxOptions, SandboxSetupOptions, SetupOptions, UserOptions,
};

use crate::domain::setup::Answers;

/// Exit status of a command. Clap's own usage errors exit with 2 as well.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Everything asked for was done or is valid.
    Ok,
    /// A check ran and failed (for example IAM would reject the metadata).
    CheckFailed,
    /// The input was unusable: bad answers, unreadable file, malformed answers file.
    BadInput,
}

impl From<Status> for ExitCode {
    fn from(s: Status) -> ExitCode {
        match s {
            Status::Ok => ExitCode::SUCCESS,
            Status::CheckFailed => ExitCode::from(1),
            Status::BadInput => ExitCode::from(2),
        }
    }
}

/// A parsed command line: the command to run, with the AWS contexts, answers file and
/// sandbox options of that command in `global` (options given before the command name count
/// as given to it, when it has them). Parsed by [`clap::Parser`] as [`CommandLine`] says.
#[derive(Debug)]
pub struct Cli {
    pub global: GlobalArgs,
    pub wizard: WizardArgs,
    pub command: Option<Command>,
}

/// The clap definition of the whole command line; [`Cli`] is what it resolves to.
#[derive(Debug, Parser)]
#[command(
    name = "connect-sso",
    version,
    about = help::ABOUT_WIZARD,
    long_about = None,
    after_help = help::after_help(""),
    propagate_version = true
)]
pub struct CommandLine {
    #[command(flatten)]
    pub wizard: WizardArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The wizard (no command): its own options, and every group of answers and contexts.
#[derive(Debug, Clone, Default, Args)]
pub struct WizardArgs {
    /// Name of the saved session: keep one per customer
    #[arg(
        long,
        env = "CONNECT_SSO_SESSION",
        default_value = "default",
        value_name = "NAME"
    )]
    pub session: String,
    /// Start over instead of resuming the saved session (it is replaced)
    #[arg(long = "new")]
    pub new_session: bool,
    /// Plain line-by-line prompts instead of the full screen (automatic without a terminal)
    #[arg(long, env = "CONNECT_SSO_PLAIN", value_parser = BoolishValueParser::new())]
    pub plain: bool,
    /// Plain mode: answer yes to every "run it now?" and "done in the console?" question
    #[arg(long, short = 'y')]
    pub yes: bool,
    #[command(flatten)]
    instance: InstanceOptions,
    #[command(flatten)]
    setup: SetupOptions,
    #[command(flatten)]
    metadata: MetadataOptions,
    #[command(flatten)]
    users: UserOptions,
    #[command(flatten)]
    connect_users: ConnectUserOptions,
    #[command(flatten)]
    aws: AwsOptions,
    #[command(flatten)]
    sandbox: SandboxOptions,
    /// The answers of the command line (filled in by parsing).
    #[arg(skip)]
    pub answers: AnswerArgs,
}

/// AWS contexts, the answers file and the sandbox options of the command that runs; each
/// command's options fill only what it uses.
#[derive(Debug, Clone, Default)]
pub struct GlobalArgs {
    /// AWS profile of the Connect context.
    pub profile: Option<String>,
    /// Region of the Connect context, and of the instance when only its id is given.
    pub region: Option<String>,
    /// AWS profile of the identity context; defaults to `profile`.
    pub identity_profile: Option<String>,
    /// Region of IAM Identity Center; defaults to `region`.
    pub identity_region: Option<String>,
    /// The answers file.
    pub config: Option<PathBuf>,
    /// The built-in sandbox account instead of AWS.
    pub sandbox: bool,
    /// With `sandbox`: the latency of every call, in milliseconds.
    pub sandbox_latency_ms: Option<u64>,
    /// With `sandbox`: calls made to fail.
    pub sandbox_faults: Vec<crate::cloud::sandbox::Fault>,
    /// With `sandbox`: start from the seeded account.
    pub sandbox_reset: bool,
    /// With `sandbox`: `--sandbox-people N`, people to seed the account with.
    pub sandbox_people: Option<u32>,
    /// A workshop scenario's own sandbox account (implies `sandbox`), or `list` / `reveal`.
    pub sandbox_scenario: Option<String>,
    /// `--max-rps SERVICE=N`, each checked.
    pub max_rps: Vec<String>,
}

impl GlobalArgs {
    /// The account a proposed fix must work on: this run's.
    pub fn account(&self) -> crate::rerun::Account<'_> {
        crate::rerun::Account {
            scenario: self.sandbox_scenario.as_deref(),
            sandbox: self.sandbox,
            config: self.config.as_deref(),
        }
    }

    /// Latency and faults, for this run only.
    pub fn sandbox_options(&self) -> crate::cloud::sandbox::SandboxOptions {
        crate::cloud::sandbox::SandboxOptions {
            latency: std::time::Duration::from_millis(self.sandbox_latency_ms.unwrap_or(0)),
            faults: self.sandbox_faults.clone(),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the whole procedure offline: every step, every value to paste, both IAM documents
    #[command(after_help = help::after_help("plan"))]
    Plan(Box<PlanArgs>),
    /// Run every automated step on AWS (or --sandbox), idempotently
    #[command(after_help = help::after_help("apply"))]
    Apply(Box<ApplyArgs>),
    /// The setup as a Markdown runbook, an AWS CLI script or a CloudFormation template
    #[command(after_help = help::after_help("export"))]
    Export(Box<ExportArgs>),
    /// Check the whole sign-in chain on AWS (or --sandbox), read-only, and say how to fix what fails
    #[command(after_help = help::after_help("doctor"))]
    Doctor(Box<DoctorArgs>),
    /// What sign-in errors mean and how to fix them; give an ID for one entry
    #[command(after_help = help::after_help("troubleshoot"))]
    Troubleshoot(TroubleshootArgs),
    /// Remove what connect-sso created (tagged managed-by=connect-sso), and only that
    #[command(long_about = teardown::HELP, after_help = help::after_help("teardown"))]
    Teardown(Box<TeardownArgs>),
    /// Check a SAMLResponse captured in the browser, field by field, against the setup
    #[command(after_help = help::after_help("inspect-assertion"))]
    InspectAssertion(Box<inspect::InspectArgs>),
    /// Ask AWS whether a captured SAMLResponse signs the person in (STS, then Connect)
    #[command(after_help = help::after_help("sign-in-test"))]
    SignInTest(Box<sign_in::SignInArgs>),
    /// Connect users for everyone the application reaches
    #[command(subcommand, after_help = help::after_help("users"))]
    Users(users::UsersCommand),
    /// Print the IAM policies the person running connect-sso needs, per context
    #[command(after_help = help::after_help("permissions"))]
    Permissions(Box<PermissionsArgs>),
    /// Work with IAM Identity Center SAML metadata files
    #[command(subcommand, after_help = help::after_help("metadata"))]
    Metadata(MetadataCommand),
    /// The answers file: print a commented example of it
    #[command(subcommand, after_help = help::after_help("answers"))]
    Answers(answers::AnswersCommand),
    /// Print the completion script of a shell (bash, zsh, fish, powershell, elvish)
    #[command(after_help = help::after_help("completions"))]
    Completions(completions::CompletionsArgs),
    /// Print the manual page, or write one page per command with --dir
    #[command(after_help = help::after_help("man"))]
    Man(man::ManArgs),
}

#[derive(Debug, Subcommand)]
pub enum MetadataCommand {
    /// Check that IAM would accept a metadata file, and show what it holds
    #[command(after_help = help::after_help("metadata check"))]
    Check(MetadataCheckArgs),
}

#[derive(Debug, Args)]
pub struct MetadataCheckArgs {
    /// The metadata file downloaded from the IAM Identity Center application, or its https URL
    #[arg(value_name = "FILE|URL")]
    pub file: PathBuf,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text, env = "CONNECT_SSO_FORMAT", help_heading = "Output")]
    pub format: Format,
}

/// The answers given on the command line or in the environment, as a command's options
/// collected them (those it does not have stay empty). Precedence over the answers file is
/// applied when they are resolved.
#[derive(Debug, Clone, Default)]
pub struct AnswerArgs {
    pub instance_arn: Option<String>,
    pub instance_id: Option<String>,
    pub account_id: Option<String>,
    pub identity_store_id: Option<String>,
    pub app_name: Option<String>,
    pub app_description: Option<String>,
    pub provider_name: Option<String>,
    pub policy_name: Option<String>,
    pub role_name: Option<String>,
    pub metadata: Option<PathBuf>,
    pub sign_in_endpoint: Option<String>,
    pub users: Vec<String>,
    pub groups: Vec<String>,
    pub create_connect_users: bool,
    pub security_profile: Option<String>,
    pub routing_profile: Option<String>,
    pub console_api: bool,
    /// The ids of the options (these and the AWS contexts of [`GlobalArgs`]) whose value came
    /// from a `CONNECT_SSO_*` variable rather than a flag: a level of their own, between the
    /// flags and the answers file.
    pub from_env: Vec<&'static str>,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    instance: InstanceOptions,
    #[command(flatten)]
    region: RegionOptions,
    #[command(flatten)]
    setup: SetupOptions,
    #[command(flatten)]
    metadata: MetadataOptions,
    #[command(flatten)]
    sandbox: SandboxSetupOptions,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text, env = "CONNECT_SSO_FORMAT", help_heading = "Output")]
    pub format: Format,
    /// The answers of the command line (filled in by parsing).
    #[arg(skip)]
    pub answers: AnswerArgs,
}

#[derive(Debug, Args)]
pub struct PermissionsArgs {
    #[command(flatten)]
    instance: InstanceOptions,
    #[command(flatten)]
    region: RegionOptions,
    #[command(flatten)]
    setup: SetupOptions,
    /// Output format (markdown prints text)
    #[arg(long, value_enum, default_value_t = Format::Text, env = "CONNECT_SSO_FORMAT", help_heading = "Output")]
    pub format: Format,
    /// The answers of the command line (filled in by parsing).
    #[arg(skip)]
    pub answers: AnswerArgs,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// Show what would change without changing anything
    #[arg(long)]
    pub dry_run: bool,
    /// Apply without asking for confirmation (needed when there is no terminal)
    #[arg(long, short = 'y', env = "CONNECT_SSO_YES", value_parser = BoolishValueParser::new())]
    pub yes: bool,
    #[command(flatten)]
    instance: InstanceOptions,
    #[command(flatten)]
    setup: SetupOptions,
    #[command(flatten)]
    metadata: MetadataOptions,
    #[command(flatten)]
    console_api: ConsoleApiOptions,
    #[command(flatten)]
    users: UserOptions,
    #[command(flatten)]
    connect_users: ConnectUserOptions,
    #[command(flatten)]
    aws: AwsOptions,
    #[command(flatten)]
    sandbox: SandboxOptions,
    /// Output format (markdown prints text)
    #[arg(long, value_enum, default_value_t = Format::Text, env = "CONNECT_SSO_FORMAT", help_heading = "Output")]
    pub format: Format,
    /// The answers of the command line (filled in by parsing).
    #[arg(skip)]
    pub answers: AnswerArgs,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Check the setup of a session saved by the wizard (flags still win over it)
    #[arg(long, value_name = "NAME")]
    pub session: Option<String>,
    /// Fail on warnings too (a certificate expiring within 30 days, extra permissions)
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    instance: InstanceOptions,
    #[command(flatten)]
    setup: SetupOptions,
    #[command(flatten)]
    metadata: MetadataOptions,
    #[command(flatten)]
    console_api: ConsoleApiOptions,
    #[command(flatten)]
    users: UserOptions,
    #[command(flatten)]
    aws: AwsOptions,
    #[command(flatten)]
    sandbox: SandboxOptions,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text, env = "CONNECT_SSO_FORMAT", help_heading = "Output")]
    pub format: Format,
    /// Same as --format json
    #[arg(long, conflicts_with = "format", help_heading = "Output")]
    pub json: bool,
    /// The answers of the command line (filled in by parsing).
    #[arg(skip)]
    pub answers: AnswerArgs,
}

#[derive(Debug, Args)]
pub struct TroubleshootArgs {
    /// One entry, e.g. not-onboarded (doctor and inspect-assertion name them)
    #[arg(value_name = "ID")]
    pub id: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text, env = "CONNECT_SSO_FORMAT", help_heading = "Output")]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct TeardownArgs {
    /// List what would be removed without removing anything
    #[arg(long)]
    pub dry_run: bool,
    /// Remove without asking for confirmation (needed when there is no terminal)
    #[arg(long, short = 'y', env = "CONNECT_SSO_YES", value_parser = BoolishValueParser::new())]
    pub yes: bool,
    #[command(flatten)]
    instance: InstanceOptions,
    #[command(flatten)]
    setup: SetupOptions,
    #[command(flatten)]
    console_api: ConsoleApiOptions,
    #[command(flatten)]
    aws: AwsOptions,
    #[command(flatten)]
    sandbox: SandboxOptions,
    /// Output format (markdown prints text)
    #[arg(long, value_enum, default_value_t = Format::Text, env = "CONNECT_SSO_FORMAT", help_heading = "Output")]
    pub format: Format,
    /// The answers of the command line (filled in by parsing).
    #[arg(skip)]
    pub answers: AnswerArgs,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    instance: InstanceOptions,
    #[command(flatten)]
    region: RegionOptions,
    #[command(flatten)]
    setup: SetupOptions,
    #[command(flatten)]
    metadata: MetadataOptions,
    #[command(flatten)]
    sandbox: SandboxSetupOptions,
    /// What to produce
    #[arg(long, value_enum, default_value_t = ExportFormat::Markdown, help_heading = "Output")]
    pub format: ExportFormat,
    /// The answers of the command line (filled in by parsing).
    #[arg(skip)]
    pub answers: AnswerArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// A runbook to hand to a customer or a workshop
    Markdown,
    /// A bash script of AWS CLI calls for steps 6a-6c
    Cli,
    /// A CloudFormation template (JSON) for the provider, policy and role
    Cloudformation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Markdown,
}

impl AnswerArgs {
    /// The answers given on the command line or in the environment: the flags over the
    /// environment, each a level of its own (an instance id flag wins over an ARN variable).
    pub fn to_answers(&self, global: &GlobalArgs) -> Answers {
        let all = self.all_answers(global);
        if self.from_env.is_empty() {
            return all;
        }
        let mut flags = all.clone();
        let mut env = Answers::default();
        macro_rules! split {
            ($($field:ident),* $(,)?) => {
                $(
                    if self.from_env.contains(&stringify!($field)) {
                        env.$field = flags.$field.take();
                    }
                )*
            };
        }
        split!(
            instance_arn,
            instance_id,
            account_id,
            region,
            profile,
            identity_profile,
            identity_region,
            identity_store_id,
            app_name,
            app_description,
            provider_name,
            policy_name,
            role_name,
            metadata,
            sign_in_endpoint,
            users,
            groups,
            create_connect_users,
            security_profile,
            routing_profile,
            max_rps,
            console_api,
        );
        flags.or(env)
    }

    fn all_answers(&self, global: &GlobalArgs) -> Answers {
        Answers {
            instance_arn: self.instance_arn.clone(),
            instance_id: self.instance_id.clone(),
            account_id: self.account_id.clone(),
            region: global.region.clone(),
            profile: global.profile.clone(),
            identity_profile: global.identity_profile.clone(),
            identity_region: global.identity_region.clone(),
            identity_store_id: self.identity_store_id.clone(),
            app_name: self.app_name.clone(),
            app_description: self.app_description.clone(),
            provider_name: self.provider_name.clone(),
            policy_name: self.policy_name.clone(),
            role_name: self.role_name.clone(),
            metadata: self.metadata.clone(),
            sign_in_endpoint: self.sign_in_endpoint.clone(),
            users: (!self.users.is_empty()).then(|| self.users.clone()),
            groups: (!self.groups.is_empty()).then(|| self.groups.clone()),
            max_rps: (!global.max_rps.is_empty()).then(|| global.max_rps.clone()),
            create_connect_users: self.create_connect_users.then_some(true),
            security_profile: self.security_profile.clone(),
            routing_profile: self.routing_profile.clone(),
            console_api: self.console_api.then_some(true),
        }
    }
}

/// The connect and identity contexts the answers ask for. The instance ARN names the
/// Connect region when --region is not given; the identity context falls back to the
/// connect one inside `SdkCloud::load`.
pub fn context_settings(
    answers: &Answers,
) -> (
    crate::cloud::sdk::ContextSettings,
    crate::cloud::sdk::ContextSettings,
) {
    let connect = crate::cloud::sdk::ContextSettings {
        profile: answers.profile.clone(),
        region: answers.region.clone().or_else(|| {
            answers
                .instance_arn
                .as_deref()
                .and_then(|a| a.split(':').nth(3))
                .map(str::to_string)
        }),
        max_rps: max_rps(answers),
    };
    let identity = crate::cloud::sdk::ContextSettings {
        profile: answers.identity_profile.clone(),
        region: answers.identity_region.clone(),
        max_rps: connect.max_rps.clone(),
    };
    (connect, identity)
}

/// The request rates the answers set (`--max-rps`, `CONNECT_SSO_MAX_RPS`, `max_rps`), each
/// checked when it was read.
pub fn max_rps(answers: &Answers) -> crate::cloud::limits::MaxRps {
    let specs = answers.max_rps.as_deref().unwrap_or_default();
    crate::cloud::limits::MaxRps::parse(specs).unwrap_or_default()
}

/// The async runtime of a command; `None` when it cannot start (reported to `err`).
fn runtime(err: &mut dyn Write) -> std::io::Result<Option<tokio::runtime::Runtime>> {
    match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => Ok(Some(r)),
        Err(e) => {
            writeln!(err, "error: cannot start the async runtime: {e}")?;
            Ok(None)
        }
    }
}

/// On the sandbox, answers that name no instance mean the sandbox's SAML instance.
fn default_sandbox_instance(global: &GlobalArgs, answers: &mut Answers) {
    if global.sandbox && answers.instance_arn.is_none() && answers.instance_id.is_none() {
        answers.instance_arn = Some(crate::cloud::sandbox::SANDBOX_INSTANCE_ARN.to_string());
    }
}

/// `--sandbox-scenario list` and `reveal` print the workshop scenarios instead of running.
fn scenario_listing(global: &GlobalArgs, out: &mut dyn Write) -> Option<Status> {
    use crate::cloud::sandbox::{SCENARIO_LIST, SCENARIO_REVEAL, render_list, render_reveal};
    let written = match global.sandbox_scenario.as_deref() {
        Some(SCENARIO_LIST) => render_list(out),
        Some(SCENARIO_REVEAL) => render_reveal(out),
        _ => return None,
    };
    Some(match written {
        Ok(()) => Status::Ok,
        Err(_) => Status::CheckFailed,
    })
}

/// Runs a parsed command line, writing results to `out` and problems to `err`.
pub fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> Status {
    let mut out = output::SafeWriter::new(out);
    let mut err = output::SafeWriter::new(err);
    let (out, err) = (&mut out as &mut dyn Write, &mut err as &mut dyn Write);
    let now = time::OffsetDateTime::now_utc();
    if let Some(status) = scenario_listing(&cli.global, out) {
        return status;
    }
    let result = match cli.command {
        Some(Command::Plan(args)) => plan::run(&cli.global, &args, now, out, err),
        Some(Command::Apply(args)) => apply::run(&cli.global, &args, now, out, err),
        Some(Command::Export(args)) => export::run(&cli.global, &args, now, out, err),
        Some(Command::Doctor(args)) => doctor::run(&cli.global, &args, now, out, err),
        Some(Command::Troubleshoot(args)) => doctor::run_troubleshoot(&args, out, err),
        Some(Command::Teardown(args)) => teardown::run(&cli.global, &args, out, err),
        Some(Command::InspectAssertion(args)) => inspect::run(&cli.global, &args, now, out, err),
        Some(Command::SignInTest(args)) => sign_in::run(&cli.global, &args, now, out, err),
        Some(Command::Permissions(args)) => plan::run_permissions(&cli.global, &args, out, err),
        Some(Command::Users(command)) => users::run(&cli.global, &command, now, out, err),
        Some(Command::Metadata(MetadataCommand::Check(args))) => {
            metadata::run_check(&args, now, out, err)
        }
        Some(Command::Answers(command)) => answers::run(&command, out),
        Some(Command::Completions(args)) => completions::run(&args, out),
        Some(Command::Man(args)) => man::run(&args, out, err),
        None => wizard::run(&cli.global, &cli.wizard, err),
    };
    result.unwrap_or_else(|e| {
        // Output can only fail when stdout is closed (a pipe to `head`): nothing to report to.
        let _ = writeln!(err, "error: could not write the output: {e}");
        Status::CheckFailed
    })
}
