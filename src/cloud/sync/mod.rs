//! `users sync`: a Connect user for everyone the application reaches (the users assigned to
//! it directly and the members of its assigned groups), named as sign-in looks for them (the
//! RoleSessionName value, [`connect_user_name`]).
//!
//! [`plan_sync`] reads each population once (the application's assignments, the groups'
//! memberships, the identity store's users, the instance's Connect users and profiles) and
//! compares them in memory: who is to be created, who already has a Connect user, whose name
//! differs only in letter case (reported, never created: sign-in would still not find it),
//! who has no email to name a user after, and which Connect users nobody assigned maps to.
//! [`run_sync`] then creates the missing users, paced by the Connect quota and at most
//! [`MAX_IN_FLIGHT`](super::directory::MAX_IN_FLIGHT) at a time, each tagged as made here,
//! and with `prune` removes the unmapped users it made itself (recorded in the ledger or
//! tagged so), and no others.
//!
//! A rerun plans from what exists, so it creates nothing twice; a user created just before
//! a crash is found by the next run's read (and, if the read missed it, by CreateUser's
//! duplicate answer).

mod run;
#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};

use serde::Serialize;

pub use run::{Created, Failure, NoObserver, SyncObserver, SyncReport, run_sync};

use super::directory::{
    ConnectDirectory, ConnectMatch, IdcDirectory, bounded, connect_user_name, group_members,
};
use super::doctor::find_application;
use super::ensure::{ConnectUserTemplate, resolve_profiles};
use super::{Cloud, CloudError, ConnectUser, IdcUser, PrincipalType, Tag, managed_tags};
use crate::domain::setup::Setup;
use crate::domain::suggest::did_you_mean;

/// The tag `users sync` puts on the Connect users it creates, so `--prune` recognises its
/// own even when the ledger missed one (a run killed between CreateUser and the ledger).
pub const CREATED_BY_KEY: &str = "connect-sso:created-by";
pub const CREATED_BY_VALUE: &str = "users-sync";

/// Connect caps first and last names at this many characters.
const MAX_NAME: usize = 100;

/// The tags of a Connect user created by `users sync` for this instance.
pub fn sync_tags(instance_id: &str) -> Vec<Tag> {
    let mut tags = managed_tags(instance_id);
    tags.push(Tag::new(CREATED_BY_KEY, CREATED_BY_VALUE));
    tags
}

/// Whether tags say `users sync` created the user.
pub fn created_by_sync(tags: &[Tag]) -> bool {
    tags.iter()
        .any(|t| t.key == CREATED_BY_KEY && t.value == CREATED_BY_VALUE)
}

/// What a sync may do besides creating.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncOptions {
    /// Security and routing profile of the users created, by name.
    pub template: ConnectUserTemplate,
    /// Also remove the unmapped Connect users this tool created.
    pub prune: bool,
    /// Ids of the Connect users of this instance the ledger says `users sync` created.
    pub recorded: HashSet<String>,
}

/// A person to give a Connect user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewPerson {
    /// The Identity Center user.
    pub user_id: String,
    pub user_name: String,
    /// The Connect user name: the RoleSessionName value.
    pub connect_username: String,
    pub first_name: String,
    pub last_name: String,
    /// How a missing name was filled in, when it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A person with a Connect user of exactly the right name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Present {
    pub connect_username: String,
    pub connect_user_id: String,
}

/// A person whose Connect user name exists only in another letter case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NearMiss {
    pub user_name: String,
    /// The name sign-in looks for.
    pub connect_username: String,
    /// The Connect users whose names differ from it only in letter case.
    pub existing: Vec<String>,
    pub fix: String,
}

/// A person sign-in cannot name: no email in Identity Center.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unnamed {
    pub user_id: String,
    pub user_name: String,
    pub fix: String,
}

/// How `--prune` knows it created a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Provenance {
    Ledger,
    Tag,
}

/// An unmapped Connect user this tool created, which `--prune` removes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Prunable {
    pub user: ConnectUser,
    pub known_by: Provenance,
}

/// The counts of a plan, for a summary line or the wizard's step 11.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SyncCounts {
    /// People the application reaches (directly or through a group), each once.
    pub assigned: usize,
    pub with_connect_user: usize,
    pub missing: usize,
    pub near_misses: usize,
    pub without_email: usize,
    /// Assigned principals the identity store has no user for.
    pub not_in_store: usize,
    pub unmapped: usize,
    pub to_prune: usize,
}

/// What a sync would do, from one read of each population.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncPlan {
    pub instance_id: String,
    pub application_arn: String,
    /// Groups assigned to the application.
    pub groups: usize,
    pub counts: SyncCounts,
    pub to_create: Vec<NewPerson>,
    pub present: Vec<Present>,
    pub near_misses: Vec<NearMiss>,
    pub without_email: Vec<Unnamed>,
    /// Ids of assigned users the identity store does not have.
    pub not_in_store: Vec<String>,
    /// Connect users no assigned person maps to (those that are near misses of someone are
    /// listed there instead), by user name.
    pub unmapped: Vec<ConnectUser>,
    /// With `prune`: the unmapped users this tool created.
    pub to_prune: Vec<Prunable>,
    /// The profiles new users get: names as asked, ids as found.
    pub security_profile: String,
    pub routing_profile: String,
    #[serde(skip)]
    pub(crate) profile_ids: (String, String),
}

/// Why no plan could be made; each says how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    #[error(
        "the identity context sees no IAM Identity Center instance: enable Identity Center, or point --identity-profile / --identity-region at the account and region where it runs"
    )]
    NoIdentityCenter,
    #[error(
        "no custom SAML application is named \"{name}\"{}: give its display name with --app-name (step 1), or run apply first",
        suggestion(.suggestions)
    )]
    NoApplication {
        name: String,
        suggestions: Vec<String>,
    },
    #[error(
        "{} applications are named \"{name}\" ({}): delete or rename all but one, so that people and assignments meet in one place",
        .arns.len(),
        .arns.join(", ")
    )]
    ManyApplications { name: String, arns: Vec<String> },
    #[error("{0}")]
    Cloud(#[from] CloudError),
}

fn suggestion(names: &[String]) -> String {
    match names {
        [] => String::new(),
        _ => format!(" (did you mean {}?)", names.join(" or ")),
    }
}

/// Reads everything once and works out what a sync would do; changes nothing.
pub async fn plan_sync(
    cloud: &dyn Cloud,
    setup: &Setup,
    options: &SyncOptions,
) -> Result<SyncPlan, SyncError> {
    let idc = cloud
        .list_idc_instances()
        .await?
        .into_iter()
        .next()
        .ok_or(SyncError::NoIdentityCenter)?;
    let store = idc.identity_store_id.as_str();
    let instance_id = setup.instance.id.as_str();
    // The populations that do not depend on each other are read at the same time.
    let (applications, users, connect, profiles) = tokio::join!(
        find_application(cloud, &idc.instance_arn, setup),
        IdcDirectory::read(cloud, store),
        ConnectDirectory::read(cloud, instance_id),
        resolve_profiles(cloud, instance_id, &options.template),
    );
    let (apps, assignments) = applications?;
    let application = match apps.as_slice() {
        [one] => one.clone(),
        [] => {
            let others = cloud.list_applications(&idc.instance_arn).await?;
            let names = others
                .iter()
                .filter(|a| a.provider_arn == super::CUSTOM_SAML_PROVIDER)
                .map(|a| a.name.as_str());
            return Err(SyncError::NoApplication {
                name: setup.app_name.to_string(),
                suggestions: did_you_mean(setup.app_name.as_str(), names),
            });
        }
        many => {
            return Err(SyncError::ManyApplications {
                name: setup.app_name.to_string(),
                arns: many.iter().map(|a| a.arn.clone()).collect(),
            });
        }
    };
    let assignments = assignments?;
    let (users, connect, profile_ids) = (users?, connect?, profiles?);
    let groups: Vec<String> = assignments
        .iter()
        .filter(|a| a.is(PrincipalType::Group))
        .map(|a| a.principal_id.clone())
        .collect();
    let mut reached: Vec<String> = assignments
        .iter()
        .filter(|a| a.is(PrincipalType::User))
        .map(|a| a.principal_id.clone())
        .collect();
    if !groups.is_empty() {
        let members = group_members(cloud, store, &groups).await?;
        reached.extend(members.members().iter().cloned());
    }
    let mut seen = HashSet::new();
    reached.retain(|id| seen.insert(id.clone()));

    let mut plan = SyncPlan {
        instance_id: instance_id.to_string(),
        application_arn: application.arn.clone(),
        groups: groups.len(),
        counts: SyncCounts::default(),
        to_create: Vec::new(),
        present: Vec::new(),
        near_misses: Vec::new(),
        without_email: Vec::new(),
        not_in_store: Vec::new(),
        unmapped: Vec::new(),
        to_prune: Vec::new(),
        security_profile: options.template.security_profile.clone(),
        routing_profile: options.template.routing_profile.clone(),
        profile_ids,
    };
    // Connect user names some assigned person maps to, exactly or in another case.
    let mut mapped: HashSet<String> = HashSet::new();
    let mut creating: HashMap<String, usize> = HashMap::new();
    for id in &reached {
        let Some(user) = users.by_id(id) else {
            plan.not_in_store.push(id.clone());
            continue;
        };
        let Some(name) = connect_user_name(user) else {
            plan.without_email.push(Unnamed {
                user_id: user.user_id.clone(),
                user_name: user.user_name.clone(),
                fix: format!(
                    "add an email address to {} in Identity Center: the attribute mapping sends it as RoleSessionName, and the Connect user is named after it",
                    user.user_name
                ),
            });
            continue;
        };
        match connect.find(name) {
            ConnectMatch::Exact(u) => {
                mapped.insert(u.username.clone());
                plan.present.push(Present {
                    connect_username: u.username.clone(),
                    connect_user_id: u.id.clone(),
                });
            }
            ConnectMatch::NearMiss(existing) => {
                mapped.extend(existing.iter().map(|n| n.to_string()));
                plan.near_misses.push(NearMiss {
                    user_name: user.user_name.clone(),
                    connect_username: name.to_string(),
                    fix: format!(
                        "rename the Connect user {} to {name} (Connect compares user names case-sensitively), or change the email in Identity Center to match it",
                        existing[0]
                    ),
                    existing: existing.into_iter().map(str::to_string).collect(),
                });
            }
            ConnectMatch::Missing => {
                // Two people with one email share one Connect user: it is created once.
                if creating.contains_key(name) {
                    continue;
                }
                creating.insert(name.to_string(), plan.to_create.len());
                plan.to_create.push(new_person(user, name));
            }
        }
    }
    plan.to_create
        .sort_by(|a, b| a.connect_username.cmp(&b.connect_username));
    plan.unmapped = connect
        .users()
        .filter(|u| !mapped.contains(&u.username) && !creating.contains_key(&u.username))
        .cloned()
        .collect();
    plan.unmapped.sort_by(|a, b| a.username.cmp(&b.username));
    if options.prune {
        plan.to_prune = own_users(cloud, instance_id, &plan.unmapped, &options.recorded).await?;
    }
    plan.counts = SyncCounts {
        assigned: reached.len(),
        with_connect_user: plan.present.len(),
        missing: plan.to_create.len(),
        near_misses: plan.near_misses.len(),
        without_email: plan.without_email.len(),
        not_in_store: plan.not_in_store.len(),
        unmapped: plan.unmapped.len(),
        to_prune: plan.to_prune.len(),
    };
    Ok(plan)
}

/// Of the unmapped users, those this tool created: recorded in the ledger, or else tagged
/// so (one `DescribeUser` each for those the ledger does not name).
async fn own_users(
    cloud: &dyn Cloud,
    instance_id: &str,
    unmapped: &[ConnectUser],
    recorded: &HashSet<String>,
) -> Result<Vec<Prunable>, CloudError> {
    let described = bounded(unmapped, |u| async move {
        if recorded.contains(&u.id) {
            return Ok(Some(Provenance::Ledger));
        }
        let details = cloud.describe_connect_user(instance_id, &u.id).await?;
        Ok(details
            .filter(|d| created_by_sync(&d.tags))
            .map(|_| Provenance::Tag))
    })
    .await;
    let mut own = Vec::new();
    for (user, known) in unmapped.iter().zip(described) {
        if let Some(known_by) = known? {
            own.push(Prunable {
                user: user.clone(),
                known_by,
            });
        }
    }
    Ok(own)
}

/// The Connect user to create for `user`, named `connect_username`: first and last name
/// from Identity Center, filled in from the display name or the user name when missing.
fn new_person(user: &IdcUser, connect_username: &str) -> NewPerson {
    let given = user
        .given_name
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let family = user
        .family_name
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let display: Vec<&str> = user
        .display_name
        .as_deref()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    let local = connect_username
        .split('@')
        .next()
        .unwrap_or(connect_username);
    let mut notes = Vec::new();
    let first = match (given, display.first()) {
        (Some(g), _) => g.to_string(),
        (None, Some(d)) => {
            notes.push(format!(
                "no given name in Identity Center: first name {d} from the display name"
            ));
            d.to_string()
        }
        (None, None) => {
            notes.push(format!(
                "no given name in Identity Center: first name {local} from the user name"
            ));
            local.to_string()
        }
    };
    let last = match (family, display.len()) {
        (Some(f), _) => f.to_string(),
        (None, n) if n >= 2 => {
            let rest = display[1..].join(" ");
            notes.push(format!(
                "no family name in Identity Center: last name {rest} from the display name"
            ));
            rest
        }
        (None, _) => {
            notes.push("no family name in Identity Center: last name set to -".to_string());
            "-".to_string()
        }
    };
    NewPerson {
        user_id: user.user_id.clone(),
        user_name: user.user_name.clone(),
        connect_username: connect_username.to_string(),
        first_name: first.chars().take(MAX_NAME).collect(),
        last_name: last.chars().take(MAX_NAME).collect(),
        note: (!notes.is_empty()).then(|| notes.join("; ")),
    }
}

impl SyncPlan {
    /// Whether running it would change anything.
    pub fn changes(&self) -> usize {
        self.to_create.len() + self.to_prune.len()
    }
}
