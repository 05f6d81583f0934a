//! An in-memory AWS account for `--sandbox`, tests and workshops whose attendees have no AWS
//! account. Every [`Cloud`] operation behaves as AWS documents it: the same validation, the
//! same errors, ARNs and version ids formed the same way, the same limits. The account is
//! seeded with one IAM Identity Center instance, sample users and groups, and two Connect
//! instances; IAM starts empty. Optional latency and injected faults (throttling, access
//! denied) rehearse the unhappy paths, and every call is recorded.
//!
//! The custom SAML application has no API (see DESIGN.md), so the console step that creates
//! it is a simulation method, [`Sandbox::simulate_create_application`], not a trait call.
//!
//! The account can be kept in a file between runs ([`Sandbox::load_or_seed`],
//! [`Sandbox::save`]): everything it holds, but not the recorded calls, their timings, the
//! faults or the latency, which belong to one run.

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use sha2::{Digest as _, Sha256};

use super::{
    Application, ApplicationAssignment, AttachedPolicy, CUSTOM_SAML_PROVIDER, CallerIdentity,
    Cloud, CloudError, CloudResult, ConnectInstanceSummary, ConnectUser, Context, IdcInstance,
    IdcUser, MAX_GROUP_IDS_PER_CALL, ManagedPolicy, NamedId, NewConnectUser, PolicyEntities,
    PolicyVersion, Role, SamlProvider, Tag,
};
use crate::domain::metadata;
use crate::session::{self, Loaded};

/// The sandbox account; both contexts (identity and connect) are this one account.
/// The SAML metadata the sandbox's Identity Center hands out for its applications.
pub const SANDBOX_METADATA: &str = include_str!("../../assets/sandbox-idc-metadata.xml");
pub const SANDBOX_ACCOUNT: &str = "111122223333";
pub const SANDBOX_REGION: &str = "us-east-1";
pub const SANDBOX_CALLER_ARN: &str =
    "arn:aws:sts::111122223333:assumed-role/WorkshopAdmin/attendee";
/// `RoleId:SessionName`, as STS reports an assumed role.
pub const SANDBOX_CALLER_USER_ID: &str = "AROARZ5WORKSHOPADMIN1:attendee";
pub const SANDBOX_IDC_INSTANCE_ARN: &str = "arn:aws:sso:::instance/ssoins-7223a1b2c3d4e5f6";
pub const SANDBOX_IDENTITY_STORE_ID: &str = "d-9067c0ffee";

/// The Connect instance that uses SAML: the one the wizard sets up.
pub const SANDBOX_INSTANCE_ID: &str = "5f8c2a4e-1b3d-4c6e-9a7b-2d4f6e8a0c1b";
pub const SANDBOX_INSTANCE_ALIAS: &str = "workshop-contact-center";
pub const SANDBOX_INSTANCE_ARN: &str =
    "arn:aws:connect:us-east-1:111122223333:instance/5f8c2a4e-1b3d-4c6e-9a7b-2d4f6e8a0c1b";
/// A Connect instance that manages its own users, to demonstrate the "not SAML" stop.
pub const SANDBOX_LEGACY_INSTANCE_ID: &str = "a3e1c7d9-6b2f-4e8a-8c0d-9f1b3e5d7a2c";
pub const SANDBOX_LEGACY_INSTANCE_ALIAS: &str = "legacy-directory";
pub const SANDBOX_LEGACY_INSTANCE_ARN: &str =
    "arn:aws:connect:us-east-1:111122223333:instance/a3e1c7d9-6b2f-4e8a-8c0d-9f1b3e5d7a2c";

/// Security profiles of the SAML instance, `(name, id)`.
pub const SANDBOX_SECURITY_PROFILES: [(&str, &str); 4] = [
    ("Admin", "0b6f3a2e-8d41-4c97-a5e2-3f9d1c7b4e60"),
    ("Agent", "1c7a4b3f-9e52-4da8-b6f3-4a0e2d8c5f71"),
    ("CallCenterManager", "2d8b5c40-af63-4eb9-87a4-5b1f3e9d6a82"),
    ("QualityAnalyst", "3e9c6d51-b074-4fca-98b5-6c2a4f0e7b93"),
];
pub const SANDBOX_AGENT_SECURITY_PROFILE_ID: &str = "1c7a4b3f-9e52-4da8-b6f3-4a0e2d8c5f71";
pub const SANDBOX_ROUTING_PROFILE_NAME: &str = "Basic Routing Profile";
pub const SANDBOX_ROUTING_PROFILE_ID: &str = "4fad7e62-c185-40db-a9c6-7d3b5a1f8ca4";

/// The Connect user that exists before the wizard runs, so "user exists" has a hit.
pub const SANDBOX_EXISTING_CONNECT_USERNAME: &str = "maria.garcia@example.com";
pub const SANDBOX_EXISTING_CONNECT_USER_ID: &str = "7d2b9e41-3c5a-4f6e-8b1d-0a9c8e7f6d5e";

/// A seeded IAM Identity Center user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SampleUser {
    pub user_id: &'static str,
    pub user_name: &'static str,
    pub given_name: &'static str,
    pub family_name: &'static str,
    pub email: &'static str,
}

/// The identity store's users. Most user names are the email; `akhan` is not, and Li Wei's
/// email is mixed-case, because Connect user names are case-sensitive and must equal the
/// email IdC sends as RoleSessionName.
pub const SANDBOX_USERS: [SampleUser; 6] = [
    SampleUser {
        user_id: "9067c0ffee-0a1b2c3d-4e5f-4a6b-8c7d-1e2f3a4b5c01",
        user_name: "maria.garcia@example.com",
        given_name: "Maria",
        family_name: "Garcia",
        email: "maria.garcia@example.com",
    },
    SampleUser {
        user_id: "9067c0ffee-1b2c3d4e-5f6a-4b7c-9d8e-2f3a4b5c6d02",
        user_name: "kwame.mensah@example.com",
        given_name: "Kwame",
        family_name: "Mensah",
        email: "kwame.mensah@example.com",
    },
    SampleUser {
        user_id: "9067c0ffee-2c3d4e5f-6a7b-4c8d-ae9f-3a4b5c6d7e03",
        user_name: "akhan",
        given_name: "Aisha",
        family_name: "Khan",
        email: "aisha.khan@example.com",
    },
    SampleUser {
        user_id: "9067c0ffee-3d4e5f6a-7b8c-4d9e-bfa0-4b5c6d7e8f04",
        user_name: "Li.Wei@Example.com",
        given_name: "Li",
        family_name: "Wei",
        email: "Li.Wei@Example.com",
    },
    SampleUser {
        user_id: "9067c0ffee-4e5f6a7b-8c9d-4eaf-80b1-5c6d7e8f9a05",
        user_name: "sofia.rossi@example.com",
        given_name: "Sofia",
        family_name: "Rossi",
        email: "sofia.rossi@example.com",
    },
    SampleUser {
        user_id: "9067c0ffee-5f6a7b8c-9dae-4fb0-91c2-6d7e8f9a0b06",
        user_name: "james.oconnor@example.com",
        given_name: "James",
        family_name: "O'Connor",
        email: "james.oconnor@example.com",
    },
];

/// A seeded IAM Identity Center group and the user ids of its members.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SampleGroup {
    pub group_id: &'static str,
    pub display_name: &'static str,
    pub member_ids: &'static [&'static str],
}

/// The identity store's groups, as organisations assign them to applications. Groups and
/// their memberships are only seeded and never change (no trait call writes them), so they
/// are read from here rather than kept in the account state or its saved file; assigning a
/// group to an application ([`Sandbox::simulate_assign_group`]) is an application
/// assignment, saved with the application.
pub const SANDBOX_GROUPS: [SampleGroup; 2] = [
    SampleGroup {
        group_id: "9067c0ffee-6a7b8c9d-aebf-4c01-a2d3-7e8f9a0b1c11",
        display_name: "Contact center agents",
        // Maria Garcia and Kwame Mensah.
        member_ids: &[SANDBOX_USERS[0].user_id, SANDBOX_USERS[1].user_id],
    },
    SampleGroup {
        group_id: "9067c0ffee-7b8c9dae-bfc0-4d12-b3e4-8f9a0b1c2d12",
        display_name: "Supervisors",
        // Aisha Khan.
        member_ids: &[SANDBOX_USERS[2].user_id],
    },
];

/// IAM keeps at most five versions of a managed policy.
const MAX_POLICY_VERSIONS: usize = 5;
/// IAM's default quota of managed policies attached to one role.
const MAX_ATTACHED_POLICIES: usize = 10;
/// IAM's quotas on document size, in characters without whitespace.
const MAX_POLICY_SIZE: usize = 6_144;
const MAX_TRUST_POLICY_SIZE: usize = 2_048;
const MAX_TAGS: usize = 50;

// ---------------------------------------------------------------------------------------------
// Faults

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
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstanceSnapshot {
    pub instance: ConnectInstanceSummary,
    pub users: Vec<ConnectUser>,
}

// ---------------------------------------------------------------------------------------------
// State

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

#[derive(Debug)]
struct State {
    calls: Vec<String>,
    timings: Vec<CallTiming>,
    faults: Vec<Fault>,
    /// Last timestamp handed out, so creation times strictly increase.
    clock: i64,
    /// Feeds generated ids.
    serial: u64,
    users: Vec<IdcUser>,
    applications: Vec<ApplicationSnapshot>,
    instances: Vec<InstanceRecord>,
    providers: Vec<SamlProvider>,
    policies: Vec<PolicyRecord>,
    roles: Vec<RoleRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct InstanceRecord {
    summary: ConnectInstanceSummary,
    security_profiles: Vec<NamedId>,
    routing_profiles: Vec<NamedId>,
    users: Vec<ConnectUser>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct PolicyRecord {
    policy: ManagedPolicy,
    versions: Vec<VersionRecord>,
    /// IAM never reuses a version number, even after a delete.
    next_version: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct VersionRecord {
    id: String,
    document: Value,
    created: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct RoleRecord {
    role: Role,
    attached: Vec<AttachedPolicy>,
    inline: Vec<(String, Value)>,
}

impl State {
    fn seeded(faults: Vec<Fault>) -> State {
        let users = SANDBOX_USERS
            .iter()
            .map(|u| IdcUser {
                user_id: u.user_id.to_string(),
                user_name: u.user_name.to_string(),
                display_name: Some(format!("{} {}", u.given_name, u.family_name)),
                given_name: Some(u.given_name.to_string()),
                family_name: Some(u.family_name.to_string()),
                emails: vec![u.email.to_string()],
            })
            .collect();
        let saml = InstanceRecord {
            summary: ConnectInstanceSummary {
                id: SANDBOX_INSTANCE_ID.to_string(),
                arn: SANDBOX_INSTANCE_ARN.to_string(),
                alias: Some(SANDBOX_INSTANCE_ALIAS.to_string()),
                identity_management_type: "SAML".to_string(),
                status: "ACTIVE".to_string(),
            },
            security_profiles: SANDBOX_SECURITY_PROFILES
                .iter()
                .map(|(name, id)| named(id, name))
                .collect(),
            routing_profiles: vec![named(
                SANDBOX_ROUTING_PROFILE_ID,
                SANDBOX_ROUTING_PROFILE_NAME,
            )],
            users: vec![ConnectUser {
                id: SANDBOX_EXISTING_CONNECT_USER_ID.to_string(),
                arn: connect_user_arn(SANDBOX_INSTANCE_ARN, SANDBOX_EXISTING_CONNECT_USER_ID),
                username: SANDBOX_EXISTING_CONNECT_USERNAME.to_string(),
            }],
        };
        // Ids of the legacy instance's resources are derived, not listed: nothing refers to them.
        let legacy_id = |what: &str| derived_uuid(&format!("{SANDBOX_LEGACY_INSTANCE_ID}/{what}"));
        let legacy_admin = legacy_id("user/admin");
        let legacy = InstanceRecord {
            summary: ConnectInstanceSummary {
                id: SANDBOX_LEGACY_INSTANCE_ID.to_string(),
                arn: SANDBOX_LEGACY_INSTANCE_ARN.to_string(),
                alias: Some(SANDBOX_LEGACY_INSTANCE_ALIAS.to_string()),
                identity_management_type: "CONNECT_MANAGED".to_string(),
                status: "ACTIVE".to_string(),
            },
            security_profiles: SANDBOX_SECURITY_PROFILES
                .iter()
                .map(|(name, _)| named(&legacy_id(name), name))
                .collect(),
            routing_profiles: vec![named(
                &legacy_id(SANDBOX_ROUTING_PROFILE_NAME),
                SANDBOX_ROUTING_PROFILE_NAME,
            )],
            users: vec![ConnectUser {
                arn: connect_user_arn(SANDBOX_LEGACY_INSTANCE_ARN, &legacy_admin),
                id: legacy_admin,
                username: "admin".to_string(),
            }],
        };
        State {
            calls: Vec::new(),
            timings: Vec::new(),
            faults,
            clock: 0,
            serial: 0,
            users,
            applications: Vec::new(),
            instances: vec![saml, legacy],
            providers: Vec::new(),
            policies: Vec::new(),
            roles: Vec::new(),
        }
    }

    /// The first live fault for `action`, used up by one.
    fn trip(&mut self, action: &str) -> Option<FaultKind> {
        let fault = self
            .faults
            .iter_mut()
            .find(|f| !f.spent() && f.matches(action))?;
        if let Some(n) = fault.times.as_mut() {
            *n -= 1;
        }
        Some(fault.kind)
    }

    /// Seconds since the epoch, strictly increasing so versions order by creation time.
    fn tick(&mut self) -> i64 {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        self.clock = now.max(self.clock.saturating_add(1));
        self.clock
    }

    /// Fresh pseudo-random bytes; deterministic per sandbox so runs are reproducible.
    fn fresh(&mut self, label: &str) -> Vec<u8> {
        self.serial = self.serial.wrapping_add(1);
        Sha256::digest(format!("{label}/{}", self.serial)).to_vec()
    }

    fn user(&self, user_id: &str) -> Option<&IdcUser> {
        self.users.iter().find(|u| u.user_id == user_id)
    }

    /// Connect takes the instance id or its ARN wherever it asks for an `InstanceId`.
    fn instance(&self, action: &str, id: &str) -> CloudResult<usize> {
        if id.is_empty() || id.len() > 250 {
            return Err(invalid(
                action,
                format!(
                    "1 validation error detected: Value '{id}' at 'instanceId' failed to satisfy constraint: Member must have length between 1 and 250"
                ),
            ));
        }
        self.instances
            .iter()
            .position(|i| i.summary.id == id || i.summary.arn == id)
            .ok_or_else(|| {
                not_found(
                    action,
                    &format!("Connect instance {id}"),
                    &format!(
                        "no such instance in account {SANDBOX_ACCOUNT}, region {SANDBOX_REGION}"
                    ),
                )
            })
    }

    /// Assigns a principal (`USER` or `GROUP`) to an application, refusing a second
    /// assignment of the same one as AWS does (ConflictException).
    fn assign(
        &mut self,
        action: &str,
        application_arn: &str,
        principal_id: &str,
        principal_type: &str,
    ) -> CloudResult<()> {
        let app = self.application(action, application_arn)?;
        if app
            .assignments
            .iter()
            .any(|a| a.principal_id == principal_id)
        {
            let kind = principal_type.to_ascii_lowercase();
            return Err(already_exists(
                action,
                &format!("assignment of {kind} {principal_id}"),
                &format!("ConflictException: the {kind} is already assigned to this application"),
            ));
        }
        app.assignments.push(ApplicationAssignment {
            principal_id: principal_id.to_string(),
            principal_type: principal_type.to_string(),
        });
        Ok(())
    }

    fn application(&mut self, action: &str, arn: &str) -> CloudResult<&mut ApplicationSnapshot> {
        if !(arn.starts_with("arn:") && arn.contains(":sso::") && arn.contains(":application/")) {
            return Err(invalid(
                action,
                format!(
                    "1 validation error detected: Value '{arn}' at 'applicationArn' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b):sso::\\d{{12}}:application/(sso)?ins-[a-zA-Z0-9-.]{{16}}/apl-[a-zA-Z0-9]{{16}}"
                ),
            ));
        }
        self.applications
            .iter_mut()
            .find(|a| a.application.arn == arn)
            .ok_or_else(|| {
                not_found(
                    action,
                    &format!("application {arn}"),
                    "create it in the IAM Identity Center console (step 1) first",
                )
            })
    }

    fn provider(&self, arn_name: Option<&str>) -> Option<usize> {
        let name = arn_name?;
        self.providers
            .iter()
            .position(|p| p.arn == iam_arn("saml-provider", name))
    }

    /// IAM names are unique regardless of case, and lookups ignore case too.
    fn policy(&self, name: Option<&str>) -> Option<usize> {
        let name = name?;
        self.policies
            .iter()
            .position(|p| p.policy.name.eq_ignore_ascii_case(name))
    }

    fn role(&self, name: &str) -> Option<usize> {
        self.roles
            .iter()
            .position(|r| r.role.name.eq_ignore_ascii_case(name))
    }

    fn role_or_not_found(&self, action: &str, name: &str) -> CloudResult<usize> {
        self.role(name).ok_or_else(|| {
            not_found(
                action,
                &format!("role {name}"),
                &format!("The role with name {name} cannot be found."),
            )
        })
    }

    fn policy_or_not_found(&self, action: &str, arn: &str) -> CloudResult<usize> {
        let name = iam_arn_name(action, arn, "policy")?;
        self.policy(name)
            .ok_or_else(|| policy_not_found(action, arn))
    }
}

fn named(id: &str, name: &str) -> NamedId {
    NamedId {
        id: id.to_string(),
        name: name.to_string(),
    }
}

fn connect_user_arn(instance_arn: &str, user_id: &str) -> String {
    format!("{instance_arn}/agent/{user_id}")
}

fn iam_arn(kind: &str, name: &str) -> String {
    format!("arn:aws:iam::{SANDBOX_ACCOUNT}:{kind}/{name}")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A version-4-shaped UUID from the first 16 bytes, as Connect forms its ids.
fn uuid_from(bytes: &[u8]) -> String {
    let mut b = [0u8; 16];
    b.copy_from_slice(&bytes[..16]);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

fn derived_uuid(seed: &str) -> String {
    uuid_from(&Sha256::digest(seed))
}

// ---------------------------------------------------------------------------------------------
// Errors as AWS words them

fn invalid(action: &str, message: impl Into<String>) -> CloudError {
    CloudError::Invalid {
        action: action.to_string(),
        message: message.into(),
    }
}

fn malformed(action: &str, message: &str) -> CloudError {
    invalid(action, format!("MalformedPolicyDocument: {message}"))
}

fn not_found(action: &str, what: &str, message: &str) -> CloudError {
    CloudError::NotFound {
        action: action.to_string(),
        what: what.to_string(),
        message: message.to_string(),
    }
}

fn already_exists(action: &str, what: &str, message: &str) -> CloudError {
    CloudError::AlreadyExists {
        action: action.to_string(),
        what: what.to_string(),
        message: message.to_string(),
    }
}

fn limit_exceeded(action: &str, message: &str) -> CloudError {
    CloudError::LimitExceeded {
        action: action.to_string(),
        message: message.to_string(),
    }
}

fn delete_conflict(action: &str, what: &str, message: &str) -> CloudError {
    CloudError::DeleteConflict {
        action: action.to_string(),
        what: what.to_string(),
        message: message.to_string(),
    }
}

fn policy_not_found(action: &str, arn: &str) -> CloudError {
    not_found(
        action,
        &format!("policy {arn}"),
        &format!("Policy {arn} does not exist or is not attachable."),
    )
}

fn fault_error(kind: FaultKind, action: &str, context: Context) -> CloudError {
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
fn context_of(action: &str) -> Context {
    if action.starts_with("sso:") || action.starts_with("identitystore:") {
        Context::Identity
    } else {
        Context::Connect
    }
}

// ---------------------------------------------------------------------------------------------
// Validation as AWS does it

fn validation_error(value: &str, field: &str, constraint: &str) -> String {
    format!(
        "1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: Member {constraint}"
    )
}

/// An IAM name: `max` characters of `\w` (ASCII) plus `extra`.
fn check_iam_name(
    action: &str,
    field: &str,
    value: &str,
    max: usize,
    extra: &str,
    pattern: &str,
) -> CloudResult<()> {
    let len = value.chars().count();
    let constraint = if len == 0 {
        "must have length greater than or equal to 1".to_string()
    } else if len > max {
        format!("must have length less than or equal to {max}")
    } else if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || extra.contains(c))
    {
        format!("must satisfy regular expression pattern: {pattern}")
    } else {
        return Ok(());
    };
    Err(invalid(action, validation_error(value, field, &constraint)))
}

fn check_role_name(action: &str, name: &str) -> CloudResult<()> {
    check_iam_name(action, "roleName", name, 64, "+=,.@-", r"[\w+=,.@-]+")
}

fn check_policy_name(action: &str, name: &str) -> CloudResult<()> {
    check_iam_name(action, "policyName", name, 128, "+=,.@-", r"[\w+=,.@-]+")
}

fn check_provider_name(action: &str, name: &str) -> CloudResult<()> {
    check_iam_name(action, "name", name, 128, "._-", r"[\w._-]+")
}

/// The resource name of an IAM ARN in this account; `None` when the ARN is well formed but
/// names another account, partition or resource type (nothing this account holds).
fn iam_arn_name<'a>(action: &str, arn: &'a str, kind: &str) -> CloudResult<Option<&'a str>> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    if arn.len() < 20
        || arn.len() > 2048
        || parts.len() != 6
        || parts[0] != "arn"
        || parts[1].is_empty()
        || parts[2] != "iam"
    {
        return Err(invalid(action, format!("ARN {arn} is not valid.")));
    }
    if parts[1] != "aws" || parts[4] != SANDBOX_ACCOUNT {
        return Ok(None);
    }
    // Paths (`policy/team/Name`) end in the name.
    Ok(match parts[5].split_once('/') {
        Some((k, rest)) if k == kind => rest.rsplit('/').next().filter(|n| !n.is_empty()),
        _ => None,
    })
}

fn check_version_id(action: &str, version_id: &str) -> CloudResult<()> {
    let digits = version_id
        .strip_prefix('v')
        .map(|rest| rest.split_once('.').map_or(rest, |(n, _)| n));
    let ok = digits.is_some_and(|n| {
        !n.is_empty() && !n.starts_with('0') && n.bytes().all(|b| b.is_ascii_digit())
    });
    if ok {
        Ok(())
    } else {
        Err(invalid(
            action,
            validation_error(
                version_id,
                "versionId",
                r"must satisfy regular expression pattern: v[1-9][0-9]*(\.[A-Za-z0-9-]*)?",
            ),
        ))
    }
}

fn tag_char(c: char) -> bool {
    c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(c)
}

fn check_tags(action: &str, tags: &[Tag]) -> CloudResult<()> {
    if tags.len() > MAX_TAGS {
        return Err(invalid(
            action,
            validation_error(
                "[...]",
                "tags",
                &format!("must have length less than or equal to {MAX_TAGS}"),
            ),
        ));
    }
    let mut seen = HashSet::new();
    for tag in tags {
        let key_len = tag.key.chars().count();
        if key_len == 0 || key_len > 128 {
            return Err(invalid(
                action,
                validation_error(
                    &tag.key,
                    "tags.member.key",
                    "must have length between 1 and 128",
                ),
            ));
        }
        if !tag.key.chars().all(tag_char) {
            return Err(invalid(
                action,
                validation_error(
                    &tag.key,
                    "tags.member.key",
                    r"must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+",
                ),
            ));
        }
        if tag.value.chars().count() > 256 || !tag.value.chars().all(tag_char) {
            return Err(invalid(
                action,
                validation_error(
                    &tag.value,
                    "tags.member.value",
                    r"must have length less than or equal to 256 and satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]*",
                ),
            ));
        }
        if tag.key.to_ascii_lowercase().starts_with("aws:") {
            return Err(invalid(
                action,
                format!(
                    "Tag key {} uses the reserved prefix aws:; choose another key",
                    tag.key
                ),
            ));
        }
        if !seen.insert(tag.key.to_lowercase()) {
            return Err(invalid(
                action,
                "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
            ));
        }
    }
    Ok(())
}

fn check_metadata(action: &str, document: &str) -> CloudResult<()> {
    metadata::parse(document.as_bytes())
        .map(|_| ())
        .map_err(|e| invalid(action, format!("Could not parse metadata: {e}")))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DocumentKind {
    /// A managed policy: actions on resources, no principal.
    Permissions,
    /// A role's trust policy: principals, no resources.
    Trust,
}

/// IAM's `MalformedPolicyDocument` rules that matter for the documents this tool writes, then
/// the size quota.
fn check_document(
    action: &str,
    doc: &Value,
    kind: DocumentKind,
    providers: &[SamlProvider],
) -> CloudResult<()> {
    const SYNTAX: &str = "Syntax errors in policy.";
    let Value::Object(map) = doc else {
        return Err(malformed(action, SYNTAX));
    };
    match map.get("Version") {
        Some(Value::String(v)) if v == "2012-10-17" || v == "2008-10-17" => {}
        None => {
            return Err(malformed(
                action,
                "Missing required field Version (use \"2012-10-17\")",
            ));
        }
        Some(_) => return Err(malformed(action, "The policy failed legacy parsing")),
    }
    let statements: Vec<&Value> = match map.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        Some(_) => return Err(malformed(action, SYNTAX)),
        None => return Err(malformed(action, "Missing required field Statement")),
    };
    let mut sids = HashSet::new();
    for statement in statements {
        let Value::Object(s) = statement else {
            return Err(malformed(action, SYNTAX));
        };
        match s.get("Sid") {
            None => {}
            Some(Value::String(sid)) if sids.insert(sid.as_str()) => {}
            Some(Value::String(_)) => {
                return Err(malformed(
                    action,
                    "Statement IDs (SID) in a single policy must be unique.",
                ));
            }
            Some(_) => return Err(malformed(action, SYNTAX)),
        }
        match s.get("Effect") {
            Some(Value::String(e)) if e == "Allow" || e == "Deny" => {}
            None => return Err(malformed(action, "Missing required field Effect")),
            Some(other) => {
                let shown = other
                    .as_str()
                    .map_or_else(|| other.to_string(), str::to_string);
                return Err(malformed(action, &format!("Invalid effect: {shown}")));
            }
        }
        let Some(actions) = s.get("Action").or_else(|| s.get("NotAction")) else {
            return Err(malformed(action, "Policy statement must contain actions."));
        };
        for a in string_or_list(actions).ok_or_else(|| malformed(action, SYNTAX))? {
            if a != "*"
                && !a
                    .split_once(':')
                    .is_some_and(|(v, o)| !v.is_empty() && !o.is_empty())
            {
                return Err(malformed(
                    action,
                    "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
                ));
            }
        }
        let principal = s.get("Principal").or_else(|| s.get("NotPrincipal"));
        let has_resource = s.contains_key("Resource") || s.contains_key("NotResource");
        match kind {
            DocumentKind::Permissions => {
                if principal.is_some() {
                    return Err(malformed(
                        action,
                        "Policy document should not specify a principal.",
                    ));
                }
                if !has_resource {
                    return Err(malformed(
                        action,
                        "Policy statement must contain resources.",
                    ));
                }
            }
            DocumentKind::Trust => {
                if has_resource {
                    return Err(malformed(action, "Has prohibited field Resource"));
                }
                let Some(principal) = principal else {
                    return Err(malformed(action, "Missing required field Principal"));
                };
                check_federated(action, principal, providers)?;
            }
        }
    }
    let (quota, name) = match kind {
        DocumentKind::Permissions => (MAX_POLICY_SIZE, "PolicySize"),
        DocumentKind::Trust => (MAX_TRUST_POLICY_SIZE, "ACLSizePerRole"),
    };
    let size = doc
        .to_string()
        .chars()
        .filter(|c| !c.is_whitespace())
        .count();
    if size > quota {
        return Err(limit_exceeded(
            action,
            &format!("Cannot exceed quota for {name}: {quota}"),
        ));
    }
    Ok(())
}

fn string_or_list(v: &Value) -> Option<Vec<&str>> {
    match v {
        Value::String(s) => Some(vec![s.as_str()]),
        Value::Array(items) => items.iter().map(Value::as_str).collect(),
        _ => None,
    }
}

/// IAM resolves principals when it stores a trust policy: a SAML provider of this account
/// that does not exist makes the document invalid (so 6a must run before 6c).
fn check_federated(action: &str, principal: &Value, providers: &[SamlProvider]) -> CloudResult<()> {
    let Some(federated) = principal.get("Federated") else {
        return Ok(());
    };
    let own = format!("arn:aws:iam::{SANDBOX_ACCOUNT}:saml-provider/");
    let arns =
        string_or_list(federated).ok_or_else(|| malformed(action, "Syntax errors in policy."))?;
    for arn in arns {
        if arn.starts_with(&own) && !providers.iter().any(|p| p.arn == arn) {
            return Err(malformed(
                action,
                &format!("Invalid principal in policy: \"Federated\":\"{arn}\""),
            ));
        }
    }
    Ok(())
}

fn check_identity_store(action: &str, id: &str) -> CloudResult<()> {
    let short = id.strip_prefix("d-").is_some_and(|h| {
        h.len() == 10
            && h.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    });
    if !short && !is_uuid(id) {
        return Err(invalid(
            action,
            validation_error(
                id,
                "identityStoreId",
                r"must satisfy regular expression pattern: ^d-[0-9a-f]{10}$|^[0-9a-f]{8}\b-[0-9a-f]{4}\b-[0-9a-f]{4}\b-[0-9a-f]{4}\b-[0-9a-f]{12}$",
            ),
        ));
    }
    if id != SANDBOX_IDENTITY_STORE_ID {
        return Err(not_found(
            action,
            &format!("identity store {id}"),
            &format!("this account's identity store is {SANDBOX_IDENTITY_STORE_ID}"),
        ));
    }
    Ok(())
}

fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn check_idc_instance(action: &str, arn: &str) -> CloudResult<()> {
    let well_formed = arn.starts_with("arn:aws")
        && arn.split_once(":sso:::instance/").is_some_and(|(_, id)| {
            let rest = id
                .strip_prefix("ssoins-")
                .or_else(|| id.strip_prefix("ins-"));
            rest.is_some_and(|r| {
                r.len() == 16
                    && r.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
            })
        });
    if !well_formed {
        return Err(invalid(
            action,
            validation_error(
                arn,
                "instanceArn",
                r"must satisfy regular expression pattern: arn:(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b):sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}",
            ),
        ));
    }
    if arn != SANDBOX_IDC_INSTANCE_ARN {
        return Err(not_found(
            action,
            &format!("IAM Identity Center instance {arn}"),
            &format!("this account's instance is {SANDBOX_IDC_INSTANCE_ARN}"),
        ));
    }
    Ok(())
}

fn check_connect_username(action: &str, username: &str) -> CloudResult<()> {
    let len = username.chars().count();
    let constraint = if len == 0 || len > 100 {
        "must have length between 1 and 100"
    } else if !username
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_-.@".contains(c))
    {
        r"must satisfy regular expression pattern: [a-zA-Z0-9\_\-\.\@]+"
    } else {
        return Ok(());
    };
    Err(invalid(
        action,
        validation_error(username, "username", constraint),
    ))
}

// ---------------------------------------------------------------------------------------------
// The sandbox

/// An in-memory AWS account; see the module documentation.
#[derive(Debug)]
pub struct Sandbox {
    latency: Duration,
    /// Never held across an await.
    state: Mutex<State>,
    /// The file the account is kept in between runs; `None` in memory only.
    file: Option<PathBuf>,
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
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A test that panicked while holding the lock leaves consistent state behind (every
        // write is a single push or assignment), so keep serving instead of cascading panics.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// What every trait call does first: wait, record, then fail if a fault says so.
    async fn enter(&self, action: &str, context: Context) -> CloudResult<()> {
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
        });
        arn
    }

    /// A group assigned to the application by hand in the IAM Identity Center console (the
    /// `Cloud` trait assigns users only). Not recorded in [`calls`]. Fails as
    /// `CreateApplicationAssignment` would: an unknown application or group is not found,
    /// and a group already assigned is a conflict.
    ///
    /// [`calls`]: Sandbox::calls
    pub fn simulate_assign_group(&self, application_arn: &str, group_id: &str) -> CloudResult<()> {
        const ACTION: &str = "sso:CreateApplicationAssignment";
        let mut state = self.lock();
        state.application(ACTION, application_arn)?;
        if !SANDBOX_GROUPS.iter().any(|g| g.group_id == group_id) {
            return Err(not_found(
                ACTION,
                &format!("group {group_id}"),
                &format!("no group with this ID in identity store {SANDBOX_IDENTITY_STORE_ID}"),
            ));
        }
        state.assign(ACTION, application_arn, group_id, "GROUP")
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

// ---------------------------------------------------------------------------------------------
// Keeping the account in a file

/// The format of a saved account. A file of another version is moved aside, never misread.
const ACCOUNT_FORMAT: u32 = 1;

/// `STATE_DIR/sandbox/account.json`: where `--sandbox` keeps the account between runs.
pub fn account_path(state_dir: &Path) -> PathBuf {
    state_dir.join("sandbox").join("account.json")
}

/// Everything the account holds, as its file holds it. Not the recorded calls, their timings
/// or the faults: those belong to one run. Not the groups either: they never change, so they
/// come from [`SANDBOX_GROUPS`]; group assignments are saved with `applications`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct SavedAccount {
    #[serde(deserialize_with = "known_format")]
    version: u32,
    clock: i64,
    serial: u64,
    users: Vec<IdcUser>,
    applications: Vec<ApplicationSnapshot>,
    instances: Vec<InstanceRecord>,
    providers: Vec<SamlProvider>,
    policies: Vec<PolicyRecord>,
    roles: Vec<RoleRecord>,
}

fn known_format<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let version = u32::deserialize(d)?;
    if version == ACCOUNT_FORMAT {
        Ok(version)
    } else {
        Err(serde::de::Error::custom(format!(
            "it has format version {version}, and this connect-sso reads version {ACCOUNT_FORMAT}"
        )))
    }
}

impl State {
    fn to_saved(&self) -> SavedAccount {
        SavedAccount {
            version: ACCOUNT_FORMAT,
            clock: self.clock,
            serial: self.serial,
            users: self.users.clone(),
            applications: self.applications.clone(),
            instances: self.instances.clone(),
            providers: self.providers.clone(),
            policies: self.policies.clone(),
            roles: self.roles.clone(),
        }
    }

    fn restored(saved: SavedAccount, faults: Vec<Fault>) -> State {
        State {
            calls: Vec::new(),
            timings: Vec::new(),
            faults,
            clock: saved.clock,
            serial: saved.serial,
            users: saved.users,
            applications: saved.applications,
            instances: saved.instances,
            providers: saved.providers,
            policies: saved.policies,
            roles: saved.roles,
        }
    }
}

impl Sandbox {
    /// The account saved at `path`, or the seeded one when there is no file yet; `options`
    /// apply to this run only. A file that cannot be read as an account is moved aside (to
    /// `account.json.corrupt`) and the account starts seeded; one that cannot be read or
    /// moved at all is left alone and the account lives in memory for this run. Either way
    /// the warning says what happened.
    pub fn load_or_seed(path: &Path, options: SandboxOptions) -> (Sandbox, Option<String>) {
        match session::load::<SavedAccount>(path) {
            Ok(Loaded::Found(saved)) => {
                let sandbox = Sandbox {
                    latency: options.latency,
                    state: Mutex::new(State::restored(saved, options.faults)),
                    file: Some(path.to_path_buf()),
                };
                (sandbox, None)
            }
            Ok(Loaded::Missing) => (Sandbox::seeded_at(path, options), None),
            Ok(Loaded::Corrupt { moved_to, reason }) => (
                Sandbox::seeded_at(path, options),
                Some(format!(
                    "the saved sandbox account {} could not be read ({reason}); it was moved to {} and the sandbox starts again from the seeded account",
                    path.display(),
                    moved_to.display()
                )),
            ),
            Err(e) => (
                Sandbox::with_options(options),
                Some(format!(
                    "{e}; the sandbox uses the seeded account in memory and saves nothing this time: fix the file's permissions, or move it away to start over"
                )),
            ),
        }
    }

    /// The seeded account, kept at `path`: the next [`save`](Sandbox::save) there replaces
    /// what the file held.
    pub fn seeded_at(path: &Path, options: SandboxOptions) -> Sandbox {
        Sandbox {
            file: Some(path.to_path_buf()),
            ..Sandbox::with_options(options)
        }
    }

    /// The file the account was loaded from or is to be kept in; `None` in memory only.
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// Writes the account to `path` atomically, readable by the user only (mode 0600).
    pub fn save(&self, path: &Path) -> Result<(), String> {
        let saved = self.lock().to_saved();
        session::save(path, &saved)
    }
}

fn version_of(policy: &PolicyRecord, v: &VersionRecord) -> PolicyVersion {
    PolicyVersion {
        version_id: v.id.clone(),
        is_default: v.id == policy.policy.default_version_id,
        created: v.created,
    }
}

#[async_trait]
impl Cloud for Sandbox {
    async fn caller_identity(&self, context: Context) -> CloudResult<CallerIdentity> {
        self.enter("sts:GetCallerIdentity", context).await?;
        Ok(CallerIdentity {
            account: SANDBOX_ACCOUNT.to_string(),
            arn: SANDBOX_CALLER_ARN.to_string(),
            user_id: SANDBOX_CALLER_USER_ID.to_string(),
        })
    }

    // IAM Identity Center ----------------------------------------------------------------------

    async fn list_idc_instances(&self) -> CloudResult<Vec<IdcInstance>> {
        self.enter("sso:ListInstances", Context::Identity).await?;
        Ok(vec![IdcInstance {
            instance_arn: SANDBOX_IDC_INSTANCE_ARN.to_string(),
            identity_store_id: SANDBOX_IDENTITY_STORE_ID.to_string(),
            owner_account: Some(SANDBOX_ACCOUNT.to_string()),
            status: Some("ACTIVE".to_string()),
        }])
    }

    async fn list_applications(&self, instance_arn: &str) -> CloudResult<Vec<Application>> {
        const ACTION: &str = "sso:ListApplications";
        self.enter(ACTION, context_of(ACTION)).await?;
        check_idc_instance(ACTION, instance_arn)?;
        Ok(self
            .lock()
            .applications
            .iter()
            .map(|a| a.application.clone())
            .collect())
    }

    async fn list_application_assignments(
        &self,
        application_arn: &str,
    ) -> CloudResult<Vec<ApplicationAssignment>> {
        const ACTION: &str = "sso:ListApplicationAssignments";
        self.enter(ACTION, context_of(ACTION)).await?;
        let mut state = self.lock();
        Ok(state
            .application(ACTION, application_arn)?
            .assignments
            .clone())
    }

    async fn create_application_assignment(
        &self,
        application_arn: &str,
        user_id: &str,
    ) -> CloudResult<()> {
        const ACTION: &str = "sso:CreateApplicationAssignment";
        self.enter(ACTION, context_of(ACTION)).await?;
        let mut state = self.lock();
        state.application(ACTION, application_arn)?;
        if state.user(user_id).is_none() {
            return Err(not_found(
                ACTION,
                &format!("user {user_id}"),
                &format!("no user with this ID in identity store {SANDBOX_IDENTITY_STORE_ID}"),
            ));
        }
        state.assign(ACTION, application_arn, user_id, "USER")
    }

    async fn delete_application_assignment(
        &self,
        application_arn: &str,
        user_id: &str,
    ) -> CloudResult<()> {
        const ACTION: &str = "sso:DeleteApplicationAssignment";
        self.enter(ACTION, context_of(ACTION)).await?;
        let mut state = self.lock();
        let app = state.application(ACTION, application_arn)?;
        let position = app
            .assignments
            .iter()
            .position(|a| a.principal_id == user_id)
            .ok_or_else(|| {
                not_found(
                    ACTION,
                    &format!("assignment of user {user_id}"),
                    "ResourceNotFoundException: the user is not assigned to this application",
                )
            })?;
        app.assignments.remove(position);
        Ok(())
    }

    async fn user_id_by_user_name(
        &self,
        identity_store_id: &str,
        user_name: &str,
    ) -> CloudResult<Option<String>> {
        const ACTION: &str = "identitystore:GetUserId";
        self.enter(ACTION, context_of(ACTION)).await?;
        check_identity_store(ACTION, identity_store_id)?;
        Ok(self
            .lock()
            .users
            .iter()
            .find(|u| u.user_name == user_name)
            .map(|u| u.user_id.clone()))
    }

    async fn user_id_by_email(
        &self,
        identity_store_id: &str,
        email: &str,
    ) -> CloudResult<Option<String>> {
        const ACTION: &str = "identitystore:GetUserId";
        self.enter(ACTION, context_of(ACTION)).await?;
        check_identity_store(ACTION, identity_store_id)?;
        // Email addresses match regardless of case; the user name lookup above does not.
        Ok(self
            .lock()
            .users
            .iter()
            .find(|u| u.emails.iter().any(|e| e.eq_ignore_ascii_case(email)))
            .map(|u| u.user_id.clone()))
    }

    async fn describe_user(
        &self,
        identity_store_id: &str,
        user_id: &str,
    ) -> CloudResult<Option<IdcUser>> {
        const ACTION: &str = "identitystore:DescribeUser";
        self.enter(ACTION, context_of(ACTION)).await?;
        check_identity_store(ACTION, identity_store_id)?;
        Ok(self.lock().user(user_id).cloned())
    }

    async fn list_users(&self, identity_store_id: &str) -> CloudResult<Vec<IdcUser>> {
        const ACTION: &str = "identitystore:ListUsers";
        self.enter(ACTION, context_of(ACTION)).await?;
        check_identity_store(ACTION, identity_store_id)?;
        Ok(self.lock().users.clone())
    }

    async fn is_member_in_groups(
        &self,
        identity_store_id: &str,
        user_id: &str,
        group_ids: &[String],
    ) -> CloudResult<Vec<String>> {
        const ACTION: &str = "identitystore:IsMemberInGroups";
        // Like the SDK adapter: one request per batch of group ids, none for no group ids.
        for _ in group_ids.chunks(MAX_GROUP_IDS_PER_CALL) {
            self.enter(ACTION, context_of(ACTION)).await?;
            check_identity_store(ACTION, identity_store_id)?;
        }
        // Unknown users and groups are simply not members.
        Ok(group_ids
            .iter()
            .filter(|id| {
                SANDBOX_GROUPS
                    .iter()
                    .any(|g| g.group_id == id.as_str() && g.member_ids.contains(&user_id))
            })
            .cloned()
            .collect())
    }

    // Amazon Connect ----------------------------------------------------------------------------

    async fn list_connect_instances(&self) -> CloudResult<Vec<ConnectInstanceSummary>> {
        self.enter("connect:ListInstances", Context::Connect)
            .await?;
        Ok(self
            .lock()
            .instances
            .iter()
            .map(|i| i.summary.clone())
            .collect())
    }

    async fn describe_connect_instance(
        &self,
        instance_id: &str,
    ) -> CloudResult<Option<ConnectInstanceSummary>> {
        const ACTION: &str = "connect:DescribeInstance";
        self.enter(ACTION, context_of(ACTION)).await?;
        let state = self.lock();
        match state.instance(ACTION, instance_id) {
            Ok(i) => Ok(Some(state.instances[i].summary.clone())),
            Err(CloudError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn search_connect_user(
        &self,
        instance_id: &str,
        username: &str,
    ) -> CloudResult<Option<ConnectUser>> {
        const ACTION: &str = "connect:SearchUsers";
        self.enter(ACTION, context_of(ACTION)).await?;
        let state = self.lock();
        let i = state.instance(ACTION, instance_id)?;
        // `EXACT` compares case-sensitively, as Connect user names are.
        Ok(state.instances[i]
            .users
            .iter()
            .find(|u| u.username == username)
            .cloned())
    }

    async fn create_connect_user(
        &self,
        instance_id: &str,
        user: &NewConnectUser,
    ) -> CloudResult<ConnectUser> {
        const ACTION: &str = "connect:CreateUser";
        self.enter(ACTION, context_of(ACTION)).await?;
        check_connect_username(ACTION, &user.username)?;
        for (field, value) in [
            ("identityInfo.firstName", &user.first_name),
            ("identityInfo.lastName", &user.last_name),
        ] {
            // Required on SAML instances; Connect caps them at 100 characters.
            let len = value.chars().count();
            if len == 0 || len > 100 {
                return Err(invalid(
                    ACTION,
                    validation_error(value, field, "must have length between 1 and 100"),
                ));
            }
        }
        if user.security_profile_ids.is_empty() || user.security_profile_ids.len() > 10 {
            return Err(invalid(
                ACTION,
                validation_error(
                    &user.security_profile_ids.join(","),
                    "securityProfileIds",
                    "must have length between 1 and 10",
                ),
            ));
        }
        let mut state = self.lock();
        let i = state.instance(ACTION, instance_id)?;
        let serial = state.fresh(&format!("connect-user/{}", user.username));
        let instance = &mut state.instances[i];
        if instance.summary.identity_management_type != "SAML" {
            // Connect-managed and directory instances need a password or directory user id,
            // which a SAML set-up never has.
            return Err(invalid(
                ACTION,
                format!(
                    "InvalidParameterException: instance {} manages identities as {}, so CreateUser needs a Password or DirectoryUserId; users of a SAML instance need neither",
                    instance.summary.id, instance.summary.identity_management_type
                ),
            ));
        }
        for id in &user.security_profile_ids {
            if !instance.security_profiles.iter().any(|p| &p.id == id) {
                return Err(not_found(
                    ACTION,
                    &format!("security profile {id}"),
                    &format!("not a security profile of instance {}", instance.summary.id),
                ));
            }
        }
        if !instance
            .routing_profiles
            .iter()
            .any(|p| p.id == user.routing_profile_id)
        {
            return Err(not_found(
                ACTION,
                &format!("routing profile {}", user.routing_profile_id),
                &format!("not a routing profile of instance {}", instance.summary.id),
            ));
        }
        if instance.users.iter().any(|u| u.username == user.username) {
            return Err(already_exists(
                ACTION,
                &format!("Connect user {}", user.username),
                "DuplicateResourceException: User with this username already exists",
            ));
        }
        let id = uuid_from(&serial);
        let created = ConnectUser {
            arn: connect_user_arn(&instance.summary.arn, &id),
            id,
            username: user.username.clone(),
        };
        instance.users.push(created.clone());
        Ok(created)
    }

    async fn list_security_profiles(&self, instance_id: &str) -> CloudResult<Vec<NamedId>> {
        const ACTION: &str = "connect:ListSecurityProfiles";
        self.enter(ACTION, context_of(ACTION)).await?;
        let state = self.lock();
        let i = state.instance(ACTION, instance_id)?;
        Ok(state.instances[i].security_profiles.clone())
    }

    async fn list_routing_profiles(&self, instance_id: &str) -> CloudResult<Vec<NamedId>> {
        const ACTION: &str = "connect:ListRoutingProfiles";
        self.enter(ACTION, context_of(ACTION)).await?;
        let state = self.lock();
        let i = state.instance(ACTION, instance_id)?;
        Ok(state.instances[i].routing_profiles.clone())
    }

    // IAM ----------------------------------------------------------------------------------------

    async fn get_saml_provider(&self, arn: &str) -> CloudResult<Option<SamlProvider>> {
        const ACTION: &str = "iam:GetSAMLProvider";
        self.enter(ACTION, context_of(ACTION)).await?;
        let name = iam_arn_name(ACTION, arn, "saml-provider")?;
        let state = self.lock();
        Ok(state.provider(name).map(|i| state.providers[i].clone()))
    }

    async fn create_saml_provider(
        &self,
        name: &str,
        metadata_document: &str,
        tags: &[Tag],
    ) -> CloudResult<String> {
        const ACTION: &str = "iam:CreateSAMLProvider";
        self.enter(ACTION, context_of(ACTION)).await?;
        check_provider_name(ACTION, name)?;
        check_metadata(ACTION, metadata_document)?;
        check_tags(ACTION, tags)?;
        let mut state = self.lock();
        if state.provider(Some(name)).is_some() {
            return Err(already_exists(
                ACTION,
                &format!("SAML provider {name}"),
                &format!("SAMLProvider {name} already exists"),
            ));
        }
        let arn = iam_arn("saml-provider", name);
        state.providers.push(SamlProvider {
            arn: arn.clone(),
            metadata_document: metadata_document.to_string(),
            tags: tags.to_vec(),
        });
        Ok(arn)
    }

    async fn update_saml_provider(&self, arn: &str, metadata_document: &str) -> CloudResult<()> {
        const ACTION: &str = "iam:UpdateSAMLProvider";
        self.enter(ACTION, context_of(ACTION)).await?;
        let name = iam_arn_name(ACTION, arn, "saml-provider")?;
        check_metadata(ACTION, metadata_document)?;
        let mut state = self.lock();
        let i = state.provider(name).ok_or_else(|| {
            not_found(
                ACTION,
                &format!("SAML provider {arn}"),
                &format!("Manifest not found for arn {arn}"),
            )
        })?;
        state.providers[i].metadata_document = metadata_document.to_string();
        Ok(())
    }

    async fn delete_saml_provider(&self, arn: &str) -> CloudResult<()> {
        const ACTION: &str = "iam:DeleteSAMLProvider";
        self.enter(ACTION, context_of(ACTION)).await?;
        let name = iam_arn_name(ACTION, arn, "saml-provider")?;
        let mut state = self.lock();
        // IAM deletes a provider that roles still trust; their SAML sign-in stops working.
        let i = state.provider(name).ok_or_else(|| {
            not_found(
                ACTION,
                &format!("SAML provider {arn}"),
                &format!("Manifest not found for arn {arn}"),
            )
        })?;
        state.providers.remove(i);
        Ok(())
    }

    async fn get_policy(&self, arn: &str) -> CloudResult<Option<ManagedPolicy>> {
        const ACTION: &str = "iam:GetPolicy";
        self.enter(ACTION, context_of(ACTION)).await?;
        let name = iam_arn_name(ACTION, arn, "policy")?;
        let state = self.lock();
        Ok(state.policy(name).map(|i| state.policies[i].policy.clone()))
    }

    async fn list_policy_versions(&self, arn: &str) -> CloudResult<Vec<PolicyVersion>> {
        const ACTION: &str = "iam:ListPolicyVersions";
        self.enter(ACTION, context_of(ACTION)).await?;
        let state = self.lock();
        let policy = &state.policies[state.policy_or_not_found(ACTION, arn)?];
        // IAM lists the newest version first.
        Ok(policy
            .versions
            .iter()
            .rev()
            .map(|v| version_of(policy, v))
            .collect())
    }

    async fn get_policy_version(&self, arn: &str, version_id: &str) -> CloudResult<Value> {
        const ACTION: &str = "iam:GetPolicyVersion";
        self.enter(ACTION, context_of(ACTION)).await?;
        check_version_id(ACTION, version_id)?;
        let state = self.lock();
        let policy = &state.policies[state.policy_or_not_found(ACTION, arn)?];
        policy
            .versions
            .iter()
            .find(|v| v.id == version_id)
            .map(|v| v.document.clone())
            .ok_or_else(|| version_not_found(ACTION, arn, version_id))
    }

    async fn create_policy(
        &self,
        name: &str,
        document: &Value,
        tags: &[Tag],
    ) -> CloudResult<String> {
        const ACTION: &str = "iam:CreatePolicy";
        self.enter(ACTION, context_of(ACTION)).await?;
        check_policy_name(ACTION, name)?;
        check_tags(ACTION, tags)?;
        let mut state = self.lock();
        check_document(
            ACTION,
            document,
            DocumentKind::Permissions,
            &state.providers,
        )?;
        if state.policy(Some(name)).is_some() {
            return Err(already_exists(
                ACTION,
                &format!("policy {name}"),
                &format!("A policy called {name} already exists. Duplicate names are not allowed."),
            ));
        }
        let arn = iam_arn("policy", name);
        let created = state.tick();
        state.policies.push(PolicyRecord {
            policy: ManagedPolicy {
                arn: arn.clone(),
                name: name.to_string(),
                default_version_id: "v1".to_string(),
                tags: tags.to_vec(),
            },
            versions: vec![VersionRecord {
                id: "v1".to_string(),
                document: document.clone(),
                created,
            }],
            next_version: 2,
        });
        Ok(arn)
    }

    async fn create_policy_version(
        &self,
        arn: &str,
        document: &Value,
        set_as_default: bool,
    ) -> CloudResult<String> {
        const ACTION: &str = "iam:CreatePolicyVersion";
        self.enter(ACTION, context_of(ACTION)).await?;
        let mut state = self.lock();
        let i = state.policy_or_not_found(ACTION, arn)?;
        check_document(
            ACTION,
            document,
            DocumentKind::Permissions,
            &state.providers,
        )?;
        if state.policies[i].versions.len() >= MAX_POLICY_VERSIONS {
            return Err(limit_exceeded(
                ACTION,
                "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.",
            ));
        }
        let created = state.tick();
        let policy = &mut state.policies[i];
        let id = format!("v{}", policy.next_version);
        policy.next_version = policy.next_version.saturating_add(1);
        policy.versions.push(VersionRecord {
            id: id.clone(),
            document: document.clone(),
            created,
        });
        if set_as_default {
            policy.policy.default_version_id = id.clone();
        }
        Ok(id)
    }

    async fn delete_policy_version(&self, arn: &str, version_id: &str) -> CloudResult<()> {
        const ACTION: &str = "iam:DeletePolicyVersion";
        self.enter(ACTION, context_of(ACTION)).await?;
        check_version_id(ACTION, version_id)?;
        let mut state = self.lock();
        let i = state.policy_or_not_found(ACTION, arn)?;
        let policy = &mut state.policies[i];
        let position = policy
            .versions
            .iter()
            .position(|v| v.id == version_id)
            .ok_or_else(|| version_not_found(ACTION, arn, version_id))?;
        if policy.policy.default_version_id == version_id {
            return Err(invalid(
                ACTION,
                "DeleteConflict: Cannot delete the default version of a policy.",
            ));
        }
        policy.versions.remove(position);
        Ok(())
    }

    async fn delete_policy(&self, arn: &str) -> CloudResult<()> {
        const ACTION: &str = "iam:DeletePolicy";
        self.enter(ACTION, context_of(ACTION)).await?;
        let mut state = self.lock();
        let i = state.policy_or_not_found(ACTION, arn)?;
        let policy_arn = state.policies[i].policy.arn.clone();
        if state
            .roles
            .iter()
            .any(|r| r.attached.iter().any(|a| a.arn == policy_arn))
        {
            return Err(delete_conflict(
                ACTION,
                &format!("policy {arn}"),
                "Cannot delete a policy attached to entities.",
            ));
        }
        if state.policies[i].versions.len() > 1 {
            return Err(delete_conflict(
                ACTION,
                &format!("policy {arn}"),
                "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
            ));
        }
        state.policies.remove(i);
        Ok(())
    }

    async fn list_entities_for_policy(&self, arn: &str) -> CloudResult<PolicyEntities> {
        const ACTION: &str = "iam:ListEntitiesForPolicy";
        self.enter(ACTION, context_of(ACTION)).await?;
        let state = self.lock();
        let i = state.policy_or_not_found(ACTION, arn)?;
        let policy_arn = &state.policies[i].policy.arn;
        // The sandbox has no IAM users or groups: only roles can hold a policy.
        Ok(PolicyEntities {
            roles: state
                .roles
                .iter()
                .filter(|r| r.attached.iter().any(|a| &a.arn == policy_arn))
                .map(|r| r.role.name.clone())
                .collect(),
            users: Vec::new(),
            groups: Vec::new(),
        })
    }

    async fn get_role(&self, name: &str) -> CloudResult<Option<Role>> {
        const ACTION: &str = "iam:GetRole";
        self.enter(ACTION, context_of(ACTION)).await?;
        check_role_name(ACTION, name)?;
        let state = self.lock();
        Ok(state.role(name).map(|i| state.roles[i].role.clone()))
    }

    async fn create_role(
        &self,
        name: &str,
        trust_policy: &Value,
        tags: &[Tag],
    ) -> CloudResult<String> {
        const ACTION: &str = "iam:CreateRole";
        self.enter(ACTION, context_of(ACTION)).await?;
        check_role_name(ACTION, name)?;
        check_tags(ACTION, tags)?;
        let mut state = self.lock();
        check_document(ACTION, trust_policy, DocumentKind::Trust, &state.providers)?;
        if state.role(name).is_some() {
            return Err(already_exists(
                ACTION,
                &format!("role {name}"),
                &format!("Role with name {name} already exists."),
            ));
        }
        let arn = iam_arn("role", name);
        state.roles.push(RoleRecord {
            role: Role {
                name: name.to_string(),
                arn: arn.clone(),
                trust_policy: trust_policy.clone(),
                tags: tags.to_vec(),
            },
            attached: Vec::new(),
            inline: Vec::new(),
        });
        Ok(arn)
    }

    async fn update_assume_role_policy(&self, name: &str, trust_policy: &Value) -> CloudResult<()> {
        const ACTION: &str = "iam:UpdateAssumeRolePolicy";
        self.enter(ACTION, context_of(ACTION)).await?;
        check_role_name(ACTION, name)?;
        let mut state = self.lock();
        let i = state.role_or_not_found(ACTION, name)?;
        check_document(ACTION, trust_policy, DocumentKind::Trust, &state.providers)?;
        state.roles[i].role.trust_policy = trust_policy.clone();
        Ok(())
    }

    async fn list_attached_role_policies(&self, name: &str) -> CloudResult<Vec<AttachedPolicy>> {
        const ACTION: &str = "iam:ListAttachedRolePolicies";
        self.enter(ACTION, context_of(ACTION)).await?;
        check_role_name(ACTION, name)?;
        let state = self.lock();
        let i = state.role_or_not_found(ACTION, name)?;
        Ok(state.roles[i].attached.clone())
    }

    async fn list_role_policies(&self, name: &str) -> CloudResult<Vec<String>> {
        const ACTION: &str = "iam:ListRolePolicies";
        self.enter(ACTION, context_of(ACTION)).await?;
        check_role_name(ACTION, name)?;
        let state = self.lock();
        let i = state.role_or_not_found(ACTION, name)?;
        let mut names: Vec<String> = state.roles[i]
            .inline
            .iter()
            .map(|(n, _)| n.clone())
            .collect();
        names.sort();
        Ok(names)
    }

    async fn attach_role_policy(&self, name: &str, policy_arn: &str) -> CloudResult<()> {
        const ACTION: &str = "iam:AttachRolePolicy";
        self.enter(ACTION, context_of(ACTION)).await?;
        check_role_name(ACTION, name)?;
        let mut state = self.lock();
        let r = state.role_or_not_found(ACTION, name)?;
        let p = state.policy_or_not_found(ACTION, policy_arn)?;
        let attached = AttachedPolicy {
            name: state.policies[p].policy.name.clone(),
            arn: state.policies[p].policy.arn.clone(),
        };
        let role = &mut state.roles[r];
        // Attaching an attached policy again succeeds and changes nothing.
        if role.attached.contains(&attached) {
            return Ok(());
        }
        if role.attached.len() >= MAX_ATTACHED_POLICIES {
            return Err(limit_exceeded(
                ACTION,
                &format!("Cannot exceed quota for PoliciesPerRole: {MAX_ATTACHED_POLICIES}"),
            ));
        }
        role.attached.push(attached);
        Ok(())
    }

    async fn detach_role_policy(&self, name: &str, policy_arn: &str) -> CloudResult<()> {
        const ACTION: &str = "iam:DetachRolePolicy";
        self.enter(ACTION, context_of(ACTION)).await?;
        check_role_name(ACTION, name)?;
        let mut state = self.lock();
        let r = state.role_or_not_found(ACTION, name)?;
        let p = state.policy_or_not_found(ACTION, policy_arn)?;
        let arn = state.policies[p].policy.arn.clone();
        let attached = &mut state.roles[r].attached;
        let position = attached.iter().position(|a| a.arn == arn).ok_or_else(|| {
            not_found(
                ACTION,
                &format!("policy {policy_arn} on role {name}"),
                &format!("Policy {policy_arn} was not found."),
            )
        })?;
        attached.remove(position);
        Ok(())
    }

    async fn delete_role(&self, name: &str) -> CloudResult<()> {
        const ACTION: &str = "iam:DeleteRole";
        self.enter(ACTION, context_of(ACTION)).await?;
        check_role_name(ACTION, name)?;
        let mut state = self.lock();
        let i = state.role_or_not_found(ACTION, name)?;
        let what = format!("role {name}");
        if !state.roles[i].attached.is_empty() {
            return Err(delete_conflict(
                ACTION,
                &what,
                "Cannot delete entity, must detach all policies first.",
            ));
        }
        if !state.roles[i].inline.is_empty() {
            return Err(delete_conflict(
                ACTION,
                &what,
                "Cannot delete entity, must delete policies first.",
            ));
        }
        state.roles.remove(i);
        Ok(())
    }

    async fn list_roles(&self) -> CloudResult<Vec<Role>> {
        const ACTION: &str = "iam:ListRoles";
        self.enter(ACTION, context_of(ACTION)).await?;
        let state = self.lock();
        let mut roles: Vec<Role> = state
            .roles
            .iter()
            .map(|r| Role {
                // ListRoles does not return tags (only GetRole does), so neither does this.
                tags: Vec::new(),
                ..r.role.clone()
            })
            .collect();
        roles.sort_by_key(|r| r.name.to_ascii_lowercase());
        Ok(roles)
    }
}

fn version_not_found(action: &str, arn: &str, version_id: &str) -> CloudError {
    not_found(
        action,
        &format!("version {version_id} of policy {arn}"),
        &format!("Policy {arn} version {version_id} does not exist or is not attachable."),
    )
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Instant;

    use serde_json::json;

    use super::*;
    use crate::cloud::managed_tags;

    const METADATA: &str = include_str!("../../tests/fixtures/metadata/idc-metadata.xml");

    fn permissions() -> Value {
        crate::domain::policy::permissions_policy(SANDBOX_INSTANCE_ARN)
    }

    fn trust(provider_arn: &str) -> Value {
        crate::domain::policy::trust_policy(
            provider_arn,
            &["https://signin.aws.amazon.com/saml".to_string()],
        )
    }

    fn new_user(username: &str) -> NewConnectUser {
        NewConnectUser {
            username: username.to_string(),
            first_name: "Kwame".to_string(),
            last_name: "Mensah".to_string(),
            security_profile_ids: vec![SANDBOX_AGENT_SECURITY_PROFILE_ID.to_string()],
            routing_profile_id: SANDBOX_ROUTING_PROFILE_ID.to_string(),
        }
    }

    fn is_invalid<T: fmt::Debug>(r: CloudResult<T>) -> String {
        match r {
            Err(CloudError::Invalid { message, .. }) => message,
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    fn is_not_found<T: fmt::Debug>(r: CloudResult<T>) {
        assert!(
            matches!(r, Err(CloudError::NotFound { .. })),
            "expected NotFound, got {r:?}"
        );
    }

    /// A sandbox with the SAML provider, policy and role a finished step 6 leaves behind.
    async fn with_iam() -> (Sandbox, String, String) {
        let sb = Sandbox::new();
        let provider = sb
            .create_saml_provider("IdC", METADATA, &managed_tags(SANDBOX_INSTANCE_ID))
            .await
            .unwrap();
        let policy = sb.create_policy("Fed", &permissions(), &[]).await.unwrap();
        sb.create_role("Fed", &trust(&provider), &managed_tags(SANDBOX_INSTANCE_ID))
            .await
            .unwrap();
        (sb, provider, policy)
    }

    #[test]
    fn sandbox_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Sandbox>();
    }

    #[test]
    fn seed_constants_agree_with_each_other() {
        assert_eq!(
            SANDBOX_INSTANCE_ARN,
            format!(
                "arn:aws:connect:{SANDBOX_REGION}:{SANDBOX_ACCOUNT}:instance/{SANDBOX_INSTANCE_ID}"
            )
        );
        assert_eq!(
            SANDBOX_LEGACY_INSTANCE_ARN,
            format!(
                "arn:aws:connect:{SANDBOX_REGION}:{SANDBOX_ACCOUNT}:instance/{SANDBOX_LEGACY_INSTANCE_ID}"
            )
        );
        assert!(SANDBOX_CALLER_ARN.contains(SANDBOX_ACCOUNT));
        assert!(
            SANDBOX_SECURITY_PROFILES
                .iter()
                .any(|(n, id)| *n == "Agent" && *id == SANDBOX_AGENT_SECURITY_PROFILE_ID)
        );
        for id in [
            SANDBOX_INSTANCE_ID,
            SANDBOX_LEGACY_INSTANCE_ID,
            SANDBOX_ROUTING_PROFILE_ID,
        ]
        .into_iter()
        .chain(SANDBOX_SECURITY_PROFILES.iter().map(|(_, id)| *id))
        {
            assert!(crate::domain::input::InstanceId::parse(id).is_ok(), "{id}");
        }
        assert!(SANDBOX_USERS.iter().any(|u| u.user_name != u.email));
        assert!(
            SANDBOX_USERS
                .iter()
                .any(|u| u.email == "Li.Wei@Example.com")
        );
        assert!(
            SANDBOX_USERS
                .iter()
                .any(|u| u.email == SANDBOX_EXISTING_CONNECT_USERNAME)
        );
    }

    #[tokio::test]
    async fn seed_is_a_realistic_account() {
        let sb = Sandbox::new();
        for context in [Context::Identity, Context::Connect] {
            let me = sb.caller_identity(context).await.unwrap();
            assert_eq!(me.account, SANDBOX_ACCOUNT);
            assert_eq!(me.arn, SANDBOX_CALLER_ARN);
        }
        let idc = sb.list_idc_instances().await.unwrap();
        assert_eq!(idc.len(), 1);
        assert_eq!(idc[0].instance_arn, SANDBOX_IDC_INSTANCE_ARN);
        assert_eq!(idc[0].identity_store_id, SANDBOX_IDENTITY_STORE_ID);

        let users = sb.list_users(SANDBOX_IDENTITY_STORE_ID).await.unwrap();
        assert_eq!(users.len(), 6);
        assert!(
            users
                .iter()
                .all(|u| u.given_name.is_some() && u.family_name.is_some() && u.emails.len() == 1)
        );

        let instances = sb.list_connect_instances().await.unwrap();
        let types: Vec<(&str, &str)> = instances
            .iter()
            .map(|i| {
                (
                    i.alias.as_deref().unwrap(),
                    i.identity_management_type.as_str(),
                )
            })
            .collect();
        assert_eq!(
            types,
            [
                (SANDBOX_INSTANCE_ALIAS, "SAML"),
                (SANDBOX_LEGACY_INSTANCE_ALIAS, "CONNECT_MANAGED")
            ]
        );
        assert!(instances.iter().all(|i| i.status == "ACTIVE"));

        let profiles = sb
            .list_security_profiles(SANDBOX_INSTANCE_ID)
            .await
            .unwrap();
        let names: Vec<&str> = profiles.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            ["Admin", "Agent", "CallCenterManager", "QualityAnalyst"]
        );
        let routing = sb.list_routing_profiles(SANDBOX_INSTANCE_ID).await.unwrap();
        assert_eq!(
            routing,
            [named(SANDBOX_ROUTING_PROFILE_ID, "Basic Routing Profile")]
        );

        let maria = sb
            .search_connect_user(SANDBOX_INSTANCE_ID, SANDBOX_EXISTING_CONNECT_USERNAME)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(maria.id, SANDBOX_EXISTING_CONNECT_USER_ID);
        assert_eq!(
            maria.arn,
            format!("{SANDBOX_INSTANCE_ARN}/agent/{SANDBOX_EXISTING_CONNECT_USER_ID}")
        );

        assert!(
            sb.list_applications(SANDBOX_IDC_INSTANCE_ARN)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(sb.list_roles().await.unwrap().is_empty());
        let snapshot = sb.snapshot();
        assert!(snapshot.saml_providers.is_empty());
        assert!(snapshot.policies.is_empty());
        assert!(snapshot.roles.is_empty());
        assert!(snapshot.applications.is_empty());
    }

    #[tokio::test]
    async fn connect_instances_are_found_by_id_or_arn() {
        let sb = Sandbox::new();
        let by_id = sb
            .describe_connect_instance(SANDBOX_INSTANCE_ID)
            .await
            .unwrap();
        let by_arn = sb
            .describe_connect_instance(SANDBOX_INSTANCE_ARN)
            .await
            .unwrap();
        assert_eq!(by_id, by_arn);
        assert_eq!(by_id.unwrap().identity_management_type, "SAML");
        let legacy = sb
            .describe_connect_instance(SANDBOX_LEGACY_INSTANCE_ID)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(legacy.identity_management_type, "CONNECT_MANAGED");
        let missing = "00000000-0000-4000-8000-000000000000";
        assert_eq!(sb.describe_connect_instance(missing).await.unwrap(), None);
        is_not_found(sb.search_connect_user(missing, "x").await);
        is_not_found(sb.list_security_profiles(missing).await);
        is_not_found(sb.list_routing_profiles(missing).await);
        is_invalid(sb.describe_connect_instance("").await);
    }

    #[tokio::test]
    async fn identity_store_lookups_follow_identity_center() {
        let sb = Sandbox::new();
        let store = SANDBOX_IDENTITY_STORE_ID;
        let maria = SANDBOX_USERS[0].user_id;
        // User names match exactly; emails regardless of case.
        assert_eq!(
            sb.user_id_by_user_name(store, "maria.garcia@example.com")
                .await
                .unwrap()
                .as_deref(),
            Some(maria)
        );
        assert_eq!(
            sb.user_id_by_user_name(store, "Maria.Garcia@example.com")
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            sb.user_id_by_email(store, "MARIA.GARCIA@EXAMPLE.COM")
                .await
                .unwrap()
                .as_deref(),
            Some(maria)
        );
        let li = SANDBOX_USERS[3];
        assert_eq!(
            sb.user_id_by_email(store, "li.wei@example.com")
                .await
                .unwrap()
                .as_deref(),
            Some(li.user_id)
        );
        // The user whose user name is not the email is found by either.
        let aisha = SANDBOX_USERS[2];
        assert_eq!(
            sb.user_id_by_user_name(store, aisha.user_name)
                .await
                .unwrap(),
            sb.user_id_by_email(store, aisha.email).await.unwrap()
        );
        assert_eq!(
            sb.user_id_by_email(store, "nobody@example.com")
                .await
                .unwrap(),
            None
        );

        let described = sb.describe_user(store, li.user_id).await.unwrap().unwrap();
        assert_eq!(described.display_name.as_deref(), Some("Li Wei"));
        assert_eq!(described.emails, ["Li.Wei@Example.com"]);
        assert_eq!(sb.describe_user(store, "nope").await.unwrap(), None);

        let message = is_invalid(sb.list_users("d-NOTHEX").await);
        assert!(message.contains("identityStoreId"), "{message}");
        is_not_found(sb.user_id_by_user_name("d-0123456789", "x").await);
    }

    #[tokio::test]
    async fn applications_come_from_the_console_simulation() {
        let sb = Sandbox::new();
        let arn = sb.simulate_create_application("Amazon Connect");
        assert!(
            arn.starts_with("arn:aws:sso::111122223333:application/ssoins-7223a1b2c3d4e5f6/apl-"),
            "{arn}"
        );
        let id = arn.rsplit("apl-").next().unwrap();
        assert_eq!(id.len(), 16);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
        // The console allows two applications with one display name; the wizard warns.
        let second = sb.simulate_create_application("Amazon Connect");
        assert_ne!(arn, second);
        let apps = sb
            .list_applications(SANDBOX_IDC_INSTANCE_ARN)
            .await
            .unwrap();
        assert_eq!(apps.len(), 2);
        assert!(apps.iter().all(|a| a.name == "Amazon Connect"
            && a.provider_arn == CUSTOM_SAML_PROVIDER
            && a.status.as_deref() == Some("ENABLED")));
        assert_eq!(sb.calls(), ["sso:ListApplications"]);

        is_invalid(sb.list_applications("arn:aws:sso:::instance/bad").await);
        is_not_found(
            sb.list_applications("arn:aws:sso:::instance/ssoins-0000000000000000")
                .await,
        );
    }

    #[tokio::test]
    async fn assignments_are_created_once() {
        let sb = Sandbox::new();
        let app = sb.simulate_create_application("Amazon Connect");
        let kwame = SANDBOX_USERS[1].user_id;
        assert!(
            sb.list_application_assignments(&app)
                .await
                .unwrap()
                .is_empty()
        );
        sb.create_application_assignment(&app, kwame).await.unwrap();
        assert_eq!(
            sb.list_application_assignments(&app).await.unwrap(),
            [ApplicationAssignment {
                principal_id: kwame.to_string(),
                principal_type: "USER".to_string()
            }]
        );
        assert!(matches!(
            sb.create_application_assignment(&app, kwame).await,
            Err(CloudError::AlreadyExists { .. })
        ));
        is_not_found(sb.create_application_assignment(&app, "no-such-user").await);
        let other = format!(
            "arn:aws:sso::{SANDBOX_ACCOUNT}:application/ssoins-7223a1b2c3d4e5f6/apl-0000000000000000"
        );
        is_not_found(sb.create_application_assignment(&other, kwame).await);
        is_not_found(sb.list_application_assignments(&other).await);
        is_invalid(sb.list_application_assignments("apl-1").await);
        assert_eq!(sb.snapshot().applications[0].assignments.len(), 1);
    }

    #[tokio::test]
    async fn connect_users_follow_connect_rules() {
        let sb = Sandbox::new();
        let id = SANDBOX_INSTANCE_ID;
        // SearchUsers EXACT is case-sensitive.
        assert_eq!(
            sb.search_connect_user(id, "Maria.Garcia@example.com")
                .await
                .unwrap(),
            None
        );
        let created = sb
            .create_connect_user(id, &new_user("kwame.mensah@example.com"))
            .await
            .unwrap();
        assert!(is_uuid(&created.id), "{}", created.id);
        assert_eq!(
            created.arn,
            format!("{SANDBOX_INSTANCE_ARN}/agent/{}", created.id)
        );
        assert_eq!(
            sb.search_connect_user(id, "kwame.mensah@example.com")
                .await
                .unwrap(),
            Some(created)
        );
        assert!(matches!(
            sb.create_connect_user(id, &new_user(SANDBOX_EXISTING_CONNECT_USERNAME))
                .await,
            Err(CloudError::AlreadyExists { .. })
        ));
        // Only the case differs: a different Connect user.
        sb.create_connect_user(id, &new_user("Kwame.Mensah@example.com"))
            .await
            .unwrap();

        is_invalid(sb.create_connect_user(id, &new_user("kwame mensah")).await);
        is_invalid(sb.create_connect_user(id, &new_user("")).await);
        is_invalid(
            sb.create_connect_user(id, &new_user(&"a".repeat(101)))
                .await,
        );
        sb.create_connect_user(id, &new_user(&"a".repeat(100)))
            .await
            .unwrap();

        let mut no_name = new_user("x1");
        no_name.first_name.clear();
        is_invalid(sb.create_connect_user(id, &no_name).await);
        let mut no_profiles = new_user("x2");
        no_profiles.security_profile_ids.clear();
        is_invalid(sb.create_connect_user(id, &no_profiles).await);
        let mut bad_profile = new_user("x3");
        bad_profile.security_profile_ids.push("nope".to_string());
        is_not_found(sb.create_connect_user(id, &bad_profile).await);
        let mut bad_routing = new_user("x4");
        bad_routing.routing_profile_id = "nope".to_string();
        is_not_found(sb.create_connect_user(id, &bad_routing).await);

        // The legacy instance's own profiles, but no password: refused as on AWS.
        let legacy = SANDBOX_LEGACY_INSTANCE_ID;
        let profiles = sb.list_security_profiles(legacy).await.unwrap();
        let routing = sb.list_routing_profiles(legacy).await.unwrap();
        let mut user = new_user("x5");
        user.security_profile_ids = vec![profiles[1].id.clone()];
        user.routing_profile_id = routing[0].id.clone();
        let message = is_invalid(sb.create_connect_user(legacy, &user).await);
        assert!(message.contains("CONNECT_MANAGED"), "{message}");

        let users = &sb.snapshot().connect_instances[0].users;
        assert_eq!(users.len(), 4);
    }

    #[tokio::test]
    async fn iam_names_are_validated_as_iam_does() {
        let sb = Sandbox::new();
        let t = trust("arn:aws:iam::999999999999:saml-provider/Other");
        sb.create_role(&"r".repeat(64), &t, &[]).await.unwrap();
        let message = is_invalid(sb.create_role(&"r".repeat(65), &t, &[]).await);
        assert!(
            message.contains("'roleName'") && message.contains("less than or equal to 64"),
            "{message}"
        );
        let message = is_invalid(sb.create_role("has space", &t, &[]).await);
        assert!(message.contains(r"[\w+=,.@-]+"), "{message}");
        is_invalid(sb.create_role("", &t, &[]).await);
        is_invalid(sb.get_role("bad/name").await);

        sb.create_policy(&"p".repeat(128), &permissions(), &[])
            .await
            .unwrap();
        is_invalid(
            sb.create_policy(&"p".repeat(129), &permissions(), &[])
                .await,
        );
        is_invalid(sb.create_policy("naïve", &permissions(), &[]).await);

        let message = is_invalid(sb.create_saml_provider("a+b", METADATA, &[]).await);
        assert!(message.contains(r"[\w._-]+"), "{message}");
        sb.create_saml_provider(&"s".repeat(128), METADATA, &[])
            .await
            .unwrap();
        is_invalid(
            sb.create_saml_provider(&"s".repeat(129), METADATA, &[])
                .await,
        );
    }

    #[tokio::test]
    async fn malformed_policy_documents_are_refused() {
        let sb = Sandbox::new();
        let cases = [
            (json!("a string"), "Syntax errors"),
            (json!({"Statement": []}), "Version"),
            (
                json!({"Version": "2012-10-18", "Statement": []}),
                "legacy parsing",
            ),
            (json!({"Version": "2012-10-17"}), "Statement"),
            (
                json!({"Version": "2012-10-17", "Statement": "Allow"}),
                "Syntax errors",
            ),
            (
                json!({"Version": "2012-10-17", "Statement": [1]}),
                "Syntax errors",
            ),
            (
                json!({"Version": "2012-10-17", "Statement": {"Effect": "allow", "Action": "s3:*", "Resource": "*"}}),
                "Invalid effect: allow",
            ),
            (
                json!({"Version": "2012-10-17", "Statement": [{"Action": "s3:*", "Resource": "*"}]}),
                "Effect",
            ),
            (
                json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*"}]}),
                "must contain actions",
            ),
            (
                json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "GetFederationToken", "Resource": "*"}]}),
                "prefaced by a vendor",
            ),
            (
                json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*"}]}),
                "must contain resources",
            ),
            (
                json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Principal": "*"}]}),
                "should not specify a principal",
            ),
            (
                json!({"Version": "2012-10-17", "Statement": [
                    {"Sid": "A", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
                    {"Sid": "A", "Effect": "Deny", "Action": "s3:*", "Resource": "*"}
                ]}),
                "must be unique",
            ),
        ];
        for (doc, expected) in cases {
            let message = is_invalid(sb.create_policy("P", &doc, &[]).await);
            assert!(
                message.starts_with("MalformedPolicyDocument: "),
                "{message}"
            );
            assert!(message.contains(expected), "{doc}: {message}");
        }
        // A single statement object and the 2008 version are both valid IAM.
        sb.create_policy(
            "Single",
            &json!({"Version": "2008-10-17", "Statement": {"Effect": "Deny", "NotAction": "s3:*", "NotResource": "*"}}),
            &[],
        )
        .await
        .unwrap();

        let big = json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "x".repeat(6_200)}
        ]});
        assert!(matches!(
            sb.create_policy("Big", &big, &[]).await,
            Err(CloudError::LimitExceeded { .. })
        ));
        assert!(
            sb.snapshot()
                .policies
                .iter()
                .all(|p| p.policy.name == "Single")
        );
    }

    #[tokio::test]
    async fn trust_policies_need_a_principal_that_exists() {
        let sb = Sandbox::new();
        let provider = iam_arn("saml-provider", "IdC");
        // IAM resolves the federated principal: the provider must exist first (6a before 6c).
        let message = is_invalid(sb.create_role("Fed", &trust(&provider), &[]).await);
        assert!(message.contains("Invalid principal in policy"), "{message}");
        sb.create_saml_provider("IdC", METADATA, &[]).await.unwrap();
        sb.create_role("Fed", &trust(&provider), &[]).await.unwrap();

        let mut with_resource = trust(&provider);
        with_resource["Statement"][0]["Resource"] = json!("*");
        let message = is_invalid(sb.update_assume_role_policy("Fed", &with_resource).await);
        assert!(message.contains("prohibited field Resource"), "{message}");
        let mut no_principal = trust(&provider);
        no_principal["Statement"][0]
            .as_object_mut()
            .unwrap()
            .remove("Principal");
        let message = is_invalid(sb.update_assume_role_policy("Fed", &no_principal).await);
        assert!(message.contains("Principal"), "{message}");
        // A permissions policy is not a trust policy.
        is_invalid(sb.update_assume_role_policy("Fed", &permissions()).await);

        let many: Vec<String> = (0..60)
            .map(|i| format!("https://region-{i}.signin.aws.amazon.com/saml"))
            .collect();
        let huge = crate::domain::policy::trust_policy(&provider, &many);
        assert!(matches!(
            sb.update_assume_role_policy("Fed", &huge).await,
            Err(CloudError::LimitExceeded { .. })
        ));
        assert_eq!(
            sb.get_role("Fed").await.unwrap().unwrap().trust_policy,
            trust(&provider)
        );
    }

    #[tokio::test]
    async fn policy_versions_behave_like_iam() {
        let sb = Sandbox::new();
        let arn = sb.create_policy("Fed", &permissions(), &[]).await.unwrap();
        let doc = |n: u32| {
            json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "connect:GetFederationToken", "Resource": format!("r{n}")}
            ]})
        };
        for n in 2..=5 {
            assert_eq!(
                sb.create_policy_version(&arn, &doc(n), false)
                    .await
                    .unwrap(),
                format!("v{n}")
            );
        }
        let versions = sb.list_policy_versions(&arn).await.unwrap();
        let ids: Vec<&str> = versions.iter().map(|v| v.version_id.as_str()).collect();
        assert_eq!(ids, ["v5", "v4", "v3", "v2", "v1"], "newest first");
        assert!(versions.windows(2).all(|w| w[0].created > w[1].created));
        assert_eq!(
            versions.iter().filter(|v| v.is_default).count(),
            1,
            "exactly one default"
        );
        assert!(matches!(
            sb.create_policy_version(&arn, &doc(6), true).await,
            Err(CloudError::LimitExceeded { .. })
        ));
        let message = is_invalid(sb.delete_policy_version(&arn, "v1").await);
        assert!(message.contains("default version"), "{message}");
        sb.delete_policy_version(&arn, "v2").await.unwrap();
        is_not_found(sb.delete_policy_version(&arn, "v2").await);
        is_not_found(sb.get_policy_version(&arn, "v2").await);
        // IAM never reuses a version number.
        assert_eq!(
            sb.create_policy_version(&arn, &doc(6), true).await.unwrap(),
            "v6"
        );
        let policy = sb.get_policy(&arn).await.unwrap().unwrap();
        assert_eq!(policy.default_version_id, "v6");
        assert_eq!(sb.get_policy_version(&arn, "v6").await.unwrap(), doc(6));
        sb.delete_policy_version(&arn, "v1").await.unwrap();

        is_invalid(sb.get_policy_version(&arn, "1").await);
        is_invalid(sb.get_policy_version(&arn, "v0").await);
        is_invalid(sb.get_policy("not-an-arn").await);
        let missing = iam_arn("policy", "Missing");
        assert_eq!(sb.get_policy(&missing).await.unwrap(), None);
        is_not_found(sb.list_policy_versions(&missing).await);
        is_not_found(sb.create_policy_version(&missing, &doc(1), true).await);
        is_not_found(sb.delete_policy_version(&missing, "v1").await);
        // Another account's policy is nothing this account holds.
        assert_eq!(
            sb.get_policy("arn:aws:iam::999999999999:policy/Fed")
                .await
                .unwrap(),
            None
        );
    }

    #[tokio::test]
    async fn iam_names_ignore_case() {
        let (sb, provider, policy) = with_iam().await;
        assert!(matches!(
            sb.create_role("FED", &trust(&provider), &[]).await,
            Err(CloudError::AlreadyExists { .. })
        ));
        assert!(matches!(
            sb.create_policy("fed", &permissions(), &[]).await,
            Err(CloudError::AlreadyExists { .. })
        ));
        let role = sb.get_role("fed").await.unwrap().unwrap();
        assert_eq!(role.name, "Fed");
        assert_eq!(role.arn, "arn:aws:iam::111122223333:role/Fed");
        let by_other_case = policy.replace("/Fed", "/FED");
        assert_eq!(
            sb.get_policy(&by_other_case).await.unwrap().unwrap().arn,
            policy
        );
        // SAML provider names are not among the case-insensitive ones.
        sb.create_saml_provider("idc", METADATA, &[]).await.unwrap();
    }

    #[tokio::test]
    async fn roles_attach_and_list_like_iam() {
        let (sb, provider, policy) = with_iam().await;
        sb.attach_role_policy("Fed", &policy).await.unwrap();
        sb.attach_role_policy("Fed", &policy).await.unwrap();
        assert_eq!(
            sb.list_attached_role_policies("Fed").await.unwrap(),
            [AttachedPolicy {
                name: "Fed".to_string(),
                arn: policy.clone()
            }]
        );
        is_not_found(
            sb.attach_role_policy("Fed", &iam_arn("policy", "Missing"))
                .await,
        );
        is_not_found(
            sb.attach_role_policy("Fed", "arn:aws:iam::aws:policy/AdministratorAccess")
                .await,
        );
        is_invalid(sb.attach_role_policy("Fed", "AdministratorAccess").await);
        for n in 2..=10 {
            let arn = sb
                .create_policy(&format!("Extra{n}"), &permissions(), &[])
                .await
                .unwrap();
            sb.attach_role_policy("Fed", &arn).await.unwrap();
        }
        let eleventh = sb
            .create_policy("Extra11", &permissions(), &[])
            .await
            .unwrap();
        assert!(matches!(
            sb.attach_role_policy("Fed", &eleventh).await,
            Err(CloudError::LimitExceeded { .. })
        ));

        sb.create_role("another", &trust(&provider), &[])
            .await
            .unwrap();
        let roles = sb.list_roles().await.unwrap();
        let names: Vec<&str> = roles.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["another", "Fed"]);
        // ListRoles leaves tags out; GetRole has them.
        assert!(roles.iter().all(|r| r.tags.is_empty()));
        assert_eq!(
            sb.get_role("Fed").await.unwrap().unwrap().tags,
            managed_tags(SANDBOX_INSTANCE_ID)
        );

        let missing = "Missing";
        assert_eq!(sb.get_role(missing).await.unwrap(), None);
        is_not_found(
            sb.update_assume_role_policy(missing, &trust(&provider))
                .await,
        );
        is_not_found(sb.list_attached_role_policies(missing).await);
        is_not_found(sb.list_role_policies(missing).await);
        is_not_found(sb.attach_role_policy(missing, &policy).await);
    }

    #[tokio::test]
    async fn inline_policies_can_be_simulated() {
        let (sb, _, _) = with_iam().await;
        assert!(sb.list_role_policies("Fed").await.unwrap().is_empty());
        sb.simulate_put_role_policy("Fed", "Extra", &permissions())
            .unwrap();
        sb.simulate_put_role_policy("Fed", "Extra", &permissions())
            .unwrap();
        sb.simulate_put_role_policy("Fed", "Another", &permissions())
            .unwrap();
        assert_eq!(
            sb.list_role_policies("Fed").await.unwrap(),
            ["Another", "Extra"]
        );
        is_not_found(sb.simulate_put_role_policy("Missing", "X", &permissions()));
        is_invalid(sb.simulate_put_role_policy("Fed", "X", &json!({})));
        assert!(!sb.calls().contains(&"iam:PutRolePolicy".to_string()));
    }

    #[tokio::test]
    async fn saml_providers_validate_metadata_and_arns() {
        let sb = Sandbox::new();
        let message = is_invalid(sb.create_saml_provider("IdC", "<xml/>", &[]).await);
        assert!(message.starts_with("Could not parse metadata"), "{message}");
        let not_metadata = format!("<html><body>{}</body></html>", " ".repeat(1_000));
        is_invalid(sb.create_saml_provider("IdC", &not_metadata, &[]).await);
        assert!(sb.snapshot().saml_providers.is_empty());

        let arn = sb.create_saml_provider("IdC", METADATA, &[]).await.unwrap();
        is_invalid(sb.update_saml_provider(&arn, "short").await);
        is_not_found(
            sb.update_saml_provider(&iam_arn("saml-provider", "Missing"), METADATA)
                .await,
        );
        is_invalid(sb.get_saml_provider("saml-provider/IdC").await);
        assert_eq!(
            sb.get_saml_provider("arn:aws:iam::999999999999:saml-provider/IdC")
                .await
                .unwrap(),
            None
        );
        // A role ARN is not a provider ARN.
        assert_eq!(
            sb.get_saml_provider(&iam_arn("role", "IdC")).await.unwrap(),
            None
        );
    }

    #[tokio::test]
    async fn tags_are_validated_as_iam_does() {
        let sb = Sandbox::new();
        let message = is_invalid(
            sb.create_policy(
                "P",
                &permissions(),
                &[Tag::new("Team", "a"), Tag::new("team", "b")],
            )
            .await,
        );
        assert!(message.contains("case insensitive"), "{message}");
        is_invalid(
            sb.create_policy("P", &permissions(), &[Tag::new("aws:owner", "me")])
                .await,
        );
        is_invalid(
            sb.create_policy("P", &permissions(), &[Tag::new("", "x")])
                .await,
        );
        is_invalid(
            sb.create_policy("P", &permissions(), &[Tag::new("k", &"v".repeat(257))])
                .await,
        );
        is_invalid(
            sb.create_policy("P", &permissions(), &[Tag::new("semi;colon", "x")])
                .await,
        );
        let many: Vec<Tag> = (0..51).map(|i| Tag::new(&format!("k{i}"), "v")).collect();
        is_invalid(sb.create_policy("P", &permissions(), &many).await);
        let tags = vec![
            Tag::new("Cost Center", "12:34/ab=c+d-e@f_g.h"),
            Tag::new("e", ""),
        ];
        let arn = sb.create_policy("P", &permissions(), &tags).await.unwrap();
        assert_eq!(sb.get_policy(&arn).await.unwrap().unwrap().tags, tags);
    }

    #[tokio::test]
    async fn faults_fail_matching_calls_as_often_as_asked() {
        let sb = Sandbox::with_options(SandboxOptions {
            latency: Duration::ZERO,
            faults: vec![parse_fault("throttle:iam:CreateRole:2").unwrap()],
        });
        let (provider, t) = {
            let p = sb.create_saml_provider("IdC", METADATA, &[]).await.unwrap();
            (p.clone(), trust(&p))
        };
        for _ in 0..2 {
            assert_eq!(
                sb.create_role("Fed", &t, &[]).await,
                Err(CloudError::Throttled {
                    action: "iam:CreateRole".to_string()
                })
            );
        }
        assert_eq!(
            sb.create_role("Fed", &t, &[]).await.unwrap(),
            iam_arn("role", "Fed")
        );
        assert_eq!(
            sb.calls(),
            [
                "iam:CreateSAMLProvider",
                "iam:CreateRole",
                "iam:CreateRole",
                "iam:CreateRole"
            ]
        );
        assert!(sb.get_saml_provider(&provider).await.unwrap().is_some());
        sb.clear_calls();
        assert!(sb.calls().is_empty());
    }

    #[tokio::test]
    async fn access_denied_names_the_context_and_action() {
        let sb = Sandbox::new();
        sb.inject_fault(parse_fault("deny:*").unwrap());
        match sb.list_users(SANDBOX_IDENTITY_STORE_ID).await {
            Err(CloudError::AccessDenied {
                context,
                profile,
                action,
                message,
            }) => {
                assert_eq!(context, Context::Identity);
                assert_eq!(profile, None);
                assert_eq!(action, "identitystore:ListUsers");
                assert!(message.contains(SANDBOX_CALLER_ARN), "{message}");
            }
            other => panic!("expected AccessDenied, got {other:?}"),
        }
        let denied_context = |r: CloudResult<_>| match r {
            Err(CloudError::AccessDenied { context, .. }) => context,
            other => panic!("expected AccessDenied, got {other:?}"),
        };
        assert_eq!(
            denied_context(sb.list_roles().await.map(|_| ())),
            Context::Connect
        );
        assert_eq!(
            denied_context(sb.list_connect_instances().await.map(|_| ())),
            Context::Connect
        );
        assert_eq!(
            denied_context(sb.caller_identity(Context::Identity).await.map(|_| ())),
            Context::Identity
        );
        sb.clear_faults();
        sb.list_roles().await.unwrap();
    }

    #[tokio::test]
    async fn service_wide_faults_spare_other_services() {
        let sb = Sandbox::new();
        sb.inject_fault(Fault::new(FaultKind::AccessDenied, "connect:*", None));
        assert!(sb.list_connect_instances().await.is_err());
        assert!(
            sb.search_connect_user(SANDBOX_INSTANCE_ID, "x")
                .await
                .is_err()
        );
        sb.list_roles().await.unwrap();
        sb.list_idc_instances().await.unwrap();
    }

    #[tokio::test]
    async fn latency_delays_every_call() {
        let latency = Duration::from_millis(40);
        let sb = Sandbox::with_options(SandboxOptions {
            latency,
            faults: Vec::new(),
        });
        let start = Instant::now();
        sb.list_roles().await.unwrap();
        sb.caller_identity(Context::Connect).await.unwrap();
        assert!(start.elapsed() >= latency * 2, "{:?}", start.elapsed());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_calls_share_one_account() {
        let sb = Arc::new(Sandbox::with_options(SandboxOptions {
            latency: Duration::from_millis(5),
            faults: Vec::new(),
        }));
        let cloud: Arc<dyn Cloud> = sb.clone();
        let tasks: Vec<_> = (0..8)
            .map(|n| {
                let cloud = cloud.clone();
                tokio::spawn(async move {
                    cloud
                        .create_policy(&format!("P{n}"), &permissions(), &[])
                        .await
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        assert_eq!(sb.snapshot().policies.len(), 8);
        assert_eq!(sb.calls().len(), 8);
    }

    #[test]
    fn parse_fault_reads_the_cli_forms() {
        assert_eq!(
            parse_fault("throttle:iam:CreateRole"),
            Ok(Fault::new(FaultKind::Throttle, "iam:CreateRole", None))
        );
        assert_eq!(
            parse_fault("deny:iam:CreateRole"),
            Ok(Fault::new(FaultKind::AccessDenied, "iam:CreateRole", None))
        );
        assert_eq!(
            parse_fault("deny:*:2"),
            Ok(Fault::new(FaultKind::AccessDenied, "*", Some(2)))
        );
        assert_eq!(
            parse_fault(" THROTTLE:identitystore:*:3 "),
            Ok(Fault::new(FaultKind::Throttle, "identitystore:*", Some(3)))
        );
        for spec in [
            "throttle:iam:CreateRole",
            "deny:*:2",
            "deny:sso:*",
            "throttle:connect:SearchUsers:1",
        ] {
            let fault: Fault = spec.parse().unwrap();
            assert_eq!(fault.to_string(), spec);
        }
        for bad in [
            "",
            "throttle",
            "slow:iam:CreateRole",
            "deny:",
            "deny:iam",
            "deny:iam:2",
            "deny:IAM:CreateRole",
            "deny:iam:Create-Role",
            "deny:*:0",
            "deny:*:99999999999",
        ] {
            let error = parse_fault(bad).unwrap_err();
            assert!(error.contains("KIND:ACTION"), "{bad}: {error}");
        }
    }

    #[test]
    fn fault_patterns_match_actions() {
        let all = Fault::new(FaultKind::Throttle, "*", None);
        let service = Fault::new(FaultKind::Throttle, "iam:*", None);
        let one = Fault::new(FaultKind::Throttle, "iam:CreateRole", None);
        assert!(all.matches("sts:GetCallerIdentity"));
        assert!(service.matches("iam:CreateRole") && !service.matches("identitystore:GetUserId"));
        assert!(one.matches("iam:CreateRole") && !one.matches("iam:CreateRoles"));
    }

    fn is_delete_conflict<T: fmt::Debug>(r: CloudResult<T>) -> String {
        match r {
            Err(CloudError::DeleteConflict { message, .. }) => message,
            other => panic!("expected DeleteConflict, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn deletes_follow_iam_rules() {
        let (sb, provider, policy) = with_iam().await;
        sb.attach_role_policy("Fed", &policy).await.unwrap();
        sb.create_policy_version(&policy, &permissions(), true)
            .await
            .unwrap();
        assert_eq!(
            sb.list_entities_for_policy(&policy).await.unwrap(),
            PolicyEntities {
                roles: vec!["Fed".to_string()],
                ..PolicyEntities::default()
            }
        );

        // A role with a policy attached, or an inline policy, stays.
        let message = is_delete_conflict(sb.delete_role("Fed").await);
        assert!(message.contains("detach all policies"), "{message}");
        // A policy attached to a role, or with versions besides the default, stays.
        let message = is_delete_conflict(sb.delete_policy(&policy).await);
        assert!(message.contains("attached to entities"), "{message}");
        sb.detach_role_policy("Fed", &policy).await.unwrap();
        is_not_found(sb.detach_role_policy("Fed", &policy).await);
        assert_eq!(
            sb.list_entities_for_policy(&policy).await.unwrap(),
            PolicyEntities::default()
        );
        let message = is_delete_conflict(sb.delete_policy(&policy).await);
        assert!(message.contains("more than one version"), "{message}");
        sb.delete_policy_version(&policy, "v1").await.unwrap();
        sb.delete_policy(&policy).await.unwrap();
        assert_eq!(sb.get_policy(&policy).await.unwrap(), None);
        is_not_found(sb.delete_policy(&policy).await);
        is_not_found(sb.list_entities_for_policy(&policy).await);

        sb.simulate_put_role_policy("Fed", "Extra", &permissions())
            .unwrap();
        let message = is_delete_conflict(sb.delete_role("FED").await);
        assert!(message.contains("delete policies first"), "{message}");
        sb.lock().roles[0].inline.clear();
        sb.delete_role("FED").await.unwrap();
        assert_eq!(sb.get_role("Fed").await.unwrap(), None);
        is_not_found(sb.delete_role("Fed").await);

        // IAM deletes a provider even while a role trusts it.
        sb.delete_saml_provider(&provider).await.unwrap();
        assert_eq!(sb.get_saml_provider(&provider).await.unwrap(), None);
        is_not_found(sb.delete_saml_provider(&provider).await);
        is_invalid(sb.delete_saml_provider("saml-provider/IdC").await);
        assert!(sb.snapshot().saml_providers.is_empty());

        let calls = sb.calls();
        for action in [
            "iam:DeleteRole",
            "iam:DeletePolicy",
            "iam:DetachRolePolicy",
            "iam:DeleteSAMLProvider",
            "iam:ListEntitiesForPolicy",
        ] {
            assert!(calls.iter().any(|c| c == action), "{action} not recorded");
        }
    }

    #[tokio::test]
    async fn application_assignments_can_be_deleted() {
        let sb = Sandbox::new();
        let app = sb.simulate_create_application("Connect");
        let user = SANDBOX_USERS[0].user_id;
        sb.create_application_assignment(&app, user).await.unwrap();
        sb.delete_application_assignment(&app, user).await.unwrap();
        assert!(
            sb.list_application_assignments(&app)
                .await
                .unwrap()
                .is_empty()
        );
        is_not_found(sb.delete_application_assignment(&app, user).await);
        sb.inject_fault(parse_fault("deny:sso:DeleteApplicationAssignment").unwrap());
        sb.create_application_assignment(&app, user).await.unwrap();
        assert!(matches!(
            sb.delete_application_assignment(&app, user).await,
            Err(CloudError::AccessDenied {
                context: Context::Identity,
                ..
            })
        ));
    }

    #[test]
    fn seeded_groups_hold_seeded_users() {
        let mut ids = HashSet::new();
        for g in SANDBOX_GROUPS {
            assert!(ids.insert(g.group_id), "{}", g.group_id);
            assert!(g.group_id.starts_with("9067c0ffee-"), "{}", g.group_id);
            assert!(
                is_uuid(&g.group_id["9067c0ffee-".len()..]),
                "{}",
                g.group_id
            );
            assert!(!g.member_ids.is_empty());
            for m in g.member_ids {
                assert!(SANDBOX_USERS.iter().any(|u| u.user_id == *m), "{m}");
            }
        }
        assert!(SANDBOX_USERS.iter().all(|u| !ids.contains(u.user_id)));
    }

    #[tokio::test]
    async fn group_membership_follows_the_seed() {
        let sb = Sandbox::new();
        let store = SANDBOX_IDENTITY_STORE_ID;
        let agents = SANDBOX_GROUPS[0].group_id.to_string();
        let supervisors = SANDBOX_GROUPS[1].group_id.to_string();
        let asked = [
            supervisors.clone(),
            "no-such-group".to_string(),
            agents.clone(),
        ];
        let maria = SANDBOX_USERS[0].user_id;
        let aisha = SANDBOX_USERS[2].user_id;
        let sofia = SANDBOX_USERS[4].user_id;
        assert_eq!(
            sb.is_member_in_groups(store, maria, &asked).await.unwrap(),
            [agents.as_str()]
        );
        assert_eq!(
            sb.is_member_in_groups(store, aisha, &asked).await.unwrap(),
            [supervisors.as_str()]
        );
        assert!(
            sb.is_member_in_groups(store, sofia, &asked)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(sb.calls().len(), 3);
        // No group ids, no request; more than 100, one request per 100.
        assert!(
            sb.is_member_in_groups(store, maria, &[])
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(sb.calls().len(), 3);
        let many: Vec<String> = (0..150)
            .map(|i| format!("g-{i}"))
            .chain([agents.clone()])
            .collect();
        assert_eq!(
            sb.is_member_in_groups(store, maria, &many).await.unwrap(),
            [agents.as_str()]
        );
        assert_eq!(sb.calls().len(), 5);
        assert!(
            sb.calls()
                .iter()
                .all(|c| c == "identitystore:IsMemberInGroups")
        );

        is_not_found(sb.is_member_in_groups("d-0123456789", maria, &asked).await);
        sb.inject_fault(parse_fault("deny:identitystore:IsMemberInGroups").unwrap());
        assert!(matches!(
            sb.is_member_in_groups(store, maria, &asked).await,
            Err(CloudError::AccessDenied {
                context: Context::Identity,
                ..
            })
        ));
    }

    #[tokio::test]
    async fn groups_are_assigned_through_the_console_simulation() {
        let sb = Sandbox::new();
        let app = sb.simulate_create_application("Connect");
        let agents = SANDBOX_GROUPS[0].group_id;
        sb.simulate_assign_group(&app, agents).unwrap();
        assert_eq!(
            sb.list_application_assignments(&app).await.unwrap(),
            [ApplicationAssignment {
                principal_id: agents.to_string(),
                principal_type: "GROUP".to_string()
            }]
        );
        assert!(matches!(
            sb.simulate_assign_group(&app, agents),
            Err(CloudError::AlreadyExists { .. })
        ));
        is_not_found(sb.simulate_assign_group(&app, "no-such-group"));
        let other = format!(
            "arn:aws:sso::{SANDBOX_ACCOUNT}:application/ssoins-7223a1b2c3d4e5f6/apl-0000000000000000"
        );
        is_not_found(sb.simulate_assign_group(&other, agents));
        // Not an API call.
        assert_eq!(sb.calls(), ["sso:ListApplicationAssignments"]);
    }

    // ---- keeping the account in a file -----------------------------------------------------

    /// An account with something of everything it can hold.
    async fn busy_account() -> Sandbox {
        let (sb, _, policy) = with_iam().await;
        sb.create_policy_version(&policy, &permissions(), true)
            .await
            .unwrap();
        sb.attach_role_policy("Fed", &policy).await.unwrap();
        sb.simulate_put_role_policy("Fed", "Extra", &permissions())
            .unwrap();
        let app = sb.simulate_create_application("Workshop Connect");
        sb.create_application_assignment(&app, SANDBOX_USERS[1].user_id)
            .await
            .unwrap();
        sb.simulate_assign_group(&app, SANDBOX_GROUPS[0].group_id)
            .unwrap();
        sb.create_connect_user(SANDBOX_INSTANCE_ID, &new_user("kwame.mensah@example.com"))
            .await
            .unwrap();
        sb
    }

    #[tokio::test]
    async fn a_saved_account_loads_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let path = account_path(dir.path());
        let sb = busy_account().await;
        sb.save(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }

        let (loaded, warning) = Sandbox::load_or_seed(&path, SandboxOptions::default());
        assert_eq!(warning, None);
        assert_eq!(loaded.file(), Some(path.as_path()));
        assert_eq!(loaded.snapshot(), sb.snapshot());
        // What the snapshot does not show is kept too: inline policies, users, the serials.
        assert_eq!(loaded.lock().to_saved(), sb.lock().to_saved());
        assert_eq!(
            loaded.list_role_policies("Fed").await.unwrap(),
            ["Extra".to_string()]
        );
        // Ids and creation times go on from where they were, never handing one out twice.
        assert_eq!(
            loaded.simulate_create_application("Second"),
            sb.simulate_create_application("Second")
        );
        let versions = loaded
            .list_policy_versions(&iam_arn("policy", "Fed"))
            .await
            .unwrap();
        let newest = versions.iter().map(|v| v.created).max().unwrap();
        loaded
            .create_policy("Later", &permissions(), &[])
            .await
            .unwrap();
        let later = loaded
            .get_policy(&iam_arn("policy", "Later"))
            .await
            .unwrap();
        assert!(later.is_some());
        assert!(loaded.lock().clock > newest);

        // Saving again over the file leaves no temporary file behind.
        loaded.save(&path).unwrap();
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, [std::ffi::OsString::from("account.json")]);
    }

    #[tokio::test]
    async fn calls_faults_and_latency_belong_to_one_run() {
        let dir = tempfile::tempdir().unwrap();
        let path = account_path(dir.path());
        let deny = parse_fault("deny:iam:CreatePolicy").unwrap();
        let sb = Sandbox::with_options(SandboxOptions {
            latency: Duration::ZERO,
            faults: vec![deny.clone()],
        });
        sb.caller_identity(Context::Connect).await.unwrap();
        assert!(sb.create_policy("Fed", &permissions(), &[]).await.is_err());
        sb.save(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        for run_only in ["GetCallerIdentity", "CreatePolicy", "deny", "latency"] {
            assert!(!text.contains(run_only), "{run_only} in {text}");
        }

        let (loaded, _) = Sandbox::load_or_seed(&path, SandboxOptions::default());
        assert!(loaded.calls().is_empty());
        assert!(loaded.call_timings().is_empty());
        loaded
            .create_policy("Fed", &permissions(), &[])
            .await
            .unwrap();
        // The faults of the run that loads the account apply.
        let (again, _) = Sandbox::load_or_seed(
            &path,
            SandboxOptions {
                latency: Duration::ZERO,
                faults: vec![deny],
            },
        );
        assert!(
            again
                .create_policy("Fed", &permissions(), &[])
                .await
                .is_err()
        );
    }

    #[test]
    fn a_missing_file_gives_the_seeded_account_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = account_path(dir.path());
        let (sb, warning) = Sandbox::load_or_seed(&path, SandboxOptions::default());
        assert_eq!(warning, None);
        assert_eq!(sb.snapshot(), Sandbox::new().snapshot());
        assert_eq!(sb.lock().to_saved(), Sandbox::new().lock().to_saved());
        assert_eq!(sb.file(), Some(path.as_path()));
        assert!(!dir.path().join("sandbox").exists());
    }

    #[tokio::test]
    async fn a_damaged_file_is_moved_aside_and_the_account_starts_seeded() {
        let dir = tempfile::tempdir().unwrap();
        let path = account_path(dir.path());
        busy_account().await.save(&path).unwrap();
        let later_format =
            std::fs::read_to_string(&path)
                .unwrap()
                .replacen("\"version\": 1", "\"version\": 2", 1);
        assert!(later_format.contains("\"version\": 2"));
        for damaged in [
            "{ not json",
            "[]",
            "{\"version\": 1}",
            later_format.as_str(),
        ] {
            let moved = dir.path().join("sandbox").join("account.json.corrupt");
            // An earlier copy would send this one to a numbered name.
            let _ = std::fs::remove_file(&moved);
            std::fs::write(&path, damaged).unwrap();
            let (sb, warning) = Sandbox::load_or_seed(&path, SandboxOptions::default());
            let warning = warning.expect("a warning");
            assert!(warning.contains(&moved.display().to_string()), "{warning}");
            assert!(warning.contains("starts again"), "{warning}");
            assert_eq!(std::fs::read_to_string(&moved).unwrap(), damaged);
            assert!(!path.exists());
            assert_eq!(sb.snapshot(), Sandbox::new().snapshot());
            // The seeded account is kept in the same place from now on.
            assert_eq!(sb.file(), Some(path.as_path()));
        }
        std::fs::write(&path, later_format.as_bytes()).unwrap();
        let (_, warning) = Sandbox::load_or_seed(&path, SandboxOptions::default());
        assert!(
            warning.unwrap().contains("format version 2"),
            "a later format is named"
        );
    }

    #[test]
    fn a_file_that_cannot_be_read_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = account_path(dir.path());
        // A folder where the file should be: it can be neither read nor replaced.
        std::fs::create_dir_all(&path).unwrap();
        let (sb, warning) = Sandbox::load_or_seed(&path, SandboxOptions::default());
        let warning = warning.expect("a warning");
        assert!(warning.contains("saves nothing"), "{warning}");
        assert_eq!(sb.file(), None, "in memory only");
        assert_eq!(sb.snapshot(), Sandbox::new().snapshot());
        assert!(path.is_dir());
    }

    #[test]
    fn generated_ids_have_aws_shapes() {
        let id = derived_uuid("x");
        assert!(is_uuid(&id));
        assert_eq!(&id[14..15], "4");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"));
        assert_ne!(derived_uuid("x"), derived_uuid("y"));
    }
}
