DROP TABLE motif_category_territories;
ALTER TABLE participations DROP COLUMN invited;
