-- Columns that are NULL for almost every row (no responsable, no invitation, no public
-- cancellation token) get partial indexes. With a full index, ANALYZE counts the NULLs as one
-- value shared by every row, and SQLite's planner (without stat4 samples) then prefers a table
-- scan for `col = ?`: a public booking scanned the 200 000 usagers twice. A query's `col = ?`
-- implies `col IS NOT NULL`, so both backends use these indexes for it.
DROP INDEX index_users_on_responsible_id;
CREATE INDEX index_users_on_responsible_id ON users (responsible_id) WHERE responsible_id IS NOT NULL;
DROP INDEX index_users_on_rdv_invitation_token;
CREATE UNIQUE INDEX index_users_on_rdv_invitation_token ON users (rdv_invitation_token)
  WHERE rdv_invitation_token IS NOT NULL;
DROP INDEX index_participations_on_cancel_token_digest;
CREATE UNIQUE INDEX index_participations_on_cancel_token_digest ON participations (cancel_token_digest)
  WHERE cancel_token_digest IS NOT NULL;
