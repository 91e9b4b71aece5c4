//! Seat changes, fanned out to every instance: to the seat-map streams open there, the seat
//! states they keep in memory and their in-process seat filters.
//!
//! After a transition commits, the seats it touched are read back with their versions (see
//! `announce`) and sent to this instance's streams and, on Redis pub/sub, to the others, or
//! with PostgreSQL's NOTIFY when there is no Redis (or Redis fails). Reading and sending are
//! batched on a task of their own, so a hold waits for neither. Every instance listens on both
//! and hands what others announced to its local subscribers. The outbox relay announces every
//! change again from its event, so one lost here is only late.

use super::{
    announce::{self, Touched},
    stream::Shows,
    SeatChange, SeatStatus,
};
use crate::ids::{SeatId, ShowId, UserId};
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
/// Seats per message: NOTIFY payloads stop at 8000 bytes; a seat id and its version take
/// about 60 in JSON.
const SEATS_PER_MESSAGE: usize = 100;
/// Changes read back and sent together at most.
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
    sender: Sender,
    remote: broadcast::Sender<Heard>,
    outgoing: Option<mpsc::UnboundedSender<Touched>>,
    /// Changes handed to the sender, and how many of them it has sent.
    queued: Arc<AtomicU64>,
    sent: watch::Receiver<u64>,
    listening: watch::Sender<(u8, u8)>,
    /// Cancelled at shutdown: listeners stop and open streams end, so draining can finish.
    stop: CancellationToken,
}

/// What reads changes back and sends them: shared by the background sender and the outbox
/// consumer, and owning no handle that would keep the sender alive.
#[derive(Clone)]
struct Sender {
    /// This instance, so it can tell its own changes from everyone else's.
    instance: Uuid,
    db: PgPool,
    redis: Option<ConnectionManager>,
    shows: Shows,
}

impl Live {
    /// Starts the sender when there is a runtime to run it on.
    pub fn new(db: PgPool, redis: Option<ConnectionManager>) -> Self {
        let sender = Sender {
            instance: Uuid::new_v4(),
            db,
            redis,
            shows: Shows::default(),
        };
        let (sent_to, sent) = watch::channel(0);
        let outgoing = tokio::runtime::Handle::try_current().ok().map(|runtime| {
            let (outgoing, touched) = mpsc::unbounded_channel();
            runtime.spawn(send(touched, sender.clone(), sent_to));
            outgoing
        });
        Self {
            sender,
            remote: broadcast::channel(4096).0,
            outgoing,
            queued: Arc::default(),
            sent,
            listening: watch::channel((0, 0)).0,
            stop: CancellationToken::new(),
        }
    }

    pub(super) fn db(&self) -> &PgPool {
        &self.sender.db
    }

    pub fn stopping(&self) -> CancellationToken {
        self.stop.clone()
    }

    /// Ends the listeners and every open stream.
    pub fn close(&self) {
        self.stop.cancel();
    }

    /// One show's changes, from every instance.
    pub fn subscribe(&self, show: ShowId) -> broadcast::Receiver<Heard> {
        self.sender.shows.subscribe(show)
    }

    /// Changes made by other instances only: what this one did not do itself.
    pub fn subscribe_remote(&self) -> broadcast::Receiver<Heard> {
        self.remote.subscribe()
    }

    /// Announces that seats of `show` changed in a committed write: they are read back as they
    /// stand and sent as soon as the sender gets to them. Never fails the caller (a lost
    /// announcement is made again by the outbox relay).
    pub fn publish(&self, show: ShowId, seats: &[SeatId]) {
        let Some(outgoing) = self.outgoing.as_ref().filter(|_| !seats.is_empty()) else {
            return;
        };
        if outgoing.send((show, seats.to_vec())).is_ok() {
            self.queued.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// Resolves once everything published so far has been sent.
    pub async fn flush(&self) {
        let queued = self.queued.load(Ordering::SeqCst);
        let _ = self.sent.clone().wait_for(|sent| *sent >= queued).await;
    }

    /// Reads the touched seats back and sends them now; fails when they could not be read or
    /// sent anywhere.
    pub async fn announce(&self, touched: &[Touched]) -> Result<(), String> {
        self.sender.announce(touched).await
    }

    fn deliver(&self, payload: &str) {
        match serde_json::from_str::<Wire>(payload) {
            // This instance told its own subscribers already.
            Ok(Wire { origin, .. }) if origin == Some(self.sender.instance) => {}
            Ok(Wire { announced, .. }) => {
                let _ = self.remote.send(Heard::Change(announced.clone()));
                let show = announced.change.show_id;
                self.sender.shows.send(show, Heard::Change(announced));
            }
            Err(err) => tracing::warn!(error = %err, "unreadable seat change"),
        }
    }

    /// A listener has reconnected: what was announced while it was away is lost.
    fn gap(&self) {
        let now = Instant::now();
        let _ = self.remote.send(Heard::Gap(now));
        self.sender.shows.send_all(Heard::Gap(now));
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
        let mut listener = sqlx::postgres::PgListener::connect_with(self.db()).await?;
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

/// Sends what was published, many changes per round trip: whatever queued up while the last
/// batch was on its way goes in the next.
async fn send(
    mut touched: mpsc::UnboundedReceiver<Touched>,
    sender: Sender,
    sent: watch::Sender<u64>,
) {
    let mut batch = Vec::with_capacity(BATCH);
    while touched.recv_many(&mut batch, BATCH).await > 0 {
        if let Err(err) = sender.announce(&batch).await {
            tracing::warn!(error = %err, "seat changes not announced (the outbox relay will)");
        }
        let count = batch.len() as u64;
        sent.send_modify(|sent| *sent += count);
        batch.clear();
    }
}

impl Sender {
    async fn announce(&self, touched: &[Touched]) -> Result<(), String> {
        let changes = announce::current(&self.db, touched)
            .await
            .map_err(|err| err.to_string())?;
        let mut payloads = Vec::new();
        for announced in &changes {
            let show = announced.change.show_id;
            self.shows.send(show, Heard::Change(announced.clone()));
            let (seats, versions) = (&announced.change.seat_ids, &announced.change.versions);
            for (seats, versions) in seats
                .chunks(SEATS_PER_MESSAGE)
                .zip(versions.chunks(SEATS_PER_MESSAGE))
            {
                let wire = Wire {
                    origin: Some(self.instance),
                    announced: Announced {
                        change: SeatChange {
                            seat_ids: seats.to_vec(),
                            versions: versions.to_vec(),
                            ..announced.change.clone()
                        },
                        ..announced.clone()
                    },
                };
                payloads.extend(serde_json::to_string(&wire).ok());
            }
        }
        if payloads.is_empty() || publish_redis(self.redis.as_ref(), &payloads).await {
            return Ok(());
        }
        publish_postgres(&self.db, &payloads)
            .await
            .map_err(|err| err.to_string())
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

async fn publish_postgres(db: &PgPool, payloads: &[String]) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload")
        .bind(CHANNEL)
        .bind(payloads)
        .execute(db)
        .await?;
    Ok(())
}

async fn pause(stop: &CancellationToken) {
    tokio::select! {
        _ = stop.cancelled() => {}
        _ = tokio::time::sleep(Duration::from_secs(1)) => {}
    }
}
