//! Motifs (appointment types) and motif categories. Deleting a motif is a soft delete
//! (`deleted_at`), so the RDVs that used it keep their history.

use crate::db::IdListDsl;
use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use rdv_shared::dto::{Motif, MotifCategory, MotifSettings};
use rdv_shared::enums::{BookableBy, LocationType, SectorisationLevel, VisibilityType};
use rdv_shared::pagination::{offset, PER_PAGE};
use rdv_shared::{OrganisationId, ServiceId};
use serde::Serialize;

use crate::audit::{self, Author, Event};
use crate::db::schema::{motif_categories, motifs};
use crate::db::{now_utc, DbConn};

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = motifs)]
pub struct MotifRow {
    pub id: i32,
    pub organisation_id: i32,
    pub service_id: i32,
    pub motif_category_id: Option<i32>,
    pub name: String,
    pub color: String,
    pub default_duration_in_min: i32,
    pub location_type: String,
    pub bookable_by: String,
    pub collectif: bool,
    pub min_public_booking_delay: i32,
    pub max_public_booking_delay: i32,
    pub visibility_type: String,
    pub sectorisation_level: String,
    pub follow_up: bool,
    pub for_secretariat: bool,
    pub instruction_for_rdv: Option<String>,
    pub restriction_for_rdv: Option<String>,
    pub custom_cancel_warning_message: Option<String>,
    pub rdvs_editable_by_user: bool,
    pub rdvs_cancellable_by_user: bool,
    pub deleted_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub slot_step_in_min: Option<i32>,
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = motif_categories)]
pub struct MotifCategoryRow {
    pub id: i32,
    pub name: String,
    pub short_name: String,
    pub created_at: NaiveDateTime,
}

impl MotifCategoryRow {
    pub fn to_dto(&self) -> MotifCategory {
        MotifCategory { id: self.id, name: self.name.clone(), short_name: self.short_name.clone() }
    }
}

impl MotifRow {
    /// On-site motifs need a lieu; phone, home and visio ones do not (reference §1.5). The one
    /// place this is decided: slot search, booking checks and the public search all ask here.
    pub fn needs_lieu(&self) -> bool {
        self.location() == LocationType::PublicOffice
    }

    /// Where its RDVs take place (on site for a hand-edited unknown value).
    pub fn location(&self) -> LocationType {
        LocationType::parse(&self.location_type).unwrap_or(LocationType::PublicOffice)
    }

    /// The stored settings; values written by this code always parse, the fallbacks only guard
    /// against hand-edited rows.
    pub fn settings(&self) -> MotifSettings {
        MotifSettings {
            name: self.name.clone(),
            service_id: ServiceId(self.service_id),
            motif_category_id: self.motif_category_id,
            color: self.color.clone(),
            default_duration_in_min: self.default_duration_in_min,
            slot_step_in_min: self.slot_step_in_min,
            location_type: self.location(),
            bookable_by: BookableBy::parse(&self.bookable_by).unwrap_or(BookableBy::Agents),
            collectif: self.collectif,
            min_public_booking_delay: self.min_public_booking_delay,
            max_public_booking_delay: self.max_public_booking_delay,
            visibility_type: VisibilityType::parse(&self.visibility_type).unwrap_or(VisibilityType::VisibleAndNotified),
            sectorisation_level: SectorisationLevel::parse(&self.sectorisation_level)
                .unwrap_or(SectorisationLevel::Departement),
            follow_up: self.follow_up,
            for_secretariat: self.for_secretariat,
            instruction_for_rdv: self.instruction_for_rdv.clone(),
            restriction_for_rdv: self.restriction_for_rdv.clone(),
            custom_cancel_warning_message: self.custom_cancel_warning_message.clone(),
            rdvs_editable_by_user: self.rdvs_editable_by_user,
            rdvs_cancellable_by_user: self.rdvs_cancellable_by_user,
        }
    }

    /// The API form; instants in the organisation's zone `tz`.
    pub fn to_dto(&self, tz: &str, category: Option<&MotifCategoryRow>) -> Motif {
        let s = self.settings();
        Motif {
            id: self.id,
            organisation_id: OrganisationId(self.organisation_id),
            service_id: s.service_id,
            motif_category: category.map(MotifCategoryRow::to_dto),
            name: s.name,
            color: s.color,
            default_duration_in_min: s.default_duration_in_min,
            slot_step_in_min: s.slot_step_in_min,
            location_type: s.location_type,
            bookable_by: s.bookable_by,
            bookable_publicly: s.bookable_by.is_public(),
            collectif: s.collectif,
            min_public_booking_delay: s.min_public_booking_delay,
            max_public_booking_delay: s.max_public_booking_delay,
            visibility_type: s.visibility_type,
            sectorisation_level: s.sectorisation_level,
            follow_up: s.follow_up,
            for_secretariat: s.for_secretariat,
            instruction_for_rdv: s.instruction_for_rdv,
            restriction_for_rdv: s.restriction_for_rdv,
            custom_cancel_warning_message: s.custom_cancel_warning_message,
            rdvs_editable_by_user: s.rdvs_editable_by_user,
            rdvs_cancellable_by_user: s.rdvs_cancellable_by_user,
            active: self.deleted_at.is_none(),
            deleted_at: self.deleted_at.map(|d| rdv_shared::time::in_zone(d, tz)),
        }
    }
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = motifs, treat_none_as_null = true)]
struct MotifValues<'a> {
    service_id: i32,
    motif_category_id: Option<i32>,
    name: &'a str,
    color: &'a str,
    default_duration_in_min: i32,
    slot_step_in_min: Option<i32>,
    location_type: &'a str,
    bookable_by: &'a str,
    collectif: bool,
    min_public_booking_delay: i32,
    max_public_booking_delay: i32,
    visibility_type: &'a str,
    sectorisation_level: &'a str,
    follow_up: bool,
    for_secretariat: bool,
    instruction_for_rdv: Option<&'a str>,
    restriction_for_rdv: Option<&'a str>,
    custom_cancel_warning_message: Option<&'a str>,
    rdvs_editable_by_user: bool,
    rdvs_cancellable_by_user: bool,
}

fn values(s: &MotifSettings) -> MotifValues<'_> {
    MotifValues {
        service_id: s.service_id.0,
        motif_category_id: s.motif_category_id,
        name: &s.name,
        color: &s.color,
        default_duration_in_min: s.default_duration_in_min,
        slot_step_in_min: s.slot_step_in_min,
        location_type: s.location_type.as_str(),
        bookable_by: s.bookable_by.as_str(),
        collectif: s.collectif,
        min_public_booking_delay: s.min_public_booking_delay,
        max_public_booking_delay: s.max_public_booking_delay,
        visibility_type: s.visibility_type.as_str(),
        sectorisation_level: s.sectorisation_level.as_str(),
        follow_up: s.follow_up,
        for_secretariat: s.for_secretariat,
        instruction_for_rdv: s.instruction_for_rdv.as_deref(),
        restriction_for_rdv: s.restriction_for_rdv.as_deref(),
        custom_cancel_warning_message: s.custom_cancel_warning_message.as_deref(),
        rdvs_editable_by_user: s.rdvs_editable_by_user,
        rdvs_cancellable_by_user: s.rdvs_cancellable_by_user,
    }
}

pub fn find(conn: &mut DbConn, id: i32) -> QueryResult<Option<MotifRow>> {
    motifs::table.find(id).select(MotifRow::as_select()).get_result(conn).optional()
}

pub fn category(conn: &mut DbConn, id: Option<i32>) -> QueryResult<Option<MotifCategoryRow>> {
    match id {
        None => Ok(None),
        Some(id) => motif_categories::table.find(id).select(MotifCategoryRow::as_select()).get_result(conn).optional(),
    }
}

/// Adds a category to the global catalogue (seed, operators).
pub fn create_category(
    conn: &mut DbConn,
    author: &Author,
    name: &str,
    short_name: &str,
) -> QueryResult<MotifCategoryRow> {
    let id: i32 = diesel::insert_into(motif_categories::table)
        .values((
            motif_categories::name.eq(name),
            motif_categories::short_name.eq(short_name),
            motif_categories::created_at.eq(now_utc()),
        ))
        .returning(motif_categories::id)
        .get_result(conn)?;
    let row = motif_categories::table.find(id).select(MotifCategoryRow::as_select()).get_result(conn)?;
    audit::record(
        conn,
        author,
        "MotifCategory",
        id,
        Event::Create,
        None,
        Some(&(row.name.clone(), row.short_name.clone())),
    )?;
    Ok(row)
}

pub fn categories(conn: &mut DbConn) -> QueryResult<Vec<MotifCategoryRow>> {
    motif_categories::table.order(motif_categories::id).select(MotifCategoryRow::as_select()).load(conn)
}

/// Is another active motif of the organisation using this name for the same service and location type?
pub fn name_taken(
    conn: &mut DbConn,
    organisation_id: i32,
    s: &MotifSettings,
    except: Option<i32>,
) -> QueryResult<bool> {
    let ids: Vec<i32> = motifs::table
        .filter(motifs::organisation_id.eq(organisation_id))
        .filter(motifs::deleted_at.is_null())
        .filter(motifs::service_id.eq(s.service_id.0))
        .filter(motifs::location_type.eq(s.location_type.as_str()))
        .filter(motifs::name.eq(&s.name))
        .select(motifs::id)
        .load(conn)?;
    Ok(ids.into_iter().any(|id| Some(id) != except))
}

pub fn create(conn: &mut DbConn, author: &Author, organisation_id: i32, s: &MotifSettings) -> QueryResult<MotifRow> {
    let now = now_utc();
    let id: i32 = diesel::insert_into(motifs::table)
        .values((
            values(s),
            motifs::organisation_id.eq(organisation_id),
            motifs::created_at.eq(now),
            motifs::updated_at.eq(now),
        ))
        .returning(motifs::id)
        .get_result(conn)?;
    let row = motifs::table.find(id).select(MotifRow::as_select()).get_result(conn)?;
    audit::record(conn, author, "Motif", id, Event::Create, None, Some(&row))?;
    Ok(row)
}

pub fn update(conn: &mut DbConn, author: &Author, before: &MotifRow, s: &MotifSettings) -> QueryResult<MotifRow> {
    if before.settings() == *s {
        return Ok(before.clone());
    }
    diesel::update(motifs::table.find(before.id)).set((values(s), motifs::updated_at.eq(now_utc()))).execute(conn)?;
    let after = motifs::table.find(before.id).select(MotifRow::as_select()).get_result(conn)?;
    audit::record(conn, author, "Motif", after.id, Event::Update, Some(before), Some(&after))?;
    Ok(after)
}

/// Soft delete; recorded as `destroy` in the audit trail.
pub fn soft_delete(conn: &mut DbConn, author: &Author, before: &MotifRow) -> QueryResult<MotifRow> {
    let now = now_utc();
    diesel::update(motifs::table.find(before.id))
        .set((motifs::deleted_at.eq(Some(now)), motifs::updated_at.eq(now)))
        .execute(conn)?;
    let after = motifs::table.find(before.id).select(MotifRow::as_select()).get_result(conn)?;
    audit::record(conn, author, "Motif", after.id, Event::Destroy, Some(before), Some(&after))?;
    Ok(after)
}

/// Filters of the motif list (API v1 M1 plus search).
#[derive(Debug, Clone, Default)]
pub struct MotifFilter {
    pub active: Option<bool>,
    pub bookable_publicly: Option<bool>,
    pub service_id: Option<i32>,
    /// Only these services (basic agents see their services' motifs); `None` = all.
    pub visible_services: Option<Vec<i32>>,
    /// Only this category (`Some(None)`: a category that does not exist, so nothing).
    pub category_id: Option<Option<i32>>,
}

/// Matching motifs of an organisation by id (paged when `page` is given), and the total.
pub fn list(
    conn: &mut DbConn,
    organisation_id: i32,
    f: &MotifFilter,
    page: Option<i64>,
) -> QueryResult<(Vec<MotifRow>, i64)> {
    let filtered = || {
        let mut q = motifs::table.filter(motifs::organisation_id.eq(organisation_id)).into_boxed();
        match f.active {
            Some(true) => q = q.filter(motifs::deleted_at.is_null()),
            Some(false) => q = q.filter(motifs::deleted_at.is_not_null()),
            None => {}
        }
        let public: Vec<&str> = BookableBy::ALL.iter().filter(|b| b.is_public()).map(|b| b.as_str()).collect();
        match f.bookable_publicly {
            Some(true) => q = q.filter(motifs::bookable_by.eq_any(public)),
            Some(false) => q = q.filter(motifs::bookable_by.ne_all(public)),
            None => {}
        }
        if let Some(service) = f.service_id {
            q = q.filter(motifs::service_id.eq(service));
        }
        if let Some(services) = &f.visible_services {
            q = q.filter(motifs::service_id.in_ids(services));
        }
        match f.category_id {
            Some(Some(c)) => q = q.filter(motifs::motif_category_id.eq(c)),
            Some(None) => q = q.filter(motifs::id.eq(-1)),
            None => {}
        }
        q
    };
    let total: i64 = filtered().count().get_result(conn)?;
    let mut q = filtered().order(motifs::id).select(MotifRow::as_select());
    if let Some(page) = page {
        q = q.limit(PER_PAGE).offset(offset(page));
    }
    Ok((q.load(conn)?, total))
}

/// Motifs by id (deleted ones included).
pub fn motifs_by_id(conn: &mut DbConn, ids: &[i32]) -> QueryResult<HashMap<i32, MotifRow>> {
    let rows: Vec<MotifRow> = motifs::table.filter(motifs::id.in_ids(ids)).select(MotifRow::as_select()).load(conn)?;
    Ok(rows.into_iter().map(|m| (m.id, m)).collect())
}

/// Live motifs of these organisations whose `bookable_by` is one of `kinds`, with their service's name.
pub fn bookable_by(
    conn: &mut DbConn,
    organisation_ids: &[i32],
    kinds: &[&str],
) -> QueryResult<Vec<(MotifRow, String)>> {
    use crate::db::schema::services;
    motifs::table
        .inner_join(services::table)
        .filter(motifs::organisation_id.in_ids(organisation_ids))
        .filter(motifs::deleted_at.is_null())
        .filter(motifs::bookable_by.eq_any(kinds))
        .select((MotifRow::as_select(), services::name))
        .load(conn)
}

/// Live motifs of these organisations that are not reserved to agents (the sectorisation
/// test), by organisation and name.
pub fn bookable_beyond_agents(conn: &mut DbConn, organisation_ids: &[i32]) -> QueryResult<Vec<MotifRow>> {
    motifs::table
        .filter(motifs::organisation_id.in_ids(organisation_ids))
        .filter(motifs::deleted_at.is_null())
        .filter(motifs::bookable_by.ne(BookableBy::Agents.as_str()))
        .order((motifs::organisation_id, motifs::name))
        .select(MotifRow::as_select())
        .load(conn)
}
