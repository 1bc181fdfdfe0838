//! HTTP handlers, one module per resource. A handler is short: authenticate (extractor) →
//! load the facts and ask `rdv_shared::access` → database work in `web::block` → typed response.
//! Each is described with `#[utoipa::path]`; its function name is its operation id.

pub mod absences;
pub mod agenda;
pub mod agenda_grants;
pub mod agenda_support;
pub mod agent_admin;
pub mod agents;
pub mod auth;
pub mod creneaux;
pub mod docs;
pub mod health;
pub mod invitations;
pub mod lieux;
pub mod me;
pub mod motifs;
pub mod organisations;
pub mod participations;
pub mod plages;
pub mod public_booking;
pub mod public_search;
pub mod rdv_checks;
pub mod rdv_lists;
pub mod rdv_render;
pub mod rdvs;
pub mod sectorisation_test;
pub mod sectors;
pub mod teams;
pub mod territories;
pub mod usager_context;
pub mod user_imports;
pub mod user_links;
pub mod users;
pub mod users_extra;
pub mod versions;
pub mod viewer;

use actix_web::web;

use crate::db::PooledConn;
use crate::error::ApiError;

/// Runs `f` with a pooled connection on the blocking thread pool.
pub async fn with_conn<T, F>(state: &web::Data<crate::app::AppState>, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut PooledConn) -> Result<T, ApiError> + Send + 'static,
{
    let pool = state.pool.clone();
    web::block(move || {
        let mut conn = pool.get()?;
        f(&mut conn)
    })
    .await?
}

/// `page` query parameter shared by list endpoints.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page number, from 1 (100 items a page).
    pub page: Option<i64>,
}

/// The organisation named in a path (404 when unknown) and the signed-in agent's access facts.
pub fn organisation_and_actor(
    conn: &mut crate::db::DbConn,
    organisation_id: i32,
    agent_id: i32,
) -> Result<(crate::db::models::organisation::OrganisationRow, rdv_shared::access::Actor), ApiError> {
    let org =
        crate::db::models::organisation::find(conn, organisation_id)?.ok_or(ApiError::NotFound("organisation"))?;
    let actor = crate::db::models::agent::facts(conn, agent_id)?;
    Ok((org, actor))
}
