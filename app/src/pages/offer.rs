//! Offers on a held booking's summary: the code box and the offers applied, each removable;
//! plain forms that also work before the wasm loads.

use crate::booking::functions::{ApplyOffer, ConfirmFree, OrderFood, RemoveOffer};
use crate::i18n::{t, t_err, t_with, Arg};
use crate::ids::BookingId;
use crate::money;
use crate::offer::AppliedOffer;
use leptos::prelude::*;

/// The last action's error, in words.
pub(crate) fn error_of<A>(action: ServerAction<A>) -> impl Fn() -> Option<String> + Copy
where
    A: leptos::server_fn::ServerFn + Clone + Send + Sync + 'static,
    A::Output: Clone + Send + Sync + 'static,
    A::Error: Clone + Send + Sync + crate::i18n::Explained + 'static,
    ServerAction<A>: Copy,
{
    move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| t_err(&e))
    }
}

/// The actions that change a held booking's price (offers, food), owned by the booking's
/// page, which reads the booking again after each.
#[derive(Clone, Copy)]
pub struct PriceActions {
    pub apply: ServerAction<ApplyOffer>,
    pub remove: ServerAction<RemoveOffer>,
    pub confirm: ServerAction<ConfirmFree>,
    pub order: ServerAction<OrderFood>,
}

impl Default for PriceActions {
    fn default() -> Self {
        Self {
            apply: ServerAction::new(),
            remove: ServerAction::new(),
            confirm: ServerAction::new(),
            order: ServerAction::new(),
        }
    }
}

impl PriceActions {
    /// Grows with every answer any of them gets.
    pub fn version(&self) -> usize {
        self.apply.version().get()
            + self.remove.version().get()
            + self.confirm.version().get()
            + self.order.version().get()
    }
}

#[component]
pub fn OfferBox(
    actions: PriceActions,
    booking_id: BookingId,
    offers: Vec<AppliedOffer>,
    currency: String,
) -> impl IntoView {
    let PriceActions { apply, remove, .. } = actions;
    let apply_error = error_of(apply);
    let remove_error = error_of(remove);
    let applied = offers
        .into_iter()
        .map(|offer| {
            let saved = money::format(offer.discount, &currency);
            let AppliedOffer {
                code,
                description,
                cancellable,
                ..
            } = offer;
            let note = (!description.is_empty())
                .then(|| view! { <span class="block text-sm">{description}</span> });
            let final_sale = (!cancellable).then(|| {
                view! { <span class="block text-sm">{t("offer-final")}</span> }
            });
            let label = t_with("offer-remove-code", &[("code", Arg::Text(&code))]);
            let (shown, field) = (code.clone(), code.clone());
            view! {
                <li class="flex items-center justify-between gap-2 rounded-lg bg-emerald-50 px-3 py-2 text-emerald-900" data-testid="applied-offer" data-code=code>
                    <span>
                        <span class="font-mono font-bold">{shown}</span>
                        {format!(" · {}", t_with("offer-saved", &[("amount", Arg::Text(&saved))]))}
                        {note}
                        {final_sale}
                    </span>
                    <ActionForm action=remove>
                        <input type="hidden" name="booking_id" value=booking_id.to_string() />
                        <input type="hidden" name="code" value=field />
                        <button type="submit" class="rounded px-2 py-1 text-sm font-semibold underline" aria-label=label>
                            {t("remove")}
                        </button>
                    </ActionForm>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="flex flex-col gap-2" aria-label=t("offers") data-testid="offers">
            <ul class="flex flex-col gap-2">{applied}</ul>
            {move || remove_error().map(|text| view! { <p role="alert" class="text-sm text-red-700">{text}</p> })}
            <ActionForm action=apply attr:class="flex items-end gap-2" attr:data-testid="offer-form">
                <input type="hidden" name="booking_id" value=booking_id.to_string() />
                <label class="flex flex-1 flex-col gap-1 text-sm font-semibold text-slate-700">
                    {t("offer-code")}
                    <input name="code" required maxlength="24" autocomplete="off" autocapitalize="characters"
                        class="rounded-lg border border-slate-300 px-3 py-2 font-mono uppercase" />
                </label>
                <button type="submit" class="rounded-lg border-2 border-indigo-600 px-4 py-2 font-semibold text-indigo-700 hover:bg-indigo-50">
                    {t("filter-apply")}
                </button>
            </ActionForm>
            {move || apply_error().map(|text| view! { <p role="alert" class="text-sm text-red-700" data-testid="offer-error">{text}</p> })}
        </section>
    }
}

/// For a held booking that offers made free: confirming it takes no payment.
#[component]
pub fn ConfirmFreeForm(confirm: ServerAction<ConfirmFree>, booking_id: BookingId) -> impl IntoView {
    let error = error_of(confirm);
    view! {
        <ActionForm action=confirm attr:class="flex flex-col gap-2" attr:data-testid="confirm-free">
            <input type="hidden" name="booking_id" value=booking_id.to_string() />
            {move || error().map(|text| view! { <p role="alert" class="text-sm text-red-700">{text}</p> })}
            <button type="submit" class="w-full rounded-lg bg-indigo-600 px-4 py-3 text-lg font-semibold text-white hover:bg-indigo-700">
                {t("offer-confirm-free")}
            </button>
        </ActionForm>
    }
}
