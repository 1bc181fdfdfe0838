//! RDV lifecycle for agents (reference-domain.md §1.8, §2.2, §4): create, update (any field and
//! `status`, spread to participations), delete, and one participation's status. Writing needs
//! the write level on the RDV's agendas; checks and the write run in one transaction, so a
//! confirmed booking cannot race another. Each function is the one place its change is made.

use chrono::{DateTime, Duration, TimeZone, Utc};
use rdv_shared::access::{can_delete_rdv, AgendaLevel, Viewer};
use rdv_shared::dto::{CreateRdvRequest, Rdv, UpdateParticipationRequest, UpdateRdvRequest};
use rdv_shared::enums::VisibilityType;
use rdv_shared::notify::ChangeAuthor;
use rdv_shared::rdv::{refusal, timing, Target};
use rdv_shared::validation::optional_text;
use rdv_shared::{OrganisationId, ServiceId};

use crate::config::Config;
use crate::db::models::agent::AgentRow;
use crate::db::models::motif::MotifRow;
use crate::db::models::organisation::OrganisationRow;
use crate::db::models::rdv::{NewRdv, RdvChanges, RdvRow};
use crate::db::models::{agent, motif, organisation, rdv, territory};
use crate::db::{lock_agents, truncate_micros, write_tx, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::extract::Body;
use crate::services::agenda::tz;
use crate::services::rdv_checks::{hard_errors, offer_next_slots, refuse, warnings, Candidate};
use crate::services::rdv_render::render;
use crate::services::viewer::{agenda_level, rdv_level};
use crate::services::Idempotency;
use crate::services::{notifications, viewer};

/// Loads an RDV at `needed` level at least: 404 when the caller sees nothing of it, 403 when
/// they see it only as busy (or read-only for a write).
pub fn load_rdv(conn: &mut DbConn, viewer: &Viewer, id: i32, needed: AgendaLevel) -> ApiResult<RdvRow> {
    let row = rdv::find(conn, id)?.ok_or(ApiError::NotFound("rdv"))?;
    match rdv_level(conn, viewer, &row)? {
        AgendaLevel::None => Err(ApiError::NotFound("rdv")),
        l if l < needed => Err(ApiError::forbidden()),
        _ => Ok(row),
    }
}

fn context_allowed(conn: &mut DbConn, org: &OrganisationRow, context: Option<&str>) -> ApiResult<()> {
    if context.is_some() && !territory::find(conn, org.territory_id)?.is_some_and(|t| t.enable_context_field) {
        return Err(ApiError::field("context", "disabled"));
    }
    Ok(())
}

/// Booking into an agenda needs write access to each of its agents' agendas for the motif's
/// service: the default rules or a grant (seed 002: booking a motif of another service is
/// allowed with write access to the target agenda).
fn require_write(
    conn: &mut DbConn,
    viewer: &Viewer,
    org: i32,
    m: &MotifRow,
    agents: impl Iterator<Item = i32>,
) -> ApiResult<()> {
    let ids: Vec<i32> = agents.collect();
    let facts = agent::facts_of(conn, &ids)?;
    for a in &ids {
        let owner = facts.get(a).ok_or(ApiError::field("agent_ids", "inclusion"))?;
        if agenda_level(viewer, owner, OrganisationId(org), &[ServiceId(m.service_id)]) < AgendaLevel::Write {
            return Err(ApiError::forbidden());
        }
    }
    Ok(())
}

fn dedup(ids: impl IntoIterator<Item = i32>) -> Vec<i32> {
    let mut v: Vec<i32> = ids.into_iter().collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Motif of the RDV's organisation, else 422.
fn motif_of(conn: &mut DbConn, org: &OrganisationRow, id: i32) -> ApiResult<MotifRow> {
    motif::find(conn, id)?
        .filter(|m| m.organisation_id == org.id && m.deleted_at.is_none())
        .ok_or_else(|| ApiError::field("motif_id", "inclusion"))
}

/// Books an RDV for `caller`. 409 `creneau_indisponible` with the next free slots when an agent
/// is already taken then; 422 with `warnings` until `ignore_benign_errors`. Returns the RDV and
/// whether it is a replay of an earlier request with the same idempotency key.
pub fn create(
    conn: &mut DbConn,
    config: &Config,
    caller: &AgentRow,
    req: CreateRdvRequest,
    idem: Option<Idempotency>,
    now: DateTime<Utc>,
) -> ApiResult<(Rdv, bool)> {
    let viewer = viewer::load(conn, caller.id)?;
    let org = organisation::find(conn, req.organisation_id.0)?.ok_or(ApiError::NotFound("organisation"))?;
    let m = motif_of(conn, &org, req.motif_id)?;
    let agent_ids = dedup(req.agent_ids.iter().map(|a| a.0));
    let user_ids = dedup(req.user_ids.iter().map(|u| u.0));
    require_write(conn, &viewer, org.id, &m, agent_ids.iter().copied())?;
    let context = optional_text(req.context.as_deref());
    context_allowed(conn, &org, context.as_deref())?;
    let starts_at = truncate_micros(req.starts_at.with_timezone(&Utc).naive_utc());
    let duration = req.duration_in_min.unwrap_or(m.default_duration_in_min);
    let ends_at = starts_at + Duration::minutes(i64::from(duration));
    let name = optional_text(req.name.as_deref()).filter(|_| m.collectif);
    let notify = req.notify.unwrap_or(true);
    let new = NewRdv {
        organisation_id: org.id,
        motif_id: m.id,
        lieu_id: req.lieu_id,
        starts_at,
        ends_at,
        context,
        name,
        max_participants_count: req.max_participants_count.filter(|_| m.collectif),
        notify,
        created_by_type: "Agent",
        origin: rdv_shared::enums::RdvOrigin::Agent,
        created_by_id: Some(caller.id),
        agent_ids: agent_ids.clone(),
        user_ids: user_ids.clone(),
        send_notifications: notify && m.visibility_type == VisibilityType::VisibleAndNotified.as_str(),
    };
    let cand = Candidate {
        rdv_id: None,
        organisation: &org,
        motif: &m,
        lieu_id: new.lieu_id,
        starts_at,
        ends_at,
        agent_ids: &agent_ids,
        user_ids: &user_ids,
        name: new.name.as_deref(),
        max_participants_count: new.max_participants_count,
    };
    let row = write_tx(conn, |c| {
        lock_agents(c, &agent_ids)?;
        if let Some(rdv_id) = idem.as_ref().map(|i| i.earlier(c)).transpose()?.flatten() {
            return rdv::find(c, rdv_id)?.map(|r| (r, true)).ok_or(ApiError::NotFound("rdv"));
        }
        hard_errors(c, &cand)?;
        if !req.ignore_benign_errors {
            let w = warnings(c, &viewer, &cand, now)?;
            refuse(w)?;
        }
        let row = rdv::create(c, &caller.author(), &new)?;
        notifications::rdv_changed(c, config, None, row.id, ChangeAuthor::Agent(caller.id), now)?;
        if let Some(i) = &idem {
            i.remember(c, row.id)?;
        }
        Ok::<_, ApiError>((row, false))
    })
    .map_err(|e| offer_next_slots(conn, e, &cand, now))?;
    Ok((render(conn, &[row.0], now)?.remove(0), row.1))
}

/// Updates an RDV: time, duration, lieu, agents, usagers, context, collective fields, `notify`,
/// `status` (spread to participations, reference §4.1). Moving it or changing who takes part
/// re-runs the checks and warnings.
pub fn update(
    conn: &mut DbConn,
    config: &Config,
    caller: &AgentRow,
    id: i32,
    req: Body<UpdateRdvRequest>,
    now: DateTime<Utc>,
) -> ApiResult<Rdv> {
    let viewer = viewer::load(conn, caller.id)?;
    let before = load_rdv(conn, &viewer, id, AgendaLevel::Write)?;
    let req = req.parse()?;
    let org = organisation::find(conn, before.organisation_id)?.ok_or(ApiError::NotFound("organisation"))?;
    let m = motif::find(conn, before.motif_id)?.ok_or(ApiError::NotFound("motif"))?;
    let old_agents = rdv::agents_of(conn, &[id])?.remove(&id).unwrap_or_default();
    let old_users: Vec<i32> =
        rdv::participations_of(conn, &[id])?.remove(&id).unwrap_or_default().iter().map(|p| p.user_id).collect();
    let agent_ids = req.agent_ids.as_ref().map_or_else(|| old_agents.clone(), |a| dedup(a.iter().map(|x| x.0)));
    let user_ids = req.user_ids.as_ref().map_or_else(|| dedup(old_users.clone()), |u| dedup(u.iter().map(|x| x.0)));
    // New agents must be writable by the caller too.
    require_write(conn, &viewer, org.id, &m, agent_ids.iter().copied().filter(|a| !old_agents.contains(a)))?;
    let starts_at = req.starts_at.map_or(before.starts_at, |s| truncate_micros(s.with_timezone(&Utc).naive_utc()));
    let duration = req.duration_in_min.map_or((before.ends_at - before.starts_at).num_minutes(), i64::from);
    let ends_at = starts_at + Duration::minutes(duration);
    let context = req.context.clone().map(|c| optional_text(c.as_deref()));
    if let Some(Some(c)) = &context {
        context_allowed(conn, &org, Some(c))?;
    }
    if let Some(status) = req.status {
        let target = if m.collectif { Target::Collective } else { Target::Individual };
        let when = timing(Utc.from_utc_datetime(&starts_at), now, tz(&org.time_zone));
        if let Some(code) = refusal(target, status, when) {
            return Err(ApiError::field("status", code));
        }
    }
    let changes = RdvChanges {
        lieu_id: req.lieu_id,
        starts_at: Some(starts_at),
        ends_at: Some(ends_at),
        context,
        name: req.name.clone().map(|n| optional_text(n.as_deref())),
        max_participants_count: req.max_participants_count,
        notify: req.notify,
        agent_ids: Some(agent_ids.clone()),
        user_ids: Some(user_ids.clone()),
        status: req.status,
        origin: None,
        send_notifications: req.notify.unwrap_or(before.notify)
            && m.visibility_type == VisibilityType::VisibleAndNotified.as_str(),
    };
    let moved = starts_at != before.starts_at
        || ends_at != before.ends_at
        || agent_ids != old_agents
        || user_ids != dedup(old_users)
        || req.lieu_id.is_some_and(|l| l != before.lieu_id);
    let lieu_id = changes.lieu_id.unwrap_or(before.lieu_id);
    let name = changes.name.clone().unwrap_or_else(|| before.name.clone());
    let cand = Candidate {
        rdv_id: Some(id),
        organisation: &org,
        motif: &m,
        lieu_id,
        starts_at,
        ends_at,
        agent_ids: &agent_ids,
        user_ids: &user_ids,
        name: name.as_deref(),
        max_participants_count: changes.max_participants_count.unwrap_or(before.max_participants_count),
    };
    let row = write_tx(conn, |c| {
        hard_errors(c, &cand)?;
        if moved && !req.ignore_benign_errors {
            lock_agents(c, &agent_ids)?;
            let w: Vec<_> = warnings(c, &viewer, &cand, now)?
                .into_iter()
                .filter(|w| w.code != "in_the_past" || starts_at != before.starts_at)
                .collect();
            refuse(w)?;
        }
        let snapshot = notifications::snapshot(c, &before)?;
        let row = rdv::update(c, &caller.author(), &before, &changes)?;
        notifications::rdv_changed(c, config, Some(snapshot), id, ChangeAuthor::Agent(caller.id), now)?;
        Ok::<_, ApiError>(row)
    })
    .map_err(|e| offer_next_slots(conn, e, &cand, now))?;
    Ok(render(conn, &[row], now)?.remove(0))
}

/// Deletes an RDV (admins of its organisation, reference §2.2).
pub fn delete(conn: &mut DbConn, caller: &AgentRow, id: i32) -> ApiResult<()> {
    let viewer = viewer::load(conn, caller.id)?;
    let before = load_rdv(conn, &viewer, id, AgendaLevel::Read)?;
    if !can_delete_rdv(&viewer.actor, OrganisationId(before.organisation_id)) {
        return Err(ApiError::forbidden());
    }
    write_tx(conn, |c| {
        notifications::rdv_deleted(c, before.id)?;
        crate::services::webhook_events::rdv_event(c, before.id, crate::services::webhook_events::DESTROYED)?;
        Ok::<_, ApiError>(rdv::delete(c, &caller.author(), &before)?)
    })
}

/// Changes one participation's status and notification switches (reference V2); the RDV's
/// status is recomputed. 404 `participation` when the caller cannot write the RDV's agendas.
pub fn update_participation(
    conn: &mut DbConn,
    config: &Config,
    caller: &AgentRow,
    id: i32,
    req: Body<UpdateParticipationRequest>,
    now: DateTime<Utc>,
) -> ApiResult<Rdv> {
    let p = rdv::find_participation(conn, id)?.ok_or(ApiError::NotFound("participation"))?;
    let viewer = viewer::load(conn, caller.id)?;
    let row = load_rdv(conn, &viewer, p.rdv_id, AgendaLevel::Write).map_err(|e| match e {
        ApiError::NotFound(_) => ApiError::NotFound("participation"),
        other => other,
    })?;
    let changes = req.parse()?.changes();
    if changes.status.is_none()
        && changes.send_lifecycle_notifications.is_none()
        && changes.send_reminder_notification.is_none()
    {
        return Err(ApiError::field("participation", "blank"));
    }
    let org = organisation::find(conn, row.organisation_id)?.ok_or(ApiError::NotFound("organisation"))?;
    let collective = motif::find(conn, row.motif_id)?.is_some_and(|m| m.collectif);
    if let Some(status) = changes.status.filter(|s| *s != p.status()) {
        let when = timing(Utc.from_utc_datetime(&row.starts_at), now, tz(&org.time_zone));
        if let Some(code) = refusal(Target::Participation, status, when) {
            return Err(ApiError::field("status", code));
        }
    }
    let updated = write_tx(conn, |c| {
        let snapshot = notifications::snapshot(c, &row)?;
        let updated = rdv::update_participation(
            c,
            &caller.author(),
            &p,
            changes.status,
            changes.send_lifecycle_notifications,
            changes.send_reminder_notification,
            collective,
        )?;
        notifications::rdv_changed(c, config, Some(snapshot), row.id, ChangeAuthor::Agent(caller.id), now)?;
        Ok::<_, ApiError>(updated)
    })?;
    Ok(render(conn, &[updated], now)?.remove(0))
}

/// Shows an RDV (read level: its agents, admins, same-service colleagues, secretariat).
pub fn get_rdv(conn: &mut DbConn, caller: &AgentRow, id: i32) -> ApiResult<rdv_shared::dto::Rdv> {
    let viewer = viewer::load(conn, caller.id)?;
    let row = load_rdv(conn, &viewer, id, AgendaLevel::Read)?;
    Ok(render(conn, &[row], Utc::now())?.remove(0))
}
