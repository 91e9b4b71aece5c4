//! The seat map of a show: pick seats (or take the suggested best ones), see the running total,
//! and hold them. A plain form before the wasm loads; live once hydrated, so seats others take
//! turn unavailable while you look.

use crate::booking::{
    functions::{show_seats, suggest_seats, HoldSeats, SeatChart},
    BookingError, MAX_SEATS,
};
use crate::catalog::SeatKind;
use crate::i18n::{format, t, t_err, t_with, tr, tr_with, use_lang, Arg};
use crate::ids::{SeatId, ShowId};
use crate::money;
use crate::pages::data::resource;
use crate::pages::waitlist::JoinForm;
use choice::{follow_live_changes, Choice};
use grid::{Legend, SeatGrid};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

pub(crate) mod choice;
pub(crate) mod grid;
mod queue;

pub use queue::QueuePage;

#[component]
pub fn ShowPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let data = resource(
        move || {
            let query = query.read();
            (
                params
                    .read()
                    .get("id")
                    .and_then(|id| id.parse::<ShowId>().ok()),
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
    super::found(data, t("seats-loading"), |page| view! { <SeatMap page /> })
}

#[component]
fn SeatMap(page: SeatChart) -> impl IntoView {
    let show = page.show.clone();
    let show_id = show.show_id;
    let lang = use_lang();
    let currency = page.map.currency().to_owned();
    // On sale with no standard seat left (wheelchair spaces and companions aside): a line forms.
    let sold_out = page.not_on_sale.is_none()
        && page.hold.is_none()
        && !page.map.seats.iter().any(|s| {
            s.kind == SeatKind::Standard && s.status == crate::booking::SeatStatus::Available
        });
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
    // A place in the show's line: wait there (a plain form post is sent there by the server).
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        if let Some(Err(BookingError::Queued(_))) = hold.value().get() {
            navigate(&format!("/shows/{show_id}/queue"), Default::default());
        }
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
            .map(|e| t_err(&e))
    };
    let next = format!("/shows/{show_id}");
    view! {
        <Title text=t_with("seats-title", &[("title", Arg::Text(&show.movie_title))]) />
        <Meta name="description" content=t_with("seats-description", &[("title", Arg::Text(&show.movie_title)), ("theater", Arg::Text(&show.theater_name))]) />
        <article class="flex flex-col gap-5">
            <header class="flex flex-col gap-1">
                <a href=format!("/movies/{}", show.movie_slug) class="w-fit text-sm font-semibold text-indigo-700 underline underline-offset-2">
                    "← " {show.movie_title.clone()}
                </a>
                <h1 class="text-2xl font-bold tracking-tight">{show.movie_title.clone()}</h1>
                <p class="text-slate-600">
                    {format!("{} · {} · {}", show.theater_name, show.screen_name, format::date_time(lang, show.local_starts))}
                </p>
                <p class="text-sm text-slate-500">{format!("{} · {}", show.format, show.language)}</p>
            </header>
            {page.not_on_sale.clone().map(|why| view! {
                <p role="status" class="rounded-lg border border-slate-300 bg-slate-100 px-3 py-2 text-sm text-slate-800" data-testid="not-on-sale">{why}</p>
            })}
            {page.hold.clone().map(|held| view! {
                <p role="status" class="rounded-lg border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="current-hold">
                    {t_with("seats-holding", &[("seats", Arg::Text(&held.seat_labels()))])}" "
                    <a href=format!("/bookings/{}", held.booking_id) class="font-semibold underline">{tr(lang, "seats-continue")}</a>
                    {tr(lang, "seats-or-change")}
                </p>
            })}
            {(sold_out && page.signed_in).then(|| view! {
                <JoinForm show_id categories=page.map.categories.iter().map(|c| c.name.clone()).collect() />
            })}
            <BestAvailable show_id categories=page.map.categories.iter().map(|c| c.name.clone()).collect() selected=choice.selected />
            <Legend categories=page.map.categories.iter().map(|c| (c.name.clone(), money::format(c.price, &currency))).collect() />
            <ActionForm action=hold attr:class="flex flex-col gap-4" attr:id="seat-form">
                <input type="hidden" name="show_id" value=show_id.to_string() />
                <SeatGrid categories=page.map.categories.iter().map(|c| c.name.clone()).collect() rows=page.map.layout.rows columns=page.map.layout.columns choice currency=currency.clone() />
                <label class="flex items-center gap-2 text-sm text-slate-700">
                    <input type="checkbox" name="wheelchair" value="true" class="h-4 w-4" />
                    {t("seats-wheelchair")}
                </label>
                <div aria-live="polite" class="min-h-6 text-sm">
                    {move || choice.notice.get().map(|text| view! { <p class="text-amber-800" data-testid="seat-notice">{text}</p> })}
                    {move || error().map(|text| view! { <p role="alert" class="text-red-700" data-testid="hold-error">{text}</p> })}
                </div>
                <div class="sticky bottom-0 -mx-4 flex items-center justify-between gap-3 border-t border-slate-200 bg-white px-4 py-3 sm:static sm:mx-0 sm:rounded-2xl sm:border">
                    <p data-testid="selection-total">
                        {move || {
                            if !hydrated.get() {
                                return tr(lang, "seats-choose");
                            }
                            match total() {
                                (0, _) => tr(lang, "seats-none"),
                                (n, sum) => tr_with(
                                    lang,
                                    "seats-chosen",
                                    &[("count", Arg::Number(n as i64)), ("total", Arg::Text(&sum))],
                                ),
                            }
                        }}
                    </p>
                    {if page.not_on_sale.is_some() {
                        view! { <span class="text-sm text-slate-500">{t("seats-not-on-sale")}</span> }.into_any()
                    } else if page.signed_in {
                        view! {
                            <button
                                type="submit"
                                disabled=move || hydrated.get() && (choice.selected.read().is_empty() || hold.pending().get())
                                class="rounded-lg bg-indigo-600 px-5 py-2.5 font-semibold text-white hover:bg-indigo-700 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 disabled:opacity-50"
                            >
                                {move || tr(lang, if hold.pending().get() { "seats-holding-now" } else { "seats-proceed" })}
                            </button>
                        }
                        .into_any()
                    } else {
                        view! {
                            <a href=format!("/login?next={next}") class="rounded-lg bg-indigo-600 px-5 py-2.5 font-semibold text-white hover:bg-indigo-700">
                                {t("seats-sign-in")}
                            </a>
                        }
                        .into_any()
                    }}
                </div>
            </ActionForm>
        </article>
    }
}

/// "Best available": a plain GET form (the server pre-selects the suggestion), answered in
/// place once hydrated.
#[component]
fn BestAvailable(
    show_id: ShowId,
    categories: Vec<String>,
    selected: RwSignal<Vec<SeatId>>,
) -> impl IntoView {
    let count = RwSignal::new(2usize);
    let category = RwSignal::new(String::new());
    let suggest = Action::new(move |_: &()| {
        let (count, category) = (count.get_untracked(), category.get_untracked());
        async move { suggest_seats(show_id, count, Some(category)).await }
    });
    let lang = use_lang();
    let message = move || match suggest.value().get() {
        Some(Ok(seats)) if seats.is_empty() => Some(tr(lang, "seats-no-block")),
        Some(Err(err)) => Some(t_err(&err)),
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
                {t("seats-count")}
                <select
                    name="best"
                    class="rounded-lg border border-slate-300 px-2 py-1.5"
                    on:change=move |ev| count.set(event_target_value(&ev).parse().unwrap_or(2))
                >
                    {(1..=MAX_SEATS).map(|n| view! { <option value=n.to_string() selected=n == 2>{n}</option> }).collect_view()}
                </select>
            </label>
            <label class="flex flex-col text-sm text-slate-700">
                {t("seats-category")}
                <select
                    name="category"
                    class="rounded-lg border border-slate-300 px-2 py-1.5"
                    on:change=move |ev| category.set(event_target_value(&ev))
                >
                    <option value="">{t("seats-any")}</option>
                    {categories.into_iter().map(|c| view! { <option value=c.clone()>{c.clone()}</option> }).collect_view()}
                </select>
            </label>
            <button type="submit" class="rounded-lg border-2 border-indigo-600 px-4 py-1.5 font-semibold text-indigo-700 hover:bg-indigo-50">
                {t("seats-suggest")}
            </button>
            <p aria-live="polite" class="text-sm text-slate-600">{message}</p>
        </form>
    }
}
