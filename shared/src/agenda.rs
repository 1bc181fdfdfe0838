//! Rules of plages d'ouverture and absences (reference-domain.md §1.7, §9.1) shared by the API
//! (authoritative) and the SPA forms: field validation, the weekend rule of seed 002, and the
//! last day that can hold an occurrence (what window queries index on).

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Weekday};

use crate::recurrence::{Every, Recurrence};
use crate::validation::Errors;

/// The fields of a plage d'ouverture that rules look at.
#[derive(Debug, Clone, PartialEq)]
pub struct PlageFields {
    pub title: String,
    pub first_day: NaiveDate,
    pub start_time: NaiveTime,
    pub end_time: NaiveTime,
    pub recurrence: Option<Recurrence>,
    pub motif_ids: Vec<i32>,
}

/// The fields of an absence that rules look at.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AbsenceFields {
    pub title: String,
    pub first_day: NaiveDate,
    pub start_time: NaiveTime,
    pub end_day: NaiveDate,
    pub end_time: NaiveTime,
    pub recurrence: Option<Recurrence>,
}

/// The weekdays a rule can produce occurrences on (the first day's weekday for a single plage
/// or a weekly rule without days).
pub fn weekdays(first_day: NaiveDate, rule: Option<&Recurrence>) -> Vec<Weekday> {
    let named = |names: &mut dyn Iterator<Item = &String>| -> Vec<Weekday> {
        names.filter_map(|n| n.parse::<Weekday>().ok()).collect()
    };
    match rule {
        None => vec![first_day.weekday()],
        Some(r) if r.every == Every::Week && r.on.is_empty() => vec![first_day.weekday()],
        Some(r) if r.every == Every::Week => named(&mut r.on.iter()),
        Some(r) => named(&mut r.day.keys()),
    }
}

/// The weekend rule (seed 002, RDV-S #1736): never on a Sunday; on a Saturday only where the
/// organisation opens on Saturdays. Returns `(field, code)` when broken.
pub fn weekend_error(
    first_day: NaiveDate,
    rule: Option<&Recurrence>,
    allow_saturday: bool,
) -> Option<(&'static str, &'static str)> {
    let days = weekdays(first_day, rule);
    let field = if rule.is_some() { "recurrence" } else { "first_day" };
    if days.contains(&Weekday::Sun) {
        Some((field, "sunday"))
    } else if days.contains(&Weekday::Sat) && !allow_saturday {
        Some((field, "saturday"))
    } else {
        None
    }
}

/// The last day that can hold an occurrence: `until` for a bounded rule, `None` for an endless
/// one, `last` (first day, or end day of an absence) when not recurring.
pub fn last_day(last: NaiveDate, rule: Option<&Recurrence>) -> Option<NaiveDate> {
    match rule {
        None => Some(last),
        Some(r) => r.until,
    }
}

/// Dates the reference accepts: from 2018 to five years ahead.
fn realistic(day: NaiveDate, today: NaiveDate) -> bool {
    day.year() >= 2018 && day <= today + Duration::days(5 * 366)
}

fn add_rule_errors(errors: &mut Errors, first_day: NaiveDate, rule: Option<&Recurrence>) {
    if let Some(r) = rule {
        for (field, code) in r.validate(first_day) {
            errors.add(field, code);
        }
    }
}

impl PlageFields {
    /// Every error: title, end after start, at least one motif, realistic first day, a valid
    /// rule, the weekend rule.
    pub fn validate(&self, allow_saturday: bool, today: NaiveDate) -> Errors {
        let mut errors = Errors::default();
        if self.title.trim().is_empty() {
            errors.add("title", "blank");
        }
        if self.end_time <= self.start_time {
            errors.add("end_time", "after_start");
        }
        if self.motif_ids.is_empty() {
            errors.add("motif_ids", "blank");
        }
        if !realistic(self.first_day, today) {
            errors.add("first_day", "invalid");
        }
        add_rule_errors(&mut errors, self.first_day, self.recurrence.as_ref());
        if let Some((field, code)) = weekend_error(self.first_day, self.recurrence.as_ref(), allow_saturday) {
            errors.add(field, code);
        }
        errors
    }
}

impl AbsenceFields {
    /// Every error of the reference (`app/models/absence.rb`): title, start before end, end day
    /// not before the first, no recurrence over several days, realistic dates, a valid rule.
    pub fn validate(&self, today: NaiveDate) -> Errors {
        let mut errors = Errors::default();
        if self.title.trim().is_empty() {
            errors.add("title", "blank");
        }
        if self.end_day < self.first_day {
            errors.add("end_day", "after_start");
        } else if self.end_day.and_time(self.end_time) <= self.first_day.and_time(self.start_time) {
            errors.add("end_time", "after_start");
        }
        if self.end_day > self.first_day && self.recurrence.is_some() {
            errors.add("recurrence", "multi_day");
        }
        if !realistic(self.first_day, today) {
            errors.add("first_day", "invalid");
        }
        add_rule_errors(&mut errors, self.first_day, self.recurrence.as_ref());
        errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }
    fn t(s: &str) -> NaiveTime {
        NaiveTime::parse_from_str(s, "%H:%M").unwrap()
    }
    fn weekly(on: &[&str]) -> Recurrence {
        Recurrence {
            every: Every::Week,
            interval: 1,
            on: on.iter().map(|s| (*s).to_owned()).collect(),
            day: BTreeMap::new(),
            until: None,
        }
    }
    fn plage(first_day: &str, rule: Option<Recurrence>) -> PlageFields {
        PlageFields {
            title: "Permanence".into(),
            first_day: d(first_day),
            start_time: t("09:00"),
            end_time: t("12:00"),
            recurrence: rule,
            motif_ids: vec![1],
        }
    }
    fn codes(e: &Errors) -> Vec<(String, String)> {
        e.fields.iter().flat_map(|(f, l)| l.iter().map(move |x| (f.clone(), x.error.clone()))).collect()
    }

    const TODAY: &str = "2026-11-22";

    #[test]
    fn weekend_rule_table() {
        let monthly_sat = Recurrence {
            every: Every::Month,
            interval: 1,
            on: vec![],
            day: BTreeMap::from([("saturday".to_owned(), vec![1])]),
            until: None,
        };
        // 2026-11-29 is a Sunday, 2026-11-28 a Saturday, 2026-11-23 a Monday.
        type Case = (PlageFields, bool, Vec<(&'static str, &'static str)>);
        let cases: Vec<Case> = vec![
            (plage("2026-11-23", None), false, vec![]),
            (plage("2026-11-29", None), true, vec![("first_day", "sunday")]),
            (plage("2026-11-28", None), false, vec![("first_day", "saturday")]),
            (plage("2026-11-28", None), true, vec![]),
            (plage("2026-11-23", Some(weekly(&["monday", "sunday"]))), true, vec![("recurrence", "sunday")]),
            (plage("2026-11-23", Some(weekly(&["monday", "saturday"]))), false, vec![("recurrence", "saturday")]),
            (plage("2026-11-23", Some(weekly(&["monday", "saturday"]))), true, vec![]),
            (plage("2026-11-29", Some(weekly(&[]))), true, vec![("recurrence", "sunday")]),
            // A weekly rule on weekdays that starts on a Sunday never produces that Sunday.
            (plage("2026-11-29", Some(weekly(&["tuesday"]))), false, vec![]),
            (plage("2026-11-23", Some(monthly_sat)), false, vec![("recurrence", "saturday")]),
        ];
        for (fields, allow_saturday, expected) in cases {
            let got = codes(&fields.validate(allow_saturday, d(TODAY)));
            let expected: Vec<(String, String)> =
                expected.iter().map(|(f, c)| ((*f).to_owned(), (*c).to_owned())).collect();
            assert_eq!(got, expected, "{:?} saturday={allow_saturday}", fields.recurrence);
        }
    }

    #[test]
    fn plage_field_errors() {
        let mut p = plage("2026-11-23", None);
        p.title = " ".into();
        p.end_time = t("08:00");
        p.motif_ids.clear();
        let got = codes(&p.validate(false, d(TODAY)));
        assert!(got.contains(&("title".into(), "blank".into())));
        assert!(got.contains(&("end_time".into(), "after_start".into())));
        assert!(got.contains(&("motif_ids".into(), "blank".into())));
        let far = plage("2040-01-02", None);
        assert_eq!(codes(&far.validate(false, d(TODAY))), vec![("first_day".into(), "invalid".into())]);
    }

    #[test]
    fn absence_rules() {
        let base = AbsenceFields {
            title: "Congés".into(),
            first_day: d("2026-12-21"),
            start_time: t("08:00"),
            end_day: d("2026-12-31"),
            end_time: t("18:00"),
            recurrence: None,
        };
        assert!(base.validate(d(TODAY)).is_empty(), "a multi-day absence");
        let recurring = AbsenceFields { recurrence: Some(weekly(&["monday"])), ..base.clone() };
        assert_eq!(codes(&recurring.validate(d(TODAY))), vec![("recurrence".into(), "multi_day".into())]);
        let backwards = AbsenceFields { end_day: d("2026-12-20"), ..base.clone() };
        assert_eq!(codes(&backwards.validate(d(TODAY))), vec![("end_day".into(), "after_start".into())]);
        let same_day_reversed = AbsenceFields { end_day: d("2026-12-21"), end_time: t("07:00"), ..base.clone() };
        assert_eq!(codes(&same_day_reversed.validate(d(TODAY))), vec![("end_time".into(), "after_start".into())]);
        let overnight = AbsenceFields { end_day: d("2026-12-22"), end_time: t("07:00"), ..base };
        assert!(overnight.validate(d(TODAY)).is_empty(), "ends the next morning");
    }

    #[test]
    fn last_day_for_window_queries() {
        let mut rule = weekly(&["monday"]);
        assert_eq!(last_day(d("2026-11-23"), None), Some(d("2026-11-23")));
        assert_eq!(last_day(d("2026-11-23"), Some(&rule)), None);
        rule.until = Some(d("2027-06-30"));
        assert_eq!(last_day(d("2026-11-23"), Some(&rule)), Some(d("2027-06-30")));
    }
}
