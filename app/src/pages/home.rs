use crate::catalog::{home_catalog, CityListing, Filters, MovieCard};
use crate::components::{
    city_picker::CityPicker,
    movie_card::MovieCardView,
    status::{EmptyState, ErrorState, Loading},
};
use crate::i18n::{t, t_err, t_with, tr_around, use_lang, Arg};
use crate::pages::data::resource;
use leptos::{either::Either, prelude::*};
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;

/// Movies now showing in the moviegoer's city.
#[component]
pub fn HomePage() -> impl IntoView {
    let query = use_query_map();
    let catalog = resource(
        move || {
            let q = query.read();
            (
                q.get("city"),
                q.get("language"),
                q.get("genre"),
                q.get("format"),
            )
        },
        |(city, language, genre, format)| home_catalog(city, language, genre, format),
    );
    let content = move || {
        Suspend::new(async move {
            match catalog.await {
                Ok(data) => Either::Left(view! { <CityHome data /> }),
                Err(err) => Either::Right(view! { <ErrorState message=t_err(&err) /> }),
            }
        })
    };
    let loading = t("home-loading");
    view! { <Transition fallback=move || view! { <Loading label=loading.clone() /> }>{content}</Transition> }
}

#[component]
fn CityHome(data: CityListing) -> impl IntoView {
    let city_name = data
        .city
        .as_ref()
        .map(|c| c.name.clone())
        .unwrap_or_default();
    let selected = data
        .city
        .as_ref()
        .map(|c| c.slug.clone())
        .unwrap_or_default();
    let lang = use_lang();
    let title = t_with("home-title", &[("city", Arg::Text(&city_name))]);
    let description = t_with("home-description", &[("city", Arg::Text(&city_name))]);
    let (showing_before, showing_after) = tr_around(lang, "home-now-showing", "city");
    let (trending_before, trending_after) = tr_around(lang, "home-trending", "city");
    let count = data.now_showing.len();
    let filtered = data.filters.language.is_some()
        || data.filters.genre.is_some()
        || data.filters.format.is_some();
    let movies = if data.now_showing.is_empty() {
        let hint = t(if filtered {
            "home-no-match"
        } else {
            "home-nothing-here"
        });
        Either::Left(view! { <EmptyState title=t("home-no-shows") hint=hint /> })
    } else {
        // Cards carry h3 titles, as under the sections below: the list gets its own h2.
        Either::Right(view! {
            <section aria-labelledby="now-showing">
                <h2 id="now-showing" class="sr-only">{t("home-all-movies")}</h2>
                <MovieGrid movies=data.now_showing first_row=2 />
            </section>
        })
    };
    let trending = (!data.trending.is_empty()).then(|| {
        view! {
            <section aria-labelledby="trending" class="mt-10">
                <h2 id="trending" class="mb-4 text-xl font-bold">{trending_before}{city_name.clone()}{trending_after}</h2>
                <MovieGrid movies=data.trending />
            </section>
        }
    });
    let upcoming = (!data.upcoming.is_empty()).then(|| {
        view! {
            <section aria-labelledby="upcoming" class="mt-10">
                <h2 id="upcoming" class="mb-4 text-xl font-bold">{t("home-coming-soon")}</h2>
                <MovieGrid movies=data.upcoming />
            </section>
        }
    });
    view! {
        <Title text=title />
        <Meta name="description" content=description />
        <section class="mb-6 flex flex-col gap-4 sm:flex-row sm:items-end sm:justify-between">
            <div>
                <h1 class="text-2xl font-bold tracking-tight sm:text-3xl">
                    {showing_before}<span data-testid="city-name">{city_name}</span>{showing_after}
                </h1>
                <p class="text-slate-600">{t_with("home-movie-count", &[("count", Arg::Number(count as i64))])}</p>
            </div>
            <CityPicker cities=data.cities selected=selected.clone() />
        </section>
        <FilterBar city=selected filters=data.filters />
        {movies}
        {trending}
        {upcoming}
    }
}

/// Movie cards in a grid; the first `first_row` (a phone's first row) load their posters first.
#[component]
fn MovieGrid(movies: Vec<MovieCard>, #[prop(optional)] first_row: usize) -> impl IntoView {
    view! {
        <ul class="grid grid-cols-2 gap-x-4 gap-y-8 sm:grid-cols-3 lg:grid-cols-5">
            {movies.into_iter().enumerate().map(|(n, movie)| view! { <MovieCardView movie first={n < first_row} /> }).collect_view()}
        </ul>
    }
}

/// Language, genre and format filters as a plain GET form.
#[component]
fn FilterBar(city: String, filters: Filters) -> impl IntoView {
    view! {
        <form method="get" action="/" class="mb-6 flex flex-wrap items-end gap-3" aria-label=t("filters")>
            <input type="hidden" name="city" value=city />
            <FilterSelect label=t("filter-language") name="language" options=filters.languages picked=filters.language />
            <FilterSelect label=t("filter-genre") name="genre" options=filters.genres picked=filters.genre />
            <FilterSelect label=t("filter-format") name="format" options=filters.formats picked=filters.format />
            <button type="submit" class="rounded-lg border border-indigo-600 px-4 py-2 font-semibold text-indigo-700 hover:bg-indigo-50">
                {t("filter-apply")}
            </button>
        </form>
    }
}

#[component]
fn FilterSelect(
    label: String,
    name: &'static str,
    options: Vec<String>,
    picked: Option<String>,
) -> impl IntoView {
    let id = format!("filter-{name}");
    view! {
        <div class="flex flex-col gap-1">
            <label for=id.clone() class="text-sm font-medium text-slate-600">{label}</label>
            <select id=id name=name class="rounded-lg border border-slate-300 bg-white px-3 py-2">
                <option value="">{t("filter-all")}</option>
                {options
                    .into_iter()
                    .map(|option| {
                        let selected = picked.as_deref() == Some(option.as_str());
                        let value = option.clone();
                        view! { <option value=value selected=selected>{option}</option> }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}
