//! What moviegoers browse: cities, theaters, movies, shows, seat layouts and reviews.
//!
//! One service (`Catalog`, server only) serves the pages' server functions (`functions`) and
//! the REST API. Every read may use the replica, and the hot ones are cached (`cache`).

mod functions;
mod listing;

#[cfg(feature = "ssr")]
mod layout;
#[cfg(feature = "ssr")]
mod movies;
#[cfg(feature = "ssr")]
mod page;
#[cfg(feature = "ssr")]
mod places;
#[cfg(feature = "ssr")]
mod reviews;
#[cfg(feature = "ssr")]
mod service;
#[cfg(feature = "ssr")]
mod shows;

pub use functions::*;
pub use listing::*;
#[cfg(feature = "ssr")]
pub use {
    layout::{local_starts, local_time, LayoutSeat, ShowLayout, ShowMeta},
    movies::{MovieFilter, MovieInfo, TrendingMovie},
    places::{to_centimetre, CityInfo, Near, ScreenInfo, TheaterDetails, TheaterInfo},
    reviews::{Review, ReviewSort},
    service::{Catalog, CatalogLimits},
    shows::{ShowFilter, ShowInfo},
};

use crate::i18n::Text;
use serde::{Deserialize, Serialize};

/// The cookie that remembers the moviegoer's city between visits.
pub const CITY_COOKIE: &str = "city";

words! {
    /// standard, wheelchair space, or companion seat beside one.
    pub enum SeatKind in "seat_kind" {
        Standard = "standard",
        Wheelchair = "wheelchair",
        Companion = "companion",
    }
}

words! {
    /// How full a show is, as listings say it.
    pub enum Availability {
        Available = "available",
        FillingFast = "filling_fast",
        AlmostFull = "almost_full",
        SoldOut = "sold_out",
    }
}

impl Availability {
    /// From the free seats of a show and all of them.
    pub fn of(free: i64, total: i64) -> Self {
        if free == 0 {
            Self::SoldOut
        } else if free * 5 <= total {
            Self::AlmostFull
        } else if free * 2 <= total {
            Self::FillingFast
        } else {
            Self::Available
        }
    }
}

/// A screen's grid: rows, columns and the columns left empty as walkways.
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

/// What can go wrong browsing the catalog.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CatalogError {
    Invalid(crate::error::FieldErrors),
    Unauthenticated,
    NotFound,
    RateLimited(u64),
    Unavailable,
    Transport(String),
}

explained!(CatalogError);

impl crate::i18n::Explained for CatalogError {
    fn text(&self) -> Text {
        let id = match self {
            Self::Invalid(_) => "err-params",
            Self::Unauthenticated => "err-sign-in",
            Self::NotFound => "err-not-found",
            Self::RateLimited(seconds) => {
                return Text::new("err-requests").arg("seconds", *seconds)
            }
            Self::Unavailable => "err-catalog-unavailable",
            Self::Transport(_) => "err-transport",
        };
        Text::new(id)
    }
}

impl CatalogError {
    pub fn field(name: &str, message: &str) -> Self {
        Self::Invalid(crate::error::field(name, Text::new(message)))
    }
}

impl leptos::server_fn::error::FromServerFnError for CatalogError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        Self::Transport(value.to_string())
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::CatalogError;
    use axum::{http::StatusCode, response::IntoResponse};
    use serde_json::{Map, Value};

    impl From<sqlx::Error> for CatalogError {
        fn from(err: sqlx::Error) -> Self {
            tracing::error!(error = %err, "catalog query failed");
            Self::Unavailable
        }
    }

    impl crate::error::ErrorBody for CatalogError {
        fn status(&self) -> StatusCode {
            match self {
                Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
                Self::Unauthenticated => StatusCode::UNAUTHORIZED,
                Self::NotFound => StatusCode::NOT_FOUND,
                Self::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
                Self::Unavailable | Self::Transport(_) => StatusCode::SERVICE_UNAVAILABLE,
            }
        }

        fn code(&self) -> &str {
            match self {
                Self::Invalid(_) => "validation_failed",
                Self::Unauthenticated => "unauthenticated",
                Self::NotFound => "not_found",
                Self::RateLimited(_) => "rate_limited",
                Self::Unavailable | Self::Transport(_) => "unavailable",
            }
        }

        fn retry_after(&self) -> Option<u64> {
            match self {
                Self::RateLimited(seconds) => Some(*seconds),
                _ => None,
            }
        }

        fn details(&self) -> Map<String, Value> {
            match self {
                Self::Invalid(fields) => {
                    Map::from_iter([("fields".to_owned(), crate::error::fields(fields))])
                }
                _ => Map::new(),
            }
        }
    }

    impl IntoResponse for CatalogError {
        fn into_response(self) -> axum::response::Response {
            crate::error::respond(&self)
        }
    }
}
