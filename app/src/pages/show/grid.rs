//! The seat grid itself: seats on the screen's layout, the keyboard moves between them, and
//! the legend.

use super::choice::Choice;
use crate::booking::SeatInfo;
use crate::catalog::SeatKind;
use crate::components::price::spoken;
use crate::i18n::{t, tr, tr_with, use_lang, Arg};
use leptos::prelude::*;

/// The screen's real layout: rows and aisles on a grid, one checkbox per seat, so the form
/// works without JavaScript; arrow keys move between seats once hydrated.
#[component]
pub(crate) fn SeatGrid(
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
            <p class="mb-3 text-center text-xs uppercase tracking-widest text-slate-500">{t("seats-screen")}</p>
            <fieldset>
                <legend class="sr-only">{t("seats-count")}</legend>
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
    let lang = use_lang();
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
            ("price", Arg::Text(&spoken(lang, seat.price, &currency))),
        ],
    );
    let label = move || {
        let state = tr(
            lang,
            if is_taken() {
                "seat-unavailable"
            } else {
                "seat-available"
            },
        );
        format!("{described}{kind}, {state}")
    };
    let mark = if seat.kind == SeatKind::Wheelchair {
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
                class=format!("seat {tint}")
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
