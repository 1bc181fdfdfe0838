//! Bootstrap operations used by the CLI (`rdv territory|organisation|agent create`) and the demo
//! seed: validated, audited (author `cli` / `seed`), each in one write transaction.

use anyhow::{anyhow, bail, Context};
use serde_json::json;

use rdv_shared::access::AccessLevel;
use rdv_shared::validation;

use crate::audit::Author;
use crate::auth::password;
use crate::db::models::{agent, organisation, service, territory};
use crate::db::{write_tx, DbConn};

pub fn create_territory(
    conn: &mut DbConn,
    author: &Author,
    name: &str,
    departement_number: &str,
) -> anyhow::Result<serde_json::Value> {
    validation::required_text(name, 255).map_err(|c| anyhow!("--name {}", validation::message_fr(c)))?;
    if departement_number.trim().chars().count() > 3 {
        bail!("--departement-number: 3 caractères au plus (ex. 62, 2A, 974)");
    }
    let row = write_tx(conn, |c| territory::create(c, author, name, departement_number))?;
    Ok(json!({"id": row.id, "name": row.name, "departement_number": row.departement_number}))
}

pub fn create_organisation(
    conn: &mut DbConn,
    author: &Author,
    territory_id: i32,
    name: &str,
    time_zone: &str,
) -> anyhow::Result<serde_json::Value> {
    validation::required_text(name, 255).map_err(|c| anyhow!("--name {}", validation::message_fr(c)))?;
    validation::time_zone(time_zone).map_err(|_| anyhow!("--time-zone: fuseau IANA inconnu: {time_zone}"))?;
    territory::find(conn, territory_id)?.ok_or_else(|| anyhow!("territoire {territory_id} introuvable"))?;
    if organisation::name_taken(conn, territory_id, name, None)? {
        bail!("une organisation nommée {name:?} existe déjà dans ce territoire");
    }
    let row = write_tx(conn, |c| organisation::create(c, author, territory_id, name, time_zone))?;
    Ok(serde_json::to_value(row.to_dto())?)
}

/// Arguments of `rdv agent create`.
pub struct AgentArgs {
    pub email: Option<String>,
    pub password: Option<String>,
    pub first_name: Option<String>,
    pub last_name: String,
    pub organisation_id: i32,
    pub role: AccessLevel,
    pub services: Vec<String>,
    pub territorial_admin: bool,
}

pub fn create_agent(conn: &mut DbConn, author: &Author, args: AgentArgs) -> anyhow::Result<serde_json::Value> {
    let password_hash = prepare_credentials(&args)?.map(|pw| password::hash(&pw)).transpose()?;
    create_agent_with_hash(conn, author, args, password_hash)
}

/// Checks email and password per role; returns the password to hash, if any.
fn prepare_credentials(args: &AgentArgs) -> anyhow::Result<Option<String>> {
    if args.role == AccessLevel::Intervenant {
        // Intervenants are agenda resources: no login (reference §1.3).
        if args.password.is_some() {
            bail!("un intervenant ne se connecte pas : pas de --password");
        }
        return Ok(None);
    }
    let email = args.email.as_deref().ok_or_else(|| anyhow!("--email est requis (sauf intervenant)"))?;
    validation::email(email).map_err(|_| anyhow!("--email n'est pas valide"))?;
    let pw = args.password.clone().ok_or_else(|| anyhow!("--password est requis (sauf intervenant)"))?;
    validation::password_strength(&pw).map_err(|c| anyhow!("--password {}", validation::message_fr(c)))?;
    Ok(Some(pw))
}

/// Same as [`create_agent`] with an already hashed password (the seed hashes once for all).
pub fn create_agent_with_hash(
    conn: &mut DbConn,
    author: &Author,
    args: AgentArgs,
    password_hash: Option<String>,
) -> anyhow::Result<serde_json::Value> {
    if args.role != AccessLevel::Intervenant && password_hash.is_none() {
        bail!("--password est requis (sauf intervenant)");
    }
    validation::required_text(&args.last_name, 255)
        .map_err(|c| anyhow!("--last-name {}", validation::message_fr(c)))?;
    if args.role != AccessLevel::Intervenant && args.first_name.as_deref().is_none_or(|f| f.trim().is_empty()) {
        bail!("--first-name est requis (sauf intervenant)");
    }
    let email = args.email.as_deref().map(validation::normalise_email);
    if let Some(e) = &email {
        validation::email(e).map_err(|_| anyhow!("--email n'est pas valide"))?;
        if agent::email_taken(conn, e)? {
            bail!("un agent avec l'email {e} existe déjà");
        }
    }
    let org = organisation::find(conn, args.organisation_id)?
        .ok_or_else(|| anyhow!("organisation {} introuvable", args.organisation_id))?;
    let mut service_ids = Vec::new();
    for name in &args.services {
        let s = service::find_by_name(conn, name)?
            .ok_or_else(|| anyhow!("service inconnu : {name} (PMI, Service social, CPEF, Secrétariat)"))?;
        service_ids.push(s.id);
    }
    if service_ids.is_empty() {
        bail!("au moins un --service est requis");
    }
    service_ids.sort_unstable();
    service_ids.dedup();
    let row = write_tx(conn, |c| {
        agent::create(
            c,
            author,
            agent::NewAgentInput {
                email: email.as_deref(),
                password_hash,
                first_name: args.first_name.as_deref().map(str::trim),
                last_name: args.last_name.trim(),
                organisation_id: org.id,
                access_level: args.role,
                service_ids: service_ids.clone(),
                territorial_admin_of: args.territorial_admin.then_some(org.territory_id),
            },
        )
    })
    .context("création de l'agent")?;
    let mut value = serde_json::to_value(row.to_dto())?;
    value["organisation_id"] = json!(org.id);
    value["role"] = json!(args.role.as_str());
    value["service_ids"] = json!(service_ids);
    value["territorial_admin"] = json!(args.territorial_admin);
    Ok(value)
}

/// `rdv users import FILE --organisation-id N`: the API's import, run in the foreground with a
/// progress bar on stderr; the per-row report is written to `<FILE>.rapport.csv`.
pub fn import_users(
    conn: &mut DbConn,
    author: &Author,
    organisation_id: i32,
    file: &std::path::Path,
    mapping: &[String],
) -> anyhow::Result<crate::db::models::user_import::ImportRow> {
    use crate::db::models::user_import;
    organisation::find(conn, organisation_id)?.ok_or_else(|| anyhow!("organisation {organisation_id} introuvable"))?;
    let mut explicit = std::collections::BTreeMap::new();
    for m in mapping {
        let (field, header) = m.split_once('=').ok_or_else(|| anyhow!("--map attend champ=En-tête, reçu {m:?}"))?;
        explicit.insert(field.trim().to_owned(), header.trim().to_owned());
    }
    let bytes = std::fs::read(file).with_context(|| format!("lecture de {}", file.display()))?;
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let sheet = user_import::read_file(&name, &bytes).map_err(|msg| anyhow!(msg))?;
    rdv_shared::usager::import::resolve_mapping(&sheet.headers, &explicit).map_err(|msg| anyhow!(msg))?;
    let job = user_import::create_job(conn, organisation_id, None, &name, sheet.rows.len())?;
    let bar = indicatif::ProgressBar::new(sheet.rows.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} lignes ({eta} restant)")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let done = user_import::run(conn, author, job.id, &sheet, &explicit, |n, _| bar.set_position(n as u64))?;
    bar.finish();
    let mut report_path = file.as_os_str().to_owned();
    report_path.push(".rapport.csv");
    std::fs::write(&report_path, user_import::report_csv(&done)?)
        .with_context(|| format!("écriture du rapport {}", std::path::Path::new(&report_path).display()))?;
    eprintln!("Rapport ligne par ligne : {}", std::path::Path::new(&report_path).display());
    Ok(done)
}
