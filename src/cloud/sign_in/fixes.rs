//! What each refusal of the sign-in means: the troubleshooting entry and the fix for every
//! answer STS and Connect give, quoting the values of this setup.

use super::{CAPTURE_FRESH, Context};
use crate::cloud::Cloud;
use crate::domain::assertion::RolePair;
use crate::domain::metadata::{self, CertValidity};

pub(super) fn has(message: &str, words: &str) -> bool {
    message.to_ascii_lowercase().contains(words)
}

/// The troubleshooting entry and the fix for an STS refusal.
pub(super) fn sts_fix(
    code: &str,
    message: &str,
    context: &Context<'_>,
    pair: &RolePair,
    earlier_success: bool,
) -> (Option<&'static str>, String) {
    let setup = context.setup;
    let used = has(message, "already") || has(message, "replay") || has(message, "used");
    if code == "ExpiredToken" || (code == "InvalidIdentityToken" && used) {
        let why = if earlier_success {
            "STS took this response for an earlier pair of this test; a response is accepted \
             once, so test this pair with a fresh one and --role"
                .to_string()
        } else if used {
            "AWS has already used this response (the browser posted it when it was captured). \
             To keep the browser from using it first, block the sign-in URL in the developer \
             tools (Network › Block request URL) before choosing the application"
                .to_string()
        } else {
            "The response has expired".to_string()
        };
        return (Some("session-expired"), format!("{why}. {CAPTURE_FRESH}"));
    }
    if code == "AccessDenied" && pair.spaced {
        return (
            Some("invalid-saml-response"),
            format!(
                "The Role attribute has a space around its comma or its ARNs, and AWS takes no \
                 role from it. In the application's Attribute mappings in Identity Center \
                 (step 10), set https://aws.amazon.com/SAML/Attributes/Role to exactly {} (no \
                 space), then capture a fresh response",
                setup.role_attribute()
            ),
        );
    }
    if code == "AccessDenied"
        && let Some(recipient) = context.recipient
        && !setup.acs_urls().iter().any(|u| u == recipient)
    {
        return (
            Some("wrong-acs-url"),
            format!(
                "Identity Center posted the response to {recipient}, while the role's trust \
                 policy allows SAML:aud {}. Set the application's Application ACS URL in \
                 Identity Center to {} (steps 3-5), or, to keep {recipient}, set the sign-in \
                 endpoint answer to match and run `connect-sso apply` so the role trusts it \
                 (step 6c); then capture a fresh response",
                setup.acs_urls().join(", "),
                setup.acs_url()
            ),
        );
    }
    if code == "AccessDenied" && has(message, "trust policy") && has(message, "does not let") {
        return (
            Some("not-authorized-assume-role"),
            format!(
                "The trust policy of the role {} does not let the SAML provider {} assume it \
                 (it names another provider, or denies it). Run `connect-sso apply` to restore \
                 the generated trust policy (step 6c), then capture a fresh response",
                pair.role, pair.provider
            ),
        );
    }
    if code == "AccessDenied" {
        let fix = format!(
            "STS will not let this response take the role {}. Check that the role exists in \
             account {}, that its trust policy lets the SAML provider {} call \
             sts:AssumeRoleWithSAML, and that the Role attribute names both exactly: run \
             `connect-sso apply` to restore the role and its trust policy (step 6c), and \
             compare the Role attribute in Identity Center (step 10) with {}",
            pair.role,
            pair.role.split(':').nth(4).unwrap_or_default(),
            pair.provider,
            setup.role_attribute(),
        );
        return (Some("not-authorized-assume-role"), fix);
    }
    if has(message, "rolesessionname") {
        return (
            Some("invalid-saml-response"),
            format!(
                "The RoleSessionName attribute is missing or is not 2 to 64 letters, digits \
                 and _+=,.@- ({}). In the application's Attribute mappings in Identity Center \
                 (step 10), map https://aws.amazon.com/SAML/Attributes/RoleSessionName to \
                 ${{user:email}} (format unspecified), and give the person an email AWS \
                 accepts",
                match context.session_name {
                    Some(name) => format!("this response sends \"{name}\""),
                    None => "this response sends none".to_string(),
                }
            ),
        );
    }
    if has(message, "issuer not present") {
        return (
            Some("certificate"),
            format!(
                "The IAM SAML provider {} holds the metadata of another Identity Center \
                 application (or instance), so the response's Issuer is not its entity ID. \
                 Download the metadata from this application (step 2) and run `connect-sso \
                 apply --metadata FILE` to put it in the provider",
                pair.provider
            ),
        );
    }
    if has(message, "signature") {
        if let Some(cause) = context.cause {
            return (Some("certificate"), cause.to_string());
        }
        return (
            Some("certificate"),
            format!(
                "The signature does not verify with a certificate of the IAM SAML provider \
                 {}: Identity Center signs with a certificate the provider does not hold \
                 (rotated or expired), or the response was changed after it was captured. \
                 Download the metadata from the application again (step 2) and run \
                 `connect-sso apply --metadata FILE`; then capture a fresh, unedited response",
                pair.provider
            ),
        );
    }
    if has(message, "audience") {
        return (
            Some("wrong-acs-url"),
            format!(
                "The response does not name the audience AWS requires. Set the application's \
                 Application SAML audience in Identity Center to {} and its Application ACS \
                 URL to {} (steps 3-5), then capture a fresh response",
                setup.audience(),
                setup.acs_url()
            ),
        );
    }
    let name_of = |arn: &str| arn.rsplit('/').next().unwrap_or_default().to_string();
    if has(message, "provider")
        && (has(message, "exist") || has(message, "not found"))
        && name_of(&pair.role) == setup.provider_name.as_str()
        && name_of(&pair.provider) == setup.role_name.as_str()
    {
        return (
            Some("not-authorized-assume-role"),
            format!(
                "The Role attribute has the two names swapped: its role is named {} (the SAML \
                 provider's name) and its provider {} (the role's name), so neither exists. \
                 The order of the two ARNs does not matter to AWS, their names do: set the \
                 Role attribute in Identity Center (step 10) to {}, then capture a fresh \
                 response",
                name_of(&pair.role),
                name_of(&pair.provider),
                setup.role_attribute()
            ),
        );
    }
    if has(message, "provider") && (has(message, "exist") || has(message, "not found")) {
        return (
            Some("not-authorized-assume-role"),
            format!(
                "The SAML provider {} of the Role attribute does not exist. If it is this \
                 setup's ({}), step 6a is not done: run `connect-sso apply --metadata FILE`; \
                 otherwise correct the Role attribute in Identity Center (step 10) to {}",
                pair.provider,
                setup.provider_arn(),
                setup.role_attribute()
            ),
        );
    }
    if code == "RegionDisabled" {
        return (
            None,
            "STS is not activated in the connect context's region: activate it (IAM console › \
             Account settings › Security Token Service endpoints), or give another --region"
                .to_string(),
        );
    }
    (
        Some("invalid-saml-response"),
        "AWS cannot use this response. Run `connect-sso inspect-assertion` on it: the failures \
         it lists say which part of the response is wrong; copy the attribute mappings of step \
         10 from connect-sso again, then capture a fresh response"
            .to_string(),
    )
}

/// The troubleshooting entry and the fix for a Connect refusal.
pub(super) fn connect_fix(
    code: &str,
    message: &str,
    context: &Context<'_>,
) -> (Option<&'static str>, String) {
    let setup = context.setup;
    let instance = setup.instance.id.as_str();
    let name = context.session_name.unwrap_or("(the RoleSessionName)");
    match code {
        "UserNotFound" | "ResourceNotFound" if code == "UserNotFound" || has(message, "user") => (
            Some("not-onboarded"),
            context
                .cause
                .map_or_else(|| onboard_fix(name, instance, None), str::to_string),
        ),
        "ResourceNotFound" => (
            None,
            format!(
                "Connect has no instance {instance} in the connect context's account and \
                 region. Check the instance ARN of the answers and the --region of the \
                 connect context"
            ),
        ),
        "AccessDenied" | "Unauthorized" => (
            Some("federation-token-denied"),
            format!(
                "The role may not call connect:GetFederationToken on instance {instance}. Run \
                 `connect-sso apply` to restore the policy {} (step 6b) and attach it to the \
                 role {}; if doctor passes and this persists, look for a permissions boundary \
                 on the role or an SCP on the account",
                setup.policy_arn(),
                setup.role_name.as_str()
            ),
        ),
        "InvalidRequest" | "InvalidParameter" if has(message, "saml") => (
            Some("instance-not-saml"),
            format!(
                "Instance {instance} does not use SAML 2.0-based authentication, which cannot \
                 be switched on later: create an instance with SAML authentication and set up \
                 single sign-on for that one"
            ),
        ),
        _ => (
            None,
            format!(
                "Connect refused the session for instance {instance}. Run `connect-sso doctor` \
                 to check the instance, the policy and the user, then test again with a fresh \
                 response"
            ),
        ),
    }
}

/// `near`: a Connect user whose name differs from `name` only in letter case.
pub(super) fn onboard_fix(name: &str, instance: &str, near: Option<&str>) -> String {
    let near = near
        .map(|n| {
            format!(
                " Its user {n} differs only in letter case, and Connect compares user names \
                 case-sensitively, so it is not this person's."
            )
        })
        .unwrap_or_default();
    format!(
        "Connect has no user named exactly {name} in instance {instance} (user names are \
         case-sensitive).{near} Create it (Users › Add new users in the Connect console), or \
         run `connect-sso apply --user {name} --create-connect-users`"
    )
}

/// Why STS found no trusted signature, when a closer look can tell: the certificate that
/// signed has expired, or the IAM SAML provider does not hold it (one more read, on this
/// refusal only). The fix to give, or `None` to give the general one.
pub(super) async fn certificate_cause(
    cloud: &dyn Cloud,
    context: &Context<'_>,
    pair: &RolePair,
) -> Option<String> {
    let signing = context.signing?;
    let signed_by = format!(
        "Identity Center signed this response with its certificate SHA-256 {}",
        signing.sha256_fingerprint
    );
    if signing.validity(context.now) == CertValidity::Expired {
        return Some(format!(
            "{signed_by}, which expired on {}, and AWS accepts no signature made with an expired \
             certificate. In the application's configuration in Identity Center, add a new \
             certificate and make it the active one, download the metadata again (step 2) and \
             run `connect-sso apply --metadata FILE`; then capture a fresh response",
            metadata::format_date(&signing.not_after)
        ));
    }
    let provider = cloud.get_saml_provider(&pair.provider).await.ok()??;
    let held = metadata::parse(provider.metadata_document.as_bytes()).ok()?;
    if held.certificates.iter().any(|c| c.der == signing.der) {
        return None;
    }
    let holds = held
        .certificates
        .iter()
        .map(|c| c.sha256_fingerprint.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    Some(format!(
        "{signed_by}, which the IAM SAML provider {} does not hold (it holds {holds}): the \
         certificate was rotated in Identity Center and the new one never reached IAM. \
         Download the metadata from the application again (step 2) and run `connect-sso apply \
         --metadata FILE` so the provider holds it; then capture a fresh response",
        pair.provider
    ))
}
