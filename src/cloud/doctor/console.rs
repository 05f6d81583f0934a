//! doctor with `--console-api`: the application as the IAM Identity Center console's API
//! reads it. Its ACS URL and audience against the plan, its status, and its current signing
//! certificate (from its metadata URL) against the IAM SAML provider's metadata, so a
//! rotated Identity Center certificate is caught before sign-ins fail. Read-only.

use super::{Check, Verdict};
use crate::cloud::Cloud;
use crate::cloud::console::ConsoleApi;
use crate::cloud::console::ensure::{FetchMetadata, is_unexpected, service_provider_differences};
use crate::cloud::ensure::metadata_differences;
use crate::domain::setup::Setup;

/// The check's id in the report.
pub const ID: &str = "console";

const APPLY: &str = "run `connect-sso apply --console-api`";

/// The console API check.
pub async fn check_console(
    api: &dyn ConsoleApi,
    cloud: &dyn Cloud,
    setup: &Setup,
    fetch: FetchMetadata<'_>,
) -> Check {
    let name = setup.app_name.as_str();
    let mut c = Check::new(ID, format!("application \"{name}\" (console API)"));
    let failed = |e: &crate::cloud::CloudError| {
        let mut c = Check::error(ID, format!("application \"{name}\" (console API)"), e);
        if is_unexpected(e) {
            c.fix = Some(format!(
                "{e}. AWS does not document the console API and may have changed it: check steps 1 and 3-5 in the IAM Identity Center console, or run doctor without --console-api"
            ));
        }
        c
    };
    let listed = match api.list_application_instances().await {
        Ok(l) => l,
        Err(e) => return failed(&e),
    };
    let named: Vec<_> = listed
        .into_iter()
        .filter(|a| a.display_name() == Some(name))
        .collect();
    let id = match named.as_slice() {
        [] => {
            c.evidence
                .push(format!("no application instance is named \"{name}\""));
            c.mark(
                Verdict::Fail,
                Some(format!(
                    "{APPLY} to add it (or do step 1 in the IAM Identity Center console)"
                )),
                Some("not-assigned"),
            );
            return c;
        }
        [one] => {
            match &one.instance_id {
                Some(id) => id.clone(),
                None => {
                    c.evidence
                        .push("the application's listing has no instanceId".to_string());
                    c.mark(
                    Verdict::Error,
                    Some("AWS may have changed the console API: run doctor without --console-api".to_string()),
                    None,
                );
                    return c;
                }
            }
        }
        many => {
            c.evidence.push(format!(
                "{} application instances are named \"{name}\"",
                many.len()
            ));
            c.mark(
                Verdict::Fail,
                Some(
                    "rename all but one in the IAM Identity Center console, or give --app-name"
                        .to_string(),
                ),
                None,
            );
            return c;
        }
    };
    c.subject = format!("application \"{name}\" ({id})");
    let app = match api.get_application_instance(&id).await {
        Ok(a) => a,
        Err(e) => return failed(&e),
    };

    // Steps 3-5.
    let differences = service_provider_differences(app.service_provider_config.as_ref(), setup);
    if differences.is_empty() {
        c.evidence.push(format!(
            "ACS URL {} and audience {} as planned",
            setup.acs_url(),
            setup.audience()
        ));
    } else {
        for d in differences {
            c.evidence.push(format!("steps 3-5 differ: {d}"));
        }
        c.mark(
            Verdict::Fail,
            Some(format!(
                "{APPLY} (or set them in the IAM Identity Center console › the application › Edit configuration)"
            )),
            Some("wrong-acs-url"),
        );
    }
    // Status.
    if app.is_enabled() {
        c.evidence.push("enabled".to_string());
    } else {
        c.warn(
            format!(
                "the application is {}: nobody can sign in through it",
                app.status.as_deref().unwrap_or("not enabled")
            ),
            format!(
                "{APPLY} to enable it (or IAM Identity Center console › Applications › the application › Actions › Enable)"
            ),
            None,
        );
    }
    // Step 10 has no read.
    c.evidence.push(
        "attribute mappings (step 10): the console API has no read of them; `connect-sso inspect-assertion` checks what IAM Identity Center sends".to_string(),
    );

    // Step 2 against 6a: the certificate the application signs with now.
    let Some(url) = app.metadata_url().map(str::to_string) else {
        c.evidence.push(
            "the application's answer has no metadata URL: the certificate is not compared"
                .to_string(),
        );
        c.mark(
            Verdict::Error,
            Some("AWS may have changed the console API: compare the certificate with `connect-sso metadata check`".to_string()),
            None,
        );
        return c;
    };
    let (current, _) = match fetch(url.clone()).await {
        Ok(m) => m,
        Err(e) => {
            c.evidence
                .push(format!("the metadata at {url} could not be checked: {e}"));
            c.mark(
                Verdict::Error,
                Some("check the network, or run doctor with --metadata FILE downloaded from the application".to_string()),
                None,
            );
            return c;
        }
    };
    match cloud.get_saml_provider(&setup.provider_arn()).await {
        Ok(Some(provider)) => {
            let differences = metadata_differences(&provider.metadata_document, &current.metadata);
            if differences.is_empty() {
                c.evidence.push(
                    "the IAM SAML provider holds the application's current metadata and certificate"
                        .to_string(),
                );
            } else {
                for d in differences {
                    c.evidence
                        .push(format!("the IAM SAML provider's metadata differs: {d}"));
                }
                c.mark(
                    Verdict::Fail,
                    Some(format!(
                        "{APPLY} to give the SAML provider (6a) the application's current metadata"
                    )),
                    Some("certificate"),
                );
            }
        }
        Ok(None) => c.evidence.push(format!(
            "no SAML provider {} to compare the certificate with (see 6a)",
            setup.provider_name
        )),
        Err(e) => {
            c.evidence.push(format!(
                "the SAML provider could not be read to compare the certificate: {e}"
            ));
            c.mark(Verdict::Error, Some(e.to_string()), None);
        }
    }
    c
}
