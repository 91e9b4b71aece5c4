//! Background jobs that run inside every server instance, safe to run on all of them at once.

use crate::AppState;
use sqlx::PgPool;
use std::{future::Future, time::Duration};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// Periodic jobs sharing one stop signal, so shutdown can wait for each to finish its pass.
#[derive(Default)]
pub struct Jobs {
    stop: CancellationToken,
    tasks: JoinSet<()>,
}

impl Jobs {
    /// Runs `pass` every `period` until shutdown; a pass in progress is allowed to finish.
    pub fn every<F, Fut>(&mut self, name: &'static str, period: Duration, mut pass: F)
    where
        F: FnMut() -> Fut + Send + 'static,
        Fut: Future<Output = anyhow::Result<()>> + Send,
    {
        let stop = self.stop.clone();
        self.tasks.spawn(async move {
            let mut ticks = tokio::time::interval(period);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = stop.cancelled() => break,
                    _ = ticks.tick() => {
                        if let Err(err) = pass().await {
                            tracing::warn!(job = name, error = %err, "job pass failed");
                        }
                    }
                }
            }
            tracing::debug!(job = name, "job stopped");
        });
    }

    /// Runs a long-lived task that stops itself when told.
    pub fn run<F, Fut>(&mut self, start: F)
    where
        F: FnOnce(CancellationToken) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.tasks.spawn(start(self.stop.clone()));
    }

    /// Signals every job to stop and waits until they have.
    pub async fn shutdown(mut self) {
        self.stop.cancel();
        while self.tasks.join_next().await.is_some() {}
    }
}

const HOURLY: Duration = Duration::from_secs(3600);
/// Expired holds are released within this long (before that, holds already treat them as free).
const HOLD_SWEEP: Duration = Duration::from_secs(2);
/// Sandbox webhooks, refunds due and silent payments are seen to this often.
const PAYMENT_SETTLE: Duration = Duration::from_secs(2);
/// A replica that stops answering loses the reads within this long (and gets them back).
const REPLICA_CHECK: Duration = Duration::from_secs(2);
/// The outbox's lag and dead letters, and the backends' gauges, are measured this often.
const GAUGES: Duration = Duration::from_secs(15);

/// The jobs every instance runs.
pub fn start(state: AppState, sessions: crate::sessions::Store) -> Jobs {
    let mut jobs = Jobs::default();
    let bookings = state.bookings.clone();
    jobs.every("expire_holds", HOLD_SWEEP, move || {
        let bookings = bookings.clone();
        async move {
            bookings
                .expire_due_holds()
                .await
                .map(|_| ())
                .map_err(|err| anyhow::anyhow!("{err}"))
        }
    });
    let payments = state.payments.clone();
    jobs.every("settle_payments", PAYMENT_SETTLE, move || {
        let payments = payments.clone();
        async move {
            payments
                .settle()
                .await
                .map(|_| ())
                .map_err(|err| anyhow::anyhow!("{err}"))
        }
    });
    jobs.run(|stop| state.relay.clone().run(stop));
    let relay = state.relay.clone();
    let backends = state.backends.clone();
    jobs.every("measure_backends", GAUGES, move || {
        let backends = backends.clone();
        async move {
            crate::metrics::measure(&backends).await;
            Ok(())
        }
    });
    jobs.every("measure_outbox", GAUGES, move || {
        let relay = relay.clone();
        async move { Ok(relay.measure().await?) }
    });
    let relay = state.relay.clone();
    jobs.every("prune_outbox", HOURLY, move || {
        let relay = relay.clone();
        async move { relay.prune().await.map(|_| ()).map_err(Into::into) }
    });
    let db = state.backends.db.clone();
    if db.replica().is_some() {
        jobs.every("check_replica", REPLICA_CHECK, move || {
            let db = db.clone();
            async move {
                db.check_replica().await;
                Ok(())
            }
        });
    }
    let db = state.backends.db.primary().clone();
    jobs.every("prune_idempotency_keys", HOURLY, move || {
        let db = db.clone();
        async move { prune_idempotency_keys(&db).await.map(|_| ()) }
    });
    jobs.every("delete_expired_sessions", HOURLY, move || {
        let sessions = sessions.clone();
        async move { Ok(sessions.delete_expired().await?) }
    });
    jobs
}

/// Saved responses are replayed for a day; after that a key may be reused.
pub async fn prune_idempotency_keys(db: &PgPool) -> anyhow::Result<u64> {
    let deleted =
        sqlx::query("DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours'")
            .execute(db)
            .await?
            .rows_affected();
    Ok(deleted)
}
