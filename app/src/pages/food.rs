//! Food and drinks on a booking's page: the theater's menu (read with the booking), each item
//! with its veg mark, price and what is left. While the seats are held, a plain form per item
//! sets how many (hydrated, the page reads the booking again after each); once they are paid,
//! until the cut-off, one form orders several and goes on to pay for them. Both work before
//! the wasm loads.

use crate::food::{BookingItem, MenuItem, MenuKind};
use crate::i18n::{t, t_err, t_with, Arg};
use crate::ids::BookingId;
use crate::money;
use crate::pages::{
    offer::{error_of, PriceActions},
    pay::GatewayChoice,
};
use crate::payment::{functions::OrderFoodAndPay, Gateway};
use leptos::prelude::*;

/// Most of one item the form offers.
const MOST: i32 = 10;

/// "Veg" in green or "Non-veg" in red, as menus in India mark them.
#[component]
pub fn VegMark(veg: bool) -> impl IntoView {
    let (class, text) = if veg {
        ("border-green-700 text-green-800", t("food-veg"))
    } else {
        ("border-red-700 text-red-800", t("food-non-veg"))
    };
    view! { <span class=format!("rounded border px-1 text-xs font-semibold {class}")>{text}</span> }
}

#[component]
pub fn FoodBox(
    actions: PriceActions,
    booking_id: BookingId,
    menu: Vec<MenuItem>,
    ordered: Vec<BookingItem>,
    currency: String,
) -> impl IntoView {
    let error = error_of(actions.order);
    // Ordered, then taken off the menu: they can still be taken off the booking.
    let gone: Vec<BookingItem> = ordered
        .iter()
        .filter(|i| !menu.iter().any(|m| m.item_id == i.item_id))
        .cloned()
        .collect();
    let open = !ordered.is_empty();
    let lines = (!menu.is_empty() || !gone.is_empty()).then(|| {
        let rows = menu
            .into_iter()
            .map(|item| {
                let had = ordered
                    .iter()
                    .find(|i| i.item_id == item.item_id)
                    .map_or(0, |i| i.quantity);
                let currency = currency.clone();
                view! { <FoodLine item had booking_id actions currency /> }
            })
            .collect_view();
        let gone = gone
            .into_iter()
            .map(|item| view! { <GoneLine item booking_id actions /> })
            .collect_view();
        view! {
            <details class="rounded-lg border border-slate-200 px-3 py-2" open=open>
                <summary class="cursor-pointer font-semibold">{t("food-add")}</summary>
                <p class="text-sm text-slate-600">{t("food-collect")}</p>
                <ul class="mt-2 flex flex-col gap-2" data-testid="food-menu">{rows}{gone}</ul>
            </details>
        }
    });
    view! {
        <section class="flex flex-col gap-2" aria-label=t("food") data-testid="food">
            {lines}
            {move || error().map(|text| view! { <p role="alert" class="text-sm text-red-700" data-testid="food-error">{text}</p> })}
        </section>
    }
}

#[component]
fn FoodLine(
    item: MenuItem,
    had: i32,
    booking_id: BookingId,
    actions: PriceActions,
    currency: String,
) -> impl IntoView {
    let most = item
        .left
        .map_or(MOST, |left| (left as i32 + had).clamp(0, MOST));
    let (label, item_id) = (item.label(), item.item_id);
    let asked = t_with("food-how-many", &[("item", Arg::Text(&label))]);
    let qty_id = format!("qty-{}", item.item_id);
    let choices = (0..=most.max(had))
        .map(|n| view! { <option value=n.to_string() selected=n == had>{n}</option> })
        .collect_view();
    view! {
        <li class="flex flex-wrap items-center justify-between gap-2 border-b border-slate-100 pb-2" data-testid="food-item" data-name=label>
            <ItemText item had currency />
            <ActionForm action=actions.order attr:class="flex items-center gap-2">
                <input type="hidden" name="booking_id" value=booking_id.to_string() />
                <input type="hidden" name="item_id" value=item_id.to_string() />
                <label class="sr-only" for=qty_id.clone()>{asked}</label>
                <select id=qty_id name="quantity" class="rounded-lg border border-slate-300 px-2 py-1">{choices}</select>
                <button type="submit" class="rounded-lg border-2 border-indigo-600 px-3 py-1 text-sm font-semibold text-indigo-700 hover:bg-indigo-50">
                    {t("food-set")}
                </button>
            </ActionForm>
        </li>
    }
}

/// An item's veg mark, name, price, what a combo holds and, when few are left, how many.
#[component]
fn ItemText(item: MenuItem, had: i32, currency: String) -> impl IntoView {
    let price = t_with(
        "food-price",
        &[
            ("price", Arg::Text(&money::format(item.price, &currency))),
            ("percent", Arg::Number(item.tax.percent())),
        ],
    );
    let left = match item.left {
        Some(0) if had == 0 => Some(t("showtime-sold-out")),
        Some(left) if left <= 10 => Some(t_with("food-left", &[("count", Arg::Number(left))])),
        _ => None,
    };
    view! {
        <span class="min-w-0 flex-1">
            <span class="flex items-center gap-2"><VegMark veg=item.veg /><b>{item.label()}</b></span>
            <span class="block text-sm text-slate-600">
                {price}
                {(item.kind == MenuKind::Combo).then(|| format!(" · {}", item.description))}
                {left.map(|l| format!(" · {l}"))}
            </span>
        </span>
    }
}

/// On a paid booking's page until the cut-off: the menu as one form, ordered and paid for on
/// its own; the order joins the booking once its payment succeeds.
#[component]
pub fn FoodOrderBox(
    booking_id: BookingId,
    menu: Vec<MenuItem>,
    gateways: Vec<Gateway>,
    currency: String,
) -> impl IntoView {
    let order = ServerAction::<OrderFoodAndPay>::new();
    let error = move || order.value().get().and_then(Result::err).map(|e| t_err(&e));
    let rows = menu
        .into_iter()
        .enumerate()
        .map(|(n, item)| {
            let label = item.label();
            let asked = t_with("food-how-many", &[("item", Arg::Text(&label))]);
            let (qty_id, item_id) = (format!("more-{}", item.item_id), item.item_id.to_string());
            let most = item.left.map_or(MOST, |left| (left as i32).clamp(0, MOST));
            let choices = (0..=most)
                .map(|n| view! { <option value=n.to_string()>{n}</option> })
                .collect_view();
            let currency = currency.clone();
            view! {
                <li class="flex flex-wrap items-center justify-between gap-2 border-b border-slate-100 pb-2" data-testid="food-item" data-name=label>
                    <ItemText item had=0 currency />
                    <input type="hidden" name=format!("lines[{n}][item_id]") value=item_id />
                    <label class="sr-only" for=qty_id.clone()>{asked}</label>
                    <select id=qty_id name=format!("lines[{n}][quantity]") class="rounded-lg border border-slate-300 px-2 py-1">{choices}</select>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="flex flex-col gap-2" aria-label=t("food-order") data-testid="food-order">
            <details class="rounded-lg border border-slate-200 px-3 py-2">
                <summary class="cursor-pointer font-semibold">{t("food-order")}</summary>
                <p class="text-sm text-slate-600">{t("food-order-note")}</p>
                <ActionForm action=order attr:class="mt-2 flex flex-col gap-3">
                    <input type="hidden" name="booking_id" value=booking_id.to_string() />
                    <ul class="flex flex-col gap-2">{rows}</ul>
                    <GatewayChoice gateways />
                    {move || error().map(|text| view! { <p role="alert" class="text-sm text-red-700" data-testid="food-order-error">{text}</p> })}
                    <button type="submit" class="w-full rounded-lg bg-indigo-600 px-4 py-2 font-semibold text-white hover:bg-indigo-700">
                        {t("food-order-pay")}
                    </button>
                </ActionForm>
            </details>
        </section>
    }
}

/// An item the booking has that the theater no longer sells: it can only be taken off.
#[component]
fn GoneLine(item: BookingItem, booking_id: BookingId, actions: PriceActions) -> impl IntoView {
    let label = item.label();
    let (shown, remove) = (
        t_with(
            "food-gone",
            &[
                ("count", Arg::Number(i64::from(item.quantity))),
                ("item", Arg::Text(&label)),
            ],
        ),
        t_with("food-remove", &[("item", Arg::Text(&label))]),
    );
    view! {
        <li class="flex flex-wrap items-center justify-between gap-2 border-b border-slate-100 pb-2" data-testid="food-item" data-name=label>
            <span>{shown}</span>
            <ActionForm action=actions.order>
                <input type="hidden" name="booking_id" value=booking_id.to_string() />
                <input type="hidden" name="item_id" value=item.item_id.to_string() />
                <input type="hidden" name="quantity" value="0" />
                <button type="submit" class="rounded px-2 py-1 text-sm font-semibold underline" aria-label=remove>
                    {t("remove")}
                </button>
            </ActionForm>
        </li>
    }
}
