//! connect-sso: sets up single sign-on into Amazon Connect through an IAM Identity Center
//! custom SAML 2.0 application. Layers, each using only those before it in this list:
//! `domain` (pure rules and values), `steps` (the guide's catalogue), `plan` (the whole
//! procedure for one setup), `files`, `session` and `ledger` (bounded reads, saved
//! sessions, the assignments connect-sso made),
//! `cloud` (AWS and the sandbox), `app` (the wizard's state machine), `ui` (drawing), and
//! `cli` (commands, the terminal loop, plain mode).

pub mod app;
pub mod cli;
pub mod cloud;
pub mod domain;
pub mod files;
pub mod ledger;
pub mod plan;
pub mod rerun;
pub mod session;
pub mod steps;
pub mod troubleshoot;
pub mod ui;
