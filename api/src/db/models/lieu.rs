//! Lieux (places). Never deleted: `availability = disabled` is the soft delete.

use crate::db::IdListDsl;
use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use rdv_shared::dto::{Lieu, LieuFields};
use rdv_shared::enums::LieuAvailability;
use rdv_shared::pagination::{offset, PER_PAGE};
use rdv_shared::OrganisationId;
use serde::Serialize;

use crate::audit::{self, Author, Event};
use crate::db::schema::lieux;
use crate::db::{now_utc, DbConn};

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = lieux)]
pub struct LieuRow {
    pub id: i32,
    pub organisation_id: i32,
    pub name: String,
    pub address: String,
    pub phone_number: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub availability: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl LieuRow {
    pub fn availability(&self) -> LieuAvailability {
        LieuAvailability::parse(&self.availability).unwrap_or(LieuAvailability::Disabled)
    }

    pub fn fields(&self) -> LieuFields {
        LieuFields {
            name: self.name.clone(),
            address: self.address.clone(),
            phone_number: self.phone_number.clone(),
            latitude: self.latitude,
            longitude: self.longitude,
            availability: self.availability(),
        }
    }

    pub fn to_dto(&self) -> Lieu {
        let availability = self.availability();
        Lieu {
            id: self.id,
            organisation_id: OrganisationId(self.organisation_id),
            name: self.name.clone(),
            address: self.address.clone(),
            phone_number: self.phone_number.clone(),
            latitude: self.latitude,
            longitude: self.longitude,
            availability,
            single_use: availability == LieuAvailability::SingleUse,
        }
    }
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = lieux, treat_none_as_null = true)]
struct LieuValues<'a> {
    name: &'a str,
    address: &'a str,
    phone_number: Option<&'a str>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    availability: &'a str,
}

fn values(f: &LieuFields) -> LieuValues<'_> {
    LieuValues {
        name: &f.name,
        address: &f.address,
        phone_number: f.phone_number.as_deref(),
        latitude: f.latitude,
        longitude: f.longitude,
        availability: f.availability.as_str(),
    }
}

pub fn find(conn: &mut DbConn, id: i32) -> QueryResult<Option<LieuRow>> {
    lieux::table.find(id).select(LieuRow::as_select()).get_result(conn).optional()
}

pub fn create(conn: &mut DbConn, author: &Author, organisation_id: i32, f: &LieuFields) -> QueryResult<LieuRow> {
    let now = now_utc();
    let id: i32 = diesel::insert_into(lieux::table)
        .values((
            values(f),
            lieux::organisation_id.eq(organisation_id),
            lieux::created_at.eq(now),
            lieux::updated_at.eq(now),
        ))
        .returning(lieux::id)
        .get_result(conn)?;
    let row = lieux::table.find(id).select(LieuRow::as_select()).get_result(conn)?;
    audit::record(conn, author, "Lieu", id, Event::Create, None, Some(&row))?;
    Ok(row)
}

pub fn update(conn: &mut DbConn, author: &Author, before: &LieuRow, f: &LieuFields) -> QueryResult<LieuRow> {
    if before.fields() == *f {
        return Ok(before.clone());
    }
    diesel::update(lieux::table.find(before.id)).set((values(f), lieux::updated_at.eq(now_utc()))).execute(conn)?;
    let after = lieux::table.find(before.id).select(LieuRow::as_select()).get_result(conn)?;
    audit::record(conn, author, "Lieu", after.id, Event::Update, Some(before), Some(&after))?;
    Ok(after)
}

/// One page of an organisation's lieux by name, optionally of one availability, and the total.
pub fn page_of(
    conn: &mut DbConn,
    organisation_id: i32,
    availability: Option<LieuAvailability>,
    page: i64,
) -> QueryResult<(Vec<LieuRow>, i64)> {
    let filtered = || {
        let mut q = lieux::table.filter(lieux::organisation_id.eq(organisation_id)).into_boxed();
        if let Some(a) = availability {
            q = q.filter(lieux::availability.eq(a.as_str()));
        }
        q
    };
    let total: i64 = filtered().count().get_result(conn)?;
    let rows = filtered()
        .order((lieux::name, lieux::id))
        .limit(PER_PAGE)
        .offset(offset(page))
        .select(LieuRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Lieux by id.
pub fn lieux_by_id(conn: &mut DbConn, ids: &[i32]) -> QueryResult<HashMap<i32, LieuRow>> {
    let rows: Vec<LieuRow> = lieux::table.filter(lieux::id.in_ids(ids)).select(LieuRow::as_select()).load(conn)?;
    Ok(rows.into_iter().map(|l| (l.id, l)).collect())
}

/// A lieu's id, name, address and coordinates.
pub type LieuPoint = (i32, String, String, Option<f64>, Option<f64>);

/// Id, name, address and coordinates of these lieux (the public search's distances).
pub fn points(conn: &mut DbConn, ids: &[i32]) -> QueryResult<Vec<LieuPoint>> {
    lieux::table
        .filter(lieux::id.in_ids(ids))
        .select((lieux::id, lieux::name, lieux::address, lieux::latitude, lieux::longitude))
        .load(conn)
}

/// Every lieu of an organisation (a webhook replay).
pub fn of_organisation(conn: &mut DbConn, organisation_id: i32) -> QueryResult<Vec<LieuRow>> {
    lieux::table
        .filter(lieux::organisation_id.eq(organisation_id))
        .order(lieux::id)
        .select(LieuRow::as_select())
        .load(conn)
}
