//! Amazon Connect: instances by id or ARN, users as Connect validates them.

use super::*;

#[tokio::test]
async fn connect_instances_are_found_by_id_or_arn() {
    let sb = Sandbox::new();
    let by_id = sb
        .describe_connect_instance(SANDBOX_INSTANCE_ID)
        .await
        .unwrap();
    let by_arn = sb
        .describe_connect_instance(SANDBOX_INSTANCE_ARN)
        .await
        .unwrap();
    assert_eq!(by_id, by_arn);
    assert_eq!(by_id.unwrap().identity_management_type, "SAML");
    let legacy = sb
        .describe_connect_instance(SANDBOX_LEGACY_INSTANCE_ID)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(legacy.identity_management_type, "CONNECT_MANAGED");
    let missing = "00000000-0000-4000-8000-000000000000";
    assert_eq!(sb.describe_connect_instance(missing).await.unwrap(), None);
    is_not_found(sb.search_connect_user(missing, "x").await);
    is_not_found(sb.list_security_profiles(missing).await);
    is_not_found(sb.list_routing_profiles(missing).await);
    is_invalid(sb.describe_connect_instance("").await);
}

#[tokio::test]
async fn connect_users_follow_connect_rules() {
    let sb = Sandbox::new();
    let id = SANDBOX_INSTANCE_ID;
    // SearchUsers EXACT is case-sensitive.
    assert_eq!(
        sb.search_connect_user(id, "Maria.Garcia@example.com")
            .await
            .unwrap(),
        None
    );
    let created = sb
        .create_connect_user(id, &new_user("kwame.mensah@example.com"))
        .await
        .unwrap();
    assert!(is_uuid(&created.id), "{}", created.id);
    assert_eq!(
        created.arn,
        format!("{SANDBOX_INSTANCE_ARN}/agent/{}", created.id)
    );
    assert_eq!(
        sb.search_connect_user(id, "kwame.mensah@example.com")
            .await
            .unwrap(),
        Some(created)
    );
    assert!(matches!(
        sb.create_connect_user(id, &new_user(SANDBOX_EXISTING_CONNECT_USERNAME))
            .await,
        Err(CloudError::AlreadyExists { .. })
    ));
    // Only the case differs: a different Connect user.
    sb.create_connect_user(id, &new_user("Kwame.Mensah@example.com"))
        .await
        .unwrap();

    is_invalid(sb.create_connect_user(id, &new_user("kwame mensah")).await);
    is_invalid(sb.create_connect_user(id, &new_user("")).await);
    is_invalid(
        sb.create_connect_user(id, &new_user(&"a".repeat(101)))
            .await,
    );
    sb.create_connect_user(id, &new_user(&"a".repeat(100)))
        .await
        .unwrap();

    let mut no_name = new_user("x1");
    no_name.first_name.clear();
    is_invalid(sb.create_connect_user(id, &no_name).await);
    let mut no_profiles = new_user("x2");
    no_profiles.security_profile_ids.clear();
    is_invalid(sb.create_connect_user(id, &no_profiles).await);
    let mut bad_profile = new_user("x3");
    bad_profile.security_profile_ids.push("nope".to_string());
    is_not_found(sb.create_connect_user(id, &bad_profile).await);
    let mut bad_routing = new_user("x4");
    bad_routing.routing_profile_id = "nope".to_string();
    is_not_found(sb.create_connect_user(id, &bad_routing).await);

    // The legacy instance's own profiles, but no password: refused as on AWS.
    let legacy = SANDBOX_LEGACY_INSTANCE_ID;
    let profiles = sb.list_security_profiles(legacy).await.unwrap();
    let routing = sb.list_routing_profiles(legacy).await.unwrap();
    let mut user = new_user("x5");
    user.security_profile_ids = vec![profiles[1].id.clone()];
    user.routing_profile_id = routing[0].id.clone();
    let message = is_invalid(sb.create_connect_user(legacy, &user).await);
    assert!(message.contains("CONNECT_MANAGED"), "{message}");

    let users = &sb.snapshot().connect_instances[0].users;
    assert_eq!(users.len(), 4);
}
