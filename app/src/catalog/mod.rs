//! What moviegoers browse: cities and the movies playing in them.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[cfg(feature = "ssr")]
pub mod browse;
#[cfg(feature = "ssr")]
pub mod queries;

/// The cookie that remembers the moviegoer's city between visits.
pub const CITY_COOKIE: &str = "city";

/// A show's screen as the seat map draws it: layout, prices by category, every seat's state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SeatMap {
    pub show_id: Uuid,
    pub layout: Layout,
    pub categories: Vec<CategoryPrice>,
    pub seats: Vec<SeatInfo>,
}

impl SeatMap {
    /// The show's currency (every price of a show is in one).
    pub fn currency(&self) -> &str {
        self.categories.first().map_or("INR", |c| &c.currency)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Layout {
    pub rows: i32,
    pub columns: i32,
    /// Grid columns left empty as walkways.
    pub aisles: Vec<i32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow, utoipa::ToSchema))]
pub struct CategoryPrice {
    pub name: String,
    pub price: i64,
    pub currency: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow, utoipa::ToSchema))]
pub struct SeatInfo {
    pub id: Uuid,
    pub label: String,
    pub row: String,
    pub number: i32,
    pub category: String,
    pub price: i64,
    pub currency: String,
    pub kind: String,
    /// available, held or booked; a hold past its deadline reads as available.
    pub status: String,
    pub grid_row: i32,
    pub grid_col: i32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct City {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub state: String,
    pub time_zone: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct MovieCard {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub certificate: String,
    pub runtime_minutes: i32,
    pub languages: Vec<String>,
    pub genres: Vec<String>,
    pub poster_url: Option<String>,
}

#[cfg(feature = "ssr")]
impl From<browse::MovieInfo> for MovieCard {
    fn from(m: browse::MovieInfo) -> Self {
        Self {
            id: m.id,
            slug: m.slug,
            title: m.title,
            certificate: m.certificate,
            runtime_minutes: m.runtime_minutes,
            languages: m.languages,
            genres: m.genres,
            poster_url: m.poster_url,
        }
    }
}

impl MovieCard {
    pub fn runtime(&self) -> String {
        runtime_label(self.runtime_minutes)
    }
}

/// "2h 28m", the way cinema listings print it.
pub fn runtime_label(minutes: i32) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h {m}m"),
    }
}

/// What can go wrong browsing the catalog.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum CatalogError {
    #[error("Some parameters need attention.")]
    Invalid(std::collections::BTreeMap<String, String>),
    #[error("Not found.")]
    NotFound,
    #[error("The catalog is unavailable right now. Please try again.")]
    Unavailable,
}

impl CatalogError {
    pub fn field(name: &str, message: &str) -> Self {
        Self::Invalid([(name.to_owned(), message.to_owned())].into())
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for CatalogError {
    fn from(err: sqlx::Error) -> Self {
        tracing::error!(error = %err, "catalog query failed");
        Self::Unavailable
    }
}

#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for CatalogError {
    fn into_response(self) -> axum::response::Response {
        use axum::http::StatusCode;
        let (status, code, details) = match &self {
            Self::Invalid(fields) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                [("fields".to_owned(), serde_json::json!(fields))]
                    .into_iter()
                    .collect(),
            ),
            Self::NotFound => (StatusCode::NOT_FOUND, "not_found", Default::default()),
            Self::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                Default::default(),
            ),
        };
        crate::error::error_response(status, code, &self.to_string(), details, None)
    }
}

/// Everything the home page shows for one city.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CityListing {
    pub cities: Vec<City>,
    pub city: Option<City>,
    pub now_showing: Vec<MovieCard>,
    pub trending: Vec<MovieCard>,
    pub upcoming: Vec<MovieCard>,
    pub filters: Filters,
}

/// The filter choices that have shows in the city, and the ones picked.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Filters {
    pub languages: Vec<String>,
    pub genres: Vec<String>,
    pub formats: Vec<String>,
    pub language: Option<String>,
    pub genre: Option<String>,
    pub format: Option<String>,
}

/// Movies now showing in the chosen city (optionally filtered), what is trending there and
/// what is coming. An explicit, known `city` is remembered in a cookie; otherwise the cookie's
/// city, else the city with the most theaters.
#[server(prefix = "/_fn", endpoint = "home_catalog")]
pub async fn home_catalog(
    city: Option<String>,
    language: Option<String>,
    genre: Option<String>,
    format: Option<String>,
) -> Result<CityListing, ServerFnError> {
    use crate::state::AppState;
    let state = expect_context::<AppState>();
    let db = state.db.read();
    let cities = queries::cities(db).await.map_err(internal)?;
    let city = remembered_city(&cities, city);
    let picked = |value: Option<String>| value.filter(|v| !v.trim().is_empty());
    let mut filters = Filters {
        language: picked(language),
        genre: picked(genre),
        format: picked(format),
        ..Filters::default()
    };
    let cards = |movies: Vec<browse::MovieInfo>| {
        movies.into_iter().map(MovieCard::from).collect::<Vec<_>>()
    };
    let unavailable = |err: CatalogError| ServerFnError::new(err.to_string());
    let (now_showing, trending) = match &city {
        Some(city) => {
            (filters.languages, filters.genres, filters.formats) =
                queries::filter_options(db, city.id)
                    .await
                    .map_err(internal)?;
            let filter = browse::MovieFilter {
                city_id: Some(city.id),
                language: filters.language.clone(),
                genre: filters.genre.clone(),
                format: filters.format.clone(),
                date: None,
            };
            let (movies, _) = browse::movies(db, &filter, 1, 100)
                .await
                .map_err(unavailable)?;
            let trending = browse::trending(db, Some(city.id))
                .await
                .map_err(unavailable)?;
            (
                cards(movies),
                trending
                    .into_iter()
                    .take(10)
                    .map(|t| MovieCard::from(t.movie))
                    .collect(),
            )
        }
        None => (Vec::new(), Vec::new()),
    };
    let upcoming = cards(browse::upcoming(db).await.map_err(unavailable)?);
    Ok(CityListing {
        cities,
        city,
        now_showing,
        trending,
        upcoming,
        filters,
    })
}

/// The city asked for (and then remembered), else the one in the cookie, else the busiest.
#[cfg(feature = "ssr")]
fn remembered_city(cities: &[City], asked: Option<String>) -> Option<City> {
    let explicit = asked.and_then(|slug| cities.iter().find(|c| c.slug == slug).cloned());
    if let Some(chosen) = &explicit {
        remember_city(&chosen.slug);
    }
    explicit
        .or_else(|| {
            let remembered = cookie_city()?;
            cities.iter().find(|c| c.slug == remembered).cloned()
        })
        .or_else(|| cities.first().cloned())
}

#[cfg(feature = "ssr")]
fn internal(err: sqlx::Error) -> ServerFnError {
    tracing::error!(error = %err, "catalog query failed");
    ServerFnError::new("The catalog is unavailable right now. Please try again.")
}

#[cfg(feature = "ssr")]
fn cookie_city() -> Option<String> {
    let parts = use_context::<http::request::Parts>()?;
    parts
        .headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == CITY_COOKIE)
        .map(|(_, value)| value.to_owned())
}

#[cfg(feature = "ssr")]
fn remember_city(slug: &str) {
    use http::{header::SET_COOKIE, HeaderValue};
    let cookie = format!("{CITY_COOKIE}={slug}; Path=/; Max-Age=31536000; SameSite=Lax");
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        HeaderValue::from_str(&cookie),
    ) {
        response.append_header(SET_COOKIE, value);
    }
}

/// A movie as its page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MovieDetails {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub synopsis: String,
    pub runtime: String,
    pub languages: Vec<String>,
    pub genres: Vec<String>,
    pub certificate: String,
    pub release: String,
    pub poster_url: Option<String>,
    pub trailer_url: Option<String>,
    pub rating: Option<f64>,
    pub rating_count: i64,
}

/// One day of the 7-day strip, in the city's calendar.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DateChip {
    pub date: String,
    pub weekday: String,
    pub day: String,
    pub selected: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Showtime {
    pub id: Uuid,
    /// Local time at the theater, e.g. "7:45 PM".
    pub time: String,
    pub format: String,
    pub language: String,
    pub price_from: String,
    pub availability: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TheaterShowtimes {
    pub theater_id: Uuid,
    pub theater_name: String,
    pub showtimes: Vec<Showtime>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReviewCard {
    pub author: String,
    pub rating: i16,
    pub body: String,
    pub verified: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MovieListing {
    pub movie: MovieDetails,
    pub city: City,
    pub dates: Vec<DateChip>,
    pub theaters: Vec<TheaterShowtimes>,
    pub reviews: Vec<ReviewCard>,
}

/// Everything the movie page shows: details, the next 7 days of showtimes in the moviegoer's
/// city grouped by theater, and the latest reviews. `None` when there is no such movie.
#[server(prefix = "/_fn", endpoint = "movie_page")]
pub async fn movie_page(
    slug: String,
    date: Option<String>,
) -> Result<Option<MovieListing>, ServerFnError> {
    use crate::state::AppState;
    let state = expect_context::<AppState>();
    let db = state.db.read();
    let cities = queries::cities(db).await.map_err(internal)?;
    let Some(city) = remembered_city(&cities, None) else {
        return Ok(None);
    };
    let Some(movie_id) = queries::movie_id(db, &slug).await.map_err(internal)? else {
        return Ok(None);
    };
    page::movie_page(db, movie_id, city, date)
        .await
        .map(Some)
        .map_err(|err| ServerFnError::new(err.to_string()))
}

#[cfg(feature = "ssr")]
mod page;

/// Movies matching what the moviegoer typed (title with typos, genre or language).
#[server(prefix = "/_fn", endpoint = "search_movies")]
pub async fn search_movies(q: String) -> Result<Vec<MovieCard>, ServerFnError> {
    use crate::state::AppState;
    if q.trim().is_empty() {
        return Ok(Vec::new());
    }
    let state = expect_context::<AppState>();
    let found = browse::search(state.db.read(), &q)
        .await
        .map_err(|err| ServerFnError::new(err.to_string()))?;
    Ok(found.into_iter().map(MovieCard::from).collect())
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TheaterCard {
    pub slug: String,
    pub name: String,
    pub address: String,
    pub amenities: Vec<String>,
    /// "2.4 km", when searching near a place.
    pub distance: Option<String>,
}

/// Theaters near a point (within 25 km, nearest first), or without one those of the
/// moviegoer's city.
#[server(prefix = "/_fn", endpoint = "theaters_near")]
pub async fn theaters_near(
    lat: Option<f64>,
    lng: Option<f64>,
) -> Result<(String, Vec<TheaterCard>), ServerFnError> {
    use crate::state::AppState;
    use browse::Near;
    let state = expect_context::<AppState>();
    let db = state.db.read();
    let (heading, near) = match (lat, lng) {
        (Some(lat), Some(lng)) => (
            "near you".to_owned(),
            Near::Point {
                lat,
                lng,
                radius_km: 25.0,
            },
        ),
        _ => {
            let cities = queries::cities(db).await.map_err(internal)?;
            let city = remembered_city(&cities, None)
                .ok_or_else(|| ServerFnError::new("No cities yet."))?;
            (format!("in {}", city.name), Near::City(city.id))
        }
    };
    let theaters = browse::theaters(db, near)
        .await
        .map_err(|err| ServerFnError::new(err.to_string()))?;
    Ok((
        heading,
        theaters
            .into_iter()
            .map(|t| TheaterCard {
                slug: t.slug,
                name: t.name,
                address: t.address,
                amenities: t.amenities,
                distance: t.distance_km.map(|km| format!("{km:.1} km")),
            })
            .collect(),
    ))
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MovieShowtimes {
    pub title: String,
    pub slug: String,
    pub showtimes: Vec<Showtime>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TheaterListing {
    pub card: TheaterCard,
    pub screens: Vec<String>,
    /// The rest of today's shows at this theater, by movie.
    pub movies: Vec<MovieShowtimes>,
}

#[server(prefix = "/_fn", endpoint = "theater_page")]
pub async fn theater_page(slug: String) -> Result<Option<TheaterListing>, ServerFnError> {
    use crate::state::AppState;
    let state = expect_context::<AppState>();
    let db = state.db.read();
    let Some((id, zone)) = queries::theater_id(db, &slug).await.map_err(internal)? else {
        return Ok(None);
    };
    page::theater_page(db, id, &zone)
        .await
        .map(Some)
        .map_err(|err| ServerFnError::new(err.to_string()))
}
