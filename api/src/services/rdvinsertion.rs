//! rdv-insertion's namespace (`/api/rdvinsertion/…`, reference-api-v1.md §3.13, §6): bulk
//! profiles and referents, the usager with all its rdv-insertion profiles, motif categories and
//! their territories, and whether an invitation link would offer a slot (I1, in
//! `invited_search`). Only organisations of the `rdv_insertion` verticale take part, as the
//! reference. Writes go through the usual models, so they are audited and announced to webhooks.

use rdv_shared::dto::{
    CreateMotifCategoryRequest, CreateMotifCategoryTerritoryRequest, MotifCategoryResponse, TerritoryCategories,
    TerritoryCategoriesResponse, UserProfileOrganisation, UserResponse,
};

use crate::db::models::agent::AgentRow;
use crate::db::models::{agent, motif_category, organisation, territory, user, user_links};
use crate::db::{write_tx, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::services::usagers::{render, UsagerContext};

const VERTICALE: &str = "rdv_insertion";

fn live_user(conn: &mut DbConn, id: i32) -> ApiResult<user::UserRow> {
    user::find(conn, id)?.filter(|u| u.deleted_at.is_none()).ok_or(ApiError::NotFound("user"))
}

/// The rdv-insertion organisations among `ids`.
fn insertion_organisations(conn: &mut DbConn, ids: &[i32]) -> ApiResult<Vec<i32>> {
    Ok(organisation::with_departements(conn, ids)?
        .into_iter()
        .filter(|(o, _)| o.verticale == VERTICALE)
        .map(|(o, _)| o.id)
        .collect())
}

/// I2: links the usager (and its family cell) to the given rdv-insertion organisations;
/// idempotent.
pub fn create_user_profiles(conn: &mut DbConn, caller: &AgentRow, user_id: i32, org_ids: &[i32]) -> ApiResult<()> {
    let row = live_user(conn, user_id)?;
    let orgs = insertion_organisations(conn, org_ids)?;
    let author = caller.author();
    write_tx(conn, |c| Ok::<_, ApiError>(user_links::attach(c, &author, &row, &orgs).map(|_| ())?))
}

/// I3: makes the agents referents of the usager, those having a role in an rdv-insertion
/// organisation only; idempotent.
pub fn create_referent_assignations(
    conn: &mut DbConn,
    caller: &AgentRow,
    user_id: i32,
    agent_ids: &[i32],
) -> ApiResult<()> {
    let row = live_user(conn, user_id)?;
    let mut referents = Vec::new();
    for id in agent_ids {
        let Some(a) = agent::find(conn, *id)?.filter(|a| a.deleted_at.is_none()) else { continue };
        let orgs = agent::organisation_ids(conn, a.id)?;
        if !insertion_organisations(conn, &orgs)?.is_empty() {
            referents.push(a.id);
        }
    }
    let author = caller.author();
    write_tx(conn, |c| {
        for a in &referents {
            user_links::add_referent(c, &author, row.id, *a)?;
        }
        Ok::<_, ApiError>(())
    })
}

/// I4: the usager with its profiles in every rdv-insertion organisation (not only the
/// caller's); 403 when the caller shares no organisation with it.
pub fn get_user(conn: &mut DbConn, caller: &AgentRow, user_id: i32) -> ApiResult<UserResponse> {
    let row = live_user(conn, user_id)?;
    let orgs = user::organisation_ids(conn, row.id)?;
    let mine = agent::organisation_ids(conn, caller.id)?;
    if !orgs.iter().any(|o| mine.contains(o)) {
        return Err(ApiError::forbidden());
    }
    let ctx = UsagerContext::load(conn, caller.id, None)?;
    let mut out = render(conn, &ctx, &row)?;
    let mut profiles = Vec::new();
    for id in insertion_organisations(conn, &orgs)? {
        if let Some(o) = organisation::find(conn, id)? {
            profiles.push(UserProfileOrganisation { organisation: o.to_dto() });
        }
    }
    out.user_profiles = Some(profiles);
    Ok(UserResponse { user: out })
}

/// I5: a new motif category; 422 `taken` when the short name exists.
pub fn create_motif_category(
    conn: &mut DbConn,
    caller: &AgentRow,
    req: CreateMotifCategoryRequest,
) -> ApiResult<MotifCategoryResponse> {
    let (name, short) = (req.name.trim().to_owned(), req.short_name.trim().to_owned());
    let mut errors = rdv_shared::validation::Errors::default();
    if name.is_empty() {
        errors.add("name", "blank");
    }
    if short.is_empty() {
        errors.add("short_name", "blank");
    } else if motif_category::by_short_name(conn, &short)?.is_some() {
        errors.add("short_name", "taken");
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let author = caller.author();
    let row = write_tx(conn, |c| Ok::<_, ApiError>(motif_category::create(c, &author, &name, &short)?))?;
    Ok(MotifCategoryResponse { motif_category: row.to_dto() })
}

/// I6: enables a category on the organisation's territory (idempotent) and answers the
/// territory with its categories.
pub fn create_motif_category_territory(
    conn: &mut DbConn,
    caller: &AgentRow,
    req: CreateMotifCategoryTerritoryRequest,
) -> ApiResult<TerritoryCategoriesResponse> {
    let org = organisation::find(conn, req.organisation_id)?.ok_or(ApiError::NotFound("organisation"))?;
    let category = motif_category::by_short_name(conn, req.motif_category_short_name.trim())?
        .ok_or(ApiError::NotFound("motif_category"))?;
    let t = territory::find(conn, org.territory_id)?.ok_or(ApiError::NotFound("territory"))?;
    let author = caller.author();
    write_tx(conn, |c| Ok::<_, ApiError>(motif_category::enable(c, &author, category.id, t.id)?))?;
    let motif_categories = motif_category::of_territory(conn, t.id)?.iter().map(|c| c.to_dto()).collect();
    Ok(TerritoryCategoriesResponse {
        territory: TerritoryCategories {
            id: t.id,
            departement_number: t.departement_number,
            motif_categories,
            name: t.name,
        },
    })
}
