//! Form building blocks: labelled fields with their error next to them, a submit button that
//! shows progress, and a banner for errors that belong to no single field.

use crate::{
    account::AccountError,
    dashboard::DashboardError,
    i18n::{use_lang, Text},
};
use leptos::prelude::*;

/// An error that may be about single fields of a form.
pub trait FieldMessages: Clone + Send + Sync + 'static {
    fn field_message(&self, field: &str) -> Option<Text>;
}

impl FieldMessages for AccountError {
    fn field_message(&self, field: &str) -> Option<Text> {
        AccountError::field_message(self, field)
    }
}

impl FieldMessages for DashboardError {
    fn field_message(&self, field: &str) -> Option<Text> {
        DashboardError::field_message(self, field)
    }
}

/// The message for one field out of an action's latest error, in the page's language.
pub fn field_error<E: FieldMessages>(
    error: Signal<Option<E>>,
    field: &'static str,
) -> Signal<Option<String>> {
    let lang = use_lang();
    Signal::derive(move || {
        error
            .get()
            .and_then(|e| e.field_message(field))
            .map(|text| text.in_lang(lang))
    })
}

#[component]
pub fn Field(
    #[prop(into)] label: String,
    name: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: &'static str,
    #[prop(into, optional)] value: Option<String>,
    #[prop(optional)] required: bool,
    #[prop(into, optional)] hint: Option<String>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let note_id = format!("{id}-note");
    view! {
        <div class="flex flex-col gap-1">
            <label for=id.clone() class="text-sm font-medium text-slate-700">
                {label}
            </label>
            <input
                id=id
                name=name
                type=kind
                autocomplete=autocomplete
                value=value
                required=required
                aria-invalid=move || error.get().is_some().to_string()
                aria-describedby=note_id.clone()
                class="rounded-lg border border-slate-300 bg-white px-3 py-2 text-base shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500 aria-[invalid=true]:border-red-500"
            />
            <p id=note_id class="text-sm">
                <span class="text-red-700">{move || error.get()}</span>
                <span class="text-slate-500">{move || error.get().is_none().then(|| hint.clone())}</span>
            </p>
        </div>
    }
}

/// Errors that are not about one field (wrong password, expired link, too many attempts).
#[component]
pub fn FormError(error: Signal<Option<AccountError>>) -> impl IntoView {
    let lang = use_lang();
    let message = move || {
        error
            .get()
            .filter(|e| !matches!(e, AccountError::Invalid(_)))
            .map(|e| crate::i18n::Explained::text(&e).in_lang(lang))
    };
    view! {
        <Show when=move || message().is_some()>
            <p role="alert" class="rounded-lg border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
                {message}
            </p>
        </Show>
    }
}

#[component]
pub fn SubmitButton(
    #[prop(into)] label: String,
    #[prop(into)] pending: Signal<bool>,
) -> impl IntoView {
    let wait = crate::i18n::t("form-wait");
    view! {
        <button
            type="submit"
            disabled=move || pending.get()
            class="rounded-lg bg-indigo-600 px-4 py-2.5 font-semibold text-white hover:bg-indigo-700 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 disabled:opacity-60"
        >
            {move || if pending.get() { wait.clone() } else { label.clone() }}
        </button>
    }
}

/// A success or information message.
#[component]
pub fn Notice(children: Children) -> impl IntoView {
    view! {
        <p role="status" class="rounded-lg border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
            {children()}
        </p>
    }
}

/// The narrow card sign-in and sign-up forms sit in.
#[component]
pub fn FormCard(#[prop(into)] title: String, children: Children) -> impl IntoView {
    view! {
        <section class="mx-auto w-full max-w-md rounded-2xl border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
            <h1 class="mb-6 text-2xl font-bold tracking-tight">{title}</h1>
            <div class="flex flex-col gap-4">{children()}</div>
        </section>
    }
}
