use crate::account::functions::current_user;
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
            "Skip to content"
        </a>
        <header class="border-b border-slate-200 bg-white">
            <nav
                aria-label="Main"
                class="mx-auto flex max-w-6xl items-center justify-between gap-2 px-4 py-3"
            >
                <a
                    href="/"
                    aria-label="District, home"
                    class="flex items-center gap-2 rounded text-xl font-extrabold tracking-tight text-indigo-700 focus-visible:outline focus-visible:outline-2 focus-visible:outline-indigo-600"
                >
                    <span
                        aria-hidden="true"
                        class="grid h-8 w-8 place-items-center rounded-lg bg-indigo-600 text-sm text-white"
                    >
                        "D"
                    </span>
                    <span class="hidden sm:inline">"District"</span>
                </a>
                <ul class="flex flex-wrap items-center justify-end gap-1 text-sm font-medium text-slate-700 sm:gap-4">
                    <li>
                        <a href="/" class=NAV_LINK>
                            "Movies"
                        </a>
                    </li>
                    <li>
                        <a href="/theaters" class=NAV_LINK>
                            "Theaters"
                        </a>
                    </li>
                    <li>
                        <a href="/search" class=NAV_LINK>
                            "Search"
                        </a>
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
                <p>"District: movie tickets across India."</p>
                <p>"Prices include taxes where shown. Times are in the theater's local time."</p>
            </div>
        </footer>
    }
}

/// "Sign in" for visitors, the user's first name (to their account) once signed in.
#[component]
fn UserMenu() -> impl IntoView {
    let location = use_location();
    let user = Resource::new(
        move || (location.pathname.get(), location.search.get()),
        |_| current_user(),
    );
    let sign_in = || view! { <a href="/login" class=NAV_LINK>"Sign in"</a> };
    let menu = move || {
        Suspend::new(async move {
            match user.await {
                Ok(Some(profile)) => {
                    let first = profile
                        .name
                        .split_whitespace()
                        .next()
                        .unwrap_or("Account")
                        .to_owned();
                    let staff = profile.role != crate::account::Role::Customer;
                    Either::Left(view! {
                        {staff.then(|| view! { <a href="/dashboard" class=NAV_LINK data-testid="dashboard-link">"Dashboard"</a> })}
                        // Staff on a phone reach their bookings from their account.
                        <a href="/bookings" class=format!("{NAV_LINK} {}", if staff { "hidden sm:inline" } else { "" })>
                            "My bookings"
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
