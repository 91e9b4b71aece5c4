//! Seat rules a cinema applies to a selection, and the best block to suggest. Pure functions
//! over the seats of the rows involved, so they are checked the same way for every caller.

use super::{BookingError, RuleCode};
use crate::i18n::Text;
use crate::{
    catalog::{LayoutSeat, SeatKind},
    ids::SeatId,
};

/// One seat as the rules see it.
#[derive(Clone, Debug)]
pub struct Seat {
    pub id: SeatId,
    pub label: String,
    pub grid_row: i32,
    pub grid_col: i32,
    pub category: String,
    pub kind: SeatKind,
    /// Nobody else holds or has booked it (expired holds and the asker's own hold count as free).
    pub free: bool,
}

impl Seat {
    /// A seat of the show's layout, free or not.
    pub fn of(seat: &LayoutSeat, free: bool) -> Self {
        Self {
            id: seat.id,
            label: seat.label.clone(),
            grid_row: seat.grid_row,
            grid_col: seat.grid_col,
            category: seat.category.clone(),
            kind: seat.kind,
            free,
        }
    }
}

/// Checks a selection against the rules; `seats` holds every seat of the rows involved.
pub fn check(
    seats: &[Seat],
    selected: &[SeatId],
    wheelchair_chosen: bool,
) -> Result<(), BookingError> {
    let picked: Vec<&Seat> = seats.iter().filter(|s| selected.contains(&s.id)).collect();
    let wheelchair: Vec<SeatId> = picked
        .iter()
        .filter(|s| s.kind == SeatKind::Wheelchair)
        .map(|s| s.id)
        .collect();
    let with_companion = picked.iter().any(|s| s.kind == SeatKind::Companion);
    if !wheelchair.is_empty() && !with_companion && !wheelchair_chosen {
        return Err(BookingError::rule(
            RuleCode::WheelchairSpace,
            "err-wheelchair",
            wheelchair,
        ));
    }
    if let Some(gap) = single_gaps(seats, selected).first() {
        return Err(BookingError::Rule {
            code: RuleCode::SingleSeatGap,
            message: Text::new("err-single-gap").arg("seat", gap.label.as_str()),
            seat_ids: vec![gap.id],
        });
    }
    Ok(())
}

/// Seats a selection would leave as a lone empty seat between taken seats, or between a taken
/// seat and an aisle or wall. A gap is tolerated when no placement of as many seats in that run
/// of free seats could avoid one (the run is exactly one seat longer than the selection in it).
pub fn single_gaps<'a>(seats: &'a [Seat], selected: &[SeatId]) -> Vec<&'a Seat> {
    let mut gaps = Vec::new();
    for run in free_runs(seats) {
        let taken_here = run.iter().filter(|s| selected.contains(&s.id)).count();
        if taken_here == 0 || run.len() - taken_here == 1 {
            continue;
        }
        let mut piece: Vec<&Seat> = Vec::new();
        for seat in run.iter().copied().chain(std::iter::once(&SENTINEL)) {
            if seat.id != SENTINEL.id && !selected.contains(&seat.id) {
                piece.push(seat);
                continue;
            }
            // A wheelchair space left alone is waiting for a wheelchair user, not a gap.
            if let [lone] = piece[..] {
                if lone.kind != SeatKind::Wheelchair {
                    gaps.push(lone);
                }
            }
            piece.clear();
        }
    }
    gaps
}

/// The seats a verdict of [`check`] depends on: every seat of the free runs the selection is in,
/// and the seats just beside those runs (were one of those to come free, its run would grow).
/// Nothing else in the rows can change the answer.
pub fn watched(seats: &[Seat], selected: &[SeatId]) -> Vec<SeatId> {
    let mut watched = Vec::new();
    for run in free_runs(seats) {
        if !run.iter().any(|s| selected.contains(&s.id)) {
            continue;
        }
        let (row, first, last) = (
            run[0].grid_row,
            run[0].grid_col,
            run[run.len() - 1].grid_col,
        );
        watched.extend(run.iter().map(|s| s.id));
        watched.extend(
            seats
                .iter()
                .filter(|s| {
                    s.grid_row == row && (s.grid_col == first - 1 || s.grid_col == last + 1)
                })
                .map(|s| s.id),
        );
    }
    watched.sort();
    watched.dedup();
    watched
}

/// Stands for "the end of the run" so the last piece is judged like the others.
static SENTINEL: Seat = Seat {
    id: SeatId(uuid::Uuid::nil()),
    label: String::new(),
    grid_row: -1,
    grid_col: -1,
    category: String::new(),
    kind: SeatKind::Standard,
    free: false,
};

/// Maximal runs of free seats standing side by side (no aisle between), row by row.
fn free_runs(seats: &[Seat]) -> Vec<Vec<&Seat>> {
    let mut ordered: Vec<&Seat> = seats.iter().collect();
    ordered.sort_by_key(|s| (s.grid_row, s.grid_col));
    let mut runs: Vec<Vec<&Seat>> = Vec::new();
    let mut current: Vec<&Seat> = Vec::new();
    for seat in ordered {
        let adjacent = current.last().is_some_and(|last| {
            last.grid_row == seat.grid_row && last.grid_col + 1 == seat.grid_col
        });
        if !adjacent && !current.is_empty() {
            runs.push(std::mem::take(&mut current));
        }
        if seat.free {
            current.push(seat);
        } else if !current.is_empty() {
            runs.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

/// The best block of `count` adjacent free seats, optionally of one category: as near the
/// centre line as possible, in the rows about two thirds of the way back, never leaving a
/// single-seat gap and never taking wheelchair spaces. Empty when no such block exists.
pub fn best_block(seats: &[Seat], count: usize, category: Option<&str>) -> Vec<SeatId> {
    if count == 0 || seats.is_empty() {
        return Vec::new();
    }
    let (min_row, max_row) = bounds(seats.iter().map(|s| s.grid_row));
    let (min_col, max_col) = bounds(seats.iter().map(|s| s.grid_col));
    let centre = f64::from(min_col + max_col) / 2.0;
    let ideal_row = f64::from(min_row) + f64::from(max_row - min_row) * 2.0 / 3.0;
    let width = f64::from(max_col - min_col + 1);
    let depth = f64::from(max_row - min_row + 1);
    let mut best: Option<(f64, Vec<SeatId>)> = None;
    for run in free_runs(seats) {
        for window in run.windows(count) {
            let fits = window.iter().all(|s| {
                s.kind != SeatKind::Wheelchair
                    && category.is_none_or(|c| s.category.eq_ignore_ascii_case(c))
            });
            if !fits {
                continue;
            }
            let ids: Vec<SeatId> = window.iter().map(|s| s.id).collect();
            if !single_gaps(seats, &ids).is_empty() {
                continue;
            }
            let middle = f64::from(window[0].grid_col + window[count - 1].grid_col) / 2.0;
            let score = (middle - centre).abs() / width
                + (f64::from(window[0].grid_row) - ideal_row).abs() / depth;
            if best.as_ref().is_none_or(|(s, _)| score < *s) {
                best = Some((score, ids));
            }
        }
    }
    best.map(|(_, ids)| ids).unwrap_or_default()
}

fn bounds(values: impl Iterator<Item = i32>) -> (i32, i32) {
    values.fold((i32::MAX, i32::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One row from a picture: `.` free, `x` taken, `|` an aisle, `w` a free wheelchair space,
    /// `c` a free companion seat.
    fn row(grid_row: i32, picture: &str) -> Vec<Seat> {
        picture
            .chars()
            .enumerate()
            .filter(|(_, ch)| *ch != '|')
            .map(|(col, ch)| Seat {
                id: SeatId(uuid::Uuid::from_u128(
                    ((grid_row as u128) << 32) | (col as u128 + 1),
                )),
                label: format!("{}{}", char::from(b'A' + grid_row as u8), col + 1),
                grid_row,
                grid_col: col as i32,
                category: if grid_row > 2 { "Prime" } else { "Classic" }.into(),
                kind: match ch {
                    'w' => SeatKind::Wheelchair,
                    'c' => SeatKind::Companion,
                    _ => SeatKind::Standard,
                },
                free: ch != 'x',
            })
            .collect()
    }

    fn ids(seats: &[Seat], cols: &[i32]) -> Vec<SeatId> {
        cols.iter()
            .map(|c| seats.iter().find(|s| s.grid_col == *c).unwrap().id)
            .collect()
    }

    fn gap_labels(seats: &[Seat], cols: &[i32]) -> Vec<String> {
        single_gaps(seats, &ids(seats, cols))
            .iter()
            .map(|s| s.label.clone())
            .collect()
    }

    #[test]
    fn a_lone_seat_between_taken_seats_is_refused() {
        let seats = row(0, "x....x");
        assert_eq!(gap_labels(&seats, &[2, 3]), vec!["A2", "A5"]);
        assert_eq!(gap_labels(&seats, &[1, 2]), Vec::<String>::new());
        assert_eq!(gap_labels(&seats, &[1, 3]), vec!["A3", "A5"]);
    }

    #[test]
    fn a_lone_seat_next_to_an_aisle_or_wall_is_refused() {
        let seats = row(0, "....|....");
        assert_eq!(gap_labels(&seats, &[1, 2]), vec!["A1", "A4"]);
        assert_eq!(gap_labels(&seats, &[0, 1]), Vec::<String>::new());
        assert_eq!(gap_labels(&seats, &[5, 6]), Vec::<String>::new());
        assert_eq!(gap_labels(&seats, &[6, 7]), vec!["A6", "A9"]);
    }

    #[test]
    fn an_unavoidable_gap_is_allowed() {
        // Three free seats and two wanted: any choice leaves one alone.
        let seats = row(0, "x...x");
        assert_eq!(gap_labels(&seats, &[1, 2]), Vec::<String>::new());
        assert!(check(&seats, &ids(&seats, &[1, 2]), false).is_ok());
    }

    #[test]
    fn the_error_names_the_seat() {
        let seats = row(0, "x.....");
        let err = check(&seats, &ids(&seats, &[2, 3]), false).unwrap_err();
        assert_eq!(err.code(), "single_seat_gap");
        let BookingError::Rule {
            seat_ids, message, ..
        } = err
        else {
            panic!("a rule error")
        };
        assert_eq!(seat_ids, ids(&seats, &[1]));
        assert!(message.to_string().contains("A2"), "{message}");
    }

    #[test]
    fn wheelchair_spaces_need_a_companion_or_an_explicit_choice() {
        let seats = row(0, "wc....");
        let space = ids(&seats, &[0]);
        assert_eq!(
            check(&seats, &space, false).unwrap_err().code(),
            "wheelchair_space"
        );
        assert!(check(&seats, &space, true).is_ok());
        assert!(check(&seats, &ids(&seats, &[0, 1]), false).is_ok());
    }

    #[test]
    fn best_block_prefers_the_centre_rows_back_and_skips_taken_seats() {
        let mut seats = Vec::new();
        for r in 0..6 {
            seats.extend(row(r, "....|........|...."));
        }
        let best = best_block(&seats, 2, None);
        let picked: Vec<&Seat> = seats.iter().filter(|s| best.contains(&s.id)).collect();
        assert_eq!(picked.len(), 2);
        assert!(picked.iter().all(|s| s.grid_row == 3), "{picked:?}");
        assert_eq!(
            picked.iter().map(|s| s.grid_col).collect::<Vec<_>>(),
            vec![8, 9]
        );
        // Only the back-left corner block of Prime is free: that is the answer.
        for seat in seats.iter_mut() {
            seat.free = seat.grid_row == 5 && seat.grid_col < 4;
        }
        let best = best_block(&seats, 4, Some("prime"));
        assert_eq!(best.len(), 4);
        assert_eq!(
            best_block(&seats, 3, Some("prime")).len(),
            3,
            "an unavoidable gap"
        );
        assert!(best_block(&seats, 5, Some("prime")).is_empty());
        assert!(best_block(&seats, 2, Some("classic")).is_empty());
    }

    #[test]
    fn the_verdict_depends_on_the_selections_runs_and_what_bounds_them() {
        // Seats 1-3 free, 4 taken, 5-6 free, aisle, 7-9 free: picking 5 and 6 depends on them and
        // on seat 4 beside them, not on seats 1-3 or across the aisle.
        let seats = row(0, "...x..|...");
        let watched = watched(&seats, &ids(&seats, &[4, 5]));
        assert_eq!(watched, sorted(ids(&seats, &[3, 4, 5])));
    }

    fn sorted(mut ids: Vec<SeatId>) -> Vec<SeatId> {
        ids.sort();
        ids
    }

    #[test]
    fn best_block_never_offers_wheelchair_spaces() {
        let seats = row(0, "wcw");
        assert_eq!(best_block(&seats, 1, None), ids(&seats, &[1]));
    }
}
