-- name: CreateWebhookEndpoint :one
INSERT INTO webhook_endpoints (workspace_id, url, events, secret_sealed, secret_key_id, enabled, created_by, created_at, updated_at)
VALUES (sqlc.arg(workspace_id), sqlc.arg(url), sqlc.arg(events), sqlc.arg(secret_sealed), sqlc.arg(secret_key_id), TRUE,
        sqlc.arg(created_by), sqlc.arg(created_at), sqlc.arg(created_at))
RETURNING *;

-- name: GetWebhookEndpoint :one
SELECT * FROM webhook_endpoints WHERE id = sqlc.arg(id) AND workspace_id = sqlc.arg(workspace_id);

-- name: ListWebhookEndpoints :many
SELECT * FROM webhook_endpoints WHERE workspace_id = sqlc.arg(workspace_id) ORDER BY id;

-- name: ListEnabledWebhookEndpoints :many
SELECT * FROM webhook_endpoints WHERE workspace_id = sqlc.arg(workspace_id) AND enabled ORDER BY id;

-- name: UpdateWebhookEndpoint :execrows
UPDATE webhook_endpoints SET url = sqlc.arg(url), events = sqlc.arg(events), enabled = sqlc.arg(enabled),
    disabled_reason = sqlc.arg(disabled_reason), failing_since = NULL, updated_at = sqlc.arg(updated_at)
WHERE id = sqlc.arg(id) AND workspace_id = sqlc.arg(workspace_id);

-- name: UpdateWebhookSecret :execrows
UPDATE webhook_endpoints SET secret_sealed = sqlc.arg(secret_sealed), secret_key_id = sqlc.arg(secret_key_id), updated_at = sqlc.arg(updated_at)
WHERE id = sqlc.arg(id) AND workspace_id = sqlc.arg(workspace_id);

-- name: DeleteWebhookEndpoint :execrows
DELETE FROM webhook_endpoints WHERE id = sqlc.arg(id) AND workspace_id = sqlc.arg(workspace_id);

-- name: MarkWebhookFailing :one
UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, sqlc.arg(at))
WHERE id = sqlc.arg(id)
RETURNING *;

-- name: MarkWebhookHealthy :exec
UPDATE webhook_endpoints SET failing_since = NULL WHERE id = sqlc.arg(id) AND failing_since IS NOT NULL;

-- name: DisableFailingWebhook :execrows
UPDATE webhook_endpoints SET enabled = FALSE, disabled_reason = sqlc.arg(disabled_reason), updated_at = sqlc.arg(at)
WHERE id = sqlc.arg(id) AND enabled;

-- name: AddWebhookDelivery :exec
INSERT INTO webhook_deliveries (endpoint_id, event_id, event_type, attempt, at, outcome, http_status, duration_ms, error, response)
VALUES (sqlc.arg(endpoint_id), sqlc.arg(event_id), sqlc.arg(event_type), sqlc.arg(attempt), sqlc.arg(at), sqlc.arg(outcome),
        sqlc.arg(http_status), sqlc.arg(duration_ms), sqlc.arg(error), sqlc.arg(response));

-- name: CountWebhookAttempts :one
SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = sqlc.arg(endpoint_id) AND event_id = sqlc.arg(event_id);

-- name: ListWebhookDeliveries :many
SELECT d.* FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
WHERE d.endpoint_id = sqlc.arg(endpoint_id) AND e.workspace_id = sqlc.arg(workspace_id)
ORDER BY d.id DESC LIMIT sqlc.arg(max_rows);

-- name: PurgeWebhookDeliveries :execrows
DELETE FROM webhook_deliveries WHERE at < sqlc.arg(before);
