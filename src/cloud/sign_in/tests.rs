use super::*;
use crate::cloud::api::*;
use crate::cloud::apply::{UserRequest, apply};
use crate::cloud::sandbox::{SANDBOX_EXISTING_CONNECT_USERNAME, SANDBOX_INSTANCE_ARN, Sandbox};
use crate::domain::assertion::testkit::{self, Sign, Spec, idc_key, other_key};
use crate::domain::assertion::{self, InputKind};
use crate::domain::setup::{Answers, ROLE_SESSION_NAME_ATTRIBUTE};
use time::Duration;

fn setup() -> Setup {
    Setup::from_answers(&Answers {
        instance_arn: Some(SANDBOX_INSTANCE_ARN.into()),
        ..Answers::default()
    })
    .unwrap()
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

async fn applied() -> Sandbox {
    let cloud = Sandbox::new();
    let md = testkit::metadata(&idc_key().cert_der, testkit::ISSUER);
    apply(&cloud, &setup(), &md, &UserRequest::default(), false)
        .await
        .unwrap();
    cloud
}

/// Each with IDs of its own, since STS accepts one once.
fn spec(user: &str) -> Spec {
    let s = setup();
    Spec::new(
        &s.role_arn(),
        &s.provider_arn(),
        user,
        now() - Duration::minutes(1),
    )
    .unique()
}

fn decoded(xml: &str) -> Decoded {
    assertion::decode(testkit::form_body(xml, Some(&setup().relay_state(None))).as_bytes()).unwrap()
}

fn signed(spec: &Spec) -> Decoded {
    decoded(&testkit::signed(spec, idc_key(), Sign::Assertion))
}

async fn run(cloud: &Sandbox, input: &Decoded) -> SignInReport {
    sign_in_test(cloud, &setup(), input, None, None, now())
        .await
        .unwrap()
}

fn refused(report: &SignInReport) -> (Step, &str, &str, Option<&'static str>, &str) {
    match &report.attempts[..] {
        [
            Attempt {
                outcome:
                    Outcome::Refused {
                        step,
                        code,
                        message,
                        trouble,
                        fix,
                    },
                ..
            },
        ] => (*step, code, message, *trouble, fix),
        other => panic!("expected one refusal, got {other:#?}"),
    }
}

#[tokio::test]
async fn a_good_response_signs_the_person_in() {
    let cloud = applied().await;
    let report = run(&cloud, &signed(&spec(SANDBOX_EXISTING_CONNECT_USERNAME))).await;
    assert!(report.signed_in, "{:#?}", report.attempts);
    match &report.attempts[0].outcome {
        Outcome::SignedIn {
            connect_user,
            sign_in_host,
            assumed_role_arn,
            ..
        } => {
            assert_eq!(connect_user, SANDBOX_EXISTING_CONNECT_USERNAME);
            assert_eq!(
                sign_in_host.as_deref(),
                Some("workshop-contact-center.my.connect.aws")
            );
            assert!(assumed_role_arn.ends_with(&format!("/{SANDBOX_EXISTING_CONNECT_USERNAME}")));
        }
        other => panic!("{other:?}"),
    }
    let calls = cloud.calls();
    assert!(
        calls.iter().any(|c| c == "sts:AssumeRoleWithSAML"),
        "{calls:?}"
    );
    assert!(
        calls.iter().any(|c| c == "connect:GetFederationToken"),
        "{calls:?}"
    );
}

#[tokio::test]
async fn a_missing_connect_user_is_not_onboarded() {
    let cloud = applied().await;
    let report = run(&cloud, &signed(&spec("kwame.mensah@example.com"))).await;
    let (step, code, _, trouble, fix) = refused(&report);
    assert_eq!(
        (step, code, trouble),
        (Step::FederationToken, "UserNotFound", Some("not-onboarded"))
    );
    assert!(
        fix.contains("--user kwame.mensah@example.com --create-connect-users"),
        "{fix}"
    );
    assert!(!report.signed_in);
}

#[tokio::test]
async fn an_unsigned_response_or_another_key_is_refused_by_sts() {
    let cloud = applied().await;
    for input in [
        decoded(&testkit::unsigned(&spec(SANDBOX_EXISTING_CONNECT_USERNAME))),
        decoded(&testkit::signed(
            &spec(SANDBOX_EXISTING_CONNECT_USERNAME),
            other_key(),
            Sign::Assertion,
        )),
    ] {
        let report = run(&cloud, &input).await;
        let (step, code, message, trouble, _) = refused(&report);
        assert_eq!(
            (step, code, trouble),
            (
                Step::AssumeRole,
                "InvalidIdentityToken",
                Some("certificate")
            )
        );
        assert_eq!(message, "Response signature invalid");
    }
}

#[tokio::test]
async fn nothing_applied_is_a_missing_provider() {
    let cloud = Sandbox::new();
    let report = run(&cloud, &signed(&spec(SANDBOX_EXISTING_CONNECT_USERNAME))).await;
    let (_, code, _, trouble, fix) = refused(&report);
    assert_eq!(
        (code, trouble),
        ("InvalidIdentityToken", Some("not-authorized-assume-role"))
    );
    assert!(fix.contains("step 6a is not done"), "{fix}");
}

#[tokio::test]
async fn metadata_of_another_application_is_an_issuer_mismatch() {
    let cloud = applied().await;
    let mut other = spec(SANDBOX_EXISTING_CONNECT_USERNAME);
    other.issuer = "https://portal.sso.us-east-1.amazonaws.com/saml/assertion/OTHER".into();
    let report = run(&cloud, &signed(&other)).await;
    let (_, _, message, trouble, fix) = refused(&report);
    assert_eq!(message, "Issuer not present in specified provider");
    assert_eq!(trouble, Some("certificate"));
    assert!(fix.contains("another Identity Center"), "{fix}");
}

#[tokio::test]
async fn a_wrong_recipient_is_not_authorized_with_the_acs_hint() {
    let cloud = applied().await;
    let mut s = spec(SANDBOX_EXISTING_CONNECT_USERNAME);
    s.recipient = Some("https://eu-west-2.signin.aws.amazon.com/saml".into());
    s.destination = s.recipient.clone();
    let report = run(&cloud, &signed(&s)).await;
    let (_, code, message, trouble, fix) = refused(&report);
    assert_eq!((code, trouble), ("AccessDenied", Some("wrong-acs-url")));
    assert!(message.starts_with("Not authorized to perform sts:AssumeRoleWithSAML"));
    assert!(
        fix.contains("posted the response to https://eu-west-2.signin.aws.amazon.com/saml"),
        "{fix}"
    );
    assert!(
        fix.contains("allows SAML:aud https://signin.aws.amazon.com/saml"),
        "{fix}"
    );
}

#[tokio::test]
async fn a_missing_audience_or_session_name_is_an_invalid_token() {
    let cloud = applied().await;
    let mut s = spec(SANDBOX_EXISTING_CONNECT_USERNAME);
    s.audience = "urn:example:other".into();
    let report = run(&cloud, &signed(&s)).await;
    let (_, _, message, trouble, _) = refused(&report);
    assert_eq!(message, "Response does not contain the required audience");
    assert_eq!(trouble, Some("wrong-acs-url"));

    let s = spec(SANDBOX_EXISTING_CONNECT_USERNAME).without_attribute(ROLE_SESSION_NAME_ATTRIBUTE);
    let report = run(&cloud, &signed(&s)).await;
    let (_, _, message, trouble, fix) = refused(&report);
    assert_eq!(message, "RoleSessionName is required in AuthnResponse");
    assert_eq!(trouble, Some("invalid-saml-response"));
    assert!(fix.contains("sends none"), "{fix}");

    let s = spec(SANDBOX_EXISTING_CONNECT_USERNAME)
        .attribute(ROLE_SESSION_NAME_ATTRIBUTE, &["maria garcia"]);
    let report = run(&cloud, &signed(&s)).await;
    let (_, _, message, _, fix) = refused(&report);
    assert!(message.contains("must match"), "{message}");
    assert!(fix.contains("\"maria garcia\""), "{fix}");
}

#[tokio::test]
async fn an_expired_response_says_how_to_capture_a_fresh_one() {
    let cloud = applied().await;
    let s = setup();
    let old = Spec::new(
        &s.role_arn(),
        &s.provider_arn(),
        SANDBOX_EXISTING_CONNECT_USERNAME,
        now() - Duration::hours(2),
    );
    let report = run(&cloud, &signed(&old)).await;
    let (_, code, _, trouble, fix) = refused(&report);
    assert_eq!((code, trouble), ("ExpiredToken", Some("session-expired")));
    assert!(fix.contains("developer tools"), "{fix}");
    assert!(fix.contains("signin.aws.amazon.com/saml"), "{fix}");
    assert!(fix.contains("5 minutes"), "{fix}");
}

#[tokio::test]
async fn a_policy_without_get_federation_token_is_denied() {
    let cloud = applied().await;
    let s = setup();
    cloud
        .detach_role_policy(s.role_name.as_str(), &s.policy_arn())
        .await
        .unwrap();
    let report = run(&cloud, &signed(&spec(SANDBOX_EXISTING_CONNECT_USERNAME))).await;
    let (step, code, message, trouble, _) = refused(&report);
    assert_eq!(
        (step, code, trouble),
        (
            Step::FederationToken,
            "AccessDenied",
            Some("federation-token-denied")
        )
    );
    assert!(message.contains("is not authorized to perform: connect:GetFederationToken"));
}

#[tokio::test]
async fn a_trust_policy_for_another_provider_is_not_authorized() {
    let cloud = applied().await;
    let s = setup();
    let other = "arn:aws:iam::111122223333:saml-provider/Other";
    cloud
        .update_assume_role_policy(
            s.role_name.as_str(),
            &crate::domain::policy::trust_policy(other, &s.acs_urls()),
        )
        .await
        .unwrap_err();
    // IAM refuses a trust policy naming a provider that does not exist: create it first.
    let md = testkit::metadata(&idc_key().cert_der, testkit::ISSUER);
    cloud.create_saml_provider("Other", &md, &[]).await.unwrap();
    cloud
        .update_assume_role_policy(
            s.role_name.as_str(),
            &crate::domain::policy::trust_policy(other, &s.acs_urls()),
        )
        .await
        .unwrap();
    let report = run(&cloud, &signed(&spec(SANDBOX_EXISTING_CONNECT_USERNAME))).await;
    let (_, code, message, trouble, _) = refused(&report);
    assert_eq!(
        (code, trouble),
        ("AccessDenied", Some("not-authorized-assume-role"))
    );
    assert!(message.contains("does not let"), "{message}");
}

#[tokio::test]
async fn role_picks_one_pair_and_an_unknown_role_is_bad_input() {
    let cloud = applied().await;
    let s = setup();
    // Each run gets a response of its own: STS accepts one once.
    let two = || {
        signed(&spec(SANDBOX_EXISTING_CONNECT_USERNAME).attribute(
            ROLE_ATTRIBUTE,
            &[
                &s.role_attribute(),
                "arn:aws:iam::111122223333:role/Other,arn:aws:iam::111122223333:saml-provider/Other",
            ],
        ))
    };
    let input = two();
    let all = run(&cloud, &input).await;
    assert_eq!(all.attempts.len(), 2);
    assert!(all.attempts[0].signed_in());
    assert!(!all.signed_in, "one pair fails, so the test fails");
    let input = two();
    let one = sign_in_test(&cloud, &s, &input, None, Some(&s.role_arn()), now())
        .await
        .unwrap();
    assert_eq!(one.attempts.len(), 1);
    assert!(one.signed_in);
    let err = sign_in_test(
        &cloud,
        &s,
        &input,
        None,
        Some("arn:aws:iam::111122223333:role/Nope"),
        now(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, SignInError::RoleNotInResponse { found, .. } if found.len() == 2),
        "{err:?}"
    );
    assert!(err.to_string().contains("leave --role out"));
}

#[tokio::test]
async fn faults_are_not_answered_rather_than_refused() {
    let cloud = applied().await;
    cloud.inject_fault("throttle:sts:AssumeRoleWithSAML".parse().unwrap());
    let report = run(&cloud, &signed(&spec(SANDBOX_EXISTING_CONNECT_USERNAME))).await;
    assert!(
        matches!(&report.attempts[0].outcome, Outcome::NotAnswered { step: Step::AssumeRole, error } if error.contains("throttled")),
        "{:#?}",
        report.attempts
    );
    assert!(!report.signed_in);
}

#[tokio::test]
async fn input_that_is_not_a_response_is_an_error() {
    let cloud = Sandbox::new();
    let input = Decoded {
        xml: "<html/>".into(),
        relay_state: None,
        kind: InputKind::Xml,
    };
    assert!(matches!(
        sign_in_test(&cloud, &setup(), &input, None, None, now()).await,
        Err(SignInError::Assertion(_))
    ));
}

#[tokio::test]
async fn a_replayed_response_is_refused_with_how_to_capture_a_fresh_one() {
    let cloud = applied().await;
    let input = signed(&spec(SANDBOX_EXISTING_CONNECT_USERNAME));
    assert!(run(&cloud, &input).await.signed_in);
    let again = run(&cloud, &input).await;
    let (step, code, message, trouble, fix) = refused(&again);
    assert_eq!(
        (step, code, trouble),
        (
            Step::AssumeRole,
            "InvalidIdentityToken",
            Some("session-expired")
        )
    );
    assert!(message.contains("already used"), "{message}");
    assert!(fix.contains("AWS has already used this response"), "{fix}");
    assert!(fix.contains("Capture a fresh response"), "{fix}");
    assert!(fix.contains("valid for 5 minutes"), "{fix}");
    // A fresh response is accepted.
    assert!(
        run(&cloud, &signed(&spec(SANDBOX_EXISTING_CONNECT_USERNAME)))
            .await
            .signed_in
    );
}

#[tokio::test]
async fn an_expired_or_unknown_signing_certificate_is_named() {
    let cloud = applied().await;
    // The provider's certificate, past its end date: STS trusts it no more.
    let expired = idc_key().with_validity(now() - Duration::days(400), now() - Duration::days(1));
    let md = testkit::metadata(&expired.cert_der, testkit::ISSUER);
    cloud
        .update_saml_provider(&setup().provider_arn(), &md)
        .await
        .unwrap();
    let report = run(
        &cloud,
        &decoded(&testkit::signed(
            &spec(SANDBOX_EXISTING_CONNECT_USERNAME),
            &expired,
            Sign::Assertion,
        )),
    )
    .await;
    let (_, code, message, trouble, fix) = refused(&report);
    assert_eq!(
        (code, message, trouble),
        (
            "InvalidIdentityToken",
            "Response signature invalid",
            Some("certificate")
        )
    );
    assert!(fix.contains("which expired on"), "{fix}");
    assert!(fix.contains("add a new certificate"), "{fix}");

    // Signed with a key the provider does not hold: rotated in Identity Center only.
    let report = run(
        &cloud,
        &decoded(&testkit::signed(
            &spec(SANDBOX_EXISTING_CONNECT_USERNAME),
            other_key(),
            Sign::Assertion,
        )),
    )
    .await;
    let (_, _, _, trouble, fix) = refused(&report);
    assert_eq!(trouble, Some("certificate"));
    assert!(fix.contains("does not hold"), "{fix}");
    assert!(fix.contains("rotated in Identity Center"), "{fix}");
    assert!(fix.contains(&other_key_fingerprint()), "{fix}");
}

fn other_key_fingerprint() -> String {
    crate::domain::assertion::fingerprint(&other_key().cert_der)
}

#[tokio::test]
async fn a_connect_user_in_other_letter_case_is_named() {
    let cloud = applied().await;
    let report = run(&cloud, &signed(&spec("Maria.Garcia@example.com"))).await;
    let (step, code, _, trouble, fix) = refused(&report);
    assert_eq!(
        (step, code, trouble),
        (Step::FederationToken, "UserNotFound", Some("not-onboarded"))
    );
    assert!(
        fix.contains("Its user maria.garcia@example.com differs only in letter case"),
        "{fix}"
    );
}

#[test]
fn the_report_serializes_without_secrets() {
    let attempt = Attempt {
        role_arn: "r".into(),
        provider_arn: "p".into(),
        outcome: Outcome::Refused {
            step: Step::AssumeRole,
            code: "AccessDenied".into(),
            message: "m".into(),
            trouble: Some("not-authorized-assume-role"),
            fix: "f".into(),
        },
    };
    let json = serde_json::to_value(&attempt).unwrap();
    assert_eq!(json["outcome"]["result"], "refused");
    assert_eq!(json["outcome"]["step"], "assume_role");
}
