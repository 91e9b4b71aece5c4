//! Paying: the panel on a booking's summary (gateways on offer, what became of each attempt)
//! and the sandbox gateway's hosted checkout page.

use crate::i18n::{t, t_err, t_with, tr, tr_with, use_lang, Arg, Lang};
use crate::ids::{BookingId, PaymentId};
use crate::money;
use crate::pages::data::resource;
use crate::pages::found;
use crate::payment::{
    checkout_path,
    functions::{
        my_payment, sandbox_checkout, CheckoutCharge, PaymentSummary, SandboxChoose, StartPayment,
    },
    test_cards, Gateway, Payment, PaymentError, PaymentStatus, Refund, RefundStatus,
};
use leptos::{either::Either, prelude::*};
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_params_map;
use serde::{de::DeserializeOwned, Serialize};
use std::future::Future;

/// Under a booking's summary: the pay button while it is held, and what became of its payments.
#[component]
pub fn PayPanel(
    panel: PaymentSummary,
    booking_id: BookingId,
    held: bool,
    total: String,
) -> impl IntoView {
    let start = ServerAction::<StartPayment>::new();
    let latest = panel.payments.first().cloned();
    let pending = latest
        .as_ref()
        .is_some_and(|p| p.status == PaymentStatus::Pending);
    let error = move || start.value().get().and_then(Result::err).map(|e| t_err(&e));
    let offer = (held && !pending && !panel.gateways.is_empty()).then(|| {
        let gateways = panel.gateways.clone();
        view! {
            <ActionForm action=start attr:class="flex flex-col gap-3" attr:data-testid="pay-form">
                <input type="hidden" name="booking_id" value=booking_id.to_string() />
                <GatewayChoice gateways />
                {move || error().map(|text| view! { <p role="alert" class="text-sm text-red-700">{text}</p> })}
                <button type="submit" class="w-full rounded-lg bg-indigo-600 px-4 py-3 text-lg font-semibold text-white hover:bg-indigo-700 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600">
                    {t_with("pay-amount", &[("amount", Arg::Text(&total))])}
                </button>
            </ActionForm>
        }
    });
    view! {
        <section class="flex flex-col gap-3" aria-label=t("pay-panel") data-testid="payment-panel">
            {latest.map(|p| view! { <Latest payment=p held /> })}
            {offer}
        </section>
    }
}

/// The `provider` field of a payment form: a choice when there is more than one gateway.
#[component]
pub fn GatewayChoice(gateways: Vec<Gateway>) -> impl IntoView {
    match gateways.as_slice() {
        [only] => {
            Either::Left(view! { <input type="hidden" name="provider" value=only.as_str() /> })
        }
        _ => Either::Right(view! {
            <fieldset class="flex flex-col gap-1">
                <legend class="font-semibold">{t("pay-with")}</legend>
                {gateways.iter().enumerate().map(|(i, g)| view! {
                    <label class="flex items-center gap-2">
                        <input type="radio" name="provider" value=g.as_str() checked=i == 0 />
                        {t(gateway_name(g.as_str()))}
                    </label>
                }).collect_view()}
            </fieldset>
        }),
    }
}

fn gateway_name(gateway: &str) -> &'static str {
    match gateway {
        "stripe" => "gateway-stripe",
        "razorpay" => "gateway-razorpay",
        _ => "gateway-sandbox",
    }
}

/// What became of the latest attempt, in words, with what to do next.
#[component]
fn Latest(payment: Payment, held: bool) -> impl IntoView {
    let lang = use_lang();
    let amount = money::format(payment.amount, &payment.currency);
    let refund = payment.refunds.first().map(|r| refund_words(lang, r));
    let (tone, text) = match payment.status {
        PaymentStatus::Pending => ("bg-sky-50 text-sky-900", tr(lang, "pay-pending")),
        PaymentStatus::Failed => {
            let reason = payment
                .failure_reason
                .clone()
                .unwrap_or_else(|| tr(lang, "pay-declined"));
            let again = if held {
                tr(lang, "pay-try-again")
            } else {
                String::new()
            };
            let failed = tr_with(lang, "pay-failed", &[("reason", Arg::Text(&reason))]);
            ("bg-red-50 text-red-800", format!("{failed} {again}"))
        }
        PaymentStatus::Cancelled => ("bg-slate-100 text-slate-700", tr(lang, "pay-cancelled")),
        PaymentStatus::Succeeded | PaymentStatus::Refunded | PaymentStatus::PartiallyRefunded => {
            match &refund {
                Some(refund) => (
                    "bg-amber-50 text-amber-900",
                    tr_with(lang, "pay-not-confirmed", &[("refund", Arg::Text(refund))]),
                ),
                None => (
                    "bg-emerald-50 text-emerald-900",
                    tr_with(lang, "pay-paid", &[("amount", Arg::Text(&amount))]),
                ),
            }
        }
    };
    let pending = payment.status == PaymentStatus::Pending;
    // Back to the gateway's page, for a moviegoer who left it before paying.
    let resume = pending.then(|| checkout_path(payment.provider, payment.payment_id));
    view! {
        {pending.then(|| view! { <Meta http_equiv="refresh" content="5" /> })}
        <p role="status" class=format!("rounded-lg px-3 py-2 {tone}") data-testid="payment-status" data-status=payment.status.as_str()>
            {text}
            {resume.map(|href| view! { " " <a href=href class="font-semibold underline">{tr(lang, "pay-continue")}</a> })}
        </p>
    }
}

/// A refund in words: how much, and where it stands.
fn refund_words(lang: Lang, refund: &Refund) -> String {
    let id = match refund.status {
        RefundStatus::Succeeded => "refund-paid",
        RefundStatus::Failed => "refund-failed",
        RefundStatus::Pending | RefundStatus::Issued => "refund-on-its-way",
    };
    let amount = money::format(refund.amount, &refund.currency);
    tr_with(lang, id, &[("amount", Arg::Text(&amount))])
}

/// Every refund of a booking's payments, for a booking that can no longer be paid for.
#[component]
pub fn Refunds(refunds: Vec<Refund>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <section class="flex flex-col gap-1" aria-label=t("refunds") data-testid="refunds">
            {refunds.iter().map(|refund| view! {
                <p role="status" class="rounded-lg bg-amber-50 px-3 py-2 text-amber-900" data-status=refund.status.as_str()>
                    {refund_words(lang, refund)}
                </p>
            }).collect_view()}
        </section>
    }
}

/// Stripe's or Razorpay's own checkout for a payment of the visitor's: their script draws it,
/// `/checkout.js` wires it to the payment (the page's data attributes).
#[component]
pub fn GatewayCheckoutPage() -> impl IntoView {
    checkout_page("checkout-title", my_payment, |payment| {
        view! { <GatewayCheckout payment /> }
    })
}

#[component]
fn GatewayCheckout(payment: Payment) -> impl IntoView {
    let amount = money::format(payment.amount, &payment.currency);
    let booking = format!("/bookings/{}", payment.booking_id);
    let script = match payment.provider {
        Gateway::Stripe => "https://js.stripe.com/v3/",
        _ => "https://checkout.razorpay.com/v1/checkout.js",
    };
    let checkout = payment.checkout.clone();
    view! {
        <article
            class="mx-auto flex w-full max-w-md flex-col gap-4 rounded-2xl border border-slate-200 bg-white p-5 shadow-sm sm:p-6"
            data-testid="gateway-checkout"
            data-provider=payment.provider.as_str()
            data-key=checkout.key_id.unwrap_or_default()
            data-client-secret=checkout.client_secret.unwrap_or_default()
            data-order=checkout.order_id.unwrap_or_default()
            data-amount=payment.amount.to_string()
            data-currency=payment.currency.clone()
            data-description=t("checkout-description")
            data-booking=payment.booking_id.to_string()
            data-unreachable=t("checkout-unreachable")
            data-merchant=t("site-name")
        >
            <h1 class="text-2xl font-bold tracking-tight">{amount.clone()}</h1>
            <noscript>
                <p class="rounded-lg bg-amber-50 px-3 py-2 text-amber-900">
                    {t("checkout-needs-js")}" "
                    <a href=booking.clone() class="font-semibold underline">{t("checkout-back")}</a>
                </p>
            </noscript>
            <div id="payment-element"></div>
            <button id="gateway-pay" type="button" class="rounded-lg bg-indigo-600 px-4 py-3 text-lg font-semibold text-white hover:bg-indigo-700">
                {t_with("pay-amount", &[("amount", Arg::Text(&amount))])}
            </button>
            <p id="gateway-error" role="alert" class="text-sm text-red-700"></p>
            <form id="razorpay-answer" method="post" action="/_fn/payment/razorpay" hidden>
                <input type="hidden" name="payment_id" value=payment.payment_id.to_string() />
                <input type="hidden" name="razorpay_payment_id" />
                <input type="hidden" name="razorpay_signature" />
            </form>
            <a href=booking class="text-sm font-semibold text-indigo-700 underline">{t("checkout-back")}</a>
            <script src=script></script>
            <script src="/checkout.js"></script>
        </article>
    }
}

/// The sandbox gateway's hosted checkout page, as a real gateway's would be: the charge, a card
/// field with the test cards listed, Pay and Decline.
#[component]
pub fn SandboxCheckoutPage() -> impl IntoView {
    checkout_page("sandbox-title", sandbox_checkout, |charge| {
        view! { <Checkout charge /> }
    })
}

/// A checkout page of the payment its path names, titled by message `title`: `read` fetches
/// what it shows.
fn checkout_page<T, Fut, V>(
    title: &'static str,
    read: fn(PaymentId) -> Fut,
    page: fn(T) -> V,
) -> impl IntoView
where
    T: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
    Fut: Future<Output = Result<Option<T>, PaymentError>> + Send + 'static,
    V: IntoView + Send + 'static,
{
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<PaymentId>().ok())
    };
    let data = resource(id, move |id| async move {
        match id {
            Some(id) => read(id).await,
            None => Ok(None),
        }
    });
    view! {
        <Title text=t(title) />
        {found(data, t("checkout-loading"), page)}
    }
}

#[component]
fn Checkout(charge: CheckoutCharge) -> impl IntoView {
    let choose = ServerAction::<SandboxChoose>::new();
    let error = move || {
        choose
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| t_err(&e))
    };
    let amount = money::format(charge.amount, &charge.currency);
    let id = charge.payment_id.to_string();
    let (pay_id, pay_label) = (
        id.clone(),
        t_with("pay-amount", &[("amount", Arg::Text(&amount))]),
    );
    let body = if charge.status == "succeeded" {
        Either::Left(view! {
            <p class="rounded-lg bg-emerald-50 px-3 py-2 text-emerald-900">{t("sandbox-made")}</p>
            <a href=charge.return_path.clone() class="font-semibold text-indigo-700 underline">{t("checkout-back")}</a>
        })
    } else {
        Either::Right(view! {
            <ActionForm action=choose attr:class="flex flex-col gap-3">
                <input type="hidden" name="payment_id" value=pay_id />
                <input type="hidden" name="choice" value="pay" />
                <label class="flex flex-col gap-1 font-semibold" for="card">{t("sandbox-card")}</label>
                <input id="card" name="card" inputmode="numeric" autocomplete="cc-number" value=test_cards::SUCCEEDS
                    class="rounded-lg border border-slate-300 px-3 py-2 font-mono focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600" />
                {move || error().map(|text| view! { <p role="alert" class="text-sm text-red-700">{text}</p> })}
                <button type="submit" class="rounded-lg bg-indigo-600 px-4 py-3 text-lg font-semibold text-white hover:bg-indigo-700">
                    {pay_label}
                </button>
            </ActionForm>
            <ActionForm action=choose>
                <input type="hidden" name="payment_id" value=id />
                <input type="hidden" name="choice" value="decline" />
                <button type="submit" class="w-full rounded-lg border-2 border-slate-300 px-4 py-2 font-semibold text-slate-700 hover:border-red-400 hover:text-red-700">
                    {t("sandbox-decline")}
                </button>
            </ActionForm>
            <details class="text-sm text-slate-600">
                <summary class="cursor-pointer font-semibold">{t("sandbox-test-cards")}</summary>
                <ul class="mt-2 flex flex-col gap-1 font-mono">
                    <li>{t_with("sandbox-card-pays", &[("card", Arg::Text(test_cards::SUCCEEDS))])}</li>
                    <li>{t_with("sandbox-card-declined", &[("card", Arg::Text(test_cards::DECLINED))])}</li>
                    <li>{t_with("sandbox-card-delayed", &[("card", Arg::Text(test_cards::DELAYED)), ("seconds", Arg::Number(test_cards::DELAY_SECONDS))])}</li>
                </ul>
            </details>
        })
    };
    view! {
        <article class="mx-auto flex w-full max-w-md flex-col gap-4 rounded-2xl border border-slate-200 bg-white p-5 shadow-sm sm:p-6" data-testid="sandbox-checkout">
            <header class="flex flex-col gap-1">
                <p class="text-sm font-semibold uppercase tracking-wide text-amber-700">{t("sandbox-test-mode")}</p>
                <h1 class="text-2xl font-bold tracking-tight">{amount}</h1>
                <p class="text-slate-600">{t_with(
                    if charge.for_food { "sandbox-for-food" } else { "sandbox-for-booking" },
                    &[("code", Arg::Text(&charge.booking_code))],
                )}</p>
            </header>
            {body}
        </article>
    }
}
