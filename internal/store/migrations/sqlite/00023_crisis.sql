-- Crisis mode (issue 15 §6): incidents, their timeline written as things
-- happen, and each brand's playbook (scenarios with their holding
-- statements, roles and checklist).
--
-- One open incident per workspace: the partial unique index refuses a
-- second one even when two alerts race, and a second alert joins the open
-- incident's timeline instead.

-- +goose Up
CREATE TABLE crisis_scenarios (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    trigger_desc TEXT NOT NULL DEFAULT '',
    -- JSON arrays of user ids: who approves statements, who speaks (publishes them)
    approvers    TEXT NOT NULL DEFAULT '[]',
    speakers     TEXT NOT NULL DEFAULT '[]',
    -- JSON array of checklist item labels, in order
    checklist    TEXT NOT NULL DEFAULT '[]',
    created_at   DATETIME NOT NULL,
    updated_at   DATETIME NOT NULL,
    UNIQUE (workspace_id, name)
);

-- A holding statement: one text per network (JSON object, key "" is the
-- text for every other network). Editing it voids its approval.
CREATE TABLE crisis_statements (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    scenario_id  INTEGER NOT NULL REFERENCES crisis_scenarios (id) ON DELETE CASCADE,
    title        TEXT NOT NULL,
    texts        TEXT NOT NULL DEFAULT '{}',
    approved_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    approved_at  DATETIME,
    created_at   DATETIME NOT NULL,
    updated_at   DATETIME NOT NULL
);
CREATE INDEX crisis_statements_scenario ON crisis_statements (scenario_id);

CREATE TABLE crisis_incidents (
    id           INTEGER PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    title        TEXT NOT NULL,
    scenario_id  INTEGER REFERENCES crisis_scenarios (id) ON DELETE SET NULL,
    -- opened_by is NULL when an alert rule opened it
    opened_by    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    opened_at    DATETIME NOT NULL,
    closed_by    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    closed_at    DATETIME
);
CREATE UNIQUE INDEX crisis_incidents_one_open ON crisis_incidents (workspace_id) WHERE closed_at IS NULL;
CREATE INDEX crisis_incidents_workspace ON crisis_incidents (workspace_id, opened_at);

-- The timeline. kind: opened | alert | pause | held | reply | statement |
-- note | check | uncheck | approved | resume | closed. ref_id is the alert,
-- variant, reply, post or checklist item the entry is about.
CREATE TABLE crisis_events (
    id           INTEGER PRIMARY KEY,
    incident_id  INTEGER NOT NULL REFERENCES crisis_incidents (id) ON DELETE CASCADE,
    workspace_id INTEGER NOT NULL,
    at           DATETIME NOT NULL,
    kind         TEXT NOT NULL,
    user_id      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    actor        TEXT NOT NULL DEFAULT '',
    detail       TEXT NOT NULL DEFAULT '',
    ref_id       INTEGER
);
CREATE INDEX crisis_events_incident ON crisis_events (incident_id, at, id);
-- An alert, a held variant is written once per incident however often it is reported.
CREATE UNIQUE INDEX crisis_events_once ON crisis_events (incident_id, kind, ref_id) WHERE kind IN ('alert', 'held');

CREATE TABLE crisis_checks (
    incident_id  INTEGER NOT NULL REFERENCES crisis_incidents (id) ON DELETE CASCADE,
    item         INTEGER NOT NULL,
    label        TEXT NOT NULL,
    user_id      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    checked_at   DATETIME NOT NULL,
    PRIMARY KEY (incident_id, item)
);

-- A holding statement published during an incident: the post that carries
-- it goes out although publishing is paused. Once per incident and
-- statement (a second click finds this row and publishes nothing).
CREATE TABLE crisis_statement_posts (
    incident_id  INTEGER NOT NULL REFERENCES crisis_incidents (id) ON DELETE CASCADE,
    statement_id INTEGER NOT NULL REFERENCES crisis_statements (id) ON DELETE CASCADE,
    post_id      INTEGER NOT NULL UNIQUE REFERENCES posts (id) ON DELETE CASCADE,
    published_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at   DATETIME NOT NULL,
    PRIMARY KEY (incident_id, statement_id)
);

-- +goose Down
DROP TABLE crisis_statement_posts;
DROP TABLE crisis_checks;
DROP TABLE crisis_events;
DROP TABLE crisis_incidents;
DROP TABLE crisis_statements;
DROP TABLE crisis_scenarios;
