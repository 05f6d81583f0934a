//! `doctor` and `inspect` over `SdkCloud`, with every client answering from SDK outputs and
//! errors shaped as AWS sends them: the failures tests/doctor.rs finds on the sandbox, found
//! again through the real adapter (request fields, URL-encoded documents, modeled and
//! unmodeled errors).
//!
//! Doctor and inspect send requests concurrently, so the clients match rules in any order
//! (`Mocks::cloud_any`). [`healthy`] is an account where the guide was followed; a test puts
//! the rule it changes first with [`healthy_but`], and the first matching rule answers.

use aws_sdk_connect::Client as Connect;
use aws_sdk_connect::operation::describe_instance::DescribeInstanceOutput;
use aws_sdk_connect::operation::search_users::{SearchUsersInput, SearchUsersOutput};
use aws_sdk_connect::types::{
    DirectoryType, Instance, InstanceStatus as ConnectInstanceStatus, StringComparisonType,
    UserSearchSummary,
};
use aws_sdk_iam::Client as Iam;
use aws_sdk_iam::operation::get_policy::{GetPolicyError, GetPolicyOutput};
use aws_sdk_iam::operation::get_policy_version::GetPolicyVersionOutput;
use aws_sdk_iam::operation::get_role::{GetRoleError, GetRoleOutput};
use aws_sdk_iam::operation::get_saml_provider::{GetSAMLProviderError, GetSamlProviderOutput};
use aws_sdk_iam::operation::list_attached_role_policies::{
    ListAttachedRolePoliciesError, ListAttachedRolePoliciesOutput,
};
use aws_sdk_iam::operation::list_role_policies::{ListRolePoliciesError, ListRolePoliciesOutput};
use aws_sdk_iam::operation::list_roles::ListRolesOutput;
use aws_sdk_iam::primitives::DateTime;
use aws_sdk_iam::types::error::NoSuchEntityException;
use aws_sdk_iam::types::{AttachedPolicy, Policy, PolicyVersion};
use aws_sdk_identitystore::Client as IdentityStore;
use aws_sdk_identitystore::operation::describe_user::DescribeUserOutput;
use aws_sdk_identitystore::operation::get_user_id::{GetUserIdInput, GetUserIdOutput};
use aws_sdk_identitystore::operation::is_member_in_groups::IsMemberInGroupsOutput;
use aws_sdk_identitystore::types::{
    AlternateIdentifier, Email, GroupMembershipExistenceResult, MemberId, Name,
};
use aws_sdk_ssoadmin::Client as SsoAdmin;
use aws_sdk_ssoadmin::operation::list_application_assignments::ListApplicationAssignmentsOutput;
use aws_sdk_ssoadmin::operation::list_applications::ListApplicationsOutput;
use aws_sdk_ssoadmin::operation::list_instances::{ListInstancesError, ListInstancesOutput};
use aws_sdk_ssoadmin::types::{
    ApplicationAssignment as SdkAssignment, ApplicationStatus, InstanceMetadata,
    InstanceStatus as IdcInstanceStatus, PrincipalType,
};
use aws_sdk_sts::Client as Sts;
use aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityOutput;
use aws_smithy_mocks::mock;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::datetime;

use super::*;
use crate::cloud::doctor::{Check, DoctorInput, DoctorReport, Verdict, doctor};
use crate::cloud::inspect::inspect;
use crate::cloud::{CUSTOM_SAML_PROVIDER, managed_tags};
use crate::domain::assertion::testkit::{self, Sign, Spec, idc_key};
use crate::domain::assertion::{self, Decoded, Finding, Severity};
use crate::domain::metadata;
use crate::domain::setup::{Answers, Setup};
use crate::troubleshoot::trouble;

const ACCOUNT: &str = "111122223333";
/// Identity Center runs in the organization's management account.
const IDENTITY_ACCOUNT: &str = "444455556666";
const INSTANCE_ID: &str = "9a3f6c1e-7b2d-4e58-a1c9-3d7e5b0f2a64";
const ALIAS: &str = "acme-contact-center";
const APP: &str = "Acme Contact Center";
const IDC_INSTANCE_ARN: &str = "arn:aws:sso:::instance/ssoins-7223a1b2c3d4e5f6";
const STORE: &str = "d-9067a1b2c3";
const APP_ARN: &str =
    "arn:aws:sso::444455556666:application/ssoins-7223a1b2c3d4e5f6/apl-0a1b2c3d4e5f6a7b";
const MARIA: &str = "maria.garcia@example.com";
const MARIA_ID: &str = "94482488-3041-7026-18f2-2b9a0e7c1d5f";
const MARIA_CONNECT_ID: &str = "7d2b9e41-3c5a-4f6e-8b1d-0a9c8e7f6d5e";
/// Identity Center's metadata, as the provider holds it and the user supplies it.
const METADATA: &str = include_str!("../../../../tests/fixtures/metadata/idc-metadata.xml");
const DEFAULT_VERSION: &str = "v2";
const OTHER_ACS_URL: &str = "https://eu-west-2.signin.aws.amazon.com/saml";

fn instance_arn() -> String {
    format!("arn:aws:connect:us-east-1:{ACCOUNT}:instance/{INSTANCE_ID}")
}

fn setup() -> Setup {
    Setup::from_answers(&Answers {
        instance_arn: Some(instance_arn()),
        app_name: Some(APP.into()),
        ..Answers::default()
    })
    .expect("valid answers")
}

/// A moment when the metadata's certificate has 100 days left: no certificate warning.
fn now() -> OffsetDateTime {
    let m = metadata::parse(METADATA.as_bytes()).expect("the fixture parses");
    m.certificates[0].not_after - time::Duration::days(100)
}

// ---- SDK outputs

/// RFC 3986 unreserved characters stay as they are; IAM encodes everything else.
const IAM_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// A policy document as IAM returns it: URL-encoded JSON.
fn url_encoded(document: &Value) -> String {
    utf8_percent_encode(&document.to_string(), IAM_ENCODE).to_string()
}

fn no_such_entity(message: &str) -> NoSuchEntityException {
    NoSuchEntityException::builder()
        .message(message)
        .meta(meta("NoSuchEntity", message))
        .build()
}

fn iam_tags() -> Vec<aws_sdk_iam::types::Tag> {
    managed_tags(INSTANCE_ID)
        .iter()
        .map(|t| {
            aws_sdk_iam::types::Tag::builder()
                .key(&t.key)
                .value(&t.value)
                .build()
                .expect("key and value")
        })
        .collect()
}

fn caller(account: &'static str, role: &'static str) -> Rule {
    mock!(Sts::get_caller_identity).then_output(move || {
        GetCallerIdentityOutput::builder()
            .account(account)
            .arn(format!("arn:aws:sts::{account}:assumed-role/{role}/ana"))
            .user_id("AROARZ5EXAMPLEID0001:ana")
            .build()
    })
}

fn describe_instance(kind: DirectoryType) -> Rule {
    mock!(Connect::describe_instance)
        .match_requests(|r| r.instance_id() == Some(INSTANCE_ID))
        .then_output(move || {
            DescribeInstanceOutput::builder()
                .instance(
                    Instance::builder()
                        .id(INSTANCE_ID)
                        .arn(instance_arn())
                        .instance_alias(ALIAS)
                        .identity_management_type(kind.clone())
                        .instance_status(ConnectInstanceStatus::Active)
                        .inbound_calls_enabled(true)
                        .outbound_calls_enabled(true)
                        .build(),
                )
                .build()
        })
}

fn searches_for(r: &SearchUsersInput, username: &str) -> bool {
    r.instance_id() == Some(INSTANCE_ID)
        && r.search_criteria()
            .and_then(|c| c.string_condition())
            .is_some_and(|c| {
                c.field_name() == Some("Username")
                    && c.value() == Some(username)
                    && c.comparison_type() == Some(&StringComparisonType::Exact)
            })
}

/// `SearchUsers` for `username`, answering with users `(id, username)`.
fn search_users(username: &'static str, hits: &'static [(&'static str, &'static str)]) -> Rule {
    mock!(Connect::search_users)
        .match_requests(move |r| searches_for(r, username))
        .then_output(move || {
            SearchUsersOutput::builder()
                .set_users(Some(
                    hits.iter()
                        .map(|(id, name)| {
                            UserSearchSummary::builder()
                                .id(*id)
                                .arn(format!("{}/agent/{id}", instance_arn()))
                                .username(*name)
                                .build()
                        })
                        .collect(),
                ))
                .approximate_total_count(hits.len() as i64)
                .build()
        })
}

fn saml_provider() -> Rule {
    mock!(Iam::get_saml_provider)
        .match_requests(|r| r.saml_provider_arn() == Some(setup().provider_arn().as_str()))
        .then_output(|| {
            GetSamlProviderOutput::builder()
                .saml_metadata_document(METADATA)
                .create_date(DateTime::from_secs(1_780_000_000))
                .set_tags(Some(iam_tags()))
                .build()
        })
}

fn get_policy(default_version: &'static str) -> Rule {
    mock!(Iam::get_policy)
        .match_requests(|r| r.policy_arn() == Some(setup().policy_arn().as_str()))
        .then_output(move || {
            let s = setup();
            GetPolicyOutput::builder()
                .policy(
                    Policy::builder()
                        .policy_name(s.policy_name.as_str())
                        .policy_id("ANPARZ5EXAMPLEPOLICY1")
                        .arn(s.policy_arn())
                        .path("/")
                        .default_version_id(default_version)
                        .attachment_count(1)
                        .is_attachable(true)
                        .set_tags(Some(iam_tags()))
                        .build(),
                )
                .build()
        })
}

fn policy_version(version: &'static str, document: Value) -> Rule {
    mock!(Iam::get_policy_version)
        .match_requests(move |r| {
            r.policy_arn() == Some(setup().policy_arn().as_str()) && r.version_id() == Some(version)
        })
        .then_output(move || {
            GetPolicyVersionOutput::builder()
                .policy_version(
                    PolicyVersion::builder()
                        .document(url_encoded(&document))
                        .version_id(version)
                        .is_default_version(true)
                        .create_date(DateTime::from_secs(1_780_000_000))
                        .build(),
                )
                .build()
        })
}

/// A role as IAM returns it; `ListRoles` leaves the tags out, `GetRole` has them.
fn sdk_role(
    name: &str,
    path: &str,
    trust: &Value,
    tags: Option<Vec<aws_sdk_iam::types::Tag>>,
) -> aws_sdk_iam::types::Role {
    aws_sdk_iam::types::Role::builder()
        .path(path)
        .role_name(name)
        .role_id("AROARZ5EXAMPLEROLE001")
        .arn(format!("arn:aws:iam::{ACCOUNT}:role{path}{name}"))
        .create_date(DateTime::from_secs(1_780_000_000))
        .assume_role_policy_document(url_encoded(trust))
        .set_tags(tags)
        .build()
        .expect("all required fields")
}

fn get_role(trust: Value) -> Rule {
    mock!(Iam::get_role)
        .match_requests(|r| r.role_name() == Some(setup().role_name.as_str()))
        .then_output(move || {
            GetRoleOutput::builder()
                .role(sdk_role(
                    setup().role_name.as_str(),
                    "/",
                    &trust,
                    Some(iam_tags()),
                ))
                .build()
        })
}

fn attached_policies() -> Rule {
    mock!(Iam::list_attached_role_policies)
        .match_requests(|r| r.role_name() == Some(setup().role_name.as_str()))
        .then_output(|| {
            let s = setup();
            ListAttachedRolePoliciesOutput::builder()
                .attached_policies(
                    AttachedPolicy::builder()
                        .policy_name(s.policy_name.as_str())
                        .policy_arn(s.policy_arn())
                        .build(),
                )
                .is_truncated(false)
                .build()
        })
}

fn no_inline_policies() -> Rule {
    mock!(Iam::list_role_policies)
        .match_requests(|r| r.role_name() == Some(setup().role_name.as_str()))
        .then_output(|| {
            ListRolePoliciesOutput::builder()
                .set_policy_names(Some(Vec::new()))
                .is_truncated(false)
                .build()
                .expect("all required fields")
        })
}

/// Connect's service-linked role, which trusts the service, not the provider.
fn service_linked_role() -> aws_sdk_iam::types::Role {
    sdk_role(
        "AWSServiceRoleForAmazonConnect_RZ5EXAMPLE",
        "/aws-service-role/connect.amazonaws.com/",
        &json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"Service": "connect.amazonaws.com"},
                "Action": "sts:AssumeRole"
            }]
        }),
        None,
    )
}

/// `ListRoles`: the service-linked role, and the federation role when it has a trust.
fn list_roles(federation_trust: Option<Value>) -> Rule {
    mock!(Iam::list_roles).then_output(move || {
        let mut roles = vec![service_linked_role()];
        if let Some(trust) = &federation_trust {
            roles.push(sdk_role(setup().role_name.as_str(), "/", trust, None));
        }
        ListRolesOutput::builder()
            .set_roles(Some(roles))
            .is_truncated(false)
            .build()
            .expect("all required fields")
    })
}

fn idc_instances() -> Rule {
    mock!(SsoAdmin::list_instances).then_output(|| {
        ListInstancesOutput::builder()
            .instances(
                InstanceMetadata::builder()
                    .instance_arn(IDC_INSTANCE_ARN)
                    .identity_store_id(STORE)
                    .owner_account_id(IDENTITY_ACCOUNT)
                    .name("acme")
                    .status(IdcInstanceStatus::Active)
                    .build(),
            )
            .build()
    })
}

fn sdk_application(arn: &str, name: &str, provider: &str) -> aws_sdk_ssoadmin::types::Application {
    aws_sdk_ssoadmin::types::Application::builder()
        .application_arn(arn)
        .name(name)
        .application_provider_arn(provider)
        .instance_arn(IDC_INSTANCE_ARN)
        .application_account(IDENTITY_ACCOUNT)
        .status(ApplicationStatus::Enabled)
        .build()
}

/// `ListApplications`: `ours` (ARN, display name) custom SAML applications, and a catalog
/// application that doctor must ignore.
fn applications(ours: &'static [(&'static str, &'static str)]) -> Rule {
    mock!(SsoAdmin::list_applications)
        .match_requests(|r| r.instance_arn() == Some(IDC_INSTANCE_ARN))
        .then_output(move || {
            let mut apps: Vec<_> = ours
                .iter()
                .map(|(arn, name)| sdk_application(arn, name, CUSTOM_SAML_PROVIDER))
                .collect();
            apps.push(sdk_application(
                "arn:aws:sso::444455556666:application/ssoins-7223a1b2c3d4e5f6/apl-5a1e5f0rce000000",
                APP,
                "arn:aws:sso::aws:applicationProvider/catalog/Salesforce",
            ));
            ListApplicationsOutput::builder()
                .set_applications(Some(apps))
                .build()
        })
}

fn assignments() -> Rule {
    mock!(SsoAdmin::list_application_assignments)
        .match_requests(|r| r.application_arn() == Some(APP_ARN))
        .then_output(|| {
            ListApplicationAssignmentsOutput::builder()
                .application_assignments(
                    SdkAssignment::builder()
                        .application_arn(APP_ARN)
                        .principal_id(MARIA_ID)
                        .principal_type(PrincipalType::User)
                        .build()
                        .expect("all required fields"),
                )
                .build()
        })
}

fn unique_attribute(r: &GetUserIdInput) -> Option<(&str, &str)> {
    match r.alternate_identifier() {
        Some(AlternateIdentifier::UniqueAttribute(a)) => {
            Some((a.attribute_path(), a.attribute_value().as_string()?))
        }
        _ => None,
    }
}

fn user_id_by_email() -> Rule {
    mock!(IdentityStore::get_user_id)
        .match_requests(|r| {
            r.identity_store_id() == Some(STORE)
                && unique_attribute(r) == Some(("emails.value", MARIA))
        })
        .then_output(|| {
            GetUserIdOutput::builder()
                .identity_store_id(STORE)
                .user_id(MARIA_ID)
                .user_arn(format!("arn:aws:identitystore:::user/{STORE}/{MARIA_ID}"))
                .build()
                .expect("all required fields")
        })
}

fn describe_user() -> Rule {
    mock!(IdentityStore::describe_user)
        .match_requests(|r| r.identity_store_id() == Some(STORE) && r.user_id() == Some(MARIA_ID))
        .then_output(|| {
            DescribeUserOutput::builder()
                .identity_store_id(STORE)
                .user_id(MARIA_ID)
                .user_arn(format!("arn:aws:identitystore:::user/{STORE}/{MARIA_ID}"))
                .revision("1")
                .user_name(MARIA)
                .display_name("Maria Garcia")
                .name(
                    Name::builder()
                        .given_name("Maria")
                        .family_name("Garcia")
                        .build(),
                )
                .emails(
                    Email::builder()
                        .value(MARIA)
                        .r#type("work")
                        .primary(true)
                        .build(),
                )
                .build()
                .expect("all required fields")
        })
}

/// The account after the guide was followed for Maria.
fn healthy() -> Mocks {
    let s = setup();
    Mocks {
        iam: vec![
            saml_provider(),
            get_policy(DEFAULT_VERSION),
            policy_version(DEFAULT_VERSION, s.permissions_policy()),
            get_role(s.trust_policy()),
            attached_policies(),
            no_inline_policies(),
            list_roles(Some(s.trust_policy())),
        ],
        connect: vec![
            describe_instance(DirectoryType::Saml),
            search_users(MARIA, &[(MARIA_CONNECT_ID, MARIA)]),
        ],
        connect_sts: vec![caller(ACCOUNT, "ConnectAdmin")],
        sso_admin: vec![
            idc_instances(),
            applications(&[(APP_ARN, APP)]),
            assignments(),
        ],
        identity_store: vec![user_id_by_email(), describe_user()],
        identity_sts: vec![caller(IDENTITY_ACCOUNT, "IdentityCenterAdmin")],
    }
}

/// [`healthy`] with `first`'s rules ahead of its own: they answer the requests they match.
fn healthy_but(first: Mocks) -> Mocks {
    let rest = healthy();
    let join = |mut a: Vec<Rule>, b: Vec<Rule>| {
        a.extend(b);
        a
    };
    Mocks {
        iam: join(first.iam, rest.iam),
        connect: join(first.connect, rest.connect),
        connect_sts: join(first.connect_sts, rest.connect_sts),
        sso_admin: join(first.sso_admin, rest.sso_admin),
        identity_store: join(first.identity_store, rest.identity_store),
        identity_sts: join(first.identity_sts, rest.identity_sts),
    }
}

async fn run_for(mocks: &Mocks, users: &[&str]) -> DoctorReport {
    let users: Vec<String> = users.iter().map(|u| u.to_string()).collect();
    doctor(
        &mocks.cloud_any(),
        DoctorInput {
            setup: &setup(),
            metadata: Some(METADATA),
            users: &users,
            now: now(),
        },
    )
    .await
}

async fn run(mocks: &Mocks) -> DoctorReport {
    run_for(mocks, &[MARIA]).await
}

fn check<'a>(report: &'a DoctorReport, id: &str) -> &'a Check {
    report
        .checks
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no {id} check in {report:#?}"))
}

fn verdicts(report: &DoctorReport) -> Vec<(&'static str, Verdict)> {
    report.checks.iter().map(|c| (c.id, c.verdict)).collect()
}

/// The healthy verdicts, with `changed` ones replaced.
fn all_pass_but(changed: &[(&'static str, Verdict)]) -> Vec<(&'static str, Verdict)> {
    [
        "context",
        "instance",
        "provider",
        "policy",
        "role",
        "application",
        "user",
        "values",
    ]
    .into_iter()
    .map(|id| {
        let healthy = if id == "values" {
            Verdict::Info
        } else {
            Verdict::Pass
        };
        changed
            .iter()
            .find(|(c, _)| *c == id)
            .map_or((id, healthy), |&(c, v)| (c, v))
    })
    .collect()
}

/// Every failure explains itself: evidence, a fix, and known troubleshooting entries.
fn assert_explained(report: &DoctorReport) {
    for c in &report.checks {
        for t in &c.troubles {
            assert!(trouble(t).is_some(), "unknown troubleshooting entry {t}");
        }
        if c.verdict >= Verdict::Warn {
            assert!(!c.evidence.is_empty(), "{c:?}");
            assert!(c.fix.as_deref().is_some_and(|f| !f.is_empty()), "{c:?}");
        }
    }
}

fn has_evidence(c: &Check, text: &str) -> bool {
    c.evidence.iter().any(|e| e.contains(text))
}

// ---- doctor

#[tokio::test]
async fn a_finished_setup_passes() {
    let mocks = healthy();
    let report = run(&mocks).await;
    assert_eq!(verdicts(&report), all_pass_but(&[]), "{report:#?}");
    assert!(report.passed(true), "{report:#?}");

    let context = check(&report, "context");
    assert!(has_evidence(
        context,
        &format!(
            "connect: account {ACCOUNT} as arn:aws:sts::{ACCOUNT}:assumed-role/ConnectAdmin/ana"
        )
    ));
    assert!(has_evidence(
        context,
        &format!("identity: account {IDENTITY_ACCOUNT}")
    ));
    assert!(has_evidence(
        check(&report, "instance"),
        &format!("{ALIAS} is ACTIVE, identity management SAML")
    ));
    let provider = check(&report, "provider");
    assert!(has_evidence(
        provider,
        "holds the same issuer and certificates"
    ));
    // The URL-encoded default version decodes to exactly the generated document.
    let policy = check(&report, "policy");
    assert_eq!(
        policy.evidence,
        [
            format!("default version {DEFAULT_VERSION}"),
            format!(
                "allows connect:GetFederationToken on {}/user/${{aws:userid}}",
                instance_arn()
            ),
        ]
    );
    let role = check(&report, "role");
    assert!(has_evidence(
        role,
        "SAML:aud https://signin.aws.amazon.com/saml"
    ));
    assert!(has_evidence(role, "attached"));
    assert!(has_evidence(check(&report, "application"), APP_ARN));
    let user = check(&report, "user");
    assert_eq!(user.subject, MARIA);
    assert!(has_evidence(
        user,
        &format!("Connect user {MARIA} exists ({MARIA_CONNECT_ID})")
    ));
    // The identity store id comes from sso:ListInstances.
    assert_eq!(
        report.access_portal_url.as_deref(),
        Some("https://d-9067a1b2c3.awsapps.com/start")
    );
    // The rule set is realistic only if doctor asks for all of it.
    for (client, rules) in [
        ("iam", &mocks.iam),
        ("connect", &mocks.connect),
        ("connect_sts", &mocks.connect_sts),
        ("sso_admin", &mocks.sso_admin),
        ("identity_store", &mocks.identity_store),
        ("identity_sts", &mocks.identity_sts),
    ] {
        for (i, rule) in rules.iter().enumerate() {
            assert!(rule.num_calls() > 0, "{client} rule {i} was never used");
        }
    }

    // Without named users, everyone assigned directly is checked.
    let everyone = run_for(&healthy(), &[]).await;
    assert!(everyone.passed(true), "{everyone:#?}");
    assert_eq!(check(&everyone, "user").subject, MARIA);
}

#[tokio::test]
async fn a_broader_default_version_fails_the_policy() {
    let broad = policy_version(
        "v3",
        json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "connect:*", "Resource": "*"}
        ]}),
    );
    let mocks = healthy_but(Mocks {
        iam: vec![get_policy("v3"), broad.clone()],
        ..Mocks::default()
    });
    let report = run(&mocks).await;
    assert_eq!(broad.num_calls(), 1, "the default version was not read");
    assert_eq!(
        verdicts(&report),
        all_pass_but(&[("policy", Verdict::Fail)]),
        "{report:#?}"
    );
    let policy = check(&report, "policy");
    assert!(has_evidence(policy, "default version v3"), "{policy:?}");
    assert!(
        has_evidence(policy, "broader than needed: statement 1 allows connect:*"),
        "{policy:?}"
    );
    assert!(
        has_evidence(policy, "broader than needed: statement 1 applies to *"),
        "{policy:?}"
    );
    assert_eq!(policy.troubles, ["federation-token-denied"]);
    assert!(policy.fix.as_deref().unwrap().contains("connect-sso apply"));
    assert!(!report.passed(false));
    assert_explained(&report);
}

#[tokio::test]
async fn a_trust_policy_for_another_acs_url_fails_the_role() {
    let s = setup();
    let trust = crate::domain::policy::trust_policy(&s.provider_arn(), &[OTHER_ACS_URL.into()]);
    let mocks = healthy_but(Mocks {
        iam: vec![get_role(trust.clone()), list_roles(Some(trust))],
        ..Mocks::default()
    });
    let report = run(&mocks).await;
    assert_eq!(
        verdicts(&report),
        all_pass_but(&[("role", Verdict::Fail)]),
        "{report:#?}"
    );
    let role = check(&report, "role");
    assert_eq!(role.troubles, ["wrong-acs-url"]);
    assert!(
        has_evidence(
            role,
            &format!(
                "SAML:aud is {OTHER_ACS_URL} but this setup posts to https://signin.aws.amazon.com/saml"
            )
        ),
        "{role:?}"
    );
    // The provider itself is trusted: only the audience is wrong.
    assert!(has_evidence(role, "for sts:AssumeRoleWithSAML"), "{role:?}");
    assert!(role.fix.as_deref().unwrap().contains("ACS URL"));
    assert_explained(&report);
}

#[tokio::test]
async fn a_missing_role_fails_the_role() {
    // IAM answers NoSuchEntity for every read of a role that does not exist.
    let mocks = healthy_but(Mocks {
        iam: vec![
            mock!(Iam::get_role).then_error(|| {
                GetRoleError::NoSuchEntityException(no_such_entity(&format!(
                    "The role with name {} cannot be found.",
                    setup().role_name
                )))
            }),
            mock!(Iam::list_attached_role_policies).then_error(|| {
                ListAttachedRolePoliciesError::NoSuchEntityException(no_such_entity(
                    "The role cannot be found.",
                ))
            }),
            mock!(Iam::list_role_policies).then_error(|| {
                ListRolePoliciesError::NoSuchEntityException(no_such_entity(
                    "The role cannot be found.",
                ))
            }),
            list_roles(None),
        ],
        ..Mocks::default()
    });
    let report = run(&mocks).await;
    assert_eq!(
        verdicts(&report),
        all_pass_but(&[("role", Verdict::Fail)]),
        "{report:#?}"
    );
    let role = check(&report, "role");
    assert_eq!(role.subject, setup().role_arn());
    assert_eq!(role.evidence, ["the role does not exist"]);
    assert_eq!(role.troubles, ["not-authorized-assume-role"]);
    assert!(role.fix.as_deref().unwrap().contains("step 6c"), "{role:?}");
    assert_explained(&report);
}

#[tokio::test]
async fn a_refused_get_policy_is_an_error_that_names_the_action_and_context() {
    let denied = mock!(Iam::get_policy).then_error(|| {
        GetPolicyError::generic(meta(
            "AccessDenied",
            &format!(
                "User: arn:aws:sts::{ACCOUNT}:assumed-role/ConnectAdmin/ana is not authorized to \
                 perform: iam:GetPolicy on resource: policy {} because no identity-based policy \
                 allows the iam:GetPolicy action",
                setup().policy_arn()
            ),
        ))
    });
    let mocks = healthy_but(Mocks {
        iam: vec![denied.clone()],
        ..Mocks::default()
    });
    let report = run(&mocks).await;
    assert_eq!(denied.num_calls(), 1);
    // The other checks still ran, and pass.
    assert_eq!(
        verdicts(&report),
        all_pass_but(&[("policy", Verdict::Error)]),
        "{report:#?}"
    );
    let policy = check(&report, "policy");
    assert_eq!(policy.evidence, ["could not be checked"]);
    let fix = policy.fix.as_deref().unwrap();
    assert!(fix.contains("iam:GetPolicy"), "{fix}");
    assert!(
        fix.contains(&format!("the connect context (profile {CONNECT_PROFILE})")),
        "{fix}"
    );
    assert!(fix.contains("Grant iam:GetPolicy"), "{fix}");
    assert!(!report.passed(false));
    assert_eq!(report.count(Verdict::Error), 1);
}

#[tokio::test]
async fn a_refused_identity_center_read_names_the_identity_context() {
    let mocks = healthy_but(Mocks {
        sso_admin: vec![mock!(SsoAdmin::list_instances).then_error(|| {
            ListInstancesError::AccessDeniedException(
                aws_sdk_ssoadmin::types::error::AccessDeniedException::builder()
                    .message("User is not authorized to perform: sso:ListInstances")
                    .meta(meta(
                        "AccessDeniedException",
                        "User is not authorized to perform: sso:ListInstances",
                    ))
                    .build(),
            )
        })],
        ..Mocks::default()
    });
    let report = run(&mocks).await;
    // Without the Identity Center instance there is no application, so no user to check.
    assert_eq!(
        verdicts(&report),
        all_pass_but(&[("application", Verdict::Error)])
            .into_iter()
            .filter(|(id, _)| *id != "user")
            .collect::<Vec<_>>(),
        "{report:#?}"
    );
    let fix = check(&report, "application").fix.as_deref().unwrap();
    assert!(fix.contains("sso:ListInstances"), "{fix}");
    assert!(
        fix.contains(&format!(
            "the identity context (profile {IDENTITY_PROFILE})"
        )),
        "{fix}"
    );
    assert_eq!(report.access_portal_url, None);
}

#[tokio::test]
async fn a_person_without_a_connect_user_is_not_onboarded() {
    let mocks = healthy_but(Mocks {
        connect: vec![search_users(MARIA, &[])],
        ..Mocks::default()
    });
    let report = run(&mocks).await;
    assert_eq!(
        verdicts(&report),
        all_pass_but(&[("user", Verdict::Fail)]),
        "{report:#?}"
    );
    let user = check(&report, "user");
    assert_eq!(user.subject, MARIA);
    assert_eq!(user.troubles, ["not-onboarded"]);
    // Identity Center's side is fine: only the Connect user is missing.
    assert!(
        has_evidence(user, &format!("assigned to {APP}")),
        "{user:?}"
    );
    assert!(
        has_evidence(
            user,
            &format!("the Connect instance has no user named exactly {MARIA}")
        ),
        "{user:?}"
    );
    assert!(
        user.fix
            .as_deref()
            .unwrap()
            .contains(&format!("--user {MARIA} --create-connect-users")),
        "{user:?}"
    );
    assert_explained(&report);
}

#[tokio::test]
async fn a_person_assigned_through_a_group_passes() {
    const AGENTS: &str = "906700aaaa-1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e";
    const OTHERS: &str = "906700aaaa-2c3d4e5f-6a7b-4c8d-9eaf-1a2b3c4d5e6f";
    let only_groups = mock!(SsoAdmin::list_application_assignments)
        .match_requests(|r| r.application_arn() == Some(APP_ARN))
        .then_output(|| {
            let group = |id: &str| {
                SdkAssignment::builder()
                    .application_arn(APP_ARN)
                    .principal_id(id)
                    .principal_type(PrincipalType::Group)
                    .build()
                    .expect("all required fields")
            };
            ListApplicationAssignmentsOutput::builder()
                .application_assignments(group(OTHERS))
                .application_assignments(group(AGENTS))
                .build()
        });
    let membership = mock!(IdentityStore::is_member_in_groups)
        .match_requests(|r| {
            r.identity_store_id() == Some(STORE)
                && r.member_id() == Some(&MemberId::UserId(MARIA_ID.into()))
                && r.group_ids() == [OTHERS, AGENTS]
        })
        .then_output(|| {
            let result = |group: &str, exists: bool| {
                GroupMembershipExistenceResult::builder()
                    .group_id(group)
                    .member_id(MemberId::UserId(MARIA_ID.into()))
                    .membership_exists(exists)
                    .build()
            };
            IsMemberInGroupsOutput::builder()
                .results(result(OTHERS, false))
                .results(result(AGENTS, true))
                .build()
                .expect("all required fields")
        });
    let mocks = healthy_but(Mocks {
        sso_admin: vec![only_groups],
        identity_store: vec![membership],
        ..Mocks::default()
    });
    let report = run(&mocks).await;
    assert_eq!(verdicts(&report), all_pass_but(&[]), "{report:#?}");
    let user = check(&report, "user");
    assert!(
        has_evidence(user, &format!("assigned to {APP} through group {AGENTS}")),
        "{user:?}"
    );
    assert_eq!(mocks.identity_store[0].num_calls(), 1);
    assert_explained(&report);
}

#[tokio::test]
async fn two_applications_with_the_display_name_fail() {
    const SECOND: &str =
        "arn:aws:sso::444455556666:application/ssoins-7223a1b2c3d4e5f6/apl-9f8e7d6c5b4a3f2e";
    let mocks = healthy_but(Mocks {
        sso_admin: vec![applications(&[(APP_ARN, APP), (SECOND, APP)])],
        ..Mocks::default()
    });
    let report = run(&mocks).await;
    // No single application to check assignments against: the person is still checked in
    // Identity Center and Connect, and the assignment is reported as not checked.
    assert_eq!(
        verdicts(&report),
        all_pass_but(&[("application", Verdict::Fail), ("user", Verdict::Error)]),
        "{report:#?}"
    );
    let user = check(&report, "user");
    assert!(
        has_evidence(
            user,
            "assignment not checked: the application has to be found first"
        ),
        "{user:?}"
    );
    let app = check(&report, "application");
    assert!(
        has_evidence(
            app,
            &format!("2 applications have this display name: {APP_ARN}, {SECOND}")
        ),
        "{app:?}"
    );
    assert_eq!(app.troubles, ["not-assigned"]);
    assert!(app.fix.as_deref().unwrap().contains("rename all but one"));
    assert_explained(&report);
}

#[tokio::test]
async fn an_instance_that_is_not_saml_fails() {
    let mocks = healthy_but(Mocks {
        connect: vec![describe_instance(DirectoryType::ConnectManaged)],
        ..Mocks::default()
    });
    let report = run(&mocks).await;
    assert_eq!(
        verdicts(&report),
        all_pass_but(&[("instance", Verdict::Fail)]),
        "{report:#?}"
    );
    let instance = check(&report, "instance");
    assert!(
        has_evidence(
            instance,
            &format!("{ALIAS} is ACTIVE, identity management CONNECT_MANAGED")
        ),
        "{instance:?}"
    );
    assert!(has_evidence(
        instance,
        "sign-in through SAML is not possible"
    ));
    assert_eq!(instance.troubles, ["instance-not-saml"]);
    assert!(
        instance
            .fix
            .as_deref()
            .unwrap()
            .contains("create a new instance"),
        "{instance:?}"
    );
    assert_explained(&report);
}

// ---- inspect

const INSPECT_NOW: OffsetDateTime = datetime!(2026-03-02 10:00 UTC);
const KWAME: &str = "kwame.mensah@example.com";

fn field<'a>(findings: &'a [Finding], name: &str) -> &'a Finding {
    findings
        .iter()
        .find(|f| f.field == name)
        .unwrap_or_else(|| panic!("no {name} in {findings:#?}"))
}

#[tokio::test]
async fn inspect_finds_a_missing_provider_and_a_missing_connect_user() {
    let s = setup();
    let mocks = Mocks {
        iam: vec![
            mock!(Iam::get_saml_provider)
                .match_requests(|r| r.saml_provider_arn() == Some(setup().provider_arn().as_str()))
                .then_error(|| {
                    GetSAMLProviderError::NoSuchEntityException(no_such_entity(
                        "Manifest not found for arn",
                    ))
                }),
            get_role(s.trust_policy()),
        ],
        connect: vec![search_users(KWAME, &[])],
        ..Mocks::default()
    };
    let spec = Spec::new(
        &s.role_arn(),
        &s.provider_arn(),
        KWAME,
        INSPECT_NOW - time::Duration::minutes(1),
    );
    let xml = testkit::signed(&spec, idc_key(), Sign::Assertion);
    let decoded: Decoded =
        assertion::decode(testkit::form_body(&xml, Some(&s.relay_state(None))).as_bytes())
            .expect("a form body");
    let supplied = testkit::metadata(&idc_key().cert_der, testkit::ISSUER);
    let report = inspect(
        Some(&mocks.cloud_any()),
        &s,
        &decoded,
        Some(&supplied),
        INSPECT_NOW,
    )
    .await
    .expect("a SAMLResponse");
    let findings = &report.findings;

    let provider = field(findings, "IAM SAML provider");
    assert_eq!(
        (provider.severity, provider.trouble),
        (Severity::Fail, Some("not-authorized-assume-role"))
    );
    assert_eq!(provider.seen.as_deref(), Some("does not exist"));
    assert_eq!(
        provider.expected.as_deref(),
        Some(s.provider_arn().as_str())
    );
    assert!(
        provider
            .fix
            .as_deref()
            .unwrap()
            .starts_with("Step 6a is not done")
    );
    // The supplied metadata still vouches for the signature.
    let cert = field(findings, "Signing certificate");
    assert_eq!(cert.severity, Severity::Pass, "{cert:?}");
    assert!(
        cert.expected
            .as_deref()
            .unwrap()
            .contains("the metadata file")
    );
    // The role's URL-encoded trust policy names the provider and the ACS URL.
    assert_eq!(field(findings, "IAM role").severity, Severity::Pass);
    let user = field(findings, "Connect user");
    assert_eq!(
        (user.severity, user.trouble),
        (Severity::Fail, Some("not-onboarded"))
    );
    let fix = user.fix.as_deref().unwrap();
    assert!(
        fix.contains(&format!("--user {KWAME} --create-connect-users")),
        "{fix}"
    );
    assert!(!fix.contains("A user named"), "{fix}");
    assert!(report.failed());
    assert!(!report.offline);
    // One read each: no retries, and no second search for an all-lowercase name.
    for rule in mocks.iam.iter().chain(&mocks.connect) {
        assert_eq!(rule.num_calls(), 1);
    }
}
