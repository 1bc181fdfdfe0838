//! Links of a usager: profiles in organisations (`user_profiles`, attach and detach) and
//! referents (`referent_assignations`), with the reference's guards.

use rdv_shared::access::{can_assign_referent, can_attach_usager, can_detach_usager};
use rdv_shared::dto::{
    ReferentAssignation, ReferentAssignationRequest, ReferentAssignationResponse, UserProfile, UserProfileRequest,
    UserProfileResponse,
};
use rdv_shared::{OrganisationId, TerritoryId};
use serde::Deserialize;

use crate::db::models::agent::AgentRow;
use crate::db::models::{agent, organisation, rdv_reads, user, user_links};
use crate::db::{now_utc, write_tx, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::services::usagers::{render, UsagerContext};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserProfileQuery {
    pub organisation_id: i32,
    pub user_id: i32,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReferentQuery {
    pub agent_id: i32,
    pub user_id: i32,
}

/// 422 `{"user": [{"error": "blank"}]}` "user doit exister", as the reference for unknown usagers.
fn user_must_exist() -> ApiError {
    ApiError::field_message("user", "blank", "user doit exister".to_owned())
}

/// The usager, and whether the caller may assign or remove this referent for it (reference R1/R2).
fn referent_change_allowed(
    conn: &mut crate::db::DbConn,
    agent_id: i32,
    referent_id: i32,
    user: &user::UserRow,
) -> ApiResult<UsagerContext> {
    let ctx = UsagerContext::load(conn, agent_id, None)?;
    let orgs = user::organisation_ids(conn, user.id)?;
    let facts = agent::facts(conn, referent_id)?;
    if !can_assign_referent(&ctx.actor, &facts, &UsagerContext::typed(&orgs)) {
        return Err(ApiError::forbidden());
    }
    Ok(ctx)
}

/// Adds a usager to an organisation of the caller's territories ("ajouter à mon organisation");
/// its family cell follows. A profile that already exists is a 422 `taken`.
pub fn create_user_profile(
    conn: &mut DbConn,
    caller: &AgentRow,
    req: UserProfileRequest,
) -> ApiResult<rdv_shared::dto::UserProfileResponse> {
    let ctx = UsagerContext::load(conn, caller.id, Some(req.organisation_id))?;
    let org = organisation::find(conn, req.organisation_id)?.ok_or_else(ApiError::forbidden)?;
    if !can_attach_usager(&ctx.actor, TerritoryId(org.territory_id)) {
        return Err(ApiError::forbidden());
    }
    let row = user::find(conn, req.user_id)?.ok_or_else(user_must_exist)?;
    let orgs = user::organisation_ids(conn, row.id)?;
    if orgs.contains(&org.id) {
        return Err(ApiError::field("user_id", "taken"));
    }
    // Found masked from another organisation of the territory, or already visible.
    if !ctx.finds_masked(&orgs) && !ctx.sees(&orgs) {
        return Err(ApiError::forbidden());
    }
    let author = caller.author();
    write_tx(conn, |c| Ok::<_, ApiError>(user_links::attach(c, &author, &row, &[org.id])?))?;
    let ctx = UsagerContext::load(conn, caller.id, Some(org.id))?;
    Ok(UserProfileResponse {
        user_profile: UserProfile { organisation: org.to_dto(), user: render(conn, &ctx, &row)? },
    })
}

/// Removes a usager (and, for a responsable, its relatives) from an organisation; leaving the
/// last organisation anonymises the record (reference P2). 204.
pub fn delete_user_profile(conn: &mut DbConn, caller: &AgentRow, q: UserProfileQuery) -> ApiResult<()> {
    let actor = agent::facts(conn, caller.id)?;
    if !can_detach_usager(&actor, OrganisationId(q.organisation_id)) {
        return Err(ApiError::forbidden());
    }
    let row = user::find(conn, q.user_id)?.ok_or(ApiError::NotFound("user_profile"))?;
    if !user::organisation_ids(conn, row.id)?.contains(&q.organisation_id) {
        return Err(ApiError::NotFound("user_profile"));
    }
    // The reference refuses while the cell has future RDVs there (they would lose their usager).
    let mut cell = vec![row.id];
    if row.responsible_id.is_none() {
        cell.extend(user_links::relatives(conn, row.id)?.iter().map(|r| r.id));
    }
    if rdv_reads::future_count_for_users(conn, &cell, q.organisation_id, now_utc())? > 0 {
        return Err(ApiError::field("base", "future_rdvs"));
    }
    let author = caller.author();
    write_tx(conn, |c| Ok::<_, ApiError>(user_links::detach(c, &author, &row, q.organisation_id)?))?;
    Ok(())
}

/// Makes an agent a referent of a usager (never twice: 422 `taken`).
pub fn create_referent_assignation(
    conn: &mut DbConn,
    caller: &AgentRow,
    req: ReferentAssignationRequest,
) -> ApiResult<rdv_shared::dto::ReferentAssignationResponse> {
    let referent =
        agent::find(conn, req.agent_id)?.filter(|a| a.deleted_at.is_none()).ok_or(ApiError::NotFound("agent"))?;
    let row = user::find(conn, req.user_id)?.ok_or(ApiError::NotFound("user"))?;
    let ctx = referent_change_allowed(conn, caller.id, referent.id, &row)?;
    if user_links::is_referent(conn, row.id, referent.id)? {
        return Err(ApiError::field("user_id", "taken"));
    }
    let author = caller.author();
    write_tx(conn, |c| Ok::<_, ApiError>(user_links::add_referent(c, &author, row.id, referent.id)?))?;
    Ok(ReferentAssignationResponse {
        referent_assignation: ReferentAssignation { agent: referent.to_dto(), user: render(conn, &ctx, &row)? },
    })
}

/// Removes a referent. 204; 404 when the agent is not a referent of the usager.
pub fn delete_referent_assignation(conn: &mut DbConn, caller: &AgentRow, q: ReferentQuery) -> ApiResult<()> {
    let row = user::find(conn, q.user_id)?.ok_or(ApiError::NotFound("referent_assignation"))?;
    if !user_links::is_referent(conn, row.id, q.agent_id)? {
        return Err(ApiError::NotFound("referent_assignation"));
    }
    referent_change_allowed(conn, caller.id, q.agent_id, &row)?;
    let author = caller.author();
    write_tx(conn, |c| Ok::<_, ApiError>(user_links::remove_referent(c, &author, row.id, q.agent_id)?))?;
    Ok(())
}
