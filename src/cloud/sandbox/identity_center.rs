//! IAM Identity Center (sso-admin: instances, applications and their assignments) and its
//! identity store (users, group membership), as the sandbox stands in for them.

use async_trait::async_trait;

use super::account::{SANDBOX_ACCOUNT, SANDBOX_IDC_INSTANCE_ARN, SANDBOX_IDENTITY_STORE_ID, State};
use super::errors::{already_exists, invalid, not_found, validation_error};
use super::faults::context_of;
use super::{ApplicationSnapshot, Sandbox};
use crate::cloud::{
    Application, ApplicationAssignment, CloudResult, Context, IdcGroup, IdcInstance, IdcUser,
    IdentityCenter, MAX_GROUP_IDS_PER_CALL, PrincipalType,
};

/// Items a page of the identity store's list operations, as AWS caps them.
pub(super) const IDENTITY_STORE_PAGE: usize = 100;

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

pub(super) fn is_uuid(s: &str) -> bool {
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

impl State {
    fn user(&self, user_id: &str) -> Option<&IdcUser> {
        self.users.iter().find(|u| u.user_id == user_id)
    }

    fn group(&self, group_id: &str) -> Option<&IdcGroup> {
        self.groups
            .iter()
            .map(|g| &g.group)
            .find(|g| g.group_id == group_id)
    }

    /// Assigns a user or a group to an application, refusing an unknown one (not found)
    /// and a second assignment of the same one (ConflictException) as AWS does.
    pub(super) fn assign(
        &mut self,
        action: &str,
        application_arn: &str,
        principal_id: &str,
        principal_type: PrincipalType,
    ) -> CloudResult<()> {
        self.application(action, application_arn)?;
        let kind = principal_type.noun();
        let exists = match principal_type {
            PrincipalType::User => self.user(principal_id).is_some(),
            PrincipalType::Group => self.group(principal_id).is_some(),
        };
        if !exists {
            return Err(not_found(
                action,
                &format!("{kind} {principal_id}"),
                &format!("no {kind} with this ID in identity store {SANDBOX_IDENTITY_STORE_ID}"),
            ));
        }
        let app = self.application(action, application_arn)?;
        if app
            .assignments
            .iter()
            .any(|a| a.principal_id == principal_id)
        {
            return Err(already_exists(
                action,
                &format!("assignment of {kind} {principal_id}"),
                &format!("ConflictException: the {kind} is already assigned to this application"),
            ));
        }
        app.assignments.push(ApplicationAssignment {
            principal_id: principal_id.to_string(),
            principal_type: principal_type.as_str().to_string(),
        });
        Ok(())
    }

    pub(super) fn application(
        &mut self,
        action: &str,
        arn: &str,
    ) -> CloudResult<&mut ApplicationSnapshot> {
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
}

#[async_trait]
impl IdentityCenter for Sandbox {
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
        principal_type: PrincipalType,
        principal_id: &str,
    ) -> CloudResult<()> {
        const ACTION: &str = "sso:CreateApplicationAssignment";
        self.enter(ACTION, context_of(ACTION)).await?;
        self.lock()
            .assign(ACTION, application_arn, principal_id, principal_type)
    }

    async fn delete_application_assignment(
        &self,
        application_arn: &str,
        principal_type: PrincipalType,
        principal_id: &str,
    ) -> CloudResult<()> {
        const ACTION: &str = "sso:DeleteApplicationAssignment";
        self.enter(ACTION, context_of(ACTION)).await?;
        let mut state = self.lock();
        let app = state.application(ACTION, application_arn)?;
        let kind = principal_type.noun();
        // The principal type is part of the assignment's key, as AWS takes it.
        let position = app
            .assignments
            .iter()
            .position(|a| a.principal_id == principal_id && a.is(principal_type))
            .ok_or_else(|| {
                not_found(
                    ACTION,
                    &format!("assignment of {kind} {principal_id}"),
                    &format!(
                        "ResourceNotFoundException: the {kind} is not assigned to this application"
                    ),
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
        // One request per page of 100, as the SDK adapter sends them.
        let mut users = Vec::new();
        loop {
            self.enter(ACTION, context_of(ACTION)).await?;
            check_identity_store(ACTION, identity_store_id)?;
            let state = self.lock();
            users.extend(
                state
                    .users
                    .iter()
                    .skip(users.len())
                    .take(IDENTITY_STORE_PAGE)
                    .cloned(),
            );
            if users.len() >= state.users.len() {
                return Ok(users);
            }
        }
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
        let state = self.lock();
        Ok(group_ids
            .iter()
            .filter(|id| {
                state
                    .groups
                    .iter()
                    .any(|g| &g.group.group_id == *id && g.member_ids.iter().any(|m| m == user_id))
            })
            .cloned()
            .collect())
    }

    async fn list_groups(&self, identity_store_id: &str) -> CloudResult<Vec<IdcGroup>> {
        const ACTION: &str = "identitystore:ListGroups";
        let mut groups = Vec::new();
        loop {
            self.enter(ACTION, context_of(ACTION)).await?;
            check_identity_store(ACTION, identity_store_id)?;
            let state = self.lock();
            let page = state
                .groups
                .iter()
                .skip(groups.len())
                .take(IDENTITY_STORE_PAGE);
            groups.extend(page.map(|g| g.group.clone()));
            if groups.len() >= state.groups.len() {
                return Ok(groups);
            }
        }
    }

    async fn group_id_by_display_name(
        &self,
        identity_store_id: &str,
        display_name: &str,
    ) -> CloudResult<Option<String>> {
        const ACTION: &str = "identitystore:GetGroupId";
        self.enter(ACTION, context_of(ACTION)).await?;
        check_identity_store(ACTION, identity_store_id)?;
        Ok(self
            .lock()
            .groups
            .iter()
            .find(|g| g.group.display_name == display_name)
            .map(|g| g.group.group_id.clone()))
    }

    async fn describe_group(
        &self,
        identity_store_id: &str,
        group_id: &str,
    ) -> CloudResult<Option<IdcGroup>> {
        const ACTION: &str = "identitystore:DescribeGroup";
        self.enter(ACTION, context_of(ACTION)).await?;
        check_identity_store(ACTION, identity_store_id)?;
        Ok(self.lock().group(group_id).cloned())
    }

    async fn list_group_memberships(
        &self,
        identity_store_id: &str,
        group_id: &str,
    ) -> CloudResult<Vec<String>> {
        const ACTION: &str = "identitystore:ListGroupMemberships";
        let mut members = Vec::new();
        loop {
            self.enter(ACTION, context_of(ACTION)).await?;
            check_identity_store(ACTION, identity_store_id)?;
            let state = self.lock();
            let Some(group) = state.groups.iter().find(|g| g.group.group_id == group_id) else {
                return Err(not_found(
                    ACTION,
                    &format!("group {group_id}"),
                    &format!("no group with this ID in identity store {SANDBOX_IDENTITY_STORE_ID}"),
                ));
            };
            let page = group
                .member_ids
                .iter()
                .skip(members.len())
                .take(IDENTITY_STORE_PAGE);
            members.extend(page.cloned());
            if members.len() >= group.member_ids.len() {
                return Ok(members);
            }
        }
    }
}
