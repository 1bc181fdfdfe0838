DROP TABLE sector_attributions;
DROP TABLE zones;
DROP TABLE sectors;
DROP TABLE idempotency_keys;
DROP INDEX index_participations_on_cancel_token_digest;
ALTER TABLE participations DROP COLUMN cancel_token_digest;
ALTER TABLE motifs DROP COLUMN slot_step_in_min;
