//! The seat filter in front of PostgreSQL: in a rush for the same seats, the requests that would
//! lose anyway are turned away here, before they reach the database.
//!
//! Each show seat has a claim owned by the user who made it: pending while the hold is written,
//! then as long as the hold. Only a claim with a written hold behind it (or a seat PostgreSQL
//! named as taken) turns a rival away; a rival for seats still pending waits a moment for the
//! outcome, then takes the claims over and asks PostgreSQL, so nobody is told a seat is taken
//! that nobody got. Claims are all-or-nothing: in Redis (Lua scripts, shared by every instance)
//! when REDIS_URL is set, otherwise in this process's memory, the single-instance equivalent.
//! The filter never decides: PostgreSQL does, so a stale or lost claim can at worst refuse
//! early, delay, or let a request through to be judged there. When Redis is
//! slow or down, the filter steps aside for a few seconds and holds go straight to PostgreSQL.

mod memory_store;
mod redis_store;

use super::live::{Heard, Live};
use crate::ids::{SeatId, ShowId, UserId};
use memory_store::Claims;
use redis_store::RedisClaims;
use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};
use tokio::sync::broadcast::error::RecvError;

pub use redis_store::key;

/// How long a hold waits at most for one Redis call before the filter steps aside, unless
/// SEAT_FILTER_TIMEOUT says otherwise (a busy machine may need longer).
pub const REDIS_TIMEOUT: Duration = Duration::from_millis(100);
/// How long a claim lasts before its hold is written: a process that dies in between leaves
/// claims that make the first rival for them wait (see [`WAIT`]) this long at most.
pub const PENDING: Duration = Duration::from_secs(30);
/// How long a claim waits at most for rivals' pending claims to be kept or given back before
/// taking them over: a hold is written in milliseconds (a rush's queue can make it hundreds),
/// but a process that died, or a Redis that missed a beat, leaves claims that are never kept.
const WAIT: Duration = Duration::from_secs(1);
/// The first pause between tries while waiting; it doubles up to the last.
const PAUSES: (Duration, Duration) = (Duration::from_millis(2), Duration::from_millis(50));
/// How long the filter remembers a seat PostgreSQL said is taken, at most: short, because the
/// holder may let go before the filter hears of it.
const REMEMBERED: Duration = Duration::from_secs(2);

/// What the filter says about a claim.
#[derive(Debug, PartialEq, Eq)]
pub enum Admission {
    /// Every seat is the owner's, for [`PENDING`] unless kept.
    Claimed,
    /// Someone else has these seats.
    Refused(Vec<SeatId>),
    /// No filter, or Redis is unwell: PostgreSQL alone decides.
    Bypassed,
}

/// A store's answer to one try at a claim.
#[derive(Debug, PartialEq, Eq)]
enum Claim {
    Answered(Admission),
    /// Others' holds for some of these seats are being written; nothing was claimed.
    Busy,
}

/// A seat PostgreSQL says is taken, by whom, and how long their hold has left (`None`: booked).
#[derive(Clone, Copy, Debug, serde::Deserialize)]
pub struct Holder {
    pub seat: SeatId,
    pub by: UserId,
    pub held_ms: Option<i64>,
}

#[derive(Clone)]
pub struct SeatFilter {
    store: Store,
}

#[derive(Clone)]
enum Store {
    Redis(RedisClaims),
    Memory(Arc<Mutex<Claims>>),
    /// No filter: PostgreSQL alone decides (to measure and test the database's own guarantee).
    Off,
}

impl SeatFilter {
    /// Claims in Redis when there is one (each call given `timeout` at most), in this
    /// process's memory otherwise.
    pub fn new(redis: Option<::redis::aio::ConnectionManager>, timeout: Duration) -> Self {
        let store = match redis {
            Some(conn) => Store::Redis(RedisClaims::new(conn, timeout)),
            None => Store::Memory(Arc::default()),
        };
        Self { store }
    }

    /// Every hold goes straight to PostgreSQL.
    pub fn off() -> Self {
        Self { store: Store::Off }
    }

    /// Seats of this selection that someone else has, without claiming anything (what the
    /// filter would say to a claim). Empty when there is no filter or Redis is unwell; claims
    /// still pending are not counted.
    pub async fn taken(&self, show: ShowId, seats: &[SeatId], owner: UserId) -> Vec<SeatId> {
        match &self.store {
            Store::Redis(redis) => redis.taken(show, seats, owner).await,
            Store::Memory(claims) => {
                memory_store::lock(claims).others(show, seats, owner, Instant::now())
            }
            Store::Off => Vec::new(),
        }
    }

    /// Claims every seat for `owner`, or none if someone else has one. The claim lasts
    /// [`PENDING`] until [`SeatFilter::settle`] says the hold was written. While others' claims
    /// on these seats are pending, waits up to [`WAIT`] for them to be kept (refused) or given
    /// back (claimed); a claim still pending then is taken over, and PostgreSQL decides between
    /// the two writers.
    pub async fn claim(&self, show: ShowId, seats: &[SeatId], owner: UserId) -> Admission {
        let started = Instant::now();
        let mut pause = PAUSES.0;
        loop {
            let take_over = started.elapsed() >= WAIT;
            let claim = match &self.store {
                Store::Redis(redis) => redis.claim(show, seats, owner, PENDING, take_over).await,
                Store::Memory(claims) => {
                    memory_store::lock(claims).claim(show, seats, owner, PENDING, take_over)
                }
                Store::Off => Claim::Answered(Admission::Bypassed),
            };
            match claim {
                Claim::Answered(admission) => return admission,
                Claim::Busy => {
                    tokio::time::sleep(pause.min(WAIT.saturating_sub(started.elapsed()))).await;
                    pause = (pause * 2).min(PAUSES.1);
                }
            }
        }
    }

    /// The hold is written: the owner's claims on `kept` now last as long as it does (and so
    /// does any pending claim a rival took over meanwhile: that rival's write must lose), and
    /// the owner's claims on `dropped`, the seats the hold gave up, go. One step, so with Redis
    /// one round trip.
    pub async fn settle(
        &self,
        show: ShowId,
        kept: &[SeatId],
        dropped: &[SeatId],
        owner: UserId,
        ttl: Duration,
    ) {
        match &self.store {
            Store::Redis(redis) => redis.settle(show, kept, dropped, owner, ttl).await,
            Store::Memory(claims) => {
                let mut claims = memory_store::lock(claims);
                claims.keep(show, kept, owner, ttl);
                claims.release(show, dropped, Some(owner));
            }
            Store::Off => {}
        }
    }

    /// Records seats PostgreSQL says are taken, in their holder's name, for a moment (never past
    /// the hold's deadline): after a Redis outage, a restart or a claim made elsewhere, the
    /// filter learns the show again from the first refusals instead of sending every later
    /// request for those seats to the database. Existing claims are left as they are.
    pub async fn remember(&self, show: ShowId, holders: &[Holder]) {
        let claims: Vec<(SeatId, UserId, Duration)> = holders
            .iter()
            .map(|h| {
                let left = h.held_ms.map_or(REMEMBERED, |ms| {
                    Duration::from_millis(u64::try_from(ms).unwrap_or(0))
                });
                (h.seat, h.by, left.min(REMEMBERED))
            })
            .filter(|(_, _, ttl)| !ttl.is_zero())
            .collect();
        if claims.is_empty() {
            return;
        }
        match &self.store {
            Store::Redis(redis) => redis.remember(show, &claims).await,
            Store::Memory(here) => memory_store::lock(here).remember(show, &claims),
            Store::Off => {}
        }
    }

    /// Gives back the owner's claims on these seats (others' claims are left alone).
    pub async fn release(&self, show: ShowId, seats: &[SeatId], owner: UserId) {
        if seats.is_empty() {
            return;
        }
        match &self.store {
            Store::Redis(redis) => redis.release(show, seats, owner).await,
            Store::Memory(claims) => memory_store::lock(claims).release(show, seats, Some(owner)),
            Store::Off => {}
        }
    }

    /// Keeps in-memory claims honest across instances: seats another instance announces free
    /// lose their claims here too. This instance's own releases are already applied (hearing
    /// them again late could drop a newer claim). Redis needs none of this, its claims are
    /// shared.
    pub fn follow(&self, live: &Live) {
        let Store::Memory(claims) = &self.store else {
            return;
        };
        let claims = Arc::clone(claims);
        let (mut changes, stop) = (live.subscribe_remote(), live.stopping());
        tokio::spawn(async move {
            loop {
                let heard = tokio::select! {
                    _ = stop.cancelled() => return,
                    heard = changes.recv() => heard,
                };
                match heard {
                    Ok(Heard::Change(change)) if change.is_release() => {
                        let change = &change.change;
                        memory_store::lock(&claims).release(change.show_id, &change.seat_ids, None);
                    }
                    Ok(Heard::Change(_)) => {}
                    // Missed changes: forget everything rather than refuse on stale claims.
                    Ok(Heard::Gap(_)) | Err(RecvError::Lagged(_)) => {
                        memory_store::lock(&claims).clear()
                    }
                    Err(RecvError::Closed) => return,
                }
            }
        });
    }
}
