//! Groups in step 11, the real binary on a saved sandbox account: `apply --group` assigns,
//! a rerun changes nothing, doctor checks the group and its members, teardown removes the
//! assignment it recorded; an unknown group stops apply with a suggestion and no change.

#[path = "common/isolated.rs"]
mod isolated;

use std::path::Path;
use std::process::Output;

use connect_sso::cloud::sandbox::SANDBOX_GROUPS;

const AGENTS: &str = "Contact center agents";

fn run(home: &Path, args: &[&str]) -> Output {
    isolated::run(home, &home.join("home"), args, None)
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn a_group_is_assigned_once_checked_and_torn_down() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    // Kwame, the group's other member, gets his Connect user, so everyone can sign in.
    let apply = [
        "apply",
        "--sandbox",
        "--group",
        AGENTS,
        "--user",
        "kwame.mensah@example.com",
        "--create-connect-users",
        "--yes",
    ];
    let first = run(home, &apply);
    let (out, err) = text(&first);
    assert_eq!(first.status.code(), Some(0), "{out}\n{err}");
    assert!(
        out.contains(&format!(
            "11  group         {AGENTS}: assignment created (group {})",
            SANDBOX_GROUPS[0].group_id
        )),
        "{out}"
    );

    let again = run(home, &apply);
    let (out, err) = text(&again);
    assert_eq!(again.status.code(), Some(0), "{out}\n{err}");
    assert!(
        out.contains(&format!("{AGENTS}: already assigned")),
        "{out}"
    );
    assert!(out.contains("Nothing to change"), "{out}");

    let json = run(
        home,
        &[
            "apply",
            "--sandbox",
            "--group",
            SANDBOX_GROUPS[0].group_id,
            "--dry-run",
            "--format",
            "json",
        ],
    );
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON report");
    assert_eq!(report["groups"][0]["display_name"], AGENTS);
    assert_eq!(report["groups"][0]["assignment"], "unchanged");

    let doctor = run(home, &["doctor", "--sandbox", "--group", AGENTS]);
    let (out, err) = text(&doctor);
    assert_eq!(doctor.status.code(), Some(0), "{out}\n{err}");
    assert!(out.contains("Group (11)"), "{out}");
    assert!(out.contains("2 member(s), each checked below"), "{out}");
    assert!(out.contains("maria.garcia@example.com"), "{out}");
    assert!(out.contains("kwame.mensah@example.com"), "{out}");

    let teardown = run(home, &["teardown", "--sandbox", "--yes"]);
    let (out, err) = text(&teardown);
    assert_eq!(teardown.status.code(), Some(0), "{out}\n{err}");
    assert!(
        out.contains(&format!("group id {}", SANDBOX_GROUPS[0].group_id)),
        "{out}"
    );

    // The group is no longer assigned: doctor says so and names the fix.
    let after = run(home, &["doctor", "--sandbox", "--group", AGENTS]);
    let (out, _) = text(&after);
    assert_ne!(after.status.code(), Some(0), "{out}");
    assert!(out.contains("--group \"Contact center agents\"`)"), "{out}");
}

#[test]
fn an_unknown_group_stops_apply_before_any_change() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let typo = run(
        home,
        &[
            "apply",
            "--sandbox",
            "--group",
            "Contact centre agents",
            "--yes",
        ],
    );
    let (out, err) = text(&typo);
    assert_eq!(typo.status.code(), Some(2), "{out}\n{err}");
    assert!(
        err.contains("did you mean \"Contact center agents\"?")
            && err.contains("nothing was changed"),
        "{err}"
    );
    // Nothing was made: the next look still has everything to create.
    let look = run(home, &["apply", "--sandbox", "--dry-run"]);
    let (out, _) = text(&look);
    assert!(out.contains("6a  SAML provider would create"), "{out}");
}
