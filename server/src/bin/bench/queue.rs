//! The waiting room as the rush's moviegoers meet it, and the order it let them in.
//!
//! Two orders are measured. The room's own: the turn it gave each moviegoer is known to within
//! the 202's round trip (its position times the gap between admissions, counted from a moment
//! between the hold's sending and its answer), and the moment it let them in is in the
//! admission token (`{expires}.{signature}`, expiring a set time after the turn, or after the
//! moment the room stepped aside). And the order the moviegoers saw: when the token reached
//! them, which adds every answer's time on a busy server.
//!
//! The room's own order takes the server's clock (or Redis's) for the bench's and the server's
//! room settings for its own (`WAITING_ROOM_RATE`, `WAITING_ROOM_ADMISSION`): the bench and
//! the servers run on one machine, from one environment, as `make bench` runs them.

use super::journey::{Road, Step, Trip};
use reqwest::StatusCode;
use serde_json::Value;
use std::time::{Duration, Instant};

/// A moviegoer's time in the line.
pub struct Queued {
    /// The place the first 202 gave (1: next).
    pub position: u64,
    /// When the first 202 said the turn would come.
    pub promised: Instant,
    /// When that hold was sent and its 202 came back, in unix milliseconds.
    pub asked: (i64, i64),
    /// The turn the room gave, in unix milliseconds: no earlier than `.0`, no later than `.1`.
    pub turn: (i64, i64),
    /// When the admission token reached the moviegoer.
    pub admitted: Option<Instant>,
    /// The moment the token admits from, in unix milliseconds: the turn, or when the room
    /// stepped aside.
    pub let_in: Option<i64>,
}

impl Road {
    /// Waits in line after the 202 `answer` to a hold sent at `sent` (unix ms): the admission
    /// token, or `None` when the server that answered the poll has no place for the moviegoer
    /// (two instances without Redis keep a line each): then the hold is asked again.
    pub(super) async fn queue(
        &self,
        trip: &mut Trip,
        answer: &Value,
        sent: i64,
        token: &str,
    ) -> Result<Option<String>, String> {
        let place = &answer["queue"];
        let Some(position) = place["position"].as_u64().filter(|p| *p > 0) else {
            return Err(format!("queue: no position in {answer}"));
        };
        if trip.queued.is_none() {
            let wait = place["estimated_wait_seconds"].as_u64().unwrap_or(0);
            let gap = self.room.interval_ms();
            let answered = unix_ms();
            trip.queued = Some(Queued {
                position,
                promised: Instant::now() + Duration::from_secs(wait),
                asked: (sent, answered),
                turn: turn(position, gap, sent, answered),
                admitted: None,
                let_in: None,
            });
        }
        let Some(admission) = self.wait_turn(trip, place, token).await? else {
            return Ok(None);
        };
        let lasts = self.room.admission.as_millis() as i64;
        if let Some(queued) = trip.queued.as_mut() {
            queued.admitted = Some(Instant::now());
            queued.let_in = admission
                .split_once('.')
                .and_then(|(expires, _)| expires.parse::<i64>().ok())
                .map(|expires| expires - lasts);
        }
        Ok(Some(admission))
    }

    /// Polls the place in line as its answers say, until the admission token comes.
    async fn wait_turn(
        &self,
        trip: &mut Trip,
        place: &Value,
        token: &str,
    ) -> Result<Option<String>, String> {
        let url = format!(
            "{}{}",
            self.base,
            place["poll_url"].as_str().unwrap_or_default()
        );
        let mut wait = place["estimated_wait_seconds"]
            .as_u64()
            .unwrap_or(1)
            .clamp(1, 5);
        loop {
            tokio::time::sleep(Duration::from_secs(wait)).await;
            let poll = self.http.get(&url).header("authorization", token);
            let (status, turn) = self.call(trip, Step::Poll, poll).await?;
            if status == StatusCode::NOT_FOUND {
                return Ok(None);
            }
            if status != StatusCode::OK {
                return Err(format!("queue: {status} {turn}"));
            }
            if let Some(admission) = turn["admission_token"].as_str() {
                return Ok(Some(admission.to_owned()));
            }
            wait = turn["queue"]["estimated_wait_seconds"]
                .as_u64()
                .unwrap_or(1)
                .clamp(1, 5);
        }
    }
}

pub fn unix_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Where a turn at `position` falls, admissions `gap` ms apart, for a hold sent at `sent` and
/// answered at `answered`: the room placed it `position` gaps ahead or less (and more than one
/// fewer) of a moment between the two.
fn turn(position: u64, gap: i64, sent: i64, answered: i64) -> (i64, i64) {
    let ahead = position as i64 * gap;
    (sent + ahead - gap, answered + ahead)
}

/// First come, first served, as the room kept it: pairs where one moviegoer's 202 came back
/// before the other asked, yet the other was let in before the first one's turn could have
/// come. That catches a room handing out turns against the order of asking, and one letting
/// moviegoers in out of turn (as it does while it stands aside); pairs that asked at the same
/// time are not judged, since which came first is not known.
pub fn inversions(trips: &[Trip]) -> usize {
    let mut line: Vec<&Queued> = trips
        .iter()
        .filter_map(|t| t.queued.as_ref().filter(|q| q.let_in.is_some()))
        .collect();
    line.sort_unstable_by_key(|q| q.asked.1);
    let mut count = 0;
    for (i, first) in line.iter().enumerate() {
        count += line[i + 1..]
            .iter()
            .filter(|later| first.asked.1 < later.asked.0)
            .filter(|later| later.let_in.is_some_and(|at| at < first.turn.0))
            .count();
    }
    count
}

/// Let in before the earliest their turn can have come: while the room stood aside.
pub fn out_of_turn(trips: &[Trip]) -> usize {
    trips
        .iter()
        .filter_map(|t| t.queued.as_ref())
        .filter(|q| q.let_in.is_some_and(|at| at < q.turn.0))
        .count()
}

/// The order the moviegoers saw: pairs where the one whose turn was promised clearly first (by
/// more than the second the estimate is rounded to) got its token more than a poll's interval
/// (5 s, the longest a client waits between asks) after the other. On a saturated machine this
/// counts the answers' own delays as well as the room's order.
pub fn inversions_seen(trips: &[Trip]) -> usize {
    let (rounding, slack) = (Duration::from_secs(1), Duration::from_secs(5));
    let mut line: Vec<_> = trips
        .iter()
        .filter_map(|t| {
            let q = t.queued.as_ref()?;
            Some((q.promised, q.admitted?))
        })
        .collect();
    line.sort_unstable();
    let mut count = 0;
    for (i, (promised, admitted)) in line.iter().enumerate() {
        count += line[i + 1..]
            .iter()
            .filter(|(later, other)| *promised + rounding < *later && *other + slack < *admitted)
            .count();
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journey::End;

    /// Admissions 10 ms apart, as at the room's default 100 a second.
    const GAP: i64 = 10;

    /// A moviegoer who asked from `sent` to `answered`, was placed `position` gaps ahead, and
    /// was let in at `let_in`.
    fn trip(sent: i64, answered: i64, position: u64, let_in: i64) -> Trip {
        Trip {
            end: End::Bought,
            seats: 2,
            timings: Vec::new(),
            queued: Some(Queued {
                position,
                promised: Instant::now(),
                asked: (sent, answered),
                turn: turn(position, GAP, sent, answered),
                admitted: Some(Instant::now()),
                let_in: Some(let_in),
            }),
            error: None,
        }
    }

    /// The room as it should be: each asked 100 ms after the one before, its answer taking
    /// `slow` ms, and let in at its turn, one gap after the one before.
    fn line(slow: i64) -> Vec<Trip> {
        (0..40)
            .map(|n| {
                let (asked, at) = (n * 100, 10_000 + n * GAP);
                let now = asked + slow / 2;
                // The room's position: the gaps to the turn, rounded up.
                trip(asked, asked + slow, ((at - now + GAP - 1) / GAP) as u64, at)
            })
            .collect()
    }

    #[test]
    fn a_turn_lies_within_its_bounds() {
        // Placed 25 ms ahead at 1,005 (between sending at 1,000 and the answer at 1,010): the
        // room says position 3, and the turn at 1,030 lies within the bounds.
        let (low, high) = turn(3, GAP, 1_000, 1_010);
        assert!(low <= 1_030 && 1_030 <= high, "{low}..{high}");
        assert_eq!((low, high), (1_020, 1_040));
    }

    #[test]
    fn a_line_let_in_at_its_turns_has_no_inversion() {
        for slow in [0, 5, 900, 9_000] {
            assert_eq!(inversions(&line(slow)), 0, "answers taking {slow} ms");
            assert_eq!(out_of_turn(&line(slow)), 0);
        }
    }

    #[test]
    fn one_let_in_while_the_room_stood_aside_passes_those_who_asked_before() {
        let mut trips = line(5);
        // The last one, whose turn was 10,390, got in at 10,100 while the room stood aside:
        // ahead of everyone who asked before it and whose turn cannot have come by then. The
        // earliest moviegoer n's turn can be is 9,990 + 10 n, after 10,100 from n = 12 on:
        // the 27 from the 12th to the 38th.
        trips[39].queued.as_mut().unwrap().let_in = Some(10_100);
        assert_eq!(inversions(&trips), 27);
        assert_eq!(out_of_turn(&trips), 1);
        // One let in late while the room stood aside passed nobody.
        let mut trips = line(5);
        trips[0].queued.as_mut().unwrap().let_in = Some(50_000);
        assert_eq!(inversions(&trips), 0);
        assert_eq!(out_of_turn(&trips), 0);
    }

    #[test]
    fn turns_handed_out_against_the_order_of_asking_are_inversions() {
        let mut trips = line(5);
        // The first to ask, placed behind the second (10,010) and the third (10,020) at 10,035
        // (1,004 gaps from 2 ms), and let in at that turn: its turn cannot have come before
        // 10,030, and those two were let in before.
        trips[0] = trip(0, 5, 1_004, 10_035);
        assert_eq!(inversions(&trips), 2);
        assert_eq!(out_of_turn(&trips), 0);
    }

    #[test]
    fn those_never_queued_or_never_let_in_are_left_out() {
        let mut trips = line(5);
        for n in [38, 39] {
            trips[n].queued.as_mut().unwrap().let_in = Some(10_100);
        }
        assert_eq!(out_of_turn(&trips), 2);
        trips[39].queued.as_mut().unwrap().let_in = None;
        trips[38].queued = None;
        assert_eq!(inversions(&trips), 0);
        assert_eq!(out_of_turn(&trips), 0);
    }
}
