//! The least-privilege IAM policies the person running connect-sso needs, one per context.

use serde_json::{Value, json};

use super::setup::Setup;

/// Actions in the identity context (where IAM Identity Center runs).
pub const IDENTITY_ACTIONS: &[&str] = &[
    "sts:GetCallerIdentity",
    "sso:ListInstances",
    "sso:ListApplications",
    "sso:ListApplicationAssignments",
    "sso:CreateApplicationAssignment",
    // teardown: only the assignments connect-sso recorded in its ledger
    "sso:DeleteApplicationAssignment",
    "identitystore:GetUserId",
    "identitystore:DescribeUser",
    "identitystore:ListUsers",
    // doctor: people assigned through a group
    "identitystore:IsMemberInGroups",
    // step 11's groups (--group): found by display name or id, their members read once
    "identitystore:GetGroupId",
    "identitystore:DescribeGroup",
    "identitystore:ListGroups",
    "identitystore:ListGroupMemberships",
];

/// Read-only actions in the connect context.
const CONNECT_READ_ACTIONS: &[&str] = &[
    "sts:GetCallerIdentity",
    "connect:ListInstances",
    "connect:DescribeInstance",
    "connect:SearchUsers",
    // doctor and users sync: the instance's users read once, 1,000 a page
    "connect:ListUsers",
    // users sync --prune: whether an unmapped user carries its created-by tag
    "connect:DescribeUser",
    "connect:ListSecurityProfiles",
    "connect:ListRoutingProfiles",
    "iam:ListRoles",
];

/// IAM actions on the three resources the tool manages, each scoped to its ARN.
const PROVIDER_ACTIONS: &[&str] = &[
    "iam:GetSAMLProvider",
    "iam:CreateSAMLProvider",
    "iam:UpdateSAMLProvider",
    "iam:TagSAMLProvider",
];
const POLICY_ACTIONS: &[&str] = &[
    "iam:GetPolicy",
    "iam:ListPolicyVersions",
    "iam:GetPolicyVersion",
    "iam:CreatePolicy",
    "iam:CreatePolicyVersion",
    "iam:DeletePolicyVersion",
    "iam:TagPolicy",
];
const ROLE_ACTIONS: &[&str] = &[
    "iam:GetRole",
    "iam:CreateRole",
    "iam:TagRole",
    "iam:UpdateAssumeRolePolicy",
    "iam:ListAttachedRolePolicies",
    "iam:ListRolePolicies",
];

/// What `teardown` needs on top, per resource. Drop these statements where nobody should
/// remove the setup.
const TEARDOWN_PROVIDER_ACTIONS: &[&str] = &["iam:DeleteSAMLProvider"];
const TEARDOWN_POLICY_ACTIONS: &[&str] = &["iam:ListEntitiesForPolicy", "iam:DeletePolicy"];
const TEARDOWN_ROLE_ACTIONS: &[&str] = &["iam:DetachRolePolicy", "iam:DeleteRole"];

fn statement(sid: &str, actions: &[&str], resource: Value) -> Value {
    json!({
        "Sid": sid,
        "Effect": "Allow",
        "Action": actions,
        "Resource": resource
    })
}

/// What `apply` and `doctor` call on top with `--console-api`: the IAM Identity Center
/// console's own API, which AWS does not document (its actions are in the service
/// authorization reference). Drop this statement where nobody uses the option.
pub const CONSOLE_API_ACTIONS: &[&str] = &[
    "sso:ListApplicationInstances",
    "sso:GetApplicationInstance",
    "sso:CreateApplicationInstance",
    "sso:UpdateApplicationInstanceDisplayData",
    "sso:UpdateApplicationInstanceStatus",
    "sso:UpdateApplicationInstanceServiceProviderConfiguration",
    "sso:UpdateApplicationInstanceResponseConfiguration",
    "sso:UpdateApplicationInstanceResponseSchemaConfiguration",
    // teardown --console-api: the application connect-sso created, after its profiles.
    "sso:ListProfiles",
    "sso:DeleteProfile",
    "sso:DeleteApplicationInstance",
];

/// The policy for the identity context.
pub fn identity_policy() -> Value {
    json!({
        "Version": super::policy::POLICY_VERSION,
        "Statement": [
            statement("ConnectSsoIdentityCenter", IDENTITY_ACTIONS, json!("*")),
            statement("ConnectSsoConsoleApiOnly", CONSOLE_API_ACTIONS, json!("*")),
        ]
    })
}

/// The policy for the connect context; IAM writes are scoped to the setup's ARNs when known.
pub fn connect_policy(setup: Option<&Setup>) -> Value {
    let scoped = |arn: Option<String>| arn.map_or(json!("*"), Value::String);
    let mut statements = vec![statement(
        "ConnectSsoRead",
        CONNECT_READ_ACTIONS,
        json!("*"),
    )];
    // users sync tags the users it creates, which Connect authorizes as TagResource.
    statements.push(statement(
        "ConnectSsoCreateUsers",
        &["connect:CreateUser", "connect:TagResource"],
        scoped(setup.map(|s| format!("{}/*", s.instance.arn()))),
    ));
    // users sync --prune only; drop it where nobody should remove Connect users.
    statements.push(statement(
        "ConnectSsoPruneUsers",
        &["connect:DeleteUser"],
        scoped(setup.map(|s| format!("{}/*", s.instance.arn()))),
    ));
    statements.push(statement(
        "ConnectSsoSamlProvider",
        PROVIDER_ACTIONS,
        scoped(setup.map(Setup::provider_arn)),
    ));
    statements.push(statement(
        "ConnectSsoPolicy",
        POLICY_ACTIONS,
        scoped(setup.map(Setup::policy_arn)),
    ));
    statements.push(statement(
        "ConnectSsoRole",
        ROLE_ACTIONS,
        scoped(setup.map(Setup::role_arn)),
    ));
    let mut attach = statement(
        "ConnectSsoAttachPolicy",
        &["iam:AttachRolePolicy"],
        scoped(setup.map(Setup::role_arn)),
    );
    if let Some(s) = setup {
        // The role may get the tool's own policy attached, and no other.
        attach["Condition"] = json!({"ArnEquals": {"iam:PolicyARN": s.policy_arn()}});
    }
    statements.push(attach);
    statements.push(statement(
        "ConnectSsoTeardownSamlProvider",
        TEARDOWN_PROVIDER_ACTIONS,
        scoped(setup.map(Setup::provider_arn)),
    ));
    statements.push(statement(
        "ConnectSsoTeardownPolicy",
        TEARDOWN_POLICY_ACTIONS,
        scoped(setup.map(Setup::policy_arn)),
    ));
    statements.push(statement(
        "ConnectSsoTeardownRole",
        TEARDOWN_ROLE_ACTIONS,
        scoped(setup.map(Setup::role_arn)),
    ));
    json!({
        "Version": super::policy::POLICY_VERSION,
        "Statement": statements
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::setup::Answers;

    #[test]
    fn every_action_the_steps_use_is_granted() {
        let setup = Setup::from_answers(&Answers {
            instance_arn: Some(
                "arn:aws:connect:us-east-1:123456789012:instance/12345678-90ab-cdef-1234-567890abcdef".into(),
            ),
            ..Answers::default()
        })
        .unwrap();
        for policy in [
            connect_policy(Some(&setup)),
            connect_policy(None),
            identity_policy(),
        ] {
            assert_eq!(policy["Version"], "2012-10-17");
        }
        let granted: Vec<String> = [connect_policy(Some(&setup)), identity_policy()]
            .iter()
            .flat_map(|p| p["Statement"].as_array().unwrap().clone())
            .flat_map(|s| s["Action"].as_array().unwrap().clone())
            .map(|a| a.as_str().unwrap().to_string())
            .collect();
        for step in crate::steps::STEPS {
            for op in step.runs.iter().chain(step.checks) {
                assert!(
                    granted.iter().any(|g| g == op),
                    "{op} of step {} not granted",
                    step.id
                );
            }
        }
    }

    #[test]
    fn the_console_api_actions_are_a_statement_of_their_own() {
        let policy = identity_policy();
        let statements = policy["Statement"].as_array().unwrap();
        let console = statements
            .iter()
            .find(|s| s["Sid"] == "ConnectSsoConsoleApiOnly")
            .expect("a statement for --console-api");
        let actions: Vec<&str> = console["Action"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        assert_eq!(actions, CONSOLE_API_ACTIONS);
        assert!(
            statements
                .iter()
                .filter(|s| s["Sid"] != "ConnectSsoConsoleApiOnly")
                .all(|s| !s.to_string().contains("ApplicationInstance"))
        );
    }

    #[test]
    fn scoped_to_the_setup() {
        let setup = Setup::from_answers(&Answers {
            instance_arn: Some(
                "arn:aws:connect:us-east-1:123456789012:instance/12345678-90ab-cdef-1234-567890abcdef".into(),
            ),
            role_name: Some("R".into()),
            ..Answers::default()
        })
        .unwrap();
        let p = connect_policy(Some(&setup));
        let text = p.to_string();
        assert!(text.contains("arn:aws:iam::123456789012:role/R"));
        assert!(text.contains("iam:PolicyARN"));
        assert!(!connect_policy(None).to_string().contains("arn:aws:iam::"));
    }
}
