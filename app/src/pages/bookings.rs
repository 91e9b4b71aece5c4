//! A booking's summary (with the hold's countdown and release) and My bookings.

use crate::booking::{
    functions::{my_bookings, BookingLists, CancelBooking},
    Booking, BookingStatus,
};
use crate::components::{
    countdown::Countdown,
    status::{EmptyState, ErrorState, Loading},
};
use crate::i18n::{format, t, t_err, t_with, tr, use_lang, Arg};
use crate::ids::BookingId;
use crate::money;
use crate::pages::data::resource;
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
use leptos_meta::{Meta, Title};
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
    let data = resource(
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
                Err(err) => EitherOf4::D(view! { <ErrorState message=t_err(&err) /> }),
            }
        })
    };
    let loading = t("booking-loading");
    view! { <Transition fallback=move || view! { <Loading label=loading.clone() /> }>{content}</Transition> }
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
    let lang = use_lang();
    let (heading, release_label, next) = match booking.status {
        BookingStatus::Held => (
            "booking-held",
            Some("booking-release"),
            format!("/shows/{}", show.show_id),
        ),
        BookingStatus::Confirmed => (
            "booking-confirmed",
            Some("booking-cancel"),
            format!("/bookings/{}", booking.booking_id),
        ),
        BookingStatus::Cancelled => ("booking-cancelled", None, String::new()),
        BookingStatus::Expired => ("booking-expired", None, String::new()),
    };
    let (heading, release_label) = (t(heading), release_label.map(t));
    let error = cancel_error(cancel);
    let currency = booking.amount.currency.clone();
    let (held_before, held_after) = crate::i18n::tr_around(lang, "booking-held-for", "time");
    view! {
        <Title text=t_with("booking-title", &[("heading", Arg::Text(&heading)), ("title", Arg::Text(&show.movie_title))]) />
        <Meta name="description" content=t_with("booking-description", &[("title", Arg::Text(&show.movie_title)), ("theater", Arg::Text(&show.theater_name))]) />
        <article class="mx-auto flex w-full max-w-xl flex-col gap-4 rounded-2xl border border-slate-200 bg-white p-5 shadow-sm sm:p-6" data-testid="booking-summary" data-status=booking.status.as_str()>
            <header class="flex flex-col gap-1">
                <p class="text-sm font-semibold uppercase tracking-wide text-indigo-700">{heading}</p>
                <h1 class="text-2xl font-bold tracking-tight">{show.movie_title.clone()}</h1>
                <p class="text-slate-600">{format!("{} · {}", show.theater_name, show.screen_name)}</p>
                <p class="text-slate-600">{format!("{} · {} · {}", format::date_time(lang, show.local_starts), show.format, show.language)}</p>
            </header>
            {(booking.status == BookingStatus::Expired).then(|| view! {
                <p class="rounded-lg bg-slate-100 px-3 py-2 text-slate-700" data-testid="hold-lapsed">
                    {t("booking-lapsed")}" "
                    <a href=pick_again.clone() class="font-semibold underline">{t("booking-pick-again")}</a>
                </p>
            })}
            {held.then(|| view! {
                <p class="rounded-lg bg-amber-50 px-3 py-2 text-amber-900" data-testid="hold-countdown">
                    <Show
                        when=move || !expired.get()
                        fallback=move || view! {
                            {tr(lang, "booking-ran-out")}" "
                            <a href=pick_again.clone() class="font-semibold underline">{tr(lang, "booking-pick-again")}</a>
                        }
                    >
                        {held_before.clone()}
                        <Countdown deadline=booking.hold_expires_at expired=move |_| expired.set(true) />
                        {held_after.clone()}
                    </Show>
                </p>
            })}
            <dl class="grid grid-cols-[1fr_auto] gap-x-4 gap-y-1 text-slate-700">
                <dt>{t("booking-seats")}</dt>
                <dd class="text-right font-semibold" data-testid="booked-seats">{booking.seat_labels()}</dd>
                <PriceLine label=t_with("booking-tickets", &[("count", Arg::Number(booking.seats.len() as i64))]) minor=booking.amount.subtotal currency=currency.clone() />
                <PriceLine label=t("booking-fee") minor=booking.amount.convenience_fee currency=currency.clone() />
                <PriceLine label=t("booking-fee-gst") minor=booking.amount.tax currency=currency.clone() />
                {booking.items.iter().map(|item| view! {
                    <PriceLine label=format!("{} × {}", item.quantity, item.label()) minor=item.unit_price * i64::from(item.quantity) currency=booking.amount.currency.clone() />
                }).collect_view()}
                {(booking.amount.food_tax > 0).then(|| view! {
                    <PriceLine label=t("booking-food-gst") minor=booking.amount.food_tax currency=booking.amount.currency.clone() />
                })}
                {(booking.amount.discount > 0).then(|| view! {
                    <dt>{t("booking-discount")}</dt>
                    <dd class="text-right text-emerald-700" data-testid="booking-discount">
                        {format!("-{}", money::format(booking.amount.discount, &booking.amount.currency))}
                    </dd>
                })}
                <dt class="border-t border-slate-200 pt-2 font-bold">{t("booking-total")}</dt>
                <dd class="border-t border-slate-200 pt-2 text-right font-bold" data-testid="booking-total">
                    {money::format(booking.amount.total, &booking.amount.currency)}
                </dd>
                {(booking.status == BookingStatus::Confirmed).then(|| view! {
                    <dt>{t("booking-code")}</dt>
                    <dd class="text-right font-mono font-bold">{booking.code.clone()}</dd>
                })}
                {(booking.refund_due > 0).then(|| view! {
                    <dt>{t("booking-refund-due")}</dt>
                    <dd class="text-right">{money::format(booking.refund_due, &booking.amount.currency)}</dd>
                })}
            </dl>
            {ticket.map(|ticket| view! { <ETicket ticket code=booking.code.clone() booking_id=booking.booking_id /> })}
            {(payment.is_none() && !refunds.is_empty()).then(|| view! { <Refunds refunds /> })}
            {(booking.status == BookingStatus::Confirmed && !booking.items.is_empty()).then(|| view! {
                <p class="rounded-lg bg-slate-100 px-3 py-2 text-slate-700" data-testid="food-pickup">
                    {t_with("booking-collect", &[("items", Arg::Text(&booking.food_labels()))])}
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
            {release_label.map(|release_label| view! {
                <ActionForm action=cancel attr:class="flex flex-col gap-2">
                    <input type="hidden" name="booking_id" value=booking.booking_id.to_string() />
                    <input type="hidden" name="next" value=next />
                    {move || error().map(|text| view! { <p role="alert" class="text-sm text-red-700">{text}</p> })}
                    <button type="submit" class="w-fit rounded-lg border-2 border-slate-300 px-4 py-2 font-semibold text-slate-700 hover:border-red-400 hover:text-red-700">
                        {release_label}
                    </button>
                </ActionForm>
            })}
            <a href="/bookings" class="text-sm font-semibold text-indigo-700 underline underline-offset-2">{t("booking-all")}</a>
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
            .map(|e| t_err(&e))
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
    let data = resource(move || cancel.version().get(), |_| my_bookings());
    let lang = use_lang();
    let content = move || {
        Suspend::new(async move {
            match data.await {
                Ok(Some(lists)) => Either::Left(Either::Left(view! { <Lists lists cancel /> })),
                Ok(None) => Either::Left(Either::Right(
                    view! { <Redirect path="/login?next=/bookings" /> },
                )),
                Err(err) => Either::Right(view! { <ErrorState message=t_err(&err) /> }),
            }
        })
    };
    view! {
        <Title text=t("bookings-title") />
        <h1 class="mb-5 text-2xl font-bold tracking-tight">{t("nav-my-bookings")}</h1>
        <Transition fallback=move || view! { <Loading label=tr(lang, "bookings-loading") /> }>{content}</Transition>
    }
}

#[component]
fn Lists(lists: BookingLists, cancel: ServerAction<CancelBooking>) -> impl IntoView {
    let error = cancel_error(cancel);
    view! {
        <div class="flex flex-col gap-8">
            {move || error().map(|text| view! { <p role="alert" class="text-red-700">{text}</p> })}
            <BookingList slug="upcoming" title=t("bookings-upcoming") empty=t("bookings-upcoming-none") bookings=lists.upcoming cancel=Some(cancel) />
            {(!lists.waitlist.is_empty()).then(|| view! { <Places entries=lists.waitlist /> })}
            <BookingList slug="past" title=t("bookings-past") empty=t("bookings-past-none") bookings=lists.past cancel=None />
            <BookingList slug="cancelled-and-expired" title=t("bookings-ended") empty=t("bookings-ended-none") bookings=lists.cancelled cancel=None />
        </div>
    }
}

#[component]
fn BookingList(
    /// The section's id.
    slug: &'static str,
    #[prop(into)] title: String,
    #[prop(into)] empty: String,
    bookings: Vec<Booking>,
    /// Offered on upcoming bookings only.
    cancel: Option<ServerAction<CancelBooking>>,
) -> impl IntoView {
    let list = if bookings.is_empty() {
        Either::Left(view! { <EmptyState title=t("bookings-empty") hint=empty /> })
    } else {
        Either::Right(view! {
            <ul class="grid gap-3 sm:grid-cols-2">
                {bookings.into_iter().map(|b| view! { <BookingCard booking=b cancel /> }).collect_view()}
            </ul>
        })
    };
    view! {
        <section aria-labelledby=slug class="flex flex-col gap-3" data-testid=slug>
            <h2 id=slug class="text-lg font-bold">{title}</h2>
            {list}
        </section>
    }
}

#[component]
fn BookingCard(booking: Booking, cancel: Option<ServerAction<CancelBooking>>) -> impl IntoView {
    let lang = use_lang();
    let label = t(match booking.status {
        BookingStatus::Held => "booking-release",
        _ => "booking-cancel",
    });
    let booking_id = booking.booking_id.to_string();
    let described = format!(
        "{label}: {}, {}",
        booking.show.movie_title,
        booking.seat_labels()
    );
    let status = t(&format!("booking-status-{}", booking.status.as_str()));
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
                    <span class=format!("rounded-full px-2 py-0.5 text-xs font-semibold {badge}")>{status}</span>
                </span>
                <span class="text-sm text-slate-600">{format!("{} · {}", booking.show.theater_name, format::date_time(lang, booking.show.local_starts))}</span>
                <span class="text-sm text-slate-600">
                    {format!("{} · {}", booking.seat_labels(), money::format(booking.amount.total, &booking.amount.currency))}
                </span>
            </a>
            {cancel_form}
        </li>
    }
}
