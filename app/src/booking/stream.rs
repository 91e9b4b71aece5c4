//! A show's live seat changes, as open seat maps follow them: first every seat that is not
//! available, then each change, each seat with its version; after any gap (a listener that
//! reconnected, a stream that fell behind its show's channel), a fresh snapshot puts the map
//! right again.
//!
//! Streams are capped per client address and per instance, and snapshots (a stream's first
//! event, and the one after a gap) are read one at a time per show, each shared by every
//! stream that asked meanwhile, so ten thousand maps opening, or a listener reconnecting
//! under them, cost a couple of queries per show, not ten thousand.

use super::{
    announce::snapshot,
    live::{Announced, Heard},
    BookingError, Bookings, SeatChange, SeatSnapshot,
};
use crate::ids::{SeatId, ShowId};
use futures_util::{stream, Stream};
use sqlx::PgPool;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};
use tokio::sync::broadcast::{self, error::RecvError};
use tokio_util::sync::CancellationToken;

/// What a seat stream says.
#[derive(Clone, Debug)]
pub enum SeatEvent {
    Snapshot(SeatSnapshot),
    Change(SeatChange),
}

/// How many seat streams one client address, and the whole instance, may keep open.
#[derive(Clone, Copy, Debug)]
pub struct StreamCaps {
    pub per_client: usize,
    pub total: usize,
}

impl Default for StreamCaps {
    fn default() -> Self {
        Self {
            per_client: 16,
            total: 10_000,
        }
    }
}

/// Seconds a refused stream is told to wait.
const RETRY_SECONDS: u64 = 5;
/// A shared snapshot is dropped this long after it was read.
const SNAPSHOT_KEPT: Duration = Duration::from_secs(10);

/// The open streams and the snapshots they share.
#[derive(Clone)]
pub(super) struct Streams {
    caps: StreamCaps,
    open: Arc<Mutex<Open>>,
    snapshots: Arc<Mutex<HashMap<ShowId, Shared>>>,
}

#[derive(Default)]
struct Open {
    total: usize,
    by_client: HashMap<String, usize>,
}

/// A show's snapshot reads: one at a time, each shared by every stream that asked for one
/// while the one before it was read.
struct Shared {
    asked_at: Instant,
    last: Arc<tokio::sync::Mutex<Option<LastRead>>>,
}

/// A snapshot read, with when it began (`None`: no such show).
type LastRead = (Instant, Option<SeatSnapshot>);

/// Messages buffered per show for a stream that fell behind; past that it reads a snapshot.
const PER_SHOW: usize = 256;

/// Each show's open streams on a channel of their own, so a change wakes only the maps of
/// its show; with the versions sent on it, so a change sent already (the outbox relay announces
/// every change again) is not sent to every map a second time.
#[derive(Clone, Default)]
pub(super) struct Shows(Arc<Mutex<HashMap<ShowId, Channel>>>);

struct Channel {
    sender: broadcast::Sender<Heard>,
    /// The latest version of each seat sent.
    sent: HashMap<SeatId, u64>,
}

impl Shows {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<ShowId, Channel>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn subscribe(&self, show: ShowId) -> broadcast::Receiver<Heard> {
        let mut shows = self.lock();
        let channel = shows.entry(show).or_insert_with(|| Channel {
            sender: broadcast::channel(PER_SHOW).0,
            sent: HashMap::new(),
        });
        channel.sender.subscribe()
    }

    /// Tells the show's streams what they were not told yet; a show whose streams have all
    /// closed loses its channel.
    pub(super) fn send(&self, show: ShowId, heard: Heard) {
        let mut shows = self.lock();
        let Some(channel) = shows.get_mut(&show) else {
            return;
        };
        let heard = match heard {
            Heard::Change(announced) => match unsent(&mut channel.sent, announced) {
                Some(announced) => Heard::Change(announced),
                None => return,
            },
            gap => gap,
        };
        if channel.sender.send(heard).is_err() {
            shows.remove(&show);
        }
    }

    /// Tells every show's streams (a gap concerns them all).
    pub(super) fn send_all(&self, heard: Heard) {
        self.lock()
            .retain(|_, channel| channel.sender.send(heard.clone()).is_ok());
    }
}

/// The seats of `announced` whose version was not sent before (each seat is sent at most once
/// per version, and never older than what it was sent at), or `None` when none is left. A
/// change without versions is sent as it is. Not `SeatVersions::newer`, which a map keeps: it
/// counts an unseen seat as version 0, and a seat never changed is still told of once here.
fn unsent(sent: &mut HashMap<SeatId, u64>, mut announced: Announced) -> Option<Announced> {
    let change = &mut announced.change;
    if change.versions.len() != change.seat_ids.len() {
        return Some(announced);
    }
    (change.seat_ids, change.versions) = change
        .seat_ids
        .iter()
        .zip(&change.versions)
        .filter(|&(seat, &version)| {
            let fresh = sent.get(seat).is_none_or(|&shown| version > shown);
            if fresh {
                sent.insert(*seat, version);
            }
            fresh
        })
        .unzip();
    (!change.seat_ids.is_empty()).then_some(announced)
}

/// One open stream's place, given back when the stream is dropped.
struct Slot {
    open: Arc<Mutex<Open>>,
    client: String,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        open.total -= 1;
        if let Some(count) = open.by_client.get_mut(&self.client) {
            *count -= 1;
            if *count == 0 {
                open.by_client.remove(&self.client);
            }
        }
        metrics::gauge!("district_seat_streams_open").set(open.total as f64);
    }
}

impl Streams {
    pub(super) fn new(caps: StreamCaps) -> Self {
        Self {
            caps,
            open: Arc::default(),
            snapshots: Arc::default(),
        }
    }

    fn take_slot(&self, client: &str) -> Result<Slot, BookingError> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let mine = open.by_client.get(client).copied().unwrap_or(0);
        if open.total >= self.caps.total || mine >= self.caps.per_client {
            metrics::counter!("district_seat_streams_refused_total").increment(1);
            return Err(BookingError::RateLimited(RETRY_SECONDS));
        }
        open.total += 1;
        *open.by_client.entry(client.to_owned()).or_default() += 1;
        metrics::gauge!("district_seat_streams_open").set(open.total as f64);
        Ok(Slot {
            open: self.open.clone(),
            client: client.to_owned(),
        })
    }

    /// The show's seats as read by a query that began at or after `since`. Reads of a show
    /// take turns: whoever asks while one is under way waits for it to end, then shares the
    /// next, so a thousand maps opened (or put right after a gap) at once cost two reads, not
    /// a thousand. `reason` labels the read in the metrics.
    async fn snapshot_since(
        &self,
        db: &PgPool,
        show: ShowId,
        since: Instant,
        reason: &'static str,
    ) -> Result<Option<SeatSnapshot>, sqlx::Error> {
        let last = {
            let mut shared = self
                .snapshots
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let now = Instant::now();
            shared.retain(|_, entry| now.duration_since(entry.asked_at) < SNAPSHOT_KEPT);
            let entry = shared.entry(show).or_insert_with(|| Shared {
                asked_at: now,
                last: Arc::default(),
            });
            entry.asked_at = now;
            entry.last.clone()
        };
        let mut last = last.lock().await;
        if let Some((_, read)) = last.as_ref().filter(|(began, _)| *began >= since) {
            return Ok(read.clone());
        }
        let began = Instant::now();
        metrics::counter!("district_seat_snapshots_total", "reason" => reason).increment(1);
        // A failed read is not kept: the next stream to need one reads again.
        let read = snapshot(db, show).await?;
        *last = Some((began, read.clone()));
        Ok(read)
    }
}

impl Bookings {
    /// The stream of one show for a client at `client` (an address); ends when the instance
    /// shuts down. 404 for an unknown show, 429 past the caps on open streams.
    pub async fn seat_events(
        &self,
        show: ShowId,
        client: &str,
    ) -> Result<impl Stream<Item = SeatEvent> + Send + 'static, BookingError> {
        let slot = self.streams.take_slot(client)?;
        // Subscribe before reading the snapshot, so no change falls in between.
        let heard = self.live.subscribe(show);
        let subscribed = Instant::now();
        let first = self
            .streams
            .snapshot_since(self.primary(), show, subscribed, "open")
            .await?
            .ok_or(BookingError::NotFound)?;
        let follow = Follow {
            heard,
            first: Some(SeatEvent::Snapshot(first)),
            _slot: slot,
            stop: self.live.stopping(),
            db: self.primary().clone(),
            streams: self.streams.clone(),
        };
        Ok(stream::unfold(follow, move |mut f| async move {
            let event = f.next(show).await?;
            Some((event, f))
        }))
    }
}

/// What one open stream keeps between its events.
struct Follow {
    heard: broadcast::Receiver<Heard>,
    first: Option<SeatEvent>,
    /// Given back when the stream is dropped.
    _slot: Slot,
    stop: CancellationToken,
    db: PgPool,
    streams: Streams,
}

impl Follow {
    /// The next event of `show`; `None` at shutdown or when a snapshot cannot be read.
    async fn next(&mut self, show: ShowId) -> Option<SeatEvent> {
        if let Some(event) = self.first.take() {
            return Some(event);
        }
        let next = tokio::select! {
            _ = self.stop.cancelled() => return None,
            next = self.heard.recv() => next,
        };
        // Changes were missed: a fresh snapshot puts the map right again.
        let since = match next {
            Ok(Heard::Change(announced)) => return Some(SeatEvent::Change(announced.change)),
            Ok(Heard::Gap(since)) => since,
            // This stream alone fell behind, at no instant others share.
            Err(RecvError::Lagged(_)) => Instant::now(),
            Err(RecvError::Closed) => return None,
        };
        let fresh = self
            .streams
            .snapshot_since(&self.db, show, since, "gap")
            .await;
        Some(SeatEvent::Snapshot(fresh.ok().flatten()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::booking::SeatStatus;
    use uuid::Uuid;

    fn change(show: ShowId, seats: &[(SeatId, u64)]) -> Heard {
        let (seat_ids, versions) = seats.iter().copied().unzip();
        Heard::Change(Announced::freed(SeatChange {
            show_id: show,
            status: SeatStatus::Available,
            seat_ids,
            versions,
        }))
    }

    fn heard(receiver: &mut broadcast::Receiver<Heard>) -> Vec<Vec<(SeatId, u64)>> {
        std::iter::from_fn(|| receiver.try_recv().ok())
            .map(|heard| match heard {
                Heard::Change(a) => a
                    .change
                    .seat_ids
                    .into_iter()
                    .zip(a.change.versions)
                    .collect(),
                Heard::Gap(_) => Vec::new(),
            })
            .collect()
    }

    #[test]
    fn a_show_s_streams_hear_each_seat_version_once() {
        let shows = Shows::default();
        let show = ShowId::from(Uuid::new_v4());
        let (a, b) = (SeatId::from(Uuid::new_v4()), SeatId::from(Uuid::new_v4()));
        let mut streams = shows.subscribe(show);
        shows.send(show, change(show, &[(a, 5), (b, 5)]));
        shows.send(show, change(show, &[(a, 5), (b, 5)]));
        shows.send(show, change(show, &[(a, 5), (b, 7)]));
        shows.send(show, change(show, &[(a, 4)]));
        shows.send(show, change(show, &[(a, 9), (b, 8)]));
        // A seat never changed (version 0) is told of once too.
        let c = SeatId::from(Uuid::new_v4());
        shows.send(show, change(show, &[(c, 0)]));
        shows.send(show, change(show, &[(c, 0), (a, 9)]));
        assert_eq!(
            heard(&mut streams),
            [
                vec![(a, 5), (b, 5)],
                vec![(b, 7)],
                vec![(a, 9), (b, 8)],
                vec![(c, 0)]
            ]
        );
        // A change without versions is not judged by them.
        let unversioned = Heard::Change(Announced::freed(SeatChange::made(
            show,
            SeatStatus::Available,
            vec![a],
        )));
        shows.send(show, unversioned.clone());
        shows.send(show, unversioned);
        let mut plain = std::iter::from_fn(|| streams.try_recv().ok());
        assert!(plain.next().is_some() && plain.next().is_some());
    }
}
