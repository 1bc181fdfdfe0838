//! The public booking search, no account: motifs at an address, their lieux, their slots.
//! The use cases are `services::public_search`; these handlers add the per-IP limit (429 +
//! Retry-After) and resolve the address (geocoding a typed one).

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::Utc;
use rdv_shared::dto::{PublicCreneauxResponse, PublicLieuxResponse, PublicMotifsResponse};

use super::public_limit;
use crate::error::ApiResult;
use crate::extract::ApiQuery;
use crate::services::invited_search::{resolve_place, InvitationParams, InvitationQuery};
use crate::services::public_search::{self, LieuxQuery, PlaceQuery, PublicCreneauxQuery};
use crate::state::AppState;

/// Motifs bookable online at an address (with an `invitation_token`, also those bookable by
/// invited usagers, narrowed by the link's filters).
#[utoipa::path(tag = "public", params(PlaceQuery, InvitationQuery,
        ("lieu_id" = Option<i32>, Query, description = "Invitation: only this lieu"),
        ("organisation_ids[]" = Option<Vec<i32>>, Query, description = "Invitation: only these organisations"),
        ("referent_ids[]" = Option<Vec<i32>>, Query, description = "Invitation: only these agents")),
    responses((status = 200, body = PublicMotifsResponse), (status = 422, body = rdv_shared::dto::ValidationError), (status = 429, body = rdv_shared::dto::MessagesError)))]
#[get("/public/motifs")]
pub async fn list_public_motifs(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: ApiQuery<PlaceQuery>,
    invitation: ApiQuery<InvitationQuery>,
) -> ApiResult<HttpResponse> {
    public_limit(&state, &req).await?;
    let params = InvitationParams::read(&req, invitation.0)?;
    let (place, public) =
        resolve_place(&state, &query.0, params.invited(), params.query.departement.as_deref()).await?;
    let body = super::with_conn(&state, move |conn| {
        let inv = params.load(conn)?;
        public_search::motifs_at(conn, place.as_ref(), inv.as_ref(), public, Utc::now())
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// Lieux (or organisations, for motifs without lieu) offering a motif at an address, with their
/// next availability: sorted by distance when coordinates are known, else by date.
#[utoipa::path(tag = "public", params(PlaceQuery, LieuxQuery, InvitationQuery,
        ("lieu_id" = Option<i32>, Query, description = "Invitation: only this lieu"),
        ("organisation_ids[]" = Option<Vec<i32>>, Query, description = "Invitation: only these organisations"),
        ("referent_ids[]" = Option<Vec<i32>>, Query, description = "Invitation: only these agents")),
    responses((status = 200, body = PublicLieuxResponse), (status = 422, body = rdv_shared::dto::ValidationError), (status = 429, body = rdv_shared::dto::MessagesError)))]
#[get("/public/lieux")]
pub async fn list_public_lieux(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: ApiQuery<PlaceQuery>,
    key: ApiQuery<LieuxQuery>,
    invitation: ApiQuery<InvitationQuery>,
) -> ApiResult<HttpResponse> {
    public_limit(&state, &req).await?;
    let params = InvitationParams::read(&req, invitation.0)?;
    let (place, public) =
        resolve_place(&state, &query.0, params.invited(), params.query.departement.as_deref()).await?;
    let key = key.0.motif_key;
    let body = super::with_conn(&state, move |conn| {
        let inv = params.load(conn)?;
        public_search::lieux_at(conn, (place.as_ref(), inv.as_ref()), public, &key, Utc::now())
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// Free slots of one motif at one lieu for the public.
#[utoipa::path(tag = "public", params(PlaceQuery, PublicCreneauxQuery, InvitationQuery,
        ("organisation_ids[]" = Option<Vec<i32>>, Query, description = "Invitation: only these organisations"),
        ("referent_ids[]" = Option<Vec<i32>>, Query, description = "Invitation: only these agents")),
    responses((status = 200, body = PublicCreneauxResponse), (status = 404, body = rdv_shared::dto::NotFoundError), (status = 422, body = rdv_shared::dto::ValidationError), (status = 429, body = rdv_shared::dto::MessagesError)))]
#[get("/public/creneaux")]
pub async fn list_public_creneaux(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: ApiQuery<PlaceQuery>,
    window: ApiQuery<PublicCreneauxQuery>,
    invitation: ApiQuery<InvitationQuery>,
) -> ApiResult<HttpResponse> {
    public_limit(&state, &req).await?;
    let params = InvitationParams::read(&req, invitation.0)?;
    let (place, _) = resolve_place(&state, &query.0, params.invited(), params.query.departement.as_deref()).await?;
    let w = window.0;
    let body = super::with_conn(&state, move |conn| {
        let inv = params.load(conn)?;
        public_search::creneaux_at(conn, (place.as_ref(), inv.as_ref()), &w, Utc::now())
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}
