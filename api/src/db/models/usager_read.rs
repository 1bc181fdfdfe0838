//! Reads of a usager's record by agents of none of its organisations (`access::
//! is_cross_organisation_read`). The log is an audit record itself: no version of its own; the
//! retention purge deletes it with the personal versions (one year).

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{agents, usager_reads};
use crate::db::DbConn;

/// The same agent reading the same part of the same record again within this window is not
/// logged again (a usager's page reads the record, its RDVs and its notifications at once).
const QUIET: i64 = 10;

/// Logs one read unless the same one was logged within the last minutes.
pub fn record(conn: &mut DbConn, user_id: i32, agent_id: i32, action: &str, now: NaiveDateTime) -> QueryResult<usize> {
    let recent: i64 = usager_reads::table
        .filter(usager_reads::user_id.eq(user_id))
        .filter(usager_reads::agent_id.eq(agent_id))
        .filter(usager_reads::action.eq(action))
        .filter(usager_reads::created_at.gt(now - Duration::minutes(QUIET)))
        .count()
        .get_result(conn)?;
    if recent > 0 {
        return Ok(0);
    }
    diesel::insert_into(usager_reads::table)
        .values((
            usager_reads::user_id.eq(user_id),
            usager_reads::agent_id.eq(agent_id),
            usager_reads::action.eq(action),
            usager_reads::created_at.eq(now),
        ))
        .execute(conn)
}

/// One logged read: (agent id, agent first name, last name, action, when).
pub type ReadRow = (i32, Option<String>, String, String, NaiveDateTime);

/// A usager's logged reads, newest first, with the total.
pub fn page_of(conn: &mut DbConn, user_id: i32, limit: i64, offset: i64) -> QueryResult<(Vec<ReadRow>, i64)> {
    let total = usager_reads::table.filter(usager_reads::user_id.eq(user_id)).count().get_result(conn)?;
    let rows = usager_reads::table
        .inner_join(agents::table)
        .filter(usager_reads::user_id.eq(user_id))
        .order((usager_reads::created_at.desc(), usager_reads::id.desc()))
        .limit(limit)
        .offset(offset)
        .select((agents::id, agents::first_name, agents::last_name, usager_reads::action, usager_reads::created_at))
        .load(conn)?;
    Ok((rows, total))
}

/// Reads logged before `before`: counted, or deleted when `delete` (retention).
pub fn older_than(conn: &mut DbConn, before: NaiveDateTime, delete: bool) -> QueryResult<i64> {
    let q = usager_reads::table.filter(usager_reads::created_at.lt(before));
    if delete {
        Ok(diesel::delete(q).execute(conn)? as i64)
    } else {
        q.count().get_result(conn)
    }
}
