//! What the moviegoer has chosen on the seat map, and the live stream that keeps the map true.

use crate::booking::{SeatInfo, SeatStatus, SeatVersions, MAX_SEATS};
use crate::i18n::{tr_with, use_lang, Arg, Lang};
use crate::ids::{SeatId, ShowId};
use leptos::prelude::*;
use std::collections::HashSet;

/// The moviegoer's choice and what the map knows of everyone else's seats, shared by the grid,
/// the live stream and the answer to a hold.
#[derive(Clone, Copy)]
pub(crate) struct Choice {
    pub(super) seats: StoredValue<Vec<SeatInfo>>,
    pub(super) taken: RwSignal<HashSet<SeatId>>,
    /// Seats of the visitor's own hold: the stream reports them held, but they are not taken.
    pub(super) mine: StoredValue<HashSet<SeatId>>,
    pub(super) selected: RwSignal<Vec<SeatId>>,
    pub(super) notice: RwSignal<Option<String>>,
    /// The live stream has sent its first snapshot: the map now shows every seat as it is.
    pub(super) live: RwSignal<bool>,
    /// The version of each seat's state the map shows, so a late change cannot undo a newer.
    /// (Read by the live stream, which runs only once hydrated.)
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub(super) versions: StoredValue<SeatVersions>,
    /// The page's language, for the notices.
    lang: Lang,
}

impl Choice {
    pub(crate) fn new(seats: &[SeatInfo], suggested: Vec<SeatId>, mine: HashSet<SeatId>) -> Self {
        let taken = seats
            .iter()
            .filter(|s| s.status != SeatStatus::Available)
            .map(|s| s.id)
            .collect();
        Self {
            seats: StoredValue::new(seats.to_vec()),
            taken: RwSignal::new(taken),
            mine: StoredValue::new(mine),
            selected: RwSignal::new(suggested),
            notice: RwSignal::new(None),
            live: RwSignal::new(false),
            versions: StoredValue::new(SeatVersions::default()),
            lang: use_lang(),
        }
    }

    /// Picks or unpicks a seat, up to the most one booking may hold.
    pub(super) fn toggle(self, id: SeatId) {
        self.selected.update(|chosen| {
            if let Some(at) = chosen.iter().position(|s| *s == id) {
                chosen.remove(at);
            } else if chosen.len() < MAX_SEATS {
                chosen.push(id);
            }
        });
        self.notice
            .set((self.selected.read().len() == MAX_SEATS).then(|| {
                let most = Arg::Number(MAX_SEATS as i64);
                tr_with(self.lang, "seats-most", &[("count", most)])
            }));
    }

    /// Seats now free for anyone; any of ours among them are no longer ours.
    #[cfg(feature = "hydrate")]
    pub(super) fn freed(self, seats: &[SeatId]) {
        self.taken
            .update(|taken| seats.iter().for_each(|id| _ = taken.remove(id)));
        self.mine
            .update_value(|mine| seats.iter().for_each(|id| _ = mine.remove(id)));
    }

    /// How many seats are chosen and what they cost, in minor units.
    pub(super) fn total(self) -> (usize, i64) {
        let chosen = self.selected.get();
        let sum = self.seats.with_value(|all| {
            all.iter()
                .filter(|s| chosen.contains(&s.id))
                .map(|s| s.price)
                .sum()
        });
        (chosen.len(), sum)
    }

    /// Marks seats as taken, drops them from the choice and says so.
    pub(super) fn drop_taken(self, gone: Vec<SeatId>) {
        let gone: Vec<SeatId> = self
            .mine
            .with_value(|mine| gone.into_iter().filter(|id| !mine.contains(id)).collect());
        let lost: Vec<SeatId> = self
            .selected
            .get_untracked()
            .into_iter()
            .filter(|id| gone.contains(id))
            .collect();
        self.taken.update(|t| t.extend(gone.iter().copied()));
        if lost.is_empty() {
            return;
        }
        self.selected
            .update(|chosen| chosen.retain(|id| !lost.contains(id)));
        let labels = self.seats.with_value(|all| {
            all.iter()
                .filter(|s| lost.contains(&s.id))
                .map(|s| s.label.clone())
                .collect::<Vec<_>>()
                .join(", ")
        });
        self.notice.set(Some(tr_with(
            self.lang,
            "seats-lost",
            &[
                ("seats", Arg::Text(&labels)),
                ("count", Arg::Number(lost.len() as i64)),
            ],
        )));
    }
}

/// Keeps the map live once hydrated: the show's seat stream (a snapshot, then each change).
pub(super) fn follow_live_changes(show_id: ShowId, choice: Choice) {
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        use crate::booking::{SeatChange, SeatSnapshot};
        use leptos::wasm_bindgen::{closure::Closure, JsCast};
        let Ok(source) =
            web_sys::EventSource::new(&format!("/api/v1/shows/{show_id}/seats/stream"))
        else {
            return;
        };
        let data = |event: &web_sys::MessageEvent| event.data().as_string().unwrap_or_default();
        let on_snapshot = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event| {
            if let Ok(snapshot) = serde_json::from_str::<SeatSnapshot>(&data(&event)) {
                // Ours only while still held: a lapsed or sold seat is someone else's now.
                choice
                    .mine
                    .update_value(|mine| mine.retain(|id| snapshot.held.contains(id)));
                let shown = choice.taken.get_untracked();
                let now_taken = choice
                    .versions
                    .try_update_value(|versions| versions.merge(&snapshot, &shown))
                    .unwrap_or_default();
                choice.taken.set(HashSet::new());
                choice.drop_taken(now_taken.into_iter().collect());
                choice.live.set(true);
            }
        });
        let on_change = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event| {
            if let Ok(change) = serde_json::from_str::<SeatChange>(&data(&event)) {
                let newer = choice
                    .versions
                    .try_update_value(|versions| versions.newer(&change))
                    .unwrap_or_default();
                if change.status == SeatStatus::Available {
                    choice.freed(&newer);
                } else {
                    choice.drop_taken(newer);
                }
            }
        });
        let _ = source
            .add_event_listener_with_callback("snapshot", on_snapshot.as_ref().unchecked_ref());
        let _ =
            source.add_event_listener_with_callback("seats", on_change.as_ref().unchecked_ref());
        let live = send_wrapper::SendWrapper::new((source, on_snapshot, on_change));
        on_cleanup(move || live.0.close());
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (show_id, choice);
}
