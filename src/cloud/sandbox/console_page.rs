//! The sandbox's stand-in for the IAM Identity Center console pages of steps 3-5, 7-9 and
//! 10: what each page shows of an application's configuration, and what saving it writes.
//! The wizard's forms on the sandbox read and save these, so what an attendee types is what
//! the sandbox's Identity Center then sends, typos included.

use super::Sandbox;
use super::app_config::{ApplicationConfig, ConfiguredApplication, Mapping};
use crate::cloud::CloudResult;

/// The console steps done on a page of their own (step 1's page is the wizard's step 1).
pub const CONSOLE_PAGE_STEPS: [&str; 3] = ["3-5", "7-9", "10"];

/// One console page's fields, as the page shows them or as they were typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsolePage {
    /// Steps 3-5: the application metadata, entered by hand.
    Metadata { acs_url: String, audience: String },
    /// Steps 7-9: the application properties; an empty relay state is none.
    Properties { relay_state: String },
    /// Step 10: the Subject row, then every other row by the attribute name typed.
    Mappings {
        subject: Mapping,
        attributes: Vec<(String, Mapping)>,
    },
}

impl ConsolePage {
    /// The page of console step `step` over `config`, as the console shows it before an edit
    /// (never-set parts empty, the Subject on Identity Center's default); `None` for a step
    /// without a page here.
    pub fn of(step: &str, config: &ApplicationConfig) -> Option<ConsolePage> {
        let text = |part: &Option<String>| part.clone().unwrap_or_default();
        Some(match step {
            "3-5" => ConsolePage::Metadata {
                acs_url: text(&config.acs_url),
                audience: text(&config.audience),
            },
            "7-9" => ConsolePage::Properties {
                relay_state: text(&config.relay_state),
            },
            "10" => ConsolePage::Mappings {
                subject: config.subject_or_default(),
                attributes: config
                    .attributes
                    .iter()
                    .map(|(name, m)| (name.clone(), m.clone()))
                    .collect(),
            },
            _ => return None,
        })
    }

    /// The console step this page is.
    pub fn step(&self) -> &'static str {
        match self {
            ConsolePage::Metadata { .. } => "3-5",
            ConsolePage::Properties { .. } => "7-9",
            ConsolePage::Mappings { .. } => "10",
        }
    }

    /// Writes the page over its part of `config`, exactly as typed apart from surrounding
    /// blanks (a stray space from a mouse selection is not the lesson); the other parts stay.
    fn write(self, config: &mut ApplicationConfig) {
        let set = |v: String| {
            let v = v.trim().to_string();
            (!v.is_empty()).then_some(v)
        };
        let mapping = |m: Mapping| Mapping::new(m.value.trim(), m.format.trim());
        match self {
            ConsolePage::Metadata { acs_url, audience } => {
                config.acs_url = set(acs_url);
                config.audience = set(audience);
            }
            ConsolePage::Properties { relay_state } => config.relay_state = set(relay_state),
            ConsolePage::Mappings {
                subject,
                attributes,
            } => {
                config.subject = Some(mapping(subject));
                config.attributes = attributes
                    .into_iter()
                    .filter(|(name, _)| !name.trim().is_empty())
                    .map(|(name, m)| (name.trim().to_string(), mapping(m)))
                    .collect();
            }
        }
    }
}

impl Sandbox {
    /// Console step `step`'s page of application `arn` as it is now.
    /// Returns the application's display name with it, or why there is no such page.
    pub fn console_page(&self, arn: &str, step: &str) -> Result<(String, ConsolePage), String> {
        let app = self
            .application_config(arn)
            .ok_or_else(|| format!("the sandbox's Identity Center has no application {arn}"))?;
        let page = ConsolePage::of(step, &app.config)
            .ok_or_else(|| format!("step {step} has no console page in the sandbox"))?;
        Ok((app.display_name, page))
    }

    /// The custom SAML application displayed as `name`, as the console's application list
    /// finds it (not recorded in the calls); the first, should there be several.
    pub fn custom_application_named(&self, name: &str) -> Option<String> {
        let state = self.lock();
        state
            .applications
            .iter()
            .map(|a| &a.application)
            .find(|a| a.provider_arn == crate::cloud::CUSTOM_SAML_PROVIDER && a.name == name)
            .map(|a| a.arn.clone())
    }

    /// Saves a console page typed in by hand (not recorded in the calls).
    pub fn save_console_page(
        &self,
        arn: &str,
        page: ConsolePage,
    ) -> CloudResult<ConfiguredApplication> {
        self.configure_application(arn, |c| page.write(c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::setup::{Answers, ROLE_ATTRIBUTE, Setup};

    fn setup() -> Setup {
        Setup::from_answers(&Answers {
            instance_arn: Some(super::super::SANDBOX_INSTANCE_ARN.into()),
            ..Answers::default()
        })
        .unwrap()
    }

    #[test]
    fn each_page_shows_its_part_and_saving_writes_only_that_part_as_typed() {
        let sb = Sandbox::new();
        let arn = sb.simulate_create_application("Amazon Connect");
        let (name, page) = sb.console_page(&arn, "3-5").unwrap();
        assert_eq!(name, "Amazon Connect");
        assert_eq!(
            page,
            ConsolePage::Metadata {
                acs_url: String::new(),
                audience: String::new()
            }
        );
        let saved = sb
            .save_console_page(
                &arn,
                ConsolePage::Metadata {
                    acs_url: " https://signin.aws.amazon.com/sam1 ".into(),
                    audience: "urn:amazon:webservices".into(),
                },
            )
            .unwrap();
        // The typo stays: that is what Identity Center now sends.
        assert_eq!(
            saved.config.acs_url.as_deref(),
            Some("https://signin.aws.amazon.com/sam1")
        );
        assert_eq!(saved.config.relay_state, None);

        sb.save_console_page(
            &arn,
            ConsolePage::Properties {
                relay_state: "  ".into(),
            },
        )
        .unwrap();
        assert_eq!(
            sb.application_config(&arn).unwrap().config.relay_state,
            None
        );

        // The mappings page shows Identity Center's default Subject until it is set.
        let (_, page) = sb.console_page(&arn, "10").unwrap();
        let ConsolePage::Mappings {
            subject,
            attributes,
        } = page
        else {
            panic!("step 10 is the mappings page");
        };
        assert_eq!(subject.value, super::super::app_config::DEFAULT_SUBJECT);
        assert!(attributes.is_empty());
        let role = setup().role_attribute();
        sb.save_console_page(
            &arn,
            ConsolePage::Mappings {
                subject: Mapping::new("${user:email}", "emailAddress"),
                attributes: vec![
                    (ROLE_ATTRIBUTE.into(), Mapping::new(&role, "unspecified")),
                    (" ".into(), Mapping::new("dropped: no name", "unspecified")),
                ],
            },
        )
        .unwrap();
        let config = sb.application_config(&arn).unwrap().config;
        assert_eq!(config.attributes.len(), 1);
        assert_eq!(config.attributes[ROLE_ATTRIBUTE].value, role);
        // Earlier pages are untouched by a later one.
        assert_eq!(config.audience.as_deref(), Some("urn:amazon:webservices"));
        assert!(sb.console_page(&arn, "6a").is_err());
        assert!(
            sb.console_page("arn:aws:sso::1:application/x/apl-1", "3-5")
                .is_err()
        );
        // The console's application list finds it by its display name.
        assert_eq!(
            sb.custom_application_named("Amazon Connect").as_deref(),
            Some(arn.as_str())
        );
        assert_eq!(sb.custom_application_named("Amazon connect"), None);
    }
}
