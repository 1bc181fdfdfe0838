//! Motifs of an organisation (reference-domain.md §1.5): list with filters, create, show,
//! update, soft delete, CSV export; settings validated by `rdv_shared::dto::MotifSettings`.

use rdv_shared::access::{can_export_motifs, can_manage_motifs, can_see_motif, Actor};
use rdv_shared::dto::{CreateMotifRequest, MotifResponse, MotifSettings, UpdateMotifRequest};
use rdv_shared::{OrganisationId, ServiceId};
use serde::Deserialize;

use crate::db::models::agent::AgentRow;
use crate::db::models::motif::{MotifFilter, MotifRow};
use crate::db::models::{agent, motif, organisation, service};
use crate::db::{write_tx, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::extract::Body;
use crate::services::webhook_events;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListMotifsQuery {
    /// `true`: active motifs only; `false`: deleted ones only; absent: both.
    pub active: Option<String>,
    /// `true`: bookable by everyone or invited usagers; `false`: the others.
    pub bookable_publicly: Option<String>,
    pub service_id: Option<i32>,
    /// Only motifs of this category (`rsa_orientation`…); an unknown one gives an empty list.
    pub motif_category_short_name: Option<String>,
    /// Page number, from 1.
    pub page: Option<i64>,
}

/// API v1 boolean filters: `1, t, true, on, y, yes` (any case) are true, anything else false.
fn wannabe_bool(v: &Option<String>) -> Option<bool> {
    v.as_ref().map(|s| matches!(s.trim().to_lowercase().as_str(), "1" | "t" | "true" | "on" | "y" | "yes"))
}

/// Services whose motifs the actor sees in `org` (`None`: all of them).
pub fn visible_services(actor: &Actor, org: OrganisationId) -> Option<Vec<i32>> {
    if can_see_motif(actor, org, ServiceId(-1)) {
        None // admin or secretary: a service nobody has is visible, so every service is
    } else {
        Some(actor.service_ids.iter().map(|s| s.0).collect())
    }
}

/// Database-side rules: the service exists and is not the secretariat, the category exists,
/// the name is free among active motifs of the same service and location type.
fn check_settings(conn: &mut DbConn, org_id: i32, s: &MotifSettings, except: Option<i32>) -> ApiResult<()> {
    let mut errors = s.validate();
    let services = service::all(conn)?;
    match services.iter().find(|x| x.id == s.service_id.0) {
        None => errors.add("service_id", "inclusion"),
        Some(x) if x.short_name == service::SECRETARIAT => errors.add("service_id", "invalid"),
        Some(_) => {}
    }
    if s.motif_category_id.is_some() && motif::category(conn, s.motif_category_id)?.is_none() {
        errors.add("motif_category_id", "inclusion");
    }
    if !errors.fields.contains_key("name") && motif::name_taken(conn, org_id, s, except)? {
        errors.add("name", "taken");
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

pub fn render(conn: &mut DbConn, row: &MotifRow) -> ApiResult<MotifResponse> {
    let org = organisation::find(conn, row.organisation_id)?.ok_or(ApiError::NotFound("organisation"))?;
    let category = motif::category(conn, row.motif_category_id)?;
    Ok(MotifResponse { motif: row.to_dto(&org.time_zone, category.as_ref()) })
}

/// Loads a motif the actor may see (404 otherwise: its existence is not revealed).
fn visible_motif(conn: &mut DbConn, id: i32, agent_id: i32) -> ApiResult<(MotifRow, Actor)> {
    let row = motif::find(conn, id)?.ok_or(ApiError::NotFound("motif"))?;
    let actor = agent::facts(conn, agent_id)?;
    if !can_see_motif(&actor, OrganisationId(row.organisation_id), ServiceId(row.service_id)) {
        return Err(ApiError::NotFound("motif"));
    }
    Ok((row, actor))
}

fn motifs_csv(
    rows: &[MotifRow],
    services: &[service::ServiceRow],
    categories: &[motif::MotifCategoryRow],
) -> ApiResult<Vec<u8>> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(&mut out);
        let header = [
            "id",
            "nom",
            "service",
            "catégorie",
            "couleur",
            "durée (min)",
            "type de RDV",
            "réservation en ligne",
            "collectif",
            "délai minimum (h)",
            "délai maximum (jours)",
            "visibilité",
            "sectorisation",
            "suivi",
            "secrétariat",
            "actif",
        ];
        w.write_record(header).map_err(|e| ApiError::Internal(e.into()))?;
        let yes_no = |b: bool| if b { "oui" } else { "non" };
        for m in rows {
            let s = m.settings();
            let service = services.iter().find(|x| x.id == m.service_id).map(|x| x.short_name.as_str()).unwrap_or("");
            let category =
                categories.iter().find(|c| Some(c.id) == m.motif_category_id).map(|c| c.name.as_str()).unwrap_or("");
            w.write_record([
                m.id.to_string(),
                s.name.clone(),
                service.to_owned(),
                category.to_owned(),
                s.color.clone(),
                s.default_duration_in_min.to_string(),
                s.location_type.label_fr().to_owned(),
                s.bookable_by.label_fr().to_owned(),
                yes_no(s.collectif).to_owned(),
                format!("{:.1}", f64::from(s.min_public_booking_delay) / 3600.0),
                format!("{:.0}", f64::from(s.max_public_booking_delay) / 86400.0),
                s.visibility_type.label_fr().to_owned(),
                s.sectorisation_level.label_fr().to_owned(),
                yes_no(s.follow_up).to_owned(),
                yes_no(s.for_secretariat).to_owned(),
                yes_no(m.deleted_at.is_none()).to_owned(),
            ])
            .map_err(|e| ApiError::Internal(e.into()))?;
        }
        w.flush().map_err(|e| ApiError::Internal(e.into()))?;
    }
    Ok(out)
}

/// Lists an organisation's motifs by id, with API v1's filters.
pub fn list_motifs(
    conn: &mut DbConn,
    caller: &AgentRow,
    org_id: i32,
    query: ListMotifsQuery,
    page: i64,
) -> ApiResult<(Vec<rdv_shared::dto::Motif>, i64)> {
    let (org, actor) = crate::services::organisation_and_actor(conn, org_id, caller.id)?;
    if !actor.is_member_of(OrganisationId(org_id)) {
        return Err(ApiError::forbidden());
    }
    let filter = MotifFilter {
        active: wannabe_bool(&query.active),
        bookable_publicly: wannabe_bool(&query.bookable_publicly),
        service_id: query.service_id,
        visible_services: visible_services(&actor, OrganisationId(org_id)),
        category_id: match query.motif_category_short_name.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(short) => Some(crate::db::models::motif_category::by_short_name(conn, short)?.map(|c| c.id)),
            None => None,
        },
    };
    let (rows, total) = motif::list(conn, org_id, &filter, Some(page))?;
    let categories = motif::categories(conn)?;
    let dtos = rows
        .iter()
        .map(|m| m.to_dto(&org.time_zone, categories.iter().find(|c| Some(c.id) == m.motif_category_id)))
        .collect::<Vec<_>>();
    Ok((dtos, total))
}

/// Creates a motif (admins of the organisation). Only `name`, `service_id` and `color` are required.
pub fn create_motif(
    conn: &mut DbConn,
    caller: &AgentRow,
    org_id: i32,
    req: Body<CreateMotifRequest>,
) -> ApiResult<rdv_shared::dto::MotifResponse> {
    let (_, actor) = crate::services::organisation_and_actor(conn, org_id, caller.id)?;
    if !can_manage_motifs(&actor, OrganisationId(org_id)) {
        return Err(ApiError::forbidden());
    }
    let req = req.parse()?;
    let settings = req.into_settings().normalised();
    check_settings(conn, org_id, &settings, None)?;
    let row = write_tx(conn, |c| {
        let row = motif::create(c, &caller.author(), org_id, &settings)?;
        webhook_events::motif_event(c, &row, webhook_events::CREATED)?;
        Ok::<_, ApiError>(row)
    })?;
    render(conn, &row)
}

/// Shows a motif.
pub fn get_motif(conn: &mut DbConn, caller: &AgentRow, id: i32) -> ApiResult<rdv_shared::dto::MotifResponse> {
    let (row, _) = visible_motif(conn, id, caller.id)?;
    render(conn, &row)
}

/// Updates a motif (admins); absent fields are unchanged.
pub fn update_motif(
    conn: &mut DbConn,
    caller: &AgentRow,
    id: i32,
    req: Body<UpdateMotifRequest>,
) -> ApiResult<rdv_shared::dto::MotifResponse> {
    let (before, actor) = visible_motif(conn, id, caller.id)?;
    if !can_manage_motifs(&actor, OrganisationId(before.organisation_id)) {
        return Err(ApiError::forbidden());
    }
    let req = req.parse()?;
    let settings = req.apply(before.settings()).normalised();
    check_settings(conn, before.organisation_id, &settings, Some(before.id))?;
    let row = write_tx(conn, |c| {
        let row = motif::update(c, &caller.author(), &before, &settings)?;
        webhook_events::motif_event(c, &row, webhook_events::UPDATED)?;
        Ok::<_, ApiError>(row)
    })?;
    render(conn, &row)
}

/// Deletes a motif (admins). A soft delete: it leaves the lists of active motifs, its RDVs keep it.
pub fn delete_motif(conn: &mut DbConn, caller: &AgentRow, id: i32) -> ApiResult<rdv_shared::dto::MotifResponse> {
    let (before, actor) = visible_motif(conn, id, caller.id)?;
    if !can_manage_motifs(&actor, OrganisationId(before.organisation_id)) {
        return Err(ApiError::forbidden());
    }
    let row = if before.deleted_at.is_some() {
        before
    } else {
        write_tx(conn, |c| {
            let row = motif::soft_delete(c, &caller.author(), &before)?;
            webhook_events::motif_event(c, &row, webhook_events::UPDATED)?;
            Ok::<_, ApiError>(row)
        })?
    };
    render(conn, &row)
}

/// Exports an organisation's motifs as CSV (UTF-8 with BOM, `;`-separated, for Excel). Admins only.
pub fn export_motifs(conn: &mut DbConn, caller: &AgentRow, org_id: i32) -> ApiResult<(String, Vec<u8>)> {
    let (org, actor) = crate::services::organisation_and_actor(conn, org_id, caller.id)?;
    if !can_export_motifs(&actor, OrganisationId(org_id)) {
        return Err(ApiError::forbidden());
    }
    let (rows, _) = motif::list(conn, org_id, &MotifFilter::default(), None)?;
    let services = service::all(conn)?;
    let categories = motif::categories(conn)?;
    Ok((org.name.clone(), motifs_csv(&rows, &services, &categories)?))
}
