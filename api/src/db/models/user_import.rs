//! Bulk usager imports: reading a CSV or XLSX file (csv, calamine), the job row with its progress
//! and per-row report, and the row processing. A row matches an existing usager (same e-mail;
//! or same names and birth date; or same names and phone) instead of creating a duplicate, so
//! re-importing a file creates nothing new.

use std::collections::BTreeMap;
use std::io::Cursor;

use chrono::{NaiveDate, NaiveDateTime, TimeZone, Utc};
use diesel::prelude::*;
use rdv_shared::dto::{ImportRowReport, ImportRowStatus, UserImport, UserInput};
use rdv_shared::usager::fields::FieldToggles;
use rdv_shared::usager::fold;
use rdv_shared::usager::import::{excel_serial_date, parse_date, resolve_mapping};
use rdv_shared::{OrganisationId, UserId};

use super::user::{self, UserValues};
use super::{user_links, user_search};
use crate::audit::Author;
use crate::db::schema::{user_imports, users};
use crate::db::{now_utc, write_tx, DbConn};

/// Rows written per transaction (and per progress update).
pub const CHUNK: usize = 200;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = user_imports)]
pub struct ImportRow {
    pub id: i32,
    pub organisation_id: i32,
    pub agent_id: Option<i32>,
    pub filename: String,
    pub status: String,
    pub total_rows: i32,
    pub done_rows: i32,
    pub created_count: i32,
    pub matched_count: i32,
    pub warning_count: i32,
    pub error_count: i32,
    pub report: String,
    pub failure: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl ImportRow {
    pub fn rows(&self) -> Vec<ImportRowReport> {
        serde_json::from_str(&self.report).unwrap_or_default()
    }

    pub fn to_dto(&self) -> UserImport {
        UserImport {
            id: self.id,
            organisation_id: OrganisationId(self.organisation_id),
            filename: self.filename.clone(),
            status: self.status.clone(),
            total_rows: self.total_rows,
            done_rows: self.done_rows,
            created_count: self.created_count,
            matched_count: self.matched_count,
            warning_count: self.warning_count,
            error_count: self.error_count,
            failure: self.failure.clone(),
            rows: self.rows(),
            created_at: Utc.from_utc_datetime(&self.created_at),
        }
    }
}

/// A file read into a header and data rows (cells as text; dates already `YYYY-MM-DD`), each
/// with its line number in the file (the header is line 1; blank lines are skipped but counted).
pub struct Sheet {
    pub headers: Vec<String>,
    pub rows: Vec<(u32, Vec<String>)>,
}

/// Reads a `.csv` (`;` or `,` separated, UTF-8 with or without BOM) or `.xlsx`/`.xls`/`.ods`
/// (first sheet). Errors are French sentences for the caller.
pub fn read_file(filename: &str, bytes: &[u8]) -> Result<Sheet, String> {
    let lower = filename.to_lowercase();
    // (line in the file, cells): the csv reader skips blank lines, so it tells the line itself.
    let table: Vec<(u32, Vec<String>)> = if lower.ends_with(".csv") || lower.ends_with(".txt") {
        let text = std::str::from_utf8(bytes).map_err(|_| "Le fichier CSV doit être encodé en UTF-8.".to_owned())?;
        let text = text.trim_start_matches('\u{feff}');
        let first = text.lines().next().unwrap_or("");
        let delimiter = if first.matches(';').count() > first.matches(',').count() { b';' } else { b',' };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut out = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| format!("CSV illisible : {e}"))?;
            // The reader's own line count skips blank lines: count the newlines before the record.
            let line = record.position().map_or(0, |p| {
                let start = usize::try_from(p.byte()).unwrap_or(usize::MAX).min(text.len());
                let rest = &text.as_bytes()[start..];
                let skipped = rest.iter().take_while(|b| **b == b'\n' || **b == b'\r').collect::<Vec<_>>();
                let newlines = text.as_bytes()[..start].iter().chain(skipped).filter(|b| **b == b'\n').count();
                u32::try_from(newlines + 1).unwrap_or(u32::MAX)
            });
            out.push((line, record.iter().map(|c| c.trim().to_owned()).collect()));
        }
        out
    } else if [".xlsx", ".xlsm", ".xls", ".ods"].iter().any(|ext| lower.ends_with(ext)) {
        use calamine::{Data, Reader};
        let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes.to_vec()))
            .map_err(|e| format!("Classeur illisible : {e}"))?;
        let range = book
            .worksheet_range_at(0)
            .ok_or_else(|| "Le classeur ne contient aucune feuille.".to_owned())?
            .map_err(|e| format!("Feuille illisible : {e}"))?;
        let first_row = range.start().map_or(0, |(row, _)| row);
        range
            .rows()
            .enumerate()
            .map(|(i, row)| {
                let line = first_row.saturating_add(u32::try_from(i).unwrap_or(u32::MAX)).saturating_add(1);
                let cells = row
                    .iter()
                    .map(|cell| match cell {
                        Data::Empty | Data::Error(_) => String::new(),
                        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_owned(),
                        Data::Int(i) => i.to_string(),
                        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
                        Data::Float(f) => f.to_string(),
                        Data::Bool(b) => b.to_string(),
                        Data::DateTime(d) => excel_serial_date(d.as_f64()).map(|d| d.to_string()).unwrap_or_default(),
                    })
                    .collect();
                (line, cells)
            })
            .collect()
    } else {
        return Err("Format non pris en charge : envoyez un fichier .csv ou .xlsx.".to_owned());
    };
    let mut rows = table.into_iter();
    let (_, headers) = rows.next().ok_or_else(|| "Le fichier est vide.".to_owned())?;
    let rows: Vec<(u32, Vec<String>)> = rows.filter(|(_, r)| r.iter().any(|c| !c.is_empty())).collect();
    if rows.is_empty() {
        return Err("Le fichier ne contient aucune ligne de données.".to_owned());
    }
    Ok(Sheet { headers, rows })
}

/// Creates the job (status `queued`) for a file already read.
pub fn create_job(
    conn: &mut DbConn,
    organisation_id: i32,
    agent_id: Option<i32>,
    filename: &str,
    total: usize,
) -> QueryResult<ImportRow> {
    let now = now_utc();
    let id: i32 = diesel::insert_into(user_imports::table)
        .values((
            user_imports::organisation_id.eq(organisation_id),
            user_imports::agent_id.eq(agent_id),
            user_imports::filename.eq(filename),
            user_imports::status.eq("queued"),
            user_imports::total_rows.eq(i32::try_from(total).unwrap_or(i32::MAX)),
            user_imports::created_at.eq(now),
            user_imports::updated_at.eq(now),
        ))
        .returning(user_imports::id)
        .get_result(conn)?;
    find(conn, id).and_then(|j| j.ok_or(diesel::result::Error::NotFound))
}

pub fn find(conn: &mut DbConn, id: i32) -> QueryResult<Option<ImportRow>> {
    user_imports::table.find(id).select(ImportRow::as_select()).get_result(conn).optional()
}

fn cell(row: &[String], mapping: &BTreeMap<String, usize>, field: &str) -> Option<Option<String>> {
    let i = mapping.get(field)?;
    Some(row.get(*i).map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()))
}

/// One data row as an API input. `Err` names a cell that cannot be read.
fn row_input(row: &[String], mapping: &BTreeMap<String, usize>, toggles: &FieldToggles) -> Result<UserInput, String> {
    let text = |f: &str| cell(row, mapping, f).filter(|_| toggles.allows(f));
    let mut input = UserInput {
        first_name: cell(row, mapping, "first_name").flatten(),
        last_name: cell(row, mapping, "last_name").flatten(),
        birth_name: text("birth_name"),
        email: text("email"),
        phone_number: text("phone_number"),
        address: text("address"),
        post_code: text("post_code"),
        city_code: text("city_code"),
        city_name: text("city_name"),
        address_details: text("address_details"),
        affiliation_number: text("affiliation_number"),
        case_number: text("case_number"),
        pmi_case_number: text("pmi_case_number"),
        notes: text("notes").filter(|_| toggles.notes_writable),
        ..Default::default()
    };
    if let Some(Some(raw)) = cell(row, mapping, "birth_date") {
        let date = parse_date(&raw).ok_or_else(|| format!("date de naissance illisible « {raw} »"))?;
        input.birth_date = Some(Some(date));
    }
    if let Some(Some(raw)) = text("caisse_affiliation") {
        let v = rdv_shared::enums::CaisseAffiliation::parse(&fold(&raw).replace(' ', "_"))
            .ok_or_else(|| format!("caisse inconnue « {raw} » (aucune, caf, msa)"))?;
        input.caisse_affiliation = Some(Some(v));
    }
    if let Some(Some(raw)) = text("family_situation") {
        let v = rdv_shared::enums::FamilySituation::parse(&fold(&raw).replace(' ', "_"))
            .ok_or_else(|| format!("situation familiale inconnue « {raw} »"))?;
        input.family_situation = Some(Some(v));
    }
    if let Some(Some(raw)) = text("number_of_children") {
        let n = raw.parse::<i32>().map_err(|_| format!("nombre d'enfants illisible « {raw} »"))?;
        input.number_of_children = Some(Some(n));
    }
    Ok(input)
}

/// The existing usager this row designates, if any, among the usagers of the territory.
fn existing(conn: &mut DbConn, v: &UserValues, territory_orgs: &[i32]) -> QueryResult<Option<i32>> {
    if let Some(email) = &v.email {
        if let Some(id) = user::id_by_email(conn, email)? {
            return Ok(Some(id));
        }
    }
    let in_territory = |conn: &mut DbConn, ids: Vec<i32>| -> QueryResult<Option<i32>> {
        let orgs = user::organisation_ids_of(conn, &ids)?;
        Ok(ids.into_iter().find(|id| orgs.get(id).is_some_and(|o| o.iter().any(|x| territory_orgs.contains(x)))))
    };
    if let Some(key) = &v.identity_key {
        let ids = user_search::duplicates(conn, None, Some(key), None)?.iter().map(|u| u.id).collect();
        if let Some(id) = in_territory(conn, ids)? {
            return Ok(Some(id));
        }
    }
    if let Some(phone) = &v.phone_number_formatted {
        let (first, last) = (fold(&v.first_name), fold(&v.last_name));
        let ids = user_search::duplicates(conn, Some(phone), None, None)?
            .iter()
            .filter(|u| fold(&u.first_name) == first && fold(&u.last_name) == last)
            .map(|u| u.id)
            .collect();
        return in_territory(conn, ids);
    }
    Ok(None)
}

/// What every row of one job shares.
struct JobContext<'a> {
    organisation_id: i32,
    territory_orgs: &'a [i32],
    toggles: &'a FieldToggles,
    mapping: &'a BTreeMap<String, usize>,
}

/// Imports one row inside the caller's transaction.
fn import_row(
    conn: &mut DbConn,
    author: &Author,
    job: &JobContext<'_>,
    row: &[String],
    line: u32,
) -> QueryResult<ImportRowReport> {
    let JobContext { organisation_id, territory_orgs, toggles, mapping } = *job;
    let mut report = ImportRowReport {
        line,
        status: ImportRowStatus::Error,
        user_id: None,
        first_name: cell(row, mapping, "first_name").flatten().unwrap_or_default(),
        last_name: cell(row, mapping, "last_name").flatten().unwrap_or_default(),
        message: None,
    };
    let input = match row_input(row, mapping, toggles) {
        Ok(i) => i,
        Err(msg) => {
            report.message = Some(msg);
            return Ok(report);
        }
    };
    let today: NaiveDate = Utc::now().date_naive();
    let values = match UserValues::for_new(&input, toggles, today) {
        Ok(v) => v,
        Err(e) => {
            report.message = Some(e.messages.join(", "));
            return Ok(report);
        }
    };
    if let Some(id) = existing(conn, &values, territory_orgs)? {
        if let Some(u) = user::find(conn, id)? {
            user_links::attach(conn, author, &u, &[organisation_id])?;
            report.status = ImportRowStatus::Matched;
            report.user_id = Some(UserId(id));
            return Ok(report);
        }
        report.message = Some("l'e-mail appartient à un usager supprimé".to_owned());
        return Ok(report);
    }
    let row = user::create(conn, author, &values, "user_import")?;
    user_links::attach(conn, author, &row, &[organisation_id])?;
    report.user_id = Some(UserId(row.id));
    let same_phone = match &row.phone_number_formatted {
        Some(p) => user_search::duplicates(conn, Some(p), None, Some(row.id))?,
        None => vec![],
    };
    if let Some(other) = same_phone.first() {
        report.status = ImportRowStatus::Warning;
        report.message =
            Some(format!("même téléphone que l'usager n° {} ({} {})", other.id, other.first_name, other.last_name));
    } else {
        report.status = ImportRowStatus::Created;
    }
    Ok(report)
}

/// Runs a job to the end: rows in chunks, each chunk one transaction followed by a progress
/// update; `on_progress(done, total)` after each chunk (the CLI's progress bar).
pub fn run(
    conn: &mut DbConn,
    author: &Author,
    job_id: i32,
    sheet: &Sheet,
    explicit: &BTreeMap<String, String>,
    mut on_progress: impl FnMut(usize, usize),
) -> anyhow::Result<ImportRow> {
    let job = find(conn, job_id)?.ok_or_else(|| anyhow::anyhow!("import {job_id} not found"))?;
    let fail = |conn: &mut DbConn, msg: String| -> anyhow::Result<ImportRow> {
        diesel::update(user_imports::table.find(job_id))
            .set((
                user_imports::status.eq("failed"),
                user_imports::failure.eq(msg),
                user_imports::updated_at.eq(now_utc()),
            ))
            .execute(conn)?;
        find(conn, job_id)?.ok_or_else(|| anyhow::anyhow!("import {job_id} vanished"))
    };
    let mapping = match resolve_mapping(&sheet.headers, explicit) {
        Ok(m) => m,
        Err(msg) => return fail(conn, msg),
    };
    let organisation = super::organisation::find(conn, job.organisation_id)?
        .ok_or_else(|| anyhow::anyhow!("organisation {} not found", job.organisation_id))?;
    let territory_orgs = super::agent::organisations_of_territories(conn, &[organisation.territory_id])?;
    let toggles = user::toggles_for(conn, &[organisation.id])?;
    diesel::update(user_imports::table.find(job_id)).set(user_imports::status.eq("running")).execute(conn)?;
    let job_context = JobContext {
        organisation_id: organisation.id,
        territory_orgs: &territory_orgs,
        toggles: &toggles,
        mapping: &mapping,
    };
    let mut reports: Vec<ImportRowReport> = Vec::with_capacity(sheet.rows.len());
    let total = sheet.rows.len();
    for chunk in sheet.rows.chunks(CHUNK) {
        let chunk_reports = write_tx(conn, |c| -> QueryResult<Vec<ImportRowReport>> {
            let mut out = Vec::with_capacity(chunk.len());
            for (line, row) in chunk {
                out.push(import_row(c, author, &job_context, row, *line)?);
            }
            Ok(out)
        })?;
        reports.extend(chunk_reports);
        let count =
            |s: ImportRowStatus| i32::try_from(reports.iter().filter(|r| r.status == s).count()).unwrap_or(i32::MAX);
        let done = reports.len();
        let status = if done == total { "done" } else { "running" };
        diesel::update(user_imports::table.find(job_id))
            .set((
                user_imports::status.eq(status),
                user_imports::done_rows.eq(i32::try_from(done).unwrap_or(i32::MAX)),
                user_imports::created_count.eq(count(ImportRowStatus::Created)),
                user_imports::matched_count.eq(count(ImportRowStatus::Matched)),
                user_imports::warning_count.eq(count(ImportRowStatus::Warning)),
                user_imports::error_count.eq(count(ImportRowStatus::Error)),
                user_imports::report.eq(serde_json::to_string(&reports)?),
                user_imports::updated_at.eq(now_utc()),
            ))
            .execute(conn)?;
        on_progress(done, total);
    }
    // A large import changes the tables' statistics: refresh them so searches keep their plans.
    if total >= 1000 {
        crate::db::analyze(conn)?;
    }
    find(conn, job_id)?.ok_or_else(|| anyhow::anyhow!("import {job_id} vanished"))
}

/// The report as CSV (`;`-separated, for French spreadsheet software).
pub fn report_csv(job: &ImportRow) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(vec![0xEF, 0xBB, 0xBF]);
    w.write_record(["ligne", "statut", "usager_id", "prenom", "nom", "message"])?;
    for r in job.rows() {
        let status = match r.status {
            ImportRowStatus::Created => "créé",
            ImportRowStatus::Matched => "déjà connu",
            ImportRowStatus::Warning => "créé, doublon possible",
            ImportRowStatus::Error => "erreur",
        };
        w.write_record([
            r.line.to_string(),
            status.to_owned(),
            r.user_id.map(|u| u.0.to_string()).unwrap_or_default(),
            r.first_name,
            r.last_name,
            r.message.unwrap_or_default(),
        ])?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("csv: {e}"))
}

/// Usagers count, for the CLI summary.
pub fn live_users(conn: &mut DbConn) -> QueryResult<i64> {
    users::table.filter(users::deleted_at.is_null()).count().get_result(conn)
}
