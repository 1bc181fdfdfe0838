//! The public booking search, no account (reference-domain.md §8.2–8.3, issue 7): an address
//! (INSEE code, or a typed address through the BAN geocoder) → the motifs bookable online there
//! after sectorisation → the lieux with their next availability (by distance when coordinates
//! are known, else by date) → the slots of one motif at one lieu, one per start. The same
//! `Offered` motifs feed the public booking (`services::booking`) and the sectorisation test.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Duration, TimeZone, Utc};
use rdv_shared::booking::{booking_window, seats_left};
use rdv_shared::creneaux::distance_km;
use rdv_shared::dto::{
    PublicCreneau, PublicCreneauxResponse, PublicLieu, PublicLieuxResponse, PublicMotif, PublicMotifsResponse,
    PublicPlace,
};
use rdv_shared::enums::{BookableBy, SectorisationLevel};
use rdv_shared::invitation::{invited_agents, offered_to, Audience};
use rdv_shared::sectorisation::{bookable_agents, sectors_of, Place};
use rdv_shared::slots::dedupe_public;
use serde::Deserialize;

use crate::db::models::motif::MotifRow;
use crate::db::models::organisation::OrganisationRow;
use crate::db::models::plage::PlageRow;
use crate::db::models::rdv::RdvRow;
use crate::db::models::{lieu, motif, organisation, sector};
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};
use crate::services::agenda::tz;
use crate::services::creneaux::window;
pub use crate::services::invited_search::SearchFilters;
use crate::services::slot_search;
use crate::services::slot_search::{Scope, Target};
use crate::state::AppState;

/// The longest window of one public slot request.
const MAX_WINDOW_DAYS: i64 = 14;

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlaceQuery {
    /// INSEE code of the usager's city (enough on its own).
    pub city_code: Option<String>,
    /// BAN id of the usager's street, for street-level sectors.
    pub street_ban_id: Option<String>,
    /// A typed address, geocoded when no `city_code` is given.
    pub address: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

/// The address as the search needs it.
pub async fn resolve(state: &AppState, q: &PlaceQuery) -> ApiResult<(Place, PublicPlace)> {
    let coords = |p: &Place, label: Option<String>, lat: Option<f64>, lon: Option<f64>| PublicPlace {
        departement: p.departement.clone(),
        city_code: p.city_code.clone(),
        street_ban_id: p.street_ban_id.clone(),
        label,
        latitude: lat,
        longitude: lon,
    };
    if let Some(code) = q.city_code.as_deref().filter(|c| !c.trim().is_empty()) {
        let p = Place::from_codes(code, q.street_ban_id.as_deref())
            .ok_or_else(|| ApiError::field("city_code", "invalid"))?;
        let public = coords(&p, None, q.latitude, q.longitude);
        return Ok((p, public));
    }
    let Some(address) = q.address.as_deref().map(str::trim).filter(|a| a.len() >= 3) else {
        return Err(ApiError::field("city_code", "blank"));
    };
    let Some(base) = state.config.geocoder_url.as_deref() else {
        return Err(ApiError::field_message(
            "address",
            "unavailable",
            "La recherche par adresse n'est pas disponible : indiquez le code INSEE de la commune.".into(),
        ));
    };
    let found = crate::geocoder::geocode(&state.http, base, address).await.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "geocoder failed");
        None
    });
    let g = found.ok_or_else(|| {
        ApiError::field_message("address", "not_found", "Adresse introuvable : précisez la commune.".into())
    })?;
    let p = Place::from_codes(&g.city_code, g.street_ban_id.as_deref())
        .ok_or_else(|| ApiError::field("address", "not_found"))?;
    let public = coords(&p, Some(g.label), Some(g.latitude), Some(g.longitude));
    Ok((p, public))
}

/// A motif bookable online at the address, with its organisation and, when sectorised at agent
/// level, the only agents who may be booked.
#[derive(Clone)]
pub struct Offered {
    pub motif: MotifRow,
    pub organisation: OrganisationRow,
    pub service_name: String,
    pub agents: Option<Vec<i32>>,
    pub departement: String,
    /// An invitation restricted to one lieu.
    pub only_lieu: Option<i32>,
}

impl Offered {
    pub fn target(&self) -> Target {
        Target {
            motif: self.motif.clone(),
            zone: tz(&self.organisation.time_zone),
            departement: self.departement.clone(),
        }
    }
    /// Who the public may book for this motif (the sectorisation's agents), at `lieu_id` when
    /// given, within the motif's booking delays.
    pub fn public_scope(&self, lieu_id: Option<i32>) -> Scope {
        Scope { agent_ids: self.agents.clone(), lieu_ids: self.lieux(lieu_id), public: true }
    }

    /// The lieux to search: the one asked, within the invitation's lieu if it names one (a
    /// different one: none).
    pub fn lieux(&self, lieu_id: Option<i32>) -> Option<Vec<i32>> {
        match (lieu_id, self.only_lieu) {
            (Some(a), Some(b)) if a != b => Some(Vec::new()),
            (a, b) => a.or(b).map(|l| vec![l]),
        }
    }

    pub fn key(&self) -> String {
        motif_key(&self.motif)
    }
}

/// `<folded name>-<location type>`: identical motifs of several organisations are one choice.
pub fn motif_key(m: &MotifRow) -> String {
    let name: String =
        rdv_shared::usager::fold(&m.name).chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    format!("{name}-{}", m.location_type)
}

/// The motifs offered at the address (reference §8.3): bookable by everyone, or for an invited
/// usager also by invited usagers (`shared::invitation`), within the filters' organisations,
/// after sectorisation; four queries,
/// whatever the number of organisations. For collective motifs the "slots" are their sessions
/// with seats ([`public_sessions`]). An invitation without an address, or whose organisations
/// offer nothing at it, falls back to its organisations without sectorisation (as the
/// reference's invitation search).
pub fn offer(conn: &mut DbConn, place: Option<&Place>, inv: Option<&SearchFilters>) -> ApiResult<Vec<Offered>> {
    let sectorised = match place {
        Some(p) => {
            let orgs = organisation::of_departement(conn, &p.departement)?;
            offer_in(conn, orgs, Some(p), inv)?
        }
        None => Vec::new(),
    };
    match inv {
        Some(i) if i.invited.is_some() && sectorised.is_empty() && !i.organisation_ids.is_empty() => {
            let orgs = organisation::with_departements(conn, &i.organisation_ids)?;
            offer_in(conn, orgs, None, inv)
        }
        _ => Ok(sectorised),
    }
}

fn offer_in(
    conn: &mut DbConn,
    orgs: Vec<(OrganisationRow, String)>,
    place: Option<&Place>,
    inv: Option<&SearchFilters>,
) -> ApiResult<Vec<Offered>> {
    let audience = if inv.is_some_and(|i| i.invited.is_some()) { Audience::Invited } else { Audience::Public };
    let orgs: Vec<_> = orgs
        .into_iter()
        .filter(|(o, _)| inv.is_none_or(|i| i.organisation_ids.is_empty() || i.organisation_ids.contains(&o.id)))
        .collect();
    let org_ids: Vec<i32> = orgs.iter().map(|(o, _)| o.id).collect();
    let kinds: Vec<&str> = BookableBy::ALL
        .iter()
        .filter(|b| offered_to(**b, false, audience) || offered_to(**b, true, audience))
        .map(|b| b.as_str())
        .collect();
    let rows = motif::bookable_by(conn, &org_ids, &kinds)?;
    let category = match inv.and_then(|i| i.motif_category.as_deref()) {
        Some(short) => Some(motif::categories(conn)?.into_iter().find(|c| c.short_name == short).map(|c| c.id)),
        None => None,
    };
    let matching = match place {
        Some(p) => {
            let (zones, attributions) = sector::for_city(conn, &p.city_code)?;
            let sectors = sectors_of(&zones, p);
            Some(attributions.into_iter().filter(|a| sectors.contains(&a.sector_id)).collect::<Vec<_>>())
        }
        None => None,
    };
    let by_org: HashMap<i32, &(OrganisationRow, String)> = orgs.iter().map(|o| (o.0.id, o)).collect();
    Ok(rows
        .into_iter()
        .filter_map(|(m, service_name)| {
            let by = BookableBy::parse(&m.bookable_by).unwrap_or(BookableBy::Agents);
            // An unknown category (`Some(None)`) offers nothing, not the motifs without one.
            if !offered_to(by, m.follow_up, audience)
                || category.is_some_and(|c| c.is_none() || m.motif_category_id != c)
            {
                return None;
            }
            let level = SectorisationLevel::parse(&m.sectorisation_level).unwrap_or(SectorisationLevel::Departement);
            let sectorised = matching.as_ref().and_then(|list| bookable_agents(level, m.organisation_id, list));
            let agents = match inv {
                Some(i) if i.invited.is_some() => {
                    invited_agents(sectorised, &i.referent_ids, m.follow_up, &i.usager_referents)
                }
                _ => sectorised,
            };
            if agents.as_ref().is_some_and(Vec::is_empty) {
                return None;
            }
            let (org, dep) = by_org.get(&m.organisation_id)?;
            let only_lieu = inv.and_then(|i| i.lieu_id);
            Some(Offered {
                motif: m,
                organisation: org.clone(),
                service_name,
                agents,
                departement: dep.clone(),
                only_lieu,
            })
        })
        .collect())
}

/// Plages of the offered motifs over `[from, to)` (one query), keeping only the agents the
/// sectorisation allows for each motif.
fn plages_of(
    conn: &mut DbConn,
    offered: &[Offered],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> ApiResult<Vec<(i32, PlageRow)>> {
    let ids: Vec<i32> = offered.iter().map(|o| o.motif.id).collect();
    let allowed: HashMap<i32, &Option<Vec<i32>>> = offered.iter().map(|o| (o.motif.id, &o.agents)).collect();
    let lieu_of: HashMap<i32, Option<i32>> = offered.iter().map(|o| (o.motif.id, o.only_lieu)).collect();
    Ok(slot_search::plages_of_motifs(conn, &ids, &Scope::default(), from, to)?
        .into_iter()
        .filter(|(m, p)| allowed.get(m).is_some_and(|a| a.as_ref().is_none_or(|list| list.contains(&p.agent_id))))
        .filter(|(m, p)| lieu_of.get(m).is_some_and(|only| only.is_none_or(|l| p.lieu_id == Some(l))))
        .collect())
}

/// Sessions of a collective motif with seats left, starting in `[from, to)` within the public
/// booking window, at the lieu when given, run by an agent the sectorisation allows.
pub fn public_sessions(
    conn: &mut DbConn,
    o: &Offered,
    lieu_id: Option<i32>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
) -> ApiResult<Vec<RdvRow>> {
    let m = &o.motif;
    let (not_before, not_after) = booking_window(now, true, m.min_public_booking_delay, m.max_public_booking_delay);
    let (from, to) = (from.max(not_before), not_after.map_or(to, |end| to.min(end)));
    if from >= to {
        return Ok(Vec::new());
    }
    let scope = Scope { lieu_ids: o.lieux(lieu_id), ..Scope::default() };
    let rows = slot_search::collective_sessions(conn, &[m.id], &scope, from, to)?;
    let Some(allowed) = &o.agents else { return Ok(rows) };
    let agents = crate::db::models::rdv::agents_of(conn, &rows.iter().map(|r| r.id).collect::<Vec<_>>())?;
    Ok(rows
        .into_iter()
        .filter(|r| agents.get(&r.id).is_some_and(|list| list.iter().any(|a| allowed.contains(a))))
        .collect())
}

/// The motifs bookable online at an address that have a plage or a session still to come,
/// identical motifs of several organisations as one choice.
pub fn motifs_at(
    conn: &mut DbConn,
    place: Option<&Place>,
    inv: Option<&SearchFilters>,
    public: PublicPlace,
    now: DateTime<Utc>,
) -> ApiResult<PublicMotifsResponse> {
    let offered = offer(conn, place, inv)?;
    // Only motifs with a plage still to come.
    let plages =
        plages_of(conn, &offered, now, now + Duration::days(rdv_shared::booking::NEXT_AVAILABILITY_HORIZON_DAYS))?;
    let mut with_plages: BTreeSet<i32> = plages.iter().map(|(m, _)| *m).collect();
    let horizon = now + Duration::days(rdv_shared::booking::NEXT_AVAILABILITY_HORIZON_DAYS);
    for o in offered.iter().filter(|o| o.motif.collectif) {
        if !public_sessions(conn, o, None, now, horizon, now)?.is_empty() {
            with_plages.insert(o.motif.id);
        }
    }
    let mut seen = BTreeMap::new();
    for o in offered.iter().filter(|o| with_plages.contains(&o.motif.id)) {
        seen.entry(o.key()).or_insert_with(|| PublicMotif {
            key: o.key(),
            name: o.motif.name.clone(),
            location_type: o.motif.location(),
            service_name: o.service_name.clone(),
            collectif: o.motif.collectif,
            restriction_for_rdv: o.motif.restriction_for_rdv.clone(),
        });
    }
    let mut motifs: Vec<PublicMotif> = seen.into_values().collect();
    motifs.sort_by(|a, b| (&a.service_name, &a.name).cmp(&(&b.service_name, &b.name)));
    Ok(PublicMotifsResponse { place: public, motifs })
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LieuxQuery {
    /// A `key` from `/public/motifs`.
    pub motif_key: String,
}

/// Lieux (or organisations, for motifs without lieu) offering the motif `key` at an address,
/// with their next availability: sorted by distance when coordinates are known, else by date.
pub fn lieux_at(
    conn: &mut DbConn,
    (place, inv): (Option<&Place>, Option<&SearchFilters>),
    public: PublicPlace,
    key: &str,
    now: DateTime<Utc>,
) -> ApiResult<PublicLieuxResponse> {
    let offered: Vec<Offered> = offer(conn, place, inv)?.into_iter().filter(|o| o.key() == key).collect();
    let horizon = now + Duration::days(rdv_shared::booking::NEXT_AVAILABILITY_HORIZON_DAYS);
    let plages = plages_of(conn, &offered, now, horizon)?;
    let public_scope = Scope { public: true, ..Scope::default() };
    let mut out = Vec::new();
    // On-site motifs: one scan over every lieu of every organisation at once.
    let on_site: Vec<&Offered> = offered.iter().filter(|o| o.motif.needs_lieu() && !o.motif.collectif).collect();
    let targets: Vec<Target> = on_site.iter().map(|o| o.target()).collect();
    let lieu_ids: BTreeSet<Option<i32>> =
        plages.iter().filter(|(m, _)| on_site.iter().any(|o| o.motif.id == *m)).map(|(_, p)| p.lieu_id).collect();
    let next = slot_search::next_availability(conn, &targets, &plages, &public_scope, now, &lieu_ids, now)?;
    let rows = lieu::points(conn, &lieu_ids.iter().flatten().copied().collect::<Vec<_>>())?;
    for (id, name, address, lat, lon) in rows {
        let Some((motif_id, org)) = plages
            .iter()
            .find(|(_, p)| p.lieu_id == Some(id))
            .and_then(|(m, _)| on_site.iter().find(|o| o.motif.id == *m).map(|o| (*m, o.organisation.clone())))
        else {
            continue;
        };
        let distance_km = distance_km(&public, lat, lon);
        let zone = tz(&org.time_zone);
        out.push(PublicLieu {
            lieu_id: Some(id),
            name,
            address,
            organisation_name: org.name.clone(),
            motif_id,
            next_availability: next.get(&Some(id)).map(|t| t.with_timezone(&zone).fixed_offset()),
            distance_km,
        });
    }
    // Collective motifs: the lieux of their sessions with seats, the first session first.
    for o in offered.iter().filter(|o| o.motif.collectif) {
        let mut firsts: BTreeMap<Option<i32>, DateTime<Utc>> = BTreeMap::new();
        for r in public_sessions(conn, o, None, now, horizon, now)? {
            firsts.entry(r.lieu_id).or_insert_with(|| Utc.from_utc_datetime(&r.starts_at));
        }
        let zone = tz(&o.organisation.time_zone);
        let points = lieu::points(conn, &firsts.keys().flatten().copied().collect::<Vec<_>>())?;
        for (lieu, first) in firsts {
            let point = lieu.and_then(|id| points.iter().find(|p| p.0 == id));
            out.push(PublicLieu {
                lieu_id: lieu,
                name: point.map_or_else(|| o.organisation.name.clone(), |p| p.1.clone()),
                address: point.map(|p| p.2.clone()).unwrap_or_default(),
                organisation_name: o.organisation.name.clone(),
                motif_id: o.motif.id,
                next_availability: Some(first.with_timezone(&zone).fixed_offset()),
                distance_km: distance_km(&public, point.and_then(|p| p.3), point.and_then(|p| p.4)),
            });
        }
    }
    // Other motifs (phone, home, visio): one entry per organisation.
    for o in offered.iter().filter(|o| !o.motif.needs_lieu() && !o.motif.collectif) {
        let own: Vec<(i32, PlageRow)> = plages.iter().filter(|(m, _)| *m == o.motif.id).cloned().collect();
        if own.is_empty() {
            continue;
        }
        let t = [o.target()];
        let n = slot_search::next_availability(conn, &t, &own, &public_scope, now, &BTreeSet::from([None]), now)?;
        out.push(PublicLieu {
            lieu_id: None,
            name: o.organisation.name.clone(),
            address: String::new(),
            organisation_name: o.organisation.name.clone(),
            motif_id: o.motif.id,
            next_availability: n.get(&None).map(|x| x.with_timezone(&t[0].zone).fixed_offset()),
            distance_km: None,
        });
    }
    if public.latitude.is_some() {
        out.sort_by(|a, b| a.distance_km.unwrap_or(f64::MAX).total_cmp(&b.distance_km.unwrap_or(f64::MAX)));
    } else {
        out.sort_by_key(|l| (l.next_availability.is_none(), l.next_availability));
    }
    Ok(PublicLieuxResponse { place: public, lieux: out })
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublicCreneauxQuery {
    pub motif_id: i32,
    pub lieu_id: Option<i32>,
    /// A date (local midnight) or RFC 3339.
    pub from: String,
    /// At most 14 days after `from`; a bare date includes that day.
    pub to: String,
}

/// The offered motif `motif_id` at the address, else 404.
pub fn offered_motif(
    conn: &mut DbConn,
    place: Option<&Place>,
    inv: Option<&SearchFilters>,
    motif_id: i32,
) -> ApiResult<Offered> {
    offer(conn, place, inv)?.into_iter().find(|o| o.motif.id == motif_id).ok_or(ApiError::NotFound("motif"))
}

/// An RDV's motif as its usager may book it again from their link (rescheduling, waiting
/// list): the same organisation, any agent of the motif (the usager's address was checked
/// when the RDV was booked, and an agent may have booked it outside the sectorisation).
pub fn offered_again(conn: &mut DbConn, r: &RdvRow) -> ApiResult<Offered> {
    let motif = motif::find(conn, r.motif_id)?.ok_or(ApiError::NotFound("rdv"))?;
    let organisation = organisation::find(conn, r.organisation_id)?.ok_or(ApiError::NotFound("rdv"))?;
    let departement = crate::db::models::territory::find(conn, organisation.territory_id)?
        .map(|t| t.departement_number)
        .unwrap_or_default();
    Ok(Offered { motif, organisation, service_name: String::new(), agents: None, departement, only_lieu: None })
}

/// Public slots of a motif at a lieu, per start (the agent is chosen at booking), within the
/// motif's booking delays.
pub fn public_slots(
    conn: &mut DbConn,
    o: &Offered,
    lieu_id: Option<i32>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
) -> ApiResult<Vec<rdv_shared::slots::Slot>> {
    let scope = o.public_scope(lieu_id);
    let plages = slot_search::plages_of_motifs(conn, &[o.motif.id], &scope, from, to)?;
    let slots: Vec<_> = slot_search::slots_between(conn, &[o.target()], &plages, &scope, from, to, now)?
        .into_iter()
        .map(|f| f.slot)
        .collect();
    Ok(dedupe_public(&slots))
}

/// Free slots of one motif at one lieu for the public (sessions with seats for collective
/// motifs), with the next availability after the window when it has none.
pub fn creneaux_at(
    conn: &mut DbConn,
    (place, inv): (Option<&Place>, Option<&SearchFilters>),
    w: &PublicCreneauxQuery,
    now: DateTime<Utc>,
) -> ApiResult<PublicCreneauxResponse> {
    let o = offered_motif(conn, place, inv, w.motif_id)?;
    let zone = tz(&o.organisation.time_zone);
    let (from, to) = window(&w.from, &w.to, zone, MAX_WINDOW_DAYS)?;
    let lieu_id = w.lieu_id.filter(|_| o.motif.needs_lieu() || o.motif.collectif);
    if o.motif.collectif {
        return session_creneaux(conn, &o, lieu_id, from, to, now);
    }
    slot_creneaux(conn, &o, lieu_id, from, to, now)
}

/// The public slots of an individual motif over `[from, to)`, one per start, with the next
/// availability after the window when it has none.
pub fn slot_creneaux(
    conn: &mut DbConn,
    o: &Offered,
    lieu_id: Option<i32>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
) -> ApiResult<PublicCreneauxResponse> {
    let zone = tz(&o.organisation.time_zone);
    let slots = public_slots(conn, o, lieu_id, from, to, now)?;
    let next_availability = match slots.first() {
        Some(s) => Some(s.starts_at),
        None => {
            let scope = o.public_scope(lieu_id);
            let plages =
                slot_search::plages_of_motifs(conn, &[o.motif.id], &scope, to, slot_search::horizon_end(to, to, now))?;
            let wanted = BTreeSet::from([lieu_id]);
            slot_search::next_availability(conn, &[o.target()], &plages, &scope, to, &wanted, now)?
                .get(&lieu_id)
                .copied()
        }
    };
    Ok(PublicCreneauxResponse {
        motif_id: o.motif.id,
        motif_name: o.motif.name.clone(),
        lieu_id,
        time_zone: o.organisation.time_zone.clone(),
        creneaux: slots
            .iter()
            .map(|s| PublicCreneau {
                starts_at: s.starts_at.with_timezone(&zone).fixed_offset(),
                ends_at: s.ends_at.with_timezone(&zone).fixed_offset(),
                rdv_id: None,
                seats_left: None,
            })
            .collect(),
        next_availability: next_availability.map(|t| t.with_timezone(&zone).fixed_offset()),
    })
}

/// A collective motif's sessions with seats in the window; when there are none, the first one
/// later (up to the horizon) as the next availability.
fn session_creneaux(
    conn: &mut DbConn,
    o: &Offered,
    lieu_id: Option<i32>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
) -> ApiResult<PublicCreneauxResponse> {
    let zone = tz(&o.organisation.time_zone);
    let at = |t: &chrono::NaiveDateTime| Utc.from_utc_datetime(t).with_timezone(&zone).fixed_offset();
    let sessions = public_sessions(conn, o, lieu_id, from, to, now)?;
    let next = match sessions.first() {
        Some(r) => Some(at(&r.starts_at)),
        None => {
            let horizon = now + Duration::days(rdv_shared::booking::NEXT_AVAILABILITY_HORIZON_DAYS);
            public_sessions(conn, o, lieu_id, to, horizon, now)?.first().map(|r| at(&r.starts_at))
        }
    };
    Ok(PublicCreneauxResponse {
        motif_id: o.motif.id,
        motif_name: o.motif.name.clone(),
        lieu_id,
        time_zone: o.organisation.time_zone.clone(),
        creneaux: sessions
            .iter()
            .map(|r| PublicCreneau {
                starts_at: at(&r.starts_at),
                ends_at: at(&r.ends_at),
                rdv_id: Some(r.id),
                seats_left: seats_left(r.users_count, r.max_participants_count),
            })
            .collect(),
        next_availability: next,
    })
}

/// Is there at least one slot (or a session with a seat) to book among `offered`, from now to
/// the next-availability horizon? rdv-insertion asks before inviting a usager (I1).
pub fn has_creneau(conn: &mut DbConn, offered: &[Offered], now: DateTime<Utc>) -> ApiResult<bool> {
    let horizon = now + Duration::days(rdv_shared::booking::NEXT_AVAILABILITY_HORIZON_DAYS);
    for o in offered.iter().filter(|o| o.motif.collectif) {
        if !public_sessions(conn, o, None, now, horizon, now)?.is_empty() {
            return Ok(true);
        }
    }
    let owned: Vec<Offered> = offered.iter().filter(|o| !o.motif.collectif).cloned().collect();
    let plages = plages_of(conn, &owned, now, horizon)?;
    if plages.is_empty() {
        return Ok(false);
    }
    let targets: Vec<Target> = owned.iter().map(Offered::target).collect();
    let by_motif: HashMap<i32, &Target> = targets.iter().map(|t| (t.motif.id, t)).collect();
    let wanted: BTreeSet<Option<i32>> = plages
        .iter()
        .map(|(m, p)| if by_motif.get(m).is_some_and(|t| t.needs_lieu()) { p.lieu_id } else { None })
        .collect();
    let scope = Scope { public: true, ..Scope::default() };
    Ok(!slot_search::next_availability(conn, &targets, &plages, &scope, now, &wanted, now)?.is_empty())
}
