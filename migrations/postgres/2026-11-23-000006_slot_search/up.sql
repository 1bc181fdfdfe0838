-- Slot search and booking (issue 7): a motif's slot step, idempotent bookings, the usager's
-- cancellation token, sectorisation (reference-domain.md §1.10).
-- Keep equivalent to the other backend's folder (a test compares them).

-- Minutes between two slot starts (NULL: the motif's duration, as the reference).
ALTER TABLE motifs ADD COLUMN slot_step_in_min INTEGER;

-- SHA-256 of the token given to a usager who booked online (cancel until 4 h before).
ALTER TABLE participations ADD COLUMN cancel_token_digest TEXT;
CREATE UNIQUE INDEX index_participations_on_cancel_token_digest ON participations (cancel_token_digest);

-- A booking request sent again with the same Idempotency-Key returns the same RDV.
CREATE TABLE idempotency_keys (
    id SERIAL PRIMARY KEY,
    -- Who sent it: 'agent:<id>' or 'public'.
    scope TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    -- SHA-256 of the request body: the same key with another body is refused.
    request_digest TEXT NOT NULL,
    rdv_id INTEGER NOT NULL REFERENCES rdvs (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX index_idempotency_keys_on_scope_and_key ON idempotency_keys (scope, idempotency_key);
CREATE INDEX index_idempotency_keys_on_rdv_id ON idempotency_keys (rdv_id);

CREATE TABLE sectors (
    id SERIAL PRIMARY KEY,
    territory_id INTEGER NOT NULL REFERENCES territories (id),
    name TEXT NOT NULL,
    human_id TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX index_sectors_on_territory_id_and_human_id ON sectors (territory_id, human_id);

-- A city (INSEE code) or one street of it (BAN street id) belonging to a sector.
CREATE TABLE zones (
    id SERIAL PRIMARY KEY,
    sector_id INTEGER NOT NULL REFERENCES sectors (id) ON DELETE CASCADE,
    level TEXT NOT NULL,
    city_name TEXT NOT NULL,
    city_code TEXT NOT NULL,
    street_name TEXT,
    street_ban_id TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX index_zones_on_sector_id ON zones (sector_id);
CREATE INDEX index_zones_on_city_code ON zones (city_code);
CREATE INDEX index_zones_on_street_ban_id ON zones (street_ban_id);

-- A sector served by an organisation, or by one agent of it.
CREATE TABLE sector_attributions (
    id SERIAL PRIMARY KEY,
    sector_id INTEGER NOT NULL REFERENCES sectors (id) ON DELETE CASCADE,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    level TEXT NOT NULL,
    agent_id INTEGER REFERENCES agents (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX index_sector_attributions_on_sector_id ON sector_attributions (sector_id);
CREATE INDEX index_sector_attributions_on_organisation_id ON sector_attributions (organisation_id);
