-- Agenda (issue 5): plages d'ouverture, absences, RDVs, their agents and participations.
-- Keep equivalent to the other backend's folder (a test compares them).

-- Saturday openings are refused unless the organisation allows them (seed 002, RDV-S #1736).
ALTER TABLE organisations ADD COLUMN allow_saturday_openings BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE plage_ouvertures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agent_id INTEGER NOT NULL REFERENCES agents (id),
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    lieu_id INTEGER REFERENCES lieux (id),
    title TEXT NOT NULL,
    first_day DATE NOT NULL,
    start_time TIME NOT NULL,
    end_time TIME NOT NULL,
    -- The rule as the reference's JSON (NULL: once).
    recurrence TEXT,
    -- Last day that can hold an occurrence (first_day when not recurring, NULL when endless):
    -- lets a window query skip ended plages with an index.
    last_day DATE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX index_plage_ouvertures_on_agent_id_and_first_day ON plage_ouvertures (agent_id, first_day);
CREATE INDEX index_plage_ouvertures_on_organisation_id ON plage_ouvertures (organisation_id);
CREATE INDEX index_plage_ouvertures_on_lieu_id ON plage_ouvertures (lieu_id);
CREATE INDEX index_plage_ouvertures_on_last_day ON plage_ouvertures (last_day);

CREATE TABLE plage_ouverture_motifs (
    plage_ouverture_id INTEGER NOT NULL REFERENCES plage_ouvertures (id) ON DELETE CASCADE,
    motif_id INTEGER NOT NULL REFERENCES motifs (id),
    PRIMARY KEY (plage_ouverture_id, motif_id)
);
CREATE INDEX index_plage_ouverture_motifs_on_motif_id ON plage_ouverture_motifs (motif_id);

-- No organisation: an absence blocks the agent everywhere (reference §1.7).
CREATE TABLE absences (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agent_id INTEGER NOT NULL REFERENCES agents (id),
    title TEXT NOT NULL,
    first_day DATE NOT NULL,
    start_time TIME NOT NULL,
    end_day DATE NOT NULL,
    end_time TIME NOT NULL,
    recurrence TEXT,
    last_day DATE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX index_absences_on_agent_id_and_first_day ON absences (agent_id, first_day);
CREATE INDEX index_absences_on_last_day ON absences (last_day);

CREATE TABLE rdvs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    motif_id INTEGER NOT NULL REFERENCES motifs (id),
    lieu_id INTEGER REFERENCES lieux (id),
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    status TEXT NOT NULL DEFAULT 'unknown',
    cancelled_at TIMESTAMP,
    uuid TEXT NOT NULL,
    context TEXT,
    name TEXT,
    max_participants_count INTEGER,
    users_count INTEGER NOT NULL DEFAULT 0,
    -- "Ne pas notifier" chosen at booking time (seed 003, RDV-S #1617).
    notify BOOLEAN NOT NULL DEFAULT TRUE,
    created_by_type TEXT NOT NULL,
    created_by_id INTEGER,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX index_rdvs_on_uuid ON rdvs (uuid);
CREATE INDEX index_rdvs_on_organisation_id_and_starts_at ON rdvs (organisation_id, starts_at);
CREATE INDEX index_rdvs_on_starts_at ON rdvs (starts_at);
CREATE INDEX index_rdvs_on_motif_id ON rdvs (motif_id);
CREATE INDEX index_rdvs_on_lieu_id ON rdvs (lieu_id);

CREATE TABLE agents_rdvs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agent_id INTEGER NOT NULL REFERENCES agents (id),
    rdv_id INTEGER NOT NULL REFERENCES rdvs (id) ON DELETE CASCADE,
    -- Copied from the RDV so that an agent's agenda window is one index range scan.
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX index_agents_rdvs_on_rdv_id_and_agent_id ON agents_rdvs (rdv_id, agent_id);
CREATE INDEX index_agents_rdvs_on_agent_id_and_starts_at ON agents_rdvs (agent_id, starts_at);

CREATE TABLE participations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    rdv_id INTEGER NOT NULL REFERENCES rdvs (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id),
    status TEXT NOT NULL DEFAULT 'unknown',
    send_lifecycle_notifications BOOLEAN NOT NULL DEFAULT TRUE,
    send_reminder_notification BOOLEAN NOT NULL DEFAULT TRUE,
    created_by_type TEXT NOT NULL,
    created_by_id INTEGER,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX index_participations_on_rdv_id_and_user_id ON participations (rdv_id, user_id);
CREATE INDEX index_participations_on_user_id ON participations (user_id);
