//! Every fix a report proposes runs as printed: it carries this run's flags (issue 10). A
//! setup with a non-default role name on the sandbox leaves a person unassigned and without
//! a Connect user; doctor's proposed commands, run as printed, repair it.

use std::process::{Command, Output};

fn connect_sso(home: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_connect-sso"))
        .args(args)
        .env("HOME", home)
        .env("XDG_STATE_HOME", home)
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap()
}

/// The proposed commands in `text`: every `` `connect-sso ...` `` after "fix:".
fn proposed(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines().filter(|l| l.trim_start().starts_with("fix:")) {
        let mut rest = line;
        while let Some(at) = rest.find("`connect-sso ") {
            let tail = &rest[at + 1..];
            let end = tail.find('`').unwrap_or(tail.len());
            out.push(tail[..end].to_string());
            rest = &tail[end..];
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Runs a printed command through the shell (its quoting included), with this build.
fn run_printed(home: &std::path::Path, command: &str, extra: &str) -> Output {
    let binary = env!("CARGO_BIN_EXE_connect-sso");
    let line = format!("{}{extra}", command.replacen("connect-sso", binary, 1));
    Command::new("bash")
        .args(["-c", &line])
        .env("HOME", home)
        .env("XDG_STATE_HOME", home)
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap()
}

#[test]
fn doctor_fixes_run_as_printed() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let names = [
        "--role-name",
        "CustomRole",
        "--app-name",
        "Acme Contact Center",
    ];
    let setup = connect_sso(
        home,
        &[&["apply", "--sandbox", "--yes"][..], &names[..]].concat(),
    );
    assert!(
        setup.status.success(),
        "{}",
        String::from_utf8_lossy(&setup.stderr)
    );

    let doctor = [
        &["doctor", "--sandbox", "--user", "kwame.mensah@example.com"][..],
        &names[..],
    ]
    .concat();
    // A fix can reveal the next problem (a person assigned still needs a Connect user):
    // doctor, then its fixes, as a user would, until it passes.
    let mut ran = 0;
    for _ in 0..3 {
        let before = connect_sso(home, &doctor);
        if before.status.success() {
            break;
        }
        assert_eq!(before.status.code(), Some(1));
        let text = String::from_utf8_lossy(&before.stdout);
        let fixes = proposed(&text);
        assert!(!fixes.is_empty(), "no command proposed:\n{text}");
        for fix in &fixes {
            ran += 1;
            assert!(fix.contains("--sandbox"), "{fix}");
            assert!(fix.contains("--role-name CustomRole"), "{fix}");
            assert!(fix.contains("--app-name 'Acme Contact Center'"), "{fix}");
            // As printed, without a terminal: refused for want of confirmation, not misread.
            let asked = run_printed(home, fix, "");
            let err = String::from_utf8_lossy(&asked.stderr);
            assert!(err.contains("--yes"), "{fix}: {err}");
            // Confirmed, it runs: it may still report what another fix repairs (exit 1),
            // but never a usage or answers error (exit 2).
            let done = run_printed(home, fix, " --yes");
            assert_ne!(
                done.status.code(),
                Some(2),
                "{fix}: {}{}",
                String::from_utf8_lossy(&done.stdout),
                String::from_utf8_lossy(&done.stderr)
            );
        }
    }
    assert!(
        ran >= 2,
        "the assignment and the Connect user were both proposed"
    );
    let after = connect_sso(home, &doctor);
    assert_eq!(
        after.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&after.stdout)
    );
}
