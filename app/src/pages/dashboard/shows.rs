//! A theater's shows of one day: how each sells, stopping and resuming its sales, calling it
//! off.

use super::{
    action_error, here, path_id, query, staff_page, Problem, TheaterTabs, BUTTON, CARD, INPUT,
    QUIET,
};
use crate::components::status::EmptyState;
use crate::dashboard::{
    functions::{theater_day, CancelShow, DayOfShows, SetPrices, SetSales},
    TheaterShow,
};
use crate::i18n::{t, t_with, Arg};
use crate::money;
use crate::pages::data::resource;
use leptos::prelude::*;

#[component]
pub fn TheaterDayPage() -> impl IntoView {
    let id = path_id();
    let date = query("date");
    let acts = Actions {
        sales: ServerAction::new(),
        cancel: ServerAction::new(),
        prices: ServerAction::new(),
    };
    let Actions {
        sales,
        cancel,
        prices,
    } = acts;
    let data = resource(
        move || {
            let versions = (
                sales.version().get(),
                cancel.version().get(),
                prices.version().get(),
            );
            (id(), date(), versions)
        },
        |(id, date, ..)| async move {
            let date = date.and_then(|d| d.parse().ok());
            theater_day(id.unwrap_or_default(), date).await
        },
    );
    let error = Signal::derive(move || {
        (action_error(sales).get())
            .or(action_error(cancel).get())
            .or(action_error(prices).get())
    });
    let here = here();
    staff_page(data, move |day: DayOfShows| {
        let DayOfShows {
            theater,
            date,
            shows,
        } = day;
        let schedule = format!("/dashboard/theaters/{}/schedule", theater.id);
        view! {
            <TheaterTabs theater current="dash-tab-shows" />
            <section class="flex flex-col gap-4">
                <form method="get" class="flex flex-wrap items-end gap-2">
                    <label class="flex flex-col gap-1 text-sm font-medium text-slate-700">
                        {t("dash-day")}
                        <input type="date" name="date" value=date.map(|d| d.to_string()) class=INPUT />
                    </label>
                    <button type="submit" class=QUIET>{t("dash-show-day")}</button>
                    <a href=schedule.clone() class=BUTTON>{t("dash-schedule-shows")}</a>
                </form>
                <Problem error />
                {if shows.is_empty() {
                    view! { <EmptyState title=t("dash-no-shows") hint=t("dash-no-shows-hint") /> }.into_any()
                } else {
                    view! {
                        <ul class="flex flex-col gap-3" data-testid="theater-shows">
                            {shows.into_iter().map(|show| view! { <ShowRow show acts here /> }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </section>
        }
    })
}

/// What can be done to a show from its row.
#[derive(Clone, Copy)]
struct Actions {
    sales: ServerAction<SetSales>,
    cancel: ServerAction<CancelShow>,
    prices: ServerAction<SetPrices>,
}

#[component]
fn ShowRow(show: TheaterShow, acts: Actions, here: Signal<String>) -> impl IntoView {
    let Actions {
        sales,
        cancel,
        prices,
    } = acts;
    let cancelled = show.status == "cancelled";
    // The state as a word for scripts, and as the page's language says it.
    let (state, state_id) = if cancelled {
        ("Cancelled", "dash-show-cancelled")
    } else if show.sales_open {
        ("On sale", "dash-on-sale")
    } else {
        ("Sales stopped", "dash-sales-stopped")
    };
    let id = show.show_id.to_string();
    let movie_link = format!("/shows/{id}");
    let (cancel_id, prices_id) = (id.clone(), id.clone());
    let food_link = format!("/dashboard/shows/{id}/food");
    let waitlist_link = format!("/dashboard/shows/{id}/waitlist");
    // Prices change until the first seat is held or sold.
    let unsold = show.seats_sold + show.seats_held == 0;
    let current = show.prices.clone();
    let occupancy = if show.seats > 0 {
        show.seats_sold * 100 / show.seats
    } else {
        0
    };
    view! {
        <li class=CARD data-testid="theater-show" data-state=state>
            <div class="flex flex-wrap items-baseline justify-between gap-2">
                <p class="text-lg font-semibold">
                    {format!("{}–{} ", show.local_start, show.local_end)}
                    <a href=movie_link class="text-indigo-700 underline underline-offset-2">{show.movie_title.clone()}</a>
                </p>
                <span class="rounded-full bg-slate-100 px-2 py-0.5 text-xs font-semibold text-slate-700">{t(state_id)}</span>
            </div>
            <p class="text-sm text-slate-600">{format!("{} · {} · {}", show.screen_name, show.format, show.language)}</p>
            <p class="text-sm text-slate-700">
                {t_with("dash-occupancy", &[
                    ("sold", Arg::Number(show.seats_sold)),
                    ("seats", Arg::Number(show.seats)),
                    ("percent", Arg::Number(occupancy)),
                    ("held", Arg::Number(show.seats_held)),
                ])}
                {(show.waiting > 0).then(|| view! {
                    ", "<a href=waitlist_link class="underline">{t_with("dash-waiting", &[("count", Arg::Number(show.waiting))])}</a>
                })}
                " · "<a href=food_link class="underline">{t("dash-food-pickups")}</a>
            </p>
            {(!cancelled).then(move || view! {
                <div class="mt-2 flex flex-wrap gap-2">
                    <ActionForm action=sales>
                        <input type="hidden" name="show_id" value=id />
                        <input type="hidden" name="open" value=(!show.sales_open).to_string() />
                        <input type="hidden" name="next" value=here />
                        <button type="submit" class=QUIET>{if show.sales_open { t("dash-stop-sales") } else { t("dash-resume-sales") }}</button>
                    </ActionForm>
                    {unsold.then(move || view! {
                        <details class="text-sm">
                            <summary class="cursor-pointer rounded-lg px-3 py-2 font-semibold text-slate-700 hover:bg-slate-50">{t("dash-change-prices")}</summary>
                            <ActionForm action=prices attr:class="mt-2 flex flex-col gap-2 rounded-lg border border-slate-200 p-3">
                                <input type="hidden" name="show_id" value=prices_id />
                                <input type="hidden" name="next" value=here />
                                {current.into_iter().map(|(category, minor)| view! {
                                    <label class="flex items-center justify-between gap-2">
                                        {format!("{category} (₹)")}
                                        <input name=format!("prices[{category}]") inputmode="decimal" required value=money::plain(minor) class="w-28 rounded-lg border border-slate-300 px-2 py-1" />
                                    </label>
                                }).collect_view()}
                                <button type="submit" class=QUIET>{t("dash-save-prices")}</button>
                            </ActionForm>
                        </details>
                    })}
                    <details class="text-sm">
                        <summary class="cursor-pointer rounded-lg px-3 py-2 font-semibold text-red-700 hover:bg-red-50">{t("dash-cancel-show")}</summary>
                        <ActionForm action=cancel attr:class="mt-2 flex flex-col gap-2 rounded-lg border border-red-200 bg-red-50 p-3">
                            <p>{t("dash-cancel-show-note")}</p>
                            <input type="hidden" name="show_id" value=cancel_id />
                            <input type="hidden" name="next" value=here />
                            <button type="submit" class="rounded-lg bg-red-700 px-3 py-2 font-semibold text-white hover:bg-red-800">{t("dash-cancel-this-show")}</button>
                        </ActionForm>
                    </details>
                </div>
            })}
        </li>
    }
}
