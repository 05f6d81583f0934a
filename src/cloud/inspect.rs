//! The cloud half of `inspect-assertion`: the domain checks of a captured SAMLResponse, plus
//! what only the account knows: the certificates the IAM SAML provider trusts, whether the
//! role in the Role attribute exists and trusts that provider, and whether a Connect user is
//! named exactly after the RoleSessionName. Every AWS failure becomes a warning finding, never
//! an error: the offline checks are worth showing on their own.

use serde::Serialize;
use time::OffsetDateTime;

use super::{Cloud, CloudResult, ConnectUser, Role, SamlProvider};
use crate::domain::assertion::{
    self, AssertionError, Decoded, Expectations, Finding, InputKind, SamlResponse, Severity,
};
use crate::domain::metadata::{self, IdpMetadata};
use crate::domain::setup::Setup;

/// Counts of findings by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub pass: usize,
    pub info: usize,
    pub warn: usize,
    pub fail: usize,
}

/// Everything the inspector found, for text or JSON output.
#[derive(Debug, Clone, Serialize)]
pub struct InspectReport {
    /// What the input was (XML, base64, URL-encoded, form body).
    pub input: InputKind,
    /// The relay state, when the input was a whole form body.
    pub relay_state: Option<String>,
    /// The AWS checks did not run (no cloud given).
    pub offline: bool,
    pub response: SamlResponse,
    pub findings: Vec<Finding>,
    pub summary: Summary,
}

impl InspectReport {
    /// A finding failed: sign-in with this response would not work.
    pub fn failed(&self) -> bool {
        self.summary.fail > 0
    }
}

const PROVIDER_FIELD: &str = "IAM SAML provider";
const ROLE_FIELD: &str = "IAM role";
const USER_FIELD: &str = "Connect user";

/// Parses and checks `decoded` against `setup`; with a `cloud`, also against the account
/// (concurrently). `supplied_metadata` (the Identity Center metadata the user gave) provides
/// the trusted certificates when the IAM SAML provider cannot be read. Errors only when the
/// input is not a SAMLResponse.
pub async fn inspect(
    cloud: Option<&dyn Cloud>,
    setup: &Setup,
    decoded: &Decoded,
    supplied_metadata: Option<&str>,
    now: OffsetDateTime,
) -> Result<InspectReport, AssertionError> {
    let response = assertion::parse(&decoded.xml)?;
    let mut late = Vec::new();

    let supplied = match supplied_metadata.map(|text| metadata::parse(text.as_bytes())) {
        Some(Ok(md)) => Some(md),
        Some(Err(e)) => {
            late.push(
                Finding::new("Metadata", Severity::Warn)
                    .seen("the metadata given cannot be read")
                    .fix(format!("It was not used: {e}")),
            );
            None
        }
        None => None,
    };

    let mut expectations = Expectations::from_setup(setup);
    let mut cloud_findings = Vec::new();
    match cloud {
        None => {
            if let Some(md) = &supplied {
                expectations = expectations.trusting(md, "the metadata file");
            }
            late.push(
                Finding::new("AWS checks", Severity::Info)
                    .seen("skipped (offline)")
                    .fix(
                        "The IAM SAML provider, the role and the Connect user were not checked; \
                         run without --offline to check them",
                    ),
            );
        }
        Some(cloud) => {
            let account = setup.instance.account.as_str();
            let attribute_role = response
                .role_arns()
                .into_iter()
                .find(|arn| arn.split(':').nth(4) == Some(account));
            let role_name = attribute_role
                .as_deref()
                .and_then(assertion::role_name_of)
                .unwrap_or(setup.role_name.as_str())
                .to_owned();
            let session_name = response
                .role_session_name()
                .filter(|n| valid_session_name(n))
                .map(str::to_owned);
            let instance_id = setup.instance.id.as_str();
            let provider_arn = setup.provider_arn();
            let (provider, role, user) = tokio::join!(
                cloud.get_saml_provider(&provider_arn),
                cloud.get_role(&role_name),
                find_connect_user(cloud, instance_id, session_name.as_deref()),
            );

            let provider_metadata = provider_findings(
                &provider,
                &provider_arn,
                supplied.as_ref(),
                &mut cloud_findings,
            );
            expectations = match (&provider_metadata, &supplied) {
                (Some(md), _) => expectations.trusting(md, "the IAM SAML provider"),
                (None, Some(md)) => expectations.trusting(md, "the metadata file"),
                (None, None) => expectations,
            };
            role_findings(
                &role,
                &role_name,
                &provider_arn,
                &response,
                &mut cloud_findings,
            );
            if let Some(name) = &session_name {
                user_findings(user, name, setup, &mut cloud_findings);
            }
        }
    }

    let mut findings = assertion::check(&response, &expectations, now);
    findings.extend(assertion::check_relay_state(decoded, &expectations));
    findings.extend(cloud_findings);
    findings.extend(late);
    let mut summary = Summary::default();
    for f in &findings {
        match f.severity {
            Severity::Pass => summary.pass += 1,
            Severity::Info => summary.info += 1,
            Severity::Warn => summary.warn += 1,
            Severity::Fail => summary.fail += 1,
        }
    }
    Ok(InspectReport {
        input: decoded.kind,
        relay_state: decoded.relay_state.clone(),
        offline: cloud.is_none(),
        response,
        findings,
        summary,
    })
}

/// Only names AWS would accept are looked up (the RoleSessionName check reports the others).
fn valid_session_name(name: &str) -> bool {
    (2..=64).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c))
}

/// The Connect user named exactly `name`; on a miss, also the all-lowercase name when it
/// differs (one more call), because Connect compares user names case-sensitively.
pub(crate) async fn find_connect_user(
    cloud: &dyn Cloud,
    instance_id: &str,
    name: Option<&str>,
) -> Option<(CloudResult<Option<ConnectUser>>, Option<ConnectUser>)> {
    let name = name?;
    let exact = cloud.search_connect_user(instance_id, name).await;
    let lower = name.to_lowercase();
    let near = match &exact {
        Ok(None) if lower != name => cloud
            .search_connect_user(instance_id, &lower)
            .await
            .ok()
            .flatten(),
        _ => None,
    };
    Some((exact, near))
}

fn could_not_check(field: &str, what: &str, error: &super::CloudError) -> Finding {
    Finding::new(field, Severity::Warn)
        .seen(format!("could not check {what}"))
        .fix(format!("could not check {what}: {error}"))
}

/// Findings on the IAM SAML provider; returns its metadata when readable.
fn provider_findings(
    provider: &CloudResult<Option<SamlProvider>>,
    arn: &str,
    supplied: Option<&IdpMetadata>,
    out: &mut Vec<Finding>,
) -> Option<IdpMetadata> {
    match provider {
        Err(e) => {
            out.push(could_not_check(PROVIDER_FIELD, "the IAM SAML provider", e));
            None
        }
        Ok(None) => {
            out.push(
                Finding::new(PROVIDER_FIELD, Severity::Fail)
                    .seen("does not exist")
                    .expected(arn)
                    .fix(
                        "Step 6a is not done: AWS has no SAML provider to check the response \
                         with. Run `connect-sso apply --metadata FILE` with the application's \
                         metadata (step 2)",
                    )
                    .trouble("not-authorized-assume-role"),
            );
            None
        }
        Ok(Some(p)) => match metadata::parse(p.metadata_document.as_bytes()) {
            Ok(md) => {
                let stale = supplied.filter(|s| {
                    !s.certificates
                        .iter()
                        .all(|c| md.certificates.iter().any(|m| m.der == c.der))
                });
                out.push(match stale {
                    Some(_) => Finding::new(PROVIDER_FIELD, Severity::Warn)
                        .seen(format!(
                            "{} holds other certificates than the metadata file",
                            p.arn
                        ))
                        .expected("the certificates of the metadata file")
                        .fix(
                            "The SAML provider's metadata is older than the file given: run \
                             `connect-sso apply --metadata FILE` to update it",
                        )
                        .trouble("certificate"),
                    None => Finding::new(PROVIDER_FIELD, Severity::Pass)
                        .seen(p.arn.clone())
                        .expected(arn),
                });
                Some(md)
            }
            Err(e) => {
                out.push(
                    Finding::new(PROVIDER_FIELD, Severity::Warn)
                        .seen(format!("{}: its metadata cannot be read", p.arn))
                        .fix(format!(
                            "{e}. The certificates were not compared with the provider's"
                        )),
                );
                None
            }
        },
    }
}

fn role_findings(
    role: &CloudResult<Option<Role>>,
    name: &str,
    provider_arn: &str,
    response: &SamlResponse,
    out: &mut Vec<Finding>,
) {
    match role {
        Err(e) => out.push(could_not_check(ROLE_FIELD, &format!("the role {name}"), e)),
        Ok(None) => out.push(
            Finding::new(ROLE_FIELD, Severity::Fail)
                .seen(format!("no role named {name}"))
                .expected(format!("the role {name} of the Role attribute"))
                .fix(
                    "The Role attribute names a role that does not exist in the instance's \
                     account. If it is this setup's role, step 6c is not done: run \
                     `connect-sso apply`; otherwise correct the Role attribute (step 10)",
                )
                .trouble("not-authorized-assume-role"),
        ),
        Ok(Some(role)) => {
            let trust = role.trust_policy.to_string();
            let destination = response.destination.as_deref();
            if !trust.contains(provider_arn) {
                out.push(
                    Finding::new(ROLE_FIELD, Severity::Fail)
                        .seen(format!("{} does not trust {provider_arn}", role.arn))
                        .expected(format!("a trust policy that names {provider_arn}"))
                        .fix(
                            "AWS refuses to let the user take the role. Run `connect-sso apply` \
                             to set the role's trust policy (step 6c)",
                        )
                        .trouble("not-authorized-assume-role"),
                );
            } else if let Some(d) = destination.filter(|d| !trust.contains(&format!("\"{d}\""))) {
                out.push(
                    Finding::new(ROLE_FIELD, Severity::Fail)
                        .seen(format!(
                            "{}'s trust policy does not accept {d} (SAML:aud)",
                            role.arn
                        ))
                        .expected(format!("SAML:aud {d}"))
                        .fix(
                            "The response goes to a sign-in URL the role's trust policy does not \
                             allow. Make the application's ACS URL and the sign-in endpoint \
                             answer agree, then run `connect-sso apply`",
                        )
                        .trouble("wrong-acs-url"),
                );
            } else {
                out.push(
                    Finding::new(ROLE_FIELD, Severity::Pass)
                        .seen(role.arn.clone())
                        .expected(format!("a role that trusts {provider_arn}")),
                );
            }
        }
    }
}

fn user_findings(
    user: Option<(CloudResult<Option<ConnectUser>>, Option<ConnectUser>)>,
    name: &str,
    setup: &Setup,
    out: &mut Vec<Finding>,
) {
    let Some((exact, near)) = user else {
        return;
    };
    match exact {
        Err(e) => out.push(could_not_check(
            USER_FIELD,
            &format!("the Connect user {name}"),
            &e,
        )),
        Ok(Some(user)) => out.push(
            Finding::new(USER_FIELD, Severity::Pass)
                .seen(user.username)
                .expected(format!("a user named exactly {name}")),
        ),
        Ok(None) => {
            let near = near
                .map(|u| {
                    format!(
                        "A user named {} exists, but Connect compares user names \
                         case-sensitively, so it does not match. ",
                        u.username
                    )
                })
                .unwrap_or_default();
            out.push(
                Finding::new(USER_FIELD, Severity::Fail)
                    .seen(format!("no user named {name}"))
                    .expected(format!("a user named exactly {name}"))
                    .fix(format!(
                        "{near}Connect will say the user has not been added. Create the user \
                         {name} in instance {} (Users > Add new users in the Connect console), \
                         or run `connect-sso apply --user {name} --create-connect-users`",
                        setup.instance.id
                    ))
                    .trouble("not-onboarded"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::api::*;
    use crate::cloud::apply::{UserRequest, apply};
    use crate::cloud::sandbox::{
        SANDBOX_EXISTING_CONNECT_USERNAME, SANDBOX_INSTANCE_ARN, SANDBOX_INSTANCE_ID,
        SANDBOX_METADATA, Sandbox,
    };
    use crate::cloud::{NewConnectUser, sandbox};
    use crate::domain::assertion::testkit::{self, Sign, Spec, idc_key, other_key};
    use crate::domain::setup::Answers;
    use time::Duration;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-03-02 10:00 UTC);

    fn setup() -> Setup {
        Setup::from_answers(&Answers {
            instance_arn: Some(SANDBOX_INSTANCE_ARN.into()),
            ..Answers::default()
        })
        .unwrap()
    }

    fn metadata_of(key: &testkit::TestKey) -> String {
        testkit::metadata(&key.cert_der, testkit::ISSUER)
    }

    /// A sandbox where apply ran with the test key's metadata.
    async fn applied(metadata: &str) -> Sandbox {
        let cloud = Sandbox::new();
        apply(&cloud, &setup(), metadata, &UserRequest::default(), false)
            .await
            .unwrap();
        cloud
    }

    fn response_for(user: &str, key: &testkit::TestKey) -> Decoded {
        let s = setup();
        let spec = Spec::new(
            &s.role_arn(),
            &s.provider_arn(),
            user,
            NOW - Duration::minutes(1),
        );
        let xml = testkit::signed(&spec, key, Sign::Assertion);
        assertion::decode(testkit::form_body(&xml, Some(&s.relay_state(None))).as_bytes()).unwrap()
    }

    fn field<'a>(report: &'a InspectReport, name: &str) -> &'a Finding {
        report
            .findings
            .iter()
            .find(|f| f.field == name)
            .unwrap_or_else(|| panic!("no {name} in {:#?}", report.findings))
    }

    #[tokio::test]
    async fn a_good_response_on_an_applied_sandbox_passes() {
        let cloud = applied(&metadata_of(idc_key())).await;
        let decoded = response_for(SANDBOX_EXISTING_CONNECT_USERNAME, idc_key());
        let report = inspect(Some(&cloud), &setup(), &decoded, None, NOW)
            .await
            .unwrap();
        assert!(!report.failed(), "{:#?}", report.findings);
        assert_eq!(report.summary.warn, 0, "{:#?}", report.findings);
        assert_eq!(
            field(&report, "Signing certificate").severity,
            Severity::Pass
        );
        assert!(
            field(&report, "Signing certificate")
                .expected
                .as_deref()
                .unwrap()
                .contains("the IAM SAML provider")
        );
        assert_eq!(field(&report, "Issuer").severity, Severity::Pass);
        assert_eq!(field(&report, "RelayState").severity, Severity::Pass);
        for name in [PROVIDER_FIELD, ROLE_FIELD, USER_FIELD] {
            assert_eq!(field(&report, name).severity, Severity::Pass, "{name}");
        }
        assert!(!report.offline);
        let calls = cloud.calls();
        for action in ["iam:GetSAMLProvider", "iam:GetRole", "connect:SearchUsers"] {
            assert!(
                calls.iter().any(|c| c.contains(action)),
                "{action}: {calls:?}"
            );
        }
    }

    #[tokio::test]
    async fn the_provider_trusts_another_certificate() {
        // The provider holds the sandbox's own metadata; the response is signed by the test key.
        let cloud = applied(SANDBOX_METADATA).await;
        let decoded = response_for(SANDBOX_EXISTING_CONNECT_USERNAME, idc_key());
        let report = inspect(Some(&cloud), &setup(), &decoded, None, NOW)
            .await
            .unwrap();
        let cert = field(&report, "Signing certificate");
        assert_eq!(
            (cert.severity, cert.trouble),
            (Severity::Fail, Some("certificate"))
        );
        // The sandbox's metadata also names another entity id.
        assert_eq!(field(&report, "Issuer").severity, Severity::Fail);
        // The supplied metadata is newer than the provider's: say so.
        let report = inspect(
            Some(&cloud),
            &setup(),
            &decoded,
            Some(&metadata_of(idc_key())),
            NOW,
        )
        .await
        .unwrap();
        let provider = field(&report, PROVIDER_FIELD);
        assert_eq!(
            (provider.severity, provider.trouble),
            (Severity::Warn, Some("certificate"))
        );
        assert_eq!(
            field(&report, "Signing certificate").severity,
            Severity::Fail
        );
    }

    #[tokio::test]
    async fn nothing_applied_yet() {
        let cloud = Sandbox::new();
        let decoded = response_for(SANDBOX_EXISTING_CONNECT_USERNAME, idc_key());
        let report = inspect(
            Some(&cloud),
            &setup(),
            &decoded,
            Some(&metadata_of(idc_key())),
            NOW,
        )
        .await
        .unwrap();
        let provider = field(&report, PROVIDER_FIELD);
        assert_eq!(provider.severity, Severity::Fail);
        assert!(
            provider
                .fix
                .as_deref()
                .unwrap()
                .starts_with("Step 6a is not done")
        );
        assert_eq!(field(&report, ROLE_FIELD).severity, Severity::Fail);
        // The supplied metadata still provides the trusted certificates.
        assert_eq!(
            field(&report, "Signing certificate").severity,
            Severity::Pass
        );
        assert!(
            field(&report, "Signing certificate")
                .expected
                .as_deref()
                .unwrap()
                .contains("the metadata file")
        );
        assert_eq!(field(&report, USER_FIELD).severity, Severity::Pass);
    }

    #[tokio::test]
    async fn a_missing_connect_user_fails_with_a_case_hint() {
        let cloud = applied(&metadata_of(idc_key())).await;
        let report = inspect(
            Some(&cloud),
            &setup(),
            &response_for("kwame.mensah@example.com", idc_key()),
            None,
            NOW,
        )
        .await
        .unwrap();
        let user = field(&report, USER_FIELD);
        assert_eq!(
            (user.severity, user.trouble),
            (Severity::Fail, Some("not-onboarded"))
        );
        assert!(
            user.fix
                .as_deref()
                .unwrap()
                .contains("--user kwame.mensah@example.com --create-connect-users")
        );

        // Created with other capitals: found only by the hint.
        add_li_wei(&cloud, "li.wei@example.com").await;
        let report = inspect(
            Some(&cloud),
            &setup(),
            &response_for("Li.Wei@Example.com", idc_key()),
            None,
            NOW,
        )
        .await
        .unwrap();
        let user = field(&report, USER_FIELD);
        assert_eq!(user.severity, Severity::Fail);
        assert!(
            user.fix
                .as_deref()
                .unwrap()
                .contains("A user named li.wei@example.com exists"),
            "{user:?}"
        );

        // Once the exact user exists, it passes.
        add_li_wei(&cloud, "Li.Wei@Example.com").await;
        let report = inspect(
            Some(&cloud),
            &setup(),
            &response_for("Li.Wei@Example.com", idc_key()),
            None,
            NOW,
        )
        .await
        .unwrap();
        assert_eq!(field(&report, USER_FIELD).severity, Severity::Pass);
    }

    /// A Connect user for Li Wei named `username`.
    async fn add_li_wei(cloud: &Sandbox, username: &str) {
        cloud
            .create_connect_user(
                SANDBOX_INSTANCE_ID,
                &NewConnectUser {
                    username: username.into(),
                    first_name: "Li".into(),
                    last_name: "Wei".into(),
                    security_profile_ids: vec![sandbox::SANDBOX_AGENT_SECURITY_PROFILE_ID.into()],
                    routing_profile_id: sandbox::SANDBOX_ROUTING_PROFILE_ID.into(),
                    tags: Vec::new(),
                },
            )
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn cloud_errors_become_warnings() {
        let cloud = applied(&metadata_of(idc_key())).await;
        cloud.inject_fault("deny:*".parse().unwrap());
        let report = inspect(
            Some(&cloud),
            &setup(),
            &response_for(SANDBOX_EXISTING_CONNECT_USERNAME, idc_key()),
            None,
            NOW,
        )
        .await
        .unwrap();
        for name in [PROVIDER_FIELD, ROLE_FIELD, USER_FIELD] {
            let f = field(&report, name);
            assert_eq!(f.severity, Severity::Warn, "{name}");
            assert!(
                f.fix.as_deref().unwrap().starts_with("could not check"),
                "{f:?}"
            );
            assert!(f.fix.as_deref().unwrap().contains("access denied"), "{f:?}");
        }
        assert!(!report.failed(), "{:#?}", report.findings);
    }

    #[tokio::test]
    async fn offline_uses_the_supplied_metadata_only() {
        let decoded = response_for(SANDBOX_EXISTING_CONNECT_USERNAME, other_key());
        let report = inspect(None, &setup(), &decoded, Some(&metadata_of(idc_key())), NOW)
            .await
            .unwrap();
        assert!(report.offline);
        assert_eq!(
            field(&report, "Signing certificate").severity,
            Severity::Fail
        );
        assert_eq!(field(&report, "AWS checks").severity, Severity::Info);
        let report = inspect(None, &setup(), &decoded, None, NOW).await.unwrap();
        assert!(!report.failed(), "{:#?}", report.findings);
        let report = inspect(None, &setup(), &decoded, Some("<not metadata/>"), NOW)
            .await
            .unwrap();
        assert_eq!(field(&report, "Metadata").severity, Severity::Warn);
    }

    #[tokio::test]
    async fn a_role_that_does_not_trust_the_provider_fails() {
        let cloud = applied(&metadata_of(idc_key())).await;
        let s = setup();
        let policy = crate::domain::policy::trust_policy(
            "arn:aws:iam::111122223333:saml-provider/Other",
            &s.acs_urls(),
        );
        cloud
            .create_saml_provider("Other", &metadata_of(idc_key()), &[])
            .await
            .unwrap();
        cloud
            .update_assume_role_policy(s.role_name.as_str(), &policy)
            .await
            .unwrap();
        let report = inspect(
            Some(&cloud),
            &s,
            &response_for(SANDBOX_EXISTING_CONNECT_USERNAME, idc_key()),
            None,
            NOW,
        )
        .await
        .unwrap();
        let role = field(&report, ROLE_FIELD);
        assert_eq!(
            (role.severity, role.trouble),
            (Severity::Fail, Some("not-authorized-assume-role"))
        );
    }

    #[tokio::test]
    async fn input_that_is_not_a_response_is_an_error() {
        let decoded = Decoded {
            xml: "<html/>".into(),
            relay_state: None,
            kind: InputKind::Xml,
        };
        assert!(inspect(None, &setup(), &decoded, None, NOW).await.is_err());
    }
}
