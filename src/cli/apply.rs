//! `connect-sso apply`: runs every automated step in order against AWS (or the sandbox),
//! idempotently, and lists the manual steps still to do with their values.

use std::io::{self, IsTerminal, Write};

mod console;

pub use super::account::connect as connect_cloud;
use super::account::{Access, Account, open as open_account};
use super::plan::load_setup;
use super::{ApplyArgs, Format, GlobalArgs, Status};
use crate::cloud::apply::{
    ApplyError, Prerequisites, Report, UserRequest, apply_steps, check_prerequisites,
};
use crate::cloud::metadata_source::load_source_blocking;
use crate::cloud::sandbox::Sandbox;
use crate::cloud::teardown::{created_assignments, created_group_assignments};
use crate::cloud::{CUSTOM_SAML_PROVIDER, CallerIdentity};
use crate::domain::setup::Setup;
use crate::plan::Plan;
use crate::ui::clean;

/// What a report stands for, which decides its heading and closing line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// `--dry-run`: only looking.
    DryRun,
    /// What a run would change, shown before asking to confirm it.
    Proposal,
    /// What a run did.
    Done,
}

/// The report in text, as [`render`] writes it for a finished run.
pub fn render_text(report: &Report, setup: &Setup, out: &mut dyn Write) -> io::Result<()> {
    let view = if report.dry_run {
        View::DryRun
    } else {
        View::Done
    };
    render(report, setup, view, out)
}

pub fn render(report: &Report, setup: &Setup, view: View, out: &mut dyn Write) -> io::Result<()> {
    let who = |c: &CallerIdentity| format!("account {} as {}", c.account, clean(&c.arn));
    writeln!(out, "connect context:  {}", who(&report.connect_caller))?;
    writeln!(out, "identity context: {}", who(&report.identity_caller))?;
    writeln!(
        out,
        "instance:         {} ({}, SAML, {})",
        clean(
            report
                .instance
                .alias
                .as_deref()
                .unwrap_or(&report.instance.id)
        ),
        report.instance.arn,
        report.instance.status
    )?;
    match view {
        View::DryRun => writeln!(out, "dry run: nothing is changed")?,
        View::Proposal => writeln!(out, "proposed: nothing is changed until you confirm")?,
        View::Done => {}
    }
    writeln!(out)?;
    match report.applications.as_slice() {
        [] => writeln!(
            out,
            "1   application   not found yet: no custom SAML application is named \"{}\"",
            clean(setup.app_name.as_str())
        )?,
        [one] => writeln!(out, "1   application   found        {}", clean(&one.arn))?,
        many => writeln!(
            out,
            "1   application   {} found with this name: {}",
            many.len(),
            many.iter()
                .map(|a| clean(&a.arn))
                .collect::<Vec<_>>()
                .join(", ")
        )?,
    }
    for o in &report.outcomes {
        writeln!(
            out,
            "{:<3} {:<13} {:<12} {}",
            o.step,
            o.resource,
            o.change.label(),
            o.arn
        )?;
        for d in &o.details {
            writeln!(out, "      {d}")?;
        }
        for w in &o.warnings {
            writeln!(out, "      warning: {w}")?;
        }
    }
    for u in &report.users {
        writeln!(out, "11  user          {}", clean(&u.in_words()))?;
        for p in &u.problems {
            writeln!(out, "      problem: {}", clean(p))?;
        }
    }
    for g in &report.groups {
        writeln!(out, "11  group         {}", clean(&g.in_words()))?;
    }
    if let Some(f) = &report.failure {
        writeln!(
            out,
            "{:<3} {:<13} {:<12} {}",
            f.step,
            f.resource,
            "failed",
            clean(&f.error)
        )?;
    }
    for w in &report.warnings {
        writeln!(out, "warning: {w}")?;
    }
    for p in &report.problems {
        writeln!(out, "problem: {p}")?;
    }
    if !report.manual_steps.is_empty() {
        writeln!(out, "\nManual steps still to do in the consoles:")?;
        let plan = Plan::build(setup, None);
        for (id, title) in &report.manual_steps {
            writeln!(out, "  {id:<4} {title}")?;
            if let Some(step) = plan.steps.iter().find(|s| s.id == *id) {
                for v in &step.values {
                    writeln!(out, "         {}: {}", v.label, v.value)?;
                }
            }
        }
    }
    writeln!(out)?;
    writeln!(out, "{}", closing_line(report, view))
}

/// The last line: what the run changed (or would), in agreement with its exit status.
fn closing_line(report: &Report, view: View) -> String {
    let n = report.changes();
    match view {
        View::DryRun | View::Proposal if n == 0 => {
            "Nothing to change: every automated step is already done.".to_string()
        }
        View::DryRun => {
            format!("{n} automated step(s) would change; run without --dry-run to apply.")
        }
        View::Proposal => format!("{n} automated step(s) would change."),
        View::Done => match &report.failure {
            Some(f) => {
                let before = match n {
                    0 => "nothing was changed before it".to_string(),
                    n => format!("{n} automated step(s) changed before it (listed above)"),
                };
                format!(
                    "Stopped at step {}: {before}. Fix the error, then run apply again: it picks up where it stopped.",
                    f.step
                )
            }
            None if !report.complete() => match n {
                0 => "Nothing changed, but sign-in is not ready yet: see the problems above."
                    .to_string(),
                n => format!(
                    "{n} automated step(s) changed, but sign-in is not ready yet: see the problems above."
                ),
            },
            None if n == 0 => {
                "Nothing to change: every automated step is already done.".to_string()
            }
            None => format!("{n} automated step(s) changed."),
        },
    }
}

/// Step 1 (the custom SAML application) has no API. On the sandbox, when no application
/// has the display name yet, the sandbox stands in for the IAM Identity Center console and
/// adds it (unless this is only a look), so a workshop rehearses the whole flow without the
/// wizard. Called only once the prerequisites passed: a run they stop adds nothing. Returns
/// the line that says so; `None` when the application exists.
fn stand_in_for_step_1(sandbox: &Sandbox, setup: &Setup, dry_run: bool) -> Option<String> {
    let name = setup.app_name.as_str();
    let exists =
        sandbox.snapshot().applications.iter().any(|a| {
            a.application.provider_arn == CUSTOM_SAML_PROVIDER && a.application.name == name
        });
    if exists {
        return None;
    }
    let console = "sandbox: step 1 has no AWS API, so the sandbox stands in for the IAM Identity Center console here";
    Some(if dry_run {
        format!(
            "{console}: applying adds the custom SAML 2.0 application \"{}\"",
            clean(name)
        )
    } else {
        let arn = sandbox.simulate_create_application(name);
        // The console steps after it too, as the plan shows them, so the sign-in works.
        let _ = sandbox.simulate_console_steps(&arn, setup);
        format!(
            "{console} and added the custom SAML 2.0 application \"{}\" ({arn}), configured as the plan shows steps 3-5, 7-9 and 10",
            clean(name)
        )
    })
}

/// Prints what the sandbox did for step 1: on standard output with the text report, on
/// standard error beside JSON.
fn stood_in(
    line: Option<String>,
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<()> {
    match (line, format) {
        (None, _) => Ok(()),
        (Some(line), Format::Json) => writeln!(err, "{line}"),
        (Some(line), _) => writeln!(out, "{line}\n"),
    }
}

pub fn run(
    global: &GlobalArgs,
    args: &ApplyArgs,
    now: time::OffsetDateTime,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<Status> {
    let given = args.answers.to_answers(global);
    let Some((answers, setup)) = load_setup(global, given, err)? else {
        return Ok(Status::BadInput);
    };
    let console_api = answers.console_api == Some(true);
    let document = match (&answers.metadata, global.sandbox) {
        (Some(path), _) => match load_source_blocking(&path.to_string_lossy(), now) {
            Ok((_, d)) => Some(d),
            Err(message) => {
                writeln!(err, "error: {message}")?;
                return Ok(Status::BadInput);
            }
        },
        // The sandbox's Identity Center hands out its own, with the account's certificate:
        // read once the account is open (with --console-api, from the application).
        (None, true) => None,
        // Step 2 takes it from the application.
        (None, false) if console_api => None,
        (None, false) => {
            writeln!(
                err,
                "error: apply needs the IAM Identity Center metadata for step 6a: download it from the application (step 2) and pass --metadata FILE"
            )?;
            return Ok(Status::BadInput);
        }
    };
    let Some(runtime) = super::runtime(err)? else {
        return Ok(Status::CheckFailed);
    };
    runtime.block_on(async {
        let access = Access::unless_dry_run(args.dry_run);
        // Held (with the sandbox account's lock) until the end of this block, after saving.
        let Some(account) = open_account(global, &answers, access, err).await? else {
            return Ok(Status::CheckFailed);
        };
        let document = document
            .or_else(|| {
                account
                    .sandbox()
                    .filter(|_| !console_api)
                    .map(Sandbox::metadata_document)
            })
            .unwrap_or_default();
        // On the sandbox, the sandbox answers the console API too.
        let console = match console_api && account.sandbox().is_none() {
            true => match console::client(&answers).await {
                Ok(c) => Some(c),
                Err(e) => {
                    writeln!(err, "error: {e}")?;
                    return Ok(Status::BadInput);
                }
            },
            false => None,
        };
        let run = Run {
            global,
            args,
            setup: &setup,
            document: &document,
            people: UserRequest::from_answers(&answers),
            groups: answers.groups.clone().unwrap_or_default(),
            now,
            console: console.as_ref(),
            console_api,
        };
        // Whether anything that may change the account ran.
        let mut ran = false;
        let status = run.go(&account, &mut ran, out, err).await;
        // Saved whatever happened: a run that failed half-way has still changed the account.
        if ran {
            account.save(err)?;
        }
        status
    })
}

/// One `apply` run, once its answers are read.
struct Run<'a> {
    global: &'a GlobalArgs,
    args: &'a ApplyArgs,
    setup: &'a Setup,
    document: &'a str,
    people: UserRequest,
    /// Step 11's groups, as the answers name them.
    groups: Vec<String>,
    now: time::OffsetDateTime,
    /// `--console-api`: steps 1, 2, 3-5 and 10 through the console API; `document` is then
    /// empty when no --metadata was given (step 2 gives it).
    console: Option<&'a crate::cloud::console::ConsoleClient>,
    /// `--console-api` was given (on the sandbox `console` is `None`: the sandbox answers).
    console_api: bool,
}

impl Run<'_> {
    /// Checks the prerequisites, shows what would change and asks (unless --yes or
    /// --dry-run), then changes it. `ran` says whether anything that may change the account
    /// ran, so it is saved.
    async fn go(
        &self,
        account: &Account,
        ran: &mut bool,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> io::Result<Status> {
        let args = self.args;
        let cloud = account.cloud();
        // Nothing is created, the sandbox's step 1 included, before these pass.
        let shown = super::progress::wanted(args.format);
        let prerequisites = check_prerequisites(cloud, self.setup);
        let checking = super::progress::during(shown, "checking the prerequisites", prerequisites);
        let mut checked = match checking.await {
            Ok(c) => c,
            Err(e) => {
                writeln!(err, "error: {e}")?;
                return Ok(Status::CheckFailed);
            }
        };
        // Every group is found before anything changes; a typo stops the run here.
        if let Err(e) = checked.resolve_groups(cloud, &self.groups).await {
            writeln!(err, "error: {e}")?;
            return Ok(match e {
                ApplyError::UnknownGroups(_) => Status::BadInput,
                _ => Status::CheckFailed,
            });
        }
        let api: Option<&dyn crate::cloud::console::ConsoleApi> = match account.sandbox() {
            Some(sandbox) => Some(sandbox),
            None => self.console.map(|c| c as _),
        };
        if let Some(api) = api.filter(|_| self.console_api) {
            return self.go_console(api, account, checked, ran, out, err).await;
        }
        // On the sandbox, step 1's application is added by the run itself.
        let adds_application =
            account.sandbox().is_some() && checked.idc.is_some() && checked.applications.is_empty();
        if args.dry_run || !args.yes {
            let looking = self.steps(cloud, checked.clone(), true, adds_application);
            let report =
                super::progress::during(shown, "working out what would change", looking).await;
            if args.dry_run {
                if let Some(sandbox) = account.sandbox() {
                    let line = stand_in_for_step_1(sandbox, self.setup, true);
                    stood_in(line, args.format, out, err)?;
                }
                return self.finish(&report, View::DryRun, out);
            }
            if report.changes() == 0 && !adds_application {
                // Nothing to confirm: the look is the whole run, and nothing is to be done.
                return self.finish(&report, View::Done, out);
            }
            if let Some(sandbox) = account.sandbox() {
                let line = stand_in_for_step_1(sandbox, self.setup, true);
                stood_in(line, args.format, out, err)?;
            }
            self.show(&report, View::Proposal, out)?;
            if let Some(status) = confirm_changes(args.format, out, err)? {
                return Ok(status);
            }
        }
        *ran = true;
        account.begin_changes(err)?;
        if let Some(sandbox) = account.sandbox()
            && adds_application
        {
            stood_in(
                stand_in_for_step_1(sandbox, self.setup, false),
                args.format,
                out,
                err,
            )?;
            if let Err(e) = checked.refresh_applications(cloud, self.setup).await {
                writeln!(err, "error: {e}")?;
                return Ok(Status::CheckFailed);
            }
        }
        let steps = self.steps(cloud, checked, false, false);
        let report = super::progress::during(shown, "running the automated steps", steps).await;
        let ledger = account.ledger_path();
        record_assignments(
            self.global,
            &report,
            self.setup,
            self.now,
            ledger.as_deref(),
            err,
        )?;
        self.finish(&report, View::Done, out).and_then(|status| {
            if let Some(f) = &report.failure {
                writeln!(
                    err,
                    "error: step {} ({}): {}",
                    f.step,
                    f.resource,
                    clean(&f.error)
                )?;
            }
            Ok(status)
        })
    }

    async fn steps(
        &self,
        cloud: &dyn crate::cloud::Cloud,
        checked: Prerequisites,
        dry_run: bool,
        application_pending: bool,
    ) -> Report {
        let setup = self.setup;
        apply_steps(
            cloud,
            setup,
            checked,
            self.document,
            &self.people,
            dry_run,
            application_pending,
        )
        .await
    }

    fn show(&self, report: &Report, view: View, out: &mut dyn Write) -> io::Result<()> {
        match self.args.format {
            Format::Json => writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(report).expect("the report serializes")
            ),
            Format::Text | Format::Markdown => render(report, self.setup, view, out),
        }
    }

    /// Shows the report; the exit status: 0 when everything is done (or would be), 1 when a
    /// step failed or something still blocks sign-in.
    fn finish(&self, report: &Report, view: View, out: &mut dyn Write) -> io::Result<Status> {
        self.show(report, view, out)?;
        Ok(if report.complete() {
            Status::Ok
        } else {
            Status::CheckFailed
        })
    }
}

/// Writes the application assignments this run created to the ledger of the account, so
/// teardown can remove them (and only them) later. A sandbox account in memory only (no
/// `ledger`) ends with the process and records nothing; a ledger that cannot be written is a
/// warning, the assignments exist either way.
fn record_assignments(
    global: &GlobalArgs,
    report: &Report,
    setup: &Setup,
    now: time::OffsetDateTime,
    ledger: Option<&std::path::Path>,
    err: &mut dyn Write,
) -> io::Result<()> {
    let [application] = report.applications.as_slice() else {
        return Ok(());
    };
    if report.dry_run {
        return Ok(());
    }
    let mut entries = created_assignments(setup, &application.arn, &report.users, now);
    entries.extend(created_group_assignments(
        setup,
        &application.arn,
        &report.groups,
        now,
    ));
    if entries.is_empty() || (global.sandbox && ledger.is_none()) {
        return Ok(());
    }
    let Some(path) = ledger else {
        return writeln!(
            err,
            "warning: no state directory ($XDG_STATE_HOME or $HOME): the {} new assignment(s) are not recorded, so teardown will keep them",
            entries.len()
        );
    };
    match crate::ledger::record(path, &entries) {
        Ok(warnings) => {
            for w in warnings {
                writeln!(err, "warning: {w}")?;
            }
        }
        Err(e) => writeln!(
            err,
            "warning: the new assignments are not recorded, so teardown will keep them: {e}"
        )?,
    }
    Ok(())
}

/// After the proposal was shown: asks on a terminal, refuses without one. `Some(status)`
/// ends the run (refused, or not confirmed); `None` goes on.
pub(super) fn confirm_changes(
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<Option<Status>> {
    confirm(
        "apply would change AWS resources",
        "Apply these changes?",
        format,
        out,
        err,
    )
}

/// [`confirm_changes`] for any command: `what` it would change (said when it refuses), and
/// the `question` it asks.
pub(super) fn confirm(
    what: &str,
    question: &str,
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<Option<Status>> {
    let interactive = std::io::stdin().is_terminal() && format == Format::Text;
    if !interactive {
        writeln!(
            err,
            "error: {what}; run it again with --yes to confirm (or --dry-run to only look)"
        )?;
        return Ok(Some(Status::BadInput));
    }
    write!(out, "{question} [y/N] ")?;
    out.flush()?;
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    if !matches!(answer.trim(), "y" | "Y" | "yes" | "Yes") {
        writeln!(out, "Nothing changed.")?;
        return Ok(Some(Status::Ok));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::PrincipalType;
    use crate::cloud::api::*;
    use crate::cloud::apply::apply;
    use crate::cloud::sandbox::{SANDBOX_INSTANCE_ARN, SANDBOX_METADATA, SANDBOX_USERS, Sandbox};
    use crate::domain::setup::Answers;

    #[test]
    fn on_the_sandbox_the_sandbox_does_step_1_unless_only_looking() {
        let sb = Sandbox::new();
        let setup = Setup::from_answers(&Answers {
            instance_arn: Some(SANDBOX_INSTANCE_ARN.to_string()),
            ..Answers::default()
        })
        .unwrap();
        let look = stand_in_for_step_1(&sb, &setup, true).expect("a line");
        assert!(look.starts_with("sandbox: step 1 has no AWS API"), "{look}");
        assert!(look.contains("applying adds"), "{look}");
        assert!(sb.snapshot().applications.is_empty());

        let done = stand_in_for_step_1(&sb, &setup, false).expect("a line");
        assert!(
            done.contains("stands in for the IAM Identity Center console"),
            "{done}"
        );
        let apps = sb.snapshot().applications;
        assert_eq!(apps.len(), 1);
        assert_eq!(apps[0].application.name, setup.app_name.as_str());
        assert_eq!(apps[0].application.provider_arn, CUSTOM_SAML_PROVIDER);
        assert!(done.contains(&apps[0].application.arn), "{done}");
        // Once it exists, nothing more is done or said.
        assert_eq!(stand_in_for_step_1(&sb, &setup, false), None);
        assert_eq!(sb.snapshot().applications.len(), 1);
    }

    #[tokio::test]
    async fn created_assignments_are_recorded_in_the_ledger_of_their_account() {
        let sb = Sandbox::new();
        let setup = Setup::from_answers(&Answers {
            instance_arn: Some(SANDBOX_INSTANCE_ARN.to_string()),
            ..Answers::default()
        })
        .unwrap();
        let app = sb.simulate_create_application(setup.app_name.as_str());
        // Assigned before: not recorded, so teardown keeps it.
        sb.create_application_assignment(&app, PrincipalType::User, SANDBOX_USERS[1].user_id)
            .await
            .unwrap();
        let people = UserRequest {
            users: vec![
                SANDBOX_USERS[0].user_name.to_string(),
                SANDBOX_USERS[1].user_name.to_string(),
            ],
            create_connect_users: None,
        };
        let dry = apply(&sb, &setup, SANDBOX_METADATA, &people, true)
            .await
            .unwrap();
        let report = apply(&sb, &setup, SANDBOX_METADATA, &people, false)
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = crate::ledger::ledger_path(dir.path());
        let now = time::OffsetDateTime::now_utc();
        let mut err = Vec::new();

        let on_sandbox = GlobalArgs {
            sandbox: true,
            ..GlobalArgs::default()
        };
        // A sandbox account in memory only has no ledger, and says nothing about it.
        record_assignments(&on_sandbox, &report, &setup, now, None, &mut err).unwrap();
        assert!(err.is_empty(), "{}", String::from_utf8_lossy(&err));
        // A saved sandbox account has its own ledger.
        let sandbox_ledger =
            crate::ledger::beside_account(&dir.path().join("sandbox/account.json"));
        record_assignments(
            &on_sandbox,
            &report,
            &setup,
            now,
            Some(&sandbox_ledger),
            &mut err,
        )
        .unwrap();
        let (recorded, _) = crate::ledger::load(&sandbox_ledger).unwrap();
        assert_eq!(recorded.assignments.len(), 1);
        let on_aws = GlobalArgs::default();
        record_assignments(&on_aws, &dry, &setup, now, Some(&path), &mut err).unwrap();
        assert!(!path.exists(), "a dry run records nothing");

        record_assignments(&on_aws, &report, &setup, now, Some(&path), &mut err).unwrap();
        let (ledger, _) = crate::ledger::load(&path).unwrap();
        let ids: Vec<&str> = ledger
            .assignments
            .iter()
            .map(|e| e.principal_id.as_str())
            .collect();
        assert_eq!(ids, [SANDBOX_USERS[0].user_id]);
        assert_eq!(ledger.assignments[0].application_arn, app);

        record_assignments(&on_aws, &report, &setup, now, None, &mut err).unwrap();
        let err = String::from_utf8(err).unwrap();
        assert!(err.contains("teardown will keep them"), "{err}");
    }
}
