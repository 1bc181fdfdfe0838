//! Statistics: an organisation's (RDVs its caller may read in detail), the signed-in agent's own,
//! a territory's (its territorial admins: every RDV, counts only) and the public page's (no
//! personal data, no per-motif figures). SQL groups the RDVs
//! (`db::models::rdv_search::stats_groups`); `rdv_shared::stats` puts them on local days and
//! makes the figures.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rdv_shared::access::{can_search_organisation, can_see_territory_stats, ReadScope};
use rdv_shared::dto::{NotificationStats, RdvSearch, Stats};
use rdv_shared::enums::{RdvOrigin, RdvStatus};
use rdv_shared::stats::{default_range, fold, group_row, MotifInfo, StatsRow, MAX_DAYS};
use rdv_shared::{OrganisationId, TerritoryId};

use crate::db::models::agent::AgentRow;
use crate::db::models::organisation::OrganisationRow;
use crate::db::models::rdv_search::{self, OrgPart, SearchSql};
use crate::db::models::{agent, motif, organisation, service, territory};
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};
use crate::services::agenda::tz;
use crate::services::rdv_search::{local_midnight, prepare, Prepared};

/// The requested range, or the current year; at most [`MAX_DAYS`].
pub fn range(from: Option<NaiveDate>, to: Option<NaiveDate>, today: NaiveDate) -> ApiResult<(NaiveDate, NaiveDate)> {
    let (default_from, default_to) = default_range(today);
    let (from, to) = (from.unwrap_or(default_from), to.unwrap_or(default_to));
    let search = RdvSearch { from: Some(from), to: Some(to), ..RdvSearch::default() };
    search.check().map_err(crate::services::rdv_search::invalid)?;
    if (to - from).num_days() > MAX_DAYS {
        return Err(ApiError::field("to", "range_too_long"));
    }
    Ok((from, to))
}

fn compute(conn: &mut DbConn, p: &Prepared, (from, to): (NaiveDate, NaiveDate), public: bool) -> ApiResult<Stats> {
    let zones: HashMap<i32, chrono_tz::Tz> = p.organisations.iter().map(|o| (o.id, tz(&o.time_zone))).collect();
    let now = p.sql.now;
    let rows: Vec<StatsRow> = rdv_search::stats_groups(conn, &p.sql)?
        .into_iter()
        .map(|g| {
            let zone = zones.get(&g.organisation_id).copied().unwrap_or(chrono_tz::Europe::Paris);
            let status = RdvStatus::parse(&g.status).unwrap_or(RdvStatus::Unknown);
            let origin = RdvOrigin::parse(&g.origin).unwrap_or(RdvOrigin::Agent);
            group_row(g.organisation_id, g.starts_at, zone, g.motif_id, status, origin, g.n, now)
        })
        .collect();
    let mut motif_ids: Vec<i32> = rows.iter().map(|r| r.motif_id).collect();
    motif_ids.sort_unstable();
    motif_ids.dedup();
    let services: HashMap<i32, String> = service::all(conn)?.into_iter().map(|s| (s.id, s.name)).collect();
    let motifs: HashMap<i32, MotifInfo> = motif::motifs_by_id(conn, &motif_ids)?
        .into_values()
        .map(|m| {
            let info = MotifInfo {
                name: m.name.clone(),
                service_id: m.service_id,
                service: services.get(&m.service_id).cloned().unwrap_or_default(),
                location_type: m.location(),
            };
            (m.id, info)
        })
        .collect();
    let names: Vec<(i32, String)> = p.organisations.iter().map(|o| (o.id, o.name.clone())).collect();
    let mut stats = fold((from, to), &rows, &motifs, &names, public);
    if !public {
        stats.notifications = rdv_search::receipt_counts(conn, &p.sql)?
            .into_iter()
            .map(|(channel, result, count)| NotificationStats { channel, result, count })
            .collect();
    }
    Ok(stats)
}

fn search(from: NaiveDate, to: NaiveDate) -> RdvSearch {
    RdvSearch { from: Some(from), to: Some(to), ..RdvSearch::default() }
}

/// An organisation's statistics: the RDVs the caller may read in detail there.
pub fn organisation_stats(
    conn: &mut DbConn,
    caller: &AgentRow,
    org_id: i32,
    dates: (Option<NaiveDate>, Option<NaiveDate>),
    now: DateTime<Utc>,
) -> ApiResult<Stats> {
    let org = organisation::find(conn, org_id)?.ok_or(ApiError::NotFound("organisation"))?;
    let actor = agent::facts(conn, caller.id)?;
    if !can_search_organisation(&actor, OrganisationId(org_id), TerritoryId(org.territory_id)) {
        return Err(ApiError::forbidden());
    }
    let range = range(dates.0, dates.1, now.date_naive())?;
    let s = RdvSearch { organisation_ids: vec![OrganisationId(org_id)], ..search(range.0, range.1) };
    let p = prepare(conn, caller, s, now, false)?;
    compute(conn, &p, range, false)
}

/// The signed-in agent's own RDVs in all their organisations.
pub fn my_stats(
    conn: &mut DbConn,
    caller: &AgentRow,
    dates: (Option<NaiveDate>, Option<NaiveDate>),
    now: DateTime<Utc>,
) -> ApiResult<Stats> {
    let range = range(dates.0, dates.1, now.date_naive())?;
    let s = RdvSearch { agent_ids: vec![caller.id], ..search(range.0, range.1) };
    let p = prepare(conn, caller, s, now, false)?;
    compute(conn, &p, range, false)
}

/// A territory's statistics, per organisation: its territorial admins only.
pub fn territory_stats(
    conn: &mut DbConn,
    caller: &AgentRow,
    territory_id: i32,
    dates: (Option<NaiveDate>, Option<NaiveDate>),
    now: DateTime<Utc>,
) -> ApiResult<Stats> {
    territory::find(conn, territory_id)?.ok_or(ApiError::NotFound("territory"))?;
    let actor = agent::facts(conn, caller.id)?;
    if !can_see_territory_stats(&actor, TerritoryId(territory_id)) {
        return Err(ApiError::forbidden());
    }
    let range = range(dates.0, dates.1, now.date_naive())?;
    let s = RdvSearch { territory_id: Some(TerritoryId(territory_id)), ..search(range.0, range.1) };
    let p = prepare(conn, caller, s, now, true)?;
    compute(conn, &p, range, false)
}

/// Public statistics of a territory (or of every territory): counts only, no names of people.
pub fn public_stats(
    conn: &mut DbConn,
    territory_id: Option<i32>,
    dates: (Option<NaiveDate>, Option<NaiveDate>),
    now: DateTime<Utc>,
) -> ApiResult<Stats> {
    let range = range(dates.0, dates.1, now.date_naive())?;
    let ids = match territory_id {
        Some(t) => {
            territory::find(conn, t)?.ok_or(ApiError::NotFound("territory"))?;
            agent::organisations_of_territories(conn, &[t])?
        }
        None => organisation::all_ids(conn)?,
    };
    let found = organisation::organisations_by_id(conn, &ids)?;
    let mut organisations: Vec<OrganisationRow> = found.into_values().collect();
    organisations.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    let orgs = organisations
        .iter()
        .map(|o| OrgPart {
            organisation_id: o.id,
            scope: ReadScope::All,
            from: local_midnight(&o.time_zone, range.0),
            to: local_midnight(&o.time_zone, range.1 + Duration::days(1)),
        })
        .collect();
    let sql = SearchSql { orgs, search: search(range.0, range.1), now: now.naive_utc() };
    compute(conn, &Prepared { sql, organisations }, range, true)
}
