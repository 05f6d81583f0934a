//! IAM as the sandbox stands in for it: SAML providers, managed policies and their
//! versions, roles with their attached and inline policies, with IAM's limits and its
//! rules for what may be deleted. The validation rules are in [`super::iam_rules`].

use async_trait::async_trait;
use serde_json::Value;

use super::Sandbox;
use super::account::{PolicyRecord, RoleRecord, SANDBOX_ACCOUNT, State, VersionRecord};
use super::errors::{already_exists, delete_conflict, invalid, limit_exceeded, not_found};
use super::faults::context_of;
use super::iam_rules::{
    DocumentKind, check_document, check_metadata, check_policy_name, check_provider_name,
    check_role_name, check_tags, check_version_id, iam_arn_name,
};
use crate::cloud::{
    AttachedPolicy, CloudError, CloudResult, Iam, ManagedPolicy, PolicyEntities, PolicyVersion,
    Role, SamlProvider, Tag,
};

/// IAM keeps at most five versions of a managed policy.
const MAX_POLICY_VERSIONS: usize = 5;
/// IAM's default quota of managed policies attached to one role.
const MAX_ATTACHED_POLICIES: usize = 10;

pub(super) fn iam_arn(kind: &str, name: &str) -> String {
    format!("arn:aws:iam::{SANDBOX_ACCOUNT}:{kind}/{name}")
}

impl State {
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

    pub(super) fn role_or_not_found(&self, action: &str, name: &str) -> CloudResult<usize> {
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

fn policy_not_found(action: &str, arn: &str) -> CloudError {
    not_found(
        action,
        &format!("policy {arn}"),
        &format!("Policy {arn} does not exist or is not attachable."),
    )
}

fn version_not_found(action: &str, arn: &str, version_id: &str) -> CloudError {
    not_found(
        action,
        &format!("version {version_id} of policy {arn}"),
        &format!("Policy {arn} version {version_id} does not exist or is not attachable."),
    )
}

pub(super) fn version_of(policy: &PolicyRecord, v: &VersionRecord) -> PolicyVersion {
    PolicyVersion {
        version_id: v.id.clone(),
        is_default: v.id == policy.policy.default_version_id,
        created: v.created,
    }
}

#[async_trait]
impl Iam for Sandbox {
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
