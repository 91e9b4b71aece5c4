//! Changing what a show's seats cost, until its first sale. The show's seats are locked for the
//! change, so a hold either lands before it (and the change is refused: seats are held) or
//! after it (and is judged on the new prices: `hold_seats_many` refuses a hold priced the old
//! way).

use super::{
    audit::Audit, sales::lock_scheduled, shows::validate_prices, Dashboard, DashboardConflict,
    DashboardError,
};
use crate::{booking::Actor, i18n::Text, ids::ShowId};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};

impl Dashboard {
    /// Sets a show's prices while nobody holds or has bought a seat of it.
    pub(super) async fn reprice_show(
        &self,
        actor: Actor,
        show: ShowId,
        prices: &BTreeMap<String, i64>,
    ) -> Result<(), DashboardError> {
        validate_prices(prices)?;
        let (theater, screen) = self.run_show(actor, show).await?;
        let categories: BTreeSet<String> = sqlx::query_scalar(
            "SELECT c.name FROM seat_categories c
              WHERE c.screen_id = $1 AND EXISTS (SELECT 1 FROM seats s WHERE s.category_id = c.id AND s.retired_at IS NULL)",
        )
        .bind(screen)
        .fetch_all(&self.db)
        .await?
        .into_iter()
        .collect();
        let named: BTreeSet<String> = prices.keys().cloned().collect();
        if let Some(unknown) = named.difference(&categories).next() {
            let message = Text::new("err-not-screen-category").arg("category", unknown.as_str());
            return Err(DashboardError::field_with("prices", message));
        }
        if let Some(missing) = categories.difference(&named).next() {
            let message = Text::new("err-price-for").arg("category", missing.as_str());
            return Err(DashboardError::field_with("prices", message));
        }

        let mut tx = self.db.begin().await?;
        lock_scheduled(&mut tx, show).await?;
        // In the order every hold locks them, so the two queue rather than deadlock.
        sqlx::query("SELECT 1 FROM show_seats WHERE show_id = $1 ORDER BY seat_id FOR UPDATE")
            .bind(show)
            .execute(&mut *tx)
            .await?;
        let sold: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM seat_states WHERE show_id = $1 AND status::text <> 'available')",
        )
        .bind(show)
        .fetch_one(&mut *tx)
        .await?;
        if sold {
            let message = Text::new("err-show-has-sales");
            return Err(DashboardError::conflict(
                DashboardConflict::ShowHasSales,
                message,
            ));
        }
        let before: serde_json::Value = sqlx::query_scalar(
            "SELECT coalesce(jsonb_object_agg(c.name, p.price_minor), '{}')
               FROM show_prices p JOIN seat_categories c ON c.id = p.category_id
              WHERE p.show_id = $1",
        )
        .bind(show)
        .fetch_one(&mut *tx)
        .await?;
        let after = sqlx::types::Json(prices);
        sqlx::query("DELETE FROM show_prices WHERE show_id = $1")
            .bind(show)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO show_prices (show_id, category_id, price_minor)
             SELECT $1, c.id, ($3::jsonb ->> c.name)::bigint
               FROM seat_categories c WHERE c.screen_id = $2 AND $3::jsonb ? c.name",
        )
        .bind(show)
        .bind(screen)
        .bind(after)
        .execute(&mut *tx)
        .await?;
        let audit = Audit::new(actor, Some(theater), "show.repriced", show.into());
        let after = serde_json::to_value(prices).unwrap_or_default();
        audit
            .record(&mut tx, json!({"prices": before}), json!({"prices": after}))
            .await?;
        tx.commit().await?;
        self.catalog.layout_changed(show).await;
        Ok(())
    }
}
