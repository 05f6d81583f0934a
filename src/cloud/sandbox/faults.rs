//! Misbehaving on purpose: the faults (throttling, access denied) injected into matching
//! calls, how they are read from the command line, and the options (faults and latency) a
//! sandbox runs with.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use super::account::{SANDBOX_CALLER_ARN, State};
use crate::cloud::limits::{Limits, MaxRps};
use crate::cloud::{CloudError, Context};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// AWS answers `Throttling` / `TooManyRequestsException` (after the SDK's retries).
    Throttle,
    /// The caller's policies do not allow the action.
    AccessDenied,
    /// AWS's default request quota for the action is enforced ([`aws_quota`]): a call beyond
    /// it is answered with throttling, as AWS answers it; never used up.
    Quota,
}

impl FaultKind {
    /// The word `parse_fault` reads.
    pub fn label(self) -> &'static str {
        match self {
            FaultKind::Throttle => "throttle",
            FaultKind::AccessDenied => "deny",
            FaultKind::Quota => "quota",
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

const FAULT_FORMAT: &str = "use KIND:ACTION[:TIMES], where KIND is throttle, deny or quota (AWS's default request quotas enforced), ACTION an IAM action such as iam:CreateRole, a whole service such as iam:*, or * for every call, and TIMES how many calls fail (default: all; not for quota), e.g. throttle:iam:CreateRole, deny:*:2 or quota:*";

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
        "quota" => FaultKind::Quota,
        _ => {
            return Err(format!(
                "fault kind '{kind}' is not throttle, deny or quota: {FAULT_FORMAT}"
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
    if kind == FaultKind::Quota && times.is_some() {
        return Err(format!(
            "a quota is enforced on every call, so it takes no count: leave out :{}: {FAULT_FORMAT}",
            times.unwrap_or_default()
        ));
    }
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
        FaultKind::Throttle | FaultKind::Quota => CloudError::Throttled {
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
    /// The first live fault for `action`, used up by one; else throttling when an enforced
    /// quota has no request left for it now.
    pub(super) fn trip(&mut self, action: &str) -> Option<FaultKind> {
        let fault = self
            .faults
            .iter_mut()
            .find(|f| f.kind != FaultKind::Quota && !f.spent() && f.matches(action));
        if let Some(fault) = fault {
            if let Some(n) = fault.times.as_mut() {
                *n -= 1;
            }
            if fault.kind == FaultKind::Throttle {
                self.quotas.throttled += 1;
            }
            return Some(fault.kind);
        }
        let enforced = self
            .faults
            .iter()
            .any(|f| f.kind == FaultKind::Quota && f.matches(action));
        if enforced
            && let Some(quota) = aws_quota(action)
            && !self.quotas.take(quota, tokio::time::Instant::now())
        {
            self.quotas.throttled += 1;
            return Some(FaultKind::Quota);
        }
        None
    }
}

/// A request quota: a steady rate and a burst, shared by every action with the same key.
#[derive(Debug, Clone, PartialEq)]
pub struct Quota {
    /// The action itself, or the whole service when its quota is shared.
    pub key: String,
    pub per_second: f64,
    pub burst: f64,
}

/// AWS's default request quotas, as the sandbox enforces them: Amazon Connect 2 requests per
/// second with a burst of 5 per operation (its user operations), the identity store 20 per
/// second and IAM Identity Center 20 per second, each shared by all of its operations. Other
/// services are not limited.
pub fn aws_quota(action: &str) -> Option<Quota> {
    let (service, _) = action.split_once(':')?;
    let (key, per_second, burst) = match service {
        "connect" => (action, 2.0, 5.0),
        "identitystore" => (service, 20.0, 20.0),
        "sso" => (service, 20.0, 20.0),
        _ => return None,
    };
    Some(Quota {
        key: key.to_string(),
        per_second,
        burst,
    })
}

/// The token buckets of the enforced quotas, and how many calls were throttled.
#[derive(Debug, Default)]
pub(super) struct Quotas {
    buckets: HashMap<String, (f64, tokio::time::Instant)>,
    pub(super) throttled: u64,
    /// The client's side: the pacer and backoff every call goes through (see
    /// [`crate::cloud::limits`]), as the SDK adapter sends requests. Made with AWS's
    /// defaults once a quota is enforced, or set with [`Sandbox::set_max_rps`]; without
    /// either, calls are neither paced nor retried, so an injected fault fails at once.
    ///
    /// [`Sandbox::set_max_rps`]: super::Sandbox::set_max_rps
    pub(super) client: Option<Arc<Limits>>,
    /// Calls reach the quotas as they come, neither paced nor retried: to see AWS's side
    /// of the quotas alone ([`Sandbox::bypass_client_limits`]).
    ///
    /// [`Sandbox::bypass_client_limits`]: super::Sandbox::bypass_client_limits
    pub(super) bypass_client: bool,
}

impl State {
    /// The pacer and backoff calls go through, if any (see [`Quotas::client`]).
    pub(super) fn client_limits(&mut self) -> Option<Arc<Limits>> {
        if self.quotas.bypass_client {
            return None;
        }
        if self.quotas.client.is_none() && self.faults.iter().any(|f| f.kind == FaultKind::Quota) {
            self.quotas.client = Some(Arc::new(Limits::default()));
        }
        self.quotas.client.clone()
    }
}

impl Quotas {
    /// Takes one request from the quota's bucket, if one is left at `now`.
    fn take(&mut self, quota: Quota, now: tokio::time::Instant) -> bool {
        let (tokens, at) = self.buckets.entry(quota.key).or_insert((quota.burst, now));
        let refill = now.saturating_duration_since(*at).as_secs_f64() * quota.per_second;
        *tokens = (*tokens + refill).min(quota.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

impl super::Sandbox {
    /// How many calls so far were answered with throttling (injected or by a quota).
    pub fn throttled_calls(&self) -> u64 {
        self.lock().quotas.throttled
    }

    /// Calls go through a pacer at these rates (AWS's defaults for the services not named)
    /// and are retried with backoff when throttled, as on AWS with `--max-rps`.
    pub fn set_max_rps(&self, max_rps: &MaxRps) {
        self.use_limits(Arc::new(Limits::new(max_rps)));
    }

    /// Calls go through `limits` (shared with whoever else holds it).
    pub fn use_limits(&self, limits: Arc<Limits>) {
        self.lock().quotas.client = Some(limits);
    }

    /// Calls reach the enforced quotas as they come, neither paced nor retried: a caller
    /// without connect-sso's pacer, to see the quotas throttle it.
    pub fn bypass_client_limits(&self) {
        self.lock().quotas.bypass_client = true;
    }

    /// The pacer and backoff calls go through, if any.
    pub fn client_limits(&self) -> Option<Arc<Limits>> {
        self.lock().client_limits()
    }
}
