//! Organisations: list (the caller's, or a territory's for territorial admins), create in a
//! territory, show and update (unique name and external id per territory).

use rdv_shared::access::{can_manage_territory, can_read_organisation, can_update_organisation};
use rdv_shared::dto::{CreateOrganisationRequest, UpdateOrganisationRequest};
use rdv_shared::validation::Errors;
use rdv_shared::{validation, OrganisationId};

use crate::db::models::agent::AgentRow;
use crate::db::models::{agent, organisation};
use crate::db::{write_tx, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::extract::Body;
use crate::services::webhook_events;

fn validate_update(
    conn: &mut crate::db::DbConn,
    before: &organisation::OrganisationRow,
    req: UpdateOrganisationRequest,
) -> ApiResult<organisation::OrganisationChanges> {
    let mut errors = Errors::default();
    let name = req.name.map(|n| n.trim().to_owned());
    if let Some(name) = &name {
        errors.check("name", validation::required_text(name, 255));
        if errors.fields.is_empty() && organisation::name_taken(conn, before.territory_id, name, Some(before.id))? {
            errors.add("name", "taken");
        }
    }
    let phone_number = req.phone_number.map(|v| validation::optional_text(v.as_deref()));
    if let Some(Some(phone)) = &phone_number {
        errors.check("phone_number", validation::organisation_phone(phone));
    }
    let email = req.email.map(|e| validation::optional_text(e.as_deref()).map(|e| validation::normalise_email(&e)));
    if let Some(Some(email)) = &email {
        errors.check("email", validation::email(email));
    }
    if let Some(tz) = &req.time_zone {
        errors.check("time_zone", validation::time_zone(tz.trim()).map(|_| ()));
    }
    let website = req.website.map(|v| validation::optional_text(v.as_deref()));
    if let Some(Some(url)) = &website {
        errors.check("website", validation::website(url));
    }
    let horaires = req.horaires.map(|v| validation::optional_text(v.as_deref()));
    if let Some(Some(h)) = &horaires {
        errors.check("horaires", validation::required_text(h, 2000));
    }
    let external_id = req.external_id.map(|v| validation::optional_text(v.as_deref()));
    if let Some(Some(ext)) = &external_id {
        errors.check("external_id", validation::required_text(ext, 255));
        if organisation::external_id_taken(conn, before.territory_id, ext, Some(before.id))? {
            errors.add("external_id", "taken");
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    Ok(organisation::OrganisationChanges {
        name,
        time_zone: req.time_zone.map(|t| t.trim().to_owned()),
        phone_number,
        email,
        website,
        horaires,
        external_id,
        allow_saturday_openings: req.allow_saturday_openings,
    })
}

/// Lists the organisations where the caller has a role, by id.
pub fn list_organisations(
    conn: &mut DbConn,
    caller: &AgentRow,
    place: Option<&rdv_shared::sectorisation::Place>,
    page: i64,
) -> ApiResult<(Vec<crate::db::models::organisation::OrganisationRow>, i64)> {
    let actor = agent::facts(conn, caller.id)?;
    let mut ids: Vec<i32> = actor.memberships.iter().map(|m| m.organisation_id.0).collect();
    // O1's geographic filter: the caller's organisations serving the address.
    if let Some(p) = place {
        let (zones, attributions) = crate::db::models::sector::for_city(conn, &p.city_code)?;
        let sectors = rdv_shared::sectorisation::sectors_of(&zones, p);
        let relevant = rdv_shared::sectorisation::most_relevant_organisations(&sectors, &attributions);
        ids.retain(|id| relevant.contains(id));
    }
    Ok(organisation::page_of(conn, &ids, page)?)
}

/// Shows one organisation of the caller.
pub fn get_organisation(
    conn: &mut DbConn,
    caller: &AgentRow,
    id: i32,
) -> ApiResult<crate::db::models::organisation::OrganisationRow> {
    let row = organisation::find(conn, id)?.ok_or(ApiError::NotFound("organisation"))?;
    let actor = agent::facts(conn, caller.id)?;
    if !can_read_organisation(&actor, OrganisationId(id)) {
        return Err(ApiError::forbidden());
    }
    Ok(row)
}

/// Updates an organisation (its admins only). Absent fields are left unchanged; `phone_number`
/// and `email` are cleared by `null` or `""`.
pub fn update_organisation(
    conn: &mut DbConn,
    caller: &AgentRow,
    id: i32,
    req: Body<UpdateOrganisationRequest>,
) -> ApiResult<crate::db::models::organisation::OrganisationRow> {
    let before = organisation::find(conn, id)?.ok_or(ApiError::NotFound("organisation"))?;
    let actor = agent::facts(conn, caller.id)?;
    if !can_update_organisation(&actor, OrganisationId(id)) {
        return Err(ApiError::forbidden());
    }
    let req = req.parse()?;
    let changes = validate_update(conn, &before, req)?;
    write_tx(conn, |conn| {
        let row = organisation::update(conn, &caller.author(), &before, changes)?;
        webhook_events::organisation_event(conn, &row, webhook_events::UPDATED)?;
        Ok(row)
    })
}

/// Creates an organisation in a territory (its territorial admins). The creator gets no role in
/// it: they add its agents next (as the reference).
pub fn create_organisation(
    conn: &mut DbConn,
    caller: &AgentRow,
    req: CreateOrganisationRequest,
) -> ApiResult<crate::db::models::organisation::OrganisationRow> {
    let actor = agent::facts(conn, caller.id)?;
    if !can_manage_territory(&actor, req.territory_id) {
        return Err(ApiError::forbidden());
    }
    let territory_id = req.territory_id.0;
    let mut errors = Errors::default();
    errors.check("name", validation::required_text(&req.name, 255));
    if errors.is_empty() && organisation::name_taken(conn, territory_id, &req.name, None)? {
        errors.add("name", "taken");
    }
    let time_zone =
        req.time_zone.clone().map(|t| t.trim().to_owned()).unwrap_or_else(|| organisation::DEFAULT_TIME_ZONE.into());
    errors.check("time_zone", validation::time_zone(&time_zone).map(|_| ()));
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    write_tx(conn, |conn| {
        let created = organisation::create(conn, &caller.author(), territory_id, &req.name, &time_zone)?;
        // The optional fields go through the update path, so they get the same validation.
        let rest = UpdateOrganisationRequest {
            phone_number: req.phone_number.clone().map(Some),
            email: req.email.clone().map(Some),
            website: req.website.clone().map(Some),
            horaires: req.horaires.clone().map(Some),
            external_id: req.external_id.clone().map(Some),
            ..Default::default()
        };
        let changes = validate_update(conn, &created, rest)?;
        Ok(organisation::update(conn, &caller.author(), &created, changes)?)
    })
}
