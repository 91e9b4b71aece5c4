//! Rate limits as a generic cell rate algorithm: a limit of `max` per `window` lets `max`
//! attempts through at once, then one more every `window / max`. Each key keeps one instant
//! (the theoretical arrival time), so there is no window boundary for a burst to straddle. Kept
//! in Redis when configured (shared by every instance), in process memory otherwise or while
//! Redis is unreachable.

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

/// KEYS[1]: the key; ARGV: interval and tolerance in ms. 0 when allowed (and counted), else
/// the ms to wait. The clock is Redis's own, the same for every instance.
static SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
local now = redis.call('TIME')
now = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local interval, tolerance = tonumber(ARGV[1]), tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
if now < tat - tolerance then return tat - tolerance - now end
tat = tat + interval
redis.call('SET', KEYS[1], tat, 'PX', tat - now)
return 0
",
    )
});

const REDIS_TIMEOUT: Duration = Duration::from_millis(200);
/// Past this many keys in memory, the ones whose limit has fully recovered are dropped.
const LOCAL_MAX: usize = 50_000;

#[derive(Clone)]
pub struct RateLimiter {
    enabled: bool,
    redis: Option<redis::aio::ConnectionManager>,
    local: Arc<Mutex<HashMap<String, Instant>>>,
}

impl RateLimiter {
    pub fn new(enabled: bool, redis: Option<redis::aio::ConnectionManager>) -> Self {
        Self {
            enabled,
            redis,
            local: Arc::default(),
        }
    }

    /// Counts one attempt for `key`; past the limit, the seconds until one is allowed again
    /// (and the attempt is not counted).
    pub async fn hit(&self, key: &str, limit: Limit) -> Result<(), u64> {
        if !self.enabled {
            return Ok(());
        }
        let key = format!("rl:{key}:{}:{}", limit.max, limit.window.as_secs());
        let wait = match self.in_redis(&key, limit).await {
            Some(wait) => wait,
            None => self.locally(key, limit, Instant::now()),
        };
        if wait.is_zero() {
            Ok(())
        } else {
            Err(wait.as_secs() + u64::from(wait.subsec_nanos() > 0))
        }
    }

    async fn in_redis(&self, key: &str, limit: Limit) -> Option<Duration> {
        let mut conn = self.redis.clone()?;
        let mut call = SCRIPT.key(key);
        call.arg(limit.interval().as_millis() as u64)
            .arg(limit.tolerance().as_millis() as u64);
        match tokio::time::timeout(REDIS_TIMEOUT, call.invoke_async::<u64>(&mut conn)).await {
            Ok(Ok(ms)) => Some(Duration::from_millis(ms)),
            failure => {
                let reason = match failure {
                    Ok(Err(err)) => err.to_string(),
                    _ => "timed out".to_owned(),
                };
                tracing::warn!(%reason, "rate limit falls back to this instance: Redis unavailable");
                None
            }
        }
    }

    fn locally(&self, key: String, limit: Limit, now: Instant) -> Duration {
        let mut arrivals = self.local.lock().unwrap_or_else(PoisonError::into_inner);
        if arrivals.len() > LOCAL_MAX {
            arrivals.retain(|_, tat| *tat > now);
        }
        let tat = arrivals.get(&key).copied().unwrap_or(now).max(now);
        let allowed_at = tat.checked_sub(limit.tolerance()).unwrap_or(now);
        if now < allowed_at {
            return allowed_at - now;
        }
        arrivals.insert(key, tat + limit.interval());
        Duration::ZERO
    }
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
        let hit = |now| limiter.locally("k".into(), limit, now);
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
}
