//! Finding a booking at the theaters one runs (by code, email or phone), its check-in, and
//! cancelling it with the policy's refund.

use super::{here, query, staff_page, BUTTON, CARD, INPUT};
use crate::booking::functions::CancelBooking;
use crate::components::status::EmptyState;
use crate::dashboard::{functions::find_bookings, FoundBooking};
use crate::money;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn DashboardBookingsPage() -> impl IntoView {
    let q = query("q");
    let cancel = ServerAction::<CancelBooking>::new();
    let data = Resource::new(
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
            .map(|e| e.to_string())
    };
    view! {
        <Title text="Find a booking · District dashboard" />
        <section class="flex flex-col gap-4">
            <p class="text-sm text-slate-600"><a href="/dashboard" class="underline">"Dashboard"</a></p>
            <h1 class="text-2xl font-bold tracking-tight">"Find a booking"</h1>
            <form method="get" class="flex flex-wrap items-end gap-2" role="search">
                <label class="flex min-w-0 flex-1 flex-col gap-1 text-sm font-medium text-slate-700">
                    "Booking code, email or phone"
                    <input name="q" required minlength="3" value=q class=INPUT />
                </label>
                <button type="submit" class=BUTTON>"Search"</button>
            </form>
            <p role="alert" class="text-sm text-red-700">{failed}</p>
            {staff_page(data, move |found: Option<Vec<FoundBooking>>| match found {
                None => ().into_any(),
                Some(list) if list.is_empty() => view! { <EmptyState title="No booking found" hint="Check the code, or try the customer's email or phone." /> }.into_any(),
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
    let check_in = match &booking.local_checked_in {
        Some(at) => format!("Checked in at {at}"),
        None => "Not checked in".to_owned(),
    };
    let cancellable = booking.status == "confirmed" || booking.status == "held";
    view! {
        <li class=CARD data-testid="found-booking" data-status=booking.status.clone()>
            <div class="flex flex-wrap items-baseline justify-between gap-2">
                <p class="text-lg font-semibold"><span class="font-mono">{booking.code.clone()}</span>" · "{booking.movie_title.clone()}</p>
                <span class="rounded-full bg-slate-100 px-2 py-0.5 text-xs font-semibold">{booking.status.clone()}</span>
            </div>
            <p class="text-sm text-slate-600">{format!("{} · {}", booking.theater_name, booking.local_start)}</p>
            <p class="text-sm text-slate-700">{format!("{} <{}> · seats {} · {}", booking.customer_name, booking.customer_email, booking.seats.join(", "), money::format(booking.total, &booking.currency))}</p>
            <p class="text-sm text-slate-600">{check_in}</p>
            {cancellable.then(|| view! {
                <details class="mt-2 text-sm">
                    <summary class="cursor-pointer font-semibold text-red-700">"Cancel booking…"</summary>
                    <ActionForm action=cancel attr:class="mt-2 flex flex-col gap-2 rounded-lg border border-red-200 bg-red-50 p-3">
                        <p>"The customer gets the refund the cancellation policy allows now."</p>
                        <input type="hidden" name="booking_id" value=booking.booking_id.to_string() />
                        <input type="hidden" name="next" value=here />
                        <button type="submit" class="rounded-lg bg-red-700 px-3 py-2 font-semibold text-white">"Cancel this booking"</button>
                    </ActionForm>
                </details>
            })}
        </li>
    }
}
