//! A virtual waiting room for hot shows.
//!
//! While holds for one show come no faster than its rate (and a burst above it), everyone goes
//! straight through. Past that, each newcomer is given the next admission time of the show's
//! line, one every `1 / rate` seconds, and is told its position and wait instead of an error.
//! Times are handed out by one atomic step (a Lua script in Redis, shared by every instance,
//! or a lock in this process without Redis), so admission is first come, first served, and a
//! visitor who asks again keeps its place. Once its time comes, a visitor gets a signed
//! admission token for the show (REST clients send it back as `Admission-Token`); the place
//! itself also admits, so a browser needs no token. The room only orders the asking: the
//! database still decides every seat.

#[cfg(feature = "ssr")]
mod room;
#[cfg(feature = "ssr")]
mod store;

use crate::ids::ShowId;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub use room::{RoomSettings, Turn, WaitingRoom};

/// A visitor's place in a show's line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct QueuePlace {
    pub show_id: ShowId,
    /// Visitors admitted before this one (1: next).
    pub position: u64,
    pub estimated_wait_seconds: u64,
}

/// A visitor's turn, as the queue page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum QueueView {
    Waiting(QueuePlace),
    /// Free to choose seats for the minutes left.
    Admitted {
        show_id: ShowId,
        minutes: u64,
    },
    /// No line for this visitor: seats can be chosen now.
    NoLine {
        show_id: ShowId,
    },
}

impl QueueView {
    pub fn show_id(&self) -> ShowId {
        match self {
            Self::Waiting(place) => place.show_id,
            Self::Admitted { show_id, .. } | Self::NoLine { show_id } => *show_id,
        }
    }
}
