//! Demo agenda (issue 5): plages for every agent who has motifs (weekly, some every two weeks,
//! one monthly), absences, RDVs over the past 8 weeks and the next 6 with realistic statuses,
//! two collective workshops, and an overseas organisation (La Réunion, Indian/Reunion) with its
//! own agent, usagers and agenda. Deterministic; does nothing once demo plages exist.

use crate::db::IdListDsl;
use std::collections::{BTreeMap, HashMap};

use anyhow::Context;
use chrono::{Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use rdv_shared::access::AccessLevel;
use rdv_shared::dto::{CreateMotifRequest, LieuFields};
use rdv_shared::enums::{LieuAvailability, LocationType, RdvStatus, VisibilityType};
use rdv_shared::recurrence::{occurrences, Every, Recurrence, Schedule};
use rdv_shared::usager::fields::FieldToggles;

use crate::audit::Author;
use crate::db::models::plage::PlageValues;
use crate::db::models::rdv::{NewRdv, RdvChanges};
use crate::db::models::{absence, lieu, motif, organisation, plage, rdv, service, territory};
use crate::db::schema::{agent_roles, agents, lieux, motifs, organisations, plage_ouvertures, user_profiles};
use crate::db::{write_tx, DbConn};

pub const OVERSEAS_TERRITORY: &str = "La Réunion";
pub const OVERSEAS_AGENT: &str = "marie.hoarau";

fn rule(every: Every, interval: u32, on: &[&str], day: Option<(&str, i32)>) -> Recurrence {
    Recurrence {
        every,
        interval,
        on: on.iter().map(|d| (*d).to_owned()).collect(),
        day: day.map(|(d, n)| BTreeMap::from([(d.to_owned(), vec![n])])).unwrap_or_default(),
        until: None,
    }
}

fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN)
}

/// Three weekly patterns, rotated over agents: (title, rule, start, end).
fn patterns(i: usize) -> Vec<(&'static str, Recurrence, NaiveTime, NaiveTime)> {
    let week = |days: &[&str]| rule(Every::Week, 1, days, None);
    match i % 3 {
        0 => vec![
            ("Consultations du matin", week(&["monday", "tuesday", "wednesday", "thursday"]), t(9, 0), t(12, 0)),
            ("Consultations de l'après-midi", week(&["monday", "tuesday", "thursday", "friday"]), t(13, 30), t(17, 0)),
        ],
        1 => vec![
            ("Permanence", week(&["tuesday", "wednesday", "thursday", "friday"]), t(9, 0), t(12, 30)),
            ("Rendez-vous de l'après-midi", week(&["monday", "tuesday", "wednesday"]), t(13, 30), t(17, 0)),
            ("Permanence (une semaine sur deux)", rule(Every::Week, 2, &["thursday"], None), t(13, 30), t(17, 0)),
        ],
        _ => vec![
            ("Consultations du matin", week(&["monday", "tuesday", "thursday", "friday"]), t(9, 0), t(12, 0)),
            ("Rendez-vous de l'après-midi", week(&["monday", "wednesday", "thursday", "friday"]), t(13, 30), t(17, 0)),
            ("Permanence mensuelle", rule(Every::Month, 1, &[], Some(("wednesday", 1))), t(9, 0), t(12, 0)),
        ],
    }
}

/// Everything of the demo agenda; returns the number of RDVs created.
pub fn demo(conn: &mut DbConn, territory_name: &str) -> anyhow::Result<usize> {
    let territory = territory::find_by_name(conn, territory_name)?.context("demo territory")?;
    let org_ids = crate::db::models::agent::organisations_of_territories(conn, &[territory.id])?;
    let existing: i64 =
        plage_ouvertures::table.filter(plage_ouvertures::organisation_id.in_ids(&org_ids)).count().get_result(conn)?;
    if existing > 0 {
        return Ok(0);
    }
    let reunion = overseas(conn)?;
    let mut all_orgs = org_ids.clone();
    all_orgs.push(reunion);
    let author = Author::system("seed");
    let mut rng = StdRng::seed_from_u64(974);
    let today = Utc::now().date_naive();
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let first_day = monday - Duration::weeks(8);
    write_tx(conn, |conn| -> anyhow::Result<usize> {
        let roles: Vec<(i32, i32)> = agent_roles::table
            .inner_join(agents::table)
            .filter(agent_roles::organisation_id.in_ids(&all_orgs))
            .filter(agents::deleted_at.is_null())
            .order((agent_roles::organisation_id, agent_roles::agent_id))
            .select((agent_roles::agent_id, agent_roles::organisation_id))
            .load(conn)?;
        let mut made = Vec::new();
        for (i, (agent_id, org_id)) in roles.iter().copied().enumerate() {
            let facts = crate::db::models::agent::facts(conn, agent_id)?;
            let services: Vec<i32> = facts.service_ids.iter().map(|s| s.0).collect();
            let motif_ids: Vec<i32> = motifs::table
                .filter(motifs::organisation_id.eq(org_id))
                .filter(motifs::service_id.in_ids(&services))
                .filter(motifs::collectif.eq(false))
                .filter(motifs::deleted_at.is_null())
                .order(motifs::id)
                .select(motifs::id)
                .load(conn)?;
            let lieu_id: Option<i32> = lieux::table
                .filter(lieux::organisation_id.eq(org_id))
                .filter(lieux::availability.eq(LieuAvailability::Enabled.as_str()))
                .order(lieux::id)
                .select(lieux::id)
                .get_result(conn)
                .optional()?;
            if motif_ids.is_empty() || lieu_id.is_none() {
                continue;
            }
            // An agent with several organisations works in the second one on other days.
            let pats = if roles.iter().filter(|r| r.0 == agent_id).count() > 1
                && roles.iter().position(|r| r.0 == agent_id) != Some(i)
            {
                vec![("Consultations à Lens", rule(Every::Week, 1, &["friday"], None), t(13, 30), t(17, 0))]
            } else {
                patterns(i)
            };
            for (title, r, start, end) in pats {
                let v = PlageValues {
                    agent_id,
                    organisation_id: org_id,
                    lieu_id,
                    title: title.to_owned(),
                    first_day,
                    start_time: start,
                    end_time: end,
                    recurrence: Some(r),
                    motif_ids: motif_ids.clone(),
                };
                made.push(plage::create(conn, &author, &v)?);
            }
            // Absences: a training day, a weekly team meeting, or a week off.
            let fields = match i % 4 {
                0 => {
                    Some(("Formation", monday + Duration::days(8), t(9, 0), monday + Duration::days(8), t(17, 0), None))
                }
                1 => Some((
                    "Réunion d'équipe",
                    first_day,
                    t(8, 30),
                    first_day,
                    t(9, 0),
                    Some(rule(Every::Week, 1, &["monday"], None)),
                )),
                2 => Some((
                    "Congés",
                    monday + Duration::weeks(4),
                    t(8, 0),
                    monday + Duration::weeks(4) + Duration::days(4),
                    t(18, 0),
                    None,
                )),
                _ => None,
            };
            if let Some((title, first_day, start_time, end_day, end_time, recurrence)) = fields {
                let f = rdv_shared::agenda::AbsenceFields {
                    title: title.to_owned(),
                    first_day,
                    start_time,
                    end_day,
                    end_time,
                    recurrence,
                };
                absence::create(conn, &author, agent_id, &f)?;
            }
        }
        fill(conn, &author, &mut rng, &made, first_day, monday + Duration::weeks(6))
    })
}

/// Books usagers into the plages' slots: about 95 % of past slots (agendas are full, seed 003)
/// and half of the future ones.
fn fill(
    conn: &mut DbConn,
    author: &Author,
    rng: &mut StdRng,
    plages: &[plage::PlageRow],
    from_day: NaiveDate,
    to_day: NaiveDate,
) -> anyhow::Result<usize> {
    let orgs: HashMap<i32, organisation::OrganisationRow> = organisations::table
        .filter(organisations::id.in_ids(plages.iter().map(|p| p.organisation_id).collect::<Vec<_>>()))
        .select(organisation::OrganisationRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let now = Utc::now();
    let mut count = 0;
    let mut usagers_of: HashMap<i32, Vec<i32>> = HashMap::new();
    for p in plages {
        let Some(org) = orgs.get(&p.organisation_id) else { continue };
        let zone: chrono_tz::Tz = org.time_zone.parse().unwrap_or(chrono_tz::Europe::Paris);
        let users = match usagers_of.get(&org.id) {
            Some(u) => u.clone(),
            None => {
                let u: Vec<i32> = user_profiles::table
                    .filter(user_profiles::organisation_id.eq(org.id))
                    .select(user_profiles::user_id)
                    .order(user_profiles::user_id)
                    .load(conn)?;
                usagers_of.insert(org.id, u.clone());
                u
            }
        };
        if users.is_empty() {
            continue;
        }
        let motif_ids = plage::motif_ids_of(conn, &[p.id])?.remove(&p.id).unwrap_or_default();
        let mut motifs = Vec::with_capacity(motif_ids.len());
        for id in &motif_ids {
            motifs.extend(motif::find(conn, *id)?);
        }
        if motifs.is_empty() {
            continue;
        }
        let rule = p.rule();
        let schedule = Schedule {
            first_day: p.first_day,
            start: p.start_time,
            end_day: None,
            end: p.end_time,
            rule: rule.as_ref(),
        };
        let from = Utc.from_utc_datetime(&from_day.and_time(NaiveTime::MIN));
        let to = Utc.from_utc_datetime(&to_day.and_time(NaiveTime::MIN));
        for (s, e) in occurrences(&schedule, zone, from, to) {
            let mut at = s;
            while at < e {
                let m = &motifs[rng.gen_range(0..motifs.len())];
                let end = at + Duration::minutes(i64::from(m.default_duration_in_min));
                if end > e {
                    break;
                }
                let past = end <= now;
                if rng.gen_bool(if past { 0.95 } else { 0.5 }) {
                    let user = users[rng.gen_range(0..users.len())];
                    let new = NewRdv {
                        organisation_id: org.id,
                        motif_id: m.id,
                        lieu_id: p.lieu_id,
                        starts_at: at.naive_utc(),
                        ends_at: end.naive_utc(),
                        context: None,
                        name: None,
                        max_participants_count: None,
                        notify: true,
                        created_by_type: "Agent",
                        origin: rdv_shared::enums::RdvOrigin::Agent,
                        created_by_id: Some(p.agent_id),
                        agent_ids: vec![p.agent_id],
                        user_ids: vec![user],
                        send_notifications: m.visibility_type == VisibilityType::VisibleAndNotified.as_str(),
                    };
                    let row = rdv::create(conn, author, &new)?;
                    let roll = rng.gen_range(0..100);
                    let status = if past {
                        match roll {
                            0..=71 => RdvStatus::Seen,
                            72..=79 => RdvStatus::Noshow,
                            80..=86 => RdvStatus::Excused,
                            87..=90 => RdvStatus::Revoked,
                            _ => RdvStatus::Unknown,
                        }
                    } else if roll < 5 {
                        RdvStatus::Excused
                    } else {
                        RdvStatus::Unknown
                    };
                    if status != RdvStatus::Unknown {
                        rdv::update(conn, author, &row, &RdvChanges { status: Some(status), ..Default::default() })?;
                    }
                    count += 1;
                }
                at = end;
            }
        }
    }
    count += workshops(conn, author, from_day)?;
    Ok(count)
}

/// Two "Atelier portage" sessions at MDS Arras: one past (done), one next week with free seats.
fn workshops(conn: &mut DbConn, author: &Author, first_day: NaiveDate) -> anyhow::Result<usize> {
    let atelier: Option<(i32, i32)> = motifs::table
        .filter(motifs::collectif.eq(true))
        .filter(motifs::name.eq("Atelier portage"))
        .select((motifs::id, motifs::organisation_id))
        .get_result(conn)
        .optional()?;
    let Some((motif_id, org_id)) = atelier else { return Ok(0) };
    let lieu_id: Option<i32> = lieux::table
        .filter(lieux::organisation_id.eq(org_id))
        .order(lieux::id)
        .select(lieux::id)
        .get_result(conn)
        .optional()?;
    let agent_id: i32 = agent_roles::table
        .filter(agent_roles::organisation_id.eq(org_id))
        .filter(agent_roles::access_level.eq(AccessLevel::Admin.as_str()))
        .select(agent_roles::agent_id)
        .get_result(conn)?;
    let users: Vec<i32> = user_profiles::table
        .filter(user_profiles::organisation_id.eq(org_id))
        .order(user_profiles::user_id)
        .select(user_profiles::user_id)
        .limit(9)
        .load(conn)?;
    let zone = chrono_tz::Europe::Paris;
    let mut made = 0;
    for (weeks, status, seats) in
        [(6, RdvStatus::Seen, &users[..users.len().min(6)]), (9, RdvStatus::Unknown, &users[users.len().min(6)..])]
    {
        let day = first_day + Duration::weeks(weeks) + Duration::days(4); // a Friday
        let Some(start) = rdv_shared::recurrence::to_utc(zone, day.and_time(t(14, 0))) else { continue };
        let new = NewRdv {
            organisation_id: org_id,
            motif_id,
            lieu_id,
            starts_at: start.naive_utc(),
            ends_at: (start + Duration::minutes(90)).naive_utc(),
            context: None,
            name: Some("Atelier portage bébé".into()),
            max_participants_count: Some(8),
            notify: true,
            created_by_type: "Agent",
            origin: rdv_shared::enums::RdvOrigin::Agent,
            created_by_id: Some(agent_id),
            agent_ids: vec![agent_id],
            user_ids: seats.to_vec(),
            send_notifications: true,
        };
        let row = rdv::create(conn, author, &new)?;
        if status != RdvStatus::Unknown {
            rdv::update(conn, author, &row, &RdvChanges { status: Some(status), ..Default::default() })?;
        }
        made += 1;
    }
    Ok(made)
}

/// La Réunion (974): one PMI organisation in Indian/Reunion with an admin, a lieu, two motifs
/// and twenty usagers. Returns its organisation id (created once).
fn overseas(conn: &mut DbConn) -> anyhow::Result<i32> {
    let author = Author::system("seed");
    if let Some(existing) = territory::find_by_name(conn, OVERSEAS_TERRITORY)? {
        if let Some(o) = organisation::find_by_territory_and_name(conn, existing.id, "PMI Saint-Denis")? {
            return Ok(o.id);
        }
    }
    let hash = crate::auth::password::hash(crate::seed::DEMO_PASSWORD)?;
    write_tx(conn, |conn| -> anyhow::Result<i32> {
        let reunion = territory::create(conn, &author, OVERSEAS_TERRITORY, "974")?;
        let org = organisation::create(conn, &author, reunion.id, "PMI Saint-Denis", "Indian/Reunion")?;
        let args = crate::admin::AgentArgs {
            email: Some(format!("{OVERSEAS_AGENT}@{}", crate::seed::DEMO_EMAIL_DOMAIN)),
            password: None,
            first_name: Some("Marie".into()),
            last_name: "Hoarau".into(),
            organisation_id: org.id,
            role: AccessLevel::Admin,
            services: vec!["PMI".into()],
            territorial_admin: true,
        };
        crate::admin::create_agent_with_hash(conn, &author, args, Some(hash))?;
        let fields = LieuFields {
            name: "PMI Saint-Denis — Le Chaudron".into(),
            address: "2 rue du Chaudron, 97490 Saint-Denis".into(),
            phone_number: None,
            latitude: Some(-20.8906),
            longitude: Some(55.4871),
            availability: LieuAvailability::Enabled,
        };
        lieu::create(conn, &author, org.id, &fields)?;
        let pmi = service::find_by_name(conn, "PMI")?.context("PMI service")?;
        for (name, color, minutes) in
            [("Consultation PMI nourrisson", "#1f77b4", 30), ("Bilan de santé 4 ans", "#ff7f0e", 45)]
        {
            let settings = CreateMotifRequest {
                name: name.into(),
                service_id: rdv_shared::ServiceId(pmi.id),
                color: color.into(),
                default_duration_in_min: Some(minutes),
                location_type: Some(LocationType::PublicOffice),
                ..Default::default()
            }
            .into_settings();
            motif::create(conn, &author, org.id, &settings)?;
        }
        let mut rng = StdRng::seed_from_u64(97490);
        for i in 0..20 {
            let mut input = crate::seed::usagers::adult(&mut rng, 10_000 + i, "exemple.re");
            input.phone_number = Some(Some(format!("0692{:06}", rng.gen_range(0..1_000_000))));
            crate::seed::usagers::create(conn, &author, &input, &FieldToggles::default(), &[org.id])?;
        }
        Ok(org.id)
    })
}
