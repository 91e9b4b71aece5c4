//! Fixed-window rate limits, counted in Redis when configured (shared by every instance) and in
//! process memory otherwise or while Redis is unreachable.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, SystemTime, UNIX_EPOCH},
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
}

#[derive(Clone)]
pub struct RateLimiter {
    enabled: bool,
    redis: Option<redis::aio::ConnectionManager>,
    local: Arc<Mutex<HashMap<String, u32>>>,
}

impl RateLimiter {
    pub fn new(enabled: bool, redis: Option<redis::aio::ConnectionManager>) -> Self {
        Self {
            enabled,
            redis,
            local: Arc::default(),
        }
    }

    /// Counts one attempt for `key`; past the limit, the seconds until the window resets.
    pub async fn hit(&self, key: &str, limit: Limit) -> Result<(), u64> {
        if !self.enabled {
            return Ok(());
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let window = limit.window.as_secs().max(1);
        let slot = now / window;
        let retry_after = (slot + 1) * window - now;
        let key = format!("rl:{key}:{window}:{slot}");
        let count = match self.count_in_redis(&key, window).await {
            Some(count) => count,
            None => self.count_locally(key, slot, window),
        };
        if count > u64::from(limit.max) {
            Err(retry_after)
        } else {
            Ok(())
        }
    }

    async fn count_in_redis(&self, key: &str, window: u64) -> Option<u64> {
        let mut conn = self.redis.clone()?;
        let counted: redis::RedisResult<(u64,)> = redis::pipe()
            .atomic()
            .incr(key, 1)
            .expire(key, window as i64 + 1)
            .ignore()
            .query_async(&mut conn)
            .await;
        match counted {
            Ok((count,)) => Some(count),
            Err(err) => {
                tracing::warn!(error = %err, "rate limit falls back to this instance: Redis unavailable");
                None
            }
        }
    }

    fn count_locally(&self, key: String, slot: u64, window: u64) -> u64 {
        let mut counts = self.local.lock().unwrap_or_else(|e| e.into_inner());
        if counts.len() > 50_000 {
            let current = format!(":{window}:{slot}");
            counts.retain(|k, _| k.ends_with(&current));
        }
        let count = counts.entry(key).or_insert(0);
        *count += 1;
        u64::from(*count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn counts_within_a_window_and_can_be_disabled() {
        let limiter = RateLimiter::new(true, None);
        for _ in 0..3 {
            assert!(limiter
                .hit("login:1.2.3.4", Limit::per_minute(3))
                .await
                .is_ok());
        }
        let retry = limiter
            .hit("login:1.2.3.4", Limit::per_minute(3))
            .await
            .unwrap_err();
        assert!((1..=60).contains(&retry));
        assert!(
            limiter
                .hit("login:5.6.7.8", Limit::per_minute(3))
                .await
                .is_ok(),
            "keys are separate"
        );
        let off = RateLimiter::new(false, None);
        for _ in 0..10 {
            assert!(off.hit("k", Limit::per_minute(1)).await.is_ok());
        }
    }
}
