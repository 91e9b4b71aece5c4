//! `/api/v1` catalog: cities, theaters, movies, shows and reviews. Every list answers the list
//! envelope and takes `page` and `per_page`.

use super::{ApiJson, ApiPath, ApiQuery, ClientIp, Page, Paging};
use crate::AppState;
use app::{
    account::auth::Principal,
    catalog::{
        Catalog, CatalogError, CityInfo, MovieFilter, MovieInfo, Near, Review, ReviewSort,
        ShowFilter, ShowInfo, TheaterDetails, TheaterInfo, TrendingMovie,
    },
};
use axum::{
    extract::State,
    response::{IntoResponse, Response},
    routing::get,
    routing::post,
    Json, Router,
};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cities", get(cities))
        .route("/theaters", get(theaters))
        .route("/theaters/{id}", get(theater))
        .route("/movies", get(movies))
        .route("/movies/upcoming", get(upcoming))
        .route("/movies/trending", get(trending))
        .route("/movies/search", get(search))
        .route("/movies/{id}", get(movie))
        .route("/movies/{id}/reviews", get(reviews).post(review))
        .route("/movies/{id}/reviews/{review_id}/helpful", post(helpful))
        .route("/shows", get(shows))
}

fn paged(paging: Paging) -> Result<(u32, u32), CatalogError> {
    paging
        .resolve()
        .map_err(|(field, message)| CatalogError::field(field, message))
}

/// Every city, by name, with how many theaters have shows ahead.
#[utoipa::path(get, path = "/api/v1/cities", tag = "catalog", params(Paging),
    responses((status = 200, description = "`{items, page, per_page, total}` of cities", body = Page<CityInfo>)))]
pub async fn cities(
    State(catalog): State<Catalog>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Response, CatalogError> {
    Ok(Page::of(&catalog.cities().await?, paged(paging)?).respond())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TheaterQuery {
    city_id: Option<Uuid>,
    lat: Option<f64>,
    lng: Option<f64>,
    /// Defaults to 25 km.
    radius_km: Option<f64>,
    page: Option<u32>,
    per_page: Option<u32>,
}

/// Theaters of a city, or near a point (sorted by distance, with `distance_km`).
#[utoipa::path(get, path = "/api/v1/theaters", tag = "catalog", params(TheaterQuery), responses(
    (status = 200, description = "`{items, page, per_page, total}` of theaters", body = Page<TheaterInfo>),
    (status = 422, description = "validation_failed")))]
pub async fn theaters(
    State(catalog): State<Catalog>,
    ApiQuery(query): ApiQuery<TheaterQuery>,
) -> Result<Response, CatalogError> {
    let paging = paged(Paging {
        page: query.page,
        per_page: query.per_page,
    })?;
    let near = Near::parse(query.city_id, query.lat, query.lng, query.radius_km)?;
    Ok(Page::of(&catalog.theaters(near).await?, paging).respond())
}

/// A theater with its screens and the rest of today's shows.
#[utoipa::path(get, path = "/api/v1/theaters/{id}", tag = "catalog", responses(
    (status = 200, body = TheaterDetails), (status = 404, description = "not_found")))]
pub async fn theater(
    State(catalog): State<Catalog>,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<TheaterDetails>, CatalogError> {
    Ok(Json(catalog.theater(id).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MovieQuery {
    city_id: Option<Uuid>,
    language: Option<String>,
    genre: Option<String>,
    format: Option<String>,
    /// YYYY-MM-DD, in the theater's time zone.
    date: Option<NaiveDate>,
    page: Option<u32>,
    per_page: Option<u32>,
}

/// Movies with at least one upcoming show matching every filter.
#[utoipa::path(get, path = "/api/v1/movies", tag = "catalog", params(MovieQuery), responses(
    (status = 200, description = "`{items, page, per_page, total}` of movies", body = Page<MovieInfo>),
    (status = 400, description = "invalid_query")))]
pub async fn movies(
    State(catalog): State<Catalog>,
    ApiQuery(query): ApiQuery<MovieQuery>,
) -> Result<Response, CatalogError> {
    let paging = paged(Paging {
        page: query.page,
        per_page: query.per_page,
    })?;
    let filter = MovieFilter {
        city_id: query.city_id,
        language: query.language,
        genre: query.genre,
        format: query.format,
        date: query.date,
    };
    let found = catalog.movies(&filter, paging).await?;
    Ok(Page::new(&found.0, paging, found.1).respond())
}

#[utoipa::path(get, path = "/api/v1/movies/{id}", tag = "catalog", responses(
    (status = 200, body = MovieInfo), (status = 404, description = "not_found")))]
pub async fn movie(
    State(catalog): State<Catalog>,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Response, CatalogError> {
    Ok(Json(&*catalog.movie(id).await?).into_response())
}

/// Releases still to come, soonest first.
#[utoipa::path(get, path = "/api/v1/movies/upcoming", tag = "catalog", params(Paging),
    responses((status = 200, description = "`{items, page, per_page, total}` of movies", body = Page<MovieInfo>)))]
pub async fn upcoming(
    State(catalog): State<Catalog>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Response, CatalogError> {
    Ok(Page::of(&catalog.upcoming().await?, paged(paging)?).respond())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrendingQuery {
    city_id: Option<Uuid>,
    page: Option<u32>,
    per_page: Option<u32>,
}

/// Movies now showing, ranked by confirmed bookings in the last 7 days.
#[utoipa::path(get, path = "/api/v1/movies/trending", tag = "catalog", params(TrendingQuery),
    responses((status = 200, description = "`{items, page, per_page, total}` of movies", body = Page<TrendingMovie>)))]
pub async fn trending(
    State(catalog): State<Catalog>,
    ApiQuery(query): ApiQuery<TrendingQuery>,
) -> Result<Response, CatalogError> {
    let paging = paged(Paging {
        page: query.page,
        per_page: query.per_page,
    })?;
    Ok(Page::of(&catalog.trending(query.city_id).await?, paging).respond())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    q: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

/// Typo-tolerant search over titles, genres and languages, the exact title first.
#[utoipa::path(get, path = "/api/v1/movies/search", tag = "catalog", params(SearchQuery), responses(
    (status = 200, description = "`{items, page, per_page, total}` of movies", body = Page<MovieInfo>),
    (status = 422, description = "empty or over-long query"),
    (status = 429, description = "rate_limited")))]
pub async fn search(
    State(catalog): State<Catalog>,
    ClientIp(client): ClientIp,
    ApiQuery(query): ApiQuery<SearchQuery>,
) -> Result<Response, CatalogError> {
    let paging = paged(Paging {
        page: query.page,
        per_page: query.per_page,
    })?;
    let found = catalog
        .search(&client, query.q.as_deref().unwrap_or_default())
        .await?;
    Ok(Page::of(&found, paging).respond())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ShowQuery {
    movie_id: Option<Uuid>,
    city_id: Option<Uuid>,
    theater_id: Option<Uuid>,
    /// YYYY-MM-DD, in the theater's time zone.
    date: Option<NaiveDate>,
    page: Option<u32>,
    per_page: Option<u32>,
}

/// Shows still to start, soonest first, with price range and availability.
#[utoipa::path(get, path = "/api/v1/shows", tag = "catalog", params(ShowQuery),
    responses((status = 200, description = "`{items, page, per_page, total}` of shows", body = Page<ShowInfo>)))]
pub async fn shows(
    State(catalog): State<Catalog>,
    ApiQuery(query): ApiQuery<ShowQuery>,
) -> Result<Response, CatalogError> {
    let paging = paged(Paging {
        page: query.page,
        per_page: query.per_page,
    })?;
    let filter = ShowFilter {
        movie_id: query.movie_id,
        city_id: query.city_id,
        theater_id: query.theater_id,
        date: query.date,
        today_only: false,
    };
    Ok(Page::of(&catalog.shows(&filter).await?, paging).respond())
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ReviewInput {
    /// 1 to 10.
    rating: i16,
    #[serde(default)]
    body: String,
}

/// Writes the signed-in user's review; a second review of the same movie edits the first.
#[utoipa::path(post, path = "/api/v1/movies/{id}/reviews", tag = "catalog", security(("bearer" = [])),
    request_body = ReviewInput, responses((status = 200, body = Review), (status = 401, description = "unauthenticated"),
    (status = 404, description = "not_found"), (status = 422, description = "validation_failed"),
    (status = 429, description = "rate_limited")))]
pub async fn review(
    State(catalog): State<Catalog>,
    who: Principal,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<ReviewInput>,
) -> Result<Json<Review>, CatalogError> {
    let saved = catalog
        .save_review(who.user_id, id, input.rating, &input.body)
        .await?;
    Ok(Json(saved))
}

/// The signed-in user found a review helpful; voting again changes nothing.
#[utoipa::path(post, path = "/api/v1/movies/{id}/reviews/{review_id}/helpful", tag = "catalog",
    security(("bearer" = [])), responses((status = 200, body = Review),
    (status = 401, description = "unauthenticated"), (status = 404, description = "not_found"),
    (status = 422, description = "validation_failed: your own review"),
    (status = 429, description = "rate_limited")))]
pub async fn helpful(
    State(catalog): State<Catalog>,
    who: Principal,
    ApiPath((id, review_id)): ApiPath<(Uuid, Uuid)>,
) -> Result<Json<Review>, CatalogError> {
    Ok(Json(
        catalog.vote_helpful(who.user_id, id, review_id).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReviewQuery {
    /// `newest` (default) or `helpful`.
    sort: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/movies/{id}/reviews", tag = "catalog", params(ReviewQuery), responses(
    (status = 200, description = "`{items, page, per_page, total}` of reviews", body = Page<Review>),
    (status = 404, description = "not_found")))]
pub async fn reviews(
    State(catalog): State<Catalog>,
    who: Option<Principal>,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<ReviewQuery>,
) -> Result<Response, CatalogError> {
    let sort = match query.sort.as_deref() {
        None => ReviewSort::Newest,
        Some(word) => {
            ReviewSort::parse(word).ok_or_else(|| CatalogError::field("sort", "err-review-sort"))?
        }
    };
    let paging = paged(Paging {
        page: query.page,
        per_page: query.per_page,
    })?;
    let (items, total) = catalog
        .reviews(id, sort, paging, who.map(|w| w.user_id))
        .await?;
    Ok(Page::new(&items, paging, total).respond())
}
