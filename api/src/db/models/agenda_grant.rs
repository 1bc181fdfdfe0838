//! Agenda access grants (issue 6): rows of `agenda_grants`, as the pure `GrantRule` of
//! `rdv_shared::access` reads them; the grants naming a viewer are loaded once per request.

use crate::db::IdListDsl;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use rdv_shared::access::{AgendaLevel, GrantRule, GrantTarget, Grantee, GranteeType, TargetType};
use rdv_shared::{OrganisationId, ServiceId};
use serde::Serialize;

use crate::audit::{self, Author, Event};
use crate::db::schema::{agenda_grants, agent_teams};
use crate::db::{now_utc, DbConn};

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = agenda_grants)]
pub struct GrantRow {
    pub id: i32,
    pub territory_id: i32,
    pub grantee_type: String,
    pub grantee_id: i32,
    pub grantee_organisation_id: Option<i32>,
    pub target_type: String,
    pub target_id: i32,
    pub target_organisation_id: Option<i32>,
    pub level: String,
    pub motif_service_id: Option<i32>,
    pub origin: String,
    pub created_by_agent_id: Option<i32>,
    pub created_at: NaiveDateTime,
}

fn grantee_type(s: &str) -> Option<GranteeType> {
    match s {
        "agent" => Some(GranteeType::Agent),
        "team" => Some(GranteeType::Team),
        "service" => Some(GranteeType::Service),
        _ => None,
    }
}

fn target_type(s: &str) -> Option<TargetType> {
    match s {
        "agent" => Some(TargetType::Agent),
        "service" => Some(TargetType::Service),
        "organisation" => Some(TargetType::Organisation),
        _ => None,
    }
}

fn level(s: &str) -> Option<AgendaLevel> {
    match s {
        "busy" => Some(AgendaLevel::Busy),
        "read" => Some(AgendaLevel::Read),
        "write" => Some(AgendaLevel::Write),
        _ => None,
    }
}

pub fn level_text(l: AgendaLevel) -> &'static str {
    match l {
        AgendaLevel::None => "none",
        AgendaLevel::Busy => "busy",
        AgendaLevel::Read => "read",
        AgendaLevel::Write => "write",
    }
}

pub fn grantee_text(k: GranteeType) -> &'static str {
    match k {
        GranteeType::Agent => "agent",
        GranteeType::Team => "team",
        GranteeType::Service => "service",
    }
}

pub fn target_text(k: TargetType) -> &'static str {
    match k {
        TargetType::Agent => "agent",
        TargetType::Service => "service",
        TargetType::Organisation => "organisation",
    }
}

impl GrantRow {
    /// The rule; a row with an unknown vocabulary is logged and ignored (grants nothing).
    pub fn rule(&self) -> Option<GrantRule> {
        let rule = (|| {
            Some(GrantRule {
                grantee: Grantee {
                    kind: grantee_type(&self.grantee_type)?,
                    id: self.grantee_id,
                    organisation_id: self.grantee_organisation_id.map(OrganisationId),
                },
                target: GrantTarget {
                    kind: target_type(&self.target_type)?,
                    id: self.target_id,
                    organisation_id: self.target_organisation_id.map(OrganisationId),
                },
                level: level(&self.level)?,
                motif_service_id: self.motif_service_id.map(ServiceId),
            })
        })();
        if rule.is_none() {
            tracing::error!(id = self.id, "unreadable agenda grant");
        }
        rule
    }
}

pub fn find(conn: &mut DbConn, id: i32) -> QueryResult<Option<GrantRow>> {
    agenda_grants::table.find(id).select(GrantRow::as_select()).get_result(conn).optional()
}

/// Team ids of an agent.
pub fn team_ids(conn: &mut DbConn, agent_id: i32) -> QueryResult<Vec<i32>> {
    agent_teams::table.filter(agent_teams::agent_id.eq(agent_id)).select(agent_teams::team_id).load(conn)
}

/// Grants whose grantee is the agent, one of their teams or one of their services.
pub fn for_grantee(conn: &mut DbConn, agent_id: i32, teams: &[i32], services: &[i32]) -> QueryResult<Vec<GrantRow>> {
    agenda_grants::table
        .filter(
            (agenda_grants::grantee_type.eq("agent").and(agenda_grants::grantee_id.eq(agent_id)))
                .or(agenda_grants::grantee_type.eq("team").and(agenda_grants::grantee_id.in_ids(teams)))
                .or(agenda_grants::grantee_type.eq("service").and(agenda_grants::grantee_id.in_ids(services))),
        )
        .order(agenda_grants::id)
        .select(GrantRow::as_select())
        .load(conn)
}

/// The grants of some territories, newest first.
pub fn of_territories(conn: &mut DbConn, territory_ids: &[i32]) -> QueryResult<Vec<GrantRow>> {
    agenda_grants::table
        .filter(agenda_grants::territory_id.in_ids(territory_ids))
        .order(agenda_grants::id.desc())
        .select(GrantRow::as_select())
        .load(conn)
}

/// The same rule already granted?
pub fn existing(conn: &mut DbConn, rule: &GrantRule) -> QueryResult<Option<GrantRow>> {
    let rows: Vec<GrantRow> = agenda_grants::table
        .filter(agenda_grants::grantee_type.eq(grantee_text(rule.grantee.kind)))
        .filter(agenda_grants::grantee_id.eq(rule.grantee.id))
        .filter(agenda_grants::target_type.eq(target_text(rule.target.kind)))
        .filter(agenda_grants::target_id.eq(rule.target.id))
        .select(GrantRow::as_select())
        .load(conn)?;
    Ok(rows.into_iter().find(|r| {
        r.rule().is_some_and(|x| {
            x.grantee == rule.grantee && x.target == rule.target && x.motif_service_id == rule.motif_service_id
        })
    }))
}

/// Creates a grant (or raises the level of the same rule) and records its version.
pub fn create(
    conn: &mut DbConn,
    author: &Author,
    territory_id: i32,
    rule: &GrantRule,
    origin: &str,
) -> QueryResult<GrantRow> {
    if let Some(same) = existing(conn, rule)? {
        if level(&same.level).is_some_and(|l| l >= rule.level) {
            return Ok(same);
        }
        diesel::update(agenda_grants::table.find(same.id))
            .set(agenda_grants::level.eq(level_text(rule.level)))
            .execute(conn)?;
        let after = find(conn, same.id)?.ok_or(diesel::result::Error::NotFound)?;
        audit::record(conn, author, "AgendaGrant", same.id, Event::Update, Some(&same), Some(&after))?;
        return Ok(after);
    }
    let id: i32 = diesel::insert_into(agenda_grants::table)
        .values((
            agenda_grants::territory_id.eq(territory_id),
            agenda_grants::grantee_type.eq(grantee_text(rule.grantee.kind)),
            agenda_grants::grantee_id.eq(rule.grantee.id),
            agenda_grants::grantee_organisation_id.eq(rule.grantee.organisation_id.map(|o| o.0)),
            agenda_grants::target_type.eq(target_text(rule.target.kind)),
            agenda_grants::target_id.eq(rule.target.id),
            agenda_grants::target_organisation_id.eq(rule.target.organisation_id.map(|o| o.0)),
            agenda_grants::level.eq(level_text(rule.level)),
            agenda_grants::motif_service_id.eq(rule.motif_service_id.map(|s| s.0)),
            agenda_grants::origin.eq(origin),
            agenda_grants::created_by_agent_id.eq(author.agent_id),
            agenda_grants::created_at.eq(now_utc()),
        ))
        .returning(agenda_grants::id)
        .get_result(conn)?;
    let row = find(conn, id)?.ok_or(diesel::result::Error::NotFound)?;
    audit::record(conn, author, "AgendaGrant", id, Event::Create, None, Some(&row))?;
    Ok(row)
}

pub fn delete(conn: &mut DbConn, author: &Author, row: &GrantRow) -> QueryResult<()> {
    diesel::delete(agenda_grants::table.find(row.id)).execute(conn)?;
    audit::record(conn, author, "AgendaGrant", row.id, Event::Destroy, Some(row), None)
}

/// Seed 001: on joining an organisation (or gaining a service), write access to the agendas of
/// the organisation's agents of the same service, as `join` grants. Not for the secretariat,
/// whose organisation-wide access is a default rule (reference).
pub fn grant_on_join(conn: &mut DbConn, author: &Author, agent_id: i32) -> QueryResult<()> {
    use crate::db::schema::{agent_roles, agent_services, organisations, services};
    let roles: Vec<(i32, i32)> = agent_roles::table
        .inner_join(organisations::table)
        .filter(agent_roles::agent_id.eq(agent_id))
        .select((agent_roles::organisation_id, organisations::territory_id))
        .load(conn)?;
    let service_ids: Vec<i32> = agent_services::table
        .inner_join(services::table)
        .filter(agent_services::agent_id.eq(agent_id))
        .filter(services::short_name.ne(super::service::SECRETARIAT))
        .select(agent_services::service_id)
        .load(conn)?;
    for (org, territory) in roles {
        for &service in &service_ids {
            let rule = GrantRule {
                grantee: Grantee { kind: GranteeType::Agent, id: agent_id, organisation_id: None },
                target: GrantTarget {
                    kind: TargetType::Service,
                    id: service,
                    organisation_id: Some(OrganisationId(org)),
                },
                level: AgendaLevel::Write,
                motif_service_id: None,
            };
            if existing(conn, &rule)?.is_none() {
                create(conn, author, territory, &rule, "join")?;
            }
        }
    }
    Ok(())
}
