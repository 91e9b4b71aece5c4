//! Food and drinks: a theater's menu (adding items and combos, prices, stock, on and off sale)
//! and a show's counter page (the pickup list, what is left, each item's stock for the show).

use super::{
    action_error, path_id, staff_page, Problem, TheaterTabs, BUTTON, CARD, INPUT, LABEL, QUIET,
};
use crate::dashboard::functions::{
    food_page, menu_page, AddMenuItem, ChangeMenuItem, PickUpFood, SetFoodStock, ShowFood,
    TheaterMenu,
};
use crate::food::{MenuItem, MenuKind, Pickup};
use crate::i18n::{t, t_with, Arg};
use crate::money;
use crate::pages::data::resource;
use crate::pages::food::VegMark;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn TheaterMenuPage() -> impl IntoView {
    let id = path_id();
    let add = ServerAction::<AddMenuItem>::new();
    let change = ServerAction::<ChangeMenuItem>::new();
    let data = resource(
        move || (id(), add.version().get(), change.version().get()),
        |(id, _, _)| menu_page(id.unwrap_or_default()),
    );
    let (add_error, change_error) = (action_error(add), action_error(change));
    staff_page(data, move |page: TheaterMenu| {
        let theater_id = page.theater.id.to_string();
        view! {
            <TheaterTabs theater=page.theater current="dash-tab-menu" />
            <div class="grid gap-4 lg:grid-cols-2">
                <section class=format!("{CARD} flex flex-col gap-3")>
                    <h2 class="text-xl font-semibold">{t("dash-food")}</h2>
                    <Problem error=change_error />
                    <ul class="flex flex-col gap-3 text-sm" data-testid="menu-items">
                        {page.items.into_iter().map(|item| view! { <MenuLine item change /> }).collect_view()}
                    </ul>
                </section>
                <section class=format!("{CARD} flex flex-col gap-3")>
                    <h2 class="text-xl font-semibold">{t("dash-add-menu")}</h2>
                    <ActionForm action=add attr:class="flex flex-col gap-2" attr:data-testid="new-menu-item">
                        <Problem error=add_error />
                        <input type="hidden" name="theater_id" value=theater_id />
                        <div class="grid grid-cols-2 gap-2">
                            <label class=LABEL>{t("dash-name")}<input name="name" required maxlength="60" class=INPUT /></label>
                            <label class=LABEL>{t("dash-size")}<input name="size" maxlength="20" placeholder=t("dash-size-hint") class=INPUT /></label>
                            <label class=LABEL>{t("dash-kind")}
                                <select name="kind" class=INPUT>
                                    <option value="item">{t("dash-single")}</option>
                                    <option value="combo">{t("dash-combo")}</option>
                                </select>
                            </label>
                            <label class=LABEL>{t("dash-price-before-gst")}<input name="price" required inputmode="decimal" class=INPUT /></label>
                            <label class=LABEL>"GST"
                                <select name="tax" class=INPUT>
                                    <option value="gst5">{t("dash-gst5")}</option>
                                    <option value="gst18">"18%"</option>
                                    <option value="exempt">{t("dash-no-tax")}</option>
                                </select>
                            </label>
                            <label class=LABEL>{t("dash-stock-per-show")}<input name="stock_per_show" type="number" min="0" placeholder=t("dash-unlimited") class=INPUT /></label>
                        </div>
                        <label class=LABEL>{t("dash-what-it-is")}<input name="description" maxlength="200" class=INPUT /></label>
                        <label class="flex items-center gap-2 text-sm"><input type="checkbox" name="veg" checked />{t("dash-vegetarian")}</label>
                        <button type="submit" class=BUTTON>{t("dash-add-item")}</button>
                    </ActionForm>
                </section>
            </div>
        }
    })
}

#[component]
fn MenuLine(item: MenuItem, change: ServerAction<ChangeMenuItem>) -> impl IntoView {
    let (id, toggle_id) = (item.item_id.to_string(), item.item_id.to_string());
    let stock = item.stock_per_show.map_or_else(
        || t("dash-stock-unlimited"),
        |s| t_with("dash-stock-each-show", &[("count", Arg::Number(s.into()))]),
    );
    // Saved as shown: emptied, the item becomes unlimited.
    let current_stock = item
        .stock_per_show
        .map(|s| s.to_string())
        .unwrap_or_default();
    let kind = if item.kind == MenuKind::Combo {
        format!(" · {}", t("dash-combo-word"))
    } else {
        String::new()
    };
    view! {
        <li class="flex flex-col gap-2 border-b border-slate-100 pb-3" data-testid="menu-item">
            <p class="flex flex-wrap items-center gap-2">
                <VegMark veg=item.veg />
                <b>{item.label()}</b>
                <span class="text-slate-600">{format!(
                    "{}{kind} · {stock}",
                    t_with("dash-price-gst", &[
                        ("price", Arg::Text(&money::format(item.price, "INR"))),
                        ("percent", Arg::Number(item.tax.percent())),
                    ])
                )}</span>
                {(!item.available).then(|| view! { <span class="rounded bg-amber-100 px-1 text-amber-900">{t("dash-off-sale")}</span> })}
            </p>
            {(!item.description.is_empty()).then(|| view! { <p class="text-slate-600">{item.description.clone()}</p> })}
            <div class="flex flex-wrap items-end gap-2">
                <ActionForm action=change attr:class="flex items-end gap-2">
                    <input type="hidden" name="item_id" value=id />
                    <label class=LABEL>{t("dash-price-rupees")}<input name="price" inputmode="decimal" class=format!("{INPUT} w-24") /></label>
                    <label class=LABEL>{t("dash-stock-per-show")}<input name="stock_per_show" type="number" min="0" placeholder=t("dash-unlimited") value=current_stock class=format!("{INPUT} w-28") /></label>
                    <button type="submit" class=QUIET>{t("dash-save")}</button>
                </ActionForm>
                <ActionForm action=change>
                    <input type="hidden" name="item_id" value=toggle_id />
                    <input type="hidden" name="available" value=(!item.available).to_string() />
                    <button type="submit" class=QUIET>{if item.available { t("dash-take-off-sale") } else { t("dash-put-on-sale") }}</button>
                </ActionForm>
            </div>
        </li>
    }
}

#[component]
pub fn ShowFoodPage() -> impl IntoView {
    let id = path_id();
    let picked = ServerAction::<PickUpFood>::new();
    let stock = ServerAction::<SetFoodStock>::new();
    let data = resource(
        move || (id(), picked.version().get(), stock.version().get()),
        |(id, _, _)| food_page(id.unwrap_or_default().into()),
    );
    let (picked_error, stock_error) = (action_error(picked), action_error(stock));
    staff_page(data, move |page: ShowFood| {
        let show = page.pickups.show_id.to_string();
        let stock_show = show.clone();
        view! {
            <Title text=t("dash-pickups-title") />
            <p class="text-sm text-slate-600">
                <a href=format!("/dashboard/theaters/{}", page.theater_id) class="underline">{t("dash-tab-shows")}</a>
                " · "
                <a href=format!("/dashboard/theaters/{}/menu", page.theater_id) class="underline">{t("dash-tab-menu")}</a>
            </p>
            <h1 class="mb-4 text-2xl font-bold tracking-tight">{t("dash-food-pickups")}</h1>
            <div class="grid gap-4 lg:grid-cols-2">
                <section class=format!("{CARD} flex flex-col gap-3")>
                    <h2 class="text-xl font-semibold">{t("dash-to-hand-over")}</h2>
                    <Problem error=picked_error />
                    <ul class="flex flex-col gap-1 text-sm" data-testid="pickup-totals">
                        {page.pickups.totals.into_iter().map(|line| view! {
                            <li class="flex items-center gap-2">
                                <VegMark veg=line.veg />
                                {format!("{} × {}{} · {}", line.quantity, line.name,
                                    line.size.map(|s| format!(" ({s})")).unwrap_or_default(),
                                    t_with("dash-handed-over-count", &[("count", Arg::Number(line.picked_up))]))}
                            </li>
                        }).collect_view()}
                    </ul>
                    <ul class="flex flex-col gap-3 text-sm" data-testid="pickup-list">
                        {page.pickups.orders.into_iter().map(|order| view! { <PickupLine order show=show.clone() picked /> }).collect_view()}
                    </ul>
                </section>
                <section class=format!("{CARD} flex flex-col gap-3")>
                    <h2 class="text-xl font-semibold">{t("dash-show-stock")}</h2>
                    <Problem error=stock_error />
                    <ul class="flex flex-col gap-2 text-sm" data-testid="show-stock">
                        {page.stock.into_iter().map(|item| {
                            let show = stock_show.clone();
                            view! {
                            <li class="flex flex-wrap items-end justify-between gap-2 border-b border-slate-100 pb-2">
                                <span>{item.label()}" · "{item.left.map_or_else(|| t("dash-stock-unlimited"), |l| t_with("dash-left", &[("count", Arg::Number(l))]))}</span>
                                <ActionForm action=stock attr:class="flex items-end gap-2">
                                    <input type="hidden" name="show_id" value=show.clone() />
                                    <input type="hidden" name="item_id" value=item.item_id.to_string() />
                                    <label class=LABEL>{t("dash-stock")}<input name="quantity" type="number" min="0" placeholder=t("dash-unlimited") class=format!("{INPUT} w-24") /></label>
                                    <button type="submit" class=QUIET>{t("dash-set")}</button>
                                </ActionForm>
                            </li>
                        }}).collect_view()}
                    </ul>
                </section>
            </div>
        }
    })
}

#[component]
fn PickupLine(order: Pickup, show: String, picked: ServerAction<PickUpFood>) -> impl IntoView {
    let done = order.items.iter().all(|i| i.picked_up);
    let items = order
        .items
        .iter()
        .map(|i| format!("{} × {}", i.quantity, i.label()))
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <li class="flex flex-wrap items-center justify-between gap-2 border-b border-slate-100 pb-2" data-testid="pickup">
            <div>
                <p><b class="font-mono">{order.code.clone()}</b>" · "{t_with("dash-seats", &[("seats", Arg::Text(&order.seats))])}</p>
                <p class="text-slate-600">{items}</p>
            </div>
            {if done {
                view! { <span class="rounded bg-green-100 px-2 py-1 text-green-900">{t("dash-handed-over")}</span> }.into_any()
            } else {
                view! {
                    <ActionForm action=picked>
                        <input type="hidden" name="show_id" value=show />
                        <input type="hidden" name="booking_id" value=order.booking_id.to_string() />
                        <button type="submit" class=QUIET>{t("dash-hand-over")}</button>
                    </ActionForm>
                }.into_any()
            }}
        </li>
    }
}
