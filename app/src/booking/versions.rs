//! What a live seat map knows of each seat: its state and the version that state came with.
//!
//! Changes reach a map from more than one path (the instance that made them, the outbox relay
//! as backstop, a snapshot after a gap), so one can arrive after a newer one. Each seat's
//! version only grows with its changes (see the `seat_versions` migration), so the map takes
//! a change only when it is newer than what it shows, and a snapshot only where it is.

use super::{SeatChange, SeatSnapshot};
use crate::ids::SeatId;
use std::collections::{HashMap, HashSet};

/// The versions a map has shown, by seat (a seat never changed is at 0).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SeatVersions(HashMap<SeatId, u64>);

impl SeatVersions {
    fn of(&self, seat: &SeatId) -> u64 {
        self.0.get(seat).copied().unwrap_or(0)
    }

    /// The seats of `change` that are newer than what the map shows, now remembered as shown.
    pub fn newer(&mut self, change: &SeatChange) -> Vec<SeatId> {
        let mut newer = Vec::new();
        for (seat, version) in change.seat_ids.iter().zip(&change.versions) {
            if *version > self.of(seat) {
                self.0.insert(*seat, *version);
                newer.push(*seat);
            }
        }
        newer
    }

    /// The seats taken once `snapshot` is merged into a map showing `taken`: each seat as the
    /// snapshot has it, unless the map heard of a newer change after the snapshot was read.
    pub fn merge(&mut self, snapshot: &SeatSnapshot, taken: &HashSet<SeatId>) -> HashSet<SeatId> {
        let in_snapshot: HashSet<SeatId> = snapshot
            .held
            .iter()
            .chain(&snapshot.booked)
            .copied()
            .collect();
        let seats: HashSet<SeatId> = in_snapshot
            .iter()
            .chain(taken)
            .chain(snapshot.versions.keys())
            .chain(self.0.keys())
            .copied()
            .collect();
        let mut now = HashSet::new();
        for seat in seats {
            let read = snapshot.versions.get(&seat).copied().unwrap_or(0);
            let is_taken = if read >= self.of(&seat) {
                if read > 0 {
                    self.0.insert(seat, read);
                }
                in_snapshot.contains(&seat)
            } else {
                taken.contains(&seat)
            };
            if is_taken {
                now.insert(seat);
            }
        }
        now
    }
}
