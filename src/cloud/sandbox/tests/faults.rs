//! Injected faults and latency, and calls from many tasks at once.

use super::*;

#[tokio::test]
async fn faults_fail_matching_calls_as_often_as_asked() {
    let sb = Sandbox::with_options(SandboxOptions {
        latency: Duration::ZERO,
        faults: vec![parse_fault("throttle:iam:CreateRole:2").unwrap()],
    });
    let (provider, t) = {
        let p = sb.create_saml_provider("IdC", METADATA, &[]).await.unwrap();
        (p.clone(), trust(&p))
    };
    for _ in 0..2 {
        assert_eq!(
            sb.create_role("Fed", &t, &[]).await,
            Err(CloudError::Throttled {
                action: "iam:CreateRole".to_string()
            })
        );
    }
    assert_eq!(
        sb.create_role("Fed", &t, &[]).await.unwrap(),
        iam_arn("role", "Fed")
    );
    assert_eq!(
        sb.calls(),
        [
            "iam:CreateSAMLProvider",
            "iam:CreateRole",
            "iam:CreateRole",
            "iam:CreateRole"
        ]
    );
    assert!(sb.get_saml_provider(&provider).await.unwrap().is_some());
    sb.clear_calls();
    assert!(sb.calls().is_empty());
}

#[tokio::test]
async fn access_denied_names_the_context_and_action() {
    let sb = Sandbox::new();
    sb.inject_fault(parse_fault("deny:*").unwrap());
    match sb.list_users(SANDBOX_IDENTITY_STORE_ID).await {
        Err(CloudError::AccessDenied {
            context,
            profile,
            action,
            message,
        }) => {
            assert_eq!(context, Context::Identity);
            assert_eq!(profile, None);
            assert_eq!(action, "identitystore:ListUsers");
            assert!(message.contains(SANDBOX_CALLER_ARN), "{message}");
        }
        other => panic!("expected AccessDenied, got {other:?}"),
    }
    let denied_context = |r: CloudResult<_>| match r {
        Err(CloudError::AccessDenied { context, .. }) => context,
        other => panic!("expected AccessDenied, got {other:?}"),
    };
    assert_eq!(
        denied_context(sb.list_roles().await.map(|_| ())),
        Context::Connect
    );
    assert_eq!(
        denied_context(sb.list_connect_instances().await.map(|_| ())),
        Context::Connect
    );
    assert_eq!(
        denied_context(sb.caller_identity(Context::Identity).await.map(|_| ())),
        Context::Identity
    );
    sb.clear_faults();
    sb.list_roles().await.unwrap();
}

#[tokio::test]
async fn service_wide_faults_spare_other_services() {
    let sb = Sandbox::new();
    sb.inject_fault(Fault::new(FaultKind::AccessDenied, "connect:*", None));
    assert!(sb.list_connect_instances().await.is_err());
    assert!(
        sb.search_connect_user(SANDBOX_INSTANCE_ID, "x")
            .await
            .is_err()
    );
    sb.list_roles().await.unwrap();
    sb.list_idc_instances().await.unwrap();
}

#[tokio::test]
async fn latency_delays_every_call() {
    let latency = Duration::from_millis(40);
    let sb = Sandbox::with_options(SandboxOptions {
        latency,
        faults: Vec::new(),
    });
    let start = Instant::now();
    sb.list_roles().await.unwrap();
    sb.caller_identity(Context::Connect).await.unwrap();
    assert!(start.elapsed() >= latency * 2, "{:?}", start.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_share_one_account() {
    let sb = Arc::new(Sandbox::with_options(SandboxOptions {
        latency: Duration::from_millis(5),
        faults: Vec::new(),
    }));
    let cloud: Arc<dyn Cloud> = sb.clone();
    let tasks: Vec<_> = (0..8)
        .map(|n| {
            let cloud = cloud.clone();
            tokio::spawn(async move {
                cloud
                    .create_policy(&format!("P{n}"), &permissions(), &[])
                    .await
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(sb.snapshot().policies.len(), 8);
    assert_eq!(sb.calls().len(), 8);
}

#[test]
fn parse_fault_reads_the_cli_forms() {
    assert_eq!(
        parse_fault("throttle:iam:CreateRole"),
        Ok(Fault::new(FaultKind::Throttle, "iam:CreateRole", None))
    );
    assert_eq!(
        parse_fault("deny:iam:CreateRole"),
        Ok(Fault::new(FaultKind::AccessDenied, "iam:CreateRole", None))
    );
    assert_eq!(
        parse_fault("deny:*:2"),
        Ok(Fault::new(FaultKind::AccessDenied, "*", Some(2)))
    );
    assert_eq!(
        parse_fault(" THROTTLE:identitystore:*:3 "),
        Ok(Fault::new(FaultKind::Throttle, "identitystore:*", Some(3)))
    );
    for spec in [
        "throttle:iam:CreateRole",
        "deny:*:2",
        "deny:sso:*",
        "throttle:connect:SearchUsers:1",
    ] {
        let fault: Fault = spec.parse().unwrap();
        assert_eq!(fault.to_string(), spec);
    }
    for bad in [
        "",
        "throttle",
        "slow:iam:CreateRole",
        "deny:",
        "deny:iam",
        "deny:iam:2",
        "deny:IAM:CreateRole",
        "deny:iam:Create-Role",
        "deny:*:0",
        "deny:*:99999999999",
    ] {
        let error = parse_fault(bad).unwrap_err();
        assert!(error.contains("KIND:ACTION"), "{bad}: {error}");
    }
}

#[test]
fn fault_patterns_match_actions() {
    let all = Fault::new(FaultKind::Throttle, "*", None);
    let service = Fault::new(FaultKind::Throttle, "iam:*", None);
    let one = Fault::new(FaultKind::Throttle, "iam:CreateRole", None);
    assert!(all.matches("sts:GetCallerIdentity"));
    assert!(service.matches("iam:CreateRole") && !service.matches("identitystore:GetUserId"));
    assert!(one.matches("iam:CreateRole") && !one.matches("iam:CreateRoles"));
}

#[test]
fn quota_faults_read_without_a_count() {
    assert_eq!(
        parse_fault("quota:*"),
        Ok(Fault::new(FaultKind::Quota, "*", None))
    );
    assert_eq!(
        parse_fault("quota:connect:*").unwrap().to_string(),
        "quota:connect:*"
    );
    let err = parse_fault("quota:connect:SearchUsers:3").unwrap_err();
    assert!(err.contains("takes no count"), "{err}");
}

/// AWS's quotas enforced: Connect's 2 a second with a burst of 5 per operation; the sixth
/// call at once is throttled, and after waiting for the bucket to refill calls pass again.
#[tokio::test(start_paused = true)]
async fn enforced_quotas_throttle_a_caller_that_goes_too_fast_then_let_it_through() {
    let sb = Sandbox::with_options(SandboxOptions {
        latency: Duration::ZERO,
        faults: vec![parse_fault("quota:*").unwrap()],
    });
    // A caller without connect-sso's pacer and backoff.
    sb.bypass_client_limits();
    let search = || sb.search_connect_user(SANDBOX_INSTANCE_ID, "maria.garcia@example.com");
    for _ in 0..5 {
        assert!(search().await.is_ok());
    }
    assert_eq!(
        search().await,
        Err(CloudError::Throttled {
            action: "connect:SearchUsers".to_string()
        })
    );
    // Another operation has a bucket of its own.
    assert!(sb.list_connect_users(SANDBOX_INSTANCE_ID).await.is_ok());
    tokio::time::advance(Duration::from_millis(500)).await;
    assert!(search().await.is_ok());
    assert!(search().await.is_err());
    // The identity store shares 20 a second among all of its operations.
    for _ in 0..20 {
        sb.describe_user(SANDBOX_IDENTITY_STORE_ID, SANDBOX_USERS[0].user_id)
            .await
            .unwrap();
    }
    assert!(sb.list_users(SANDBOX_IDENTITY_STORE_ID).await.is_err());
    assert_eq!(sb.throttled_calls(), 3);
    // IAM is not limited.
    for _ in 0..30 {
        sb.list_roles().await.unwrap();
    }
}

/// With the quotas enforced, calls go through the client's pacer and backoff as on AWS:
/// thirty searches at once all succeed, at Connect's rate.
#[tokio::test(start_paused = true)]
async fn enforced_quotas_pace_the_client_so_every_call_passes() {
    let sb = std::sync::Arc::new(Sandbox::with_options(SandboxOptions {
        latency: Duration::from_millis(50),
        faults: vec![parse_fault("quota:*").unwrap()],
    }));
    let start = tokio::time::Instant::now();
    let tasks: Vec<_> = (0..30)
        .map(|_| {
            let sb = sb.clone();
            tokio::spawn(async move {
                sb.search_connect_user(SANDBOX_INSTANCE_ID, "maria.garcia@example.com")
                    .await
            })
        })
        .collect();
    for t in tasks {
        assert!(t.await.unwrap().is_ok());
    }
    assert_eq!(sb.throttled_calls(), 0);
    // Five in the burst, then 25 at two a second, each answered 50 ms later.
    assert_eq!(start.elapsed(), Duration::from_millis(12_550));
    assert_eq!(sb.client_limits().map(|l| l.retries()), Some(0));
}

/// A client with a pacer retries what AWS throttles anyway (here an injected fault).
#[tokio::test(start_paused = true)]
async fn a_pacing_client_retries_throttled_calls_with_backoff() {
    let sb = Sandbox::with_options(SandboxOptions {
        latency: Duration::ZERO,
        faults: vec![parse_fault("throttle:iam:ListRoles:2").unwrap()],
    });
    sb.set_max_rps(&crate::cloud::limits::MaxRps::default());
    assert!(sb.list_roles().await.is_ok());
    assert_eq!(sb.calls(), ["iam:ListRoles"; 3]);
    assert_eq!(sb.throttled_calls(), 2);
    assert_eq!(sb.client_limits().map(|l| l.retries()), Some(2));
}
