//! Slot search over the database (issue 7, reference-domain.md §3): a fixed handful of
//! indexed queries whatever the number of plages or occurrences — the motifs' plages that can
//! have an occurrence in the window (one query through `plage_ouverture_motifs`), then the
//! candidate agents' blocking RDVs and absences overlapping it (one query each, plus the agents'
//! zones) — and the pure engine of `rdv_shared::slots` on the result. Next availability reads
//! forward in doubling windows (`booking::scan_windows`), never week by week, and stops as soon
//! as every lieu asked for has its first slot.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use diesel::QueryResult;
use rdv_shared::booking::{booking_window, first_per_lieu, scan_windows, NEXT_AVAILABILITY_HORIZON_DAYS};
use rdv_shared::holidays::is_holiday;
use rdv_shared::recurrence::occurrences;
use rdv_shared::slots::{compute, Opening, Slot, SlotRules, Span};

use crate::db::models::motif::MotifRow;
use crate::db::models::plage::PlageRow;
use crate::db::models::{absence, agent, plage, rdv, rdv_reads};
use crate::db::DbConn;

/// A motif being searched, with what its organisation says about time.
#[derive(Debug, Clone)]
pub struct Target {
    pub motif: MotifRow,
    pub zone: Tz,
    /// The organisation's département (its public holidays block whole days).
    pub departement: String,
}

impl Target {
    pub fn needs_lieu(&self) -> bool {
        self.motif.needs_lieu()
    }
}

/// Who may be booked: every agent with plages for the motif, or only some; only some lieux.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub agent_ids: Option<Vec<i32>>,
    pub lieu_ids: Option<Vec<i32>>,
    /// Usager / prescripteur search: the motif's booking delays apply (reference §3.8).
    pub public: bool,
}

/// A slot with the motif it was computed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Found {
    pub motif_id: i32,
    pub slot: Slot,
}

fn naive(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc()
}

/// One query: (motif id, plage) for the plages linked to `motif_ids` that can have an
/// occurrence between `from` and `to`, within the scope's agents and lieux.
pub fn plages_of_motifs(
    conn: &mut DbConn,
    motif_ids: &[i32],
    scope: &Scope,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> QueryResult<Vec<(i32, PlageRow)>> {
    // Local dates differ from UTC ones by up to 14 h: widen by a day on each side.
    let from_day = (from - Duration::days(1)).date_naive();
    let to_day = (to + Duration::days(1)).date_naive();
    plage::linked_to_motifs(conn, motif_ids, scope.agent_ids.as_deref(), scope.lieu_ids.as_deref(), from_day, to_day)
}

/// The busy spans of `agent_ids` overlapping `[from, to)`: their RDVs in a blocking status in
/// any organisation (reference §3.5) and their absences, read in the zone of each agent's
/// first organisation. Three queries.
fn busy_of(
    conn: &mut DbConn,
    agent_ids: &[i32],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> QueryResult<HashMap<i32, Vec<Span>>> {
    let mut busy: HashMap<i32, Vec<Span>> = HashMap::new();
    if agent_ids.is_empty() {
        return Ok(busy);
    }
    for b in rdv::blocking_overlaps(conn, agent_ids, naive(from), naive(to))? {
        busy.entry(b.agent_id)
            .or_default()
            .push(Span::new(Utc.from_utc_datetime(&b.starts_at), Utc.from_utc_datetime(&b.ends_at)));
    }
    let absences = absence::in_window(
        conn,
        agent_ids,
        (from - Duration::days(1)).date_naive(),
        (to + Duration::days(1)).date_naive(),
    )?;
    if !absences.is_empty() {
        let zones = first_zones(conn, agent_ids)?;
        for a in absences {
            let rule = a.rule();
            let zone = zones.get(&a.agent_id).copied().unwrap_or(chrono_tz::Europe::Paris);
            for (s, e) in occurrences(&a.schedule(rule.as_ref()), zone, from, to) {
                busy.entry(a.agent_id).or_default().push(Span::new(s, e));
            }
        }
    }
    Ok(busy)
}

/// Zone of each agent's first organisation (where its absences' hours are read).
fn first_zones(conn: &mut DbConn, agent_ids: &[i32]) -> QueryResult<HashMap<i32, Tz>> {
    let rows = agent::organisation_zones(conn, agent_ids)?;
    let mut out = HashMap::new();
    for (a, z) in rows {
        out.entry(a).or_insert_with(|| z.parse().unwrap_or(chrono_tz::Europe::Paris));
    }
    Ok(out)
}

/// Plage occurrences in `[from, to)` as openings, per motif; days that are public holidays in
/// the organisation's département are dropped (reference §3.5.1, with every year and the
/// overseas days, where the reference hard-coded 2023–2026 metropolitan dates).
fn openings(
    targets: &HashMap<i32, &Target>,
    plages: &[(i32, PlageRow)],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> BTreeMap<i32, Vec<Opening>> {
    let mut out: BTreeMap<i32, Vec<Opening>> = BTreeMap::new();
    for (motif_id, p) in plages {
        let Some(t) = targets.get(motif_id) else { continue };
        let rule = p.rule();
        let lieu_id = if t.needs_lieu() { p.lieu_id } else { None };
        for (s, e) in occurrences(&p.schedule(rule.as_ref()), t.zone, from, to) {
            if is_holiday(s.with_timezone(&t.zone).date_naive(), &t.departement) {
                continue;
            }
            out.entry(*motif_id).or_default().push(Opening { agent_id: p.agent_id, lieu_id, span: Span::new(s, e) });
        }
    }
    out
}

fn rules(t: &Target, scope: &Scope, from: DateTime<Utc>, now: DateTime<Utc>) -> SlotRules {
    let m = &t.motif;
    let (not_before, not_after) =
        booking_window(now, scope.public, m.min_public_booking_delay, m.max_public_booking_delay);
    let duration = Duration::minutes(i64::from(m.default_duration_in_min));
    SlotRules {
        duration,
        step: m.slot_step_in_min.map_or(duration, |s| Duration::minutes(i64::from(s))),
        not_before: not_before.max(from),
        not_after,
    }
}

/// Every slot of `targets` starting in `[from, to)`, given the plages already read: reads the
/// busy times of the agents that have openings there (three queries, none when nobody has).
pub fn slots_between(
    conn: &mut DbConn,
    targets: &[Target],
    plages: &[(i32, PlageRow)],
    scope: &Scope,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
) -> QueryResult<Vec<Found>> {
    let by_id: HashMap<i32, &Target> = targets.iter().map(|t| (t.motif.id, t)).collect();
    let openings = openings(&by_id, plages, from, to);
    let agents: BTreeSet<i32> = openings.values().flatten().map(|o| o.agent_id).collect();
    if agents.is_empty() {
        return Ok(Vec::new());
    }
    // A slot starting before `to` may end after it: read busy times to the last opening's end.
    let busy_to = openings.values().flatten().map(|o| o.span.end).max().map_or(to, |end| end.max(to));
    let busy = busy_of(conn, &agents.into_iter().collect::<Vec<_>>(), from, busy_to)?;
    let mut out = Vec::new();
    for (motif_id, list) in &openings {
        let Some(t) = by_id.get(motif_id) else { continue };
        let r = rules(t, scope, from, now);
        out.extend(
            compute(list, &busy, &r)
                .into_iter()
                .filter(|s| s.starts_at < to)
                .map(|slot| Found { motif_id: *motif_id, slot }),
        );
    }
    out.sort_by_key(|f| (f.slot.starts_at, f.slot.lieu_id, f.slot.agent_id, f.motif_id));
    Ok(out)
}

/// The first slot of each lieu of `wanted` from `from`, looking at most 6 months ahead (less
/// when the motif's maximum delay says so on the public side), in doubling windows.
pub fn next_availability(
    conn: &mut DbConn,
    targets: &[Target],
    plages: &[(i32, PlageRow)],
    scope: &Scope,
    from: DateTime<Utc>,
    wanted: &BTreeSet<Option<i32>>,
    now: DateTime<Utc>,
) -> QueryResult<BTreeMap<Option<i32>, DateTime<Utc>>> {
    let mut found = BTreeMap::new();
    let by_id: HashMap<i32, &Target> = targets.iter().map(|t| (t.motif.id, t)).collect();
    let lieu_of = |m: i32, p: &PlageRow| by_id.get(&m).and_then(|t| if t.needs_lieu() { p.lieu_id } else { None });
    let horizon = from.max(now) + Duration::days(NEXT_AVAILABILITY_HORIZON_DAYS);
    for (a, b) in scan_windows(from, horizon) {
        let open: Vec<(i32, PlageRow)> = plages
            .iter()
            .filter(|(m, p)| {
                let lieu = lieu_of(*m, p);
                wanted.contains(&lieu) && !found.contains_key(&lieu)
            })
            .cloned()
            .collect();
        if open.is_empty() {
            break;
        }
        let slots: Vec<Slot> =
            slots_between(conn, targets, &open, scope, a, b, now)?.into_iter().map(|f| f.slot).collect();
        for (lieu, t) in first_per_lieu(&slots) {
            found.entry(lieu).or_insert(t);
        }
        if wanted.iter().all(|l| found.contains_key(l)) {
            break;
        }
    }
    Ok(found)
}

/// Plages to read for a search over `[from, to)` that also answers next availability.
pub fn horizon_end(from: DateTime<Utc>, to: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
    to.max(from.max(now) + Duration::days(NEXT_AVAILABILITY_HORIZON_DAYS))
}

/// Collective sessions of `motif_ids` starting in `[not_before, to)` that still take someone
/// (reference §3.11), within the scope's lieux; agents are filtered by the caller. One query.
pub fn collective_sessions(
    conn: &mut DbConn,
    motif_ids: &[i32],
    scope: &Scope,
    not_before: DateTime<Utc>,
    to: DateTime<Utc>,
) -> QueryResult<Vec<crate::db::models::rdv::RdvRow>> {
    rdv_reads::sessions_with_seats(conn, motif_ids, scope.lieu_ids.as_deref(), naive(not_before), naive(to))
}
