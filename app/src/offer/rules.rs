//! Whether an offer may be applied to a booking now, and why not.

use super::{Offer, OfferId};
use crate::booking::BookedSeat;
use crate::ids::ShowId;
use crate::payment::Gateway;
use chrono::{DateTime, Utc};
use uuid::Uuid;

words! {
    /// Why an offer cannot be applied (422 `offer_invalid`, or `offer_exhausted` for the limits).
    pub enum Refusal {
        UnknownCode = "unknown_code",
        Paused = "paused",
        NotStarted = "not_started",
        Ended = "ended",
        OutOfScope = "out_of_scope",
        BelowMinimum = "below_minimum",
        AlreadyApplied = "already_applied",
        NotCombinable = "not_combinable",
        NoDiscount = "no_discount",
        UsedUp = "used_up",
        UserLimit = "user_limit",
    }
}

impl Refusal {
    /// Refused for its limits rather than for this booking.
    pub fn exhausted(self) -> bool {
        matches!(self, Self::UsedUp | Self::UserLimit)
    }

    pub fn text(self) -> crate::i18n::Text {
        crate::i18n::Text::new(match self {
            Self::UnknownCode => "err-offer-unknown",
            Self::Paused => "err-offer-paused",
            Self::NotStarted => "err-offer-not-started",
            Self::Ended => "err-offer-ended",
            Self::OutOfScope => "err-offer-out-of-scope",
            Self::BelowMinimum => "err-offer-below-minimum",
            Self::AlreadyApplied => "err-offer-applied",
            Self::NotCombinable => "err-offer-not-combinable",
            Self::NoDiscount => "err-offer-no-discount",
            Self::UsedUp => "err-offer-used-up",
            Self::UserLimit => "err-offer-user-limit",
        })
    }
}

/// A held booking an offer is asked for, with the offer's uses so far.
pub struct Claim<'a> {
    pub now: DateTime<Utc>,
    pub city_id: Uuid,
    pub theater_id: Uuid,
    pub movie_id: Uuid,
    pub show_id: ShowId,
    pub seats: &'a [BookedSeat],
    /// Offers already on the booking, with whether each is stackable and the gateway it is
    /// for, if one.
    pub applied: &'a [(OfferId, bool, Option<Gateway>)],
    /// Uses counting against the offer's limits: redemptions and live claims of others.
    pub uses: i64,
    /// The same, of this user alone.
    pub user_uses: i64,
}

/// The price of the booking's tickets the offer applies to, or why it does not apply.
pub fn check(offer: &Offer, claim: &Claim) -> Result<i64, Refusal> {
    let scope = &offer.scope;
    if claim.applied.iter().any(|(id, ..)| *id == offer.offer_id) {
        return Err(Refusal::AlreadyApplied);
    }
    if offer.paused {
        return Err(Refusal::Paused);
    }
    if claim.now < offer.valid_from {
        return Err(Refusal::NotStarted);
    }
    if claim.now >= offer.valid_to {
        return Err(Refusal::Ended);
    }
    let outside = |wanted: Option<Uuid>, actual: Uuid| wanted.is_some_and(|w| w != actual);
    if outside(scope.city_id, claim.city_id)
        || outside(scope.theater_id, claim.theater_id)
        || outside(scope.movie_id, claim.movie_id)
        || scope.show_id.is_some_and(|s| s != claim.show_id)
    {
        return Err(Refusal::OutOfScope);
    }
    let in_scope: Vec<i64> = claim
        .seats
        .iter()
        .filter(|s| {
            scope
                .seat_category
                .as_ref()
                .is_none_or(|c| *c == s.category)
        })
        .map(|s| s.price)
        .collect();
    if in_scope.is_empty() {
        return Err(Refusal::OutOfScope);
    }
    let subtotal: i64 = claim.seats.iter().map(|s| s.price).sum();
    if subtotal < offer.min_order {
        return Err(Refusal::BelowMinimum);
    }
    // Two offers for different gateways would leave no way to pay.
    let one_gateway = claim.applied.iter().all(|(_, _, gateway)| {
        gateway
            .zip(scope.gateway)
            .is_none_or(|(theirs, ours)| theirs == ours)
    });
    let combinable =
        offer.stackable && one_gateway && claim.applied.iter().all(|(_, stackable, _)| *stackable);
    if !claim.applied.is_empty() && !combinable {
        return Err(Refusal::NotCombinable);
    }
    if offer
        .max_uses
        .is_some_and(|max| claim.uses >= i64::from(max))
    {
        return Err(Refusal::UsedUp);
    }
    if offer
        .per_user_limit
        .is_some_and(|max| claim.user_uses >= i64::from(max))
    {
        return Err(Refusal::UserLimit);
    }
    Ok(in_scope.iter().sum())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::SeatId;
    use crate::offer::{OfferBase, OfferKind, OfferScope};
    use chrono::Duration;

    fn offer() -> Offer {
        let now = Utc::now();
        Offer {
            offer_id: OfferId::from(Uuid::from_u128(1)),
            code: "SAVE20".into(),
            description: String::new(),
            kind: OfferKind::Percent,
            value: 20,
            max_discount: None,
            min_order: 0,
            max_uses: Some(10),
            per_user_limit: Some(1),
            valid_from: now - Duration::days(1),
            valid_to: now + Duration::days(1),
            scope: OfferScope::default(),
            stackable: false,
            base: OfferBase::Tickets,
            cancellable: true,
            paused: false,
            uses: 0,
            created_at: now,
        }
    }

    fn seat(category: &str, price: i64) -> BookedSeat {
        BookedSeat {
            seat_id: SeatId::default(),
            label: "A1".into(),
            category: category.into(),
            price,
        }
    }

    #[test]
    fn each_rule_refuses_for_its_reason() {
        let seats = [seat("Gold", 30_000), seat("Silver", 20_000)];
        let claim = || Claim {
            now: Utc::now(),
            city_id: Uuid::from_u128(7),
            theater_id: Uuid::from_u128(8),
            movie_id: Uuid::from_u128(9),
            show_id: ShowId::default(),
            seats: &seats,
            applied: &[],
            uses: 0,
            user_uses: 0,
        };
        assert_eq!(check(&offer(), &claim()), Ok(50_000));
        let gold = Offer {
            scope: OfferScope {
                seat_category: Some("Gold".into()),
                theater_id: Some(Uuid::from_u128(8)),
                ..OfferScope::default()
            },
            ..offer()
        };
        assert_eq!(check(&gold, &claim()), Ok(30_000));
        let cases: [(Offer, Claim, Refusal); 10] = [
            (
                Offer {
                    paused: true,
                    ..offer()
                },
                claim(),
                Refusal::Paused,
            ),
            (
                Offer {
                    valid_from: Utc::now() + Duration::hours(1),
                    ..offer()
                },
                claim(),
                Refusal::NotStarted,
            ),
            (
                Offer {
                    valid_to: Utc::now() - Duration::hours(1),
                    ..offer()
                },
                claim(),
                Refusal::Ended,
            ),
            (
                Offer {
                    scope: OfferScope {
                        city_id: Some(Uuid::from_u128(1)),
                        ..OfferScope::default()
                    },
                    ..offer()
                },
                claim(),
                Refusal::OutOfScope,
            ),
            (
                Offer {
                    scope: OfferScope {
                        seat_category: Some("Recliner".into()),
                        ..OfferScope::default()
                    },
                    ..offer()
                },
                claim(),
                Refusal::OutOfScope,
            ),
            (
                Offer {
                    min_order: 50_001,
                    ..offer()
                },
                claim(),
                Refusal::BelowMinimum,
            ),
            (
                offer(),
                Claim {
                    applied: &[(OfferId::from(Uuid::from_u128(1)), false, None)],
                    ..claim()
                },
                Refusal::AlreadyApplied,
            ),
            (
                Offer {
                    stackable: true,
                    ..offer()
                },
                Claim {
                    applied: &[(OfferId::from(Uuid::from_u128(2)), false, None)],
                    ..claim()
                },
                Refusal::NotCombinable,
            ),
            (
                offer(),
                Claim {
                    uses: 10,
                    ..claim()
                },
                Refusal::UsedUp,
            ),
            (
                offer(),
                Claim {
                    user_uses: 1,
                    ..claim()
                },
                Refusal::UserLimit,
            ),
        ];
        for (offer, claim, refusal) in cases {
            assert_eq!(check(&offer, &claim), Err(refusal));
        }
        let both = Claim {
            applied: &[(
                OfferId::from(Uuid::from_u128(2)),
                true,
                Some(Gateway::Stripe),
            )],
            ..claim()
        };
        let stackable = Offer {
            stackable: true,
            ..offer()
        };
        assert!(check(&stackable, &both).is_ok());
        let elsewhere = Offer {
            scope: OfferScope {
                gateway: Some(Gateway::Razorpay),
                ..OfferScope::default()
            },
            ..stackable
        };
        assert_eq!(check(&elsewhere, &both), Err(Refusal::NotCombinable));
    }
}
