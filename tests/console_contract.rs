//! One set of behaviour tests of the console API, run on the loopback fake of the JSON
//! protocol and on the sandbox, so the sandbox answers as the fake (and the public model)
//! says AWS does: the ensures create, configure and then change nothing; reads give back
//! what was written; the metadata URL serves the metadata; an unknown instance is not
//! found; an instance goes after its profiles. Then teardown with the console API on both.

#[path = "common/console_fake.rs"]
mod console_fake;

use std::collections::HashMap;
use std::sync::Mutex;

use futures_util::future::BoxFuture;

use connect_sso::cloud::CloudError;
use connect_sso::cloud::api::*;
use connect_sso::cloud::console::ensure::{
    ConsoleRun, ensure_console_steps, fetch_with, wanted_service_provider,
};
use connect_sso::cloud::console::{CUSTOM_SAML_TEMPLATE, ConsoleApi, record};
use connect_sso::cloud::ensure::Change;
use connect_sso::cloud::sandbox::{
    SANDBOX_INSTANCE_ARN, SANDBOX_USERS, Sandbox, instance_id_of, sandbox_fetch,
};
use connect_sso::cloud::teardown::{
    Action, ItemKind, execute, execute_application, finished_applications, plan_application,
    plan_teardown,
};
use connect_sso::cloud::{CUSTOM_SAML_PROVIDER, PrincipalType};
use connect_sso::domain::setup::{Answers, Setup};
use console_fake::{Fake, client};

type Fetch = Box<
    dyn Fn(
            String,
        ) -> BoxFuture<
            'static,
            Result<(connect_sso::domain::metadata::CheckedMetadata, String), String>,
        > + Send
        + Sync,
>;

/// What a contract test needs of an implementation beside the API itself.
trait Subject {
    fn api(&self) -> &dyn ConsoleApi;
    /// The operations called so far, by name (`ListApplicationInstances`).
    fn operations(&self) -> Vec<String>;
    fn clear(&self);
    fn fetch(&self) -> Fetch;
}

struct OnFake(Fake, connect_sso::cloud::console::ConsoleClient);

impl Subject for OnFake {
    fn api(&self) -> &dyn ConsoleApi {
        &self.1
    }
    fn operations(&self) -> Vec<String> {
        self.0
            .targets()
            .iter()
            .map(|t| t.trim_start_matches("SWBService.").to_string())
            .collect()
    }
    fn clear(&self) {
        self.0.clear()
    }
    fn fetch(&self) -> Fetch {
        Box::new(fetch_with(now()))
    }
}

struct OnSandbox(std::sync::Arc<Sandbox>);

impl Subject for OnSandbox {
    fn api(&self) -> &dyn ConsoleApi {
        self.0.as_ref()
    }
    fn operations(&self) -> Vec<String> {
        self.0
            .calls()
            .iter()
            .map(|t| t.trim_start_matches("sso:").to_string())
            .collect()
    }
    fn clear(&self) {
        self.0.clear_calls()
    }
    fn fetch(&self) -> Fetch {
        let sandbox = self.0.clone();
        Box::new(move |url: String| sandbox_fetch(&sandbox, now())(url))
    }
}

fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

fn setup(instance_arn: &str) -> Setup {
    Setup::from_answers(&Answers {
        instance_arn: Some(instance_arn.to_string()),
        app_name: Some("Amazon Connect (contract)".to_string()),
        app_description: Some("Agents sign in".to_string()),
        ..Answers::default()
    })
    .unwrap()
}

const FAKE_INSTANCE: &str =
    "arn:aws:connect:eu-west-2:123456789012:instance/12345678-90ab-cdef-1234-567890abcdef";

async fn run(
    s: &dyn Subject,
    setup: &Setup,
    record: &Mutex<HashMap<String, String>>,
    dry_run: bool,
) -> ConsoleRun {
    let snapshot = record.lock().unwrap().clone();
    let recorded = move |id: &str| snapshot.get(id).cloned();
    let fetch = s.fetch();
    let out = ensure_console_steps(s.api(), setup, &recorded, &*fetch, dry_run).await;
    if let (Some(id), Some(m)) = (&out.instance_id, &out.mappings_written) {
        record.lock().unwrap().insert(id.clone(), m.clone());
    }
    out
}

fn changes(run: &ConsoleRun) -> Vec<(&'static str, Change)> {
    run.outcomes.iter().map(|o| (o.step, o.change)).collect()
}

/// The behaviour both implementations share.
async fn contract(s: &dyn Subject, setup: &Setup) {
    let record = Mutex::new(HashMap::new());

    let look = run(s, setup, &record, true).await;
    assert!(look.failure.is_none(), "{:?}", look.failure);
    assert_eq!(
        changes(&look),
        [
            ("1", Change::WouldCreate),
            ("3-5", Change::WouldUpdate),
            ("10", Change::WouldUpdate)
        ]
    );
    assert_eq!(s.operations(), ["ListApplicationInstances"]);
    s.clear();

    let first = run(s, setup, &record, false).await;
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
    assert_eq!(
        s.operations(),
        [
            "ListApplicationInstances",
            "CreateApplicationInstance",
            "UpdateApplicationInstanceDisplayData",
            "GetApplicationInstance",
            "UpdateApplicationInstanceServiceProviderConfiguration",
            "GetApplicationInstance",
            "UpdateApplicationInstanceResponseConfiguration",
            "UpdateApplicationInstanceResponseSchemaConfiguration",
            "UpdateApplicationInstanceStatus",
            "GetApplicationInstance",
        ]
    );
    let id = first.instance_id.clone().unwrap();
    assert!(id.starts_with("ins-"), "{id}");

    // Reads give back what was written.
    let got = s.api().get_application_instance(&id).await.unwrap();
    assert_eq!(got.display_name(), Some("Amazon Connect (contract)"));
    assert_eq!(got.description(), Some("Agents sign in"));
    assert!(got.is_enabled());
    assert_eq!(got.template_id(), Some(CUSTOM_SAML_TEMPLATE));
    assert_eq!(
        got.service_provider_config,
        Some(wanted_service_provider(setup))
    );
    let listed = s.api().list_application_instances().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].instance_id.as_deref(), Some(id.as_str()));
    let (checked, _) = (s.fetch())(got.metadata_url().unwrap().to_string())
        .await
        .unwrap();
    assert_eq!(checked.metadata.certificates.len(), 1);
    let certificates = s
        .api()
        .list_application_instance_certificates(&id)
        .await
        .unwrap();
    assert_eq!(certificates.len(), 1);
    s.clear();

    // Idempotence: the second run reads only.
    let second = run(s, setup, &record, false).await;
    assert!(second.failure.is_none(), "{:?}", second.failure);
    assert_eq!(second.changes(), 0, "{:?}", second.outcomes);
    assert_eq!(
        s.operations(),
        ["ListApplicationInstances", "GetApplicationInstance"]
    );

    // An unknown instance is not found, for reads and writes alike.
    let unknown = "ins-00000000000000ff";
    assert!(matches!(
        s.api().get_application_instance(unknown).await,
        Err(CloudError::NotFound { .. })
    ));
    assert!(matches!(
        s.api()
            .update_application_instance_status(unknown, "ENABLED")
            .await,
        Err(CloudError::NotFound { .. })
    ));

    // Removal: the profiles, then the instance.
    for p in s.api().list_profiles(&id).await.unwrap() {
        s.api()
            .delete_profile(&id, p.profile_id.as_deref().unwrap())
            .await
            .unwrap();
    }
    assert!(s.api().list_profiles(&id).await.unwrap().is_empty());
    s.api().delete_application_instance(&id).await.unwrap();
    assert!(matches!(
        s.api().get_application_instance(&id).await,
        Err(CloudError::NotFound { .. })
    ));
    assert!(
        s.api()
            .list_application_instances()
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn the_contract_holds_on_the_fake() {
    let fake = Fake::start();
    let api = client(&fake);
    contract(&OnFake(fake, api), &setup(FAKE_INSTANCE)).await;
}

#[tokio::test]
async fn the_contract_holds_on_the_sandbox() {
    let sb = std::sync::Arc::new(Sandbox::new());
    contract(&OnSandbox(sb), &setup(SANDBOX_INSTANCE_ARN)).await;
}

/// On the sandbox the console API and sso-admin see the same applications: one created
/// through either is listed by both, `ins-X` being `apl-X`.
#[tokio::test]
async fn on_the_sandbox_both_apis_list_the_same_applications() {
    let sb = Sandbox::new();
    let by_console = sb.simulate_create_application("Made in the console");
    let made = sb
        .create_application_instance(CUSTOM_SAML_TEMPLATE, "a-unique-name")
        .await
        .unwrap();
    let id = made.instance_id.unwrap();
    let idc = &sb.list_idc_instances().await.unwrap()[0];
    let apps = sb.list_applications(&idc.instance_arn).await.unwrap();
    let made_arn = apps
        .iter()
        .find(|a| instance_id_of(&a.arn).as_deref() == Some(id.as_str()))
        .expect("the new instance is an application of sso-admin");
    assert_eq!(made_arn.provider_arn, CUSTOM_SAML_PROVIDER);
    assert_eq!(made_arn.status.as_deref(), Some("DISABLED"));
    let instances = sb.list_application_instances().await.unwrap();
    assert!(
        instances
            .iter()
            .any(|i| i.instance_id == instance_id_of(&by_console)
                && i.display_name() == Some("Made in the console"))
    );
    // The name is unique; the template is the custom SAML one.
    assert!(
        sb.create_application_instance(CUSTOM_SAML_TEMPLATE, "a-unique-name")
            .await
            .is_err()
    );
    assert!(matches!(
        sb.create_application_instance("tpl-other", "x").await,
        Err(CloudError::Invalid { .. })
    ));
    // Assignments and profiles hold the instance.
    sb.create_application_assignment(&made_arn.arn, PrincipalType::User, SANDBOX_USERS[0].user_id)
        .await
        .unwrap();
    let err = sb.delete_application_instance(&id).await.unwrap_err();
    assert!(err.to_string().contains("ConflictException"), "{err}");
    // Every call was recorded, with the identity context's faults.
    assert!(
        sb.calls()
            .contains(&"sso:CreateApplicationInstance".to_string())
    );
    sb.inject_fault(connect_sso::cloud::sandbox::Fault::new(
        connect_sso::cloud::sandbox::FaultKind::AccessDenied,
        "sso:GetApplicationInstance",
        Some(1),
    ));
    assert!(matches!(
        sb.get_application_instance(&id).await,
        Err(CloudError::AccessDenied { .. })
    ));
    assert!(sb.get_application_instance(&id).await.is_ok());
}

/// teardown with the console API on the sandbox: the application connect-sso created goes
/// after its assignments and profiles; one it did not create stays, with a line saying so.
#[tokio::test]
async fn teardown_removes_only_the_application_connect_sso_created_on_the_sandbox() {
    let sb = std::sync::Arc::new(Sandbox::new());
    let s = OnSandbox(sb.clone());
    let setup = setup(SANDBOX_INSTANCE_ARN);
    let made = run(&s, &setup, &Mutex::default(), false).await;
    let id = made.instance_id.clone().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = record::beside_ledger(&dir.path().join("ledger.json"));
    let idc = &sb.list_idc_instances().await.unwrap()[0];
    let arn = sb
        .list_applications(&idc.instance_arn)
        .await
        .unwrap()
        .into_iter()
        .find(|a| instance_id_of(&a.arn).as_deref() == Some(id.as_str()))
        .unwrap()
        .arn;
    sb.create_application_assignment(&arn, PrincipalType::User, SANDBOX_USERS[0].user_id)
        .await
        .unwrap();
    let ledger = vec![connect_sso::ledger::LedgerEntry {
        application_arn: arn.clone(),
        principal_id: SANDBOX_USERS[0].user_id.to_string(),
        principal_type: PrincipalType::User,
        user_name: SANDBOX_USERS[0].user_name.to_string(),
        instance_id: setup.instance.id.as_str().to_string(),
        created_at: "2027-01-01T00:00:00Z".to_string(),
    }];

    // Not in the record: kept, saying why; nothing is removed.
    let (empty, _) = record::load(&path);
    let mut plan = plan_teardown(sb.as_ref(), &setup, &ledger).await.unwrap();
    let items = plan_application(sb.as_ref(), sb.as_ref(), &setup, &empty, &plan.items).await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].kind, ItemKind::Application);
    assert_eq!(items[0].action, Action::Kept);
    assert!(
        items[0].reason.contains("not created by connect-sso"),
        "{:?}",
        items[0]
    );

    // Recorded as created: removed after the assignment, profiles first.
    record::note(&path, &id, setup.instance.id.as_str(), true, None).unwrap();
    let (ours, _) = record::load(&path);
    let items = plan_application(sb.as_ref(), sb.as_ref(), &setup, &ours, &plan.items).await;
    assert_eq!(items[0].action, Action::Delete, "{:?}", items[0]);
    plan.items.extend(items);
    sb.clear_calls();
    let mut report = execute(sb.as_ref(), &plan).await;
    execute_application(sb.as_ref(), &mut report).await;
    let app = report
        .items
        .iter()
        .find(|i| i.kind == ItemKind::Application)
        .unwrap();
    assert_eq!(app.action, Action::Deleted, "{app:?}");
    let calls = sb.calls();
    let at = |op: &str| calls.iter().position(|c| c == op).unwrap_or(usize::MAX);
    assert!(
        at("sso:DeleteApplicationAssignment") < at("sso:DeleteProfile"),
        "{calls:?}"
    );
    assert!(
        at("sso:DeleteProfile") < at("sso:DeleteApplicationInstance"),
        "{calls:?}"
    );
    assert!(sb.application_config(&arn).is_none());
    assert_eq!(finished_applications(&report.items), vec![id.clone()]);
    record::forget(&path, &finished_applications(&report.items)).unwrap();
    assert!(record::load(&path).0.entry(&id).is_none());
}

/// The same removal on the fake: ListProfiles, DeleteProfile, DeleteApplicationInstance, in
/// that order; an assignment connect-sso did not make keeps it.
#[tokio::test]
async fn teardown_removes_the_application_through_the_fake() {
    let fake = Fake::start();
    let api = client(&fake);
    // sso-admin's side of the application (its ARN and assignments) comes from a sandbox
    // that holds an application with the same id.
    let sb = Sandbox::new();
    let setup = setup(SANDBOX_INSTANCE_ARN);
    let arn = sb.simulate_create_application(setup.app_name.as_str());
    let id = instance_id_of(&arn).unwrap();
    {
        let mut s = fake.state.lock().unwrap();
        s.instances.insert(
            id.clone(),
            serde_json::json!({ "instanceId": id, "display": { "displayName": setup.app_name.as_str() }, "status": "ENABLED" }),
        );
        s.profiles
            .insert(id.clone(), vec!["p-1".into(), "p-2".into()]);
    }
    let dir = tempfile::tempdir().unwrap();
    let path = record::beside_ledger(&dir.path().join("ledger.json"));
    record::note(&path, &id, setup.instance.id.as_str(), true, None).unwrap();
    let (ours, _) = record::load(&path);

    // Held by an assignment made by hand: kept.
    sb.create_application_assignment(&arn, PrincipalType::User, SANDBOX_USERS[1].user_id)
        .await
        .unwrap();
    let plan = plan_teardown(&sb, &setup, &[]).await.unwrap();
    let items = plan_application(&api, &sb, &setup, &ours, &plan.items).await;
    assert_eq!(items[0].action, Action::Kept, "{:?}", items[0]);
    assert!(
        items[0].reason.contains("did not make"),
        "{}",
        items[0].reason
    );
    sb.delete_application_assignment(&arn, PrincipalType::User, SANDBOX_USERS[1].user_id)
        .await
        .unwrap();

    let mut plan = plan_teardown(&sb, &setup, &[]).await.unwrap();
    plan.items
        .extend(plan_application(&api, &sb, &setup, &ours, &plan.items).await);
    fake.clear();
    let mut report = execute(&sb, &plan).await;
    execute_application(&api, &mut report).await;
    let app = report
        .items
        .iter()
        .find(|i| i.kind == ItemKind::Application)
        .unwrap();
    assert_eq!(app.action, Action::Deleted, "{app:?}");
    assert_eq!(
        fake.targets(),
        [
            "SWBService.ListProfiles",
            "SWBService.DeleteProfile",
            "SWBService.DeleteProfile",
            "SWBService.DeleteApplicationInstance"
        ]
    );
    assert_eq!(fake.seen()[1].body["profileId"], "p-1");

    // A second plan finds it gone, so the record can forget it.
    let items = plan_application(&api, &sb, &setup, &ours, &[]).await;
    assert!(
        items.iter().any(|i| i.action == Action::AlreadyGone),
        "{items:?}"
    );
}

/// A refusal on the sandbox stops the console steps as on AWS: the operation, the answer,
/// what was done, and how to go on.
#[tokio::test]
async fn on_the_sandbox_a_refusal_stops_the_steps_with_what_was_done() {
    let sb = std::sync::Arc::new(Sandbox::new());
    sb.inject_fault(connect_sso::cloud::sandbox::Fault::new(
        connect_sso::cloud::sandbox::FaultKind::AccessDenied,
        "sso:UpdateApplicationInstanceResponseConfiguration",
        None,
    ));
    let s = OnSandbox(sb.clone());
    let out = run(&s, &setup(SANDBOX_INSTANCE_ARN), &Mutex::default(), false).await;
    let f = out.failure.expect("stopped");
    assert_eq!(f.step, "10");
    assert!(!f.unexpected);
    assert_eq!(
        f.operation,
        "sso:UpdateApplicationInstanceResponseConfiguration"
    );
    let message = f.message();
    assert!(
        message.contains("created the application instance"),
        "{message}"
    );
    assert!(message.contains("ACS URL"), "{message}");
    assert!(message.contains("run apply again"), "{message}");
    assert_eq!(
        s.operations().last().map(String::as_str),
        Some("UpdateApplicationInstanceResponseConfiguration")
    );
}
