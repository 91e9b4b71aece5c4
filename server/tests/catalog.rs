//! The catalog over REST, against the seeded demo data. Long: one test per endpoint, each
//! readable on its own.

mod support;

use http::StatusCode;
use serde_json::Value;
use server::db::MIGRATOR;
use sqlx::PgPool;
use support::{get, Reply};

async fn seeded(db: &PgPool) -> axum::Router {
    support::seed(db).await;
    support::app(db.clone())
}

async fn json(app: &axum::Router, uri: &str) -> Value {
    let reply = get(app, uri, &[]).await;
    assert_eq!(reply.status, StatusCode::OK, "{uri}: {}", reply.body);
    reply.json()
}

async fn city_id(db: &PgPool, slug: &str) -> String {
    sqlx::query_scalar::<_, uuid::Uuid>("SELECT id FROM cities WHERE slug = $1")
        .bind(slug)
        .fetch_one(db)
        .await
        .unwrap()
        .to_string()
}

fn assert_error(reply: &Reply, status: StatusCode, field: &str) {
    assert_eq!(reply.status, status, "{}", reply.body);
    if status == StatusCode::UNPROCESSABLE_ENTITY {
        assert!(
            reply.json()["error"]["fields"][field].is_string(),
            "{field}: {}",
            reply.body
        );
    }
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn cities_and_their_theaters(db: PgPool) {
    let app = seeded(&db).await;
    let cities = json(&app, "/api/v1/cities").await;
    assert_eq!(cities["total"], 7);
    assert_eq!(cities["page"], 1);
    let mumbai = cities["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["slug"] == "mumbai")
        .unwrap();
    assert_eq!(mumbai["time_zone"], "Asia/Kolkata");
    assert_eq!(mumbai["theaters_with_shows"], 5);
    assert!(mumbai["latitude"].as_f64().unwrap() > 18.0);

    let theaters = json(
        &app,
        &format!(
            "/api/v1/theaters?city_id={}",
            mumbai["id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(theaters["items"].as_array().unwrap().len(), 5);
    assert_eq!(theaters["total"], 5);
    let theater = &theaters["items"][0];
    let details = json(
        &app,
        &format!("/api/v1/theaters/{}", theater["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(details["name"], theater["name"]);
    assert!(details["screens"].as_array().unwrap().len() >= 2);
    assert!(details["todays_shows"].is_array());
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn theaters_near_a_point_come_nearest_first(db: PgPool) {
    let app = seeded(&db).await;
    // Bandra, Mumbai: Galaxy Talkies Bandra is on Hill Road, a few hundred metres away.
    let near = json(
        &app,
        "/api/v1/theaters?lat=19.0550&lng=72.8300&radius_km=15",
    )
    .await;
    let near = near["items"].as_array().unwrap();
    assert!(near.len() >= 3, "{near:?}");
    assert_eq!(near[0]["name"], "Galaxy Talkies: Bandra");
    assert!(near[0]["distance_km"].as_f64().unwrap() < 1.0);
    let distances: Vec<f64> = near
        .iter()
        .map(|t| t["distance_km"].as_f64().unwrap())
        .collect();
    assert!(distances.windows(2).all(|w| w[0] <= w[1]), "{distances:?}");
    assert!(distances.iter().all(|d| *d <= 15.0));
    // Nothing in the Gulf of Guinea.
    let none = json(&app, "/api/v1/theaters?lat=0&lng=0&radius_km=10").await;
    // Subnormal coordinates are a point like any other, not a database error.
    let tiny = get(
        &app,
        "/api/v1/theaters?lng=5e-324&per_page=8&city_id=50e465a1-9fd8-5fbd-ad1b-b4872a7196db\
         &page=10216&lat=-2.225073858507e-311",
        &[],
    )
    .await;
    assert_eq!(tiny.status, StatusCode::OK, "{}", tiny.body);
    assert_eq!(none["items"].as_array().unwrap().len(), 0);
    assert_eq!(none["total"], 0);
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn bad_parameters_are_refused_without_a_500(db: PgPool) {
    let app = seeded(&db).await;
    let unknown_city = "00000000-0000-0000-0000-000000000000";
    for (uri, status, field) in [
        (
            format!("/api/v1/theaters?city_id={unknown_city}"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "city_id",
        ),
        (
            "/api/v1/theaters".into(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "city_id",
        ),
        (
            "/api/v1/theaters?lat=19&lng=72&radius_km=-5".into(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "radius_km",
        ),
        (
            "/api/v1/theaters?lat=91&lng=72".into(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "lat",
        ),
        (
            "/api/v1/theaters?city_id=mumbai".into(),
            StatusCode::BAD_REQUEST,
            "",
        ),
        (
            "/api/v1/movies?date=tomorrow".into(),
            StatusCode::BAD_REQUEST,
            "",
        ),
        (
            "/api/v1/movies?page=0".into(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "page",
        ),
        (
            "/api/v1/movies/search?q=".into(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "q",
        ),
        (
            format!("/api/v1/movies/search?q={}", "a".repeat(101)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "q",
        ),
        (
            format!("/api/v1/movies/trending?city_id={unknown_city}"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "city_id",
        ),
        (
            format!("/api/v1/movies/{unknown_city}"),
            StatusCode::NOT_FOUND,
            "",
        ),
        (
            format!("/api/v1/shows/{unknown_city}/seats"),
            StatusCode::NOT_FOUND,
            "",
        ),
        (
            "/api/v1/shows/not-an-id/seats".into(),
            StatusCode::BAD_REQUEST,
            "",
        ),
    ] {
        assert_error(&get(&app, &uri, &[]).await, status, field);
    }
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn movies_filter_by_city_language_genre_format_and_date(db: PgPool) {
    let app = seeded(&db).await;
    let pune = city_id(&db, "pune").await;
    let all = json(&app, &format!("/api/v1/movies?city_id={pune}")).await;
    assert!(all["total"].as_i64().unwrap() > 0);
    assert_eq!(all["page"], 1);
    assert_eq!(all["per_page"], 20);

    let hindi = json(
        &app,
        &format!("/api/v1/movies?city_id={pune}&language=hindi"),
    )
    .await;
    assert!(
        !hindi["items"].as_array().unwrap().is_empty(),
        "Pune has Hindi shows"
    );
    for movie in hindi["items"].as_array().unwrap() {
        assert!(movie["languages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l == "Hindi"));
    }
    let comedy_hindi = json(
        &app,
        &format!("/api/v1/movies?city_id={pune}&language=Hindi&genre=comedy"),
    )
    .await;
    assert!(
        !comedy_hindi["items"].as_array().unwrap().is_empty(),
        "Pune has Hindi comedies"
    );
    for movie in comedy_hindi["items"].as_array().unwrap() {
        assert!(movie["genres"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g == "Comedy"));
    }
    assert!(comedy_hindi["total"].as_i64().unwrap() <= hindi["total"].as_i64().unwrap());
    let expected: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT m.id) FROM movies m JOIN shows s ON s.movie_id = m.id
           JOIN screens sc ON sc.id = s.screen_id JOIN theaters t ON t.id = sc.theater_id JOIN cities c ON c.id = t.city_id
          WHERE c.slug = 'pune' AND s.language = 'Hindi' AND 'Comedy' = ANY(m.genres) AND s.starts_at > now()",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(comedy_hindi["total"], expected, "filters combine");

    let imax = json(&app, "/api/v1/movies?format=IMAX%203D").await;
    assert!(
        !imax["items"].as_array().unwrap().is_empty(),
        "IMAX 3D plays somewhere"
    );
    for movie in imax["items"].as_array().unwrap() {
        let id = movie["id"].as_str().unwrap();
        let shows = json(&app, &format!("/api/v1/shows?movie_id={id}&per_page=100")).await;
        assert!(shows["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["format"] == "IMAX 3D"));
    }
    let far_future = json(&app, "/api/v1/movies?date=2099-01-01").await;
    assert_eq!(far_future["total"], 0);
    let paged = json(&app, "/api/v1/movies?per_page=2&page=2").await;
    assert!(paged["items"].as_array().unwrap().len() <= 2);
    let beyond = json(&app, "/api/v1/movies?per_page=100&page=4294967295").await;
    assert_eq!(beyond["items"], serde_json::json!([]));
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn movie_details_upcoming_and_trending(db: PgPool) {
    let app = seeded(&db).await;
    let upcoming = json(&app, "/api/v1/movies/upcoming").await;
    let upcoming = upcoming["items"].as_array().unwrap();
    assert!(upcoming.len() >= 2);
    let today = chrono::Utc::now().date_naive().to_string();
    assert!(upcoming
        .iter()
        .all(|m| m["release_date"].as_str().unwrap() > today.as_str()));

    let first = &json(&app, "/api/v1/movies").await["items"][0];
    let details = json(
        &app,
        &format!("/api/v1/movies/{}", first["id"].as_str().unwrap()),
    )
    .await;
    for field in [
        "synopsis",
        "runtime_minutes",
        "languages",
        "genres",
        "certificate",
        "release_date",
        "poster_url",
        "trailer_url",
    ] {
        assert!(!details[field].is_null(), "{field}");
    }
    assert_eq!(details["rating_count"], 0);
    assert!(details["rating"].is_null());

    let trending = json(
        &app,
        &format!(
            "/api/v1/movies/trending?city_id={}",
            city_id(&db, "mumbai").await
        ),
    )
    .await;
    let trending = trending["items"].as_array().unwrap();
    assert!(!trending.is_empty());
    assert!(trending.iter().all(|m| m["recent_bookings"] == 0));
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn search_forgives_typos_and_ranks_the_exact_title_first(db: PgPool) {
    let app = seeded(&db).await;
    let items = |found: Value| found["items"].as_array().unwrap().clone();
    let typo = items(json(&app, "/api/v1/movies/search?q=Orbitfal").await);
    assert_eq!(typo[0]["title"], "Orbitfall");
    // A longer title with the same words ranks at least as well on text alone: the exact one
    // still comes first.
    sqlx::query(
        "INSERT INTO movies (slug, title, runtime_minutes, languages, genres, certificate, release_date)
         VALUES ('paper-kites-paper-kites', 'Paper Kites Paper Kites', 110, '{Hindi}', '{Drama}', 'UA', current_date)",
    )
    .execute(&db)
    .await
    .unwrap();
    let exact = items(json(&app, "/api/v1/movies/search?q=Paper%20Kites").await);
    assert!(exact.len() >= 2, "{exact:?}");
    assert_eq!(exact[0]["title"], "Paper Kites");
    assert!(exact
        .iter()
        .any(|m| m["title"] == "Paper Kites Paper Kites"));
    let genre = items(json(&app, "/api/v1/movies/search?q=horror").await);
    assert!(genre.iter().any(|m| m["title"] == "Ghostwriter Gupta"));
    let language = items(json(&app, "/api/v1/movies/search?q=malayalam").await);
    assert!(!language.is_empty());
    assert!(language.iter().all(|m| m["languages"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l == "Malayalam")));
    let nothing = json(&app, "/api/v1/movies/search?q=zzzzqqqq").await;
    assert_eq!(nothing["total"], 0);
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn shows_and_their_seat_maps(db: PgPool) {
    let app = seeded(&db).await;
    let mumbai = city_id(&db, "mumbai").await;
    let shows = json(&app, &format!("/api/v1/shows?city_id={mumbai}")).await;
    assert!(shows["total"].as_i64().unwrap() > 20, "{}", shows["total"]);
    assert_eq!(shows["items"].as_array().unwrap().len(), 20, "a page of 20");
    let show = &shows["items"][0];
    for field in [
        "id",
        "movie_id",
        "theater_id",
        "theater_name",
        "screen_id",
        "screen_name",
        "starts_at",
        "ends_at",
        "language",
        "format",
        "price_min",
        "price_max",
        "currency",
        "availability",
    ] {
        assert!(!show[field].is_null(), "{field}");
    }
    assert_eq!(show["availability"], "available");
    assert!(show["price_min"].as_i64().unwrap() <= show["price_max"].as_i64().unwrap());

    let id = show["id"].as_str().unwrap();
    let map = json(&app, &format!("/api/v1/shows/{id}/seats")).await;
    assert_eq!(map["show_id"], id);
    let seats = map["seats"].as_array().unwrap();
    assert!(seats.len() >= 80);
    assert!(map["layout"]["aisles"].as_array().unwrap().len() == 2);
    assert!(map["categories"].as_array().unwrap().len() >= 3);
    let seat = &seats[0];
    for field in [
        "id", "label", "row", "number", "category", "price", "currency", "kind", "status",
        "grid_row", "grid_col",
    ] {
        assert!(!seat[field].is_null(), "{field}");
    }
    assert!(seats.iter().all(|s| s["status"] == "available"));
    assert!(seats.iter().any(|s| s["kind"] == "wheelchair"));

    // A seat held until a moment ago reads as available; a booked one does not.
    let (seat_a, seat_b): (uuid::Uuid, uuid::Uuid) = (
        seats[0]["id"].as_str().unwrap().parse().unwrap(),
        seats[1]["id"].as_str().unwrap().parse().unwrap(),
    );
    hold(
        &db,
        id.parse().unwrap(),
        seat_a,
        "now() - interval '1 second'",
    )
    .await;
    hold(
        &db,
        id.parse().unwrap(),
        seat_b,
        "now() + interval '10 minutes'",
    )
    .await;
    // A new instance reads the seat states afresh (this one follows changes made through the
    // service, which these writes bypass).
    let fresh = support::app(db.clone());
    let map = json(&fresh, &format!("/api/v1/shows/{id}/seats")).await;
    let status = |seat: uuid::Uuid| {
        map["seats"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == seat.to_string())
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(status(seat_a), "available");
    assert_eq!(status(seat_b), "held");
}

/// Puts one seat on hold until `until` by a throwaway booking of a user without a hold on the
/// show, straight in the database.
async fn hold(db: &PgPool, show: uuid::Uuid, seat: uuid::Uuid, until: &str) {
    sqlx::query(&format!(
        "WITH b AS (
            INSERT INTO bookings (code, user_id, show_id, status, hold_expires_at, seat_count,
                                  subtotal_minor, convenience_fee_minor, tax_minor, total_minor, currency)
            SELECT 'T' || substr(md5(random()::text), 1, 8),
                   (SELECT u.id FROM users u WHERE NOT EXISTS (
                        SELECT 1 FROM bookings o WHERE o.user_id = u.id AND o.show_id = $1
                           AND o.status = 'held') ORDER BY u.id LIMIT 1), $1,
                   'held', {until}, 1, 100, 0, 0, 100, 'INR'
            RETURNING id),
         line AS (
            INSERT INTO booking_seats (booking_id, show_id, seat_id, price_minor, status)
            SELECT id, $1, $2, 100, 'held' FROM b)
         SELECT id FROM b"
    ))
    .bind(show)
    .bind(seat)
    .execute(db)
    .await
    .unwrap();
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn one_review_per_user_and_movie_verified_by_a_booking(db: PgPool) {
    use serde_json::json;
    support::seed(&db).await;
    let state = support::state(db.clone(), None);
    let app = server::router(state.clone());
    let login = support::send(
        &app,
        "POST",
        "/api/v1/auth/login",
        Some(json!({"email": server::seed::DEMO_CUSTOMER, "password": server::seed::DEFAULT_DEMO_PASSWORD})),
        &[],
    )
    .await
    .json();
    let auth = format!("Bearer {}", login["access_token"].as_str().unwrap());
    let movie: uuid::Uuid = sqlx::query_scalar("SELECT id FROM movies WHERE slug = 'orbitfall'")
        .fetch_one(&db)
        .await
        .unwrap();
    let uri = format!("/api/v1/movies/{movie}/reviews");
    let post = |body: Value| {
        let (app, uri, auth) = (app.clone(), uri.clone(), auth.clone());
        async move { support::send(&app, "POST", &uri, Some(body), &[("authorization", &auth)]).await }
    };

    let first = post(json!({"rating": 8, "body": "Gripping from launch to landing."})).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.json()["verified"], false, "no booking, no badge");
    let edited = post(json!({"rating": 9, "body": "Even better the second time."}))
        .await
        .json();
    assert_eq!(edited["id"], first.json()["id"], "the same review, edited");
    assert_eq!(edited["rating"], 9);

    for (body, field) in [
        (json!({"rating": 11}), "rating"),
        (json!({"rating": 0}), "rating"),
        (json!({"rating": 5, "body": "x".repeat(2001)}), "body"),
    ] {
        assert_error(&post(body).await, StatusCode::UNPROCESSABLE_ENTITY, field);
    }
    let anonymous = support::send(&app, "POST", &uri, Some(json!({"rating": 5})), &[]).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);

    let list = json(&app, &uri).await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["body"], "Even better the second time.");
    assert_eq!(list["items"][0]["author"], "Asha Customer");
    let details = json(&app, &format!("/api/v1/movies/{movie}")).await;
    assert_eq!(details["rating"], 9.0);
    assert_eq!(details["rating_count"], 1);
    assert_eq!(
        get(&app, &format!("{uri}?sort=loudest"), &[]).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(json(&app, &format!("{uri}?sort=helpful")).await["total"], 1);

    // Once the author has seen it (a confirmed booking), the review says so.
    let customer: uuid::Uuid = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(server::seed::DEMO_CUSTOMER)
        .fetch_one(&db)
        .await
        .unwrap();
    let (show, seats): (uuid::Uuid, Vec<uuid::Uuid>) = sqlx::query_as(
        "SELECT s.id, (SELECT array_agg(ss.seat_id ORDER BY se.grid_row, se.grid_col)
                         FROM show_seats ss JOIN seats se ON se.id = ss.seat_id
                        WHERE ss.show_id = s.id AND se.kind = 'standard'
                          AND se.grid_row = (SELECT max(grid_row) FROM seats WHERE screen_id = s.screen_id))
           FROM shows s WHERE s.movie_id = $1 AND s.starts_at > now() + interval '1 hour'
          ORDER BY s.starts_at LIMIT 1",
    )
    .bind(movie)
    .fetch_one(&db)
    .await
    .unwrap();
    let request = support::hold_request(show, &seats[..seats.len().min(10)], false);
    let held = state.bookings.hold(customer.into(), &request).await;
    let held = match held {
        Ok(held) => held,
        // The whole back row at once leaves no gap; if the seed's row is longer, take a pair
        // from its end.
        Err(_) => {
            let pair = support::hold_request(show, &seats[seats.len() - 2..], false);
            state.bookings.hold(customer.into(), &pair).await.unwrap()
        }
    };
    let payment = support::venue::paid(&db, held.booking_id.uuid()).await;
    state
        .bookings
        .confirm(held.booking_id, Some(payment))
        .await
        .unwrap();
    let verified = post(json!({"rating": 9, "body": "Seen it: even better."})).await;
    assert_eq!(verified.json()["verified"], true, "{}", verified.body);

    // Other users review it and vote: "most helpful" follows the votes.
    let others = support::venue::customers(&db, 3).await;
    let token = |user: uuid::Uuid| support::bearer(&state, user, app::account::Role::Customer);
    let mut ids = Vec::new();
    for (user, body) in others[..2]
        .iter()
        .zip(["Too long.", "The score is wonderful."])
    {
        let reply = support::send(
            &app,
            "POST",
            &uri,
            Some(json!({"rating": 7, "body": body})),
            &[("authorization", &token(*user))],
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        ids.push(reply.json()["id"].as_str().unwrap().to_owned());
    }
    let mine = first.json()["id"].as_str().unwrap().to_owned();
    let vote = |user: uuid::Uuid, review: &str| {
        let (app, uri, token) = (app.clone(), format!("{uri}/{review}/helpful"), token(user));
        async move { support::send(&app, "POST", &uri, None, &[("authorization", &token)]).await }
    };
    // The score review: two votes, one of them cast twice; the customer's: one.
    assert_eq!(vote(others[2], &ids[1]).await.status, StatusCode::OK);
    assert_eq!(
        vote(others[2], &ids[1]).await.json()["helpful_count"],
        1,
        "once per user"
    );
    assert_eq!(vote(customer, &ids[1]).await.json()["helpful_count"], 2);
    assert_eq!(vote(others[0], &mine).await.json()["helpful_count"], 1);
    assert_error(
        &vote(others[1], &ids[1]).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "review_id",
    );
    let helpful = json(&app, &format!("{uri}?sort=helpful")).await;
    let order: Vec<&str> = helpful["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(order, [ids[1].as_str(), mine.as_str(), ids[0].as_str()]);
    let newest = json(&app, &uri).await;
    assert_eq!(
        newest["items"][0]["id"],
        ids[1].as_str(),
        "newest first by default"
    );
    let stranger = format!("{uri}/{}/helpful", uuid::Uuid::new_v4());
    let missing = support::send(
        &app,
        "POST",
        &stranger,
        None,
        &[("authorization", &token(others[0]))],
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

/// The movie page is cached, yet a review shows on it, with the new rating, as soon as it is
/// posted: a review starts a new catalog generation.
#[sqlx::test(migrator = "MIGRATOR")]
async fn a_new_review_is_on_the_cached_movie_page_at_once(db: PgPool) {
    use serde_json::json;
    support::seed(&db).await;
    let state = support::state(db.clone(), None);
    let app = server::router(state.clone());
    let movie: uuid::Uuid = sqlx::query_scalar("SELECT id FROM movies WHERE slug = 'orbitfall'")
        .fetch_one(&db)
        .await
        .unwrap();
    let page = || async { get(&app, "/movies/orbitfall", &[]).await };
    let before = page().await;
    assert_eq!(before.status, StatusCode::OK);
    assert!(before.body.contains("Not rated yet"), "{}", before.body);
    let customer = support::venue::customers(&db, 1).await[0];
    let token = support::bearer(&state, customer, app::account::Role::Customer);
    let posted = support::send(
        &app,
        "POST",
        &format!("/api/v1/movies/{movie}/reviews"),
        Some(json!({"rating": 7, "body": "The docking scene alone is worth it."})),
        &[("authorization", &token)],
    )
    .await;
    assert_eq!(posted.status, StatusCode::OK, "{}", posted.body);
    let after = page().await;
    assert!(
        after.body.contains("The docking scene alone is worth it."),
        "the review is missing"
    );
    assert!(
        after.body.contains("★ 7.0/10 · 1 rating<"),
        "the rating is stale"
    );
}

/// Seat-map layouts are cached in Redis; a price change through the service is visible on the
/// next read, and losing Redis only means reading the database.
#[sqlx::test(migrator = "MIGRATOR")]
async fn cached_seat_maps_see_price_changes_and_survive_redis_loss(db: PgPool) {
    support::seed(&db).await;
    let redis = support::redis_server::Server::start();
    let conn = server::db::redis(&redis.url()).await.unwrap();
    let state = support::state(db.clone(), Some(conn.clone()));
    let app = server::router(state.clone());
    let show: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM shows ORDER BY starts_at DESC LIMIT 1")
            .fetch_one(&db)
            .await
            .unwrap();
    let uri = format!("/api/v1/shows/{show}/seats");
    let price_of = |map: &Value, category: &str| {
        map["categories"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == category)
            .unwrap()["price"]
            .as_i64()
            .unwrap()
    };

    let before = json(&app, &uri).await;
    let mut conn = conn;
    let cached: bool = redis::cmd("EXISTS")
        .arg(format!("catalog:seat-map:{show}"))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(cached, "the layout is cached");

    // A write that skips the service is not seen while the entry lives: the cache is real.
    sqlx::query("UPDATE show_prices SET price_minor = price_minor + 100 WHERE show_id = $1")
        .bind(show)
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(
        price_of(&json(&app, &uri).await, "Prime"),
        price_of(&before, "Prime")
    );

    let shows_uri = format!(
        "/api/v1/shows?movie_id={}&per_page=100",
        before_movie(&db, show).await
    );
    let listed = |shows: &Value| {
        shows["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == show.to_string())
            .unwrap()["price_max"]
            .clone()
    };
    let listed_before = listed(&json(&app, &shows_uri).await);

    state
        .catalog
        .set_show_price(show.into(), "Prime", 77_700)
        .await
        .unwrap();
    let after = json(&app, &uri).await;
    let listed_after = listed(&json(&app, &shows_uri).await);
    assert_ne!(listed_before, listed_after, "show lists are refreshed too");
    assert_eq!(listed_after, 77_700);
    assert_eq!(
        price_of(&after, "Prime"),
        77_700,
        "visible on the next read"
    );
    let prime_seat = after["seats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["category"] == "Prime")
        .unwrap();
    assert_eq!(prime_seat["price"], 77_700);

    // Seat states follow the holds of every instance: another one holds two seats, and this
    // one's seat map shows them as soon as the announcement lands.
    state.bookings.follow_others(Some(redis.url()));
    state.bookings.live().listening().await;
    let other_conn = server::db::redis(&redis.url()).await.unwrap();
    let other = support::state(db.clone(), Some(other_conn));
    let best = other
        .bookings
        .best_seats(show.into(), 2, None)
        .await
        .unwrap();
    let pair: Vec<uuid::Uuid> = best.iter().map(|s| s.seat_id.uuid()).collect();
    let user = support::venue::customers(&db, 1).await[0];
    let request = support::hold_request(show, &pair, false);
    other.bookings.hold(user.into(), &request).await.unwrap();
    let status_of = |map: Value, seat: uuid::Uuid| {
        map["seats"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == seat.to_string())
            .unwrap()["status"]
            .clone()
    };
    let shows_held = |seat: uuid::Uuid| {
        let (app, uri) = (app.clone(), uri.clone());
        async move { status_of(json(&app, &uri).await, seat) == "held" }
    };
    assert!(
        support::eventually(|| shows_held(pair[0])).await,
        "seen within seconds"
    );
    // A write that bypasses the service is seen once the states are read again.
    let bypass: uuid::Uuid = after["seats"][0]["id"].as_str().unwrap().parse().unwrap();
    hold(&db, show, bypass, "now() + interval '10 minutes'").await;
    assert!(
        support::eventually(|| shows_held(bypass)).await,
        "seen after a refresh"
    );

    drop(redis);
    // Past this instance's own copy, the layout comes from the database.
    tokio::time::sleep(app::cache::LOCAL_TTL).await;
    let without_redis = get(&app, &uri, &[]).await;
    assert_eq!(
        without_redis.status,
        StatusCode::OK,
        "falls back to the database"
    );
    assert_eq!(price_of(&without_redis.json(), "Prime"), 77_700);

    let refused = state.catalog.set_show_price(show.into(), "Prime", 0).await;
    assert!(matches!(
        refused,
        Err(app::catalog::CatalogError::Invalid(_))
    ));
}

async fn before_movie(db: &PgPool, show: uuid::Uuid) -> uuid::Uuid {
    sqlx::query_scalar("SELECT movie_id FROM shows WHERE id = $1")
        .bind(show)
        .fetch_one(db)
        .await
        .unwrap()
}
