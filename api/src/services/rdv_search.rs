//! The RDV list over organisations (`GET /api/v1/rdvs`) and what exports and statistics share
//! with it: which organisations a request covers, the caller's read scope in each
//! (`rdv_shared::access::readable_rdvs`), and the range in each organisation's zone.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rdv_shared::access::{can_search_organisation, readable_rdvs, AgentFacts, ReadScope};
use rdv_shared::dto::{RdvSearch, StatusCounts};
use rdv_shared::pagination::{offset, PER_PAGE};
use rdv_shared::recurrence::to_utc;
use rdv_shared::{OrganisationId, TerritoryId};

use crate::db::models::agent::AgentRow;
use crate::db::models::organisation::OrganisationRow;
use crate::db::models::rdv_search::{self, OrgPart, SearchSql};
use crate::db::models::{agent, membership, organisation, rdv};
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};
use crate::services::agenda::tz;
use crate::services::rdv_render::render;
use crate::services::viewer;

/// A search over its organisations, ready to run.
pub struct Prepared {
    pub sql: SearchSql,
    /// The organisations covered, by id.
    pub organisations: Vec<OrganisationRow>,
}

/// A filter error as the API's 422.
pub fn invalid((field, code): (&'static str, &'static str)) -> ApiError {
    ApiError::field(field, code)
}

/// Local midnight of `day` in `zone`, as UTC.
pub fn local_midnight(zone: &str, day: NaiveDate) -> Option<chrono::NaiveDateTime> {
    to_utc(tz(zone), day.and_time(chrono::NaiveTime::MIN)).map(|t| t.naive_utc())
}

/// The organisations a search covers: `territory_id` (all of it, for its admins or members),
/// `organisation_ids`, or every organisation of the caller. Unknown → 404, not theirs → 403.
fn organisations_of(conn: &mut DbConn, actor: &AgentFacts, s: &RdvSearch) -> ApiResult<Vec<OrganisationRow>> {
    let mut ids: Vec<i32> = s.organisation_ids.iter().map(|o| o.0).collect();
    if let Some(t) = s.territory_id {
        let of_territory = agent::organisations_of_territories(conn, &[t.0])?;
        if of_territory.is_empty() {
            return Err(ApiError::NotFound("territory"));
        }
        if ids.is_empty() {
            ids = of_territory;
        } else {
            ids.retain(|i| of_territory.contains(i));
        }
    } else if ids.is_empty() {
        ids = actor
            .memberships
            .iter()
            .filter(|m| m.access_level != rdv_shared::access::AccessLevel::Intervenant)
            .map(|m| m.organisation_id.0)
            .collect();
    }
    ids.sort_unstable();
    ids.dedup();
    let found = organisation::organisations_by_id(conn, &ids)?;
    let mut out = Vec::new();
    for id in ids {
        let org = found.get(&id).cloned().ok_or(ApiError::NotFound("organisation"))?;
        if !can_search_organisation(actor, OrganisationId(id), TerritoryId(org.territory_id)) {
            // A territory-wide request keeps the organisations the caller may search.
            if s.territory_id.is_some() && s.organisation_ids.is_empty() {
                continue;
            }
            return Err(ApiError::forbidden());
        }
        out.push(org);
    }
    if out.is_empty() && s.territory_id.is_some() {
        return Err(ApiError::forbidden());
    }
    Ok(out)
}

/// Prepares `s` for `caller`: their organisations, their read scope in each (`all_readable`
/// gives every RDV: territory statistics), the range in each zone.
pub fn prepare(
    conn: &mut DbConn,
    caller: &AgentRow,
    s: RdvSearch,
    now: DateTime<Utc>,
    all_readable: bool,
) -> ApiResult<Prepared> {
    let viewer = viewer::load(conn, caller.id)?;
    // Access first (403/404 on organisations the caller may not read), then the search's rules.
    let organisations = organisations_of(conn, &viewer.actor, &s)?;
    s.check().map_err(invalid)?;
    let org_ids: Vec<i32> = organisations.iter().map(|o| o.id).collect();
    let members = membership::members_of(conn, &org_ids)?;
    let member_ids: Vec<i32> = members.iter().map(|(_, a)| *a).collect();
    let facts = agent::facts_of(conn, &member_ids)?;
    let mut per_org: HashMap<i32, Vec<AgentFacts>> = HashMap::new();
    for (org, a) in &members {
        if let Some(f) = facts.get(a) {
            per_org.entry(*org).or_default().push(f.clone());
        }
    }
    let orgs = organisations
        .iter()
        .map(|o| OrgPart {
            organisation_id: o.id,
            scope: if all_readable {
                ReadScope::All
            } else {
                readable_rdvs(&viewer, OrganisationId(o.id), per_org.get(&o.id).map_or(&[], Vec::as_slice))
            },
            from: s.from.and_then(|d| local_midnight(&o.time_zone, d)),
            to: s.to.and_then(|d| local_midnight(&o.time_zone, d + Duration::days(1))),
        })
        .collect();
    Ok(Prepared { sql: SearchSql { orgs, search: s, now: now.naive_utc() }, organisations })
}

/// One page of the list, its total and its counts per status.
pub fn list_rdvs(
    conn: &mut DbConn,
    caller: &AgentRow,
    s: RdvSearch,
    page: i64,
    now: DateTime<Utc>,
) -> ApiResult<(Vec<rdv_shared::dto::Rdv>, i64, StatusCounts)> {
    let p = prepare(conn, caller, s, now, false)?;
    let mut counts = StatusCounts::default();
    for (status, n) in rdv_search::status_counts(conn, &p.sql)? {
        counts.add(status, n);
    }
    let total = counts.total();
    if total == 0 || offset(page) >= total {
        return Ok((Vec::new(), total, counts));
    }
    let ids = rdv_search::page_ids(conn, &p.sql, PER_PAGE, offset(page))?;
    let by_id: HashMap<i32, _> = rdv::find_many(conn, &ids)?.into_iter().map(|r| (r.id, r)).collect();
    let rows: Vec<_> = ids.iter().filter_map(|id| by_id.get(id).cloned()).collect();
    Ok((render(conn, &rows, now)?, total, counts))
}
