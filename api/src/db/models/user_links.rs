//! What ties a usager to others: profiles (usager ↔ organisation, shared by the family cell),
//! referent agents, the family cell itself, and the two ends of a record's life: anonymisation
//! when it leaves its last organisation, and merge of two records of one person
//! (reference-domain.md §1.4, §9.2).

use diesel::prelude::*;
use rdv_shared::dto::MERGEABLE_FIELDS;

use super::user::{self, UserRow};
use crate::audit::{self, Author, Event};
use crate::db::schema::{referent_assignations, user_profiles, users, versions};
use crate::db::{now_utc, DbConn};

/// Anonymised usagers keep this e-mail domain: rdv-insertion recognises them by it (reference §3.2).
pub const DELETED_EMAIL_DOMAIN: &str = "deleted.rdv-solidarites.fr";
pub const DELETED_NAME: &str = "Usager supprimé";

#[derive(serde::Serialize)]
struct ProfileVersion {
    user_id: i32,
    organisation_id: i32,
}

#[derive(serde::Serialize)]
struct ReferentVersion {
    user_id: i32,
    agent_id: i32,
}

/// The family cell of a usager: its responsable (or itself) and all the responsable's relatives.
pub fn cell(conn: &mut DbConn, u: &UserRow) -> QueryResult<Vec<i32>> {
    let root = u.responsible_id.unwrap_or(u.id);
    let mut ids: Vec<i32> = users::table
        .filter(users::responsible_id.eq(root))
        .filter(users::deleted_at.is_null())
        .select(users::id)
        .load(conn)?;
    ids.push(root);
    ids.sort();
    ids.dedup();
    Ok(ids)
}

/// Live relatives of a responsable.
pub fn relatives(conn: &mut DbConn, responsible_id: i32) -> QueryResult<Vec<UserRow>> {
    users::table
        .filter(users::responsible_id.eq(responsible_id))
        .filter(users::deleted_at.is_null())
        .order((users::first_name, users::id))
        .select(UserRow::as_select())
        .load(conn)
}

fn add_profile(conn: &mut DbConn, author: &Author, user_id: i32, organisation_id: i32) -> QueryResult<bool> {
    let exists: i64 = user_profiles::table
        .filter(user_profiles::user_id.eq(user_id))
        .filter(user_profiles::organisation_id.eq(organisation_id))
        .count()
        .get_result(conn)?;
    if exists > 0 {
        return Ok(false);
    }
    let id: i32 = diesel::insert_into(user_profiles::table)
        .values((
            user_profiles::user_id.eq(user_id),
            user_profiles::organisation_id.eq(organisation_id),
            user_profiles::created_at.eq(now_utc()),
        ))
        .returning(user_profiles::id)
        .get_result(conn)?;
    let v = ProfileVersion { user_id, organisation_id };
    audit::record(conn, author, "UserProfile", id, Event::Create, None, Some(&v))?;
    Ok(true)
}

/// Adds the organisations to the usager's whole family cell (a cell shares its organisations).
/// Returns whether the usager itself gained a profile.
pub fn attach(conn: &mut DbConn, author: &Author, u: &UserRow, organisation_ids: &[i32]) -> QueryResult<bool> {
    let mut added = false;
    for member in cell(conn, u)? {
        for org in organisation_ids {
            let new = add_profile(conn, author, member, *org)?;
            added |= new && member == u.id;
        }
    }
    Ok(added)
}

/// A new relative joins its responsable's organisations, and the responsable joins the
/// relative's (reference: organisations are synced across the cell).
pub fn sync_cell(conn: &mut DbConn, author: &Author, u: &UserRow) -> QueryResult<()> {
    let mut orgs: Vec<i32> = Vec::new();
    for member in cell(conn, u)? {
        orgs.extend(user::organisation_ids(conn, member)?);
    }
    orgs.sort();
    orgs.dedup();
    attach(conn, author, u, &orgs).map(|_| ())
}

/// Removes the usager (and, for a responsable, its relatives) from an organisation; a member
/// left without any organisation is anonymised. Returns the ids anonymised.
/// Callers refuse first while the cell has future RDVs there (`rdv_reads::future_count_for_users`).
pub fn detach(conn: &mut DbConn, author: &Author, u: &UserRow, organisation_id: i32) -> QueryResult<Vec<i32>> {
    let mut members = vec![u.id];
    if u.responsible_id.is_none() {
        members.extend(relatives(conn, u.id)?.iter().map(|r| r.id));
    }
    let mut anonymised = Vec::new();
    for member in members {
        let rows: Vec<i32> = user_profiles::table
            .filter(user_profiles::user_id.eq(member))
            .filter(user_profiles::organisation_id.eq(organisation_id))
            .select(user_profiles::id)
            .load(conn)?;
        for id in rows {
            diesel::delete(user_profiles::table.find(id)).execute(conn)?;
            let v = ProfileVersion { user_id: member, organisation_id };
            audit::record(conn, author, "UserProfile", id, Event::Destroy, Some(&v), None)?;
        }
        if user::organisation_ids(conn, member)?.is_empty() {
            if let Some(row) = user::find(conn, member)? {
                anonymise(conn, author, &row)?;
                anonymised.push(member);
            }
        }
    }
    Ok(anonymised)
}

/// Is this agent already a referent of the usager?
pub fn is_referent(conn: &mut DbConn, user_id: i32, agent_id: i32) -> QueryResult<bool> {
    let n: i64 = referent_assignations::table
        .filter(referent_assignations::user_id.eq(user_id))
        .filter(referent_assignations::agent_id.eq(agent_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

pub fn referent_ids(conn: &mut DbConn, user_id: i32) -> QueryResult<Vec<i32>> {
    referent_assignations::table
        .filter(referent_assignations::user_id.eq(user_id))
        .order(referent_assignations::agent_id)
        .select(referent_assignations::agent_id)
        .load(conn)
}

pub fn add_referent(conn: &mut DbConn, author: &Author, user_id: i32, agent_id: i32) -> QueryResult<bool> {
    if is_referent(conn, user_id, agent_id)? {
        return Ok(false);
    }
    let id: i32 = diesel::insert_into(referent_assignations::table)
        .values((
            referent_assignations::user_id.eq(user_id),
            referent_assignations::agent_id.eq(agent_id),
            referent_assignations::created_at.eq(now_utc()),
        ))
        .returning(referent_assignations::id)
        .get_result(conn)?;
    audit::record(
        conn,
        author,
        "ReferentAssignation",
        id,
        Event::Create,
        None,
        Some(&ReferentVersion { user_id, agent_id }),
    )?;
    Ok(true)
}

pub fn remove_referent(conn: &mut DbConn, author: &Author, user_id: i32, agent_id: i32) -> QueryResult<bool> {
    let ids: Vec<i32> = referent_assignations::table
        .filter(referent_assignations::user_id.eq(user_id))
        .filter(referent_assignations::agent_id.eq(agent_id))
        .select(referent_assignations::id)
        .load(conn)?;
    for id in &ids {
        diesel::delete(referent_assignations::table.find(*id)).execute(conn)?;
        audit::record(
            conn,
            author,
            "ReferentAssignation",
            *id,
            Event::Destroy,
            Some(&ReferentVersion { user_id, agent_id }),
            None,
        )?;
    }
    Ok(!ids.is_empty())
}

/// Makes the referents exactly `wanted` (API update replaces the set).
pub fn set_referents(conn: &mut DbConn, author: &Author, user_id: i32, wanted: &[i32]) -> QueryResult<()> {
    let current = referent_ids(conn, user_id)?;
    for agent_id in current.iter().filter(|a| !wanted.contains(a)) {
        remove_referent(conn, author, user_id, *agent_id)?;
    }
    for agent_id in wanted {
        add_referent(conn, author, user_id, *agent_id)?;
    }
    Ok(())
}

/// Makes the profiles exactly `wanted` (API update replaces the set); removed organisations go
/// through [`detach`], so that leaving every organisation anonymises.
pub fn set_organisations(conn: &mut DbConn, author: &Author, u: &UserRow, wanted: &[i32]) -> QueryResult<()> {
    attach(conn, author, u, wanted)?;
    for org in user::organisation_ids(conn, u.id)?.into_iter().filter(|o| !wanted.contains(o)) {
        detach(conn, author, u, org)?;
    }
    Ok(())
}

/// Anonymises a usager that left its last organisation (reference U-soft-delete): names become
/// "Usager supprimé", the e-mail `user_<id>@deleted.rdv-solidarites.fr`, every other personal
/// field is cleared, referents and search terms removed. Its earlier audit versions hold
/// personal data and are deleted, as the reference does; one `destroy` version without personal
/// data records who did it and when.
pub fn anonymise(conn: &mut DbConn, author: &Author, u: &UserRow) -> QueryResult<()> {
    let now = now_utc();
    let mut values = user::UserValues::new_record();
    values.first_name = DELETED_NAME.to_owned();
    values.last_name = DELETED_NAME.to_owned();
    values.email = Some(format!("user_{}@{DELETED_EMAIL_DOMAIN}", u.id));
    values.notify_by_sms = false;
    values.notify_by_email = false;
    diesel::update(users::table.find(u.id))
        .set((
            &values,
            users::deleted_at.eq(Some(now)),
            users::updated_at.eq(now),
            users::rdv_invitation_token.eq(None::<String>),
        ))
        .execute(conn)?;
    diesel::update(users::table.filter(users::responsible_id.eq(u.id)))
        .set(users::responsible_id.eq(None::<i32>))
        .execute(conn)?;
    diesel::delete(referent_assignations::table.filter(referent_assignations::user_id.eq(u.id))).execute(conn)?;
    diesel::delete(user_profiles::table.filter(user_profiles::user_id.eq(u.id))).execute(conn)?;
    diesel::delete(versions::table.filter(versions::item_type.eq("User")).filter(versions::item_id.eq(u.id)))
        .execute(conn)?;
    let after = users::table.find(u.id).select(UserRow::as_select()).get_result(conn)?;
    super::user_search::reindex(conn, &after)?;
    #[derive(serde::Serialize)]
    struct Gone {
        deleted_at: chrono::NaiveDateTime,
    }
    audit::record(conn, author, "User", u.id, Event::Destroy, None::<&Gone>, Some(&Gone { deleted_at: now }))
}

/// Merges `merged` into `kept` (reference MergeUsersService): fields listed in `keep_from_merged`
/// take the merged record's value, its organisations, referents and relatives move to `kept`,
/// then `merged` is anonymised. Returns the kept usager after the merge.
pub fn merge(
    conn: &mut DbConn,
    author: &Author,
    kept: &UserRow,
    merged: &UserRow,
    keep_from_merged: &[String],
) -> QueryResult<UserRow> {
    let mut v = kept.values();
    let m = merged.values();
    for field in keep_from_merged.iter().filter(|f| MERGEABLE_FIELDS.contains(&f.as_str())) {
        match field.as_str() {
            "first_name" => v.first_name = m.first_name.clone(),
            "last_name" => v.last_name = m.last_name.clone(),
            "birth_name" => v.birth_name = m.birth_name.clone(),
            "birth_date" => v.birth_date = m.birth_date,
            "email" => v.email = m.email.clone(),
            "phone_number" => {
                v.phone_number = m.phone_number.clone();
                v.phone_number_formatted = m.phone_number_formatted.clone();
            }
            "address" => {
                v.address = m.address.clone();
                v.post_code = m.post_code.clone();
                v.city_code = m.city_code.clone();
                v.city_name = m.city_name.clone();
            }
            "address_details" => v.address_details = m.address_details.clone(),
            "caisse_affiliation" => v.caisse_affiliation = m.caisse_affiliation.clone(),
            "affiliation_number" => v.affiliation_number = m.affiliation_number.clone(),
            "family_situation" => v.family_situation = m.family_situation.clone(),
            "number_of_children" => v.number_of_children = m.number_of_children,
            "logement" => v.logement = m.logement.clone(),
            "case_number" => v.case_number = m.case_number.clone(),
            "pmi_case_number" => v.pmi_case_number = m.pmi_case_number.clone(),
            "notes" => v.notes = m.notes.clone(),
            "notify_by_sms" => v.notify_by_sms = m.notify_by_sms,
            "notify_by_email" => v.notify_by_email = m.notify_by_email,
            _ => {}
        }
    }
    if v.responsible_id == Some(merged.id) {
        v.responsible_id = None;
    }
    v.identity_key = rdv_shared::usager::identity_key(&v.first_name, &v.last_name, v.birth_date);
    // The e-mail is unique: free it on the merged record before the kept one takes it.
    if v.email.is_some() && v.email == merged.email {
        diesel::update(users::table.find(merged.id)).set(users::email.eq(None::<String>)).execute(conn)?;
    }
    let orgs = user::organisation_ids(conn, merged.id)?;
    let referents = referent_ids(conn, merged.id)?;
    let moved_relatives: Vec<i32> =
        relatives(conn, merged.id)?.iter().map(|r| r.id).filter(|id| *id != kept.id).collect();
    let after = user::update(conn, author, kept, &v)?;
    // A cell has one level: if the kept usager is itself a relative, the relatives join its responsable.
    let new_responsible = after.responsible_id.unwrap_or(kept.id);
    for relative in moved_relatives {
        if let Some(r) = user::find(conn, relative)? {
            let mut rv = r.values();
            rv.responsible_id = Some(new_responsible);
            user::update(conn, author, &r, &rv)?;
        }
    }
    attach(conn, author, &after, &orgs)?;
    for agent_id in referents {
        add_referent(conn, author, kept.id, agent_id)?;
    }
    super::rdv::move_participations(conn, author, merged.id, kept.id)?;
    if let Some(m) = user::find(conn, merged.id)? {
        anonymise(conn, author, &m)?;
    }
    users::table.find(kept.id).select(UserRow::as_select()).get_result(conn)
}
