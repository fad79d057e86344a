-- Outgoing webhooks (issue 14, section 7; PRODUCT.md X2).
--
-- An endpoint is a workspace's https address that receives the events it
-- subscribed to (events: their names joined by commas), signed with a
-- secret Tribune generated: AES-256-GCM sealed with the keyring like channel
-- tokens (secret_key_id names the key), because Tribune must read it back to
-- sign, so a hash would not do. failing_since is when its current run of
-- failed attempts began (NULL while it succeeds): an endpoint failing for
-- long is disabled, with disabled_reason saying why.
--
-- A delivery row is one attempt to POST one event to one endpoint, kept for
-- the delivery log and purged after some days; the event itself lives in the
-- River job that delivers it.

-- +goose Up
CREATE TABLE webhook_endpoints (
    id              INTEGER PRIMARY KEY,
    workspace_id    INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    url             TEXT NOT NULL,
    events          TEXT NOT NULL,
    secret_sealed   BLOB NOT NULL,
    secret_key_id   TEXT NOT NULL,
    enabled         BOOLEAN NOT NULL DEFAULT TRUE,
    disabled_reason TEXT NOT NULL DEFAULT '',
    failing_since   DATETIME,
    created_by      INTEGER NOT NULL REFERENCES users (id),
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL
);
CREATE INDEX webhook_endpoints_workspace ON webhook_endpoints (workspace_id);

CREATE TABLE webhook_deliveries (
    id           INTEGER PRIMARY KEY,
    endpoint_id  INTEGER NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id     TEXT NOT NULL,
    event_type   TEXT NOT NULL,
    attempt      INTEGER NOT NULL,
    at           DATETIME NOT NULL,
    -- delivered | retry | failed
    outcome      TEXT NOT NULL,
    http_status  INTEGER NOT NULL DEFAULT 0,
    duration_ms  INTEGER NOT NULL DEFAULT 0,
    error        TEXT NOT NULL DEFAULT '',
    response     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (endpoint_id, event_id);
CREATE INDEX webhook_deliveries_at ON webhook_deliveries (at);

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
