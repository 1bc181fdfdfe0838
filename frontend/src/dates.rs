//! Calendar helpers for the agenda screens: today in the browser, weeks, French labels.
//! (chrono's clock is not available in the browser build: today comes from `Date`.)

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use rdv_shared::time::{MONTHS_FR, WEEKDAYS_FR};

/// Today, as the browser's clock and zone say.
pub fn today() -> NaiveDate {
    let now = js_sys::Date::new_0();
    NaiveDate::from_ymd_opt(now.get_full_year() as i32, now.get_month() + 1, now.get_date()).unwrap_or_default()
}

pub fn monday_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

pub fn weekday_fr(w: Weekday) -> &'static str {
    WEEKDAYS_FR[w.num_days_from_monday() as usize]
}

/// Now, by the browser's clock (chrono's `Utc::now` panics in the browser build).
pub fn now_utc() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
}

/// "06/12/2026 14:05" in the browser's zone.
pub fn local_date_time(t: DateTime<Utc>) -> String {
    let offset = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(t.timestamp_millis() as f64)).get_timezone_offset();
    (t - Duration::minutes(offset as i64)).format("%d/%m/%Y %H:%M").to_string()
}

/// "lun. 23/11"
pub fn short_day(d: NaiveDate) -> String {
    format!("{}. {:02}/{:02}", &weekday_fr(d.weekday())[..3], d.day(), d.month())
}

/// "lundi 23 novembre 2026"
pub fn long_day(d: NaiveDate) -> String {
    format!("{} {} {} {}", weekday_fr(d.weekday()), d.day(), MONTHS_FR[d.month0() as usize], d.year())
}

/// Parses `YYYY-MM-DD`.
pub fn parse_day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// Waits `ms` milliseconds (polling a background job's progress).
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
