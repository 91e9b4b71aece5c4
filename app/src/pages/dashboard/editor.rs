//! The visual seat-layout editor: a grid of cells painted with a brush (a category, a seat
//! kind, or an aisle), by mouse, touch or keyboard (arrow keys move, Enter or Space paints);
//! the layout's JSON beside it, to export, or to paste and load; and a preview drawn by the
//! seat map moviegoers use. Without the wasm the JSON field is the editor.

use super::{INPUT, LABEL, QUIET};
use crate::booking::{SeatInfo, SeatStatus};
use crate::catalog::SeatKind;
use crate::dashboard::draft::{Brush, Draft, Lettering, Numbering};
use crate::i18n::{t, t_with, tr, tr_with, use_lang, Arg};
use crate::pages::show::{
    choice::Choice,
    grid::{tint, SeatGrid},
};
use leptos::prelude::*;
use std::collections::HashSet;

/// The controls, the grid and the `layout` field, for inside a form.
#[component]
pub(super) fn LayoutEditor(draft: RwSignal<Draft>) -> impl IntoView {
    let first = draft.with_untracked(|d| d.categories.first().cloned().unwrap_or_default());
    let brush = RwSignal::new(Brush::Category(first));
    let json = Memo::new(move |_| {
        serde_json::to_string_pretty(&draft.read().layout()).unwrap_or_default()
    });
    view! {
        <div class="flex flex-col gap-4" data-testid="layout-editor">
            <Shape draft />
            <Categories draft brush />
            <Brushes draft brush />
            <Cells draft brush />
            <FirstPrices draft />
            <JsonField draft json />
        </div>
    }
}

/// Grid size, row lettering and seat numbering.
#[component]
fn Shape(draft: RwSignal<Draft>) -> impl IntoView {
    let number = |ev: &leptos::ev::Event| event_target_value(ev).parse::<i32>().unwrap_or(1);
    view! {
        <div class="grid grid-cols-2 gap-3 sm:grid-cols-4">
            <label class=LABEL>
                {t("dash-rows")}
                <input type="number" min="1" max="60" class=INPUT data-testid="grid-rows"
                    prop:value=move || draft.read().rows.to_string()
                    on:change=move |ev| draft.update(|d| d.resize(number(&ev), d.columns)) />
            </label>
            <label class=LABEL>
                {t("dash-columns")}
                <input type="number" min="1" max="80" class=INPUT data-testid="grid-columns"
                    prop:value=move || draft.read().columns.to_string()
                    on:change=move |ev| draft.update(|d| d.resize(d.rows, number(&ev))) />
            </label>
            <label class=LABEL>
                {t("dash-row-a")}
                <select class=INPUT on:change=move |ev| {
                    let back = event_target_value(&ev) == "back";
                    draft.update(|d| d.lettering = if back { Lettering::FromBack } else { Lettering::FromScreen });
                }>
                    <option value="screen" selected=move || draft.read().lettering == Lettering::FromScreen>{t("dash-row-a-screen")}</option>
                    <option value="back" selected=move || draft.read().lettering == Lettering::FromBack>{t("dash-row-a-back")}</option>
                </select>
            </label>
            <label class=LABEL>
                {t("dash-numbered")}
                <select class=INPUT on:change=move |ev| {
                    let rtl = event_target_value(&ev) == "rtl";
                    draft.update(|d| d.numbering = if rtl { Numbering::RightToLeft } else { Numbering::LeftToRight });
                }>
                    <option value="ltr" selected=move || draft.read().numbering == Numbering::LeftToRight>{t("dash-from-left")}</option>
                    <option value="rtl" selected=move || draft.read().numbering == Numbering::RightToLeft>{t("dash-from-right")}</option>
                </select>
            </label>
        </div>
    }
}

/// The categories, most premium first: add, remove (when no seat has it), move up.
#[component]
fn Categories(draft: RwSignal<Draft>, brush: RwSignal<Brush>) -> impl IntoView {
    let lang = use_lang();
    let name = RwSignal::new(String::new());
    let add = move || {
        let added = draft
            .try_update(|d| d.add_category(&name.get_untracked()))
            .unwrap_or(false);
        if added {
            brush.set(Brush::Category(name.get_untracked().trim().to_owned()));
            name.set(String::new());
        }
    };
    view! {
        <fieldset class="flex flex-col gap-2">
            <legend class="text-sm font-medium text-slate-700">{t("dash-categories")}</legend>
            <ol class="flex flex-wrap gap-2">
                {move || {
                    let categories = draft.read().categories.clone();
                    categories.clone().into_iter().enumerate().map(|(at, c)| {
                    let (up, gone) = (c.clone(), c.clone());
                    view! {
                        <li class=format!("flex items-center gap-1 rounded-lg border-2 bg-white px-2 py-1 text-sm {}", tint(&categories, &c))>
                            <span class="font-semibold">{c.clone()}</span>
                            {(at > 0).then(|| view! {
                                <button type="button" class="px-1" aria-label=tr_with(lang, "dash-move-up", &[("category", Arg::Text(&up))])
                                    on:click=move |_| draft.update(|d| {
                                        if let Some(i) = d.categories.iter().position(|x| *x == up) { d.categories.swap(i - 1, i) }
                                    })>"↑"</button>
                            })}
                            <button type="button" class="px-1" aria-label=tr_with(lang, "dash-remove", &[("category", Arg::Text(&gone))])
                                on:click=move |_| { draft.update(|d| { d.remove_category(&gone); }); }>"✕"</button>
                        </li>
                    }
                }).collect_view()
                }}
            </ol>
            <div class="flex gap-2">
                <input class=INPUT placeholder=t("dash-new-category-hint") aria-label=t("dash-new-category")
                    prop:value=name on:input=move |ev| name.set(event_target_value(&ev))
                    on:keydown=move |ev| if ev.key() == "Enter" { ev.prevent_default(); add() } />
                <button type="button" class=QUIET on:click=move |_| add()>{t("dash-add")}</button>
            </div>
        </fieldset>
    }
}

/// What a click paints.
#[component]
fn Brushes(draft: RwSignal<Draft>, brush: RwSignal<Brush>) -> impl IntoView {
    let option = move |label: String, value: Brush| {
        let this = value.clone();
        view! {
            <label class="flex items-center gap-1.5 rounded-lg border border-slate-300 px-2 py-1 text-sm has-[:checked]:border-indigo-600 has-[:checked]:bg-indigo-50">
                <input type="radio" name="brush" prop:checked=move || brush.get() == this
                    on:change=move |_| brush.set(value.clone()) />
                {label}
            </label>
        }
    };
    view! {
        <fieldset>
            <legend class="text-sm font-medium text-slate-700">{t("dash-paint-with")}</legend>
            <div class="mt-1 flex flex-wrap gap-2" data-testid="brushes">
                {move || draft.read().categories.iter().map(|c| option(c.clone(), Brush::Category(c.clone()))).collect_view()}
                {option(t("dash-brush-wheelchair"), Brush::Kind(SeatKind::Wheelchair))}
                {option(t("dash-brush-companion"), Brush::Kind(SeatKind::Companion))}
                {option(t("dash-brush-standard"), Brush::Kind(SeatKind::Standard))}
                {option(t("dash-brush-aisle"), Brush::Erase)}
            </div>
        </fieldset>
    }
}

/// The grid of cells. One cell takes the tab stop; arrow keys move it.
#[component]
fn Cells(draft: RwSignal<Draft>, brush: RwSignal<Brush>) -> impl IntoView {
    let lang = use_lang();
    let focus = RwSignal::new((0, 0));
    let labels = Memo::new(move |_| draft.read().labels());
    let shape = Memo::new(move |_| draft.with(|d| (d.rows, d.columns)));
    let paint = move |r: i32, c: i32| draft.update(|d| d.paint(r, c, &brush.get_untracked()));
    let cell = move |r: i32, c: i32| {
        let seat = move || draft.with(|d| d.cells.get(&(r, c)).cloned());
        let label = move || labels.with(|l| l.get(&(r, c)).map(|(row, n)| format!("{row}{n}")));
        let class = move || {
            match seat() {
            Some(cell) => format!("seat {}", draft.with(|d| tint(&d.categories, &cell.category))),
            None => "flex h-7 w-7 items-center justify-center rounded border border-dashed border-slate-300 text-[10px] text-slate-300".to_owned(),
        }
        };
        let mark = move || match seat() {
            Some(cell) if cell.kind == SeatKind::Wheelchair => "♿".to_owned(),
            Some(cell) if cell.kind == SeatKind::Companion => "C".to_owned(),
            Some(_) => label()
                .map(|l| l.trim_start_matches(char::is_alphabetic).to_owned())
                .unwrap_or_default(),
            None => String::new(),
        };
        let spoken = move || {
            let (row, column) = (Arg::Number((r + 1).into()), Arg::Number((c + 1).into()));
            match seat() {
                Some(cell) => tr_with(
                    lang,
                    "dash-cell-seat",
                    &[
                        ("row", row),
                        ("column", column),
                        ("seat", Arg::Text(&label().unwrap_or_default())),
                        ("category", Arg::Text(&cell.category)),
                        (
                            "kind",
                            Arg::Text(&tr(lang, &format!("seat-kind-{}", cell.kind.as_str()))),
                        ),
                    ],
                ),
                None => tr_with(lang, "dash-cell-aisle", &[("row", row), ("column", column)]),
            }
        };
        view! {
            <button type="button" id=format!("cell-{r}-{c}") data-r=r data-c=c
                tabindex=move || if focus.get() == (r, c) { "0" } else { "-1" }
                aria-label=spoken title=label
                style=format!("grid-row: {}; grid-column: {}", r + 1, c + 2)
                class="rounded focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600"
                on:click=move |_| { focus.set((r, c)); paint(r, c) }
                on:pointerenter=move |ev| if ev.buttons() == 1 { paint(r, c) }>
                <span aria-hidden="true" class=class>{mark}</span>
            </button>
        }
    };
    // A row's own name, over the letter it would take (blank: the letter).
    let letters = Memo::new(move |_| draft.read().derived_letters());
    let row_name = move |r: i32| {
        let letter = move || letters.with(|l| l.get(&r).cloned());
        view! {
            <input maxlength="2" style=format!("grid-row: {}; grid-column: 1", r + 1)
                class="w-7 rounded border border-slate-300 px-0.5 text-center text-xs uppercase disabled:border-transparent disabled:bg-transparent"
                aria-label=move || tr_with(lang, "dash-row-name", &[("row", Arg::Number((r + 1).into())), ("letter", Arg::Text(&letter().unwrap_or_default()))])
                disabled=move || letter().is_none()
                placeholder=move || letter().unwrap_or_default()
                prop:value=move || draft.with(|d| d.row_names.get(&r).cloned().unwrap_or_default())
                on:keydown=|ev| ev.stop_propagation()
                on:change=move |ev| draft.update(|d| d.name_row(r, &event_target_value(&ev))) />
        }
    };
    let keys = move |ev: leptos::ev::KeyboardEvent| {
        let (dr, dc) = match ev.key().as_str() {
            "ArrowLeft" => (0, -1),
            "ArrowRight" => (0, 1),
            "ArrowUp" => (-1, 0),
            "ArrowDown" => (1, 0),
            _ => return,
        };
        ev.prevent_default();
        let (rows, cols) = shape.get_untracked();
        let (r, c) = focus.get_untracked();
        let next = ((r + dr).clamp(0, rows - 1), (c + dc).clamp(0, cols - 1));
        focus.set(next);
        #[cfg(feature = "hydrate")]
        if let Some(el) = document().get_element_by_id(&format!("cell-{}-{}", next.0, next.1)) {
            use leptos::wasm_bindgen::JsCast;
            if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        }
    };
    view! {
        <div class="overflow-x-auto pb-2">
            <p class="mb-2 text-center text-xs uppercase tracking-widest text-slate-500">{t("dash-screen-this-way")}</p>
            <div role="group" aria-label=t("dash-grid") class="grid w-max gap-1"
                data-testid="editor-grid" on:keydown=keys
                style=move || { let (rows, cols) = shape.get(); format!("grid-template-columns: 2rem repeat({cols}, 1.75rem); grid-template-rows: repeat({rows}, 1.75rem)") }>
                {move || {
                    let (rows, cols) = shape.get();
                    let names = (0..rows).map(row_name).collect_view();
                    (names, (0..rows).flat_map(|r| (0..cols).map(move |c| cell(r, c))).collect_view())
                }}
            </div>
        </div>
    }
}

/// Prices for a category that gets its first seats while shows to come are on sale (those
/// shows have none for it yet); left empty otherwise.
#[component]
fn FirstPrices(draft: RwSignal<Draft>) -> impl IntoView {
    let lang = use_lang();
    let categories = move || draft.read().categories.clone();
    view! {
        <details class="rounded-lg border border-slate-200 p-3 text-sm">
            <summary class="cursor-pointer font-semibold">{t("dash-first-prices")}</summary>
            <p class="mt-1 text-slate-600">{t("dash-first-prices-note")}</p>
            <div class="mt-2 grid grid-cols-2 gap-2 sm:grid-cols-4">
                {move || categories().into_iter().map(|c| {
                    let name = c.clone();
                    let value = draft.with_untracked(|d| d.new_prices.get(&c).map(|p| crate::money::plain(*p)));
                    view! {
                        <label class=LABEL>
                            {c.clone()}
                            <input inputmode="decimal" class=INPUT value=value aria-label=tr_with(lang, "dash-first-price", &[("category", Arg::Text(&c))])
                                on:change=move |ev| {
                                    let typed = event_target_value(&ev);
                                    let paise = crate::dashboard::functions::minor_units(&typed);
                                    draft.update(|d| match paise {
                                        Some(p) => { d.new_prices.insert(name.clone(), p); }
                                        None => { d.new_prices.remove(&name); }
                                    });
                                } />
                        </label>
                    }
                }).collect_view()}
            </div>
        </details>
    }
}

/// The layout as JSON: what the form sends, what can be copied out, or pasted in and loaded.
#[component]
fn JsonField(draft: RwSignal<Draft>, json: Memo<String>) -> impl IntoView {
    let lang = use_lang();
    let textarea = NodeRef::<leptos::html::Textarea>::new();
    let problem = RwSignal::new(None::<String>);
    let load = move |_| {
        let Some(text) = textarea.get().map(|t| t.value()) else {
            return;
        };
        match serde_json::from_str::<crate::dashboard::layout::ScreenLayout>(&text) {
            Ok(layout) => {
                draft.set(Draft::from_layout(&layout));
                problem.set(None);
            }
            Err(err) => {
                let detail = err.to_string();
                let said = tr_with(lang, "dash-not-a-layout", &[("detail", Arg::Text(&detail))]);
                problem.set(Some(said))
            }
        }
    };
    let download = move || {
        format!(
            "data:application/json;charset=utf-8,{}",
            crate::words::percent_encode(&json.get())
        )
    };
    view! {
        <details class="rounded-lg border border-slate-200 p-3">
            <summary class="cursor-pointer text-sm font-semibold">{t("dash-json")}</summary>
            <label class=format!("{LABEL} mt-2")>
                {t("dash-json-field")}
                <textarea name="layout" rows="8" class=format!("{INPUT} font-mono text-xs") node_ref=textarea
                    data-testid="layout-json" prop:value=move || json.get()>{json.get_untracked()}</textarea>
            </label>
            <p class="text-sm text-red-700" role="alert">{move || problem.get()}</p>
            <div class="mt-2 flex flex-wrap gap-2">
                <button type="button" class=QUIET on:click=load>{t("dash-json-load")}</button>
                <a class=QUIET download="layout.json" href=download>{t("dash-json-download")}</a>
            </div>
        </details>
    }
}

/// The layout as moviegoers will see it, drawn by their seat map.
#[component]
pub(super) fn LayoutPreview(draft: RwSignal<Draft>) -> impl IntoView {
    move || {
        let layout = draft.read().layout();
        let seats: Vec<SeatInfo> = layout
            .seats
            .iter()
            .map(|s| SeatInfo {
                id: s
                    .id
                    .unwrap_or_else(|| {
                        uuid::Uuid::from_u128(((s.grid_row as u128) << 32) | s.grid_col as u128)
                    })
                    .into(),
                label: format!("{}{}", s.row, s.number),
                row: s.row.clone(),
                number: s.number,
                category: s.category.clone(),
                price: 0,
                currency: "INR".into(),
                kind: s.kind,
                status: SeatStatus::Available,
                grid_row: s.grid_row,
                grid_col: s.grid_col,
            })
            .collect();
        let choice = Choice::new(&seats, Vec::new(), HashSet::new());
        let categories = layout.categories.iter().map(|c| c.name.clone()).collect();
        view! {
            <section aria-label=t("dash-preview") data-testid="layout-preview" class="flex flex-col gap-2">
                <h2 class="text-lg font-semibold">{t_with("dash-preview-seats", &[("count", Arg::Number(seats.len() as i64))])}</h2>
                <SeatGrid categories rows=layout.rows columns=layout.columns choice currency="INR".to_owned() />
            </section>
        }
    }
}
