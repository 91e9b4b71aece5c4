//! Read-through cache for hot catalog reads: in this process's memory first, then in Redis when
//! configured (shared by every instance). PostgreSQL stays the truth: a miss, a timeout or a
//! Redis outage just reads the database.
//!
//! `changed` drops entries here and in Redis at once and starts a new generation for the lists;
//! other instances drop their own copies within [`LOCAL_TTL`] (with Redis; without it there is
//! one instance and its copies live as long as CACHE_TTL).

use crate::breaker::Breaker;
use serde::{de::DeserializeOwned, Serialize};
use std::{
    any::Any,
    collections::HashMap,
    future::Future,
    sync::{Arc, Mutex, MutexGuard, PoisonError},
    time::{Duration, Instant},
};

const REDIS_TIMEOUT: Duration = Duration::from_millis(200);
const GENERATION: &str = "catalog:generation";
/// How long this process trusts its own copy while other instances may change the catalog.
pub const LOCAL_TTL: Duration = Duration::from_secs(1);
/// Local entries past this many are swept of expired ones.
const LOCAL_MAX: usize = 4096;

type Entry = (Instant, Arc<dyn Any + Send + Sync>);
/// Closed while one caller reads a cold key; says how that read ended once it opens.
type Gate = Arc<tokio::sync::RwLock<Landing>>;

/// How a cold read ended, for the callers that waited on it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Landing {
    /// Its caller left (or panicked) before it ended: one of the waiters reads it.
    #[default]
    Abandoned,
    /// The source failed: each waiter reads it, to answer its own error.
    Failed,
    /// The value is here.
    Stored,
}

/// How long this process may use its own copy of a value.
#[derive(Clone, Copy, Debug)]
pub enum Trust {
    /// As long as other instances cannot have changed it unseen: [`LOCAL_TTL`] with Redis.
    Shared,
    /// The whole TTL, for a caller whose write checks every fact it takes from the value again
    /// at the source (and calls [`Cache::forget`] when the source disagrees).
    Rechecked,
}

#[derive(Clone)]
pub struct Cache {
    redis: Option<redis::aio::ConnectionManager>,
    /// The backstop: entries expire even if an invalidation is missed.
    ttl: Duration,
    local_ttl: Duration,
    local: Arc<Mutex<Local>>,
    /// Reads and fills skip Redis while it rests; invalidations always try.
    breaker: Breaker,
}

#[derive(Default)]
struct Local {
    entries: HashMap<String, Entry>,
    /// Keys one caller is reading again; the others keep the copy they have meanwhile.
    refreshing: std::collections::HashSet<String>,
    /// Keys with no copy here that one caller is reading; the others wait for its read
    /// (write-locked until it ends) instead of each reading the database.
    loading: HashMap<String, Gate>,
    /// The list generation and when it was last read from Redis.
    generation: Option<(Instant, u64)>,
}

impl Cache {
    pub fn new(redis: Option<redis::aio::ConnectionManager>, ttl: Duration) -> Self {
        let local_ttl = if redis.is_some() {
            LOCAL_TTL.min(ttl)
        } else {
            ttl
        };
        Self {
            redis,
            ttl,
            local_ttl,
            local: Arc::default(),
            breaker: Breaker::default(),
        }
    }

    fn local(&self) -> MutexGuard<'_, Local> {
        // Entries are inserted and removed whole: the map is valid after any panic.
        self.local.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The cached value for `key`, or what `load` returns (then stored for next time).
    pub async fn get_or_load<T, E, Fut>(
        &self,
        key: &str,
        trust: Trust,
        load: impl FnOnce() -> Fut,
    ) -> Result<Arc<T>, E>
    where
        T: Serialize + DeserializeOwned + Send + Sync + 'static,
        Fut: Future<Output = Result<T, E>>,
    {
        let local_ttl = match trust {
            Trust::Shared => self.local_ttl,
            Trust::Rechecked => self.ttl,
        };
        if let Some(value) = self.in_memory(key, local_ttl) {
            return Ok(value);
        }
        // Past its trust, one caller reads the value again while the others keep the copy
        // they have (within the backstop TTL): a busy key is never read by every request at
        // once, which under load would queue them all for the database's connections.
        let mut _refreshed = None;
        if let Some(value) = self.in_memory(key, self.ttl) {
            if !self.local().refreshing.insert(key.to_owned()) {
                return Ok(value);
            }
            _refreshed = Some(Refreshing(self, key));
        }
        // Cold, one caller reads it while the others wait: a flash sale's first second asks
        // every instance for the same few keys thousands of times at once. If that read fails,
        // the waiters read it themselves (each has its own error to answer); if its caller
        // left, one of them reads it for the others.
        let mut landed = None;
        while landed.is_none() {
            match self.take_off(key) {
                Ok(leader) => landed = Some(leader),
                Err(flight) => {
                    let landing = *flight.read().await;
                    if let Some(value) = self.in_memory(key, local_ttl) {
                        return Ok(value);
                    }
                    if landing == Landing::Failed {
                        break;
                    }
                }
            }
        }
        let value = match self.in_redis(key).await {
            Some(value) => value,
            None => match load().await {
                Ok(value) => {
                    if keeps(landed.as_ref(), &self.local()) {
                        self.to_redis(key, &value).await;
                    }
                    value
                }
                Err(err) => {
                    if let Some(landed) = landed.as_mut() {
                        landed.land(Landing::Failed);
                    }
                    return Err(err);
                }
            },
        };
        let value = Arc::new(value);
        let mut local = self.local();
        if keeps(landed.as_ref(), &local) {
            if local.entries.len() >= LOCAL_MAX {
                let ttl = self.local_ttl;
                local.entries.retain(|_, (at, _)| at.elapsed() < ttl);
            }
            let entry: Arc<dyn Any + Send + Sync> = value.clone();
            local
                .entries
                .insert(key.to_owned(), (Instant::now(), entry));
        }
        drop(local);
        if let Some(landed) = landed.as_mut() {
            landed.land(Landing::Stored);
        }
        Ok(value)
    }

    /// Drops this process's own copy of `key`, which the source has shown to be stale: the
    /// next read takes it from Redis or the database.
    pub fn forget(&self, key: &str) {
        let mut local = self.local();
        local.entries.remove(key);
        // A read begun before it may bring the stale value: later callers start their own.
        local.loading.remove(key);
    }

    fn in_memory<T: Send + Sync + 'static>(&self, key: &str, ttl: Duration) -> Option<Arc<T>> {
        let local = self.local();
        let (at, value) = local.entries.get(key)?;
        (at.elapsed() < ttl)
            .then(|| value.clone().downcast::<T>().ok())
            .flatten()
    }

    async fn in_redis<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        let mut conn = self.redis.clone()?;
        let mut command = redis::cmd("GET");
        command.arg(key);
        let read = command.query_async::<Option<Vec<u8>>>(&mut conn);
        let bytes = self.breaker.call("cache", REDIS_TIMEOUT, read).await??;
        match serde_json::from_slice(&bytes) {
            Ok(value) => Some(value),
            Err(err) => {
                tracing::warn!(key, error = %err, "unreadable cache entry");
                None
            }
        }
    }

    async fn to_redis<T: Serialize>(&self, key: &str, value: &T) {
        let (Some(mut conn), Ok(bytes)) = (self.redis.clone(), serde_json::to_vec(value)) else {
            return;
        };
        let mut command = redis::cmd("SET");
        command
            .arg(key)
            .arg(bytes)
            .arg("EX")
            .arg(self.ttl.as_secs().max(1));
        let set = command.query_async::<()>(&mut conn);
        self.breaker.call("cache", REDIS_TIMEOUT, set).await;
    }

    /// After a catalog change: drops `keys` and starts a new generation, so every cached list
    /// (whose keys carry the generation) is read afresh.
    pub async fn changed(&self, keys: &[String]) {
        {
            let mut local = self.local();
            for key in keys {
                local.entries.remove(key);
                local.loading.remove(key);
            }
            let next = local.generation.map_or(1, |(_, g)| g + 1);
            local.generation = Some((Instant::now(), next));
        }
        let Some(mut conn) = self.redis.clone() else {
            return;
        };
        let mut pipe = redis::pipe();
        if !keys.is_empty() {
            pipe.cmd("DEL").arg(keys).ignore();
        }
        pipe.cmd("INCR").arg(GENERATION);
        let done = pipe.query_async::<(u64,)>(&mut conn);
        match tokio::time::timeout(REDIS_TIMEOUT, done).await {
            Ok(Ok((generation,))) => {
                self.local().generation = Some((Instant::now(), generation));
            }
            _ => tracing::warn!(
                ?keys,
                "could not invalidate cache entries; they expire with their TTL"
            ),
        }
    }

    /// The key of a cached list in the current catalog generation.
    pub async fn list_key(&self, name: &str, params: &impl std::fmt::Debug) -> String {
        format!("catalog:{}:{name}:{params:?}", self.generation().await)
    }

    async fn generation(&self) -> u64 {
        if let Some((at, generation)) = self.local().generation {
            if at.elapsed() < self.local_ttl || self.redis.is_none() {
                return generation;
            }
        }
        let Some(mut conn) = self.redis.clone() else {
            return 0;
        };
        let mut command = redis::cmd("GET");
        command.arg(GENERATION);
        let read = command.query_async::<Option<u64>>(&mut conn);
        let generation = self
            .breaker
            .call("cache", REDIS_TIMEOUT, read)
            .await
            .flatten()
            .unwrap_or(0);
        self.local().generation = Some((Instant::now(), generation));
        generation
    }
}

impl Cache {
    /// Marks `key` as being read by this caller until the guard drops; or, when another
    /// caller is reading it, the gate that opens once that read ends.
    fn take_off<'a>(&'a self, key: &'a str) -> Result<Landed<'a>, Gate> {
        let mut local = self.local();
        if let Some(flight) = local.loading.get(key) {
            return Err(flight.clone());
        }
        let gate = Gate::default();
        local.loading.insert(key.to_owned(), gate.clone());
        let closed = gate
            .try_write_owned()
            .expect("nobody else holds a lock made here");
        Ok(Landed {
            cache: self,
            key,
            closed,
        })
    }
}

/// Only a read that still holds the key's gate keeps what it read: `forget` and `changed` take
/// the gate off a read begun before them, which may carry the old value, and a waiter reading
/// for itself after a failed read holds none.
fn keeps(landed: Option<&Landed<'_>>, local: &Local) -> bool {
    landed.is_some_and(|read| read.current(local))
}

/// Ends a cold read of a key however it ends (a value, an error, a caller gone), letting its
/// waiters go: the gate opens when `closed` drops, after the key is taken off the list.
struct Landed<'a> {
    cache: &'a Cache,
    key: &'a str,
    closed: tokio::sync::OwnedRwLockWriteGuard<Landing>,
}

impl Landed<'_> {
    fn land(&mut self, how: Landing) {
        *self.closed = how;
    }

    /// Whether the key's gate is still this read's (`forget` and `changed` take it off).
    fn current(&self, local: &Local) -> bool {
        let gate = tokio::sync::OwnedRwLockWriteGuard::rwlock(&self.closed);
        local
            .loading
            .get(self.key)
            .is_some_and(|open| Arc::ptr_eq(open, gate))
    }
}

impl Drop for Landed<'_> {
    fn drop(&mut self) {
        let mut local = self.cache.local();
        if self.current(&local) {
            local.loading.remove(self.key);
        }
    }
}

/// Ends a refresh of a key however the read ends (a value, an error, a caller gone).
struct Refreshing<'a>(&'a Cache, &'a str);

impl Drop for Refreshing<'_> {
    fn drop(&mut self) {
        self.0.local().refreshing.remove(self.1);
    }
}

#[cfg(test)]
#[path = "cache_tests.rs"]
mod tests;
