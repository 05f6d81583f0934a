//! Steps 6a, 6b and 6c of `apply` as one process, the way `apply()` runs them (6a and 6b
//! concurrently, then 6c), against whatever the AWS environment points at. Used by
//! `bench/apply_vs_cli.sh` against moto, where the whole `apply()` cannot run (moto has no
//! sso-admin applications and its Connect timestamps do not parse in the Rust SDK).
//!
//! Usage: apply_iam METADATA_FILE PROVIDER_NAME POLICY_NAME ROLE_NAME
//!
//! Credentials, region and endpoint come from the environment (`AWS_ENDPOINT_URL`,
//! `AWS_ACCESS_KEY_ID`, `AWS_REGION`, ...). Prints one line per outcome; exits non-zero on
//! an error.

use std::process::ExitCode;

use connect_sso::cloud::api::*;
use connect_sso::cloud::ensure::{self, Outcome};
use connect_sso::cloud::sdk::{ContextSettings, SdkCloud};
use connect_sso::domain::setup::{Answers, Setup};

/// A fixed instance in moto's default account.
const INSTANCE_ARN: &str =
    "arn:aws:connect:us-east-1:123456789012:instance/12345678-90ab-cdef-1234-567890abcdef";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [metadata, provider, policy, role] = args.as_slice() else {
        eprintln!("usage: apply_iam METADATA_FILE PROVIDER_NAME POLICY_NAME ROLE_NAME");
        return ExitCode::from(2);
    };
    let setup = match Setup::from_answers(&Answers {
        instance_arn: Some(INSTANCE_ARN.to_string()),
        provider_name: Some(provider.clone()),
        policy_name: Some(policy.clone()),
        role_name: Some(role.clone()),
        ..Answers::default()
    }) {
        Ok(s) => s,
        Err(errors) => {
            for e in errors {
                eprintln!("error: {e}");
            }
            return ExitCode::from(2);
        }
    };
    let document = match std::fs::read_to_string(metadata) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: cannot read {metadata}: {e}");
            return ExitCode::from(2);
        }
    };
    // The same runtime as `connect-sso apply`.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let result = runtime.block_on(async {
        let cloud = SdkCloud::load(&ContextSettings::default(), &ContextSettings::default()).await;
        run(&cloud, &setup, &document).await
    });
    match result {
        Ok(outcomes) => {
            for o in &outcomes {
                println!(
                    "{:<3} {:<13} {:<15} {}",
                    o.step,
                    o.resource,
                    o.change.label(),
                    o.arn
                );
                for w in &o.warnings {
                    eprintln!("    warning: {w}");
                }
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// 6a and 6b are independent; 6c needs both (IAM checks the trust principal).
async fn run(
    cloud: &dyn Cloud,
    setup: &Setup,
    document: &str,
) -> Result<[Outcome; 3], connect_sso::cloud::CloudError> {
    let (provider, policy) = tokio::try_join!(
        ensure::ensure_saml_provider(cloud, setup, document, false),
        ensure::ensure_policy(cloud, setup, false),
    )?;
    let role = ensure::ensure_role(cloud, setup, false).await?;
    Ok([provider, policy, role])
}
