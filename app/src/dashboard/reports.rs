//! Sales reports of a theater over a span of days at the theater: per day, movie, screen or
//! show, figures read from the bookings and payments tables.
//!
//! A booking counts as sold once a payment confirmed it, or it was confirmed with nothing to
//! pay (even if it was cancelled since):
//! `gross` is what its customer paid, `refunds` what went back (refunds not failed), `fees` the
//! convenience fee and its tax that stay with the platform (a refund beyond the ticket price
//! gives fees back), and `net` the ticket and food money the theater keeps: gross - refunds -
//! fees. `discounts` is what offers took off; it comes off the ticket money first, and off the
//! fees only past it, so gross, refunds, fees and net still add up. `food` is what food and
//! drinks (with their GST) added to gross; it is refunded with the tickets, under the same
//! policy.

#[cfg(feature = "ssr")]
use super::{Dashboard, DashboardError};
#[cfg(feature = "ssr")]
use crate::booking::Actor;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// At most this many days in one report.
pub const MAX_REPORT_DAYS: i64 = 366;

words! {
    /// What one line of a report stands for.
    pub enum ReportGroup {
        Day = "day",
        Movie = "movie",
        Screen = "screen",
        Show = "show",
    }
}

/// One line of a report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow, utoipa::ToSchema))]
pub struct SalesLine {
    /// The day (`YYYY-MM-DD`), or the movie's, screen's or show's id.
    pub key: String,
    pub label: String,
    /// Shows still on the schedule (called-off shows count for money only).
    pub shows: i64,
    /// Seats of those shows.
    pub seats: i64,
    /// Seats of confirmed bookings.
    pub seats_sold: i64,
    /// Seats sold per hundred seats, to one decimal.
    pub occupancy_percent: f64,
    /// Minor units of `currency`.
    pub gross: i64,
    pub refunds: i64,
    pub fees: i64,
    pub net: i64,
    pub discounts: i64,
    #[serde(default)]
    pub food: i64,
    /// People who joined those shows' waiting lists, and of them those whose offer was booked.
    #[serde(default)]
    pub waitlisted: i64,
    #[serde(default)]
    pub waitlist_booked: i64,
}

/// A report: its lines and their sum.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SalesReport {
    pub theater_id: Uuid,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub group: ReportGroup,
    pub currency: String,
    /// The theater's IANA time zone: days and hours are its own.
    pub time_zone: String,
    pub lines: Vec<SalesLine>,
    pub total: SalesLine,
}

#[cfg(feature = "ssr")]
/// The SQL naming a line's key, label and order for each grouping (fixed text, never input).
fn grouping(group: ReportGroup) -> (&'static str, &'static str, &'static str) {
    match group {
        ReportGroup::Day => ("to_char(s.day, 'YYYY-MM-DD')", "min(to_char(s.day, 'Dy DD Mon YYYY'))", "min(s.day)::text"),
        ReportGroup::Movie => ("s.movie_id::text", "min(s.movie_title)", "min(s.movie_title)"),
        ReportGroup::Screen => ("s.screen_id::text", "min(s.screen_name)", "min(s.screen_name)"),
        ReportGroup::Show => (
            "s.id::text",
            "min(s.movie_title || ' · ' || s.screen_name || ' · ' || to_char(s.local_start, 'YYYY-MM-DD HH24:MI'))",
            "min(s.local_start)::text",
        ),
    }
}

#[cfg(feature = "ssr")]
impl Dashboard {
    /// The sales of a theater the actor runs, for shows starting from `from` to `to` (days at
    /// the theater, both included), a line per `group`.
    pub async fn sales_report(
        &self,
        actor: Actor,
        theater: Uuid,
        (from, to): (NaiveDate, NaiveDate),
        group: ReportGroup,
    ) -> Result<SalesReport, DashboardError> {
        check_span(from, to)?;
        let zone = self.theater_zone(actor, theater).await?;

        let (key, label, order) = grouping(group);
        let sql = format!(
            "WITH s AS (
                SELECT sh.id, sh.status, sh.movie_id, m.title AS movie_title, sh.screen_id,
                       sc.name AS screen_name, sh.starts_at AT TIME ZONE $2 AS local_start,
                       (sh.starts_at AT TIME ZONE $2)::date AS day
                  FROM shows sh JOIN screens sc ON sc.id = sh.screen_id
                  JOIN movies m ON m.id = sh.movie_id
                 WHERE sc.theater_id = $1
                   AND (sh.starts_at AT TIME ZONE $2)::date BETWEEN $3 AND $4),
             per_show AS (
                SELECT s.id,
                       CASE WHEN s.status = 'scheduled'
                            THEN show_capacity(s.id) ELSE 0 END AS seats,
                       (SELECT count(*) FROM booking_seats bs
                         WHERE bs.show_id = s.id AND bs.status = 'confirmed') AS seats_sold,
                       (SELECT count(*) FROM waitlist_entries w WHERE w.show_id = s.id) AS waitlisted,
                       (SELECT count(*) FROM waitlist_entries w JOIN bookings b ON b.id = w.booking_id
                         WHERE w.show_id = s.id AND b.status = 'confirmed') AS waitlist_booked
                  FROM s),
             paid AS (
                SELECT b.show_id, b.total_minor AS paid, b.discount_minor AS discount,
                       greatest(b.subtotal_minor - b.discount_minor, 0) + b.food_minor
                         + b.food_tax_minor AS tickets,
                       b.food_minor + b.food_tax_minor AS food,
                       b.convenience_fee_minor + b.tax_minor
                         - greatest(b.discount_minor - b.subtotal_minor, 0) AS fee,
                       coalesce((SELECT r.amount_minor FROM refunds r
                                  WHERE r.payment_id = b.payment_id AND r.status <> 'failed'), 0) AS refunded
                  FROM bookings b JOIN s ON s.id = b.show_id
                 -- Paid for, or confirmed with nothing to pay (offers took it all).
                 WHERE b.payment_id IS NOT NULL OR (b.confirmed_at IS NOT NULL AND b.total_minor = 0)),
             -- Per booking: a refund beyond its tickets gave its fees back.
             sold AS (
                SELECT show_id, paid, refunded, discount, food,
                       fee - greatest(refunded - tickets, 0) AS fee_kept,
                       tickets - least(refunded, tickets) AS tickets_kept
                  FROM paid)
             SELECT {key} AS key, {label} AS label,
                    count(*) FILTER (WHERE s.status = 'scheduled') AS shows,
                    sum(p.seats)::bigint AS seats, sum(p.seats_sold)::bigint AS seats_sold,
                    CASE WHEN sum(p.seats) = 0 THEN 0
                         ELSE round(100.0 * sum(p.seats_sold) / sum(p.seats), 1) END::float8 AS occupancy_percent,
                    coalesce(sum(m.paid), 0)::bigint AS gross,
                    coalesce(sum(m.refunded), 0)::bigint AS refunds,
                    coalesce(sum(m.fee_kept), 0)::bigint AS fees,
                    coalesce(sum(m.tickets_kept), 0)::bigint AS net,
                    coalesce(sum(m.discount), 0)::bigint AS discounts,
                    coalesce(sum(m.food), 0)::bigint AS food,
                    sum(p.waitlisted)::bigint AS waitlisted,
                    sum(p.waitlist_booked)::bigint AS waitlist_booked
               FROM s JOIN per_show p ON p.id = s.id
               LEFT JOIN (SELECT show_id, sum(paid) AS paid, sum(refunded) AS refunded,
                                 sum(fee_kept) AS fee_kept, sum(tickets_kept) AS tickets_kept,
                                 sum(discount) AS discount, sum(food) AS food
                            FROM sold GROUP BY show_id) m ON m.show_id = s.id
              GROUP BY {key}
              ORDER BY {order}, 1"
        );
        let lines: Vec<SalesLine> = sqlx::query_as(&sql)
            .bind(theater)
            .bind(&zone)
            .bind(from)
            .bind(to)
            .fetch_all(&self.db)
            .await?;
        let currency: String = sqlx::query_scalar(
            "SELECT coalesce((SELECT sh.currency::text FROM shows sh JOIN screens sc ON sc.id = sh.screen_id
                               WHERE sc.theater_id = $1 LIMIT 1), 'INR')",
        )
        .bind(theater)
        .fetch_one(&self.db)
        .await?;
        Ok(SalesReport {
            theater_id: theater,
            from,
            to,
            group,
            currency,
            time_zone: zone,
            total: total(&lines),
            lines,
        })
    }
}

#[cfg(feature = "ssr")]
/// From `from` to `to`, at most [`MAX_REPORT_DAYS`]: else a 422 on `to`.
pub(super) fn check_span(from: NaiveDate, to: NaiveDate) -> Result<(), DashboardError> {
    if to < from {
        return Err(DashboardError::field("to", "err-last-day"));
    }
    if (to - from).num_days() >= MAX_REPORT_DAYS {
        let message = crate::i18n::Text::new("err-report-days").arg("max", MAX_REPORT_DAYS);
        return Err(DashboardError::field_with("to", message));
    }
    Ok(())
}

#[cfg(feature = "ssr")]
/// The sum of every line.
fn total(lines: &[SalesLine]) -> SalesLine {
    let sum = |field: fn(&SalesLine) -> i64| lines.iter().map(field).sum::<i64>();
    let (seats, seats_sold) = (sum(|l| l.seats), sum(|l| l.seats_sold));
    SalesLine {
        key: "total".into(),
        label: "Total".into(),
        shows: sum(|l| l.shows),
        seats,
        seats_sold,
        occupancy_percent: occupancy(seats_sold, seats),
        gross: sum(|l| l.gross),
        refunds: sum(|l| l.refunds),
        fees: sum(|l| l.fees),
        net: sum(|l| l.net),
        discounts: sum(|l| l.discounts),
        food: sum(|l| l.food),
        waitlisted: sum(|l| l.waitlisted),
        waitlist_booked: sum(|l| l.waitlist_booked),
    }
}

#[cfg(feature = "ssr")]
/// Seats sold per hundred, to one decimal.
pub fn occupancy(sold: i64, seats: i64) -> f64 {
    if seats == 0 {
        0.0
    } else {
        (1000.0 * sold as f64 / seats as f64).round() / 10.0
    }
}

#[cfg(feature = "ssr")]
impl SalesReport {
    /// The report as CSV: a header, a row per line, then the total; money in major units.
    pub fn csv(&self) -> String {
        let mut out = String::from(
            "key,label,shows,seats,seats_sold,occupancy_percent,gross,refunds,fees,net,discounts,food,waitlisted,waitlist_booked,currency\n",
        );
        for line in self.lines.iter().chain([&self.total]) {
            let money = crate::money::plain;
            out.push_str(&format!(
                "{},{},{},{},{},{:.1},{},{},{},{},{},{},{},{},{}\n",
                csv_field(&line.key),
                csv_field(&line.label),
                line.shows,
                line.seats,
                line.seats_sold,
                line.occupancy_percent,
                money(line.gross),
                money(line.refunds),
                money(line.fees),
                money(line.net),
                money(line.discounts),
                money(line.food),
                line.waitlisted,
                line.waitlist_booked,
                self.currency
            ));
        }
        out
    }
}

#[cfg(feature = "ssr")]
/// A CSV field, quoted when it must be, and never read as a formula by a spreadsheet.
fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("Screen 1"), "Screen 1");
        assert_eq!(csv_field("Dune, Part Two"), "\"Dune, Part Two\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
    }

    #[test]
    fn occupancy_is_to_one_decimal() {
        assert_eq!(occupancy(0, 0), 0.0);
        assert_eq!(occupancy(1, 3), 33.3);
        assert_eq!(occupancy(2, 3), 66.7);
        assert_eq!(occupancy(32, 32), 100.0);
    }
}
