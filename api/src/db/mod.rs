//! Storage: one diesel code path over SQLite (default, embedded) and PostgreSQL (production).
//!
//! - [`DbConn`] is a `MultiConnection` enum; the variant is chosen from the URL scheme by
//!   [`Backend::from_url`], never by trial (diesel's derived `establish` hides the real error).
//! - [`write_tx`] is how every write begins: `BEGIN IMMEDIATE` on SQLite (deferred transactions
//!   lose writes under concurrency with "database is locked"), a plain `BEGIN` on PostgreSQL.
//! - Migrations are embedded per backend (`migrations/sqlite`, `migrations/postgres`, identical
//!   names) and run on the concrete connection.
//! - `schema.rs` only uses the portable SQL types (Integer, Text, Bool, Timestamp…); instants are
//!   UTC `Timestamp`s truncated to microseconds (`now_utc`), enums are `Text`.

pub mod epoch;
pub mod id_list;
pub mod models;
pub mod schema;

pub use id_list::IdListDsl;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection, R2D2Connection};
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, QueryResult};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

/// A connection to either backend. PostgreSQL first, SQLite last (diesel's advice).
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

/// Runs the same diesel query on the concrete connection, for the few query shapes diesel's
/// `MultiConnection` cannot express (batch inserts, `ON CONFLICT`, row locks): the SQL is the
/// same, only its type differs per backend.
#[macro_export]
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConn::Postgres($c) => $body,
            $crate::db::DbConn::Sqlite($c) => $body,
        }
    };
}

pub type Pool = r2d2::Pool<Manager>;
pub type PooledConn = r2d2::PooledConnection<Manager>;

/// Which database a URL designates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    Postgres(String),
    Sqlite(PathBuf),
}

impl Backend {
    /// `postgres://…` / `postgresql://…` → PostgreSQL; `sqlite://path`, `sqlite:path` or a plain
    /// path → SQLite. Any other scheme is refused rather than silently creating a SQLite file
    /// named after a mistyped URL.
    pub fn from_url(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Backend::Postgres(with_connect_timeout(url)));
        }
        if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
            return Ok(Backend::Sqlite(PathBuf::from(path)));
        }
        if url.contains("://") {
            bail!("DATABASE_URL: unsupported scheme in {url:?} (use postgres://… or a SQLite file path)");
        }
        if url.is_empty() {
            bail!("DATABASE_URL is empty");
        }
        Ok(Backend::Sqlite(PathBuf::from(url)))
    }

    pub fn name(&self) -> &'static str {
        match self {
            Backend::Postgres(_) => "postgres",
            Backend::Sqlite(_) => "sqlite",
        }
    }
}

/// libpq waits for the OS TCP timeout by default; an unreachable server must fail in seconds.
fn with_connect_timeout(url: &str) -> String {
    if url.contains("connect_timeout=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&connect_timeout=5")
    } else {
        format!("{url}?connect_timeout=5")
    }
}

/// `FULL` unless `RDV_SQLITE_SYNCHRONOUS=NORMAL` (read once).
fn sqlite_synchronous() -> &'static str {
    static MODE: std::sync::OnceLock<&'static str> = std::sync::OnceLock::new();
    MODE.get_or_init(|| match std::env::var("RDV_SQLITE_SYNCHRONOUS").map(|v| v.trim().to_ascii_uppercase()) {
        Ok(v) if v == "NORMAL" => "NORMAL",
        _ => "FULL",
    })
}

/// r2d2 manager that builds the right variant for the URL and applies SQLite's pragmas.
#[derive(Debug, Clone)]
pub struct Manager {
    backend: Backend,
}

impl Manager {
    fn establish(&self) -> diesel::ConnectionResult<DbConn> {
        match &self.backend {
            Backend::Postgres(url) => PgConnection::establish(url).map(DbConn::Postgres),
            Backend::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(&path.to_string_lossy())?;
                // WAL lets readers run beside the single writer; the busy timeout makes a
                // second writer wait instead of failing; foreign keys are off by default.
                // A 32 MB page cache and memory-mapped reads keep département-scale lookups
                // (hundreds of MB) off the read() syscall path.
                // synchronous=FULL (default): a commit survives an OS crash or a power cut, not
                // only a process crash (NORMAL, `RDV_SQLITE_SYNCHRONOUS=NORMAL`, may lose the last
                // commits then). Cost measured in docs/BENCHMARKS.md.
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = {}; PRAGMA foreign_keys = ON; \
                     PRAGMA cache_size = -32000; PRAGMA mmap_size = 268435456;",
                    sqlite_synchronous()
                ))
                .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }
}

impl ManageConnection for Manager {
    type Connection = DbConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConn, r2d2::Error> {
        self.establish().map_err(r2d2::Error::ConnectionError)
    }

    /// Run at every checkout. A SQLite connection is a file handle in this process: nothing to
    /// check, and the check (an uncached `SELECT 1`, parsed each time) showed in the profile of
    /// every request. A PostgreSQL connection may have been closed by the server: one round
    /// trip of a cached statement tells.
    fn is_valid(&self, conn: &mut DbConn) -> Result<(), r2d2::Error> {
        match conn {
            DbConn::Sqlite(_) => Ok(()),
            DbConn::Postgres(c) => ping_postgres(c).map_err(r2d2::Error::QueryError),
        }
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        std::thread::panicking() || conn.is_broken()
    }
}

/// Opens the pool for `url`, after one direct connection attempt so that a wrong password or a
/// stopped PostgreSQL is reported as such, within seconds.
pub fn open_pool(url: &str, max_size: u32) -> anyhow::Result<(Pool, Backend)> {
    let backend = Backend::from_url(url)?;
    if let Backend::Sqlite(path) = &backend {
        create_parent_dir(path)?;
    }
    let manager = Manager { backend: backend.clone() };
    manager.establish().with_context(|| format!("cannot connect to the {} database", backend.name()))?;
    let pool = r2d2::Pool::builder()
        .max_size(max_size)
        .min_idle(Some(1))
        .connection_timeout(Duration::from_secs(10))
        .build(manager)
        .context("cannot open the database connection pool")?;
    Ok((pool, backend))
}

fn create_parent_dir(path: &Path) -> anyhow::Result<()> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the database directory {}", dir.display())),
        _ => Ok(()),
    }
}

/// Applies pending migrations of the connection's backend; returns their names.
pub fn run_migrations(conn: &mut DbConn) -> anyhow::Result<Vec<String>> {
    let applied = match conn {
        DbConn::Postgres(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS),
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
    }
    .map_err(|e| anyhow::anyhow!("migration failed: {e}"))?;
    Ok(applied.iter().map(ToString::to_string).collect())
}

/// The in-process queue of SQLite writers (see [`write_tx`]). One per process: a process
/// serves one database.
static SQLITE_WRITER: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Runs `f` in a write transaction: `BEGIN IMMEDIATE` on SQLite, `BEGIN` on PostgreSQL.
/// Commits when `f` returns `Ok`, rolls back otherwise; nested calls become savepoints. Every write of the application goes
/// through here, so that the change and its audit version land together or not at all.
pub fn write_tx<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    // Already inside a write transaction: nest as a savepoint.
    let depth = <DbConn as Connection>::TransactionManager::transaction_manager_status_mut(conn).transaction_depth()?;
    if depth.is_some() {
        return conn.transaction(f);
    }
    // SQLite has one writer. Writers of this process queue on a mutex rather than on SQLite's
    // busy handler, which polls with sleeps of up to 100 ms and turned a burst of 64 bookings
    // into seconds of idle waiting; the busy timeout still covers other processes (the CLI).
    let _writer = match conn {
        DbConn::Sqlite(c) => {
            let guard = SQLITE_WRITER.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
            Some(guard)
        }
        DbConn::Postgres(c) => {
            AnsiTransactionManager::begin_transaction(c)?;
            None
        }
    };
    crate::audit::begin_touches();
    let result = f(conn);
    let touched = crate::audit::take_touches();
    // The webhook events of the usagers, agents and links the transaction changed are queued
    // last, so that they see the final state (a new usager's profiles) and commit with it.
    let result = match result {
        Ok(value) if touched.is_empty() => Ok(value),
        Ok(value) => crate::services::people_events::announce(conn, touched).map(|()| value).map_err(E::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(value) => {
            <DbConn as Connection>::TransactionManager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(e) => {
            if let Err(rollback) = <DbConn as Connection>::TransactionManager::rollback_transaction(conn) {
                tracing::error!(error = %rollback, "rollback failed");
            }
            Err(e)
        }
    }
}

/// Current instant, truncated to microseconds (PostgreSQL's precision) so that both backends
/// store and return the same value.
pub fn now_utc() -> chrono::NaiveDateTime {
    truncate_micros(chrono::Utc::now().naive_utc())
}

pub fn truncate_micros(t: chrono::NaiveDateTime) -> chrono::NaiveDateTime {
    use chrono::Timelike;
    let nanos = t.nanosecond() / 1_000 * 1_000;
    t.with_nanosecond(nanos).unwrap_or(t)
}

/// For a link table holding `current` rows `(row id, linked id)` and the wanted set of linked
/// ids: the rows to delete and the linked ids to insert. Callers do the I/O and the audit.
pub fn link_changes(current: &[(i32, i32)], wanted: &[i32]) -> (Vec<(i32, i32)>, Vec<i32>) {
    let remove = current.iter().filter(|(_, linked)| !wanted.contains(linked)).copied().collect();
    let mut add: Vec<i32> =
        wanted.iter().filter(|w| !current.iter().any(|(_, linked)| linked == *w)).copied().collect();
    add.dedup();
    (remove, add)
}

/// Is this error a unique-constraint violation (e.g. a duplicate email)?
pub fn is_unique_violation(e: &diesel::result::Error) -> bool {
    matches!(e, diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _))
}

/// Refreshes the planner statistics after a bulk load (imports, `seed scale`). Without them
/// PostgreSQL plans a 200 000-row search as if the table were empty (measured: 49 ms instead of
/// 0.8 ms) until autovacuum catches up.
///
/// On SQLite only the per-index summaries (`sqlite_stat1`) are kept. With the samples of
/// `sqlite_stat4`, SQLite re-plans a cached statement each time a range parameter is bound
/// (`sqlite3Reprepare`): 15 % of a slot search's CPU in callgrind, for plans that stat1 already
/// gets right. `ANALYZE sqlite_schema` makes open connections reload the statistics.
pub fn analyze(conn: &mut DbConn) -> QueryResult<()> {
    conn.batch_execute("ANALYZE")?;
    // A SQLite built without STAT4 has no such table: nothing to drop then.
    if matches!(conn, DbConn::Sqlite(_))
        && diesel::RunQueryDsl::execute(diesel::sql_query("DELETE FROM sqlite_stat4"), conn).is_ok()
    {
        conn.batch_execute("ANALYZE sqlite_schema")?;
    }
    Ok(())
}

/// `SELECT 1`, for `/health`.
/// Inside a write transaction, serialises writers on these agents' agendas: PostgreSQL locks the
/// agents' rows (`FOR UPDATE`, in id order so that two bookings cannot deadlock); SQLite's
/// `BEGIN IMMEDIATE` already holds the database's single write lock. A booking's re-check and
/// its insert therefore see every booking that committed before it.
pub fn lock_agents(conn: &mut DbConn, agent_ids: &[i32]) -> QueryResult<()> {
    use diesel::prelude::*;
    if let DbConn::Postgres(c) = conn {
        schema::agents::table
            .filter(schema::agents::id.in_ids(agent_ids))
            .order(schema::agents::id)
            .select(schema::agents::id)
            .for_update()
            .load::<i32>(c)?;
    }
    Ok(())
}

fn ping_postgres(conn: &mut PgConnection) -> QueryResult<()> {
    use diesel::prelude::*;
    diesel::select(1.into_sql::<diesel::sql_types::Integer>()).get_result::<i32>(conn).map(|_| ())
}

pub fn ping(conn: &mut DbConn) -> QueryResult<()> {
    conn.batch_execute("SELECT 1")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `.cargo/config.toml` builds SQLite in multi-thread mode (no per-call connection mutex);
    /// the pool never shares a connection between threads. If the flag is lost, this says so.
    #[test]
    fn sqlite_is_built_multi_thread() {
        use diesel::prelude::*;
        #[derive(QueryableByName)]
        struct Opt {
            #[diesel(sql_type = diesel::sql_types::Text)]
            compile_options: String,
        }
        let mut conn = SqliteConnection::establish(":memory:").expect("in-memory SQLite");
        let options: Vec<Opt> = diesel::sql_query("PRAGMA compile_options").load(&mut conn).expect("compile options");
        let names: Vec<&str> = options.iter().map(|o| o.compile_options.as_str()).collect();
        assert!(names.contains(&"THREADSAFE=2"), "{names:?}");
    }

    #[test]
    fn link_changes_table() {
        let current = [(10, 1), (11, 2), (12, 3)];
        assert_eq!(link_changes(&current, &[2, 3, 4]), (vec![(10, 1)], vec![4]));
        assert_eq!(link_changes(&current, &[1, 2, 3]), (vec![], vec![]));
        assert_eq!(link_changes(&current, &[]), (current.to_vec(), vec![]));
        assert_eq!(link_changes(&[], &[5, 6]), (vec![], vec![5, 6]));
    }

    #[test]
    fn backend_from_url_table() {
        let cases = [
            ("postgres://u:p@db/rdv", Some("postgres")),
            ("postgresql:///rdv", Some("postgres")),
            ("sqlite://data/rdv.sqlite3", Some("sqlite")),
            ("sqlite:rdv.db", Some("sqlite")),
            ("data/rdv.sqlite3", Some("sqlite")),
            ("mysql://root@localhost/rdv", None),
            ("postgress://typo/rdv", None),
            ("", None),
        ];
        for (url, expected) in cases {
            assert_eq!(Backend::from_url(url).ok().map(|b| b.name()), expected, "{url}");
        }
        assert_eq!(Backend::from_url("sqlite://data/x.db").ok(), Some(Backend::Sqlite(PathBuf::from("data/x.db"))));
    }

    #[test]
    fn postgres_urls_get_a_connect_timeout() {
        assert_eq!(with_connect_timeout("postgres:///rdv"), "postgres:///rdv?connect_timeout=5");
        assert_eq!(
            with_connect_timeout("postgres:///rdv?sslmode=disable"),
            "postgres:///rdv?sslmode=disable&connect_timeout=5"
        );
        assert_eq!(with_connect_timeout("postgres:///rdv?connect_timeout=2"), "postgres:///rdv?connect_timeout=2");
    }

    #[test]
    fn unreachable_postgres_fails_fast_with_the_real_error() {
        // Nothing listens on port 1: the error must come within seconds and say what failed.
        let started = std::time::Instant::now();
        let err = open_pool("postgres://rdv@127.0.0.1:1/rdv", 1).err().map(|e| format!("{e:#}"));
        assert!(started.elapsed() < Duration::from_secs(8), "took {:?}", started.elapsed());
        let err = err.unwrap_or_default();
        assert!(err.contains("cannot connect to the postgres database"), "{err}");
        assert!(err.to_lowercase().contains("connect"), "{err}");
    }
}
