//! What connect-sso did to application instances through the console API, kept beside the
//! ledger of assignments (`console.json`, written atomically with mode 0600): which it
//! created (so a later teardown removes only those), and the fingerprint of the attribute
//! mappings it last wrote, since the API has no read of them.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::files::{self, LockError};
use crate::session::{self, Loaded};

const FORMAT: u32 = 1;
const LOCK_WAIT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordEntry {
    pub instance_id: String,
    /// connect-sso created it.
    #[serde(default)]
    pub created: bool,
    /// SHA-256 of the step 10 requests last written.
    #[serde(default)]
    pub mappings: Option<String>,
    /// The Connect instance it was set up for.
    pub connect_instance_id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    #[serde(default)]
    pub format: u32,
    #[serde(default)]
    pub applications: Vec<RecordEntry>,
}

impl Record {
    pub fn entry(&self, instance_id: &str) -> Option<&RecordEntry> {
        self.applications
            .iter()
            .find(|e| e.instance_id == instance_id)
    }

    /// The fingerprint of the mappings last written to `instance_id`.
    pub fn mappings(&self, instance_id: &str) -> Option<String> {
        self.entry(instance_id)?.mappings.clone()
    }
}

/// `console.json` beside the ledger at `ledger`.
pub fn beside_ledger(ledger: &Path) -> PathBuf {
    ledger.with_file_name("console.json")
}

/// The record at `path` (empty when there is none, or it is damaged: then moved aside, with
/// a warning).
pub fn load(path: &Path) -> (Record, Option<String>) {
    match session::load::<Record>(path) {
        Ok(Loaded::Found(r)) if r.format <= FORMAT => (r, None),
        Ok(Loaded::Found(r)) => (
            Record::default(),
            Some(format!(
                "{} was written by a newer connect-sso (format {}): update connect-sso; until then step 10 is written again on every run",
                path.display(),
                r.format
            )),
        ),
        Ok(Loaded::Missing) => (Record::default(), None),
        Ok(Loaded::Corrupt { moved_to, reason }) => (
            Record::default(),
            Some(format!(
                "{} could not be read ({reason}) and was moved to {}: step 10 is written again",
                path.display(),
                moved_to.display()
            )),
        ),
        Err(e) => (
            Record::default(),
            Some(format!("{e}: step 10 is written again")),
        ),
    }
}

/// Records what a run did to `instance_id`: `created` (kept once true) and the mappings'
/// fingerprint when it wrote them.
pub fn note(
    path: &Path,
    instance_id: &str,
    connect_instance_id: &str,
    created: bool,
    mappings: Option<&str>,
) -> Result<(), String> {
    if !created && mappings.is_none() {
        return Ok(());
    }
    let _lock = lock(path)?;
    let (mut record, _) = load(path);
    record.format = FORMAT;
    match record
        .applications
        .iter_mut()
        .find(|e| e.instance_id == instance_id)
    {
        Some(e) => {
            e.created |= created;
            if let Some(m) = mappings {
                e.mappings = Some(m.to_string());
            }
        }
        None => record.applications.push(RecordEntry {
            instance_id: instance_id.to_string(),
            created,
            mappings: mappings.map(str::to_string),
            connect_instance_id: connect_instance_id.to_string(),
        }),
    }
    session::save(path, &record)
}

/// Forgets the applications `instance_ids` (teardown removed them, or found them gone).
pub fn forget(path: &Path, instance_ids: &[String]) -> Result<(), String> {
    if instance_ids.is_empty() {
        return Ok(());
    }
    let _lock = lock(path)?;
    let (mut record, _) = load(path);
    let before = record.applications.len();
    record
        .applications
        .retain(|e| !instance_ids.contains(&e.instance_id));
    if record.applications.len() == before {
        return Ok(());
    }
    record.format = FORMAT;
    session::save(path, &record)
}

fn lock(path: &Path) -> Result<files::FileLock, String> {
    let lock = path.with_file_name("console.lock");
    files::lock_exclusive(&lock, &files::this_process(), LOCK_WAIT, &mut |_| {}).map_err(
        |e| match e {
            LockError::Busy { .. } => format!(
                "{} kept {} locked for {} s",
                e.holder(),
                path.display(),
                LOCK_WAIT.as_secs()
            ),
            LockError::Io(message) => message,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_are_kept_and_merged() {
        let dir = tempfile::tempdir().unwrap();
        let path = beside_ledger(&dir.path().join("ledger.json"));
        assert_eq!(path.file_name().unwrap(), "console.json");
        assert_eq!(load(&path).0, Record::default());
        note(&path, "ins-1", "c-1", false, None).unwrap();
        assert!(!path.exists(), "nothing to note writes nothing");
        note(&path, "ins-1", "c-1", true, Some("aa")).unwrap();
        note(&path, "ins-1", "c-1", false, Some("bb")).unwrap();
        let (r, w) = load(&path);
        assert_eq!(w, None);
        assert_eq!(r.mappings("ins-1").as_deref(), Some("bb"));
        assert!(r.entry("ins-1").unwrap().created);
        assert_eq!(r.mappings("ins-2"), None);

        note(&path, "ins-2", "c-1", true, None).unwrap();
        forget(&path, &["ins-1".to_string()]).unwrap();
        let (r, _) = load(&path);
        assert!(r.entry("ins-1").is_none() && r.entry("ins-2").unwrap().created);

        std::fs::write(&path, b"{not json").unwrap();
        let (r, w) = load(&path);
        assert_eq!(r, Record::default());
        assert!(w.unwrap().contains("moved to"));
    }
}
