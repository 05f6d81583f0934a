//! Teardown against the sandbox: what is found, kept and removed, in which order, and
//! what a failure leaves.

use serde_json::json;

use super::item::Target;
use super::*;
use crate::cloud::api::*;
use crate::cloud::apply::{UserRequest, apply};
use crate::cloud::ensure::{Change, UserOutcome};
use crate::cloud::sandbox::{
    Fault, FaultKind, SANDBOX_INSTANCE_ARN, SANDBOX_INSTANCE_ID, SANDBOX_METADATA, SANDBOX_USERS,
    Sandbox,
};
use crate::cloud::{MANAGED_BY_KEY, MANAGED_BY_VALUE, PrincipalType, Tag, managed_tags};
use crate::domain::setup::{Answers, Setup};
use crate::ledger::LedgerEntry;

const OTHER_INSTANCE: &str = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

fn setup() -> Setup {
    Setup::from_answers(&Answers {
        instance_arn: Some(SANDBOX_INSTANCE_ARN.to_string()),
        app_name: Some("Workshop Connect".into()),
        ..Answers::default()
    })
    .unwrap()
}

fn now() -> time::OffsetDateTime {
    time::macros::datetime!(2025-03-04 05:06:07 UTC)
}

/// Runs `apply` for `users` (step 1 done by hand first) and returns the ledger entries
/// it would record.
async fn applied(sb: &Sandbox, setup: &Setup, users: &[&str]) -> Vec<LedgerEntry> {
    if sb.snapshot().applications.is_empty() {
        sb.simulate_create_application(setup.app_name.as_str());
    }
    let people = UserRequest {
        users: users.iter().map(|u| u.to_string()).collect(),
        create_connect_users: None,
    };
    let report = apply(sb, setup, SANDBOX_METADATA, &people, false)
        .await
        .unwrap();
    let app = report.applications.first().map(|a| a.arn.clone());
    created_assignments(setup, &app.unwrap_or_default(), &report.users, now())
}

fn actions(items: &[Item]) -> Vec<(ItemKind, Action)> {
    items.iter().map(|i| (i.kind, i.action)).collect()
}

fn item(items: &[Item], kind: ItemKind) -> &Item {
    items
        .iter()
        .find(|i| i.kind == kind)
        .unwrap_or_else(|| panic!("no {kind:?} in {items:#?}"))
}

fn writes(sb: &Sandbox) -> Vec<String> {
    sb.calls()
        .into_iter()
        .filter(|c| {
            let op = c.split(':').nth(1).unwrap_or_default();
            ["Create", "Update", "Attach", "Detach", "Delete", "Put"]
                .iter()
                .any(|w| op.starts_with(w))
        })
        .collect()
}

/// The ledger after a run forgot what it removed.
fn remaining(ledger: &[LedgerEntry], forgotten: &[(String, String)]) -> Vec<LedgerEntry> {
    ledger
        .iter()
        .filter(|e| !forgotten.iter().any(|(a, p)| e.same_assignment(a, p)))
        .cloned()
        .collect()
}

#[tokio::test]
async fn apply_then_teardown_removes_exactly_what_apply_made_and_a_second_run_does_nothing() {
    let sb = Sandbox::new();
    let setup = setup();
    let app = sb.simulate_create_application(setup.app_name.as_str());
    // Assigned by hand before connect-sso ran: not in the ledger, so kept.
    let by_hand = SANDBOX_USERS[2].user_id;
    sb.create_application_assignment(&app, PrincipalType::User, by_hand)
        .await
        .unwrap();
    let unrelated = sb
        .create_policy("Unrelated", &setup.permissions_policy(), &[])
        .await
        .unwrap();
    let ledger = applied(
        &sb,
        &setup,
        &[SANDBOX_USERS[0].user_name, SANDBOX_USERS[1].email],
    )
    .await;
    assert_eq!(ledger.len(), 2, "{ledger:#?}");
    assert_eq!(ledger[0].user_name, SANDBOX_USERS[0].user_name);
    assert_eq!(ledger[0].instance_id, SANDBOX_INSTANCE_ID);
    assert_eq!(ledger[0].created_at, "2025-03-04T05:06:07Z");

    let before = sb.snapshot();
    let plan = plan_teardown(&sb, &setup, &ledger).await.unwrap();
    assert_eq!(sb.snapshot(), before, "planning changes nothing");
    assert_eq!(
        actions(&plan.items),
        [
            (ItemKind::ApplicationAssignment, Action::Delete),
            (ItemKind::ApplicationAssignment, Action::Delete),
            (ItemKind::ApplicationAssignment, Action::Kept),
            (ItemKind::PolicyAttachment, Action::Detach),
            (ItemKind::Role, Action::Delete),
            (ItemKind::Policy, Action::Delete),
            (ItemKind::SamlProvider, Action::Delete),
        ]
    );
    assert_eq!(plan.pending(), 6);
    assert_eq!(plan.failed(), 0);
    assert!(plan.items[2].name.contains(by_hand), "{:#?}", plan.items[2]);
    assert!(plan.items[2].reason.contains("by hand"));
    assert_eq!(
        plan.items[4].arn.as_deref(),
        Some(setup.role_arn().as_str())
    );
    assert!(
        plan.items.iter().all(|i| i.warnings.is_empty()),
        "{plan:#?}"
    );

    sb.clear_calls();
    let report = execute(&sb, &plan).await;
    assert_eq!(report.failed(), 0, "{report:#?}");
    assert_eq!(report.removed(), 6);
    assert_eq!(
        writes(&sb),
        [
            "sso:DeleteApplicationAssignment",
            "sso:DeleteApplicationAssignment",
            "iam:DetachRolePolicy",
            "iam:DeleteRole",
            "iam:DeletePolicy",
            "iam:DeleteSAMLProvider",
        ]
    );
    let after = sb.snapshot();
    assert!(after.saml_providers.is_empty());
    assert!(after.roles.is_empty());
    let policies: Vec<&str> = after
        .policies
        .iter()
        .map(|p| p.policy.arn.as_str())
        .collect();
    assert_eq!(policies, [unrelated.as_str()]);
    let assigned: Vec<&str> = after.applications[0]
        .assignments
        .iter()
        .map(|a| a.principal_id.as_str())
        .collect();
    assert_eq!(assigned, [by_hand]);
    // Everything else about the account is as before.
    assert_eq!(after.connect_instances, before.connect_instances);

    let forgotten = report.forgotten_assignments();
    assert_eq!(forgotten.len(), 2);
    let ledger = remaining(&ledger, &forgotten);
    assert!(ledger.is_empty());

    sb.clear_calls();
    let again = plan_teardown(&sb, &setup, &ledger).await.unwrap();
    assert_eq!(again.pending(), 0, "{again:#?}");
    assert_eq!(
        actions(&again.items),
        [
            (ItemKind::Role, Action::AlreadyGone),
            (ItemKind::Policy, Action::AlreadyGone),
            (ItemKind::SamlProvider, Action::AlreadyGone),
        ]
    );
    let report = execute(&sb, &again).await;
    assert_eq!((report.removed(), report.failed()), (0, 0));
    assert!(writes(&sb).is_empty(), "{:?}", writes(&sb));
}

#[tokio::test]
async fn a_ledger_that_was_not_updated_finds_its_assignments_gone() {
    let sb = Sandbox::new();
    let setup = setup();
    let ledger = applied(&sb, &setup, &[SANDBOX_USERS[0].user_name]).await;
    let report = execute(&sb, &plan_teardown(&sb, &setup, &ledger).await.unwrap()).await;
    assert_eq!(report.failed(), 0);
    // The same ledger again, as when writing it failed last time.
    let again = plan_teardown(&sb, &setup, &ledger).await.unwrap();
    assert_eq!(again.pending(), 0);
    let assignment = item(&again.items, ItemKind::ApplicationAssignment);
    assert_eq!(assignment.action, Action::AlreadyGone);
    assert_eq!(
        again.gone_assignments(),
        [(
            ledger[0].application_arn.clone(),
            ledger[0].principal_id.clone()
        )]
    );
}

#[tokio::test]
async fn resources_with_the_names_but_without_the_tag_are_never_touched() {
    let sb = Sandbox::new();
    let setup = setup();
    let provider = sb
        .create_saml_provider(setup.provider_name.as_str(), SANDBOX_METADATA, &[])
        .await
        .unwrap();
    let policy = sb
        .create_policy(
            setup.policy_name.as_str(),
            &setup.permissions_policy(),
            &[Tag::new("team", "contact-center")],
        )
        .await
        .unwrap();
    sb.create_role(setup.role_name.as_str(), &setup.trust_policy(), &[])
        .await
        .unwrap();
    sb.attach_role_policy(setup.role_name.as_str(), &policy)
        .await
        .unwrap();
    assert_eq!(provider, setup.provider_arn());

    let before = sb.snapshot();
    let plan = plan_teardown(&sb, &setup, &[]).await.unwrap();
    assert_eq!(
        actions(&plan.items),
        [
            (ItemKind::Role, Action::Kept),
            (ItemKind::Policy, Action::Kept),
            (ItemKind::SamlProvider, Action::Kept),
        ]
    );
    for i in &plan.items {
        assert!(i.reason.starts_with("not created by connect-sso"), "{i:#?}");
        assert!(i.reason.contains("managed-by=connect-sso"), "{i:#?}");
    }
    sb.clear_calls();
    let report = execute(&sb, &plan).await;
    assert_eq!((report.removed(), report.failed()), (0, 0));
    assert!(writes(&sb).is_empty());
    assert_eq!(sb.snapshot(), before);
}

#[tokio::test]
async fn resources_of_another_instance_are_kept() {
    let sb = Sandbox::new();
    let setup = setup();
    let other = managed_tags(OTHER_INSTANCE);
    sb.create_saml_provider(setup.provider_name.as_str(), SANDBOX_METADATA, &other)
        .await
        .unwrap();
    let policy = sb
        .create_policy(
            setup.policy_name.as_str(),
            &setup.permissions_policy(),
            &other,
        )
        .await
        .unwrap();
    sb.create_role(setup.role_name.as_str(), &setup.trust_policy(), &other)
        .await
        .unwrap();
    sb.attach_role_policy(setup.role_name.as_str(), &policy)
        .await
        .unwrap();
    let before = sb.snapshot();
    let plan = plan_teardown(&sb, &setup, &[]).await.unwrap();
    assert_eq!(plan.pending(), 0, "{plan:#?}");
    for i in &plan.items {
        assert_eq!(i.action, Action::Kept, "{i:#?}");
        assert!(i.reason.contains(OTHER_INSTANCE), "{i:#?}");
        assert!(i.reason.contains(SANDBOX_INSTANCE_ID), "{i:#?}");
    }
    execute(&sb, &plan).await;
    assert_eq!(sb.snapshot(), before);
}

#[tokio::test]
async fn a_managed_tag_without_an_instance_tag_is_enough() {
    let sb = Sandbox::new();
    let setup = setup();
    sb.create_saml_provider(
        setup.provider_name.as_str(),
        SANDBOX_METADATA,
        &[Tag::new(MANAGED_BY_KEY, MANAGED_BY_VALUE)],
    )
    .await
    .unwrap();
    // A managed-by tag with another value is not connect-sso's.
    sb.create_policy(
        setup.policy_name.as_str(),
        &setup.permissions_policy(),
        &[Tag::new(MANAGED_BY_KEY, "terraform")],
    )
    .await
    .unwrap();
    let plan = plan_teardown(&sb, &setup, &[]).await.unwrap();
    assert_eq!(
        item(&plan.items, ItemKind::SamlProvider).action,
        Action::Delete
    );
    assert_eq!(item(&plan.items, ItemKind::Policy).action, Action::Kept);
    let report = execute(&sb, &plan).await;
    assert_eq!(report.removed(), 1);
    assert!(sb.snapshot().saml_providers.is_empty());
    assert_eq!(sb.snapshot().policies.len(), 1);
}

#[tokio::test]
async fn a_policy_attached_to_another_role_is_kept_and_said_so() {
    let sb = Sandbox::new();
    let setup = setup();
    applied(&sb, &setup, &[]).await;
    sb.create_role("Other", &setup.trust_policy(), &[])
        .await
        .unwrap();
    sb.attach_role_policy("Other", &setup.policy_arn())
        .await
        .unwrap();

    let plan = plan_teardown(&sb, &setup, &[]).await.unwrap();
    assert_eq!(
        actions(&plan.items),
        [
            (ItemKind::PolicyAttachment, Action::Detach),
            (ItemKind::Role, Action::Delete),
            (ItemKind::Policy, Action::Kept),
            (ItemKind::SamlProvider, Action::Delete),
        ]
    );
    let policy = item(&plan.items, ItemKind::Policy);
    assert!(
        policy.reason.contains("still attached to role Other"),
        "{policy:#?}"
    );
    let provider = item(&plan.items, ItemKind::SamlProvider);
    assert_eq!(provider.warnings.len(), 1, "{provider:#?}");
    assert!(provider.warnings[0].contains("role Other also trusts"));

    let report = execute(&sb, &plan).await;
    assert_eq!(report.failed(), 0, "{report:#?}");
    let snap = sb.snapshot();
    assert_eq!(snap.policies.len(), 1);
    let roles: Vec<&str> = snap.roles.iter().map(|r| r.role.name.as_str()).collect();
    assert_eq!(roles, ["Other"]);
    assert_eq!(snap.roles[0].attached_policies[0].arn, setup.policy_arn());
}

#[tokio::test]
async fn other_policies_on_the_role_are_detached_but_stay() {
    let sb = Sandbox::new();
    let setup = setup();
    applied(&sb, &setup, &[]).await;
    let extra = sb
        .create_policy("Extra", &setup.permissions_policy(), &[])
        .await
        .unwrap();
    sb.attach_role_policy(setup.role_name.as_str(), &extra)
        .await
        .unwrap();
    let plan = plan_teardown(&sb, &setup, &[]).await.unwrap();
    let detaches: Vec<&Item> = plan
        .items
        .iter()
        .filter(|i| i.kind == ItemKind::PolicyAttachment)
        .collect();
    assert_eq!(detaches.len(), 2);
    assert!(detaches[1].reason.contains("the policy itself stays"));
    let report = execute(&sb, &plan).await;
    assert_eq!(report.failed(), 0, "{report:#?}");
    let snap = sb.snapshot();
    assert!(snap.roles.is_empty());
    let policies: Vec<&str> = snap
        .policies
        .iter()
        .map(|p| p.policy.arn.as_str())
        .collect();
    assert_eq!(policies, [extra.as_str()]);
}

#[tokio::test]
async fn inline_policies_keep_the_role_and_so_its_policy() {
    let sb = Sandbox::new();
    let setup = setup();
    applied(&sb, &setup, &[]).await;
    sb.simulate_put_role_policy(
        setup.role_name.as_str(),
        "HandMade",
        &setup.permissions_policy(),
    )
    .unwrap();
    let plan = plan_teardown(&sb, &setup, &[]).await.unwrap();
    assert_eq!(
        actions(&plan.items),
        [
            (ItemKind::Role, Action::Kept),
            (ItemKind::Policy, Action::Kept),
            (ItemKind::SamlProvider, Action::Delete),
        ]
    );
    let role = item(&plan.items, ItemKind::Role);
    assert!(
        role.reason.contains("inline policies (HandMade)"),
        "{role:#?}"
    );
    let policy = item(&plan.items, ItemKind::Policy);
    assert!(
        policy.reason.contains(&format!("role {}", setup.role_name)),
        "{policy:#?}"
    );
    let provider = item(&plan.items, ItemKind::SamlProvider);
    assert!(
        provider.warnings[0].contains(&format!("role {} also trusts", setup.role_name)),
        "{provider:#?}"
    );
}

#[tokio::test]
async fn other_policy_versions_go_first() {
    let sb = Sandbox::new();
    let setup = setup();
    applied(&sb, &setup, &[]).await;
    let arn = setup.policy_arn();
    let widened = json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "connect:*", "Resource": "*"}]
    });
    sb.create_policy_version(&arn, &widened, false)
        .await
        .unwrap();
    sb.create_policy_version(&arn, &setup.permissions_policy(), true)
        .await
        .unwrap();
    let plan = plan_teardown(&sb, &setup, &[]).await.unwrap();
    let policy = item(&plan.items, ItemKind::Policy);
    assert_eq!(policy.action, Action::Delete);
    assert_eq!(
        policy.details,
        ["versions v1, v2 first (IAM requires it); the default version v3 goes with the policy"]
    );
    sb.clear_calls();
    let report = execute(&sb, &plan).await;
    assert_eq!(report.failed(), 0, "{report:#?}");
    let policy_calls: Vec<String> = writes(&sb)
        .into_iter()
        .filter(|c| c.contains("Policy") && !c.contains("RolePolicy"))
        .collect();
    assert_eq!(
        policy_calls,
        [
            "iam:DeletePolicyVersion",
            "iam:DeletePolicyVersion",
            "iam:DeletePolicy"
        ]
    );
    assert!(sb.snapshot().policies.is_empty());
}

#[tokio::test]
async fn a_failed_deletion_is_reported_the_rest_is_done_and_a_rerun_finishes() {
    let sb = Sandbox::new();
    let setup = setup();
    let ledger = applied(&sb, &setup, &[SANDBOX_USERS[0].user_name]).await;
    sb.inject_fault(Fault::new(FaultKind::AccessDenied, "iam:DeleteRole", None));
    let plan = plan_teardown(&sb, &setup, &ledger).await.unwrap();
    let report = execute(&sb, &plan).await;
    assert_eq!(
        actions(&report.items),
        [
            (ItemKind::ApplicationAssignment, Action::Deleted),
            (ItemKind::PolicyAttachment, Action::Detached),
            (ItemKind::Role, Action::Failed),
            (ItemKind::Policy, Action::Deleted),
            (ItemKind::SamlProvider, Action::Deleted),
        ]
    );
    assert_eq!(report.failed(), 1);
    let error = item(&report.items, ItemKind::Role).error.clone().unwrap();
    assert!(error.contains("iam:DeleteRole"), "{error}");
    assert!(error.contains("Grant iam:DeleteRole"), "{error}");

    sb.clear_faults();
    let ledger = remaining(&ledger, &report.forgotten_assignments());
    assert!(ledger.is_empty());
    let plan = plan_teardown(&sb, &setup, &ledger).await.unwrap();
    assert_eq!(
        actions(&plan.items),
        [
            (ItemKind::Role, Action::Delete),
            (ItemKind::Policy, Action::AlreadyGone),
            (ItemKind::SamlProvider, Action::AlreadyGone),
        ]
    );
    let report = execute(&sb, &plan).await;
    assert_eq!((report.removed(), report.failed()), (1, 0));
    let plan = plan_teardown(&sb, &setup, &ledger).await.unwrap();
    assert_eq!(plan.pending(), 0);
    assert!(sb.snapshot().roles.is_empty());
}

#[tokio::test]
async fn a_failed_detach_skips_the_role_and_the_policy_only() {
    let sb = Sandbox::new();
    let setup = setup();
    let ledger = applied(&sb, &setup, &[SANDBOX_USERS[0].user_name]).await;
    sb.inject_fault(Fault::new(
        FaultKind::Throttle,
        "iam:DetachRolePolicy",
        Some(1),
    ));
    let plan = plan_teardown(&sb, &setup, &ledger).await.unwrap();
    let report = execute(&sb, &plan).await;
    assert_eq!(
        actions(&report.items),
        [
            (ItemKind::ApplicationAssignment, Action::Deleted),
            (ItemKind::PolicyAttachment, Action::Failed),
            (ItemKind::Role, Action::Skipped),
            (ItemKind::Policy, Action::Skipped),
            (ItemKind::SamlProvider, Action::Deleted),
        ]
    );
    assert_eq!(report.failed(), 3);
    assert!(
        item(&report.items, ItemKind::Role)
            .reason
            .starts_with("not attempted")
    );
    // The fault was for one call: a rerun finishes.
    let plan = plan_teardown(&sb, &setup, &[]).await.unwrap();
    let report = execute(&sb, &plan).await;
    assert_eq!((report.removed(), report.failed()), (3, 0), "{report:#?}");
    let snap = sb.snapshot();
    assert!(snap.roles.is_empty() && snap.policies.is_empty());
}

#[tokio::test]
async fn a_read_that_fails_leaves_that_resource_and_plans_the_rest() {
    let sb = Sandbox::new();
    let setup = setup();
    applied(&sb, &setup, &[]).await;
    sb.inject_fault(Fault::new(FaultKind::AccessDenied, "iam:GetPolicy", None));
    let plan = plan_teardown(&sb, &setup, &[]).await.unwrap();
    assert_eq!(plan.failed(), 1);
    let policy = item(&plan.items, ItemKind::Policy);
    assert_eq!(policy.action, Action::Failed);
    assert!(policy.error.as_deref().unwrap().contains("iam:GetPolicy"));
    let report = execute(&sb, &plan).await;
    assert_eq!(report.failed(), 1);
    // The policy is still there; the role and the provider are gone.
    let snap = sb.snapshot();
    assert_eq!(snap.policies.len(), 1);
    assert!(snap.roles.is_empty() && snap.saml_providers.is_empty());
}

#[tokio::test]
async fn the_ledger_decides_which_assignments_go() {
    let sb = Sandbox::new();
    let setup = setup();
    let ledger = applied(
        &sb,
        &setup,
        &[SANDBOX_USERS[0].user_name, SANDBOX_USERS[1].user_name],
    )
    .await;
    // The second one was recorded for another instance's setup.
    let mut mixed = ledger.clone();
    mixed[1].instance_id = OTHER_INSTANCE.to_string();
    // And a record of an application that no longer exists.
    let mut vanished = ledger[0].clone();
    vanished.application_arn =
        "arn:aws:sso::111122223333:application/ssoins-7223a1b2c3d4e5f6/apl-0000000000000000"
            .to_string();
    mixed.push(vanished.clone());

    let plan = plan_teardown(&sb, &setup, &mixed).await.unwrap();
    let assignments: Vec<(Action, &str)> = plan
        .items
        .iter()
        .filter(|i| i.kind == ItemKind::ApplicationAssignment)
        .map(|i| (i.action, i.reason.as_str()))
        .collect();
    assert_eq!(assignments.len(), 3, "{assignments:#?}");
    assert_eq!(assignments[0].0, Action::Delete);
    assert_eq!(assignments[1].0, Action::Kept);
    assert!(assignments[1].1.contains(OTHER_INSTANCE), "{assignments:?}");
    assert_eq!(
        assignments[2],
        (Action::AlreadyGone, "the application no longer exists")
    );
    assert_eq!(
        plan.gone_assignments(),
        [(vanished.application_arn, vanished.principal_id)]
    );
}

#[tokio::test]
async fn teardown_looks_only_in_the_instance_account() {
    let sb = Sandbox::new();
    let setup = Setup::from_answers(&Answers {
        instance_arn: Some(
            "arn:aws:connect:us-east-1:999999999999:instance/5f8c2a4e-1b3d-4c6e-9a7b-2d4f6e8a0c1b"
                .to_string(),
        ),
        ..Answers::default()
    })
    .unwrap();
    let err = plan_teardown(&sb, &setup, &[]).await.unwrap_err();
    assert!(matches!(err, TeardownError::WrongAccount { .. }), "{err:?}");
    assert!(err.to_string().contains("999999999999"));
    assert_eq!(sb.calls(), ["sts:GetCallerIdentity"]);
}

#[tokio::test]
async fn every_call_of_a_teardown_is_in_the_permissions_policy() {
    use crate::domain::operator;
    let sb = Sandbox::new();
    let setup = setup();
    let ledger = applied(&sb, &setup, &[SANDBOX_USERS[0].user_name]).await;
    sb.create_policy_version(&setup.policy_arn(), &setup.permissions_policy(), true)
        .await
        .unwrap();
    sb.clear_calls();
    let report = execute(&sb, &plan_teardown(&sb, &setup, &ledger).await.unwrap()).await;
    assert_eq!(report.failed(), 0);
    let granted: Vec<String> = [
        operator::connect_policy(Some(&setup)),
        operator::identity_policy(),
    ]
    .iter()
    .flat_map(|p| p["Statement"].as_array().unwrap().clone())
    .flat_map(|s| s["Action"].as_array().unwrap().clone())
    .map(|a| a.as_str().unwrap().to_string())
    .collect();
    for call in sb.calls() {
        assert!(
            granted.contains(&call),
            "{call} is not in `connect-sso permissions`"
        );
    }
}

#[test]
fn only_created_assignments_are_recorded() {
    let setup = setup();
    let outcome = |id: Option<&str>, change: Option<Change>| UserOutcome {
        requested: "someone".to_string(),
        user_id: id.map(str::to_string),
        connect_username: None,
        assignment: change,
        connect_user: None,
        problems: Vec::new(),
    };
    let users = [
        outcome(Some("u-1"), Some(Change::Created)),
        outcome(Some("u-2"), Some(Change::Unchanged)),
        outcome(Some("u-3"), Some(Change::WouldCreate)),
        outcome(None, None),
    ];
    let entries = created_assignments(&setup, "arn:app", &users, now());
    assert_eq!(
        entries,
        [LedgerEntry {
            application_arn: "arn:app".to_string(),
            principal_id: "u-1".to_string(),
            principal_type: crate::cloud::PrincipalType::User,
            user_name: "someone".to_string(),
            instance_id: SANDBOX_INSTANCE_ID.to_string(),
            created_at: "2025-03-04T05:06:07Z".to_string(),
        }]
    );
}

#[test]
fn items_serialize_without_their_target() {
    let item = Item::new(
        ItemKind::SamlProvider,
        "IdC",
        Some("arn:aws:iam::1:saml-provider/IdC".to_string()),
        Action::AlreadyGone,
        "it does not exist",
    )
    .with_target(Target::SamlProvider {
        arn: "x".to_string(),
    });
    assert_eq!(
        serde_json::to_value(&item).unwrap(),
        json!({
            "kind": "saml_provider",
            "name": "IdC",
            "arn": "arn:aws:iam::1:saml-provider/IdC",
            "action": "already_gone",
            "reason": "it does not exist",
            "details": [],
            "warnings": [],
            "error": null
        })
    );
}
