//! Idempotent ensures for the automated steps 6a, 6b and 6c: read, compare with what the
//! setup asks for, write only the difference, then read again. A dry run stops before
//! writing and says what it would do.

use serde::Serialize;

use super::directory::{ConnectDirectory, ConnectMatch, IdcDirectory, is_bulk};
use super::{Cloud, CloudError, CloudResult, MANAGED_BY_KEY, PrincipalType, Tag, managed_tags};
use crate::domain::diff::json_diff;
use crate::domain::metadata::{self, IdpMetadata};
use crate::domain::policy::names_provider;
use crate::domain::setup::Setup;
use crate::domain::suggest::did_you_mean;

/// IAM keeps at most five versions of a managed policy.
pub const MAX_POLICY_VERSIONS: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Created,
    Updated,
    Unchanged,
    WouldCreate,
    WouldUpdate,
}

impl Change {
    pub fn label(self) -> &'static str {
        match self {
            Change::Created => "created",
            Change::Updated => "updated",
            Change::Unchanged => "already correct",
            Change::WouldCreate => "would create",
            Change::WouldUpdate => "would update",
        }
    }

    fn planned(exists: bool, dry_run: bool) -> Change {
        match (exists, dry_run) {
            (false, false) => Change::Created,
            (false, true) => Change::WouldCreate,
            (true, false) => Change::Updated,
            (true, true) => Change::WouldUpdate,
        }
    }

    pub fn is_change(self) -> bool {
        !matches!(self, Change::Unchanged)
    }
}

/// What an ensure found and did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// The guide's step id.
    pub step: &'static str,
    /// What the step manages, in AWS's words.
    pub resource: &'static str,
    pub arn: String,
    pub change: Change,
    /// What was (or would be) written, and the differences found.
    pub details: Vec<String>,
    pub warnings: Vec<String>,
}

impl Outcome {
    fn new(step: &'static str, resource: &'static str, arn: String, change: Change) -> Outcome {
        Outcome {
            step,
            resource,
            arn,
            change,
            details: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

impl Outcome {
    /// An existing resource compared with what the setup asks for: unchanged when there is
    /// no difference, else (would be) updated; a resource connect-sso did not make is noted.
    fn compared(
        step: &'static str,
        resource: &'static str,
        arn: String,
        differences: Vec<String>,
        tags: &[Tag],
        dry_run: bool,
    ) -> Outcome {
        let change = if differences.is_empty() {
            Change::Unchanged
        } else {
            Change::planned(true, dry_run)
        };
        let mut out = Outcome::new(step, resource, arn, change);
        out.warnings.extend(not_managed_warning(tags, resource));
        out.details = differences;
        out
    }
}

fn not_managed_warning(tags: &[Tag], what: &str) -> Option<String> {
    let managed = tags.iter().any(|t| t.key == MANAGED_BY_KEY);
    (!managed).then(|| {
        format!(
            "the {what} existed before and was not created by connect-sso: it is kept up to date, but teardown will leave it in place"
        )
    })
}

/// Differences between two metadata documents that matter to IAM: issuer and certificates.
pub fn metadata_differences(old: &str, new: &IdpMetadata) -> Vec<String> {
    let old = match metadata::parse(old.as_bytes()) {
        Ok(m) => m,
        Err(e) => {
            return vec![format!(
                "the provider's current metadata is not valid ({e})"
            )];
        }
    };
    let mut out = Vec::new();
    if old.entity_id != new.entity_id {
        out.push(format!("entity id: {} -> {}", old.entity_id, new.entity_id));
    }
    let fingerprint = |c: &metadata::SigningCertificate| c.sha256_fingerprint.clone();
    let old_prints: Vec<String> = old.certificates.iter().map(fingerprint).collect();
    let new_prints: Vec<String> = new.certificates.iter().map(fingerprint).collect();
    for c in &old.certificates {
        if !new_prints.contains(&c.sha256_fingerprint) {
            out.push(format!(
                "certificate removed: SHA-256 {} (valid until {})",
                c.sha256_fingerprint,
                metadata::format_date(&c.not_after)
            ));
        }
    }
    for c in &new.certificates {
        if !old_prints.contains(&c.sha256_fingerprint) {
            out.push(format!(
                "certificate added: SHA-256 {} (valid until {})",
                c.sha256_fingerprint,
                metadata::format_date(&c.not_after)
            ));
        }
    }
    out
}

/// Step 6a: the IAM SAML provider holds Identity Center's current metadata.
pub async fn ensure_saml_provider(
    cloud: &dyn Cloud,
    setup: &Setup,
    metadata_document: &str,
    dry_run: bool,
) -> CloudResult<Outcome> {
    let arn = setup.provider_arn();
    let wanted =
        metadata::parse(metadata_document.as_bytes()).map_err(|e| CloudError::Invalid {
            action: "iam:CreateSAMLProvider".into(),
            message: e.to_string(),
        })?;
    match cloud.get_saml_provider(&arn).await? {
        None => {
            let mut out = Outcome::new(
                "6a",
                "SAML provider",
                arn.clone(),
                Change::planned(false, dry_run),
            );
            out.details.push(format!(
                "provider {} with the metadata of {}",
                setup.provider_name, wanted.entity_id
            ));
            if !dry_run {
                let created = cloud
                    .create_saml_provider(
                        setup.provider_name.as_str(),
                        metadata_document,
                        &managed_tags(setup.instance.id.as_str()),
                    )
                    .await?;
                out.arn = created;
                if cloud.get_saml_provider(&arn).await?.is_none() {
                    out.warnings.push(not_yet_visible("SAML provider"));
                }
            }
            Ok(out)
        }
        Some(existing) => {
            let differences = metadata_differences(&existing.metadata_document, &wanted);
            let mut out = Outcome::compared(
                "6a",
                "SAML provider",
                existing.arn.clone(),
                differences,
                &existing.tags,
                dry_run,
            );
            if out.change == Change::Updated {
                cloud
                    .update_saml_provider(&existing.arn, metadata_document)
                    .await?;
                let after = cloud.get_saml_provider(&existing.arn).await?;
                if after
                    .is_none_or(|p| !metadata_differences(&p.metadata_document, &wanted).is_empty())
                {
                    out.warnings.push(not_yet_visible("SAML provider metadata"));
                }
            }
            Ok(out)
        }
    }
}

fn not_yet_visible(what: &str) -> String {
    format!(
        "IAM does not show the new {what} yet (IAM changes can take a few seconds to appear); run again to verify"
    )
}

/// Step 6b: the managed policy's default version is the generated permissions policy.
pub async fn ensure_policy(
    cloud: &dyn Cloud,
    setup: &Setup,
    dry_run: bool,
) -> CloudResult<Outcome> {
    let arn = setup.policy_arn();
    let wanted = setup.permissions_policy();
    let Some(existing) = cloud.get_policy(&arn).await? else {
        let mut out = Outcome::new("6b", "policy", arn.clone(), Change::planned(false, dry_run));
        out.details.push(format!(
            "policy {} allowing connect:GetFederationToken on {}/user/${{aws:userid}}",
            setup.policy_name,
            setup.instance.arn()
        ));
        if !dry_run {
            out.arn = cloud
                .create_policy(
                    setup.policy_name.as_str(),
                    &wanted,
                    &managed_tags(setup.instance.id.as_str()),
                )
                .await?;
        }
        return Ok(out);
    };
    let current = cloud
        .get_policy_version(&existing.arn, &existing.default_version_id)
        .await?;
    let differences = json_diff(&current, &wanted);
    let mut out = Outcome::compared(
        "6b",
        "policy",
        existing.arn.clone(),
        differences,
        &existing.tags,
        dry_run,
    );
    if !out.change.is_change() {
        return Ok(out);
    }
    let versions = cloud.list_policy_versions(&existing.arn).await?;
    if versions.len() >= MAX_POLICY_VERSIONS {
        // IAM refuses a sixth version: the oldest non-default one makes room.
        if let Some(oldest) = versions
            .iter()
            .filter(|v| !v.is_default)
            .min_by_key(|v| v.created)
        {
            out.details.push(format!(
                "delete version {} (the oldest) to stay within IAM's {MAX_POLICY_VERSIONS} versions",
                oldest.version_id
            ));
            if !dry_run {
                cloud
                    .delete_policy_version(&existing.arn, &oldest.version_id)
                    .await?;
            }
        }
    }
    if dry_run {
        out.details.push(format!(
            "add a new default version after {}",
            existing.default_version_id
        ));
        return Ok(out);
    }
    let version = cloud
        .create_policy_version(&existing.arn, &wanted, true)
        .await?;
    out.details.push(format!(
        "new default version {version} (was {})",
        existing.default_version_id
    ));
    let after = cloud.get_policy_version(&existing.arn, &version).await?;
    if !json_diff(&after, &wanted).is_empty() {
        out.warnings.push(not_yet_visible("policy version"));
    }
    Ok(out)
}

/// Step 6c: the role trusts the provider for this setup's ACS URL and has the policy attached.
pub async fn ensure_role(cloud: &dyn Cloud, setup: &Setup, dry_run: bool) -> CloudResult<Outcome> {
    let name = setup.role_name.as_str();
    let policy_arn = setup.policy_arn();
    let wanted = setup.trust_policy();
    let mut out = match cloud.get_role(name).await? {
        None => {
            let mut out = Outcome::new(
                "6c",
                "role",
                setup.role_arn(),
                Change::planned(false, dry_run),
            );
            out.details.push(format!(
                "role {name} trusting {} for sts:AssumeRoleWithSAML from {}",
                setup.provider_name,
                setup.acs_url()
            ));
            out.details
                .push(format!("attach policy {}", setup.policy_name));
            if !dry_run {
                out.arn = cloud
                    .create_role(name, &wanted, &managed_tags(setup.instance.id.as_str()))
                    .await?;
                cloud.attach_role_policy(name, &policy_arn).await?;
            }
            out
        }
        Some(role) => {
            let differences = json_diff(&role.trust_policy, &wanted);
            let mut out = Outcome::new("6c", "role", role.arn.clone(), Change::Unchanged);
            out.warnings.extend(not_managed_warning(&role.tags, "role"));
            if !differences.is_empty() {
                out.change = Change::planned(true, dry_run);
                out.details.push(
                    if dry_run {
                        "trust policy differs:"
                    } else {
                        "trust policy replaced; it differed in:"
                    }
                    .to_string(),
                );
                out.details
                    .extend(differences.into_iter().map(|d| format!("  {d}")));
                if !dry_run {
                    cloud.update_assume_role_policy(name, &wanted).await?;
                }
            }
            let attached = cloud.list_attached_role_policies(name).await?;
            if !attached.iter().any(|p| p.arn == policy_arn) {
                out.change = Change::planned(true, dry_run);
                out.details
                    .push(format!("attach policy {}", setup.policy_name));
                if !dry_run {
                    cloud.attach_role_policy(name, &policy_arn).await?;
                }
            }
            let others: Vec<&str> = attached
                .iter()
                .filter(|p| p.arn != policy_arn)
                .map(|p| p.name.as_str())
                .collect();
            if !others.is_empty() {
                out.warnings.push(format!(
                    "the role also has {} attached: everyone who signs in gets those permissions too; detach them unless that is intended",
                    others.join(", ")
                ));
            }
            let inline = cloud.list_role_policies(name).await?;
            if !inline.is_empty() {
                out.warnings.push(format!(
                    "the role also has inline policies ({}): everyone who signs in gets those permissions too",
                    inline.join(", ")
                ));
            }
            out
        }
    };
    out.warnings
        .extend(other_federation_roles(cloud, setup).await?);
    if !dry_run && out.change.is_change() {
        match cloud.get_role(name).await? {
            Some(r) if json_diff(&r.trust_policy, &wanted).is_empty() => {}
            _ => out.warnings.push(not_yet_visible("role trust policy")),
        }
    }
    Ok(out)
}

/// Connect takes one federation role per instance: other roles that trust the same
/// provider are worth a warning. (ListRoles returns no tags, so trust is what can be seen.)
async fn other_federation_roles(cloud: &dyn Cloud, setup: &Setup) -> CloudResult<Vec<String>> {
    let provider = setup.provider_arn();
    let roles = cloud.list_roles().await?;
    Ok(roles
        .iter()
        .filter(|r| r.name != setup.role_name.as_str())
        .filter(|r| names_provider(&r.trust_policy, &provider))
        .map(|r| {
            format!(
                "role {} also federates into this instance; Connect uses one role per instance, so keep one and delete the other",
                r.name
            )
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_labels() {
        assert_eq!(Change::planned(false, true), Change::WouldCreate);
        assert_eq!(Change::planned(true, false), Change::Updated);
        assert!(!Change::Unchanged.is_change());
    }
}

/// How to create missing Connect users (SAML instances: no password, no email field).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectUserTemplate {
    pub security_profile: String,
    pub routing_profile: String,
}

impl ConnectUserTemplate {
    /// The profiles the answers name, each defaulting to `Agent` and `Basic Routing
    /// Profile`: one place for apply, users sync and the wizard.
    pub fn from_answers(a: &crate::domain::setup::Answers) -> ConnectUserTemplate {
        use crate::domain::setup::{DEFAULT_ROUTING_PROFILE, DEFAULT_SECURITY_PROFILE};
        ConnectUserTemplate {
            security_profile: a
                .security_profile
                .clone()
                .unwrap_or_else(|| DEFAULT_SECURITY_PROFILE.into()),
            routing_profile: a
                .routing_profile
                .clone()
                .unwrap_or_else(|| DEFAULT_ROUTING_PROFILE.into()),
        }
    }
}

/// One person of step 11 and the verification: Identity Center user, assignment, and the
/// Connect user whose user name must equal the RoleSessionName value (the email).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserOutcome {
    /// As the user was asked for (user name or email).
    pub requested: String,
    pub user_id: Option<String>,
    /// The Connect user name the SAML response will carry.
    pub connect_username: Option<String>,
    pub assignment: Option<Change>,
    pub connect_user: Option<Change>,
    /// What still blocks this person's sign-in, with the fix.
    pub problems: Vec<String>,
}

impl UserOutcome {
    /// This person in words, as apply and the wizard show it: "maria@example.com:
    /// assignment created; Connect user maria@example.com exists".
    pub fn in_words(&self) -> String {
        let Some(_) = &self.user_id else {
            return format!("{}: not found in Identity Center", self.requested);
        };
        let assignment = match self.assignment {
            Some(Change::Unchanged) => "already assigned",
            Some(Change::Created) => "assignment created",
            Some(Change::WouldCreate) => "would be assigned",
            Some(_) | None => "not assigned",
        };
        let connect = match (&self.connect_username, self.connect_user) {
            (None, _) => "no Connect user name (no email in Identity Center)".to_string(),
            (Some(name), Some(Change::Created)) => format!("Connect user {name} created"),
            (Some(name), Some(Change::WouldCreate)) => {
                format!("Connect user {name} would be created")
            }
            (Some(name), Some(_)) => format!("Connect user {name} exists"),
            (Some(name), None) => format!("Connect user {name} missing"),
        };
        format!("{}: {assignment}; {connect}", self.requested)
    }
}

/// Finds an Identity Center user by email (when the text has an @) or by user name.
pub(crate) async fn find_user(
    cloud: &dyn Cloud,
    identity_store_id: &str,
    wanted: &str,
) -> CloudResult<Option<super::IdcUser>> {
    let mut id = None;
    if wanted.contains('@') {
        id = cloud.user_id_by_email(identity_store_id, wanted).await?;
    }
    if id.is_none() {
        id = cloud
            .user_id_by_user_name(identity_store_id, wanted)
            .await?;
    }
    match id {
        Some(id) => cloud.describe_user(identity_store_id, &id).await,
        None => Ok(None),
    }
}

/// Step 11 and the Connect side of verification, for each requested person.
pub async fn ensure_users(
    cloud: &dyn Cloud,
    setup: &Setup,
    application_arn: &str,
    identity_store_id: &str,
    wanted: &[String],
    create_connect_users: Option<&ConnectUserTemplate>,
    dry_run: bool,
) -> CloudResult<Vec<UserOutcome>> {
    let (done, error) = ensure_users_so_far(
        cloud,
        setup,
        Some(application_arn),
        identity_store_id,
        wanted,
        create_connect_users,
        dry_run,
    )
    .await;
    match error {
        Some(e) => Err(e),
        None => Ok(done),
    }
}

/// [`ensure_users`] that, when a call fails, still returns what was done for the people
/// before it (and for the one it stopped at), beside the error. `application_arn` is `None`
/// in a dry run before step 1's application exists (added before the real run): nobody is
/// assigned to it yet.
pub async fn ensure_users_so_far(
    cloud: &dyn Cloud,
    setup: &Setup,
    application_arn: Option<&str>,
    identity_store_id: &str,
    wanted: &[String],
    create_connect_users: Option<&ConnectUserTemplate>,
    dry_run: bool,
) -> (Vec<UserOutcome>, Option<CloudError>) {
    let mut out = Vec::new();
    let assigned: Vec<String> = match application_arn {
        Some(arn) => match cloud.list_application_assignments(arn).await {
            Ok(list) => list.into_iter().map(|a| a.principal_id).collect(),
            Err(e) => return (out, Some(e)),
        },
        None => Vec::new(),
    };
    // Profiles are looked up once, by name, only when users may be created.
    let profiles = match create_connect_users {
        Some(t) if !dry_run => match resolve_profiles(cloud, setup.instance.id.as_str(), t).await {
            Ok(p) => Some(p),
            Err(e) => return (out, Some(e)),
        },
        _ => None,
    };
    // Many people: each population is read once and people are matched in memory.
    let (idc, connect) = if is_bulk(wanted.len()) {
        match tokio::try_join!(
            IdcDirectory::read(cloud, identity_store_id),
            ConnectDirectory::read(cloud, setup.instance.id.as_str()),
        ) {
            Ok((idc, connect)) => (Some(idc), Some(connect)),
            Err(e) => return (out, Some(e)),
        }
    } else {
        (None, None)
    };
    let mut people = People {
        cloud,
        instance_id: setup.instance.id.as_str(),
        application_arn,
        identity_store_id,
        assigned,
        create_connect_users,
        profiles,
        dry_run,
        directory: idc.as_ref().map(|d| d.users().to_vec()),
        idc,
        connect,
    };
    for requested in wanted {
        let mut o = UserOutcome {
            requested: requested.clone(),
            user_id: None,
            connect_username: None,
            assignment: None,
            connect_user: None,
            problems: Vec::new(),
        };
        let result = people.ensure(&mut o).await;
        out.push(o);
        if let Err(e) = result {
            return (out, Some(e));
        }
    }
    (out, None)
}

/// What step 11 needs for each person, read once.
struct People<'a> {
    cloud: &'a dyn Cloud,
    instance_id: &'a str,
    application_arn: Option<&'a str>,
    identity_store_id: &'a str,
    /// Principal ids already assigned to the application.
    assigned: Vec<String>,
    create_connect_users: Option<&'a ConnectUserTemplate>,
    /// Security and routing profile ids, when users may be created.
    profiles: Option<(String, String)>,
    dry_run: bool,
    /// Read once, and only when someone is not found: for "did you mean".
    directory: Option<Vec<super::IdcUser>>,
    /// The identity store's users, read once when many people are asked for.
    idc: Option<IdcDirectory>,
    /// The instance's Connect users, read once when many people are asked for.
    connect: Option<ConnectDirectory>,
}

impl People<'_> {
    /// One person: filled in as it goes, so a failure leaves in `o` what was already done.
    async fn ensure(&mut self, o: &mut UserOutcome) -> CloudResult<()> {
        let cloud = self.cloud;
        let identity_store_id = self.identity_store_id;
        let requested = o.requested.clone();
        let found = match &self.idc {
            Some(idc) => idc.find(&requested).cloned(),
            None => find_user(cloud, identity_store_id, &requested).await?,
        };
        let Some(user) = found else {
            if self.directory.is_none() {
                // A refused list only costs the suggestion, not the check.
                self.directory = Some(
                    cloud
                        .list_users(identity_store_id)
                        .await
                        .unwrap_or_default(),
                );
            }
            let known = self.directory.iter().flatten().flat_map(|u| {
                std::iter::once(u.user_name.as_str()).chain(u.emails.iter().map(String::as_str))
            });
            let hint = match did_you_mean(&requested, known).as_slice() {
                [] => "check the spelling, or create the user in Identity Center first".to_string(),
                names => format!("did you mean {}?", names.join(" or ")),
            };
            o.problems.push(format!(
                "no Identity Center user has the user name or email {requested} (identity store {identity_store_id}): {hint}"
            ));
            return Ok(());
        };
        o.user_id = Some(user.user_id.clone());
        if self.assigned.contains(&user.user_id) {
            o.assignment = Some(Change::Unchanged);
        } else {
            match self.application_arn.filter(|_| !self.dry_run) {
                Some(arn) => {
                    cloud
                        .create_application_assignment(arn, PrincipalType::User, &user.user_id)
                        .await?;
                    self.assigned.push(user.user_id.clone());
                    o.assignment = Some(Change::Created);
                }
                None => o.assignment = Some(Change::WouldCreate),
            }
        }
        let Some(email) = super::directory::connect_user_name(&user).map(str::to_string) else {
            o.problems.push(format!(
                "{} has no email address in Identity Center, so the RoleSessionName mapping ${{user:email}} is empty: add an email to the user",
                user.user_name
            ));
            return Ok(());
        };
        o.connect_username = Some(email.clone());
        let near_misses: Vec<String> = match &self.connect {
            Some(connect) => match connect.find(&email) {
                ConnectMatch::Exact(_) => {
                    o.connect_user = Some(Change::Unchanged);
                    return Ok(());
                }
                ConnectMatch::NearMiss(names) => names.into_iter().map(str::to_string).collect(),
                ConnectMatch::Missing => Vec::new(),
            },
            None => {
                if cloud
                    .search_connect_user(self.instance_id, &email)
                    .await?
                    .is_some()
                {
                    o.connect_user = Some(Change::Unchanged);
                    return Ok(());
                }
                Vec::new()
            }
        };
        let case_note = if near_misses.is_empty() {
            String::new()
        } else {
            format!(
                " ({} differs only in letter case, which sign-in does not accept: rename it to {email})",
                near_misses.join(", ")
            )
        };
        match (self.create_connect_users, &self.profiles) {
            (Some(_), Some((security, routing))) => {
                let new = super::NewConnectUser {
                    username: email.clone(),
                    first_name: user.given_name.clone().unwrap_or_else(|| user.user_name.clone()),
                    last_name: user.family_name.clone().unwrap_or_else(|| "-".to_string()),
                    security_profile_ids: vec![security.clone()],
                    routing_profile_id: routing.clone(),
                    tags: Vec::new(),
                };
                let created = cloud.create_connect_user(self.instance_id, &new).await?;
                if let Some(connect) = &mut self.connect {
                    connect.insert(created);
                }
                o.connect_user = Some(Change::Created);
            }
            (Some(_), None) => o.connect_user = Some(Change::WouldCreate),
            (None, _) => o.problems.push(format!(
                "the Connect instance has no user named exactly {email} (user names are case-sensitive){case_note}: create it in Connect, or let connect-sso create it (a on the wizard's step 11, or apply --create-connect-users)"
            )),
        }
        Ok(())
    }
}

/// Security and routing profile ids from their names.
pub(crate) async fn resolve_profiles(
    cloud: &dyn Cloud,
    instance_id: &str,
    template: &ConnectUserTemplate,
) -> CloudResult<(String, String)> {
    let (security, routing) = tokio::try_join!(
        cloud.list_security_profiles(instance_id),
        cloud.list_routing_profiles(instance_id),
    )?;
    let pick = |list: &[super::NamedId], name: &str, kind: &str| {
        list.iter()
            .find(|p| p.name == name)
            .map(|p| p.id.clone())
            .ok_or_else(|| CloudError::NotFound {
                action: format!("connect:List{kind}Profiles"),
                what: format!("a {} profile named {name}", kind.to_lowercase()),
                message: format!(
                    "the instance has: {}",
                    list.iter()
                        .map(|p| p.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            })
    };
    Ok((
        pick(&security, &template.security_profile, "Security")?,
        pick(&routing, &template.routing_profile, "Routing")?,
    ))
}
