//! The shapes of the console API, as the public model (`service-2.json` of
//! asyschikov/aws-idc-saml) spells them: camelCase members, every one optional on the way
//! back. Only members of that model are ever sent; answers may carry more, which are ignored.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `ApplicationInstance`: what `Get`, `Create` and `ListApplicationInstances` answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationInstance {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<DisplayData>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_provider_config: Option<IdentityProviderConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_provider_config: Option<ServiceProviderConfig>,
    /// `ENABLED` or `DISABLED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<TemplateInfo>,
}

impl ApplicationInstance {
    pub fn display_name(&self) -> Option<&str> {
        self.display.as_ref()?.display_name.as_deref()
    }

    pub fn description(&self) -> Option<&str> {
        self.display.as_ref()?.description.as_deref()
    }

    pub fn metadata_url(&self) -> Option<&str> {
        self.identity_provider_config
            .as_ref()?
            .metadata_url
            .as_deref()
    }

    pub fn template_id(&self) -> Option<&str> {
        self.template.as_ref()?.template_id.as_deref()
    }

    pub fn is_enabled(&self) -> bool {
        self.status.as_deref() == Some(STATUS_ENABLED)
    }
}

pub const STATUS_ENABLED: &str = "ENABLED";
pub const STATUS_DISABLED: &str = "DISABLED";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DisplayData {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityProviderConfig {
    /// The application's IAM Identity Center SAML metadata, readable without credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_login_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_logout_url: Option<String>,
}

/// Steps 3-5: where IAM Identity Center posts the response, and its audience.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceProviderConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumers: Option<Vec<Consumer>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_request_signature: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Consumer {
    /// The ACS URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binding: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_value: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TemplateInfo {
    #[serde(
        default,
        rename = "sSOProtocol",
        skip_serializing_if = "Option::is_none"
    )]
    pub sso_protocol: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_id: Option<String>,
}

/// Step 10, the values: `responseConfig`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResponseConfig {
    pub subject: AttributeSource,
    pub properties: BTreeMap<String, AttributeSource>,
    /// The application's session duration, ISO 8601 (`PT1H`).
    pub ttl: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeSource {
    pub source: Vec<String>,
}

/// Step 10, the formats: `responseSchemaConfig`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResponseSchemaConfig {
    pub subject: SchemaSubject,
    pub properties: BTreeMap<String, SchemaProperty>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SchemaSubject {
    /// `REQUIRED`.
    pub include: String,
    pub name_id_format: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SchemaProperty {
    pub attr_name_format: String,
    /// `YES`.
    pub include: String,
}

/// One of `ListApplicationInstanceCertificates`' answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Certificate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbprint: Option<String>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// One of `ListProfiles`' answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// The answer shapes, as the model names their members.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct InstanceAnswer {
    pub application_instance: Option<ApplicationInstance>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct InstancesAnswer {
    pub application_instances: Option<Vec<ApplicationInstance>>,
}

#[derive(Debug, Deserialize)]
pub(super) struct CertificatesAnswer {
    pub certificates: Option<Vec<Certificate>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ProfilesAnswer {
    pub application_profiles: Option<Vec<Profile>>,
}
