//! A theater's day of shows, putting shows on sale, stopping their sales and calling them off.
// A server function's arguments are its form's fields, however many the form has.
#![allow(clippy::too_many_arguments)]

#[cfg(feature = "ssr")]
use super::ssr::*;
use crate::{
    account::ManagedTheater,
    dashboard::{
        layout::ScreenSummary, CancelledShow, DashboardError, MovieChoice, Scheduled, ShowSettings,
        TheaterShow,
    },
    ids::ShowId,
};
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// A theater's shows of one day.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DayOfShows {
    pub theater: ManagedTheater,
    /// None for today at the theater.
    pub date: Option<NaiveDate>,
    pub shows: Vec<TheaterShow>,
}

#[server(prefix = "/_fn", endpoint = "dashboard/day")]
pub async fn theater_day(
    theater_id: Uuid,
    date: Option<NaiveDate>,
) -> Result<DayOfShows, DashboardError> {
    answer(
        async move {
            let (actor, theater) = theater(theater_id).await?;
            let shows = dashboard().theater_shows(actor, theater_id, date).await?;
            Ok(DayOfShows {
                theater,
                date,
                shows,
            })
        }
        .await,
    )
}

/// What the schedule form offers: the theater's screens, and for the chosen one its formats
/// and seat categories (a price for each), and the movies.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScheduleOptions {
    pub theater: ManagedTheater,
    pub screens: Vec<ScreenSummary>,
    pub screen: Option<ScreenSummary>,
    /// The chosen screen's categories, most premium first.
    pub categories: Vec<String>,
    pub movies: Vec<MovieChoice>,
}

#[server(prefix = "/_fn", endpoint = "dashboard/schedule-form")]
pub async fn schedule_form(
    theater_id: Uuid,
    screen_id: Option<Uuid>,
) -> Result<ScheduleOptions, DashboardError> {
    answer(
        async move {
            let (actor, theater) = theater(theater_id).await?;
            let dashboard = dashboard();
            let screens = dashboard.screens(actor, theater_id).await?;
            let screen = screen_id
                .and_then(|id| screens.iter().find(|s| s.id == id))
                .or(screens.first())
                .cloned();
            let categories = match &screen {
                Some(screen) => {
                    let layout = dashboard.screen_layout(actor, screen.id).await?;
                    let used: Vec<&String> = layout.seats.iter().map(|s| &s.category).collect();
                    layout
                        .categories
                        .into_iter()
                        .filter(|c| used.contains(&&c.name))
                        .map(|c| c.name)
                        .collect()
                }
                None => Vec::new(),
            };
            Ok(ScheduleOptions {
                theater,
                screens,
                screen,
                categories,
                movies: dashboard.movie_choices().await?,
            })
        }
        .await,
    )
}

/// Puts a movie on a screen at `times` (the theater's local `HH:MM`, comma separated) on the
/// chosen weekdays from `from` to `to` (one day when `to` is left out, every weekday when none
/// is ticked). Prices are in rupees per category. Dates that cannot take the show are skipped
/// and said why.
#[server(prefix = "/_fn", endpoint = "dashboard/schedule")]
pub async fn schedule_shows(
    screen_id: Uuid,
    movie_id: Uuid,
    language: String,
    format: String,
    prices: BTreeMap<String, String>,
    from: NaiveDate,
    to: Option<NaiveDate>,
    days: Option<Vec<String>>,
    times: String,
) -> Result<Scheduled, DashboardError> {
    answer(
        async move {
            use crate::dashboard::{Recurring, Schedule};
            let actor = actor().await?;
            let prices = in_paise(prices)?;
            let days = days.filter(|d| !d.is_empty()).unwrap_or_else(|| {
                ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
                    .map(String::from)
                    .to_vec()
            });
            let pattern = Recurring {
                schedule: Schedule {
                    movie_id,
                    screen_id,
                    language,
                    format,
                    prices,
                },
                days,
                times: times
                    .split([',', ' '])
                    .filter(|t| !t.is_empty())
                    .map(String::from)
                    .collect(),
                from,
                to: to.unwrap_or(from),
            };
            let scheduled = dashboard().schedule_recurring(actor, &pattern).await?;
            if plain_form() {
                // Without the wasm the page shows the outcome from its address.
                let theater = dashboard().run_screen(actor, screen_id).await?;
                let outcome = crate::words::percent_encode(&scheduled.summary());
                leptos_axum::redirect(&format!(
                    "/dashboard/theaters/{theater}/schedule?screen_id={screen_id}&outcome={outcome}"
                ));
            }
            Ok(scheduled)
        }
        .await,
    )
}

/// A form's prices, typed in rupees, in paise; a price that is not one is a field error.
#[cfg(feature = "ssr")]
fn in_paise(prices: BTreeMap<String, String>) -> Result<BTreeMap<String, i64>, DashboardError> {
    prices
        .into_iter()
        .map(|(category, rupees)| match minor_units(&rupees) {
            Some(minor) => Ok((category, minor)),
            None => Err(DashboardError::field_with(
                "prices",
                crate::i18n::Text::new("err-rupees-price").arg("category", category),
            )),
        })
        .collect()
}

/// Rupees as typed ("250", "249.50") in paise; None for anything else.
pub fn minor_units(rupees: &str) -> Option<i64> {
    let (whole, fraction) = rupees.trim().split_once('.').unwrap_or((rupees.trim(), ""));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || fraction.len() > 2 || !(fraction.is_empty() || digits(fraction)) {
        return None;
    }
    let paise = format!("{fraction:0<2}").parse::<i64>().ok()?;
    whole
        .parse::<i64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(paise)
}

/// Stops (`open` false) or resumes a show's sales, then goes back to `next`.
#[server(prefix = "/_fn", endpoint = "dashboard/sales")]
pub async fn set_sales(
    show_id: ShowId,
    open: bool,
    next: Option<String>,
) -> Result<ShowSettings, DashboardError> {
    answer(
        async move {
            let change = crate::dashboard::ShowChange {
                prices: None,
                sales_open: Some(open),
            };
            let settings = dashboard()
                .change_show(actor().await?, show_id, &change)
                .await?;
            back(next);
            Ok(settings)
        }
        .await,
    )
}

/// New prices (rupees per category) for a show nobody holds or has bought a seat of yet.
#[server(prefix = "/_fn", endpoint = "dashboard/prices")]
pub async fn set_prices(
    show_id: ShowId,
    prices: BTreeMap<String, String>,
    next: Option<String>,
) -> Result<ShowSettings, DashboardError> {
    answer(
        async move {
            // Who asks comes first: a visitor hears 401 whatever the form holds.
            let actor = actor().await?;
            let change = crate::dashboard::ShowChange {
                prices: Some(in_paise(prices)?),
                sales_open: None,
            };
            let settings = dashboard().change_show(actor, show_id, &change).await?;
            back(next);
            Ok(settings)
        }
        .await,
    )
}

/// Calls a show off: its holds end and every paid booking is refunded in full.
#[server(prefix = "/_fn", endpoint = "dashboard/cancel-show")]
pub async fn cancel_show(
    show_id: ShowId,
    next: Option<String>,
) -> Result<CancelledShow, DashboardError> {
    answer(
        async move {
            let cancelled = dashboard().cancel_show(actor().await?, show_id).await?;
            back(next);
            Ok(cancelled)
        }
        .await,
    )
}

#[cfg(test)]
mod tests {
    use super::minor_units;

    #[test]
    fn rupees_become_paise() {
        assert_eq!(minor_units("250"), Some(25_000));
        assert_eq!(minor_units(" 249.5 "), Some(24_950));
        assert_eq!(minor_units("249.05"), Some(24_905));
        for bad in [
            "",
            "-1",
            "2.345",
            "1e3",
            ".5",
            "₹250",
            "99999999999999999999",
        ] {
            assert_eq!(minor_units(bad), None, "{bad}");
        }
    }
}

/// A show's waiting list, for its staff.
#[server(prefix = "/_fn", endpoint = "dashboard/waitlist")]
pub async fn show_waitlist(
    show_id: ShowId,
) -> Result<Vec<crate::booking::LinePlace>, DashboardError> {
    answer(
        async move {
            let dashboard = dashboard();
            dashboard.show_waitlist(actor().await?, show_id).await
        }
        .await,
    )
}
