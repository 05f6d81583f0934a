//! Benchmark: `doctor` on the sandbox account with a real (not paused) latency per AWS call,
//! after the guide was followed for a few people. Prints, as a Markdown table, the number of
//! calls, the longest chain of dependent calls, the wall time (median, min, max over the
//! runs) and what the same calls would take one after the other.
//!
//! Usage: cargo run --release --example doctor_latency [LATENCY_MS] [RUNS] [USERS]
//! (defaults: 100 ms, 10 runs, 3 people)

use std::time::{Duration, Instant};

use connect_sso::cloud::apply::{UserRequest, apply};
use connect_sso::cloud::doctor::{DoctorInput, doctor};
use connect_sso::cloud::sandbox::{
    SANDBOX_INSTANCE_ARN, SANDBOX_METADATA, SANDBOX_USERS, Sandbox, SandboxOptions, longest_chain,
};
use connect_sso::domain::metadata;
use connect_sso::domain::setup::{Answers, Setup};

fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("arguments are numbers"))
        .collect();
    let latency = Duration::from_millis(args.first().copied().unwrap_or(100));
    let runs = args.get(1).copied().unwrap_or(10).max(1) as usize;
    let people = (args.get(2).copied().unwrap_or(3) as usize).clamp(1, SANDBOX_USERS.len());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async {
        // Setting the account up pays the latency too: a second or so.
        let sandbox = Sandbox::with_options(SandboxOptions {
            latency,
            faults: Vec::new(),
        });
        let setup = Setup::from_answers(&Answers {
            instance_arn: Some(SANDBOX_INSTANCE_ARN.to_string()),
            app_name: Some("Bench Connect".into()),
            ..Answers::default()
        })
        .expect("a valid setup");
        sandbox.simulate_create_application("Bench Connect");
        let users: Vec<String> = SANDBOX_USERS[..people]
            .iter()
            .map(|u| u.email.to_string())
            .collect();
        let request = UserRequest {
            users: users.clone(),
            create_connect_users: None,
        };
        apply(&sandbox, &setup, SANDBOX_METADATA, &request, false)
            .await
            .expect("apply on the sandbox");
        let slow = &sandbox;
        let now = metadata::parse(SANDBOX_METADATA.as_bytes()).expect("metadata").certificates[0]
            .not_before
            + time::Duration::days(30);
        let mut walls = Vec::new();
        let (mut calls, mut chain) = (0, 0);
        for _ in 0..runs {
            slow.clear_calls();
            let start = Instant::now();
            let report = doctor(
                slow,
                DoctorInput {
                    setup: &setup,
                    metadata: Some(SANDBOX_METADATA),
                    users: &users,
                    now,
                },
            )
            .await;
            walls.push(start.elapsed());
            assert!(!report.checks.is_empty());
            let timings = slow.call_timings();
            calls = timings.len();
            chain = longest_chain(&timings);
        }
        walls.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!("| latency/call | people | calls | longest chain | wall median | min | max | one after another |");
        println!("|---|---|---|---|---|---|---|---|");
        println!(
            "| {} ms | {people} | {calls} | {chain} | {:.0} ms | {:.0} ms | {:.0} ms | {:.0} ms |",
            latency.as_millis(),
            ms(walls[walls.len() / 2]),
            ms(walls[0]),
            ms(walls[walls.len() - 1]),
            ms(latency * calls as u32),
        );
    });
}
