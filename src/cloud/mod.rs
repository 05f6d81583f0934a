//! The `Cloud` port: every AWS operation the tool uses, in AWS's own words, with two
//! adapters: `sdk` (the AWS SDK for Rust, two contexts) and `sandbox` (an in-memory account
//! that behaves like AWS). Reads of one resource return `Ok(None)` when it does not exist;
//! every other failure is a `CloudError` that says how to fix it. Deleting what does not
//! exist is `CloudError::NotFound`, as AWS answers it.

pub mod apply;
pub mod console;
pub mod directory;
pub mod doctor;
pub mod ensure;
pub mod groups;
pub mod inspect;
pub mod limits;
pub mod metadata_source;
pub mod sandbox;
pub mod sdk;
pub mod sign_in;
pub mod sync;
pub mod teardown;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Which AWS context an operation runs in. Identity Center often lives in another account
/// (the management or a delegated administrator account) than Connect and IAM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Context {
    /// IAM Identity Center and its identity store.
    Identity,
    /// The account that owns the Connect instance, and its IAM.
    Connect,
}

impl Context {
    pub fn label(self) -> &'static str {
        match self {
            Context::Identity => "identity",
            Context::Connect => "connect",
        }
    }
}

impl std::fmt::Display for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// Tags put on everything this tool creates, so teardown can remove only what it made.
pub const MANAGED_BY_KEY: &str = "managed-by";
pub const MANAGED_BY_VALUE: &str = "connect-sso";
pub const INSTANCE_TAG_KEY: &str = "connect-sso:instance-id";

/// `IsMemberInGroups` takes at most this many group ids per request.
pub const MAX_GROUP_IDS_PER_CALL: usize = 100;

/// The custom SAML 2.0 application provider in IAM Identity Center.
pub const CUSTOM_SAML_PROVIDER: &str = "arn:aws:sso::aws:applicationProvider/custom-saml";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

impl Tag {
    pub fn new(key: &str, value: &str) -> Tag {
        Tag {
            key: key.to_string(),
            value: value.to_string(),
        }
    }
}

/// The tags for a resource made for one Connect instance.
pub fn managed_tags(instance_id: &str) -> Vec<Tag> {
    vec![
        Tag::new(MANAGED_BY_KEY, MANAGED_BY_VALUE),
        Tag::new(INSTANCE_TAG_KEY, instance_id),
    ]
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallerIdentity {
    pub account: String,
    pub arn: String,
    pub user_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdcInstance {
    pub instance_arn: String,
    pub identity_store_id: String,
    pub owner_account: Option<String>,
    pub status: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectInstanceSummary {
    pub id: String,
    pub arn: String,
    pub alias: Option<String>,
    /// `SAML`, `CONNECT_MANAGED` or `EXISTING_DIRECTORY`.
    pub identity_management_type: String,
    /// `ACTIVE`, `CREATION_IN_PROGRESS` or `CREATION_FAILED`.
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    pub arn: String,
    pub name: String,
    pub provider_arn: String,
    pub status: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationAssignment {
    pub principal_id: String,
    /// `USER` or `GROUP` ([`PrincipalType::as_str`]).
    pub principal_type: String,
}

impl ApplicationAssignment {
    /// Whether the assignment is of a principal of this type.
    pub fn is(&self, kind: PrincipalType) -> bool {
        self.principal_type == kind.as_str()
    }
}

/// Who an application assignment gives access: one Identity Center user, or every member of
/// a group. Serialised as AWS spells it (`USER`, `GROUP`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum PrincipalType {
    #[default]
    User,
    Group,
}

impl PrincipalType {
    /// AWS's word: `USER` or `GROUP`.
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalType::User => "USER",
            PrincipalType::Group => "GROUP",
        }
    }

    /// The word for people reading: `user` or `group`.
    pub fn noun(self) -> &'static str {
        match self {
            PrincipalType::User => "user",
            PrincipalType::Group => "group",
        }
    }

    /// From AWS's word; `None` for a type connect-sso does not know.
    pub fn parse(s: &str) -> Option<PrincipalType> {
        match s {
            "USER" => Some(PrincipalType::User),
            "GROUP" => Some(PrincipalType::Group),
            _ => None,
        }
    }
}

impl std::fmt::Display for PrincipalType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdcUser {
    pub user_id: String,
    pub user_name: String,
    pub display_name: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub emails: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdcGroup {
    pub group_id: String,
    pub display_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectUser {
    pub id: String,
    pub arn: String,
    pub username: String,
}

/// A Connect user to create on a SAML instance (no password, no email field).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewConnectUser {
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub security_profile_ids: Vec<String>,
    pub routing_profile_id: String,
    /// Tags put on the user as it is created (`users sync` marks its own, see
    /// [`sync::CREATED_BY_KEY`]); empty: none.
    pub tags: Vec<Tag>,
}

/// What `DescribeUser` says of a Connect user: the user, its names and its tags.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConnectUserDetails {
    pub user: ConnectUser,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub tags: Vec<Tag>,
}

/// A security or routing profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedId {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SamlProvider {
    pub arn: String,
    pub metadata_document: String,
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagedPolicy {
    pub arn: String,
    pub name: String,
    pub default_version_id: String,
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyVersion {
    pub version_id: String,
    pub is_default: bool,
    /// Seconds since the Unix epoch; orders versions oldest first.
    pub created: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Role {
    pub name: String,
    pub arn: String,
    /// The trust policy, already URL-decoded and parsed.
    pub trust_policy: Value,
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachedPolicy {
    pub name: String,
    pub arn: String,
}

/// The roles, users and groups a managed policy is attached to (`ListEntitiesForPolicy`), by
/// name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PolicyEntities {
    pub roles: Vec<String>,
    pub users: Vec<String>,
    pub groups: Vec<String>,
}

/// The temporary credentials `sts:AssumeRoleWithSAML` returns for a SAMLResponse, and what
/// STS says about the session. The three secrets can only be read through their accessors:
/// they have no `Serialize`, `Debug` shows them redacted, there is no `Clone`, and they are
/// overwritten with zeros when the value is dropped. Keep one only as long as the sign-in
/// test that asked for it.
pub struct TemporaryCredentials {
    /// `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`: the session name is the
    /// RoleSessionName, which Connect takes as the user name.
    pub assumed_role_arn: String,
    /// `ROLE_ID:SESSION`, the `aws:userid` of the session.
    pub assumed_role_id: String,
    /// The response's NameID, as STS read it.
    pub subject: Option<String>,
    /// The response's Issuer, as STS read it.
    pub issuer: Option<String>,
    /// The SAML audience STS accepted (the ACS URL the response names as its Recipient).
    pub audience: Option<String>,
    /// When the credentials expire, in seconds since the Unix epoch.
    pub expiration: Option<i64>,
    access_key_id: String,
    secret_access_key: String,
    session_token: String,
}

impl TemporaryCredentials {
    /// Credentials for the assumed role `assumed_role_arn`; the other fields start empty.
    pub fn new(
        assumed_role_arn: String,
        assumed_role_id: String,
        access_key_id: String,
        secret_access_key: String,
        session_token: String,
    ) -> TemporaryCredentials {
        TemporaryCredentials {
            assumed_role_arn,
            assumed_role_id,
            subject: None,
            issuer: None,
            audience: None,
            expiration: None,
            access_key_id,
            secret_access_key,
            session_token,
        }
    }

    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    pub fn secret_access_key(&self) -> &str {
        &self.secret_access_key
    }

    pub fn session_token(&self) -> &str {
        &self.session_token
    }

    /// The session name of the assumed role (the RoleSessionName STS accepted).
    pub fn session_name(&self) -> Option<&str> {
        self.assumed_role_arn
            .strip_prefix("arn:")
            .and_then(|rest| rest.split_once(":assumed-role/"))
            .and_then(|(_, role_and_session)| role_and_session.rsplit_once('/'))
            .map(|(_, session)| session)
            .filter(|s| !s.is_empty())
    }
}

impl std::fmt::Debug for TemporaryCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TemporaryCredentials")
            .field("assumed_role_arn", &self.assumed_role_arn)
            .field("assumed_role_id", &self.assumed_role_id)
            .field("subject", &self.subject)
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("expiration", &self.expiration)
            .field("access_key_id", &"** redacted **")
            .field("secret_access_key", &"** redacted **")
            .field("session_token", &"** redacted **")
            .finish()
    }
}

impl Drop for TemporaryCredentials {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.access_key_id.zeroize();
        self.secret_access_key.zeroize();
        self.session_token.zeroize();
    }
}

/// What `connect:GetFederationToken` says about a sign-in, without its secrets: the access
/// and refresh tokens are never kept, and of the sign-in URL only its host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FederationToken {
    /// The Connect user the session signed in as.
    pub user_id: String,
    pub user_arn: String,
    /// The host of the sign-in URL (e.g. `acme.my.connect.aws`).
    pub sign_in_host: Option<String>,
    /// When the access token expires, in seconds since the Unix epoch.
    pub access_token_expiration: Option<i64>,
}

/// The host of `url` (no user info, no port, no path), when it is an https URL.
pub fn url_host(url: &str) -> Option<String> {
    let rest = url.strip_prefix("https://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?;
    let host = host.split(':').next()?;
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// A failure the user can act on; every message names the fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CloudError {
    #[error(
        "access denied: the {context} context{} may not call {action}. Grant {action} to that identity (`connect-sso permissions` prints the whole policy){}",
        profile_note(profile),
        detail_note(message)
    )]
    AccessDenied {
        context: Context,
        profile: Option<String>,
        action: String,
        message: String,
    },
    #[error(
        "no valid AWS credentials for the {context} context{}: {message}. {}",
        profile_note(profile),
        credentials_fix(profile)
    )]
    Credentials {
        context: Context,
        profile: Option<String>,
        message: String,
    },
    #[error(
        "{action} was throttled by AWS even after retries with backoff: wait a minute and run it again; if other tools share the account's quota, lower connect-sso's rate with --max-rps SERVICE=N (e.g. --max-rps connect=1)"
    )]
    Throttled { action: String },
    #[error(
        "{action} did not answer in time: check the network connection and the region ({message})"
    )]
    Timeout { action: String, message: String },
    #[error("{action} could not reach AWS: {message}. Check the network connection and the region")]
    Network { action: String, message: String },
    #[error("{action}: {what} already exists{}", detail_note(message))]
    AlreadyExists {
        action: String,
        what: String,
        message: String,
    },
    #[error("{action}: {what} does not exist{}", detail_note(message))]
    NotFound {
        action: String,
        what: String,
        message: String,
    },
    #[error("{action} was refused: {message}")]
    Invalid { action: String, message: String },
    /// IAM's `DeleteConflict`: the entity is still in use, so IAM will not delete it.
    #[error(
        "{action}: {what} is still in use, so IAM will not delete it{}. {}",
        detail_note(message),
        delete_conflict_fix(action)
    )]
    DeleteConflict {
        action: String,
        what: String,
        message: String,
    },
    /// AWS refused a SAML sign-in: `sts:AssumeRoleWithSAML` refused the SAMLResponse, or
    /// `connect:GetFederationToken` refused the session it gave. The response, the IAM set-up
    /// or the Connect user is what is wrong, not the credentials connect-sso runs with.
    #[error(
        "{action} refused the sign-in ({code}): {message}. `connect-sso sign-in-test` names the cause and the fix, and `connect-sso troubleshoot` lists every known one"
    )]
    SignInRefused {
        action: String,
        /// AWS's error code, e.g. `InvalidIdentityToken`, `AccessDenied`.
        code: String,
        message: String,
    },
    #[error("{action}: a limit was reached: {message}")]
    LimitExceeded { action: String, message: String },
    #[error(
        "{action} failed on the AWS side ({code}): {message}. Run it again; if it persists, check the AWS Health Dashboard"
    )]
    Service {
        action: String,
        code: String,
        message: String,
    },
}

fn profile_note(profile: &Option<String>) -> String {
    profile
        .as_ref()
        .map(|p| format!(" (profile {p})"))
        .unwrap_or_default()
}

fn detail_note(message: &str) -> String {
    if message.is_empty() {
        String::new()
    } else {
        format!(" ({message})")
    }
}

fn delete_conflict_fix(action: &str) -> &'static str {
    match action {
        "iam:DeleteRole" => {
            "Detach its managed policies, delete its inline policies and remove it from every instance profile (IAM console › Roles › the role), then run teardown again"
        }
        "iam:DeletePolicy" => {
            "Detach the policy from every role, user and group that uses it (IAM console › Policies › the policy › Entities attached) and delete its versions other than the default, then run teardown again"
        }
        _ => "Remove what still uses it, then run again",
    }
}

fn credentials_fix(profile: &Option<String>) -> String {
    match profile {
        Some(p) => format!(
            "If it is an IAM Identity Center profile, sign in with `aws sso login --profile {p}`; otherwise check its keys in ~/.aws"
        ),
        None => "Configure credentials (`aws configure`, `aws sso login --profile NAME` with --profile NAME, or AWS_* environment variables), or try the tool with --sandbox".to_string(),
    }
}

pub type CloudResult<T> = Result<T, CloudError>;

/// Every AWS operation connect-sso uses. Identity Center operations run in the identity
/// context; Connect and IAM ones in the connect context.
///
/// One supertrait per AWS service ([`Sts`], [`IdentityCenter`], [`ConnectApi`], [`Iam`]),
/// so each adapter implements a service in a file of its own; every type that implements
/// all four is a `Cloud`. Through `&dyn Cloud`, `Arc<dyn Cloud>` or `C: Cloud` every
/// operation can be called as it is; on a concrete adapter (`Sandbox`, `SdkCloud`) the
/// service's trait must be in scope: `use crate::cloud::api::*` brings them all.
pub trait Cloud: Sts + IdentityCenter + ConnectApi + Iam {}

impl<T: Sts + IdentityCenter + ConnectApi + Iam + ?Sized> Cloud for T {}

/// The `Cloud` port and its per-service traits, to glob-import where operations are called
/// on a concrete adapter.
pub mod api {
    pub use super::{Cloud, ConnectApi, Iam, IdentityCenter, Sts};
}

/// STS, in either context.
#[async_trait]
pub trait Sts: Send + Sync {
    async fn caller_identity(&self, context: Context) -> CloudResult<CallerIdentity>;
    /// `AssumeRoleWithSAML` in the connect context's region, unsigned: the signed
    /// SAMLResponse (base64, as the browser posts it) is the credential, so no caller
    /// credentials are needed. Refusals are [`CloudError::SignInRefused`] with AWS's code.
    async fn assume_role_with_saml(
        &self,
        role_arn: &str,
        principal_arn: &str,
        saml_response_b64: &str,
        duration_seconds: i32,
    ) -> CloudResult<TemporaryCredentials>;
}

/// IAM Identity Center (sso-admin) and its identity store, in the identity context.
#[async_trait]
pub trait IdentityCenter: Send + Sync {
    async fn list_idc_instances(&self) -> CloudResult<Vec<IdcInstance>>;
    /// Every application of the instance, all pages.
    async fn list_applications(&self, instance_arn: &str) -> CloudResult<Vec<Application>>;
    async fn list_application_assignments(
        &self,
        application_arn: &str,
    ) -> CloudResult<Vec<ApplicationAssignment>>;
    /// Assigns a user or a group (`principal_id`, its id in the identity store) to the
    /// application. A second assignment of the same principal is
    /// [`CloudError::AlreadyExists`].
    async fn create_application_assignment(
        &self,
        application_arn: &str,
        principal_type: PrincipalType,
        principal_id: &str,
    ) -> CloudResult<()>;
    /// Removes a user's or a group's assignment to the application.
    async fn delete_application_assignment(
        &self,
        application_arn: &str,
        principal_type: PrincipalType,
        principal_id: &str,
    ) -> CloudResult<()>;
    /// `GetUserId` by user name.
    async fn user_id_by_user_name(
        &self,
        identity_store_id: &str,
        user_name: &str,
    ) -> CloudResult<Option<String>>;
    /// `GetUserId` by primary email (`emails.value`).
    async fn user_id_by_email(
        &self,
        identity_store_id: &str,
        email: &str,
    ) -> CloudResult<Option<String>>;
    async fn describe_user(
        &self,
        identity_store_id: &str,
        user_id: &str,
    ) -> CloudResult<Option<IdcUser>>;
    /// Every user of the identity store, all pages.
    async fn list_users(&self, identity_store_id: &str) -> CloudResult<Vec<IdcUser>>;
    /// Every group of the identity store, all pages (100 a page).
    async fn list_groups(&self, identity_store_id: &str) -> CloudResult<Vec<IdcGroup>>;
    /// `GetGroupId` by display name (`displayName`, compared exactly).
    async fn group_id_by_display_name(
        &self,
        identity_store_id: &str,
        display_name: &str,
    ) -> CloudResult<Option<String>>;
    /// `DescribeGroup`: the group with this id, `None` when the identity store has none.
    async fn describe_group(
        &self,
        identity_store_id: &str,
        group_id: &str,
    ) -> CloudResult<Option<IdcGroup>>;
    /// `ListGroupMemberships`: the user ids of the group's members, all pages (100 a page).
    async fn list_group_memberships(
        &self,
        identity_store_id: &str,
        group_id: &str,
    ) -> CloudResult<Vec<String>>;
    /// `IsMemberInGroups`: the ids among `group_ids` of the groups the user is a member of
    /// (in the order AWS reports them). AWS takes at most 100 group ids per call; more are
    /// sent in batches, and none sends nothing.
    async fn is_member_in_groups(
        &self,
        identity_store_id: &str,
        user_id: &str,
        group_ids: &[String],
    ) -> CloudResult<Vec<String>>;
}

/// Amazon Connect, in the connect context.
#[async_trait]
pub trait ConnectApi: Send + Sync {
    async fn list_connect_instances(&self) -> CloudResult<Vec<ConnectInstanceSummary>>;
    async fn describe_connect_instance(
        &self,
        instance_id: &str,
    ) -> CloudResult<Option<ConnectInstanceSummary>>;
    /// `SearchUsers` with `Username` `EXACT` (user names are case-sensitive).
    async fn search_connect_user(
        &self,
        instance_id: &str,
        username: &str,
    ) -> CloudResult<Option<ConnectUser>>;
    /// `ListUsers`: every user of the instance, all pages (1,000 a page, the most Connect
    /// allows), for comparing many people in memory instead of one `SearchUsers` each.
    async fn list_connect_users(&self, instance_id: &str) -> CloudResult<Vec<ConnectUser>>;
    async fn create_connect_user(
        &self,
        instance_id: &str,
        user: &NewConnectUser,
    ) -> CloudResult<ConnectUser>;
    /// `DescribeUser`: the user with its names and tags; `None` when the instance has no
    /// user with this id.
    async fn describe_connect_user(
        &self,
        instance_id: &str,
        user_id: &str,
    ) -> CloudResult<Option<ConnectUserDetails>>;
    /// `DeleteUser`. A user that does not exist is [`CloudError::NotFound`].
    async fn delete_connect_user(&self, instance_id: &str, user_id: &str) -> CloudResult<()>;
    async fn list_security_profiles(&self, instance_id: &str) -> CloudResult<Vec<NamedId>>;
    async fn list_routing_profiles(&self, instance_id: &str) -> CloudResult<Vec<NamedId>>;
    /// `GetFederationToken` for the instance, called with `credentials` (those of a SAML
    /// session), not the connect context's: Connect signs in the user named after the
    /// session. Refusals are [`CloudError::SignInRefused`] with Connect's code.
    async fn get_federation_token(
        &self,
        instance_id: &str,
        credentials: &TemporaryCredentials,
    ) -> CloudResult<FederationToken>;
}

/// IAM, in the connect context.
#[async_trait]
pub trait Iam: Send + Sync {
    async fn get_saml_provider(&self, arn: &str) -> CloudResult<Option<SamlProvider>>;
    /// Returns the new provider's ARN.
    async fn create_saml_provider(
        &self,
        name: &str,
        metadata_document: &str,
        tags: &[Tag],
    ) -> CloudResult<String>;
    async fn update_saml_provider(&self, arn: &str, metadata_document: &str) -> CloudResult<()>;
    async fn delete_saml_provider(&self, arn: &str) -> CloudResult<()>;
    async fn get_policy(&self, arn: &str) -> CloudResult<Option<ManagedPolicy>>;
    async fn list_policy_versions(&self, arn: &str) -> CloudResult<Vec<PolicyVersion>>;
    /// The version's document, URL-decoded and parsed.
    async fn get_policy_version(&self, arn: &str, version_id: &str) -> CloudResult<Value>;
    /// Returns the new policy's ARN.
    async fn create_policy(
        &self,
        name: &str,
        document: &Value,
        tags: &[Tag],
    ) -> CloudResult<String>;
    /// Returns the new version id.
    async fn create_policy_version(
        &self,
        arn: &str,
        document: &Value,
        set_as_default: bool,
    ) -> CloudResult<String>;
    async fn delete_policy_version(&self, arn: &str, version_id: &str) -> CloudResult<()>;
    /// Deletes the policy and its default version. IAM refuses (`DeleteConflict`) while the
    /// policy is attached anywhere or still has other versions: delete those first.
    async fn delete_policy(&self, arn: &str) -> CloudResult<()>;
    /// Every role, user and group the policy is attached to, all pages.
    async fn list_entities_for_policy(&self, arn: &str) -> CloudResult<PolicyEntities>;
    async fn get_role(&self, name: &str) -> CloudResult<Option<Role>>;
    /// Returns the new role's ARN.
    async fn create_role(
        &self,
        name: &str,
        trust_policy: &Value,
        tags: &[Tag],
    ) -> CloudResult<String>;
    async fn update_assume_role_policy(&self, name: &str, trust_policy: &Value) -> CloudResult<()>;
    async fn list_attached_role_policies(&self, name: &str) -> CloudResult<Vec<AttachedPolicy>>;
    /// Names of the role's inline policies.
    async fn list_role_policies(&self, name: &str) -> CloudResult<Vec<String>>;
    async fn attach_role_policy(&self, name: &str, policy_arn: &str) -> CloudResult<()>;
    async fn detach_role_policy(&self, name: &str, policy_arn: &str) -> CloudResult<()>;
    /// IAM refuses (`DeleteConflict`) while the role has managed policies attached, inline
    /// policies or instance profiles.
    async fn delete_role(&self, name: &str) -> CloudResult<()>;
    /// Every role of the account, all pages, with trust policies.
    async fn list_roles(&self) -> CloudResult<Vec<Role>>;
}
