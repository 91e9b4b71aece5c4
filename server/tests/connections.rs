//! The server's database connections as PostgreSQL sees them: no TLS to a server on this
//! machine, and a pooled connection whose server side went away while it sat idle is replaced
//! before anyone uses it.

use sqlx::PgPool;
use std::time::Duration;

fn url() -> String {
    std::env::var("DATABASE_URL").expect("DATABASE_URL names the test server")
}

async fn over_tls(db: &PgPool) -> bool {
    sqlx::query_scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .fetch_one(db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_server_on_this_machine_is_reached_without_tls_unless_the_url_asks() {
    let url = url();
    let db = server::db::connect(&url, 1).await.unwrap();
    assert!(!over_tls(&db).await);

    // Where the server offers TLS, the same URL asking for it gets it: the check above can
    // tell the two apart.
    let offered: String = sqlx::query_scalar("SHOW ssl").fetch_one(&db).await.unwrap();
    if offered == "on" {
        let sep = if url.contains('?') { '&' } else { '?' };
        let asked = server::db::connect(&format!("{url}{sep}sslmode=require"), 1)
            .await
            .unwrap();
        assert!(over_tls(&asked).await);
    }
}

#[tokio::test]
async fn a_connection_cut_while_idle_is_replaced_before_use() {
    let url = url();
    let db = server::db::connect(&url, 1).await.unwrap();
    let pid = |db: PgPool| async move {
        sqlx::query_scalar::<_, i32>("SELECT pg_backend_pid()")
            .fetch_one(&db)
            .await
    };
    let first = pid(db.clone()).await.unwrap();

    let admin = server::db::connect(&url, 1).await.unwrap();
    let cut: bool = sqlx::query_scalar("SELECT pg_terminate_backend($1)")
        .bind(first)
        .fetch_one(&admin)
        .await
        .unwrap();
    assert!(cut);
    // Long enough idle for the pool to check it on its way out.
    tokio::time::sleep(Duration::from_millis(1_200)).await;

    let second = pid(db).await.expect("the pool replaced the cut connection");
    assert_ne!(first, second);
}
