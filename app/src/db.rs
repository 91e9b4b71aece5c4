//! The PostgreSQL pools a domain reads and writes through.

use sqlx::PgPool;

/// Writes, and reads that must see them, go to the primary; reads that tolerate replication
/// lag (catalog browsing, seat maps) may go to a replica.
#[derive(Clone, Debug)]
pub struct Db {
    primary: PgPool,
    replica: Option<PgPool>,
}

impl Db {
    pub fn new(primary: PgPool, replica: Option<PgPool>) -> Self {
        Self { primary, replica }
    }

    pub fn primary(&self) -> &PgPool {
        &self.primary
    }

    /// The replica when there is one.
    pub fn read(&self) -> &PgPool {
        self.replica.as_ref().unwrap_or(&self.primary)
    }
}

/// The name of the constraint a database error violated, if any.
pub fn constraint(err: &sqlx::Error) -> Option<&str> {
    err.as_database_error().and_then(|e| e.constraint())
}
