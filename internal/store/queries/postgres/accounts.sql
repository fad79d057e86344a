-- name: CreateOrganization :one
INSERT INTO organizations (name, created_at) VALUES (sqlc.arg(name), sqlc.arg(created_at))
RETURNING *;

-- name: GetOrganization :one
SELECT * FROM organizations WHERE id = sqlc.arg(id);

-- name: CountUsers :one
SELECT count(*) FROM users;

-- name: CreateUser :one
INSERT INTO users (organization_id, email, name, password_hash, org_role, locale, timezone, created_at)
VALUES (sqlc.arg(organization_id), sqlc.arg(email), sqlc.arg(name), sqlc.arg(password_hash), sqlc.arg(org_role),
        sqlc.arg(locale), sqlc.arg(timezone), sqlc.arg(created_at))
RETURNING *;

-- name: GetUser :one
SELECT * FROM users WHERE id = sqlc.arg(id);

-- name: GetUserByEmail :one
SELECT * FROM users WHERE email = sqlc.arg(email);

-- name: UpdateUserPreferences :exec
UPDATE users SET name = sqlc.arg(name), locale = sqlc.arg(locale), timezone = sqlc.arg(timezone)
WHERE id = sqlc.arg(id);

-- name: UpdateUserPassword :exec
UPDATE users SET password_hash = sqlc.arg(password_hash) WHERE id = sqlc.arg(id);

-- name: ListOrganizationUsers :many
SELECT * FROM users WHERE organization_id = sqlc.arg(organization_id) ORDER BY name, id;

-- name: CreateWorkspace :one
INSERT INTO workspaces (organization_id, name, timezone, require_approval, duplicate_window_hours, ical_token_hash, created_at)
VALUES (sqlc.arg(organization_id), sqlc.arg(name), sqlc.arg(timezone), sqlc.arg(require_approval),
        sqlc.arg(duplicate_window_hours), sqlc.arg(ical_token_hash), sqlc.arg(created_at))
RETURNING *;

-- name: GetWorkspace :one
SELECT * FROM workspaces WHERE id = sqlc.arg(id);

-- name: GetWorkspaceByICalTokenHash :one
SELECT * FROM workspaces WHERE ical_token_hash = sqlc.arg(ical_token_hash);

-- name: SetWorkspaceICalTokenHash :exec
UPDATE workspaces SET ical_token_hash = sqlc.arg(ical_token_hash) WHERE id = sqlc.arg(id);

-- name: UpdateWorkspaceSettings :exec
UPDATE workspaces
SET name = sqlc.arg(name), timezone = sqlc.arg(timezone), require_approval = sqlc.arg(require_approval),
    duplicate_window_hours = sqlc.arg(duplicate_window_hours)
WHERE id = sqlc.arg(id);

-- name: SetWorkspaceScheduleHorizon :exec
UPDATE workspaces SET schedule_horizon_days = sqlc.arg(schedule_horizon_days) WHERE id = sqlc.arg(id);

-- name: SetWorkspacePaused :exec
UPDATE workspaces SET paused_at = sqlc.narg(paused_at), paused_by = sqlc.narg(paused_by) WHERE id = sqlc.arg(id);

-- name: ListOrganizationWorkspaces :many
SELECT * FROM workspaces WHERE organization_id = sqlc.arg(organization_id) ORDER BY name, id;

-- name: ListMemberWorkspaces :many
SELECT w.*, m.role FROM workspaces w JOIN memberships m ON m.workspace_id = w.id
WHERE m.user_id = sqlc.arg(user_id) ORDER BY w.name, w.id;

-- name: UpsertMembership :exec
INSERT INTO memberships (workspace_id, user_id, role, created_at)
VALUES (sqlc.arg(workspace_id), sqlc.arg(user_id), sqlc.arg(role), sqlc.arg(created_at))
ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = excluded.role;

-- name: GetMembership :one
SELECT * FROM memberships WHERE workspace_id = sqlc.arg(workspace_id) AND user_id = sqlc.arg(user_id);

-- name: DeleteMembership :exec
DELETE FROM memberships WHERE workspace_id = sqlc.arg(workspace_id) AND user_id = sqlc.arg(user_id);

-- name: ListMembers :many
SELECT u.id, u.email, u.name, m.role, m.created_at
FROM memberships m JOIN users u ON u.id = m.user_id
WHERE m.workspace_id = sqlc.arg(workspace_id) ORDER BY u.name, u.id;

-- name: CreateInvitation :one
INSERT INTO invitations (workspace_id, email, role, token_hash, invited_by, expires_at, created_at)
VALUES (sqlc.arg(workspace_id), sqlc.arg(email), sqlc.arg(role), sqlc.arg(token_hash), sqlc.arg(invited_by),
        sqlc.arg(expires_at), sqlc.arg(created_at))
RETURNING *;

-- name: GetInvitationByTokenHash :one
SELECT * FROM invitations WHERE token_hash = sqlc.arg(token_hash);

-- name: AcceptInvitation :execrows
UPDATE invitations SET accepted_at = sqlc.arg(accepted_at) WHERE id = sqlc.arg(id) AND accepted_at IS NULL;

-- name: ListInvitations :many
SELECT * FROM invitations WHERE workspace_id = sqlc.arg(workspace_id) AND accepted_at IS NULL ORDER BY created_at DESC;

-- name: CreateSession :exec
INSERT INTO sessions (token_hash, user_id, expires_at, created_at)
VALUES (sqlc.arg(token_hash), sqlc.arg(user_id), sqlc.arg(expires_at), sqlc.arg(created_at));

-- name: GetSession :one
SELECT * FROM sessions WHERE token_hash = sqlc.arg(token_hash);

-- name: DeleteSession :exec
DELETE FROM sessions WHERE token_hash = sqlc.arg(token_hash);

-- name: DeleteUserSessionsExcept :exec
DELETE FROM sessions WHERE user_id = sqlc.arg(user_id) AND token_hash <> sqlc.arg(keep_token_hash);

-- name: DeleteExpiredSessions :execrows
DELETE FROM sessions WHERE expires_at < sqlc.arg(now);

-- name: CreateAPIToken :one
INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at)
VALUES (sqlc.arg(user_id), sqlc.arg(name), sqlc.arg(token_hash), sqlc.arg(created_at), sqlc.narg(expires_at))
RETURNING *;

-- name: GetAPITokenByHash :one
SELECT * FROM api_tokens WHERE token_hash = sqlc.arg(token_hash) AND revoked_at IS NULL;

-- name: TouchAPIToken :exec
UPDATE api_tokens SET last_used_at = sqlc.arg(last_used_at) WHERE id = sqlc.arg(id);

-- name: RevokeAPIToken :execrows
UPDATE api_tokens SET revoked_at = sqlc.arg(revoked_at)
WHERE id = sqlc.arg(id) AND user_id = sqlc.arg(user_id) AND revoked_at IS NULL;

-- name: ListAPITokens :many
SELECT * FROM api_tokens WHERE user_id = sqlc.arg(user_id) AND revoked_at IS NULL ORDER BY created_at DESC;

-- name: CreatePasswordReset :exec
INSERT INTO password_resets (user_id, token_hash, expires_at, created_at)
VALUES (sqlc.arg(user_id), sqlc.arg(token_hash), sqlc.arg(expires_at), sqlc.arg(created_at));

-- UsePasswordReset spends a reset token: zero rows means it is unknown,
-- used or expired.
-- name: UsePasswordReset :one
UPDATE password_resets SET used_at = sqlc.arg(now)
WHERE token_hash = sqlc.arg(token_hash) AND used_at IS NULL AND expires_at > sqlc.arg(now)
RETURNING user_id;

-- name: GetIdempotencyRecord :one
SELECT * FROM idempotency_keys WHERE user_id = sqlc.arg(user_id) AND key = sqlc.arg(key);

-- ReserveIdempotencyKey claims a key before the request runs (status 0 =
-- in progress); zero rows means the key is already taken.
-- name: ReserveIdempotencyKey :execrows
INSERT INTO idempotency_keys (user_id, key, request_hash, status, body, created_at)
VALUES (sqlc.arg(user_id), sqlc.arg(key), sqlc.arg(request_hash), 0, sqlc.arg(body), sqlc.arg(created_at))
ON CONFLICT (user_id, key) DO NOTHING;

-- CompleteIdempotencyKey records the answer once the request ran. body is
-- sealed by the keyring key key_id, and holds the request's hash too: a
-- plain SHA-256 of a body holding a password would be a fast hash of it.
-- name: CompleteIdempotencyKey :exec
UPDATE idempotency_keys SET status = sqlc.arg(status), body = sqlc.arg(body), key_id = sqlc.arg(key_id)
WHERE user_id = sqlc.arg(user_id) AND key = sqlc.arg(key);

-- name: ReleaseIdempotencyKey :exec
DELETE FROM idempotency_keys WHERE user_id = sqlc.arg(user_id) AND key = sqlc.arg(key) AND status = 0;

-- DeleteIdempotencyRecordsBefore purges expired records (a periodic job).
-- name: DeleteIdempotencyRecordsBefore :execrows
DELETE FROM idempotency_keys WHERE created_at < sqlc.arg(before);
