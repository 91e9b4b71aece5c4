//! Many clients rushing for the same seats, through the real router against real PostgreSQL
//! (and Redis, including one killed mid-run), each client a task of its own on a runtime with
//! several threads, so races between threads happen too. After every rush the booking
//! invariant is checked in the database. A deliberately naive read-then-write is refused by the
//! schema itself; with the schema's guard dropped, the same rush double-books and the check
//! catches it, which shows the check can fail. Long: the rushes share their harness here.

mod support;

use app::{
    account::Role,
    booking::{seat_filter, BookingError, BookingStatus},
};
use axum::Router;
use chrono::Duration;
use futures_util::future::join_all;
use http::StatusCode;
use serde_json::json;
use server::{db::MIGRATOR, AppState};
use sqlx::PgPool;
use std::{
    collections::HashMap,
    future::Future,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
};
use support::{
    hold_request, redis_server,
    venue::{add_show, customers, invariant_breaches, paid, run_out, venue, Venue},
};
use uuid::Uuid;

const CLIENTS: usize = 200;

/// A test on a runtime of several threads, with a database of its own.
macro_rules! race {
    ($(#[$meta:meta])* async fn $name:ident($db:ident: PgPool) $body:block) => {
        $(#[$meta])*
        #[test]
        fn $name() {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(4)
                .enable_all()
                .build()
                .unwrap()
                .block_on(support::with_database(&MIGRATOR, |$db: PgPool| async move $body));
        }
    };
}

/// What one client got.
#[derive(Debug)]
enum Attempt {
    Won(Vec<Uuid>),
    /// Refused, with the seats it was told are taken.
    Lost(Vec<Uuid>),
    /// Refused by the database itself, naming the constraint.
    Stopped(String),
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

/// Runs every client at once, each on a task of its own, and returns what each asked for and
/// got.
async fn rush<F, Fut>(venue: &Venue, attempt: F) -> Vec<(Vec<Uuid>, Attempt)>
where
    F: Fn(usize, Vec<Uuid>) -> Fut,
    Fut: Future<Output = Attempt> + Send + 'static,
{
    let clients: Vec<_> = (0..CLIENTS)
        .map(|i| {
            let seats = wanted(venue, i);
            let outcome = tokio::spawn(attempt(i, seats.clone()));
            async move { (seats, outcome.await.expect("a client panicked")) }
        })
        .collect();
    join_all(clients).await
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
            Attempt::Stopped(why) | Attempt::Failed(why) => {
                problems.push(format!("client {i}: {why}"))
            }
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

/// One client: the state it asks through and the router it asks.
#[derive(Clone)]
struct Client {
    state: AppState,
    app: Router,
    show: Uuid,
}

impl Client {
    fn new(state: &AppState, venue: &Venue) -> Arc<Self> {
        Arc::new(Self {
            state: state.clone(),
            app: server::router(state.clone()),
            show: venue.show_id,
        })
    }

    async fn hold(self: Arc<Self>, user: Uuid, seats: Vec<Uuid>) -> Attempt {
        let token = support::bearer(&self.state, user, Role::Customer);
        let body = json!({ "show_id": self.show, "seat_ids": seats });
        let reply = support::send(
            &self.app,
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
        // A busy machine can take longer than the seat filter's production limit to answer,
        // and the filter would step aside: these tests are about what it decides.
        &[("REDIS_URL", &redis.url()), ("SEAT_FILTER_TIMEOUT", "1s")],
    );
    (redis, conn, state)
}

async fn arena(db: &PgPool) -> (Venue, Arc<Vec<Uuid>>) {
    (
        venue(db, 6, 12, Duration::days(2)).await,
        Arc::new(customers(db, CLIENTS as i32).await),
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

/// Every client holding through `state`.
async fn rush_through(
    state: &AppState,
    venue: &Venue,
    users: &Arc<Vec<Uuid>>,
) -> Vec<(Vec<Uuid>, Attempt)> {
    let client = Client::new(state, venue);
    rush(venue, |i, seats| client.clone().hold(users[i], seats)).await
}

race! {
async fn a_rush_on_postgresql_alone_holds_every_seat_at_most_once(db: PgPool) {
    let (venue, users) = arena(&db).await;
    let state = support::state(db.clone(), None);
    let unfiltered = support::without_filter(&state);
    let outcomes = rush_through(&unfiltered, &venue, &users).await;
    assert_fair(&outcomes, &problems(&db, &outcomes, true).await);
}
}

race! {
async fn a_rush_through_the_in_process_filter_holds_every_seat_at_most_once(db: PgPool) {
    let (venue, users) = arena(&db).await;
    let state = support::state(db.clone(), None);
    let outcomes = rush_through(&state, &venue, &users).await;
    assert_fair(&outcomes, &problems(&db, &outcomes, true).await);
    // The filter took part: every seat a winner holds is claimed there, against anyone else.
    let filter = state.bookings.filter();
    let mut won = Vec::new();
    for (_, attempt) in &outcomes {
        if let Attempt::Won(seats) = attempt {
            let seats = support::seat_ids(seats);
            let claimed = filter.taken(venue.show_id.into(), &seats, Uuid::new_v4().into()).await;
            assert_eq!(claimed, seats);
            won = seats;
        }
    }
    // And it answers a loser alone: with the database gone, the refusal still names the seats.
    let latecomer = customers(&db, 1).await[0];
    db.close().await;
    let request = hold_request(venue.show_id, &app::ids::uuids(&won), false);
    match state.bookings.hold(latecomer.into(), &request).await {
        Err(BookingError::SeatsUnavailable(mut named)) => {
            named.sort();
            won.sort();
            assert_eq!(named, won);
        }
        other => panic!("not answered by the filter: {other:?}"),
    }
}
}

race! {
async fn a_rush_through_the_redis_filter_holds_every_seat_at_most_once(db: PgPool) {
    let (venue, users) = arena(&db).await;
    let (_redis, conn, state) = with_private_redis(&db).await;
    let outcomes = rush_through(&state, &venue, &users).await;
    assert_fair(&outcomes, &problems(&db, &outcomes, true).await);
    // The filter took part: every held seat has its claim in Redis.
    let claims: Vec<String> = redis::cmd("KEYS")
        .arg(format!("seat:{{{}}}:*", venue.show_id))
        .query_async(&mut conn.clone())
        .await
        .unwrap();
    let held: i64 = sqlx::query_scalar("SELECT count(*) FROM seat_states WHERE status = 'held'")
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
    // Each claim lives as long as the hold it was made for, unless Redis was too slow for a
    // moment: then it lapses within its pending time (its extension was lost) or was learned
    // from a refusal for 2 s.
    let pending = seat_filter::PENDING.as_millis() as i64;
    for claim in &claims {
        let left = ttl(claim.clone()).await;
        assert!(left > 500_000 || (1..=pending).contains(&left), "{claim}: {left} ms");
    }
    // Once Redis answers in time again (the rush may have made it skip a beat), a hold keeps
    // its claims as long as the hold.
    let (calm, fan) = (venue.block(5, 3, 2), customers(&db, 1).await[0]);
    let calm_key = seat_filter::key(venue.show_id.into(), calm[0].into());
    let kept = support::eventually(|| {
        let (state, venue, calm, calm_key) = (&state, &venue, &calm, calm_key.clone());
        async move {
            hold_status(state, venue, fan, calm).await == StatusCode::CREATED
                && ttl(calm_key).await > 500_000
        }
    })
    .await;
    assert!(kept, "a written hold's claims last as long as the hold");
    let orphan = support::seat_ids(&venue.block(5, 1, 2));
    let show = venue.show_id.into();
    state.bookings.filter().claim(show, &orphan, Uuid::new_v4().into()).await;
    let orphaned = ttl(seat_filter::key(show, orphan[0])).await;
    assert!((1..=pending).contains(&orphaned), "{orphaned} ms");
}
}

race! {
async fn killing_redis_mid_rush_neither_oversells_nor_fails_requests(db: PgPool) {
    let (venue, users) = arena(&db).await;
    let (redis, conn, state) = with_private_redis(&db).await;
    let answered = Arc::new(AtomicUsize::new(0));
    let client = Client::new(&state, &venue);
    let clients = rush(&venue, |i, seats| {
        let (client, answered, user) = (client.clone(), answered.clone(), users[i]);
        async move {
            let outcome = client.hold(user, seats).await;
            answered.fetch_add(1, Ordering::SeqCst);
            outcome
        }
    });
    let mut redis = Some(redis);
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
}

/// A hold written the way it must not be: read which seats are free, then write them.
async fn naive_hold(db: PgPool, show: Uuid, user: Uuid, seats: Vec<Uuid>) -> Attempt {
    let free: Vec<Uuid> = sqlx::query_scalar(
        "SELECT seat_id FROM seat_states
          WHERE show_id = $1 AND seat_id = ANY($2) AND status = 'available'",
    )
    .bind(show)
    .bind(&seats)
    .fetch_all(&db)
    .await
    .unwrap();
    if free.len() != seats.len() {
        return Attempt::Lost(seats.into_iter().filter(|s| !free.contains(s)).collect());
    }
    tokio::task::yield_now().await;
    let written = async {
        let mut tx = db.begin().await?;
        let booking: Uuid = sqlx::query_scalar(
            "INSERT INTO bookings (code, user_id, show_id, status, hold_expires_at, seat_count,
                                   subtotal_minor, convenience_fee_minor, tax_minor, total_minor, currency)
             VALUES (substr(md5(random()::text), 1, 10), $1, $2, 'held', now() + interval '10 minutes',
                     $3, $3, 0, 0, $3, 'INR')
             RETURNING id",
        )
        .bind(user)
        .bind(show)
        .bind(seats.len() as i32)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO booking_seats (booking_id, show_id, seat_id, price_minor, status)
             SELECT $1, $2, unnest($3::uuid[]), 1, 'held'",
        )
        .bind(booking)
        .bind(show)
        .bind(&seats)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    };
    match written.await {
        Ok(()) => Attempt::Won(seats),
        Err(err) => match server_constraint(&err) {
            Some(name) => Attempt::Stopped(name),
            None => Attempt::Failed(err.to_string()),
        },
    }
}

fn server_constraint(err: &sqlx::Error) -> Option<String> {
    app::db::constraint(err).map(str::to_owned)
}

race! {
async fn the_schema_refuses_a_naive_read_then_write_and_the_check_catches_it_without(db: PgPool) {
    let (venue, users) = arena(&db).await;
    let show = venue.show_id;
    let naive = |i: usize, seats: Vec<Uuid>| naive_hold(db.clone(), show, users[i], seats);
    let outcomes = rush(&venue, naive).await;
    let stopped: Vec<&String> = outcomes
        .iter()
        .filter_map(|(_, a)| match a {
            Attempt::Stopped(name) => Some(name),
            _ => None,
        })
        .collect();
    assert!(
        !stopped.is_empty() && stopped.iter().all(|c| *c == "booking_seats_one_live_booking"),
        "the database let every naive write through: {outcomes:#?}"
    );
    assert!(invariant_breaches(&db).await.is_empty());

    // The control: without the unique index the same rush sells seats twice, and the check
    // that every other test relies on says so.
    sqlx::query("DELETE FROM outbox_events").execute(&db).await.unwrap();
    sqlx::query("DELETE FROM bookings").execute(&db).await.unwrap();
    sqlx::query("DROP INDEX booking_seats_one_live_booking").execute(&db).await.unwrap();
    let outcomes = rush(&venue, naive).await;
    let problems = problems(&db, &outcomes, true).await;
    assert!(
        problems.iter().any(|p| p.starts_with("seat in two live bookings")),
        "without its guard the naive version double-booked nothing, so the check proves nothing: {problems:#?}"
    );
}
}

race! {
async fn confirming_races_the_sweeper_at_the_deadline(db: PgPool) {
    let venue = venue(&db, 6, 12, Duration::days(2)).await;
    let users = customers(&db, 36).await;
    let state = support::state(db.clone(), None);
    let mut bookings = Vec::new();
    for (i, user) in users.iter().enumerate() {
        let seats = venue.block((i / 6) as i32, 1 + 2 * (i % 6) as i32, 2);
        let request = hold_request(venue.show_id, &seats, true);
        let held = state.bookings.hold((*user).into(), &request).await.unwrap();
        bookings.push(held.booking_id);
    }
    for booking in &bookings {
        paid(&db, booking.uuid()).await;
        run_out(&db, booking.uuid()).await;
    }
    // Each late payment confirms its hold while two sweepers expire what they can.
    let sweepers: Vec<_> = (0..2)
        .map(|_| {
            let state = support::state(db.clone(), None);
            tokio::spawn(async move { state.bookings.expire_due_holds().await.unwrap() })
        })
        .collect();
    let confirms: Vec<_> = bookings
        .iter()
        .map(|booking| {
            let (state, booking, db) = (state.clone(), *booking, db.clone());
            tokio::spawn(async move {
                let payment: Uuid = sqlx::query_scalar("SELECT id FROM payments WHERE booking_id = $1")
                    .bind(booking)
                    .fetch_one(&db)
                    .await
                    .unwrap();
                state.bookings.confirm(booking, Some(payment)).await
            })
        })
        .collect();
    for confirmed in join_all(confirms).await {
        // Nobody else wanted these seats: whether the sweeper came first or not, they are
        // taken back and the booking is confirmed.
        assert_eq!(confirmed.unwrap().unwrap().status, BookingStatus::Confirmed);
    }
    join_all(sweepers).await;
    let events: Vec<(String, i64)> = sqlx::query_as(
        "SELECT event_type, count(*) FROM outbox_events GROUP BY event_type ORDER BY 1",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    let count = |kind: &str| events.iter().find(|(k, _)| k == kind).map_or(0, |(_, n)| *n);
    assert_eq!(count("booking.confirmed"), 36, "{events:?}");
    assert!(count("booking.expired") <= 36, "each expired once at most: {events:?}");
    let booked: i64 = sqlx::query_scalar("SELECT count(*) FROM seat_states WHERE status = 'booked'")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(booked, 72);
    assert!(invariant_breaches(&db).await.is_empty());
}
}

race! {
async fn a_late_payment_and_a_rival_hold_never_both_win_the_seats(db: PgPool) {
    let venue = venue(&db, 6, 12, Duration::days(2)).await;
    let users = customers(&db, 72).await;
    let unfiltered = || {
        support::without_filter(&support::state(db.clone(), None))
    };
    let holder = unfiltered();
    let mut pairs = Vec::new();
    for i in 0..36 {
        let seats = venue.block((i / 6) as i32, 1 + 2 * (i % 6) as i32, 2);
        let request = hold_request(venue.show_id, &seats, true);
        let held = holder.bookings.hold(users[i].into(), &request).await.unwrap();
        let payment = paid(&db, held.booking_id.uuid()).await;
        run_out(&db, held.booking_id.uuid()).await;
        pairs.push((held.booking_id, payment, users[36 + i], request));
    }
    // The rivals ask another instance, which reads the seats after their holds ran out: free.
    let rivals = unfiltered();
    let races: Vec<_> = pairs
        .into_iter()
        .map(|(booking, payment, rival, request)| {
            let (holder, rivals) = (holder.clone(), rivals.clone());
            tokio::spawn(async move {
                let confirm = holder.bookings.confirm(booking, Some(payment));
                let hold = rivals.bookings.hold(rival.into(), &request);
                let (confirmed, held) = tokio::join!(confirm, hold);
                (confirmed.is_ok(), held.is_ok(), confirmed, held)
            })
        })
        .collect();
    for outcome in join_all(races).await {
        let (confirmed, held, c, h) = outcome.unwrap();
        assert!(confirmed != held, "exactly one gets the seats: {c:?} / {h:?}");
        if !confirmed {
            assert!(matches!(c, Err(BookingError::SeatsUnavailable(_))), "{c:?}");
        }
        if !held {
            assert!(matches!(h, Err(BookingError::SeatsUnavailable(_))), "{h:?}");
        }
    }
    assert!(invariant_breaches(&db).await.is_empty());
}
}

race! {
async fn one_user_holding_from_two_tabs_keeps_one_hold(db: PgPool) {
    let venue = venue(&db, 6, 12, Duration::days(2)).await;
    let users = customers(&db, 20).await;
    let state = support::state(db.clone(), None);
    let tabs: Vec<_> = users
        .iter()
        .enumerate()
        .flat_map(|(i, user)| {
            let row = (i % 6) as i32;
            [1, 7].map(|from| {
                let seats = venue.block(row, from + 2 * (i / 6) as i32 % 6, 2);
                let (state, request, user) = (state.clone(), hold_request(venue.show_id, &seats, true), *user);
                tokio::spawn(async move { state.bookings.hold(user.into(), &request).await })
            })
        })
        .collect();
    for tab in join_all(tabs).await {
        match tab.unwrap() {
            Ok(_) | Err(BookingError::SeatsUnavailable(_)) => {}
            Err(err) => panic!("a tab failed: {err:?}"),
        }
    }
    let holds: Vec<(Uuid, i64)> = sqlx::query_as(
        "SELECT user_id, count(*) FROM bookings
          WHERE booking_state(status, hold_expires_at) = 'held' GROUP BY user_id",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert!(holds.iter().all(|(_, n)| *n == 1), "{holds:?}");
    assert!(invariant_breaches(&db).await.is_empty());
}
}

/// Holds `seats` for `user` through `state`, returning the HTTP status.
async fn hold_status(state: &AppState, venue: &Venue, user: Uuid, seats: &[Uuid]) -> StatusCode {
    let request = hold_request(venue.show_id, seats, false);
    match state.bookings.hold(user.into(), &request).await {
        Ok(_) => StatusCode::CREATED,
        Err(err) => axum::response::IntoResponse::into_response(err).status(),
    }
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn refusals_teach_a_filter_that_lost_its_claims(db: PgPool) {
    let venue = venue(&db, 6, 12, Duration::days(2)).await;
    let users = customers(&db, 3).await;
    let seats = venue.block(2, 1, 2);
    let show = venue.show_id.into();
    let (_redis, conn, with_redis) = with_private_redis(&db).await;
    assert_eq!(
        hold_status(&with_redis, &venue, users[0], &seats).await,
        StatusCode::CREATED
    );

    // Redis comes back empty: the refusal teaches Redis whose the seats are, briefly.
    let _: () = redis::cmd("FLUSHALL")
        .query_async(&mut conn.clone())
        .await
        .unwrap();
    assert_eq!(
        hold_status(&with_redis, &venue, users[1], &seats).await,
        StatusCode::CONFLICT
    );
    let key = seat_filter::key(show, seats[0].into());
    let (owner, ttl): (Option<String>, i64) = redis::pipe()
        .get(&key)
        .pttl(&key)
        .query_async(&mut conn.clone())
        .await
        .unwrap();
    assert_eq!(owner, Some(users[0].to_string()));
    assert!((1..=2000).contains(&ttl), "remembered for {ttl} ms");
    let as_ids = support::seat_ids(&seats);
    assert_eq!(
        with_redis
            .bookings
            .filter()
            .taken(show, &as_ids, users[2].into())
            .await,
        as_ids
    );
    // The holder is still free to change their own hold.
    let more = venue.block(2, 1, 4);
    assert_eq!(
        hold_status(&with_redis, &venue, users[0], &more).await,
        StatusCode::CREATED
    );

    // A new instance without Redis starts with no claims and learns the same way.
    let fresh = support::state(db.clone(), None);
    let more_ids = support::seat_ids(&more);
    assert!(fresh
        .bookings
        .filter()
        .taken(show, &more_ids, users[2].into())
        .await
        .is_empty());
    assert_eq!(
        hold_status(&fresh, &venue, users[1], &more).await,
        StatusCode::CONFLICT
    );
    assert_eq!(
        fresh
            .bookings
            .filter()
            .taken(show, &more_ids, users[2].into())
            .await,
        more_ids
    );
    assert!(invariant_breaches(&db).await.is_empty());
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_pending_claim_makes_rivals_wait_never_refuses_them_for_nothing(db: PgPool) {
    let venue = venue(&db, 6, 12, Duration::days(2)).await;
    let users = customers(&db, 3).await;
    let show = venue.show_id.into();
    let (_redis, _, with_redis) = with_private_redis(&db).await;
    for (row, state) in [(2, support::state(db.clone(), None)), (4, with_redis)] {
        let filter = state.bookings.filter();
        let wait_for = |user: Uuid, seats: Vec<Uuid>| {
            let (state, venue) = (state.clone(), venue.clone());
            tokio::spawn(async move { hold_status(&state, &venue, user, &seats).await })
        };
        // Someone's hold is being written; it fails. The rival who waited gets the seats.
        let seats = venue.block(row, 1, 2);
        let ids = support::seat_ids(&seats);
        let writing = filter.claim(show, &ids, users[0].into()).await;
        assert_eq!(writing, seat_filter::Admission::Claimed);
        let rival = wait_for(users[1], seats.clone());
        // Long enough for the rival to reach its claim (refused at once by the old filter),
        // well short of the second it waits.
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        filter.release(show, &ids, users[0].into()).await;
        assert_eq!(rival.await.unwrap(), StatusCode::CREATED, "row {row}");
        // A claim whose writer died holds a rival up for a moment, then PostgreSQL decides.
        let seats = venue.block(row + 1, 1, 2);
        filter
            .claim(show, &support::seat_ids(&seats), users[0].into())
            .await;
        assert_eq!(
            wait_for(users[2], seats).await.unwrap(),
            StatusCode::CREATED,
            "row {}",
            row + 1
        );
    }
    assert!(invariant_breaches(&db).await.is_empty());
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_written_hold_keeps_its_claims_and_gives_back_only_its_own(db: PgPool) {
    let venue = venue(&db, 6, 12, Duration::days(2)).await;
    let users = customers(&db, 3).await;
    let show = venue.show_id.into();
    let (alice, bob, carol) = (users[0].into(), users[1].into(), users[2].into());
    let hold = std::time::Duration::from_secs(600);
    let (_redis, _, with_redis) = with_private_redis(&db).await;
    for (row, state) in [(2, support::state(db.clone(), None)), (4, with_redis)] {
        let filter = state.bookings.filter();
        let ids = support::seat_ids(&venue.block(row, 1, 4));
        // Alice's earlier hold has the first seat, Bob's the second; Alice's new hold claims
        // the other two.
        for (seats, owner) in [(&ids[..1], alice), (&ids[1..2], bob)] {
            filter.claim(show, seats, owner).await;
            filter.settle(show, seats, &[], owner, hold).await;
        }
        let writing = filter.claim(show, &ids[2..], alice).await;
        assert_eq!(writing, seat_filter::Admission::Claimed, "row {row}");
        // Written, replacing her earlier one: the new seats are hers for the hold (no longer
        // pending), and of the seats given up only hers go.
        filter.settle(show, &ids[2..], &ids[..2], alice, hold).await;
        assert_eq!(filter.taken(show, &ids, carol).await, ids[1..], "row {row}");
    }
}

race! {
/// Holds on many shows at once are written together (fewer transactions than holds), each
/// answered for its own show: shows on one screen share seat ids, and each hold that replaces
/// an earlier one frees exactly that show's seats, so other users can take them at once.
async fn holds_on_many_shows_at_once_are_written_together_each_for_its_show(db: PgPool) {
    const SHOWS: i64 = 12;
    let venue = venue(&db, 6, 12, Duration::days(2)).await;
    let mut shows = vec![venue.show_id];
    for i in 1..SHOWS {
        shows.push(add_show(&db, &venue, Duration::days(2) + Duration::hours(3 * i)).await);
    }
    let users = customers(&db, 2 * SHOWS as i32).await;
    let state = support::state(db.clone(), None);
    let (first, second) = (venue.block(1, 3, 2), venue.block(3, 3, 2));
    let rush = |holders: &[Uuid], seats: &[Uuid]| {
        join_all(holders.iter().zip(&shows).map(|(user, show)| {
            let (state, request, user) = (state.clone(), hold_request(*show, seats, false), *user);
            tokio::spawn(async move { state.bookings.hold(user.into(), &request).await })
        }))
    };
    let (early, late) = users.split_at(SHOWS as usize);
    for (holders, seats) in [(early, &first), (early, &second), (late, &first)] {
        for held in rush(holders, seats).await {
            let held = held.unwrap();
            assert!(held.is_ok(), "{held:?}");
        }
    }
    // The live holds, written by the last two rushes and never changed since.
    let (holds, transactions): (i64, i64) = sqlx::query_as(
        "SELECT count(*), count(DISTINCT xmin::text) FROM bookings WHERE status = 'held'",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(holds, 2 * SHOWS);
    assert!(transactions < holds, "{holds} holds in {transactions} transactions");
    assert!(invariant_breaches(&db).await.is_empty());
}
}
