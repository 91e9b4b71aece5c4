//! What platform admins run: cities, who runs each theater, hiding reviews, and the events the
//! outbox relay gave up on.

use super::{
    action_error, here, path_id, staff_page, Problem, TheaterTabs, BUTTON, CARD, INPUT, LABEL,
    QUIET,
};
use crate::dashboard::functions::{
    cities, dead_letters, front_desk, recent_reviews, theater_admins, AddCity, AssignAdmin,
    HideReview, RemoveAdmin, RetryEvent, TheaterStaff,
};
use crate::i18n::{t, t_with, Arg};
use crate::pages::data::resource;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn PlatformPage() -> impl IntoView {
    let add = ServerAction::<AddCity>::new();
    let hide = ServerAction::<HideReview>::new();
    let data = resource(move || add.version().get(), |_| cities());
    let theaters = resource(|| (), |_| front_desk());
    let reviews = resource(move || hide.version().get(), |_| recent_reviews());
    let retry = ServerAction::<RetryEvent>::new();
    let dead = resource(move || retry.version().get(), |_| dead_letters());
    let (add_error, hide_error) = (action_error(add), action_error(hide));
    let retry_error = action_error(retry);
    view! {
        <Title text=t("dash-platform-title") />
        <p class="text-sm text-slate-600"><a href="/dashboard" class="underline">{t("dash-home")}</a></p>
        <header class="mb-4 flex flex-wrap items-center justify-between gap-2">
            <h1 class="text-2xl font-bold tracking-tight">{t("dash-platform")}</h1>
            <a href="/dashboard/movies" class=QUIET>{t("dash-movies")}</a>
        </header>
        <div class="grid gap-4 lg:grid-cols-2">
            <section class=format!("{CARD} flex flex-col gap-3")>
                <h2 class="text-xl font-semibold">{t("dash-cities")}</h2>
                {staff_page(data, |list| view! {
                    <ul class="flex flex-col gap-1 text-sm" data-testid="cities">
                        {list.into_iter().map(|c| view! { <li>{format!("{}, {} · {}", c.name, c.state, c.time_zone)}</li> }).collect_view()}
                    </ul>
                })}
                <ActionForm action=add attr:class="flex flex-col gap-2">
                    <h3 class="font-semibold">{t("dash-add-city")}</h3>
                    <Problem error=add_error />
                    <div class="grid grid-cols-2 gap-2">
                        <label class=LABEL>{t("dash-name")}<input name="name" required class=INPUT /></label>
                        <label class=LABEL>{t("dash-state")}<input name="state" required class=INPUT /></label>
                        <label class=LABEL>{t("dash-latitude")}<input name="latitude" type="number" step="any" required class=INPUT /></label>
                        <label class=LABEL>{t("dash-longitude")}<input name="longitude" type="number" step="any" required class=INPUT /></label>
                    </div>
                    <label class=LABEL>{t("dash-time-zone")}<input name="time_zone" required value="Asia/Kolkata" class=INPUT /></label>
                    <button type="submit" class=BUTTON>{t("dash-add-city-button")}</button>
                </ActionForm>
            </section>
            <section class=format!("{CARD} flex flex-col gap-3")>
                <h2 class="text-xl font-semibold">{t("dash-newest-reviews")}</h2>
                <p class="text-sm text-slate-600">{t("dash-hide-note")}</p>
                <Problem error=hide_error />
                {staff_page(reviews, move |list| view! {
                    <ul class="flex flex-col gap-3 text-sm" data-testid="reviews">
                        {list.into_iter().map(|r| view! {
                            <li class="border-b border-slate-100 pb-2">
                                <p><b>{format!("{} · {}/10", r.movie_title, r.rating)}</b>" "{t_with("dash-by", &[("author", Arg::Text(&r.author))])}</p>
                                <p class="text-slate-700">{r.body.clone()}</p>
                                {match r.hidden_reason.clone() {
                                    Some(reason) => view! { <p class="text-amber-800">{t_with("dash-hidden", &[("reason", Arg::Text(&reason))])}</p> }.into_any(),
                                    None => view! {
                                        <ActionForm action=hide attr:class="mt-1 flex flex-wrap items-end gap-2">
                                            <input type="hidden" name="review_id" value=r.review_id.to_string() />
                                            <label class=format!("{LABEL} flex-1")>{t("dash-hide-reason")}<input name="reason" required class=INPUT /></label>
                                            <button type="submit" class=QUIET>{t("dash-hide")}</button>
                                        </ActionForm>
                                    }.into_any(),
                                }}
                            </li>
                        }).collect_view()}
                    </ul>
                })}
            </section>
            <section class=format!("{CARD} flex flex-col gap-3")>
                <h2 class="text-xl font-semibold">{t("dash-theater-admins")}</h2>
                {staff_page(theaters, |desk| view! {
                    <ul class="flex flex-col gap-1 text-sm" data-testid="platform-theaters">
                        {desk.theaters.into_iter().map(|t| view! {
                            <li><a href=format!("/dashboard/theaters/{}/admins", t.id) class="text-indigo-700 underline">{format!("{} · {}", t.name, t.city)}</a></li>
                        }).collect_view()}
                    </ul>
                })}
            </section>
            <section class=format!("{CARD} flex flex-col gap-3")>
                <h2 class="text-xl font-semibold">{t("dash-dead-letters")}</h2>
                <p class="text-sm text-slate-600">{t("dash-dead-note")}</p>
                <Problem error=retry_error />
                {staff_page(dead, move |list| match list.is_empty() {
                    true => view! { <p class="text-sm" data-testid="dead-letters">{t("dash-no-dead")}</p> }.into_any(),
                    false => view! {
                        <ul class="flex flex-col gap-3 text-sm" data-testid="dead-letters">
                            {list.into_iter().map(|d| view! {
                                <li class="flex flex-wrap items-start justify-between gap-2 border-b border-slate-100 pb-2">
                                    <div class="min-w-0 flex-1">
                                        <p><b>{format!("#{} {}", d.id, d.event_type)}</b>{format!(" · {}", t_with("dash-attempts", &[("count", Arg::Number(d.attempts.into()))]))}</p>
                                        <p class="break-words text-slate-700">{d.last_error.clone().unwrap_or_default()}</p>
                                    </div>
                                    <ActionForm action=retry>
                                        <input type="hidden" name="event_id" value=d.id.to_string() />
                                        <button type="submit" class=QUIET>{t("dash-send-again")}</button>
                                    </ActionForm>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                })}
            </section>
        </div>
    }
}

/// Who runs a theater: assign by email, remove.
#[component]
pub fn TheaterAdminsPage() -> impl IntoView {
    let id = path_id();
    let assign = ServerAction::<AssignAdmin>::new();
    let remove = ServerAction::<RemoveAdmin>::new();
    let data = resource(
        move || (id(), assign.version().get(), remove.version().get()),
        |(id, ..)| theater_admins(id.unwrap_or_default()),
    );
    let here = here();
    let error = Signal::derive(move || action_error(assign).get().or(action_error(remove).get()));
    staff_page(data, move |staff: TheaterStaff| {
        let TheaterStaff { theater, admins } = staff;
        let theater_id = theater.id.to_string();
        let assign_to = theater_id.clone();
        view! {
            <TheaterTabs theater current="dash-tab-admins" />
            <section class=format!("{CARD} flex flex-col gap-3")>
                <h2 class="text-xl font-semibold">{t("dash-who-runs")}</h2>
                <Problem error />
                <ul class="flex flex-col gap-2" data-testid="theater-admins">
                    {admins.into_iter().map(move |a| { let tid = theater_id.clone(); view! {
                        <li class="flex flex-wrap items-center justify-between gap-2 text-sm">
                            <span>{format!("{} <{}>", a.name, a.email)}</span>
                            <ActionForm action=remove>
                                <input type="hidden" name="theater_id" value=tid />
                                <input type="hidden" name="user_id" value=a.user_id.to_string() />
                                <input type="hidden" name="next" value=here />
                                <button type="submit" class=QUIET>{t("dash-remove-admin")}</button>
                            </ActionForm>
                        </li>
                    }}).collect_view()}
                </ul>
                <ActionForm action=assign attr:class="flex flex-wrap items-end gap-2">
                    <input type="hidden" name="theater_id" value=assign_to />
                    <label class=format!("{LABEL} flex-1")>{t("dash-account-email")}<input name="email" type="email" required class=INPUT /></label>
                    <button type="submit" class=BUTTON>{t("dash-make-admin")}</button>
                </ActionForm>
            </section>
        }
    })
}
