//! Seat claims in this process's memory: (show, seat) to owner and deadline, as Redis would
//! keep them, for a single instance without Redis.

use super::{Admission, Claim};
use crate::ids::{SeatId, ShowId, UserId};
use std::{
    collections::HashMap,
    sync::{Mutex, MutexGuard, PoisonError},
    time::{Duration, Instant},
};

/// Expired claims are swept out once this many claims have been made.
const PRUNE_EVERY: usize = 4096;

#[derive(Default)]
pub(super) struct Claims {
    seats: HashMap<(ShowId, SeatId), Entry>,
    /// Claims made since expired ones were last swept out.
    since_prune: usize,
}

/// One seat's claim: whose, until when, and whether its hold is still being written.
#[derive(Clone, Copy, Debug)]
struct Entry {
    owner: UserId,
    until: Instant,
    pending: bool,
}

pub(super) fn lock(claims: &Mutex<Claims>) -> MutexGuard<'_, Claims> {
    // The map is valid after any panic (every change is a single insert or remove).
    claims.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Claims {
    /// Seats of the selection that someone else has (not counting claims still pending).
    pub fn others(
        &self,
        show: ShowId,
        seats: &[SeatId],
        owner: UserId,
        now: Instant,
    ) -> Vec<SeatId> {
        self.others_where(show, seats, owner, now, false)
    }

    fn others_where(
        &self,
        show: ShowId,
        seats: &[SeatId],
        owner: UserId,
        now: Instant,
        pending: bool,
    ) -> Vec<SeatId> {
        seats
            .iter()
            .copied()
            .filter(|seat| {
                self.seats
                    .get(&(show, *seat))
                    .is_some_and(|e| e.owner != owner && e.until > now && e.pending == pending)
            })
            .collect()
    }

    /// Claims every seat as pending for `owner`, unless someone else has one; others' pending
    /// claims make it wait, unless `take_over`.
    pub fn claim(
        &mut self,
        show: ShowId,
        seats: &[SeatId],
        owner: UserId,
        ttl: Duration,
        take_over: bool,
    ) -> Claim {
        let now = Instant::now();
        let taken = self.others(show, seats, owner, now);
        if !taken.is_empty() {
            return Claim::Answered(Admission::Refused(taken));
        }
        if !take_over && !self.others_where(show, seats, owner, now, true).is_empty() {
            return Claim::Busy;
        }
        self.since_prune += 1;
        if self.since_prune >= PRUNE_EVERY {
            self.seats.retain(|_, e| e.until > now);
            self.since_prune = 0;
        }
        for seat in seats {
            let pending = Entry {
                owner,
                until: now + ttl,
                pending: true,
            };
            self.seats.insert((show, *seat), pending);
        }
        Claim::Answered(Admission::Claimed)
    }

    /// The owner's hold is written: its claims, and pending claims someone took over meanwhile
    /// (their write must lose), become the owner's for `ttl`.
    pub fn keep(&mut self, show: ShowId, seats: &[SeatId], owner: UserId, ttl: Duration) {
        let until = Instant::now() + ttl;
        for seat in seats {
            if let Some(claim) = self.seats.get_mut(&(show, *seat)) {
                if claim.owner == owner || claim.pending {
                    *claim = Entry {
                        owner,
                        until,
                        pending: false,
                    };
                }
            }
        }
    }

    /// Claims seats that nobody has claimed (or whose claim has run out), each for its owner.
    pub fn remember(&mut self, show: ShowId, claims: &[(SeatId, UserId, Duration)]) {
        let now = Instant::now();
        for (seat, owner, ttl) in claims {
            let remembered = Entry {
                owner: *owner,
                until: now + *ttl,
                pending: false,
            };
            let entry = self.seats.entry((show, *seat)).or_insert(remembered);
            if entry.until <= now {
                *entry = remembered;
            }
        }
    }

    /// Removes the claims on these seats: only `owner`'s, or anyone's.
    pub fn release(&mut self, show: ShowId, seats: &[SeatId], owner: Option<UserId>) {
        for seat in seats {
            let key = (show, *seat);
            if self
                .seats
                .get(&key)
                .is_some_and(|e| owner.is_none_or(|owner| owner == e.owner))
            {
                self.seats.remove(&key);
            }
        }
    }

    pub fn clear(&mut self) {
        self.seats.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Holder, SeatFilter, Store, PENDING, REMEMBERED};
    use super::*;
    use uuid::Uuid;

    fn ids(n: usize) -> Vec<SeatId> {
        (0..n).map(|_| SeatId(Uuid::new_v4())).collect()
    }

    fn someone() -> UserId {
        UserId(Uuid::new_v4())
    }

    fn a_show() -> ShowId {
        ShowId(Uuid::new_v4())
    }

    const CLAIMED: Claim = Claim::Answered(Admission::Claimed);

    #[test]
    fn memory_claims_are_all_or_nothing_and_owned() {
        let (show, seats, alice, bob) = (a_show(), ids(3), someone(), someone());
        let ttl = Duration::from_secs(60);
        let mut claims = Claims::default();
        assert_eq!(claims.claim(show, &seats[..2], alice, ttl, false), CLAIMED);
        // While Alice's hold is written, Bob asking for one of her seats and a free one waits,
        // claiming nothing.
        assert_eq!(
            claims.claim(show, &seats[1..], bob, ttl, false),
            Claim::Busy
        );
        assert!(!claims.seats.contains_key(&(show, seats[2])));
        // Once it is written, Bob is refused, and the free one stays free.
        claims.keep(show, &seats[..2], alice, ttl);
        assert_eq!(
            claims.claim(show, &seats[1..], bob, ttl, false),
            Claim::Answered(Admission::Refused(vec![seats[1]]))
        );
        assert!(!claims.seats.contains_key(&(show, seats[2])));
        // Alice extends her claim to the free seat.
        assert_eq!(claims.claim(show, &seats, alice, ttl, false), CLAIMED);
        claims.keep(show, &seats, alice, ttl);
        // Bob cannot release Alice's claims; Alice can.
        claims.release(show, &seats, Some(bob));
        assert_eq!(claims.others(show, &seats, bob, Instant::now()), seats);
        claims.release(show, &seats[..1], Some(alice));
        assert_eq!(claims.others(show, &seats, bob, Instant::now()), seats[1..]);
        // A change announced from elsewhere frees whatever it names.
        claims.release(show, &seats, None);
        assert!(claims.others(show, &seats, bob, Instant::now()).is_empty());
    }

    #[test]
    fn a_pending_claim_can_be_taken_over_never_a_kept_one() {
        let (show, seats, alice, bob) = (a_show(), ids(2), someone(), someone());
        let ttl = Duration::from_secs(60);
        let mut claims = Claims::default();
        claims.claim(show, &seats[..1], alice, ttl, false);
        assert_eq!(claims.claim(show, &seats, bob, ttl, true), CLAIMED);
        assert_eq!(claims.seats[&(show, seats[0])].owner, bob);
        // Alice's hold was written after all: her claim is back and kept; Bob's write lost, and
        // giving his claims back leaves hers.
        claims.keep(show, &seats[..1], alice, ttl);
        claims.release(show, &seats, Some(bob));
        assert_eq!(claims.others(show, &seats, bob, Instant::now()), seats[..1]);
        assert_eq!(
            claims.claim(show, &seats, bob, ttl, true),
            Claim::Answered(Admission::Refused(seats[..1].to_vec()))
        );
    }

    #[test]
    fn only_the_owner_keeps_a_claim_for_the_length_of_the_hold() {
        let (show, seats, alice, bob) = (a_show(), ids(2), someone(), someone());
        let mut claims = Claims::default();
        claims.claim(show, &seats[..1], alice, PENDING, false);
        claims.claim(show, &seats[1..], bob, PENDING, false);
        claims.keep(show, &seats[1..], bob, PENDING);
        let hold = Duration::from_secs(600);
        claims.keep(show, &seats, alice, hold);
        let entry = |seat| claims.seats[&(show, seat)];
        assert!(
            entry(seats[0]).until > Instant::now() + PENDING,
            "Alice's hold"
        );
        assert!(!entry(seats[0]).pending);
        assert!(
            entry(seats[1]).owner == bob && entry(seats[1]).until <= Instant::now() + PENDING,
            "still Bob's claim, as long as his"
        );
    }

    #[test]
    fn expired_memory_claims_count_as_free() {
        let (show, seats, alice, bob) = (a_show(), ids(2), someone(), someone());
        let mut claims = Claims::default();
        claims.claim(show, &seats, alice, Duration::ZERO, false);
        assert_eq!(
            claims.claim(show, &seats, bob, Duration::from_secs(60), false),
            CLAIMED
        );
    }

    #[test]
    fn remembered_seats_are_refused_briefly_and_never_overwrite_a_claim() {
        let (show, seats, alice, bob, carol) = (a_show(), ids(2), someone(), someone(), someone());
        let mut claims = Claims::default();
        claims.claim(show, &seats[..1], alice, Duration::from_secs(60), false);
        claims.remember(show, &[(seats[0], bob, REMEMBERED)]);
        assert!(
            claims.seats[&(show, seats[0])].pending,
            "a pending claim is left alone"
        );
        claims.keep(show, &seats[..1], alice, Duration::from_secs(60));
        claims.remember(
            show,
            &[(seats[0], bob, REMEMBERED), (seats[1], bob, REMEMBERED)],
        );
        let now = Instant::now();
        assert_eq!(claims.seats[&(show, seats[0])].owner, alice, "kept");
        assert_eq!(claims.seats[&(show, seats[1])].owner, bob);
        assert!(claims.seats[&(show, seats[1])].until <= now + REMEMBERED);
        assert_eq!(claims.others(show, &seats, carol, now), seats);
        // Bob's own seat is his to ask for again.
        assert!(claims.others(show, &seats[1..], bob, now).is_empty());
    }

    #[tokio::test]
    async fn remembered_claims_never_outlive_the_hold() {
        let filter = SeatFilter::new(None, super::super::REDIS_TIMEOUT);
        let (show, seats, bob, carol) = (a_show(), ids(3), someone(), someone());
        let held = |seat, ms| Holder {
            seat,
            by: bob,
            held_ms: Some(ms),
        };
        filter
            .remember(
                show,
                &[
                    held(seats[0], 0),
                    held(seats[1], 60_000),
                    held(seats[2], 500),
                ],
            )
            .await;
        assert_eq!(filter.taken(show, &seats, carol).await, seats[1..]);
        let Store::Memory(claims) = &filter.store else {
            panic!("in memory without Redis");
        };
        let until = |seat| lock(claims).seats[&(show, seat)].until;
        let now = Instant::now();
        assert!(until(seats[1]) <= now + REMEMBERED, "two seconds at most");
        assert!(
            until(seats[2]) <= now + Duration::from_millis(500),
            "never past the hold"
        );
    }

    #[test]
    fn expired_memory_claims_are_swept_out() {
        let show = a_show();
        let mut claims = Claims::default();
        for _ in 0..PRUNE_EVERY {
            claims.claim(show, &ids(1), someone(), Duration::ZERO, false);
        }
        assert!(
            claims.seats.len() <= 1,
            "{} claims kept",
            claims.seats.len()
        );
    }
}
