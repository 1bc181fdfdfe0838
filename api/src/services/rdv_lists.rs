//! RDV lists: an organisation's RDVs (API v1, with the reference's date bounds), a usager's RDVs
//! and an agent's "RDV à renseigner" — each showing only the RDVs the caller may read.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use rdv_shared::access::{AccessLevel, AgendaLevel};
use rdv_shared::pagination::page_in_memory;
use rdv_shared::recurrence::to_utc;
use serde::Deserialize;

use crate::db::models::agent::AgentRow;
use crate::db::models::rdv_reads::RdvFilter;
use crate::db::models::{agent, organisation, rdv, rdv_reads};
use crate::db::{now_utc, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::services::agenda::tz;
use crate::services::rdv_render::render;
use crate::services::usagers::{visible_user, UsagerContext};
use crate::services::viewer;
use crate::services::viewer::rdv_level;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrganisationRdvsQuery {
    /// `starts_at >= value`: a date or date-time (`2026-01-01`, `2026-01-01 10:00:00`, RFC 3339),
    /// read in the organisation's zone when it has no offset. Unreadable: empty list (as the reference).
    pub starts_after: Option<String>,
    /// `starts_at <= value`, same formats.
    pub starts_before: Option<String>,
    /// Page number, from 1.
    pub page: Option<i64>,
}

/// A bound as the reference reads it; `Err` when unreadable.
fn parse_bound(value: &str, zone: &str) -> Result<NaiveDateTime, ()> {
    let v = value.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Ok(t.with_timezone(&Utc).naive_utc());
    }
    let local = NaiveDateTime::parse_from_str(v, "%Y-%m-%d %H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| NaiveDate::parse_from_str(v, "%Y-%m-%d").map(|d| d.and_time(chrono::NaiveTime::MIN)))
        .map_err(|_| ())?;
    to_utc(tz(zone), local).map(|t| t.naive_utc()).ok_or(())
}

/// An organisation's RDVs by start. Unknown organisations and those where the caller has no
/// role answer an empty list (reference V1). Basic agents get their services' RDVs and their own.
pub fn list_organisation_rdvs(
    conn: &mut DbConn,
    caller: &AgentRow,
    org_id: i32,
    query: OrganisationRdvsQuery,
    page: i64,
) -> ApiResult<(Vec<rdv_shared::dto::Rdv>, i64)> {
    let viewer = viewer::load(conn, caller.id)?;
    let Some(org) = organisation::find(conn, org_id)? else {
        return Ok((Vec::new(), 0));
    };
    let membership = viewer.actor.membership(rdv_shared::OrganisationId(org_id)).copied();
    let bound = |v: &Option<String>| v.as_deref().map(|s| parse_bound(s, &org.time_zone)).transpose();
    let (Ok(starts_after), Ok(starts_before)) = (bound(&query.starts_after), bound(&query.starts_before)) else {
        return Ok((Vec::new(), 0));
    };
    let filter = RdvFilter { starts_after, starts_before };
    let services: Vec<i32> = viewer.actor.service_ids.iter().map(|s| s.0).collect();
    let scope = match membership.map(|m| m.access_level) {
        Some(AccessLevel::Admin) => None,
        Some(AccessLevel::Basic) if viewer.actor.is_secretary => None,
        Some(AccessLevel::Basic) if viewer.grants.is_empty() => Some((services.as_slice(), caller.id)),
        _ if viewer.grants.is_empty() => return Ok((Vec::new(), 0)),
        // Grants can open any agenda: filter each RDV by its level (the bounds keep it small).
        _ => {
            let mut readable = Vec::new();
            for r in rdv_reads::all_of_organisation(conn, org_id, &filter)? {
                if rdv_level(conn, &viewer, &r)? >= AgendaLevel::Read {
                    readable.push(r);
                }
            }
            let (rows, total) = page_in_memory(readable, page);
            return Ok((render(conn, &rows, Utc::now())?, total));
        }
    };
    let (rows, total) = rdv_reads::page_of_organisation(conn, org_id, &filter, scope, page)?;
    Ok((render(conn, &rows, Utc::now())?, total))
}

/// A usager's RDVs, most recent first: only those the caller may read (an RDV the caller sees
/// as busy is not revealed).
pub fn list_user_rdvs(
    conn: &mut DbConn,
    caller: &AgentRow,
    id: i32,
    page: i64,
) -> ApiResult<(Vec<rdv_shared::dto::Rdv>, i64)> {
    let ctx = UsagerContext::load(conn, caller.id, None)?;
    let (_, orgs) = visible_user(conn, &ctx, id)?;
    crate::services::usagers::note_read(conn, &ctx, id, &orgs, "rdvs")?;
    let readable = readable_user_rdvs(conn, caller, id)?;
    let (rows, total) = page_in_memory(readable, page);
    Ok((render(conn, &rows, Utc::now())?, total))
}

/// The RDVs usager `id` takes part in that the caller may read, most recent first (the list
/// above and the RGPD export). The caller's view of the usager is checked by the callers.
pub fn readable_user_rdvs(conn: &mut DbConn, caller: &AgentRow, id: i32) -> ApiResult<Vec<rdv::RdvRow>> {
    let viewer = viewer::load(conn, caller.id)?;
    let ids = rdv_reads::ids_of_user(conn, id)?;
    let mut readable = Vec::new();
    for r in rdv::find_many(conn, &ids)? {
        if rdv_level(conn, &viewer, &r)? >= AgendaLevel::Read {
            readable.push(r);
        }
    }
    readable.sort_by(|a, b| b.starts_at.cmp(&a.starts_at).then(b.id.cmp(&a.id)));
    Ok(readable)
}

/// "RDV à renseigner": the caller's own ended RDVs still in status unknown, oldest first;
/// `meta.total_count` is the count to show.
pub fn list_rdvs_to_fill(
    conn: &mut DbConn,
    caller: &AgentRow,
    id: i32,
    page: i64,
) -> ApiResult<(Vec<rdv_shared::dto::Rdv>, i64)> {
    agent::find(conn, id)?.ok_or(ApiError::NotFound("agent"))?;
    // Oneself only: the list spans every organisation of the agent, some of which the
    // caller may not belong to (their RDVs are not theirs to see, nor to count).
    if id != caller.id {
        let viewer = viewer::load(conn, caller.id)?;
        let owner = agent::facts(conn, id)?;
        return Err(if viewer.absence_level(&owner) == AgendaLevel::None {
            ApiError::NotFound("agent")
        } else {
            ApiError::forbidden()
        });
    }
    let (ids, total) = rdv_reads::unknown_past_of_agent(conn, id, now_utc(), page)?;
    let mut rows = rdv::find_many(conn, &ids)?;
    rows.sort_by(|a, b| a.starts_at.cmp(&b.starts_at).then(a.id.cmp(&b.id)));
    Ok((render(conn, &rows, Utc::now())?, total))
}
