//! Keeping the account in a file between runs: where it lives, its format, its lock, and
//! loading, seeding and saving it. The recorded calls, faults and latency belong to one run and are
//! never saved.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize};

use super::account::{GroupRecord, InstanceRecord, PolicyRecord, RoleRecord, State};
use super::faults::Fault;
use super::saml_issue::SigningIdentity;
use super::sts::{SpentAssertion, unexpired};
use super::{ApplicationSnapshot, Sandbox, SandboxOptions};
use crate::cloud::{IdcUser, SamlProvider};
use crate::files::{self, FileLock, LockError};
use crate::session::{self, Loaded};

/// The format of a saved account. A file of another version is moved aside, never misread.
const ACCOUNT_FORMAT: u32 = 1;

/// `STATE_DIR/sandbox/account.json`: where `--sandbox` keeps the account between runs.
pub fn account_path(state_dir: &Path) -> PathBuf {
    state_dir.join("sandbox").join("account.json")
}

/// `STATE_DIR/sandbox/account.lock`, beside the account at `account`: held by a command that
/// may change the account from loading it to saving it, so two such commands take turns
/// instead of each saving over the other's changes. Not the account file itself: a save
/// replaces that by renaming another file over it.
pub fn lock_path(account: &Path) -> PathBuf {
    account.with_file_name("account.lock")
}

/// Everything the account holds, as its file holds it. Not the recorded calls, their timings
/// or the faults: those belong to one run. Group assignments are saved with `applications`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct SavedAccount {
    #[serde(deserialize_with = "known_format")]
    version: u32,
    clock: i64,
    serial: u64,
    users: Vec<IdcUser>,
    applications: Vec<ApplicationSnapshot>,
    instances: Vec<InstanceRecord>,
    providers: Vec<SamlProvider>,
    policies: Vec<PolicyRecord>,
    roles: Vec<RoleRecord>,
    /// The identity store's groups with their members: the seeded ones and those
    /// `--sandbox-people` added. An account saved before groups were kept has the seeded ones.
    #[serde(default = "super::account::seeded_groups")]
    groups: Vec<GroupRecord>,
    /// Identity Center's signing key and certificate. Absent from an account saved before
    /// the sandbox signed: it gets one when loaded ([`Sandbox::load_or_seed`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) signing_key: Option<SigningIdentity>,
    /// The assertions STS accepted, until they expire (a replay is refused in the next run too).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    spent_assertions: Vec<SpentAssertion>,
}

fn known_format<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let version = u32::deserialize(d)?;
    if version == ACCOUNT_FORMAT {
        Ok(version)
    } else {
        Err(serde::de::Error::custom(format!(
            "it has format version {version}, and this connect-sso reads version {ACCOUNT_FORMAT}"
        )))
    }
}

impl State {
    pub(super) fn to_saved(&self) -> SavedAccount {
        SavedAccount {
            version: ACCOUNT_FORMAT,
            clock: self.clock,
            serial: self.serial,
            users: self.users.clone(),
            applications: self.applications.clone(),
            instances: self.instances.clone(),
            providers: self.providers.clone(),
            policies: self.policies.clone(),
            roles: self.roles.clone(),
            groups: self.groups.clone(),
            signing_key: self.signing.clone(),
            spent_assertions: self.spent_assertions.clone(),
        }
    }

    fn restored(saved: SavedAccount, faults: Vec<Fault>) -> State {
        State {
            calls: Vec::new(),
            timings: Vec::new(),
            faults,
            clock: saved.clock,
            serial: saved.serial,
            users: saved.users,
            applications: saved.applications,
            instances: saved.instances,
            providers: saved.providers,
            policies: saved.policies,
            roles: saved.roles,
            groups: saved.groups,
            quotas: Default::default(),
            signing_unsaved: saved.signing_key.is_none(),
            signing: saved.signing_key,
            spent_assertions: saved.spent_assertions,
        }
    }
}

impl Sandbox {
    /// The account saved at `path`, or the seeded one when there is no file yet; `options`
    /// apply to this run only. A file that cannot be read as an account is moved aside (to
    /// `account.json.corrupt`) and the account starts seeded; one that cannot be read or
    /// moved at all is left alone and the account lives in memory for this run. Either way
    /// the warning says what happened.
    pub fn load_or_seed(path: &Path, options: SandboxOptions) -> (Sandbox, Option<String>) {
        Sandbox::load_or_seed_with(path, options, &mut Sandbox::seeded_at)
    }

    /// [`load_or_seed`](Sandbox::load_or_seed), seeding with `seed` (a workshop scenario's
    /// account, say) when there is no account to load.
    pub fn load_or_seed_with(
        path: &Path,
        options: SandboxOptions,
        seed: &mut dyn FnMut(&Path, SandboxOptions) -> Sandbox,
    ) -> (Sandbox, Option<String>) {
        match session::load::<SavedAccount>(path) {
            Ok(Loaded::Found(saved)) => {
                let sandbox = Sandbox {
                    latency: options.latency,
                    state: Mutex::new(State::restored(saved, options.faults)),
                    file: Some(path.to_path_buf()),
                    lock: None,
                };
                let warning = sandbox.upgrade(path);
                (sandbox, warning)
            }
            Ok(Loaded::Missing) => (seed(path, options), None),
            Ok(Loaded::Corrupt { moved_to, reason }) => (
                seed(path, options),
                Some(format!(
                    "the saved sandbox account {} could not be read ({reason}); it was moved to {} and the sandbox starts again from the seeded account",
                    path.display(),
                    moved_to.display()
                )),
            ),
            Err(e) => (
                Sandbox::with_options(options),
                Some(format!(
                    "{e}; the sandbox uses the seeded account in memory and saves nothing this time: fix the file's permissions, or move it away to start over"
                )),
            ),
        }
    }

    /// The seeded account, kept at `path`: the next [`save`](Sandbox::save) there replaces
    /// what the file held.
    pub fn seeded_at(path: &Path, options: SandboxOptions) -> Sandbox {
        let sandbox = Sandbox {
            file: Some(path.to_path_buf()),
            ..Sandbox::with_options(options)
        };
        // A kept account gets its Identity Center signing key now; it is saved with the
        // account.
        sandbox.lock().signing();
        sandbox
    }

    /// An account loaded without a signing key got one: the key is written into the file
    /// at `path` at once, under the account's lock (if it is free), adding only the
    /// key to what the file holds by then (another run may have saved since this one read
    /// it). If the file has a key by then, this account takes that one instead. When the
    /// lock is taken, by this process's own command or another, nothing is written here:
    /// the command holding it saves the account, key included (see
    /// [`holding`](Sandbox::holding)). Returns a warning when the key could not be written.
    fn upgrade(&self, path: &Path) -> Option<String> {
        if !self.lock().signing_unsaved {
            return None;
        }
        let Ok(_lock) = Sandbox::lock_account(path, Duration::ZERO, &mut |_| {}) else {
            return None;
        };
        self.write_new_key(path).err().map(|e| {
            format!(
                "the sandbox account {} was saved before its Identity Center had a signing key, and the key made for it now could not be written to it ({e}), so the next run makes another one: check that {} is writable",
                path.display(),
                path.parent().unwrap_or(path).display()
            )
        })
    }

    /// Adds this account's new signing key to what the file at `path` holds now (its lock
    /// held by the caller), or takes the key the file has by now.
    fn write_new_key(&self, path: &Path) -> Result<(), String> {
        let loaded = session::load::<SavedAccount>(path)?;
        let mut state = self.lock();
        // Gone or replaced meanwhile: whoever did it keeps the account from now on.
        if let Loaded::Found(mut saved) = loaded {
            match &saved.signing_key {
                Some(theirs) => state.signing = Some(theirs.clone()),
                None => {
                    saved.signing_key = Some(state.signing().clone());
                    session::save(path, &saved)?;
                }
            }
        }
        state.signing_unsaved = false;
        Ok(())
    }

    /// Takes the lock of the account kept at `path` ([`lock_path`]), waiting at most `wait`;
    /// `waiting` is told once who holds it when this has to wait. Load the account only
    /// once it is held, then keep it with [`holding`](Sandbox::holding).
    pub fn lock_account(
        path: &Path,
        wait: Duration,
        waiting: &mut dyn FnMut(&LockError),
    ) -> Result<FileLock, LockError> {
        files::lock_exclusive(&lock_path(path), &files::this_process(), wait, waiting)
    }

    /// This account, holding `lock` for as long as it lives. A signing key made for an
    /// account that had none in its file is written into the file now, under this lock.
    pub fn holding(self, lock: FileLock) -> Sandbox {
        let unsaved = self.lock().signing_unsaved;
        if unsaved && let Some(path) = &self.file {
            // A failure is said by the command's own save, which writes the key too.
            let _ = self.write_new_key(path);
        }
        Sandbox {
            lock: Some(lock),
            ..self
        }
    }

    /// Whether this account holds the lock of its file.
    pub fn holds_lock(&self) -> bool {
        self.lock.is_some()
    }

    /// The same account in memory only: saving it writes nothing (for a run that may not
    /// change the saved account, because another holds its lock).
    pub fn detached(self) -> Sandbox {
        Sandbox {
            file: None,
            lock: None,
            ..self
        }
    }

    /// The file the account was loaded from or is to be kept in; `None` in memory only.
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// A change that AWS would keep once it has answered, written to the account's file
    /// now, before the answer: when this account is kept in a file under its lock (a
    /// command that changes it), a run killed right after the call still finds what the
    /// call did on the next run, as it would on AWS, rather than only what the command's
    /// final save writes. `state` is this account's, held by the caller, so saves follow
    /// the changes in order. A failed write is logged; the command's own save says it.
    pub(super) fn persist_change(&self, state: &mut State) {
        let (Some(path), Some(_)) = (&self.file, &self.lock) else {
            return;
        };
        state.signing();
        match session::save(path, &state.to_saved()) {
            Ok(()) => state.signing_unsaved = false,
            Err(e) => tracing::warn!("the sandbox account was not saved after a change: {e}"),
        }
    }

    /// Adds the assertions this run's STS accepted to the file the account was read from, so
    /// a later run refuses a replay too: for a command that only reads the account
    /// (sign-in-test), which takes the account's lock for this if it is free. When another
    /// command holds it, or this account holds it (and saves them with the rest), or nothing
    /// was saved yet, the file is left alone.
    pub fn keep_spent_assertions(&self) -> Result<(), String> {
        let Some(path) = &self.file else {
            return Ok(());
        };
        let spent = self.lock().spent_assertions.clone();
        if spent.is_empty() || self.lock.is_some() {
            return Ok(());
        }
        let Ok(_lock) = Sandbox::lock_account(path, Duration::ZERO, &mut |_| {}) else {
            return Ok(());
        };
        let Loaded::Found(mut saved) = session::load::<SavedAccount>(path)? else {
            return Ok(());
        };
        for s in spent {
            if !saved.spent_assertions.iter().any(|kept| kept.id == s.id) {
                saved.spent_assertions.push(s);
            }
        }
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        unexpired(&mut saved.spent_assertions, now);
        session::save(path, &saved)
    }

    /// Writes the account to `path` atomically, readable by the user only (mode 0600).
    pub fn save(&self, path: &Path) -> Result<(), String> {
        let saved = {
            let mut state = self.lock();
            // With its signing key, made now if it has none yet.
            state.signing();
            state.to_saved()
        };
        session::save(path, &saved)?;
        self.lock().signing_unsaved = false;
        Ok(())
    }
}
