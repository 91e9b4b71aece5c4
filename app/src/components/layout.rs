use crate::account::functions::current_user;
use crate::i18n::{t, tr, use_lang, Lang};
use crate::pages::data::resource;
use leptos::{either::Either, prelude::*};
use leptos_router::hooks::use_location;

const NAV_LINK: &str = "rounded px-1.5 py-1 hover:text-indigo-700 sm:px-2 focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600";

#[component]
pub fn SiteHeader() -> impl IntoView {
    view! {
        <a
            href="#main"
            class="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:rounded focus:bg-white focus:px-3 focus:py-2"
        >
            {t("skip-to-content")}
        </a>
        <header class="border-b border-slate-200 bg-white">
            <nav
                aria-label=t("nav-main")
                class="mx-auto flex max-w-6xl items-center justify-between gap-2 px-4 py-3"
            >
                <a
                    href="/"
                    aria-label=t("nav-home")
                    class="flex items-center gap-2 rounded text-xl font-extrabold tracking-tight text-indigo-700 focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600"
                >
                    <span
                        aria-hidden="true"
                        class="grid h-8 w-8 place-items-center rounded-lg bg-indigo-600 text-sm text-white"
                    >
                        "D"
                    </span>
                    <span class="hidden sm:inline">{t("site-name")}</span>
                </a>
                <ul class="flex flex-wrap items-center justify-end gap-1 text-sm font-medium text-slate-700 sm:gap-4">
                    <li>
                        <a href="/" class=NAV_LINK>
                            {t("nav-movies")}
                        </a>
                    </li>
                    <li>
                        <a href="/theaters" class=NAV_LINK>
                            {t("nav-theaters")}
                        </a>
                    </li>
                    <li>
                        <a href="/search" class=NAV_LINK>
                            {t("nav-search")}
                        </a>
                    </li>
                    <li>
                        <LanguageSwitch />
                    </li>
                    <li>
                        <UserMenu />
                    </li>
                </ul>
            </nav>
        </header>
    }
}

#[component]
pub fn SiteFooter() -> impl IntoView {
    view! {
        <footer class="border-t border-slate-200 bg-white">
            <div class="mx-auto flex max-w-6xl flex-col gap-1 px-4 py-6 text-sm text-slate-500 sm:flex-row sm:justify-between">
                <p>{t("footer-about")}</p>
                <p>{t("footer-prices")}</p>
            </div>
        </footer>
    }
}

/// "Sign in" for visitors, the user's first name (to their account) once signed in.
#[component]
fn UserMenu() -> impl IntoView {
    let location = use_location();
    let user = resource(
        move || (location.pathname.get(), location.search.get()),
        |_| current_user(),
    );
    let lang = use_lang();
    let sign_in = move || view! { <a href="/login" class=NAV_LINK>{tr(lang, "nav-sign-in")}</a> };
    let menu = move || {
        Suspend::new(async move {
            match user.await {
                Ok(Some(profile)) => {
                    let first = profile
                        .name
                        .split_whitespace()
                        .next()
                        .map(str::to_owned)
                        .unwrap_or_else(|| tr(lang, "nav-account"));
                    let staff = profile.role != crate::account::Role::Customer;
                    Either::Left(view! {
                        {staff.then(|| view! { <a href="/dashboard" class=NAV_LINK data-testid="dashboard-link">{tr(lang, "nav-dashboard")}</a> })}
                        // Staff on a phone reach their bookings from their account.
                        <a href="/bookings" class=format!("{NAV_LINK} {}", if staff { "hidden sm:inline" } else { "" })>
                            {tr(lang, "nav-my-bookings")}
                        </a>
                        <a href="/account" class=NAV_LINK data-testid="user-menu">
                            {first}
                        </a>
                    })
                }
                _ => Either::Right(sign_in()),
            }
        })
    };
    view! { <Transition fallback=sign_in>{menu}</Transition> }
}

/// The link to this page in the other language, named in that language. A full page load
/// (`rel="external"`): the server settles the language, and remembers the choice.
#[component]
fn LanguageSwitch() -> impl IntoView {
    let other = use_lang().other();
    let location = use_location();
    let href = move || switch_href(&location.search.get(), other);
    view! {
        <a href=href rel="external" hreflang=other.as_str() title=t("language-switch-label") class=NAV_LINK data-testid="language-switch">
            <span lang=other.as_str()>{tr(other, "language-name")}</span>
        </a>
    }
}

/// The current address's query with `lang` set to `lang` (the path stays).
fn switch_href(search: &str, lang: Lang) -> String {
    let mut pairs: Vec<String> = search
        .trim_start_matches('?')
        .split('&')
        .filter(|pair| !pair.is_empty() && !pair.starts_with("lang="))
        .map(str::to_owned)
        .collect();
    pairs.push(format!("lang={}", lang.as_str()));
    format!("?{}", pairs.join("&"))
}
