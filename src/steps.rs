//! The catalogue of the guide's steps, in the guide's numbering, with what each needs and
//! which AWS operations run or check it. Guidance text lives in `assets/steps/`.

use serde::{Deserialize, Serialize};

/// Who does the step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// Done by the admin in a console; AWS has no API for it.
    Manual,
    /// Done by connect-sso through the AWS API.
    Automated,
    /// Nothing to change: connect-sso only checks.
    Check,
}

impl StepKind {
    pub fn label(self) -> &'static str {
        match self {
            StepKind::Manual => "manual",
            StepKind::Automated => "automated",
            StepKind::Check => "check",
        }
    }
}

/// Which console the step happens in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Console {
    IdentityCenter,
    Iam,
    Connect,
    AccessPortal,
}

impl Console {
    pub fn label(self) -> &'static str {
        match self {
            Console::IdentityCenter => "IAM Identity Center console",
            Console::Iam => "IAM console",
            Console::Connect => "Amazon Connect console",
            Console::AccessPortal => "AWS access portal",
        }
    }
}

/// An input a step asks the user for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Input {
    Instance,
    AppName,
    AppDescription,
    Metadata,
    ProviderName,
    PolicyName,
    RoleName,
    SignInEndpoint,
    Users,
    /// Groups assigned in step 11 (display names or group ids); their members reach the
    /// application through them.
    Groups,
    /// The profiles of the Connect users step 11 creates.
    SecurityProfile,
    RoutingProfile,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Step {
    /// The guide's number: "1", "3-5", "6a", ...
    pub id: &'static str,
    pub title: &'static str,
    pub kind: StepKind,
    pub console: Console,
    pub inputs: &'static [Input],
    /// AWS operations that perform the step (automated steps).
    pub runs: &'static [&'static str],
    /// AWS operations that verify the step.
    pub checks: &'static [&'static str],
    /// What to do and why, in this project's words.
    #[serde(skip)]
    pub guidance: &'static str,
}

/// Answers no screen asks for as a field: step 11's `a` picks them from the instance's
/// lists (and the command line may give them), so typing users and pressing Enter never
/// lands in a field the newcomer did not ask for.
pub const PICKED_INPUTS: &[Input] = &[Input::SecurityProfile, Input::RoutingProfile];

pub static STEPS: &[Step] = &[
    Step {
        id: "prerequisites",
        title: "Check the prerequisites",
        kind: StepKind::Check,
        console: Console::Connect,
        inputs: &[Input::Instance],
        runs: &[],
        checks: &[
            "sts:GetCallerIdentity",
            "sso:ListInstances",
            "connect:ListInstances",
            "connect:DescribeInstance",
        ],
        guidance: include_str!("../assets/steps/prerequisites.md"),
    },
    Step {
        id: "1",
        title: "Add a custom SAML 2.0 application",
        kind: StepKind::Manual,
        console: Console::IdentityCenter,
        inputs: &[Input::AppName, Input::AppDescription],
        runs: &[],
        checks: &["sso:ListApplications"],
        guidance: include_str!("../assets/steps/1.md"),
    },
    Step {
        id: "2",
        title: "Download the IAM Identity Center SAML metadata",
        kind: StepKind::Manual,
        console: Console::IdentityCenter,
        inputs: &[Input::Metadata],
        runs: &[],
        checks: &[],
        guidance: include_str!("../assets/steps/2.md"),
    },
    Step {
        id: "3-5",
        title: "Enter the application's ACS URL and SAML audience",
        kind: StepKind::Manual,
        console: Console::IdentityCenter,
        inputs: &[Input::SignInEndpoint],
        runs: &[],
        checks: &[],
        guidance: include_str!("../assets/steps/3-5.md"),
    },
    Step {
        id: "6a",
        title: "Create the IAM SAML identity provider",
        kind: StepKind::Automated,
        console: Console::Iam,
        // The metadata itself is entered in step 2.
        inputs: &[Input::ProviderName],
        runs: &["iam:CreateSAMLProvider", "iam:UpdateSAMLProvider"],
        checks: &["iam:GetSAMLProvider"],
        guidance: include_str!("../assets/steps/6a.md"),
    },
    Step {
        id: "6b",
        title: "Create the IAM policy for Connect federation",
        kind: StepKind::Automated,
        console: Console::Iam,
        inputs: &[Input::PolicyName],
        runs: &["iam:CreatePolicy", "iam:CreatePolicyVersion"],
        checks: &["iam:GetPolicy", "iam:GetPolicyVersion"],
        guidance: include_str!("../assets/steps/6b.md"),
    },
    Step {
        id: "6c",
        title: "Create the IAM role that trusts the provider",
        kind: StepKind::Automated,
        console: Console::Iam,
        inputs: &[Input::RoleName],
        runs: &[
            "iam:CreateRole",
            "iam:UpdateAssumeRolePolicy",
            "iam:AttachRolePolicy",
        ],
        checks: &["iam:GetRole", "iam:ListAttachedRolePolicies"],
        guidance: include_str!("../assets/steps/6c.md"),
    },
    Step {
        id: "7-9",
        title: "Set the relay state",
        kind: StepKind::Manual,
        console: Console::IdentityCenter,
        inputs: &[],
        runs: &[],
        checks: &[],
        guidance: include_str!("../assets/steps/7-9.md"),
    },
    Step {
        id: "10",
        title: "Map the SAML attributes",
        kind: StepKind::Manual,
        console: Console::IdentityCenter,
        inputs: &[],
        runs: &[],
        checks: &[],
        guidance: include_str!("../assets/steps/10.md"),
    },
    Step {
        id: "11",
        title: "Assign users to the application",
        kind: StepKind::Automated,
        console: Console::IdentityCenter,
        inputs: &[Input::Users, Input::Groups],
        runs: &["sso:CreateApplicationAssignment"],
        checks: &[
            "sso:ListApplicationAssignments",
            "identitystore:GetUserId",
            "identitystore:DescribeUser",
            "identitystore:GetGroupId",
        ],
        guidance: include_str!("../assets/steps/11.md"),
    },
    Step {
        id: "verify",
        title: "Verify the sign-in",
        kind: StepKind::Check,
        console: Console::AccessPortal,
        inputs: &[],
        runs: &[],
        checks: &["connect:SearchUsers"],
        guidance: include_str!("../assets/steps/verify.md"),
    },
];

/// The step with the guide's id, if there is one.
pub fn step(id: &str) -> Option<&'static Step> {
    STEPS.iter().find(|s| s.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_follows_the_guide() {
        let ids: Vec<_> = STEPS.iter().map(|s| s.id).collect();
        assert_eq!(
            ids,
            [
                "prerequisites",
                "1",
                "2",
                "3-5",
                "6a",
                "6b",
                "6c",
                "7-9",
                "10",
                "11",
                "verify"
            ]
        );
    }

    #[test]
    fn every_step_has_guidance_and_automated_steps_have_operations() {
        for s in STEPS {
            assert!(
                s.guidance.trim().len() > 80,
                "step {} guidance too short",
                s.id
            );
            if s.kind == StepKind::Automated {
                assert!(!s.runs.is_empty() && !s.checks.is_empty(), "step {}", s.id);
            }
            if s.kind == StepKind::Manual {
                assert!(s.runs.is_empty(), "manual step {} runs nothing", s.id);
            }
        }
    }

    #[test]
    fn lookup() {
        assert_eq!(
            step("6b").unwrap().title,
            "Create the IAM policy for Connect federation"
        );
        assert!(step("12").is_none());
    }
}
