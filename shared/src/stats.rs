//! Statistics, the pure part: the database counts RDVs by (organisation, start instant, motif,
//! status, origin) in its index order; [`group_row`] puts each group on its local day in the
//! organisation's zone (exact in any zone, DST included) and [`fold`] turns the groups into the
//! weekly and per-dimension figures of [`Stats`].

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;

use crate::dto::{Count, MotifStats, OrganisationStats, Stats, StatusCounts, WeekStats};
use crate::enums::{ListStatus, LocationType, RdvOrigin, RdvStatus};

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

/// A database group (organisation, start instant in UTC, motif, stored status, origin, count) as
/// a [`StatsRow`]: the start's day in `zone`, and the list status at `now`.
#[allow(clippy::too_many_arguments)]
pub fn group_row(
    organisation_id: i32,
    starts_at: NaiveDateTime,
    zone: Tz,
    motif_id: i32,
    status: RdvStatus,
    origin: RdvOrigin,
    count: i64,
    now: NaiveDateTime,
) -> StatsRow {
    StatsRow {
        organisation_id,
        day: zone.from_utc_datetime(&starts_at).date_naive(),
        status: ListStatus::of(status, starts_at, now),
        origin,
        motif_id,
        count,
    }
}

fn rate(noshow: i64, seen: i64) -> Option<f64> {
    let known = noshow + seen;
    (known > 0).then(|| noshow as f64 / known as f64)
}

/// Counts by key, most first; `label` names a key.
fn counts<K: ToString + Copy>(map: &BTreeMap<K, i64>, label: impl Fn(K) -> String) -> Vec<Count> {
    let mut out: Vec<Count> =
        map.iter().map(|(k, n)| Count { key: k.to_string(), label: label(*k), count: *n }).collect();
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
    /// By service id, and by location type (no allocation per group: labels come at the end).
    by_service: BTreeMap<i32, i64>,
    by_location: BTreeMap<&'static str, i64>,
}

impl Bucket {
    fn add(&mut self, r: &StatsRow, motif: Option<&MotifInfo>) {
        self.by_status.add(r.status, r.count);
        *self.by_origin.entry(r.origin).or_default() += r.count;
        if let Some(m) = motif {
            *self.by_service.entry(m.service_id).or_default() += r.count;
            *self.by_location.entry(m.location_type.as_str()).or_default() += r.count;
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
    let services: HashMap<i32, &str> = motifs.values().map(|m| (m.service_id, m.service.as_str())).collect();
    let service_label = |id: i32| services.get(&id).map_or_else(String::new, |s| (*s).to_owned());
    let location_label = |k: &'static str| LocationType::parse(k).map_or(k, LocationType::label_fr).to_owned();
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
            by_service: counts(&b.by_service, service_label),
            by_location_type: counts(&b.by_location, location_label),
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
        by_service: counts(&all.by_service, service_label),
        by_location_type: counts(&all.by_location, location_label),
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
    fn groups_fall_on_the_local_day_and_split_unknown_by_now() {
        let at = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        let paris = chrono_tz::Europe::Paris;
        let now = at("2025-04-01 12:00");
        // Sunday 30 March 2025 21:30 UTC is 23:30 in Paris (summer time since 01:00 UTC that day);
        // 22:30 UTC is Monday 00:30.
        let r = group_row(1, at("2025-03-30 21:30"), paris, 7, RdvStatus::Unknown, RdvOrigin::User, 2, now);
        assert_eq!((r.day, r.status, r.count), (d("2025-03-30"), ListStatus::UnknownPast, 2));
        let r = group_row(1, at("2025-03-30 22:30"), paris, 7, RdvStatus::Seen, RdvOrigin::Agent, 1, now);
        assert_eq!(r.day, d("2025-03-31"));
        let r = group_row(1, at("2025-04-02 08:00"), paris, 7, RdvStatus::Unknown, RdvOrigin::Agent, 1, now);
        assert_eq!(r.status, ListStatus::UnknownFuture);
        // Réunion (UTC+4): 21:00 UTC is already the next day.
        let r = group_row(
            1,
            at("2025-03-30 21:00"),
            chrono_tz::Indian::Reunion,
            7,
            RdvStatus::Seen,
            RdvOrigin::Agent,
            1,
            now,
        );
        assert_eq!(r.day, d("2025-03-31"));
    }
}
