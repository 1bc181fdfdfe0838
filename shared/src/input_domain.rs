//! The input domain of every date and time the API reads, whichever field or parameter holds
//! it, so that SQLite and PostgreSQL store the same thing for the same request:
//!
//! - years from [`FIRST_YEAR`] to [`LAST_YEAR`], written with four digits and no sign
//!   (PostgreSQL refuses years before 4713 BC with a 500, and SQLite compares dates as text, so
//!   `+10000-01-01` sorted before `2026-…`);
//! - no leap second (`10:59:60`: PostgreSQL rolls it over to the next minute, SQLite keeps it);
//! - times of day to the second (`09:00:30.123456789` kept nanoseconds on SQLite, microseconds on
//!   PostgreSQL). Date-times may carry a fraction: every write truncates instants to the
//!   microsecond on both backends.
//!
//! The server applies [`temporal_problem`] to every text of a JSON body and every query value
//! (`api::extract`), before the typed parsing: a text that is exactly an ISO 8601 date, date-time
//! or time is checked; any other text is not a date and passes. Field rules (birth dates, RDV
//! windows) come on top, in their own modules.

/// First year any date may have (birth dates reach 130 years back).
pub const FIRST_YEAR: i32 = 1800;
/// Last year any date may have.
pub const LAST_YEAR: i32 = 2200;

/// Why a date or time text is outside the domain, as the 422's error code.
pub const OUT_OF_RANGE: &str = "out_of_range";
pub const LEAP_SECOND: &str = "leap_second";
pub const TOO_PRECISE: &str = "too_precise";

fn digits(b: &[u8], n: usize) -> Option<u32> {
    (b.len() >= n && b[..n].iter().all(u8::is_ascii_digit))
        .then(|| b[..n].iter().fold(0, |acc, d| acc * 10 + u32::from(d - b'0')))
}

/// `HH:MM[:SS[.fff…]]` at the start of `b`: (seconds if any, has a fraction, bytes read).
fn time_prefix(b: &[u8]) -> Option<(Option<u32>, bool, usize)> {
    digits(b, 2)?;
    if b.get(2) != Some(&b':') {
        return None;
    }
    digits(&b[3..], 2)?;
    if b.get(5) != Some(&b':') {
        return Some((None, false, 5));
    }
    let seconds = digits(&b[6..], 2)?;
    if b.get(8) != Some(&b'.') && b.get(8) != Some(&b',') {
        return Some((Some(seconds), false, 8));
    }
    let fraction = b[9..].iter().take_while(|c| c.is_ascii_digit()).count();
    (fraction > 0).then_some((Some(seconds), true, 9 + fraction))
}

/// `Z`, `±HH:MM`, `±HHMM`, `±HH` or nothing: is `b` exactly that?
fn is_offset(b: &[u8]) -> bool {
    match b {
        [] | [b'Z' | b'z'] => true,
        [b'+' | b'-', rest @ ..] => match rest.len() {
            2 | 4 => digits(rest, rest.len()).is_some(),
            5 => digits(rest, 2).is_some() && rest[2] == b':' && digits(&rest[3..], 2).is_some(),
            _ => false,
        },
        _ => false,
    }
}

/// `None` when `text` is not a date, date-time or time, or is one inside the domain; else the
/// error code.
pub fn temporal_problem(text: &str) -> Option<&'static str> {
    let b = text.as_bytes();
    // A time of day alone.
    if let Some((seconds, fraction, read)) = time_prefix(b) {
        if read != b.len() {
            return None;
        }
        return match (seconds, fraction) {
            (Some(60..), _) => Some(LEAP_SECOND),
            (_, true) => Some(TOO_PRECISE),
            _ => None,
        };
    }
    // A date: optional sign, year digits, `-MM-DD`.
    let signed = matches!(b.first(), Some(b'+' | b'-'));
    let start = usize::from(signed);
    let year_len = b[start..].iter().take_while(|c| c.is_ascii_digit()).count();
    let after_year = start + year_len;
    if year_len < 4 || b.get(after_year) != Some(&b'-') {
        return None;
    }
    let rest = &b[after_year + 1..];
    if digits(rest, 2).is_none() || rest.get(2) != Some(&b'-') || digits(&rest[3..], 2).is_none() {
        return None;
    }
    let tail = &rest[5..];
    let seconds = match tail.first() {
        None => None,
        Some(b'T' | b't' | b' ') => {
            let (seconds, _, read) = time_prefix(&tail[1..])?;
            if !is_offset(&tail[1 + read..]) {
                return None;
            }
            seconds
        }
        Some(_) => return None,
    };
    let year = text[start..after_year].parse::<i64>().ok();
    let in_range = year.is_some_and(|y| (i64::from(FIRST_YEAR)..=i64::from(LAST_YEAR)).contains(&y));
    if signed || year_len != 4 || !in_range {
        return Some(OUT_OF_RANGE);
    }
    (seconds >= Some(60)).then_some(LEAP_SECOND)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times_in_and_out_of_the_domain() {
        for (text, expected) in [
            // Not dates: pass.
            ("", None),
            ("Martin", None),
            ("2026", None),
            ("2026-13", None),
            ("0612345678", None),
            ("12:30 au bureau", None),
            ("2026-01-01 et après", None),
            ("rdv du 2026-01-01", None),
            ("10h30", None),
            // Dates in the domain.
            ("2026-12-07", None),
            ("1800-01-01", None),
            ("2200-12-31", None),
            ("2026-12-07T10:30:00+01:00", None),
            ("2026-12-07T10:30:00.000Z", None),
            ("2026-12-07T10:30", None),
            ("2026-12-07 10:30:00", None),
            ("2026-12-07T10:30:59+0100", None),
            // Years outside it.
            ("-5000-01-01", Some(OUT_OF_RANGE)),
            ("-5000-01-01T10:00:00+01:00", Some(OUT_OF_RANGE)),
            ("0000-01-01", Some(OUT_OF_RANGE)),
            ("-0001-01-01", Some(OUT_OF_RANGE)),
            ("+2026-01-01", Some(OUT_OF_RANGE)),
            ("1799-12-31", Some(OUT_OF_RANGE)),
            ("2201-01-01", Some(OUT_OF_RANGE)),
            ("9999-08-01", Some(OUT_OF_RANGE)),
            ("+10000-01-01", Some(OUT_OF_RANGE)),
            ("99999999999999999999-01-01", Some(OUT_OF_RANGE)),
            // Leap seconds and sub-second times of day.
            ("2026-06-30T10:59:60+01:00", Some(LEAP_SECOND)),
            ("23:59:60", Some(LEAP_SECOND)),
            ("09:00:30.123456789", Some(TOO_PRECISE)),
            ("09:00:30", None),
            ("09:00", None),
        ] {
            assert_eq!(temporal_problem(text), expected, "{text:?}");
        }
    }

    proptest::proptest! {
        /// Any date chrono prints for a year in the domain passes; any other year is refused.
        #[test]
        fn chrono_dates_follow_the_year_rule(days in -1_000_000i64..1_000_000, secs in 0u32..86_400) {
            use chrono::{Datelike, NaiveDate, NaiveTime};
            let Some(day) = NaiveDate::from_ymd_opt(2000, 1, 1).and_then(|d| d.checked_add_signed(chrono::Duration::days(days))) else { return Ok(()) };
            let time = NaiveTime::from_num_seconds_from_midnight_opt(secs, 0).unwrap_or_default();
            let inside = (FIRST_YEAR..=LAST_YEAR).contains(&day.year());
            let expected = if inside { None } else { Some(OUT_OF_RANGE) };
            proptest::prop_assert_eq!(temporal_problem(&day.to_string()), expected);
            proptest::prop_assert_eq!(temporal_problem(&day.and_time(time).and_utc().to_rfc3339()), expected);
            proptest::prop_assert_eq!(temporal_problem(&time.to_string()), None);
        }
    }
}
