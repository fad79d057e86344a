-- Listening alerts (issue 15 §5): a workspace's rules, the alerts they
-- raised and every attempt to deliver one.
--
-- A rule watches the hourly rollups of 00019 (never the mentions): a volume
-- spike against the same hour of the previous weeks, a negative-share
-- spike, watch words, or a new term rising (the weak signals of
-- internal/listen/signals). topic_id NULL watches every topic.
--
-- An alert is one storm: while its rule keeps firing, the open alert is
-- updated (value, peak, last_fired_at) and nothing is sent again; once the
-- rule has been quiet for cooldown_minutes the alert is closed and the rule
-- re-armed. At most one alert per rule is not closed (the partial unique
-- index), so two evaluations racing cannot both open one.
--
-- A delivery row is one attempt on one channel (inapp, email, slack,
-- webhook, crisis), for the history page; the retries are River's.

-- +goose Up
CREATE TABLE listen_alert_rules (
    id               INTEGER PRIMARY KEY,
    workspace_id     INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name             TEXT NOT NULL,
    -- volume | negative | watch | new_term
    kind             TEXT NOT NULL,
    topic_id         INTEGER REFERENCES listen_topics (id) ON DELETE CASCADE,
    -- volume: this hour against factor × the mean of the same hour of the
    -- previous `weeks` weeks; new_term: the minimum rate against baseline
    factor           REAL NOT NULL DEFAULT 3,
    weeks            INTEGER NOT NULL DEFAULT 4,
    -- below it nothing fires (mentions, negative mentions, or term count)
    min_count        INTEGER NOT NULL DEFAULT 20,
    -- negative: the share of negative mentions in the hour, in (0, 1]
    share            REAL NOT NULL DEFAULT 0.4,
    -- watch: words and #hashtags, one per line, folded
    words            TEXT NOT NULL DEFAULT '',
    cooldown_minutes INTEGER NOT NULL DEFAULT 360,
    -- comma-separated: inapp, email, slack, webhook
    channels         TEXT NOT NULL DEFAULT 'inapp',
    -- the Slack incoming webhook's address, sealed like webhook secrets
    -- (whoever has it may post to the channel); NULL when none
    slack_sealed     BLOB,
    slack_key_id     TEXT NOT NULL DEFAULT '',
    webhook_id       INTEGER REFERENCES webhook_endpoints (id) ON DELETE SET NULL,
    -- on firing, switch the brand to crisis mode (internal/crisis)
    crisis           BOOLEAN NOT NULL DEFAULT FALSE,
    enabled          BOOLEAN NOT NULL DEFAULT TRUE,
    created_by       INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at       DATETIME NOT NULL,
    updated_at       DATETIME NOT NULL
);
CREATE INDEX listen_alert_rules_workspace ON listen_alert_rules (workspace_id);
CREATE INDEX listen_alert_rules_enabled ON listen_alert_rules (enabled, workspace_id);

CREATE TABLE listen_alerts (
    id              INTEGER PRIMARY KEY,
    workspace_id    INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    rule_id         INTEGER NOT NULL REFERENCES listen_alert_rules (id) ON DELETE CASCADE,
    -- open | acknowledged | closed
    state           TEXT NOT NULL DEFAULT 'open',
    title           TEXT NOT NULL,
    -- the hour bucket that fired first
    hour            DATETIME NOT NULL,
    value           INTEGER NOT NULL DEFAULT 0,
    peak            INTEGER NOT NULL DEFAULT 0,
    baseline        REAL NOT NULL DEFAULT 0,
    -- the terms or words that fired, comma-separated
    terms           TEXT NOT NULL DEFAULT '',
    opened_at       DATETIME NOT NULL,
    last_fired_at   DATETIME NOT NULL,
    acknowledged_at DATETIME,
    acknowledged_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    closed_at       DATETIME
);
CREATE INDEX listen_alerts_workspace ON listen_alerts (workspace_id, id);
CREATE UNIQUE INDEX listen_alerts_active ON listen_alerts (rule_id) WHERE closed_at IS NULL;

CREATE TABLE listen_alert_deliveries (
    id           INTEGER PRIMARY KEY,
    alert_id     INTEGER NOT NULL REFERENCES listen_alerts (id) ON DELETE CASCADE,
    workspace_id INTEGER NOT NULL,
    channel      TEXT NOT NULL,
    attempt      INTEGER NOT NULL,
    at           DATETIME NOT NULL,
    -- delivered | retry | failed
    outcome      TEXT NOT NULL,
    error        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX listen_alert_deliveries_alert ON listen_alert_deliveries (alert_id, id);

-- +goose Down
DROP TABLE listen_alert_deliveries;
DROP TABLE listen_alerts;
DROP TABLE listen_alert_rules;
