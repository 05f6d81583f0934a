//! Misbehaving on purpose: the faults (throttling, access denied) injected into matching
//! calls, how they are read from the command line, and the options (faults and latency) a
//! sandbox runs with.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::Serialize;

use super::account::{SANDBOX_CALLER_ARN, State};
use crate::cloud::{CloudError, Context};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// AWS answers `Throttling` / `TooManyRequestsException` (after the SDK's retries).
    Throttle,
    /// The caller's policies do not allow the action.
    AccessDenied,
}

impl FaultKind {
    /// The word `parse_fault` reads.
    pub fn label(self) -> &'static str {
        match self {
            FaultKind::Throttle => "throttle",
            FaultKind::AccessDenied => "deny",
        }
    }
}

/// An injected failure for calls whose IAM action matches `action`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Fault {
    /// An IAM action (`iam:CreateRole`), every action of a service (`iam:*`) or all (`*`).
    pub action: String,
    pub kind: FaultKind,
    /// How many matching calls fail; `None` = all of them.
    pub times: Option<u32>,
}

impl Fault {
    pub fn new(kind: FaultKind, action: &str, times: Option<u32>) -> Fault {
        Fault {
            action: action.to_string(),
            kind,
            times,
        }
    }

    pub fn matches(&self, action: &str) -> bool {
        match self.action.strip_suffix('*') {
            Some(prefix) => action.starts_with(prefix),
            None => self.action == action,
        }
    }

    fn spent(&self) -> bool {
        self.times == Some(0)
    }
}

impl fmt::Display for Fault {
    /// The form `parse_fault` reads, so a fault can be shown and given back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind.label(), self.action)?;
        match self.times {
            Some(n) => write!(f, ":{n}"),
            None => Ok(()),
        }
    }
}

impl FromStr for Fault {
    type Err = String;

    fn from_str(spec: &str) -> Result<Fault, String> {
        parse_fault(spec)
    }
}

const FAULT_FORMAT: &str = "use KIND:ACTION[:TIMES], where KIND is throttle or deny, ACTION an IAM action such as iam:CreateRole, a whole service such as iam:*, or * for every call, and TIMES how many calls fail (default: all), e.g. throttle:iam:CreateRole or deny:*:2";

/// Reads a fault from a command-line spec: `throttle:iam:CreateRole`, `deny:iam:*`,
/// `deny:*:2`.
pub fn parse_fault(spec: &str) -> Result<Fault, String> {
    let spec = spec.trim();
    let Some((kind, rest)) = spec.split_once(':') else {
        return Err(format!("fault '{spec}' has no action: {FAULT_FORMAT}"));
    };
    let kind = match kind.to_ascii_lowercase().as_str() {
        "throttle" => FaultKind::Throttle,
        "deny" => FaultKind::AccessDenied,
        _ => {
            return Err(format!(
                "fault kind '{kind}' is not throttle or deny: {FAULT_FORMAT}"
            ));
        }
    };
    let (action, times) = match rest.rsplit_once(':') {
        Some((action, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
            let n: u32 = n
                .parse()
                .map_err(|_| format!("fault count '{n}' is too large: {FAULT_FORMAT}"))?;
            if n == 0 {
                return Err(format!(
                    "fault count is 0, so the fault would never fire; use 1 or more, or leave it out for every call: {FAULT_FORMAT}"
                ));
            }
            (action, Some(n))
        }
        _ => (rest, None),
    };
    if !is_action_pattern(action) {
        return Err(format!(
            "fault action '{action}' is not an IAM action: {FAULT_FORMAT}"
        ));
    }
    Ok(Fault::new(kind, action, times))
}

fn is_action_pattern(action: &str) -> bool {
    if action == "*" {
        return true;
    }
    let Some((service, operation)) = action.split_once(':') else {
        return false;
    };
    !service.is_empty()
        && service
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && (operation == "*"
            || (!operation.is_empty() && operation.bytes().all(|b| b.is_ascii_alphanumeric())))
}

/// How the sandbox misbehaves on purpose.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SandboxOptions {
    /// Slept before every call, so spinners and cancellation can be seen.
    pub latency: Duration,
    pub faults: Vec<Fault>,
}

pub(super) fn fault_error(kind: FaultKind, action: &str, context: Context) -> CloudError {
    match kind {
        FaultKind::Throttle => CloudError::Throttled {
            action: action.to_string(),
        },
        FaultKind::AccessDenied => CloudError::AccessDenied {
            context,
            profile: None,
            action: action.to_string(),
            message: format!(
                "User: {SANDBOX_CALLER_ARN} is not authorized to perform: {action} because no identity-based policy allows the {action} action (fault injected by the sandbox)"
            ),
        },
    }
}

/// The context an action runs in, for access-denied messages.
pub(super) fn context_of(action: &str) -> Context {
    if action.starts_with("sso:") || action.starts_with("identitystore:") {
        Context::Identity
    } else {
        Context::Connect
    }
}

impl State {
    /// The first live fault for `action`, used up by one.
    pub(super) fn trip(&mut self, action: &str) -> Option<FaultKind> {
        let fault = self
            .faults
            .iter_mut()
            .find(|f| !f.spent() && f.matches(action))?;
        if let Some(n) = fault.times.as_mut() {
            *n -= 1;
        }
        Some(fault.kind)
    }
}
