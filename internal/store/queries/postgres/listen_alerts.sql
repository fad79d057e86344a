-- name: CreateAlertRule :one
INSERT INTO listen_alert_rules (workspace_id, name, kind, topic_id, factor, weeks, min_count, share, words,
    cooldown_minutes, channels, slack_sealed, slack_key_id, webhook_id, crisis, enabled, created_by, created_at, updated_at)
VALUES (sqlc.arg(workspace_id), sqlc.arg(name), sqlc.arg(kind), sqlc.narg(topic_id), sqlc.arg(factor), sqlc.arg(weeks),
    sqlc.arg(min_count), sqlc.arg(share), sqlc.arg(words), sqlc.arg(cooldown_minutes), sqlc.arg(channels),
    sqlc.arg(slack_sealed), sqlc.arg(slack_key_id), sqlc.narg(webhook_id), sqlc.arg(crisis), sqlc.arg(enabled), sqlc.narg(created_by),
    sqlc.arg(created_at), sqlc.arg(updated_at))
RETURNING *;

-- name: UpdateAlertRule :one
UPDATE listen_alert_rules SET name = sqlc.arg(name), kind = sqlc.arg(kind), topic_id = sqlc.narg(topic_id),
    factor = sqlc.arg(factor), weeks = sqlc.arg(weeks), min_count = sqlc.arg(min_count), share = sqlc.arg(share),
    words = sqlc.arg(words), cooldown_minutes = sqlc.arg(cooldown_minutes), channels = sqlc.arg(channels),
    slack_sealed = sqlc.arg(slack_sealed), slack_key_id = sqlc.arg(slack_key_id), webhook_id = sqlc.narg(webhook_id), crisis = sqlc.arg(crisis),
    enabled = sqlc.arg(enabled), updated_at = sqlc.arg(updated_at)
WHERE id = sqlc.arg(id) AND workspace_id = sqlc.arg(workspace_id)
RETURNING *;

-- name: GetAlertRule :one
SELECT * FROM listen_alert_rules WHERE id = sqlc.arg(id) AND workspace_id = sqlc.arg(workspace_id);

-- name: ListAlertRules :many
SELECT * FROM listen_alert_rules WHERE workspace_id = sqlc.arg(workspace_id) ORDER BY name, id;

-- name: DeleteAlertRule :exec
DELETE FROM listen_alert_rules WHERE id = sqlc.arg(id) AND workspace_id = sqlc.arg(workspace_id);

-- ListAlertWorkspaces lists the workspaces with at least one enabled rule:
-- what the periodic evaluation walks.
-- name: ListAlertWorkspaces :many
SELECT DISTINCT workspace_id FROM listen_alert_rules WHERE enabled ORDER BY workspace_id;

-- name: CountAlertRules :one
SELECT count(*) FROM listen_alert_rules WHERE workspace_id = sqlc.arg(workspace_id);

-- GetActiveAlert is the rule's alert that is not closed yet (the storm in
-- progress), if any.
-- name: GetActiveAlert :one
SELECT * FROM listen_alerts WHERE rule_id = sqlc.arg(rule_id) AND closed_at IS NULL;

-- GetLatestAlert is the rule's most recent alert, closed or not: the
-- evaluation of an hour that just ended reads it so that a storm already
-- alerted (and perhaps closed since) is not alerted twice.
-- name: GetLatestAlert :one
SELECT * FROM listen_alerts WHERE rule_id = sqlc.arg(rule_id) ORDER BY id DESC LIMIT 1;

-- name: OpenAlert :one
INSERT INTO listen_alerts (workspace_id, rule_id, state, title, hour, value, peak, baseline, terms, opened_at, last_fired_at)
VALUES (sqlc.arg(workspace_id), sqlc.arg(rule_id), 'open', sqlc.arg(title), sqlc.arg(hour), sqlc.arg(value), sqlc.arg(peak),
    sqlc.arg(baseline), sqlc.arg(terms), sqlc.arg(opened_at), sqlc.arg(last_fired_at))
RETURNING *;

-- RefireAlert records that the storm goes on: the alert's latest value,
-- its peak, and when it last fired (which pushes its closing back).
-- name: RefireAlert :exec
UPDATE listen_alerts SET value = sqlc.arg(value), peak = greatest(peak, sqlc.arg(value)), baseline = sqlc.arg(baseline),
    terms = sqlc.arg(terms), last_fired_at = sqlc.arg(last_fired_at)
WHERE id = sqlc.arg(id);

-- name: CloseAlert :exec
UPDATE listen_alerts SET state = 'closed', closed_at = sqlc.arg(closed_at)
WHERE id = sqlc.arg(id) AND workspace_id = sqlc.arg(workspace_id) AND closed_at IS NULL;

-- name: AcknowledgeAlert :exec
UPDATE listen_alerts SET state = 'acknowledged', acknowledged_at = sqlc.arg(acknowledged_at),
    acknowledged_by = sqlc.arg(acknowledged_by)
WHERE id = sqlc.arg(id) AND workspace_id = sqlc.arg(workspace_id) AND state = 'open';

-- name: GetAlert :one
SELECT * FROM listen_alerts WHERE id = sqlc.arg(id) AND workspace_id = sqlc.arg(workspace_id);

-- name: ListAlerts :many
SELECT * FROM listen_alerts WHERE workspace_id = sqlc.arg(workspace_id) ORDER BY id DESC LIMIT sqlc.arg(max_rows)::bigint;

-- name: AddAlertDelivery :exec
INSERT INTO listen_alert_deliveries (alert_id, workspace_id, channel, attempt, at, outcome, error)
VALUES (sqlc.arg(alert_id), sqlc.arg(workspace_id), sqlc.arg(channel), sqlc.arg(attempt), sqlc.arg(at), sqlc.arg(outcome), sqlc.arg(error));

-- name: ListAlertDeliveries :many
SELECT * FROM listen_alert_deliveries WHERE alert_id = ANY(sqlc.arg(alert_ids)::bigint[]) ORDER BY alert_id, id;

-- AlertVolumeByHour sums a workspace's hourly rollups (one topic, or all
-- when topic_id is 0) in [since, until).
-- name: AlertVolumeByHour :many
SELECT hour, coalesce(sum(mentions), 0)::bigint AS mentions, coalesce(sum(negative), 0)::bigint AS negative
FROM mention_rollups
WHERE workspace_id = sqlc.arg(workspace_id) AND (sqlc.arg(topic_id)::bigint = 0 OR topic_id = sqlc.arg(topic_id))
  AND hour >= sqlc.arg(since) AND hour < sqlc.arg(until)
GROUP BY hour ORDER BY hour;

-- SignalTermTotals lists the terms counted at least min_count times in
-- [since, until): the only candidates to be rising.
-- name: SignalTermTotals :many
SELECT term, sum(mentions)::bigint AS mentions
FROM mention_term_rollups
WHERE workspace_id = sqlc.arg(workspace_id) AND (sqlc.arg(topic_id)::bigint = 0 OR topic_id = sqlc.arg(topic_id))
  AND hour >= sqlc.arg(since) AND hour < sqlc.arg(until)
GROUP BY term HAVING sum(mentions) >= sqlc.arg(min_count)::bigint
ORDER BY term LIMIT sqlc.arg(max_rows)::bigint;

-- SignalTermHours is the hourly history of some terms in [since, until).
-- name: SignalTermHours :many
SELECT term, hour, sum(mentions)::bigint AS mentions
FROM mention_term_rollups
WHERE workspace_id = sqlc.arg(workspace_id) AND (sqlc.arg(topic_id)::bigint = 0 OR topic_id = sqlc.arg(topic_id))
  AND hour >= sqlc.arg(since) AND hour < sqlc.arg(until) AND term = ANY(sqlc.arg(terms)::text[])
GROUP BY term, hour ORDER BY term, hour;

-- SignalAllTermHours is every term's hourly history in [since, until), for
-- a rule's test over past days.
-- name: SignalAllTermHours :many
SELECT term, hour, sum(mentions)::bigint AS mentions
FROM mention_term_rollups
WHERE workspace_id = sqlc.arg(workspace_id) AND (sqlc.arg(topic_id)::bigint = 0 OR topic_id = sqlc.arg(topic_id))
  AND hour >= sqlc.arg(since) AND hour < sqlc.arg(until)
GROUP BY term, hour ORDER BY term, hour LIMIT sqlc.arg(max_rows)::bigint;

-- SignalMentions lists a workspace's latest mentions posted in [since,
-- until) (of one topic, or all when topic_id is 0): the posts among which
-- a rising term's carriers are picked.
-- name: SignalMentions :many
SELECT m.id, m.network, m.url, m.author, m.author_name, m.text, m.sentiment, m.posted_at
FROM mentions m
WHERE m.workspace_id = sqlc.arg(workspace_id) AND m.posted_at >= sqlc.arg(since) AND m.posted_at < sqlc.arg(until)
  AND (sqlc.arg(topic_id)::bigint = 0 OR EXISTS (SELECT 1 FROM mention_topics mt WHERE mt.mention_id = m.id AND mt.topic_id = sqlc.arg(topic_id)))
ORDER BY m.posted_at DESC, m.id DESC LIMIT sqlc.arg(max_rows)::bigint;

-- name: GetListenTopicName :one
SELECT name FROM listen_topics WHERE id = sqlc.arg(id) AND workspace_id = sqlc.arg(workspace_id);

-- name: ListAlertTopics :many
SELECT id, name FROM listen_topics WHERE workspace_id = sqlc.arg(workspace_id) ORDER BY name;
