//! Reads of RDVs beyond one record: an organisation's list and its filter, a usager's RDVs,
//! "RDV à renseigner", removal guards (future RDVs), the identical-RDV check, collective
//! sessions with seats, a day's booked minutes. Every "not cancelled" goes through
//! [`rdv::not_cancelled`]; the overlap query is [`rdv::blocking_overlaps`].

use crate::db::IdListDsl;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use rdv_shared::enums::RdvStatus;
use rdv_shared::pagination::{offset, PER_PAGE};

use super::rdv::{not_cancelled, RdvRow};
use crate::db::schema::{agents_rdvs, participations, rdvs};
use crate::db::DbConn;

/// Filters of an organisation's RDV list (reference V1).
#[derive(Debug, Clone, Default)]
pub struct RdvFilter {
    pub starts_after: Option<NaiveDateTime>,
    pub starts_before: Option<NaiveDateTime>,
}

/// One page of an organisation's RDVs by start, and the total. `scope` narrows to the RDVs of
/// motifs of these services or where this agent takes part (basic agents); `None`: all
/// (admins, secretariat).
pub fn page_of_organisation(
    conn: &mut DbConn,
    organisation_id: i32,
    f: &RdvFilter,
    scope: Option<(&[i32], i32)>,
    page: i64,
) -> QueryResult<(Vec<RdvRow>, i64)> {
    use crate::db::schema::motifs;
    let filtered = || {
        let mut q = rdvs::table.filter(rdvs::organisation_id.eq(organisation_id)).into_boxed();
        if let Some(a) = f.starts_after {
            q = q.filter(rdvs::starts_at.ge(a));
        }
        if let Some(b) = f.starts_before {
            q = q.filter(rdvs::starts_at.le(b));
        }
        if let Some((services, me)) = scope {
            let of_services = motifs::table.filter(motifs::service_id.in_ids(services)).select(motifs::id);
            let mine = agents_rdvs::table.filter(agents_rdvs::agent_id.eq(me)).select(agents_rdvs::rdv_id);
            q = q.filter(rdvs::motif_id.eq_any(of_services).or(rdvs::id.eq_any(mine)));
        }
        q
    };
    let total = filtered().count().get_result(conn)?;
    let rows = filtered()
        .order((rdvs::starts_at, rdvs::id))
        .limit(PER_PAGE)
        .offset(offset(page))
        .select(RdvRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Every RDV of an organisation in the bounds, by start (callers filter by access level).
pub fn all_of_organisation(conn: &mut DbConn, organisation_id: i32, f: &RdvFilter) -> QueryResult<Vec<RdvRow>> {
    let mut q = rdvs::table.filter(rdvs::organisation_id.eq(organisation_id)).into_boxed();
    if let Some(a) = f.starts_after {
        q = q.filter(rdvs::starts_at.ge(a));
    }
    if let Some(b) = f.starts_before {
        q = q.filter(rdvs::starts_at.le(b));
    }
    q.order((rdvs::starts_at, rdvs::id)).select(RdvRow::as_select()).load(conn)
}

/// Ids of a usager's RDVs, most recent first.
pub fn ids_of_user(conn: &mut DbConn, user_id: i32) -> QueryResult<Vec<i32>> {
    participations::table
        .inner_join(rdvs::table)
        .filter(participations::user_id.eq(user_id))
        .order((rdvs::starts_at.desc(), rdvs::id.desc()))
        .select(rdvs::id)
        .load(conn)
}

/// "RDV à renseigner": an agent's ended RDVs still in status unknown, oldest first, one page,
/// and their count.
pub fn unknown_past_of_agent(
    conn: &mut DbConn,
    agent_id: i32,
    now: NaiveDateTime,
    page: i64,
) -> QueryResult<(Vec<i32>, i64)> {
    let q = || {
        agents_rdvs::table
            .inner_join(rdvs::table)
            .filter(agents_rdvs::agent_id.eq(agent_id))
            .filter(agents_rdvs::ends_at.le(now))
            .filter(rdvs::status.eq(RdvStatus::Unknown.as_str()))
    };
    let total = q().count().get_result(conn)?;
    let ids = q()
        .order((agents_rdvs::starts_at, rdvs::id))
        .limit(PER_PAGE)
        .offset(offset(page))
        .select(rdvs::id)
        .load(conn)?;
    Ok((ids, total))
}

/// Future non-cancelled RDVs of these usagers in an organisation (removal guard).
pub fn future_count_for_users(
    conn: &mut DbConn,
    user_ids: &[i32],
    organisation_id: i32,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    participations::table
        .inner_join(rdvs::table)
        .filter(participations::user_id.in_ids(user_ids))
        .filter(rdvs::organisation_id.eq(organisation_id))
        .filter(rdvs::starts_at.gt(now))
        .filter(not_cancelled())
        .count()
        .get_result(conn)
}

/// Future non-cancelled RDVs of an agent in an organisation (removal guard, reference §2.5).
pub fn future_count_for_agent(
    conn: &mut DbConn,
    agent_id: i32,
    organisation_id: i32,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    agents_rdvs::table
        .inner_join(rdvs::table)
        .filter(agents_rdvs::agent_id.eq(agent_id))
        .filter(rdvs::organisation_id.eq(organisation_id))
        .filter(rdvs::starts_at.gt(now))
        .filter(not_cancelled())
        .count()
        .get_result(conn)
}

/// Non-cancelled RDVs of a motif at exactly these times (the "identical RDV" check).
pub fn same_slot(
    conn: &mut DbConn,
    organisation_id: i32,
    motif_id: i32,
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
) -> QueryResult<Vec<i32>> {
    rdvs::table
        .filter(rdvs::organisation_id.eq(organisation_id))
        .filter(rdvs::motif_id.eq(motif_id))
        .filter(rdvs::starts_at.eq(starts_at))
        .filter(rdvs::ends_at.eq(ends_at))
        .filter(not_cancelled())
        .select(rdvs::id)
        .load(conn)
}

/// (agent, start, end) of the RDVs of `agent_ids` starting in `[from, to)`, cancelled ones
/// included (the booked minutes of a day, for the fair choice of an agent).
pub fn agent_times_between(
    conn: &mut DbConn,
    agent_ids: &[i32],
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<Vec<(i32, NaiveDateTime, NaiveDateTime)>> {
    agents_rdvs::table
        .filter(agents_rdvs::agent_id.in_ids(agent_ids))
        .filter(agents_rdvs::starts_at.ge(from))
        .filter(agents_rdvs::starts_at.lt(to))
        .select((agents_rdvs::agent_id, agents_rdvs::starts_at, agents_rdvs::ends_at))
        .load(conn)
}

/// Collective sessions of `motif_ids` starting in `[not_before, to)` that still take someone
/// (reference §3.11), at these lieux when given, by start. One query.
pub fn sessions_with_seats(
    conn: &mut DbConn,
    motif_ids: &[i32],
    lieu_ids: Option<&[i32]>,
    not_before: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<Vec<RdvRow>> {
    let mut q = rdvs::table
        .filter(rdvs::motif_id.in_ids(motif_ids))
        .filter(rdvs::starts_at.ge(not_before))
        .filter(rdvs::starts_at.lt(to))
        .filter(not_cancelled())
        .filter(
            rdvs::max_participants_count
                .is_null()
                .or(rdvs::users_count.lt(rdvs::max_participants_count.assume_not_null())),
        )
        .into_boxed();
    if let Some(lieux) = lieu_ids {
        q = q.filter(rdvs::lieu_id.in_ids(lieux));
    }
    q.order((rdvs::starts_at, rdvs::id)).select(RdvRow::as_select()).load(conn)
}

/// Non-cancelled RDVs of the given usagers starting in `[from, to)`, as (user id, RDV).
pub fn of_users_between(
    conn: &mut DbConn,
    user_ids: &[i32],
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<Vec<(i32, RdvRow)>> {
    participations::table
        .inner_join(rdvs::table)
        .filter(participations::user_id.in_ids(user_ids))
        .filter(rdvs::starts_at.ge(from))
        .filter(rdvs::starts_at.lt(to))
        .filter(not_cancelled())
        .select((participations::user_id, RdvRow::as_select()))
        .load(conn)
}

/// Future RDVs (starting after `from`), not cancelled, by id after `after_id`:
/// `(id, organisation_id, starts_at)`, at most `limit` (keyset pages for the reminder sweep).
pub fn future_after(
    conn: &mut DbConn,
    from: NaiveDateTime,
    after_id: i32,
    limit: i64,
) -> QueryResult<Vec<(i32, i32, NaiveDateTime)>> {
    rdvs::table
        .filter(rdvs::starts_at.gt(from))
        .filter(rdvs::id.gt(after_id))
        .filter(not_cancelled())
        .order(rdvs::id)
        .limit(limit)
        .select((rdvs::id, rdvs::organisation_id, rdvs::starts_at))
        .load(conn)
}
