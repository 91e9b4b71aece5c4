//! Loading, empty and error states, so every list and page says what is going on.

use leptos::prelude::*;

#[component]
pub fn Loading(#[prop(into)] label: String) -> impl IntoView {
    view! {
        <p role="status" aria-live="polite" class="animate-pulse py-10 text-center text-slate-500">
            {label}
        </p>
    }
}

#[component]
pub fn EmptyState(#[prop(into)] title: String, #[prop(into)] hint: String) -> impl IntoView {
    view! {
        <div class="rounded-2xl border border-dashed border-slate-300 bg-white px-6 py-12 text-center">
            <p class="text-lg font-semibold text-slate-800">{title}</p>
            <p class="mt-1 text-slate-500">{hint}</p>
        </div>
    }
}

#[component]
pub fn ErrorState(#[prop(into)] message: String) -> impl IntoView {
    view! {
        <div role="alert" class="rounded-2xl border border-red-200 bg-red-50 px-6 py-8 text-center">
            <p class="font-semibold text-red-800">{crate::i18n::t("error-heading")}</p>
            <p class="mt-1 text-red-700">{message}</p>
        </div>
    }
}
