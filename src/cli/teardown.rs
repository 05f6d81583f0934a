//! `connect-sso teardown`: lists what connect-sso created for one setup, asks, then removes
//! it (and only it) in the order IAM requires. See `cloud::teardown` for the rules.

use std::io::{self, IsTerminal, Write};

use serde::Serialize;

use super::account::{Access, Account, open as open_account};
use super::plan::load_setup;
use super::{Format, GlobalArgs, Status, TeardownArgs};
use crate::cloud::teardown::{
    Action, Item, ItemKind, TeardownError, TeardownPlan, execute, plan_teardown,
};
use crate::ledger::{self, LedgerEntry};
use crate::ui::clean;

mod console;

/// The long help of `teardown`.
pub const HELP: &str = "Remove what connect-sso created for this setup, and only that.

An IAM resource (SAML provider, policy, role) is removed only when it carries the tag managed-by=connect-sso and, when it has one, a connect-sso:instance-id tag equal to this setup's instance id. Resources with the setup's names but without those tags are listed as kept, with the reason, and never touched.

Application assignments cannot carry tags: teardown removes only the ones that apply or the wizard made and wrote down in the ledger (ledger.json in the state directory, e.g. ~/.local/state/connect-sso; the sandbox account keeps its own, sandbox/ledger.json, beside sandbox/account.json). Assignments made by hand, in the console or by another tool are kept.

The order is the one IAM requires: application assignments, policies detached from the role, the role, the policy's other versions and the policy, the SAML provider. Everything is listed first and nothing changes until you confirm; --yes skips the question and is needed without a terminal. A second run finds nothing to do.

The Identity Center application (step 1) is removed only with --console-api, and only when connect-sso created it through that API (recorded in console.json beside the ledger), after its assignments and profiles; one it did not create is listed as kept. Connect users are never removed: delete them in the Connect console when you no longer need them.

Exit status: 0 when everything was removed or there was nothing to do, 1 when a removal failed, 2 for unusable answers or when there is no terminal to confirm on and --yes was not given.";

/// The JSON output, for the plan (before or without changes) and for the report.
#[derive(Serialize)]
struct Output<'a> {
    dry_run: bool,
    /// Whether removals were attempted.
    executed: bool,
    account: &'a str,
    instance_id: &'a str,
    items: &'a [Item],
}

pub fn render_text(
    items: &[Item],
    account: &str,
    instance_id: &str,
    dry_run: bool,
    executed: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(
        out,
        "Teardown of what connect-sso created for Connect instance {instance_id} in account {account}"
    )?;
    if dry_run {
        writeln!(out, "dry run: nothing is changed")?;
    }
    writeln!(out)?;
    if !items
        .iter()
        .any(|i| i.kind == ItemKind::ApplicationAssignment)
    {
        writeln!(
            out,
            "{:<14} {:<13} none recorded by connect-sso for this instance (assignments made by hand are kept)",
            ItemKind::ApplicationAssignment.label(),
            "-"
        )?;
    }
    for item in items {
        writeln!(
            out,
            "{:<14} {:<13} {}",
            item.kind.label(),
            item.action.label(),
            clean(&item.name)
        )?;
        if let Some(arn) = &item.arn {
            writeln!(out, "      {}", clean(arn))?;
        }
        writeln!(out, "      {}", clean(&item.reason))?;
        for d in &item.details {
            writeln!(out, "      {}", clean(d))?;
        }
        for w in &item.warnings {
            writeln!(out, "      warning: {}", clean(w))?;
        }
        if let Some(e) = &item.error {
            writeln!(out, "      error: {}", clean(e))?;
        }
    }
    writeln!(out)?;
    let n = |wanted: &dyn Fn(Action) -> bool| items.iter().filter(|i| wanted(i.action)).count();
    let kept = n(&|a| a == Action::Kept);
    let gone = n(&|a| a == Action::AlreadyGone);
    let failed = n(&|a| matches!(a, Action::Failed | Action::Skipped));
    let pending = n(&|a| a.is_pending());
    let removed = n(&|a| a.is_done());
    let mut parts = Vec::new();
    if executed {
        parts.push(format!("{removed} removed"));
    } else if dry_run {
        parts.push(format!("{pending} would be removed"));
    } else {
        parts.push(format!("{pending} to remove"));
    }
    parts.push(format!("{kept} kept"));
    parts.push(format!("{gone} already gone"));
    if failed > 0 {
        parts.push(format!("{failed} failed"));
    }
    writeln!(out, "{}.", parts.join(", "))?;
    if executed && failed > 0 {
        writeln!(
            out,
            "Fix the errors above, then run teardown again: it picks up where it stopped."
        )?;
    } else if !executed && pending == 0 && failed == 0 {
        writeln!(out, "Nothing to remove.")?;
    } else if dry_run && pending > 0 {
        writeln!(out, "Run without --dry-run to remove them.")?;
    }
    Ok(())
}

fn show(
    items: &[Item],
    account: &str,
    instance_id: &str,
    dry_run: bool,
    executed: bool,
    format: Format,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&Output {
                dry_run,
                executed,
                account,
                instance_id,
                items,
            })
            .expect("the teardown serializes")
        ),
        Format::Text | Format::Markdown => {
            render_text(items, account, instance_id, dry_run, executed, out)
        }
    }
}

fn show_plan(
    plan: &TeardownPlan,
    dry_run: bool,
    format: Format,
    out: &mut dyn Write,
) -> io::Result<()> {
    show(
        &plan.items,
        &plan.account,
        &plan.instance_id,
        dry_run,
        false,
        format,
        out,
    )
}

/// The entries of the account's ledger; problems are warnings (without a ledger,
/// assignments are kept).
fn read_ledger(account: &Account, err: &mut dyn Write) -> io::Result<Vec<LedgerEntry>> {
    if account.reset_pending() {
        // The ledger belongs to the saved account that --sandbox-reset replaces.
        return Ok(Vec::new());
    }
    let Some(path) = account.ledger_path() else {
        // A sandbox account in memory only records nothing: nothing to say.
        if account.sandbox().is_some() {
            return Ok(Vec::new());
        }
        writeln!(
            err,
            "warning: no state directory ($XDG_STATE_HOME or $HOME), so no ledger of assignments: application assignments are kept"
        )?;
        return Ok(Vec::new());
    };
    match ledger::load(&path) {
        Ok((ledger, warning)) => {
            if let Some(w) = warning {
                writeln!(err, "warning: {w}")?;
            }
            Ok(ledger.assignments)
        }
        Err(e) => {
            writeln!(err, "warning: {e}; application assignments are kept")?;
            Ok(Vec::new())
        }
    }
}

/// Removes finished assignments from the ledger; a failure only means the next run
/// finds them gone and tries again.
fn forget(account: &Account, done: &[(String, String)], err: &mut dyn Write) -> io::Result<()> {
    if done.is_empty() {
        return Ok(());
    }
    let Some(path) = account.ledger_path() else {
        return Ok(());
    };
    match ledger::forget(&path, done) {
        Ok(warnings) => {
            for w in warnings {
                writeln!(err, "warning: {w}")?;
            }
        }
        Err(e) => writeln!(err, "warning: the ledger was not updated: {e}")?,
    }
    Ok(())
}

fn confirmed(count: usize, out: &mut dyn Write) -> io::Result<bool> {
    write!(out, "Remove these {count} resource(s)? [y/N] ")?;
    out.flush()?;
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "Yes"))
}

pub fn run(
    global: &GlobalArgs,
    args: &TeardownArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<Status> {
    let given = args.answers.to_answers(global);
    let Some((answers, setup)) = load_setup(global, given, err)? else {
        return Ok(Status::BadInput);
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
        let entries = read_ledger(&account, err)?;
        let cloud = account.cloud();
        let shown = super::progress::wanted(args.format);
        let console = match answers.console_api == Some(true) {
            true => match console::open(&account, &answers, err).await? {
                Some(c) => Some(c),
                None => return Ok(Status::BadInput),
            },
            false => None,
        };
        let planning = async {
            let mut plan = plan_teardown(cloud, &setup, &entries).await?;
            if let Some(c) = &console {
                c.plan(&account, &setup, &mut plan).await;
            }
            Ok::<_, TeardownError>(plan)
        };
        let planned = super::progress::during(shown, "finding what connect-sso created", planning);
        let plan = match planned.await {
            Ok(p) => p,
            Err(e) => {
                writeln!(err, "error: {e}")?;
                return Ok(match e {
                    TeardownError::WrongAccount { .. } => Status::BadInput,
                    TeardownError::Cloud(_) => Status::CheckFailed,
                });
            }
        };
        let failed_reads = if plan.failed() > 0 {
            Status::CheckFailed
        } else {
            Status::Ok
        };
        if args.dry_run || plan.pending() == 0 {
            if !args.dry_run {
                forget(&account, &plan.gone_assignments(), err)?;
                console::forget(&account, &plan.items, err)?;
            }
            show_plan(&plan, args.dry_run, args.format, out)?;
            return Ok(failed_reads);
        }
        if !args.yes {
            show_plan(&plan, false, args.format, out)?;
            let interactive = std::io::stdin().is_terminal() && args.format != Format::Json;
            if !interactive {
                writeln!(
                    err,
                    "error: teardown would delete AWS resources; run it again with --yes to confirm (or --dry-run to only look)"
                )?;
                return Ok(Status::BadInput);
            }
            if !confirmed(plan.pending(), out)? {
                writeln!(out, "Nothing changed.")?;
                return Ok(Status::Ok);
            }
        }
        account.begin_changes(err)?;
        let removing = async {
            let mut report = execute(cloud, &plan).await;
            if let Some(c) = &console {
                c.execute(&account, &mut report).await;
            }
            report
        };
        let report = super::progress::during(shown, "removing", removing).await;
        // Saved also after a partial failure: what was removed is gone.
        account.save(err)?;
        forget(&account, &report.forgotten_assignments(), err)?;
        console::forget(&account, &report.items, err)?;
        show(
            &report.items,
            &report.account,
            &report.instance_id,
            false,
            true,
            args.format,
            out,
        )?;
        Ok(if report.failed() > 0 {
            Status::CheckFailed
        } else {
            Status::Ok
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::api::*;
    use crate::cloud::apply::{UserRequest, apply};
    use crate::cloud::sandbox::{SANDBOX_INSTANCE_ARN, SANDBOX_METADATA, SANDBOX_USERS, Sandbox};
    use crate::cloud::teardown::created_assignments;
    use crate::domain::setup::{Answers, Setup};

    fn render(items: &[Item], dry_run: bool, executed: bool) -> String {
        let mut out = Vec::new();
        render_text(items, "111122223333", "i-1", dry_run, executed, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[tokio::test]
    async fn text_lists_every_item_with_its_reason_then_the_outcome() {
        let sb = Sandbox::new();
        let setup = Setup::from_answers(&Answers {
            instance_arn: Some(SANDBOX_INSTANCE_ARN.to_string()),
            ..Answers::default()
        })
        .unwrap();
        let app = sb.simulate_create_application(setup.app_name.as_str());
        let people = UserRequest {
            users: vec![SANDBOX_USERS[0].user_name.to_string()],
            create_connect_users: None,
        };
        let report = apply(&sb, &setup, SANDBOX_METADATA, &people, false)
            .await
            .unwrap();
        let now = time::macros::datetime!(2025-03-04 05:06:07 UTC);
        let ledger = created_assignments(&setup, &app, &report.users, now);
        sb.create_role("Other", &setup.trust_policy(), &[])
            .await
            .unwrap();
        sb.inject_fault(crate::cloud::sandbox::parse_fault("deny:iam:DeleteSAMLProvider").unwrap());

        let plan = plan_teardown(&sb, &setup, &ledger).await.unwrap();
        let text = render(&plan.items, false, false);
        println!("{text}");
        assert!(text.contains(&format!(
            "assignment     delete        {}",
            SANDBOX_USERS[0].user_name
        )));
        assert!(text.contains("assigned by connect-sso on 2025-03-04T05:06:07Z"));
        assert!(text.contains("warning: role Other also trusts this SAML provider"));
        assert!(text.contains("5 to remove, 0 kept, 0 already gone."));
        assert!(!text.contains("none recorded"));

        let done = execute(&sb, &plan).await;
        let text = render(&done.items, false, true);
        println!("{text}");
        assert!(text.contains("SAML provider  failed"), "{text}");
        assert!(text.contains("error: access denied"), "{text}");
        assert!(
            text.contains("4 removed, 0 kept, 0 already gone, 1 failed."),
            "{text}"
        );
        assert!(text.contains("run teardown again"), "{text}");
    }

    #[tokio::test]
    async fn names_from_the_ledger_cannot_drive_the_terminal() {
        let sb = Sandbox::new();
        let setup = Setup::from_answers(&Answers {
            instance_arn: Some(SANDBOX_INSTANCE_ARN.to_string()),
            ..Answers::default()
        })
        .unwrap();
        // The ledger is a file anyone with the account can edit.
        let entry = LedgerEntry {
            application_arn:
                "arn:aws:sso::111122223333:application/ssoins-7223a1b2c3d4e5f6/apl-0000000000000000"
                    .to_string(),
            principal_id: "u-1".to_string(),
            principal_type: crate::cloud::PrincipalType::User,
            user_name: "evil\u{1b}[2Jname".to_string(),
            instance_id: setup.instance.id.as_str().to_string(),
            created_at: "\u{7}".to_string(),
        };
        let plan = plan_teardown(&sb, &setup, &[entry]).await.unwrap();
        let text = render(&plan.items, true, false);
        assert!(text.contains("evil"), "{text}");
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text:?}"
        );
    }
}
