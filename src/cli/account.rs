//! The account a command works on: AWS with its two contexts, or the sandbox account, which
//! `--sandbox` keeps in the state directory between runs (`sandbox/account.json`, with its
//! own ledger of assignments beside it). Commands that may change the account hold its lock
//! (`sandbox/account.lock`) from loading it to saving it, so two of them take turns; the
//! others only read it.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::GlobalArgs;
use crate::cloud::Cloud;
use crate::cloud::sandbox::{self, Sandbox};
use crate::cloud::sdk::SdkCloud;
use crate::files::LockError;

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

/// How long a command that changes the sandbox account waits for another one to finish.
pub const SANDBOX_WAIT: Duration = Duration::from_secs(60);

/// The cloud a command runs on.
pub enum Account {
    Aws(Box<SdkCloud>),
    Sandbox {
        sandbox: Arc<Sandbox>,
        /// `--sandbox-reset` asked to start over and nothing was changed yet: the saved
        /// account and its ledger are replaced only once the command goes on to change
        /// things ([`Account::begin_changes`]), so a refused command changes nothing.
        reset_pending: AtomicBool,
    },
}

impl Account {
    pub fn cloud(&self) -> &dyn Cloud {
        match self {
            Account::Aws(sdk) => sdk.as_ref(),
            Account::Sandbox { sandbox, .. } => sandbox.as_ref(),
        }
    }

    /// The sandbox behind the cloud, when it is one.
    pub fn sandbox(&self) -> Option<&Sandbox> {
        match self {
            Account::Aws(_) => None,
            Account::Sandbox { sandbox, .. } => Some(sandbox),
        }
    }

    /// The ledger of the assignments connect-sso made on this account: the user's on AWS,
    /// the one beside the saved sandbox account on the sandbox. `None` without a state
    /// directory, and for a sandbox account in memory only.
    pub fn ledger_path(&self) -> Option<PathBuf> {
        match self {
            Account::Aws(_) => crate::ledger::default_path(),
            Account::Sandbox { sandbox, .. } => sandbox.file().map(crate::ledger::beside_account),
        }
    }

    /// Whether `--sandbox-reset` is still to replace the saved account: until then its
    /// ledger belongs to the account being replaced and is not this one's.
    pub fn reset_pending(&self) -> bool {
        match self {
            Account::Aws(_) => false,
            Account::Sandbox { reset_pending, .. } => reset_pending.load(Ordering::SeqCst),
        }
    }

    /// Called once a command goes on to change the account: a pending `--sandbox-reset`
    /// now replaces the saved account with the seeded one and empties its ledger. Problems
    /// are warnings.
    pub fn begin_changes(&self, err: &mut dyn Write) -> io::Result<()> {
        let Account::Sandbox {
            sandbox,
            reset_pending,
        } = self
        else {
            return Ok(());
        };
        if !reset_pending.swap(false, Ordering::SeqCst) {
            return Ok(());
        }
        for w in start_over(sandbox) {
            writeln!(err, "warning: {w}")?;
        }
        Ok(())
    }

    /// Writes a sandbox account back to its file, after a command that may have changed it
    /// (also when it failed half-way: what was done is done). Nothing to do on AWS.
    pub fn save(&self, err: &mut dyn Write) -> io::Result<()> {
        self.begin_changes(err)?;
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

/// `--sandbox-reset` carried out: the seeded `sandbox` replaces the saved account, and the
/// ledger of the earlier account goes. Returns the warnings.
fn start_over(sandbox: &Sandbox) -> Vec<String> {
    let mut warnings: Vec<String> = save_error(sandbox).into_iter().collect();
    let Some(path) = sandbox.file() else {
        return warnings;
    };
    let ledger = crate::ledger::beside_account(path);
    // What --console-api did to the earlier account goes with it.
    let _ = std::fs::remove_file(crate::cloud::console::record::beside_ledger(&ledger));
    match std::fs::remove_file(&ledger) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => warnings.push(format!(
            "the sandbox's ledger of assignments {} could not be removed ({e}); remove it by hand, or teardown on the sandbox may list assignments of the earlier account",
            ledger.display()
        )),
        _ => {}
    }
    warnings
}

/// Whether opening the sandbox account may wait for another command that changes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// Up to this long, saying so once on the error output (a command's start).
    UpTo(Duration),
    /// Not at all: when it is taken, this run works on a copy in memory and saves nothing
    /// (the full-screen wizard switching to the sandbox, where nobody reads the error output).
    No,
}

/// The sandbox account as opened: the account, what to warn about, and whether a
/// `--sandbox-reset` is still to be carried out.
pub struct Opened {
    pub sandbox: Sandbox,
    pub warnings: Vec<String>,
    pub reset_pending: bool,
}

/// The sandbox account as the flags ask for it: the one saved in the state directory, or
/// the seeded one with `--sandbox-reset` (which replaces the saved account only once the
/// command changes something; see [`Account::begin_changes`]). A command that may change the
/// account holds its lock from here until the account is dropped, after it was saved.
/// Without a state directory the account lives in memory, silently, as it always did.
/// `Err` when the lock stayed taken for the whole wait: the message says by whom and what
/// to do, and nothing was changed.
pub fn open_sandbox_with(
    global: &GlobalArgs,
    access: Access,
    wait: Wait,
    err: &mut dyn Write,
) -> Result<Opened, String> {
    let path = crate::session::state_dir().map(|d| match scenario_of(global) {
        Some(s) => sandbox::scenario_account_path(&d, s.name),
        None => sandbox::account_path(&d),
    });
    open_sandbox_at(path, global, access, wait, err)
}

/// Where the wizard keeps its sessions (`sessions/NAME.json`) and the sandbox's metadata
/// file: the state directory, or a workshop scenario's own folder, so that a scenario's
/// run never resumes or overwrites the attendee's own session.
pub fn work_dir(global: &GlobalArgs) -> Option<PathBuf> {
    let dir = crate::session::state_dir()?;
    Some(match scenario_of(global) {
        Some(s) => sandbox::scenario_dir(&dir, s.name),
        None => dir,
    })
}

/// The workshop scenario `--sandbox-scenario` names, if any (`list` and `reveal` run
/// nothing, and clap let only known names through).
pub fn scenario_of(global: &GlobalArgs) -> Option<&'static sandbox::Scenario> {
    global
        .sandbox_scenario
        .as_deref()
        .and_then(sandbox::scenario)
}

/// The account a command starts from when there is none to load: the seeded one, or a
/// scenario's (should it fail to build, the seeded one in memory, with the reason).
fn seed(
    global: &GlobalArgs,
    path: Option<&Path>,
    options: sandbox::SandboxOptions,
    warnings: &mut Vec<String>,
) -> Sandbox {
    let Some(scenario) = scenario_of(global) else {
        return match path {
            Some(p) => Sandbox::seeded_at(p, options),
            None => Sandbox::with_options(options),
        };
    };
    match Sandbox::scenario_at(scenario, path, options.clone()) {
        Ok(s) => s,
        Err(e) => {
            warnings.push(format!(
                "{e}; this run works on the plain seeded sandbox account in memory and saves nothing"
            ));
            Sandbox::with_options(options)
        }
    }
}

/// The one line that says which sandbox account a scenario works on.
fn scenario_note(global: &GlobalArgs, sandbox: &Sandbox) -> Option<String> {
    let scenario = scenario_of(global)?;
    let kept = match sandbox.file() {
        Some(path) => format!("its own account {}", path.display()),
        None => "its own account, in memory only".to_string(),
    };
    Some(format!(
        "sandbox: workshop scenario {} on {kept}; your own sandbox account is untouched (--sandbox-reset starts the scenario over)",
        scenario.name
    ))
}

/// Loads the account at `path`, seeding it as [`seed`] does when there is none.
fn load(
    global: &GlobalArgs,
    path: &Path,
    options: sandbox::SandboxOptions,
) -> (Sandbox, Vec<String>) {
    let mut warnings = Vec::new();
    let (sandbox, warning) = Sandbox::load_or_seed_with(path, options, &mut |p, o| {
        seed(global, Some(p), o, &mut warnings)
    });
    warnings.extend(warning);
    (sandbox, warnings)
}

/// A scenario's account is saved as soon as it is first built, so every command of the
/// exercise (those that only look included) works on the same account, signing key and all.
/// Skipped when another command holds its lock: that one saves it.
fn keep_new_scenario(global: &GlobalArgs, path: &Path, warnings: &mut Vec<String>) {
    if scenario_of(global).is_none() || path.exists() {
        return;
    }
    let Ok(_lock) = Sandbox::lock_account(path, Duration::ZERO, &mut |_| {}) else {
        return;
    };
    let (sandbox, mut more) = load(global, path, global.sandbox_options());
    warnings.append(&mut more);
    if let Some(e) = save_error(&sandbox) {
        warnings.push(e);
    }
}

/// [`open_sandbox_with`] for the account kept at `path` (`None`: no state directory).
fn open_sandbox_at(
    path: Option<PathBuf>,
    global: &GlobalArgs,
    access: Access,
    wait: Wait,
    err: &mut dyn Write,
) -> Result<Opened, String> {
    let options = global.sandbox_options();
    let opened = |sandbox, warnings: Vec<String>, reset_pending| Opened {
        sandbox,
        warnings,
        reset_pending,
    };
    let Some(path) = path else {
        let mut warnings = Vec::new();
        let sandbox = seed(global, None, options, &mut warnings);
        return Ok(opened(sandbox, warnings, false));
    };
    let mut warnings = Vec::new();
    if !global.sandbox_reset {
        keep_new_scenario(global, &path, &mut warnings);
    }
    if access == Access::ReadOnly {
        // Saves are atomic renames: a command that only looks reads a whole account
        // without the lock. Starting over is only looked at: the saved account stays.
        if global.sandbox_reset {
            let sandbox = seed(global, None, options, &mut warnings);
            return Ok(opened(sandbox, warnings, false));
        }
        let (sandbox, more) = load(global, &path, options);
        warnings.extend(more);
        return Ok(opened(sandbox, warnings, false));
    }
    let limit = match wait {
        Wait::UpTo(d) => d,
        Wait::No => Duration::ZERO,
    };
    let mut told = Ok(());
    let lock = Sandbox::lock_account(&path, limit, &mut |busy| {
        told = writeln!(
            err,
            "{} is using the sandbox account {}; waiting up to {} s for it to finish",
            busy.holder(),
            path.display(),
            limit.as_secs()
        );
    });
    // The waiting message is a courtesy: a closed error output does not stop the run.
    let _ = told;
    let lock = match (lock, wait) {
        (Ok(lock), _) => lock,
        (Err(busy @ LockError::Busy { .. }), Wait::UpTo(d)) => {
            return Err(format!(
                "{} is still using the sandbox account {} after {} s, so this run changed nothing: let it finish (or end it), then run this again",
                busy.holder(),
                path.display(),
                d.as_secs()
            ));
        }
        (Err(busy @ LockError::Busy { .. }), Wait::No) => {
            let (copy, more) = load(global, &path, options);
            warnings.extend(more);
            warnings.push(format!(
                "{} is using the sandbox account {}: this run works on a copy in memory and saves nothing; quit the other one first to keep your changes",
                busy.holder(),
                path.display()
            ));
            return Ok(opened(copy.detached(), warnings, false));
        }
        (Err(LockError::Io(message)), _) => {
            // Without a lock the account could lose another run's changes: keep it in memory.
            let (copy, more) = load(global, &path, options);
            warnings.extend(more);
            warnings.push(format!(
                "{message}; the sandbox works on a copy in memory and saves nothing this time: check that {} is writable",
                path.parent().unwrap_or(&path).display()
            ));
            return Ok(opened(copy.detached(), warnings, false));
        }
    };
    if global.sandbox_reset {
        let sandbox = seed(global, Some(&path), options, &mut warnings);
        return Ok(opened(sandbox.holding(lock), warnings, true));
    }
    let (sandbox, more) = load(global, &path, options);
    warnings.extend(more);
    Ok(opened(sandbox.holding(lock), warnings, false))
}

impl Opened {
    /// The account with a pending `--sandbox-reset` carried out at once, for the wizard:
    /// opening it is already the start of its changes.
    pub fn started(mut self) -> (Sandbox, Vec<String>) {
        if self.reset_pending {
            self.warnings.extend(start_over(&self.sandbox));
        }
        (self.sandbox, self.warnings)
    }
}

/// [`open_sandbox_with`] without waiting, a `--sandbox-reset` carried out at once: for the
/// wizard switching to the sandbox in the middle of a run.
pub fn open_sandbox(global: &GlobalArgs, access: Access) -> (Sandbox, Vec<String>) {
    match open_sandbox_with(global, access, Wait::No, &mut io::sink()) {
        Ok(opened) => opened.started(),
        // Not reached without waiting; an account in memory is the safe answer anyway.
        Err(e) => (Sandbox::with_options(global.sandbox_options()), vec![e]),
    }
}

/// Builds the account the command works on: the sandbox (opened as [`open_sandbox_with`]
/// says, waiting for another command that changes it, its warnings written to `err`), or AWS
/// with two contexts. `None` when the sandbox account stayed busy: the error is written and
/// nothing was changed.
pub async fn open(
    global: &GlobalArgs,
    answers: &crate::domain::setup::Answers,
    access: Access,
    err: &mut dyn Write,
) -> io::Result<Option<Account>> {
    if global.sandbox {
        let opened = match open_sandbox_with(global, access, Wait::UpTo(SANDBOX_WAIT), err) {
            Ok(o) => o,
            Err(e) => {
                writeln!(err, "error: {e}")?;
                return Ok(None);
            }
        };
        if let Some(note) = scenario_note(global, &opened.sandbox) {
            writeln!(err, "{note}")?;
        }
        if let Some(n) = global.sandbox_people {
            writeln!(err, "{}", seed_people(&opened.sandbox, n))?;
        }
        for w in &opened.warnings {
            writeln!(err, "warning: {w}")?;
        }
        paced(&opened.sandbox, answers);
        return Ok(Some(Account::Sandbox {
            sandbox: Arc::new(opened.sandbox),
            reset_pending: AtomicBool::new(opened.reset_pending),
        }));
    }
    let (connect, identity) = super::context_settings(answers);
    Ok(Some(Account::Aws(Box::new(
        SdkCloud::load(&connect, &identity).await,
    ))))
}

/// `--sandbox-people N`: the account gets N seeded people, 40% of them in groups (as the
/// scale benchmark has them), kept at once when this command holds the account's lock;
/// otherwise for this run only. Returns the line that says what was done.
fn seed_people(sandbox: &Sandbox, n: u32) -> String {
    let n = n as usize;
    let seeded = sandbox.seed_people(n, n * 2 / 5);
    let mut line = seeded.summary();
    if seeded.added > 0 {
        match sandbox.file().filter(|_| sandbox.holds_lock()) {
            Some(path) => {
                if let Err(e) = sandbox.save(path) {
                    line.push_str(&format!(
                        "; they could not be kept ({e}), so they last for this run only"
                    ));
                }
            }
            None => line.push_str(
                "; for this run only (a command that may change the account, such as apply, keeps them)",
            ),
        }
    }
    line
}

/// `--max-rps` on the sandbox: its calls go through the same pacer as the SDK's requests
/// would (without it, the sandbox paces only while it enforces quotas).
fn paced(sandbox: &Sandbox, answers: &crate::domain::setup::Answers) {
    if answers.max_rps.is_some() {
        sandbox.set_max_rps(&super::max_rps(answers));
    }
}

/// [`open`] for commands that only read the account (doctor, inspect-assertion): they never
/// wait, and a sandbox account busy elsewhere is read as it was last saved.
pub async fn connect(
    global: &GlobalArgs,
    answers: &crate::domain::setup::Answers,
    access: Access,
    err: &mut dyn Write,
) -> io::Result<Account> {
    if global.sandbox {
        let (sandbox, warnings) = open_sandbox(global, access);
        if let Some(note) = scenario_note(global, &sandbox) {
            writeln!(err, "{note}")?;
        }
        for w in warnings {
            writeln!(err, "warning: {w}")?;
        }
        paced(&sandbox, answers);
        return Ok(Account::Sandbox {
            sandbox: Arc::new(sandbox),
            reset_pending: AtomicBool::new(false),
        });
    }
    let (connect, identity) = super::context_settings(answers);
    Ok(Account::Aws(Box::new(
        SdkCloud::load(&connect, &identity).await,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::api::*;
    use crate::cloud::sandbox::{SANDBOX_INSTANCE_ID, SandboxOptions};

    fn changes() -> Access {
        Access::Changes
    }

    fn has_application(sandbox: &Sandbox) -> bool {
        !sandbox.snapshot().applications.is_empty()
    }

    #[test]
    fn a_busy_account_is_waited_for_once_then_refused_changing_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = sandbox::account_path(dir.path());
        let global = GlobalArgs::default();
        let first = open_sandbox_at(
            Some(path.clone()),
            &global,
            changes(),
            Wait::No,
            &mut Vec::new(),
        )
        .unwrap();
        assert!(first.sandbox.holds_lock());
        first.sandbox.simulate_create_application("First");

        // While the first holds it, the second waits, says so once, then gives up.
        let mut err = Vec::new();
        let wait = Wait::UpTo(Duration::from_millis(150));
        let refused = open_sandbox_at(Some(path.clone()), &global, changes(), wait, &mut err)
            .err()
            .expect("refused");
        let err = String::from_utf8(err).unwrap();
        assert_eq!(err.matches("waiting up to 0 s").count(), 1, "{err}");
        assert!(err.starts_with("another connect-sso (pid "), "{err}");
        assert!(err.contains("is using the sandbox account"), "{err}");
        assert!(
            refused.contains("is still using the sandbox account"),
            "{refused}"
        );
        assert!(refused.contains("this run changed nothing"), "{refused}");
        assert!(refused.contains("run this again"), "{refused}");

        // Without waiting (the full-screen wizard), it works on a copy and saves nothing.
        let copy = open_sandbox_at(
            Some(path.clone()),
            &global,
            changes(),
            Wait::No,
            &mut Vec::new(),
        )
        .unwrap();
        assert_eq!(copy.sandbox.file(), None);
        assert!(
            copy.warnings[0].contains("saves nothing"),
            "{:?}",
            copy.warnings
        );

        // Only looking needs no lock.
        let look = open_sandbox_at(
            Some(path.clone()),
            &global,
            Access::ReadOnly,
            wait,
            &mut Vec::new(),
        )
        .unwrap();
        assert!(!look.sandbox.holds_lock());

        // Saved and let go, the next one gets the account as the first left it.
        save_sandbox(&first.sandbox, &mut Vec::new()).unwrap();
        drop(first);
        let next = open_sandbox_at(Some(path), &global, changes(), wait, &mut Vec::new()).unwrap();
        assert!(has_application(&next.sandbox));
        assert!(next.sandbox.holds_lock());
    }

    #[tokio::test]
    async fn a_reset_replaces_the_saved_account_only_once_changes_begin() {
        let dir = tempfile::tempdir().unwrap();
        let path = sandbox::account_path(dir.path());
        let ledger = crate::ledger::beside_account(&path);
        let kept = Sandbox::seeded_at(&path, SandboxOptions::default());
        kept.simulate_create_application("Kept");
        kept.save(&path).unwrap();
        std::fs::write(&ledger, b"{}").unwrap();
        let saved = std::fs::read(&path).unwrap();

        let global = GlobalArgs {
            sandbox: true,
            sandbox_reset: true,
            ..GlobalArgs::default()
        };
        let open = || {
            let o = open_sandbox_at(
                Some(path.clone()),
                &global,
                changes(),
                Wait::No,
                &mut Vec::new(),
            )
            .unwrap();
            assert!(o.reset_pending);
            assert!(
                !has_application(&o.sandbox),
                "it starts from the seeded account"
            );
            Account::Sandbox {
                sandbox: Arc::new(o.sandbox),
                reset_pending: AtomicBool::new(true),
            }
        };
        // Opened, then refused: nothing changes on disk.
        drop(open());
        assert_eq!(std::fs::read(&path).unwrap(), saved);
        assert!(ledger.exists());

        // Opened, then going on: the seeded account replaces the saved one, and its ledger goes.
        let account = open();
        assert!(account.reset_pending());
        let mut err = Vec::new();
        account.begin_changes(&mut err).unwrap();
        assert!(err.is_empty(), "{}", String::from_utf8_lossy(&err));
        assert!(!account.reset_pending());
        assert!(!ledger.exists());
        let (reloaded, _) = Sandbox::load_or_seed(&path, SandboxOptions::default());
        assert!(!has_application(&reloaded));
        let instance = reloaded
            .describe_connect_instance(SANDBOX_INSTANCE_ID)
            .await
            .unwrap();
        assert!(instance.is_some());
    }

    #[test]
    fn max_rps_paces_the_sandbox_too() {
        let sandbox = Sandbox::with_options(SandboxOptions::default());
        paced(&sandbox, &crate::domain::setup::Answers::default());
        assert!(sandbox.client_limits().is_none(), "unpaced unless asked");
        let answers = crate::domain::setup::Answers {
            max_rps: Some(vec!["connect=1".to_string()]),
            ..Default::default()
        };
        paced(&sandbox, &answers);
        assert!(sandbox.client_limits().is_some());
    }
}
