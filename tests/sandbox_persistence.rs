//! The sandbox account kept between runs: the real binary, one state folder per test, as a
//! workshop attendee uses it: apply, then doctor, inspect-assertion and teardown in later
//! processes; `--sandbox-reset`; a damaged file; no state folder at all.

#[path = "common/saml.rs"]
mod saml;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use connect_sso::cloud::sandbox::{SANDBOX_EXISTING_CONNECT_USERNAME, SANDBOX_INSTANCE_ARN};
use connect_sso::domain::assertion::issue;
use connect_sso::domain::setup::{Answers, Setup};
use saml::{Sign, Spec, idc_key};
use time::{Duration, OffsetDateTime};

const MARIA: &str = "maria.garcia@example.com";

/// A home folder of its own, with the state folder in it.
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Home {
        Home {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn state(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    fn sandbox(&self) -> PathBuf {
        self.state().join("connect-sso").join("sandbox")
    }

    fn account(&self) -> PathBuf {
        self.sandbox().join("account.json")
    }

    fn ledger(&self) -> PathBuf {
        self.sandbox().join("ledger.json")
    }

    /// Runs the binary with this home, no terminal, and no CONNECT_SSO_* or AWS_* settings
    /// but `env`.
    fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = binary();
        cmd.args(args)
            .current_dir(self.dir.path())
            .env("HOME", self.dir.path())
            .env("XDG_STATE_HOME", self.state());
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().expect("the binary runs")
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_with(args, &[])
    }
}

fn binary() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_connect-sso"));
    for (k, _) in std::env::vars() {
        if k.starts_with("CONNECT_SSO_") || k.starts_with("AWS_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("NO_COLOR", "1").stdin(Stdio::null());
    cmd
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[track_caller]
fn assert_exit(o: &Output, code: i32) {
    assert_eq!(
        o.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        stdout(o),
        stderr(o)
    );
}

fn ledger_users(path: &Path) -> Vec<String> {
    let ledger: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    ledger["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["user_name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn apply_then_doctor_then_teardown_in_separate_runs() {
    let home = Home::new();
    let o = home.run(&["apply", "--sandbox", "--yes", "--user", MARIA]);
    assert_exit(&o, 0);
    let text = stdout(&o);
    // Step 1 has no API: the sandbox stands in for the console, and says so.
    assert!(
        text.starts_with("sandbox: step 1 has no AWS API, so the sandbox stands in for the IAM Identity Center console here and added the custom SAML 2.0 application \"Amazon Connect 5f8c2a4e\""),
        "{text}"
    );
    assert!(text.contains("1   application   found"), "{text}");
    assert!(text.contains("6c  role          created"), "{text}");
    assert!(
        text.contains(&format!(
            "11  user          {MARIA}: assignment created; Connect user {MARIA} exists"
        )),
        "{text}"
    );
    assert!(!text.contains("problem:"), "{text}");
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for file in [home.account(), home.ledger()] {
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{}", file.display());
        }
    }
    assert_eq!(ledger_users(&home.ledger()), [MARIA]);
    // The sandbox's assignments never reach the ledger of real accounts.
    assert!(!home.state().join("connect-sso/ledger.json").exists());

    // The next run finds everything done, the application included.
    let o = home.run(&["apply", "--sandbox", "--yes", "--user", MARIA]);
    assert_exit(&o, 0);
    let text = stdout(&o);
    assert!(!text.contains("stands in"), "{text}");
    assert!(
        text.contains("Nothing to change: every automated step is already done."),
        "{text}"
    );

    let o = home.run(&["doctor", "--sandbox", "--user", MARIA]);
    assert_exit(&o, 0);
    assert!(stdout(&o).contains("Sign-in should work"), "{}", stdout(&o));

    let o = home.run(&["teardown", "--sandbox", "--yes"]);
    assert_exit(&o, 0);
    let text = stdout(&o);
    for line in [
        format!("assignment     deleted       {MARIA}"),
        "role           deleted       ConnectSSO-5f8c2a4e".to_string(),
        "policy         deleted       ConnectFederation-5f8c2a4e".to_string(),
        "SAML provider  deleted       IdentityCenter-Connect-5f8c2a4e".to_string(),
        "5 removed, 0 kept, 0 already gone.".to_string(),
    ] {
        assert!(text.contains(&line), "{line:?} not in:\n{text}");
    }
    assert!(ledger_users(&home.ledger()).is_empty());

    let o = home.run(&["doctor", "--sandbox", "--user", MARIA]);
    assert_exit(&o, 1);
    let o = home.run(&["teardown", "--sandbox", "--yes"]);
    assert_exit(&o, 0);
    assert!(stdout(&o).contains("Nothing to remove."), "{}", stdout(&o));
}

#[test]
fn commands_that_only_look_write_nothing() {
    let home = Home::new();
    for args in [
        &["doctor", "--sandbox"][..],
        &["apply", "--sandbox", "--dry-run"],
        // Without a terminal and without --yes, apply changes nothing.
        &["apply", "--sandbox"],
        &["teardown", "--sandbox", "--dry-run"],
    ] {
        let o = home.run(args);
        assert!(o.status.code().is_some(), "{args:?}");
        assert!(!home.account().exists(), "{args:?} wrote the account");
    }
    let o = home.run(&["apply", "--sandbox", "--dry-run"]);
    assert!(
        stdout(&o).contains("stands in for the IAM Identity Center console here: applying adds"),
        "{}",
        stdout(&o)
    );

    home.run(&["apply", "--sandbox", "--yes"]);
    let saved = std::fs::read(home.account()).unwrap();
    home.run(&["doctor", "--sandbox"]);
    home.run(&["apply", "--sandbox", "--dry-run", "--role-name", "Other"]);
    home.run(&["teardown", "--sandbox", "--dry-run"]);
    assert_eq!(std::fs::read(home.account()).unwrap(), saved);
}

#[test]
fn sandbox_reset_starts_from_the_seeded_account() {
    let home = Home::new();
    assert_exit(
        &home.run(&["apply", "--sandbox", "--yes", "--user", MARIA]),
        0,
    );
    let saved = std::fs::read(home.account()).unwrap();

    // Only looking: a fresh account, and the saved one is kept as it was.
    let o = home.run(&["doctor", "--sandbox", "--sandbox-reset", "--user", MARIA]);
    assert_exit(&o, 1);
    let o = home.run_with(
        &["doctor", "--sandbox", "--user", MARIA],
        &[("CONNECT_SSO_SANDBOX_RESET", "true")],
    );
    assert_exit(&o, 1);
    let o = home.run(&["apply", "--sandbox", "--sandbox-reset", "--dry-run"]);
    assert!(stdout(&o).contains("would create"), "{}", stdout(&o));
    assert_eq!(std::fs::read(home.account()).unwrap(), saved);
    assert_exit(&home.run(&["doctor", "--sandbox", "--user", MARIA]), 0);

    // Changing: the saved account and its ledger are replaced.
    let o = home.run(&["apply", "--sandbox", "--sandbox-reset", "--yes"]);
    assert_exit(&o, 0);
    let text = stdout(&o);
    assert!(text.contains("stands in"), "{text}");
    assert!(text.contains("6a  SAML provider created"), "{text}");
    assert!(!home.ledger().exists());
    let o = home.run(&["doctor", "--sandbox", "--user", MARIA]);
    assert_exit(&o, 1);
    let o = home.run(&["teardown", "--sandbox", "--dry-run"]);
    assert!(
        stdout(&o).contains("none recorded by connect-sso"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_refused_sandbox_reset_changes_nothing() {
    let home = Home::new();
    assert_exit(
        &home.run(&["apply", "--sandbox", "--yes", "--user", MARIA]),
        0,
    );
    let account = std::fs::read(home.account()).unwrap();
    let ledger = std::fs::read(home.ledger()).unwrap();

    // No terminal and no --yes: apply asks for --yes and the saved account stays as it was.
    let o = home.run(&["apply", "--sandbox", "--sandbox-reset"]);
    assert_exit(&o, 2);
    assert!(stderr(&o).contains("--yes"), "{}", stderr(&o));
    // It showed what starting over would change, without calling it a dry run.
    assert!(stdout(&o).contains("would create"), "{}", stdout(&o));
    assert!(!stdout(&o).contains("dry run"), "{}", stdout(&o));
    assert_eq!(std::fs::read(home.account()).unwrap(), account);
    assert_eq!(std::fs::read(home.ledger()).unwrap(), ledger);
    // Teardown refused the same way leaves both too.
    let o = home.run(&["teardown", "--sandbox", "--sandbox-reset"]);
    assert!(o.status.code().is_some());
    assert_eq!(std::fs::read(home.account()).unwrap(), account);
    assert_eq!(std::fs::read(home.ledger()).unwrap(), ledger);
    assert_exit(&home.run(&["doctor", "--sandbox", "--user", MARIA]), 0);
}

#[test]
fn a_damaged_account_is_set_aside_with_a_warning() {
    let home = Home::new();
    assert_exit(
        &home.run(&["apply", "--sandbox", "--yes", "--user", MARIA]),
        0,
    );
    std::fs::write(home.account(), b"{ half a file").unwrap();

    let o = home.run(&["doctor", "--sandbox", "--user", MARIA]);
    assert_exit(&o, 1);
    let moved = home.sandbox().join("account.json.corrupt");
    let warning = stderr(&o);
    assert!(
        warning.starts_with("warning: the saved sandbox account"),
        "{warning}"
    );
    assert!(warning.contains(&moved.display().to_string()), "{warning}");
    assert_eq!(warning.lines().count(), 1, "{warning}");
    assert_eq!(std::fs::read(&moved).unwrap(), b"{ half a file");

    // The sandbox goes on from the seeded account, and keeps it again.
    let o = home.run(&["apply", "--sandbox", "--yes", "--user", MARIA]);
    assert_exit(&o, 0);
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    assert_exit(&home.run(&["doctor", "--sandbox", "--user", MARIA]), 0);
}

#[test]
fn without_a_state_folder_the_account_lasts_one_run_and_nobody_is_told_twice() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        binary()
            .args(args)
            .current_dir(dir.path())
            .env_remove("HOME")
            .env_remove("XDG_STATE_HOME")
            .output()
            .unwrap()
    };
    let o = run(&["apply", "--sandbox", "--yes", "--user", MARIA]);
    assert_exit(&o, 0);
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    let o = run(&["doctor", "--sandbox", "--user", MARIA]);
    assert_exit(&o, 1);
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn inspect_assertion_finds_the_provider_and_role_apply_made() {
    let home = Home::new();
    let metadata = home.dir.path().join("idc.xml");
    std::fs::write(&metadata, saml::metadata(&idc_key().cert_der, saml::ISSUER)).unwrap();
    let setup = Setup::from_answers(&Answers {
        instance_arn: Some(SANDBOX_INSTANCE_ARN.into()),
        ..Answers::default()
    })
    .unwrap();
    let spec = Spec::new(
        &setup.role_arn(),
        &setup.provider_arn(),
        SANDBOX_EXISTING_CONNECT_USERNAME,
        OffsetDateTime::now_utc() - Duration::minutes(1),
    );
    let response = home.dir.path().join("response.xml");
    std::fs::write(&response, saml::signed(&spec, idc_key(), Sign::Assertion)).unwrap();
    let inspect = || {
        let args = [
            "inspect-assertion",
            "--sandbox",
            "--metadata",
            metadata.to_str().unwrap(),
            response.to_str().unwrap(),
        ];
        stdout(&home.run(&args))
    };

    let before = inspect();
    assert!(
        block(&before, "IAM SAML provider").contains("does not exist"),
        "{before}"
    );
    assert!(
        block(&before, "IAM role").contains("no role named ConnectSSO-5f8c2a4e"),
        "{before}"
    );

    assert_exit(&home.run(&["apply", "--sandbox", "--yes"]), 0);
    let after = inspect();
    // The provider holds the sandbox's own metadata, not the test key's: it exists, and its
    // certificates are compared with the file given.
    let provider = block(&after, "IAM SAML provider");
    assert!(!provider.contains("does not exist"), "{after}");
    assert!(
        provider.contains(&format!(
            "{} holds other certificates than the metadata file",
            setup.provider_arn()
        )),
        "{after}"
    );
    assert!(after.contains("✓ ok    IAM role"), "{after}");
    assert!(!after.contains("no role named"), "{after}");
}

/// The text block of the finding on `field` (its header line ends with it).
fn block<'a>(text: &'a str, field: &str) -> &'a str {
    let start = text
        .find(&format!("  {field}\n"))
        .unwrap_or_else(|| panic!("no finding on {field:?} in:\n{text}"));
    let rest = &text[start..];
    let end = rest.find("\n\n").unwrap_or(rest.len());
    &rest[..end]
}
