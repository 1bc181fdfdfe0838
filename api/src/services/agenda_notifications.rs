//! Emails to an agent about their plages d'ouverture and absences (reference §4.3): sent when
//! someone creates, changes or deletes one and the agent's level for that kind is "all" (their
//! "Mon compte" preferences). Called by `services::plages` and `services::absences` inside the
//! write transaction.

use chrono::{NaiveDate, NaiveTime};
use rdv_shared::enums::NotificationLevel;
use rdv_shared::notify::texts::{agenda_item_mail, html_of, AgendaItem, ItemChange};

use crate::config::Config;
use crate::db::models::agent;
use crate::db::DbConn;
use crate::outbox::{enqueue_mail, MailPayload, Subject};

/// What the email shows of the plage or absence.
pub struct ItemFacts<'a> {
    pub item: AgendaItem,
    pub id: i32,
    pub agent_id: i32,
    pub title: &'a str,
    pub first_day: NaiveDate,
    pub start_time: NaiveTime,
    pub end_time: NaiveTime,
    pub recurring: bool,
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
        if f.recurring { ", avec répétition" } else { "" }
    );
    let (subject, text) = agenda_item_mail(f.item, change, f.title, &when, &format!("{}/agenda", config.public_url));
    let kind = match f.item {
        AgendaItem::Plage => "plage_ouverture",
        AgendaItem::Absence => "absence",
    };
    let event = format!("{kind}_{}", change.as_str());
    let mail = MailPayload {
        from: config.mail_from.clone(),
        reply_to: None,
        subject,
        html: Some(html_of(&text)),
        text,
        ics: None,
    };
    let key = format!("{event}:{}:{}", f.id, crate::auth::token::random_id(8));
    enqueue_mail(conn, &event, key, Subject { agent_id: Some(a.id), ..Subject::default() }, to, &mail)?;
    Ok(())
}
