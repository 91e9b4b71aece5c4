//! The outbox relay: what it delivers (only what committed), how it shares the work (two relays
//! never hold one event at once, a killed relay's batch is delivered after its lease), how it
//! gives up (dead letters a platform admin sends again) and its consumers: mail through a real
//! SMTP server and Kafka through a real broker.

mod support;

use app::outbox::{self, Consumer, Event, Relay, RelaySettings};
use serde_json::json;
use server::db::MIGRATOR;
use sqlx::PgPool;
use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
    time::Duration as StdDuration,
};
use tokio::sync::Notify;
use uuid::Uuid;

/// A consumer for the relay's own tests: records what it is handed, checks that no event is
/// in two hands at once, and can stall after a number of events (a relay about to be killed).
#[derive(Default)]
struct Recorder {
    taken: Mutex<Vec<(Uuid, i64)>>,
    in_hand: Mutex<HashSet<i64>>,
    overlaps: Mutex<Vec<i64>>,
    stall_after: Option<usize>,
    stalled: Notify,
}

#[async_trait::async_trait]
impl Consumer for Recorder {
    fn name(&self) -> &'static str {
        "recorder"
    }

    async fn deliver(&self, events: &[&Event]) -> Vec<Result<(), String>> {
        for event in events {
            if !self.in_hand.lock().unwrap().insert(event.id) {
                self.overlaps.lock().unwrap().push(event.id);
            }
        }
        // Let the other relay run while this batch is in hand.
        tokio::time::sleep(StdDuration::from_millis(2)).await;
        for event in events {
            let stall = {
                let mut taken = self.taken.lock().unwrap();
                let stall = self.stall_after == Some(taken.len());
                if !stall {
                    taken.push((event.aggregate_id, event.id));
                }
                stall
            };
            if stall {
                self.stalled.notify_one();
                std::future::pending::<()>().await;
            }
            self.in_hand.lock().unwrap().remove(&event.id);
        }
        vec![Ok(()); events.len()]
    }
}

fn relay(db: &PgPool, consumer: Arc<Recorder>, lease: StdDuration) -> Relay {
    let settings = RelaySettings {
        batch: 25,
        lease,
        ..RelaySettings::default()
    };
    Relay::new(db.clone(), vec![consumer], settings)
}

async fn write_events(db: &PgPool, aggregates: &[Uuid], each: usize) {
    let mut tx = db.begin().await.unwrap();
    for n in 0..each {
        for aggregate in aggregates {
            outbox::record(&mut tx, "show", *aggregate, "show.test", json!({ "n": n }))
                .await
                .unwrap();
        }
    }
    tx.commit().await.unwrap();
}

async fn undelivered(db: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM outbox_events WHERE published_at IS NULL")
        .fetch_one(db)
        .await
        .unwrap()
}

async fn run_dry(relay: &Relay) {
    while relay.pass().await.unwrap() > 0 {}
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn an_event_written_in_a_rolled_back_transaction_is_never_delivered(db: PgPool) {
    let (kept, dropped) = (Uuid::new_v4(), Uuid::new_v4());
    let mut tx = db.begin().await.unwrap();
    outbox::record(&mut tx, "show", dropped, "show.test", json!({}))
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    write_events(&db, &[kept], 1).await;

    let recorder = Arc::new(Recorder::default());
    run_dry(&relay(&db, recorder.clone(), StdDuration::from_secs(60))).await;
    let taken = recorder.taken.lock().unwrap().clone();
    assert_eq!(taken.iter().map(|t| t.0).collect::<Vec<_>>(), vec![kept]);
    assert_eq!(undelivered(&db).await, 0);
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_relay_killed_mid_batch_loses_nothing(db: PgPool) {
    let aggregates: Vec<Uuid> = (0..10).map(|_| Uuid::new_v4()).collect();
    write_events(&db, &aggregates, 5).await;
    let lease = StdDuration::from_secs(1);
    let doomed = Arc::new(Recorder {
        stall_after: Some(7),
        ..Recorder::default()
    });
    let first = relay(&db, doomed.clone(), lease);
    let running = tokio::spawn(async move { first.pass().await });
    doomed.stalled.notified().await;
    running.abort();
    assert!(running.await.unwrap_err().is_cancelled());

    // Its batch is leased: another relay leaves it alone until the lease runs out.
    let recorder = Arc::new(Recorder::default());
    let second = relay(&db, recorder.clone(), lease);
    let claimed_at_once = second.pass().await.unwrap();
    tokio::time::sleep(lease + StdDuration::from_millis(200)).await;
    run_dry(&second).await;

    assert_eq!(undelivered(&db).await, 0);
    let taken = recorder.taken.lock().unwrap().clone();
    let ids: HashSet<i64> = taken.iter().map(|t| t.1).collect();
    assert_eq!(ids.len(), 50, "every event after the restart");
    assert!(claimed_at_once < 50, "the killed relay's batch was leased");
    assert_in_order(&taken);
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn two_relays_never_hold_one_event_at_once_and_keep_each_aggregates_order(db: PgPool) {
    let aggregates: Vec<Uuid> = (0..40).map(|_| Uuid::new_v4()).collect();
    write_events(&db, &aggregates, 25).await;
    let recorder = Arc::new(Recorder::default());
    let relays: Vec<Relay> = (0..2)
        .map(|_| relay(&db, recorder.clone(), StdDuration::from_secs(60)))
        .collect();
    let runs = relays.into_iter().map(|relay| {
        tokio::spawn(async move {
            let mut claimed = 0;
            for _ in 0..2000 {
                claimed += relay.pass().await.unwrap();
            }
            claimed
        })
    });
    let claimed: Vec<usize> = futures_util::future::join_all(runs)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();

    assert_eq!(undelivered(&db).await, 0);
    assert!(
        claimed.iter().all(|&c| c > 0),
        "both relays worked: {claimed:?}"
    );
    assert_eq!(recorder.overlaps.lock().unwrap().clone(), Vec::<i64>::new());
    let taken = recorder.taken.lock().unwrap().clone();
    assert_eq!(taken.len(), 1000, "each event once");
    assert_eq!(
        taken.iter().map(|t| t.1).collect::<HashSet<_>>().len(),
        1000
    );
    assert_in_order(&taken);
}

/// Each aggregate's events were taken in the order they were written.
fn assert_in_order(taken: &[(Uuid, i64)]) {
    let mut last: HashMap<Uuid, i64> = HashMap::new();
    for (aggregate, id) in taken {
        let before = last.insert(*aggregate, *id).unwrap_or(0);
        assert!(before < *id, "{aggregate}: {id} after {before}");
    }
}

/// A consumer with a bug: it panics on every event it is handed.
struct Panicking;

#[async_trait::async_trait]
impl Consumer for Panicking {
    fn name(&self) -> &'static str {
        "panicking"
    }

    async fn deliver(&self, _: &[&Event]) -> Vec<Result<(), String>> {
        panic!("a bug in a consumer");
    }
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_consumer_that_panics_fails_its_events_and_the_relay_goes_on(db: PgPool) {
    let recorder = Arc::new(Recorder::default());
    let relay = Relay::new(
        db.clone(),
        vec![Arc::new(Panicking), recorder.clone()],
        RelaySettings::default(),
    );
    let aggregates = [Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4()];
    write_events(&db, &aggregates, 1).await;
    assert_eq!(relay.pass().await.unwrap(), 3, "the pass itself succeeds");
    // The healthy consumer has them all; the events wait, failed, to be tried again.
    assert_eq!(recorder.taken.lock().unwrap().len(), 3);
    let failed: Vec<(i32, Vec<String>, Option<String>)> =
        sqlx::query_as("SELECT attempts, delivered_to, last_error FROM outbox_events ORDER BY id")
            .fetch_all(&db)
            .await
            .unwrap();
    for (attempts, taken, error) in failed {
        assert_eq!((attempts, taken), (1, vec!["recorder".to_owned()]));
        assert!(error.unwrap().contains("panicking"));
    }
    assert_eq!(undelivered(&db).await, 3);
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn delivered_events_are_pruned_after_the_retention_and_no_others(db: PgPool) {
    write_events(&db, &[Uuid::new_v4()], 4).await;
    // Delivered 8 days ago, delivered an hour ago, never delivered (old), parked (old).
    sqlx::query(
        "UPDATE outbox_events o SET created_at = now() - interval '9 days',
                published_at = CASE n.row WHEN 1 THEN now() - interval '8 days'
                                          WHEN 2 THEN now() - interval '1 hour' END,
                dead_at = CASE n.row WHEN 4 THEN now() - interval '8 days' END
           FROM (SELECT id, row_number() OVER (ORDER BY id) AS row FROM outbox_events) n
          WHERE n.id = o.id",
    )
    .execute(&db)
    .await
    .unwrap();
    let relay = Relay::new(db.clone(), Vec::new(), RelaySettings::default());
    assert_eq!(relay.prune().await.unwrap(), 1);
    let left: (i64, i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE published_at IS NOT NULL),
                count(*) FILTER (WHERE published_at IS NULL AND dead_at IS NULL),
                count(*) FILTER (WHERE dead_at IS NOT NULL)
           FROM outbox_events",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(
        left,
        (1, 1, 1),
        "the recent, the undelivered and the parked stay"
    );
}

/// Buffers this database has read so far, by PostgreSQL's own count (its statistics flushed
/// first, which a backend otherwise does at most once a second).
async fn buffers_read(conn: &mut sqlx::PgConnection) -> i64 {
    sqlx::query("SELECT pg_stat_force_next_flush()")
        .execute(&mut *conn)
        .await
        .unwrap();
    sqlx::query_scalar(
        "SELECT blks_hit + blks_read FROM pg_stat_database WHERE datname = current_database()",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap()
}

/// A rush piles events up faster than the statistics are refreshed: the table was empty when
/// they were last taken (here, as after the migrations). A claim must still read about its
/// batch, each candidate's "first of its aggregate" check one index look-up. Asked as `min(id)`,
/// the planner could scan the whole backlog for every candidate instead (it did here in every
/// run, and in a steady-state run at 6,500 events: a quarter of a second a claim).
#[sqlx::test(migrator = "MIGRATOR")]
async fn a_claim_reads_its_batch_not_the_whole_backlog(db: PgPool) {
    // No statistics taken meanwhile, and no other backend's reads counted while measuring.
    sqlx::query("ALTER TABLE outbox_events SET (autovacuum_enabled = off)")
        .execute(&db)
        .await
        .unwrap();
    // A day's delivered events ahead of the backlog (lower ids), then the backlog.
    sqlx::query(
        "INSERT INTO outbox_events (aggregate_type, aggregate_id, event_type, payload, published_at)
         SELECT 'booking', gen_random_uuid(), 'booking.held', '{}',
                CASE WHEN n <= 5000 THEN now() END
           FROM generate_series(1, 25000) AS n",
    )
    .execute(&db)
    .await
    .unwrap();
    let mut conn = db.acquire().await.unwrap();
    let mut least = i64::MAX;
    for _ in 0..3 {
        let before = buffers_read(&mut conn).await;
        let claimed: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox_claim(100, 60)")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(claimed, 100);
        least = least.min(buffers_read(&mut conn).await - before);
    }
    assert!(
        least < 5_000,
        "claiming 100 of 20,000 events read {least} buffers at the least"
    );
}
