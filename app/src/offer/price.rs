//! What an offer takes off. Percentages round half up to the minor unit, as tax does; a cap
//! and the base then bound the result. Each offer of a booking is worked out on the booking as
//! it was before any offer, then held within what earlier offers left of its base: offers on
//! the ticket prices together never take more than the tickets cost (never the fee or its
//! tax), and no offers take the total below zero.

use super::{OfferBase, OfferKind};
use crate::booking::Amount;

/// The arithmetic part of an offer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Terms {
    pub kind: OfferKind,
    pub value: i64,
    pub max_discount: Option<i64>,
    pub base: OfferBase,
}

impl Terms {
    /// The discount on `amount` (before any offer), where `eligible` is the price of the
    /// tickets in the offer's scope.
    pub fn discount(&self, amount: &Amount, eligible: i64) -> i64 {
        let base = match self.base {
            OfferBase::Tickets => eligible,
            OfferBase::Total => amount.tickets_gross(),
        };
        let off = match self.kind {
            OfferKind::Percent => (base.saturating_mul(self.value) + 50) / 100,
            OfferKind::Flat => self.value,
        };
        off.min(self.max_discount.unwrap_or(i64::MAX))
            .clamp(0, base.max(0))
    }
}

impl Terms {
    /// The discount after offers that took `taken` already, within what they left of the base.
    pub fn discount_after(&self, amount: &Amount, eligible: i64, taken: i64) -> i64 {
        let base = match self.base {
            OfferBase::Tickets => amount.subtotal,
            OfferBase::Total => amount.tickets_gross(),
        };
        self.discount(amount, eligible).min((base - taken).max(0))
    }
}

/// The discounts of offers applied in this order, each with the price of the tickets in its
/// scope.
pub fn discounts(amount: &Amount, offers: &[(Terms, i64)]) -> Vec<i64> {
    let mut taken = 0;
    offers
        .iter()
        .map(|(terms, eligible)| {
            let off = terms.discount_after(amount, *eligible, taken);
            taken += off;
            off
        })
        .collect()
}

/// `amount` with `discounts` taken off its total, never more than the tickets with their fee
/// and tax (food is always paid in full).
pub fn discounted(amount: &Amount, discounts: &[i64]) -> Amount {
    let discount = discounts
        .iter()
        .sum::<i64>()
        .clamp(0, amount.tickets_gross());
    Amount {
        discount,
        total: amount.gross() - discount,
        ..amount.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amount(subtotal: i64) -> Amount {
        Amount {
            subtotal,
            convenience_fee: 6_000,
            tax: 1_080,
            food: 0,
            food_tax: 0,
            discount: 0,
            total: subtotal + 7_080,
            currency: "INR".into(),
        }
    }

    fn terms(kind: OfferKind, value: i64, cap: Option<i64>, base: OfferBase) -> Terms {
        Terms {
            kind,
            value,
            max_discount: cap,
            base,
        }
    }

    #[test]
    fn percentages_round_half_up_then_caps_and_bases_bound_them() {
        use OfferBase::*;
        use OfferKind::*;
        let cases = [
            // 20% of 550.00
            (terms(Percent, 20, None, Tickets), 55_000, 55_000, 11_000),
            // 15% of 3.33 is 0.4995: rounds to 0.50
            (terms(Percent, 15, None, Tickets), 333, 333, 50),
            // 15% of 3.30 is 0.495: rounds to 0.50; of 3.29, 0.4935: to 0.49
            (terms(Percent, 15, None, Tickets), 330, 330, 50),
            (terms(Percent, 15, None, Tickets), 329, 329, 49),
            // the cap
            (
                terms(Percent, 50, Some(10_000), Tickets),
                55_000,
                55_000,
                10_000,
            ),
            // only the tickets in scope
            (terms(Percent, 10, None, Tickets), 55_000, 30_000, 3_000),
            // of the total with fee and tax: 10% of 620.80
            (terms(Percent, 10, None, Total), 55_000, 55_000, 6_208),
            // flat, and never more than its base
            (terms(Flat, 15_000, None, Tickets), 55_000, 55_000, 15_000),
            (terms(Flat, 90_000, None, Tickets), 55_000, 55_000, 55_000),
            (terms(Flat, 90_000, None, Total), 55_000, 55_000, 62_080),
            (terms(Percent, 100, None, Total), 55_000, 55_000, 62_080),
        ];
        for (terms, subtotal, eligible, off) in cases {
            assert_eq!(
                terms.discount(&amount(subtotal), eligible),
                off,
                "{terms:?} on {subtotal}"
            );
        }
    }

    #[test]
    fn discounts_add_up_and_never_take_the_total_below_zero() {
        let before = amount(55_000);
        let after = discounted(&before, &[11_000, 5_000]);
        assert_eq!(after.discount, 16_000);
        assert_eq!(after.total, 62_080 - 16_000);
        assert_eq!(
            after.subtotal + after.convenience_fee + after.tax - after.discount,
            after.total
        );
        let all = discounted(&before, &[55_000, 55_000]);
        assert_eq!((all.discount, all.total), (62_080, 0));
        // Two 60% offers on the tickets take the tickets' price, not the fee.
        let sixty = terms(OfferKind::Percent, 60, None, OfferBase::Tickets);
        assert_eq!(
            discounts(&before, &[(sixty, 55_000), (sixty, 55_000)]),
            [33_000, 22_000]
        );
        let everything = terms(OfferKind::Percent, 100, None, OfferBase::Total);
        assert_eq!(
            discounts(&before, &[(sixty, 55_000), (everything, 55_000)]),
            [33_000, 29_080]
        );
        assert_eq!(discounted(&before, &[]), before);
    }
}
