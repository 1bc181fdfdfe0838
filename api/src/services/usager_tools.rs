//! Everyday usager tools: search as you type, duplicate candidates, merging two records, and
//! the RGPD export of one usager.

use rdv_shared::access::can_audit_usager;
use rdv_shared::dto::{
    DuplicateCandidate, DuplicateReason, DuplicatesRequest, DuplicatesResponse, MergeUsersRequest, UserExport,
    UserSearchResponse, MERGEABLE_FIELDS,
};
use rdv_shared::usager::search::Query;
use rdv_shared::usager::{identity_key, phone_e164};
use rdv_shared::validation::Errors;
use serde::Deserialize;

use crate::db::models::agent::AgentRow;
use crate::db::models::user::UserRow;
use crate::db::models::{organisation, user, user_links, user_search};
use crate::db::{write_tx, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::extract::Body;
use crate::services::usagers::{render_show, visible_user, UsagerContext};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchUsersQuery {
    /// What the agent typed: names, e-mail, phone in any format, or an id.
    pub q: String,
    /// The organisation the agent works in (its scope; default: all the agent's organisations).
    pub organisation_id: Option<i32>,
    /// How many usagers of the scope to return (default 20, at most 50).
    pub limit: Option<i64>,
}

/// Duplicate candidates of `u` among the usagers of the caller's territories: same phone (except
/// members of its own family cell, who often share a phone), or same names and birth date.
/// Candidates outside the caller's scope are masked.
pub fn duplicates_of(
    conn: &mut DbConn,
    ctx: &UsagerContext,
    u: &UserRow,
    by_phone: bool,
    by_identity: bool,
) -> ApiResult<Vec<DuplicateCandidate>> {
    let phone = u.phone_number_formatted.as_deref().filter(|_| by_phone);
    let key = u.identity_key.as_deref().filter(|_| by_identity);
    let cell = user_links::cell(conn, u)?;
    candidates(conn, ctx, phone, key, Some(u.id), &cell)
}

pub fn candidates(
    conn: &mut DbConn,
    ctx: &UsagerContext,
    phone: Option<&str>,
    key: Option<&str>,
    except: Option<i32>,
    cell: &[i32],
) -> ApiResult<Vec<DuplicateCandidate>> {
    let rows = user_search::duplicates(conn, phone, key, except)?;
    let orgs = user::organisation_ids_of(conn, &rows.iter().map(|r| r.id).collect::<Vec<_>>())?;
    let mut out = Vec::new();
    for r in rows {
        let r_orgs = orgs.get(&r.id).map(Vec::as_slice).unwrap_or(&[]);
        if !ctx.finds_masked(r_orgs) {
            continue;
        }
        let mut reasons = Vec::new();
        if phone.is_some() && r.phone_number_formatted.as_deref() == phone && !cell.contains(&r.id) {
            reasons.push(DuplicateReason::Phone);
        }
        if key.is_some() && r.identity_key.as_deref() == key {
            reasons.push(DuplicateReason::Identity);
        }
        if !reasons.is_empty() {
            out.push(DuplicateCandidate { user: r.summary(!ctx.sees(r_orgs)), reasons });
        }
    }
    Ok(out)
}

/// As-you-type usager search: ranked matches of the caller's scope in full, then up to 10
/// matches of the other organisations of its territories, masked (birth date, phone and e-mail
/// partially hidden, reference-domain.md §2.6); attach one with `POST /user_profiles`.
pub fn search_users(
    conn: &mut DbConn,
    caller: &AgentRow,
    query: SearchUsersQuery,
    limit: i64,
) -> ApiResult<rdv_shared::dto::UserSearchResponse> {
    let ctx = UsagerContext::load(conn, caller.id, query.organisation_id)?;
    let Some(q) = Query::parse(&query.q) else {
        return Ok(UserSearchResponse { users: vec![], other_users: vec![] });
    };
    let (rows, _) = user_search::search(conn, &ctx.scope, &q, limit, false)?;
    let others: Vec<i32> = ctx.masked.iter().copied().filter(|o| !ctx.scope.contains(o)).collect();
    let (other_rows, _) =
        if others.is_empty() { (vec![], 0) } else { user_search::search(conn, &others, &q, 10, false)? };
    let shown: Vec<i32> = rows.iter().map(|r| r.id).collect();
    Ok(UserSearchResponse {
        users: rows.iter().map(|r| r.summary(false)).collect(),
        // A usager of both scopes is already listed in full.
        other_users: other_rows.iter().filter(|r| !shown.contains(&r.id)).map(|r| r.summary(true)).collect(),
    })
}

/// Would these values duplicate an existing usager? The SPA asks while the form is filled in,
/// before creating; the same warnings come back with the create and update answers.
pub fn list_user_duplicates(
    conn: &mut DbConn,
    caller: &AgentRow,
    req: DuplicatesRequest,
) -> ApiResult<rdv_shared::dto::DuplicatesResponse> {
    let ctx = UsagerContext::load(conn, caller.id, None)?;
    let phone = req.phone_number.as_deref().and_then(|p| phone_e164(p).ok());
    let key =
        identity_key(req.first_name.as_deref().unwrap_or(""), req.last_name.as_deref().unwrap_or(""), req.birth_date)
            .filter(|_| req.first_name.is_some() && req.last_name.is_some());
    let cell = match req.user_id.map(|id| user::find(conn, id.0)).transpose()?.flatten() {
        Some(u) => user_links::cell(conn, &u)?,
        None => vec![],
    };
    let duplicates = candidates(conn, &ctx, phone.as_deref(), key.as_deref(), req.user_id.map(|u| u.0), &cell)?;
    Ok(DuplicatesResponse { duplicates })
}

/// Merges `merged_user_id` into this usager ("Fusionner deux usagers"): chosen fields are taken
/// from the merged record, its organisations, referents and relatives move here, then it is
/// anonymised. Both must be visible to the caller. Audited.
pub fn merge_users(
    conn: &mut DbConn,
    caller: &AgentRow,
    id: i32,
    req: Body<MergeUsersRequest>,
) -> ApiResult<rdv_shared::dto::User> {
    let ctx = UsagerContext::load(conn, caller.id, None)?;
    let (kept, _) = visible_user(conn, &ctx, id)?;
    let req = req.parse()?;
    let (merged, _) = visible_user(conn, &ctx, req.merged_user_id.0)?;
    let mut errors = Errors::default();
    if kept.id == merged.id {
        errors.add("merged_user_id", "invalid");
    }
    if req.keep_from_merged.iter().any(|f| !MERGEABLE_FIELDS.contains(&f.as_str())) {
        errors.add("keep_from_merged", "inclusion");
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let author = caller.author();
    let after =
        write_tx(conn, |c| Ok::<_, ApiError>(user_links::merge(c, &author, &kept, &merged, &req.keep_from_merged)?))?;
    let orgs = user::organisation_ids(conn, after.id)?;
    render_show(conn, &ctx, &after, &orgs, None)
}

/// RGPD: everything held on one usager, every field whatever the toggles, with its audit trail
/// (admins of one of its organisations).
pub fn export_user(conn: &mut DbConn, caller: &AgentRow, id: i32) -> ApiResult<rdv_shared::dto::UserExport> {
    let ctx = UsagerContext::load(conn, caller.id, None)?;
    let (row, orgs) = visible_user(conn, &ctx, id)?;
    if !can_audit_usager(&ctx.actor, &UsagerContext::typed(&orgs)) {
        return Err(ApiError::forbidden());
    }
    let all = rdv_shared::usager::fields::FieldToggles::ALL;
    let responsible = row.responsible_id.map(|r| user::find(conn, r)).transpose()?.flatten();
    let mut user = render_show(conn, &ctx, &row, &orgs, None)?;
    let full = row.to_dto(&all, responsible.as_ref());
    user = rdv_shared::dto::User {
        referent_agents: user.referent_agents.take(),
        relatives: user.relatives.take(),
        user_profiles: None,
        ..full
    };
    let mut organisations = Vec::new();
    for o in &orgs {
        if let Some(org) = organisation::find(conn, *o)? {
            organisations.push(org.to_dto());
        }
    }
    let mut versions = Vec::new();
    for page in 1.. {
        let (batch, total) = super::versions::load(conn, "User", id, "Europe/Paris", page)?;
        let done = batch.is_empty() || versions.len() + batch.len() >= usize::try_from(total).unwrap_or(0);
        versions.extend(batch);
        if done {
            break;
        }
    }
    let rdvs = export_rdvs(conn, caller, id)?;
    let notifications = super::notifications::readable_user_receipts(conn, caller, id)?;
    Ok(UserExport {
        rdvs,
        notifications,
        exported_at: chrono::Utc::now(),
        referent_agents: user.referent_agents.clone().unwrap_or_default(),
        relatives: user.relatives.clone().unwrap_or_default(),
        user,
        organisations,
        versions,
    })
}

/// The usager's RDVs the caller may read, newest first, each reduced to this usager's own
/// participation.
fn export_rdvs(conn: &mut DbConn, caller: &AgentRow, id: i32) -> ApiResult<Vec<rdv_shared::dto::Rdv>> {
    let readable = super::rdv_lists::readable_user_rdvs(conn, caller, id)?;
    let mut rdvs = super::rdv_render::render(conn, &readable, chrono::Utc::now())?;
    for r in &mut rdvs {
        r.participations.retain(|p| p.user.id == rdv_shared::UserId(id));
        r.users.retain(|u| u.id == rdv_shared::UserId(id));
    }
    Ok(rdvs)
}
