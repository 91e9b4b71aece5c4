//! Assembles the movie page from the catalog service, with times in the city's own zone.

use super::{
    browse::{self, ShowFilter, ShowInfo},
    CatalogError, City, DateChip, MovieDetails, MovieListing, MovieShowtimes, ReviewCard, Showtime,
    TheaterCard, TheaterListing, TheaterShowtimes,
};
use crate::money;
use chrono::{Days, NaiveDate, Utc};
use chrono_tz::Tz;
use sqlx::PgPool;
use uuid::Uuid;

const DAYS: u64 = 7;

pub async fn movie_page(
    db: &PgPool,
    movie_id: Uuid,
    city: City,
    date: Option<String>,
) -> Result<MovieListing, CatalogError> {
    let zone: Tz = city.time_zone.parse().unwrap_or(chrono_tz::Asia::Kolkata);
    let today = Utc::now().with_timezone(&zone).date_naive();
    let last = today + Days::new(DAYS - 1);
    let selected = date
        .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
        .filter(|d| (today..=last).contains(d))
        .unwrap_or(today);
    let info = browse::movie(db, movie_id).await?;
    let filter = ShowFilter {
        movie_id: Some(movie_id),
        city_id: Some(city.id),
        date: Some(selected),
        ..ShowFilter::default()
    };
    let mut theaters: Vec<TheaterShowtimes> = Vec::new();
    for show in browse::shows(db, &filter).await? {
        let (theater_id, theater_name) = (show.theater_id, show.theater_name.clone());
        let showtime = showtime(show, zone);
        match theaters.iter_mut().find(|t| t.theater_id == theater_id) {
            Some(theater) => theater.showtimes.push(showtime),
            None => theaters.push(TheaterShowtimes {
                theater_id,
                theater_name,
                showtimes: vec![showtime],
            }),
        }
    }
    theaters.sort_by(|a, b| a.theater_name.cmp(&b.theater_name));
    let (reviews, _) = browse::reviews(db, movie_id, false, 1, 5).await?;
    Ok(MovieListing {
        movie: MovieDetails {
            id: info.id,
            runtime: super::runtime_label(info.runtime_minutes),
            release: info.release_date.format("%-d %B %Y").to_string(),
            slug: info.slug,
            title: info.title,
            synopsis: info.synopsis,
            languages: info.languages,
            genres: info.genres,
            certificate: info.certificate,
            poster_url: info.poster_url,
            trailer_url: info.trailer_url,
            rating: info.rating,
            rating_count: info.rating_count,
        },
        city,
        dates: (0..DAYS)
            .map(|offset| {
                let day = today + Days::new(offset);
                DateChip {
                    date: day.format("%Y-%m-%d").to_string(),
                    weekday: match offset {
                        0 => "Today".to_owned(),
                        _ => day.format("%a").to_string(),
                    },
                    day: day.format("%-d %b").to_string(),
                    selected: day == selected,
                }
            })
            .collect(),
        theaters,
        reviews: reviews
            .into_iter()
            .map(|r| ReviewCard {
                author: r.author,
                rating: r.rating,
                body: r.body,
                verified: r.verified,
            })
            .collect(),
    })
}

fn showtime(show: ShowInfo, zone: Tz) -> Showtime {
    Showtime {
        id: show.id,
        time: show
            .starts_at
            .with_timezone(&zone)
            .format("%-I:%M %p")
            .to_string(),
        format: show.format,
        language: show.language,
        price_from: money::format(show.price_min, &show.currency),
        availability: show.availability,
    }
}

pub async fn theater_page(
    db: &PgPool,
    id: Uuid,
    zone: &str,
) -> Result<TheaterListing, CatalogError> {
    let zone: Tz = zone.parse().unwrap_or(chrono_tz::Asia::Kolkata);
    let details = browse::theater(db, id).await?;
    let mut movies: Vec<MovieShowtimes> = Vec::new();
    for show in details.todays_shows {
        let (title, slug) = (show.movie_title.clone(), show.movie_slug.clone());
        let showtime = showtime(show, zone);
        match movies.iter_mut().find(|m| m.slug == slug) {
            Some(movie) => movie.showtimes.push(showtime),
            None => movies.push(MovieShowtimes {
                title,
                slug,
                showtimes: vec![showtime],
            }),
        }
    }
    movies.sort_by(|a, b| a.title.cmp(&b.title));
    let theater = details.theater;
    Ok(TheaterListing {
        card: TheaterCard {
            slug: theater.slug,
            name: theater.name,
            address: theater.address,
            amenities: theater.amenities,
            distance: None,
        },
        screens: details
            .screens
            .into_iter()
            .map(|s| format!("{}: {} seats, {}", s.name, s.seats, s.formats.join(" / ")))
            .collect(),
        movies,
    })
}
