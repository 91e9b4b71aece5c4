//! Holding seats: all or nothing, replacing the user's earlier hold on the show, in one round
//! trip to PostgreSQL (shared with the other holds waiting at that moment: `hold_writer`).
//!
//! Before writing, a hold asks what the server already has: the cached layout (are they seats
//! of this show, what do they cost, is it on sale?), then the seat filter, whose claim turns
//! the request away when someone else has the seats, then the show's board (the seat rules).
//! PostgreSQL checks all of it again inside the write (`hold_seats_many`), and its answer is
//! the one that counts.

use super::{
    hold_writer::Ask, live::Announced, reads::booking_show, rules, seat_filter::Admission,
    service::retrying, Amount, BookedSeat, Booking, BookingError, BookingStatus, Bookings,
    ConflictCode, RuleCode, SeatChange, SeatStatus, MAX_SEATS,
};
use crate::{
    catalog::{CatalogError, LayoutSeat, ShowLayout},
    i18n::Text,
    idempotency::RequestKey,
    ids::{BookingId, SeatId, ShowId, UserId},
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::{collections::HashSet, sync::Arc, time::Duration};

/// Writes tried when seats keep changing beside the selection.
const ATTEMPTS: usize = 5;

/// A request to hold seats of one show.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HoldRequest {
    pub show_id: ShowId,
    pub seat_ids: Vec<SeatId>,
    /// The asker needs a wheelchair space, so no companion seat has to come with it.
    #[serde(default)]
    pub wheelchair: bool,
}

/// A hold priced, to be claimed, judged on the seat rules and written.
struct Asked {
    user: UserId,
    layout: Arc<ShowLayout>,
    /// The asked-for seats, in id order.
    seats: Vec<SeatId>,
    prices: Vec<i64>,
    amount: Amount,
    /// The seats the rules' verdict depends on, and those of them not free for this user (once
    /// judged).
    watch: Vec<SeatId>,
    taken: Vec<SeatId>,
    wheelchair: bool,
    key: Option<RequestKey>,
}

struct Held {
    booking_id: BookingId,
    code: String,
    hold_expires_at: DateTime<Utc>,
    created_at: DateTime<Utc>,
}

impl Bookings {
    /// Holds seats for `user`, all or nothing, replacing the user's earlier hold on the show.
    pub async fn hold(&self, user: UserId, request: &HoldRequest) -> Result<Booking, BookingError> {
        self.hold_keyed(user, request, None).await
    }

    /// [`Self::hold_keyed`] for a visitor the show's waiting room lets in: one with a valid
    /// `admission` token, or whose turn has come; the others are told their place in line
    /// ([`BookingError::Queued`]).
    pub async fn hold_in_turn(
        &self,
        user: UserId,
        request: &HoldRequest,
        admission: Option<&str>,
        key: Option<RequestKey>,
    ) -> Result<Booking, BookingError> {
        validate_selection(&request.seat_ids)?;
        self.room
            .enter(request.show_id, user, admission)
            .await
            .map_err(BookingError::Queued)?;
        self.hold_keyed(user, request, key).await
    }

    /// [`Self::hold`], recording the booking under `key` in the transaction that makes it.
    pub async fn hold_keyed(
        &self,
        user: UserId,
        request: &HoldRequest,
        key: Option<RequestKey>,
    ) -> Result<Booking, BookingError> {
        let seats = validate_selection(&request.seat_ids)?;
        self.hold_limit
            .hit(&format!("hold:user:{user}"))
            .await
            .map_err(BookingError::RateLimited)?;
        let show = request.show_id;
        let layout = self.layout_for(show, &seats).await?;
        let picked = picked(&layout, &seats)?;
        on_sale(&layout, self.policy.sales_close)?;
        let prices: Vec<i64> = picked.iter().map(|s| s.price).collect();
        let amount = self.policy.amount(&prices, &layout.show.currency);
        let asked = Asked {
            user,
            amount: amount.clone(),
            layout: layout.clone(),
            seats,
            prices,
            watch: Vec::new(),
            taken: Vec::new(),
            wheelchair: request.wheelchair,
            key,
        };
        // From the first claim on, the hold runs to its end on a task of its own: a caller that
        // goes away (a closed connection, a shutdown) cannot leave claims without a hold.
        let held = tokio::spawn(self.clone().claim_and_write(asked))
            .await
            .map_err(|err| {
                tracing::error!(error = %err, "hold task failed");
                BookingError::Unavailable
            })?;

        let held = count(held)?;
        Ok(Booking {
            booking_id: held.booking_id,
            code: held.code,
            status: BookingStatus::Held,
            hold_expires_at: held.hold_expires_at,
            show: booking_show(&layout.show),
            seats: in_seat_order(&picked)
                .into_iter()
                .map(BookedSeat::of)
                .collect(),
            amount,
            offers: Vec::new(),
            items: Vec::new(),
            confirmed_at: None,
            cancelled_at: None,
            refund_due: 0,
            created_at: held.created_at,
        })
    }

    /// The show's layout as this process has it; or, when that copy would turn the request away
    /// (a seat it does not know, a show off sale), as it is now. So a refusal is only ever made
    /// on fresh data, and PostgreSQL checks whatever is let through.
    async fn layout_for(
        &self,
        show: ShowId,
        seats: &[SeatId],
    ) -> Result<Arc<ShowLayout>, BookingError> {
        let no_show = |err| match err {
            CatalogError::NotFound => BookingError::field("show_id", "err-no-show"),
            other => other.into(),
        };
        let kept = self.catalog.layout_for_write(show).await.map_err(no_show)?;
        if picked(&kept, seats).is_ok() && on_sale(&kept, self.policy.sales_close).is_ok() {
            return Ok(kept);
        }
        self.catalog.forget_layout(show);
        self.catalog.layout(show).await.map_err(no_show)
    }

    /// Claims the seats in the filter (where someone else's claim turns the request away),
    /// judges the rules and writes the hold; then makes the claims last as long as the hold and
    /// gives back those of the seats it replaced, or gives them all back when the rules or
    /// PostgreSQL say no; announces the change.
    async fn claim_and_write(self, mut asked: Asked) -> Result<Held, BookingError> {
        let (show, user) = (asked.layout.show.id, asked.user);
        if let Admission::Refused(taken) = self.filter.claim(show, &asked.seats, user).await {
            return Err(refused(taken));
        }
        let outcome = match self.judge_rules(&mut asked).await {
            Ok(()) => self.write(&mut asked).await,
            Err(err) => Err(err),
        };
        let claimed = &asked.seats;
        match &outcome {
            Ok((held, released)) => {
                let dropped: Vec<SeatId> = released
                    .iter()
                    .copied()
                    .filter(|s| !claimed.contains(s))
                    .collect();
                // The claims last as long as the hold: a re-hold keeps an earlier deadline.
                let left = (held.hold_expires_at - Utc::now())
                    .to_std()
                    .unwrap_or_default()
                    .max(Duration::from_secs(1));
                self.filter
                    .settle(show, claimed, &dropped, user, left)
                    .await;
                self.announce(&[
                    Announced::freed(SeatChange::made(show, SeatStatus::Available, dropped)),
                    Announced {
                        change: SeatChange::made(show, SeatStatus::Held, claimed.clone()),
                        holder: Some(user),
                        until: Some(held.hold_expires_at),
                    },
                ]);
            }
            Err(_) => self.filter.release(show, claimed, user).await,
        }
        outcome.map(|(held, _)| held)
    }

    /// Judges the seat rules on the rows of the selection as the show's board has them (whether
    /// the asked-for seats themselves are taken, the filter and PostgreSQL say).
    async fn judge_rules(&self, asked: &mut Asked) -> Result<(), BookingError> {
        let (layout, seats, user) = (&asked.layout, &asked.seats, asked.user);
        let board = self.boards.known(layout.show.id).await?.unwrap_or_default();
        let now = Utc::now();
        let taken: Vec<SeatId> = row_seats(layout, seats)
            .filter(|s| !seats.contains(&s.id) && board.taken_from(s.id, user, now))
            .map(|s| s.id)
            .collect();
        (asked.watch, asked.taken) = judge(layout, seats, &taken, asked.wheelchair)?;
        Ok(())
    }

    /// The write itself; when seats the rules were judged on changed since, judges them again as
    /// PostgreSQL sees them, and tries again.
    async fn write(&self, asked: &mut Asked) -> Result<(Held, Vec<SeatId>), BookingError> {
        let show = asked.layout.show.id;
        for _ in 0..ATTEMPTS {
            let (code, written) = retrying(|| async {
                let ask = Ask {
                    user_id: asked.user,
                    show_id: show,
                    seats: asked.seats.clone(),
                    prices: asked.prices.clone(),
                    watch: asked.watch.clone(),
                    taken: asked.taken.clone(),
                    code: booking_code(),
                    fee: asked.amount.convenience_fee,
                    tax: asked.amount.tax,
                };
                let code = ask.code.clone();
                Ok((code, self.writer.write(ask, asked.key.clone()).await?))
            })
            .await?;
            match written.outcome.as_str() {
                "held" => {
                    let (Some(booking_id), Some(hold_expires_at), Some(created_at)) = (
                        written.booking_id,
                        written.hold_expires_at,
                        written.created_at,
                    ) else {
                        return Err(BookingError::Unavailable);
                    };
                    let held = Held {
                        booking_id,
                        code,
                        hold_expires_at,
                        created_at,
                    };
                    return Ok((held, written.released.unwrap_or_default()));
                }
                "stale" => {
                    self.boards.forget(show);
                    let rows_taken = written.seats.unwrap_or_default();
                    (asked.watch, asked.taken) =
                        judge(&asked.layout, &asked.seats, &rows_taken, asked.wheelchair)?;
                }
                "refused" => {
                    self.boards.forget(show);
                    // This request's own claims go first, so the holders' can take their place.
                    self.filter.release(show, &asked.seats, asked.user).await;
                    let holders = written.holders.map(|h| h.0).unwrap_or_default();
                    self.filter.remember(show, &holders).await;
                    return Err(refused(written.seats.unwrap_or_default()));
                }
                "prices_changed" => {
                    self.catalog.layout_changed(show).await;
                    return Err(refusal("prices_changed"));
                }
                // The layout this hold was asked on is out of date.
                stale @ ("no_show" | "show_cancelled" | "sales_closed" | "sales_paused"
                | "unknown_seats") => {
                    self.catalog.forget_layout(show);
                    return Err(refusal(stale));
                }
                other => return Err(refusal(other)),
            }
        }
        tracing::info!(%show, "seats kept changing beside a hold; gave up");
        Err(BookingError::conflict(
            ConflictCode::SeatsChanging,
            "err-seats-changing",
        ))
    }
}

fn validate_selection(seat_ids: &[SeatId]) -> Result<Vec<SeatId>, BookingError> {
    if seat_ids.is_empty() || seat_ids.len() > MAX_SEATS {
        let text = Text::new("err-seat-count").arg("max", MAX_SEATS);
        return Err(BookingError::Invalid(crate::error::field("seat_ids", text)));
    }
    let mut unique = seat_ids.to_vec();
    unique.sort();
    unique.dedup();
    if unique.len() != seat_ids.len() {
        return Err(BookingError::field("seat_ids", "err-seat-twice"));
    }
    Ok(unique)
}

/// The asked-for seats in the layout; an id that is not a seat of this show is a 422.
fn picked<'a>(
    layout: &'a ShowLayout,
    seats: &[SeatId],
) -> Result<Vec<&'a LayoutSeat>, BookingError> {
    seats
        .iter()
        .map(|id| {
            layout.seat(*id).ok_or_else(|| {
                let text = Text::new("err-not-a-seat").arg("seat", id.to_string());
                BookingError::Invalid(crate::error::field("seat_ids", text))
            })
        })
        .collect()
}

/// The early answer for a show that cannot be booked (PostgreSQL checks again).
pub(super) fn on_sale(
    layout: &ShowLayout,
    sales_close: std::time::Duration,
) -> Result<(), BookingError> {
    if !layout.show.scheduled {
        return Err(refusal("show_cancelled"));
    }
    let close = chrono::Duration::from_std(sales_close).unwrap_or(chrono::Duration::MAX);
    if layout.show.starts_at - close <= Utc::now() {
        return Err(refusal("sales_closed"));
    }
    if !layout.show.sales_open {
        return Err(refusal("sales_paused"));
    }
    Ok(())
}

/// Every seat of the rows the asked-for seats are in.
fn row_seats<'a>(
    layout: &'a ShowLayout,
    seats: &[SeatId],
) -> impl Iterator<Item = &'a LayoutSeat> + 'a {
    let rows: HashSet<i32> = layout
        .seats
        .iter()
        .filter(|s| seats.contains(&s.id))
        .map(|s| s.grid_row)
        .collect();
    layout
        .seats
        .iter()
        .filter(move |s| rows.contains(&s.grid_row))
}

/// Judges the seat rules on the rows of the selection, with `taken` their seats nobody else may
/// add; gives back the seats the verdict depends on and those of them taken.
fn judge(
    layout: &ShowLayout,
    seats: &[SeatId],
    taken: &[SeatId],
    wheelchair: bool,
) -> Result<(Vec<SeatId>, Vec<SeatId>), BookingError> {
    let rows: Vec<rules::Seat> = row_seats(layout, seats)
        .map(|s| rules::Seat::of(s, !taken.contains(&s.id)))
        .collect();
    rules::check(&rows, seats, wheelchair)?;
    let watch = rules::watched(&rows, seats);
    let taken = watch
        .iter()
        .copied()
        .filter(|s| taken.contains(s))
        .collect();
    Ok((watch, taken))
}

/// Row by row, left to right, as a ticket prints them.
fn in_seat_order<'a>(seats: &[&'a LayoutSeat]) -> Vec<&'a LayoutSeat> {
    let mut ordered = seats.to_vec();
    ordered.sort_by_key(|s| (s.grid_row, s.grid_col));
    ordered
}

fn refused(seats: Vec<SeatId>) -> BookingError {
    metrics::counter!("district_holds_total", "outcome" => "refused").increment(1);
    BookingError::SeatsUnavailable(seats)
}

/// Counts a hold written, or one that failed on our side (a refusal is counted where made).
fn count<T>(held: Result<T, BookingError>) -> Result<T, BookingError> {
    use crate::error::ErrorBody;
    match &held {
        Ok(_) => metrics::counter!("district_holds_total", "outcome" => "held").increment(1),
        Err(err) if err.status().is_server_error() => {
            metrics::counter!("district_holds_total", "outcome" => "failed").increment(1)
        }
        Err(_) => {}
    }
    held
}

/// Why PostgreSQL would not write a hold, as the client should hear it.
fn refusal(outcome: &str) -> BookingError {
    match outcome {
        "show_cancelled" => {
            BookingError::rule(RuleCode::ShowCancelled, "err-show-cancelled", vec![])
        }
        "sales_closed" => BookingError::rule(RuleCode::SalesClosed, "err-sales-closed", vec![]),
        "sales_paused" => BookingError::rule(RuleCode::SalesPaused, "err-sales-paused", vec![]),
        "no_show" => BookingError::field("show_id", "err-no-show"),
        "unknown_seats" => BookingError::field("seat_ids", "err-not-seats"),
        "email_not_verified" => BookingError::EmailNotVerified,
        "payment_pending" => {
            BookingError::conflict(ConflictCode::PaymentPending, "err-payment-in-progress")
        }
        "unknown_user" => BookingError::Unauthenticated,
        "too_many_holds" => {
            BookingError::conflict(ConflictCode::TooManyHolds, "err-too-many-holds")
        }
        "hold_time_used" => {
            BookingError::conflict(ConflictCode::HoldTimeUsed, "err-hold-time-used")
        }
        "prices_changed" => {
            BookingError::conflict(ConflictCode::PricesChanged, "err-prices-changed")
        }
        other => {
            tracing::error!(outcome = other, "unexpected answer from hold_seats");
            BookingError::Unavailable
        }
    }
}

/// Eight characters from an alphabet without look-alikes (no 0/O, 1/I).
fn booking_code() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..8)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}
