//! The IAM Identity Center console's own API (`SWBService`, see [`crate::cloud::console`]) as
//! the sandbox stands in for it, over the same applications `ListApplications` lists: an
//! instance `ins-X` is the application `apl-X`, its fields the stored configuration
//! ([`super::ApplicationConfig`]). Every call goes through [`Sandbox::enter`] like the other
//! services' (recorded, faults, quotas, latency). The metadata URL it hands out is served
//! from the saved account without the network ([`Sandbox::metadata_at`]).
//!
//! What AWS does with a request its model allows but the console never sends is not known;
//! the sandbox refuses it as a validation error rather than guess (several ACS URLs, signed
//! requests, a format it has no name for).

use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::Digest as _;
use time::OffsetDateTime;

use super::account::SANDBOX_ACCOUNT;
use super::app_config::{Mapping, instance_id_of};
use super::errors::{already_exists, invalid, not_found};
use super::saml_issue::SANDBOX_IDC_ENTITY_ID;
use super::{ApplicationSnapshot, Sandbox};
use crate::cloud::console::ensure::{ATTRIBUTE_NAME_FORMATS, NAME_ID_FORMATS, format_short};
use crate::cloud::console::{
    ApplicationInstance, CUSTOM_SAML_TEMPLATE, Certificate, ConsoleApi, Consumer, DisplayData,
    HTTP_POST_BINDING, IdentityProviderConfig, Profile, ResponseConfig, ResponseSchemaConfig,
    STATUS_DISABLED, STATUS_ENABLED, ServiceProviderConfig, TemplateInfo,
};
use crate::cloud::{CUSTOM_SAML_PROVIDER, CloudResult, Context};
use crate::domain::metadata::{self, CheckedMetadata};

/// Where the sandbox's Identity Center publishes an application's metadata: the same host
/// and path as Identity Center's, then base64 of `ACCOUNT_ins-ID`.
const METADATA_URL_PREFIX: &str = "https://portal.sso.us-east-1.amazonaws.com/saml/metadata/";
const PORTAL: &str = "https://portal.sso.us-east-1.amazonaws.com/saml";

fn validation(action: &str, message: &str) -> crate::cloud::CloudError {
    invalid(action, format!("ValidationException: {message}"))
}

fn conflict(action: &str, message: &str) -> crate::cloud::CloudError {
    invalid(action, format!("ConflictException: {message}"))
}

/// The metadata URL of the instance `ins-…`.
pub fn metadata_url_of(instance_id: &str) -> String {
    format!(
        "{METADATA_URL_PREFIX}{}",
        STANDARD.encode(format!("{SANDBOX_ACCOUNT}_{instance_id}"))
    )
}

/// The instance id a sandbox metadata URL names, if it is one.
fn instance_of_metadata_url(url: &str) -> Option<String> {
    let encoded = url.trim().strip_prefix(METADATA_URL_PREFIX)?;
    let decoded = String::from_utf8(STANDARD.decode(encoded).ok()?).ok()?;
    let (account, id) = decoded.split_once('_')?;
    (account == SANDBOX_ACCOUNT).then(|| id.to_string())
}

/// The console API's view of an application.
fn instance_of(app: &ApplicationSnapshot) -> ApplicationInstance {
    let id = instance_id_of(&app.application.arn).unwrap_or_default();
    let c = &app.config;
    let custom = app.application.provider_arn == CUSTOM_SAML_PROVIDER;
    let service_provider_config =
        (c.acs_url.is_some() || c.audience.is_some()).then(|| ServiceProviderConfig {
            audience: c.audience.clone(),
            consumers: Some(
                c.acs_url
                    .iter()
                    .map(|url| Consumer {
                        location: Some(url.clone()),
                        binding: Some(HTTP_POST_BINDING.to_string()),
                        default_value: Some(false),
                    })
                    .collect(),
            ),
            require_request_signature: Some(false),
        });
    ApplicationInstance {
        display: Some(DisplayData {
            display_name: Some(app.application.name.clone()).filter(|n| !n.is_empty()),
            description: c.description.clone(),
        }),
        identity_provider_config: Some(IdentityProviderConfig {
            metadata_url: Some(metadata_url_of(&id)),
            issuer_url: Some(SANDBOX_IDC_ENTITY_ID.to_string()),
            remote_login_url: Some(format!(
                "{PORTAL}/assertion/{}",
                tail(SANDBOX_IDC_ENTITY_ID)
            )),
            remote_logout_url: Some(format!("{PORTAL}/logout/{}", tail(SANDBOX_IDC_ENTITY_ID))),
        }),
        instance_id: Some(id),
        service_provider_config,
        status: Some(
            app.application
                .status
                .clone()
                .unwrap_or_else(|| STATUS_ENABLED.to_string()),
        ),
        template: custom.then(|| TemplateInfo {
            sso_protocol: Some("SAML".to_string()),
            template_id: Some(CUSTOM_SAML_TEMPLATE.to_string()),
        }),
    }
}

fn tail(url: &str) -> &str {
    url.rsplit('/').next().unwrap_or_default()
}

impl super::account::State {
    /// The application of the instance `ins-…`, or the console API's not-found answer.
    fn application_instance(
        &mut self,
        action: &str,
        instance_id: &str,
    ) -> CloudResult<&mut ApplicationSnapshot> {
        self.applications
            .iter_mut()
            .find(|a| instance_id_of(&a.application.arn).as_deref() == Some(instance_id))
            .ok_or_else(|| {
                not_found(
                    action,
                    &format!("application instance {instance_id}"),
                    "ResourceNotFoundException: no application instance with this id",
                )
            })
    }
}

impl Sandbox {
    /// The metadata document at `url` when it is the metadata URL of an application of
    /// this account (as `GetApplicationInstance` hands it out): the account's own, read
    /// without the network. `None` for any other URL, or an application deleted since.
    pub fn metadata_at(&self, url: &str) -> Option<String> {
        let id = instance_of_metadata_url(url)?;
        let exists = self
            .lock()
            .applications
            .iter()
            .any(|a| instance_id_of(&a.application.arn).as_deref() == Some(id.as_str()));
        exists.then(|| self.metadata_document())
    }

    /// Step 2 on the sandbox: the metadata at `url`, checked as a downloaded file is.
    pub fn fetch_metadata(
        &self,
        url: &str,
        now: OffsetDateTime,
    ) -> Result<(CheckedMetadata, String), String> {
        let document = self.metadata_at(url).ok_or_else(|| {
            format!(
                "{url} answered 404 Not Found: it is not the metadata URL of an application of the sandbox account"
            )
        })?;
        let checked =
            metadata::check(document.as_bytes(), now).map_err(|e| format!("{url}: {e}"))?;
        Ok((checked, document))
    }
}

/// Step 2's download on the sandbox, for [`crate::cloud::console::ensure`] and doctor.
pub fn sandbox_fetch(
    sandbox: &Sandbox,
    now: OffsetDateTime,
) -> impl Fn(
    String,
) -> futures_util::future::BoxFuture<'static, Result<(CheckedMetadata, String), String>>
+ Send
+ Sync
+ '_ {
    move |url: String| {
        let result = sandbox.fetch_metadata(&url, now);
        Box::pin(async move { result })
    }
}

#[async_trait]
impl ConsoleApi for Sandbox {
    async fn list_application_instances(&self) -> CloudResult<Vec<ApplicationInstance>> {
        self.enter("sso:ListApplicationInstances", Context::Identity)
            .await?;
        Ok(self.lock().applications.iter().map(instance_of).collect())
    }

    async fn get_application_instance(
        &self,
        instance_id: &str,
    ) -> CloudResult<ApplicationInstance> {
        const ACTION: &str = "sso:GetApplicationInstance";
        self.enter(ACTION, Context::Identity).await?;
        let mut state = self.lock();
        Ok(instance_of(
            state.application_instance(ACTION, instance_id)?,
        ))
    }

    async fn create_application_instance(
        &self,
        template_id: &str,
        name: &str,
    ) -> CloudResult<ApplicationInstance> {
        const ACTION: &str = "sso:CreateApplicationInstance";
        self.enter(ACTION, Context::Identity).await?;
        if template_id != CUSTOM_SAML_TEMPLATE {
            return Err(validation(
                ACTION,
                &format!(
                    "the sandbox has only the custom SAML 2.0 template {CUSTOM_SAML_TEMPLATE}, not {template_id}"
                ),
            ));
        }
        if name.trim().is_empty() {
            return Err(validation(ACTION, "name must not be empty"));
        }
        let taken = self
            .lock()
            .applications
            .iter()
            .any(|a| a.config.instance_name.as_deref() == Some(name));
        if taken {
            return Err(already_exists(
                ACTION,
                &format!("application instance named {name}"),
                "ConflictException: an application instance with this name exists",
            ));
        }
        // Added like one added in the console, then as the API leaves it: without a display
        // name, disabled until configured, with one profile.
        let arn = self.simulate_create_application("");
        let mut state = self.lock();
        let profile = format!("p-{}", super::account::hex(&state.fresh("profile")[..8]));
        let app = state.application(ACTION, &arn)?;
        app.application.status = Some(STATUS_DISABLED.to_string());
        app.config.instance_name = Some(name.to_string());
        app.config.profiles.push(profile);
        Ok(ApplicationInstance {
            instance_id: instance_id_of(&arn),
            ..ApplicationInstance::default()
        })
    }

    async fn update_application_instance_display_data(
        &self,
        instance_id: &str,
        display_name: &str,
        description: Option<&str>,
    ) -> CloudResult<()> {
        const ACTION: &str = "sso:UpdateApplicationInstanceDisplayData";
        self.enter(ACTION, Context::Identity).await?;
        if display_name.trim().is_empty() {
            return Err(validation(ACTION, "displayName must not be empty"));
        }
        let mut state = self.lock();
        let app = state.application_instance(ACTION, instance_id)?;
        app.application.name = display_name.to_string();
        if let Some(d) = description {
            app.config.description = Some(d.to_string());
        }
        Ok(())
    }

    async fn update_application_instance_status(
        &self,
        instance_id: &str,
        status: &str,
    ) -> CloudResult<()> {
        const ACTION: &str = "sso:UpdateApplicationInstanceStatus";
        self.enter(ACTION, Context::Identity).await?;
        if status != STATUS_ENABLED && status != STATUS_DISABLED {
            return Err(validation(
                ACTION,
                &format!("status must be {STATUS_ENABLED} or {STATUS_DISABLED}, not {status}"),
            ));
        }
        let mut state = self.lock();
        state
            .application_instance(ACTION, instance_id)?
            .application
            .status = Some(status.to_string());
        Ok(())
    }

    async fn update_application_instance_service_provider_configuration(
        &self,
        instance_id: &str,
        config: &ServiceProviderConfig,
    ) -> CloudResult<()> {
        const ACTION: &str = "sso:UpdateApplicationInstanceServiceProviderConfiguration";
        self.enter(ACTION, Context::Identity).await?;
        let audience = config
            .audience
            .as_deref()
            .filter(|a| !a.trim().is_empty())
            .ok_or_else(|| validation(ACTION, "serviceProviderConfig.audience is required"))?;
        let location = match config.consumers.as_deref() {
            Some(
                [
                    Consumer {
                        location: Some(l),
                        binding: Some(b),
                        ..
                    },
                ],
            ) if b == HTTP_POST_BINDING && !l.trim().is_empty() => l.clone(),
            _ => {
                return Err(validation(
                    ACTION,
                    &format!(
                        "the sandbox's applications take one consumer, its location the ACS URL and its binding {HTTP_POST_BINDING}"
                    ),
                ));
            }
        };
        if config.require_request_signature == Some(true) {
            return Err(validation(
                ACTION,
                "the sandbox does not model signed authentication requests: send requireRequestSignature false",
            ));
        }
        let mut state = self.lock();
        let app = state.application_instance(ACTION, instance_id)?;
        app.config.acs_url = Some(location);
        app.config.audience = Some(audience.to_string());
        Ok(())
    }

    async fn update_application_instance_response_configuration(
        &self,
        instance_id: &str,
        config: &ResponseConfig,
    ) -> CloudResult<()> {
        const ACTION: &str = "sso:UpdateApplicationInstanceResponseConfiguration";
        self.enter(ACTION, Context::Identity).await?;
        let one = |what: &str, source: &[String]| match source {
            [value] => Ok(value.clone()),
            _ => Err(validation(
                ACTION,
                &format!("{what}.source must hold exactly one value"),
            )),
        };
        let subject = one("responseConfig.subject", &config.subject.source)?;
        let mut values = Vec::new();
        for (name, source) in &config.properties {
            values.push((
                name.clone(),
                one(&format!("properties.{name}"), &source.source)?,
            ));
        }
        if super::saml_issue::duration_seconds(&config.ttl).is_none() {
            return Err(validation(
                ACTION,
                &format!(
                    "ttl {} is not an ISO 8601 duration such as PT1H",
                    config.ttl
                ),
            ));
        }
        let mut state = self.lock();
        let c = &mut state.application_instance(ACTION, instance_id)?.config;
        // Values only: each mapping keeps the format it had (the other request sets those).
        let subject_format = c
            .subject
            .as_ref()
            .map_or(super::DEFAULT_SUBJECT_FORMAT.to_string(), |s| {
                s.format.clone()
            });
        c.subject = Some(Mapping::new(&subject, &subject_format));
        let before = std::mem::take(&mut c.attributes);
        for (name, value) in values {
            let format = before
                .get(&name)
                .map_or("unspecified".to_string(), |m| m.format.clone());
            c.attributes.insert(name, Mapping::new(&value, &format));
        }
        c.session_duration = Some(config.ttl.clone());
        Ok(())
    }

    async fn update_application_instance_response_schema_configuration(
        &self,
        instance_id: &str,
        config: &ResponseSchemaConfig,
    ) -> CloudResult<()> {
        const ACTION: &str = "sso:UpdateApplicationInstanceResponseSchemaConfiguration";
        self.enter(ACTION, Context::Identity).await?;
        let subject_format = format_short(&NAME_ID_FORMATS, &config.subject.name_id_format)
            .ok_or_else(|| {
                validation(
                    ACTION,
                    &format!(
                        "subject.nameIdFormat {} is not a NameID format",
                        config.subject.name_id_format
                    ),
                )
            })?;
        let mut formats = Vec::new();
        for (name, p) in &config.properties {
            let short =
                format_short(&ATTRIBUTE_NAME_FORMATS, &p.attr_name_format).ok_or_else(|| {
                    validation(
                        ACTION,
                        &format!(
                            "properties.{name}.attrNameFormat {} is not an attribute name format",
                            p.attr_name_format
                        ),
                    )
                })?;
            formats.push((name.clone(), short));
        }
        let mut state = self.lock();
        let c = &mut state.application_instance(ACTION, instance_id)?.config;
        if let Some((name, _)) = formats.iter().find(|(n, _)| !c.attributes.contains_key(n)) {
            return Err(validation(
                ACTION,
                &format!(
                    "properties.{name} has no value: set it with UpdateApplicationInstanceResponseConfiguration first"
                ),
            ));
        }
        let subject_value = c
            .subject
            .as_ref()
            .map_or(super::DEFAULT_SUBJECT.to_string(), |s| s.value.clone());
        c.subject = Some(Mapping::new(&subject_value, subject_format));
        for (name, short) in formats {
            if let Some(m) = c.attributes.get_mut(&name) {
                m.format = short.to_string();
            }
        }
        Ok(())
    }

    async fn list_application_instance_certificates(
        &self,
        instance_id: &str,
    ) -> CloudResult<Vec<Certificate>> {
        const ACTION: &str = "sso:ListApplicationInstanceCertificates";
        self.enter(ACTION, Context::Identity).await?;
        let mut state = self.lock();
        state.application_instance(ACTION, instance_id)?;
        let der = STANDARD
            .decode(state.signing().certificate_base64())
            .unwrap_or_default();
        let digest = super::account::hex(&sha2::Sha256::digest(&der)[..8]);
        Ok(vec![Certificate {
            certificate_id: Some(format!("c-{digest}")),
            status: Some("ACTIVE".to_string()),
            expiry_date: None,
            thumbprint: Some(digest),
            kind: Some("SAML".to_string()),
        }])
    }

    async fn list_profiles(&self, instance_id: &str) -> CloudResult<Vec<Profile>> {
        const ACTION: &str = "sso:ListProfiles";
        self.enter(ACTION, Context::Identity).await?;
        let mut state = self.lock();
        let app = state.application_instance(ACTION, instance_id)?;
        Ok(app
            .config
            .profiles
            .iter()
            .map(|id| Profile {
                name: Some("Default".to_string()),
                profile_id: Some(id.clone()),
                status: Some(STATUS_ENABLED.to_string()),
            })
            .collect())
    }

    async fn delete_profile(&self, instance_id: &str, profile_id: &str) -> CloudResult<()> {
        const ACTION: &str = "sso:DeleteProfile";
        self.enter(ACTION, Context::Identity).await?;
        let mut state = self.lock();
        let profiles = &mut state
            .application_instance(ACTION, instance_id)?
            .config
            .profiles;
        let Some(i) = profiles.iter().position(|p| p == profile_id) else {
            return Err(not_found(
                ACTION,
                &format!("profile {profile_id}"),
                "ResourceNotFoundException: the application instance has no such profile",
            ));
        };
        profiles.remove(i);
        Ok(())
    }

    async fn delete_application_instance(&self, instance_id: &str) -> CloudResult<()> {
        const ACTION: &str = "sso:DeleteApplicationInstance";
        self.enter(ACTION, Context::Identity).await?;
        let mut state = self.lock();
        let app = state.application_instance(ACTION, instance_id)?;
        if !app.assignments.is_empty() {
            return Err(conflict(
                ACTION,
                &format!(
                    "the application instance still has {} assignment(s): remove them first",
                    app.assignments.len()
                ),
            ));
        }
        if !app.config.profiles.is_empty() {
            return Err(conflict(
                ACTION,
                "the application instance still has profiles: delete them first (DeleteProfile)",
            ));
        }
        let arn = app.application.arn.clone();
        state.applications.retain(|a| a.application.arn != arn);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_urls_name_their_instance() {
        let url = metadata_url_of("ins-0123456789abcdef");
        assert!(url.starts_with(METADATA_URL_PREFIX), "{url}");
        assert_eq!(
            instance_of_metadata_url(&url).as_deref(),
            Some("ins-0123456789abcdef")
        );
        assert_eq!(instance_of_metadata_url("https://example.com/x"), None);
        let other = format!("{METADATA_URL_PREFIX}{}", STANDARD.encode("999_ins-1"));
        assert_eq!(instance_of_metadata_url(&other), None);
        let sb = Sandbox::new();
        assert_eq!(sb.metadata_at(&url), None, "no such application");
        let arn = sb.simulate_create_application("A");
        let url = metadata_url_of(&instance_id_of(&arn).unwrap());
        assert_eq!(sb.metadata_at(&url), Some(sb.metadata_document()));
        let now = OffsetDateTime::now_utc();
        assert!(sb.fetch_metadata(&url, now).is_ok());
        let e = sb
            .fetch_metadata("https://example.com/m.xml", now)
            .unwrap_err();
        assert!(e.contains("404"), "{e}");
    }
}
