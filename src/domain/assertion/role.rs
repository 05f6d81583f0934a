//! The Role attribute's value, a role ARN and a SAML provider ARN in either order, and the
//! ARN helpers its checks use.

/// One value of the Role attribute: a role ARN and a SAML provider ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RolePair {
    pub role: String,
    pub provider: String,
    /// The provider ARN came first (AWS accepts both orders; the guide writes the role first).
    pub provider_first: bool,
    /// Whitespace around the comma or the value, which IAM rejects.
    pub spaced: bool,
}

impl RolePair {
    /// Reads `role_arn,provider_arn` (either order); the error says what shape is wrong.
    pub fn parse(value: &str) -> Result<RolePair, String> {
        let parts: Vec<&str> = value.split(',').collect();
        let [first, second] = parts.as_slice() else {
            return Err(format!(
                "it holds {} comma-separated parts, where exactly two (a role ARN and a SAML \
                 provider ARN) are expected",
                parts.len()
            ));
        };
        let spaced = parts.iter().any(|p| p.trim() != *p);
        let (first, second) = (first.trim(), second.trim());
        let pair = |role: &str, provider: &str, provider_first| RolePair {
            role: role.to_owned(),
            provider: provider.to_owned(),
            provider_first,
            spaced,
        };
        match (arn_kind(first), arn_kind(second)) {
            (Some(ArnKind::Role), Some(ArnKind::Provider)) => Ok(pair(first, second, false)),
            (Some(ArnKind::Provider), Some(ArnKind::Role)) => Ok(pair(second, first, true)),
            _ => Err(
                "it does not hold one IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME) and one SAML \
                 provider ARN (arn:aws:iam::ACCOUNT:saml-provider/NAME)"
                    .to_owned(),
            ),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ArnKind {
    Role,
    Provider,
}

fn arn_kind(arn: &str) -> Option<ArnKind> {
    let fields: Vec<&str> = arn.splitn(6, ':').collect();
    let [scheme, partition, service, region, account, resource] = fields.as_slice() else {
        return None;
    };
    if *scheme != "arn"
        || !partition.starts_with("aws")
        || *service != "iam"
        || !region.is_empty()
        || account.len() != 12
        || !account.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    if resource
        .strip_prefix("role/")
        .is_some_and(|n| !n.is_empty())
    {
        Some(ArnKind::Role)
    } else if resource
        .strip_prefix("saml-provider/")
        .is_some_and(|n| !n.is_empty())
    {
        Some(ArnKind::Provider)
    } else {
        None
    }
}

pub(super) fn arn_account(arn: &str) -> Option<&str> {
    arn.split(':').nth(4)
}

/// The role's name: the last segment of its ARN's resource (roles may have a path).
pub fn role_name_of(arn: &str) -> Option<&str> {
    let resource = arn.splitn(6, ':').nth(5)?;
    resource
        .strip_prefix("role/")?
        .rsplit('/')
        .next()
        .filter(|n| !n.is_empty())
}
