//! Saved wizard sessions: one JSON file per named session in the user's state directory,
//! written atomically with mode 0600, beside a lock file that keeps a second wizard off a
//! session in use. Never holds credentials.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::files::{self, FileLock, LockError};

/// Session names become file names: keep them to a safe set.
pub fn valid_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        && !name.starts_with('.');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "session name '{name}' is not valid: use 1-64 letters, digits, '-', '_' or '.', not starting with '.'"
        ))
    }
}

/// `$XDG_STATE_HOME/connect-sso`, or `~/.local/state/connect-sso`.
pub fn state_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".local/state"))
        })?;
    Some(base.join("connect-sso"))
}

pub fn session_path(dir: &Path, name: &str) -> PathBuf {
    dir.join("sessions").join(format!("{name}.json"))
}

/// The lock file of the session kept at `path`: `sessions/NAME.lock`.
pub fn lock_path(path: &Path) -> PathBuf {
    path.with_extension("lock")
}

/// Takes the lock of the session kept at `path`, named `name`, for the whole of a wizard's
/// run: two wizards on one session would each save over the other's answers, so the second
/// is refused at once, with the way out. A lock that cannot be taken at all (a read-only
/// state folder) is no reason to refuse: saving then fails and says so.
pub fn lock(path: &Path, name: &str) -> Result<Option<FileLock>, String> {
    match files::lock_exclusive(
        &lock_path(path),
        &files::this_process(),
        Duration::ZERO,
        &mut |_| {},
    ) {
        Ok(lock) => Ok(Some(lock)),
        Err(busy @ LockError::Busy { .. }) => Err(format!(
            "session {name} is open in {}: finish or quit that wizard first, or pick another session with --session NAME (for example --session {name}-2)",
            busy.holder()
        )),
        Err(LockError::Io(message)) => {
            tracing::warn!("{message}; the session {name} is used without a lock");
            Ok(None)
        }
    }
}

/// Writes `value` as JSON to `path` atomically: a temporary file in the same folder,
/// flushed to disk, then renamed over the old one. A crash leaves the old file or the new.
pub fn save<T: Serialize>(path: &Path, value: &T) -> Result<(), String> {
    let dir = path
        .parent()
        .ok_or_else(|| format!("{} has no parent folder", path.display()))?;
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let text = serde_json::to_vec_pretty(value).map_err(|e| e.to_string())?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("session"),
        std::process::id()
    ));
    let write = || -> std::io::Result<()> {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut f = options.open(&tmp)?;
        f.write_all(&text)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("cannot write {}: {e}", path.display())
    })
}

/// What loading a session found.
#[derive(Debug)]
pub enum Loaded<T> {
    Missing,
    Found(T),
    /// The file could not be read as a session; it was moved aside to this path.
    Corrupt {
        moved_to: PathBuf,
        reason: String,
    },
}

/// The `version` a saved file says it has, read without the rest of its fields: a file of a
/// newer format is left alone before anything tries to read it as this one.
pub fn saved_version(path: &Path) -> Option<u64> {
    let bytes = std::fs::read(path).ok()?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    value.get("version")?.as_u64()
}

pub fn load<T: DeserializeOwned>(path: &Path) -> Result<Loaded<T>, String> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Loaded::Missing),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    match serde_json::from_slice(&bytes) {
        Ok(v) => Ok(Loaded::Found(v)),
        Err(e) => {
            // Keep the damaged file for inspection; never overwrite it silently, nor an
            // earlier damaged file.
            let moved_to = aside_path(path);
            std::fs::rename(path, &moved_to).map_err(|re| {
                format!(
                    "{} is damaged ({e}) and cannot be moved aside: {re}",
                    path.display()
                )
            })?;
            Ok(Loaded::Corrupt {
                moved_to,
                reason: e.to_string(),
            })
        }
    }
}

/// Where a damaged file goes: `NAME.json.corrupt`, or `NAME.json.corrupt-N` when earlier
/// damaged files are already there.
fn aside_path(path: &Path) -> PathBuf {
    let first = path.with_extension("json.corrupt");
    if !first.exists() {
        return first;
    }
    (2..)
        .map(|n| path.with_extension(format!("json.corrupt-{n}")))
        .find(|p| !p.exists())
        .expect("some numbered name is free")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct S {
        a: u32,
    }

    #[test]
    fn save_then_load_with_private_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = session_path(dir.path(), "acme");
        save(&path, &S { a: 7 }).unwrap();
        assert!(matches!(
            load::<S>(&path).unwrap(),
            Loaded::Found(S { a: 7 })
        ));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn missing_and_corrupt_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = session_path(dir.path(), "x");
        assert!(matches!(load::<S>(&path).unwrap(), Loaded::Missing));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, b"{ not json").unwrap();
        match load::<S>(&path).unwrap() {
            Loaded::Corrupt { moved_to, .. } => assert!(moved_to.exists()),
            other => panic!("{other:?}"),
        }
        assert!(!path.exists());
        // A second damaged file keeps the first one's copy.
        std::fs::write(&path, b"also broken").unwrap();
        match load::<S>(&path).unwrap() {
            Loaded::Corrupt { moved_to, .. } => {
                assert!(moved_to.to_string_lossy().ends_with(".json.corrupt-2"));
                assert_eq!(std::fs::read(&moved_to).unwrap(), b"also broken");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            std::fs::read(path.with_extension("json.corrupt")).unwrap(),
            b"{ not json"
        );
    }

    #[test]
    fn a_session_in_use_is_refused_with_the_way_out() {
        let dir = tempfile::tempdir().unwrap();
        let path = session_path(dir.path(), "acme");
        let first = lock(&path, "acme").unwrap();
        assert!(first.is_some());
        let message = lock(&path, "acme").unwrap_err();
        assert!(
            message.contains("session acme is open in another connect-sso (pid "),
            "{message}"
        );
        assert!(message.contains("--session NAME"), "{message}");
        // Another session is free, and this one once the first wizard has ended.
        assert!(
            lock(&session_path(dir.path(), "other"), "other")
                .unwrap()
                .is_some()
        );
        drop(first);
        assert!(lock(&path, "acme").unwrap().is_some());
    }

    #[test]
    fn names() {
        assert!(valid_name("acme-prod_2").is_ok());
        for bad in ["", "../x", ".hidden", "a b", &"x".repeat(65)] {
            assert!(valid_name(bad).is_err(), "{bad}");
        }
    }
}
