//! What teardown says about each resource: its kind, the action planned or taken, the
//! item itself with the call `execute` makes for it, and the plan and report that list them.

use serde::Serialize;

use crate::cloud::{CloudError, PrincipalType};

/// What a teardown item is, in AWS's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    ApplicationAssignment,
    /// A managed policy attached to the role.
    PolicyAttachment,
    Role,
    Policy,
    SamlProvider,
    /// The custom SAML application itself (step 1), removed through the console API.
    Application,
}

impl ItemKind {
    pub fn label(self) -> &'static str {
        match self {
            ItemKind::ApplicationAssignment => "assignment",
            ItemKind::PolicyAttachment => "attachment",
            ItemKind::Role => "role",
            ItemKind::Policy => "policy",
            ItemKind::SamlProvider => "SAML provider",
            ItemKind::Application => "application",
        }
    }
}

/// What happens, or happened, to an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Planned: delete it.
    Delete,
    /// Planned: detach the policy from the role.
    Detach,
    /// Left in place; the reason says why.
    Kept,
    /// It does not exist (any more).
    AlreadyGone,
    Deleted,
    Detached,
    /// Reading or removing it failed; `error` says why and how to fix it.
    Failed,
    /// Not attempted because something it depends on failed.
    Skipped,
}

impl Action {
    pub fn label(self) -> &'static str {
        match self {
            Action::Delete => "delete",
            Action::Detach => "detach",
            Action::Kept => "kept",
            Action::AlreadyGone => "already gone",
            Action::Deleted => "deleted",
            Action::Detached => "detached",
            Action::Failed => "failed",
            Action::Skipped => "skipped",
        }
    }

    /// A removal still to do.
    pub fn is_pending(self) -> bool {
        matches!(self, Action::Delete | Action::Detach)
    }

    pub fn is_done(self) -> bool {
        matches!(self, Action::Deleted | Action::Detached)
    }
}

/// What `execute` calls for an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Target {
    None,
    Assignment {
        application_arn: String,
        principal_type: PrincipalType,
        principal_id: String,
    },
    Attachment {
        role_name: String,
        policy_arn: String,
    },
    Role {
        name: String,
    },
    Policy {
        arn: String,
        /// Versions other than the default, which IAM wants deleted first.
        other_versions: Vec<String>,
    },
    SamlProvider {
        arn: String,
    },
}

/// One resource teardown looked at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    pub kind: ItemKind,
    /// The user, role, policy or provider name.
    pub name: String,
    pub arn: Option<String>,
    pub action: Action,
    /// Why this action.
    pub reason: String,
    pub details: Vec<String>,
    pub warnings: Vec<String>,
    /// The error with its fix, when the action is `failed`.
    pub error: Option<String>,
    #[serde(skip)]
    pub(super) target: Target,
}

impl Item {
    pub(super) fn new(
        kind: ItemKind,
        name: &str,
        arn: Option<String>,
        action: Action,
        reason: &str,
    ) -> Item {
        Item {
            kind,
            name: name.to_string(),
            arn,
            action,
            reason: reason.to_string(),
            details: Vec::new(),
            warnings: Vec::new(),
            error: None,
            target: Target::None,
        }
    }

    pub(super) fn with_target(mut self, target: Target) -> Item {
        self.target = target;
        self
    }

    pub(super) fn gone(kind: ItemKind, name: &str, arn: Option<String>) -> Item {
        Item::new(kind, name, arn, Action::AlreadyGone, "it does not exist")
    }

    pub(super) fn unreadable(
        kind: ItemKind,
        name: &str,
        arn: Option<String>,
        error: &CloudError,
    ) -> Item {
        let mut item = Item::new(
            kind,
            name,
            arn,
            Action::Failed,
            "could not be checked, so it is left in place",
        );
        item.error = Some(error.to_string());
        item
    }

    /// The ledger key of an assignment item.
    pub(super) fn assignment(&self) -> Option<(String, String)> {
        match &self.target {
            Target::Assignment {
                application_arn,
                principal_id,
                ..
            } => Some((application_arn.clone(), principal_id.clone())),
            _ => None,
        }
    }
}

/// Everything teardown found, before it changes anything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TeardownPlan {
    /// The account of the connect context (the instance's account).
    pub account: String,
    pub instance_id: String,
    /// In the order `execute` works.
    pub items: Vec<Item>,
}

/// What `execute` did, item by item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TeardownReport {
    pub account: String,
    pub instance_id: String,
    pub items: Vec<Item>,
}

fn count(items: &[Item], wanted: impl Fn(Action) -> bool) -> usize {
    items.iter().filter(|i| wanted(i.action)).count()
}

/// Assignments the ledger can forget: removed, or found gone.
fn finished_assignments(items: &[Item], done: impl Fn(Action) -> bool) -> Vec<(String, String)> {
    items
        .iter()
        .filter(|i| done(i.action))
        .filter_map(Item::assignment)
        .collect()
}

impl TeardownPlan {
    /// Removals still to do.
    pub fn pending(&self) -> usize {
        count(&self.items, Action::is_pending)
    }

    /// Items that could not be checked.
    pub fn failed(&self) -> usize {
        count(&self.items, |a| a == Action::Failed)
    }

    /// Ledger entries of this setup whose assignment no longer exists.
    pub fn gone_assignments(&self) -> Vec<(String, String)> {
        finished_assignments(&self.items, |a| a == Action::AlreadyGone)
    }
}

impl TeardownReport {
    pub fn removed(&self) -> usize {
        count(&self.items, Action::is_done)
    }

    /// Items that could not be checked or removed, and those skipped because of them.
    pub fn failed(&self) -> usize {
        count(&self.items, |a| {
            matches!(a, Action::Failed | Action::Skipped)
        })
    }

    /// Assignments to remove from the ledger: removed now, or gone already.
    pub fn forgotten_assignments(&self) -> Vec<(String, String)> {
        finished_assignments(&self.items, |a| {
            matches!(a, Action::Deleted | Action::AlreadyGone)
        })
    }
}
