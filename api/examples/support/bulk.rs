//! Bulk fixtures shared by the load examples: RDVs inserted by thousands, each with one
//! participant and one agent, without going through the services (a benchmark's set-up, not
//! what it measures).

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use rdv_api::db::schema::{agents_rdvs, participations, rdvs, users};
use rdv_api::db::{now_utc, write_tx, DbConn};

/// One RDV to insert.
pub struct BulkRdv {
    pub organisation_id: i32,
    pub motif_id: i32,
    pub lieu_id: Option<i32>,
    pub starts_at: NaiveDateTime,
    pub minutes: i64,
    pub status: &'static str,
    /// `rdv_shared::enums::RdvOrigin` as text.
    pub origin: &'static str,
}

/// Inserts the RDVs by chunks of 2 000 with uuids `<prefix><n>`, each with `agent` and one of
/// `user_ids` (by RDV id).
pub fn insert_rdvs(conn: &mut DbConn, prefix: &str, list: &[BulkRdv], agent: i32, user_ids: &[i32]) {
    let now = now_utc();
    for (chunk_no, chunk) in list.chunks(2000).enumerate() {
        let rows: Vec<_> = chunk
            .iter()
            .enumerate()
            .map(|(j, r)| {
                (
                    rdvs::organisation_id.eq(r.organisation_id),
                    rdvs::motif_id.eq(r.motif_id),
                    rdvs::lieu_id.eq(r.lieu_id),
                    rdvs::starts_at.eq(r.starts_at),
                    rdvs::ends_at.eq(r.starts_at + chrono::Duration::minutes(r.minutes)),
                    rdvs::uuid.eq(format!("{prefix}{}", chunk_no * 2000 + j)),
                    rdvs::status.eq(r.status),
                    rdvs::users_count.eq(1),
                    rdvs::created_by_type.eq("Agent"),
                    rdvs::origin.eq(r.origin),
                    rdvs::created_at.eq(now),
                    rdvs::updated_at.eq(now),
                )
            })
            .collect();
        write_tx(conn, |c| {
            // Ids only grow and the transaction is the only writer: the chunk's rows are those
            // above the largest id before it (a lookup by uuid prefix would rescan the table).
            let before: Option<i32> = rdvs::table.select(diesel::dsl::max(rdvs::id)).get_result(c)?;
            let q = diesel::insert_into(rdvs::table).values(&rows);
            rdv_api::on_backend!(&mut *c, |b| q.execute(b))?;
            let ids: Vec<(i32, NaiveDateTime, NaiveDateTime)> = rdvs::table
                .filter(rdvs::id.gt(before.unwrap_or(0)))
                .select((rdvs::id, rdvs::starts_at, rdvs::ends_at))
                .load(c)?;
            let parts: Vec<_> = ids
                .iter()
                .map(|(id, _, _)| {
                    (
                        participations::rdv_id.eq(*id),
                        participations::user_id.eq(user_ids[*id as usize % user_ids.len()]),
                        participations::created_by_type.eq("Agent"),
                        participations::created_at.eq(now),
                        participations::updated_at.eq(now),
                    )
                })
                .collect();
            let q = diesel::insert_into(participations::table).values(&parts);
            rdv_api::on_backend!(&mut *c, |b| q.execute(b))?;
            let links: Vec<_> = ids
                .iter()
                .map(|(id, s, e)| {
                    (
                        agents_rdvs::agent_id.eq(agent),
                        agents_rdvs::rdv_id.eq(*id),
                        agents_rdvs::starts_at.eq(*s),
                        agents_rdvs::ends_at.eq(*e),
                    )
                })
                .collect();
            let q = diesel::insert_into(agents_rdvs::table).values(&links);
            rdv_api::on_backend!(&mut *c, |b| q.execute(b))
        })
        .unwrap();
    }
}

/// Inserts `n` usagers "Usager{i} <last_name>" and returns their ids.
pub fn insert_users(conn: &mut DbConn, last_name: &str, n: usize) -> Vec<i32> {
    let now = now_utc();
    let rows: Vec<_> = (0..n)
        .map(|i| {
            (
                users::first_name.eq(format!("Usager{i}")),
                users::last_name.eq(last_name),
                users::created_through.eq("bench"),
                users::created_at.eq(now),
                users::updated_at.eq(now),
            )
        })
        .collect();
    let q = diesel::insert_into(users::table).values(&rows);
    rdv_api::on_backend!(&mut *conn, |c| q.execute(c)).unwrap();
    users::table.filter(users::last_name.eq(last_name)).select(users::id).load(conn).unwrap()
}

/// The weekdays (Monday to Friday) of the `days` days from `first`.
pub fn weekdays(first: NaiveDate, days: i64) -> Vec<NaiveDate> {
    (0..days).map(|d| first + chrono::Duration::days(d)).filter(|d| d.weekday().num_days_from_monday() < 5).collect()
}
