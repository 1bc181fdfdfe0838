//! RDVs with their agents (`agents_rdvs`, carrying the RDV's times so that an agent's window is
//! one index range) and participations. Writes keep `users_count` and the status rules of
//! `rdv_shared::rdv` and record one `Rdv` version per change, agents and participants included.

use crate::db::epoch::{epoch_seconds, from_epoch};
use crate::db::id_list::InIds;
use crate::db::IdListDsl;
use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use rdv_shared::enums::RdvStatus;
use rdv_shared::rdv::{propagate, recompute};
use serde::Serialize;

use crate::audit::{self, Author, Event};
use crate::db::schema::{agents_rdvs, participations, rdvs};
use crate::db::{now_utc, DbConn};

/// Longest RDV accepted (minutes): bounds the look-back of window queries.
pub const MAX_DURATION_MIN: i32 = 12 * 60;

/// The stored statuses that count as cancelled (`RdvStatus::is_cancelled`: excused, revoked).
/// Derived from the shared enum, so the database and the rules cannot disagree.
fn cancelled_statuses() -> Vec<&'static str> {
    RdvStatus::ALL.iter().filter(|s| s.is_cancelled()).map(|s| s.as_str()).collect()
}

/// The one "not cancelled" filter on RDVs: they block their agents' agendas and count.
pub fn not_cancelled() -> diesel::dsl::NeAny<rdvs::status, Vec<&'static str>> {
    rdvs::status.ne_all(cancelled_statuses())
}

/// The same rule on participations (a usager's own cancellation).
pub fn participation_not_cancelled() -> diesel::dsl::NeAny<participations::status, Vec<&'static str>> {
    participations::status.ne_all(cancelled_statuses())
}

/// An agent busy with an RDV over `[starts_at, ends_at)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BusySpan {
    pub agent_id: i32,
    pub rdv_id: i32,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
}

/// The one overlap query: the RDVs of `agent_ids` in a blocking status that overlap
/// `[from, to)`, in no particular order. The slot search subtracts them, the booking re-check refuses on
/// them and the write warnings name them: one rule, so search and booking cannot drift apart.
/// An index range on `agents_rdvs (agent_id, starts_at)` (RDVs last at most
/// [`MAX_DURATION_MIN`], which bounds the look-back).
pub fn blocking_overlaps(
    conn: &mut DbConn,
    agent_ids: &[i32],
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<Vec<BusySpan>> {
    // Unordered: the slot search (the hot path) merges spans per agent; callers that show them
    // sort the few they keep.
    // Instants as epoch seconds: this query returns hundreds of rows per search (db::epoch).
    let rows: Vec<(i32, i32, i64, i64)> = overlapping(agent_ids, from, to, look_back(from))
        .filter(not_cancelled())
        .select((
            agents_rdvs::agent_id,
            agents_rdvs::rdv_id,
            epoch_seconds(agents_rdvs::starts_at),
            epoch_seconds(agents_rdvs::ends_at),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(agent_id, rdv_id, starts, ends)| BusySpan {
            agent_id,
            rdv_id,
            starts_at: from_epoch(starts),
            ends_at: from_epoch(ends),
        })
        .collect())
}

/// The earliest start of an RDV that may still run at `from`.
fn look_back(from: NaiveDateTime) -> NaiveDateTime {
    from - Duration::minutes(i64::from(MAX_DURATION_MIN))
}

/// `agents_rdvs` rows of `agent_ids` overlapping `[from, to)`, joined to their RDV: an index
/// range on `(agent_id, starts_at)` from `look_back`.
#[diesel::dsl::auto_type(no_type_alias)]
fn overlapping(agent_ids: &[i32], from: NaiveDateTime, to: NaiveDateTime, look_back: NaiveDateTime) -> _ {
    let of_agents: InIds<agents_rdvs::agent_id> = agents_rdvs::agent_id.in_ids(agent_ids);
    agents_rdvs::table
        .inner_join(rdvs::table)
        .filter(of_agents)
        .filter(agents_rdvs::starts_at.lt(to))
        .filter(agents_rdvs::starts_at.gt(look_back))
        .filter(agents_rdvs::ends_at.gt(from))
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = rdvs)]
pub struct RdvRow {
    pub id: i32,
    pub organisation_id: i32,
    pub motif_id: i32,
    pub lieu_id: Option<i32>,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub status: String,
    pub cancelled_at: Option<NaiveDateTime>,
    pub uuid: String,
    pub context: Option<String>,
    pub name: Option<String>,
    pub max_participants_count: Option<i32>,
    pub users_count: i32,
    pub notify: bool,
    pub created_by_type: String,
    pub created_by_id: Option<i32>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// `rdv_shared::enums::RdvOrigin`, fixed at creation (or when the waiting list moves it).
    pub origin: String,
}

impl RdvRow {
    pub fn status(&self) -> RdvStatus {
        RdvStatus::parse(&self.status).unwrap_or(RdvStatus::Unknown)
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = participations)]
pub struct ParticipationRow {
    pub id: i32,
    pub rdv_id: i32,
    pub user_id: i32,
    pub status: String,
    pub send_lifecycle_notifications: bool,
    pub send_reminder_notification: bool,
    pub created_by_type: String,
    pub created_by_id: Option<i32>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl ParticipationRow {
    pub fn status(&self) -> RdvStatus {
        RdvStatus::parse(&self.status).unwrap_or(RdvStatus::Unknown)
    }
}

/// The audited state of an RDV: its fields, its agents and each participant's status.
#[derive(Debug, Clone, PartialEq, Serialize)]
struct RdvVersion {
    organisation_id: i32,
    motif_id: i32,
    lieu_id: Option<i32>,
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
    status: String,
    context: Option<String>,
    name: Option<String>,
    max_participants_count: Option<i32>,
    notify: bool,
    agent_ids: Vec<i32>,
    /// user id → participation status.
    participants: BTreeMap<String, String>,
}

fn snapshot(conn: &mut DbConn, rdv_id: i32) -> QueryResult<RdvVersion> {
    let r = find(conn, rdv_id)?.ok_or(diesel::result::Error::NotFound)?;
    let agent_ids = agents_of(conn, &[rdv_id])?.remove(&rdv_id).unwrap_or_default();
    let participants = participations_of(conn, &[rdv_id])?
        .remove(&rdv_id)
        .unwrap_or_default()
        .into_iter()
        .map(|p| (p.user_id.to_string(), p.status))
        .collect();
    Ok(RdvVersion {
        organisation_id: r.organisation_id,
        motif_id: r.motif_id,
        lieu_id: r.lieu_id,
        starts_at: r.starts_at,
        ends_at: r.ends_at,
        status: r.status,
        context: r.context,
        name: r.name,
        max_participants_count: r.max_participants_count,
        notify: r.notify,
        agent_ids,
        participants,
    })
}

pub fn find(conn: &mut DbConn, id: i32) -> QueryResult<Option<RdvRow>> {
    rdvs::table.find(id).select(RdvRow::as_select()).get_result(conn).optional()
}

pub fn find_many(conn: &mut DbConn, ids: &[i32]) -> QueryResult<Vec<RdvRow>> {
    rdvs::table.filter(rdvs::id.in_ids(ids)).select(RdvRow::as_select()).load(conn)
}

pub fn find_participation(conn: &mut DbConn, id: i32) -> QueryResult<Option<ParticipationRow>> {
    participations::table.find(id).select(ParticipationRow::as_select()).get_result(conn).optional()
}

/// Agent ids of each RDV, sorted.
pub fn agents_of(conn: &mut DbConn, rdv_ids: &[i32]) -> QueryResult<HashMap<i32, Vec<i32>>> {
    let rows: Vec<(i32, i32)> = agents_rdvs::table
        .filter(agents_rdvs::rdv_id.in_ids(rdv_ids))
        .select((agents_rdvs::rdv_id, agents_rdvs::agent_id))
        .order((agents_rdvs::rdv_id, agents_rdvs::agent_id))
        .load(conn)?;
    let mut out: HashMap<i32, Vec<i32>> = HashMap::new();
    for (r, a) in rows {
        out.entry(r).or_default().push(a);
    }
    Ok(out)
}

/// Participations of each RDV, in creation order.
pub fn participations_of(conn: &mut DbConn, rdv_ids: &[i32]) -> QueryResult<HashMap<i32, Vec<ParticipationRow>>> {
    let rows: Vec<ParticipationRow> = participations::table
        .filter(participations::rdv_id.in_ids(rdv_ids))
        .order((participations::rdv_id, participations::id))
        .select(ParticipationRow::as_select())
        .load(conn)?;
    let mut out: HashMap<i32, Vec<ParticipationRow>> = HashMap::new();
    for p in rows {
        out.entry(p.rdv_id).or_default().push(p);
    }
    Ok(out)
}

/// A new RDV, validated by the caller.
#[derive(Debug, Clone)]
pub struct NewRdv {
    pub organisation_id: i32,
    pub motif_id: i32,
    pub lieu_id: Option<i32>,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub context: Option<String>,
    pub name: Option<String>,
    pub max_participants_count: Option<i32>,
    pub notify: bool,
    pub created_by_type: &'static str,
    pub created_by_id: Option<i32>,
    pub origin: rdv_shared::enums::RdvOrigin,
    pub agent_ids: Vec<i32>,
    pub user_ids: Vec<i32>,
    /// Participations' notification switches (from the motif's visibility and `notify`).
    pub send_notifications: bool,
}

fn insert_participations(
    conn: &mut DbConn,
    rdv_id: i32,
    user_ids: &[i32],
    send: bool,
    by: (&str, Option<i32>),
) -> QueryResult<()> {
    let now = now_utc();
    for &user_id in user_ids {
        diesel::insert_into(participations::table)
            .values((
                participations::rdv_id.eq(rdv_id),
                participations::user_id.eq(user_id),
                participations::status.eq(RdvStatus::Unknown.as_str()),
                participations::send_lifecycle_notifications.eq(send),
                participations::send_reminder_notification.eq(send),
                participations::created_by_type.eq(by.0),
                participations::created_by_id.eq(by.1),
                participations::created_at.eq(now),
                participations::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

fn insert_agents(
    conn: &mut DbConn,
    rdv_id: i32,
    agent_ids: &[i32],
    s: NaiveDateTime,
    e: NaiveDateTime,
) -> QueryResult<()> {
    for a in agent_ids {
        diesel::insert_into(agents_rdvs::table)
            .values((
                agents_rdvs::rdv_id.eq(rdv_id),
                agents_rdvs::agent_id.eq(*a),
                agents_rdvs::starts_at.eq(s),
                agents_rdvs::ends_at.eq(e),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// `users_count` = participations not excused nor revoked.
fn refresh_users_count(conn: &mut DbConn, rdv_id: i32) -> QueryResult<()> {
    let count: i64 = participations::table
        .filter(participations::rdv_id.eq(rdv_id))
        .filter(participation_not_cancelled())
        .count()
        .get_result(conn)?;
    diesel::update(rdvs::table.find(rdv_id))
        .set(rdvs::users_count.eq(i32::try_from(count).unwrap_or(i32::MAX)))
        .execute(conn)?;
    Ok(())
}

pub fn create(conn: &mut DbConn, author: &Author, n: &NewRdv) -> QueryResult<RdvRow> {
    let now = now_utc();
    let id: i32 = diesel::insert_into(rdvs::table)
        .values((
            rdvs::organisation_id.eq(n.organisation_id),
            rdvs::motif_id.eq(n.motif_id),
            rdvs::lieu_id.eq(n.lieu_id),
            rdvs::starts_at.eq(n.starts_at),
            rdvs::ends_at.eq(n.ends_at),
            rdvs::status.eq(RdvStatus::Unknown.as_str()),
            rdvs::uuid.eq(uuid::Uuid::new_v4().to_string()),
            rdvs::context.eq(&n.context),
            rdvs::name.eq(&n.name),
            rdvs::max_participants_count.eq(n.max_participants_count),
            rdvs::notify.eq(n.notify),
            rdvs::created_by_type.eq(n.created_by_type),
            rdvs::created_by_id.eq(n.created_by_id),
            rdvs::origin.eq(n.origin.as_str()),
            rdvs::created_at.eq(now),
            rdvs::updated_at.eq(now),
        ))
        .returning(rdvs::id)
        .get_result(conn)?;
    insert_agents(conn, id, &n.agent_ids, n.starts_at, n.ends_at)?;
    insert_participations(conn, id, &n.user_ids, n.send_notifications, (n.created_by_type, n.created_by_id))?;
    refresh_users_count(conn, id)?;
    let after = snapshot(conn, id)?;
    audit::record(conn, author, "Rdv", id, Event::Create, None, Some(&after))?;
    find(conn, id)?.ok_or(diesel::result::Error::NotFound)
}

/// Changes to an RDV; `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
pub struct RdvChanges {
    pub lieu_id: Option<Option<i32>>,
    pub starts_at: Option<NaiveDateTime>,
    pub ends_at: Option<NaiveDateTime>,
    pub context: Option<Option<String>>,
    pub name: Option<Option<String>>,
    pub max_participants_count: Option<Option<i32>>,
    pub notify: Option<bool>,
    pub agent_ids: Option<Vec<i32>>,
    pub user_ids: Option<Vec<i32>>,
    pub status: Option<RdvStatus>,
    /// A new origin (an RDV moved to a slot the waiting list offered becomes `file_attente`).
    pub origin: Option<rdv_shared::enums::RdvOrigin>,
    /// Switches of participations added by this change.
    pub send_notifications: bool,
}

/// Applies `c` atomically (call inside `write_tx`) and records one version.
pub fn update(conn: &mut DbConn, author: &Author, before: &RdvRow, c: &RdvChanges) -> QueryResult<RdvRow> {
    let id = before.id;
    let old = snapshot(conn, id)?;
    let now = now_utc();
    let starts_at = c.starts_at.unwrap_or(before.starts_at);
    let ends_at = c.ends_at.unwrap_or(before.ends_at);
    diesel::update(rdvs::table.find(id))
        .set((
            rdvs::lieu_id.eq(c.lieu_id.unwrap_or(before.lieu_id)),
            rdvs::starts_at.eq(starts_at),
            rdvs::ends_at.eq(ends_at),
            rdvs::context.eq(c.context.clone().unwrap_or_else(|| before.context.clone())),
            rdvs::name.eq(c.name.clone().unwrap_or_else(|| before.name.clone())),
            rdvs::max_participants_count.eq(c.max_participants_count.unwrap_or(before.max_participants_count)),
            rdvs::notify.eq(c.notify.unwrap_or(before.notify)),
            rdvs::origin.eq(c.origin.map_or(before.origin.as_str(), |o| o.as_str())),
            rdvs::updated_at.eq(now),
        ))
        .execute(conn)?;
    if starts_at != before.starts_at || ends_at != before.ends_at {
        diesel::update(agents_rdvs::table.filter(agents_rdvs::rdv_id.eq(id)))
            .set((agents_rdvs::starts_at.eq(starts_at), agents_rdvs::ends_at.eq(ends_at)))
            .execute(conn)?;
    }
    if let Some(wanted) = &c.agent_ids {
        diesel::delete(
            agents_rdvs::table.filter(agents_rdvs::rdv_id.eq(id)).filter(agents_rdvs::agent_id.ne_all(wanted)),
        )
        .execute(conn)?;
        let add: Vec<i32> = wanted.iter().filter(|a| !old.agent_ids.contains(a)).copied().collect();
        insert_agents(conn, id, &add, starts_at, ends_at)?;
    }
    if let Some(wanted) = &c.user_ids {
        diesel::delete(
            participations::table.filter(participations::rdv_id.eq(id)).filter(participations::user_id.ne_all(wanted)),
        )
        .execute(conn)?;
        let add: Vec<i32> = wanted.iter().filter(|u| !old.participants.contains_key(&u.to_string())).copied().collect();
        insert_participations(conn, id, &add, c.send_notifications, author_by(author))?;
    }
    if let Some(status) = c.status {
        set_status(conn, id, status, now)?;
    }
    refresh_users_count(conn, id)?;
    let new = snapshot(conn, id)?;
    audit::record(conn, author, "Rdv", id, Event::Update, Some(&old), Some(&new))?;
    find(conn, id)?.ok_or(diesel::result::Error::NotFound)
}

fn author_by(author: &Author) -> (&'static str, Option<i32>) {
    ("Agent", author.agent_id)
}

/// Sets the RDV's status, spreads it to the participations (reference §4.1) and keeps
/// `cancelled_at`.
fn set_status(conn: &mut DbConn, rdv_id: i32, status: RdvStatus, now: NaiveDateTime) -> QueryResult<()> {
    let parts = participations_of(conn, &[rdv_id])?.remove(&rdv_id).unwrap_or_default();
    let current: Vec<RdvStatus> = parts.iter().map(ParticipationRow::status).collect();
    for (p, new) in parts.iter().zip(propagate(status, &current)) {
        if new != p.status() {
            diesel::update(participations::table.find(p.id))
                .set((participations::status.eq(new.as_str()), participations::updated_at.eq(now)))
                .execute(conn)?;
        }
    }
    write_rdv_status(conn, rdv_id, status, now)
}

fn write_rdv_status(conn: &mut DbConn, rdv_id: i32, status: RdvStatus, now: NaiveDateTime) -> QueryResult<()> {
    let before = find(conn, rdv_id)?.ok_or(diesel::result::Error::NotFound)?;
    if before.status() == status {
        return Ok(());
    }
    let cancelled_at = if status.sets_cancelled_at() { before.cancelled_at.or(Some(now)) } else { None };
    diesel::update(rdvs::table.find(rdv_id))
        .set((rdvs::status.eq(status.as_str()), rdvs::cancelled_at.eq(cancelled_at), rdvs::updated_at.eq(now)))
        .execute(conn)?;
    Ok(())
}

/// Changes one participation, then recomputes the RDV's status (reference V2).
pub fn update_participation(
    conn: &mut DbConn,
    author: &Author,
    p: &ParticipationRow,
    status: Option<RdvStatus>,
    lifecycle: Option<bool>,
    reminder: Option<bool>,
    collective: bool,
) -> QueryResult<RdvRow> {
    let old = snapshot(conn, p.rdv_id)?;
    let now = now_utc();
    diesel::update(participations::table.find(p.id))
        .set((
            participations::status.eq(status.unwrap_or(p.status()).as_str()),
            participations::send_lifecycle_notifications.eq(lifecycle.unwrap_or(p.send_lifecycle_notifications)),
            participations::send_reminder_notification.eq(reminder.unwrap_or(p.send_reminder_notification)),
            participations::updated_at.eq(now),
        ))
        .execute(conn)?;
    if status.is_some_and(|s| s != p.status()) {
        let rdv = find(conn, p.rdv_id)?.ok_or(diesel::result::Error::NotFound)?;
        let statuses: Vec<RdvStatus> = participations_of(conn, &[p.rdv_id])?
            .remove(&p.rdv_id)
            .unwrap_or_default()
            .iter()
            .map(ParticipationRow::status)
            .collect();
        let past = rdv.ends_at <= now;
        write_rdv_status(conn, p.rdv_id, recompute(collective, &statuses, past), now)?;
    }
    refresh_users_count(conn, p.rdv_id)?;
    let new = snapshot(conn, p.rdv_id)?;
    audit::record(conn, author, "Rdv", p.rdv_id, Event::Update, Some(&old), Some(&new))?;
    find(conn, p.rdv_id)?.ok_or(diesel::result::Error::NotFound)
}

pub fn delete(conn: &mut DbConn, author: &Author, before: &RdvRow) -> QueryResult<()> {
    let old = snapshot(conn, before.id)?;
    diesel::delete(participations::table.filter(participations::rdv_id.eq(before.id))).execute(conn)?;
    diesel::delete(agents_rdvs::table.filter(agents_rdvs::rdv_id.eq(before.id))).execute(conn)?;
    diesel::delete(rdvs::table.find(before.id)).execute(conn)?;
    audit::record(conn, author, "Rdv", before.id, Event::Destroy, Some(&old), None)
}

/// Every RDV of `agent_ids` overlapping `[from, to)`, cancelled ones included, as (agent id,
/// RDV): the agenda feed shows cancelled RDVs to those who may read them. What blocks an agenda
/// is [`blocking_overlaps`].
pub fn of_agents_in_window(
    conn: &mut DbConn,
    agent_ids: &[i32],
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<Vec<(i32, RdvRow)>> {
    overlapping(agent_ids, from, to, look_back(from))
        .order((agents_rdvs::starts_at, rdvs::id))
        .select((agents_rdvs::agent_id, RdvRow::as_select()))
        .load(conn)
}

/// Moves a merged usager's participations to the kept one (an RDV both attend keeps one
/// participation), recording a version of each RDV touched.
pub fn move_participations(conn: &mut DbConn, author: &Author, from_user: i32, to_user: i32) -> QueryResult<()> {
    let touched: Vec<i32> = participations::table
        .filter(participations::user_id.eq(from_user))
        .select(participations::rdv_id)
        .load(conn)?;
    let both: Vec<i32> = participations::table
        .filter(participations::user_id.eq(to_user))
        .filter(participations::rdv_id.in_ids(&touched))
        .select(participations::rdv_id)
        .load(conn)?;
    for rdv_id in touched {
        let old = snapshot(conn, rdv_id)?;
        let own = participations::table
            .filter(participations::user_id.eq(from_user))
            .filter(participations::rdv_id.eq(rdv_id));
        if both.contains(&rdv_id) {
            diesel::delete(own).execute(conn)?;
        } else {
            diesel::update(own).set(participations::user_id.eq(to_user)).execute(conn)?;
        }
        refresh_users_count(conn, rdv_id)?;
        let new = snapshot(conn, rdv_id)?;
        audit::record(conn, author, "Rdv", rdv_id, Event::Update, Some(&old), Some(&new))?;
    }
    Ok(())
}

/// The usager's participation came through an invitation link (statistics by origin).
pub fn mark_invited(conn: &mut DbConn, rdv_id: i32, user_id: i32) -> QueryResult<()> {
    diesel::update(
        participations::table.filter(participations::rdv_id.eq(rdv_id)).filter(participations::user_id.eq(user_id)),
    )
    .set(participations::invited.eq(true))
    .execute(conn)
    .map(|_| ())
}

/// Stores the digest of a usager's cancel token on their participation.
pub fn set_cancel_token_digest(conn: &mut DbConn, rdv_id: i32, user_id: i32, digest: &str) -> QueryResult<()> {
    diesel::update(
        participations::table.filter(participations::rdv_id.eq(rdv_id)).filter(participations::user_id.eq(user_id)),
    )
    .set((participations::cancel_token_digest.eq(digest), participations::updated_at.eq(now_utc())))
    .execute(conn)?;
    Ok(())
}

/// (RDV id, participation id, participation status) a cancel token's digest opens.
pub fn by_cancel_token_digest(conn: &mut DbConn, digest: &str) -> QueryResult<Option<(i32, i32, String)>> {
    participations::table
        .filter(participations::cancel_token_digest.eq(digest))
        .select((participations::rdv_id, participations::id, participations::status))
        .get_result(conn)
        .optional()
}

/// Ids of an organisation's RDVs (a webhook replay).
pub fn ids_of_organisation(conn: &mut DbConn, organisation_id: i32) -> QueryResult<Vec<i32>> {
    rdvs::table.filter(rdvs::organisation_id.eq(organisation_id)).order(rdvs::id).select(rdvs::id).load(conn)
}
