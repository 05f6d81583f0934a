//! The sign-in test's STS call against a real `moto_server`: the unsigned
//! `AssumeRoleWithSAML` request through the SDK's real query serializer, and its answer
//! (credentials, expiration, assumed-role ARN) through the real XML deserializer. moto does
//! not check signatures, trust policies or audiences (the smithy mocks and the sandbox cover
//! AWS's refusals), and has no Connect `GetFederationToken`: what it shows is that the
//! request AWS would judge is well formed, and that the credentials it opens are real ones
//! that STS itself recognises, never printed on the way.

mod common;
#[path = "common/saml.rs"]
mod saml;

use common::moto::{ACCOUNT, MotoServer, setup};
use connect_sso::cloud::Context;
use connect_sso::cloud::api::*;
use connect_sso::cloud::ensure;
use connect_sso::cloud::sign_in::{Outcome, Step, sign_in_test};
use connect_sso::domain::assertion::{decode, issue};
use saml::{Sign, Spec, idc_key};
use time::{Duration, OffsetDateTime};

const USER: &str = "maria.garcia@example.com";

#[tokio::test]
async fn sts_on_moto_opens_a_session_for_the_role_and_person_of_the_response() {
    let Some(moto) = MotoServer::start() else {
        return;
    };
    let cloud = moto.sdk_cloud();
    let setup = setup();
    // Steps 6a-6c on moto, with metadata naming the key that signs the response.
    let metadata = saml::metadata(&idc_key().cert_der, saml::ISSUER);
    ensure::ensure_saml_provider(&cloud, &setup, &metadata, false)
        .await
        .unwrap_or_else(|e| panic!("6a: {e}\n{}", moto.log()));
    ensure::ensure_policy(&cloud, &setup, false)
        .await
        .unwrap_or_else(|e| panic!("6b: {e}\n{}", moto.log()));
    ensure::ensure_role(&cloud, &setup, false)
        .await
        .unwrap_or_else(|e| panic!("6c: {e}\n{}", moto.log()));

    let now = OffsetDateTime::now_utc();
    let spec = Spec::new(
        &setup.role_arn(),
        &setup.provider_arn(),
        USER,
        now - Duration::minutes(1),
    );
    let xml = saml::signed(&spec, idc_key(), Sign::Assertion);

    // The port's call itself: AWS's answer, parsed.
    let session = cloud
        .assume_role_with_saml(
            &setup.role_arn(),
            &setup.provider_arn(),
            &saml::base64(&xml),
            900,
        )
        .await
        .unwrap_or_else(|e| panic!("AssumeRoleWithSAML: {e}\n{}", moto.log()));
    let role_name = setup.role_name.to_string();
    assert_eq!(
        session.assumed_role_arn,
        format!("arn:aws:sts::{ACCOUNT}:assumed-role/{role_name}/{USER}")
    );
    assert!(!session.assumed_role_id.is_empty(), "{session:?}");
    let expires = session.expiration.expect("STS says when the session ends");
    assert!(
        expires > now.unix_timestamp(),
        "{expires} is not after {now}"
    );
    // The secrets exist, and their Debug never shows them.
    let shown = format!("{session:?}");
    assert!(!shown.contains(session.access_key_id()), "{shown}");
    assert!(!shown.contains(session.secret_access_key()), "{shown}");
    assert!(!session.session_token().is_empty());

    // They are real credentials: STS knows them as the assumed role.
    let me = sts_caller_with(&moto, &session).await;
    assert_eq!(me, session.assumed_role_arn);

    // The whole test, inspector first (it reads the provider from moto): STS opens the
    // session; Connect's GetFederationToken is asked with it (moto has no answer for it).
    let decoded = decode(issue::form_body(&xml, None).as_bytes()).expect("decodes");
    let report = sign_in_test(&cloud, &setup, &decoded, Some(&metadata), None, now)
        .await
        .unwrap_or_else(|e| panic!("sign-in test: {e}\n{}", moto.log()));
    assert_eq!(report.attempts.len(), 1, "{report:?}");
    match &report.attempts[0].outcome {
        Outcome::SignedIn { .. } => {}
        Outcome::Refused { step, .. } | Outcome::NotAnswered { step, .. } => {
            assert_eq!(
                *step,
                Step::FederationToken,
                "STS opened no session: {:?}\n{}",
                report.attempts[0],
                moto.log()
            );
        }
    }
    assert!(
        moto.log().contains("/user/federate/"),
        "Connect was not asked:\n{}",
        moto.log()
    );
    let caller = cloud.caller_identity(Context::Connect).await.unwrap();
    assert_eq!(
        caller.account, ACCOUNT,
        "the tool's own context is untouched"
    );
}

/// GetCallerIdentity signed with the temporary credentials (a client of their own).
async fn sts_caller_with(
    moto: &MotoServer,
    session: &connect_sso::cloud::TemporaryCredentials,
) -> String {
    use aws_credential_types::Credentials;
    use aws_credential_types::provider::SharedCredentialsProvider;
    let config = moto
        .sdk_config()
        .into_builder()
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            session.access_key_id(),
            session.secret_access_key(),
            Some(session.session_token().to_string()),
            None,
            "sign-in test",
        )))
        .build();
    aws_sdk_sts::Client::new(&config)
        .get_caller_identity()
        .send()
        .await
        .unwrap_or_else(|e| panic!("GetCallerIdentity with the session: {e:?}\n{}", moto.log()))
        .arn
        .unwrap_or_default()
}
