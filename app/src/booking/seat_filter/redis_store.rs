//! Seat claims in Redis, shared by every instance: keys `seat:{show}:{seat}` valued with the
//! owner's id (`pending:` and the id while the hold is written), changed only by the Lua
//! scripts beside this file, so each call is all or nothing.

use super::{Admission, Claim};
use crate::ids::{SeatId, ShowId, UserId};
use redis::{aio::ConnectionManager, Script, ScriptInvocation};
use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, LazyLock,
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};

/// A hold never waits longer than this for Redis.
const TIMEOUT: Duration = Duration::from_millis(100);
/// After a failure, Redis is left alone this long before it is tried again.
const REST: Duration = Duration::from_secs(2);

static CLAIM: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("claim.lua")));
static CHECK: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("check.lua")));
static SETTLE: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("settle.lua")));
static RELEASE: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("release.lua")));
static REMEMBER: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("remember.lua")));

#[derive(Clone)]
pub(super) struct RedisClaims {
    conn: ConnectionManager,
    /// Unix milliseconds until which Redis is skipped after a failure.
    resting_until: Arc<AtomicU64>,
}

impl RedisClaims {
    pub fn new(conn: ConnectionManager) -> Self {
        Self {
            conn,
            resting_until: Arc::default(),
        }
    }

    pub async fn taken(&self, show: ShowId, seats: &[SeatId], owner: UserId) -> Vec<SeatId> {
        // Only a hint: an unanswered check lets the request on to PostgreSQL and leaves the
        // verdict on Redis's health to the claim.
        let taken = self
            .run::<Vec<usize>>(invoke(&CHECK, show, seats, owner), false)
            .await
            .unwrap_or_default();
        pick(seats, taken)
    }

    pub async fn claim(
        &self,
        show: ShowId,
        seats: &[SeatId],
        owner: UserId,
        ttl: Duration,
        take_over: bool,
    ) -> Claim {
        let mut invocation = invoke(&CLAIM, show, seats, owner);
        invocation
            .arg(ttl.as_millis() as u64)
            .arg(u8::from(take_over));
        match self.run::<(i32, Vec<usize>)>(invocation, true).await {
            Some((1, _)) => Claim::Answered(Admission::Claimed),
            Some((2, _)) => Claim::Busy,
            Some((_, taken)) => Claim::Answered(Admission::Refused(pick(seats, taken))),
            None => Claim::Answered(Admission::Bypassed),
        }
    }

    pub async fn settle(
        &self,
        show: ShowId,
        kept: &[SeatId],
        dropped: &[SeatId],
        owner: UserId,
        ttl: Duration,
    ) {
        let mut invocation = SETTLE.prepare_invoke();
        for seat in kept.iter().chain(dropped) {
            invocation.key(key(show, *seat));
        }
        invocation
            .arg(owner.to_string())
            .arg(ttl.as_millis() as u64)
            .arg(kept.len());
        self.run::<i64>(invocation, true).await;
    }

    pub async fn remember(&self, show: ShowId, claims: &[(SeatId, UserId, Duration)]) {
        let mut invocation = REMEMBER.prepare_invoke();
        for (seat, owner, ttl) in claims {
            invocation
                .key(key(show, *seat))
                .arg(owner.to_string())
                .arg(ttl.as_millis() as u64);
        }
        self.run::<i64>(invocation, true).await;
    }

    pub async fn release(&self, show: ShowId, seats: &[SeatId], owner: UserId) {
        self.run::<i64>(invoke(&RELEASE, show, seats, owner), true)
            .await;
    }

    /// Runs a script within the timeout; `None` when Redis is resting, slow or failing, and a
    /// failure sends it to rest when `rest_on_failure`.
    async fn run<T: redis::FromRedisValue>(
        &self,
        invocation: ScriptInvocation<'_>,
        rest_on_failure: bool,
    ) -> Option<T> {
        if now_millis() < self.resting_until.load(Ordering::Relaxed) {
            return None;
        }
        let mut conn = self.conn.clone();
        match tokio::time::timeout(TIMEOUT, invocation.invoke_async::<T>(&mut conn)).await {
            Ok(Ok(value)) => Some(value),
            _ if !rest_on_failure => None,
            failure => {
                let reason = match failure {
                    Ok(Err(err)) => err.to_string(),
                    _ => "timed out".to_owned(),
                };
                tracing::warn!(%reason, "seat filter unavailable, PostgreSQL decides alone for a while");
                self.resting_until
                    .store(now_millis() + REST.as_millis() as u64, Ordering::Relaxed);
                None
            }
        }
    }
}

/// A script call with one key per seat and the owner as its first argument.
fn invoke<'a>(
    script: &'a Script,
    show: ShowId,
    seats: &[SeatId],
    owner: UserId,
) -> ScriptInvocation<'a> {
    let mut invocation = script.prepare_invoke();
    for seat in seats {
        invocation.key(key(show, *seat));
    }
    invocation.arg(owner.to_string());
    invocation
}

/// The seats at these 1-based indexes (as Lua counts).
fn pick(seats: &[SeatId], indexes: Vec<usize>) -> Vec<SeatId> {
    indexes
        .into_iter()
        .filter_map(|i| seats.get(i.wrapping_sub(1)).copied())
        .collect()
}

/// Keys of one show share a hash tag, so a claim stays on one Redis Cluster slot.
pub fn key(show: ShowId, seat: SeatId) -> String {
    format!("seat:{{{show}}}:{seat}")
}

fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}
