//! Outbox events the relay gave up on, for platform admins to look into and send again.

#[cfg(feature = "ssr")]
use super::{audit::Audit, Dashboard, DashboardError};
#[cfg(feature = "ssr")]
use crate::booking::Actor;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// An event parked after its last attempt failed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow, utoipa::ToSchema))]
pub struct DeadLetter {
    pub id: i64,
    pub event_type: String,
    pub aggregate_id: Uuid,
    pub attempts: i32,
    pub last_error: Option<String>,
    /// Consumers that did take it: a retry goes only to the others.
    pub delivered_to: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub dead_at: DateTime<Utc>,
}

#[cfg(feature = "ssr")]
impl Dashboard {
    /// The newest dead letters (100).
    pub async fn dead_letters(&self, actor: Actor) -> Result<Vec<DeadLetter>, DashboardError> {
        Self::platform_only(actor)?;
        Ok(sqlx::query_as(
            "SELECT id, event_type, aggregate_id, attempts, last_error, delivered_to, created_at,
                    dead_at
               FROM outbox_events WHERE dead_at IS NOT NULL
              ORDER BY dead_at DESC, id DESC LIMIT 100",
        )
        .fetch_all(&self.db)
        .await?)
    }

    /// Puts a dead letter back in line with a fresh set of attempts, and wakes the relays.
    pub async fn retry_event(&self, actor: Actor, id: i64) -> Result<(), DashboardError> {
        Self::platform_only(actor)?;
        let mut tx = self.db.begin().await?;
        let revived: Option<(String, Uuid)> = sqlx::query_as(
            "UPDATE outbox_events
                SET dead_at = NULL, attempts = 0, next_attempt_at = now(), last_error = NULL
              WHERE id = $1 AND dead_at IS NOT NULL
             RETURNING event_type, aggregate_id",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((event_type, aggregate)) = revived else {
            return Err(DashboardError::NotFound);
        };
        sqlx::query("SELECT pg_notify($1, '')")
            .bind(crate::outbox::CHANNEL)
            .execute(&mut *tx)
            .await?;
        let audit = Audit::new(actor, None, "outbox.retried", aggregate);
        audit
            .record(
                &mut tx,
                serde_json::Value::Null,
                serde_json::json!({ "event": id, "event_type": event_type }),
            )
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
