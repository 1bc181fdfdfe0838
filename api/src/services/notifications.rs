//! Notifications of RDV changes (reference-domain.md §4.3–4.5, issue 15). The write services
//! call [`rdv_changed`] inside their transaction, with a [`Snapshot`] taken before the change:
//! the rules of `rdv_shared::notify` decide who hears what, the messages go to the outbox, and
//! the RDV's J-2 reminder is planned, moved or dropped in the same transaction. Workers later
//! turn a due reminder job into its messages ([`run_job`]). Also: "Envoyer un rappel
//! maintenant" ([`send_reminder`]) and the receipts of an RDV ([`receipts`]).

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use rdv_shared::access::AgendaLevel;
use rdv_shared::dto::{Receipt, ReceiptsResponse};
use rdv_shared::enums::RdvNotificationsLevel;
use rdv_shared::notify::{
    agent_notices, rdv_event, soon, usager_events, usager_notices, ChangeAuthor, NotifEvent, Participant, RdvState,
};
use rdv_shared::pagination::{offset, page_in_memory, Meta, PER_PAGE};

use crate::config::Config;
use crate::db::models::agent::{agents_by_id, AgentRow};
use crate::db::models::outbox::{self as rows, OutboxRow, Outcome, ReceiptRow};
use crate::db::models::rdv::RdvRow;
use crate::db::models::{lieu, rdv, rdv_reads};
use crate::db::{now_utc, write_tx, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::outbox::{job, plan_jobs};
use crate::services::notification_messages::load;
use crate::services::rdvs::load_rdv;
use crate::services::usagers::{visible_user, UsagerContext};
use crate::services::viewer::{self, rdv_level};
use crate::services::webhook_events;

pub const REMINDER: &str = "rdv_upcoming_reminder";
/// Reminders go 48 hours before the RDV (J-2).
pub fn reminder_delay() -> Duration {
    Duration::hours(48)
}

/// What an RDV looked like before a change.
#[derive(Debug, Clone)]
pub struct Snapshot {
    state: RdvState,
    participants: Vec<Participant>,
    agents: Vec<i32>,
}

impl Snapshot {
    /// The same RDV before `user_id` joined it (a usager joining a collective session).
    pub fn without_user(mut self, user_id: i32) -> Snapshot {
        self.participants.retain(|p| p.user_id != user_id);
        self
    }
}

fn state_of(conn: &mut DbConn, r: &RdvRow) -> diesel::QueryResult<RdvState> {
    let place = match r.lieu_id {
        Some(id) => lieu::find(conn, id)?.map(|l| (l.id, l.name, l.address)),
        None => None,
    };
    Ok(RdvState { starts_at: r.starts_at, place, cancelled: r.status().is_cancelled() })
}

/// The RDV's participations as the rules see them.
fn participants_of(conn: &mut DbConn, rdv_id: i32) -> diesel::QueryResult<Vec<Participant>> {
    Ok(rdv::participations_of(conn, &[rdv_id])?
        .remove(&rdv_id)
        .unwrap_or_default()
        .iter()
        .map(|p| Participant {
            user_id: p.user_id,
            cancelled: p.status().is_cancelled(),
            lifecycle: p.send_lifecycle_notifications,
            reminder: p.send_reminder_notification,
        })
        .collect())
}

/// The RDV as the rules see it; take it inside the write transaction, before the change.
pub fn snapshot(conn: &mut DbConn, r: &RdvRow) -> diesel::QueryResult<Snapshot> {
    let participants = participants_of(conn, r.id)?;
    let agents = rdv::agents_of(conn, &[r.id])?.remove(&r.id).unwrap_or_default();
    Ok(Snapshot { state: state_of(conn, r)?, participants, agents })
}

fn level(a: &AgentRow) -> RdvNotificationsLevel {
    RdvNotificationsLevel::parse(&a.rdv_notifications_level).unwrap_or(RdvNotificationsLevel::Others)
}

fn change_key() -> String {
    crate::auth::token::random_id(8)
}

/// Notifies a change of RDV `rdv_id` (created when `before` is `None`) and re-plans its
/// reminder. Call inside the write transaction, after the change.
pub fn rdv_changed(
    conn: &mut DbConn,
    config: &Config,
    before: Option<Snapshot>,
    rdv_id: i32,
    author: ChangeAuthor,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let Some(row) = rdv::find(conn, rdv_id)? else { return Ok(()) };
    // Webhooks hear of every change, notifications only of those the rules name.
    let event = if before.is_none() { webhook_events::CREATED } else { webhook_events::UPDATED };
    webhook_events::rdv_event(conn, rdv_id, event)?;
    let after = snapshot(conn, &row)?;
    plan_reminder(conn, &row, now.naive_utc())?;
    let event = rdv_event(before.as_ref().map(|b| &b.state), &after.state);
    let (before_participants, before_agents) =
        before.as_ref().map(|b| (b.participants.clone(), b.agents.clone())).unwrap_or_default();
    let events = usager_events(&before_participants, &after.participants, event);
    let removed_ids: Vec<i32> = before_agents.iter().copied().filter(|a| !after.agents.contains(a)).collect();
    if events.is_empty() && event.is_none() && removed_ids.is_empty() && after.agents == before_agents {
        return Ok(());
    }
    let mut user_ids: Vec<i32> = after.participants.iter().map(|p| p.user_id).collect();
    for p in &before_participants {
        if !user_ids.contains(&p.user_id) {
            user_ids.push(p.user_id);
        }
    }
    let Some(mut loaded) = load(conn, row, &user_ids)? else { return Ok(()) };
    if let Some(b) = &before {
        if b.state.starts_at != loaded.rdv.starts_at {
            loaded.facts.previous_starts_local = Some(loaded.local(b.state.starts_at));
        }
    }
    let silence = loaded.silence(now.naive_utc());
    let past = silence.past;
    let key = format!("rdv:{}:{}", loaded.rdv.id, change_key());
    let notices = usager_notices(&events, &loaded.contacts(), author, silence);
    loaded.enqueue_usager(conn, config, &notices, &key, now.naive_utc())?;

    let removed: Vec<AgentRow> = agents_by_id(conn, &removed_ids)?.into_values().collect();
    let today = loaded.local(now.naive_utc()).date();
    let mut dates = vec![loaded.local(loaded.rdv.starts_at).date()];
    if let Some(b) = &before {
        dates.push(loaded.local(b.state.starts_at).date());
    }
    let after_levels: Vec<(i32, RdvNotificationsLevel)> = loaded.agents.iter().map(|a| (a.id, level(a))).collect();
    let removed_levels: Vec<(i32, RdvNotificationsLevel)> = removed.iter().map(|a| (a.id, level(a))).collect();
    let agent_list =
        agent_notices(event, author, &before_agents, &after_levels, &removed_levels, soon(today, &dates), past);
    loaded.enqueue_agents(conn, config, &agent_list, &removed, &key, now.naive_utc())?;
    Ok(())
}

/// Plans the RDV's J-2 reminder, or drops it: cancelled, or less than 48 h ahead.
fn plan_reminder(conn: &mut DbConn, r: &RdvRow, now: NaiveDateTime) -> diesel::QueryResult<()> {
    let run_at = r.starts_at - reminder_delay();
    if r.status().is_cancelled() || run_at <= now {
        rows::cancel_jobs(conn, REMINDER, r.id, None, now)?;
        return Ok(());
    }
    rows::cancel_jobs(conn, REMINDER, r.id, Some(r.starts_at), now)?;
    plan_jobs(conn, &[job(REMINDER, r.id, r.organisation_id, r.starts_at, run_at)])?;
    Ok(())
}

/// Plans the reminder of every future RDV that has none: RDVs written before notifications
/// existed, or by a bulk import. Runs in batches of 5 000 RDVs per transaction.
pub fn plan_missing_reminders(conn: &mut DbConn, now: DateTime<Utc>) -> diesel::QueryResult<usize> {
    let from = now.naive_utc() + reminder_delay();
    let (mut planned, mut after) = (0, 0);
    loop {
        let batch = rdv_reads::future_after(conn, from, after, 5_000)?;
        let Some(last) = batch.last() else { return Ok(planned) };
        after = last.0;
        let ids: Vec<i32> = batch.iter().map(|r| r.0).collect();
        let live: std::collections::HashSet<(i32, NaiveDateTime)> =
            rows::live_jobs_of(conn, REMINDER, &ids)?.into_iter().collect();
        let jobs: Vec<_> = batch
            .iter()
            .filter(|(id, _, starts_at)| !live.contains(&(*id, *starts_at)))
            .map(|(id, org, starts_at)| job(REMINDER, *id, *org, *starts_at, *starts_at - reminder_delay()))
            .collect();
        if !jobs.is_empty() {
            planned += write_tx(conn, |c| plan_jobs(c, &jobs))?;
        }
    }
}

/// Drops what was planned for an RDV about to be deleted.
pub fn rdv_deleted(conn: &mut DbConn, rdv_id: i32) -> diesel::QueryResult<()> {
    rows::cancel_jobs(conn, REMINDER, rdv_id, None, now_utc()).map(|_| ())
}

/// Reminder messages of RDV `r` for every participant with the reminder switch on; `None`
/// when its organisation or motif is gone.
fn enqueue_reminder(
    conn: &mut DbConn,
    config: &Config,
    r: RdvRow,
    key: &str,
    now: NaiveDateTime,
) -> diesel::QueryResult<Option<usize>> {
    let participants = participants_of(conn, r.id)?;
    let user_ids: Vec<i32> = participants.iter().map(|p| p.user_id).collect();
    let Some(loaded) = load(conn, r, &user_ids)? else { return Ok(None) };
    let events: Vec<(Participant, NotifEvent)> = participants.into_iter().map(|p| (p, NotifEvent::Reminder)).collect();
    let notices = usager_notices(&events, &loaded.contacts(), ChangeAuthor::System, loaded.silence(now));
    loaded.enqueue_usager(conn, config, &notices, key, now).map(Some)
}

/// A due job: a reminder becomes its messages, unless the RDV is gone, cancelled, over, or
/// has moved since the job was planned (its new reminder is another job).
pub fn run_job(conn: &mut DbConn, config: &Config, job: &OutboxRow, now: NaiveDateTime) -> ApiResult<Outcome> {
    if job.event == crate::services::waiting_list::CHECK {
        return crate::services::waiting_list::run(conn, config, job, now);
    }
    if job.event == crate::services::webhook_replay::REPLAY {
        return crate::services::webhook_replay::run_replay(conn, job);
    }
    if job.event != REMINDER {
        return Ok(Outcome::Failed(format!("unknown job {}", job.event)));
    }
    let (Some(rdv_id), Some(due_for)) = (job.rdv_id, job.due_for) else { return Ok(Outcome::Obsolete) };
    let Some(r) = rdv::find(conn, rdv_id)? else { return Ok(Outcome::Obsolete) };
    if r.status().is_cancelled() || r.starts_at != due_for || r.starts_at <= now {
        return Ok(Outcome::Obsolete);
    }
    // The key is the job's: a reminder is sent once per participant and RDV start.
    Ok(match enqueue_reminder(conn, config, r, &job.idempotency_key, now)? {
        Some(_) => Outcome::Sent,
        None => Outcome::Obsolete,
    })
}

/// "Envoyer un rappel maintenant": the reminder now, whatever was planned (not for a past or
/// cancelled RDV). Returns how many messages were queued.
pub fn send_reminder(
    conn: &mut DbConn,
    config: &Config,
    caller: &AgentRow,
    rdv_id: i32,
    now: DateTime<Utc>,
) -> ApiResult<usize> {
    let viewer = viewer::load(conn, caller.id)?;
    let r = load_rdv(conn, &viewer, rdv_id, AgendaLevel::Write)?;
    if r.starts_at <= now.naive_utc() {
        return Err(ApiError::field("starts_at", "in_the_past"));
    }
    if r.status().is_cancelled() {
        return Err(ApiError::field("status", "cancelled"));
    }
    let key = format!("manual_reminder:{rdv_id}:{}", change_key());
    write_tx(conn, |c| enqueue_reminder(c, config, r, &key, now.naive_utc()))?.ok_or(ApiError::NotFound("rdv"))
}

fn receipt_dto(r: ReceiptRow) -> Receipt {
    Receipt {
        id: r.id,
        rdv_id: r.rdv_id,
        user_id: r.user_id,
        agent_id: r.agent_id,
        channel: r.channel,
        event: r.event,
        recipient: r.recipient,
        result: r.result,
        error_message: r.error_message,
        content: r.content,
        sms_count: r.sms_count,
        attempt: r.attempt,
        created_at: r.created_at.and_utc(),
    }
}

/// The receipts of an RDV the caller can read, newest first.
pub fn receipts(conn: &mut DbConn, caller: &AgentRow, rdv_id: i32, page: i64) -> ApiResult<ReceiptsResponse> {
    let viewer = viewer::load(conn, caller.id)?;
    load_rdv(conn, &viewer, rdv_id, AgendaLevel::Read)?;
    let (list, total) = rows::receipts_of(conn, Some(rdv_id), None, PER_PAGE, offset(page))?;
    Ok(ReceiptsResponse { receipts: list.into_iter().map(receipt_dto).collect(), meta: Meta::new(page, total) })
}

/// Every receipt of a usager the caller sees, limited to the RDVs the caller can read, newest
/// first (the page above, and the RGPD export).
pub fn readable_user_receipts(conn: &mut DbConn, caller: &AgentRow, user_id: i32) -> ApiResult<Vec<Receipt>> {
    let ctx = UsagerContext::load(conn, caller.id, None)?;
    visible_user(conn, &ctx, user_id)?;
    receipts_of_readable_rdvs(conn, caller, user_id)
}

/// A usager's receipts about the RDVs the caller can read (visibility of the usager checked).
fn receipts_of_readable_rdvs(conn: &mut DbConn, caller: &AgentRow, user_id: i32) -> ApiResult<Vec<Receipt>> {
    let viewer = viewer::load(conn, caller.id)?;
    let (all, _) = rows::receipts_of(conn, None, Some(user_id), 5_000, 0)?;
    let mut rdv_ids: Vec<i32> = all.iter().filter_map(|r| r.rdv_id).collect();
    rdv_ids.sort_unstable();
    rdv_ids.dedup();
    let mut readable = Vec::new();
    for r in rdv::find_many(conn, &rdv_ids)? {
        if rdv_level(conn, &viewer, &r)? >= AgendaLevel::Read {
            readable.push(r.id);
        }
    }
    Ok(all.into_iter().filter(|r| r.rdv_id.is_some_and(|id| readable.contains(&id))).map(receipt_dto).collect())
}

/// The receipts of a usager the caller sees, limited to the RDVs the caller can read (a
/// message about an RDV of another service or organisation is not revealed), newest first.
pub fn user_receipts(conn: &mut DbConn, caller: &AgentRow, user_id: i32, page: i64) -> ApiResult<ReceiptsResponse> {
    let ctx = UsagerContext::load(conn, caller.id, None)?;
    let (_, orgs) = visible_user(conn, &ctx, user_id)?;
    crate::services::usagers::note_read(conn, &ctx, user_id, &orgs, "notifications")?;
    let shown = receipts_of_readable_rdvs(conn, caller, user_id)?;
    let (receipts, total) = page_in_memory(shown, page);
    Ok(ReceiptsResponse { receipts, meta: Meta::new(page, total) })
}
