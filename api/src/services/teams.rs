//! Teams of a territory (territorial admins manage them, members of the territory read them) and
//! each agent's territorial access rights.

use rdv_shared::access::{can_manage_access_rights, can_manage_teams, can_read_territory, Actor};
use rdv_shared::dto::{
    AccessRights, AccessRightsListResponse, AccessRightsResponse, TeamRequest, TeamResponse, TeamsResponse,
    UpdateAccessRightsRequest,
};
use rdv_shared::pagination::Meta;
use rdv_shared::validation::Errors;
use rdv_shared::{validation, TerritoryId};

use crate::db::models::agent::AgentRow;
use crate::db::models::territory_admin::TeamRow;
use crate::db::models::{agent, territory, territory_admin as ta};
use crate::db::{write_tx, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::extract::Body;

/// The territory (404 when unknown or not readable by the actor) and the actor's facts.
pub fn readable_territory(conn: &mut DbConn, id: i32, actor_id: i32) -> ApiResult<Actor> {
    territory::find(conn, id)?.ok_or(ApiError::NotFound("territory"))?;
    let actor = agent::facts(conn, actor_id)?;
    if !can_read_territory(&actor, TerritoryId(id)) {
        return Err(ApiError::NotFound("territory"));
    }
    Ok(actor)
}

/// Validates a team request; returns the trimmed name (if any) and the member ids.
fn checked_team(
    conn: &mut DbConn,
    territory_id: i32,
    req: &TeamRequest,
    except: Option<i32>,
    creating: bool,
) -> ApiResult<(Option<String>, Option<Vec<i32>>)> {
    let mut errors = Errors::default();
    let name = req.name.as_deref().map(str::trim).map(str::to_owned);
    match &name {
        Some(n) => {
            errors.check("name", validation::required_text(n, 255));
            if errors.is_empty() && ta::team_name_taken(conn, territory_id, n, except)? {
                errors.add("name", "taken");
            }
        }
        None if creating => errors.add("name", "blank"),
        None => {}
    }
    let members = match &req.agent_ids {
        Some(ids) => {
            let mut ids: Vec<i32> = ids.iter().map(|a| a.0).collect();
            ids.sort_unstable();
            ids.dedup();
            // Every member works in the territory (reference: agents of a team share it).
            let allowed = ta::agents_of_territory(conn, territory_id)?;
            if ids.iter().any(|id| !allowed.contains(id)) {
                errors.add("agent_ids", "inclusion");
            }
            Some(ids)
        }
        None => None,
    };
    if errors.is_empty() {
        Ok((name, members))
    } else {
        Err(ApiError::Validation(errors))
    }
}

fn managed_team(conn: &mut DbConn, id: i32, actor_id: i32) -> ApiResult<TeamRow> {
    let team = ta::find_team(conn, id)?.ok_or(ApiError::NotFound("team"))?;
    let actor = agent::facts(conn, actor_id)?;
    if !can_read_territory(&actor, TerritoryId(team.territory_id)) {
        return Err(ApiError::NotFound("team"));
    }
    if !can_manage_teams(&actor, TerritoryId(team.territory_id)) {
        return Err(ApiError::forbidden());
    }
    Ok(team)
}

/// Lists a territory's teams with their members (its organisations' members may read them).
pub fn list_teams(conn: &mut DbConn, caller: &AgentRow, id: i32) -> ApiResult<rdv_shared::dto::TeamsResponse> {
    readable_territory(conn, id, caller.id)?;
    let rows = ta::teams_of(conn, id)?;
    let teams = rows.iter().map(|t| ta::team_dto(conn, t)).collect::<Result<Vec<_>, _>>()?;
    let total = teams.len() as i64;
    Ok(TeamsResponse { teams, meta: Meta::new(1, total) })
}

/// Creates a team (territorial admins, "manage teams" right).
pub fn create_team(
    conn: &mut DbConn,
    caller: &AgentRow,
    id: i32,
    req: Body<TeamRequest>,
) -> ApiResult<rdv_shared::dto::TeamResponse> {
    let actor = readable_territory(conn, id, caller.id)?;
    if !can_manage_teams(&actor, TerritoryId(id)) {
        return Err(ApiError::forbidden());
    }
    let req = req.parse()?;
    let (name, members) = checked_team(conn, id, &req, None, true)?;
    let author = caller.author();
    let row = write_tx(conn, |c| {
        let row = ta::create_team(c, &author, id, name.as_deref().unwrap_or_default())?;
        ta::set_members(c, &author, row.id, &members.unwrap_or_default())?;
        Ok::<_, ApiError>(row)
    })?;
    Ok(TeamResponse { team: ta::team_dto(conn, &row)? })
}

/// Renames a team and/or replaces its members.
pub fn update_team(
    conn: &mut DbConn,
    caller: &AgentRow,
    id: i32,
    req: Body<TeamRequest>,
) -> ApiResult<rdv_shared::dto::TeamResponse> {
    let before = managed_team(conn, id, caller.id)?;
    let req = req.parse()?;
    let (name, members) = checked_team(conn, before.territory_id, &req, Some(id), false)?;
    let author = caller.author();
    let row = write_tx(conn, |c| {
        let row = match &name {
            Some(n) => ta::rename_team(c, &author, &before, n)?,
            None => before.clone(),
        };
        if let Some(ids) = &members {
            ta::set_members(c, &author, id, ids)?;
        }
        Ok::<_, ApiError>(row)
    })?;
    Ok(TeamResponse { team: ta::team_dto(conn, &row)? })
}

/// Deletes a team (its agents stay).
pub fn delete_team(conn: &mut DbConn, caller: &AgentRow, id: i32) -> ApiResult<()> {
    let before = managed_team(conn, id, caller.id)?;
    write_tx(conn, |c| Ok::<_, ApiError>(ta::delete_team(c, &caller.author(), &before)?))
}

/// Lists the territorial rights of the territory's agents (territorial admins, "manage access rights").
pub fn list_access_rights(
    conn: &mut DbConn,
    caller: &AgentRow,
    id: i32,
) -> ApiResult<rdv_shared::dto::AccessRightsListResponse> {
    let actor = readable_territory(conn, id, caller.id)?;
    if !can_manage_access_rights(&actor, TerritoryId(id)) {
        return Err(ApiError::forbidden());
    }
    let agents = ta::agents_of_territory(conn, id)?;
    let rights = ta::rights_of(conn, id, &agents)?;
    let total = rights.len() as i64;
    Ok(AccessRightsListResponse { access_rights: rights, meta: Meta::new(1, total) })
}

/// Changes an agent's territorial rights. The three flags: territorial admins and "manage access
/// rights" holders; territorial admin itself: territorial admins only, and the territory keeps one.
pub fn update_access_rights(
    conn: &mut DbConn,
    caller: &AgentRow,
    id: i32,
    agent_id: i32,
    req: Body<UpdateAccessRightsRequest>,
) -> ApiResult<rdv_shared::dto::AccessRightsResponse> {
    let actor = readable_territory(conn, id, caller.id)?;
    if !can_manage_access_rights(&actor, TerritoryId(id)) {
        return Err(ApiError::forbidden());
    }
    if !ta::agents_of_territory(conn, id)?.contains(&agent_id) {
        return Err(ApiError::NotFound("agent"));
    }
    let req = req.parse()?;
    let before = ta::rights_of(conn, id, &[agent_id])?.pop().unwrap_or_default();
    let after = AccessRights {
        agent_id: before.agent_id,
        territorial_admin: req.territorial_admin.unwrap_or(before.territorial_admin),
        allow_to_manage_teams: req.allow_to_manage_teams.unwrap_or(before.allow_to_manage_teams),
        allow_to_manage_access_rights: req
            .allow_to_manage_access_rights
            .unwrap_or(before.allow_to_manage_access_rights),
        allow_to_invite_agents: req.allow_to_invite_agents.unwrap_or(before.allow_to_invite_agents),
    };
    if after.territorial_admin != before.territorial_admin {
        if !actor.territorial_admin_of.contains(&TerritoryId(id)) {
            return Err(ApiError::forbidden());
        }
        if !after.territorial_admin && ta::territorial_admin_count(conn, id)? <= 1 {
            return Err(ApiError::field("territorial_admin", "last_admin"));
        }
    }
    write_tx(conn, |c| Ok::<_, ApiError>(ta::set_rights(c, &caller.author(), id, &before, &after)?))?;
    Ok(AccessRightsResponse { access_rights: after })
}
