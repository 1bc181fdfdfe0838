//! What every usager endpoint loads first: the caller's facts, the organisations of its
//! territories with their settings, and from them (through `rdv_shared::access`) the scope of
//! usagers seen in full and the wider scope found masked. Also the rendering of a usager for
//! this caller (only the fields its territories enable).

use std::collections::HashMap;

use diesel::prelude::*;

use rdv_shared::access::{self, Actor, OrgScope};
use rdv_shared::dto::{self, TerritorySettings};
use rdv_shared::usager::fields::FieldToggles;
use rdv_shared::{OrganisationId, TerritoryId};

use crate::db::models::territory::TerritoryRow;
use crate::db::models::user::{self, UserRow};
use crate::db::models::{agent, organisation, user_links};
use crate::db::schema::{agents, organisations, territories};
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};

pub struct UsagerContext {
    pub actor: Actor,
    /// Organisations whose usagers the caller sees in full.
    pub scope: Vec<i32>,
    /// Organisations whose usagers the caller may find masked (its territories).
    pub masked: Vec<i32>,
    settings: HashMap<i32, TerritorySettings>,
}

impl UsagerContext {
    pub fn load(conn: &mut DbConn, agent_id: i32, current: Option<i32>) -> ApiResult<Self> {
        let actor = agent::facts(conn, agent_id)?;
        let territory_ids: Vec<i32> = actor.memberships.iter().map(|m| m.territory_id.0).collect();
        let rows: Vec<(i32, TerritoryRow)> = organisations::table
            .inner_join(territories::table)
            .filter(organisations::territory_id.eq_any(&territory_ids))
            .select((organisations::id, TerritoryRow::as_select()))
            .load(conn)?;
        let orgs: Vec<OrgScope> = rows
            .iter()
            .map(|(id, t)| OrgScope {
                organisation_id: OrganisationId(*id),
                territory_id: TerritoryId(t.id),
                users_shared_in_territory: t.visible_users_throughout_the_territory,
            })
            .collect();
        let ids = |v: Vec<OrganisationId>| v.into_iter().map(|o| o.0).collect::<Vec<_>>();
        let scope = ids(access::usager_scope(&actor, current.map(OrganisationId), &orgs));
        let masked = ids(access::usager_masked_scope(&actor, &orgs));
        let settings = rows.into_iter().map(|(id, t)| (id, t.settings())).collect();
        Ok(UsagerContext { actor, scope, masked, settings })
    }

    pub fn sees(&self, usager_orgs: &[i32]) -> bool {
        usager_orgs.iter().any(|o| self.scope.contains(o))
    }

    pub fn finds_masked(&self, usager_orgs: &[i32]) -> bool {
        usager_orgs.iter().any(|o| self.masked.contains(o))
    }

    /// Field toggles for a usager of these organisations, as this caller sees it.
    pub fn toggles(&self, usager_orgs: &[i32]) -> FieldToggles {
        FieldToggles::from_settings(
            usager_orgs.iter().filter(|o| self.scope.contains(o)).filter_map(|o| self.settings.get(o)),
        )
    }

    pub fn org_ids(v: &[OrganisationId]) -> Vec<i32> {
        v.iter().map(|o| o.0).collect()
    }

    pub fn typed(v: &[i32]) -> Vec<OrganisationId> {
        v.iter().copied().map(OrganisationId).collect()
    }
}

/// A live usager the caller sees in full, with its organisations: 404 `{"not_found": "user"}`
/// when unknown or anonymised, 403 when outside the caller's scope (as the reference).
pub fn visible_user(conn: &mut DbConn, ctx: &UsagerContext, id: i32) -> ApiResult<(UserRow, Vec<i32>)> {
    let row = user::find(conn, id)?.ok_or(ApiError::NotFound("user"))?;
    let orgs = user::organisation_ids(conn, id)?;
    if !ctx.sees(&orgs) {
        return Err(ApiError::forbidden());
    }
    Ok((row, orgs))
}

/// Renders usagers for lists (show-only parts null), in one pass for the page.
pub fn render_list(conn: &mut DbConn, ctx: &UsagerContext, rows: &[UserRow]) -> ApiResult<Vec<dto::User>> {
    let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
    let orgs = user::organisation_ids_of(conn, &ids)?;
    let responsible_ids: Vec<i32> = rows.iter().filter_map(|r| r.responsible_id).collect();
    let responsibles: HashMap<i32, UserRow> =
        user::find_many(conn, &responsible_ids)?.into_iter().map(|r| (r.id, r)).collect();
    Ok(rows
        .iter()
        .map(|r| {
            let toggles = ctx.toggles(orgs.get(&r.id).map(Vec::as_slice).unwrap_or(&[]));
            r.to_dto(&toggles, r.responsible_id.and_then(|id| responsibles.get(&id)))
        })
        .collect())
}

/// Renders one usager without show-only parts (create, update, nested answers).
pub fn render(conn: &mut DbConn, ctx: &UsagerContext, row: &UserRow) -> ApiResult<dto::User> {
    Ok(render_list(conn, ctx, std::slice::from_ref(row))?.remove(0))
}

/// Renders the show answer: profiles restricted to `within` (or to the caller's scope),
/// referents and relatives.
pub fn render_show(
    conn: &mut DbConn,
    ctx: &UsagerContext,
    row: &UserRow,
    orgs: &[i32],
    within: Option<i32>,
) -> ApiResult<dto::User> {
    let mut out = render(conn, ctx, row)?;
    let shown: Vec<i32> =
        orgs.iter().copied().filter(|o| ctx.scope.contains(o) && within.is_none_or(|w| w == *o)).collect();
    let mut profiles = Vec::new();
    for org in shown {
        if let Some(o) = organisation::find(conn, org)? {
            profiles.push(dto::UserProfileOrganisation { organisation: o.to_dto() });
        }
    }
    out.user_profiles = Some(profiles);
    let referent_ids = user_links::referent_ids(conn, row.id)?;
    let referents: Vec<agent::AgentRow> = agents::table
        .filter(agents::id.eq_any(&referent_ids))
        .order((agents::last_name, agents::id))
        .select(agent::AgentRow::as_select())
        .load(conn)?;
    out.referent_agents = Some(referents.iter().map(|a| a.to_dto()).collect());
    out.relatives = Some(user_links::relatives(conn, row.id)?.iter().map(|r| r.summary(false)).collect());
    Ok(out)
}
