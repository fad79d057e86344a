-- Secrets of accounts (issue 12, point 6).
--
-- API tokens may expire: NULL is a token without expiry (every token made
-- before this migration).
--
-- Password resets: a single-use, expiring token, stored as its SHA-256 like
-- every other token, sent by e-mail or printed by
-- `tribune user reset-password`.
--
-- The iCal secret is stored as the SHA-256 of the token in the URL, so a
-- leaked database does not leak working feed URLs. Existing secrets are
-- invalidated rather than hashed in place: they were written in clear to
-- debug logs, and SQLite has no SHA-256 function to hash them here. A
-- 'revoked-' value never equals a 64-character hex digest, so the old URLs
-- stop working until an editor makes a new one ("New iCal link").

-- +goose Up
ALTER TABLE api_tokens ADD COLUMN expires_at DATETIME;

CREATE TABLE password_resets (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    expires_at DATETIME NOT NULL,
    used_at    DATETIME,
    created_at DATETIME NOT NULL
);
CREATE INDEX password_resets_user ON password_resets (user_id);

ALTER TABLE workspaces RENAME COLUMN ical_token TO ical_token_hash;
UPDATE workspaces SET ical_token_hash = 'revoked-' || id;

-- +goose Down
ALTER TABLE workspaces RENAME COLUMN ical_token_hash TO ical_token;
DROP TABLE password_resets;
ALTER TABLE api_tokens DROP COLUMN expires_at;
