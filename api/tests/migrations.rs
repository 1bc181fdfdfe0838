//! Both migration sets must describe the same schema: same migration names, and on real
//! databases the same tables, columns, types and nullability.

#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};

fn migration_names(backend: &str) -> Vec<String> {
    let dir = format!("{}/../migrations/{backend}", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn migration_folders_have_the_same_names() {
    let sqlite = migration_names("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, migration_names("postgres"));
}

/// table → column → (type, nullable)
type Shape = BTreeMap<String, BTreeMap<String, (String, bool)>>;

#[derive(QueryableByName)]
struct SqliteColumn {
    #[diesel(sql_type = Text)]
    tbl: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    col_type: String,
    #[diesel(sql_type = Integer)]
    notnull: i32,
    #[diesel(sql_type = Integer)]
    pk: i32,
}

fn sqlite_shape() -> Shape {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("shape.sqlite3").to_string_lossy().into_owned();
    let (pool, _) = rdv_api::db::open_pool(&url, 1).unwrap();
    let mut conn = pool.get().unwrap();
    rdv_api::db::run_migrations(&mut conn).unwrap();
    let rows: Vec<SqliteColumn> = diesel::sql_query(
        "SELECT m.name AS tbl, p.name AS name, p.type AS col_type, p.\"notnull\" AS \"notnull\", p.pk AS pk \
         FROM sqlite_master m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name != '__diesel_schema_migrations'",
    )
    .load(&mut *conn)
    .unwrap();
    let mut shape = Shape::new();
    for r in rows {
        // A primary key is never null, whether or not SQLite says so.
        shape.entry(r.tbl).or_default().insert(r.name, (r.col_type.to_uppercase(), r.notnull == 0 && r.pk == 0));
    }
    shape
}

#[derive(QueryableByName)]
struct PgColumn {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Text)]
    is_nullable: String,
}

fn pg_type(data_type: &str) -> String {
    match data_type {
        "timestamp without time zone" => "TIMESTAMP".into(),
        "time without time zone" => "TIME".into(),
        // diesel's `Binary`: BYTEA here, BLOB on SQLite.
        "bytea" => "BLOB".into(),
        other => other.to_uppercase(),
    }
}

fn postgres_shape() -> Shape {
    let (_db, url) = common::TestDb::create();
    let (pool, _) = rdv_api::db::open_pool(&url, 1).unwrap();
    let mut conn = pool.get().unwrap();
    rdv_api::db::run_migrations(&mut conn).unwrap();
    let rows: Vec<PgColumn> = diesel::sql_query(
        "SELECT table_name::text AS table_name, column_name::text AS column_name, data_type::text AS data_type, \
         is_nullable::text AS is_nullable FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name != '__diesel_schema_migrations'",
    )
    .load(&mut *conn)
    .unwrap();
    drop(conn);
    drop(pool);
    let mut shape = Shape::new();
    for r in rows {
        shape.entry(r.table_name).or_default().insert(r.column_name, (pg_type(&r.data_type), r.is_nullable == "YES"));
    }
    shape
}

#[test]
fn both_backends_yield_the_same_schema() {
    let sqlite = sqlite_shape();
    assert!(sqlite.contains_key("versions") && sqlite.contains_key("agents"), "{sqlite:?}");
    if common::TestDb::backend() != "postgres" {
        // The PostgreSQL pass of `just test` (RDV_TEST_BACKEND=postgres) runs the comparison.
        eprintln!("schema comparison runs in the PostgreSQL pass");
        return;
    }
    let postgres = postgres_shape();
    assert_eq!(sqlite.keys().collect::<Vec<_>>(), postgres.keys().collect::<Vec<_>>(), "same tables");
    for (table, columns) in &sqlite {
        assert_eq!(columns, &postgres[table], "table {table}: columns, types, nullability");
    }
}
