//! `/api/v1` catalog: cities, theaters, movies, shows, seat maps and reviews.

use super::{ApiJson, ApiPath, ApiQuery, Page, Paging};
use app::{
    account::auth::Principal,
    catalog::{
        browse::{
            self, CityInfo, MovieFilter, MovieInfo, Near, Review, SeatMap, ShowFilter, ShowInfo,
            TheaterDetails, TheaterInfo, TrendingMovie,
        },
        CatalogError,
    },
    state::AppState,
};
use axum::{extract::State, routing::get, Json, Router};
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
        .route("/shows", get(shows))
        .route("/shows/{id}/seats", get(seats))
}

#[utoipa::path(get, path = "/api/v1/cities", tag = "catalog", responses((status = 200, body = [CityInfo])))]
pub async fn cities(State(state): State<AppState>) -> Result<Json<Vec<CityInfo>>, CatalogError> {
    Ok(Json(browse::cities(state.db.read()).await?))
}

#[derive(Deserialize, IntoParams)]
pub struct TheaterQuery {
    city_id: Option<Uuid>,
    lat: Option<f64>,
    lng: Option<f64>,
    /// Defaults to 25 km.
    radius_km: Option<f64>,
}

/// Theaters of a city, or near a point (sorted by distance, with `distance_km`).
#[utoipa::path(get, path = "/api/v1/theaters", tag = "catalog", params(TheaterQuery), responses(
    (status = 200, body = [TheaterInfo]), (status = 422, description = "validation_failed")))]
pub async fn theaters(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<TheaterQuery>,
) -> Result<Json<Vec<TheaterInfo>>, CatalogError> {
    let near = match (query.city_id, query.lat, query.lng) {
        (_, Some(lat), Some(lng)) => {
            let radius_km = query.radius_km.unwrap_or(25.0);
            if !(-90.0..=90.0).contains(&lat) {
                return Err(CatalogError::field(
                    "lat",
                    "Latitude is between -90 and 90.",
                ));
            }
            if !(-180.0..=180.0).contains(&lng) {
                return Err(CatalogError::field(
                    "lng",
                    "Longitude is between -180 and 180.",
                ));
            }
            if !(radius_km > 0.0 && radius_km <= 500.0) {
                return Err(CatalogError::field(
                    "radius_km",
                    "Use a radius above 0 and up to 500 km.",
                ));
            }
            Near::Point {
                lat,
                lng,
                radius_km,
            }
        }
        (Some(city), None, None) => Near::City(city),
        _ => {
            return Err(CatalogError::field(
                "city_id",
                "Give a city_id, or lat and lng.",
            ))
        }
    };
    Ok(Json(browse::theaters(state.db.read(), near).await?))
}

/// A theater with its screens and the rest of today's shows.
#[utoipa::path(get, path = "/api/v1/theaters/{id}", tag = "catalog", responses(
    (status = 200, body = TheaterDetails), (status = 404, description = "not_found")))]
pub async fn theater(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<TheaterDetails>, CatalogError> {
    Ok(Json(browse::theater(state.db.read(), id).await?))
}

#[derive(Deserialize, IntoParams)]
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
    (status = 200, description = "`{items, page, per_page, total}` of movies"), (status = 400, description = "invalid_query")))]
pub async fn movies(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<MovieQuery>,
) -> Result<Page<MovieInfo>, CatalogError> {
    let paging = Paging {
        page: query.page,
        per_page: query.per_page,
    };
    let (page, per_page) = paging
        .resolve()
        .map_err(|(field, message)| CatalogError::field(field, message))?;
    let filter = MovieFilter {
        city_id: query.city_id,
        language: query.language,
        genre: query.genre,
        format: query.format,
        date: query.date,
    };
    let key = state
        .cache
        .list_key("movies", &(&filter, page, per_page))
        .await;
    let (items, total) = state
        .cache
        .get_or_load(&key, || {
            browse::movies(state.db.read(), &filter, page, per_page)
        })
        .await?;
    Ok(Page::new(items, (page, per_page), total))
}

#[utoipa::path(get, path = "/api/v1/movies/{id}", tag = "catalog", responses(
    (status = 200, body = MovieInfo), (status = 404, description = "not_found")))]
pub async fn movie(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<MovieInfo>, CatalogError> {
    Ok(Json(browse::movie(state.db.read(), id).await?))
}

#[utoipa::path(get, path = "/api/v1/movies/upcoming", tag = "catalog", responses((status = 200, body = [MovieInfo])))]
pub async fn upcoming(State(state): State<AppState>) -> Result<Json<Vec<MovieInfo>>, CatalogError> {
    Ok(Json(browse::upcoming(state.db.read()).await?))
}

#[derive(Deserialize, IntoParams)]
pub struct CityFilter {
    city_id: Option<Uuid>,
}

#[utoipa::path(get, path = "/api/v1/movies/trending", tag = "catalog", params(CityFilter),
    responses((status = 200, body = [TrendingMovie])))]
pub async fn trending(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<CityFilter>,
) -> Result<Json<Vec<TrendingMovie>>, CatalogError> {
    Ok(Json(
        browse::trending(state.db.read(), query.city_id).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct SearchQuery {
    q: Option<String>,
}

/// Typo-tolerant search over titles, genres and languages.
#[utoipa::path(get, path = "/api/v1/movies/search", tag = "catalog", params(SearchQuery), responses(
    (status = 200, body = [MovieInfo]), (status = 422, description = "empty or over-long query")))]
pub async fn search(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<SearchQuery>,
) -> Result<Json<Vec<MovieInfo>>, CatalogError> {
    Ok(Json(
        browse::search(state.db.read(), query.q.as_deref().unwrap_or_default()).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct ShowQuery {
    movie_id: Option<Uuid>,
    city_id: Option<Uuid>,
    theater_id: Option<Uuid>,
    /// YYYY-MM-DD, in the theater's time zone.
    date: Option<NaiveDate>,
}

#[utoipa::path(get, path = "/api/v1/shows", tag = "catalog", params(ShowQuery), responses((status = 200, body = [ShowInfo])))]
pub async fn shows(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ShowQuery>,
) -> Result<Json<Vec<ShowInfo>>, CatalogError> {
    let filter = ShowFilter {
        movie_id: query.movie_id,
        city_id: query.city_id,
        theater_id: query.theater_id,
        date: query.date,
        today_only: false,
    };
    let key = state.cache.list_key("shows", &filter).await;
    let shows = state
        .cache
        .get_or_load(&key, || browse::shows(state.db.read(), &filter))
        .await?;
    Ok(Json(shows))
}

/// The seat map: layout, categories with prices, and every seat with its live status.
#[utoipa::path(get, path = "/api/v1/shows/{id}/seats", tag = "catalog", responses(
    (status = 200, body = SeatMap), (status = 404, description = "not_found")))]
pub async fn seats(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<SeatMap>, CatalogError> {
    Ok(Json(
        browse::seat_map(state.db.read(), &state.cache, id).await?,
    ))
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
    (status = 404, description = "not_found"), (status = 422, description = "validation_failed")))]
pub async fn review(
    State(state): State<AppState>,
    who: Principal,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<ReviewInput>,
) -> Result<Json<Review>, CatalogError> {
    Ok(Json(
        browse::save_review(
            state.db.primary(),
            who.user_id,
            id,
            input.rating,
            &input.body,
        )
        .await?,
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct ReviewQuery {
    /// `newest` (default) or `helpful`.
    sort: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/movies/{id}/reviews", tag = "catalog", params(ReviewQuery), responses(
    (status = 200, description = "`{items, page, per_page, total}` of reviews"), (status = 404, description = "not_found")))]
pub async fn reviews(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<ReviewQuery>,
) -> Result<Page<Review>, CatalogError> {
    let most_helpful = match query.sort.as_deref() {
        None | Some("newest") => false,
        Some("helpful") => true,
        Some(_) => return Err(CatalogError::field("sort", "Sort by newest or helpful.")),
    };
    let paging = Paging {
        page: query.page,
        per_page: query.per_page,
    };
    let (page, per_page) = paging
        .resolve()
        .map_err(|(field, message)| CatalogError::field(field, message))?;
    let (items, total) = browse::reviews(state.db.read(), id, most_helpful, page, per_page).await?;
    Ok(Page::new(items, (page, per_page), total))
}
