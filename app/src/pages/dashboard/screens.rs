//! A theater's details and screens, adding a screen, and editing a screen's layout.

use super::editor::{LayoutEditor, LayoutPreview};
use super::{
    action_error, here, path_id, staff_page, Problem, TheaterTabs, BUTTON, CARD, INPUT, LABEL,
    QUIET,
};
use crate::components::form::Notice;
use crate::dashboard::{
    draft::Draft,
    functions::{
        open_layout, theater_screens, AddScreen, LayoutPage, SaveLayout, SaveScreen, SaveTheater,
        ScreenList,
    },
    layout::{ScreenSummary, FORMATS},
};
use crate::i18n::{t, t_with, Arg};
use crate::pages::data::resource;
use leptos::prelude::*;

#[component]
pub fn ScreensPage() -> impl IntoView {
    let id = path_id();
    let details = ServerAction::<SaveTheater>::new();
    let cleaning = ServerAction::<SaveScreen>::new();
    let data = resource(
        move || (id(), details.version().get(), cleaning.version().get()),
        |(id, ..)| theater_screens(id.unwrap_or_default()),
    );
    let here = here();
    staff_page(data, move |page: ScreenList| {
        let ScreenList {
            theater,
            screens,
            details: current,
        } = page;
        let theater_id = theater.id.to_string();
        let error = action_error(details);
        let cleaning_error = action_error(cleaning);
        view! {
            <TheaterTabs theater current="dash-tab-screens" />
            <section class="flex flex-col gap-4">
                <header class="flex flex-wrap items-center justify-between gap-2">
                    <h2 class="text-xl font-semibold">{t("dash-tab-screens")}</h2>
                    <a href=format!("/dashboard/theaters/{theater_id}/screens/new") class=BUTTON>{t("dash-add-screen")}</a>
                </header>
                <Problem error=cleaning_error />
                <ul class="grid gap-3 sm:grid-cols-2" data-testid="screens">
                    {screens.into_iter().map(|s| view! { <ScreenCard screen=s cleaning here /> }).collect_view()}
                </ul>
                <ActionForm action=details attr:class=format!("{CARD} flex flex-col gap-3")>
                    <h2 class="text-xl font-semibold">{t("dash-theater-details")}</h2>
                    <Problem error />
                    <Show when=move || details.value().get().is_some_and(|r| r.is_ok())>
                        <Notice>{t("dash-saved")}</Notice>
                    </Show>
                    <input type="hidden" name="theater_id" value=theater_id.clone() />
                    <label class=LABEL>{t("dash-name")}<input name="name" required value=current.name class=INPUT /></label>
                    <label class=LABEL>{t("dash-address")}<input name="address" required value=current.address class=INPUT /></label>
                    <div class="grid grid-cols-2 gap-3">
                        <label class=LABEL>{t("dash-latitude")}<input name="latitude" type="number" step="any" required value=current.latitude class=INPUT /></label>
                        <label class=LABEL>{t("dash-longitude")}<input name="longitude" type="number" step="any" required value=current.longitude class=INPUT /></label>
                    </div>
                    <label class=LABEL>{t("dash-amenities")}<input name="amenities" value=current.amenities.join(", ") class=INPUT /></label>
                    <button type="submit" class=BUTTON>{t("dash-save-details")}</button>
                </ActionForm>
            </section>
        }
    })
}

#[component]
fn ScreenCard(
    screen: ScreenSummary,
    cleaning: ServerAction<SaveScreen>,
    here: Signal<String>,
) -> impl IntoView {
    view! {
        <li class=format!("{CARD} flex flex-col gap-2") data-testid="screen">
            <p class="text-lg font-semibold">{screen.name.clone()}</p>
            <p class="text-sm text-slate-600">{format!("{} · {}", t_with("dash-seat-count", &[("count", Arg::Number(screen.seats))]), screen.formats.join(", "))}</p>
            <details class="text-sm">
                <summary class="cursor-pointer font-semibold text-slate-700">{t("dash-screen-settings")}</summary>
                <ActionForm action=cleaning attr:class="mt-2 flex flex-col gap-2">
                    <input type="hidden" name="screen_id" value=screen.id.to_string() />
                    <input type="hidden" name="next" value=here />
                    <label class=LABEL>{t("dash-name")}<input name="name" required value=screen.name.clone() class=INPUT /></label>
                    <label class=LABEL>
                        {t("dash-cleaning")}
                        <input type="number" name="cleaning_minutes" required min="0" max="120" value=screen.cleaning_minutes class=INPUT />
                    </label>
                    <div class="flex flex-wrap gap-2">
                        {FORMATS.iter().enumerate().map(|(i, f)| view! {
                            <label class="flex items-center gap-1.5 rounded-lg border border-slate-300 px-2 py-1">
                                <input type="checkbox" name=format!("formats[{i}]") value=*f checked=screen.formats.iter().any(|x| x == f) />{*f}
                            </label>
                        }).collect_view()}
                    </div>
                    <button type="submit" class=QUIET>{t("dash-save-screen")}</button>
                </ActionForm>
            </details>
            <a href=format!("/dashboard/screens/{}/layout", screen.id) class="font-semibold text-indigo-700 underline">{t("dash-edit-layout")}</a>
        </li>
    }
}

#[component]
pub fn NewScreenPage() -> impl IntoView {
    let id = path_id();
    let data = resource(id, |id| theater_screens(id.unwrap_or_default()));
    let action = ServerAction::<AddScreen>::new();
    let draft = RwSignal::new(Draft::new(8, 12, "Classic"));
    staff_page(data, move |page: ScreenList| {
        let error = action_error(action);
        let theater_id = page.theater.id.to_string();
        view! {
            <TheaterTabs theater=page.theater current="dash-tab-screens" />
            <ActionForm action attr:class=format!("{CARD} flex flex-col gap-4") attr:data-testid="new-screen-form">
                <h2 class="text-xl font-semibold">{t("dash-add-screen")}</h2>
                <Problem error />
                <input type="hidden" name="theater_id" value=theater_id />
                <div class="grid gap-3 sm:grid-cols-2">
                    <label class=LABEL>{t("dash-name")}<input name="name" required placeholder="Audi 4" class=INPUT /></label>
                    <label class=LABEL>{t("dash-cleaning")}<input type="number" name="cleaning_minutes" min="0" max="120" value="15" class=INPUT /></label>
                </div>
                <fieldset>
                    <legend class="text-sm font-medium text-slate-700">{t("dash-formats")}</legend>
                    <div class="mt-1 flex flex-wrap gap-2">
                        {FORMATS.iter().enumerate().map(|(i, f)| view! {
                            <label class="flex items-center gap-1.5 rounded-lg border border-slate-300 px-2 py-1 text-sm">
                                <input type="checkbox" name=format!("formats[{i}]") value=*f checked=*f == "2D" />{*f}
                            </label>
                        }).collect_view()}
                    </div>
                </fieldset>
                <LayoutEditor draft />
                <button type="submit" class=BUTTON>{t("dash-add-the-screen")}</button>
            </ActionForm>
            <div class=format!("{CARD} mt-4")><LayoutPreview draft /></div>
        }
    })
}

#[component]
pub fn LayoutEditorPage() -> impl IntoView {
    let id = path_id();
    let data = resource(id, |id| open_layout(id.unwrap_or_default()));
    let action = ServerAction::<SaveLayout>::new();
    staff_page(data, move |page: LayoutPage| {
        let LayoutPage {
            theater,
            screen,
            layout,
        } = page;
        let draft = RwSignal::new(Draft::from_layout(&layout));
        // Seats new in the saved layout now have ids: edit on from what was saved.
        Effect::new(move |_| {
            if let Some(Ok(saved)) = action.value().get() {
                draft.set(Draft::from_layout(&saved));
            }
        });
        let error = action_error(action);
        view! {
            <TheaterTabs theater current="dash-tab-screens" />
            <ActionForm action attr:class=format!("{CARD} flex flex-col gap-4") attr:data-testid="layout-form">
                <h2 class="text-xl font-semibold">{t_with("dash-layout-of", &[("screen", Arg::Text(&screen.name))])}</h2>
                <p class="text-sm text-slate-600">{t("dash-layout-note")}</p>
                <Problem error />
                <Show when=move || action.value().get().is_some_and(|r| r.is_ok())>
                    <Notice>{t("dash-layout-saved")}</Notice>
                </Show>
                <input type="hidden" name="screen_id" value=screen.id.to_string() />
                <LayoutEditor draft />
                <button type="submit" class=BUTTON>{t("dash-save-layout")}</button>
            </ActionForm>
            <div class=format!("{CARD} mt-4")><LayoutPreview draft /></div>
        }
    })
}
