//! The ledger of application assignments connect-sso made. IAM Identity Center cannot tag
//! an assignment, so `apply` (and the wizard) write down each one they create, and
//! `teardown` removes only those. One JSON file in the state directory, written atomically
//! with mode 0600 like the sessions; a damaged file is moved aside with a warning.
//!
//! Recording and forgetting hold an advisory lock on `ledger.lock` beside the file for their
//! read-modify-write, so two runs at the same moment both keep their entries.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::cloud::PrincipalType;
use crate::files::{self, FileLock, LockError};
use crate::session::{self, Loaded};

/// The file's format version, for readers of later versions.
const FORMAT: u32 = 1;

/// One application assignment connect-sso created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub application_arn: String,
    /// The Identity Center user or group id.
    pub principal_id: String,
    /// Whether `principal_id` is a user or a group. Ledgers written before connect-sso
    /// assigned groups have no such field: every entry of theirs is a user.
    #[serde(default)]
    pub principal_type: PrincipalType,
    /// As the user or group was asked for (user name, email, group name or id), for people
    /// reading the list.
    pub user_name: String,
    /// The Connect instance the setup was for.
    pub instance_id: String,
    /// RFC 3339.
    pub created_at: String,
}

impl LedgerEntry {
    /// Whether both name the same assignment.
    pub fn same_assignment(&self, application_arn: &str, principal_id: &str) -> bool {
        self.application_arn == application_arn && self.principal_id == principal_id
    }
}

/// What the file holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    #[serde(default)]
    pub format: u32,
    #[serde(default)]
    pub assignments: Vec<LedgerEntry>,
    /// The Connect users `users sync` created; absent from ledgers written before it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub connect_users: Vec<ConnectUserEntry>,
}

/// One Connect user `users sync` created, so `--prune` removes only its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectUserEntry {
    pub instance_id: String,
    pub user_id: String,
    pub username: String,
    /// RFC 3339.
    pub created_at: String,
}

/// `STATE_DIR/ledger.json`.
pub fn ledger_path(state_dir: &Path) -> PathBuf {
    state_dir.join("ledger.json")
}

/// The ledger in the user's state directory, when there is one (`$XDG_STATE_HOME` or `$HOME`).
pub fn default_path() -> Option<PathBuf> {
    session::state_dir().map(|d| ledger_path(&d))
}

/// The ledger of the sandbox account kept in `account_file`: `ledger.json` beside it
/// (`STATE_DIR/sandbox/ledger.json`), so a teardown on AWS never sees sandbox assignments and
/// starting the sandbox over clears both.
pub fn beside_account(account_file: &Path) -> PathBuf {
    account_file.with_file_name("ledger.json")
}

/// The ledger at `path` (empty when there is none yet), and a warning when the file was
/// damaged and moved aside. Fails only when the file cannot be read or moved at all.
pub fn load(path: &Path) -> Result<(Ledger, Option<String>), String> {
    match session::load::<Ledger>(path)? {
        Loaded::Missing => Ok((Ledger::default(), None)),
        // Rewriting a newer format as this one could lose what it records: leave it alone.
        Loaded::Found(ledger) if ledger.format > FORMAT => Err(format!(
            "the ledger of assignments {} was written by a newer connect-sso (format {}): update connect-sso to use it",
            path.display(),
            ledger.format
        )),
        Loaded::Found(ledger) => Ok((ledger, None)),
        Loaded::Corrupt { moved_to, reason } => Ok((
            Ledger::default(),
            Some(format!(
                "the ledger of assignments {} was damaged ({reason}) and was moved to {}; teardown keeps assignments it has no record of",
                path.display(),
                moved_to.display()
            )),
        )),
    }
}

fn save(path: &Path, ledger: &Ledger) -> Result<(), String> {
    let ledger = Ledger {
        format: FORMAT,
        assignments: ledger.assignments.clone(),
        connect_users: ledger.connect_users.clone(),
    };
    session::save(path, &ledger)
}

/// How long a change of the ledger waits for another run's: theirs takes milliseconds.
const LOCK_WAIT: Duration = Duration::from_secs(10);

/// The lock file of the ledger at `path`.
pub fn lock_path(path: &Path) -> PathBuf {
    path.with_file_name("ledger.lock")
}

/// Holds the ledger's lock for one read-modify-write.
fn locked(path: &Path) -> Result<FileLock, String> {
    files::lock_exclusive(&lock_path(path), &files::this_process(), LOCK_WAIT, &mut |_| {})
        .map_err(|e| match e {
            LockError::Busy { .. } => format!(
                "{} kept the ledger of assignments {} locked for {} s: run the command again once it has finished",
                e.holder(),
                path.display(),
                LOCK_WAIT.as_secs()
            ),
            LockError::Io(message) => message,
        })
}

/// Adds `entries` (those not recorded yet) to the ledger at `path`. Returns the warnings
/// the reading gave.
pub fn record(path: &Path, entries: &[LedgerEntry]) -> Result<Vec<String>, String> {
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    let _lock = locked(path)?;
    let (mut ledger, warning) = load(path)?;
    let mut changed = false;
    for e in entries {
        // The first record of an assignment keeps its date.
        if !ledger
            .assignments
            .iter()
            .any(|r| r.same_assignment(&e.application_arn, &e.principal_id))
        {
            ledger.assignments.push(e.clone());
            changed = true;
        }
    }
    if changed {
        save(path, &ledger)?;
    }
    Ok(warning.into_iter().collect())
}

/// Removes the assignments `(application ARN, principal id)` from the ledger at `path`.
pub fn forget(path: &Path, done: &[(String, String)]) -> Result<Vec<String>, String> {
    if done.is_empty() {
        return Ok(Vec::new());
    }
    let _lock = locked(path)?;
    let (mut ledger, warning) = load(path)?;
    let before = ledger.assignments.len();
    ledger
        .assignments
        .retain(|e| !done.iter().any(|(app, id)| e.same_assignment(app, id)));
    if ledger.assignments.len() != before {
        save(path, &ledger)?;
    }
    Ok(warning.into_iter().collect())
}

/// Adds the Connect users `entries` (those not recorded yet) to the ledger at `path`.
/// Returns the warnings the reading gave.
pub fn record_connect_users(
    path: &Path,
    entries: &[ConnectUserEntry],
) -> Result<Vec<String>, String> {
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    let _lock = locked(path)?;
    let (mut ledger, warning) = load(path)?;
    let before = ledger.connect_users.len();
    for e in entries {
        if !ledger
            .connect_users
            .iter()
            .any(|r| r.instance_id == e.instance_id && r.user_id == e.user_id)
        {
            ledger.connect_users.push(e.clone());
        }
    }
    if ledger.connect_users.len() != before {
        save(path, &ledger)?;
    }
    Ok(warning.into_iter().collect())
}

/// Removes the Connect users `(instance id, user id)` from the ledger at `path`.
pub fn forget_connect_users(path: &Path, done: &[(String, String)]) -> Result<Vec<String>, String> {
    if done.is_empty() {
        return Ok(Vec::new());
    }
    let _lock = locked(path)?;
    let (mut ledger, warning) = load(path)?;
    let before = ledger.connect_users.len();
    ledger.connect_users.retain(|e| {
        !done
            .iter()
            .any(|(i, u)| &e.instance_id == i && &e.user_id == u)
    });
    if ledger.connect_users.len() != before {
        save(path, &ledger)?;
    }
    Ok(warning.into_iter().collect())
}

/// Records `entries` in the ledger at `path` for the wizard, which has no terminal to report
/// to: problems go to the log. The assignments themselves were made either way. Without a
/// ledger (no state directory, or a sandbox account in memory only) teardown keeps them.
pub fn remember(path: Option<&Path>, entries: &[LedgerEntry]) {
    if entries.is_empty() {
        return;
    }
    let Some(path) = path else {
        tracing::warn!(
            "no ledger (no state directory, $XDG_STATE_HOME or $HOME, or a sandbox account in memory only): {} assignment(s) not recorded, so teardown will keep them",
            entries.len()
        );
        return;
    };
    match record(path, entries) {
        Ok(warnings) => {
            for w in warnings {
                tracing::warn!("{w}");
            }
        }
        Err(e) => tracing::warn!("assignments not recorded, so teardown will keep them: {e}"),
    }
}

/// Writes each Connect user a sync creates (or removes) to the ledger at once, so a run
/// killed later still has it recorded. Problems are kept as warnings for the caller to
/// show: the users were made either way, and their tag still marks them.
pub struct SyncRecorder {
    path: Option<PathBuf>,
    created_at: String,
    warnings: std::sync::Mutex<Vec<String>>,
}

impl SyncRecorder {
    /// `path`: `None` records nothing (a sandbox account in memory, no state directory).
    pub fn new(path: Option<&Path>, now: time::OffsetDateTime) -> SyncRecorder {
        SyncRecorder {
            path: path.map(Path::to_path_buf),
            created_at: now
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            warnings: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// Each problem once, in the order met.
    pub fn warnings(&self) -> Vec<String> {
        self.warnings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn warn(&self, w: String) {
        let mut warnings = self.warnings.lock().unwrap_or_else(|e| e.into_inner());
        if !warnings.contains(&w) {
            warnings.push(w);
        }
    }
}

impl crate::cloud::sync::SyncObserver for SyncRecorder {
    fn created(&self, _person: &crate::cloud::sync::NewPerson, user: &crate::cloud::ConnectUser) {
        let Some(path) = &self.path else {
            return;
        };
        let entry = ConnectUserEntry {
            instance_id: instance_of(&user.arn),
            user_id: user.id.clone(),
            username: user.username.clone(),
            created_at: self.created_at.clone(),
        };
        match record_connect_users(path, &[entry]) {
            Ok(ws) => ws.into_iter().for_each(|w| self.warn(w)),
            Err(e) => self.warn(format!(
                "a created user is not recorded in the ledger ({e}); --prune still knows it by its tag"
            )),
        }
    }

    fn deleted(&self, user: &crate::cloud::ConnectUser) {
        let Some(path) = &self.path else {
            return;
        };
        let done = [(instance_of(&user.arn), user.id.clone())];
        if let Err(e) = forget_connect_users(path, &done) {
            self.warn(format!("a removed user is still in the ledger: {e}"));
        }
    }
}

/// The instance id in a Connect user's ARN (`arn:...:instance/ID/agent/USER`).
fn instance_of(user_arn: &str) -> String {
    user_arn
        .split_once(":instance/")
        .and_then(|(_, rest)| rest.split('/').next())
        .unwrap_or_default()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(app: &str, principal: &str) -> LedgerEntry {
        LedgerEntry {
            application_arn: app.to_string(),
            principal_id: principal.to_string(),
            principal_type: PrincipalType::User,
            user_name: format!("{principal}@example.com"),
            instance_id: "5f8c2a4e-1b3d-4c6e-9a7b-2d4f6e8a0c1b".to_string(),
            created_at: "2025-01-02T03:04:05Z".to_string(),
        }
    }

    #[test]
    fn record_then_forget_with_private_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = ledger_path(dir.path());
        assert_eq!(load(&path).unwrap(), (Ledger::default(), None));

        let warnings = record(&path, &[entry("a", "u1"), entry("a", "u2")]).unwrap();
        assert!(warnings.is_empty());
        // Recording again keeps the first record.
        let mut later = entry("a", "u1");
        later.created_at = "2030-01-01T00:00:00Z".to_string();
        record(&path, &[later, entry("b", "u1")]).unwrap();
        let (ledger, _) = load(&path).unwrap();
        assert_eq!(ledger.format, FORMAT);
        assert_eq!(
            ledger.assignments,
            [entry("a", "u1"), entry("a", "u2"), entry("b", "u1")]
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }

        forget(&path, &[("a".to_string(), "u1".to_string())]).unwrap();
        let (ledger, _) = load(&path).unwrap();
        assert_eq!(ledger.assignments, [entry("a", "u2"), entry("b", "u1")]);
        // Forgetting what is not there changes nothing.
        forget(&path, &[("c".to_string(), "u9".to_string())]).unwrap();
        assert_eq!(load(&path).unwrap().0.assignments.len(), 2);
        // No temporary file is left behind; the lock file stays (removing it would race).
        let mut names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        assert_eq!(names, ["ledger.json", "ledger.lock"]);
    }

    #[test]
    fn a_ledger_locked_by_another_run_is_waited_for() {
        let dir = tempfile::tempdir().unwrap();
        let path = ledger_path(dir.path());
        record(&path, &[entry("a", "u1")]).unwrap();
        // Another run holds the lock for a moment, as it does while it records.
        let held =
            files::lock_exclusive(&lock_path(&path), "pid 1", Duration::ZERO, &mut |_| {}).unwrap();
        let other = {
            let path = path.clone();
            std::thread::spawn(move || record(&path, &[entry("a", "u2")]))
        };
        std::thread::sleep(Duration::from_millis(100));
        // It has not written while the lock is held.
        assert_eq!(load(&path).unwrap().0.assignments.len(), 1);
        drop(held);
        other.join().unwrap().unwrap();
        assert_eq!(
            load(&path).unwrap().0.assignments,
            [entry("a", "u1"), entry("a", "u2")]
        );
    }

    #[test]
    fn two_runs_recording_at_once_keep_both_entries() {
        let dir = tempfile::tempdir().unwrap();
        let path = ledger_path(dir.path());
        let runs: Vec<_> = (0..8)
            .map(|i| {
                let path = path.clone();
                std::thread::spawn(move || record(&path, &[entry("a", &format!("u{i}"))]))
            })
            .collect();
        for r in runs {
            r.join().unwrap().unwrap();
        }
        assert_eq!(load(&path).unwrap().0.assignments.len(), 8);
    }

    #[test]
    fn a_damaged_ledger_is_moved_aside_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let path = ledger_path(dir.path());
        for damaged in [
            &b"{ not json"[..],
            b"\"text\"",
            b"{\"assignments\": [{\"x\": 1}]}",
        ] {
            std::fs::write(&path, damaged).unwrap();
            let (ledger, warning) = load(&path).unwrap();
            assert_eq!(ledger, Ledger::default());
            let warning = warning.expect("a warning");
            assert!(warning.contains("moved to"), "{warning}");
            assert!(!path.exists());
            assert!(dir.path().join("ledger.json.corrupt").exists());
        }
        // Recording over a damaged file starts a new ledger and says so.
        std::fs::write(&path, b"garbage").unwrap();
        let warnings = record(&path, &[entry("a", "u1")]).unwrap();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert_eq!(load(&path).unwrap().0.assignments, [entry("a", "u1")]);
    }

    #[test]
    fn a_ledger_from_a_newer_version_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = ledger_path(dir.path());
        let newer = br#"{"format": 99, "assignments": []}"#;
        std::fs::write(&path, newer).unwrap();
        let message = load(&path).unwrap_err();
        assert!(message.contains("newer connect-sso"), "{message}");
        assert!(record(&path, &[entry("a", "u1")]).is_err());
        assert_eq!(std::fs::read(&path).unwrap(), newer);
    }

    #[test]
    fn nothing_to_record_or_forget_writes_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = ledger_path(dir.path());
        record(&path, &[]).unwrap();
        forget(&path, &[]).unwrap();
        assert!(!path.exists());
    }
}
