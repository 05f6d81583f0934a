//! [`ConsoleApi`] on AWS: JSON 1.1 requests signed with SigV4 (signing name `sso`) with the
//! identity context's credentials and region, sent over the same HTTPS stack the metadata
//! download uses (hyper, rustls with the system's roots).

use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::types::{CertificatesAnswer, InstanceAnswer, InstancesAnswer, ProfilesAnswer};
use super::{
    ApplicationInstance, CONTENT_TYPE, Certificate, ConsoleApi, Profile, ResponseConfig,
    ResponseSchemaConfig, SIGNING_NAME, ServiceProviderConfig, TARGET_PREFIX, control_endpoint,
};
use crate::cloud::sdk::{ContextSettings, load_config, max_attempts};
use crate::cloud::{CloudError, CloudResult, Context};

/// How long one attempt may take, as the SDK clients' attempts.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// The most of an answer read; the documented answers are a few kilobytes.
const MAX_ANSWER_BYTES: usize = 1 << 20;

type HttpClient = hyper_util::client::legacy::Client<
    hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
    Full<Bytes>,
>;

/// The console API of one Identity Center instance, in the identity context.
#[derive(Clone)]
pub struct ConsoleClient {
    endpoint: String,
    region: String,
    credentials: Option<SharedCredentialsProvider>,
    profile: Option<String>,
    attempts: u32,
    http: HttpClient,
}

impl std::fmt::Debug for ConsoleClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConsoleClient")
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("profile", &self.profile)
            .finish()
    }
}

impl ConsoleClient {
    /// The client of the identity context: its profile and region, each defaulting to the
    /// connect context's, as [`crate::cloud::sdk::SdkCloud::load`] does.
    pub async fn load(
        connect: &ContextSettings,
        identity: &ContextSettings,
    ) -> Result<ConsoleClient, String> {
        let identity = ContextSettings {
            profile: identity.profile.clone().or_else(|| connect.profile.clone()),
            region: identity.region.clone().or_else(|| connect.region.clone()),
            ..identity.clone()
        };
        let config = load_config(&identity).await;
        let profile = identity
            .profile
            .clone()
            .or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()));
        ConsoleClient::from_config(&config, profile)
    }

    /// The client for a loaded config; `Err` (saying how to fix it) without a region.
    pub fn from_config(
        config: &SdkConfig,
        profile: Option<String>,
    ) -> Result<ConsoleClient, String> {
        let region = config.region().map(|r| r.to_string()).ok_or_else(|| {
            "the console API needs the IAM Identity Center home region: give --identity-region (or --region, or AWS_REGION)".to_string()
        })?;
        let endpoint = control_endpoint(&region, config.endpoint_url());
        let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_native_roots(provider)
            .map_err(|e| format!("cannot set up HTTPS for the console API: {e}"))?
            .https_or_http()
            .enable_http1()
            .build();
        let http =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build(connector);
        Ok(ConsoleClient {
            endpoint,
            region,
            credentials: config.credentials_provider(),
            profile,
            attempts: max_attempts(std::env::var("AWS_MAX_ATTEMPTS").ok().as_deref()),
            http,
        })
    }

    /// Where the requests go.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The signing region.
    pub fn region(&self) -> &str {
        &self.region
    }

    fn action(operation: &str) -> String {
        format!("sso:{operation}")
    }

    fn credentials_error(&self, message: String) -> CloudError {
        CloudError::Credentials {
            context: Context::Identity,
            profile: self.profile.clone(),
            message,
        }
    }

    /// One operation: its answer, parsed, or the error AWS answered, mapped. A throttled
    /// attempt or one AWS failed on its side is tried again, at most `AWS_MAX_ATTEMPTS` (3).
    async fn call<T: DeserializeOwned>(
        &self,
        operation: &'static str,
        input: Value,
    ) -> CloudResult<T> {
        let body = serde_json::to_vec(&input).expect("a JSON value serializes");
        let mut attempt = 1;
        loop {
            match self.attempt(operation, &body).await {
                Err(e) if attempt < self.attempts && retryable(&e) => {
                    tokio::time::sleep(Duration::from_millis(200 << attempt)).await;
                    attempt += 1;
                }
                Err(e) => return Err(e),
                Ok(bytes) => return parse_answer(operation, &bytes),
            }
        }
    }

    async fn attempt(&self, operation: &'static str, body: &[u8]) -> CloudResult<Vec<u8>> {
        let action = Self::action(operation);
        let provider = self.credentials.as_ref().ok_or_else(|| {
            self.credentials_error("no credentials provider is configured".to_string())
        })?;
        let credentials = provider
            .provide_credentials()
            .await
            .map_err(|e| self.credentials_error(error_chain(&e)))?;
        let identity: Identity = credentials.into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name(SIGNING_NAME)
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| CloudError::Invalid {
                action: action.clone(),
                message: format!("the request cannot be signed: {e}"),
            })?
            .into();
        let target = format!("{TARGET_PREFIX}.{operation}");
        let headers = [
            ("content-type", CONTENT_TYPE),
            ("x-amz-target", target.as_str()),
        ];
        let signable = SignableRequest::new(
            "POST",
            self.endpoint.as_str(),
            headers.into_iter(),
            SignableBody::Bytes(body),
        )
        .map_err(|e| CloudError::Invalid {
            action: action.clone(),
            message: format!(
                "the endpoint {} is not a valid URL ({e}): check AWS_ENDPOINT_URL",
                self.endpoint
            ),
        })?;
        let (instructions, _) = sign(signable, &params)
            .map_err(|e| CloudError::Invalid {
                action: action.clone(),
                message: format!("the request cannot be signed: {e}"),
            })?
            .into_parts();
        let mut request = hyper::Request::builder()
            .method(hyper::Method::POST)
            .uri(self.endpoint.as_str())
            .header(hyper::header::CONTENT_TYPE, CONTENT_TYPE)
            .header("x-amz-target", target.as_str())
            .body(Full::new(Bytes::copy_from_slice(body)))
            .map_err(|e| CloudError::Invalid {
                action: action.clone(),
                message: format!("the request cannot be built for {}: {e}", self.endpoint),
            })?;
        instructions.apply_to_request_http1x(&mut request);

        let exchange = async {
            let response = self
                .http
                .request(request)
                .await
                .map_err(|e| CloudError::Network {
                    action: action.clone(),
                    message: format!("{} ({})", error_chain(&e), self.endpoint),
                })?;
            let status = response.status();
            let error_type = response
                .headers()
                .get("x-amzn-errortype")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let mut body = response.into_body();
            let mut bytes = Vec::new();
            while let Some(frame) = body.frame().await {
                let frame = frame.map_err(|e| CloudError::Network {
                    action: action.clone(),
                    message: format!("the answer broke off: {e}"),
                })?;
                if let Some(chunk) = frame.data_ref() {
                    bytes.extend_from_slice(chunk);
                    if bytes.len() > MAX_ANSWER_BYTES {
                        return Err(CloudError::Service {
                            action: action.clone(),
                            code: "ResponseTooLarge".to_string(),
                            message: format!("the answer is larger than {MAX_ANSWER_BYTES} bytes"),
                        });
                    }
                }
            }
            if status.is_success() {
                Ok(bytes)
            } else {
                Err(map_error(
                    &action,
                    status.as_u16(),
                    error_type.as_deref(),
                    &bytes,
                    self.profile.as_deref(),
                ))
            }
        };
        tokio::time::timeout(ATTEMPT_TIMEOUT, exchange)
            .await
            .map_err(|_| CloudError::Timeout {
                action: action.clone(),
                message: format!(
                    "no answer from {} within {} s",
                    self.endpoint,
                    ATTEMPT_TIMEOUT.as_secs()
                ),
            })?
    }
}

fn retryable(e: &CloudError) -> bool {
    match e {
        CloudError::Throttled { .. } => true,
        CloudError::Service { code, .. } => {
            code == "InternalServerException" || code.starts_with("HTTP 5")
        }
        _ => false,
    }
}

/// An error and its sources, one after another.
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}

/// The answer of a successful call; an empty body is an empty object.
fn parse_answer<T: DeserializeOwned>(operation: &str, bytes: &[u8]) -> CloudResult<T> {
    let text = if bytes.iter().all(u8::is_ascii_whitespace) {
        &b"{}"[..]
    } else {
        bytes
    };
    serde_json::from_slice(text).map_err(|e| CloudError::Service {
        action: format!("sso:{operation}"),
        code: "UnexpectedResponse".to_string(),
        message: format!(
            "the answer is not the documented shape ({e}): {}",
            crate::domain::text::echo(&String::from_utf8_lossy(bytes))
        ),
    })
}

/// AWS's error code without its namespace (`com.amazon...#ValidationException` or
/// `ValidationException:http://...`).
fn short_code(raw: &str) -> &str {
    let code = raw.rsplit('#').next().unwrap_or(raw);
    code.split(':').next().unwrap_or(code).trim()
}

/// An error answer as a `CloudError`, with AWS's code and message.
pub(super) fn map_error(
    action: &str,
    status: u16,
    error_type: Option<&str>,
    body: &[u8],
    profile: Option<&str>,
) -> CloudError {
    let parsed: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let code = error_type
        .or_else(|| parsed.get("__type").and_then(Value::as_str))
        .or_else(|| parsed.get("code").and_then(Value::as_str))
        .map(short_code)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| format!("HTTP {status}"));
    let message = ["message", "Message", "errorMessage"]
        .iter()
        .find_map(|k| parsed.get(*k).and_then(Value::as_str))
        .map(str::to_string)
        .unwrap_or_else(|| {
            let text = String::from_utf8_lossy(body);
            let text = text.trim();
            if text.is_empty() {
                format!("HTTP {status} without a body")
            } else {
                crate::domain::text::echo(text)
            }
        });
    let action = action.to_string();
    match code.as_str() {
        "AccessDeniedException" | "AccessDenied" => CloudError::AccessDenied {
            context: Context::Identity,
            profile: profile.map(str::to_string),
            action,
            message,
        },
        "UnrecognizedClientException"
        | "InvalidSignatureException"
        | "SignatureDoesNotMatch"
        | "IncompleteSignature"
        | "MissingAuthenticationTokenException"
        | "ExpiredTokenException"
        | "ExpiredToken"
        | "InvalidClientTokenId" => CloudError::Credentials {
            context: Context::Identity,
            profile: profile.map(str::to_string),
            message: format!("{action} answered {code}: {message}"),
        },
        "ThrottlingException" | "Throttling" | "TooManyRequestsException" => {
            CloudError::Throttled { action }
        }
        "ResourceNotFoundException" | "NotFoundException" => CloudError::NotFound {
            action,
            what: "the application instance".to_string(),
            message,
        },
        "ValidationException"
        | "InvalidRequestException"
        | "SerializationException"
        | "InvalidParameterException"
        | "ConflictException" => CloudError::Invalid {
            action,
            message: format!("{code}: {message}"),
        },
        "ServiceQuotaExceededException" | "LimitExceededException" => {
            CloudError::LimitExceeded { action, message }
        }
        _ => CloudError::Service {
            action,
            code,
            message,
        },
    }
}

/// A member the model documents that the answer lacks.
fn missing(operation: &str, member: &str) -> CloudError {
    CloudError::Service {
        action: format!("sso:{operation}"),
        code: "IncompleteResponse".to_string(),
        message: format!("the answer has no {member}"),
    }
}

#[async_trait]
impl ConsoleApi for ConsoleClient {
    async fn list_application_instances(&self) -> CloudResult<Vec<ApplicationInstance>> {
        const OP: &str = "ListApplicationInstances";
        let answer: InstancesAnswer = self.call(OP, json!({})).await?;
        answer
            .application_instances
            .ok_or_else(|| missing(OP, "applicationInstances"))
    }

    async fn get_application_instance(
        &self,
        instance_id: &str,
    ) -> CloudResult<ApplicationInstance> {
        const OP: &str = "GetApplicationInstance";
        let answer: InstanceAnswer = self.call(OP, json!({ "instanceId": instance_id })).await?;
        answer
            .application_instance
            .ok_or_else(|| missing(OP, "applicationInstance"))
    }

    async fn create_application_instance(
        &self,
        template_id: &str,
        name: &str,
    ) -> CloudResult<ApplicationInstance> {
        const OP: &str = "CreateApplicationInstance";
        let answer: InstanceAnswer = self
            .call(OP, json!({ "templateId": template_id, "name": name }))
            .await?;
        let instance = answer
            .application_instance
            .ok_or_else(|| missing(OP, "applicationInstance"))?;
        if instance.instance_id.as_deref().is_none_or(str::is_empty) {
            return Err(missing(OP, "applicationInstance.instanceId"));
        }
        Ok(instance)
    }

    async fn update_application_instance_display_data(
        &self,
        instance_id: &str,
        display_name: &str,
        description: Option<&str>,
    ) -> CloudResult<()> {
        let mut input = json!({ "instanceId": instance_id, "displayName": display_name });
        if let Some(d) = description {
            input["description"] = json!(d);
        }
        self.call::<Value>("UpdateApplicationInstanceDisplayData", input)
            .await
            .map(drop)
    }

    async fn update_application_instance_status(
        &self,
        instance_id: &str,
        status: &str,
    ) -> CloudResult<()> {
        let input = json!({ "instanceId": instance_id, "status": status });
        self.call::<Value>("UpdateApplicationInstanceStatus", input)
            .await
            .map(drop)
    }

    async fn update_application_instance_service_provider_configuration(
        &self,
        instance_id: &str,
        config: &ServiceProviderConfig,
    ) -> CloudResult<()> {
        let input = json!({ "instanceId": instance_id, "serviceProviderConfig": config });
        self.call::<Value>(
            "UpdateApplicationInstanceServiceProviderConfiguration",
            input,
        )
        .await
        .map(drop)
    }

    async fn update_application_instance_response_configuration(
        &self,
        instance_id: &str,
        config: &ResponseConfig,
    ) -> CloudResult<()> {
        let input = json!({ "instanceId": instance_id, "responseConfig": config });
        self.call::<Value>("UpdateApplicationInstanceResponseConfiguration", input)
            .await
            .map(drop)
    }

    async fn update_application_instance_response_schema_configuration(
        &self,
        instance_id: &str,
        config: &ResponseSchemaConfig,
    ) -> CloudResult<()> {
        let input = json!({ "instanceId": instance_id, "responseSchemaConfig": config });
        self.call::<Value>(
            "UpdateApplicationInstanceResponseSchemaConfiguration",
            input,
        )
        .await
        .map(drop)
    }

    async fn list_application_instance_certificates(
        &self,
        instance_id: &str,
    ) -> CloudResult<Vec<Certificate>> {
        const OP: &str = "ListApplicationInstanceCertificates";
        let answer: CertificatesAnswer =
            self.call(OP, json!({ "instanceId": instance_id })).await?;
        answer
            .certificates
            .ok_or_else(|| missing(OP, "certificates"))
    }

    async fn list_profiles(&self, instance_id: &str) -> CloudResult<Vec<Profile>> {
        const OP: &str = "ListProfiles";
        let answer: ProfilesAnswer = self.call(OP, json!({ "instanceId": instance_id })).await?;
        answer
            .application_profiles
            .ok_or_else(|| missing(OP, "applicationProfiles"))
    }

    async fn delete_profile(&self, instance_id: &str, profile_id: &str) -> CloudResult<()> {
        let input = json!({ "instanceId": instance_id, "profileId": profile_id });
        self.call::<Value>("DeleteProfile", input).await.map(drop)
    }

    async fn delete_application_instance(&self, instance_id: &str) -> CloudResult<()> {
        let input = json!({ "instanceId": instance_id });
        self.call::<Value>("DeleteApplicationInstance", input)
            .await
            .map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_keep_aws_code_and_message() {
        let e = map_error(
            "sso:GetApplicationInstance",
            400,
            None,
            br#"{"__type":"com.amazonaws.swbservice#ValidationException","message":"instanceId is invalid"}"#,
            None,
        );
        assert_eq!(
            e,
            CloudError::Invalid {
                action: "sso:GetApplicationInstance".into(),
                message: "ValidationException: instanceId is invalid".into()
            }
        );
        let e = map_error(
            "sso:CreateApplicationInstance",
            400,
            Some("AccessDeniedException:http://internal.amazon.com/coral/"),
            br#"{"Message":"not authorized"}"#,
            Some("mgmt"),
        );
        assert!(
            matches!(&e, CloudError::AccessDenied { action, message, profile: Some(p), .. }
            if action == "sso:CreateApplicationInstance" && message == "not authorized" && p == "mgmt"),
            "{e:?}"
        );
        assert!(e.to_string().contains("connect-sso permissions"));
        let e = map_error(
            "sso:X",
            400,
            None,
            br#"{"__type":"UnknownOperationException"}"#,
            None,
        );
        assert!(
            matches!(&e, CloudError::Service { code, .. } if code == "UnknownOperationException"),
            "{e:?}"
        );
        let e = map_error("sso:X", 404, None, b"<html>Not here</html>", None);
        assert!(
            matches!(&e, CloudError::Service { code, message, .. } if code == "HTTP 404" && message.contains("Not here")),
            "{e:?}"
        );
        let e = map_error(
            "sso:X",
            400,
            None,
            br#"{"__type":"ThrottlingException"}"#,
            None,
        );
        assert!(retryable(&e));
        let e = map_error(
            "sso:X",
            403,
            None,
            br#"{"__type":"ExpiredTokenException","message":"expired"}"#,
            Some("p"),
        );
        assert!(e.to_string().contains("aws sso login --profile p"), "{e}");
    }

    #[test]
    fn answers_that_are_not_json_are_unexpected() {
        let e = parse_answer::<InstanceAnswer>("GetApplicationInstance", b"not json").unwrap_err();
        assert!(
            matches!(&e, CloudError::Service { code, .. } if code == "UnexpectedResponse"),
            "{e:?}"
        );
        let empty: Value = parse_answer("UpdateApplicationInstanceStatus", b"").unwrap();
        assert_eq!(empty, json!({}));
    }
}
