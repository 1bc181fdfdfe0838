//! RDV and participation exports (issue 17): create (the list's filters, checked now), follow,
//! list "Mes exports", download, and their expiry. The file is produced by an outbox job
//! (`services::export_job`) written in the same transaction as the export. Only the requester
//! ever sees an export: anyone else gets 404, as for a record that does not exist.

use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, Utc};
use rdv_shared::dto::{CreateExportRequest, Export, ExportFormat, ExportKind, ExportStatus};
use rdv_shared::pagination::{offset, PER_PAGE};

use crate::audit::Author;
use crate::db::models::agent::AgentRow;
use crate::db::models::export::{self, ExportRow, NewExport};
use crate::db::models::outbox as rows;
use crate::db::{write_tx, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::outbox::Subject;
use crate::services::export_job;
use crate::services::rdv_search::prepare;

/// How long a finished file stays downloadable before it is deleted with its export (the
/// reference keeps files 6 hours and the list 2 weeks; three days cover a week-end).
pub const TTL: Duration = Duration::hours(72);

fn offset_time(t: NaiveDateTime) -> DateTime<FixedOffset> {
    t.and_utc().fixed_offset()
}

/// The API's view of an export.
pub fn to_dto(e: &ExportRow) -> Export {
    let status = ExportStatus::parse(&e.status).unwrap_or(ExportStatus::Failed);
    let progress = match status {
        ExportStatus::Done => 1.0,
        _ if e.row_count > 0 => (f64::from(e.rows_done) / f64::from(e.row_count)).min(1.0),
        _ => 0.0,
    };
    Export {
        id: e.id,
        kind: ExportKind::parse(&e.kind).unwrap_or(ExportKind::Rdvs),
        format: ExportFormat::parse(&e.format).unwrap_or(ExportFormat::Xlsx),
        status,
        progress,
        rows_done: e.rows_done,
        row_count: e.row_count,
        filename: e.filename.clone(),
        download_url: (status == ExportStatus::Done).then(|| format!("/api/v1/exports/{}/download", e.id)),
        failure: e.failure.clone(),
        filters: serde_json::from_str(&e.filters).unwrap_or_default(),
        created_at: offset_time(e.created_at),
        expires_at: offset_time(e.expires_at),
    }
}

/// Accepts an export of the list `body` selects; the job starts at once in the background.
pub fn create_export(
    conn: &mut DbConn,
    caller: &AgentRow,
    body: CreateExportRequest,
    now: DateTime<Utc>,
) -> ApiResult<Export> {
    // The same checks as the list: organisations that are the caller's, readable filters.
    let prepared = prepare(conn, caller, body.filters.clone(), now, false)?;
    let single = match prepared.organisations.as_slice() {
        [one] => Some(one.id),
        _ => None,
    };
    let filename = rdv_shared::export::filename(
        body.kind == ExportKind::Participations,
        now.date_naive(),
        single,
        body.format.as_str(),
    );
    let filters = serde_json::to_string(&body.filters).map_err(|e| ApiError::Internal(e.into()))?;
    let author = Author { agent_id: Some(caller.id), whodunnit: format!("Agent {}", caller.id) };
    let row = write_tx(conn, |c| {
        let new = NewExport {
            agent_id: caller.id,
            kind: body.kind.as_str(),
            format: body.format.as_str(),
            filters,
            filename,
            expires_at: now.naive_utc() + TTL,
        };
        let row = export::create(c, &author, &new)?;
        let payload = serde_json::to_string(&export_job::Payload { export_id: row.id })
            .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
        let about = Subject { agent_id: Some(caller.id), ..Subject::default() };
        let job = crate::outbox::user_job(export_job::RUN, format!("export:{}", row.id), about, now.naive_utc());
        rows::insert(c, &[rows::NewOutboxRow { payload, ..job }])?;
        Ok::<_, ApiError>(row)
    })?;
    Ok(to_dto(&row))
}

/// The caller's own export (anyone else's: 404).
fn own(conn: &mut DbConn, caller: &AgentRow, id: i32) -> ApiResult<ExportRow> {
    export::find(conn, id)?.filter(|e| e.agent_id == caller.id).ok_or(ApiError::NotFound("export"))
}

pub fn get_export(conn: &mut DbConn, caller: &AgentRow, id: i32) -> ApiResult<Export> {
    Ok(to_dto(&own(conn, caller, id)?))
}

/// "Mes exports": the caller's exports still kept, newest first.
pub fn list_exports(conn: &mut DbConn, caller: &AgentRow, page: i64) -> ApiResult<(Vec<Export>, i64)> {
    let (rows, total) = export::page_of_agent(conn, caller.id, PER_PAGE, offset(page))?;
    Ok((rows.iter().map(to_dto).collect(), total))
}

/// A finished export's file: (file name, content type, bytes). Not finished, expired or not
/// the caller's: 404.
pub fn download_export(
    conn: &mut DbConn,
    caller: &AgentRow,
    id: i32,
    now: DateTime<Utc>,
) -> ApiResult<(String, &'static str, Vec<u8>)> {
    let e = own(conn, caller, id)?;
    if e.status != "done" || e.expires_at <= now.naive_utc() {
        return Err(ApiError::NotFound("export"));
    }
    let bytes = export::content(conn, id)?.ok_or(ApiError::NotFound("export"))?;
    let format = ExportFormat::parse(&e.format).unwrap_or(ExportFormat::Xlsx);
    Ok((e.filename, format.content_type(), bytes))
}

/// Deletes expired exports (the workers' periodic sweep).
pub fn purge_expired(conn: &mut DbConn, now: DateTime<Utc>) -> ApiResult<usize> {
    Ok(write_tx(conn, |c| export::purge_expired(c, &Author::system("expiry of exports"), now.naive_utc()))?)
}
