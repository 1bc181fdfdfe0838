DROP TABLE file_attentes;
DROP TABLE rdv_links;
ALTER TABLE territories DROP COLUMN sms_sender;
ALTER TABLE territories DROP COLUMN sms_api_key;
ALTER TABLE territories DROP COLUMN sms_provider_url;
DROP TABLE receipts;
CREATE TABLE mail_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    to_address TEXT NOT NULL,
    from_address TEXT NOT NULL,
    reply_to TEXT,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX index_mail_outbox_on_sent_at ON mail_outbox (sent_at);
DROP TABLE outbox;
