//! What platform admins alone do over REST: cities, who runs which theater, and hiding reviews
//! (gone for everyone but the author, who reads why).

mod support;

use app::account::Role;
use chrono::Duration;
use http::StatusCode;
use serde_json::{json, Value};
use server::db::MIGRATOR;
use sqlx::PgPool;
use support::{
    staff::{id, setup, Setup},
    venue::customers,
};
use uuid::Uuid;

impl Setup {
    /// A request with a token for `user` in `role`.
    async fn as_user(
        &self,
        user: Uuid,
        role: Role,
        method: &str,
        uri: &str,
        body: Option<Value>,
    ) -> support::Reply {
        let token = support::bearer(&self.state, user, role);
        support::send(&self.app, method, uri, body, &[("authorization", &token)]).await
    }

    async fn role_of(&self, user: Uuid) -> String {
        sqlx::query_scalar("SELECT role FROM users WHERE id = $1")
            .bind(user)
            .fetch_one(&self.db)
            .await
            .unwrap()
    }
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn platform_admins_add_cities_and_nobody_else_does(db: PgPool) {
    let s = setup(&db, Duration::days(3)).await;
    let city = json!({"name": "Navi Mumbai", "state": "Maharashtra", "latitude": 19.03,
                      "longitude": 73.03, "time_zone": "Asia/Kolkata"});
    for who in [0, 2] {
        let refused = s
            .post(Some(who), "/api/v1/admin/cities", city.clone())
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    }
    let mut bad = city.clone();
    bad["time_zone"] = json!("Mars/Olympus");
    bad["latitude"] = json!(100);
    let refused = s.post(Some(3), "/api/v1/admin/cities", bad).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    let fields = &refused.json()["error"]["fields"];
    assert!(
        fields["time_zone"].is_string() && fields["latitude"].is_string(),
        "{fields}"
    );

    let added = s.post(Some(3), "/api/v1/admin/cities", city.clone()).await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    assert_eq!(added.json()["slug"], "navi-mumbai");
    let twice = s.post(Some(3), "/api/v1/admin/cities", city).await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Moviegoers can pick it at once.
    let public = support::get(&s.app, "/api/v1/cities", &[]).await.body;
    assert!(public.contains("navi-mumbai"), "{public}");
    let listed = s
        .call(Some(3), "GET", "/api/v1/admin/cities", None)
        .await
        .json();
    assert_eq!(listed["total"], 2);
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'city.created' AND theater_id IS NULL",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(audited, 1);
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_platform_admin_decides_who_runs_a_theater(db: PgPool) {
    let s = setup(&db, Duration::days(3)).await;
    let theater = s.venue.theater_id;
    let admins = format!("/api/v1/admin/theaters/{theater}/admins");
    let newcomer = customers(&db, 1).await[0];
    let email: String = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(newcomer)
        .fetch_one(&db)
        .await
        .unwrap();
    let day = format!("/api/v1/admin/shows?theater_id={theater}");

    // The theater's own admin may not hand it out; unknown people are named as such.
    let refused = s.post(Some(0), &admins, json!({"email": email})).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let nobody = s
        .post(Some(3), &admins, json!({"email": "nobody@example.com"}))
        .await;
    assert_eq!(
        nobody.json()["error"]["fields"]["email"],
        "Nobody has an account with this email."
    );
    assert_eq!(
        s.as_user(newcomer, Role::Customer, "GET", &day, None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    let assigned = s
        .post(Some(3), &admins, json!({"email": email.to_uppercase()}))
        .await;
    assert_eq!(assigned.status, StatusCode::CREATED, "{}", assigned.body);
    assert_eq!(s.role_of(newcomer).await, "theater_admin");
    assert_eq!(
        s.as_user(newcomer, Role::TheaterAdmin, "GET", &day, None)
            .await
            .status,
        StatusCode::OK
    );
    let listed = s.call(Some(3), "GET", &admins, None).await.json();
    let ids: Vec<Uuid> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| id(&a["user_id"]))
        .collect();
    assert!(
        ids.contains(&newcomer) && ids.contains(&s.users[0].0),
        "{listed}"
    );

    let removal = format!("{admins}/{newcomer}");
    let removed = s.call(Some(3), "DELETE", &removal, None).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.body);
    assert_eq!(s.role_of(newcomer).await, "customer");
    assert_eq!(
        s.as_user(newcomer, Role::TheaterAdmin, "GET", &day, None)
            .await
            .status,
        StatusCode::FORBIDDEN,
        "an old token's role runs no theater"
    );
    assert_eq!(
        s.call(Some(3), "DELETE", &removal, None).await.status,
        StatusCode::NOT_FOUND
    );
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE theater_id = $1 ORDER BY id")
            .bind(theater)
            .fetch_all(&db)
            .await
            .unwrap();
    assert_eq!(actions, ["theater.admin_assigned", "theater.admin_removed"]);
}

#[sqlx::test(migrator = "MIGRATOR")]
async fn a_hidden_review_leaves_the_movie_but_its_author_reads_why(db: PgPool) {
    let s = setup(&db, Duration::days(3)).await;
    let [author, reader] = customers(&db, 2).await[..] else {
        unreachable!()
    };
    let reviews = format!("/api/v1/movies/{}/reviews", s.venue.movie_id);
    let written = s
        .as_user(
            author,
            Role::Customer,
            "POST",
            &reviews,
            Some(json!({"rating": 1, "body": "spam spam"})),
        )
        .await;
    assert_eq!(written.status, StatusCode::OK, "{}", written.body);
    let review = id(&written.json()["id"]);
    let movie = format!("/api/v1/movies/{}", s.venue.movie_id);
    assert_eq!(
        support::get(&s.app, &movie, &[]).await.json()["rating_count"],
        1
    );

    let hide = format!("/api/v1/admin/reviews/{review}/hide");
    let refused = s.post(Some(0), &hide, json!({"reason": "spam"})).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let blank = s.post(Some(3), &hide, json!({"reason": "  "})).await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    let hidden = s
        .post(
            Some(3),
            &hide,
            json!({"reason": "Advertising is not a review."}),
        )
        .await;
    assert_eq!(hidden.status, StatusCode::OK, "{}", hidden.body);
    let nowhere = format!("/api/v1/admin/reviews/{}/hide", Uuid::new_v4());
    assert_eq!(
        s.post(Some(3), &nowhere, json!({"reason": "x"}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Gone from the movie and its rating, for visitors and other users.
    assert_eq!(
        support::get(&s.app, &movie, &[]).await.json()["rating_count"],
        0
    );
    assert_eq!(support::get(&s.app, &reviews, &[]).await.json()["total"], 0);
    let others = s
        .as_user(reader, Role::Customer, "GET", &reviews, None)
        .await
        .json();
    assert_eq!(others["total"], 0);
    let vote = format!("{reviews}/{review}/helpful");
    let voted = s.as_user(reader, Role::Customer, "POST", &vote, None).await;
    assert_eq!(voted.status, StatusCode::NOT_FOUND, "{}", voted.body);
    // Its author still sees it, with the reason.
    let own = s
        .as_user(author, Role::Customer, "GET", &reviews, None)
        .await
        .json();
    assert_eq!(own["total"], 1, "{own}");
    assert_eq!(
        own["items"][0]["hidden_reason"],
        "Advertising is not a review."
    );
}

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
        let token = support::bearer(&self.state, self.users[who].0, self.users[who].1);
        let request = http::Request::post("/api/v1/admin/movies")
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
        ("trailer_url", "https://videos.example/monsoon"),
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
