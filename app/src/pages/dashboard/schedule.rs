//! Putting a movie on a screen: one show, or the same show on chosen weekdays at chosen times
//! over a range of dates. Dates that cannot take it are listed with the reason.

use super::{
    action_error, path_id, query, staff_page, Problem, TheaterTabs, BUTTON, CARD, INPUT, LABEL,
    QUIET,
};
use crate::components::{form::field_error, status::EmptyState};
use crate::dashboard::{
    functions::{schedule_form, ScheduleOptions, ScheduleShows},
    layout::ScreenSummary,
    Scheduled,
};
use crate::i18n::{t, t_with, Arg};
use crate::pages::data::resource;
use leptos::prelude::*;

/// The form's word for each weekday, Monday first (the catalogue's `weekday-1` ...).
const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

#[component]
pub fn SchedulePage() -> impl IntoView {
    let id = path_id();
    let screen = query("screen_id");
    let data = resource(
        move || (id(), screen()),
        |(id, screen)| schedule_form(id.unwrap_or_default(), screen.and_then(|s| s.parse().ok())),
    );
    let action = ServerAction::<ScheduleShows>::new();
    staff_page(data, move |form: ScheduleOptions| {
        let ScheduleOptions {
            theater,
            screens,
            screen,
            categories,
            movies,
        } = form;
        let picker = screen_picker(&screens, screen.as_ref());
        let languages: std::collections::BTreeSet<String> = movies
            .iter()
            .flat_map(|m| m.languages.iter().cloned())
            .collect();
        let body = match screen {
            None => {
                view! { <EmptyState title=t("dash-no-screens") hint=t("dash-no-screens-hint") /> }
                    .into_any()
            }
            Some(screen) => {
                let error = action_error(action);
                view! {
                    <ActionForm action attr:class=format!("{CARD} flex flex-col gap-4") attr:data-testid="schedule-form">
                        <input type="hidden" name="screen_id" value=screen.id.to_string() />
                        <Problem error />
                        <label class=LABEL>
                            {t("dash-movie")}
                            <select name="movie_id" required class=INPUT>
                                {movies.into_iter().map(|m| view! {
                                    <option value=m.id.to_string()>{t_with("dash-movie-option", &[("title", Arg::Text(&m.title)), ("minutes", Arg::Number(m.runtime_minutes.into())), ("languages", Arg::Text(&m.languages.join(", ")))])}</option>
                                }).collect_view()}
                            </select>
                        </label>
                        <div class="grid gap-4 sm:grid-cols-2">
                            <label class=LABEL>
                                {t("dash-language")}
                                <input name="language" required placeholder=t("dash-language-hint") list="languages" class=INPUT />
                                <datalist id="languages">
                                    {languages.iter().map(|l| view! { <option value=l.clone()></option> }).collect_view()}
                                </datalist>
                                <span class="text-red-700">{field_error(error, "language")}</span>
                            </label>
                            <label class=LABEL>
                                {t("dash-format")}
                                <select name="format" class=INPUT>
                                    {screen.formats.iter().map(|f| view! { <option>{f.clone()}</option> }).collect_view()}
                                </select>
                            </label>
                        </div>
                        <fieldset class="flex flex-col gap-2">
                            <legend class="text-sm font-medium text-slate-700">{t("dash-price-per-seat")}</legend>
                            <div class="grid gap-3 sm:grid-cols-3">
                                {categories.into_iter().map(|c| view! {
                                    <label class=LABEL>
                                        {c.clone()}
                                        <input name=format!("prices[{c}]") inputmode="decimal" required placeholder="250" class=INPUT />
                                    </label>
                                }).collect_view()}
                            </div>
                        </fieldset>
                        <div class="grid gap-4 sm:grid-cols-3">
                            <label class=LABEL>
                                {t("dash-from")}
                                <input type="date" name="from" required class=INPUT />
                            </label>
                            <label class=LABEL>
                                {t("dash-to-optional")}
                                <input type="date" name="to" class=INPUT />
                                <span class="text-red-700">{field_error(error, "to")}</span>
                            </label>
                            <label class=LABEL>
                                {t("dash-times")}
                                <input name="times" required placeholder="10:00, 14:30, 19:45" class=INPUT />
                                <span class="text-red-700">{field_error(error, "times")}</span>
                            </label>
                        </div>
                        <fieldset>
                            <legend class="text-sm font-medium text-slate-700">{t("dash-days")}</legend>
                            <div class="mt-1 flex flex-wrap gap-2">
                                {DAYS.iter().enumerate().map(|(i, value)| view! {
                                    <label class="flex items-center gap-1.5 rounded-lg border border-slate-300 px-2 py-1 text-sm">
                                        <input type="checkbox" name=format!("days[{i}]") value=*value />
                                        {t(&format!("weekday-{}", i + 1))}
                                    </label>
                                }).collect_view()}
                            </div>
                        </fieldset>
                        <button type="submit" class=BUTTON disabled=move || action.pending().get()>{t("dash-put-on-sale")}</button>
                        <Outcome action theater=theater.id />
                    </ActionForm>
                }.into_any()
            }
        };
        view! {
            <TheaterTabs theater current="dash-tab-schedule" />
            <section class="flex flex-col gap-4">
                {picker}
                {body}
            </section>
        }
    })
}

/// Links to each screen's form: its formats and categories differ.
fn screen_picker(screens: &[ScreenSummary], current: Option<&ScreenSummary>) -> impl IntoView {
    let current = current.map(|s| s.id);
    view! {
        <nav aria-label=t("dash-tab-screens") class="flex flex-wrap gap-2">
            {screens.iter().map(|s| {
                let here = Some(s.id) == current;
                view! {
                    <a href=format!("?screen_id={}", s.id) aria-current=here.then_some("page")
                        class=format!("{QUIET} aria-[current=page]:border-indigo-600 aria-[current=page]:text-indigo-700")>
                        {t_with("dash-screen-seats", &[("name", Arg::Text(&s.name)), ("seats", Arg::Number(s.seats))])}
                    </a>
                }
            }).collect_view()}
        </nav>
    }
}

/// What the last submission put on sale and what it skipped: the action's answer once the
/// wasm runs, the page's `outcome` after a plain form post.
#[component]
fn Outcome(action: ServerAction<ScheduleShows>, theater: uuid::Uuid) -> impl IntoView {
    let from_address = query("outcome");
    move || {
        let outcome = match action.value().get() {
            Some(Ok(done)) => Scheduled::from_summary(&done.summary()),
            Some(Err(_)) => None,
            None => from_address().and_then(|text| Scheduled::from_summary(&text)),
        };
        outcome.map(|(created, first, skipped)| {
            view! {
                <div role="status" class="rounded-lg border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900" data-testid="schedule-outcome">
                    <p class="font-semibold">{t_with("dash-scheduled", &[("created", Arg::Number(created as i64)), ("skipped", Arg::Number(skipped.len() as i64))])}</p>
                    <ul class="list-disc pl-5">
                        {skipped.into_iter().map(|s| {
                            let why = t(if s.reason == "overlap" { "dash-skip-overlap" } else { "dash-skip-past" });
                            view! {
                                <li>
                                    {format!("{} {}: {why}", s.date, s.time)}
                                    {s.conflicting_show_id.map(|id| view! { " (" <a href=format!("/shows/{id}") class="underline">{t("dash-show-in-way")}</a> ")" })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    <a href=format!("/dashboard/theaters/{theater}?date={first}") class="font-semibold underline">{t("dash-see-shows")}</a>
                </div>
            }
        })
    }
}
