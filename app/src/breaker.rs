//! A breaker in front of Redis: after a call fails or times out, callers skip Redis for a
//! short rest and take their fallback at once (PostgreSQL, process memory), so a Redis that is
//! down or stalled costs one timeout per rest, not one per request.

use std::{
    future::Future,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};

/// How long Redis is left alone after a failure.
pub const REST: Duration = Duration::from_secs(2);

#[derive(Clone, Default)]
pub struct Breaker {
    /// Unix milliseconds until which calls are skipped.
    resting_until: Arc<AtomicU64>,
}

impl Breaker {
    /// Whether calls are being skipped now.
    pub fn resting(&self) -> bool {
        now_millis() < self.resting_until.load(Ordering::Relaxed)
    }

    /// Calls go through again (a call that got through shows Redis is back).
    pub fn close(&self) {
        self.resting_until.store(0, Ordering::Relaxed);
    }

    fn trip(&self, what: &str, reason: &str) {
        tracing::warn!(what, %reason, "Redis unavailable, falling back for a while");
        metrics::counter!("district_redis_breaker_trips_total", "what" => what.to_owned())
            .increment(1);
        let until = now_millis() + REST.as_millis() as u64;
        self.resting_until.store(until, Ordering::Relaxed);
    }

    /// `call` within `timeout`, unless resting; `None` when skipped, failed or too slow (a
    /// failure starts a rest).
    pub async fn call<T, E: std::fmt::Display>(
        &self,
        what: &str,
        timeout: Duration,
        call: impl Future<Output = Result<T, E>>,
    ) -> Option<T> {
        self.call_as(Use::Trip, what, timeout, call).await
    }

    /// `call` within `timeout`, in the given use of the breaker.
    pub async fn call_as<T, E: std::fmt::Display>(
        &self,
        mode: Use,
        what: &str,
        timeout: Duration,
        call: impl Future<Output = Result<T, E>>,
    ) -> Option<T> {
        if mode != Use::Probe && self.resting() {
            return None;
        }
        let outcome = match tokio::time::timeout(timeout, call).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(err)) => Err(err.to_string()),
            Err(_) => Err("timed out".to_owned()),
        };
        match (outcome, mode) {
            (Ok(value), Use::Probe) => {
                self.close();
                Some(value)
            }
            (Ok(value), _) => Some(value),
            (Err(reason), Use::Trip) => {
                self.trip(what, &reason);
                None
            }
            (Err(_), _) => None,
        }
    }
}

/// How a call uses the breaker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Use {
    /// Skipped while resting; a failure starts a rest.
    Trip,
    /// Skipped while resting; a failure says nothing (for hints whose answer can wait).
    Hint,
    /// Made even while resting, to find out whether Redis is back: a success ends the rest.
    Probe,
}

fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_failure_rests_the_breaker_and_a_success_closes_it() {
        let breaker = Breaker::default();
        let ok = breaker
            .call("test", REST, async { Ok::<_, String>(1) })
            .await;
        assert_eq!(ok, Some(1));
        let failed = breaker
            .call("test", REST, async { Err::<u8, _>("down") })
            .await;
        assert_eq!(failed, None);
        assert!(breaker.resting());
        let mut called = false;
        let skipped = breaker
            .call("test", REST, async {
                called = true;
                Ok::<_, String>(2)
            })
            .await;
        assert_eq!((skipped, called), (None, false), "skipped while resting");
        let probed = breaker
            .call_as(Use::Probe, "test", REST, async { Ok::<_, String>(3) })
            .await;
        assert_eq!(probed, Some(3), "a probe goes through a rest");
        assert!(!breaker.resting(), "and its success ends the rest");
        let hint = breaker
            .call_as(Use::Hint, "test", REST, async { Err::<u8, _>("down") })
            .await;
        assert_eq!(hint, None);
        assert!(!breaker.resting(), "a failed hint starts no rest");
    }
}
