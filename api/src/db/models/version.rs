//! Reading the audit history (`versions`); `audit::record` writes it, inside each change's
//! transaction.

use diesel::prelude::*;
use rdv_shared::pagination::{offset, PER_PAGE};

use crate::db::schema::versions;
use crate::db::DbConn;

/// (id, item type, item id, event, author agent id, whodunnit, changes JSON, created at).
pub type VersionTuple = (i32, String, i32, String, Option<i32>, String, String, chrono::NaiveDateTime);

/// One page of a record's versions, newest first, and their total.
pub fn page_of(conn: &mut DbConn, item_type: &str, item_id: i32, page: i64) -> QueryResult<(Vec<VersionTuple>, i64)> {
    let filtered = versions::table.filter(versions::item_type.eq(item_type)).filter(versions::item_id.eq(item_id));
    let total: i64 = filtered.count().get_result(conn)?;
    let rows = filtered
        .order(versions::id.desc())
        .limit(PER_PAGE)
        .offset(offset(page))
        .select((
            versions::id,
            versions::item_type,
            versions::item_id,
            versions::event,
            versions::author_agent_id,
            versions::whodunnit,
            versions::changes,
            versions::created_at,
        ))
        .load(conn)?;
    Ok((rows, total))
}
