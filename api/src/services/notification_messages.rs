//! Turns the notices decided by `rdv_shared::notify` into outbox rows: loads what the messages
//! show (organisation, motif, lieu, agents, usagers), renders the texts from
//! `rdv_shared::notify::texts` and the calendar part, and enqueues one row per message.

use std::collections::HashMap;

use chrono::{NaiveDateTime, TimeZone, Utc};
use rdv_shared::enums::LocationType;
use rdv_shared::enums::VisibilityType;
use rdv_shared::notify::texts::{self, Place, RdvFacts};
use rdv_shared::notify::{is_mobile, Channel, Contact, NotifEvent, Silence, UsagerNotice};
use rdv_shared::time::in_zone;

use crate::config::Config;
use crate::db::models::agent::{agents_by_id, AgentRow};
use crate::db::models::motif::MotifRow;
use crate::db::models::organisation::OrganisationRow;
use crate::db::models::rdv::RdvRow;
use crate::db::models::user::UserRow;
use crate::db::models::{lieu, motif, organisation, rdv, service, user};
use crate::db::DbConn;
use crate::outbox::ics::{calendar, IcsEvent};
use crate::outbox::{enqueue_mail, enqueue_sms, IcsPart, MailPayload, SmsPayload, Subject};
use crate::services::agenda::tz;
use crate::services::rdv_links;

/// An RDV with everything its messages show.
pub struct Loaded {
    pub rdv: RdvRow,
    pub organisation: OrganisationRow,
    pub motif: MotifRow,
    pub agents: Vec<AgentRow>,
    /// Participants and their responsibles.
    pub users: HashMap<i32, UserRow>,
    pub participant_ids: Vec<i32>,
    pub facts: RdvFacts,
}

fn short_name(a: &AgentRow) -> String {
    match a.first_name.as_deref().and_then(|f| f.chars().next()) {
        Some(initial) => format!("{initial}. {}", a.last_name),
        None => a.last_name.clone(),
    }
}

fn full_name(u: &UserRow) -> String {
    format!("{} {}", u.first_name, u.last_name)
}

/// Loads the RDV's facts; `user_ids`: the participants (their responsibles are loaded too).
pub fn load(conn: &mut DbConn, rdv: RdvRow, user_ids: &[i32]) -> diesel::QueryResult<Option<Loaded>> {
    let (Some(organisation), Some(motif)) =
        (organisation::find(conn, rdv.organisation_id)?, motif::find(conn, rdv.motif_id)?)
    else {
        return Ok(None);
    };
    let service = service::all(conn)?.into_iter().find(|s| s.id == motif.service_id);
    let agent_ids = rdv::agents_of(conn, &[rdv.id])?.remove(&rdv.id).unwrap_or_default();
    let mut agents: Vec<AgentRow> = agents_by_id(conn, &agent_ids)?.into_values().collect();
    agents.sort_by_key(|a| a.id);
    let mut users: HashMap<i32, UserRow> = user::find_many(conn, user_ids)?.into_iter().map(|u| (u.id, u)).collect();
    let responsibles: Vec<i32> =
        users.values().filter_map(|u| u.responsible_id).filter(|r| !users.contains_key(r)).collect();
    users.extend(user::find_many(conn, &responsibles)?.into_iter().map(|u| (u.id, u)));
    let lieu = match rdv.lieu_id {
        Some(id) => lieu::find(conn, id)?,
        None => None,
    };
    let place = match LocationType::parse(&motif.location_type) {
        Some(LocationType::Phone) => Place::Phone,
        Some(LocationType::Visio) => Place::Visio,
        Some(LocationType::Home) => {
            Place::Home { address: user_ids.iter().filter_map(|id| users.get(id)).find_map(|u| u.address.clone()) }
        }
        _ => match &lieu {
            Some(l) => Place::Lieu { name: l.name.clone(), address: l.address.clone() },
            None => Place::Lieu { name: organisation.name.clone(), address: String::new() },
        },
    };
    let facts = RdvFacts {
        service_short_name: service.map(|s| s.short_name).unwrap_or_default(),
        motif_name: motif.name.clone(),
        name: rdv.name.clone(),
        starts_local: in_zone(rdv.starts_at, &organisation.time_zone).naive_local(),
        previous_starts_local: None,
        duration_in_min: (rdv.ends_at - rdv.starts_at).num_minutes(),
        place,
        organisation_name: organisation.name.clone(),
        organisation_phone: organisation.phone_number.clone(),
        instructions: motif.instruction_for_rdv.clone(),
        agents: agents.iter().map(short_name).collect(),
        follow_up: motif.follow_up,
        offered_local: None,
    };
    Ok(Some(Loaded { rdv, organisation, motif, agents, users, participant_ids: user_ids.to_vec(), facts }))
}

impl Loaded {
    /// A UTC instant in the organisation's zone.
    pub fn local(&self, t: NaiveDateTime) -> NaiveDateTime {
        in_zone(t, &self.organisation.time_zone).naive_local()
    }

    /// What silences every usager message about this RDV at `now`.
    pub fn silence(&self, now: NaiveDateTime) -> Silence {
        Silence {
            past: self.rdv.starts_at <= now,
            do_not_notify: !self.rdv.notify,
            invisible: self.motif.visibility_type == VisibilityType::Invisible.as_str(),
        }
    }

    /// Contact facts of the loaded usagers, for the rules.
    pub fn contacts(&self) -> Vec<Contact> {
        self.users
            .values()
            .map(|u| Contact {
                user_id: u.id,
                responsible_id: u.responsible_id,
                has_email: u.email.as_deref().is_some_and(|e| !e.trim().is_empty()),
                notify_by_email: u.notify_by_email,
                has_mobile: u.phone_number_formatted.as_deref().is_some_and(is_mobile),
                notify_by_sms: u.notify_by_sms,
            })
            .collect()
    }

    fn about(&self, user_id: Option<i32>, agent_id: Option<i32>) -> Subject {
        Subject { organisation_id: Some(self.organisation.id), rdv_id: Some(self.rdv.id), user_id, agent_id }
    }

    /// Replies reach a person: the organisation's address, else the configured service mailbox
    /// (`RDV_MAIL_REPLY_TO`), else the RDV's first agent (seed 002).
    fn reply_to(&self, config: &Config) -> Option<String> {
        self.organisation
            .email
            .clone()
            .filter(|e| !e.trim().is_empty())
            .or_else(|| config.delivery.reply_to.clone())
            .or_else(|| self.agents.iter().find_map(|a| a.email.clone()))
    }

    fn ics(&self, config: &Config, method: &str, description: &str, now: NaiveDateTime) -> IcsPart {
        let attendees: Vec<(String, String)> = if method == "PUBLISH" {
            Vec::new()
        } else {
            self.agents.iter().filter_map(|a| a.email.clone().map(|e| (short_name(a), e))).collect()
        };
        let location = match &self.facts.place {
            Place::Lieu { name, address } => Some(format!("{name}, {address}")),
            Place::Home { address } => address.clone(),
            Place::Phone | Place::Visio => None,
        };
        let organizer = config.mail_from.rsplit('<').next().unwrap_or(&config.mail_from).trim_end_matches('>');
        let summary =
            format!("RDV {} — {}", self.facts.service_short_name, self.rdv.name.as_deref().unwrap_or(&self.motif.name));
        let content = calendar(&IcsEvent {
            uid: &self.rdv.uuid,
            method,
            sequence: u32::try_from((self.rdv.updated_at - self.rdv.created_at).num_seconds().max(0)).unwrap_or(0),
            summary: &summary,
            description,
            location: location.as_deref(),
            starts_local: self.local(self.rdv.starts_at),
            ends_local: self.local(self.rdv.ends_at),
            tz: tz(&self.organisation.time_zone),
            organizer,
            attendees: &attendees,
            stamp: Utc.from_utc_datetime(&now),
            rrule: None,
        });
        IcsPart { method: method.to_owned(), content }
    }

    /// Enqueues the usager messages; `key` prefixes every idempotency key of this change.
    pub fn enqueue_usager(
        &self,
        conn: &mut DbConn,
        config: &Config,
        notices: &[UsagerNotice],
        key: &str,
        now: NaiveDateTime,
    ) -> diesel::QueryResult<usize> {
        let mut n = 0;
        // One link per recipient and change, shared by their email and SMS.
        let mut links: HashMap<i32, String> = HashMap::new();
        for notice in notices {
            let Some(to) = self.users.get(&notice.to) else { continue };
            let link = if notice.event == NotifEvent::Cancelled {
                format!("{}/prendre-rdv", config.public_url)
            } else {
                let token = match links.get(&notice.to) {
                    Some(t) => t.clone(),
                    None => {
                        let t = rdv_links::issue(conn, self.rdv.id, notice.to, now)?;
                        links.insert(notice.to, t.clone());
                        t
                    }
                };
                // The waiting list's message opens the page on the slots to move to.
                let modify = if notice.event == NotifEvent::NewCreneau { "?modifier=1" } else { "" };
                format!("{}/r/{token}{modify}", config.public_url)
            };
            let names: Vec<String> =
                notice.for_users.iter().filter_map(|id| self.users.get(id)).map(full_name).collect();
            let about = self.about(Some(notice.to), None);
            let event = notice.event.as_str();
            let message_key = format!("{key}:u{}:{}", notice.to, notice.channel.as_str());
            match notice.channel {
                Channel::Mail => {
                    let Some(address) = to.email.as_deref() else { continue };
                    let text = texts::usager_body(notice.event, &self.facts, &names, Some(&link));
                    let method = if notice.event == NotifEvent::Cancelled { "CANCEL" } else { "PUBLISH" };
                    let mail = MailPayload {
                        from: config.mail_from.clone(),
                        reply_to: self.reply_to(config),
                        subject: texts::usager_subject(notice.event, &self.facts),
                        html: Some(texts::html_of(&text)),
                        // An offer is not a change of the RDV: no calendar part.
                        ics: (notice.event != NotifEvent::NewCreneau).then(|| self.ics(config, method, &text, now)),
                        text,
                    };
                    n += enqueue_mail(conn, event, message_key, about, address, &mail)?;
                }
                Channel::Sms => {
                    let Some(phone) = to.phone_number_formatted.as_deref() else { continue };
                    let relatives: Vec<String> = notice
                        .for_users
                        .iter()
                        .filter(|id| **id != notice.to)
                        .filter_map(|id| self.users.get(id))
                        .map(full_name)
                        .collect();
                    let sms = SmsPayload {
                        content: texts::sms(notice.event, &self.facts, &relatives, Some(&link)),
                        territory_id: Some(self.organisation.territory_id),
                    };
                    n += enqueue_sms(conn, event, message_key, about, phone, &sms)?;
                }
            }
        }
        Ok(n)
    }

    /// Enqueues the agent emails (with the calendar as a REQUEST, every agent an attendee).
    pub fn enqueue_agents(
        &self,
        conn: &mut DbConn,
        config: &Config,
        notices: &[(i32, NotifEvent)],
        removed: &[AgentRow],
        key: &str,
        now: NaiveDateTime,
    ) -> diesel::QueryResult<usize> {
        let mut n = 0;
        let usagers: Vec<String> =
            self.participant_ids.iter().filter_map(|id| self.users.get(id)).map(full_name).collect();
        let link = format!("{}/rdvs/{}", config.public_url, self.rdv.id);
        for (agent_id, event) in notices {
            let Some(agent) = self.agents.iter().chain(removed).find(|a| a.id == *agent_id) else { continue };
            let Some(address) = agent.email.as_deref() else { continue };
            let text = texts::agent_body(*event, &self.facts, &usagers, &link);
            let method = if *event == NotifEvent::Cancelled { "CANCEL" } else { "REQUEST" };
            let mail = MailPayload {
                from: config.mail_from.clone(),
                reply_to: None,
                subject: texts::agent_subject(*event, &self.facts),
                html: Some(texts::html_of(&text)),
                ics: Some(self.ics(config, method, &text, now)),
                text,
            };
            let message_key = format!("{key}:a{agent_id}:mail");
            n += enqueue_mail(conn, event.as_str(), message_key, self.about(None, Some(*agent_id)), address, &mail)?;
        }
        Ok(n)
    }
}
