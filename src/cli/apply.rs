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
use crate::cloud::teardown::created_assignments;
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
            let ledger = crate::ledger::default_path();
            record_assignments(global, &report, &setup, now, ledger.as_deref(), err)?;
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
            Ok(r) => {
                let ledger = crate::ledger::default_path();
                record_assignments(global, &r, &setup, now, ledger.as_deref(), err)?;
                finish(&r, &setup, args.format, out)
            }
            Err(e) => {
                writeln!(err, "error: {e}")?;
                Ok(Status::CheckFailed)
            }
        }
    })
}

/// Writes the application assignments this run created to the ledger, so teardown can
/// remove them (and only them) later. Not for the sandbox, whose account ends with the
/// process; a ledger that cannot be written is a warning, the assignments exist either way.
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
    if report.dry_run || global.sandbox {
        return Ok(());
    }
    let entries = created_assignments(setup, &application.arn, &report.users, now);
    if entries.is_empty() {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::sandbox::{SANDBOX_INSTANCE_ARN, SANDBOX_METADATA, SANDBOX_USERS, Sandbox};

    #[tokio::test]
    async fn created_assignments_are_recorded_for_teardown_but_not_on_the_sandbox() {
        let sb = Sandbox::new();
        let setup = Setup::from_answers(&Answers {
            instance_arn: Some(SANDBOX_INSTANCE_ARN.to_string()),
            ..Answers::default()
        })
        .unwrap();
        let app = sb.simulate_create_application(setup.app_name.as_str());
        // Assigned before: not recorded, so teardown keeps it.
        sb.create_application_assignment(&app, SANDBOX_USERS[1].user_id)
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
        record_assignments(&on_sandbox, &report, &setup, now, Some(&path), &mut err).unwrap();
        let on_aws = GlobalArgs::default();
        record_assignments(&on_aws, &dry, &setup, now, Some(&path), &mut err).unwrap();
        assert!(!path.exists(), "neither the sandbox nor a dry run records");

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
