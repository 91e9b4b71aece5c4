//! The REST API's OpenAPI document, generated from the handlers' annotations so it cannot
//! drift from the code. Swagger UI (public/swagger) renders it.

use axum::Json;
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
    paths(crate::health::live, crate::health::ready),
    tags((name = "operations", description = "Health and readiness for load balancers"))
)]
pub struct ApiDoc;

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
