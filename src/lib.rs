//! connect-sso: sets up single sign-on into Amazon Connect through an IAM Identity Center
//! custom SAML 2.0 application. Layers, each importing only those above it in this list:
//! `domain` (pure rules and values), `steps` (the guide's catalogue), `plan` (the whole
//! procedure for one setup), and the commands in `cli`.

pub mod cli;
pub mod app;
pub mod cloud;
pub mod domain;
pub mod files;
pub mod plan;
pub mod session;
pub mod steps;
pub mod ui;
