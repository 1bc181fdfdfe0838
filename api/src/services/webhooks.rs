//! Webhook endpoints of an organisation (reference-api-v1.md §3.11 W1–W3, issue 16): listed,
//! created, changed and deleted by its admins and the territory's admins
//! (`shared::access::can_manage_webhooks`); targets checked against internal addresses
//! (`outbox::webhook::check_target`); saving replays the organisation's records unless
//! `trigger: false`; each endpoint's delivery log, and "Renvoyer" for one delivery.

use chrono::{TimeZone, Utc};
use rdv_shared::access::can_manage_webhooks;
use rdv_shared::dto::{
    WebhookDeliveriesResponse, WebhookDelivery, WebhookEndpoint, WebhookEndpointInput, WebhookEndpointResponse,
    WebhookEndpointsResponse,
};
use rdv_shared::pagination::{offset, Meta, PER_PAGE};
use rdv_shared::validation::Errors;
use rdv_shared::webhooks::normalise_subscriptions;
use rdv_shared::{OrganisationId, TerritoryId};

use crate::config::Config;
use crate::db::models::agent::AgentRow;
use crate::db::models::webhook::{self, DeliveryRow, EndpointRow, EndpointValues};
use crate::db::{write_tx, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::extract::Body;
use crate::outbox::webhook::check_target;
use crate::services::webhook_replay::plan_replay;

/// The longest target URL and secret accepted.
const MAX_URL: usize = 500;
const MAX_SECRET: usize = 200;

fn dto(e: &EndpointRow) -> WebhookEndpoint {
    WebhookEndpoint {
        id: e.id,
        organisation_id: e.organisation_id,
        target_url: e.target_url.clone(),
        subscriptions: e.subscriptions(),
        flagged_at: e.flagged_at.map(|t| Utc.from_utc_datetime(&t)),
    }
}

/// May the caller manage the organisation's endpoints? 404 for an unknown organisation.
fn may_manage(conn: &mut DbConn, caller: &AgentRow, organisation_id: i32) -> ApiResult<bool> {
    let (org, actor) = crate::services::organisation_and_actor(conn, organisation_id, caller.id)?;
    Ok(can_manage_webhooks(&actor, OrganisationId(org.id), TerritoryId(org.territory_id)))
}

/// W1: the organisation's endpoints (`target_url`: exact filter). Someone who may not manage
/// them gets an empty list, as the reference.
pub fn list(
    conn: &mut DbConn,
    caller: &AgentRow,
    organisation_id: i32,
    target_url: Option<&str>,
    page: i64,
) -> ApiResult<WebhookEndpointsResponse> {
    if !may_manage(conn, caller, organisation_id)? {
        return Ok(WebhookEndpointsResponse { webhook_endpoints: Vec::new(), meta: Meta::new(page, 0) });
    }
    let rows = webhook::of_organisations(conn, &[organisation_id], target_url)?;
    let total = i64::try_from(rows.len()).unwrap_or(i64::MAX);
    let shown = rows
        .iter()
        .skip(usize::try_from(offset(page)).unwrap_or(0))
        .take(usize::try_from(PER_PAGE).unwrap_or(100))
        .map(dto)
        .collect();
    Ok(WebhookEndpointsResponse { webhook_endpoints: shown, meta: Meta::new(page, total) })
}

/// The endpoint `id` as the caller may manage it through `organisation_id` (W3 looks among
/// the endpoints of the organisations they manage; 404 otherwise).
fn managed(conn: &mut DbConn, caller: &AgentRow, organisation_id: i32, id: i32) -> ApiResult<EndpointRow> {
    let row = webhook::find(conn, id)?.ok_or(ApiError::NotFound("webhook_endpoint"))?;
    if !may_manage(conn, caller, row.organisation_id)? || !may_manage(conn, caller, organisation_id)? {
        return Err(ApiError::NotFound("webhook_endpoint"));
    }
    Ok(row)
}

/// Checks a body against the endpoint it changes (`None` on creation): URL (http(s), not
/// internal, unique in the organisation), secret, subscriptions.
fn values(
    conn: &mut DbConn,
    config: &Config,
    organisation_id: i32,
    input: &WebhookEndpointInput,
    before: Option<&EndpointRow>,
) -> ApiResult<(String, String, Vec<String>)> {
    let mut errors = Errors::default();
    let url = input.target_url.clone().or_else(|| before.map(|b| b.target_url.clone())).unwrap_or_default();
    let url = url.trim().to_owned();
    let secret = input.secret.clone().or_else(|| before.map(|b| b.secret.clone())).unwrap_or_default();
    if secret.trim().is_empty() {
        errors.add("secret", "blank");
    } else if secret.len() > MAX_SECRET {
        errors.add("secret", "too_long");
    }
    if url.is_empty() {
        errors.add("target_url", "blank");
    } else if url.len() > MAX_URL {
        errors.add("target_url", "too_long");
    }
    let given = input.subscriptions.clone().or_else(|| before.map(EndpointRow::subscriptions));
    let subscriptions = match normalise_subscriptions(given.as_deref()) {
        Ok(s) => s,
        Err(bad) => {
            return Err(ApiError::field_message(
                "base",
                "invalid_subscription",
                format!("Abonnement inconnu : {bad}. Valeurs possibles : rdv, absence, plage_ouverture, user, user_profile, organisation, motif, lieu, agent, agent_role, referent_assignation."),
            ))
        }
    };
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    // The address last: resolving it takes a DNS round trip.
    if let Err(message) = check_target(&url, &config.delivery.webhook_allowed_hosts) {
        return Err(ApiError::field_message("target_url", "invalid", message));
    }
    if webhook::url_taken(conn, organisation_id, &url, before.map(|b| b.id))? {
        return Err(ApiError::field("target_url", "taken"));
    }
    Ok((url, secret, subscriptions))
}

/// W2: a new endpoint; the organisation's records are replayed to it unless `trigger: false`.
pub fn create(
    conn: &mut DbConn,
    config: &Config,
    caller: &AgentRow,
    organisation_id: i32,
    input: Body<WebhookEndpointInput>,
) -> ApiResult<WebhookEndpointResponse> {
    if !may_manage(conn, caller, organisation_id)? {
        return Err(ApiError::forbidden());
    }
    let input = input.parse()?;
    let (url, secret, subscriptions) = values(conn, config, organisation_id, &input, None)?;
    let author = caller.author();
    let row = write_tx(conn, |c| {
        let v = EndpointValues { organisation_id, target_url: &url, secret: &secret, subscriptions: &subscriptions };
        let row = webhook::create(c, &author, &v)?;
        if input.trigger != Some(false) {
            plan_replay(c, &row)?;
        }
        Ok::<_, ApiError>(row)
    })?;
    Ok(WebhookEndpointResponse { webhook_endpoint: dto(&row) })
}

/// W3: changes an endpoint; as the reference, the organisation of the path becomes its own.
pub fn update(
    conn: &mut DbConn,
    config: &Config,
    caller: &AgentRow,
    organisation_id: i32,
    id: i32,
    input: Body<WebhookEndpointInput>,
) -> ApiResult<WebhookEndpointResponse> {
    let before = managed(conn, caller, organisation_id, id)?;
    let input = input.parse()?;
    let (url, secret, subscriptions) = values(conn, config, organisation_id, &input, Some(&before))?;
    let author = caller.author();
    let row = write_tx(conn, |c| {
        let v = EndpointValues { organisation_id, target_url: &url, secret: &secret, subscriptions: &subscriptions };
        let row = webhook::update(c, &author, &before, &v)?;
        if input.trigger != Some(false) {
            plan_replay(c, &row)?;
        }
        Ok::<_, ApiError>(row)
    })?;
    Ok(WebhookEndpointResponse { webhook_endpoint: dto(&row) })
}

/// Deletes an endpoint: its pending events are dropped when their turn comes.
pub fn delete(conn: &mut DbConn, caller: &AgentRow, organisation_id: i32, id: i32) -> ApiResult<()> {
    let row = managed(conn, caller, organisation_id, id)?;
    let author = caller.author();
    write_tx(conn, |c| webhook::delete(c, &author, &row))?;
    Ok(())
}

fn delivery_dto(d: &DeliveryRow) -> WebhookDelivery {
    WebhookDelivery {
        id: d.id,
        model: d.model.clone(),
        event: d.event.clone(),
        record_id: d.record_id,
        status_code: d.status_code,
        success: d.success,
        latency_ms: d.latency_ms,
        response_excerpt: d.response_excerpt.clone(),
        error: d.error.clone(),
        created_at: Utc.from_utc_datetime(&d.created_at),
    }
}

/// An endpoint's delivery log, newest first.
pub fn deliveries(
    conn: &mut DbConn,
    caller: &AgentRow,
    organisation_id: i32,
    id: i32,
    page: i64,
) -> ApiResult<WebhookDeliveriesResponse> {
    let endpoint = managed(conn, caller, organisation_id, id)?;
    let (rows, total) = webhook::deliveries_of(conn, endpoint.id, offset(page), PER_PAGE)?;
    Ok(WebhookDeliveriesResponse {
        webhook_deliveries: rows.iter().map(delivery_dto).collect(),
        meta: Meta::new(page, total),
    })
}

/// "Renvoyer": the event of a logged delivery, queued again (same body, fresh signatures).
pub fn redeliver(
    conn: &mut DbConn,
    caller: &AgentRow,
    organisation_id: i32,
    id: i32,
    delivery_id: i32,
) -> ApiResult<()> {
    let endpoint = managed(conn, caller, organisation_id, id)?;
    let d = webhook::find_delivery(conn, delivery_id)?
        .filter(|d| d.endpoint_id == endpoint.id)
        .ok_or(ApiError::NotFound("webhook_delivery"))?;
    let original = crate::db::models::outbox::find(conn, d.outbox_id)?.ok_or(ApiError::NotFound("webhook_delivery"))?;
    let payload: crate::outbox::webhook::WebhookPayload =
        serde_json::from_str(&original.payload).map_err(|e| ApiError::Internal(e.into()))?;
    let key = format!("{}:again:{}", original.idempotency_key, crate::auth::token::random_id(6));
    let about = crate::outbox::Subject {
        organisation_id: Some(endpoint.organisation_id),
        rdv_id: original.rdv_id,
        ..Default::default()
    };
    write_tx(conn, |c| crate::outbox::enqueue_webhook(c, key, about, &endpoint.target_url, &payload))?;
    Ok(())
}
