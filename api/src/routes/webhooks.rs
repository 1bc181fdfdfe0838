//! Webhook endpoints (reference-api-v1.md §3.11, W1–W3) and their delivery log: organisation
//! admins and the territory's admins. The use cases are `services::webhooks`.

use actix_web::{delete, get, patch, post, put, web, HttpResponse};
use rdv_shared::dto::{
    WebhookDeliveriesResponse, WebhookEndpointInput, WebhookEndpointResponse, WebhookEndpointsResponse,
};
use rdv_shared::pagination::normalise_page;
use serde::Deserialize;

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::extract::{ApiQuery, Body};
use crate::services::webhooks;
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListWebhookEndpointsQuery {
    /// Exact match: rdv-insertion finds "its" endpoint this way.
    pub target_url: Option<String>,
    pub page: Option<i64>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    pub page: Option<i64>,
}

/// W1: the organisation's endpoints (empty for someone who may not manage them). The secret is
/// never returned.
#[utoipa::path(tag = "webhooks", params(("organisation_id" = i32, Path), ListWebhookEndpointsQuery),
    responses((status = 200, body = WebhookEndpointsResponse), (status = 404, body = rdv_shared::dto::NotFoundError)))]
#[get("/organisations/{organisation_id}/webhook_endpoints")]
pub async fn list_webhook_endpoints(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    query: ApiQuery<ListWebhookEndpointsQuery>,
) -> ApiResult<HttpResponse> {
    let (org, ApiQuery(q)) = (path.into_inner(), query);
    let page = normalise_page(q.page);
    let body =
        super::with_conn(&state, move |conn| webhooks::list(conn, &auth.agent, org, q.target_url.as_deref(), page))
            .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// W2: a new endpoint. Targets must be http(s) and not resolve to internal addresses (422 on
/// `target_url`). Unless `trigger: false`, the organisation's records of the subscribed kinds
/// are then sent to it as `created`.
#[utoipa::path(tag = "webhooks", params(("organisation_id" = i32, Path)), request_body = WebhookEndpointInput,
    responses((status = 200, body = WebhookEndpointResponse), (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError), (status = 422, body = rdv_shared::dto::ValidationError)))]
#[post("/organisations/{organisation_id}/webhook_endpoints")]
pub async fn create_webhook_endpoint(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    body: Body<WebhookEndpointInput>,
) -> ApiResult<HttpResponse> {
    let (org, input) = (path.into_inner(), body);
    let config = state.config.clone();
    let body = super::with_conn(&state, move |conn| webhooks::create(conn, &config, &auth.agent, org, input)).await?;
    Ok(HttpResponse::Ok().json(body))
}

async fn update(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(i32, i32)>,
    body: Body<WebhookEndpointInput>,
) -> ApiResult<HttpResponse> {
    let ((org, id), input) = (path.into_inner(), body);
    let config = state.config.clone();
    let body =
        super::with_conn(&state, move |conn| webhooks::update(conn, &config, &auth.agent, org, id, input)).await?;
    Ok(HttpResponse::Ok().json(body))
}

/// W3: changes an endpoint (and, as the reference, attaches it to the organisation of the path).
#[utoipa::path(tag = "webhooks", params(("organisation_id" = i32, Path), ("id" = i32, Path)),
    request_body = WebhookEndpointInput,
    responses((status = 200, body = WebhookEndpointResponse), (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError)))]
#[patch("/organisations/{organisation_id}/webhook_endpoints/{id}")]
pub async fn update_webhook_endpoint(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(i32, i32)>,
    body: Body<WebhookEndpointInput>,
) -> ApiResult<HttpResponse> {
    update(state, auth, path, body).await
}

/// W3 with PUT (the reference accepts both).
#[utoipa::path(tag = "webhooks", params(("organisation_id" = i32, Path), ("id" = i32, Path)),
    request_body = WebhookEndpointInput,
    responses((status = 200, body = WebhookEndpointResponse), (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError)))]
#[put("/organisations/{organisation_id}/webhook_endpoints/{id}")]
pub async fn replace_webhook_endpoint(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(i32, i32)>,
    body: Body<WebhookEndpointInput>,
) -> ApiResult<HttpResponse> {
    update(state, auth, path, body).await
}

/// Deletes an endpoint (204): nothing more is sent to it.
#[utoipa::path(tag = "webhooks", params(("organisation_id" = i32, Path), ("id" = i32, Path)),
    responses((status = 204), (status = 404, body = rdv_shared::dto::NotFoundError)))]
#[delete("/organisations/{organisation_id}/webhook_endpoints/{id}")]
pub async fn delete_webhook_endpoint(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(i32, i32)>,
) -> ApiResult<HttpResponse> {
    let (org, id) = path.into_inner();
    super::with_conn(&state, move |conn| webhooks::delete(conn, &auth.agent, org, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The endpoint's delivery log, newest first: status, latency, the start of the answer.
#[utoipa::path(tag = "webhooks", params(("organisation_id" = i32, Path), ("id" = i32, Path), PageQuery),
    responses((status = 200, body = WebhookDeliveriesResponse), (status = 404, body = rdv_shared::dto::NotFoundError)))]
#[get("/organisations/{organisation_id}/webhook_endpoints/{id}/deliveries")]
pub async fn list_webhook_deliveries(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(i32, i32)>,
    query: ApiQuery<PageQuery>,
) -> ApiResult<HttpResponse> {
    let ((org, id), ApiQuery(q)) = (path.into_inner(), query);
    let page = normalise_page(q.page);
    let body = super::with_conn(&state, move |conn| webhooks::deliveries(conn, &auth.agent, org, id, page)).await?;
    Ok(HttpResponse::Ok().json(body))
}

/// "Renvoyer": sends a logged delivery's event again (202; it shows in the log once sent).
#[utoipa::path(tag = "webhooks",
    params(("organisation_id" = i32, Path), ("id" = i32, Path), ("delivery_id" = i32, Path)),
    responses((status = 202), (status = 404, body = rdv_shared::dto::NotFoundError)))]
#[post("/organisations/{organisation_id}/webhook_endpoints/{id}/deliveries/{delivery_id}/redeliver")]
pub async fn redeliver_webhook_delivery(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(i32, i32, i32)>,
) -> ApiResult<HttpResponse> {
    let (org, id, delivery) = path.into_inner();
    super::with_conn(&state, move |conn| webhooks::redeliver(conn, &auth.agent, org, id, delivery)).await?;
    Ok(HttpResponse::Accepted().finish())
}
