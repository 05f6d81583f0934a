//! The two IAM documents the guide asks for, as JSON values with a fixed key order.

use serde_json::{Value, json};

pub const POLICY_VERSION: &str = "2012-10-17";
pub const FEDERATION_ACTION: &str = "connect:GetFederationToken";
pub const ASSUME_ACTION: &str = "sts:AssumeRoleWithSAML";

/// The resource a federated user may get a Connect token for: only their own Connect user,
/// whose id IAM substitutes for `${aws:userid}` at request time.
pub fn federation_resource(instance_arn: &str) -> String {
    format!("{instance_arn}/user/${{aws:userid}}")
}

/// The permissions policy attached to the federation role.
pub fn permissions_policy(instance_arn: &str) -> Value {
    json!({
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Sid": "ConnectFederation",
                "Effect": "Allow",
                "Action": FEDERATION_ACTION,
                "Resource": federation_resource(instance_arn)
            }
        ]
    })
}

/// The role trust policy: only SAML responses from this provider, addressed to one of the
/// ACS URLs in use, may assume the role.
pub fn trust_policy(provider_arn: &str, acs_urls: &[String]) -> Value {
    let audience = match acs_urls {
        [one] => Value::String(one.clone()),
        many => Value::Array(many.iter().cloned().map(Value::String).collect()),
    };
    json!({
        "Version": POLICY_VERSION,
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": { "Federated": provider_arn },
                "Action": ASSUME_ACTION,
                "Condition": { "StringEquals": { "SAML:aud": audience } }
            }
        ]
    })
}

/// Pretty JSON with two-space indentation, as the IAM console shows documents.
pub fn pretty(doc: &Value) -> String {
    serde_json::to_string_pretty(doc).expect("a serde_json::Value always serializes")
}

#[cfg(test)]
mod tests {
    use super::*;

    const INSTANCE: &str =
        "arn:aws:connect:us-east-1:123456789012:instance/12345678-90ab-cdef-1234-567890abcdef";

    #[test]
    fn permissions_policy_is_exact() {
        assert_eq!(
            serde_json::to_string(&permissions_policy(INSTANCE)).unwrap(),
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"ConnectFederation","Effect":"Allow","Action":"connect:GetFederationToken","Resource":"arn:aws:connect:us-east-1:123456789012:instance/12345678-90ab-cdef-1234-567890abcdef/user/${aws:userid}"}]}"#
        );
    }

    #[test]
    fn trust_policy_single_and_many_audiences() {
        let provider = "arn:aws:iam::123456789012:saml-provider/IdC";
        let one = trust_policy(provider, &["https://signin.aws.amazon.com/saml".into()]);
        assert_eq!(
            serde_json::to_string(&one).unwrap(),
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:saml-provider/IdC"},"Action":"sts:AssumeRoleWithSAML","Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}]}"#
        );
        let two = trust_policy(
            provider,
            &[
                "https://signin.aws.amazon.com/saml".into(),
                "https://eu-west-2.signin.aws.amazon.com/saml".into(),
            ],
        );
        assert_eq!(
            two["Statement"][0]["Condition"]["StringEquals"]["SAML:aud"],
            json!([
                "https://signin.aws.amazon.com/saml",
                "https://eu-west-2.signin.aws.amazon.com/saml"
            ])
        );
    }

    #[test]
    fn pretty_keeps_key_order() {
        let text = pretty(&permissions_policy(INSTANCE));
        let version = text.find("\"Version\"").unwrap();
        let statement = text.find("\"Statement\"").unwrap();
        assert!(version < statement);
        assert!(text.starts_with("{\n  \"Version\""));
    }
}
