//! Usagers, API v1 compatible (reference-api-v1.md §3.2): list, create, show, update, the
//! organisation-scoped list and show, and the invitation token. Search, duplicates, merge and
//! the RGPD export are in `users_extra`.

use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use rdv_shared::dto::{InvitationTokenResponse, UserInput, UserResponse, UserWriteResponse, UsersResponse};
use rdv_shared::pagination::normalise_page;

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::extract::{query_ints, ApiJson, ApiQuery};
use crate::services;
use crate::services::usagers::{ListUsersQuery, ShowUserQuery};
use crate::state::AppState;

/// Lists the usagers the caller sees (profiles in its organisations, or in their territories
/// where usagers are shared), by name; `ids[]` restricts to those ids, `search` ranks matches.
#[utoipa::path(
    tag = "users",
    params(ListUsersQuery, ("ids[]" = Option<Vec<i32>>, Query, description = "Only these ids")),
    responses(
        (status = 200, body = UsersResponse),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[get("/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    auth: Authenticated,
    req: HttpRequest,
    query: ApiQuery<ListUsersQuery>,
) -> ApiResult<HttpResponse> {
    let ApiQuery(query) = query;
    let ids = query_ints(&req, "ids")?;
    let page = normalise_page(query.page);
    let body = super::with_conn(&state, move |conn| services::usagers::list_users(conn, &auth.agent, query, ids, page))
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// Lists the usagers of an organisation (or of its territory where usagers are shared).
/// As the reference, a caller who is not a member gets the usagers of its own organisations.
#[utoipa::path(
    tag = "users",
    params(("organisation_id" = i32, Path), ListUsersQuery),
    responses(
        (status = 200, body = UsersResponse),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[get("/organisations/{organisation_id}/users")]
pub async fn list_organisation_users(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    query: ApiQuery<ListUsersQuery>,
) -> ApiResult<HttpResponse> {
    let org_id = path.into_inner();
    let ApiQuery(query) = query;
    let page = normalise_page(query.page);
    let body = super::with_conn(&state, move |conn| {
        services::usagers::list_organisation_users(conn, &auth.agent, org_id, query, page)
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// Creates a usager in the given organisations (at least one where the caller works, all in
/// its territories). Answers 200 with the usager and the duplicate warnings (same phone, or same
/// names and birth date); the same e-mail is a 422 `taken` with the existing id.
#[utoipa::path(
    tag = "users",
    request_body = UserInput,
    responses(
        (status = 200, body = UserWriteResponse),
        (status = 400, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[post("/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: ApiJson<UserInput>,
) -> ApiResult<HttpResponse> {
    let ApiJson(input) = body;
    let body = super::with_conn(&state, move |conn| services::usagers::create_user(conn, &auth.agent, input)).await?;
    Ok(HttpResponse::Ok().json(body))
}

/// Shows a usager with its organisations (those the caller sees), referents and relatives.
#[utoipa::path(
    tag = "users",
    params(("id" = i32, Path), ShowUserQuery),
    responses(
        (status = 200, body = UserResponse),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
)]
#[get("/users/{id}")]
pub async fn get_user(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    query: ApiQuery<ShowUserQuery>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let ApiQuery(query) = query;
    let user = super::with_conn(&state, move |conn| services::usagers::get_user(conn, &auth.agent, id, query)).await?;
    Ok(HttpResponse::Ok().json(UserResponse { user }))
}

/// Shows a usager of an organisation: 404 `organisation` for an unknown organisation, 403 when
/// the caller is not a member, 404 `user` when the usager has no profile there.
#[utoipa::path(
    tag = "users",
    params(("organisation_id" = i32, Path), ("id" = i32, Path)),
    responses(
        (status = 200, body = UserResponse),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
)]
#[get("/organisations/{organisation_id}/users/{id}")]
pub async fn get_organisation_user(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(i32, i32)>,
) -> ApiResult<HttpResponse> {
    let (org_id, id) = path.into_inner();
    let user =
        super::with_conn(&state, move |conn| services::usagers::get_organisation_user(conn, &auth.agent, org_id, id))
            .await?;
    Ok(HttpResponse::Ok().json(UserResponse { user }))
}

/// Updates a usager. Absent fields are unchanged, `null` clears; `organisation_ids` and
/// `referent_agent_ids` replace their sets (organisations outside the caller's territories are
/// kept). Answers the usager and the duplicate warnings raised by the changed fields.
#[utoipa::path(
    tag = "users",
    params(("id" = i32, Path), ShowUserQuery),
    request_body = UserInput,
    responses(
        (status = 200, body = UserWriteResponse),
        (status = 400, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
)]
#[patch("/users/{id}")]
pub async fn update_user(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    query: ApiQuery<ShowUserQuery>,
    body: ApiJson<UserInput>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let ApiQuery(query) = query;
    let ApiJson(input) = body;
    let body =
        super::with_conn(&state, move |conn| services::usagers::update_user(conn, &auth.agent, id, query, input))
            .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// The usager's invitation token for "prendre RDV" links sent by partner tools: 8 characters
/// A–Z0–9, generated once and reused (reference U5).
#[utoipa::path(
    tag = "users",
    params(("id" = i32, Path)),
    responses(
        (status = 200, body = InvitationTokenResponse),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
)]
#[post("/users/{id}/rdv_invitation_token")]
pub async fn create_user_invitation_token(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let token =
        super::with_conn(&state, move |conn| services::usagers::create_user_invitation_token(conn, &auth.agent, id))
            .await?;
    Ok(HttpResponse::Ok().json(InvitationTokenResponse { invitation_token: token }))
}
