//! The pages and the addresses they answer at. Every page is a lazy route in one of five
//! groups: the split build (`cargo leptos build --split`) cuts each group's code out of the main
//! wasm into files of its own, which the server tells the browser to preload with the page it
//! renders and which are fetched on first use when navigating. A moviegoer never downloads the
//! dashboard, and a page hydrates without waiting for the code of every other one.

use crate::pages::{
    account, bookings, dashboard, home, movie, not_found::NotFound, pay, search, show, theaters,
    ticket,
};
use leptos::{lazy, prelude::*};
use leptos_router::{
    components::{Route, Routes},
    Lazy, LazyRoute, ParamSegment, SsrMode, StaticSegment,
};

/// A group of pages shipped as one piece of wasm: an enum naming them, a module whose lazily
/// loaded `load` renders one (the split point), and a lazy route for each page whose `preload`
/// fetches the piece before the router hydrates or shows the page. Pages are grouped rather
/// than split one by one because the splitter gives every set of split points sharing some code
/// a file of its own: thirty-six points made hundreds of files per page.
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
    /// Finding a film: the home page, a film, theatres, search.
    browsing: BrowsePages {
        Home => home::HomePage,
        Movie => movie::MoviePage,
        Theaters => theaters::TheatersPage,
        Theater => theaters::TheaterPage,
        Search => search::SearchPage,
    }
}

page_group! {
    /// Choosing seats, and the queue in front of a hot show.
    seats: SeatPages {
        SeatMap => show::ShowPage,
        Queue => show::QueuePage,
    }
}

page_group! {
    /// Paying and the tickets after.
    paying: BookingPages {
        MyBookings => bookings::MyBookingsPage,
        Booking => bookings::BookingPage,
        SandboxCheckout => pay::SandboxCheckoutPage,
        GatewayCheckout => pay::GatewayCheckoutPage,
    }
}

page_group! {
    /// Signing up and in, and the account.
    accounts: AccountPages {
        Login => account::LoginPage,
        Signup => account::SignupPage,
        VerifyEmail => account::VerifyEmailPage,
        ForgotPassword => account::ForgotPasswordPage,
        ResetPassword => account::ResetPasswordPage,
        Account => account::AccountPage,
    }
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

#[component]
pub fn PageRoutes() -> impl IntoView {
    view! {
        <Routes fallback=NotFound>
            <Route path=StaticSegment("") view={Lazy::<Home>::new()} ssr=SsrMode::Async />
            <Route path=(StaticSegment("movies"), ParamSegment("slug")) view={Lazy::<Movie>::new()} ssr=SsrMode::Async />
            <Route path=StaticSegment("theaters") view={Lazy::<Theaters>::new()} ssr=SsrMode::Async />
            <Route path=(StaticSegment("theaters"), ParamSegment("slug")) view={Lazy::<Theater>::new()} ssr=SsrMode::Async />
            <Route path=StaticSegment("search") view={Lazy::<Search>::new()} ssr=SsrMode::Async />
            <Route path=StaticSegment("login") view={Lazy::<Login>::new()} ssr=SsrMode::Async />
            <Route path=StaticSegment("signup") view={Lazy::<Signup>::new()} ssr=SsrMode::Async />
            <Route path=StaticSegment("verify-email") view={Lazy::<VerifyEmail>::new()} ssr=SsrMode::Async />
            <Route path=StaticSegment("forgot-password") view={Lazy::<ForgotPassword>::new()} ssr=SsrMode::Async />
            <Route path=StaticSegment("reset-password") view={Lazy::<ResetPassword>::new()} ssr=SsrMode::Async />
            <Route path=StaticSegment("account") view={Lazy::<Account>::new()} ssr=SsrMode::Async />
            <Route path=(StaticSegment("shows"), ParamSegment("id")) view={Lazy::<SeatMap>::new()} ssr=SsrMode::Async />
            <Route path=(StaticSegment("shows"), ParamSegment("id"), StaticSegment("queue")) view={Lazy::<Queue>::new()} ssr=SsrMode::Async />
            <Route path=StaticSegment("bookings") view={Lazy::<MyBookings>::new()} ssr=SsrMode::Async />
            <Route path=(StaticSegment("bookings"), ParamSegment("id")) view={Lazy::<Booking>::new()} ssr=SsrMode::Async />
            <Route path=(StaticSegment("pay"), StaticSegment("sandbox"), ParamSegment("id")) view={Lazy::<SandboxCheckout>::new()} ssr=SsrMode::Async />
            <Route path=(StaticSegment("pay"), StaticSegment("card"), ParamSegment("id")) view={Lazy::<GatewayCheckout>::new()} ssr=SsrMode::Async />
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
