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
use leptos::prelude::*;

const DAYS: [(&str, &str); 7] = [
    ("mon", "Mon"),
    ("tue", "Tue"),
    ("wed", "Wed"),
    ("thu", "Thu"),
    ("fri", "Fri"),
    ("sat", "Sat"),
    ("sun", "Sun"),
];

#[component]
pub fn SchedulePage() -> impl IntoView {
    let id = path_id();
    let screen = query("screen_id");
    let data = Resource::new(
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
            None => view! { <EmptyState title="No screens yet" hint="Add a screen and draw its seats first." /> }.into_any(),
            Some(screen) => {
                let error = action_error(action);
                view! {
                    <ActionForm action attr:class=format!("{CARD} flex flex-col gap-4") attr:data-testid="schedule-form">
                        <input type="hidden" name="screen_id" value=screen.id.to_string() />
                        <Problem error />
                        <label class=LABEL>
                            "Movie"
                            <select name="movie_id" required class=INPUT>
                                {movies.into_iter().map(|m| view! {
                                    <option value=m.id.to_string()>{format!("{} ({} min; {})", m.title, m.runtime_minutes, m.languages.join(", "))}</option>
                                }).collect_view()}
                            </select>
                        </label>
                        <div class="grid gap-4 sm:grid-cols-2">
                            <label class=LABEL>
                                "Language"
                                <input name="language" required placeholder="One of the movie's languages" list="languages" class=INPUT />
                                <datalist id="languages">
                                    {languages.iter().map(|l| view! { <option value=l.clone()></option> }).collect_view()}
                                </datalist>
                                <span class="text-red-700">{field_error(error, "language")}</span>
                            </label>
                            <label class=LABEL>
                                "Format"
                                <select name="format" class=INPUT>
                                    {screen.formats.iter().map(|f| view! { <option>{f.clone()}</option> }).collect_view()}
                                </select>
                            </label>
                        </div>
                        <fieldset class="flex flex-col gap-2">
                            <legend class="text-sm font-medium text-slate-700">"Price per seat, in rupees"</legend>
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
                                "From"
                                <input type="date" name="from" required class=INPUT />
                            </label>
                            <label class=LABEL>
                                "To (leave empty for one day)"
                                <input type="date" name="to" class=INPUT />
                                <span class="text-red-700">{field_error(error, "to")}</span>
                            </label>
                            <label class=LABEL>
                                "Times (24-hour, comma separated)"
                                <input name="times" required placeholder="10:00, 14:30, 19:45" class=INPUT />
                                <span class="text-red-700">{field_error(error, "times")}</span>
                            </label>
                        </div>
                        <fieldset>
                            <legend class="text-sm font-medium text-slate-700">"On these days (none ticked: every day)"</legend>
                            <div class="mt-1 flex flex-wrap gap-2">
                                {DAYS.iter().enumerate().map(|(i, (value, name))| view! {
                                    <label class="flex items-center gap-1.5 rounded-lg border border-slate-300 px-2 py-1 text-sm">
                                        <input type="checkbox" name=format!("days[{i}]") value=*value />
                                        {*name}
                                    </label>
                                }).collect_view()}
                            </div>
                        </fieldset>
                        <button type="submit" class=BUTTON disabled=move || action.pending().get()>"Put on sale"</button>
                        <Outcome action theater=theater.id />
                    </ActionForm>
                }.into_any()
            }
        };
        view! {
            <TheaterTabs theater current="Schedule" />
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
        <nav aria-label="Screens" class="flex flex-wrap gap-2">
            {screens.iter().map(|s| {
                let here = Some(s.id) == current;
                view! {
                    <a href=format!("?screen_id={}", s.id) aria-current=here.then_some("page")
                        class=format!("{QUIET} aria-[current=page]:border-indigo-600 aria-[current=page]:text-indigo-700")>
                        {format!("{} ({} seats)", s.name, s.seats)}
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
                    <p class="font-semibold">{format!("{created} shows put on sale, {} dates skipped.", skipped.len())}</p>
                    <ul class="list-disc pl-5">
                        {skipped.into_iter().map(|s| {
                            let why = if s.reason == "overlap" { "the screen has a show then (cleaning time included)" } else { "that time has passed" };
                            view! {
                                <li>
                                    {format!("{} {}: {why}", s.date, s.time)}
                                    {s.conflicting_show_id.map(|id| view! { " (" <a href=format!("/shows/{id}") class="underline">"the show in the way"</a> ")" })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    <a href=format!("/dashboard/theaters/{theater}?date={first}") class="font-semibold underline">"See the shows"</a>
                </div>
            }
        })
    }
}
