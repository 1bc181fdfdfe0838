//! What an RDV export's lines say (reference-domain.md §7.2): the reference's columns in the
//! reference's order (départements read its files by position), then ours at the end. Pure:
//! the server gives each RDV already resolved ([`ExportRdv`], times in the organisation's zone)
//! and writes the [`Cell`]s as XLSX or CSV.

use chrono::{Datelike, NaiveDate, NaiveDateTime};

use crate::enums::{ListStatus, LocationType, RdvOrigin};

/// One value of a line: typed so the workbook holds real dates and numbers.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Date(NaiveDate),
    /// Hours and minutes of a day.
    Time(NaiveDateTime),
    Empty,
}

impl Cell {
    fn text(s: impl Into<String>) -> Cell {
        let s = s.into();
        if s.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(s)
        }
    }

    /// The value as CSV text (French dates, 24-hour times).
    pub fn to_csv(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Date(d) => d.format("%d/%m/%Y").to_string(),
            Cell::Time(t) => t.format("%H:%M").to_string(),
            Cell::Empty => String::new(),
        }
    }
}

/// A usager of an exported RDV.
#[derive(Debug, Clone, Default)]
pub struct ExportUsager {
    pub full_name: String,
    pub birth_date: Option<NaiveDate>,
    /// Their own address's post code and city, else their responsible's.
    pub post_code: Option<String>,
    pub city: Option<String>,
    /// The participation's status (participation export).
    pub status: Option<ListStatus>,
}

/// An RDV as its export line needs it; times already in the organisation's zone.
#[derive(Debug, Clone)]
pub struct ExportRdv {
    pub id: i32,
    pub created_at: NaiveDateTime,
    pub starts_at: NaiveDateTime,
    pub duration_min: i64,
    pub origin: RdvOrigin,
    pub service: String,
    pub motif: String,
    pub location_type: LocationType,
    pub context: Option<String>,
    pub status: ListStatus,
    /// Lieu name and address (on site).
    pub lieu: Option<String>,
    /// (full name, email) of each agent.
    pub agents: Vec<(String, String)>,
    pub usagers: Vec<ExportUsager>,
    /// Receipts of the RDV's notifications, e.g. "email envoyé (2), SMS en échec (1)".
    pub notifications: String,
    pub organisation: String,
    /// "Agent (Prénom Nom)", "Usager", …
    pub created_by: String,
}

/// The RDV export's headers.
pub const RDV_HEADERS: &[&str] = &[
    "Année",
    "Date prise RDV",
    "Heure prise RDV",
    "Origine",
    "Date RDV",
    "Heure RDV",
    "Service",
    "Motif",
    "Contexte",
    "Statut",
    "Lieu",
    "Professionnel·le(s)",
    "Usager(s)",
    "Commune du premier responsable",
    "Au moins un usager mineur ?",
    "Résultat des notifications",
    "Organisation",
    "Date de naissance",
    "Code postal du premier responsable",
    "Créé par",
    "Email(s) professionnel·le(s)",
    // Ours, after the reference's.
    "Durée (min)",
    "Identifiant RDV",
];

/// The participation export's headers: the usager and the RDV, then the RDV's columns where the
/// status and the responsible's columns are the participation's usager's.
pub fn participation_headers() -> Vec<&'static str> {
    let mut h = vec!["Usager", "ID RDV"];
    h.extend(RDV_HEADERS.iter().map(|c| match *c {
        "Commune du premier responsable" => "Commune du responsable",
        "Au moins un usager mineur ?" => "Usager mineur ?",
        "Code postal du premier responsable" => "Code postal du responsable",
        other => other,
    }));
    h
}

/// Under 18 on the day of the RDV.
pub fn is_minor(birth_date: NaiveDate, on: NaiveDate) -> bool {
    let adult = NaiveDate::from_ymd_opt(birth_date.year() + 18, birth_date.month(), 1).and_then(|first| {
        first.with_day(birth_date.day()).or_else(|| first.with_day(28).map(|d| d + chrono::Duration::days(1)))
    });
    adult.is_some_and(|a| on < a)
}

fn lieu(r: &ExportRdv, first: Option<&ExportUsager>) -> String {
    match r.location_type {
        LocationType::Home => {
            let place: Vec<&str> =
                first.into_iter().flat_map(|u| [u.post_code.as_deref(), u.city.as_deref()]).flatten().collect();
            if place.is_empty() {
                "À domicile".to_owned()
            } else {
                format!("À domicile ({})", place.join(" "))
            }
        }
        LocationType::Phone => "Par téléphone".to_owned(),
        LocationType::Visio => "Par visioconférence".to_owned(),
        LocationType::PublicOffice => r.lieu.clone().unwrap_or_default(),
    }
}

fn yes_no(b: bool) -> Cell {
    Cell::text(if b { "oui" } else { "non" })
}

/// The RDV columns, with `usagers` standing for the usagers the responsible's columns describe
/// and `status` for the line's status.
fn columns(r: &ExportRdv, usagers: &[&ExportUsager], status: ListStatus) -> Vec<Cell> {
    let day = r.starts_at.date();
    let first = usagers.first().copied();
    let births: Vec<String> =
        r.usagers.iter().filter_map(|u| u.birth_date).map(|d| d.format("%d/%m/%Y").to_string()).collect();
    let birth = match (r.usagers.len(), r.usagers.first().and_then(|u| u.birth_date)) {
        (1, Some(d)) => Cell::Date(d),
        _ => Cell::text(births.join(", ")),
    };
    vec![
        Cell::Int(i64::from(day.year())),
        Cell::Date(r.created_at.date()),
        Cell::Time(r.created_at),
        Cell::text(r.origin.label_fr()),
        Cell::Date(day),
        Cell::Time(r.starts_at),
        Cell::text(r.service.clone()),
        Cell::text(r.motif.clone()),
        Cell::text(r.context.clone().unwrap_or_default()),
        Cell::text(status.label_fr()),
        Cell::text(lieu(r, r.usagers.first())),
        Cell::text(r.agents.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", ")),
        Cell::text(r.usagers.iter().map(|u| u.full_name.as_str()).collect::<Vec<_>>().join(", ")),
        Cell::text(first.and_then(|u| u.city.clone()).unwrap_or_default()),
        yes_no(usagers.iter().any(|u| u.birth_date.is_some_and(|b| is_minor(b, day)))),
        Cell::text(r.notifications.clone()),
        Cell::text(r.organisation.clone()),
        birth,
        Cell::text(first.and_then(|u| u.post_code.clone()).unwrap_or_default()),
        Cell::text(r.created_by.clone()),
        Cell::text(r.agents.iter().map(|(_, e)| e.as_str()).collect::<Vec<_>>().join(", ")),
        Cell::Int(r.duration_min),
        Cell::Int(i64::from(r.id)),
    ]
}

/// The RDV export's line of `r`.
pub fn rdv_line(r: &ExportRdv) -> Vec<Cell> {
    let all: Vec<&ExportUsager> = r.usagers.iter().collect();
    columns(r, &all, r.status)
}

/// The participation export's line of `r`'s usager `u`.
pub fn participation_line(r: &ExportRdv, u: &ExportUsager) -> Vec<Cell> {
    let mut line = vec![Cell::text(u.full_name.clone()), Cell::Int(i64::from(r.id))];
    line.extend(columns(r, &[u], u.status.unwrap_or(r.status)));
    line
}

/// The reference's file name: `export-rdv-YYYY-MM-DD-org-000123.xlsx` for one organisation,
/// `export-rdv-YYYY-MM-DD.xlsx` otherwise; participations `export-rdvs-user-YYYY-MM-DD.xlsx`.
pub fn filename(participations: bool, day: NaiveDate, organisation: Option<i32>, extension: &str) -> String {
    let day = day.format("%Y-%m-%d");
    match (participations, organisation) {
        (true, _) => format!("export-rdvs-user-{day}.{extension}"),
        (false, Some(org)) => format!("export-rdv-{day}-org-{org:06}.{extension}"),
        (false, None) => format!("export-rdv-{day}.{extension}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn rdv() -> ExportRdv {
        ExportRdv {
            id: 42,
            created_at: at("2026-11-30 09:15"),
            starts_at: at("2026-12-07 14:00"),
            duration_min: 30,
            origin: RdvOrigin::User,
            service: "PMI".into(),
            motif: "Visite".into(),
            location_type: LocationType::Home,
            context: None,
            status: ListStatus::UnknownFuture,
            lieu: None,
            agents: vec![("Emma Dubois".into(), "emma@mds.fr".into()), ("Lucas Petit".into(), "lucas@mds.fr".into())],
            usagers: vec![
                ExportUsager {
                    full_name: "Léa Martin".into(),
                    birth_date: NaiveDate::from_ymd_opt(2020, 5, 1),
                    post_code: Some("62000".into()),
                    city: Some("Arras".into()),
                    status: Some(ListStatus::Excused),
                },
                ExportUsager { full_name: "Paul Martin".into(), ..ExportUsager::default() },
            ],
            notifications: "email envoyé (1)".into(),
            organisation: "MDS Arras".into(),
            created_by: "Usager".into(),
        }
    }

    #[test]
    fn an_rdv_line_follows_the_reference_columns() {
        let line = rdv_line(&rdv());
        assert_eq!(line.len(), RDV_HEADERS.len());
        let col = |name: &str| line[RDV_HEADERS.iter().position(|h| *h == name).unwrap()].to_csv();
        assert_eq!(col("Année"), "2026");
        assert_eq!(col("Date prise RDV"), "30/11/2026");
        assert_eq!(col("Heure RDV"), "14:00");
        assert_eq!(col("Origine"), "Usager en ligne");
        assert_eq!(col("Statut"), "À venir");
        assert_eq!(col("Lieu"), "À domicile (62000 Arras)");
        assert_eq!(col("Professionnel·le(s)"), "Emma Dubois, Lucas Petit");
        assert_eq!(col("Usager(s)"), "Léa Martin, Paul Martin");
        assert_eq!(col("Au moins un usager mineur ?"), "oui");
        assert_eq!(col("Date de naissance"), "01/05/2020");
        assert_eq!(col("Email(s) professionnel·le(s)"), "emma@mds.fr, lucas@mds.fr");
        assert_eq!(col("Identifiant RDV"), "42");
        assert_eq!(line[9], Cell::text("À venir"), "the reference's 10th column is the status");
    }

    #[test]
    fn a_participation_line_describes_its_usager() {
        let r = rdv();
        let line = participation_line(&r, &r.usagers[1]);
        let headers = participation_headers();
        assert_eq!(line.len(), headers.len());
        let col = |name: &str| line[headers.iter().position(|h| *h == name).unwrap()].to_csv();
        assert_eq!(col("Usager"), "Paul Martin");
        assert_eq!(col("ID RDV"), "42");
        assert_eq!(col("Statut"), "À venir", "no participation status: the RDV's");
        assert_eq!(col("Usager mineur ?"), "non");
        assert_eq!(participation_line(&r, &r.usagers[0])[11].to_csv(), "Annulé (excusé)");
    }

    #[test]
    fn minors_and_file_names() {
        let b = NaiveDate::from_ymd_opt(2008, 12, 7).unwrap();
        assert!(is_minor(b, NaiveDate::from_ymd_opt(2026, 12, 6).unwrap()));
        assert!(!is_minor(b, NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()));
        let leap = NaiveDate::from_ymd_opt(2008, 2, 29).unwrap();
        assert!(is_minor(leap, NaiveDate::from_ymd_opt(2026, 2, 28).unwrap()));
        assert!(!is_minor(leap, NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()));
        let day = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        assert_eq!(filename(false, day, Some(123), "xlsx"), "export-rdv-2026-12-07-org-000123.xlsx");
        assert_eq!(filename(false, day, None, "csv"), "export-rdv-2026-12-07.csv");
        assert_eq!(filename(true, day, Some(1), "xlsx"), "export-rdvs-user-2026-12-07.xlsx");
    }
}
