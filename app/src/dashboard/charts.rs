//! Report charts drawn as SVG on the server, so they show without wasm: seats sold per day of
//! sale, and occupancy by weekday and hour of the show. Text in them is escaped; sizes are
//! fixed and the picture scales to its box (`viewBox`).

use super::{
    reports::{check_span, occupancy},
    Dashboard, DashboardError,
};
use crate::booking::Actor;
use crate::i18n::{format, tr, tr_with, Arg, Lang};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt::Write;
use uuid::Uuid;

/// Seats sold on one day at the theater.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct DaySales {
    pub day: NaiveDate,
    pub seats_sold: i64,
}

/// Seats and seats sold of the shows starting at one weekday (0 Monday) and hour.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct SlotOccupancy {
    pub weekday: i32,
    pub hour: i32,
    pub seats: i64,
    pub seats_sold: i64,
}

/// What the two charts are drawn from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChartData {
    /// Every day of the span, in order, days without sales included.
    pub sales: Vec<DaySales>,
    pub slots: Vec<SlotOccupancy>,
}

impl Dashboard {
    /// Sales per day (bookings confirmed from `from` to `to` at the theater) and occupancy of
    /// the shows in that span by weekday and hour.
    pub async fn chart_data(
        &self,
        actor: Actor,
        theater: Uuid,
        (from, to): (NaiveDate, NaiveDate),
    ) -> Result<ChartData, DashboardError> {
        check_span(from, to)?;
        let zone = self.theater_zone(actor, theater).await?;
        let sales = sqlx::query_as(
            "SELECT d::date AS day, coalesce(sum(b.seat_count), 0)::bigint AS seats_sold
               FROM generate_series($3::date, $4::date, interval '1 day') d
               LEFT JOIN (bookings b JOIN shows sh ON sh.id = b.show_id
                          JOIN screens sc ON sc.id = sh.screen_id AND sc.theater_id = $1)
                 ON b.status = 'confirmed' AND (b.confirmed_at AT TIME ZONE $2)::date = d::date
              GROUP BY d ORDER BY d",
        )
        .bind(theater)
        .bind(&zone)
        .bind(from)
        .bind(to)
        .fetch_all(&self.db)
        .await?;
        let slots = sqlx::query_as(
            "SELECT (extract(isodow FROM sh.starts_at AT TIME ZONE $2) - 1)::int AS weekday,
                    extract(hour FROM sh.starts_at AT TIME ZONE $2)::int AS hour,
                    sum(show_capacity(sh.id))::bigint AS seats,
                    sum((SELECT count(*) FROM booking_seats bs
                          WHERE bs.show_id = sh.id AND bs.status = 'confirmed'))::bigint AS seats_sold
               FROM shows sh JOIN screens sc ON sc.id = sh.screen_id
              WHERE sc.theater_id = $1 AND sh.status = 'scheduled'
                AND (sh.starts_at AT TIME ZONE $2)::date BETWEEN $3 AND $4
              GROUP BY 1, 2 ORDER BY 1, 2",
        )
        .bind(theater)
        .bind(&zone)
        .bind(from)
        .bind(to)
        .fetch_all(&self.db)
        .await?;
        Ok(ChartData { sales, slots })
    }
}

const WIDTH: usize = 640;
const HEIGHT: usize = 240;
const MARGIN: usize = 32;

/// A bar per day, its height the seats sold, the busiest day labelled.
pub fn sales_chart(lang: Lang, days: &[DaySales]) -> String {
    let most = days.iter().map(|d| d.seats_sold).max().unwrap_or(0).max(1);
    let plot = (WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN);
    let step = plot.0 as f64 / days.len().max(1) as f64;
    let mut svg = open(WIDTH, HEIGHT, &tr(lang, "dash-chart-sales"));
    for (i, day) in days.iter().enumerate() {
        let height = plot.1 as f64 * day.seats_sold as f64 / most as f64;
        let x = MARGIN as f64 + i as f64 * step;
        let y = (HEIGHT - MARGIN) as f64 - height;
        let _ = write!(
            svg,
            r##"<rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{height:.1}" fill="#4f46e5"><title>{}: {}</title></rect>"##,
            (step * 0.8).max(1.0),
            day.day,
            tr_with(
                lang,
                "chart-sold",
                &[("count", Arg::Number(day.seats_sold))]
            )
        );
    }
    if let (Some(first), Some(last)) = (days.first(), days.last()) {
        let _ = write!(
            svg,
            r##"<text x="{MARGIN}" y="{}" font-size="12" fill="#475569">{}</text><text x="{}" y="{}" font-size="12" fill="#475569" text-anchor="end">{}</text>"##,
            HEIGHT - 10,
            format::day_month(lang, first.day),
            WIDTH - MARGIN,
            HEIGHT - 10,
            format::day_month(lang, last.day)
        );
    }
    let _ = write!(
        svg,
        r##"<text x="{MARGIN}" y="20" font-size="12" fill="#475569">{}</text></svg>"##,
        tr_with(lang, "chart-most", &[("count", Arg::Number(most))])
    );
    svg
}

/// A cell per weekday and hour with shows, darker the fuller.
pub fn occupancy_heatmap(lang: Lang, slots: &[SlotOccupancy]) -> String {
    let (left, top, cell) = (40usize, 24usize, 24usize);
    let width = left + 24 * cell + 8;
    let height = top + 7 * cell + 8;
    let mut svg = open(width, height, &tr(lang, "dash-chart-occupancy"));
    // Monday first: the catalogue's `weekday-1` ...
    let weekdays: Vec<String> = (1..=7).map(|n| tr(lang, &format!("weekday-{n}"))).collect();
    for (row, name) in weekdays.iter().enumerate() {
        let _ = write!(
            svg,
            r##"<text x="4" y="{}" font-size="11" fill="#475569">{name}</text>"##,
            top + row * cell + 16
        );
    }
    for hour in (0..24).step_by(3) {
        let _ = write!(
            svg,
            r##"<text x="{}" y="16" font-size="11" fill="#475569">{hour:02}</text>"##,
            left + hour * cell + 4
        );
    }
    for slot in slots {
        let (Ok(row), Ok(col)) = (usize::try_from(slot.weekday), usize::try_from(slot.hour)) else {
            continue;
        };
        let percent = occupancy(slot.seats_sold, slot.seats);
        // From pale to deep indigo as the seats fill.
        let alpha = 0.1 + 0.9 * percent / 100.0;
        let _ = write!(
            svg,
            r##"<rect x="{}" y="{}" width="{}" height="{}" fill="#4f46e5" fill-opacity="{alpha:.2}"><title>{} {:02}:00 · {}</title></rect>"##,
            left + col.min(23) * cell,
            top + row.min(6) * cell,
            cell - 2,
            cell - 2,
            weekdays[row.min(6)],
            slot.hour,
            tr_with(
                lang,
                "chart-full",
                &[("percent", Arg::Text(&percent.to_string()))]
            )
        );
    }
    svg.push_str("</svg>");
    svg
}

fn open(width: usize, height: usize, title: &str) -> String {
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" aria-label="{title}" class="w-full h-auto"><title>{title}</title>"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(n: u32, sold: i64) -> DaySales {
        DaySales {
            day: NaiveDate::from_ymd_opt(2026, 12, n).unwrap(),
            seats_sold: sold,
        }
    }

    #[test]
    fn the_sales_chart_has_a_bar_per_day_scaled_to_the_busiest() {
        let svg = sales_chart(Lang::En, &[day(1, 2), day(2, 0), day(3, 4)]);
        assert_eq!(svg.matches("<rect").count(), 3);
        assert!(
            svg.contains(r##"height="176.0" fill="#4f46e5"><title>2026-12-03: 4 sold"##),
            "{svg}"
        );
        assert!(
            svg.contains(r##"height="88.0" fill="#4f46e5"><title>2026-12-01: 2 sold"##),
            "{svg}"
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }

    #[test]
    fn an_empty_span_draws_an_empty_chart() {
        let svg = sales_chart(Lang::En, &[]);
        assert_eq!(svg.matches("<rect").count(), 0);
        assert!(svg.ends_with("</svg>"));
    }

    #[test]
    fn the_heatmap_places_each_slot_by_weekday_and_hour() {
        let slots = [
            SlotOccupancy {
                weekday: 4,
                hour: 19,
                seats: 100,
                seats_sold: 100,
            },
            SlotOccupancy {
                weekday: 0,
                hour: 10,
                seats: 100,
                seats_sold: 0,
            },
        ];
        let svg = occupancy_heatmap(Lang::En, &slots);
        assert!(svg.contains(r##"x="496" y="120" width="22" height="22" fill="#4f46e5" fill-opacity="1.00"><title>Fri 19:00 · 100% full"##), "{svg}");
        assert!(
            svg.contains(r#"fill-opacity="0.10"><title>Mon 10:00 · 0% full"#),
            "{svg}"
        );
        // The words in the page's language.
        let hindi = occupancy_heatmap(Lang::Hi, &slots);
        assert!(hindi.contains("<title>शुक्र 19:00 · 100% भरा"), "{hindi}");
        assert!(
            !hindi.contains("% full") && !hindi.contains(">Mon<"),
            "{hindi}"
        );
    }
}
