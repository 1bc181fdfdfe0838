//! `rdv seed slots`: a département for the slot-search benchmarks (issue 7), in the "Bench"
//! territory of `rdv seed scale` (its 10 organisations and usagers): 60 lieux, 50 motifs
//! bookable online, 300 agents with weekly plages, absences, and two years of RDV history
//! (≈ 1 M RDVs) plus six weeks ahead half full. `--history-factor 10` tops the history up to ten
//! times as many past RDVs, so one run can compare search times at ×1 and ×10.
//!
//! The structure goes through the audited model functions; the RDV history is bulk-inserted
//! with multi-row statements (synthetic data: no audit versions, as an import of archives).

use crate::db::IdListDsl;
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use rdv_shared::access::AccessLevel;
use rdv_shared::dto::{CreateMotifRequest, LieuFields};
use rdv_shared::enums::{BookableBy, LieuAvailability, RdvStatus};
use rdv_shared::recurrence::{Every, Recurrence};
use rdv_shared::ServiceId;

use crate::audit::Author;
use crate::db::models::plage::PlageValues;
use crate::db::models::{agent, lieu, motif, plage, service, territory};
use crate::db::schema::{lieux, plage_ouvertures, rdvs, user_profiles};
use crate::db::{write_tx, DbConn};

const AGENTS_PER_ORG: usize = 30;
const LIEUX_PER_ORG: usize = 6;
const MOTIFS_PER_ORG: usize = 5;
/// Past RDVs per agent and week at ×1 (300 agents × 104 weeks × 32 ≈ 1 M).
const PAST_PER_WEEK: usize = 32;
const HISTORY_WEEKS: i64 = 104;

/// The bench agents' addresses: `bench.agent.<n>@bench.example`.
pub fn agent_email(n: usize) -> String {
    format!("bench.agent.{n}@bench.example")
}

/// Creates what is missing, then tops the past RDVs up to `history_factor` × the ×1 volume.
pub fn scale(conn: &mut DbConn, history_factor: usize) -> anyhow::Result<(usize, usize)> {
    let author = Author::system("seed-slots");
    let t = territory::find_by_name(conn, "Bench")?.ok_or_else(|| anyhow::anyhow!("run `rdv seed scale` first"))?;
    let orgs = agent::organisations_of_territories(conn, &[t.id])?;
    let pmi = service::find_by_name(conn, "PMI")?.ok_or_else(|| anyhow::anyhow!("no PMI service"))?;
    let hash = crate::auth::password::hash(crate::seed::DEMO_PASSWORD)?;
    let mut rng = StdRng::seed_from_u64(7);
    let monday = {
        let today = Utc::now().date_naive();
        today - Duration::days(i64::from(today.weekday().num_days_from_monday()))
    };
    for (o, &org) in orgs.iter().enumerate() {
        let have: i64 = lieux::table.filter(lieux::organisation_id.eq(org)).count().get_result(conn)?;
        if have > 0 {
            continue;
        }
        write_tx(conn, |c| -> anyhow::Result<()> {
            let mut motif_ids_rare: Option<i32> = None;
            let mut lieu_ids = Vec::new();
            for l in 0..LIEUX_PER_ORG {
                let f = LieuFields {
                    name: format!("Bench {o:02} — site {l}"),
                    address: format!("{l} place de la Mairie 99{o:03} Bench"),
                    phone_number: None,
                    latitude: Some(49.0 + o as f64 * 0.1 + l as f64 * 0.01),
                    longitude: Some(2.0 + o as f64 * 0.1),
                    availability: LieuAvailability::Enabled,
                };
                lieu_ids.push(lieu::create(c, &author, org, &f)?.id);
            }
            let mut motif_ids = Vec::new();
            for m in 0..MOTIFS_PER_ORG {
                let s = CreateMotifRequest {
                    name: format!("Bench motif {m}"),
                    service_id: ServiceId(pmi.id),
                    color: "#1f77b4".into(),
                    bookable_by: Some(BookableBy::Everyone),
                    ..Default::default()
                }
                .into_settings();
                motif_ids.push(motif::create(c, &author, org, &s)?.id);
            }
            // A motif first open in five months: next availability's worst case.
            if o == 0 {
                let s = CreateMotifRequest {
                    name: "Bench rare".into(),
                    service_id: ServiceId(pmi.id),
                    color: "#d62728".into(),
                    bookable_by: Some(BookableBy::Everyone),
                    ..Default::default()
                }
                .into_settings();
                motif_ids_rare = Some(motif::create(c, &author, org, &s)?.id);
            }
            for a in 0..AGENTS_PER_ORG {
                let n = o * AGENTS_PER_ORG + a;
                let args = crate::admin::AgentArgs {
                    email: Some(agent_email(n)),
                    password: None,
                    first_name: Some("Agent".into()),
                    last_name: format!("Bench {n}"),
                    organisation_id: org,
                    role: AccessLevel::Basic,
                    services: vec!["PMI".into()],
                    territorial_admin: false,
                };
                crate::admin::create_agent_with_hash(c, &author, args, Some(hash.clone()))?;
                let id = agent::find_by_email(c, &agent_email(n))?.map(|x| x.id).unwrap_or_default();
                // Mornings and afternoons, Monday to Friday, two or three motifs, one lieu.
                let lieu = lieu_ids[a % LIEUX_PER_ORG];
                if let (0, Some(rare)) = (a, motif_ids_rare) {
                    let v = PlageValues {
                        agent_id: id,
                        organisation_id: org,
                        lieu_id: Some(lieu),
                        title: "Bilan".into(),
                        first_day: monday + Duration::days(150),
                        start_time: NaiveTime::from_hms_opt(17, 0, 0).unwrap_or_default(),
                        end_time: NaiveTime::from_hms_opt(18, 0, 0).unwrap_or_default(),
                        recurrence: None,
                        motif_ids: vec![rare],
                    };
                    plage::create(c, &author, &v)?;
                }
                let mine: Vec<i32> = motif_ids.iter().copied().filter(|_| rng.gen_bool(0.6)).collect();
                let mine = if mine.is_empty() { vec![motif_ids[a % MOTIFS_PER_ORG]] } else { mine };
                for (start, end) in [(9, 12), (14, 17)] {
                    let v = PlageValues {
                        agent_id: id,
                        organisation_id: org,
                        lieu_id: Some(lieu),
                        title: "Permanence".into(),
                        first_day: monday - Duration::weeks(HISTORY_WEEKS),
                        start_time: NaiveTime::from_hms_opt(start, 0, 0).unwrap_or_default(),
                        end_time: NaiveTime::from_hms_opt(end, 0, 0).unwrap_or_default(),
                        recurrence: Some(Recurrence {
                            every: Every::Week,
                            interval: 1,
                            on: ["monday", "tuesday", "wednesday", "thursday", "friday"].map(String::from).to_vec(),
                            day: Default::default(),
                            until: None,
                        }),
                        motif_ids: mine.clone(),
                    };
                    plage::create(c, &author, &v)?;
                }
            }
            Ok(())
        })?;
        eprint!("\rstructure {}/{}", o + 1, orgs.len());
    }
    eprintln!();
    let past = history(conn, &orgs, monday, history_factor, &mut rng)?;
    let future = upcoming(conn, &orgs, monday, &mut rng)?;
    crate::db::analyze(conn)?;
    Ok((past, future))
}

/// (agent, organisation, lieu, motifs) of every bench agent with a plage.
/// (agent, organisation, lieu, motifs).
type Agenda = (i32, i32, i32, Vec<i32>);

fn agendas(conn: &mut DbConn, orgs: &[i32]) -> QueryResult<Vec<Agenda>> {
    let rows: Vec<(i32, i32, Option<i32>, i32)> = plage_ouvertures::table
        .inner_join(crate::db::schema::plage_ouverture_motifs::table)
        .filter(plage_ouvertures::organisation_id.in_ids(orgs))
        .select((
            plage_ouvertures::agent_id,
            plage_ouvertures::organisation_id,
            plage_ouvertures::lieu_id,
            crate::db::schema::plage_ouverture_motifs::motif_id,
        ))
        .load(conn)?;
    let mut out: Vec<Agenda> = Vec::new();
    for (a, o, l, m) in rows {
        match out.iter_mut().find(|x| x.0 == a) {
            Some(x) if !x.3.contains(&m) => x.3.push(m),
            Some(_) => {}
            None => out.push((a, o, l.unwrap_or_default(), vec![m])),
        }
    }
    Ok(out)
}

fn count_between(conn: &mut DbConn, orgs: &[i32], from: NaiveDateTime, to: NaiveDateTime) -> QueryResult<i64> {
    rdvs::table
        .filter(rdvs::organisation_id.in_ids(orgs))
        .filter(rdvs::starts_at.ge(from))
        .filter(rdvs::starts_at.lt(to))
        .count()
        .get_result(conn)
}

/// Half-hour starts of a plage week day (09:00–12:00, 14:00–17:00, Paris ≈ UTC+1).
fn slot_times(day: NaiveDate) -> Vec<NaiveDateTime> {
    [8, 9, 10, 13, 14, 15].iter().flat_map(|h| [0, 30].map(|m| day.and_hms_opt(*h, m, 0).unwrap_or_default())).collect()
}

/// Past RDVs up to `factor` × the ×1 volume; ×2 and more reuse the same times (the extra
/// history is cancelled RDVs and older seen ones, as a long-lived département accumulates).
fn history(
    conn: &mut DbConn,
    orgs: &[i32],
    monday: NaiveDate,
    factor: usize,
    rng: &mut StdRng,
) -> anyhow::Result<usize> {
    let from = (monday - Duration::weeks(HISTORY_WEEKS)).and_time(NaiveTime::MIN);
    let to = monday.and_time(NaiveTime::MIN);
    let agendas = agendas(conn, orgs)?;
    let want = agendas.len() * HISTORY_WEEKS as usize * PAST_PER_WEEK * factor.max(1);
    let have = usize::try_from(count_between(conn, orgs, from, to)?).unwrap_or(0);
    if have >= want {
        return Ok(0);
    }
    let users = usagers_by_org(conn, orgs)?;
    anyhow::ensure!(!users.is_empty(), "no bench usagers: run `rdv seed scale` first");
    let mut rows = Vec::new();
    let mut inserted = 0;
    let layer = have / (agendas.len() * HISTORY_WEEKS as usize * PAST_PER_WEEK).max(1);
    for round in layer..factor.max(1) {
        for week in 0..HISTORY_WEEKS {
            let week_monday = monday - Duration::weeks(HISTORY_WEEKS - week);
            for (agent, org, lieu, motifs) in &agendas {
                let mut times: Vec<NaiveDateTime> =
                    (0..5).flat_map(|d| slot_times(week_monday + Duration::days(d))).collect();
                rand::seq::SliceRandom::shuffle(times.as_mut_slice(), rng);
                for t in times.into_iter().take(PAST_PER_WEEK) {
                    // The first layer is what happened; later layers are cancelled bookings.
                    let status = if round == 0 {
                        [RdvStatus::Seen, RdvStatus::Seen, RdvStatus::Seen, RdvStatus::Noshow, RdvStatus::Excused]
                            [rng.gen_range(0..5)]
                    } else {
                        RdvStatus::Revoked
                    };
                    let user =
                        users.get(org).and_then(|u| u.get(rng.gen_range(0..u.len().max(1)))).copied().unwrap_or(0);
                    rows.push((*org, motifs[rng.gen_range(0..motifs.len())], *lieu, t, status, *agent, user));
                }
            }
            if rows.len() >= 20_000 {
                inserted += flush(conn, &mut rows)?;
                eprint!("\rhistory ×{}: {inserted}", round + 1);
            }
        }
    }
    inserted += flush(conn, &mut rows)?;
    eprintln!();
    Ok(inserted)
}

/// Six weeks ahead, half of the slots booked (skipped when already there).
fn upcoming(conn: &mut DbConn, orgs: &[i32], monday: NaiveDate, rng: &mut StdRng) -> anyhow::Result<usize> {
    let from = monday.and_time(NaiveTime::MIN);
    if count_between(conn, orgs, from, from + Duration::weeks(7))? > 0 {
        return Ok(0);
    }
    let agendas = agendas(conn, orgs)?;
    let users = usagers_by_org(conn, orgs)?;
    let mut rows = Vec::new();
    let mut inserted = 0;
    for week in 1..=6 {
        for (agent, org, lieu, motifs) in &agendas {
            for d in 0..5 {
                let day = monday + Duration::weeks(week) + Duration::days(d);
                let booked: Vec<NaiveDateTime> = slot_times(day).into_iter().filter(|_| rng.gen_bool(0.5)).collect();
                for t in booked {
                    let user =
                        users.get(org).and_then(|u| u.get(rng.gen_range(0..u.len().max(1)))).copied().unwrap_or(0);
                    rows.push((
                        *org,
                        motifs[rng.gen_range(0..motifs.len())],
                        *lieu,
                        t,
                        RdvStatus::Unknown,
                        *agent,
                        user,
                    ));
                }
            }
        }
        inserted += flush(conn, &mut rows)?;
    }
    Ok(inserted)
}

fn usagers_by_org(conn: &mut DbConn, orgs: &[i32]) -> QueryResult<std::collections::HashMap<i32, Vec<i32>>> {
    let rows: Vec<(i32, i32)> = user_profiles::table
        .filter(user_profiles::organisation_id.in_ids(orgs))
        .select((user_profiles::organisation_id, user_profiles::user_id))
        .load(conn)?;
    let mut out: std::collections::HashMap<i32, Vec<i32>> = std::collections::HashMap::new();
    for (o, u) in rows {
        out.entry(o).or_default().push(u);
    }
    Ok(out)
}

type Row = (i32, i32, i32, NaiveDateTime, RdvStatus, i32, i32);

/// Writes RDVs with their agent and participation as multi-row statements, with explicit ids
/// (PostgreSQL's sequences are moved past them afterwards).
fn flush(conn: &mut DbConn, rows: &mut Vec<Row>) -> anyhow::Result<usize> {
    if rows.is_empty() {
        return Ok(0);
    }
    let n = rows.len();
    write_tx(conn, |c| -> anyhow::Result<()> {
        let next = |c: &mut DbConn, table: &str| -> anyhow::Result<i64> {
            #[derive(QueryableByName)]
            struct Max {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                m: i64,
            }
            let q = format!("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) AS m FROM {table}");
            Ok(diesel::sql_query(q).get_result::<Max>(c)?.m + 1)
        };
        let (rdv0, ar0, p0) = (next(c, "rdvs")?, next(c, "agents_rdvs")?, next(c, "participations")?);
        let now = Utc::now().naive_utc().format("%Y-%m-%d %H:%M:%S").to_string();
        for (chunk_index, chunk) in rows.chunks(500).enumerate() {
            let base = chunk_index as i64 * 500;
            let mut r = Vec::with_capacity(chunk.len());
            let mut a = Vec::with_capacity(chunk.len());
            let mut p = Vec::with_capacity(chunk.len());
            for (i, (org, motif, lieu, start, status, agent, user)) in chunk.iter().enumerate() {
                let id = rdv0 + base + i as i64;
                let (s, e) =
                    (start.format("%Y-%m-%d %H:%M:%S"), (*start + Duration::minutes(30)).format("%Y-%m-%d %H:%M:%S"));
                let cancelled = if status.sets_cancelled_at() { format!("'{e}'") } else { "NULL".into() };
                let counted = i32::from(!status.is_cancelled());
                let status = status.as_str();
                r.push(format!(
                    "({id},{org},{motif},{lieu},'{s}','{e}','{status}',{cancelled},'{}',{counted},TRUE,'Agent','{now}','{now}')",
                    uuid::Uuid::new_v4()
                ));
                a.push(format!("({},{agent},{id},'{s}','{e}')", ar0 + base + i as i64));
                p.push(format!("({},{id},{user},'{status}',TRUE,TRUE,'Agent','{now}','{now}')", p0 + base + i as i64));
            }
            diesel::sql_query(format!(
                "INSERT INTO rdvs (id, organisation_id, motif_id, lieu_id, starts_at, ends_at, status, cancelled_at, uuid, \
                 users_count, notify, created_by_type, created_at, updated_at) VALUES {}",
                r.join(",")
            ))
            .execute(c)?;
            diesel::sql_query(format!(
                "INSERT INTO agents_rdvs (id, agent_id, rdv_id, starts_at, ends_at) VALUES {}",
                a.join(",")
            ))
            .execute(c)?;
            diesel::sql_query(format!(
                "INSERT INTO participations (id, rdv_id, user_id, status, send_lifecycle_notifications, \
                 send_reminder_notification, created_by_type, created_at, updated_at) VALUES {}",
                p.join(",")
            ))
            .execute(c)?;
        }
        if let DbConn::Postgres(_) = c {
            for table in ["rdvs", "agents_rdvs", "participations"] {
                diesel::sql_query(format!("SELECT setval('{table}_id_seq', (SELECT MAX(id) FROM {table}))"))
                    .execute(c)?;
            }
        }
        Ok(())
    })?;
    rows.clear();
    Ok(n)
}
