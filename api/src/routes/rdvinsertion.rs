//! rdv-insertion's namespace (`/api/rdvinsertion/…`, reference-api-v1.md §3.13): signed with the
//! partner shared secret (`uid` + `X-Agent-Auth-Signature`); `creneau_availability` also takes
//! a token. Also the public links (L1, §3.12), for départements' own sites.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::Utc;
use rdv_shared::dto::{
    CreateMotifCategoryRequest, CreateMotifCategoryTerritoryRequest, CreateReferentAssignationsRequest,
    CreateUserProfilesRequest, CreneauAvailabilityResponse, MotifCategoryResponse, PublicLinksResponse,
    TerritoryCategoriesResponse, UserResponse,
};
use serde::Deserialize;

use crate::auth::{Authenticated, PartnerSigned};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};
use crate::services::invited_search::{self, InvitationParams, InvitationQuery};
use crate::services::public_search::PlaceQuery;
use crate::services::{public_links, rdvinsertion};
use crate::state::AppState;

/// I1: would an invitation link with these filters offer at least one slot? Motifs bookable by
/// invited usagers, of the category, in the organisations, sectorised at the address (else the
/// organisations), with the referents; the slot engine's answer.
#[utoipa::path(tag = "rdvinsertion", params(PlaceQuery, InvitationQuery,
        ("lieu_id" = Option<i32>, Query, description = "Only this lieu"),
        ("organisation_ids[]" = Option<Vec<i32>>, Query, description = "Only these organisations (and the fallback when the address finds nothing)"),
        ("referent_ids[]" = Option<Vec<i32>>, Query, description = "Only these agents")),
    responses((status = 200, body = CreneauAvailabilityResponse), (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 404, body = rdv_shared::dto::NotFoundError), (status = 422, body = rdv_shared::dto::ValidationError)))]
#[get("/invitations/creneau_availability")]
pub async fn get_creneau_availability(
    state: web::Data<AppState>,
    _auth: Authenticated,
    req: HttpRequest,
    place: ApiQuery<PlaceQuery>,
    invitation: ApiQuery<InvitationQuery>,
) -> ApiResult<HttpResponse> {
    let params = InvitationParams::read(&req, invitation.0)?;
    if !params.invited() {
        return Err(ApiError::field("invitation_token", "blank"));
    }
    let (place, _) = invited_search::resolve_place(&state, &place.0, true, params.query.departement.as_deref()).await?;
    let available = super::with_conn(&state, move |conn| {
        // An unknown token is the reference's "user not found"; other failures stay what they are.
        let filters = params
            .load(conn)
            .map_err(|e| match e {
                ApiError::Validation(_) => ApiError::NotFound("user"),
                other => other,
            })?
            .ok_or(ApiError::NotFound("user"))?;
        invited_search::creneau_availability(conn, place.as_ref(), &filters, Utc::now())
    })
    .await?;
    Ok(HttpResponse::Ok().json(CreneauAvailabilityResponse { creneau_availability: available }))
}

/// I2: links a usager to rdv-insertion organisations (others are ignored); idempotent. 200, empty.
#[utoipa::path(tag = "rdvinsertion", request_body = CreateUserProfilesRequest,
    responses((status = 200, description = "Linked (empty body)"), (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 404, body = rdv_shared::dto::NotFoundError)))]
#[post("/user_profiles/create_many")]
pub async fn create_many_user_profiles(
    state: web::Data<AppState>,
    auth: PartnerSigned,
    body: ApiJson<CreateUserProfilesRequest>,
) -> ApiResult<HttpResponse> {
    let ApiJson(req) = body;
    super::with_conn(&state, move |conn| {
        rdvinsertion::create_user_profiles(conn, &auth.0, req.user_id, &req.organisation_ids)
    })
    .await?;
    Ok(HttpResponse::Ok().finish())
}

/// I3: makes agents of rdv-insertion organisations referents of a usager; idempotent. 200, empty.
#[utoipa::path(tag = "rdvinsertion", request_body = CreateReferentAssignationsRequest,
    responses((status = 200, description = "Assigned (empty body)"), (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 404, body = rdv_shared::dto::NotFoundError)))]
#[post("/referent_assignations/create_many")]
pub async fn create_many_referent_assignations(
    state: web::Data<AppState>,
    auth: PartnerSigned,
    body: ApiJson<CreateReferentAssignationsRequest>,
) -> ApiResult<HttpResponse> {
    let ApiJson(req) = body;
    super::with_conn(&state, move |conn| {
        rdvinsertion::create_referent_assignations(conn, &auth.0, req.user_id, &req.agent_ids)
    })
    .await?;
    Ok(HttpResponse::Ok().finish())
}

/// I4: a usager with its profiles in every rdv-insertion organisation.
#[utoipa::path(tag = "rdvinsertion", params(("id" = i32, Path)),
    responses((status = 200, body = UserResponse), (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError), (status = 404, body = rdv_shared::dto::NotFoundError)))]
#[get("/users/{id}")]
pub async fn get_rdvinsertion_user(
    state: web::Data<AppState>,
    auth: PartnerSigned,
    path: web::Path<i32>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let body = super::with_conn(&state, move |conn| rdvinsertion::get_user(conn, &auth.0, id)).await?;
    Ok(HttpResponse::Ok().json(body))
}

/// I5: creates a motif category; 422 `taken` when its short name exists.
#[utoipa::path(tag = "rdvinsertion", request_body = CreateMotifCategoryRequest,
    responses((status = 200, body = MotifCategoryResponse), (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 422, body = rdv_shared::dto::ValidationError)))]
#[post("/motif_categories")]
pub async fn create_rdvinsertion_motif_category(
    state: web::Data<AppState>,
    auth: PartnerSigned,
    body: ApiJson<CreateMotifCategoryRequest>,
) -> ApiResult<HttpResponse> {
    let ApiJson(req) = body;
    let body = super::with_conn(&state, move |conn| rdvinsertion::create_motif_category(conn, &auth.0, req)).await?;
    Ok(HttpResponse::Ok().json(body))
}

/// I6: enables a motif category on an organisation's territory (idempotent).
#[utoipa::path(tag = "rdvinsertion", request_body = CreateMotifCategoryTerritoryRequest,
    responses((status = 200, body = TerritoryCategoriesResponse), (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 404, body = rdv_shared::dto::NotFoundError)))]
#[post("/motif_category_territories")]
pub async fn create_motif_category_territory(
    state: web::Data<AppState>,
    auth: PartnerSigned,
    body: ApiJson<CreateMotifCategoryTerritoryRequest>,
) -> ApiResult<HttpResponse> {
    let ApiJson(req) = body;
    let body =
        super::with_conn(&state, move |conn| rdvinsertion::create_motif_category_territory(conn, &auth.0, req)).await?;
    Ok(HttpResponse::Ok().json(body))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublicLinksQuery {
    /// The département number (`62`, `2A`).
    pub territory: Option<String>,
}

/// L1: the booking page of each organisation of a département that has an `external_id` and
/// something to book online. No sign-in; 50 requests a minute per address, as the reference.
#[utoipa::path(tag = "public", params(PublicLinksQuery),
    responses((status = 200, body = PublicLinksResponse), (status = 400, description = "`{\"missing\": \"territory\"}`"),
        (status = 404, body = rdv_shared::dto::NotFoundError), (status = 429, body = rdv_shared::dto::MessagesError)))]
#[get("/public_links")]
pub async fn list_public_links(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: ApiQuery<PublicLinksQuery>,
) -> ApiResult<HttpResponse> {
    public_links_answer(state, req, query.0).await
}

/// L1 under the reference's legacy path `/public_api/public_links`.
#[utoipa::path(tag = "public", params(PublicLinksQuery),
    responses((status = 200, body = PublicLinksResponse), (status = 400, description = "`{\"missing\": \"territory\"}`"),
        (status = 404, body = rdv_shared::dto::NotFoundError), (status = 429, body = rdv_shared::dto::MessagesError)))]
#[get("/public_links")]
pub async fn list_public_links_legacy(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: ApiQuery<PublicLinksQuery>,
) -> ApiResult<HttpResponse> {
    public_links_answer(state, req, query.0).await
}

async fn public_links_answer(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: PublicLinksQuery,
) -> ApiResult<HttpResponse> {
    super::public_limit(&state, &req).await?;
    let Some(territory) = query.territory.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()) else {
        return Ok(HttpResponse::BadRequest().json(serde_json::json!({"missing": "territory"})));
    };
    let base = state.config.public_url.clone();
    let body = super::with_conn(&state, move |conn| public_links::list(conn, &territory, &base, Utc::now())).await?;
    Ok(HttpResponse::Ok().json(body))
}
