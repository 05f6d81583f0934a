//! `apply --console-api`: steps 1, 2, 3-5 and 10 through the IAM Identity Center console's
//! own API before 6a-6c and 11, step 2's metadata feeding 6a when no --metadata is given.
//! The same look, proposal and confirmation as without it; the console steps show in the
//! report as run and checked, and a stop there ends the run with what was done.

use std::io::{self, Write};

use super::{Run, Status, View, record_assignments};
use crate::cli::account::Account;
use crate::cloud::apply::{Failure, Prerequisites, Report, apply_steps};
use crate::cloud::console::ensure::{ConsoleRun, ensure_console_steps, fetch_with};
use crate::cloud::console::record;
use crate::cloud::console::{ConsoleApi, ConsoleClient};
use crate::cloud::ensure::metadata_differences;
use crate::domain::setup::Answers;

/// The console API client of the answers' identity context.
pub(super) async fn client(answers: &Answers) -> Result<ConsoleClient, String> {
    let (connect, identity) = crate::cli::context_settings(answers);
    ConsoleClient::load(&connect, &identity).await
}

/// Step 10's record of this account (beside its ledger); `None` without a state directory.
fn record_path(account: &Account) -> Option<std::path::PathBuf> {
    account.ledger_path().map(|l| record::beside_ledger(&l))
}

/// The console steps' outcomes, warnings and stop, merged into `report`: they come first,
/// and the steps they did are no longer manual.
pub(super) fn merge(report: &mut Report, console: &ConsoleRun) {
    let mut outcomes = console.outcomes.clone();
    outcomes.append(&mut report.outcomes);
    report.outcomes = outcomes;
    let done = console.steps_done();
    report.manual_steps.retain(|(id, _)| !done.contains(id));
    report
        .warnings
        .extend(console.warnings.iter().map(|w| format!("console API: {w}")));
    if let Some(f) = &console.failure {
        report.failure = Some(Failure {
            step: f.step,
            resource: "console API",
            error: f.message(),
        });
    }
}

/// A report of the console steps alone: when they stopped, or when only looking before the
/// application exists (6a-6c wait for its metadata).
fn console_only(checked: Prerequisites, console: &ConsoleRun, dry_run: bool) -> Report {
    let manual_steps = crate::steps::STEPS
        .iter()
        .filter(|s| s.kind == crate::steps::StepKind::Manual || s.id == "11")
        .map(|s| (s.id, s.title))
        .collect();
    let mut report = Report {
        dry_run,
        connect_caller: checked.connect_caller,
        identity_caller: checked.identity_caller,
        instance: checked.instance,
        identity_store_id: checked.idc.map(|i| i.identity_store_id),
        applications: checked.applications,
        outcomes: Vec::new(),
        users: Vec::new(),
        groups: Vec::new(),
        warnings: checked.warnings,
        problems: Vec::new(),
        manual_steps,
        failure: None,
    };
    merge(&mut report, console);
    report
}

impl Run<'_> {
    async fn console_steps(
        &self,
        api: &dyn ConsoleApi,
        account: &Account,
        dry_run: bool,
    ) -> ConsoleRun {
        let (recorded, warning) = match record_path(account) {
            Some(p) => record::load(&p),
            None => (record::Record::default(), None),
        };
        let lookup = move |id: &str| recorded.mappings(id);
        let mut run = match account.sandbox() {
            // The sandbox serves its metadata URL from the account, without the network.
            Some(sandbox) => {
                let fetch = crate::cloud::sandbox::sandbox_fetch(sandbox, self.now);
                ensure_console_steps(api, self.setup, &lookup, &fetch, dry_run).await
            }
            None => {
                let fetch = fetch_with(self.now);
                ensure_console_steps(api, self.setup, &lookup, &fetch, dry_run).await
            }
        };
        run.warnings.extend(warning);
        run
    }

    /// 6a-6c and 11 after the console steps, with step 2's metadata unless --metadata was
    /// given (then a difference between them is a warning).
    async fn rest(
        &self,
        account: &Account,
        checked: Prerequisites,
        console: &ConsoleRun,
        dry_run: bool,
    ) -> Report {
        let from_app = console.metadata.as_ref().map(|(_, text)| text.as_str());
        let mut warnings = Vec::new();
        let document = match (self.document.is_empty(), from_app) {
            (true, Some(d)) => d,
            (true, None) => return console_only(checked, console, dry_run),
            (false, _) => self.document,
        };
        if let (false, Some((checked_app, _))) = (self.document.is_empty(), &console.metadata) {
            let differences = metadata_differences(self.document, &checked_app.metadata);
            if !differences.is_empty() {
                warnings.push(format!(
                    "the --metadata file differs from the application's current metadata ({}): 6a uses the file; drop --metadata to use the application's",
                    differences.join("; ")
                ));
            }
        }
        let mut report = apply_steps(
            account.cloud(),
            self.setup,
            checked,
            document,
            &self.people,
            dry_run,
            false,
        )
        .await;
        report.warnings.extend(warnings);
        merge(&mut report, console);
        report
    }

    /// [`Run::go`] with `--console-api`, once the prerequisites passed.
    pub(super) async fn go_console(
        &self,
        api: &dyn ConsoleApi,
        account: &Account,
        mut checked: Prerequisites,
        ran: &mut bool,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> io::Result<Status> {
        let args = self.args;
        let shown = super::super::progress::wanted(args.format);
        if args.dry_run || !args.yes {
            let looking = async {
                let console = self.console_steps(api, account, true).await;
                if console.failure.is_some() {
                    return console_only(checked.clone(), &console, true);
                }
                self.rest(account, checked.clone(), &console, true).await
            };
            let report =
                super::super::progress::during(shown, "working out what would change", looking)
                    .await;
            if args.dry_run {
                return self.finish(&report, View::DryRun, out);
            }
            if report.failure.is_some() {
                self.show(&report, View::Done, out)?;
                return self.stopped(&report, err);
            }
            if report.changes() == 0 {
                return self.finish(&report, View::Done, out);
            }
            self.show(&report, View::Proposal, out)?;
            if let Some(status) = super::confirm_changes(args.format, out, err)? {
                return Ok(status);
            }
        }
        *ran = true;
        account.begin_changes(err)?;
        let running = async {
            let console = self.console_steps(api, account, false).await;
            (
                console,
                checked
                    .refresh_applications(account.cloud(), self.setup)
                    .await,
            )
        };
        let (console, refreshed) =
            super::super::progress::during(shown, "running the console steps", running).await;
        self.note(account, &console, err)?;
        if console.failure.is_some() {
            let report = console_only(checked, &console, false);
            self.show(&report, View::Done, out)?;
            return self.stopped(&report, err);
        }
        if let Err(e) = refreshed {
            writeln!(err, "error: {e}")?;
            return Ok(Status::CheckFailed);
        }
        let steps = self.rest(account, checked, &console, false);
        let report =
            super::super::progress::during(shown, "running the automated steps", steps).await;
        let ledger = account.ledger_path();
        record_assignments(
            self.global,
            &report,
            self.setup,
            self.now,
            ledger.as_deref(),
            err,
        )?;
        let status = self.finish(&report, View::Done, out)?;
        if report.failure.is_some() {
            self.stopped(&report, err)?;
        }
        Ok(status)
    }

    /// The error line of a report that stopped.
    fn stopped(&self, report: &Report, err: &mut dyn Write) -> io::Result<Status> {
        if let Some(f) = &report.failure {
            writeln!(
                err,
                "error: step {} ({}): {}",
                f.step,
                f.resource,
                crate::ui::clean(&f.error)
            )?;
        }
        Ok(Status::CheckFailed)
    }

    /// Records what the console steps did (the application created, the mappings written);
    /// a record that cannot be written is a warning.
    fn note(&self, account: &Account, console: &ConsoleRun, err: &mut dyn Write) -> io::Result<()> {
        let Some(id) = &console.instance_id else {
            return Ok(());
        };
        if !console.created && console.mappings_written.is_none() {
            return Ok(());
        }
        let Some(path) = record_path(account) else {
            // A sandbox account in memory ends with the process: nothing to record.
            if account.sandbox().is_some() {
                return Ok(());
            }
            return writeln!(
                err,
                "warning: no state directory ($XDG_STATE_HOME or $HOME): what --console-api did to {id} is not recorded, so the next run writes step 10 again"
            );
        };
        if let Err(e) = record::note(
            &path,
            id,
            self.setup.instance.id.as_str(),
            console.created,
            console.mappings_written.as_deref(),
        ) {
            writeln!(
                err,
                "warning: what --console-api did to {id} is not recorded ({e}), so the next run writes step 10 again"
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::console::ensure::ConsoleFailure;
    use crate::cloud::ensure::{Change, Outcome};
    use crate::cloud::sandbox::{SANDBOX_INSTANCE_ARN, Sandbox};
    use crate::domain::setup::Setup;

    fn setup() -> Setup {
        Setup::from_answers(&Answers {
            instance_arn: Some(SANDBOX_INSTANCE_ARN.to_string()),
            ..Answers::default()
        })
        .unwrap()
    }

    fn outcome(step: &'static str, change: Change) -> Outcome {
        Outcome {
            step,
            resource: "x",
            arn: "ins-1".into(),
            change,
            details: vec![],
            warnings: vec![],
        }
    }

    #[tokio::test]
    async fn console_outcomes_come_first_and_their_steps_are_no_longer_manual() {
        let sb = Sandbox::new();
        let setup = setup();
        let checked = crate::cloud::apply::check_prerequisites(&sb, &setup)
            .await
            .unwrap();
        let console = ConsoleRun {
            outcomes: vec![
                outcome("1", Change::Created),
                outcome("2", Change::Unchanged),
                outcome("3-5", Change::Updated),
                outcome("10", Change::Updated),
            ],
            warnings: vec!["w".into()],
            ..ConsoleRun::default()
        };
        let report = console_only(checked.clone(), &console, false);
        let steps: Vec<&str> = report.outcomes.iter().map(|o| o.step).collect();
        assert_eq!(steps, ["1", "2", "3-5", "10"]);
        let manual: Vec<&str> = report.manual_steps.iter().map(|(id, _)| *id).collect();
        assert!(!manual.contains(&"1") && !manual.contains(&"3-5") && !manual.contains(&"10"));
        assert!(
            manual.contains(&"7-9"),
            "relay state stays a guided step: {manual:?}"
        );
        assert_eq!(report.changes(), 3);
        assert!(report.warnings.contains(&"console API: w".to_string()));

        let stopped = ConsoleRun {
            outcomes: vec![outcome("1", Change::Created)],
            failure: Some(ConsoleFailure {
                step: "3-5",
                operation: "sso:UpdateApplicationInstanceServiceProviderConfiguration".into(),
                answer: "ValidationException: no".into(),
                unexpected: true,
                done: vec!["created the application instance ins-1".into()],
            }),
            ..ConsoleRun::default()
        };
        let report = console_only(checked, &stopped, false);
        let f = report.failure.unwrap();
        assert_eq!(f.step, "3-5");
        assert!(
            f.error
                .contains("do step 3-5 in the IAM Identity Center console"),
            "{}",
            f.error
        );
        assert!(
            f.error.contains("created the application instance ins-1"),
            "{}",
            f.error
        );
        let manual: Vec<&str> = report.manual_steps.iter().map(|(id, _)| *id).collect();
        assert!(
            manual.contains(&"3-5"),
            "the failed step stays manual: {manual:?}"
        );
        assert!(!manual.contains(&"1"));
    }
}
