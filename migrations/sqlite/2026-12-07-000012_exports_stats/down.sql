DROP TABLE exports;
DROP INDEX index_rdvs_for_lists;
CREATE INDEX index_rdvs_on_organisation_id_and_starts_at ON rdvs (organisation_id, starts_at);
ALTER TABLE rdvs DROP COLUMN origin;
