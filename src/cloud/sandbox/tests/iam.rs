//! IAM: names, policy documents, versions, roles, SAML providers, tags and deletes.

use super::*;

#[tokio::test]
async fn iam_names_are_validated_as_iam_does() {
    let sb = Sandbox::new();
    let t = trust("arn:aws:iam::999999999999:saml-provider/Other");
    sb.create_role(&"r".repeat(64), &t, &[]).await.unwrap();
    let message = is_invalid(sb.create_role(&"r".repeat(65), &t, &[]).await);
    assert!(
        message.contains("'roleName'") && message.contains("less than or equal to 64"),
        "{message}"
    );
    let message = is_invalid(sb.create_role("has space", &t, &[]).await);
    assert!(message.contains(r"[\w+=,.@-]+"), "{message}");
    is_invalid(sb.create_role("", &t, &[]).await);
    is_invalid(sb.get_role("bad/name").await);

    sb.create_policy(&"p".repeat(128), &permissions(), &[])
        .await
        .unwrap();
    is_invalid(
        sb.create_policy(&"p".repeat(129), &permissions(), &[])
            .await,
    );
    is_invalid(sb.create_policy("naïve", &permissions(), &[]).await);

    let message = is_invalid(sb.create_saml_provider("a+b", METADATA, &[]).await);
    assert!(message.contains(r"[\w._-]+"), "{message}");
    sb.create_saml_provider(&"s".repeat(128), METADATA, &[])
        .await
        .unwrap();
    is_invalid(
        sb.create_saml_provider(&"s".repeat(129), METADATA, &[])
            .await,
    );
}

#[tokio::test]
async fn malformed_policy_documents_are_refused() {
    let sb = Sandbox::new();
    let cases = [
        (json!("a string"), "Syntax errors"),
        (json!({"Statement": []}), "Version"),
        (
            json!({"Version": "2012-10-18", "Statement": []}),
            "legacy parsing",
        ),
        (json!({"Version": "2012-10-17"}), "Statement"),
        (
            json!({"Version": "2012-10-17", "Statement": "Allow"}),
            "Syntax errors",
        ),
        (
            json!({"Version": "2012-10-17", "Statement": [1]}),
            "Syntax errors",
        ),
        (
            json!({"Version": "2012-10-17", "Statement": {"Effect": "allow", "Action": "s3:*", "Resource": "*"}}),
            "Invalid effect: allow",
        ),
        (
            json!({"Version": "2012-10-17", "Statement": [{"Action": "s3:*", "Resource": "*"}]}),
            "Effect",
        ),
        (
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*"}]}),
            "must contain actions",
        ),
        (
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "GetFederationToken", "Resource": "*"}]}),
            "prefaced by a vendor",
        ),
        (
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*"}]}),
            "must contain resources",
        ),
        (
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Principal": "*"}]}),
            "should not specify a principal",
        ),
        (
            json!({"Version": "2012-10-17", "Statement": [
                {"Sid": "A", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
                {"Sid": "A", "Effect": "Deny", "Action": "s3:*", "Resource": "*"}
            ]}),
            "must be unique",
        ),
    ];
    for (doc, expected) in cases {
        let message = is_invalid(sb.create_policy("P", &doc, &[]).await);
        assert!(
            message.starts_with("MalformedPolicyDocument: "),
            "{message}"
        );
        assert!(message.contains(expected), "{doc}: {message}");
    }
    // A single statement object and the 2008 version are both valid IAM.
    sb.create_policy(
        "Single",
        &json!({"Version": "2008-10-17", "Statement": {"Effect": "Deny", "NotAction": "s3:*", "NotResource": "*"}}),
        &[],
    )
    .await
    .unwrap();

    let big = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "x".repeat(6_200)}
    ]});
    assert!(matches!(
        sb.create_policy("Big", &big, &[]).await,
        Err(CloudError::LimitExceeded { .. })
    ));
    assert!(
        sb.snapshot()
            .policies
            .iter()
            .all(|p| p.policy.name == "Single")
    );
}

#[tokio::test]
async fn trust_policies_need_a_principal_that_exists() {
    let sb = Sandbox::new();
    let provider = iam_arn("saml-provider", "IdC");
    // IAM resolves the federated principal: the provider must exist first (6a before 6c).
    let message = is_invalid(sb.create_role("Fed", &trust(&provider), &[]).await);
    assert!(message.contains("Invalid principal in policy"), "{message}");
    sb.create_saml_provider("IdC", METADATA, &[]).await.unwrap();
    sb.create_role("Fed", &trust(&provider), &[]).await.unwrap();

    let mut with_resource = trust(&provider);
    with_resource["Statement"][0]["Resource"] = json!("*");
    let message = is_invalid(sb.update_assume_role_policy("Fed", &with_resource).await);
    assert!(message.contains("prohibited field Resource"), "{message}");
    let mut no_principal = trust(&provider);
    no_principal["Statement"][0]
        .as_object_mut()
        .unwrap()
        .remove("Principal");
    let message = is_invalid(sb.update_assume_role_policy("Fed", &no_principal).await);
    assert!(message.contains("Principal"), "{message}");
    // A permissions policy is not a trust policy.
    is_invalid(sb.update_assume_role_policy("Fed", &permissions()).await);

    let many: Vec<String> = (0..60)
        .map(|i| format!("https://region-{i}.signin.aws.amazon.com/saml"))
        .collect();
    let huge = crate::domain::policy::trust_policy(&provider, &many);
    assert!(matches!(
        sb.update_assume_role_policy("Fed", &huge).await,
        Err(CloudError::LimitExceeded { .. })
    ));
    assert_eq!(
        sb.get_role("Fed").await.unwrap().unwrap().trust_policy,
        trust(&provider)
    );
}

#[tokio::test]
async fn policy_versions_behave_like_iam() {
    let sb = Sandbox::new();
    let arn = sb.create_policy("Fed", &permissions(), &[]).await.unwrap();
    let doc = |n: u32| {
        json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "connect:GetFederationToken", "Resource": format!("r{n}")}
        ]})
    };
    for n in 2..=5 {
        assert_eq!(
            sb.create_policy_version(&arn, &doc(n), false)
                .await
                .unwrap(),
            format!("v{n}")
        );
    }
    let versions = sb.list_policy_versions(&arn).await.unwrap();
    let ids: Vec<&str> = versions.iter().map(|v| v.version_id.as_str()).collect();
    assert_eq!(ids, ["v5", "v4", "v3", "v2", "v1"], "newest first");
    assert!(versions.windows(2).all(|w| w[0].created > w[1].created));
    assert_eq!(
        versions.iter().filter(|v| v.is_default).count(),
        1,
        "exactly one default"
    );
    assert!(matches!(
        sb.create_policy_version(&arn, &doc(6), true).await,
        Err(CloudError::LimitExceeded { .. })
    ));
    let message = is_invalid(sb.delete_policy_version(&arn, "v1").await);
    assert!(message.contains("default version"), "{message}");
    sb.delete_policy_version(&arn, "v2").await.unwrap();
    is_not_found(sb.delete_policy_version(&arn, "v2").await);
    is_not_found(sb.get_policy_version(&arn, "v2").await);
    // IAM never reuses a version number.
    assert_eq!(
        sb.create_policy_version(&arn, &doc(6), true).await.unwrap(),
        "v6"
    );
    let policy = sb.get_policy(&arn).await.unwrap().unwrap();
    assert_eq!(policy.default_version_id, "v6");
    assert_eq!(sb.get_policy_version(&arn, "v6").await.unwrap(), doc(6));
    sb.delete_policy_version(&arn, "v1").await.unwrap();

    is_invalid(sb.get_policy_version(&arn, "1").await);
    is_invalid(sb.get_policy_version(&arn, "v0").await);
    is_invalid(sb.get_policy("not-an-arn").await);
    let missing = iam_arn("policy", "Missing");
    assert_eq!(sb.get_policy(&missing).await.unwrap(), None);
    is_not_found(sb.list_policy_versions(&missing).await);
    is_not_found(sb.create_policy_version(&missing, &doc(1), true).await);
    is_not_found(sb.delete_policy_version(&missing, "v1").await);
    // Another account's policy is nothing this account holds.
    assert_eq!(
        sb.get_policy("arn:aws:iam::999999999999:policy/Fed")
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn iam_names_ignore_case() {
    let (sb, provider, policy) = with_iam().await;
    assert!(matches!(
        sb.create_role("FED", &trust(&provider), &[]).await,
        Err(CloudError::AlreadyExists { .. })
    ));
    assert!(matches!(
        sb.create_policy("fed", &permissions(), &[]).await,
        Err(CloudError::AlreadyExists { .. })
    ));
    let role = sb.get_role("fed").await.unwrap().unwrap();
    assert_eq!(role.name, "Fed");
    assert_eq!(role.arn, "arn:aws:iam::111122223333:role/Fed");
    let by_other_case = policy.replace("/Fed", "/FED");
    assert_eq!(
        sb.get_policy(&by_other_case).await.unwrap().unwrap().arn,
        policy
    );
    // SAML provider names are not among the case-insensitive ones.
    sb.create_saml_provider("idc", METADATA, &[]).await.unwrap();
}

#[tokio::test]
async fn roles_attach_and_list_like_iam() {
    let (sb, provider, policy) = with_iam().await;
    sb.attach_role_policy("Fed", &policy).await.unwrap();
    sb.attach_role_policy("Fed", &policy).await.unwrap();
    assert_eq!(
        sb.list_attached_role_policies("Fed").await.unwrap(),
        [AttachedPolicy {
            name: "Fed".to_string(),
            arn: policy.clone()
        }]
    );
    is_not_found(
        sb.attach_role_policy("Fed", &iam_arn("policy", "Missing"))
            .await,
    );
    is_not_found(
        sb.attach_role_policy("Fed", "arn:aws:iam::aws:policy/AdministratorAccess")
            .await,
    );
    is_invalid(sb.attach_role_policy("Fed", "AdministratorAccess").await);
    for n in 2..=10 {
        let arn = sb
            .create_policy(&format!("Extra{n}"), &permissions(), &[])
            .await
            .unwrap();
        sb.attach_role_policy("Fed", &arn).await.unwrap();
    }
    let eleventh = sb
        .create_policy("Extra11", &permissions(), &[])
        .await
        .unwrap();
    assert!(matches!(
        sb.attach_role_policy("Fed", &eleventh).await,
        Err(CloudError::LimitExceeded { .. })
    ));

    sb.create_role("another", &trust(&provider), &[])
        .await
        .unwrap();
    let roles = sb.list_roles().await.unwrap();
    let names: Vec<&str> = roles.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["another", "Fed"]);
    // ListRoles leaves tags out; GetRole has them.
    assert!(roles.iter().all(|r| r.tags.is_empty()));
    assert_eq!(
        sb.get_role("Fed").await.unwrap().unwrap().tags,
        managed_tags(SANDBOX_INSTANCE_ID)
    );

    let missing = "Missing";
    assert_eq!(sb.get_role(missing).await.unwrap(), None);
    is_not_found(
        sb.update_assume_role_policy(missing, &trust(&provider))
            .await,
    );
    is_not_found(sb.list_attached_role_policies(missing).await);
    is_not_found(sb.list_role_policies(missing).await);
    is_not_found(sb.attach_role_policy(missing, &policy).await);
}

#[tokio::test]
async fn inline_policies_can_be_simulated() {
    let (sb, _, _) = with_iam().await;
    assert!(sb.list_role_policies("Fed").await.unwrap().is_empty());
    sb.simulate_put_role_policy("Fed", "Extra", &permissions())
        .unwrap();
    sb.simulate_put_role_policy("Fed", "Extra", &permissions())
        .unwrap();
    sb.simulate_put_role_policy("Fed", "Another", &permissions())
        .unwrap();
    assert_eq!(
        sb.list_role_policies("Fed").await.unwrap(),
        ["Another", "Extra"]
    );
    is_not_found(sb.simulate_put_role_policy("Missing", "X", &permissions()));
    is_invalid(sb.simulate_put_role_policy("Fed", "X", &json!({})));
    assert!(!sb.calls().contains(&"iam:PutRolePolicy".to_string()));
}

#[tokio::test]
async fn saml_providers_validate_metadata_and_arns() {
    let sb = Sandbox::new();
    let message = is_invalid(sb.create_saml_provider("IdC", "<xml/>", &[]).await);
    assert!(message.starts_with("Could not parse metadata"), "{message}");
    let not_metadata = format!("<html><body>{}</body></html>", " ".repeat(1_000));
    is_invalid(sb.create_saml_provider("IdC", &not_metadata, &[]).await);
    assert!(sb.snapshot().saml_providers.is_empty());

    let arn = sb.create_saml_provider("IdC", METADATA, &[]).await.unwrap();
    is_invalid(sb.update_saml_provider(&arn, "short").await);
    is_not_found(
        sb.update_saml_provider(&iam_arn("saml-provider", "Missing"), METADATA)
            .await,
    );
    is_invalid(sb.get_saml_provider("saml-provider/IdC").await);
    assert_eq!(
        sb.get_saml_provider("arn:aws:iam::999999999999:saml-provider/IdC")
            .await
            .unwrap(),
        None
    );
    // A role ARN is not a provider ARN.
    assert_eq!(
        sb.get_saml_provider(&iam_arn("role", "IdC")).await.unwrap(),
        None
    );
}

#[tokio::test]
async fn tags_are_validated_as_iam_does() {
    let sb = Sandbox::new();
    let message = is_invalid(
        sb.create_policy(
            "P",
            &permissions(),
            &[Tag::new("Team", "a"), Tag::new("team", "b")],
        )
        .await,
    );
    assert!(message.contains("case insensitive"), "{message}");
    is_invalid(
        sb.create_policy("P", &permissions(), &[Tag::new("aws:owner", "me")])
            .await,
    );
    is_invalid(
        sb.create_policy("P", &permissions(), &[Tag::new("", "x")])
            .await,
    );
    is_invalid(
        sb.create_policy("P", &permissions(), &[Tag::new("k", &"v".repeat(257))])
            .await,
    );
    is_invalid(
        sb.create_policy("P", &permissions(), &[Tag::new("semi;colon", "x")])
            .await,
    );
    let many: Vec<Tag> = (0..51).map(|i| Tag::new(&format!("k{i}"), "v")).collect();
    is_invalid(sb.create_policy("P", &permissions(), &many).await);
    let tags = vec![
        Tag::new("Cost Center", "12:34/ab=c+d-e@f_g.h"),
        Tag::new("e", ""),
    ];
    let arn = sb.create_policy("P", &permissions(), &tags).await.unwrap();
    assert_eq!(sb.get_policy(&arn).await.unwrap().unwrap().tags, tags);
}

#[tokio::test]
async fn deletes_follow_iam_rules() {
    let (sb, provider, policy) = with_iam().await;
    sb.attach_role_policy("Fed", &policy).await.unwrap();
    sb.create_policy_version(&policy, &permissions(), true)
        .await
        .unwrap();
    assert_eq!(
        sb.list_entities_for_policy(&policy).await.unwrap(),
        PolicyEntities {
            roles: vec!["Fed".to_string()],
            ..PolicyEntities::default()
        }
    );

    // A role with a policy attached, or an inline policy, stays.
    let message = is_delete_conflict(sb.delete_role("Fed").await);
    assert!(message.contains("detach all policies"), "{message}");
    // A policy attached to a role, or with versions besides the default, stays.
    let message = is_delete_conflict(sb.delete_policy(&policy).await);
    assert!(message.contains("attached to entities"), "{message}");
    sb.detach_role_policy("Fed", &policy).await.unwrap();
    is_not_found(sb.detach_role_policy("Fed", &policy).await);
    assert_eq!(
        sb.list_entities_for_policy(&policy).await.unwrap(),
        PolicyEntities::default()
    );
    let message = is_delete_conflict(sb.delete_policy(&policy).await);
    assert!(message.contains("more than one version"), "{message}");
    sb.delete_policy_version(&policy, "v1").await.unwrap();
    sb.delete_policy(&policy).await.unwrap();
    assert_eq!(sb.get_policy(&policy).await.unwrap(), None);
    is_not_found(sb.delete_policy(&policy).await);
    is_not_found(sb.list_entities_for_policy(&policy).await);

    sb.simulate_put_role_policy("Fed", "Extra", &permissions())
        .unwrap();
    let message = is_delete_conflict(sb.delete_role("FED").await);
    assert!(message.contains("delete policies first"), "{message}");
    sb.lock().roles[0].inline.clear();
    sb.delete_role("FED").await.unwrap();
    assert_eq!(sb.get_role("Fed").await.unwrap(), None);
    is_not_found(sb.delete_role("Fed").await);

    // IAM deletes a provider even while a role trusts it.
    sb.delete_saml_provider(&provider).await.unwrap();
    assert_eq!(sb.get_saml_provider(&provider).await.unwrap(), None);
    is_not_found(sb.delete_saml_provider(&provider).await);
    is_invalid(sb.delete_saml_provider("saml-provider/IdC").await);
    assert!(sb.snapshot().saml_providers.is_empty());

    let calls = sb.calls();
    for action in [
        "iam:DeleteRole",
        "iam:DeletePolicy",
        "iam:DetachRolePolicy",
        "iam:DeleteSAMLProvider",
        "iam:ListEntitiesForPolicy",
    ] {
        assert!(calls.iter().any(|c| c == action), "{action} not recorded");
    }
}
