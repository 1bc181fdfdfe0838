//! Absences (reference-domain.md §1.7): an agent's unavailabilities, written by those with write
//! access to the agent's agenda, read at the absence level of `shared::access::agenda`.

use rdv_shared::access::AgendaLevel;
use rdv_shared::agenda::AbsenceFields;
use rdv_shared::dto::{CreateAbsenceRequest, UpdateAbsenceRequest};
use serde::Deserialize;

use crate::config::Config;
use crate::db::models::absence::AbsenceRow;
use crate::db::models::agent::AgentRow;
use crate::db::models::{absence, agent};
use crate::db::{now_utc, write_tx, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::extract::Body;
use crate::services::agenda::{render_absences, target_agent, visible_agent_ids};
use crate::services::agenda_notifications::{item_changed, ItemFacts};
use crate::services::viewer;
use crate::services::webhook_events;
use rdv_shared::notify::texts::{AgendaItem, ItemChange};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListAbsencesQuery {
    /// Only this agent's absences.
    pub agent_id: Option<i32>,
    /// Page number, from 1.
    pub page: Option<i64>,
}

pub fn require_write(conn: &mut DbConn, me: i32, owner_id: i32) -> ApiResult<()> {
    let viewer = viewer::load(conn, me)?;
    let owner = agent::facts(conn, owner_id)?;
    if viewer.absence_level(&owner) < AgendaLevel::Write {
        return Err(ApiError::forbidden());
    }
    Ok(())
}

/// Loads an absence the caller sees at `needed` level at least: 404 when unknown or invisible,
/// 403 when below.
pub fn managed(conn: &mut DbConn, me: i32, id: i32, needed: AgendaLevel) -> ApiResult<AbsenceRow> {
    let row = absence::find(conn, id)?.ok_or(ApiError::NotFound("absence"))?;
    let viewer = viewer::load(conn, me)?;
    let owner = agent::facts(conn, row.agent_id)?;
    match viewer.absence_level(&owner) {
        AgendaLevel::None => Err(ApiError::NotFound("absence")),
        l if l < needed => Err(ApiError::forbidden()),
        _ => Ok(row),
    }
}

pub fn validated(f: &AbsenceFields) -> ApiResult<()> {
    let errors = f.validate(now_utc().date());
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// Lists the absences of the agents the caller sees, newest first.
pub fn list_absences(
    conn: &mut DbConn,
    caller: &AgentRow,
    query: ListAbsencesQuery,
    page: i64,
) -> ApiResult<(Vec<rdv_shared::dto::Absence>, i64)> {
    let viewer = viewer::load(conn, caller.id)?;
    let mut ids = visible_agent_ids(conn, &viewer.actor, caller.id, None)?;
    // Plus the agents whose absences a grant lets the caller read.
    ids.extend(crate::services::agenda::territory_agents_where(conn, &viewer, caller.id, |f| {
        viewer.absence_level(f) >= AgendaLevel::Read
    })?);
    ids.sort_unstable();
    ids.dedup();
    if let Some(a) = query.agent_id {
        ids.retain(|id| *id == a);
    }
    let (rows, total) = absence::page_of(conn, &ids, page)?;
    Ok((render_absences(conn, &rows)?, total))
}

/// Creates an absence for `agent_id`, else `agent_email`, else oneself (reference B2).
pub fn create_absence(
    conn: &mut DbConn,
    config: &Config,
    caller: &AgentRow,
    req: CreateAbsenceRequest,
) -> ApiResult<rdv_shared::dto::Absence> {
    let owner = target_agent(conn, caller, req.agent_id.map(|a| a.0), req.agent_email.as_deref())?;
    require_write(conn, caller.id, owner.id)?;
    let fields = AbsenceFields {
        title: req.title.trim().to_owned(),
        first_day: req.first_day,
        start_time: req.start_time,
        end_day: req.end_day.unwrap_or(req.first_day),
        end_time: req.end_time,
        recurrence: req.recurrence,
    };
    validated(&fields)?;
    let row = write_tx(conn, |c| {
        let row = absence::create(c, &caller.author(), owner.id, &fields)?;
        item_changed(c, config, &facts(&row), ItemChange::Created)?;
        webhook_events::absence_event(c, &row, webhook_events::CREATED)?;
        Ok::<_, ApiError>(row)
    })?;
    Ok(render_absences(conn, &[row])?.remove(0))
}

fn facts(a: &AbsenceRow) -> ItemFacts<'_> {
    ItemFacts {
        item: AgendaItem::Absence,
        id: a.id,
        agent_id: a.agent_id,
        title: &a.title,
        first_day: a.first_day,
        start_time: a.start_time,
        end_day: a.end_day,
        end_time: a.end_time,
        rule: a.rule(),
        organisation_id: None,
        created_at: a.created_at,
        updated_at: a.updated_at,
    }
}

/// Shows an absence.
pub fn get_absence(conn: &mut DbConn, caller: &AgentRow, id: i32) -> ApiResult<rdv_shared::dto::Absence> {
    let row = managed(conn, caller.id, id, AgendaLevel::Read)?;
    Ok(render_absences(conn, &[row])?.remove(0))
}

/// Updates an absence (reference B4, plus `recurrence`).
pub fn update_absence(
    conn: &mut DbConn,
    config: &Config,
    caller: &AgentRow,
    id: i32,
    req: Body<UpdateAbsenceRequest>,
) -> ApiResult<rdv_shared::dto::Absence> {
    let before = managed(conn, caller.id, id, AgendaLevel::Write)?;
    let req = req.parse()?;
    let old = before.fields();
    let fields = AbsenceFields {
        title: req.title.map_or(old.title, |t| t.trim().to_owned()),
        first_day: req.first_day.unwrap_or(old.first_day),
        start_time: req.start_time.unwrap_or(old.start_time),
        end_day: req.end_day.unwrap_or(old.end_day),
        end_time: req.end_time.unwrap_or(old.end_time),
        recurrence: req.recurrence.unwrap_or(old.recurrence),
    };
    validated(&fields)?;
    let row = write_tx(conn, |c| {
        let row = absence::update(c, &caller.author(), &before, &fields)?;
        if row.updated_at != before.updated_at {
            item_changed(c, config, &facts(&row), ItemChange::Updated)?;
            webhook_events::absence_event(c, &row, webhook_events::UPDATED)?;
        }
        Ok::<_, ApiError>(row)
    })?;
    Ok(render_absences(conn, &[row])?.remove(0))
}

/// Deletes an absence (204).
pub fn delete_absence(conn: &mut DbConn, config: &Config, caller: &AgentRow, id: i32) -> ApiResult<()> {
    let before = managed(conn, caller.id, id, AgendaLevel::Write)?;
    write_tx(conn, |c| {
        item_changed(c, config, &facts(&before), ItemChange::Deleted)?;
        webhook_events::absence_event(c, &before, webhook_events::DESTROYED)?;
        Ok::<_, ApiError>(absence::delete(c, &caller.author(), &before)?)
    })
}
