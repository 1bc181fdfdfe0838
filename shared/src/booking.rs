//! Rules around the slot engine (issue 7, reference-domain.md §3.8–3.12, §4.7): the public
//! booking window, the lazy scan plan for next availability, collective seats, the fair choice
//! of an agent among those free at a start, the usager's cancellation deadline, and grouping
//! slots per lieu and local day.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::slots::Slot;

/// Next availability looks this far ahead at most (reference §3.10: 6 months).
pub const NEXT_AVAILABILITY_HORIZON_DAYS: i64 = 183;
/// The first window of a next-availability scan; each later one doubles.
pub const FIRST_SCAN_DAYS: i64 = 7;
/// A usager may cancel online until this long before the start (reference `MIN_DELAY_FOR_CANCEL`).
pub const CANCEL_DEADLINE_HOURS: i64 = 4;

/// `[not_before, not_after]` for slot starts: agents book from now with no upper bound
/// (reference §3.8); usagers and prescripteurs within the motif's minimum and maximum delays
/// (seconds).
pub fn booking_window(
    now: DateTime<Utc>,
    public: bool,
    min_delay_s: i32,
    max_delay_s: i32,
) -> (DateTime<Utc>, Option<DateTime<Utc>>) {
    if public {
        (now + Duration::seconds(i64::from(min_delay_s)), Some(now + Duration::seconds(i64::from(max_delay_s))))
    } else {
        (now, None)
    }
}

/// The windows a next-availability scan reads, in order: 7 days, then 14, 28, 56… until
/// `horizon` — a handful of batched reads instead of the reference's week-by-week loop (up to 27
/// full weekly computations). Contiguous, non-overlapping, ending exactly at `horizon`.
pub fn scan_windows(from: DateTime<Utc>, horizon: DateTime<Utc>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut out = Vec::new();
    let mut start = from;
    let mut len = Duration::days(FIRST_SCAN_DAYS);
    while start < horizon {
        let end = (start + len).min(horizon);
        out.push((start, end));
        start = end;
        len = len + len;
    }
    out
}

/// Seats left in a collective session: `None` when unlimited.
pub fn seats_left(users_count: i32, max_participants: Option<i32>) -> Option<i32> {
    max_participants.map(|m| (m - users_count).max(0))
}

/// Can a collective session still take someone?
pub fn has_seats(users_count: i32, max_participants: Option<i32>) -> bool {
    seats_left(users_count, max_participants).is_none_or(|n| n > 0)
}

/// Among the agents free at one start, the one with the fewest booked minutes that day; ties
/// broken by `draw` (a random number the caller supplies, so this stays pure and testable).
/// The reference picks uniformly at random, which over a day piles RDVs on whoever is drawn.
pub fn pick_agent(candidates: &[(i32, i64)], draw: u64) -> Option<i32> {
    let least = candidates.iter().map(|(_, load)| *load).min()?;
    let tied: Vec<i32> = candidates.iter().filter(|(_, l)| *l == least).map(|(a, _)| *a).collect();
    let index = usize::try_from(draw % tied.len() as u64).unwrap_or(0);
    tied.get(index).copied()
}

/// May the usager still cancel online? Until 4 hours before the start (reference §4.7).
pub fn can_cancel_online(starts_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    starts_at - now > Duration::hours(CANCEL_DEADLINE_HOURS)
}

/// Slots per lieu, then per local day in `zone`, each list in start order.
pub fn group_by_lieu_and_day(slots: &[Slot], zone: Tz) -> BTreeMap<Option<i32>, BTreeMap<NaiveDate, Vec<Slot>>> {
    let mut out: BTreeMap<Option<i32>, BTreeMap<NaiveDate, Vec<Slot>>> = BTreeMap::new();
    for s in slots {
        let day = s.starts_at.with_timezone(&zone).date_naive();
        out.entry(s.lieu_id).or_default().entry(day).or_default().push(*s);
    }
    for days in out.values_mut() {
        for list in days.values_mut() {
            list.sort();
        }
    }
    out
}

/// The earliest slot of each lieu.
pub fn first_per_lieu(slots: &[Slot]) -> BTreeMap<Option<i32>, DateTime<Utc>> {
    let mut out: BTreeMap<Option<i32>, DateTime<Utc>> = BTreeMap::new();
    for s in slots {
        out.entry(s.lieu_id).and_modify(|t| *t = (*t).min(s.starts_at)).or_insert(s.starts_at);
    }
    out
}

/// Great-circle distance in kilometres (lieux sorted by distance to the usager's address).
pub fn haversine_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lon1) = (a.0.to_radians(), a.1.to_radians());
    let (lat2, lon2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((lat2 - lat1) / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn t(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, h, m, 0).unwrap()
    }

    #[test]
    fn agents_have_no_window_usagers_have_the_motifs() {
        assert_eq!(booking_window(t(9, 0), false, 1800, 7200), (t(9, 0), None));
        assert_eq!(booking_window(t(9, 0), true, 1800, 7200), (t(9, 30), Some(t(11, 0))));
    }

    #[test]
    fn scan_windows_double_and_end_at_the_horizon() {
        let from = t(0, 0);
        let w = scan_windows(from, from + Duration::days(183));
        let lengths: Vec<i64> = w.iter().map(|(a, b)| (*b - *a).num_days()).collect();
        assert_eq!(lengths, vec![7, 14, 28, 56, 78]);
        assert!(scan_windows(from, from).is_empty());
    }

    proptest! {
        #[test]
        fn scan_windows_cover_exactly(days in 0i64..400) {
            let from = t(0, 0);
            let horizon = from + Duration::days(days) + Duration::minutes(days);
            let w = scan_windows(from, horizon);
            let mut cursor = from;
            for (a, b) in &w {
                prop_assert_eq!(*a, cursor);
                prop_assert!(b > a);
                cursor = *b;
            }
            prop_assert_eq!(cursor, horizon.max(from));
            prop_assert!(w.len() <= 7);
        }

        #[test]
        fn the_pick_is_one_of_the_least_loaded(loads in prop::collection::vec(0i64..5, 1..8), draw in any::<u64>()) {
            let candidates: Vec<(i32, i64)> = loads.iter().enumerate().map(|(i, l)| (i as i32, *l)).collect();
            let chosen = pick_agent(&candidates, draw).unwrap();
            let least = loads.iter().min().copied().unwrap();
            prop_assert_eq!(loads[chosen as usize], least);
        }
    }

    #[test]
    fn ties_are_spread_by_the_draw() {
        let c = [(1, 0), (2, 0), (3, 60)];
        let picks: std::collections::BTreeSet<i32> = (0..10).filter_map(|d| pick_agent(&c, d)).collect();
        assert_eq!(picks.into_iter().collect::<Vec<_>>(), vec![1, 2]);
        assert_eq!(pick_agent(&[], 3), None);
    }

    #[test]
    fn seats() {
        assert_eq!(seats_left(3, Some(5)), Some(2));
        assert_eq!(seats_left(7, Some(5)), Some(0));
        assert!(has_seats(100, None));
        assert!(!has_seats(5, Some(5)));
        assert!(has_seats(4, Some(5)));
    }

    #[test]
    fn cancel_until_four_hours_before() {
        let start = t(14, 0);
        assert!(can_cancel_online(start, t(9, 59)));
        assert!(!can_cancel_online(start, t(10, 0)));
        assert!(!can_cancel_online(start, t(15, 0)));
    }

    #[test]
    fn grouping_uses_the_local_day() {
        let zone: Tz = "Indian/Reunion".parse().unwrap();
        // 21:00 UTC on 2 March is 01:00 on 3 March in La Réunion (UTC+4).
        let late = Slot { starts_at: t(21, 0), ends_at: t(21, 30), agent_id: 1, lieu_id: Some(4) };
        let early = Slot { starts_at: t(6, 0), ends_at: t(6, 30), agent_id: 2, lieu_id: Some(4) };
        let g = group_by_lieu_and_day(&[late, early], zone);
        let days: Vec<NaiveDate> = g[&Some(4)].keys().copied().collect();
        assert_eq!(
            days,
            vec![NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(), NaiveDate::from_ymd_opt(2026, 3, 3).unwrap()]
        );
        assert_eq!(first_per_lieu(&[late, early])[&Some(4)], t(6, 0));
    }

    #[test]
    fn arras_to_lens_is_about_sixteen_km() {
        let d = haversine_km((50.2910, 2.7775), (50.4320, 2.8330));
        assert!((15.0..17.5).contains(&d), "{d}");
    }
}
