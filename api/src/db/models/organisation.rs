//! Organisations.

use crate::db::IdListDsl;
use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use rdv_shared::{dto, OrganisationId, TerritoryId};
use serde::Serialize;

use crate::audit::{self, Author, Event};
use crate::db::schema::organisations;
use crate::db::{now_utc, DbConn};

pub const DEFAULT_TIME_ZONE: &str = "Europe/Paris";

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = organisations)]
pub struct OrganisationRow {
    pub id: i32,
    pub territory_id: i32,
    pub name: String,
    pub time_zone: String,
    pub phone_number: Option<String>,
    pub email: Option<String>,
    pub verticale: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub website: Option<String>,
    pub horaires: Option<String>,
    pub external_id: Option<String>,
    pub allow_saturday_openings: bool,
}

impl OrganisationRow {
    pub fn to_dto(&self) -> dto::Organisation {
        dto::Organisation {
            id: OrganisationId(self.id),
            email: self.email.clone(),
            name: self.name.clone(),
            phone_number: self.phone_number.clone(),
            territory_id: TerritoryId(self.territory_id),
            time_zone: self.time_zone.clone(),
            verticale: self.verticale.clone(),
            website: self.website.clone(),
            horaires: self.horaires.clone(),
            external_id: self.external_id.clone(),
            allow_saturday_openings: self.allow_saturday_openings,
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = organisations)]
struct NewOrganisation<'a> {
    territory_id: i32,
    name: &'a str,
    time_zone: &'a str,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// Fields to change; `None` leaves a column alone, `Some(None)` clears a nullable one.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = organisations)]
pub struct OrganisationChanges {
    pub name: Option<String>,
    pub time_zone: Option<String>,
    pub phone_number: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub website: Option<Option<String>>,
    pub horaires: Option<Option<String>>,
    pub external_id: Option<Option<String>>,
    pub allow_saturday_openings: Option<bool>,
}

impl OrganisationChanges {
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.time_zone.is_none()
            && self.phone_number.is_none()
            && self.email.is_none()
            && self.website.is_none()
            && self.horaires.is_none()
            && self.external_id.is_none()
            && self.allow_saturday_openings.is_none()
    }
}

/// Is `external_id` used by another organisation of the territory?
pub fn external_id_taken(
    conn: &mut DbConn,
    territory_id: i32,
    external_id: &str,
    except: Option<i32>,
) -> QueryResult<bool> {
    let ids: Vec<i32> = organisations::table
        .filter(organisations::territory_id.eq(territory_id))
        .filter(organisations::external_id.eq(external_id))
        .select(organisations::id)
        .load(conn)?;
    Ok(ids.into_iter().any(|id| Some(id) != except))
}

pub fn create(
    conn: &mut DbConn,
    author: &Author,
    territory_id: i32,
    name: &str,
    time_zone: &str,
) -> QueryResult<OrganisationRow> {
    let now = now_utc();
    let id: i32 = diesel::insert_into(organisations::table)
        .values(NewOrganisation { territory_id, name: name.trim(), time_zone, created_at: now, updated_at: now })
        .returning(organisations::id)
        .get_result(conn)?;
    let row = organisations::table.find(id).select(OrganisationRow::as_select()).get_result(conn)?;
    audit::record(conn, author, "Organisation", row.id, Event::Create, None, Some(&row))?;
    Ok(row)
}

pub fn find(conn: &mut DbConn, id: i32) -> QueryResult<Option<OrganisationRow>> {
    organisations::table.find(id).select(OrganisationRow::as_select()).get_result(conn).optional()
}

/// Is `name` used by another organisation of the territory?
pub fn name_taken(conn: &mut DbConn, territory_id: i32, name: &str, except: Option<i32>) -> QueryResult<bool> {
    let ids: Vec<i32> = organisations::table
        .filter(organisations::territory_id.eq(territory_id))
        .filter(organisations::name.eq(name.trim()))
        .select(organisations::id)
        .load(conn)?;
    Ok(ids.into_iter().any(|id| Some(id) != except))
}

/// One page of the organisations with the given ids, by id, and the total count.
pub fn page_of(conn: &mut DbConn, ids: &[i32], page: i64) -> QueryResult<(Vec<OrganisationRow>, i64)> {
    let total: i64 = organisations::table.filter(organisations::id.in_ids(ids)).count().get_result(conn)?;
    let rows = organisations::table
        .filter(organisations::id.in_ids(ids))
        .order(organisations::id)
        .limit(rdv_shared::pagination::PER_PAGE)
        .offset(rdv_shared::pagination::offset(page))
        .select(OrganisationRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

pub fn find_by_territory_and_name(
    conn: &mut DbConn,
    territory_id: i32,
    name: &str,
) -> QueryResult<Option<OrganisationRow>> {
    organisations::table
        .filter(organisations::territory_id.eq(territory_id))
        .filter(organisations::name.eq(name))
        .select(OrganisationRow::as_select())
        .get_result(conn)
        .optional()
}

pub fn update(
    conn: &mut DbConn,
    author: &Author,
    before: &OrganisationRow,
    changes: OrganisationChanges,
) -> QueryResult<OrganisationRow> {
    if changes.is_empty() {
        return Ok(before.clone());
    }
    diesel::update(organisations::table.find(before.id))
        .set((&changes, organisations::updated_at.eq(now_utc())))
        .execute(conn)?;
    let after = organisations::table.find(before.id).select(OrganisationRow::as_select()).get_result(conn)?;
    audit::record(conn, author, "Organisation", after.id, Event::Update, Some(before), Some(&after))?;
    Ok(after)
}

/// Organisations by id.
pub fn organisations_by_id(conn: &mut DbConn, ids: &[i32]) -> QueryResult<HashMap<i32, OrganisationRow>> {
    let rows: Vec<OrganisationRow> =
        organisations::table.filter(organisations::id.in_ids(ids)).select(OrganisationRow::as_select()).load(conn)?;
    Ok(rows.into_iter().map(|o| (o.id, o)).collect())
}

/// The organisations of a département, with its number.
pub fn of_departement(conn: &mut DbConn, departement: &str) -> QueryResult<Vec<(OrganisationRow, String)>> {
    use crate::db::schema::territories;
    organisations::table
        .inner_join(territories::table)
        .filter(territories::departement_number.eq(departement))
        .select((OrganisationRow::as_select(), territories::departement_number))
        .load(conn)
}

/// These organisations with their département.
pub fn with_departements(conn: &mut DbConn, ids: &[i32]) -> QueryResult<Vec<(OrganisationRow, String)>> {
    use crate::db::schema::territories;
    organisations::table
        .inner_join(territories::table)
        .filter(organisations::id.in_ids(ids))
        .select((OrganisationRow::as_select(), territories::departement_number))
        .load(conn)
}

/// (id, name) of a territory's organisations.
pub fn names_in_territory(conn: &mut DbConn, territory_id: i32) -> QueryResult<Vec<(i32, String)>> {
    organisations::table
        .filter(organisations::territory_id.eq(territory_id))
        .select((organisations::id, organisations::name))
        .load(conn)
}

/// (organisation id, its territory) for the organisations of these territories.
pub fn with_territories(
    conn: &mut DbConn,
    territory_ids: &[i32],
) -> QueryResult<Vec<(i32, crate::db::models::territory::TerritoryRow)>> {
    use crate::db::models::territory::TerritoryRow;
    use crate::db::schema::territories;
    organisations::table
        .inner_join(territories::table)
        .filter(organisations::territory_id.in_ids(territory_ids))
        .select((organisations::id, TerritoryRow::as_select()))
        .load(conn)
}

/// L1: organisations of the département with an `external_id` and something to book online (a
/// plage still running with a motif bookable by everyone or invited usagers, or such a
/// collective RDV to come), by id.
pub fn with_public_booking(
    conn: &mut DbConn,
    departement: &str,
    today: chrono::NaiveDate,
    now: chrono::NaiveDateTime,
) -> QueryResult<Vec<(i32, String)>> {
    use crate::db::schema::{motifs, plage_ouverture_motifs, plage_ouvertures, rdvs, territories};
    let public: Vec<&str> =
        rdv_shared::enums::BookableBy::ALL.iter().filter(|b| b.is_public()).map(|b| b.as_str()).collect();
    let with_plages = plage_ouvertures::table
        .inner_join(plage_ouverture_motifs::table.inner_join(motifs::table))
        .filter(motifs::deleted_at.is_null())
        .filter(motifs::bookable_by.eq_any(public.clone()))
        .filter(
            plage_ouvertures::first_day.ge(today).or(plage_ouvertures::recurrence
                .is_not_null()
                .and(plage_ouvertures::last_day.is_null().or(plage_ouvertures::last_day.ge(today)))),
        )
        .select(plage_ouvertures::organisation_id);
    let with_sessions = rdvs::table
        .inner_join(motifs::table)
        .filter(motifs::collectif.eq(true))
        .filter(motifs::deleted_at.is_null())
        .filter(motifs::bookable_by.eq_any(public))
        .filter(rdvs::starts_at.gt(now))
        .filter(rdvs::cancelled_at.is_null())
        .select(rdvs::organisation_id);
    let mut ids: Vec<i32> = with_plages.distinct().load(conn)?;
    ids.extend(with_sessions.distinct().load::<i32>(conn)?);
    organisations::table
        .inner_join(territories::table)
        .filter(territories::departement_number.eq(departement))
        .filter(organisations::id.in_ids(ids))
        .filter(organisations::external_id.is_not_null())
        .order(organisations::id)
        .select((organisations::id, organisations::external_id.assume_not_null()))
        .load(conn)
}

/// Ids of every organisation (public statistics of all territories).
pub fn all_ids(conn: &mut DbConn) -> QueryResult<Vec<i32>> {
    organisations::table.select(organisations::id).order(organisations::id).load(conn)
}
