//! A theater's details, its screens and their seat layouts.

#[cfg(feature = "ssr")]
use super::ssr::*;
use crate::{
    account::ManagedTheater,
    dashboard::{
        layout::{ScreenLayout, ScreenSummary},
        DashboardError, TheaterDetails,
    },
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A theater with its screens.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScreenList {
    pub theater: ManagedTheater,
    pub screens: Vec<ScreenSummary>,
    pub details: TheaterDetails,
}

#[server(prefix = "/_fn", endpoint = "dashboard/screens")]
pub async fn theater_screens(theater_id: Uuid) -> Result<ScreenList, DashboardError> {
    answer(
        async move {
            let (actor, theater) = theater(theater_id).await?;
            let dashboard = dashboard();
            Ok(ScreenList {
                theater,
                screens: dashboard.screens(actor, theater_id).await?,
                details: dashboard.theater_details(actor, theater_id).await?,
            })
        }
        .await,
    )
}

/// Replaces what a theater's page tells moviegoers; amenities are comma separated.
#[server(prefix = "/_fn", endpoint = "dashboard/theater")]
pub async fn save_theater(
    theater_id: Uuid,
    name: String,
    address: String,
    latitude: f64,
    longitude: f64,
    amenities: String,
) -> Result<TheaterDetails, DashboardError> {
    answer(
        async move {
            let details = TheaterDetails {
                name,
                address,
                latitude,
                longitude,
                amenities: amenities
                    .split(',')
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(String::from)
                    .collect(),
            };
            dashboard()
                .edit_theater(actor().await?, theater_id, &details)
                .await
        }
        .await,
    )
}

/// A screen's name, formats and the minutes kept free between one of its shows and the next.
#[server(prefix = "/_fn", endpoint = "dashboard/screen")]
pub async fn save_screen(
    screen_id: Uuid,
    name: String,
    cleaning_minutes: i32,
    formats: Option<Vec<String>>,
    next: Option<String>,
) -> Result<ScreenSummary, DashboardError> {
    answer(
        async move {
            let actor = actor().await?;
            let settings = crate::dashboard::ScreenSettings {
                name: Some(name),
                cleaning_minutes: Some(cleaning_minutes),
                formats: Some(formats.unwrap_or_default()),
            };
            let screen = dashboard().edit_screen(actor, screen_id, &settings).await?;
            back(next);
            Ok(screen)
        }
        .await,
    )
}

/// A screen's layout as the editor opens it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayoutPage {
    pub theater: ManagedTheater,
    pub screen: ScreenSummary,
    pub layout: ScreenLayout,
}

#[server(prefix = "/_fn", endpoint = "dashboard/layout")]
pub async fn open_layout(screen_id: Uuid) -> Result<LayoutPage, DashboardError> {
    answer(
        async move {
            let actor = actor().await?;
            let dashboard = dashboard();
            let theater_id = dashboard.run_screen(actor, screen_id).await?;
            let (_, theater) = theater(theater_id).await?;
            let screens = dashboard.screens(actor, theater_id).await?;
            let screen = screens
                .into_iter()
                .find(|s| s.id == screen_id)
                .ok_or(DashboardError::NotFound)?;
            let layout = dashboard.screen_layout(actor, screen_id).await?;
            Ok(LayoutPage {
                theater,
                screen,
                layout,
            })
        }
        .await,
    )
}

/// The layout JSON of a form's `layout` field; a problem with it is a field error.
#[cfg(feature = "ssr")]
fn parse_layout(json: &str) -> Result<ScreenLayout, DashboardError> {
    serde_json::from_str(json).map_err(|err| {
        let text = crate::i18n::Text::new("err-layout-json").arg("detail", err.to_string());
        DashboardError::field_with("layout", text)
    })
}

/// Replaces a screen's layout (the editor's JSON, or one pasted in).
#[server(prefix = "/_fn", endpoint = "dashboard/save-layout")]
pub async fn save_layout(screen_id: Uuid, layout: String) -> Result<ScreenLayout, DashboardError> {
    answer(
        async move {
            let layout = parse_layout(&layout)?;
            dashboard()
                .edit_layout(actor().await?, screen_id, &layout)
                .await
        }
        .await,
    )
}

/// Adds a screen with its layout, then opens the theater's screens.
#[server(prefix = "/_fn", endpoint = "dashboard/add-screen")]
pub async fn add_screen(
    theater_id: Uuid,
    name: String,
    cleaning_minutes: Option<i32>,
    formats: Option<Vec<String>>,
    layout: String,
) -> Result<ScreenSummary, DashboardError> {
    answer(
        async move {
            let screen = crate::dashboard::layout::NewScreen {
                name,
                cleaning_minutes,
                formats: formats.unwrap_or_default(),
                layout: parse_layout(&layout)?,
            };
            let added = dashboard()
                .add_screen(actor().await?, theater_id, &screen)
                .await?;
            leptos_axum::redirect(&format!("/dashboard/theaters/{theater_id}/screens"));
            Ok(added)
        }
        .await,
    )
}
