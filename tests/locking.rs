//! Two real connect-sso processes in one home at the same time: commands that change the
//! sandbox account take turns on its lock (both changes end up in the saved account and the
//! ledger), and a second wizard on a session in use is refused.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use connect_sso::cloud::sandbox::SANDBOX_USERS;

fn binary(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_connect-sso"));
    for (k, _) in std::env::vars() {
        if k.starts_with("CONNECT_SSO_") || k.starts_with("AWS_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("HOME", home)
        .env("XDG_STATE_HOME", home.join("state"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

fn state(home: &Path) -> PathBuf {
    home.join("state").join("connect-sso")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[track_caller]
fn assert_ok(o: &Output) {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        text(&o.stdout),
        text(&o.stderr)
    );
}

/// `apply --sandbox --yes` for one user, slowed down so that two runs overlap.
fn apply_for(home: &Path, user: &str) -> Child {
    binary(home)
        .args([
            "--sandbox",
            "--sandbox-latency-ms",
            "100",
            "apply",
            "--yes",
            "--create-connect-users",
            "--user",
            user,
        ])
        .spawn()
        .expect("the binary runs")
}

#[test]
fn two_applies_at_once_both_end_up_in_the_account_and_the_ledger() {
    let home = tempfile::tempdir().unwrap();
    let (first, second) = (SANDBOX_USERS[0], SANDBOX_USERS[1]);
    let a = apply_for(home.path(), first.user_name);
    let b = apply_for(home.path(), second.user_name);
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert_ok(&a);
    assert_ok(&b);
    // Each run takes seconds at this latency: one of them had to wait, and said so once.
    let waited: Vec<String> = [&a, &b]
        .iter()
        .map(|o| text(&o.stderr))
        .filter(|e| e.contains("is using the sandbox account"))
        .collect();
    assert_eq!(waited.len(), 1, "{waited:?}");
    assert!(
        waited[0].contains("another connect-sso (pid ")
            && waited[0].contains("; waiting up to 60 s"),
        "{}",
        waited[0]
    );
    assert_eq!(waited[0].matches("is using").count(), 1, "{}", waited[0]);

    let sandbox = state(home.path()).join("sandbox");
    let account: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(sandbox.join("account.json")).unwrap())
            .unwrap();
    let apps = account["applications"].as_array().unwrap();
    // One application: the second run found the one the first added.
    assert_eq!(apps.len(), 1, "{apps:?}");
    let mut assigned: Vec<&str> = apps[0]["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["principal_id"].as_str().unwrap())
        .collect();
    assigned.sort();
    assert_eq!(assigned, [first.user_id, second.user_id]);

    let ledger: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(sandbox.join("ledger.json")).unwrap())
            .unwrap();
    let mut recorded: Vec<&str> = ledger["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["principal_id"].as_str().unwrap())
        .collect();
    recorded.sort();
    assert_eq!(recorded, [first.user_id, second.user_id]);
}

#[test]
fn a_second_wizard_on_a_session_in_use_is_refused() {
    let home = tempfile::tempdir().unwrap();
    // The first wizard waits at its first prompt, its input kept open.
    let mut first = binary(home.path())
        .args(["--sandbox", "--plain", "--session", "acme"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    let lock = state(home.path()).join("sessions").join("acme.lock");
    let start = Instant::now();
    while !std::fs::read_to_string(&lock).is_ok_and(|t| t.contains("pid")) {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the first wizard never took its session"
        );
        std::thread::sleep(Duration::from_millis(20));
    }

    let second = binary(home.path())
        .args(["--sandbox", "--plain", "--session", "acme"])
        .output()
        .unwrap();
    let err = text(&second.stderr);
    assert_eq!(second.status.code(), Some(1), "{err}");
    assert!(
        err.contains("session acme is open in another connect-sso (pid "),
        "{err}"
    );
    assert!(err.contains("--session NAME"), "{err}");
    // It did not wait for the sandbox account either: the session is checked first.
    assert!(!err.contains("waiting"), "{err}");

    drop(first.stdin.take());
    let out = first.wait_with_output().unwrap();
    assert!(out.status.code().is_some());
    // Once the first has ended, the session is free again.
    let again = binary(home.path())
        .args(["--sandbox", "--plain", "--session", "acme"])
        .output()
        .unwrap();
    assert!(
        !text(&again.stderr).contains("is open in another"),
        "{}",
        text(&again.stderr)
    );
}
