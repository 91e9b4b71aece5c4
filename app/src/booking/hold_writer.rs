//! Holds written together: the holds waiting at one moment go to PostgreSQL in one call
//! (`hold_seats_many`), one statement per step for all of them and one commit, the way
//! PostgreSQL itself groups the commits of concurrent transactions. A few such calls run at
//! once; holds that arrive meanwhile wait for the next one, so under load the calls grow
//! instead of the queue of backends. While others run, a call waits a moment to fill to their
//! size, since a call costs PostgreSQL a fixed part (starting its statements, the commit) on
//! top of its holds. Each hold stays all or nothing on its own.
//!
//! One call holds each show once (two holds of one show could depend on each other's seats
//! through the seat rules), so a second hold of a show waits for the next call. When PostgreSQL
//! refuses a call as a whole (a deadlock, a rival write of the same user), each of its holds is
//! written again on its own, so one hold's error is never another's; when the database cannot
//! be reached, every hold of the call hears so at once.
//!
//! A hold asked under an `Idempotency-Key` records its booking under that key in the same
//! statement, so in the same transaction (see `idempotency`).

use super::Policy;
use crate::{
    idempotency::RequestKey,
    ids::{BookingId, SeatId, ShowId, UserId},
};
use chrono::{DateTime, Utc};
use futures_util::future::join_all;
use sqlx::PgPool;
use std::{
    collections::VecDeque,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::Duration,
};
use tokio::sync::{mpsc, oneshot, Notify, Semaphore};

/// Calls of `hold_seats_many` running at once: enough that PostgreSQL always has one to work on
/// while others wait for their commit to reach the disk or for this process to answer and send
/// the next; the fill below keeps them from splitting the holds into calls too small
/// (docs/PERFORMANCE.md has the counts measured side by side).
const CALLS_IN_FLIGHT: usize = 4;

/// How long a call waits at most for more holds while other calls run (see [`fill`]): about
/// the time the holds a finished call answered take to come back as new requests.
const FILL: Duration = Duration::from_micros(300);

/// The most holds one call writes.
const MOST_PER_CALL: usize = 64;

/// One hold to write, as `hold_seats_many` takes it (the `hold_ask` type).
#[derive(Clone, Debug, sqlx::Type)]
#[sqlx(type_name = "hold_ask")]
pub(super) struct Ask {
    pub user_id: UserId,
    pub show_id: ShowId,
    /// In id order.
    pub seats: Vec<SeatId>,
    pub prices: Vec<i64>,
    /// The seats the rules' verdict depends on, and those of them not free for this user.
    pub watch: Vec<SeatId>,
    pub taken: Vec<SeatId>,
    pub code: String,
    pub fee: i64,
    pub tax: i64,
}

/// What `hold_seats_many` answers for one hold.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct Written {
    pub outcome: String,
    pub booking_id: Option<BookingId>,
    pub hold_expires_at: Option<DateTime<Utc>>,
    pub created_at: Option<DateTime<Utc>>,
    pub seats: Option<Vec<SeatId>>,
    pub released: Option<Vec<SeatId>>,
    pub holders: Option<sqlx::types::Json<Vec<super::seat_filter::Holder>>>,
}

struct Pending {
    ask: Ask,
    key: Option<RequestKey>,
    answer: oneshot::Sender<Result<Written, sqlx::Error>>,
}

/// The queue of holds to write, and the task that writes them.
#[derive(Clone)]
pub(super) struct HoldWriter {
    db: PgPool,
    policy: Arc<Policy>,
    /// None outside a runtime: then every hold is written on its own.
    queue: Option<mpsc::UnboundedSender<Pending>>,
}

impl HoldWriter {
    pub fn new(db: PgPool, policy: Arc<Policy>) -> Self {
        let queue = tokio::runtime::Handle::try_current().ok().map(|runtime| {
            let (sender, pending) = mpsc::unbounded_channel();
            runtime.spawn(write_together(pending, db.clone(), policy.clone()));
            sender
        });
        Self { db, policy, queue }
    }

    /// Writes one hold, together with whatever other holds are waiting; records the booking
    /// under `key` when there is one.
    pub async fn write(&self, ask: Ask, key: Option<RequestKey>) -> Result<Written, sqlx::Error> {
        let Some(queue) = &self.queue else {
            return write_alone(&self.db, &self.policy, &ask, key.as_ref()).await;
        };
        let (answer, answered) = oneshot::channel();
        if let Err(mpsc::error::SendError(pending)) = queue.send(Pending { ask, key, answer }) {
            return write_alone(&self.db, &self.policy, &pending.ask, pending.key.as_ref()).await;
        }
        answered.await.unwrap_or(Err(sqlx::Error::WorkerCrashed))
    }
}

/// Takes the waiting holds, a show once per call, whenever a call may start.
async fn write_together(
    mut queue: mpsc::UnboundedReceiver<Pending>,
    db: PgPool,
    policy: Arc<Policy>,
) {
    let calls = Arc::new(Semaphore::new(CALLS_IN_FLIGHT));
    let running = Arc::new(Running::default());
    // Holds of a show that was already in the call being formed, oldest first.
    let mut deferred: VecDeque<Pending> = VecDeque::new();
    loop {
        let Ok(call) = calls.clone().acquire_owned().await else {
            return;
        };
        let first = match deferred.pop_front() {
            Some(pending) => pending,
            None => match queue.recv().await {
                Some(pending) => pending,
                None => return,
            },
        };
        let mut batch = Batch {
            holds: vec![first],
            later: VecDeque::new(),
        };
        let waiting = std::mem::take(&mut deferred)
            .into_iter()
            .chain(std::iter::from_fn(|| queue.try_recv().ok()));
        for pending in waiting {
            batch.offer(pending);
        }
        fill(&mut batch, &mut queue, &calls, &running).await;
        deferred = batch.later;
        let holds = batch.holds;
        let (db, policy, running) = (db.clone(), policy.clone(), running.clone());
        running.holds.fetch_add(holds.len(), Ordering::Relaxed);
        tokio::spawn(async move {
            let count = holds.len();
            write_batch(&db, &policy, holds).await;
            running.holds.fetch_sub(count, Ordering::Relaxed);
            drop(call);
            running.ended.notify_waiters();
        });
    }
}

/// The holds in calls now running, and a signal when a call ends.
#[derive(Default)]
struct Running {
    holds: AtomicUsize,
    ended: Notify,
}

/// The holds of the call being formed, and those that must wait for a later one.
struct Batch {
    holds: Vec<Pending>,
    later: VecDeque<Pending>,
}

impl Batch {
    fn offer(&mut self, pending: Pending) {
        let show = pending.ask.show_id;
        if self.holds.len() >= MOST_PER_CALL || self.holds.iter().any(|b| b.ask.show_id == show) {
            self.later.push_back(pending);
        } else {
            self.holds.push(pending);
        }
    }
}

/// While other calls run, waits up to [`FILL`] for holds to arrive until the call has as many
/// as they have on average, one of them ends, or a hold has to wait for a later call anyway.
/// Calls of a hold or two each would pay their fixed part once per hold, and PostgreSQL has the
/// running calls to work on meanwhile.
async fn fill(
    batch: &mut Batch,
    queue: &mut mpsc::UnboundedReceiver<Pending>,
    calls: &Semaphore,
    running: &Running,
) {
    let deadline = tokio::time::Instant::now() + FILL;
    loop {
        let ended = running.ended.notified();
        tokio::pin!(ended);
        ended.as_mut().enable();
        let others = CALLS_IN_FLIGHT - 1 - calls.available_permits();
        if others == 0
            || !batch.later.is_empty()
            || batch.holds.len() >= running.holds.load(Ordering::Relaxed) / others
        {
            return;
        }
        tokio::select! {
            pending = queue.recv() => match pending {
                Some(pending) => batch.offer(pending),
                None => return,
            },
            () = &mut ended => return,
            () = tokio::time::sleep_until(deadline) => return,
        }
    }
}

async fn write_batch(db: &PgPool, policy: &Policy, batch: Vec<Pending>) {
    let mut asks = Vec::with_capacity(batch.len());
    let mut keys = Vec::with_capacity(batch.len());
    let mut answers = Vec::with_capacity(batch.len());
    for pending in batch {
        asks.push(pending.ask);
        keys.push(pending.key);
        answers.push(pending.answer);
    }
    metrics::histogram!("district_holds_per_write").record(asks.len() as f64);
    match call(db, policy, &asks, &keys).await {
        Ok(rows) if rows.len() == asks.len() => {
            for (answer, row) in answers.into_iter().zip(rows) {
                let _ = answer.send(Ok(row));
            }
        }
        Ok(rows) => {
            tracing::error!(
                asks = asks.len(),
                rows = rows.len(),
                "hold_seats_many lost holds"
            );
            for answer in answers {
                let _ = answer.send(Err(sqlx::Error::RowNotFound));
            }
        }
        // PostgreSQL refused the call for one hold's sake (a deadlock, a rival write of the
        // same user): each hold is written again on its own, all at once.
        Err(err) if asks.len() > 1 && err.as_database_error().is_some() => {
            tracing::debug!(error = %err, asks = asks.len(), "holds written one by one");
            let each = asks.iter().zip(keys).zip(answers);
            join_all(each.map(|((ask, key), answer)| async move {
                let _ = answer.send(write_alone(db, policy, ask, key.as_ref()).await);
            }))
            .await;
        }
        // One hold's own error (its caller retries what is worth it), or a database that cannot
        // be reached: every hold hears it now, none waits behind the others' retries.
        Err(err) => {
            let message = err.to_string();
            let mut first = Some(err);
            for answer in answers {
                let err = first
                    .take()
                    .unwrap_or_else(|| sqlx::Error::Protocol(message.clone()));
                let _ = answer.send(Err(err));
            }
        }
    }
}

async fn write_alone(
    db: &PgPool,
    policy: &Policy,
    ask: &Ask,
    key: Option<&RequestKey>,
) -> Result<Written, sqlx::Error> {
    call(db, policy, std::slice::from_ref(ask), &[key.cloned()])
        .await?
        .pop()
        .ok_or(sqlx::Error::RowNotFound)
}

/// One call of `hold_seats_many`; `keys` are the asks' request keys, in their order.
async fn call(
    db: &PgPool,
    policy: &Policy,
    asks: &[Ask],
    keys: &[Option<RequestKey>],
) -> Result<Vec<Written>, sqlx::Error> {
    let (mut keyed, mut scopes, mut names) = (Vec::new(), Vec::new(), Vec::new());
    for (ask, key) in (1_i64..).zip(keys) {
        if let Some(key) = key {
            keyed.push(ask);
            scopes.push(key.scope.as_str());
            names.push(key.key.as_str());
        }
    }
    const WRITE: &str =
        "SELECT outcome, booking_id, hold_expires_at, created_at, seats, released, holders
           FROM hold_seats_many($1, make_interval(secs => $2), make_interval(secs => $3), $4, $5,
                                make_interval(secs => $6))";
    // The same, recording each keyed hold's booking under its key in the same statement.
    const WRITE_KEYED: &str = "WITH h AS (
            SELECT * FROM hold_seats_many($1, make_interval(secs => $2), make_interval(secs => $3), $4, $5,
                                          make_interval(secs => $6))),
         recorded AS (
            UPDATE idempotency_keys k SET resource_id = h.booking_id
              FROM h JOIN unnest($7::bigint[], $8::text[], $9::text[]) AS r (ask, scope, key)
                ON r.ask = h.ask
             WHERE h.outcome = 'held' AND k.scope = r.scope AND k.key = r.key)
         SELECT outcome, booking_id, hold_expires_at, created_at, seats, released, holders
           FROM h ORDER BY ask";
    let query = sqlx::query_as(if keyed.is_empty() { WRITE } else { WRITE_KEYED })
        .bind(asks)
        .bind(policy.hold_ttl.as_secs_f64())
        .bind(policy.sales_close.as_secs_f64())
        .bind(policy.verified_email_only)
        .bind(policy.max_live_holds as i32)
        .bind(policy.hold_budget.as_secs_f64());
    let query = if keyed.is_empty() {
        query
    } else {
        query.bind(keyed).bind(scopes).bind(names)
    };
    query.fetch_all(db).await
}
