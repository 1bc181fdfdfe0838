//! Running an export: an outbox job (`export`) that reads the list's RDVs by keyset in batches of
//! [`BATCH`] (a fixed number of queries per batch), writes each line as it goes (XLSX in
//! rust_xlsxwriter's constant-memory mode, CSV to a temporary file), records progress and holds
//! the job's lease between batches, then stores the file on the export in one transaction.
//!
//! It runs outside any long transaction: reads use the worker's connection between small
//! writes, so a 100 000-line export never holds SQLite's write lock.

use std::collections::HashMap;
use std::io::Write;

use anyhow::Context;
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use rdv_shared::dto::{ExportFormat, ExportKind, RdvSearch};
use rdv_shared::enums::{ListStatus, RdvOrigin, RdvStatus};
use rdv_shared::export::{
    participation_headers, participation_line, rdv_line, Cell, ExportRdv, ExportUsager, RDV_HEADERS,
};
use rdv_shared::time::in_zone;
use rust_xlsxwriter::{Format, Workbook, Worksheet};

use crate::audit::Author;
use crate::db::models::export::{self, ExportRow};
use crate::db::models::outbox::{OutboxRow, Outcome};
use crate::db::models::rdv_search::{self, SearchSql};
use crate::db::models::{agent, lieu, motif, organisation, rdv, service, user};
use crate::db::{write_tx, DbConn};
use crate::services::rdv_search::prepare;

/// The outbox job's event.
pub const RUN: &str = "export";
/// RDVs read and written per batch.
pub const BATCH: i64 = 500;

/// The job's payload.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Payload {
    pub export_id: i32,
}

fn author(e: &ExportRow) -> Author {
    Author { agent_id: Some(e.agent_id), whodunnit: format!("Agent {} (export)", e.agent_id) }
}

/// Where lines go.
enum Sink {
    Xlsx { book: Box<Workbook>, date: Format, time: Format, row: u32 },
    Csv(csv::Writer<std::fs::File>, tempfile::TempPath),
}

impl Sink {
    fn new(format: ExportFormat, headers: &[&str]) -> anyhow::Result<Sink> {
        let mut sink = match format {
            ExportFormat::Xlsx => {
                let mut book = Workbook::new();
                book.add_worksheet_with_constant_memory().map(|s| s.set_name("RDV")).context("worksheet")??;
                let date = Format::new().set_num_format("dd/mm/yyyy");
                let time = Format::new().set_num_format("hh:mm");
                Sink::Xlsx { book: Box::new(book), date, time, row: 0 }
            }
            ExportFormat::Csv => {
                let (mut file, path) = tempfile::NamedTempFile::new()?.into_parts();
                // A byte-order mark: spreadsheet software then reads the file as UTF-8.
                file.write_all("\u{feff}".as_bytes())?;
                Sink::Csv(csv::WriterBuilder::new().delimiter(b';').from_writer(file), path)
            }
        };
        sink.line(&headers.iter().map(|h| Cell::Text((*h).to_owned())).collect::<Vec<_>>())?;
        Ok(sink)
    }

    fn sheet(book: &mut Workbook) -> anyhow::Result<&mut Worksheet> {
        Ok(book.worksheet_from_index(0)?)
    }

    fn line(&mut self, cells: &[Cell]) -> anyhow::Result<()> {
        match self {
            Sink::Xlsx { book, date, time, row } => {
                let sheet = Self::sheet(book)?;
                for (col, cell) in cells.iter().enumerate() {
                    let col = u16::try_from(col)?;
                    match cell {
                        Cell::Text(s) => sheet.write_string(*row, col, s).map(|_| ())?,
                        Cell::Int(n) => sheet.write_number(*row, col, *n as f64).map(|_| ())?,
                        Cell::Date(d) => sheet.write_date_with_format(*row, col, d, date).map(|_| ())?,
                        Cell::Time(t) => sheet.write_time_with_format(*row, col, t.time(), time).map(|_| ())?,
                        Cell::Empty => {}
                    }
                }
                *row += 1;
            }
            Sink::Csv(w, _) => w.write_record(cells.iter().map(Cell::to_csv))?,
        }
        Ok(())
    }

    fn finish(self) -> anyhow::Result<Vec<u8>> {
        match self {
            Sink::Xlsx { mut book, .. } => Ok(book.save_to_buffer()?),
            Sink::Csv(w, path) => {
                w.into_inner().map_err(|e| anyhow::anyhow!("csv: {e}"))?.sync_all()?;
                Ok(std::fs::read(&path)?)
            }
        }
    }
}

/// The export lines' data for these RDVs (in the order given), in a fixed number of queries.
pub fn export_rdvs(conn: &mut DbConn, ids: &[i32], now: DateTime<Utc>) -> anyhow::Result<Vec<ExportRdv>> {
    let now = now.naive_utc();
    let rows = rdv::find_many(conn, ids)?;
    let agents_of = rdv::agents_of(conn, ids)?;
    let participations = rdv::participations_of(conn, ids)?;
    let mut agent_ids: Vec<i32> = agents_of.values().flatten().copied().collect();
    agent_ids.extend(rows.iter().filter(|r| r.created_by_type == "Agent").filter_map(|r| r.created_by_id));
    let agents = agent::agents_by_id(conn, &agent_ids)?;
    let user_ids: Vec<i32> = participations.values().flatten().map(|p| p.user_id).collect();
    let mut users: HashMap<i32, user::UserRow> =
        user::find_many_with_deleted(conn, &user_ids)?.into_iter().map(|u| (u.id, u)).collect();
    let responsibles: Vec<i32> = users.values().filter_map(|u| u.responsible_id).collect();
    for u in user::find_many_with_deleted(conn, &responsibles)? {
        users.entry(u.id).or_insert(u);
    }
    let motifs = motif::motifs_by_id(conn, &rows.iter().map(|r| r.motif_id).collect::<Vec<_>>())?;
    let services: HashMap<i32, String> = service::all(conn)?.into_iter().map(|s| (s.id, s.name)).collect();
    let lieux = lieu::lieux_by_id(conn, &rows.iter().filter_map(|r| r.lieu_id).collect::<Vec<_>>())?;
    let orgs = organisation::organisations_by_id(conn, &rows.iter().map(|r| r.organisation_id).collect::<Vec<_>>())?;
    let mut receipts: HashMap<i32, Vec<String>> = HashMap::new();
    for (rdv_id, channel, result, n) in rdv_search::receipts_of_rdvs(conn, ids)? {
        let channel = if channel == "mail" { "email".to_owned() } else { channel.to_uppercase() };
        let result = match result.as_str() {
            "sent" => "envoyé",
            "failed" => "en échec",
            "cancelled" => "annulé",
            other => other,
        };
        receipts.entry(rdv_id).or_default().push(format!("{channel} {result} ({n})"));
    }
    let agent_name = |id: i32| {
        agents
            .get(&id)
            .map(|a| format!("{} {}", a.first_name.clone().unwrap_or_default(), a.last_name).trim().to_owned())
    };
    let by_id: HashMap<i32, &rdv::RdvRow> = rows.iter().map(|r| (r.id, r)).collect();
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let Some(r) = by_id.get(id) else { continue };
        let Some(m) = motifs.get(&r.motif_id) else { continue };
        let zone = orgs.get(&r.organisation_id).map_or("Europe/Paris", |o| o.time_zone.as_str());
        let local = |t: NaiveDateTime| in_zone(t, zone).naive_local();
        let usagers = participations
            .get(id)
            .into_iter()
            .flatten()
            .filter_map(|p| {
                let u = users.get(&p.user_id)?;
                let place = u.responsible_id.and_then(|r| users.get(&r)).filter(|_| u.post_code.is_none()).unwrap_or(u);
                Some(ExportUsager {
                    full_name: format!("{} {}", u.first_name, u.last_name),
                    birth_date: u.birth_date,
                    post_code: place.post_code.clone(),
                    city: place.city_name.clone(),
                    status: Some(ListStatus::of(p.status(), r.starts_at, now)),
                })
            })
            .collect();
        let created_by = match (r.created_by_type.as_str(), r.created_by_id) {
            ("Agent", Some(a)) => agent_name(a).map_or_else(|| "Agent".to_owned(), |n| format!("Agent ({n})")),
            ("Agent", None) => "Agent".to_owned(),
            ("Prescripteur", _) => "Prescripteur".to_owned(),
            _ => "Usager".to_owned(),
        };
        out.push(ExportRdv {
            id: r.id,
            created_at: local(r.created_at),
            starts_at: local(r.starts_at),
            duration_min: (r.ends_at - r.starts_at).num_minutes(),
            origin: RdvOrigin::parse(&r.origin).unwrap_or(RdvOrigin::Agent),
            service: services.get(&m.service_id).cloned().unwrap_or_default(),
            motif: m.name.clone(),
            location_type: m.location(),
            context: r.context.clone(),
            status: ListStatus::of(RdvStatus::parse(&r.status).unwrap_or(RdvStatus::Unknown), r.starts_at, now),
            lieu: r.lieu_id.and_then(|l| lieux.get(&l)).map(|l| format!("{} ({})", l.name, l.address)),
            agents: agents_of
                .get(id)
                .into_iter()
                .flatten()
                .filter_map(|a| {
                    agents.get(a).map(|row| (agent_name(*a).unwrap_or_default(), row.email.clone().unwrap_or_default()))
                })
                .collect(),
            usagers,
            notifications: receipts.remove(id).map(|v| v.join(", ")).unwrap_or_default(),
            organisation: orgs.get(&r.organisation_id).map(|o| o.name.clone()).unwrap_or_default(),
            created_by,
        });
    }
    Ok(out)
}

fn lines(kind: ExportKind, rdvs: &[ExportRdv]) -> Vec<Vec<Cell>> {
    match kind {
        ExportKind::Rdvs => rdvs.iter().map(rdv_line).collect(),
        ExportKind::Participations => {
            rdvs.iter().flat_map(|r| r.usagers.iter().map(move |u| participation_line(r, u))).collect()
        }
    }
}

/// Runs the export named by the job. A failure marks the export failed (the job is not retried:
/// the agent sees the reason and may ask again).
pub fn run(conn: &mut DbConn, job: &OutboxRow, lease: Duration) -> anyhow::Result<Outcome> {
    let payload: Payload = serde_json::from_str(&job.payload).context("export job payload")?;
    let Some(e) = export::find(conn, payload.export_id)? else { return Ok(Outcome::Obsolete) };
    if e.status == "done" || e.status == "failed" {
        return Ok(Outcome::Obsolete);
    }
    match write_file(conn, job, &e, lease) {
        Ok(()) => Ok(Outcome::Sent),
        Err(err) => {
            tracing::error!(export_id = e.id, error = format!("{err:#}"), "export failed");
            let current = export::find(conn, e.id)?.unwrap_or(e);
            write_tx(conn, |c| export::fail(c, &author(&current), &current, "L'export n'a pas pu être produit."))?;
            Ok(Outcome::Failed(format!("{err:#}")))
        }
    }
}

fn write_file(conn: &mut DbConn, job: &OutboxRow, e: &ExportRow, lease: Duration) -> anyhow::Result<()> {
    let kind = ExportKind::parse(&e.kind).context("export kind")?;
    let format = ExportFormat::parse(&e.format).context("export format")?;
    let filters: RdvSearch = serde_json::from_str(&e.filters)?;
    let caller = agent::find(conn, e.agent_id)?.context("export's agent")?;
    let now = Utc::now();
    // The caller's access as it is now: a right withdrawn since the request narrows the file.
    let prepared = prepare(conn, &caller, filters, now, false).map_err(|err| anyhow::anyhow!("{err}"))?;
    let sql: SearchSql = prepared.sql;
    let total = match kind {
        ExportKind::Rdvs => rdv_search::status_counts(conn, &sql)?.iter().map(|(_, n)| n).sum::<i64>(),
        ExportKind::Participations => rdv_search::participation_count(conn, &sql)?,
    };
    let started = write_tx(conn, |c| export::start(c, &author(e), e, i32::try_from(total).unwrap_or(i32::MAX)))?;
    let headers: Vec<&str> = match kind {
        ExportKind::Rdvs => RDV_HEADERS.to_vec(),
        ExportKind::Participations => participation_headers(),
    };
    let mut sink = Sink::new(format, &headers)?;
    let mut after = None;
    let mut done: i32 = 0;
    loop {
        let keys = rdv_search::ids_after(conn, &sql, after, BATCH)?;
        let Some(last) = keys.last() else { break };
        after = Some((last.1, last.0));
        let ids: Vec<i32> = keys.iter().map(|k| k.0).collect();
        for line in lines(kind, &export_rdvs(conn, &ids, now)?) {
            sink.line(&line)?;
            done += 1;
        }
        let until = crate::db::now_utc() + lease;
        write_tx(conn, |c| export::progress(c, e.id, done, job.id, until))?;
    }
    let content = sink.finish()?;
    write_tx(conn, |c| export::finish(c, &author(e), &started, done, &content))?;
    Ok(())
}
