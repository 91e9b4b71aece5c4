//! The booking service: hold, confirm, cancel and expire, each one PostgreSQL transaction whose
//! conditional writes decide, so no seat is ever held or sold twice.

use super::{
    live::{SeatChange, SeatSnapshot},
    lock::Admission,
    rules, Amount, BookedSeat, Booking, BookingError, BookingShow, MAX_SEATS,
};
use crate::{account::Role, catalog::SeatMap, state::AppState};
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use std::{future::Future, time::Duration};
use uuid::Uuid;

/// How bookings are priced and when sales and cancellations close.
#[derive(Clone, Debug)]
pub struct Policy {
    pub hold_ttl: Duration,
    /// Sales stop this long before a show starts.
    pub sales_close: Duration,
    /// Confirmed bookings may be cancelled until this long before the show.
    pub cancellation_cutoff: Duration,
    /// Per seat, in minor units.
    pub convenience_fee: i64,
    /// GST on the convenience fee, in percent.
    pub fee_tax_percent: i64,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            hold_ttl: Duration::from_secs(600),
            sales_close: Duration::ZERO,
            cancellation_cutoff: Duration::from_secs(2 * 3600),
            convenience_fee: 3000,
            fee_tax_percent: 18,
        }
    }
}

impl Policy {
    pub fn amount(&self, prices: &[i64], currency: &str) -> Amount {
        let subtotal = prices.iter().sum();
        let convenience_fee = self.convenience_fee * prices.len() as i64;
        let tax = (convenience_fee * self.fee_tax_percent + 50) / 100;
        Amount {
            subtotal,
            convenience_fee,
            tax,
            total: subtotal + convenience_fee + tax,
            currency: currency.to_owned(),
        }
    }

    /// The ticket price given back when a confirmed booking is cancelled `notice` before the
    /// show: all of it a day or more ahead, 75% from six hours, 50% until the cutoff. The
    /// convenience fee and its tax are not refunded.
    pub fn refund(&self, subtotal: i64, notice: chrono::Duration) -> i64 {
        let percent = match notice.num_minutes() {
            m if m >= 24 * 60 => 100,
            m if m >= 6 * 60 => 75,
            _ => 50,
        };
        subtotal * percent / 100
    }
}

/// A request to hold seats of one show.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct HoldRequest {
    pub show_id: Uuid,
    pub seat_ids: Vec<Uuid>,
    /// The asker needs a wheelchair space, so no companion seat has to come with it.
    #[serde(default)]
    pub wheelchair: bool,
}

/// Holds seats for `user_id`, all or nothing, replacing the user's earlier hold on the show.
///
/// Seats someone else has claimed in the seat filter are refused first, so in a rush the
/// requests that would lose never reach PostgreSQL. Seats are claimed there only once the
/// request has passed every check, so a claim almost always ends in a hold; PostgreSQL still
/// decides, and the claims are given back when it says no.
pub async fn hold(
    state: &AppState,
    user_id: Uuid,
    request: &HoldRequest,
) -> Result<Booking, BookingError> {
    let seat_ids = validate_selection(&request.seat_ids)?;
    let lock = &state.seat_lock;
    let taken = lock.taken(request.show_id, &seat_ids, user_id).await;
    if !taken.is_empty() {
        return Err(refused_early(taken));
    }
    let policy = &state.settings.booking;
    let (show, rows) = show_for_sale(state, request.show_id, &seat_ids, user_id).await?;
    let mut picked = picked_seats(&rows, &seat_ids)?;
    picked.sort_by_key(|s| (s.grid_row, s.grid_col));
    let taken: Vec<&rules::Seat> = picked.iter().copied().filter(|s| !s.free).collect();
    if !taken.is_empty() {
        // Teach the filter, so the next requests for these seats are answered before this.
        let holders: Vec<(Uuid, rules::Taken)> = taken
            .iter()
            .filter_map(|s| s.taken.map(|t| (s.id, t)))
            .collect();
        lock.remember(request.show_id, &holders).await;
        let taken = taken.iter().map(|s| s.id).collect();
        return Err(count_hold(BookingError::SeatsUnavailable(taken), "refused"));
    }
    rules::check(&rows, &seat_ids, request.wheelchair)?;

    let prices: Vec<i64> = picked.iter().map(|s| s.price).collect();
    let amount = policy.amount(&prices, &show.currency);
    let claim = Claim {
        user_id,
        show_id: request.show_id,
        seat_ids: picked.iter().map(|s| s.id).collect(),
        prices,
        amount: amount.clone(),
        hold_ttl: policy.hold_ttl,
    };
    // From the first claim on, the hold runs to its end on a task of its own: a caller that
    // goes away (a closed connection, a shutdown) cannot leave claims without a hold behind.
    let held = tokio::spawn(claim_and_write(state.clone(), claim))
        .await
        .map_err(|err| {
            tracing::error!(error = %err, "hold task failed");
            BookingError::Unavailable
        })??;
    metrics::counter!("district_holds_total", "outcome" => "held").increment(1);
    Ok(Booking {
        booking_id: held.booking_id,
        code: held.code,
        status: "held".into(),
        hold_expires_at: held.hold_expires_at,
        show: show.info,
        seats: picked.iter().map(|s| booked_seat(s)).collect(),
        amount,
        confirmed_at: None,
        cancelled_at: None,
        refund_due: 0,
        created_at: held.created_at,
    })
}

/// Claims the seats in the filter and writes the hold; then makes the claims last as long as
/// the hold, or gives them back when PostgreSQL says no, and gives back those of seats a
/// replaced hold let go; announces the change.
async fn claim_and_write(state: AppState, claim: Claim) -> Result<Held, BookingError> {
    let (lock, show_id, owner) = (&state.seat_lock, claim.show_id, claim.user_id);
    if let Admission::Refused(taken) = lock.claim(show_id, &claim.seat_ids, owner).await {
        return Err(refused_early(taken));
    }
    let held = match claim_seats(state.db.primary(), &claim).await {
        Ok(held) => held,
        Err(err) => {
            lock.release(show_id, &claim.seat_ids, owner).await;
            return Err(count_hold(err, "refused"));
        }
    };
    lock.keep(show_id, &claim.seat_ids, owner, claim.hold_ttl)
        .await;
    let dropped: Vec<Uuid> = held
        .released
        .iter()
        .copied()
        .filter(|s| !claim.seat_ids.contains(s))
        .collect();
    lock.release(show_id, &dropped, owner).await;
    state
        .live
        .publish(&[
            SeatChange::new(show_id, "available", dropped),
            SeatChange::new(show_id, "held", claim.seat_ids.clone()),
        ])
        .await;
    Ok(held)
}

fn refused_early(taken: Vec<Uuid>) -> BookingError {
    count_hold(BookingError::SeatsUnavailable(taken), "refused_early")
}

fn count_hold(err: BookingError, refused: &'static str) -> BookingError {
    let outcome = match err {
        BookingError::SeatsUnavailable(_) => refused,
        _ => "failed",
    };
    metrics::counter!("district_holds_total", "outcome" => outcome).increment(1);
    err
}

fn booked_seat(seat: &rules::Seat) -> BookedSeat {
    BookedSeat {
        seat_id: seat.id,
        label: seat.label.clone(),
        category: seat.category.clone(),
        price: seat.price,
    }
}

fn validate_selection(seat_ids: &[Uuid]) -> Result<Vec<Uuid>, BookingError> {
    if seat_ids.is_empty() || seat_ids.len() > MAX_SEATS {
        return Err(BookingError::field(
            "seat_ids",
            &format!("Choose 1 to {MAX_SEATS} seats."),
        ));
    }
    let mut unique = seat_ids.to_vec();
    unique.sort();
    unique.dedup();
    if unique.len() != seat_ids.len() {
        return Err(BookingError::field("seat_ids", "A seat is listed twice."));
    }
    Ok(unique)
}

/// Show columns every booking view needs, with the joins that provide them.
const SHOW_COLUMNS: &str = "s.id AS show_id, m.title AS movie_title, m.slug AS movie_slug,
    t.name AS theater_name, sc.name AS screen_name, s.format, s.language, s.starts_at,
    ci.time_zone";
const SHOW_JOINS: &str = "JOIN movies m ON m.id = s.movie_id JOIN screens sc ON sc.id = s.screen_id
    JOIN theaters t ON t.id = sc.theater_id JOIN cities ci ON ci.id = t.city_id";

#[derive(sqlx::FromRow)]
struct ShowRow {
    show_id: Uuid,
    movie_title: String,
    movie_slug: String,
    theater_name: String,
    screen_name: String,
    format: String,
    language: String,
    starts_at: DateTime<Utc>,
    time_zone: String,
}

impl ShowRow {
    fn info(&self) -> BookingShow {
        let zone: chrono_tz::Tz = self.time_zone.parse().unwrap_or(chrono_tz::Asia::Kolkata);
        BookingShow {
            show_id: self.show_id,
            movie_title: self.movie_title.clone(),
            movie_slug: self.movie_slug.clone(),
            theater_name: self.theater_name.clone(),
            screen_name: self.screen_name.clone(),
            format: self.format.clone(),
            language: self.language.clone(),
            starts_at: self.starts_at,
            local_time: self
                .starts_at
                .with_timezone(&zone)
                .format("%a %-d %b, %-I:%M %p")
                .to_string(),
        }
    }
}

#[derive(sqlx::FromRow)]
struct SaleRow {
    #[sqlx(flatten)]
    show: ShowRow,
    currency: String,
    scheduled: bool,
    on_sale: bool,
    email_verified: Option<bool>,
    seats: sqlx::types::Json<Vec<rules::Seat>>,
}

struct ShowForSale {
    info: BookingShow,
    currency: String,
}

/// The show, if it is still on sale and the user may book, with every seat in the rows of the
/// selection and whether it is free for this user: one round trip.
async fn show_for_sale(
    state: &AppState,
    show_id: Uuid,
    seat_ids: &[Uuid],
    user_id: Uuid,
) -> Result<(ShowForSale, Vec<rules::Seat>), BookingError> {
    let row: Option<SaleRow> = sqlx::query_as(&format!(
        "SELECT {SHOW_COLUMNS}, s.currency::text AS currency, s.status = 'scheduled' AS scheduled,
                s.starts_at - make_interval(secs => $3) > now() AS on_sale,
                (SELECT email_verified_at IS NOT NULL FROM users WHERE id = $2) AS email_verified,
                (SELECT COALESCE(json_agg(json_build_object(
                            'id', se.id, 'label', se.row_label || se.number,
                            'grid_row', se.grid_row, 'grid_col', se.grid_col, 'category', c.name,
                            'kind', se.kind, 'price', p.price_minor, 'free', f.free,
                            'taken', CASE WHEN NOT f.free THEN json_build_object('by', b.user_id,
                                'held_ms', (EXTRACT(EPOCH FROM ss.held_until - now()) * 1000)::bigint)
                            END)), '[]')
                   FROM seats se
                   JOIN show_seats ss ON ss.show_id = s.id AND ss.seat_id = se.id
                   JOIN seat_categories c ON c.id = se.category_id
                   JOIN show_prices p ON p.show_id = s.id AND p.category_id = se.category_id
                   LEFT JOIN bookings b ON b.id = ss.booking_id
                  CROSS JOIN LATERAL (SELECT COALESCE(ss.status = 'available' OR (ss.status = 'held'
                                AND (ss.held_until < now() OR b.user_id = $2)), false) AS free) f
                  WHERE se.screen_id = s.screen_id
                    AND se.grid_row IN (SELECT grid_row FROM seats
                                         WHERE id = ANY($4) AND screen_id = s.screen_id)) AS seats
           FROM shows s {SHOW_JOINS} WHERE s.id = $1"
    ))
    .bind(show_id)
    .bind(user_id)
    .bind(state.settings.booking.sales_close.as_secs_f64())
    .bind(seat_ids)
    .fetch_optional(state.db.primary())
    .await?;
    let Some(row) = row else {
        return Err(BookingError::field("show_id", "There is no such show."));
    };
    match row.email_verified {
        None => return Err(BookingError::Unauthenticated),
        Some(false) if state.settings.email_verification_required => {
            return Err(BookingError::EmailNotVerified)
        }
        _ => {}
    }
    if !row.scheduled {
        return Err(BookingError::rule(
            "show_cancelled",
            "This show has been cancelled.",
            vec![],
        ));
    }
    if !row.on_sale {
        return Err(BookingError::rule(
            "sales_closed",
            "Booking for this show has closed.",
            vec![],
        ));
    }
    let show = ShowForSale {
        info: row.show.info(),
        currency: row.currency,
    };
    Ok((show, row.seats.0))
}

/// The requested seats, in seat order; any id that is not a seat of this show is a 422.
fn picked_seats<'a>(
    rows: &'a [rules::Seat],
    seat_ids: &[Uuid],
) -> Result<Vec<&'a rules::Seat>, BookingError> {
    seat_ids
        .iter()
        .map(|id| {
            rows.iter().find(|s| s.id == *id).ok_or_else(|| {
                BookingError::field("seat_ids", &format!("{id} is not a seat of this show."))
            })
        })
        .collect()
}

/// The conditional write behind a hold, on its own so it can be measured on its own.
#[derive(Clone, Debug)]
pub struct Claim {
    pub user_id: Uuid,
    pub show_id: Uuid,
    pub seat_ids: Vec<Uuid>,
    pub prices: Vec<i64>,
    pub amount: Amount,
    pub hold_ttl: Duration,
}

#[derive(Debug)]
pub struct Held {
    pub booking_id: Uuid,
    pub code: String,
    pub hold_expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    /// Seats of the user's earlier hold on this show, given back by this one.
    pub released: Vec<Uuid>,
}

/// In one transaction: releases the user's earlier hold on the show, creates the booking and
/// claims every seat with one conditional update that only takes seats that are available or
/// whose hold has expired. Fewer seats claimed than asked for rolls everything back.
pub async fn claim_seats(db: &PgPool, claim: &Claim) -> Result<Held, BookingError> {
    retrying(|| async {
        let mut tx = db.begin().await?;
        let released: Vec<Uuid> = sqlx::query_scalar(
            "WITH old AS (
                UPDATE bookings
                   SET status = CASE WHEN hold_expires_at < now() THEN 'expired' ELSE 'cancelled' END,
                       cancelled_at = CASE WHEN hold_expires_at < now() THEN NULL ELSE now() END,
                       updated_at = now()
                 WHERE user_id = $1 AND show_id = $2 AND status = 'held'
                RETURNING id),
             events AS (
                INSERT INTO outbox_events (aggregate_type, aggregate_id, event_type, payload)
                SELECT 'booking', id, 'booking.released',
                       jsonb_build_object('booking_id', id, 'show_id', $2, 'reason', 'replaced')
                  FROM old)
             UPDATE show_seats ss
                SET status = 'available', booking_id = NULL, held_until = NULL,
                    version = version + 1, updated_at = now()
               FROM old WHERE ss.booking_id = old.id AND ss.status = 'held'
             RETURNING ss.seat_id",
        )
        .bind(claim.user_id)
        .bind(claim.show_id)
        .fetch_all(&mut *tx)
        .await?;
        let code = booking_code();
        let (booking_id, hold_expires_at, created_at): (Uuid, DateTime<Utc>, DateTime<Utc>) =
            sqlx::query_as(
                "INSERT INTO bookings (code, user_id, show_id, status, hold_expires_at, seat_count,
                                       subtotal_minor, convenience_fee_minor, tax_minor, total_minor, currency)
                 VALUES ($1, $2, $3, 'held', now() + make_interval(secs => $4), $5, $6, $7, $8, $9, $10)
                 RETURNING id, hold_expires_at, created_at",
            )
            .bind(&code)
            .bind(claim.user_id)
            .bind(claim.show_id)
            .bind(claim.hold_ttl.as_secs_f64())
            .bind(claim.seat_ids.len() as i32)
            .bind(claim.amount.subtotal)
            .bind(claim.amount.convenience_fee)
            .bind(claim.amount.tax)
            .bind(claim.amount.total)
            .bind(&claim.amount.currency)
            .fetch_one(&mut *tx)
            .await?;
        let claimed: Vec<Uuid> = sqlx::query_scalar(
            "UPDATE show_seats
                SET status = 'held', booking_id = $3, held_until = $4,
                    version = version + 1, updated_at = now()
              WHERE show_id = $1 AND seat_id = ANY($2)
                AND (status = 'available' OR (status = 'held' AND held_until < now()))
             RETURNING seat_id",
        )
        .bind(claim.show_id)
        .bind(&claim.seat_ids)
        .bind(booking_id)
        .bind(hold_expires_at)
        .fetch_all(&mut *tx)
        .await?;
        if claimed.len() != claim.seat_ids.len() {
            tx.rollback().await?;
            return Ok(Err(missing(&claim.seat_ids, &claimed)));
        }
        sqlx::query(
            "WITH lines AS (
                INSERT INTO booking_seats (booking_id, show_id, seat_id, price_minor)
                SELECT $1, $2, seat, price FROM unnest($3::uuid[], $4::bigint[]) AS t (seat, price))
             INSERT INTO outbox_events (aggregate_type, aggregate_id, event_type, payload)
             VALUES ('booking', $1, 'booking.held', $5)",
        )
        .bind(booking_id)
        .bind(claim.show_id)
        .bind(&claim.seat_ids)
        .bind(&claim.prices)
        .bind(json!({
            "booking_id": booking_id, "show_id": claim.show_id, "user_id": claim.user_id,
            "seat_ids": claim.seat_ids, "hold_expires_at": hold_expires_at,
        }))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Ok(Held {
            booking_id,
            code,
            hold_expires_at,
            created_at,
            released,
        }))
    })
    .await
}

fn missing(wanted: &[Uuid], got: &[Uuid]) -> BookingError {
    BookingError::SeatsUnavailable(
        wanted
            .iter()
            .copied()
            .filter(|s| !got.contains(s))
            .collect(),
    )
}

/// Runs a transaction again when PostgreSQL aborted it for a deadlock, a serialization
/// failure or a concurrent hold by the same user (the retry then replaces that hold).
async fn retrying<T, F, Fut>(mut attempt: F) -> Result<T, BookingError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Result<T, BookingError>, sqlx::Error>>,
{
    let mut tries = 0;
    loop {
        tries += 1;
        match attempt().await {
            Ok(outcome) => return outcome,
            Err(err) if tries < 5 && retryable(&err) => {
                tracing::debug!(error = %err, "booking transaction retried");
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

/// Eight characters from an alphabet without look-alikes (no 0/O, 1/I).
fn booking_code() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..8)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

/// Confirms a held (or expired) booking once its payment has succeeded; `None` only for a
/// booking that costs nothing. A hold past its deadline is confirmed only if every seat is
/// still free, claimed back in the same transaction. Confirming twice answers the same.
pub async fn confirm(
    state: &AppState,
    booking_id: Uuid,
    payment_id: Option<Uuid>,
) -> Result<Booking, BookingError> {
    let db = state.db.primary();
    let outcome = retrying(|| async {
        let mut tx = db.begin().await?;
        let Some((status, show_id, total, started)): Option<(String, Uuid, i64, bool)> =
            sqlx::query_as(
                "SELECT b.status, b.show_id, b.total_minor, s.starts_at <= now()
                   FROM bookings b JOIN shows s ON s.id = b.show_id
                  WHERE b.id = $1 FOR UPDATE OF b",
            )
            .bind(booking_id)
            .fetch_optional(&mut *tx)
            .await?
        else {
            return Ok(Err(BookingError::NotFound));
        };
        match status.as_str() {
            "confirmed" => return Ok(Ok(None)),
            "cancelled" => {
                return Ok(Err(BookingError::conflict(
                    "booking_cancelled",
                    "This booking was cancelled.",
                )))
            }
            _ => {}
        }
        if let Err(err) = check_payment(&mut tx, booking_id, payment_id, total).await? {
            return Ok(Err(err));
        }
        if started {
            return Ok(Err(BookingError::conflict(
                "show_started",
                "The show has already started.",
            )));
        }
        let seats: Vec<Uuid> =
            sqlx::query_scalar("SELECT seat_id FROM booking_seats WHERE booking_id = $1")
                .bind(booking_id)
                .fetch_all(&mut *tx)
                .await?;
        let booked: Vec<Uuid> = sqlx::query_scalar(
            "UPDATE show_seats
                SET status = 'booked', booking_id = $1, held_until = NULL,
                    version = version + 1, updated_at = now()
              WHERE show_id = $2 AND seat_id = ANY($3)
                AND (booking_id = $1 OR status = 'available' OR (status = 'held' AND held_until < now()))
             RETURNING seat_id",
        )
        .bind(booking_id)
        .bind(show_id)
        .bind(&seats)
        .fetch_all(&mut *tx)
        .await?;
        if booked.len() != seats.len() {
            tx.rollback().await?;
            return Ok(Err(missing(&seats, &booked)));
        }
        sqlx::query(
            "UPDATE bookings SET status = 'confirmed', confirmed_at = now(), updated_at = now()
              WHERE id = $1",
        )
        .bind(booking_id)
        .execute(&mut *tx)
        .await?;
        record_event(
            &mut tx,
            booking_id,
            "booking.confirmed",
            json!({ "booking_id": booking_id, "show_id": show_id, "payment_id": payment_id, "seat_ids": seats }),
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(Some(SeatChange::new(show_id, "booked", seats))))
    })
    .await?;
    if let Some(change) = outcome {
        metrics::counter!("district_bookings_confirmed_total").increment(1);
        state.live.publish(&[change]).await;
    }
    load_one(db, booking_id).await
}

/// The payment must belong to the booking, have succeeded and cover the total.
async fn check_payment(
    conn: &mut PgConnection,
    booking_id: Uuid,
    payment_id: Option<Uuid>,
    total: i64,
) -> Result<Result<(), BookingError>, sqlx::Error> {
    let Some(payment_id) = payment_id else {
        return Ok(if total == 0 {
            Ok(())
        } else {
            Err(BookingError::conflict(
                "payment_required",
                "This booking has to be paid for first.",
            ))
        });
    };
    let payment: Option<(String, i64)> = sqlx::query_as(
        "SELECT status, amount_minor FROM payments WHERE id = $1 AND booking_id = $2",
    )
    .bind(payment_id)
    .bind(booking_id)
    .fetch_optional(conn)
    .await?;
    Ok(match payment {
        Some((status, amount)) if status == "succeeded" && amount >= total => Ok(()),
        Some((status, _)) if status == "succeeded" => Err(BookingError::conflict(
            "payment_amount_mismatch",
            "The payment does not cover this booking.",
        )),
        Some(_) => Err(BookingError::conflict(
            "payment_not_succeeded",
            "The payment has not succeeded.",
        )),
        None => Err(BookingError::conflict(
            "payment_not_found",
            "There is no such payment for this booking.",
        )),
    })
}

async fn record_event(
    conn: &mut PgConnection,
    booking_id: Uuid,
    event_type: &str,
    payload: serde_json::Value,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO outbox_events (aggregate_type, aggregate_id, event_type, payload)
         VALUES ('booking', $1, $2, $3)",
    )
    .bind(booking_id)
    .bind(event_type)
    .bind(payload)
    .execute(conn)
    .await?;
    Ok(())
}

/// Who is acting on a booking.
#[derive(Clone, Copy, Debug)]
pub struct Actor {
    pub user_id: Uuid,
    pub role: Role,
}

/// Owner, status, show, subtotal, show start, the database's clock, and whether a hold is past
/// its deadline.
type CancelRow = (Uuid, String, Uuid, i64, DateTime<Utc>, DateTime<Utc>, bool);

/// Cancels a booking: a hold is released at once; a confirmed booking follows the policy
/// (until the cutoff, with the refund due recorded). Cancelling again answers the same.
pub async fn cancel(
    state: &AppState,
    booking_id: Uuid,
    actor: Actor,
) -> Result<Booking, BookingError> {
    let db = state.db.primary();
    let policy = &state.settings.booking;
    let released = retrying(|| async {
        let mut tx = db.begin().await?;
        let row: Option<CancelRow> = sqlx::query_as(
            "SELECT b.user_id, b.status, b.show_id, b.subtotal_minor, s.starts_at, now(),
                    b.hold_expires_at < now()
               FROM bookings b JOIN shows s ON s.id = b.show_id
              WHERE b.id = $1 FOR UPDATE OF b",
        )
        .bind(booking_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((owner, status, show_id, subtotal, starts_at, now, lapsed)) = row else {
            return Ok(Err(BookingError::NotFound));
        };
        if owner != actor.user_id && actor.role != Role::Admin {
            return Ok(Err(BookingError::NotFound));
        }
        let (seat_status, refund) = match status.as_str() {
            "held" => ("held", 0),
            "confirmed" => {
                let notice = starts_at - now;
                let cutoff = chrono::Duration::from_std(policy.cancellation_cutoff)
                    .unwrap_or(chrono::Duration::MAX);
                if notice < cutoff {
                    return Ok(Err(BookingError::conflict(
                        "cancellation_closed",
                        &format!(
                            "Bookings can be cancelled until {} minutes before the show.",
                            cutoff.num_minutes()
                        ),
                    )));
                }
                ("booked", policy.refund(subtotal, notice))
            }
            _ => return Ok(Ok(None)),
        };
        let seats: Vec<Uuid> = sqlx::query_scalar(
            "UPDATE show_seats
                SET status = 'available', booking_id = NULL, held_until = NULL,
                    version = version + 1, updated_at = now()
              WHERE booking_id = $1 AND status = $2
             RETURNING seat_id",
        )
        .bind(booking_id)
        .bind(seat_status)
        .fetch_all(&mut *tx)
        .await?;
        // A hold already past its deadline has expired rather than been cancelled.
        let (new_status, event) = match seat_status {
            "held" if lapsed => ("expired", "booking.expired"),
            "held" => ("cancelled", "booking.released"),
            _ => ("cancelled", "booking.cancelled"),
        };
        sqlx::query(
            "UPDATE bookings
                SET status = $2, refund_due_minor = $3, updated_at = now(),
                    cancelled_at = CASE WHEN $2 = 'cancelled' THEN now() END
              WHERE id = $1",
        )
        .bind(booking_id)
        .bind(new_status)
        .bind(refund)
        .execute(&mut *tx)
        .await?;
        record_event(
            &mut tx,
            booking_id,
            event,
            json!({ "booking_id": booking_id, "show_id": show_id, "refund_due": refund, "seat_ids": seats }),
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(Some((owner, SeatChange::new(show_id, "available", seats)))))
    })
    .await?;
    if let Some((owner, change)) = released {
        state
            .seat_lock
            .release(change.show_id, &change.seat_ids, owner)
            .await;
        state.live.publish(&[change]).await;
    }
    load_one(db, booking_id).await
}

/// A booking for its owner, a platform admin or an admin of the show's theater; anyone else
/// is told it does not exist.
pub async fn get(
    state: &AppState,
    booking_id: Uuid,
    actor: Actor,
) -> Result<Booking, BookingError> {
    let db = state.db.primary();
    let (owner, theater_id): (Uuid, Uuid) = sqlx::query_as(
        "SELECT b.user_id, sc.theater_id FROM bookings b
           JOIN shows s ON s.id = b.show_id JOIN screens sc ON sc.id = s.screen_id
          WHERE b.id = $1",
    )
    .bind(booking_id)
    .fetch_optional(db)
    .await?
    .ok_or(BookingError::NotFound)?;
    let allowed = owner == actor.user_id
        || crate::account::service::may_manage_theater(db, actor.user_id, actor.role, theater_id)
            .await?;
    if !allowed {
        return Err(BookingError::NotFound);
    }
    load_one(db, booking_id).await
}

/// Which of a user's bookings to list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Held or confirmed, show still ahead; soonest first.
    Upcoming,
    /// Confirmed, show over; latest first.
    Past,
    /// Cancelled or expired; newest first.
    Cancelled,
}

/// A page of the user's bookings (all of them, newest first, without a scope) and the total.
pub async fn list_for_user(
    db: &PgPool,
    user_id: Uuid,
    scope: Option<Scope>,
    (page, per_page): (u32, u32),
) -> Result<(Vec<Booking>, i64), BookingError> {
    let (filter, order) = match scope {
        None => ("TRUE", "b.created_at DESC"),
        Some(Scope::Upcoming) => (
            "s.starts_at > now() AND (b.status = 'confirmed' OR (b.status = 'held' AND b.hold_expires_at > now()))",
            "s.starts_at",
        ),
        Some(Scope::Past) => ("s.starts_at <= now() AND b.status = 'confirmed'", "s.starts_at DESC"),
        Some(Scope::Cancelled) => (
            "(b.status IN ('cancelled', 'expired') OR (b.status = 'held' AND b.hold_expires_at <= now()))",
            "b.created_at DESC",
        ),
    };
    let rows: Vec<(Uuid, i64)> = sqlx::query_as(&format!(
        "SELECT b.id, count(*) OVER () FROM bookings b JOIN shows s ON s.id = b.show_id
          WHERE b.user_id = $1 AND {filter} ORDER BY {order} LIMIT $2 OFFSET $3"
    ))
    .bind(user_id)
    .bind(i64::from(per_page))
    .bind(i64::from(page.saturating_sub(1)) * i64::from(per_page))
    .fetch_all(db)
    .await?;
    let total = match rows.first() {
        Some((_, total)) => *total,
        None => {
            sqlx::query_scalar(&format!(
                "SELECT count(*) FROM bookings b JOIN shows s ON s.id = b.show_id
                  WHERE b.user_id = $1 AND {filter}"
            ))
            .bind(user_id)
            .fetch_one(db)
            .await?
        }
    };
    let ids: Vec<Uuid> = rows.into_iter().map(|(id, _)| id).collect();
    Ok((load(db, &ids).await?, total))
}

#[derive(sqlx::FromRow)]
struct BookingRow {
    booking_id: Uuid,
    code: String,
    status: String,
    hold_expires_at: DateTime<Utc>,
    subtotal_minor: i64,
    convenience_fee_minor: i64,
    tax_minor: i64,
    total_minor: i64,
    currency: String,
    confirmed_at: Option<DateTime<Utc>>,
    cancelled_at: Option<DateTime<Utc>>,
    refund_due_minor: i64,
    created_at: DateTime<Utc>,
    #[sqlx(flatten)]
    show: ShowRow,
}

#[derive(sqlx::FromRow)]
struct SeatRow {
    booking_id: Uuid,
    #[sqlx(flatten)]
    seat: BookedSeat,
}

async fn load_one(db: &PgPool, booking_id: Uuid) -> Result<Booking, BookingError> {
    load(db, &[booking_id])
        .await?
        .pop()
        .ok_or(BookingError::NotFound)
}

/// Bookings by id, in the order given. A hold past its deadline reads as expired.
async fn load(db: &PgPool, ids: &[Uuid]) -> Result<Vec<Booking>, BookingError> {
    let rows: Vec<BookingRow> = sqlx::query_as(&format!(
        "SELECT b.id AS booking_id, b.code,
                CASE WHEN b.status = 'held' AND b.hold_expires_at <= now() THEN 'expired' ELSE b.status END AS status,
                b.hold_expires_at, b.subtotal_minor, b.convenience_fee_minor, b.tax_minor,
                b.total_minor, b.currency::text AS currency, b.confirmed_at, b.cancelled_at,
                b.refund_due_minor, b.created_at, {SHOW_COLUMNS}
           FROM bookings b JOIN shows s ON s.id = b.show_id {SHOW_JOINS}
          WHERE b.id = ANY($1)"
    ))
    .bind(ids)
    .fetch_all(db)
    .await?;
    let seats: Vec<SeatRow> = sqlx::query_as(
        "SELECT bs.booking_id, bs.seat_id, se.row_label || se.number AS label,
                c.name AS category, bs.price_minor AS price
           FROM booking_seats bs
           JOIN seats se ON se.id = bs.seat_id
           JOIN seat_categories c ON c.id = se.category_id
          WHERE bs.booking_id = ANY($1)
          ORDER BY se.grid_row, se.grid_col",
    )
    .bind(ids)
    .fetch_all(db)
    .await?;
    let mut bookings: Vec<Booking> = rows
        .into_iter()
        .map(|row| Booking {
            booking_id: row.booking_id,
            code: row.code,
            status: row.status,
            hold_expires_at: row.hold_expires_at,
            show: row.show.info(),
            seats: seats
                .iter()
                .filter(|s| s.booking_id == row.booking_id)
                .map(|s| s.seat.clone())
                .collect(),
            amount: Amount {
                subtotal: row.subtotal_minor,
                convenience_fee: row.convenience_fee_minor,
                tax: row.tax_minor,
                total: row.total_minor,
                currency: row.currency,
            },
            confirmed_at: row.confirmed_at,
            cancelled_at: row.cancelled_at,
            refund_due: row.refund_due_minor,
            created_at: row.created_at,
        })
        .collect();
    bookings.sort_by_key(|b| ids.iter().position(|id| *id == b.booking_id));
    Ok(bookings)
}

/// What a booking page says about a show; `None` when there is no such show.
pub async fn show_info(db: &PgPool, show_id: Uuid) -> Result<Option<BookingShow>, BookingError> {
    let row: Option<ShowRow> = sqlx::query_as(&format!(
        "SELECT {SHOW_COLUMNS} FROM shows s {SHOW_JOINS} WHERE s.id = $1"
    ))
    .bind(show_id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|row| row.info()))
}

/// The user's live hold on a show, if any (for the seat map to pick up where they left off).
pub async fn current_hold(
    db: &PgPool,
    user_id: Uuid,
    show_id: Uuid,
) -> Result<Option<Booking>, BookingError> {
    let id: Option<Uuid> = sqlx::query_scalar(
        "SELECT id FROM bookings
          WHERE user_id = $1 AND show_id = $2 AND status = 'held' AND hold_expires_at > now()",
    )
    .bind(user_id)
    .bind(show_id)
    .fetch_optional(db)
    .await?;
    match id {
        Some(id) => Ok(load(db, &[id]).await?.pop()),
        None => Ok(None),
    }
}

/// What one sweep did.
#[derive(Debug, Default)]
pub struct Sweep {
    pub expired: i64,
    /// How long past its deadline the oldest released hold was.
    pub lag_seconds: f64,
    pub changes: Vec<SeatChange>,
}

/// A show and some of its seats.
type ShowSeats = (Uuid, Vec<Uuid>);

/// Expires up to `batch` holds past their deadline and frees their seats (those not already
/// taken over by a newer hold). Rows another sweeper is working on are skipped, so any number
/// of instances can sweep at once and each hold is expired exactly once.
pub async fn expire_holds(db: &PgPool, batch: i64) -> Result<Sweep, sqlx::Error> {
    let (expired, lag_seconds, changes): (i64, f64, sqlx::types::Json<Vec<ShowSeats>>) =
        sqlx::query_as(
            "WITH due AS (
                SELECT id FROM bookings
                 WHERE status = 'held' AND hold_expires_at < now()
                 ORDER BY hold_expires_at LIMIT $1
                   FOR UPDATE SKIP LOCKED),
             expired AS (
                UPDATE bookings b SET status = 'expired', updated_at = now()
                  FROM due WHERE b.id = due.id
                RETURNING b.id, b.show_id, b.user_id, b.hold_expires_at),
             freed AS (
                UPDATE show_seats ss
                   SET status = 'available', booking_id = NULL, held_until = NULL,
                       version = version + 1, updated_at = now()
                  FROM expired e WHERE ss.booking_id = e.id AND ss.status = 'held'
                RETURNING ss.show_id, ss.seat_id),
             events AS (
                INSERT INTO outbox_events (aggregate_type, aggregate_id, event_type, payload)
                SELECT 'booking', id, 'booking.expired',
                       jsonb_build_object('booking_id', id, 'show_id', show_id, 'user_id', user_id)
                  FROM expired)
             SELECT (SELECT count(*) FROM expired),
                    (SELECT COALESCE(EXTRACT(EPOCH FROM now() - min(hold_expires_at)), 0)::float8 FROM expired),
                    (SELECT COALESCE(json_agg(json_build_array(show_id, seats)), '[]'::json)
                       FROM (SELECT show_id, array_agg(seat_id) AS seats FROM freed GROUP BY show_id) g)",
        )
        .bind(batch)
        .fetch_one(db)
        .await?;
    Ok(Sweep {
        expired,
        lag_seconds,
        changes: changes
            .0
            .into_iter()
            .map(|(show_id, seats)| SeatChange::new(show_id, "available", seats))
            .collect(),
    })
}

/// Sweeps until no expired hold is left, announces the freed seats and records the lag.
pub async fn expire_due_holds(state: &AppState) -> Result<i64, sqlx::Error> {
    let mut total = 0;
    loop {
        let sweep = expire_holds(state.db.primary(), 500).await?;
        // Zero when nothing was due: the gauge says how far behind the sweeper is now.
        metrics::gauge!("district_hold_expiry_lag_seconds").set(sweep.lag_seconds);
        metrics::counter!("district_holds_expired_total").increment(sweep.expired as u64);
        state.live.publish(&sweep.changes).await;
        total += sweep.expired;
        if sweep.expired < 500 {
            return Ok(total);
        }
    }
}

/// The best block of `count` free seats of a show (optionally of one category): centre of the
/// screen, a comfortable distance back.
pub async fn best_seats(
    state: &AppState,
    show_id: Uuid,
    count: usize,
    category: Option<&str>,
) -> Result<Vec<BookedSeat>, BookingError> {
    check_count(count)?;
    let map = crate::catalog::browse::seat_map(state.db.primary(), &state.cache, show_id)
        .await
        .map_err(|err| match err {
            crate::catalog::CatalogError::NotFound => BookingError::NotFound,
            _ => BookingError::Unavailable,
        })?;
    best_in(&map, count, category)
}

/// The same, on a seat map already read.
pub fn best_in(
    map: &SeatMap,
    count: usize,
    category: Option<&str>,
) -> Result<Vec<BookedSeat>, BookingError> {
    check_count(count)?;
    let seats: Vec<rules::Seat> = map
        .seats
        .iter()
        .map(|s| rules::Seat {
            id: s.id,
            label: s.label.clone(),
            grid_row: s.grid_row,
            grid_col: s.grid_col,
            category: s.category.clone(),
            kind: s.kind.clone(),
            price: s.price,
            free: s.status == "available",
            taken: None,
        })
        .collect();
    let best = rules::best_block(&seats, count, category);
    Ok(seats
        .iter()
        .filter(|s| best.contains(&s.id))
        .map(booked_seat)
        .collect())
}

fn check_count(count: usize) -> Result<(), BookingError> {
    if (1..=MAX_SEATS).contains(&count) {
        Ok(())
    } else {
        Err(BookingError::field(
            "count",
            &format!("Ask for 1 to {MAX_SEATS} seats."),
        ))
    }
}

/// Every seat of a show that is held (and not expired) or booked.
pub async fn taken_seats(db: &PgPool, show_id: Uuid) -> Result<SeatSnapshot, BookingError> {
    let seats: Vec<(Uuid, String)> = sqlx::query_as(
        "SELECT seat_id, status FROM show_seats
          WHERE show_id = $1 AND (status = 'booked' OR (status = 'held' AND held_until >= now()))",
    )
    .bind(show_id)
    .fetch_all(db)
    .await?;
    if seats.is_empty() {
        let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM shows WHERE id = $1)")
            .bind(show_id)
            .fetch_one(db)
            .await?;
        if !exists {
            return Err(BookingError::NotFound);
        }
    }
    let pick = |status: &str| {
        seats
            .iter()
            .filter(|(_, s)| s == status)
            .map(|(id, _)| *id)
            .collect()
    };
    Ok(SeatSnapshot {
        show_id,
        held: pick("held"),
        booked: pick("booked"),
    })
}
