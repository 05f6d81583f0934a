//! The seeded account: its constants, users, groups and generated ids.

use super::*;

#[test]
fn sandbox_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Sandbox>();
}

#[test]
fn seed_constants_agree_with_each_other() {
    assert_eq!(
        SANDBOX_INSTANCE_ARN,
        format!(
            "arn:aws:connect:{SANDBOX_REGION}:{SANDBOX_ACCOUNT}:instance/{SANDBOX_INSTANCE_ID}"
        )
    );
    assert_eq!(
        SANDBOX_LEGACY_INSTANCE_ARN,
        format!(
            "arn:aws:connect:{SANDBOX_REGION}:{SANDBOX_ACCOUNT}:instance/{SANDBOX_LEGACY_INSTANCE_ID}"
        )
    );
    assert!(SANDBOX_CALLER_ARN.contains(SANDBOX_ACCOUNT));
    assert!(
        SANDBOX_SECURITY_PROFILES
            .iter()
            .any(|(n, id)| *n == "Agent" && *id == SANDBOX_AGENT_SECURITY_PROFILE_ID)
    );
    for id in [
        SANDBOX_INSTANCE_ID,
        SANDBOX_LEGACY_INSTANCE_ID,
        SANDBOX_ROUTING_PROFILE_ID,
    ]
    .into_iter()
    .chain(SANDBOX_SECURITY_PROFILES.iter().map(|(_, id)| *id))
    {
        assert!(crate::domain::input::InstanceId::parse(id).is_ok(), "{id}");
    }
    assert!(SANDBOX_USERS.iter().any(|u| u.user_name != u.email));
    assert!(
        SANDBOX_USERS
            .iter()
            .any(|u| u.email == "Li.Wei@Example.com")
    );
    assert!(
        SANDBOX_USERS
            .iter()
            .any(|u| u.email == SANDBOX_EXISTING_CONNECT_USERNAME)
    );
}

#[tokio::test]
async fn seed_is_a_realistic_account() {
    let sb = Sandbox::new();
    for context in [Context::Identity, Context::Connect] {
        let me = sb.caller_identity(context).await.unwrap();
        assert_eq!(me.account, SANDBOX_ACCOUNT);
        assert_eq!(me.arn, SANDBOX_CALLER_ARN);
    }
    let idc = sb.list_idc_instances().await.unwrap();
    assert_eq!(idc.len(), 1);
    assert_eq!(idc[0].instance_arn, SANDBOX_IDC_INSTANCE_ARN);
    assert_eq!(idc[0].identity_store_id, SANDBOX_IDENTITY_STORE_ID);

    let users = sb.list_users(SANDBOX_IDENTITY_STORE_ID).await.unwrap();
    assert_eq!(users.len(), 6);
    assert!(
        users
            .iter()
            .all(|u| u.given_name.is_some() && u.family_name.is_some() && u.emails.len() == 1)
    );

    let instances = sb.list_connect_instances().await.unwrap();
    let types: Vec<(&str, &str)> = instances
        .iter()
        .map(|i| {
            (
                i.alias.as_deref().unwrap(),
                i.identity_management_type.as_str(),
            )
        })
        .collect();
    assert_eq!(
        types,
        [
            (SANDBOX_INSTANCE_ALIAS, "SAML"),
            (SANDBOX_LEGACY_INSTANCE_ALIAS, "CONNECT_MANAGED")
        ]
    );
    assert!(instances.iter().all(|i| i.status == "ACTIVE"));

    let profiles = sb
        .list_security_profiles(SANDBOX_INSTANCE_ID)
        .await
        .unwrap();
    let names: Vec<&str> = profiles.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        ["Admin", "Agent", "CallCenterManager", "QualityAnalyst"]
    );
    let routing = sb.list_routing_profiles(SANDBOX_INSTANCE_ID).await.unwrap();
    assert_eq!(
        routing,
        [named(SANDBOX_ROUTING_PROFILE_ID, "Basic Routing Profile")]
    );

    let maria = sb
        .search_connect_user(SANDBOX_INSTANCE_ID, SANDBOX_EXISTING_CONNECT_USERNAME)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(maria.id, SANDBOX_EXISTING_CONNECT_USER_ID);
    assert_eq!(
        maria.arn,
        format!("{SANDBOX_INSTANCE_ARN}/agent/{SANDBOX_EXISTING_CONNECT_USER_ID}")
    );

    assert!(
        sb.list_applications(SANDBOX_IDC_INSTANCE_ARN)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(sb.list_roles().await.unwrap().is_empty());
    let snapshot = sb.snapshot();
    assert!(snapshot.saml_providers.is_empty());
    assert!(snapshot.policies.is_empty());
    assert!(snapshot.roles.is_empty());
    assert!(snapshot.applications.is_empty());
}

#[test]
fn seeded_groups_hold_seeded_users() {
    let mut ids = HashSet::new();
    for g in SANDBOX_GROUPS {
        assert!(ids.insert(g.group_id), "{}", g.group_id);
        assert!(g.group_id.starts_with("9067c0ffee-"), "{}", g.group_id);
        assert!(
            is_uuid(&g.group_id["9067c0ffee-".len()..]),
            "{}",
            g.group_id
        );
        assert!(!g.member_ids.is_empty());
        for m in g.member_ids {
            assert!(SANDBOX_USERS.iter().any(|u| u.user_id == *m), "{m}");
        }
    }
    assert!(SANDBOX_USERS.iter().all(|u| !ids.contains(u.user_id)));
}

#[test]
fn generated_ids_have_aws_shapes() {
    let id = derived_uuid("x");
    assert!(is_uuid(&id));
    assert_eq!(&id[14..15], "4");
    assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"));
    assert_ne!(derived_uuid("x"), derived_uuid("y"));
}
