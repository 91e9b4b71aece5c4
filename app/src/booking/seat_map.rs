//! Seat maps: the cached layout with every seat's state from the show's board, so reading one
//! costs the database nothing. The JSON of a map is rendered once per change (plain and
//! gzipped) and served as it is until the board changes or a hold on it runs out.

use super::{
    board::Board, functions::SeatChart, rules, Actor, BookedSeat, BookingError, Bookings, SeatInfo,
    SeatMap, SeatStatus, MAX_SEATS,
};
use crate::{
    catalog::{LayoutSeat, ShowLayout},
    i18n::Text,
    ids::{SeatId, ShowId},
};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use std::{io::Write, sync::Arc};

/// A seat map as JSON, plain and gzipped.
#[derive(Clone, Debug)]
pub struct Rendered {
    /// The layout it was made from: a changed layout is a new one.
    layout: Arc<ShowLayout>,
    valid_until: Option<DateTime<Utc>>,
    pub json: Bytes,
    pub gzip: Bytes,
}

impl Bookings {
    async fn layout_and_board(
        &self,
        show: ShowId,
    ) -> Result<(Arc<ShowLayout>, Arc<Board>), BookingError> {
        let layout = self.catalog.layout(show).await?;
        let board = self.boards.get(show).await?.unwrap_or_default();
        Ok((layout, board))
    }

    /// The same as JSON, rendered once per change of the board.
    pub async fn seat_map_json(&self, show: ShowId) -> Result<Rendered, BookingError> {
        let (layout, board) = self.layout_and_board(show).await?;
        let now = Utc::now();
        let mut rendered = board
            .rendered
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(done) = rendered.as_ref().filter(|r| {
            Arc::ptr_eq(&r.layout, &layout) && r.valid_until.is_none_or(|until| now < until)
        }) {
            return Ok(done.clone());
        }
        let json = serde_json::to_vec(&compose(&layout, &board, now)).map_err(|err| {
            tracing::error!(error = %err, "seat map not rendered");
            BookingError::Unavailable
        })?;
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let gzip = gzip
            .write_all(&json)
            .and_then(|()| gzip.finish())
            .unwrap_or_default();
        let done = Rendered {
            layout: layout.clone(),
            valid_until: board.next_lapse(now),
            json: json.into(),
            gzip: gzip.into(),
        };
        *rendered = Some(done.clone());
        Ok(done)
    }

    /// The best block of `count` free seats of a show (optionally of one category): centre
    /// of the screen, a comfortable distance back.
    pub async fn best_seats(
        &self,
        show: ShowId,
        count: usize,
        category: Option<&str>,
    ) -> Result<Vec<BookedSeat>, BookingError> {
        check_count(count)?;
        let (layout, board) = self.layout_and_board(show).await?;
        let now = Utc::now();
        let free = |seat| board.status(seat, now) == SeatStatus::Available;
        best_in(&layout, free, count, category)
    }

    /// The same from the seats' states as PostgreSQL has them now, not this instance's board
    /// (which may not have heard of a change yet).
    pub async fn best_seats_now(
        &self,
        show: ShowId,
        count: usize,
        category: Option<&str>,
    ) -> Result<Vec<BookedSeat>, BookingError> {
        let layout = self.catalog.layout(show).await?;
        let free: std::collections::HashSet<SeatId> = sqlx::query_scalar(
            "SELECT seat_id FROM seat_states WHERE show_id = $1 AND status::text = 'available'",
        )
        .bind(show)
        .fetch_all(self.primary())
        .await?
        .into_iter()
        .collect();
        best_in(&layout, |seat| free.contains(&seat), count, category)
    }

    /// Everything the seat-map page shows: the map, the viewer's live hold on the show (whose
    /// seats are theirs to keep or change: free to them, and ticked), and a suggestion of the
    /// `best` seats when asked. `None` when there is no such show.
    pub async fn seat_chart(
        &self,
        viewer: Option<Actor>,
        show: ShowId,
        best: Option<usize>,
        category: Option<&str>,
    ) -> Result<Option<SeatChart>, BookingError> {
        let (layout, board) = match self.layout_and_board(show).await {
            Ok(found) => found,
            Err(BookingError::NotFound) => return Ok(None),
            Err(err) => return Err(err),
        };
        let now = Utc::now();
        let mut map = compose(&layout, &board, now);
        let hold = match viewer {
            Some(actor) => self.current_hold(actor.user_id, show).await?,
            None => None,
        };
        let mine: Vec<_> = hold
            .iter()
            .flat_map(|h| h.seats.iter())
            .map(|s| s.seat_id)
            .collect();
        for seat in map.seats.iter_mut().filter(|s| mine.contains(&s.id)) {
            seat.status = SeatStatus::Available;
        }
        let suggested = match best {
            Some(count) => {
                let free =
                    |seat| mine.contains(&seat) || board.status(seat, now) == SeatStatus::Available;
                best_in(&layout, free, count, category)
                    .map(|seats| seats.into_iter().map(|s| s.seat_id).collect())
                    .unwrap_or_default()
            }
            None => mine,
        };
        Ok(Some(SeatChart {
            show: super::reads::booking_show(&layout.show),
            map,
            hold,
            signed_in: viewer.is_some(),
            suggested,
            not_on_sale: super::hold::on_sale(&layout, self.policy.sales_close)
                .err()
                .map(|refused| refused.to_string()),
        }))
    }
}

fn compose(layout: &ShowLayout, board: &Board, now: DateTime<Utc>) -> SeatMap {
    SeatMap {
        show_id: layout.show.id,
        layout: layout.layout.clone(),
        categories: layout.categories.clone(),
        seats: layout
            .seats
            .iter()
            .map(|s| SeatInfo {
                id: s.id,
                label: s.label.clone(),
                row: s.row.clone(),
                number: s.number,
                category: s.category.clone(),
                price: s.price,
                currency: layout.show.currency.clone(),
                kind: s.kind,
                status: board.status(s.id, now),
                grid_row: s.grid_row,
                grid_col: s.grid_col,
            })
            .collect(),
    }
}

fn check_count(count: usize) -> Result<(), BookingError> {
    if (1..=MAX_SEATS).contains(&count) {
        Ok(())
    } else {
        let text = Text::new("err-seat-ask").arg("max", MAX_SEATS);
        Err(BookingError::Invalid(crate::error::field("count", text)))
    }
}

/// The best block of `count` seats of the layout that are `free`.
fn best_in(
    layout: &ShowLayout,
    free: impl Fn(SeatId) -> bool,
    count: usize,
    category: Option<&str>,
) -> Result<Vec<BookedSeat>, BookingError> {
    check_count(count)?;
    let seats: Vec<rules::Seat> = layout
        .seats
        .iter()
        .map(|s| rules::Seat::of(s, free(s.id)))
        .collect();
    let best = rules::best_block(&seats, count, category);
    Ok(layout
        .seats
        .iter()
        .filter(|s| best.contains(&s.id))
        .map(BookedSeat::of)
        .collect())
}

impl BookedSeat {
    /// A seat of the show's layout, at its price for the show.
    pub(super) fn of(seat: &LayoutSeat) -> Self {
        Self {
            seat_id: seat.id,
            label: seat.label.clone(),
            category: seat.category.clone(),
            price: seat.price,
        }
    }
}
