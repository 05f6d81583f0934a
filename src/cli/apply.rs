//! `connect-sso apply`: runs every automated step in order against AWS (or the sandbox),
//! idempotently, and lists the manual steps still to do with their values.

use std::io::{self, IsTerminal, Write};

use super::plan::load_setup;
use super::{ApplyArgs, Format, GlobalArgs, Status};
use crate::cloud::apply::{Report, UserRequest, apply};
use crate::cloud::ensure::Change;
use crate::cloud::metadata_source::load_source_blocking;
use crate::cloud::sandbox;
use crate::cloud::sdk::SdkCloud;
use crate::cloud::{CallerIdentity, Cloud};
use crate::domain::setup::{Answers, Setup};
use crate::plan::Plan;
use crate::ui::clean;

pub fn render_text(report: &Report, setup: &Setup, out: &mut dyn Write) -> io::Result<()> {
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
    if report.dry_run {
        writeln!(out, "dry run: nothing is changed")?;
    }
    writeln!(out)?;
    match report.applications.as_slice() {
        [] => writeln!(
            out,
            "1   application   not found yet: no custom SAML application is named \"{}\"",
            setup.app_name
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
        let state = |c: Option<Change>| c.map_or("-", Change::label);
        writeln!(
            out,
            "11  user          {:<12} {} (Connect user {}: {})",
            state(u.assignment),
            clean(&u.requested),
            clean(u.connect_username.as_deref().unwrap_or("?")),
            state(u.connect_user)
        )?;
        for p in &u.problems {
            writeln!(out, "      problem: {}", clean(p))?;
        }
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
    let changes = report.changes();
    writeln!(out)?;
    match (report.dry_run, changes) {
        (_, 0) => writeln!(
            out,
            "Nothing to change: every automated step is already done."
        )?,
        (true, n) => writeln!(
            out,
            "{n} automated step(s) would change; run without --dry-run to apply."
        )?,
        (false, n) => writeln!(out, "{n} automated step(s) changed.")?,
    }
    Ok(())
}

/// Builds the cloud the command works on: the sandbox account, or AWS with two contexts.
pub async fn connect_cloud(global: &GlobalArgs, answers: &Answers) -> Box<dyn Cloud> {
    if global.sandbox {
        return Box::new(global.sandbox_account());
    }
    let (connect, identity) = super::context_settings(answers);
    Box::new(SdkCloud::load(&connect, &identity).await)
}

pub fn run(
    global: &GlobalArgs,
    args: &ApplyArgs,
    now: time::OffsetDateTime,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<Status> {
    let mut given = args.answers.to_answers(global);
    if global.sandbox && given.instance_arn.is_none() && given.instance_id.is_none() {
        given.instance_arn = Some(sandbox::SANDBOX_INSTANCE_ARN.to_string());
    }
    let Some((answers, setup)) = load_setup(global, given, err)? else {
        return Ok(Status::BadInput);
    };
    let document = match (&answers.metadata, global.sandbox) {
        (Some(path), _) => match load_source_blocking(&path.to_string_lossy(), now) {
            Ok((_, d)) => d,
            Err(message) => {
                writeln!(err, "error: {message}")?;
                return Ok(Status::BadInput);
            }
        },
        (None, true) => sandbox::SANDBOX_METADATA.to_string(),
        (None, false) => {
            writeln!(
                err,
                "error: apply needs the IAM Identity Center metadata for step 6a: download it from the application (step 2) and pass --metadata FILE"
            )?;
            return Ok(Status::BadInput);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            writeln!(err, "error: cannot start the async runtime: {e}")?;
            return Ok(Status::CheckFailed);
        }
    };
    runtime.block_on(async {
        let cloud = connect_cloud(global, &answers).await;
        let interactive = std::io::stdin().is_terminal() && args.format == Format::Text;
        let confirm_first = !args.dry_run && !args.yes;
        let people = UserRequest::from_answers(&answers);
        let first = apply(
            cloud.as_ref(),
            &setup,
            &document,
            &people,
            args.dry_run || confirm_first,
        )
        .await;
        let report = match first {
            Ok(r) => r,
            Err(e) => {
                writeln!(err, "error: {e}")?;
                return Ok(Status::CheckFailed);
            }
        };
        if !confirm_first || report.changes() == 0 {
            return finish(&report, &setup, args.format, out);
        }
        render_text(&report, &setup, out)?;
        if !interactive {
            writeln!(
                err,
                "error: apply would change AWS resources; run it again with --yes to confirm (or --dry-run to only look)"
            )?;
            return Ok(Status::BadInput);
        }
        write!(out, "Apply these changes? [y/N] ")?;
        out.flush()?;
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes" | "Yes") {
            writeln!(out, "Nothing changed.")?;
            return Ok(Status::Ok);
        }
        match apply(cloud.as_ref(), &setup, &document, &people, false).await {
            Ok(r) => finish(&r, &setup, args.format, out),
            Err(e) => {
                writeln!(err, "error: {e}")?;
                Ok(Status::CheckFailed)
            }
        }
    })
}

fn finish(
    report: &Report,
    setup: &Setup,
    format: Format,
    out: &mut dyn Write,
) -> io::Result<Status> {
    match format {
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(report).expect("the report serializes")
        )?,
        Format::Text | Format::Markdown => render_text(report, setup, out)?,
    }
    Ok(if report.complete() {
        Status::Ok
    } else {
        Status::CheckFailed
    })
}
