//! Dates, times and lengths as each language writes them, with the names of days and months
//! from the catalogues: "Fri 28 Nov, 7:45 PM", "शुक्र 28 नव॰, 7:45 अपराह्न". Times are local to
//! the theater already; money is the same in both (`crate::money`, Indian digit grouping).

use super::{tr, tr_with, Arg, Lang};
use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

/// "Fri" / "शुक्र".
pub fn weekday(lang: Lang, date: NaiveDate) -> String {
    tr(
        lang,
        &format!("weekday-{}", date.weekday().number_from_monday()),
    )
}

/// "28 Nov" / "28 नव॰".
pub fn day_month(lang: Lang, date: NaiveDate) -> String {
    let month = tr(lang, &format!("month-{}", date.month()));
    format!("{} {month}", date.day())
}

/// "28 November 2025" / "28 नवंबर 2025".
pub fn long_date(lang: Lang, date: NaiveDate) -> String {
    let month = tr(lang, &format!("month-long-{}", date.month()));
    format!("{} {month} {}", date.day(), date.year())
}

/// "7:45 PM" / "7:45 अपराह्न".
pub fn time(lang: Lang, at: NaiveTime) -> String {
    let (pm, hour) = at.hour12();
    let clock = format!("{hour}:{:02}", at.minute());
    let id = if pm { "time-pm" } else { "time-am" };
    tr_with(lang, id, &[("time", Arg::Text(&clock))])
}

/// "Fri 28 Nov, 7:45 PM" / "शुक्र 28 नव॰, 7:45 अपराह्न".
pub fn date_time(lang: Lang, at: NaiveDateTime) -> String {
    format!(
        "{} {}, {}",
        weekday(lang, at.date()),
        day_month(lang, at.date()),
        time(lang, at.time())
    )
}

/// "2h 30m" / "2 घं 30 मि": how long a movie runs.
pub fn runtime(lang: Lang, minutes: i32) -> String {
    let (hours, minutes) = (i64::from(minutes / 60), i64::from(minutes % 60));
    let id = match (hours, minutes) {
        (0, _) => "runtime-minutes",
        (_, 0) => "runtime-hours",
        _ => "runtime",
    };
    tr_with(
        lang,
        id,
        &[
            ("hours", Arg::Number(hours)),
            ("minutes", Arg::Number(minutes)),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times_read_as_each_language_writes_them() {
        let at = NaiveDate::from_ymd_opt(2025, 11, 28)
            .unwrap()
            .and_hms_opt(19, 45, 0)
            .unwrap();
        assert_eq!(date_time(Lang::En, at), "Fri 28 Nov, 7:45 PM");
        assert_eq!(date_time(Lang::Hi, at), "शुक्र 28 नव॰, 7:45 अपराह्न");
        let morning = NaiveTime::from_hms_opt(0, 5, 0).unwrap();
        assert_eq!(time(Lang::En, morning), "12:05 AM");
        assert_eq!(long_date(Lang::Hi, at.date()), "28 नवंबर 2025");
        assert_eq!(runtime(Lang::En, 150), "2h 30m");
        assert_eq!(runtime(Lang::En, 120), "2h");
        assert_eq!(runtime(Lang::Hi, 45), "45 मि");
        for month in 1..=12 {
            let date = NaiveDate::from_ymd_opt(2025, month, 1).unwrap();
            assert!(!day_month(Lang::Hi, date).contains("month-"), "{month}");
            assert!(!long_date(Lang::Hi, date).contains("month-"), "{month}");
        }
        for day in 1..=7 {
            let date = NaiveDate::from_ymd_opt(2025, 12, day).unwrap();
            assert!(!weekday(Lang::Hi, date).contains("weekday-"), "{day}");
        }
    }
}
