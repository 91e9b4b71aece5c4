//! A realistic day of shows for one screen: from mid-morning to late night, each show followed
//! by a cleaning break, prices by seat category, format, time of day and weekday.

use super::{data::MovieSeed, id, pick, Screen, TIME_ZONE};
use chrono::{
    DateTime, Datelike, NaiveDate, NaiveTime, TimeDelta, TimeZone, Timelike, Utc, Weekday,
};
use uuid::Uuid;

pub struct Movie {
    pub id: Uuid,
    pub runtime: i32,
    pub languages: &'static [&'static str],
    pub has_3d: bool,
}

impl Movie {
    pub fn from_seed(id: Uuid, seed: &MovieSeed) -> Self {
        Self {
            id,
            runtime: seed.runtime,
            languages: seed.languages,
            has_3d: seed.has_3d,
        }
    }
}

pub struct Show {
    pub id: Uuid,
    pub movie_id: Uuid,
    pub screen_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub language: String,
    pub format: &'static str,
    /// (seat category id, price in paise)
    pub prices: Vec<(Uuid, i64)>,
}

const TRAILERS_MINUTES: i64 = 10;
const CLEANING_MINUTES: i64 = 20;

pub fn day(screen: &Screen, movies: &[Movie], date: NaiveDate) -> Vec<Show> {
    let screen_key = screen.id.to_string();
    let day_key = date.to_string();
    let first = pick(&["first-show", &screen_key, &day_key]) % 4;
    let mut start = date.and_time(NaiveTime::from_hms_opt(9, 0, 0).expect("valid time"))
        + TimeDelta::minutes(first as i64 * 15);
    let last_start = date.and_time(NaiveTime::from_hms_opt(22, 45, 0).expect("valid time"));
    let mut shows = Vec::new();
    let mut slot = 0;
    while start <= last_start && !movies.is_empty() {
        let slot_key = slot.to_string();
        let choice = pick(&["movie", &screen_key, &day_key, &slot_key]);
        let movie = &movies[(choice % movies.len() as u64) as usize];
        let end = start + TimeDelta::minutes(movie.runtime as i64 + TRAILERS_MINUTES);
        let format = format_for(screen, movie, choice);
        let starts_at = local(start);
        shows.push(Show {
            id: id(&["show", &screen_key, &starts_at.to_rfc3339()]),
            movie_id: movie.id,
            screen_id: screen.id,
            starts_at,
            ends_at: local(end),
            language: movie.languages[(choice / 7 % movie.languages.len() as u64) as usize]
                .to_owned(),
            format,
            prices: screen
                .template
                .categories()
                .into_iter()
                .map(|category| (screen.category_id(category), price(category, format, start)))
                .collect(),
        });
        start = round_up_to_five(end + TimeDelta::minutes(CLEANING_MINUTES));
        slot += 1;
    }
    shows
}

fn format_for(screen: &Screen, movie: &Movie, choice: u64) -> &'static str {
    let three_d = movie.has_3d && !choice.is_multiple_of(3);
    match (screen.template.imax, three_d) {
        (true, true) => "IMAX 3D",
        (true, false) => "IMAX 2D",
        (false, true) => "3D",
        (false, false) => "2D",
    }
}

/// Paise, rounded to whole ten-rupee steps as cinemas price them.
fn price(category: &str, format: &str, start: chrono::NaiveDateTime) -> i64 {
    let base: i64 = match category {
        "Recliner" => 550,
        "Executive" => 380,
        "Prime" => 300,
        _ => 180,
    };
    let mut rupees = base as f64;
    if format.starts_with("IMAX") {
        rupees *= 1.4;
    }
    if format.ends_with("3D") {
        rupees += 60.0;
    }
    if start.hour() >= 18 {
        rupees *= 1.1;
    }
    if matches!(start.weekday(), Weekday::Fri | Weekday::Sat | Weekday::Sun) {
        rupees *= 1.1;
    }
    (rupees / 10.0).round() as i64 * 10 * 100
}

fn local(time: chrono::NaiveDateTime) -> DateTime<Utc> {
    TIME_ZONE
        .from_local_datetime(&time)
        .single()
        .expect("Indian Standard Time has no ambiguous local times")
        .with_timezone(&Utc)
}

fn round_up_to_five(time: chrono::NaiveDateTime) -> chrono::NaiveDateTime {
    let over = time.minute() % 5;
    let time = time.with_second(0).expect("valid second");
    if over == 0 {
        time
    } else {
        time + TimeDelta::minutes((5 - over) as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{layout, MOVIES};
    use super::*;

    #[test]
    fn a_day_of_shows_never_overlaps_and_ends_by_closing() {
        let screen = Screen::new(Uuid::nil(), 1, &layout::CLASSIC);
        let movies: Vec<Movie> = MOVIES
            .iter()
            .map(|m| Movie::from_seed(Uuid::new_v4(), m))
            .collect();
        let date = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let shows = day(&screen, &movies, date);
        assert!((3..=7).contains(&shows.len()), "{} shows", shows.len());
        for pair in shows.windows(2) {
            assert!(pair[1].starts_at >= pair[0].ends_at + TimeDelta::minutes(CLEANING_MINUTES));
        }
        let first_local = shows[0].starts_at.with_timezone(&TIME_ZONE);
        assert!(first_local.hour() >= 9 && first_local.hour() < 10);
        assert!(shows
            .iter()
            .all(|s| s.prices.iter().all(|(_, p)| *p > 0 && p % 1000 == 0)));
    }

    #[test]
    fn premium_seats_and_formats_cost_more() {
        let noon = NaiveDate::from_ymd_opt(2026, 11, 25)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap();
        assert!(price("Recliner", "2D", noon) > price("Prime", "2D", noon));
        assert!(price("Prime", "2D", noon) > price("Classic", "2D", noon));
        assert!(price("Prime", "IMAX 3D", noon) > price("Prime", "3D", noon));
        assert_eq!(price("Classic", "2D", noon), 18_000);
    }
}
