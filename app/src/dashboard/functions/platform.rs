//! What platform admins run from the dashboard: cities, who runs each theater, and reviews.

#[cfg(feature = "ssr")]
use super::ssr::*;
use crate::{
    account::ManagedTheater,
    dashboard::{
        City, DashboardError, DeadLetter, HiddenReview, MovieChoice, MovieEdit, ReviewToModerate,
        TheaterAdmin,
    },
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Every city.
#[server(prefix = "/_fn", endpoint = "dashboard/cities")]
pub async fn cities() -> Result<Vec<City>, DashboardError> {
    answer(async move { dashboard().cities(actor().await?).await }.await)
}

#[server(prefix = "/_fn", endpoint = "dashboard/add-city")]
pub async fn add_city(
    name: String,
    state: String,
    latitude: f64,
    longitude: f64,
    time_zone: String,
) -> Result<City, DashboardError> {
    answer(
        async move {
            let city = crate::dashboard::NewCity {
                name,
                state,
                latitude,
                longitude,
                time_zone,
            };
            dashboard().add_city(actor().await?, &city).await
        }
        .await,
    )
}

/// A theater and the people who run it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TheaterStaff {
    pub theater: ManagedTheater,
    pub admins: Vec<TheaterAdmin>,
}

#[server(prefix = "/_fn", endpoint = "dashboard/admins")]
pub async fn theater_admins(theater_id: Uuid) -> Result<TheaterStaff, DashboardError> {
    answer(
        async move {
            let (actor, theater) = theater(theater_id).await?;
            let admins = dashboard().theater_admins(actor, theater_id).await?;
            Ok(TheaterStaff { theater, admins })
        }
        .await,
    )
}

/// Makes the user with `email` an admin of the theater.
#[server(prefix = "/_fn", endpoint = "dashboard/assign-admin")]
pub async fn assign_admin(theater_id: Uuid, email: String) -> Result<TheaterAdmin, DashboardError> {
    answer(
        async move {
            dashboard()
                .assign_admin(actor().await?, theater_id, &email)
                .await
        }
        .await,
    )
}

#[server(prefix = "/_fn", endpoint = "dashboard/remove-admin")]
pub async fn remove_admin(
    theater_id: Uuid,
    user_id: Uuid,
    next: Option<String>,
) -> Result<(), DashboardError> {
    answer(
        async move {
            dashboard()
                .remove_admin(actor().await?, theater_id, user_id)
                .await?;
            back(next);
            Ok(())
        }
        .await,
    )
}

/// The newest reviews, for moderation (platform admins).
#[server(prefix = "/_fn", endpoint = "dashboard/reviews")]
pub async fn recent_reviews() -> Result<Vec<ReviewToModerate>, DashboardError> {
    answer(async move { dashboard().recent_reviews(actor().await?).await }.await)
}

/// Hides a review from everyone but its author, who sees the reason.
#[server(prefix = "/_fn", endpoint = "dashboard/hide-review")]
pub async fn hide_review(review_id: Uuid, reason: String) -> Result<HiddenReview, DashboardError> {
    answer(
        async move {
            dashboard()
                .hide_review(actor().await?, review_id, &reason)
                .await
        }
        .await,
    )
}

/// Events the outbox relay gave up on (platform admins).
#[server(prefix = "/_fn", endpoint = "dashboard/dead-letters")]
pub async fn dead_letters() -> Result<Vec<DeadLetter>, DashboardError> {
    answer(async move { dashboard().dead_letters(actor().await?).await }.await)
}

/// Sends a dead letter again.
#[server(prefix = "/_fn", endpoint = "dashboard/retry-event")]
pub async fn retry_event(event_id: i64) -> Result<(), DashboardError> {
    answer(async move { dashboard().retry_event(actor().await?, event_id).await }.await)
}

/// Every movie, newest release first (platform admins).
#[server(prefix = "/_fn", endpoint = "dashboard/movies")]
pub async fn movie_list() -> Result<Vec<MovieChoice>, DashboardError> {
    answer(
        async move {
            crate::dashboard::Dashboard::platform_only(actor().await?)?;
            dashboard().movie_choices().await
        }
        .await,
    )
}

/// A movie as its edit form shows it (platform admins).
#[server(prefix = "/_fn", endpoint = "dashboard/movie")]
pub async fn movie_to_edit(movie_id: Uuid) -> Result<MovieEdit, DashboardError> {
    answer(async move { dashboard().movie_details(actor().await?, movie_id).await }.await)
}
