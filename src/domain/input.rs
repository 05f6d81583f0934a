//! Validated inputs. Every constructor says exactly what is wrong with a bad value and how to
//! fix it, so the CLI, the wizard and `apply` can show the message as it is.

use serde::Serialize;

use super::region::{Partition, Region, RegionError};
use super::text::echo;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("{field} is empty: enter a value")]
    Empty { field: &'static str },
    #[error(
        "{field} is {len} characters long; AWS allows {min} to {max}: {}",
        if *len < *min { "make it longer" } else { "shorten it" }
    )]
    Length {
        field: &'static str,
        len: usize,
        min: usize,
        max: usize,
    },
    #[error("{field} is {len} characters long; connect-sso accepts at most {max}: shorten it")]
    TooLong {
        field: &'static str,
        len: usize,
        max: usize,
    },
    #[error("{field} contains {found}, which AWS does not allow; use only {allowed}")]
    Characters {
        field: &'static str,
        found: String,
        allowed: &'static str,
    },
    #[error(
        "{field} contains a control character (such as a tab or line break); remove it, for example by typing the value instead of pasting it"
    )]
    ControlCharacter { field: &'static str },
    #[error(
        "account id '{input}' is not valid: an AWS account id is exactly 12 digits (for example 123456789012), without dashes or spaces"
    )]
    AccountId { input: String },
    /// A region or sign-in endpoint answer, as `region` reports it.
    #[error("{0}")]
    Region(RegionError),
    #[error(
        "instance id '{input}' is not valid: a Connect instance id is a UUID such as 12345678-90ab-cdef-1234-567890abcdef; copy it from the instance ARN on the Connect console's Overview page"
    )]
    InstanceId { input: String },
    #[error("{0}")]
    InstanceArn(InstanceArnError),
    #[error(
        "Amazon Connect is not offered in the {partition} partition ({region}); pick the instance's real region"
    )]
    ConnectNotOffered {
        partition: Partition,
        region: String,
    },
    #[error(
        "the instance ARN says region {arn_region} but the region given is {given}: drop the separate region or make them agree"
    )]
    RegionMismatch { arn_region: String, given: String },
    #[error(
        "the instance ARN says account {arn_account} but the account given is {given}: drop the separate account id or make them agree"
    )]
    AccountMismatch { arn_account: String, given: String },
    #[error("both {first} and {second} are given: {hint}")]
    Conflict {
        first: &'static str,
        second: &'static str,
        hint: &'static str,
    },
    #[error("{missing} is missing: {hint}")]
    Missing {
        missing: &'static str,
        hint: &'static str,
    },
    #[error(
        "the role name contains a comma: IAM allows it, but the SAML Role attribute separates the role ARN from the provider ARN with a comma, so sign-in would fail; choose a name without ','"
    )]
    CommaInRoleName,
    #[error(
        "identity store id '{input}' is not valid: it looks like d-1234567890 (d- and ten hexadecimal digits); find it on the IAM Identity Center Settings page"
    )]
    IdentityStoreId { input: String },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InstanceArnError {
    #[error(
        "'{input}' is not an ARN: a Connect instance ARN looks like arn:aws:connect:us-east-1:123456789012:instance/12345678-90ab-cdef-1234-567890abcdef"
    )]
    NotAnArn { input: String },
    #[error(
        "'{partition}' in the ARN is not an AWS partition: use aws, aws-us-gov or aws-cn as the second field"
    )]
    Partition { partition: String },
    #[error(
        "this is an ARN of the {service} service, not of Amazon Connect: copy the Instance ARN from the Connect console's Overview page"
    )]
    Service { service: String },
    #[error(
        "the ARN's partition {partition} does not match its region {region} (which is in {expected}): copy the ARN again"
    )]
    PartitionMismatch {
        partition: Partition,
        region: String,
        expected: Partition,
    },
    #[error(
        "this ARN names a {resource} inside the instance, not the instance itself: use the part up to the instance id, {instance_arn}"
    )]
    InsideInstance {
        resource: String,
        instance_arn: String,
    },
    #[error(
        "the ARN's resource '{resource}' is not an instance: a Connect instance ARN ends with instance/ and the instance id"
    )]
    NotInstance { resource: String },
    #[error("in the ARN, {0}")]
    Field(Box<InputError>),
}

impl From<InstanceArnError> for InputError {
    fn from(e: InstanceArnError) -> Self {
        InputError::InstanceArn(e)
    }
}

impl From<RegionError> for InputError {
    fn from(e: RegionError) -> Self {
        InputError::Region(e)
    }
}

/// The longest display name and description accepted: a tile title and a line of text in
/// the access portal, far beyond what anyone types, and a bound on what a paste can carry.
pub const MAX_DISPLAY_NAME: usize = 255;
pub const MAX_DESCRIPTION: usize = 1024;

/// The longest person's name accepted for step 11: an Identity Store user name is at most
/// 128 characters, an email at most 254.
pub const MAX_USER: usize = 254;

/// A person to assign in step 11 (a user name or an email), checked before any AWS call.
pub fn check_user(value: &str) -> Result<(), InputError> {
    const FIELD: &str = "a user to assign (--user)";
    let v = value.trim();
    if v.is_empty() {
        return Err(InputError::Empty { field: FIELD });
    }
    check_max(FIELD, v, MAX_USER)?;
    check_no_control(FIELD, v)
}

/// Identity Center caps a group's display name at 1,024 characters.
pub const MAX_GROUP: usize = 1024;

/// A group to assign: its display name or its group id, as given.
pub fn check_group(value: &str) -> Result<(), InputError> {
    const FIELD: &str = "a group to assign (--group)";
    let v = value.trim();
    if v.is_empty() {
        return Err(InputError::Empty { field: FIELD });
    }
    check_max(FIELD, v, MAX_GROUP)?;
    check_no_control(FIELD, v)
}

fn check_max(field: &'static str, value: &str, max: usize) -> Result<(), InputError> {
    let len = value.chars().count();
    if len > max {
        return Err(InputError::TooLong { field, len, max });
    }
    Ok(())
}

fn check_no_control(field: &'static str, value: &str) -> Result<(), InputError> {
    if value.chars().any(char::is_control) {
        return Err(InputError::ControlCharacter { field });
    }
    Ok(())
}

/// Checks length (in characters) and an allowed character set, as IAM does.
fn check_name(
    field: &'static str,
    value: &str,
    max: usize,
    allowed: fn(char) -> bool,
    allowed_text: &'static str,
) -> Result<(), InputError> {
    if value.is_empty() {
        return Err(InputError::Empty { field });
    }
    check_no_control(field, value)?;
    let len = value.chars().count();
    if len > max {
        return Err(InputError::Length {
            field,
            len,
            min: 1,
            max,
        });
    }
    let bad: Vec<char> = value.chars().filter(|c| !allowed(*c)).collect();
    if !bad.is_empty() {
        let mut uniq: Vec<char> = Vec::new();
        for c in bad {
            if !uniq.contains(&c) {
                uniq.push(c);
            }
        }
        // A pasted blob can hold hundreds of distinct characters: name the first few.
        uniq.truncate(10);
        let found = uniq
            .iter()
            .map(|c| match c {
                ' ' => "a space".to_string(),
                c => format!("'{c}'"),
            })
            .collect::<Vec<_>>()
            .join(", ");
        return Err(InputError::Characters {
            field,
            found,
            allowed: allowed_text,
        });
    }
    Ok(())
}

fn word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn iam_name_char(c: char) -> bool {
    word_char(c) || "+=,.@-".contains(c)
}

const IAM_NAME_ALLOWED: &str = "letters, digits and + = , . @ _ -";

macro_rules! validated_string {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

validated_string!(
    /// An IAM role name: 1-64 characters of `[\w+=,.@-]`.
    RoleName
);
validated_string!(
    /// An IAM customer managed policy name: 1-128 characters of `[\w+=,.@-]`.
    PolicyName
);
validated_string!(
    /// An IAM SAML provider name: 1-128 characters of `[\w._-]`.
    SamlProviderName
);
validated_string!(
    /// The display name of the IdC application: non-empty, no control characters.
    DisplayName
);
validated_string!(
    /// The optional description of the IdC application.
    Description
);
validated_string!(
    /// A 12-digit AWS account id.
    AccountId
);
validated_string!(
    /// A Connect instance id (a lowercase UUID).
    InstanceId
);
validated_string!(
    /// An Identity Center identity store id, `d-` and ten hexadecimal digits.
    IdentityStoreId
);

impl RoleName {
    pub fn parse(input: &str) -> Result<Self, InputError> {
        let v = input.trim();
        check_name("role name", v, 64, iam_name_char, IAM_NAME_ALLOWED)?;
        if v.contains(',') {
            return Err(InputError::CommaInRoleName);
        }
        Ok(Self(v.to_string()))
    }
}

impl PolicyName {
    pub fn parse(input: &str) -> Result<Self, InputError> {
        let v = input.trim();
        check_name("policy name", v, 128, iam_name_char, IAM_NAME_ALLOWED)?;
        Ok(Self(v.to_string()))
    }
}

impl SamlProviderName {
    pub fn parse(input: &str) -> Result<Self, InputError> {
        let v = input.trim();
        check_name(
            "SAML provider name",
            v,
            128,
            |c| word_char(c) || c == '.' || c == '-',
            "letters, digits and . _ -",
        )?;
        Ok(Self(v.to_string()))
    }
}

impl DisplayName {
    pub fn parse(input: &str) -> Result<Self, InputError> {
        let v = input.trim();
        if v.is_empty() {
            return Err(InputError::Empty {
                field: "application display name",
            });
        }
        check_max("application display name", v, MAX_DISPLAY_NAME)?;
        check_no_control("application display name", v)?;
        Ok(Self(v.to_string()))
    }
}

impl Description {
    /// An empty description means none.
    pub fn parse(input: &str) -> Result<Option<Self>, InputError> {
        let v = input.trim();
        if v.is_empty() {
            return Ok(None);
        }
        check_max("application description", v, MAX_DESCRIPTION)?;
        check_no_control("application description", v)?;
        Ok(Some(Self(v.to_string())))
    }
}

impl AccountId {
    pub fn parse(input: &str) -> Result<Self, InputError> {
        let v = input.trim();
        if v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(v.to_string()))
        } else {
            Err(InputError::AccountId { input: echo(v) })
        }
    }
}

impl InstanceId {
    /// Accepts a UUID in any letter case; Connect spells ids in lowercase.
    pub fn parse(input: &str) -> Result<Self, InputError> {
        let v = input.trim();
        let bytes = v.as_bytes();
        let well_formed = bytes.len() == 36
            && bytes.iter().enumerate().all(|(i, b)| match i {
                8 | 13 | 18 | 23 => *b == b'-',
                _ => b.is_ascii_hexdigit(),
            });
        if well_formed {
            Ok(Self(v.to_ascii_lowercase()))
        } else {
            Err(InputError::InstanceId { input: echo(v) })
        }
    }

    /// The first block of the UUID: short, and enough to tell instances apart in names.
    pub fn short(&self) -> &str {
        &self.0[..8]
    }
}

impl IdentityStoreId {
    pub fn parse(input: &str) -> Result<Self, InputError> {
        let v = input.trim();
        let ok =
            v.len() == 12 && v.starts_with("d-") && v[2..].bytes().all(|b| b.is_ascii_hexdigit());
        if ok {
            Ok(Self(v.to_ascii_lowercase()))
        } else {
            Err(InputError::IdentityStoreId { input: echo(v) })
        }
    }
}

/// A Connect instance, fully located: partition, region, account and id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ConnectInstance {
    pub region: Region,
    pub account: AccountId,
    pub id: InstanceId,
}

impl ConnectInstance {
    /// Parses `arn:PARTITION:connect:REGION:ACCOUNT:instance/UUID`.
    pub fn from_arn(input: &str) -> Result<Self, InputError> {
        let v = input.trim();
        if v.is_empty() {
            return Err(InputError::Empty {
                field: "instance ARN",
            });
        }
        check_no_control("instance ARN", v)?;
        let fields: Vec<&str> = v.splitn(6, ':').collect();
        if fields.len() != 6 || fields[0] != "arn" {
            return Err(InstanceArnError::NotAnArn { input: echo(v) }.into());
        }
        let partition =
            Partition::from_id(fields[1]).ok_or_else(|| InstanceArnError::Partition {
                partition: echo(fields[1]),
            })?;
        if fields[2] != "connect" {
            return Err(InstanceArnError::Service {
                service: echo(fields[2]),
            }
            .into());
        }
        let field = |e: InputError| InputError::from(InstanceArnError::Field(Box::new(e)));
        let region = Region::parse(fields[3])
            .map_err(InputError::from)
            .map_err(field)?;
        if region.partition() != partition {
            return Err(InstanceArnError::PartitionMismatch {
                partition,
                region: region.name().to_string(),
                expected: region.partition(),
            }
            .into());
        }
        let account = AccountId::parse(fields[4]).map_err(field)?;
        let resource = fields[5];
        let mut parts = resource.split('/');
        if parts.next() != Some("instance") {
            return Err(InstanceArnError::NotInstance {
                resource: echo(resource),
            }
            .into());
        }
        let id = InstanceId::parse(parts.next().unwrap_or_default()).map_err(field)?;
        if let Some(inner) = parts.next() {
            let instance = ConnectInstance {
                region,
                account,
                id,
            };
            return Err(InstanceArnError::InsideInstance {
                resource: echo(inner),
                instance_arn: instance.arn(),
            }
            .into());
        }
        ConnectInstance::new(region, account, id)
    }

    /// Builds an instance from its parts; Connect must be offered in the partition.
    pub fn new(region: Region, account: AccountId, id: InstanceId) -> Result<Self, InputError> {
        if !region.partition().offers_connect() {
            return Err(InputError::ConnectNotOffered {
                partition: region.partition(),
                region: region.name().to_string(),
            });
        }
        Ok(ConnectInstance {
            region,
            account,
            id,
        })
    }

    pub fn partition(&self) -> Partition {
        self.region.partition()
    }

    pub fn arn(&self) -> String {
        format!(
            "arn:{}:connect:{}:{}:instance/{}",
            self.partition().id(),
            self.region.name(),
            self.account,
            self.id
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "12345678-90ab-cdef-1234-567890abcdef";

    #[test]
    fn role_names() {
        assert_eq!(
            RoleName::parse(" Connect-SSO ").unwrap().as_str(),
            "Connect-SSO"
        );
        assert!(RoleName::parse(&"r".repeat(64)).is_ok());
        let err = RoleName::parse(&"r".repeat(65)).unwrap_err();
        assert_eq!(
            err,
            InputError::Length {
                field: "role name",
                len: 65,
                min: 1,
                max: 64
            }
        );
        assert!(err.to_string().contains("shorten it"));
        let err = RoleName::parse("my role/x").unwrap_err();
        assert_eq!(
            err.to_string(),
            "role name contains a space, '/', which AWS does not allow; use only letters, digits and + = , . @ _ -"
        );
        assert!(RoleName::parse("a+=.@_-Z9").is_ok());
        assert_eq!(RoleName::parse("a,b"), Err(InputError::CommaInRoleName));
        assert!(matches!(RoleName::parse(""), Err(InputError::Empty { .. })));
        assert!(matches!(
            RoleName::parse("é"),
            Err(InputError::Characters { .. })
        ));
    }

    #[test]
    fn policy_and_provider_names() {
        assert!(PolicyName::parse(&"p".repeat(128)).is_ok());
        assert!(PolicyName::parse(&"p".repeat(129)).is_err());
        assert!(SamlProviderName::parse("IdC_Connect-1.2").is_ok());
        let err = SamlProviderName::parse("IdC+Connect").unwrap_err();
        assert!(err.to_string().contains("'+'"), "{err}");
        assert!(SamlProviderName::parse(&"s".repeat(129)).is_err());
        assert!(matches!(
            SamlProviderName::parse("a\tb"),
            Err(InputError::ControlCharacter { .. })
        ));
    }

    #[test]
    fn display_name_and_description() {
        assert_eq!(
            DisplayName::parse("  Amazon Connect (prod) ")
                .unwrap()
                .as_str(),
            "Amazon Connect (prod)"
        );
        assert!(matches!(
            DisplayName::parse("   "),
            Err(InputError::Empty { .. })
        ));
        assert!(matches!(
            DisplayName::parse("a\u{1b}[31mb"),
            Err(InputError::ControlCharacter { .. })
        ));
        assert_eq!(Description::parse("").unwrap(), None);
        assert!(Description::parse("x\ny").is_err());
        // A 100 KB paste is refused with its length, never taken as a name.
        let long = "A".repeat(100_026);
        let e = DisplayName::parse(&long).unwrap_err();
        assert_eq!(
            e.to_string(),
            "application display name is 100026 characters long; connect-sso accepts at most 255: shorten it"
        );
        assert!(DisplayName::parse(&"é".repeat(MAX_DISPLAY_NAME)).is_ok());
        assert!(matches!(
            Description::parse(&"d".repeat(MAX_DESCRIPTION + 1)),
            Err(InputError::TooLong {
                max: MAX_DESCRIPTION,
                ..
            })
        ));
    }

    #[test]
    fn account_ids() {
        assert!(AccountId::parse("123456789012").is_ok());
        for bad in ["12345678901", "1234-5678-9012", "12345678901a", ""] {
            assert!(
                matches!(AccountId::parse(bad), Err(InputError::AccountId { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn instance_ids_are_lowercased_uuids() {
        assert_eq!(InstanceId::parse(&ID.to_uppercase()).unwrap().as_str(), ID);
        assert_eq!(InstanceId::parse(ID).unwrap().short(), "12345678");
        for bad in [
            "123",
            "12345678-90ab-cdef-1234-567890abcdeg",
            "12345678090ab-cdef-1234-567890abcdef",
        ] {
            assert!(InstanceId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn instance_arn_round_trip() {
        let arn = format!("arn:aws:connect:eu-west-2:123456789012:instance/{ID}");
        let inst = ConnectInstance::from_arn(&arn).unwrap();
        assert_eq!(inst.region.name(), "eu-west-2");
        assert_eq!(inst.account.as_str(), "123456789012");
        assert_eq!(inst.id.as_str(), ID);
        assert_eq!(inst.arn(), arn);
        let gov = format!("arn:aws-us-gov:connect:us-gov-west-1:123456789012:instance/{ID}");
        assert_eq!(ConnectInstance::from_arn(&gov).unwrap().arn(), gov);
    }

    #[test]
    fn instance_arn_errors_are_specific() {
        let e = |s: &str| ConnectInstance::from_arn(s).unwrap_err();
        assert!(matches!(
            e("not an arn"),
            InputError::InstanceArn(InstanceArnError::NotAnArn { .. })
        ));
        assert!(matches!(
            e(&format!("arn:aws:iam::123456789012:role/{ID}")),
            InputError::InstanceArn(InstanceArnError::Service { .. })
        ));
        assert!(matches!(
            e(&format!(
                "arn:aws-iso:connect:us-east-1:123456789012:instance/{ID}"
            )),
            InputError::InstanceArn(InstanceArnError::Partition { .. })
        ));
        assert!(matches!(
            e(&format!(
                "arn:aws:connect:us-gov-west-1:123456789012:instance/{ID}"
            )),
            InputError::InstanceArn(InstanceArnError::PartitionMismatch { .. })
        ));
        assert!(matches!(
            e(&format!("arn:aws:connect:us-east-1:12345:instance/{ID}")),
            InputError::InstanceArn(InstanceArnError::Field(_))
        ));
        assert!(matches!(
            e(&format!(
                "arn:aws:connect:us-east-1:123456789012:queue/{ID}"
            )),
            InputError::InstanceArn(InstanceArnError::NotInstance { .. })
        ));
        assert!(matches!(
            e(&format!(
                "arn:aws-cn:connect:cn-north-1:123456789012:instance/{ID}"
            )),
            InputError::ConnectNotOffered { .. }
        ));
        let inside = e(&format!(
            "arn:aws:connect:us-east-1:123456789012:instance/{ID}/queue/abc"
        ));
        assert!(
            inside.to_string().contains(&format!(
                "arn:aws:connect:us-east-1:123456789012:instance/{ID}"
            )),
            "{inside}"
        );
        assert!(
            e(&format!(
                "arn:aws:connect:us-east1:123456789012:instance/{ID}"
            ))
            .to_string()
            .contains("did you mean us-east-1"),
        );
    }

    #[test]
    fn identity_store_ids() {
        assert_eq!(
            IdentityStoreId::parse("d-90670A1B2C").unwrap().as_str(),
            "d-90670a1b2c"
        );
        assert!(IdentityStoreId::parse("d-123").is_err());
        assert!(IdentityStoreId::parse("x-1234567890").is_err());
    }
}
