//! District's web UI, server functions and shared types. Behind the `ssr` feature it also holds
//! the domain services and their SQL, so the web UI and the REST API share one implementation:
//! `account`, `catalog`, `booking`, `offer`, `payment` and `dashboard` are the domains, each a handle holding only
//! what it uses; `breaker`, `cache`, `db`, `idempotency`, `notify`, `outbox` and `ratelimit` are what they
//! share.

#[macro_use]
pub mod words;
#[macro_use]
pub mod i18n;

pub mod account;
pub mod booking;
#[cfg(feature = "ssr")]
pub mod breaker;
#[cfg(feature = "ssr")]
pub mod cache;
pub mod catalog;
pub mod components;
pub mod dashboard;
#[cfg(feature = "ssr")]
pub mod db;
pub mod error;
pub mod food;
pub mod hydration;
#[cfg(feature = "ssr")]
pub mod idempotency;
pub mod ids;
pub mod money;
#[cfg(feature = "ssr")]
pub mod notify;
pub mod offer;
#[cfg(feature = "ssr")]
pub mod outbox;
pub mod pages;
pub mod payment;
#[cfg(feature = "ssr")]
pub mod ratelimit;
pub mod routes;

use components::layout::{SiteFooter, SiteHeader};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, Meta, MetaTags, Title};
use leptos_router::components::Router;
use routes::PageRoutes;

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = i18n::use_lang();
    view! {
        <!DOCTYPE html>
        <html lang=lang.as_str()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <AutoReload options=options.clone() />
                <hydration::Hydration options=options.clone() />
                <hydration::Stylesheet options />
                // Installable, and tickets kept for offline use (public/sw.js).
                <link rel="manifest" href="/manifest.webmanifest" />
                <link rel="apple-touch-icon" href="/icons/icon-192.png" />
                <script src="/offline.js" defer nonce=leptos::nonce::use_nonce()></script>
                <MetaTags />
            </head>
            <body class="bg-slate-50 text-slate-900 antialiased">
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    i18n::provide_lang();
    // Marks the page once the wasm has taken over, for people and tests alike.
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <Link rel="icon" type_="image/svg+xml" href="/favicon.svg" />
        <Meta name="theme-color" content="#4f46e5" />
        <Title text=i18n::t("site-name") />
        <Router>
            <div class="flex min-h-screen flex-col">
                <SiteHeader />
                <main id="main" class="mx-auto w-full max-w-6xl flex-1 px-4 py-6">
                    <PageRoutes />
                </main>
                <SiteFooter />
            </div>
        </Router>
    }
}
