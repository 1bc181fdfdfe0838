//! Calendar helpers for the agenda screens: today in the browser, weeks, French labels.
//! (chrono's clock is not available in the browser build: today comes from `Date`.)

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// Today, as the browser's clock and zone say.
pub fn today() -> NaiveDate {
    let now = js_sys::Date::new_0();
    NaiveDate::from_ymd_opt(now.get_full_year() as i32, now.get_month() + 1, now.get_date()).unwrap_or_default()
}

pub fn monday_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

pub fn weekday_fr(w: Weekday) -> &'static str {
    match w {
        Weekday::Mon => "lundi",
        Weekday::Tue => "mardi",
        Weekday::Wed => "mercredi",
        Weekday::Thu => "jeudi",
        Weekday::Fri => "vendredi",
        Weekday::Sat => "samedi",
        Weekday::Sun => "dimanche",
    }
}

const MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// "lun. 23/11"
pub fn short_day(d: NaiveDate) -> String {
    format!("{}. {:02}/{:02}", &weekday_fr(d.weekday())[..3], d.day(), d.month())
}

/// "lundi 23 novembre 2026"
pub fn long_day(d: NaiveDate) -> String {
    format!("{} {} {} {}", weekday_fr(d.weekday()), d.day(), MONTHS[d.month0() as usize], d.year())
}

/// Parses `YYYY-MM-DD`.
pub fn parse_day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}
