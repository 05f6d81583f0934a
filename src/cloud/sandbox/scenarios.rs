//! Workshop scenarios (`--sandbox-scenario NAME`): a sandbox account with the whole setup
//! done as `apply` does it on the sandbox (application, SAML provider, policy, role, one
//! person assigned with their Connect user), then broken in one known way, for an attendee to
//! find with doctor, inspect-assertion and sign-in-test and to repair.
//!
//! Each scenario is kept in an account of its own (`STATE_DIR/sandbox/scenarios/NAME/`,
//! with its own lock and ledger), so an exercise never touches the attendee's own sandbox
//! account, and a repair made during the exercise stays until `--sandbox-reset` starts the
//! scenario over.
//!
//! [`SCENARIOS`] describes each one twice: what the attendee is told and sees (safe on a
//! projector), and the cause, what to find and the fix (the trainer's answer key).

use std::path::{Path, PathBuf};

use time::OffsetDateTime;

use super::account::{
    InstanceRecord, SANDBOX_INSTANCE_ARN, SANDBOX_INSTANCE_ID, State, connect_user_arn,
};
use super::app_config::ApplicationConfig;
use super::saml_issue::SigningIdentity;
use super::{Sandbox, SandboxOptions};
use crate::cloud::Iam;
use crate::cloud::apply::{UserRequest, apply};
use crate::cloud::ensure::ConnectUserTemplate;
use crate::domain::policy::FEDERATION_ACTION;
use crate::domain::setup::{Answers, ROLE_ATTRIBUTE, Setup};

/// How a scenario breaks the working setup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breakage {
    /// Identity Center's certificate is past its end date, and IAM holds that certificate.
    ExpiredCertificate,
    /// Identity Center signs with a new certificate; IAM still holds the old one.
    RotatedCertificate,
    /// The role trusts another SAML provider than the one the Role attribute names.
    TrustOtherProvider,
    /// The person's Connect user does not exist.
    MissingConnectUser,
    /// The person's Connect user is named like their email in other letter case.
    UserNameCase,
    /// The instance manages its users itself (it was not created for SAML).
    NotSamlInstance,
    /// The policy's default version does not allow `connect:GetFederationToken`.
    NoFederationToken,
    /// The Role attribute mapping has a space after its comma.
    RoleAttributeSpace,
    /// The Role attribute names the role with the provider's name and the provider with the
    /// role's (AWS takes the two ARNs in either order, so only swapped names break it).
    SwappedNames,
    /// The application's SAML audience is the ACS URL.
    WrongAudience,
    /// The application posts to the regional sign-in endpoint; the role trusts the global one.
    RegionalAcsUrl,
}

/// One workshop scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scenario {
    /// What `--sandbox-scenario` takes.
    pub name: &'static str,
    /// What the attendee is told: the report of the person who cannot sign in.
    pub brief: &'static str,
    /// The person to sign in as (`sign-in-test --user`).
    pub user: &'static str,
    /// For the trainer: what was broken.
    pub cause: &'static str,
    /// For the trainer: what doctor and the sign-in test show.
    pub find: &'static str,
    /// For the trainer: the troubleshooting entry that explains it.
    pub trouble: &'static str,
    /// For the trainer: the repair.
    pub fix: &'static str,
    pub breakage: Breakage,
}

/// The person the scenarios assign, unless a scenario needs another.
const PERSON: &str = "kwame.mensah@example.com";
/// Li Wei's email is mixed case in Identity Center.
const MIXED_CASE_PERSON: &str = "Li.Wei@Example.com";
/// The SAML provider the role of `trust-other-provider` trusts instead.
const OTHER_PROVIDER: &str = "IdentityCenter-Connect-Staging";

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "expired-certificate",
        brief: "It worked for years; since this morning nobody can sign in, whoever they are.",
        user: PERSON,
        cause: "Identity Center's signing certificate for the application has passed its end date; the IAM SAML provider holds that same certificate.",
        find: "doctor: the provider's certificate is expired; sign-in-test: STS refuses the signature and names the expired certificate.",
        trouble: "certificate",
        fix: "In Identity Center, give the application a new certificate and make it the active one, download the metadata again (step 2) and update the provider with `apply --metadata FILE`. The sandbox does not model certificate management in the console: discuss the steps, then `--sandbox-reset` starts the scenario over.",
        breakage: Breakage::ExpiredCertificate,
    },
    Scenario {
        name: "rotated-certificate",
        brief: "Someone tidied up the Identity Center application yesterday; today every sign-in fails.",
        user: PERSON,
        cause: "Identity Center signs with a new certificate; the IAM SAML provider still holds the old one.",
        find: "doctor: the provider's certificates differ from Identity Center's metadata; sign-in-test: STS refuses the signature, and the certificate that signed is not in the provider.",
        trouble: "certificate",
        fix: "Run `apply` (on the sandbox it takes Identity Center's current metadata) or `apply --metadata FILE` with freshly downloaded metadata, so the provider holds the new certificate.",
        breakage: Breakage::RotatedCertificate,
    },
    Scenario {
        name: "trust-other-provider",
        brief: "After a staging set-up was copied over, AWS says the person is not authorized to perform sts:AssumeRoleWithSAML.",
        user: PERSON,
        cause: "The role's trust policy lets another SAML provider (IdentityCenter-Connect-Staging) assume it, not the one the Role attribute names.",
        find: "doctor: the role does not let the setup's provider call sts:AssumeRoleWithSAML; sign-in-test: STS AccessDenied, the trust policy does not let the provider assume the role.",
        trouble: "not-authorized-assume-role",
        fix: "Run `apply`: it restores the generated trust policy (step 6c).",
        breakage: Breakage::TrustOtherProvider,
    },
    Scenario {
        name: "missing-connect-user",
        brief: "The new agent gets through the AWS access portal, then Connect says their account has not been added.",
        user: PERSON,
        cause: "The person's Connect user was deleted (or never created).",
        find: "doctor: no Connect user named exactly after the person's email; sign-in-test: STS accepts, Connect answers UserNotFound.",
        trouble: "not-onboarded",
        fix: "Create the Connect user named exactly after the email: `apply --user kwame.mensah@example.com --create-connect-users`.",
        breakage: Breakage::MissingConnectUser,
    },
    Scenario {
        name: "user-name-case",
        brief: "One agent, Li Wei, cannot get into Connect; the Connect admin swears the user exists.",
        user: MIXED_CASE_PERSON,
        cause: "The Connect user is li.wei@example.com, while Identity Center sends Li.Wei@Example.com; Connect compares user names case-sensitively.",
        find: "doctor and sign-in-test: a Connect user exists whose name differs only in letter case.",
        trouble: "not-onboarded",
        fix: "Create the Connect user Li.Wei@Example.com (`apply --user Li.Wei@Example.com --create-connect-users`), or make the email in Identity Center match the Connect user name.",
        breakage: Breakage::UserNameCase,
    },
    Scenario {
        name: "not-saml-instance",
        brief: "Everything was set up and checked in IAM, yet Connect refuses the session and shows its own sign-in page.",
        user: PERSON,
        cause: "The Connect instance manages its users itself (CONNECT_MANAGED): it was not created with SAML 2.0-based authentication, which cannot be switched on later.",
        find: "doctor: the instance check fails (identity management CONNECT_MANAGED); sign-in-test: STS accepts, Connect refuses federation for a non-SAML instance.",
        trouble: "instance-not-saml",
        fix: "None in place: create an instance with SAML authentication and set up single sign-on for that one.",
        breakage: Breakage::NotSamlInstance,
    },
    Scenario {
        name: "no-federation-token",
        brief: "The AWS sign-in works, then Connect shows an access-denied page instead of the agent workspace.",
        user: PERSON,
        cause: "The permissions policy's default version was \"tightened\": it allows connect:DescribeUser instead of connect:GetFederationToken.",
        find: "doctor: the policy does not allow connect:GetFederationToken; sign-in-test: STS accepts, Connect answers AccessDenied on connect:GetFederationToken.",
        trouble: "federation-token-denied",
        fix: "Run `apply`: it makes the generated document the policy's default version again (step 6b).",
        breakage: Breakage::NoFederationToken,
    },
    Scenario {
        name: "role-attribute-space",
        brief: "A new colleague re-typed the application's attribute mappings from a screenshot; now the AWS sign-in page says the SAML response is invalid.",
        user: PERSON,
        cause: "The Role attribute mapping reads ROLE_ARN, PROVIDER_ARN: a space after the comma, so AWS takes no role from it.",
        find: "doctor's simulated sign-in and sign-in-test: the inspector flags the space in the Role attribute, STS takes no role from it.",
        trouble: "invalid-saml-response",
        fix: "In the application's attribute mappings (step 10), set the Role attribute to ROLE_ARN,PROVIDER_ARN with no space.",
        breakage: Breakage::RoleAttributeSpace,
    },
    Scenario {
        name: "role-provider-swapped",
        brief: "The Role attribute was \"tidied\"; since then STS says the SAML provider does not exist.",
        user: PERSON,
        cause: "The Role attribute names the role with the provider's name and the provider with the role's name (the order of the two ARNs does not matter to AWS; their names do).",
        find: "doctor's simulated sign-in and sign-in-test: STS says the provider does not exist, and the fix names the two names swapped.",
        trouble: "not-authorized-assume-role",
        fix: "Set the Role attribute to the value step 10 shows (role/ConnectSSO-..., saml-provider/IdentityCenter-Connect-...).",
        breakage: Breakage::SwappedNames,
    },
    Scenario {
        name: "wrong-audience",
        brief: "The application was re-created from notes; every sign-in fails right after the access portal.",
        user: PERSON,
        cause: "The Application SAML audience is https://signin.aws.amazon.com/saml (the ACS URL pasted twice) instead of urn:amazon:webservices.",
        find: "doctor's simulated sign-in and sign-in-test: the inspector flags the audience, STS answers that the response does not contain the required audience.",
        trouble: "wrong-acs-url",
        fix: "Set the Application SAML audience (steps 3-5) to urn:amazon:webservices.",
        breakage: Breakage::WrongAudience,
    },
    Scenario {
        name: "regional-acs-url",
        brief: "To \"keep traffic in the region\", someone changed the application's ACS URL; now AWS says the person is not authorized to perform sts:AssumeRoleWithSAML.",
        user: PERSON,
        cause: "The Application ACS URL is https://us-east-1.signin.aws.amazon.com/saml while the role's trust policy allows SAML:aud https://signin.aws.amazon.com/saml only.",
        find: "doctor's simulated sign-in and sign-in-test: STS AccessDenied, the response was posted to the regional URL the trust policy does not allow.",
        trouble: "wrong-acs-url",
        fix: "Set the Application ACS URL back to https://signin.aws.amazon.com/saml, or keep the regional one and run `apply --sign-in-endpoint regional` so the role trusts it.",
        breakage: Breakage::RegionalAcsUrl,
    },
];

/// What `--sandbox-scenario` takes besides a scenario's name.
pub const SCENARIO_LIST: &str = "list";
pub const SCENARIO_REVEAL: &str = "reveal";

/// The scenario named `name`.
pub fn scenario(name: &str) -> Option<&'static Scenario> {
    SCENARIOS.iter().find(|s| s.name == name)
}

/// Checks a `--sandbox-scenario` value: a scenario's name, `list` or `reveal`. The error says
/// which names exist, nearest first.
pub fn check_scenario_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    if name == SCENARIO_LIST || name == SCENARIO_REVEAL || scenario(name).is_some() {
        return Ok(name.to_string());
    }
    let near = crate::domain::suggest::did_you_mean(name, SCENARIOS.iter().map(|s| s.name));
    let hint = match near.first() {
        Some(n) => format!("did you mean {n}? "),
        None => String::new(),
    };
    Err(format!(
        "no workshop scenario is named \"{name}\": {hint}the scenarios are {}; `--sandbox-scenario list` describes them",
        SCENARIOS
            .iter()
            .map(|s| s.name)
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

/// `STATE_DIR/sandbox/scenarios/NAME`: everything of one scenario, apart from the attendee's
/// own sandbox account and sessions.
pub fn scenario_dir(state_dir: &Path, name: &str) -> PathBuf {
    state_dir.join("sandbox").join("scenarios").join(name)
}

/// `STATE_DIR/sandbox/scenarios/NAME/account.json`: the scenario's own account, with its
/// lock and ledger beside it (and the wizard's sessions and metadata file in its folder).
pub fn scenario_account_path(state_dir: &Path, name: &str) -> PathBuf {
    scenario_dir(state_dir, name).join("account.json")
}

/// The setup every scenario is built for, and the one the commands use on the sandbox when
/// no answers change it: the sandbox's SAML instance with the default names.
pub fn scenario_setup() -> Setup {
    Setup::from_answers(&Answers {
        instance_arn: Some(SANDBOX_INSTANCE_ARN.to_string()),
        ..Answers::default()
    })
    .expect("the sandbox instance's setup is valid")
}

impl Sandbox {
    /// The account of `scenario`, kept at `path` when given (the next save writes it there):
    /// the working setup, then broken as the scenario says. `options` apply to this run only;
    /// the building itself runs without them. Fails only when the working setup cannot be
    /// made, which would be a bug of the sandbox.
    pub fn scenario_at(
        scenario: &Scenario,
        path: Option<&Path>,
        options: SandboxOptions,
    ) -> Result<Sandbox, String> {
        let mut sandbox = Sandbox::new();
        sandbox.file = path.map(Path::to_path_buf);
        let now = OffsetDateTime::now_utc();
        if scenario.breakage == Breakage::ExpiredCertificate {
            // Made five years and a day ago, so it ended yesterday; IAM is given this one.
            let start = now - time::Duration::days(365 * 5 + 2);
            sandbox.lock().signing = Some(SigningIdentity::generate_between(
                start,
                now - time::Duration::days(1),
            ));
        }
        let built = std::thread::scope(|s| {
            s.spawn(|| {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| format!("cannot start the async runtime: {e}"))?;
                runtime.block_on(async {
                    sandbox.working(scenario).await?;
                    sandbox.break_setup(scenario).await
                })
            })
            .join()
            .unwrap_or_else(|_| Err("building the scenario panicked".to_string()))
        });
        built.map_err(|e| format!("the scenario {} could not be built: {e}", scenario.name))?;
        sandbox.clear_calls();
        sandbox.latency = options.latency;
        sandbox.lock().faults = options.faults;
        Ok(sandbox)
    }

    /// The whole setup as `connect-sso --sandbox apply --user PERSON --create-connect-users`
    /// leaves it: step 1 stood in for, 6a-6c and 11, the person's Connect user.
    async fn working(&self, scenario: &Scenario) -> Result<(), String> {
        let setup = scenario_setup();
        let arn = self.simulate_create_application(setup.app_name.as_str());
        // Steps 3-5, 7-9 and 10 typed into the console as the plan shows them.
        self.simulate_console_steps(&arn, &setup)
            .map_err(|e| e.to_string())?;
        let metadata = self.metadata_document();
        let people = UserRequest {
            users: vec![scenario.user.to_string()],
            create_connect_users: Some(ConnectUserTemplate::from_answers(&Answers::default())),
        };
        let report = apply(self, &setup, &metadata, &people, false)
            .await
            .map_err(|e| e.to_string())?;
        if let Some(failure) = &report.failure {
            return Err(format!("{failure:?}"));
        }
        if let Some(problem) = report.problems.first() {
            return Err(problem.clone());
        }
        Ok(())
    }

    /// Breaks the working setup as the scenario says, the way it happens outside the tool.
    async fn break_setup(&self, scenario: &Scenario) -> Result<(), String> {
        let setup = scenario_setup();
        let text = |e: crate::cloud::CloudError| e.to_string();
        match scenario.breakage {
            // Broken before the setup was made: IAM took the certificate that expired since.
            Breakage::ExpiredCertificate => {}
            Breakage::RotatedCertificate => {
                let now = OffsetDateTime::now_utc();
                self.lock().signing = Some(SigningIdentity::generate_between(
                    now - time::Duration::days(1),
                    now + time::Duration::days(365 * 5),
                ));
            }
            Breakage::TrustOtherProvider => {
                let metadata = self.metadata_document();
                let other = self
                    .create_saml_provider(OTHER_PROVIDER, &metadata, &[])
                    .await
                    .map_err(text)?;
                let trust = crate::domain::policy::trust_policy(&other, &setup.acs_urls());
                self.update_assume_role_policy(setup.role_name.as_str(), &trust)
                    .await
                    .map_err(text)?;
            }
            Breakage::MissingConnectUser => {
                let mut state = self.lock();
                saml_instance(&mut state)?
                    .users
                    .retain(|u| u.username != scenario.user);
            }
            Breakage::UserNameCase => {
                let lower = scenario.user.to_lowercase();
                let mut state = self.lock();
                let instance = saml_instance(&mut state)?;
                let arn = instance.summary.arn.clone();
                if let Some(user) = instance
                    .users
                    .iter_mut()
                    .find(|u| u.username == scenario.user)
                {
                    user.username = lower;
                    user.arn = connect_user_arn(&arn, &user.id);
                }
            }
            Breakage::NotSamlInstance => {
                saml_instance(&mut self.lock())?
                    .summary
                    .identity_management_type = "CONNECT_MANAGED".to_string();
            }
            Breakage::RoleAttributeSpace => self.edit_application(&setup, |c| {
                if let Some(role) = c.attributes.get_mut(ROLE_ATTRIBUTE) {
                    role.value = format!("{}, {}", setup.role_arn(), setup.provider_arn());
                }
            })?,
            Breakage::SwappedNames => self.edit_application(&setup, |c| {
                let (role_name, provider_name) =
                    (setup.role_name.as_str(), setup.provider_name.as_str());
                let role = setup.role_arn().replace(role_name, provider_name);
                let provider = setup.provider_arn().replace(provider_name, role_name);
                if let Some(mapping) = c.attributes.get_mut(ROLE_ATTRIBUTE) {
                    mapping.value = format!("{role},{provider}");
                }
            })?,
            Breakage::WrongAudience => self.edit_application(&setup, |c| {
                c.audience = Some(setup.acs_url().to_string());
            })?,
            Breakage::RegionalAcsUrl => self.edit_application(&setup, |c| {
                c.acs_url = Some(format!(
                    "https://{}.signin.aws.amazon.com/saml",
                    setup.region()
                ));
            })?,
            Breakage::NoFederationToken => {
                let mut document = setup.permissions_policy();
                if let Some(statements) = document["Statement"].as_array_mut() {
                    for s in statements {
                        if s["Action"] == FEDERATION_ACTION {
                            s["Action"] = "connect:DescribeUser".into();
                        }
                    }
                }
                self.create_policy_version(&setup.policy_arn(), &document, true)
                    .await
                    .map_err(text)?;
            }
        }
        Ok(())
    }
}

impl Sandbox {
    /// The setup's application changed in the console as `edit` says.
    fn edit_application(
        &self,
        setup: &Setup,
        edit: impl FnOnce(&mut ApplicationConfig),
    ) -> Result<(), String> {
        let arn = self
            .snapshot()
            .applications
            .iter()
            .find(|a| a.application.name == setup.app_name.as_str())
            .map(|a| a.application.arn.clone())
            .ok_or_else(|| format!("no application {}", setup.app_name))?;
        self.configure_application(&arn, edit)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// The seeded instance the setup is for.
fn saml_instance(state: &mut State) -> Result<&mut InstanceRecord, String> {
    state
        .instances
        .iter_mut()
        .find(|i| i.summary.id == SANDBOX_INSTANCE_ID)
        .ok_or_else(|| format!("the sandbox has no instance {SANDBOX_INSTANCE_ID}"))
}

/// `--sandbox-scenario list`: each scenario's name, what the attendee is told and whom to
/// sign in as; nothing that gives the cause away.
pub fn render_list(out: &mut dyn std::io::Write) -> std::io::Result<()> {
    writeln!(
        out,
        "Workshop scenarios: each is the sandbox setup done, then broken in one way. Start one with\n  connect-sso --sandbox-scenario NAME doctor\n(and sign-in-test --user PERSON, inspect-assertion, the wizard: the same --sandbox-scenario NAME works on\nthe scenario's own account, never on your own sandbox account; --sandbox-reset starts it over).\nThe trainer's answer key: --sandbox-scenario reveal\n"
    )?;
    for s in SCENARIOS {
        writeln!(out, "{}", s.name)?;
        writeln!(out, "    {}", s.brief)?;
        writeln!(out, "    sign in as: {}", s.user)?;
    }
    Ok(())
}

/// `--sandbox-scenario reveal`: the trainer's answer key.
pub fn render_reveal(out: &mut dyn std::io::Write) -> std::io::Result<()> {
    writeln!(out, "Workshop scenarios: the trainer's answer key\n")?;
    for s in SCENARIOS {
        writeln!(out, "{}", s.name)?;
        writeln!(out, "    told:  {}", s.brief)?;
        writeln!(out, "    cause: {}", s.cause)?;
        writeln!(out, "    find:  {}", s.find)?;
        writeln!(
            out,
            "    entry: {} (connect-sso troubleshoot {})",
            s.trouble, s.trouble
        )?;
        writeln!(out, "    fix:   {}", s.fix)?;
    }
    Ok(())
}
