//! The seat grid itself: seats on the screen's layout, the keyboard moves between them, and
//! the legend.

use super::choice::Choice;
use crate::booking::SeatInfo;
use crate::catalog::SeatKind;
use crate::components::price::spoken;
use crate::i18n::{t, tr, tr_with, use_lang, Arg, Lang};
#[cfg(feature = "hydrate")]
use crate::{booking::MAX_SEATS, ids::SeatId};
use leptos::prelude::*;

/// The screen's real layout: rows and aisles on a grid, one checkbox per seat, so the form
/// works without JavaScript; arrow keys move between seats once hydrated.
///
/// The seats are markup the server writes (`inner_html`), which hydration leaves alone: hydrating
/// three hundred seat components, each with its reactive label and state, was one long task on
/// a phone, and every change from the live stream re-ran all of them. One handler takes the
/// picks and one effect rewrites only the seats whose state changed.
#[component]
pub(crate) fn SeatGrid(
    /// Category names in the legend's order: each gets its own colour.
    categories: Vec<String>,
    rows: i32,
    columns: i32,
    choice: Choice,
    currency: String,
) -> impl IntoView {
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
    let lang = use_lang();
    let grid = NodeRef::<leptos::html::Div>::new();
    // The server writes the seats. In the browser the effect below draws them only into an
    // empty grid (a map reached by the app's own navigation), so hydration costs nothing.
    #[cfg(not(feature = "hydrate"))]
    let seats = seats_view(&categories, choice, lang, &currency).to_html();
    #[cfg(feature = "hydrate")]
    let seats = String::new();
    #[cfg(feature = "hydrate")]
    {
        // The seats drawn here, kept until the grid goes (dropping them takes them off).
        let drawn = StoredValue::new_local(None::<Box<dyn std::any::Any>>);
        Effect::new(move |started: Option<Option<()>>| {
            grid.get().map(|grid| {
                if started.flatten().is_none() {
                    if grid.child_element_count() == 0 {
                        let (categories, currency) = (categories.clone(), currency.clone());
                        let seats = leptos::mount::mount_to(grid.clone().into(), move || {
                            seats_view(&categories, choice, lang, &currency)
                        });
                        drawn.set_value(Some(Box::new(seats)));
                    }
                    adopt_ticks(&grid, choice);
                }
                show_states(&grid, choice, lang, &currency);
            })
        });
    }
    let pick = move |event| {
        if let Ok(id) = event_target_value(&event).parse() {
            choice.toggle(id);
        }
    };
    view! {
        <div class="overflow-x-auto pb-2" node_ref=scroller>
            <div class="mx-auto mb-4 h-2 w-3/4 rounded-full bg-gradient-to-r from-slate-200 via-slate-400 to-slate-200" aria-hidden="true"></div>
            <p class="mb-3 text-center text-xs uppercase tracking-widest text-slate-500">{t("seats-screen")}</p>
            <fieldset>
                <legend class="sr-only">{t("seats-count")}</legend>
                <div id="seat-grid" class="grid min-w-max gap-1" style=style data-live=move || choice.live.get().to_string()
                    node_ref=grid on:keydown=move_focus on:change=pick inner_html=seats>
                </div>
            </fieldset>
        </div>
    }
}

/// The grid's content: each row's letter, then the seats, as the choice and the seats taken
/// stand now.
fn seats_view(categories: &[String], choice: Choice, lang: Lang, currency: &str) -> impl IntoView {
    choice
        .seats
        .with_value(|seats| grid_content(seats, categories, choice, lang, currency))
}

fn grid_content(
    seats: &[SeatInfo],
    categories: &[String],
    choice: Choice,
    lang: Lang,
    currency: &str,
) -> impl IntoView {
    let mut rows: Vec<(i32, &str)> = seats.iter().map(|s| (s.grid_row, s.row.as_str())).collect();
    rows.dedup();
    let taken = choice.taken.get_untracked();
    let chosen = choice.selected.get_untracked();
    let row_labels = rows
        .into_iter()
        .map(|(row, label)| view! {
            <span aria-hidden="true" class="self-center text-xs font-semibold text-slate-500" style=format!("grid-row: {}; grid-column: 1", row + 1)>{label.to_owned()}</span>
        })
        .collect_view();
    let seats = seats
        .iter()
        .enumerate()
        .map(|(index, seat)| {
            let state = SeatState {
                taken: taken.contains(&seat.id),
                chosen: chosen.contains(&seat.id),
            };
            let label = seat_label(lang, seat, currency, state.taken);
            seat_box(index, seat, tint(categories, &seat.category), state, label)
        })
        .collect_view();
    view! { {row_labels} {seats} }
}

#[derive(Clone, Copy)]
struct SeatState {
    taken: bool,
    chosen: bool,
}

/// One seat. Its state shows in shape and mark as well as colour: free seats are outlined,
/// chosen ones filled and round, taken ones crossed out; wheelchair spaces carry the symbol.
fn seat_box(
    index: usize,
    seat: &SeatInfo,
    tint: &'static str,
    state: SeatState,
    label: String,
) -> impl IntoView {
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
                value=seat.id.to_string()
                data-r=seat.grid_row
                data-c=seat.grid_col
                data-seat=seat.label.clone()
                data-category=seat.category.clone()
                aria-label=label
                disabled=state.taken
                checked=state.chosen
            />
            <span aria-hidden="true" class=format!("seat {tint}")>{seat_mark(seat, state.taken)}</span>
        </label>
    }
}

/// What a screen reader says of a seat: where it is, its category and price, and whether it
/// is free.
fn seat_label(lang: Lang, seat: &SeatInfo, currency: &str, taken: bool) -> String {
    let kind = match seat.kind {
        SeatKind::Wheelchair => tr(lang, "seat-wheelchair"),
        SeatKind::Companion => tr(lang, "seat-companion"),
        SeatKind::Standard => String::new(),
    };
    let described = tr_with(
        lang,
        "seat-label",
        &[
            ("row", Arg::Text(&seat.row)),
            ("number", Arg::Number(i64::from(seat.number))),
            ("category", Arg::Text(&seat.category)),
            ("price", Arg::Text(&spoken(lang, seat.price, currency))),
        ],
    );
    let state = tr(
        lang,
        if taken {
            "seat-unavailable"
        } else {
            "seat-available"
        },
    );
    format!("{described}{kind}, {state}")
}

fn seat_mark(seat: &SeatInfo, taken: bool) -> String {
    match (taken, seat.kind) {
        (true, _) => "✕".to_owned(),
        (false, SeatKind::Wheelchair) => "♿".to_owned(),
        (false, _) => seat.number.to_string(),
    }
}

/// The grid's seat checkboxes with the seats they stand for.
#[cfg(feature = "hydrate")]
fn seat_inputs(
    grid: &web_sys::HtmlDivElement,
) -> impl Iterator<Item = (SeatId, web_sys::HtmlInputElement)> {
    use leptos::wasm_bindgen::JsCast;
    let inputs = grid.query_selector_all("input").ok();
    let count = inputs.as_ref().map_or(0, |list| list.length());
    (0..count).filter_map(move |at| {
        let input = inputs
            .as_ref()?
            .item(at)?
            .dyn_into::<web_sys::HtmlInputElement>()
            .ok()?;
        Some((input.value().parse().ok()?, input))
    })
}

/// Seats ticked before the wasm ran (the page works without it) are the choice from then on.
#[cfg(feature = "hydrate")]
fn adopt_ticks(grid: &web_sys::HtmlDivElement, choice: Choice) {
    let ticked: Vec<SeatId> = seat_inputs(grid)
        .filter(|(_, input)| input.checked() && !input.disabled())
        .map(|(id, _)| id)
        .take(MAX_SEATS)
        .collect();
    if ticked != choice.selected.get_untracked() {
        choice.selected.set(ticked);
    }
}

/// Brings every seat on the grid in line with the choice and the seats taken, touching only
/// those that differ (a pick over the limit is unticked here too).
#[cfg(feature = "hydrate")]
fn show_states(grid: &web_sys::HtmlDivElement, choice: Choice, lang: Lang, currency: &str) {
    let taken = choice.taken.read();
    let chosen = choice.selected.read();
    for (id, input) in seat_inputs(grid) {
        let state = SeatState {
            taken: taken.contains(&id),
            chosen: chosen.contains(&id),
        };
        if input.checked() != state.chosen {
            input.set_checked(state.chosen);
        }
        if input.disabled() == state.taken {
            continue;
        }
        input.set_disabled(state.taken);
        choice.seats.with_value(|seats| {
            let Some(seat) = seats.iter().find(|s| s.id == id) else {
                return;
            };
            let label = seat_label(lang, seat, currency, state.taken);
            let _ = input.set_attribute("aria-label", &label);
            if let Some(mark) = input.next_element_sibling() {
                mark.set_text_content(Some(&seat_mark(seat, state.taken)));
            }
        });
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

/// Outline and number colours of free seats, one per category (in the order of the legend),
/// from style/tailwind.css.
const TINTS: [&str; 4] = ["tint-0", "tint-1", "tint-2", "tint-3"];

pub(crate) fn tint(categories: &[String], category: &str) -> &'static str {
    let at = categories.iter().position(|c| c == category).unwrap_or(0);
    TINTS[at % TINTS.len()]
}

/// What each seat state and category looks like, in words as well as pictures.
#[component]
pub(super) fn Legend(categories: Vec<(String, String)>) -> impl IntoView {
    const SWATCH: &str = "inline-flex h-5 w-5 items-center justify-center border-2 text-[10px]";
    view! {
        <section aria-label=t("seats-legend") class="flex flex-wrap gap-x-5 gap-y-2 text-sm text-slate-700">
            <span class="flex items-center gap-1.5"><span aria-hidden="true" class=format!("{SWATCH} rounded-t-md border-slate-500 bg-white")></span>{t("seats-available")}</span>
            <span class="flex items-center gap-1.5"><span aria-hidden="true" class=format!("{SWATCH} rounded-full border-indigo-700 bg-indigo-600 text-white")></span>{t("seats-yours")}</span>
            <span class="flex items-center gap-1.5"><span aria-hidden="true" class=format!("{SWATCH} rounded-t-md border-slate-300 bg-slate-200 text-slate-400")>"✕"</span>{t("seats-taken")}</span>
            <span class="flex items-center gap-1.5"><span aria-hidden="true" class=format!("{SWATCH} rounded-t-md border-slate-500 bg-white")>"♿"</span>{t("seats-wheelchair-space")}</span>
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
