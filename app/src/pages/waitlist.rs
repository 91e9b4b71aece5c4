//! Waiting lists in the pages: joining a sold-out show's line from its seat map, and one's
//! places in My bookings with their position. Plain forms that also work hydrated.

use crate::booking::{
    functions::{JoinWaitlist, LeaveWaitlist},
    WaitStatus, WaitlistEntry,
};
use crate::ids::ShowId;
use leptos::prelude::*;

/// Under a sold-out show's seat map.
#[component]
pub fn JoinForm(show_id: ShowId, categories: Vec<String>) -> impl IntoView {
    let join = ServerAction::<JoinWaitlist>::new();
    let error = move || {
        join.value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    };
    view! {
        <section class="flex flex-col gap-2 rounded-2xl border border-indigo-200 bg-indigo-50 p-4" aria-label="Waiting list" data-testid="waitlist-join">
            <h2 class="font-semibold">"Sold out. Join the waiting list"</h2>
            <p class="text-sm text-slate-700">"When seats come free, the next in line get them held in their name, and hear by email and push."</p>
            <ActionForm action=join attr:class="flex flex-wrap items-end gap-2">
                <input type="hidden" name="show_id" value=show_id.to_string() />
                <label class="flex flex-col gap-1 text-sm font-medium">"Seats"
                    <select name="seats" class="rounded-lg border border-slate-300 px-3 py-2">
                        {(1..=10).map(|n| view! { <option value=n.to_string() selected=n == 2>{n}</option> }).collect_view()}
                    </select>
                </label>
                <label class="flex flex-col gap-1 text-sm font-medium">"Category"
                    <select name="category" class="rounded-lg border border-slate-300 px-3 py-2">
                        <option value="">"Any"</option>
                        {categories.into_iter().map(|c| view! { <option value=c.clone()>{c.clone()}</option> }).collect_view()}
                    </select>
                </label>
                <button type="submit" class="rounded-lg bg-indigo-600 px-4 py-2 font-semibold text-white hover:bg-indigo-700">"Join the waiting list"</button>
            </ActionForm>
            {move || error().map(|text| view! { <p role="alert" class="text-sm text-red-700">{text}</p> })}
        </section>
    }
}

/// The visitor's places, in My bookings.
#[component]
pub fn Places(entries: Vec<WaitlistEntry>) -> impl IntoView {
    let leave = ServerAction::<LeaveWaitlist>::new();
    let items = entries
        .into_iter()
        .map(|entry| {
            let state = match (entry.status, entry.position) {
                (WaitStatus::Waiting, Some(position)) => format!("Number {position} in line"),
                (WaitStatus::Offered, _) => "Seats held for you: pay before the hold runs out".to_owned(),
                (WaitStatus::Booked, _) => "Booked from the waiting list".to_owned(),
                (WaitStatus::Lapsed, _) => "The seats held for you were released".to_owned(),
                _ => "Left the line".to_owned(),
            };
            let open = matches!(entry.status, WaitStatus::Waiting | WaitStatus::Offered);
            let booking = entry.booking_id.filter(|_| entry.status == WaitStatus::Offered);
            view! {
                <li class="flex flex-wrap items-center justify-between gap-2 rounded-xl border border-slate-200 bg-white p-3" data-testid="waitlist-place" data-status=entry.status.as_str()>
                    <div>
                        <p class="font-semibold">{entry.movie_title.clone()}</p>
                        <p class="text-sm text-slate-600">{format!("{} · {} seats{}", entry.local_time, entry.seats, entry.category.as_ref().map(|c| format!(", {c}")).unwrap_or_default())}</p>
                        <p class="text-sm" data-testid="waitlist-state">{state}</p>
                        {booking.map(|id| view! { <a href=format!("/bookings/{id}") class="text-sm font-semibold text-indigo-700 underline">"Pay for the seats"</a> })}
                    </div>
                    {open.then(|| view! {
                        <ActionForm action=leave>
                            <input type="hidden" name="show_id" value=entry.show_id.to_string() />
                            <button type="submit" class="rounded-lg border-2 border-slate-300 px-3 py-1.5 text-sm font-semibold">"Leave the line"</button>
                        </ActionForm>
                    })}
                </li>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="waiting-lists" class="flex flex-col gap-3" data-testid="waiting-lists">
            <h2 id="waiting-lists" class="text-lg font-bold">"Waiting lists"</h2>
            <ul class="grid gap-3 sm:grid-cols-2">{items}</ul>
        </section>
    }
}
