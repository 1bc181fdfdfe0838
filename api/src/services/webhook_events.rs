//! Webhook events (reference-domain.md §5, issue 16): the write services call these inside
//! their transaction, after the change (before it, for a deletion: the payload is rendered
//! while the record exists). Each subscribed endpoint of the record's organisation(s) gets one
//! outbox row (channel `webhook`) holding the exact body to send:
//! `{"data": <the API v1 resource>, "meta": {"model", "event", "webhook_reason", "timestamp"}}`.
//! Routing as the reference: an RDV, a plage, a lieu or a motif to its organisation, an
//! organisation to itself, an absence to every organisation of its agent. The replay after an
//! endpoint is saved (`trigger`) is `webhook_replay`; usagers' and agents' events are
//! `people_events`.

use chrono::Utc;
use rdv_shared::webhooks::subscription_of;
use serde_json::{json, Value};

use crate::db::models::absence::AbsenceRow;
use crate::db::models::lieu::LieuRow;
use crate::db::models::motif::MotifRow;
use crate::db::models::organisation::OrganisationRow;
use crate::db::models::plage::PlageRow;
use crate::db::models::{agent, rdv, webhook};
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};
use crate::outbox::webhook::WebhookPayload;
use crate::outbox::{enqueue_webhook, Subject};
use crate::services::agenda::{render_absences, render_plages};

pub const CREATED: &str = "created";
pub const UPDATED: &str = "updated";
pub const DESTROYED: &str = "destroyed";

thread_local! {
    /// `meta.webhook_reason` of the events queued on this thread (`None`: null).
    static REASON: std::cell::Cell<Option<&'static str>> = const { std::cell::Cell::new(None) };
}

/// Runs `f` with `meta.webhook_reason` set to `reason` for every event it queues (the retention
/// purge: `"rgpd"`), people events included (they are queued when `f`'s transaction commits).
pub fn with_reason<R>(reason: &'static str, f: impl FnOnce() -> R) -> R {
    let before = REASON.with(|r| r.replace(Some(reason)));
    let out = f();
    REASON.with(|r| r.set(before));
    out
}

/// `meta.timestamp` as the reference writes it (`YYYY-MM-DD HH:MM:SS +HHMM`, Paris time);
/// rdv-insertion orders a record's events by it.
fn timestamp() -> String {
    Utc::now().with_timezone(&chrono_tz::Europe::Paris).format("%Y-%m-%d %H:%M:%S %z").to_string()
}

/// The endpoints of `organisation_ids` subscribed to `model` (`only`: that one alone, a
/// replay). One indexed read; most organisations have none, which spares the rendering.
pub(crate) fn subscribers(
    conn: &mut DbConn,
    model: &str,
    organisation_ids: &[i32],
    only: Option<i32>,
) -> ApiResult<Vec<webhook::EndpointRow>> {
    let Some(subscription) = subscription_of(model) else { return Ok(Vec::new()) };
    Ok(webhook::of_organisations(conn, organisation_ids, None)?
        .into_iter()
        .filter(|e| only.is_none_or(|id| id == e.id))
        .filter(|e| e.subscriptions().iter().any(|s| s == subscription))
        .collect())
}

/// Queues `event` of `model` #`record_id` for each of `endpoints`.
pub(crate) fn emit(
    conn: &mut DbConn,
    endpoints: &[webhook::EndpointRow],
    (model, record_id, event): (&str, i32, &str),
    data: &Value,
    rdv_id: Option<i32>,
) -> ApiResult<usize> {
    let mut n = 0;
    for e in endpoints {
        let body = json!({
            "data": data,
            "meta": {"model": model, "event": event, "webhook_reason": REASON.with(|r| r.get()), "timestamp": timestamp()},
        });
        let payload = WebhookPayload {
            endpoint_id: e.id,
            model: model.to_owned(),
            event: event.to_owned(),
            record_id,
            body: body.to_string(),
        };
        let key = format!("webhook:{}:{model}:{record_id}:{event}:{}", e.id, crate::auth::token::random_id(8));
        let about = Subject { organisation_id: Some(e.organisation_id), rdv_id, ..Subject::default() };
        n += enqueue_webhook(conn, key, about, &e.target_url, &payload)?;
    }
    Ok(n)
}

pub(crate) fn value<T: serde::Serialize>(v: &T) -> ApiResult<Value> {
    serde_json::to_value(v).map_err(|e| ApiError::Internal(e.into()))
}

/// An RDV was created, changed (participations included) or is about to be deleted.
pub fn rdv_event(conn: &mut DbConn, rdv_id: i32, event: &str) -> ApiResult<usize> {
    rdv_event_for(conn, rdv_id, event, None)
}

pub(crate) fn rdv_event_for(conn: &mut DbConn, rdv_id: i32, event: &str, only: Option<i32>) -> ApiResult<usize> {
    let Some(row) = rdv::find(conn, rdv_id)? else { return Ok(0) };
    let targets = subscribers(conn, "Rdv", &[row.organisation_id], only)?;
    if targets.is_empty() {
        return Ok(0);
    }
    let data = crate::services::rdv_render::render(conn, std::slice::from_ref(&row), Utc::now())?;
    emit(conn, &targets, ("Rdv", rdv_id, event), &value(&data.first())?, Some(rdv_id))
}

/// A plage d'ouverture was created, changed or is about to be deleted.
pub fn plage_event(conn: &mut DbConn, row: &PlageRow, event: &str) -> ApiResult<usize> {
    plage_event_for(conn, row, event, None)
}

pub(crate) fn plage_event_for(conn: &mut DbConn, row: &PlageRow, event: &str, only: Option<i32>) -> ApiResult<usize> {
    let targets = subscribers(conn, "PlageOuverture", &[row.organisation_id], only)?;
    if targets.is_empty() {
        return Ok(0);
    }
    let data = value(&render_plages(conn, std::slice::from_ref(row))?.first())?;
    emit(conn, &targets, ("PlageOuverture", row.id, event), &data, None)
}

/// An absence was created, changed or is about to be deleted: every organisation of its agent.
pub fn absence_event(conn: &mut DbConn, row: &AbsenceRow, event: &str) -> ApiResult<usize> {
    let orgs = agent::organisation_ids(conn, row.agent_id)?;
    absence_event_for(conn, row, event, &orgs, None)
}

pub(crate) fn absence_event_for(
    conn: &mut DbConn,
    row: &AbsenceRow,
    event: &str,
    orgs: &[i32],
    only: Option<i32>,
) -> ApiResult<usize> {
    let targets = subscribers(conn, "Absence", orgs, only)?;
    if targets.is_empty() {
        return Ok(0);
    }
    let data = value(&render_absences(conn, std::slice::from_ref(row))?.first())?;
    emit(conn, &targets, ("Absence", row.id, event), &data, None)
}

/// A lieu was created or changed (disabling is a change, as the reference's soft delete).
pub fn lieu_event(conn: &mut DbConn, row: &LieuRow, event: &str) -> ApiResult<usize> {
    lieu_event_for(conn, row, event, None)
}

pub(crate) fn lieu_event_for(conn: &mut DbConn, row: &LieuRow, event: &str, only: Option<i32>) -> ApiResult<usize> {
    let targets = subscribers(conn, "Lieu", &[row.organisation_id], only)?;
    emit(conn, &targets, ("Lieu", row.id, event), &value(&row.to_dto())?, None)
}

/// A motif was created or changed (its soft delete is a change, as the reference's `discard`).
pub fn motif_event(conn: &mut DbConn, row: &MotifRow, event: &str) -> ApiResult<usize> {
    motif_event_for(conn, row, event, None)
}

pub(crate) fn motif_event_for(conn: &mut DbConn, row: &MotifRow, event: &str, only: Option<i32>) -> ApiResult<usize> {
    let targets = subscribers(conn, "Motif", &[row.organisation_id], only)?;
    if targets.is_empty() {
        return Ok(0);
    }
    let data = value(&crate::services::motifs::render(conn, row)?.motif)?;
    emit(conn, &targets, ("Motif", row.id, event), &data, None)
}

/// An organisation was changed.
pub fn organisation_event(conn: &mut DbConn, row: &OrganisationRow, event: &str) -> ApiResult<usize> {
    organisation_event_for(conn, row, event, None)
}

pub(crate) fn organisation_event_for(
    conn: &mut DbConn,
    row: &OrganisationRow,
    event: &str,
    only: Option<i32>,
) -> ApiResult<usize> {
    let targets = subscribers(conn, "Organisation", &[row.id], only)?;
    emit(conn, &targets, ("Organisation", row.id, event), &value(&row.to_dto())?, None)
}
