//! Browser sessions: in Redis when configured (shared by every instance, expiring by itself),
//! otherwise in PostgreSQL. Never in process memory, so any instance can serve any browser.

use async_trait::async_trait;
use redis::{aio::ConnectionManager, AsyncCommands};
use sqlx::PgPool;
use std::fmt;
use time::Duration;
use tower_sessions::{
    cookie::SameSite,
    session::{Id, Record},
    session_store::{self, ExpiredDeletion},
    Expiry, SessionManagerLayer, SessionStore,
};
use tower_sessions_sqlx_store::PostgresStore;

pub const COOKIE: &str = "district_session";
/// Over https the cookie carries the `__Host-` prefix: browsers then take it only when
/// Secure, for this host alone and the whole path, so a sibling subdomain cannot plant one.
pub const SECURE_COOKIE: &str = "__Host-district_session";
const IDLE_DAYS: i64 = 14;

#[derive(Clone, Debug)]
pub enum Store {
    Redis(RedisStore),
    Postgres(PostgresStore),
}

impl Store {
    pub fn new(db: PgPool, redis: Option<ConnectionManager>) -> Self {
        match redis {
            Some(conn) => Self::Redis(RedisStore { conn }),
            None => Self::Postgres(
                PostgresStore::new(db)
                    .with_schema_name("public")
                    .and_then(|s| s.with_table_name("web_sessions"))
                    .expect("valid identifiers"),
            ),
        }
    }

    /// Removes expired sessions (Redis expires its own).
    pub async fn delete_expired(&self) -> session_store::Result<()> {
        match self {
            Self::Redis(_) => Ok(()),
            Self::Postgres(store) => store.delete_expired().await,
        }
    }
}

/// HttpOnly, SameSite=Lax, Secure (and `__Host-`) over https; two weeks of inactivity ends
/// it, and a signed-in session ends at `account::auth::SESSION_LIFETIME` however active.
pub fn layer(store: Store, secure: bool) -> SessionManagerLayer<Store> {
    SessionManagerLayer::new(store)
        .with_name(if secure { SECURE_COOKIE } else { COOKIE })
        .with_path("/")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_expiry(Expiry::OnInactivity(Duration::days(IDLE_DAYS)))
}

#[async_trait]
impl SessionStore for Store {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            Self::Redis(store) => store.create(record).await,
            Self::Postgres(store) => store.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            Self::Redis(store) => store.save(record).await,
            Self::Postgres(store) => store.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            Self::Redis(store) => store.load(id).await,
            Self::Postgres(store) => store.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            Self::Redis(store) => store.delete(id).await,
            Self::Postgres(store) => store.delete(id).await,
        }
    }
}

/// Sessions as JSON under `session:<id>`, expiring with the session.
#[derive(Clone)]
pub struct RedisStore {
    conn: ConnectionManager,
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RedisStore")
    }
}

fn key(id: &Id) -> String {
    format!("session:{id}")
}

fn backend(err: impl fmt::Display) -> session_store::Error {
    session_store::Error::Backend(err.to_string())
}

impl RedisStore {
    async fn write(&self, record: &Record, only_if_new: bool) -> session_store::Result<bool> {
        let value =
            serde_json::to_vec(record).map_err(|e| session_store::Error::Encode(e.to_string()))?;
        let mut options = redis::SetOptions::default().with_expiration(redis::SetExpiry::EXAT(
            record.expiry_date.unix_timestamp().max(1) as u64,
        ));
        if only_if_new {
            options = options.conditional_set(redis::ExistenceCheck::NX);
        }
        let mut conn = self.conn.clone();
        let written: Option<String> = conn
            .set_options(key(&record.id), value, options)
            .await
            .map_err(backend)?;
        Ok(written.is_some())
    }
}

#[async_trait]
impl SessionStore for RedisStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        while !self.write(record, true).await? {
            record.id = Id::default();
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.write(record, false).await.map(|_| ())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let mut conn = self.conn.clone();
        let value: Option<Vec<u8>> = conn.get(key(id)).await.map_err(backend)?;
        value
            .map(|bytes| {
                serde_json::from_slice(&bytes)
                    .map_err(|e| session_store::Error::Decode(e.to_string()))
            })
            .transpose()
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        let mut conn = self.conn.clone();
        conn.del::<_, ()>(key(id)).await.map_err(backend)
    }
}
