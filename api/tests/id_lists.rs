//! `db::IdListDsl::in_ids`: one prepared statement serves id lists of every length, on both
//! backends (run with `RDV_TEST_BACKEND=postgres` for PostgreSQL), and it selects exactly the
//! rows `eq_any` selects.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;

use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use common::TestData;
use diesel::connection::InstrumentationEvent;
use diesel::prelude::*;
use rdv_api::db::schema::{agents, motif_categories, motifs, plage_ouvertures};
use rdv_api::db::IdListDsl;

/// Records the SQL of every statement diesel prepares and keeps (`CacheQuery`) and of every
/// statement it runs.
#[derive(Default, Clone)]
struct Seen {
    cached: Arc<Mutex<Vec<String>>>,
    run: Arc<Mutex<Vec<String>>>,
}

impl Seen {
    fn attach(&self, conn: &mut rdv_api::db::DbConn) {
        let seen = self.clone();
        conn.set_instrumentation(move |event: InstrumentationEvent<'_>| match event {
            InstrumentationEvent::CacheQuery { sql, .. } => seen.cached.lock().unwrap().push(sql.to_owned()),
            InstrumentationEvent::StartQuery { query, .. } => seen.run.lock().unwrap().push(query.to_string()),
            _ => {}
        });
    }

    /// Statements kept that read `table` through an id list.
    fn cached_matching(&self, needle: &str) -> usize {
        self.cached.lock().unwrap().iter().filter(|sql| sql.contains(needle) && sql.contains(list_syntax())).count()
    }

    fn run_matching(&self, needle: &str) -> usize {
        self.run.lock().unwrap().iter().filter(|sql| sql.contains(needle)).count()
    }
}

fn list_syntax() -> &'static str {
    if common::TestDb::backend() == "postgres" {
        "= ANY("
    } else {
        "json_each("
    }
}

#[test]
fn one_cached_statement_serves_lists_of_every_length() {
    let data = TestData::seeded();
    let mut conn = data.conn();
    let all: Vec<i32> = agents::table.order(agents::id).select(agents::id).load(&mut *conn).unwrap();
    assert!(all.len() >= 4, "the demo has agents");
    let seen = Seen::default();
    seen.attach(&mut conn);

    // Lists of 0, 1, 3, every id, every id plus unknown ones, and a long list with repeats.
    let mut lists: Vec<Vec<i32>> = vec![vec![], vec![all[0]], all[..3].to_vec(), all.clone()];
    lists.push(all.iter().copied().chain([-1, 0, 999_999]).collect());
    lists.push((0..600).map(|i| all[i % all.len()]).collect());
    for ids in &lists {
        let mut got: Vec<i32> =
            agents::table.filter(agents::id.in_ids(ids)).order(agents::id).select(agents::id).load(&mut *conn).unwrap();
        let mut expected: Vec<i32> = all.iter().copied().filter(|id| ids.contains(id)).collect();
        expected.dedup();
        got.dedup();
        assert_eq!(got, expected, "ids {ids:?}");
    }
    assert_eq!(seen.run_matching(list_syntax()), lists.len(), "every list ran through the constant SQL");
    assert_eq!(seen.cached_matching(list_syntax()), 1, "prepared once: {:?}", seen.cached.lock().unwrap());
}

#[test]
fn nullable_columns_boxed_queries_and_model_queries_are_cached_too() {
    let data = TestData::seeded();
    let mut conn = data.conn();
    let agent_ids: Vec<i32> = agents::table.order(agents::id).select(agents::id).load(&mut *conn).unwrap();
    let category_ids: Vec<i32> = motif_categories::table.select(motif_categories::id).load(&mut *conn).unwrap();
    let lists: Vec<&[i32]> =
        [1, 2, category_ids.len()].into_iter().map(|n| &category_ids[..n.min(category_ids.len())]).collect();
    let expected: Vec<i64> = lists
        .iter()
        .map(|ids| motifs::table.filter(motifs::motif_category_id.eq_any(*ids)).count().get_result(&mut *conn).unwrap())
        .collect();
    let without: i64 =
        motifs::table.filter(motifs::motif_category_id.is_null()).count().get_result(&mut *conn).unwrap();
    assert!(expected.iter().any(|n| *n > 0) && without > 0, "demo motifs with and without a category");
    let seen = Seen::default();
    seen.attach(&mut conn);

    // A nullable column in a boxed query: NULL is never in the list.
    for (ids, expected) in lists.iter().zip(&expected) {
        let count: i64 = motifs::table
            .into_boxed()
            .filter(motifs::motif_category_id.in_ids(ids))
            .count()
            .get_result(&mut *conn)
            .unwrap();
        assert_eq!(count, *expected);
    }
    assert_eq!(seen.cached_matching("motif_category_id"), 1, "{:?}", seen.cached.lock().unwrap());

    // The slot search's plages query, for one agent then for all of them.
    let (from, to) = (NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(), NaiveDate::from_ymd_opt(2100, 1, 1).unwrap());
    let every = rdv_api::db::models::plage::in_window(&mut conn, &agent_ids, from, to).unwrap();
    let one = rdv_api::db::models::plage::in_window(&mut conn, &agent_ids[..1], from, to).unwrap();
    assert!(one.iter().all(|p| p.agent_id == agent_ids[0]));
    assert_eq!(one.len(), every.iter().filter(|p| p.agent_id == agent_ids[0]).count());
    let total: i64 = plage_ouvertures::table.count().get_result(&mut *conn).unwrap();
    assert_eq!(every.len() as i64, total, "every plage of the demo belongs to one of its agents");
    assert_eq!(seen.cached_matching("plage_ouvertures"), 1, "{:?}", seen.cached.lock().unwrap());
}

/// Why the helper exists: diesel's `eq_any` on SQLite writes one placeholder per id and never
/// keeps the statement. If diesel ever caches it, the helper can go.
#[test]
fn eq_any_is_never_cached_on_sqlite() {
    if common::TestDb::backend() != "sqlite" {
        return;
    }
    let data = TestData::seeded();
    let mut conn = data.conn();
    let seen = Seen::default();
    seen.attach(&mut conn);
    for ids in [vec![1], vec![1, 2], vec![1, 2]] {
        let _: Vec<i32> = agents::table.filter(agents::id.eq_any(&ids)).select(agents::id).load(&mut *conn).unwrap();
    }
    // SQLite's diesel quotes names with backticks.
    assert_eq!(seen.run_matching("`agents`.`id` IN ("), 3);
    assert_eq!(seen.cached.lock().unwrap().iter().filter(|sql| sql.contains("`agents`.`id` IN (")).count(), 0);
}

/// The reads an integrator repeats (a week of an organisation's RDVs, a usager search) run only
/// statements diesel keeps: after a first request, a second one prepares nothing. A statement
/// whose SQL changes with its input (an `IN (?, ?, …)` list, say) fails this test.
#[test]
fn repeated_reads_prepare_no_statement() {
    use rdv_api::services::rdv_lists::{list_organisation_rdvs, OrganisationRdvsQuery};
    use rdv_api::services::usagers::{list_users, ListUsersQuery};
    let data = TestData::seeded();
    // A connection of its own, watched from its first statement on: every statement diesel
    // keeps is reported once.
    let (pool, _) = rdv_api::db::open_pool(&data.state.config.database_url, 1).unwrap();
    let mut conn = pool.get().unwrap();
    let seen = Seen::default();
    seen.attach(&mut conn);
    rdv_api::seed::demo(&mut conn).unwrap();
    let arras = common::organisation_id(&data.state, "MDS Arras");
    let admin =
        rdv_api::db::models::agent::find_by_email(&mut conn, &common::demo_email("camille.martin")).unwrap().unwrap();
    let monday = chrono::Utc::now().date_naive() - chrono::Duration::days(7);
    let week = || OrganisationRdvsQuery {
        starts_after: Some(monday.to_string()),
        starts_before: Some((monday + chrono::Duration::days(7)).to_string()),
        page: None,
    };
    let search = || ListUsersQuery { organisation_id: None, search: Some("mart".into()), page: None };
    // A first run of each prepares its statements.
    let (rdvs, _) = list_organisation_rdvs(&mut conn, &admin, arras, week(), 1).unwrap();
    assert!(rdvs.len() > 10, "the demo week has RDVs: {}", rdvs.len());
    list_users(&mut conn, &admin, search(), Vec::new(), 1).unwrap();
    let first_run = seen.run.lock().unwrap().len();

    let (again, _) = list_organisation_rdvs(&mut conn, &admin, arras, week(), 1).unwrap();
    assert_eq!(again.len(), rdvs.len());
    list_users(&mut conn, &admin, search(), Vec::new(), 1).unwrap();
    let kept: std::collections::HashSet<String> = seen.cached.lock().unwrap().iter().cloned().collect();
    let second: Vec<String> = seen.run.lock().unwrap()[first_run..]
        .iter()
        .map(|q| q.split(" -- binds:").next().unwrap_or(q).trim().to_owned())
        .collect();
    assert!(second.len() >= 10, "the two reads ran their queries: {second:#?}");
    let not_kept: Vec<&String> = second.iter().filter(|sql| !kept.contains(*sql)).collect();
    assert!(not_kept.is_empty(), "statements prepared at every run: {not_kept:#?}");
}
