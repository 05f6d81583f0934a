//! Failures as AWS words them, shared by every service of the sandbox.

use crate::cloud::CloudError;

pub(super) fn invalid(action: &str, message: impl Into<String>) -> CloudError {
    CloudError::Invalid {
        action: action.to_string(),
        message: message.into(),
    }
}

pub(super) fn malformed(action: &str, message: &str) -> CloudError {
    invalid(action, format!("MalformedPolicyDocument: {message}"))
}

pub(super) fn not_found(action: &str, what: &str, message: &str) -> CloudError {
    CloudError::NotFound {
        action: action.to_string(),
        what: what.to_string(),
        message: message.to_string(),
    }
}

pub(super) fn already_exists(action: &str, what: &str, message: &str) -> CloudError {
    CloudError::AlreadyExists {
        action: action.to_string(),
        what: what.to_string(),
        message: message.to_string(),
    }
}

pub(super) fn limit_exceeded(action: &str, message: &str) -> CloudError {
    CloudError::LimitExceeded {
        action: action.to_string(),
        message: message.to_string(),
    }
}

pub(super) fn delete_conflict(action: &str, what: &str, message: &str) -> CloudError {
    CloudError::DeleteConflict {
        action: action.to_string(),
        what: what.to_string(),
        message: message.to_string(),
    }
}

pub(super) fn validation_error(value: &str, field: &str, constraint: &str) -> String {
    format!(
        "1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: Member {constraint}"
    )
}
