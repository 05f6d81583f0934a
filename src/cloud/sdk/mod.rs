//! The `Cloud` port on the AWS SDK for Rust, with two contexts: IAM, STS and Connect run in
//! the connect context; IAM Identity Center (sso-admin), its identity store and STS in the
//! identity context. Every trait method is one AWS operation (all pages for listings).

mod convert;
mod error;
#[cfg(test)]
mod tests;

use std::time::Duration;

use async_trait::async_trait;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use serde_json::Value;

use crate::cloud::{
    Application, ApplicationAssignment, AttachedPolicy, CallerIdentity, Cloud, CloudError,
    CloudResult, ConnectInstanceSummary, ConnectUser, Context, IdcInstance, IdcUser,
    MAX_GROUP_IDS_PER_CALL, ManagedPolicy, NamedId, NewConnectUser, PolicyEntities, PolicyVersion,
    Role, SamlProvider, Tag,
};
use convert::{decode_policy_document, encode_policy_document, iam_tags, idc_user, tags_from_iam};
use error::Call;
pub(crate) use error::map_error;

/// The profile and region of one context, as given on the command line or in the answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContextSettings {
    pub profile: Option<String>,
    pub region: Option<String>,
}

/// The profile names to quote in error messages (`aws sso login --profile NAME`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profiles {
    pub connect: Option<String>,
    pub identity: Option<String>,
}

/// One client per service and context.
#[derive(Debug, Clone)]
pub struct SdkClients {
    pub iam: aws_sdk_iam::Client,
    pub connect: aws_sdk_connect::Client,
    pub connect_sts: aws_sdk_sts::Client,
    pub sso_admin: aws_sdk_ssoadmin::Client,
    pub identity_store: aws_sdk_identitystore::Client,
    pub identity_sts: aws_sdk_sts::Client,
}

impl SdkClients {
    pub fn from_configs(connect: &SdkConfig, identity: &SdkConfig) -> SdkClients {
        let mut iam = aws_sdk_iam::config::Builder::from(connect);
        // IAM is global: the region only picks the partition and the signing region, so
        // without one IAM still works in the commercial partition.
        if connect.region().is_none() {
            iam = iam.region(Region::from_static("us-east-1"));
        }
        SdkClients {
            iam: aws_sdk_iam::Client::from_conf(iam.build()),
            connect: aws_sdk_connect::Client::new(connect),
            connect_sts: aws_sdk_sts::Client::new(connect),
            sso_admin: aws_sdk_ssoadmin::Client::new(identity),
            identity_store: aws_sdk_identitystore::Client::new(identity),
            identity_sts: aws_sdk_sts::Client::new(identity),
        }
    }
}

/// Connect timeout, per-attempt timeout and whole-operation timeout (all retries): without
/// a network every call fails within half a minute instead of hanging.
pub fn timeout_config() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(3))
        .operation_attempt_timeout(Duration::from_secs(10))
        .operation_timeout(Duration::from_secs(30))
        .build()
}

/// Attempts per operation: `AWS_MAX_ATTEMPTS` when it is a positive integer, else 3.
/// Read here rather than by aws-config, which panics on an invalid value.
pub fn max_attempts(env_value: Option<&str>) -> u32 {
    env_value
        .and_then(|v| v.trim().parse::<u32>().ok())
        .filter(|n| *n >= 1)
        .unwrap_or(3)
}

/// The shared config of one context: the default chain (environment, profiles including
/// SSO profiles, web identity, `AWS_ENDPOINT_URL*`) with this tool's timeouts and retries.
pub async fn load_config(settings: &ContextSettings) -> SdkConfig {
    let attempts = max_attempts(std::env::var("AWS_MAX_ATTEMPTS").ok().as_deref());
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .timeout_config(timeout_config())
        .retry_config(RetryConfig::standard().with_max_attempts(attempts));
    if let Some(profile) = &settings.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &settings.region {
        loader = loader.region(Region::new(region.clone()));
    }
    loader.load().await
}

/// The `Cloud` port on real AWS.
#[derive(Debug, Clone)]
pub struct SdkCloud {
    clients: SdkClients,
    profiles: Profiles,
}

impl SdkCloud {
    /// Loads both contexts; the identity context takes the connect context's profile and
    /// region for whichever it does not set itself.
    pub async fn load(connect: &ContextSettings, identity: &ContextSettings) -> SdkCloud {
        let identity = ContextSettings {
            profile: identity.profile.clone().or_else(|| connect.profile.clone()),
            region: identity.region.clone().or_else(|| connect.region.clone()),
        };
        let connect_config = load_config(connect).await;
        // One config for both when they are the same, so credentials load (and an SSO
        // token is read) once.
        let identity_config = if &identity == connect {
            connect_config.clone()
        } else {
            load_config(&identity).await
        };
        // Name the profile the default chain uses, so credential errors can say which one
        // to log in with.
        let env_profile = std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty());
        let profiles = Profiles {
            connect: connect.profile.clone().or_else(|| env_profile.clone()),
            identity: identity.profile.clone().or(env_profile),
        };
        SdkCloud::from_configs(connect_config, identity_config, profiles)
    }

    pub fn from_configs(connect: SdkConfig, identity: SdkConfig, profiles: Profiles) -> SdkCloud {
        SdkCloud::from_clients(SdkClients::from_configs(&connect, &identity), profiles)
    }

    pub fn from_clients(clients: SdkClients, profiles: Profiles) -> SdkCloud {
        SdkCloud { clients, profiles }
    }

    pub fn clients(&self) -> &SdkClients {
        &self.clients
    }

    fn call(&self, context: Context, action: &'static str, what: impl Into<String>) -> Call<'_> {
        let profile = match context {
            Context::Connect => self.profiles.connect.as_deref(),
            Context::Identity => self.profiles.identity.as_deref(),
        };
        Call {
            context,
            profile,
            action,
            what: what.into(),
        }
    }

    fn identity(&self, action: &'static str, what: impl Into<String>) -> Call<'_> {
        self.call(Context::Identity, action, what)
    }

    fn connect(&self, action: &'static str, what: impl Into<String>) -> Call<'_> {
        self.call(Context::Connect, action, what)
    }

    async fn user_id_by(
        &self,
        identity_store_id: &str,
        attribute_path: &str,
        value: &str,
    ) -> CloudResult<Option<String>> {
        use aws_sdk_identitystore::types::{AlternateIdentifier, UniqueAttribute};
        let call = self.identity("identitystore:GetUserId", format!("user {value}"));
        let attribute = UniqueAttribute::builder()
            .attribute_path(attribute_path)
            .attribute_value(value.into())
            .build()
            .map_err(|e| invalid(&call, e))?;
        let result = self
            .clients
            .identity_store
            .get_user_id()
            .identity_store_id(identity_store_id)
            .alternate_identifier(AlternateIdentifier::UniqueAttribute(attribute))
            .send()
            .await;
        match result {
            Ok(out) => Ok(Some(out.user_id().to_string())),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_resource_not_found_exception()) =>
            {
                Ok(None)
            }
            Err(e) => Err(map_error(e, &call)),
        }
    }
}

/// A request this tool could not even build (e.g. a required field left empty).
fn invalid(call: &Call<'_>, err: impl std::fmt::Display) -> CloudError {
    CloudError::Invalid {
        action: call.action.to_string(),
        message: err.to_string(),
    }
}

/// A field AWS documents as always present but did not send.
fn required(call: &Call<'_>, value: Option<&str>, field: &str) -> CloudResult<String> {
    value
        .map(str::to_string)
        .ok_or_else(|| CloudError::Service {
            action: call.action.to_string(),
            code: "IncompleteResponse".to_string(),
            message: format!("the response has no {field}"),
        })
}

fn unreadable_document(call: &Call<'_>, message: String) -> CloudError {
    CloudError::Service {
        action: call.action.to_string(),
        code: "UnreadablePolicyDocument".to_string(),
        message,
    }
}

fn connect_instance(
    id: Option<&str>,
    arn: Option<&str>,
    alias: Option<&str>,
    identity_management_type: Option<&aws_sdk_connect::types::DirectoryType>,
    status: Option<&aws_sdk_connect::types::InstanceStatus>,
) -> ConnectInstanceSummary {
    ConnectInstanceSummary {
        id: id.unwrap_or_default().to_string(),
        arn: arn.unwrap_or_default().to_string(),
        alias: alias.map(str::to_string),
        identity_management_type: identity_management_type
            .map(|t| t.as_str().to_string())
            .unwrap_or_default(),
        status: status.map(|s| s.as_str().to_string()).unwrap_or_default(),
    }
}

fn named_id(id: Option<&str>, name: Option<&str>) -> NamedId {
    NamedId {
        id: id.unwrap_or_default().to_string(),
        name: name.unwrap_or_default().to_string(),
    }
}

#[async_trait]
impl Cloud for SdkCloud {
    async fn caller_identity(&self, context: Context) -> CloudResult<CallerIdentity> {
        let call = self.call(context, "sts:GetCallerIdentity", "caller identity");
        let client = match context {
            Context::Connect => &self.clients.connect_sts,
            Context::Identity => &self.clients.identity_sts,
        };
        let out = client
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| map_error(e, &call))?;
        Ok(CallerIdentity {
            account: out.account().unwrap_or_default().to_string(),
            arn: out.arn().unwrap_or_default().to_string(),
            user_id: out.user_id().unwrap_or_default().to_string(),
        })
    }

    async fn list_idc_instances(&self) -> CloudResult<Vec<IdcInstance>> {
        let call = self.identity("sso:ListInstances", "IAM Identity Center instance");
        let mut pages = self
            .clients
            .sso_admin
            .list_instances()
            .into_paginator()
            .send();
        let mut instances = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| map_error(e, &call))?;
            instances.extend(page.instances().iter().map(|i| IdcInstance {
                instance_arn: i.instance_arn().unwrap_or_default().to_string(),
                identity_store_id: i.identity_store_id().unwrap_or_default().to_string(),
                owner_account: i.owner_account_id().map(str::to_string),
                status: i.status().map(|s| s.as_str().to_string()),
            }));
        }
        Ok(instances)
    }

    async fn list_applications(&self, instance_arn: &str) -> CloudResult<Vec<Application>> {
        let call = self.identity(
            "sso:ListApplications",
            format!("IAM Identity Center instance {instance_arn}"),
        );
        let mut pages = self
            .clients
            .sso_admin
            .list_applications()
            .instance_arn(instance_arn)
            .into_paginator()
            .send();
        let mut applications = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| map_error(e, &call))?;
            applications.extend(page.applications().iter().map(|a| Application {
                arn: a.application_arn().unwrap_or_default().to_string(),
                name: a.name().unwrap_or_default().to_string(),
                provider_arn: a.application_provider_arn().unwrap_or_default().to_string(),
                status: a.status().map(|s| s.as_str().to_string()),
            }));
        }
        Ok(applications)
    }

    async fn list_application_assignments(
        &self,
        application_arn: &str,
    ) -> CloudResult<Vec<ApplicationAssignment>> {
        let call = self.identity(
            "sso:ListApplicationAssignments",
            format!("application {application_arn}"),
        );
        let mut pages = self
            .clients
            .sso_admin
            .list_application_assignments()
            .application_arn(application_arn)
            .into_paginator()
            .send();
        let mut assignments = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| map_error(e, &call))?;
            assignments.extend(page.application_assignments().iter().map(|a| {
                ApplicationAssignment {
                    principal_id: a.principal_id().to_string(),
                    principal_type: a.principal_type().as_str().to_string(),
                }
            }));
        }
        Ok(assignments)
    }

    async fn create_application_assignment(
        &self,
        application_arn: &str,
        user_id: &str,
    ) -> CloudResult<()> {
        let call = self.identity(
            "sso:CreateApplicationAssignment",
            format!("assignment of user {user_id} to application {application_arn}"),
        );
        self.clients
            .sso_admin
            .create_application_assignment()
            .application_arn(application_arn)
            .principal_id(user_id)
            .principal_type(aws_sdk_ssoadmin::types::PrincipalType::User)
            .send()
            .await
            .map_err(|e| map_error(e, &call))?;
        Ok(())
    }

    async fn delete_application_assignment(
        &self,
        application_arn: &str,
        user_id: &str,
    ) -> CloudResult<()> {
        let call = self.identity(
            "sso:DeleteApplicationAssignment",
            format!("assignment of user {user_id} to application {application_arn}"),
        );
        self.clients
            .sso_admin
            .delete_application_assignment()
            .application_arn(application_arn)
            .principal_id(user_id)
            .principal_type(aws_sdk_ssoadmin::types::PrincipalType::User)
            .send()
            .await
            .map_err(|e| map_error(e, &call))?;
        Ok(())
    }

    async fn user_id_by_user_name(
        &self,
        identity_store_id: &str,
        user_name: &str,
    ) -> CloudResult<Option<String>> {
        self.user_id_by(identity_store_id, "userName", user_name)
            .await
    }

    async fn user_id_by_email(
        &self,
        identity_store_id: &str,
        email: &str,
    ) -> CloudResult<Option<String>> {
        self.user_id_by(identity_store_id, "emails.value", email)
            .await
    }

    async fn describe_user(
        &self,
        identity_store_id: &str,
        user_id: &str,
    ) -> CloudResult<Option<IdcUser>> {
        let call = self.identity("identitystore:DescribeUser", format!("user {user_id}"));
        let result = self
            .clients
            .identity_store
            .describe_user()
            .identity_store_id(identity_store_id)
            .user_id(user_id)
            .send()
            .await;
        match result {
            Ok(out) => Ok(Some(idc_user(
                out.user_id(),
                out.user_name(),
                out.display_name(),
                out.name(),
                out.emails(),
            ))),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_resource_not_found_exception()) =>
            {
                Ok(None)
            }
            Err(e) => Err(map_error(e, &call)),
        }
    }

    async fn list_users(&self, identity_store_id: &str) -> CloudResult<Vec<IdcUser>> {
        let call = self.identity(
            "identitystore:ListUsers",
            format!("identity store {identity_store_id}"),
        );
        let mut pages = self
            .clients
            .identity_store
            .list_users()
            .identity_store_id(identity_store_id)
            .into_paginator()
            .send();
        let mut users = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| map_error(e, &call))?;
            users.extend(page.users().iter().map(|u| {
                idc_user(
                    u.user_id(),
                    u.user_name(),
                    u.display_name(),
                    u.name(),
                    u.emails(),
                )
            }));
        }
        Ok(users)
    }

    async fn is_member_in_groups(
        &self,
        identity_store_id: &str,
        user_id: &str,
        group_ids: &[String],
    ) -> CloudResult<Vec<String>> {
        use aws_sdk_identitystore::types::MemberId;
        let call = self.identity(
            "identitystore:IsMemberInGroups",
            format!("group memberships of user {user_id}"),
        );
        let mut member_of = Vec::new();
        for batch in group_ids.chunks(MAX_GROUP_IDS_PER_CALL) {
            let out = self
                .clients
                .identity_store
                .is_member_in_groups()
                .identity_store_id(identity_store_id)
                .member_id(MemberId::UserId(user_id.to_string()))
                .set_group_ids(Some(batch.to_vec()))
                .send()
                .await
                .map_err(|e| map_error(e, &call))?;
            member_of.extend(
                out.results()
                    .iter()
                    .filter(|r| r.membership_exists())
                    .filter_map(|r| r.group_id())
                    // Only the groups asked about, whatever else the answer names.
                    .filter(|g| batch.iter().any(|b| b == g))
                    .map(str::to_string),
            );
        }
        Ok(member_of)
    }

    async fn list_connect_instances(&self) -> CloudResult<Vec<ConnectInstanceSummary>> {
        let call = self.connect("connect:ListInstances", "Connect instance");
        let mut pages = self
            .clients
            .connect
            .list_instances()
            .into_paginator()
            .send();
        let mut instances = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| map_error(e, &call))?;
            instances.extend(page.instance_summary_list().iter().map(|i| {
                connect_instance(
                    i.id(),
                    i.arn(),
                    i.instance_alias(),
                    i.identity_management_type(),
                    i.instance_status(),
                )
            }));
        }
        Ok(instances)
    }

    async fn describe_connect_instance(
        &self,
        instance_id: &str,
    ) -> CloudResult<Option<ConnectInstanceSummary>> {
        let call = self.connect(
            "connect:DescribeInstance",
            format!("Connect instance {instance_id}"),
        );
        let result = self
            .clients
            .connect
            .describe_instance()
            .instance_id(instance_id)
            .send()
            .await;
        match result {
            Ok(out) => Ok(out.instance().map(|i| {
                connect_instance(
                    i.id(),
                    i.arn(),
                    i.instance_alias(),
                    i.identity_management_type(),
                    i.instance_status(),
                )
            })),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_resource_not_found_exception()) =>
            {
                Ok(None)
            }
            Err(e) => Err(map_error(e, &call)),
        }
    }

    async fn search_connect_user(
        &self,
        instance_id: &str,
        username: &str,
    ) -> CloudResult<Option<ConnectUser>> {
        use aws_sdk_connect::types::{StringComparisonType, StringCondition, UserSearchCriteria};
        let call = self.connect("connect:SearchUsers", format!("Connect user {username}"));
        let criteria = UserSearchCriteria::builder()
            .string_condition(
                StringCondition::builder()
                    .field_name("Username")
                    .value(username)
                    .comparison_type(StringComparisonType::Exact)
                    .build(),
            )
            .build();
        let mut pages = self
            .clients
            .connect
            .search_users()
            .instance_id(instance_id)
            .search_criteria(criteria)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| map_error(e, &call))?;
            // The SAML RoleSessionName must equal the user name character for character;
            // keep only an exact match whatever the search's own case rules are.
            if let Some(user) = page.users().iter().find(|u| u.username() == Some(username)) {
                return Ok(Some(ConnectUser {
                    id: user.id().unwrap_or_default().to_string(),
                    arn: user.arn().unwrap_or_default().to_string(),
                    username: username.to_string(),
                }));
            }
        }
        Ok(None)
    }

    async fn create_connect_user(
        &self,
        instance_id: &str,
        user: &NewConnectUser,
    ) -> CloudResult<ConnectUser> {
        use aws_sdk_connect::types::{PhoneType, UserIdentityInfo, UserPhoneConfig};
        let call = self.connect(
            "connect:CreateUser",
            format!("Connect user {}", user.username),
        );
        // SAML instances sign users in through federation: no password, and no email (the
        // user name is the email already).
        let out = self
            .clients
            .connect
            .create_user()
            .instance_id(instance_id)
            .username(&user.username)
            .identity_info(
                UserIdentityInfo::builder()
                    .first_name(&user.first_name)
                    .last_name(&user.last_name)
                    .build(),
            )
            .phone_config(
                UserPhoneConfig::builder()
                    .phone_type(PhoneType::SoftPhone)
                    .auto_accept(false)
                    .build(),
            )
            .set_security_profile_ids(Some(user.security_profile_ids.clone()))
            .routing_profile_id(&user.routing_profile_id)
            .send()
            .await
            .map_err(|e| map_error(e, &call))?;
        Ok(ConnectUser {
            id: required(&call, out.user_id(), "UserId")?,
            arn: required(&call, out.user_arn(), "UserArn")?,
            username: user.username.clone(),
        })
    }

    async fn list_security_profiles(&self, instance_id: &str) -> CloudResult<Vec<NamedId>> {
        let call = self.connect(
            "connect:ListSecurityProfiles",
            format!("Connect instance {instance_id}"),
        );
        let mut pages = self
            .clients
            .connect
            .list_security_profiles()
            .instance_id(instance_id)
            .into_paginator()
            .send();
        let mut profiles = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| map_error(e, &call))?;
            profiles.extend(
                page.security_profile_summary_list()
                    .iter()
                    .map(|p| named_id(p.id(), p.name())),
            );
        }
        Ok(profiles)
    }

    async fn list_routing_profiles(&self, instance_id: &str) -> CloudResult<Vec<NamedId>> {
        let call = self.connect(
            "connect:ListRoutingProfiles",
            format!("Connect instance {instance_id}"),
        );
        let mut pages = self
            .clients
            .connect
            .list_routing_profiles()
            .instance_id(instance_id)
            .into_paginator()
            .send();
        let mut profiles = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| map_error(e, &call))?;
            profiles.extend(
                page.routing_profile_summary_list()
                    .iter()
                    .map(|p| named_id(p.id(), p.name())),
            );
        }
        Ok(profiles)
    }

    async fn get_saml_provider(&self, arn: &str) -> CloudResult<Option<SamlProvider>> {
        let call = self.connect("iam:GetSAMLProvider", format!("SAML provider {arn}"));
        let result = self
            .clients
            .iam
            .get_saml_provider()
            .saml_provider_arn(arn)
            .send()
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
        let out = self
            .clients
            .iam
            .create_saml_provider()
            .name(name)
            .saml_metadata_document(metadata_document)
            .set_tags(Some(iam_tags(tags).map_err(|e| invalid(&call, e))?))
            .send()
            .await
            .map_err(|e| map_error(e, &call))?;
        required(&call, out.saml_provider_arn(), "SAMLProviderArn")
    }

    async fn update_saml_provider(&self, arn: &str, metadata_document: &str) -> CloudResult<()> {
        let call = self.connect("iam:UpdateSAMLProvider", format!("SAML provider {arn}"));
        self.clients
            .iam
            .update_saml_provider()
            .saml_provider_arn(arn)
            .saml_metadata_document(metadata_document)
            .send()
            .await
            .map_err(|e| map_error(e, &call))?;
        Ok(())
    }

    async fn delete_saml_provider(&self, arn: &str) -> CloudResult<()> {
        let call = self.connect("iam:DeleteSAMLProvider", format!("SAML provider {arn}"));
        self.clients
            .iam
            .delete_saml_provider()
            .saml_provider_arn(arn)
            .send()
            .await
            .map_err(|e| map_error(e, &call))?;
        Ok(())
    }

    async fn get_policy(&self, arn: &str) -> CloudResult<Option<ManagedPolicy>> {
        let call = self.connect("iam:GetPolicy", format!("policy {arn}"));
        let result = self.clients.iam.get_policy().policy_arn(arn).send().await;
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
        let mut pages = self
            .clients
            .iam
            .list_policy_versions()
            .policy_arn(arn)
            .into_paginator()
            .send();
        let mut versions = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| map_error(e, &call))?;
            versions.extend(page.versions().iter().map(|v| PolicyVersion {
                version_id: v.version_id().unwrap_or_default().to_string(),
                is_default: v.is_default_version(),
                created: v.create_date().map(|d| d.secs()).unwrap_or_default(),
            }));
        }
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
            .clients
            .iam
            .get_policy_version()
            .policy_arn(arn)
            .version_id(version_id)
            .send()
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
        let out = self
            .clients
            .iam
            .create_policy()
            .policy_name(name)
            .policy_document(encode_policy_document(document).map_err(|e| invalid(&call, e))?)
            .set_tags(Some(iam_tags(tags).map_err(|e| invalid(&call, e))?))
            .send()
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
        let out = self
            .clients
            .iam
            .create_policy_version()
            .policy_arn(arn)
            .policy_document(encode_policy_document(document).map_err(|e| invalid(&call, e))?)
            .set_as_default(set_as_default)
            .send()
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
        self.clients
            .iam
            .delete_policy_version()
            .policy_arn(arn)
            .version_id(version_id)
            .send()
            .await
            .map_err(|e| map_error(e, &call))?;
        Ok(())
    }

    async fn delete_policy(&self, arn: &str) -> CloudResult<()> {
        let call = self.connect("iam:DeletePolicy", format!("policy {arn}"));
        self.clients
            .iam
            .delete_policy()
            .policy_arn(arn)
            .send()
            .await
            .map_err(|e| map_error(e, &call))?;
        Ok(())
    }

    async fn list_entities_for_policy(&self, arn: &str) -> CloudResult<PolicyEntities> {
        let call = self.connect("iam:ListEntitiesForPolicy", format!("policy {arn}"));
        let mut pages = self
            .clients
            .iam
            .list_entities_for_policy()
            .policy_arn(arn)
            .into_paginator()
            .send();
        let mut entities = PolicyEntities::default();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| map_error(e, &call))?;
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
        Ok(entities)
    }

    async fn get_role(&self, name: &str) -> CloudResult<Option<Role>> {
        let call = self.connect("iam:GetRole", format!("role {name}"));
        let result = self.clients.iam.get_role().role_name(name).send().await;
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
        let out = self
            .clients
            .iam
            .create_role()
            .role_name(name)
            .assume_role_policy_document(
                encode_policy_document(trust_policy).map_err(|e| invalid(&call, e))?,
            )
            .set_tags(Some(iam_tags(tags).map_err(|e| invalid(&call, e))?))
            .send()
            .await
            .map_err(|e| map_error(e, &call))?;
        let arn = out.role().map(|r| r.arn()).filter(|arn| !arn.is_empty());
        required(&call, arn, "Role.Arn")
    }

    async fn update_assume_role_policy(&self, name: &str, trust_policy: &Value) -> CloudResult<()> {
        let call = self.connect("iam:UpdateAssumeRolePolicy", format!("role {name}"));
        self.clients
            .iam
            .update_assume_role_policy()
            .role_name(name)
            .policy_document(encode_policy_document(trust_policy).map_err(|e| invalid(&call, e))?)
            .send()
            .await
            .map_err(|e| map_error(e, &call))?;
        Ok(())
    }

    async fn list_attached_role_policies(&self, name: &str) -> CloudResult<Vec<AttachedPolicy>> {
        let call = self.connect("iam:ListAttachedRolePolicies", format!("role {name}"));
        let mut pages = self
            .clients
            .iam
            .list_attached_role_policies()
            .role_name(name)
            .into_paginator()
            .send();
        let mut policies = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| map_error(e, &call))?;
            policies.extend(page.attached_policies().iter().map(|p| AttachedPolicy {
                name: p.policy_name().unwrap_or_default().to_string(),
                arn: p.policy_arn().unwrap_or_default().to_string(),
            }));
        }
        Ok(policies)
    }

    async fn list_role_policies(&self, name: &str) -> CloudResult<Vec<String>> {
        let call = self.connect("iam:ListRolePolicies", format!("role {name}"));
        let mut pages = self
            .clients
            .iam
            .list_role_policies()
            .role_name(name)
            .into_paginator()
            .send();
        let mut names = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| map_error(e, &call))?;
            names.extend(page.policy_names().iter().cloned());
        }
        Ok(names)
    }

    async fn attach_role_policy(&self, name: &str, policy_arn: &str) -> CloudResult<()> {
        let call = self.connect(
            "iam:AttachRolePolicy",
            format!("policy {policy_arn} on role {name}"),
        );
        self.clients
            .iam
            .attach_role_policy()
            .role_name(name)
            .policy_arn(policy_arn)
            .send()
            .await
            .map_err(|e| map_error(e, &call))?;
        Ok(())
    }

    async fn detach_role_policy(&self, name: &str, policy_arn: &str) -> CloudResult<()> {
        let call = self.connect(
            "iam:DetachRolePolicy",
            format!("policy {policy_arn} on role {name}"),
        );
        self.clients
            .iam
            .detach_role_policy()
            .role_name(name)
            .policy_arn(policy_arn)
            .send()
            .await
            .map_err(|e| map_error(e, &call))?;
        Ok(())
    }

    async fn delete_role(&self, name: &str) -> CloudResult<()> {
        let call = self.connect("iam:DeleteRole", format!("role {name}"));
        self.clients
            .iam
            .delete_role()
            .role_name(name)
            .send()
            .await
            .map_err(|e| map_error(e, &call))?;
        Ok(())
    }

    async fn list_roles(&self) -> CloudResult<Vec<Role>> {
        let call = self.connect("iam:ListRoles", "roles");
        let mut pages = self.clients.iam.list_roles().into_paginator().send();
        let mut roles = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| map_error(e, &call))?;
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
        Ok(roles)
    }
}

#[cfg(test)]
mod config_tests {
    use super::*;

    #[test]
    fn max_attempts_defaults_to_three() {
        assert_eq!(max_attempts(None), 3);
        assert_eq!(max_attempts(Some("")), 3);
        assert_eq!(max_attempts(Some("zero")), 3);
        assert_eq!(max_attempts(Some("0")), 3);
        assert_eq!(max_attempts(Some("-2")), 3);
    }

    #[test]
    fn max_attempts_honours_the_environment() {
        assert_eq!(max_attempts(Some("1")), 1);
        assert_eq!(max_attempts(Some(" 5 ")), 5);
    }

    #[test]
    fn timeouts_are_bounded() {
        let t = timeout_config();
        assert_eq!(t.connect_timeout(), Some(Duration::from_secs(3)));
        assert_eq!(t.operation_attempt_timeout(), Some(Duration::from_secs(10)));
        assert_eq!(t.operation_timeout(), Some(Duration::from_secs(30)));
    }

    #[tokio::test]
    async fn identity_falls_back_to_the_connect_settings() {
        let connect = ContextSettings {
            profile: None,
            region: Some("eu-west-2".to_string()),
        };
        let identity = ContextSettings {
            profile: None,
            region: Some("us-east-1".to_string()),
        };
        let cloud = SdkCloud::load(&connect, &identity).await;
        let connect_region = cloud
            .clients
            .connect
            .config()
            .region()
            .map(|r| r.to_string());
        let identity_region = cloud
            .clients
            .sso_admin
            .config()
            .region()
            .map(|r| r.to_string());
        assert_eq!(connect_region.as_deref(), Some("eu-west-2"));
        assert_eq!(identity_region.as_deref(), Some("us-east-1"));
        assert_eq!(
            cloud
                .clients
                .iam
                .config()
                .region()
                .map(|r| r.to_string())
                .as_deref(),
            Some("eu-west-2")
        );

        let same = SdkCloud::load(&connect, &ContextSettings::default()).await;
        assert_eq!(
            same.clients
                .identity_store
                .config()
                .region()
                .map(|r| r.to_string())
                .as_deref(),
            Some("eu-west-2")
        );
        let timeouts = same.clients.connect.config().timeout_config().cloned();
        assert_eq!(
            timeouts.and_then(|t| t.operation_timeout()),
            Some(Duration::from_secs(30))
        );
    }

    #[tokio::test]
    async fn an_unreachable_endpoint_is_a_network_error_not_a_hang() {
        use aws_sdk_iam::config::{Credentials, SharedCredentialsProvider};
        // Port 1 on loopback: nothing listens, the connection is refused at once.
        let config = SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url("http://127.0.0.1:1")
            .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                "testing", "testing", None, None, "test",
            )))
            .retry_config(RetryConfig::standard().with_max_attempts(1))
            .timeout_config(timeout_config())
            .build();
        let cloud = SdkCloud::from_configs(config.clone(), config, Profiles::default());
        let err = cloud
            .caller_identity(Context::Connect)
            .await
            .expect_err("nothing listens");
        assert!(
            matches!(&err, CloudError::Network { action, .. } if action == "sts:GetCallerIdentity"),
            "{err:?}"
        );
        assert!(err.to_string().contains("Check the network connection"));
    }

    #[test]
    fn iam_without_a_region_signs_for_the_commercial_partition() {
        let config = SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .build();
        let clients = SdkClients::from_configs(&config, &config);
        assert_eq!(
            clients
                .iam
                .config()
                .region()
                .map(|r| r.to_string())
                .as_deref(),
            Some("us-east-1")
        );
    }
}
