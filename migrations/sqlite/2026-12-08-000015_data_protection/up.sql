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
-- Reads of a usager's record by agents of none of its organisations (territory-wide visibility).
-- An audit record itself: deleted with the personal versions (retention), no version of its own.
CREATE TABLE usager_reads (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    agent_id INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    action TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX index_usager_reads_on_user_id_and_created_at ON usager_reads (user_id, created_at);
CREATE INDEX index_usager_reads_on_created_at ON usager_reads (created_at);
