//! Movies as platform admins keep them over REST and from the dashboard's form: details and a
//! poster judged by its bytes, stored under POSTER_DIR and served back.

mod support;

use chrono::Duration;
use http::StatusCode;
use serde_json::json;
use server::db::MIGRATOR;
use sqlx::PgPool;
use support::staff::{id, Setup};
use uuid::Uuid;

/// A multipart form of text fields and an optional poster file.
fn movie_form(fields: &[(&str, &str)], poster: Option<&[u8]>) -> (String, Vec<u8>) {
    let boundary = "district-test-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").bytes());
    }
    if let Some(bytes) = poster {
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"poster\"; filename=\"poster.png\"\r\nContent-Type: image/png\r\n\r\n").bytes());
        body.extend(bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

impl Setup {
    async fn add_movie(&self, who: usize, form: (String, Vec<u8>)) -> support::Reply {
        self.movie_call(who, "POST", "/api/v1/admin/movies", form)
            .await
    }

    async fn movie_call(
        &self,
        who: usize,
        method: &str,
        uri: &str,
        form: (String, Vec<u8>),
    ) -> support::Reply {
        let token = support::bearer(&self.state, self.users[who].0, self.users[who].1);
        let request = http::Request::builder()
            .method(method)
            .uri(uri)
            .header("authorization", token)
            .header("content-type", form.0)
            .body(axum::body::Body::from(form.1))
            .unwrap();
        support::request(&self.app, request).await
    }
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_platform_admin_adds_a_movie_with_its_poster(db: PgPool) {
    let dir = std::env::temp_dir().join(format!("district-posters-{}", Uuid::new_v4()));
    let dir_text = dir.to_str().unwrap().to_owned();
    let s = support::staff::setup_with(&db, Duration::days(3), &[("POSTER_DIR", &dir_text)]).await;
    let fields = [
        ("title", "Monsoon Letters"),
        ("synopsis", "Rain, and what it brings."),
        ("runtime_minutes", "131"),
        ("languages", "Hindi, English"),
        ("genres", "Drama"),
        ("certificate", "UA 13+"),
        ("release_date", "2026-12-18"),
        (
            "trailer_url",
            "https://www.youtube-nocookie.com/embed/monsoon",
        ),
    ];
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(std::iter::repeat_n(7u8, 4096));
    let movies = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM movies")
            .fetch_one(&db)
            .await
            .unwrap()
    };
    let before = movies().await;

    for who in [0, 2] {
        let refused = s.add_movie(who, movie_form(&fields, Some(&png))).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    }
    let svg = s
        .add_movie(
            3,
            movie_form(&fields, Some(b"<svg xmlns='http://www.w3.org/2000/svg'/>")),
        )
        .await;
    assert_eq!(svg.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", svg.body);
    assert_eq!(
        svg.json()["error"]["fields"]["poster"],
        "A poster is a PNG, JPEG or WebP image."
    );
    let mut huge = png.clone();
    huge.resize(app::dashboard::MAX_POSTER_BYTES + 1, 0);
    let big = s.add_movie(3, movie_form(&fields, Some(&huge))).await;
    assert_eq!(big.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", big.body);
    assert_eq!(
        big.json()["error"]["fields"]["poster"],
        "A poster is at most 2 MB."
    );
    // Far beyond the limit, the form is refused while it is read.
    huge.resize(app::dashboard::MAX_POSTER_BYTES + 512 * 1024, 0);
    let far = s.add_movie(3, movie_form(&fields, Some(&huge))).await;
    assert_eq!(far.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", far.body);
    assert_eq!(far.json()["error"]["code"], "payload_too_large");
    let mut wrong = fields;
    wrong[2] = ("runtime_minutes", "two hours");
    let unreadable = s.add_movie(3, movie_form(&wrong, None)).await;
    assert_eq!(unreadable.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unreadable.json()["error"]["fields"]["runtime_minutes"].is_string(),
        "{}",
        unreadable.body
    );
    assert_eq!(movies().await, before, "nothing written");
    assert!(
        !dir.exists() || std::fs::read_dir(&dir).unwrap().next().is_none(),
        "no file left"
    );

    let added = s.add_movie(3, movie_form(&fields, Some(&png))).await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    let movie = id(&added.json()["id"]);
    assert_eq!(added.json()["slug"], "monsoon-letters");
    let poster_url = added.json()["poster_url"].as_str().unwrap().to_owned();
    assert_eq!(poster_url, format!("/media/posters/{movie}.png"));
    assert_eq!(
        std::fs::read(dir.join(format!("{movie}.png"))).unwrap(),
        png
    );
    let served = support::get(&s.app, &poster_url, &[]).await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(served.headers["content-type"], "image/png");
    assert_eq!(served.headers["content-length"], png.len().to_string());
    for path in [
        "/media/posters/..%2Fsecret.png",
        "/media/posters/not-a-movie.png",
    ] {
        assert_eq!(
            support::get(&s.app, path, &[]).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let public = support::get(&s.app, &format!("/api/v1/movies/{movie}"), &[])
        .await
        .json();
    assert_eq!(public["poster_url"], poster_url);
    assert_eq!(public["languages"], json!(["Hindi", "English"]));

    // The same title again gets its own address.
    let again = s.add_movie(3, movie_form(&fields, None)).await;
    assert_eq!(
        again.json()["slug"],
        "monsoon-letters-2026",
        "{}",
        again.body
    );
    let audited: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'movie.created'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(audited, 2);
    let _ = std::fs::remove_dir_all(&dir);
}

/// What `MOVIE` is sent as, with one field replaced.
const MOVIE: [(&str, &str); 8] = [
    ("title", "Monsoon Letters"),
    ("synopsis", "Rain, and what it brings."),
    ("runtime_minutes", "131"),
    ("languages", "Hindi, English"),
    ("genres", "Drama"),
    ("certificate", "UA 13+"),
    ("release_date", "2026-12-18"),
    (
        "trailer_url",
        "https://www.youtube-nocookie.com/embed/monsoon",
    ),
];

fn png(fill: u8) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(std::iter::repeat_n(fill, 2048));
    png
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_platform_admin_edits_a_movie_and_replaces_its_poster(db: PgPool) {
    let dir = std::env::temp_dir().join(format!("district-posters-{}", Uuid::new_v4()));
    let dir_text = dir.to_str().unwrap().to_owned();
    let s = support::staff::setup_with(&db, Duration::days(3), &[("POSTER_DIR", &dir_text)]).await;
    let added = s
        .add_movie(3, movie_form(&MOVIE, Some(&png(1))))
        .await
        .json();
    let movie = id(&added["id"]);
    let uri = format!("/api/v1/admin/movies/{movie}");
    let mut edited = MOVIE;
    edited[0] = ("title", "Monsoon Letters (Director's Cut)");
    edited[2] = ("runtime_minutes", "152");

    for who in [0, 2] {
        let refused = s
            .movie_call(who, "PUT", &uri, movie_form(&edited, None))
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    }
    let not_image = s
        .movie_call(3, "PUT", &uri, movie_form(&edited, Some(b"GIF89a")))
        .await;
    assert_eq!(not_image.status, StatusCode::UNPROCESSABLE_ENTITY);
    let missing = format!("/api/v1/admin/movies/{}", Uuid::new_v4());
    let nobody = s
        .movie_call(3, "PUT", &missing, movie_form(&edited, None))
        .await;
    assert_eq!(nobody.status, StatusCode::NOT_FOUND);
    let public = || async {
        support::get(&s.app, &format!("/api/v1/movies/{movie}"), &[])
            .await
            .json()
    };
    assert_eq!(
        public().await["title"],
        "Monsoon Letters",
        "refused edits change nothing"
    );

    // Details alone: the poster stays.
    let kept = s
        .movie_call(3, "PUT", &uri, movie_form(&edited, None))
        .await;
    assert_eq!(kept.status, StatusCode::OK, "{}", kept.body);
    assert_eq!(kept.json()["poster_url"], added["poster_url"]);
    assert_eq!(kept.json()["slug"], "monsoon-letters", "links keep working");
    let now = public().await;
    assert_eq!(now["title"], "Monsoon Letters (Director's Cut)");
    assert_eq!(now["runtime_minutes"], 152);

    // A new poster: a new address, the old file gone.
    let replaced = s
        .movie_call(3, "PUT", &uri, movie_form(&edited, Some(&png(2))))
        .await
        .json();
    let url = replaced["poster_url"].as_str().unwrap();
    assert_ne!(json!(url), added["poster_url"]);
    let served = support::get(&s.app, url, &[]).await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(served.headers["content-length"], png(2).len().to_string());
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        1,
        "only the poster in use is kept"
    );
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'movie.updated' AND subject_id = $1",
    )
    .bind(movie)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(audited, 2);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The dashboard's movie form, posted by a browser with its session: on to the movie's page,
/// back to the form naming what was wrong, and refused from another site.
#[sqlx::test(migrator = "MIGRATOR")]
async fn the_dashboard_movie_form_answers_with_pages(db: PgPool) {
    let s = support::staff::setup(&db, Duration::days(3)).await;
    let cookies = s.sessions().await;
    let post = |cookie: &str, origin: &str, path: &str, form: (String, Vec<u8>)| {
        let request = http::Request::post(path)
            .header("host", "district.test")
            .header("origin", origin)
            .header("cookie", cookie)
            .header("content-type", form.0)
            .body(axum::body::Body::from(form.1))
            .unwrap();
        support::request(&s.app, request)
    };
    let here = "http://district.test";
    let added = post(
        &cookies[3],
        here,
        "/dashboard/movies/form",
        movie_form(&MOVIE, None),
    )
    .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let to = added.headers["location"].to_str().unwrap().to_owned();
    assert!(
        to.starts_with("/dashboard/movies/") && to.ends_with("?saved=1"),
        "{to}"
    );
    let movie: Uuid = to["/dashboard/movies/".len()..to.len() - "?saved=1".len()]
        .parse()
        .unwrap();
    let page = support::get(&s.app, &to, &[("cookie", &cookies[3])]).await;
    assert!(page.body.contains("Monsoon Letters") && page.body.contains("Saved."));

    let mut bad = MOVIE;
    bad[2] = ("runtime_minutes", "0");
    let path = format!("/dashboard/movies/{movie}/form");
    let back = post(&cookies[3], here, &path, movie_form(&bad, None)).await;
    let to = back.headers["location"].to_str().unwrap();
    assert!(
        to.starts_with(&format!(
            "/dashboard/movies/{movie}?problem=runtime_minutes"
        )),
        "{to}"
    );

    let theater_admin = post(&cookies[0], here, &path, movie_form(&MOVIE, None)).await;
    assert!(theater_admin.headers["location"]
        .to_str()
        .unwrap()
        .contains("problem="));
    let forged = post(
        &cookies[3],
        "https://evil.example",
        &path,
        movie_form(&bad, None),
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let runtime: i32 = sqlx::query_scalar("SELECT runtime_minutes FROM movies WHERE id = $1")
        .bind(movie)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(
        runtime, 131,
        "only the platform admin's own page changes a movie"
    );
}

/// Two platform admins adding one title at the same moment both succeed, each movie with its
/// own address.
#[sqlx::test(migrator = "MIGRATOR")]
async fn one_title_added_twice_at_once_gets_two_addresses(db: PgPool) {
    let s = support::staff::setup(&db, Duration::days(3)).await;
    for _ in 0..3 {
        let (a, b) = tokio::join!(
            s.add_movie(3, movie_form(&MOVIE, None)),
            s.add_movie(3, movie_form(&MOVIE, None))
        );
        assert_eq!(
            (a.status, b.status),
            (StatusCode::CREATED, StatusCode::CREATED),
            "{} {}",
            a.body,
            b.body
        );
        assert_ne!(a.json()["slug"], b.json()["slug"]);
    }
    let slugs: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT slug) FROM movies WHERE title = 'Monsoon Letters'",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(slugs, 6);
}
