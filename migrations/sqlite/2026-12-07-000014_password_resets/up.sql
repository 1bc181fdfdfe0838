-- Password reset by email for agents (issue 18). Keep equivalent to the other backend's folder.
-- Only the SHA-256 digest of the emailed token is stored; a reset is usable once, for one hour.
CREATE TABLE password_resets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agent_id INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    token_digest TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX index_password_resets_on_token_digest ON password_resets (token_digest);
CREATE INDEX index_password_resets_on_agent_id ON password_resets (agent_id);
