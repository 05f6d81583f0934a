//! `connect-sso users sync` on the sandbox, the binary as a user runs it: the plan, the run,
//! a rerun that changes nothing, JSON, the refusal without a terminal, prune, and a run
//! killed with SIGKILL half-way, then finished by the next one without a duplicate.

#[path = "common/isolated.rs"]
mod isolated;

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use connect_sso::cloud::PrincipalType;
use connect_sso::cloud::api::*;
use connect_sso::cloud::sandbox::{
    SANDBOX_INSTANCE_ID, Sandbox, SandboxOptions, SeededPeople, account_path,
};
use serde_json::Value;

const APP: &str = "Workshop Connect";

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    fn account(&self) -> PathBuf {
        account_path(&self.home().join("state").join("connect-sso"))
    }

    fn ledger(&self) -> PathBuf {
        connect_sso::ledger::beside_account(&self.account())
    }

    /// The saved sandbox account with `people` more people, all assigned to the application
    /// directly (the saved account does not keep seeded groups; the library's tests cover
    /// members of groups).
    fn seed(&self, people: usize) -> SeededPeople {
        let sandbox = Sandbox::seeded_at(&self.account(), SandboxOptions::default());
        let app = sandbox.simulate_create_application(APP);
        let seeded = sandbox.seed_people(people, 0);
        sandbox.simulate_assign_people(&app, &seeded).unwrap();
        sandbox.save(&self.account()).unwrap();
        seeded
    }

    fn run(&self, args: &[&str]) -> Output {
        let mut all = vec!["users", "sync", "--sandbox", "--app-name", APP];
        all.extend_from_slice(args);
        isolated::run(self.dir.path(), &self.home(), &all, None)
    }

    /// The Connect user names of the saved account's SAML instance, with how often each is.
    fn connect_users(&self) -> HashMap<String, usize> {
        let text = std::fs::read_to_string(self.account()).unwrap();
        let saved: Value = serde_json::from_str(&text).unwrap();
        let instance = saved["instances"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["summary"]["id"] == SANDBOX_INSTANCE_ID)
            .unwrap()
            .clone();
        let mut names = HashMap::new();
        for u in instance["users"].as_array().unwrap() {
            *names
                .entry(u["username"].as_str().unwrap().to_string())
                .or_insert(0) += 1;
        }
        names
    }
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The emails of the seeded people who have no Connect user at first.
fn missing(seeded: &SeededPeople) -> Vec<String> {
    // Every tenth seeded person (`agent00009`, `agent00019`, ...) has none.
    seeded
        .emails
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 10 == 9)
        .map(|(_, e)| e.clone())
        .collect()
}

#[test]
fn dry_run_then_yes_then_a_rerun_that_changes_nothing() {
    let env = Env::new();
    let seeded = env.seed(60);
    let before = env.connect_users();

    let plan = env.run(&["--dry-run", "--format", "json"]);
    assert_eq!(plan.status.code(), Some(0), "{}", text(&plan));
    let plan = json(&plan);
    assert_eq!(plan["dry_run"], true);
    assert_eq!(plan["counts"]["assigned"], 60);
    assert_eq!(plan["counts"]["missing"], seeded.without_connect_user);
    assert_eq!(plan["counts"]["near_misses"], seeded.near_misses);
    assert_eq!(plan["counts"]["created"], 0);
    assert_eq!(
        plan["to_create"].as_array().unwrap().len(),
        seeded.without_connect_user
    );
    assert_eq!(env.connect_users(), before, "a dry run changes nothing");

    // Without a terminal and without --yes it refuses, and says how to go on.
    let refused = env.run(&[]);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    assert!(text(&refused).contains("--yes"), "{}", text(&refused));
    assert_eq!(env.connect_users(), before);

    let done = env.run(&["--yes"]);
    assert_eq!(done.status.code(), Some(0), "{}", text(&done));
    assert!(
        text(&done).contains(&format!(
            "Done: {} Connect user(s) created.",
            seeded.without_connect_user
        )),
        "{}",
        text(&done)
    );
    let after = env.connect_users();
    for email in missing(&seeded) {
        assert_eq!(after.get(&email), Some(&1), "{email}");
    }
    assert_eq!(after.len(), before.len() + seeded.without_connect_user);
    let (ledger, _) = connect_sso::ledger::load(&env.ledger()).unwrap();
    assert_eq!(ledger.connect_users.len(), seeded.without_connect_user);

    let again = env.run(&["--yes", "--format", "json"]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    let again = json(&again);
    assert_eq!(again["counts"]["missing"], 0);
    assert_eq!(again["counts"]["created"], 0);
    assert_eq!(again["dry_run"], false);
    // The shape stays the same whatever was done.
    for key in [
        "to_create",
        "created",
        "failed",
        "pruned",
        "near_misses",
        "unmapped",
    ] {
        assert!(again[key].is_array(), "{key}");
    }
    assert_eq!(env.connect_users(), after);
}

#[tokio::test]
async fn prune_removes_only_the_users_sync_created() {
    let env = Env::new();
    let seeded = env.seed(30);
    let done = env.run(&["--yes"]);
    assert_eq!(done.status.code(), Some(0), "{}", text(&done));
    let first = missing(&seeded)[0].clone();
    let at = seeded.emails.iter().position(|e| *e == first).unwrap();
    {
        // The person leaves the application.
        let (sandbox, _) = Sandbox::load_or_seed(&env.account(), SandboxOptions::default());
        let app = sandbox.snapshot().applications[0].application.arn.clone();
        sandbox
            .delete_application_assignment(&app, PrincipalType::User, &seeded.direct[at])
            .await
            .unwrap();
        sandbox.save(&env.account()).unwrap();
    }
    let plain = env.run(&["--yes", "--format", "json"]);
    let plain = json(&plain);
    assert_eq!(plain["counts"]["pruned"], 0, "without --prune nothing goes");
    assert!(env.connect_users().contains_key(&first));

    let pruned = env.run(&["--yes", "--prune", "--format", "json"]);
    assert_eq!(pruned.status.code(), Some(0), "{}", text(&pruned));
    let pruned = json(&pruned);
    assert_eq!(pruned["counts"]["pruned"], 1, "{pruned:#}");
    assert_eq!(pruned["pruned"][0]["username"], first.as_str());
    let users = env.connect_users();
    assert!(!users.contains_key(&first));
    // Unmapped users made elsewhere stay.
    assert!(users.contains_key("maria.garcia@example.com"));
    let (ledger, _) = connect_sso::ledger::load(&env.ledger()).unwrap();
    assert!(!ledger.connect_users.iter().any(|e| e.username == first));
}

#[test]
fn a_run_killed_half_way_is_finished_by_the_next_without_a_duplicate() {
    let env = Env::new();
    let seeded = env.seed(400);
    let missing = missing(&seeded);
    let before = env.connect_users().len();
    // Four creations a second and 50 ms a call: about ten seconds for the forty users.
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_connect-sso"));
    for (k, _) in std::env::vars() {
        if k.starts_with("CONNECT_SSO_") || k.starts_with("AWS_") {
            cmd.env_remove(k);
        }
    }
    let mut child = cmd
        .args([
            "users",
            "sync",
            "--sandbox",
            "--app-name",
            APP,
            "--yes",
            "--max-rps",
            "connect=4",
            "--sandbox-latency-ms",
            "50",
        ])
        .current_dir(env.dir.path())
        .env("HOME", env.home())
        .env("XDG_STATE_HOME", env.home().join("state"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        let made = env.connect_users().len() - before;
        if made >= 8 {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no users created in time"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap(); // SIGKILL: no cleanup, no final save.
    child.wait().unwrap();
    let at_kill = env.connect_users();
    let made = at_kill.len() - before;
    assert!(made < missing.len(), "killed after the end ({made})");

    let rerun = env.run(&["--yes", "--format", "json"]);
    assert_eq!(rerun.status.code(), Some(0), "{}", text(&rerun));
    let rerun = json(&rerun);
    let created = rerun["counts"]["created"].as_u64().unwrap() as usize
        + rerun["counts"]["already_there"].as_u64().unwrap() as usize;
    assert_eq!(created, missing.len() - made, "{rerun:#}");
    let users = env.connect_users();
    for email in &missing {
        assert_eq!(users.get(email), Some(&1), "{email} exactly once");
    }
    assert!(users.values().all(|&n| n == 1));
}
