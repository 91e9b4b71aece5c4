//! Pages render on the server with real data; health endpoints tell the truth. Long: one test
//! per page or endpoint, each readable on its own.

mod support;

use http::StatusCode;
use server::db::MIGRATOR;
use sqlx::PgPool;
use support::{app, get, seed};

async fn now_showing_titles(db: &PgPool, city: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT DISTINCT m.title FROM movies m JOIN shows s ON s.movie_id = m.id
           JOIN screens sc ON sc.id = s.screen_id JOIN theaters t ON t.id = sc.theater_id
           JOIN cities c ON c.id = t.city_id
          WHERE c.slug = $1 AND s.starts_at > now()",
    )
    .bind(city)
    .fetch_all(db)
    .await
    .unwrap()
}

/// The page's text with the usual HTML entities decoded.
fn text_of(html: &str) -> String {
    html.replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn home_lists_movies_now_showing_server_side(db: PgPool) {
    seed(&db).await;
    let app = app(db.clone());
    let page = get(&app, "/", &[]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(
        page.body
            .contains("<title>Movies in Mumbai · District</title>"),
        "title in the head"
    );
    assert!(page.body.contains(r#"<meta name="description""#));
    let titles = now_showing_titles(&db, "mumbai").await;
    assert!(!titles.is_empty());
    let text = text_of(&page.body);
    for title in &titles {
        assert!(
            text.contains(&format!(">{title}<")),
            "{title} missing from the page"
        );
    }
    let upcoming: String =
        sqlx::query_scalar("SELECT title FROM movies WHERE release_date > current_date LIMIT 1")
            .fetch_one(&db)
            .await
            .unwrap();
    let (now_showing, coming) = page
        .body
        .split_once(r#"id="upcoming""#)
        .expect("a coming-soon section");
    assert!(
        !now_showing.contains(&upcoming),
        "upcoming movies are not 'now showing'"
    );
    assert!(coming.contains(&upcoming), "but they are coming soon");
    assert!(
        page.body.contains("/pkg/district.js") || page.body.contains("/pkg/district.wasm"),
        "hydration scripts"
    );
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn chosen_city_is_remembered_in_a_cookie(db: PgPool) {
    seed(&db).await;
    let app = app(db);
    let page = get(&app, "/?city=pune", &[]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page
        .body
        .contains("<title>Movies in Pune · District</title>"));
    let cookie = page.headers["set-cookie"].to_str().unwrap();
    assert!(
        cookie.starts_with("city=pune;") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );

    let page = get(&app, "/", &[("cookie", "theme=dark; city=pune")]).await;
    assert!(page
        .body
        .contains("<title>Movies in Pune · District</title>"));
    assert!(
        page.headers.get("set-cookie").is_none(),
        "nothing new to remember"
    );
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn unknown_city_falls_back_without_error(db: PgPool) {
    seed(&db).await;
    let app = app(db);
    for uri in ["/?city=atlantis", "/?city=%3Cscript%3E", "/?city="] {
        let page = get(&app, uri, &[]).await;
        assert_eq!(page.status, StatusCode::OK, "{uri}");
        assert!(
            page.body
                .contains("<title>Movies in Mumbai · District</title>"),
            "{uri}"
        );
        assert!(page.headers.get("set-cookie").is_none(), "{uri}");
    }
    let page = get(&app, "/", &[("cookie", "city=atlantis")]).await;
    assert!(page.body.contains("Movies in Mumbai"));
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn empty_catalog_shows_an_empty_state(db: PgPool) {
    let app = app(db);
    let page = get(&app, "/", &[]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("No shows scheduled"));
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn unknown_pages_are_404_with_a_way_back(db: PgPool) {
    let page = get(&app(db), "/no/such/page", &[]).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("Page not found"));
    assert!(page.body.contains(r#"href="/""#));
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn posters_are_generated_per_movie(db: PgPool) {
    seed(&db).await;
    let app = app(db);
    let poster = get(&app, "/posters/orbitfall.svg", &[]).await;
    assert_eq!(poster.status, StatusCode::OK);
    assert_eq!(poster.headers["content-type"], "image/svg+xml");
    assert!(poster.body.starts_with("<svg") && poster.body.contains("Orbitfall"));
    assert_eq!(
        get(&app, "/posters/nope.svg", &[]).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&app, "/posters/orbitfall.png", &[]).await.status,
        StatusCode::NOT_FOUND
    );
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn every_response_carries_a_request_id(db: PgPool) {
    let app = app(db);
    let fresh = get(&app, "/healthz", &[]).await;
    assert_eq!(fresh.status, StatusCode::OK);
    assert_eq!(fresh.body, "ok");
    assert_eq!(fresh.headers["x-request-id"].len(), 36, "a generated UUID");
    let kept = get(&app, "/healthz", &[("x-request-id", "req-123")]).await;
    assert_eq!(kept.headers["x-request-id"], "req-123");
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn ready_when_migrated(db: PgPool) {
    let ready = support::get_as_operator(&app(db), "/readyz").await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.body);
    let body: serde_json::Value = serde_json::from_str(&ready.body).unwrap();
    assert_eq!(body["checks"]["database"], "ok");
    assert_eq!(body["checks"]["migrations"], "ok");
    assert_eq!(body["checks"]["redis"], "not configured");
}

#[sqlx::test(migrations = false)]
async fn not_ready_with_pending_migrations(db: PgPool) {
    let ready = support::get_as_operator(&app(db), "/readyz").await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(ready.body.contains("pending"), "{}", ready.body);
}

/// Redis is checked when configured: ready while it answers, not ready once it is gone.
/// Uses a redis-server of its own on a free port, never the machine's shared one.
#[sqlx::test(migrator = "MIGRATOR")]
async fn readiness_follows_redis(db: PgPool) {
    let redis = support::redis_server::Server::start();
    let manager = server::db::redis(&redis.url()).await.unwrap();
    let app = server::router(support::state(db, Some(manager)));
    let ready = support::get_as_operator(&app, "/readyz").await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.body);
    assert!(ready.body.contains(r#""redis":"ok""#));

    // Anyone else learns only whether it is ready, and nobody sees the metrics.
    let outsider = support::get_from(&app, "/readyz", "203.0.113.5:4000").await;
    assert_eq!(outsider.json(), serde_json::json!({"status": "ready"}));
    let metrics = support::get_from(&app, "/metrics", "203.0.113.5:4000").await;
    assert_eq!(metrics.status, StatusCode::NOT_FOUND);
    assert_eq!(
        support::get(&app, "/metrics", &[]).await.status,
        StatusCode::NOT_FOUND,
        "no peer known"
    );

    drop(redis);
    let ready = support::get_as_operator(&app, "/readyz").await;
    assert_eq!(
        ready.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        ready.body
    );
    assert_eq!(
        ready.json()["checks"]["redis"],
        "unreachable",
        "no raw error echoed"
    );
    assert!(!ready.body.contains(r#""redis":"ok""#), "{}", ready.body);
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn the_api_is_described_in_openapi(db: PgPool) {
    let doc = get(&app(db), "/api/v1/openapi.json", &[]).await;
    assert_eq!(doc.status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&doc.body).unwrap();
    assert!(json["openapi"].as_str().unwrap().starts_with("3."));
    assert!(json["paths"]["/healthz"]["get"].is_object());
    assert!(json["paths"]["/readyz"]["get"]["responses"]["503"].is_object());
    for path in [
        "/api/v1/auth/signup",
        "/api/v1/auth/login",
        "/api/v1/auth/refresh-token",
        "/api/v1/auth/reset-password",
    ] {
        assert!(json["paths"][path]["post"].is_object(), "{path}");
    }
    assert!(json["paths"]["/api/v1/users/profile"]["put"].is_object());
    assert_eq!(
        json["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    // Lists are described as the envelope they answer, not as bare arrays.
    for path in ["/api/v1/cities", "/api/v1/movies", "/api/v1/users/bookings"] {
        let schema = &json["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
            ["schema"];
        let schema = match schema["$ref"].as_str() {
            Some(at) => &json["components"]["schemas"][at.rsplit('/').next().unwrap()],
            None => schema,
        };
        for field in ["items", "page", "per_page", "total"] {
            assert!(schema["properties"][field].is_object(), "{path}: {schema}");
        }
    }
}

/// Every `$ref` in a JSON value.
fn refs(value: &serde_json::Value, found: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value.as_str()) {
                    ("$ref", Some(at)) => found.push(at.to_owned()),
                    _ => refs(value, found),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
        _ => {}
    }
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn every_rest_route_is_in_the_document_with_its_parameters_and_answers(db: PgPool) {
    let app = app(db);
    let doc = get(&app, "/api/v1/openapi.json", &[]).await;
    let json: serde_json::Value = serde_json::from_str(&doc.body).unwrap();
    let paths = json["paths"].as_object().unwrap();

    // The router's own table (its Debug output names every route it has).
    let table = format!("{app:?}");
    let routes: std::collections::BTreeSet<&str> = table
        .split('"')
        .filter(|s| s.starts_with("/api/v1/") && !s.contains("__private__"))
        .filter(|s| *s != "/api/v1/openapi.json")
        .collect();
    assert!(routes.len() > 50, "{routes:?}");
    let missing: Vec<_> = routes.iter().filter(|r| !paths.contains_key(**r)).collect();
    assert!(
        missing.is_empty(),
        "routes missing from the document: {missing:?}"
    );

    for (path, item) in paths {
        let placeholders: Vec<&str> = path
            .split('/')
            .filter_map(|p| p.strip_prefix('{')?.strip_suffix('}'))
            .collect();
        for (method, operation) in item.as_object().unwrap() {
            let declared: Vec<&str> = operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "path")
                .map(|p| p["name"].as_str().unwrap())
                .collect();
            for name in &placeholders {
                assert!(
                    declared.contains(name),
                    "{method} {path}: {{{name}}} undeclared"
                );
            }
            let answers = &operation["responses"];
            for status in ["400", "429", "503"] {
                assert!(answers[status].is_object(), "{method} {path}: no {status}");
            }
            if operation["security"].is_array() {
                assert!(answers["401"].is_object(), "{method} {path}: no 401");
            }
            if operation["requestBody"].is_object() {
                for status in ["413", "415", "422"] {
                    assert!(answers[status].is_object(), "{method} {path}: no {status}");
                }
            }
        }
    }
    // Every schema the document refers to is in it.
    let mut found = Vec::new();
    refs(&json, &mut found);
    for at in found {
        let name = at.rsplit('/').next().unwrap();
        assert!(
            json["components"]["schemas"][name].is_object(),
            "{at} is not defined"
        );
    }
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn account_pages_render_on_the_server(db: PgPool) {
    let app = app(db);
    for (uri, title, control) in [
        ("/login", "Sign in · District", r#"name="password""#),
        (
            "/signup",
            "Create your account · District",
            r#"name="name""#,
        ),
        (
            "/forgot-password",
            "Reset your password · District",
            r#"name="email""#,
        ),
        (
            "/reset-password?token=abc",
            "Choose a new password · District",
            r#"value="abc""#,
        ),
        (
            "/verify-email?token=abc",
            "Confirm your email · District",
            r#"value="abc""#,
        ),
    ] {
        let page = get(&app, uri, &[]).await;
        assert_eq!(page.status, StatusCode::OK, "{uri}");
        assert!(
            page.body.contains(&format!("<title>{title}</title>")),
            "{uri}"
        );
        assert!(page.body.contains(control), "{uri}");
        assert!(
            page.body.contains(r#"action="/_fn/account/"#),
            "{uri}: a plain form posts without wasm"
        );
    }
    let visitor = get(&app, "/account", &[("accept", "text/html")]).await;
    assert_eq!(visitor.status, StatusCode::FOUND);
    assert_eq!(visitor.headers["location"], "/login?next=%2Faccount");
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn search_page_renders_results_without_wasm(db: PgPool) {
    seed(&db).await;
    let app = app(db);
    let page = get(&app, "/search?q=Orbitfal", &[]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page
        .body
        .contains("<title>Search movies · District</title>"));
    assert!(
        page.body.contains(r#"href="/movies/orbitfall""#),
        "the typo still finds it"
    );
    assert!(
        page.body.contains(r#"value="Orbitfal""#),
        "the query stays in the box"
    );
    let nothing = get(&app, "/search?q=zzzzqqqq", &[]).await;
    assert!(nothing.body.contains("No movies found"));
    let empty = get(&app, "/search", &[]).await;
    assert!(empty.body.contains("Find a movie"));
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn theater_pages_list_by_city_or_distance(db: PgPool) {
    seed(&db).await;
    let app = app(db);
    let city = get(&app, "/theaters", &[("cookie", "city=pune")]).await;
    assert_eq!(city.status, StatusCode::OK);
    assert!(
        city.body.replace("<!>", "").contains("Theaters in Pune"),
        "city fallback"
    );
    assert_eq!(city.body.matches(r#"data-testid="theater""#).count(), 2);

    let near = get(&app, "/theaters?lat=19.0550&lng=72.8300", &[]).await;
    let first = near
        .body
        .find("Galaxy Talkies: Bandra")
        .expect("nearest theater listed");
    let farther = near
        .body
        .find("Regal Picture Palace: Colaba")
        .expect("Colaba is within 25 km");
    assert!(first < farther, "nearest first");
    assert!(near.body.contains(r#"data-testid="distance""#));

    let theater = get(&app, "/theaters/galaxy-talkies-bandra-mumbai", &[]).await;
    assert_eq!(theater.status, StatusCode::OK);
    assert!(theater
        .body
        .contains("<title>Galaxy Talkies: Bandra · District</title>"));
    assert!(theater.body.contains("Hill Road, Bandra West"));
    assert!(theater.body.contains("Audi 1") || theater.body.contains("IMAX"));
    assert_eq!(
        get(&app, "/theaters/nowhere", &[]).await.status,
        StatusCode::NOT_FOUND
    );
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn home_filters_by_language_genre_and_format(db: PgPool) {
    seed(&db).await;
    let app = app(db.clone());
    let page = get(&app, "/?city=mumbai&language=Tamil&genre=&format=", &[]).await;
    assert_eq!(page.status, StatusCode::OK);
    let (now_showing, _) = page
        .body
        .split_once(r#"id="trending""#)
        .unwrap_or((&page.body, ""));
    let tamil: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT m.title FROM movies m JOIN shows s ON s.movie_id = m.id
           JOIN screens sc ON sc.id = s.screen_id JOIN theaters t ON t.id = sc.theater_id
           JOIN cities c ON c.id = t.city_id
          WHERE c.slug = 'mumbai' AND s.language = 'Tamil' AND s.starts_at > now()",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    let cards = now_showing.matches("data-movie=").count();
    assert_eq!(cards, tamil.len(), "only movies with Tamil shows");
    assert!(
        page.body.contains(r#"<option value="Tamil" selected"#)
            || page.body.contains(r#"selected value="Tamil""#)
    );
    let none = get(&app, "/?city=mumbai&genre=Nonexistent", &[]).await;
    assert!(none.body.contains("Nothing matches these filters"));
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn large_answers_are_compressed_for_clients_that_accept_it(db: PgPool) {
    use std::io::Read;
    seed(&db).await;
    let app = app(db);
    let page = support::request(
        &app,
        http::Request::get("/")
            .header("accept-encoding", "br")
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.headers["content-encoding"], "br");

    let response = tower::ServiceExt::oneshot(
        app.clone(),
        http::Request::get("/api/v1/movies")
            .header("accept-encoding", "gzip")
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(response.headers()["content-encoding"], "gzip");
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    let mut json = String::new();
    flate2::read::GzDecoder::new(&bytes[..])
        .read_to_string(&mut json)
        .unwrap();
    let plain = get(&app, "/api/v1/movies", &[]).await;
    assert!(plain.headers.get("content-encoding").is_none());
    assert_eq!(json, plain.body, "the same answer, compressed");
    assert!(plain.json()["items"].is_array());
}

/// The serving pool stops a statement that runs past DATABASE_STATEMENT_TIMEOUT.
#[tokio::test]
async fn a_statement_past_the_timeout_is_stopped() {
    use std::time::Duration;
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL names the test server");
    let limited = server::db::connect_with_timeout(&url, 1, Some(Duration::from_millis(300)))
        .await
        .unwrap();
    let err = sqlx::query("SELECT pg_sleep(3)")
        .execute(&limited)
        .await
        .expect_err("stopped");
    let code = err
        .as_database_error()
        .and_then(|e| e.code())
        .unwrap_or_default();
    assert_eq!(code, "57014", "query_canceled: {err}");
    sqlx::query("SELECT pg_sleep(0.05)")
        .execute(&limited)
        .await
        .expect("shorter statements run");
}
