//! Email delivery through `lettre`: SMTP when `RDV_SMTP_URL` is set (`smtp://host:port` for a
//! local relay, `smtps://user:pass@host` or `smtp://…?tls=required`), otherwise the file
//! mailbox (one `.eml` per message under `RDV_DEV_MAILBOX_DIR`), so `just run` needs nothing.
//! Messages are multipart: text and HTML alternatives, and when the RDV has one, the calendar
//! twice (as a `text/calendar; method=…` alternative and as an `.ics` attachment, which is what
//! Outlook needs).

use std::path::PathBuf;
use std::time::Duration;

use lettre::message::header::{ContentTransferEncoding, ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::PoolConfig;
use lettre::{Message, SmtpTransport, Transport};
use sha2::{Digest, Sha256};

use super::MailPayload;

/// Why a message was not delivered: `Permanent` is never retried (a malformed address).
#[derive(Debug)]
pub enum SendError {
    Permanent(String),
    Temporary(String),
    /// Nobody to send to any more (a deleted webhook endpoint): dropped, not failed.
    Gone,
}

/// Where emails go.
pub enum Mailer {
    Smtp(Box<SmtpTransport>),
    Files(PathBuf),
}

impl Mailer {
    /// SMTP from the URL, else the file mailbox.
    pub fn new(smtp_url: Option<&str>, mailbox: PathBuf) -> anyhow::Result<Mailer> {
        match smtp_url {
            Some(url) => {
                // Enough pooled connections for every lane of every worker of the process.
                let transport = SmtpTransport::from_url(url)
                    .map_err(|e| anyhow::anyhow!("RDV_SMTP_URL: {e}"))?
                    .timeout(Some(Duration::from_secs(30)))
                    .pool_config(PoolConfig::new().max_size(32))
                    .build();
                Ok(Mailer::Smtp(Box::new(transport)))
            }
            None => Ok(Mailer::Files(mailbox)),
        }
    }

    /// Delivers one message. `key` is the message's idempotency key (its Message-ID derives from
    /// it, so a receiver can drop a copy re-sent after a crash); `id` and `event` name the file.
    pub fn send(&self, id: i32, event: &str, key: &str, to: &str, mail: &MailPayload) -> Result<(), SendError> {
        let message = build(key, to, event, mail)?;
        match self {
            Mailer::Smtp(transport) => transport.send(&message).map(|_| ()).map_err(|e| {
                if e.is_permanent() {
                    SendError::Permanent(e.to_string())
                } else {
                    SendError::Temporary(e.to_string())
                }
            }),
            Mailer::Files(dir) => {
                let file = dir.join(format!("{id:06}-{event}.eml"));
                std::fs::create_dir_all(dir)
                    .and_then(|_| std::fs::write(&file, message.formatted()))
                    .map_err(|e| SendError::Temporary(format!("{}: {e}", file.display())))
            }
        }
    }
}

fn mailbox(field: &str, value: &str) -> Result<Mailbox, SendError> {
    value.parse().map_err(|e| SendError::Permanent(format!("{field} {value:?}: {e}")))
}

/// The MIME message.
pub fn build(key: &str, to: &str, event: &str, mail: &MailPayload) -> Result<Message, SendError> {
    let from = mailbox("from", &mail.from)?;
    let domain = from.email.domain().to_owned();
    let digest = hex::encode(&Sha256::digest(key.as_bytes())[..16]);
    let mut builder = Message::builder()
        .from(from)
        .to(mailbox("to", to)?)
        .subject(mail.subject.clone())
        .message_id(Some(format!("<{digest}@{domain}>")))
        .raw_header(HeaderValue::new(HeaderName::new_from_ascii_str("X-RDV-Kind"), event.to_owned()));
    if let Some(reply_to) = &mail.reply_to {
        builder = builder.reply_to(mailbox("reply_to", reply_to)?);
    }
    let text = SinglePart::plain(mail.text.clone());
    let mut alternative = MultiPart::alternative().singlepart(text);
    if let Some(html) = &mail.html {
        alternative = alternative.singlepart(SinglePart::html(html.clone()));
    }
    let body = match &mail.ics {
        None => alternative,
        Some(ics) => {
            let calendar = ContentType::parse(&format!("text/calendar; charset=utf-8; method={}", ics.method))
                .map_err(|e| SendError::Permanent(e.to_string()))?;
            let attachment_type =
                ContentType::parse("application/ics").map_err(|e| SendError::Permanent(e.to_string()))?;
            let inline = SinglePart::builder()
                .header(calendar)
                .header(ContentTransferEncoding::Base64)
                .body(ics.content.clone());
            MultiPart::mixed()
                .multipart(alternative.singlepart(inline))
                .singlepart(Attachment::new("rdv.ics".to_owned()).body(ics.content.clone(), attachment_type))
        }
    };
    builder.multipart(body).map_err(|e| SendError::Permanent(e.to_string()))
}
