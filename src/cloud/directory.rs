//! Many people at once. For a handful of people one lookup each is cheapest (`GetUserId`,
//! `DescribeUser`, `SearchUsers`); beyond [`BULK_THRESHOLD`] each population is read once
//! (the identity store's users, the Connect instance's users, the members of each group) and
//! people are matched in memory, so the number of calls grows with pages, not people. Calls
//! that remain per person run at most [`MAX_IN_FLIGHT`] at a time.

use std::collections::HashMap;
use std::future::Future;

use futures_util::stream::{self, StreamExt};

use super::{Cloud, CloudResult, ConnectUser, IdcUser};

/// The Connect user name sign-in looks for a person under: the RoleSessionName value, which
/// this setup's attribute mapping fills with `${user:email}`, the user's primary email.
/// `None` when the user has no email, so the mapping sends nothing.
pub fn connect_user_name(user: &IdcUser) -> Option<&str> {
    user.emails.first().map(String::as_str)
}

/// Up to this many people are looked up one by one; more are compared with bulk reads.
pub const BULK_THRESHOLD: usize = 5;

/// Per-person calls in flight at once.
pub const MAX_IN_FLIGHT: usize = 8;

/// Whether `people` people are compared with bulk reads rather than one lookup each.
pub fn is_bulk(people: usize) -> bool {
    people > BULK_THRESHOLD
}

/// `f` for every item, at most [`MAX_IN_FLIGHT`] at a time, results in the items' order.
pub async fn bounded<I, T, F, Fut>(items: I, f: F) -> Vec<T>
where
    I: IntoIterator,
    F: FnMut(I::Item) -> Fut,
    Fut: Future<Output = T>,
{
    // The futures are made before the first await (none starts until polled), so the
    // closure is not held across an await: that keeps the caller's future `Send`.
    let futures: Vec<Fut> = items.into_iter().map(f).collect();
    stream::iter(futures)
        .buffered(MAX_IN_FLIGHT)
        .collect()
        .await
}

/// The identity store's users, read once, found as [`find_user`] finds them one by one: by
/// email (any letter case, as `GetUserId` on `emails.value` matches) when the text has an @,
/// else, or when no email matches, by exact user name.
///
/// [`find_user`]: super::ensure::find_user
#[derive(Debug, Clone, Default)]
pub struct IdcDirectory {
    users: Vec<IdcUser>,
    by_id: HashMap<String, usize>,
    by_user_name: HashMap<String, usize>,
    by_email: HashMap<String, usize>,
}

impl IdcDirectory {
    pub fn new(users: Vec<IdcUser>) -> IdcDirectory {
        let mut d = IdcDirectory::default();
        for (i, u) in users.iter().enumerate() {
            d.by_id.entry(u.user_id.clone()).or_insert(i);
            d.by_user_name.entry(u.user_name.clone()).or_insert(i);
            for e in &u.emails {
                d.by_email.entry(e.to_lowercase()).or_insert(i);
            }
        }
        d.users = users;
        d
    }

    /// Reads every user of the store (100 a page).
    pub async fn read(cloud: &dyn Cloud, identity_store_id: &str) -> CloudResult<IdcDirectory> {
        Ok(IdcDirectory::new(
            cloud.list_users(identity_store_id).await?,
        ))
    }

    pub fn find(&self, wanted: &str) -> Option<&IdcUser> {
        let by_email = wanted
            .contains('@')
            .then(|| self.by_email.get(&wanted.to_lowercase()))
            .flatten();
        by_email
            .or_else(|| self.by_user_name.get(wanted))
            .map(|&i| &self.users[i])
    }

    pub fn by_id(&self, user_id: &str) -> Option<&IdcUser> {
        self.by_id.get(user_id).map(|&i| &self.users[i])
    }

    pub fn users(&self) -> &[IdcUser] {
        &self.users
    }
}

/// What the instance holds for a Connect user name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectMatch<'a> {
    /// A user with exactly this name: sign-in finds it.
    Exact(&'a ConnectUser),
    /// No exact match, but users whose names differ only in letter case: sign-in does not
    /// find them (Connect compares user names case-sensitively).
    NearMiss(Vec<&'a str>),
    Missing,
}

/// The Connect instance's users, read once (`ListUsers`, 1,000 a page).
#[derive(Debug, Clone, Default)]
pub struct ConnectDirectory {
    exact: HashMap<String, ConnectUser>,
    /// Lower-cased user name -> the user names that fold to it.
    folded: HashMap<String, Vec<String>>,
}

impl ConnectDirectory {
    pub fn new(users: Vec<ConnectUser>) -> ConnectDirectory {
        let mut d = ConnectDirectory::default();
        for u in users {
            d.folded
                .entry(u.username.to_lowercase())
                .or_default()
                .push(u.username.clone());
            d.exact.entry(u.username.clone()).or_insert(u);
        }
        d
    }

    pub async fn read(cloud: &dyn Cloud, instance_id: &str) -> CloudResult<ConnectDirectory> {
        Ok(ConnectDirectory::new(
            cloud.list_connect_users(instance_id).await?,
        ))
    }

    /// The user named exactly `username` (case-sensitive, as the RoleSessionName is
    /// compared), else the names that differ from it only in letter case.
    pub fn find(&self, username: &str) -> ConnectMatch<'_> {
        if let Some(u) = self.exact.get(username) {
            return ConnectMatch::Exact(u);
        }
        match self.folded.get(&username.to_lowercase()) {
            Some(names) if !names.is_empty() => {
                ConnectMatch::NearMiss(names.iter().map(String::as_str).collect())
            }
            _ => ConnectMatch::Missing,
        }
    }

    /// A user created since the read.
    pub fn insert(&mut self, user: ConnectUser) {
        let names = self.folded.entry(user.username.to_lowercase()).or_default();
        if !names.contains(&user.username) {
            names.push(user.username.clone());
        }
        self.exact.insert(user.username.clone(), user);
    }

    /// Every user, in no particular order.
    pub fn users(&self) -> impl Iterator<Item = &ConnectUser> {
        self.exact.values()
    }

    pub fn len(&self) -> usize {
        self.exact.len()
    }

    pub fn is_empty(&self) -> bool {
        self.exact.is_empty()
    }
}

/// The members of each group, read once per group (`ListGroupMemberships`, 100 a page, at
/// most [`MAX_IN_FLIGHT`] groups at a time): user id -> the groups (of `group_ids`, in their
/// order) the user is a member of.
pub async fn group_members(
    cloud: &dyn Cloud,
    identity_store_id: &str,
    group_ids: &[String],
) -> CloudResult<GroupMembers> {
    let lists = bounded(group_ids, |g| async move {
        cloud
            .list_group_memberships(identity_store_id, g)
            .await
            .map(|members| (g.clone(), members))
    })
    .await;
    let mut out = GroupMembers::default();
    for list in lists {
        let (group, members) = list?;
        for m in members {
            if !out.groups_of.contains_key(&m) {
                out.order.push(m.clone());
            }
            let groups = out.groups_of.entry(m).or_default();
            if !groups.contains(&group) {
                groups.push(group.clone());
            }
        }
    }
    Ok(out)
}

/// Who is in which of the groups read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupMembers {
    groups_of: HashMap<String, Vec<String>>,
    /// Member user ids, each once, in the order first met.
    order: Vec<String>,
}

impl GroupMembers {
    /// The groups the user is in (empty when none).
    pub fn groups_of(&self, user_id: &str) -> Vec<String> {
        self.groups_of.get(user_id).cloned().unwrap_or_default()
    }

    /// Every member, each once.
    pub fn members(&self) -> &[String] {
        &self.order
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idc(id: &str, name: &str, email: &str) -> IdcUser {
        IdcUser {
            user_id: id.to_string(),
            user_name: name.to_string(),
            display_name: None,
            given_name: None,
            family_name: None,
            emails: vec![email.to_string()],
        }
    }

    fn connect(name: &str) -> ConnectUser {
        ConnectUser {
            id: format!("id-{name}"),
            arn: format!("arn:{name}"),
            username: name.to_string(),
        }
    }

    #[test]
    fn people_are_found_by_email_in_any_case_then_by_exact_user_name() {
        let d = IdcDirectory::new(vec![
            idc("1", "akhan", "aisha.khan@example.com"),
            idc("2", "Li.Wei@Example.com", "Li.Wei@Example.com"),
        ]);
        assert_eq!(d.find("AISHA.KHAN@example.com").unwrap().user_id, "1");
        assert_eq!(d.find("akhan").unwrap().user_id, "1");
        assert!(d.find("AKHAN").is_none());
        assert_eq!(d.find("li.wei@example.com").unwrap().user_id, "2");
        assert_eq!(d.by_id("2").unwrap().user_name, "Li.Wei@Example.com");
        assert!(d.by_id("3").is_none());
        assert!(d.find("nobody@example.com").is_none());
    }

    #[test]
    fn connect_user_names_match_exactly_and_other_cases_are_near_misses() {
        let d = ConnectDirectory::new(vec![
            connect("maria@example.com"),
            connect("Li.Wei@example.com"),
        ]);
        assert!(
            matches!(d.find("maria@example.com"), ConnectMatch::Exact(u) if u.id == "id-maria@example.com")
        );
        assert_eq!(
            d.find("Li.Wei@Example.com"),
            ConnectMatch::NearMiss(vec!["Li.Wei@example.com"])
        );
        assert_eq!(d.find("kwame@example.com"), ConnectMatch::Missing);
        assert_eq!(d.len(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn bounded_keeps_the_order_and_the_limit() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        let now = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let out = bounded(0..30u64, |i| {
            let (now, peak) = (now.clone(), peak.clone());
            async move {
                let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(n, Ordering::SeqCst);
                tokio::time::sleep(std::time::Duration::from_millis(30 - i)).await;
                now.fetch_sub(1, Ordering::SeqCst);
                i
            }
        })
        .await;
        assert_eq!(out, (0..30).collect::<Vec<_>>());
        assert_eq!(peak.load(Ordering::SeqCst), MAX_IN_FLIGHT);
    }
}
