DROP INDEX index_outbox_on_sequence_key;
ALTER TABLE outbox DROP COLUMN sequence_key;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
