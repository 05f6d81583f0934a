//! `teardown --console-api`: the application itself (step 1), through the IAM Identity
//! Center console's own API, when connect-sso created it (see `cloud::teardown::console`).

use std::io::{self, Write};

use crate::cli::account::Account;
use crate::cloud::console::record::{self, Record};
use crate::cloud::console::{ConsoleApi, ConsoleClient};
use crate::cloud::teardown::{
    Item, TeardownPlan, TeardownReport, execute_application, finished_applications,
    plan_application,
};
use crate::domain::setup::{Answers, Setup};

/// The console API of the run: AWS's in the identity context, or the sandbox's.
pub(super) struct Console {
    client: Option<ConsoleClient>,
    record: Record,
}

/// The record of what --console-api did on this account; `None` without a state directory.
fn record_path(account: &Account) -> Option<std::path::PathBuf> {
    account.ledger_path().map(|l| record::beside_ledger(&l))
}

/// The console API and its record; `None` (said on `err`) when the client cannot be set up.
pub(super) async fn open(
    account: &Account,
    answers: &Answers,
    err: &mut dyn Write,
) -> io::Result<Option<Console>> {
    let client = match account.sandbox() {
        Some(_) => None,
        None => {
            let (connect, identity) = crate::cli::context_settings(answers);
            match ConsoleClient::load(&connect, &identity).await {
                Ok(c) => Some(c),
                Err(e) => {
                    writeln!(err, "error: {e}")?;
                    return Ok(None);
                }
            }
        }
    };
    let record = match record_path(account) {
        // The record belongs to the saved account that --sandbox-reset replaces.
        Some(_) if account.reset_pending() => Record::default(),
        Some(path) => {
            let (record, warning) = record::load(&path);
            if let Some(w) = warning {
                writeln!(err, "warning: {w}")?;
            }
            record
        }
        None => Record::default(),
    };
    Ok(Some(Console { client, record }))
}

impl Console {
    fn api<'a>(&'a self, account: &'a Account) -> Option<&'a dyn ConsoleApi> {
        match (account.sandbox(), &self.client) {
            (Some(sandbox), _) => Some(sandbox),
            (None, Some(client)) => Some(client),
            (None, None) => None,
        }
    }

    /// Adds the application's items to `plan`, after everything else.
    pub(super) async fn plan(&self, account: &Account, setup: &Setup, plan: &mut TeardownPlan) {
        if let Some(api) = self.api(account) {
            let items = plan_application(api, account.cloud(), setup, &self.record, &plan.items);
            let items = items.await;
            plan.items.extend(items);
        }
    }

    /// Removes the application, once `execute` removed its assignments.
    pub(super) async fn execute(&self, account: &Account, report: &mut TeardownReport) {
        if let Some(api) = self.api(account) {
            execute_application(api, report).await;
        }
    }
}

/// Takes the applications removed or found gone out of the record; a failure is a warning.
pub(super) fn forget(account: &Account, items: &[Item], err: &mut dyn Write) -> io::Result<()> {
    let gone = finished_applications(items);
    let Some(path) = record_path(account).filter(|_| !gone.is_empty()) else {
        return Ok(());
    };
    if let Err(e) = record::forget(&path, &gone) {
        writeln!(
            err,
            "warning: the record of the console API was not updated: {e}"
        )?;
    }
    Ok(())
}
