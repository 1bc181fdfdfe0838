-- Outgoing webhooks (issue 16): endpoints per organisation, and a log of every delivery
-- attempt. Events travel through the outbox (channel 'webhook'); `sequence_key` keeps the
-- events of one record in order per endpoint (a row is not claimed while an earlier row with
-- the same key is undone). Keep equivalent to the other backend's folder.
CREATE TABLE webhook_endpoints (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    target_url TEXT NOT NULL,
    secret TEXT NOT NULL,
    -- JSON array of model names in snake case (rdv, absence, plage_ouverture, user, ...).
    subscriptions TEXT NOT NULL,
    -- Set when an event could not be delivered after every retry (about 3 days).
    flagged_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX index_webhook_endpoints_on_organisation_id_and_target_url ON webhook_endpoints (organisation_id, target_url);

CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    endpoint_id INTEGER NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    outbox_id INTEGER NOT NULL,
    model TEXT NOT NULL,
    event TEXT NOT NULL,
    record_id INTEGER NOT NULL,
    -- HTTP status, NULL when no answer came (timeout, refused).
    status_code INTEGER,
    success BOOLEAN NOT NULL,
    latency_ms INTEGER NOT NULL,
    response_excerpt TEXT,
    error TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX index_webhook_deliveries_on_endpoint_id_and_id ON webhook_deliveries (endpoint_id, id);

ALTER TABLE outbox ADD COLUMN sequence_key TEXT;
CREATE INDEX index_outbox_on_sequence_key ON outbox (sequence_key, id);
