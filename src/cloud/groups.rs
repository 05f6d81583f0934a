//! Step 11 for groups: each group the answers name (display name or group id) is found in
//! the identity store before anything changes, then assigned to the application with the
//! principal type `GROUP`, only when it is not assigned yet. Its members reach the
//! application through it; doctor checks them like people assigned one by one.

use serde::Serialize;

use super::ensure::Change;
use super::{Cloud, CloudError, CloudResult, IdcGroup, PrincipalType};
use crate::domain::suggest::did_you_mean;

/// A group of the answers, found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestedGroup {
    /// As the answers name it (display name or group id).
    pub requested: String,
    pub group: IdcGroup,
}

/// Why the groups could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GroupError {
    /// Groups the identity store does not have, each with its "did you mean".
    #[error("{}", .0.join("; "))]
    Unknown(Vec<String>),
    #[error(transparent)]
    Cloud(#[from] CloudError),
}

/// Whether `s` has the shape of an identity store group id: a UUID, optionally after a
/// 10-digit hexadecimal prefix and a dash (`9067c0ffee-...`), as AWS forms them.
pub fn looks_like_group_id(s: &str) -> bool {
    let uuid = match s.split_once('-') {
        Some((prefix, rest)) if prefix.len() == 10 && is_hex(prefix) => rest,
        _ => s,
    };
    let parts: Vec<&str> = uuid.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && is_hex(p))
}

fn is_hex(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The group `wanted` names: by display name first (`GetGroupId`, exact, letter case
/// included), then, when it has the shape of a group id, by id (`DescribeGroup`). `None`
/// when the identity store has neither.
pub async fn find_group(
    cloud: &dyn Cloud,
    identity_store_id: &str,
    wanted: &str,
) -> CloudResult<Option<IdcGroup>> {
    let wanted = wanted.trim();
    if let Some(group_id) = cloud
        .group_id_by_display_name(identity_store_id, wanted)
        .await?
    {
        return Ok(Some(IdcGroup {
            group_id,
            display_name: wanted.to_string(),
        }));
    }
    if looks_like_group_id(wanted) {
        return cloud.describe_group(identity_store_id, wanted).await;
    }
    Ok(None)
}

/// Every group of `wanted`, found, each once (a group named twice, by name and by id, is
/// one). Any group not found fails the whole request, with a suggestion from the identity
/// store's groups (read once, and only then), so nothing is assigned for a typo.
pub async fn resolve_groups(
    cloud: &dyn Cloud,
    identity_store_id: &str,
    wanted: &[String],
) -> Result<Vec<RequestedGroup>, GroupError> {
    let mut found: Vec<RequestedGroup> = Vec::new();
    let mut missing: Vec<&str> = Vec::new();
    for w in wanted {
        match find_group(cloud, identity_store_id, w).await? {
            Some(group) if found.iter().any(|f| f.group.group_id == group.group_id) => {}
            Some(group) => found.push(RequestedGroup {
                requested: w.trim().to_string(),
                group,
            }),
            None => missing.push(w.trim()),
        }
    }
    if missing.is_empty() {
        return Ok(found);
    }
    // A refused list only costs the suggestion.
    let known = cloud
        .list_groups(identity_store_id)
        .await
        .unwrap_or_default();
    let messages = missing
        .into_iter()
        .map(|w| unknown_group(w, identity_store_id, &known))
        .collect();
    Err(GroupError::Unknown(messages))
}

/// What is wrong when the identity store has no group `wanted`, with the fix: the closest
/// of the `known` display names, or where to look.
pub fn unknown_group(wanted: &str, identity_store_id: &str, known: &[IdcGroup]) -> String {
    let hint = match did_you_mean(wanted, known.iter().map(|g| g.display_name.as_str())).as_slice()
    {
        [] => "check the spelling (display names match exactly, letter case included), or give the group id from the IAM Identity Center console's Groups page".to_string(),
        names => format!(
            "did you mean {}?",
            names
                .iter()
                .map(|n| format!("\"{n}\""))
                .collect::<Vec<_>>()
                .join(" or ")
        ),
    };
    format!(
        "no Identity Center group has the display name or group id \"{wanted}\" (identity store {identity_store_id}): {hint}"
    )
}

/// One group of step 11: found, and assigned to the application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupOutcome {
    /// As the answers name it.
    pub requested: String,
    pub group_id: String,
    pub display_name: String,
    pub assignment: Change,
}

impl GroupOutcome {
    /// This group in words, as apply shows it: "Contact center agents: assignment created".
    pub fn in_words(&self) -> String {
        let assignment = match self.assignment {
            Change::Unchanged => "already assigned",
            Change::Created => "assignment created",
            Change::WouldCreate => "would be assigned",
            _ => "not assigned",
        };
        let name = if self.requested == self.display_name {
            self.display_name.clone()
        } else {
            format!("{} ({})", self.display_name, self.requested)
        };
        format!("{name}: {assignment} (group {})", self.group_id)
    }
}

/// Assigns each group to the application unless it already is (one
/// `ListApplicationAssignments`, then one `CreateApplicationAssignment` per group missing).
/// `application_arn` is `None` in a dry run before step 1's application exists: every group
/// would be assigned. When a call fails, what was done before it is returned beside the
/// error.
pub async fn ensure_groups(
    cloud: &dyn Cloud,
    application_arn: Option<&str>,
    groups: &[RequestedGroup],
    dry_run: bool,
) -> (Vec<GroupOutcome>, Option<CloudError>) {
    let mut out = Vec::new();
    if groups.is_empty() {
        return (out, None);
    }
    let assigned: Vec<String> = match application_arn {
        Some(arn) => match cloud.list_application_assignments(arn).await {
            Ok(list) => list
                .into_iter()
                .filter(|a| a.is(PrincipalType::Group))
                .map(|a| a.principal_id)
                .collect(),
            Err(e) => return (out, Some(e)),
        },
        None => Vec::new(),
    };
    for g in groups {
        let assignment = if assigned.contains(&g.group.group_id) {
            Change::Unchanged
        } else {
            match application_arn.filter(|_| !dry_run) {
                Some(arn) => {
                    if let Err(e) = cloud
                        .create_application_assignment(arn, PrincipalType::Group, &g.group.group_id)
                        .await
                    {
                        return (out, Some(e));
                    }
                    Change::Created
                }
                None => Change::WouldCreate,
            }
        };
        out.push(GroupOutcome {
            requested: g.requested.clone(),
            group_id: g.group.group_id.clone(),
            display_name: g.group.display_name.clone(),
            assignment,
        });
    }
    (out, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::api::*;
    use crate::cloud::sandbox::{SANDBOX_GROUPS, SANDBOX_IDENTITY_STORE_ID, Sandbox};

    const STORE: &str = SANDBOX_IDENTITY_STORE_ID;

    #[test]
    fn group_ids_are_told_from_names() {
        assert!(looks_like_group_id(SANDBOX_GROUPS[0].group_id));
        assert!(looks_like_group_id("a1b2c3d4-1234-4abc-8def-0123456789ab"));
        assert!(!looks_like_group_id("Contact center agents"));
        assert!(!looks_like_group_id("a1b2c3d4-1234-4abc-8def-0123456789a"));
        assert!(!looks_like_group_id(
            "zzzzzzzzzz-a1b2c3d4-1234-4abc-8def-0123456789ab"
        ));
        assert!(!looks_like_group_id(""));
    }

    #[tokio::test]
    async fn groups_are_found_by_display_name_or_id_each_once() {
        let sb = Sandbox::new();
        let agents = SANDBOX_GROUPS[0];
        let wanted = [
            agents.display_name.to_string(),
            format!(" {} ", SANDBOX_GROUPS[1].group_id),
            agents.group_id.to_string(),
        ];
        let found = resolve_groups(&sb, STORE, &wanted).await.unwrap();
        let ids: Vec<&str> = found.iter().map(|f| f.group.group_id.as_str()).collect();
        assert_eq!(ids, [agents.group_id, SANDBOX_GROUPS[1].group_id]);
        assert_eq!(found[1].group.display_name, SANDBOX_GROUPS[1].display_name);
        assert_eq!(found[1].requested, SANDBOX_GROUPS[1].group_id);
        // Found without listing every group.
        assert!(!sb.calls().iter().any(|c| c == "identitystore:ListGroups"));
    }

    #[tokio::test]
    async fn an_unknown_group_fails_with_a_suggestion() {
        let sb = Sandbox::new();
        let wanted = [
            "contact center agents".to_string(),
            "Supervisors".to_string(),
            "Nobody at all".to_string(),
        ];
        let Err(GroupError::Unknown(messages)) = resolve_groups(&sb, STORE, &wanted).await else {
            panic!("expected unknown groups");
        };
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(
            messages[0].contains("did you mean \"Contact center agents\"?"),
            "{messages:?}"
        );
        assert!(messages[1].contains("check the spelling"), "{messages:?}");
        let lists = sb
            .calls()
            .iter()
            .filter(|c| *c == "identitystore:ListGroups")
            .count();
        assert_eq!(lists, 1);
    }

    #[tokio::test]
    async fn groups_are_assigned_once() {
        let sb = Sandbox::new();
        let app = sb.simulate_create_application("Connect");
        let wanted = [SANDBOX_GROUPS[0].display_name.to_string()];
        let groups = resolve_groups(&sb, STORE, &wanted).await.unwrap();

        let (dry, error) = ensure_groups(&sb, Some(&app), &groups, true).await;
        assert_eq!((dry[0].assignment, error), (Change::WouldCreate, None));
        assert!(
            sb.list_application_assignments(&app)
                .await
                .unwrap()
                .is_empty()
        );

        let (done, error) = ensure_groups(&sb, Some(&app), &groups, false).await;
        assert_eq!((done[0].assignment, error), (Change::Created, None));
        assert_eq!(
            done[0].in_words(),
            format!(
                "Contact center agents: assignment created (group {})",
                SANDBOX_GROUPS[0].group_id
            )
        );
        let assigned = sb.list_application_assignments(&app).await.unwrap();
        assert_eq!(assigned.len(), 1);
        assert!(assigned[0].is(PrincipalType::Group));

        sb.clear_calls();
        let (again, error) = ensure_groups(&sb, Some(&app), &groups, false).await;
        assert_eq!((again[0].assignment, error), (Change::Unchanged, None));
        assert_eq!(sb.calls(), ["sso:ListApplicationAssignments"]);
    }

    #[tokio::test]
    async fn a_failed_assignment_keeps_what_was_done_before_it() {
        let sb = Sandbox::new();
        let app = sb.simulate_create_application("Connect");
        let wanted: Vec<String> = SANDBOX_GROUPS
            .iter()
            .map(|g| g.display_name.to_string())
            .collect();
        let groups = resolve_groups(&sb, STORE, &wanted).await.unwrap();
        sb.create_application_assignment(&app, PrincipalType::Group, SANDBOX_GROUPS[0].group_id)
            .await
            .unwrap();
        sb.inject_fault(
            crate::cloud::sandbox::parse_fault("deny:sso:CreateApplicationAssignment").unwrap(),
        );
        let (done, error) = ensure_groups(&sb, Some(&app), &groups, false).await;
        assert_eq!(done.len(), 1);
        assert_eq!(done[0].assignment, Change::Unchanged);
        assert!(
            matches!(error, Some(CloudError::AccessDenied { .. })),
            "{error:?}"
        );
    }
}
