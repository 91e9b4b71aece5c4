//! A replica really used: a private primary and its streaming replica, started by the test.
//! Catalog reads are served by the replica (replay paused, they do not see a new city),
//! reads that must see a write by the primary, and once the replica stops answering every
//! read goes to the primary.

mod support;

use app::{account::Role, db::Db};
use chrono::Duration;
use http::StatusCode;
use server::db::MIGRATOR;
use sqlx::PgPool;
use support::pg_cluster::Cluster;

async fn cities(app: &axum::Router) -> String {
    // Past the catalog cache's life (CACHE_TTL=1), so each read reaches a database.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let listed = support::get(app, "/api/v1/cities?per_page=100", &[]).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    listed.body
}

/// A city written straight to the primary.
async fn add_city(db: &PgPool, name: &str) {
    sqlx::query(
        "INSERT INTO cities (slug, name, state, latitude, longitude)
         VALUES (lower($1), $1, 'Test', 12.9, 77.6)",
    )
    .bind(name)
    .execute(db)
    .await
    .unwrap();
}

#[tokio::test]
async fn catalog_reads_go_to_the_replica_writes_to_the_primary_and_all_to_the_primary_without_it() {
    let primary = Cluster::primary();
    let admin = PgPool::connect(&primary.url("postgres")).await.unwrap();
    sqlx::query("CREATE DATABASE district")
        .execute(&admin)
        .await
        .unwrap();
    let db = PgPool::connect(&primary.url("district")).await.unwrap();
    MIGRATOR.run(&db).await.unwrap();
    let venue = support::venue::venue(&db, 2, 6, Duration::days(1)).await;
    let buyer = support::venue::customers(&db, 1).await[0];

    let replica = primary.replica();
    let copy = PgPool::connect(&replica.url("district")).await.unwrap();
    let state = support::state_over(
        Db::new(db.clone(), Some(copy.clone())),
        None,
        &[("CACHE_TTL", "1")],
    );
    let app = server::router(state.clone());
    assert!(
        cities(&app).await.contains("Testville"),
        "the replica has the catalog"
    );

    // Replay paused: the replica falls behind, and catalog reads with it.
    sqlx::query("SELECT pg_wal_replay_pause()")
        .execute(&copy)
        .await
        .unwrap();
    add_city(&db, "Replicaville").await;
    assert!(
        !cities(&app).await.contains("Replicaville"),
        "served by the replica"
    );

    // A hold and the booking read back: both on the primary, which has them.
    let token = support::bearer(&state, buyer, Role::Customer);
    let auth = [("authorization", token.as_str())];
    let body = serde_json::json!({"show_id": venue.show_id, "seat_ids": venue.ids(&["B1", "B2"])});
    let held = support::send(&app, "POST", "/api/v1/bookings/hold", Some(body), &auth).await;
    assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
    let booking = held.json()["booking_id"].as_str().unwrap().to_owned();
    let read = support::send(
        &app,
        "GET",
        &format!("/api/v1/bookings/{booking}"),
        None,
        &auth,
    )
    .await;
    assert_eq!(
        read.status,
        StatusCode::OK,
        "read after write: {}",
        read.body
    );

    sqlx::query("SELECT pg_wal_replay_resume()")
        .execute(&copy)
        .await
        .unwrap();
    let mut caught_up = false;
    for _ in 0..20 {
        if cities(&app).await.contains("Replicaville") {
            caught_up = true;
            break;
        }
    }
    assert!(caught_up, "the replica caught up");

    // The replica stops: the check sends reads to the primary, which answers them.
    copy.close().await;
    replica.stop();
    assert_eq!(state.backends.db.check_replica().await, Some(false));
    add_city(&db, "Primarypur").await;
    let listed = cities(&app).await;
    assert!(
        listed.contains("Primarypur"),
        "read from the primary: {listed}"
    );
}
