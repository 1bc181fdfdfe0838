//! The API token kept in `localStorage`, so a reload keeps the agent signed in until the
//! token expires or the agent signs out.

use leptos::prelude::RwSignal;
use serde::{Deserialize, Serialize};

const KEY: &str = "rdv.session";
const ORGANISATION_KEY: &str = "rdv.organisation";

/// The signed-in session, `None` when signed out; provided by the app to every page.
pub type SessionSignal = RwSignal<Option<Session>>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub token: String,
    pub client: String,
    pub uid: String,
    /// Unix seconds.
    pub expiry: i64,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn now_secs() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

/// The stored session, unless missing, unreadable or expired.
pub fn load() -> Option<Session> {
    let raw = storage()?.get_item(KEY).ok()??;
    let session: Session = serde_json::from_str(&raw).ok()?;
    if session.expiry <= now_secs() {
        clear();
        return None;
    }
    Some(session)
}

pub fn save(session: &Session) {
    if let (Some(s), Ok(raw)) = (storage(), serde_json::to_string(session)) {
        let _ = s.set_item(KEY, &raw);
    }
}

pub fn clear() {
    if let Some(s) = storage() {
        let _ = s.remove_item(KEY);
    }
}

/// The organisation chosen in the switcher, remembered across reloads.
pub fn load_organisation() -> Option<i32> {
    storage()?.get_item(ORGANISATION_KEY).ok()??.parse().ok()
}

pub fn save_organisation(id: i32) {
    if let Some(s) = storage() {
        let _ = s.set_item(ORGANISATION_KEY, &id.to_string());
    }
}
