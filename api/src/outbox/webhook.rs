//! Webhook delivery (reference-api-v1.md §5, issue 16): `POST <target_url>` with the event's
//! raw JSON body, `X-Lapin-Signature` (hex HMAC-SHA256 of the body, as the reference) and
//! `X-Rdv-Signature: t=…,v1=…` (HMAC of `"<t>.<body>"`, so receivers can refuse replays; see
//! `docs/webhooks.md`). Targets are checked against private addresses again at delivery (DNS
//! may have changed since the endpoint was saved); redirects are not followed (they could lead
//! inside); 10 s timeout; only the start of the answer is read.

use std::io::Read;
use std::net::ToSocketAddrs;
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use rdv_shared::webhooks::{host_allowed, is_forbidden_ip, signature_header, signed_payload};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::email::SendError;
use crate::db::models::webhook::{EndpointRow, NewDelivery};
use crate::db::now_utc;

/// An event as stored in the outbox: the body is rendered when the change happens (a
/// destroyed record's before it is gone) and sent byte for byte.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct WebhookPayload {
    pub endpoint_id: i32,
    pub model: String,
    pub event: String,
    pub record_id: i32,
    pub body: String,
}

/// How many attempts before an event is given up (and its endpoint flagged): with the
/// doubling back-off capped at 6 hours, about three days.
pub const MAX_ATTEMPTS: i32 = 21;
/// How much of the receiver's answer is kept in the delivery log.
const EXCERPT_CHARS: usize = 500;

fn hex_mac(secret: &str, message: &str) -> String {
    match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mut mac) => {
            mac.update(message.as_bytes());
            hex::encode(mac.finalize().into_bytes())
        }
        // HMAC takes keys of any length; kept total rather than unwrapped.
        Err(_) => String::new(),
    }
}

/// `X-Lapin-Signature` and `X-Rdv-Signature` for `body` at `timestamp`.
pub fn signatures(secret: &str, body: &str, timestamp: i64) -> (String, String) {
    let lapin = hex_mac(secret, body);
    let rdv = signature_header(timestamp, &hex_mac(secret, &signed_payload(timestamp, body)));
    (lapin, rdv)
}

/// Refuses targets that are not http(s) or that resolve to a loopback, private or link-local
/// address, unless their host is allowed (`RDV_WEBHOOK_ALLOWED_HOSTS`). The message is French:
/// it is shown to the admin saving the endpoint.
pub fn check_target(url: &str, allowed: &[String]) -> Result<(), String> {
    let parsed = reqwest::Url::parse(url.trim()).map_err(|_| "L'adresse n'est pas une URL valide.".to_owned())?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err("L'adresse doit commencer par https:// (ou http://).".to_owned());
    }
    let host = parsed.host_str().filter(|h| !h.is_empty()).ok_or("L'adresse n'a pas de nom d'hôte.")?;
    if host_allowed(host, allowed) {
        return Ok(());
    }
    let port = parsed.port_or_known_default().unwrap_or(443);
    let addresses: Vec<std::net::SocketAddr> = (host.trim_start_matches('[').trim_end_matches(']'), port)
        .to_socket_addrs()
        .map_err(|_| format!("Le nom d'hôte {host} ne peut pas être résolu."))?
        .collect();
    if addresses.is_empty() {
        return Err(format!("Le nom d'hôte {host} ne peut pas être résolu."));
    }
    if addresses.iter().any(|a| is_forbidden_ip(a.ip())) {
        return Err(format!(
            "{host} désigne une adresse interne (boucle locale, réseau privé ou lien local) : refusée."
        ));
    }
    Ok(())
}

/// The client webhooks use: no redirects, 10 s in all.
pub fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap_or_else(|_| reqwest::blocking::Client::new())
}

/// One attempt: the outcome and its line in the delivery log.
pub fn send(
    http: &reqwest::blocking::Client,
    endpoint: &EndpointRow,
    payload: &WebhookPayload,
    delivery_id: &str,
    outbox_id: i32,
    allowed: &[String],
) -> (Result<(), SendError>, NewDelivery) {
    let mut log = NewDelivery {
        endpoint_id: endpoint.id,
        outbox_id,
        model: payload.model.clone(),
        event: payload.event.clone(),
        record_id: payload.record_id,
        status_code: None,
        success: false,
        latency_ms: 0,
        response_excerpt: None,
        error: None,
        created_at: now_utc(),
    };
    if let Err(e) = check_target(&endpoint.target_url, allowed) {
        log.error = Some(e.clone());
        return (Err(SendError::Temporary(e)), log);
    }
    let timestamp = chrono::Utc::now().timestamp();
    let (lapin, rdv) = signatures(&endpoint.secret, &payload.body, timestamp);
    let started = Instant::now();
    let sent = http
        .post(&endpoint.target_url)
        .header("Content-Type", "application/json; charset=utf-8")
        .header("X-Lapin-Signature", lapin)
        .header("X-Rdv-Signature", rdv)
        .header("X-Rdv-Delivery", delivery_id)
        .body(payload.body.clone())
        .send();
    log.latency_ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
    let response = match sent {
        Ok(r) => r,
        Err(e) => {
            let e = format!("pas de réponse : {e}");
            log.error = Some(e.clone());
            return (Err(SendError::Temporary(e)), log);
        }
    };
    let status = response.status();
    log.status_code = Some(i32::from(status.as_u16()));
    let mut text = String::new();
    // Only the start of the answer: a receiver cannot make us read megabytes.
    let _ = response.take(4 * EXCERPT_CHARS as u64).read_to_string(&mut text);
    log.response_excerpt = Some(text.chars().take(EXCERPT_CHARS).collect()).filter(|s: &String| !s.is_empty());
    if status.is_success() {
        log.success = true;
        (Ok(()), log)
    } else {
        let e = format!("le destinataire a répondu {status}");
        log.error = Some(e.clone());
        (Err(SendError::Temporary(e)), log)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_hmacs_of_the_body_and_of_the_timestamped_body() {
        let (lapin, rdv) = signatures("secret", r#"{"a":1}"#, 1_765_000_000);
        assert_eq!(lapin, hex_mac("secret", r#"{"a":1}"#));
        assert_eq!(lapin.len(), 64);
        assert_eq!(rdv, format!("t=1765000000,v1={}", hex_mac("secret", r#"1765000000.{"a":1}"#)));
        assert_ne!(signatures("other", r#"{"a":1}"#, 1_765_000_000).0, lapin);
    }

    #[test]
    fn targets() {
        let none: Vec<String> = Vec::new();
        assert!(check_target("ftp://example.fr/x", &none).is_err());
        assert!(check_target("not a url", &none).is_err());
        assert!(check_target("http://127.0.0.1:9000/hook", &none).unwrap_err().contains("adresse interne"));
        assert!(check_target("http://[::1]:9000/hook", &none).is_err());
        assert!(check_target("http://169.254.169.254/latest/meta-data", &none).is_err());
        assert!(check_target("http://localhost:9000/hook", &none).is_err());
        let allowed = vec!["127.0.0.1".to_owned()];
        assert!(check_target("http://127.0.0.1:9000/hook", &allowed).is_ok());
    }
}
