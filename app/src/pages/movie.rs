use crate::catalog::{
    movie_page, Availability, DateChip, MovieListing as Page, ReviewCard, Showtime,
    TheaterShowtimes,
};
use crate::components::status::EmptyState;
use crate::i18n::{format, t, t_with, tr, use_lang, Arg};
use crate::pages::data::resource;
use leptos::{either::Either, prelude::*};
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

/// A movie: details, its days with shows in the moviegoer's city with the chosen day's
/// showtimes, and reviews.
#[component]
pub fn MoviePage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let data = resource(
        move || {
            (
                params.read().get("slug").unwrap_or_default(),
                query.read().get("date"),
            )
        },
        |(slug, date)| movie_page(slug, date),
    );
    super::found(
        data,
        t("movie-loading"),
        |page| view! { <MovieView page /> },
    )
}

#[component]
fn MovieView(page: Page) -> impl IntoView {
    let movie = page.movie;
    let lang = use_lang();
    let rating = match movie.rating {
        Some(rating) => t_with(
            "movie-rating",
            &[
                ("rating", Arg::Text(&format!("{rating:.1}"))),
                ("count", Arg::Number(movie.rating_count)),
            ],
        ),
        None => t("movie-not-rated"),
    };
    let city = Arg::Text(&page.city.name);
    let title = t_with(
        "movie-title",
        &[("title", Arg::Text(&movie.title)), ("city", city)],
    );
    let showtimes = t_with("movie-showtimes", &[("city", Arg::Text(&page.city.name))]);
    let released = t_with(
        "movie-released",
        &[(
            "date",
            Arg::Text(&format::long_date(lang, movie.release_date)),
        )],
    );
    let slug = movie.slug.clone();
    let any_day = !page.dates.is_empty();
    view! {
        <Title text=title />
        <Meta name="description" content=movie.synopsis.clone() />
        <article class="flex flex-col gap-8">
            <header class="flex flex-col gap-5 sm:flex-row">
                <img
                    src=movie.poster_url.clone().unwrap_or_default()
                    alt=t_with("movie-poster", &[("title", Arg::Text(&movie.title))])
                    width="300"
                    height="450"
                    // The page's largest paint: fetched ahead of the wasm, which shares the line.
                    fetchpriority="high"
                    class="aspect-[2/3] w-40 shrink-0 rounded-xl object-cover shadow sm:w-56"
                />
                <div class="flex flex-col gap-2">
                    <h1 class="text-3xl font-bold tracking-tight">{movie.title.clone()}</h1>
                    <p class="flex flex-wrap items-center gap-2 text-slate-600">
                        <span class="rounded border border-slate-400 px-1.5 text-xs font-semibold">{movie.certificate.clone()}</span>
                        <span>{format::runtime(lang, movie.runtime_minutes)}</span>
                        <span>{movie.genres.join(" · ")}</span>
                    </p>
                    <p class="text-slate-600">{movie.languages.join(", ")}</p>
                    <p class="text-slate-600">{released}</p>
                    <p class="font-semibold text-amber-700" data-testid="rating">{rating}</p>
                    <p class="max-w-prose text-slate-800">{movie.synopsis.clone()}</p>
                    {movie.trailer_url.clone().map(|url| view! { <Trailer url /> })}
                </div>
            </header>
            <section aria-labelledby="showtimes" class="flex flex-col gap-4">
                <h2 id="showtimes" class="text-xl font-bold">{showtimes}</h2>
                <DateStrip slug dates=page.dates />
                <Showtimes theaters=page.theaters any_day />
            </section>
            <Reviews reviews=page.reviews />
        </article>
    }
}

/// The trailer plays in the page on request, so nothing loads from the video host until the
/// moviegoer asks; before the wasm loads it is a plain link.
#[component]
fn Trailer(url: String) -> impl IntoView {
    let hydrated = RwSignal::new(false);
    let playing = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let src = url.clone();
    view! {
        <a
            href=url
            target="_blank"
            rel="noopener"
            class="w-fit font-semibold text-indigo-700 underline underline-offset-2"
            class:hidden=move || hydrated.get()
        >
            {t("movie-trailer-link")}
        </a>
        <Show when=move || hydrated.get() && !playing.get()>
            <button
                type="button"
                on:click=move |_| playing.set(true)
                class="w-fit rounded-lg bg-slate-900 px-4 py-2 font-semibold text-white hover:bg-slate-700"
            >
                {t("movie-trailer-play")}
            </button>
        </Show>
        <Show when=move || playing.get()>
            <iframe
                src=src.clone()
                title=t("movie-trailer")
                allow="autoplay; encrypted-media; picture-in-picture"
                allowfullscreen=true
                class="aspect-video w-full max-w-2xl rounded-xl bg-black"
            ></iframe>
        </Show>
    }
}

/// The days with shows as links, so the strip works before the wasm loads; none when the
/// movie has no show in the city.
#[component]
fn DateStrip(slug: String, dates: Vec<DateChip>) -> impl IntoView {
    let lang = use_lang();
    (!dates.is_empty()).then(|| view! {
        <nav aria-label=t("movie-dates") class="-mx-4 overflow-x-auto px-4">
            <ul class="flex gap-2">
                {dates
                    .into_iter()
                    .map(|chip| {
                        let class = if chip.selected {
                            "flex w-16 flex-col items-center rounded-xl border-2 border-indigo-600 bg-indigo-600 py-2 text-white"
                        } else {
                            "flex w-16 flex-col items-center rounded-xl border-2 border-slate-200 bg-white py-2 text-slate-700 hover:border-indigo-400"
                        };
                        let weekday = if chip.today {
                            tr(lang, "date-today")
                        } else {
                            format::weekday(lang, chip.date)
                        };
                        let date = chip.date.format("%Y-%m-%d").to_string();
                        view! {
                            <li>
                                <a
                                    href=format!("/movies/{slug}?date={date}")
                                    class=class
                                    aria-current=chip.selected.then_some("date")
                                    data-date=date.clone()
                                >
                                    <span class="text-xs font-semibold uppercase">{weekday}</span>
                                    <span class="text-sm">{format::day_month(lang, chip.date)}</span>
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
    })
}

/// The chosen day's showtimes by theater. A day on the strip can run out of shows while the
/// page is open (its last one starts), which is not the same as a city without any.
#[component]
fn Showtimes(theaters: Vec<TheaterShowtimes>, any_day: bool) -> impl IntoView {
    if theaters.is_empty() {
        let (title, hint) = if any_day {
            ("movie-no-shows-left", "movie-no-shows-left-hint")
        } else {
            ("movie-no-shows", "movie-no-shows-hint")
        };
        return Either::Left(view! { <EmptyState title=t(title) hint=t(hint) /> });
    }
    Either::Right(view! {
        <ul class="flex flex-col gap-3">
            {theaters
                .into_iter()
                .map(|theater| {
                    view! {
                        <li class="rounded-2xl border border-slate-200 bg-white p-4" data-testid="theater-showtimes">
                            <h3 class="font-semibold">{theater.theater_name}</h3>
                            <ul class="mt-3 flex flex-wrap gap-2">
                                {theater.showtimes.into_iter().map(|s| view! { <ShowtimeChip showtime=s /> }).collect_view()}
                            </ul>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    })
}

/// A showtime; how full it is shows in the border colour and in words, never colour alone.
#[component]
pub fn ShowtimeChip(showtime: Showtime) -> impl IntoView {
    let (border, note) = match showtime.availability {
        Availability::SoldOut => (
            "border-slate-300 text-slate-400 line-through",
            "showtime-sold-out",
        ),
        Availability::AlmostFull => ("border-red-400", "showtime-almost-full"),
        Availability::FillingFast => ("border-amber-400", "showtime-filling-fast"),
        Availability::Available => ("border-emerald-400", "showtime-available"),
    };
    let (note, time) = (t(note), format::time(use_lang(), showtime.starts.time()));
    let label = t_with(
        "showtime-label",
        &[
            ("time", Arg::Text(&time)),
            ("format", Arg::Text(&showtime.format)),
            ("language", Arg::Text(&showtime.language)),
            ("price", Arg::Text(&showtime.price_from)),
            ("note", Arg::Text(&note)),
        ],
    );
    let from = t_with(
        "showtime-from",
        &[("price", Arg::Text(&showtime.price_from))],
    );
    view! {
        <li>
            <a
                href=format!("/shows/{}", showtime.id)
                class=format!("flex flex-col rounded-lg border-2 px-3 py-1.5 text-center hover:bg-indigo-50 focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600 {border}")
                data-show=showtime.id.to_string()
                aria-label=label
            >
                <span class="font-semibold">{time}</span>
                <span class="text-xs text-slate-500">{format!("{} · {}", showtime.format, showtime.language)}</span>
                <span class="text-xs text-slate-500">{format!("{from} · {note}")}</span>
            </a>
        </li>
    }
}

#[component]
fn Reviews(reviews: Vec<ReviewCard>) -> impl IntoView {
    let list = if reviews.is_empty() {
        Either::Left(
            view! { <EmptyState title=t("movie-no-reviews") hint=t("movie-no-reviews-hint") /> },
        )
    } else {
        Either::Right(view! {
            <ul class="flex flex-col gap-3">
                {reviews
                    .into_iter()
                    .map(|review| {
                        view! {
                            <li class="rounded-2xl border border-slate-200 bg-white p-4">
                                <p class="flex items-center gap-2 font-semibold">
                                    <span>{review.author}</span>
                                    <span class="text-amber-700">{format!("★ {}/10", review.rating)}</span>
                                    {review.verified.then(|| view! {
                                        <span class="rounded-full bg-emerald-100 px-2 py-0.5 text-xs text-emerald-800">{t("movie-review-verified")}</span>
                                    })}
                                </p>
                                <p class="mt-1 text-slate-700">{review.body}</p>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        })
    };
    view! {
        <section aria-labelledby="reviews" class="flex flex-col gap-4">
            <h2 id="reviews" class="text-xl font-bold">{t("movie-reviews")}</h2>
            {list}
        </section>
    }
}
