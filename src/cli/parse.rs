//! From the clap definition ([`CommandLine`]) to the command line the commands run on
//! ([`Cli`]): each command's option groups fill its [`GlobalArgs`] and [`AnswerArgs`], and
//! an option given before the command name (`connect-sso --sandbox apply`) counts as given
//! to the command when the command has it. Before a command that does not have it, it is a
//! usage error rather than silently ignored. Precedence stays flag > environment: a flag
//! after the command name wins over the same flag before it, and a flag before it wins over
//! the environment.

use clap::error::ErrorKind;
use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser};

use super::options::{Group, views};
use super::{AnswerArgs, Cli, Command, CommandLine, GlobalArgs, WizardArgs};

/// Applies `take(id)` to each field named: when true, the field comes from `top`.
macro_rules! take_fields {
    ($take:ident, $sub:ident, $top:ident; $($field:ident),* $(,)?) => {
        $(
            if $take(stringify!($field)) {
                $sub.$field = std::mem::take(&mut $top.$field);
            }
        )*
    };
}

/// The ids of the options that a command may take from before its name: the fields of
/// [`GlobalArgs`] and [`AnswerArgs`].
const SHARED: &[&str] = &[
    "profile",
    "region",
    "identity_profile",
    "identity_region",
    "max_rps",
    "config",
    "sandbox",
    "sandbox_latency_ms",
    "sandbox_faults",
    "sandbox_reset",
    "sandbox_people",
    "sandbox_scenario",
    "instance_arn",
    "instance_id",
    "account_id",
    "identity_store_id",
    "app_name",
    "app_description",
    "provider_name",
    "policy_name",
    "role_name",
    "metadata",
    "sign_in_endpoint",
    "users",
    "groups",
    "create_connect_users",
    "security_profile",
    "routing_profile",
];

/// The wizard's own options: they go after a command's name, where the command has them.
const WIZARD_ONLY: &[&str] = &["session", "new_session", "plain", "yes"];

impl WizardArgs {
    fn views(&self) -> (GlobalArgs, AnswerArgs) {
        views(&[
            &self.instance,
            &self.setup,
            &self.metadata,
            &self.users,
            &self.connect_users,
            &self.aws,
            &self.sandbox,
        ])
    }
}

impl Command {
    /// The groups of the command's options; none for the commands without answers.
    fn groups(&self) -> Vec<&dyn Group> {
        match self {
            Command::Plan(a) => vec![&a.instance, &a.region, &a.setup, &a.metadata, &a.sandbox],
            Command::Apply(a) => vec![
                &a.instance,
                &a.setup,
                &a.metadata,
                &a.console_api,
                &a.users,
                &a.connect_users,
                &a.aws,
                &a.sandbox,
            ],
            Command::Export(a) => {
                vec![&a.instance, &a.region, &a.setup, &a.metadata, &a.sandbox]
            }
            Command::Doctor(a) => vec![
                &a.instance,
                &a.setup,
                &a.metadata,
                &a.console_api,
                &a.users,
                &a.aws,
                &a.sandbox,
            ],
            Command::Teardown(a) => {
                vec![&a.instance, &a.setup, &a.console_api, &a.aws, &a.sandbox]
            }
            Command::InspectAssertion(a) => {
                vec![&a.instance, &a.setup, &a.metadata, &a.aws, &a.sandbox]
            }
            Command::SignInTest(a) => {
                vec![&a.instance, &a.setup, &a.metadata, &a.aws, &a.sandbox]
            }
            Command::Permissions(a) => vec![&a.instance, &a.region, &a.setup],
            Command::Users(super::users::UsersCommand::Sync(a)) => a.groups(),
            Command::Troubleshoot(_)
            | Command::Metadata(_)
            | Command::Answers(_)
            | Command::Completions(_)
            | Command::Man(_) => Vec::new(),
        }
    }

    /// Where the command keeps the answers of its command line, if it takes answers.
    fn answers_mut(&mut self) -> Option<&mut AnswerArgs> {
        match self {
            Command::Plan(a) => Some(&mut a.answers),
            Command::Apply(a) => Some(&mut a.answers),
            Command::Export(a) => Some(&mut a.answers),
            Command::Doctor(a) => Some(&mut a.answers),
            Command::Teardown(a) => Some(&mut a.answers),
            Command::InspectAssertion(a) => Some(&mut a.answers),
            Command::SignInTest(a) => Some(&mut a.answers),
            Command::Permissions(a) => Some(&mut a.answers),
            Command::Users(super::users::UsersCommand::Sync(a)) => Some(&mut a.answers),
            Command::Troubleshoot(_)
            | Command::Metadata(_)
            | Command::Answers(_)
            | Command::Completions(_)
            | Command::Man(_) => None,
        }
    }
}

fn on_command_line(m: &ArgMatches, id: &str) -> bool {
    m.value_source(id) == Some(ValueSource::CommandLine)
}

/// The shared options whose value `m` took from the environment.
fn from_environment(m: &ArgMatches, except: &[&str]) -> Vec<&'static str> {
    SHARED
        .iter()
        .copied()
        .filter(|id| !except.contains(id))
        .filter(|id| {
            m.try_get_raw(id).is_ok_and(|v| v.is_some())
                && m.value_source(id) == Some(ValueSource::EnvVariable)
        })
        .collect()
}

/// How the option `id` of `cmd` is written: `--sandbox-fault`.
fn flag(cmd: &clap::Command, id: &str) -> String {
    cmd.get_arguments()
        .find(|a| a.get_id() == id)
        .and_then(|a| a.get_long())
        .map_or_else(|| id.replace('_', "-"), |l| format!("--{l}"))
}

fn usage_error(kind: ErrorKind, message: String) -> clap::Error {
    clap::Error::raw(kind, message)
}

/// Resolves a parsed [`CommandLine`]: see the module's documentation.
fn resolve(parsed: CommandLine, m: &ArgMatches) -> Result<Cli, clap::Error> {
    let CommandLine {
        mut wizard,
        command,
    } = parsed;
    let (top_global, mut top_answers) = wizard.views();
    let Some(mut command) = command else {
        top_answers.from_env = from_environment(m, &[]);
        wizard.answers = top_answers;
        return Ok(Cli {
            global: top_global,
            wizard,
            command: None,
        });
    };
    let Some((name, sub_m)) = m.subcommand() else {
        return Err(usage_error(
            ErrorKind::MissingSubcommand,
            "no command was parsed".to_string(),
        ));
    };
    let top = CommandLine::command();
    let sub = top
        .find_subcommand(name)
        .ok_or_else(|| usage_error(ErrorKind::InvalidSubcommand, format!("no command {name}")))?;
    let has = |id: &str| sub.get_arguments().any(|a| a.get_id() == id);
    let mut from_top: Vec<&str> = Vec::new();
    for &id in SHARED.iter().chain(WIZARD_ONLY) {
        if !on_command_line(m, id) {
            continue;
        }
        let option = flag(&top, id);
        if !has(id) {
            return Err(usage_error(
                ErrorKind::UnknownArgument,
                format!(
                    "{option} is not an option of `connect-sso {name}`; see `connect-sso {name} --help`"
                ),
            ));
        }
        if WIZARD_ONLY.contains(&id) {
            return Err(usage_error(
                ErrorKind::UnknownArgument,
                format!(
                    "{option} before `{name}` is the wizard's option; put it after the command: `connect-sso {name} {option} ...`"
                ),
            ));
        }
        if !on_command_line(sub_m, id) {
            from_top.push(id);
        }
    }
    let (mut global, mut answers) = views(&command.groups());
    let mut top_global = top_global;
    let take = |id: &str| from_top.contains(&id);
    take_fields!(take, global, top_global;
        profile, region, identity_profile, identity_region, max_rps, config,
        sandbox, sandbox_latency_ms, sandbox_faults, sandbox_reset, sandbox_scenario,
        sandbox_people);
    // A scenario given before the command name is the sandbox too.
    global.sandbox |= global.sandbox_scenario.is_some();
    take_fields!(take, answers, top_answers;
        instance_arn, instance_id, account_id, identity_store_id, app_name, app_description,
        provider_name, policy_name, role_name, metadata, sign_in_endpoint, users, groups,
        create_connect_users, security_profile, routing_profile);
    answers.from_env = from_environment(sub_m, &from_top);
    if let Some(slot) = command.answers_mut() {
        *slot = answers;
    }
    Ok(Cli {
        global,
        wizard,
        command: Some(command),
    })
}

impl FromArgMatches for Cli {
    fn from_arg_matches(m: &ArgMatches) -> Result<Self, clap::Error> {
        resolve(CommandLine::from_arg_matches(m)?, m)
    }

    fn update_from_arg_matches(&mut self, m: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(m)?;
        Ok(())
    }
}

impl CommandFactory for Cli {
    fn command() -> clap::Command {
        CommandLine::command()
    }

    fn command_for_update() -> clap::Command {
        CommandLine::command_for_update()
    }
}

impl Parser for Cli {}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("connect-sso").chain(args.iter().copied()))
    }

    #[test]
    fn the_definition_is_consistent() {
        CommandLine::command().debug_assert();
    }

    #[test]
    fn shared_ids_are_options_of_the_wizard() {
        let top = CommandLine::command();
        for id in SHARED.iter().chain(WIZARD_ONLY) {
            assert!(top.get_arguments().any(|a| a.get_id() == *id), "{id}");
        }
    }

    #[test]
    fn options_before_the_command_count_for_it() {
        let cli = parse(&[
            "--sandbox",
            "--sandbox-fault",
            "deny:iam:CreateRole",
            "apply",
        ])
        .unwrap();
        assert!(cli.global.sandbox);
        assert_eq!(cli.global.sandbox_faults.len(), 1);
        let cli = parse(&["--role-name", "Top", "apply", "--user", "a@example.com"]).unwrap();
        let Some(Command::Apply(a)) = &cli.command else {
            panic!("apply")
        };
        assert_eq!(a.answers.role_name.as_deref(), Some("Top"));
        assert_eq!(a.answers.users, ["a@example.com"]);
        // After the name wins over before it.
        let cli = parse(&["--role-name", "Top", "plan", "--role-name", "Sub"]).unwrap();
        let Some(Command::Plan(a)) = &cli.command else {
            panic!("plan")
        };
        assert_eq!(a.answers.role_name.as_deref(), Some("Sub"));
        // The instance's region of an offline command.
        let cli = parse(&["--region", "eu-west-2", "plan"]).unwrap();
        assert_eq!(cli.global.region.as_deref(), Some("eu-west-2"));
    }

    #[test]
    fn options_before_a_command_without_them_are_refused() {
        let e = parse(&["--sandbox-fault", "deny:*", "troubleshoot"]).unwrap_err();
        assert!(e.to_string().contains("--sandbox-fault"), "{e}");
        assert!(e.to_string().contains("troubleshoot"), "{e}");
        assert_eq!(e.exit_code(), 2);
        let e = parse(&["--create-connect-users", "doctor"]).unwrap_err();
        assert!(e.to_string().contains("--create-connect-users"), "{e}");
        let e = parse(&["--session", "acme", "doctor"]).unwrap_err();
        assert!(e.to_string().contains("put it after"), "{e}");
        assert!(parse(&["--sandbox", "metadata", "check", "f.xml"]).is_err());
    }

    #[test]
    fn the_wizard_gets_every_group() {
        let cli = parse(&[
            "--sandbox",
            "--user",
            "a",
            "--create-connect-users",
            "--plain",
        ])
        .unwrap();
        assert!(cli.command.is_none());
        assert!(cli.global.sandbox);
        assert!(cli.wizard.plain);
        assert!(cli.wizard.answers.create_connect_users);
        assert_eq!(cli.wizard.answers.users, ["a"]);
    }
}
