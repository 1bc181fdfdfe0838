//! Changes to an agent's place in the territory: roles per organisation, services, profile and
//! preferences, removal. Each write is audited; callers run them inside `write_tx`.

use crate::db::IdListDsl;
use diesel::prelude::*;
use rdv_shared::access::AccessLevel;
use rdv_shared::dto::{AgentDetail, AgentPreferences};
use serde::Serialize;

use super::agent::{self, AgentRow};
use super::invitation;
use crate::audit::{self, Author, Event};
use crate::db::schema::{agent_roles, agent_services, agents, auth_tokens};
use crate::db::{now_utc, DbConn};

/// Everything the admin screens show about an agent.
pub fn detail(conn: &mut DbConn, a: &AgentRow) -> QueryResult<AgentDetail> {
    let me = agent::me(conn, a)?;
    Ok(AgentDetail {
        id: me.id,
        email: me.email,
        first_name: me.first_name,
        last_name: me.last_name,
        roles: me.roles,
        services: me.services,
        territorial_admin_of: me.territorial_admin_of,
        preferences: a.preferences(),
        invitation: invitation::status(conn, a.id)?,
        deleted: a.deleted_at.is_some(),
    })
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = agent_roles)]
pub struct RoleRow {
    pub id: i32,
    pub agent_id: i32,
    pub organisation_id: i32,
    pub access_level: String,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

pub fn role(conn: &mut DbConn, agent_id: i32, organisation_id: i32) -> QueryResult<Option<RoleRow>> {
    agent_roles::table
        .filter(agent_roles::agent_id.eq(agent_id))
        .filter(agent_roles::organisation_id.eq(organisation_id))
        .select(RoleRow::as_select())
        .get_result(conn)
        .optional()
}

/// Admins of an organisation among live agents.
pub fn admin_count(conn: &mut DbConn, organisation_id: i32) -> QueryResult<i64> {
    agent_roles::table
        .inner_join(agents::table)
        .filter(agent_roles::organisation_id.eq(organisation_id))
        .filter(agent_roles::access_level.eq(AccessLevel::Admin.as_str()))
        .filter(agents::deleted_at.is_null())
        .count()
        .get_result(conn)
}

pub fn set_level(conn: &mut DbConn, author: &Author, before: &RoleRow, level: AccessLevel) -> QueryResult<RoleRow> {
    if before.access_level == level.as_str() {
        return Ok(before.clone());
    }
    let now = now_utc();
    diesel::update(agent_roles::table.find(before.id))
        .set((agent_roles::access_level.eq(level.as_str()), agent_roles::updated_at.eq(now)))
        .execute(conn)?;
    let after = RoleRow { access_level: level.as_str().to_owned(), updated_at: now, ..before.clone() };
    audit::record(conn, author, "AgentRole", before.id, Event::Update, Some(before), Some(&after))?;
    Ok(after)
}

/// Removes the role; when it was the agent's last one, soft-deletes the agent. Returns whether
/// the agent was deleted.
pub fn remove_role(conn: &mut DbConn, author: &Author, role: &RoleRow) -> QueryResult<bool> {
    diesel::delete(agent_roles::table.find(role.id)).execute(conn)?;
    audit::record(conn, author, "AgentRole", role.id, Event::Destroy, Some(role), None)?;
    let left: i64 = agent_roles::table.filter(agent_roles::agent_id.eq(role.agent_id)).count().get_result(conn)?;
    if left > 0 {
        return Ok(false);
    }
    if let Some(a) = agent::find(conn, role.agent_id)? {
        soft_delete(conn, author, &a)?;
    }
    Ok(true)
}

/// The reference's soft delete: the row stays (RDVs keep their agent, seed 002), the email is
/// freed, the password and every token and pending invitation are revoked.
pub fn soft_delete(conn: &mut DbConn, author: &Author, before: &AgentRow) -> QueryResult<()> {
    let now = now_utc();
    let freed_email = format!("agent_{}@deleted.rdv.invalid", before.id);
    diesel::update(agents::table.find(before.id))
        .set((
            agents::deleted_at.eq(Some(now)),
            agents::email.eq(Some(&freed_email)),
            agents::password_hash.eq(None::<String>),
            agents::updated_at.eq(now),
        ))
        .execute(conn)?;
    diesel::update(
        auth_tokens::table.filter(auth_tokens::agent_id.eq(before.id)).filter(auth_tokens::revoked_at.is_null()),
    )
    .set(auth_tokens::revoked_at.eq(Some(now)))
    .execute(conn)?;
    invitation::revoke_pending(conn, author, before.id)?;
    let after = agent::find(conn, before.id)?.unwrap_or_else(|| before.clone());
    audit::record(conn, author, "Agent", before.id, Event::Destroy, Some(before), Some(&after))
}

#[derive(Insertable, Serialize)]
#[diesel(table_name = agent_services)]
struct ServiceLink {
    agent_id: i32,
    service_id: i32,
    created_at: chrono::NaiveDateTime,
}

/// Replaces the agent's services, auditing each link added or removed.
pub fn set_services(conn: &mut DbConn, author: &Author, agent_id: i32, wanted: &[i32]) -> QueryResult<()> {
    let current: Vec<(i32, i32)> = agent_services::table
        .filter(agent_services::agent_id.eq(agent_id))
        .select((agent_services::id, agent_services::service_id))
        .load(conn)?;
    let (remove, add) = crate::db::link_changes(&current, wanted);
    for (id, service_id) in remove {
        diesel::delete(agent_services::table.find(id)).execute(conn)?;
        let gone = ServiceLink { agent_id, service_id, created_at: now_utc() };
        audit::record(conn, author, "AgentService", id, Event::Destroy, Some(&gone), None)?;
    }
    for service_id in add {
        let link = ServiceLink { agent_id, service_id, created_at: now_utc() };
        let id: i32 =
            diesel::insert_into(agent_services::table).values(&link).returning(agent_services::id).get_result(conn)?;
        audit::record(conn, author, "AgentService", id, Event::Create, None, Some(&link))?;
    }
    super::agenda_grant::grant_on_join(conn, author, agent_id)
}

/// Writes names and preferences.
pub fn update_profile(
    conn: &mut DbConn,
    author: &Author,
    before: &AgentRow,
    first_name: Option<&str>,
    last_name: &str,
    p: &AgentPreferences,
) -> QueryResult<AgentRow> {
    diesel::update(agents::table.find(before.id))
        .set((
            agents::first_name.eq(first_name),
            agents::last_name.eq(last_name),
            agents::rdv_notifications_level.eq(p.rdv_notifications_level.as_str()),
            agents::plage_ouverture_notification_level.eq(p.plage_ouverture_notification_level.as_str()),
            agents::absence_notification_level.eq(p.absence_notification_level.as_str()),
            agents::display_saturdays.eq(p.display_saturdays),
            agents::updated_at.eq(now_utc()),
        ))
        .execute(conn)?;
    let after = agent::find(conn, before.id)?.ok_or(diesel::result::Error::NotFound)?;
    audit::record(conn, author, "Agent", before.id, Event::Update, Some(before), Some(&after))?;
    Ok(after)
}

/// Creates an agent without password (they choose it when accepting the invitation).
/// Intervenants get no notifications (reference §1.3).
pub fn create_invited(conn: &mut DbConn, author: &Author, input: agent::NewAgentInput<'_>) -> QueryResult<AgentRow> {
    let intervenant = input.access_level == AccessLevel::Intervenant;
    let a =
        agent::create(conn, author, agent::NewAgentInput { password_hash: None, territorial_admin_of: None, ..input })?;
    if intervenant {
        let none = AgentPreferences {
            rdv_notifications_level: rdv_shared::enums::RdvNotificationsLevel::None,
            plage_ouverture_notification_level: rdv_shared::enums::NotificationLevel::None,
            absence_notification_level: rdv_shared::enums::NotificationLevel::None,
            display_saturdays: false,
        };
        return update_profile(conn, author, &a, a.first_name.as_deref(), &a.last_name, &none);
    }
    Ok(a)
}

/// Sets the password chosen when accepting an invitation.
pub fn set_password(conn: &mut DbConn, author: &Author, before: &AgentRow, hash: &str) -> QueryResult<AgentRow> {
    diesel::update(agents::table.find(before.id))
        .set((agents::password_hash.eq(Some(hash)), agents::updated_at.eq(now_utc())))
        .execute(conn)?;
    let after = agent::find(conn, before.id)?.ok_or(diesel::result::Error::NotFound)?;
    audit::record(conn, author, "Agent", before.id, Event::Update, Some(before), Some(&after))?;
    Ok(after)
}

/// The agents of `agent_ids` that are members of the organisation.
pub fn members_among(conn: &mut DbConn, organisation_id: i32, agent_ids: &[i32]) -> QueryResult<Vec<i32>> {
    agent_roles::table
        .filter(agent_roles::organisation_id.eq(organisation_id))
        .filter(agent_roles::agent_id.in_ids(agent_ids))
        .select(agent_roles::agent_id)
        .load(conn)
}

/// (organisation, agent) of every role in these organisations (agents removed since included:
/// their past RDVs stay someone's to read).
pub fn members_of(conn: &mut DbConn, organisation_ids: &[i32]) -> QueryResult<Vec<(i32, i32)>> {
    agent_roles::table
        .filter(agent_roles::organisation_id.in_ids(organisation_ids))
        .select((agent_roles::organisation_id, agent_roles::agent_id))
        .load(conn)
}
