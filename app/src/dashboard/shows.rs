//! Putting shows on sale: one show, or a weekly pattern over a range of dates. PostgreSQL
//! schedules each show (`schedule_show`: the screen locked, the movie, format, language and a
//! price for every seat category checked, no overlap with another show of the screen cleaning
//! time included, the show's seats created, the audit entry written). A pattern is scheduled
//! in one transaction: a date that cannot take its show (taken, or past) is skipped and said
//! why; anything else wrong with the request refuses all of it.

#[cfg(feature = "ssr")]
use super::{Dashboard, DashboardError};
#[cfg(feature = "ssr")]
use crate::booking::Actor;
#[cfg(feature = "ssr")]
use crate::i18n::Text;
use crate::ids::ShowId;
use chrono::{DateTime, NaiveDate, Utc};
#[cfg(feature = "ssr")]
use chrono::{Datelike, NaiveTime, TimeZone, Weekday};
use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use sqlx::PgConnection;
use std::collections::BTreeMap;
use uuid::Uuid;

#[cfg(feature = "ssr")]
/// The furthest a pattern reaches: about two months of dates.
const MOST_DAYS: i64 = 62;
#[cfg(feature = "ssr")]
/// Show times a pattern may name per day.
const MOST_TIMES: usize = 8;
#[cfg(feature = "ssr")]
/// The most a seat may cost, in minor units (₹1,00,000).
const MOST_PRICE: i64 = 10_000_000;

/// What every show of a schedule shares.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Schedule {
    pub movie_id: Uuid,
    pub screen_id: Uuid,
    /// One of the movie's languages.
    pub language: String,
    /// One of the screen's formats (`2D`, `3D`, `IMAX 2D`, ...).
    pub format: String,
    /// A price in minor units for every seat category of the screen, by name.
    pub prices: BTreeMap<String, i64>,
}

/// One show.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewShow {
    #[serde(flatten)]
    pub schedule: Schedule,
    pub starts_at: DateTime<Utc>,
}

/// The same show on chosen weekdays at chosen times (the theater's local time), from one date
/// to another.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Recurring {
    #[serde(flatten)]
    pub schedule: Schedule,
    /// `mon` .. `sun`.
    pub days: Vec<String>,
    /// `HH:MM`, the theater's local time.
    pub times: Vec<String>,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// A show put on sale.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow, utoipa::ToSchema))]
pub struct ScheduledShow {
    pub show_id: ShowId,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub language: String,
    pub format: String,
}

/// A date and time of a pattern that did not get its show, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Skipped {
    pub date: NaiveDate,
    pub time: String,
    /// `overlap` (with `conflicting_show_id`) or `in_the_past`.
    pub reason: String,
    pub conflicting_show_id: Option<Uuid>,
}

/// What a pattern scheduled.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Scheduled {
    pub created: Vec<ScheduledShow>,
    pub skipped: Vec<Skipped>,
}

impl Scheduled {
    /// In a few words for a page's address: `created;date time reason show;...`.
    pub fn summary(&self) -> String {
        let skipped = self.skipped.iter().map(|s| {
            let show = s
                .conflicting_show_id
                .map(|id| id.to_string())
                .unwrap_or_default();
            format!("{} {} {} {show}", s.date, s.time, s.reason)
        });
        let first = self
            .created
            .first()
            .map(|c| c.starts_at.date_naive().to_string());
        std::iter::once(format!(
            "{} {}",
            self.created.len(),
            first.unwrap_or_default()
        ))
        .chain(skipped)
        .collect::<Vec<_>>()
        .join(";")
    }

    /// What `summary` wrote, read back: shows created, the first one's day, and each date
    /// skipped with its reason and the show in the way; None for anything else.
    pub fn from_summary(text: &str) -> Option<(usize, String, Vec<Skipped>)> {
        let mut parts = text.split(';');
        let (created, first) = parts.next()?.split_once(' ')?;
        let skipped = parts
            .map(|entry| {
                let mut f = entry.split(' ');
                Some(Skipped {
                    date: f.next()?.parse().ok()?,
                    time: f.next()?.to_owned(),
                    reason: f.next()?.to_owned(),
                    conflicting_show_id: f.next().and_then(|id| id.parse().ok()),
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some((created.parse().ok()?, first.to_owned(), skipped))
    }
}

#[cfg(feature = "ssr")]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
struct Written {
    outcome: String,
    show_id: Option<ShowId>,
    detail: Option<String>,
    conflict_id: Option<Uuid>,
}

#[cfg(feature = "ssr")]
impl Dashboard {
    /// Schedules one show on a screen of a theater the actor runs.
    pub async fn schedule_show(
        &self,
        actor: Actor,
        show: &NewShow,
    ) -> Result<ScheduledShow, DashboardError> {
        self.screen_theater(actor, show.schedule.screen_id).await?;
        validate(&show.schedule)?;
        let mut conn = self.db.acquire().await?;
        let scheduled = write(&mut conn, actor, &show.schedule, show.starts_at).await?;
        self.catalog.schedule_changed().await;
        Ok(scheduled)
    }

    /// Schedules a weekly pattern, all in one transaction; the dates that cannot take their
    /// show are skipped and said why.
    pub async fn schedule_recurring(
        &self,
        actor: Actor,
        pattern: &Recurring,
    ) -> Result<Scheduled, DashboardError> {
        let zone = self
            .screen_theater(actor, pattern.schedule.screen_id)
            .await?;
        validate(&pattern.schedule)?;
        let (days, times) = validate_pattern(pattern)?;
        let mut tx = self.db.begin().await?;
        let mut done = Scheduled {
            created: Vec::new(),
            skipped: Vec::new(),
        };
        let dates = pattern.from.iter_days().take_while(|d| *d <= pattern.to);
        for date in dates.filter(|d| days.contains(&d.weekday())) {
            for (time, text) in &times {
                let local = zone.from_local_datetime(&date.and_time(*time)).earliest();
                let Some(starts_at) = local.map(|t| t.with_timezone(&Utc)) else {
                    continue; // A time the clocks skip that day.
                };
                let skip = |reason: &str, conflict| Skipped {
                    date,
                    time: text.clone(),
                    reason: reason.to_owned(),
                    conflicting_show_id: conflict,
                };
                match write(&mut tx, actor, &pattern.schedule, starts_at).await {
                    Ok(show) => done.created.push(show),
                    Err(DashboardError::Overlap { show_id, .. }) => {
                        done.skipped.push(skip("overlap", Some(show_id)))
                    }
                    Err(DashboardError::Invalid(fields)) if fields.contains_key("starts_at") => {
                        done.skipped.push(skip("in_the_past", None))
                    }
                    Err(other) => return Err(other),
                }
            }
        }
        tx.commit().await?;
        self.catalog.schedule_changed().await;
        Ok(done)
    }

    /// The time zone of the theater a screen belongs to (its city's), once the actor may run it.
    async fn screen_theater(
        &self,
        actor: Actor,
        screen: Uuid,
    ) -> Result<chrono_tz::Tz, DashboardError> {
        let found: Option<(Uuid, String)> = sqlx::query_as(
            "SELECT t.id, c.time_zone FROM screens s JOIN theaters t ON t.id = s.theater_id
               JOIN cities c ON c.id = t.city_id
              WHERE s.id = $1",
        )
        .bind(screen)
        .fetch_optional(&self.db)
        .await?;
        let (theater, zone) =
            found.ok_or_else(|| DashboardError::field("screen_id", "err-no-screen"))?;
        self.may_run(actor, theater).await?;
        Ok(zone.parse().unwrap_or(chrono_tz::Asia::Kolkata))
    }
}

#[cfg(feature = "ssr")]
/// One show through `schedule_show`, its outcome in the client's words.
async fn write(
    conn: &mut PgConnection,
    actor: Actor,
    schedule: &Schedule,
    starts_at: DateTime<Utc>,
) -> Result<ScheduledShow, DashboardError> {
    let written: Written =
        sqlx::query_as("SELECT * FROM schedule_show($1, $2, $3, $4, $5, $6, $7)")
            .bind(actor.user_id)
            .bind(schedule.movie_id)
            .bind(schedule.screen_id)
            .bind(starts_at)
            .bind(&schedule.language)
            .bind(&schedule.format)
            .bind(sqlx::types::Json(&schedule.prices))
            .fetch_one(&mut *conn)
            .await?;
    let detail = written.detail.unwrap_or_default();
    let field = DashboardError::field;
    // A refusal naming what PostgreSQL found wrong (a format, a language, a category).
    let with = |name: &str, id: &str, arg: &str| {
        DashboardError::field_with(name, Text::new(id).arg(arg, detail.as_str()))
    };
    match (
        written.outcome.as_str(),
        written.show_id,
        written.conflict_id,
    ) {
        ("created", Some(show), _) => Ok(sqlx::query_as(
            "SELECT id AS show_id, starts_at, ends_at, language, format FROM shows WHERE id = $1",
        )
        .bind(show)
        .fetch_one(&mut *conn)
        .await?),
        ("overlap", _, Some(conflict)) => {
            let starts: DateTime<Utc> =
                sqlx::query_scalar("SELECT starts_at FROM shows WHERE id = $1")
                    .bind(conflict)
                    .fetch_one(&mut *conn)
                    .await?;
            Err(DashboardError::Overlap {
                show_id: conflict,
                starts_at: starts.to_rfc3339(),
            })
        }
        ("no_screen", ..) => Err(field("screen_id", "err-no-screen")),
        ("no_movie", ..) => Err(field("movie_id", "err-no-movie")),
        ("in_the_past", ..) => Err(field("starts_at", "err-future")),
        ("unsupported_format", ..) => Err(with("format", "err-screen-shows", "formats")),
        ("unknown_language", ..) => Err(with("language", "err-movie-in", "languages")),
        ("unknown_category", ..) => Err(with("prices", "err-not-screen-category", "category")),
        ("missing_price", ..) => Err(with("prices", "err-price-for", "category")),
        (other, ..) => {
            tracing::error!(
                outcome = other,
                "schedule_show answered what nobody expects"
            );
            Err(DashboardError::Unavailable)
        }
    }
}

#[cfg(feature = "ssr")]
fn validate(schedule: &Schedule) -> Result<(), DashboardError> {
    validate_prices(&schedule.prices)
}

#[cfg(feature = "ssr")]
/// Some price for some category, each more than nothing and less than a fortune (which
/// categories, PostgreSQL or the caller checks against the screen).
pub(super) fn validate_prices(prices: &BTreeMap<String, i64>) -> Result<(), DashboardError> {
    if prices.is_empty() {
        return Err(DashboardError::field("prices", "err-every-price"));
    }
    if let Some((name, _)) = prices
        .iter()
        .find(|(_, price)| !(1..=MOST_PRICE).contains(*price))
    {
        let text = Text::new("err-price-range").arg("category", name.as_str());
        return Err(DashboardError::field_with("prices", text));
    }
    Ok(())
}

#[cfg(feature = "ssr")]
/// A show time of a pattern, and how the request wrote it.
type ShowTime = (NaiveTime, String);

#[cfg(feature = "ssr")]
/// The pattern's weekdays and times, each checked.
fn validate_pattern(pattern: &Recurring) -> Result<(Vec<Weekday>, Vec<ShowTime>), DashboardError> {
    let field = DashboardError::field;
    let days = pattern
        .days
        .iter()
        .map(|d| d.parse::<Weekday>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| field("days", "err-days"))?;
    if days.is_empty() {
        return Err(field("days", "err-one-day"));
    }
    if pattern.times.is_empty() || pattern.times.len() > MOST_TIMES {
        return Err(field("times", "err-show-times"));
    }
    let times = pattern
        .times
        .iter()
        .map(|t| NaiveTime::parse_from_str(t, "%H:%M").map(|time| (time, t.clone())))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| field("times", "err-times"))?;
    let span = (pattern.to - pattern.from).num_days();
    if span < 0 {
        return Err(field("to", "err-last-date"));
    }
    if span >= MOST_DAYS {
        return Err(field("to", "err-schedule-days"));
    }
    Ok((days, times))
}
