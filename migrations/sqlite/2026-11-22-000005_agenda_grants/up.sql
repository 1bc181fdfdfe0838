-- Agenda access grants (issue 6): who may see or write which agendas, at which level.
-- Keep equivalent to the other backend's folder (a test compares them).

CREATE TABLE agenda_grants (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The territory whose managers see and manage it (the target's).
    territory_id INTEGER NOT NULL REFERENCES territories (id),
    grantee_type TEXT NOT NULL,
    grantee_id INTEGER NOT NULL,
    grantee_organisation_id INTEGER REFERENCES organisations (id),
    target_type TEXT NOT NULL,
    target_id INTEGER NOT NULL,
    target_organisation_id INTEGER REFERENCES organisations (id),
    level TEXT NOT NULL,
    motif_service_id INTEGER REFERENCES services (id),
    -- `join` for the grant made when the agent joined an organisation (seed 001), else `manual`.
    origin TEXT NOT NULL DEFAULT 'manual',
    created_by_agent_id INTEGER REFERENCES agents (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX index_agenda_grants_on_grantee ON agenda_grants (grantee_type, grantee_id);
CREATE INDEX index_agenda_grants_on_target ON agenda_grants (target_type, target_id);
CREATE INDEX index_agenda_grants_on_territory_id ON agenda_grants (territory_id);

-- Seed 001: an agent who joins an organisation gets write access to the agendas of its other
-- agents of the same service there, as a visible, revocable grant (`origin = 'join'`). The
-- secretariat keeps its organisation-wide default (reference). Backfill for existing roles:
INSERT INTO agenda_grants (territory_id, grantee_type, grantee_id, target_type, target_id, target_organisation_id, level, origin, created_at)
SELECT o.territory_id, 'agent', r.agent_id, 'service', s.service_id, r.organisation_id, 'write', 'join', CURRENT_TIMESTAMP
FROM agent_roles r
JOIN organisations o ON o.id = r.organisation_id
JOIN agent_services s ON s.agent_id = r.agent_id
JOIN services sv ON sv.id = s.service_id
WHERE sv.short_name <> 'Secrétariat';
