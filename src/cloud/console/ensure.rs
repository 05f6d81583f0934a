//! Steps 1, 2, 3-5 and 10 through the console API, each an idempotent ensure: read,
//! compare with the setup, write only the difference, read again. A second run makes no
//! update call.
//!
//! Step 10 has no known read (`GetApplicationInstance` does not return the attribute
//! mappings), so what connect-sso last wrote is kept as a fingerprint in a record beside the
//! ledger ([`super::record`]): the mappings are written again only when the setup asks for
//! other ones. A change made in the console since is not seen; the sign-in proof
//! (`inspect-assertion`, `sign-in-test`) checks what IAM Identity Center really sends.
//!
//! Any unexpected answer (an unknown operation, a validation error, a member the model
//! documents but the answer lacks) stops the run with the operation, AWS's answer, what was
//! already done, and the guided console step to do instead.

use std::collections::BTreeMap;

use serde::Serialize;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::{
    AttributeSource, CUSTOM_SAML_TEMPLATE, ConsoleApi, Consumer, HTTP_POST_BINDING, ResponseConfig,
    ResponseSchemaConfig, STATUS_ENABLED, SchemaProperty, SchemaSubject, ServiceProviderConfig,
    random_uuid,
};
use crate::cloud::CloudError;
use crate::cloud::ensure::{Change, Outcome};
use crate::domain::metadata::CheckedMetadata;
use crate::domain::setup::Setup;

/// The application's session duration connect-sso sets: the console's default, one hour.
pub const SESSION_TTL: &str = "PT1H";
const SUBJECT_INCLUDE: &str = "REQUIRED";
const PROPERTY_INCLUDE: &str = "YES";

/// What the console steps found and did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ConsoleRun {
    pub dry_run: bool,
    /// The application instance (`ins-…`), once found or created.
    pub instance_id: Option<String>,
    /// Whether this run created it.
    pub created: bool,
    /// Steps 1, 2, 3-5 and 10, in the order they ran.
    pub outcomes: Vec<Outcome>,
    /// Step 2: where the metadata came from.
    pub metadata_url: Option<String>,
    /// Step 2: the checked metadata document (not in the JSON report: it is long).
    #[serde(skip)]
    pub metadata: Option<(CheckedMetadata, String)>,
    /// Step 10: the fingerprint of the mappings now set, to record when it changed.
    #[serde(skip)]
    pub mappings_written: Option<String>,
    pub warnings: Vec<String>,
    /// The step that stopped the run.
    pub failure: Option<ConsoleFailure>,
}

impl ConsoleRun {
    pub fn changes(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| o.change.is_change())
            .count()
    }

    /// The guide's steps this run took over from the console (done, or to be done by
    /// applying): those with an outcome and no failure.
    pub fn steps_done(&self) -> Vec<&'static str> {
        self.outcomes
            .iter()
            .map(|o| o.step)
            .filter(|s| self.failure.as_ref().is_none_or(|f| f.step != *s))
            .collect()
    }
}

/// Why the console steps stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsoleFailure {
    pub step: &'static str,
    /// The operation (`sso:UpdateApplicationInstanceStatus`), or what failed.
    pub operation: String,
    /// AWS's answer, or the problem, as said.
    pub answer: String,
    /// The API answered in a way its model does not describe: do the step in the console.
    pub unexpected: bool,
    /// What had been changed before it.
    pub done: Vec<String>,
}

impl ConsoleFailure {
    /// The whole message: what failed, what to do, what was already done.
    pub fn message(&self) -> String {
        let done = if self.done.is_empty() {
            "nothing was changed in IAM Identity Center before it".to_string()
        } else {
            format!("already done: {}", self.done.join("; "))
        };
        let fix = if self.unexpected {
            format!(
                "AWS does not document the console API and may have changed it: do step {} in the IAM Identity Center console instead (`connect-sso plan` lists its values), then run apply without --console-api",
                self.step
            )
        } else {
            "fix it, then run apply again: it picks up where it stopped".to_string()
        };
        format!(
            "step {} stopped at {}: {}. {fix}; {done}",
            self.step, self.operation, self.answer
        )
    }
}

/// An error from the console API that means its answer was not the documented one.
pub fn is_unexpected(e: &CloudError) -> bool {
    match e {
        CloudError::Invalid { .. }
        | CloudError::NotFound { .. }
        | CloudError::AlreadyExists { .. }
        | CloudError::DeleteConflict { .. }
        | CloudError::SignInRefused { .. } => true,
        CloudError::Service { code, .. } => {
            code != "InternalServerException" && !code.starts_with("HTTP 5")
        }
        CloudError::AccessDenied { .. }
        | CloudError::Credentials { .. }
        | CloudError::Throttled { .. }
        | CloudError::Timeout { .. }
        | CloudError::Network { .. }
        | CloudError::LimitExceeded { .. } => false,
    }
}

fn operation_of(e: &CloudError) -> String {
    match e {
        CloudError::AccessDenied { action, .. }
        | CloudError::Throttled { action }
        | CloudError::Timeout { action, .. }
        | CloudError::Network { action, .. }
        | CloudError::AlreadyExists { action, .. }
        | CloudError::NotFound { action, .. }
        | CloudError::Invalid { action, .. }
        | CloudError::DeleteConflict { action, .. }
        | CloudError::SignInRefused { action, .. }
        | CloudError::LimitExceeded { action, .. }
        | CloudError::Service { action, .. } => action.clone(),
        CloudError::Credentials { .. } => "the identity context's credentials".to_string(),
    }
}

/// The service provider configuration steps 3-5 set.
pub fn wanted_service_provider(setup: &Setup) -> ServiceProviderConfig {
    ServiceProviderConfig {
        audience: Some(setup.audience().to_string()),
        consumers: Some(vec![Consumer {
            location: Some(setup.acs_url().to_string()),
            binding: Some(HTTP_POST_BINDING.to_string()),
            default_value: Some(false),
        }]),
        require_request_signature: Some(false),
    }
}

/// What differs between the application's service provider configuration and the setup's:
/// the audience, and exactly one HTTP-POST consumer at the ACS URL.
pub fn service_provider_differences(
    current: Option<&ServiceProviderConfig>,
    setup: &Setup,
) -> Vec<String> {
    let mut out = Vec::new();
    let empty = ServiceProviderConfig::default();
    let current = current.unwrap_or(&empty);
    let audience = current.audience.as_deref().unwrap_or("");
    if audience != setup.audience() {
        out.push(format!(
            "audience: {} -> {}",
            shown(audience),
            setup.audience()
        ));
    }
    let consumers = current.consumers.as_deref().unwrap_or(&[]);
    let right = |c: &Consumer| {
        c.location.as_deref() == Some(setup.acs_url())
            && c.binding.as_deref() == Some(HTTP_POST_BINDING)
    };
    if consumers.len() != 1 || !right(&consumers[0]) {
        let now: Vec<String> = consumers
            .iter()
            .map(|c| c.location.clone().unwrap_or_default())
            .collect();
        out.push(format!(
            "ACS URL: {} -> {}",
            shown(&now.join(", ")),
            setup.acs_url()
        ));
    }
    if current.require_request_signature == Some(true) {
        out.push("signed requests: required -> not required".to_string());
    }
    out
}

fn shown(value: &str) -> String {
    if value.is_empty() {
        "(none)".to_string()
    } else {
        crate::domain::text::echo(value)
    }
}

/// NameID formats: the short name the console's attribute-mapping table shows, and its SAML
/// URN, as the console API carries it.
pub const NAME_ID_FORMATS: [(&str, &str); 4] = [
    (
        "emailAddress",
        "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
    ),
    (
        "unspecified",
        "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
    ),
    (
        "persistent",
        "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
    ),
    (
        "transient",
        "urn:oasis:names:tc:SAML:2.0:nameid-format:transient",
    ),
];

/// Attribute name formats, short name and SAML URN.
pub const ATTRIBUTE_NAME_FORMATS: [(&str, &str); 3] = [
    (
        "unspecified",
        "urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified",
    ),
    ("uri", "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"),
    ("basic", "urn:oasis:names:tc:SAML:2.0:attrname-format:basic"),
];

/// The SAML URN of a format's short name in `table`.
pub fn format_urn(table: &[(&'static str, &'static str)], short: &str) -> Option<&'static str> {
    table.iter().find(|(s, _)| *s == short).map(|(_, urn)| *urn)
}

/// The short name of a format's SAML URN in `table`.
pub fn format_short(table: &[(&'static str, &'static str)], urn: &str) -> Option<&'static str> {
    table.iter().find(|(_, u)| *u == urn).map(|(s, _)| *s)
}

fn name_id_format(format: &str) -> Option<&'static str> {
    format_urn(&NAME_ID_FORMATS, format)
}

fn attr_name_format(format: &str) -> Option<&'static str> {
    format_urn(&ATTRIBUTE_NAME_FORMATS, format)
}

/// Step 10 as the two requests that set it: the values, and their formats.
pub fn wanted_mappings(setup: &Setup) -> Result<(ResponseConfig, ResponseSchemaConfig), String> {
    let mut config = ResponseConfig {
        ttl: SESSION_TTL.to_string(),
        ..ResponseConfig::default()
    };
    let mut schema = ResponseSchemaConfig::default();
    for m in setup.attribute_mappings() {
        let source = AttributeSource {
            source: vec![m.value.clone()],
        };
        if m.attribute == "Subject" {
            let format = name_id_format(m.format)
                .ok_or_else(|| format!("the Subject's format {} has no SAML name", m.format))?;
            config.subject = source;
            schema.subject = SchemaSubject {
                include: SUBJECT_INCLUDE.to_string(),
                name_id_format: format.to_string(),
            };
        } else {
            let format = attr_name_format(m.format).ok_or_else(|| {
                format!(
                    "the format {} of {} has no SAML name",
                    m.format, m.attribute
                )
            })?;
            config.properties.insert(m.attribute.to_string(), source);
            schema.properties.insert(
                m.attribute.to_string(),
                SchemaProperty {
                    attr_name_format: format.to_string(),
                    include: PROPERTY_INCLUDE.to_string(),
                },
            );
        }
    }
    Ok((config, schema))
}

/// A fingerprint of step 10's two requests, to tell whether they changed since written.
pub fn mappings_fingerprint(config: &ResponseConfig, schema: &ResponseSchemaConfig) -> String {
    let text = serde_json::to_string(&(config, schema)).expect("the mappings serialize");
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Downloads and checks the metadata at `url` (step 2).
pub type FetchMetadata<'a> = &'a (
        dyn Fn(
    String,
) -> futures_util::future::BoxFuture<
    'static,
    Result<(CheckedMetadata, String), String>,
> + Send
            + Sync
    );

/// Steps 1, 2, 3-5 and 10. `mappings_recorded`: the fingerprint of the mappings connect-sso
/// last wrote to this application, keyed by the caller by instance id (see
/// [`super::record`]); `fetch` downloads and checks the metadata. Never fails: a step that
/// cannot go on is the run's `failure`, beside what was done before it.
pub async fn ensure_console_steps(
    api: &dyn ConsoleApi,
    setup: &Setup,
    mappings_recorded: &(dyn Fn(&str) -> Option<String> + Send + Sync),
    fetch: FetchMetadata<'_>,
    dry_run: bool,
) -> ConsoleRun {
    let mut run = ConsoleRun {
        dry_run,
        ..ConsoleRun::default()
    };
    let mut done: Vec<String> = Vec::new();
    if let Err((step, e)) = steps(api, setup, mappings_recorded, fetch, &mut run, &mut done).await {
        run.failure = Some(match e {
            Stop::Cloud(e) => ConsoleFailure {
                step,
                operation: operation_of(&e),
                unexpected: is_unexpected(&e),
                answer: e.to_string(),
                done,
            },
            Stop::Other {
                operation,
                answer,
                unexpected,
            } => ConsoleFailure {
                step,
                operation,
                answer,
                unexpected,
                done,
            },
        });
    }
    run
}

enum Stop {
    Cloud(CloudError),
    Other {
        operation: String,
        answer: String,
        unexpected: bool,
    },
}

type StepResult<T> = Result<T, (&'static str, Stop)>;

fn at<T>(step: &'static str, r: Result<T, CloudError>) -> StepResult<T> {
    r.map_err(|e| (step, Stop::Cloud(e)))
}

fn stop<T>(step: &'static str, operation: &str, answer: String, unexpected: bool) -> StepResult<T> {
    Err((
        step,
        Stop::Other {
            operation: operation.to_string(),
            answer,
            unexpected,
        },
    ))
}

fn outcome(step: &'static str, resource: &'static str, id: &str, change: Change) -> Outcome {
    Outcome {
        step,
        resource,
        arn: id.to_string(),
        change,
        details: Vec::new(),
        warnings: Vec::new(),
    }
}

fn planned(dry_run: bool) -> Change {
    if dry_run {
        Change::WouldUpdate
    } else {
        Change::Updated
    }
}

async fn steps(
    api: &dyn ConsoleApi,
    setup: &Setup,
    mappings_recorded: &(dyn Fn(&str) -> Option<String> + Send + Sync),
    fetch: FetchMetadata<'_>,
    run: &mut ConsoleRun,
    done: &mut Vec<String>,
) -> StepResult<()> {
    let name = setup.app_name.as_str();
    let description = setup.app_description.as_ref().map(|d| d.as_str());
    let dry_run = run.dry_run;
    let (mappings, schema) = match wanted_mappings(setup) {
        Ok(m) => m,
        Err(e) => return stop("10", "the attribute mappings", e, false),
    };
    let fingerprint = mappings_fingerprint(&mappings, &schema);

    // Step 1: the application, found by its display name exactly once, or created.
    let listed = at("1", api.list_application_instances().await)?;
    let named: Vec<_> = listed
        .into_iter()
        .filter(|a| a.display_name() == Some(name))
        .collect();
    let op_get = "sso:GetApplicationInstance";
    let mut step1;
    let instance_id = match named.as_slice() {
        [] if dry_run => {
            let mut o = outcome("1", "application", "(new)", Change::WouldCreate);
            o.details.push(format!(
                "custom SAML 2.0 application \"{}\" from template {CUSTOM_SAML_TEMPLATE}, enabled",
                name
            ));
            run.outcomes.push(o);
            let mut sp = outcome("3-5", "ACS URL and audience", "(new)", Change::WouldUpdate);
            sp.details.push(format!(
                "ACS URL {}, audience {}",
                setup.acs_url(),
                setup.audience()
            ));
            run.outcomes.push(sp);
            let mut m = outcome("10", "attribute mappings", "(new)", Change::WouldUpdate);
            m.details.extend(mapping_lines(setup));
            run.outcomes.push(m);
            run.warnings.push(
                "step 2's metadata comes from the application once it exists: steps 6a-6c are worked out then".to_string(),
            );
            return Ok(());
        }
        [] => {
            let created = at(
                "1",
                api.create_application_instance(CUSTOM_SAML_TEMPLATE, &random_uuid())
                    .await,
            )?;
            let Some(id) = created.instance_id.clone().filter(|id| !id.is_empty()) else {
                return stop(
                    "1",
                    "sso:CreateApplicationInstance",
                    "the answer has no applicationInstance.instanceId (an application may have been created: look for one without a display name in the IAM Identity Center console)".to_string(),
                    true,
                );
            };
            run.created = true;
            run.instance_id = Some(id.clone());
            done.push(format!(
                "created the application instance {id} (it has no display name yet; delete it in the IAM Identity Center console if you do not go on)"
            ));
            step1 = outcome("1", "application", &id, Change::Created);
            at(
                "1",
                api.update_application_instance_display_data(&id, name, description)
                    .await,
            )?;
            done.push(format!("{id}: display name \"{}\"", name));
            step1.details.push(format!("display name \"{}\"", name));
            id
        }
        [one] => {
            let Some(id) = one.instance_id.clone() else {
                return stop(
                    "1",
                    "sso:ListApplicationInstances",
                    format!(
                        "the application named \"{}\" has no instanceId in the answer",
                        name
                    ),
                    true,
                );
            };
            run.instance_id = Some(id.clone());
            step1 = outcome("1", "application", &id, Change::Unchanged);
            id
        }
        many => {
            let ids: Vec<String> = many.iter().filter_map(|a| a.instance_id.clone()).collect();
            return stop(
                "1",
                "sso:ListApplicationInstances",
                format!(
                    "{} applications are named \"{}\" ({}): rename all but one in the IAM Identity Center console, or give --app-name",
                    many.len(),
                    name,
                    ids.join(", ")
                ),
                false,
            );
        }
    };
    let current = at("1", api.get_application_instance(&instance_id).await)?;
    if let Some(t) = current.template_id()
        && t != CUSTOM_SAML_TEMPLATE
    {
        return stop(
            "1",
            op_get,
            format!(
                "the application \"{}\" ({instance_id}) comes from template {t}, not the custom SAML 2.0 one ({CUSTOM_SAML_TEMPLATE}): give --app-name a name of its own",
                name
            ),
            false,
        );
    }
    if current.display_name() != Some(name) {
        // Just created and named, but the read does not say so yet, or AWS changed it.
        return stop(
            "1",
            op_get,
            format!(
                "the display name reads back as {:?}, not \"{}\"",
                current.display_name().unwrap_or(""),
                name
            ),
            true,
        );
    }
    if let Some(wanted) = description
        && current.description() != Some(wanted)
    {
        step1.details.push(format!(
            "description: {} -> {}",
            shown(current.description().unwrap_or("")),
            wanted
        ));
        if !dry_run {
            at(
                "1",
                api.update_application_instance_display_data(&instance_id, name, Some(wanted))
                    .await,
            )?;
            done.push(format!("{instance_id}: description set"));
        }
        if step1.change == Change::Unchanged {
            step1.change = planned(dry_run);
        }
    }
    let enable = !current.is_enabled();
    if enable {
        step1.details.push(format!(
            "status: {} -> {STATUS_ENABLED} (once configured)",
            current.status.as_deref().unwrap_or("(none)")
        ));
        if step1.change == Change::Unchanged {
            step1.change = planned(dry_run);
        }
    }
    run.outcomes.push(step1);

    // Step 2: the metadata, from the application's metadata URL, checked as a file would be.
    let Some(url) = current.metadata_url().map(str::to_string) else {
        return stop(
            "2",
            op_get,
            "the answer has no identityProviderConfig.metadataUrl".to_string(),
            true,
        );
    };
    run.metadata_url = Some(url.clone());
    let checked = match fetch(url.clone()).await {
        Ok(c) => c,
        Err(e) => {
            return stop(
                "2",
                "the metadata download",
                format!(
                    "{e}; or download the metadata on the application's page in the IAM Identity Center console and pass --metadata FILE"
                ),
                false,
            );
        }
    };
    let mut step2 = outcome("2", "metadata", &url, Change::Unchanged);
    step2.details.push(format!(
        "issuer {}, {} signing certificate(s)",
        &checked.0.metadata.entity_id,
        checked.0.metadata.certificates.len()
    ));
    for w in &checked.0.warnings {
        step2.warnings.push(w.to_string());
    }
    run.outcomes.push(step2);
    run.metadata = Some(checked);

    // Steps 3-5: the ACS URL and the audience.
    let differences = service_provider_differences(current.service_provider_config.as_ref(), setup);
    let mut sp = outcome(
        "3-5",
        "ACS URL and audience",
        &instance_id,
        Change::Unchanged,
    );
    if !differences.is_empty() {
        sp.change = planned(dry_run);
        sp.details = differences;
        if !dry_run {
            at(
                "3-5",
                api.update_application_instance_service_provider_configuration(
                    &instance_id,
                    &wanted_service_provider(setup),
                )
                .await,
            )?;
            done.push(format!(
                "{instance_id}: ACS URL {} and audience {}",
                setup.acs_url(),
                setup.audience()
            ));
            let after = at("3-5", api.get_application_instance(&instance_id).await)?;
            let left = service_provider_differences(after.service_provider_config.as_ref(), setup);
            if !left.is_empty() {
                return stop(
                    "3-5",
                    op_get,
                    format!(
                        "after the update the application still differs: {}",
                        left.join("; ")
                    ),
                    true,
                );
            }
        }
    }
    run.outcomes.push(sp);

    // Step 10: the attribute mappings (no read: compared with what connect-sso last wrote).
    let mut m = outcome("10", "attribute mappings", &instance_id, Change::Unchanged);
    let recorded = mappings_recorded(&instance_id);
    if recorded.as_deref() == Some(fingerprint.as_str()) {
        m.details.push(
            "as connect-sso last set them (the API has no read of them: a change made in the console since is not seen)".to_string(),
        );
    } else {
        m.change = planned(dry_run);
        m.details.extend(mapping_lines(setup));
        if !dry_run {
            at(
                "10",
                api.update_application_instance_response_configuration(&instance_id, &mappings)
                    .await,
            )?;
            done.push(format!("{instance_id}: attribute values of step 10"));
            at(
                "10",
                api.update_application_instance_response_schema_configuration(
                    &instance_id,
                    &schema,
                )
                .await,
            )?;
            done.push(format!("{instance_id}: attribute formats of step 10"));
            run.mappings_written = Some(fingerprint);
        }
    }
    run.outcomes.push(m);

    // Step 1's last part: enabled once configured, then read again.
    if enable && !dry_run {
        at(
            "1",
            api.update_application_instance_status(&instance_id, STATUS_ENABLED)
                .await,
        )?;
        done.push(format!("{instance_id}: enabled"));
        let after = at("1", api.get_application_instance(&instance_id).await)?;
        if !after.is_enabled() {
            return stop(
                "1",
                op_get,
                format!(
                    "after enabling it the application's status reads {}",
                    after.status.as_deref().unwrap_or("(none)")
                ),
                true,
            );
        }
    }
    Ok(())
}

fn mapping_lines(setup: &Setup) -> Vec<String> {
    setup
        .attribute_mappings()
        .iter()
        .map(|m| format!("{} = {} ({})", m.attribute, m.value, m.format))
        .collect()
}

/// The mappings as the requests carry them, by attribute, for tests and readers.
pub fn mapping_sources(config: &ResponseConfig) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = config
        .properties
        .iter()
        .map(|(k, v)| (k.clone(), v.source.clone()))
        .collect();
    out.insert("Subject".to_string(), config.subject.source.clone());
    out
}

/// Downloads and checks the metadata with [`crate::cloud::metadata_source::load_source`].
pub fn fetch_with(
    now: OffsetDateTime,
) -> impl Fn(
    String,
) -> futures_util::future::BoxFuture<'static, Result<(CheckedMetadata, String), String>>
+ Send
+ Sync {
    move |url: String| {
        Box::pin(async move { crate::cloud::metadata_source::load_source(&url, now).await })
    }
}
