//! The RDV list's query (`GET /api/v1/rdvs`, exports, statistics): one `WHERE` clause built from
//! the filters and the caller's read scope per organisation ([`rdv_shared::access::ReadScope`]),
//! so a list, its counts, its export and its statistics always hold the same RDVs.
//!
//! The clause is SQL text: it holds only integers, enum values and instants we format, never a
//! string from the request. The same SQL runs on both backends.

use std::fmt::Write as _;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};
use rdv_shared::access::ReadScope;
use rdv_shared::dto::{RdvSearch, SortOrder};
use rdv_shared::enums::ListStatus;

use crate::db::DbConn;

/// One organisation of a search: who may read what there, and the range in its zone (UTC).
#[derive(Debug, Clone)]
pub struct OrgPart {
    pub organisation_id: i32,
    pub scope: ReadScope,
    pub from: Option<NaiveDateTime>,
    /// Excluded.
    pub to: Option<NaiveDateTime>,
}

/// A search ready to run: its organisations and the request's other filters.
#[derive(Debug, Clone)]
pub struct SearchSql {
    pub orgs: Vec<OrgPart>,
    pub search: RdvSearch,
    pub now: NaiveDateTime,
}

/// An instant as both backends compare it with a stored one (diesel's SQLite text format).
pub fn literal(t: NaiveDateTime) -> String {
    format!("'{}'", t.format("%Y-%m-%d %H:%M:%S%.f"))
}

fn list(ids: &[i32]) -> String {
    ids.iter().map(i32::to_string).collect::<Vec<_>>().join(",")
}

fn scope_sql(scope: &ReadScope) -> String {
    match scope {
        ReadScope::All => "1=1".to_owned(),
        ReadScope::Clauses(clauses) if clauses.is_empty() => "1=0".to_owned(),
        ReadScope::Clauses(clauses) => {
            let parts: Vec<String> = clauses
                .iter()
                .map(|c| {
                    let agents = list(&c.agent_ids.iter().map(|a| a.0).collect::<Vec<_>>());
                    let mut s = format!(
                        "EXISTS (SELECT 1 FROM agents_rdvs sa WHERE sa.rdv_id = rdvs.id AND sa.agent_id IN ({agents}))"
                    );
                    if let Some(service) = c.motif_service {
                        let _ =
                            write!(s, " AND rdvs.motif_id IN (SELECT id FROM motifs WHERE service_id = {})", service.0);
                    }
                    format!("({s})")
                })
                .collect();
            format!("({})", parts.join(" OR "))
        }
    }
}

impl SearchSql {
    /// The `WHERE` clause (without the keyword) over `rdvs`.
    pub fn where_clause(&self) -> String {
        let orgs: Vec<String> = self
            .orgs
            .iter()
            .filter(|o| !o.scope.is_empty())
            .map(|o| {
                let mut s = format!("rdvs.organisation_id = {}", o.organisation_id);
                if let Some(f) = o.from {
                    let _ = write!(s, " AND rdvs.starts_at >= {}", literal(f));
                }
                if let Some(t) = o.to {
                    let _ = write!(s, " AND rdvs.starts_at < {}", literal(t));
                }
                format!("({s} AND {})", scope_sql(&o.scope))
            })
            .collect();
        if orgs.is_empty() {
            return "1=0".to_owned();
        }
        let mut w = format!("({})", orgs.join(" OR "));
        let f = &self.search;
        if !f.status.is_empty() {
            let now = literal(self.now);
            let parts: Vec<String> = f
                .status
                .iter()
                .map(|s| match s {
                    ListStatus::UnknownPast => format!("(rdvs.status = 'unknown' AND rdvs.starts_at < {now})"),
                    ListStatus::UnknownFuture => format!("(rdvs.status = 'unknown' AND rdvs.starts_at >= {now})"),
                    other => format!("rdvs.status = '{}'", other.stored().as_str()),
                })
                .collect();
            let _ = write!(w, " AND ({})", parts.join(" OR "));
        }
        if !f.origin.is_empty() {
            let origins: Vec<String> = f.origin.iter().map(|o| format!("'{}'", o.as_str())).collect();
            let _ = write!(w, " AND rdvs.origin IN ({})", origins.join(","));
        }
        if !f.agent_ids.is_empty() {
            let _ = write!(
                w,
                " AND EXISTS (SELECT 1 FROM agents_rdvs fa WHERE fa.rdv_id = rdvs.id AND fa.agent_id IN ({}))",
                list(&f.agent_ids)
            );
        }
        if !f.user_ids.is_empty() {
            let _ = write!(
                w,
                " AND EXISTS (SELECT 1 FROM participations fp WHERE fp.rdv_id = rdvs.id AND fp.user_id IN ({}))",
                list(&f.user_ids)
            );
        }
        if !f.lieu_ids.is_empty() {
            let _ = write!(w, " AND rdvs.lieu_id IN ({})", list(&f.lieu_ids));
        }
        if !f.motif_ids.is_empty() {
            let _ = write!(w, " AND rdvs.motif_id IN ({})", list(&f.motif_ids));
        }
        if !f.service_ids.is_empty() {
            let _ = write!(
                w,
                " AND rdvs.motif_id IN (SELECT id FROM motifs WHERE service_id IN ({}))",
                list(&f.service_ids)
            );
        }
        w
    }

    fn order(&self) -> &'static str {
        match self.search.order {
            SortOrder::Asc => "rdvs.starts_at ASC, rdvs.id ASC",
            SortOrder::Desc => "rdvs.starts_at DESC, rdvs.id DESC",
        }
    }

    /// The `CASE` giving a list status to each RDV (unknown split by `now`).
    fn status_case(&self) -> String {
        let now = literal(self.now);
        format!(
            "CASE WHEN rdvs.status = 'unknown' AND rdvs.starts_at < {now} THEN '{}' \
             WHEN rdvs.status = 'unknown' THEN '{}' ELSE rdvs.status END",
            ListStatus::UnknownPast.as_str(),
            ListStatus::UnknownFuture.as_str()
        )
    }
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = Integer)]
    id: i32,
}

#[derive(QueryableByName)]
struct StatusCount {
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// One page of ids in the list's order (`offset` rows skipped).
pub fn page_ids(conn: &mut DbConn, q: &SearchSql, limit: i64, offset: i64) -> QueryResult<Vec<i32>> {
    let sql = format!(
        "SELECT rdvs.id AS id FROM rdvs WHERE {} ORDER BY {} LIMIT {limit} OFFSET {offset}",
        q.where_clause(),
        q.order()
    );
    Ok(diesel::sql_query(sql).load::<Id>(conn)?.into_iter().map(|r| r.id).collect())
}

/// The next `limit` ids after (`starts_at`, `id`) in ascending order (exports read by keyset).
pub fn ids_after(
    conn: &mut DbConn,
    q: &SearchSql,
    after: Option<(NaiveDateTime, i32)>,
    limit: i64,
) -> QueryResult<Vec<(i32, NaiveDateTime)>> {
    #[derive(QueryableByName)]
    struct Key {
        #[diesel(sql_type = Integer)]
        id: i32,
        #[diesel(sql_type = diesel::sql_types::Timestamp)]
        starts_at: NaiveDateTime,
    }
    let mut w = q.where_clause();
    if let Some((t, id)) = after {
        let t = literal(t);
        let _ = write!(w, " AND (rdvs.starts_at > {t} OR (rdvs.starts_at = {t} AND rdvs.id > {id}))");
    }
    let sql = format!(
        "SELECT rdvs.id AS id, rdvs.starts_at AS starts_at FROM rdvs WHERE {w} \
         ORDER BY rdvs.starts_at ASC, rdvs.id ASC LIMIT {limit}"
    );
    Ok(diesel::sql_query(sql).load::<Key>(conn)?.into_iter().map(|k| (k.id, k.starts_at)).collect())
}

/// The list's RDVs per list status.
pub fn status_counts(conn: &mut DbConn, q: &SearchSql) -> QueryResult<Vec<(ListStatus, i64)>> {
    let sql =
        format!("SELECT {} AS status, COUNT(*) AS n FROM rdvs WHERE {} GROUP BY 1", q.status_case(), q.where_clause());
    Ok(diesel::sql_query(sql)
        .load::<StatusCount>(conn)?
        .into_iter()
        .filter_map(|r| ListStatus::parse(&r.status).map(|s| (s, r.n)))
        .collect())
}

/// How many participations the list's RDVs have (the participation export's line count).
pub fn participation_count(conn: &mut DbConn, q: &SearchSql) -> QueryResult<i64> {
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let sql = format!(
        "SELECT COUNT(*) AS n FROM participations JOIN rdvs ON rdvs.id = participations.rdv_id WHERE {}",
        q.where_clause()
    );
    Ok(diesel::sql_query(sql).get_result::<N>(conn)?.n)
}

/// One group of the search's RDVs: same organisation, start instant, motif, status and origin.
#[derive(QueryableByName)]
pub struct StatsGroup {
    #[diesel(sql_type = Integer)]
    pub organisation_id: i32,
    #[diesel(sql_type = diesel::sql_types::Timestamp)]
    pub starts_at: NaiveDateTime,
    #[diesel(sql_type = Integer)]
    pub motif_id: i32,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Text)]
    pub origin: String,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

/// Counts of the search's RDVs by (organisation, start, motif, status, origin): the order of the
/// covering index `index_rdvs_for_lists`, so SQLite aggregates while it scans the range instead
/// of sorting (3× faster than grouping by a computed local day). Local days and "à renseigner" /
/// "à venir" are derived from the start by `rdv_shared::stats::group_row`.
pub fn stats_groups(conn: &mut DbConn, q: &SearchSql) -> QueryResult<Vec<StatsGroup>> {
    let sql = format!(
        "SELECT rdvs.organisation_id AS organisation_id, rdvs.starts_at AS starts_at, rdvs.motif_id AS motif_id, \
         rdvs.status AS status, rdvs.origin AS origin, COUNT(*) AS n FROM rdvs WHERE {} \
         GROUP BY rdvs.organisation_id, rdvs.starts_at, rdvs.motif_id, rdvs.status, rdvs.origin",
        q.where_clause()
    );
    diesel::sql_query(sql).load::<StatsGroup>(conn)
}

/// Receipts of the search's RDVs per channel and result. A join, not `IN (SELECT …)`: SQLite
/// would build a temporary index of every id of the range first (300 ms for a year of 500 000).
pub fn receipt_counts(conn: &mut DbConn, q: &SearchSql) -> QueryResult<Vec<(String, String, i64)>> {
    #[derive(QueryableByName)]
    struct R {
        #[diesel(sql_type = Text)]
        channel: String,
        #[diesel(sql_type = Text)]
        result: String,
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let sql = format!(
        "SELECT receipts.channel AS channel, receipts.result AS result, COUNT(*) AS n FROM receipts \
         JOIN rdvs ON rdvs.id = receipts.rdv_id WHERE {} GROUP BY 1, 2 ORDER BY 1, 2",
        q.where_clause()
    );
    Ok(diesel::sql_query(sql).load::<R>(conn)?.into_iter().map(|r| (r.channel, r.result, r.n)).collect())
}

/// Receipts of these RDVs per (RDV, channel, result), for the export's "résultat des
/// notifications".
pub fn receipts_of_rdvs(conn: &mut DbConn, rdv_ids: &[i32]) -> QueryResult<Vec<(i32, String, String, i64)>> {
    #[derive(QueryableByName)]
    struct R {
        #[diesel(sql_type = Integer)]
        rdv_id: i32,
        #[diesel(sql_type = Text)]
        channel: String,
        #[diesel(sql_type = Text)]
        result: String,
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    if rdv_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT rdv_id, channel, result, COUNT(*) AS n FROM receipts WHERE rdv_id IN ({}) \
         GROUP BY rdv_id, channel, result ORDER BY rdv_id, channel, result",
        list(rdv_ids)
    );
    Ok(diesel::sql_query(sql).load::<R>(conn)?.into_iter().map(|r| (r.rdv_id, r.channel, r.result, r.n)).collect())
}
