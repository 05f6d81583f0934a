//! The real binary's `teardown`: on the sandbox (a fresh account in each test's own state
//! folder, so there is nothing to remove: the "nothing to do" paths, errors and exit codes;
//! the sandbox kept between runs is in `tests/sandbox_persistence.rs`) and against a
//! `moto_server` with IAM resources made beforehand (the full path: dry run, refusal
//! without a terminal, removal, second run). The rules themselves are tested on the sandbox
//! in `src/cloud/teardown.rs`.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::contract::METADATA;
use common::moto::{ACCOUNT, MotoServer};
use connect_sso::cloud::ensure;
use connect_sso::domain::setup::{Answers, Setup};
use serde_json::Value;

const INSTANCE_ID: &str = "12345678-90ab-cdef-1234-567890abcdef";

/// The binary with a private state directory, no terminal and no confirming environment.
fn binary(state: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_connect-sso"));
    cmd.args(args)
        .env("HOME", state)
        .env("XDG_STATE_HOME", state)
        .env_remove("CONNECT_SSO_YES")
        .env_remove("CONNECT_SSO_FORMAT")
        .env_remove("CONNECT_SSO_INSTANCE_ARN")
        .env_remove("AWS_PROFILE")
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_dry_run_on_the_sandbox_finds_nothing_to_remove() {
    let state = tempfile::tempdir().unwrap();
    let o = binary(state.path(), &["--sandbox", "teardown", "--dry-run"], &[]);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}{}", text(&o.stderr));
    assert!(out.contains("dry run: nothing is changed"), "{out}");
    assert!(out.contains("in account 111122223333"), "{out}");
    assert!(
        out.contains(
            "none recorded by connect-sso for this instance (assignments made by hand are kept)"
        ),
        "{out}"
    );
    for line in ["role ", "policy ", "SAML provider "] {
        assert!(
            out.lines()
                .any(|l| l.starts_with(line) && l.contains("already gone")),
            "{line}: {out}"
        );
    }
    assert!(
        out.contains("0 would be removed, 0 kept, 3 already gone."),
        "{out}"
    );
    assert!(out.contains("Nothing to remove."), "{out}");
    // A dry run writes nothing: neither the sandbox account nor a ledger.
    assert!(!state.path().join("connect-sso").exists());
}

#[test]
fn nothing_to_do_needs_no_confirmation_and_exits_0() {
    let state = tempfile::tempdir().unwrap();
    for args in [
        &["--sandbox", "teardown"][..],
        &["--sandbox", "teardown", "--yes"],
        &["--sandbox", "teardown", "-y"],
    ] {
        let o = binary(state.path(), args, &[]);
        let out = text(&o.stdout);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{args:?}: {out}{}",
            text(&o.stderr)
        );
        assert!(out.contains("Nothing to remove."), "{out}");
        assert!(o.stderr.is_empty(), "{}", text(&o.stderr));
    }
    let o = binary(
        state.path(),
        &["--sandbox", "teardown"],
        &[("CONNECT_SSO_YES", "true")],
    );
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn json_lists_every_item() {
    let state = tempfile::tempdir().unwrap();
    let o = binary(
        state.path(),
        &["--sandbox", "teardown", "--dry-run", "--format", "json"],
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["dry_run"], true);
    assert_eq!(v["executed"], false);
    assert_eq!(v["account"], "111122223333");
    assert_eq!(v["instance_id"], "5f8c2a4e-1b3d-4c6e-9a7b-2d4f6e8a0c1b");
    let items = v["items"].as_array().unwrap();
    let kinds: Vec<&str> = items.iter().map(|i| i["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["role", "policy", "saml_provider"]);
    for i in items {
        assert_eq!(i["action"], "already_gone", "{i}");
        assert!(
            i["arn"]
                .as_str()
                .unwrap()
                .starts_with("arn:aws:iam::111122223333:")
        );
    }
}

#[test]
fn a_read_that_fails_is_reported_and_exits_1() {
    let state = tempfile::tempdir().unwrap();
    let o = binary(
        state.path(),
        &[
            "--sandbox",
            "--sandbox-fault",
            "deny:iam:GetRole",
            "teardown",
            "--yes",
        ],
        &[],
    );
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}{}", text(&o.stderr));
    assert!(
        out.lines()
            .any(|l| l.starts_with("role ") && l.contains("failed")),
        "{out}"
    );
    assert!(out.contains("error: access denied"), "{out}");
    assert!(out.contains("iam:GetRole"), "{out}");
    assert!(out.contains("1 failed"), "{out}");
}

#[test]
fn bad_answers_and_another_account_exit_2() {
    let state = tempfile::tempdir().unwrap();
    let o = binary(
        state.path(),
        &["--sandbox", "teardown", "--instance-arn", "not-an-arn"],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("the answers are not valid"));

    let elsewhere = format!("arn:aws:connect:us-east-1:999999999999:instance/{INSTANCE_ID}");
    let o = binary(
        state.path(),
        &["--sandbox", "teardown", "--instance-arn", &elsewhere],
        &[],
    );
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("account 999999999999"), "{err}");
    assert!(o.stdout.is_empty());
}

#[test]
fn the_help_says_what_is_kept() {
    let state = tempfile::tempdir().unwrap();
    let o = binary(state.path(), &["teardown", "--help"], &[]);
    let out = text(&o.stdout);
    assert!(o.status.success());
    for needle in [
        "managed-by=connect-sso",
        "connect-sso:instance-id",
        "Assignments made by hand",
        "--dry-run",
        "--yes",
        "ledger",
    ] {
        assert!(out.contains(needle), "{needle}: {out}");
    }
}

// ---- against moto

fn moto_setup() -> Setup {
    Setup::from_answers(&Answers {
        instance_arn: Some(format!(
            "arn:aws:connect:us-east-1:{ACCOUNT}:instance/{INSTANCE_ID}"
        )),
        ..Answers::default()
    })
    .expect("valid answers")
}

fn moto_env(moto: &MotoServer) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ENDPOINT_URL", moto.endpoint()),
        ("AWS_ACCESS_KEY_ID", "testing".to_string()),
        ("AWS_SECRET_ACCESS_KEY", "testing".to_string()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_string()),
        ("AWS_MAX_ATTEMPTS", "1".to_string()),
    ]
}

fn role_count(moto: &MotoServer, rt: &tokio::runtime::Runtime) -> usize {
    let cloud = moto.sdk_cloud();
    rt.block_on(cloud.clients().iam.list_roles().send())
        .expect("ListRoles")
        .roles()
        .len()
}

/// moto drops SAML provider tags, so teardown keeps the provider there; the role and the
/// policy are what this test removes.
#[test]
fn the_binary_tears_down_role_and_policy_on_moto() {
    let Some(moto) = MotoServer::start() else {
        return;
    };
    let setup = moto_setup();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let cloud = moto.sdk_cloud();
    rt.block_on(async {
        tokio::try_join!(
            ensure::ensure_saml_provider(&cloud, &setup, METADATA, false),
            ensure::ensure_policy(&cloud, &setup, false),
        )?;
        ensure::ensure_role(&cloud, &setup, false).await
    })
    .expect("6a-6c");
    assert_eq!(role_count(&moto, &rt), 1);

    let state = tempfile::tempdir().unwrap();
    // A damaged ledger is moved aside with a warning, never a crash.
    let ledger = state.path().join("connect-sso").join("ledger.json");
    std::fs::create_dir_all(ledger.parent().unwrap()).unwrap();
    std::fs::write(&ledger, "{ damaged").unwrap();
    let env = moto_env(&moto);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let arn = format!("arn:aws:connect:us-east-1:{ACCOUNT}:instance/{INSTANCE_ID}");
    let run = |extra: &[&str]| {
        let mut args = vec!["teardown", "--instance-arn", arn.as_str()];
        args.extend_from_slice(extra);
        binary(state.path(), &args, &env)
    };

    let dry = run(&["--dry-run"]);
    let out = text(&dry.stdout);
    let err = text(&dry.stderr);
    assert_eq!(dry.status.code(), Some(0), "{out}{err}\n{}", moto.log());
    assert!(
        err.contains("was damaged") && err.contains("moved to"),
        "{err}"
    );
    assert!(ledger.with_extension("json.corrupt").exists());
    assert!(out.contains("3 would be removed, 1 kept"), "{out}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("attachment") && l.contains("detach")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("role ") && l.contains("delete")),
        "{out}"
    );
    assert!(out.contains("not created by connect-sso"), "{out}");
    assert_eq!(role_count(&moto, &rt), 1, "a dry run changes nothing");

    let refused = run(&[]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        text(&refused.stderr).contains("--yes"),
        "{}",
        text(&refused.stderr)
    );
    assert_eq!(
        role_count(&moto, &rt),
        1,
        "nothing changes without confirmation"
    );

    let done = run(&["--yes", "--format", "json"]);
    let err = text(&done.stderr);
    assert_eq!(done.status.code(), Some(0), "{err}\n{}", moto.log());
    let v: Value = serde_json::from_slice(&done.stdout).expect("JSON");
    assert_eq!(v["executed"], true);
    let actions: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["detached", "deleted", "deleted", "kept"], "{v:#}");
    assert_eq!(role_count(&moto, &rt), 0);

    let again = run(&["--yes"]);
    let out = text(&again.stdout);
    assert_eq!(again.status.code(), Some(0), "{out}");
    assert!(out.contains("Nothing to remove."), "{out}");
}
