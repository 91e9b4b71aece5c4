use crate::i18n::t;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text=t("not-found-title") />
        <section class="py-16 text-center">
            <h1 class="text-2xl font-bold">{t("not-found-heading")}</h1>
            <p class="mt-2 text-slate-600">{t("not-found-text")}</p>
            <a href="/" class="mt-6 inline-block font-semibold text-indigo-700 underline">
                {t("not-found-browse")}
            </a>
        </section>
    }
}
