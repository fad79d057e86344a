-- The inbox's service-level target (issue 14): per workspace, how long an
-- item may wait for a first response, counted in the business hours the
-- workspace sets (open days, opening hours in the workspace's time zone,
-- French public holidays closed or not). No row: no target, nothing is late.
--
-- An item's first response is not stored: it is read from the audit
-- (inbox_actions), where every member's move already is, so the rule of what
-- counts as a response can change (replies from the inbox) without a
-- backfill. See internal/inbox/sla.go.

-- +goose Up
CREATE TABLE inbox_sla (
    workspace_id    BIGINT PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    target_minutes  BIGINT NOT NULL,
    -- open days, bit n for time.Weekday n (bit 0 Sunday)
    days            BIGINT NOT NULL,
    -- opening and closing times, minutes after local midnight
    open_minute     BIGINT NOT NULL,
    close_minute    BIGINT NOT NULL,
    french_holidays BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at      TIMESTAMPTZ NOT NULL
);

-- The response-time report reads a workspace's items by arrival.
CREATE INDEX inbox_items_arrival ON inbox_items (workspace_id, network_created_at);

-- +goose Down
DROP INDEX inbox_items_arrival;
DROP TABLE inbox_sla;
