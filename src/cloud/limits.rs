//! Staying within AWS's request quotas: a token-bucket pacer per API family, taken before
//! every request (each page of a listing is one), and retries with exponential backoff and
//! jitter when AWS answers with throttling anyway (other tools share the account's quotas).
//!
//! AWS's default quotas, per account and region, each raisable by the account owner:
//! - Amazon Connect: 2 requests per second with a burst of 5, per operation (its API
//!   reference: "for all other operations, a RateLimit of 2 per second, and a BurstLimit of
//!   5"); this tool uses no Connect operation with a higher default quota.
//! - the Identity Store: 20 requests per second, all operations together;
//! - IAM Identity Center (sso-admin): 20 requests per second, all operations together;
//! - IAM and STS: not paced (their quotas are far above what one setup needs).
//!
//! `--max-rps SERVICE=N` (repeatable), `CONNECT_SSO_MAX_RPS` or the answers key `max_rps`
//! set a service's rate instead (burst N); see [`MaxRps`].
//!
//! Both adapters go through the same [`Limits::send`]: the SDK adapter around every request
//! it sends, the sandbox at the entry of every request it answers (when it enforces quotas).

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::time::Instant;

/// An API family with a quota of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    Connect,
    IdentityStore,
    SsoAdmin,
    Iam,
    Sts,
}

impl Service {
    pub const ALL: [Service; 5] = [
        Service::Connect,
        Service::IdentityStore,
        Service::SsoAdmin,
        Service::Iam,
        Service::Sts,
    ];

    /// The service of an IAM action (`connect:ListUsers`, `sso:ListInstances`, ...).
    pub fn of(action: &str) -> Option<Service> {
        let (prefix, _) = action.split_once(':')?;
        Service::ALL.into_iter().find(|s| s.prefix() == prefix)
    }

    /// The IAM action prefix, which is also the name `--max-rps` takes.
    pub fn prefix(self) -> &'static str {
        match self {
            Service::Connect => "connect",
            Service::IdentityStore => "identitystore",
            Service::SsoAdmin => "sso",
            Service::Iam => "iam",
            Service::Sts => "sts",
        }
    }

    /// AWS's default quota; `None`: not paced.
    pub fn default_rate(self) -> Option<Rate> {
        match self {
            Service::Connect => Some(Rate::new(2.0, 5.0)),
            Service::IdentityStore | Service::SsoAdmin => Some(Rate::new(20.0, 20.0)),
            Service::Iam | Service::Sts => None,
        }
    }

    /// Whether each operation has a quota of its own (Connect) rather than the whole
    /// service sharing one.
    fn per_operation(self) -> bool {
        self == Service::Connect
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.prefix())
    }
}

/// A steady rate and a burst, in requests.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub per_second: f64,
    pub burst: f64,
}

impl Rate {
    pub fn new(per_second: f64, burst: f64) -> Rate {
        Rate { per_second, burst }
    }
}

/// Rates set instead of AWS's defaults (`--max-rps connect=5`), each for one service.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MaxRps {
    overrides: Vec<(Service, f64)>,
}

impl MaxRps {
    /// Reads `SERVICE=N` specs; a later one for the same service wins.
    pub fn parse<S: AsRef<str>>(specs: &[S]) -> Result<MaxRps, String> {
        let mut out = MaxRps::default();
        for spec in specs {
            let (service, rate) = parse_max_rps(spec.as_ref())?;
            out.set(service, rate);
        }
        Ok(out)
    }

    pub fn set(&mut self, service: Service, per_second: f64) {
        self.overrides.retain(|(s, _)| *s != service);
        self.overrides.push((service, per_second));
    }

    pub fn get(&self, service: Service) -> Option<f64> {
        self.overrides
            .iter()
            .find(|(s, _)| *s == service)
            .map(|(_, r)| *r)
    }

    pub fn is_empty(&self) -> bool {
        self.overrides.is_empty()
    }

    /// The rate a service is paced at: the override, else AWS's default.
    pub fn rate(&self, service: Service) -> Option<Rate> {
        match self.get(service) {
            Some(n) => Some(Rate::new(n, n.max(1.0))),
            None => service.default_rate(),
        }
    }
}

/// Reads one `SERVICE=N` (see [`crate::domain::setup::parse_max_rps`]).
pub fn parse_max_rps(spec: &str) -> Result<(Service, f64), String> {
    let (prefix, rate) = crate::domain::setup::parse_max_rps(spec)?;
    let service = Service::ALL
        .into_iter()
        .find(|s| s.prefix() == prefix)
        .unwrap_or(Service::Connect);
    Ok((service, rate))
}

/// How throttled requests are retried: up to `attempts` in all, the n-th retry after a
/// random delay in [d/2, d] with d = min(`base` × 2^(n-1), `cap`), and none that would end
/// after `budget` from the first attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub attempts: u32,
    pub base: Duration,
    pub cap: Duration,
    pub budget: Duration,
}

impl Default for Backoff {
    fn default() -> Backoff {
        Backoff {
            attempts: 6,
            base: Duration::from_millis(250),
            cap: Duration::from_secs(8),
            budget: Duration::from_secs(20),
        }
    }
}

impl Backoff {
    /// The longest delay before retry `n` (1 = the first retry).
    pub fn ceiling(&self, n: u32) -> Duration {
        let factor = 2u32.saturating_pow(n.saturating_sub(1).min(20));
        self.base.saturating_mul(factor).min(self.cap)
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    /// May go below zero: requests that reserved a token not yet refilled, queued in order.
    tokens: f64,
    at: Instant,
}

/// The pacer and the backoff, shared by every request of one run.
#[derive(Debug)]
pub struct Limits {
    rates: HashMap<Service, Rate>,
    backoff: Backoff,
    buckets: Mutex<HashMap<String, Bucket>>,
    rng: AtomicU64,
    retries: AtomicU64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits::new(&MaxRps::default())
    }
}

impl Limits {
    /// AWS's default quotas, with `max_rps` instead where it sets a service's rate.
    pub fn new(max_rps: &MaxRps) -> Limits {
        let rates = Service::ALL
            .into_iter()
            .filter_map(|s| max_rps.rate(s).map(|r| (s, r)))
            .collect();
        Limits::with_rates(rates)
    }

    /// No service paced; throttled requests are still retried.
    pub fn unpaced() -> Limits {
        Limits::with_rates(HashMap::new())
    }

    fn with_rates(rates: HashMap<Service, Rate>) -> Limits {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0x9e37_79b9_7f4a_7c15);
        Limits {
            rates,
            backoff: Backoff::default(),
            buckets: Mutex::new(HashMap::new()),
            rng: AtomicU64::new(seed | 1),
            retries: AtomicU64::new(0),
        }
    }

    pub fn with_backoff(mut self, backoff: Backoff) -> Limits {
        self.backoff = backoff;
        self
    }

    pub fn backoff(&self) -> Backoff {
        self.backoff
    }

    /// The rate `action`'s service is paced at; `None`: not paced.
    pub fn rate_of(&self, action: &str) -> Option<Rate> {
        Service::of(action).and_then(|s| self.rates.get(&s).copied())
    }

    /// How many throttled requests were retried so far.
    pub fn retries(&self) -> u64 {
        self.retries.load(Ordering::Relaxed)
    }

    fn bucket_key(action: &str) -> Option<(String, Service)> {
        let service = Service::of(action)?;
        let key = if service.per_operation() {
            action.to_string()
        } else {
            service.prefix().to_string()
        };
        Some((key, service))
    }

    /// How long the caller must wait for its request's token (taken now, so callers are
    /// served in the order they asked).
    fn reserve(&self, action: &str, now: Instant) -> Duration {
        let Some((key, service)) = Limits::bucket_key(action) else {
            return Duration::ZERO;
        };
        let Some(rate) = self.rates.get(&service).copied() else {
            return Duration::ZERO;
        };
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: rate.burst,
            at: now,
        });
        let refill = now.saturating_duration_since(bucket.at).as_secs_f64() * rate.per_second;
        bucket.tokens = (bucket.tokens + refill).min(rate.burst);
        bucket.at = now;
        bucket.tokens -= 1.0;
        if bucket.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-bucket.tokens / rate.per_second)
        }
    }

    /// AWS throttled a request: whatever the bucket thought was left is not, so the
    /// requests after it wait for a refill.
    fn drain(&self, action: &str) {
        let Some((key, _)) = Limits::bucket_key(action) else {
            return;
        };
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(bucket) = buckets.get_mut(&key) {
            bucket.tokens = bucket.tokens.min(0.0);
        }
    }

    /// Waits until `action`'s service allows one more request, and takes it.
    pub async fn pace(&self, action: &str) {
        let wait = self.reserve(action, Instant::now());
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }

    /// A random delay for retry `n`, in [ceiling/2, ceiling].
    fn jitter(&self, n: u32) -> Duration {
        let ceiling = self.backoff.ceiling(n);
        // splitmix64: enough to keep concurrent callers from retrying in lockstep.
        let mut z = self
            .rng
            .fetch_add(0x9e37_79b9_7f4a_7c15, Ordering::Relaxed)
            .wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        let unit = (z >> 11) as f64 / (1u64 << 53) as f64;
        ceiling.mul_f64(0.5 + 0.5 * unit)
    }

    /// One request to AWS, paced, and sent again after a backoff while `throttled` says
    /// AWS throttled it, within [`Backoff`]'s attempts and budget; the last answer is
    /// returned as it is.
    pub async fn send<T, E, F, Fut>(
        &self,
        action: &str,
        mut request: F,
        throttled: impl Fn(&E) -> bool,
    ) -> Result<T, E>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let start = Instant::now();
        let mut attempt = 1;
        loop {
            self.pace(action).await;
            let result = request().await;
            match &result {
                Err(e) if throttled(e) && attempt < self.backoff.attempts => {
                    let delay = self.jitter(attempt);
                    if start.elapsed() + delay > self.backoff.budget {
                        return result;
                    }
                    self.drain(action);
                    self.retries.fetch_add(1, Ordering::Relaxed);
                    tracing::debug!(action, attempt, ?delay, "throttled; retrying");
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
                _ => return result,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::AtomicU32;

    #[test]
    fn services_are_read_from_actions() {
        assert_eq!(Service::of("connect:ListUsers"), Some(Service::Connect));
        assert_eq!(
            Service::of("identitystore:GetUserId"),
            Some(Service::IdentityStore)
        );
        assert_eq!(Service::of("sso:ListInstances"), Some(Service::SsoAdmin));
        assert_eq!(Service::of("iam:GetRole"), Some(Service::Iam));
        assert_eq!(Service::of("sts:GetCallerIdentity"), Some(Service::Sts));
        assert_eq!(Service::of("s3:GetObject"), None);
        assert_eq!(Service::of("nonsense"), None);
    }

    #[test]
    fn max_rps_reads_service_and_rate_and_says_what_is_wrong() {
        assert_eq!(parse_max_rps("connect=5"), Ok((Service::Connect, 5.0)));
        assert_eq!(parse_max_rps(" SSO = 2.5 "), Ok((Service::SsoAdmin, 2.5)));
        assert_eq!(parse_max_rps("sso-admin=1"), Ok((Service::SsoAdmin, 1.0)));
        for (bad, says) in [
            ("connect", "has no '='"),
            ("s3=4", "not a service"),
            ("connect=fast", "not a number"),
            ("connect=0", "more than 0"),
            ("connect=-1", "more than 0"),
            ("connect=inf", "more than 0"),
        ] {
            let e = parse_max_rps(bad).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
            assert!(e.contains("SERVICE=N"), "{bad}: {e}");
        }
        let m = MaxRps::parse(&["connect=5", "iam=3", "connect=7"]).unwrap();
        assert_eq!(m.get(Service::Connect), Some(7.0));
        assert_eq!(m.rate(Service::Iam), Some(Rate::new(3.0, 3.0)));
        assert_eq!(m.rate(Service::Sts), None);
        assert_eq!(m.rate(Service::SsoAdmin), Some(Rate::new(20.0, 20.0)));
        assert_eq!(
            MaxRps::parse(&["connect=0.5"])
                .unwrap()
                .rate(Service::Connect),
            Some(Rate::new(0.5, 1.0))
        );
    }

    #[test]
    fn the_defaults_are_aws_quotas() {
        let l = Limits::default();
        assert_eq!(l.rate_of("connect:SearchUsers"), Some(Rate::new(2.0, 5.0)));
        assert_eq!(
            l.rate_of("identitystore:ListUsers"),
            Some(Rate::new(20.0, 20.0))
        );
        assert_eq!(
            l.rate_of("sso:ListApplicationAssignments"),
            Some(Rate::new(20.0, 20.0))
        );
        assert_eq!(l.rate_of("iam:GetRole"), None);
        assert_eq!(l.rate_of("sts:GetCallerIdentity"), None);
    }

    /// When each of `n` requests of `action` is let through, from the start.
    async fn paced_starts(limits: &Limits, action: &str, n: usize) -> Vec<Duration> {
        let start = Instant::now();
        let mut out = Vec::new();
        for _ in 0..n {
            limits.pace(action).await;
            out.push(start.elapsed());
        }
        out
    }

    #[tokio::test(start_paused = true)]
    async fn connect_allows_a_burst_of_five_then_two_a_second_per_operation() {
        let l = Limits::default();
        let starts = paced_starts(&l, "connect:SearchUsers", 9).await;
        let ms: Vec<u128> = starts.iter().map(|d| d.as_millis()).collect();
        assert_eq!(ms, [0, 0, 0, 0, 0, 500, 1000, 1500, 2000]);
        // Another operation has a bucket of its own.
        let other = paced_starts(&l, "connect:ListUsers", 5).await;
        assert!(other.iter().all(|d| d.is_zero()), "{other:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn the_identity_store_shares_one_bucket_and_iam_is_not_paced() {
        let l = Limits::default();
        for _ in 0..10 {
            l.pace("identitystore:ListUsers").await;
            l.pace("identitystore:GetUserId").await;
        }
        let start = Instant::now();
        l.pace("identitystore:DescribeUser").await;
        assert_eq!(start.elapsed(), Duration::from_millis(50));
        let iam = paced_starts(&l, "iam:GetRole", 100).await;
        assert!(iam.iter().all(|d| d.is_zero()));
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_callers_are_served_in_turn_at_the_rate() {
        let l = Arc::new(Limits::new(&MaxRps::parse(&["connect=4"]).unwrap()));
        let start = Instant::now();
        let tasks: Vec<_> = (0..12)
            .map(|_| {
                let l = l.clone();
                tokio::spawn(async move {
                    l.pace("connect:CreateUser").await;
                    start.elapsed()
                })
            })
            .collect();
        let mut ends = Vec::new();
        for t in tasks {
            ends.push(t.await.unwrap());
        }
        ends.sort();
        // Burst 4 at once, then one every 250 ms.
        assert_eq!(ends[3], Duration::ZERO);
        assert_eq!(ends[4], Duration::from_millis(250));
        assert_eq!(ends[11], Duration::from_secs(2));
    }

    #[derive(Debug, PartialEq)]
    enum Answer {
        Throttled,
        Denied,
    }

    #[tokio::test(start_paused = true)]
    async fn throttling_is_retried_with_growing_jittered_delays_until_it_passes() {
        let l = Limits::unpaced();
        let calls = AtomicU32::new(0);
        let start = Instant::now();
        let mut at = Vec::new();
        let result: Result<u32, Answer> = l
            .send(
                "connect:SearchUsers",
                || {
                    at.push(start.elapsed());
                    let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
                    async move { if n < 4 { Err(Answer::Throttled) } else { Ok(n) } }
                },
                |e| *e == Answer::Throttled,
            )
            .await;
        assert_eq!(result, Ok(4));
        assert_eq!(l.retries(), 3);
        let b = l.backoff();
        for n in 1..at.len() {
            let gap = at[n] - at[n - 1];
            let ceiling = b.ceiling(n as u32);
            assert!(gap >= ceiling / 2 && gap <= ceiling, "retry {n}: {gap:?}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn retries_are_bounded_and_other_errors_are_not_retried() {
        let l = Limits::unpaced();
        let calls = AtomicU32::new(0);
        let start = Instant::now();
        let result: Result<(), Answer> = l
            .send(
                "sso:ListInstances",
                || {
                    calls.fetch_add(1, Ordering::SeqCst);
                    async { Err(Answer::Throttled) }
                },
                |e| *e == Answer::Throttled,
            )
            .await;
        assert_eq!(result, Err(Answer::Throttled));
        assert_eq!(calls.load(Ordering::SeqCst), 6);
        assert!(
            start.elapsed() <= Duration::from_secs(20),
            "{:?}",
            start.elapsed()
        );

        let calls = AtomicU32::new(0);
        let result: Result<(), Answer> = l
            .send(
                "sso:ListInstances",
                || {
                    calls.fetch_add(1, Ordering::SeqCst);
                    async { Err(Answer::Denied) }
                },
                |e| *e == Answer::Throttled,
            )
            .await;
        assert_eq!(result, Err(Answer::Denied));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn the_budget_stops_retries_that_would_end_too_late() {
        let l = Limits::unpaced().with_backoff(Backoff {
            attempts: 100,
            base: Duration::from_secs(1),
            cap: Duration::from_secs(8),
            budget: Duration::from_secs(20),
        });
        let start = Instant::now();
        let result: Result<(), Answer> = l
            .send(
                "connect:CreateUser",
                || async { Err(Answer::Throttled) },
                |e| *e == Answer::Throttled,
            )
            .await;
        assert_eq!(result, Err(Answer::Throttled));
        assert!(start.elapsed() <= Duration::from_secs(20));
        assert!(l.retries() < 10, "{}", l.retries());
    }

    #[tokio::test(start_paused = true)]
    async fn a_throttled_answer_drains_the_bucket_so_the_next_requests_wait() {
        let l = Limits::default();
        let first = AtomicU32::new(0);
        let _: Result<(), Answer> = l
            .send(
                "connect:ListUsers",
                || {
                    let n = first.fetch_add(1, Ordering::SeqCst);
                    async move {
                        if n == 0 {
                            Err(Answer::Throttled)
                        } else {
                            Ok(())
                        }
                    }
                },
                |e| *e == Answer::Throttled,
            )
            .await;
        // The burst is gone: the next request waits for a token.
        let start = Instant::now();
        l.pace("connect:ListUsers").await;
        l.pace("connect:ListUsers").await;
        assert!(start.elapsed() > Duration::ZERO);
    }
}
