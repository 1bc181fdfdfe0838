//! Usagers, API v1 compatible (reference-api-v1.md §3.2): list, create, show, update, the
//! organisation-scoped list and show, and the invitation token. Search, duplicates, merge and
//! the RGPD export are in `users_extra`.

use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;

use rdv_shared::access::{can_assign_referent, can_attach_usager, can_create_usager_in};
use rdv_shared::dto::{InvitationTokenResponse, UserInput, UserResponse, UserWriteResponse, UsersResponse};
use rdv_shared::pagination::{normalise_page, Meta};
use rdv_shared::usager::search::Query;
use rdv_shared::validation::{Errors, FieldError};
use rdv_shared::{OrganisationId, TerritoryId};

use super::usager_context::{render, render_list, render_show, visible_user, UsagerContext};
use crate::app::AppState;
use crate::auth::Authenticated;
use crate::db::models::user::{self, UserRow, UserValues};
use crate::db::models::{agent, organisation, user_links, user_search};
use crate::db::{write_tx, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::extract::{query_ints, ApiJson, ApiQuery};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListUsersQuery {
    /// Narrows to this organisation (or its territory when usagers are shared there) when the
    /// caller belongs to it; ignored otherwise (as the reference).
    pub organisation_id: Option<i32>,
    /// Accent- and case-insensitive prefix search on names, birth name, e-mail, phone (any
    /// format) and id; results ranked (exact last name first).
    pub search: Option<String>,
    /// Page number, from 1.
    pub page: Option<i64>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ShowUserQuery {
    /// Scope the lookup and the listed profiles to this organisation.
    pub organisation_id: Option<i32>,
}

fn list(
    conn: &mut DbConn,
    ctx: &UsagerContext,
    ids: Option<&[i32]>,
    search: Option<String>,
    page: i64,
) -> ApiResult<UsersResponse> {
    let (rows, total) = match search.as_deref().and_then(Query::parse) {
        Some(q) => {
            let (mut rows, mut total) = user_search::search(conn, &ctx.scope, &q, 1000, true)?;
            if let Some(ids) = ids {
                rows.retain(|r| ids.contains(&r.id));
                total = rows.len() as i64;
            }
            // The search's total counts matches beyond the 1 000 ranked here.
            let (page_rows, _) = rdv_shared::pagination::page_in_memory(rows, page);
            (page_rows, total)
        }
        None => user_search::page_in_scope(conn, &ctx.scope, ids, page)?,
    };
    Ok(UsersResponse { users: render_list(conn, ctx, &rows)?, meta: Meta::new(page, total) })
}

/// Lists the usagers the caller sees (profiles in its organisations, or in their territories
/// where usagers are shared), by name; `ids[]` restricts to those ids, `search` ranks matches.
#[utoipa::path(
    tag = "users",
    params(ListUsersQuery, ("ids[]" = Option<Vec<i32>>, Query, description = "Only these ids")),
    responses(
        (status = 200, body = UsersResponse),
        (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
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
    let body = super::with_conn(&state, move |conn| {
        let ctx = UsagerContext::load(conn, auth.agent.id, query.organisation_id)?;
        list(conn, &ctx, (!ids.is_empty()).then_some(ids.as_slice()), query.search, page)
    })
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
        (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
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
        organisation::find(conn, org_id)?.ok_or(ApiError::NotFound("organisation"))?;
        let ctx = UsagerContext::load(conn, auth.agent.id, Some(org_id))?;
        list(conn, &ctx, None, query.search, page)
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// Checks a responsable link: not oneself, a live usager, one level only (a responsable is not
/// itself a relative, and a usager with relatives cannot become one).
fn check_responsible(
    conn: &mut DbConn,
    user_id: Option<i32>,
    responsible_id: Option<i32>,
    errors: &mut Errors,
) -> ApiResult<()> {
    let Some(rid) = responsible_id else { return Ok(()) };
    if Some(rid) == user_id {
        errors.add("responsible_id", "self_responsible");
        return Ok(());
    }
    match user::find(conn, rid)? {
        None => errors.add("responsible_id", "invalid"),
        Some(r) if r.responsible_id.is_some() => errors.add("responsible_id", "responsible_is_relative"),
        Some(_) => {}
    }
    if let Some(id) = user_id {
        if !user_links::relatives(conn, id)?.is_empty() {
            errors.add("responsible_id", "has_relatives");
        }
    }
    Ok(())
}

/// 422 `taken` carrying the id of the usager owning the address (integrators adopt it).
fn check_email(conn: &mut DbConn, email: Option<&str>, except: Option<i32>, errors: &mut Errors) -> ApiResult<()> {
    let Some(email) = email else { return Ok(()) };
    if let Some(owner) = user::id_by_email(conn, email)?.filter(|id| Some(*id) != except) {
        errors.fields.entry("email".to_owned()).or_default().push(FieldError {
            error: "taken".to_owned(),
            value: Some(email.to_owned()),
            id: Some(owner),
        });
        errors.messages.push(format!("email {}", rdv_shared::validation::message_fr("taken")));
    }
    Ok(())
}

/// Referent agents must exist (404 `agent`) and be assignable by the caller (403).
fn check_referents(conn: &mut DbConn, ctx: &UsagerContext, ids: &[i32], usager_orgs: &[i32]) -> ApiResult<()> {
    for id in ids {
        agent::find(conn, *id)?.filter(|a| a.deleted_at.is_none()).ok_or(ApiError::NotFound("agent"))?;
        let facts = agent::facts(conn, *id)?;
        if !can_assign_referent(&ctx.actor, &facts, &UsagerContext::typed(usager_orgs)) {
            return Err(ApiError::forbidden());
        }
    }
    Ok(())
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
        (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
)]
#[post("/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    auth: Authenticated,
    body: ApiJson<UserInput>,
) -> ApiResult<HttpResponse> {
    let ApiJson(input) = body;
    let body = super::with_conn(&state, move |conn| {
        let org_ids = UsagerContext::org_ids(input.organisation_ids.as_deref().unwrap_or(&[]));
        if org_ids.is_empty() {
            return Err(ApiError::field("organisation_ids", "blank"));
        }
        let mut territories = Vec::new();
        for id in &org_ids {
            territories.push(organisation::find(conn, *id)?.ok_or(ApiError::NotFound("organisation"))?.territory_id);
        }
        let ctx = UsagerContext::load(conn, auth.agent.id, None)?;
        let member_somewhere = org_ids.iter().any(|o| can_create_usager_in(&ctx.actor, OrganisationId(*o)));
        if !member_somewhere || !territories.iter().all(|t| can_attach_usager(&ctx.actor, TerritoryId(*t))) {
            return Err(ApiError::forbidden());
        }
        let toggles = user::toggles_for(conn, &org_ids)?;
        let today = chrono::Utc::now().date_naive();
        let values = UserValues::for_new(&input, &toggles, today).map_err(ApiError::Validation)?;
        let mut errors = Errors::default();
        check_email(conn, values.email.as_deref(), None, &mut errors)?;
        check_responsible(conn, None, values.responsible_id, &mut errors)?;
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        let referents: Vec<i32> = input.referent_agent_ids.iter().flatten().map(|a| a.0).collect();
        check_referents(conn, &ctx, &referents, &org_ids)?;
        let author = auth.agent.author();
        let row = write_tx(conn, |c| -> ApiResult<UserRow> {
            let row = user::create(c, &author, &values, "agent_creation_api")?;
            user_links::attach(c, &author, &row, &org_ids)?;
            if row.responsible_id.is_some() {
                user_links::sync_cell(c, &author, &row)?;
            }
            user_links::set_referents(c, &author, row.id, &referents)?;
            Ok(row)
        })?;
        let duplicates = super::users_extra::duplicates_of(conn, &ctx, &row, true, true)?;
        Ok(UserWriteResponse { user: render(conn, &ctx, &row)?, duplicates })
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// Shows a usager with its organisations (those the caller sees), referents and relatives.
#[utoipa::path(
    tag = "users",
    params(("id" = i32, Path), ShowUserQuery),
    responses(
        (status = 200, body = UserResponse),
        (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
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
    let user = super::with_conn(&state, move |conn| {
        let ctx = UsagerContext::load(conn, auth.agent.id, query.organisation_id)?;
        let (row, orgs) = visible_user(conn, &ctx, id)?;
        render_show(conn, &ctx, &row, &orgs, None)
    })
    .await?;
    Ok(HttpResponse::Ok().json(UserResponse { user }))
}

/// Shows a usager of an organisation: 404 `organisation` for an unknown organisation, 403 when
/// the caller is not a member, 404 `user` when the usager has no profile there.
#[utoipa::path(
    tag = "users",
    params(("organisation_id" = i32, Path), ("id" = i32, Path)),
    responses(
        (status = 200, body = UserResponse),
        (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
)]
#[get("/organisations/{organisation_id}/users/{id}")]
pub async fn get_organisation_user(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(i32, i32)>,
) -> ApiResult<HttpResponse> {
    let (org_id, id) = path.into_inner();
    let user = super::with_conn(&state, move |conn| {
        organisation::find(conn, org_id)?.ok_or(ApiError::NotFound("organisation"))?;
        let ctx = UsagerContext::load(conn, auth.agent.id, Some(org_id))?;
        if !ctx.actor.is_member_of(OrganisationId(org_id)) {
            return Err(ApiError::forbidden());
        }
        let row = user::find(conn, id)?.ok_or(ApiError::NotFound("user"))?;
        let orgs = user::organisation_ids(conn, id)?;
        if !orgs.contains(&org_id) {
            return Err(ApiError::NotFound("user"));
        }
        render_show(conn, &ctx, &row, &orgs, Some(org_id))
    })
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
        (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
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
    let body = super::with_conn(&state, move |conn| {
        let current = input.organisation_id.map(|o| o.0).or(query.organisation_id);
        let ctx = UsagerContext::load(conn, auth.agent.id, current)?;
        let (before, orgs) = visible_user(conn, &ctx, id)?;
        let toggles = ctx.toggles(&orgs);
        let today = chrono::Utc::now().date_naive();
        let values = before.values().apply(&input, &toggles, today).map_err(ApiError::Validation)?;
        let mut errors = Errors::default();
        if values.email != before.email {
            check_email(conn, values.email.as_deref(), Some(id), &mut errors)?;
        }
        if values.responsible_id != before.responsible_id {
            check_responsible(conn, Some(id), values.responsible_id, &mut errors)?;
        }
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        let wanted_orgs = match &input.organisation_ids {
            None => None,
            Some(list) => {
                let list = UsagerContext::org_ids(list);
                if list.is_empty() {
                    return Err(ApiError::field("organisation_ids", "blank"));
                }
                for o in &list {
                    let org = organisation::find(conn, *o)?.ok_or(ApiError::NotFound("organisation"))?;
                    if !can_attach_usager(&ctx.actor, TerritoryId(org.territory_id)) {
                        return Err(ApiError::forbidden());
                    }
                }
                // Organisations outside the caller's territories are not its to remove.
                let kept = orgs.iter().copied().filter(|o| !ctx.masked.contains(o));
                Some(list.into_iter().chain(kept).collect::<Vec<_>>())
            }
        };
        let referents: Option<Vec<i32>> = input.referent_agent_ids.as_ref().map(|l| l.iter().map(|a| a.0).collect());
        if let Some(r) = &referents {
            check_referents(conn, &ctx, r, &orgs)?;
        }
        let author = auth.agent.author();
        let after = write_tx(conn, |c| -> ApiResult<UserRow> {
            let after = user::update(c, &author, &before, &values)?;
            if after.responsible_id.is_some() && after.responsible_id != before.responsible_id {
                user_links::sync_cell(c, &author, &after)?;
            }
            if let Some(w) = &wanted_orgs {
                user_links::set_organisations(c, &author, &after, w)?;
            }
            if let Some(r) = &referents {
                user_links::set_referents(c, &author, id, r)?;
            }
            Ok(after)
        })?;
        let phone_changed = after.phone_number_formatted != before.phone_number_formatted;
        let identity_changed = after.identity_key != before.identity_key;
        let duplicates = super::users_extra::duplicates_of(conn, &ctx, &after, phone_changed, identity_changed)?;
        let after = user::find(conn, id)?.ok_or(ApiError::NotFound("user"))?;
        Ok(UserWriteResponse { user: render(conn, &ctx, &after)?, duplicates })
    })
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
        (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError),
        (status = 404, body = rdv_shared::dto::NotFoundError),
    ),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = []))
)]
#[post("/users/{id}/rdv_invitation_token")]
pub async fn create_user_invitation_token(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let token = super::with_conn(&state, move |conn| {
        let ctx = UsagerContext::load(conn, auth.agent.id, None)?;
        let (row, _) = visible_user(conn, &ctx, id)?;
        let author = auth.agent.author();
        write_tx(conn, |c| Ok(user::invitation_token(c, &author, &row)?))
    })
    .await?;
    Ok(HttpResponse::Ok().json(InvitationTokenResponse { invitation_token: token }))
}
