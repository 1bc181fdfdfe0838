-- RDV lists, exports and statistics (issue 17). Keep equivalent to the other backend's folder.
-- Where an RDV came from, fixed when it is made (statistics group by it over indexed columns, with
-- no join): agent, user (online), invitation (an rdv-insertion link), file_attente (moved to an
-- earlier slot offered by the waiting list), prescripteur.
ALTER TABLE rdvs ADD COLUMN origin TEXT NOT NULL DEFAULT 'agent';
UPDATE rdvs SET origin = 'user' WHERE created_by_type = 'User';
UPDATE rdvs SET origin = 'prescripteur' WHERE created_by_type = 'Prescripteur';
UPDATE rdvs SET origin = 'invitation'
 WHERE created_by_type = 'User' AND EXISTS (SELECT 1 FROM participations p WHERE p.rdv_id = rdvs.id AND p.invited);
-- Lists and statistics read an organisation's RDVs by start with their motif, status and origin:
-- one covering index, in the order statistics group by (SQLite then aggregates as it scans, with
-- no temporary sort). It replaces the (organisation_id, starts_at) index, its prefix.
DROP INDEX index_rdvs_on_organisation_id_and_starts_at;
CREATE INDEX index_rdvs_for_lists ON rdvs (organisation_id, starts_at, motif_id, status, origin);
-- An agent's exports: the filters as given, progress, and the file itself (in the database, so
-- that any server answers the download and a backup holds it), deleted when it expires.
CREATE TABLE exports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agent_id INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    format TEXT NOT NULL,
    filters TEXT NOT NULL,
    status TEXT NOT NULL,
    row_count INTEGER NOT NULL DEFAULT 0,
    rows_done INTEGER NOT NULL DEFAULT 0,
    filename TEXT NOT NULL,
    content BLOB,
    failure TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX index_exports_on_agent_id ON exports (agent_id, created_at);
CREATE INDEX index_exports_on_expires_at ON exports (expires_at);
