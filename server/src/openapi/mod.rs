//! The REST API's OpenAPI document, generated from the handlers' annotations so it cannot
//! drift from the code. Swagger UI (public/swagger) renders it.

mod complete;

use axum::Json;
use complete::Complete;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "District API",
        version = "1",
        description = "Movie-ticket booking: catalog, accounts, seat holds, bookings and payments. \
                       JSON in and out; errors are `{\"error\": {\"code\", \"message\"}}`; \
                       lists are `{\"items\", \"page\", \"per_page\", \"total\"}`."
    ),
    paths(
        crate::health::live,
        crate::health::ready,
        crate::api::auth::signup,
        crate::api::auth::login,
        crate::api::auth::refresh_token,
        crate::api::auth::logout,
        crate::api::auth::verify_email,
        crate::api::auth::forgot_password,
        crate::api::auth::reset_password,
        crate::api::users::get_profile,
        crate::api::users::put_profile,
        crate::api::users::cancel_email_change,
        crate::api::users::register_device,
        crate::api::users::forget_device,
        crate::api::users::send_phone_code,
        crate::api::users::verify_phone,
        crate::api::users::bookings,
        crate::api::admin::theaters,
        crate::api::admin::theater,
        crate::api::admin::edit_theater,
        crate::api::admin::edit_screen,
        crate::api::admin::list_screens,
        crate::api::admin::add_screen,
        crate::api::admin::screen_layout,
        crate::api::admin::edit_layout,
        crate::api::admin::schedule_show,
        crate::api::admin::schedule_recurring,
        crate::api::admin::cancel_show,
        crate::api::admin::list_shows,
        crate::api::admin::change_show,
        crate::api::admin::find_bookings,
        crate::api::admin::cancel_booking,
        crate::api::admin::create_offer,
        crate::api::admin::list_offers,
        crate::api::admin::offer_report,
        crate::api::admin::change_offer,
        crate::api::admin::theater_menu,
        crate::api::admin::add_menu_item,
        crate::api::admin::change_menu_item,
        crate::api::admin::set_show_stock,
        crate::api::admin::pickups,
        crate::api::admin::pick_up,
        crate::api::admin::show_waitlist,
        crate::api::admin::sales_report,
        crate::api::admin::report_chart,
        crate::api::admin::list_cities,
        crate::api::admin::add_city,
        crate::api::admin::add_movie,
        crate::api::admin::edit_movie,
        crate::api::admin::list_admins,
        crate::api::admin::assign_admin,
        crate::api::admin::remove_admin,
        crate::api::admin::hide_review,
        crate::api::admin::dead_letters,
        crate::api::admin::retry_dead_letter,
        crate::api::admin::audit,
        crate::api::catalog::cities,
        crate::api::catalog::theaters,
        crate::api::catalog::theater,
        crate::api::catalog::movies,
        crate::api::catalog::movie,
        crate::api::catalog::upcoming,
        crate::api::catalog::trending,
        crate::api::catalog::search,
        crate::api::catalog::shows,
        crate::api::catalog::review,
        crate::api::catalog::reviews,
        crate::api::catalog::helpful,
        crate::api::bookings::seats,
        crate::api::bookings::hold,
        crate::api::queue::turn,
        crate::api::bookings::confirm,
        crate::api::bookings::booking,
        crate::api::bookings::cancel,
        crate::api::bookings::best,
        crate::api::bookings::stream_seats,
        crate::api::offers::apply,
        crate::api::offers::remove,
        crate::api::food::menu,
        crate::api::food::order,
        crate::api::food_orders::place,
        crate::api::food_orders::order,
        crate::api::food_orders::pay,
        crate::api::waitlist::join,
        crate::api::waitlist::mine,
        crate::api::waitlist::leave,
        crate::api::payments::initiate,
        crate::api::payments::payment,
        crate::api::payments::razorpay_checkout,
        crate::api::payments::webhook,
        crate::api::payments::webhook_any,
        crate::api::tickets::ticket,
        crate::api::tickets::ticket_pdf,
        crate::api::tickets::ticket_pass,
        crate::api::tickets::public_key,
        crate::api::tickets::verify,
        crate::api::tickets::check_in,
    ),
    modifiers(&BearerAuth, &Complete),
    tags(
        (name = "operations", description = "Health and readiness for load balancers"),
        (name = "auth", description = "Sign-up, sign-in and tokens"),
        (name = "users", description = "The signed-in user's account"),
        (name = "admin", description = "Theater administration"),
        (name = "catalog", description = "Cities, theaters, movies, shows and seat maps"),
        (name = "bookings", description = "Seat holds, confirmation, cancellation and live seat changes"),
        (name = "payments", description = "Paying for a hold, and the gateways' signed webhooks"),
        (name = "tickets", description = "E-tickets, and checking them at the door"),
    )
)]
pub struct ApiDoc;

/// Declares the Bearer JWT scheme the `security(("bearer" = []))` annotations refer to.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
