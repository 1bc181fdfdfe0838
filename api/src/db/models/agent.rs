//! Agents, their roles per organisation, their services and territorial roles.

use crate::db::IdListDsl;
use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use rdv_shared::access::{AccessLevel, AgentFacts, Membership};
use rdv_shared::{dto, AgentId, OrganisationId, ServiceId, TerritoryId};
use serde::Serialize;

use super::service::SECRETARIAT;
use crate::audit::{self, Author, Event};
use crate::db::schema::{
    agent_roles, agent_services, agent_territorial_access_rights, agent_territorial_roles, agents, organisations,
    services,
};
use crate::db::{now_utc, DbConn};

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = agents)]
pub struct AgentRow {
    pub id: i32,
    pub email: Option<String>,
    pub password_hash: Option<String>,
    pub first_name: Option<String>,
    pub last_name: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub deleted_at: Option<NaiveDateTime>,
    pub rdv_notifications_level: String,
    pub plage_ouverture_notification_level: String,
    pub absence_notification_level: String,
    pub display_saturdays: bool,
}

impl AgentRow {
    pub fn preferences(&self) -> dto::AgentPreferences {
        use rdv_shared::enums::{NotificationLevel, RdvNotificationsLevel};
        dto::AgentPreferences {
            rdv_notifications_level: RdvNotificationsLevel::parse(&self.rdv_notifications_level)
                .unwrap_or(RdvNotificationsLevel::Others),
            plage_ouverture_notification_level: NotificationLevel::parse(&self.plage_ouverture_notification_level)
                .unwrap_or(NotificationLevel::All),
            absence_notification_level: NotificationLevel::parse(&self.absence_notification_level)
                .unwrap_or(NotificationLevel::All),
            display_saturdays: self.display_saturdays,
        }
    }

    pub fn to_dto(&self) -> dto::Agent {
        dto::Agent {
            id: AgentId(self.id),
            email: self.email.clone(),
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            inclusion_connect_open_id_sub: None,
        }
    }

    pub fn author(&self) -> Author {
        Author::agent(self.id, self.email.as_deref())
    }
}

/// What `create` needs; the password is already hashed.
pub struct NewAgentInput<'a> {
    pub email: Option<&'a str>,
    pub password_hash: Option<String>,
    pub first_name: Option<&'a str>,
    pub last_name: &'a str,
    pub organisation_id: i32,
    pub access_level: AccessLevel,
    pub service_ids: Vec<i32>,
    pub territorial_admin_of: Option<i32>,
}

#[derive(Insertable)]
#[diesel(table_name = agents)]
struct NewAgent<'a> {
    email: Option<&'a str>,
    password_hash: Option<String>,
    first_name: Option<&'a str>,
    last_name: &'a str,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Insertable, Serialize)]
#[diesel(table_name = agent_roles)]
struct NewRole {
    agent_id: i32,
    organisation_id: i32,
    access_level: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable, Serialize)]
#[diesel(table_name = agent_services)]
struct NewAgentService {
    agent_id: i32,
    service_id: i32,
    created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable, Serialize)]
#[diesel(table_name = agent_territorial_roles)]
struct NewTerritorialRole {
    agent_id: i32,
    territory_id: i32,
    created_at: NaiveDateTime,
}

/// Creates an agent with one role, its services and optionally a territorial admin role.
pub fn create(conn: &mut DbConn, author: &Author, input: NewAgentInput<'_>) -> QueryResult<AgentRow> {
    let now = now_utc();
    let id: i32 = diesel::insert_into(agents::table)
        .values(NewAgent {
            email: input.email,
            password_hash: input.password_hash,
            first_name: input.first_name,
            last_name: input.last_name,
            created_at: now,
            updated_at: now,
        })
        .returning(agents::id)
        .get_result(conn)?;
    let row = agents::table.find(id).select(AgentRow::as_select()).get_result(conn)?;
    audit::record(conn, author, "Agent", row.id, Event::Create, None, Some(&row))?;

    let role = NewRole {
        agent_id: row.id,
        organisation_id: input.organisation_id,
        access_level: input.access_level.as_str().to_owned(),
        created_at: now,
        updated_at: now,
    };
    let role_id: i32 =
        diesel::insert_into(agent_roles::table).values(&role).returning(agent_roles::id).get_result(conn)?;
    audit::record(conn, author, "AgentRole", role_id, Event::Create, None, Some(&role))?;

    for service_id in input.service_ids {
        let link = NewAgentService { agent_id: row.id, service_id, created_at: now };
        let id: i32 =
            diesel::insert_into(agent_services::table).values(&link).returning(agent_services::id).get_result(conn)?;
        audit::record(conn, author, "AgentService", id, Event::Create, None, Some(&link))?;
    }
    if let Some(territory_id) = input.territorial_admin_of {
        let t = NewTerritorialRole { agent_id: row.id, territory_id, created_at: now };
        let id: i32 = diesel::insert_into(agent_territorial_roles::table)
            .values(&t)
            .returning(agent_territorial_roles::id)
            .get_result(conn)?;
        audit::record(conn, author, "AgentTerritorialRole", id, Event::Create, None, Some(&t))?;
    }
    super::agenda_grant::grant_on_join(conn, author, row.id)?;
    Ok(row)
}

pub fn find(conn: &mut DbConn, id: i32) -> QueryResult<Option<AgentRow>> {
    agents::table.find(id).select(AgentRow::as_select()).get_result(conn).optional()
}

/// A live (not deleted) agent by normalised email.
pub fn find_by_email(conn: &mut DbConn, email: &str) -> QueryResult<Option<AgentRow>> {
    agents::table
        .filter(agents::email.eq(email))
        .filter(agents::deleted_at.is_null())
        .select(AgentRow::as_select())
        .get_result(conn)
        .optional()
}

pub fn email_taken(conn: &mut DbConn, email: &str) -> QueryResult<bool> {
    let n: i64 = agents::table.filter(agents::email.eq(email)).count().get_result(conn)?;
    Ok(n > 0)
}

/// Access facts of many agents at once (three queries whatever their number).
pub fn facts_of(conn: &mut DbConn, agent_ids: &[i32]) -> QueryResult<HashMap<i32, AgentFacts>> {
    let mut facts: HashMap<i32, AgentFacts> =
        agent_ids.iter().map(|&id| (id, AgentFacts { agent_id: Some(AgentId(id)), ..Default::default() })).collect();
    let roles: Vec<(i32, i32, i32, String)> = agent_roles::table
        .inner_join(organisations::table)
        .filter(agent_roles::agent_id.in_ids(agent_ids))
        .select((
            agent_roles::agent_id,
            agent_roles::organisation_id,
            organisations::territory_id,
            agent_roles::access_level,
        ))
        .order(agent_roles::organisation_id)
        .load(conn)?;
    for (agent_id, org, territory, level) in roles {
        let Some(access_level) = AccessLevel::parse(&level) else {
            tracing::warn!(agent_id, level, "unknown access level in agent_roles");
            continue;
        };
        if let Some(f) = facts.get_mut(&agent_id) {
            f.memberships.push(Membership {
                organisation_id: OrganisationId(org),
                territory_id: TerritoryId(territory),
                access_level,
            });
        }
    }
    let links: Vec<(i32, i32, String)> = agent_services::table
        .inner_join(services::table)
        .filter(agent_services::agent_id.in_ids(agent_ids))
        .select((agent_services::agent_id, agent_services::service_id, services::short_name))
        .order(agent_services::service_id)
        .load(conn)?;
    for (agent_id, service_id, short_name) in links {
        if let Some(f) = facts.get_mut(&agent_id) {
            f.service_ids.push(ServiceId(service_id));
            f.is_secretary |= short_name == SECRETARIAT;
        }
    }
    let rights: Vec<(i32, i32, bool, bool, bool)> = agent_territorial_access_rights::table
        .filter(agent_territorial_access_rights::agent_id.in_ids(agent_ids))
        .select((
            agent_territorial_access_rights::agent_id,
            agent_territorial_access_rights::territory_id,
            agent_territorial_access_rights::allow_to_invite_agents,
            agent_territorial_access_rights::allow_to_manage_teams,
            agent_territorial_access_rights::allow_to_manage_access_rights,
        ))
        .load(conn)?;
    for (agent_id, territory_id, invite, teams, rights) in rights {
        if let Some(f) = facts.get_mut(&agent_id) {
            let t = TerritoryId(territory_id);
            for (flag, list) in [
                (invite, &mut f.may_invite_in),
                (teams, &mut f.may_manage_teams_in),
                (rights, &mut f.may_manage_rights_in),
            ] {
                if flag {
                    list.push(t);
                }
            }
        }
    }
    let territorial: Vec<(i32, i32)> = agent_territorial_roles::table
        .filter(agent_territorial_roles::agent_id.in_ids(agent_ids))
        .select((agent_territorial_roles::agent_id, agent_territorial_roles::territory_id))
        .load(conn)?;
    for (agent_id, territory_id) in territorial {
        if let Some(f) = facts.get_mut(&agent_id) {
            f.territorial_admin_of.push(TerritoryId(territory_id));
        }
    }
    Ok(facts)
}

/// Access facts of one agent.
pub fn facts(conn: &mut DbConn, agent_id: i32) -> QueryResult<AgentFacts> {
    Ok(facts_of(conn, &[agent_id])?.remove(&agent_id).unwrap_or_default())
}

/// Live agents with a role in one of `organisation_ids`, plus `include`, by creation order.
pub fn live_agents_of(conn: &mut DbConn, organisation_ids: &[i32], include: i32) -> QueryResult<Vec<AgentRow>> {
    let member_ids =
        agent_roles::table.filter(agent_roles::organisation_id.in_ids(organisation_ids)).select(agent_roles::agent_id);
    agents::table
        .filter(agents::id.eq_any(member_ids).or(agents::id.eq(include)))
        .filter(agents::deleted_at.is_null())
        .order((agents::created_at, agents::id))
        .select(AgentRow::as_select())
        .load(conn)
}

/// Ids of the organisations of the given territories.
pub fn organisations_of_territories(conn: &mut DbConn, territory_ids: &[i32]) -> QueryResult<Vec<i32>> {
    organisations::table.filter(organisations::territory_id.in_ids(territory_ids)).select(organisations::id).load(conn)
}

/// The signed-in agent's profile: roles with organisation names, services, territorial roles.
pub fn me(conn: &mut DbConn, agent: &AgentRow) -> QueryResult<dto::Me> {
    let roles: Vec<(i32, String, String)> = agent_roles::table
        .inner_join(organisations::table)
        .filter(agent_roles::agent_id.eq(agent.id))
        .order(organisations::id)
        .select((organisations::id, organisations::name, agent_roles::access_level))
        .load(conn)?;
    let services: Vec<super::service::ServiceRow> = services::table
        .inner_join(agent_services::table)
        .filter(agent_services::agent_id.eq(agent.id))
        .order(services::id)
        .select(super::service::ServiceRow::as_select())
        .load(conn)?;
    let territories: Vec<i32> = agent_territorial_roles::table
        .filter(agent_territorial_roles::agent_id.eq(agent.id))
        .order(agent_territorial_roles::territory_id)
        .select(agent_territorial_roles::territory_id)
        .load(conn)?;
    Ok(dto::Me {
        id: AgentId(agent.id),
        email: agent.email.clone(),
        first_name: agent.first_name.clone(),
        last_name: agent.last_name.clone(),
        roles: roles
            .into_iter()
            .filter_map(|(id, name, level)| {
                AccessLevel::parse(&level).map(|access_level| dto::MyRole {
                    organisation_id: OrganisationId(id),
                    organisation_name: name,
                    access_level,
                })
            })
            .collect(),
        services: services.iter().map(|s| s.to_dto()).collect(),
        territorial_admin_of: territories.into_iter().map(TerritoryId).collect(),
    })
}

/// Gives an existing agent a role in another organisation.
pub fn add_role(
    conn: &mut DbConn,
    author: &Author,
    agent_id: i32,
    organisation_id: i32,
    level: AccessLevel,
) -> QueryResult<()> {
    let now = now_utc();
    let role = NewRole {
        agent_id,
        organisation_id,
        access_level: level.as_str().to_owned(),
        created_at: now,
        updated_at: now,
    };
    let id: i32 = diesel::insert_into(agent_roles::table).values(&role).returning(agent_roles::id).get_result(conn)?;
    audit::record(conn, author, "AgentRole", id, Event::Create, None, Some(&role))?;
    super::agenda_grant::grant_on_join(conn, author, agent_id)
}

/// Agents by id (deleted ones included: old RDVs name them).
pub fn agents_by_id(conn: &mut DbConn, ids: &[i32]) -> QueryResult<HashMap<i32, AgentRow>> {
    let rows: Vec<AgentRow> = agents::table.filter(agents::id.in_ids(ids)).select(AgentRow::as_select()).load(conn)?;
    Ok(rows.into_iter().map(|a| (a.id, a)).collect())
}

/// Each agent's first organisation (by id): its zone is where absences' hours are read.
pub fn first_organisations(
    conn: &mut DbConn,
    agent_ids: &[i32],
) -> QueryResult<HashMap<i32, crate::db::models::organisation::OrganisationRow>> {
    let pairs: Vec<(i32, i32)> = agent_roles::table
        .filter(agent_roles::agent_id.in_ids(agent_ids))
        .select((agent_roles::agent_id, agent_roles::organisation_id))
        .order((agent_roles::agent_id, agent_roles::organisation_id))
        .load(conn)?;
    let org_ids: Vec<i32> = pairs.iter().map(|p| p.1).collect();
    let orgs = crate::db::models::organisation::organisations_by_id(conn, &org_ids)?;
    let mut out = HashMap::new();
    for (a, o) in pairs {
        if let Some(org) = orgs.get(&o) {
            out.entry(a).or_insert_with(|| org.clone());
        }
    }
    Ok(out)
}

/// (agent, département number) for each organisation of these agents (their public holidays).
pub fn departements_of(conn: &mut DbConn, agent_ids: &[i32]) -> QueryResult<Vec<(i32, String)>> {
    use crate::db::schema::territories;
    agent_roles::table
        .inner_join(organisations::table.inner_join(territories::table))
        .filter(agent_roles::agent_id.in_ids(agent_ids))
        .select((agent_roles::agent_id, territories::departement_number))
        .load(conn)
}

/// These agents by last name.
pub fn by_last_name(conn: &mut DbConn, ids: &[i32]) -> QueryResult<Vec<AgentRow>> {
    agents::table
        .filter(agents::id.in_ids(ids))
        .order((agents::last_name, agents::id))
        .select(AgentRow::as_select())
        .load(conn)
}

/// (agent, time zone) of each organisation of these agents, by agent then organisation id:
/// the first one per agent is where its absences' hours are read.
pub fn organisation_zones(conn: &mut DbConn, agent_ids: &[i32]) -> QueryResult<Vec<(i32, String)>> {
    agent_roles::table
        .inner_join(organisations::table)
        .filter(agent_roles::agent_id.in_ids(agent_ids))
        .order((agent_roles::agent_id, agent_roles::organisation_id))
        .select((agent_roles::agent_id, organisations::time_zone))
        .load(conn)
}

/// The organisations where the agent has a role (an absence's webhook routing).
pub fn organisation_ids(conn: &mut DbConn, agent_id: i32) -> QueryResult<Vec<i32>> {
    agent_roles::table
        .filter(agent_roles::agent_id.eq(agent_id))
        .order(agent_roles::organisation_id)
        .select(agent_roles::organisation_id)
        .load(conn)
}
