DROP TABLE usager_reads;
ALTER TABLE outbox DROP COLUMN request_id;
DROP INDEX index_users_on_updated_at;
DROP INDEX index_receipts_on_created_at;
DROP INDEX index_versions_on_created_at;
DROP TABLE retention_runs;
DROP TABLE retention_policies;
