//! Read-through cache for hot catalog reads, in Redis when configured. PostgreSQL stays the
//! truth: a miss, a timeout or a Redis outage just reads the database.

use serde::{de::DeserializeOwned, Serialize};
use std::{future::Future, time::Duration};

const REDIS_TIMEOUT: Duration = Duration::from_millis(200);
const GENERATION: &str = "catalog:generation";

#[derive(Clone)]
pub struct Cache {
    redis: Option<redis::aio::ConnectionManager>,
    /// The backstop: entries expire even if an invalidation is missed.
    ttl: Duration,
}

impl Cache {
    pub fn new(redis: Option<redis::aio::ConnectionManager>, ttl: Duration) -> Self {
        Self { redis, ttl }
    }

    /// The cached value for `key`, or what `load` returns (then stored for next time).
    pub async fn get_or_load<T, E, Fut>(
        &self,
        key: &str,
        load: impl FnOnce() -> Fut,
    ) -> Result<T, E>
    where
        T: Serialize + DeserializeOwned,
        Fut: Future<Output = Result<T, E>>,
    {
        let Some(conn) = &self.redis else {
            return load().await;
        };
        let mut conn = conn.clone();
        let cached = tokio::time::timeout(
            REDIS_TIMEOUT,
            redis::cmd("GET")
                .arg(key)
                .query_async::<Option<Vec<u8>>>(&mut conn),
        )
        .await;
        match cached {
            Ok(Ok(Some(bytes))) => match serde_json::from_slice(&bytes) {
                Ok(value) => return Ok(value),
                Err(err) => tracing::warn!(key, error = %err, "unreadable cache entry"),
            },
            Ok(Ok(None)) => {}
            Ok(Err(err)) => {
                tracing::warn!(key, error = %err, "cache unavailable, reading the database")
            }
            Err(_) => tracing::warn!(key, "cache timed out, reading the database"),
        }
        let value = load().await?;
        if let Ok(bytes) = serde_json::to_vec(&value) {
            let mut command = redis::cmd("SET");
            command
                .arg(key)
                .arg(bytes)
                .arg("EX")
                .arg(self.ttl.as_secs().max(1));
            let set = command.query_async::<()>(&mut conn);
            if let Ok(Err(err)) = tokio::time::timeout(REDIS_TIMEOUT, set).await {
                tracing::warn!(key, error = %err, "could not fill the cache");
            }
        }
        Ok(value)
    }

    /// After a catalog change: drops `keys` and starts a new generation, so every cached list
    /// (whose keys carry the generation) is read afresh.
    pub async fn changed(&self, keys: &[String]) {
        let Some(conn) = &self.redis else { return };
        let mut conn = conn.clone();
        let mut pipe = redis::pipe();
        pipe.cmd("DEL")
            .arg(keys)
            .ignore()
            .cmd("INCR")
            .arg(GENERATION)
            .ignore();
        let done = pipe.query_async::<()>(&mut conn);
        match tokio::time::timeout(REDIS_TIMEOUT, done).await {
            Ok(Ok(())) => {}
            _ => tracing::warn!(
                ?keys,
                "could not invalidate cache entries; they expire with their TTL"
            ),
        }
    }

    /// The key of a cached list in the current catalog generation.
    pub async fn list_key(&self, name: &str, params: &impl std::fmt::Debug) -> String {
        let generation = match &self.redis {
            Some(conn) => {
                let mut conn = conn.clone();
                let mut command = redis::cmd("GET");
                command.arg(GENERATION);
                let read = command.query_async::<Option<u64>>(&mut conn);
                tokio::time::timeout(REDIS_TIMEOUT, read)
                    .await
                    .ok()
                    .and_then(Result::ok)
                    .flatten()
                    .unwrap_or(0)
            }
            None => 0,
        };
        format!("catalog:{generation}:{name}:{params:?}")
    }
}

/// The seat-map layout of a show (seats, categories, prices; not seat states).
pub fn seat_map_key(show_id: uuid::Uuid) -> String {
    format!("catalog:seat-map:{show_id}")
}
