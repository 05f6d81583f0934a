//! Doctor's checks of steps 6a-6c: the SAML provider's metadata and certificate, the
//! permissions policy's grant, and the role's trust and attachment.

use super::{CERT_WARN_DAYS, Check, DoctorInput, Verdict};
use crate::cloud::ensure::metadata_differences;
use crate::cloud::{Cloud, Role};
use crate::domain::diff::json_diff;
use crate::domain::metadata::{self, CertValidity};
use crate::domain::policy::{analyze_permissions, analyze_trust};
use crate::domain::setup::Setup;

pub(super) async fn check_provider(cloud: &dyn Cloud, input: DoctorInput<'_>) -> Check {
    let setup = input.setup;
    let arn = setup.provider_arn();
    let mut check = Check::new("provider", arn.clone());
    let provider = match cloud.get_saml_provider(&arn).await {
        Err(e) => return Check::error("provider", arn, &e),
        Ok(None) => {
            check.fail(
                "the SAML provider does not exist",
                "run `connect-sso apply --metadata FILE` (step 6a; in the wizard, r on the 6a screen)",
                "not-authorized-assume-role",
            );
            return check;
        }
        Ok(Some(p)) => p,
    };
    let held = match metadata::parse(provider.metadata_document.as_bytes()) {
        Ok(m) => m,
        Err(e) => {
            check.fail(
                format!("its metadata cannot be read ({e})"),
                "run `connect-sso apply --metadata FILE` with the application's current metadata",
                "certificate",
            );
            return check;
        }
    };
    check.evidence.push(format!("issuer {}", held.entity_id));
    match input.metadata.map(|m| metadata::parse(m.as_bytes())) {
        None => check.evidence.push(
            "not compared with Identity Center's metadata: pass --metadata FILE|URL to compare"
                .to_string(),
        ),
        Some(Err(e)) => check.warn(
            format!("the supplied metadata cannot be read ({e})"),
            "download the metadata again from the application (step 2)",
            None,
        ),
        Some(Ok(wanted)) => {
            let differences = metadata_differences(&provider.metadata_document, &wanted);
            if differences.is_empty() {
                check.evidence.push(
                    "holds the same issuer and certificates as the supplied metadata".to_string(),
                );
            } else {
                for d in differences {
                    check.evidence.push(d);
                }
                check.mark(
                    Verdict::Fail,
                    Some("run `connect-sso apply --metadata FILE` to give the provider Identity Center's current metadata".to_string()),
                    Some("certificate"),
                );
            }
        }
    }
    // IAM keeps every certificate of the metadata; the one valid longest decides.
    let newest = held.certificates.iter().max_by_key(|c| c.not_after);
    for c in &held.certificates {
        let state = match c.validity(input.now) {
            CertValidity::Expired => "expired".to_string(),
            CertValidity::NotYetValid => "not valid yet".to_string(),
            CertValidity::Valid { days_left } => format!("{days_left} days left"),
        };
        check.evidence.push(format!(
            "certificate SHA-256 {} valid until {} ({state})",
            c.sha256_fingerprint,
            metadata::format_date(&c.not_after)
        ));
    }
    match newest.map(|c| c.validity(input.now)) {
        None => check.fail(
            "its metadata holds no signing certificate",
            "run `connect-sso apply --metadata FILE` with the application's metadata",
            "certificate",
        ),
        Some(CertValidity::Expired) => check.fail(
            format!(
                "every certificate it holds has expired (the newest on {}), so AWS accepts no signature of Identity Center's",
                newest.map(|c| metadata::format_date(&c.not_after)).unwrap_or_default()
            ),
            "in the application's configuration in Identity Center, add a new certificate and make it the active one (if Identity Center already has one, it signs with that: download it), then download the metadata again (step 2) and run `connect-sso apply --metadata FILE`",
            "certificate",
        ),
        Some(CertValidity::NotYetValid) => check.mark(
            Verdict::Fail,
            Some("the certificate is not valid yet: check this computer's clock, or wait until Identity Center's new certificate becomes active".to_string()),
            Some("certificate"),
        ),
        Some(CertValidity::Valid { days_left }) if days_left < CERT_WARN_DAYS => check.mark(
            Verdict::Warn,
            Some(format!("the certificate expires in {days_left} days: rotate it in Identity Center, then update the provider with the new metadata (`connect-sso apply --metadata FILE`)")),
            Some("certificate"),
        ),
        Some(_) => {}
    }
    check
}

pub(super) async fn check_policy(cloud: &dyn Cloud, setup: &Setup) -> Check {
    let arn = setup.policy_arn();
    let mut check = Check::new("policy", arn.clone());
    let policy = match cloud.get_policy(&arn).await {
        Err(e) => return Check::error("policy", arn, &e),
        Ok(None) => {
            check.fail(
                "the policy does not exist",
                "run `connect-sso apply` (step 6b; in the wizard, r on the 6b screen)",
                "federation-token-denied",
            );
            return check;
        }
        Ok(Some(p)) => p,
    };
    let document = match cloud
        .get_policy_version(&arn, &policy.default_version_id)
        .await
    {
        Ok(d) => d,
        Err(e) => return Check::error("policy", arn, &e),
    };
    check
        .evidence
        .push(format!("default version {}", policy.default_version_id));
    let instance_arn = setup.instance.arn();
    let analysis = analyze_permissions(&document, &instance_arn);
    let apply_fix = "run `connect-sso apply` to make the generated document the default version";
    if analysis.grants {
        check.evidence.push(format!(
            "allows connect:GetFederationToken on {instance_arn}/user/${{aws:userid}}"
        ));
    } else {
        check.fail(
            "does not allow connect:GetFederationToken on this instance's user/${aws:userid}",
            apply_fix,
            "federation-token-denied",
        );
    }
    for b in &analysis.broader {
        check.fail(
            format!("broader than needed: {b}"),
            apply_fix,
            "federation-token-denied",
        );
    }
    for d in &analysis.denies {
        check.fail(d.clone(), apply_fix, "federation-token-denied");
    }
    if check.verdict == Verdict::Pass {
        let differences = json_diff(&document, &setup.permissions_policy());
        if !differences.is_empty() {
            check.evidence.push(format!(
                "equivalent to the generated document, written differently ({})",
                differences.join("; ")
            ));
        }
    }
    check
}

pub(super) async fn check_role(cloud: &dyn Cloud, setup: &Setup) -> Check {
    let name = setup.role_name.as_str();
    let mut check = Check::new("role", setup.role_arn());
    let (role, attached, inline, roles) = tokio::join!(
        cloud.get_role(name),
        cloud.list_attached_role_policies(name),
        cloud.list_role_policies(name),
        cloud.list_roles(),
    );
    let role: Role = match role {
        Err(e) => return Check::error("role", check.subject, &e),
        Ok(None) => {
            check.fail(
                "the role does not exist",
                "run `connect-sso apply` (step 6c; in the wizard, r on the 6c screen)",
                "not-authorized-assume-role",
            );
            return check;
        }
        Ok(Some(r)) => r,
    };
    let provider = setup.provider_arn();
    let apply_fix = "run `connect-sso apply` to restore the generated trust policy";
    let trust = analyze_trust(&role.trust_policy, &provider);
    if trust.trusts_provider {
        check
            .evidence
            .push(format!("trusts {provider} for sts:AssumeRoleWithSAML"));
    } else {
        check.fail(
            format!("does not let {provider} call sts:AssumeRoleWithSAML"),
            apply_fix,
            "not-authorized-assume-role",
        );
    }
    for d in &trust.denies {
        check.fail(
            d.clone(),
            "remove the Deny statement from the role's trust policy (`connect-sso apply` restores the generated one)",
            "not-authorized-assume-role",
        );
    }
    for o in &trust.others {
        check.fail(
            format!("trusts more than the provider: {o}"),
            apply_fix,
            "not-authorized-assume-role",
        );
    }
    let acs = setup.acs_urls();
    match &trust.audiences {
        None if trust.trusts_provider => check.warn(
            "no SAML:aud condition: a response posted to any sign-in endpoint is accepted",
            apply_fix,
            Some("wrong-acs-url"),
        ),
        None => {}
        Some(aud) => {
            let missing: Vec<&String> = acs.iter().filter(|u| !aud.contains(u)).collect();
            if missing.is_empty() {
                check.evidence.push(format!("SAML:aud {}", aud.join(", ")));
            } else {
                check.fail(
                    format!(
                        "SAML:aud is {} but this setup posts to {}",
                        aud.join(", "),
                        missing.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
                    ),
                    "run `connect-sso apply` so the role trusts the ACS URL in use, or set the application's ACS URL to the one the role names",
                    "wrong-acs-url",
                );
            }
        }
    }
    let policy_arn = setup.policy_arn();
    match attached {
        Err(e) => check.warn(
            "the attached policies could not be listed",
            e.to_string(),
            None,
        ),
        Ok(list) => {
            if list.iter().any(|p| p.arn == policy_arn) {
                check
                    .evidence
                    .push(format!("policy {} attached", setup.policy_name));
            } else {
                check.fail(
                    format!("policy {} is not attached", setup.policy_name),
                    "run `connect-sso apply` to attach it",
                    "federation-token-denied",
                );
            }
            let others: Vec<&str> = list
                .iter()
                .filter(|p| p.arn != policy_arn)
                .map(|p| p.name.as_str())
                .collect();
            if !others.is_empty() {
                check.warn(
                    format!("also attached: {}", others.join(", ")),
                    "detach them unless every agent should have those permissions",
                    None,
                );
            }
        }
    }
    if let Ok(inline) = inline
        && !inline.is_empty()
    {
        check.warn(
            format!("inline policies: {}", inline.join(", ")),
            "remove them unless every agent should have those permissions",
            None,
        );
    }
    if let Ok(roles) = roles {
        for r in roles
            .iter()
            .filter(|r| r.name != name && analyze_trust(&r.trust_policy, &provider).trusts_provider)
        {
            check.warn(
                format!("role {} also trusts the provider", r.name),
                "Connect uses one role per instance: keep one role and delete the other",
                None,
            );
        }
    }
    check
}
