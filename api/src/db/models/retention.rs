//! The retention purge's reads and deletes (RGPD, `services::retention` decides what goes).
//! Deletions here record what the audit trail may keep about them: that the record was purged,
//! when and by whom (`rgpd`), never its content.

use crate::db::IdListDsl;
use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use rdv_shared::dto::RetentionPolicy;

use crate::audit::{self, Author, Event};
use crate::db::models::outbox::{CANCELLED, FAILED, SENT};
use crate::db::schema::{
    agents_rdvs, auth_tokens, exports, idempotency_keys, organisations, outbox, participations, password_resets,
    rdv_links, rdvs, receipts, referent_assignations, retention_policies, retention_runs, territories, user_profiles,
    user_search_terms, users, versions, webhook_deliveries,
};
use crate::db::{now_utc, DbConn};

/// IN lists are sent in chunks of this size (SQLite's variable limit, PostgreSQL's plan size).
pub const CHUNK: usize = 500;

/// What the audit trail keeps of a purged record.
#[derive(serde::Serialize)]
struct Purged {
    purged_at: NaiveDateTime,
    reason: &'static str,
}

fn purged() -> Purged {
    Purged { purged_at: now_utc(), reason: "rgpd" }
}

/// Every territory with its name and organisations.
pub fn territories_with_organisations(conn: &mut DbConn) -> QueryResult<Vec<(i32, String, Vec<i32>)>> {
    let list: Vec<(i32, String)> =
        territories::table.order(territories::id).select((territories::id, territories::name)).load(conn)?;
    let orgs: Vec<(i32, i32)> =
        organisations::table.select((organisations::territory_id, organisations::id)).load(conn)?;
    let mut by_territory: HashMap<i32, Vec<i32>> = HashMap::new();
    for (t, o) in orgs {
        by_territory.entry(t).or_default().push(o);
    }
    Ok(list.into_iter().map(|(id, name)| (id, name, by_territory.remove(&id).unwrap_or_default())).collect())
}

/// The policies territories chose (a territory without a row has the defaults).
pub fn policies(conn: &mut DbConn) -> QueryResult<HashMap<i32, RetentionPolicy>> {
    let rows: Vec<(i32, i32, i32, i32)> = retention_policies::table
        .select((
            retention_policies::territory_id,
            retention_policies::rdv_days,
            retention_policies::inactive_usager_days,
            retention_policies::receipt_days,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(t, rdv_days, inactive_usager_days, receipt_days)| {
            (t, RetentionPolicy { rdv_days, inactive_usager_days, receipt_days })
        })
        .collect())
}

/// Sets a territory's policy, with its audit version.
pub fn set_policy(conn: &mut DbConn, author: &Author, territory_id: i32, p: &RetentionPolicy) -> QueryResult<()> {
    let before = policies(conn)?.remove(&territory_id);
    let values = (
        retention_policies::rdv_days.eq(p.rdv_days),
        retention_policies::inactive_usager_days.eq(p.inactive_usager_days),
        retention_policies::receipt_days.eq(p.receipt_days),
        retention_policies::updated_at.eq(now_utc()),
    );
    if before.is_some() {
        diesel::update(retention_policies::table.find(territory_id)).set(values).execute(conn)?;
    } else {
        diesel::insert_into(retention_policies::table)
            .values((retention_policies::territory_id.eq(territory_id), values))
            .execute(conn)?;
    }
    let event = if before.is_some() { Event::Update } else { Event::Create };
    audit::record(conn, author, "RetentionPolicy", territory_id, event, before.as_ref(), Some(p))
}

/// RDVs of `organisation_ids` that started before `before`, oldest first.
pub fn rdvs_started_before(
    conn: &mut DbConn,
    organisation_ids: &[i32],
    before: NaiveDateTime,
) -> QueryResult<Vec<i32>> {
    let mut ids = Vec::new();
    for orgs in organisation_ids.chunks(CHUNK) {
        ids.extend(
            rdvs::table
                .filter(rdvs::organisation_id.in_ids(orgs))
                .filter(rdvs::starts_at.lt(before))
                .order(rdvs::starts_at)
                .select(rdvs::id)
                .load::<i32>(conn)?,
        );
    }
    Ok(ids)
}

/// Deletes an RDV for retention: its participations and agents go with it (links and waiting
/// lists by cascade); the audit trail keeps only that it was purged.
pub fn purge_rdv(conn: &mut DbConn, author: &Author, id: i32) -> QueryResult<usize> {
    diesel::delete(participations::table.filter(participations::rdv_id.eq(id))).execute(conn)?;
    diesel::delete(agents_rdvs::table.filter(agents_rdvs::rdv_id.eq(id))).execute(conn)?;
    diesel::delete(rdv_links::table.filter(rdv_links::rdv_id.eq(id))).execute(conn)?;
    let n = diesel::delete(rdvs::table.find(id)).execute(conn)?;
    if n > 0 {
        audit::record(conn, author, "Rdv", id, Event::Destroy, None::<&Purged>, Some(&purged()))?;
    }
    Ok(n)
}

/// A usager as the purge sees it.
#[derive(Debug, Clone, Copy)]
pub struct UsagerAge {
    pub id: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub anonymised: bool,
}

/// Live usagers neither created nor changed since `before`, and every anonymised usager.
pub fn usagers_to_consider(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<Vec<UsagerAge>> {
    let stale: Vec<(i32, NaiveDateTime, NaiveDateTime)> = users::table
        .filter(users::deleted_at.is_null())
        .filter(users::updated_at.lt(before))
        .filter(users::created_at.lt(before))
        .select((users::id, users::created_at, users::updated_at))
        .load(conn)?;
    let gone: Vec<(i32, NaiveDateTime, NaiveDateTime)> = users::table
        .filter(users::deleted_at.is_not_null())
        .select((users::id, users::created_at, users::updated_at))
        .load(conn)?;
    let mut list: Vec<UsagerAge> = stale
        .into_iter()
        .map(|(id, created_at, updated_at)| UsagerAge { id, created_at, updated_at, anonymised: false })
        .collect();
    list.extend(gone.into_iter().map(|(id, created_at, updated_at)| UsagerAge {
        id,
        created_at,
        updated_at,
        anonymised: true,
    }));
    Ok(list)
}

/// Organisations of each usager.
pub fn organisations_of(conn: &mut DbConn, user_ids: &[i32]) -> QueryResult<HashMap<i32, Vec<i32>>> {
    let mut map: HashMap<i32, Vec<i32>> = HashMap::new();
    for ids in user_ids.chunks(CHUNK) {
        let rows: Vec<(i32, i32)> = user_profiles::table
            .filter(user_profiles::user_id.in_ids(ids))
            .select((user_profiles::user_id, user_profiles::organisation_id))
            .load(conn)?;
        for (u, o) in rows {
            map.entry(u).or_default().push(o);
        }
    }
    Ok(map)
}

/// The RDVs each usager takes part in: (organisation, start).
pub fn participations_of(conn: &mut DbConn, user_ids: &[i32]) -> QueryResult<HashMap<i32, Vec<(i32, NaiveDateTime)>>> {
    let mut map: HashMap<i32, Vec<(i32, NaiveDateTime)>> = HashMap::new();
    for ids in user_ids.chunks(CHUNK) {
        let rows: Vec<(i32, i32, NaiveDateTime)> = participations::table
            .inner_join(rdvs::table)
            .filter(participations::user_id.in_ids(ids))
            .select((participations::user_id, rdvs::organisation_id, rdvs::starts_at))
            .load(conn)?;
        for (u, o, s) in rows {
            map.entry(u).or_default().push((o, s));
        }
    }
    Ok(map)
}

/// Removes a usager from all its organisations (one `UserProfile destroyed` each, as the
/// reference announces an anonymisation) and anonymises it.
pub fn retire_usager(conn: &mut DbConn, author: &Author, user_id: i32) -> QueryResult<bool> {
    let Some(u) = super::user::find(conn, user_id)? else { return Ok(false) };
    #[derive(serde::Serialize)]
    struct ProfileVersion {
        user_id: i32,
        organisation_id: i32,
    }
    let profiles: Vec<(i32, i32)> = user_profiles::table
        .filter(user_profiles::user_id.eq(user_id))
        .select((user_profiles::id, user_profiles::organisation_id))
        .load(conn)?;
    for (id, organisation_id) in profiles {
        diesel::delete(user_profiles::table.find(id)).execute(conn)?;
        let v = ProfileVersion { user_id, organisation_id };
        audit::record(conn, author, "UserProfile", id, Event::Destroy, Some(&v), None)?;
    }
    super::user_links::anonymise(conn, author, &u)?;
    Ok(true)
}

/// Deletes an anonymised usager's row once no RDV refers to it; its relatives lose their link.
pub fn delete_usager(conn: &mut DbConn, author: &Author, user_id: i32) -> QueryResult<usize> {
    let in_rdvs: i64 = participations::table.filter(participations::user_id.eq(user_id)).count().get_result(conn)?;
    if in_rdvs > 0 {
        return Ok(0);
    }
    diesel::update(users::table.filter(users::responsible_id.eq(user_id)))
        .set(users::responsible_id.eq(None::<i32>))
        .execute(conn)?;
    diesel::delete(user_search_terms::table.filter(user_search_terms::user_id.eq(user_id))).execute(conn)?;
    diesel::delete(referent_assignations::table.filter(referent_assignations::user_id.eq(user_id))).execute(conn)?;
    diesel::delete(user_profiles::table.filter(user_profiles::user_id.eq(user_id))).execute(conn)?;
    diesel::delete(rdv_links::table.filter(rdv_links::user_id.eq(user_id))).execute(conn)?;
    diesel::delete(versions::table.filter(versions::item_type.eq("User")).filter(versions::item_id.eq(user_id)))
        .execute(conn)?;
    let n = diesel::delete(users::table.find(user_id)).execute(conn)?;
    if n > 0 {
        audit::record(conn, author, "User", user_id, Event::Destroy, None::<&Purged>, Some(&purged()))?;
    }
    Ok(n)
}

/// Receipts of `organisation_ids` (`None`: receipts of no organisation) created before `before`:
/// counted, or deleted when `delete`.
pub fn receipts_before(
    conn: &mut DbConn,
    organisation_ids: Option<&[i32]>,
    before: NaiveDateTime,
    delete: bool,
) -> QueryResult<i64> {
    let Some(orgs) = organisation_ids else {
        let q = receipts::table.filter(receipts::organisation_id.is_null()).filter(receipts::created_at.lt(before));
        return if delete { Ok(diesel::delete(q).execute(conn)? as i64) } else { q.count().get_result(conn) };
    };
    let mut n = 0;
    for chunk in orgs.chunks(CHUNK) {
        let q = receipts::table.filter(receipts::organisation_id.in_ids(chunk)).filter(receipts::created_at.lt(before));
        n += if delete { diesel::delete(q).execute(conn)? as i64 } else { q.count().get_result::<i64>(conn)? };
    }
    Ok(n)
}

/// Versions of records with personal data older than `personal`, and every version older than
/// `all`: counted, or deleted when `delete`.
pub fn old_versions(
    conn: &mut DbConn,
    impersonal: &[&str],
    personal: NaiveDateTime,
    all: NaiveDateTime,
    delete: bool,
) -> QueryResult<i64> {
    let personal_q = versions::table
        .filter(versions::created_at.lt(personal))
        .filter(versions::item_type.ne_all(impersonal.iter().map(|s| s.to_string()).collect::<Vec<_>>()));
    let impersonal_q = versions::table
        .filter(versions::created_at.lt(all))
        .filter(versions::item_type.eq_any(impersonal.iter().map(|s| s.to_string()).collect::<Vec<_>>()));
    if delete {
        Ok((diesel::delete(personal_q).execute(conn)? + diesel::delete(impersonal_q).execute(conn)?) as i64)
    } else {
        Ok(personal_q.count().get_result::<i64>(conn)? + impersonal_q.count().get_result::<i64>(conn)?)
    }
}

/// Versions older than `before` that still name their author: counted, or blanked.
pub fn version_authors(conn: &mut DbConn, before: NaiveDateTime, blank: bool) -> QueryResult<i64> {
    let q = versions::table
        .filter(versions::created_at.lt(before))
        .filter(versions::author_agent_id.is_not_null().or(versions::whodunnit.ne("")));
    if blank {
        let n = diesel::update(q)
            .set((versions::author_agent_id.eq(None::<i32>), versions::whodunnit.eq("")))
            .execute(conn)?;
        Ok(n as i64)
    } else {
        q.count().get_result(conn)
    }
}

/// Technical records past their use: expired sessions and reset links, old idempotency keys,
/// finished outbox rows and webhook delivery logs. Counted, or deleted when `delete`; in the
/// order of `dto::PlatformRetentionCounts`.
pub fn technical(
    conn: &mut DbConn,
    now: NaiveDateTime,
    idempotency_before: NaiveDateTime,
    outbox_before: NaiveDateTime,
    delete: bool,
) -> QueryResult<[i64; 5]> {
    let finished = vec![SENT, FAILED, CANCELLED];
    let tokens = auth_tokens::table.filter(auth_tokens::expires_at.lt(now));
    let resets = password_resets::table.filter(password_resets::expires_at.lt(now));
    let keys = idempotency_keys::table.filter(idempotency_keys::created_at.lt(idempotency_before));
    let done = outbox::table.filter(outbox::status.eq_any(finished)).filter(outbox::done_at.lt(outbox_before));
    let logs = webhook_deliveries::table.filter(webhook_deliveries::created_at.lt(outbox_before));
    if delete {
        Ok([
            diesel::delete(tokens).execute(conn)? as i64,
            diesel::delete(resets).execute(conn)? as i64,
            diesel::delete(keys).execute(conn)? as i64,
            diesel::delete(done).execute(conn)? as i64,
            diesel::delete(logs).execute(conn)? as i64,
        ])
    } else {
        Ok([
            tokens.count().get_result(conn)?,
            resets.count().get_result(conn)?,
            keys.count().get_result(conn)?,
            done.count().get_result(conn)?,
            logs.count().get_result(conn)?,
        ])
    }
}

/// Logs a real run.
pub fn insert_run(conn: &mut DbConn, started: NaiveDateTime, finished: NaiveDateTime, report: &str) -> QueryResult<()> {
    diesel::insert_into(retention_runs::table)
        .values((
            retention_runs::started_at.eq(started),
            retention_runs::finished_at.eq(finished),
            retention_runs::report.eq(report),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The last logged run: (started, finished, report JSON).
pub fn last_run(conn: &mut DbConn) -> QueryResult<Option<(NaiveDateTime, NaiveDateTime, String)>> {
    retention_runs::table
        .order(retention_runs::id.desc())
        .select((retention_runs::started_at, retention_runs::finished_at, retention_runs::report))
        .limit(1)
        .get_result(conn)
        .optional()
}

/// When the planned run not yet done will start, if one is planned.
pub fn planned_run(conn: &mut DbConn, event: &str) -> QueryResult<Option<NaiveDateTime>> {
    outbox::table
        .filter(outbox::channel.eq(crate::db::models::outbox::JOB))
        .filter(outbox::event.eq(event))
        .filter(outbox::status.eq_any(vec![crate::db::models::outbox::PENDING, crate::db::models::outbox::SENDING]))
        .select(diesel::dsl::min(outbox::run_at))
        .get_result(conn)
}

/// Among the versions [`old_versions`] deletes, those that name their author (a dry run
/// subtracts them from the authors it would blank).
pub fn old_authored_versions(
    conn: &mut DbConn,
    impersonal: &[&str],
    p: &rdv_shared::retention::PlatformCutoffs,
) -> QueryResult<i64> {
    let names = || impersonal.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let authored = || versions::author_agent_id.is_not_null().or(versions::whodunnit.ne(""));
    let personal: i64 = versions::table
        .filter(versions::created_at.lt(p.personal_versions_before))
        .filter(versions::created_at.lt(p.version_authors_before))
        .filter(versions::item_type.ne_all(names()))
        .filter(authored())
        .count()
        .get_result(conn)?;
    let impersonal: i64 = versions::table
        .filter(versions::created_at.lt(p.all_versions_before))
        .filter(versions::created_at.lt(p.version_authors_before))
        .filter(versions::item_type.eq_any(names()))
        .filter(authored())
        .count()
        .get_result(conn)?;
    Ok(personal + impersonal)
}

/// Exports past their expiry (deleted by `export::purge_expired`).
pub fn expired_exports(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<i64> {
    exports::table.filter(exports::expires_at.le(now)).count().get_result(conn)
}
