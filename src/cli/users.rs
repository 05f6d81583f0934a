//! `connect-sso users sync`: a Connect user for everyone the application reaches, created as
//! sign-in will look for it; the people it cannot help (near misses, no email) and the
//! Connect users nobody maps to are reported. `--dry-run` only shows the plan; without
//! `--yes` it asks on a terminal and refuses without one. `--prune` also removes the
//! unmapped users that `users sync` created (recorded in the ledger, or tagged so), never
//! any other. The work itself is [`crate::cloud::sync`].

use std::io::{self, Write};

use clap::builder::BoolishValueParser;
use clap::{Args, Subcommand};
use serde_json::{Value, json};

use super::account::{self, Access};
use super::options::{
    AwsOptions, Group, InstanceOptions, ProfileOptions, SandboxOptions, SetupOptions,
};
use super::plan::load_setup;
use super::{AnswerArgs, Format, GlobalArgs, Status, help};
use crate::cloud::ConnectUser;
use crate::cloud::ensure::ConnectUserTemplate;
use crate::cloud::sync::{
    NewPerson, SyncObserver, SyncOptions, SyncPlan, SyncReport, plan_sync, run_sync,
};
use crate::ledger;
use crate::ui::clean;

/// Lists longer than this are cut in text output (JSON has them whole).
const SHOWN: usize = 20;

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Create the Connect users missing for everyone the application reaches (its users and
    /// the members of its groups); report near misses and unmapped Connect users
    #[command(after_help = help::after_help("users sync"))]
    Sync(Box<SyncArgs>),
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Show what would change without changing anything
    #[arg(long)]
    pub dry_run: bool,
    /// Create without asking for confirmation (needed when there is no terminal)
    #[arg(long, short = 'y', env = "CONNECT_SSO_YES", value_parser = BoolishValueParser::new())]
    pub yes: bool,
    /// Also remove the Connect users no assigned person maps to, among those users sync
    /// created itself (recorded in the ledger or tagged connect-sso:created-by); never others
    #[arg(long)]
    pub prune: bool,
    #[command(flatten)]
    pub(super) instance: InstanceOptions,
    #[command(flatten)]
    pub(super) setup: SetupOptions,
    #[command(flatten)]
    pub(super) profiles: ProfileOptions,
    #[command(flatten)]
    pub(super) aws: AwsOptions,
    #[command(flatten)]
    pub(super) sandbox: SandboxOptions,
    /// Output format (markdown prints text)
    #[arg(long, value_enum, default_value_t = Format::Text, env = "CONNECT_SSO_FORMAT", help_heading = "Output")]
    pub format: Format,
    /// The answers of the command line (filled in by parsing).
    #[arg(skip)]
    pub answers: AnswerArgs,
}

impl SyncArgs {
    pub(super) fn groups(&self) -> Vec<&dyn Group> {
        vec![
            &self.instance,
            &self.setup,
            &self.profiles,
            &self.aws,
            &self.sandbox,
        ]
    }
}

pub fn run(
    global: &GlobalArgs,
    command: &UsersCommand,
    now: time::OffsetDateTime,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<Status> {
    match command {
        UsersCommand::Sync(args) => sync(global, args, now, out, err),
    }
}

fn sync(
    global: &GlobalArgs,
    args: &SyncArgs,
    now: time::OffsetDateTime,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<Status> {
    let given = args.answers.to_answers(global);
    let Some((answers, setup)) = load_setup(global, given, err)? else {
        return Ok(Status::BadInput);
    };
    let template = ConnectUserTemplate::from_answers(&answers);
    let Some(runtime) = super::runtime(err)? else {
        return Ok(Status::CheckFailed);
    };
    runtime.block_on(async {
        let access = Access::unless_dry_run(args.dry_run);
        // Held (with the sandbox account's lock) until the end of this block, after saving.
        let Some(account) = account::open(global, &answers, access, err).await? else {
            return Ok(Status::CheckFailed);
        };
        let cloud = account.cloud();
        // A pending --sandbox-reset: the ledger belongs to the account being replaced.
        let ledger = account.ledger_path().filter(|_| !account.reset_pending());
        let mut options = SyncOptions {
            template,
            prune: args.prune,
            recorded: Default::default(),
        };
        if args.prune
            && let Some(path) = &ledger
        {
            match ledger::load(path) {
                Ok((l, warning)) => {
                    if let Some(w) = warning {
                        writeln!(err, "warning: {w}")?;
                    }
                    options.recorded = l
                        .connect_users
                        .into_iter()
                        .filter(|e| e.instance_id == setup.instance.id.as_str())
                        .map(|e| e.user_id)
                        .collect();
                }
                Err(e) => writeln!(
                    err,
                    "warning: {e}; --prune recognises only the users tagged {}",
                    crate::cloud::sync::CREATED_BY_KEY
                )?,
            }
        }
        let shown = super::progress::wanted(args.format);
        let reading = plan_sync(cloud, &setup, &options);
        let plan =
            super::progress::during(shown, "reading assignments, groups and users", reading).await;
        let plan = match plan {
            Ok(p) => p,
            Err(e) => {
                writeln!(err, "error: {}", clean(&e.to_string()))?;
                return Ok(Status::CheckFailed);
            }
        };
        let instance = setup.instance.arn();
        if args.dry_run || plan.changes() == 0 {
            let view = if args.dry_run {
                View::DryRun
            } else {
                View::Done
            };
            show(&plan, None, view, &instance, args.format, out)?;
            return Ok(Status::Ok);
        }
        if !args.yes {
            show(&plan, None, View::Proposal, &instance, args.format, out)?;
            let what = format!(
                "users sync would create {} and remove {} Connect user(s)",
                plan.to_create.len(),
                plan.to_prune.len()
            );
            let question = "Make these changes?";
            if let Some(status) = super::apply::confirm(&what, question, args.format, out, err)? {
                return Ok(status);
            }
        }
        account.begin_changes(err)?;
        if ledger.is_none() && !global.sandbox {
            writeln!(
                err,
                "warning: no state directory ($XDG_STATE_HOME or $HOME): the users created are not recorded in the ledger; --prune still knows them by their tag"
            )?;
        }
        let observer = Recorder {
            ledger: ledger::SyncRecorder::new(ledger.as_deref(), now),
            counter: super::progress::Counter::new(shown, "syncing Connect users", plan.changes()),
        };
        let report = run_sync(cloud, plan, &observer).await;
        observer.counter.finish();
        account.save(err)?;
        for w in observer.ledger.warnings() {
            writeln!(err, "warning: {w}")?;
        }
        show(
            &report.plan,
            Some(&report),
            View::Done,
            &instance,
            args.format,
            out,
        )?;
        for f in report.failed.iter().chain(&report.prune_failed) {
            writeln!(err, "error: {}: {}", f.connect_username, clean(&f.error))?;
        }
        Ok(if report.complete() {
            Status::Ok
        } else {
            Status::CheckFailed
        })
    })
}

/// Writes each change to the ledger as it is made ([`ledger::SyncRecorder`], so a run killed
/// later still has it recorded), and moves the counter.
struct Recorder {
    ledger: ledger::SyncRecorder,
    counter: super::progress::Counter,
}

impl SyncObserver for Recorder {
    fn created(&self, person: &NewPerson, user: &ConnectUser) {
        self.ledger.created(person, user);
    }

    fn deleted(&self, user: &ConnectUser) {
        self.ledger.deleted(user);
    }

    fn progress(&self, done: usize, _total: usize) {
        self.counter.set(done);
    }
}

/// What the output is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum View {
    /// `--dry-run`: the plan, nothing changed.
    DryRun,
    /// The plan, before asking to carry it out.
    Proposal,
    /// What was done (or found with nothing to do).
    Done,
}

fn show(
    plan: &SyncPlan,
    report: Option<&SyncReport>,
    view: View,
    instance: &str,
    format: Format,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&json_view(plan, report, view == View::DryRun))
                .expect("the report serializes")
        ),
        Format::Text | Format::Markdown => render_text(plan, report, view, instance, out),
    }
}

/// The JSON output: the same keys whatever was done (empty lists when nothing).
pub fn json_view(plan: &SyncPlan, report: Option<&SyncReport>, dry_run: bool) -> Value {
    let empty = Vec::<Value>::new();
    let list = |v: Option<Value>| v.unwrap_or_else(|| json!(empty));
    let counts = &plan.counts;
    json!({
        "dry_run": dry_run,
        "instance_id": plan.instance_id,
        "application_arn": plan.application_arn,
        "security_profile": plan.security_profile,
        "routing_profile": plan.routing_profile,
        "counts": {
            "assigned": counts.assigned,
            "groups": plan.groups,
            "with_connect_user": counts.with_connect_user,
            "missing": counts.missing,
            "near_misses": counts.near_misses,
            "without_email": counts.without_email,
            "not_in_store": counts.not_in_store,
            "unmapped": counts.unmapped,
            "to_prune": counts.to_prune,
            "created": report.map_or(0, |r| r.created.len()),
            "already_there": report.map_or(0, |r| r.already_there.len()),
            "failed": report.map_or(0, |r| r.failed.len()),
            "not_started": report.map_or(0, |r| r.not_started.len()),
            "pruned": report.map_or(0, |r| r.pruned.len()),
        },
        "to_create": plan.to_create,
        "present": plan.present,
        "near_misses": plan.near_misses,
        "without_email": plan.without_email,
        "not_in_store": plan.not_in_store,
        "unmapped": plan.unmapped,
        "to_prune": plan.to_prune,
        "created": list(report.map(|r| json!(r.created))),
        "already_there": list(report.map(|r| json!(r.already_there))),
        "failed": list(report.map(|r| json!(r.failed))),
        "not_started": list(report.map(|r| json!(r.not_started))),
        "pruned": list(report.map(|r| json!(r.pruned))),
        "prune_failed": list(report.map(|r| json!(r.prune_failed))),
    })
}

/// At most [`SHOWN`] lines of `items`, then how many more.
fn cut<T>(
    out: &mut dyn Write,
    title: &str,
    items: &[T],
    line: impl Fn(&T) -> String,
) -> io::Result<()> {
    if items.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n{title} ({}):", items.len())?;
    for item in items.iter().take(SHOWN) {
        writeln!(out, "  {}", clean(&line(item)))?;
    }
    if items.len() > SHOWN {
        writeln!(
            out,
            "  ... and {} more (--format json lists them all)",
            items.len() - SHOWN
        )?;
    }
    Ok(())
}

fn render_text(
    plan: &SyncPlan,
    report: Option<&SyncReport>,
    view: View,
    instance: &str,
    out: &mut dyn Write,
) -> io::Result<()> {
    let c = &plan.counts;
    writeln!(out, "connect-sso users sync: {instance}")?;
    writeln!(
        out,
        "application {}: {} people reached ({} group(s) assigned)",
        plan.application_arn, c.assigned, plan.groups
    )?;
    let created = report.map_or(0, |r| r.created.len());
    let rows = [
        ("with a Connect user", c.with_connect_user),
        (
            match report {
                Some(_) => "created",
                None => "to create",
            },
            if report.is_some() { created } else { c.missing },
        ),
        ("near misses (not created)", c.near_misses),
        ("without an email", c.without_email),
        ("assigned, not in the identity store", c.not_in_store),
        ("unmapped Connect users", c.unmapped),
    ];
    for (label, n) in rows {
        writeln!(out, "  {label:<36} {n:>6}")?;
    }
    if plan.to_prune.len() + report.map_or(0, |r| r.pruned.len()) > 0 {
        let (label, n) = match report {
            Some(r) => ("removed (--prune)", r.pruned.len()),
            None => ("to remove (--prune)", plan.to_prune.len()),
        };
        writeln!(out, "  {label:<36} {n:>6}")?;
    }
    let person = |p: &NewPerson| {
        let note = p
            .note
            .as_deref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        format!(
            "{} ({} {}){note}",
            p.connect_username, p.first_name, p.last_name
        )
    };
    match report {
        None => cut(out, "To create", &plan.to_create, person)?,
        Some(r) => {
            cut(out, "Created", &r.created, |u| {
                format!("{} ({})", u.connect_username, u.connect_user_id)
            })?;
            cut(
                out,
                "Created meanwhile by someone else",
                &r.already_there,
                |u| u.connect_username.clone(),
            )?;
            cut(out, "Not created", &r.failed, |f| {
                format!("{}: {}", f.connect_username, f.error)
            })?;
            cut(
                out,
                "Not attempted after the failure above",
                &r.not_started,
                |n| n.clone(),
            )?;
        }
    }
    cut(
        out,
        "Near misses (sign-in will not find them)",
        &plan.near_misses,
        |n| {
            format!(
                "{}: Connect has {}; fix: {}",
                n.connect_username,
                n.existing.join(", "),
                n.fix
            )
        },
    )?;
    cut(out, "Without an email", &plan.without_email, |u| {
        format!("{}: fix: {}", u.user_name, u.fix)
    })?;
    cut(
        out,
        "Assigned but not in the identity store",
        &plan.not_in_store,
        |id| format!("{id}: remove the stale assignment in Identity Center"),
    )?;
    let own: Vec<&str> = plan.to_prune.iter().map(|p| p.user.id.as_str()).collect();
    cut(
        out,
        "Connect users no assigned person maps to",
        &plan.unmapped,
        |u| {
            let mark = if own.contains(&u.id.as_str()) {
                " (created by users sync)"
            } else {
                ""
            };
            format!("{}{mark}", u.username)
        },
    )?;
    writeln!(out)?;
    let closing = match report {
        Some(r) if r.complete() => format!(
            "Done: {} Connect user(s) created{}.",
            r.created.len(),
            if r.pruned.is_empty() {
                String::new()
            } else {
                format!(", {} removed", r.pruned.len())
            }
        ),
        Some(r) => format!(
            "Not finished: {} created, {} failed, {} not attempted; run users sync again once the cause is fixed (it picks up where this run stopped).",
            r.created.len(),
            r.failed.len() + r.prune_failed.len(),
            r.not_started.len()
        ),
        None if plan.changes() == 0 => {
            "Nothing to do: everyone the application reaches who can have a Connect user has one."
                .to_string()
        }
        None if view == View::DryRun => format!(
            "Dry run: {} Connect user(s) would be created{}; nothing was changed.",
            plan.to_create.len(),
            if plan.to_prune.is_empty() {
                String::new()
            } else {
                format!(" and {} removed", plan.to_prune.len())
            }
        ),
        None => "proposed: nothing is changed until you confirm".to_string(),
    };
    if !closing.is_empty() {
        writeln!(out, "{closing}")?;
    }
    if !plan.unmapped.is_empty() && plan.to_prune.is_empty() && report.is_none() {
        writeln!(
            out,
            "Unmapped Connect users are kept; --prune removes only those users sync created."
        )?;
    }
    Ok(())
}
