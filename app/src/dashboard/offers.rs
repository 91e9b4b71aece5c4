//! Offers as their admins run them: a platform admin makes offers anywhere, a theater admin
//! only offers scoped to a theater they run. Creating and changing one is written to the audit
//! log in the same transaction; its report reads what the bookings did with it.

use super::{audit::Audit, Dashboard, DashboardError};
use crate::{
    account::{runs_theater, Role},
    booking::Actor,
    ids::OfferId,
    offer::{
        normal_code, NewOffer, Offer, OfferBase, OfferChange, OfferKind, OfferReport, OfferRow,
    },
};
use serde_json::json;
use uuid::Uuid;

/// A flat discount of more than this (₹10,00,000) is a typing mistake.
const MAX_FLAT: i64 = 100_000_000;

impl Dashboard {
    /// The offers the actor runs: every one for a platform admin.
    pub async fn offers(&self, actor: Actor) -> Result<Vec<Offer>, DashboardError> {
        self.staff(actor)?;
        let rows: Vec<OfferRow> = sqlx::query_as(
            "SELECT * FROM offers o
              WHERE $2 OR o.theater_id IN (SELECT theater_id FROM theater_admins WHERE user_id = $1)
              ORDER BY o.created_at DESC",
        )
        .bind(actor.user_id)
        .bind(actor.role == Role::Admin)
        .fetch_all(&self.db)
        .await?;
        Ok(rows.into_iter().map(Offer::from).collect())
    }

    pub async fn create_offer(
        &self,
        actor: Actor,
        new: &NewOffer,
    ) -> Result<Offer, DashboardError> {
        self.staff(actor)?;
        let code = normal_code(&new.code);
        validate(&code, new)?;
        let theater = self.offer_theater(actor, new).await?;
        let mut tx = self.db.begin().await?;
        let scope = &new.scope;
        let row: Result<OfferRow, sqlx::Error> = sqlx::query_as(
            "INSERT INTO offers (code, description, kind, value, max_discount_minor, min_order_minor,
                                 max_uses, per_user_limit, valid_from, valid_to, city_id, theater_id,
                                 movie_id, show_id, seat_category, gateway, stackable, base,
                                 cancellable, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
                     $19, $20)
             RETURNING *",
        )
        .bind(&code)
        .bind(new.description.trim())
        .bind(new.kind)
        .bind(new.value)
        .bind(new.max_discount)
        .bind(new.min_order)
        .bind(new.max_uses)
        .bind(new.per_user_limit)
        .bind(new.valid_from)
        .bind(new.valid_to)
        .bind(scope.city_id)
        .bind(theater)
        .bind(scope.movie_id)
        .bind(scope.show_id)
        .bind(scope.seat_category.as_deref().map(str::trim))
        .bind(scope.gateway.map(|g| g.as_str()))
        .bind(new.stackable)
        .bind(new.base)
        .bind(new.cancellable)
        .bind(actor.user_id)
        .fetch_one(&mut *tx)
        .await;
        let offer = Offer::from(row.map_err(refused)?);
        Audit::new(actor, theater, "offer.created", offer.offer_id.into())
            .record(&mut tx, json!(null), json!(offer))
            .await?;
        tx.commit().await?;
        Ok(offer)
    }

    /// An offer the actor runs, with what it has done.
    pub async fn offer_report(
        &self,
        actor: Actor,
        offer: OfferId,
    ) -> Result<OfferReport, DashboardError> {
        let offer = self.offer_run_by(actor, offer).await?;
        let mut reports = self.reports_of(vec![offer]).await?;
        reports.pop().ok_or(DashboardError::NotFound)
    }

    /// Every offer the actor runs, each with what it has done.
    pub async fn offer_reports(&self, actor: Actor) -> Result<Vec<OfferReport>, DashboardError> {
        let offers = self.offers(actor).await?;
        self.reports_of(offers).await
    }

    /// What bookings did with `offers`, read in one query.
    async fn reports_of(&self, offers: Vec<Offer>) -> Result<Vec<OfferReport>, DashboardError> {
        let ids: Vec<OfferId> = offers.iter().map(|o| o.offer_id).collect();
        let figures: Vec<(OfferId, i64, i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT bo.offer_id,
                    count(*) FILTER (WHERE bo.redeemed_at IS NOT NULL),
                    count(*) FILTER (WHERE bo.released_at IS NOT NULL),
                    count(*) FILTER (WHERE b.status = 'held' AND b.hold_expires_at > now()),
                    coalesce(sum(bo.discount_minor) FILTER (WHERE bo.redeemed_at IS NOT NULL
                                                              AND bo.released_at IS NULL), 0)::bigint,
                    coalesce(sum(b.total_minor) FILTER (WHERE bo.redeemed_at IS NOT NULL
                                                          AND bo.released_at IS NULL), 0)::bigint
               FROM booking_offers bo JOIN bookings b ON b.id = bo.booking_id
              WHERE bo.offer_id = ANY($1)
              GROUP BY bo.offer_id",
        )
        .bind(&ids)
        .fetch_all(&self.db)
        .await?;
        Ok(offers
            .into_iter()
            .map(|offer| {
                let (_, bookings, cancelled, live_claims, discount_given, sales) = figures
                    .iter()
                    .find(|f| f.0 == offer.offer_id)
                    .copied()
                    .unwrap_or((offer.offer_id, 0, 0, 0, 0, 0));
                OfferReport {
                    offer,
                    bookings,
                    cancelled,
                    live_claims,
                    discount_given,
                    sales,
                }
            })
            .collect())
    }

    /// Pauses, resumes or changes the limits of an offer the actor runs.
    pub async fn change_offer(
        &self,
        actor: Actor,
        offer: OfferId,
        change: &OfferChange,
    ) -> Result<Offer, DashboardError> {
        let before = self.offer_run_by(actor, offer).await?;
        if change.valid_to.is_some_and(|to| to <= before.valid_from) {
            return Err(DashboardError::field("valid_to", "err-offer-end"));
        }
        positive(change.max_uses, "max_uses")?;
        positive(change.per_user_limit, "per_user_limit")?;
        describe(change.description.as_deref())?;
        let mut tx = self.db.begin().await?;
        let row: Result<OfferRow, sqlx::Error> = sqlx::query_as(
            "UPDATE offers SET paused = coalesce($2, paused),
                               description = coalesce($3, description),
                               valid_to = coalesce($4, valid_to),
                               max_uses = coalesce($5, max_uses),
                               per_user_limit = coalesce($6, per_user_limit),
                               updated_at = now()
              WHERE id = $1 RETURNING *",
        )
        .bind(offer)
        .bind(change.paused)
        .bind(change.description.as_deref().map(str::trim))
        .bind(change.valid_to)
        .bind(change.max_uses)
        .bind(change.per_user_limit)
        .fetch_one(&mut *tx)
        .await;
        let after = Offer::from(row.map_err(refused)?);
        Audit::new(
            actor,
            before.scope.theater_id,
            "offer.changed",
            offer.into(),
        )
        .record(&mut tx, json!(before), json!(after))
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Theater and platform admins only.
    fn staff(&self, actor: Actor) -> Result<(), DashboardError> {
        match actor.role {
            Role::Customer => Err(DashboardError::Forbidden),
            Role::TheaterAdmin | Role::Admin => Ok(()),
        }
    }

    /// An offer the actor runs: 404 for none, 403 for another theater's or a platform offer.
    async fn offer_run_by(&self, actor: Actor, offer: OfferId) -> Result<Offer, DashboardError> {
        self.staff(actor)?;
        let row: Option<OfferRow> = sqlx::query_as("SELECT * FROM offers WHERE id = $1")
            .bind(offer)
            .fetch_optional(&self.db)
            .await?;
        let offer = Offer::from(row.ok_or(DashboardError::NotFound)?);
        match (actor.role, offer.scope.theater_id) {
            (Role::Admin, _) => Ok(offer),
            (_, Some(theater))
                if runs_theater(&self.db, actor.user_id, actor.role, theater).await? =>
            {
                Ok(offer)
            }
            _ => Err(DashboardError::Forbidden),
        }
    }

    /// The theater a new offer is scoped to: the show's, when it names one; a theater admin
    /// must name a theater (or a show) they run.
    async fn offer_theater(
        &self,
        actor: Actor,
        new: &NewOffer,
    ) -> Result<Option<Uuid>, DashboardError> {
        let mut theater = new.scope.theater_id;
        if let Some(show) = new.scope.show_id {
            let (show_theater, _) = match self.run_show(actor, show).await {
                Err(DashboardError::NotFound) => {
                    return Err(DashboardError::field("scope.show_id", "err-no-show"))
                }
                found => found?,
            };
            if theater.is_some_and(|t| t != show_theater) {
                return Err(DashboardError::field("scope", "err-show-elsewhere"));
            }
            theater = Some(show_theater);
        }
        match theater {
            Some(theater) => self.may_run(actor, theater).await?,
            None if actor.role != Role::Admin => {
                let message = "err-offer-theater";
                return Err(DashboardError::field("scope.theater_id", message));
            }
            None => {}
        }
        Ok(theater)
    }
}

fn validate(code: &str, new: &NewOffer) -> Result<(), DashboardError> {
    let well_formed = (3..=24).contains(&code.len())
        && code.starts_with(|c: char| c.is_ascii_alphanumeric())
        && code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !well_formed {
        let message = "err-offer-code-form";
        return Err(DashboardError::field("code", message));
    }
    match new.kind {
        OfferKind::Percent if !(1..=100).contains(&new.value) => {
            return Err(DashboardError::field("value", "err-percent"));
        }
        OfferKind::Flat if !(1..=MAX_FLAT).contains(&new.value) => {
            return Err(DashboardError::field("value", "err-amount"));
        }
        _ => {}
    }
    if new
        .max_discount
        .is_some_and(|cap| !(1..=MAX_FLAT).contains(&cap))
    {
        return Err(DashboardError::field("max_discount", "err-cap"));
    }
    if !(0..=MAX_FLAT).contains(&new.min_order) {
        return Err(DashboardError::field("min_order", "err-minimum"));
    }
    positive(new.max_uses, "max_uses")?;
    positive(new.per_user_limit, "per_user_limit")?;
    describe(Some(&new.description))?;
    if new.valid_to <= new.valid_from {
        return Err(DashboardError::field("valid_to", "err-offer-end"));
    }
    if let Some(category) = &new.scope.seat_category {
        if !(1..=40).contains(&category.trim().chars().count()) {
            return Err(DashboardError::field(
                "scope.seat_category",
                "err-name-category",
            ));
        }
        if new.base == OfferBase::Total {
            let message = "err-offer-base";
            return Err(DashboardError::field("base", message));
        }
    }
    Ok(())
}

fn positive(limit: Option<i32>, field: &str) -> Result<(), DashboardError> {
    match limit {
        Some(n) if n < 1 => Err(DashboardError::field(field, "err-limit")),
        _ => Ok(()),
    }
}

fn describe(description: Option<&str>) -> Result<(), DashboardError> {
    match description {
        Some(text) if text.trim().chars().count() > 200 => Err(DashboardError::field(
            "description",
            "err-offer-description",
        )),
        _ => Ok(()),
    }
}

/// A taken code or a scope naming nothing, as the admin should hear it.
fn refused(err: sqlx::Error) -> DashboardError {
    match err.as_database_error().and_then(|e| e.code()).as_deref() {
        Some("23505") => DashboardError::field("code", "err-code-taken"),
        Some("23503") => DashboardError::field("scope", "err-scope"),
        _ => err.into(),
    }
}
