//! Absences ("indisponibilités"): an agent's unavailability, across all their organisations.

use crate::db::IdListDsl;
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use diesel::prelude::*;
use rdv_shared::agenda::{last_day, AbsenceFields};
use rdv_shared::pagination::{offset, PER_PAGE};
use rdv_shared::recurrence::{Recurrence, Schedule};
use serde::Serialize;

use super::plage::{parse_rule, rule_text};
use crate::audit::{self, Author, Event};
use crate::db::schema::absences;
use crate::db::{now_utc, DbConn};

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = absences)]
pub struct AbsenceRow {
    pub id: i32,
    pub agent_id: i32,
    pub title: String,
    pub first_day: NaiveDate,
    pub start_time: NaiveTime,
    pub end_day: NaiveDate,
    pub end_time: NaiveTime,
    pub recurrence: Option<String>,
    pub last_day: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl AbsenceRow {
    pub fn rule(&self) -> Option<Recurrence> {
        parse_rule(self.recurrence.as_deref(), "absence", self.id)
    }

    pub fn schedule<'a>(&self, rule: Option<&'a Recurrence>) -> Schedule<'a> {
        Schedule {
            first_day: self.first_day,
            start: self.start_time,
            end_day: Some(self.end_day),
            end: self.end_time,
            rule,
        }
    }

    pub fn fields(&self) -> AbsenceFields {
        AbsenceFields {
            title: self.title.clone(),
            first_day: self.first_day,
            start_time: self.start_time,
            end_day: self.end_day,
            end_time: self.end_time,
            recurrence: self.rule(),
        }
    }
}

/// The audited snapshot: the fields and the agent.
#[derive(Serialize)]
struct AbsenceVersion<'a> {
    agent_id: i32,
    #[serde(flatten)]
    fields: &'a AbsenceFields,
}

fn version(agent_id: i32, fields: &AbsenceFields) -> AbsenceVersion<'_> {
    AbsenceVersion { agent_id, fields }
}

pub fn find(conn: &mut DbConn, id: i32) -> QueryResult<Option<AbsenceRow>> {
    absences::table.find(id).select(AbsenceRow::as_select()).get_result(conn).optional()
}

pub fn create(conn: &mut DbConn, author: &Author, agent_id: i32, f: &AbsenceFields) -> QueryResult<AbsenceRow> {
    let now = now_utc();
    let id: i32 = diesel::insert_into(absences::table)
        .values((
            absences::agent_id.eq(agent_id),
            absences::title.eq(f.title.trim()),
            absences::first_day.eq(f.first_day),
            absences::start_time.eq(f.start_time),
            absences::end_day.eq(f.end_day),
            absences::end_time.eq(f.end_time),
            absences::recurrence.eq(rule_text(f.recurrence.as_ref())),
            absences::last_day.eq(last_day(f.end_day, f.recurrence.as_ref())),
            absences::created_at.eq(now),
            absences::updated_at.eq(now),
        ))
        .returning(absences::id)
        .get_result(conn)?;
    audit::record(conn, author, "Absence", id, Event::Create, None, Some(&version(agent_id, f)))?;
    absences::table.find(id).select(AbsenceRow::as_select()).get_result(conn)
}

pub fn update(conn: &mut DbConn, author: &Author, before: &AbsenceRow, f: &AbsenceFields) -> QueryResult<AbsenceRow> {
    let old = before.fields();
    if old == *f {
        return Ok(before.clone());
    }
    diesel::update(absences::table.find(before.id))
        .set((
            absences::title.eq(f.title.trim()),
            absences::first_day.eq(f.first_day),
            absences::start_time.eq(f.start_time),
            absences::end_day.eq(f.end_day),
            absences::end_time.eq(f.end_time),
            absences::recurrence.eq(rule_text(f.recurrence.as_ref())),
            absences::last_day.eq(last_day(f.end_day, f.recurrence.as_ref())),
            absences::updated_at.eq(now_utc()),
        ))
        .execute(conn)?;
    let (a, b) = (version(before.agent_id, &old), version(before.agent_id, f));
    audit::record(conn, author, "Absence", before.id, Event::Update, Some(&a), Some(&b))?;
    absences::table.find(before.id).select(AbsenceRow::as_select()).get_result(conn)
}

pub fn delete(conn: &mut DbConn, author: &Author, before: &AbsenceRow) -> QueryResult<()> {
    diesel::delete(absences::table.find(before.id)).execute(conn)?;
    let old = before.fields();
    let a = version(before.agent_id, &old);
    audit::record(conn, author, "Absence", before.id, Event::Destroy, Some(&a), None)
}

/// Absences of `agent_ids` that can have an occurrence between the two days (inclusive).
pub fn in_window(conn: &mut DbConn, agent_ids: &[i32], from: NaiveDate, to: NaiveDate) -> QueryResult<Vec<AbsenceRow>> {
    absences::table
        .filter(absences::agent_id.in_ids(agent_ids))
        .filter(absences::first_day.le(to))
        .filter(absences::last_day.is_null().or(absences::last_day.ge(from)))
        .order(absences::id)
        .select(AbsenceRow::as_select())
        .load(conn)
}

/// One page of the absences of `agent_ids`, newest first.
pub fn page_of(conn: &mut DbConn, agent_ids: &[i32], page: i64) -> QueryResult<(Vec<AbsenceRow>, i64)> {
    let total = absences::table.filter(absences::agent_id.in_ids(agent_ids)).count().get_result(conn)?;
    let rows = absences::table
        .filter(absences::agent_id.in_ids(agent_ids))
        .order((absences::first_day.desc(), absences::id.desc()))
        .limit(PER_PAGE)
        .offset(offset(page))
        .select(AbsenceRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Every absence of the agents of an organisation (a webhook replay).
pub fn of_organisation_agents(conn: &mut DbConn, organisation_id: i32) -> QueryResult<Vec<AbsenceRow>> {
    use crate::db::schema::agent_roles;
    let agents =
        agent_roles::table.filter(agent_roles::organisation_id.eq(organisation_id)).select(agent_roles::agent_id);
    absences::table
        .filter(absences::agent_id.eq_any(agents))
        .order(absences::id)
        .select(AbsenceRow::as_select())
        .load(conn)
}
