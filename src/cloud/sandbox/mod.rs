//! An in-memory AWS account for `--sandbox`, tests and workshops whose attendees have no AWS
//! account. Every [`Cloud`](super::Cloud) operation behaves as AWS documents it: the same
//! validation, the same errors, ARNs and version ids formed the same way, the same limits.
//! The account is seeded with one IAM Identity Center instance, sample users and groups, and
//! two Connect instances; IAM starts empty. Optional latency and injected faults
//! (throttling, access denied) rehearse the unhappy paths, and every call is recorded.
//!
//! The custom SAML application has no API (see DESIGN.md), so the console step that creates
//! it is a simulation method, [`Sandbox::simulate_create_application`], not a trait call.
//!
//! The account can be kept in a file between runs ([`Sandbox::load_or_seed`],
//! [`Sandbox::save`]): everything it holds, but not the recorded calls, their timings, the
//! faults or the latency, which belong to one run.
//!
//! One file per AWS service the sandbox stands in for (`sts`, `identity_center`, `connect`,
//! `iam`, with IAM's validation rules in `iam_rules`), over one shared account model
//! (`account`); `saml_issue` is Identity Center's signing side (its key, its metadata, the
//! responses it issues); `persist` keeps the account in a file, `faults` holds the injected faults
//! and latency, and `errors` words failures as AWS does. This file holds the [`Sandbox`]
//! itself: what every call does first, the recorded calls, the snapshots and the
//! simulations of console steps.

mod account;
mod app_config;
mod connect;
mod console;
mod console_page;
mod errors;
mod faults;
mod iam;
mod iam_rules;
mod identity_center;
mod persist;
mod saml_issue;
mod scenarios;
mod sts;
#[cfg(test)]
mod tests;

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{
    Application, ApplicationAssignment, AttachedPolicy, CUSTOM_SAML_PROVIDER, CloudResult,
    ConnectInstanceSummary, ConnectUser, Context, ManagedPolicy, PolicyVersion, Role, SamlProvider,
};
use account::{State, hex};
use faults::fault_error;
use iam::version_of;
use iam_rules::{DocumentKind, check_document, check_policy_name, check_role_name};

pub use account::{
    SANDBOX_ACCOUNT, SANDBOX_AGENT_SECURITY_PROFILE_ID, SANDBOX_CALLER_ARN, SANDBOX_CALLER_USER_ID,
    SANDBOX_EXISTING_CONNECT_USER_ID, SANDBOX_EXISTING_CONNECT_USERNAME, SANDBOX_GROUPS,
    SANDBOX_IDC_INSTANCE_ARN, SANDBOX_IDENTITY_STORE_ID, SANDBOX_INSTANCE_ALIAS,
    SANDBOX_INSTANCE_ARN, SANDBOX_INSTANCE_ID, SANDBOX_LEGACY_INSTANCE_ALIAS,
    SANDBOX_LEGACY_INSTANCE_ARN, SANDBOX_LEGACY_INSTANCE_ID, SANDBOX_METADATA, SANDBOX_REGION,
    SANDBOX_ROUTING_PROFILE_ID, SANDBOX_ROUTING_PROFILE_NAME, SANDBOX_SECURITY_PROFILES,
    SANDBOX_USERS, SEEDED_GROUP_SIZE, SampleGroup, SampleUser, SeededPeople,
};
pub use app_config::{
    ApplicationConfig, ConfiguredApplication, DEFAULT_SESSION_DURATION, DEFAULT_SUBJECT,
    DEFAULT_SUBJECT_FORMAT, Mapping, arn_of_instance, instance_id_of,
};
pub use console::{metadata_url_of, sandbox_fetch};
pub use console_page::{CONSOLE_PAGE_STEPS, ConsolePage};
pub use faults::{Fault, FaultKind, SandboxOptions, parse_fault};
pub use persist::{account_path, lock_path};
pub use saml_issue::{
    IssueError, IssuedResponse, RESPONSE_VALIDITY_MINUTES, SANDBOX_IDC_ENTITY_ID,
    SESSION_DURATION_SECONDS,
};
pub use scenarios::{
    Breakage, SCENARIO_LIST, SCENARIO_REVEAL, SCENARIOS, Scenario, check_scenario_name,
    render_list, render_reveal, scenario, scenario_account_path, scenario_dir, scenario_setup,
};

// ---------------------------------------------------------------------------------------------
// Read-only views for tests

/// Everything the sandbox holds that the wizard can change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Snapshot {
    pub saml_providers: Vec<SamlProvider>,
    pub policies: Vec<PolicySnapshot>,
    pub roles: Vec<RoleSnapshot>,
    pub applications: Vec<ApplicationSnapshot>,
    pub connect_instances: Vec<InstanceSnapshot>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicySnapshot {
    pub policy: ManagedPolicy,
    /// Oldest first.
    pub versions: Vec<StoredVersion>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredVersion {
    pub version: PolicyVersion,
    pub document: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoleSnapshot {
    /// With its tags (which ListRoles does not return).
    pub role: Role,
    pub attached_policies: Vec<AttachedPolicy>,
    pub inline_policies: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationSnapshot {
    pub application: Application,
    pub assignments: Vec<ApplicationAssignment>,
    /// What its console page holds beyond name and status (see [`ApplicationConfig`]).
    #[serde(default = "app_config::saved_before_configurations")]
    pub config: ApplicationConfig,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstanceSnapshot {
    pub instance: ConnectInstanceSummary,
    pub users: Vec<ConnectUser>,
}

/// When one call ran, on tokio's clock (which tests can pause and advance).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallTiming {
    pub action: String,
    pub start: tokio::time::Instant,
    pub end: tokio::time::Instant,
}

/// The longest sequence of calls each of which started only after the previous one ended:
/// the number of round trips a run cannot avoid, however concurrent the rest is.
pub fn longest_chain(timings: &[CallTiming]) -> usize {
    let mut sorted: Vec<&CallTiming> = timings.iter().collect();
    sorted.sort_by_key(|t| t.end);
    // depth[i]: the longest chain ending with call i.
    let mut depth: Vec<usize> = Vec::with_capacity(sorted.len());
    for (i, t) in sorted.iter().enumerate() {
        let before = (0..i)
            .filter(|&j| sorted[j].end <= t.start)
            .map(|j| depth[j])
            .max()
            .unwrap_or(0);
        depth.push(before + 1);
    }
    depth.into_iter().max().unwrap_or(0)
}

/// An in-memory AWS account; see the module documentation.
#[derive(Debug)]
pub struct Sandbox {
    latency: Duration,
    /// Never held across an await.
    state: Mutex<State>,
    /// The file the account is kept in between runs; `None` in memory only.
    file: Option<PathBuf>,
    /// The lock beside that file, held while this account may change it (see `persist`).
    lock: Option<crate::files::FileLock>,
}

impl Default for Sandbox {
    fn default() -> Sandbox {
        Sandbox::new()
    }
}

impl Sandbox {
    /// The seeded account, answering at once and never failing on purpose.
    pub fn new() -> Sandbox {
        Sandbox::with_options(SandboxOptions::default())
    }

    pub fn with_options(options: SandboxOptions) -> Sandbox {
        Sandbox {
            latency: options.latency,
            state: Mutex::new(State::seeded(options.faults)),
            file: None,
            lock: None,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A test that panicked while holding the lock leaves consistent state behind (every
        // write is a single push or assignment), so keep serving instead of cascading panics.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// What every trait call (every page of a listing) does first: through the client's
    /// pacer and backoff when there is one (see [`Sandbox::client_limits`]), as the SDK
    /// adapter sends its requests, then [`Sandbox::answer`].
    async fn enter(&self, action: &str, context: Context) -> CloudResult<()> {
        let client = self.lock().client_limits();
        match client {
            Some(limits) => {
                limits
                    .send(
                        action,
                        || self.answer(action, context),
                        |e| matches!(e, super::CloudError::Throttled { .. }),
                    )
                    .await
            }
            None => self.answer(action, context).await,
        }
    }

    /// One request as AWS takes it: wait, record, then fail if a fault says so.
    async fn answer(&self, action: &str, context: Context) -> CloudResult<()> {
        let start = tokio::time::Instant::now();
        if !self.latency.is_zero() {
            tokio::time::sleep(self.latency).await;
        }
        let mut state = self.lock();
        state.calls.push(action.to_string());
        state.timings.push(CallTiming {
            action: action.to_string(),
            start,
            end: tokio::time::Instant::now(),
        });
        match state.trip(action) {
            Some(kind) => Err(fault_error(kind, action, context)),
            None => Ok(()),
        }
    }

    /// The IAM action of every trait call so far, in order, including those that failed.
    pub fn calls(&self) -> Vec<String> {
        self.lock().calls.clone()
    }

    /// When each call so far started and ended.
    pub fn call_timings(&self) -> Vec<CallTiming> {
        self.lock().timings.clone()
    }

    pub fn clear_calls(&self) {
        let mut state = self.lock();
        state.calls.clear();
        state.timings.clear();
    }

    /// Adds a fault; it applies to calls from now on.
    pub fn inject_fault(&self, fault: Fault) {
        self.lock().faults.push(fault);
    }

    pub fn clear_faults(&self) {
        self.lock().faults.clear();
    }

    /// Everything the wizard can change, read without recording a call.
    pub fn snapshot(&self) -> Snapshot {
        let state = self.lock();
        Snapshot {
            saml_providers: state.providers.clone(),
            policies: state
                .policies
                .iter()
                .map(|p| PolicySnapshot {
                    policy: p.policy.clone(),
                    versions: p
                        .versions
                        .iter()
                        .map(|v| StoredVersion {
                            version: version_of(p, v),
                            document: v.document.clone(),
                        })
                        .collect(),
                })
                .collect(),
            roles: state
                .roles
                .iter()
                .map(|r| RoleSnapshot {
                    role: r.role.clone(),
                    attached_policies: r.attached.clone(),
                    inline_policies: r.inline.iter().map(|(n, _)| n.clone()).collect(),
                })
                .collect(),
            applications: state.applications.clone(),
            connect_instances: state
                .instances
                .iter()
                .map(|i| InstanceSnapshot {
                    instance: i.summary.clone(),
                    users: i.users.clone(),
                })
                .collect(),
        }
    }

    /// Step 1 done by hand in the IAM Identity Center console: adds a custom SAML 2.0
    /// application with this display name and returns its ARN. Not recorded in [`calls`]
    /// (it is not an API call), and like the console it allows duplicate display names.
    ///
    /// [`calls`]: Sandbox::calls
    pub fn simulate_create_application(&self, name: &str) -> String {
        let mut state = self.lock();
        let id = hex(&state.fresh(&format!("application/{name}"))[..8]);
        let instance_id = SANDBOX_IDC_INSTANCE_ARN
            .rsplit('/')
            .next()
            .unwrap_or_default();
        let arn = format!("arn:aws:sso::{SANDBOX_ACCOUNT}:application/{instance_id}/apl-{id}");
        state.applications.push(ApplicationSnapshot {
            application: Application {
                arn: arn.clone(),
                name: name.to_string(),
                provider_arn: CUSTOM_SAML_PROVIDER.to_string(),
                status: Some("ENABLED".to_string()),
            },
            assignments: Vec::new(),
            config: ApplicationConfig::default(),
        });
        arn
    }

    /// Step 1 as the wizard stands in for it: the custom SAML 2.0 application with this
    /// display name, added only when none has it yet, so pressing "done" twice never makes a
    /// duplicate. Returns its ARN and whether it was added. The later console steps are the
    /// attendee's, typed into the wizard's forms for their pages ([`ConsolePage`]): until
    /// then the application has no ACS URL, audience, relay state or mappings.
    pub fn simulate_ensure_application(&self, name: &str) -> (String, bool) {
        let existing = self.lock().applications.iter().find_map(|a| {
            (a.application.provider_arn == CUSTOM_SAML_PROVIDER && a.application.name == name)
                .then(|| a.application.arn.clone())
        });
        match existing {
            Some(arn) => (arn, false),
            None => {
                let arn = self.simulate_create_application(name);
                (arn, true)
            }
        }
    }

    /// An inline policy added outside the tool (`iam:PutRolePolicy`), so the check that
    /// warns about extra permissions has something to find. Not recorded in `calls`.
    pub fn simulate_put_role_policy(
        &self,
        role_name: &str,
        policy_name: &str,
        document: &Value,
    ) -> CloudResult<()> {
        const ACTION: &str = "iam:PutRolePolicy";
        check_role_name(ACTION, role_name)?;
        check_policy_name(ACTION, policy_name)?;
        let mut state = self.lock();
        check_document(
            ACTION,
            document,
            DocumentKind::Permissions,
            &state.providers,
        )?;
        let i = state.role_or_not_found(ACTION, role_name)?;
        let inline = &mut state.roles[i].inline;
        // PutRolePolicy replaces a policy of the same name.
        match inline.iter_mut().find(|(n, _)| n == policy_name) {
            Some(existing) => existing.1 = document.clone(),
            None => inline.push((policy_name.to_string(), document.clone())),
        }
        Ok(())
    }
}
