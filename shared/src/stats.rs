//! Statistics, the pure part: the database groups RDVs by (organisation, local day, status,
//! origin, motif) and returns at most a few thousand counts; [`fold`] turns them into the
//! weekly and per-dimension figures of [`Stats`]. Local days need the organisation's UTC offset
//! at each RDV: [`offset_changes`] lists the offsets of a range so the query can shift instants
//! with a `CASE` on both backends (SQLite has no time zones).

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Offset, TimeZone};
use chrono_tz::Tz;

use crate::dto::{Count, MotifStats, OrganisationStats, Stats, StatusCounts, WeekStats};
use crate::enums::{ListStatus, LocationType, RdvOrigin};

/// The widest range a statistics request may cover.
pub const MAX_DAYS: i64 = 5 * 366;

/// One group of RDVs as the database counts them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatsRow {
    pub organisation_id: i32,
    /// The local day of the RDV's start.
    pub day: NaiveDate,
    pub status: ListStatus,
    pub origin: RdvOrigin,
    pub motif_id: i32,
    pub count: i64,
}

/// What the figures need of a motif.
#[derive(Debug, Clone)]
pub struct MotifInfo {
    pub name: String,
    pub service_id: i32,
    pub service: String,
    pub location_type: LocationType,
}

/// Monday of `day`'s week.
pub fn monday(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// The default range: the current calendar year (seed 003: yearly statistics).
pub fn default_range(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let year = today.year();
    (NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(today), NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(today))
}

fn offset_at(zone: Tz, utc: NaiveDateTime) -> i32 {
    zone.offset_from_utc_datetime(&utc).fix().local_minus_utc()
}

/// The zone's UTC offset (seconds) at `from`, then each change before `to` as (UTC instant, new
/// offset). Transitions are found day by day, then to the minute by bisection.
pub fn offset_changes(zone: Tz, from: NaiveDateTime, to: NaiveDateTime) -> (i32, Vec<(NaiveDateTime, i32)>) {
    let first = offset_at(zone, from);
    let mut changes = Vec::new();
    let (mut at, mut current) = (from, first);
    while at < to {
        let next = (at + Duration::days(1)).min(to);
        let after = offset_at(zone, next);
        if after != current {
            let (mut lo, mut hi) = (at, next);
            while hi - lo > Duration::minutes(1) {
                let mid = lo + (hi - lo) / 2;
                if offset_at(zone, mid) == current {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            // Transitions fall on a whole minute: the first instant of the new offset, floored.
            let ts = hi.and_utc().timestamp();
            let exact = chrono::DateTime::from_timestamp(ts - ts.rem_euclid(60), 0).map_or(hi, |t| t.naive_utc());
            changes.push((exact, after));
            current = after;
        }
        at = next;
    }
    (first, changes)
}

fn rate(noshow: i64, seen: i64) -> Option<f64> {
    let known = noshow + seen;
    (known > 0).then(|| noshow as f64 / known as f64)
}

fn counts(map: &BTreeMap<String, (String, i64)>) -> Vec<Count> {
    let mut out: Vec<Count> =
        map.iter().map(|(k, (label, n))| Count { key: k.clone(), label: label.clone(), count: *n }).collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then(a.key.cmp(&b.key)));
    out
}

fn origins(by: &HashMap<RdvOrigin, i64>) -> Vec<Count> {
    RdvOrigin::ALL
        .iter()
        .map(|o| Count {
            key: o.as_str().to_owned(),
            label: o.label_fr().to_owned(),
            count: by.get(o).copied().unwrap_or(0),
        })
        .collect()
}

#[derive(Default)]
struct Bucket {
    by_status: StatusCounts,
    by_origin: HashMap<RdvOrigin, i64>,
    by_service: BTreeMap<String, (String, i64)>,
    by_location: BTreeMap<String, (String, i64)>,
}

impl Bucket {
    fn add(&mut self, r: &StatsRow, motif: Option<&MotifInfo>) {
        self.by_status.add(r.status, r.count);
        *self.by_origin.entry(r.origin).or_default() += r.count;
        if let Some(m) = motif {
            self.by_service.entry(m.service_id.to_string()).or_insert((m.service.clone(), 0)).1 += r.count;
            let lt = m.location_type;
            self.by_location.entry(lt.as_str().to_owned()).or_insert((lt.label_fr().to_owned(), 0)).1 += r.count;
        }
    }
}

/// The figures of `rows` over `from..=to`. `organisations` names the organisations covered (in
/// display order); `public` leaves out what only agents see (per-motif figures).
pub fn fold(
    (from, to): (NaiveDate, NaiveDate),
    rows: &[StatsRow],
    motifs: &HashMap<i32, MotifInfo>,
    organisations: &[(i32, String)],
    public: bool,
) -> Stats {
    let mut all = Bucket::default();
    let mut weeks: BTreeMap<NaiveDate, Bucket> = BTreeMap::new();
    let mut week = monday(from);
    while week <= to {
        weeks.insert(week, Bucket::default());
        week += Duration::days(7);
    }
    let mut per_motif: BTreeMap<i32, (i64, i64, i64)> = BTreeMap::new();
    let mut per_org: HashMap<i32, StatusCounts> = HashMap::new();
    for r in rows.iter().filter(|r| r.day >= from && r.day <= to) {
        let motif = motifs.get(&r.motif_id);
        all.add(r, motif);
        weeks.entry(monday(r.day)).or_default().add(r, motif);
        let m = per_motif.entry(r.motif_id).or_default();
        m.0 += r.count;
        match r.status {
            ListStatus::Seen => m.1 += r.count,
            ListStatus::Noshow => m.2 += r.count,
            _ => {}
        }
        per_org.entry(r.organisation_id).or_default().add(r.status, r.count);
    }
    let weekly = weeks
        .into_iter()
        .map(|(week, b)| WeekStats {
            week,
            total: b.by_status.total(),
            by_status: b.by_status,
            by_origin: origins(&b.by_origin),
            by_service: counts(&b.by_service),
            by_location_type: counts(&b.by_location),
            noshow_rate: rate(b.by_status.noshow, b.by_status.seen),
        })
        .collect();
    let mut by_motif: Vec<MotifStats> = if public {
        Vec::new()
    } else {
        per_motif
            .into_iter()
            .map(|(id, (total, seen, noshow))| {
                let m = motifs.get(&id);
                MotifStats {
                    motif_id: id,
                    name: m.map_or_else(|| format!("Motif {id}"), |m| m.name.clone()),
                    service: m.map(|m| m.service.clone()).unwrap_or_default(),
                    total,
                    seen,
                    noshow,
                    noshow_rate: rate(noshow, seen),
                }
            })
            .collect()
    };
    by_motif.sort_by(|a, b| b.total.cmp(&a.total).then(a.name.cmp(&b.name)));
    let organisations = organisations
        .iter()
        .map(|(id, name)| {
            let by_status = per_org.get(id).copied().unwrap_or_default();
            OrganisationStats { organisation_id: *id, name: name.clone(), total: by_status.total(), by_status }
        })
        .collect();
    Stats {
        from,
        to,
        total: all.by_status.total(),
        by_status: all.by_status,
        by_origin: origins(&all.by_origin),
        by_service: counts(&all.by_service),
        by_location_type: counts(&all.by_location),
        weekly,
        by_motif,
        organisations,
        notifications: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn row(day: &str, status: ListStatus, origin: RdvOrigin, motif_id: i32, count: i64) -> StatsRow {
        StatsRow { organisation_id: 1, day: d(day), status, origin, motif_id, count }
    }

    fn motifs() -> HashMap<i32, MotifInfo> {
        let m = |name: &str, service_id, service: &str, location_type| MotifInfo {
            name: name.into(),
            service_id,
            service: service.into(),
            location_type,
        };
        HashMap::from([
            (1, m("Consultation", 10, "PMI", LocationType::PublicOffice)),
            (2, m("Visite", 10, "PMI", LocationType::Home)),
            (3, m("Entretien", 20, "Service social", LocationType::Phone)),
        ])
    }

    /// A hand-computed fixture: three weeks of December 2026 (Monday 7th to Sunday 27th).
    #[test]
    fn figures_match_a_hand_computed_fixture() {
        use ListStatus::*;
        use RdvOrigin::*;
        let rows = vec![
            row("2026-12-07", Seen, Agent, 1, 3),
            row("2026-12-08", Noshow, User, 1, 1),
            row("2026-12-13", Excused, Invitation, 2, 2), // Sunday: still the first week
            row("2026-12-14", Seen, Agent, 3, 4),
            row("2026-12-16", Revoked, Agent, 3, 1),
            row("2026-12-21", UnknownFuture, FileAttente, 1, 5),
            row("2026-12-28", Seen, Agent, 1, 9), // after `to`: left out
        ];
        let orgs = vec![(1, "MDS".to_owned()), (2, "Autre".to_owned())];
        let s = fold((d("2026-12-07"), d("2026-12-27")), &rows, &motifs(), &orgs, false);
        assert_eq!(s.total, 16);
        assert_eq!(
            s.by_status,
            StatusCounts { seen: 7, noshow: 1, excused: 2, revoked: 1, unknown_past: 0, unknown_future: 5 }
        );
        let origin = |c: &[Count], k: &str| c.iter().find(|x| x.key == k).unwrap().count;
        assert_eq!(origin(&s.by_origin, "agent"), 8);
        assert_eq!(origin(&s.by_origin, "user"), 1);
        assert_eq!(origin(&s.by_origin, "invitation"), 2);
        assert_eq!(origin(&s.by_origin, "file_attente"), 5);
        assert_eq!(origin(&s.by_origin, "prescripteur"), 0);
        assert_eq!(
            s.by_service.iter().map(|c| (c.label.as_str(), c.count)).collect::<Vec<_>>(),
            vec![("PMI", 11), ("Service social", 5)]
        );
        assert_eq!(origin(&s.by_location_type, "home"), 2);
        assert_eq!(s.weekly.len(), 3);
        assert_eq!(s.weekly.iter().map(|w| w.total).collect::<Vec<_>>(), vec![6, 5, 5]);
        assert_eq!(s.weekly[0].noshow_rate, Some(0.25));
        assert_eq!(s.weekly[2].noshow_rate, None);
        assert_eq!(s.by_motif[0].name, "Consultation");
        assert_eq!((s.by_motif[0].total, s.by_motif[0].seen, s.by_motif[0].noshow), (9, 3, 1));
        assert_eq!(s.organisations[0].total, 16);
        assert_eq!(s.organisations[1].total, 0);
        let public = fold((d("2026-12-07"), d("2026-12-27")), &rows, &motifs(), &orgs, true);
        assert!(public.by_motif.is_empty());
        assert_eq!(public.total, 16);
    }

    #[test]
    fn weeks_start_on_monday() {
        assert_eq!(monday(d("2026-12-13")), d("2026-12-07"));
        assert_eq!(monday(d("2026-12-07")), d("2026-12-07"));
        assert_eq!(monday(d("2027-01-01")), d("2026-12-28"));
    }

    #[test]
    fn paris_changes_offset_twice_a_year_at_one_utc() {
        let from = d("2026-01-01").and_hms_opt(0, 0, 0).unwrap();
        let to = d("2027-01-01").and_hms_opt(0, 0, 0).unwrap();
        let (first, changes) = offset_changes(chrono_tz::Europe::Paris, from, to);
        assert_eq!(first, 3600);
        assert_eq!(
            changes,
            vec![
                (d("2026-03-29").and_hms_opt(1, 0, 0).unwrap(), 7200),
                (d("2026-10-25").and_hms_opt(1, 0, 0).unwrap(), 3600),
            ]
        );
        let (reunion, none) = offset_changes(chrono_tz::Indian::Reunion, from, to);
        assert_eq!((reunion, none.len()), (4 * 3600, 0));
    }
}
