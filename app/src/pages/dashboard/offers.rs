//! Offers: each one the admin runs with what it has done, pausing and resuming, and a form to
//! make one.

use super::{action_error, staff_page, Problem, BUTTON, CARD, INPUT, LABEL, QUIET};
use crate::dashboard::functions::{front_desk, offer_reports, CreateOffer, PauseOffer};
use crate::money;
use crate::offer::{OfferKind, OfferReport};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn OffersPage() -> impl IntoView {
    let create = ServerAction::<CreateOffer>::new();
    let pause = ServerAction::<PauseOffer>::new();
    let data = Resource::new(
        move || (create.version().get(), pause.version().get()),
        |_| offer_reports(),
    );
    let desk = Resource::new(|| (), |_| front_desk());
    let (create_error, pause_error) = (action_error(create), action_error(pause));
    view! {
        <Title text="Offers · District dashboard" />
        <p class="text-sm text-slate-600"><a href="/dashboard" class="underline">"Dashboard"</a></p>
        <h1 class="mb-4 text-2xl font-bold tracking-tight">"Offers"</h1>
        <div class="grid gap-4 lg:grid-cols-2">
            <section class=format!("{CARD} flex flex-col gap-3")>
                <h2 class="text-xl font-semibold">"Your offers"</h2>
                <Problem error=pause_error />
                {staff_page(data, move |reports| view! {
                    <ul class="flex flex-col gap-3 text-sm" data-testid="offer-list">
                        {reports.into_iter().map(|report| view! { <OfferLine report pause /> }).collect_view()}
                    </ul>
                })}
            </section>
            <section class=format!("{CARD} flex flex-col gap-3")>
                <h2 class="text-xl font-semibold">"New offer"</h2>
                <ActionForm action=create attr:class="flex flex-col gap-2" attr:data-testid="new-offer">
                    <Problem error=create_error />
                    <div class="grid grid-cols-2 gap-2">
                        <label class=LABEL>"Code"<input name="code" required maxlength="24" class=format!("{INPUT} font-mono uppercase") /></label>
                        <label class=LABEL>"Theater"
                            <select name="theater_id" class=INPUT>
                                {staff_page(desk, |desk| view! {
                                    {desk.platform_admin.then(|| view! { <option value="">"Every theater"</option> })}
                                    {desk.theaters.into_iter().map(|t| view! { <option value=t.id.to_string()>{t.name}</option> }).collect_view()}
                                })}
                            </select>
                        </label>
                        <label class=LABEL>"Kind"
                            <select name="kind" class=INPUT>
                                <option value="percent">"Percent off"</option>
                                <option value="flat">"Rupees off"</option>
                            </select>
                        </label>
                        <label class=LABEL>"Value (percent or ₹)"<input name="value" required inputmode="decimal" class=INPUT /></label>
                        <label class=LABEL>"Cap on the discount (₹)"<input name="max_discount" inputmode="decimal" class=INPUT /></label>
                        <label class=LABEL>"Minimum ticket total (₹)"<input name="min_order" inputmode="decimal" class=INPUT /></label>
                        <label class=LABEL>"Uses in all"<input name="max_uses" type="number" min="1" class=INPUT /></label>
                        <label class=LABEL>"Uses per customer"<input name="per_user_limit" type="number" min="1" class=INPUT /></label>
                        <label class=LABEL>"From"<input name="valid_from" type="date" required class=INPUT /></label>
                        <label class=LABEL>"Until (inclusive)"<input name="valid_until" type="date" required class=INPUT /></label>
                        <label class=LABEL>"Seat category only"<input name="seat_category" class=INPUT /></label>
                        <label class=LABEL>"Paid through"
                            <select name="gateway" class=INPUT>
                                <option value="">"Any gateway"</option>
                                <option value="razorpay">"Razorpay"</option>
                                <option value="stripe">"Stripe"</option>
                                <option value="sandbox">"Sandbox"</option>
                            </select>
                        </label>
                        <label class=LABEL>"Taken off"
                            <select name="base" class=INPUT>
                                <option value="tickets">"Ticket prices"</option>
                                <option value="total">"Total with fees"</option>
                            </select>
                        </label>
                    </div>
                    <label class=LABEL>"Description customers see"<input name="description" maxlength="200" class=INPUT /></label>
                    <label class="flex items-center gap-2 text-sm"><input type="checkbox" name="stackable" />"Combines with other combinable offers"</label>
                    <label class="flex items-center gap-2 text-sm"><input type="checkbox" name="final_sale" />"Bookings with it cannot be cancelled"</label>
                    <button type="submit" class=BUTTON>"Create offer"</button>
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
        OfferKind::Percent => format!("{}% off", offer.value),
        OfferKind::Flat => format!("{} off", rupees(offer.value)),
    };
    let limit = offer
        .max_uses
        .map(|max| format!("{} of {max} used", offer.uses))
        .unwrap_or_else(|| format!("{} used", offer.uses));
    view! {
        <li class="flex flex-wrap items-start justify-between gap-2 border-b border-slate-100 pb-2" data-testid="offer" data-code=offer.code.clone()>
            <div class="min-w-0 flex-1">
                <p><b class="font-mono">{offer.code.clone()}</b>{format!(" · {value} · {limit}")}
                    {offer.paused.then(|| view! { <span class="ml-1 rounded bg-amber-100 px-1 text-amber-900">"paused"</span> })}
                </p>
                <p class="text-slate-600">{offer.description.clone()}</p>
                <p class="text-slate-600">{format!(
                    "{} bookings, {} cancelled, {} held now · {} discount on {} sales",
                    report.bookings, report.cancelled, report.live_claims,
                    rupees(report.discount_given), rupees(report.sales)
                )}</p>
            </div>
            <ActionForm action=pause>
                <input type="hidden" name="offer_id" value=offer.offer_id.to_string() />
                <input type="hidden" name="paused" value=(!offer.paused).to_string() />
                <button type="submit" class=QUIET>{if offer.paused { "Resume" } else { "Pause" }}</button>
            </ActionForm>
        </li>
    }
}
