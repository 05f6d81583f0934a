//! Carrying out a [`SyncPlan`]: the missing Connect users created (each through the Connect
//! pacer, at most [`MAX_IN_FLIGHT`](crate::cloud::directory::MAX_IN_FLIGHT) at a time), then with `prune` the unmapped users this
//! tool created removed. Throttling alone never fails a user: past the pacer's own retries
//! the creation waits and is sent again. A failure that would fail every other user too
//! (access denied, expired credentials, a limit reached, the instance or a profile gone)
//! stops new requests; the others fail one user each.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use serde::Serialize;

use super::{NewPerson, SyncPlan, sync_tags};
use crate::cloud::directory::bounded;
use crate::cloud::{Cloud, CloudError, ConnectUser, NewConnectUser};

/// How many more times a creation is sent after the pacer's backoff gave up on throttling,
/// each after [`THROTTLED_PAUSE`]: minutes of throttling by other callers of the account.
const THROTTLED_ROUNDS: u32 = 10;
const THROTTLED_PAUSE: Duration = Duration::from_secs(10);

/// Told of each change as it is made, so the caller can record it (the ledger) and show
/// progress. Called from concurrent requests.
pub trait SyncObserver: Send + Sync {
    /// A Connect user was created for `person`.
    fn created(&self, _person: &NewPerson, _user: &ConnectUser) {}
    /// A Connect user this tool created was removed.
    fn deleted(&self, _user: &ConnectUser) {}
    /// `done` of `total` creations and removals are finished (made or failed).
    fn progress(&self, _done: usize, _total: usize) {}
}

/// Records nothing, shows nothing.
pub struct NoObserver;

impl SyncObserver for NoObserver {}

/// A Connect user made by this run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Created {
    pub connect_username: String,
    pub connect_user_id: String,
}

/// A creation or removal that did not happen, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    pub connect_username: String,
    pub error: String,
}

/// What a sync did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    pub plan: SyncPlan,
    pub created: Vec<Created>,
    /// Created by someone else between the read and the creation (CreateUser said the name
    /// exists): nothing to do.
    pub already_there: Vec<Created>,
    pub failed: Vec<Failure>,
    /// Not sent, because an earlier failure would have failed them too.
    pub not_started: Vec<String>,
    pub pruned: Vec<ConnectUser>,
    pub prune_failed: Vec<Failure>,
}

impl SyncReport {
    /// Whether everything the plan asked for was done.
    pub fn complete(&self) -> bool {
        self.failed.is_empty() && self.not_started.is_empty() && self.prune_failed.is_empty()
    }
}

enum Outcome {
    Created(ConnectUser),
    AlreadyThere(ConnectUser),
    Failed(CloudError),
    NotStarted,
}

/// Whether `e` would fail every other request of the run as well.
fn stops_the_run(e: &CloudError) -> bool {
    matches!(
        e,
        CloudError::AccessDenied { .. }
            | CloudError::Credentials { .. }
            | CloudError::LimitExceeded { .. }
            | CloudError::NotFound { .. }
            | CloudError::Throttled { .. }
    )
}

/// Creates what `plan` is missing and, when it lists any, removes the users to prune.
pub async fn run_sync(
    cloud: &dyn Cloud,
    plan: SyncPlan,
    observer: &dyn SyncObserver,
) -> SyncReport {
    let total = plan.changes();
    let done = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let instance_id = plan.instance_id.as_str();
    let tags = sync_tags(instance_id);
    let (security, routing) = &plan.profile_ids;
    let (done, stop, tags) = (&done, &stop, &tags);
    let outcomes = bounded(&plan.to_create, |person| async move {
        if stop.load(Ordering::SeqCst) {
            return Outcome::NotStarted;
        }
        let new = NewConnectUser {
            username: person.connect_username.clone(),
            first_name: person.first_name.clone(),
            last_name: person.last_name.clone(),
            security_profile_ids: vec![security.clone()],
            routing_profile_id: routing.clone(),
            tags: tags.clone(),
        };
        let outcome = create(cloud, instance_id, &new).await;
        match &outcome {
            Outcome::Created(u) => observer.created(person, u),
            Outcome::Failed(e) if stops_the_run(e) => stop.store(true, Ordering::SeqCst),
            _ => {}
        }
        observer.progress(done.fetch_add(1, Ordering::SeqCst) + 1, total);
        outcome
    })
    .await;
    let mut report = SyncReport {
        plan: plan.clone(),
        created: Vec::new(),
        already_there: Vec::new(),
        failed: Vec::new(),
        not_started: Vec::new(),
        pruned: Vec::new(),
        prune_failed: Vec::new(),
    };
    for (person, outcome) in plan.to_create.iter().zip(outcomes) {
        let made = |u: ConnectUser| Created {
            connect_username: u.username,
            connect_user_id: u.id,
        };
        match outcome {
            Outcome::Created(u) => report.created.push(made(u)),
            Outcome::AlreadyThere(u) => report.already_there.push(made(u)),
            Outcome::Failed(e) => report.failed.push(Failure {
                connect_username: person.connect_username.clone(),
                error: e.to_string(),
            }),
            Outcome::NotStarted => report.not_started.push(person.connect_username.clone()),
        }
    }
    if stop.load(Ordering::SeqCst) {
        report
            .not_started
            .extend(plan.to_prune.iter().map(|p| p.user.username.clone()));
        return report;
    }
    if plan.to_prune.is_empty() {
        return report;
    }
    let removals = bounded(&plan.to_prune, |p| async move {
        let result = cloud.delete_connect_user(instance_id, &p.user.id).await;
        match &result {
            Ok(()) => observer.deleted(&p.user),
            // Removed meanwhile: what prune wanted.
            Err(CloudError::NotFound { .. }) => observer.deleted(&p.user),
            Err(_) => {}
        }
        observer.progress(done.fetch_add(1, Ordering::SeqCst) + 1, total);
        result
    })
    .await;
    for (p, result) in plan.to_prune.iter().zip(removals) {
        match result {
            Ok(()) | Err(CloudError::NotFound { .. }) => report.pruned.push(p.user.clone()),
            Err(e) => report.prune_failed.push(Failure {
                connect_username: p.user.username.clone(),
                error: e.to_string(),
            }),
        }
    }
    report
}

/// One CreateUser, sent again while only throttling is in the way; a name that exists by
/// now (made by another run, or by this request's own lost answer) is looked up.
async fn create(cloud: &dyn Cloud, instance_id: &str, new: &NewConnectUser) -> Outcome {
    let mut rounds = 0;
    loop {
        match cloud.create_connect_user(instance_id, new).await {
            Ok(u) => return Outcome::Created(u),
            Err(CloudError::Throttled { .. }) if rounds < THROTTLED_ROUNDS => {
                rounds += 1;
                tokio::time::sleep(THROTTLED_PAUSE).await;
            }
            Err(CloudError::AlreadyExists { .. }) => {
                return match cloud.search_connect_user(instance_id, &new.username).await {
                    Ok(Some(u)) => Outcome::AlreadyThere(u),
                    Ok(None) => Outcome::Failed(CloudError::Invalid {
                        action: "connect:CreateUser".to_string(),
                        message: format!(
                            "Connect says a user named {} exists, but searching for it finds none: run the sync again in a minute",
                            new.username
                        ),
                    }),
                    Err(e) => Outcome::Failed(e),
                };
            }
            Err(e) => return Outcome::Failed(e),
        }
    }
}
