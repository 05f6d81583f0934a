//! `connect-sso doctor`: every check of the sign-in chain as a table of check, result,
//! evidence and fix; `--format json` for machines. Exit 0 only when sign-in should work.
//! Also `connect-sso troubleshoot`: the troubleshooting catalogue.

use std::io::{self, Write};

use super::account::Access;
use super::apply::connect_cloud;
use super::plan::load_setup;
use super::{DoctorArgs, Format, GlobalArgs, Status, TroubleshootArgs};
use crate::app::{Mode, State};
use crate::cloud::doctor::{DoctorInput, DoctorReport, Verdict, doctor_with_groups};
use crate::cloud::metadata_source::load_source_blocking;
use crate::cloud::sandbox::Sandbox;
use crate::domain::setup::Answers;
use crate::session::{self, Loaded};
use crate::troubleshoot::{TROUBLES, Trouble, trouble};
use crate::ui::clean;

pub fn run(
    global: &GlobalArgs,
    args: &DoctorArgs,
    now: time::OffsetDateTime,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<Status> {
    let mut given = args.answers.to_answers(global);
    if let Some(name) = &args.session {
        match saved_answers(global, name) {
            Ok(saved) => given = given.or(saved),
            Err(message) => {
                writeln!(err, "error: {message}")?;
                return Ok(Status::BadInput);
            }
        }
    }
    let Some((answers, setup)) = load_setup(global, given, err)? else {
        return Ok(Status::BadInput);
    };
    let document = match &answers.metadata {
        Some(path) => match load_source_blocking(&path.to_string_lossy(), now) {
            Ok((_, d)) => Some(d),
            Err(message) => {
                writeln!(err, "error: {message}")?;
                return Ok(Status::BadInput);
            }
        },
        // On the sandbox, its Identity Center's own, once the account is open.
        None => None,
    };
    let console_api = answers.console_api == Some(true);
    let Some(runtime) = super::runtime(err)? else {
        return Ok(Status::CheckFailed);
    };
    let users = answers.users.clone().unwrap_or_default();
    let groups = answers.groups.clone().unwrap_or_default();
    let mut report = runtime.block_on(async {
        let account = connect_cloud(global, &answers, Access::ReadOnly, err).await?;
        let document = document.or_else(|| account.sandbox().map(Sandbox::metadata_document));
        let input = DoctorInput {
            setup: &setup,
            metadata: document.as_deref(),
            users: &users,
            now,
        };
        let shown = super::progress::wanted(if args.json { Format::Json } else { args.format });
        let mut report = super::progress::during(
            shown,
            "checking the sign-in chain",
            doctor_with_groups(account.cloud(), input, &groups),
        )
        .await;
        if console_api {
            let check = console_check(&account, &answers, &setup, now);
            let check = super::progress::during(shown, "reading the application", check).await;
            // After step 1's check, where the application is.
            let at = report
                .checks
                .iter()
                .rposition(|c| c.id == "application")
                .map_or(report.checks.len(), |i| i + 1);
            report.checks.insert(at, check);
        }
        // On the sandbox, a sign-in from the access portal ends the chain, before the values.
        if let Some(sandbox) = account.sandbox() {
            use crate::cloud::doctor::simulated::{insert_sign_in, simulated_sign_in};
            let check = simulated_sign_in(sandbox, &setup, document.as_deref(), &report, now);
            let check = super::progress::during(shown, "signing in", check).await;
            if let Some(check) = check {
                insert_sign_in(&mut report, check);
            }
        }
        Ok::<_, io::Error>(report)
    })?;
    // Each proposed command as it can be run from here.
    let file = global
        .config
        .as_deref()
        .and_then(|p| super::config::load(p).ok());
    let rerun = crate::rerun::Rerun::new(
        global.account(),
        &answers,
        &args.answers.from_env,
        file.as_ref(),
    );
    for c in &mut report.checks {
        if let Some(fix) = &mut c.fix {
            *fix = rerun.complete(fix);
        }
    }
    let format = if args.json { Format::Json } else { args.format };
    match format {
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&report).expect("the report serializes")
        )?,
        Format::Text => render_text(&report, &setup.instance.arn(), out)?,
        Format::Markdown => render_markdown(&report, out)?,
    }
    Ok(if report.passed(args.strict) {
        Status::Ok
    } else {
        Status::CheckFailed
    })
}

/// doctor's `--console-api` check, in the identity context.
async fn console_check(
    account: &super::account::Account,
    answers: &Answers,
    setup: &crate::domain::setup::Setup,
    now: time::OffsetDateTime,
) -> crate::cloud::doctor::Check {
    use crate::cloud::console::ConsoleClient;
    use crate::cloud::doctor::console::{ID, check_console};
    let (connect, identity) = super::context_settings(answers);
    if let Some(sandbox) = account.sandbox() {
        // The sandbox answers the console API and serves its metadata URL itself.
        let fetch = crate::cloud::sandbox::sandbox_fetch(sandbox, now);
        return check_console(sandbox, sandbox, setup, &fetch).await;
    }
    let fetch = crate::cloud::console::ensure::fetch_with(now);
    match ConsoleClient::load(&connect, &identity).await {
        Ok(api) => check_console(&api, account.cloud(), setup, &fetch).await,
        Err(e) => crate::cloud::doctor::Check {
            id: ID,
            subject: "application (console API)".to_string(),
            verdict: Verdict::Error,
            evidence: vec!["could not be checked".to_string()],
            fix: Some(e),
            troubles: Vec::new(),
        },
    }
}

/// The answers of a session saved by the wizard (a workshop scenario's, with
/// `--sandbox-scenario`).
fn saved_answers(global: &GlobalArgs, name: &str) -> Result<Answers, String> {
    session::valid_name(name)?;
    let dir = super::account::work_dir(global)
        .ok_or("no state directory: set HOME or XDG_STATE_HOME to find saved sessions")?;
    let path = session::session_path(&dir, name);
    match session::load(&path)? {
        Loaded::Found(saved) => {
            let mut state = State::new(Mode::Aws, name, &Answers::default());
            state.restore(saved);
            Ok(state.answers())
        }
        Loaded::Missing => Err(format!(
            "no saved session {name} ({}): run the wizard with{} --session {name} first, or give the answers with flags or --config",
            path.display(),
            global.account().flag()
        )),
        Loaded::Corrupt { moved_to, reason } => Err(format!(
            "the saved session {name} is damaged ({reason}); it was moved to {}",
            moved_to.display()
        )),
    }
}

pub fn render_text(report: &DoctorReport, instance: &str, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "connect-sso doctor: {instance}\n")?;
    for c in &report.checks {
        writeln!(
            out,
            "{} {:<5} {:<32} {}",
            c.verdict.symbol(),
            c.verdict.label(),
            c.title(),
            clean(&c.subject)
        )?;
        for e in &c.evidence {
            writeln!(out, "          {}", clean(e))?;
        }
        if c.verdict > Verdict::Info {
            if let Some(fix) = &c.fix {
                writeln!(out, "          fix: {}", clean(fix))?;
            }
            for t in &c.troubles {
                writeln!(out, "          see: connect-sso troubleshoot {t}")?;
            }
        }
    }
    if !report.values.is_empty() {
        writeln!(
            out,
            "\nCompare with what was pasted into Identity Center (character for character):"
        )?;
        let width = report
            .values
            .iter()
            .map(|v| v.label.chars().count())
            .max()
            .unwrap_or(0);
        for v in &report.values {
            writeln!(out, "  {:<width$}  {}", v.label, clean(&v.value))?;
            writeln!(out, "  {:<width$}  ({})", "", v.target)?;
        }
    }
    if let Some(url) = &report.access_portal_url {
        writeln!(out, "\nStart sign-in at the AWS access portal: {url}")?;
    }
    writeln!(out, "\n{}", summary(report))?;
    Ok(())
}

fn render_markdown(report: &DoctorReport, out: &mut dyn Write) -> io::Result<()> {
    let cell = |s: &str| clean(s).replace('|', "\\|");
    writeln!(out, "| Check | Result | Evidence | Fix |")?;
    writeln!(out, "|---|---|---|---|")?;
    for c in &report.checks {
        writeln!(
            out,
            "| {} ({}) | {} {} | {} | {} |",
            c.title(),
            cell(&c.subject),
            c.verdict.symbol(),
            c.verdict.label(),
            c.evidence
                .iter()
                .map(|e| cell(e))
                .collect::<Vec<_>>()
                .join("<br>"),
            c.fix.as_deref().map(cell).unwrap_or_default()
        )?;
    }
    writeln!(out, "\n| Value | Where |\n|---|---|")?;
    for v in &report.values {
        writeln!(out, "| `{}` | {}: {} |", cell(&v.value), v.label, v.target)?;
    }
    if let Some(url) = &report.access_portal_url {
        writeln!(out, "\nStart sign-in at <{url}>.")?;
    }
    writeln!(out, "\n{}", summary(report))
}

fn summary(report: &DoctorReport) -> String {
    let n = |v| report.count(v);
    let head = if report.passed(false) {
        "Sign-in should work"
    } else {
        "Sign-in will not work yet"
    };
    format!(
        "{head}: {} passed, {} warning(s), {} failed, {} not checked.",
        n(Verdict::Pass),
        n(Verdict::Warn),
        n(Verdict::Fail),
        n(Verdict::Error)
    )
}

/// `connect-sso troubleshoot [ID]`: the catalogue, or one entry.
pub fn run_troubleshoot(
    args: &TroubleshootArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<Status> {
    let entries: Vec<&Trouble> = match &args.id {
        None => TROUBLES.iter().collect(),
        Some(id) => match trouble(id) {
            Some(t) => vec![t],
            None => {
                writeln!(
                    err,
                    "error: no troubleshooting entry {id}; the entries are: {}",
                    TROUBLES.iter().map(|t| t.id).collect::<Vec<_>>().join(", ")
                )?;
                return Ok(Status::BadInput);
            }
        },
    };
    match args.format {
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&entries).expect("the catalogue serializes")
        )?,
        Format::Text => {
            for (i, t) in entries.iter().enumerate() {
                if i > 0 {
                    writeln!(out)?;
                }
                writeln!(out, "{}  [{}]", t.title, t.id)?;
                writeln!(out, "  You see: {}", t.symptom)?;
                writeln!(out, "  Why:     {}", t.cause)?;
                writeln!(out, "  Fix:     {}", t.fix)?;
                writeln!(out, "  Found by: {}", t.found_by())?;
            }
        }
        Format::Markdown => {
            for t in entries {
                writeln!(out, "## {}\n", t.title)?;
                writeln!(out, "- **You see:** {}", t.symptom)?;
                writeln!(out, "- **Why:** {}", t.cause)?;
                writeln!(out, "- **Fix:** {}", t.fix)?;
                writeln!(out, "- **Found by:** {}\n", t.found_by())?;
            }
        }
    }
    Ok(Status::Ok)
}
