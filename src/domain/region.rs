//! AWS partitions and regions, and the sign-in and console hosts that depend on them.

use serde::{Deserialize, Serialize};

use super::suggest::edit_distance;

/// Why a region or sign-in endpoint answer is not valid. It lives here, not in `input`, so
/// that `input` depends on `region` and not the other way round; `InputError::Region` wraps it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionError {
    #[error("{field} is empty: enter a value")]
    Empty { field: &'static str },
    #[error(
        "'{input}' is not a known AWS region{}: use a region code such as us-east-1 or eu-west-2",
        suggestion.map(|s| format!(" (did you mean {s}?)")).unwrap_or_default()
    )]
    UnknownRegion {
        input: String,
        suggestion: Option<&'static str>,
    },
    #[error("sign-in endpoint '{input}' is not valid: use 'global' or 'regional'")]
    SignInEndpoint { input: String },
    #[error(
        "regional sign-in endpoints are supported here only in the aws partition, not {partition}: use the global sign-in endpoint"
    )]
    RegionalSignInUnsupported { partition: Partition },
}

/// An AWS partition: a separate copy of AWS with its own ARN prefix and sign-in hosts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Partition {
    Aws,
    AwsUsGov,
    AwsCn,
}

impl Partition {
    pub const ALL: [Partition; 3] = [Partition::Aws, Partition::AwsUsGov, Partition::AwsCn];

    /// The partition as spelled in ARNs.
    pub fn id(self) -> &'static str {
        match self {
            Partition::Aws => "aws",
            Partition::AwsUsGov => "aws-us-gov",
            Partition::AwsCn => "aws-cn",
        }
    }

    pub fn from_id(id: &str) -> Option<Partition> {
        Partition::ALL.into_iter().find(|p| p.id() == id)
    }

    /// Host of the AWS sign-in service that receives SAML responses.
    pub fn signin_host(self) -> &'static str {
        match self {
            Partition::Aws => "signin.aws.amazon.com",
            Partition::AwsUsGov => "signin.amazonaws-us-gov.com",
            Partition::AwsCn => "signin.amazonaws.cn",
        }
    }

    /// The SAML audience (SP entity id) AWS sign-in expects in this partition.
    pub fn saml_audience(self) -> &'static str {
        match self {
            Partition::Aws => "urn:amazon:webservices",
            Partition::AwsUsGov => "urn:amazon:webservices:govcloud",
            Partition::AwsCn => "urn:amazon:webservices:cn",
        }
    }

    /// Amazon Connect is not offered in the China partition; IAM values still are.
    pub fn offers_connect(self) -> bool {
        !matches!(self, Partition::AwsCn)
    }

    /// Whether this tool knows the regional sign-in hosts of the partition.
    pub fn has_regional_signin(self) -> bool {
        matches!(self, Partition::Aws)
    }

    pub fn display_name(self) -> &'static str {
        match self {
            Partition::Aws => "AWS (commercial)",
            Partition::AwsUsGov => "AWS GovCloud (US)",
            Partition::AwsCn => "AWS China",
        }
    }
}

impl std::fmt::Display for Partition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// Known regions: (name, partition, Amazon Connect offered there).
const REGIONS: &[(&str, Partition, bool)] = &[
    ("us-east-1", Partition::Aws, true),
    ("us-east-2", Partition::Aws, false),
    ("us-west-1", Partition::Aws, false),
    ("us-west-2", Partition::Aws, true),
    ("af-south-1", Partition::Aws, true),
    ("ap-east-1", Partition::Aws, false),
    ("ap-east-2", Partition::Aws, false),
    ("ap-south-1", Partition::Aws, false),
    ("ap-south-2", Partition::Aws, false),
    ("ap-southeast-1", Partition::Aws, true),
    ("ap-southeast-2", Partition::Aws, true),
    ("ap-southeast-3", Partition::Aws, false),
    ("ap-southeast-4", Partition::Aws, false),
    ("ap-southeast-5", Partition::Aws, false),
    ("ap-southeast-6", Partition::Aws, false),
    ("ap-southeast-7", Partition::Aws, false),
    ("ap-northeast-1", Partition::Aws, true),
    ("ap-northeast-2", Partition::Aws, true),
    ("ap-northeast-3", Partition::Aws, false),
    ("ca-central-1", Partition::Aws, true),
    ("ca-west-1", Partition::Aws, false),
    ("eu-central-1", Partition::Aws, true),
    ("eu-central-2", Partition::Aws, false),
    ("eu-west-1", Partition::Aws, false),
    ("eu-west-2", Partition::Aws, true),
    ("eu-west-3", Partition::Aws, false),
    ("eu-south-1", Partition::Aws, false),
    ("eu-south-2", Partition::Aws, false),
    ("eu-north-1", Partition::Aws, false),
    ("il-central-1", Partition::Aws, false),
    ("me-south-1", Partition::Aws, false),
    ("me-central-1", Partition::Aws, false),
    ("mx-central-1", Partition::Aws, false),
    ("sa-east-1", Partition::Aws, false),
    ("us-gov-west-1", Partition::AwsUsGov, true),
    ("us-gov-east-1", Partition::AwsUsGov, false),
    ("cn-north-1", Partition::AwsCn, false),
    ("cn-northwest-1", Partition::AwsCn, false),
];

/// A known AWS region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Region {
    name: &'static str,
    partition: Partition,
    connect: bool,
}

impl Region {
    pub fn parse(input: &str) -> Result<Region, RegionError> {
        let wanted = input.trim();
        if wanted.is_empty() {
            return Err(RegionError::Empty { field: "region" });
        }
        let lower = wanted.to_ascii_lowercase();
        REGIONS
            .iter()
            .find(|(name, _, _)| *name == lower)
            .map(|&(name, partition, connect)| Region {
                name,
                partition,
                connect,
            })
            .ok_or_else(|| RegionError::UnknownRegion {
                input: super::text::echo(wanted),
                suggestion: suggest_region(&lower),
            })
    }

    pub fn name(self) -> &'static str {
        self.name
    }

    pub fn partition(self) -> Partition {
        self.partition
    }

    /// Whether Amazon Connect is offered in this region (as far as this tool knows).
    pub fn offers_connect(self) -> bool {
        self.connect
    }

    /// Every region this tool knows, in a stable order.
    pub fn all() -> impl Iterator<Item = Region> {
        REGIONS.iter().map(|&(name, partition, connect)| Region {
            name,
            partition,
            connect,
        })
    }

    /// Origin of the AWS console for this region, used by the relay state.
    pub fn console_origin(self) -> String {
        match self.partition {
            Partition::Aws => format!("https://{}.console.aws.amazon.com", self.name),
            Partition::AwsUsGov => "https://console.amazonaws-us-gov.com".to_string(),
            Partition::AwsCn => "https://console.amazonaws.cn".to_string(),
        }
    }
}

impl std::fmt::Display for Region {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

impl Serialize for Region {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name)
    }
}

/// The closest known region name, for "did you mean" hints on typos like `us-east1`.
fn suggest_region(input: &str) -> Option<&'static str> {
    let squashed: String = input.chars().filter(|c| *c != '-' && *c != '_').collect();
    REGIONS
        .iter()
        .map(|(name, _, _)| *name)
        .find(|name| name.replace('-', "") == squashed)
        .or_else(|| {
            REGIONS
                .iter()
                .map(|(name, _, _)| *name)
                .map(|name| (name, edit_distance(input, name)))
                .filter(|&(_, d)| d <= 2)
                .min_by_key(|&(_, d)| d)
                .map(|(name, _)| name)
        })
}

/// Which AWS sign-in endpoint receives the SAML response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SignInEndpoint {
    /// `https://signin.aws.amazon.com/saml` (or the partition's equivalent).
    #[default]
    Global,
    /// The sign-in endpoint of the Connect instance's region.
    Regional,
}

impl SignInEndpoint {
    pub fn parse(input: &str) -> Result<SignInEndpoint, RegionError> {
        match input.trim().to_ascii_lowercase().as_str() {
            "global" => Ok(SignInEndpoint::Global),
            "regional" => Ok(SignInEndpoint::Regional),
            _ => Err(RegionError::SignInEndpoint {
                input: super::text::echo(input),
            }),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SignInEndpoint::Global => "global",
            SignInEndpoint::Regional => "regional",
        }
    }
}

/// The ACS URL (where IdC posts the SAML response) for a region and endpoint choice.
pub fn acs_url(region: Region, endpoint: SignInEndpoint) -> Result<String, RegionError> {
    let partition = region.partition();
    match endpoint {
        SignInEndpoint::Global => Ok(format!("https://{}/saml", partition.signin_host())),
        SignInEndpoint::Regional if !partition.has_regional_signin() => {
            Err(RegionError::RegionalSignInUnsupported { partition })
        }
        // us-east-1's regional sign-in host is the unprefixed one.
        SignInEndpoint::Regional if region.name() == "us-east-1" => {
            Ok(format!("https://{}/saml", partition.signin_host()))
        }
        SignInEndpoint::Regional => Ok(format!(
            "https://{}.{}/saml",
            region.name(),
            partition.signin_host()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_map_to_partitions() {
        assert_eq!(
            Region::parse("us-east-1").unwrap().partition(),
            Partition::Aws
        );
        assert_eq!(
            Region::parse("us-gov-west-1").unwrap().partition(),
            Partition::AwsUsGov
        );
        assert_eq!(
            Region::parse("cn-north-1").unwrap().partition(),
            Partition::AwsCn
        );
        assert_eq!(Region::parse(" EU-West-2 ").unwrap().name(), "eu-west-2");
    }

    #[test]
    fn unknown_region_suggests_the_closest() {
        let err = Region::parse("us-east1").unwrap_err();
        assert!(matches!(
            err,
            RegionError::UnknownRegion {
                suggestion: Some("us-east-1"),
                ..
            }
        ));
        assert!(err.to_string().contains("did you mean us-east-1"), "{err}");
        let err = Region::parse("eu-wset-2").unwrap_err();
        assert!(err.to_string().contains("eu-west-2"), "{err}");
        let err = Region::parse("mars-1").unwrap_err();
        assert!(matches!(
            err,
            RegionError::UnknownRegion {
                suggestion: None,
                ..
            }
        ));
        assert!(matches!(
            Region::parse("  "),
            Err(RegionError::Empty { .. })
        ));
    }

    #[test]
    fn connect_regions() {
        for name in [
            "us-east-1",
            "us-west-2",
            "eu-west-2",
            "ap-southeast-2",
            "us-gov-west-1",
        ] {
            assert!(Region::parse(name).unwrap().offers_connect(), "{name}");
        }
        assert!(!Region::parse("eu-west-1").unwrap().offers_connect());
        assert!(!Partition::AwsCn.offers_connect());
    }

    #[test]
    fn acs_urls_per_partition_and_endpoint() {
        let r = |n| Region::parse(n).unwrap();
        assert_eq!(
            acs_url(r("eu-west-2"), SignInEndpoint::Global).unwrap(),
            "https://signin.aws.amazon.com/saml"
        );
        assert_eq!(
            acs_url(r("eu-west-2"), SignInEndpoint::Regional).unwrap(),
            "https://eu-west-2.signin.aws.amazon.com/saml"
        );
        assert_eq!(
            acs_url(r("us-east-1"), SignInEndpoint::Regional).unwrap(),
            "https://signin.aws.amazon.com/saml"
        );
        assert_eq!(
            acs_url(r("us-gov-west-1"), SignInEndpoint::Global).unwrap(),
            "https://signin.amazonaws-us-gov.com/saml"
        );
        assert!(matches!(
            acs_url(r("us-gov-west-1"), SignInEndpoint::Regional),
            Err(RegionError::RegionalSignInUnsupported { .. })
        ));
        assert_eq!(
            acs_url(r("cn-north-1"), SignInEndpoint::Global).unwrap(),
            "https://signin.amazonaws.cn/saml"
        );
    }

    #[test]
    fn audiences_and_consoles() {
        assert_eq!(Partition::Aws.saml_audience(), "urn:amazon:webservices");
        assert_eq!(
            Partition::AwsUsGov.saml_audience(),
            "urn:amazon:webservices:govcloud"
        );
        let r = |n| Region::parse(n).unwrap();
        assert_eq!(
            r("ap-southeast-2").console_origin(),
            "https://ap-southeast-2.console.aws.amazon.com"
        );
        assert_eq!(
            r("us-gov-west-1").console_origin(),
            "https://console.amazonaws-us-gov.com"
        );
    }

    #[test]
    fn sign_in_endpoint_parse() {
        assert_eq!(
            SignInEndpoint::parse("Regional").unwrap(),
            SignInEndpoint::Regional
        );
        assert_eq!(
            SignInEndpoint::parse("global").unwrap(),
            SignInEndpoint::Global
        );
        assert!(SignInEndpoint::parse("local").is_err());
    }

    #[test]
    fn partition_ids_round_trip() {
        for p in Partition::ALL {
            assert_eq!(Partition::from_id(p.id()), Some(p));
        }
        assert_eq!(Partition::from_id("aws-iso"), None);
    }
}
