//! Plages d'ouverture (reference-domain.md §1.7, §2.3): list, create, show, update, delete.
//! Overlaps with the agent's other plages are warnings the caller confirms with
//! `ignore_benign_errors`; Sundays are refused, Saturdays too unless the organisation opens then.

use chrono::{Duration, TimeZone, Utc};
use rdv_shared::access::{AgendaLevel, AgentFacts, Viewer};
use rdv_shared::dto::{CreatePlageRequest, UpdatePlageRequest, Warning};
use rdv_shared::enums::LieuAvailability;
use rdv_shared::pagination::page_in_memory;
use rdv_shared::recurrence::occurrences;
use rdv_shared::{OrganisationId, ServiceId};
use serde::Deserialize;

use crate::config::Config;
use crate::db::models::agent::AgentRow;
use crate::db::models::motif::motifs_by_id;
use crate::db::models::plage::{PlageRow, PlageValues};
use crate::db::models::{agent, lieu, organisation, plage};
use crate::db::{now_utc, write_tx, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::extract::Body;
use crate::services::agenda::{render_plages, target_agent, tz, visible_agent_ids};
use crate::services::agenda_notifications::{item_changed, ItemFacts};
use crate::services::viewer;
use crate::services::viewer::agenda_level;
use crate::services::webhook_events;
use rdv_shared::notify::texts::{AgendaItem, ItemChange};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListPlagesQuery {
    /// Only this agent's plages.
    pub agent_id: Option<i32>,
    /// Only this organisation's plages.
    pub organisation_id: Option<i32>,
    /// Page number, from 1.
    pub page: Option<i64>,
}

/// Checks everything about `v` but the caller's rights: motifs of the organisation (active,
/// individual), lieu when a motif is on site, fields and the weekend rule; then, unless
/// confirmed, the warnings.
pub fn check(conn: &mut DbConn, v: &PlageValues, except: Option<i32>, confirmed: bool) -> ApiResult<Vec<ServiceId>> {
    let org = organisation::find(conn, v.organisation_id)?.ok_or(ApiError::NotFound("organisation"))?;
    let motifs = motifs_by_id(conn, &v.motif_ids)?;
    let valid = v.motif_ids.iter().all(|id| {
        motifs.get(id).is_some_and(|m| m.organisation_id == org.id && m.deleted_at.is_none() && !m.collectif)
    });
    if !valid {
        return Err(ApiError::field("motif_ids", "inclusion"));
    }
    let on_site = motifs.values().any(|m| m.needs_lieu());
    match v.lieu_id {
        None if on_site => return Err(ApiError::field("lieu_id", "required_on_site")),
        None => {}
        Some(id) => {
            let ok = lieu::find(conn, id)?
                .is_some_and(|l| l.organisation_id == org.id && l.availability() == LieuAvailability::Enabled);
            if !ok {
                return Err(ApiError::field("lieu_id", "inclusion"));
            }
        }
    }
    let errors = v.fields().validate(org.allow_saturday_openings, now_utc().date());
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    if !confirmed {
        let mut warnings = overlaps(conn, v, &org.time_zone, except)?;
        let minutes = (v.end_time - v.start_time).num_minutes();
        if motifs.values().any(|m| i64::from(m.default_duration_in_min) > minutes) {
            warnings.push(Warning {
                code: "duration_exceeds_plage".into(),
                message: "Un des motifs dure plus longtemps que la plage : aucun créneau ne pourra y être proposé."
                    .into(),
            });
        }
        if !warnings.is_empty() {
            return Err(ApiError::Warnings(warnings));
        }
    }
    let mut services: Vec<ServiceId> = motifs.values().map(|m| ServiceId(m.service_id)).collect();
    services.sort();
    services.dedup();
    Ok(services)
}

/// Overlap with another plage of the same agent, in any organisation, over the next year of
/// the new plage (each plage expanded in its own organisation's zone).
fn overlaps(conn: &mut DbConn, v: &PlageValues, zone: &str, except: Option<i32>) -> ApiResult<Vec<Warning>> {
    let from_day = v.first_day;
    let to_day = v
        .recurrence
        .as_ref()
        .and_then(|r| r.until)
        .unwrap_or(from_day + Duration::days(366))
        .min(from_day + Duration::days(366));
    let from = Utc.from_utc_datetime(&(from_day - Duration::days(1)).and_hms_opt(0, 0, 0).unwrap_or_default());
    let to = Utc.from_utc_datetime(&(to_day + Duration::days(2)).and_hms_opt(0, 0, 0).unwrap_or_default());
    let schedule = rdv_shared::recurrence::Schedule {
        first_day: v.first_day,
        start: v.start_time,
        end_day: None,
        end: v.end_time,
        rule: v.recurrence.as_ref(),
    };
    let mine = occurrences(&schedule, tz(zone), from, to);
    let others: Vec<PlageRow> =
        plage::in_window(conn, &[v.agent_id], from_day, to_day)?.into_iter().filter(|p| Some(p.id) != except).collect();
    let orgs = crate::db::models::organisation::organisations_by_id(
        conn,
        &others.iter().map(|p| p.organisation_id).collect::<Vec<_>>(),
    )?;
    let mut warnings = Vec::new();
    for other in others {
        let rule = other.rule();
        let other_zone = orgs.get(&other.organisation_id).map_or("Europe/Paris", |o| o.time_zone.as_str());
        let theirs = occurrences(&other.schedule(rule.as_ref()), tz(other_zone), from, to);
        let clash = mine.iter().find(|(s, e)| theirs.iter().any(|(s2, e2)| s < e2 && s2 < e));
        if let Some((s, _)) = clash {
            let when = s.with_timezone(&tz(zone)).format("%d/%m/%Y à %H:%M");
            warnings.push(Warning {
                code: "plage_overlap".into(),
                message: format!("Cette plage chevauche la plage « {} » de l'agent (le {when}).", other.title),
            });
        }
    }
    Ok(warnings)
}

/// The caller's level on a plage (its organisation, its motifs' services, its agent).
pub fn level(conn: &mut DbConn, viewer: &Viewer, row: &PlageRow) -> ApiResult<AgendaLevel> {
    let owner = agent::facts(conn, row.agent_id)?;
    let motif_ids = plage::motif_ids_of(conn, &[row.id])?.remove(&row.id).unwrap_or_default();
    let services: Vec<ServiceId> = motifs_by_id(conn, &motif_ids)?.values().map(|m| ServiceId(m.service_id)).collect();
    Ok(agenda_level(viewer, &owner, OrganisationId(row.organisation_id), &services))
}

/// Writing a plage of `owner` in `org`: the owner belongs to it, and the caller has write level
/// there for those motifs (defaults or grants).
fn may_write(viewer: &Viewer, owner: &AgentFacts, org: OrganisationId, services: &[ServiceId]) -> bool {
    owner.is_member_of(org) && agenda_level(viewer, owner, org, services) == AgendaLevel::Write
}

pub fn load(conn: &mut DbConn, viewer: &Viewer, id: i32, needed: AgendaLevel) -> ApiResult<PlageRow> {
    let row = plage::find(conn, id)?.ok_or(ApiError::NotFound("plage_ouverture"))?;
    match level(conn, viewer, &row)? {
        AgendaLevel::None => Err(ApiError::NotFound("plage_ouverture")),
        l if l < needed => Err(ApiError::forbidden()),
        _ => Ok(row),
    }
}

pub fn sorted(mut ids: Vec<i32>) -> Vec<i32> {
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Lists the plages the caller may read (their own, their services' colleagues', all of the
/// organisations they administer), newest first.
pub fn list_plage_ouvertures(
    conn: &mut DbConn,
    caller: &AgentRow,
    query: ListPlagesQuery,
    page: i64,
) -> ApiResult<(Vec<rdv_shared::dto::PlageOuverture>, i64)> {
    let viewer = viewer::load(conn, caller.id)?;
    let mut orgs: Vec<i32> = viewer
        .actor
        .memberships
        .iter()
        .map(|m| m.organisation_id.0)
        .filter(|o| query.organisation_id.is_none_or(|w| w == *o))
        .collect();
    let mut agents = visible_agent_ids(conn, &viewer.actor, caller.id, query.organisation_id)?;
    if !agents.contains(&caller.id) {
        agents.push(caller.id);
    }
    if !viewer.grants.is_empty() {
        // Grants can open agendas of other organisations: every plage there is checked.
        agents
            .extend(crate::services::agenda::territory_agents_where(conn, &viewer, caller.id, |f| viewer.can_open(f))?);
        let territories: Vec<i32> = viewer.actor.memberships.iter().map(|m| m.territory_id.0).collect();
        orgs = agent::organisations_of_territories(conn, &territories)?
            .into_iter()
            .filter(|o| query.organisation_id.is_none_or(|w| w == *o))
            .collect();
    }
    agents.sort_unstable();
    agents.dedup();
    if let Some(a) = query.agent_id {
        agents.retain(|id| *id == a);
    }
    let mut readable = Vec::new();
    for p in plage::all_of(conn, &agents, &orgs)? {
        if level(conn, &viewer, &p)? >= AgendaLevel::Read {
            readable.push(p);
        }
    }
    let (rows, total) = page_in_memory(readable, page);
    Ok((render_plages(conn, &rows)?, total))
}

/// Creates a plage for `agent_id` / `agent_email` (default: oneself) in an organisation the
/// agent belongs to. 422 with `warnings` on overlap until confirmed.
pub fn create_plage_ouverture(
    conn: &mut DbConn,
    config: &Config,
    caller: &AgentRow,
    req: CreatePlageRequest,
) -> ApiResult<rdv_shared::dto::PlageOuverture> {
    let owner = target_agent(conn, caller, req.agent_id.map(|a| a.0), req.agent_email.as_deref())?;
    let owner_facts = agent::facts(conn, owner.id)?;
    if !owner_facts.is_member_of(req.organisation_id) {
        return Err(ApiError::field("agent_id", "inclusion"));
    }
    let v = PlageValues {
        agent_id: owner.id,
        organisation_id: req.organisation_id.0,
        lieu_id: req.lieu_id,
        title: req.title.trim().to_owned(),
        first_day: req.first_day,
        start_time: req.start_time,
        end_time: req.end_time,
        recurrence: req.recurrence,
        motif_ids: sorted(req.motif_ids),
    };
    let viewer = viewer::load(conn, caller.id)?;
    let services = check(conn, &v, None, req.ignore_benign_errors)?;
    if !may_write(&viewer, &owner_facts, req.organisation_id, &services) {
        return Err(ApiError::forbidden());
    }
    let row = write_tx(conn, |c| {
        let row = plage::create(c, &caller.author(), &v)?;
        item_changed(c, config, &facts(&row), ItemChange::Created)?;
        webhook_events::plage_event(c, &row, webhook_events::CREATED)?;
        Ok::<_, ApiError>(row)
    })?;
    Ok(render_plages(conn, &[row])?.remove(0))
}

fn facts(p: &PlageRow) -> ItemFacts<'_> {
    ItemFacts {
        item: AgendaItem::Plage,
        id: p.id,
        agent_id: p.agent_id,
        title: &p.title,
        first_day: p.first_day,
        start_time: p.start_time,
        end_day: p.first_day,
        end_time: p.end_time,
        rule: p.rule(),
        organisation_id: Some(p.organisation_id),
        created_at: p.created_at,
        updated_at: p.updated_at,
    }
}

/// Shows a plage.
pub fn get_plage_ouverture(
    conn: &mut DbConn,
    caller: &AgentRow,
    id: i32,
) -> ApiResult<rdv_shared::dto::PlageOuverture> {
    let viewer = viewer::load(conn, caller.id)?;
    let row = load(conn, &viewer, id, AgendaLevel::Read)?;
    Ok(render_plages(conn, &[row])?.remove(0))
}

/// Updates a plage (its agent and organisation stay).
pub fn update_plage_ouverture(
    conn: &mut DbConn,
    config: &Config,
    caller: &AgentRow,
    id: i32,
    req: Body<UpdatePlageRequest>,
) -> ApiResult<rdv_shared::dto::PlageOuverture> {
    let viewer = viewer::load(conn, caller.id)?;
    let before = load(conn, &viewer, id, AgendaLevel::Write)?;
    let req = req.parse()?;
    let old = PlageValues::of(&before, plage::motif_ids_of(conn, &[id])?.remove(&id).unwrap_or_default());
    let v = PlageValues {
        lieu_id: req.lieu_id.unwrap_or(old.lieu_id),
        title: req.title.map_or_else(|| old.title.clone(), |t| t.trim().to_owned()),
        first_day: req.first_day.unwrap_or(old.first_day),
        start_time: req.start_time.unwrap_or(old.start_time),
        end_time: req.end_time.unwrap_or(old.end_time),
        recurrence: req.recurrence.unwrap_or_else(|| old.recurrence.clone()),
        motif_ids: req.motif_ids.map_or_else(|| old.motif_ids.clone(), sorted),
        ..old.clone()
    };
    let services = check(conn, &v, Some(id), req.ignore_benign_errors)?;
    let owner = agent::facts(conn, before.agent_id)?;
    if !may_write(&viewer, &owner, OrganisationId(before.organisation_id), &services) {
        return Err(ApiError::forbidden());
    }
    let row = write_tx(conn, |c| {
        let row = plage::update(c, &caller.author(), &before, &old, &v)?;
        if row.updated_at != before.updated_at {
            item_changed(c, config, &facts(&row), ItemChange::Updated)?;
            webhook_events::plage_event(c, &row, webhook_events::UPDATED)?;
        }
        Ok::<_, ApiError>(row)
    })?;
    Ok(render_plages(conn, &[row])?.remove(0))
}

/// Deletes a plage (204). Its past RDVs stay.
pub fn delete_plage_ouverture(conn: &mut DbConn, config: &Config, caller: &AgentRow, id: i32) -> ApiResult<()> {
    let viewer = viewer::load(conn, caller.id)?;
    let before = load(conn, &viewer, id, AgendaLevel::Write)?;
    let old = PlageValues::of(&before, plage::motif_ids_of(conn, &[id])?.remove(&id).unwrap_or_default());
    write_tx(conn, |c| {
        item_changed(c, config, &facts(&before), ItemChange::Deleted)?;
        webhook_events::plage_event(c, &before, webhook_events::DESTROYED)?;
        Ok::<_, ApiError>(plage::delete(c, &caller.author(), &before, &old)?)
    })
}
