//! Emails to an agent about their plages d'ouverture and absences (reference §4.3): sent when
//! someone creates, changes or deletes one and the agent's level for that kind is "all" (their
//! "Mon compte" preferences), with the item as a calendar event (its RRULE when it repeats;
//! CANCEL when deleted) so that the agent's own calendar follows. Called by `services::plages`
//! and `services::absences` inside the write transaction.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use rdv_shared::enums::NotificationLevel;
use rdv_shared::notify::texts::{agenda_item_mail, html_of, AgendaItem, ItemChange};
use rdv_shared::recurrence::Recurrence;

use crate::config::Config;
use crate::db::models::{agent, organisation};
use crate::db::{now_utc, DbConn};
use crate::outbox::ics::{calendar, IcsEvent};
use crate::outbox::{enqueue_mail, IcsPart, MailPayload, Subject};
use crate::services::agenda::{tz, DEFAULT_TZ};

/// What the email shows of the plage or absence.
pub struct ItemFacts<'a> {
    pub item: AgendaItem,
    pub id: i32,
    pub agent_id: i32,
    pub title: &'a str,
    pub first_day: NaiveDate,
    pub start_time: NaiveTime,
    /// The last day of one occurrence (an absence may span several days).
    pub end_day: NaiveDate,
    pub end_time: NaiveTime,
    pub rule: Option<Recurrence>,
    /// A plage's organisation (its zone); an absence's agent's first organisation otherwise.
    pub organisation_id: Option<i32>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Queues the email when the agent wants it.
pub fn item_changed(
    conn: &mut DbConn,
    config: &Config,
    f: &ItemFacts<'_>,
    change: ItemChange,
) -> diesel::QueryResult<()> {
    let Some(a) = agent::find(conn, f.agent_id)? else { return Ok(()) };
    let level = match f.item {
        AgendaItem::Plage => &a.plage_ouverture_notification_level,
        AgendaItem::Absence => &a.absence_notification_level,
    };
    let (Some(NotificationLevel::All), Some(to)) = (NotificationLevel::parse(level), a.email.as_deref()) else {
        return Ok(());
    };
    let when = format!(
        "{}, {}–{}{}",
        rdv_shared::notify::texts::date_long(f.first_day.and_time(f.start_time))
            .split(" à ")
            .next()
            .unwrap_or_default(),
        f.start_time.format("%H:%M"),
        f.end_time.format("%H:%M"),
        if f.rule.is_some() { ", avec répétition" } else { "" }
    );
    let kind = match f.item {
        AgendaItem::Plage => "plage_ouverture",
        AgendaItem::Absence => "absence",
    };
    let (subject, text) = agenda_item_mail(f.item, change, f.title, &when, &format!("{}/agenda", config.public_url));
    let event = format!("{kind}_{}", change.as_str());
    let org = match f.organisation_id {
        Some(id) => organisation::find(conn, id)?,
        None => agent::first_organisations(conn, &[a.id])?.remove(&a.id),
    };
    let zone = tz(org.as_ref().map_or(DEFAULT_TZ, |o| o.time_zone.as_str()));
    let method = if change == ItemChange::Deleted { "CANCEL" } else { "PUBLISH" };
    let rrule = f.rule.as_ref().map(|r| r.rrule(zone));
    let organizer = config.mail_from.rsplit('<').next().unwrap_or(&config.mail_from).trim_end_matches('>');
    let content = calendar(&IcsEvent {
        // Stable per item, as the reference's `ical_uid`, so that an update replaces the event.
        uid: &format!("{kind}_{}@rdv", f.id),
        method,
        sequence: u32::try_from((f.updated_at - f.created_at).num_seconds().max(0)).unwrap_or(0),
        summary: f.title,
        description: &text,
        location: None,
        starts_local: f.first_day.and_time(f.start_time),
        ends_local: f.end_day.and_time(f.end_time),
        tz: zone,
        organizer,
        attendees: &[],
        stamp: Utc.from_utc_datetime(&now_utc()),
        rrule: rrule.as_deref(),
    });
    let mail = MailPayload {
        from: config.mail_from.clone(),
        reply_to: None,
        subject,
        html: Some(html_of(&text)),
        text,
        ics: Some(IcsPart { method: method.to_owned(), content }),
    };
    let key = format!("{event}:{}:{}", f.id, crate::auth::token::random_id(8));
    enqueue_mail(conn, &event, key, Subject { agent_id: Some(a.id), ..Subject::default() }, to, &mail)?;
    Ok(())
}
