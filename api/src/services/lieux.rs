//! Lieux: members of an organisation list them, its admins create and edit them
//! (reference-domain.md §1.6, §2.7). Disabling (`availability: disabled`) is the soft delete.

use rdv_shared::access::{can_list_lieux, can_manage_lieux};
use rdv_shared::dto::{CreateLieuRequest, LieuFields, UpdateLieuRequest};
use rdv_shared::enums::LieuAvailability;
use rdv_shared::OrganisationId;
use serde::Deserialize;

use crate::db::models::agent::AgentRow;
use crate::db::models::{agent, lieu};
use crate::db::{write_tx, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::extract::Body;
use crate::services::webhook_events;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListLieuxQuery {
    /// Only lieux of this availability (default: all).
    pub availability: Option<LieuAvailability>,
    /// Page number, from 1.
    pub page: Option<i64>,
}

/// Loads a lieu the actor may at least list (404 otherwise: its existence is not revealed).
pub fn visible_lieu(
    conn: &mut crate::db::DbConn,
    id: i32,
    agent_id: i32,
) -> ApiResult<(lieu::LieuRow, rdv_shared::access::Actor)> {
    let row = lieu::find(conn, id)?.ok_or(ApiError::NotFound("lieu"))?;
    let actor = agent::facts(conn, agent_id)?;
    if !can_list_lieux(&actor, OrganisationId(row.organisation_id)) {
        return Err(ApiError::NotFound("lieu"));
    }
    Ok((row, actor))
}

/// Lists an organisation's lieux by name (its members).
pub fn list_lieux(
    conn: &mut DbConn,
    caller: &AgentRow,
    org_id: i32,
    query: ListLieuxQuery,
    page: i64,
) -> ApiResult<(Vec<lieu::LieuRow>, i64)> {
    let (_, actor) = crate::services::organisation_and_actor(conn, org_id, caller.id)?;
    if !can_list_lieux(&actor, OrganisationId(org_id)) {
        return Err(ApiError::forbidden());
    }
    Ok(lieu::page_of(conn, org_id, query.availability, page)?)
}

/// Creates a lieu (admins of the organisation). `availability` is `enabled` (default) or `single_use`.
pub fn create_lieu(
    conn: &mut DbConn,
    caller: &AgentRow,
    org_id: i32,
    req: Body<CreateLieuRequest>,
) -> ApiResult<lieu::LieuRow> {
    let (_, actor) = crate::services::organisation_and_actor(conn, org_id, caller.id)?;
    if !can_manage_lieux(&actor, OrganisationId(org_id)) {
        return Err(ApiError::forbidden());
    }
    let req = req.parse()?;
    let fields = LieuFields {
        name: req.name,
        address: req.address,
        phone_number: req.phone_number,
        latitude: req.latitude,
        longitude: req.longitude,
        availability: req.availability.unwrap_or(LieuAvailability::Enabled),
    }
    .normalised();
    let mut errors = fields.validate();
    if fields.availability == LieuAvailability::Disabled {
        errors.add("availability", "inclusion");
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    write_tx(conn, |c| {
        let row = lieu::create(c, &caller.author(), org_id, &fields)?;
        webhook_events::lieu_event(c, &row, webhook_events::CREATED)?;
        Ok(row)
    })
}

/// Updates a lieu (admins). A lieu cannot become, nor stop being, single-use.
pub fn update_lieu(
    conn: &mut DbConn,
    caller: &AgentRow,
    id: i32,
    req: Body<UpdateLieuRequest>,
) -> ApiResult<lieu::LieuRow> {
    let (before, actor) = visible_lieu(conn, id, caller.id)?;
    if !can_manage_lieux(&actor, OrganisationId(before.organisation_id)) {
        return Err(ApiError::forbidden());
    }
    let req = req.parse()?;
    let old = before.fields();
    let fields = LieuFields {
        name: req.name.unwrap_or(old.name),
        address: req.address.unwrap_or(old.address),
        phone_number: req.phone_number.unwrap_or(old.phone_number),
        latitude: req.latitude.unwrap_or(old.latitude),
        longitude: req.longitude.unwrap_or(old.longitude),
        availability: req.availability.unwrap_or(old.availability),
    }
    .normalised();
    let mut errors = fields.validate();
    let single_use_change =
        (old.availability == LieuAvailability::SingleUse) != (fields.availability == LieuAvailability::SingleUse);
    if single_use_change {
        errors.add("availability", "inclusion");
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    write_tx(conn, |c| {
        let row = lieu::update(c, &caller.author(), &before, &fields)?;
        webhook_events::lieu_event(c, &row, webhook_events::UPDATED)?;
        Ok(row)
    })
}
