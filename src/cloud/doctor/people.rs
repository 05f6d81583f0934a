//! Doctor's checks of steps 1 and 11 and of the Connect users: the application by display
//! name, its assignments (direct or through groups), and for each person their Identity Center
//! user and the Connect user sign-in will look for.

use futures_util::future::join_all;

use super::{Check, Verdict};
use crate::cloud::ensure::find_user;
use crate::cloud::{
    Application, ApplicationAssignment, CUSTOM_SAML_PROVIDER, Cloud, CloudResult, ConnectUser,
    IdcInstance, IdcUser,
};
use crate::domain::setup::Setup;

/// The chain of dependent reads: Identity Center instance, then the application and the
/// users, then assignments, then each person's Connect user (and, for a person not assigned
/// directly, alongside it their membership in the assigned groups).
pub(super) async fn check_identity(
    cloud: &dyn Cloud,
    setup: &Setup,
    wanted: &[String],
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
    // The application's assignments and the named users are independent lookups.
    let (applications, named) = tokio::join!(
        find_application(cloud, &idc.instance_arn, setup),
        join_all(
            wanted
                .iter()
                .map(|w| async move { (w.clone(), find_user(cloud, store, w).await) })
        ),
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
    let instance_id = setup.instance.id.as_str();
    let Some(application) = application else {
        // Named people can still be checked in Identity Center and Connect.
        let user_checks = join_all(named.into_iter().map(|(asked, found)| async move {
            check_user(cloud, instance_id, store, None, &[], &[], asked, found).await
        }))
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
        .filter(|a| a.principal_type == "GROUP")
        .map(|a| a.principal_id.clone())
        .collect();
    // Without named users, everyone assigned directly is checked.
    let people: Vec<(String, CloudResult<Option<IdcUser>>)> = if wanted.is_empty() {
        let direct: Vec<&ApplicationAssignment> = assignments
            .iter()
            .filter(|a| a.principal_type == "USER")
            .collect();
        if direct.is_empty() {
            let mut c = Check::new("user", "assigned users");
            if !groups.is_empty() {
                // Listing a group's members is not a call doctor makes: name the people.
                c.warn(
                    format!(
                        "only groups are assigned ({}); their members were not checked",
                        groups.len()
                    ),
                    "name the people who sign in with --user EMAIL (once per person): doctor then checks that each is in an assigned group",
                    None,
                );
            } else {
                c.fail(
                    "no one is assigned to the application",
                    "assign the people who sign in (step 11, or `connect-sso apply --user EMAIL`)",
                    "not-assigned",
                );
            }
            checks.push(c);
            return (checks, Some(idc));
        }
        join_all(direct.into_iter().map(|a| async move {
            (
                a.principal_id.clone(),
                cloud.describe_user(store, &a.principal_id).await,
            )
        }))
        .await
    } else {
        named
    };
    let user_checks = join_all(people.into_iter().map(|(asked, found)| {
        let assignments = &assignments;
        let application = &application;
        let groups = &groups;
        async move {
            check_user(
                cloud,
                instance_id,
                store,
                Some(application),
                assignments,
                groups,
                asked,
                found,
            )
            .await
        }
    }))
    .await;
    checks.extend(user_checks);
    (checks, Some(idc))
}

/// The applications with the display name, and the first one's assignments.
async fn find_application(
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

#[allow(clippy::too_many_arguments)]
pub(super) async fn check_user(
    cloud: &dyn Cloud,
    instance_id: &str,
    store: &str,
    // `None` when no single application has the display name.
    application: Option<&Application>,
    assignments: &[ApplicationAssignment],
    // The ids of the groups assigned to the application.
    groups: &[String],
    asked: String,
    found: CloudResult<Option<IdcUser>>,
) -> Check {
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
        let mut check = check_connect_user(cloud, instance_id, user, check).await;
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
            Some(cloud.is_member_in_groups(store, &user_id, groups).await)
        }
    };
    let connect_subject = check.subject.clone();
    let (membership, connect) = tokio::join!(
        membership,
        check_connect_user(
            cloud,
            instance_id,
            user,
            Check::new("user", connect_subject)
        ),
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
pub(super) async fn check_connect_user(
    cloud: &dyn Cloud,
    instance_id: &str,
    user: IdcUser,
    mut check: Check,
) -> Check {
    let Some(email) = user.emails.first() else {
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
    match cloud.search_connect_user(instance_id, email).await {
        Err(e) => check.warn(format!("the Connect user {email} could not be checked"), e.to_string(), None),
        Ok(Some(ConnectUser { id, .. })) => check
            .evidence
            .push(format!("Connect user {email} exists ({id})")),
        Ok(None) => check.fail(
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
