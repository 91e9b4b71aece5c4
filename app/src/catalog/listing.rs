//! What the catalog pages show, as it crosses from the server to the browser.

use super::Availability;
use crate::ids::ShowId;
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

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

/// A movie as its page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MovieDetails {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub synopsis: String,
    pub runtime_minutes: i32,
    pub languages: Vec<String>,
    pub genres: Vec<String>,
    pub certificate: String,
    pub release_date: NaiveDate,
    pub poster_url: Option<String>,
    pub trailer_url: Option<String>,
    pub rating: Option<f64>,
    pub rating_count: i64,
}

/// One day of the movie page's strip of days with shows, in the city's calendar (the page
/// writes it in its language).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DateChip {
    pub date: NaiveDate,
    pub today: bool,
    pub selected: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Showtime {
    pub id: ShowId,
    /// When it starts, on the theater's clock.
    pub starts: NaiveDateTime,
    pub format: String,
    pub language: String,
    pub price_from: String,
    pub availability: Availability,
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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TheaterCard {
    pub slug: String,
    pub name: String,
    pub address: String,
    pub amenities: Vec<String>,
    /// "2.4 km", when searching near a place.
    pub distance: Option<String>,
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
    pub screens: Vec<ScreenLine>,
    /// The rest of today's shows at this theater, by movie.
    pub movies: Vec<MovieShowtimes>,
}

/// A screen as a theater's page lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScreenLine {
    pub name: String,
    pub seats: i64,
    pub formats: Vec<String>,
}
