//! `calendar_feeds`: agents' secret calendar links (issue 16), stored as digests.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::audit::{record, Author, Event};
use crate::db::schema::calendar_feeds;
use crate::db::DbConn;

const ITEM: &str = "CalendarFeed";

#[derive(Queryable, Selectable, Serialize, Debug, Clone)]
#[diesel(table_name = calendar_feeds)]
pub struct FeedRow {
    pub id: i32,
    pub agent_id: i32,
    #[serde(skip)]
    pub token_digest: String,
    pub with_details: bool,
    pub with_plages: bool,
    pub created_at: NaiveDateTime,
    pub last_read_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

/// The agent's live feed.
pub fn live_of(conn: &mut DbConn, agent_id: i32) -> QueryResult<Option<FeedRow>> {
    calendar_feeds::table
        .filter(calendar_feeds::agent_id.eq(agent_id))
        .filter(calendar_feeds::revoked_at.is_null())
        .order(calendar_feeds::id.desc())
        .limit(1)
        .select(FeedRow::as_select())
        .get_result(conn)
        .optional()
}

/// The live feed a token's digest opens.
pub fn by_digest(conn: &mut DbConn, digest: &str) -> QueryResult<Option<FeedRow>> {
    calendar_feeds::table
        .filter(calendar_feeds::token_digest.eq(digest))
        .filter(calendar_feeds::revoked_at.is_null())
        .select(FeedRow::as_select())
        .get_result(conn)
        .optional()
}

/// Revokes the agent's live feeds.
pub fn revoke_all(conn: &mut DbConn, author: &Author, agent_id: i32, now: NaiveDateTime) -> QueryResult<usize> {
    let live: Vec<FeedRow> = calendar_feeds::table
        .filter(calendar_feeds::agent_id.eq(agent_id))
        .filter(calendar_feeds::revoked_at.is_null())
        .select(FeedRow::as_select())
        .load(conn)?;
    for f in &live {
        diesel::update(calendar_feeds::table.filter(calendar_feeds::id.eq(f.id)))
            .set(calendar_feeds::revoked_at.eq(Some(now)))
            .execute(conn)?;
        let after = FeedRow { revoked_at: Some(now), ..f.clone() };
        record(conn, author, ITEM, f.id, Event::Update, Some(f), Some(&after))?;
    }
    Ok(live.len())
}

pub fn create(
    conn: &mut DbConn,
    author: &Author,
    agent_id: i32,
    digest: &str,
    (with_details, with_plages): (bool, bool),
    now: NaiveDateTime,
) -> QueryResult<FeedRow> {
    let id: i32 = diesel::insert_into(calendar_feeds::table)
        .values((
            calendar_feeds::agent_id.eq(agent_id),
            calendar_feeds::token_digest.eq(digest),
            calendar_feeds::with_details.eq(with_details),
            calendar_feeds::with_plages.eq(with_plages),
            calendar_feeds::created_at.eq(now),
        ))
        .returning(calendar_feeds::id)
        .get_result(conn)?;
    let row = calendar_feeds::table.filter(calendar_feeds::id.eq(id)).select(FeedRow::as_select()).get_result(conn)?;
    record(conn, author, ITEM, id, Event::Create, None, Some(&row))?;
    Ok(row)
}

/// When a calendar last read the feed (shown to the agent; not audited: nobody changed anything).
pub fn touch(conn: &mut DbConn, id: i32, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(calendar_feeds::table.filter(calendar_feeds::id.eq(id)))
        .set(calendar_feeds::last_read_at.eq(Some(now)))
        .execute(conn)
}
