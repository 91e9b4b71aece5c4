//! The seat map of a show: pick seats (or take the suggested best ones), see the running total,
//! and hold them. A plain form before the wasm loads; live once hydrated, so seats others take
//! turn unavailable while you look.

use crate::booking::{
    functions::{show_seats, suggest_seats, HoldSeats, SeatChart},
    BookingError, MAX_SEATS,
};
use crate::catalog::SeatInfo;
use crate::components::{
    price::spoken,
    status::{ErrorState, Loading},
};
use crate::money;
use crate::pages::not_found::NotFound;
use leptos::{either::EitherOf3, prelude::*};
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use std::collections::HashSet;
use uuid::Uuid;

#[component]
pub fn ShowPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let data = Resource::new(
        move || {
            let query = query.read();
            (
                params
                    .read()
                    .get("id")
                    .and_then(|id| id.parse::<Uuid>().ok()),
                query.get("best").and_then(|n| n.parse::<usize>().ok()),
                query.get("category"),
            )
        },
        |(id, best, category)| async move {
            match id {
                Some(id) => show_seats(id, best, category).await,
                None => Ok(None),
            }
        },
    );
    let content = move || {
        Suspend::new(async move {
            match data.await {
                Ok(Some(page)) => EitherOf3::A(view! { <SeatMap page /> }),
                Ok(None) => EitherOf3::B(view! { <NotFound /> }),
                Err(err) => EitherOf3::C(view! { <ErrorState message=err.to_string() /> }),
            }
        })
    };
    view! { <Transition fallback=|| view! { <Loading label="Loading the seat map…" /> }>{content}</Transition> }
}

#[component]
fn SeatMap(page: SeatChart) -> impl IntoView {
    let show = page.show.clone();
    let show_id = show.show_id;
    let currency = page.map.currency().to_owned();
    let mine = page
        .hold
        .iter()
        .flat_map(|h| h.seats.iter())
        .map(|s| s.seat_id);
    let choice = Choice::new(&page.map.seats, page.suggested.clone(), mine.collect());
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));

    let hold = ServerAction::<HoldSeats>::new();
    // Seats someone took between looking and asking: mark them and drop them from the choice.
    Effect::new(move |_| {
        if let Some(Err(BookingError::SeatsUnavailable(gone))) = hold.value().get() {
            // The server only names seats that are not the visitor's, whatever the map thought.
            choice
                .mine
                .update_value(|mine| gone.iter().for_each(|id| _ = mine.remove(id)));
            choice.drop_taken(gone);
        }
    });
    follow_live_changes(show_id, choice);

    let total = {
        let currency = currency.clone();
        move || {
            let (count, sum) = choice.total();
            (count, money::format(sum, &currency))
        }
    };
    let error = move || {
        hold.value()
            .get()
            .and_then(Result::err)
            .filter(|e| !matches!(e, BookingError::SeatsUnavailable(_)))
            .map(|e| e.to_string())
    };
    let next = format!("/shows/{show_id}");
    view! {
        <Title text=format!("Pick seats · {} · District", show.movie_title) />
        <article class="flex flex-col gap-5">
            <header class="flex flex-col gap-1">
                <a href=format!("/movies/{}", show.movie_slug) class="w-fit text-sm font-semibold text-indigo-700 underline underline-offset-2">
                    "← " {show.movie_title.clone()}
                </a>
                <h1 class="text-2xl font-bold tracking-tight">{show.movie_title.clone()}</h1>
                <p class="text-slate-600">
                    {format!("{} · {} · {}", show.theater_name, show.screen_name, show.local_time)}
                </p>
                <p class="text-sm text-slate-500">{format!("{} · {}", show.format, show.language)}</p>
            </header>
            {page.hold.clone().map(|held| view! {
                <p role="status" class="rounded-lg border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="current-hold">
                    {format!("You are holding {}. ", held.seat_labels())}
                    <a href=format!("/bookings/{}", held.booking_id) class="font-semibold underline">"Continue with these seats"</a>
                    " — or change the seats ticked below and Proceed to hold those instead."
                </p>
            })}
            <BestAvailable show_id categories=page.map.categories.iter().map(|c| c.name.clone()).collect() selected=choice.selected />
            <Legend categories=page.map.categories.iter().map(|c| (c.name.clone(), money::format(c.price, &currency))).collect() />
            <ActionForm action=hold attr:class="flex flex-col gap-4" attr:id="seat-form">
                <input type="hidden" name="show_id" value=show_id.to_string() />
                <SeatGrid seats=page.map.seats.clone() categories=page.map.categories.iter().map(|c| c.name.clone()).collect() rows=page.map.layout.rows columns=page.map.layout.columns choice currency=currency.clone() />
                <label class="flex items-center gap-2 text-sm text-slate-700">
                    <input type="checkbox" name="wheelchair" value="true" class="h-4 w-4" />
                    "I use a wheelchair and need a wheelchair space"
                </label>
                <div aria-live="polite" class="min-h-6 text-sm">
                    {move || choice.notice.get().map(|text| view! { <p class="text-amber-800" data-testid="seat-notice">{text}</p> })}
                    {move || error().map(|text| view! { <p role="alert" class="text-red-700" data-testid="hold-error">{text}</p> })}
                </div>
                <div class="sticky bottom-0 -mx-4 flex items-center justify-between gap-3 border-t border-slate-200 bg-white px-4 py-3 sm:static sm:mx-0 sm:rounded-2xl sm:border">
                    <p data-testid="selection-total">
                        {move || {
                            if !hydrated.get() {
                                return "Choose your seats, then Proceed.".to_owned();
                            }
                            match total() {
                                (0, _) => "No seats chosen yet.".to_owned(),
                                (1, sum) => format!("1 seat · {sum}"),
                                (n, sum) => format!("{n} seats · {sum}"),
                            }
                        }}
                    </p>
                    {if page.signed_in {
                        view! {
                            <button
                                type="submit"
                                disabled=move || hydrated.get() && (choice.selected.read().is_empty() || hold.pending().get())
                                class="rounded-lg bg-indigo-600 px-5 py-2.5 font-semibold text-white hover:bg-indigo-700 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 disabled:opacity-50"
                            >
                                {move || if hold.pending().get() { "Holding…" } else { "Proceed" }}
                            </button>
                        }
                        .into_any()
                    } else {
                        view! {
                            <a href=format!("/login?next={next}") class="rounded-lg bg-indigo-600 px-5 py-2.5 font-semibold text-white hover:bg-indigo-700">
                                "Sign in to book"
                            </a>
                        }
                        .into_any()
                    }}
                </div>
            </ActionForm>
        </article>
    }
}

/// The moviegoer's choice and what the map knows of everyone else's seats, shared by the grid,
/// the live stream and the answer to a hold.
#[derive(Clone, Copy)]
struct Choice {
    seats: StoredValue<Vec<SeatInfo>>,
    taken: RwSignal<HashSet<Uuid>>,
    /// Seats of the visitor's own hold: the stream reports them held, but they are not taken.
    mine: StoredValue<HashSet<Uuid>>,
    selected: RwSignal<Vec<Uuid>>,
    notice: RwSignal<Option<String>>,
    /// The live stream has sent its first snapshot: the map now shows every seat as it is.
    live: RwSignal<bool>,
}

impl Choice {
    fn new(seats: &[SeatInfo], suggested: Vec<Uuid>, mine: HashSet<Uuid>) -> Self {
        let taken = seats
            .iter()
            .filter(|s| s.status != "available")
            .map(|s| s.id)
            .collect();
        Self {
            seats: StoredValue::new(seats.to_vec()),
            taken: RwSignal::new(taken),
            mine: StoredValue::new(mine),
            selected: RwSignal::new(suggested),
            notice: RwSignal::new(None),
            live: RwSignal::new(false),
        }
    }

    fn is_taken(self, id: Uuid) -> bool {
        self.taken.read().contains(&id)
    }

    fn is_chosen(self, id: Uuid) -> bool {
        self.selected.read().contains(&id)
    }

    /// Picks or unpicks a seat, up to the most one booking may hold.
    fn toggle(self, id: Uuid) {
        self.selected.update(|chosen| {
            if let Some(at) = chosen.iter().position(|s| *s == id) {
                chosen.remove(at);
            } else if chosen.len() < MAX_SEATS {
                chosen.push(id);
            }
        });
        self.notice.set(
            (self.selected.read().len() == MAX_SEATS)
                .then(|| format!("You can book up to {MAX_SEATS} seats at a time.")),
        );
    }

    /// Seats now free for anyone; any of ours among them are no longer ours.
    #[cfg(feature = "hydrate")]
    fn freed(self, seats: &[Uuid]) {
        self.taken
            .update(|taken| seats.iter().for_each(|id| _ = taken.remove(id)));
        self.mine
            .update_value(|mine| seats.iter().for_each(|id| _ = mine.remove(id)));
    }

    /// How many seats are chosen and what they cost, in minor units.
    fn total(self) -> (usize, i64) {
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
    fn drop_taken(self, gone: Vec<Uuid>) {
        let gone: Vec<Uuid> = self
            .mine
            .with_value(|mine| gone.into_iter().filter(|id| !mine.contains(id)).collect());
        let lost: Vec<Uuid> = self
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
        self.notice.set(Some(format!(
            "Sorry, {labels} {} just taken by someone else. Please pick again.",
            if lost.len() == 1 { "was" } else { "were" }
        )));
    }
}

/// Keeps the map live once hydrated: the show's seat stream (a snapshot, then each change).
fn follow_live_changes(show_id: Uuid, choice: Choice) {
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
                let now_taken: Vec<Uuid> =
                    snapshot.held.into_iter().chain(snapshot.booked).collect();
                choice.taken.set(HashSet::new());
                choice.drop_taken(now_taken);
                choice.live.set(true);
            }
        });
        let on_change = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event| {
            if let Ok(change) = serde_json::from_str::<SeatChange>(&data(&event)) {
                if change.status == "available" {
                    choice.freed(&change.seat_ids);
                } else {
                    choice.drop_taken(change.seat_ids);
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

/// The screen's real layout: rows and aisles on a grid, one checkbox per seat, so the form
/// works without JavaScript; arrow keys move between seats once hydrated.
#[component]
fn SeatGrid(
    seats: Vec<SeatInfo>,
    /// Category names in the legend's order: each gets its own colour.
    categories: Vec<String>,
    rows: i32,
    columns: i32,
    choice: Choice,
    currency: String,
) -> impl IntoView {
    let row_labels: Vec<(i32, String)> = {
        let mut labels: Vec<(i32, String)> =
            seats.iter().map(|s| (s.grid_row, s.row.clone())).collect();
        labels.dedup();
        labels
    };
    let style = format!(
        "grid-template-columns: 1.5rem repeat({columns}, minmax(1.75rem, 1fr)); grid-template-rows: repeat({rows}, 2rem)"
    );
    // On a narrow screen the map scrolls sideways: start from the middle, where the best seats are.
    let scroller = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if let Some(el) = scroller.get() {
            el.set_scroll_left((el.scroll_width() - el.client_width()) / 2);
        }
    });
    view! {
        <div class="overflow-x-auto pb-2" node_ref=scroller>
            <div class="mx-auto mb-4 h-2 w-3/4 rounded-full bg-gradient-to-r from-slate-200 via-slate-400 to-slate-200" aria-hidden="true"></div>
            <p class="mb-3 text-center text-xs uppercase tracking-widest text-slate-500">"Screen this way"</p>
            <fieldset>
                <legend class="sr-only">"Seats"</legend>
                <div id="seat-grid" class="grid min-w-max gap-1" style=style data-live=move || choice.live.get().to_string() on:keydown=move_focus>
                    {row_labels
                        .into_iter()
                        .map(|(row, label)| view! {
                            <span aria-hidden="true" class="self-center text-xs font-semibold text-slate-500" style=format!("grid-row: {}; grid-column: 1", row + 1)>{label}</span>
                        })
                        .collect_view()}
                    {seats
                        .into_iter()
                        .enumerate()
                        .map(|(index, seat)| {
                            let tint = tint(&categories, &seat.category);
                            view! { <SeatButton index seat tint choice currency=currency.clone() /> }
                        })
                        .collect_view()}
                </div>
            </fieldset>
        </div>
    }
}

/// One seat. Its state shows in shape and mark as well as colour: free seats are outlined,
/// chosen ones filled and round, taken ones crossed out; wheelchair spaces carry the symbol.
#[component]
fn SeatButton(
    index: usize,
    seat: SeatInfo,
    tint: &'static str,
    choice: Choice,
    currency: String,
) -> impl IntoView {
    let id = seat.id;
    let is_taken = move || choice.is_taken(id);
    let kind = match seat.kind.as_str() {
        "wheelchair" => ", wheelchair space",
        "companion" => ", companion seat",
        _ => "",
    };
    let described = format!(
        "Row {} seat {}, {}, {}{kind}",
        seat.row,
        seat.number,
        seat.category,
        spoken(seat.price, &currency)
    );
    let label = move || {
        let state = if is_taken() {
            "unavailable"
        } else {
            "available"
        };
        format!("{described}, {state}")
    };
    let mark = if seat.kind == "wheelchair" {
        "♿".to_owned()
    } else {
        seat.number.to_string()
    };
    view! {
        <label
            class="relative flex"
            style=format!("grid-row: {}; grid-column: {}", seat.grid_row + 1, seat.grid_col + 2)
            title=seat.label.clone()
        >
            <input
                type="checkbox"
                class="peer sr-only"
                name=format!("seat_ids[{index}]")
                value=id.to_string()
                data-r=seat.grid_row
                data-c=seat.grid_col
                data-seat=seat.label.clone()
                data-category=seat.category.clone()
                aria-label=label
                disabled=is_taken
                checked=choice.selected.read_untracked().contains(&id)
                prop:checked=move || choice.is_chosen(id)
                on:change=move |_| choice.toggle(id)
            />
            <span
                aria-hidden="true"
                class=format!("flex h-7 w-7 cursor-pointer select-none items-center justify-center rounded-t-lg border-2 {tint} bg-white text-[11px] font-semibold hover:bg-slate-50 peer-checked:rounded-full peer-checked:border-indigo-700 peer-checked:bg-indigo-600 peer-checked:text-white peer-focus-visible:ring-2 peer-focus-visible:ring-indigo-500 peer-focus-visible:ring-offset-1 peer-disabled:cursor-not-allowed peer-disabled:border-slate-300 peer-disabled:bg-slate-200 peer-disabled:text-slate-400 peer-disabled:line-through")
            >
                {move || if is_taken() { "✕".to_owned() } else { mark.clone() }}
            </span>
        </label>
    }
}

/// Arrow keys move to the nearest open seat in that direction, across aisles and gaps.
fn move_focus(event: leptos::ev::KeyboardEvent) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        let (dr, dc) = match event.key().as_str() {
            "ArrowLeft" => (0, -1),
            "ArrowRight" => (0, 1),
            "ArrowUp" => (-1, 0),
            "ArrowDown" => (1, 0),
            _ => return,
        };
        let Some(current) = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        else {
            return;
        };
        let at = |name: &str| {
            current
                .get_attribute(name)
                .and_then(|v| v.parse::<i32>().ok())
        };
        let (Some(mut row), Some(mut col)) = (at("data-r"), at("data-c")) else {
            return;
        };
        event.prevent_default();
        for _ in 0..80 {
            row += dr;
            col += dc;
            let selector =
                format!("#seat-grid input[data-r='{row}'][data-c='{col}']:not(:disabled)");
            if let Some(next) = document()
                .query_selector(&selector)
                .ok()
                .flatten()
                .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = next.focus();
                return;
            }
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = event;
}

/// Outline and number colours of free seats, one per category (in the order of the legend).
const TINTS: [&str; 4] = [
    "border-emerald-600 text-emerald-800",
    "border-sky-600 text-sky-800",
    "border-violet-600 text-violet-800",
    "border-amber-600 text-amber-800",
];

fn tint(categories: &[String], category: &str) -> &'static str {
    let at = categories.iter().position(|c| c == category).unwrap_or(0);
    TINTS[at % TINTS.len()]
}

/// What each seat state and category looks like, in words as well as pictures.
#[component]
fn Legend(categories: Vec<(String, String)>) -> impl IntoView {
    const SWATCH: &str = "inline-flex h-5 w-5 items-center justify-center border-2 text-[10px]";
    view! {
        <section aria-label="Legend and prices" class="flex flex-wrap gap-x-5 gap-y-2 text-sm text-slate-700">
            <span class="flex items-center gap-1.5"><span aria-hidden="true" class=format!("{SWATCH} rounded-t-md border-slate-500 bg-white")></span>"Available"</span>
            <span class="flex items-center gap-1.5"><span aria-hidden="true" class=format!("{SWATCH} rounded-full border-indigo-700 bg-indigo-600 text-white")></span>"Your choice"</span>
            <span class="flex items-center gap-1.5"><span aria-hidden="true" class=format!("{SWATCH} rounded-t-md border-slate-300 bg-slate-200 text-slate-400")>"✕"</span>"Taken"</span>
            <span class="flex items-center gap-1.5"><span aria-hidden="true" class=format!("{SWATCH} rounded-t-md border-slate-500 bg-white")>"♿"</span>"Wheelchair space"</span>
            {categories
                .into_iter()
                .enumerate()
                .map(|(at, (name, price))| view! {
                    <span class="flex items-center gap-1.5" data-testid="category-price">
                        <span aria-hidden="true" class=format!("{SWATCH} rounded-t-md bg-white {}", TINTS[at % TINTS.len()])></span>
                        <b>{name}</b>" "{price}
                    </span>
                })
                .collect_view()}
        </section>
    }
}

/// "Best available": a plain GET form (the server pre-selects the suggestion), answered in
/// place once hydrated.
#[component]
fn BestAvailable(
    show_id: Uuid,
    categories: Vec<String>,
    selected: RwSignal<Vec<Uuid>>,
) -> impl IntoView {
    let count = RwSignal::new(2usize);
    let category = RwSignal::new(String::new());
    let suggest = Action::new(move |_: &()| {
        let (count, category) = (count.get_untracked(), category.get_untracked());
        async move { suggest_seats(show_id, count, Some(category)).await }
    });
    let message = move || match suggest.value().get() {
        Some(Ok(seats)) if seats.is_empty() => {
            Some("No block of that many seats is free together.".to_owned())
        }
        Some(Err(err)) => Some(err.to_string()),
        _ => None,
    };
    Effect::new(move |_| {
        if let Some(Ok(seats)) = suggest.value().get() {
            if !seats.is_empty() {
                selected.set(seats);
            }
        }
    });
    view! {
        <form
            method="get"
            action=format!("/shows/{show_id}")
            class="flex flex-wrap items-end gap-3 rounded-2xl border border-slate-200 bg-white p-3"
            on:submit=move |ev| {
                ev.prevent_default();
                suggest.dispatch(());
            }
        >
            <label class="flex flex-col text-sm text-slate-700">
                "Seats"
                <select
                    name="best"
                    class="rounded-lg border border-slate-300 px-2 py-1.5"
                    on:change=move |ev| count.set(event_target_value(&ev).parse().unwrap_or(2))
                >
                    {(1..=MAX_SEATS).map(|n| view! { <option value=n.to_string() selected=n == 2>{n}</option> }).collect_view()}
                </select>
            </label>
            <label class="flex flex-col text-sm text-slate-700">
                "Category"
                <select
                    name="category"
                    class="rounded-lg border border-slate-300 px-2 py-1.5"
                    on:change=move |ev| category.set(event_target_value(&ev))
                >
                    <option value="">"Any"</option>
                    {categories.into_iter().map(|c| view! { <option value=c.clone()>{c.clone()}</option> }).collect_view()}
                </select>
            </label>
            <button type="submit" class="rounded-lg border-2 border-indigo-600 px-4 py-1.5 font-semibold text-indigo-700 hover:bg-indigo-50">
                "Suggest best seats"
            </button>
            <p aria-live="polite" class="text-sm text-slate-600">{message}</p>
        </form>
    }
}
