//! Bounded work: how much of the machine one kind of request may take, so a flood of one kind
//! slows that kind down instead of the whole server.

use super::{vars::Vars, ConfigError};
use app::{
    account::HashLimits,
    booking::{seat_filter, waiting_room::RoomSettings, StreamCaps},
};
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Bounds {
    /// PASSWORD_HASH_CONCURRENCY (default: the cores) and PASSWORD_HASH_WAIT (2s): password
    /// checks at once, and how long one waits for its turn before a 503.
    pub hashing: HashLimits,
    /// SEAT_STREAMS_PER_CLIENT (16) and SEAT_STREAMS_TOTAL (10000): open live seat maps.
    pub streams: StreamCaps,
    /// REQUEST_TIMEOUT (30s): the longest a request may take to start its answer.
    pub request_timeout: Duration,
    /// HEADER_READ_TIMEOUT (30s): the longest a connection may take to send a request's head
    /// (also the longest a keep-alive connection may sit idle; at 10s a saturated flash sale
    /// lost one trip in a thousand to connections closed as they were reused).
    pub header_read_timeout: Duration,
    /// WAITING_ROOM_RATE (100 holds a second per show; 0: no room), WAITING_ROOM_BURST (300)
    /// and WAITING_ROOM_ADMISSION (10m): when a hot show's line forms and how long a turn lasts.
    pub waiting_room: RoomSettings,
    /// SEAT_FILTER_TIMEOUT (100ms, at most 2s): the longest a hold waits for one Redis call of the seat
    /// filter before the filter steps aside and PostgreSQL alone decides.
    pub seat_filter_timeout: Duration,
}

pub(super) fn bounds(vars: &Vars) -> Result<Bounds, ConfigError> {
    let (hashing, streams) = (HashLimits::default(), StreamCaps::default());
    let room = RoomSettings::default();
    Ok(Bounds {
        hashing: HashLimits {
            concurrency: count(vars, "PASSWORD_HASH_CONCURRENCY", hashing.concurrency)?,
            wait: vars.duration_or("PASSWORD_HASH_WAIT", hashing.wait)?,
        },
        streams: StreamCaps {
            per_client: count(vars, "SEAT_STREAMS_PER_CLIENT", streams.per_client)?,
            total: count(vars, "SEAT_STREAMS_TOTAL", streams.total)?,
        },
        request_timeout: vars.duration_or("REQUEST_TIMEOUT", Duration::from_secs(30))?,
        header_read_timeout: vars.duration_or("HEADER_READ_TIMEOUT", Duration::from_secs(30))?,
        waiting_room: RoomSettings {
            per_second: vars.parse_or("WAITING_ROOM_RATE", room.per_second, "holds a second")?,
            burst: count(vars, "WAITING_ROOM_BURST", room.burst as usize)? as u32,
            admission: vars.duration_or("WAITING_ROOM_ADMISSION", room.admission)?,
        },
        seat_filter_timeout: seat_filter_timeout(vars)?,
    })
}

/// At most the Redis connection's own 2 s limit on an answer (`server/src/db.rs`), which
/// would end a longer wait first.
fn seat_filter_timeout(vars: &Vars) -> Result<Duration, ConfigError> {
    const NAME: &str = "SEAT_FILTER_TIMEOUT";
    match vars.duration_or(NAME, seat_filter::REDIS_TIMEOUT)? {
        timeout if timeout > Duration::from_secs(2) => {
            Err(ConfigError::new(NAME, "must be at most 2s"))
        }
        timeout => Ok(timeout),
    }
}

/// A count of at least one.
pub(super) fn count(vars: &Vars, name: &'static str, default: usize) -> Result<usize, ConfigError> {
    match vars.parse_or(name, default, "a number above 0")? {
        0 => Err(ConfigError::new(name, "must be a number above 0, got 0")),
        value => Ok(value),
    }
}
