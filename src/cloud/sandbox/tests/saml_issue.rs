//! The sandbox's Identity Center as a signer: its key and certificate, its metadata, and
//! the responses it issues, checked by the sandbox's own STS and Connect.

use time::OffsetDateTime;

use super::super::saml_issue::metadata_with;
use super::*;
use crate::cloud::apply::{UserRequest, apply};
use crate::cloud::sign_in::{Outcome, sign_in_test};
use crate::domain::assertion::{self, decode};
use crate::domain::metadata;
use crate::domain::setup::{Answers, Setup};

const MARIA: &str = SANDBOX_EXISTING_CONNECT_USERNAME;
const KWAME: &str = "kwame.mensah@example.com";

fn setup() -> Setup {
    Setup::from_answers(&Answers {
        instance_arn: Some(SANDBOX_INSTANCE_ARN.into()),
        ..Answers::default()
    })
    .unwrap()
}

/// A sandbox set up by apply with its own metadata, Maria and Kwame assigned.
async fn set_up() -> Sandbox {
    let sb = Sandbox::new();
    // Step 1, which the CLI's apply stands in for on the sandbox.
    let (arn, _) = sb.simulate_ensure_application(setup().app_name.as_str());
    sb.simulate_console_steps(&arn, &setup()).unwrap();
    let people = UserRequest {
        users: vec![MARIA.to_string(), KWAME.to_string()],
        ..UserRequest::default()
    };
    apply(&sb, &setup(), &sb.metadata_document(), &people, false)
        .await
        .unwrap();
    sb
}

async fn outcome(sb: &Sandbox, user: &str) -> Outcome {
    let now = OffsetDateTime::now_utc();
    let issued = sb.issue_response(user, &setup(), now).unwrap();
    let decoded = decode(issued.form_body().as_bytes()).unwrap();
    let report = sign_in_test(sb, &setup(), &decoded, None, None, now)
        .await
        .unwrap();
    assert_eq!(report.attempts.len(), 1, "{report:?}");
    report.attempts[0].outcome.clone()
}

#[test]
fn the_metadata_is_the_templates_with_the_accounts_certificate() {
    let sb = Sandbox::new();
    let document = sb.metadata_document();
    let parsed = metadata::parse(document.as_bytes()).unwrap();
    let template = metadata::parse(SANDBOX_METADATA.as_bytes()).unwrap();
    assert_eq!(parsed.entity_id, SANDBOX_IDC_ENTITY_ID);
    assert_eq!(template.entity_id, SANDBOX_IDC_ENTITY_ID);
    assert_eq!(parsed.certificates.len(), 1);
    assert_ne!(parsed.certificates[0].der, template.certificates[0].der);
    // Everything but the certificate is the template's.
    let template_cert = SANDBOX_METADATA
        .split_once("<ds:X509Certificate>")
        .and_then(|(_, rest)| rest.split_once("</ds:X509Certificate>"))
        .unwrap()
        .0;
    use base64::Engine as _;
    let cert = base64::engine::general_purpose::STANDARD.encode(&parsed.certificates[0].der);
    assert_eq!(document.replace(&cert, template_cert), SANDBOX_METADATA);
    assert_ne!(metadata_with("X"), SANDBOX_METADATA);
    // The same account, the same metadata; another account, another certificate.
    assert_eq!(sb.metadata_document(), document);
    assert_ne!(Sandbox::new().metadata_document(), document);
}

#[test]
fn the_private_key_shows_nowhere() {
    let sb = Sandbox::new();
    let _ = sb.metadata_document();
    let shown = format!("{sb:?}");
    let state = sb.lock();
    let saved = serde_json::to_value(state.signing.as_ref().unwrap()).unwrap();
    let key = saved["private_key_pkcs8"].as_str().unwrap();
    assert!(key.len() > 1000, "an RSA-2048 key");
    assert!(!shown.contains(&key[..40]), "{shown}");
    assert!(shown.contains("not shown"), "{shown}");
}

#[tokio::test]
async fn an_issued_response_is_identity_centers_and_signs_maria_in() {
    let sb = set_up().await;
    let now = OffsetDateTime::now_utc();
    let issued = sb.issue_response(MARIA, &setup(), now).unwrap();
    assert_eq!(issued.acs_url, "https://signin.aws.amazon.com/saml");
    assert_eq!(issued.relay_state, Some(setup().relay_state(None)));
    assert!(issued.form_body().starts_with("SAMLResponse="));
    assert!(issued.form_body().contains("&RelayState=https%3A%2F%2F"));
    let r = assertion::parse(&issued.xml).unwrap();
    let a = r.assertion.as_ref().unwrap();
    assert_eq!(r.destination.as_deref(), Some(issued.acs_url.as_str()));
    assert_eq!(a.issuer.as_deref(), Some(SANDBOX_IDC_ENTITY_ID));
    assert_eq!(a.name_id.as_deref(), Some(MARIA));
    assert_eq!(a.audiences, vec!["urn:amazon:webservices".to_string()]);
    assert_eq!(r.role_session_name(), Some(MARIA));
    let values = |name: &str| -> Vec<String> {
        r.attribute_values(name)
            .iter()
            .map(|v| v.to_string())
            .collect()
    };
    assert_eq!(
        values(crate::domain::setup::ROLE_ATTRIBUTE),
        vec![setup().role_attribute()]
    );
    assert_eq!(
        values(assertion::SESSION_DURATION_ATTRIBUTE),
        vec!["3600".to_string()]
    );
    assert!(
        r.signatures.iter().all(|s| s.is_valid()),
        "{:?}",
        r.signatures
    );
    assert_eq!(a.covered_by.len(), 1, "the assertion is signed");
    let (start, end) = (
        a.not_before.clone().unwrap(),
        a.not_on_or_after.clone().unwrap(),
    );
    let parse =
        |t: &str| OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).unwrap();
    assert_eq!(parse(&end) - parse(&start), time::Duration::minutes(5));
    // Every response is a new one.
    let again = sb.issue_response(MARIA, &setup(), now).unwrap();
    assert_ne!(
        assertion::parse(&again.xml).unwrap().id,
        r.id,
        "a fresh ID each time"
    );

    match outcome(&sb, MARIA).await {
        Outcome::SignedIn {
            connect_user,
            sign_in_host,
            ..
        } => {
            assert_eq!(connect_user, MARIA);
            assert_eq!(
                sign_in_host.as_deref(),
                Some("workshop-contact-center.my.connect.aws")
            );
        }
        other => panic!("expected a sign-in, got {other:?}"),
    }
}

#[tokio::test]
async fn a_missing_connect_user_and_a_deleted_role_fail_with_their_entries() {
    let sb = set_up().await;
    match outcome(&sb, KWAME).await {
        Outcome::Refused { code, trouble, .. } => {
            assert_eq!(code, "UserNotFound");
            assert_eq!(trouble, Some("not-onboarded"));
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    sb.lock().roles.clear();
    match outcome(&sb, MARIA).await {
        Outcome::Refused { code, trouble, .. } => {
            assert_eq!(code, "AccessDenied");
            assert_eq!(trouble, Some("not-authorized-assume-role"));
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn identity_center_issues_only_for_an_assigned_user_of_the_application() {
    let sb = Sandbox::new();
    let now = OffsetDateTime::now_utc();
    let err = sb.issue_response("nobody", &setup(), now).unwrap_err();
    assert!(matches!(err, IssueError::UnknownUser { .. }), "{err}");
    assert!(err.is_bad_input());
    let err = sb.issue_response(MARIA, &setup(), now).unwrap_err();
    assert!(matches!(err, IssueError::NoApplication { .. }), "{err}");
    assert_eq!(err.trouble(), Some("not-assigned"));
    let (arn, _) = sb.simulate_ensure_application(setup().app_name.as_str());
    sb.simulate_console_steps(&arn, &setup()).unwrap();
    let err = sb.issue_response(MARIA, &setup(), now).unwrap_err();
    assert!(matches!(err, IssueError::NotAssigned { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("apply --user maria.garcia@example.com"),
        "{err}"
    );
    // Through a group: the contact center agents are Maria and Kwame.
    sb.create_application_assignment(&arn, PrincipalType::Group, SANDBOX_GROUPS[0].group_id)
        .await
        .unwrap();
    let issued = sb
        .issue_response("kwame.mensah@example.com", &setup(), now)
        .unwrap();
    assert_eq!(issued.user_name, KWAME);
    assert!(sb.issue_response("akhan", &setup(), now).is_err());
}

#[test]
fn the_key_is_kept_in_the_file_and_an_old_file_gets_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = account_path(dir.path());
    let sb = Sandbox::seeded_at(&path, SandboxOptions::default());
    let document = sb.metadata_document();
    sb.save(&path).unwrap();
    let (loaded, warning) = Sandbox::load_or_seed(&path, SandboxOptions::default());
    assert_eq!(warning, None);
    assert_eq!(
        loaded.metadata_document(),
        document,
        "the same key after loading"
    );

    // As saved before the sandbox signed: no key.
    let mut old: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    old.as_object_mut().unwrap().remove("signing_key");
    std::fs::write(&path, serde_json::to_vec(&old).unwrap()).unwrap();
    let (upgraded, warning) = Sandbox::load_or_seed(&path, SandboxOptions::default());
    assert_eq!(warning, None);
    let new_document = upgraded.metadata_document();
    assert_ne!(new_document, document, "a new key");
    let (again, _) = Sandbox::load_or_seed(&path, SandboxOptions::default());
    assert_eq!(
        again.metadata_document(),
        new_document,
        "saved back at once"
    );

    // Loaded while its lock is taken (here by the command that loads it): the key is
    // written once the account holds the lock.
    std::fs::write(&path, serde_json::to_vec(&old).unwrap()).unwrap();
    let lock = Sandbox::lock_account(&path, std::time::Duration::ZERO, &mut |_| {}).unwrap();
    let (held, _) = Sandbox::load_or_seed(&path, SandboxOptions::default());
    let held = held.holding(lock);
    let held_document = held.metadata_document();
    drop(held);
    let (after, _) = Sandbox::load_or_seed(&path, SandboxOptions::default());
    assert_eq!(after.metadata_document(), held_document);
}
