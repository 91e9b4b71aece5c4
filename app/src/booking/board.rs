//! The seat states of the shows being looked at, kept in this instance's memory, so a seat map
//! costs the database nothing and a hold judges the seat rules without reading first.
//!
//! A board is read from PostgreSQL when a show is first asked for, follows every change this
//! instance makes and every change the others announce, and is read again in the background
//! when it is known to be wrong (a hold found it so, or announcements were missed) and, while
//! its seat map is being looked at, at least every [`REFRESH`], which repairs whatever an
//! announcement lost. A hold never trusts it blindly: PostgreSQL checks inside the write that
//! the seats the rules were judged on are still as the board said, so holds alone do not keep
//! it fresh.

use super::{
    live::{Announced, Heard, Live},
    SeatStatus,
};
use crate::ids::{SeatId, ShowId, UserId};
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex, MutexGuard, PoisonError},
    time::{Duration, Instant},
};
use tokio::sync::broadcast::error::RecvError;

/// How old a board may grow before it is read again.
pub const REFRESH: Duration = Duration::from_secs(1);
/// Boards nobody asked for this long are dropped once there are many.
const IDLE: Duration = Duration::from_secs(60);
const MANY: usize = 1024;

/// A seat that is not free: held until a deadline, or booked (`until` is `None`), by `by` when
/// known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Taken {
    pub by: Option<UserId>,
    pub until: Option<DateTime<Utc>>,
}

/// One show's seats that are held or booked.
#[derive(Debug, Default)]
pub struct Board {
    pub version: u64,
    seats: HashMap<SeatId, Taken>,
    /// The version each seat that ever changed is at, so a change heard late is left out.
    seat_versions: HashMap<SeatId, u64>,
    /// What the seat map made of this board, kept by whoever renders it.
    pub rendered: Mutex<Option<super::seat_map::Rendered>>,
}

impl Board {
    /// A seat's state now: a hold past its deadline is free.
    pub fn status(&self, seat: SeatId, now: DateTime<Utc>) -> SeatStatus {
        match self.seats.get(&seat) {
            Some(Taken { until: None, .. }) => SeatStatus::Booked,
            Some(Taken {
                until: Some(until), ..
            }) if *until > now => SeatStatus::Held,
            _ => SeatStatus::Available,
        }
    }

    /// Whether someone other than `user` has the seat now (their own booked seats count too).
    pub fn taken_from(&self, seat: SeatId, user: UserId, now: DateTime<Utc>) -> bool {
        match self.status(seat, now) {
            SeatStatus::Booked => true,
            SeatStatus::Held => self.seats[&seat].by != Some(user),
            SeatStatus::Available => false,
        }
    }

    /// When the next hold on this board runs out, after which its seats read as free.
    pub fn next_lapse(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.seats
            .values()
            .filter_map(|t| t.until.filter(|until| *until > now))
            .min()
    }

    fn with(&self, changes: &[&Announced]) -> Self {
        let mut seats = self.seats.clone();
        let mut seat_versions = self.seat_versions.clone();
        for announced in changes {
            let taken = match announced.change.status {
                SeatStatus::Available => None,
                SeatStatus::Booked => Some(Taken {
                    by: announced.holder,
                    until: None,
                }),
                SeatStatus::Held => Some(Taken {
                    by: announced.holder,
                    // A hold announced without its deadline: taken until the next refresh.
                    until: announced.until.or(Some(DateTime::<Utc>::MAX_UTC)),
                }),
            };
            // This instance's own changes come without versions and apply as they are.
            let versions = &announced.change.versions;
            for (i, seat) in announced.change.seat_ids.iter().enumerate() {
                if let Some(version) = versions.get(i) {
                    if seat_versions
                        .get(seat)
                        .is_some_and(|known| known >= version)
                    {
                        continue;
                    }
                    seat_versions.insert(*seat, *version);
                }
                match taken {
                    Some(taken) => seats.insert(*seat, taken),
                    None => seats.remove(seat),
                };
            }
        }
        Self {
            version: self.version + 1,
            seats,
            seat_versions,
            rendered: Mutex::default(),
        }
    }
}

#[derive(Default)]
struct Entry {
    board: Option<Arc<Board>>,
    loaded_at: Option<Instant>,
    /// A read from PostgreSQL is under way; changes heard meanwhile are replayed on its result.
    loading: bool,
    pending: Vec<Announced>,
    asked_at: Option<Instant>,
    /// Held by the one request reading the show first; the others wait for its result.
    first_read: Arc<tokio::sync::Mutex<()>>,
}

#[derive(Clone)]
pub struct Boards {
    db: PgPool,
    shows: Arc<Mutex<HashMap<ShowId, Entry>>>,
}

impl Boards {
    pub fn new(db: PgPool) -> Self {
        Self {
            db,
            shows: Arc::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<ShowId, Entry>> {
        // Every change to the map is a whole entry or a whole board: valid after any panic.
        self.shows.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The show's board for its seat map: the one in memory (read again in the background once
    /// it is older than [`REFRESH`]), or a fresh read. `None` when the show has no seats (no
    /// such show).
    pub async fn get(&self, show: ShowId) -> Result<Option<Arc<Board>>, sqlx::Error> {
        self.get_within(show, REFRESH).await
    }

    /// The show's board for judging a hold: as [`Boards::get`], but read again only when known
    /// to be wrong.
    pub async fn known(&self, show: ShowId) -> Result<Option<Arc<Board>>, sqlx::Error> {
        self.get_within(show, Duration::MAX).await
    }

    async fn get_within(
        &self,
        show: ShowId,
        max_age: Duration,
    ) -> Result<Option<Arc<Board>>, sqlx::Error> {
        if let Some(board) = self.cached(show, max_age) {
            return Ok(Some(board));
        }
        let first_read = self.lock().entry(show).or_default().first_read.clone();
        let _turn = first_read.lock().await;
        if let Some(board) = self.cached(show, max_age) {
            return Ok(Some(board));
        }
        self.load(show).await
    }

    /// The board in memory, if any; starts a background read when it is older than `max_age`
    /// or known to be wrong.
    fn cached(&self, show: ShowId, max_age: Duration) -> Option<Arc<Board>> {
        let mut shows = self.lock();
        let entry = shows.get_mut(&show)?;
        entry.asked_at = Some(Instant::now());
        let board = entry.board.clone()?;
        let due = entry.loaded_at.is_none_or(|at| at.elapsed() >= max_age);
        if due && !entry.loading {
            entry.loading = true;
            let boards = self.clone();
            tokio::spawn(async move {
                if let Err(err) = boards.load(show).await {
                    tracing::warn!(error = %err, %show, "seat states not refreshed");
                    boards.lock().entry(show).or_default().loading = false;
                }
            });
        }
        Some(board)
    }

    async fn load(&self, show: ShowId) -> Result<Option<Arc<Board>>, sqlx::Error> {
        {
            let mut shows = self.lock();
            let entry = shows.entry(show).or_default();
            entry.loading = true;
            entry.asked_at = Some(Instant::now());
        }
        let read = read(&self.db, show).await;
        let mut shows = self.lock();
        let entry = shows.entry(show).or_default();
        entry.loading = false;
        let (exists, seats, seat_versions) = read?;
        if !exists {
            shows.remove(&show);
            return Ok(None);
        }
        let version = entry.board.as_ref().map_or(0, |b| b.version + 1);
        let fresh = Board {
            version,
            seats,
            seat_versions,
            rendered: Mutex::default(),
        };
        let pending: Vec<&Announced> = entry.pending.iter().collect();
        let board = Arc::new(if pending.is_empty() {
            fresh
        } else {
            fresh.with(&pending)
        });
        entry.pending.clear();
        entry.board = Some(board.clone());
        entry.loaded_at = Some(Instant::now());
        if shows.len() > MANY {
            shows.retain(|_, e| e.loading || e.asked_at.is_some_and(|at| at.elapsed() < IDLE));
        }
        Ok(Some(board))
    }

    /// Applies committed changes to the boards in memory (shows nobody looks at are read when
    /// first asked for).
    pub fn apply(&self, changes: &[Announced]) {
        let mut shows = self.lock();
        let mut by_show: HashMap<ShowId, Vec<&Announced>> = HashMap::new();
        for announced in changes {
            by_show
                .entry(announced.change.show_id)
                .or_default()
                .push(announced);
        }
        for (show, changes) in by_show {
            let Some(entry) = shows.get_mut(&show) else {
                continue;
            };
            if entry.loading {
                entry.pending.extend(changes.iter().map(|c| (*c).clone()));
            }
            if let Some(board) = &entry.board {
                entry.board = Some(Arc::new(board.with(&changes)));
            }
        }
    }

    /// Reads the show again on next use: a hold found the board wrong.
    pub fn forget(&self, show: ShowId) {
        if let Some(entry) = self.lock().get_mut(&show) {
            entry.loaded_at = None;
        }
    }

    /// Follows what other instances announce; after a gap every board is read again.
    pub fn follow(&self, live: &Live) {
        let boards = self.clone();
        let (mut heard, stop) = (live.subscribe_remote(), live.stopping());
        tokio::spawn(async move {
            loop {
                let next = tokio::select! {
                    _ = stop.cancelled() => return,
                    next = heard.recv() => next,
                };
                match next {
                    Ok(Heard::Change(change)) => boards.apply(&[change]),
                    Ok(Heard::Gap(_)) | Err(RecvError::Lagged(_)) => {
                        boards.lock().values_mut().for_each(|e| e.loaded_at = None);
                    }
                    Err(RecvError::Closed) => return,
                }
            }
        });
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    seat_id: SeatId,
    status: SeatStatus,
    holder: Option<UserId>,
    held_until: Option<DateTime<Utc>>,
    version: i64,
}

type Read = (bool, HashMap<SeatId, Taken>, HashMap<SeatId, u64>);

/// Whether the show exists, its seats that are held or booked now, and the version of every
/// seat that ever changed.
async fn read(db: &PgPool, show: ShowId) -> Result<Read, sqlx::Error> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT ss.seat_id, ss.status, ss.holder, ss.held_until, v.version
           FROM show_seat_versions($1) v
           JOIN seat_states ss ON ss.show_id = $1 AND ss.seat_id = v.seat_id",
    )
    .bind(show)
    .fetch_all(db)
    .await?;
    if rows.is_empty() {
        let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM shows WHERE id = $1)")
            .bind(show)
            .fetch_one(db)
            .await?;
        if !exists {
            return Ok((false, HashMap::new(), HashMap::new()));
        }
    }
    let versions = rows
        .iter()
        .map(|row| (row.seat_id, row.version as u64))
        .collect();
    let seats = rows
        .into_iter()
        .filter(|row| row.status != SeatStatus::Available)
        .map(|row| {
            let until = match row.status {
                SeatStatus::Held => row.held_until,
                _ => None,
            };
            let taken = Taken {
                by: row.holder,
                until,
            };
            (row.seat_id, taken)
        })
        .collect();
    Ok((true, seats, versions))
}
