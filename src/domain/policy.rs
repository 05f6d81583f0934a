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

/// What a permissions policy allows, compared with the one grant this setup needs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GrantAnalysis {
    /// An Allow statement grants `connect:GetFederationToken` on exactly the resource.
    pub grants: bool,
    /// Everything allowed beyond that, one line each.
    pub broader: Vec<String>,
    /// Deny statements that cover the federation action.
    pub denies: Vec<String>,
}

/// Reads a permissions policy the way IAM would for this setup's one grant. Wildcards count
/// as broader even when they include the grant: the role should allow nothing else.
pub fn analyze_permissions(doc: &Value, instance_arn: &str) -> GrantAnalysis {
    let resource = federation_resource(instance_arn);
    let mut out = GrantAnalysis::default();
    for (i, st) in statements(doc).iter().enumerate() {
        let n = i + 1;
        let actions = strings(&st["Action"]);
        let resources = strings(&st["Resource"]);
        if st["Effect"] == "Deny" {
            if actions.iter().any(|a| action_matches(a, FEDERATION_ACTION)) {
                out.denies
                    .push(format!("statement {n} denies {}", actions.join(", ")));
            }
            continue;
        }
        if st.get("NotAction").is_some() {
            out.broader.push(format!(
                "statement {n} uses NotAction, which allows every other action"
            ));
        }
        if st.get("NotResource").is_some() {
            out.broader.push(format!(
                "statement {n} uses NotResource, which allows every other resource"
            ));
        }
        for a in &actions {
            if !a.eq_ignore_ascii_case(FEDERATION_ACTION) {
                out.broader.push(format!("statement {n} allows {a}"));
            }
        }
        for r in &resources {
            if r != &resource {
                out.broader.push(format!("statement {n} applies to {r}"));
            }
        }
        if actions.iter().any(|a| action_matches(a, FEDERATION_ACTION))
            && resources.iter().any(|r| action_matches(r, &resource))
        {
            out.grants = true;
        }
    }
    out
}

/// What a role's trust policy lets assume the role, compared with this setup's provider.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TrustAnalysis {
    /// An Allow statement lets this provider call `sts:AssumeRoleWithSAML`.
    pub trusts_provider: bool,
    /// Other principals or actions allowed, one line each.
    pub others: Vec<String>,
    /// The `SAML:aud` values of the provider's statement; `None` without that condition.
    pub audiences: Option<Vec<String>>,
}

pub fn analyze_trust(doc: &Value, provider_arn: &str) -> TrustAnalysis {
    let mut out = TrustAnalysis::default();
    for (i, st) in statements(doc).iter().enumerate() {
        let n = i + 1;
        if st["Effect"] != "Allow" {
            continue;
        }
        let principal = &st["Principal"];
        let federated = strings(&principal["Federated"]);
        if let Value::Object(kinds) = principal {
            for (kind, value) in kinds {
                for p in strings(value) {
                    if kind != "Federated" || p != provider_arn {
                        out.others.push(format!("statement {n} trusts {kind} {p}"));
                    }
                }
            }
        } else if principal == "*" {
            out.others
                .push(format!("statement {n} trusts everyone (\"*\")"));
        }
        let actions = strings(&st["Action"]);
        for a in &actions {
            if !a.eq_ignore_ascii_case(ASSUME_ACTION) && !a.eq_ignore_ascii_case("sts:TagSession") {
                out.others.push(format!("statement {n} allows {a}"));
            }
        }
        if federated.iter().any(|p| p == provider_arn)
            && actions
                .iter()
                .any(|a| a.eq_ignore_ascii_case(ASSUME_ACTION))
        {
            out.trusts_provider = true;
            let aud = st["Condition"]
                .as_object()
                .into_iter()
                .flat_map(|ops| ops.iter())
                .filter(|(op, _)| {
                    op.starts_with("StringEquals") || op.starts_with("ForAnyValue:StringEquals")
                })
                .flat_map(|(_, keys)| keys.as_object().into_iter().flat_map(|k| k.iter()))
                .filter(|(key, _)| key.eq_ignore_ascii_case("SAML:aud"))
                .flat_map(|(_, v)| strings(v))
                .collect::<Vec<_>>();
            if !aud.is_empty() {
                out.audiences.get_or_insert_with(Vec::new).extend(aud);
            }
        }
    }
    out
}

/// The statements of a policy, whether IAM got one object or a list.
fn statements(doc: &Value) -> Vec<&Value> {
    match &doc["Statement"] {
        Value::Array(a) => a.iter().collect(),
        Value::Null => Vec::new(),
        one => vec![one],
    }
}

/// A string or a list of strings, as IAM allows for actions, resources and principals.
fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// IAM patterns with `*` and `?` wildcards, compared case-insensitively (exact for actions;
/// close enough for the ARNs of one setup, which differ in more than case).
fn action_matches(pattern: &str, action: &str) -> bool {
    fn go(p: &[u8], a: &[u8]) -> bool {
        match (p.first(), a.first()) {
            (None, None) => true,
            (Some(b'*'), _) => go(&p[1..], a) || (!a.is_empty() && go(p, &a[1..])),
            (Some(b'?'), Some(_)) => go(&p[1..], &a[1..]),
            (Some(x), Some(y)) if x.eq_ignore_ascii_case(y) => go(&p[1..], &a[1..]),
            _ => false,
        }
    }
    go(pattern.as_bytes(), action.as_bytes())
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
    fn the_generated_documents_analyze_clean() {
        let g = analyze_permissions(&permissions_policy(INSTANCE), INSTANCE);
        assert!(
            g.grants && g.broader.is_empty() && g.denies.is_empty(),
            "{g:?}"
        );
        let provider = "arn:aws:iam::123456789012:saml-provider/IdC";
        let acs = vec!["https://signin.aws.amazon.com/saml".to_string()];
        let t = analyze_trust(&trust_policy(provider, &acs), provider);
        assert!(t.trusts_provider && t.others.is_empty(), "{t:?}");
        assert_eq!(t.audiences, Some(acs));
    }

    #[test]
    fn broader_grants_and_denies_are_named() {
        let doc = json!({"Statement": [
            {"Effect": "Allow", "Action": ["connect:*"], "Resource": "*"},
            {"Effect": "Deny", "Action": "connect:Get*", "Resource": "*"}
        ]});
        let g = analyze_permissions(&doc, INSTANCE);
        assert!(g.grants, "a wildcard grants too");
        assert_eq!(
            g.broader,
            ["statement 1 allows connect:*", "statement 1 applies to *"]
        );
        assert_eq!(g.denies, ["statement 2 denies connect:Get*"]);
        let other = json!({"Statement": {"Effect": "Allow", "Action": "connect:GetFederationToken",
            "Resource": "arn:aws:connect:us-east-1:123456789012:instance/other/user/${aws:userid}"}});
        let g = analyze_permissions(&other, INSTANCE);
        assert!(!g.grants);
        assert_eq!(g.broader.len(), 1);
        let not_action =
            json!({"Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]});
        assert!(analyze_permissions(&not_action, INSTANCE).broader[0].contains("NotAction"));
    }

    #[test]
    fn trust_with_other_principals_or_no_audience() {
        let provider = "arn:aws:iam::123456789012:saml-provider/IdC";
        let doc = json!({"Statement": [
            {"Effect": "Allow", "Principal": {"Federated": [provider, "arn:aws:iam::123456789012:saml-provider/Old"]},
             "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"]},
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ]});
        let t = analyze_trust(&doc, provider);
        assert!(t.trusts_provider);
        assert_eq!(t.audiences, None);
        assert_eq!(
            t.others,
            [
                "statement 1 trusts Federated arn:aws:iam::123456789012:saml-provider/Old",
                "statement 2 trusts Service ec2.amazonaws.com",
                "statement 2 allows sts:AssumeRole"
            ]
        );
        let wrong = json!({"Statement": [{"Effect": "Allow", "Principal": {"Federated": "x"}, "Action": "sts:AssumeRoleWithSAML"}]});
        assert!(!analyze_trust(&wrong, provider).trusts_provider);
    }

    #[test]
    fn action_wildcards() {
        assert!(action_matches("connect:*", FEDERATION_ACTION));
        assert!(action_matches("*", FEDERATION_ACTION));
        assert!(action_matches(
            "Connect:Get?ederationToken",
            FEDERATION_ACTION
        ));
        assert!(!action_matches("connect:List*", FEDERATION_ACTION));
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
