//! IAM on the AWS SDK, in the connect context: SAML providers, managed policies and their
//! versions, roles and their policies. IAM sends policy documents URL-encoded; they are
//! decoded and parsed here.

use async_trait::async_trait;
use serde_json::Value;

use super::convert::{decode_policy_document, encode_policy_document, iam_tags, tags_from_iam};
use super::error::Call;
use super::{SdkCloud, all_pages, invalid, map_error, required};
use crate::cloud::{
    AttachedPolicy, CloudError, CloudResult, Iam, ManagedPolicy, PolicyEntities, PolicyVersion,
    Role, SamlProvider, Tag,
};

fn unreadable_document(call: &Call<'_>, message: String) -> CloudError {
    CloudError::Service {
        action: call.action.to_string(),
        code: "UnreadablePolicyDocument".to_string(),
        message,
    }
}

#[async_trait]
impl Iam for SdkCloud {
    async fn get_saml_provider(&self, arn: &str) -> CloudResult<Option<SamlProvider>> {
        let call = self.connect("iam:GetSAMLProvider", format!("SAML provider {arn}"));
        let result = self
            .send(call.action, || {
                self.clients
                    .iam
                    .get_saml_provider()
                    .saml_provider_arn(arn)
                    .send()
            })
            .await;
        match result {
            Ok(out) => Ok(Some(SamlProvider {
                arn: arn.to_string(),
                metadata_document: out.saml_metadata_document().unwrap_or_default().to_string(),
                tags: tags_from_iam(out.tags()),
            })),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_no_such_entity_exception()) =>
            {
                Ok(None)
            }
            Err(e) => Err(map_error(e, &call)),
        }
    }

    async fn create_saml_provider(
        &self,
        name: &str,
        metadata_document: &str,
        tags: &[Tag],
    ) -> CloudResult<String> {
        let call = self.connect("iam:CreateSAMLProvider", format!("SAML provider {name}"));
        let tags = iam_tags(tags).map_err(|e| invalid(&call, e))?;
        let out = self
            .send(call.action, || {
                self.clients
                    .iam
                    .create_saml_provider()
                    .name(name)
                    .saml_metadata_document(metadata_document)
                    .set_tags(Some(tags.clone()))
                    .send()
            })
            .await
            .map_err(|e| map_error(e, &call))?;
        required(&call, out.saml_provider_arn(), "SAMLProviderArn")
    }

    async fn update_saml_provider(&self, arn: &str, metadata_document: &str) -> CloudResult<()> {
        let call = self.connect("iam:UpdateSAMLProvider", format!("SAML provider {arn}"));
        self.send(call.action, || {
            self.clients
                .iam
                .update_saml_provider()
                .saml_provider_arn(arn)
                .saml_metadata_document(metadata_document)
                .send()
        })
        .await
        .map_err(|e| map_error(e, &call))?;
        Ok(())
    }

    async fn delete_saml_provider(&self, arn: &str) -> CloudResult<()> {
        let call = self.connect("iam:DeleteSAMLProvider", format!("SAML provider {arn}"));
        self.send(call.action, || {
            self.clients
                .iam
                .delete_saml_provider()
                .saml_provider_arn(arn)
                .send()
        })
        .await
        .map_err(|e| map_error(e, &call))?;
        Ok(())
    }

    async fn get_policy(&self, arn: &str) -> CloudResult<Option<ManagedPolicy>> {
        let call = self.connect("iam:GetPolicy", format!("policy {arn}"));
        let result = self
            .send(call.action, || {
                self.clients.iam.get_policy().policy_arn(arn).send()
            })
            .await;
        match result {
            Ok(out) => Ok(out.policy().map(|p| ManagedPolicy {
                arn: p.arn().unwrap_or(arn).to_string(),
                name: p.policy_name().unwrap_or_default().to_string(),
                default_version_id: p.default_version_id().unwrap_or_default().to_string(),
                tags: tags_from_iam(p.tags()),
            })),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_no_such_entity_exception()) =>
            {
                Ok(None)
            }
            Err(e) => Err(map_error(e, &call)),
        }
    }

    async fn list_policy_versions(&self, arn: &str) -> CloudResult<Vec<PolicyVersion>> {
        let call = self.connect("iam:ListPolicyVersions", format!("policy {arn}"));
        let mut versions = Vec::new();
        all_pages!(
            self,
            call,
            self.clients.iam.list_policy_versions().policy_arn(arn),
            set_marker,
            marker,
            |page| {
                versions.extend(page.versions().iter().map(|v| PolicyVersion {
                    version_id: v.version_id().unwrap_or_default().to_string(),
                    is_default: v.is_default_version(),
                    created: v.create_date().map(|d| d.secs()).unwrap_or_default(),
                }));
            }
        );
        // IAM lists newest first; the port promises oldest first (the one to prune first).
        versions.sort_by_key(|v| v.created);
        Ok(versions)
    }

    async fn get_policy_version(&self, arn: &str, version_id: &str) -> CloudResult<Value> {
        let call = self.connect(
            "iam:GetPolicyVersion",
            format!("version {version_id} of policy {arn}"),
        );
        let out = self
            .send(call.action, || {
                self.clients
                    .iam
                    .get_policy_version()
                    .policy_arn(arn)
                    .version_id(version_id)
                    .send()
            })
            .await
            .map_err(|e| map_error(e, &call))?;
        let raw = required(
            &call,
            out.policy_version().and_then(|v| v.document()),
            "PolicyVersion.Document",
        )?;
        decode_policy_document(&raw).map_err(|e| unreadable_document(&call, e))
    }

    async fn create_policy(
        &self,
        name: &str,
        document: &Value,
        tags: &[Tag],
    ) -> CloudResult<String> {
        let call = self.connect("iam:CreatePolicy", format!("policy {name}"));
        let tags = iam_tags(tags).map_err(|e| invalid(&call, e))?;
        let encoded = encode_policy_document(document).map_err(|e| invalid(&call, e))?;
        let out = self
            .send(call.action, || {
                self.clients
                    .iam
                    .create_policy()
                    .policy_name(name)
                    .policy_document(encoded.clone())
                    .set_tags(Some(tags.clone()))
                    .send()
            })
            .await
            .map_err(|e| map_error(e, &call))?;
        required(&call, out.policy().and_then(|p| p.arn()), "Policy.Arn")
    }

    async fn create_policy_version(
        &self,
        arn: &str,
        document: &Value,
        set_as_default: bool,
    ) -> CloudResult<String> {
        let call = self.connect("iam:CreatePolicyVersion", format!("policy {arn}"));
        let encoded = encode_policy_document(document).map_err(|e| invalid(&call, e))?;
        let out = self
            .send(call.action, || {
                self.clients
                    .iam
                    .create_policy_version()
                    .policy_arn(arn)
                    .policy_document(encoded.clone())
                    .set_as_default(set_as_default)
                    .send()
            })
            .await
            .map_err(|e| map_error(e, &call))?;
        required(
            &call,
            out.policy_version().and_then(|v| v.version_id()),
            "PolicyVersion.VersionId",
        )
    }

    async fn delete_policy_version(&self, arn: &str, version_id: &str) -> CloudResult<()> {
        let call = self.connect(
            "iam:DeletePolicyVersion",
            format!("version {version_id} of policy {arn}"),
        );
        self.send(call.action, || {
            self.clients
                .iam
                .delete_policy_version()
                .policy_arn(arn)
                .version_id(version_id)
                .send()
        })
        .await
        .map_err(|e| map_error(e, &call))?;
        Ok(())
    }

    async fn delete_policy(&self, arn: &str) -> CloudResult<()> {
        let call = self.connect("iam:DeletePolicy", format!("policy {arn}"));
        self.send(call.action, || {
            self.clients.iam.delete_policy().policy_arn(arn).send()
        })
        .await
        .map_err(|e| map_error(e, &call))?;
        Ok(())
    }

    async fn list_entities_for_policy(&self, arn: &str) -> CloudResult<PolicyEntities> {
        let call = self.connect("iam:ListEntitiesForPolicy", format!("policy {arn}"));
        let mut entities = PolicyEntities::default();
        all_pages!(
            self,
            call,
            self.clients.iam.list_entities_for_policy().policy_arn(arn),
            set_marker,
            marker,
            |page| {
                let names = |n: Option<&str>| n.unwrap_or_default().to_string();
                entities
                    .roles
                    .extend(page.policy_roles().iter().map(|r| names(r.role_name())));
                entities
                    .users
                    .extend(page.policy_users().iter().map(|u| names(u.user_name())));
                entities
                    .groups
                    .extend(page.policy_groups().iter().map(|g| names(g.group_name())));
            }
        );
        Ok(entities)
    }

    async fn get_role(&self, name: &str) -> CloudResult<Option<Role>> {
        let call = self.connect("iam:GetRole", format!("role {name}"));
        let result = self
            .send(call.action, || {
                self.clients.iam.get_role().role_name(name).send()
            })
            .await;
        let out = match result {
            Ok(out) => out,
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_no_such_entity_exception()) =>
            {
                return Ok(None);
            }
            Err(e) => return Err(map_error(e, &call)),
        };
        let Some(role) = out.role() else {
            return Ok(None);
        };
        let raw = required(
            &call,
            role.assume_role_policy_document(),
            "Role.AssumeRolePolicyDocument",
        )?;
        Ok(Some(Role {
            name: role.role_name().to_string(),
            arn: role.arn().to_string(),
            trust_policy: decode_policy_document(&raw)
                .map_err(|e| unreadable_document(&call, e))?,
            tags: tags_from_iam(role.tags()),
        }))
    }

    async fn create_role(
        &self,
        name: &str,
        trust_policy: &Value,
        tags: &[Tag],
    ) -> CloudResult<String> {
        let call = self.connect("iam:CreateRole", format!("role {name}"));
        let tags = iam_tags(tags).map_err(|e| invalid(&call, e))?;
        let encoded = encode_policy_document(trust_policy).map_err(|e| invalid(&call, e))?;
        let out = self
            .send(call.action, || {
                self.clients
                    .iam
                    .create_role()
                    .role_name(name)
                    .assume_role_policy_document(encoded.clone())
                    .set_tags(Some(tags.clone()))
                    .send()
            })
            .await
            .map_err(|e| map_error(e, &call))?;
        let arn = out.role().map(|r| r.arn()).filter(|arn| !arn.is_empty());
        required(&call, arn, "Role.Arn")
    }

    async fn update_assume_role_policy(&self, name: &str, trust_policy: &Value) -> CloudResult<()> {
        let call = self.connect("iam:UpdateAssumeRolePolicy", format!("role {name}"));
        let encoded = encode_policy_document(trust_policy).map_err(|e| invalid(&call, e))?;
        self.send(call.action, || {
            self.clients
                .iam
                .update_assume_role_policy()
                .role_name(name)
                .policy_document(encoded.clone())
                .send()
        })
        .await
        .map_err(|e| map_error(e, &call))?;
        Ok(())
    }

    async fn list_attached_role_policies(&self, name: &str) -> CloudResult<Vec<AttachedPolicy>> {
        let call = self.connect("iam:ListAttachedRolePolicies", format!("role {name}"));
        let mut policies = Vec::new();
        all_pages!(
            self,
            call,
            self.clients
                .iam
                .list_attached_role_policies()
                .role_name(name),
            set_marker,
            marker,
            |page| {
                policies.extend(page.attached_policies().iter().map(|p| AttachedPolicy {
                    name: p.policy_name().unwrap_or_default().to_string(),
                    arn: p.policy_arn().unwrap_or_default().to_string(),
                }));
            }
        );
        Ok(policies)
    }

    async fn list_role_policies(&self, name: &str) -> CloudResult<Vec<String>> {
        let call = self.connect("iam:ListRolePolicies", format!("role {name}"));
        let mut names = Vec::new();
        all_pages!(
            self,
            call,
            self.clients.iam.list_role_policies().role_name(name),
            set_marker,
            marker,
            |page| {
                names.extend(page.policy_names().iter().cloned());
            }
        );
        Ok(names)
    }

    async fn attach_role_policy(&self, name: &str, policy_arn: &str) -> CloudResult<()> {
        let call = self.connect(
            "iam:AttachRolePolicy",
            format!("policy {policy_arn} on role {name}"),
        );
        self.send(call.action, || {
            self.clients
                .iam
                .attach_role_policy()
                .role_name(name)
                .policy_arn(policy_arn)
                .send()
        })
        .await
        .map_err(|e| map_error(e, &call))?;
        Ok(())
    }

    async fn detach_role_policy(&self, name: &str, policy_arn: &str) -> CloudResult<()> {
        let call = self.connect(
            "iam:DetachRolePolicy",
            format!("policy {policy_arn} on role {name}"),
        );
        self.send(call.action, || {
            self.clients
                .iam
                .detach_role_policy()
                .role_name(name)
                .policy_arn(policy_arn)
                .send()
        })
        .await
        .map_err(|e| map_error(e, &call))?;
        Ok(())
    }

    async fn delete_role(&self, name: &str) -> CloudResult<()> {
        let call = self.connect("iam:DeleteRole", format!("role {name}"));
        self.send(call.action, || {
            self.clients.iam.delete_role().role_name(name).send()
        })
        .await
        .map_err(|e| map_error(e, &call))?;
        Ok(())
    }

    async fn list_roles(&self) -> CloudResult<Vec<Role>> {
        let call = self.connect("iam:ListRoles", "roles");
        let mut roles = Vec::new();
        all_pages!(
            self,
            call,
            self.clients.iam.list_roles(),
            set_marker,
            marker,
            |page| {
                for role in page.roles() {
                    // One unreadable trust policy must not hide every other role: keep the role
                    // with a null policy, which matches no expected trust.
                    let trust_policy = match role.assume_role_policy_document() {
                        Some(raw) => decode_policy_document(raw).unwrap_or_else(|e| {
                            tracing::warn!(role = role.role_name(), "trust policy unreadable: {e}");
                            Value::Null
                        }),
                        None => Value::Null,
                    };
                    roles.push(Role {
                        name: role.role_name().to_string(),
                        arn: role.arn().to_string(),
                        trust_policy,
                        tags: tags_from_iam(role.tags()),
                    });
                }
            }
        );
        Ok(roles)
    }
}
