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
            if covers(st, "Action", FEDERATION_ACTION) && covers(st, "Resource", &resource) {
                out.denies.push(format!(
                    "statement {n} denies {FEDERATION_ACTION} on this instance"
                ));
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
    /// Deny statements that stop the provider from assuming the role.
    pub denies: Vec<String>,
}

pub fn analyze_trust(doc: &Value, provider_arn: &str) -> TrustAnalysis {
    let mut out = TrustAnalysis::default();
    for (i, st) in statements(doc).iter().enumerate() {
        let n = i + 1;
        if st["Effect"] == "Deny" {
            let principal = &st["Principal"];
            let provider_covered = principal == "*"
                || strings(&principal["Federated"])
                    .iter()
                    .any(|p| p == "*" || p == provider_arn)
                || st.get("NotPrincipal").is_some();
            if provider_covered && covers(st, "Action", ASSUME_ACTION) {
                out.denies.push(format!(
                    "statement {n} denies {ASSUME_ACTION} to the provider"
                ));
            }
            continue;
        }
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

/// Whether any statement names `provider_arn` as a federated principal, whatever it allows:
/// such a role stops working when the provider goes.
pub fn names_provider(doc: &Value, provider_arn: &str) -> bool {
    statements(doc).iter().any(|st| {
        strings(&st["Principal"]["Federated"])
            .iter()
            .any(|p| p == provider_arn)
    })
}

/// Whether a statement's `key` (`Action` or `Resource`) or its `Not` form covers `value`.
/// Conditions are not evaluated: a Deny is reported even when one might narrow it.
fn covers(statement: &Value, key: &str, value: &str) -> bool {
    let listed = |k: &str| {
        strings(&statement[k])
            .iter()
            .any(|p| action_matches(p, value))
    };
    if statement.get(key).is_some() {
        listed(key)
    } else if statement.get(format!("Not{key}")).is_some() {
        !listed(&format!("Not{key}"))
    } else {
        false
    }
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
    // Greedy matching with one backtrack point (the last `*`): linear in practice and never
    // exponential, whatever a hostile policy holds.
    let (p, a) = (pattern.as_bytes(), action.as_bytes());
    let (mut pi, mut ai) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ai < a.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi].eq_ignore_ascii_case(&a[ai])) {
            pi += 1;
            ai += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ai));
            pi += 1;
        } else if let Some((sp, sa)) = star {
            pi = sp + 1;
            ai = sa + 1;
            star = Some((sp, sa + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
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
        assert_eq!(
            g.denies,
            ["statement 2 denies connect:GetFederationToken on this instance"]
        );
        // A Deny written with NotAction covers every action it does not list.
        let mut generated = permissions_policy(INSTANCE);
        generated["Statement"]
            .as_array_mut()
            .unwrap()
            .push(json!({"Effect": "Deny", "NotAction": "s3:*", "Resource": "*"}));
        assert_eq!(analyze_permissions(&generated, INSTANCE).denies.len(), 1);
        // One that lists only other resources does not.
        let other = json!({"Statement": [{"Effect": "Deny", "Action": "connect:*",
            "Resource": "arn:aws:connect:us-east-1:123456789012:instance/other/*"}]});
        assert!(analyze_permissions(&other, INSTANCE).denies.is_empty());
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
        let mut denied = trust_policy(provider, &["https://signin.aws.amazon.com/saml".into()]);
        denied["Statement"]
            .as_array_mut()
            .unwrap()
            .push(json!({"Effect": "Deny",
            "Principal": {"Federated": provider}, "Action": "sts:AssumeRoleWithSAML"}));
        let t = analyze_trust(&denied, provider);
        assert!(t.trusts_provider);
        assert_eq!(
            t.denies,
            ["statement 2 denies sts:AssumeRoleWithSAML to the provider"]
        );
        let wrong = json!({"Statement": [{"Effect": "Allow", "Principal": {"Federated": "x"}, "Action": "sts:AssumeRoleWithSAML"}]});
        assert!(!analyze_trust(&wrong, provider).trusts_provider);
    }

    #[test]
    fn provider_named_in_strings_arrays_and_single_statements() {
        let p = "arn:aws:iam::1:saml-provider/X";
        assert!(names_provider(
            &json!({"Statement": [{"Principal": {"Federated": p}}]}),
            p
        ));
        assert!(names_provider(
            &json!({"Statement": {"Principal": {"Federated": ["a", p]}}}),
            p
        ));
        assert!(!names_provider(
            &json!({"Statement": [{"Principal": {"Service": "ec2.amazonaws.com"}}]}),
            p
        ));
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
        assert!(action_matches("*Token", FEDERATION_ACTION));
        assert!(action_matches("c*:*Fed*", FEDERATION_ACTION));
        assert!(!action_matches(
            "connect:GetFederationToken?",
            FEDERATION_ACTION
        ));
        assert!(action_matches(
            "connect:GetFederationToken*",
            FEDERATION_ACTION
        ));
        // A pattern built to make a backtracking matcher take exponential time is answered
        // at once (this test would not finish with one).
        let hostile = format!("{}#", "*?".repeat(40));
        assert!(!action_matches(&hostile, &federation_resource(INSTANCE)));
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
