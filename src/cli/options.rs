//! The groups of options the commands are made of. Each command flattens only the groups it
//! reads, so its `--help` lists only the options it uses, under one heading per group. After
//! parsing, the groups fill the two views the commands work with: [`GlobalArgs`] (AWS
//! contexts, answers file, sandbox) and [`AnswerArgs`] (the answers of the command line).
//!
//! Every option also reads a `CONNECT_SSO_*` environment variable, except the repeatable
//! `--sandbox-fault`.

use std::path::PathBuf;

use clap::Args;
use clap::builder::BoolishValueParser;

use super::{AnswerArgs, GlobalArgs};

/// What a group contributes to the two views of a command line.
pub trait Group {
    fn fill(&self, global: &mut GlobalArgs, answers: &mut AnswerArgs);
}

/// The answers file and the instance: what every command about one setup needs.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Answers")]
pub struct InstanceOptions {
    /// Answers file (TOML); flags and environment win over it. `connect-sso answers example`
    /// prints a commented one
    #[arg(long, env = "CONNECT_SSO_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Connect instance ARN (Connect console › instance › Overview)
    #[arg(long, env = "CONNECT_SSO_INSTANCE_ARN", value_name = "ARN")]
    pub instance_arn: Option<String>,
    /// Connect instance id, with --region and --account-id, instead of --instance-arn
    #[arg(long, env = "CONNECT_SSO_INSTANCE_ID", value_name = "ID")]
    pub instance_id: Option<String>,
    /// Account that owns the instance (12 digits), with --instance-id
    #[arg(long, env = "CONNECT_SSO_ACCOUNT_ID", value_name = "ACCOUNT")]
    pub account_id: Option<String>,
}

impl Group for InstanceOptions {
    fn fill(&self, global: &mut GlobalArgs, answers: &mut AnswerArgs) {
        global.config = self.config.clone();
        answers.instance_arn = self.instance_arn.clone();
        answers.instance_id = self.instance_id.clone();
        answers.account_id = self.account_id.clone();
    }
}

/// The instance's region, for the commands that make no AWS call (the others have it among
/// the AWS contexts).
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Answers")]
pub struct RegionOptions {
    /// Region of the instance, with --instance-id
    #[arg(long, env = "CONNECT_SSO_REGION", value_name = "REGION")]
    pub region: Option<String>,
}

impl Group for RegionOptions {
    fn fill(&self, global: &mut GlobalArgs, _: &mut AnswerArgs) {
        global.region = self.region.clone();
    }
}

/// The names and choices of the setup, each with a default.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Answers")]
pub struct SetupOptions {
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
    /// Which AWS sign-in endpoint receives the SAML response [default: global]
    #[arg(
        long,
        env = "CONNECT_SSO_SIGN_IN_ENDPOINT",
        value_name = "global|regional"
    )]
    pub sign_in_endpoint: Option<String>,
}

impl Group for SetupOptions {
    fn fill(&self, _: &mut GlobalArgs, answers: &mut AnswerArgs) {
        answers.identity_store_id = self.identity_store_id.clone();
        answers.app_name = self.app_name.clone();
        answers.app_description = self.app_description.clone();
        answers.provider_name = self.provider_name.clone();
        answers.policy_name = self.policy_name.clone();
        answers.role_name = self.role_name.clone();
        answers.sign_in_endpoint = self.sign_in_endpoint.clone();
    }
}

/// The IAM Identity Center metadata.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Answers")]
pub struct MetadataOptions {
    /// IAM Identity Center SAML metadata: the file, or its https URL (checked, and used for the SAML provider)
    #[arg(long, env = "CONNECT_SSO_METADATA", value_name = "FILE|URL")]
    pub metadata: Option<PathBuf>,
}

impl Group for MetadataOptions {
    fn fill(&self, _: &mut GlobalArgs, answers: &mut AnswerArgs) {
        answers.metadata = self.metadata.clone();
    }
}

/// The IAM Identity Center console's own API, for the steps the public API cannot do.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Answers")]
pub struct ConsoleApiOptions {
    /// Also use the IAM Identity Center console's own API for steps 1, 2, 3-5 and 10 (apply
    /// runs them, doctor checks them, teardown removes the application connect-sso created),
    /// which AWS does not document and may change; needs the sso:
    /// actions of the ConnectSsoConsoleApiOnly statement of `connect-sso permissions`
    #[arg(long, env = "CONNECT_SSO_CONSOLE_API", value_parser = BoolishValueParser::new())]
    pub console_api: bool,
}

impl Group for ConsoleApiOptions {
    fn fill(&self, _: &mut GlobalArgs, answers: &mut AnswerArgs) {
        answers.console_api = self.console_api;
    }
}

/// The people to assign (step 11) and check.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Users")]
pub struct UserOptions {
    /// Identity Center user (user name or email) to assign to the application; repeat it
    #[arg(
        long = "user",
        env = "CONNECT_SSO_USERS",
        value_delimiter = ',',
        value_name = "USER"
    )]
    pub users: Vec<String>,
    /// Identity Center group (display name or group id) to assign to the application, so all
    /// its members can sign in; repeat it
    #[arg(
        long = "group",
        env = "CONNECT_SSO_GROUPS",
        value_delimiter = ',',
        value_name = "GROUP"
    )]
    pub groups: Vec<String>,
}

impl Group for UserOptions {
    fn fill(&self, _: &mut GlobalArgs, answers: &mut AnswerArgs) {
        answers.users = self.users.clone();
        answers.groups = self.groups.clone();
    }
}

/// The Connect users to create for them.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Users")]
pub struct ConnectUserOptions {
    /// Create the Connect users that are missing for the assigned users
    #[arg(long, env = "CONNECT_SSO_CREATE_CONNECT_USERS", value_parser = BoolishValueParser::new())]
    pub create_connect_users: bool,
    #[command(flatten)]
    pub profiles: ProfileOptions,
}

impl Group for ConnectUserOptions {
    fn fill(&self, global: &mut GlobalArgs, answers: &mut AnswerArgs) {
        answers.create_connect_users = self.create_connect_users;
        self.profiles.fill(global, answers);
    }
}

/// The profiles of the Connect users connect-sso creates (apply, users sync).
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Users")]
pub struct ProfileOptions {
    /// Security profile of created Connect users [default: Agent]
    #[arg(long, env = "CONNECT_SSO_SECURITY_PROFILE", value_name = "NAME")]
    pub security_profile: Option<String>,
    /// Routing profile of created Connect users [default: Basic Routing Profile]
    #[arg(long, env = "CONNECT_SSO_ROUTING_PROFILE", value_name = "NAME")]
    pub routing_profile: Option<String>,
}

impl Group for ProfileOptions {
    fn fill(&self, _: &mut GlobalArgs, answers: &mut AnswerArgs) {
        answers.security_profile = self.security_profile.clone();
        answers.routing_profile = self.routing_profile.clone();
    }
}

/// The two AWS contexts, for the commands that call AWS.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "AWS contexts")]
pub struct AwsOptions {
    /// AWS profile of the Connect context (the account that owns the Connect instance)
    #[arg(long, env = "CONNECT_SSO_PROFILE", value_name = "NAME")]
    pub profile: Option<String>,
    /// Region of the Connect context, and of the instance when only its id is given
    #[arg(long, env = "CONNECT_SSO_REGION", value_name = "REGION")]
    pub region: Option<String>,
    /// AWS profile of the identity context (where IAM Identity Center runs); defaults to --profile
    #[arg(long, env = "CONNECT_SSO_IDENTITY_PROFILE", value_name = "NAME")]
    pub identity_profile: Option<String>,
    /// Region of IAM Identity Center; defaults to --region
    #[arg(long, env = "CONNECT_SSO_IDENTITY_REGION", value_name = "REGION")]
    pub identity_region: Option<String>,
    /// Requests per second to send a service at most, instead of AWS's default quota
    /// (connect 2, identitystore 20, sso 20; iam and sts unpaced), e.g. connect=5; repeat it
    #[arg(
        long = "max-rps",
        env = "CONNECT_SSO_MAX_RPS",
        value_delimiter = ',',
        value_name = "SERVICE=N",
        value_parser = max_rps_spec
    )]
    pub max_rps: Vec<String>,
}

/// `--max-rps SERVICE=N`, checked as clap reads it.
fn max_rps_spec(spec: &str) -> Result<String, String> {
    crate::domain::setup::parse_max_rps(spec).map(|_| spec.trim().to_string())
}

impl Group for AwsOptions {
    fn fill(&self, global: &mut GlobalArgs, _: &mut AnswerArgs) {
        global.profile = self.profile.clone();
        global.region = self.region.clone();
        global.identity_profile = self.identity_profile.clone();
        global.identity_region = self.identity_region.clone();
        global.max_rps = self.max_rps.clone();
    }
}

/// The sandbox account, for the commands that call it.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Sandbox")]
pub struct SandboxOptions {
    /// Work on the built-in sandbox account instead of AWS (no credentials needed)
    #[arg(long, env = "CONNECT_SSO_SANDBOX", value_parser = BoolishValueParser::new())]
    pub sandbox: bool,
    /// With --sandbox: start from the seeded account instead of the saved one; apply, teardown and the wizard replace the saved one once they change something
    #[arg(long, env = "CONNECT_SSO_SANDBOX_RESET", value_parser = BoolishValueParser::new())]
    pub sandbox_reset: bool,
    /// With --sandbox: every AWS call takes this long (milliseconds), to watch spinners or cancel
    #[arg(long, env = "CONNECT_SSO_SANDBOX_LATENCY_MS", value_name = "MS")]
    pub sandbox_latency_ms: Option<u64>,
    /// With --sandbox: make calls fail, e.g. deny:iam:CreateRole, throttle:iam:*, deny:*:2 (repeat it)
    #[arg(long = "sandbox-fault", value_name = "SPEC")]
    pub sandbox_faults: Vec<crate::cloud::sandbox::Fault>,
    /// A workshop scenario: its own sandbox account, the setup done then broken in one known
    /// way (implies --sandbox; your own sandbox account is left alone). `list` describes them,
    /// `reveal` is the trainer's answer key
    #[arg(
        long,
        env = "CONNECT_SSO_SANDBOX_SCENARIO",
        value_name = "NAME",
        value_parser = crate::cloud::sandbox::check_scenario_name
    )]
    pub sandbox_scenario: Option<String>,
    /// With --sandbox: add N people to the account's identity store (agent00000@example.com,
    /// ...), 40% of them in groups of 500, some without a Connect user and some whose Connect
    /// user name differs in letter case; again with the same N adds nothing
    #[arg(long, env = "CONNECT_SSO_SANDBOX_PEOPLE", value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub sandbox_people: Option<u32>,
}

impl Group for SandboxOptions {
    fn fill(&self, global: &mut GlobalArgs, _: &mut AnswerArgs) {
        global.sandbox_people = self.sandbox_people;
        global.sandbox = self.sandbox || self.sandbox_scenario.is_some();
        global.sandbox_scenario = self.sandbox_scenario.clone();
        global.sandbox_reset = self.sandbox_reset;
        global.sandbox_latency_ms = self.sandbox_latency_ms;
        global.sandbox_faults = self.sandbox_faults.clone();
    }
}

/// Only `--sandbox`, for the offline commands: the setup of the sandbox account's instance.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Sandbox")]
pub struct SandboxSetupOptions {
    /// The setup of the built-in sandbox account: its instance unless one is given
    #[arg(long, env = "CONNECT_SSO_SANDBOX", value_parser = BoolishValueParser::new())]
    pub sandbox: bool,
}

impl Group for SandboxSetupOptions {
    fn fill(&self, global: &mut GlobalArgs, _: &mut AnswerArgs) {
        global.sandbox = self.sandbox;
    }
}

/// The two views a command's groups fill.
pub fn views(groups: &[&dyn Group]) -> (GlobalArgs, AnswerArgs) {
    let mut global = GlobalArgs::default();
    let mut answers = AnswerArgs::default();
    for g in groups {
        g.fill(&mut global, &mut answers);
    }
    (global, answers)
}
