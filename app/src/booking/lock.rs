//! The admission filter in front of PostgreSQL: in a rush for the same seats, the requests that
//! would lose anyway are turned away here, before they reach the database.
//!
//! Each show seat has a claim owned by the user who made it: for a few seconds while the hold
//! is written, then as long as the hold. Claims are all-or-nothing: in Redis (Lua scripts,
//! shared by every instance) when REDIS_URL is set, otherwise in this process's memory, the
//! single-instance equivalent. The filter never
//! decides: PostgreSQL's conditional write does, so a stale or lost claim can at worst refuse
//! early or let a request through to be judged there. When Redis is slow or down, the filter
//! steps aside for a few seconds and holds go straight to PostgreSQL.

use super::{
    live::{Heard, Live},
    rules::Taken,
};
use redis::aio::ConnectionManager;
use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, LazyLock, Mutex, MutexGuard, PoisonError,
    },
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};
use tokio::sync::broadcast::error::RecvError;
use uuid::Uuid;

/// How long a claim lasts before its hold is written: a process that dies in between leaves
/// claims that turn people away this long at most.
pub const PENDING: Duration = Duration::from_secs(30);
/// How long the filter remembers a seat PostgreSQL said is taken, at most: short, because the
/// holder may let go before the filter hears of it.
const REMEMBERED: Duration = Duration::from_secs(2);
/// A hold never waits longer than this for Redis.
const TIMEOUT: Duration = Duration::from_millis(100);
/// After a failure, Redis is left alone this long before it is tried again.
const REST: Duration = Duration::from_secs(2);

/// KEYS: one per seat; ARGV: owner, ttl in ms. Refuses with the indexes (1-based) of seats that
/// someone else owns, or claims every key.
const CLAIM: &str = r"
local owner, ttl = ARGV[1], tonumber(ARGV[2])
local taken = {}
for i, key in ipairs(KEYS) do
  local current = redis.call('GET', key)
  if current and current ~= owner then taken[#taken + 1] = i end
end
if #taken > 0 then return {0, taken} end
for _, key in ipairs(KEYS) do
  redis.call('SET', key, owner, 'PX', ttl)
end
return {1, {}}
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

/// KEYS: one per seat; ARGV: owner, ttl in ms. Extends only the keys this owner still has.
const KEEP: &str = r"
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then redis.call('PEXPIRE', key, ARGV[2]) end
end
return 0
";

/// KEYS: one per seat; ARGV: owner. Deletes only the keys this owner still has.
const RELEASE: &str = r"
local released = 0
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then released = released + redis.call('DEL', key) end
end
return released
";

/// KEYS: one per seat; ARGV: owner and ttl in ms for each key in turn. Sets the keys that do
/// not exist yet, never overwriting a claim.
const REMEMBER: &str = r"
for i, key in ipairs(KEYS) do
  redis.call('SET', key, ARGV[2 * i - 1], 'PX', ARGV[2 * i], 'NX')
end
return #KEYS
";

static REMEMBER_SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(REMEMBER));
static KEEP_SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(KEEP));
static CLAIM_SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(CLAIM));
static CHECK_SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(CHECK));
static RELEASE_SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| redis::Script::new(RELEASE));

/// What the filter says about a claim.
#[derive(Debug, PartialEq, Eq)]
pub enum Admission {
    /// Every seat is the owner's, for [`PENDING`] unless kept.
    Claimed,
    /// Someone else has these seats.
    Refused(Vec<Uuid>),
    /// No Redis, or it is unwell: PostgreSQL alone decides.
    Bypassed,
}

#[derive(Clone)]
pub struct SeatLock {
    store: Store,
}

#[derive(Clone)]
enum Store {
    Redis {
        conn: ConnectionManager,
        /// Unix milliseconds until which Redis is skipped after a failure.
        resting_until: Arc<AtomicU64>,
    },
    Memory(Arc<Mutex<Claims>>),
    /// No filter: PostgreSQL alone decides (to measure and test the database's own guarantee).
    Off,
}

impl SeatLock {
    /// Claims in Redis when there is one, in this process's memory otherwise.
    pub fn new(redis: Option<ConnectionManager>) -> Self {
        let store = match redis {
            Some(conn) => Store::Redis {
                conn,
                resting_until: Arc::default(),
            },
            None => Store::Memory(Arc::default()),
        };
        Self { store }
    }

    /// Every hold goes straight to PostgreSQL.
    pub fn off() -> Self {
        Self { store: Store::Off }
    }

    /// Seats of this selection that someone else has claimed, without claiming anything: the
    /// cheap first question of a hold. Empty when there is no filter or Redis is unwell.
    pub async fn taken(&self, show_id: Uuid, seats: &[Uuid], owner: Uuid) -> Vec<Uuid> {
        match &self.store {
            Store::Redis { .. } => {
                let invocation = invoke(&CHECK_SCRIPT, show_id, seats, owner);
                // Only a hint: an unanswered check lets the request on to PostgreSQL and
                // leaves the verdict on Redis's health to the claim.
                let taken = self
                    .run::<Vec<usize>>(invocation, false)
                    .await
                    .unwrap_or_default();
                pick(seats, taken)
            }
            Store::Memory(claims) => lock(claims).others(show_id, seats, owner, Instant::now()),
            Store::Off => Vec::new(),
        }
    }

    /// Claims every seat for `owner`, or none if someone else has one. The claim lasts
    /// [`PENDING`] until [`SeatLock::keep`] says the hold was written.
    pub async fn claim(&self, show_id: Uuid, seats: &[Uuid], owner: Uuid) -> Admission {
        let ttl = PENDING;
        match &self.store {
            Store::Redis { .. } => {
                let mut invocation = invoke(&CLAIM_SCRIPT, show_id, seats, owner);
                invocation.arg(ttl.as_millis() as u64);
                match self.run::<(i32, Vec<usize>)>(invocation, true).await {
                    Some((1, _)) => Admission::Claimed,
                    Some((_, taken)) => Admission::Refused(pick(seats, taken)),
                    None => Admission::Bypassed,
                }
            }
            Store::Memory(claims) => lock(claims).claim(show_id, seats, owner, ttl),
            Store::Off => Admission::Bypassed,
        }
    }

    /// The hold is written: the owner's claims on these seats now last as long as it does.
    pub async fn keep(&self, show_id: Uuid, seats: &[Uuid], owner: Uuid, ttl: Duration) {
        match &self.store {
            Store::Redis { .. } => {
                let mut invocation = invoke(&KEEP_SCRIPT, show_id, seats, owner);
                invocation.arg(ttl.as_millis() as u64);
                self.run::<i64>(invocation, true).await;
            }
            Store::Memory(claims) => lock(claims).keep(show_id, seats, owner, ttl),
            Store::Off => {}
        }
    }

    /// Records seats PostgreSQL says are taken, in their holder's name, for a moment (never past
    /// the hold's deadline): after a Redis outage, a restart or a claim made elsewhere, the
    /// filter learns the show again from the first refusals instead of sending every later
    /// request for those seats to the database. Existing claims are left as they are.
    pub async fn remember(&self, show_id: Uuid, holders: &[(Uuid, Taken)]) {
        let claims: Vec<(Uuid, Uuid, Duration)> = holders
            .iter()
            .map(|(seat, taken)| {
                let left = taken.held_ms.map_or(REMEMBERED, |ms| {
                    Duration::from_millis(u64::try_from(ms).unwrap_or(0))
                });
                (*seat, taken.by, left.min(REMEMBERED))
            })
            .filter(|(_, _, ttl)| !ttl.is_zero())
            .collect();
        if claims.is_empty() {
            return;
        }
        match &self.store {
            Store::Redis { .. } => {
                let mut invocation = REMEMBER_SCRIPT.prepare_invoke();
                for (seat, owner, ttl) in &claims {
                    invocation
                        .key(key(show_id, *seat))
                        .arg(owner.to_string())
                        .arg(ttl.as_millis() as u64);
                }
                self.run::<i64>(invocation, true).await;
            }
            Store::Memory(claims_here) => lock(claims_here).remember(show_id, &claims),
            Store::Off => {}
        }
    }

    /// Gives back the owner's claims on these seats (others' claims are left alone).
    pub async fn release(&self, show_id: Uuid, seats: &[Uuid], owner: Uuid) {
        if seats.is_empty() {
            return;
        }
        match &self.store {
            Store::Redis { .. } => {
                let invocation = invoke(&RELEASE_SCRIPT, show_id, seats, owner);
                self.run::<i64>(invocation, true).await;
            }
            Store::Memory(claims) => lock(claims).release(show_id, seats, Some(owner)),
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
                let change = tokio::select! {
                    _ = stop.cancelled() => return,
                    change = changes.recv() => change,
                };
                match change {
                    Ok(Heard::Change(change)) if change.status == "available" => {
                        lock(&claims).release(change.show_id, &change.seat_ids, None);
                    }
                    Ok(Heard::Change(_)) => {}
                    // Missed changes: forget everything rather than refuse on stale claims.
                    Ok(Heard::Gap) | Err(RecvError::Lagged(_)) => lock(&claims).seats.clear(),
                    Err(RecvError::Closed) => return,
                }
            }
        });
    }

    /// Runs a script within the timeout; `None` when Redis is resting, slow or failing, and a
    /// failure sends it to rest when `rest_on_failure`.
    async fn run<T: redis::FromRedisValue>(
        &self,
        invocation: redis::ScriptInvocation<'_>,
        rest_on_failure: bool,
    ) -> Option<T> {
        let Store::Redis {
            conn,
            resting_until,
        } = &self.store
        else {
            return None;
        };
        if now_millis() < resting_until.load(Ordering::Relaxed) {
            return None;
        }
        let mut conn = conn.clone();
        match tokio::time::timeout(TIMEOUT, invocation.invoke_async::<T>(&mut conn)).await {
            Ok(Ok(value)) => Some(value),
            _ if !rest_on_failure => None,
            failure => {
                let reason = match failure {
                    Ok(Err(err)) => err.to_string(),
                    _ => "timed out".to_owned(),
                };
                tracing::warn!(%reason, "seat lock unavailable, PostgreSQL decides alone for a while");
                resting_until.store(now_millis() + REST.as_millis() as u64, Ordering::Relaxed);
                None
            }
        }
    }
}

/// A script call with one key per seat and the owner as its first argument.
fn invoke<'a>(
    script: &'a redis::Script,
    show_id: Uuid,
    seats: &[Uuid],
    owner: Uuid,
) -> redis::ScriptInvocation<'a> {
    let mut invocation = script.prepare_invoke();
    for seat in seats {
        invocation.key(key(show_id, *seat));
    }
    invocation.arg(owner.to_string());
    invocation
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

/// The in-process claims: (show, seat) to owner and deadline, as Redis would keep them.
#[derive(Default)]
struct Claims {
    seats: HashMap<(Uuid, Uuid), (Uuid, Instant)>,
    /// Claims made since expired ones were last swept out.
    since_prune: usize,
}

/// Expired claims are swept out once this many claims have been made.
const PRUNE_EVERY: usize = 4096;

fn lock(claims: &Mutex<Claims>) -> MutexGuard<'_, Claims> {
    // The map is valid after any panic (every change is a single insert or remove).
    claims.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Claims {
    fn others(&self, show_id: Uuid, seats: &[Uuid], owner: Uuid, now: Instant) -> Vec<Uuid> {
        seats
            .iter()
            .copied()
            .filter(|seat| {
                self.seats
                    .get(&(show_id, *seat))
                    .is_some_and(|(by, until)| *by != owner && *until > now)
            })
            .collect()
    }

    fn claim(&mut self, show_id: Uuid, seats: &[Uuid], owner: Uuid, ttl: Duration) -> Admission {
        let now = Instant::now();
        let taken = self.others(show_id, seats, owner, now);
        if !taken.is_empty() {
            return Admission::Refused(taken);
        }
        self.since_prune += 1;
        if self.since_prune >= PRUNE_EVERY {
            self.seats.retain(|_, (_, until)| *until > now);
            self.since_prune = 0;
        }
        for seat in seats {
            self.seats.insert((show_id, *seat), (owner, now + ttl));
        }
        Admission::Claimed
    }

    fn keep(&mut self, show_id: Uuid, seats: &[Uuid], owner: Uuid, ttl: Duration) {
        let until = Instant::now() + ttl;
        for seat in seats {
            if let Some(claim) = self.seats.get_mut(&(show_id, *seat)) {
                if claim.0 == owner {
                    claim.1 = until;
                }
            }
        }
    }

    /// Claims seats that nobody has claimed (or whose claim has run out), each for its owner.
    fn remember(&mut self, show_id: Uuid, claims: &[(Uuid, Uuid, Duration)]) {
        let now = Instant::now();
        for (seat, owner, ttl) in claims {
            let entry = self.seats.entry((show_id, *seat)).or_insert((*owner, now));
            if entry.1 <= now {
                *entry = (*owner, now + *ttl);
            }
        }
    }

    /// Removes the claims on these seats: only `owner`'s, or anyone's.
    fn release(&mut self, show_id: Uuid, seats: &[Uuid], owner: Option<Uuid>) {
        for seat in seats {
            let key = (show_id, *seat);
            if self
                .seats
                .get(&key)
                .is_some_and(|(by, _)| owner.is_none_or(|owner| owner == *by))
            {
                self.seats.remove(&key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<Uuid> {
        (0..n).map(|_| Uuid::new_v4()).collect()
    }

    #[test]
    fn memory_claims_are_all_or_nothing_and_owned() {
        let (show, seats, alice, bob) = (Uuid::new_v4(), ids(3), Uuid::new_v4(), Uuid::new_v4());
        let ttl = Duration::from_secs(60);
        let mut claims = Claims::default();
        assert_eq!(
            claims.claim(show, &seats[..2], alice, ttl),
            Admission::Claimed
        );
        // Bob wants one of Alice's seats and a free one: refused, and the free one stays free.
        assert_eq!(
            claims.claim(show, &seats[1..], bob, ttl),
            Admission::Refused(vec![seats[1]])
        );
        assert!(claims
            .others(show, &seats[2..], alice, Instant::now())
            .is_empty());
        // Alice extends her claim to the free seat.
        assert_eq!(claims.claim(show, &seats, alice, ttl), Admission::Claimed);
        // Bob cannot release Alice's claims; Alice can.
        claims.release(show, &seats, Some(bob));
        assert_eq!(claims.others(show, &seats, bob, Instant::now()), seats);
        claims.release(show, &seats[..1], Some(alice));
        assert_eq!(claims.others(show, &seats, bob, Instant::now()), seats[1..]);
        // A change announced from elsewhere frees whatever it names.
        claims.release(show, &seats, None);
        assert!(claims.others(show, &seats, bob, Instant::now()).is_empty());
    }

    #[test]
    fn only_the_owner_keeps_a_claim_for_the_length_of_the_hold() {
        let (show, seats, alice, bob) = (Uuid::new_v4(), ids(2), Uuid::new_v4(), Uuid::new_v4());
        let mut claims = Claims::default();
        claims.claim(show, &seats[..1], alice, PENDING);
        claims.claim(show, &seats[1..], bob, PENDING);
        let hold = Duration::from_secs(600);
        claims.keep(show, &seats, alice, hold);
        let until = |seat| claims.seats[&(show, seat)].1;
        assert!(until(seats[0]) > Instant::now() + PENDING, "Alice's hold");
        assert!(
            until(seats[1]) <= Instant::now() + PENDING,
            "still Bob's pending claim"
        );
    }

    #[test]
    fn expired_memory_claims_count_as_free() {
        let (show, seats, alice, bob) = (Uuid::new_v4(), ids(2), Uuid::new_v4(), Uuid::new_v4());
        let mut claims = Claims::default();
        claims.claim(show, &seats, alice, Duration::ZERO);
        assert_eq!(
            claims.claim(show, &seats, bob, Duration::from_secs(60)),
            Admission::Claimed
        );
    }

    #[test]
    fn remembered_seats_are_refused_briefly_and_never_overwrite_a_claim() {
        let (show, seats, alice, bob, carol) = (
            Uuid::new_v4(),
            ids(2),
            Uuid::new_v4(),
            Uuid::new_v4(),
            Uuid::new_v4(),
        );
        let mut claims = Claims::default();
        claims.claim(show, &seats[..1], alice, Duration::from_secs(60));
        claims.remember(
            show,
            &[(seats[0], bob, REMEMBERED), (seats[1], bob, REMEMBERED)],
        );
        let now = Instant::now();
        assert_eq!(claims.seats[&(show, seats[0])].0, alice, "kept");
        assert_eq!(claims.seats[&(show, seats[1])].0, bob);
        assert!(claims.seats[&(show, seats[1])].1 <= now + REMEMBERED);
        assert_eq!(claims.others(show, &seats, carol, now), seats);
        // Bob's own seat is his to ask for again.
        assert!(claims.others(show, &seats[1..], bob, now).is_empty());
    }

    #[tokio::test]
    async fn remembered_claims_never_outlive_the_hold() {
        let filter = SeatLock::new(None);
        let (show, seats, bob, carol) = (Uuid::new_v4(), ids(3), Uuid::new_v4(), Uuid::new_v4());
        let held = |ms| Taken {
            by: bob,
            held_ms: Some(ms),
        };
        filter
            .remember(
                show,
                &[
                    (seats[0], held(0)),
                    (seats[1], held(60_000)),
                    (seats[2], held(500)),
                ],
            )
            .await;
        assert_eq!(filter.taken(show, &seats, carol).await, seats[1..]);
        let Store::Memory(claims) = &filter.store else {
            panic!("in memory without Redis");
        };
        let until = |seat| lock(claims).seats[&(show, seat)].1;
        let now = Instant::now();
        assert!(until(seats[1]) <= now + REMEMBERED, "two seconds at most");
        assert!(
            until(seats[2]) <= now + Duration::from_millis(500),
            "never past the hold"
        );
    }

    #[test]
    fn expired_memory_claims_are_swept_out() {
        let show = Uuid::new_v4();
        let mut claims = Claims::default();
        for _ in 0..PRUNE_EVERY {
            claims.claim(show, &ids(1), Uuid::new_v4(), Duration::ZERO);
        }
        assert!(
            claims.seats.len() <= 1,
            "{} claims kept",
            claims.seats.len()
        );
    }
}
