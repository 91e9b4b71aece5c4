use crate::catalog::{theater_page, theaters_near, TheaterCard, TheaterListing};
use crate::components::status::{EmptyState, ErrorState, Loading};
use crate::i18n::{t, t_err, t_with, tr, use_lang, Arg};
use crate::pages::data::resource;
use leptos::{either::Either, prelude::*};
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

/// Theaters near the moviegoer (browser geolocation once hydrated), else in their city.
#[component]
pub fn TheatersPage() -> impl IntoView {
    let query = use_query_map();
    let point = move || {
        let q = query.read();
        let coordinate = |name: &str| q.get(name).and_then(|v| v.parse::<f64>().ok());
        (coordinate("lat"), coordinate("lng"))
    };
    let data = resource(point, |(lat, lng)| theaters_near(lat, lng));
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let problem = RwSignal::new(None::<String>);
    let lang = use_lang();
    let navigate = use_navigate();
    let locate = move |_| {
        let navigate = navigate.clone();
        current_position(
            move |lat, lng| {
                navigate(
                    &format!("/theaters?lat={lat:.4}&lng={lng:.4}"),
                    Default::default(),
                )
            },
            move |message| problem.set(Some(tr(lang, message))),
        );
    };
    let list = move || {
        Suspend::new(async move {
            match data.await {
                Ok((city, theaters)) => Either::Left(view! { <TheaterList city theaters /> }),
                Err(err) => Either::Right(view! { <ErrorState message=t_err(&err) /> }),
            }
        })
    };
    view! {
        <Title text=t("theaters-title") />
        <Meta name="description" content=t("theaters-description") />
        <div class="mb-4 flex flex-wrap items-center justify-between gap-3">
            <h1 class="text-2xl font-bold tracking-tight">{t("nav-theaters")}</h1>
            <button
                type="button"
                on:click=locate
                class="rounded-lg border border-indigo-600 px-4 py-2 font-semibold text-indigo-700 hover:bg-indigo-50"
                class:hidden=move || !hydrated.get()
            >
                {t("theaters-locate")}
            </button>
        </div>
        {move || problem.get().map(|message| view! { <p role="alert" class="mb-4 text-sm text-red-700">{message}</p> })}
        <Transition fallback=move || view! { <Loading label=tr(lang, "theaters-loading") /> }>{list}</Transition>
    }
}

#[component]
fn TheaterList(city: Option<String>, theaters: Vec<TheaterCard>) -> impl IntoView {
    let heading = match &city {
        Some(city) => t_with("theaters-in", &[("city", Arg::Text(city))]),
        None => t("theaters-near"),
    };
    let list = if theaters.is_empty() {
        Either::Left(view! { <EmptyState title=t("theaters-none") hint=t("theaters-none-hint") /> })
    } else {
        Either::Right(view! {
            <ul class="flex flex-col gap-3">
                {theaters
                    .into_iter()
                    .map(|theater| {
                        view! {
                            <li class="rounded-2xl border border-slate-200 bg-white p-4" data-testid="theater">
                                <a href=format!("/theaters/{}", theater.slug) class="font-semibold text-indigo-700 underline-offset-2 hover:underline">
                                    {theater.name}
                                </a>
                                {theater.distance.map(|d| view! { <span class="ml-2 text-sm text-slate-500" data-testid="distance">{d}</span> })}
                                <p class="text-sm text-slate-600">{theater.address}</p>
                                <p class="mt-1 text-xs text-slate-500">{theater.amenities.join(" · ")}</p>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        })
    };
    view! {
        <h2 class="mb-3 text-lg font-semibold text-slate-700" data-testid="theaters-heading">{heading}</h2>
        {list}
    }
}

/// The browser's position, asked for only when the moviegoer presses the button; `failed`
/// gets the message id of what went wrong.
#[cfg(feature = "hydrate")]
fn current_position(found: impl Fn(f64, f64) + 'static, failed: impl Fn(&'static str) + 'static) {
    use wasm_bindgen::{closure::Closure, JsCast, JsValue};
    let Ok(geolocation) = window().navigator().geolocation() else {
        failed("theaters-no-location");
        return;
    };
    let on_found = Closure::once_into_js(move |position: web_sys::Position| {
        let coords = position.coords();
        found(coords.latitude(), coords.longitude());
    });
    let on_error = Closure::once_into_js(move |_: JsValue| {
        failed("theaters-location-failed");
    });
    let _ = geolocation.get_current_position_with_error_callback(
        on_found.unchecked_ref(),
        Some(on_error.unchecked_ref()),
    );
}

#[cfg(not(feature = "hydrate"))]
fn current_position(_found: impl Fn(f64, f64) + 'static, _failed: impl Fn(&'static str) + 'static) {
}

/// One theater: address, amenities, screens and the rest of today's shows by movie.
#[component]
pub fn TheaterPage() -> impl IntoView {
    let params = use_params_map();
    let data = resource(
        move || params.read().get("slug").unwrap_or_default(),
        theater_page,
    );
    super::found(
        data,
        t("theater-loading"),
        |listing| view! { <TheaterView listing /> },
    )
}

#[component]
fn TheaterView(listing: TheaterListing) -> impl IntoView {
    let card = listing.card;
    let movies = if listing.movies.is_empty() {
        Either::Left(
            view! { <EmptyState title=t("theater-no-shows") hint=t("theater-no-shows-hint") /> },
        )
    } else {
        Either::Right(view! {
            <ul class="flex flex-col gap-3">
                {listing
                    .movies
                    .into_iter()
                    .map(|movie| {
                        view! {
                            <li class="rounded-2xl border border-slate-200 bg-white p-4" data-testid="movie-showtimes">
                                <a href=format!("/movies/{}", movie.slug) class="font-semibold text-indigo-700 hover:underline">{movie.title}</a>
                                <ul class="mt-2 flex flex-wrap gap-2">
                                    {movie
                                        .showtimes
                                        .into_iter()
                                        .map(|s| view! { <crate::pages::movie::ShowtimeChip showtime=s /> })
                                        .collect_view()}
                                </ul>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        })
    };
    view! {
        <Title text=t_with("theater-title", &[("name", Arg::Text(&card.name))]) />
        <Meta name="description" content=t_with("theater-description", &[("name", Arg::Text(&card.name)), ("address", Arg::Text(&card.address))]) />
        <h1 class="text-2xl font-bold tracking-tight">{card.name.clone()}</h1>
        <p class="text-slate-600">{card.address.clone()}</p>
        <p class="mt-1 text-sm text-slate-500">{card.amenities.join(" · ")}</p>
        <h2 class="mb-2 mt-6 text-lg font-semibold">{t("theater-screens")}</h2>
        <ul class="mb-6 list-inside list-disc text-slate-700">
            {listing.screens.into_iter().map(|s| {
                let line = t_with(
                    "theater-screen",
                    &[
                        ("name", Arg::Text(&s.name)),
                        ("seats", Arg::Number(s.seats)),
                        ("formats", Arg::Text(&s.formats.join(" / "))),
                    ],
                );
                view! { <li>{line}</li> }
            }).collect_view()}
        </ul>
        <h2 class="mb-2 text-lg font-semibold">{t("date-today")}</h2>
        {movies}
    }
}
