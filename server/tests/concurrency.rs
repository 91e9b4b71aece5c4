//! Many clients rushing for the same seats, through the real router against real PostgreSQL
//! (and Redis, including one killed mid-run). After every rush the booking invariant is checked
//! in the database; a deliberately naive read-then-write shows that the check catches a
//! double booking when there is one.

mod support;

use app::{account::Role, booking::lock::SeatLock, state::AppState};
use axum::Router;
use chrono::Duration;
use futures_util::future::join_all;
use http::StatusCode;
use serde_json::json;
use server::db::MIGRATOR;
use sqlx::PgPool;
use std::{
    collections::HashMap,
    future::Future,
    sync::atomic::{AtomicUsize, Ordering},
};
use support::{
    redis_server,
    venue::{customers, invariant_breaches, venue, Venue},
};
use uuid::Uuid;

const CLIENTS: usize = 200;

/// What one client got.
#[derive(Debug)]
enum Attempt {
    Won(Vec<Uuid>),
    /// Refused, with the seats it was told are taken.
    Lost(Vec<Uuid>),
    Failed(String),
}

/// Client `i` asks for one or two pairs of adjacent seats in rows B to D. Pairs start at odd
/// seat numbers on either side of the aisle, so no request can leave a single-seat gap and
/// every refusal is about seats being taken. Requests overlap heavily: 36 pairs, 200 clients.
fn wanted(venue: &Venue, i: usize) -> Vec<Uuid> {
    let pairs = 1 + i % 2;
    let side = (i / 3) % 2;
    let first = ((i * 7) / 6) % (4 - pairs);
    let from = 1 + 6 * side + 2 * first;
    venue.block(1 + (i % 3) as i32, from as i32, 2 * pairs as i32)
}

/// Runs every client at once and returns what each asked for and got.
async fn rush<F, Fut>(venue: &Venue, attempt: F) -> Vec<(Vec<Uuid>, Attempt)>
where
    F: Fn(usize, Vec<Uuid>) -> Fut,
    Fut: Future<Output = Attempt>,
{
    join_all((0..CLIENTS).map(|i| {
        let seats = wanted(venue, i);
        let outcome = attempt(i, seats.clone());
        async move { (seats, outcome.await) }
    }))
    .await
}

/// Everything wrong with a rush's outcome: answers that are neither a hold nor a refusal
/// naming taken seats, a seat won twice, and any breach of the invariant in the database.
async fn problems(db: &PgPool, outcomes: &[(Vec<Uuid>, Attempt)], strict: bool) -> Vec<String> {
    let mut problems = Vec::new();
    let mut winner_of: HashMap<Uuid, usize> = HashMap::new();
    for (i, (asked, attempt)) in outcomes.iter().enumerate() {
        match attempt {
            Attempt::Won(seats) => {
                for seat in seats {
                    if let Some(other) = winner_of.insert(*seat, i) {
                        problems.push(format!("seat {seat} won by clients {other} and {i}"));
                    }
                }
            }
            Attempt::Lost(taken) => {
                if taken.is_empty() || taken.iter().any(|s| !asked.contains(s)) {
                    problems.push(format!(
                        "client {i} was refused without naming its taken seats"
                    ));
                }
            }
            Attempt::Failed(why) => problems.push(format!("client {i}: {why}")),
        }
    }
    if strict {
        // Nobody let go of anything: every seat named as taken is held by a winner.
        for (i, (_, attempt)) in outcomes.iter().enumerate() {
            if let Attempt::Lost(taken) = attempt {
                if let Some(seat) = taken.iter().find(|s| !winner_of.contains_key(s)) {
                    problems.push(format!(
                        "client {i} was told {seat} is taken, but nobody won it"
                    ));
                }
            }
        }
    }
    problems.extend(invariant_breaches(db).await);
    problems
}

async fn over_http(
    state: &AppState,
    app: &Router,
    venue: &Venue,
    user: Uuid,
    seats: Vec<Uuid>,
) -> Attempt {
    let token = format!("Bearer {}", state.jwt.issue(user, Role::Customer));
    let body = json!({ "show_id": venue.show_id, "seat_ids": seats });
    let reply = support::send(
        app,
        "POST",
        "/api/v1/bookings/hold",
        Some(body),
        &[("authorization", &token)],
    )
    .await;
    let json = serde_json::from_str::<serde_json::Value>(&reply.body).unwrap_or_default();
    let list = |value: &serde_json::Value| -> Vec<Uuid> {
        value
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|v| v.as_str().or_else(|| v["seat_id"].as_str()))
                    .filter_map(|s| s.parse().ok())
                    .collect()
            })
            .unwrap_or_default()
    };
    match reply.status {
        StatusCode::CREATED => Attempt::Won(list(&json["seats"])),
        StatusCode::CONFLICT if json["error"]["code"] == "seats_unavailable" => {
            Attempt::Lost(list(&json["error"]["unavailable_seat_ids"]))
        }
        status => Attempt::Failed(format!("{status}: {}", reply.body)),
    }
}

/// An instance whose Redis is a server of the test's own, which it may kill.
async fn with_private_redis(
    db: &PgPool,
) -> (
    redis_server::Server,
    redis::aio::ConnectionManager,
    AppState,
) {
    let redis = redis_server::Server::start();
    let conn = server::db::redis(&redis.url()).await.unwrap();
    let state = support::state_with(
        db.clone(),
        Some(conn.clone()),
        &[("REDIS_URL", &redis.url())],
    );
    (redis, conn, state)
}

async fn arena(db: &PgPool) -> (Venue, Vec<Uuid>) {
    (
        venue(db, 6, 12, Duration::days(2)).await,
        customers(db, CLIENTS as i32).await,
    )
}

fn assert_fair(outcomes: &[(Vec<Uuid>, Attempt)], problems: &[String]) {
    assert!(problems.is_empty(), "{problems:#?}");
    let won = outcomes
        .iter()
        .filter(|(_, a)| matches!(a, Attempt::Won(_)))
        .count();
    let lost = outcomes
        .iter()
        .filter(|(_, a)| matches!(a, Attempt::Lost(_)))
        .count();
    assert!(
        won > 0 && lost > 0,
        "a real contest: {won} won, {lost} lost"
    );
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_rush_on_postgresql_alone_holds_every_seat_at_most_once(db: PgPool) {
    let (venue, users) = arena(&db).await;
    let mut state = support::state(db.clone(), None);
    state.seat_lock = SeatLock::off();
    let app = server::router(state.clone());
    let outcomes = rush(&venue, |i, seats| {
        over_http(&state, &app, &venue, users[i], seats)
    })
    .await;
    assert_fair(&outcomes, &problems(&db, &outcomes, true).await);
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_rush_through_the_in_process_filter_holds_every_seat_at_most_once(db: PgPool) {
    let (venue, users) = arena(&db).await;
    let state = support::state(db.clone(), None);
    let app = server::router(state.clone());
    let outcomes = rush(&venue, |i, seats| {
        over_http(&state, &app, &venue, users[i], seats)
    })
    .await;
    assert_fair(&outcomes, &problems(&db, &outcomes, true).await);
    // The filter took part: every seat a winner holds is claimed there, against anyone else.
    let mut won = Vec::new();
    for (_, attempt) in &outcomes {
        if let Attempt::Won(seats) = attempt {
            let claimed = state
                .seat_lock
                .taken(venue.show_id, seats, Uuid::new_v4())
                .await;
            assert_eq!(&claimed, seats);
            won = seats.clone();
        }
    }
    // And it answers a loser alone: with the database gone, the refusal still names the seats.
    let latecomer = customers(&db, 1).await[0];
    db.close().await;
    let request = app::booking::engine::HoldRequest {
        show_id: venue.show_id,
        seat_ids: won.clone(),
        wheelchair: false,
    };
    match app::booking::engine::hold(&state, latecomer, &request).await {
        Err(app::booking::BookingError::SeatsUnavailable(named)) => {
            assert_eq!(sorted(named), sorted(won));
        }
        other => panic!("not answered by the filter: {other:?}"),
    }
}

fn sorted(mut ids: Vec<Uuid>) -> Vec<Uuid> {
    ids.sort();
    ids
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_rush_through_the_redis_filter_holds_every_seat_at_most_once(db: PgPool) {
    let (venue, users) = arena(&db).await;
    let (_redis, conn, state) = with_private_redis(&db).await;
    let app = server::router(state.clone());
    let outcomes = rush(&venue, |i, seats| {
        over_http(&state, &app, &venue, users[i], seats)
    })
    .await;
    assert_fair(&outcomes, &problems(&db, &outcomes, true).await);
    // The filter took part: every held seat has its claim in Redis.
    let claims: Vec<String> = redis::cmd("KEYS")
        .arg(format!("seat:{{{}}}:*", venue.show_id))
        .query_async(&mut conn.clone())
        .await
        .unwrap();
    let held: i64 = sqlx::query_scalar("SELECT count(*) FROM show_seats WHERE status = 'held'")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(claims.len() as i64, held);
    // A written hold keeps its claims as long as the hold; a claim with no hold behind it
    // (its process died before writing) lapses soon.
    let ttl = |key: String| {
        let mut conn = conn.clone();
        async move {
            redis::cmd("PTTL")
                .arg(key)
                .query_async::<i64>(&mut conn)
                .await
                .unwrap()
        }
    };
    assert!(ttl(claims[0].clone()).await > 500_000);
    let orphan = venue.block(5, 1, 2);
    state
        .seat_lock
        .claim(venue.show_id, &orphan, Uuid::new_v4())
        .await;
    let pending = ttl(app::booking::lock::key(venue.show_id, orphan[0])).await;
    assert!(
        (1..=app::booking::lock::PENDING.as_millis() as i64).contains(&pending),
        "{pending} ms"
    );
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn killing_redis_mid_rush_neither_oversells_nor_fails_requests(db: PgPool) {
    let (venue, users) = arena(&db).await;
    let (redis, conn, state) = with_private_redis(&db).await;
    let app = server::router(state.clone());
    let answered = AtomicUsize::new(0);
    let mut redis = Some(redis);
    let clients = rush(&venue, |i, seats| {
        let (state, app, venue, answered, user) = (&state, &app, &venue, &answered, users[i]);
        async move {
            let outcome = over_http(state, app, venue, user, seats).await;
            answered.fetch_add(1, Ordering::SeqCst);
            outcome
        }
    });
    let killer = async {
        while answered.load(Ordering::SeqCst) < CLIENTS / 4 {
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
        let claims: Vec<String> = redis::cmd("KEYS")
            .arg("seat:*")
            .query_async(&mut conn.clone())
            .await
            .unwrap_or_default();
        drop(redis.take());
        (answered.load(Ordering::SeqCst), claims.len())
    };
    let (outcomes, (answered_before_kill, claims_before_kill)) = tokio::join!(clients, killer);
    assert!(
        answered_before_kill < CLIENTS,
        "killed while requests were in flight"
    );
    assert!(claims_before_kill > 0, "Redis took part before it died");
    assert_fair(&outcomes, &problems(&db, &outcomes, false).await);
}

/// A hold written the way it must not be: read which seats are free, then write them.
async fn naive_hold(db: &PgPool, venue: &Venue, user: Uuid, seats: Vec<Uuid>) -> Attempt {
    let free: Vec<Uuid> = sqlx::query_scalar(
        "SELECT seat_id FROM show_seats WHERE show_id = $1 AND seat_id = ANY($2) AND status = 'available'",
    )
    .bind(venue.show_id)
    .bind(&seats)
    .fetch_all(db)
    .await
    .unwrap();
    if free.len() != seats.len() {
        return Attempt::Lost(seats.into_iter().filter(|s| !free.contains(s)).collect());
    }
    tokio::task::yield_now().await;
    let mut tx = db.begin().await.unwrap();
    let booking: Uuid = sqlx::query_scalar(
        "INSERT INTO bookings (code, user_id, show_id, status, hold_expires_at, seat_count,
                               subtotal_minor, convenience_fee_minor, tax_minor, total_minor, currency)
         VALUES (substr(md5(random()::text), 1, 10), $1, $2, 'held', now() + interval '10 minutes',
                 $3, 0, 0, 0, 0, 'INR')
         RETURNING id",
    )
    .bind(user)
    .bind(venue.show_id)
    .bind(seats.len() as i32)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "UPDATE show_seats SET status = 'held', booking_id = $3, held_until = now() + interval '10 minutes'
          WHERE show_id = $1 AND seat_id = ANY($2)",
    )
    .bind(venue.show_id)
    .bind(&seats)
    .bind(booking)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO booking_seats (booking_id, show_id, seat_id, price_minor)
         SELECT $1, $2, unnest($3::uuid[]), 1",
    )
    .bind(booking)
    .bind(venue.show_id)
    .bind(&seats)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    Attempt::Won(seats)
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn the_check_catches_a_naive_read_then_write(db: PgPool) {
    let (venue, users) = arena(&db).await;
    let outcomes = rush(&venue, |i, seats| naive_hold(&db, &venue, users[i], seats)).await;
    let problems = problems(&db, &outcomes, true).await;
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("seat in two live bookings")),
        "the naive version double-booked nothing, so the harness proves nothing: {problems:#?}"
    );
}

/// Holds `seats` for `user` through `state`, returning the HTTP status.
async fn hold_status(state: &AppState, venue: &Venue, user: Uuid, seats: &[Uuid]) -> StatusCode {
    let request = app::booking::engine::HoldRequest {
        show_id: venue.show_id,
        seat_ids: seats.to_vec(),
        wheelchair: false,
    };
    match app::booking::engine::hold(state, user, &request).await {
        Ok(_) => StatusCode::CREATED,
        Err(err) => axum::response::IntoResponse::into_response(err).status(),
    }
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn refusals_teach_a_filter_that_lost_its_claims(db: PgPool) {
    let venue = venue(&db, 6, 12, Duration::days(2)).await;
    let users = customers(&db, 3).await;
    let seats = venue.block(2, 1, 2);
    let (_redis, conn, with_redis) = with_private_redis(&db).await;
    assert_eq!(
        hold_status(&with_redis, &venue, users[0], &seats).await,
        StatusCode::CREATED
    );

    // Redis comes back empty: PostgreSQL refuses, and Redis learns whose the seats are, briefly.
    let _: () = redis::cmd("FLUSHALL")
        .query_async(&mut conn.clone())
        .await
        .unwrap();
    assert_eq!(
        hold_status(&with_redis, &venue, users[1], &seats).await,
        StatusCode::CONFLICT
    );
    let key = app::booking::lock::key(venue.show_id, seats[0]);
    let (owner, ttl): (Option<String>, i64) = redis::pipe()
        .get(&key)
        .pttl(&key)
        .query_async(&mut conn.clone())
        .await
        .unwrap();
    assert_eq!(owner, Some(users[0].to_string()));
    assert!((1..=2000).contains(&ttl), "remembered for {ttl} ms");
    assert_eq!(
        with_redis
            .seat_lock
            .taken(venue.show_id, &seats, users[2])
            .await,
        seats
    );
    // The holder is still free to change their own hold.
    let more = venue.block(2, 1, 4);
    assert_eq!(
        hold_status(&with_redis, &venue, users[0], &more).await,
        StatusCode::CREATED
    );

    // A new instance without Redis starts with no claims and learns the same way.
    let fresh = support::state(db.clone(), None);
    assert!(fresh
        .seat_lock
        .taken(venue.show_id, &more, users[2])
        .await
        .is_empty());
    assert_eq!(
        hold_status(&fresh, &venue, users[1], &more).await,
        StatusCode::CONFLICT
    );
    assert_eq!(
        fresh.seat_lock.taken(venue.show_id, &more, users[2]).await,
        more
    );
    assert!(invariant_breaches(&db).await.is_empty());
}
