use crate::catalog::{home_catalog, CityListing};
use crate::components::{
    city_picker::CityPicker,
    movie_card::MovieCardView,
    status::{EmptyState, ErrorState, Loading},
};
use leptos::{either::Either, prelude::*};
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;

/// Movies now showing in the moviegoer's city.
#[component]
pub fn HomePage() -> impl IntoView {
    let query = use_query_map();
    let catalog = Resource::new(move || query.read().get("city"), home_catalog);
    let content = move || {
        Suspend::new(async move {
            match catalog.await {
                Ok(data) => Either::Left(view! { <CityHome data /> }),
                Err(err) => Either::Right(view! { <ErrorState message=err.to_string() /> }),
            }
        })
    };
    view! { <Transition fallback=|| view! { <Loading label="Loading movies…" /> }>{content}</Transition> }
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
    let title = format!("Movies in {city_name} · District");
    let description = format!(
        "Movies now showing in {city_name}: pick a show, choose your seats and book tickets on District."
    );
    let count = data.now_showing.len();
    let movies = if data.now_showing.is_empty() {
        Either::Left(view! {
            <EmptyState
                title="No shows scheduled"
                hint="Nothing is playing in this city right now. Try another city."
            />
        })
    } else {
        Either::Right(view! {
            <ul class="grid grid-cols-2 gap-x-4 gap-y-8 sm:grid-cols-3 lg:grid-cols-5">
                {data
                    .now_showing
                    .into_iter()
                    .map(|movie| view! { <MovieCardView movie /> })
                    .collect_view()}
            </ul>
        })
    };
    view! {
        <Title text=title />
        <Meta name="description" content=description />
        <section class="mb-6 flex flex-col gap-4 sm:flex-row sm:items-end sm:justify-between">
            <div>
                <h1 class="text-2xl font-bold tracking-tight sm:text-3xl">
                    "Now showing in " <span data-testid="city-name">{city_name}</span>
                </h1>
                <p class="text-slate-600">{movie_count(count)}</p>
            </div>
            <CityPicker cities=data.cities selected />
        </section>
        {movies}
    }
}

fn movie_count(count: usize) -> String {
    match count {
        1 => "1 movie".to_owned(),
        n => format!("{n} movies"),
    }
}
