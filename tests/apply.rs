//! `apply` on the sandbox account: idempotence, dry run, drift, limits, stops and errors;
//! and the real binary's `apply --sandbox`.

use std::process::Command;

use connect_sso::cloud::api::*;
use connect_sso::cloud::apply::{ApplyError, Report, UserRequest, apply};
use connect_sso::cloud::ensure::{Change, ConnectUserTemplate};
use connect_sso::cloud::sandbox::{
    Fault, FaultKind, SANDBOX_INSTANCE_ARN, SANDBOX_LEGACY_INSTANCE_ARN, SANDBOX_METADATA, Sandbox,
};
use connect_sso::domain::setup::{Answers, Setup};
use serde_json::json;

fn setup_for(arn: &str) -> Setup {
    Setup::from_answers(&Answers {
        instance_arn: Some(arn.to_string()),
        app_name: Some("Workshop Connect".into()),
        ..Answers::default()
    })
    .unwrap()
}

fn changes(report: &Report) -> Vec<(&'static str, Change)> {
    report.outcomes.iter().map(|o| (o.step, o.change)).collect()
}

fn is_write(action: &str) -> bool {
    ["Create", "Update", "Attach", "Delete"]
        .iter()
        .any(|w| action.split(':').nth(1).is_some_and(|op| op.starts_with(w)))
}

#[tokio::test]
async fn second_run_changes_nothing_and_documents_are_exact() {
    let sandbox = Sandbox::new();
    let setup = setup_for(SANDBOX_INSTANCE_ARN);
    let first = apply(
        &sandbox,
        &setup,
        SANDBOX_METADATA,
        &UserRequest::default(),
        false,
    )
    .await
    .unwrap();
    assert_eq!(
        changes(&first),
        [
            ("6a", Change::Created),
            ("6b", Change::Created),
            ("6c", Change::Created)
        ]
    );
    assert_eq!(first.changes(), 3);

    let snap = sandbox.snapshot();
    assert_eq!(snap.saml_providers.len(), 1);
    assert_eq!(snap.saml_providers[0].metadata_document, SANDBOX_METADATA);
    assert_eq!(snap.policies.len(), 1);
    assert_eq!(snap.policies[0].versions.len(), 1);
    assert_eq!(
        snap.policies[0].versions[0].document,
        setup.permissions_policy()
    );
    assert_eq!(snap.roles.len(), 1);
    assert_eq!(snap.roles[0].role.trust_policy, setup.trust_policy());
    assert_eq!(snap.roles[0].attached_policies[0].arn, setup.policy_arn());
    for tags in [
        &snap.saml_providers[0].tags,
        &snap.policies[0].policy.tags,
        &snap.roles[0].role.tags,
    ] {
        assert!(
            tags.iter()
                .any(|t| t.key == "managed-by" && t.value == "connect-sso")
        );
    }

    sandbox.clear_calls();
    let second = apply(
        &sandbox,
        &setup,
        SANDBOX_METADATA,
        &UserRequest::default(),
        false,
    )
    .await
    .unwrap();
    assert_eq!(second.changes(), 0);
    assert!(
        second
            .outcomes
            .iter()
            .all(|o| o.change == Change::Unchanged)
    );
    let writes: Vec<String> = sandbox
        .calls()
        .into_iter()
        .filter(|c| is_write(c))
        .collect();
    assert!(writes.is_empty(), "second run wrote: {writes:?}");
}

#[tokio::test]
async fn dry_run_writes_nothing() {
    let sandbox = Sandbox::new();
    let setup = setup_for(SANDBOX_INSTANCE_ARN);
    let report = apply(
        &sandbox,
        &setup,
        SANDBOX_METADATA,
        &UserRequest::default(),
        true,
    )
    .await
    .unwrap();
    assert_eq!(
        changes(&report),
        [
            ("6a", Change::WouldCreate),
            ("6b", Change::WouldCreate),
            ("6c", Change::WouldCreate)
        ]
    );
    assert!(
        sandbox.calls().iter().all(|c| !is_write(c)),
        "{:?}",
        sandbox.calls()
    );
    assert!(sandbox.snapshot().roles.is_empty());
}

#[tokio::test]
async fn drift_is_repaired_and_explained() {
    let sandbox = Sandbox::new();
    let setup = setup_for(SANDBOX_INSTANCE_ARN);
    apply(
        &sandbox,
        &setup,
        SANDBOX_METADATA,
        &UserRequest::default(),
        false,
    )
    .await
    .unwrap();

    // Someone widened the policy and changed the trust policy's audience by hand.
    let mut wide = setup.permissions_policy();
    wide["Statement"][0]["Resource"] = json!("*");
    sandbox
        .create_policy_version(&setup.policy_arn(), &wide, true)
        .await
        .unwrap();
    let mut trust = setup.trust_policy();
    trust["Statement"][0]["Condition"]["StringEquals"]["SAML:aud"] =
        json!("https://eu-west-2.signin.aws.amazon.com/saml");
    sandbox
        .update_assume_role_policy(setup.role_name.as_str(), &trust)
        .await
        .unwrap();

    let report = apply(
        &sandbox,
        &setup,
        SANDBOX_METADATA,
        &UserRequest::default(),
        false,
    )
    .await
    .unwrap();
    assert_eq!(
        changes(&report),
        [
            ("6a", Change::Unchanged),
            ("6b", Change::Updated),
            ("6c", Change::Updated)
        ]
    );
    let policy = &report.outcomes[1];
    assert!(
        policy
            .details
            .iter()
            .any(|d| d.starts_with("Statement[0].Resource: \"*\" -> ")),
        "{:?}",
        policy.details
    );
    let role = &report.outcomes[2];
    assert!(
        role.details.iter().any(|d| d.contains("SAML:aud")),
        "{:?}",
        role.details
    );
    let snap = sandbox.snapshot();
    assert_eq!(snap.roles[0].role.trust_policy, setup.trust_policy());
    let default = snap.policies[0]
        .versions
        .iter()
        .find(|v| v.version.is_default)
        .unwrap();
    assert_eq!(default.document, setup.permissions_policy());
}

#[tokio::test]
async fn five_versions_make_room_by_deleting_the_oldest() {
    let sandbox = Sandbox::new();
    let setup = setup_for(SANDBOX_INSTANCE_ARN);
    apply(
        &sandbox,
        &setup,
        SANDBOX_METADATA,
        &UserRequest::default(),
        false,
    )
    .await
    .unwrap();
    for i in 0..4 {
        let mut doc = setup.permissions_policy();
        doc["Statement"][0]["Sid"] = json!(format!("Old{i}"));
        sandbox
            .create_policy_version(&setup.policy_arn(), &doc, true)
            .await
            .unwrap();
    }
    let report = apply(
        &sandbox,
        &setup,
        SANDBOX_METADATA,
        &UserRequest::default(),
        false,
    )
    .await
    .unwrap();
    assert_eq!(report.outcomes[1].change, Change::Updated);
    assert!(
        report.outcomes[1]
            .details
            .iter()
            .any(|d| d.starts_with("delete version v1")),
        "{:?}",
        report.outcomes[1].details
    );
    let versions = &sandbox.snapshot().policies[0].versions;
    assert_eq!(versions.len(), 5);
    assert!(versions.iter().all(|v| v.version.version_id != "v1"));
}

#[tokio::test]
async fn metadata_rotation_updates_the_provider() {
    let sandbox = Sandbox::new();
    let setup = setup_for(SANDBOX_INSTANCE_ARN);
    let other = SANDBOX_METADATA.replace(
        "MTIzNDU2Nzg5MDEyX2lucy0xYTJiM2M0ZDVlNmY3YThi",
        "OTk5OTk5OTk5OTk5X2lucy1mZmZmZmZmZmZmZmZmZmZm",
    );
    apply(&sandbox, &setup, &other, &UserRequest::default(), false)
        .await
        .unwrap();
    let report = apply(
        &sandbox,
        &setup,
        SANDBOX_METADATA,
        &UserRequest::default(),
        false,
    )
    .await
    .unwrap();
    assert_eq!(report.outcomes[0].change, Change::Updated);
    assert!(
        report.outcomes[0].details[0].starts_with("entity id: "),
        "{:?}",
        report.outcomes[0].details
    );
    assert_eq!(
        sandbox.snapshot().saml_providers[0].metadata_document,
        SANDBOX_METADATA
    );
}

#[tokio::test]
async fn step_one_is_checked_by_display_name() {
    let sandbox = Sandbox::new();
    let setup = setup_for(SANDBOX_INSTANCE_ARN);
    let before = apply(
        &sandbox,
        &setup,
        SANDBOX_METADATA,
        &UserRequest::default(),
        true,
    )
    .await
    .unwrap();
    assert!(before.applications.is_empty());
    assert!(before.manual_steps.iter().any(|(id, _)| *id == "1"));
    let arn = sandbox.simulate_create_application("Workshop Connect");
    let after = apply(
        &sandbox,
        &setup,
        SANDBOX_METADATA,
        &UserRequest::default(),
        true,
    )
    .await
    .unwrap();
    assert_eq!(after.applications.len(), 1);
    assert_eq!(after.applications[0].arn, arn);
    assert!(!after.manual_steps.iter().any(|(id, _)| *id == "1"));
    sandbox.simulate_create_application("Workshop Connect");
    let twice = apply(
        &sandbox,
        &setup,
        SANDBOX_METADATA,
        &UserRequest::default(),
        true,
    )
    .await
    .unwrap();
    assert!(
        twice
            .warnings
            .iter()
            .any(|w| w.contains("2 Identity Center applications"))
    );
}

#[tokio::test]
async fn instances_without_saml_stop_with_the_reason() {
    let sandbox = Sandbox::new();
    let err = apply(
        &sandbox,
        &setup_for(SANDBOX_LEGACY_INSTANCE_ARN),
        SANDBOX_METADATA,
        &UserRequest::default(),
        false,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, ApplyError::NotSaml { .. }), "{err}");
    assert!(err.to_string().contains("cannot change it later"), "{err}");
    assert!(sandbox.snapshot().roles.is_empty());
}

#[tokio::test]
async fn wrong_account_and_missing_instance() {
    let sandbox = Sandbox::new();
    let elsewhere = SANDBOX_INSTANCE_ARN.replace("111122223333", "999988887777");
    let err = apply(
        &sandbox,
        &setup_for(&elsewhere),
        SANDBOX_METADATA,
        &UserRequest::default(),
        false,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, ApplyError::WrongAccount { .. }), "{err}");
    let missing = SANDBOX_INSTANCE_ARN.replace("5f8c2a4e", "00000000");
    let err = apply(
        &sandbox,
        &setup_for(&missing),
        SANDBOX_METADATA,
        &UserRequest::default(),
        false,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, ApplyError::InstanceNotFound { .. }), "{err}");
}

#[tokio::test]
async fn access_denied_names_the_action_and_context() {
    let sandbox = Sandbox::new();
    sandbox.inject_fault(Fault::new(FaultKind::AccessDenied, "iam:CreateRole", None));
    let report = apply(
        &sandbox,
        &setup_for(SANDBOX_INSTANCE_ARN),
        SANDBOX_METADATA,
        &UserRequest::default(),
        false,
    )
    .await
    .unwrap();
    // What was done before the failure is in the report beside it.
    assert_eq!(
        changes(&report),
        [("6a", Change::Created), ("6b", Change::Created)]
    );
    let failure = report.failure.as_ref().expect("the failure");
    assert_eq!(failure.step, "6c");
    assert!(!report.complete());
    let text = &failure.error;
    assert!(
        text.contains("iam:CreateRole") && text.contains("connect context"),
        "{text}"
    );
    assert!(text.contains("connect-sso permissions"), "{text}");
}

/// Runs the binary in a home of its own, so each run starts from a fresh sandbox account.
fn binary(args: &[&str]) -> std::process::Output {
    let home = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_connect-sso"))
        .args(args)
        .env_remove("CONNECT_SSO_YES")
        .env_remove("CONNECT_SSO_SANDBOX_RESET")
        .env("HOME", home.path())
        .env("XDG_STATE_HOME", home.path().join("state"))
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn the_binary_applies_on_the_sandbox() {
    let o = binary(&["--sandbox", "apply", "--yes"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.contains("6c  role          created"), "{out}");
    assert!(out.contains("3 automated step(s) changed."), "{out}");
    assert!(out.contains("Manual steps still to do"), "{out}");

    let o = binary(&["--sandbox", "apply", "--dry-run", "--format", "json"]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["outcomes"][2]["change"], "would_create");

    // Without a terminal and without --yes, nothing is changed and the fix is named.
    let o = binary(&["--sandbox", "apply"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--yes"));
    assert!(String::from_utf8_lossy(&o.stdout).contains("would create"));
}

#[test]
fn apply_without_metadata_outside_the_sandbox_says_what_to_pass() {
    let o = binary(&[
        "apply",
        "--instance-arn",
        "arn:aws:connect:us-east-1:123456789012:instance/12345678-90ab-cdef-1234-567890abcdef",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--metadata FILE"));
}

fn people(users: &[&str], create: bool) -> UserRequest {
    UserRequest {
        users: users.iter().map(|u| u.to_string()).collect(),
        create_connect_users: create.then(|| ConnectUserTemplate {
            security_profile: "Agent".into(),
            routing_profile: "Basic Routing Profile".into(),
        }),
    }
}

#[tokio::test]
async fn users_are_assigned_and_their_connect_users_checked() {
    let sandbox = Sandbox::new();
    let setup = setup_for(SANDBOX_INSTANCE_ARN);
    let app = sandbox.simulate_create_application("Workshop Connect");
    let request = people(
        &[
            "maria.garcia@example.com",
            "kwame.mensah@example.com",
            "nobody@example.com",
        ],
        false,
    );
    let report = apply(&sandbox, &setup, SANDBOX_METADATA, &request, false)
        .await
        .unwrap();
    let [maria, kwame, nobody] = report.users.as_slice() else {
        panic!("{:?}", report.users)
    };
    assert_eq!(maria.assignment, Some(Change::Created));
    assert_eq!(maria.connect_user, Some(Change::Unchanged));
    assert!(maria.problems.is_empty());
    assert_eq!(kwame.assignment, Some(Change::Created));
    assert_eq!(kwame.connect_user, None);
    assert!(
        kwame.problems[0].contains("--create-connect-users"),
        "{:?}",
        kwame.problems
    );
    assert!(nobody.user_id.is_none());
    assert!(nobody.problems[0].contains("nobody@example.com"));
    assert!(!report.complete());
    let snap = sandbox.snapshot();
    let assignments = &snap
        .applications
        .iter()
        .find(|a| a.application.arn == app)
        .unwrap()
        .assignments;
    assert_eq!(assignments.len(), 2);

    // With creation allowed the missing Connect user is made, once.
    let request = people(
        &["maria.garcia@example.com", "kwame.mensah@example.com"],
        true,
    );
    let report = apply(&sandbox, &setup, SANDBOX_METADATA, &request, false)
        .await
        .unwrap();
    assert_eq!(report.users[1].assignment, Some(Change::Unchanged));
    assert_eq!(report.users[1].connect_user, Some(Change::Created));
    assert!(report.complete());
    let again = apply(&sandbox, &setup, SANDBOX_METADATA, &request, false)
        .await
        .unwrap();
    assert_eq!(again.changes(), 0);
    assert!(!again.manual_steps.iter().any(|(id, _)| *id == "11"));
}

/// All six seeded people and one unknown: more than a handful, so step 11 reads the identity
/// store and the Connect users once instead of looking each person up.
const EVERYONE: [&str; 7] = [
    "maria.garcia@example.com",
    "kwame.mensah@example.com",
    "akhan",
    "Li.Wei@Example.com",
    "sofia.rossi@example.com",
    "james.oconnor@example.com",
    "kwame.mensa@example.com",
];

#[tokio::test]
async fn many_users_are_matched_from_one_read_of_each_population() {
    let sandbox = Sandbox::new();
    let setup = setup_for(SANDBOX_INSTANCE_ARN);
    sandbox.simulate_create_application("Workshop Connect");
    sandbox.clear_calls();
    let report = apply(
        &sandbox,
        &setup,
        SANDBOX_METADATA,
        &people(&EVERYONE, true),
        false,
    )
    .await
    .unwrap();
    let calls = sandbox.calls();
    let count = |a: &str| calls.iter().filter(|c| *c == a).count();
    assert_eq!(count("identitystore:GetUserId"), 0, "{calls:?}");
    assert_eq!(count("identitystore:DescribeUser"), 0, "{calls:?}");
    assert_eq!(count("connect:SearchUsers"), 0, "{calls:?}");
    assert_eq!(count("identitystore:ListUsers"), 1, "{calls:?}");
    assert_eq!(count("connect:ListUsers"), 1, "{calls:?}");
    // Writes stay one per person: six assignments, five Connect users (Maria's exists).
    assert_eq!(count("sso:CreateApplicationAssignment"), 6, "{calls:?}");
    assert_eq!(count("connect:CreateUser"), 5, "{calls:?}");
    let words: Vec<String> = report.users.iter().map(|u| u.in_words()).collect();
    assert_eq!(
        words[0],
        "maria.garcia@example.com: assignment created; Connect user maria.garcia@example.com exists"
    );
    assert_eq!(
        words[2],
        "akhan: assignment created; Connect user aisha.khan@example.com created"
    );
    assert_eq!(
        words[6],
        "kwame.mensa@example.com: not found in Identity Center"
    );
    assert!(
        report.users[6].problems[0].contains("did you mean kwame.mensah@example.com"),
        "{:?}",
        report.users[6].problems
    );
    // Again: nothing to do, still one read each.
    sandbox.clear_calls();
    let again = apply(
        &sandbox,
        &setup,
        SANDBOX_METADATA,
        &people(&EVERYONE, true),
        false,
    )
    .await
    .unwrap();
    assert!(
        again.users[..6]
            .iter()
            .all(|u| u.assignment == Some(Change::Unchanged)
                && u.connect_user == Some(Change::Unchanged))
    );
    assert_eq!(
        sandbox
            .calls()
            .iter()
            .filter(|c| c.contains("Create"))
            .count(),
        0
    );
}

#[tokio::test]
async fn a_connect_user_in_another_letter_case_is_named_as_a_near_miss() {
    let sandbox = Sandbox::new();
    let setup = setup_for(SANDBOX_INSTANCE_ARN);
    sandbox.simulate_create_application("Workshop Connect");
    // Li Wei's Connect user made by hand in lower case: sign-in would not find it.
    apply(
        &sandbox,
        &setup,
        SANDBOX_METADATA,
        &people(&["sofia.rossi@example.com"], true),
        false,
    )
    .await
    .unwrap();
    let profiles = sandbox
        .list_security_profiles(connect_sso::cloud::sandbox::SANDBOX_INSTANCE_ID)
        .await
        .unwrap();
    sandbox
        .create_connect_user(
            connect_sso::cloud::sandbox::SANDBOX_INSTANCE_ID,
            &connect_sso::cloud::NewConnectUser {
                username: "li.wei@example.com".into(),
                first_name: "Li".into(),
                last_name: "Wei".into(),
                security_profile_ids: vec![profiles[1].id.clone()],
                routing_profile_id: connect_sso::cloud::sandbox::SANDBOX_ROUTING_PROFILE_ID.into(),
                tags: Vec::new(),
            },
        )
        .await
        .unwrap();
    let report = apply(
        &sandbox,
        &setup,
        SANDBOX_METADATA,
        &people(&EVERYONE, false),
        false,
    )
    .await
    .unwrap();
    let li = &report.users[3];
    assert_eq!(li.connect_user, None);
    assert!(
        li.problems[0].contains("li.wei@example.com differs only in letter case"),
        "{:?}",
        li.problems
    );
}

#[tokio::test]
async fn connect_user_names_keep_the_directory_letter_case() {
    let sandbox = Sandbox::new();
    let setup = setup_for(SANDBOX_INSTANCE_ARN);
    sandbox.simulate_create_application("Workshop Connect");
    let report = apply(
        &sandbox,
        &setup,
        SANDBOX_METADATA,
        &people(&["li.wei@example.com"], true),
        true,
    )
    .await
    .unwrap();
    assert_eq!(
        report.users[0].connect_username.as_deref(),
        Some("Li.Wei@Example.com")
    );
    assert_eq!(report.users[0].connect_user, Some(Change::WouldCreate));
}

#[tokio::test]
async fn users_wait_for_the_application() {
    let sandbox = Sandbox::new();
    let setup = setup_for(SANDBOX_INSTANCE_ARN);
    let report = apply(
        &sandbox,
        &setup,
        SANDBOX_METADATA,
        &people(&["maria.garcia@example.com"], false),
        false,
    )
    .await
    .unwrap();
    assert!(
        report.problems[0].contains("do step 1"),
        "{:?}",
        report.problems
    );
    assert!(!report.complete());
}

#[test]
fn sandbox_faults_from_the_command_line() {
    let o = binary(&[
        "--sandbox",
        "--sandbox-fault",
        "deny:iam:CreatePolicy",
        "apply",
        "--yes",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("iam:CreatePolicy") && err.contains("connect-sso permissions"),
        "{err}"
    );

    let o = binary(&["--sandbox", "--sandbox-fault", "explode:iam:X", "apply"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--sandbox-fault"));
}

#[test]
fn a_bad_user_is_refused_before_any_change() {
    let home = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_connect-sso"))
        .args(["--sandbox", "apply", "--yes", "--user", ""])
        .env_remove("CONNECT_SSO_YES")
        .env("HOME", home.path())
        .env("XDG_STATE_HOME", home.path().join("state"))
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("a user to assign (--user) is empty"), "{err}");
    // Nothing was made: no sandbox account was even saved with changes.
    let account = home.path().join("state/connect-sso/sandbox/account.json");
    let saved = std::fs::read_to_string(&account).unwrap_or_default();
    assert!(!saved.contains("role/ConnectSSO"), "{saved}");
}

/// Runs the binary in `home`, no terminal, no CONNECT_SSO_* settings.
fn binary_in(home: &std::path::Path, args: &[&str]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_connect-sso"));
    for (k, _) in std::env::vars() {
        if k.starts_with("CONNECT_SSO_") || k.starts_with("AWS_") {
            cmd.env_remove(k);
        }
    }
    cmd.args(args)
        .env("HOME", home)
        .env("XDG_STATE_HOME", home.join("state"))
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

/// The applications of the sandbox account saved in `home` (none when nothing was saved).
fn saved_applications(home: &std::path::Path) -> Vec<serde_json::Value> {
    let file = home.join("state/connect-sso/sandbox/account.json");
    let Ok(text) = std::fs::read_to_string(file) else {
        return Vec::new();
    };
    let account: serde_json::Value = serde_json::from_str(&text).unwrap();
    account["applications"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn a_sandbox_apply_stopped_by_its_prerequisites_adds_no_application() {
    let missing = SANDBOX_INSTANCE_ARN.replace("5f8c2a4e", "00000000");
    let elsewhere = SANDBOX_INSTANCE_ARN.replace("111122223333", "999988887777");
    for (arn, reason) in [
        (missing.as_str(), "no Connect instance"),
        (elsewhere.as_str(), "belongs to account 999988887777"),
        (SANDBOX_LEGACY_INSTANCE_ARN, "not SAML"),
    ] {
        let home = tempfile::tempdir().unwrap();
        let o = binary_in(
            home.path(),
            &["--sandbox", "apply", "--yes", "--instance-arn", arn],
        );
        let err = String::from_utf8_lossy(&o.stderr);
        let out = String::from_utf8_lossy(&o.stdout);
        assert_eq!(o.status.code(), Some(1), "{arn}: {err}");
        assert!(err.contains(reason), "{arn}: {err}");
        assert!(!out.contains("stands in"), "{arn}: {out}");
        assert!(saved_applications(home.path()).is_empty(), "{arn}");
        // The next run on the right instance starts from an account without a stray one.
        let o = binary_in(home.path(), &["--sandbox", "apply", "--yes"]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let apps = saved_applications(home.path());
        assert_eq!(apps.len(), 1, "{apps:?}");
        assert_eq!(apps[0]["application"]["name"], "Amazon Connect 5f8c2a4e");
    }
}

#[test]
fn after_a_failure_apply_says_what_it_did_before_it() {
    let home = tempfile::tempdir().unwrap();
    let o = binary_in(
        home.path(),
        &[
            "--sandbox",
            "--sandbox-fault",
            "deny:iam:CreateRole",
            "apply",
            "--yes",
        ],
    );
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    for line in [
        "6a  SAML provider created",
        "6b  policy        created",
        "6c  role          failed       access denied",
        "Stopped at step 6c: 2 automated step(s) changed before it (listed above). Fix the error, then run apply again: it picks up where it stopped.",
    ] {
        assert!(out.contains(line), "{line:?} not in:\n{out}");
    }
    assert!(!out.contains("automated step(s) changed."), "{out}");
    assert!(
        err.contains("error: step 6c (role): access denied"),
        "{err}"
    );

    // The JSON report says the same.
    let o = binary_in(
        home.path(),
        &[
            "--sandbox",
            "--sandbox-fault",
            "deny:iam:CreateRole",
            "apply",
            "--yes",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["failure"]["step"], "6c");
    assert_eq!(v["outcomes"][0]["change"], "unchanged");
    assert_eq!(v["outcomes"].as_array().unwrap().len(), 2);

    // Fixed, the next run picks up where it stopped.
    let o = binary_in(home.path(), &["--sandbox", "apply", "--yes"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("6c  role          created"), "{out}");
    assert!(out.contains("1 automated step(s) changed."), "{out}");
}

#[test]
fn the_closing_line_agrees_with_the_exit_status() {
    let home = tempfile::tempdir().unwrap();
    // Kwame has no Connect user: the run changes things, and sign-in is not ready.
    let o = binary_in(
        home.path(),
        &[
            "--sandbox",
            "apply",
            "--yes",
            "--user",
            "kwame.mensah@example.com",
        ],
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.trim_end().ends_with(
            "4 automated step(s) changed, but sign-in is not ready yet: see the problems above."
        ),
        "{out}"
    );
    let o = binary_in(
        home.path(),
        &[
            "--sandbox",
            "apply",
            "--yes",
            "--user",
            "kwame.mensah@example.com",
        ],
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.trim_end()
            .ends_with("Nothing changed, but sign-in is not ready yet: see the problems above."),
        "{out}"
    );
}

#[test]
fn a_proposal_is_not_called_a_dry_run() {
    let home = tempfile::tempdir().unwrap();
    // No terminal, no --yes: what would change is shown, then --yes is asked for.
    let o = binary_in(home.path(), &["--sandbox", "apply"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(
        out.contains("proposed: nothing is changed until you confirm"),
        "{out}"
    );
    assert!(!out.contains("dry run"), "{out}");
    assert!(!out.contains("--dry-run"), "{out}");
    assert!(
        out.trim_end()
            .ends_with("3 automated step(s) would change."),
        "{out}"
    );
    // --dry-run is one.
    let o = binary_in(home.path(), &["--sandbox", "apply", "--dry-run"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("dry run: nothing is changed"), "{out}");
}

#[test]
fn users_wait_for_no_application_the_run_adds_itself() {
    let home = tempfile::tempdir().unwrap();
    let maria = "maria.garcia@example.com";
    for args in [
        &["--sandbox", "apply", "--dry-run", "--user", maria][..],
        &["--sandbox", "apply", "--user", maria],
    ] {
        let o = binary_in(home.path(), args);
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(
            out.contains("applying adds the custom SAML 2.0 application"),
            "{out}"
        );
        assert!(!out.contains("do step 1"), "{args:?}: {out}");
        assert!(
            !out.contains("Add a custom SAML 2.0 application"),
            "{args:?}: {out}"
        );
        assert!(
            out.contains(&format!(
                "11  user          {maria}: would be assigned; Connect user {maria} exists"
            )),
            "{args:?}: {out}"
        );
    }
    let o = binary_in(
        home.path(),
        &["--sandbox", "apply", "--dry-run", "--user", maria],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

#[test]
fn user_rows_are_in_words() {
    let home = tempfile::tempdir().unwrap();
    let o = binary_in(
        home.path(),
        &[
            "--sandbox",
            "apply",
            "--yes",
            "--user",
            "maria.garcia@example.com",
            "--user",
            "kwame.mensah@example.com",
            "--user",
            "nobody@example.com",
        ],
    );
    let out = String::from_utf8_lossy(&o.stdout);
    for row in [
        "11  user          maria.garcia@example.com: assignment created; Connect user maria.garcia@example.com exists",
        "11  user          kwame.mensah@example.com: assignment created; Connect user kwame.mensah@example.com missing",
        "11  user          nobody@example.com: not found in Identity Center",
    ] {
        assert!(out.contains(row), "{row:?} not in:\n{out}");
    }
    for line in out.lines().filter(|l| l.starts_with("11  user")) {
        assert!(!line.contains('?') && !line.contains(" - "), "{line}");
    }
    let o = binary_in(
        home.path(),
        &[
            "--sandbox",
            "apply",
            "--yes",
            "--user",
            "maria.garcia@example.com",
        ],
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("maria.garcia@example.com: already assigned; Connect user maria.garcia@example.com exists"),
        "{out}"
    );
}
