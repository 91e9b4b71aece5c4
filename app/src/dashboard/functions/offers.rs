//! Offers from the dashboard: the list with each one's report, making one from a plain form
//! (rupees and dates as people type them), pausing and resuming.
// A plain form's fields are its server function's arguments.
#![allow(clippy::too_many_arguments)]

#[cfg(feature = "ssr")]
use super::ssr::*;
use crate::{dashboard::DashboardError, ids::OfferId, offer::OfferReport};
use leptos::prelude::*;

/// The offers the signed-in admin runs, each with its report.
#[server(prefix = "/_fn", endpoint = "dashboard/offers")]
pub async fn offer_reports() -> Result<Vec<OfferReport>, DashboardError> {
    answer(async move { dashboard().offer_reports(actor().await?).await }.await)
}

/// Makes an offer. Amounts are in rupees; the offer runs from the start of `valid_from` to the
/// end of `valid_until`, days at the theater (in India's time for platform offers).
#[server(prefix = "/_fn", endpoint = "dashboard/offers/new")]
pub async fn create_offer(
    code: String,
    description: Option<String>,
    kind: String,
    value: String,
    max_discount: Option<String>,
    min_order: Option<String>,
    max_uses: Option<String>,
    per_user_limit: Option<String>,
    valid_from: chrono::NaiveDate,
    valid_until: chrono::NaiveDate,
    theater_id: Option<String>,
    seat_category: Option<String>,
    gateway: Option<String>,
    base: Option<String>,
    stackable: Option<String>,
    final_sale: Option<String>,
) -> Result<crate::offer::Offer, DashboardError> {
    use crate::dashboard::functions::minor_units;
    use crate::offer::{NewOffer, OfferBase, OfferKind, OfferScope};
    use crate::payment::Gateway;
    use uuid::Uuid;
    answer(
        async move {
            let actor = actor().await?;
            let dashboard = dashboard();
            let given = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
            let kind = OfferKind::parse(&kind)
                .ok_or_else(|| DashboardError::field("kind", "err-offer-kind"))?;
            let amount = |field: &str, text: &str| {
                minor_units(text).ok_or_else(|| DashboardError::field(field, "err-rupees-offer"))
            };
            let count =
                |field: &str, text: Option<String>| -> Result<Option<i32>, DashboardError> {
                    given(text)
                        .map(|t| t.trim().parse::<i32>())
                        .transpose()
                        .map_err(|_| DashboardError::field(field, "err-whole-number"))
                };
            let value = match kind {
                OfferKind::Percent => value
                    .trim()
                    .parse::<i64>()
                    .map_err(|_| DashboardError::field("value", "err-percent"))?,
                OfferKind::Flat => amount("value", &value)?,
            };
            let theater = given(theater_id)
                .map(|t| t.parse::<Uuid>())
                .transpose()
                .map_err(|_| DashboardError::field("scope.theater_id", "err-choose-theater"))?;
            let zone = match theater {
                Some(theater) => dashboard.theater_zone(actor, theater).await?,
                None => "Asia/Kolkata".to_owned(),
            };
            let zone: chrono_tz::Tz = zone.parse().map_err(|_| DashboardError::Unavailable)?;
            let at = |day: chrono::NaiveDate| {
                day.and_hms_opt(0, 0, 0)
                    .and_then(|t| t.and_local_timezone(zone).earliest())
                    .map(|t| t.with_timezone(&chrono::Utc))
                    .ok_or_else(|| DashboardError::field("valid_from", "err-date"))
            };
            let new = NewOffer {
                code,
                description: description.unwrap_or_default(),
                kind,
                value,
                max_discount: given(max_discount)
                    .map(|t| amount("max_discount", &t))
                    .transpose()?,
                min_order: given(min_order)
                    .map(|t| amount("min_order", &t))
                    .transpose()?
                    .unwrap_or(0),
                max_uses: count("max_uses", max_uses)?,
                per_user_limit: count("per_user_limit", per_user_limit)?,
                valid_from: at(valid_from)?,
                valid_to: at(valid_until + chrono::Days::new(1))?,
                scope: OfferScope {
                    theater_id: theater,
                    seat_category: given(seat_category),
                    gateway: given(gateway).and_then(|g| Gateway::parse(&g)),
                    ..OfferScope::default()
                },
                stackable: stackable.is_some(),
                base: given(base)
                    .and_then(|b| OfferBase::parse(&b))
                    .unwrap_or(OfferBase::Tickets),
                cancellable: final_sale.is_none(),
            };
            dashboard.create_offer(actor, &new).await
        }
        .await,
    )
}

/// Pauses (`paused` true) or resumes an offer.
#[server(prefix = "/_fn", endpoint = "dashboard/offers/pause")]
pub async fn pause_offer(
    offer_id: OfferId,
    paused: bool,
) -> Result<crate::offer::Offer, DashboardError> {
    use crate::offer::OfferChange;
    answer(
        async move {
            let change = OfferChange {
                paused: Some(paused),
                ..OfferChange::default()
            };
            dashboard()
                .change_offer(actor().await?, offer_id, &change)
                .await
        }
        .await,
    )
}
