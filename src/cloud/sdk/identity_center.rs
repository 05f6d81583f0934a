//! IAM Identity Center on the AWS SDK: sso-admin (instances, applications, application
//! assignments) and the identity store (user lookups, users, group membership), all in the
//! identity context.

use async_trait::async_trait;

use super::convert::idc_user;
use super::{SdkCloud, all_pages, invalid, map_error};
use crate::cloud::{
    Application, ApplicationAssignment, CloudResult, IdcGroup, IdcInstance, IdcUser,
    IdentityCenter, MAX_GROUP_IDS_PER_CALL, PrincipalType,
};

fn sdk_principal_type(kind: PrincipalType) -> aws_sdk_ssoadmin::types::PrincipalType {
    match kind {
        PrincipalType::User => aws_sdk_ssoadmin::types::PrincipalType::User,
        PrincipalType::Group => aws_sdk_ssoadmin::types::PrincipalType::Group,
    }
}

/// The identity store's list operations take at most 100 items a page.
pub(crate) const IDENTITY_STORE_PAGE: i32 = 100;

impl SdkCloud {
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
            .send(call.action, || {
                self.clients
                    .identity_store
                    .get_user_id()
                    .identity_store_id(identity_store_id)
                    .alternate_identifier(AlternateIdentifier::UniqueAttribute(attribute.clone()))
                    .send()
            })
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

#[async_trait]
impl IdentityCenter for SdkCloud {
    async fn list_idc_instances(&self) -> CloudResult<Vec<IdcInstance>> {
        let call = self.identity("sso:ListInstances", "IAM Identity Center instance");
        let mut instances = Vec::new();
        all_pages!(
            self,
            call,
            self.clients.sso_admin.list_instances(),
            |page| {
                instances.extend(page.instances().iter().map(|i| IdcInstance {
                    instance_arn: i.instance_arn().unwrap_or_default().to_string(),
                    identity_store_id: i.identity_store_id().unwrap_or_default().to_string(),
                    owner_account: i.owner_account_id().map(str::to_string),
                    status: i.status().map(|s| s.as_str().to_string()),
                }));
            }
        );
        Ok(instances)
    }

    async fn list_applications(&self, instance_arn: &str) -> CloudResult<Vec<Application>> {
        let call = self.identity(
            "sso:ListApplications",
            format!("IAM Identity Center instance {instance_arn}"),
        );
        let mut applications = Vec::new();
        all_pages!(
            self,
            call,
            self.clients
                .sso_admin
                .list_applications()
                .instance_arn(instance_arn),
            |page| {
                applications.extend(page.applications().iter().map(|a| Application {
                    arn: a.application_arn().unwrap_or_default().to_string(),
                    name: a.name().unwrap_or_default().to_string(),
                    provider_arn: a.application_provider_arn().unwrap_or_default().to_string(),
                    status: a.status().map(|s| s.as_str().to_string()),
                }));
            }
        );
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
        let mut assignments = Vec::new();
        all_pages!(
            self,
            call,
            self.clients
                .sso_admin
                .list_application_assignments()
                .application_arn(application_arn),
            |page| {
                assignments.extend(page.application_assignments().iter().map(|a| {
                    ApplicationAssignment {
                        principal_id: a.principal_id().to_string(),
                        principal_type: a.principal_type().as_str().to_string(),
                    }
                }));
            }
        );
        Ok(assignments)
    }

    async fn create_application_assignment(
        &self,
        application_arn: &str,
        principal_type: PrincipalType,
        principal_id: &str,
    ) -> CloudResult<()> {
        let call = self.identity(
            "sso:CreateApplicationAssignment",
            format!(
                "assignment of {} {principal_id} to application {application_arn}",
                principal_type.noun()
            ),
        );
        self.send(call.action, || {
            self.clients
                .sso_admin
                .create_application_assignment()
                .application_arn(application_arn)
                .principal_id(principal_id)
                .principal_type(sdk_principal_type(principal_type))
                .send()
        })
        .await
        .map_err(|e| map_error(e, &call))?;
        Ok(())
    }

    async fn delete_application_assignment(
        &self,
        application_arn: &str,
        principal_type: PrincipalType,
        principal_id: &str,
    ) -> CloudResult<()> {
        let call = self.identity(
            "sso:DeleteApplicationAssignment",
            format!(
                "assignment of {} {principal_id} to application {application_arn}",
                principal_type.noun()
            ),
        );
        self.send(call.action, || {
            self.clients
                .sso_admin
                .delete_application_assignment()
                .application_arn(application_arn)
                .principal_id(principal_id)
                .principal_type(sdk_principal_type(principal_type))
                .send()
        })
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
            .send(call.action, || {
                self.clients
                    .identity_store
                    .describe_user()
                    .identity_store_id(identity_store_id)
                    .user_id(user_id)
                    .send()
            })
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
        let mut users = Vec::new();
        all_pages!(
            self,
            call,
            self.clients
                .identity_store
                .list_users()
                .identity_store_id(identity_store_id)
                .max_results(IDENTITY_STORE_PAGE),
            |page| {
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
        );
        Ok(users)
    }

    async fn list_groups(&self, identity_store_id: &str) -> CloudResult<Vec<IdcGroup>> {
        let call = self.identity(
            "identitystore:ListGroups",
            format!("groups of identity store {identity_store_id}"),
        );
        let mut groups = Vec::new();
        all_pages!(
            self,
            call,
            self.clients
                .identity_store
                .list_groups()
                .identity_store_id(identity_store_id)
                .max_results(IDENTITY_STORE_PAGE),
            |page| {
                groups.extend(page.groups().iter().map(|g| IdcGroup {
                    group_id: g.group_id().to_string(),
                    display_name: g.display_name().unwrap_or_default().to_string(),
                }));
            }
        );
        Ok(groups)
    }

    async fn group_id_by_display_name(
        &self,
        identity_store_id: &str,
        display_name: &str,
    ) -> CloudResult<Option<String>> {
        use aws_sdk_identitystore::types::{AlternateIdentifier, UniqueAttribute};
        let call = self.identity("identitystore:GetGroupId", format!("group {display_name}"));
        let attribute = UniqueAttribute::builder()
            .attribute_path("displayName")
            .attribute_value(display_name.into())
            .build()
            .map_err(|e| invalid(&call, e))?;
        let result = self
            .send(call.action, || {
                self.clients
                    .identity_store
                    .get_group_id()
                    .identity_store_id(identity_store_id)
                    .alternate_identifier(AlternateIdentifier::UniqueAttribute(attribute.clone()))
                    .send()
            })
            .await;
        match result {
            Ok(out) => Ok(Some(out.group_id().to_string())),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_resource_not_found_exception()) =>
            {
                Ok(None)
            }
            Err(e) => Err(map_error(e, &call)),
        }
    }

    async fn describe_group(
        &self,
        identity_store_id: &str,
        group_id: &str,
    ) -> CloudResult<Option<IdcGroup>> {
        let call = self.identity("identitystore:DescribeGroup", format!("group {group_id}"));
        let result = self
            .send(call.action, || {
                self.clients
                    .identity_store
                    .describe_group()
                    .identity_store_id(identity_store_id)
                    .group_id(group_id)
                    .send()
            })
            .await;
        match result {
            Ok(out) => Ok(Some(IdcGroup {
                group_id: out.group_id().to_string(),
                display_name: out.display_name().unwrap_or_default().to_string(),
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

    async fn list_group_memberships(
        &self,
        identity_store_id: &str,
        group_id: &str,
    ) -> CloudResult<Vec<String>> {
        let call = self.identity(
            "identitystore:ListGroupMemberships",
            format!("members of group {group_id}"),
        );
        let mut members = Vec::new();
        all_pages!(
            self,
            call,
            self.clients
                .identity_store
                .list_group_memberships()
                .identity_store_id(identity_store_id)
                .group_id(group_id)
                .max_results(IDENTITY_STORE_PAGE),
            |page| {
                members.extend(
                    page.group_memberships()
                        .iter()
                        .filter_map(|m| m.member_id()?.as_user_id().ok().cloned()),
                );
            }
        );
        Ok(members)
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
                .send(call.action, || {
                    self.clients
                        .identity_store
                        .is_member_in_groups()
                        .identity_store_id(identity_store_id)
                        .member_id(MemberId::UserId(user_id.to_string()))
                        .set_group_ids(Some(batch.to_vec()))
                        .send()
                })
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
}
