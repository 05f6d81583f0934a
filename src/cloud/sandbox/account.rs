//! The one account every service of the sandbox works on: the seeded constants (account,
//! caller, Identity Center instance, Connect instances and their profiles), the sample users
//! and groups, the account [`State`] with its records, and the ids it hands out.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest as _, Sha256};

use super::faults::{Fault, Quotas};
use super::saml_issue::SigningIdentity;
use super::{ApplicationSnapshot, CallTiming};
use crate::cloud::{
    AttachedPolicy, ConnectInstanceSummary, ConnectUser, IdcGroup, IdcUser, ManagedPolicy, NamedId,
    PrincipalType, Role, SamlProvider,
};

/// The layout of the SAML metadata the sandbox's Identity Center hands out for its
/// applications: its entity ID and endpoints, with a certificate whose key nobody holds. An
/// account's own metadata, with its signing certificate, is
/// [`Sandbox::metadata_document`](super::Sandbox::metadata_document).
pub const SANDBOX_METADATA: &str = include_str!("../../../assets/sandbox-idc-metadata.xml");
/// The sandbox account; both contexts (identity and connect) are this one account.
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

/// The identity store's groups, as organisations assign them to applications. No trait call
/// writes groups or their memberships; assigning a group to an application is an
/// application assignment (`CreateApplicationAssignment` with `GROUP`), saved with the
/// application.
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

#[derive(Debug)]
pub(super) struct State {
    pub(super) calls: Vec<String>,
    pub(super) timings: Vec<CallTiming>,
    pub(super) faults: Vec<Fault>,
    /// Last timestamp handed out, so creation times strictly increase.
    pub(super) clock: i64,
    /// Feeds generated ids.
    pub(super) serial: u64,
    pub(super) users: Vec<IdcUser>,
    pub(super) applications: Vec<ApplicationSnapshot>,
    pub(super) instances: Vec<InstanceRecord>,
    pub(super) providers: Vec<SamlProvider>,
    pub(super) policies: Vec<PolicyRecord>,
    pub(super) roles: Vec<RoleRecord>,
    /// The identity store's groups: the seeded ones ([`SANDBOX_GROUPS`]) and those
    /// [`seed_people`](super::Sandbox::seed_people) added, kept in the saved file.
    pub(super) groups: Vec<GroupRecord>,
    /// The buckets of the quotas enforced, and the count of throttled calls.
    pub(super) quotas: Quotas,
    /// The Identity Center's signing key and certificate (see `saml_issue`); `None` until
    /// an account in memory first needs it.
    pub(super) signing: Option<SigningIdentity>,
    /// The key was made for an account loaded from a file that had none, and is not in
    /// that file yet (see `persist`).
    pub(super) signing_unsaved: bool,
    /// The assertions STS accepted that have not expired yet: a second use is refused.
    pub(super) spent_assertions: Vec<super::sts::SpentAssertion>,
}

/// A group of the identity store and the user ids of its members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct GroupRecord {
    pub(super) group: IdcGroup,
    pub(super) member_ids: Vec<String>,
}

/// The seeded groups.
pub(super) fn seeded_groups() -> Vec<GroupRecord> {
    SANDBOX_GROUPS
        .iter()
        .map(|g| GroupRecord {
            group: IdcGroup {
                group_id: g.group_id.to_string(),
                display_name: g.display_name.to_string(),
            },
            member_ids: g.member_ids.iter().map(|m| m.to_string()).collect(),
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct InstanceRecord {
    pub(super) summary: ConnectInstanceSummary,
    pub(super) security_profiles: Vec<NamedId>,
    pub(super) routing_profiles: Vec<NamedId>,
    pub(super) users: Vec<ConnectUser>,
    /// What `DescribeUser` adds for the users created through the API, by user id.
    /// Absent from accounts saved before it was kept.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub(super) user_details: std::collections::BTreeMap<String, UserDetails>,
}

/// A Connect user's names and tags, as `CreateUser` was given them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct UserDetails {
    pub(super) first_name: String,
    pub(super) last_name: String,
    pub(super) tags: Vec<crate::cloud::Tag>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct PolicyRecord {
    pub(super) policy: ManagedPolicy,
    pub(super) versions: Vec<VersionRecord>,
    /// IAM never reuses a version number, even after a delete.
    pub(super) next_version: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct VersionRecord {
    pub(super) id: String,
    pub(super) document: Value,
    pub(super) created: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct RoleRecord {
    pub(super) role: Role,
    pub(super) attached: Vec<AttachedPolicy>,
    pub(super) inline: Vec<(String, Value)>,
}

impl State {
    pub(super) fn seeded(faults: Vec<Fault>) -> State {
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
            user_details: Default::default(),
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
            user_details: Default::default(),
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
            groups: seeded_groups(),
            quotas: Quotas::default(),
            signing: None,
            signing_unsaved: false,
            spent_assertions: Vec::new(),
        }
    }

    /// Seconds since the epoch, strictly increasing so versions order by creation time.
    pub(super) fn tick(&mut self) -> i64 {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        self.clock = now.max(self.clock.saturating_add(1));
        self.clock
    }

    /// Fresh pseudo-random bytes; deterministic per sandbox so runs are reproducible.
    pub(super) fn fresh(&mut self, label: &str) -> Vec<u8> {
        self.serial = self.serial.wrapping_add(1);
        Sha256::digest(format!("{label}/{}", self.serial)).to_vec()
    }
}

pub(super) fn named(id: &str, name: &str) -> NamedId {
    NamedId {
        id: id.to_string(),
        name: name.to_string(),
    }
}

pub(super) fn connect_user_arn(instance_arn: &str, user_id: &str) -> String {
    format!("{instance_arn}/agent/{user_id}")
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A version-4-shaped UUID from the first 16 bytes, as Connect forms its ids.
pub(super) fn uuid_from(bytes: &[u8]) -> String {
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

pub(super) fn derived_uuid(seed: &str) -> String {
    uuid_from(&Sha256::digest(seed))
}

/// The people [`Sandbox::seed_people`](super::Sandbox::seed_people) added.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeededPeople {
    /// The user ids of those to assign directly.
    pub direct: Vec<String>,
    /// The ids of the groups the others are members of.
    pub groups: Vec<String>,
    /// Every added person's email, in order.
    pub emails: Vec<String>,
    /// How many have no Connect user, and how many one whose name differs in letter case.
    pub without_connect_user: usize,
    pub near_misses: usize,
    /// How many of the people were not in the account yet (seeding again adds none).
    pub added: usize,
}

impl SeededPeople {
    /// The seeding in one line, as `--sandbox-people` reports it.
    pub fn summary(&self) -> String {
        let people = self.emails.len();
        let grouped = format!(
            "{} directly, {} in {} group(s) (\"Agents 1\", ...)",
            self.direct.len(),
            people - self.direct.len(),
            self.groups.len()
        );
        let kinds = format!(
            "{} without a Connect user, {} whose Connect user name differs in letter case",
            self.without_connect_user, self.near_misses
        );
        match self.added {
            0 => format!(
                "sandbox: the account already has its {people} seeded people ({grouped}; {kinds}): nothing added"
            ),
            n => format!(
                "sandbox: seeded {n} of {people} people (agent00000@example.com, ...: {grouped}; {kinds})"
            ),
        }
    }
}

/// Members of each seeded group: five pages of `ListGroupMemberships`.
pub const SEEDED_GROUP_SIZE: usize = 500;

impl super::Sandbox {
    /// A contact center at scale: `people` more Identity Center users
    /// (`agent00000@example.com`, ...), of whom the last `in_groups` are members of groups
    /// of [`SEEDED_GROUP_SIZE`] ("Agents 1", ...) and the others are to be assigned
    /// directly. Most have a Connect user named exactly like their email; every tenth has
    /// none, and every 25th one whose name differs in letter case. Nothing is assigned yet:
    /// [`simulate_assign_people`](super::Sandbox::simulate_assign_people) does it as the
    /// console would. Not recorded in the calls. Seeding again adds only who is missing, so
    /// the same numbers twice leave the account as once.
    pub fn seed_people(&self, people: usize, in_groups: usize) -> SeededPeople {
        let in_groups = in_groups.min(people);
        let mut state = self.lock();
        let mut seeded = SeededPeople::default();
        let instance_arn = state.instances[0].summary.arn.clone();
        for i in 0..people {
            let email = format!("agent{i:05}@example.com");
            let user_id = format!(
                "9067c0ffee-{}",
                derived_uuid(&format!("{SANDBOX_IDENTITY_STORE_ID}/{email}"))
            );
            let new = !state.users.iter().any(|u| u.user_id == user_id);
            if new {
                seeded.added += 1;
                state.users.push(IdcUser {
                    user_id: user_id.clone(),
                    user_name: email.clone(),
                    display_name: Some(format!("Agent {i}")),
                    given_name: Some("Agent".to_string()),
                    family_name: Some(format!("{i:05}")),
                    emails: vec![email.clone()],
                });
            }
            let username = if i % 10 == 9 {
                seeded.without_connect_user += 1;
                None
            } else if i % 25 == 0 {
                seeded.near_misses += 1;
                Some(format!("Agent{i:05}@example.com"))
            } else {
                Some(email.clone())
            };
            if let Some(username) = username.filter(|_| new) {
                let id = derived_uuid(&format!("{instance_arn}/user/{email}"));
                state.instances[0].users.push(ConnectUser {
                    arn: connect_user_arn(&instance_arn, &id),
                    id,
                    username,
                });
            }
            if i < people - in_groups {
                seeded.direct.push(user_id);
            } else {
                let k = (i - (people - in_groups)) / SEEDED_GROUP_SIZE;
                let group_id = format!("9067c0ffee-{}", derived_uuid(&format!("seeded-group-{k}")));
                if seeded.groups.last() != Some(&group_id) {
                    seeded.groups.push(group_id.clone());
                }
                if !state.groups.iter().any(|g| g.group.group_id == group_id) {
                    state.groups.push(GroupRecord {
                        group: IdcGroup {
                            group_id: group_id.clone(),
                            display_name: format!("Agents {}", k + 1),
                        },
                        member_ids: Vec::new(),
                    });
                }
                if let Some(g) = state
                    .groups
                    .iter_mut()
                    .find(|g| g.group.group_id == group_id)
                    && !g.member_ids.contains(&user_id)
                {
                    g.member_ids.push(user_id);
                }
            }
            seeded.emails.push(email);
        }
        seeded
    }

    /// The seeded people assigned to the application as the console does it: the direct
    /// ones one by one, the others through their groups. Not recorded in the calls.
    pub fn simulate_assign_people(
        &self,
        application_arn: &str,
        people: &SeededPeople,
    ) -> crate::cloud::CloudResult<()> {
        const ACTION: &str = "sso:CreateApplicationAssignment";
        let mut state = self.lock();
        for user in &people.direct {
            state.assign(ACTION, application_arn, user, PrincipalType::User)?;
        }
        for group in &people.groups {
            state.assign(ACTION, application_arn, group, PrincipalType::Group)?;
        }
        Ok(())
    }
}
