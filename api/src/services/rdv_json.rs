//! A page of RDVs written as JSON with each nested object serialised once (issue 19).
//!
//! In the reference's shape every RDV carries its organisation, motif, lieu, agents and usagers
//! in full, and each usager twice (`users` and `participations[].user`): in a week of 100 RDVs
//! the same organisation is written 100 times and the usagers are 238 KB of 421. Here each
//! distinct object is serialised once into a [`RawValue`] and its bytes are copied wherever it
//! appears. The output is byte for byte `serde_json::to_vec(&RdvsResponse { rdvs, meta })`:
//! `api/tests/rdv_pages.rs` compares both on the demo data, so a field added to `dto::Rdv` and
//! not here fails it.
//!
//! Objects are keyed by what their rendering depends on (`rdv_render`): an organisation, lieu or
//! agent by its id; a motif and a usager by their id and the RDV's organisation (the zone of the
//! motif's delays, the organisation's usager field settings).

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset};
use rdv_shared::dto::{Participation, Rdv};
use rdv_shared::enums::RdvStatus;
use rdv_shared::pagination::Meta;
use serde::Serialize;
use serde_json::value::{to_raw_value, RawValue};

/// `{"rdvs": [...], "meta": {...}}`, as the typed response would serialise.
pub fn rdvs_page(rdvs: &[Rdv], meta: &Meta) -> serde_json::Result<Vec<u8>> {
    let memo = Memo::of(rdvs)?;
    let out: Vec<RdvOut<'_>> = rdvs.iter().map(|r| RdvOut::new(r, &memo)).collect();
    let mut bytes = Vec::with_capacity(1024 + rdvs.len() * 2048);
    serde_json::to_writer(&mut bytes, &PageOut { rdvs: &out, meta })?;
    Ok(bytes)
}

#[derive(Default)]
struct Memo {
    organisations: HashMap<i32, Box<RawValue>>,
    motifs: HashMap<(i32, i32), Box<RawValue>>,
    lieux: HashMap<i32, Box<RawValue>>,
    agents: HashMap<i32, Box<RawValue>>,
    users: HashMap<(i32, i32), Box<RawValue>>,
}

fn once<K: std::hash::Hash + Eq, T: Serialize>(
    map: &mut HashMap<K, Box<RawValue>>,
    key: K,
    value: &T,
) -> serde_json::Result<()> {
    if let std::collections::hash_map::Entry::Vacant(slot) = map.entry(key) {
        slot.insert(to_raw_value(value)?);
    }
    Ok(())
}

impl Memo {
    fn of(rdvs: &[Rdv]) -> serde_json::Result<Memo> {
        let mut m = Memo::default();
        for r in rdvs {
            let org = r.organisation.id.0;
            once(&mut m.organisations, org, &r.organisation)?;
            once(&mut m.motifs, (r.motif.id, org), &r.motif)?;
            if let Some(l) = &r.lieu {
                once(&mut m.lieux, l.id, l)?;
            }
            for a in &r.agents {
                once(&mut m.agents, a.id.0, a)?;
            }
            for u in r.users.iter().chain(r.participations.iter().map(|p| &p.user)) {
                once(&mut m.users, (u.id.0, org), u)?;
            }
        }
        Ok(m)
    }
}

#[derive(Serialize)]
struct PageOut<'a> {
    rdvs: &'a [RdvOut<'a>],
    meta: &'a Meta,
}

/// `dto::Rdv`'s fields in its order, nested objects as their bytes.
#[derive(Serialize)]
struct RdvOut<'a> {
    id: i32,
    address: &'a str,
    agents: Vec<&'a RawValue>,
    cancelled_at: &'a Option<DateTime<FixedOffset>>,
    collectif: bool,
    context: &'a Option<String>,
    created_by: &'a str,
    created_by_id: Option<i32>,
    created_by_type: &'a str,
    created_at: &'a DateTime<FixedOffset>,
    duration_in_min: i32,
    ends_at: &'a DateTime<FixedOffset>,
    lieu: Option<&'a RawValue>,
    max_participants_count: Option<i32>,
    motif: &'a RawValue,
    name: &'a Option<String>,
    notify: bool,
    organisation: &'a RawValue,
    participations: Vec<ParticipationOut<'a>>,
    starts_at: &'a DateTime<FixedOffset>,
    status: RdvStatus,
    time_zone: &'a str,
    transitions: &'a [RdvStatus],
    users: Vec<&'a RawValue>,
    users_count: i32,
    uuid: &'a str,
}

/// `dto::Participation`'s fields in its order.
#[derive(Serialize)]
struct ParticipationOut<'a> {
    id: i32,
    status: RdvStatus,
    send_lifecycle_notifications: bool,
    send_reminder_notification: bool,
    created_by: &'a str,
    created_by_type: &'a str,
    created_by_id: Option<i32>,
    created_by_agent_prescripteur: bool,
    user: &'a RawValue,
    transitions: &'a [RdvStatus],
}

/// The memo holds every object of the page (`Memo::of` read the same RDVs); a miss would be a
/// bug, and writes JSON `null` rather than panicking.
fn raw<'a, K: std::hash::Hash + Eq>(map: &'a HashMap<K, Box<RawValue>>, key: &K) -> &'a RawValue {
    map.get(key).map_or(NULL, |b| &**b)
}

const NULL: &RawValue = RawValue::NULL;

impl<'a> RdvOut<'a> {
    fn new(r: &'a Rdv, m: &'a Memo) -> RdvOut<'a> {
        let org = r.organisation.id.0;
        let participation = |p: &'a Participation| ParticipationOut {
            id: p.id,
            status: p.status,
            send_lifecycle_notifications: p.send_lifecycle_notifications,
            send_reminder_notification: p.send_reminder_notification,
            created_by: &p.created_by,
            created_by_type: &p.created_by_type,
            created_by_id: p.created_by_id,
            created_by_agent_prescripteur: p.created_by_agent_prescripteur,
            user: raw(&m.users, &(p.user.id.0, org)),
            transitions: &p.transitions,
        };
        RdvOut {
            id: r.id,
            address: &r.address,
            agents: r.agents.iter().map(|a| raw(&m.agents, &a.id.0)).collect(),
            cancelled_at: &r.cancelled_at,
            collectif: r.collectif,
            context: &r.context,
            created_by: &r.created_by,
            created_by_id: r.created_by_id,
            created_by_type: &r.created_by_type,
            created_at: &r.created_at,
            duration_in_min: r.duration_in_min,
            ends_at: &r.ends_at,
            lieu: r.lieu.as_ref().map(|l| raw(&m.lieux, &l.id)),
            max_participants_count: r.max_participants_count,
            motif: raw(&m.motifs, &(r.motif.id, org)),
            name: &r.name,
            notify: r.notify,
            organisation: raw(&m.organisations, &org),
            participations: r.participations.iter().map(participation).collect(),
            starts_at: &r.starts_at,
            status: r.status,
            time_zone: &r.time_zone,
            transitions: &r.transitions,
            users: r.users.iter().map(|u| raw(&m.users, &(u.id.0, org))).collect(),
            users_count: r.users_count,
            uuid: &r.uuid,
        }
    }
}
