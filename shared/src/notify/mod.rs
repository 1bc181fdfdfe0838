//! Who is told what about an RDV (reference-domain.md §4.3–4.4). Pure rules: the server loads
//! the facts, these functions decide, the outbox only delivers what they return.
//!
//! - [`rdv_event`]: which event an RDV change is (created, changed, cancelled, or nothing).
//! - [`usager_events`]: per usager, taking collective participants added or removed into account.
//! - [`usager_notices`]: per recipient and channel (one SMS per usager and event, whatever the
//!   number of agents or relatives; the responsible receives for their relatives).
//! - [`agent_notices`]: the RDV's agents, by their `rdv_notifications_level`.
//!
//! The texts are in [`texts`], the SMS alphabet in [`gsm`].

pub mod gsm;
pub mod texts;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::enums::RdvNotificationsLevel;

/// What happened to an RDV, from the point of view of one recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum NotifEvent {
    Created,
    Updated,
    Cancelled,
    Reminder,
    /// The waiting list found an earlier slot (reference §4.6).
    NewCreneau,
}

impl NotifEvent {
    /// The receipt's `event` (reference §1.9 names).
    pub fn as_str(self) -> &'static str {
        match self {
            NotifEvent::Created => "rdv_created",
            NotifEvent::Updated => "rdv_updated",
            NotifEvent::Cancelled => "rdv_cancelled",
            NotifEvent::Reminder => "rdv_upcoming_reminder",
            NotifEvent::NewCreneau => "new_creneau_available",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Mail,
    Sms,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Mail => "mail",
            Channel::Sms => "sms",
        }
    }
}

/// Who made the change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeAuthor {
    Agent(i32),
    /// The usager, online (booking, cancellation through their link).
    Usager,
    /// The server itself (reminders, waiting list).
    System,
}

/// The parts of an RDV that decide its event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RdvState {
    pub starts_at: chrono::NaiveDateTime,
    /// Lieu id, name and address: renaming or moving the lieu is a change of place.
    pub place: Option<(i32, String, String)>,
    pub cancelled: bool,
}

/// The RDV-level event of a change (reference §4.3): cancelled when it becomes cancelled,
/// created when a cancelled RDV is re-opened, changed only when the time or the place changes
/// (a change of agents alone sends nothing to usagers), else nothing.
pub fn rdv_event(before: Option<&RdvState>, after: &RdvState) -> Option<NotifEvent> {
    let Some(before) = before else {
        return (!after.cancelled).then_some(NotifEvent::Created);
    };
    match (before.cancelled, after.cancelled) {
        (false, true) => Some(NotifEvent::Cancelled),
        (true, false) => Some(NotifEvent::Created),
        (true, true) => None,
        (false, false) => {
            (before.starts_at != after.starts_at || before.place != after.place).then_some(NotifEvent::Updated)
        }
    }
}

/// One usager's participation, before or after the change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Participant {
    pub user_id: i32,
    pub cancelled: bool,
    /// `send_lifecycle_notifications`.
    pub lifecycle: bool,
    /// `send_reminder_notification`.
    pub reminder: bool,
}

/// The event each usager is told about: those who joined get "created", those who left (or
/// whose participation was cancelled) "cancelled", the others the RDV's event. A usager whose
/// participation was already cancelled hears nothing more.
pub fn usager_events(
    before: &[Participant],
    after: &[Participant],
    event: Option<NotifEvent>,
) -> Vec<(Participant, NotifEvent)> {
    let active = |list: &[Participant], id: i32| list.iter().find(|p| p.user_id == id && !p.cancelled).copied();
    let mut out = Vec::new();
    for p in after {
        let was = active(before, p.user_id);
        match (was, p.cancelled, event) {
            (None, false, Some(NotifEvent::Cancelled)) => {}
            (None, false, _) => out.push((*p, NotifEvent::Created)),
            (Some(_), true, _) => out.push((*p, NotifEvent::Cancelled)),
            (Some(_), false, Some(e)) => out.push((*p, e)),
            _ => {}
        }
    }
    for p in before.iter().filter(|p| !p.cancelled) {
        if !after.iter().any(|a| a.user_id == p.user_id) {
            out.push((*p, NotifEvent::Cancelled));
        }
    }
    out
}

/// A usager's contact facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub user_id: i32,
    /// Relatives are told through their responsible.
    pub responsible_id: Option<i32>,
    pub has_email: bool,
    pub notify_by_email: bool,
    /// A mobile number (FR or DROM); landlines get no SMS.
    pub has_mobile: bool,
    pub notify_by_sms: bool,
}

/// The RDV's facts that silence every usager message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Silence {
    /// The RDV starts in the past: nothing is sent about it (reference §4.3).
    pub past: bool,
    /// The RDV's "ne pas notifier" switch is on.
    pub do_not_notify: bool,
    /// The motif is invisible to the usager (sensitive cases: relatives may read the phone).
    pub invisible: bool,
}

impl Silence {
    fn any(self) -> bool {
        self.past || self.do_not_notify || self.invisible
    }
}

/// One message to a usager: to `to` (a participant or their responsible), about `for_users`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsagerNotice {
    pub to: i32,
    pub channel: Channel,
    pub event: NotifEvent,
    pub for_users: Vec<i32>,
}

/// Usager messages for `events` (from [`usager_events`], or every participant for a reminder):
/// the participation's switch for that kind of message, the recipient's consent and contact,
/// SMS on cancellation only when an agent cancels, one message per recipient, channel and event.
pub fn usager_notices(
    events: &[(Participant, NotifEvent)],
    contacts: &[Contact],
    author: ChangeAuthor,
    silence: Silence,
) -> Vec<UsagerNotice> {
    if silence.any() {
        return Vec::new();
    }
    let contact = |id: i32| contacts.iter().find(|c| c.user_id == id);
    let mut out: Vec<UsagerNotice> = Vec::new();
    for (p, event) in events {
        let wanted = match event {
            NotifEvent::Reminder => p.reminder && !p.cancelled,
            // Asked for by the usager (waiting list): their switches are about the RDV's life.
            NotifEvent::NewCreneau => !p.cancelled,
            _ => p.lifecycle,
        };
        let Some(own) = contact(p.user_id) else { continue };
        if !wanted {
            continue;
        }
        let to = own.responsible_id.and_then(contact).unwrap_or(own);
        let sms_allowed = *event != NotifEvent::Cancelled || matches!(author, ChangeAuthor::Agent(_));
        let channels = [
            (Channel::Mail, to.has_email && to.notify_by_email),
            (Channel::Sms, to.has_mobile && to.notify_by_sms && sms_allowed),
        ];
        for (channel, ok) in channels {
            if !ok {
                continue;
            }
            match out.iter_mut().find(|n| n.to == to.user_id && n.channel == channel && n.event == *event) {
                Some(n) if !n.for_users.contains(&p.user_id) => n.for_users.push(p.user_id),
                Some(_) => {}
                None => out.push(UsagerNotice { to: to.user_id, channel, event: *event, for_users: vec![p.user_id] }),
            }
        }
    }
    out
}

/// Mobile prefixes in E.164: mainland France (06, 07) and the overseas départements (La
/// Réunion, Mayotte, Guadeloupe, Guyane, Martinique). Only these receive SMS.
const MOBILE_PREFIXES: [&str; 10] =
    ["+336", "+337", "+262692", "+262693", "+262639", "+590690", "+590691", "+594694", "+596696", "+596697"];

/// True for a French mobile number in E.164 (`+33612345678`, `+262692123456`).
pub fn is_mobile(e164: &str) -> bool {
    MOBILE_PREFIXES.iter().any(|p| e164.starts_with(p)) && e164.len() >= 12
}

/// True when one of `dates` is `today` or tomorrow (the "soon" level).
pub fn soon(today: NaiveDate, dates: &[NaiveDate]) -> bool {
    dates.iter().any(|d| *d == today || Some(*d) == today.succ_opt())
}

/// Agent messages (reference §4.3): on a change, agents added get "created", agents kept the
/// RDV's event, agents removed "cancelled"; then each agent's level filters: all → always,
/// none → never, others → unless they made the change, soon → unless they made it and only
/// when the old or new date is today or tomorrow. No reminder, nothing about a past RDV.
pub fn agent_notices(
    event: Option<NotifEvent>,
    author: ChangeAuthor,
    before: &[i32],
    after: &[(i32, RdvNotificationsLevel)],
    removed: &[(i32, RdvNotificationsLevel)],
    soon: bool,
    past: bool,
) -> Vec<(i32, NotifEvent)> {
    if past {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut consider = |id: i32, level: RdvNotificationsLevel, e: NotifEvent| {
        let is_author = author == ChangeAuthor::Agent(id);
        let ok = match level {
            RdvNotificationsLevel::All => true,
            RdvNotificationsLevel::None => false,
            RdvNotificationsLevel::Others => !is_author,
            RdvNotificationsLevel::Soon => !is_author && soon,
        };
        if ok && !matches!(e, NotifEvent::Reminder | NotifEvent::NewCreneau) {
            out.push((id, e));
        }
    };
    for (id, level) in after {
        let e = match event {
            Some(NotifEvent::Cancelled) => Some(NotifEvent::Cancelled),
            Some(NotifEvent::Reminder | NotifEvent::NewCreneau) => None,
            _ if !before.is_empty() && !before.contains(id) && event != Some(NotifEvent::Created) => {
                Some(NotifEvent::Created)
            }
            e => e,
        };
        if let Some(e) = e {
            consider(*id, *level, e);
        }
    }
    for (id, level) in removed {
        consider(*id, *level, NotifEvent::Cancelled);
    }
    out
}

#[cfg(test)]
mod tests;
