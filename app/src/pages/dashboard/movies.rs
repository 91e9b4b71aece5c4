//! Movies as platform admins keep them: the list, and one form to add or edit a movie with its
//! poster. The form is a plain multipart post (a file goes with it), answered by the server
//! with the movie's page, or back here with what was wrong.

use super::{path_id, query, staff_page, BUTTON, CARD, INPUT, LABEL, QUIET};
use crate::components::{form::Notice, status::ErrorState};
use crate::dashboard::{
    functions::{front_desk, movie_list, movie_to_edit},
    MovieEdit, CERTIFICATES,
};
use crate::i18n::{t, t_with, Arg};
use crate::pages::data::resource;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn MoviesPage() -> impl IntoView {
    let data = resource(|| (), |_| movie_list());
    view! {
        <Title text=t("dash-movies-title") />
        <p class="text-sm text-slate-600"><a href="/dashboard/platform" class="underline">{t("dash-platform")}</a></p>
        <header class="mb-4 flex flex-wrap items-center justify-between gap-2">
            <h1 class="text-2xl font-bold tracking-tight">{t("dash-movies")}</h1>
            <a href="/dashboard/movies/new" class=BUTTON>{t("dash-add-movie")}</a>
        </header>
        {staff_page(data, |movies| view! {
            <ul class="flex flex-col gap-1" data-testid="movies">
                {movies.into_iter().map(|m| view! {
                    <li><a href=format!("/dashboard/movies/{}", m.id) class="text-indigo-700 underline">{m.title}</a></li>
                }).collect_view()}
            </ul>
        })}
    }
}

#[component]
pub fn NewMoviePage() -> impl IntoView {
    let data = resource(|| (), |_| front_desk());
    view! {
        <Title text=t("dash-add-movie-title") />
        {staff_page(data, |desk| match desk.platform_admin {
            true => view! { <MovieForm action="/dashboard/movies/form".into() edit=None /> }.into_any(),
            false => view! { <ErrorState message=t("dash-only-platform-movies") /> }.into_any(),
        })}
    }
}

#[component]
pub fn EditMoviePage() -> impl IntoView {
    let id = path_id();
    let data = resource(id, |id| movie_to_edit(id.unwrap_or_default()));
    staff_page(data, |edit: MovieEdit| {
        view! {
            <Title text=t_with("dash-page-title", &[("page", Arg::Text(&edit.movie.title))]) />
            <MovieForm action=format!("/dashboard/movies/{}/form", edit.id) edit=Some(edit) />
        }
    })
}

#[component]
fn MovieForm(action: String, edit: Option<MovieEdit>) -> impl IntoView {
    let problem = query("problem");
    let saved = query("saved");
    let public = edit.as_ref().map(|e| format!("/movies/{}", e.slug));
    let poster = edit.as_ref().and_then(|e| e.poster_url.clone());
    // A new movie's date is left to the admin (the browser has no clock to read here).
    let release = edit.as_ref().map(|e| e.movie.release_date.to_string());
    let m = edit.map(|e| e.movie).unwrap_or_default();
    let certificate = m.certificate.clone();
    view! {
        <form method="post" enctype="multipart/form-data" action=action class=format!("{CARD} flex flex-col gap-3") data-testid="movie-form">
            <h1 class="text-2xl font-bold tracking-tight">{if public.is_some() { t("dash-edit-movie") } else { t("dash-add-movie") }}</h1>
            {move || problem().map(|p| view! { <p role="alert" class="rounded-lg border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">{p}</p> })}
            {move || saved().map(|_| view! { <Notice>{t("dash-saved")}</Notice> })}
            {public.map(|href| view! { <a href=href class="text-sm text-indigo-700 underline">{t("dash-movie-page")}</a> })}
            <label class=LABEL>{t("dash-movie-title")}<input name="title" required value=m.title class=INPUT /></label>
            <label class=LABEL>{t("dash-synopsis")}<textarea name="synopsis" rows="3" class=INPUT>{m.synopsis}</textarea></label>
            <div class="grid grid-cols-2 gap-3">
                <label class=LABEL>{t("dash-runtime")}<input name="runtime_minutes" type="number" min="1" max="600" required value=(m.runtime_minutes > 0).then_some(m.runtime_minutes) class=INPUT /></label>
                <label class=LABEL>{t("dash-release")}<input name="release_date" type="date" required value=release class=INPUT /></label>
            </div>
            <label class=LABEL>{t("dash-languages")}<input name="languages" required value=m.languages.join(", ") class=INPUT /></label>
            <label class=LABEL>{t("dash-genres")}<input name="genres" value=m.genres.join(", ") class=INPUT /></label>
            <label class=LABEL>
                {t("dash-certificate")}
                <select name="certificate" class=INPUT>
                    {CERTIFICATES.map(|c| view! { <option selected=c == certificate>{c}</option> }).collect_view()}
                </select>
            </label>
            <label class=LABEL>{t("dash-trailer")}<input name="trailer_url" type="url" value=m.trailer_url class=INPUT /></label>
            {poster.map(|src| view! { <img src=src alt=t("dash-poster-now") class="h-40 w-28 rounded object-cover" /> })}
            <label class=LABEL>{t("dash-poster")}<input name="poster" type="file" accept="image/png,image/jpeg,image/webp" class=INPUT /></label>
            <div class="flex gap-2">
                <button type="submit" class=BUTTON>{t("dash-save-movie")}</button>
                <a href="/dashboard/movies" class=QUIET>{t("dash-all-movies")}</a>
            </div>
        </form>
    }
}
