-- Notifications (issue 15): one durable outbox for every outgoing message (email, SMS, later
-- webhooks) and for scheduled jobs (reminders), receipts of every delivery attempt, and the
-- territory's SMS provider settings. Keep equivalent to the other backend's folder.

-- A row is written in the transaction of the change that causes it. Workers claim due rows
-- (status pending, run_at passed, or a sending row whose lease expired), deliver, and record
-- the outcome. The idempotency key makes a second enqueue of the same message a no-op and
-- names the message for the receiver (Message-ID, SMS tag).
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL,
    event TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    organisation_id INTEGER,
    rdv_id INTEGER,
    user_id INTEGER,
    agent_id INTEGER,
    recipient TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    run_at TIMESTAMP NOT NULL,
    due_for TIMESTAMP,
    attempts INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    done_at TIMESTAMP
);
CREATE UNIQUE INDEX index_outbox_on_idempotency_key ON outbox (idempotency_key);
CREATE INDEX index_outbox_on_status_and_run_at ON outbox (status, run_at);
CREATE INDEX index_outbox_on_rdv_id ON outbox (rdv_id);
-- The reminder planning's anti-join ("RDVs without a job for their start"): without it
-- PostgreSQL underestimates the job rows and scans the outbox once per RDV.
CREATE INDEX index_outbox_on_rdv_id_and_due_for_jobs ON outbox (rdv_id, due_for) WHERE channel = 'job';

-- The messages the old mail outbox still held move over unchanged.
INSERT INTO outbox (channel, event, idempotency_key, recipient, payload, status, run_at, attempts, created_at, done_at)
SELECT 'mail', kind, 'mail_outbox:' || id, to_address,
       json_object('from', from_address, 'reply_to', reply_to, 'subject', subject, 'text', body_text),
       CASE WHEN sent_at IS NULL THEN 'pending' ELSE 'sent' END, created_at, 0, created_at, sent_at
FROM mail_outbox;
DROP TABLE mail_outbox;

-- One row per delivery attempt (reference §1.9 receipts): what the usager or agent was sent,
-- and what the provider answered. Denormalised so it survives the RDV's deletion.
CREATE TABLE receipts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    outbox_id INTEGER NOT NULL,
    organisation_id INTEGER,
    rdv_id INTEGER,
    user_id INTEGER,
    agent_id INTEGER,
    channel TEXT NOT NULL,
    event TEXT NOT NULL,
    recipient TEXT NOT NULL,
    result TEXT NOT NULL,
    error_message TEXT,
    content TEXT NOT NULL,
    sms_count INTEGER,
    attempt INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX index_receipts_on_outbox_id ON receipts (outbox_id);
CREATE INDEX index_receipts_on_rdv_id ON receipts (rdv_id);
CREATE INDEX index_receipts_on_user_id ON receipts (user_id);

-- SMS provider per territory; the environment (RDV_SMS_*) is the fallback.
ALTER TABLE territories ADD COLUMN sms_provider_url TEXT;
ALTER TABLE territories ADD COLUMN sms_api_key TEXT;
ALTER TABLE territories ADD COLUMN sms_sender TEXT;

-- The usager's link in a notification (/r/{token}): opens that RDV after a check of the first
-- three letters of the last name. Only the token's digest is stored.
CREATE TABLE rdv_links (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    rdv_id INTEGER NOT NULL REFERENCES rdvs (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_digest TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX index_rdv_links_on_token_digest ON rdv_links (token_digest);
CREATE INDEX index_rdv_links_on_rdv_id ON rdv_links (rdv_id);
CREATE INDEX index_rdv_links_on_user_id ON rdv_links (user_id);

-- Waiting list ("file d'attente", reference §4.6): told of an earlier slot, at most once a day
-- and three times in all.
CREATE TABLE file_attentes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    rdv_id INTEGER NOT NULL REFERENCES rdvs (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    notifications_sent INTEGER NOT NULL DEFAULT 0,
    last_creneau_sent_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX index_file_attentes_on_rdv_id_and_user_id ON file_attentes (rdv_id, user_id);
CREATE INDEX index_file_attentes_on_user_id ON file_attentes (user_id);
