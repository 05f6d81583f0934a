//! `teardown`: removes what connect-sso created for one setup, and only that. IAM resources
//! count as connect-sso's when they carry the `managed-by=connect-sso` tag and, when they
//! have one, a `connect-sso:instance-id` tag equal to the setup's instance id. Application
//! assignments cannot carry tags: those in the ledger (see [`crate::ledger`]) count.
//!
//! [`plan_teardown`] only reads, concurrently where the reads are independent, and lists
//! every resource with what would happen to it and why. [`execute`] then works in the order
//! IAM requires: assignments, policies detached from the role, the role, the policy's
//! non-default versions and the policy, the SAML provider. A failure does not stop the items
//! that do not depend on it.

mod assignments;
mod console;
mod execute;
mod iam;
mod item;
mod plan;
#[cfg(test)]
mod tests;

pub use assignments::{created_assignments, created_group_assignments, unrequested_assignments};
pub use console::{execute_application, finished_applications, plan_application};
pub use execute::execute;
pub use item::{Action, Item, ItemKind, TeardownPlan, TeardownReport};
pub use plan::{TeardownError, plan_teardown};
