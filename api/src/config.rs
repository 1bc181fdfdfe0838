//! Environment → typed configuration. Every setting has a default that works on a laptop.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `DATABASE_URL` | `data/rdv.sqlite3` | SQLite path (or `sqlite://…`) or `postgres://…` |
//! | `RDV_DATA_DIR` | `data` | where the SQLite file and the generated JWT secret live |
//! | `RDV_JWT_SECRET` | generated once into `$RDV_DATA_DIR/jwt_secret` | HMAC key of API tokens |
//! | `RDV_TOKEN_TTL_HOURS` | `24` | lifetime of an API token |
//! | `RDV_SPA_DIR` | `frontend/dist` | the built SPA served at `/` |
//! | `RDV_SIGN_IN_PER_MINUTE_EMAIL` / `_IP` | `10` / `50` | sign-in attempts allowed per minute |
//! | `RDV_MAX_BODY_BYTES` | `1048576` | request bodies above this get 413 |
//! | `RDV_PUBLIC_URL` | `http://127.0.0.1:8080` | base of links sent by email (invitations) |
//! | `RDV_MAIL_FROM` | `RDV Solidarités <ne-pas-repondre@rdv-solidarites.localhost>` | sender of emails |
//! | `RDV_DEV_MAILBOX_DIR` | `$RDV_DATA_DIR/mailbox` | where emails are written as `.eml` files without SMTP |
//! | `RDV_MAIL_REPLY_TO` | unset | replies to usagers' emails when the organisation has no email (else the RDV's first agent) |
//! | `RDV_WEBHOOK_ALLOWED_HOSTS` | unset | webhook hosts allowed to resolve to internal addresses (`127.0.0.1,localhost`) |
//! | `RDV_SMTP_URL` | unset (file mailbox) | `smtp://host:25`, `smtps://user:pass@host`, `smtp://…?tls=required` |
//! | `RDV_SMS_URL` / `RDV_SMS_API_KEY` | unset (file sink) | Brevo-style transactional SMS endpoint and key |
//! | `RDV_SMS_SENDER` | `RdvSoli` | SMS sender name (a territory may override all three) |
//! | `RDV_SMS_SINK_DIR` | `$RDV_DATA_DIR/sms` | where SMS are written, one JSON file each, without a provider |
//! | `RDV_OUTBOX_WORKERS` | `2` | delivery threads in `rdv serve` (0: deliver with `rdv worker` only) |
//! | `RDV_OUTBOX_POLL_MS` | `500` | how often an idle worker looks for due messages |
//! | `RDV_OUTBOX_LEASE_SECONDS` | `120` | after a crash, how long before another worker retries a message |
//! | `RDV_OUTBOX_RETRY_SECONDS` / `RDV_OUTBOX_MAX_ATTEMPTS` | `30` / `10` | first back-off (doubling) and attempts before "failed" |
//! | `RDV_PARTNER_SHARED_SECRET` | unset (disabled) | key of partner-signed requests (`X-Agent-Auth-Signature`) |
//! | `RUST_LOG` | `info` | log filter |

use std::path::{Path, PathBuf};

use anyhow::Context;
use rand::RngCore;

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub data_dir: PathBuf,
    pub jwt_secret: Vec<u8>,
    pub token_ttl: chrono::Duration,
    pub spa_dir: PathBuf,
    pub sign_in_per_minute_email: u32,
    pub sign_in_per_minute_ip: u32,
    pub max_body_bytes: usize,
    /// How long a request body may take to arrive once its headers are in (`RDV_BODY_TIMEOUT_SECS`,
    /// 30 s): a client that promises more than it sends gets a 408 and the connection closes.
    pub body_read_timeout: std::time::Duration,
    pub pool_size: u32,
    pub public_url: String,
    pub mail_from: String,
    pub dev_mailbox_dir: PathBuf,
    /// Requests per minute and client IP on the public booking pages (`/api/v1/public/…`).
    pub public_per_minute_ip: u32,
    /// Base URL of the Base Adresse Nationale API (`RDV_GEOCODER_URL`; empty: no geocoding, the
    /// public search then needs an INSEE city code).
    pub geocoder_url: Option<String>,
    /// Partner shared-secret auth; `None` disables it.
    pub partner_shared_secret: Option<Vec<u8>>,
    /// Outgoing messages: transports and workers.
    pub delivery: Delivery,
}

/// How the outbox delivers (see `crate::outbox`).
#[derive(Debug, Clone)]
pub struct Delivery {
    pub smtp_url: Option<String>,
    /// Where usagers' replies go when the RDV's organisation has no email (before falling back
    /// to the RDV's first agent): a service mailbox.
    pub reply_to: Option<String>,
    /// Webhook hosts allowed although they resolve to internal addresses (`RDV_WEBHOOK_ALLOWED_HOSTS`).
    pub webhook_allowed_hosts: Vec<String>,
    pub sms_url: Option<String>,
    pub sms_api_key: Option<String>,
    pub sms_sender: String,
    pub sms_sink_dir: PathBuf,
    pub workers: usize,
    pub poll: std::time::Duration,
    pub lease: chrono::Duration,
    pub retry_base: chrono::Duration,
    pub max_attempts: i32,
    /// Oldest due message age above which `/health/ready` says `degraded` (`RDV_OUTBOX_MAX_LAG_SECS`).
    pub max_lag: chrono::Duration,
    /// Whether this server's first worker plans the daily jobs (the RGPD retention run at 22:00
    /// Paris time; `RDV_DAILY_JOBS=false` turns it off, e.g. on a read-only replica). Planning
    /// is idempotent across servers: the run happens once whatever the number planning it.
    pub daily_jobs: bool,
}

impl Delivery {
    /// Files for mail and SMS, two workers: what `just run` and the tests start from.
    pub fn local(data_dir: &Path) -> Delivery {
        Delivery {
            smtp_url: None,
            reply_to: None,
            webhook_allowed_hosts: Vec::new(),
            sms_url: None,
            sms_api_key: None,
            sms_sender: "RdvSoli".to_owned(),
            sms_sink_dir: data_dir.join("sms"),
            workers: 2,
            poll: std::time::Duration::from_millis(500),
            lease: chrono::Duration::seconds(120),
            retry_base: chrono::Duration::seconds(30),
            max_attempts: 10,
            max_lag: chrono::Duration::seconds(900),
            daily_jobs: true,
        }
    }

    fn from_env(data_dir: &Path) -> anyhow::Result<Delivery> {
        let set = |name: &str| std::env::var(name).ok().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let local = Delivery::local(data_dir);
        Ok(Delivery {
            smtp_url: set("RDV_SMTP_URL"),
            reply_to: set("RDV_MAIL_REPLY_TO"),
            webhook_allowed_hosts: set("RDV_WEBHOOK_ALLOWED_HOSTS")
                .map(|v| v.split(',').map(|h| h.trim().to_owned()).filter(|h| !h.is_empty()).collect())
                .unwrap_or_default(),
            sms_url: set("RDV_SMS_URL"),
            sms_api_key: set("RDV_SMS_API_KEY"),
            sms_sender: set("RDV_SMS_SENDER").unwrap_or(local.sms_sender),
            sms_sink_dir: set("RDV_SMS_SINK_DIR").map(PathBuf::from).unwrap_or(local.sms_sink_dir),
            workers: env_number("RDV_OUTBOX_WORKERS", 2)?,
            poll: std::time::Duration::from_millis(env_number("RDV_OUTBOX_POLL_MS", 500)?),
            lease: chrono::Duration::seconds(env_number("RDV_OUTBOX_LEASE_SECONDS", 120)?),
            retry_base: chrono::Duration::seconds(env_number("RDV_OUTBOX_RETRY_SECONDS", 30)?),
            max_attempts: env_number("RDV_OUTBOX_MAX_ATTEMPTS", 10)?,
            max_lag: chrono::Duration::seconds(env_number("RDV_OUTBOX_MAX_LAG_SECS", 900)?),
            daily_jobs: !matches!(set("RDV_DAILY_JOBS").as_deref(), Some("false" | "0" | "off" | "no")),
        })
    }
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty()).unwrap_or_else(|| default.to_owned())
}

fn env_number<T: std::str::FromStr>(name: &str, default: T) -> anyhow::Result<T> {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => {
            v.trim().parse().map_err(|_| anyhow::anyhow!("{name} must be a number, got {v:?}"))
        }
        _ => Ok(default),
    }
}

impl Config {
    /// Database URL only: what every CLI command needs.
    pub fn database_url() -> String {
        let data_dir = env_or("RDV_DATA_DIR", "data");
        env_or("DATABASE_URL", &format!("{data_dir}/rdv.sqlite3"))
    }

    /// The full server configuration.
    pub fn from_env() -> anyhow::Result<Self> {
        let data_dir = PathBuf::from(env_or("RDV_DATA_DIR", "data"));
        let jwt_secret = match std::env::var("RDV_JWT_SECRET") {
            Ok(s) if s.len() >= 32 => s.into_bytes(),
            Ok(s) if !s.is_empty() => anyhow::bail!("RDV_JWT_SECRET must be at least 32 characters"),
            _ => load_or_create_secret(&data_dir)?,
        };
        let ttl_hours: i64 = env_number("RDV_TOKEN_TTL_HOURS", 24)?;
        anyhow::ensure!((1..=24 * 30).contains(&ttl_hours), "RDV_TOKEN_TTL_HOURS must be between 1 and 720");
        Ok(Config {
            database_url: Self::database_url(),
            jwt_secret,
            token_ttl: chrono::Duration::hours(ttl_hours),
            spa_dir: PathBuf::from(env_or("RDV_SPA_DIR", "frontend/dist")),
            sign_in_per_minute_email: env_number("RDV_SIGN_IN_PER_MINUTE_EMAIL", 10)?.max(1),
            sign_in_per_minute_ip: env_number("RDV_SIGN_IN_PER_MINUTE_IP", 50)?.max(1),
            max_body_bytes: env_number("RDV_MAX_BODY_BYTES", 1024 * 1024)?,
            body_read_timeout: std::time::Duration::from_secs(env_number("RDV_BODY_TIMEOUT_SECS", 30u64)?.max(1)),
            pool_size: env_number("RDV_DB_POOL_SIZE", 10)?,
            public_url: env_or("RDV_PUBLIC_URL", "http://127.0.0.1:8080").trim_end_matches('/').to_owned(),
            mail_from: env_or("RDV_MAIL_FROM", "RDV Solidarités <ne-pas-repondre@rdv-solidarites.localhost>"),
            public_per_minute_ip: env_number("RDV_PUBLIC_PER_MINUTE_IP", 300)?.max(1),
            geocoder_url: match std::env::var("RDV_GEOCODER_URL") {
                Ok(v) if v.trim().is_empty() => None,
                Ok(v) => Some(v.trim().trim_end_matches('/').to_owned()),
                Err(_) => Some("https://api-adresse.data.gouv.fr".to_owned()),
            },
            partner_shared_secret: std::env::var("RDV_PARTNER_SHARED_SECRET")
                .ok()
                .filter(|s| !s.is_empty())
                .map(String::into_bytes),
            dev_mailbox_dir: PathBuf::from(env_or("RDV_DEV_MAILBOX_DIR", &data_dir.join("mailbox").to_string_lossy())),
            delivery: Delivery::from_env(&data_dir)?,
            data_dir,
        })
    }
}

/// Reads `<data_dir>/jwt_secret`, creating it (64 random bytes, hex, mode 600) on first start.
fn load_or_create_secret(data_dir: &Path) -> anyhow::Result<Vec<u8>> {
    let path = data_dir.join("jwt_secret");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let trimmed = existing.trim();
        if trimmed.len() >= 32 {
            return Ok(trimmed.as_bytes().to_vec());
        }
    }
    std::fs::create_dir_all(data_dir).with_context(|| format!("cannot create {}", data_dir.display()))?;
    let mut bytes = [0u8; 64];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let secret = hex::encode(bytes);
    std::fs::write(&path, &secret).with_context(|| format!("cannot write {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(secret.into_bytes())
}
