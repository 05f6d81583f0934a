//! The account a command works on: AWS with its two contexts, or the sandbox account, which
//! `--sandbox` keeps in the state directory between runs (`sandbox/account.json`, with its
//! own ledger of assignments beside it). Commands that may change the account save it after
//! they ran; the others only read it.

use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;

use super::GlobalArgs;
use crate::cloud::Cloud;
use crate::cloud::sandbox::{self, Sandbox};
use crate::cloud::sdk::SdkCloud;

/// Whether a command may change the account; only those that may, save it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    ReadOnly,
    Changes,
}

impl Access {
    /// `Changes` unless only looking (`--dry-run`).
    pub fn unless_dry_run(dry_run: bool) -> Access {
        if dry_run {
            Access::ReadOnly
        } else {
            Access::Changes
        }
    }
}

/// The cloud a command runs on.
pub enum Account {
    Aws(Box<SdkCloud>),
    Sandbox(Arc<Sandbox>),
}

impl Account {
    pub fn cloud(&self) -> &dyn Cloud {
        match self {
            Account::Aws(sdk) => sdk.as_ref(),
            Account::Sandbox(sandbox) => sandbox.as_ref(),
        }
    }

    /// The sandbox behind the cloud, when it is one.
    pub fn sandbox(&self) -> Option<&Sandbox> {
        match self {
            Account::Aws(_) => None,
            Account::Sandbox(sandbox) => Some(sandbox),
        }
    }

    /// The ledger of the assignments connect-sso made on this account: the user's on AWS,
    /// the one beside the saved sandbox account on the sandbox. `None` without a state
    /// directory, and for a sandbox account in memory only.
    pub fn ledger_path(&self) -> Option<PathBuf> {
        match self {
            Account::Aws(_) => crate::ledger::default_path(),
            Account::Sandbox(sandbox) => sandbox.file().map(crate::ledger::beside_account),
        }
    }

    /// Writes a sandbox account back to its file, after a command that may have changed it
    /// (also when it failed half-way: what was done is done). Nothing to do on AWS.
    pub fn save(&self, err: &mut dyn Write) -> io::Result<()> {
        match self.sandbox() {
            Some(sandbox) => save_sandbox(sandbox, err),
            None => Ok(()),
        }
    }
}

/// Writes the sandbox account to the file it is kept in, if any; a failure is a warning.
pub fn save_sandbox(sandbox: &Sandbox, err: &mut dyn Write) -> io::Result<()> {
    match save_error(sandbox) {
        Some(e) => writeln!(err, "warning: {e}"),
        None => Ok(()),
    }
}

/// What went wrong saving the sandbox account, said so that it can be fixed.
pub fn save_error(sandbox: &Sandbox) -> Option<String> {
    let path = sandbox.file()?;
    sandbox.save(path).err().map(|e| {
        format!(
            "the sandbox account was not saved, so the next run will not see this run's changes: {e}; check that {} is writable",
            path.parent().unwrap_or(path).display()
        )
    })
}

/// The sandbox account as the flags ask for it, with the warnings to show: the one saved in
/// the state directory, or the seeded one with `--sandbox-reset` (which, for a command that
/// changes the account, also replaces the saved account and empties its ledger at once).
/// Without a state directory the account lives in memory, silently, as it always did.
pub fn open_sandbox(global: &GlobalArgs, access: Access) -> (Sandbox, Vec<String>) {
    let options = global.sandbox_options();
    let Some(path) = crate::session::state_dir().map(|d| sandbox::account_path(&d)) else {
        return (Sandbox::with_options(options), Vec::new());
    };
    if !global.sandbox_reset {
        let (sandbox, warning) = Sandbox::load_or_seed(&path, options);
        return (sandbox, warning.into_iter().collect());
    }
    if access == Access::ReadOnly {
        // Starting over is only looked at: the saved account stays as it is.
        return (Sandbox::with_options(options), Vec::new());
    }
    let sandbox = Sandbox::seeded_at(&path, options);
    let mut warnings: Vec<String> = save_error(&sandbox).into_iter().collect();
    let ledger = crate::ledger::beside_account(&path);
    match std::fs::remove_file(&ledger) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => warnings.push(format!(
            "the sandbox's ledger of assignments {} could not be removed ({e}); remove it by hand, or teardown on the sandbox may list assignments of the earlier account",
            ledger.display()
        )),
        _ => {}
    }
    (sandbox, warnings)
}

/// Builds the account the command works on: the sandbox (loaded as [`open_sandbox`] says,
/// its warnings written to `err`), or AWS with two contexts.
pub async fn connect(
    global: &GlobalArgs,
    answers: &crate::domain::setup::Answers,
    access: Access,
    err: &mut dyn Write,
) -> io::Result<Account> {
    if global.sandbox {
        let (sandbox, warnings) = open_sandbox(global, access);
        for w in warnings {
            writeln!(err, "warning: {w}")?;
        }
        return Ok(Account::Sandbox(Arc::new(sandbox)));
    }
    let (connect, identity) = super::context_settings(answers);
    Ok(Account::Aws(Box::new(
        SdkCloud::load(&connect, &identity).await,
    )))
}
