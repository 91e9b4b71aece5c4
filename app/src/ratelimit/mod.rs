//! Rate limits as a generic cell rate algorithm: a limit of `max` per `window` lets `max`
//! attempts through at once, then one more every `window / max`. Each key keeps one instant
//! (the theoretical arrival time), so there is no window boundary for a burst to straddle. Kept
//! in Redis when configured (shared by every instance), in process memory otherwise or while
//! Redis is unreachable. Keys are hashed, so a long identifier costs no more than a short one,
//! and the in-memory map drops recovered keys and caps its size, so a flood of distinct keys
//! cannot grow it without bound.

pub mod client;

use crate::breaker::Breaker;
use sha2::{Digest, Sha256};
use std::{
    collections::HashMap,
    sync::{Arc, LazyLock, Mutex, PoisonError},
    time::{Duration, Instant},
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    pub max: u32,
    pub window: Duration,
}

impl Limit {
    pub const fn per_minute(max: u32) -> Self {
        Self {
            max,
            window: Duration::from_secs(60),
        }
    }

    pub const fn per_hour(max: u32) -> Self {
        Self {
            max,
            window: Duration::from_secs(3600),
        }
    }

    /// How often one more attempt is allowed.
    fn interval(self) -> Duration {
        self.window / self.max.max(1)
    }

    /// How far ahead of now the next allowed instant may run: room for `max` at once.
    fn tolerance(self) -> Duration {
        self.interval() * self.max.saturating_sub(1)
    }
}

/// KEYS[1]: the key; ARGV: interval and tolerance in ms, and 1 to count the attempt (0 only
/// looks). 0 when allowed, else the ms to wait. The clock is Redis's own, the same for every
/// instance.
static SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
local now = redis.call('TIME')
now = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local interval, tolerance = tonumber(ARGV[1]), tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
if now < tat - tolerance then return tat - tolerance - now end
if ARGV[3] ~= '1' then return 0 end
tat = tat + interval
redis.call('SET', KEYS[1], tat, 'PX', tat - now)
return 0
",
    )
});

const REDIS_TIMEOUT: Duration = Duration::from_millis(200);
/// The most keys kept in memory. Past it, recovered keys go, then the half nearest recovery:
/// under a flood of distinct keys some limits restart early, but memory stays flat.
pub const LOCAL_MAX: usize = 50_000;
/// Recovered keys are swept every this many new keys, full or not.
const SWEEP_EVERY: usize = 4096;

/// Whether a call counts an attempt or only asks if one would be allowed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Count,
    Look,
}

#[derive(Clone)]
pub struct RateLimiter {
    enabled: bool,
    redis: Option<redis::aio::ConnectionManager>,
    breaker: Breaker,
    local: Arc<Mutex<Local>>,
}

/// Each key's theoretical arrival time, and how many keys were added since the last sweep.
#[derive(Default)]
struct Local {
    arrivals: HashMap<[u8; 16], Instant>,
    added: usize,
}

impl RateLimiter {
    pub fn new(enabled: bool, redis: Option<redis::aio::ConnectionManager>) -> Self {
        Self {
            enabled,
            redis,
            breaker: Breaker::default(),
            local: Arc::default(),
        }
    }

    /// Counts one attempt for `key`; past the limit, the seconds until one is allowed again
    /// (and the attempt is not counted).
    pub async fn hit(&self, key: &str, limit: Limit) -> Result<(), u64> {
        self.run(key, limit, Mode::Count).await
    }

    /// Whether an attempt would be allowed, without counting one: for limits that count only
    /// failures, checked before the attempt and hit after it fails.
    pub async fn check(&self, key: &str, limit: Limit) -> Result<(), u64> {
        self.run(key, limit, Mode::Look).await
    }

    async fn run(&self, key: &str, limit: Limit, mode: Mode) -> Result<(), u64> {
        if !self.enabled {
            return Ok(());
        }
        let hashed = hashed(key, limit);
        let wait = match self.in_redis(&hashed, limit, mode).await {
            Some(wait) => wait,
            None => self.locally(hashed, limit, mode, Instant::now()),
        };
        if wait.is_zero() {
            Ok(())
        } else {
            Err(wait.as_secs() + u64::from(wait.subsec_nanos() > 0))
        }
    }

    async fn in_redis(&self, key: &[u8; 16], limit: Limit, mode: Mode) -> Option<Duration> {
        let mut conn = self.redis.clone()?;
        let mut call = SCRIPT.key(format!("rl:{}", hex::encode(key)));
        call.arg(limit.interval().as_millis() as u64)
            .arg(limit.tolerance().as_millis() as u64)
            .arg(u8::from(mode == Mode::Count));
        let ms = self
            .breaker
            .call(
                "rate limit",
                REDIS_TIMEOUT,
                call.invoke_async::<u64>(&mut conn),
            )
            .await?;
        Some(Duration::from_millis(ms))
    }

    fn locally(&self, key: [u8; 16], limit: Limit, mode: Mode, now: Instant) -> Duration {
        let mut local = self.local.lock().unwrap_or_else(PoisonError::into_inner);
        let tat = local.arrivals.get(&key).copied().unwrap_or(now).max(now);
        let allowed_at = tat.checked_sub(limit.tolerance()).unwrap_or(now);
        if now < allowed_at {
            return allowed_at - now;
        }
        if mode == Mode::Count {
            if local.arrivals.insert(key, tat + limit.interval()).is_none() {
                local.added += 1;
            }
            local.bound(now);
        }
        Duration::ZERO
    }

    /// Keys in process memory, for the flood test.
    pub fn local_len(&self) -> usize {
        let local = self.local.lock().unwrap_or_else(PoisonError::into_inner);
        local.arrivals.len()
    }
}

impl Local {
    fn bound(&mut self, now: Instant) {
        if self.added < SWEEP_EVERY && self.arrivals.len() <= LOCAL_MAX {
            return;
        }
        self.added = 0;
        self.arrivals.retain(|_, tat| *tat > now);
        if self.arrivals.len() > LOCAL_MAX {
            let mut tats: Vec<Instant> = self.arrivals.values().copied().collect();
            let middle = tats.len() / 2;
            let (_, median, _) = tats.select_nth_unstable(middle);
            let median = *median;
            self.arrivals.retain(|_, tat| *tat > median);
        }
    }
}

/// One limit on one kind of attempt, as a domain holds it: off (every attempt allowed) unless
/// built with a limiter.
#[derive(Clone, Default)]
pub struct Throttle(Option<(RateLimiter, Limit)>);

impl Throttle {
    pub fn new(limiter: RateLimiter, limit: Limit) -> Self {
        Self(Some((limiter, limit)))
    }

    /// Counts one attempt under `key`; past the limit, the seconds until one is allowed again.
    pub async fn hit(&self, key: &str) -> Result<(), u64> {
        match &self.0 {
            Some((limiter, limit)) => limiter.hit(key, *limit).await,
            None => Ok(()),
        }
    }
}

/// The stored key: a digest of the name and the limit, the same length whatever was asked.
fn hashed(key: &str, limit: Limit) -> [u8; 16] {
    let digest = Sha256::new()
        .chain_update(key.as_bytes())
        .chain_update(limit.max.to_be_bytes())
        .chain_update(limit.window.as_millis().to_be_bytes())
        .finalize();
    let mut short = [0; 16];
    short.copy_from_slice(&digest[..16]);
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_burst_of_max_then_one_per_interval_and_can_be_disabled() {
        let limiter = RateLimiter::new(true, None);
        let limit = Limit::per_minute(3);
        for _ in 0..3 {
            assert!(limiter.hit("login:1.2.3.4", limit).await.is_ok());
        }
        let retry = limiter.hit("login:1.2.3.4", limit).await.unwrap_err();
        // One more every 20 s: the fourth waits for the first to recover.
        assert!((1..=20).contains(&retry), "{retry}");
        assert!(
            limiter.hit("login:5.6.7.8", limit).await.is_ok(),
            "keys are separate"
        );
        let off = RateLimiter::new(false, None);
        for _ in 0..10 {
            assert!(off.hit("k", Limit::per_minute(1)).await.is_ok());
        }
    }

    #[test]
    fn refused_attempts_are_not_counted_and_capacity_comes_back() {
        let limiter = RateLimiter::new(true, None);
        let limit = Limit {
            max: 2,
            window: Duration::from_secs(60),
        };
        let start = Instant::now();
        let at = |secs| start + Duration::from_secs(secs);
        let hit = |now| limiter.locally(hashed("k", limit), limit, Mode::Count, now);
        assert!(hit(at(0)).is_zero());
        assert!(hit(at(0)).is_zero());
        for _ in 0..5 {
            assert_eq!(hit(at(1)), Duration::from_secs(29));
        }
        // One interval (30 s) after the first, exactly one more gets through, however many
        // were refused meanwhile; a whole quiet window gives the full burst back.
        assert!(hit(at(30)).is_zero());
        assert!(!hit(at(30)).is_zero());
        assert!(hit(at(200)).is_zero());
        assert!(hit(at(200)).is_zero());
        assert!(!hit(at(200)).is_zero());
    }

    #[tokio::test]
    async fn a_flood_of_distinct_keys_keeps_memory_flat() {
        let limiter = RateLimiter::new(true, None);
        let limit = Limit::per_hour(5);
        for i in 0..100_000 {
            let long = format!("login:account:{i}-{}", "x".repeat(200));
            assert!(limiter.hit(&long, limit).await.is_ok());
        }
        let kept = limiter.local_len();
        assert!(kept <= LOCAL_MAX, "{kept} keys kept");
        assert!(kept > LOCAL_MAX / 4, "only the overflow goes: {kept}");
        // The newest keys are among those kept, still limited.
        let newest = format!("login:account:99999-{}", "x".repeat(200));
        for _ in 0..4 {
            assert!(limiter.hit(&newest, limit).await.is_ok());
        }
        assert!(limiter.hit(&newest, limit).await.is_err());
    }

    #[tokio::test]
    async fn looking_counts_nothing() {
        let limiter = RateLimiter::new(true, None);
        let limit = Limit::per_minute(2);
        for _ in 0..10 {
            assert!(limiter.check("k", limit).await.is_ok());
        }
        assert!(limiter.hit("k", limit).await.is_ok());
        assert!(limiter.hit("k", limit).await.is_ok());
        assert!(limiter.check("k", limit).await.is_err());
        assert!(limiter.hit("k", limit).await.is_err());
    }
}
