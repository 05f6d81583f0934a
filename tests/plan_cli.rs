//! The `plan` and `metadata check` commands as a user runs them: the real binary, golden
//! outputs, exit codes, and flag > environment > answers-file precedence.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const ARN: &str =
    "arn:aws:connect:us-east-1:123456789012:instance/12345678-90ab-cdef-1234-567890abcdef";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Runs the binary from the fixtures folder (so paths in outputs are stable), with no
/// CONNECT_SSO_* variables but those given.
fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_connect-sso"));
    cmd.current_dir(fixtures()).args(args);
    for (k, _) in std::env::vars() {
        if k.starts_with("CONNECT_SSO_") {
            cmd.env_remove(k);
        }
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

#[test]
fn plan_text_with_defaults_and_metadata() {
    let o = run(
        &[
            "plan",
            "--instance-arn",
            ARN,
            "--metadata",
            "metadata/idc-metadata.xml",
            "--identity-store-id",
            "d-1234567890",
        ],
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    insta::assert_snapshot!("plan_text_defaults", stdout(&o));
}

#[test]
fn plan_markdown_runbook() {
    let o = run(
        &[
            "plan",
            "--config",
            "answers/acme.toml",
            "--format",
            "markdown",
        ],
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    insta::assert_snapshot!("plan_markdown_acme", stdout(&o));
}

#[test]
fn plan_json_has_the_documented_keys() {
    let o = run(
        &["plan", "--config", "answers/acme.toml", "--format", "json"],
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    for key in [
        "acs_url",
        "audience",
        "relay_state",
        "role_arn",
        "provider_arn",
        "role_attribute",
        "attribute_mappings",
        "permissions_policy",
        "trust_policy",
        "steps",
    ] {
        assert!(v.get(key).is_some(), "missing key {key}");
    }
    assert_eq!(v["acs_url"], "https://eu-west-2.signin.aws.amazon.com/saml");
    assert_eq!(
        v["role_attribute"],
        "arn:aws:iam::210987654321:role/AcmeConnectSSO,arn:aws:iam::210987654321:saml-provider/AcmeIdC"
    );
    assert_eq!(
        v["trust_policy"]["Statement"][0]["Condition"]["StringEquals"]["SAML:aud"],
        v["acs_url"]
    );
    insta::assert_json_snapshot!("plan_json_acme", v);
}

#[test]
fn plan_govcloud() {
    let gov = ARN
        .replace("arn:aws:", "arn:aws-us-gov:")
        .replace("us-east-1", "us-gov-west-1");
    let o = run(&["plan", "--instance-arn", &gov, "--format", "json"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["acs_url"], "https://signin.amazonaws-us-gov.com/saml");
    assert_eq!(v["audience"], "urn:amazon:webservices:govcloud");
    assert_eq!(
        v["relay_state"],
        "https://console.amazonaws-us-gov.com/connect/federate/12345678-90ab-cdef-1234-567890abcdef"
    );
    assert_eq!(
        v["permissions_policy"]["Statement"][0]["Resource"],
        format!("{gov}/user/${{aws:userid}}")
    );
}

#[test]
fn flag_beats_environment_beats_answers_file() {
    let json = |o: &Output| -> serde_json::Value {
        assert!(o.status.success(), "{}", stderr(o));
        serde_json::from_str(&stdout(o)).unwrap()
    };
    let file_only = json(&run(
        &["plan", "--config", "answers/acme.toml", "--format", "json"],
        &[],
    ));
    assert_eq!(file_only["role_name"], "AcmeConnectSSO");
    let env = json(&run(
        &["plan", "--config", "answers/acme.toml", "--format", "json"],
        &[("CONNECT_SSO_ROLE_NAME", "FromEnv")],
    ));
    assert_eq!(env["role_name"], "FromEnv");
    assert_eq!(env["policy_name"], "AcmeFederation");
    let flag = json(&run(
        &[
            "plan",
            "--config",
            "answers/acme.toml",
            "--format",
            "json",
            "--role-name",
            "FromFlag",
        ],
        &[("CONNECT_SSO_ROLE_NAME", "FromEnv")],
    ));
    assert_eq!(flag["role_name"], "FromFlag");
    // The answers file itself can come from the environment.
    let env_config = json(&run(
        &["plan", "--format", "json"],
        &[("CONNECT_SSO_CONFIG", "answers/acme.toml")],
    ));
    assert_eq!(env_config["role_name"], "AcmeConnectSSO");
}

#[test]
fn bad_answers_are_all_reported_with_exit_2() {
    let o = run(
        &[
            "plan",
            "--instance-arn",
            ARN,
            "--role-name",
            "my role",
            "--policy-name",
            "p/q",
            "--sign-in-endpoint",
            "local",
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("role_name: role name contains a space"),
        "{err}"
    );
    assert!(
        err.contains("policy_name: policy name contains '/'"),
        "{err}"
    );
    assert!(err.contains("use 'global' or 'regional'"), "{err}");
    assert!(stdout(&o).is_empty());
}

#[test]
fn missing_instance_and_bad_answers_file() {
    let o = run(&["plan"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--instance-arn"), "{}", stderr(&o));

    let o = run(&["plan", "--config", "answers/unknown-key.toml"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("rolename"), "{}", stderr(&o));

    let o = run(&["plan", "--config", "answers/nope.toml"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot read the answers file"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn plan_refuses_metadata_iam_would_reject() {
    let o = run(
        &[
            "plan",
            "--instance-arn",
            ARN,
            "--metadata",
            "answers/acme.toml",
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("answers/acme.toml"), "{}", stderr(&o));
}

#[test]
fn metadata_check_accepts_the_fixture() {
    let o = run(&["metadata", "check", "metadata/idc-metadata.xml"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("OK: IAM will accept this metadata."), "{out}");
    assert!(out.contains("RSA 2048 bits"), "{out}");
    assert!(out.contains(
        "E0:39:1A:18:01:D0:94:39:E5:EF:1B:36:AB:00:40:3A:A0:2F:E5:86:D1:09:CE:87:FC:5B:C9:CD:B1:F8:72:3A"
    ));

    let o = run(
        &[
            "metadata",
            "check",
            "metadata/idc-metadata.xml",
            "--format",
            "json",
        ],
        &[],
    );
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["accepted"], true);
    assert_eq!(v["certificates"][0]["key_bits"], 2048);
}

#[test]
fn metadata_check_rejects_with_reason_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("saved.html");
    std::fs::write(
        &html,
        format!(
            "<!DOCTYPE html><html><body>{}</body></html>",
            "x".repeat(2000)
        ),
    )
    .unwrap();
    let o = run(&["metadata", "check", html.to_str().unwrap()], &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("IAM would reject this metadata"),
        "{}",
        stderr(&o)
    );

    let o = run(&["metadata", "check", "metadata/does-not-exist.xml"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot read the metadata file"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn permissions_are_scoped_to_the_setup_when_it_is_known() {
    let o = run(
        &[
            "permissions",
            "--config",
            "answers/acme.toml",
            "--format",
            "json",
        ],
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let connect = v["connect"].to_string();
    assert!(
        connect.contains("arn:aws:iam::210987654321:role/AcmeConnectSSO"),
        "{connect}"
    );
    assert!(connect.contains("iam:CreateSAMLProvider"));
    assert!(v["identity"].to_string().contains("sso:ListApplications"));

    let o = run(&["permissions"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("pass --instance-arn to scope it"));
}

/// The instance is one answer in two forms: the form on the higher level wins whole, and
/// both forms on one level are refused (issue 10, defect 1).
#[test]
fn the_instance_form_on_the_higher_level_wins_and_two_on_one_level_conflict() {
    const ID: &str = "12345678-90ab-cdef-1234-567890abcdef";
    let by_id = [
        "--instance-id",
        ID,
        "--region",
        "us-east-1",
        "--account-id",
        "123456789012",
    ];
    let plan = |args: &[&str], env: &[(&str, &str)]| -> Output {
        let mut all = vec!["plan", "--format", "json"];
        all.extend_from_slice(args);
        run(&all, env)
    };
    let arn_of = |o: &Output| -> String {
        assert!(o.status.success(), "{}", stderr(o));
        let v: serde_json::Value = serde_json::from_str(&stdout(o)).unwrap();
        v["instance_arn"].as_str().unwrap().to_string()
    };

    // An id flag beats the file's ARN (and the file's other answers still count).
    let mut args = vec!["--config", "answers/acme.toml"];
    args.extend_from_slice(&by_id);
    let o = plan(&args, &[]);
    assert_eq!(arn_of(&o), ARN);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["role_name"], "AcmeConnectSSO");

    // An id flag beats an ARN in the environment; an ARN flag beats an id there.
    let o = plan(
        &by_id,
        &[(
            "CONNECT_SSO_INSTANCE_ARN",
            "arn:aws:connect:eu-west-2:210987654321:instance/a1b2c3d4-e5f6-4a5b-8c7d-0123456789ab",
        )],
    );
    assert_eq!(arn_of(&o), ARN);
    let o = plan(
        &["--instance-arn", ARN],
        &[("CONNECT_SSO_INSTANCE_ID", "not-a-uuid")],
    );
    assert_eq!(arn_of(&o), ARN);

    // Both forms as flags: refused, and a bad id beside an ARN is no longer ignored.
    let o = plan(&["--instance-arn", ARN, "--instance-id", "not-a-uuid"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("both the instance ARN and the instance id are given"),
        "{}",
        stderr(&o)
    );
    // Both in the environment: the same.
    let o = plan(
        &[],
        &[
            ("CONNECT_SSO_INSTANCE_ARN", ARN),
            ("CONNECT_SSO_INSTANCE_ID", ID),
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
}

#[test]
fn every_part_of_an_instance_given_by_id_is_checked_at_once() {
    let o = run(
        &[
            "plan",
            "--instance-id",
            "nope",
            "--region",
            "mars-1",
            "--account-id",
            "12",
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("instance_id: instance id 'nope'"), "{err}");
    assert!(
        err.contains("region: 'mars-1' is not a known AWS region"),
        "{err}"
    );
    assert!(err.contains("account_id: account id '12'"), "{err}");
}
