//! The IAM Identity Center console's own API (`SWBService`), used only when the user opts in
//! (`--console-api`): it is what the console calls to add and configure a custom SAML 2.0
//! application, which the public `sso-admin` API cannot do. AWS does not document it; what
//! is known comes from a public botocore model (`service-2.json` of asyschikov/aws-idc-saml)
//! and the IAM actions in the service authorization reference.
//!
//! `POST https://sso.REGION.DNS_SUFFIX/control/`, JSON 1.1, `X-Amz-Target:
//! SWBService.<Operation>`, SigV4 with signing name `sso` in the Identity Center home region
//! (the identity context). [`ConsoleApi`] is the port, one method per operation;
//! [`ConsoleClient`] its adapter on AWS; [`ensure`] the idempotent steps 1, 2, 3-5 and 10.

mod client;
pub mod ensure;
pub mod record;
mod types;

use async_trait::async_trait;

pub use client::ConsoleClient;
pub use types::*;

use super::CloudResult;
use crate::domain::region::{Partition, Region};

/// The template of a custom SAML 2.0 application.
pub const CUSTOM_SAML_TEMPLATE: &str = "tpl-50e590700beb5208";
/// The only binding AWS sign-in accepts the response on.
pub const HTTP_POST_BINDING: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
/// The `X-Amz-Target` prefix of every operation.
pub const TARGET_PREFIX: &str = "SWBService";
/// The SigV4 signing name.
pub const SIGNING_NAME: &str = "sso";
/// `Content-Type` of every request.
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";
/// The path of the API on its host.
pub const CONTROL_PATH: &str = "/control/";

/// The IAM actions `apply` and `doctor` call with `--console-api`, as `permissions` lists them.
pub use crate::domain::operator::CONSOLE_API_ACTIONS as ACTIONS;

/// The DNS suffix of AWS endpoints in the region's partition; a region this tool does not
/// know is placed by its prefix.
pub fn dns_suffix(region: &str) -> &'static str {
    let partition = Region::parse(region).map(Region::partition).unwrap_or(
        if region.trim().to_ascii_lowercase().starts_with("cn-") {
            Partition::AwsCn
        } else {
            Partition::Aws
        },
    );
    match partition {
        Partition::Aws | Partition::AwsUsGov => "amazonaws.com",
        Partition::AwsCn => "amazonaws.com.cn",
    }
}

/// Where the requests go: `AWS_ENDPOINT_URL` (or the profile's `endpoint_url`) with the
/// `/control/` path, else the API's host in the region.
pub fn control_endpoint(region: &str, endpoint_url: Option<&str>) -> String {
    match endpoint_url.map(str::trim).filter(|u| !u.is_empty()) {
        Some(url) => format!("{}{CONTROL_PATH}", url.trim_end_matches('/')),
        None => format!("https://sso.{region}.{}{CONTROL_PATH}", dns_suffix(region)),
    }
}

/// The public application ARN (`sso-admin`'s) of an application instance: the same id with
/// `apl-` for `ins-`, under the Identity Center instance.
pub fn application_arn(idc_instance_arn: &str, account: &str, instance_id: &str) -> Option<String> {
    let id = instance_id.strip_prefix("ins-")?;
    let (head, ssoins) = idc_instance_arn.rsplit_once(":instance/")?;
    let partition = head.strip_prefix("arn:")?.split(':').next()?;
    Some(format!(
        "arn:{partition}:sso::{account}:application/{ssoins}/apl-{id}"
    ))
}

/// A random (version 4) UUID, for `CreateApplicationInstance`'s `name`, which must be unique
/// and is shown nowhere.
pub fn random_uuid() -> String {
    let mut b = [0u8; 16];
    aws_lc_rs::rand::fill(&mut b).expect("the system random number generator works");
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// The console API, one method per operation, in the identity context. Failures are
/// `CloudError`s with AWS's code and message; an answer without a member the model says it
/// has is `CloudError::Service` with code `IncompleteResponse`.
#[async_trait]
pub trait ConsoleApi: Send + Sync {
    /// `ListApplicationInstances`: every application instance of the Identity Center instance.
    async fn list_application_instances(&self) -> CloudResult<Vec<ApplicationInstance>>;
    /// `GetApplicationInstance`.
    async fn get_application_instance(&self, instance_id: &str)
    -> CloudResult<ApplicationInstance>;
    /// `CreateApplicationInstance {templateId, name}`: the new instance (its `instanceId` set).
    async fn create_application_instance(
        &self,
        template_id: &str,
        name: &str,
    ) -> CloudResult<ApplicationInstance>;
    /// `UpdateApplicationInstanceDisplayData {instanceId, displayName, description}`; without
    /// a description the member is left out.
    async fn update_application_instance_display_data(
        &self,
        instance_id: &str,
        display_name: &str,
        description: Option<&str>,
    ) -> CloudResult<()>;
    /// `UpdateApplicationInstanceStatus {instanceId, status}` (`ENABLED` or `DISABLED`).
    async fn update_application_instance_status(
        &self,
        instance_id: &str,
        status: &str,
    ) -> CloudResult<()>;
    /// `UpdateApplicationInstanceServiceProviderConfiguration`.
    async fn update_application_instance_service_provider_configuration(
        &self,
        instance_id: &str,
        config: &ServiceProviderConfig,
    ) -> CloudResult<()>;
    /// `UpdateApplicationInstanceResponseConfiguration`.
    async fn update_application_instance_response_configuration(
        &self,
        instance_id: &str,
        config: &ResponseConfig,
    ) -> CloudResult<()>;
    /// `UpdateApplicationInstanceResponseSchemaConfiguration`.
    async fn update_application_instance_response_schema_configuration(
        &self,
        instance_id: &str,
        config: &ResponseSchemaConfig,
    ) -> CloudResult<()>;
    /// `ListApplicationInstanceCertificates`.
    async fn list_application_instance_certificates(
        &self,
        instance_id: &str,
    ) -> CloudResult<Vec<Certificate>>;
    /// `ListProfiles`.
    async fn list_profiles(&self, instance_id: &str) -> CloudResult<Vec<Profile>>;
    /// `DeleteProfile {instanceId, profileId}`.
    async fn delete_profile(&self, instance_id: &str, profile_id: &str) -> CloudResult<()>;
    /// `DeleteApplicationInstance`: AWS refuses while assignments or profiles remain.
    async fn delete_application_instance(&self, instance_id: &str) -> CloudResult<()>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_per_partition_and_override() {
        assert_eq!(
            control_endpoint("eu-west-2", None),
            "https://sso.eu-west-2.amazonaws.com/control/"
        );
        assert_eq!(
            control_endpoint("us-gov-west-1", None),
            "https://sso.us-gov-west-1.amazonaws.com/control/"
        );
        assert_eq!(
            control_endpoint("cn-north-1", None),
            "https://sso.cn-north-1.amazonaws.com.cn/control/"
        );
        assert_eq!(
            control_endpoint("cn-south-9", None),
            "https://sso.cn-south-9.amazonaws.com.cn/control/"
        );
        assert_eq!(
            control_endpoint("us-east-1", Some("http://127.0.0.1:4566/")),
            "http://127.0.0.1:4566/control/"
        );
        assert_eq!(
            control_endpoint("us-east-1", Some("  ")),
            "https://sso.us-east-1.amazonaws.com/control/"
        );
    }

    #[test]
    fn application_arns_use_the_instance_id() {
        assert_eq!(
            application_arn(
                "arn:aws:sso:::instance/ssoins-1234567890abcdef",
                "111122223333",
                "ins-68044c9cb4b51402"
            )
            .as_deref(),
            Some(
                "arn:aws:sso::111122223333:application/ssoins-1234567890abcdef/apl-68044c9cb4b51402"
            )
        );
        assert_eq!(
            application_arn("arn:aws:sso:::instance/ssoins-1", "1", "apl-1"),
            None
        );
    }

    #[test]
    fn uuids_are_version_4() {
        let a = random_uuid();
        let b = random_uuid();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"), "{a}");
        assert_eq!(a.matches('-').count(), 4);
    }
}
