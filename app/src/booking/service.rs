//! The bookings handle: everything the booking operations use, and nothing else.

use super::{
    apple_pass::AppleWallet,
    board::Boards,
    hold_writer::HoldWriter,
    live::{Announced, Live},
    seat_filter::SeatFilter,
    stream::{StreamCaps, Streams},
    ticket::TicketKeys,
    waiting_room::WaitingRoom,
    wallet::GoogleWallet,
    BookingError, Policy, SeatChange, SeatStatus,
};
use crate::{
    account::{auth::Principal, Role},
    catalog::Catalog,
    db::Db,
    ids::{SeatId, ShowId, UserId},
    ratelimit::{Limit, RateLimiter, Throttle},
};
use sqlx::PgPool;
use std::{future::Future, sync::Arc, time::Duration};

/// Who is acting on a booking.
#[derive(Clone, Copy, Debug)]
pub struct Actor {
    pub user_id: UserId,
    pub role: Role,
}

impl From<Principal> for Actor {
    fn from(who: Principal) -> Self {
        Self {
            user_id: who.user_id,
            role: who.role,
        }
    }
}

#[derive(Clone)]
pub struct Bookings {
    pub(super) db: Db,
    pub(super) catalog: Catalog,
    pub(super) filter: SeatFilter,
    pub(super) live: Live,
    pub(super) boards: Boards,
    pub(super) policy: Arc<Policy>,
    pub(super) writer: HoldWriter,
    /// Signs tickets and checks them at the door.
    pub(super) tickets: Option<Arc<TicketKeys>>,
    /// Signs "Save to Google Wallet" links, where configured.
    pub(super) wallet: Option<Arc<GoogleWallet>>,
    /// Makes and signs Apple Wallet passes, where configured.
    pub(super) apple: Option<Arc<AppleWallet>>,
    /// Holds a user may ask for in a window (none: unlimited).
    pub(super) hold_limit: Throttle,
    /// Offer codes one user may try in a window, so codes cannot be guessed by brute force.
    pub(super) offer_limit: Throttle,
    /// Open seat streams, capped.
    pub(super) streams: Streams,
    /// Lines up holds for a show when more come than it takes (off unless set).
    pub(super) room: WaitingRoom,
}

impl Bookings {
    /// The seat filter and the fan-out in Redis when there is one, in this process otherwise;
    /// the filter gives each Redis call `filter_timeout` at most.
    pub fn new(
        db: Db,
        catalog: Catalog,
        redis: Option<redis::aio::ConnectionManager>,
        policy: Policy,
        filter_timeout: Duration,
    ) -> Self {
        let policy = Arc::new(policy);
        Self {
            writer: HoldWriter::new(db.primary().clone(), policy.clone()),
            filter: SeatFilter::new(redis.clone(), filter_timeout),
            live: Live::new(db.primary().clone(), redis),
            boards: Boards::new(db.read().clone()),
            db,
            catalog,
            policy,
            tickets: None,
            wallet: None,
            apple: None,
            hold_limit: Throttle::default(),
            offer_limit: Throttle::default(),
            streams: Streams::new(StreamCaps::default()),
            room: WaitingRoom::off(),
        }
    }

    /// The same, lining up holds for hot shows in `room`.
    pub fn with_waiting_room(self, room: WaitingRoom) -> Self {
        Self { room, ..self }
    }

    pub fn waiting_room(&self) -> &WaitingRoom {
        &self.room
    }

    /// The same, limiting how often one user may hold.
    pub fn with_hold_limit(self, limiter: RateLimiter, limit: Limit) -> Self {
        Self {
            hold_limit: Throttle::new(limiter, limit),
            ..self
        }
    }

    /// The same, limiting how many offer codes one user may try in a window.
    pub fn with_offer_limit(self, limiter: RateLimiter, limit: Limit) -> Self {
        Self {
            offer_limit: Throttle::new(limiter, limit),
            ..self
        }
    }

    /// The same, with other caps on open seat streams.
    pub fn with_stream_caps(self, caps: StreamCaps) -> Self {
        Self {
            streams: Streams::new(caps),
            ..self
        }
    }

    /// The same, signing tickets with `keys`.
    pub fn with_tickets(self, keys: TicketKeys) -> Self {
        Self {
            tickets: Some(Arc::new(keys)),
            ..self
        }
    }

    /// The same, offering tickets to Google Wallet.
    pub fn with_google_wallet(self, wallet: GoogleWallet) -> Self {
        Self {
            wallet: Some(Arc::new(wallet)),
            ..self
        }
    }

    /// The same, offering tickets as Apple Wallet passes.
    pub fn with_apple_wallet(self, apple: AppleWallet) -> Self {
        Self {
            apple: Some(Arc::new(apple)),
            ..self
        }
    }

    /// The public half of the ticket key, for whoever checks tickets offline.
    pub fn ticket_public_key(&self) -> Option<String> {
        self.tickets.as_ref().map(|keys| keys.public_key())
    }

    /// The same, with another seat filter (`SeatFilter::off()` lets PostgreSQL alone decide).
    pub fn with_filter(self, filter: SeatFilter) -> Self {
        Self { filter, ..self }
    }

    /// Listens for other instances' changes (on Redis too when `redis_url` is set) and keeps
    /// this instance's seat states and in-process claims in step with them.
    pub fn follow_others(&self, redis_url: Option<String>) {
        self.live.listen(redis_url);
        self.filter.follow(&self.live);
        self.boards.follow(&self.live);
    }

    pub fn live(&self) -> &Live {
        &self.live
    }

    pub fn filter(&self) -> &SeatFilter {
        &self.filter
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    pub(super) fn primary(&self) -> &PgPool {
        self.db.primary()
    }

    /// Tells this instance's seat states at once, and everyone else soon.
    pub(super) fn announce(&self, changes: &[Announced]) {
        self.boards.apply(changes);
        for announced in changes {
            self.live
                .publish(announced.change.show_id, &announced.change.seat_ids);
        }
    }

    /// Tells live maps that these seats of `show` are free (a show called off gave them back).
    pub fn announce_freed(&self, show: ShowId, seats: Vec<SeatId>) {
        if seats.is_empty() {
            return;
        }
        self.announce(&[Announced::freed(SeatChange::made(
            show,
            SeatStatus::Available,
            seats,
        ))]);
    }
}

/// Calls a write again when PostgreSQL aborted it for a deadlock, a serialization failure or a
/// rival write of the same user (a hold from another tab: the retry replaces that hold).
pub(super) async fn retrying<T, F, Fut>(mut attempt: F) -> Result<T, BookingError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, sqlx::Error>>,
{
    let mut tries = 0;
    loop {
        tries += 1;
        match attempt().await {
            Ok(outcome) => return Ok(outcome),
            Err(err) if tries < 5 && retryable(&err) => {
                tracing::debug!(error = %err, "booking write retried");
            }
            Err(err) => return Err(err.into()),
        }
    }
}

fn retryable(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .and_then(|e| e.code())
        .is_some_and(|code| matches!(code.as_ref(), "40P01" | "40001" | "23505"))
}
