//! Redis down when the server starts: it starts anyway, serves pages, sessions and holds, and
//! takes Redis up once it answers. Uses a redis-server of its own, never the machine's.

mod support;

use http::StatusCode;
use server::db::MIGRATOR;
use sqlx::PgPool;
use std::time::Duration;
use support::redis_server;

#[sqlx::test(migrator = "MIGRATOR")]
async fn the_server_starts_without_redis_and_takes_it_up_when_it_answers(db: PgPool) {
    support::seed(&db).await;
    let port = support::free_port();
    let url = format!("redis://127.0.0.1:{port}");
    let conn = server::db::redis(&url)
        .await
        .expect("starts with Redis down");
    let app = server::router(support::state_with(db, Some(conn), &[("REDIS_URL", &url)]));

    let home = support::get(&app, "/", &[("accept", "text/html")]).await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    let api = support::get(&app, "/api/v1/cities", &[]).await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    let ready = support::get_as_operator(&app, "/readyz").await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);

    let _redis = redis_server::Server::start_on(port);
    let mut status = StatusCode::SERVICE_UNAVAILABLE;
    for _ in 0..60 {
        status = support::get_as_operator(&app, "/readyz").await.status;
        if status == StatusCode::OK {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_eq!(status, StatusCode::OK, "ready once Redis answers");
}
