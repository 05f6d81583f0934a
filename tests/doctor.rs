//! `doctor` on the sandbox account: each failure it must find, with its fix and its
//! troubleshooting entry; the concurrency of its calls (on tokio's paused clock, so the
//! figures are exact and not timing-dependent); and the real binary's `doctor` and
//! `troubleshoot`.

use std::process::Command;
use std::time::Duration;

use connect_sso::cloud::PrincipalType;
use connect_sso::cloud::api::*;
use connect_sso::cloud::apply::{UserRequest, apply};
use connect_sso::cloud::doctor::{CHECKS, Check, DoctorInput, DoctorReport, Verdict, doctor};
use connect_sso::cloud::sandbox::{
    Fault, FaultKind, SANDBOX_GROUPS, SANDBOX_INSTANCE_ARN, SANDBOX_METADATA, Sandbox,
    SandboxOptions, longest_chain,
};
use connect_sso::domain::metadata;
use connect_sso::domain::setup::{Answers, Setup};
use connect_sso::troubleshoot::{TROUBLES, trouble};
use serde_json::json;
use time::OffsetDateTime;

const APP: &str = "Workshop Connect";
const MARIA: &str = "maria.garcia@example.com";
const KWAME: &str = "kwame.mensah@example.com";
const SOFIA: &str = "sofia.rossi@example.com";

fn setup() -> Setup {
    Setup::from_answers(&Answers {
        instance_arn: Some(SANDBOX_INSTANCE_ARN.to_string()),
        app_name: Some(APP.into()),
        ..Answers::default()
    })
    .unwrap()
}

/// A moment when the sandbox's Identity Center certificate has `days` days left.
fn days_before_expiry(days: i64) -> OffsetDateTime {
    let m = metadata::parse(SANDBOX_METADATA.as_bytes()).unwrap();
    m.certificates[0].not_after - time::Duration::days(days)
}

async fn run(sandbox: &Sandbox, users: &[&str], now: OffsetDateTime) -> DoctorReport {
    let users: Vec<String> = users.iter().map(|u| u.to_string()).collect();
    doctor(
        sandbox,
        DoctorInput {
            setup: &setup(),
            metadata: Some(SANDBOX_METADATA),
            users: &users,
            now,
        },
    )
    .await
}

/// The account after the guide was followed for `users`.
async fn ready(sandbox: &Sandbox, users: &[&str]) {
    sandbox.simulate_create_application(APP);
    let request = UserRequest {
        users: users.iter().map(|u| u.to_string()).collect(),
        create_connect_users: None,
    };
    apply(sandbox, &setup(), SANDBOX_METADATA, &request, false)
        .await
        .unwrap();
}

fn check<'a>(report: &'a DoctorReport, id: &str) -> &'a Check {
    report
        .checks
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no {id} check in {report:#?}"))
}

fn verdicts(report: &DoctorReport) -> Vec<(&'static str, Verdict)> {
    report.checks.iter().map(|c| (c.id, c.verdict)).collect()
}

/// Every failure explains itself: evidence, a fix, and known troubleshooting entries.
fn assert_explained(report: &DoctorReport) {
    for c in &report.checks {
        assert!(CHECKS.iter().any(|(id, _)| *id == c.id), "{}", c.id);
        for t in &c.troubles {
            assert!(trouble(t).is_some(), "unknown troubleshooting entry {t}");
        }
        if c.verdict >= Verdict::Warn {
            assert!(!c.evidence.is_empty(), "{c:?}");
            assert!(c.fix.as_deref().is_some_and(|f| !f.is_empty()), "{c:?}");
        }
    }
}

#[tokio::test]
async fn a_fresh_account_fails_where_the_guide_was_not_followed() {
    let sandbox = Sandbox::new();
    let report = run(&sandbox, &[MARIA], days_before_expiry(100)).await;
    assert_eq!(
        verdicts(&report),
        [
            ("context", Verdict::Pass),
            ("instance", Verdict::Pass),
            ("provider", Verdict::Fail),
            ("policy", Verdict::Fail),
            ("role", Verdict::Fail),
            ("application", Verdict::Fail),
            // Found in Identity Center and Connect; the assignment waits for step 1.
            ("user", Verdict::Error),
            ("values", Verdict::Info),
        ]
    );
    assert!(!report.passed(false));
    let maria = check(&report, "user");
    assert!(
        maria.evidence.iter().any(|e| e.contains("Connect user")),
        "{maria:?}"
    );
    assert_explained(&report);
    assert_eq!(
        check(&report, "provider").troubles,
        ["not-authorized-assume-role"]
    );
    assert_eq!(
        check(&report, "policy").troubles,
        ["federation-token-denied"]
    );
    // Doctor only reads.
    assert!(
        sandbox
            .calls()
            .iter()
            .all(|c| ["Get", "List", "Describe", "Search"].iter().any(|w| c
                .split(':')
                .nth(1)
                .unwrap()
                .starts_with(w))),
        "{:?}",
        sandbox.calls()
    );
}

#[tokio::test]
async fn a_finished_setup_passes_and_shows_the_values_to_compare() {
    let sandbox = Sandbox::new();
    ready(&sandbox, &[MARIA]).await;
    let report = run(&sandbox, &[MARIA], days_before_expiry(100)).await;
    assert!(report.passed(true), "{report:#?}");
    let user = check(&report, "user");
    assert_eq!(user.subject, MARIA);
    assert!(user.evidence.iter().any(|e| e.contains("Connect user")));
    let labels: Vec<&str> = report.values.iter().map(|v| v.label.as_str()).collect();
    for wanted in ["Relay state", "ACS URL", "Role"] {
        assert!(
            labels.iter().any(|l| l.contains(wanted)),
            "{wanted} not in {labels:?}"
        );
    }
    let role_attribute = setup().role_attribute();
    assert!(report.values.iter().any(|v| v.value == role_attribute));
    assert_eq!(
        report.access_portal_url.as_deref(),
        Some("https://d-9067c0ffee.awsapps.com/start")
    );
    // Without named users, everyone assigned is checked.
    let everyone = run(&sandbox, &[], days_before_expiry(100)).await;
    assert_eq!(check(&everyone, "user").subject, MARIA);
    assert!(everyone.passed(true));
}

#[tokio::test]
async fn certificates_warn_thirty_days_ahead_and_fail_when_expired() {
    let sandbox = Sandbox::new();
    ready(&sandbox, &[MARIA]).await;
    let soon = run(&sandbox, &[MARIA], days_before_expiry(10)).await;
    let provider = check(&soon, "provider");
    assert_eq!(provider.verdict, Verdict::Warn);
    assert_eq!(provider.troubles, ["certificate"]);
    assert!(provider.fix.as_ref().unwrap().contains("10 days"));
    assert!(soon.passed(false) && !soon.passed(true));
    let expired = run(&sandbox, &[MARIA], days_before_expiry(-1)).await;
    assert_eq!(check(&expired, "provider").verdict, Verdict::Fail);
    assert!(!expired.passed(false));
}

#[tokio::test]
async fn metadata_that_differs_from_identity_center_fails() {
    let sandbox = Sandbox::new();
    ready(&sandbox, &[MARIA]).await;
    // Identity Center rotated its certificate: the same metadata with another one.
    let rotated = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/metadata/rsa3072.b64"
    ))
    .unwrap();
    let start = SANDBOX_METADATA.find("<ds:X509Certificate>").unwrap() + 20;
    let end = SANDBOX_METADATA.find("</ds:X509Certificate>").unwrap();
    let other = format!(
        "{}{}{}",
        &SANDBOX_METADATA[..start],
        rotated.trim(),
        &SANDBOX_METADATA[end..]
    );
    let report = doctor(
        &sandbox,
        DoctorInput {
            setup: &setup(),
            metadata: Some(&other),
            users: &[MARIA.to_string()],
            now: days_before_expiry(100),
        },
    )
    .await;
    let provider = check(&report, "provider");
    assert_eq!(provider.verdict, Verdict::Fail, "{provider:?}");
    assert!(
        provider
            .evidence
            .iter()
            .any(|e| e.contains("certificate added")),
        "{provider:?}"
    );
    assert!(provider.fix.as_ref().unwrap().contains("apply --metadata"));
}

#[tokio::test]
async fn drifted_policy_and_trust_are_named() {
    let sandbox = Sandbox::new();
    ready(&sandbox, &[MARIA]).await;
    let s = setup();
    sandbox
        .create_policy_version(
            &s.policy_arn(),
            &json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "connect:*", "Resource": "*"}
            ]}),
            true,
        )
        .await
        .unwrap();
    sandbox
        .update_assume_role_policy(
            s.role_name.as_str(),
            &json!({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow",
                "Principal": {"Federated": s.provider_arn()},
                "Action": "sts:AssumeRoleWithSAML",
                "Condition": {"StringEquals": {"SAML:aud": "https://eu-west-2.signin.aws.amazon.com/saml"}}
            }]}),
        )
        .await
        .unwrap();
    let report = run(&sandbox, &[MARIA], days_before_expiry(100)).await;
    let policy = check(&report, "policy");
    assert_eq!(policy.verdict, Verdict::Fail);
    assert!(
        policy
            .evidence
            .iter()
            .any(|e| e.contains("allows connect:*")),
        "{policy:?}"
    );
    let role = check(&report, "role");
    assert_eq!(role.verdict, Verdict::Fail);
    assert_eq!(role.troubles, ["wrong-acs-url"]);
    assert!(
        role.evidence
            .iter()
            .any(|e| e.contains("https://signin.aws.amazon.com/saml")),
        "{role:?}"
    );
    assert_explained(&report);
}

#[tokio::test]
async fn people_who_cannot_sign_in_are_named_with_the_reason() {
    let sandbox = Sandbox::new();
    ready(&sandbox, &[MARIA, KWAME]).await;
    let report = run(
        &sandbox,
        &[
            MARIA,
            KWAME,
            "sofia.rossi@example.com",
            "nobody@example.com",
        ],
        days_before_expiry(100),
    )
    .await;
    let users: Vec<(&str, Verdict, Vec<&str>)> = report
        .checks
        .iter()
        .filter(|c| c.id == "user")
        .map(|c| (c.subject.as_str(), c.verdict, c.troubles.clone()))
        .collect();
    assert_eq!(
        users,
        [
            (MARIA, Verdict::Pass, vec![]),
            (KWAME, Verdict::Fail, vec!["not-onboarded"]),
            (
                "sofia.rossi@example.com",
                Verdict::Fail,
                vec!["not-assigned", "not-onboarded"]
            ),
            ("nobody@example.com", Verdict::Fail, vec!["not-assigned"]),
        ]
    );
    let kwame = &report.checks.iter().find(|c| c.subject == KWAME).unwrap();
    assert!(
        kwame
            .fix
            .as_ref()
            .unwrap()
            .contains("--create-connect-users")
    );
    assert_explained(&report);
}

/// The account after the guide was followed, with the people assigned through a group only
/// (Contact center agents: Maria and Kwame).
async fn ready_for_a_group(sandbox: &Sandbox) -> &'static str {
    let agents = SANDBOX_GROUPS[0].group_id;
    ready(sandbox, &[]).await;
    let app = &sandbox.snapshot().applications[0].application.arn;
    sandbox
        .create_application_assignment(app, PrincipalType::Group, agents)
        .await
        .unwrap();
    agents
}

#[tokio::test]
async fn people_assigned_through_a_group_are_checked_for_membership() {
    let sandbox = Sandbox::new();
    let agents = ready_for_a_group(&sandbox).await;
    let report = run(&sandbox, &[MARIA, KWAME, SOFIA], days_before_expiry(100)).await;
    let users: Vec<(&str, Verdict, Vec<&str>)> = report
        .checks
        .iter()
        .filter(|c| c.id == "user")
        .map(|c| (c.subject.as_str(), c.verdict, c.troubles.clone()))
        .collect();
    assert_eq!(
        users,
        [
            (MARIA, Verdict::Pass, vec![]),
            // In the group; only the Connect user is missing.
            (KWAME, Verdict::Fail, vec!["not-onboarded"]),
            (SOFIA, Verdict::Fail, vec!["not-assigned", "not-onboarded"]),
        ]
    );
    let maria = check(&report, "user");
    assert!(
        maria
            .evidence
            .iter()
            .any(|e| e == &format!("assigned to {APP} through group {agents}")),
        "{maria:?}"
    );
    assert!(!report.passed(false));
    let sofia = report.checks.iter().find(|c| c.subject == SOFIA).unwrap();
    assert!(
        sofia.evidence.iter().any(|e| e.contains(agents)),
        "{sofia:?}"
    );
    assert!(
        sofia.fix.as_ref().unwrap().contains("assigned group"),
        "{sofia:?}"
    );
    assert_explained(&report);

    // Maria alone passes.
    let maria_only = run(&sandbox, &[MARIA], days_before_expiry(100)).await;
    assert!(maria_only.passed(true), "{maria_only:#?}");

    // Nobody named: the assigned group is expanded into its members, each checked.
    sandbox.clear_calls();
    let everyone = run(&sandbox, &[], days_before_expiry(100)).await;
    let users: Vec<(&str, Verdict)> = everyone
        .checks
        .iter()
        .filter(|c| c.id == "user")
        .map(|c| (c.subject.as_str(), c.verdict))
        .collect();
    assert_eq!(users, [(MARIA, Verdict::Pass), (KWAME, Verdict::Fail)]);
    let calls = sandbox.calls();
    assert_eq!(
        calls
            .iter()
            .filter(|c| *c == "identitystore:ListGroupMemberships")
            .count(),
        1,
        "{calls:?}"
    );
    assert!(
        !calls.iter().any(|c| c == "identitystore:IsMemberInGroups"),
        "{calls:?}"
    );
}

/// Doctor calls made, by operation.
fn count(calls: &[String], action: &str) -> usize {
    calls.iter().filter(|c| *c == action).count()
}

#[tokio::test]
async fn many_people_are_compared_with_one_read_of_each_population() {
    let sandbox = Sandbox::new();
    ready(&sandbox, &[MARIA, KWAME, SOFIA, "Li.Wei@Example.com"]).await;
    // Li Wei's email is mixed-case in Identity Center; the Connect user is all lower case.
    let profile = connect_sso::cloud::sandbox::SANDBOX_AGENT_SECURITY_PROFILE_ID;
    sandbox
        .create_connect_user(
            connect_sso::cloud::sandbox::SANDBOX_INSTANCE_ID,
            &connect_sso::cloud::NewConnectUser {
                username: "li.wei@example.com".to_string(),
                first_name: "Li".to_string(),
                last_name: "Wei".to_string(),
                security_profile_ids: vec![profile.to_string()],
                routing_profile_id: connect_sso::cloud::sandbox::SANDBOX_ROUTING_PROFILE_ID
                    .to_string(),
                tags: Vec::new(),
            },
        )
        .await
        .unwrap();
    let app = &sandbox.snapshot().applications[0].application.arn;
    sandbox
        .create_application_assignment(app, PrincipalType::Group, SANDBOX_GROUPS[1].group_id)
        .await
        .unwrap();
    sandbox.clear_calls();
    let named = [
        MARIA,
        KWAME,
        SOFIA,
        "aisha.khan@example.com",
        "Li.Wei@Example.com",
        "james.oconnor@example.com",
        "nobody@example.com",
    ];
    let report = run(&sandbox, &named, days_before_expiry(100)).await;
    let calls = sandbox.calls();
    for per_person in [
        "identitystore:GetUserId",
        "identitystore:DescribeUser",
        "connect:SearchUsers",
        "identitystore:IsMemberInGroups",
    ] {
        assert_eq!(count(&calls, per_person), 0, "{per_person}: {calls:?}");
    }
    assert_eq!(count(&calls, "identitystore:ListUsers"), 1, "{calls:?}");
    assert_eq!(count(&calls, "connect:ListUsers"), 1, "{calls:?}");
    assert_eq!(
        count(&calls, "identitystore:ListGroupMemberships"),
        1,
        "{calls:?}"
    );
    let users: Vec<(&str, Verdict, Vec<&str>)> = report
        .checks
        .iter()
        .filter(|c| c.id == "user")
        .map(|c| (c.subject.as_str(), c.verdict, c.troubles.clone()))
        .collect();
    assert_eq!(
        users,
        [
            (MARIA, Verdict::Pass, vec![]),
            (KWAME, Verdict::Fail, vec!["not-onboarded"]),
            (SOFIA, Verdict::Fail, vec!["not-onboarded"]),
            // Assigned through Supervisors.
            ("akhan", Verdict::Fail, vec!["not-onboarded"]),
            ("Li.Wei@Example.com", Verdict::Fail, vec!["not-onboarded"]),
            (
                "james.oconnor@example.com",
                Verdict::Fail,
                vec!["not-assigned", "not-onboarded"]
            ),
            ("nobody@example.com", Verdict::Fail, vec!["not-assigned"]),
        ]
    );
    let aisha = report.checks.iter().find(|c| c.subject == "akhan").unwrap();
    assert!(
        aisha.evidence.iter().any(|e| e
            == &format!(
                "assigned to {APP} through group {}",
                SANDBOX_GROUPS[1].group_id
            )),
        "{aisha:?}"
    );
    let li = report
        .checks
        .iter()
        .find(|c| c.subject == "Li.Wei@Example.com")
        .unwrap();
    assert!(
        li.evidence
            .iter()
            .any(|e| e.contains("li.wei@example.com differs only in letter case")),
        "{li:?}"
    );
    assert!(
        li.fix
            .as_ref()
            .unwrap()
            .contains("rename the Connect user li.wei@example.com"),
        "{li:?}"
    );
    assert_explained(&report);

    // The same people one by one (a handful at a time) reach the same verdicts, except the
    // near miss, which only the bulk read can see.
    for chunk in named.chunks(4) {
        let few = run(&sandbox, chunk, days_before_expiry(100)).await;
        for c in few.checks.iter().filter(|c| c.id == "user") {
            let bulk = report
                .checks
                .iter()
                .find(|b| b.id == "user" && b.subject == c.subject);
            assert_eq!(bulk.map(|b| b.verdict), Some(c.verdict), "{c:?}");
        }
    }
}

#[tokio::test]
async fn a_refused_bulk_read_leaves_each_person_unchecked_with_the_action() {
    let sandbox = Sandbox::new();
    ready(&sandbox, &[MARIA]).await;
    sandbox.inject_fault(Fault::new(
        FaultKind::AccessDenied,
        "connect:ListUsers",
        None,
    ));
    let named = [
        MARIA,
        KWAME,
        SOFIA,
        "akhan",
        "Li.Wei@Example.com",
        "james.oconnor@example.com",
    ];
    let report = run(&sandbox, &named, days_before_expiry(100)).await;
    let maria = check(&report, "user");
    assert_eq!(maria.verdict, Verdict::Warn, "{maria:?}");
    assert!(
        maria.fix.as_ref().unwrap().contains("connect:ListUsers"),
        "{maria:?}"
    );
    assert!(
        maria
            .evidence
            .iter()
            .any(|e| e == &format!("the Connect user {MARIA} could not be checked")),
        "{maria:?}"
    );
}

#[tokio::test]
async fn a_refused_membership_read_is_a_warning_that_names_the_action() {
    let sandbox = Sandbox::new();
    ready_for_a_group(&sandbox).await;
    sandbox.inject_fault(Fault::new(
        FaultKind::AccessDenied,
        "identitystore:IsMemberInGroups",
        None,
    ));
    let report = run(&sandbox, &[MARIA], days_before_expiry(100)).await;
    let maria = check(&report, "user");
    assert_eq!(maria.verdict, Verdict::Warn, "{maria:?}");
    assert_eq!(maria.troubles, ["not-assigned"]);
    assert!(
        maria
            .fix
            .as_ref()
            .unwrap()
            .contains("identitystore:IsMemberInGroups"),
        "{maria:?}"
    );
    // The Connect user is still checked.
    assert!(
        maria.evidence.iter().any(|e| e.contains("Connect user")),
        "{maria:?}"
    );
}

#[tokio::test]
async fn a_refused_read_leaves_the_other_checks_standing() {
    let sandbox = Sandbox::new();
    ready(&sandbox, &[MARIA]).await;
    sandbox.inject_fault(Fault::new(FaultKind::AccessDenied, "iam:GetRole", None));
    let report = run(&sandbox, &[MARIA], days_before_expiry(100)).await;
    let role = check(&report, "role");
    assert_eq!(role.verdict, Verdict::Error);
    assert!(
        role.fix.as_ref().unwrap().contains("iam:GetRole"),
        "{role:?}"
    );
    assert_eq!(check(&report, "policy").verdict, Verdict::Pass);
    assert_eq!(check(&report, "user").verdict, Verdict::Pass);
    assert!(!report.passed(false));
}

/// Independent checks run concurrently: with 100 ms per call, the wall time is the longest
/// chain of dependent calls, not the number of calls. Tokio's paused clock makes it exact.
#[tokio::test(start_paused = true)]
async fn wall_time_is_the_longest_chain_of_dependent_calls() {
    let latency = Duration::from_millis(100);
    let sandbox = Sandbox::with_options(SandboxOptions {
        latency,
        faults: Vec::new(),
    });
    ready(&sandbox, &[MARIA, KWAME]).await;
    // Sofia is not assigned directly: her group membership is read too.
    let app = &sandbox.snapshot().applications[0].application.arn;
    sandbox
        .create_application_assignment(app, PrincipalType::Group, SANDBOX_GROUPS[0].group_id)
        .await
        .unwrap();
    sandbox.clear_calls();
    let start = tokio::time::Instant::now();
    let report = run(&sandbox, &[MARIA, KWAME, SOFIA], days_before_expiry(100)).await;
    let wall = start.elapsed();
    let calls = sandbox.call_timings();
    let chain = longest_chain(&calls);
    assert_eq!(check(&report, "application").verdict, Verdict::Pass);
    assert!(
        calls
            .iter()
            .any(|c| c.action == "identitystore:IsMemberInGroups")
    );
    assert!(chain <= 5, "chain of {chain} calls");
    assert!(
        wall <= latency * (chain as u32 + 1),
        "{wall:?} for a chain of {chain}"
    );
    assert!(
        calls.len() >= 3 * chain,
        "{} calls: too few to show concurrency",
        calls.len()
    );
}

#[test]
fn the_catalogue_names_only_checks_doctor_has() {
    for t in TROUBLES {
        for c in t.checks {
            assert!(
                CHECKS.iter().any(|(id, _)| id == c),
                "{} names unknown check {c}",
                t.id
            );
        }
    }
}

fn binary(args: &[&str]) -> std::process::Output {
    let home = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_connect-sso"))
        .args(args)
        .env("HOME", home.path())
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn the_binary_reports_text_and_json_with_exit_codes() {
    let out = binary(&["doctor", "--sandbox"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("✗ FAIL"), "{text}");
    assert!(text.contains("fix: run `connect-sso apply"), "{text}");
    assert!(text.contains("see: connect-sso troubleshoot"), "{text}");
    assert!(text.contains("Sign-in will not work yet"), "{text}");

    let out = binary(&["doctor", "--sandbox", "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["checks"][1]["id"], "instance");
    assert_eq!(report["checks"][1]["verdict"], "pass");
    assert_eq!(out.status.code(), Some(1));

    let out = binary(&["doctor", "--instance-id", "nope"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn troubleshoot_lists_entries_and_refuses_unknown_ids() {
    let out = binary(&["troubleshoot"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    for t in TROUBLES {
        assert!(text.contains(&format!("[{}]", t.id)), "{}", t.id);
    }
    let out = binary(&["troubleshoot", "not-onboarded", "--format", "json"]);
    let one: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(one[0]["checks"], json!(["user"]));
    let out = binary(&["troubleshoot", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not-onboarded"));
}

/// No check is left unchecked because AWS throttled it: nothing "could not be checked", no
/// warning that names throttling.
fn assert_all_checked(report: &DoctorReport) {
    for c in &report.checks {
        assert_ne!(c.verdict, Verdict::Error, "{c:?}");
        let words = format!("{:?} {:?}", c.evidence, c.fix);
        assert!(!words.contains("throttled"), "{c:?}");
        assert!(!words.contains("could not be checked"), "{c:?}");
    }
}

/// AWS's default quotas enforced by the sandbox, and doctor on many people: the calls go
/// through the same pacer and backoff as on AWS, so every check is checked. On tokio's
/// paused clock, so the pacing costs no real time.
#[tokio::test(start_paused = true)]
async fn doctor_on_many_people_within_enforced_quotas_checks_everyone() {
    let sandbox = Sandbox::with_options(SandboxOptions {
        latency: Duration::from_millis(50),
        faults: vec![Fault::new(FaultKind::Quota, "*", None)],
    });
    ready(&sandbox, &[MARIA]).await;
    let people = sandbox.seed_people(1200, 500);
    let app = sandbox.snapshot().applications[0].application.arn.clone();
    sandbox.simulate_assign_people(&app, &people).unwrap();
    sandbox.clear_calls();
    let report = run(&sandbox, &[], days_before_expiry(100)).await;
    assert_all_checked(&report);
    let users: Vec<&Check> = report.checks.iter().filter(|c| c.id == "user").collect();
    // Maria and every seeded person, each once.
    assert_eq!(users.len(), 1201);
    let failing = users.iter().filter(|c| c.verdict == Verdict::Fail).count();
    assert_eq!(failing, people.without_connect_user + people.near_misses);
    let calls = sandbox.calls();
    assert_eq!(count(&calls, "connect:SearchUsers"), 0);
    assert_eq!(count(&calls, "identitystore:DescribeUser"), 0);
    // 1,200 seeded users and the six samples: 13 pages; 500 members in one group: 5 pages.
    assert_eq!(count(&calls, "identitystore:ListUsers"), 13);
    assert_eq!(count(&calls, "identitystore:ListGroupMemberships"), 5);

    // Many more people named one by one than the bulk threshold, through the same quotas.
    sandbox.clear_calls();
    let named: Vec<&str> = people.emails.iter().take(40).map(String::as_str).collect();
    let report = run(&sandbox, &named, days_before_expiry(100)).await;
    assert_all_checked(&report);
}

/// The same quotas with a caller that does not pace itself nor back off: throttling is
/// what the quotas answer, and doctor says which checks it could not make.
#[tokio::test(start_paused = true)]
async fn without_the_pacer_the_enforced_quotas_throttle_doctor() {
    let sandbox = Sandbox::with_options(SandboxOptions {
        latency: Duration::from_millis(50),
        faults: vec![Fault::new(FaultKind::Quota, "*", None)],
    });
    ready(&sandbox, &[MARIA, KWAME, SOFIA]).await;
    sandbox.bypass_client_limits();
    let named = [MARIA, KWAME, SOFIA, MARIA, KWAME];
    // Five people one by one, twice over: Connect's SearchUsers burst of five is spent.
    let _ = run(&sandbox, &named, days_before_expiry(100)).await;
    let report = run(&sandbox, &named, days_before_expiry(100)).await;
    assert!(sandbox.throttled_calls() > 0);
    assert!(
        report
            .checks
            .iter()
            .any(|c| format!("{:?}", c.fix).contains("throttled")),
        "{report:#?}"
    );
}
