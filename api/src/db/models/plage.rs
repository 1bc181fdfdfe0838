//! Plages d'ouverture and their motifs. A window query reads only plages that can have an
//! occurrence in it (`first_day <= last day of window`, `last_day` NULL or after its start).

use crate::db::IdListDsl;
use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use diesel::prelude::*;
use rdv_shared::agenda::{last_day, PlageFields};
use rdv_shared::recurrence::{Recurrence, Schedule};
use serde::Serialize;

use crate::audit::{self, Author, Event};
use crate::db::schema::{plage_ouverture_motifs, plage_ouvertures};
use crate::db::{now_utc, DbConn};

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = plage_ouvertures)]
pub struct PlageRow {
    pub id: i32,
    pub agent_id: i32,
    pub organisation_id: i32,
    pub lieu_id: Option<i32>,
    pub title: String,
    pub first_day: NaiveDate,
    pub start_time: NaiveTime,
    pub end_time: NaiveTime,
    pub recurrence: Option<String>,
    pub last_day: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Reads a stored rule; one that no longer parses is logged and treated as "once".
pub fn parse_rule(text: Option<&str>, what: &str, id: i32) -> Option<Recurrence> {
    let text = text?;
    match serde_json::from_str(text) {
        Ok(r) => Some(r),
        Err(e) => {
            tracing::error!(what, id, error = %e, "unreadable recurrence");
            None
        }
    }
}

pub fn rule_text(rule: Option<&Recurrence>) -> Option<String> {
    rule.and_then(|r| serde_json::to_string(r).ok())
}

impl PlageRow {
    pub fn rule(&self) -> Option<Recurrence> {
        parse_rule(self.recurrence.as_deref(), "plage", self.id)
    }

    pub fn schedule<'a>(&self, rule: Option<&'a Recurrence>) -> Schedule<'a> {
        Schedule { first_day: self.first_day, start: self.start_time, end_day: None, end: self.end_time, rule }
    }
}

/// What is written: the row's fields with its motifs, as one audited snapshot.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlageValues {
    pub agent_id: i32,
    pub organisation_id: i32,
    pub lieu_id: Option<i32>,
    pub title: String,
    pub first_day: NaiveDate,
    pub start_time: NaiveTime,
    pub end_time: NaiveTime,
    pub recurrence: Option<Recurrence>,
    pub motif_ids: Vec<i32>,
}

impl PlageValues {
    pub fn of(row: &PlageRow, motif_ids: Vec<i32>) -> Self {
        PlageValues {
            agent_id: row.agent_id,
            organisation_id: row.organisation_id,
            lieu_id: row.lieu_id,
            title: row.title.clone(),
            first_day: row.first_day,
            start_time: row.start_time,
            end_time: row.end_time,
            recurrence: row.rule(),
            motif_ids,
        }
    }

    pub fn fields(&self) -> PlageFields {
        PlageFields {
            title: self.title.clone(),
            first_day: self.first_day,
            start_time: self.start_time,
            end_time: self.end_time,
            recurrence: self.recurrence.clone(),
            motif_ids: self.motif_ids.clone(),
        }
    }
}

pub fn find(conn: &mut DbConn, id: i32) -> QueryResult<Option<PlageRow>> {
    plage_ouvertures::table.find(id).select(PlageRow::as_select()).get_result(conn).optional()
}

pub fn motif_ids_of(conn: &mut DbConn, plage_ids: &[i32]) -> QueryResult<HashMap<i32, Vec<i32>>> {
    let rows: Vec<(i32, i32)> = plage_ouverture_motifs::table
        .filter(plage_ouverture_motifs::plage_ouverture_id.in_ids(plage_ids))
        .select((plage_ouverture_motifs::plage_ouverture_id, plage_ouverture_motifs::motif_id))
        .order((plage_ouverture_motifs::plage_ouverture_id, plage_ouverture_motifs::motif_id))
        .load(conn)?;
    let mut out: HashMap<i32, Vec<i32>> = HashMap::new();
    for (p, m) in rows {
        out.entry(p).or_default().push(m);
    }
    Ok(out)
}

fn write_motifs(conn: &mut DbConn, plage_id: i32, motif_ids: &[i32]) -> QueryResult<()> {
    diesel::delete(plage_ouverture_motifs::table.filter(plage_ouverture_motifs::plage_ouverture_id.eq(plage_id)))
        .execute(conn)?;
    let mut ids = motif_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    // One statement per row: batch inserts are not available over the multi-backend connection.
    for m in ids {
        diesel::insert_into(plage_ouverture_motifs::table)
            .values((plage_ouverture_motifs::plage_ouverture_id.eq(plage_id), plage_ouverture_motifs::motif_id.eq(m)))
            .execute(conn)?;
    }
    Ok(())
}

pub fn create(conn: &mut DbConn, author: &Author, v: &PlageValues) -> QueryResult<PlageRow> {
    let now = now_utc();
    let id: i32 = diesel::insert_into(plage_ouvertures::table)
        .values((
            plage_ouvertures::agent_id.eq(v.agent_id),
            plage_ouvertures::organisation_id.eq(v.organisation_id),
            plage_ouvertures::lieu_id.eq(v.lieu_id),
            plage_ouvertures::title.eq(v.title.trim()),
            plage_ouvertures::first_day.eq(v.first_day),
            plage_ouvertures::start_time.eq(v.start_time),
            plage_ouvertures::end_time.eq(v.end_time),
            plage_ouvertures::recurrence.eq(rule_text(v.recurrence.as_ref())),
            plage_ouvertures::last_day.eq(last_day(v.first_day, v.recurrence.as_ref())),
            plage_ouvertures::created_at.eq(now),
            plage_ouvertures::updated_at.eq(now),
        ))
        .returning(plage_ouvertures::id)
        .get_result(conn)?;
    write_motifs(conn, id, &v.motif_ids)?;
    let row = plage_ouvertures::table.find(id).select(PlageRow::as_select()).get_result(conn)?;
    audit::record(conn, author, "PlageOuverture", id, Event::Create, None, Some(v))?;
    Ok(row)
}

pub fn update(
    conn: &mut DbConn,
    author: &Author,
    before: &PlageRow,
    old: &PlageValues,
    v: &PlageValues,
) -> QueryResult<PlageRow> {
    if old == v {
        return Ok(before.clone());
    }
    diesel::update(plage_ouvertures::table.find(before.id))
        .set((
            plage_ouvertures::lieu_id.eq(v.lieu_id),
            plage_ouvertures::title.eq(v.title.trim()),
            plage_ouvertures::first_day.eq(v.first_day),
            plage_ouvertures::start_time.eq(v.start_time),
            plage_ouvertures::end_time.eq(v.end_time),
            plage_ouvertures::recurrence.eq(rule_text(v.recurrence.as_ref())),
            plage_ouvertures::last_day.eq(last_day(v.first_day, v.recurrence.as_ref())),
            plage_ouvertures::updated_at.eq(now_utc()),
        ))
        .execute(conn)?;
    if old.motif_ids != v.motif_ids {
        write_motifs(conn, before.id, &v.motif_ids)?;
    }
    audit::record(conn, author, "PlageOuverture", before.id, Event::Update, Some(old), Some(v))?;
    plage_ouvertures::table.find(before.id).select(PlageRow::as_select()).get_result(conn)
}

pub fn delete(conn: &mut DbConn, author: &Author, before: &PlageRow, old: &PlageValues) -> QueryResult<()> {
    diesel::delete(plage_ouverture_motifs::table.filter(plage_ouverture_motifs::plage_ouverture_id.eq(before.id)))
        .execute(conn)?;
    diesel::delete(plage_ouvertures::table.find(before.id)).execute(conn)?;
    audit::record(conn, author, "PlageOuverture", before.id, Event::Destroy, Some(old), None::<&PlageValues>)
}

/// Plages of `agent_ids` that can have an occurrence between the two days (inclusive).
pub fn in_window(conn: &mut DbConn, agent_ids: &[i32], from: NaiveDate, to: NaiveDate) -> QueryResult<Vec<PlageRow>> {
    plage_ouvertures::table
        .filter(plage_ouvertures::agent_id.in_ids(agent_ids))
        .filter(plage_ouvertures::first_day.le(to))
        .filter(plage_ouvertures::last_day.is_null().or(plage_ouvertures::last_day.ge(from)))
        .order(plage_ouvertures::id)
        .select(PlageRow::as_select())
        .load(conn)
}

/// Plages of `agent_ids` in `organisation_ids`, newest first (callers filter by access level
/// and page).
pub fn all_of(conn: &mut DbConn, agent_ids: &[i32], organisation_ids: &[i32]) -> QueryResult<Vec<PlageRow>> {
    plage_ouvertures::table
        .filter(plage_ouvertures::organisation_id.in_ids(organisation_ids))
        .filter(plage_ouvertures::agent_id.in_ids(agent_ids))
        .order((plage_ouvertures::first_day.desc(), plage_ouvertures::id.desc()))
        .select(PlageRow::as_select())
        .load(conn)
}

/// An agent's plages in one organisation (removed with the agent's role there).
pub fn of_agent_in(conn: &mut DbConn, agent_id: i32, organisation_id: i32) -> QueryResult<Vec<PlageRow>> {
    plage_ouvertures::table
        .filter(plage_ouvertures::agent_id.eq(agent_id))
        .filter(plage_ouvertures::organisation_id.eq(organisation_id))
        .select(PlageRow::as_select())
        .load(conn)
}

/// (motif id, plage) for the plages linked to `motif_ids` that may have an occurrence between
/// the local days `from_day` and `to_day`, of these agents and lieux when given. One query
/// through `plage_ouverture_motifs`, by plage id.
pub fn linked_to_motifs(
    conn: &mut DbConn,
    motif_ids: &[i32],
    agent_ids: Option<&[i32]>,
    lieu_ids: Option<&[i32]>,
    from_day: NaiveDate,
    to_day: NaiveDate,
) -> QueryResult<Vec<(i32, PlageRow)>> {
    use crate::db::schema::plage_ouverture_motifs;
    let mut q = plage_ouvertures::table
        .inner_join(plage_ouverture_motifs::table)
        .filter(plage_ouverture_motifs::motif_id.in_ids(motif_ids))
        .filter(plage_ouvertures::first_day.le(to_day))
        .filter(plage_ouvertures::last_day.is_null().or(plage_ouvertures::last_day.ge(from_day)))
        .into_boxed();
    if let Some(agents) = agent_ids {
        q = q.filter(plage_ouvertures::agent_id.in_ids(agents));
    }
    if let Some(lieux) = lieu_ids {
        q = q.filter(plage_ouvertures::lieu_id.in_ids(lieux));
    }
    q.order(plage_ouvertures::id).select((plage_ouverture_motifs::motif_id, PlageRow::as_select())).load(conn)
}

/// Every plage of an organisation (a webhook replay).
pub fn of_organisation(conn: &mut DbConn, organisation_id: i32) -> QueryResult<Vec<PlageRow>> {
    plage_ouvertures::table
        .filter(plage_ouvertures::organisation_id.eq(organisation_id))
        .order(plage_ouvertures::id)
        .select(PlageRow::as_select())
        .load(conn)
}
