//! The theater dashboard: what theater admins run (their theaters' shows) and platform admins
//! run everywhere. Every action is authorised here, on the server, for the pages and REST
//! alike, and written to the audit log in the transaction that does it.

#[cfg(feature = "ssr")]
mod audit;
#[cfg(feature = "ssr")]
mod bookings;
#[cfg(feature = "ssr")]
mod cancel;
mod error;
#[cfg(feature = "ssr")]
mod listing;
#[cfg(feature = "ssr")]
mod pricing;
#[cfg(feature = "ssr")]
mod shows;

pub use error::{DashboardConflict, DashboardError};
#[cfg(feature = "ssr")]
pub use {
    audit::AuditEntry,
    bookings::FoundBooking,
    cancel::CancelledShow,
    listing::TheaterShow,
    pricing::{Reprice, ShowPrices},
    shows::{NewShow, Recurring, Schedule, Scheduled, ScheduledShow, Skipped},
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
    };
    use sqlx::PgPool;
    use uuid::Uuid;

    /// The dashboard's handle: the primary database, the catalog whose cached lists its
    /// changes make stale, and the bookings whose live maps hear of seats it frees.
    #[derive(Clone)]
    pub struct Dashboard {
        pub(super) db: PgPool,
        pub(super) catalog: Catalog,
        pub(super) bookings: Bookings,
    }

    impl Dashboard {
        pub fn new(db: PgPool, catalog: Catalog, bookings: Bookings) -> Self {
            Self {
                db,
                catalog,
                bookings,
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
    }
}
