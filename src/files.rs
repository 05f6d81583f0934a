//! Bounded reads of files the user points at (answers, metadata): a wrong path to a huge
//! file must not eat memory. Advisory locks that keep two connect-sso processes from
//! interleaving the read-modify-write of one state file.

use std::path::Path;
use std::time::{Duration, Instant};

#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    TooLarge,
}

/// Reads a whole file, refusing (without reading it all) one larger than `max` bytes.
pub fn read_small(path: &Path, max: u64) -> Result<Vec<u8>, ReadError> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    let mut bytes = Vec::new();
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > max {
        return Err(ReadError::TooLarge);
    }
    Ok(bytes)
}

/// An advisory lock on a lock file, held until dropped (closing the file releases it, also
/// when the process is killed). Only connect-sso processes that ask for it are kept out:
/// readers need none, because every state file is replaced by an atomic rename.
#[derive(Debug)]
pub struct FileLock {
    _file: std::fs::File,
}

/// Why a lock was not taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockError {
    /// Another process holds it (and no wait was asked for, or the wait ran out).
    /// `holder` is what that process wrote in the lock file, when it could be read.
    Busy {
        holder: Option<String>,
        waited: Duration,
    },
    /// The lock file cannot be created or locked at all.
    Io(String),
}

impl LockError {
    /// Who holds the lock, for messages: "another connect-sso (pid 42: connect-sso apply)".
    pub fn holder(&self) -> String {
        match self {
            LockError::Busy {
                holder: Some(h), ..
            } => format!("another connect-sso ({})", crate::ui::clean(h)),
            _ => "another connect-sso".to_string(),
        }
    }
}

/// This process, as a lock file names its holder: the pid and the command line, shortened.
pub fn this_process() -> String {
    let args: Vec<String> = std::env::args()
        .enumerate()
        .map(|(i, a)| {
            if i == 0 {
                // The program's name, not the path it was started from.
                Path::new(&a)
                    .file_name()
                    .map_or(a.clone(), |n| n.to_string_lossy().into_owned())
            } else {
                a
            }
        })
        .collect();
    let mut line = args.join(" ");
    if line.chars().count() > 120 {
        line = line.chars().take(119).collect::<String>() + "…";
    }
    format!("pid {}: {line}", std::process::id())
}

/// Takes the exclusive lock on `path` (created, with its folder, when missing), waiting at
/// most `wait` for another holder to let go. `waiting` is called once, with who holds it,
/// when the lock is taken and this has to wait. The lock file then names `holder`, so the
/// next one to wait can say whom it waits for.
pub fn lock_exclusive(
    path: &Path,
    holder: &str,
    wait: Duration,
    waiting: &mut dyn FnMut(&LockError),
) -> Result<FileLock, LockError> {
    use std::io::{Seek, Write};
    let io = |e: std::io::Error| LockError::Io(format!("cannot lock {}: {e}", path.display()));
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let mut options = std::fs::OpenOptions::new();
    // Not truncated on opening: until it holds the lock, this process must not wipe the
    // holder's name.
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(io)?;
    let start = Instant::now();
    let mut pause = Duration::from_millis(10);
    let mut told = false;
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(std::fs::TryLockError::WouldBlock) => {
                let waited = start.elapsed();
                let busy = LockError::Busy {
                    holder: std::fs::read_to_string(path)
                        .ok()
                        .map(|h| h.trim().to_string())
                        .filter(|h| !h.is_empty()),
                    waited,
                };
                if waited >= wait {
                    return Err(busy);
                }
                if !told {
                    told = true;
                    waiting(&busy);
                }
                std::thread::sleep(pause.min(wait - waited));
                pause = (pause * 2).min(Duration::from_millis(200));
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
        }
    }
    // The name is a courtesy for messages; failing to write it does not matter.
    let _ = file
        .set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| file.write_all(holder.as_bytes()))
        .and_then(|()| file.flush());
    Ok(FileLock { _file: file })
}

/// A path as people type it: a leading `~`, `~/`, `$HOME` or `${HOME}` stands for the home
/// folder (a shell would expand it; a quoted answer or a wizard field does not). Anything
/// else, `~user` included, is taken as it is.
pub fn expand_home(path: &str, home: Option<&Path>) -> std::path::PathBuf {
    let Some(home) = home.filter(|h| !h.as_os_str().is_empty()) else {
        return path.into();
    };
    for prefix in ["${HOME}", "$HOME", "~"] {
        if let Some(rest) = path.strip_prefix(prefix) {
            if rest.is_empty() {
                return home.to_path_buf();
            }
            if let Some(rest) = rest.strip_prefix('/') {
                return home.join(rest);
            }
        }
    }
    path.into()
}

/// [`expand_home`] with this process's `HOME`.
pub fn expand_user_path(path: &str) -> std::path::PathBuf {
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    expand_home(path, home.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn home_is_expanded_at_the_start_only() {
        let home = Some(Path::new("/home/ana"));
        let cases = [
            (
                "~/Downloads/metadata.xml",
                "/home/ana/Downloads/metadata.xml",
            ),
            ("$HOME/m.xml", "/home/ana/m.xml"),
            ("${HOME}/m.xml", "/home/ana/m.xml"),
            ("~", "/home/ana"),
            ("~bob/m.xml", "~bob/m.xml"),
            ("$HOMEWORK/m.xml", "$HOMEWORK/m.xml"),
            ("./~/m.xml", "./~/m.xml"),
            ("/tmp/m.xml", "/tmp/m.xml"),
        ];
        for (typed, expected) in cases {
            assert_eq!(expand_home(typed, home), Path::new(expected), "{typed}");
        }
        assert_eq!(expand_home("~/m.xml", None), Path::new("~/m.xml"));
    }
    #[test]
    fn a_taken_lock_is_waited_for_once_then_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/x.lock");
        let held = lock_exclusive(&path, "pid 1: first", Duration::ZERO, &mut |_| {
            panic!("nothing to wait for")
        })
        .unwrap();
        let mut told = Vec::new();
        let start = Instant::now();
        let e = lock_exclusive(
            &path,
            "pid 2: second",
            Duration::from_millis(150),
            &mut |b| told.push(b.holder()),
        )
        .unwrap_err();
        assert!(start.elapsed() >= Duration::from_millis(150));
        assert_eq!(told, ["another connect-sso (pid 1: first)"]);
        match &e {
            LockError::Busy { holder, waited } => {
                assert_eq!(holder.as_deref(), Some("pid 1: first"));
                assert!(*waited >= Duration::from_millis(150));
            }
            other => panic!("{other:?}"),
        }
        // Without a wait, a taken lock is refused at once and nothing is said.
        let e = lock_exclusive(&path, "pid 3", Duration::ZERO, &mut |_| panic!("no wait"));
        assert!(matches!(e, Err(LockError::Busy { .. })), "{e:?}");

        // Once let go, the next one takes it, and the file names the new holder.
        drop(held);
        let _second = lock_exclusive(&path, "pid 2: second", Duration::ZERO, &mut |_| {}).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "pid 2: second");
    }

    #[test]
    fn a_lock_let_go_while_waiting_is_taken() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.lock");
        let held = lock_exclusive(&path, "pid 1", Duration::ZERO, &mut |_| {}).unwrap();
        let later = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            drop(held);
        });
        let mut waits = 0;
        let taken = lock_exclusive(&path, "pid 2", Duration::from_secs(10), &mut |_| waits += 1);
        later.join().unwrap();
        assert!(taken.is_ok(), "{taken:?}");
        assert_eq!(waits, 1);
    }

    #[test]
    fn a_lock_that_cannot_be_created_says_where() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("plain-file");
        std::fs::write(&file, b"x").unwrap();
        let e =
            lock_exclusive(&file.join("x.lock"), "pid 1", Duration::ZERO, &mut |_| {}).unwrap_err();
        match e {
            LockError::Io(message) => assert!(message.contains("plain-file"), "{message}"),
            other => panic!("{other:?}"),
        }
    }
}
