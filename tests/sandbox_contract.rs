//! The contract scenarios against the sandbox, so it keeps behaving like AWS.

mod common;

use common::contract;
use connect_sso::cloud::sandbox::Sandbox;

#[tokio::test]
async fn caller_identity() {
    contract::caller_identity(&Sandbox::new()).await;
}

#[tokio::test]
async fn saml_provider_lifecycle() {
    contract::saml_provider_lifecycle(&Sandbox::new()).await;
}

#[tokio::test]
async fn policy_versions() {
    contract::policy_versions(&Sandbox::new()).await;
}

#[tokio::test]
async fn role_lifecycle() {
    contract::role_lifecycle(&Sandbox::new()).await;
}

#[tokio::test]
async fn deletions() {
    contract::deletions(&Sandbox::new()).await;
}

/// As on a shared server: one account, every scenario, names that never collide.
#[tokio::test]
async fn all_scenarios_share_one_account() {
    let sandbox = Sandbox::new();
    contract::all(&sandbox).await;
    contract::all(&sandbox).await;
}
