//! The e-ticket on a confirmed booking's page, and the staff page that checks tickets in.

use crate::i18n::{format, t, t_err, t_with, use_lang, Arg};
use crate::{
    booking::{functions::CheckInTicket, CheckIn, IssuedTicket},
    ids::BookingId,
};
use leptos::{either::Either, prelude::*};
use leptos_meta::Title;

/// The ticket: its QR code (drawn on the server, so it shows without any script), the booking
/// code to read out, and the ticket to keep: as a PDF with the booking's details, or the code
/// alone as an image.
#[component]
pub fn ETicket(ticket: IssuedTicket, code: String, booking_id: BookingId) -> impl IntoView {
    let download = format!("data:image/svg+xml,{}", percent_encode(&ticket.qr_svg));
    let pdf = format!("/api/v1/bookings/{booking_id}/ticket.pdf");
    view! {
        <section class="flex flex-col items-center gap-2 rounded-xl border-2 border-dashed border-slate-300 p-4" aria-label=t("ticket") data-testid="e-ticket">
            <div role="img" aria-label=t_with("ticket-qr", &[("code", Arg::Text(&code))]) class="w-60" inner_html=ticket.qr_svg.clone() />
            <p class="font-mono text-xl font-bold tracking-widest">{code.clone()}</p>
            <p class="text-center text-sm text-slate-600">{t("ticket-show")}</p>
            <div class="flex gap-4">
                <a href=pdf download=format!("district-ticket-{code}.pdf") rel="external" class="text-sm font-semibold text-indigo-700 underline underline-offset-2">
                    {t("ticket-pdf")}
                </a>
                <a href=download download=format!("district-ticket-{code}.svg") class="text-sm font-semibold text-indigo-700 underline underline-offset-2">
                    {t("ticket-qr-image")}
                </a>
                {ticket.apple_wallet_url.map(|href| view! {
                    <a href=href rel="external" class="text-sm font-semibold text-indigo-700 underline underline-offset-2" data-testid="apple-wallet">
                        {t("ticket-apple-wallet")}
                    </a>
                })}
                {ticket.google_wallet_url.map(|href| view! {
                    <a href=href rel="external noopener" class="text-sm font-semibold text-indigo-700 underline underline-offset-2" data-testid="google-wallet">
                        {t("ticket-google-wallet")}
                    </a>
                })}
            </div>
        </section>
    }
}

/// Every byte but letters and digits as %XX: safe inside a data: URL.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Staff at the door: a scanned or typed ticket is checked and let in once; a second scan says
/// when it was first used.
#[component]
pub fn CheckInPage() -> impl IntoView {
    let check = ServerAction::<CheckInTicket>::new();
    let result = move || {
        check.value().get().map(|answer| match answer {
            Ok(found) => Either::Left(view! { <Verdict found /> }),
            Err(err) => Either::Right(view! {
                <p role="alert" class="rounded-lg bg-red-50 px-3 py-2 font-semibold text-red-800" data-testid="check-in-result" data-admitted="false">
                    {t_err(&err)}
                </p>
            }),
        })
    };
    view! {
        <Title text=t("check-in-title") />
        <article class="mx-auto flex w-full max-w-xl flex-col gap-4">
            <h1 class="text-2xl font-bold tracking-tight">{t("check-in-heading")}</h1>
            <ActionForm action=check attr:class="flex flex-col gap-3">
                <label for="ticket-token" class="font-semibold">{t("check-in-code")}</label>
                <textarea id="ticket-token" name="token" rows="4" required
                    class="rounded-lg border border-slate-300 px-3 py-2 font-mono text-sm focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600" />
                <button type="submit" class="rounded-lg bg-indigo-600 px-4 py-2 font-semibold text-white hover:bg-indigo-700">{t("check-in-submit")}</button>
            </ActionForm>
            {result}
        </article>
    }
}

#[component]
fn Verdict(found: CheckIn) -> impl IntoView {
    let lang = use_lang();
    let (tone, headline) = match (found.admitted_now, found.checked_in_at) {
        (true, _) => ("bg-emerald-50 text-emerald-900", t("check-in-admitted")),
        (false, Some(at)) => {
            let at = at.naive_utc();
            let args = [
                ("time", Arg::Text(&at.format("%H:%M:%S").to_string())),
                ("date", Arg::Text(&format::day_month(lang, at.date()))),
            ];
            ("bg-amber-50 text-amber-900", t_with("check-in-used", &args))
        }
        (false, None) => ("bg-slate-100 text-slate-800", t("check-in-valid")),
    };
    let when = format::date_time(lang, found.local_starts);
    let seats = found.seats.join(", ");
    view! {
        <div role="status" class=format!("flex flex-col gap-1 rounded-lg px-3 py-2 {tone}") data-testid="check-in-result" data-admitted=found.admitted_now.to_string()>
            <p class="text-lg font-bold">{headline}</p>
            <p>{format!("{} · {when} · {}", found.movie_title, found.screen_name)}</p>
            <p>{t_with("check-in-booking", &[("code", Arg::Text(&found.code)), ("seats", Arg::Text(&seats))])}</p>
        </div>
    }
}
