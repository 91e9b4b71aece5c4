//! A show's waiting room: one's place in line and the wait, updated by the page itself (a
//! refresh in the page's head, so it works before and without the wasm), then on to the seat
//! map when one's turn comes.

use crate::booking::{functions::queue_turn, waiting_room::QueueView};
use crate::i18n::{t, t_with, Arg};
use crate::ids::ShowId;
use crate::pages::data::resource;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_params_map;

/// Seconds between updates at most: a long wait need not be watched every second.
const EVERY: u64 = 5;

#[component]
pub fn QueuePage() -> impl IntoView {
    let params = use_params_map();
    let data = resource(
        move || {
            params
                .read()
                .get("id")
                .and_then(|id| id.parse::<ShowId>().ok())
        },
        |id| async move {
            match id {
                Some(id) => queue_turn(id).await,
                None => Ok(None),
            }
        },
    );
    crate::pages::found(data, t("queue-title"), |view| view! { <Queue view /> })
}

#[component]
fn Queue(view: QueueView) -> impl IntoView {
    let seats = format!("/shows/{}", view.show_id());
    let (refresh, body) = match view {
        QueueView::Waiting(place) => (
            place.estimated_wait_seconds.clamp(1, EVERY).to_string(),
            view! {
                <p class="text-3xl font-bold" data-testid="queue-position">
                    {t_with("queue-position", &[("position", Arg::Number(place.position as i64))])}
                </p>
                <p>{t_with("queue-wait", &[("seconds", Arg::Number(place.estimated_wait_seconds as i64))])}</p>
                <p class="text-sm text-slate-600">{t("queue-refresh")}</p>
            }
            .into_any(),
        ),
        QueueView::Admitted { minutes, .. } => (
            format!("3;url={seats}"),
            view! {
                <p class="text-lg font-semibold" data-testid="queue-admitted">
                    {t_with("queue-admitted", &[("minutes", Arg::Number(minutes as i64))])}
                </p>
                <a href=seats.clone() class="w-fit rounded-lg bg-indigo-600 px-5 py-2.5 font-semibold text-white hover:bg-indigo-700">{t("queue-choose")}</a>
            }
            .into_any(),
        ),
        QueueView::NoLine { .. } => (
            format!("0;url={seats}"),
            view! {
                <p data-testid="queue-none">{t("queue-not-in-line")}</p>
                <a href=seats.clone() class="w-fit rounded-lg bg-indigo-600 px-5 py-2.5 font-semibold text-white hover:bg-indigo-700">{t("queue-choose")}</a>
            }
            .into_any(),
        ),
    };
    view! {
        <Title text=t("queue-title") />
        <Meta http_equiv="refresh" content=refresh />
        <section class="mx-auto flex max-w-xl flex-col gap-4 rounded-2xl border border-indigo-200 bg-indigo-50 p-6" aria-live="polite">
            <h1 class="text-2xl font-bold tracking-tight">{t("queue-heading")}</h1>
            <p class="text-slate-700">{t("queue-lead")}</p>
            {body}
        </section>
    }
}
