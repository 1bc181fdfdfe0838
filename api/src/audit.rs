//! The audit trail: every write records a `versions` row in the same transaction.
//!
//! Model write functions (in `db::models`) take an [`Author`] and call [`record`] right after
//! their change, inside the caller's [`crate::db::write_tx`]; a change without its version cannot
//! commit. `changes` is JSON text `{"field": [before, after]}` (PaperTrail's shape); secrets are
//! never stored, only the fact that they changed.

use std::collections::BTreeMap;

use diesel::prelude::*;
use serde::Serialize;
use serde_json::Value;

use crate::db::schema::versions;
use crate::db::{now_utc, DbConn};

/// Fields whose values never enter the audit trail.
const REDACTED: &[&str] = &["password_hash", "jti"];
/// Bookkeeping fields that would only add noise.
const IGNORED: &[&str] = &["updated_at", "created_at"];

/// Who made a change: an agent through the API, or an operator / the system through the CLI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    pub agent_id: Option<i32>,
    /// Human-readable: `agent:12 camille.martin@…`, `cli`, `seed`.
    pub whodunnit: String,
}

impl Author {
    pub fn agent(id: i32, email: Option<&str>) -> Self {
        Author { agent_id: Some(id), whodunnit: format!("agent:{id} {}", email.unwrap_or("")).trim().to_owned() }
    }

    pub fn system(label: &str) -> Self {
        Author { agent_id: None, whodunnit: label.to_owned() }
    }
}

/// What happened to the item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Create,
    Update,
    Destroy,
}

impl Event {
    pub fn as_str(self) -> &'static str {
        match self {
            Event::Create => "create",
            Event::Update => "update",
            Event::Destroy => "destroy",
        }
    }
}

/// Field-level diff between two serialisations of an item (`None` = did not exist).
pub fn diff<T: Serialize>(before: Option<&T>, after: Option<&T>) -> BTreeMap<String, [Value; 2]> {
    let as_map = |v: Option<&T>| match v.map(serde_json::to_value) {
        Some(Ok(Value::Object(map))) => map,
        _ => serde_json::Map::new(),
    };
    let (before, after) = (as_map(before), as_map(after));
    let mut keys: Vec<&String> = before.keys().chain(after.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| !IGNORED.contains(&k.as_str()))
        .filter_map(|k| {
            let b = before.get(k).cloned().unwrap_or(Value::Null);
            let a = after.get(k).cloned().unwrap_or(Value::Null);
            if b == a {
                return None;
            }
            if REDACTED.contains(&k.as_str()) {
                let mark = |v: &Value| if v.is_null() { Value::Null } else { Value::from("[FILTERED]") };
                return Some((k.clone(), [mark(&b), mark(&a)]));
            }
            Some((k.clone(), [b, a]))
        })
        .collect()
}

#[derive(Insertable)]
#[diesel(table_name = versions)]
struct NewVersion<'a> {
    item_type: &'a str,
    item_id: i32,
    event: &'a str,
    author_agent_id: Option<i32>,
    whodunnit: &'a str,
    changes: String,
    created_at: chrono::NaiveDateTime,
}

/// Writes one version row. Call it inside the write transaction of the change it describes.
/// An update that changed nothing records nothing.
pub fn record<T: Serialize>(
    conn: &mut DbConn,
    author: &Author,
    item_type: &str,
    item_id: i32,
    event: Event,
    before: Option<&T>,
    after: Option<&T>,
) -> QueryResult<()> {
    let changes = diff(before, after);
    if event == Event::Update && changes.is_empty() {
        return Ok(());
    }
    let changes =
        serde_json::to_string(&changes).map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
    diesel::insert_into(versions::table)
        .values(NewVersion {
            item_type,
            item_id,
            event: event.as_str(),
            author_agent_id: author.agent_id,
            whodunnit: &author.whodunnit,
            changes,
            created_at: now_utc(),
        })
        .execute(conn)?;
    touch(item_type, item_id, event, after.or(before));
    Ok(())
}

/// Item types whose changes are announced to webhooks from their audit versions: usagers,
/// agents and the links between them are written by many services (booking, imports,
/// merges, invitations…), and their version is the one place every such write passes.
const ANNOUNCED: &[&str] = &["User", "UserProfile", "ReferentAssignation", "Agent", "AgentRole"];

/// A change to announce when the transaction commits: the item, its event and its last
/// serialisation (before the change for a deletion).
#[derive(Debug, Clone)]
pub struct Touch {
    pub item_type: &'static str,
    pub item_id: i32,
    pub event: Event,
    pub snapshot: Value,
}

thread_local! {
    /// The changes of the write transaction running on this thread (`None` outside one).
    /// A transaction runs on one thread from `BEGIN` to `COMMIT` (`db::write_tx`).
    static TOUCHED: std::cell::RefCell<Option<Vec<Touch>>> = const { std::cell::RefCell::new(None) };
}

fn touch<T: Serialize>(item_type: &str, item_id: i32, event: Event, snapshot: Option<&T>) {
    let Some(item_type) = ANNOUNCED.iter().copied().find(|t| *t == item_type) else { return };
    let snapshot = snapshot.and_then(|s| serde_json::to_value(s).ok()).unwrap_or(Value::Null);
    TOUCHED.with(|t| {
        if let Some(list) = t.borrow_mut().as_mut() {
            list.push(Touch { item_type, item_id, event, snapshot });
        }
    });
}

/// Starts collecting the changes of a new outermost write transaction.
pub fn begin_touches() {
    TOUCHED.with(|t| *t.borrow_mut() = Some(Vec::new()));
}

/// The changes collected since [`begin_touches`]; stops collecting.
pub fn take_touches() -> Vec<Touch> {
    TOUCHED.with(|t| t.borrow_mut().take()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Item {
        name: &'static str,
        email: Option<&'static str>,
        password_hash: Option<&'static str>,
        updated_at: i32,
    }

    #[test]
    fn diff_reports_changed_fields_only_and_redacts_secrets() {
        let before = Item { name: "MDS Arras", email: None, password_hash: Some("x"), updated_at: 1 };
        let after = Item { name: "MDS Arras", email: Some("a@b.fr"), password_hash: Some("y"), updated_at: 2 };
        let d = diff(Some(&before), Some(&after));
        assert_eq!(d.len(), 2);
        assert_eq!(d["email"], [Value::Null, Value::from("a@b.fr")]);
        assert_eq!(d["password_hash"], [Value::from("[FILTERED]"), Value::from("[FILTERED]")]);
    }

    #[test]
    fn diff_of_creation_lists_every_field() {
        let after = Item { name: "MDS Lens", email: None, password_hash: None, updated_at: 1 };
        let d = diff(None, Some(&after));
        assert_eq!(d.keys().collect::<Vec<_>>(), vec!["name"]); // nulls stay null: no change
        assert_eq!(d["name"], [Value::Null, Value::from("MDS Lens")]);
    }
}
