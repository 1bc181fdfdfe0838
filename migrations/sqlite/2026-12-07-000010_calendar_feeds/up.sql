-- Agenda sync (issue 16): an agent's secret calendar feed (/calendar/{token}.ics), the token
-- stored as a digest. One live feed per agent; creating another revokes the first. Keep
-- equivalent to the other backend's folder.
CREATE TABLE calendar_feeds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agent_id INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    token_digest TEXT NOT NULL,
    -- Usagers' names in the events (off by default: a calendar on a phone is read by others).
    with_details BOOLEAN NOT NULL,
    with_plages BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_read_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE UNIQUE INDEX index_calendar_feeds_on_token_digest ON calendar_feeds (token_digest);
CREATE INDEX index_calendar_feeds_on_agent_id ON calendar_feeds (agent_id);
