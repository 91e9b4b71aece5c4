//! Seat changes, fanned out to every open seat map on every instance.
//!
//! After a transition commits, its change is published on Redis pub/sub, or with PostgreSQL's
//! NOTIFY when there is no Redis (or Redis fails). Every instance listens on both and hands
//! each change to its local subscribers (the seat-map streams) through a broadcast channel.

pub use super::{SeatChange, SeatSnapshot};
use redis::aio::ConnectionManager;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use std::time::Duration;
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// The Redis channel and the PostgreSQL NOTIFY channel.
pub const CHANNEL: &str = "district_seat_changes";
const PUBLISH_TIMEOUT: Duration = Duration::from_millis(200);

/// What a listener hears: a change, or that changes may have been missed (a listener has
/// just (re)connected), so whoever keeps state built from changes should start afresh.
#[derive(Clone, Debug)]
pub enum Heard {
    Change(SeatChange),
    Gap,
}

/// Seats per message: NOTIFY payloads stop at 8000 bytes, a seat id takes 39 in JSON.
const SEATS_PER_MESSAGE: usize = 150;

/// A change on the wire, with the instance that made it.
#[derive(Serialize, Deserialize)]
struct Announced {
    #[serde(default)]
    origin: Option<Uuid>,
    #[serde(flatten)]
    change: SeatChange,
}

#[derive(Clone)]
pub struct Live {
    /// This instance, so it can tell its own changes from everyone else's.
    instance: Uuid,
    local: broadcast::Sender<Heard>,
    remote: broadcast::Sender<Heard>,
    redis: Option<ConnectionManager>,
    db: PgPool,
    /// Cancelled at shutdown: listeners stop and open streams end, so draining can finish.
    stop: CancellationToken,
}

impl Live {
    pub fn new(db: PgPool, redis: Option<ConnectionManager>) -> Self {
        Self {
            instance: Uuid::new_v4(),
            local: broadcast::channel(4096).0,
            remote: broadcast::channel(4096).0,
            redis,
            db,
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

    /// Changes from every instance, as they arrive.
    pub fn subscribe(&self) -> broadcast::Receiver<Heard> {
        self.local.subscribe()
    }

    /// Changes made by other instances only: what this one did not do itself.
    pub fn subscribe_remote(&self) -> broadcast::Receiver<Heard> {
        self.remote.subscribe()
    }

    /// Announces committed changes; never fails the caller (a lost message only delays a map).
    pub async fn publish(&self, changes: &[SeatChange]) {
        let payloads: Vec<String> = changes
            .iter()
            .flat_map(|c| {
                c.seat_ids
                    .chunks(SEATS_PER_MESSAGE)
                    .map(|seats| SeatChange::new(c.show_id, &c.status, seats.to_vec()))
            })
            .filter_map(|change| {
                serde_json::to_string(&Announced {
                    origin: Some(self.instance),
                    change,
                })
                .ok()
            })
            .collect();
        if !payloads.is_empty() && !self.publish_redis(&payloads).await {
            self.publish_postgres(&payloads).await;
        }
    }

    /// One round trip for all the payloads.
    async fn publish_redis(&self, payloads: &[String]) -> bool {
        let Some(mut conn) = self.redis.clone() else {
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

    async fn publish_postgres(&self, payloads: &[String]) {
        if let Err(err) =
            sqlx::query("SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload")
                .bind(CHANNEL)
                .bind(payloads)
                .execute(&self.db)
                .await
        {
            tracing::warn!(error = %err, "seat change not announced");
        }
    }

    fn deliver(&self, payload: &str) {
        match serde_json::from_str::<Announced>(payload) {
            Ok(Announced { origin, change }) => {
                // No subscribers is fine: nobody is looking at a seat map here.
                if origin != Some(self.instance) {
                    let _ = self.remote.send(Heard::Change(change.clone()));
                }
                let _ = self.local.send(Heard::Change(change));
            }
            Err(err) => tracing::warn!(error = %err, "unreadable seat change"),
        }
    }

    /// A listener has reconnected: what was announced while it was away is lost.
    fn gap(&self) {
        let _ = self.remote.send(Heard::Gap);
        let _ = self.local.send(Heard::Gap);
    }

    /// Listens on PostgreSQL, and on Redis when `redis_url` is set, until closed; reconnects
    /// after failures.
    pub fn listen(&self, redis_url: Option<String>) {
        let stop = self.stop.clone();
        let live = self.clone();
        let halt = stop.clone();
        tokio::spawn(async move {
            let mut again = false;
            while !halt.is_cancelled() {
                if let Err(err) = live.listen_postgres(&halt, again).await {
                    tracing::warn!(error = %err, "seat change listener (PostgreSQL) restarting");
                    pause(&halt).await;
                }
                again = true;
            }
        });
        if let Some(url) = redis_url {
            let live = self.clone();
            tokio::spawn(async move {
                let mut again = false;
                while !stop.is_cancelled() {
                    if let Err(err) = live.listen_redis(&url, &stop, again).await {
                        tracing::warn!(error = %err, "seat change listener (Redis) restarting");
                        pause(&stop).await;
                    }
                    again = true;
                }
            });
        }
    }

    /// `again`: this is a reconnection, so changes may have been missed.
    async fn listen_postgres(
        &self,
        stop: &CancellationToken,
        again: bool,
    ) -> Result<(), sqlx::Error> {
        let mut listener = sqlx::postgres::PgListener::connect_with(&self.db).await?;
        listener.listen(CHANNEL).await?;
        if again {
            self.gap();
        }
        loop {
            tokio::select! {
                _ = stop.cancelled() => return Ok(()),
                notification = listener.try_recv() => match notification? {
                    Some(notification) => self.deliver(notification.payload()),
                    // The connection dropped; the next call reconnects.
                    None => self.gap(),
                },
            }
        }
    }

    async fn listen_redis(
        &self,
        url: &str,
        stop: &CancellationToken,
        again: bool,
    ) -> redis::RedisResult<()> {
        use futures_util::StreamExt;
        let mut pubsub = redis::Client::open(url)?.get_async_pubsub().await?;
        pubsub.subscribe(CHANNEL).await?;
        if again {
            self.gap();
        }
        let mut messages = pubsub.on_message();
        loop {
            tokio::select! {
                _ = stop.cancelled() => return Ok(()),
                message = messages.next() => match message {
                    Some(message) => self.deliver(&message.get_payload::<String>()?),
                    None => return Err(redis::RedisError::from((redis::ErrorKind::Io, "subscription closed"))),
                },
            }
        }
    }
}

async fn pause(stop: &CancellationToken) {
    tokio::select! {
        _ = stop.cancelled() => {}
        _ = tokio::time::sleep(Duration::from_secs(1)) => {}
    }
}
