//! Finding a booking at the theaters one runs (by code, email or phone), its check-in, and
//! cancelling it with the policy's refund.

use super::{here, query, staff_page, BUTTON, CARD, INPUT};
use crate::booking::functions::CancelBooking;
use crate::components::status::EmptyState;
use crate::dashboard::{functions::find_bookings, FoundBooking};
use crate::i18n::{format, t, t_err, t_with, use_lang, Arg};
use crate::money;
use crate::pages::data::resource;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn DashboardBookingsPage() -> impl IntoView {
    let q = query("q");
    let cancel = ServerAction::<CancelBooking>::new();
    let data = resource(
        move || (q(), cancel.version().get()),
        |(q, _)| async move {
            match q {
                Some(q) => find_bookings(q).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let here = here();
    let failed = move || {
        cancel
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| t_err(&e))
    };
    view! {
        <Title text=t("dash-find-booking-title") />
        <section class="flex flex-col gap-4">
            <p class="text-sm text-slate-600"><a href="/dashboard" class="underline">{t("dash-home")}</a></p>
            <h1 class="text-2xl font-bold tracking-tight">{t("dash-find-booking")}</h1>
            <form method="get" class="flex flex-wrap items-end gap-2" role="search">
                <label class="flex min-w-0 flex-1 flex-col gap-1 text-sm font-medium text-slate-700">
                    {t("dash-booking-query")}
                    <input name="q" required minlength="3" value=q class=INPUT />
                </label>
                <button type="submit" class=BUTTON>{t("dash-search")}</button>
            </form>
            <p role="alert" class="text-sm text-red-700">{failed}</p>
            {staff_page(data, move |found: Option<Vec<FoundBooking>>| match found {
                None => ().into_any(),
                Some(list) if list.is_empty() => view! { <EmptyState title=t("dash-no-booking") hint=t("dash-no-booking-hint") /> }.into_any(),
                Some(list) => view! {
                    <ul class="flex flex-col gap-3" data-testid="found-bookings">
                        {list.into_iter().map(|b| view! { <Found booking=b cancel here /> }).collect_view()}
                    </ul>
                }.into_any(),
            })}
        </section>
    }
}

#[component]
fn Found(
    booking: FoundBooking,
    cancel: ServerAction<CancelBooking>,
    here: Signal<String>,
) -> impl IntoView {
    let lang = use_lang();
    let check_in = match booking.local_checked_in_at {
        Some(at) => {
            let when = format::date_time(lang, at);
            t_with("dash-checked-in", &[("time", Arg::Text(&when))])
        }
        None => t("dash-not-checked-in"),
    };
    let status = t(&format!("booking-status-{}", booking.status));
    let cancellable = booking.status == "confirmed" || booking.status == "held";
    view! {
        <li class=CARD data-testid="found-booking" data-status=booking.status.clone()>
            <div class="flex flex-wrap items-baseline justify-between gap-2">
                <p class="text-lg font-semibold"><span class="font-mono">{booking.code.clone()}</span>" · "{booking.movie_title.clone()}</p>
                <span class="rounded-full bg-slate-100 px-2 py-0.5 text-xs font-semibold">{status}</span>
            </div>
            <p class="text-sm text-slate-600">{format!("{} · {}", booking.theater_name, format::date_time(lang, booking.local_starts))}</p>
            <p class="text-sm text-slate-700">{format!("{} <{}> · {} · {}", booking.customer_name, booking.customer_email, t_with("dash-seats", &[("seats", Arg::Text(&booking.seats.join(", ")))]), money::format(booking.total, &booking.currency))}</p>
            <p class="text-sm text-slate-600">{check_in}</p>
            {cancellable.then(|| view! {
                <details class="mt-2 text-sm">
                    <summary class="cursor-pointer font-semibold text-red-700">{t("dash-cancel-booking")}</summary>
                    <ActionForm action=cancel attr:class="mt-2 flex flex-col gap-2 rounded-lg border border-red-200 bg-red-50 p-3">
                        <p>{t("dash-cancel-refund")}</p>
                        <input type="hidden" name="booking_id" value=booking.booking_id.to_string() />
                        <input type="hidden" name="next" value=here />
                        <button type="submit" class="rounded-lg bg-red-700 px-3 py-2 font-semibold text-white">{t("dash-cancel-this-booking")}</button>
                    </ActionForm>
                </details>
            })}
        </li>
    }
}
