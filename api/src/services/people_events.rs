//! Webhook events of usagers, agents and the links between them (`User`, `UserProfile`,
//! `ReferentAssignation`, `Agent`, `AgentRole`; reference-api-v1.md §5). Many services write
//! these records (agents' forms, API v1, public booking, imports, merges, invitations), so the
//! events come from their audit versions: `audit::record` notes each change and
//! `db::write_tx` hands the list here just before committing, once the whole change is made
//! (a new usager already has its profiles, so its `User created` reaches its organisations).
//!
//! Within one transaction a record gets one event: `created` if it was created (even if
//! changed afterwards), `destroyed` if it was deleted, else `updated`; created and deleted in
//! the same transaction, nothing. As the reference, anonymising a usager sends only its
//! `UserProfile destroyed` (an anonymised usager belongs to no organisation), and removing an
//! agent only its `AgentRole destroyed`.
//!
//! Routing as the reference: a usager and its referent links to all of the usager's
//! organisations, an agent to all of its organisations, a profile and a role to theirs.

use crate::db::IdListDsl;
use std::collections::HashMap;

use diesel::prelude::*;
use serde_json::{json, Value};

use crate::audit::{Event, Touch};
use crate::db::models::agent::AgentRow;
use crate::db::models::{agent, organisation, user, webhook};
use crate::db::schema::{agent_roles, referent_assignations, user_profiles, users};
use crate::db::DbConn;
use crate::error::ApiResult;
use crate::services::webhook_events::{emit, subscribers, value, CREATED, DESTROYED, UPDATED};
use crate::services::webhook_replay::page;

/// Queues the events of the records a transaction changed. Called by `db::write_tx`.
pub fn announce(conn: &mut DbConn, touched: Vec<Touch>) -> QueryResult<()> {
    // `write_tx` speaks diesel's error; the cause is kept in the message (logged, never shown).
    announce_all(conn, net_events(touched))
        .map_err(|e| diesel::result::Error::QueryBuilderError(format!("webhook events: {e}").into()))
}

/// One event per record, in the order records were first changed.
fn net_events(touched: Vec<Touch>) -> Vec<(Touch, &'static str)> {
    let mut order: Vec<(&'static str, i32)> = Vec::new();
    let mut by_record: HashMap<(&'static str, i32), Vec<Touch>> = HashMap::new();
    for t in touched {
        let key = (t.item_type, t.item_id);
        if !by_record.contains_key(&key) {
            order.push(key);
        }
        by_record.entry(key).or_default().push(t);
    }
    order
        .into_iter()
        .filter_map(|key| {
            let list = by_record.remove(&key)?;
            let created = list.first().is_some_and(|t| t.event == Event::Create);
            let destroyed = list.iter().any(|t| t.event == Event::Destroy);
            let last = list.into_iter().last()?;
            match (created, destroyed) {
                (true, true) => None,
                (true, false) => Some((last, CREATED)),
                (false, true) => Some((last, DESTROYED)),
                (false, false) => Some((last, UPDATED)),
            }
        })
        .collect()
}

fn announce_all(conn: &mut DbConn, events: Vec<(Touch, &'static str)>) -> ApiResult<()> {
    for (t, event) in events {
        let id = |key: &str| t.snapshot.get(key).and_then(Value::as_i64).and_then(|v| i32::try_from(v).ok());
        match t.item_type {
            "User" if event != DESTROYED => user_event(conn, t.item_id, event, None)?,
            "Agent" if event != DESTROYED => agent_event(conn, t.item_id, event, None)?,
            "UserProfile" => {
                if let (Some(u), Some(o)) = (id("user_id"), id("organisation_id")) {
                    profile_event(conn, (t.item_id, u, o), event, None)?;
                }
            }
            "ReferentAssignation" => {
                if let (Some(u), Some(a)) = (id("user_id"), id("agent_id")) {
                    referent_event(conn, (t.item_id, u, a), event, None)?;
                }
            }
            "AgentRole" => {
                let level = t.snapshot.get("access_level").and_then(Value::as_str).unwrap_or("basic").to_owned();
                if let (Some(a), Some(o)) = (id("agent_id"), id("organisation_id")) {
                    role_event(conn, (t.item_id, a, o, level), event, None)?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// A usager as webhooks show it: API v1's user, `user_profiles` null, with the field toggles of
/// its organisations' territories (`orgs`). `None` when gone or anonymised.
fn user_data(conn: &mut DbConn, user_id: i32, orgs: &[i32]) -> ApiResult<Option<Value>> {
    let Some(row) = user::find(conn, user_id)? else { return Ok(None) };
    if row.deleted_at.is_some() {
        return Ok(None);
    }
    let toggles = user::toggles_for(conn, orgs)?;
    let responsible = match row.responsible_id {
        Some(r) => user::find(conn, r)?,
        None => None,
    };
    Ok(Some(value(&row.to_dto(&toggles, responsible.as_ref()))?))
}

/// The endpoints of the usager's organisations subscribed to `model`, and those organisations.
/// Read before rendering: most changes have no subscriber.
fn usager_subscribers(
    conn: &mut DbConn,
    model: &str,
    user_id: i32,
    only: Option<i32>,
) -> ApiResult<(Vec<webhook::EndpointRow>, Vec<i32>)> {
    let orgs = user::organisation_ids(conn, user_id)?;
    Ok((subscribers(conn, model, &orgs, only)?, orgs))
}

fn user_event(conn: &mut DbConn, user_id: i32, event: &str, only: Option<i32>) -> ApiResult<()> {
    let (targets, orgs) = usager_subscribers(conn, "User", user_id, only)?;
    if targets.is_empty() {
        return Ok(());
    }
    let Some(data) = user_data(conn, user_id, &orgs)? else { return Ok(()) };
    emit(conn, &targets, ("User", user_id, event), &data, None).map(|_| ())
}

fn live_agent(conn: &mut DbConn, agent_id: i32) -> ApiResult<Option<AgentRow>> {
    Ok(agent::find(conn, agent_id)?.filter(|a| a.deleted_at.is_none()))
}

fn agent_event(conn: &mut DbConn, agent_id: i32, event: &str, only: Option<i32>) -> ApiResult<()> {
    let Some(a) = live_agent(conn, agent_id)? else { return Ok(()) };
    let orgs = agent::organisation_ids(conn, agent_id)?;
    let targets = subscribers(conn, "Agent", &orgs, only)?;
    if targets.is_empty() {
        return Ok(());
    }
    emit(conn, &targets, ("Agent", agent_id, event), &value(&a.to_dto())?, None).map(|_| ())
}

/// `{"organisation", "user"}` (no id, as the reference).
fn profile_event(
    conn: &mut DbConn,
    (id, user_id, org_id): (i32, i32, i32),
    event: &str,
    only: Option<i32>,
) -> ApiResult<()> {
    let targets = subscribers(conn, "UserProfile", &[org_id], only)?;
    if targets.is_empty() {
        return Ok(());
    }
    let Some(org) = organisation::find(conn, org_id)? else { return Ok(()) };
    // A profile removed before its usager was anonymised still names the usager it linked.
    let usager = match user_data(conn, user_id, &[org_id])? {
        Some(data) => data,
        None => match user::find_many_with_deleted(conn, &[user_id])?.first() {
            Some(u) => value(&u.to_dto(&Default::default(), None))?,
            None => return Ok(()),
        },
    };
    let data = json!({"organisation": value(&org.to_dto())?, "user": usager});
    emit(conn, &targets, ("UserProfile", id, event), &data, None).map(|_| ())
}

/// `{"agent", "user"}` (no id), to all of the usager's organisations.
fn referent_event(
    conn: &mut DbConn,
    (id, user_id, agent_id): (i32, i32, i32),
    event: &str,
    only: Option<i32>,
) -> ApiResult<()> {
    let (targets, orgs) = usager_subscribers(conn, "ReferentAssignation", user_id, only)?;
    if targets.is_empty() {
        return Ok(());
    }
    let Some(usager) = user_data(conn, user_id, &orgs)? else { return Ok(()) };
    let Some(a) = agent::find(conn, agent_id)? else { return Ok(()) };
    let data = json!({"agent": value(&a.to_dto())?, "user": usager});
    emit(conn, &targets, ("ReferentAssignation", id, event), &data, None).map(|_| ())
}

/// `{"id", "access_level", "agent", "organisation"}`, to the role's organisation.
fn role_event(
    conn: &mut DbConn,
    (id, agent_id, org_id, level): (i32, i32, i32, String),
    event: &str,
    only: Option<i32>,
) -> ApiResult<()> {
    let targets = subscribers(conn, "AgentRole", &[org_id], only)?;
    if targets.is_empty() {
        return Ok(());
    }
    let (Some(a), Some(org)) = (agent::find(conn, agent_id)?, organisation::find(conn, org_id)?) else { return Ok(()) };
    let data =
        json!({"id": id, "access_level": level, "agent": value(&a.to_dto())?, "organisation": value(&org.to_dto())?});
    emit(conn, &targets, ("AgentRole", id, event), &data, None).map(|_| ())
}

/// Replays up to `limit` usagers, agents or links of the endpoint's organisation after id
/// `after` (`webhook_replay`): how many were sent, and the last id sent when more remain.
pub fn replay_kind(
    conn: &mut DbConn,
    endpoint: &webhook::EndpointRow,
    kind: &str,
    after: i32,
    limit: usize,
) -> ApiResult<(usize, Option<i32>)> {
    let (org, only) = (endpoint.organisation_id, Some(endpoint.id));
    let usager_ids = |conn: &mut DbConn| -> ApiResult<Vec<i32>> {
        Ok(user_profiles::table
            .inner_join(users::table)
            .filter(user_profiles::organisation_id.eq(org))
            .filter(users::deleted_at.is_null())
            .order(user_profiles::user_id)
            .select(user_profiles::user_id)
            .load(conn)?)
    };
    let roles = |conn: &mut DbConn| -> ApiResult<Vec<(i32, i32, String)>> {
        Ok(agent_roles::table
            .filter(agent_roles::organisation_id.eq(org))
            .order(agent_roles::id)
            .select((agent_roles::id, agent_roles::agent_id, agent_roles::access_level))
            .load(conn)?)
    };
    match kind {
        "user" => {
            let (ids, more) = page(usager_ids(conn)?, |id| *id, after, limit);
            let n = ids.len();
            for id in ids {
                user_event(conn, id, CREATED, only)?;
            }
            Ok((n, more))
        }
        "user_profile" => {
            let rows: Vec<(i32, i32)> = user_profiles::table
                .filter(user_profiles::organisation_id.eq(org))
                .order(user_profiles::id)
                .select((user_profiles::id, user_profiles::user_id))
                .load(conn)?;
            let (rows, more) = page(rows, |r| r.0, after, limit);
            let n = rows.len();
            for (id, user_id) in rows {
                profile_event(conn, (id, user_id, org), CREATED, only)?;
            }
            Ok((n, more))
        }
        "referent_assignation" => {
            let ids = usager_ids(conn)?;
            let rows: Vec<(i32, i32, i32)> = referent_assignations::table
                .filter(referent_assignations::user_id.in_ids(&ids))
                .order(referent_assignations::id)
                .select((referent_assignations::id, referent_assignations::user_id, referent_assignations::agent_id))
                .load(conn)?;
            let (rows, more) = page(rows, |r| r.0, after, limit);
            let n = rows.len();
            for r in rows {
                referent_event(conn, r, CREATED, only)?;
            }
            Ok((n, more))
        }
        "agent" => {
            let (rows, more) = page(roles(conn)?, |r| r.0, after, limit);
            let n = rows.len();
            for (_, agent_id, _) in rows {
                agent_event(conn, agent_id, CREATED, only)?;
            }
            Ok((n, more))
        }
        "agent_role" => {
            let (rows, more) = page(roles(conn)?, |r| r.0, after, limit);
            let n = rows.len();
            for (id, agent_id, level) in rows {
                role_event(conn, (id, agent_id, org, level), CREATED, only)?;
            }
            Ok((n, more))
        }
        _ => Ok((0, None)),
    }
}
