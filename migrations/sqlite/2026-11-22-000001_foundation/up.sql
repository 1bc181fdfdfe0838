-- Foundation: territories, organisations, services, agents and their roles, audit versions,
-- sign-in sessions. Keep equivalent to migrations/postgres (a test compares them).

CREATE TABLE territories (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    departement_number TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE organisations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    territory_id INTEGER NOT NULL REFERENCES territories (id),
    name TEXT NOT NULL,
    time_zone TEXT NOT NULL DEFAULT 'Europe/Paris',
    phone_number TEXT,
    email TEXT,
    verticale TEXT NOT NULL DEFAULT 'rdv_solidarites',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX index_organisations_on_territory_id_and_name ON organisations (territory_id, name);

CREATE TABLE services (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    short_name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX index_services_on_name ON services (name);
CREATE UNIQUE INDEX index_services_on_short_name ON services (short_name);

CREATE TABLE agents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT,
    password_hash TEXT,
    first_name TEXT,
    last_name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP
);
CREATE UNIQUE INDEX index_agents_on_email ON agents (email);

CREATE TABLE agent_roles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agent_id INTEGER NOT NULL REFERENCES agents (id),
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    access_level TEXT NOT NULL DEFAULT 'basic',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX index_agent_roles_on_agent_id_and_organisation_id ON agent_roles (agent_id, organisation_id);
CREATE INDEX index_agent_roles_on_organisation_id ON agent_roles (organisation_id);

CREATE TABLE agent_services (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agent_id INTEGER NOT NULL REFERENCES agents (id),
    service_id INTEGER NOT NULL REFERENCES services (id),
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX index_agent_services_on_agent_id_and_service_id ON agent_services (agent_id, service_id);
CREATE INDEX index_agent_services_on_service_id ON agent_services (service_id);

CREATE TABLE agent_territorial_roles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agent_id INTEGER NOT NULL REFERENCES agents (id),
    territory_id INTEGER NOT NULL REFERENCES territories (id),
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX index_agent_territorial_roles_on_agent_id_and_territory_id ON agent_territorial_roles (agent_id, territory_id);
CREATE INDEX index_agent_territorial_roles_on_territory_id ON agent_territorial_roles (territory_id);

-- Audit trail: one row per create/update/destroy, written in the same transaction as the change.
CREATE TABLE versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    item_type TEXT NOT NULL,
    item_id INTEGER NOT NULL,
    event TEXT NOT NULL,
    author_agent_id INTEGER,
    whodunnit TEXT NOT NULL,
    changes TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX index_versions_on_item_type_and_item_id ON versions (item_type, item_id);

-- Issued API tokens (JWT ids), so that sign-out can revoke one.
CREATE TABLE auth_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agent_id INTEGER NOT NULL REFERENCES agents (id),
    jti TEXT NOT NULL,
    client TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX index_auth_tokens_on_jti ON auth_tokens (jti);
CREATE INDEX index_auth_tokens_on_agent_id ON auth_tokens (agent_id);

-- The service catalogue every territory starts with (reference-domain.md §1.2).
INSERT INTO services (name, short_name, created_at, updated_at) VALUES
    ('PMI (Protection Maternelle Infantile)', 'PMI', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('Service social', 'Service social', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('CPEF (Centre de planification et d''éducation familiale)', 'CPEF', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('Secrétariat', 'Secrétariat', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);
