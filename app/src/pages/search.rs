use crate::catalog::search_movies;
use crate::components::{
    movie_card::MovieCardView,
    status::{EmptyState, ErrorState, Loading},
};
use crate::i18n::{t, t_err};
use crate::pages::data::resource;
use leptos::{either::EitherOf3, prelude::*};
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;

/// Search by title, genre or language: a plain GET form before the wasm loads, results as you
/// type once it has.
#[component]
pub fn SearchPage() -> impl IntoView {
    let query = use_query_map();
    let text = RwSignal::new(query.read_untracked().get("q").unwrap_or_default());
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let results = resource(move || text.get(), search_movies);
    let list = move || {
        Suspend::new(async move {
            let typed = text.get_untracked();
            match results.await {
                Ok(movies) if movies.is_empty() && typed.trim().is_empty() => EitherOf3::A(view! {
                    <EmptyState title=t("search-start") hint=t("search-start-hint") />
                }),
                Ok(movies) if movies.is_empty() => EitherOf3::A(view! {
                    <EmptyState title=t("search-none") hint=t("search-none-hint") />
                }),
                Ok(movies) => EitherOf3::B(view! {
                    <ul class="grid grid-cols-2 gap-x-4 gap-y-8 sm:grid-cols-3 lg:grid-cols-5" data-testid="search-results">
                        {movies.into_iter().map(|movie| view! { <MovieCardView movie /> }).collect_view()}
                    </ul>
                }),
                Err(err) => EitherOf3::C(view! { <ErrorState message=t_err(&err) /> }),
            }
        })
    };
    let searching = t("search-loading");
    view! {
        <Title text=t("search-title") />
        <Meta name="description" content=t("search-description") />
        <h1 class="mb-4 text-2xl font-bold tracking-tight">{t("search-heading")}</h1>
        <form method="get" action="/search" role="search" class="mb-6 flex gap-2">
            <label for="search-q" class="sr-only">{t("search-field")}</label>
            <input
                id="search-q"
                type="search"
                name="q"
                maxlength="100"
                autocomplete="off"
                placeholder=t("search-field")
                value=text.get_untracked()
                on:input=move |ev| text.set(event_target_value(&ev))
                class="w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-base shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500"
            />
            <button
                type="submit"
                class="rounded-lg bg-indigo-600 px-4 py-2 font-semibold text-white hover:bg-indigo-700"
                class:hidden=move || hydrated.get()
            >
                {t("nav-search")}
            </button>
        </form>
        <Transition fallback=move || view! { <Loading label=searching.clone() /> }>{list}</Transition>
    }
}
