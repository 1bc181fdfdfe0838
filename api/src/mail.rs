//! Outgoing email. A change that causes an email writes it to `mail_outbox` inside its own write
//! transaction ([`enqueue`]); after commit, [`deliver_pending`] hands pending messages to the
//! sender. Until the notifications work adds SMTP, the sender is a file-based dev mailbox: one
//! `.eml` file per message under `RDV_DEV_MAILBOX_DIR`.

use std::path::Path;

use diesel::prelude::*;

use crate::db::schema::mail_outbox;
use crate::db::{now_utc, DbConn};

/// A message to send.
pub struct Mail<'a> {
    /// What caused it (`agent_invitation`…), for logs and statistics.
    pub kind: &'a str,
    pub to: &'a str,
    pub from: &'a str,
    /// Replies go to a person (the inviting agent), not to a no-reply address (seed 002).
    pub reply_to: Option<&'a str>,
    pub subject: &'a str,
    pub body_text: &'a str,
}

#[derive(Insertable)]
#[diesel(table_name = mail_outbox)]
struct NewMail<'a> {
    kind: &'a str,
    to_address: &'a str,
    from_address: &'a str,
    reply_to: Option<&'a str>,
    subject: &'a str,
    body_text: &'a str,
    created_at: chrono::NaiveDateTime,
}

/// Queues a message; call it inside the write transaction of the change that causes it.
pub fn enqueue(conn: &mut DbConn, mail: &Mail<'_>) -> QueryResult<i32> {
    diesel::insert_into(mail_outbox::table)
        .values(NewMail {
            kind: mail.kind,
            to_address: mail.to,
            from_address: mail.from,
            reply_to: mail.reply_to,
            subject: mail.subject,
            body_text: mail.body_text,
            created_at: now_utc(),
        })
        .returning(mail_outbox::id)
        .get_result(conn)
}

type Pending = (i32, String, String, String, Option<String>, String, String, chrono::NaiveDateTime);

/// Writes every pending message to the dev mailbox and marks it sent. Failures are logged and
/// the message stays pending (a later call retries it).
pub fn deliver_pending(conn: &mut DbConn, mailbox: &Path) -> QueryResult<usize> {
    let pending: Vec<Pending> = mail_outbox::table
        .filter(mail_outbox::sent_at.is_null())
        .order(mail_outbox::id)
        .select((
            mail_outbox::id,
            mail_outbox::kind,
            mail_outbox::to_address,
            mail_outbox::from_address,
            mail_outbox::reply_to,
            mail_outbox::subject,
            mail_outbox::body_text,
            mail_outbox::created_at,
        ))
        .load(conn)?;
    let mut sent = 0;
    for (id, kind, to, from, reply_to, subject, body, created_at) in pending {
        let eml = format!(
            "From: {from}\r\nTo: {to}\r\n{}Subject: {subject}\r\nDate: {}\r\nX-RDV-Kind: {kind}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n",
            reply_to.map(|r| format!("Reply-To: {r}\r\n")).unwrap_or_default(),
            created_at.and_utc().to_rfc2822(),
        );
        let file = mailbox.join(format!("{id:06}-{kind}.eml"));
        if let Err(e) = std::fs::create_dir_all(mailbox).and_then(|_| std::fs::write(&file, eml)) {
            tracing::error!(error = %e, file = %file.display(), "cannot write to the dev mailbox");
            continue;
        }
        diesel::update(mail_outbox::table.find(id)).set(mail_outbox::sent_at.eq(Some(now_utc()))).execute(conn)?;
        sent += 1;
    }
    Ok(sent)
}
