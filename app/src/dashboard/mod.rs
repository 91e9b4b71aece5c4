//! The theater dashboard: what theater admins run (their theaters' shows) and platform admins
//! run everywhere. Every action is authorised here, on the server, for the pages and REST
//! alike, and written to the audit log in the transaction that does it.

mod audit;
mod bookings;
mod cancel;
#[cfg(feature = "ssr")]
mod charts;
pub mod draft;
mod error;
mod events;
pub mod functions;
pub mod layout;
mod listing;
#[cfg(feature = "ssr")]
mod menu;
mod movie_edits;
mod movies;
#[cfg(feature = "ssr")]
mod offers;
mod platform;
#[cfg(feature = "ssr")]
mod pricing;
mod reports;
mod sales;
#[cfg(feature = "ssr")]
mod screens;
mod shows;
mod theaters;

pub use {
    audit::AuditEntry,
    bookings::FoundBooking,
    cancel::CancelledShow,
    error::{DashboardConflict, DashboardError, SeatInUse},
    events::DeadLetter,
    listing::{MovieChoice, TheaterShow},
    movie_edits::MovieEdit,
    movies::{AddedMovie, NewMovie, CERTIFICATES, MAX_POSTER_BYTES},
    platform::{City, HiddenReview, NewCity, ReviewToModerate, TheaterAdmin},
    reports::{ReportGroup, SalesLine, SalesReport, MAX_REPORT_DAYS},
    sales::{ShowChange, ShowSettings},
    shows::{NewShow, Recurring, Schedule, Scheduled, ScheduledShow, Skipped},
    theaters::{ScreenSettings, TheaterDetails},
};
#[cfg(feature = "ssr")]
pub use {
    charts::{occupancy_heatmap, sales_chart, ChartData, DaySales, SlotOccupancy},
    movies::poster_kind,
};

#[cfg(feature = "ssr")]
pub use service::Dashboard;

#[cfg(feature = "ssr")]
mod service {
    use super::DashboardError;
    use crate::{
        account::runs_theater,
        booking::{Actor, Bookings},
        catalog::Catalog,
        ids::ShowId,
    };
    use sqlx::PgPool;
    use std::path::PathBuf;
    use uuid::Uuid;

    /// The dashboard's handle: the primary database, the catalog whose cached lists its
    /// changes make stale, the bookings whose live maps hear of seats it frees, the directory
    /// posters are stored in.
    #[derive(Clone)]
    pub struct Dashboard {
        pub(super) db: PgPool,
        pub(super) catalog: Catalog,
        pub(super) bookings: Bookings,
        pub(super) posters: PathBuf,
    }

    impl Dashboard {
        pub fn new(db: PgPool, catalog: Catalog, bookings: Bookings, posters: PathBuf) -> Self {
            Self {
                db,
                catalog,
                bookings,
                posters,
            }
        }

        /// Platform admins run every theater, theater admins those they are assigned; anyone
        /// else is refused (403), as is a theater admin at another theater.
        pub(super) async fn may_run(
            &self,
            actor: Actor,
            theater: Uuid,
        ) -> Result<(), DashboardError> {
            let runs = runs_theater(&self.db, actor.user_id, actor.role, theater).await?;
            if runs {
                Ok(())
            } else {
                Err(DashboardError::Forbidden)
            }
        }

        /// The time zone of a theater the actor may run: 404 for no such theater.
        pub(super) async fn theater_zone(
            &self,
            actor: Actor,
            theater: Uuid,
        ) -> Result<String, DashboardError> {
            let zone: Option<String> = sqlx::query_scalar(
                "SELECT c.time_zone FROM theaters t JOIN cities c ON c.id = t.city_id
                  WHERE t.id = $1",
            )
            .bind(theater)
            .fetch_optional(&self.db)
            .await?;
            let zone = zone.ok_or(DashboardError::NotFound)?;
            self.may_run(actor, theater).await?;
            Ok(zone)
        }

        /// The theater and screen of a show the actor may run: 404 for no such show.
        pub(super) async fn run_show(
            &self,
            actor: Actor,
            show: ShowId,
        ) -> Result<(Uuid, Uuid), DashboardError> {
            let found: Option<(Uuid, Uuid)> = sqlx::query_as(
                "SELECT sc.theater_id, sc.id FROM shows sh JOIN screens sc ON sc.id = sh.screen_id
                  WHERE sh.id = $1",
            )
            .bind(show)
            .fetch_optional(&self.db)
            .await?;
            let (theater, screen) = found.ok_or(DashboardError::NotFound)?;
            self.may_run(actor, theater).await?;
            Ok((theater, screen))
        }
    }
}
