//! Seat claims in Redis, shared by every instance: keys `seat:{show}:{seat}` valued with the
//! owner's id (`pending:` and the id while the hold is written), changed only by the Lua
//! scripts beside this file, so each call is all or nothing.
//!
//! A release that cannot reach Redis (slow, down, or resting after a failure) is not dropped:
//! it is retried in the background until Redis takes it, so a seat PostgreSQL has freed is
//! not refused by a stale claim for the rest of the hold's time. The first retry that gets
//! through also ends the rest early.

use super::{Admission, Claim};
use crate::breaker::{Breaker, Use};
use crate::ids::{SeatId, ShowId, UserId};
use redis::{aio::ConnectionManager, Script, ScriptInvocation};
use std::{
    sync::LazyLock,
    time::{Duration, Instant},
};
use tokio::sync::mpsc;

/// How often lost releases are tried again.
const RETRY_EVERY: Duration = Duration::from_millis(250);
/// A lost release is given up after this long: no claim outlives its hold (ten minutes and
/// the payment grace by default), so by then there is nothing left to release.
const RETRY_FOR: Duration = Duration::from_secs(30 * 60);
/// Lost releases kept at most; past it the oldest go (their claims still lapse with their
/// holds).
const RETRY_MAX: usize = 100_000;

static CLAIM: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("claim.lua")));
static CHECK: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("check.lua")));
static SETTLE: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("settle.lua")));
static RELEASE: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("release.lua")));
static REMEMBER: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("remember.lua")));

#[derive(Clone)]
pub(super) struct RedisClaims {
    conn: ConnectionManager,
    /// A hold never waits longer than this for one Redis call.
    timeout: Duration,
    /// Skips Redis for a while after a failure.
    breaker: Breaker,
    /// Releases Redis did not take, for the retrier (none without a runtime to run it on).
    lost: Option<mpsc::UnboundedSender<Lost>>,
}

/// A release to try again.
struct Lost {
    show: ShowId,
    seats: Vec<SeatId>,
    owner: UserId,
    since: Instant,
}

impl RedisClaims {
    pub fn new(conn: ConnectionManager, timeout: Duration) -> Self {
        let mut claims = Self {
            conn,
            timeout,
            breaker: Breaker::default(),
            lost: None,
        };
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let (sender, lost) = mpsc::unbounded_channel();
            runtime.spawn(retry_releases(claims.clone(), lost));
            claims.lost = Some(sender);
        }
        claims
    }

    pub async fn taken(&self, show: ShowId, seats: &[SeatId], owner: UserId) -> Vec<SeatId> {
        // Only a hint: an unanswered check lets the request on to PostgreSQL and leaves the
        // verdict on Redis's health to the claim.
        let taken = self
            .run::<Vec<usize>>(invoke(&CHECK, show, seats, owner), Use::Hint)
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
        match self.run::<(i32, Vec<usize>)>(invocation, Use::Trip).await {
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
        if self.run::<i64>(invocation, Use::Trip).await.is_none() && !dropped.is_empty() {
            self.lose(show, dropped, owner);
        }
    }

    pub async fn remember(&self, show: ShowId, claims: &[(SeatId, UserId, Duration)]) {
        let mut invocation = REMEMBER.prepare_invoke();
        for (seat, owner, ttl) in claims {
            invocation
                .key(key(show, *seat))
                .arg(owner.to_string())
                .arg(ttl.as_millis() as u64);
        }
        self.run::<i64>(invocation, Use::Trip).await;
    }

    pub async fn release(&self, show: ShowId, seats: &[SeatId], owner: UserId) {
        let done = self
            .run::<i64>(invoke(&RELEASE, show, seats, owner), Use::Trip)
            .await;
        if done.is_none() {
            self.lose(show, seats, owner);
        }
    }

    /// Hands a release Redis did not take to the retrier.
    fn lose(&self, show: ShowId, seats: &[SeatId], owner: UserId) {
        if let Some(lost) = &self.lost {
            let _ = lost.send(Lost {
                show,
                seats: seats.to_vec(),
                owner,
                since: Instant::now(),
            });
        }
    }

    /// Runs a script within the timeout, in the given use of the breaker; `None` when Redis is
    /// resting, slow or failing.
    async fn run<T: redis::FromRedisValue>(
        &self,
        invocation: ScriptInvocation<'_>,
        mode: Use,
    ) -> Option<T> {
        let mut conn = self.conn.clone();
        let call = invocation.invoke_async::<T>(&mut conn);
        self.breaker
            .call_as(mode, "seat filter", self.timeout, call)
            .await
    }
}

/// Tries lost releases again until Redis takes each (straight to Redis, rest or not: these
/// retries are how the filter finds out Redis is back).
async fn retry_releases(claims: RedisClaims, mut incoming: mpsc::UnboundedReceiver<Lost>) {
    let mut pending: std::collections::VecDeque<Lost> = Default::default();
    loop {
        if pending.is_empty() {
            match incoming.recv().await {
                Some(lost) => pending.push_back(lost),
                None => return,
            }
        }
        tokio::time::sleep(RETRY_EVERY).await;
        while let Ok(lost) = incoming.try_recv() {
            pending.push_back(lost);
        }
        while pending.len() > RETRY_MAX {
            pending.pop_front();
        }
        pending.retain(|lost| lost.since.elapsed() < RETRY_FOR);
        metrics::gauge!("district_seat_filter_lost_releases").set(pending.len() as f64);
        while let Some(lost) = pending.front() {
            let invocation = invoke(&RELEASE, lost.show, &lost.seats, lost.owner);
            match claims.run::<i64>(invocation, Use::Probe).await {
                Some(_) => pending.pop_front(),
                None => break,
            };
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
