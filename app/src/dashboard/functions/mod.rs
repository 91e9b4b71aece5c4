//! Server functions behind the dashboard pages: the same `Dashboard` service and checks as
//! `/api/v1/admin`, with the cookie session instead of a token. Each works as a plain form post
//! before the wasm loads.

mod menu;
mod offers;
mod platform;
mod screens;
mod shows;

pub use {menu::*, offers::*, platform::*, screens::*, shows::*};

use super::{AuditEntry, DashboardError, FoundBooking, ReportGroup, SalesReport};
use crate::account::ManagedTheater;
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[cfg(feature = "ssr")]
mod ssr {
    use crate::{
        account::{functions::ssr::signed_in, Accounts, ManagedTheater},
        booking::Actor,
        dashboard::{Dashboard, DashboardError},
    };
    use uuid::Uuid;

    pub fn dashboard() -> Dashboard {
        leptos::prelude::expect_context::<Dashboard>()
    }

    /// The signed-in user (401 for visitors); what they may do is each service call's check.
    pub async fn actor() -> Result<Actor, DashboardError> {
        Ok(Actor::from(signed_in().await?))
    }

    /// A theater the signed-in user runs: 403 for anyone else's, 404 for none.
    pub async fn theater(id: Uuid) -> Result<(Actor, ManagedTheater), DashboardError> {
        let who = signed_in().await?;
        let accounts = leptos::prelude::expect_context::<Accounts>();
        let theater = accounts.managed_theater(&who, id).await?;
        Ok((Actor::from(who), theater))
    }

    pub use crate::error::answer;

    /// A form posted by a browser without the wasm (it asks for a page, not data).
    pub fn plain_form() -> bool {
        let parts = leptos::prelude::use_context::<http::request::Parts>();
        parts.is_some_and(|p| {
            p.headers
                .get(http::header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("text/html"))
        })
    }

    /// Back to the page the form was on (a path on this site), for plain form posts.
    pub fn back(next: Option<String>) {
        if let Some(next) = next {
            let path = crate::account::functions::ssr::local_path(Some(next), "/dashboard");
            leptos_axum::redirect(&path);
        }
    }
}

/// What the dashboard's front page lists.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Desk {
    pub theaters: Vec<ManagedTheater>,
    /// Platform admins also manage cities, movies, theater admins and reviews.
    pub platform_admin: bool,
}

/// The theaters the signed-in user runs (all of them for a platform admin).
#[server(prefix = "/_fn", endpoint = "dashboard/desk")]
pub async fn front_desk() -> Result<Desk, DashboardError> {
    ssr::answer(
        async move {
            let who = crate::account::functions::ssr::signed_in().await?;
            let accounts = expect_context::<crate::account::Accounts>();
            Ok(Desk {
                theaters: accounts.managed_theaters(&who).await?,
                platform_admin: who.role == crate::account::Role::Admin,
            })
        }
        .await,
    )
}

/// Bookings at the theaters the signed-in user runs, by booking code, email or phone.
#[server(prefix = "/_fn", endpoint = "dashboard/bookings")]
pub async fn find_bookings(q: String) -> Result<Vec<FoundBooking>, DashboardError> {
    ssr::answer(
        async move {
            let actor = ssr::actor().await?;
            ssr::dashboard().find_bookings(actor, &q).await
        }
        .await,
    )
}

/// A theater's sales report and what the page needs to draw it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportPage {
    pub theater: ManagedTheater,
    pub report: SalesReport,
}

/// The sales of a theater from one day to another (the last 30 days by default).
#[server(prefix = "/_fn", endpoint = "dashboard/report")]
pub async fn theater_report(
    theater_id: Uuid,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    group: Option<ReportGroup>,
) -> Result<ReportPage, DashboardError> {
    ssr::answer(
        async move {
            let (actor, theater) = ssr::theater(theater_id).await?;
            let to = to.unwrap_or_else(|| chrono::Utc::now().date_naive());
            let month_before = || to.checked_sub_days(chrono::Days::new(29)).unwrap_or(to);
            let from = from.unwrap_or_else(month_before);
            let group = group.unwrap_or(ReportGroup::Day);
            let report = ssr::dashboard()
                .sales_report(actor, theater_id, (from, to), group)
                .await?;
            Ok(ReportPage { theater, report })
        }
        .await,
    )
}

/// One page of a theater's audit log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub theater: ManagedTheater,
    pub entries: Vec<AuditEntry>,
    pub page: u32,
    pub total: i64,
}

pub const AUDIT_PER_PAGE: u32 = 50;

/// What was done at a theater, newest first.
#[server(prefix = "/_fn", endpoint = "dashboard/audit")]
pub async fn audit_log(theater_id: Uuid, page: Option<u32>) -> Result<AuditPage, DashboardError> {
    ssr::answer(
        async move {
            let (actor, theater) = ssr::theater(theater_id).await?;
            let page = page.unwrap_or(1).max(1);
            let (entries, total) = ssr::dashboard()
                .audit(actor, theater_id, (page, AUDIT_PER_PAGE))
                .await?;
            Ok(AuditPage {
                theater,
                entries,
                page,
                total,
            })
        }
        .await,
    )
}
