//! A fixed set of RDVs for lists, exports and statistics (issue 17), in the two weeks around the
//! 2025 change to summer time (Monday 24 March – Sunday 6 April, Europe/Paris), far from the demo
//! seed's RDVs. MDS Arras: Pierre Roux (PMI intervenant) and Julien Lefebvre (service social);
//! MDS Lens: Emma Dubois. Every status and origin appears once at least; the tests' figures are
//! computed by hand from this table.
//!
//! | key | agent | motif | local start | status | origin |
//! |---|---|---|---|---|---|
//! | a | Roux | Consultation PMI nourrisson | Mon 24/03 10:00 | seen | agent |
//! | b | Roux | Consultation PMI nourrisson | Tue 25/03 10:00 | noshow | user |
//! | c | Roux | Visite à domicile post-natale | Sun 30/03 23:30 (21:30 UTC) | excused | invitation |
//! | d | Lefebvre | Entretien assistante sociale | Mon 31/03 00:30 (22:30 UTC on the 30th) | revoked | agent |
//! | e | Lefebvre | Entretien assistante sociale | Wed 02/04 14:00 | unknown (past) | file_attente |
//! | f | Roux | Consultation PMI nourrisson | Sun 06/04 09:00 | seen | agent |
//! | g | Dubois (Lens) | Consultation PMI nourrisson | Wed 26/03 10:00 | seen | agent |

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use rdv_api::audit::Author;
use rdv_api::db::models::rdv::{self, NewRdv, RdvChanges};
use rdv_api::db::schema::agents;
use rdv_shared::enums::{RdvOrigin, RdvStatus};
use serde_json::json;

use super::{call, Session, TestApp};

/// (key, organisation, agent, motif, lieu, UTC start, minutes, status, origin, usagers)
type Row<'a> = (&'a str, i32, i32, i32, Option<i32>, &'a str, i64, RdvStatus, RdvOrigin, Vec<i32>);

pub const FROM: &str = "2025-03-24";
pub const TO: &str = "2025-04-06";

pub struct Fixture {
    /// RDV ids by key (`a`…`g`).
    pub ids: BTreeMap<&'static str, i32>,
    /// The usager of the Arras RDVs (and a second one on `a`).
    pub usagers: Vec<i32>,
}

fn agent_by_last_name(app: &TestApp, last_name: &str) -> i32 {
    let mut conn = app.state.pool.get().expect("conn");
    agents::table.filter(agents::last_name.eq(last_name)).select(agents::id).get_result(&mut *conn).expect("agent")
}

fn utc(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("instant")
}

/// Creates the table's RDVs; `admin` is an admin of MDS Arras (creates the usagers).
pub async fn create(app: &TestApp, admin: &Session, lens_admin: &Session) -> Fixture {
    let arras = app.organisation_id("MDS Arras");
    let lens = app.organisation_id("MDS Lens");
    let mut usagers = Vec::new();
    for (first, last, birth) in [("Léa", "Fixture", "2020-05-01"), ("Marc", "Fixture", "1980-01-01")] {
        let body = json!({"organisation_ids": [arras], "first_name": first, "last_name": last, "birth_date": birth,
            "address": "12 rue de la Gare, 62000 Arras", "post_code": "62000", "city_name": "Arras"});
        let (s, b) = call(app, admin, "POST", "/api/v1/users", Some(body)).await;
        assert_eq!(s, 200, "{b}");
        usagers.push(b["user"]["id"].as_i64().expect("id") as i32);
    }
    let (s, b) = call(
        app,
        lens_admin,
        "POST",
        "/api/v1/users",
        Some(json!({"organisation_ids": [lens], "first_name": "Nina", "last_name": "Lensoise"})),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let lens_user = b["user"]["id"].as_i64().expect("id") as i32;
    let roux = agent_by_last_name(app, "Roux");
    let lefebvre = agent_by_last_name(app, "Lefebvre");
    let dubois = agent_by_last_name(app, "Dubois");
    let consultation = app.id_by_name("motifs", "MDS Arras", "Consultation PMI nourrisson");
    let visite = app.id_by_name("motifs", "MDS Arras", "Visite à domicile post-natale");
    let entretien = app.id_by_name("motifs", "MDS Arras", "Entretien assistante sociale");
    let lens_consultation = app.id_by_name("motifs", "MDS Lens", "Consultation PMI nourrisson");
    let baudimont = app.id_by_name("lieux", "MDS Arras", "MDS Arras — Baudimont");
    let lens_centre = app.id_by_name("lieux", "MDS Lens", "MDS Lens — centre");
    use RdvOrigin::*;
    use RdvStatus::*;
    let rows: Vec<Row> = vec![
        ("a", arras, roux, consultation, Some(baudimont), "2025-03-24 09:00", 30, Seen, Agent, usagers.clone()),
        ("b", arras, roux, consultation, Some(baudimont), "2025-03-25 09:00", 30, Noshow, User, vec![usagers[0]]),
        ("c", arras, roux, visite, None, "2025-03-30 21:30", 60, Excused, Invitation, vec![usagers[0]]),
        ("d", arras, lefebvre, entretien, Some(baudimont), "2025-03-30 22:30", 45, Revoked, Agent, vec![usagers[1]]),
        (
            "e",
            arras,
            lefebvre,
            entretien,
            Some(baudimont),
            "2025-04-02 12:00",
            45,
            Unknown,
            FileAttente,
            vec![usagers[1]],
        ),
        ("f", arras, roux, consultation, Some(baudimont), "2025-04-06 07:00", 30, Seen, Agent, vec![usagers[0]]),
        ("g", lens, dubois, lens_consultation, Some(lens_centre), "2025-03-26 09:00", 30, Seen, Agent, vec![lens_user]),
    ];
    let mut ids = BTreeMap::new();
    let mut conn = app.state.pool.get().expect("conn");
    let author = Author::system("fixture");
    for (key, org, agent, motif, lieu, start, minutes, status, origin, users) in rows {
        let starts_at = utc(start);
        let new = NewRdv {
            organisation_id: org,
            motif_id: motif,
            lieu_id: lieu,
            starts_at,
            ends_at: starts_at + Duration::minutes(minutes),
            context: (key == "a").then(|| "Premier RDV".to_owned()),
            name: None,
            max_participants_count: None,
            notify: false,
            created_by_type: if origin == Agent { "Agent" } else { "User" },
            created_by_id: None,
            origin,
            agent_ids: vec![agent],
            user_ids: users,
            send_notifications: false,
        };
        let row = rdv_api::db::write_tx(&mut conn, |c| {
            let row = rdv::create(c, &author, &new)?;
            if status != Unknown {
                rdv::update(c, &author, &row, &RdvChanges { status: Some(status), ..Default::default() })?;
            }
            Ok::<_, diesel::result::Error>(row)
        })
        .expect("fixture RDV");
        ids.insert(key, row.id);
    }
    Fixture { ids, usagers }
}

/// The fixture's range as a query string.
pub fn range() -> String {
    format!("from={FROM}&to={TO}")
}

/// A day of the fixture's range.
pub fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}
