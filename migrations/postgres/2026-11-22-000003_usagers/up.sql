-- Usagers (issue 4): records, family cell, profiles per organisation, referents, search terms,
-- import jobs. Keep equivalent to the other backend's folder (a test compares them).

ALTER TABLE territories ADD COLUMN enable_pmi_case_number_field BOOLEAN NOT NULL DEFAULT FALSE;
-- Notes kept and shown but no longer writable (seed 003: replaced by dedicated fields).
ALTER TABLE territories ADD COLUMN notes_frozen BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE users (
    id SERIAL PRIMARY KEY,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    birth_name TEXT,
    birth_date DATE,
    email TEXT,
    phone_number TEXT,
    phone_number_formatted TEXT,
    address TEXT,
    post_code TEXT,
    city_code TEXT,
    city_name TEXT,
    address_details TEXT,
    caisse_affiliation TEXT,
    affiliation_number TEXT,
    family_situation TEXT,
    number_of_children INTEGER,
    logement TEXT,
    case_number TEXT,
    pmi_case_number TEXT,
    notes TEXT,
    notify_by_sms BOOLEAN NOT NULL DEFAULT TRUE,
    notify_by_email BOOLEAN NOT NULL DEFAULT TRUE,
    created_through TEXT NOT NULL,
    invited_through TEXT,
    responsible_id INTEGER REFERENCES users (id),
    rdv_invitation_token TEXT,
    rdv_invitation_token_updated_at TIMESTAMP,
    -- Folded "first|last|birth date" (case and accents removed): the duplicate warning's key.
    identity_key TEXT,
    deleted_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX index_users_on_email ON users (email);
CREATE UNIQUE INDEX index_users_on_rdv_invitation_token ON users (rdv_invitation_token);
CREATE INDEX index_users_on_responsible_id ON users (responsible_id);
CREATE INDEX index_users_on_phone_number_formatted ON users (phone_number_formatted);
CREATE INDEX index_users_on_identity_key ON users (identity_key);
-- Lists by name (`GET /users`).
CREATE INDEX index_users_on_last_name_and_first_name ON users (last_name, first_name, id);

CREATE TABLE user_profiles (
    id SERIAL PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX index_user_profiles_on_organisation_id_and_user_id ON user_profiles (organisation_id, user_id);
CREATE INDEX index_user_profiles_on_user_id ON user_profiles (user_id);

CREATE TABLE referent_assignations (
    id SERIAL PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    agent_id INTEGER NOT NULL REFERENCES agents (id),
    created_at TIMESTAMP NOT NULL
);
-- Seed 001 reported duplicated referents: the pair is unique.
CREATE UNIQUE INDEX index_referent_assignations_on_user_id_and_agent_id ON referent_assignations (user_id, agent_id);
CREATE INDEX index_referent_assignations_on_agent_id ON referent_assignations (agent_id);

-- Search: one row per folded term of a usager (kind 0 last/birth name, 1 first name, 2 e-mail
-- and phone digits). A prefix search is a range scan on (kind, term), on both backends.
CREATE TABLE user_search_terms (
    user_id INTEGER NOT NULL REFERENCES users (id),
    kind INTEGER NOT NULL,
    term TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (kind, term, user_id)
);
CREATE INDEX index_user_search_terms_on_user_id_and_term ON user_search_terms (user_id, term);

CREATE TABLE user_imports (
    id SERIAL PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    agent_id INTEGER REFERENCES agents (id),
    filename TEXT NOT NULL,
    status TEXT NOT NULL,
    total_rows INTEGER NOT NULL DEFAULT 0,
    done_rows INTEGER NOT NULL DEFAULT 0,
    created_count INTEGER NOT NULL DEFAULT 0,
    matched_count INTEGER NOT NULL DEFAULT 0,
    warning_count INTEGER NOT NULL DEFAULT 0,
    error_count INTEGER NOT NULL DEFAULT 0,
    -- JSON array of row reports, written as the job progresses.
    report TEXT NOT NULL DEFAULT '[]',
    failure TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX index_user_imports_on_organisation_id ON user_imports (organisation_id);
