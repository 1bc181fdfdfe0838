-- Rate limits shared by every server of a database (issue 18). Keep equivalent to the other
-- backend's folder. One row per limited key (`sign_in:ip:…`, `sign_in:email:…`, `public:ip:…`):
-- requests counted in the current one-minute window; rows of past windows are purged as they go.
CREATE TABLE rate_limits (
    key TEXT PRIMARY KEY NOT NULL,
    window_start TIMESTAMP NOT NULL,
    count INTEGER NOT NULL
);
CREATE INDEX index_rate_limits_on_window_start ON rate_limits (window_start);
