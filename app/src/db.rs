//! The PostgreSQL pools a domain reads and writes through.

use sqlx::PgPool;
use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

/// How long a replica may take to answer the health check.
const CHECK_TIMEOUT: Duration = Duration::from_secs(1);

/// Writes, and reads that must see them, go to the primary; reads that tolerate replication
/// lag (catalog browsing, seat maps) go to a replica while it answers, else to the primary.
#[derive(Clone, Debug)]
pub struct Db {
    primary: PgPool,
    replica: Option<Replica>,
}

#[derive(Clone, Debug)]
struct Replica {
    pool: PgPool,
    /// As the last check found it (`check_replica`, every few seconds).
    answers: Arc<AtomicBool>,
}

impl Db {
    pub fn new(primary: PgPool, replica: Option<PgPool>) -> Self {
        let replica = replica.map(|pool| Replica {
            pool,
            answers: Arc::new(AtomicBool::new(true)),
        });
        Self { primary, replica }
    }

    pub fn primary(&self) -> &PgPool {
        &self.primary
    }

    /// The replica while it answers, else the primary.
    pub fn read(&self) -> &PgPool {
        match &self.replica {
            Some(replica) if replica.answers.load(Ordering::Relaxed) => &replica.pool,
            _ => &self.primary,
        }
    }

    /// The replica's pool, if one is configured (whether it answers or not).
    pub fn replica(&self) -> Option<&PgPool> {
        self.replica.as_ref().map(|r| &r.pool)
    }

    /// Asks the replica whether it answers, and routes reads by what it says; None without
    /// a replica.
    pub async fn check_replica(&self) -> Option<bool> {
        let replica = self.replica.as_ref()?;
        let asked = sqlx::query("SELECT 1").execute(&replica.pool);
        let answers = matches!(tokio::time::timeout(CHECK_TIMEOUT, asked).await, Ok(Ok(_)));
        if replica.answers.swap(answers, Ordering::Relaxed) != answers {
            match answers {
                true => tracing::info!("the replica answers again: reads go back to it"),
                false => tracing::warn!("the replica does not answer: reads go to the primary"),
            }
        }
        Some(answers)
    }
}

/// The name of the constraint a database error violated, if any.
pub fn constraint(err: &sqlx::Error) -> Option<&str> {
    err.as_database_error().and_then(|e| e.constraint())
}
