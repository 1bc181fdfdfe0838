//! `rdv`: the RDV server and its operator commands. The database comes from `DATABASE_URL`
//! (default `data/rdv.sqlite3`) for every command.

use std::net::TcpListener;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};

use rdv_api::admin::{self, AgentArgs};
use rdv_api::audit::Author;
use rdv_api::config::Config;
use rdv_api::{db, seed, server};
use rdv_shared::access::AccessLevel;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "rdv", version, about = "RDV — prise de rendez-vous pour les services sociaux départementaux")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Apply pending migrations, then serve the API, the API docs and the SPA.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080", env = "RDV_BIND")]
        bind: String,
        /// HTTP worker threads (default: one per core).
        #[arg(long, env = "RDV_WORKERS")]
        workers: Option<usize>,
    },
    /// Deliver queued emails, SMS and scheduled reminders, without serving HTTP (beside or
    /// instead of the workers of `rdv serve`; any number of them may run on one PostgreSQL).
    Worker {
        /// Delivery threads.
        #[arg(long, default_value_t = 2)]
        threads: usize,
    },
    /// The outgoing messages queue.
    Outbox {
        #[command(subcommand)]
        action: OutboxCmd,
    },
    /// Apply pending migrations.
    Migrate,
    /// Write a consistent backup of the database to FILE while it serves (SQLite: VACUUM INTO;
    /// PostgreSQL: pg_dump, custom format).
    Backup { file: std::path::PathBuf },
    /// Restore a backup of `rdv backup` into an empty database (then `rdv migrate` if it is older).
    Restore { file: std::path::PathBuf },
    /// Run the RGPD retention purge now (it also runs daily at 22:00 Paris time inside the
    /// servers' workers), or with --dry-run print what it would delete, per kind and territory.
    Retention {
        #[arg(long)]
        dry_run: bool,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Load data sets.
    Seed {
        #[arg(value_enum)]
        set: SeedSet,
        /// Only when the database holds no territory yet (used by `just run`).
        #[arg(long)]
        if_empty: bool,
        /// `scale` only: how many usagers.
        #[arg(long, default_value_t = 200_000)]
        users: usize,
        /// `slots` only: past RDVs as a multiple of two years of history (≈ 1 M at 1).
        #[arg(long, default_value_t = 1)]
        history_factor: usize,
    },
    /// Print the OpenAPI document (YAML).
    Openapi,
    /// Territories.
    Territory {
        #[command(subcommand)]
        action: TerritoryCmd,
    },
    /// Organisations.
    Organisation {
        #[command(subcommand)]
        action: OrganisationCmd,
    },
    /// Agents.
    Agent {
        #[command(subcommand)]
        action: AgentCmd,
    },
    /// Usagers.
    Users {
        #[command(subcommand)]
        action: UsersCmd,
    },
}

#[derive(Subcommand)]
enum UsersCmd {
    /// Import usagers from a CSV or XLSX file into an organisation, with a progress bar; prints
    /// the counts, and writes the per-row report next to the file (`<file>.rapport.csv`).
    Import {
        file: std::path::PathBuf,
        #[arg(long)]
        organisation_id: i32,
        /// Column mapping `field=Header` (e.g. `last_name=NOM`); repeatable. Usual headers are
        /// recognised without it.
        #[arg(long = "map")]
        mapping: Vec<String>,
    },
    /// Rebuild the search index of every usager (after an upgrade that changes search rules).
    Reindex,
}

#[derive(Subcommand)]
enum OutboxCmd {
    /// Messages and jobs by channel and status, as JSON lines.
    Status,
    /// Plans the J-2 reminder of every future RDV that has none (RDVs imported or created
    /// before notifications existed); prints how many were planned.
    PlanReminders,
}

#[derive(Clone, Copy, ValueEnum)]
enum SeedSet {
    /// The Pas-de-Calais demo territory (idempotent).
    Demo,
    /// Département-scale data for benchmarks: `--users N` usagers in a "Bench" territory.
    Scale,
    /// Slot-search benchmark data in the Bench territory (after `scale`): 60 lieux, 50 motifs,
    /// 300 agents with plages, ≈ 1 M past RDVs × `--history-factor`, six weeks ahead.
    Slots,
}

#[derive(Subcommand)]
enum TerritoryCmd {
    /// Create a territory; prints it as one line of JSON.
    Create {
        #[arg(long)]
        name: String,
        #[arg(long)]
        departement_number: String,
    },
}

#[derive(Subcommand)]
enum OrganisationCmd {
    /// Create an organisation; prints it as one line of JSON.
    Create {
        #[arg(long)]
        territory_id: i32,
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "Europe/Paris")]
        time_zone: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Role {
    Admin,
    Basic,
    Intervenant,
}

#[derive(Subcommand)]
enum AgentCmd {
    /// Create an agent with a role in one organisation; prints it as one line of JSON.
    Create {
        #[arg(long)]
        email: Option<String>,
        #[arg(long, env = "RDV_AGENT_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        #[arg(long)]
        first_name: Option<String>,
        #[arg(long)]
        last_name: String,
        #[arg(long)]
        organisation_id: i32,
        #[arg(long, value_enum)]
        role: Role,
        /// Service name or short name (PMI, Service social, CPEF, Secrétariat); repeatable.
        #[arg(long = "service")]
        services: Vec<String>,
        /// Also make the agent admin of the organisation's territory.
        #[arg(long)]
        territorial_admin: bool,
    },
}

fn main() {
    let logs = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr);
    // One JSON object per line (with the request span's `request_id`) for log collectors.
    if std::env::var("RDV_LOG_FORMAT").is_ok_and(|f| f.trim() == "json") {
        logs.json().with_current_span(true).with_span_list(false).init();
    } else {
        logs.init();
    }
    if let Err(e) = run(Cli::parse()) {
        eprintln!("erreur : {e:#}");
        std::process::exit(1);
    }
}

fn open_db() -> anyhow::Result<db::PooledConn> {
    let (pool, _) = db::open_pool(&Config::database_url(), 1)?;
    let mut conn = pool.get()?;
    db::run_migrations(&mut conn)?;
    Ok(conn)
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let cli_author = Author::system("cli");
    match cli.command {
        Command::Serve { bind, workers } => {
            let config = Config::from_env()?;
            let state = server::prepare(config)?;
            let listener = TcpListener::bind(&bind).with_context(|| format!("cannot listen on {bind}"))?;
            let workers = workers.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
            eprintln!("RDV écoute sur http://{bind} ({} database)", state.backend.name());
            let delivery =
                rdv_api::outbox::worker::spawn(state.pool.clone(), &state.config, state.config.delivery.workers)?;
            actix_web::rt::System::new()
                .block_on(async move { server::run(state, listener, workers)?.await.map_err(anyhow::Error::from) })?;
            delivery.stop();
            Ok(())
        }
        Command::Worker { threads } => {
            let state = server::prepare(Config::from_env()?)?;
            eprintln!("RDV : {threads} worker(s) de livraison ({} database)", state.backend.name());
            rdv_api::outbox::worker::spawn(state.pool.clone(), &state.config, threads.max(1))?.join();
            Ok(())
        }
        Command::Outbox { action: OutboxCmd::Status } => {
            for (channel, status, count) in db::models::outbox::count_by_status(&mut *open_db()?)? {
                println!("{}", serde_json::json!({ "channel": channel, "status": status, "count": count }));
            }
            Ok(())
        }
        Command::Outbox { action: OutboxCmd::PlanReminders } => {
            let started = std::time::Instant::now();
            let planned =
                rdv_api::services::notifications::plan_missing_reminders(&mut *open_db()?, chrono::Utc::now())?;
            eprintln!("{planned} rappel(s) planifié(s) en {:.1} s.", started.elapsed().as_secs_f64());
            println!("{planned}");
            Ok(())
        }
        Command::Backup { file } => {
            let started = std::time::Instant::now();
            rdv_api::backup::backup(&Config::database_url(), &file)?;
            eprintln!("Sauvegarde écrite dans {} en {:.1} s.", file.display(), started.elapsed().as_secs_f64());
            Ok(())
        }
        Command::Restore { file } => {
            rdv_api::backup::restore(&Config::database_url(), &file)?;
            eprintln!("Sauvegarde {} restaurée.", file.display());
            Ok(())
        }
        Command::Retention { dry_run, json } => {
            let report = rdv_api::services::retention::run(&mut *open_db()?, chrono::Utc::now(), dry_run, None)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", rdv_api::services::retention::to_text(&report));
            }
            Ok(())
        }
        Command::Migrate => {
            let (pool, backend) = db::open_pool(&Config::database_url(), 1)?;
            let applied = db::run_migrations(&mut *pool.get()?)?;
            eprintln!("{} migration(s) applied on {}", applied.len(), backend.name());
            Ok(())
        }
        Command::Seed { set: SeedSet::Scale, users, .. } => {
            let mut conn = open_db()?;
            let started = std::time::Instant::now();
            let created = rdv_api::seed::usagers::scale(&mut conn, users)?;
            eprintln!("{created} usagers créés en {:.1} s.", started.elapsed().as_secs_f64());
            Ok(())
        }
        Command::Users { action: UsersCmd::Import { file, organisation_id, mapping } } => {
            let job = admin::import_users(&mut *open_db()?, &cli_author, organisation_id, &file, &mapping)?;
            println!(
                "{}",
                serde_json::json!({
                    "total_rows": job.total_rows, "created": job.created_count, "matched": job.matched_count,
                    "warnings": job.warning_count, "errors": job.error_count,
                })
            );
            Ok(())
        }
        Command::Users { action: UsersCmd::Reindex } => {
            let mut conn = open_db()?;
            let started = std::time::Instant::now();
            let n = rdv_api::db::models::user_search::reindex_all(&mut conn, 2000, |n| eprint!("\r{n}"))?;
            rdv_api::db::analyze(&mut conn)?;
            eprintln!("\r{n} usagers réindexés en {:.1} s.", started.elapsed().as_secs_f64());
            Ok(())
        }
        Command::Seed { set: SeedSet::Slots, history_factor, .. } => {
            let mut conn = open_db()?;
            let started = std::time::Instant::now();
            let (past, future) = rdv_api::seed::slots::scale(&mut conn, history_factor)?;
            eprintln!("{past} RDV passés et {future} à venir créés en {:.1} s.", started.elapsed().as_secs_f64());
            Ok(())
        }
        Command::Seed { set: SeedSet::Demo, if_empty, .. } => {
            let mut conn = open_db()?;
            if if_empty && seed::has_territory(&mut conn)? {
                eprintln!("La base contient déjà des données : pas de données de démonstration.");
                return Ok(());
            }
            if seed::demo(&mut conn)? {
                // Planner statistics for the new rows: before autovacuum's first pass,
                // PostgreSQL took the 321 demo usagers for one and nested-looped the usager
                // search (545 req/s instead of 1 460 under load; docs/BENCHMARKS.md, issue 19).
                rdv_api::db::analyze(&mut conn)?;
                eprintln!("Données de démonstration créées.");
            } else {
                eprintln!("Données de démonstration déjà présentes : rien à faire.");
            }
            eprintln!("Comptes de démonstration (mot de passe : {}) :", seed::DEMO_PASSWORD);
            for (email, who) in seed::demo_logins() {
                eprintln!("  {email:<48} {who}");
            }
            Ok(())
        }
        Command::Openapi => {
            print!("{}", rdv_api::openapi::to_yaml(&rdv_api::app::openapi())?);
            Ok(())
        }
        Command::Territory { action: TerritoryCmd::Create { name, departement_number } } => {
            let v = admin::create_territory(&mut *open_db()?, &cli_author, &name, &departement_number)?;
            println!("{v}");
            Ok(())
        }
        Command::Organisation { action: OrganisationCmd::Create { territory_id, name, time_zone } } => {
            let v = admin::create_organisation(&mut *open_db()?, &cli_author, territory_id, &name, &time_zone)?;
            println!("{v}");
            Ok(())
        }
        Command::Agent {
            action:
                AgentCmd::Create {
                    email,
                    password,
                    first_name,
                    last_name,
                    organisation_id,
                    role,
                    services,
                    territorial_admin,
                },
        } => {
            let role = match role {
                Role::Admin => AccessLevel::Admin,
                Role::Basic => AccessLevel::Basic,
                Role::Intervenant => AccessLevel::Intervenant,
            };
            let args = AgentArgs {
                email,
                password,
                first_name,
                last_name,
                organisation_id,
                role,
                services,
                territorial_admin,
            };
            let v = admin::create_agent(&mut *open_db()?, &cli_author, args)?;
            println!("{v}");
            Ok(())
        }
    }
}
