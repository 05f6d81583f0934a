//! IAM Identity Center and its identity store: lookups, applications, assignments, groups.

use super::*;

#[tokio::test]
async fn identity_store_lookups_follow_identity_center() {
    let sb = Sandbox::new();
    let store = SANDBOX_IDENTITY_STORE_ID;
    let maria = SANDBOX_USERS[0].user_id;
    // User names match exactly; emails regardless of case.
    assert_eq!(
        sb.user_id_by_user_name(store, "maria.garcia@example.com")
            .await
            .unwrap()
            .as_deref(),
        Some(maria)
    );
    assert_eq!(
        sb.user_id_by_user_name(store, "Maria.Garcia@example.com")
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        sb.user_id_by_email(store, "MARIA.GARCIA@EXAMPLE.COM")
            .await
            .unwrap()
            .as_deref(),
        Some(maria)
    );
    let li = SANDBOX_USERS[3];
    assert_eq!(
        sb.user_id_by_email(store, "li.wei@example.com")
            .await
            .unwrap()
            .as_deref(),
        Some(li.user_id)
    );
    // The user whose user name is not the email is found by either.
    let aisha = SANDBOX_USERS[2];
    assert_eq!(
        sb.user_id_by_user_name(store, aisha.user_name)
            .await
            .unwrap(),
        sb.user_id_by_email(store, aisha.email).await.unwrap()
    );
    assert_eq!(
        sb.user_id_by_email(store, "nobody@example.com")
            .await
            .unwrap(),
        None
    );

    let described = sb.describe_user(store, li.user_id).await.unwrap().unwrap();
    assert_eq!(described.display_name.as_deref(), Some("Li Wei"));
    assert_eq!(described.emails, ["Li.Wei@Example.com"]);
    assert_eq!(sb.describe_user(store, "nope").await.unwrap(), None);

    let message = is_invalid(sb.list_users("d-NOTHEX").await);
    assert!(message.contains("identityStoreId"), "{message}");
    is_not_found(sb.user_id_by_user_name("d-0123456789", "x").await);
}

#[tokio::test]
async fn applications_come_from_the_console_simulation() {
    let sb = Sandbox::new();
    let arn = sb.simulate_create_application("Amazon Connect");
    assert!(
        arn.starts_with("arn:aws:sso::111122223333:application/ssoins-7223a1b2c3d4e5f6/apl-"),
        "{arn}"
    );
    let id = arn.rsplit("apl-").next().unwrap();
    assert_eq!(id.len(), 16);
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    // The console allows two applications with one display name; the wizard warns.
    let second = sb.simulate_create_application("Amazon Connect");
    assert_ne!(arn, second);
    let apps = sb
        .list_applications(SANDBOX_IDC_INSTANCE_ARN)
        .await
        .unwrap();
    assert_eq!(apps.len(), 2);
    assert!(apps.iter().all(|a| a.name == "Amazon Connect"
        && a.provider_arn == CUSTOM_SAML_PROVIDER
        && a.status.as_deref() == Some("ENABLED")));
    assert_eq!(sb.calls(), ["sso:ListApplications"]);

    is_invalid(sb.list_applications("arn:aws:sso:::instance/bad").await);
    is_not_found(
        sb.list_applications("arn:aws:sso:::instance/ssoins-0000000000000000")
            .await,
    );
}

#[tokio::test]
async fn assignments_are_created_once() {
    let sb = Sandbox::new();
    let app = sb.simulate_create_application("Amazon Connect");
    let kwame = SANDBOX_USERS[1].user_id;
    assert!(
        sb.list_application_assignments(&app)
            .await
            .unwrap()
            .is_empty()
    );
    sb.create_application_assignment(&app, PrincipalType::User, kwame)
        .await
        .unwrap();
    assert_eq!(
        sb.list_application_assignments(&app).await.unwrap(),
        [ApplicationAssignment {
            principal_id: kwame.to_string(),
            principal_type: "USER".to_string()
        }]
    );
    assert!(matches!(
        sb.create_application_assignment(&app, PrincipalType::User, kwame)
            .await,
        Err(CloudError::AlreadyExists { .. })
    ));
    is_not_found(
        sb.create_application_assignment(&app, PrincipalType::User, "no-such-user")
            .await,
    );
    let other = format!(
        "arn:aws:sso::{SANDBOX_ACCOUNT}:application/ssoins-7223a1b2c3d4e5f6/apl-0000000000000000"
    );
    is_not_found(
        sb.create_application_assignment(&other, PrincipalType::User, kwame)
            .await,
    );
    is_not_found(sb.list_application_assignments(&other).await);
    is_invalid(sb.list_application_assignments("apl-1").await);
    assert_eq!(sb.snapshot().applications[0].assignments.len(), 1);
}

#[tokio::test]
async fn application_assignments_can_be_deleted() {
    let sb = Sandbox::new();
    let app = sb.simulate_create_application("Connect");
    let user = SANDBOX_USERS[0].user_id;
    sb.create_application_assignment(&app, PrincipalType::User, user)
        .await
        .unwrap();
    sb.delete_application_assignment(&app, PrincipalType::User, user)
        .await
        .unwrap();
    assert!(
        sb.list_application_assignments(&app)
            .await
            .unwrap()
            .is_empty()
    );
    is_not_found(
        sb.delete_application_assignment(&app, PrincipalType::User, user)
            .await,
    );
    sb.inject_fault(parse_fault("deny:sso:DeleteApplicationAssignment").unwrap());
    sb.create_application_assignment(&app, PrincipalType::User, user)
        .await
        .unwrap();
    assert!(matches!(
        sb.delete_application_assignment(&app, PrincipalType::User, user)
            .await,
        Err(CloudError::AccessDenied {
            context: Context::Identity,
            ..
        })
    ));
}

#[tokio::test]
async fn group_membership_follows_the_seed() {
    let sb = Sandbox::new();
    let store = SANDBOX_IDENTITY_STORE_ID;
    let agents = SANDBOX_GROUPS[0].group_id.to_string();
    let supervisors = SANDBOX_GROUPS[1].group_id.to_string();
    let asked = [
        supervisors.clone(),
        "no-such-group".to_string(),
        agents.clone(),
    ];
    let maria = SANDBOX_USERS[0].user_id;
    let aisha = SANDBOX_USERS[2].user_id;
    let sofia = SANDBOX_USERS[4].user_id;
    assert_eq!(
        sb.is_member_in_groups(store, maria, &asked).await.unwrap(),
        [agents.as_str()]
    );
    assert_eq!(
        sb.is_member_in_groups(store, aisha, &asked).await.unwrap(),
        [supervisors.as_str()]
    );
    assert!(
        sb.is_member_in_groups(store, sofia, &asked)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(sb.calls().len(), 3);
    // No group ids, no request; more than 100, one request per 100.
    assert!(
        sb.is_member_in_groups(store, maria, &[])
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(sb.calls().len(), 3);
    let many: Vec<String> = (0..150)
        .map(|i| format!("g-{i}"))
        .chain([agents.clone()])
        .collect();
    assert_eq!(
        sb.is_member_in_groups(store, maria, &many).await.unwrap(),
        [agents.as_str()]
    );
    assert_eq!(sb.calls().len(), 5);
    assert!(
        sb.calls()
            .iter()
            .all(|c| c == "identitystore:IsMemberInGroups")
    );

    is_not_found(sb.is_member_in_groups("d-0123456789", maria, &asked).await);
    sb.inject_fault(parse_fault("deny:identitystore:IsMemberInGroups").unwrap());
    assert!(matches!(
        sb.is_member_in_groups(store, maria, &asked).await,
        Err(CloudError::AccessDenied {
            context: Context::Identity,
            ..
        })
    ));
}

#[tokio::test]
async fn groups_are_assigned_and_unassigned_like_users() {
    let sb = Sandbox::new();
    let app = sb.simulate_create_application("Connect");
    let agents = SANDBOX_GROUPS[0].group_id;
    sb.create_application_assignment(&app, PrincipalType::Group, agents)
        .await
        .unwrap();
    assert_eq!(
        sb.list_application_assignments(&app).await.unwrap(),
        [ApplicationAssignment {
            principal_id: agents.to_string(),
            principal_type: "GROUP".to_string()
        }]
    );
    assert!(matches!(
        sb.create_application_assignment(&app, PrincipalType::Group, agents)
            .await,
        Err(CloudError::AlreadyExists { .. })
    ));
    is_not_found(
        sb.create_application_assignment(&app, PrincipalType::Group, "no-such-group")
            .await,
    );
    let other = format!(
        "arn:aws:sso::{SANDBOX_ACCOUNT}:application/ssoins-7223a1b2c3d4e5f6/apl-0000000000000000"
    );
    is_not_found(
        sb.create_application_assignment(&other, PrincipalType::Group, agents)
            .await,
    );
    // A user's id is not a group's: the principal type is part of the assignment.
    is_not_found(
        sb.create_application_assignment(&app, PrincipalType::Group, SANDBOX_USERS[0].user_id)
            .await,
    );
    is_not_found(
        sb.delete_application_assignment(&app, PrincipalType::User, agents)
            .await,
    );
    sb.delete_application_assignment(&app, PrincipalType::Group, agents)
        .await
        .unwrap();
    assert!(
        sb.list_application_assignments(&app)
            .await
            .unwrap()
            .is_empty()
    );
    is_not_found(
        sb.delete_application_assignment(&app, PrincipalType::Group, agents)
            .await,
    );
    assert_eq!(
        sb.calls()
            .iter()
            .filter(|c| c.as_str() == "sso:CreateApplicationAssignment")
            .count(),
        5
    );
}

#[tokio::test]
async fn a_group_is_described_by_its_id() {
    let sb = Sandbox::new();
    let store = SANDBOX_IDENTITY_STORE_ID;
    let agents = SANDBOX_GROUPS[0];
    let found = sb.describe_group(store, agents.group_id).await.unwrap();
    assert_eq!(
        found.map(|g| g.display_name),
        Some(agents.display_name.to_string())
    );
    assert_eq!(
        sb.describe_group(store, "no-such-group").await.unwrap(),
        None
    );
    assert!(matches!(
        sb.describe_group("d-0000000000", agents.group_id).await,
        Err(CloudError::NotFound { .. })
    ));
    assert_eq!(
        sb.calls().last().map(String::as_str),
        Some("identitystore:DescribeGroup")
    );
}

#[tokio::test]
async fn groups_are_listed_found_by_display_name_and_expanded_into_members() {
    let sb = Sandbox::new();
    let store = SANDBOX_IDENTITY_STORE_ID;
    let groups = sb.list_groups(store).await.unwrap();
    let names: Vec<&str> = groups.iter().map(|g| g.display_name.as_str()).collect();
    assert_eq!(names, ["Contact center agents", "Supervisors"]);
    let agents = sb
        .group_id_by_display_name(store, "Contact center agents")
        .await
        .unwrap();
    assert_eq!(agents.as_deref(), Some(SANDBOX_GROUPS[0].group_id));
    // Display names are compared exactly.
    assert_eq!(
        sb.group_id_by_display_name(store, "contact center agents")
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        sb.list_group_memberships(store, SANDBOX_GROUPS[0].group_id)
            .await
            .unwrap(),
        SANDBOX_GROUPS[0].member_ids
    );
    let err = sb
        .list_group_memberships(store, "9067c0ffee-00000000-0000-4000-8000-000000000000")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, CloudError::NotFound { action, .. } if action == "identitystore:ListGroupMemberships"),
        "{err:?}"
    );
    assert_eq!(
        sb.calls(),
        [
            "identitystore:ListGroups",
            "identitystore:GetGroupId",
            "identitystore:GetGroupId",
            "identitystore:ListGroupMemberships",
            "identitystore:ListGroupMemberships",
        ]
    );
}

#[tokio::test]
async fn seeded_people_are_added_once_and_kept_with_their_groups() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("account.json");
    let sb = Sandbox::seeded_at(&path, SandboxOptions::default());
    let first = sb.seed_people(1200, 480);
    assert_eq!((first.added, first.emails.len()), (1200, 1200));
    assert_eq!((first.direct.len(), first.groups.len()), (720, 1));
    assert_eq!((first.without_connect_user, first.near_misses), (120, 48));
    let again = sb.seed_people(1200, 480);
    assert_eq!(again.added, 0);
    assert!(
        again.summary().contains("nothing added"),
        "{}",
        again.summary()
    );
    let store = SANDBOX_IDENTITY_STORE_ID;
    assert_eq!(sb.list_users(store).await.unwrap().len(), 1206);
    sb.save(&path).unwrap();

    // The groups and their members come back with the account.
    let (loaded, warning) = Sandbox::load_or_seed(&path, SandboxOptions::default());
    assert_eq!(warning, None);
    let agents = loaded
        .group_id_by_display_name(store, "Agents 1")
        .await
        .unwrap();
    assert_eq!(agents.as_deref(), Some(first.groups[0].as_str()));
    let members = loaded
        .list_group_memberships(store, &first.groups[0])
        .await
        .unwrap();
    assert_eq!(members.len(), 480);
    assert_eq!(loaded.list_groups(store).await.unwrap().len(), 3);
    assert_eq!(loaded.seed_people(1200, 480).added, 0);
}
