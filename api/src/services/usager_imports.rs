//! Usager imports (CSV/XLSX): an import is accepted only once its file reads and its column
//! mapping resolves, then its rows run in the background on their own pooled connection,
//! recording progress on the job row.

use std::collections::BTreeMap;

use rdv_shared::access::can_import_usagers;
use rdv_shared::dto::CreateUserImportRequest;
use rdv_shared::OrganisationId;

use crate::audit::Author;
use crate::db::models::agent::AgentRow;
use crate::db::models::{agent, organisation, user_import};
use crate::db::{DbConn, Pool};
use crate::error::{ApiError, ApiResult};

/// The job and whether the caller may read it (admins of its organisation).
pub fn readable_job(conn: &mut crate::db::DbConn, id: i32, agent_id: i32) -> ApiResult<user_import::ImportRow> {
    let job = user_import::find(conn, id)?.ok_or(ApiError::NotFound("user_import"))?;
    let actor = agent::facts(conn, agent_id)?;
    if !can_import_usagers(&actor, OrganisationId(job.organisation_id)) {
        return Err(ApiError::NotFound("user_import"));
    }
    Ok(job)
}

/// An accepted import: its job, and the rows still to run.
pub struct Started {
    pub job: user_import::ImportRow,
    sheet: user_import::Sheet,
    mapping: BTreeMap<String, String>,
}

/// Starts an import into an organisation (its admins). The file is read at once: an unreadable
/// file, an unknown format or missing name columns answer 422 with the reason. Rows are then
/// processed by [`run_in_background`]; poll the job for progress.
pub fn create_user_import(
    conn: &mut DbConn,
    caller: &AgentRow,
    body: CreateUserImportRequest,
    bytes: Vec<u8>,
) -> ApiResult<Started> {
    let org_id = body.organisation_id.0;
    organisation::find(conn, org_id)?.ok_or(ApiError::NotFound("organisation"))?;
    let actor = agent::facts(conn, caller.id)?;
    if !can_import_usagers(&actor, OrganisationId(org_id)) {
        return Err(ApiError::forbidden());
    }
    let sheet = user_import::read_file(&body.filename, &bytes)
        .map_err(|msg| ApiError::field_message("file", "invalid", msg))?;
    // Mapping problems are the file's problems too: report them now, not in the job.
    rdv_shared::usager::import::resolve_mapping(&sheet.headers, &body.mapping)
        .map_err(|msg| ApiError::field_message("mapping", "invalid", msg))?;
    let job = user_import::create_job(conn, org_id, Some(caller.id), &body.filename, sheet.rows.len())?;
    Ok(Started { job, sheet, mapping: body.mapping })
}

/// Runs an accepted import's rows on a thread of its own; a failure is logged on the job.
pub fn run_in_background(pool: Pool, author: Author, started: Started) {
    let Started { job, sheet, mapping } = started;
    let job_id = job.id;
    std::thread::spawn(move || {
        let result = pool
            .get()
            .map_err(anyhow::Error::from)
            .and_then(|mut conn| user_import::run(&mut conn, &author, job_id, &sheet, &mapping, |_, _| {}));
        if let Err(e) = result {
            tracing::error!(job_id, error = format!("{e:#}"), "user import failed");
        }
    });
}

/// The per-row report as a `;`-separated CSV (UTF-8 with BOM, opens in spreadsheet software).
pub fn get_user_import_report(conn: &mut DbConn, caller: &AgentRow, id: i32) -> ApiResult<Vec<u8>> {
    let job = readable_job(conn, id, caller.id)?;
    Ok(user_import::report_csv(&job)?)
}
