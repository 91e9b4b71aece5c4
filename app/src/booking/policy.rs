//! How bookings are priced, and when sales and cancellations close.

use super::Amount;
use chrono::{DateTime, Duration as Notice, Utc};
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Policy {
    pub hold_ttl: Duration,
    /// Sales stop this long before a show starts.
    pub sales_close: Duration,
    /// Confirmed bookings may be cancelled until this long before the show.
    pub cancellation_cutoff: Duration,
    /// Food and drinks may be ordered until this long before the show.
    pub food_cutoff: Duration,
    /// Per seat, in minor units.
    pub convenience_fee: i64,
    /// GST on the convenience fee, in percent.
    pub fee_tax_percent: i64,
    /// Booking needs a confirmed email address.
    pub verified_email_only: bool,
    /// Shows one user may hold seats for at once; past it a hold of another is refused.
    pub max_live_holds: u32,
    /// How long one user may keep seats of one show, all holds together (released, lapsed
    /// or live), in any window three times as long.
    pub hold_budget: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            hold_ttl: Duration::from_secs(600),
            sales_close: Duration::ZERO,
            cancellation_cutoff: Duration::from_secs(2 * 3600),
            food_cutoff: Duration::from_secs(20 * 60),
            convenience_fee: 3000,
            fee_tax_percent: 18,
            verified_email_only: true,
            max_live_holds: 4,
            hold_budget: Duration::from_secs(20 * 60),
        }
    }
}

/// Refund bands: at least this many hours' notice gives back this percent of the ticket price.
const REFUND_BANDS: [(i64, i64); 3] = [(24, 100), (6, 75), (0, 50)];

/// Whether a confirmed booking can be cancelled now, and on what terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cancellation {
    /// Past the cutoff.
    Closed,
    /// `refund` comes back if the cancellation lands before `until`, when the terms change.
    Open { refund: i64, until: DateTime<Utc> },
}

impl Policy {
    /// Ticket prices plus the convenience fee per seat and the tax on it, rounded half up to
    /// the minor unit.
    pub fn amount(&self, prices: &[i64], currency: &str) -> Amount {
        let subtotal = prices.iter().sum();
        let convenience_fee = self.convenience_fee * prices.len() as i64;
        let tax = (convenience_fee * self.fee_tax_percent + 50) / 100;
        Amount {
            subtotal,
            convenience_fee,
            tax,
            food: 0,
            food_tax: 0,
            discount: 0,
            total: subtotal + convenience_fee + tax,
            currency: currency.to_owned(),
        }
    }

    /// The ticket price given back when a confirmed booking is cancelled `notice` before the
    /// show: all of it a day or more ahead, 75% from six hours, 50% until the cutoff. The
    /// convenience fee and its tax are not refunded.
    pub fn refund(&self, subtotal: i64, notice: Notice) -> i64 {
        let (_, percent) = band(notice);
        subtotal * percent / 100
    }

    /// The terms of cancelling now a booking of `subtotal` for a show at `starts_at`.
    pub fn cancellation(
        &self,
        subtotal: i64,
        starts_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Cancellation {
        let cutoff = starts_at - self.cutoff();
        if now >= cutoff {
            return Cancellation::Closed;
        }
        let (hours, _) = band(starts_at - now);
        Cancellation::Open {
            refund: self.refund(subtotal, starts_at - now),
            until: cutoff.min(starts_at - Notice::hours(hours)),
        }
    }

    pub fn cutoff(&self) -> Notice {
        Notice::from_std(self.cancellation_cutoff).unwrap_or(Notice::MAX)
    }
}

fn band(notice: Notice) -> (i64, i64) {
    REFUND_BANDS
        .into_iter()
        .find(|(hours, _)| notice >= Notice::hours(*hours))
        .unwrap_or((0, 50))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_add_fees_and_round_the_tax_half_up() {
        let policy = Policy::default();
        let amount = policy.amount(&[25_000, 30_000], "INR");
        assert_eq!(
            amount,
            Amount {
                subtotal: 55_000,
                convenience_fee: 6_000,
                tax: 1_080,
                food: 0,
                food_tax: 0,
                discount: 0,
                total: 62_080,
                currency: "INR".into(),
            }
        );
        let odd = Policy {
            convenience_fee: 2_999,
            ..Policy::default()
        };
        // 18% of 2999 is 539.82: rounded up.
        assert_eq!(odd.amount(&[100], "INR").tax, 540);
        let half = Policy {
            convenience_fee: 25,
            fee_tax_percent: 10,
            ..Policy::default()
        };
        // 10% of 25 is 2.5: half rounds up; 10% of 24 is 2.4: down.
        assert_eq!(half.amount(&[100], "INR").tax, 3);
        let under = Policy {
            convenience_fee: 24,
            fee_tax_percent: 10,
            ..Policy::default()
        };
        assert_eq!(under.amount(&[100], "INR").tax, 2);
        let free = Policy {
            convenience_fee: 0,
            ..Policy::default()
        };
        assert_eq!(free.amount(&[100, 100], "USD").total, 200);
    }

    #[test]
    fn every_refund_band_and_its_boundaries() {
        let policy = Policy::default();
        let minute = Notice::minutes(1);
        let cases = [
            (Notice::days(3), 10_000),
            (Notice::hours(24), 10_000),
            (Notice::hours(24) - minute, 7_500),
            (Notice::hours(6), 7_500),
            (Notice::hours(6) - minute, 5_000),
            (Notice::hours(2), 5_000),
        ];
        for (notice, refund) in cases {
            assert_eq!(policy.refund(10_000, notice), refund, "{notice}");
        }
        // Odd amounts round down to the minor unit.
        assert_eq!(policy.refund(999, Notice::hours(8)), 749);
    }

    #[test]
    fn cancellation_closes_at_the_cutoff_and_says_when_its_terms_change() {
        let policy = Policy::default();
        let starts = Utc::now() + Notice::days(10);
        let open = |now| policy.cancellation(10_000, starts, now);
        assert_eq!(
            open(starts - Notice::days(2)),
            Cancellation::Open {
                refund: 10_000,
                until: starts - Notice::hours(24)
            }
        );
        assert_eq!(
            open(starts - Notice::hours(10)),
            Cancellation::Open {
                refund: 7_500,
                until: starts - Notice::hours(6)
            }
        );
        assert_eq!(
            open(starts - Notice::hours(3)),
            Cancellation::Open {
                refund: 5_000,
                until: starts - Notice::hours(2)
            }
        );
        assert_eq!(open(starts - Notice::hours(2)), Cancellation::Closed);
        assert_eq!(open(starts + Notice::hours(1)), Cancellation::Closed);
        // A cutoff further out than a band's start closes before that band begins.
        let strict = Policy {
            cancellation_cutoff: Duration::from_secs(10 * 3600),
            ..Policy::default()
        };
        assert_eq!(
            strict.cancellation(10_000, starts, starts - Notice::hours(12)),
            Cancellation::Open {
                refund: 7_500,
                until: starts - Notice::hours(10)
            }
        );
    }
}
