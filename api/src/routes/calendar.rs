//! Agenda sync: the signed-in agent's calendar link (`/api/v1/me/calendar_feed`: see, create,
//! revoke) and the feed itself (`/calendar/{token}.ics`, no sign-in: the token is the secret).
//! The use cases are `services::calendar_feed`.

use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use chrono::Utc;
use rdv_shared::dto::{CalendarFeedCreatedResponse, CalendarFeedResponse, CreateCalendarFeedRequest};

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::extract::ApiJson;
use crate::services::calendar_feed;
use crate::state::AppState;

/// The agent's live calendar link (its options and when a calendar last read it; the link
/// itself is shown only when created).
#[utoipa::path(tag = "agenda", responses((status = 200, body = CalendarFeedResponse)))]
#[get("/me/calendar_feed")]
pub async fn get_calendar_feed(state: web::Data<AppState>, auth: Authenticated) -> ApiResult<HttpResponse> {
    let body = super::with_conn(&state, move |conn| calendar_feed::get(conn, &auth.agent)).await?;
    Ok(HttpResponse::Ok().json(body))
}

/// A new calendar link for the agent (the previous one stops working), shown once.
#[utoipa::path(tag = "agenda", request_body = CreateCalendarFeedRequest,
    responses((status = 200, body = CalendarFeedCreatedResponse), (status = 422, body = rdv_shared::dto::ValidationError)))]
#[post("/me/calendar_feed")]
pub async fn create_calendar_feed(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: ApiJson<CreateCalendarFeedRequest>,
) -> ApiResult<HttpResponse> {
    let ApiJson(req) = body;
    let config = state.config.clone();
    let body = super::with_conn(&state, move |conn| calendar_feed::create(conn, &config, &auth.agent, req)).await?;
    Ok(HttpResponse::Ok().json(body))
}

/// Revokes the agent's calendar link (204).
#[utoipa::path(tag = "agenda", responses((status = 204)))]
#[delete("/me/calendar_feed")]
pub async fn delete_calendar_feed(state: web::Data<AppState>, auth: Authenticated) -> ApiResult<HttpResponse> {
    super::with_conn(&state, move |conn| calendar_feed::revoke(conn, &auth.agent)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The calendar feed of a link: iCalendar (`text/calendar`), 404 when unknown or revoked.
/// Limited per IP like the public pages.
#[utoipa::path(tag = "agenda", params(("token" = String, Path)),
    responses((status = 200, content_type = "text/calendar", body = String), (status = 404, body = rdv_shared::dto::NotFoundError)))]
#[get("/calendar/{token}.ics")]
pub async fn get_calendar_ics(
    state: web::Data<AppState>,
    http: HttpRequest,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    super::public_limit(&state, &http).await?;
    let token = path.into_inner();
    let config = state.config.clone();
    let text = super::with_conn(&state, move |conn| calendar_feed::render(conn, &config, &token, Utc::now())).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(text))
}
