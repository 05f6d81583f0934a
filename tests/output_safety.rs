//! Nothing a command prints can drive the terminal: escape sequences, carriage returns and C1
//! controls from arguments, files or answers come out as visible `\uXXXX`, and a huge echoed
//! value is shortened (issue 10, defect 5).

use std::path::Path;
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    let home = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_connect-sso"))
        .args(args)
        .env_clear()
        .env("HOME", home.path())
        .env("PATH", "/usr/bin:/bin")
        .output()
        .expect("the binary runs")
}

/// Both streams, checked for every character a terminal would act on.
fn assert_clean(o: &Output) -> String {
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    for c in all.chars() {
        assert!(
            c == '\n' || c == '\t' || !(c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c)),
            "{c:?} printed raw in:\n{all}"
        );
    }
    all
}

#[test]
fn an_escape_sequence_in_a_path_is_shown_not_run() {
    let o = run(&["metadata", "check", "a\u{1b}[31mb"]);
    assert_eq!(o.status.code(), Some(2));
    let all = assert_clean(&o);
    assert!(all.contains("a\\u001b[31mb"), "{all}");
}

#[test]
fn an_escape_sequence_as_a_troubleshooting_id_is_shown_not_run() {
    let o = run(&["troubleshoot", "\u{1b}[2J"]);
    assert_ne!(o.status.code(), Some(0));
    let all = assert_clean(&o);
    assert!(all.contains("\\u001b[2J"), "{all}");
}

#[test]
fn a_c1_control_in_the_entity_id_is_escaped_in_text_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/metadata/idc-metadata.xml"),
    )
    .unwrap();
    let evil = good.replacen("entityID=\"https://", "entityID=\"https://\u{9b}2J", 1);
    assert_ne!(evil, good);
    let file = dir.path().join("m.xml");
    std::fs::write(&file, evil).unwrap();
    let file = file.to_str().unwrap();

    let text = run(&["metadata", "check", file]);
    assert!(assert_clean(&text).contains("\\u009b2J"));
    let json = run(&["metadata", "check", file, "--format", "json"]);
    assert_clean(&json);
    let parsed: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert!(
        parsed.to_string().contains('\u{9b}'),
        "the JSON value is kept"
    );

    let arn =
        "arn:aws:connect:us-east-1:123456789012:instance/12345678-90ab-cdef-1234-567890abcdef";
    let plan = run(&["plan", "--instance-arn", arn, "--metadata", file]);
    assert!(assert_clean(&plan).contains("\\u009b2J"));
}

#[test]
fn a_huge_bad_answer_is_echoed_shortened() {
    let huge = "x".repeat(120_000);
    let o = run(&["plan", "--instance-arn", &huge]);
    assert_eq!(o.status.code(), Some(2));
    let all = assert_clean(&o);
    assert!(all.len() < 2_000, "{} bytes printed", all.len());
    assert!(all.contains("120000 characters in all"), "{all}");
}
