//! What a theater changes about a show once it is scheduled: its prices (until the first sale)
//! and whether it is on sale. A show whose sales are stopped takes no new hold (PostgreSQL
//! refuses it: `sales_paused`); holds already made stay and may still be paid for.

#[cfg(feature = "ssr")]
use super::{audit::Audit, Dashboard, DashboardConflict, DashboardError};
#[cfg(feature = "ssr")]
use crate::booking::Actor;
#[cfg(feature = "ssr")]
use crate::i18n::Text;
use crate::ids::ShowId;
use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use serde_json::json;
use std::collections::BTreeMap;

/// The change asked for: either part, or both (prices first).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ShowChange {
    /// Minor units by seat category: every category of the screen that has seats.
    #[serde(default)]
    pub prices: Option<BTreeMap<String, i64>>,
    /// False stops the show's sales, true resumes them.
    #[serde(default)]
    pub sales_open: Option<bool>,
}

/// A show's prices and whether it is on sale, after the change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow, utoipa::ToSchema))]
pub struct ShowSettings {
    pub show_id: ShowId,
    #[cfg_attr(feature = "ssr", sqlx(json))]
    pub prices: BTreeMap<String, i64>,
    pub sales_open: bool,
}

#[cfg(feature = "ssr")]
/// Locks a show's row for a change (not its key: holds insert bookings naming it meanwhile),
/// refusing a show that was called off; answers whether its sales are stopped.
pub(super) async fn lock_scheduled(
    tx: &mut sqlx::PgConnection,
    show: ShowId,
) -> Result<bool, DashboardError> {
    let (status, paused): (String, bool) =
        sqlx::query_as("SELECT status, sales_paused FROM shows WHERE id = $1 FOR NO KEY UPDATE")
            .bind(show)
            .fetch_one(tx)
            .await?;
    if status != "scheduled" {
        let message = Text::new("err-show-called-off");
        return Err(DashboardError::conflict(
            DashboardConflict::ShowCancelled,
            message,
        ));
    }
    Ok(paused)
}

#[cfg(feature = "ssr")]
impl Dashboard {
    /// Applies a change to a show of a theater the actor runs.
    pub async fn change_show(
        &self,
        actor: Actor,
        show: ShowId,
        change: &ShowChange,
    ) -> Result<ShowSettings, DashboardError> {
        if change.prices.is_none() && change.sales_open.is_none() {
            let message = "err-sales-change";
            return Err(DashboardError::field("prices", message));
        }
        if let Some(prices) = &change.prices {
            self.reprice_show(actor, show, prices).await?;
        }
        if let Some(open) = change.sales_open {
            self.set_sales(actor, show, open).await?;
        }
        self.show_settings(show).await
    }

    async fn set_sales(
        &self,
        actor: Actor,
        show: ShowId,
        open: bool,
    ) -> Result<(), DashboardError> {
        let (theater, _) = self.run_show(actor, show).await?;
        let mut tx = self.db.begin().await?;
        let paused = lock_scheduled(&mut tx, show).await?;
        // In the order every hold locks them: a hold being written finishes first, and any
        // later one reads the new state once it has its seats.
        sqlx::query("SELECT 1 FROM show_seats WHERE show_id = $1 ORDER BY seat_id FOR UPDATE")
            .bind(show)
            .execute(&mut *tx)
            .await?;
        if paused != open {
            // Already as asked: nothing to do or to record.
            return Ok(());
        }
        sqlx::query("UPDATE shows SET sales_paused = $2, updated_at = now() WHERE id = $1")
            .bind(show)
            .bind(!open)
            .execute(&mut *tx)
            .await?;
        let action = if open {
            "show.sales_resumed"
        } else {
            "show.sales_stopped"
        };
        let audit = Audit::new(actor, Some(theater), action, show.into());
        let (before, after) = (json!({"sales_open": !open}), json!({"sales_open": open}));
        audit.record(&mut tx, before, after).await?;
        tx.commit().await?;
        self.catalog.layout_changed(show).await;
        Ok(())
    }

    async fn show_settings(&self, show: ShowId) -> Result<ShowSettings, DashboardError> {
        Ok(sqlx::query_as(
            "SELECT sh.id AS show_id, NOT sh.sales_paused AS sales_open,
                    (SELECT coalesce(jsonb_object_agg(c.name, p.price_minor), '{}')
                       FROM show_prices p JOIN seat_categories c ON c.id = p.category_id
                      WHERE p.show_id = sh.id) AS prices
               FROM shows sh WHERE sh.id = $1",
        )
        .bind(show)
        .fetch_one(&self.db)
        .await?)
    }
}
