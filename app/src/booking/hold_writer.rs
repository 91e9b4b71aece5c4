//! Holds written together: the holds waiting at one moment go to PostgreSQL in one call
//! (`hold_seats_many`), one statement per step for all of them and one commit, the way
//! PostgreSQL itself groups the commits of concurrent transactions. A few such calls run at
//! once; holds that arrive meanwhile wait for the next one, so under load the calls grow
//! instead of the queue of backends. Each hold stays all or nothing on its own.
//!
//! One call holds each show once (two holds of one show could depend on each other's seats
//! through the seat rules), so a second hold of a show waits for the next call. When PostgreSQL
//! refuses a call as a whole (a deadlock, a rival write of the same user), each of its holds is
//! written again on its own, so one hold's error is never another's; when the database cannot
//! be reached, every hold of the call hears so at once.

use super::Policy;
use crate::ids::{BookingId, SeatId, ShowId, UserId};
use chrono::{DateTime, Utc};
use futures_util::future::join_all;
use sqlx::PgPool;
use std::{collections::VecDeque, sync::Arc};
use tokio::sync::{mpsc, oneshot, Semaphore};

/// Calls of `hold_seats_many` running at once: two, so one runs while the other waits for its
/// commit to reach the disk; more make each call smaller, and PostgreSQL spends more per hold
/// (docs/PERFORMANCE.md has 1, 2, 3, 4, 8 and 16 measured side by side).
const CALLS_IN_FLIGHT: usize = 2;

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

    /// Writes one hold, together with whatever other holds are waiting.
    pub async fn write(&self, ask: Ask) -> Result<Written, sqlx::Error> {
        let Some(queue) = &self.queue else {
            return write_alone(&self.db, &self.policy, &ask).await;
        };
        let (answer, answered) = oneshot::channel();
        if let Err(mpsc::error::SendError(pending)) = queue.send(Pending { ask, answer }) {
            return write_alone(&self.db, &self.policy, &pending.ask).await;
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
        let mut batch = vec![first];
        let mut later = VecDeque::new();
        let waiting = std::mem::take(&mut deferred)
            .into_iter()
            .chain(std::iter::from_fn(|| queue.try_recv().ok()));
        for pending in waiting {
            let show = pending.ask.show_id;
            if batch.len() < MOST_PER_CALL && batch.iter().all(|b| b.ask.show_id != show) {
                batch.push(pending);
            } else {
                later.push_back(pending);
            }
        }
        deferred = later;
        let (db, policy) = (db.clone(), policy.clone());
        tokio::spawn(async move {
            write_batch(&db, &policy, batch).await;
            drop(call);
        });
    }
}

async fn write_batch(db: &PgPool, policy: &Policy, batch: Vec<Pending>) {
    let (asks, answers): (Vec<Ask>, Vec<_>) = batch.into_iter().map(|p| (p.ask, p.answer)).unzip();
    metrics::histogram!("district_holds_per_write").record(asks.len() as f64);
    match call(db, policy, &asks).await {
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
            join_all(asks.iter().zip(answers).map(|(ask, answer)| async move {
                let _ = answer.send(write_alone(db, policy, ask).await);
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

async fn write_alone(db: &PgPool, policy: &Policy, ask: &Ask) -> Result<Written, sqlx::Error> {
    call(db, policy, std::slice::from_ref(ask))
        .await?
        .pop()
        .ok_or(sqlx::Error::RowNotFound)
}

async fn call(db: &PgPool, policy: &Policy, asks: &[Ask]) -> Result<Vec<Written>, sqlx::Error> {
    sqlx::query_as(
        "SELECT outcome, booking_id, hold_expires_at, created_at, seats, released, holders
           FROM hold_seats_many($1, make_interval(secs => $2), make_interval(secs => $3), $4)",
    )
    .bind(asks)
    .bind(policy.hold_ttl.as_secs_f64())
    .bind(policy.sales_close.as_secs_f64())
    .bind(policy.verified_email_only)
    .fetch_all(db)
    .await
}
