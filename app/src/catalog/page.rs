//! The home, movie and theater pages, assembled from the catalog service, with times in the
//! city's own zone and money as people read it.

use super::{
    Catalog, CatalogError, City, CityListing, DateChip, Filters, MovieCard, MovieDetails,
    MovieFilter, MovieListing, MovieShowtimes, ReviewCard, ReviewSort, ScreenLine, ShowFilter,
    ShowInfo, Showtime, TheaterCard, TheaterListing, TheaterShowtimes,
};
use crate::money;
use chrono::{NaiveDate, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

/// Days with shows on the movie page's date strip, at most.
const DAYS: i64 = 7;
/// Movies shown on the home page at most.
const HOME_MOVIES: u32 = 100;

/// What the home page picks: a city and optional filters.
#[derive(Debug, Default)]
pub struct HomeQuery {
    pub city: Option<City>,
    pub language: Option<String>,
    pub genre: Option<String>,
    pub format: Option<String>,
}

/// Longer than any slug a title makes.
const MAX_SLUG: usize = 200;

impl Catalog {
    /// Movies now showing in the city (filtered), what is trending there and what is coming.
    pub async fn home(
        &self,
        cities: Vec<City>,
        query: HomeQuery,
    ) -> Result<CityListing, CatalogError> {
        let mut filters = Filters {
            language: query.language,
            genre: query.genre,
            format: query.format,
            ..Filters::default()
        };
        let (now_showing, trending) = match &query.city {
            Some(city) => {
                let options = self.filter_options(city.id).await?;
                (filters.languages, filters.genres, filters.formats) = options.as_ref().clone();
                let filter = MovieFilter {
                    city_id: Some(city.id),
                    language: filters.language.clone(),
                    genre: filters.genre.clone(),
                    format: filters.format.clone(),
                    date: None,
                };
                let movies = self.movies(&filter, (1, HOME_MOVIES)).await?;
                let trending = self.trending(Some(city.id)).await?;
                (
                    movies.0.iter().map(MovieCard::from).collect(),
                    trending
                        .iter()
                        .take(10)
                        .map(|t| MovieCard::from(&t.movie))
                        .collect(),
                )
            }
            None => (Vec::new(), Vec::new()),
        };
        let upcoming = self.upcoming().await?.iter().map(MovieCard::from).collect();
        Ok(CityListing {
            cities,
            city: query.city,
            now_showing,
            trending,
            upcoming,
            filters,
        })
    }

    /// Details, the days with shows in the city (the first [`DAYS`] of them) with the chosen
    /// day's showtimes grouped by theater, and the latest reviews; `None` when there is no such
    /// movie. The strip starts at the first day with shows, so a movie opening in a month can
    /// be booked today. Cached like the lists it is made of (a new show or an edited review
    /// starts a new generation), so the page costs no query while it lasts.
    pub async fn movie_page(
        &self,
        slug: &str,
        city: City,
        date: Option<String>,
    ) -> Result<Option<MovieListing>, CatalogError> {
        // No slug is this long; the cache key is never built from one.
        if slug.len() > MAX_SLUG {
            return Ok(None);
        }
        let zone: Tz = city.time_zone.parse().unwrap_or(chrono_tz::Asia::Kolkata);
        let today = Utc::now().with_timezone(&zone).date_naive();
        match self.read_page(slug, city, zone, today, date).await {
            Ok(page) => Ok(Some(page)),
            Err(CatalogError::NotFound) => Ok(None),
            Err(err) => Err(err),
        }
    }

    /// The movie's days with shows, then the chosen day's page, each from the cache.
    async fn read_page(
        &self,
        slug: &str,
        city: City,
        zone: Tz,
        today: NaiveDate,
        date: Option<String>,
    ) -> Result<MovieListing, CatalogError> {
        // Only movies that exist are cached: unknown slugs cannot fill the cache.
        let key = (slug, city.id, today);
        let found = self
            .cached_list("movie_days", &key, || async {
                let movie_id = self
                    .movie_by_slug(slug)
                    .await?
                    .ok_or(CatalogError::NotFound)?;
                let days = self.show_days(movie_id, city.id, DAYS).await?;
                Ok::<_, CatalogError>((movie_id, days))
            })
            .await?;
        let (movie_id, days) = &*found;
        let selected = date
            .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
            .filter(|d| days.contains(d))
            .or(days.first().copied())
            .unwrap_or(today);
        let key = (movie_id, city.id, selected);
        let mut page = self
            .cached_list("movie_page", &key, || {
                self.read_movie_page(*movie_id, city.clone(), zone, selected)
            })
            .await?
            .as_ref()
            .clone();
        // The strip is drawn from the days just read, never from a page cached before them.
        page.dates = days
            .iter()
            .map(|&date| DateChip {
                date,
                today: date == today,
                selected: date == selected,
            })
            .collect();
        Ok(page)
    }

    async fn read_movie_page(
        &self,
        movie_id: Uuid,
        city: City,
        zone: Tz,
        selected: NaiveDate,
    ) -> Result<MovieListing, CatalogError> {
        let info = self.movie(movie_id).await?.as_ref().clone();
        let filter = ShowFilter {
            movie_id: Some(movie_id),
            city_id: Some(city.id),
            date: Some(selected),
            ..ShowFilter::default()
        };
        let mut theaters: Vec<TheaterShowtimes> = Vec::new();
        for show in self.shows(&filter).await?.iter() {
            let showtime = showtime(show, zone);
            match theaters
                .iter_mut()
                .find(|t| t.theater_id == show.theater_id)
            {
                Some(theater) => theater.showtimes.push(showtime),
                None => theaters.push(TheaterShowtimes {
                    theater_id: show.theater_id,
                    theater_name: show.theater_name.clone(),
                    showtimes: vec![showtime],
                }),
            }
        }
        theaters.sort_by(|a, b| a.theater_name.cmp(&b.theater_name));
        let (reviews, _) = self
            .reviews(movie_id, ReviewSort::Newest, (1, 5), None)
            .await?;
        Ok(MovieListing {
            movie: MovieDetails {
                id: info.id,
                runtime_minutes: info.runtime_minutes,
                release_date: info.release_date,
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
            // Filled by `read_page` from the days it has just read.
            dates: Vec::new(),
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

    /// A theater's card, screens and the rest of today's shows by movie.
    pub async fn theater_page(&self, id: Uuid, zone: &str) -> Result<TheaterListing, CatalogError> {
        let zone: Tz = zone.parse().unwrap_or(chrono_tz::Asia::Kolkata);
        let details = self.theater(id).await?;
        let mut movies: Vec<MovieShowtimes> = Vec::new();
        for show in &details.todays_shows {
            let showtime = showtime(show, zone);
            match movies.iter_mut().find(|m| m.slug == show.movie_slug) {
                Some(movie) => movie.showtimes.push(showtime),
                None => movies.push(MovieShowtimes {
                    title: show.movie_title.clone(),
                    slug: show.movie_slug.clone(),
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
                .map(|s| ScreenLine {
                    name: s.name,
                    seats: s.seats,
                    formats: s.formats,
                })
                .collect(),
            movies,
        })
    }
}

fn showtime(show: &ShowInfo, zone: Tz) -> Showtime {
    Showtime {
        id: show.id,
        starts: show.starts_at.with_timezone(&zone).naive_local(),
        format: show.format.clone(),
        language: show.language.clone(),
        price_from: money::format(show.price_min, &show.currency),
        availability: show.availability,
    }
}
