//! Territory administration data: teams (and their members) and the agents' territorial rights
//! (territorial admin + the three access-right flags).

use crate::db::IdListDsl;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use rdv_shared::dto::{AccessRights, Team};
use rdv_shared::{AgentId, TerritoryId};
use serde::Serialize;

use crate::audit::{self, Author, Event};
use crate::db::schema::{
    agent_roles, agent_teams, agent_territorial_access_rights, agent_territorial_roles, agents, organisations, teams,
};
use crate::db::{now_utc, DbConn};

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = teams)]
pub struct TeamRow {
    pub id: i32,
    pub territory_id: i32,
    pub name: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn find_team(conn: &mut DbConn, id: i32) -> QueryResult<Option<TeamRow>> {
    teams::table.find(id).select(TeamRow::as_select()).get_result(conn).optional()
}

pub fn team_dto(conn: &mut DbConn, t: &TeamRow) -> QueryResult<Team> {
    let members: Vec<i32> = agent_teams::table
        .filter(agent_teams::team_id.eq(t.id))
        .order(agent_teams::agent_id)
        .select(agent_teams::agent_id)
        .load(conn)?;
    Ok(Team {
        id: t.id,
        territory_id: TerritoryId(t.territory_id),
        name: t.name.clone(),
        agent_ids: members.into_iter().map(AgentId).collect(),
    })
}

pub fn teams_of(conn: &mut DbConn, territory_id: i32) -> QueryResult<Vec<TeamRow>> {
    teams::table
        .filter(teams::territory_id.eq(territory_id))
        .order((teams::name, teams::id))
        .select(TeamRow::as_select())
        .load(conn)
}

pub fn team_name_taken(conn: &mut DbConn, territory_id: i32, name: &str, except: Option<i32>) -> QueryResult<bool> {
    let ids: Vec<i32> = teams::table
        .filter(teams::territory_id.eq(territory_id))
        .filter(teams::name.eq(name))
        .select(teams::id)
        .load(conn)?;
    Ok(ids.into_iter().any(|id| Some(id) != except))
}

/// Live agents holding a role in one of the territory's organisations.
pub fn agents_of_territory(conn: &mut DbConn, territory_id: i32) -> QueryResult<Vec<i32>> {
    let mut ids: Vec<i32> = agent_roles::table
        .inner_join(organisations::table)
        .inner_join(agents::table)
        .filter(organisations::territory_id.eq(territory_id))
        .filter(agents::deleted_at.is_null())
        .select(agent_roles::agent_id)
        .load(conn)?;
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

pub fn create_team(conn: &mut DbConn, author: &Author, territory_id: i32, name: &str) -> QueryResult<TeamRow> {
    let now = now_utc();
    let id: i32 = diesel::insert_into(teams::table)
        .values((
            teams::territory_id.eq(territory_id),
            teams::name.eq(name),
            teams::created_at.eq(now),
            teams::updated_at.eq(now),
        ))
        .returning(teams::id)
        .get_result(conn)?;
    let row = teams::table.find(id).select(TeamRow::as_select()).get_result(conn)?;
    audit::record(conn, author, "Team", id, Event::Create, None, Some(&row))?;
    Ok(row)
}

pub fn rename_team(conn: &mut DbConn, author: &Author, before: &TeamRow, name: &str) -> QueryResult<TeamRow> {
    if before.name == name {
        return Ok(before.clone());
    }
    diesel::update(teams::table.find(before.id))
        .set((teams::name.eq(name), teams::updated_at.eq(now_utc())))
        .execute(conn)?;
    let after = teams::table.find(before.id).select(TeamRow::as_select()).get_result(conn)?;
    audit::record(conn, author, "Team", before.id, Event::Update, Some(before), Some(&after))?;
    Ok(after)
}

#[derive(Serialize)]
struct Member {
    team_id: i32,
    agent_id: i32,
}

/// Replaces a team's members, auditing each change.
pub fn set_members(conn: &mut DbConn, author: &Author, team_id: i32, wanted: &[i32]) -> QueryResult<()> {
    let current: Vec<(i32, i32)> = agent_teams::table
        .filter(agent_teams::team_id.eq(team_id))
        .select((agent_teams::id, agent_teams::agent_id))
        .load(conn)?;
    let (remove, add) = crate::db::link_changes(&current, wanted);
    for (id, agent_id) in remove {
        diesel::delete(agent_teams::table.find(id)).execute(conn)?;
        audit::record(conn, author, "AgentTeam", id, Event::Destroy, Some(&Member { team_id, agent_id }), None)?;
    }
    for agent_id in add {
        let id: i32 = diesel::insert_into(agent_teams::table)
            .values((
                agent_teams::team_id.eq(team_id),
                agent_teams::agent_id.eq(agent_id),
                agent_teams::created_at.eq(now_utc()),
            ))
            .returning(agent_teams::id)
            .get_result(conn)?;
        audit::record(conn, author, "AgentTeam", id, Event::Create, None, Some(&Member { team_id, agent_id }))?;
    }
    Ok(())
}

pub fn delete_team(conn: &mut DbConn, author: &Author, before: &TeamRow) -> QueryResult<()> {
    set_members(conn, author, before.id, &[])?;
    diesel::delete(teams::table.find(before.id)).execute(conn)?;
    audit::record(conn, author, "Team", before.id, Event::Destroy, Some(before), None)
}

/// Territorial rights of the given agents in a territory (all false when none recorded).
pub fn rights_of(conn: &mut DbConn, territory_id: i32, agent_ids: &[i32]) -> QueryResult<Vec<AccessRights>> {
    let flags: Vec<(i32, bool, bool, bool)> = agent_territorial_access_rights::table
        .filter(agent_territorial_access_rights::territory_id.eq(territory_id))
        .filter(agent_territorial_access_rights::agent_id.in_ids(agent_ids))
        .select((
            agent_territorial_access_rights::agent_id,
            agent_territorial_access_rights::allow_to_manage_teams,
            agent_territorial_access_rights::allow_to_manage_access_rights,
            agent_territorial_access_rights::allow_to_invite_agents,
        ))
        .load(conn)?;
    let admins: Vec<i32> = agent_territorial_roles::table
        .filter(agent_territorial_roles::territory_id.eq(territory_id))
        .select(agent_territorial_roles::agent_id)
        .load(conn)?;
    Ok(agent_ids
        .iter()
        .map(|&id| {
            let f = flags.iter().find(|f| f.0 == id);
            AccessRights {
                agent_id: AgentId(id),
                territorial_admin: admins.contains(&id),
                allow_to_manage_teams: f.is_some_and(|f| f.1),
                allow_to_manage_access_rights: f.is_some_and(|f| f.2),
                allow_to_invite_agents: f.is_some_and(|f| f.3),
            }
        })
        .collect())
}

pub fn territorial_admin_count(conn: &mut DbConn, territory_id: i32) -> QueryResult<i64> {
    agent_territorial_roles::table
        .inner_join(agents::table)
        .filter(agent_territorial_roles::territory_id.eq(territory_id))
        .filter(agents::deleted_at.is_null())
        .count()
        .get_result(conn)
}

/// Writes an agent's rights (upserting the flags row, adding/removing the territorial role).
pub fn set_rights(
    conn: &mut DbConn,
    author: &Author,
    territory_id: i32,
    before: &AccessRights,
    after: &AccessRights,
) -> QueryResult<()> {
    if before == after {
        return Ok(());
    }
    let agent_id = after.agent_id.0;
    let now = now_utc();
    let existing: Option<i32> = agent_territorial_access_rights::table
        .filter(agent_territorial_access_rights::territory_id.eq(territory_id))
        .filter(agent_territorial_access_rights::agent_id.eq(agent_id))
        .select(agent_territorial_access_rights::id)
        .get_result(conn)
        .optional()?;
    let flags = (
        agent_territorial_access_rights::allow_to_manage_teams.eq(after.allow_to_manage_teams),
        agent_territorial_access_rights::allow_to_manage_access_rights.eq(after.allow_to_manage_access_rights),
        agent_territorial_access_rights::allow_to_invite_agents.eq(after.allow_to_invite_agents),
        agent_territorial_access_rights::updated_at.eq(now),
    );
    let id = match existing {
        Some(id) => {
            diesel::update(agent_territorial_access_rights::table.find(id)).set(flags).execute(conn)?;
            id
        }
        None => diesel::insert_into(agent_territorial_access_rights::table)
            .values((
                agent_territorial_access_rights::agent_id.eq(agent_id),
                agent_territorial_access_rights::territory_id.eq(territory_id),
                flags,
                agent_territorial_access_rights::created_at.eq(now),
            ))
            .returning(agent_territorial_access_rights::id)
            .get_result(conn)?,
    };
    if before.territorial_admin != after.territorial_admin {
        if after.territorial_admin {
            diesel::insert_into(agent_territorial_roles::table)
                .values((
                    agent_territorial_roles::agent_id.eq(agent_id),
                    agent_territorial_roles::territory_id.eq(territory_id),
                    agent_territorial_roles::created_at.eq(now),
                ))
                .execute(conn)?;
        } else {
            diesel::delete(
                agent_territorial_roles::table
                    .filter(agent_territorial_roles::agent_id.eq(agent_id))
                    .filter(agent_territorial_roles::territory_id.eq(territory_id)),
            )
            .execute(conn)?;
        }
    }
    audit::record(conn, author, "AgentTerritorialAccessRight", id, Event::Update, Some(before), Some(after))
}

/// Agent ids of a team.
pub fn member_ids(conn: &mut DbConn, team_id: i32) -> QueryResult<Vec<i32>> {
    agent_teams::table.filter(agent_teams::team_id.eq(team_id)).select(agent_teams::agent_id).load(conn)
}

/// The agents of these teams (an agent in several appears once per team).
pub fn members_of_teams(conn: &mut DbConn, team_ids: &[i32]) -> QueryResult<Vec<i32>> {
    agent_teams::table.filter(agent_teams::team_id.in_ids(team_ids)).select(agent_teams::agent_id).load(conn)
}
