use crate::catalog::City;
use crate::i18n::t;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

/// A plain GET form that works before the wasm loads; once hydrated, choosing a city
/// navigates at once and the submit button steps aside.
#[component]
pub fn CityPicker(cities: Vec<City>, selected: String) -> impl IntoView {
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let navigate = use_navigate();
    let on_change = move |ev: leptos::ev::Event| {
        let slug = event_target_value(&ev);
        navigate(&format!("/?city={slug}"), Default::default());
    };
    let options = cities
        .into_iter()
        .map(|city| {
            let is_selected = city.slug == selected;
            view! {
                <option value=city.slug selected=is_selected>
                    {city.name}
                </option>
            }
        })
        .collect_view();

    view! {
        <form method="get" action="/" class="flex items-center gap-2">
            <label for="city-picker" class="text-sm font-medium text-slate-600">
                {t("city-label")}
            </label>
            <select
                id="city-picker"
                name="city"
                on:change=on_change
                class="rounded-lg border border-slate-300 bg-white px-3 py-2 text-base shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500"
            >
                {options}
            </select>
            <button
                type="submit"
                class="rounded-lg bg-indigo-600 px-4 py-2 font-semibold text-white hover:bg-indigo-700 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
                class:hidden=move || hydrated.get()
            >
                {t("city-show")}
            </button>
        </form>
    }
}
