//! The console API client and its ensures against a loopback HTTP fake of the JSON 1.1
//! protocol: the exact target header, signing name, path and bodies of every operation,
//! answers in the documented shapes, idempotence, and each kind of unexpected answer.

use std::collections::HashMap;
use std::sync::Mutex;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use serde_json::{Value, json};

use connect_sso::cloud::CloudError;
use connect_sso::cloud::console::ensure::{ConsoleRun, ensure_console_steps, fetch_with};
use connect_sso::cloud::console::{
    CUSTOM_SAML_TEMPLATE, ConsoleApi, ConsoleClient, ServiceProviderConfig,
};
use connect_sso::cloud::ensure::Change;
use connect_sso::domain::setup::{Answers, Setup};

#[path = "common/console_fake.rs"]
mod console_fake;

use console_fake::{Fake, METADATA, client, error};

const INSTANCE_ARN: &str =
    "arn:aws:connect:eu-west-2:123456789012:instance/12345678-90ab-cdef-1234-567890abcdef";

fn setup() -> Setup {
    Setup::from_answers(&Answers {
        instance_arn: Some(INSTANCE_ARN.to_string()),
        app_name: Some("Amazon Connect (test)".to_string()),
        app_description: Some("Agents sign in".to_string()),
        ..Answers::default()
    })
    .unwrap()
}

fn now() -> time::OffsetDateTime {
    time::macros::datetime!(2027-01-01 0:00 UTC)
}

/// Runs the ensures with the mappings record in `record`, updated as the CLI does.
async fn run(
    api: &dyn ConsoleApi,
    setup: &Setup,
    record: &Mutex<HashMap<String, String>>,
    dry_run: bool,
) -> ConsoleRun {
    let snapshot = record.lock().unwrap().clone();
    let recorded = move |id: &str| snapshot.get(id).cloned();
    let fetch = fetch_with(now());
    let out = ensure_console_steps(api, setup, &recorded, &fetch, dry_run).await;
    if let (Some(id), Some(m)) = (&out.instance_id, &out.mappings_written) {
        record.lock().unwrap().insert(id.clone(), m.clone());
    }
    out
}

fn changes(run: &ConsoleRun) -> Vec<(&'static str, Change)> {
    run.outcomes.iter().map(|o| (o.step, o.change)).collect()
}

#[tokio::test]
async fn every_request_is_signed_for_sso_and_targets_swbservice() {
    let fake = Fake::start();
    let api = client(&fake);
    assert_eq!(api.endpoint(), format!("{}/control/", fake.base()));
    let created = api
        .create_application_instance(CUSTOM_SAML_TEMPLATE, "6f1c-uuid")
        .await
        .unwrap();
    let id = created.instance_id.unwrap();
    api.update_application_instance_display_data(&id, "App", Some("Desc"))
        .await
        .unwrap();
    api.update_application_instance_display_data(&id, "App", None)
        .await
        .unwrap();
    api.update_application_instance_status(&id, "ENABLED")
        .await
        .unwrap();
    let sp = ServiceProviderConfig {
        audience: Some("urn:amazon:webservices".into()),
        consumers: Some(vec![connect_sso::cloud::console::Consumer {
            location: Some("https://signin.aws.amazon.com/saml".into()),
            binding: Some("urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST".into()),
            default_value: Some(false),
        }]),
        require_request_signature: Some(false),
    };
    api.update_application_instance_service_provider_configuration(&id, &sp)
        .await
        .unwrap();
    let (config, schema) = connect_sso::cloud::console::ensure::wanted_mappings(&setup()).unwrap();
    api.update_application_instance_response_configuration(&id, &config)
        .await
        .unwrap();
    api.update_application_instance_response_schema_configuration(&id, &schema)
        .await
        .unwrap();
    let got = api.get_application_instance(&id).await.unwrap();
    assert_eq!(got.display_name(), Some("App"));
    assert_eq!(got.description(), Some("Desc"));
    assert!(got.is_enabled());
    assert_eq!(got.service_provider_config.as_ref(), Some(&sp));
    assert!(
        got.metadata_url()
            .unwrap()
            .ends_with(&format!("/saml/metadata/{id}"))
    );
    assert_eq!(api.list_application_instances().await.unwrap().len(), 1);
    assert_eq!(
        api.list_application_instance_certificates(&id)
            .await
            .unwrap()[0]
            .certificate_id
            .as_deref(),
        Some("c-1")
    );
    assert!(api.list_profiles(&id).await.unwrap().is_empty());
    api.delete_application_instance(&id).await.unwrap();

    let seen = fake.seen();
    for s in &seen {
        assert_eq!(s.method, "POST");
        assert_eq!(s.path, "/control/");
        assert_eq!(s.content_type, "application/x-amz-json-1.1");
        assert!(
            s.authorization
                .starts_with("AWS4-HMAC-SHA256 Credential=AKIDCONSOLETEST/"),
            "{}",
            s.authorization
        );
        assert!(
            s.authorization.contains("/eu-west-2/sso/aws4_request"),
            "{}",
            s.authorization
        );
        assert!(
            s.authorization.contains("x-amz-target"),
            "{}",
            s.authorization
        );
    }
    let bodies: Vec<(&str, &Value)> = seen.iter().map(|s| (s.target.as_str(), &s.body)).collect();
    let expected = [
        (
            "SWBService.CreateApplicationInstance",
            json!({"templateId": "tpl-50e590700beb5208", "name": "6f1c-uuid"}),
        ),
        (
            "SWBService.UpdateApplicationInstanceDisplayData",
            json!({"instanceId": id, "displayName": "App", "description": "Desc"}),
        ),
        (
            "SWBService.UpdateApplicationInstanceDisplayData",
            json!({"instanceId": id, "displayName": "App"}),
        ),
        (
            "SWBService.UpdateApplicationInstanceStatus",
            json!({"instanceId": id, "status": "ENABLED"}),
        ),
        (
            "SWBService.UpdateApplicationInstanceServiceProviderConfiguration",
            json!({"instanceId": id, "serviceProviderConfig": {
                "audience": "urn:amazon:webservices",
                "consumers": [{
                    "location": "https://signin.aws.amazon.com/saml",
                    "binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
                    "defaultValue": false
                }],
                "requireRequestSignature": false
            }}),
        ),
        (
            "SWBService.UpdateApplicationInstanceResponseConfiguration",
            json!({"instanceId": id, "responseConfig": {
                "subject": {"source": ["${user:email}"]},
                "properties": {
                    "https://aws.amazon.com/SAML/Attributes/Role": {"source": [
                        "arn:aws:iam::123456789012:role/ConnectSSO-12345678,arn:aws:iam::123456789012:saml-provider/IdentityCenter-Connect-12345678"
                    ]},
                    "https://aws.amazon.com/SAML/Attributes/RoleSessionName": {"source": ["${user:email}"]}
                },
                "ttl": "PT1H"
            }}),
        ),
        (
            "SWBService.UpdateApplicationInstanceResponseSchemaConfiguration",
            json!({"instanceId": id, "responseSchemaConfig": {
                "subject": {
                    "include": "REQUIRED",
                    "nameIdFormat": "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
                },
                "properties": {
                    "https://aws.amazon.com/SAML/Attributes/Role": {
                        "attrNameFormat": "urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified",
                        "include": "YES"
                    },
                    "https://aws.amazon.com/SAML/Attributes/RoleSessionName": {
                        "attrNameFormat": "urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified",
                        "include": "YES"
                    }
                }
            }}),
        ),
        (
            "SWBService.GetApplicationInstance",
            json!({"instanceId": id}),
        ),
        ("SWBService.ListApplicationInstances", json!({})),
        (
            "SWBService.ListApplicationInstanceCertificates",
            json!({"instanceId": id}),
        ),
        ("SWBService.ListProfiles", json!({"instanceId": id})),
        (
            "SWBService.DeleteApplicationInstance",
            json!({"instanceId": id}),
        ),
    ];
    assert_eq!(bodies.len(), expected.len());
    for ((target, body), (want_target, want_body)) in bodies.iter().zip(expected.iter()) {
        assert_eq!(target, want_target);
        assert_eq!(*body, want_body, "{target}");
    }
}

#[tokio::test]
async fn a_delete_profile_request_names_both_ids() {
    let fake = Fake::start();
    fake.force("DeleteProfile", (200, "{}".into()));
    let api = client(&fake);
    api.delete_profile("ins-1", "p-2").await.unwrap();
    let seen = fake.seen();
    assert_eq!(seen[0].target, "SWBService.DeleteProfile");
    assert_eq!(
        seen[0].body,
        json!({"instanceId": "ins-1", "profileId": "p-2"})
    );
}

#[tokio::test]
async fn the_steps_create_configure_and_then_change_nothing() {
    let fake = Fake::start();
    let api = client(&fake);
    let setup = setup();
    let record = Mutex::new(HashMap::new());

    // A look first: nothing exists, nothing is written.
    let look = run(&api, &setup, &record, true).await;
    assert!(look.failure.is_none(), "{:?}", look.failure);
    assert_eq!(
        changes(&look),
        [
            ("1", Change::WouldCreate),
            ("3-5", Change::WouldUpdate),
            ("10", Change::WouldUpdate)
        ]
    );
    assert_eq!(fake.targets(), ["SWBService.ListApplicationInstances"]);
    fake.clear();

    let first = run(&api, &setup, &record, false).await;
    assert!(first.failure.is_none(), "{:?}", first.failure);
    assert!(first.created);
    assert_eq!(
        changes(&first),
        [
            ("1", Change::Created),
            ("2", Change::Unchanged),
            ("3-5", Change::Updated),
            ("10", Change::Updated)
        ]
    );
    let (checked, document) = first.metadata.as_ref().unwrap();
    assert_eq!(document, METADATA);
    assert!(
        checked
            .metadata
            .entity_id
            .starts_with("https://portal.sso.")
    );
    assert_eq!(
        fake.targets(),
        [
            "SWBService.ListApplicationInstances",
            "SWBService.CreateApplicationInstance",
            "SWBService.UpdateApplicationInstanceDisplayData",
            "SWBService.GetApplicationInstance",
            "SWBService.UpdateApplicationInstanceServiceProviderConfiguration",
            "SWBService.GetApplicationInstance",
            "SWBService.UpdateApplicationInstanceResponseConfiguration",
            "SWBService.UpdateApplicationInstanceResponseSchemaConfiguration",
            "SWBService.UpdateApplicationInstanceStatus",
            "SWBService.GetApplicationInstance",
        ]
    );
    // Every call is granted by `connect-sso permissions`.
    for t in fake.targets() {
        let action = t.replace("SWBService.", "sso:");
        assert!(
            connect_sso::domain::operator::CONSOLE_API_ACTIONS.contains(&action.as_str()),
            "{action} is not in `connect-sso permissions`"
        );
    }
    let create = &fake.seen()[1].body;
    let name = create["name"].as_str().unwrap();
    assert_eq!(name.len(), 36, "a UUID: {name}");
    let id = first.instance_id.clone().unwrap();
    {
        let s = fake.state.lock().unwrap();
        let i = &s.instances[&id];
        assert_eq!(i["status"], "ENABLED");
        assert_eq!(i["display"]["displayName"], "Amazon Connect (test)");
        assert_eq!(i["display"]["description"], "Agents sign in");
        let (values, formats) = &s.responses[&id];
        assert_eq!(values["subject"]["source"][0], "${user:email}");
        assert_eq!(
            formats["subject"]["nameIdFormat"],
            "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
        );
    }
    fake.clear();

    // Second run: reads only.
    let second = run(&api, &setup, &record, false).await;
    assert!(second.failure.is_none(), "{:?}", second.failure);
    assert!(!second.created);
    assert_eq!(second.changes(), 0, "{:?}", second.outcomes);
    let targets = fake.targets();
    assert!(
        targets
            .iter()
            .all(|t| !t.contains(".Update") && !t.contains(".Create")),
        "{targets:?}"
    );
    assert_eq!(
        targets,
        [
            "SWBService.ListApplicationInstances",
            "SWBService.GetApplicationInstance"
        ]
    );
    fake.clear();

    // A changed setup (another role name) writes step 10 again, and nothing else.
    let renamed = Setup::from_answers(&Answers {
        instance_arn: Some(INSTANCE_ARN.to_string()),
        app_name: Some("Amazon Connect (test)".to_string()),
        app_description: Some("Agents sign in".to_string()),
        role_name: Some("OtherRole".to_string()),
        ..Answers::default()
    })
    .unwrap();
    let third = run(&api, &renamed, &record, false).await;
    assert_eq!(
        changes(&third),
        [
            ("1", Change::Unchanged),
            ("2", Change::Unchanged),
            ("3-5", Change::Unchanged),
            ("10", Change::Updated)
        ]
    );
    // ... and a drifted ACS URL is put back.
    {
        let mut s = fake.state.lock().unwrap();
        s.instances.get_mut(&id).unwrap()["serviceProviderConfig"]["consumers"][0]["location"] =
            json!("https://eu-west-2.signin.aws.amazon.com/saml");
    }
    let fourth = run(&api, &renamed, &record, false).await;
    assert_eq!(changes(&fourth)[2], ("3-5", Change::Updated));
    assert!(
        fourth.outcomes[2].details[0].contains("ACS URL: https://eu-west-2.signin"),
        "{:?}",
        fourth.outcomes[2].details
    );
}

#[tokio::test]
async fn several_applications_with_the_name_stop_before_any_change() {
    let fake = Fake::start();
    let api = client(&fake);
    for _ in 0..2 {
        let i = api
            .create_application_instance(CUSTOM_SAML_TEMPLATE, "n")
            .await
            .unwrap();
        api.update_application_instance_display_data(
            i.instance_id.as_deref().unwrap(),
            "Amazon Connect (test)",
            None,
        )
        .await
        .unwrap();
    }
    fake.clear();
    let out = run(&api, &setup(), &Mutex::default(), false).await;
    let f = out.failure.expect("stopped");
    assert_eq!(f.step, "1");
    assert!(!f.unexpected);
    assert!(
        f.answer.contains("2 applications are named"),
        "{}",
        f.answer
    );
    assert!(
        f.message().contains("nothing was changed"),
        "{}",
        f.message()
    );
    assert_eq!(fake.targets(), ["SWBService.ListApplicationInstances"]);
}

/// Each kind of unexpected answer stops the run at its step, names the operation and AWS's
/// answer, says what was already done, and sends the user to the console step.
#[tokio::test]
async fn unexpected_answers_fall_back_to_the_console_step() {
    struct Case {
        operation: &'static str,
        answer: (u16, String),
        step: &'static str,
        says: &'static str,
        done: &'static [&'static str],
    }
    let cases = [
        Case {
            operation: "ListApplicationInstances",
            answer: error(400, "UnknownOperationException", "unknown operation"),
            step: "1",
            says: "UnknownOperationException",
            done: &[],
        },
        Case {
            operation: "CreateApplicationInstance",
            answer: (200, json!({ "applicationInstance": {} }).to_string()),
            step: "1",
            says: "the answer has no applicationInstance.instanceId",
            done: &[],
        },
        Case {
            operation: "UpdateApplicationInstanceServiceProviderConfiguration",
            answer: error(
                400,
                "ValidationException",
                "consumers[0].binding is not valid",
            ),
            step: "3-5",
            says: "ValidationException: consumers[0].binding is not valid",
            done: &["created the application instance", "display name"],
        },
        Case {
            operation: "UpdateApplicationInstanceResponseSchemaConfiguration",
            answer: error(400, "ValidationException", "nameIdFormat"),
            step: "10",
            says: "sso:UpdateApplicationInstanceResponseSchemaConfiguration",
            done: &["ACS URL", "attribute values of step 10"],
        },
        Case {
            operation: "ListApplicationInstances",
            answer: (200, json!({ "somethingElse": [] }).to_string()),
            step: "1",
            says: "the answer has no applicationInstances",
            done: &[],
        },
        Case {
            operation: "GetApplicationInstance",
            answer: (200, json!({ "somethingElse": {} }).to_string()),
            step: "1",
            says: "the answer has no applicationInstance",
            done: &["created the application instance", "display name"],
        },
        Case {
            operation: "UpdateApplicationInstanceDisplayData",
            answer: error(400, "SerializationException", "displayName: unexpected"),
            step: "1",
            says: "SerializationException: displayName: unexpected",
            done: &["created the application instance"],
        },
        Case {
            operation: "UpdateApplicationInstanceResponseConfiguration",
            answer: error(400, "UnknownOperationException", "no such operation"),
            step: "10",
            says: "UnknownOperationException",
            done: &["ACS URL https://signin.aws.amazon.com/saml and audience"],
        },
        Case {
            operation: "UpdateApplicationInstanceStatus",
            answer: (200, "this is not JSON".to_string()),
            step: "1",
            says: "not the documented shape",
            done: &["attribute formats of step 10"],
        },
    ];
    for case in cases {
        let fake = Fake::start();
        fake.force(case.operation, case.answer);
        let api = client(&fake);
        let out = run(&api, &setup(), &Mutex::default(), false).await;
        let f = out
            .failure
            .clone()
            .unwrap_or_else(|| panic!("{} did not stop", case.operation));
        assert_eq!(f.step, case.step, "{}", case.operation);
        assert!(f.unexpected, "{}: {f:?}", case.operation);
        assert_eq!(f.operation, format!("sso:{}", case.operation));
        let message = f.message();
        assert!(message.contains(case.says), "{}: {message}", case.operation);
        assert!(
            message.contains(&format!(
                "do step {} in the IAM Identity Center console instead",
                case.step
            )),
            "{message}"
        );
        assert!(message.contains("AWS does not document"), "{message}");
        if case.done.is_empty() {
            assert!(message.contains("nothing was changed"), "{message}");
        }
        for d in case.done {
            assert!(message.contains(d), "{}: {message}", case.operation);
        }
        // Nothing after the failing call was sent.
        let targets = fake.targets();
        assert_eq!(
            targets.last().map(String::as_str),
            Some(format!("SWBService.{}", case.operation).as_str()),
            "{targets:?}"
        );
    }
}

#[tokio::test]
async fn a_get_without_the_metadata_url_stops_at_step_2() {
    let fake = Fake::start();
    let api = client(&fake);
    let i = api
        .create_application_instance(CUSTOM_SAML_TEMPLATE, "n")
        .await
        .unwrap();
    let id = i.instance_id.unwrap();
    api.update_application_instance_display_data(&id, "Amazon Connect (test)", None)
        .await
        .unwrap();
    fake.state.lock().unwrap().instances.get_mut(&id).unwrap()["identityProviderConfig"] =
        json!({});
    let out = run(&api, &setup(), &Mutex::default(), false).await;
    let f = out.failure.unwrap();
    assert_eq!(f.step, "2");
    assert!(f.unexpected);
    assert!(
        f.answer.contains("identityProviderConfig.metadataUrl"),
        "{}",
        f.answer
    );
    // Step 1 is reported as found, before the stop.
    assert_eq!(out.outcomes[0].step, "1");
}

#[tokio::test]
async fn refusals_that_are_not_unexpected_say_how_to_fix_them() {
    let fake = Fake::start();
    fake.force(
        "CreateApplicationInstance",
        error(
            400,
            "AccessDeniedException",
            "User is not authorized to perform sso:CreateApplicationInstance",
        ),
    );
    let api = client(&fake);
    let out = run(&api, &setup(), &Mutex::default(), false).await;
    let f = out.failure.unwrap();
    assert!(!f.unexpected);
    assert_eq!(f.operation, "sso:CreateApplicationInstance");
    let message = f.message();
    assert!(
        message.contains("Grant sso:CreateApplicationInstance"),
        "{message}"
    );
    assert!(message.contains("(profile idc)"), "{message}");
    assert!(message.contains("run apply again"), "{message}");

    // Throttling is retried, then reported.
    let fake = Fake::start();
    fake.force(
        "ListApplicationInstances",
        error(400, "ThrottlingException", "Rate exceeded"),
    );
    let api = client(&fake);
    let err = api.list_application_instances().await.unwrap_err();
    assert!(matches!(err, CloudError::Throttled { .. }), "{err:?}");
    assert_eq!(fake.targets().len(), 3);
}

#[tokio::test]
async fn nothing_listening_is_a_network_error() {
    let config = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("eu-west-2"))
        .endpoint_url("http://127.0.0.1:1")
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "a", "b", None, None, "test",
        )))
        .build();
    let api = ConsoleClient::from_config(&config, None).unwrap();
    let err = api.list_application_instances().await.unwrap_err();
    assert!(
        matches!(&err, CloudError::Network { action, .. } if action == "sso:ListApplicationInstances"),
        "{err:?}"
    );
    let no_region = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .build();
    let e = ConsoleClient::from_config(&no_region, None).unwrap_err();
    assert!(e.contains("--identity-region"), "{e}");
}

/// doctor's console check: steps 3-5, the status, and the certificate against 6a.
#[tokio::test]
async fn doctor_compares_the_application_with_the_plan_and_the_provider() {
    use connect_sso::cloud::api::*;
    use connect_sso::cloud::doctor::Verdict;
    use connect_sso::cloud::doctor::console::check_console;
    use connect_sso::cloud::sandbox::{SANDBOX_INSTANCE_ARN, Sandbox};

    let fake = Fake::start();
    let api = client(&fake);
    let sb = Sandbox::new();
    let setup = Setup::from_answers(&Answers {
        instance_arn: Some(SANDBOX_INSTANCE_ARN.to_string()),
        app_name: Some("Amazon Connect (test)".to_string()),
        ..Answers::default()
    })
    .unwrap();
    let fetch = fetch_with(now());

    // Nothing yet.
    let c = check_console(&api, &sb, &setup, &fetch).await;
    assert_eq!(c.verdict, Verdict::Fail, "{c:?}");
    assert!(c.fix.as_deref().unwrap().contains("apply --console-api"));

    let out = run(&api, &setup, &Mutex::default(), false).await;
    assert!(out.failure.is_none(), "{:?}", out.failure);
    let id = out.instance_id.unwrap();
    fake.clear();

    // Configured, no provider yet: passes, and says what it could not compare.
    let c = check_console(&api, &sb, &setup, &fetch).await;
    assert_eq!(c.verdict, Verdict::Pass, "{c:?}");
    assert!(
        c.evidence.iter().any(|e| e.contains("no SAML provider")),
        "{c:?}"
    );
    assert!(
        fake.targets()
            .iter()
            .all(|t| !t.contains(".Update") && !t.contains(".Create")),
        "doctor only reads"
    );

    // The provider holds the current metadata: passes.
    sb.create_saml_provider(setup.provider_name.as_str(), METADATA, &[])
        .await
        .unwrap();
    let c = check_console(&api, &sb, &setup, &fetch).await;
    assert_eq!(c.verdict, Verdict::Pass, "{c:?}");
    assert!(
        c.evidence.iter().any(|e| e.contains("current metadata")),
        "{c:?}"
    );

    // The provider holds other metadata (a rotated certificate): fails, naming the fix.
    let other = METADATA.replace("MTIzNDU2Nzg5MDEy", "OTg3NjU0MzIxMDk4");
    sb.update_saml_provider(&setup.provider_arn(), &other)
        .await
        .unwrap();
    let c = check_console(&api, &sb, &setup, &fetch).await;
    assert_eq!(c.verdict, Verdict::Fail, "{c:?}");
    assert!(c.troubles.contains(&"certificate"), "{c:?}");
    sb.update_saml_provider(&setup.provider_arn(), METADATA)
        .await
        .unwrap();

    // Disabled, and another ACS URL: a warning and a failure.
    {
        let mut s = fake.state.lock().unwrap();
        let i = s.instances.get_mut(&id).unwrap();
        i["status"] = json!("DISABLED");
        i["serviceProviderConfig"]["audience"] = json!("urn:other");
    }
    let c = check_console(&api, &sb, &setup, &fetch).await;
    assert_eq!(c.verdict, Verdict::Fail, "{c:?}");
    assert!(
        c.evidence.iter().any(|e| e.contains("is DISABLED")),
        "{c:?}"
    );
    assert!(
        c.evidence
            .iter()
            .any(|e| e.contains("audience: urn:other -> urn:amazon:webservices")),
        "{c:?}"
    );
    assert!(c.troubles.contains(&"wrong-acs-url"), "{c:?}");

    // An unknown operation is an error that says to check in the console.
    fake.force(
        "ListApplicationInstances",
        error(400, "UnknownOperationException", "gone"),
    );
    let c = check_console(&api, &sb, &setup, &fetch).await;
    assert_eq!(c.verdict, Verdict::Error, "{c:?}");
    assert!(
        c.fix.as_deref().unwrap().contains("AWS does not document"),
        "{c:?}"
    );
}

fn binary(home: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_connect-sso"))
        .args(args)
        .env("HOME", home)
        .env("XDG_STATE_HOME", home)
        .env_remove("CONNECT_SSO_CONSOLE_API")
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .unwrap()
}

#[test]
fn the_option_is_on_apply_doctor_and_teardown() {
    let home = tempfile::tempdir().unwrap();
    for command in ["apply", "doctor", "teardown"] {
        let help = binary(home.path(), &[command, "--help"]);
        let text = String::from_utf8_lossy(&help.stdout);
        assert!(text.contains("--console-api"), "{command}: {text}");
        assert!(text.contains("does not document"), "{command}: {text}");
    }
}

/// On the sandbox, the console API does steps 1, 2, 3-5 and 10 so that the sign-in works,
/// a second run changes nothing, and doctor checks the application through it.
#[test]
fn on_the_sandbox_apply_and_doctor_work_through_the_console_api() {
    let home = tempfile::tempdir().unwrap();
    let maria = "maria.garcia@example.com";
    let out = |o: &std::process::Output| {
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    };
    let apply = [
        "--sandbox",
        "apply",
        "--console-api",
        "--yes",
        "--user",
        maria,
    ];
    let o = binary(home.path(), &apply);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    let text = out(&o);
    assert!(text.contains("1   application   created"), "{text}");
    assert!(
        !text.contains("stands in for"),
        "no stand-in with the API: {text}"
    );
    let o = binary(home.path(), &["--sandbox", "sign-in-test", "--user", maria]);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    let o = binary(home.path(), &apply);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    assert!(
        out(&o).contains("Nothing to change: every automated step is already done."),
        "{}",
        out(&o)
    );
    let o = binary(home.path(), &["--sandbox", "doctor", "--console-api"]);
    assert!(
        out(&o).contains("Application via console API"),
        "{}",
        out(&o)
    );
    // The console API leaves the relay state (steps 7-9) to the console: until it is set,
    // the sandbox's sign-in lands outside Connect, and doctor says so.
    assert_eq!(o.status.code(), Some(1), "{}", out(&o));
    assert!(
        out(&o).contains("RelayState: (empty)") && out(&o).contains("steps 7-9"),
        "{}",
        out(&o)
    );

    // teardown: the application goes too, after Maria's assignment; then nothing is left.
    let teardown = ["--sandbox", "teardown", "--console-api", "--yes"];
    let o = binary(home.path(), &teardown);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    let text = out(&o);
    assert!(text.contains("application    deleted"), "{text}");
    assert!(text.contains("assignment     deleted"), "{text}");
    let o = binary(home.path(), &teardown);
    assert!(out(&o).contains("Nothing to remove."), "{}", out(&o));

    // One the console made (here apply's stand-in without the option) is kept, saying so.
    let o = binary(home.path(), &["--sandbox", "apply", "--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    let o = binary(home.path(), &teardown);
    let text = out(&o);
    assert!(text.contains("application    kept"), "{text}");
    assert!(text.contains("not created by connect-sso"), "{text}");
}
