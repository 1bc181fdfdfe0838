//! Pure assembly of slot search answers (issue 7's `GET /creneaux` and the public search):
//! window bounds typed by people (a bare date or RFC 3339), slots as `Creneau`s in the
//! organisation's zone, the per-lieu and per-day grouping with each lieu's next availability,
//! and distances to the usager. The server reads the rows; everything it answers is built here.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;

use crate::booking::{group_by_lieu_and_day, haversine_km};
use crate::dto::{Creneau, CreneauxDay, CreneauxLieu, LieuBrief, PublicPlace};
use crate::recurrence::to_utc;
use crate::slots::Slot;
use crate::AgentId;

/// A window bound as an instant: RFC 3339 as is, a bare date (`YYYY-MM-DD`) as a local midnight
/// in `zone` (with `end_of_day`, the midnight ending that day, so `to=2026-03-02` includes the
/// 2nd). `None` when neither.
pub fn parse_bound(v: &str, zone: Tz, end_of_day: bool) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(v.trim()) {
        return Some(t.with_timezone(&Utc));
    }
    let day = NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").ok()?;
    let day = if end_of_day { day.succ_opt()? } else { day };
    to_utc(zone, day.and_time(NaiveTime::MIN))
}

/// A free slot as the API shows it, in the organisation's zone.
pub fn creneau(s: &Slot, zone: Tz) -> Creneau {
    Creneau {
        starts_at: s.starts_at.with_timezone(&zone).fixed_offset(),
        ends_at: s.ends_at.with_timezone(&zone).fixed_offset(),
        agent_id: AgentId(s.agent_id),
        lieu_id: s.lieu_id,
        rdv_id: None,
        seats_left: None,
    }
}

/// The lieux of an agent-side search, each with its slots day by day and its next
/// availability: the first slot of the window, else `later` (found beyond the window). Lieux
/// with a slot come first, soonest first, then those without, by name. Returns the lieux and
/// the search's overall next availability.
///
/// `lieux` are the lieux the plages open at (`None`: motifs without lieu); `slots` the window's
/// free slots; `briefs` the lieux' names and addresses.
pub fn group_for_agents(
    lieux: &BTreeSet<Option<i32>>,
    slots: &[Slot],
    later: &BTreeMap<Option<i32>, DateTime<Utc>>,
    briefs: &HashMap<i32, LieuBrief>,
    zone: Tz,
) -> (Vec<CreneauxLieu>, Option<DateTime<Utc>>) {
    let grouped = group_by_lieu_and_day(slots, zone);
    let mut out: Vec<(Option<DateTime<Utc>>, CreneauxLieu)> = lieux
        .iter()
        .map(|l| {
            let days_of = grouped.get(l);
            let days: Vec<CreneauxDay> = days_of
                .map(|d| {
                    d.iter()
                        .map(|(date, list)| CreneauxDay {
                            date: *date,
                            creneaux: list.iter().map(|s| creneau(s, zone)).collect(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            let next =
                days_of.and_then(|d| d.values().flatten().map(|s| s.starts_at).min()).or_else(|| later.get(l).copied());
            let lieu = l.and_then(|id| briefs.get(&id)).cloned();
            (next, CreneauxLieu { lieu, days, next_availability: next.map(|t| t.with_timezone(&zone).fixed_offset()) })
        })
        .collect();
    out.sort_by_key(|(next, l)| (next.is_none(), *next, l.lieu.as_ref().map(|x| x.name.clone())));
    let first = out.iter().filter_map(|(n, _)| *n).min();
    (out.into_iter().map(|(_, l)| l).collect(), first)
}

/// The lieux of `lieux` that have no slot among `slots`: their next availability is looked
/// for beyond the window.
pub fn lieux_without_slots(lieux: &BTreeSet<Option<i32>>, slots: &[Slot]) -> BTreeSet<Option<i32>> {
    let with: BTreeSet<Option<i32>> = slots.iter().map(|s| s.lieu_id).collect();
    lieux.difference(&with).copied().collect()
}

/// Kilometres (one decimal) from the usager's address to a lieu, when both have coordinates.
pub fn distance_km(place: &PublicPlace, lat: Option<f64>, lon: Option<f64>) -> Option<f64> {
    match (place.latitude, place.longitude, lat, lon) {
        (Some(a), Some(b), Some(c), Some(d)) => Some((haversine_km((a, b), (c, d)) * 10.0).round() / 10.0),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};
    use chrono_tz::Europe::Paris;

    fn at(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        Paris.with_ymd_and_hms(2026, 3, d, h, m, 0).unwrap().with_timezone(&Utc)
    }

    fn slot(d: u32, h: u32, agent: i32, lieu: Option<i32>) -> Slot {
        Slot { starts_at: at(d, h, 0), ends_at: at(d, h, 30), agent_id: agent, lieu_id: lieu }
    }

    fn brief(id: i32, name: &str) -> (i32, LieuBrief) {
        (id, LieuBrief { id, name: name.into(), address: String::new() })
    }

    #[test]
    fn bounds_are_local_midnights_or_instants() {
        assert_eq!(parse_bound("2026-03-02", Paris, false), Some(at(2, 0, 0)));
        assert_eq!(parse_bound("2026-03-02", Paris, true), Some(at(3, 0, 0)));
        assert_eq!(parse_bound(" 2026-03-02T10:00:00+01:00 ", Paris, true), Some(at(2, 10, 0)));
        // Across the spring change (29 March), a day is still local midnight to local midnight.
        let spring = parse_bound("2026-03-29", Paris, true).unwrap() - parse_bound("2026-03-29", Paris, false).unwrap();
        assert_eq!(spring, Duration::hours(23));
        assert_eq!(parse_bound("02/03/2026", Paris, false), None);
        assert_eq!(parse_bound("2026-02-30", Paris, false), None);
    }

    #[test]
    fn creneaux_are_shown_in_the_organisations_zone() {
        let c = creneau(&slot(2, 9, 7, Some(1)), chrono_tz::Indian::Reunion);
        assert_eq!(c.starts_at.to_rfc3339(), "2026-03-02T12:00:00+04:00");
        assert_eq!((c.agent_id, c.lieu_id, c.rdv_id, c.seats_left), (AgentId(7), Some(1), None, None));
    }

    #[test]
    fn lieux_are_grouped_by_day_soonest_first_then_those_without_slots_by_name() {
        let lieux = BTreeSet::from([Some(1), Some(2), Some(3), Some(4)]);
        let slots = vec![slot(3, 9, 7, Some(1)), slot(2, 14, 8, Some(1)), slot(2, 9, 7, Some(2))];
        let later = BTreeMap::from([(Some(3), at(20, 9, 0))]);
        let briefs: HashMap<i32, LieuBrief> =
            [brief(1, "Arras"), brief(2, "Lens"), brief(3, "Calais"), brief(4, "Béthune")].into();
        let (out, first) = group_for_agents(&lieux, &slots, &later, &briefs, Paris);
        let names: Vec<&str> = out.iter().map(|l| l.lieu.as_ref().unwrap().name.as_str()).collect();
        assert_eq!(names, ["Lens", "Arras", "Calais", "Béthune"]);
        assert_eq!(first, Some(at(2, 9, 0)));
        let arras = &out[1];
        assert_eq!(arras.days.len(), 2, "one entry per local day");
        assert_eq!(arras.days[0].creneaux[0].agent_id, AgentId(8));
        assert_eq!(arras.next_availability.unwrap().with_timezone(&Utc), at(2, 14, 0));
        assert!(out[2].days.is_empty() && out[2].next_availability.unwrap().with_timezone(&Utc) == at(20, 9, 0));
        assert!(out[3].next_availability.is_none());
        assert_eq!(lieux_without_slots(&lieux, &slots), BTreeSet::from([Some(3), Some(4)]));
    }

    #[test]
    fn motifs_without_lieu_are_one_entry() {
        let lieux = BTreeSet::from([None]);
        let (out, first) = group_for_agents(&lieux, &[slot(2, 9, 7, None)], &BTreeMap::new(), &HashMap::new(), Paris);
        assert_eq!(out.len(), 1);
        assert!(out[0].lieu.is_none());
        assert_eq!(first, Some(at(2, 9, 0)));
    }

    #[test]
    fn distances_need_both_points() {
        let mut place = PublicPlace {
            departement: "62".into(),
            city_code: "62041".into(),
            street_ban_id: None,
            label: None,
            latitude: Some(50.29),
            longitude: Some(2.78),
        };
        assert_eq!(distance_km(&place, Some(50.29), Some(2.78)), Some(0.0));
        let lens = distance_km(&place, Some(50.43), Some(2.83)).unwrap();
        assert!((15.0..17.0).contains(&lens), "Arras–Lens ≈ 16 km, got {lens}");
        assert_eq!(distance_km(&place, None, Some(2.83)), None);
        place.latitude = None;
        assert_eq!(distance_km(&place, Some(50.43), Some(2.83)), None);
    }
}
