//! The replay after a webhook endpoint is saved (`trigger`, reference-api-v1.md §3.11): every
//! record of the organisation of a subscribed kind is sent to that endpoint alone as
//! `created`. It runs as outbox jobs of bounded size: each job renders at most
//! [`BATCH`] records, then queues the next job with its cursor (`<endpoint>:<kind>:<last id>`
//! in the job's recipient), so a large organisation neither holds a write transaction for long
//! nor loses its place after a crash (a job is redone whole, and a record sent twice is an
//! upsert for the receiver).

use rdv_shared::webhooks::model_of;

use crate::db::models::motif::MotifFilter;
use crate::db::models::outbox::{OutboxRow, Outcome};
use crate::db::models::{absence, agent, lieu, motif, organisation, plage, rdv, webhook};
use crate::db::DbConn;
use crate::error::ApiResult;
use crate::outbox::Subject;
use crate::services::people_events;
use crate::services::webhook_events::{
    absence_event_for, lieu_event_for, motif_event_for, organisation_event_for, plage_event_for, rdv_event_for, CREATED,
};

/// The replay job's event.
pub const REPLAY: &str = "webhook_replay";
/// Records rendered per job.
pub const BATCH: usize = 200;
/// Kinds in replay order: what others refer to first.
const KINDS: [&str; 11] = [
    "organisation",
    "lieu",
    "motif",
    "agent",
    "agent_role",
    "user",
    "user_profile",
    "referent_assignation",
    "plage_ouverture",
    "absence",
    "rdv",
];

/// Where a replay job starts.
struct Cursor {
    endpoint_id: i32,
    kind: usize,
    after: i32,
}

impl Cursor {
    fn parse(recipient: &str) -> Option<Cursor> {
        let mut parts = recipient.split(':');
        let endpoint_id = parts.next()?.parse().ok()?;
        let kind = match parts.next() {
            Some(k) => KINDS.iter().position(|x| *x == k)?,
            None => 0,
        };
        let after = parts.next().map_or(Some(0), |a| a.parse().ok())?;
        Some(Cursor { endpoint_id, kind, after })
    }
}

fn queue(conn: &mut DbConn, endpoint: &webhook::EndpointRow, recipient: String) -> ApiResult<usize> {
    let about = Subject { organisation_id: Some(endpoint.organisation_id), ..Subject::default() };
    let key = format!("{REPLAY}:{recipient}:{}", crate::auth::token::random_id(8));
    let mut job = crate::outbox::user_job(REPLAY, key, about, crate::db::now_utc());
    job.recipient = recipient;
    Ok(crate::db::models::outbox::insert(conn, &[job])?)
}

/// Plans the replay of the organisation's records to a saved endpoint.
pub fn plan_replay(conn: &mut DbConn, endpoint: &webhook::EndpointRow) -> ApiResult<usize> {
    queue(conn, endpoint, endpoint.id.to_string())
}

/// The records after `after` in id order, at most `limit`, and the last id when more remain.
pub(crate) fn page<T>(items: Vec<T>, id: impl Fn(&T) -> i32, after: i32, limit: usize) -> (Vec<T>, Option<i32>) {
    let mut rest: Vec<T> = items.into_iter().filter(|t| id(t) > after).collect();
    let more = rest.len() > limit;
    rest.truncate(limit);
    let last = if more { rest.last().map(&id) } else { None };
    (rest, last)
}

/// One replay job: from its cursor, at most [`BATCH`] records, then the next job.
pub fn run_replay(conn: &mut DbConn, job: &OutboxRow) -> ApiResult<Outcome> {
    run_replay_in_batches(conn, job, BATCH)
}

/// [`run_replay`] with another batch size (the tests page through a small organisation).
pub fn run_replay_in_batches(conn: &mut DbConn, job: &OutboxRow, batch: usize) -> ApiResult<Outcome> {
    let Some(cursor) = Cursor::parse(&job.recipient) else { return Ok(Outcome::Obsolete) };
    let Some(endpoint) = webhook::find(conn, cursor.endpoint_id)? else { return Ok(Outcome::Obsolete) };
    let subscriptions = endpoint.subscriptions();
    let wants = |s: &str| subscriptions.iter().any(|x| x == s) && model_of(s).is_some();
    let mut after = cursor.after;
    let mut budget = batch.max(1);
    for (i, kind) in KINDS.iter().enumerate().skip(cursor.kind) {
        if !wants(kind) {
            after = 0;
            continue;
        }
        let (sent, more) = replay_kind(conn, &endpoint, kind, after, budget)?;
        if let Some(last) = more {
            queue(conn, &endpoint, format!("{}:{kind}:{last}", endpoint.id))?;
            return Ok(Outcome::Sent);
        }
        after = 0;
        budget = budget.saturating_sub(sent);
        if budget == 0 {
            if let Some(next) = KINDS.get(i + 1) {
                queue(conn, &endpoint, format!("{}:{next}:0", endpoint.id))?;
            }
            return Ok(Outcome::Sent);
        }
    }
    Ok(Outcome::Sent)
}

/// Replays up to `limit` records of `kind` after id `after`: how many were sent, and the last
/// id sent when more remain.
fn replay_kind(
    conn: &mut DbConn,
    endpoint: &webhook::EndpointRow,
    kind: &str,
    after: i32,
    limit: usize,
) -> ApiResult<(usize, Option<i32>)> {
    let (org, only) = (endpoint.organisation_id, Some(endpoint.id));
    match kind {
        "organisation" => {
            if after == 0 {
                if let Some(row) = organisation::find(conn, org)? {
                    organisation_event_for(conn, &row, CREATED, only)?;
                    return Ok((1, None));
                }
            }
            Ok((0, None))
        }
        "lieu" => {
            let (rows, more) = page(lieu::of_organisation(conn, org)?, |r| r.id, after, limit);
            let n = rows.len();
            for row in rows {
                lieu_event_for(conn, &row, CREATED, only)?;
            }
            Ok((n, more))
        }
        "motif" => {
            let all = motif::list(conn, org, &MotifFilter::default(), None)?.0;
            let (rows, more) = page(all, |r| r.id, after, limit);
            let n = rows.len();
            for row in rows {
                motif_event_for(conn, &row, CREATED, only)?;
            }
            Ok((n, more))
        }
        "plage_ouverture" => {
            let (rows, more) = page(plage::of_organisation(conn, org)?, |r| r.id, after, limit);
            let n = rows.len();
            for row in rows {
                plage_event_for(conn, &row, CREATED, only)?;
            }
            Ok((n, more))
        }
        "absence" => {
            let (rows, more) = page(absence::of_organisation_agents(conn, org)?, |r| r.id, after, limit);
            let n = rows.len();
            for row in rows {
                let orgs = agent::organisation_ids(conn, row.agent_id)?;
                absence_event_for(conn, &row, CREATED, &orgs, only)?;
            }
            Ok((n, more))
        }
        "rdv" => {
            let (ids, more) = page(rdv::ids_of_organisation(conn, org)?, |id| *id, after, limit);
            let n = ids.len();
            for id in ids {
                rdv_event_for(conn, id, CREATED, only)?;
            }
            Ok((n, more))
        }
        _ => people_events::replay_kind(conn, endpoint, kind, after, limit),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_go_by_id_and_say_where_to_resume() {
        assert_eq!(page(vec![1, 2, 3, 5, 8], |x| *x, 0, 2), (vec![1, 2], Some(2)));
        assert_eq!(page(vec![1, 2, 3, 5, 8], |x| *x, 2, 2), (vec![3, 5], Some(5)));
        assert_eq!(page(vec![1, 2, 3, 5, 8], |x| *x, 5, 2), (vec![8], None));
        assert_eq!(page(vec![1, 2], |x| *x, 0, 2), (vec![1, 2], None));
        assert_eq!(page(Vec::<i32>::new(), |x| *x, 0, 2), (vec![], None));
    }

    #[test]
    fn cursors_parse_and_reject_garbage() {
        let c = Cursor::parse("12").unwrap();
        assert_eq!((c.endpoint_id, c.kind, c.after), (12, 0, 0));
        let c = Cursor::parse("12:rdv:345").unwrap();
        assert_eq!((c.endpoint_id, KINDS[c.kind], c.after), (12, "rdv", 345));
        assert!(Cursor::parse("x").is_none());
        assert!(Cursor::parse("12:nope:1").is_none());
        assert!(Cursor::parse("12:rdv:x").is_none());
    }
}
