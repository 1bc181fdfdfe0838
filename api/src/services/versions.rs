//! Audit history (`versions`) of a record, readable by those who may read the record, with the
//! author's name and the changes in the record's organisation's zone.

use std::collections::BTreeMap;

use rdv_shared::access::{
    can_list_lieux, can_read_organisation, can_read_territory, can_see_agent, can_see_motif, Actor,
};
use rdv_shared::dto::{display_name, Version, VersionsResponse};
use rdv_shared::pagination::Meta;
use rdv_shared::{AgentId, OrganisationId, ServiceId, TerritoryId};
use serde::Deserialize;

use crate::db::models::agent::AgentRow;
use crate::db::models::{agent, lieu, motif, organisation, territory, version};
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};

/// The item types whose history can be read: the document's enum of `item_type` (the query
/// keeps a string, so that another value gets the API v1 `inclusion` error).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub enum VersionItemType {
    Organisation,
    Territory,
    Agent,
    Lieu,
    Motif,
    User,
    Rdv,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListVersionsQuery {
    /// `Organisation`, `Territory`, `Agent`, `Lieu`, `Motif`, `User` (usagers: admins of one of
    /// its organisations only, as the reference) or `Rdv`.
    #[param(inline, value_type = VersionItemType)]
    pub item_type: String,
    pub item_id: i32,
    /// Page number, from 1.
    pub page: Option<i64>,
}

/// Checks that the actor may read the item; returns the zone its instants are shown in.
/// An item the actor may not read is reported as not found, so its existence is not revealed.
fn readable_zone(conn: &mut DbConn, actor: &Actor, item_type: &str, id: i32) -> ApiResult<String> {
    let org_zone = |conn: &mut DbConn, org_id: i32| -> ApiResult<String> {
        Ok(organisation::find(conn, org_id)?.map(|o| o.time_zone).unwrap_or_else(|| "UTC".into()))
    };
    let not_found = ApiError::NotFound("item");
    match item_type {
        "Organisation" => {
            let org = organisation::find(conn, id)?.ok_or(not_found)?;
            if !can_read_organisation(actor, OrganisationId(id)) {
                return Err(ApiError::NotFound("item"));
            }
            Ok(org.time_zone)
        }
        "Territory" => {
            territory::find(conn, id)?.ok_or(not_found)?;
            if !can_read_territory(actor, TerritoryId(id)) {
                return Err(ApiError::NotFound("item"));
            }
            Ok("Europe/Paris".into())
        }
        "Agent" => {
            agent::find(conn, id)?.ok_or(not_found)?;
            if !can_see_agent(actor, &agent::facts(conn, id)?, None) {
                return Err(ApiError::NotFound("item"));
            }
            Ok("Europe/Paris".into())
        }
        "Lieu" => {
            let l = lieu::find(conn, id)?.ok_or(not_found)?;
            if !can_list_lieux(actor, OrganisationId(l.organisation_id)) {
                return Err(ApiError::NotFound("item"));
            }
            org_zone(conn, l.organisation_id)
        }
        "Motif" => {
            let m = motif::find(conn, id)?.ok_or(not_found)?;
            if !can_see_motif(actor, OrganisationId(m.organisation_id), ServiceId(m.service_id)) {
                return Err(ApiError::NotFound("item"));
            }
            org_zone(conn, m.organisation_id)
        }
        "User" => {
            crate::db::models::user::find(conn, id)?.ok_or(not_found)?;
            let orgs = crate::db::models::user::organisation_ids(conn, id)?;
            let typed: Vec<OrganisationId> = orgs.iter().copied().map(OrganisationId).collect();
            if !rdv_shared::access::can_audit_usager(actor, &typed) {
                return Err(ApiError::NotFound("item"));
            }
            Ok("Europe/Paris".into())
        }
        "Rdv" => {
            let r = crate::db::models::rdv::find(conn, id)?.ok_or(not_found)?;
            let viewer = crate::services::viewer::load(conn, actor.agent_id.map_or(0, |a| a.0))?;
            if crate::services::viewer::rdv_level(conn, &viewer, &r)? < rdv_shared::access::AgendaLevel::Read {
                return Err(ApiError::NotFound("item"));
            }
            org_zone(conn, r.organisation_id)
        }
        _ => Err(ApiError::field("item_type", "inclusion")),
    }
}

/// One page of a record's versions, newest first, instants in `zone`, and the total.
pub fn load(conn: &mut DbConn, item_type: &str, item_id: i32, zone: &str, page: i64) -> ApiResult<(Vec<Version>, i64)> {
    let (rows, total) = version::page_of(conn, item_type, item_id, page)?;
    let author_ids: Vec<i32> = rows.iter().filter_map(|r| r.4).collect();
    let names: BTreeMap<i32, String> = agent::agents_by_id(conn, &author_ids)?
        .into_values()
        .map(|a| (a.id, display_name(a.first_name.as_deref(), &a.last_name)))
        .collect();
    let versions = rows
        .into_iter()
        .map(|(id, item_type, item_id, event, author, whodunnit, changes, created_at)| Version {
            id,
            item_type,
            item_id,
            event,
            author_agent_id: author.map(AgentId),
            author_name: author.and_then(|a| names.get(&a).cloned()).unwrap_or(whodunnit),
            created_at: rdv_shared::time::in_zone(created_at, zone),
            changes: serde_json::from_str(&changes).unwrap_or_default(),
        })
        .collect();
    Ok((versions, total))
}

/// Lists a record's versions, newest first: date, author, and each changed field before/after.
pub fn list_versions(
    conn: &mut DbConn,
    caller: &AgentRow,
    q: ListVersionsQuery,
    page: i64,
) -> ApiResult<rdv_shared::dto::VersionsResponse> {
    let actor = agent::facts(conn, caller.id)?;
    let zone = readable_zone(conn, &actor, &q.item_type, q.item_id)?;
    let (versions, total) = load(conn, &q.item_type, q.item_id, &zone, page)?;
    Ok(VersionsResponse { versions, meta: Meta::new(page, total) })
}
