//! `/api/v1/admin/offers`: promo codes and vouchers, made, paused and reported on by their
//! theater's admins or a platform admin.

use super::paged;
use crate::api::{ApiJson, ApiPath, ApiQuery, Page, Paging};
use app::{
    account::auth::Principal,
    dashboard::{Dashboard, DashboardError},
    ids::OfferId,
    offer::{NewOffer, Offer, OfferChange, OfferReport},
};
use axum::{extract::State, http::StatusCode, response::Response, Json};

/// Makes an offer. A theater admin's must be scoped to a theater (or a show) they run.
#[utoipa::path(post, path = "/api/v1/admin/offers", tag = "admin", security(("bearer" = [])),
    request_body = NewOffer, responses((status = 201, body = Offer),
    (status = 401, description = "unauthenticated"), (status = 403, description = "forbidden: not their theater"),
    (status = 422, description = "validation_failed: code (or taken), value, max_discount, min_order, max_uses, per_user_limit, valid_to, scope or base")))]
pub async fn create_offer(
    State(dashboard): State<Dashboard>,
    who: Principal,
    ApiJson(offer): ApiJson<NewOffer>,
) -> Result<(StatusCode, Json<Offer>), DashboardError> {
    let offer = dashboard.create_offer(who.into(), &offer).await?;
    Ok((StatusCode::CREATED, Json(offer)))
}

/// The offers the caller runs, newest first (every offer for a platform admin).
#[utoipa::path(get, path = "/api/v1/admin/offers", tag = "admin", security(("bearer" = [])),
    params(Paging), responses((status = 200, description = "`{items, page, per_page, total}` of offers", body = Page<Offer>),
    (status = 401, description = "unauthenticated"), (status = 403, description = "forbidden"),
    (status = 422, description = "validation_failed: page or per_page")))]
pub async fn list_offers(
    State(dashboard): State<Dashboard>,
    who: Principal,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Response, DashboardError> {
    let paging = paged(&paging)?;
    Ok(Page::of(&dashboard.offers(who.into()).await?, paging).respond())
}

/// One offer with its report: bookings confirmed with it, cancelled since, live claims,
/// discount given and what those bookings paid.
#[utoipa::path(get, path = "/api/v1/admin/offers/{id}", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = OfferReport),
    (status = 401, description = "unauthenticated"), (status = 403, description = "forbidden"),
    (status = 404, description = "not_found")))]
pub async fn offer_report(
    State(dashboard): State<Dashboard>,
    who: Principal,
    ApiPath(id): ApiPath<OfferId>,
) -> Result<Json<OfferReport>, DashboardError> {
    Ok(Json(dashboard.offer_report(who.into(), id).await?))
}

/// Pauses or resumes an offer, or changes its end, limits or description.
#[utoipa::path(patch, path = "/api/v1/admin/offers/{id}", tag = "admin", security(("bearer" = [])),
    request_body = OfferChange, responses((status = 200, body = Offer),
    (status = 401, description = "unauthenticated"), (status = 403, description = "forbidden"),
    (status = 404, description = "not_found"),
    (status = 422, description = "validation_failed")))]
pub async fn change_offer(
    State(dashboard): State<Dashboard>,
    who: Principal,
    ApiPath(id): ApiPath<OfferId>,
    ApiJson(change): ApiJson<OfferChange>,
) -> Result<Json<Offer>, DashboardError> {
    Ok(Json(dashboard.change_offer(who.into(), id, &change).await?))
}
