//! The pages and the addresses they answer at. Two groups of pages are lazy routes: the split
//! build (`cargo leptos build --split`) cuts their code out of the main wasm into files of their
//! own, which the server tells the browser to preload with a page of the group it renders and
//! which are fetched on the first move into one.
//! - The staff's pages (the dashboard, the layout editor, the door check-in): a moviegoer's
//!   browser never downloads them.
//! - A moviegoer's pages off the way to a ticket (signing in and up, the account, theaters,
//!   search): a signed-in moviegoer's journey from a movie to its ticket does not download
//!   them; a signed-out one fetches them once, with the sign-in page.
//!
//! The journey's own pages stay in the main wasm: split into groups too, each page fetched 17
//! files and scored lower in Lighthouse than one file fetched whole (docs/PERFORMANCE.md).

use crate::pages::{
    account, bookings, dashboard, home, movie, not_found::NotFound, pay, search, show, theaters,
    ticket,
};
use leptos::{lazy, prelude::*};
use leptos_router::{
    components::{Route, Routes},
    Lazy, LazyRoute, ParamSegment, SsrMode, StaticSegment,
};

/// Pages shipped as one piece of wasm: an enum naming them, a module whose lazily loaded
/// `load` renders one (the split point), and a lazy route for each page whose `preload` fetches
/// the piece before the router hydrates or shows the page. One split point for them all: one
/// point per page made a file for every set of pages sharing some code, hundreds per page.
macro_rules! page_group {
    ($(#[$doc:meta])* $piece:ident: $group:ident { $($name:ident => $page:path,)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy)]
        #[repr(u8)]
        pub enum $group {
            $($name,)*
        }

        mod $piece {
            use super::*;

            #[lazy($piece)]
            pub fn load(page: $group) -> AnyView {
                match page {
                    $($group::$name => $page().into_any(),)*
                }
            }
        }

        $(
            #[doc = concat!("`", stringify!($page), "`, loaded with [`", stringify!($group), "`].")]
            pub struct $name;

            impl LazyRoute for $name {
                fn data() -> Self {
                    $name
                }

                async fn view(_: Self) -> AnyView {
                    $piece::load($group::$name).await
                }

                async fn preload() {
                    #[cfg(feature = "hydrate")]
                    $piece::__preload_load().await;
                }
            }
        )*
    };
}

page_group! {
    /// The dashboard and the door check-in: never shipped to moviegoers.
    staff: StaffPages {
        CheckIn => ticket::CheckInPage,
        Dashboard => dashboard::DashboardPage,
        DashboardBookings => dashboard::DashboardBookingsPage,
        Platform => dashboard::PlatformPage,
        Offers => dashboard::OffersPage,
        Movies => dashboard::MoviesPage,
        NewMovie => dashboard::NewMoviePage,
        EditMovie => dashboard::EditMoviePage,
        TheaterDay => dashboard::TheaterDayPage,
        Schedule => dashboard::SchedulePage,
        Screens => dashboard::ScreensPage,
        NewScreen => dashboard::NewScreenPage,
        Reports => dashboard::ReportsPage,
        TheaterMenu => dashboard::TheaterMenuPage,
        ShowFood => dashboard::ShowFoodPage,
        ShowWaitlist => dashboard::ShowWaitlistPage,
        Audit => dashboard::AuditPage,
        TheaterAdmins => dashboard::TheaterAdminsPage,
        LayoutEditor => dashboard::LayoutEditorPage,
    }
}

page_group! {
    /// A moviegoer's pages off the way from a movie to its ticket.
    aside: AsidePages {
        Theaters => theaters::TheatersPage,
        Theater => theaters::TheaterPage,
        Search => search::SearchPage,
        Login => account::LoginPage,
        Signup => account::SignupPage,
        VerifyEmail => account::VerifyEmailPage,
        ForgotPassword => account::ForgotPasswordPage,
        ResetPassword => account::ResetPasswordPage,
        Account => account::AccountPage,
    }
}

#[component]
pub fn PageRoutes() -> impl IntoView {
    view! {
        <Routes fallback=NotFound>
            <Route path=StaticSegment("") view=home::HomePage ssr=SsrMode::Async />
            <Route path=(StaticSegment("movies"), ParamSegment("slug")) view=movie::MoviePage ssr=SsrMode::Async />
            <Route path=StaticSegment("theaters") view={Lazy::<Theaters>::new()} ssr=SsrMode::Async />
            <Route path=(StaticSegment("theaters"), ParamSegment("slug")) view={Lazy::<Theater>::new()} ssr=SsrMode::Async />
            <Route path=StaticSegment("search") view={Lazy::<Search>::new()} ssr=SsrMode::Async />
            <Route path=StaticSegment("login") view={Lazy::<Login>::new()} ssr=SsrMode::Async />
            <Route path=StaticSegment("signup") view={Lazy::<Signup>::new()} ssr=SsrMode::Async />
            <Route path=StaticSegment("verify-email") view={Lazy::<VerifyEmail>::new()} ssr=SsrMode::Async />
            <Route path=StaticSegment("forgot-password") view={Lazy::<ForgotPassword>::new()} ssr=SsrMode::Async />
            <Route path=StaticSegment("reset-password") view={Lazy::<ResetPassword>::new()} ssr=SsrMode::Async />
            <Route path=StaticSegment("account") view={Lazy::<Account>::new()} ssr=SsrMode::Async />
            <Route path=(StaticSegment("shows"), ParamSegment("id")) view=show::ShowPage ssr=SsrMode::Async />
            <Route path=(StaticSegment("shows"), ParamSegment("id"), StaticSegment("queue")) view=show::QueuePage ssr=SsrMode::Async />
            <Route path=StaticSegment("bookings") view=bookings::MyBookingsPage ssr=SsrMode::Async />
            <Route path=(StaticSegment("bookings"), ParamSegment("id")) view=bookings::BookingPage ssr=SsrMode::Async />
            <Route path=(StaticSegment("pay"), StaticSegment("sandbox"), ParamSegment("id")) view=pay::SandboxCheckoutPage ssr=SsrMode::Async />
            <Route path=(StaticSegment("pay"), StaticSegment("card"), ParamSegment("id")) view=pay::GatewayCheckoutPage ssr=SsrMode::Async />
            <Route path=(StaticSegment("staff"), StaticSegment("check-in")) view={Lazy::<CheckIn>::new()} />
            <Route path=StaticSegment("dashboard") view={Lazy::<Dashboard>::new()} ssr=SsrMode::Async />
            <Route path=(StaticSegment("dashboard"), StaticSegment("bookings")) view={Lazy::<DashboardBookings>::new()} ssr=SsrMode::Async />
            <Route path=(StaticSegment("dashboard"), StaticSegment("platform")) view={Lazy::<Platform>::new()} ssr=SsrMode::Async />
            <Route path=(StaticSegment("dashboard"), StaticSegment("offers")) view={Lazy::<Offers>::new()} ssr=SsrMode::Async />
            <Route path=(StaticSegment("dashboard"), StaticSegment("movies")) view={Lazy::<Movies>::new()} ssr=SsrMode::Async />
            <Route path=(StaticSegment("dashboard"), StaticSegment("movies"), StaticSegment("new")) view={Lazy::<NewMovie>::new()} ssr=SsrMode::Async />
            <Route path=(StaticSegment("dashboard"), StaticSegment("movies"), ParamSegment("id")) view={Lazy::<EditMovie>::new()} ssr=SsrMode::Async />
            <Route path=(StaticSegment("dashboard"), StaticSegment("theaters"), ParamSegment("id")) view={Lazy::<TheaterDay>::new()} ssr=SsrMode::Async />
            <Route path=(StaticSegment("dashboard"), StaticSegment("theaters"), ParamSegment("id"), StaticSegment("schedule")) view={Lazy::<Schedule>::new()} ssr=SsrMode::Async />
            <Route path=(StaticSegment("dashboard"), StaticSegment("theaters"), ParamSegment("id"), StaticSegment("screens")) view={Lazy::<Screens>::new()} ssr=SsrMode::Async />
            <Route path=(StaticSegment("dashboard"), StaticSegment("theaters"), ParamSegment("id"), StaticSegment("screens"), StaticSegment("new")) view={Lazy::<NewScreen>::new()} ssr=SsrMode::Async />
            <Route path=(StaticSegment("dashboard"), StaticSegment("theaters"), ParamSegment("id"), StaticSegment("reports")) view={Lazy::<Reports>::new()} ssr=SsrMode::Async />
            <Route path=(StaticSegment("dashboard"), StaticSegment("theaters"), ParamSegment("id"), StaticSegment("menu")) view={Lazy::<TheaterMenu>::new()} ssr=SsrMode::Async />
            <Route path=(StaticSegment("dashboard"), StaticSegment("shows"), ParamSegment("id"), StaticSegment("food")) view={Lazy::<ShowFood>::new()} ssr=SsrMode::Async />
            <Route path=(StaticSegment("dashboard"), StaticSegment("shows"), ParamSegment("id"), StaticSegment("waitlist")) view={Lazy::<ShowWaitlist>::new()} ssr=SsrMode::Async />
            <Route path=(StaticSegment("dashboard"), StaticSegment("theaters"), ParamSegment("id"), StaticSegment("audit")) view={Lazy::<Audit>::new()} ssr=SsrMode::Async />
            <Route path=(StaticSegment("dashboard"), StaticSegment("theaters"), ParamSegment("id"), StaticSegment("admins")) view={Lazy::<TheaterAdmins>::new()} ssr=SsrMode::Async />
            <Route path=(StaticSegment("dashboard"), StaticSegment("screens"), ParamSegment("id"), StaticSegment("layout")) view={Lazy::<LayoutEditor>::new()} ssr=SsrMode::Async />
        </Routes>
    }
}

/// Whether the page at `path` is a lazy route, which must be hydrated asynchronously
/// (`hydrate_lazy`), once its code is in. Every other page hydrates at once (`hydrate_body`),
/// in the task that loaded the wasm, as before the split.
pub fn is_lazy(path: &str) -> bool {
    const LAZY: [&str; 10] = [
        "dashboard",
        "staff",
        "theaters",
        "search",
        "login",
        "signup",
        "verify-email",
        "forgot-password",
        "reset-password",
        "account",
    ];
    let first = path.trim_start_matches('/').split('/').next();
    first.is_some_and(|segment| LAZY.contains(&segment))
}

#[cfg(test)]
mod tests {
    use super::is_lazy;

    #[test]
    fn the_lazy_groups_pages_are_hydrated_once_their_piece_is_in() {
        for lazy in [
            "/dashboard",
            "/dashboard/theaters/3/screens",
            "/staff/check-in",
            "/login",
            "/signup",
            "/verify-email",
            "/forgot-password",
            "/reset-password",
            "/account",
            "/theaters",
            "/theaters/",
            "/theaters/pvr-phoenix",
            "/search",
        ] {
            assert!(is_lazy(lazy), "{lazy}");
        }
        for main in [
            "/",
            "/movies/dune",
            "/shows/7",
            "/shows/7/queue",
            "/bookings",
            "/bookings/9",
            "/pay/sandbox/4",
            "/accounts",
            "/searching",
        ] {
            assert!(!is_lazy(main), "{main}");
        }
    }
}
