//! Partner shared-secret authentication, as RDV-Solidarités offers rdv-insertion
//! (reference-api-v1.md §1.2): the request names the acting agent in `uid` and proves it with
//! `X-Agent-Auth-Signature` = lowercase hex HMAC-SHA256(secret, payload), where the payload is the
//! agent's `{"id","first_name","last_name","email"}` serialised exactly as Rails' `Hash#to_json`.
//! Enabled only when `RDV_PARTNER_SHARED_SECRET` is set. The signature carries no timestamp: it is
//! a static credential per agent, valid until the agent's name or email changes.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::db::models::agent::AgentRow;

pub const SIGNATURE_HEADER: &str = "x-agent-auth-signature";

/// A JSON string (or `null`) escaped as ActiveSupport does: `<`, `>`, `&`, U+2028 and U+2029 as
/// `\uXXXX` escapes, other non-ASCII characters raw.
fn rails_json_string(value: Option<&str>) -> String {
    let Some(v) = value else { return "null".into() };
    let json = serde_json::Value::from(v).to_string();
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// The signed message for an agent: keys in this order, no whitespace.
pub fn payload(agent: &AgentRow) -> String {
    format!(
        "{{\"id\":{},\"first_name\":{},\"last_name\":{},\"email\":{}}}",
        agent.id,
        rails_json_string(agent.first_name.as_deref()),
        rails_json_string(Some(&agent.last_name)),
        rails_json_string(agent.email.as_deref()),
    )
}

fn mac(secret: &[u8]) -> Option<Hmac<Sha256>> {
    Hmac::<Sha256>::new_from_slice(secret).ok()
}

/// The signature a partner sends for `message` (lowercase hex).
pub fn sign(secret: &[u8], message: &str) -> String {
    match mac(secret) {
        Some(mut m) => {
            m.update(message.as_bytes());
            hex::encode(m.finalize().into_bytes())
        }
        None => String::new(),
    }
}

/// Constant-time check of a presented signature for this agent.
pub fn verify(secret: &[u8], agent: &AgentRow, presented: &str) -> bool {
    let (Some(mut m), Ok(bytes)) = (mac(secret), hex::decode(presented.trim())) else { return false };
    m.update(payload(agent).as_bytes());
    m.verify_slice(&bytes).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agent(first: Option<&str>, last: &str, email: &str) -> AgentRow {
        let now = chrono::Utc::now().naive_utc();
        AgentRow {
            id: 12,
            email: Some(email.into()),
            password_hash: None,
            first_name: first.map(Into::into),
            last_name: last.into(),
            created_at: now,
            updated_at: now,
            deleted_at: None,
            rdv_notifications_level: "others".into(),
            plage_ouverture_notification_level: "all".into(),
            absence_notification_level: "all".into(),
            display_saturdays: false,
        }
    }

    #[test]
    fn payload_matches_rails_to_json() {
        let a = agent(Some("Agrippin"), "Menard", "agent@example.com");
        assert_eq!(
            payload(&a),
            r#"{"id":12,"first_name":"Agrippin","last_name":"Menard","email":"agent@example.com"}"#
        );
        let b = agent(None, "Lefèvre <& Fils>", "x@y.fr");
        assert_eq!(
            payload(&b),
            r#"{"id":12,"first_name":null,"last_name":"Lefèvre \u003c\u0026 Fils\u003e","email":"x@y.fr"}"#
        );
        let c = agent(Some("A\u{2028}B \"q\""), "N", "x@y.fr");
        assert!(payload(&c).contains(r#""A\u2028B \"q\"""#), "{}", payload(&c));
    }

    #[test]
    fn sign_and_verify() {
        let a = agent(Some("Agrippin"), "Menard", "agent@example.com");
        let sig = sign(b"secret", &payload(&a));
        assert_eq!(sig.len(), 64);
        assert!(verify(b"secret", &a, &sig));
        assert!(verify(b"secret", &a, &sig.to_uppercase()), "hex case does not matter");
        assert!(!verify(b"other", &a, &sig));
        assert!(!verify(b"secret", &agent(Some("Agrippine"), "Menard", "agent@example.com"), &sig));
        assert!(!verify(b"secret", &a, ""));
        assert!(!verify(b"secret", &a, "zz"));
    }
}
