//! Agenda sync (issue 16): each agent may create, see and revoke a secret feed URL
//! (`/calendar/{token}.ics`, the token kept as a digest) that their own calendar subscribes
//! to: their RDVs from 3 months back to 12 months ahead (cancelled ones as STATUS:CANCELLED),
//! their absences and, if they choose, their plages (with their RRULE), each in its
//! organisation's zone, UIDs stable (an RDV's is the one of its emails, so calendars merge
//! them). Usagers' names only "avec détails": a calendar on a phone is read by others.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use rdv_shared::dto::{CalendarFeed, CalendarFeedCreatedResponse, CalendarFeedResponse, CreateCalendarFeedRequest};
use rdv_shared::enums::LocationType;

use crate::config::Config;
use crate::db::models::agent::{first_organisations, AgentRow};
use crate::db::models::calendar_feed::{self, FeedRow};
use crate::db::models::lieu::lieux_by_id;
use crate::db::models::motif::motifs_by_id;
use crate::db::models::organisation::organisations_by_id;
use crate::db::models::{absence, idempotency, plage, rdv, user};
use crate::db::{write_tx, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::outbox::ics::{feed, IcsEvent};
use crate::services::agenda::{tz, DEFAULT_TZ};

fn dto(f: &FeedRow) -> CalendarFeed {
    CalendarFeed {
        with_details: f.with_details,
        with_plages: f.with_plages,
        created_at: Utc.from_utc_datetime(&f.created_at),
        last_read_at: f.last_read_at.map(|t| Utc.from_utc_datetime(&t)),
    }
}

pub fn get(conn: &mut DbConn, caller: &AgentRow) -> ApiResult<CalendarFeedResponse> {
    Ok(CalendarFeedResponse { calendar_feed: calendar_feed::live_of(conn, caller.id)?.as_ref().map(dto) })
}

/// A new link (the previous one stops working), shown once.
pub fn create(
    conn: &mut DbConn,
    config: &Config,
    caller: &AgentRow,
    req: CreateCalendarFeedRequest,
) -> ApiResult<CalendarFeedCreatedResponse> {
    let token = crate::auth::token::random_id(24);
    let digest = idempotency::digest(token.as_bytes());
    let author = caller.author();
    let now = crate::db::now_utc();
    let row = write_tx(conn, |c| {
        calendar_feed::revoke_all(c, &author, caller.id, now)?;
        calendar_feed::create(c, &author, caller.id, &digest, (req.with_details, req.with_plages), now)
    })?;
    let url = format!("{}/calendar/{token}.ics", config.public_url);
    let webcal_url = format!("webcal://{}", url.split_once("://").map_or(url.as_str(), |(_, rest)| rest));
    Ok(CalendarFeedCreatedResponse { calendar_feed: dto(&row), url, webcal_url })
}

/// Revokes the agent's link.
pub fn revoke(conn: &mut DbConn, caller: &AgentRow) -> ApiResult<()> {
    let author = caller.author();
    write_tx(conn, |c| calendar_feed::revoke_all(c, &author, caller.id, crate::db::now_utc()))?;
    Ok(())
}

/// What one event needs, owned (the calendar's events borrow from it).
struct Item {
    uid: String,
    sequence: u32,
    summary: String,
    description: String,
    location: Option<String>,
    starts: NaiveDateTime,
    ends: NaiveDateTime,
    zone: chrono_tz::Tz,
    rrule: Option<String>,
    cancelled: bool,
}

fn local(t: NaiveDateTime, zone: chrono_tz::Tz) -> NaiveDateTime {
    Utc.from_utc_datetime(&t).with_timezone(&zone).naive_local()
}

fn sequence(created: NaiveDateTime, updated: NaiveDateTime) -> u32 {
    u32::try_from((updated - created).num_seconds().max(0)).unwrap_or(0)
}

/// The feed of a token (404 when unknown or revoked), as iCalendar text.
pub fn render(conn: &mut DbConn, config: &Config, token: &str, now: DateTime<Utc>) -> ApiResult<String> {
    let digest = idempotency::digest(token.trim().as_bytes());
    let f = calendar_feed::by_digest(conn, &digest)?.ok_or(ApiError::NotFound("calendar"))?;
    let agent_id = f.agent_id;
    let (from, to) = (now - Duration::days(90), now + Duration::days(365));
    let mut items = rdv_items(conn, config, &f, from.naive_utc(), to.naive_utc())?;
    let home = first_organisations(conn, &[agent_id])?.remove(&agent_id);
    let home_zone = tz(home.as_ref().map_or(DEFAULT_TZ, |o| o.time_zone.as_str()));
    for a in absence::in_window(conn, &[agent_id], from.date_naive(), to.date_naive())? {
        let rule = a.rule();
        items.push(Item {
            uid: format!("absence_{}@RDV Solidarités", a.id),
            sequence: sequence(a.created_at, a.updated_at),
            summary: format!("Indisponibilité : {}", a.title),
            description: String::new(),
            location: None,
            starts: a.first_day.and_time(a.start_time),
            ends: a.end_day.and_time(a.end_time),
            zone: home_zone,
            rrule: rule.as_ref().map(|r| r.rrule(home_zone)),
            cancelled: false,
        });
    }
    if f.with_plages {
        let plages = plage::in_window(conn, &[agent_id], from.date_naive(), to.date_naive())?;
        let orgs = organisations_by_id(conn, &plages.iter().map(|p| p.organisation_id).collect::<Vec<_>>())?;
        let lieux = lieux_by_id(conn, &plages.iter().filter_map(|p| p.lieu_id).collect::<Vec<_>>())?;
        for p in plages {
            let zone = tz(orgs.get(&p.organisation_id).map_or(DEFAULT_TZ, |o| o.time_zone.as_str()));
            let rule = p.rule();
            items.push(Item {
                uid: format!("plage_ouverture_{}@RDV Solidarités", p.id),
                sequence: sequence(p.created_at, p.updated_at),
                summary: format!("Plage d'ouverture : {}", p.title),
                description: String::new(),
                location: p.lieu_id.and_then(|l| lieux.get(&l)).map(|l| format!("{}, {}", l.name, l.address)),
                starts: p.first_day.and_time(p.start_time),
                ends: p.first_day.and_time(p.end_time),
                zone,
                rrule: rule.as_ref().map(|r| r.rrule(zone)),
                cancelled: false,
            });
        }
    }
    write_tx(conn, |c| calendar_feed::touch(c, f.id, now.naive_utc()))?;
    let organizer = config.mail_from.rsplit('<').next().unwrap_or(&config.mail_from).trim_end_matches('>');
    let events: Vec<(IcsEvent<'_>, bool)> = items
        .iter()
        .map(|i| {
            let event = IcsEvent {
                uid: &i.uid,
                method: "PUBLISH",
                sequence: i.sequence,
                summary: &i.summary,
                description: &i.description,
                location: i.location.as_deref(),
                starts_local: i.starts,
                ends_local: i.ends,
                tz: i.zone,
                organizer,
                attendees: &[],
                stamp: now,
                rrule: i.rrule.as_deref(),
            };
            (event, i.cancelled)
        })
        .collect();
    Ok(feed("RDV Solidarités — mon agenda", &events))
}

/// The agent's RDVs in the window.
fn rdv_items(
    conn: &mut DbConn,
    config: &Config,
    f: &FeedRow,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> ApiResult<Vec<Item>> {
    let rows: Vec<rdv::RdvRow> =
        rdv::of_agents_in_window(conn, &[f.agent_id], from, to)?.into_iter().map(|r| r.1).collect();
    let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
    let motifs = motifs_by_id(conn, &rows.iter().map(|r| r.motif_id).collect::<Vec<_>>())?;
    let orgs = organisations_by_id(conn, &rows.iter().map(|r| r.organisation_id).collect::<Vec<_>>())?;
    let lieux = lieux_by_id(conn, &rows.iter().filter_map(|r| r.lieu_id).collect::<Vec<_>>())?;
    let mut names: HashMap<i32, Vec<String>> = HashMap::new();
    if f.with_details {
        let parts = rdv::participations_of(conn, &ids)?;
        let user_ids: Vec<i32> = parts.values().flatten().map(|p| p.user_id).collect();
        let users: HashMap<i32, user::UserRow> =
            user::find_many(conn, &user_ids)?.into_iter().map(|u| (u.id, u)).collect();
        for (rdv_id, list) in parts {
            let shown = list
                .iter()
                .filter(|p| !p.status().is_cancelled())
                .filter_map(|p| users.get(&p.user_id))
                .map(|u| format!("{} {}", u.first_name, u.last_name))
                .collect();
            names.insert(rdv_id, shown);
        }
    }
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let zone = tz(orgs.get(&r.organisation_id).map_or(DEFAULT_TZ, |o| o.time_zone.as_str()));
        let motif = motifs.get(&r.motif_id);
        let title = r.name.clone().or_else(|| motif.map(|m| m.name.clone())).unwrap_or_else(|| "RDV".into());
        let who =
            names.get(&r.id).filter(|n| !n.is_empty()).map(|n| format!(" — {}", n.join(", "))).unwrap_or_default();
        let location = match motif.map(|m| m.location()) {
            Some(LocationType::Phone) => Some("Par téléphone".to_owned()),
            Some(LocationType::Visio) => Some("Par visioconférence".to_owned()),
            Some(LocationType::Home) => Some("À domicile".to_owned()),
            _ => r.lieu_id.and_then(|l| lieux.get(&l)).map(|l| format!("{}, {}", l.name, l.address)),
        };
        out.push(Item {
            uid: r.uuid.clone(),
            sequence: sequence(r.created_at, r.updated_at),
            summary: format!("RDV {title}{who}"),
            description: format!("{}/rdvs/{}", config.public_url, r.id),
            location,
            starts: local(r.starts_at, zone),
            ends: local(r.ends_at, zone),
            zone,
            rrule: None,
            cancelled: r.status().is_cancelled(),
        });
    }
    Ok(out)
}
