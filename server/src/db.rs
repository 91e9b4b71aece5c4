//! Database and cache connections, and the embedded migrations.

use anyhow::Context;
use sqlx::{
    migrate::{MigrateDatabase, Migrator},
    postgres::{PgConnectOptions, PgPoolOptions, PgSslMode},
    Connection, PgPool, Postgres,
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

/// How long a pooled connection may sit unused before it is checked on its way out.
const PING_AFTER_IDLE: Duration = Duration::from_secs(1);

fn pool_options(
    url: &str,
    max_connections: u32,
    statement_timeout: Option<Duration>,
) -> Result<(PgPoolOptions, PgConnectOptions), sqlx::Error> {
    let mut options = connect_options(url)?;
    if let Some(timeout) = statement_timeout {
        let ms = timeout.as_millis().to_string();
        options = options.options([("statement_timeout", ms.as_str())]);
    }
    let pool = PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(5))
        // sqlx pings every connection as it comes back to the pool; pinging it again on its
        // way out costs each checkout a round trip under load, so only one that sat idle since
        // (and may have lost its server meanwhile) is checked again.
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for >= PING_AFTER_IDLE {
                    conn.ping().await?;
                }
                Ok(true)
            })
        });
    Ok((pool, options))
}

/// How `url` is connected to. PostgreSQL on this machine (a loopback address or a Unix
/// socket) is reached without TLS unless `sslmode` (in the URL or `PGSSLMODE`) asks for it:
/// such a connection never leaves the machine, and encrypting it costs both ends CPU on every
/// statement (rustls was 11% of the server's during holds, docs/PERFORMANCE.md). Any other
/// host keeps sqlx's default, TLS when offered.
pub fn connect_options(url: &str) -> Result<PgConnectOptions, sqlx::Error> {
    let options: PgConnectOptions = url.parse()?;
    let asked = std::env::var_os("PGSSLMODE").is_some() || names_ssl_mode(url);
    Ok(if !asked && on_this_machine(&options) {
        options.ssl_mode(PgSslMode::Disable)
    } else {
        options
    })
}

fn names_ssl_mode(url: &str) -> bool {
    url.split_once('?').is_some_and(|(_, query)| {
        query
            .split('&')
            .any(|p| p.starts_with("sslmode=") || p.starts_with("ssl-mode="))
    })
}

fn on_this_machine(options: &PgConnectOptions) -> bool {
    let host = options.get_host();
    options.get_socket().is_some()
        || host == "localhost"
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn local(url: &str) -> bool {
        on_this_machine(&url.parse().unwrap())
    }

    #[test]
    fn this_machine_is_a_loopback_address_or_a_socket() {
        for url in [
            "postgres://postgres@127.0.0.1:5432/district",
            "postgres://postgres@localhost/district",
            "postgres://postgres@[::1]:5432/district",
            "postgres:///district?host=/var/run/postgresql",
        ] {
            assert!(local(url), "{url}");
        }
        assert!(!local("postgres://app@db.internal:5432/district"));
        assert!(!local("postgres://app@10.0.0.7/district"));
    }

    #[test]
    fn an_ssl_mode_in_the_url_is_kept() {
        assert!(names_ssl_mode("postgres://p@127.0.0.1/d?sslmode=require"));
        assert!(names_ssl_mode(
            "postgres://p@127.0.0.1/d?application_name=x&ssl-mode=prefer"
        ));
        assert!(!names_ssl_mode(
            "postgres://p@127.0.0.1/d?application_name=x"
        ));
        assert!(!names_ssl_mode("postgres://p@127.0.0.1/d"));
    }
}
