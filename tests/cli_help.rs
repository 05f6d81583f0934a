//! The conventions of the command line: each command's help lists only its options, under
//! headings, with examples and exit statuses; the answers example, shell completions and
//! manual pages are printed by the binary itself.

use std::path::Path;
use std::process::{Command, Output};

use clap::CommandFactory;
use connect_sso::cli::Cli;
use connect_sso::domain::setup::Answers;

/// Runs the binary with no CONNECT_SSO_* variables and no terminal.
fn run(args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_connect-sso"));
    cmd.args(args).stdin(std::process::Stdio::null());
    for (k, _) in std::env::vars() {
        if k.starts_with("CONNECT_SSO_") {
            cmd.env_remove(k);
        }
    }
    cmd.output().expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// Every command's path below `connect-sso`, the top level first (as `[]`).
fn command_paths() -> Vec<Vec<String>> {
    fn walk(cmd: &clap::Command, path: Vec<String>, paths: &mut Vec<Vec<String>>) {
        paths.push(path.clone());
        for sub in cmd.get_subcommands() {
            if sub.get_name() == "help" {
                continue;
            }
            let mut p = path.clone();
            p.push(sub.get_name().to_string());
            walk(sub, p, paths);
        }
    }
    let mut paths = Vec::new();
    walk(&Cli::command(), Vec::new(), &mut paths);
    paths
}

fn help(path: &[&str]) -> String {
    let mut args = path.to_vec();
    args.push("--help");
    let o = run(&args);
    assert!(o.status.success(), "{path:?}: {}", stderr(&o));
    stdout(&o)
}

#[test]
fn every_command_has_examples_and_exit_statuses() {
    let paths = command_paths();
    assert!(paths.len() >= 14, "{paths:?}");
    for path in paths {
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        for flag in ["--help", "-h"] {
            let mut args = path.clone();
            args.push(flag);
            let text = stdout(&run(&args));
            assert!(text.contains("\nExamples:\n"), "{path:?} {flag}:\n{text}");
            assert!(
                text.contains("\nExit status:\n"),
                "{path:?} {flag}:\n{text}"
            );
            assert!(text.contains("  0  "), "{path:?} {flag}:\n{text}");
            let name = format!("connect-sso {}", path.join(" "));
            assert!(
                text.contains(name.trim_end()),
                "{path:?}: the examples run the command itself:\n{text}"
            );
        }
    }
}

#[test]
fn the_top_level_help_says_that_no_command_opens_the_wizard() {
    let text = help(&[]);
    assert!(
        text.contains("Without a command, connect-sso opens the wizard"),
        "{text}"
    );
    for command in ["answers", "completions", "man"] {
        assert!(text.contains(&format!("  {command} ")), "{command}: {text}");
    }
}

#[test]
fn each_command_lists_only_the_options_it_uses() {
    let troubleshoot = help(&["troubleshoot"]);
    for absent in ["--sandbox", "--profile", "--region", "--config", "--user"] {
        assert!(!troubleshoot.contains(absent), "{absent}: {troubleshoot}");
    }
    let doctor = help(&["doctor"]);
    for absent in [
        "--create-connect-users",
        "--security-profile",
        "--routing-profile",
        "--dry-run",
    ] {
        assert!(!doctor.contains(absent), "{absent}: {doctor}");
    }
    for present in [
        "--user",
        "--sandbox-fault",
        "--profile",
        "--session",
        "--strict",
    ] {
        assert!(doctor.contains(present), "{present}: {doctor}");
    }
    let check = help(&["metadata", "check"]);
    for absent in ["--sandbox", "--profile", "--config", "--instance-arn"] {
        assert!(!check.contains(absent), "{absent}: {check}");
    }
    let plan = help(&["plan"]);
    for absent in [
        "--profile",
        "--sandbox-fault",
        "--user",
        "--create-connect-users",
    ] {
        assert!(!plan.contains(absent), "{absent}: {plan}");
    }
    for present in ["--region", "--metadata", "--sandbox "] {
        assert!(plan.contains(present), "{present}: {plan}");
    }
    let apply = help(&["apply"]);
    for present in [
        "--create-connect-users",
        "--security-profile",
        "--routing-profile",
        "--sandbox-fault",
        "--identity-profile",
        "--dry-run",
    ] {
        assert!(apply.contains(present), "{present}: {apply}");
    }
    let teardown = help(&["teardown"]);
    for absent in ["--user", "--metadata", "--create-connect-users"] {
        assert!(!teardown.contains(absent), "{absent}: {teardown}");
    }
}

#[test]
fn options_are_grouped_under_headings_in_a_stable_order() {
    let apply = help(&["apply"]);
    let at = |heading: &str| {
        apply
            .find(&format!("\n{heading}:\n"))
            .unwrap_or_else(|| panic!("{heading}: {apply}"))
    };
    let order = [
        at("Options"),
        at("Answers"),
        at("Users"),
        at("AWS contexts"),
        at("Sandbox"),
        at("Output"),
        at("Examples"),
        at("Exit status"),
    ];
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{apply}");
    let position = |flag: &str| apply.find(flag).unwrap();
    assert!(position("--config") < position("--instance-arn"));
    assert!(position("--instance-arn") < position("--instance-id"));
    assert!(position("--profile") < position("--identity-profile"));
    assert!(position("--sandbox ") < position("--sandbox-fault"));
}

#[test]
fn options_before_the_command_count_for_it_or_are_refused() {
    let home = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_connect-sso"))
        .args(["--sandbox", "plan", "--format", "json"])
        .env("HOME", home.path())
        .env_remove("XDG_STATE_HOME")
        .output()
        .unwrap();
    // `--sandbox` reached plan (whatever plan makes of it, it is not a usage error).
    assert!(!stderr(&o).contains("not an option"), "{}", stderr(&o));
    let o = run(&["--sandbox-fault", "deny:*", "troubleshoot"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--sandbox-fault is not an option of `connect-sso troubleshoot`"),
        "{}",
        stderr(&o)
    );
    let o = run(&["--create-connect-users", "doctor"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--create-connect-users"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn boolean_environment_variables_take_one_and_yes() {
    let home = tempfile::tempdir().unwrap();
    for value in ["1", "yes", "true", "on"] {
        let o = Command::new(env!("CARGO_BIN_EXE_connect-sso"))
            .args(["doctor", "--format", "json"])
            .env("CONNECT_SSO_SANDBOX", value)
            .env("HOME", home.path())
            .env_remove("XDG_STATE_HOME")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        // On the sandbox, doctor finds its instance: no usage error, no missing answer.
        assert_ne!(o.status.code(), Some(2), "{value}: {}", stderr(&o));
        assert!(
            stdout(&o).contains("111122223333"),
            "{value}: {}",
            stdout(&o)
        );
    }
    let o = Command::new(env!("CARGO_BIN_EXE_connect-sso"))
        .args(["troubleshoot", "not-onboarded"])
        .env("CONNECT_SSO_SANDBOX", "0")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
}

/// The keys of the answers file: the fields of `Answers`.
fn answer_keys() -> Vec<String> {
    let value = serde_json::to_value(Answers::default()).unwrap();
    let keys: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
    assert!(keys.len() >= 19, "{keys:?}");
    keys
}

#[test]
fn answers_example_prints_a_commented_file_with_every_key() {
    let o = run(&["answers", "example"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert_eq!(text, connect_sso::cli::answers::EXAMPLE);
    let parsed = connect_sso::cli::config::parse(&text, Path::new("")).unwrap();
    assert!(parsed.instance_arn.is_some());
    let key_of = |line: &str| -> Option<String> {
        let line = line.trim_start_matches('#').trim_start();
        let (key, _) = line.split_once('=')?;
        Some(key.trim().to_string())
    };
    let written: Vec<String> = text.lines().filter_map(key_of).collect();
    for key in answer_keys() {
        assert!(
            written.contains(&key),
            "{key} is not in the example:\n{text}"
        );
    }
    // The commented keys are valid too: with every one of them uncommented it still parses,
    // and then every answer has a value.
    let uncommented: String = text
        .lines()
        .map(|l| match (l.strip_prefix("# "), key_of(l)) {
            (Some(rest), Some(key)) if answer_keys().contains(&key) => rest.to_string(),
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    let all = connect_sso::cli::config::parse(&uncommented, Path::new("/base")).unwrap();
    let value = serde_json::to_value(&all).unwrap();
    for (key, v) in value.as_object().unwrap() {
        assert!(!v.is_null(), "{key} has no example value:\n{uncommented}");
    }
}

#[test]
fn config_help_and_errors_point_to_answers_example() {
    for path in [&["plan"][..], &["apply"], &[]] {
        let text = help(path);
        assert!(text.contains("connect-sso answers example"), "{text}");
        assert!(!text.contains("assets/"), "{text}");
    }
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "rolename = \"x\"\n").unwrap();
    let o = run(&["plan", "--config", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("connect-sso answers example"),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("assets/"), "{}", stderr(&o));
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let o = run(&["completions", shell]);
        assert!(o.status.success(), "{shell}: {}", stderr(&o));
        let script = stdout(&o);
        assert!(script.len() > 1000, "{shell}: {script}");
        for word in ["connect-sso", "inspect-assertion", "sandbox-fault"] {
            assert!(script.contains(word), "{shell}: {word} missing");
        }
    }
    let o = run(&["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn bash_completion_script_is_valid_bash() {
    let o = run(&["completions", "bash"]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("connect-sso.bash");
    std::fs::write(&path, o.stdout).unwrap();
    let Ok(check) = Command::new("bash").arg("-n").arg(&path).output() else {
        return; // no bash here
    };
    assert!(check.status.success(), "{}", stderr(&check));
}

#[test]
fn man_prints_the_top_level_page() {
    let o = run(&["man"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let page = stdout(&o);
    assert!(page.starts_with(".ie") || page.contains(".TH"), "{page}");
    assert!(page.contains("connect\\-sso"), "{page}");
    for section in [".SH EXAMPLES", ".SH \"EXIT STATUS\"", "apply"] {
        assert!(page.contains(section), "{section}: {page}");
    }
}

#[test]
fn man_dir_writes_a_page_per_command() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("share/man/man1");
    let o = run(&["man", "--dir", target.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut names: Vec<String> = std::fs::read_dir(&target)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for path in command_paths() {
        let name = if path.is_empty() {
            "connect-sso.1".to_string()
        } else {
            format!("connect-sso-{}.1", path.join("-"))
        };
        assert!(names.contains(&name), "{name} not in {names:?}");
        let page = std::fs::read_to_string(target.join(&name)).unwrap();
        assert!(page.contains(".SH EXAMPLES"), "{name}");
        assert!(page.contains(".SH \"EXIT STATUS\""), "{name}");
    }
    assert!(
        names.iter().all(|n| n.ends_with(".1")),
        "no temporary file is left: {names:?}"
    );
    assert!(!names.contains(&"connect-sso-help.1".to_string()));
    let troubleshoot = std::fs::read_to_string(target.join("connect-sso-troubleshoot.1")).unwrap();
    assert!(!troubleshoot.contains("sandbox"), "{troubleshoot}");
    // Written again over the same pages: the same files.
    let o = run(&["man", "--dir", target.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read_dir(&target).unwrap().count(), names.len());
}

#[test]
fn man_dir_that_cannot_be_created_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let target = file.join("man1");
    let o = run(&["man", "--dir", target.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.starts_with("error: cannot create the directory"),
        "{err}"
    );
    assert!(err.contains(target.to_str().unwrap()), "{err}");
    assert!(o.stdout.is_empty());
}
