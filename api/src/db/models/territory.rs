//! Territories (a département's instance).

use crate::db::IdListDsl;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use rdv_shared::dto::{Territory, TerritorySettings};
use rdv_shared::{ServiceId, TerritoryId};
use serde::Serialize;

use crate::audit::{self, Author, Event};
use crate::db::schema::{territories, territory_services};
use crate::db::{now_utc, DbConn};

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = territories)]
pub struct TerritoryRow {
    pub id: i32,
    pub name: String,
    pub departement_number: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub enable_notes_field: bool,
    pub enable_caisse_affiliation_field: bool,
    pub enable_affiliation_number_field: bool,
    pub enable_family_situation_field: bool,
    pub enable_number_of_children_field: bool,
    pub enable_logement_field: bool,
    pub enable_case_number: bool,
    pub enable_address_details: bool,
    pub enable_context_field: bool,
    pub visible_users_throughout_the_territory: bool,
    pub enable_pmi_case_number_field: bool,
    pub notes_frozen: bool,
}

impl TerritoryRow {
    pub fn settings(&self) -> TerritorySettings {
        TerritorySettings {
            enable_notes_field: self.enable_notes_field,
            enable_caisse_affiliation_field: self.enable_caisse_affiliation_field,
            enable_affiliation_number_field: self.enable_affiliation_number_field,
            enable_family_situation_field: self.enable_family_situation_field,
            enable_number_of_children_field: self.enable_number_of_children_field,
            enable_logement_field: self.enable_logement_field,
            enable_case_number: self.enable_case_number,
            enable_address_details: self.enable_address_details,
            enable_context_field: self.enable_context_field,
            visible_users_throughout_the_territory: self.visible_users_throughout_the_territory,
            enable_pmi_case_number_field: self.enable_pmi_case_number_field,
            notes_frozen: self.notes_frozen,
        }
    }

    pub fn to_dto(&self, service_ids: Vec<i32>) -> Territory {
        Territory {
            id: TerritoryId(self.id),
            name: self.name.clone(),
            departement_number: self.departement_number.clone(),
            settings: self.settings(),
            service_ids: service_ids.into_iter().map(ServiceId).collect(),
        }
    }
}

#[derive(AsChangeset)]
#[diesel(table_name = territories)]
struct TerritoryValues<'a> {
    name: &'a str,
    departement_number: &'a str,
    enable_notes_field: bool,
    enable_caisse_affiliation_field: bool,
    enable_affiliation_number_field: bool,
    enable_family_situation_field: bool,
    enable_number_of_children_field: bool,
    enable_logement_field: bool,
    enable_case_number: bool,
    enable_address_details: bool,
    enable_context_field: bool,
    visible_users_throughout_the_territory: bool,
    enable_pmi_case_number_field: bool,
    notes_frozen: bool,
}

/// Writes name, number and settings; records a version when something changed.
pub fn update(
    conn: &mut DbConn,
    author: &Author,
    before: &TerritoryRow,
    name: &str,
    departement_number: &str,
    s: &TerritorySettings,
) -> QueryResult<TerritoryRow> {
    if before.name == name && before.departement_number == departement_number && before.settings() == *s {
        return Ok(before.clone());
    }
    let values = TerritoryValues {
        name,
        departement_number,
        enable_notes_field: s.enable_notes_field,
        enable_caisse_affiliation_field: s.enable_caisse_affiliation_field,
        enable_affiliation_number_field: s.enable_affiliation_number_field,
        enable_family_situation_field: s.enable_family_situation_field,
        enable_number_of_children_field: s.enable_number_of_children_field,
        enable_logement_field: s.enable_logement_field,
        enable_case_number: s.enable_case_number,
        enable_address_details: s.enable_address_details,
        enable_context_field: s.enable_context_field,
        visible_users_throughout_the_territory: s.visible_users_throughout_the_territory,
        enable_pmi_case_number_field: s.enable_pmi_case_number_field,
        notes_frozen: s.notes_frozen,
    };
    diesel::update(territories::table.find(before.id))
        .set((values, territories::updated_at.eq(now_utc())))
        .execute(conn)?;
    let after = territories::table.find(before.id).select(TerritoryRow::as_select()).get_result(conn)?;
    audit::record(conn, author, "Territory", after.id, Event::Update, Some(before), Some(&after))?;
    Ok(after)
}

/// Ids of the services offered in a territory.
pub fn service_ids(conn: &mut DbConn, territory_id: i32) -> QueryResult<Vec<i32>> {
    territory_services::table
        .filter(territory_services::territory_id.eq(territory_id))
        .order(territory_services::service_id)
        .select(territory_services::service_id)
        .load(conn)
}

/// (territory, service) pairs offered among these territories.
pub fn offered_services(conn: &mut DbConn, territory_ids: &[i32]) -> QueryResult<Vec<(i32, i32)>> {
    territory_services::table
        .filter(territory_services::territory_id.in_ids(territory_ids))
        .select((territory_services::territory_id, territory_services::service_id))
        .load(conn)
}

#[derive(Insertable, Serialize)]
#[diesel(table_name = territory_services)]
struct NewTerritoryService {
    territory_id: i32,
    service_id: i32,
    created_at: NaiveDateTime,
}

/// Replaces the set of offered services, auditing each link added or removed.
pub fn set_services(conn: &mut DbConn, author: &Author, territory_id: i32, wanted: &[i32]) -> QueryResult<()> {
    let current: Vec<(i32, i32)> = territory_services::table
        .filter(territory_services::territory_id.eq(territory_id))
        .select((territory_services::id, territory_services::service_id))
        .load(conn)?;
    let (remove, add) = crate::db::link_changes(&current, wanted);
    for (id, service_id) in remove {
        diesel::delete(territory_services::table.find(id)).execute(conn)?;
        let gone = NewTerritoryService { territory_id, service_id, created_at: now_utc() };
        audit::record(conn, author, "TerritoryService", id, Event::Destroy, Some(&gone), None)?;
    }
    for service_id in add {
        let link = NewTerritoryService { territory_id, service_id, created_at: now_utc() };
        let id: i32 = diesel::insert_into(territory_services::table)
            .values(&link)
            .returning(territory_services::id)
            .get_result(conn)?;
        audit::record(conn, author, "TerritoryService", id, Event::Create, None, Some(&link))?;
    }
    Ok(())
}

#[derive(Insertable)]
#[diesel(table_name = territories)]
struct NewTerritory<'a> {
    name: &'a str,
    departement_number: &'a str,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

pub fn create(conn: &mut DbConn, author: &Author, name: &str, departement_number: &str) -> QueryResult<TerritoryRow> {
    let now = now_utc();
    let id: i32 = diesel::insert_into(territories::table)
        .values(NewTerritory {
            name: name.trim(),
            departement_number: departement_number.trim(),
            created_at: now,
            updated_at: now,
        })
        .returning(territories::id)
        .get_result(conn)?;
    let row = territories::table.find(id).select(TerritoryRow::as_select()).get_result(conn)?;
    audit::record(conn, author, "Territory", row.id, Event::Create, None, Some(&row))?;
    Ok(row)
}

pub fn find(conn: &mut DbConn, id: i32) -> QueryResult<Option<TerritoryRow>> {
    territories::table.find(id).select(TerritoryRow::as_select()).get_result(conn).optional()
}

pub fn by_departement(conn: &mut DbConn, departement: &str) -> QueryResult<Option<TerritoryRow>> {
    territories::table
        .filter(territories::departement_number.eq(departement))
        .order(territories::id)
        .select(TerritoryRow::as_select())
        .limit(1)
        .load(conn)
        .map(|mut rows| rows.pop())
}

pub fn find_by_name(conn: &mut DbConn, name: &str) -> QueryResult<Option<TerritoryRow>> {
    territories::table.filter(territories::name.eq(name)).select(TerritoryRow::as_select()).get_result(conn).optional()
}

/// A territory's SMS provider: URL, API key, sender, each optional.
pub type SmsSettings = (Option<String>, Option<String>, Option<String>);

/// The territory's SMS provider settings.
pub fn sms_settings(conn: &mut DbConn, id: i32) -> QueryResult<Option<SmsSettings>> {
    territories::table
        .find(id)
        .select((territories::sms_provider_url, territories::sms_api_key, territories::sms_sender))
        .get_result(conn)
        .optional()
}

/// Sets the SMS provider (`None`: unchanged; `Some(None)`: cleared) and records a version in
/// which the key shows only as set or not.
pub fn set_sms_settings(
    conn: &mut DbConn,
    author: &Author,
    id: i32,
    url: Option<Option<String>>,
    key: Option<Option<String>>,
    sender: Option<Option<String>>,
) -> QueryResult<SmsSettings> {
    #[derive(Serialize)]
    struct Shown<'a> {
        sms_provider_url: &'a Option<String>,
        sms_sender: &'a Option<String>,
        sms_api_key_set: bool,
    }
    let before = sms_settings(conn, id)?.unwrap_or_default();
    let after = (
        url.unwrap_or_else(|| before.0.clone()),
        key.unwrap_or_else(|| before.1.clone()),
        sender.unwrap_or_else(|| before.2.clone()),
    );
    diesel::update(territories::table.find(id))
        .set((
            territories::sms_provider_url.eq(&after.0),
            territories::sms_api_key.eq(&after.1),
            territories::sms_sender.eq(&after.2),
            territories::updated_at.eq(now_utc()),
        ))
        .execute(conn)?;
    let shown = |s: &SmsSettings| -> serde_json::Value {
        serde_json::to_value(Shown { sms_provider_url: &s.0, sms_sender: &s.2, sms_api_key_set: s.1.is_some() })
            .unwrap_or_default()
    };
    audit::record(conn, author, "Territory", id, Event::Update, Some(&shown(&before)), Some(&shown(&after)))?;
    Ok(after)
}
