//! Server functions behind the catalog pages: the same service as the REST API. The city is
//! the one asked for (then remembered in a cookie), else the cookie's, else the busiest.

use super::{CatalogError, CityListing, MovieCard, MovieListing, TheaterCard, TheaterListing};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
mod ssr {
    use crate::catalog::{Catalog, CatalogError, City, CITY_COOKIE};
    use leptos::prelude::*;

    pub fn catalog() -> Catalog {
        expect_context::<Catalog>()
    }

    /// The city asked for (and then remembered), else the one in the cookie, else the busiest.
    pub async fn city(asked: Option<String>) -> Result<(Vec<City>, Option<City>), CatalogError> {
        let cities = catalog().city_choices().await?.as_ref().clone();
        let explicit = asked.and_then(|slug| cities.iter().find(|c| c.slug == slug).cloned());
        if let Some(chosen) = &explicit {
            remember(&chosen.slug);
        }
        let city = explicit
            .or_else(|| {
                let remembered = cookie()?;
                cities.iter().find(|c| c.slug == remembered).cloned()
            })
            .or_else(|| cities.first().cloned());
        Ok((cities, city))
    }

    fn cookie() -> Option<String> {
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

    fn remember(slug: &str) {
        use http::{header::SET_COOKIE, HeaderValue};
        let cookie = format!("{CITY_COOKIE}={slug}; Path=/; Max-Age=31536000; SameSite=Lax");
        if let (Some(response), Ok(value)) = (
            use_context::<leptos_axum::ResponseOptions>(),
            HeaderValue::from_str(&cookie),
        ) {
            response.append_header(SET_COOKIE, value);
        }
    }

    /// A filter picked in a form; the empty "All" choice means none.
    pub fn picked(value: Option<String>) -> Option<String> {
        value.filter(|v| !v.trim().is_empty())
    }
}

/// Movies now showing in the chosen city (optionally filtered), what is trending there and
/// what is coming.
#[server(prefix = "/_fn", endpoint = "home_catalog")]
pub async fn home_catalog(
    city: Option<String>,
    language: Option<String>,
    genre: Option<String>,
    format: Option<String>,
) -> Result<CityListing, CatalogError> {
    use super::page::HomeQuery;
    crate::error::answer(
        async move {
            let (cities, city) = ssr::city(city).await?;
            let query = HomeQuery {
                city,
                language: ssr::picked(language),
                genre: ssr::picked(genre),
                format: ssr::picked(format),
            };
            ssr::catalog().home(cities, query).await
        }
        .await,
    )
}

/// Everything the movie page shows; `None` when there is no such movie.
#[server(prefix = "/_fn", endpoint = "movie_page")]
pub async fn movie_page(
    slug: String,
    date: Option<String>,
) -> Result<Option<MovieListing>, CatalogError> {
    crate::error::answer(
        async move {
            let catalog = ssr::catalog();
            let (_, Some(city)) = ssr::city(None).await? else {
                return Ok(None);
            };
            catalog.movie_page(&slug, city, date).await
        }
        .await,
    )
}

/// Movies matching what the moviegoer typed (title with typos, genre or language).
#[server(prefix = "/_fn", endpoint = "search_movies")]
pub async fn search_movies(q: String) -> Result<Vec<MovieCard>, CatalogError> {
    if q.trim().is_empty() {
        return Ok(Vec::new());
    }
    let client = crate::account::functions::ssr::client_ip();
    crate::error::answer(
        ssr::catalog()
            .search(&client, &q)
            .await
            .map(|found| found.iter().map(MovieCard::from).collect()),
    )
}

/// Theaters near a point (within 25 km, nearest first), or without one those of the
/// moviegoer's city; with that city's name (none: near the point).
#[server(prefix = "/_fn", endpoint = "theaters_near")]
pub async fn theaters_near(
    lat: Option<f64>,
    lng: Option<f64>,
) -> Result<(Option<String>, Vec<TheaterCard>), CatalogError> {
    use super::Near;
    crate::error::answer(
        async move {
            let (city, near) = match (lat, lng) {
                (Some(_), Some(_)) => (None, Near::parse(None, lat, lng, None)?),
                _ => {
                    let (_, city) = ssr::city(None).await?;
                    let city = city.ok_or(CatalogError::NotFound)?;
                    (Some(city.name), Near::City(city.id))
                }
            };
            let theaters = ssr::catalog().theaters(near).await?;
            let cards = theaters
                .into_iter()
                .map(|t| TheaterCard {
                    slug: t.slug,
                    name: t.name,
                    address: t.address,
                    amenities: t.amenities,
                    distance: t.distance_km.map(|km| {
                        let km = format!("{km:.1}");
                        crate::i18n::t_with(
                            "theater-distance",
                            &[("km", crate::i18n::Arg::Text(&km))],
                        )
                    }),
                })
                .collect();
            Ok((city, cards))
        }
        .await,
    )
}

/// A theater's page; `None` when there is no such theater.
#[server(prefix = "/_fn", endpoint = "theater_page")]
pub async fn theater_page(slug: String) -> Result<Option<TheaterListing>, CatalogError> {
    crate::error::answer(
        async move {
            let catalog = ssr::catalog();
            let Some((id, zone)) = catalog.theater_by_slug(&slug).await? else {
                return Ok(None);
            };
            catalog.theater_page(id, &zone).await.map(Some)
        }
        .await,
    )
}
