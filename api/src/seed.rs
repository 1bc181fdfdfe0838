//! `rdv seed demo`: a realistic, French demo territory. Idempotent: does nothing when the demo
//! territory already exists. Later issues extend it with their data.
//!
//! Every demo agent signs in with [`DEMO_PASSWORD`]; the logins are listed in README.md.

use anyhow::Context;

use rdv_shared::access::AccessLevel;

use crate::admin::{self, AgentArgs};
use crate::audit::Author;
use crate::auth::password;
use crate::db::models::{agent, organisation, territory};
use crate::db::{write_tx, DbConn};

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

pub const DEMO_EMAIL_DOMAIN: &str = "demo.rdv-solidarites.fr";

/// Seeds the demo data; returns false when it was already there.
pub fn demo(conn: &mut DbConn) -> anyhow::Result<bool> {
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
        .collect()
}

fn describe(org: &str, first: &str, last: &str, role: AccessLevel, services: &[&str]) -> String {
    format!("{first} {last} — {} {org} ({})", role.label_fr(), services.join(", "))
}
