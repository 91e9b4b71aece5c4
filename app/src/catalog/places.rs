//! Cities and theaters: by city, near a point (haversine, in kilometres), one with its screens.

use super::{Catalog, CatalogError, City, ShowFilter, ShowInfo};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use uuid::Uuid;

#[derive(Clone, Debug, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct CityInfo {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub state: String,
    pub latitude: f64,
    pub longitude: f64,
    pub time_zone: String,
    /// Theaters with at least one show still to start.
    pub theaters_with_shows: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct TheaterInfo {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub city_id: Uuid,
    pub address: String,
    pub latitude: f64,
    pub longitude: f64,
    pub amenities: Vec<String>,
    /// Kilometres from the point asked about, for searches near a place.
    pub distance_km: Option<f64>,
}

/// Where to look for theaters: a city, or a circle around a point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Near {
    City(Uuid),
    Point { lat: f64, lng: f64, radius_km: f64 },
}

/// The radius when none is asked for.
pub const DEFAULT_RADIUS_KM: f64 = 25.0;

/// Degrees to the centimetre (seven decimals), as every coordinate is stored and asked about:
/// finer is noise, and the distance's trigonometry in PostgreSQL fails on the underflow that
/// subnormal numbers (`5e-324`) cause.
pub fn to_centimetre(degrees: f64) -> f64 {
    (degrees * 1e7).round() / 1e7
}

impl Near {
    /// A city, or a point on Earth with a radius of up to 500 km; anything else names the field
    /// at fault.
    pub fn parse(
        city_id: Option<Uuid>,
        lat: Option<f64>,
        lng: Option<f64>,
        radius_km: Option<f64>,
    ) -> Result<Self, CatalogError> {
        match (city_id, lat, lng) {
            (_, Some(lat), Some(lng)) => {
                let radius_km = radius_km.unwrap_or(DEFAULT_RADIUS_KM);
                if !(-90.0..=90.0).contains(&lat) {
                    return Err(CatalogError::field("lat", "err-latitude"));
                }
                if !(-180.0..=180.0).contains(&lng) {
                    return Err(CatalogError::field("lng", "err-longitude"));
                }
                if !(radius_km > 0.0 && radius_km <= 500.0) {
                    return Err(CatalogError::field("radius_km", "err-radius"));
                }
                Ok(Self::Point {
                    lat: to_centimetre(lat),
                    lng: to_centimetre(lng),
                    radius_km,
                })
            }
            (Some(city), None, None) => Ok(Self::City(city)),
            _ => Err(CatalogError::field("city_id", "err-where")),
        }
    }
}

#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ScreenInfo {
    pub id: Uuid,
    pub name: String,
    pub formats: Vec<String>,
    pub seats: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TheaterDetails {
    #[serde(flatten)]
    pub theater: TheaterInfo,
    pub screens: Vec<ScreenInfo>,
    /// Shows on the theater's local today that have not started yet.
    pub todays_shows: Vec<ShowInfo>,
}

/// Great-circle distance in SQL (haversine, Earth radius 6371 km).
const DISTANCE_KM: &str = "6371 * 2 * asin(sqrt(
        power(sin(radians(t.latitude - $1) / 2), 2)
      + cos(radians($1)) * cos(radians(t.latitude)) * power(sin(radians(t.longitude - $2) / 2), 2)))";
const THEATER_COLUMNS: &str =
    "t.id, t.slug, t.name, t.city_id, t.address, t.latitude, t.longitude, t.amenities";

impl Catalog {
    /// Every city with coordinates, time zone and how many theaters have shows ahead.
    pub async fn cities(&self) -> Result<Arc<Vec<CityInfo>>, CatalogError> {
        self.cached_list("cities", &(), || async {
            Ok(sqlx::query_as(
                "SELECT c.id, c.slug, c.name, c.state, c.latitude, c.longitude, c.time_zone,
                        count(DISTINCT t.id) FILTER (WHERE EXISTS (
                            SELECT 1 FROM screens sc JOIN shows s ON s.screen_id = sc.id
                             WHERE sc.theater_id = t.id AND s.status = 'scheduled' AND s.starts_at > now()))
                            AS theaters_with_shows
                   FROM cities c LEFT JOIN theaters t ON t.city_id = c.id
                  GROUP BY c.id ORDER BY c.name",
            )
            .fetch_all(self.read())
            .await?)
        })
        .await
    }

    /// Cities for the city picker, busiest first, so the default city has the most to offer.
    pub async fn city_choices(&self) -> Result<Arc<Vec<City>>, CatalogError> {
        self.cached_list("city-choices", &(), || async {
            Ok(sqlx::query_as(
                "SELECT c.id, c.slug, c.name, c.state, c.time_zone
                   FROM cities c LEFT JOIN theaters t ON t.city_id = c.id
                  GROUP BY c.id ORDER BY count(t.id) DESC, c.name",
            )
            .fetch_all(self.read())
            .await?)
        })
        .await
    }

    /// Theaters of a city by name, or within a circle nearest first.
    pub async fn theaters(&self, near: Near) -> Result<Vec<TheaterInfo>, CatalogError> {
        let db = self.read();
        let rows = match near {
            Near::City(city_id) => {
                let known: bool =
                    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM cities WHERE id = $1)")
                        .bind(city_id)
                        .fetch_one(db)
                        .await?;
                if !known {
                    return Err(CatalogError::field("city_id", "err-no-city"));
                }
                sqlx::query_as(&format!(
                    "SELECT {THEATER_COLUMNS}, NULL::float8 AS distance_km FROM theaters t
                      WHERE t.city_id = $1 ORDER BY t.name"
                ))
                .bind(city_id)
                .fetch_all(db)
                .await?
            }
            Near::Point {
                lat,
                lng,
                radius_km,
            } => {
                sqlx::query_as(&format!(
                    "SELECT * FROM (SELECT {THEATER_COLUMNS}, {DISTANCE_KM} AS distance_km FROM theaters t) near
                      WHERE distance_km <= $3 ORDER BY distance_km"
                ))
                .bind(lat)
                .bind(lng)
                .bind(radius_km)
                .fetch_all(db)
                .await?
            }
        };
        Ok(rows)
    }

    /// A theater with its screens and the rest of today's shows.
    pub async fn theater(&self, id: Uuid) -> Result<TheaterDetails, CatalogError> {
        let db = self.read();
        let theater: TheaterInfo = sqlx::query_as(&format!(
            "SELECT {THEATER_COLUMNS}, NULL::float8 AS distance_km FROM theaters t WHERE t.id = $1"
        ))
        .bind(id)
        .fetch_optional(db)
        .await?
        .ok_or(CatalogError::NotFound)?;
        let screens = sqlx::query_as(
            "SELECT sc.id, sc.name, sc.formats, (SELECT count(*) FROM seats s WHERE s.screen_id = sc.id AND s.retired_at IS NULL) AS seats
               FROM screens sc WHERE sc.theater_id = $1 ORDER BY sc.name",
        )
        .bind(id)
        .fetch_all(db)
        .await?;
        let filter = ShowFilter {
            theater_id: Some(id),
            today_only: true,
            ..ShowFilter::default()
        };
        let todays_shows = self.shows(&filter).await?.as_ref().clone();
        Ok(TheaterDetails {
            theater,
            screens,
            todays_shows,
        })
    }

    /// A theater's id and its city's time zone, by its slug.
    pub async fn theater_by_slug(
        &self,
        slug: &str,
    ) -> Result<Option<(Uuid, String)>, CatalogError> {
        Ok(sqlx::query_as(
            "SELECT t.id, c.time_zone FROM theaters t JOIN cities c ON c.id = t.city_id WHERE t.slug = $1",
        )
        .bind(slug)
        .fetch_optional(self.read())
        .await?)
    }
}
