//! Doctor's check of the groups the answers name: each found in the identity store and
//! assigned to the application. Their members are then checked as people by
//! [`super::people`], from the one read of the assigned groups' members it already makes.

use super::{Check, Verdict};
use crate::cloud::directory::GroupMembers;
use crate::cloud::groups::{find_group, unknown_group};
use crate::cloud::{Application, Cloud};

/// A named group's check, and its id when it is assigned to the application (its members
/// are then checked too).
pub(super) struct NamedGroup {
    pub(super) check: Check,
    pub(super) assigned_id: Option<String>,
}

/// Finds each group of `wanted` and checks it is among `assigned` (the ids of the groups
/// assigned to `application`). `application` is `None` when no single application has the
/// display name: the assignment cannot be checked then.
pub(super) async fn check_named_groups(
    cloud: &dyn Cloud,
    store: &str,
    application: Option<&Application>,
    assigned: &[String],
    wanted: &[String],
) -> Vec<NamedGroup> {
    let mut out = Vec::new();
    // Read once, and only when a group is not found: for "did you mean".
    let mut known = None;
    for w in wanted {
        let w = w.trim();
        let mut check = Check::new("group", w);
        let group = match find_group(cloud, store, w).await {
            Ok(Some(g)) => g,
            Ok(None) => {
                if known.is_none() {
                    known = Some(cloud.list_groups(store).await.unwrap_or_default());
                }
                check.fail(
                    unknown_group(w, store, known.as_deref().unwrap_or_default()),
                    "name the group as Identity Center shows it, or create it there and add the people who sign in",
                    "not-assigned",
                );
                out.push(NamedGroup {
                    check,
                    assigned_id: None,
                });
                continue;
            }
            Err(e) => {
                out.push(NamedGroup {
                    check: Check::error("group", w, &e),
                    assigned_id: None,
                });
                continue;
            }
        };
        check.subject = group.display_name.clone();
        check.evidence.push(format!("group id {}", group.group_id));
        let mut assigned_id = None;
        match application {
            None => {
                check
                    .evidence
                    .push("assignment not checked: the application has to be found first".into());
                check.mark(
                    Verdict::Error,
                    Some("fix the application check above, then run doctor again".to_string()),
                    None,
                );
            }
            Some(app) if assigned.contains(&group.group_id) => {
                check.evidence.push(format!("assigned to {}", app.name));
                assigned_id = Some(group.group_id.clone());
            }
            Some(app) => check.fail(
                format!("not assigned to {}", app.name),
                format!(
                    "assign the group to the application (step 11, or `connect-sso apply --group \"{}\"`)",
                    group.display_name
                ),
                "not-assigned",
            ),
        }
        out.push(NamedGroup { check, assigned_id });
    }
    out
}

/// Says how many members each assigned named group has; one without members lets nobody
/// sign in.
pub(super) fn note_members(named: &mut [NamedGroup], members: &GroupMembers) {
    for g in named.iter_mut() {
        let Some(id) = &g.assigned_id else { continue };
        let n = members
            .members()
            .iter()
            .filter(|m| members.groups_of(m).contains(id))
            .count();
        if n == 0 {
            g.check.warn(
                "has no members, so nobody signs in through it",
                "add the people who sign in to the group in Identity Center",
                Some("not-assigned"),
            );
        } else {
            g.check
                .evidence
                .push(format!("{n} member(s), each checked below"));
        }
    }
}
