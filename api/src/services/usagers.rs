//! What every usager endpoint loads first: the caller's facts, the organisations of its
//! territories with their settings, and from them (through `rdv_shared::access`) the scope of
//! usagers seen in full and the wider scope found masked. Also the rendering of a usager for
//! this caller (only the fields its territories enable).

use std::collections::HashMap;

use rdv_shared::access::{can_assign_referent, can_attach_usager, can_create_usager_in, Actor, OrgScope};
use rdv_shared::dto::{TerritorySettings, UserInput, UserWriteResponse, UsersResponse};
use rdv_shared::pagination::Meta;
use rdv_shared::usager::fields::FieldToggles;
use rdv_shared::usager::search::Query;
use rdv_shared::validation::{Errors, FieldError};
use rdv_shared::{access, dto, OrganisationId, TerritoryId};
use serde::Deserialize;

use crate::db::models::agent::AgentRow;
use crate::db::models::user::{UserRow, UserValues};
use crate::db::models::{agent, organisation, user, user_links, user_search};
use crate::db::{write_tx, DbConn};
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
        let rows = organisation::with_territories(conn, &territory_ids)?;
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

/// Logs a read of usager `id` (of `orgs`) when the caller is in none of its organisations
/// (`access::is_cross_organisation_read`): its admins see who outside them read what.
pub fn note_read(conn: &mut DbConn, ctx: &UsagerContext, id: i32, orgs: &[i32], action: &str) -> ApiResult<()> {
    let Some(agent_id) = ctx.actor.agent_id else { return Ok(()) };
    if access::is_cross_organisation_read(&ctx.actor, &UsagerContext::typed(orgs)) {
        let now = crate::db::now_utc();
        write_tx(conn, |c| crate::db::models::usager_read::record(c, id, agent_id.0, action, now))?;
    }
    Ok(())
}

/// The logged reads of a usager by agents of other organisations, newest first (admins of one
/// of its organisations, as its history).
pub fn list_reads(
    conn: &mut DbConn,
    caller: &AgentRow,
    id: i32,
    page: i64,
) -> ApiResult<rdv_shared::dto::UsagerReadsResponse> {
    let ctx = UsagerContext::load(conn, caller.id, None)?;
    let (_, orgs) = visible_user(conn, &ctx, id)?;
    if !access::can_audit_usager(&ctx.actor, &UsagerContext::typed(&orgs)) {
        return Err(ApiError::forbidden());
    }
    let per_page = rdv_shared::pagination::PER_PAGE;
    let (rows, total) =
        crate::db::models::usager_read::page_of(conn, id, per_page, rdv_shared::pagination::offset(page))?;
    let usager_reads = rows
        .into_iter()
        .map(|(agent_id, first, last, action, at)| rdv_shared::dto::UsagerRead {
            agent_id: rdv_shared::AgentId(agent_id),
            agent_name: format!("{} {last}", first.unwrap_or_default()).trim().to_owned(),
            action,
            read_at: at.and_utc(),
        })
        .collect();
    Ok(rdv_shared::dto::UsagerReadsResponse { usager_reads, meta: rdv_shared::pagination::Meta::new(page, total) })
}

/// Renders usagers for lists (show-only parts null), in one pass for the page.
fn render_list(conn: &mut DbConn, ctx: &UsagerContext, rows: &[UserRow]) -> ApiResult<Vec<dto::User>> {
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
    let referents = agent::by_last_name(conn, &referent_ids)?;
    out.referent_agents = Some(referents.iter().map(|a| a.to_dto()).collect());
    out.relatives = Some(user_links::relatives(conn, row.id)?.iter().map(|r| r.summary(false)).collect());
    Ok(out)
}

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

pub fn list(
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

/// Lists the usagers the caller sees (profiles in its organisations, or in their territories
/// where usagers are shared), by name; `ids[]` restricts to those ids, `search` ranks matches.
pub fn list_users(
    conn: &mut DbConn,
    caller: &AgentRow,
    query: ListUsersQuery,
    ids: Vec<i32>,
    page: i64,
) -> ApiResult<rdv_shared::dto::UsersResponse> {
    let ctx = UsagerContext::load(conn, caller.id, query.organisation_id)?;
    list(conn, &ctx, (!ids.is_empty()).then_some(ids.as_slice()), query.search, page)
}

/// Lists the usagers of an organisation (or of its territory where usagers are shared).
/// As the reference, a caller who is not a member gets the usagers of its own organisations.
pub fn list_organisation_users(
    conn: &mut DbConn,
    caller: &AgentRow,
    org_id: i32,
    query: ListUsersQuery,
    page: i64,
) -> ApiResult<rdv_shared::dto::UsersResponse> {
    organisation::find(conn, org_id)?.ok_or(ApiError::NotFound("organisation"))?;
    let ctx = UsagerContext::load(conn, caller.id, Some(org_id))?;
    list(conn, &ctx, None, query.search, page)
}

/// Creates a usager in the given organisations (at least one where the caller works, all in
/// its territories). Answers 200 with the usager and the duplicate warnings (same phone, or same
/// names and birth date); the same e-mail is a 422 `taken` with the existing id.
pub fn create_user(
    conn: &mut DbConn,
    caller: &AgentRow,
    input: UserInput,
) -> ApiResult<rdv_shared::dto::UserWriteResponse> {
    let org_ids = UsagerContext::org_ids(input.organisation_ids.as_deref().unwrap_or(&[]));
    if org_ids.is_empty() {
        return Err(ApiError::field("organisation_ids", "blank"));
    }
    let mut territories = Vec::new();
    for id in &org_ids {
        territories.push(organisation::find(conn, *id)?.ok_or(ApiError::NotFound("organisation"))?.territory_id);
    }
    let ctx = UsagerContext::load(conn, caller.id, None)?;
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
    let author = caller.author();
    let row = write_tx(conn, |c| -> ApiResult<UserRow> {
        let row = user::create(c, &author, &values, "agent_creation_api")?;
        user_links::attach(c, &author, &row, &org_ids)?;
        if row.responsible_id.is_some() {
            user_links::sync_cell(c, &author, &row)?;
        }
        user_links::set_referents(c, &author, row.id, &referents)?;
        Ok(row)
    })?;
    let duplicates = crate::services::usager_tools::duplicates_of(conn, &ctx, &row, true, true)?;
    Ok(UserWriteResponse { user: render(conn, &ctx, &row)?, duplicates })
}

/// Shows a usager with its organisations (those the caller sees), referents and relatives.
pub fn get_user(
    conn: &mut DbConn,
    caller: &AgentRow,
    id: i32,
    query: ShowUserQuery,
) -> ApiResult<rdv_shared::dto::User> {
    let ctx = UsagerContext::load(conn, caller.id, query.organisation_id)?;
    let (row, orgs) = visible_user(conn, &ctx, id)?;
    note_read(conn, &ctx, id, &orgs, "show")?;
    render_show(conn, &ctx, &row, &orgs, None)
}

/// Updates a usager. Absent fields are unchanged, `null` clears; `organisation_ids` and
/// `referent_agent_ids` replace their sets (organisations outside the caller's territories are
/// kept). Answers the usager and the duplicate warnings raised by the changed fields.
pub fn update_user(
    conn: &mut DbConn,
    caller: &AgentRow,
    id: i32,
    query: ShowUserQuery,
    input: UserInput,
) -> ApiResult<rdv_shared::dto::UserWriteResponse> {
    let current = input.organisation_id.map(|o| o.0).or(query.organisation_id);
    let ctx = UsagerContext::load(conn, caller.id, current)?;
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
    let author = caller.author();
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
    let duplicates = crate::services::usager_tools::duplicates_of(conn, &ctx, &after, phone_changed, identity_changed)?;
    let after = user::find(conn, id)?.ok_or(ApiError::NotFound("user"))?;
    Ok(UserWriteResponse { user: render(conn, &ctx, &after)?, duplicates })
}

/// The usager's invitation token for "prendre RDV" links sent by partner tools: 8 characters
/// A–Z0–9, generated once and reused (reference U5).
pub fn create_user_invitation_token(conn: &mut DbConn, caller: &AgentRow, id: i32) -> ApiResult<String> {
    let ctx = UsagerContext::load(conn, caller.id, None)?;
    let (row, _) = visible_user(conn, &ctx, id)?;
    let author = caller.author();
    write_tx(conn, |c| Ok(user::invitation_token(c, &author, &row)?))
}

/// Shows a usager of an organisation: 404 `organisation` for an unknown organisation, 403 when
/// the caller is not a member, 404 `user` when the usager has no profile there.
pub fn get_organisation_user(
    conn: &mut DbConn,
    caller: &AgentRow,
    org_id: i32,
    id: i32,
) -> ApiResult<rdv_shared::dto::User> {
    organisation::find(conn, org_id)?.ok_or(ApiError::NotFound("organisation"))?;
    let ctx = UsagerContext::load(conn, caller.id, Some(org_id))?;
    if !ctx.actor.is_member_of(OrganisationId(org_id)) {
        return Err(ApiError::forbidden());
    }
    let row = user::find(conn, id)?.ok_or(ApiError::NotFound("user"))?;
    let orgs = user::organisation_ids(conn, id)?;
    if !orgs.contains(&org_id) {
        return Err(ApiError::NotFound("user"));
    }
    render_show(conn, &ctx, &row, &orgs, Some(org_id))
}
