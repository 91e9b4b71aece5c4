//! The catalog handle: what every catalog read needs, and nothing else.

use crate::{
    cache::{Cache, Trust},
    db::Db,
};
use serde::{de::DeserializeOwned, Serialize};
use sqlx::PgPool;
use std::{future::Future, sync::Arc};

#[derive(Clone)]
pub struct Catalog {
    db: Db,
    cache: Cache,
}

impl Catalog {
    pub fn new(db: Db, cache: Cache) -> Self {
        Self { db, cache }
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
