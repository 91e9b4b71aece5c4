//! A show's waiting list for its staff: every place in the order people joined, where it
//! stands, and who holds it.

use super::{path_id, staff_page, CARD};
use crate::booking::{LinePlace, WaitStatus};
use crate::dashboard::functions::show_waitlist;
use crate::i18n::{format, t, t_with, use_lang, Arg};
use crate::pages::data::resource;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ShowWaitlistPage() -> impl IntoView {
    let id = path_id();
    let data = resource(id, |id| show_waitlist(id.unwrap_or_default().into()));
    staff_page(data, |line: Vec<LinePlace>| {
        let waiting = line
            .iter()
            .filter(|p| p.entry.status == WaitStatus::Waiting)
            .count();
        let title = line
            .first()
            .map(|p| {
                let when = format::date_time(use_lang(), p.entry.local_starts);
                format!("{}, {when}", p.entry.movie_title)
            })
            .unwrap_or_default();
        view! {
            <Title text=t_with("dash-page-title", &[("page", Arg::Text(&t("waitlist")))]) />
            <p class="text-sm text-slate-600"><a href="/dashboard" class="underline">{t("dash-home")}</a></p>
            <h1 class="text-2xl font-bold tracking-tight">{t("waitlist")}</h1>
            <p class="mb-4 text-slate-600">{title}</p>
            <section class=CARD>
                <p class="mb-2 text-sm">{t_with("dash-waitlist-count", &[("waiting", Arg::Number(waiting as i64)), ("places", Arg::Number(line.len() as i64))])}</p>
                <ol class="flex flex-col gap-2 text-sm" data-testid="waitlist-places">
                    {line.into_iter().map(|place| view! {
                        <li class="flex flex-wrap justify-between gap-2 border-b border-slate-100 pb-2">
                            <span>
                                <b>{place.customer_name}</b>" · "{place.customer_email}
                                <span class="block text-slate-600">{format!(
                                    "{}{}",
                                    t_with("dash-seat-count", &[("count", Arg::Number(place.entry.seats.into()))]),
                                    place.entry.category.map(|c| format!(", {c}")).unwrap_or_default()
                                )}</span>
                            </span>
                            <span class="rounded bg-slate-100 px-2 py-0.5">
                                {match place.entry.position {
                                    Some(n) => t_with("dash-waiting-at", &[("position", Arg::Number(n))]),
                                    None => t(&format!("dash-wait-{}", place.entry.status.as_str())),
                                }}
                            </span>
                        </li>
                    }).collect_view()}
                </ol>
            </section>
        }
    })
}
