//! Database and cache connections, and the embedded migrations.

use anyhow::Context;
use sqlx::{
    migrate::{MigrateDatabase, Migrator},
    postgres::{PgConnectOptions, PgPoolOptions},
    PgPool, Postgres,
};
use std::{collections::HashSet, time::Duration};

/// The schema, compiled into the binary so `district migrate` needs no files at run time.
pub static MIGRATOR: Migrator = sqlx::migrate!("../migrations");

pub async fn connect(url: &str, max_connections: u32) -> anyhow::Result<PgPool> {
    connect_with_timeout(url, max_connections, None).await
}

/// The serving pool: no statement runs longer than `statement_timeout`, so a query gone wrong
/// (or a lock waited on for ever) frees its connection instead of starving the pool.
pub async fn connect_with_timeout(
    url: &str,
    max_connections: u32,
    statement_timeout: Option<Duration>,
) -> anyhow::Result<PgPool> {
    let (pool, options) = pool_options(url, max_connections, statement_timeout)
        .context("DATABASE_URL is not a PostgreSQL URL")?;
    pool.connect_with(options)
        .await
        .context("could not connect to PostgreSQL (check DATABASE_URL)")
}

/// The same, connecting on first use: a replica that is down at start-up only sends the reads
/// to the primary until it answers.
pub fn connect_lazily(
    url: &str,
    max_connections: u32,
    statement_timeout: Option<Duration>,
) -> anyhow::Result<PgPool> {
    let (pool, options) = pool_options(url, max_connections, statement_timeout)
        .context("DATABASE_REPLICA_URL is not a PostgreSQL URL")?;
    Ok(pool.connect_lazy_with(options))
}

fn pool_options(
    url: &str,
    max_connections: u32,
    statement_timeout: Option<Duration>,
) -> Result<(PgPoolOptions, PgConnectOptions), sqlx::Error> {
    let mut options: PgConnectOptions = url.parse()?;
    if let Some(timeout) = statement_timeout {
        let ms = timeout.as_millis().to_string();
        options = options.options([("statement_timeout", ms.as_str())]);
    }
    let pool = PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(5));
    Ok((pool, options))
}

/// Creates the database named in `url` when it does not exist yet (first run on a machine).
pub async fn ensure_database(url: &str) -> anyhow::Result<()> {
    if !Postgres::database_exists(url)
        .await
        .context("could not reach PostgreSQL (check DATABASE_URL)")?
    {
        tracing::info!("creating the database");
        Postgres::create_database(url)
            .await
            .context("could not create the database")?;
    }
    Ok(())
}

/// Drops and recreates the database: demo and test resets only.
pub async fn recreate_database(url: &str) -> anyhow::Result<()> {
    if Postgres::database_exists(url).await? {
        Postgres::force_drop_database(url)
            .await
            .context("could not drop the database")?;
    }
    Postgres::create_database(url)
        .await
        .context("could not create the database")?;
    Ok(())
}

/// A Redis connection that reconnects by itself after Redis restarts. Redis down at start-up
/// does not stop the server: it starts on the in-process fallbacks each use of Redis has, and
/// the connection is made once Redis answers.
pub async fn redis(url: &str) -> anyhow::Result<redis::aio::ConnectionManager> {
    let client = redis::Client::open(url).context("REDIS_URL is not a valid Redis URL")?;
    let config = redis::aio::ConnectionManagerConfig::new()
        .set_connection_timeout(Some(Duration::from_secs(2)))
        .set_response_timeout(Some(Duration::from_secs(2)));
    match redis::aio::ConnectionManager::new_with_config(client.clone(), config.clone()).await {
        Ok(manager) => Ok(manager),
        Err(err) => {
            tracing::warn!(error = %err, "Redis is not answering; starting without it until it does");
            redis::aio::ConnectionManager::new_lazy_with_config(client, config)
                .context("could not set up the Redis connection (check REDIS_URL)")
        }
    }
}

/// Versions the binary knows but the database has not successfully applied.
pub async fn pending_migrations(db: &PgPool) -> sqlx::Result<Vec<i64>> {
    let table_exists: bool =
        sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
            .fetch_one(db)
            .await?;
    let applied: HashSet<i64> = if table_exists {
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
            .fetch_all(db)
            .await?
            .into_iter()
            .collect()
    } else {
        HashSet::new()
    };
    Ok(MIGRATOR
        .iter()
        .filter(|m| m.migration_type.is_up_migration() && !applied.contains(&m.version))
        .map(|m| m.version)
        .collect())
}
