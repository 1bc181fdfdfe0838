//! `rdv seed demo`: a realistic, French demo territory. Idempotent: does nothing when the demo
//! territory already exists. Later issues extend it with their data.
//!
//! Every demo agent signs in with [`DEMO_PASSWORD`]; the logins are listed in README.md.

pub mod agenda;
pub mod slots;
pub mod usagers;

use anyhow::Context;

use rdv_shared::access::AccessLevel;

use crate::admin::{self, AgentArgs};
use crate::audit::Author;
use crate::auth::password;
use crate::db::models::{agent, lieu, motif, organisation, service, territory};
use crate::db::{write_tx, DbConn};
use rdv_shared::dto::{CreateMotifRequest, LieuFields};
use rdv_shared::enums::{BookableBy, LieuAvailability, LocationType, VisibilityType};

pub const DEMO_PASSWORD: &str = "Rdv-Demo-2026!";
pub const DEMO_TERRITORY: &str = "Pas-de-Calais";

/// (organisation, email local part or None for an intervenant, first, last, role, services, territorial admin)
type DemoAgent =
    (&'static str, Option<&'static str>, &'static str, &'static str, AccessLevel, &'static [&'static str], bool);

const ORGANISATIONS: [&str; 3] = ["MDS Arras", "MDS Lens", "MDS Calais"];

const AGENTS: &[DemoAgent] = &[
    ("MDS Arras", Some("camille.martin"), "Camille", "Martin", AccessLevel::Admin, &["PMI"], true),
    ("MDS Arras", Some("sophie.durand"), "Sophie", "Durand", AccessLevel::Basic, &["PMI", "CPEF"], false),
    ("MDS Arras", Some("julien.lefebvre"), "Julien", "Lefebvre", AccessLevel::Basic, &["Service social"], false),
    ("MDS Arras", Some("nadia.benali"), "Nadia", "Benali", AccessLevel::Basic, &["Secrétariat"], false),
    ("MDS Arras", None, "Pierre", "Roux", AccessLevel::Intervenant, &["PMI"], false),
    ("MDS Lens", Some("isabelle.moreau"), "Isabelle", "Moreau", AccessLevel::Admin, &["Service social"], false),
    ("MDS Lens", Some("thomas.leroy"), "Thomas", "Leroy", AccessLevel::Basic, &["CPEF"], false),
    ("MDS Lens", Some("emma.dubois"), "Emma", "Dubois", AccessLevel::Basic, &["PMI"], false),
    ("MDS Lens", Some("lucas.petit"), "Lucas", "Petit", AccessLevel::Basic, &["Service social"], false),
    ("MDS Calais", Some("claire.fontaine"), "Claire", "Fontaine", AccessLevel::Admin, &["CPEF"], false),
    ("MDS Calais", Some("hugo.garnier"), "Hugo", "Garnier", AccessLevel::Basic, &["PMI"], false),
    ("MDS Calais", Some("ines.mercier"), "Inès", "Mercier", AccessLevel::Basic, &["Secrétariat"], false),
];

/// (organisation, name, address, coordinates)
type DemoLieu = (&'static str, &'static str, &'static str, Option<(f64, f64)>);

const LIEUX: &[DemoLieu] = &[
    ("MDS Arras", "MDS Arras — Baudimont", "12 rue de Baudimont, 62000 Arras", Some((50.2938, 2.7631))),
    ("MDS Arras", "Centre social Léon Blum", "3 place Léon Blum, 62000 Arras", None),
    ("MDS Lens", "MDS Lens — centre", "8 rue de la Paix, 62300 Lens", Some((50.4322, 2.8279))),
    ("MDS Lens", "Antenne de Liévin", "25 rue Jean-Baptiste Defernez, 62800 Liévin", None),
    ("MDS Calais", "MDS Calais — Beau-Marais", "1 rue de Bruxelles, 62100 Calais", Some((50.9581, 1.8731))),
    ("MDS Calais", "Permanence de Guînes", "14 place Foch, 62340 Guînes", None),
];

/// (name, short name) of the demo motif categories.
const CATEGORIES: &[(&str, &str)] = &[
    ("Suivi de grossesse et périnatalité", "perinatalite"),
    ("Accès aux droits", "acces_droits"),
    ("Santé sexuelle", "sante_sexuelle"),
];

struct DemoMotif {
    organisation: &'static str,
    service: &'static str,
    name: &'static str,
    color: &'static str,
    minutes: i32,
    location: LocationType,
    bookable_by: BookableBy,
    collectif: bool,
    follow_up: bool,
    visibility: VisibilityType,
    instruction: Option<&'static str>,
    category: Option<&'static str>,
}

const fn demo_motif(
    organisation: &'static str,
    service: &'static str,
    name: &'static str,
    color: &'static str,
    minutes: i32,
    location: LocationType,
) -> DemoMotif {
    DemoMotif {
        organisation,
        service,
        name,
        color,
        minutes,
        location,
        bookable_by: BookableBy::Agents,
        collectif: false,
        follow_up: false,
        visibility: VisibilityType::VisibleAndNotified,
        instruction: None,
        category: None,
    }
}

const PMI_INSTRUCTION: &str = "Pensez à apporter le carnet de santé de l'enfant.";

const MOTIFS: &[DemoMotif] = &[
    DemoMotif {
        bookable_by: BookableBy::Everyone,
        instruction: Some(PMI_INSTRUCTION),
        ..demo_motif("MDS Arras", "PMI", "Consultation PMI nourrisson", "#1f77b4", 30, LocationType::PublicOffice)
    },
    DemoMotif {
        category: Some("perinatalite"),
        ..demo_motif("MDS Arras", "PMI", "Visite à domicile post-natale", "#17becf", 60, LocationType::Home)
    },
    DemoMotif {
        collectif: true,
        ..demo_motif("MDS Arras", "PMI", "Atelier portage", "#9467bd", 90, LocationType::PublicOffice)
    },
    demo_motif(
        "MDS Arras",
        "Service social",
        "Entretien assistante sociale",
        "#2ca02c",
        45,
        LocationType::PublicOffice,
    ),
    DemoMotif {
        category: Some("sante_sexuelle"),
        ..demo_motif("MDS Arras", "CPEF", "Consultation contraception", "#d62728", 30, LocationType::PublicOffice)
    },
    demo_motif("MDS Lens", "PMI", "Pesée et conseils de puériculture", "#aec7e8", 20, LocationType::PublicOffice),
    // Same instruction in every MDS: the public flow lists this motif once and the lieu chosen decides which
    // organisation's motif is booked (the browser test books whichever lieu is free first).
    DemoMotif {
        bookable_by: BookableBy::Everyone,
        instruction: Some(PMI_INSTRUCTION),
        ..demo_motif("MDS Lens", "PMI", "Consultation PMI nourrisson", "#1f77b4", 30, LocationType::PublicOffice)
    },
    demo_motif("MDS Lens", "Service social", "Permanence téléphonique sociale", "#98df8a", 20, LocationType::Phone),
    DemoMotif {
        follow_up: true,
        ..demo_motif("MDS Lens", "Service social", "RDV de suivi social", "#2ca02c", 45, LocationType::PublicOffice)
    },
    demo_motif(
        "MDS Lens",
        "CPEF",
        "Entretien de conseil conjugal et familial",
        "#ff9896",
        60,
        LocationType::PublicOffice,
    ),
    DemoMotif {
        bookable_by: BookableBy::Everyone,
        ..demo_motif("MDS Calais", "CPEF", "Consultation contraception", "#d62728", 30, LocationType::PublicOffice)
    },
    DemoMotif {
        visibility: VisibilityType::Invisible,
        ..demo_motif("MDS Calais", "CPEF", "Consultation IVG médicamenteuse", "#8c564b", 30, LocationType::PublicOffice)
    },
    demo_motif("MDS Calais", "PMI", "Bilan de santé en école maternelle", "#bcbd22", 45, LocationType::PublicOffice),
    demo_motif(
        "MDS Calais",
        "Service social",
        "Entretien assistante sociale",
        "#2ca02c",
        45,
        LocationType::PublicOffice,
    ),
    demo_motif("MDS Calais", "Service social", "Entretien en visio", "#7f7f7f", 30, LocationType::Visio),
];

pub const DEMO_EMAIL_DOMAIN: &str = "demo.rdv-solidarites.fr";

/// Seeds the demo data; returns false when it was already there.
pub fn demo(conn: &mut DbConn) -> anyhow::Result<bool> {
    let created = demo_structure(conn)?;
    // Also for a demo made before usagers existed.
    let usagers = crate::seed::usagers::demo(conn, DEMO_TERRITORY)?;
    // Also for a demo made before the agenda existed.
    let rdvs = crate::seed::agenda::demo(conn, DEMO_TERRITORY)?;
    Ok(created || usagers > 0 || rdvs > 0)
}

/// The demo territory without usagers (the API tests' fixture: they create the usagers they need).
pub fn demo_structure(conn: &mut DbConn) -> anyhow::Result<bool> {
    if territory::find_by_name(conn, DEMO_TERRITORY)?.is_some() {
        return Ok(false);
    }
    let author = Author::system("seed");
    // One hash for every demo agent: argon2 is slow by design and the password is public anyway.
    let hash = password::hash(DEMO_PASSWORD)?;
    write_tx(conn, |conn| -> anyhow::Result<()> {
        let t = territory::create(conn, &author, DEMO_TERRITORY, "62")?;
        for name in ORGANISATIONS {
            organisation::create(conn, &author, t.id, name, organisation::DEFAULT_TIME_ZONE)?;
        }
        for &(org_name, local, first, last, role, services, territorial_admin) in AGENTS {
            let org = organisation::find_by_territory_and_name(conn, t.id, org_name)?.context("demo organisation")?;
            let args = AgentArgs {
                email: local.map(|l| format!("{l}@{DEMO_EMAIL_DOMAIN}")),
                password: None,
                first_name: Some(first.to_owned()),
                last_name: last.to_owned(),
                organisation_id: org.id,
                role,
                services: services.iter().map(|s| (*s).to_owned()).collect(),
                territorial_admin,
            };
            let pw = (role != AccessLevel::Intervenant).then(|| hash.clone());
            admin::create_agent_with_hash(conn, &author, args, pw)?;
        }
        // Sophie Durand, midwife, also holds consultations at MDS Lens (seed 001: one agent, several organisations).
        let sophie =
            agent::find_by_email(conn, &format!("sophie.durand@{DEMO_EMAIL_DOMAIN}"))?.context("demo agent")?;
        let lens = organisation::find_by_territory_and_name(conn, t.id, "MDS Lens")?.context("demo organisation")?;
        agent::add_role(conn, &author, sophie.id, lens.id, AccessLevel::Basic)?;
        for &(org_name, name, address, lat_lon) in LIEUX {
            let org = organisation::find_by_territory_and_name(conn, t.id, org_name)?.context("demo organisation")?;
            let fields = LieuFields {
                name: name.into(),
                address: address.into(),
                phone_number: None,
                latitude: lat_lon.map(|(lat, _)| lat),
                longitude: lat_lon.map(|(_, lon)| lon),
                availability: LieuAvailability::Enabled,
            };
            lieu::create(conn, &author, org.id, &fields)?;
        }
        let mut categories = Vec::new();
        for (name, short) in CATEGORIES {
            categories.push(motif::create_category(conn, &author, name, short)?);
        }
        for m in MOTIFS {
            let org =
                organisation::find_by_territory_and_name(conn, t.id, m.organisation)?.context("demo organisation")?;
            let service = service::find_by_name(conn, m.service)?.context("demo service")?;
            let settings = CreateMotifRequest {
                name: m.name.into(),
                service_id: rdv_shared::ServiceId(service.id),
                color: m.color.into(),
                default_duration_in_min: Some(m.minutes),
                location_type: Some(m.location),
                bookable_by: Some(m.bookable_by),
                collectif: Some(m.collectif),
                follow_up: Some(m.follow_up),
                visibility_type: Some(m.visibility),
                instruction_for_rdv: m.instruction.map(str::to_owned),
                motif_category_id: m
                    .category
                    .and_then(|short| categories.iter().find(|c| c.short_name == short))
                    .map(|c| c.id),
                ..Default::default()
            }
            .into_settings();
            motif::create(conn, &author, org.id, &settings)?;
        }
        Ok(())
    })?;
    Ok(true)
}

/// Does the database hold any territory?
pub fn has_territory(conn: &mut DbConn) -> anyhow::Result<bool> {
    use diesel::prelude::*;
    let n: i64 = crate::db::schema::territories::table.count().get_result(conn)?;
    Ok(n > 0)
}

/// The demo logins, for `just run` and the README.
pub fn demo_logins() -> Vec<(String, String)> {
    AGENTS
        .iter()
        .filter_map(|&(org, local, first, last, role, services, _)| {
            local.map(|l| (format!("{l}@{DEMO_EMAIL_DOMAIN}"), describe(org, first, last, role, services)))
        })
        .chain(std::iter::once((
            format!("{}@{DEMO_EMAIL_DOMAIN}", crate::seed::agenda::OVERSEAS_AGENT),
            describe("PMI Saint-Denis (La Réunion, Indian/Reunion)", "Marie", "Hoarau", AccessLevel::Admin, &["PMI"]),
        )))
        .collect()
}

fn describe(org: &str, first: &str, last: &str, role: AccessLevel, services: &[&str]) -> String {
    format!("{first} {last} — {} {org} ({})", role.label_fr(), services.join(", "))
}
