//! Instants for display: stored in UTC, rendered with an organisation's offset; French day
//! and month names (the SPA and the notification texts share them).

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};

/// `utc` (a UTC instant without zone) in the IANA zone `tz`, as RFC 3339 with its offset.
/// An unknown zone falls back to UTC: zones are validated on write, so that is a data bug.
pub fn in_zone(utc: NaiveDateTime, tz: &str) -> DateTime<FixedOffset> {
    let instant = Utc.from_utc_datetime(&utc);
    match tz.parse::<chrono_tz::Tz>() {
        Ok(zone) => instant.with_timezone(&zone).fixed_offset(),
        Err(_) => instant.fixed_offset(),
    }
}

/// French day names, Monday first (`Weekday::num_days_from_monday`).
pub const WEEKDAYS_FR: [&str; 7] = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"];

/// French month names, January first (`Datelike::month0`).
pub const MONTHS_FR: [&str; 12] = [
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_follow_the_zone_and_the_season() {
        let winter = NaiveDateTime::parse_from_str("2026-01-15 09:00:00", "%Y-%m-%d %H:%M:%S").unwrap();
        let summer = NaiveDateTime::parse_from_str("2026-07-15 09:00:00", "%Y-%m-%d %H:%M:%S").unwrap();
        assert_eq!(in_zone(winter, "Europe/Paris").to_rfc3339(), "2026-01-15T10:00:00+01:00");
        assert_eq!(in_zone(summer, "Europe/Paris").to_rfc3339(), "2026-07-15T11:00:00+02:00");
        assert_eq!(in_zone(winter, "America/Cayenne").to_rfc3339(), "2026-01-15T06:00:00-03:00");
        assert_eq!(in_zone(winter, "Indian/Reunion").to_rfc3339(), "2026-01-15T13:00:00+04:00");
        assert_eq!(in_zone(winter, "Nowhere/Land").to_rfc3339(), "2026-01-15T09:00:00+00:00");
    }
}
