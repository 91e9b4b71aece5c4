//! The catalog handle: what every catalog read needs, and nothing else.

use crate::{
    cache::{Cache, Trust},
    db::Db,
    ratelimit::{Limit, RateLimiter, Throttle},
};
use serde::{de::DeserializeOwned, Serialize};
use sqlx::PgPool;
use std::{future::Future, sync::Arc};

#[derive(Clone)]
pub struct Catalog {
    db: Db,
    cache: Cache,
    pub(super) search_limit: Throttle,
    pub(super) review_limit: Throttle,
}

/// How often one client may search, and one user write reviews or votes.
#[derive(Clone, Copy, Debug)]
pub struct CatalogLimits {
    pub search_per_client: Limit,
    pub reviews_per_user: Limit,
}

impl Default for CatalogLimits {
    fn default() -> Self {
        Self {
            search_per_client: Limit::per_minute(300),
            reviews_per_user: Limit::per_hour(30),
        }
    }
}

impl Catalog {
    pub fn new(db: Db, cache: Cache) -> Self {
        Self {
            db,
            cache,
            search_limit: Throttle::default(),
            review_limit: Throttle::default(),
        }
    }

    /// The same, limiting searches and review writes.
    pub fn with_limits(self, limiter: RateLimiter, limits: CatalogLimits) -> Self {
        Self {
            search_limit: Throttle::new(limiter.clone(), limits.search_per_client),
            review_limit: Throttle::new(limiter, limits.reviews_per_user),
            ..self
        }
    }

    /// Catalog reads tolerate replication lag.
    pub(super) fn read(&self) -> &PgPool {
        self.db.read()
    }

    pub(super) fn write(&self) -> &PgPool {
        self.db.primary()
    }

    pub(super) fn cache(&self) -> &Cache {
        &self.cache
    }

    /// A list read through the cache, under a key of the current catalog generation, so any
    /// catalog change reads it afresh.
    pub(super) async fn cached_list<T, E, Fut>(
        &self,
        name: &str,
        params: &impl std::fmt::Debug,
        load: impl FnOnce() -> Fut,
    ) -> Result<Arc<T>, E>
    where
        T: Serialize + DeserializeOwned + Send + Sync + 'static,
        Fut: Future<Output = Result<T, E>>,
    {
        let key = self.cache.list_key(name, params).await;
        self.cache.get_or_load(&key, Trust::Shared, load).await
    }
}
