//! Data retention (RGPD): how long each kind of personal data is kept, within which bounds a
//! territory may change that, and when the daily run happens. Pure: the server's
//! `services::retention` applies these cutoffs; the SPA shows the same bounds and next run.
//!
//! Defaults are the reference's (reference-domain.md §6, §9.6): RDVs deleted two years after
//! they started, usagers with no RDV and no change for two years anonymised (then deleted once
//! nothing refers to them), receipts kept two years, audit versions holding personal data one
//! year, authors blanked after one year, every version deleted after five years.
//!
//! Per territory: RDVs, usagers and receipts (each belongs to an organisation). Platform-wide:
//! the audit trail (a version is not tied to one territory) and technical records (expired
//! tokens, idempotency keys, delivered outbox rows), with the constants below.

use chrono::{DateTime, Duration, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::Paris;

use crate::dto::retention::RetentionPolicy;
use crate::validation::Errors;

/// The reference's defaults.
pub const DEFAULT: RetentionPolicy = RetentionPolicy { rdv_days: 730, inactive_usager_days: 730, receipt_days: 730 };

/// Inclusive bounds a territory may choose within, in days: `(field, min, max)`. Below the
/// minimum, agents lose the history they need to follow a family (and proofs of notification);
/// above the maximum, data is kept longer than the purpose justifies (CNIL referential for
/// social action: the accompaniment plus a few years).
pub const BOUNDS: [(&str, i32, i32); 3] =
    [("rdv_days", 365, 1825), ("inactive_usager_days", 365, 1825), ("receipt_days", 180, 1825)];

/// Versions of records holding personal data are deleted after this many days.
pub const PERSONAL_VERSION_DAYS: i64 = 365;
/// Every version's author (agent id, name) is blanked after this many days.
pub const VERSION_AUTHOR_DAYS: i64 = 365;
/// Every version is deleted after this many days.
pub const VERSION_MAX_DAYS: i64 = 5 * 365;
/// Delivered or abandoned outbox rows (they hold message bodies) are deleted after this many days.
pub const OUTBOX_DONE_DAYS: i64 = 90;
/// Idempotency keys of bookings are kept this many days (a retry comes within minutes).
pub const IDEMPOTENCY_DAYS: i64 = 30;
/// The daily run starts at this hour, Paris time (the reference's 22:00).
pub const RUN_HOUR: u32 = 22;

/// Audit item types without personal data (the reference's list, with our names): their
/// versions are kept up to [`VERSION_MAX_DAYS`]; every other type's after
/// [`PERSONAL_VERSION_DAYS`].
pub const IMPERSONAL_ITEM_TYPES: &[&str] = &[
    "WebhookEndpoint",
    "Service",
    "Lieu",
    "Organisation",
    "Territory",
    "Team",
    "MotifCategory",
    "Motif",
    "PlageOuverture",
    "TerritoryService",
    "Sector",
    "SectorAttribution",
    "RetentionPolicy",
];

/// The policy's values out of bounds, as 422 field errors (`greater_than_or_equal_to`,
/// `less_than_or_equal_to`).
pub fn validate(policy: &RetentionPolicy) -> Errors {
    let mut errors = Errors::default();
    for (field, min, max) in BOUNDS {
        let value = value_of(policy, field);
        if value < min {
            errors.add(field, "greater_than_or_equal_to");
        } else if value > max {
            errors.add(field, "less_than_or_equal_to");
        }
    }
    errors
}

fn value_of(policy: &RetentionPolicy, field: &str) -> i32 {
    match field {
        "rdv_days" => policy.rdv_days,
        "inactive_usager_days" => policy.inactive_usager_days,
        _ => policy.receipt_days,
    }
}

/// The instants (UTC, naive as stored) before which a territory's records go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cutoffs {
    /// RDVs that started before this.
    pub rdv_started_before: NaiveDateTime,
    /// Usagers neither created nor changed since this (and with no RDV left).
    pub usager_untouched_since: NaiveDateTime,
    /// Receipts created before this.
    pub receipt_before: NaiveDateTime,
}

impl Cutoffs {
    pub fn at(policy: &RetentionPolicy, now: NaiveDateTime) -> Cutoffs {
        Cutoffs {
            rdv_started_before: now - Duration::days(policy.rdv_days.into()),
            usager_untouched_since: now - Duration::days(policy.inactive_usager_days.into()),
            receipt_before: now - Duration::days(policy.receipt_days.into()),
        }
    }
}

/// The platform-wide cutoffs (audit trail, technical records).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlatformCutoffs {
    pub personal_versions_before: NaiveDateTime,
    pub version_authors_before: NaiveDateTime,
    pub all_versions_before: NaiveDateTime,
    pub outbox_done_before: NaiveDateTime,
    pub idempotency_before: NaiveDateTime,
}

impl PlatformCutoffs {
    pub fn at(now: NaiveDateTime) -> PlatformCutoffs {
        PlatformCutoffs {
            personal_versions_before: now - Duration::days(PERSONAL_VERSION_DAYS),
            version_authors_before: now - Duration::days(VERSION_AUTHOR_DAYS),
            all_versions_before: now - Duration::days(VERSION_MAX_DAYS),
            outbox_done_before: now - Duration::days(OUTBOX_DONE_DAYS),
            idempotency_before: now - Duration::days(IDEMPOTENCY_DAYS),
        }
    }
}

/// The run of the Paris day that contains `now` (22:00 Paris time, in UTC). On the day clocks
/// change, 22:00 exists once (changes happen at 02:00 or 03:00).
pub fn run_of_day(now: DateTime<Utc>) -> DateTime<Utc> {
    let day = now.with_timezone(&Paris).date_naive();
    let at = day.and_time(NaiveTime::from_hms_opt(RUN_HOUR, 0, 0).unwrap_or(NaiveTime::MIN));
    Paris.from_local_datetime(&at).earliest().map_or(now, |t| t.with_timezone(&Utc))
}

/// The first run strictly after `now`.
pub fn next_run_after(now: DateTime<Utc>) -> DateTime<Utc> {
    let today = run_of_day(now);
    if today > now {
        today
    } else {
        run_of_day(now + Duration::hours(24))
    }
}

/// The key of a day's run job: one per Paris day, whichever server plans it.
pub fn run_key(run_at: DateTime<Utc>) -> String {
    format!("retention:{}", run_at.with_timezone(&Paris).format("%Y-%m-%d"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use proptest::prelude::*;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.from_utc_datetime(&NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, min, 0).unwrap())
    }

    #[test]
    fn defaults_are_within_bounds_and_bounds_are_enforced() {
        assert!(validate(&DEFAULT).is_empty());
        let cases = [
            (RetentionPolicy { rdv_days: 364, ..DEFAULT }, Some(("rdv_days", "greater_than_or_equal_to"))),
            (RetentionPolicy { rdv_days: 365, ..DEFAULT }, None),
            (RetentionPolicy { rdv_days: 1825, ..DEFAULT }, None),
            (RetentionPolicy { rdv_days: 1826, ..DEFAULT }, Some(("rdv_days", "less_than_or_equal_to"))),
            (
                RetentionPolicy { inactive_usager_days: 0, ..DEFAULT },
                Some(("inactive_usager_days", "greater_than_or_equal_to")),
            ),
            (RetentionPolicy { receipt_days: 180, ..DEFAULT }, None),
            (RetentionPolicy { receipt_days: -1, ..DEFAULT }, Some(("receipt_days", "greater_than_or_equal_to"))),
        ];
        for (policy, expected) in cases {
            let errors = validate(&policy);
            match expected {
                None => assert!(errors.is_empty(), "{policy:?}: {errors:?}"),
                Some((field, code)) => {
                    assert_eq!(errors.fields.len(), 1, "{policy:?}");
                    assert_eq!(errors.fields[field][0].error, code, "{policy:?}");
                }
            }
        }
    }

    #[test]
    fn cutoffs_count_days_back_from_now() {
        let now = utc(2026, 12, 7, 21, 0).naive_utc();
        let c = Cutoffs::at(&DEFAULT, now);
        assert_eq!(c.rdv_started_before, utc(2024, 12, 7, 21, 0).naive_utc());
        let p = PlatformCutoffs::at(now);
        assert_eq!(p.personal_versions_before, utc(2025, 12, 7, 21, 0).naive_utc());
        assert_eq!(p.all_versions_before, utc(2021, 12, 8, 21, 0).naive_utc());
    }

    #[test]
    fn runs_at_22_paris_time_winter_and_summer() {
        // Winter: UTC+1; summer: UTC+2.
        assert_eq!(next_run_after(utc(2026, 12, 7, 12, 0)), utc(2026, 12, 7, 21, 0));
        assert_eq!(next_run_after(utc(2026, 12, 7, 21, 0)), utc(2026, 12, 8, 21, 0));
        assert_eq!(next_run_after(utc(2026, 7, 1, 19, 59)), utc(2026, 7, 1, 20, 0));
        // Paris is already on the 8th at 23:30 UTC on the 7th: the run of the 8th.
        assert_eq!(next_run_after(utc(2026, 12, 7, 23, 30)), utc(2026, 12, 8, 21, 0));
        // The days clocks change.
        assert_eq!(run_of_day(utc(2026, 3, 29, 12, 0)), utc(2026, 3, 29, 20, 0));
        assert_eq!(run_of_day(utc(2026, 10, 25, 12, 0)), utc(2026, 10, 25, 21, 0));
        assert_eq!(run_key(utc(2026, 12, 7, 21, 0)), "retention:2026-12-07");
    }

    proptest! {
        /// The next run is after now, within 25 hours, at 22:00 Paris time, and one key per day.
        #[test]
        fn next_run_is_the_next_22_paris(secs in 1_600_000_000i64..2_500_000_000) {
            let now = DateTime::<Utc>::from_timestamp(secs, 0).unwrap();
            let next = next_run_after(now);
            prop_assert!(next > now);
            prop_assert!(next - now <= Duration::hours(25));
            let local = next.with_timezone(&Paris);
            prop_assert_eq!(local.format("%H:%M").to_string(), "22:00");
            prop_assert_ne!(run_key(next), run_key(next_run_after(next)));
        }
    }
}
