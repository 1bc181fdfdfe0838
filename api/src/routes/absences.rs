//! Absences ("indisponibilités"), API v1 compatible (reference-api-v1.md §3.8) plus recurrence:
//! whoever "sees" the agent manages them (reference-domain.md §2.3).

use actix_web::{delete, get, patch, post, web, HttpResponse};
use serde::Deserialize;

use rdv_shared::access::AgendaLevel;
use rdv_shared::agenda::AbsenceFields;
use rdv_shared::dto::{AbsenceResponse, AbsencesResponse, CreateAbsenceRequest, UpdateAbsenceRequest};
use rdv_shared::pagination::{normalise_page, Meta};

use super::agenda_support::{render_absences, target_agent, visible_agent_ids};
use super::viewer;
use crate::app::AppState;
use crate::auth::Authenticated;
use crate::db::models::absence::{self, AbsenceRow};
use crate::db::models::agent;
use crate::db::{now_utc, write_tx, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListAbsencesQuery {
    /// Only this agent's absences.
    pub agent_id: Option<i32>,
    /// Page number, from 1.
    pub page: Option<i64>,
}

fn require_write(conn: &mut DbConn, me: i32, owner_id: i32) -> ApiResult<()> {
    let viewer = viewer::load(conn, me)?;
    let owner = agent::facts(conn, owner_id)?;
    if viewer.absence_level(&owner) < AgendaLevel::Write {
        return Err(ApiError::forbidden());
    }
    Ok(())
}

/// Loads an absence the caller sees at `needed` level at least: 404 when unknown or invisible,
/// 403 when below.
fn managed(conn: &mut DbConn, me: i32, id: i32, needed: AgendaLevel) -> ApiResult<AbsenceRow> {
    let row = absence::find(conn, id)?.ok_or(ApiError::NotFound("absence"))?;
    let viewer = viewer::load(conn, me)?;
    let owner = agent::facts(conn, row.agent_id)?;
    match viewer.absence_level(&owner) {
        AgendaLevel::None => Err(ApiError::NotFound("absence")),
        l if l < needed => Err(ApiError::forbidden()),
        _ => Ok(row),
    }
}

fn validated(f: &AbsenceFields) -> ApiResult<()> {
    let errors = f.validate(now_utc().date());
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// Lists the absences of the agents the caller sees, newest first.
#[utoipa::path(
    tag = "absences",
    params(ListAbsencesQuery),
    responses(
        (status = 200, body = AbsencesResponse),
        (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
)]
#[get("/absences")]
pub async fn list_absences(
    state: web::Data<AppState>,
    auth: Authenticated,
    query: ApiQuery<ListAbsencesQuery>,
) -> ApiResult<HttpResponse> {
    let ApiQuery(query) = query;
    let page = normalise_page(query.page);
    let (absences, total) = super::with_conn(&state, move |conn| {
        let viewer = viewer::load(conn, auth.agent.id)?;
        let mut ids = visible_agent_ids(conn, &viewer.actor, auth.agent.id, None)?;
        // Plus the agents whose absences a grant lets the caller read.
        ids.extend(super::agenda_support::territory_agents_where(conn, &viewer, auth.agent.id, |f| {
            viewer.absence_level(f) >= AgendaLevel::Read
        })?);
        ids.sort_unstable();
        ids.dedup();
        if let Some(a) = query.agent_id {
            ids.retain(|id| *id == a);
        }
        let (rows, total) = absence::page_of(conn, &ids, page)?;
        Ok((render_absences(conn, &rows)?, total))
    })
    .await?;
    Ok(HttpResponse::Ok().json(AbsencesResponse { absences, meta: Meta::new(page, total) }))
}

/// Creates an absence for `agent_id`, else `agent_email`, else oneself (reference B2).
#[utoipa::path(
    tag = "absences",
    request_body = CreateAbsenceRequest,
    responses(
        (status = 200, body = AbsenceResponse),
        (status = 400, body = rdv_shared::dto::MessagesError),
        (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
)]
#[post("/absences")]
pub async fn create_absence(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: ApiJson<CreateAbsenceRequest>,
) -> ApiResult<HttpResponse> {
    let ApiJson(req) = body;
    let absence = super::with_conn(&state, move |conn| {
        let owner = target_agent(conn, &auth.agent, req.agent_id.map(|a| a.0), req.agent_email.as_deref())?;
        require_write(conn, auth.agent.id, owner.id)?;
        let fields = AbsenceFields {
            title: req.title.trim().to_owned(),
            first_day: req.first_day,
            start_time: req.start_time,
            end_day: req.end_day.unwrap_or(req.first_day),
            end_time: req.end_time,
            recurrence: req.recurrence,
        };
        validated(&fields)?;
        let row = write_tx(conn, |c| Ok::<_, ApiError>(absence::create(c, &auth.agent.author(), owner.id, &fields)?))?;
        Ok(render_absences(conn, &[row])?.remove(0))
    })
    .await?;
    Ok(HttpResponse::Ok().json(AbsenceResponse { absence }))
}

/// Shows an absence.
#[utoipa::path(
    tag = "absences",
    params(("id" = i32, Path)),
    responses(
        (status = 200, body = AbsenceResponse),
        (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
)]
#[get("/absences/{id}")]
pub async fn get_absence(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let absence = super::with_conn(&state, move |conn| {
        let row = managed(conn, auth.agent.id, id, AgendaLevel::Read)?;
        Ok(render_absences(conn, &[row])?.remove(0))
    })
    .await?;
    Ok(HttpResponse::Ok().json(AbsenceResponse { absence }))
}

/// Updates an absence (reference B4, plus `recurrence`).
#[utoipa::path(
    tag = "absences",
    params(("id" = i32, Path)),
    request_body = UpdateAbsenceRequest,
    responses(
        (status = 200, body = AbsenceResponse),
        (status = 400, body = rdv_shared::dto::MessagesError),
        (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
)]
#[patch("/absences/{id}")]
pub async fn update_absence(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    body: ApiJson<UpdateAbsenceRequest>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let ApiJson(req) = body;
    let absence = super::with_conn(&state, move |conn| {
        let before = managed(conn, auth.agent.id, id, AgendaLevel::Write)?;
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
        let row = write_tx(conn, |c| Ok::<_, ApiError>(absence::update(c, &auth.agent.author(), &before, &fields)?))?;
        Ok(render_absences(conn, &[row])?.remove(0))
    })
    .await?;
    Ok(HttpResponse::Ok().json(AbsenceResponse { absence }))
}

/// Deletes an absence (204).
#[utoipa::path(
    tag = "absences",
    params(("id" = i32, Path)),
    responses(
        (status = 204),
        (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
)]
#[delete("/absences/{id}")]
pub async fn delete_absence(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    super::with_conn(&state, move |conn| {
        let before = managed(conn, auth.agent.id, id, AgendaLevel::Write)?;
        write_tx(conn, |c| Ok::<_, ApiError>(absence::delete(c, &auth.agent.author(), &before)?))
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
