//! `rdv backup FILE` and `rdv restore FILE`.
//!
//! SQLite: `VACUUM INTO` writes a consistent, compacted copy of the database as of one
//! transaction while the server keeps serving (WAL readers do not block the writer); restore
//! checks the copy's integrity and puts it in place of an empty database.
//! PostgreSQL: `pg_dump --format=custom` (one consistent snapshot, MVCC) and `pg_restore` into an
//! empty database; both are PostgreSQL's own client tools, which must be installed
//! (`postgresql-client`) in the version of the server or newer.
//! Restoring into a database that holds tables is refused: a restore never merges.

use std::path::Path;
use std::process::Command;

use anyhow::{bail, ensure, Context};
use diesel::{QueryableByName, RunQueryDsl};

use crate::db::{self, Backend};

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Text {
    #[diesel(sql_type = diesel::sql_types::Text)]
    value: String,
}

/// Writes a backup of the database at `url` to `file` (which must not exist yet).
pub fn backup(url: &str, file: &Path) -> anyhow::Result<()> {
    ensure!(!file.exists(), "{} existe déjà : choisissez un nouveau fichier", file.display());
    match Backend::from_url(url)? {
        Backend::Sqlite(_) => {
            let (pool, _) = db::open_pool(url, 1)?;
            let mut conn = pool.get()?;
            let target = file.to_str().context("chemin de sauvegarde non UTF-8")?;
            diesel::sql_query(format!("VACUUM INTO '{}'", target.replace('\'', "''")))
                .execute(&mut *conn)
                .context("VACUUM INTO")?;
        }
        Backend::Postgres(pg_url) => {
            let mut dump = Command::new("pg_dump");
            dump.args(["--format=custom", "--no-owner", "--no-privileges", "--file"]).arg(file).arg(pg_url);
            run(dump, "pg_dump")?;
        }
    }
    Ok(())
}

/// Restores `file` (a backup of [`backup`]) into the empty database at `url`.
pub fn restore(url: &str, file: &Path) -> anyhow::Result<()> {
    ensure!(file.is_file(), "{} introuvable", file.display());
    match Backend::from_url(url)? {
        Backend::Sqlite(path) => {
            check_sqlite_backup(file)?;
            if path.exists() {
                ensure!(table_count(url)? == 0, "la base {} n'est pas vide : restauration refusée", path.display());
                for suffix in ["", "-wal", "-shm"] {
                    let p = format!("{}{suffix}", path.display());
                    if Path::new(&p).exists() {
                        std::fs::remove_file(&p).with_context(|| format!("suppression de {p}"))?;
                    }
                }
            }
            // Copy beside, then rename: a crash never leaves half a database in place.
            let partial = path.with_extension("restoring");
            std::fs::copy(file, &partial).with_context(|| format!("copie vers {}", partial.display()))?;
            std::fs::rename(&partial, &path)?;
        }
        Backend::Postgres(pg_url) => {
            ensure!(table_count(url)? == 0, "la base PostgreSQL n'est pas vide : restauration refusée");
            let mut restore = Command::new("pg_restore");
            restore.args(["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", "--dbname"]);
            restore.arg(pg_url).arg(file);
            run(restore, "pg_restore")?;
        }
    }
    Ok(())
}

/// Tables of the database (ours and the migrations' bookkeeping).
fn table_count(url: &str) -> anyhow::Result<i64> {
    let (pool, backend) = db::open_pool(url, 1)?;
    let mut conn = pool.get()?;
    let sql = match backend {
        Backend::Sqlite(_) => {
            "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        }
        Backend::Postgres(_) => {
            "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = current_schema()"
        }
    };
    Ok(diesel::sql_query(sql).get_result::<Count>(&mut *conn)?.n)
}

/// The file is a SQLite database that passes its integrity check and holds our schema.
fn check_sqlite_backup(file: &Path) -> anyhow::Result<()> {
    let url = file.to_str().context("chemin non UTF-8")?;
    let (pool, _) = db::open_pool(url, 1).context("le fichier n'est pas une base SQLite")?;
    let mut conn = pool.get()?;
    let check = diesel::sql_query("SELECT integrity_check AS value FROM pragma_integrity_check")
        .get_result::<Text>(&mut *conn)
        .context("le fichier n'est pas une base SQLite")?
        .value;
    ensure!(check == "ok", "sauvegarde corrompue : {check}");
    let migrations = diesel::sql_query(
        "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = '__diesel_schema_migrations'",
    )
    .get_result::<Count>(&mut *conn)?;
    ensure!(migrations.n == 1, "ce fichier n'est pas une sauvegarde RDV");
    Ok(())
}

fn run(mut command: Command, name: &str) -> anyhow::Result<()> {
    let out = command.output().with_context(|| format!("{name} introuvable : installez postgresql-client"))?;
    if !out.status.success() {
        bail!("{name} a échoué : {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(())
}
