DROP TABLE participations;
DROP TABLE agents_rdvs;
DROP TABLE rdvs;
DROP TABLE absences;
DROP TABLE plage_ouverture_motifs;
DROP TABLE plage_ouvertures;
ALTER TABLE organisations DROP COLUMN allow_saturday_openings;
