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
        "",             // instance ARN (the sandbox's)
        "y",            // check the prerequisites
        "bad\u{7}name", // display name with a control character: refused, asked again
        "Plain App",    // display name
        "",             // description
        "y",            // step 1 done in the console (the sandbox creates the app)
        "",             // metadata file (handed out by the sandbox)
        "",             // sign-in endpoint
        "y",            // 3-5 done
        "",
        "y", // 6a: default name, run
        "",
        "y", // 6b
        "",
        "y", // 6c
        "y", // 7-9 done
        "y", // 10 done
        "maria.garcia@example.com",
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
