//! `--plain`: the real binary answers line-by-line prompts from piped input.

use std::io::Write;
use std::process::{Command, Stdio};

#[test]
fn plain_prompts_walk_the_guide_from_piped_answers() {
    let home = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_connect-sso"))
        .args(["--sandbox", "--plain", "--session", "plain"])
        .env("HOME", home.path())
        .env("XDG_STATE_HOME", home.path())
        .env_remove("AWS_PROFILE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // One line per prompt: Enter keeps the value offered.
    let answers = [
        "",                       // instance ARN (the sandbox's)
        "y",                      // check the prerequisites
        "bad\u{7}name",           // display name with a control character: refused, asked again
        "Plain App",              // display name
        "",                       // description
        "y",                      // step 1 done in the console (the sandbox creates the app)
        "",                       // metadata file (handed out by the sandbox)
        "",                       // sign-in endpoint
        "y",                      // 3-5 done: its console page as prompts
        "",                       // ACS URL: Enter takes the wizard's value
        "urn:amazon:webservices", // audience, typed
        "",
        "y", // 6a: default name, run
        "",
        "y", // 6b
        "",
        "y", // 6c
        "y", // 7-9 done
        "",  // relay state
        "y", // 10 done: Subject, then two rows of name, value and format
        "",
        "bogus", // not on the format menu: asked again
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "maria.garcia@example.com",
        "",  // groups: none
        "y", // 11: run
        "y", // verify: check
    ];
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all((answers.join("\n") + "\n").as_bytes())
        .unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("problem: application display name contains a control character"),
        "{text}"
    );
    assert!(text.contains("SAML provider created"), "{text}");
    assert!(text.contains("role created"), "{text}");
    assert!(
        text.contains("Please answer one of (emailAddress, unspecified, persistent, transient)."),
        "{text}"
    );
    assert!(
        text.contains("Application SAML audience: urn:amazon:webservices"),
        "{text}"
    );
    assert!(
        text.contains("maria.garcia@example.com: assignment created"),
        "{text}"
    );
    assert!(text.contains("✓ Federation role (6c): trusts"), "{text}");
    assert!(text.contains("11 of 11 steps done or verified."), "{text}");
    assert!(
        !text.contains('\u{7}'),
        "control characters are never echoed"
    );

    // The sandbox account the wizard worked on is kept for the next run, and the assignment
    // it made is in the sandbox's own ledger, for teardown.
    let sandbox = home.path().join("connect-sso").join("sandbox");
    let ledger = std::fs::read_to_string(sandbox.join("ledger.json")).unwrap();
    assert!(ledger.contains("maria.garcia@example.com"), "{ledger}");
    let doctor = Command::new(env!("CARGO_BIN_EXE_connect-sso"))
        .args(["doctor", "--sandbox", "--app-name", "Plain App"])
        .args(["--user", "maria.garcia@example.com"])
        .env("HOME", home.path())
        .env("XDG_STATE_HOME", home.path())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(
        doctor.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&doctor.stdout),
        String::from_utf8_lossy(&doctor.stderr)
    );
}

/// The binary in plain mode on a fresh sandbox in `home`, fed `lines`.
fn plain_run(home: &std::path::Path, extra: &[&str], lines: &[&str]) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_connect-sso"))
        .args(["--sandbox", "--plain", "--session", "defaults"])
        .args(extra)
        .env("HOME", home)
        .env("XDG_STATE_HOME", home)
        .env_remove("AWS_PROFILE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all((lines.join("\n") + "\n").as_bytes())
        .unwrap();
    drop(stdin);
    child.wait_with_output().unwrap()
}

#[test]
fn every_default_kept_with_enter_ends_in_a_passing_verification() {
    let home = tempfile::tempdir().unwrap();
    let out = plain_run(
        home.path(),
        &["--user", "maria.garcia@example.com"],
        &[""; 40],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The default the setup derives is offered in brackets, and it is the one created.
    assert!(
        text.contains("Application display name [Amazon Connect 5f8c2a4e]: "),
        "{text}"
    );
    assert!(text.contains("Found: arn:aws:sso::"), "{text}");
    assert!(text.contains("status: verified"), "{text}");
    assert!(
        !text.contains("press d"),
        "full-screen keys in plain mode: {text}"
    );
    assert!(text.contains("11 of 11 steps done or verified."), "{text}");
    // Enter in the console forms takes the wizard's values, Subject row included.
    assert!(
        text.contains("Subject: maps to [${user:email}]: "),
        "{text}"
    );
    assert!(
        text.contains("Subject → ${user:email} (emailAddress)"),
        "{text}"
    );
    assert!(
        text.contains("the page holds now: ${user:subject}"),
        "Identity Center's default Subject is said: {text}"
    );
    assert!(
        !text.contains("Ctrl-"),
        "full-screen keys in plain mode: {text}"
    );

    // The next run says it resumes, and where.
    let again = plain_run(home.path(), &[], &[""; 5]);
    let text = String::from_utf8_lossy(&again.stdout);
    assert!(text.contains("Resumed session defaults"), "{text}");
    assert!(
        text.contains("Resuming at step 11 of 11 (verify)"),
        "{text}"
    );
}

#[test]
fn a_failed_verification_is_the_exit_status_and_answers_are_asked_again() {
    let home = tempfile::tempdir().unwrap();
    // Every default up to 6c's role name (3-5's page included), then "run it now?": a stray answer, asked
    // again, then no.
    let mut lines = vec![""; 15];
    lines.extend(["maybe", "n"]);
    lines.extend([""; 20]);
    let out = plain_run(home.path(), &["--user", "maria.garcia@example.com"], &lines);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Please answer y or n."), "{text}");
    assert!(text.contains("status: failed"), "{text}");
    assert_eq!(out.status.code(), Some(1), "{text}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Verification did not pass"), "{err}");
    let snapshot = home.path().join("connect-sso/sandbox/account.json");
    let account: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(snapshot).unwrap()).unwrap();
    // Step 10's Role mapping names the role; the account has no role: 6c was not run.
    assert_eq!(account["roles"], serde_json::json!([]), "6c was not run");
}

#[test]
fn an_endless_line_is_cut_and_the_run_ends() {
    let home = tempfile::tempdir().unwrap();
    // 1 MiB without a line break, then the end of input: bounded memory, a clear note.
    let long = "A".repeat(1 << 20);
    let out = plain_run(home.path(), &[], &[&long]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("longer than 64 KiB"),
        "{}",
        &text[..text.len().min(2000)]
    );
    assert!(
        text.contains("End of input"),
        "{}",
        &text[..text.len().min(2000)]
    );
}

#[test]
fn an_unwritable_session_is_reported_once_and_the_run_ends() {
    let home = tempfile::tempdir().unwrap();
    // A folder where the session file should be: every save fails.
    let session = home.path().join("connect-sso/sessions/defaults.json");
    std::fs::create_dir_all(&session).unwrap();
    let out = plain_run(
        home.path(),
        &["--user", "maria.garcia@example.com"],
        &[""; 40],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert_eq!(
        text.matches("The session could not be saved").count(),
        1,
        "{text}"
    );
    assert!(text.contains("status: verified"), "{text}");
}

#[test]
fn a_session_from_a_newer_version_is_left_alone_and_a_damaged_one_moved_aside_with_a_word() {
    let home = tempfile::tempdir().unwrap();
    let sessions = home.path().join("connect-sso/sessions");
    std::fs::create_dir_all(&sessions).unwrap();
    let file = sessions.join("defaults.json");
    let newer = br#"{"version": 99, "something": "new"}"#;
    std::fs::write(&file, newer).unwrap();
    let out = plain_run(home.path(), &[], &[""; 3]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("saved by a newer connect-sso (format 99)"),
        "{text}"
    );
    assert_eq!(std::fs::read(&file).unwrap(), newer, "never rewritten");

    std::fs::write(&file, b"{not json").unwrap();
    let out = plain_run(home.path(), &[], &[""; 3]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("The saved session was damaged"), "{text}");
    assert!(sessions.join("defaults.json.corrupt").is_file());
}

#[test]
fn a_person_without_a_connect_user_is_offered_one_with_the_profiles_named() {
    let home = tempfile::tempdir().unwrap();
    let out = plain_run(
        home.path(),
        &["--user", "kwame.mensah@example.com"],
        &[""; 40],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "Create the missing Connect users (security profile Agent, routing profile Basic Routing Profile)?"
        ),
        "{text}"
    );
    assert!(
        text.contains("Connect user kwame.mensah@example.com created"),
        "{text}"
    );
    assert!(!text.contains("Press a"), "full-screen keys: {text}");
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("status: verified"), "{text}");
}

#[test]
fn step_11_without_anyone_to_assign_says_so_in_plain_words() {
    let home = tempfile::tempdir().unwrap();
    let out = plain_run(home.path(), &[], &[""; 40]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Name at least one user or group to assign: type user names"),
        "{text}"
    );
    assert!(!text.contains("p and g pick"), "full-screen keys: {text}");
    // Whom to type: the identity store's people are listed before the prompt.
    assert!(
        text.contains("People in Identity Center (type their emails or user names):"),
        "{text}"
    );
    assert!(
        text.contains("Maria Garcia  maria.garcia@example.com"),
        "{text}"
    );

    // The next run goes back to step 11, not to a verification that cannot pass.
    let mut lines = vec!["maria.garcia@example.com"];
    lines.extend([""; 20]);
    let again = plain_run(home.path(), &[], &lines);
    let text = String::from_utf8_lossy(&again.stdout);
    assert!(text.contains("Resuming at step 10 of 11 (11)"), "{text}");
    assert!(
        text.contains("maria.garcia@example.com: assignment created"),
        "{text}"
    );
    assert_eq!(again.status.code(), Some(0), "{text}");
}
