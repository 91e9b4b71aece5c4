//! Ids that are easy to swap by mistake (a show's for a seat's), each a type of its own. On the
//! wire and in the database they are plain UUIDs.

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};
use uuid::Uuid;

macro_rules! id {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "ssr", derive(sqlx::Type, utoipa::ToSchema), sqlx(transparent))]
        pub struct $name(pub Uuid);

        impl $name {
            pub fn uuid(self) -> Uuid {
                self.0
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map(Self)
            }
        }
    )*};
}

id!(
    /// A person with an account.
    UserId,
    /// One screening of a movie.
    ShowId,
    /// A seat of a screen (the same seat at every show on it).
    SeatId,
    /// A hold that may become a confirmed booking.
    BookingId,
    /// One attempt to pay for a booking, through one gateway.
    PaymentId,
    /// Money given back for one payment (each is refunded at most once).
    RefundId,
    /// A promo code or voucher.
    OfferId,
    /// Something on a theater's food and drinks menu (each size its own item).
    MenuItemId,
    /// Food and drinks ordered for a paid booking, paid for on their own.
    FoodOrderId,
);

/// Plain UUIDs of a list of ids, for SQL parameters and tests.
pub fn uuids<T: Into<Uuid> + Copy>(ids: &[T]) -> Vec<Uuid> {
    ids.iter().map(|id| (*id).into()).collect()
}
