//! Seat changes, fanned out to every instance: to the seat-map streams open there, the seat
//! states they keep in memory and their in-process seat filters.
//!
//! After a transition commits, its changes reach this instance's subscribers at once and go out
//! to the others on Redis pub/sub, or with PostgreSQL's NOTIFY when there is no Redis (or Redis
//! fails). Sending is batched on a task of its own, so a hold waits for neither. Every instance
//! listens on both and hands what others announced to its local subscribers.

use super::{SeatChange, SeatStatus};
use crate::ids::UserId;
use chrono::{DateTime, Utc};
use redis::aio::ConnectionManager;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};
use tokio::sync::{broadcast, mpsc, watch};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// The Redis channel and the PostgreSQL NOTIFY channel.
pub const CHANNEL: &str = "district_seat_changes";
const PUBLISH_TIMEOUT: Duration = Duration::from_millis(200);
/// Seats per message: NOTIFY payloads stop at 8000 bytes, a seat id takes 39 in JSON.
const SEATS_PER_MESSAGE: usize = 150;
/// Messages sent in one round trip at most.
const BATCH: usize = 256;

/// A change with what instances need beyond what browsers see: who holds the seats and until
/// when (for `Held`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Announced {
    #[serde(flatten)]
    pub change: SeatChange,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holder: Option<UserId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<DateTime<Utc>>,
}

impl Announced {
    pub fn freed(change: SeatChange) -> Self {
        Self {
            change,
            holder: None,
            until: None,
        }
    }

    pub fn is_release(&self) -> bool {
        self.change.status == SeatStatus::Available
    }
}

/// What a listener hears: a change, or that changes may have been missed (a listener has just
/// reconnected, at the instant given), so whoever keeps state built from changes should start
/// afresh from a read that begins after that instant.
#[derive(Clone, Debug)]
pub enum Heard {
    Change(Announced),
    Gap(Instant),
}

/// A change on the wire, with the instance that made it.
#[derive(Serialize, Deserialize)]
struct Wire {
    #[serde(default)]
    origin: Option<Uuid>,
    #[serde(flatten)]
    announced: Announced,
}

/// Which listeners are subscribed, as bits.
const POSTGRES: u8 = 1;
const REDIS: u8 = 2;

#[derive(Clone)]
pub struct Live {
    /// This instance, so it can tell its own changes from everyone else's.
    instance: Uuid,
    local: broadcast::Sender<Heard>,
    remote: broadcast::Sender<Heard>,
    outgoing: Option<mpsc::UnboundedSender<String>>,
    /// Messages handed to the sender, and how many of them it has sent.
    queued: Arc<AtomicU64>,
    sent: watch::Receiver<u64>,
    db: PgPool,
    listening: watch::Sender<(u8, u8)>,
    /// Cancelled at shutdown: listeners stop and open streams end, so draining can finish.
    stop: CancellationToken,
}

impl Live {
    /// Starts the sender when there is a runtime to run it on.
    pub fn new(db: PgPool, redis: Option<ConnectionManager>) -> Self {
        let (sent_to, sent) = watch::channel(0);
        let outgoing = tokio::runtime::Handle::try_current().ok().map(|runtime| {
            let (sender, messages) = mpsc::unbounded_channel();
            runtime.spawn(send(messages, redis, db.clone(), sent_to));
            sender
        });
        Self {
            instance: Uuid::new_v4(),
            local: broadcast::channel(4096).0,
            remote: broadcast::channel(4096).0,
            outgoing,
            queued: Arc::default(),
            sent,
            db,
            listening: watch::channel((0, 0)).0,
            stop: CancellationToken::new(),
        }
    }

    pub fn stopping(&self) -> CancellationToken {
        self.stop.clone()
    }

    /// Ends the listeners and every open stream.
    pub fn close(&self) {
        self.stop.cancel();
    }

    /// Changes from every instance, this one's first.
    pub fn subscribe(&self) -> broadcast::Receiver<Heard> {
        self.local.subscribe()
    }

    /// Changes made by other instances only: what this one did not do itself.
    pub fn subscribe_remote(&self) -> broadcast::Receiver<Heard> {
        self.remote.subscribe()
    }

    /// Announces committed changes: to this instance's subscribers at once, to the others as
    /// soon as the sender gets to them. Never fails the caller (a lost message only delays a
    /// map until its next refresh).
    pub fn publish(&self, changes: &[Announced]) {
        for announced in changes.iter().filter(|a| !a.change.seat_ids.is_empty()) {
            // No subscribers is fine: nobody is looking at a seat map here.
            let _ = self.local.send(Heard::Change(announced.clone()));
            let Some(outgoing) = &self.outgoing else {
                continue;
            };
            for seats in announced.change.seat_ids.chunks(SEATS_PER_MESSAGE) {
                let wire = Wire {
                    origin: Some(self.instance),
                    announced: Announced {
                        change: SeatChange {
                            seat_ids: seats.to_vec(),
                            ..announced.change.clone()
                        },
                        ..announced.clone()
                    },
                };
                if let Ok(payload) = serde_json::to_string(&wire) {
                    if outgoing.send(payload).is_ok() {
                        self.queued.fetch_add(1, Ordering::SeqCst);
                    }
                }
            }
        }
    }

    /// Resolves once everything published so far has gone out to the other instances.
    pub async fn flush(&self) {
        let queued = self.queued.load(Ordering::SeqCst);
        let _ = self.sent.clone().wait_for(|sent| *sent >= queued).await;
    }

    fn deliver(&self, payload: &str) {
        match serde_json::from_str::<Wire>(payload) {
            // This instance told its own subscribers already.
            Ok(Wire { origin, .. }) if origin == Some(self.instance) => {}
            Ok(Wire { announced, .. }) => {
                let _ = self.remote.send(Heard::Change(announced.clone()));
                let _ = self.local.send(Heard::Change(announced));
            }
            Err(err) => tracing::warn!(error = %err, "unreadable seat change"),
        }
    }

    /// A listener has reconnected: what was announced while it was away is lost.
    fn gap(&self) {
        let now = Instant::now();
        let _ = self.remote.send(Heard::Gap(now));
        let _ = self.local.send(Heard::Gap(now));
    }

    /// Resolves once every listener started by [`Live::listen`] is subscribed.
    pub async fn listening(&self) {
        let mut state = self.listening.subscribe();
        let _ = state
            .wait_for(|(wanted, ready)| wanted & ready == *wanted)
            .await;
    }

    fn mark(&self, listener: u8, ready: bool) {
        self.listening.send_modify(|(_, subscribed)| {
            if ready {
                *subscribed |= listener;
            } else {
                *subscribed &= !listener;
            }
        });
    }

    /// Listens on PostgreSQL, and on Redis when `redis_url` is set, until closed; reconnects
    /// after failures.
    pub fn listen(&self, redis_url: Option<String>) {
        let wanted = POSTGRES | if redis_url.is_some() { REDIS } else { 0 };
        self.listening.send_modify(|(want, _)| *want |= wanted);
        let live = self.clone();
        tokio::spawn(async move {
            let mut again = false;
            while !live.stop.is_cancelled() {
                if let Err(err) = live.listen_postgres(again).await {
                    tracing::warn!(error = %err, "seat change listener (PostgreSQL) restarting");
                    live.mark(POSTGRES, false);
                    pause(&live.stop).await;
                }
                again = true;
            }
        });
        if let Some(url) = redis_url {
            let live = self.clone();
            tokio::spawn(async move {
                let mut again = false;
                while !live.stop.is_cancelled() {
                    if let Err(err) = live.listen_redis(&url, again).await {
                        tracing::warn!(error = %err, "seat change listener (Redis) restarting");
                        live.mark(REDIS, false);
                        pause(&live.stop).await;
                    }
                    again = true;
                }
            });
        }
    }

    /// `again`: this is a reconnection, so changes may have been missed.
    async fn listen_postgres(&self, again: bool) -> Result<(), sqlx::Error> {
        let mut listener = sqlx::postgres::PgListener::connect_with(&self.db).await?;
        listener.listen(CHANNEL).await?;
        self.mark(POSTGRES, true);
        if again {
            self.gap();
        }
        loop {
            tokio::select! {
                _ = self.stop.cancelled() => return Ok(()),
                notification = listener.try_recv() => match notification? {
                    Some(notification) => self.deliver(notification.payload()),
                    // The connection dropped: listen afresh, and announce the gap only once
                    // listening again, so a snapshot taken after it misses nothing.
                    None => return Ok(()),
                },
            }
        }
    }

    async fn listen_redis(&self, url: &str, again: bool) -> redis::RedisResult<()> {
        use futures_util::StreamExt;
        let mut pubsub = redis::Client::open(url)?.get_async_pubsub().await?;
        pubsub.subscribe(CHANNEL).await?;
        self.mark(REDIS, true);
        if again {
            self.gap();
        }
        let mut messages = pubsub.on_message();
        loop {
            tokio::select! {
                _ = self.stop.cancelled() => return Ok(()),
                message = messages.next() => match message {
                    Some(message) => self.deliver(&message.get_payload::<String>()?),
                    None => return Err(redis::RedisError::from((redis::ErrorKind::Io, "subscription closed"))),
                },
            }
        }
    }
}

/// Sends what was published, many messages per round trip: whatever queued up while the last
/// batch was on its way goes in the next.
async fn send(
    mut messages: mpsc::UnboundedReceiver<String>,
    redis: Option<ConnectionManager>,
    db: PgPool,
    sent: watch::Sender<u64>,
) {
    let mut batch = Vec::with_capacity(BATCH);
    while messages.recv_many(&mut batch, BATCH).await > 0 {
        if !publish_redis(redis.as_ref(), &batch).await {
            publish_postgres(&db, &batch).await;
        }
        let count = batch.len() as u64;
        sent.send_modify(|sent| *sent += count);
        batch.clear();
    }
}

async fn publish_redis(redis: Option<&ConnectionManager>, payloads: &[String]) -> bool {
    let Some(mut conn) = redis.cloned() else {
        return false;
    };
    let mut pipe = redis::pipe();
    for payload in payloads {
        pipe.cmd("PUBLISH").arg(CHANNEL).arg(payload).ignore();
    }
    match tokio::time::timeout(PUBLISH_TIMEOUT, pipe.query_async::<()>(&mut conn)).await {
        Ok(Ok(())) => true,
        _ => {
            tracing::warn!("redis publish failed, announcing through PostgreSQL");
            false
        }
    }
}

async fn publish_postgres(db: &PgPool, payloads: &[String]) {
    if let Err(err) =
        sqlx::query("SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload")
            .bind(CHANNEL)
            .bind(payloads)
            .execute(db)
            .await
    {
        tracing::warn!(error = %err, "seat change not announced");
    }
}

async fn pause(stop: &CancellationToken) {
    tokio::select! {
        _ = stop.cancelled() => {}
        _ = tokio::time::sleep(Duration::from_secs(1)) => {}
    }
}
