//! Usagers (`users`): the row, its writable values, create / update with the audit version and
//! the search terms kept in the same transaction, and the API rendering with territory field
//! toggles. Family cells, profiles, referents, anonymisation and merge are in `user_links`;
//! search and duplicates in `user_search`.

use crate::db::IdListDsl;
use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime, TimeZone, Utc};
use diesel::prelude::*;
use rdv_shared::dto::{self, UserInput};
use rdv_shared::enums::{CaisseAffiliation, FamilySituation, Logement};
use rdv_shared::usager::fields::FieldToggles;
use rdv_shared::usager::{self, identity_key};
use rdv_shared::validation::{self, Errors};
use rdv_shared::UserId;
use serde::Serialize;

use crate::audit::{self, Author, Event};
use crate::db::schema::{organisations, territories, user_profiles, users};
use crate::db::{now_utc, DbConn};

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: i32,
    pub first_name: String,
    pub last_name: String,
    pub birth_name: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub email: Option<String>,
    pub phone_number: Option<String>,
    pub phone_number_formatted: Option<String>,
    pub address: Option<String>,
    pub post_code: Option<String>,
    pub city_code: Option<String>,
    pub city_name: Option<String>,
    pub address_details: Option<String>,
    pub caisse_affiliation: Option<String>,
    pub affiliation_number: Option<String>,
    pub family_situation: Option<String>,
    pub number_of_children: Option<i32>,
    pub logement: Option<String>,
    pub case_number: Option<String>,
    pub pmi_case_number: Option<String>,
    pub notes: Option<String>,
    pub notify_by_sms: bool,
    pub notify_by_email: bool,
    pub created_through: String,
    pub invited_through: Option<String>,
    pub responsible_id: Option<i32>,
    #[serde(skip)]
    pub rdv_invitation_token: Option<String>,
    #[serde(skip)]
    pub rdv_invitation_token_updated_at: Option<NaiveDateTime>,
    #[serde(skip)]
    pub identity_key: Option<String>,
    pub deleted_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The writable values of a usager, normalised (what create and update store).
#[derive(Debug, Clone, Default, PartialEq, Eq, AsChangeset, Insertable, Serialize)]
#[diesel(table_name = users, treat_none_as_null = true)]
pub struct UserValues {
    pub first_name: String,
    pub last_name: String,
    pub birth_name: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub email: Option<String>,
    pub phone_number: Option<String>,
    pub phone_number_formatted: Option<String>,
    pub address: Option<String>,
    pub post_code: Option<String>,
    pub city_code: Option<String>,
    pub city_name: Option<String>,
    pub address_details: Option<String>,
    pub caisse_affiliation: Option<String>,
    pub affiliation_number: Option<String>,
    pub family_situation: Option<String>,
    pub number_of_children: Option<i32>,
    pub logement: Option<String>,
    pub case_number: Option<String>,
    pub pmi_case_number: Option<String>,
    pub notes: Option<String>,
    pub notify_by_sms: bool,
    pub notify_by_email: bool,
    pub responsible_id: Option<i32>,
    pub identity_key: Option<String>,
}

impl UserValues {
    /// A new usager: consent to notifications by default (reference §1.4).
    pub fn new_record() -> Self {
        UserValues { notify_by_sms: true, notify_by_email: true, ..Default::default() }
    }

    /// Values of a new usager from an API input: as [`Self::apply`] over [`Self::new_record`], with
    /// first and last names required (absent counts as blank).
    pub fn for_new(input: &UserInput, toggles: &FieldToggles, today: NaiveDate) -> Result<Self, Errors> {
        let named = UserInput {
            first_name: Some(input.first_name.clone().unwrap_or_default()),
            last_name: Some(input.last_name.clone().unwrap_or_default()),
            ..input.clone()
        };
        Self::new_record().apply(&named, toggles, today)
    }

    /// Applies an API input over these values, enforcing the field rules and the territory's
    /// toggles: a disabled field may only be sent empty; frozen notes may not change.
    pub fn apply(mut self, input: &UserInput, toggles: &FieldToggles, today: NaiveDate) -> Result<Self, Errors> {
        let mut errors = Errors::default();
        let text = |v: &Option<String>| validation::optional_text(v.as_deref());
        if let Some(v) = &input.first_name {
            errors.check("first_name", validation::required_text(v, 255));
            self.first_name = v.trim().to_owned();
        }
        if let Some(v) = &input.last_name {
            errors.check("last_name", validation::required_text(v, 255));
            self.last_name = v.trim().to_owned();
        }
        if let Some(v) = &input.birth_name {
            self.birth_name = text(v);
        }
        if let Some(v) = input.birth_date {
            if let Some(d) = v {
                errors.check("birth_date", usager::birth_date(d, today));
            }
            self.birth_date = v;
        }
        if let Some(v) = &input.email {
            self.email = v.as_deref().and_then(usager::normalise_email);
            if let Some(e) = &self.email {
                errors.check("email", validation::email(e));
            }
        }
        if let Some(v) = &input.phone_number {
            self.phone_number = text(v);
            self.phone_number_formatted = None;
            if let Some(p) = &self.phone_number {
                match usager::phone_e164(p) {
                    Ok(f) => self.phone_number_formatted = Some(f),
                    Err(code) => errors.add("phone_number", code),
                }
            }
        }
        for (field, slot, value) in [
            ("address", &mut self.address, &input.address),
            ("post_code", &mut self.post_code, &input.post_code),
            ("city_code", &mut self.city_code, &input.city_code),
            ("city_name", &mut self.city_name, &input.city_name),
            ("address_details", &mut self.address_details, &input.address_details),
            ("affiliation_number", &mut self.affiliation_number, &input.affiliation_number),
            ("case_number", &mut self.case_number, &input.case_number),
            ("pmi_case_number", &mut self.pmi_case_number, &input.pmi_case_number),
        ] {
            if let Some(v) = value {
                let v = text(v);
                if v.is_some() && !toggles.allows(field) {
                    errors.add(field, "disabled");
                }
                *slot = v;
            }
        }
        let mut toggled = |field: &str, present: bool| {
            if present && !toggles.allows(field) {
                errors.add(field, "disabled");
            }
        };
        if let Some(v) = input.caisse_affiliation {
            toggled("caisse_affiliation", v.is_some());
            self.caisse_affiliation = v.map(|x: CaisseAffiliation| x.as_str().to_owned());
        }
        if let Some(v) = input.family_situation {
            toggled("family_situation", v.is_some());
            self.family_situation = v.map(|x: FamilySituation| x.as_str().to_owned());
        }
        if let Some(v) = input.logement {
            toggled("logement", v.is_some());
            self.logement = v.map(|x: Logement| x.as_str().to_owned());
        }
        if let Some(v) = input.number_of_children {
            toggled("number_of_children", v.is_some());
            if v.is_some_and(|n| n < 0) {
                errors.add("number_of_children", "greater_than_or_equal_to");
            }
            self.number_of_children = v;
        }
        if let Some(v) = &input.notes {
            let v = text(v);
            if v != self.notes {
                if !toggles.notes {
                    errors.add("notes", "disabled");
                } else if !toggles.notes_writable {
                    errors.add("notes", "frozen");
                }
            }
            self.notes = v;
        }
        if let Some(v) = input.notify_by_sms {
            self.notify_by_sms = v;
        }
        if let Some(v) = input.notify_by_email {
            self.notify_by_email = v;
        }
        if let Some(v) = input.responsible_id {
            self.responsible_id = v.map(|id| id.0);
        }
        self.identity_key = identity_key(&self.first_name, &self.last_name, self.birth_date);
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(errors)
        }
    }
}

impl UserRow {
    pub fn values(&self) -> UserValues {
        UserValues {
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            birth_name: self.birth_name.clone(),
            birth_date: self.birth_date,
            email: self.email.clone(),
            phone_number: self.phone_number.clone(),
            phone_number_formatted: self.phone_number_formatted.clone(),
            address: self.address.clone(),
            post_code: self.post_code.clone(),
            city_code: self.city_code.clone(),
            city_name: self.city_name.clone(),
            address_details: self.address_details.clone(),
            caisse_affiliation: self.caisse_affiliation.clone(),
            affiliation_number: self.affiliation_number.clone(),
            family_situation: self.family_situation.clone(),
            number_of_children: self.number_of_children,
            logement: self.logement.clone(),
            case_number: self.case_number.clone(),
            pmi_case_number: self.pmi_case_number.clone(),
            notes: self.notes.clone(),
            notify_by_sms: self.notify_by_sms,
            notify_by_email: self.notify_by_email,
            responsible_id: self.responsible_id,
            identity_key: self.identity_key.clone(),
        }
    }

    /// The API rendering with only the fields `toggles` enables. Show-only parts (profiles,
    /// referents, relatives) are `None` here; callers fill them.
    pub fn to_dto(&self, toggles: &FieldToggles, responsible: Option<&UserRow>) -> dto::User {
        let t = |on: bool, v: &Option<String>| on.then(|| v.clone());
        let utc = |n: &NaiveDateTime| Utc.from_utc_datetime(n);
        let address = self.address.clone().or_else(|| responsible.and_then(|r| r.address.clone()));
        dto::User {
            id: UserId(self.id),
            address,
            address_details: t(toggles.address_details, &self.address_details),
            affiliation_number: t(toggles.affiliation_number, &self.affiliation_number),
            birth_date: self.birth_date,
            birth_name: self.birth_name.clone(),
            caisse_affiliation: toggles
                .caisse_affiliation
                .then(|| self.caisse_affiliation.as_deref().and_then(CaisseAffiliation::parse)),
            case_number: t(toggles.case_number, &self.case_number),
            city_code: self.city_code.clone(),
            city_name: self.city_name.clone(),
            created_at: utc(&self.created_at),
            created_through: self.created_through.clone(),
            email: self.email.clone(),
            family_situation: toggles
                .family_situation
                .then(|| self.family_situation.as_deref().and_then(FamilySituation::parse)),
            first_name: self.first_name.clone(),
            invitation_accepted_at: None,
            invitation_created_at: None,
            invited_through: self.invited_through.clone(),
            last_name: self.last_name.clone(),
            logement: toggles.logement.then(|| self.logement.as_deref().and_then(Logement::parse)),
            notes: t(toggles.notes, &self.notes),
            notify_by_email: self.notify_by_email,
            notify_by_sms: self.notify_by_sms,
            number_of_children: toggles.number_of_children.then_some(self.number_of_children),
            phone_number: self.phone_number.clone(),
            phone_number_formatted: self.phone_number_formatted.clone(),
            pmi_case_number: t(toggles.pmi_case_number, &self.pmi_case_number),
            post_code: self.post_code.clone(),
            referent_agents: None,
            relatives: None,
            responsible: responsible.map(|r| Box::new(r.to_dto(toggles, None))),
            responsible_id: self.responsible_id.map(UserId),
            user_profiles: None,
        }
    }

    /// A line in a candidate list, masked when the caller only finds the usager from another
    /// organisation of the territory.
    pub fn summary(&self, masked: bool) -> dto::UserSummary {
        use rdv_shared::usager::mask;
        let birth_date =
            self.birth_date.map(|d| if masked { mask::birth_date(d) } else { d.format("%d/%m/%Y").to_string() });
        let phone_number = self.phone_number_formatted.as_deref().map(|p| {
            if masked {
                mask::phone(p)
            } else {
                self.phone_number.clone().unwrap_or_else(|| p.to_owned())
            }
        });
        let email = self.email.as_deref().map(|e| if masked { mask::email(e) } else { e.to_owned() });
        dto::UserSummary {
            id: UserId(self.id),
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            birth_name: self.birth_name.clone(),
            birth_date,
            phone_number,
            email,
            responsible_id: self.responsible_id.map(UserId),
            masked,
        }
    }
}

pub fn find(conn: &mut DbConn, id: i32) -> QueryResult<Option<UserRow>> {
    users::table.find(id).filter(users::deleted_at.is_null()).select(UserRow::as_select()).get_result(conn).optional()
}

pub fn find_many(conn: &mut DbConn, ids: &[i32]) -> QueryResult<Vec<UserRow>> {
    users::table
        .filter(users::id.in_ids(ids))
        .filter(users::deleted_at.is_null())
        .select(UserRow::as_select())
        .load(conn)
}

/// The usager owning this (normalised) email, deleted ones included (their emails are
/// anonymised, so they never collide).
pub fn id_by_email(conn: &mut DbConn, email: &str) -> QueryResult<Option<i32>> {
    users::table.filter(users::email.eq(email)).select(users::id).get_result(conn).optional()
}

/// Organisation ids of a usager's profiles.
pub fn organisation_ids(conn: &mut DbConn, user_id: i32) -> QueryResult<Vec<i32>> {
    user_profiles::table
        .filter(user_profiles::user_id.eq(user_id))
        .order(user_profiles::organisation_id)
        .select(user_profiles::organisation_id)
        .load(conn)
}

/// Profiles of several usagers at once: usager id → organisation ids.
pub fn organisation_ids_of(conn: &mut DbConn, user_ids: &[i32]) -> QueryResult<HashMap<i32, Vec<i32>>> {
    let rows: Vec<(i32, i32)> = user_profiles::table
        .filter(user_profiles::user_id.in_ids(user_ids))
        .select((user_profiles::user_id, user_profiles::organisation_id))
        .load(conn)?;
    let mut map: HashMap<i32, Vec<i32>> = HashMap::new();
    for (user, org) in rows {
        map.entry(user).or_default().push(org);
    }
    Ok(map)
}

/// The field toggles that apply to a usager seen through these organisations.
pub fn toggles_for(conn: &mut DbConn, organisation_ids: &[i32]) -> QueryResult<FieldToggles> {
    let rows: Vec<crate::db::models::territory::TerritoryRow> = territories::table
        .filter(territories::id.eq_any(
            organisations::table.filter(organisations::id.in_ids(organisation_ids)).select(organisations::territory_id),
        ))
        .select(crate::db::models::territory::TerritoryRow::as_select())
        .load(conn)?;
    let settings: Vec<dto::TerritorySettings> = rows.iter().map(|t| t.settings()).collect();
    Ok(FieldToggles::from_settings(settings.iter()))
}

/// Inserts a usager with its search terms and its audit version.
pub fn create(conn: &mut DbConn, author: &Author, v: &UserValues, created_through: &str) -> QueryResult<UserRow> {
    let now = now_utc();
    let id: i32 = diesel::insert_into(users::table)
        .values((v, users::created_through.eq(created_through), users::created_at.eq(now), users::updated_at.eq(now)))
        .returning(users::id)
        .get_result(conn)?;
    let row = users::table.find(id).select(UserRow::as_select()).get_result(conn)?;
    super::user_search::reindex(conn, &row)?;
    audit::record(conn, author, "User", id, Event::Create, None, Some(&row))?;
    Ok(row)
}

/// Writes new values; reindexes and records a version when something changed.
pub fn update(conn: &mut DbConn, author: &Author, before: &UserRow, v: &UserValues) -> QueryResult<UserRow> {
    if before.values() == *v {
        return Ok(before.clone());
    }
    diesel::update(users::table.find(before.id)).set((v, users::updated_at.eq(now_utc()))).execute(conn)?;
    let after = users::table.find(before.id).select(UserRow::as_select()).get_result(conn)?;
    super::user_search::reindex(conn, &after)?;
    audit::record(conn, author, "User", after.id, Event::Update, Some(before), Some(&after))?;
    Ok(after)
}

/// The usager's invitation token (8 characters A–Z0–9), generated once then reused; every
/// call refreshes its date (reference U5).
pub fn invitation_token(conn: &mut DbConn, author: &Author, before: &UserRow) -> QueryResult<String> {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let now = now_utc();
    let token = match &before.rdv_invitation_token {
        Some(t) => t.clone(),
        None => loop {
            let mut rng = rand::thread_rng();
            let candidate: String = (0..8).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect();
            let taken: i64 =
                users::table.filter(users::rdv_invitation_token.eq(&candidate)).count().get_result(conn)?;
            if taken == 0 {
                break candidate;
            }
        },
    };
    let invited_through = before.invited_through.clone().unwrap_or_else(|| "external".to_owned());
    diesel::update(users::table.find(before.id))
        .set((
            users::rdv_invitation_token.eq(&token),
            users::rdv_invitation_token_updated_at.eq(now),
            users::invited_through.eq(&invited_through),
        ))
        .execute(conn)?;
    if before.rdv_invitation_token.is_none() {
        let after = users::table.find(before.id).select(UserRow::as_select()).get_result(conn)?;
        audit::record(conn, author, "User", before.id, Event::Update, Some(before), Some(&after))?;
    }
    Ok(token)
}

/// The live usagers of `user_ids` that have a profile in the organisation.
pub fn live_among_in_organisation(conn: &mut DbConn, organisation_id: i32, user_ids: &[i32]) -> QueryResult<Vec<i32>> {
    users::table
        .inner_join(user_profiles::table)
        .filter(users::id.in_ids(user_ids))
        .filter(users::deleted_at.is_null())
        .filter(user_profiles::organisation_id.eq(organisation_id))
        .select(users::id)
        .load(conn)
}

/// The live usager holding this RDV invitation token.
pub fn by_invitation_token(conn: &mut DbConn, token: &str) -> QueryResult<Option<i32>> {
    users::table
        .filter(users::rdv_invitation_token.eq(token))
        .filter(users::deleted_at.is_null())
        .select(users::id)
        .get_result(conn)
        .optional()
}

/// (id, first name, last name) of the organisation's live usagers with this E.164 phone.
pub fn with_phone_in_organisation(
    conn: &mut DbConn,
    organisation_id: i32,
    phone_e164: &str,
) -> QueryResult<Vec<(i32, String, String)>> {
    users::table
        .inner_join(user_profiles::table)
        .filter(user_profiles::organisation_id.eq(organisation_id))
        .filter(users::phone_number_formatted.eq(phone_e164))
        .filter(users::deleted_at.is_null())
        .select((users::id, users::first_name, users::last_name))
        .load(conn)
}

/// "First Last" of each of these usagers.
pub fn full_names(conn: &mut DbConn, ids: &[i32]) -> QueryResult<HashMap<i32, String>> {
    Ok(users::table
        .filter(users::id.in_ids(ids))
        .select((users::id, users::first_name, users::last_name))
        .load::<(i32, String, String)>(conn)?
        .into_iter()
        .map(|(id, f, l)| (id, format!("{f} {l}")))
        .collect())
}

/// Usagers by id, deleted ones included (an RDV keeps its anonymised participant).
pub fn find_many_with_deleted(conn: &mut DbConn, ids: &[i32]) -> QueryResult<Vec<UserRow>> {
    users::table.filter(users::id.in_ids(ids)).select(UserRow::as_select()).load(conn)
}
