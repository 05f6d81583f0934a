//! `doctor` at contact-center scale on the sandbox: 5,000 people (2,000 of them assigned only
//! through groups), 50 ms latency per call and AWS's default request quotas enforced, with
//! connect-sso's pacer and backoff in the request path. Reports the AWS calls by operation,
//! the throttled answers, the retries and the wall time.
//!
//! The one-by-one design (one `DescribeUser`, one `SearchUsers` and one membership read per
//! person) cannot be run at 5,000 people within a benchmark (Connect's `SearchUsers` alone
//! allows 2 a second): it is measured on the largest population that is still checked one
//! by one (5 people, the bulk threshold), and its 5,000-people cost is derived from those
//! calls per person and the quotas; the report says which figures are measured.
//!
//! Then `users sync` on the same account: the Connect users missing for everyone assigned
//! (every tenth seeded person has none) created through the Connect pacer, with the time
//! CreateUser's quota alone needs for them beside the wall time.
//!
//! `cargo bench --bench scale` (release build); `SCALE_PEOPLE=1000` for a smaller run.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use connect_sso::cloud::apply::{UserRequest, apply};
use connect_sso::cloud::directory::BULK_THRESHOLD;
use connect_sso::cloud::doctor::{DoctorInput, DoctorReport, Verdict, doctor};
use connect_sso::cloud::ensure::ConnectUserTemplate;
use connect_sso::cloud::limits::Service;
use connect_sso::cloud::sandbox::{
    Fault, FaultKind, SANDBOX_INSTANCE_ARN, SANDBOX_METADATA, Sandbox, SandboxOptions,
};
use connect_sso::cloud::sync::{NoObserver, SyncOptions, plan_sync, run_sync};
use connect_sso::domain::metadata;
use connect_sso::domain::setup::{
    Answers, DEFAULT_ROUTING_PROFILE, DEFAULT_SECURITY_PROFILE, Setup,
};

const APP: &str = "Workshop Connect";
const LATENCY: Duration = Duration::from_millis(50);

fn setup() -> Setup {
    Setup::from_answers(&Answers {
        instance_arn: Some(SANDBOX_INSTANCE_ARN.to_string()),
        app_name: Some(APP.into()),
        ..Answers::default()
    })
    .expect("valid answers")
}

/// The account after the guide was followed, every call 50 ms, and AWS's quotas enforced
/// from then on.
async fn account(people: usize, in_groups: usize) -> (Sandbox, Vec<String>) {
    let sandbox = Sandbox::with_options(SandboxOptions {
        latency: LATENCY,
        faults: Vec::new(),
    });
    sandbox.simulate_create_application(APP);
    let request = UserRequest {
        users: vec!["maria.garcia@example.com".to_string()],
        create_connect_users: None,
    };
    apply(&sandbox, &setup(), SANDBOX_METADATA, &request, false)
        .await
        .expect("apply on the sandbox");
    let seeded = sandbox.seed_people(people, in_groups);
    let app = sandbox.snapshot().applications[0].application.arn.clone();
    sandbox
        .simulate_assign_people(&app, &seeded)
        .expect("assignments");
    // From here on AWS's default quotas hold.
    sandbox.inject_fault(Fault::new(FaultKind::Quota, "*", None));
    (sandbox, seeded.emails)
}

struct Run {
    wall: Duration,
    calls: BTreeMap<String, usize>,
    throttled: u64,
    retries: u64,
    report: DoctorReport,
}

async fn run(sandbox: &Sandbox, named: &[String]) -> Run {
    sandbox.clear_calls();
    let m = metadata::parse(SANDBOX_METADATA.as_bytes()).expect("metadata");
    let now = m.certificates[0].not_after - time::Duration::days(100);
    let throttled_before = sandbox.throttled_calls();
    let retries_before = sandbox.client_limits().map_or(0, |l| l.retries());
    let start = Instant::now();
    let report = doctor(
        sandbox,
        DoctorInput {
            setup: &setup(),
            metadata: Some(SANDBOX_METADATA),
            users: named,
            now,
        },
    )
    .await;
    let wall = start.elapsed();
    let mut calls = BTreeMap::new();
    for c in sandbox.calls() {
        *calls.entry(c).or_insert(0) += 1;
    }
    Run {
        wall,
        calls,
        throttled: sandbox.throttled_calls() - throttled_before,
        retries: sandbox.client_limits().map_or(0, |l| l.retries()) - retries_before,
        report,
    }
}

fn print(title: &str, r: &Run) {
    let users = r.report.checks.iter().filter(|c| c.id == "user");
    let (mut pass, mut fail, mut warn, mut unchecked) = (0, 0, 0, 0);
    for c in users {
        match c.verdict {
            Verdict::Pass | Verdict::Info => pass += 1,
            Verdict::Warn => warn += 1,
            Verdict::Fail => fail += 1,
            Verdict::Error => unchecked += 1,
        }
    }
    let total: usize = r.calls.values().sum();
    println!("\n## {title}");
    println!(
        "wall time {:.2} s; {total} AWS calls; {} throttled answers; {} retries",
        r.wall.as_secs_f64(),
        r.throttled,
        r.retries
    );
    println!(
        "people checked: {pass} pass, {fail} fail, {warn} warn, {unchecked} not checked; checks not checked in all: {}",
        r.report
            .checks
            .iter()
            .filter(|c| c.verdict == Verdict::Error)
            .count()
    );
    for (op, n) in &r.calls {
        println!("  {op:<40} {n}");
    }
}

/// `users sync` on everyone assigned, measured: calls by operation, throttled answers,
/// retries, wall time, and the time CreateUser's quota alone needs for the users created.
async fn sync(sandbox: &Sandbox) {
    sandbox.clear_calls();
    let throttled_before = sandbox.throttled_calls();
    let retries_before = sandbox.client_limits().map_or(0, |l| l.retries());
    let options = SyncOptions {
        template: ConnectUserTemplate {
            security_profile: DEFAULT_SECURITY_PROFILE.into(),
            routing_profile: DEFAULT_ROUTING_PROFILE.into(),
        },
        prune: false,
        recorded: Default::default(),
    };
    let start = Instant::now();
    let plan = plan_sync(sandbox, &setup(), &options).await.expect("plan");
    let read = start.elapsed();
    let counts = plan.counts;
    let report = run_sync(sandbox, plan, &NoObserver).await;
    let wall = start.elapsed();
    let mut calls = BTreeMap::new();
    for c in sandbox.calls() {
        *calls.entry(c).or_insert(0) += 1;
    }
    let total: usize = calls.values().sum();
    let created = report.created.len();
    let quota = quota_seconds(Service::Connect, created as f64);
    println!("\n## users sync, everyone assigned (measured)");
    println!(
        "{} people reached: {} with a Connect user, {} missing, {} near misses (reported, not created), {} unmapped",
        counts.assigned,
        counts.with_connect_user,
        counts.missing,
        counts.near_misses,
        counts.unmapped
    );
    println!(
        "created {created}, failed {}, not attempted {}",
        report.failed.len(),
        report.not_started.len()
    );
    println!(
        "wall time {:.2} s (reads {:.2} s); CreateUser's quota alone: {quota:.2} s for {created} users; wall / quota = {:.3}",
        wall.as_secs_f64(),
        read.as_secs_f64(),
        wall.as_secs_f64() / quota.max(f64::EPSILON)
    );
    println!(
        "{total} AWS calls; {} throttled answers; {} retries",
        sandbox.throttled_calls() - throttled_before,
        sandbox.client_limits().map_or(0, |l| l.retries()) - retries_before
    );
    for (op, n) in &calls {
        println!("  {op:<40} {n}");
    }
}

/// Seconds the quotas alone need for `calls` requests of one operation of `service` (after
/// its burst).
fn quota_seconds(service: Service, calls: f64) -> f64 {
    let rate = service.default_rate().expect("a paced service");
    ((calls - rate.burst).max(0.0)) / rate.per_second
}

fn main() {
    let people: usize = std::env::var("SCALE_PEOPLE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5000);
    let in_groups = people * 2 / 5;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let (sandbox, emails) = account(people, in_groups).await;
        println!(
            "# doctor at scale: {} people ({} only through {} groups), {} ms per call, AWS's default quotas enforced",
            people + 1,
            in_groups,
            in_groups.div_ceil(connect_sso::cloud::sandbox::SEEDED_GROUP_SIZE),
            LATENCY.as_millis()
        );
        let bulk = run(&sandbox, &[]).await;
        print("doctor, everyone assigned (bulk reads, measured)", &bulk);

        let few: Vec<String> = emails.iter().take(BULK_THRESHOLD).cloned().collect();
        let one_by_one = run(&sandbox, &few).await;
        print(
            &format!("doctor, {BULK_THRESHOLD} people named (one by one, measured)"),
            &one_by_one,
        );
        let per_person = |op: &str| {
            one_by_one.calls.get(op).copied().unwrap_or(0) as f64 / BULK_THRESHOLD as f64
        };
        let n = (people + 1) as f64;
        let search = per_person("connect:SearchUsers") * n;
        let identity: f64 = one_by_one
            .calls
            .iter()
            .filter(|(op, _)| op.starts_with("identitystore:"))
            .map(|(_, c)| *c as f64 / BULK_THRESHOLD as f64)
            .sum::<f64>()
            * n;
        println!("\n## one by one at {} people (derived, not measured)", people + 1);
        println!(
            "{:.0} connect:SearchUsers: at least {:.0} s from Connect's quota alone; {:.0} identity store calls: at least {:.0} s from its quota",
            search,
            quota_seconds(Service::Connect, search),
            identity,
            quota_seconds(Service::IdentityStore, identity)
        );

        sync(&sandbox).await;
    });
}
