//! What was done at a theater, by whom and when, newest first: the audit log every dashboard
//! action writes in its own transaction.

#[cfg(feature = "ssr")]
use super::{Dashboard, DashboardError};
#[cfg(feature = "ssr")]
use crate::booking::Actor;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One action.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow, utoipa::ToSchema))]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    /// None once the user who acted is deleted.
    pub actor_id: Option<Uuid>,
    pub actor_email: Option<String>,
    /// `show.created`, `show.repriced`, `show.cancelled`, ...
    pub action: String,
    pub subject_id: Option<Uuid>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

#[cfg(feature = "ssr")]
/// An action about to be written down, in the transaction that does it.
pub(super) struct Audit {
    actor: Actor,
    /// None for platform actions (cities, movies).
    theater: Option<Uuid>,
    action: &'static str,
    subject: Uuid,
}

#[cfg(feature = "ssr")]
impl Audit {
    pub(super) fn new(
        actor: Actor,
        theater: Option<Uuid>,
        action: &'static str,
        subject: Uuid,
    ) -> Self {
        Self {
            actor,
            theater,
            action,
            subject,
        }
    }

    /// Writes the entry with the subject as it was and as it is.
    pub(super) async fn record(
        &self,
        tx: &mut sqlx::PgConnection,
        before: serde_json::Value,
        after: serde_json::Value,
    ) -> Result<(), DashboardError> {
        sqlx::query(
            "INSERT INTO audit_log (actor_id, theater_id, action, subject_id, before, after)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(self.actor.user_id)
        .bind(self.theater)
        .bind(self.action)
        .bind(self.subject)
        .bind(before)
        .bind(after)
        .execute(tx)
        .await?;
        Ok(())
    }
}

#[cfg(feature = "ssr")]
/// An entry and how many the whole list has.
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
struct Counted {
    #[sqlx(flatten)]
    entry: AuditEntry,
    total: i64,
}

#[cfg(feature = "ssr")]
impl Dashboard {
    /// One page (`page` from 1, `per_page` entries) of the actions at a theater the actor runs,
    /// newest first, and how many there are in all.
    pub async fn audit(
        &self,
        actor: Actor,
        theater: Uuid,
        (page, per_page): (u32, u32),
    ) -> Result<(Vec<AuditEntry>, i64), DashboardError> {
        // 404 for no such theater, 403 for one the actor does not run.
        self.theater_zone(actor, theater).await?;
        let rows: Vec<Counted> = sqlx::query_as(
            "SELECT a.at, a.actor_id, u.email AS actor_email, a.action, a.subject_id, a.before,
                    a.after, count(*) OVER () AS total
               FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
              WHERE a.theater_id = $1
              ORDER BY a.at DESC, a.id DESC
              LIMIT $2 OFFSET $3",
        )
        .bind(theater)
        .bind(i64::from(per_page))
        .bind(i64::from(page - 1) * i64::from(per_page))
        .fetch_all(&self.db)
        .await?;
        let total = match rows.first() {
            Some(row) => row.total,
            // Past the last page: still say how many there are.
            None => {
                sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE theater_id = $1")
                    .bind(theater)
                    .fetch_one(&self.db)
                    .await?
            }
        };
        Ok((rows.into_iter().map(|row| row.entry).collect(), total))
    }
}
