//! `/api/v1/admin/reports`: a theater's sales, as JSON or CSV.

use crate::api::{ApiPath, ApiQuery};
use app::{
    account::auth::Principal,
    dashboard::{
        occupancy_heatmap, sales_chart, ChartData, Dashboard, DashboardError, ReportGroup,
        SalesReport,
    },
    i18n::Lang,
};
use axum::{
    extract::State,
    http::header,
    response::{IntoResponse, Response},
    Json,
};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SalesQuery {
    theater_id: Uuid,
    /// First day of shows at the theater (`YYYY-MM-DD`).
    from: NaiveDate,
    /// Last day, included (at most 366 days in all).
    to: NaiveDate,
    /// `day`, `movie`, `screen` or `show`; `day` when omitted.
    group: Option<String>,
    /// `csv` for a CSV file (money in major units); JSON otherwise.
    format: Option<String>,
}

/// A theater's sales for shows from `from` to `to`, a line per day, movie, screen or show, and
/// the total: shows, seats, seats sold, occupancy, then money in minor units (`gross` paid,
/// `refunds` given back, `fees` kept by the platform, `net` ticket money kept by the theater).
#[utoipa::path(get, path = "/api/v1/admin/reports/sales", tag = "admin", security(("bearer" = [])),
    params(SalesQuery), responses((status = 200, description = "the report; `text/csv` with `format=csv`",
        content((SalesReport = "application/json"), (String = "text/csv"))),
    (status = 401, description = "unauthenticated"), (status = 403, description = "forbidden: not their theater"),
    (status = 404, description = "not_found: no such theater"),
    (status = 422, description = "validation_failed: from, to, group, format")))]
pub async fn sales_report(
    State(dashboard): State<Dashboard>,
    who: Principal,
    ApiQuery(query): ApiQuery<SalesQuery>,
) -> Result<Response, DashboardError> {
    let csv = match query.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(_) => return Err(DashboardError::field("format", "err-report-format")),
    };
    let group = match query.group.as_deref() {
        None => ReportGroup::Day,
        Some(word) => ReportGroup::parse(word)
            .ok_or_else(|| DashboardError::field("group", "err-report-group"))?,
    };
    let span = (query.from, query.to);
    let report = dashboard
        .sales_report(who.into(), query.theater_id, span, group)
        .await?;
    if !csv {
        return Ok(Json(report).into_response());
    }
    let name = format!(
        "attachment; filename=\"sales-{}-{}-by-{}.csv\"",
        report.from,
        report.to,
        report.group.as_str()
    );
    let headers = [
        (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
        (header::CONTENT_DISPOSITION, name),
    ];
    Ok((headers, report.csv()).into_response())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChartQuery {
    theater_id: Uuid,
    /// First day at the theater (`YYYY-MM-DD`).
    from: NaiveDate,
    /// Last day, included (at most 366 days in all).
    to: NaiveDate,
    /// The language of the chart's words (`en` when left out).
    #[serde(default)]
    #[param(value_type = Option<String>)]
    lang: Option<Lang>,
}

/// A report chart as SVG, drawn on the server (an `<img>` works without JavaScript, with the
/// browser's session as well as a bearer token): `sales.svg` is seats sold per day of sale,
/// `occupancy.svg` how full the shows of the span are by weekday and hour.
#[utoipa::path(get, path = "/api/v1/admin/reports/charts/{chart}", tag = "admin", security(("bearer" = [])),
    params(("chart" = String, Path, description = "`sales.svg` or `occupancy.svg`"), ChartQuery),
    responses((status = 200, content_type = "image/svg+xml", body = String),
    (status = 401, description = "unauthenticated"), (status = 403, description = "forbidden: not their theater"),
    (status = 404, description = "not_found: no such theater or chart"),
    (status = 422, description = "validation_failed: from, to")))]
pub async fn report_chart(
    State(dashboard): State<Dashboard>,
    who: Principal,
    ApiPath(chart): ApiPath<String>,
    ApiQuery(query): ApiQuery<ChartQuery>,
) -> Result<Response, DashboardError> {
    let draw = match chart.as_str() {
        "sales.svg" => |lang, data: &ChartData| sales_chart(lang, &data.sales),
        "occupancy.svg" => |lang, data: &ChartData| occupancy_heatmap(lang, &data.slots),
        _ => return Err(DashboardError::NotFound),
    };
    let span = (query.from, query.to);
    let data = dashboard
        .chart_data(who.into(), query.theater_id, span)
        .await?;
    let headers = [
        (header::CONTENT_TYPE, "image/svg+xml"),
        (header::CACHE_CONTROL, "private, max-age=60"),
    ];
    let svg = draw(query.lang.unwrap_or_default(), &data);
    Ok((headers, svg).into_response())
}
