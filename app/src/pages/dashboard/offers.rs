//! Offers: each one the admin runs with what it has done, pausing and resuming, and a form to
//! make one.

use super::{action_error, staff_page, Problem, BUTTON, CARD, INPUT, LABEL, QUIET};
use crate::dashboard::functions::{front_desk, offer_reports, CreateOffer, PauseOffer};
use crate::i18n::{t, t_with, Arg};
use crate::money;
use crate::offer::{OfferKind, OfferReport};
use crate::pages::data::resource;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn OffersPage() -> impl IntoView {
    let create = ServerAction::<CreateOffer>::new();
    let pause = ServerAction::<PauseOffer>::new();
    let data = resource(
        move || (create.version().get(), pause.version().get()),
        |_| offer_reports(),
    );
    let desk = resource(|| (), |_| front_desk());
    let (create_error, pause_error) = (action_error(create), action_error(pause));
    view! {
        <Title text=t("dash-offers-title") />
        <p class="text-sm text-slate-600"><a href="/dashboard" class="underline">{t("dash-home")}</a></p>
        <h1 class="mb-4 text-2xl font-bold tracking-tight">{t("dash-offers")}</h1>
        <div class="grid gap-4 lg:grid-cols-2">
            <section class=format!("{CARD} flex flex-col gap-3")>
                <h2 class="text-xl font-semibold">{t("dash-your-offers")}</h2>
                <Problem error=pause_error />
                {staff_page(data, move |reports| view! {
                    <ul class="flex flex-col gap-3 text-sm" data-testid="offer-list">
                        {reports.into_iter().map(|report| view! { <OfferLine report pause /> }).collect_view()}
                    </ul>
                })}
            </section>
            <section class=format!("{CARD} flex flex-col gap-3")>
                <h2 class="text-xl font-semibold">{t("dash-new-offer")}</h2>
                <ActionForm action=create attr:class="flex flex-col gap-2" attr:data-testid="new-offer">
                    <Problem error=create_error />
                    <div class="grid grid-cols-2 gap-2">
                        <label class=LABEL>{t("dash-code")}<input name="code" required maxlength="24" class=format!("{INPUT} font-mono uppercase") /></label>
                        <label class=LABEL>{t("dash-theater")}
                            <select name="theater_id" class=INPUT>
                                {staff_page(desk, |desk| view! {
                                    {desk.platform_admin.then(|| view! { <option value="">{t("dash-every-theater")}</option> })}
                                    {desk.theaters.into_iter().map(|t| view! { <option value=t.id.to_string()>{t.name}</option> }).collect_view()}
                                })}
                            </select>
                        </label>
                        <label class=LABEL>{t("dash-kind")}
                            <select name="kind" class=INPUT>
                                <option value="percent">{t("dash-percent-off")}</option>
                                <option value="flat">{t("dash-rupees-off")}</option>
                            </select>
                        </label>
                        <label class=LABEL>{t("dash-value")}<input name="value" required inputmode="decimal" class=INPUT /></label>
                        <label class=LABEL>{t("dash-cap")}<input name="max_discount" inputmode="decimal" class=INPUT /></label>
                        <label class=LABEL>{t("dash-min-order")}<input name="min_order" inputmode="decimal" class=INPUT /></label>
                        <label class=LABEL>{t("dash-max-uses")}<input name="max_uses" type="number" min="1" class=INPUT /></label>
                        <label class=LABEL>{t("dash-per-user")}<input name="per_user_limit" type="number" min="1" class=INPUT /></label>
                        <label class=LABEL>{t("dash-from")}<input name="valid_from" type="date" required class=INPUT /></label>
                        <label class=LABEL>{t("dash-until")}<input name="valid_until" type="date" required class=INPUT /></label>
                        <label class=LABEL>{t("dash-category-only")}<input name="seat_category" class=INPUT /></label>
                        <label class=LABEL>{t("dash-paid-through")}
                            <select name="gateway" class=INPUT>
                                <option value="">{t("dash-any-gateway")}</option>
                                <option value="razorpay">"Razorpay"</option>
                                <option value="stripe">"Stripe"</option>
                                <option value="sandbox">{t("dash-sandbox")}</option>
                            </select>
                        </label>
                        <label class=LABEL>{t("dash-taken-off")}
                            <select name="base" class=INPUT>
                                <option value="tickets">{t("dash-ticket-prices")}</option>
                                <option value="total">{t("dash-total-fees")}</option>
                            </select>
                        </label>
                    </div>
                    <label class=LABEL>{t("dash-description")}<input name="description" maxlength="200" class=INPUT /></label>
                    <label class="flex items-center gap-2 text-sm"><input type="checkbox" name="stackable" />{t("dash-stackable")}</label>
                    <label class="flex items-center gap-2 text-sm"><input type="checkbox" name="final_sale" />{t("dash-final-sale")}</label>
                    <button type="submit" class=BUTTON>{t("dash-create-offer")}</button>
                </ActionForm>
            </section>
        </div>
    }
}

#[component]
fn OfferLine(report: OfferReport, pause: ServerAction<PauseOffer>) -> impl IntoView {
    let offer = report.offer;
    let rupees = |minor| money::format(minor, "INR");
    let value = match offer.kind {
        OfferKind::Percent => format!("{}%", offer.value),
        OfferKind::Flat => rupees(offer.value),
    };
    let value = t_with("dash-off", &[("value", Arg::Text(&value))]);
    let used = Arg::Number(offer.uses.into());
    let limit = match offer.max_uses {
        Some(max) => t_with(
            "dash-used-of",
            &[("used", used), ("max", Arg::Number(max.into()))],
        ),
        None => t_with("dash-used", &[("used", used)]),
    };
    view! {
        <li class="flex flex-wrap items-start justify-between gap-2 border-b border-slate-100 pb-2" data-testid="offer" data-code=offer.code.clone()>
            <div class="min-w-0 flex-1">
                <p><b class="font-mono">{offer.code.clone()}</b>{format!(" · {value} · {limit}")}
                    {offer.paused.then(|| view! { <span class="ml-1 rounded bg-amber-100 px-1 text-amber-900">{t("dash-paused")}</span> })}
                </p>
                <p class="text-slate-600">{offer.description.clone()}</p>
                <p class="text-slate-600">{t_with("dash-offer-report", &[
                    ("bookings", Arg::Number(report.bookings)),
                    ("cancelled", Arg::Number(report.cancelled)),
                    ("held", Arg::Number(report.live_claims)),
                    ("discount", Arg::Text(&rupees(report.discount_given))),
                    ("sales", Arg::Text(&rupees(report.sales))),
                ])}</p>
            </div>
            <ActionForm action=pause>
                <input type="hidden" name="offer_id" value=offer.offer_id.to_string() />
                <input type="hidden" name="paused" value=(!offer.paused).to_string() />
                <button type="submit" class=QUIET>{if offer.paused { t("dash-resume") } else { t("dash-pause") }}</button>
            </ActionForm>
        </li>
    }
}
