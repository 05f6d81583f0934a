//! What the sandbox's IAM Identity Center holds for each custom SAML 2.0 application beyond
//! its name and status: the fields of the console's application page (step 1's description,
//! steps 3-5's ACS URL and audience, steps 7-9's relay state, step 10's attribute mappings
//! and the session duration). It is the one source of what the sandbox's Identity Center
//! "is": the responses it issues are built from it ([`Sandbox::issue_response`]), the
//! console API reads and writes it, and workshops break it on purpose through
//! [`Sandbox::configure_application`].
//!
//! A part never set is what Identity Center holds for an application whose console step was
//! never done: no ACS URL or audience, no relay state, the Subject on Identity Center's
//! default (`${user:subject}`, persistent) and no other attribute.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::account::{SANDBOX_ACCOUNT, SANDBOX_IDC_INSTANCE_ARN};
use super::{ApplicationSnapshot, Sandbox};
use crate::cloud::CloudResult;
use crate::cloud::console::{STATUS_DISABLED, STATUS_ENABLED};
use crate::domain::setup::Setup;

/// The Subject Identity Center sends for an application whose mappings were never set.
pub const DEFAULT_SUBJECT: &str = "${user:subject}";
/// Its NameID format.
pub const DEFAULT_SUBJECT_FORMAT: &str = "persistent";
/// The session duration of an application whose duration was never set: one hour.
pub const DEFAULT_SESSION_DURATION: &str = "PT1H";

/// One attribute mapping: the value (a string, or `${user:...}`) and its format, by the
/// short name the console's table shows (`emailAddress`, `unspecified`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mapping {
    pub value: String,
    pub format: String,
}

impl Mapping {
    pub fn new(value: &str, format: &str) -> Mapping {
        Mapping {
            value: value.to_string(),
            format: format.to_string(),
        }
    }
}

/// An application's configuration beyond its display name and status (those are the
/// application's own, as `ListApplications` shows them). `None` and empty mean "never set".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationConfig {
    /// Step 1: the description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Steps 3-5: the Application ACS URL, where the browser posts the response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acs_url: Option<String>,
    /// Steps 3-5: the Application SAML audience.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// Steps 7-9: the relay state posted beside the response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relay_state: Option<String>,
    /// Step 10: the Subject; `None` is Identity Center's default ([`DEFAULT_SUBJECT`],
    /// [`DEFAULT_SUBJECT_FORMAT`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Mapping>,
    /// Step 10: every other attribute, by its name exactly as typed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, Mapping>,
    /// The session duration, ISO 8601 (`PT1H`); `None` is [`DEFAULT_SESSION_DURATION`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_duration: Option<String>,
    /// The `name` `CreateApplicationInstance` was given (unique, shown nowhere); `None` for
    /// an application added in the console.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_name: Option<String>,
    /// The ids of the application's profiles (the console API makes one with it), which
    /// `DeleteApplicationInstance` wants deleted first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub profiles: Vec<String>,
    /// The parts still never set are taken from the setup the first time Identity Center
    /// needs them (then this is cleared): accounts saved before the sandbox kept
    /// configurations, whose Identity Center answered from the setup, and sessions from
    /// before the wizard had forms for the console pages.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub from_guide: bool,
}

impl ApplicationConfig {
    /// What the guide asks for: the setup's description, ACS URL, audience, relay state and
    /// the three mappings of step 10, with the console's one-hour session.
    pub fn from_setup(setup: &Setup) -> ApplicationConfig {
        let mut config = ApplicationConfig {
            description: setup.app_description.as_ref().map(|d| d.to_string()),
            acs_url: Some(setup.acs_url().to_string()),
            audience: Some(setup.audience().to_string()),
            relay_state: Some(setup.relay_state(None)),
            session_duration: Some(DEFAULT_SESSION_DURATION.to_string()),
            ..ApplicationConfig::default()
        };
        for m in setup.attribute_mappings() {
            let mapping = Mapping::new(&m.value, m.format);
            if m.attribute == "Subject" {
                config.subject = Some(mapping);
            } else {
                config.attributes.insert(m.attribute.to_string(), mapping);
            }
        }
        config
    }

    /// The parts never set, taken from `wanted` (the others are kept).
    fn fill_from(&mut self, wanted: ApplicationConfig) {
        fn fill<T>(part: &mut Option<T>, wanted: Option<T>) {
            if part.is_none() {
                *part = wanted;
            }
        }
        fill(&mut self.description, wanted.description);
        fill(&mut self.acs_url, wanted.acs_url);
        fill(&mut self.audience, wanted.audience);
        fill(&mut self.relay_state, wanted.relay_state);
        fill(&mut self.session_duration, wanted.session_duration);
        if self.subject.is_none() && self.attributes.is_empty() {
            self.subject = wanted.subject;
            self.attributes = wanted.attributes;
        }
        self.from_guide = false;
    }

    /// The guided console step that was never done, if any, in the guide's order: what
    /// Identity Center needs to issue a response at all.
    pub fn missing_step(&self) -> Option<(&'static str, &'static str)> {
        if self.acs_url.is_none() {
            return Some(("3-5", "Application ACS URL"));
        }
        if self.audience.is_none() {
            return Some(("3-5", "Application SAML audience"));
        }
        None
    }

    /// The Subject as Identity Center sends it.
    pub fn subject_or_default(&self) -> Mapping {
        self.subject
            .clone()
            .unwrap_or_else(|| Mapping::new(DEFAULT_SUBJECT, DEFAULT_SUBJECT_FORMAT))
    }
}

/// One application of the sandbox's Identity Center, as its console page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConfiguredApplication {
    /// `arn:aws:sso::ACCOUNT:application/ssoins-.../apl-...`, as `ListApplications` lists it.
    pub arn: String,
    /// The same id with `ins-`, as the console API names it.
    pub instance_id: String,
    pub display_name: String,
    /// `ENABLED` or `DISABLED`.
    pub status: String,
    pub config: ApplicationConfig,
}

impl ConfiguredApplication {
    pub fn is_enabled(&self) -> bool {
        self.status == STATUS_ENABLED
    }

    pub(super) fn of(app: &ApplicationSnapshot) -> ConfiguredApplication {
        ConfiguredApplication {
            arn: app.application.arn.clone(),
            instance_id: instance_id_of(&app.application.arn).unwrap_or_default(),
            display_name: app.application.name.clone(),
            status: app
                .application
                .status
                .clone()
                .unwrap_or_else(|| STATUS_ENABLED.to_string()),
            config: app.config.clone(),
        }
    }
}

/// The console API's instance id (`ins-…`) of an application ARN (`…/apl-…`).
pub fn instance_id_of(application_arn: &str) -> Option<String> {
    let (_, id) = application_arn.rsplit_once("/apl-")?;
    (!id.is_empty()).then(|| format!("ins-{id}"))
}

/// The application ARN of a console API instance id (`ins-…`) in the sandbox's account.
pub fn arn_of_instance(instance_id: &str) -> Option<String> {
    crate::cloud::console::application_arn(SANDBOX_IDC_INSTANCE_ARN, SANDBOX_ACCOUNT, instance_id)
}

impl Sandbox {
    /// The application `arn` as the IAM Identity Center console shows it, read without
    /// recording a call; `None` when there is none.
    pub fn application_config(&self, arn: &str) -> Option<ConfiguredApplication> {
        let state = self.lock();
        state
            .applications
            .iter()
            .find(|a| a.application.arn == arn)
            .map(ConfiguredApplication::of)
    }

    /// Changes any part of the application's configuration as someone would in the IAM
    /// Identity Center console (not recorded in the calls), and returns it as it is now.
    /// Fails as the console API would for an unknown application.
    pub fn configure_application(
        &self,
        arn: &str,
        edit: impl FnOnce(&mut ApplicationConfig),
    ) -> CloudResult<ConfiguredApplication> {
        const ACTION: &str = "sso:UpdateApplicationInstanceDisplayData";
        let mut state = self.lock();
        let app = state.application(ACTION, arn)?;
        edit(&mut app.config);
        Ok(ConfiguredApplication::of(app))
    }

    /// Renames the application (its display name), as the console's Edit does.
    pub fn rename_application(&self, arn: &str, display_name: &str) -> CloudResult<()> {
        const ACTION: &str = "sso:UpdateApplicationInstanceDisplayData";
        let mut state = self.lock();
        state.application(ACTION, arn)?.application.name = display_name.to_string();
        Ok(())
    }

    /// Enables or disables the application, as the console's Actions menu does.
    pub fn set_application_enabled(&self, arn: &str, enabled: bool) -> CloudResult<()> {
        const ACTION: &str = "sso:UpdateApplicationInstanceStatus";
        let status = if enabled {
            STATUS_ENABLED
        } else {
            STATUS_DISABLED
        };
        let mut state = self.lock();
        state.application(ACTION, arn)?.application.status = Some(status.to_string());
        Ok(())
    }

    /// The console steps after step 1 (3-5, 7-9 and 10, and step 1's description) done by
    /// hand exactly as `setup` shows them, as `apply` on the sandbox stands in for them. Not
    /// recorded in the calls.
    pub fn simulate_console_steps(
        &self,
        arn: &str,
        setup: &Setup,
    ) -> CloudResult<ConfiguredApplication> {
        self.configure_application(arn, |c| *c = ApplicationConfig::from_setup(setup))
    }

    /// The configuration `issue_response` works from: an application whose parts are to be
    /// typed in as the wizard shows them gets them from `setup` now, stored.
    pub(super) fn configured_for_issue(
        &self,
        arn: &str,
        setup: &Setup,
    ) -> Option<ConfiguredApplication> {
        let mut state = self.lock();
        let app = state
            .applications
            .iter_mut()
            .find(|a| a.application.arn == arn)?;
        if app.config.from_guide {
            app.config.fill_from(ApplicationConfig::from_setup(setup));
        }
        Some(ConfiguredApplication::of(app))
    }
}

/// The configuration of an application saved before the sandbox kept configurations: its
/// Identity Center answered from the setup, so it still does, once.
pub(super) fn saved_before_configurations() -> ApplicationConfig {
    ApplicationConfig {
        from_guide: true,
        ..ApplicationConfig::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_ids_and_arns_name_the_same_application() {
        let arn =
            "arn:aws:sso::111122223333:application/ssoins-7223a1b2c3d4e5f6/apl-0123456789abcdef";
        assert_eq!(instance_id_of(arn).as_deref(), Some("ins-0123456789abcdef"));
        assert_eq!(
            arn_of_instance("ins-0123456789abcdef").as_deref(),
            Some(arn)
        );
        assert_eq!(instance_id_of("arn:aws:sso::1:application/x"), None);
        assert_eq!(arn_of_instance("apl-0123"), None);
    }

    #[test]
    fn only_parts_never_set_are_filled() {
        let setup = Setup::from_answers(&crate::domain::setup::Answers {
            instance_arn: Some(super::super::SANDBOX_INSTANCE_ARN.into()),
            ..Default::default()
        })
        .unwrap();
        let mut c = ApplicationConfig {
            audience: Some("urn:wrong".into()),
            from_guide: true,
            ..ApplicationConfig::default()
        };
        assert_eq!(c.missing_step(), Some(("3-5", "Application ACS URL")));
        c.fill_from(ApplicationConfig::from_setup(&setup));
        assert_eq!(c.audience.as_deref(), Some("urn:wrong"));
        assert_eq!(c.acs_url.as_deref(), Some(setup.acs_url()));
        assert_eq!(c.attributes.len(), 2);
        assert!(!c.from_guide);
        assert_eq!(c.missing_step(), None);

        // Mappings someone set are kept whole.
        let mut c = ApplicationConfig {
            subject: Some(Mapping::new("${user:name}", "unspecified")),
            ..ApplicationConfig::default()
        };
        c.fill_from(ApplicationConfig::from_setup(&setup));
        assert!(c.attributes.is_empty());
        assert_eq!(c.subject_or_default().value, "${user:name}");
        assert_eq!(
            ApplicationConfig::default().subject_or_default(),
            Mapping::new(DEFAULT_SUBJECT, DEFAULT_SUBJECT_FORMAT)
        );
    }

    use super::super::{IssueError, SANDBOX_EXISTING_CONNECT_USERNAME as MARIA, SANDBOX_USERS};
    use crate::cloud::apply::{UserRequest, apply};
    use crate::cloud::sign_in::{Outcome, sign_in_test};
    use crate::domain::assertion::{self, decode};
    use crate::domain::setup::{Answers, ROLE_ATTRIBUTE};

    fn setup() -> Setup {
        Setup::from_answers(&Answers {
            instance_arn: Some(super::super::SANDBOX_INSTANCE_ARN.into()),
            ..Answers::default()
        })
        .unwrap()
    }

    /// Step 1 done by hand and nothing else of the console; 6a-6c and 11 (Maria) by apply.
    async fn only_step_1() -> (Sandbox, String) {
        let sb = Sandbox::new();
        let arn = sb.simulate_create_application(setup().app_name.as_str());
        let people = UserRequest {
            users: vec![MARIA.to_string()],
            ..UserRequest::default()
        };
        apply(&sb, &setup(), &sb.metadata_document(), &people, false)
            .await
            .unwrap();
        (sb, arn)
    }

    async fn report(sb: &Sandbox) -> crate::cloud::sign_in::SignInReport {
        let now = time::OffsetDateTime::now_utc();
        let issued = sb.issue_response(MARIA, &setup(), now).unwrap();
        let decoded = decode(issued.form_body().as_bytes()).unwrap();
        sign_in_test(sb, &setup(), &decoded, None, None, now)
            .await
            .unwrap()
    }

    async fn verdict(sb: &Sandbox) -> Outcome {
        report(sb).await.attempts[0].outcome.clone()
    }

    #[tokio::test]
    async fn the_response_is_the_stored_configurations_and_each_missing_step_is_named() {
        let (sb, arn) = only_step_1().await;
        let shown = sb.application_config(&arn).unwrap();
        assert_eq!(shown.config, ApplicationConfig::default());
        assert_eq!(shown.instance_id, instance_id_of(&arn).unwrap());
        assert!(shown.is_enabled());
        let now = time::OffsetDateTime::now_utc();

        // Steps 3-5 never done: no response, and the error says which steps.
        let err = sb.issue_response(MARIA, &setup(), now).unwrap_err();
        assert!(
            matches!(err, IssueError::NotConfigured { step: "3-5", .. }),
            "{err}"
        );
        assert!(err.to_string().contains("do steps 3-5"), "{err}");

        // 3-5 done, 10 never: Identity Center's default Subject and no Role attribute.
        let wanted = ApplicationConfig::from_setup(&setup());
        sb.configure_application(&arn, |c| {
            c.acs_url = wanted.acs_url.clone();
            c.audience = wanted.audience.clone();
        })
        .unwrap();
        let issued = sb.issue_response(MARIA, &setup(), now).unwrap();
        assert_eq!(issued.relay_state, None, "steps 7-9 never done");
        let r = assertion::parse(&issued.xml).unwrap();
        let a = r.assertion.as_ref().unwrap();
        assert_eq!(a.name_id.as_deref(), Some(SANDBOX_USERS[0].user_id));
        assert!(r.attribute_values(ROLE_ATTRIBUTE).is_empty());
        let tested = report(&sb).await;
        assert!(!tested.signed_in);
        let role = tested
            .inspection
            .findings
            .iter()
            .find(|f| f.field == "Role attribute")
            .expect("the inspector names the missing Role attribute");
        assert_eq!(role.seen.as_deref(), Some("missing"));
        assert!(role.fix.as_deref().unwrap().contains("step 10"), "{role:?}");

        // The whole guide: signed in, relay state beside it.
        sb.simulate_console_steps(&arn, &setup()).unwrap();
        let issued = sb.issue_response(MARIA, &setup(), now).unwrap();
        assert_eq!(issued.relay_state, Some(setup().relay_state(None)));
        assert!(matches!(verdict(&sb).await, Outcome::SignedIn { .. }));

        // A workshop's typos have their real consequences.
        sb.configure_application(&arn, |c| c.audience = Some("urn:amazon:webservice".into()))
            .unwrap();
        match verdict(&sb).await {
            Outcome::Refused { trouble, .. } => assert_eq!(trouble, Some("wrong-acs-url")),
            other => panic!("expected a refusal, got {other:?}"),
        }
        sb.simulate_console_steps(&arn, &setup()).unwrap();
        let spaced = setup().role_attribute().replace(',', ", ");
        sb.configure_application(&arn, |c| {
            c.attributes.get_mut(ROLE_ATTRIBUTE).unwrap().value = spaced;
        })
        .unwrap();
        assert!(matches!(verdict(&sb).await, Outcome::Refused { .. }));
        sb.simulate_console_steps(&arn, &setup()).unwrap();
        sb.set_application_enabled(&arn, false).unwrap();
        let err = sb.issue_response(MARIA, &setup(), now).unwrap_err();
        assert!(matches!(err, IssueError::Disabled { .. }), "{err}");
        assert!(err.to_string().contains("is DISABLED"), "{err}");
        sb.set_application_enabled(&arn, true).unwrap();
        sb.rename_application(&arn, "Renamed").unwrap();
        assert!(matches!(
            sb.issue_response(MARIA, &setup(), now),
            Err(IssueError::NoApplication { .. })
        ));
        assert!(
            sb.configure_application("arn:aws:sso::1:application/x/apl-1", |_| {})
                .is_err()
        );
    }

    #[tokio::test]
    async fn the_configuration_is_kept_in_the_account_and_old_files_load_with_it_empty() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("account.json");
        let (sb, arn) = only_step_1().await;
        sb.configure_application(&arn, |c| c.relay_state = Some("https://x".into()))
            .unwrap();
        sb.save(&path).unwrap();
        let (loaded, warning) = Sandbox::load_or_seed(&path, Default::default());
        assert_eq!(warning, None);
        assert_eq!(loaded.application_config(&arn), sb.application_config(&arn));

        // An account saved before configurations were kept: its application is answered
        // from the setup, once, and keeps that from then on.
        let mut old: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        old["applications"][0]
            .as_object_mut()
            .unwrap()
            .remove("config");
        std::fs::write(&path, old.to_string()).unwrap();
        let (loaded, _) = Sandbox::load_or_seed(&path, Default::default());
        let config = loaded.application_config(&arn).unwrap().config;
        assert!(config.from_guide && config.acs_url.is_none());
        assert!(matches!(verdict(&loaded).await, Outcome::SignedIn { .. }));
        let config = loaded.application_config(&arn).unwrap().config;
        assert!(!config.from_guide);
        assert_eq!(config, ApplicationConfig::from_setup(&setup()));
    }
}
