//! The answers a user gives (raw, from flags, environment or an answers file) and the
//! validated setup they describe, with every value the guide asks to paste somewhere.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::input::{
    AccountId, ConnectInstance, Description, DisplayName, IdentityStoreId, InputError, InstanceId,
    PolicyName, RoleName, SamlProviderName,
};
use super::policy;
use super::region::{Partition, Region, SignInEndpoint, acs_url};

/// Raw answers, every field optional. Field names are the answers-file keys and, with
/// dashes, the command-line flags.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answers {
    pub instance_arn: Option<String>,
    pub instance_id: Option<String>,
    pub account_id: Option<String>,
    /// Region of the Connect context; also the instance's region when only its id is given.
    pub region: Option<String>,
    pub profile: Option<String>,
    pub identity_profile: Option<String>,
    pub identity_region: Option<String>,
    pub identity_store_id: Option<String>,
    pub app_name: Option<String>,
    pub app_description: Option<String>,
    pub provider_name: Option<String>,
    pub policy_name: Option<String>,
    pub role_name: Option<String>,
    pub metadata: Option<PathBuf>,
    pub sign_in_endpoint: Option<String>,
    /// Identity Center users (user names or emails) to assign in step 11.
    pub users: Option<Vec<String>>,
    /// Identity Center groups (display names or group ids) to assign in step 11.
    pub groups: Option<Vec<String>>,
    /// Create the Connect users that are missing (verification).
    pub create_connect_users: Option<bool>,
    /// Security profile of created Connect users.
    pub security_profile: Option<String>,
    /// Routing profile of created Connect users.
    pub routing_profile: Option<String>,
    /// Run steps 1, 2, 3-5 and 10 through the IAM Identity Center console's own API.
    pub console_api: Option<bool>,
    /// Request rates to keep instead of AWS's default quotas, `SERVICE=N` each.
    #[serde(default, deserialize_with = "max_rps_specs")]
    pub max_rps: Option<Vec<String>>,
}

const MAX_RPS_FORMAT: &str = "use SERVICE=N, where SERVICE is connect, identitystore, sso, iam or sts and N the requests per second connect-sso may send to it (a positive number, e.g. connect=5 after the account's Connect quota was raised, or identitystore=10 to leave room for other tools)";

/// The services a request rate can be set for, by their IAM action prefix.
pub const RATE_SERVICES: [&str; 5] = ["connect", "identitystore", "sso", "iam", "sts"];

/// Reads one `SERVICE=N` of `--max-rps` / `max_rps`: the service's IAM action prefix and
/// the rate, a positive number of requests per second.
pub fn parse_max_rps(spec: &str) -> Result<(&'static str, f64), String> {
    let spec = spec.trim();
    let Some((name, n)) = spec.split_once('=') else {
        return Err(format!("max rps '{spec}' has no '=': {MAX_RPS_FORMAT}"));
    };
    let name = name.trim().to_ascii_lowercase();
    let service = match name.as_str() {
        "sso-admin" | "ssoadmin" | "identitycenter" => Some("sso"),
        "identity-store" => Some("identitystore"),
        _ => RATE_SERVICES.into_iter().find(|s| *s == name),
    };
    let Some(service) = service else {
        return Err(format!(
            "max rps: '{name}' is not a service connect-sso calls: {MAX_RPS_FORMAT}"
        ));
    };
    let rate: f64 = n.trim().parse().map_err(|_| {
        format!(
            "max rps {name}: '{}' is not a number: {MAX_RPS_FORMAT}",
            n.trim()
        )
    })?;
    if !rate.is_finite() || rate <= 0.0 || rate > 10_000.0 {
        return Err(format!(
            "max rps {name}: {rate} is not a rate connect-sso can keep (more than 0, at most 10000): {MAX_RPS_FORMAT}"
        ));
    }
    Ok((service, rate))
}

/// The answers file's `max_rps`, each entry checked as it is read.
fn max_rps_specs<'de, D>(deserializer: D) -> Result<Option<Vec<String>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let specs: Option<Vec<String>> = Option::deserialize(deserializer)?;
    for spec in specs.iter().flatten() {
        parse_max_rps(spec).map_err(serde::de::Error::custom)?;
    }
    Ok(specs)
}

impl Answers {
    /// Fills every field left empty in `self` from `lower` (for flag > env > file precedence).
    ///
    /// The instance is one answer in two forms, its ARN or its id (with region and account):
    /// a form given here replaces both forms of `lower`, so an id on the command line wins
    /// over an ARN in the answers file instead of being ignored beside it.
    pub fn or(self, mut lower: Answers) -> Answers {
        if self.instance_arn.is_some() || self.instance_id.is_some() {
            lower.instance_arn = None;
            lower.instance_id = None;
            // The lower account id only ever went with its own instance id.
            if self.instance_arn.is_some() {
                lower.account_id = None;
            }
        }
        Answers {
            instance_arn: self.instance_arn.or(lower.instance_arn),
            instance_id: self.instance_id.or(lower.instance_id),
            account_id: self.account_id.or(lower.account_id),
            region: self.region.or(lower.region),
            profile: self.profile.or(lower.profile),
            identity_profile: self.identity_profile.or(lower.identity_profile),
            identity_region: self.identity_region.or(lower.identity_region),
            identity_store_id: self.identity_store_id.or(lower.identity_store_id),
            app_name: self.app_name.or(lower.app_name),
            app_description: self.app_description.or(lower.app_description),
            provider_name: self.provider_name.or(lower.provider_name),
            policy_name: self.policy_name.or(lower.policy_name),
            role_name: self.role_name.or(lower.role_name),
            metadata: self.metadata.or(lower.metadata),
            sign_in_endpoint: self.sign_in_endpoint.or(lower.sign_in_endpoint),
            users: self.users.or(lower.users),
            groups: self.groups.or(lower.groups),
            create_connect_users: self.create_connect_users.or(lower.create_connect_users),
            security_profile: self.security_profile.or(lower.security_profile),
            routing_profile: self.routing_profile.or(lower.routing_profile),
            console_api: self.console_api.or(lower.console_api),
            max_rps: self.max_rps.or(lower.max_rps),
        }
    }
}

impl Answers {
    /// The instance as one ARN, for a screen with one instance field: the ARN given, or the
    /// one the id, region and account make; the id as typed when they make none (the field
    /// then says what is wrong with it).
    pub fn instance_as_arn(&self) -> Option<String> {
        if let Some(arn) = &self.instance_arn {
            return Some(arn.clone());
        }
        let id = self.instance_id.as_ref()?;
        Some(
            instance_from_parts(id, self)
                .map(|i| i.arn())
                .unwrap_or_else(|_| id.clone()),
        )
    }
}

/// One invalid answer: the answers-file key it came from and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{key}: {error}")]
pub struct AnswerError {
    pub key: &'static str,
    pub error: InputError,
}

/// A mapping to add on the IdC application's Attribute mappings tab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttributeMapping {
    /// "Subject" or the attribute name, spelled exactly.
    pub attribute: &'static str,
    pub value: String,
    pub format: &'static str,
}

pub const ROLE_ATTRIBUTE: &str = "https://aws.amazon.com/SAML/Attributes/Role";
pub const ROLE_SESSION_NAME_ATTRIBUTE: &str =
    "https://aws.amazon.com/SAML/Attributes/RoleSessionName";
/// The IdC user attribute whose value becomes both the NameID and the Connect user name.
pub const USER_EMAIL: &str = "${user:email}";
/// The security profile of the Connect users connect-sso creates, unless told otherwise:
/// the one every new Connect instance has for agents.
pub const DEFAULT_SECURITY_PROFILE: &str = "Agent";
/// The routing profile of the Connect users connect-sso creates, unless told otherwise.
pub const DEFAULT_ROUTING_PROFILE: &str = "Basic Routing Profile";

/// What JavaScript's encodeURIComponent leaves alone stays readable in the relay state.
const URI_COMPONENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// Deep links the relay state can carry, opened right after sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Destination {
    /// The Contact Control Panel.
    Ccp,
    /// The agent workspace.
    AgentWorkspace,
}

impl Destination {
    pub const ALL: [Destination; 2] = [Destination::Ccp, Destination::AgentWorkspace];

    pub fn path(self) -> &'static str {
        match self {
            Destination::Ccp => "/ccp-v2/",
            Destination::AgentWorkspace => "/agent-app-v2/",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Destination::Ccp => "Contact Control Panel (CCP)",
            Destination::AgentWorkspace => "agent workspace",
        }
    }
}

/// A validated setup: everything needed to generate the guide's values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Setup {
    pub instance: ConnectInstance,
    pub app_name: DisplayName,
    pub app_description: Option<Description>,
    pub provider_name: SamlProviderName,
    pub policy_name: PolicyName,
    pub role_name: RoleName,
    pub sign_in_endpoint: SignInEndpoint,
    pub identity_store_id: Option<IdentityStoreId>,
    acs_url: String,
}

impl Setup {
    /// Validates the answers, reporting every invalid one at once, and fills defaults.
    pub fn from_answers(a: &Answers) -> Result<Setup, Vec<AnswerError>> {
        let mut errors = Vec::new();

        let instance = match (&a.instance_arn, &a.instance_id) {
            // Both forms from one place (the command line, the environment or the file):
            // which one was meant cannot be told.
            (Some(_), Some(_)) => keep(
                &mut errors,
                "instance_id",
                Err(InputError::Conflict {
                    first: "the instance ARN",
                    second: "the instance id",
                    hint: "give one of them: the ARN alone, or the id with the region and account id",
                }),
            ),
            (Some(arn), None) => keep(&mut errors, "instance_arn", instance_from_arn(arn, a)),
            (None, Some(id)) => match instance_from_parts(id, a) {
                Ok(instance) => Some(instance),
                Err(problems) => {
                    errors.extend(
                        problems
                            .into_iter()
                            .map(|(key, error)| AnswerError { key, error }),
                    );
                    None
                }
            },
            (None, None) => keep(
                &mut errors,
                "instance_arn",
                Err(InputError::Missing {
                    missing: "the Connect instance",
                    hint: "give --instance-arn (from the Connect console's Overview page), or --instance-id with --region and --account-id",
                }),
            ),
        };
        for user in a.users.iter().flatten() {
            keep(&mut errors, "users", crate::domain::input::check_user(user));
        }
        for group in a.groups.iter().flatten() {
            keep(
                &mut errors,
                "groups",
                crate::domain::input::check_group(group),
            );
        }
        let app_name = a
            .app_name
            .as_deref()
            .map(|v| keep(&mut errors, "app_name", DisplayName::parse(v)));
        let app_description = keep(
            &mut errors,
            "app_description",
            Description::parse(a.app_description.as_deref().unwrap_or("")),
        );
        let provider_name = a
            .provider_name
            .as_deref()
            .map(|v| keep(&mut errors, "provider_name", SamlProviderName::parse(v)));
        let policy_name = a
            .policy_name
            .as_deref()
            .map(|v| keep(&mut errors, "policy_name", PolicyName::parse(v)));
        let role_name = a
            .role_name
            .as_deref()
            .map(|v| keep(&mut errors, "role_name", RoleName::parse(v)));
        let sign_in_endpoint = keep(
            &mut errors,
            "sign_in_endpoint",
            a.sign_in_endpoint
                .as_deref()
                .map(SignInEndpoint::parse)
                .unwrap_or(Ok(SignInEndpoint::Global))
                .map_err(InputError::from),
        );
        let identity_store_id = a
            .identity_store_id
            .as_deref()
            .map(|v| keep(&mut errors, "identity_store_id", IdentityStoreId::parse(v)));
        let acs = match (&instance, sign_in_endpoint) {
            (Some(i), Some(e)) => keep(
                &mut errors,
                "sign_in_endpoint",
                acs_url(i.region, e).map_err(InputError::from),
            ),
            _ => None,
        };

        let (Some(instance), Some(app_description), Some(sign_in_endpoint), Some(acs_url)) =
            (instance, app_description, sign_in_endpoint, acs)
        else {
            return Err(errors);
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        // Defaults carry the instance id's first block: one role per instance, and names
        // that tell several instances in one account apart. Every default is valid.
        let short = instance.id.short().to_string();
        Ok(Setup {
            app_name: app_name.flatten().unwrap_or_else(|| {
                DisplayName::parse(&format!("Amazon Connect {short}")).expect(DEFAULTS_ARE_VALID)
            }),
            app_description,
            provider_name: provider_name.flatten().unwrap_or_else(|| {
                SamlProviderName::parse(&format!("IdentityCenter-Connect-{short}"))
                    .expect(DEFAULTS_ARE_VALID)
            }),
            policy_name: policy_name.flatten().unwrap_or_else(|| {
                PolicyName::parse(&format!("ConnectFederation-{short}")).expect(DEFAULTS_ARE_VALID)
            }),
            role_name: role_name.flatten().unwrap_or_else(|| {
                RoleName::parse(&format!("ConnectSSO-{short}")).expect(DEFAULTS_ARE_VALID)
            }),
            sign_in_endpoint,
            identity_store_id: identity_store_id.flatten(),
            instance,
            acs_url,
        })
    }

    pub fn partition(&self) -> Partition {
        self.instance.partition()
    }

    pub fn region(&self) -> Region {
        self.instance.region
    }

    /// Where IdC posts the SAML response (the application's ACS URL).
    pub fn acs_url(&self) -> &str {
        &self.acs_url
    }

    /// Every ACS URL the trust policy must accept.
    pub fn acs_urls(&self) -> Vec<String> {
        vec![self.acs_url.clone()]
    }

    pub fn audience(&self) -> &'static str {
        self.partition().saml_audience()
    }

    fn iam_arn(&self, resource: &str) -> String {
        format!(
            "arn:{}:iam::{}:{resource}",
            self.partition().id(),
            self.instance.account
        )
    }

    pub fn role_arn(&self) -> String {
        self.iam_arn(&format!("role/{}", self.role_name))
    }

    pub fn provider_arn(&self) -> String {
        self.iam_arn(&format!("saml-provider/{}", self.provider_name))
    }

    pub fn policy_arn(&self) -> String {
        self.iam_arn(&format!("policy/{}", self.policy_name))
    }

    /// The Role attribute value: role ARN, then provider ARN, a comma and no space.
    pub fn role_attribute(&self) -> String {
        format!("{},{}", self.role_arn(), self.provider_arn())
    }

    /// The relay state: where the browser lands after AWS sign-in accepts the response.
    pub fn relay_state(&self, destination: Option<Destination>) -> String {
        let base = format!(
            "{}/connect/federate/{}",
            self.region().console_origin(),
            self.instance.id
        );
        match destination {
            None => base,
            Some(d) => format!(
                "{base}?destination={}",
                percent_encoding::utf8_percent_encode(d.path(), URI_COMPONENT)
            ),
        }
    }

    pub fn attribute_mappings(&self) -> Vec<AttributeMapping> {
        vec![
            AttributeMapping {
                attribute: "Subject",
                value: USER_EMAIL.to_string(),
                format: "emailAddress",
            },
            AttributeMapping {
                attribute: ROLE_SESSION_NAME_ATTRIBUTE,
                value: USER_EMAIL.to_string(),
                format: "unspecified",
            },
            AttributeMapping {
                attribute: ROLE_ATTRIBUTE,
                value: self.role_attribute(),
                format: "unspecified",
            },
        ]
    }

    /// The AWS access portal URL, where sign-in must start (Connect does not start it).
    pub fn access_portal_url(&self) -> Option<String> {
        let id = self.identity_store_id.as_ref()?;
        Some(match self.partition() {
            Partition::Aws => format!("https://{id}.awsapps.com/start"),
            Partition::AwsUsGov => format!("https://start.us-gov-home.awsapps.com/directory/{id}"),
            Partition::AwsCn => format!("https://{id}.awsapps.cn/start"),
        })
    }

    pub fn permissions_policy(&self) -> Value {
        policy::permissions_policy(&self.instance.arn())
    }

    pub fn trust_policy(&self) -> Value {
        policy::trust_policy(&self.provider_arn(), &self.acs_urls())
    }

    /// Things that are allowed but probably wrong.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !self.region().offers_connect() {
            out.push(format!(
                "Amazon Connect is not known to be offered in {}; check the region in the instance ARN",
                self.region()
            ));
        }
        out
    }
}

const DEFAULTS_ARE_VALID: &str = "default names are valid";

/// Keeps a valid answer, or records why it is invalid.
fn keep<T>(
    errors: &mut Vec<AnswerError>,
    key: &'static str,
    r: Result<T, InputError>,
) -> Option<T> {
    r.map_err(|error| errors.push(AnswerError { key, error }))
        .ok()
}

fn instance_from_arn(arn: &str, a: &Answers) -> Result<ConnectInstance, InputError> {
    let instance = ConnectInstance::from_arn(arn)?;
    // A region or account given beside the ARN must agree with it.
    if let Some(region) = a.region.as_deref() {
        let given = Region::parse(region)?;
        if given != instance.region {
            return Err(InputError::RegionMismatch {
                arn_region: instance.region.name().to_string(),
                given: given.name().to_string(),
            });
        }
    }
    if let Some(account) = a.account_id.as_deref() {
        let given = AccountId::parse(account)?;
        if given != instance.account {
            return Err(InputError::AccountMismatch {
                arn_account: instance.account.to_string(),
                given: given.to_string(),
            });
        }
    }
    Ok(instance)
}

/// The instance from its id, region and account; each problem is reported under the answer
/// it is about (`region`, `account_id` or `instance_id`), all of them at once.
fn instance_from_parts(
    id: &str,
    a: &Answers,
) -> Result<ConnectInstance, Vec<(&'static str, InputError)>> {
    // An ARN pasted where the id was asked for is still understood.
    if id.trim_start().starts_with("arn:") {
        return instance_from_arn(id, a).map_err(|e| vec![("instance_id", e)]);
    }
    let id = InstanceId::parse(id).map_err(|e| ("instance_id", e));
    let region = a
        .region
        .as_deref()
        .ok_or(InputError::Missing {
            missing: "the instance's region",
            hint: "give --region (for example us-east-1), or the whole --instance-arn instead",
        })
        .and_then(|r| Region::parse(r).map_err(InputError::from))
        .map_err(|e| ("region", e));
    let account = a
        .account_id
        .as_deref()
        .ok_or(InputError::Missing {
            missing: "the instance's account id",
            hint: "give --account-id (12 digits), or the whole --instance-arn instead",
        })
        .and_then(AccountId::parse)
        .map_err(|e| ("account_id", e));
    match (id, region, account) {
        (Ok(id), Ok(region), Ok(account)) => {
            ConnectInstance::new(region, account, id).map_err(|e| vec![("region", e)])
        }
        (id, region, account) => Err([id.err(), region.err(), account.err()]
            .into_iter()
            .flatten()
            .collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str =
        "arn:aws:connect:us-east-1:123456789012:instance/12345678-90ab-cdef-1234-567890abcdef";

    fn answers() -> Answers {
        Answers {
            instance_arn: Some(ARN.into()),
            ..Answers::default()
        }
    }

    #[test]
    fn instance_parts_are_reported_under_their_own_keys() {
        let parts = |id: &str, region: Option<&str>, account: Option<&str>| Answers {
            instance_id: Some(id.into()),
            region: region.map(Into::into),
            account_id: account.map(Into::into),
            ..Answers::default()
        };
        let key_of = |a: Answers| Setup::from_answers(&a).unwrap_err()[0].key;
        let id = "12345678-90ab-cdef-1234-567890abcdef";
        assert_eq!(
            key_of(parts(id, Some("mars-1"), Some("123456789012"))),
            "region"
        );
        assert_eq!(key_of(parts(id, None, Some("123456789012"))), "region");
        assert_eq!(
            key_of(parts(id, Some("us-east-1"), Some("12"))),
            "account_id"
        );
        assert_eq!(
            key_of(parts("not-a-uuid", Some("us-east-1"), None)),
            "instance_id"
        );
        assert!(Setup::from_answers(&parts(id, Some("us-east-1"), Some("123456789012"))).is_ok());
    }

    #[test]
    fn people_to_assign_are_checked_before_any_call() {
        for bad in ["", "  ", "a\u{1b}[2Jb"] {
            let a = Answers {
                users: Some(vec!["maria@example.com".into(), bad.into()]),
                ..answers()
            };
            let errors = Setup::from_answers(&a).unwrap_err();
            assert_eq!(errors[0].key, "users", "{bad:?}");
        }
        let long = Answers {
            users: Some(vec!["x".repeat(300)]),
            ..answers()
        };
        assert!(
            Setup::from_answers(&long).unwrap_err()[0]
                .error
                .to_string()
                .contains("at most 254")
        );
    }

    #[test]
    fn defaults_follow_the_instance() {
        let s = Setup::from_answers(&answers()).unwrap();
        assert_eq!(s.app_name.as_str(), "Amazon Connect 12345678");
        assert_eq!(s.provider_name.as_str(), "IdentityCenter-Connect-12345678");
        assert_eq!(s.policy_name.as_str(), "ConnectFederation-12345678");
        assert_eq!(s.role_name.as_str(), "ConnectSSO-12345678");
        assert_eq!(s.sign_in_endpoint, SignInEndpoint::Global);
        assert_eq!(s.app_description, None);
    }

    #[test]
    fn generated_values_are_exact() {
        let s = Setup::from_answers(&Answers {
            role_name: Some("ConnectSSO".into()),
            provider_name: Some("IdC".into()),
            ..answers()
        })
        .unwrap();
        assert_eq!(s.acs_url(), "https://signin.aws.amazon.com/saml");
        assert_eq!(s.audience(), "urn:amazon:webservices");
        assert_eq!(s.role_arn(), "arn:aws:iam::123456789012:role/ConnectSSO");
        assert_eq!(
            s.provider_arn(),
            "arn:aws:iam::123456789012:saml-provider/IdC"
        );
        assert_eq!(
            s.role_attribute(),
            "arn:aws:iam::123456789012:role/ConnectSSO,arn:aws:iam::123456789012:saml-provider/IdC"
        );
        assert_eq!(
            s.relay_state(None),
            "https://us-east-1.console.aws.amazon.com/connect/federate/12345678-90ab-cdef-1234-567890abcdef"
        );
        assert_eq!(
            s.relay_state(Some(Destination::Ccp)),
            "https://us-east-1.console.aws.amazon.com/connect/federate/12345678-90ab-cdef-1234-567890abcdef?destination=%2Fccp-v2%2F"
        );
        assert_eq!(
            s.relay_state(Some(Destination::AgentWorkspace)),
            "https://us-east-1.console.aws.amazon.com/connect/federate/12345678-90ab-cdef-1234-567890abcdef?destination=%2Fagent-app-v2%2F"
        );
        let m = s.attribute_mappings();
        assert_eq!(m.len(), 3);
        assert_eq!(
            (m[0].attribute, m[0].value.as_str(), m[0].format),
            ("Subject", "${user:email}", "emailAddress")
        );
        assert_eq!(
            m[1].attribute,
            "https://aws.amazon.com/SAML/Attributes/RoleSessionName"
        );
        assert_eq!(m[2].value, s.role_attribute());
        assert!(!m[2].value.contains(' '));
    }

    #[test]
    fn regional_and_govcloud() {
        let s = Setup::from_answers(&Answers {
            instance_arn: Some(ARN.replace("us-east-1", "eu-west-2")),
            sign_in_endpoint: Some("regional".into()),
            ..Answers::default()
        })
        .unwrap();
        assert_eq!(s.acs_url(), "https://eu-west-2.signin.aws.amazon.com/saml");
        assert_eq!(
            s.trust_policy()["Statement"][0]["Condition"]["StringEquals"]["SAML:aud"],
            "https://eu-west-2.signin.aws.amazon.com/saml"
        );
        let gov = Setup::from_answers(&Answers {
            instance_arn: Some(
                ARN.replace("arn:aws:", "arn:aws-us-gov:")
                    .replace("us-east-1", "us-gov-west-1"),
            ),
            identity_store_id: Some("d-1234567890".into()),
            ..Answers::default()
        })
        .unwrap();
        assert_eq!(gov.acs_url(), "https://signin.amazonaws-us-gov.com/saml");
        assert_eq!(gov.audience(), "urn:amazon:webservices:govcloud");
        assert!(
            gov.role_arn()
                .starts_with("arn:aws-us-gov:iam::123456789012:role/")
        );
        assert!(
            gov.relay_state(None)
                .starts_with("https://console.amazonaws-us-gov.com/connect/federate/")
        );
        assert_eq!(
            gov.access_portal_url().unwrap(),
            "https://start.us-gov-home.awsapps.com/directory/d-1234567890"
        );
    }

    #[test]
    fn instance_from_id_region_account() {
        let s = Setup::from_answers(&Answers {
            instance_id: Some("12345678-90AB-cdef-1234-567890abcdef".into()),
            region: Some("us-east-1".into()),
            account_id: Some("123456789012".into()),
            ..Answers::default()
        })
        .unwrap();
        assert_eq!(s.instance.arn(), ARN);
        let err = Setup::from_answers(&Answers {
            instance_id: Some("12345678-90ab-cdef-1234-567890abcdef".into()),
            ..Answers::default()
        })
        .unwrap_err();
        // Both missing parts are named at once.
        assert_eq!(err.len(), 2, "{err:?}");
        assert!(err[0].to_string().contains("--region"), "{}", err[0]);
        assert!(err[1].to_string().contains("--account-id"), "{}", err[1]);
    }

    #[test]
    fn every_bad_answer_is_reported_at_once() {
        let err = Setup::from_answers(&Answers {
            role_name: Some("bad role".into()),
            policy_name: Some("".into()),
            provider_name: Some("a+b".into()),
            sign_in_endpoint: Some("nearby".into()),
            ..answers()
        })
        .unwrap_err();
        let keys: Vec<_> = err.iter().map(|e| e.key).collect();
        assert_eq!(
            keys,
            [
                "provider_name",
                "policy_name",
                "role_name",
                "sign_in_endpoint"
            ]
        );
        assert!(
            err[0]
                .to_string()
                .starts_with("provider_name: SAML provider name contains '+'")
        );
    }

    #[test]
    fn missing_instance_and_mismatches() {
        let err = Setup::from_answers(&Answers::default()).unwrap_err();
        assert_eq!(err[0].key, "instance_arn");
        let err = Setup::from_answers(&Answers {
            region: Some("eu-west-2".into()),
            ..answers()
        })
        .unwrap_err();
        assert!(matches!(err[0].error, InputError::RegionMismatch { .. }));
        let err = Setup::from_answers(&Answers {
            account_id: Some("999999999999".into()),
            ..answers()
        })
        .unwrap_err();
        assert!(matches!(err[0].error, InputError::AccountMismatch { .. }));
    }

    #[test]
    fn answers_precedence() {
        let high = Answers {
            role_name: Some("flag".into()),
            ..Answers::default()
        };
        let low = Answers {
            role_name: Some("file".into()),
            policy_name: Some("file-policy".into()),
            ..Answers::default()
        };
        let merged = high.or(low);
        assert_eq!(merged.role_name.as_deref(), Some("flag"));
        assert_eq!(merged.policy_name.as_deref(), Some("file-policy"));
    }

    #[test]
    fn access_portal_url() {
        let s = Setup::from_answers(&Answers {
            identity_store_id: Some("d-90670a1b2c".into()),
            ..answers()
        })
        .unwrap();
        assert_eq!(
            s.access_portal_url().unwrap(),
            "https://d-90670a1b2c.awsapps.com/start"
        );
        assert_eq!(
            Setup::from_answers(&answers()).unwrap().access_portal_url(),
            None
        );
    }

    #[test]
    fn the_instance_form_of_the_upper_level_replaces_both_lower_forms() {
        let id = "12345678-90ab-cdef-1234-567890abcdef";
        let upper = Answers {
            instance_id: Some(id.into()),
            region: Some("us-east-1".into()),
            ..Answers::default()
        };
        let lower = Answers {
            instance_arn: Some(ARN.into()),
            account_id: Some("123456789012".into()),
            role_name: Some("FromFile".into()),
            ..Answers::default()
        };
        let merged = upper.clone().or(lower.clone());
        assert_eq!(merged.instance_arn, None);
        assert_eq!(merged.account_id.as_deref(), Some("123456789012"));
        assert_eq!(merged.role_name.as_deref(), Some("FromFile"));
        assert_eq!(
            merged.instance_as_arn().as_deref(),
            Some(
                "arn:aws:connect:us-east-1:123456789012:instance/12345678-90ab-cdef-1234-567890abcdef"
            )
        );
        // Nothing on the upper level: the lower's form stays.
        assert_eq!(
            Answers::default().or(lower.clone()).instance_arn.as_deref(),
            Some(ARN)
        );
        // Both on one level: a conflict, named.
        let both = Answers {
            instance_id: Some("not-a-uuid".into()),
            ..lower
        };
        let errors = Setup::from_answers(&both).unwrap_err();
        assert_eq!(errors[0].key, "instance_id");
        assert!(
            errors[0]
                .to_string()
                .contains("both the instance ARN and the instance id")
        );
        // An id that makes no ARN is shown as typed.
        let bad = Answers {
            instance_id: Some("nope".into()),
            ..Answers::default()
        };
        assert_eq!(bad.instance_as_arn().as_deref(), Some("nope"));
    }
}
