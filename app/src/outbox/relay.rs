//! The relay: claims a batch of due events, hands it to every consumer, records the outcome.
//!
//! A claim is a lease: the batch's rows are locked with `FOR UPDATE SKIP LOCKED` only while
//! their lease is written, so no transaction stays open while consumers work, other relays
//! pass the batch by, and a relay killed mid-batch leaves it to be claimed again once the lease
//! runs out. An event waits while an earlier one of its aggregate is undelivered, so each
//! booking's or show's events go out in order.

use super::{Consumer, Event, CHANNEL};
use futures_util::FutureExt;
use sqlx::{postgres::PgListener, PgPool};
use std::{panic::AssertUnwindSafe, sync::Arc, time::Duration};
use tokio_util::sync::CancellationToken;

#[derive(Clone, Copy, Debug)]
pub struct RelaySettings {
    /// Events claimed at once.
    pub batch: i64,
    /// How often to look without being woken (holds and releases never wake the relay).
    pub poll: Duration,
    /// How long a claimed batch is left to its relay before another may take it.
    pub lease: Duration,
    /// Attempts before an event is parked as a dead letter.
    pub max_attempts: i32,
    /// The wait after the first failure, doubled after each one up to `max_backoff`.
    pub backoff: Duration,
    pub max_backoff: Duration,
    /// How long delivered events are kept.
    pub retention: Duration,
}

impl Default for RelaySettings {
    fn default() -> Self {
        Self {
            batch: 200,
            poll: Duration::from_millis(500),
            lease: Duration::from_secs(60),
            max_attempts: 10,
            backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(600),
            retention: Duration::from_secs(7 * 24 * 3600),
        }
    }
}

#[derive(Clone)]
pub struct Relay {
    db: PgPool,
    consumers: Arc<[Arc<dyn Consumer>]>,
    settings: RelaySettings,
}

/// What became of one event in a pass.
struct Outcome {
    id: i64,
    /// Consumers that took it in this pass.
    took: Vec<&'static str>,
    /// The first failure, if any consumer failed.
    error: Option<String>,
}

impl Relay {
    pub fn new(db: PgPool, consumers: Vec<Arc<dyn Consumer>>, settings: RelaySettings) -> Self {
        // Each consumer's failures exist from the start, at zero, for dashboards and alerts.
        for consumer in &consumers {
            metrics::counter!("district_outbox_failures_total", "consumer" => consumer.name())
                .increment(0);
        }
        Self {
            db,
            consumers: consumers.into(),
            settings,
        }
    }

    /// Relays until `stop` (or until its pool closes): woken by NOTIFY, polling as the
    /// backstop, and straight on while batches come back full.
    pub async fn run(self, stop: CancellationToken) {
        let mut listener = match PgListener::connect_with(&self.db).await {
            Ok(mut listener) => match listener.listen(CHANNEL).await {
                Ok(()) => Some(listener),
                Err(err) => {
                    tracing::warn!(error = %err, "outbox relay polls only: LISTEN failed");
                    None
                }
            },
            Err(err) => {
                tracing::warn!(error = %err, "outbox relay polls only: no listener connection");
                None
            }
        };
        loop {
            let full = match self.pass().await {
                Ok(claimed) => claimed as i64 == self.settings.batch,
                Err(err) => {
                    tracing::warn!(error = %err, "outbox relay pass failed");
                    false
                }
            };
            if full {
                continue;
            }
            let woken = async {
                match listener.as_mut() {
                    Some(listener) => {
                        if listener.recv().await.is_err() {
                            // Reconnects on the next call; until then the poll stands in.
                            tokio::time::sleep(self.settings.poll).await;
                        }
                    }
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = stop.cancelled() => break,
                // The pool is closing: let go of the listener's connection at once.
                _ = self.db.close_event() => break,
                _ = woken => {}
                _ = tokio::time::sleep(self.settings.poll) => {}
            }
        }
    }

    /// Claims one batch, delivers it and records the outcome; returns how many were claimed.
    pub async fn pass(&self) -> Result<usize, sqlx::Error> {
        let events = self.claim().await?;
        if events.is_empty() {
            return Ok(0);
        }
        let mut outcomes: Vec<Outcome> = events
            .iter()
            .map(|event| Outcome {
                id: event.id,
                took: Vec::new(),
                error: None,
            })
            .collect();
        // Consumers work side by side, so one that is slow to fail (a broker down) does not
        // hold the others back.
        let deliveries = self.consumers.iter().map(|consumer| {
            let name = consumer.name();
            let (owed, at): (Vec<&Event>, Vec<usize>) = events
                .iter()
                .enumerate()
                .filter(|(_, event)| !event.delivered_to.iter().any(|done| done == name))
                .map(|(i, event)| (event, i))
                .unzip();
            async move {
                let results = match owed.is_empty() {
                    true => Vec::new(),
                    // A consumer's bug fails its events, to be tried again and parked if it
                    // persists; it never stops the relay.
                    false => match AssertUnwindSafe(consumer.deliver(&owed))
                        .catch_unwind()
                        .await
                    {
                        Ok(results) => results,
                        Err(_) => vec![Err("the consumer panicked".to_owned()); owed.len()],
                    },
                };
                (name, at, results)
            }
        });
        for (name, at, results) in futures_util::future::join_all(deliveries).await {
            for (i, result) in at.into_iter().zip(results) {
                let outcome = &mut outcomes[i];
                match result {
                    Ok(()) => outcome.took.push(name),
                    Err(err) => {
                        metrics::counter!("district_outbox_failures_total", "consumer" => name)
                            .increment(1);
                        outcome
                            .error
                            .get_or_insert_with(|| format!("{name}: {err}"));
                    }
                }
            }
        }
        self.settle(&outcomes).await?;
        let delivered = outcomes.iter().filter(|o| o.error.is_none()).count();
        metrics::counter!("district_outbox_delivered_total").increment(delivered as u64);
        Ok(events.len())
    }

    async fn claim(&self) -> Result<Vec<Event>, sqlx::Error> {
        sqlx::query_as(
            "SELECT id, aggregate_type, aggregate_id, event_type, schema_version, payload,
                    created_at, delivered_to
               FROM outbox_claim($1, $2) ORDER BY id",
        )
        .bind(self.settings.batch)
        .bind(self.settings.lease.as_secs_f64())
        .fetch_all(&self.db)
        .await
    }

    /// Marks what was delivered; a failed event waits its backoff or, out of attempts, is
    /// parked (`outbox_settle` in the migrations).
    async fn settle(&self, outcomes: &[Outcome]) -> Result<(), sqlx::Error> {
        let ids: Vec<i64> = outcomes.iter().map(|o| o.id).collect();
        let took: Vec<String> = outcomes.iter().map(|o| o.took.join(",")).collect();
        let errors: Vec<Option<String>> = outcomes.iter().map(|o| o.error.clone()).collect();
        let parked: Vec<i64> = sqlx::query_scalar("SELECT outbox_settle($1, $2, $3, $4, $5, $6)")
            .bind(&ids)
            .bind(&took)
            .bind(&errors)
            .bind(self.settings.max_backoff.as_secs_f64())
            .bind(self.settings.backoff.as_secs_f64())
            .bind(self.settings.max_attempts)
            .fetch_all(&self.db)
            .await?;
        for id in parked {
            metrics::counter!("district_outbox_parked_total").increment(1);
            tracing::error!(event = id, "outbox event parked as a dead letter");
        }
        Ok(())
    }

    /// Deletes delivered events older than the retention, a slice at a time.
    pub async fn prune(&self) -> Result<u64, sqlx::Error> {
        let mut deleted = 0;
        loop {
            let slice = sqlx::query(
                "DELETE FROM outbox_events WHERE id IN (
                    SELECT id FROM outbox_events
                     WHERE published_at < now() - make_interval(secs => $1)
                     LIMIT 5000)",
            )
            .bind(self.settings.retention.as_secs_f64())
            .execute(&self.db)
            .await?
            .rows_affected();
            deleted += slice;
            if slice < 5000 {
                return Ok(deleted);
            }
        }
    }

    /// Sets the gauges: the age of the oldest undelivered event and the dead letters waiting.
    pub async fn measure(&self) -> Result<(), sqlx::Error> {
        let (lag, dead): (f64, i64) = sqlx::query_as(
            "SELECT coalesce((SELECT extract(epoch FROM now() - min(created_at))::float8
                                FROM outbox_events
                               WHERE published_at IS NULL AND dead_at IS NULL), 0),
                    (SELECT count(*) FROM outbox_events WHERE dead_at IS NOT NULL)",
        )
        .fetch_one(&self.db)
        .await?;
        metrics::gauge!("district_outbox_lag_seconds").set(lag);
        metrics::gauge!("district_outbox_dead_letters").set(dead as f64);
        Ok(())
    }
}
