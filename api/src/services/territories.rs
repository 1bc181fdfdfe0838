//! Territories: settings (field toggles, access rules) for territorial admins, the member
//! organisations of a territory, and the services catalogue.

use rdv_shared::access::{can_manage_territory, can_read_territory};
use rdv_shared::dto::{
    valid_sms_sender, CatalogueService, SmsSettings, SmsSettingsResponse, TerritoryResponse, UpdateSmsSettingsRequest,
    UpdateTerritoryRequest,
};
use rdv_shared::validation::Errors;
use rdv_shared::{validation, ServiceId, TerritoryId};

use crate::db::models::agent::AgentRow;
use crate::db::models::{agent, organisation, service, territory};
use crate::db::{write_tx, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::extract::Body;

/// Shows a territory's settings (members of its organisations and its territorial admins).
pub fn get_territory(conn: &mut DbConn, caller: &AgentRow, id: i32) -> ApiResult<rdv_shared::dto::TerritoryResponse> {
    let row = territory::find(conn, id)?.ok_or(ApiError::NotFound("territory"))?;
    let actor = agent::facts(conn, caller.id)?;
    if !can_read_territory(&actor, TerritoryId(id)) {
        return Err(ApiError::NotFound("territory"));
    }
    Ok(TerritoryResponse { territory: row.to_dto(territory::service_ids(conn, id)?) })
}

/// Lists every organisation of a territory, by id (its members and territorial admins): what a
/// territorial admin picks from when attributing sectors or granting agendas. `GET
/// /organisations` lists only the caller's own.
pub fn list_territory_organisations(
    conn: &mut DbConn,
    caller: &AgentRow,
    id: i32,
    page: i64,
) -> ApiResult<(Vec<crate::db::models::organisation::OrganisationRow>, i64)> {
    super::sectors::territory_for(conn, caller.id, id, false)?;
    let ids = agent::organisations_of_territories(conn, &[id])?;
    Ok(organisation::page_of(conn, &ids, page)?)
}

/// Changes a territory's name, number, usager field toggles, RDV settings and offered services
/// (territorial admins).
pub fn update_territory(
    conn: &mut DbConn,
    caller: &AgentRow,
    id: i32,
    req: Body<UpdateTerritoryRequest>,
) -> ApiResult<rdv_shared::dto::TerritoryResponse> {
    let before = territory::find(conn, id)?.ok_or(ApiError::NotFound("territory"))?;
    let actor = agent::facts(conn, caller.id)?;
    if !can_read_territory(&actor, TerritoryId(id)) {
        return Err(ApiError::NotFound("territory"));
    }
    if !can_manage_territory(&actor, TerritoryId(id)) {
        return Err(ApiError::forbidden());
    }
    let req = req.parse()?;
    let name = req.name.as_deref().map(str::trim).unwrap_or(&before.name).to_owned();
    let number = req.departement_number.as_deref().map(str::trim).unwrap_or(&before.departement_number).to_owned();
    let mut errors = Errors::default();
    errors.check("name", validation::required_text(&name, 255));
    errors.check("departement_number", validation::required_text(&number, 3));
    let catalogue = service::all(conn)?;
    let mut wanted: Option<Vec<i32>> = req.service_ids.as_ref().map(|ids| ids.iter().map(|s| s.0).collect());
    if let Some(ids) = &mut wanted {
        ids.sort_unstable();
        ids.dedup();
        if ids.iter().any(|id| !catalogue.iter().any(|s| s.id == *id)) {
            errors.add("service_ids", "inclusion");
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let settings = req.apply(before.settings());
    let author = caller.author();
    let row = write_tx(conn, |c| {
        let row = territory::update(c, &author, &before, &name, &number, &settings)?;
        if let Some(ids) = &wanted {
            territory::set_services(c, &author, id, ids)?;
        }
        Ok::<_, ApiError>(row)
    })?;
    Ok(TerritoryResponse { territory: row.to_dto(territory::service_ids(conn, id)?) })
}

/// The service catalogue, each with the caller's territories that offer it.
pub fn list_services(conn: &mut DbConn, caller: &AgentRow) -> ApiResult<Vec<rdv_shared::dto::CatalogueService>> {
    let actor = agent::facts(conn, caller.id)?;
    let mut territories: Vec<i32> = actor
        .memberships
        .iter()
        .map(|m| m.territory_id.0)
        .chain(actor.territorial_admin_of.iter().map(|t| t.0))
        .collect();
    territories.sort_unstable();
    territories.dedup();
    let offered = territory::offered_services(conn, &territories)?;
    Ok(service::all(conn)?
        .into_iter()
        .map(|s| CatalogueService {
            id: ServiceId(s.id),
            offered_in_territory_ids: offered
                .iter()
                .filter(|(_, sid)| *sid == s.id)
                .map(|(t, _)| TerritoryId(*t))
                .collect(),
            name: s.name,
            short_name: s.short_name,
        })
        .collect::<Vec<_>>())
}

fn sms_dto(s: &territory::SmsSettings) -> SmsSettings {
    SmsSettings { sms_provider_url: s.0.clone(), sms_sender: s.2.clone(), sms_api_key_set: s.1.is_some() }
}

/// The territory's SMS provider, for those who manage the territory.
pub fn get_sms_settings(conn: &mut DbConn, caller: &AgentRow, id: i32) -> ApiResult<SmsSettingsResponse> {
    let actor = agent::facts(conn, caller.id)?;
    if !can_read_territory(&actor, TerritoryId(id)) {
        return Err(ApiError::NotFound("territory"));
    }
    if !can_manage_territory(&actor, TerritoryId(id)) {
        return Err(ApiError::forbidden());
    }
    let s = territory::sms_settings(conn, id)?.ok_or(ApiError::NotFound("territory"))?;
    Ok(SmsSettingsResponse { sms_settings: sms_dto(&s) })
}

/// Changes the territory's SMS provider (territory admins): an absent field is unchanged, an
/// empty one cleared; the URL must be http(s), the sender 1–11 letters or digits.
pub fn update_sms_settings(
    conn: &mut DbConn,
    caller: &AgentRow,
    id: i32,
    req: Body<UpdateSmsSettingsRequest>,
) -> ApiResult<SmsSettingsResponse> {
    get_sms_settings(conn, caller, id)?;
    let req = req.parse()?;
    let clean = |v: Option<String>| v.map(|s| Some(s.trim().to_owned()).filter(|s| !s.is_empty()));
    let (url, key, sender) = (clean(req.sms_provider_url), clean(req.sms_api_key), clean(req.sms_sender));
    let mut errors = Errors::default();
    if let Some(Some(u)) = &url {
        if !(u.starts_with("https://") || u.starts_with("http://")) || u.len() > 500 {
            errors.add("sms_provider_url", "invalid");
        }
    }
    if let Some(Some(s)) = &sender {
        if !valid_sms_sender(s) {
            errors.add("sms_sender", "invalid");
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let author = caller.author();
    let s = write_tx(conn, |c| territory::set_sms_settings(c, &author, id, url, key, sender))?;
    Ok(SmsSettingsResponse { sms_settings: sms_dto(&s) })
}
