//! "Test de sectorisation" for territorial admins (reference-domain.md §8.3, tool
//! `sectorisation_tests_controller.rb`): for an address (INSEE code and optional BAN street,
//! or a typed address through the geocoder), the territory's zones and sectors it falls in
//! and, motif by motif, whether it is offered there and to which agents. The same pure rules
//! as the public search (`rdv_shared::sectorisation`), so what the tool says is what usagers get.

use actix_web::{get, web, HttpResponse};
use rdv_shared::dto::SectorisationTestResponse;

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::extract::ApiQuery;
use crate::services::public_search::{resolve, PlaceQuery};
use crate::services::sectors::{self, territory_for};
use crate::state::AppState;

/// What an address gets in the territory: matching zones and sectors, and every motif that is
/// not reserved to agents, with whether it is offered there.
#[utoipa::path(tag = "sectors", params(("id" = i32, Path), PlaceQuery),
    responses((status = 200, body = SectorisationTestResponse),
        (status = 403, body = rdv_shared::dto::ForbiddenError), (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError)))]
#[get("/territories/{id}/sectorisation_test")]
pub async fn test_sectorisation(
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<i32>,
    query: ApiQuery<PlaceQuery>,
) -> ApiResult<HttpResponse> {
    let id = path.into_inner();
    let check = auth.agent.id;
    super::with_conn(&state, move |conn| territory_for(conn, check, id, true).map(|_| ())).await?;
    let (place, public) = resolve(&state, &query.0).await?;
    let body = super::with_conn(&state, move |conn| sectors::test_sectorisation(conn, id, &place, public)).await?;
    Ok(HttpResponse::Ok().json(body))
}
