-- Organisation structure (issue 3): territory settings and services, organisation details,
-- agent preferences, territorial access rights, teams, invitations, mail outbox, lieux, motifs.
-- Keep equivalent to the other backend's folder (a test compares them).

-- Usager field toggles and RDV settings per territory (reference-domain.md §1.2).
ALTER TABLE territories ADD COLUMN enable_notes_field BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE territories ADD COLUMN enable_caisse_affiliation_field BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE territories ADD COLUMN enable_affiliation_number_field BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE territories ADD COLUMN enable_family_situation_field BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE territories ADD COLUMN enable_number_of_children_field BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE territories ADD COLUMN enable_logement_field BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE territories ADD COLUMN enable_case_number BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE territories ADD COLUMN enable_address_details BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE territories ADD COLUMN enable_context_field BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE territories ADD COLUMN visible_users_throughout_the_territory BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE territory_services (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    territory_id INTEGER NOT NULL REFERENCES territories (id),
    service_id INTEGER NOT NULL REFERENCES services (id),
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX index_territory_services_on_territory_id_and_service_id ON territory_services (territory_id, service_id);
CREATE INDEX index_territory_services_on_service_id ON territory_services (service_id);

ALTER TABLE organisations ADD COLUMN website TEXT;
ALTER TABLE organisations ADD COLUMN horaires TEXT;
ALTER TABLE organisations ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX index_organisations_on_territory_id_and_external_id ON organisations (territory_id, external_id);

-- Agent preferences (reference §1.3).
ALTER TABLE agents ADD COLUMN rdv_notifications_level TEXT NOT NULL DEFAULT 'others';
ALTER TABLE agents ADD COLUMN plage_ouverture_notification_level TEXT NOT NULL DEFAULT 'all';
ALTER TABLE agents ADD COLUMN absence_notification_level TEXT NOT NULL DEFAULT 'all';
ALTER TABLE agents ADD COLUMN display_saturdays BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE agent_territorial_access_rights (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agent_id INTEGER NOT NULL REFERENCES agents (id),
    territory_id INTEGER NOT NULL REFERENCES territories (id),
    allow_to_manage_teams BOOLEAN NOT NULL DEFAULT FALSE,
    allow_to_manage_access_rights BOOLEAN NOT NULL DEFAULT FALSE,
    allow_to_invite_agents BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX index_agent_territorial_access_rights_on_agent_and_territory ON agent_territorial_access_rights (agent_id, territory_id);
CREATE INDEX index_agent_territorial_access_rights_on_territory_id ON agent_territorial_access_rights (territory_id);

CREATE TABLE teams (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    territory_id INTEGER NOT NULL REFERENCES territories (id),
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX index_teams_on_territory_id_and_name ON teams (territory_id, name);

CREATE TABLE agent_teams (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    team_id INTEGER NOT NULL REFERENCES teams (id),
    agent_id INTEGER NOT NULL REFERENCES agents (id),
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX index_agent_teams_on_team_id_and_agent_id ON agent_teams (team_id, agent_id);
CREATE INDEX index_agent_teams_on_agent_id ON agent_teams (agent_id);

-- Invitations: only a digest of the token is stored; the link is shown once to the inviting admin.
CREATE TABLE agent_invitations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agent_id INTEGER NOT NULL REFERENCES agents (id),
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    invited_by_agent_id INTEGER REFERENCES agents (id),
    token_digest TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    accepted_at TIMESTAMP,
    revoked_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX index_agent_invitations_on_token_digest ON agent_invitations (token_digest);
CREATE INDEX index_agent_invitations_on_agent_id ON agent_invitations (agent_id);
CREATE INDEX index_agent_invitations_on_organisation_id ON agent_invitations (organisation_id);
CREATE INDEX index_agent_invitations_on_invited_by_agent_id ON agent_invitations (invited_by_agent_id);

-- Outgoing mail, written in the transaction of the change that causes it; a sender delivers it.
CREATE TABLE mail_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    to_address TEXT NOT NULL,
    from_address TEXT NOT NULL,
    reply_to TEXT,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX index_mail_outbox_on_sent_at ON mail_outbox (sent_at);

CREATE TABLE lieux (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    phone_number TEXT,
    latitude DOUBLE PRECISION,
    longitude DOUBLE PRECISION,
    availability TEXT NOT NULL DEFAULT 'enabled',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX index_lieux_on_organisation_id ON lieux (organisation_id);

CREATE TABLE motif_categories (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    short_name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX index_motif_categories_on_short_name ON motif_categories (short_name);

CREATE TABLE motifs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    service_id INTEGER NOT NULL REFERENCES services (id),
    motif_category_id INTEGER REFERENCES motif_categories (id),
    name TEXT NOT NULL,
    color TEXT NOT NULL,
    default_duration_in_min INTEGER NOT NULL DEFAULT 30,
    location_type TEXT NOT NULL DEFAULT 'public_office',
    bookable_by TEXT NOT NULL DEFAULT 'agents',
    collectif BOOLEAN NOT NULL DEFAULT FALSE,
    min_public_booking_delay INTEGER NOT NULL DEFAULT 1800,
    max_public_booking_delay INTEGER NOT NULL DEFAULT 7889238,
    visibility_type TEXT NOT NULL DEFAULT 'visible_and_notified',
    sectorisation_level TEXT NOT NULL DEFAULT 'departement',
    follow_up BOOLEAN NOT NULL DEFAULT FALSE,
    for_secretariat BOOLEAN NOT NULL DEFAULT FALSE,
    instruction_for_rdv TEXT,
    restriction_for_rdv TEXT,
    custom_cancel_warning_message TEXT,
    rdvs_editable_by_user BOOLEAN NOT NULL DEFAULT TRUE,
    rdvs_cancellable_by_user BOOLEAN NOT NULL DEFAULT TRUE,
    deleted_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX index_motifs_on_organisation_id ON motifs (organisation_id);
CREATE INDEX index_motifs_on_service_id ON motifs (service_id);
CREATE INDEX index_motifs_on_motif_category_id ON motifs (motif_category_id);
