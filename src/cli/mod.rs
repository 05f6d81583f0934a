//! Command-line interface: flags (each with a `CONNECT_SSO_*` environment variable), the
//! answers file, and the non-interactive commands. Precedence: flag > environment > file.

pub mod account;
pub mod apply;
pub mod config;
pub mod doctor;
pub mod export;
pub mod inspect;
pub mod metadata;
pub mod plain;
pub mod plan;
pub mod teardown;
pub mod wizard;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

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

#[derive(Debug, Parser)]
#[command(
    name = "connect-sso",
    version,
    about = "Set up single sign-on into Amazon Connect through an IAM Identity Center SAML 2.0 application",
    long_about = None,
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(flatten)]
    pub wizard: WizardArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The wizard (no subcommand).
#[derive(Debug, Clone, Default, Args)]
pub struct WizardArgs {
    #[command(flatten)]
    pub answers: AnswerArgs,
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
    #[arg(long, env = "CONNECT_SSO_PLAIN")]
    pub plain: bool,
    /// Plain mode: answer yes to every "run it now?" and "done in the console?" question
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// AWS contexts and the answers file; accepted before or after the subcommand.
#[derive(Debug, Clone, Default, Args)]
pub struct GlobalArgs {
    /// AWS profile of the Connect context (the account that owns the Connect instance)
    #[arg(long, global = true, env = "CONNECT_SSO_PROFILE", value_name = "NAME")]
    pub profile: Option<String>,
    /// Region of the Connect context, and of the instance when only its id is given
    #[arg(long, global = true, env = "CONNECT_SSO_REGION", value_name = "REGION")]
    pub region: Option<String>,
    /// AWS profile of the identity context (where IAM Identity Center runs); defaults to --profile
    #[arg(
        long,
        global = true,
        env = "CONNECT_SSO_IDENTITY_PROFILE",
        value_name = "NAME"
    )]
    pub identity_profile: Option<String>,
    /// Region of IAM Identity Center; defaults to --region
    #[arg(
        long,
        global = true,
        env = "CONNECT_SSO_IDENTITY_REGION",
        value_name = "REGION"
    )]
    pub identity_region: Option<String>,
    /// Answers file (TOML); see assets/answers.example.toml
    #[arg(long, global = true, env = "CONNECT_SSO_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Work on the built-in sandbox account instead of AWS (no credentials needed)
    #[arg(long, global = true, env = "CONNECT_SSO_SANDBOX")]
    pub sandbox: bool,
    /// With --sandbox: every AWS call takes this long (milliseconds), to watch spinners or cancel
    #[arg(
        long,
        global = true,
        env = "CONNECT_SSO_SANDBOX_LATENCY_MS",
        value_name = "MS"
    )]
    pub sandbox_latency_ms: Option<u64>,
    /// With --sandbox: make calls fail, e.g. deny:iam:CreateRole, throttle:iam:*, deny:*:2 (repeat it)
    #[arg(long = "sandbox-fault", global = true, value_name = "SPEC")]
    pub sandbox_faults: Vec<crate::cloud::sandbox::Fault>,
    /// With --sandbox: start from the seeded account instead of the saved one; apply, teardown and the wizard replace the saved one
    #[arg(long, global = true, env = "CONNECT_SSO_SANDBOX_RESET")]
    pub sandbox_reset: bool,
}

impl GlobalArgs {
    /// The sandbox account as the flags ask for it: the one saved in the state directory
    /// (or the seeded one with --sandbox-reset), with the warnings to show.
    pub fn sandbox_account(
        &self,
        access: account::Access,
    ) -> (crate::cloud::sandbox::Sandbox, Vec<String>) {
        account::open_sandbox(self, access)
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
    Plan(Box<PlanArgs>),
    /// Run every automated step on AWS (or --sandbox), idempotently
    Apply(Box<ApplyArgs>),
    /// The setup as a Markdown runbook, an AWS CLI script or a CloudFormation template
    Export(Box<ExportArgs>),
    /// Check the whole sign-in chain on AWS (or --sandbox), read-only, and say how to fix what fails
    Doctor(Box<DoctorArgs>),
    /// What sign-in errors mean and how to fix them; give an ID for one entry
    Troubleshoot(TroubleshootArgs),
    /// Remove what connect-sso created (tagged managed-by=connect-sso), and only that
    #[command(long_about = teardown::HELP)]
    Teardown(Box<TeardownArgs>),
    /// Check a SAMLResponse captured in the browser, field by field, against the setup
    InspectAssertion(Box<inspect::InspectArgs>),
    /// Print the IAM policies the person running connect-sso needs, per context
    Permissions(Box<PlanArgs>),
    /// Work with IAM Identity Center SAML metadata files
    #[command(subcommand)]
    Metadata(MetadataCommand),
}

#[derive(Debug, Subcommand)]
pub enum MetadataCommand {
    /// Check that IAM would accept a metadata file, and show what it holds
    Check(MetadataCheckArgs),
}

#[derive(Debug, Args)]
pub struct MetadataCheckArgs {
    /// The metadata file downloaded from the IAM Identity Center application, or its https URL
    #[arg(value_name = "FILE|URL")]
    pub file: PathBuf,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text, env = "CONNECT_SSO_FORMAT")]
    pub format: Format,
}

/// The answers that describe one setup; every flag also reads `CONNECT_SSO_<NAME>`.
#[derive(Debug, Clone, Default, Args)]
pub struct AnswerArgs {
    /// Connect instance ARN (Connect console › instance › Overview)
    #[arg(long, env = "CONNECT_SSO_INSTANCE_ARN", value_name = "ARN")]
    pub instance_arn: Option<String>,
    /// Connect instance id, with --region and --account-id, instead of --instance-arn
    #[arg(long, env = "CONNECT_SSO_INSTANCE_ID", value_name = "ID")]
    pub instance_id: Option<String>,
    /// Account that owns the instance (12 digits), with --instance-id
    #[arg(long, env = "CONNECT_SSO_ACCOUNT_ID", value_name = "ACCOUNT")]
    pub account_id: Option<String>,
    /// Identity store id (d-xxxxxxxxxx), to show the AWS access portal URL
    #[arg(long, env = "CONNECT_SSO_IDENTITY_STORE_ID", value_name = "ID")]
    pub identity_store_id: Option<String>,
    /// Display name of the IAM Identity Center application [default: Amazon Connect <id>]
    #[arg(long, env = "CONNECT_SSO_APP_NAME", value_name = "NAME")]
    pub app_name: Option<String>,
    /// Description of the IAM Identity Center application
    #[arg(long, env = "CONNECT_SSO_APP_DESCRIPTION", value_name = "TEXT")]
    pub app_description: Option<String>,
    /// IAM SAML provider name [default: IdentityCenter-Connect-<id>]
    #[arg(long, env = "CONNECT_SSO_PROVIDER_NAME", value_name = "NAME")]
    pub provider_name: Option<String>,
    /// IAM policy name [default: ConnectFederation-<id>]
    #[arg(long, env = "CONNECT_SSO_POLICY_NAME", value_name = "NAME")]
    pub policy_name: Option<String>,
    /// IAM role name [default: ConnectSSO-<id>]
    #[arg(long, env = "CONNECT_SSO_ROLE_NAME", value_name = "NAME")]
    pub role_name: Option<String>,
    /// IAM Identity Center SAML metadata: the file, or its https URL (checked, and used for the SAML provider)
    #[arg(long, env = "CONNECT_SSO_METADATA", value_name = "FILE|URL")]
    pub metadata: Option<PathBuf>,
    /// Which AWS sign-in endpoint receives the SAML response [default: global]
    #[arg(
        long,
        env = "CONNECT_SSO_SIGN_IN_ENDPOINT",
        value_name = "global|regional"
    )]
    pub sign_in_endpoint: Option<String>,
    /// Identity Center user (user name or email) to assign to the application; repeat it
    #[arg(
        long = "user",
        env = "CONNECT_SSO_USERS",
        value_delimiter = ',',
        value_name = "USER"
    )]
    pub users: Vec<String>,
    /// Create the Connect users that are missing for the assigned users
    #[arg(long, env = "CONNECT_SSO_CREATE_CONNECT_USERS")]
    pub create_connect_users: bool,
    /// Security profile of created Connect users [default: Agent]
    #[arg(long, env = "CONNECT_SSO_SECURITY_PROFILE", value_name = "NAME")]
    pub security_profile: Option<String>,
    /// Routing profile of created Connect users [default: Basic Routing Profile]
    #[arg(long, env = "CONNECT_SSO_ROUTING_PROFILE", value_name = "NAME")]
    pub routing_profile: Option<String>,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub answers: AnswerArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text, env = "CONNECT_SSO_FORMAT")]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub answers: AnswerArgs,
    /// Show what would change without changing anything
    #[arg(long)]
    pub dry_run: bool,
    /// Apply without asking for confirmation (needed when there is no terminal)
    #[arg(long, short = 'y', env = "CONNECT_SSO_YES")]
    pub yes: bool,
    /// Output format (markdown prints text)
    #[arg(long, value_enum, default_value_t = Format::Text, env = "CONNECT_SSO_FORMAT")]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    #[command(flatten)]
    pub answers: AnswerArgs,
    /// Check the setup of a session saved by the wizard (flags still win over it)
    #[arg(long, value_name = "NAME")]
    pub session: Option<String>,
    /// Fail on warnings too (a certificate expiring within 30 days, extra permissions)
    #[arg(long)]
    pub strict: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text, env = "CONNECT_SSO_FORMAT")]
    pub format: Format,
    /// Same as --format json
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct TroubleshootArgs {
    /// One entry, e.g. not-onboarded (doctor and inspect-assertion name them)
    #[arg(value_name = "ID")]
    pub id: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text, env = "CONNECT_SSO_FORMAT")]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct TeardownArgs {
    #[command(flatten)]
    pub answers: AnswerArgs,
    /// List what would be removed without removing anything
    #[arg(long)]
    pub dry_run: bool,
    /// Remove without asking for confirmation (needed when there is no terminal)
    #[arg(long, short = 'y', env = "CONNECT_SSO_YES")]
    pub yes: bool,
    /// Output format (markdown prints text)
    #[arg(long, value_enum, default_value_t = Format::Text, env = "CONNECT_SSO_FORMAT")]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub answers: AnswerArgs,
    /// What to produce
    #[arg(long, value_enum, default_value_t = ExportFormat::Markdown)]
    pub format: ExportFormat,
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
    /// The answers given on the command line or in the environment.
    pub fn to_answers(&self, global: &GlobalArgs) -> Answers {
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
            create_connect_users: self.create_connect_users.then_some(true),
            security_profile: self.security_profile.clone(),
            routing_profile: self.routing_profile.clone(),
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
    };
    let identity = crate::cloud::sdk::ContextSettings {
        profile: answers.identity_profile.clone(),
        region: answers.identity_region.clone(),
    };
    (connect, identity)
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

/// Runs a parsed command line, writing results to `out` and problems to `err`.
pub fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> Status {
    let now = time::OffsetDateTime::now_utc();
    let result = match cli.command {
        Some(Command::Plan(args)) => plan::run(&cli.global, &args, now, out, err),
        Some(Command::Apply(args)) => apply::run(&cli.global, &args, now, out, err),
        Some(Command::Export(args)) => export::run(&cli.global, &args, out, err),
        Some(Command::Doctor(args)) => doctor::run(&cli.global, &args, now, out, err),
        Some(Command::Troubleshoot(args)) => doctor::run_troubleshoot(&args, out, err),
        Some(Command::Teardown(args)) => teardown::run(&cli.global, &args, out, err),
        Some(Command::InspectAssertion(args)) => inspect::run(&cli.global, &args, now, out, err),
        Some(Command::Permissions(args)) => plan::run_permissions(&cli.global, &args, out, err),
        Some(Command::Metadata(MetadataCommand::Check(args))) => {
            metadata::run_check(&args, now, out, err)
        }
        None => wizard::run(&cli.global, &cli.wizard, err),
    };
    result.unwrap_or_else(|e| {
        // Output can only fail when stdout is closed (a pipe to `head`): nothing to report to.
        let _ = writeln!(err, "error: could not write the output: {e}");
        Status::CheckFailed
    })
}
