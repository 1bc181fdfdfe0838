//! What a usager may do with a booked RDV from the link in their messages (reference-domain.md
//! §4.6–4.7): reschedule it, and join the waiting list ("file d'attente") to be told of an
//! earlier slot; and when the waiting list's check runs and may send. Pure: callers pass the
//! RDV's facts and `now` (local times in the organisation's zone where it says so).
//!
//! Where we differ from the reference, and why:
//! - the waiting list is offered only where the link can reschedule (the reference offered it
//!   on RDVs whose link then refused to move them, and on phone RDVs its check always skips);
//! - checks stop once the RDV is 7 days away or less, instead of running to the end.

use chrono::{DateTime, Duration, NaiveDateTime, NaiveTime, Utc};

use crate::enums::{BookableBy, LocationType};

/// Rescheduling online closes this long before the start (reference §4.7: 2 days).
pub const RESCHEDULE_DEADLINE_DAYS: i64 = 2;
/// The waiting list is for RDVs further away than this (reference §4.6: 7 days).
pub const WAITING_LIST_MIN_DAYS: i64 = 7;
/// At most this many "un créneau vient de se libérer" messages per entry, and one a day.
pub const WAITING_LIST_MAX_MESSAGES: i32 = 3;
/// Checks run every 10 minutes from 09:00 to 19:00 in the organisation's zone.
pub const WAITING_LIST_EVERY_MINUTES: i64 = 10;
pub const WAITING_LIST_FIRST_HOUR: u32 = 9;
pub const WAITING_LIST_LAST_HOUR: u32 = 19;

/// The RDV's facts these rules read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RdvFacts {
    /// The usager's participation (or the RDV) is cancelled.
    pub cancelled: bool,
    pub collectif: bool,
    pub bookable_by: BookableBy,
    /// The motif's `rdvs_editable_by_user`.
    pub editable_by_user: bool,
    /// Booked by an agent (their choice of agent and time is deliberate).
    pub created_by_agent: bool,
    pub location_type: LocationType,
    pub starts_at: DateTime<Utc>,
}

/// May the usager move the RDV to another slot themselves (§4.7)? Individual, not cancelled,
/// motif editable by the usager and bookable online, not booked by an agent, more than 2 days
/// ahead.
pub fn can_reschedule(f: &RdvFacts, now: DateTime<Utc>) -> bool {
    !f.cancelled
        && !f.collectif
        && f.editable_by_user
        && f.bookable_by.is_public()
        && !f.created_by_agent
        && f.starts_at - now > Duration::days(RESCHEDULE_DEADLINE_DAYS)
}

/// Is the waiting list offered (§4.6)? Where the usager can reschedule, for a motif bookable by
/// everyone, in a lieu (not at home, not by phone: those slots are not at a place one can
/// come earlier to), more than 7 days ahead.
pub fn waiting_list_offered(f: &RdvFacts, now: DateTime<Utc>) -> bool {
    can_reschedule(f, now)
        && f.bookable_by == BookableBy::Everyone
        && !matches!(f.location_type, LocationType::Home | LocationType::Phone)
        && f.starts_at - now > Duration::days(WAITING_LIST_MIN_DAYS)
}

/// Is `local` within the hours when checks run (09:00 inclusive to 19:00 exclusive)?
pub fn within_hours(local: NaiveDateTime) -> bool {
    let t = local.time();
    t >= hour(WAITING_LIST_FIRST_HOUR) && t < hour(WAITING_LIST_LAST_HOUR)
}

fn hour(h: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, 0, 0).unwrap_or(NaiveTime::MIN)
}

/// May a check at `now_local` send a message, given how many were sent and when the last one
/// went (local)? Within the hours, fewer than 3 sent, none today.
pub fn may_send(now_local: NaiveDateTime, sent: i32, last_sent_local: Option<NaiveDateTime>) -> bool {
    within_hours(now_local)
        && sent < WAITING_LIST_MAX_MESSAGES
        && last_sent_local.is_none_or(|l| l.date() != now_local.date())
}

/// When the next check runs (local), after one at `now_local`: 10 minutes later within the
/// hours; else the next 09:00. After a message was sent today, tomorrow 09:00 (one a day).
pub fn next_check(now_local: NaiveDateTime, sent_today: bool) -> NaiveDateTime {
    let first = hour(WAITING_LIST_FIRST_HOUR);
    let tomorrow = (now_local.date() + Duration::days(1)).and_time(first);
    if sent_today {
        return tomorrow;
    }
    if now_local.time() < first {
        return now_local.date().and_time(first);
    }
    let next = now_local + Duration::minutes(WAITING_LIST_EVERY_MINUTES);
    if next.date() == now_local.date() && within_hours(next) {
        next
    } else {
        tomorrow
    }
}

/// The end of the window an earlier slot is looked for in: up to 2 days before the RDV (a slot
/// the day before would be of little use and could not be moved again).
pub fn search_until(starts_at: DateTime<Utc>) -> DateTime<Utc> {
    starts_at - Duration::days(RESCHEDULE_DEADLINE_DAYS)
}

/// Should checks go on for this entry? Not once 3 messages were sent, nor once the RDV is
/// cancelled or 7 days away or less.
pub fn keeps_checking(f: &RdvFacts, sent: i32, now: DateTime<Utc>) -> bool {
    sent < WAITING_LIST_MAX_MESSAGES && !f.cancelled && f.starts_at - now > Duration::days(WAITING_LIST_MIN_DAYS)
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone};

    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 7, 10, 0, 0).unwrap()
    }

    fn facts() -> RdvFacts {
        RdvFacts {
            cancelled: false,
            collectif: false,
            bookable_by: BookableBy::Everyone,
            editable_by_user: true,
            created_by_agent: false,
            location_type: LocationType::PublicOffice,
            starts_at: now() + Duration::days(10),
        }
    }

    fn local(d: u32, h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap().and_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn reschedule_table() {
        let cases: Vec<(&str, RdvFacts, bool)> = vec![
            ("booked online, 10 days ahead", facts(), true),
            ("cancelled", RdvFacts { cancelled: true, ..facts() }, false),
            ("collective", RdvFacts { collectif: true, ..facts() }, false),
            ("motif not editable", RdvFacts { editable_by_user: false, ..facts() }, false),
            ("agents only", RdvFacts { bookable_by: BookableBy::Agents, ..facts() }, false),
            ("prescripteurs", RdvFacts { bookable_by: BookableBy::AgentsAndPrescripteurs, ..facts() }, false),
            (
                "invited usagers",
                RdvFacts { bookable_by: BookableBy::AgentsAndPrescripteursAndInvitedUsers, ..facts() },
                true,
            ),
            ("booked by an agent", RdvFacts { created_by_agent: true, ..facts() }, false),
            ("exactly 2 days", RdvFacts { starts_at: now() + Duration::days(2), ..facts() }, false),
            ("2 days and a minute", RdvFacts { starts_at: now() + Duration::minutes(2 * 1440 + 1), ..facts() }, true),
            ("past", RdvFacts { starts_at: now() - Duration::days(1), ..facts() }, false),
            ("phone", RdvFacts { location_type: LocationType::Phone, ..facts() }, true),
        ];
        for (name, f, expected) in cases {
            assert_eq!(can_reschedule(&f, now()), expected, "{name}");
        }
    }

    #[test]
    fn waiting_list_table() {
        let cases: Vec<(&str, RdvFacts, bool)> = vec![
            ("10 days ahead in a lieu", facts(), true),
            ("exactly 7 days", RdvFacts { starts_at: now() + Duration::days(7), ..facts() }, false),
            ("7 days and a minute", RdvFacts { starts_at: now() + Duration::minutes(7 * 1440 + 1), ..facts() }, true),
            ("at home", RdvFacts { location_type: LocationType::Home, ..facts() }, false),
            ("by phone", RdvFacts { location_type: LocationType::Phone, ..facts() }, false),
            ("visio", RdvFacts { location_type: LocationType::Visio, ..facts() }, true),
            (
                "invited usagers only",
                RdvFacts { bookable_by: BookableBy::AgentsAndPrescripteursAndInvitedUsers, ..facts() },
                false,
            ),
            ("collective", RdvFacts { collectif: true, ..facts() }, false),
            ("cancelled", RdvFacts { cancelled: true, ..facts() }, false),
            ("not reschedulable", RdvFacts { editable_by_user: false, ..facts() }, false),
            ("booked by an agent", RdvFacts { created_by_agent: true, ..facts() }, false),
        ];
        for (name, f, expected) in cases {
            assert_eq!(waiting_list_offered(&f, now()), expected, "{name}");
        }
    }

    #[test]
    fn hours_and_sending() {
        assert!(!within_hours(local(7, 8, 59)));
        assert!(within_hours(local(7, 9, 0)));
        assert!(within_hours(local(7, 18, 59)));
        assert!(!within_hours(local(7, 19, 0)));
        assert!(may_send(local(7, 10, 0), 0, None));
        assert!(may_send(local(7, 10, 0), 2, Some(local(6, 18, 0))));
        assert!(!may_send(local(7, 10, 0), 3, None), "three in all");
        assert!(!may_send(local(7, 10, 0), 1, Some(local(7, 9, 10))), "one a day");
        assert!(!may_send(local(7, 20, 0), 0, None), "out of hours");
    }

    #[test]
    fn next_check_table() {
        let cases = [
            (local(7, 10, 0), false, local(7, 10, 10)),
            (local(7, 8, 0), false, local(7, 9, 0)),
            (local(7, 18, 45), false, local(7, 18, 55)),
            (local(7, 18, 50), false, local(8, 9, 0)),
            (local(7, 18, 55), false, local(8, 9, 0)),
            (local(7, 23, 55), false, local(8, 9, 0)),
            (local(7, 10, 0), true, local(8, 9, 0)),
            (local(31, 19, 0), false, NaiveDate::from_ymd_opt(2027, 1, 1).unwrap().and_hms_opt(9, 0, 0).unwrap()),
        ];
        for (at, sent, expected) in cases {
            assert_eq!(next_check(at, sent), expected, "after {at} (sent today: {sent})");
        }
    }

    #[test]
    fn checking_stops() {
        assert!(keeps_checking(&facts(), 0, now()));
        assert!(!keeps_checking(&facts(), 3, now()));
        assert!(!keeps_checking(&RdvFacts { cancelled: true, ..facts() }, 0, now()));
        assert!(!keeps_checking(&facts(), 0, now() + Duration::days(3)));
        assert_eq!(search_until(facts().starts_at), now() + Duration::days(8));
    }

    proptest::proptest! {
        /// The next check is always later, within the hours, and never the same day as a send.
        #[test]
        fn next_check_is_later_and_within_hours(minutes in 0i64..(60 * 24 * 400), sent in proptest::bool::ANY) {
            let at = local(1, 0, 0) + Duration::minutes(minutes);
            let next = next_check(at, sent);
            proptest::prop_assert!(next > at);
            proptest::prop_assert!(within_hours(next));
            proptest::prop_assert!(next - at <= Duration::hours(33));
            if sent {
                proptest::prop_assert!(next.date() > at.date());
            }
        }
    }
}
