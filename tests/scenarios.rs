//! Workshop scenarios as a trainer and attendees use them: the real binary with
//! `--sandbox-scenario NAME`. For every scenario, doctor and the sign-in test
//! (`sign-in-test --user`) both name the cause and the troubleshooting entry; each scenario
//! works on its own saved account, never on the attendee's own sandbox account; a repair
//! made during the exercise stays, and `--sandbox-reset` starts the scenario over.

#[path = "common/isolated.rs"]
mod isolated;

use std::path::{Path, PathBuf};
use std::process::Output;

use connect_sso::cloud::sandbox::SCENARIOS;
use serde_json::Value;

/// What each scenario must show: the troubleshooting entry, a doctor check that fails with
/// it and a phrase of its evidence or fix, and the sign-in test's refusal (the call that
/// refused, its code) with a phrase of its fix. Written out here rather than read from
/// the scenario table, so a wrong table fails too.
struct Expected {
    name: &'static str,
    user: &'static str,
    trouble: &'static str,
    doctor_check: &'static str,
    doctor_says: &'static str,
    step: &'static str,
    code: &'static str,
    sign_in_says: &'static str,
}

const KWAME: &str = "kwame.mensah@example.com";

const EXPECTED: &[Expected] = &[
    Expected {
        name: "expired-certificate",
        user: KWAME,
        trouble: "certificate",
        doctor_check: "provider",
        doctor_says: "every certificate it holds has expired",
        step: "assume_role",
        code: "InvalidIdentityToken",
        sign_in_says: "which expired on",
    },
    Expected {
        name: "rotated-certificate",
        user: KWAME,
        trouble: "certificate",
        doctor_check: "provider",
        doctor_says: "certificate added: SHA-256",
        step: "assume_role",
        code: "InvalidIdentityToken",
        sign_in_says: "the new one never reached IAM",
    },
    Expected {
        name: "trust-other-provider",
        user: KWAME,
        trouble: "not-authorized-assume-role",
        doctor_check: "role",
        doctor_says: "does not let arn:aws:iam::111122223333:saml-provider/IdentityCenter-Connect-5f8c2a4e call sts:AssumeRoleWithSAML",
        step: "assume_role",
        code: "AccessDenied",
        sign_in_says: "trust policy of the role",
    },
    Expected {
        name: "missing-connect-user",
        user: KWAME,
        trouble: "not-onboarded",
        doctor_check: "user",
        doctor_says: "no user named exactly kwame.mensah@example.com",
        step: "federation_token",
        code: "UserNotFound",
        sign_in_says: "Connect has no user named exactly kwame.mensah@example.com",
    },
    Expected {
        name: "user-name-case",
        user: "Li.Wei@Example.com",
        trouble: "not-onboarded",
        doctor_check: "user",
        doctor_says: "li.wei@example.com differs only in letter case",
        step: "federation_token",
        code: "UserNotFound",
        sign_in_says: "Its user li.wei@example.com differs only in letter case",
    },
    Expected {
        name: "not-saml-instance",
        user: KWAME,
        trouble: "instance-not-saml",
        doctor_check: "instance",
        doctor_says: "identity management CONNECT_MANAGED",
        step: "federation_token",
        code: "InvalidRequest",
        sign_in_says: "does not use SAML 2.0-based authentication",
    },
    Expected {
        name: "no-federation-token",
        user: KWAME,
        trouble: "federation-token-denied",
        doctor_check: "policy",
        doctor_says: "does not allow connect:GetFederationToken",
        step: "federation_token",
        code: "AccessDenied",
        sign_in_says: "may not call connect:GetFederationToken",
    },
    Expected {
        name: "role-attribute-space",
        user: KWAME,
        trouble: "invalid-saml-response",
        doctor_check: "sign-in",
        doctor_says: "role/ConnectSSO-5f8c2a4e, arn:aws:iam",
        step: "assume_role",
        code: "AccessDenied",
        sign_in_says: "The Role attribute has a space",
    },
    Expected {
        name: "role-provider-swapped",
        user: KWAME,
        trouble: "not-authorized-assume-role",
        doctor_check: "sign-in",
        doctor_says: "The Role attribute has the two names swapped",
        step: "assume_role",
        code: "InvalidIdentityToken",
        sign_in_says: "The Role attribute has the two names swapped",
    },
    Expected {
        name: "wrong-audience",
        user: KWAME,
        trouble: "wrong-acs-url",
        doctor_check: "sign-in",
        doctor_says: "Audience: https://signin.aws.amazon.com/saml (expected urn:amazon:webservices)",
        step: "assume_role",
        code: "InvalidIdentityToken",
        sign_in_says: "audience in Identity Center to urn:amazon:webservices",
    },
    Expected {
        name: "regional-acs-url",
        user: KWAME,
        trouble: "wrong-acs-url",
        doctor_check: "sign-in",
        doctor_says: "posted the response to https://us-east-1.signin.aws.amazon.com/saml",
        step: "assume_role",
        code: "AccessDenied",
        sign_in_says: "allows SAML:aud https://signin.aws.amazon.com/saml",
    },
];

struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new() -> Scratch {
        Scratch {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    fn run(&self, args: &[&str]) -> Output {
        isolated::run(self.dir.path(), &self.home(), args, None)
    }

    fn sandbox_dir(&self) -> PathBuf {
        self.home().join("state/connect-sso/sandbox")
    }

    /// `args` with `--format json`, its JSON and its exit status.
    fn json(&self, args: &[&str]) -> (Value, Option<i32>, String) {
        let mut all = args.to_vec();
        all.extend(["--format", "json"]);
        let o = self.run(&all);
        let doc = serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}{}", text(&o.stdout), text(&o.stderr)));
        (doc, o.status.code(), text(&o.stderr))
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn doctor(scratch: &Scratch, name: &str) -> (Value, Option<i32>, String) {
    scratch.json(&["--sandbox-scenario", name, "doctor"])
}

fn sign_in(scratch: &Scratch, name: &str, user: &str) -> (Value, Option<i32>, String) {
    scratch.json(&["--sandbox-scenario", name, "sign-in-test", "--user", user])
}

/// Every text of a doctor check: evidence and fix.
fn said(check: &Value) -> String {
    let mut all: Vec<String> = check["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap().to_string())
        .collect();
    all.extend(check["fix"].as_str().map(str::to_string));
    all.join("\n")
}

fn check_names_the_cause(e: &Expected, report: &Value) {
    let checks = report["checks"].as_array().unwrap();
    let check = checks
        .iter()
        .find(|c| c["id"] == e.doctor_check && c["verdict"] == "fail")
        .unwrap_or_else(|| {
            panic!(
                "{}: no failing {} check in {report:#}",
                e.name, e.doctor_check
            )
        });
    assert!(
        check["troubles"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == e.trouble),
        "{}: {check:#}",
        e.name
    );
    assert!(
        said(check).contains(e.doctor_says),
        "{}: {:?} not in {}",
        e.name,
        e.doctor_says,
        said(check)
    );
}

#[test]
fn doctor_and_the_sign_in_test_name_each_scenarios_cause_and_entry() {
    assert_eq!(
        EXPECTED.iter().map(|e| e.name).collect::<Vec<_>>(),
        SCENARIOS.iter().map(|s| s.name).collect::<Vec<_>>(),
        "every scenario has its expectations here"
    );
    let scratch = Scratch::new();
    for e in EXPECTED {
        let scenario = SCENARIOS.iter().find(|s| s.name == e.name).unwrap();
        assert_eq!(
            (scenario.trouble, scenario.user),
            (e.trouble, e.user),
            "{}",
            e.name
        );

        let (report, status, err) = doctor(&scratch, e.name);
        assert_eq!(status, Some(1), "{}: {err}", e.name);
        check_names_the_cause(e, &report);
        assert!(
            err.starts_with(&format!(
                "sandbox: workshop scenario {} on its own account",
                e.name
            )),
            "{err}"
        );

        let (test, status, err) = sign_in(&scratch, e.name, e.user);
        assert_eq!(status, Some(1), "{}: {err}", e.name);
        assert_eq!(test["signed_in"], false);
        let outcome = &test["attempts"][0]["outcome"];
        assert_eq!(outcome["result"], "refused", "{}: {test:#}", e.name);
        assert_eq!(
            (outcome["step"].as_str(), outcome["code"].as_str()),
            (Some(e.step), Some(e.code)),
            "{}: {outcome:#}",
            e.name
        );
        assert_eq!(outcome["trouble"], e.trouble, "{}: {outcome:#}", e.name);
        let fix = outcome["fix"].as_str().unwrap();
        assert!(fix.contains(e.sign_in_says), "{}: {fix}", e.name);
        // A proposed command works on the scenario's account, not the attendee's own.
        if fix.contains("`connect-sso apply") {
            assert!(
                fix.contains(&format!("apply --sandbox-scenario {}", e.name)),
                "{fix}"
            );
        }
    }
    // None of it touched the attendee's own sandbox account.
    assert!(!scratch.sandbox_dir().join("account.json").exists());
}

#[test]
fn a_scenario_keeps_its_own_account_and_leaves_the_attendees_alone() {
    let scratch = Scratch::new();
    let o = scratch.run(&["--sandbox", "apply", "--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let own = scratch.sandbox_dir().join("account.json");
    let before = std::fs::read(&own).unwrap();

    // The repair of the exercise: apply on the scenario, which restores the trust policy.
    let o = scratch.run(&[
        "--sandbox-scenario",
        "trust-other-provider",
        "apply",
        "--yes",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let (_, status, err) = doctor(&scratch, "trust-other-provider");
    assert_eq!(status, Some(0), "repaired: {err}");
    let (test, status, _) = sign_in(&scratch, "trust-other-provider", KWAME);
    assert_eq!(status, Some(0), "{test:#}");
    assert_eq!(test["signed_in"], true);

    assert_eq!(
        std::fs::read(&own).unwrap(),
        before,
        "own account untouched"
    );
    let kept = scratch
        .sandbox_dir()
        .join("scenarios/trust-other-provider/account.json");
    assert!(kept.exists());

    // --sandbox-reset starts the scenario over: broken again, once a command changes it.
    let (report, status, _) = scratch.json(&[
        "--sandbox-scenario",
        "trust-other-provider",
        "--sandbox-reset",
        "doctor",
    ]);
    assert_eq!(status, Some(1));
    check_names_the_cause(&EXPECTED[2], &report);
    assert_eq!(
        std::fs::read(&own).unwrap(),
        before,
        "own account untouched"
    );
}

#[test]
fn every_command_of_an_exercise_sees_the_same_account() {
    let scratch = Scratch::new();
    // A response issued in one run is tested in another: the account (its signing key
    // included) was kept from the first command, which only looked.
    let (_, status, _) = doctor(&scratch, "missing-connect-user");
    assert_eq!(status, Some(1));
    let path = scratch
        .sandbox_dir()
        .join("scenarios/missing-connect-user/account.json");
    let first = std::fs::read(&path).unwrap();
    let (_, status, _) = sign_in(&scratch, "missing-connect-user", KWAME);
    assert_eq!(status, Some(1));
    let again = std::fs::read(&path).unwrap();
    let key = |bytes: &[u8]| -> Value {
        serde_json::from_slice::<Value>(bytes).unwrap()["signing_key"].clone()
    };
    assert_eq!(key(&first), key(&again));
}

#[test]
fn the_list_hides_the_causes_that_reveal_gives() {
    let scratch = Scratch::new();
    let list = scratch.run(&["--sandbox-scenario", "list"]);
    assert_eq!(list.status.code(), Some(0));
    let list = text(&list.stdout);
    let reveal = scratch.run(&["--sandbox-scenario", "reveal"]);
    assert_eq!(reveal.status.code(), Some(0));
    let reveal = text(&reveal.stdout);
    for s in SCENARIOS {
        assert!(list.contains(s.name) && list.contains(s.brief), "{list}");
        assert!(!list.contains(s.cause), "{list}");
        assert!(reveal.contains(s.cause), "{reveal}");
        assert!(
            reveal.contains(&format!("connect-sso troubleshoot {}", s.trouble)),
            "{reveal}"
        );
    }
    // Listing seeds nothing.
    assert!(!Path::new(&scratch.sandbox_dir()).exists());
}

#[test]
fn an_unknown_scenario_is_refused_with_the_names() {
    let scratch = Scratch::new();
    let o = scratch.run(&["--sandbox-scenario", "expired-certficate", "doctor"]);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(err.contains("did you mean expired-certificate?"), "{err}");
    assert!(err.contains("--sandbox-scenario list"), "{err}");
}

#[test]
fn a_response_is_accepted_once_across_runs() {
    let scratch = Scratch::new();
    let o = scratch.run(&[
        "--sandbox",
        "apply",
        "--yes",
        "--user",
        KWAME,
        "--create-connect-users",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let (first, status, _) = scratch.json(&["--sandbox", "sign-in-test", "--user", KWAME]);
    assert_eq!(status, Some(0), "{first:#}");
    // The same response, captured and tested again in a later run, is a replay.
    let xml = sandbox_response(&scratch);
    let file = scratch.dir.path().join("captured.xml");
    std::fs::write(&file, &xml).unwrap();
    let file = file.to_string_lossy().into_owned();
    let (once, status, _) = scratch.json(&["--sandbox", "sign-in-test", &file]);
    assert_eq!(status, Some(0), "{once:#}");
    let (twice, status, _) = scratch.json(&["--sandbox", "sign-in-test", &file]);
    assert_eq!(status, Some(1), "{twice:#}");
    let outcome = &twice["attempts"][0]["outcome"];
    assert_eq!(outcome["code"], "InvalidIdentityToken");
    assert_eq!(outcome["trouble"], "session-expired");
    let fix = outcome["fix"].as_str().unwrap();
    assert!(fix.contains("AWS has already used this response"), "{fix}");
    assert!(fix.contains("Capture a fresh response"), "{fix}");
    assert!(fix.contains("valid for 5 minutes"), "{fix}");
}

/// A response the sandbox's Identity Center issues for Kwame, as the wizard's Ctrl-G does,
/// read from the saved account in this process.
fn sandbox_response(scratch: &Scratch) -> String {
    use connect_sso::cloud::sandbox::{Sandbox, SandboxOptions, account_path, scenario_setup};
    let path = account_path(&scratch.home().join("state/connect-sso"));
    let (sandbox, warning) = Sandbox::load_or_seed(&path, SandboxOptions::default());
    assert_eq!(warning, None);
    let issued = sandbox
        .issue_response(KWAME, &scenario_setup(), time::OffsetDateTime::now_utc())
        .unwrap();
    issued.form_body()
}

#[test]
fn the_wizard_on_a_scenario_keeps_its_session_apart_from_the_attendees_own() {
    let scratch = Scratch::new();
    let plain = |args: &[&str], lines: &str| {
        isolated::run(
            scratch.dir.path(),
            &scratch.home(),
            args,
            Some(lines.as_bytes()),
        )
    };
    // The attendee's own session: an answer typed, then the end of input.
    let o = plain(&["--sandbox", "--plain"], "\nn\nMy Connect App\n");
    let err = text(&o.stderr);
    assert!(
        err.contains("`connect-sso --sandbox --session default`"),
        "{err}"
    );
    let sessions = scratch.home().join("state/connect-sso/sessions");
    let own = std::fs::read(sessions.join("default.json")).unwrap();

    // The same session name on a scenario: a new session, in the scenario's folder.
    let o = plain(
        &["--sandbox-scenario", "role-attribute-space", "--plain"],
        "\nn\n",
    );
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert!(!out.contains("Resumed session"), "{out}");
    assert!(
        out.contains("connect-sso (scenario role-attribute-space), session default"),
        "{out}"
    );
    assert!(
        err.contains("`connect-sso --sandbox-scenario role-attribute-space --session default`"),
        "{err}"
    );
    let folder = scratch.sandbox_dir().join("scenarios/role-attribute-space");
    assert!(folder.join("sessions/default.json").exists());
    // Step 2's file is the scenario's Identity Center's, in its folder.
    assert!(folder.join("idc-metadata.xml").exists());
    assert_eq!(
        std::fs::read(sessions.join("default.json")).unwrap(),
        own,
        "the attendee's own session is untouched"
    );

    // Doctor reads the scenario's session, and finds the exercise's cause.
    let (report, status, err) = scratch.json(&[
        "--sandbox-scenario",
        "role-attribute-space",
        "doctor",
        "--session",
        "default",
        "--user",
        KWAME,
    ]);
    assert_eq!(status, Some(1), "{err}");
    let expected = EXPECTED
        .iter()
        .find(|e| e.name == "role-attribute-space")
        .unwrap();
    check_names_the_cause(expected, &report);
    // And the attendee's own session goes on where it was.
    let o = plain(&["--sandbox", "--plain"], "\nn\n");
    let out = text(&o.stdout);
    assert!(out.contains("Resumed session default"), "{out}");
    assert!(out.contains("[My Connect App]"), "{out}");
}
