//! "Test de sectorisation" for territorial admins (reference-domain.md §8.3, tool
//! `sectorisation_tests_controller.rb`): for an address (INSEE code and optional BAN street,
//! or a typed address through the geocoder), the territory's zones and sectors it falls in
//! and, motif by motif, whether it is offered there and to which agents. The same pure rules
//! as the public search (`rdv_shared::sectorisation`), so what the tool says is what usagers get.

use std::collections::BTreeSet;

use actix_web::{get, web, HttpResponse};
use diesel::prelude::*;

use rdv_shared::dto::{SectorisationTestMotif, SectorisationTestResponse};
use rdv_shared::enums::SectorisationLevel;
use rdv_shared::sectorisation::{bookable_agents, zone_matches};
use rdv_shared::OrganisationId;

use super::agenda_support::agents_by_id;
use super::public_search::{resolve, PlaceQuery};
use super::sectors::territory_for;
use crate::app::AppState;
use crate::auth::Authenticated;
use crate::db::models::motif::MotifRow;
use crate::db::models::sector::{self, AttributionRow, ZoneRow};
use crate::db::schema::{motifs, organisations, sector_attributions, zones};
use crate::error::ApiResult;
use crate::extract::ApiQuery;

/// What an address gets in the territory: matching zones and sectors, and every motif that is
/// not reserved to agents, with whether it is offered there.
#[utoipa::path(tag = "sectors", params(("id" = i32, Path), PlaceQuery),
    responses((status = 200, body = SectorisationTestResponse), (status = 401, body = rdv_shared::dto::MessagesError),
        (status = 403, body = rdv_shared::dto::ForbiddenError), (status = 404, body = rdv_shared::dto::NotFoundError),
        (status = 422, body = rdv_shared::dto::ValidationError)),
    security(("bearer" = []), ("access_token" = [], "client" = [], "uid" = [])))]
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
    let body = super::with_conn(&state, move |conn| {
        let sector_rows = sector::of_territory(conn, id)?;
        let sector_ids: Vec<i32> = sector_rows.iter().map(|s| s.id).collect();
        let zone_rows: Vec<ZoneRow> = zones::table
            .filter(zones::sector_id.eq_any(&sector_ids))
            .filter(zones::city_code.eq(&place.city_code))
            .order((zones::sector_id, zones::street_name, zones::id))
            .select(ZoneRow::as_select())
            .load(conn)?;
        let matched: Vec<&ZoneRow> = zone_rows.iter().filter(|z| zone_matches(&z.facts(), &place)).collect();
        let matched_sectors: BTreeSet<i32> = matched.iter().map(|z| z.sector_id).collect();
        let attributions: Vec<AttributionRow> = sector_attributions::table
            .filter(sector_attributions::sector_id.eq_any(matched_sectors.iter().copied().collect::<Vec<_>>()))
            .select(AttributionRow::as_select())
            .load(conn)?;
        let facts: Vec<_> = attributions.iter().map(AttributionRow::facts).collect();
        let orgs: Vec<(i32, String)> = organisations::table
            .filter(organisations::territory_id.eq(id))
            .select((organisations::id, organisations::name))
            .load(conn)?;
        let motif_rows: Vec<MotifRow> = motifs::table
            .filter(motifs::organisation_id.eq_any(orgs.iter().map(|o| o.0).collect::<Vec<_>>()))
            .filter(motifs::deleted_at.is_null())
            .filter(motifs::bookable_by.ne("agents"))
            .order((motifs::organisation_id, motifs::name))
            .select(MotifRow::as_select())
            .load(conn)?;
        let agent_ids: Vec<i32> = facts.iter().filter_map(|a| a.agent_id).collect();
        let agent_rows = agents_by_id(conn, &agent_ids)?;
        let motifs = motif_rows
            .iter()
            .map(|m| {
                let level =
                    SectorisationLevel::parse(&m.sectorisation_level).unwrap_or(SectorisationLevel::Departement);
                let agents = bookable_agents(level, m.organisation_id, &facts);
                SectorisationTestMotif {
                    motif_id: m.id,
                    name: m.name.clone(),
                    organisation_id: OrganisationId(m.organisation_id),
                    organisation_name: orgs
                        .iter()
                        .find(|o| o.0 == m.organisation_id)
                        .map(|o| o.1.clone())
                        .unwrap_or_default(),
                    sectorisation_level: level,
                    offered: agents.as_ref().is_none_or(|a| !a.is_empty()),
                    agents: agents
                        .filter(|_| level == SectorisationLevel::Agent)
                        .map(|list| list.iter().filter_map(|a| agent_rows.get(a)).map(|a| a.to_dto()).collect()),
                }
            })
            .collect();
        let sectors_matched: Vec<_> = sector_rows.into_iter().filter(|s| matched_sectors.contains(&s.id)).collect();
        Ok(SectorisationTestResponse {
            place: public,
            zones: matched.iter().map(|z| z.to_dto()).collect(),
            sectors: sector::render(conn, &sectors_matched)?,
            motifs,
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}
