//! Redis as the admission filter in front of PostgreSQL: in a rush for the same seats, the
//! requests that would lose anyway are turned away here, before they reach the database.
//!
//! Each show seat has a key owned by the user who claimed it, expiring with the hold. Claims are
//! all-or-nothing in one Lua script. Redis never decides: PostgreSQL's conditional write does,
//! so a stale or lost key can at worst refuse early or let a request through to be judged there.
//! When Redis is slow or down, the filter steps aside for a few seconds and holds go straight
//! to PostgreSQL.

use redis::aio::ConnectionManager;
use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, LazyLock,
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};
use uuid::Uuid;

/// A hold never waits longer than this for Redis.
const TIMEOUT: Duration = Duration::from_millis(100);
/// After a failure, Redis is left alone this long before it is tried again.
const REST: Duration = Duration::from_secs(2);

/// KEYS: one per seat; ARGV: owner, ttl in ms. Refuses with the indexes (1-based) of seats that
/// someone else owns, or claims every key and returns the indexes that were not already ours.
const CLAIM: &str = r"
local owner, ttl = ARGV[1], tonumber(ARGV[2])
local taken = {}
for i, key in ipairs(KEYS) do
  local current = redis.call('GET', key)
  if current and current ~= owner then taken[#taken + 1] = i end
end
if #taken > 0 then return {0, taken} end
local fresh = {}
for i, key in ipairs(KEYS) do
  if not redis.call('GET', key) then fresh[#fresh + 1] = i end
  redis.call('SET', key, owner, 'PX', ttl)
end
return {1, fresh}
";

/// KEYS: one per seat; ARGV: owner. The indexes (1-based) of seats someone else has claimed.
const CHECK: &str = r"
local taken = {}
for i, key in ipairs(KEYS) do
  local current = redis.call('GET', key)
  if current and current ~= ARGV[1] then taken[#taken + 1] = i end
end
return taken
";

/// KEYS: one per seat; ARGV: owner. Deletes only the keys this owner still has.
const RELEASE: &str = r"
local released = 0
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then released = released + redis.call('DEL', key) end
end
return released
";

static CLAIM_SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(CLAIM));
static CHECK_SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(CHECK));
static RELEASE_SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(RELEASE));

/// What the filter says about a claim.
#[derive(Debug, PartialEq, Eq)]
pub enum Admission {
    /// Claimed; these seats were newly claimed (the rest were already the owner's).
    Claimed(Vec<Uuid>),
    /// Someone else has these seats.
    Refused(Vec<Uuid>),
    /// No Redis, or it is unwell: PostgreSQL alone decides.
    Bypassed,
}

#[derive(Clone)]
pub struct SeatLock {
    redis: Option<ConnectionManager>,
    /// Unix milliseconds until which Redis is skipped after a failure.
    resting_until: Arc<AtomicU64>,
}

impl SeatLock {
    pub fn new(redis: Option<ConnectionManager>) -> Self {
        Self {
            redis,
            resting_until: Arc::default(),
        }
    }

    /// Seats of this selection that someone else has claimed, without claiming anything: the
    /// cheap first question of a hold. Empty when Redis is absent or unwell.
    pub async fn taken(&self, show_id: Uuid, seats: &[Uuid], owner: Uuid) -> Vec<Uuid> {
        let mut invocation = CHECK_SCRIPT.prepare_invoke();
        for seat in seats {
            invocation.key(key(show_id, *seat));
        }
        invocation.arg(owner.to_string());
        // Only a hint: an unanswered check lets the request on to PostgreSQL and leaves the
        // verdict on Redis's health to the claim.
        let taken = self
            .run::<Vec<usize>>(invocation, false)
            .await
            .unwrap_or_default();
        pick(seats, taken)
    }

    pub async fn claim(
        &self,
        show_id: Uuid,
        seats: &[Uuid],
        owner: Uuid,
        ttl: Duration,
    ) -> Admission {
        let mut invocation = CLAIM_SCRIPT.prepare_invoke();
        for seat in seats {
            invocation.key(key(show_id, *seat));
        }
        invocation
            .arg(owner.to_string())
            .arg(ttl.as_millis() as u64);
        let Some(answer) = self.run::<(i32, Vec<usize>)>(invocation, true).await else {
            return Admission::Bypassed;
        };
        match answer {
            (1, fresh) => Admission::Claimed(pick(seats, fresh)),
            (_, taken) => Admission::Refused(pick(seats, taken)),
        }
    }

    /// Gives back the owner's claims on these seats (others' claims are left alone).
    pub async fn release(&self, show_id: Uuid, seats: &[Uuid], owner: Uuid) {
        if seats.is_empty() {
            return;
        }
        let mut invocation = RELEASE_SCRIPT.prepare_invoke();
        for seat in seats {
            invocation.key(key(show_id, *seat));
        }
        invocation.arg(owner.to_string());
        self.run::<i64>(invocation, true).await;
    }

    /// Runs a script within the timeout; `None` when Redis is resting, slow or failing, and a
    /// failure sends it to rest when `rest_on_failure`.
    async fn run<T: redis::FromRedisValue>(
        &self,
        invocation: redis::ScriptInvocation<'_>,
        rest_on_failure: bool,
    ) -> Option<T> {
        let mut conn = self.redis.clone()?;
        if now_millis() < self.resting_until.load(Ordering::Relaxed) {
            return None;
        }
        match tokio::time::timeout(TIMEOUT, invocation.invoke_async::<T>(&mut conn)).await {
            Ok(Ok(value)) => Some(value),
            _ if !rest_on_failure => None,
            failure => {
                let reason = match failure {
                    Ok(Err(err)) => err.to_string(),
                    _ => "timed out".to_owned(),
                };
                tracing::warn!(%reason, "seat lock unavailable, PostgreSQL decides alone for a while");
                self.resting_until
                    .store(now_millis() + REST.as_millis() as u64, Ordering::Relaxed);
                None
            }
        }
    }
}

/// The seats at these 1-based indexes (as Lua counts).
fn pick(seats: &[Uuid], indexes: Vec<usize>) -> Vec<Uuid> {
    indexes
        .into_iter()
        .filter_map(|i| seats.get(i.wrapping_sub(1)).copied())
        .collect()
}

/// Keys of one show share a hash tag, so a claim stays on one Redis Cluster slot.
pub fn key(show_id: Uuid, seat_id: Uuid) -> String {
    format!("seat:{{{show_id}}}:{seat_id}")
}

fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}
