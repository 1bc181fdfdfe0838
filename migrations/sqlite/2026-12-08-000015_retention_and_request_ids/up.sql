-- Data retention (RGPD, issue 18). Keep equivalent to the other backend's folder.
-- A territory's policy, in days (no row: the reference's defaults, rdv_shared::retention::DEFAULT).
CREATE TABLE retention_policies (
    territory_id INTEGER PRIMARY KEY REFERENCES territories (id) ON DELETE CASCADE,
    rdv_days INTEGER NOT NULL,
    inactive_usager_days INTEGER NOT NULL,
    receipt_days INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- Every real run with what it deleted (the JSON of dto::RetentionReport).
CREATE TABLE retention_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP NOT NULL,
    report TEXT NOT NULL
);
CREATE INDEX index_retention_runs_on_started_at ON retention_runs (started_at);
-- The purge reads these by age.
CREATE INDEX index_versions_on_created_at ON versions (created_at);
CREATE INDEX index_receipts_on_created_at ON receipts (created_at);
CREATE INDEX index_users_on_updated_at ON users (updated_at);
-- The request that caused an outbox row (x-request-id), logged by the worker that delivers it.
ALTER TABLE outbox ADD COLUMN request_id TEXT;
