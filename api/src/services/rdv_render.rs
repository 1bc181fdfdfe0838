//! RDVs as the API renders them (reference-api-v1.md §4.6): one batch of queries for a list,
//! whatever its length. Instants in the organisation's zone; `transitions` computed from `now`.

use std::collections::HashMap;

use chrono::{DateTime, TimeZone, Utc};
use rdv_shared::dto;
use rdv_shared::enums::LocationType;
use rdv_shared::rdv::{timing, transitions, Target};
use rdv_shared::time::in_zone;
use rdv_shared::usager::fields::FieldToggles;

use crate::db::models::agent::agents_by_id;
use crate::db::models::lieu::lieux_by_id;
use crate::db::models::motif::{motifs_by_id, MotifCategoryRow};
use crate::db::models::organisation::organisations_by_id;
use crate::db::models::rdv::RdvRow;
use crate::db::models::user::UserRow;
use crate::db::models::{motif, rdv, user};
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};
use crate::services::agenda::tz;

/// API v1's deprecated `created_by`: the type in snake case.
fn created_by(kind: &str) -> String {
    match kind {
        "Agent" => "agent",
        "User" => "user",
        "Prescripteur" => "prescripteur",
        _ => "file_attente",
    }
    .to_owned()
}

pub fn render(conn: &mut DbConn, rows: &[RdvRow], now: DateTime<Utc>) -> ApiResult<Vec<dto::Rdv>> {
    let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
    let orgs = organisations_by_id(conn, &rows.iter().map(|r| r.organisation_id).collect::<Vec<_>>())?;
    let motifs = motifs_by_id(conn, &rows.iter().map(|r| r.motif_id).collect::<Vec<_>>())?;
    let categories: HashMap<i32, MotifCategoryRow> = motif::categories(conn)?.into_iter().map(|c| (c.id, c)).collect();
    let lieux = lieux_by_id(conn, &rows.iter().filter_map(|r| r.lieu_id).collect::<Vec<_>>())?;
    let agent_ids = rdv::agents_of(conn, &ids)?;
    let agents = agents_by_id(conn, &agent_ids.values().flatten().copied().collect::<Vec<_>>())?;
    let parts = rdv::participations_of(conn, &ids)?;
    let user_ids: Vec<i32> = parts.values().flatten().map(|p| p.user_id).collect();
    let mut users: HashMap<i32, UserRow> = load_users(conn, &user_ids)?;
    let responsible_ids: Vec<i32> = users.values().filter_map(|u| u.responsible_id).collect();
    for r in load_users(conn, &responsible_ids)?.into_values() {
        users.entry(r.id).or_insert(r);
    }
    let mut toggles: HashMap<i32, FieldToggles> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let (Some(org), Some(m)) = (orgs.get(&r.organisation_id), motifs.get(&r.motif_id)) else {
            return Err(ApiError::Internal(anyhow::anyhow!("rdv {} without organisation or motif", r.id)));
        };
        if let std::collections::hash_map::Entry::Vacant(slot) = toggles.entry(org.id) {
            slot.insert(user::toggles_for(conn, &[org.id])?);
        }
        let t = &toggles[&org.id];
        let zone = org.time_zone.as_str();
        let when = timing(Utc.from_utc_datetime(&r.starts_at), now, tz(zone));
        let user_dto = |u: &UserRow| u.to_dto(t, u.responsible_id.and_then(|id| users.get(&id)));
        let participations: Vec<dto::Participation> = parts
            .get(&r.id)
            .map(|list| {
                list.iter()
                    .filter_map(|p| {
                        let u = users.get(&p.user_id)?;
                        Some(dto::Participation {
                            id: p.id,
                            status: p.status(),
                            send_lifecycle_notifications: p.send_lifecycle_notifications,
                            send_reminder_notification: p.send_reminder_notification,
                            created_by: created_by(&p.created_by_type),
                            created_by_type: p.created_by_type.clone(),
                            created_by_id: p.created_by_id,
                            created_by_agent_prescripteur: false,
                            user: user_dto(u),
                            transitions: transitions(Target::Participation, p.status(), when),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        let lieu = r.lieu_id.and_then(|l| lieux.get(&l));
        let location = m.location();
        let address = match location {
            LocationType::PublicOffice => lieu.map(|l| l.address.clone()).unwrap_or_default(),
            LocationType::Home => {
                participations.iter().find_map(|p| p.user.address.clone().filter(|a| !a.is_empty())).unwrap_or_default()
            }
            _ => String::new(),
        };
        let target = if m.collectif { Target::Collective } else { Target::Individual };
        out.push(dto::Rdv {
            id: r.id,
            address,
            agents: agent_ids
                .get(&r.id)
                .map(|ids| ids.iter().filter_map(|a| agents.get(a)).map(|a| a.to_dto()).collect())
                .unwrap_or_default(),
            cancelled_at: r.cancelled_at.map(|c| in_zone(c, zone)),
            collectif: m.collectif,
            context: r.context.clone(),
            created_by: created_by(&r.created_by_type),
            created_by_id: r.created_by_id,
            created_by_type: r.created_by_type.clone(),
            created_at: in_zone(r.created_at, zone),
            duration_in_min: i32::try_from((r.ends_at - r.starts_at).num_minutes()).unwrap_or(0),
            ends_at: in_zone(r.ends_at, zone),
            lieu: lieu.map(|l| l.to_dto()),
            max_participants_count: r.max_participants_count,
            motif: m.to_dto(zone, m.motif_category_id.and_then(|c| categories.get(&c))),
            name: r.name.clone(),
            notify: r.notify,
            organisation: org.to_dto(),
            users: participations.iter().map(|p| p.user.clone()).collect(),
            participations,
            starts_at: in_zone(r.starts_at, zone),
            status: r.status(),
            time_zone: org.time_zone.clone(),
            transitions: transitions(target, r.status(), when),
            users_count: r.users_count,
            uuid: r.uuid.clone(),
        });
    }
    Ok(out)
}

/// Usagers by id, deleted ones included (an RDV keeps its anonymised participant).
fn load_users(conn: &mut DbConn, ids: &[i32]) -> ApiResult<HashMap<i32, UserRow>> {
    Ok(crate::db::models::user::find_many_with_deleted(conn, ids)?.into_iter().map(|u| (u.id, u)).collect())
}
