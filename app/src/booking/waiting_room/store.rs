//! The shows' lines: in Redis (Lua scripts beside this file, so each step is atomic and every
//! instance shares the lines) or in this process's memory.

use super::room::{now_ms, Place};
use crate::{
    breaker::Breaker,
    ids::{ShowId, UserId},
};
use redis::{aio::ConnectionManager, Script};
use std::{
    collections::HashMap,
    sync::{Arc, LazyLock, Mutex},
    time::Duration,
};

/// How long a hold or a poll waits for Redis before the room steps aside: ten times the seat
/// filter's default 100 ms, because the room matters most when the machine is busiest and a room that
/// steps aside lets the rush in out of turn. Longer waits were measured (docs/PERFORMANCE.md):
/// at 5 s holds waited longer and the room still stepped aside under a saturated machine.
const TIMEOUT: Duration = Duration::from_secs(1);

/// Redis did not answer in time (or is resting after a failure).
pub(super) struct Unavailable;

static ENTER: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("enter.lua")));
static PLACE: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("place.lua")));

pub(super) enum Lines {
    Redis {
        conn: ConnectionManager,
        breaker: Breaker,
    },
    Memory(Arc<Mutex<HashMap<ShowId, Line>>>),
}

/// One show's line in memory.
#[derive(Default)]
pub(super) struct Line {
    next_free: i64,
    places: HashMap<UserId, i64>,
}

fn next_key(show: ShowId) -> String {
    format!("room:{{{show}}}:next")
}

fn place_key(show: ShowId, user: UserId) -> String {
    format!("room:{{{show}}}:{user}")
}

impl Lines {
    pub fn new(redis: Option<ConnectionManager>) -> Self {
        match redis {
            Some(conn) => Self::Redis {
                conn,
                breaker: Breaker::default(),
            },
            None => Self::Memory(Default::default()),
        }
    }

    /// `user`'s place in `show`'s line, given now if it has none (`at` 0: straight through).
    /// `None` when Redis cannot say.
    pub async fn enter(
        &self,
        show: ShowId,
        user: UserId,
        interval: i64,
        ahead: i64,
        lasts: i64,
    ) -> Option<Place> {
        match self {
            Self::Redis { conn, breaker } => {
                let mut invocation = ENTER.prepare_invoke();
                invocation
                    .key(next_key(show))
                    .key(place_key(show, user))
                    .arg(interval)
                    .arg(ahead)
                    .arg(lasts);
                let mut conn = conn.clone();
                let call = invocation.invoke_async::<(i64, i64)>(&mut conn);
                let (at, now) = breaker.call("waiting room", TIMEOUT, call).await?;
                Some(Place { at, now })
            }
            Self::Memory(lines) => {
                let now = now_ms();
                let mut lines = lines.lock().unwrap_or_else(|e| e.into_inner());
                // A line that has not moved for an admission's length is over.
                lines.retain(|_, line| line.next_free + lasts > now);
                let line = lines.entry(show).or_default();
                if let Some(&at) = line.places.get(&user).filter(|&&at| at + lasts > now) {
                    return Some(Place { at, now });
                }
                let next_free = line.next_free.max(now);
                line.next_free = next_free + interval;
                let at = next_free - ahead;
                if at <= now {
                    return Some(Place { at: 0, now });
                }
                line.places.insert(user, at);
                Some(Place { at, now })
            }
        }
    }

    /// `user`'s place in `show`'s line, if it has one that has not run out.
    pub async fn place(
        &self,
        show: ShowId,
        user: UserId,
        lasts: i64,
    ) -> Result<Option<Place>, Unavailable> {
        let place = match self {
            Self::Redis { conn, breaker } => {
                let mut invocation = PLACE.prepare_invoke();
                invocation.key(place_key(show, user));
                let mut conn = conn.clone();
                let call = invocation.invoke_async::<(i64, i64)>(&mut conn);
                let answer = breaker.call("waiting room", TIMEOUT, call).await;
                let (at, now) = answer.ok_or(Unavailable)?;
                Place { at, now }
            }
            Self::Memory(lines) => {
                let lines = lines.lock().unwrap_or_else(|e| e.into_inner());
                let now = now_ms();
                let at = lines
                    .get(&show)
                    .and_then(|line| line.places.get(&user))
                    .copied()
                    .filter(|at| at + lasts > now);
                Place {
                    at: at.unwrap_or(0),
                    now,
                }
            }
        };
        Ok((place.at != 0).then_some(place))
    }
}
