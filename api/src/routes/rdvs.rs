//! RDVs for the SPA and integrators: create, show, update, delete. The use cases are
//! `services::rdvs`.

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::Utc;
use rdv_shared::dto::{CreateRdvRequest, RdvResponse, UpdateRdvRequest};

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::extract::{idempotency_key, ApiJson, Body};
use crate::services;
use crate::services::rdvs;
use crate::services::Idempotency;
use crate::state::AppState;

/// Books an RDV. 409 `creneau_indisponible` with the next free slots when an agent is already
/// taken then (the slot was just booked); 422 with `warnings` (absence, outside plages,
/// same-day RDV, past start) until sent again with `ignore_benign_errors: true`, which also
/// overbooks on purpose; `notify: false` is "ne pas notifier". With an `Idempotency-Key`
/// header, sending the same request again returns the same RDV (`Idempotent-Replayed: true`).
#[utoipa::path(
    tag = "rdvs",
    request_body = CreateRdvRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the same RDV")),
    responses(
        (status = 200, body = RdvResponse),
        (status = 409, body = rdv_shared::dto::SlotTakenError),
        (status = 400, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[post("/rdvs")]
pub async fn create_rdv(
    state: web::Data<AppState>,
    auth: Authenticated,
    http: HttpRequest,
    body: ApiJson<CreateRdvRequest>,
) -> ApiResult<HttpResponse> {
    let ApiJson(req) = body;
    let idem = idempotency_key(&http)?.map(|key| Idempotency::of(format!("agent:{}", auth.agent.id), key, &req));
    let (rdv, replayed) = {
        let config = state.config.clone();
        super::with_conn(&state, move |conn| rdvs::create(conn, &config, &auth.agent, req, idem, Utc::now())).await?
    };
    let mut res = HttpResponse::Ok();
    if replayed {
        res.insert_header(("Idempotent-Replayed", "true"));
    }
    Ok(res.json(RdvResponse { rdv }))
}

/// Shows an RDV (read level: its agents, admins, same-service colleagues, secretariat).
#[utoipa::path(
    tag = "rdvs",
    params(("id" = i32, Path)),
    responses(
        (status = 200, body = RdvResponse),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
)]
#[get("/rdvs/{id}")]
pub async fn get_rdv(state: web::Data<AppState>, auth: Authenticated, path: web::Path<i32>) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let rdv = super::with_conn(&state, move |conn| services::rdvs::get_rdv(conn, &auth.agent, id)).await?;
    Ok(HttpResponse::Ok().json(RdvResponse { rdv }))
}

/// Updates an RDV: time, duration, lieu, agents, usagers, context, collective fields, `notify`,
/// `status` (spread to participations, reference §4.1). Moving it or changing who takes part
/// re-runs the checks and warnings.
#[utoipa::path(
    tag = "rdvs",
    params(("id" = i32, Path)),
    request_body = UpdateRdvRequest,
    responses(
        (status = 200, body = RdvResponse),
        (status = 409, body = rdv_shared::dto::SlotTakenError),
        (status = 400, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[patch("/rdvs/{id}")]
pub async fn update_rdv(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    req: Body<UpdateRdvRequest>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let config = state.config.clone();
    let rdv =
        super::with_conn(&state, move |conn| rdvs::update(conn, &config, &auth.agent, id, req, Utc::now())).await?;
    Ok(HttpResponse::Ok().json(RdvResponse { rdv }))
}

/// Deletes an RDV (admins of its organisation, reference §2.2). 204.
#[utoipa::path(
    tag = "rdvs",
    params(("id" = i32, Path)),
    responses(
        (status = 204),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
)]
#[delete("/rdvs/{id}")]
pub async fn delete_rdv(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    super::with_conn(&state, move |conn| rdvs::delete(conn, &auth.agent, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
