//! `users sync` on the sandbox: the plan's counts, what is created and how, idempotence,
//! throttling, a stop on a failure that would fail everyone, and prune removing only its own.

use std::collections::HashSet;

use super::*;
use crate::cloud::api::*;
use crate::cloud::sandbox::{
    Fault, FaultKind, SANDBOX_EXISTING_CONNECT_USER_ID, SANDBOX_EXISTING_CONNECT_USERNAME,
    SANDBOX_INSTANCE_ARN, SANDBOX_INSTANCE_ID, Sandbox, SeededPeople,
};
use crate::domain::setup::{Answers, DEFAULT_ROUTING_PROFILE, DEFAULT_SECURITY_PROFILE};

const APP: &str = "Workshop Connect";

fn setup() -> Setup {
    Setup::from_answers(&Answers {
        instance_arn: Some(SANDBOX_INSTANCE_ARN.to_string()),
        app_name: Some(APP.into()),
        ..Answers::default()
    })
    .unwrap()
}

fn options(prune: bool) -> SyncOptions {
    SyncOptions {
        template: ConnectUserTemplate {
            security_profile: DEFAULT_SECURITY_PROFILE.into(),
            routing_profile: DEFAULT_ROUTING_PROFILE.into(),
        },
        prune,
        recorded: HashSet::new(),
    }
}

/// 120 people, 50 of them through groups, all assigned.
fn account() -> (Sandbox, SeededPeople, String) {
    let sandbox = Sandbox::new();
    let app = sandbox.simulate_create_application(APP);
    let seeded = sandbox.seed_people(120, 50);
    sandbox.simulate_assign_people(&app, &seeded).unwrap();
    (sandbox, seeded, app)
}

#[tokio::test]
async fn the_plan_counts_everyone_the_application_reaches() {
    let (sandbox, seeded, _) = account();
    let plan = plan_sync(&sandbox, &setup(), &options(false))
        .await
        .unwrap();
    assert_eq!(plan.counts.assigned, 120);
    assert!(plan.groups >= 1);
    assert_eq!(plan.counts.missing, seeded.without_connect_user);
    assert_eq!(plan.counts.near_misses, seeded.near_misses);
    assert_eq!(
        plan.counts.with_connect_user,
        120 - seeded.without_connect_user - seeded.near_misses
    );
    // The near misses are named in the other case, never planned for creation.
    let near = &plan.near_misses[0];
    assert_eq!(near.connect_username, "agent00000@example.com");
    assert_eq!(near.existing, ["Agent00000@example.com"]);
    assert!(
        near.fix
            .contains("rename the Connect user Agent00000@example.com")
    );
    assert!(
        plan.to_create
            .iter()
            .all(|p| p.connect_username.to_lowercase() != near.connect_username)
    );
    // Maria is not assigned: her Connect user maps to nobody; near misses are not unmapped.
    let unmapped: Vec<&str> = plan.unmapped.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(unmapped, [SANDBOX_EXISTING_CONNECT_USERNAME]);
    assert!(plan.to_prune.is_empty());
    let first = &plan.to_create[0];
    assert_eq!(first.connect_username, "agent00009@example.com");
    assert_eq!(
        (first.first_name.as_str(), first.last_name.as_str()),
        ("Agent", "00009")
    );
    assert!(
        sandbox.snapshot().connect_instances[0].users.len() > 100,
        "nothing created"
    );
}

#[tokio::test]
async fn a_run_creates_the_missing_users_tagged_and_a_rerun_creates_nothing() {
    let (sandbox, seeded, _) = account();
    let plan = plan_sync(&sandbox, &setup(), &options(false))
        .await
        .unwrap();
    let before = sandbox.snapshot().connect_instances[0].users.len();
    let report = run_sync(&sandbox, plan, &NoObserver).await;
    assert!(report.complete(), "{report:?}");
    assert_eq!(report.created.len(), seeded.without_connect_user);
    let users = &sandbox.snapshot().connect_instances[0].users;
    assert_eq!(users.len(), before + seeded.without_connect_user);
    let made = &report.created[0];
    let details = sandbox
        .describe_connect_user(SANDBOX_INSTANCE_ID, &made.connect_user_id)
        .await
        .unwrap()
        .unwrap();
    assert!(created_by_sync(&details.tags), "{:?}", details.tags);
    assert_eq!(details.first_name.as_deref(), Some("Agent"));
    assert_eq!(details.user.username, "agent00009@example.com");

    sandbox.clear_calls();
    let again = plan_sync(&sandbox, &setup(), &options(false))
        .await
        .unwrap();
    assert_eq!(again.counts.missing, 0);
    assert_eq!(again.changes(), 0);
    let rerun = run_sync(&sandbox, again, &NoObserver).await;
    assert!(rerun.created.is_empty());
    assert!(!sandbox.calls().iter().any(|c| c == "connect:CreateUser"));
}

#[tokio::test(start_paused = true)]
async fn throttling_alone_never_fails_a_user() {
    let (sandbox, seeded, _) = account();
    let plan = plan_sync(&sandbox, &setup(), &options(false))
        .await
        .unwrap();
    // No client pacer here, so each throttled answer reaches the sync itself.
    sandbox.inject_fault(Fault::new(
        FaultKind::Throttle,
        "connect:CreateUser",
        Some(5),
    ));
    let report = run_sync(&sandbox, plan, &NoObserver).await;
    assert!(report.complete(), "{report:?}");
    assert_eq!(report.created.len(), seeded.without_connect_user);
    let creates = sandbox
        .calls()
        .iter()
        .filter(|c| *c == "connect:CreateUser")
        .count();
    assert_eq!(creates, seeded.without_connect_user + 5);
}

#[tokio::test]
async fn a_denied_creation_stops_the_run_instead_of_failing_everyone_alike() {
    let (sandbox, _, _) = account();
    let plan = plan_sync(&sandbox, &setup(), &options(false))
        .await
        .unwrap();
    let planned = plan.to_create.len();
    sandbox.inject_fault(Fault::new(
        FaultKind::AccessDenied,
        "connect:CreateUser",
        None,
    ));
    let report = run_sync(&sandbox, plan, &NoObserver).await;
    assert!(!report.complete());
    assert!(report.created.is_empty());
    assert!(!report.failed.is_empty());
    assert!(report.failed[0].error.contains("connect:CreateUser"));
    assert_eq!(report.failed.len() + report.not_started.len(), planned);
    assert!(report.not_started.len() >= planned - crate::cloud::directory::MAX_IN_FLIGHT);
}

#[tokio::test]
async fn a_name_created_meanwhile_is_taken_as_there() {
    let (sandbox, _, _) = account();
    let plan = plan_sync(&sandbox, &setup(), &options(false))
        .await
        .unwrap();
    // Another run creates the first one between this run's read and its creation.
    let first = plan.to_create[0].clone();
    let other = run_sync(
        &sandbox,
        SyncPlan {
            to_create: vec![first.clone()],
            ..plan.clone()
        },
        &NoObserver,
    )
    .await;
    assert_eq!(other.created.len(), 1);
    let report = run_sync(&sandbox, plan.clone(), &NoObserver).await;
    assert!(report.complete(), "{report:?}");
    assert_eq!(report.already_there.len(), 1);
    assert_eq!(
        report.already_there[0].connect_username,
        first.connect_username
    );
    assert_eq!(report.created.len(), plan.to_create.len() - 1);
    let users = sandbox.snapshot().connect_instances[0].users.clone();
    let named = users
        .iter()
        .filter(|u| u.username == first.connect_username)
        .count();
    assert_eq!(named, 1, "no duplicate");
}

#[tokio::test]
async fn prune_removes_only_the_unmapped_users_sync_created() {
    let (sandbox, seeded, app) = account();
    let plan = plan_sync(&sandbox, &setup(), &options(false))
        .await
        .unwrap();
    let report = run_sync(&sandbox, plan, &NoObserver).await;
    assert!(report.complete());
    // A directly assigned person whose user sync created leaves the application.
    let gone = &report.created[0];
    let person = seeded
        .direct
        .iter()
        .find(|id| {
            seeded.emails[seeded.direct.iter().position(|d| d == *id).unwrap()]
                == gone.connect_username
        })
        .expect("the first created is assigned directly")
        .clone();
    sandbox
        .delete_application_assignment(&app, PrincipalType::User, &person)
        .await
        .unwrap();

    // Without --prune nothing is to be removed.
    let plain = plan_sync(&sandbox, &setup(), &options(false))
        .await
        .unwrap();
    assert!(plain.to_prune.is_empty());
    let unmapped: Vec<&str> = plain.unmapped.iter().map(|u| u.username.as_str()).collect();
    assert!(unmapped.contains(&gone.connect_username.as_str()));
    assert!(unmapped.contains(&SANDBOX_EXISTING_CONNECT_USERNAME));

    // With it, only the tagged one: Maria's user was not made by sync.
    let plan = plan_sync(&sandbox, &setup(), &options(true)).await.unwrap();
    assert_eq!(plan.to_prune.len(), 1, "{:?}", plan.to_prune);
    assert_eq!(plan.to_prune[0].user.id, gone.connect_user_id);
    assert_eq!(plan.to_prune[0].known_by, Provenance::Tag);
    let pruned = run_sync(&sandbox, plan, &NoObserver).await;
    assert!(pruned.complete());
    assert_eq!(pruned.pruned.len(), 1);
    let users = sandbox.snapshot().connect_instances[0].users.clone();
    assert!(!users.iter().any(|u| u.id == gone.connect_user_id));
    assert!(
        users
            .iter()
            .any(|u| u.id == SANDBOX_EXISTING_CONNECT_USER_ID)
    );

    // A user the ledger records counts as its own too.
    let recorded = SyncOptions {
        recorded: [SANDBOX_EXISTING_CONNECT_USER_ID.to_string()].into(),
        ..options(true)
    };
    let plan = plan_sync(&sandbox, &setup(), &recorded).await.unwrap();
    assert_eq!(plan.to_prune.len(), 1);
    assert_eq!(plan.to_prune[0].known_by, Provenance::Ledger);
}

#[tokio::test]
async fn a_missing_application_or_profile_says_how_to_fix_it() {
    let sandbox = Sandbox::new();
    sandbox.simulate_create_application("Workshop Connekt");
    let e = plan_sync(&sandbox, &setup(), &options(false))
        .await
        .unwrap_err();
    assert!(matches!(e, SyncError::NoApplication { .. }), "{e:?}");
    assert!(
        e.to_string().contains("did you mean Workshop Connekt?"),
        "{e}"
    );
    sandbox.simulate_create_application(APP);
    let mut bad = options(false);
    bad.template.security_profile = "Agnet".into();
    let e = plan_sync(&sandbox, &setup(), &bad).await.unwrap_err();
    assert!(e.to_string().contains("Agnet"), "{e}");
    assert!(e.to_string().contains("Agent"), "{e}");
}

#[test]
fn missing_names_are_filled_in_with_a_note() {
    let user = |given: Option<&str>, family: Option<&str>, display: Option<&str>| IdcUser {
        user_id: "u1".into(),
        user_name: "jdoe".into(),
        display_name: display.map(str::to_string),
        given_name: given.map(str::to_string),
        family_name: family.map(str::to_string),
        emails: vec!["jane.doe@example.com".into()],
    };
    let full = new_person(
        &user(Some("Jane"), Some("Doe"), None),
        "jane.doe@example.com",
    );
    assert_eq!(
        (full.first_name.as_str(), full.last_name.as_str()),
        ("Jane", "Doe")
    );
    assert_eq!(full.note, None);
    let display = new_person(
        &user(None, None, Some("Jane van Doe")),
        "jane.doe@example.com",
    );
    assert_eq!(
        (display.first_name.as_str(), display.last_name.as_str()),
        ("Jane", "van Doe")
    );
    assert!(display.note.unwrap().contains("from the display name"));
    let bare = new_person(&user(None, Some(" "), None), "jane.doe@example.com");
    assert_eq!(
        (bare.first_name.as_str(), bare.last_name.as_str()),
        ("jane.doe", "-")
    );
    assert!(bare.note.unwrap().contains("from the user name"));
}
