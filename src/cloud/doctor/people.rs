//! Doctor's checks of steps 1 and 11 and of the Connect users: the application by display
//! name, its assignments (direct or through groups), and for each person their Identity Center
//! user and the Connect user sign-in will look for.
//!
//! A handful of people are looked up one by one; more than
//! [`BULK_THRESHOLD`](crate::cloud::directory::BULK_THRESHOLD) are compared
//! in memory with one read of each population (see [`crate::cloud::directory`]): the identity
//! store's users, the Connect instance's users, and the members of each assigned group.
//! Per-person calls run at most [`MAX_IN_FLIGHT`](crate::cloud::directory::MAX_IN_FLIGHT) at
//! a time.

use super::groups::{check_named_groups, note_members};
use super::{Check, Verdict};
use crate::cloud::directory::{
    ConnectDirectory, ConnectMatch, GroupMembers, IdcDirectory, bounded, connect_user_name,
    group_members, is_bulk,
};
use crate::cloud::ensure::find_user;
use crate::cloud::{
    Application, ApplicationAssignment, CUSTOM_SAML_PROVIDER, Cloud, CloudResult, ConnectUser,
    IdcInstance, IdcUser, PrincipalType,
};
use crate::domain::setup::Setup;

/// How each person's Connect user and group membership are found.
struct Lookups<'a> {
    cloud: &'a dyn Cloud,
    instance_id: &'a str,
    store: &'a str,
    /// The instance's users, read once; `None`: one `SearchUsers` per person.
    connect: Option<CloudResult<ConnectDirectory>>,
    /// The members of the assigned groups, read once; `None`: one `IsMemberInGroups` per
    /// person not assigned directly.
    members: Option<CloudResult<GroupMembers>>,
}

/// The people to check, each as asked for (a user name, an email or a user id) with what the
/// identity store holds for them.
type People = Vec<(String, CloudResult<Option<IdcUser>>)>;

/// The named people, one lookup each for a handful, else from one read of the identity store
/// (with one read of the Connect instance's users beside it).
async fn find_people(
    cloud: &dyn Cloud,
    store: &str,
    instance_id: &str,
    wanted: &[String],
) -> (People, Option<CloudResult<ConnectDirectory>>) {
    if !is_bulk(wanted.len()) {
        let people = bounded(wanted, |w| async move {
            (w.clone(), find_user(cloud, store, w).await)
        })
        .await;
        return (people, None);
    }
    let (idc, connect) = tokio::join!(
        IdcDirectory::read(cloud, store),
        ConnectDirectory::read(cloud, instance_id),
    );
    let people = wanted
        .iter()
        .map(|w| {
            let found = match &idc {
                Ok(d) => Ok(d.find(w).cloned()),
                Err(e) => Err(e.clone()),
            };
            (w.clone(), found)
        })
        .collect();
    (people, Some(connect))
}

/// The people assigned (directly, or as members of an assigned group) by user id: one
/// `DescribeUser` each for a handful, else from one read of the identity store (with one
/// read of the Connect instance's users beside it).
async fn describe_people(
    cloud: &dyn Cloud,
    store: &str,
    instance_id: &str,
    user_ids: Vec<String>,
) -> (People, Option<CloudResult<ConnectDirectory>>) {
    if !is_bulk(user_ids.len()) {
        let people = bounded(user_ids, |id| async move {
            let found = cloud.describe_user(store, &id).await;
            (id, found)
        })
        .await;
        return (people, None);
    }
    let (idc, connect) = tokio::join!(
        IdcDirectory::read(cloud, store),
        ConnectDirectory::read(cloud, instance_id),
    );
    let people = user_ids
        .into_iter()
        .map(|id| {
            let found = match &idc {
                Ok(d) => Ok(d.by_id(&id).cloned()),
                Err(e) => Err(e.clone()),
            };
            (id, found)
        })
        .collect();
    (people, Some(connect))
}

/// The chain of dependent reads: Identity Center instance, then the application and the
/// users, then assignments, then each person's Connect user (and, for a person not assigned
/// directly, alongside it their membership in the assigned groups).
pub(super) async fn check_identity(
    cloud: &dyn Cloud,
    setup: &Setup,
    wanted: &[String],
    wanted_groups: &[String],
) -> (Vec<Check>, Option<IdcInstance>) {
    let mut app = Check::new("application", format!("\"{}\"", setup.app_name));
    let idc = match cloud.list_idc_instances().await {
        Err(e) => return (vec![Check::error("application", app.subject, &e)], None),
        Ok(list) => list.into_iter().next(),
    };
    let Some(idc) = idc else {
        app.fail(
            "the identity context sees no IAM Identity Center instance",
            "enable Identity Center, or point --identity-profile / --identity-region at the account and region where it runs",
            "not-assigned",
        );
        return (vec![app], None);
    };
    let store = idc.identity_store_id.as_str();
    let instance_id = setup.instance.id.as_str();
    // The application's assignments and the named users are independent lookups.
    let (applications, (named, named_connect)) = tokio::join!(
        find_application(cloud, &idc.instance_arn, setup),
        find_people(cloud, store, instance_id, wanted),
    );
    let (application, assignments) = match applications {
        Err(e) => {
            return (
                vec![Check::error("application", app.subject, &e)],
                Some(idc),
            );
        }
        Ok((apps, assignments)) => {
            match apps.as_slice() {
                [] => app.fail(
                    format!("no custom SAML application is named \"{}\"", setup.app_name),
                    "add the custom SAML 2.0 application in Identity Center with exactly this display name (step 1)",
                    "not-assigned",
                ),
                [one] => app.evidence.push(format!(
                    "{}{}",
                    one.arn,
                    one.status.as_deref().map(|s| format!(" ({s})")).unwrap_or_default()
                )),
                many => app.fail(
                    format!("{} applications have this display name: {}", many.len(), many.iter().map(|a| a.arn.as_str()).collect::<Vec<_>>().join(", ")),
                    "delete or rename all but one, so people and assignments meet in one place",
                    "not-assigned",
                ),
            }
            (
                apps.into_iter()
                    .next()
                    .filter(|_| app.verdict == Verdict::Pass),
                assignments,
            )
        }
    };
    let mut checks = vec![app];
    let Some(application) = application else {
        // Named groups and people can still be checked in Identity Center and Connect.
        let named_groups = check_named_groups(cloud, store, None, &[], wanted_groups).await;
        checks.extend(named_groups.into_iter().map(|g| g.check));
        let lookups = Lookups {
            cloud,
            instance_id,
            store,
            connect: named_connect,
            members: None,
        };
        let lookups = &lookups;
        let user_checks = bounded(named, |(asked, found)| async move {
            check_user(lookups, None, &[], &[], asked, found).await
        })
        .await;
        checks.extend(user_checks);
        return (checks, Some(idc));
    };
    let assignments = match assignments {
        Ok(a) => a,
        Err(e) => {
            checks.push(Check::error("user", "assignments", &e));
            return (checks, Some(idc));
        }
    };
    let groups: Vec<String> = assignments
        .iter()
        .filter(|a| a.is(PrincipalType::Group))
        .map(|a| a.principal_id.clone())
        .collect();
    let mut named_groups =
        check_named_groups(cloud, store, Some(&application), &groups, wanted_groups).await;
    let named_assigned: Vec<String> = named_groups
        .iter()
        .filter_map(|g| g.assigned_id.clone())
        .collect();
    let (people, connect, members) = if wanted.is_empty() && wanted_groups.is_empty() {
        // Without named users, everyone assigned is checked: directly, and the members of
        // every assigned group.
        let mut ids: Vec<String> = assignments
            .iter()
            .filter(|a| a.is(PrincipalType::User))
            .map(|a| a.principal_id.clone())
            .collect();
        let members = if groups.is_empty() {
            None
        } else {
            let members = group_members(cloud, store, &groups).await;
            match &members {
                Ok(m) => {
                    for id in m.members() {
                        if !ids.contains(id) {
                            ids.push(id.clone());
                        }
                    }
                }
                Err(e) => checks.push(members_unlisted(groups.len(), e)),
            }
            Some(members)
        };
        if ids.is_empty() {
            if members.as_ref().is_some_and(|m| m.is_err()) {
                return (checks, Some(idc));
            }
            let mut c = Check::new("user", super::ASSIGNED_USERS);
            if groups.is_empty() {
                c.fail(
                    "no one is assigned to the application",
                    "assign the people who sign in (step 11, or `connect-sso apply --user EMAIL`)",
                    "not-assigned",
                );
            } else {
                c.fail(
                    format!(
                        "only groups are assigned ({}) and they have no members",
                        groups.len()
                    ),
                    "add the people who sign in to an assigned group in Identity Center, or assign them directly (`connect-sso apply --user EMAIL`)",
                    "not-assigned",
                );
            }
            checks.push(c);
            return (checks, Some(idc));
        }
        let (people, connect) = describe_people(cloud, store, instance_id, ids).await;
        (people, connect, members)
    } else {
        // Many named people not all assigned directly, or named groups whose members are
        // checked too: the assigned groups' members are read once.
        let members = if (is_bulk(named.len()) || !named_assigned.is_empty()) && !groups.is_empty()
        {
            Some(group_members(cloud, store, &groups).await)
        } else {
            None
        };
        let mut people = named;
        let mut connect = named_connect;
        match &members {
            Some(Ok(m)) if !named_assigned.is_empty() => {
                note_members(&mut named_groups, m);
                let known: Vec<String> = people
                    .iter()
                    .filter_map(|(_, found)| Some(found.as_ref().ok()?.as_ref()?.user_id.clone()))
                    .collect();
                let ids: Vec<String> = m
                    .members()
                    .iter()
                    .filter(|id| !known.contains(id))
                    .filter(|id| m.groups_of(id).iter().any(|g| named_assigned.contains(g)))
                    .cloned()
                    .collect();
                let (extra, extra_connect) = describe_people(cloud, store, instance_id, ids).await;
                people.extend(extra);
                connect = connect.or(extra_connect);
            }
            Some(Err(e)) if !named_assigned.is_empty() => {
                checks.push(members_unlisted(named_assigned.len(), e));
            }
            _ => {}
        }
        (people, connect, members)
    };
    // The group checks come after the application's, before the people they let in.
    for (i, g) in named_groups.into_iter().enumerate() {
        checks.insert(1 + i, g.check);
    }
    let lookups = Lookups {
        cloud,
        instance_id,
        store,
        connect,
        members,
    };
    let lookups = &lookups;
    let assignments = &assignments;
    let application = &application;
    let groups = &groups;
    let user_checks = bounded(people, |(asked, found)| async move {
        check_user(
            lookups,
            Some(application),
            assignments,
            groups,
            asked,
            found,
        )
        .await
    })
    .await;
    checks.extend(user_checks);
    (checks, Some(idc))
}

/// The members of assigned groups could not be listed: they were not checked.
fn members_unlisted(groups: usize, e: &crate::cloud::CloudError) -> Check {
    let mut c = Check::new("user", "members of the assigned groups");
    c.warn(
        format!(
            "the members of the {groups} assigned group(s) could not be listed, so they were not checked"
        ),
        format!("{e}; or name the people who sign in with --user EMAIL (once per person)"),
        Some("not-assigned"),
    );
    c
}

/// The applications with the display name, and the first one's assignments.
pub(crate) async fn find_application(
    cloud: &dyn Cloud,
    instance_arn: &str,
    setup: &Setup,
) -> CloudResult<(Vec<Application>, CloudResult<Vec<ApplicationAssignment>>)> {
    let apps: Vec<Application> = cloud
        .list_applications(instance_arn)
        .await?
        .into_iter()
        .filter(|a| a.provider_arn == CUSTOM_SAML_PROVIDER && a.name == setup.app_name.as_str())
        .collect();
    let assignments = match apps.as_slice() {
        [one] => cloud.list_application_assignments(&one.arn).await,
        _ => Ok(Vec::new()),
    };
    Ok((apps, assignments))
}

async fn check_user(
    lookups: &Lookups<'_>,
    // `None` when no single application has the display name.
    application: Option<&Application>,
    assignments: &[ApplicationAssignment],
    // The ids of the groups assigned to the application.
    groups: &[String],
    asked: String,
    found: CloudResult<Option<IdcUser>>,
) -> Check {
    let store = lookups.store;
    let mut check = Check::new("user", asked.clone());
    let user = match found {
        Err(e) => return Check::error("user", asked, &e),
        Ok(None) => {
            check.fail(
                format!("no Identity Center user has the user name or email {asked} (identity store {store})"),
                "check the spelling, or create the user in Identity Center",
                "not-assigned",
            );
            return check;
        }
        Ok(Some(u)) => u,
    };
    check.subject = user.user_name.clone();
    let Some(application) = application else {
        let mut check = check_connect_user(lookups, user, check).await;
        check
            .evidence
            .push("assignment not checked: the application has to be found first".to_string());
        check.mark(
            Verdict::Error,
            Some("fix the application check above, then run doctor again".to_string()),
            None,
        );
        return check;
    };
    let assign_fix = format!(
        "assign {} to the application (step 11, or `connect-sso apply --user {}`)",
        user.user_name, asked
    );
    let direct = assignments.iter().any(|a| a.principal_id == user.user_id);
    // Group membership and the Connect user are independent reads: one round trip for both.
    let user_id = user.user_id.clone();
    let membership = async {
        if direct || groups.is_empty() {
            None
        } else {
            Some(match &lookups.members {
                Some(Ok(members)) => Ok(members.groups_of(&user_id)),
                Some(Err(e)) => Err(e.clone()),
                None => {
                    lookups
                        .cloud
                        .is_member_in_groups(store, &user_id, groups)
                        .await
                }
            })
        }
    };
    let connect_subject = check.subject.clone();
    let (membership, connect) = tokio::join!(
        membership,
        check_connect_user(lookups, user, Check::new("user", connect_subject)),
    );
    match membership {
        None if direct => check
            .evidence
            .push(format!("assigned to {}", application.name)),
        None => check.fail(
            format!("not assigned to {}", application.name),
            assign_fix,
            "not-assigned",
        ),
        Some(Ok(member_of)) if !member_of.is_empty() => check.evidence.push(format!(
            "assigned to {} through group {}",
            application.name,
            member_of.join(", ")
        )),
        Some(Ok(_)) => check.fail(
            format!(
                "not assigned to {}, neither directly nor through its {} assigned group(s) ({})",
                application.name,
                groups.len(),
                groups.join(", ")
            ),
            format!("{assign_fix}, or add them to an assigned group in Identity Center"),
            "not-assigned",
        ),
        Some(Err(e)) => check.warn(
            format!(
                "not assigned directly; {} group(s) are assigned and membership could not be checked",
                groups.len()
            ),
            format!("{e}; or assign the person directly"),
            Some("not-assigned"),
        ),
    }
    check.absorb(connect);
    check
}

/// The person's email, which RoleSessionName carries, names a Connect user exactly.
async fn check_connect_user(lookups: &Lookups<'_>, user: IdcUser, mut check: Check) -> Check {
    let Some(email) = connect_user_name(&user) else {
        check.fail(
            "has no email, so RoleSessionName (${user:email}) is empty",
            "add an email address to the user in Identity Center",
            "invalid-saml-response",
        );
        return check;
    };
    if looks_like_upn(email) {
        check.warn(
            format!("the email {email} looks like a directory logon name, not a mailbox"),
            "map the email attribute to the directory's mail attribute in Identity Center's identity source settings",
            Some("windows-upn"),
        );
    }
    let searched: Option<(CloudResult<Option<ConnectUser>>, Option<ConnectUser>)>;
    let found: CloudResult<ConnectMatch<'_>>;
    match &lookups.connect {
        Some(Ok(directory)) => found = Ok(directory.find(email)),
        Some(Err(e)) => found = Err(e.clone()),
        None => {
            // The exact name, and on a miss the all-lowercase one, as the inspector looks.
            searched = crate::cloud::inspect::find_connect_user(
                lookups.cloud,
                lookups.instance_id,
                Some(email),
            )
            .await;
            found = match &searched {
                Some((Ok(Some(u)), _)) => Ok(ConnectMatch::Exact(u)),
                Some((Ok(None), Some(near))) => {
                    Ok(ConnectMatch::NearMiss(vec![near.username.as_str()]))
                }
                Some((Ok(None), None)) | None => Ok(ConnectMatch::Missing),
                Some((Err(e), _)) => Err(e.clone()),
            };
        }
    }
    match found {
        Err(e) => check.warn(
            format!("the Connect user {email} could not be checked"),
            e.to_string(),
            None,
        ),
        Ok(ConnectMatch::Exact(ConnectUser { id, .. })) => check
            .evidence
            .push(format!("Connect user {email} exists ({id})")),
        Ok(ConnectMatch::NearMiss(names)) => check.fail(
            format!(
                "the Connect instance has no user named exactly {email} (RoleSessionName); {} differs only in letter case, and Connect compares user names case-sensitively",
                names.join(", ")
            ),
            format!(
                "rename the Connect user {} to {email}, or create the Connect user {email} (`connect-sso apply --user {email} --create-connect-users`)",
                names[0]
            ),
            "not-onboarded",
        ),
        Ok(ConnectMatch::Missing) => check.fail(
            format!("the Connect instance has no user named exactly {email} (RoleSessionName)"),
            format!("create the Connect user {email} (user names are case-sensitive), or run `connect-sso apply --user {email} --create-connect-users`"),
            "not-onboarded",
        ),
    }
    check
}

/// Emails an on-premises directory fills with a logon name: a backslash, or a domain that
/// is not routable on the internet.
fn looks_like_upn(email: &str) -> bool {
    let domain = email
        .rsplit_once('@')
        .map_or("", |(_, d)| d)
        .to_ascii_lowercase();
    email.contains('\\')
        || !email.contains('@')
        || [
            ".local",
            ".corp",
            ".lan",
            ".internal",
            ".localdomain",
            ".ad",
        ]
        .iter()
        .any(|t| domain.ends_with(t))
        || !domain.contains('.')
}
