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
