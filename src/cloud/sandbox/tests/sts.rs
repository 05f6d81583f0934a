//! STS's AssumeRoleWithSAML and Connect's GetFederationToken as the sandbox evaluates them:
//! the request's own checks, and sessions that only this process's sandbox accepts.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use time::OffsetDateTime;

use super::*;
use crate::cloud::TemporaryCredentials;
use crate::domain::assertion::testkit::{self, Sign, Spec, idc_key};
use crate::domain::setup::ROLE_ATTRIBUTE;

const ROLE: &str = "arn:aws:iam::111122223333:role/Fed";

/// A sandbox after step 6 with the test key's metadata, and its provider's ARN.
async fn signed_in_setup() -> (Sandbox, String) {
    let sb = Sandbox::new();
    let md = testkit::metadata(&idc_key().cert_der, testkit::ISSUER);
    let provider = sb.create_saml_provider("IdC", &md, &[]).await.unwrap();
    let policy = sb.create_policy("Fed", &permissions(), &[]).await.unwrap();
    sb.create_role("Fed", &trust(&provider), &[]).await.unwrap();
    sb.attach_role_policy("Fed", &policy).await.unwrap();
    (sb, provider)
}

/// Each with IDs of its own, since STS accepts one once.
fn response(provider: &str, user: &str) -> Spec {
    Spec::new(
        ROLE,
        provider,
        user,
        OffsetDateTime::now_utc() - time::Duration::minutes(1),
    )
    .unique()
}

fn b64(spec: &Spec) -> String {
    STANDARD.encode(testkit::signed(spec, idc_key(), Sign::Assertion))
}

fn code_of<T: fmt::Debug>(r: CloudResult<T>) -> (String, String) {
    match r {
        Err(CloudError::SignInRefused { code, message, .. }) => (code, message),
        other => panic!("expected SignInRefused, got {other:?}"),
    }
}

#[tokio::test]
async fn a_good_response_gives_a_session_connect_accepts() {
    let (sb, provider) = signed_in_setup().await;
    let spec = response(&provider, SANDBOX_EXISTING_CONNECT_USERNAME);
    let creds = sb
        .assume_role_with_saml(ROLE, &provider, &b64(&spec), 900)
        .await
        .unwrap();
    assert_eq!(
        creds.assumed_role_arn,
        format!("arn:aws:sts::111122223333:assumed-role/Fed/{SANDBOX_EXISTING_CONNECT_USERNAME}")
    );
    assert!(creds.access_key_id().starts_with("ASIA"));
    assert_eq!(
        creds.audience.as_deref(),
        Some("https://signin.aws.amazon.com/saml")
    );
    let expires = creds.expiration.unwrap() - OffsetDateTime::now_utc().unix_timestamp();
    assert!((890..=900).contains(&expires), "{expires}");
    let token = sb
        .get_federation_token(SANDBOX_INSTANCE_ID, &creds)
        .await
        .unwrap();
    assert_eq!(token.user_id, SANDBOX_EXISTING_CONNECT_USER_ID);
    // Two sessions never share secrets.
    let fresh = response(&provider, SANDBOX_EXISTING_CONNECT_USERNAME);
    let again = sb
        .assume_role_with_saml(ROLE, &provider, &b64(&fresh), 900)
        .await
        .unwrap();
    assert_ne!(again.secret_access_key(), creds.secret_access_key());
    assert_ne!(again.session_token(), creds.session_token());
}

#[tokio::test]
async fn an_assertion_is_accepted_once_in_this_run_and_the_next() {
    let (sb, provider) = signed_in_setup().await;
    let spec = response(&provider, SANDBOX_EXISTING_CONNECT_USERNAME);
    sb.assume_role_with_saml(ROLE, &provider, &b64(&spec), 900)
        .await
        .unwrap();
    let (code, message) = code_of(
        sb.assume_role_with_saml(ROLE, &provider, &b64(&spec), 900)
            .await,
    );
    assert_eq!(code, "InvalidIdentityToken");
    assert!(
        message.contains(&format!("{} was already used", spec.assertion_id)),
        "{message}"
    );
    // A refused response is not spent: fixed, it is accepted.
    let other = response(&provider, SANDBOX_EXISTING_CONNECT_USERNAME);
    let (code, _) = code_of(
        sb.assume_role_with_saml(ROLE, &provider, &b64(&other), 7200)
            .await,
    );
    assert_eq!(code, "ValidationError");
    sb.assume_role_with_saml(ROLE, &provider, &b64(&other), 900)
        .await
        .unwrap();

    // Kept in the saved account: the next run refuses it too.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("account.json");
    sb.save(&path).unwrap();
    let (next, warning) = Sandbox::load_or_seed(&path, SandboxOptions::default());
    assert_eq!(warning, None);
    let (code, _) = code_of(
        next.assume_role_with_saml(ROLE, &provider, &b64(&spec), 900)
            .await,
    );
    assert_eq!(code, "InvalidIdentityToken");
}

#[tokio::test]
async fn a_run_that_only_reads_the_account_notes_what_it_spent() {
    let (sb, provider) = signed_in_setup().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("account.json");
    sb.save(&path).unwrap();
    let (reader, _) = Sandbox::load_or_seed(&path, SandboxOptions::default());
    let spec = response(&provider, SANDBOX_EXISTING_CONNECT_USERNAME);
    reader
        .assume_role_with_saml(ROLE, &provider, &b64(&spec), 900)
        .await
        .unwrap();
    reader.keep_spent_assertions().unwrap();
    let (next, _) = Sandbox::load_or_seed(&path, SandboxOptions::default());
    let (code, _) = code_of(
        next.assume_role_with_saml(ROLE, &provider, &b64(&spec), 900)
            .await,
    );
    assert_eq!(code, "InvalidIdentityToken");
}

#[tokio::test]
async fn a_signature_by_an_expired_certificate_is_refused() {
    let sb = Sandbox::new();
    let now = OffsetDateTime::now_utc();
    let expired = idc_key().with_validity(
        now - time::Duration::days(400),
        now - time::Duration::days(1),
    );
    let md = testkit::metadata(&expired.cert_der, testkit::ISSUER);
    let provider = sb.create_saml_provider("IdC", &md, &[]).await.unwrap();
    let policy = sb.create_policy("Fed", &permissions(), &[]).await.unwrap();
    sb.create_role("Fed", &trust(&provider), &[]).await.unwrap();
    sb.attach_role_policy("Fed", &policy).await.unwrap();
    let spec = response(&provider, SANDBOX_EXISTING_CONNECT_USERNAME);
    let xml = testkit::signed(&spec, &expired, Sign::Assertion);
    let (code, message) = code_of(
        sb.assume_role_with_saml(ROLE, &provider, &STANDARD.encode(xml), 900)
            .await,
    );
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("InvalidIdentityToken", "Response signature invalid")
    );
}

#[tokio::test]
async fn the_request_is_validated_first() {
    let (sb, provider) = signed_in_setup().await;
    let good = b64(&response(&provider, SANDBOX_EXISTING_CONNECT_USERNAME));
    let (code, message) = code_of(sb.assume_role_with_saml(ROLE, &provider, &good, 60).await);
    assert_eq!(code, "ValidationError");
    assert!(message.contains("durationSeconds"), "{message}");
    let (code, _) = code_of(
        sb.assume_role_with_saml("arn:x", &provider, &good, 900)
            .await,
    );
    assert_eq!(code, "ValidationError");
    // A role's default MaxSessionDuration is an hour.
    let (_, message) = code_of(sb.assume_role_with_saml(ROLE, &provider, &good, 7200).await);
    assert!(message.contains("MaxSessionDuration"), "{message}");
    let (code, message) = code_of(
        sb.assume_role_with_saml(ROLE, &provider, "not base64!", 900)
            .await,
    );
    assert_eq!(code, "InvalidIdentityToken");
    assert!(message.contains("base64"), "{message}");
}

#[tokio::test]
async fn the_role_pair_must_be_in_the_response_and_exist() {
    let (sb, provider) = signed_in_setup().await;
    let other_role = "arn:aws:iam::111122223333:role/Other";
    let spec = response(&provider, SANDBOX_EXISTING_CONNECT_USERNAME);
    let (code, message) = code_of(
        sb.assume_role_with_saml(other_role, &provider, &b64(&spec), 900)
            .await,
    );
    assert_eq!(code, "AccessDenied");
    assert!(message.contains("holds no pair"), "{message}");
    // In the response, but no such role.
    let spec = spec.attribute(ROLE_ATTRIBUTE, &[&format!("{other_role},{provider}")]);
    let (code, message) = code_of(
        sb.assume_role_with_saml(other_role, &provider, &b64(&spec), 900)
            .await,
    );
    assert_eq!(code, "AccessDenied");
    assert!(message.contains("no role"), "{message}");
    // A space around the comma: IAM does not read the pair.
    let spaced = response(&provider, SANDBOX_EXISTING_CONNECT_USERNAME)
        .attribute(ROLE_ATTRIBUTE, &[&format!("{ROLE}, {provider}")]);
    let (code, _) = code_of(
        sb.assume_role_with_saml(ROLE, &provider, &b64(&spaced), 900)
            .await,
    );
    assert_eq!(code, "AccessDenied");
}

#[tokio::test]
async fn connect_checks_the_session_the_instance_and_the_user_name() {
    let (sb, provider) = signed_in_setup().await;
    // Created with other capitals: Connect compares user names case-sensitively.
    sb.create_connect_user(SANDBOX_INSTANCE_ID, &new_user("li.wei@example.com"))
        .await
        .unwrap();
    let spec = response(&provider, "Li.Wei@Example.com");
    let creds = sb
        .assume_role_with_saml(ROLE, &provider, &b64(&spec), 900)
        .await
        .unwrap();
    let (code, message) = code_of(sb.get_federation_token(SANDBOX_INSTANCE_ID, &creds).await);
    assert_eq!(code, "UserNotFound");
    assert!(message.contains("Li.Wei@Example.com"), "{message}");
    let (code, _) = code_of(
        sb.get_federation_token("00000000-0000-4000-8000-000000000000", &creds)
            .await,
    );
    assert_eq!(code, "ResourceNotFound");
    // The legacy instance is in the policy's account but not its resource: denied first.
    let (code, _) = code_of(
        sb.get_federation_token(SANDBOX_LEGACY_INSTANCE_ID, &creds)
            .await,
    );
    assert_eq!(code, "AccessDenied");

    // Credentials the sandbox did not issue, or with a changed token, are unknown.
    let forged = TemporaryCredentials::new(
        creds.assumed_role_arn.clone(),
        creds.assumed_role_id.clone(),
        creds.access_key_id().to_string(),
        creds.secret_access_key().to_string(),
        creds.session_token().replace('A', "B"),
    );
    let (code, _) = code_of(sb.get_federation_token(SANDBOX_INSTANCE_ID, &forged).await);
    assert_eq!(code, "UnrecognizedClient");
    let other_key = TemporaryCredentials::new(
        creds.assumed_role_arn.clone(),
        creds.assumed_role_id.clone(),
        "ASIAOTHERKEY00000000".to_string(),
        creds.secret_access_key().to_string(),
        creds.session_token().to_string(),
    );
    let (code, _) = code_of(
        sb.get_federation_token(SANDBOX_INSTANCE_ID, &other_key)
            .await,
    );
    assert_eq!(code, "UnrecognizedClient");
}

#[tokio::test]
async fn a_non_saml_instance_is_refused_once_the_policy_allows_it() {
    let (sb, provider) = signed_in_setup().await;
    sb.simulate_put_role_policy(
        "Fed",
        "Legacy",
        &crate::domain::policy::permissions_policy(SANDBOX_LEGACY_INSTANCE_ARN),
    )
    .unwrap();
    let spec = response(&provider, SANDBOX_EXISTING_CONNECT_USERNAME);
    let creds = sb
        .assume_role_with_saml(ROLE, &provider, &b64(&spec), 900)
        .await
        .unwrap();
    let (code, message) = code_of(
        sb.get_federation_token(SANDBOX_LEGACY_INSTANCE_ID, &creds)
            .await,
    );
    assert_eq!(code, "InvalidRequest");
    assert!(message.contains("SAML"), "{message}");
}

#[tokio::test]
async fn both_calls_are_recorded_and_faults_apply() {
    let (sb, provider) = signed_in_setup().await;
    sb.clear_calls();
    sb.inject_fault("deny:sts:AssumeRoleWithSAML:1".parse().unwrap());
    let spec = response(&provider, SANDBOX_EXISTING_CONNECT_USERNAME);
    let r = sb
        .assume_role_with_saml(ROLE, &provider, &b64(&spec), 900)
        .await;
    assert!(matches!(r, Err(CloudError::AccessDenied { .. })), "{r:?}");
    let creds = sb
        .assume_role_with_saml(ROLE, &provider, &b64(&spec), 900)
        .await
        .unwrap();
    sb.get_federation_token(SANDBOX_INSTANCE_ID, &creds)
        .await
        .unwrap();
    assert_eq!(
        sb.calls(),
        [
            "sts:AssumeRoleWithSAML",
            "sts:AssumeRoleWithSAML",
            "connect:GetFederationToken"
        ]
    );
}
