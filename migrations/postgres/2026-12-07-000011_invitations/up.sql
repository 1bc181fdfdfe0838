-- Invited usagers and rdv-insertion (issue 16). Keep equivalent to the other backend's folder.
-- A participation booked through an invitation link (rdv_invitation_token) says so: the
-- statistics count RDVs by origin (agent, online, invitation, waiting list).
ALTER TABLE participations ADD COLUMN invited BOOLEAN NOT NULL DEFAULT FALSE;
-- Motif categories enabled on a territory (rdv-insertion's I6).
CREATE TABLE motif_category_territories (
    id SERIAL PRIMARY KEY,
    motif_category_id INTEGER NOT NULL REFERENCES motif_categories (id) ON DELETE CASCADE,
    territory_id INTEGER NOT NULL REFERENCES territories (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX index_motif_category_territories_unique ON motif_category_territories (motif_category_id, territory_id);
