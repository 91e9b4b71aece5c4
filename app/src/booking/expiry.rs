//! The sweeper: holds past their deadline expire, a batch per call to `expire_holds`, on every
//! instance at once (each hold exactly once). Before it gets to them, holds already treat
//! their seats as free.

use super::{live::Announced, service::retrying, BookingError, Bookings, SeatChange, SeatStatus};
use crate::ids::{SeatId, ShowId};

/// What one sweep did.
#[derive(Debug, Default)]
pub struct Sweep {
    pub expired: i64,
    /// How long past its deadline the oldest released hold was.
    pub lag_seconds: f64,
    pub changes: Vec<SeatChange>,
}

/// What one call of `expire_holds` did.
#[derive(sqlx::FromRow)]
struct Swept {
    expired: i32,
    lag_seconds: f64,
    /// The seats freed, by show.
    changes: sqlx::types::Json<Vec<(ShowId, Vec<SeatId>)>>,
}

/// Holds expired per call.
const BATCH: i64 = 500;

impl Bookings {
    /// Expires up to `batch` holds past their deadline and says which seats that freed.
    pub async fn expire_holds(&self, batch: i64) -> Result<Sweep, BookingError> {
        let Swept {
            expired,
            lag_seconds,
            changes,
        } = retrying(|| {
            sqlx::query_as("SELECT * FROM expire_holds($1)")
                .bind(batch as i32)
                .fetch_one(self.primary())
        })
        .await?;
        Ok(Sweep {
            expired: expired.into(),
            lag_seconds,
            changes: changes
                .0
                .into_iter()
                .map(|(show_id, seat_ids)| {
                    SeatChange::made(show_id, SeatStatus::Available, seat_ids)
                })
                .collect(),
        })
    }

    /// Sweeps until no expired hold is left, announces the freed seats and records the lag.
    pub async fn expire_due_holds(&self) -> Result<i64, BookingError> {
        let mut total = 0;
        loop {
            let sweep = self.expire_holds(BATCH).await?;
            // Zero when nothing was due: the gauge says how far behind the sweeper is now.
            metrics::gauge!("district_hold_expiry_lag_seconds").set(sweep.lag_seconds);
            metrics::counter!("district_holds_expired_total").increment(sweep.expired as u64);
            let freed: Vec<Announced> = sweep.changes.into_iter().map(Announced::freed).collect();
            self.announce(&freed);
            total += sweep.expired;
            if sweep.expired < BATCH {
                return Ok(total);
            }
        }
    }
}
