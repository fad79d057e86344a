-- name: CreateChannel :one
INSERT INTO channels (workspace_id, network, name, handle, external_id, base_url, token_ciphertext, token_key_id,
                      max_chars, url_length, text_counting, default_visibility, status, created_at)
VALUES (sqlc.arg(workspace_id), sqlc.arg(network), sqlc.arg(name), sqlc.arg(handle), sqlc.arg(external_id),
        sqlc.arg(base_url), sqlc.arg(token_ciphertext), sqlc.arg(token_key_id), sqlc.arg(max_chars),
        sqlc.arg(url_length), sqlc.arg(text_counting), sqlc.arg(default_visibility), sqlc.arg(status), sqlc.arg(created_at))
RETURNING *;

-- name: GetChannel :one
SELECT * FROM channels WHERE id = sqlc.arg(id);

-- name: ListChannels :many
SELECT * FROM channels WHERE workspace_id = sqlc.arg(workspace_id) ORDER BY name, id;

-- name: UpdateChannelToken :exec
UPDATE channels SET token_ciphertext = sqlc.arg(token_ciphertext), token_key_id = sqlc.arg(token_key_id), status = 'active'
WHERE id = sqlc.arg(id);

-- name: UpdateChannelStatus :exec
UPDATE channels SET status = sqlc.arg(status) WHERE id = sqlc.arg(id);

-- name: UpdateChannelLimits :exec
UPDATE channels SET max_chars = sqlc.arg(max_chars), url_length = sqlc.arg(url_length) WHERE id = sqlc.arg(id);

-- name: UpdateChannelServer :exec
UPDATE channels SET handle = sqlc.arg(handle), max_chars = sqlc.arg(max_chars), url_length = sqlc.arg(url_length),
    text_counting = sqlc.arg(text_counting)
WHERE id = sqlc.arg(id);

-- name: UpdateChannelVisibility :exec
UPDATE channels SET default_visibility = sqlc.arg(default_visibility) WHERE id = sqlc.arg(id);

-- name: DeleteChannel :exec
DELETE FROM channels WHERE id = sqlc.arg(id);

-- name: CreateOAuthState :exec
INSERT INTO oauth_states (state, workspace_id, user_id, network, instance_url, code_verifier, expires_at)
VALUES (sqlc.arg(state), sqlc.arg(workspace_id), sqlc.arg(user_id), sqlc.arg(network), sqlc.arg(instance_url),
        sqlc.arg(code_verifier), sqlc.arg(expires_at));

-- name: TakeOAuthState :one
DELETE FROM oauth_states WHERE state = sqlc.arg(state) RETURNING *;

-- name: UpsertNetworkApp :exec
INSERT INTO network_apps (network, instance_url, redirect_uri, client_id, secret_ciphertext, secret_key_id, created_at)
VALUES (sqlc.arg(network), sqlc.arg(instance_url), sqlc.arg(redirect_uri), sqlc.arg(client_id),
        sqlc.arg(secret_ciphertext), sqlc.arg(secret_key_id), sqlc.arg(created_at))
ON CONFLICT (network, instance_url, redirect_uri) DO UPDATE
SET client_id = excluded.client_id, secret_ciphertext = excluded.secret_ciphertext, secret_key_id = excluded.secret_key_id;

-- name: GetNetworkApp :one
SELECT * FROM network_apps
WHERE network = sqlc.arg(network) AND instance_url = sqlc.arg(instance_url) AND redirect_uri = sqlc.arg(redirect_uri);

-- name: ReplaceQueueSlotsDelete :exec
DELETE FROM queue_slots WHERE channel_id = sqlc.arg(channel_id);

-- name: AddQueueSlot :exec
INSERT INTO queue_slots (channel_id, weekday, minute_of_day) VALUES (sqlc.arg(channel_id), sqlc.arg(weekday), sqlc.arg(minute_of_day))
ON CONFLICT (channel_id, weekday, minute_of_day) DO NOTHING;

-- name: ListQueueSlots :many
SELECT * FROM queue_slots WHERE channel_id = sqlc.arg(channel_id) ORDER BY weekday, minute_of_day;

-- name: CreateMedia :one
INSERT INTO media (workspace_id, filename, mime, size_bytes, width, height, duration_seconds, alt, tags, sha256,
                   storage_key, uploaded_by, created_at)
VALUES (sqlc.arg(workspace_id), sqlc.arg(filename), sqlc.arg(mime), sqlc.arg(size_bytes), sqlc.arg(width),
        sqlc.arg(height), sqlc.arg(duration_seconds), sqlc.arg(alt), sqlc.arg(tags), sqlc.arg(sha256),
        sqlc.arg(storage_key), sqlc.arg(uploaded_by), sqlc.arg(created_at))
RETURNING *;

-- name: GetMedia :one
SELECT * FROM media WHERE id = sqlc.arg(id);

-- name: ListMedia :many
SELECT * FROM media WHERE workspace_id = sqlc.arg(workspace_id) ORDER BY created_at DESC, id DESC
LIMIT sqlc.arg(max_rows)::bigint;

-- name: UpdateMediaDetails :exec
UPDATE media SET alt = sqlc.arg(alt), tags = sqlc.arg(tags) WHERE id = sqlc.arg(id);

-- name: DeleteMedia :exec
DELETE FROM media WHERE id = sqlc.arg(id);

-- name: SetChannelRateLimited :exec
-- Keeps the later of two limits: a short Retry-After heard by one side must
-- not shorten a longer wait heard by the other.
UPDATE channels SET rate_limited_until = sqlc.arg(until)
WHERE id = sqlc.arg(id) AND (rate_limited_until IS NULL OR rate_limited_until < sqlc.arg(until));
