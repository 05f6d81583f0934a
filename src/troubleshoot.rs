//! The troubleshooting catalogue: what an admin sees when sign-in fails, why, how to fix it,
//! and which `doctor` check (or `inspect-assertion` field) finds it. Pure data, shared by the
//! `troubleshoot` command, `doctor`, the inspector and the wizard's troubleshooting screen.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Trouble {
    /// Stable id, used on the command line (`connect-sso troubleshoot ID`) and in reports.
    pub id: &'static str,
    /// Short title for lists.
    pub title: &'static str,
    /// What the person signing in (or the admin) sees. Error texts are quoted as AWS shows them.
    pub symptom: &'static str,
    pub cause: &'static str,
    pub fix: &'static str,
    /// The `doctor` checks that detect it (ids of [`crate::cloud::doctor`] checks).
    pub checks: &'static [&'static str],
    /// Whether `inspect-assertion` on a captured SAMLResponse shows it.
    pub in_assertion: bool,
    /// The first entries come from the guide's own troubleshooting table.
    pub from_guide: bool,
}

pub const TROUBLES: &[Trouble] = &[
    Trouble {
        id: "not-onboarded",
        title: "User not added to Amazon Connect",
        symptom: "Connect answers \"Your user account has not been added to Amazon Connect. Please ask your admin to add you and then try again\".",
        cause: "The instance has no user whose user name is exactly the RoleSessionName value Identity Center sends (the person's email with this setup's mapping). Connect compares user names case-sensitively, so Jane.Doe@example.com and jane.doe@example.com are two different users.",
        fix: "Create the Connect user with that exact user name (Users > Add new users in the Connect console), or let `connect-sso apply --user EMAIL --create-connect-users` create it. `connect-sso doctor` names the expected user name for every assigned person.",
        checks: &["user"],
        in_assertion: true,
        from_guide: true,
    },
    Trouble {
        id: "windows-upn",
        title: "Directory sends windowsUPN instead of the email",
        symptom: "The user name Connect looks for is an on-premises name such as jdoe@corp.local or CORP\\jdoe, not the person's email, so Connect reports the user as not added.",
        cause: "With Active Directory as the identity source, Identity Center fills the user's email from the directory. A directory that maps windowsUPN there sends the UPN in ${user:email}, and so in NameID and RoleSessionName.",
        fix: "In IAM Identity Center > Settings > Identity source > Manage attribute mappings, map email to the directory's mail attribute (${dir:email}), then sign in again. Alternatively name the Connect users after the UPN, which is harder to maintain.",
        checks: &["user"],
        in_assertion: true,
        from_guide: true,
    },
    Trouble {
        id: "invalid-saml-response",
        title: "\"Your request included an invalid SAML response\"",
        symptom: "The AWS sign-in page shows \"Your request included an invalid SAML response. To logout, click here.\"",
        cause: "The response lacks an attribute AWS requires or carries it in the wrong shape: the Role attribute missing or misspelled (its name is the whole URL https://aws.amazon.com/SAML/Attributes/Role), a space around the comma of the role,provider pair, or a RoleSessionName that is empty, too long or has characters AWS refuses.",
        fix: "Copy the three attribute mappings of step 10 again from connect-sso, exactly, into the application's Attribute mappings in Identity Center. `connect-sso inspect-assertion` shows which attribute is wrong in a captured response.",
        checks: &["values"],
        in_assertion: true,
        from_guide: false,
    },
    Trouble {
        id: "not-authorized-assume-role",
        title: "\"Not authorized to perform sts:AssumeRoleWithSAML\"",
        symptom: "The AWS sign-in page says the user is not authorized to perform sts:AssumeRoleWithSAML.",
        cause: "The role named in the Role attribute does not trust this SAML provider, its SAML:aud condition names another ACS URL than the one Identity Center posts to, or the Role attribute names a role or provider that does not exist (a typo, another account, a deleted provider).",
        fix: "Run `connect-sso apply` to bring the role's trust policy back to what this setup needs, and compare the Role attribute in Identity Center with the one `connect-sso doctor` shows.",
        checks: &["role", "provider"],
        in_assertion: true,
        from_guide: false,
    },
    Trouble {
        id: "federation-token-denied",
        title: "Access denied on connect:GetFederationToken",
        symptom: "The AWS sign-in works, then Connect shows an access-denied page instead of the agent workspace.",
        cause: "The role may not call connect:GetFederationToken on this instance: the policy is not attached, its default version names another instance, region or account, or a permissions boundary or SCP denies it.",
        fix: "Run `connect-sso apply` to restore the policy and attach it. If doctor passes and access is still denied, look for a permissions boundary on the role or an SCP on the account.",
        checks: &["policy", "role"],
        in_assertion: false,
        from_guide: false,
    },
    Trouble {
        id: "session-expired",
        title: "Session expired when starting at Connect",
        symptom: "Opening the Connect URL (or a bookmark of it) shows \"Session expired\" or the Connect sign-in page, never the Identity Center one.",
        cause: "Connect does not start a SAML sign-in itself: sign-in has to begin at the AWS access portal, which then posts the response to AWS. A captured response is also only valid for a few minutes.",
        fix: "Start from the AWS access portal (the URL doctor prints) and choose the Connect tile; bookmark the portal, not Connect.",
        checks: &["values"],
        in_assertion: true,
        from_guide: false,
    },
    Trouble {
        id: "wrong-acs-url",
        title: "Wrong ACS URL or audience",
        symptom: "Sign-in fails with an invalid SAML response or a not-authorized error right after the portal, although the attributes look right.",
        cause: "The application's Application ACS URL (or SAML audience) in Identity Center is not the one this setup uses, so the response is posted to another sign-in endpoint than the role's SAML:aud condition allows.",
        fix: "Set the Application ACS URL and Application SAML audience in Identity Center to the values of steps 3-5 shown by connect-sso, or change the sign-in endpoint answer and run `connect-sso apply` so the role trusts the URL you use.",
        checks: &["role", "values"],
        in_assertion: true,
        from_guide: false,
    },
    Trouble {
        id: "wrong-relay-state",
        title: "Lands in the AWS console or the wrong Connect instance",
        symptom: "After the portal, the browser opens the AWS Management Console home page, a Connect page of another region, or an error about the instance.",
        cause: "The application's relay state is empty, points to another region, or names another instance id.",
        fix: "Paste the relay state of steps 7-9 from connect-sso into the application's Relay state field in Identity Center.",
        checks: &["values"],
        in_assertion: true,
        from_guide: false,
    },
    Trouble {
        id: "certificate",
        title: "Expired or rotated Identity Center certificate",
        symptom: "Sign-in used to work and now fails with an invalid SAML response for everyone.",
        cause: "Identity Center signs with a new certificate (it was rotated, or the old one expired) while the IAM SAML provider still holds the old metadata, so AWS cannot verify the signature.",
        fix: "Download the metadata again from the application (step 2) and run `connect-sso apply --metadata FILE`, which updates the SAML provider. Doctor warns 30 days before the certificate expires.",
        checks: &["provider"],
        in_assertion: true,
        from_guide: false,
    },
    Trouble {
        id: "not-assigned",
        title: "The Connect tile is missing in the access portal",
        symptom: "The person signs in to the AWS access portal but sees no tile for the Connect application.",
        cause: "The person (or a group they belong to) is not assigned to the application, or they are assigned to another application with a similar name.",
        fix: "Assign the person to the application (step 11, or `connect-sso apply --user NAME`), and keep one application per display name.",
        checks: &["application", "user"],
        in_assertion: false,
        from_guide: false,
    },
    Trouble {
        id: "instance-not-saml",
        title: "The Connect instance does not use SAML",
        symptom: "Connect shows its own user name and password page, and the instance's identity management is not SAML 2.0.",
        cause: "The identity management of a Connect instance is chosen when the instance is created and cannot be changed afterwards.",
        fix: "Create a new Connect instance with SAML 2.0-based authentication and set up single sign-on for that one.",
        checks: &["instance"],
        in_assertion: false,
        from_guide: false,
    },
];

impl Trouble {
    /// Which commands find the problem, for people reading the catalogue.
    pub fn found_by(&self) -> String {
        let mut out: Vec<String> = self
            .checks
            .iter()
            .map(|c| format!("doctor ({c} check)"))
            .collect();
        if self.in_assertion {
            out.push("inspect-assertion".to_string());
        }
        out.join(", ")
    }
}

/// The entry with this id.
pub fn trouble(id: &str) -> Option<&'static Trouble> {
    TROUBLES.iter().find(|t| t.id == id)
}

/// The entries a doctor check detects.
pub fn for_check(check: &str) -> Vec<&'static Trouble> {
    TROUBLES
        .iter()
        .filter(|t| t.checks.contains(&check))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_lower_kebab_case() {
        for (i, t) in TROUBLES.iter().enumerate() {
            assert!(
                t.id.chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit()),
                "{}",
                t.id
            );
            assert!(
                TROUBLES[i + 1..].iter().all(|o| o.id != t.id),
                "duplicate {}",
                t.id
            );
            assert!(
                !t.checks.is_empty() || t.in_assertion,
                "{} has no detector",
                t.id
            );
        }
    }

    #[test]
    fn the_guides_table_comes_first() {
        assert_eq!(TROUBLES[0].id, "not-onboarded");
        assert_eq!(TROUBLES[1].id, "windows-upn");
        assert!(TROUBLES[..2].iter().all(|t| t.from_guide));
    }

    #[test]
    fn lookups() {
        assert_eq!(trouble("certificate").unwrap().checks, ["provider"]);
        assert!(trouble("nope").is_none());
        let ids: Vec<_> = for_check("user").iter().map(|t| t.id).collect();
        assert_eq!(ids, ["not-onboarded", "windows-upn", "not-assigned"]);
    }
}
