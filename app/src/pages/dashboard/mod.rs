//! The theater dashboard: a theater's day of shows, scheduling, screens and their layout
//! editor, bookings, reports and the audit log; cities and theater admins for platform admins.
//! Every page is plain HTML forms first (each works before the wasm loads) and narrow enough
//! for a phone.

mod bookings;
mod editor;
mod food;
mod movies;
mod offers;
mod platform;
mod reports;
mod schedule;
mod screens;
mod shows;
mod waitlist;

pub use bookings::DashboardBookingsPage;
pub use food::{ShowFoodPage, TheaterMenuPage};
pub use movies::{EditMoviePage, MoviesPage, NewMoviePage};
pub use offers::OffersPage;
pub use platform::{PlatformPage, TheaterAdminsPage};
pub use reports::{AuditPage, ReportsPage};
pub use schedule::SchedulePage;
pub use screens::{LayoutEditorPage, NewScreenPage, ScreensPage};
pub use shows::TheaterDayPage;
pub use waitlist::ShowWaitlistPage;

use crate::account::ManagedTheater;
use crate::components::status::{EmptyState, ErrorState, Loading};
use crate::dashboard::{functions::front_desk, DashboardError};
use crate::i18n::{t, t_err, t_with, Arg};
use crate::pages::data::{resource, Data};
use leptos::{either::EitherOf4, prelude::*};
use leptos_meta::Title;
use leptos_router::{
    components::Redirect,
    hooks::{use_location, use_params_map, use_query_map},
};
use uuid::Uuid;

pub(crate) const BUTTON: &str = "rounded-lg bg-indigo-600 px-3 py-2 text-sm font-semibold text-white hover:bg-indigo-700 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 disabled:opacity-60";
pub(crate) const QUIET: &str = "rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm font-semibold text-slate-800 hover:bg-slate-50 focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600";
pub(crate) const INPUT: &str = "w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-base shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500";
pub(crate) const LABEL: &str = "flex flex-col gap-1 text-sm font-medium text-slate-700";
pub(crate) const CARD: &str = "rounded-2xl border border-slate-200 bg-white p-4 shadow-sm sm:p-5";

/// A dashboard page whose data is one read: the page once read, the sign-in page for
/// visitors, the error (403, 404, ...) otherwise.
pub(crate) fn staff_page<T, V>(
    data: Data<Result<T, DashboardError>>,
    page: impl Fn(T) -> V + Copy + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    V: IntoView + Send + 'static,
{
    let here = here();
    let content = move || {
        Suspend::new(async move {
            match data.await {
                Ok(found) => EitherOf4::A(page(found)),
                Err(DashboardError::Unauthenticated) => {
                    let next = crate::words::percent_encode(&here.get());
                    EitherOf4::B(view! { <Redirect path=format!("/login?next={next}") /> })
                }
                // A page asked with values it cannot take says which (a report's span, ...).
                Err(err @ DashboardError::Invalid(_)) => {
                    let error = Signal::derive(move || Some(err.clone()));
                    EitherOf4::C(view! { <Problem error /> })
                }
                Err(err) => EitherOf4::D(view! { <ErrorState message=t_err(&err) /> }),
            }
        })
    };
    let loading = t("dash-loading");
    view! { <Transition fallback=move || view! { <Loading label=loading.clone() /> }>{content}</Transition> }
}

/// This page's path and query, to come back to after a form.
pub(crate) fn here() -> Signal<String> {
    let location = use_location();
    Signal::derive(move || {
        let search = location.search.get();
        let search = search.trim_start_matches('?');
        match search.is_empty() {
            true => location.pathname.get(),
            false => format!("{}?{search}", location.pathname.get()),
        }
    })
}

/// The `id` of the page's path.
pub(crate) fn path_id() -> impl Fn() -> Option<Uuid> + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || params.read().get("id").and_then(|id| id.parse().ok())
}

/// One value of the page's query string.
pub(crate) fn query(
    name: &'static str,
) -> impl Fn() -> Option<String> + Copy + Send + Sync + 'static {
    let query = use_query_map();
    move || query.read().get(name).filter(|v| !v.is_empty())
}

/// What went wrong with a form: the message, each field's problem, the seats in use.
#[component]
pub(crate) fn Problem(error: Signal<Option<DashboardError>>) -> impl IntoView {
    let lang = crate::i18n::use_lang();
    move || {
        error.get().map(|err| {
            let fields = match &err {
                DashboardError::Invalid(fields) => fields
                    .iter()
                    .map(|(field, message)| view! { <li><code>{field.clone()}</code>": "{message.in_lang(lang)}</li> })
                    .collect_view()
                    .into_any(),
                _ => ().into_any(),
            };
            view! {
                <div role="alert" class="rounded-lg border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800" data-testid="problem">
                    <p class="font-semibold">{t_err(&err)}</p>
                    <ul class="mt-1 list-disc pl-5">{fields}</ul>
                </div>
            }
        })
    }
}

/// The latest error of an action.
pub(crate) fn action_error<S>(action: ServerAction<S>) -> Signal<Option<DashboardError>>
where
    S: server_fn::ServerFn<Error = DashboardError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Signal::derive(move || action.value().get().and_then(Result::err))
}

/// A theater's name and the dashboard's sections for it; `current` is the section's message.
#[component]
pub(crate) fn TheaterTabs(theater: ManagedTheater, current: &'static str) -> impl IntoView {
    let base = format!("/dashboard/theaters/{}", theater.id);
    let tabs = [
        ("dash-tab-shows", ""),
        ("dash-tab-schedule", "/schedule"),
        ("dash-tab-screens", "/screens"),
        ("dash-tab-menu", "/menu"),
        ("dash-tab-reports", "/reports"),
        ("dash-tab-audit", "/audit"),
    ];
    let title = t_with(
        "dash-title-theater",
        &[
            ("section", Arg::Text(&t(current))),
            ("theater", Arg::Text(&theater.name)),
        ],
    );
    view! {
        <Title text=title />
        <header class="mb-4 flex flex-col gap-2">
            <p class="flex justify-between gap-2 text-sm text-slate-600">
                <span><a href="/dashboard" class="underline">{t("dash-home")}</a>" / "{theater.city.clone()}</span>
                <a href="/dashboard/bookings" class="underline">{t("dash-find-booking")}</a>
            </p>
            <h1 class="text-2xl font-bold tracking-tight">{theater.name.clone()}</h1>
            <nav aria-label=t("dash-sections") class="-mx-1 flex gap-1 overflow-x-auto text-sm font-medium">
                {tabs
                    .into_iter()
                    .map(|(id, path)| {
                        let here = id == current;
                        let name = t(id);
                        view! {
                            <a
                                href=format!("{base}{path}")
                                aria-current=here.then_some("page")
                                class="whitespace-nowrap rounded-lg px-3 py-1.5 text-slate-700 hover:bg-slate-100 aria-[current=page]:bg-indigo-600 aria-[current=page]:text-white"
                            >
                                {name}
                            </a>
                        }
                    })
                    .collect_view()}
            </nav>
        </header>
    }
}

/// "4 screens".
fn screens(count: impl Into<i64>) -> String {
    t_with("dash-screens", &[("count", Arg::Number(count.into()))])
}

/// The dashboard's front page: the theaters the user runs.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let data = resource(|| (), |_| front_desk());
    view! {
        <Title text=t("dash-title") />
        {staff_page(data, |desk| view! {
            <section class="flex flex-col gap-4">
                <header class="flex flex-wrap items-end justify-between gap-2">
                    <h1 class="text-2xl font-bold tracking-tight">{t("dash-your-theaters")}</h1>
                    <nav class="flex gap-2">
                        <a href="/dashboard/bookings" class=QUIET>{t("dash-find-booking")}</a>
                        <a href="/dashboard/offers" class=QUIET>{t("dash-offers")}</a>
                        {desk.platform_admin.then(|| view! { <a href="/dashboard/platform" class=QUIET>{t("dash-platform")}</a> })}
                    </nav>
                </header>
                {if desk.theaters.is_empty() {
                    view! { <EmptyState title=t("dash-no-theaters") hint=t("dash-no-theaters-hint") /> }.into_any()
                } else {
                    view! {
                        <ul class="grid gap-3 sm:grid-cols-2" data-testid="my-theaters">
                            {desk.theaters.into_iter().map(|t| view! {
                                <li class=CARD>
                                    <a href=format!("/dashboard/theaters/{}", t.id) class="text-lg font-semibold text-indigo-700 underline-offset-2 hover:underline">{t.name.clone()}</a>
                                    <p class="text-sm text-slate-600">{format!("{} · {}", t.city, screens(t.screens))}</p>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </section>
        })}
    }
}
