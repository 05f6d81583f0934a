//! Amazon Connect on the AWS SDK, in the connect context: instances, users (searched by
//! exact user name, created for SAML sign-in), security and routing profiles.

use async_trait::async_trait;

use super::sts::sign_in_refusal;
use super::{SdkCloud, all_pages, map_error, required};
use crate::cloud::{
    CloudResult, ConnectApi, ConnectInstanceSummary, ConnectUser, ConnectUserDetails,
    FederationToken, NamedId, NewConnectUser, Tag, TemporaryCredentials, url_host,
};

/// Connect's answers to a session it will not sign in (codes without `Exception`). With the
/// session's own credentials, an expired or unknown token is the sign-in's fault too, not
/// the connect context's: it must not send anyone to `aws sso login`.
const FEDERATION_REFUSALS: &[&str] = &[
    "UserNotFound",
    "ResourceNotFound",
    "AccessDenied",
    "InvalidRequest",
    "InvalidParameter",
    "DuplicateResource",
    "ExpiredToken",
    "UnrecognizedClient",
    "InvalidClientTokenId",
    "InvalidSignature",
    "Unauthorized",
];

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

/// `ListUsers` takes at most 1,000 users a page.
pub(crate) const LIST_USERS_PAGE: i32 = 1000;

fn named_id(id: Option<&str>, name: Option<&str>) -> NamedId {
    NamedId {
        id: id.unwrap_or_default().to_string(),
        name: name.unwrap_or_default().to_string(),
    }
}

#[async_trait]
impl ConnectApi for SdkCloud {
    async fn list_connect_instances(&self) -> CloudResult<Vec<ConnectInstanceSummary>> {
        let call = self.connect("connect:ListInstances", "Connect instance");
        let mut instances = Vec::new();
        all_pages!(self, call, self.clients.connect.list_instances(), |page| {
            instances.extend(page.instance_summary_list().iter().map(|i| {
                connect_instance(
                    i.id(),
                    i.arn(),
                    i.instance_alias(),
                    i.identity_management_type(),
                    i.instance_status(),
                )
            }));
        });
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
            .send(call.action, || {
                self.clients
                    .connect
                    .describe_instance()
                    .instance_id(instance_id)
                    .send()
            })
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
        all_pages!(
            self,
            call,
            self.clients
                .connect
                .search_users()
                .instance_id(instance_id)
                .search_criteria(criteria),
            |page| {
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
        );
        Ok(None)
    }

    async fn list_connect_users(&self, instance_id: &str) -> CloudResult<Vec<ConnectUser>> {
        let call = self.connect(
            "connect:ListUsers",
            format!("users of Connect instance {instance_id}"),
        );
        let mut users = Vec::new();
        all_pages!(
            self,
            call,
            self.clients
                .connect
                .list_users()
                .instance_id(instance_id)
                .max_results(LIST_USERS_PAGE),
            |page| {
                users.extend(page.user_summary_list().iter().filter_map(|u| {
                    Some(ConnectUser {
                        id: u.id()?.to_string(),
                        arn: u.arn().unwrap_or_default().to_string(),
                        username: u.username()?.to_string(),
                    })
                }));
            }
        );
        Ok(users)
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
            .send(call.action, || {
                self.clients
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
                    .set_tags((!user.tags.is_empty()).then(|| {
                        user.tags
                            .iter()
                            .map(|t| (t.key.clone(), t.value.clone()))
                            .collect()
                    }))
                    .send()
            })
            .await
            .map_err(|e| map_error(e, &call))?;
        Ok(ConnectUser {
            id: required(&call, out.user_id(), "UserId")?,
            arn: required(&call, out.user_arn(), "UserArn")?,
            username: user.username.clone(),
        })
    }

    async fn describe_connect_user(
        &self,
        instance_id: &str,
        user_id: &str,
    ) -> CloudResult<Option<ConnectUserDetails>> {
        let call = self.connect("connect:DescribeUser", format!("Connect user {user_id}"));
        let result = self
            .send(call.action, || {
                self.clients
                    .connect
                    .describe_user()
                    .instance_id(instance_id)
                    .user_id(user_id)
                    .send()
            })
            .await;
        let out = match result {
            Ok(out) => out,
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_resource_not_found_exception()) =>
            {
                return Ok(None);
            }
            Err(e) => return Err(map_error(e, &call)),
        };
        let Some(u) = out.user() else {
            return Ok(None);
        };
        let mut tags: Vec<Tag> = u
            .tags()
            .into_iter()
            .flatten()
            .map(|(k, v)| Tag::new(k, v))
            .collect();
        // A map has no order; a sorted list compares and prints the same every time.
        tags.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(Some(ConnectUserDetails {
            user: ConnectUser {
                id: required(&call, u.id(), "User.Id")?,
                arn: u.arn().unwrap_or_default().to_string(),
                username: u.username().unwrap_or_default().to_string(),
            },
            first_name: u
                .identity_info()
                .and_then(|i| i.first_name())
                .map(str::to_string),
            last_name: u
                .identity_info()
                .and_then(|i| i.last_name())
                .map(str::to_string),
            tags,
        }))
    }

    async fn delete_connect_user(&self, instance_id: &str, user_id: &str) -> CloudResult<()> {
        let call = self.connect("connect:DeleteUser", format!("Connect user {user_id}"));
        self.send(call.action, || {
            self.clients
                .connect
                .delete_user()
                .instance_id(instance_id)
                .user_id(user_id)
                .send()
        })
        .await
        .map_err(|e| map_error(e, &call))?;
        Ok(())
    }

    async fn list_security_profiles(&self, instance_id: &str) -> CloudResult<Vec<NamedId>> {
        let call = self.connect(
            "connect:ListSecurityProfiles",
            format!("Connect instance {instance_id}"),
        );
        let mut profiles = Vec::new();
        all_pages!(
            self,
            call,
            self.clients
                .connect
                .list_security_profiles()
                .instance_id(instance_id),
            |page| {
                profiles.extend(
                    page.security_profile_summary_list()
                        .iter()
                        .map(|p| named_id(p.id(), p.name())),
                );
            }
        );
        Ok(profiles)
    }

    async fn get_federation_token(
        &self,
        instance_id: &str,
        credentials: &TemporaryCredentials,
    ) -> CloudResult<FederationToken> {
        use aws_credential_types::Credentials;
        use aws_credential_types::provider::SharedCredentialsProvider;
        const ACTION: &str = "connect:GetFederationToken";
        let call = self.connect(ACTION, format!("Connect instance {instance_id}"));
        // The connect context's client (region, endpoint, retries, timeouts) with the SAML
        // session's credentials in place of the context's; dropped when this call returns.
        let session = Credentials::new(
            credentials.access_key_id(),
            credentials.secret_access_key(),
            Some(credentials.session_token().to_string()),
            None,
            "connect-sso-sign-in-test",
        );
        let config = self
            .clients
            .connect
            .config()
            .to_builder()
            .credentials_provider(SharedCredentialsProvider::new(session))
            .build();
        let client = aws_sdk_connect::Client::from_conf(config);
        let result = self
            .send(call.action, || {
                client
                    .get_federation_token()
                    .instance_id(instance_id)
                    .send()
            })
            .await;
        let out = match result {
            Ok(out) => out,
            Err(e) => {
                return Err(sign_in_refusal(&e, ACTION, FEDERATION_REFUSALS)
                    .unwrap_or_else(|| map_error(e, &call)));
            }
        };
        // Only what says who signed in where is kept: the access and refresh tokens and the
        // whole sign-in URL are dropped here.
        Ok(FederationToken {
            user_id: required(&call, out.user_id(), "UserId")?,
            user_arn: out.user_arn().unwrap_or_default().to_string(),
            sign_in_host: out.sign_in_url().and_then(url_host),
            access_token_expiration: out
                .credentials()
                .and_then(|c| c.access_token_expiration())
                .map(|t| t.secs()),
        })
    }

    async fn list_routing_profiles(&self, instance_id: &str) -> CloudResult<Vec<NamedId>> {
        let call = self.connect(
            "connect:ListRoutingProfiles",
            format!("Connect instance {instance_id}"),
        );
        let mut profiles = Vec::new();
        all_pages!(
            self,
            call,
            self.clients
                .connect
                .list_routing_profiles()
                .instance_id(instance_id),
            |page| {
                profiles.extend(
                    page.routing_profile_summary_list()
                        .iter()
                        .map(|p| named_id(p.id(), p.name())),
                );
            }
        );
        Ok(profiles)
    }
}
