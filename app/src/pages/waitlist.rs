//! Waiting lists in the pages: joining a sold-out show's line from its seat map, and one's
//! places in My bookings with their position. Plain forms that also work hydrated.

use crate::booking::{
    functions::{JoinWaitlist, LeaveWaitlist},
    WaitStatus, WaitlistEntry,
};
use crate::i18n::{format, t, t_err, tr, tr_with, use_lang, Arg};
use crate::ids::ShowId;
use leptos::prelude::*;

/// Under a sold-out show's seat map.
#[component]
pub fn JoinForm(show_id: ShowId, categories: Vec<String>) -> impl IntoView {
    let join = ServerAction::<JoinWaitlist>::new();
    let error = move || join.value().get().and_then(Result::err).map(|e| t_err(&e));
    view! {
        <section class="flex flex-col gap-2 rounded-2xl border border-indigo-200 bg-indigo-50 p-4" aria-label=t("waitlist") data-testid="waitlist-join">
            <h2 class="font-semibold">{t("waitlist-sold-out")}</h2>
            <p class="text-sm text-slate-700">{t("waitlist-how")}</p>
            <ActionForm action=join attr:class="flex flex-wrap items-end gap-2">
                <input type="hidden" name="show_id" value=show_id.to_string() />
                <label class="flex flex-col gap-1 text-sm font-medium">{t("seats-count")}
                    <select name="seats" class="rounded-lg border border-slate-300 px-3 py-2">
                        {(1..=10).map(|n| view! { <option value=n.to_string() selected=n == 2>{n}</option> }).collect_view()}
                    </select>
                </label>
                <label class="flex flex-col gap-1 text-sm font-medium">{t("seats-category")}
                    <select name="category" class="rounded-lg border border-slate-300 px-3 py-2">
                        <option value="">{t("seats-any")}</option>
                        {categories.into_iter().map(|c| view! { <option value=c.clone()>{c.clone()}</option> }).collect_view()}
                    </select>
                </label>
                <button type="submit" class="rounded-lg bg-indigo-600 px-4 py-2 font-semibold text-white hover:bg-indigo-700">{t("waitlist-join")}</button>
            </ActionForm>
            {move || error().map(|text| view! { <p role="alert" class="text-sm text-red-700">{text}</p> })}
        </section>
    }
}

/// The visitor's places, in My bookings.
#[component]
pub fn Places(entries: Vec<WaitlistEntry>) -> impl IntoView {
    let leave = ServerAction::<LeaveWaitlist>::new();
    let lang = use_lang();
    let items = entries
        .into_iter()
        .map(|entry| {
            let state = match (entry.status, entry.position) {
                (WaitStatus::Waiting, Some(position)) => {
                    tr_with(lang, "waitlist-position", &[("position", Arg::Number(position))])
                }
                (WaitStatus::Offered, _) => tr(lang, "waitlist-offered"),
                (WaitStatus::Booked, _) => tr(lang, "waitlist-booked"),
                (WaitStatus::Lapsed, _) => tr(lang, "waitlist-lapsed"),
                _ => tr(lang, "waitlist-left"),
            };
            let when = format::date_time(lang, entry.local_starts);
            let mut args = vec![
                ("when", Arg::Text(&when)),
                ("seats", Arg::Number(i64::from(entry.seats))),
            ];
            let id = match entry.category.as_deref() {
                Some(category) => {
                    args.push(("category", Arg::Text(category)));
                    "waitlist-wants-category"
                }
                None => "waitlist-wants",
            };
            let wants = tr_with(lang, id, &args);
            let open = matches!(entry.status, WaitStatus::Waiting | WaitStatus::Offered);
            let booking = entry.booking_id.filter(|_| entry.status == WaitStatus::Offered);
            view! {
                <li class="flex flex-wrap items-center justify-between gap-2 rounded-xl border border-slate-200 bg-white p-3" data-testid="waitlist-place" data-status=entry.status.as_str()>
                    <div>
                        <p class="font-semibold">{entry.movie_title.clone()}</p>
                        <p class="text-sm text-slate-600">{wants}</p>
                        <p class="text-sm" data-testid="waitlist-state">{state}</p>
                        {booking.map(|id| view! { <a href=format!("/bookings/{id}") class="text-sm font-semibold text-indigo-700 underline">{tr(lang, "waitlist-pay")}</a> })}
                    </div>
                    {open.then(|| view! {
                        <ActionForm action=leave>
                            <input type="hidden" name="show_id" value=entry.show_id.to_string() />
                            <button type="submit" class="rounded-lg border-2 border-slate-300 px-3 py-1.5 text-sm font-semibold">{tr(lang, "waitlist-leave")}</button>
                        </ActionForm>
                    })}
                </li>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="waiting-lists" class="flex flex-col gap-3" data-testid="waiting-lists">
            <h2 id="waiting-lists" class="text-lg font-bold">{t("waitlist-places")}</h2>
            <ul class="grid gap-3 sm:grid-cols-2">{items}</ul>
        </section>
    }
}
