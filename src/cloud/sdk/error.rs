//! One mapping from the SDK's errors, of any of the five services, to `CloudError`.
//!
//! Service errors are classified by their wire code (`ProvideErrorMetadata::code`), which is
//! what the five services share: the generated error enums differ per operation. The codes
//! are compared without a trailing `Exception`, because the query protocol (IAM, STS) says
//! `AccessDenied` where the JSON protocols say `AccessDeniedException`.

use std::error::Error;

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};

use crate::cloud::{CloudError, Context};

/// What was being done when an error happened: enough to say who may not do what.
#[derive(Debug, Clone)]
pub(crate) struct Call<'a> {
    pub context: Context,
    pub profile: Option<&'a str>,
    /// The IAM action name, e.g. `iam:CreateRole`, `sso:ListApplications`.
    pub action: &'static str,
    /// The resource, for "already exists" and "does not exist", e.g. `role connect-sso`.
    pub what: String,
}

const ACCESS_DENIED: &[&str] = &["AccessDenied", "UnauthorizedOperation"];
const CREDENTIALS: &[&str] = &[
    "ExpiredToken",
    "InvalidClientTokenId",
    "UnrecognizedClient",
    "SignatureDoesNotMatch",
    "InvalidSignature",
    "MissingAuthenticationToken",
    "IncompleteSignature",
];
const THROTTLED: &[&str] = &["Throttling", "TooManyRequests", "RequestLimitExceeded"];
const ALREADY_EXISTS: &[&str] = &["EntityAlreadyExists", "Conflict", "DuplicateResource"];
const NOT_FOUND: &[&str] = &["NoSuchEntity", "ResourceNotFound"];
const INVALID: &[&str] = &[
    "MalformedPolicyDocument",
    "InvalidInput",
    "Validation",
    "InvalidParameter",
    "InvalidRequest",
];
/// IAM's "still in use"; on `iam:DeletePolicyVersion` it means the version is the default,
/// which no state of the account allows deleting, so there it is `Invalid`.
const DELETE_CONFLICT: &str = "DeleteConflict";
const LIMIT_EXCEEDED: &[&str] = &["LimitExceeded", "ServiceQuotaExceeded"];

/// Maps any SDK error to the `CloudError` that tells the user what to do.
pub(crate) fn map_error<E>(err: SdkError<E>, call: &Call<'_>) -> CloudError
where
    E: ProvideErrorMetadata + Error + Send + Sync + 'static,
{
    let action = call.action.to_string();
    match &err {
        SdkError::ServiceError(service) => {
            let modeled = service.err();
            let code = modeled.code().unwrap_or("Unknown").to_string();
            // Modeled errors built without metadata still say their message in Display.
            let message = modeled
                .message()
                .map(str::to_string)
                .unwrap_or_else(|| modeled.to_string());
            from_code(code, message, call)
        }
        SdkError::TimeoutError(_) => CloudError::Timeout {
            action,
            message: error_chain(&err),
        },
        SdkError::DispatchFailure(failure) => {
            if let Some(credentials) = find_credentials_error(&err) {
                CloudError::Credentials {
                    context: call.context,
                    profile: call.profile.map(str::to_string),
                    message: error_chain(credentials),
                }
            } else if failure.is_timeout() {
                CloudError::Timeout {
                    action,
                    message: error_chain(&err),
                }
            } else {
                CloudError::Network {
                    action,
                    message: error_chain(&err),
                }
            }
        }
        // The request could not be built: a value this tool passed is not acceptable.
        SdkError::ConstructionFailure(_) => CloudError::Invalid {
            action,
            message: error_chain(&err),
        },
        // A response that could not be read (e.g. a proxy's HTML page): an AWS-side problem.
        SdkError::ResponseError(_) => CloudError::Service {
            action,
            code: "UnreadableResponse".to_string(),
            message: error_chain(&err),
        },
        _ => CloudError::Service {
            action,
            code: "Unknown".to_string(),
            message: error_chain(&err),
        },
    }
}

/// Whether AWS answered with throttling (a service error with a throttling code, or HTTP
/// 429 however it is worded): the request may be sent again after a backoff.
pub(crate) fn is_throttling<E>(err: &SdkError<E>) -> bool
where
    E: ProvideErrorMetadata,
{
    match err {
        SdkError::ServiceError(service) => {
            let code = service.err().code().unwrap_or_default();
            let base = code.strip_suffix("Exception").unwrap_or(code);
            THROTTLED.contains(&base) || service.raw().status().as_u16() == 429
        }
        _ => false,
    }
}

/// Classifies a service error code (with or without its `Exception` suffix).
pub(crate) fn from_code(code: String, message: String, call: &Call<'_>) -> CloudError {
    let base = code.strip_suffix("Exception").unwrap_or(&code);
    let action = call.action.to_string();
    let is = |codes: &[&str]| codes.contains(&base);
    if is(ACCESS_DENIED) {
        CloudError::AccessDenied {
            context: call.context,
            profile: call.profile.map(str::to_string),
            action,
            message,
        }
    } else if is(CREDENTIALS) {
        CloudError::Credentials {
            context: call.context,
            profile: call.profile.map(str::to_string),
            message: if message.is_empty() { code } else { message },
        }
    } else if is(THROTTLED) {
        CloudError::Throttled { action }
    } else if is(ALREADY_EXISTS) {
        CloudError::AlreadyExists {
            action,
            what: call.what.clone(),
            message,
        }
    } else if is(NOT_FOUND) {
        CloudError::NotFound {
            action,
            what: call.what.clone(),
            message,
        }
    } else if base == DELETE_CONFLICT && call.action != "iam:DeletePolicyVersion" {
        CloudError::DeleteConflict {
            action,
            what: call.what.clone(),
            message,
        }
    } else if is(INVALID) || base == DELETE_CONFLICT {
        CloudError::Invalid { action, message }
    } else if is(LIMIT_EXCEEDED) {
        CloudError::LimitExceeded { action, message }
    } else {
        CloudError::Service {
            action,
            code,
            message,
        }
    }
}

/// The credentials provider's error, when identity resolution is what failed: the
/// orchestrator reports it as a dispatch failure wrapping a `CredentialsError`.
fn find_credentials_error<'a>(err: &'a (dyn Error + 'static)) -> Option<&'a (dyn Error + 'static)> {
    let mut current = Some(err);
    while let Some(e) = current {
        if e.downcast_ref::<CredentialsError>().is_some() {
            return Some(e);
        }
        current = e.source();
    }
    None
}

/// The messages of an error and its sources, without repeating a source its parent
/// already quotes.
pub(crate) fn error_chain(err: &(dyn Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut current = err.source();
    while let Some(e) = current {
        let text = e.to_string();
        if !text.is_empty() && !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        current = e.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_iam::error::{BoxError, ConnectorError};
    use aws_sdk_iam::operation::create_role::CreateRoleError;

    fn call(context: Context, action: &'static str) -> Call<'static> {
        Call {
            context,
            profile: Some("admin"),
            action,
            what: "role connect-sso".to_string(),
        }
    }

    fn classify(code: &str) -> CloudError {
        from_code(
            code.to_string(),
            "the message".to_string(),
            &call(Context::Connect, "iam:CreateRole"),
        )
    }

    #[test]
    fn access_denied_codes_of_every_protocol() {
        for code in [
            "AccessDenied",
            "AccessDeniedException",
            "UnauthorizedOperation",
        ] {
            let err = classify(code);
            assert!(
                matches!(&err, CloudError::AccessDenied { action, profile, context: Context::Connect, .. }
                    if action == "iam:CreateRole" && profile.as_deref() == Some("admin")),
                "{code}: {err:?}"
            );
            let text = err.to_string();
            assert!(text.contains("iam:CreateRole"), "{text}");
            assert!(text.contains("connect context"), "{text}");
            assert!(text.contains("profile admin"), "{text}");
        }
    }

    #[test]
    fn credential_codes() {
        for code in [
            "ExpiredToken",
            "ExpiredTokenException",
            "InvalidClientTokenId",
            "UnrecognizedClientException",
            "SignatureDoesNotMatch",
        ] {
            let err = classify(code);
            assert!(
                matches!(&err, CloudError::Credentials { message, .. } if message == "the message"),
                "{code}: {err:?}"
            );
            assert!(err.to_string().contains("aws sso login --profile admin"));
        }
    }

    #[test]
    fn the_other_families() {
        for (code, family) in [
            ("Throttling", "Throttled"),
            ("ThrottlingException", "Throttled"),
            ("TooManyRequestsException", "Throttled"),
            ("EntityAlreadyExists", "AlreadyExists"),
            ("ConflictException", "AlreadyExists"),
            ("DuplicateResourceException", "AlreadyExists"),
            ("NoSuchEntity", "NotFound"),
            ("ResourceNotFoundException", "NotFound"),
            ("MalformedPolicyDocument", "Invalid"),
            ("InvalidInput", "Invalid"),
            ("ValidationException", "Invalid"),
            ("InvalidParameterException", "Invalid"),
            ("InvalidRequestException", "Invalid"),
            ("DeleteConflict", "DeleteConflict"),
            ("DeleteConflictException", "DeleteConflict"),
            ("LimitExceeded", "LimitExceeded"),
            ("LimitExceededException", "LimitExceeded"),
            ("ServiceQuotaExceededException", "LimitExceeded"),
            ("ServiceFailure", "Service"),
            ("InternalServerException", "Service"),
        ] {
            let err = classify(code);
            let got = format!("{err:?}");
            assert!(got.starts_with(family), "{code}: {got}");
            assert!(err.to_string().contains("iam:CreateRole"), "{code}: {err}");
        }
    }

    #[test]
    fn already_exists_and_not_found_name_the_resource() {
        let err = classify("EntityAlreadyExists");
        assert_eq!(
            err,
            CloudError::AlreadyExists {
                action: "iam:CreateRole".to_string(),
                what: "role connect-sso".to_string(),
                message: "the message".to_string(),
            }
        );
        assert!(err.to_string().contains("role connect-sso already exists"));
    }

    #[test]
    fn delete_conflicts_say_what_to_remove_first() {
        let on = |action: &'static str| {
            from_code(
                "DeleteConflict".to_string(),
                "Cannot delete entity, must detach all policies first.".to_string(),
                &call(Context::Connect, action),
            )
        };
        let role = on("iam:DeleteRole");
        assert!(
            matches!(role, CloudError::DeleteConflict { .. }),
            "{role:?}"
        );
        let text = role.to_string();
        assert!(text.contains("iam:DeleteRole"), "{text}");
        assert!(text.contains("must detach all policies first"), "{text}");
        assert!(text.contains("Detach its managed policies"), "{text}");
        let policy = on("iam:DeletePolicy").to_string();
        assert!(policy.contains("Entities attached"), "{policy}");
        // The default version can never be deleted: the request is what is wrong.
        assert!(matches!(
            on("iam:DeletePolicyVersion"),
            CloudError::Invalid { .. }
        ));
    }

    #[test]
    fn unknown_codes_keep_the_code() {
        assert_eq!(
            classify("ServiceFailure"),
            CloudError::Service {
                action: "iam:CreateRole".to_string(),
                code: "ServiceFailure".to_string(),
                message: "the message".to_string(),
            }
        );
    }

    #[test]
    fn dispatch_failure_from_credentials_is_a_credentials_error() {
        let source: BoxError = Box::new(CredentialsError::not_loaded(
            "the SSO session has expired or is invalid",
        ));
        let err: SdkError<CreateRoleError> =
            SdkError::dispatch_failure(ConnectorError::other(source, None));
        let mapped = map_error(err, &call(Context::Identity, "iam:CreateRole"));
        match &mapped {
            CloudError::Credentials {
                context,
                profile,
                message,
            } => {
                assert_eq!(*context, Context::Identity);
                assert_eq!(profile.as_deref(), Some("admin"));
                assert!(message.contains("SSO session has expired"), "{message}");
            }
            other => panic!("expected Credentials, got {other:?}"),
        }
        assert!(mapped.to_string().contains("identity context"));
    }

    #[test]
    fn other_dispatch_failures_are_network_or_timeout() {
        let io: BoxError = Box::new(std::io::Error::new(
            std::io::ErrorKind::ConnectionRefused,
            "connection refused",
        ));
        let err: SdkError<CreateRoleError> = SdkError::dispatch_failure(ConnectorError::io(io));
        let mapped = map_error(err, &call(Context::Connect, "iam:CreateRole"));
        assert!(
            matches!(&mapped, CloudError::Network { action, message } if action == "iam:CreateRole" && message.contains("connection refused")),
            "{mapped:?}"
        );

        let slow: BoxError = "connect timed out".into();
        let err: SdkError<CreateRoleError> =
            SdkError::dispatch_failure(ConnectorError::timeout(slow));
        let mapped = map_error(err, &call(Context::Connect, "iam:CreateRole"));
        assert!(matches!(&mapped, CloudError::Timeout { .. }), "{mapped:?}");
    }

    #[test]
    fn timeout_errors_are_timeouts() {
        let source: BoxError =
            "operation timeout (all attempts including retries) occurred after 30s".into();
        let err: SdkError<CreateRoleError> = SdkError::timeout_error(source);
        let mapped = map_error(err, &call(Context::Connect, "sts:GetCallerIdentity"));
        assert!(
            matches!(&mapped, CloudError::Timeout { action, .. } if action == "sts:GetCallerIdentity"),
            "{mapped:?}"
        );
        assert!(mapped.to_string().contains("sts:GetCallerIdentity"));
    }

    #[test]
    fn construction_failures_are_invalid() {
        let source: BoxError = "role_name was not specified".into();
        let err: SdkError<CreateRoleError> = SdkError::construction_failure(source);
        let mapped = map_error(err, &call(Context::Connect, "iam:CreateRole"));
        assert!(
            matches!(&mapped, CloudError::Invalid { message, .. } if message.contains("role_name")),
            "{mapped:?}"
        );
    }

    #[test]
    fn error_chain_skips_repeated_sources() {
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl std::fmt::Display for Outer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "outer: {}", self.0)
            }
        }
        impl Error for Outer {
            fn source(&self) -> Option<&(dyn Error + 'static)> {
                Some(&self.0)
            }
        }
        let err = Outer(std::io::Error::other("inner"));
        assert_eq!(error_chain(&err), "outer: inner");
    }
}
