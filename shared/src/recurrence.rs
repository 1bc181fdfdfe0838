//! Recurrence of plages d'ouverture and absences (reference-domain.md §1.7, §3.4), in the
//! reference's JSON shape: `null` for once, else `{"every": "week"|"month", "interval": 1–5,
//! "on": ["monday", …], "day": {"tuesday": [2]}, "until": "YYYY-MM-DD"}`.
//!
//! Expansion turns wall-clock hours into UTC instants in the organisation's IANA zone, day by
//! day, so DST changes and overseas zones are right by construction. Pure: callers pass the
//! window.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// How often a rule repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Every {
    Week,
    Month,
}

/// A repeating rule. `on` (weekly) lists weekdays, empty meaning the first day's weekday;
/// `day` (monthly) maps one weekday to its rank in the month (1–5, or -1 for the last).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Recurrence {
    pub every: Every,
    #[serde(default = "one")]
    pub interval: u32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub on: Vec<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub day: BTreeMap<String, Vec<i32>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
}

fn one() -> u32 {
    1
}

const WEEKDAYS: [(&str, Weekday, &str); 7] = [
    ("monday", Weekday::Mon, "MO"),
    ("tuesday", Weekday::Tue, "TU"),
    ("wednesday", Weekday::Wed, "WE"),
    ("thursday", Weekday::Thu, "TH"),
    ("friday", Weekday::Fri, "FR"),
    ("saturday", Weekday::Sat, "SA"),
    ("sunday", Weekday::Sun, "SU"),
];

fn weekday(name: &str) -> Option<Weekday> {
    WEEKDAYS.iter().find(|(n, _, _)| *n == name).map(|(_, w, _)| *w)
}

fn byday(w: Weekday) -> &'static str {
    WEEKDAYS.iter().find(|(_, x, _)| *x == w).map_or("MO", |(_, _, code)| code)
}

impl Recurrence {
    /// Field errors as `(field, code)`: interval 1–5, known weekdays, a monthly rule with exactly
    /// one weekday and rank, `until` not before the first day.
    pub fn validate(&self, first_day: NaiveDate) -> Vec<(&'static str, &'static str)> {
        let mut errors = Vec::new();
        if !(1..=5).contains(&self.interval) {
            errors.push(("recurrence.interval", "inclusion"));
        }
        match self.every {
            Every::Week => {
                if self.on.iter().any(|d| weekday(d).is_none()) {
                    errors.push(("recurrence.on", "inclusion"));
                }
                if !self.day.is_empty() {
                    errors.push(("recurrence.day", "invalid"));
                }
            }
            Every::Month => {
                let ok = self.day.len() == 1
                    && self.day.iter().all(|(d, ranks)| {
                        weekday(d).is_some()
                            && ranks.len() == 1
                            && ranks.iter().all(|r| (1..=5).contains(r) || *r == -1)
                    });
                if !ok {
                    errors.push(("recurrence.day", "invalid"));
                }
                if !self.on.is_empty() {
                    errors.push(("recurrence.on", "invalid"));
                }
            }
        }
        if self.until.is_some_and(|u| u < first_day) {
            errors.push(("recurrence.until", "invalid"));
        }
        errors
    }

    /// Does the rule (started on `first_day`) produce an occurrence on `date`?
    pub fn matches(&self, first_day: NaiveDate, date: NaiveDate) -> bool {
        if date < first_day || self.until.is_some_and(|u| date > u) {
            return false;
        }
        let interval = i64::from(self.interval.max(1));
        match self.every {
            Every::Week => {
                let days: Vec<Weekday> = if self.on.is_empty() {
                    vec![first_day.weekday()]
                } else {
                    self.on.iter().filter_map(|d| weekday(d)).collect()
                };
                let week_start = |d: NaiveDate| d - Duration::days(i64::from(d.weekday().num_days_from_monday()));
                let weeks = (week_start(date) - week_start(first_day)).num_days() / 7;
                days.contains(&date.weekday()) && weeks % interval == 0
            }
            Every::Month => {
                let months = i64::from(date.year() - first_day.year()) * 12 + i64::from(date.month())
                    - i64::from(first_day.month());
                if months % interval != 0 {
                    return false;
                }
                self.day.iter().any(|(name, ranks)| {
                    weekday(name) == Some(date.weekday())
                        && ranks.iter().any(|r| match *r {
                            -1 => (date + Duration::days(7)).month() != date.month(),
                            n => i64::from((date.day() - 1) / 7 + 1) == i64::from(n),
                        })
                })
            }
        }
    }

    /// The iCalendar RRULE of this rule (for ICS feeds), `UNTIL` as the end of that day in `tz`.
    pub fn rrule(&self, tz: Tz) -> String {
        let mut parts = vec![format!("FREQ={}", if self.every == Every::Week { "WEEKLY" } else { "MONTHLY" })];
        parts.push(format!("INTERVAL={}", self.interval));
        match self.every {
            Every::Week if !self.on.is_empty() => {
                let days: Vec<&str> = self.on.iter().filter_map(|d| weekday(d)).map(byday).collect();
                parts.push(format!("BYDAY={}", days.join(",")));
            }
            Every::Week => {}
            Every::Month => {
                let days: Vec<String> = self
                    .day
                    .iter()
                    .flat_map(|(d, ranks)| ranks.iter().map(move |r| format!("{r}{}", weekday(d).map_or("MO", byday))))
                    .collect();
                parts.push(format!("BYDAY={}", days.join(",")));
            }
        }
        if let Some(until) = self.until {
            let end = until.and_hms_opt(23, 59, 59).and_then(|t| to_utc(tz, t));
            if let Some(end) = end {
                parts.push(format!("UNTIL={}", end.format("%Y%m%dT%H%M%SZ")));
            }
        }
        parts.join(";")
    }
}

/// A wall-clock time in `tz` as an instant. A time skipped by a DST change (02:30 on the spring
/// forward night) becomes the first instant after the gap; an ambiguous one, the earlier.
pub fn to_utc(tz: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, _) => Some(a.with_timezone(&Utc)),
        LocalResult::None => (1..=180).find_map(|m| match tz.from_local_datetime(&(local + Duration::minutes(m))) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Some(t.with_timezone(&Utc)),
            LocalResult::None => None,
        }),
    }
}

/// When a plage or an absence happens: on `first_day` from `start` to `end` (wall clock;
/// `end_day` for a multi-day absence), repeated by `rule` (`None`: once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule<'a> {
    pub first_day: NaiveDate,
    pub start: NaiveTime,
    pub end_day: Option<NaiveDate>,
    pub end: NaiveTime,
    pub rule: Option<&'a Recurrence>,
}

/// Occurrences of `schedule` overlapping `[from, to)`, as UTC half-open intervals, its wall-clock
/// hours read in `tz`.
pub fn occurrences(
    schedule: &Schedule<'_>,
    tz: Tz,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let Schedule { first_day, start, end_day, end, rule } = *schedule;
    let span_days = end_day.map_or(0, |d| (d - first_day).num_days().max(0));
    let make = |day: NaiveDate| {
        let s = to_utc(tz, day.and_time(start))?;
        let e = to_utc(tz, (day + Duration::days(span_days)).and_time(end))?;
        (e > s && s < to && e > from).then_some((s, e))
    };
    match rule {
        None => make(first_day).into_iter().collect(),
        Some(rule) => {
            // Local dates that can hold an occurrence overlapping the window (zones are within
            // ±14 h of UTC, multi-day spans reach back).
            let first = (from - Duration::days(span_days + 1)).date_naive().max(first_day);
            let mut last = (to + Duration::days(1)).date_naive();
            if let Some(u) = rule.until {
                last = last.min(u);
            }
            let mut out = Vec::new();
            let mut day = first;
            while day <= last {
                if rule.matches(first_day, day) {
                    out.extend(make(day));
                }
                day += Duration::days(1);
            }
            out
        }
    }
}

/// The first `count` days from `from` (inclusive) holding an occurrence, looking at most two
/// years ahead: what a form previews while the agent edits a rule.
pub fn next_days(first_day: NaiveDate, rule: Option<&Recurrence>, from: NaiveDate, count: usize) -> Vec<NaiveDate> {
    match rule {
        None => (first_day >= from).then_some(first_day).into_iter().collect(),
        Some(r) => {
            let mut out = Vec::new();
            let mut day = from.max(first_day);
            let stop = day + Duration::days(731);
            while out.len() < count && day <= stop && r.until.is_none_or(|u| day <= u) {
                if r.matches(first_day, day) {
                    out.push(day);
                }
                day += Duration::days(1);
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn preview_lists_the_next_days() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let rule = Recurrence {
            every: Every::Week,
            interval: 2,
            on: vec!["tuesday".into()],
            day: BTreeMap::new(),
            until: None,
        };
        assert_eq!(
            next_days(d("2026-11-24"), Some(&rule), d("2026-11-20"), 3),
            vec![d("2026-11-24"), d("2026-12-08"), d("2026-12-22")]
        );
        assert_eq!(next_days(d("2026-11-24"), None, d("2026-11-20"), 3), vec![d("2026-11-24")]);
        assert!(next_days(d("2026-11-24"), None, d("2026-11-25"), 3).is_empty());
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default()
    }

    fn weekly(on: &[&str], interval: u32, until: Option<&str>) -> Recurrence {
        Recurrence {
            every: Every::Week,
            interval,
            on: on.iter().map(|s| (*s).to_owned()).collect(),
            day: BTreeMap::new(),
            until: until.map(d),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn occurrences(
        first_day: NaiveDate,
        start: NaiveTime,
        end_day: Option<NaiveDate>,
        end: NaiveTime,
        rule: Option<&Recurrence>,
        tz: Tz,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        super::occurrences(&Schedule { first_day, start, end_day, end, rule }, tz, from, to)
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).unwrap_or_default()
    }

    #[test]
    fn json_shape_of_the_reference() {
        let r: Recurrence =
            serde_json::from_str(r#"{"every":"week","interval":2,"on":["monday","thursday"],"until":"2027-06-30"}"#)
                .unwrap_or_else(|_| weekly(&[], 9, None));
        assert_eq!(r, weekly(&["monday", "thursday"], 2, Some("2027-06-30")));
        let m: Recurrence =
            serde_json::from_str(r#"{"every":"month","day":{"tuesday":[2]}}"#).unwrap_or_else(|_| weekly(&[], 9, None));
        assert_eq!(m.interval, 1);
        assert!(m.validate(d("2026-01-13")).is_empty());
        assert!(serde_json::from_str::<Recurrence>(r#"{"every":"day"}"#).is_err());
        assert_eq!(weekly(&["funday"], 7, Some("2020-01-01")).validate(d("2026-01-01")).len(), 3);
    }

    #[test]
    fn paris_dst_keeps_wall_clock_hours() {
        let tz: Tz = "Europe/Paris".parse().unwrap_or(Tz::UTC);
        let rule = weekly(&["friday"], 1, None);
        // Fridays around the spring change (29 March 2026) and the autumn one (25 October 2026).
        let occ = occurrences(
            d("2026-03-20"),
            t(9, 0),
            None,
            t(12, 0),
            Some(&rule),
            tz,
            utc("2026-03-20T00:00:00Z"),
            utc("2026-04-04T00:00:00Z"),
        );
        assert_eq!(
            occ.iter().map(|(s, _)| s.to_rfc3339()).collect::<Vec<_>>(),
            vec!["2026-03-20T08:00:00+00:00", "2026-03-27T08:00:00+00:00", "2026-04-03T07:00:00+00:00"]
        );
        let occ = occurrences(
            d("2026-10-23"),
            t(9, 0),
            None,
            t(12, 0),
            Some(&rule),
            tz,
            utc("2026-10-23T00:00:00Z"),
            utc("2026-11-01T00:00:00Z"),
        );
        assert_eq!(
            occ.iter().map(|(s, _)| s.to_rfc3339()).collect::<Vec<_>>(),
            vec!["2026-10-23T07:00:00+00:00", "2026-10-30T08:00:00+00:00"]
        );
        // 02:30 does not exist on 29 March 2026 in Paris: the first instant after the gap.
        assert_eq!(
            to_utc(tz, d("2026-03-29").and_time(t(2, 30))).map(|x| x.to_rfc3339()),
            Some("2026-03-29T01:00:00+00:00".to_owned())
        );
    }

    #[test]
    fn overseas_zones() {
        for (zone, offset_hours) in [
            ("America/Cayenne", -3),
            ("Indian/Reunion", 4),
            ("Indian/Mayotte", 3),
            ("America/Guadeloupe", -4),
            ("America/Martinique", -4),
        ] {
            let tz: Tz = zone.parse().unwrap_or(Tz::UTC);
            let occ = occurrences(
                d("2026-03-23"),
                t(8, 30),
                None,
                t(12, 0),
                Some(&weekly(&["monday"], 1, None)),
                tz,
                utc("2026-03-01T00:00:00Z"),
                utc("2026-04-15T00:00:00Z"),
            );
            assert_eq!(occ.len(), 4, "{zone}");
            for (s, _) in occ {
                assert_eq!(s.with_timezone(&tz).time(), t(8, 30), "{zone}: no DST there");
                assert_eq!((s.naive_utc() - s.with_timezone(&tz).naive_local()).num_hours(), -offset_hours, "{zone}");
            }
        }
    }

    #[test]
    fn monthly_nth_and_last_weekday_and_rrule() {
        let tz: Tz = "Europe/Paris".parse().unwrap_or(Tz::UTC);
        let second_tuesday = Recurrence {
            every: Every::Month,
            interval: 1,
            on: vec![],
            day: BTreeMap::from([("tuesday".to_owned(), vec![2])]),
            until: Some(d("2026-12-31")),
        };
        let occ = occurrences(
            d("2026-09-08"),
            t(14, 0),
            None,
            t(16, 0),
            Some(&second_tuesday),
            tz,
            utc("2026-09-01T00:00:00Z"),
            utc("2027-03-01T00:00:00Z"),
        );
        let days: Vec<String> = occ.iter().map(|(s, _)| s.with_timezone(&tz).date_naive().to_string()).collect();
        assert_eq!(days, vec!["2026-09-08", "2026-10-13", "2026-11-10", "2026-12-08"]);
        assert_eq!(second_tuesday.rrule(tz), "FREQ=MONTHLY;INTERVAL=1;BYDAY=2TU;UNTIL=20261231T225959Z");
        let last_friday =
            Recurrence { day: BTreeMap::from([("friday".to_owned(), vec![-1])]), until: None, ..second_tuesday };
        assert!(last_friday.matches(d("2026-01-01"), d("2026-01-30")));
        assert!(!last_friday.matches(d("2026-01-01"), d("2026-01-23")));
        assert_eq!(weekly(&["monday", "thursday"], 2, None).rrule(tz), "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH");
    }

    #[test]
    fn multi_day_absence_once() {
        let tz: Tz = "Europe/Paris".parse().unwrap_or(Tz::UTC);
        let occ = occurrences(
            d("2026-07-06"),
            t(14, 0),
            Some(d("2026-07-08")),
            t(12, 0),
            None,
            tz,
            utc("2026-07-07T00:00:00Z"),
            utc("2026-07-07T23:00:00Z"),
        );
        assert_eq!(occ, vec![(utc("2026-07-06T12:00:00Z"), utc("2026-07-08T10:00:00Z"))], "overlapping the window");
    }

    const ZONES: [&str; 6] = [
        "Europe/Paris",
        "America/Cayenne",
        "Indian/Reunion",
        "Indian/Mayotte",
        "America/Guadeloupe",
        "America/Martinique",
    ];

    fn arb_rule() -> impl Strategy<Value = Recurrence> {
        let week = (
            proptest::sample::subsequence(
                vec!["monday", "tuesday", "wednesday", "thursday", "friday", "saturday"],
                0..4,
            ),
            1u32..=5,
            proptest::option::of(0i64..400),
        )
            .prop_map(|(on, interval, until)| (Every::Week, on, interval, until, None));
        let month = (
            proptest::sample::select(vec!["monday", "tuesday", "thursday", "friday"]),
            proptest::sample::select(vec![1, 2, 3, 4, -1]),
            1u32..=5,
            proptest::option::of(0i64..400),
        )
            .prop_map(|(day, rank, interval, until)| (Every::Month, vec![], interval, until, Some((day, rank))));
        prop_oneof![week, month].prop_map(|(every, on, interval, until, day)| Recurrence {
            every,
            interval,
            on: on.into_iter().map(str::to_owned).collect(),
            day: day.map(|(d, r): (&str, i32)| BTreeMap::from([(d.to_owned(), vec![r])])).unwrap_or_default(),
            until: until.map(|n| d("2026-01-05") + Duration::days(n)),
        })
    }

    proptest! {
        /// Expansion equals a naive day-by-day check over the window, every occurrence starts at
        /// the wall-clock hour in its zone, and keeps its wall-clock duration (daytime hours).
        #[test]
        fn expansion_matches_a_naive_reference(
            rule in arb_rule(),
            first_offset in 0i64..120,
            zone in proptest::sample::select(ZONES.to_vec()),
            start_h in 6u32..18, len_min in 15i64..240,
            window_offset in 0i64..300, window_days in 1i64..43,
        ) {
            let tz: Tz = zone.parse().unwrap_or(Tz::UTC);
            let first_day = d("2026-01-05") + Duration::days(first_offset);
            let start = t(start_h, 0);
            let end = start + Duration::minutes(len_min);
            let from = Utc.from_utc_datetime(&(d("2026-01-01") + Duration::days(window_offset)).and_time(t(0, 0)));
            let to = from + Duration::days(window_days);
            let got = occurrences(first_day, start, None, end, Some(&rule), tz, from, to);
            let mut naive = Vec::new();
            let mut day = first_day;
            while day <= d("2028-01-01") {
                if rule.matches(first_day, day) {
                    if let (Some(s), Some(e)) = (to_utc(tz, day.and_time(start)), to_utc(tz, day.and_time(end))) {
                        if s < to && e > from { naive.push((s, e)); }
                    }
                }
                day += Duration::days(1);
            }
            prop_assert_eq!(&got, &naive);
            for (s, e) in got {
                prop_assert_eq!(s.with_timezone(&tz).time(), start);
                prop_assert_eq!((e - s).num_minutes(), len_min);
                prop_assert!(s.with_timezone(&tz).date_naive() >= first_day);
                prop_assert!(rule.until.is_none_or(|u| s.with_timezone(&tz).date_naive() <= u));
            }
        }
    }
}
