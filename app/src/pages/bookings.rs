//! A booking's summary (with the hold's countdown and release) and My bookings.

use crate::booking::{
    functions::{my_bookings, BookingLists, CancelBooking},
    Booking, BookingStatus,
};
use crate::components::{
    countdown::Countdown,
    status::{EmptyState, ErrorState, Loading},
};
use crate::ids::BookingId;
use crate::money;
use crate::pages::{
    food::{FoodBox, FoodOrderBox},
    not_found::NotFound,
    offer::{ConfirmFreeForm, OfferBox, PriceActions},
    pay::{PayPanel, Refunds},
    ticket::ETicket,
    waitlist::Places,
};
use crate::payment::{
    functions::{summary_of_booking, BookingSummary},
    PaymentError,
};
use leptos::{
    either::{Either, EitherOf4},
    prelude::*,
};
use leptos_meta::Title;
use leptos_router::{components::Redirect, hooks::use_params_map};

#[component]
pub fn BookingPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<BookingId>().ok())
    };
    // Offers change the price on this same page: each one read again.
    let offers = PriceActions::default();
    let data = Resource::new(
        move || (id(), offers.version()),
        |(id, _)| async move {
            match id {
                Some(id) => summary_of_booking(id).await,
                None => Ok(None),
            }
        },
    );
    let content = move || {
        Suspend::new(async move {
            match data.await {
                Ok(Some(summary)) => EitherOf4::A(view! { <Summary summary offers /> }),
                Ok(None) => EitherOf4::B(view! { <NotFound /> }),
                Err(PaymentError::Unauthenticated) => {
                    let next = id().map(|id| format!("/bookings/{id}")).unwrap_or_default();
                    EitherOf4::C(view! { <Redirect path=format!("/login?next={next}") /> })
                }
                Err(err) => EitherOf4::D(view! { <ErrorState message=err.to_string() /> }),
            }
        })
    };
    view! { <Transition fallback=|| view! { <Loading label="Loading your booking…" /> }>{content}</Transition> }
}

#[component]
fn Summary(summary: BookingSummary, offers: PriceActions) -> impl IntoView {
    let BookingSummary {
        booking,
        payment,
        ticket,
        refunds,
        menu,
        food_gateways,
    } = summary;
    let cancel = ServerAction::<CancelBooking>::new();
    let expired = RwSignal::new(false);
    let show = booking.show.clone();
    let pick_again = format!("/shows/{}", show.show_id);
    let held = booking.is_held();
    let (heading, release_label, next) = match booking.status {
        BookingStatus::Held => (
            "Your seats are held",
            "Release seats",
            format!("/shows/{}", show.show_id),
        ),
        BookingStatus::Confirmed => (
            "Booking confirmed",
            "Cancel booking",
            format!("/bookings/{}", booking.booking_id),
        ),
        BookingStatus::Cancelled => ("Booking cancelled", "", String::new()),
        BookingStatus::Expired => ("This hold has expired", "", String::new()),
    };
    let error = cancel_error(cancel);
    view! {
        <Title text=format!("{heading} · {} · District", show.movie_title) />
        <article class="mx-auto flex w-full max-w-xl flex-col gap-4 rounded-2xl border border-slate-200 bg-white p-5 shadow-sm sm:p-6" data-testid="booking-summary" data-status=booking.status.as_str()>
            <header class="flex flex-col gap-1">
                <p class="text-sm font-semibold uppercase tracking-wide text-indigo-700">{heading}</p>
                <h1 class="text-2xl font-bold tracking-tight">{show.movie_title.clone()}</h1>
                <p class="text-slate-600">{format!("{} · {}", show.theater_name, show.screen_name)}</p>
                <p class="text-slate-600">{format!("{} · {} · {}", show.local_time, show.format, show.language)}</p>
            </header>
            {(booking.status == BookingStatus::Expired).then(|| view! {
                <p class="rounded-lg bg-slate-100 px-3 py-2 text-slate-700" data-testid="hold-lapsed">
                    "The hold ran out and the seats were released. "
                    <a href=pick_again.clone() class="font-semibold underline">"Pick seats again"</a>
                </p>
            })}
            {held.then(|| view! {
                <p class="rounded-lg bg-amber-50 px-3 py-2 text-amber-900" data-testid="hold-countdown">
                    <Show
                        when=move || !expired.get()
                        fallback=move || view! {
                            "Your hold has run out and the seats may go to someone else. "
                            <a href=pick_again.clone() class="font-semibold underline">"Pick seats again"</a>
                        }
                    >
                        "Seats held for you for "
                        <Countdown deadline=booking.hold_expires_at expired=move |_| expired.set(true) />
                        ". Pay before the time runs out to confirm them."
                    </Show>
                </p>
            })}
            <dl class="grid grid-cols-[1fr_auto] gap-x-4 gap-y-1 text-slate-700">
                <dt>"Seats"</dt>
                <dd class="text-right font-semibold" data-testid="booked-seats">{booking.seat_labels()}</dd>
                <PriceLine label=format!("Tickets ({})", booking.seats.len()) minor=booking.amount.subtotal currency=booking.amount.currency.clone() />
                <PriceLine label="Convenience fee" minor=booking.amount.convenience_fee currency=booking.amount.currency.clone() />
                <PriceLine label="GST on convenience fee" minor=booking.amount.tax currency=booking.amount.currency.clone() />
                {booking.items.iter().map(|item| view! {
                    <PriceLine label=format!("{} × {}", item.quantity, item.label()) minor=item.unit_price * i64::from(item.quantity) currency=booking.amount.currency.clone() />
                }).collect_view()}
                {(booking.amount.food_tax > 0).then(|| view! {
                    <PriceLine label="GST on food and drinks" minor=booking.amount.food_tax currency=booking.amount.currency.clone() />
                })}
                {(booking.amount.discount > 0).then(|| view! {
                    <dt>"Offer discount"</dt>
                    <dd class="text-right text-emerald-700" data-testid="booking-discount">
                        {format!("-{}", money::format(booking.amount.discount, &booking.amount.currency))}
                    </dd>
                })}
                <dt class="border-t border-slate-200 pt-2 font-bold">"Total"</dt>
                <dd class="border-t border-slate-200 pt-2 text-right font-bold" data-testid="booking-total">
                    {money::format(booking.amount.total, &booking.amount.currency)}
                </dd>
                {(booking.status == BookingStatus::Confirmed).then(|| view! {
                    <dt>"Booking code"</dt>
                    <dd class="text-right font-mono font-bold">{booking.code.clone()}</dd>
                })}
                {(booking.refund_due > 0).then(|| view! {
                    <dt>"Refund due"</dt>
                    <dd class="text-right">{money::format(booking.refund_due, &booking.amount.currency)}</dd>
                })}
            </dl>
            {ticket.map(|ticket| view! { <ETicket ticket code=booking.code.clone() booking_id=booking.booking_id /> })}
            {(payment.is_none() && !refunds.is_empty()).then(|| view! { <Refunds refunds /> })}
            {(booking.status == BookingStatus::Confirmed && !booking.items.is_empty()).then(|| view! {
                <p class="rounded-lg bg-slate-100 px-3 py-2 text-slate-700" data-testid="food-pickup">
                    "Collect at the food counter with your booking code: "{booking.food_labels()}
                </p>
            })}
            {(!held && !menu.is_empty() && !food_gateways.is_empty()).then(|| view! {
                <FoodOrderBox booking_id=booking.booking_id menu=menu.clone() gateways=food_gateways currency=booking.amount.currency.clone() />
            })}
            {held.then(|| view! {
                <FoodBox actions=offers booking_id=booking.booking_id menu=menu.clone() ordered=booking.items.clone() currency=booking.amount.currency.clone() />
            })}
            {held.then(|| view! {
                <OfferBox actions=offers booking_id=booking.booking_id offers=booking.offers.clone() currency=booking.amount.currency.clone() />
            })}
            {(held && booking.amount.total == 0).then(|| view! { <ConfirmFreeForm confirm=offers.confirm booking_id=booking.booking_id /> })}
            {payment.filter(|_| booking.amount.total > 0).map(|panel| view! {
                <PayPanel
                    panel
                    booking_id=booking.booking_id
                    held=held
                    total=money::format(booking.amount.total, &booking.amount.currency)
                />
            })}
            {(!release_label.is_empty()).then(|| view! {
                <ActionForm action=cancel attr:class="flex flex-col gap-2">
                    <input type="hidden" name="booking_id" value=booking.booking_id.to_string() />
                    <input type="hidden" name="next" value=next />
                    {move || error().map(|text| view! { <p role="alert" class="text-sm text-red-700">{text}</p> })}
                    <button type="submit" class="w-fit rounded-lg border-2 border-slate-300 px-4 py-2 font-semibold text-slate-700 hover:border-red-400 hover:text-red-700">
                        {release_label}
                    </button>
                </ActionForm>
            })}
            <a href="/bookings" class="text-sm font-semibold text-indigo-700 underline underline-offset-2">"All my bookings"</a>
        </article>
    }
}

/// The last cancellation's error, in words for the moviegoer.
fn cancel_error(cancel: ServerAction<CancelBooking>) -> impl Fn() -> Option<String> + Copy {
    move || {
        cancel
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    }
}

#[component]
fn PriceLine(#[prop(into)] label: String, minor: i64, currency: String) -> impl IntoView {
    view! {
        <dt>{label}</dt>
        <dd class="text-right">{money::format(minor, &currency)}</dd>
    }
}

#[component]
pub fn MyBookingsPage() -> impl IntoView {
    let cancel = ServerAction::<CancelBooking>::new();
    // Read again after every cancellation, so the booking moves to its new list.
    let data = Resource::new(move || cancel.version().get(), |_| my_bookings());
    let content = move || {
        Suspend::new(async move {
            match data.await {
                Ok(Some(lists)) => Either::Left(Either::Left(view! { <Lists lists cancel /> })),
                Ok(None) => Either::Left(Either::Right(
                    view! { <Redirect path="/login?next=/bookings" /> },
                )),
                Err(err) => Either::Right(view! { <ErrorState message=err.to_string() /> }),
            }
        })
    };
    view! {
        <Title text="My bookings · District" />
        <h1 class="mb-5 text-2xl font-bold tracking-tight">"My bookings"</h1>
        <Transition fallback=|| view! { <Loading label="Loading your bookings…" /> }>{content}</Transition>
    }
}

#[component]
fn Lists(lists: BookingLists, cancel: ServerAction<CancelBooking>) -> impl IntoView {
    let error = cancel_error(cancel);
    view! {
        <div class="flex flex-col gap-8">
            {move || error().map(|text| view! { <p role="alert" class="text-red-700">{text}</p> })}
            <BookingList title="Upcoming" empty="No upcoming bookings. Find a movie on the home page." bookings=lists.upcoming cancel=Some(cancel) />
            {(!lists.waitlist.is_empty()).then(|| view! { <Places entries=lists.waitlist /> })}
            <BookingList title="Past" empty="Nothing watched with District yet." bookings=lists.past cancel=None />
            <BookingList title="Cancelled and expired" empty="Nothing cancelled." bookings=lists.cancelled cancel=None />
        </div>
    }
}

#[component]
fn BookingList(
    #[prop(into)] title: String,
    #[prop(into)] empty: String,
    bookings: Vec<Booking>,
    /// Offered on upcoming bookings only.
    cancel: Option<ServerAction<CancelBooking>>,
) -> impl IntoView {
    let slug = title.to_lowercase().replace(' ', "-");
    let list = if bookings.is_empty() {
        Either::Left(view! { <EmptyState title="Nothing here" hint=empty /> })
    } else {
        Either::Right(view! {
            <ul class="grid gap-3 sm:grid-cols-2">
                {bookings.into_iter().map(|b| view! { <BookingCard booking=b cancel /> }).collect_view()}
            </ul>
        })
    };
    view! {
        <section aria-labelledby=slug.clone() class="flex flex-col gap-3" data-testid=slug.clone()>
            <h2 id=slug.clone() class="text-lg font-bold">{title}</h2>
            {list}
        </section>
    }
}

#[component]
fn BookingCard(booking: Booking, cancel: Option<ServerAction<CancelBooking>>) -> impl IntoView {
    let label = match booking.status {
        BookingStatus::Held => "Release seats",
        _ => "Cancel booking",
    };
    let booking_id = booking.booking_id.to_string();
    let described = format!(
        "{label}: {}, {}",
        booking.show.movie_title,
        booking.seat_labels()
    );
    let cancel_form = cancel.map(|action| {
        view! {
            <ActionForm action attr:class="mt-3">
                <input type="hidden" name="booking_id" value=booking_id />
                <input type="hidden" name="next" value="/bookings" />
                <button
                    type="submit"
                    aria-label=described
                    class="rounded-lg border-2 border-slate-300 px-3 py-1.5 text-sm font-semibold text-slate-700 hover:border-red-400 hover:text-red-700"
                >
                    {label}
                </button>
            </ActionForm>
        }
    });
    let badge = match booking.status {
        BookingStatus::Held => "bg-amber-100 text-amber-900",
        BookingStatus::Confirmed => "bg-emerald-100 text-emerald-900",
        _ => "bg-slate-200 text-slate-700",
    };
    view! {
        <li class="rounded-2xl border border-slate-200 bg-white p-4" data-testid="booking-card">
            <a href=format!("/bookings/{}", booking.booking_id) class="flex flex-col gap-1 hover:text-indigo-700">
                <span class="flex items-center justify-between gap-2">
                    <span class="font-semibold">{booking.show.movie_title.clone()}</span>
                    <span class=format!("rounded-full px-2 py-0.5 text-xs font-semibold {badge}")>{booking.status.as_str()}</span>
                </span>
                <span class="text-sm text-slate-600">{format!("{} · {}", booking.show.theater_name, booking.show.local_time)}</span>
                <span class="text-sm text-slate-600">
                    {format!("{} · {}", booking.seat_labels(), money::format(booking.amount.total, &booking.amount.currency))}
                </span>
            </a>
            {cancel_form}
        </li>
    }
}
