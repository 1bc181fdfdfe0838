//! SMS delivery. Two providers: Brevo's transactional SMS API over HTTP (`POST $RDV_SMS_URL`,
//! header `api-key`, JSON `{sender, recipient, content, type, tag}`; a 2xx is "sent", anything
//! else is retried), and the default file sink (one JSON file per message under
//! `$RDV_DATA_DIR/sms`) for `just run`. A territory may override URL, key and sender; the
//! environment is the fallback.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::json;

use super::email::SendError;

/// One SMS provider, resolved for a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provider {
    Http { url: String, api_key: String, sender: String },
    Files { dir: PathBuf, sender: String },
}

impl Provider {
    pub fn name(&self) -> &'static str {
        match self {
            Provider::Http { .. } => "brevo",
            Provider::Files { .. } => "file",
        }
    }
}

/// What the provider said: segments billed, when it tells.
pub struct Sent {
    pub sms_count: Option<i32>,
}

/// Sends `content` to `to` (E.164). `tag` is the message's idempotency key. The HTTP client is
/// built on first use (see `worker::Deliverer`).
pub fn send(
    http: &std::sync::OnceLock<reqwest::blocking::Client>,
    provider: &Provider,
    id: i32,
    to: &str,
    content: &str,
    tag: &str,
) -> Result<Sent, SendError> {
    // Brevo wants the international number without "+".
    let recipient = to.trim_start_matches('+');
    match provider {
        Provider::Http { url, api_key, sender } => {
            let body = json!({
                "sender": sender, "recipient": recipient, "content": content,
                "type": "transactional", "tag": tag,
            });
            let response = http
                .get_or_init(reqwest::blocking::Client::new)
                .post(url)
                .header("api-key", api_key)
                .timeout(Duration::from_secs(15))
                .json(&body)
                .send()
                .map_err(|e| SendError::Temporary(format!("SMS provider unreachable: {e}")))?;
            let status = response.status();
            let text = response.text().unwrap_or_default();
            if !status.is_success() {
                let excerpt: String = text.chars().take(300).collect();
                return Err(SendError::Temporary(format!("SMS provider answered {status}: {excerpt}")));
            }
            let sms_count = serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .and_then(|v| v.get("smsCount").and_then(serde_json::Value::as_i64))
                .and_then(|n| i32::try_from(n).ok());
            Ok(Sent { sms_count })
        }
        Provider::Files { dir, sender } => {
            let file = dir.join(format!("{id:06}.json"));
            let body = json!({ "sender": sender, "recipient": recipient, "content": content, "tag": tag });
            std::fs::create_dir_all(dir)
                .and_then(|_| std::fs::write(&file, body.to_string()))
                .map_err(|e| SendError::Temporary(format!("{}: {e}", file.display())))?;
            Ok(Sent { sms_count: None })
        }
    }
}
