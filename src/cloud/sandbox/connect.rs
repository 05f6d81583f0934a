//! Amazon Connect as the sandbox stands in for it: instances found by id or ARN, their
//! security and routing profiles, and users searched and created as Connect does.

use async_trait::async_trait;

use super::Sandbox;
use super::account::{
    SANDBOX_ACCOUNT, SANDBOX_REGION, State, UserDetails, connect_user_arn, uuid_from,
};
use super::errors::{already_exists, invalid, not_found, validation_error};
use super::faults::context_of;
use crate::cloud::{
    CloudError, CloudResult, ConnectApi, ConnectInstanceSummary, ConnectUser, ConnectUserDetails,
    Context, FederationToken, NamedId, NewConnectUser, Tag, TemporaryCredentials,
};
use crate::domain::policy::analyze_permissions;

fn federation_refused(code: &str, message: impl Into<String>) -> CloudError {
    CloudError::SignInRefused {
        action: "connect:GetFederationToken".to_string(),
        code: code.to_string(),
        message: message.into(),
    }
}

impl State {
    /// Every permissions policy document of the role: the default versions of its managed
    /// policies and its inline policies.
    fn role_permissions(&self, role_arn: &str) -> Vec<serde_json::Value> {
        let Some(role) = self.roles.iter().find(|r| r.role.arn == role_arn) else {
            return Vec::new();
        };
        let managed = role.attached.iter().filter_map(|a| {
            let p = self.policies.iter().find(|p| p.policy.arn == a.arn)?;
            p.versions
                .iter()
                .find(|v| v.id == p.policy.default_version_id)
                .map(|v| v.document.clone())
        });
        managed
            .chain(role.inline.iter().map(|(_, d)| d.clone()))
            .collect()
    }
}

/// Users a page of `ListUsers`, as Connect caps it.
const LIST_USERS_PAGE: usize = 1000;

/// Connect's tag rules: at most 50, keys of 1 to 128 characters not starting with `aws:`,
/// values of at most 256.
fn check_tags(action: &str, tags: &[Tag]) -> CloudResult<()> {
    if tags.len() > 50 {
        return Err(invalid(
            action,
            validation_error(
                &tags.len().to_string(),
                "tags",
                "must have length less than or equal to 50",
            ),
        ));
    }
    for t in tags {
        let len = t.key.chars().count();
        if len == 0 || len > 128 {
            return Err(invalid(
                action,
                validation_error(&t.key, "tags.key", "must have length between 1 and 128"),
            ));
        }
        if t.key.to_ascii_lowercase().starts_with("aws:") {
            return Err(invalid(
                action,
                format!(
                    "InvalidParameterException: tag key {} uses the reserved prefix aws:",
                    t.key
                ),
            ));
        }
        if t.value.chars().count() > 256 {
            return Err(invalid(
                action,
                validation_error(
                    &t.value,
                    "tags.value",
                    "must have length less than or equal to 256",
                ),
            ));
        }
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

impl State {
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
}

#[async_trait]
impl ConnectApi for Sandbox {
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

    async fn list_connect_users(&self, instance_id: &str) -> CloudResult<Vec<ConnectUser>> {
        const ACTION: &str = "connect:ListUsers";
        // One request per page of 1,000, as the SDK adapter sends them.
        let mut users = Vec::new();
        loop {
            self.enter(ACTION, context_of(ACTION)).await?;
            let state = self.lock();
            let i = state.instance(ACTION, instance_id)?;
            let all = &state.instances[i].users;
            let page = all.iter().skip(users.len()).take(LIST_USERS_PAGE);
            users.extend(page.cloned());
            if users.len() >= all.len() {
                return Ok(users);
            }
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
        check_tags(ACTION, &user.tags)?;
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
        instance.user_details.insert(
            created.id.clone(),
            UserDetails {
                first_name: user.first_name.clone(),
                last_name: user.last_name.clone(),
                tags: user.tags.clone(),
            },
        );
        self.persist_change(&mut state);
        Ok(created)
    }

    async fn describe_connect_user(
        &self,
        instance_id: &str,
        user_id: &str,
    ) -> CloudResult<Option<ConnectUserDetails>> {
        const ACTION: &str = "connect:DescribeUser";
        self.enter(ACTION, context_of(ACTION)).await?;
        let state = self.lock();
        let instance = &state.instances[state.instance(ACTION, instance_id)?];
        let Some(user) = instance.users.iter().find(|u| u.id == user_id) else {
            return Ok(None);
        };
        let details = instance.user_details.get(user_id);
        let mut tags = details.map(|d| d.tags.clone()).unwrap_or_default();
        tags.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(Some(ConnectUserDetails {
            user: user.clone(),
            first_name: details.map(|d| d.first_name.clone()),
            last_name: details.map(|d| d.last_name.clone()),
            tags,
        }))
    }

    async fn delete_connect_user(&self, instance_id: &str, user_id: &str) -> CloudResult<()> {
        const ACTION: &str = "connect:DeleteUser";
        self.enter(ACTION, context_of(ACTION)).await?;
        let mut state = self.lock();
        let i = state.instance(ACTION, instance_id)?;
        let instance = &mut state.instances[i];
        let Some(at) = instance.users.iter().position(|u| u.id == user_id) else {
            return Err(not_found(
                ACTION,
                &format!("Connect user {user_id}"),
                &format!(
                    "ResourceNotFoundException: no user {user_id} in instance {}",
                    instance.summary.id
                ),
            ));
        };
        instance.users.remove(at);
        instance.user_details.remove(user_id);
        self.persist_change(&mut state);
        Ok(())
    }

    async fn list_security_profiles(&self, instance_id: &str) -> CloudResult<Vec<NamedId>> {
        const ACTION: &str = "connect:ListSecurityProfiles";
        self.enter(ACTION, context_of(ACTION)).await?;
        let state = self.lock();
        let i = state.instance(ACTION, instance_id)?;
        Ok(state.instances[i].security_profiles.clone())
    }

    async fn get_federation_token(
        &self,
        instance_id: &str,
        credentials: &TemporaryCredentials,
    ) -> CloudResult<FederationToken> {
        const ACTION: &str = "connect:GetFederationToken";
        self.enter(ACTION, context_of(ACTION)).await?;
        let now = time::OffsetDateTime::now_utc();
        let session = super::sts::read_session(credentials, now)
            .map_err(|(code, message)| federation_refused(code, message))?;
        let state = self.lock();
        let i = state.instance(ACTION, instance_id).map_err(|e| match e {
            CloudError::NotFound { message, .. } => federation_refused(
                "ResourceNotFound",
                format!("Instance {instance_id} not found: {message}"),
            ),
            other => other,
        })?;
        let instance = &state.instances[i];
        let resource = format!(
            "{}/user/{}",
            instance.summary.arn, credentials.assumed_role_id
        );
        let documents = state.role_permissions(&session.role_arn);
        let analyses: Vec<_> = documents
            .iter()
            .map(|d| analyze_permissions(d, &instance.summary.arn))
            .collect();
        let denied = analyses.iter().any(|a| !a.denies.is_empty());
        if denied || !analyses.iter().any(|a| a.grants) {
            let why = if denied {
                "an explicit deny in an identity-based policy"
            } else {
                "no identity-based policy allows the connect:GetFederationToken action"
            };
            return Err(federation_refused(
                "AccessDenied",
                format!(
                    "User: arn:aws:sts::{SANDBOX_ACCOUNT}:assumed-role/{}/{} is not authorized to perform: connect:GetFederationToken on resource: {resource} because {why}",
                    session.role_arn.rsplit('/').next().unwrap_or_default(),
                    session.session_name
                ),
            ));
        }
        if instance.summary.identity_management_type != "SAML" {
            return Err(federation_refused(
                "InvalidRequest",
                format!(
                    "Instance {} manages identities as {}: federation needs an instance with SAML 2.0-based authentication",
                    instance.summary.id, instance.summary.identity_management_type
                ),
            ));
        }
        // Connect signs in the user named exactly (case-sensitively) after the session.
        let Some(user) = instance
            .users
            .iter()
            .find(|u| u.username == session.session_name)
        else {
            return Err(federation_refused(
                "UserNotFound",
                format!(
                    "No user with the user name {} exists in instance {}",
                    session.session_name, instance.summary.id
                ),
            ));
        };
        let host = format!(
            "{}.my.connect.aws",
            instance
                .summary
                .alias
                .as_deref()
                .unwrap_or(&instance.summary.id)
        );
        Ok(FederationToken {
            user_id: user.id.clone(),
            user_arn: user.arn.clone(),
            sign_in_host: Some(host),
            access_token_expiration: Some(session.expires.min(now.unix_timestamp() + 3600)),
        })
    }

    async fn list_routing_profiles(&self, instance_id: &str) -> CloudResult<Vec<NamedId>> {
        const ACTION: &str = "connect:ListRoutingProfiles";
        self.enter(ACTION, context_of(ACTION)).await?;
        let state = self.lock();
        let i = state.instance(ACTION, instance_id)?;
        Ok(state.instances[i].routing_profiles.clone())
    }
}
