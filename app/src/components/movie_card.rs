use crate::catalog::MovieCard;
use crate::i18n::{format, t, t_with, use_lang, Arg};
use leptos::prelude::*;

/// A movie's poster, title and facts, linking to its page. `first` marks a card at the top of
/// the page, whose poster is likely the largest thing a phone paints first: it loads at once
/// and ahead of other images, where the rest wait until they are scrolled near.
#[component]
pub fn MovieCardView(movie: MovieCard, #[prop(optional)] first: bool) -> impl IntoView {
    let runtime = format::runtime(use_lang(), movie.runtime_minutes);
    let poster = movie.poster_url.clone().unwrap_or_default();
    let alt = t_with("movie-poster", &[("title", Arg::Text(&movie.title))]);
    view! {
        <li>
            <a
                href=format!("/movies/{}", movie.slug)
                class="block h-full rounded-xl focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-4 focus-visible:outline-indigo-600"
            >
            <article class="flex h-full flex-col gap-2" data-movie=movie.slug.clone()>
                <img
                    src=poster
                    alt=alt
                    width="300"
                    height="450"
                    loading=if first { "eager" } else { "lazy" }
                    fetchpriority=if first { "high" } else { "auto" }
                    class="aspect-[2/3] w-full rounded-xl bg-slate-200 object-cover shadow-sm"
                />
                <h3 class="font-semibold leading-tight text-slate-900">{movie.title.clone()}</h3>
                <p class="flex flex-wrap items-center gap-x-2 gap-y-1 text-sm text-slate-600">
                    <span
                        class="rounded border border-slate-400 px-1.5 text-xs font-semibold"
                        title=t("movie-certificate")
                    >
                        {movie.certificate.clone()}
                    </span>
                    <span>{runtime}</span>
                    <span>{movie.languages.join(", ")}</span>
                </p>
                <p class="text-xs text-slate-500">{movie.genres.join(" · ")}</p>
            </article>
            </a>
        </li>
    }
}
