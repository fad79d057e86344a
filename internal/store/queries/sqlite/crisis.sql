-- Crisis mode: incidents, their timeline, playbooks (see migration 00023).

-- name: CreateCrisisIncident :one
INSERT INTO crisis_incidents (workspace_id, title, scenario_id, opened_by, opened_at)
VALUES (sqlc.arg(workspace_id), sqlc.arg(title), sqlc.narg(scenario_id), sqlc.narg(opened_by), sqlc.arg(opened_at))
RETURNING *;

-- name: GetOpenCrisisIncident :one
SELECT * FROM crisis_incidents WHERE workspace_id = sqlc.arg(workspace_id) AND closed_at IS NULL;

-- name: GetCrisisIncident :one
SELECT * FROM crisis_incidents WHERE id = sqlc.arg(id);

-- name: ListCrisisIncidents :many
SELECT * FROM crisis_incidents WHERE workspace_id = sqlc.arg(workspace_id) ORDER BY opened_at DESC, id DESC LIMIT sqlc.arg(max_rows);

-- name: CloseCrisisIncident :execrows
UPDATE crisis_incidents SET closed_at = sqlc.arg(closed_at), closed_by = sqlc.narg(closed_by)
WHERE id = sqlc.arg(id) AND closed_at IS NULL;

-- AddCrisisEvent writes one timeline entry; an alert or a held variant
-- already written for the incident is not written again (0 rows).
-- name: AddCrisisEvent :execrows
INSERT INTO crisis_events (incident_id, workspace_id, at, kind, user_id, actor, detail, ref_id)
VALUES (sqlc.arg(incident_id), sqlc.arg(workspace_id), sqlc.arg(at), sqlc.arg(kind), sqlc.narg(user_id), sqlc.arg(actor), sqlc.arg(detail), sqlc.narg(ref_id))
ON CONFLICT DO NOTHING;

-- name: ListCrisisEvents :many
SELECT * FROM crisis_events WHERE incident_id = sqlc.arg(incident_id) ORDER BY at, id;

-- name: CheckCrisisItem :exec
INSERT INTO crisis_checks (incident_id, item, label, user_id, checked_at)
VALUES (sqlc.arg(incident_id), sqlc.arg(item), sqlc.arg(label), sqlc.narg(user_id), sqlc.arg(checked_at))
ON CONFLICT (incident_id, item) DO NOTHING;

-- name: UncheckCrisisItem :execrows
DELETE FROM crisis_checks WHERE incident_id = sqlc.arg(incident_id) AND item = sqlc.arg(item);

-- name: ListCrisisChecks :many
SELECT * FROM crisis_checks WHERE incident_id = sqlc.arg(incident_id) ORDER BY item;

-- name: CreateCrisisScenario :one
INSERT INTO crisis_scenarios (workspace_id, name, trigger_desc, approvers, speakers, checklist, created_at, updated_at)
VALUES (sqlc.arg(workspace_id), sqlc.arg(name), sqlc.arg(trigger_desc), sqlc.arg(approvers), sqlc.arg(speakers), sqlc.arg(checklist), sqlc.arg(created_at), sqlc.arg(created_at))
RETURNING *;

-- name: UpdateCrisisScenario :exec
UPDATE crisis_scenarios SET name = sqlc.arg(name), trigger_desc = sqlc.arg(trigger_desc), approvers = sqlc.arg(approvers),
    speakers = sqlc.arg(speakers), checklist = sqlc.arg(checklist), updated_at = sqlc.arg(updated_at)
WHERE id = sqlc.arg(id);

-- name: GetCrisisScenario :one
SELECT * FROM crisis_scenarios WHERE id = sqlc.arg(id);

-- name: ListCrisisScenarios :many
SELECT * FROM crisis_scenarios WHERE workspace_id = sqlc.arg(workspace_id) ORDER BY lower(name), id;

-- name: DeleteCrisisScenario :exec
DELETE FROM crisis_scenarios WHERE id = sqlc.arg(id);

-- name: CreateCrisisStatement :one
INSERT INTO crisis_statements (workspace_id, scenario_id, title, texts, created_at, updated_at)
VALUES (sqlc.arg(workspace_id), sqlc.arg(scenario_id), sqlc.arg(title), sqlc.arg(texts), sqlc.arg(created_at), sqlc.arg(created_at))
RETURNING *;

-- UpdateCrisisStatement changes a statement's words and voids its approval:
-- what was approved is no longer what would be published.
-- name: UpdateCrisisStatement :exec
UPDATE crisis_statements SET title = sqlc.arg(title), texts = sqlc.arg(texts), approved_by = NULL, approved_at = NULL, updated_at = sqlc.arg(updated_at)
WHERE id = sqlc.arg(id);

-- name: ApproveCrisisStatement :execrows
UPDATE crisis_statements SET approved_by = sqlc.arg(approved_by), approved_at = sqlc.arg(approved_at)
WHERE id = sqlc.arg(id);

-- name: GetCrisisStatement :one
SELECT * FROM crisis_statements WHERE id = sqlc.arg(id);

-- name: ListCrisisStatements :many
SELECT * FROM crisis_statements WHERE workspace_id = sqlc.arg(workspace_id) ORDER BY scenario_id, lower(title), id;

-- name: DeleteCrisisStatement :exec
DELETE FROM crisis_statements WHERE id = sqlc.arg(id);

-- name: AddCrisisStatementPost :exec
INSERT INTO crisis_statement_posts (incident_id, statement_id, post_id, published_by, created_at)
VALUES (sqlc.arg(incident_id), sqlc.arg(statement_id), sqlc.arg(post_id), sqlc.narg(published_by), sqlc.arg(created_at));

-- name: GetCrisisStatementPost :one
SELECT * FROM crisis_statement_posts WHERE incident_id = sqlc.arg(incident_id) AND statement_id = sqlc.arg(statement_id);

-- name: GetCrisisStatementByPost :one
SELECT * FROM crisis_statement_posts WHERE post_id = sqlc.arg(post_id);

-- name: ListCrisisStatementPosts :many
SELECT * FROM crisis_statement_posts WHERE incident_id = sqlc.arg(incident_id) ORDER BY created_at;

-- CrisisRollups sums a workspace's hourly mention rollups over every topic
-- between two hours (both included), for the incident report's curves.
-- name: CrisisRollups :many
SELECT hour, CAST(sum(mentions) AS BIGINT) AS mentions, CAST(sum(positive) AS BIGINT) AS positive,
    CAST(sum(neutral) AS BIGINT) AS neutral, CAST(sum(negative) AS BIGINT) AS negative
FROM mention_rollups
WHERE workspace_id = sqlc.arg(workspace_id) AND hour >= sqlc.arg(from_hour) AND hour <= sqlc.arg(to_hour)
GROUP BY hour ORDER BY hour;

-- name: SetCrisisIncidentScenario :exec
UPDATE crisis_incidents SET scenario_id = sqlc.narg(scenario_id) WHERE id = sqlc.arg(id);
