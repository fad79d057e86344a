-- ListInboxItemsSearch is ListInboxItems with words to find (query, read by
-- websearch_to_tsquery in French or in English). SQLite needs a query of
-- its own for the search (its FTS5 table drives it); on PostgreSQL this is
-- the general query itself, with the words always given.
-- name: ListInboxItemsSearch :many
SELECT * FROM inbox_items i
-- (The arguments in SQLite's order: both dialects share one parameter type.)
WHERE i.id < sqlc.arg(before_id)::bigint
  -- Written as in ListInboxItems, "IS NULL OR" included, on purpose: the
  -- same SQL gets the plan measured with it (p50 30 to 45 ms on a million
  -- items); the bare condition measured slower in one loaded run (71 to
  -- 133 ms, docs/benchmarks.md), the plans not compared yet.
  AND (sqlc.arg(query)::text IS NULL OR (to_tsvector('french', i.text) || to_tsvector('english', i.text))
        @@ (websearch_to_tsquery('french', sqlc.arg(query)::text) || websearch_to_tsquery('english', sqlc.arg(query)::text)))
  AND i.workspace_id = sqlc.arg(workspace_id)
  AND (sqlc.narg(status)::text IS NULL OR i.status = sqlc.narg(status)::text)
  AND (sqlc.narg(assignee_id)::bigint IS NULL OR i.assignee_id = sqlc.narg(assignee_id)::bigint
       OR (sqlc.narg(assignee_id)::bigint = 0 AND i.assignee_id IS NULL))
  AND (sqlc.narg(channel_id)::bigint IS NULL OR i.channel_id = sqlc.narg(channel_id)::bigint)
  AND (sqlc.narg(network)::text IS NULL OR i.network = sqlc.narg(network)::text)
  AND (sqlc.narg(kind)::text IS NULL OR i.kind = sqlc.narg(kind)::text)
  AND (sqlc.narg(sentiment)::text IS NULL OR i.sentiment = sqlc.narg(sentiment)::text)
  AND (sqlc.narg(lang)::text IS NULL OR i.lang = sqlc.narg(lang)::text)
  AND (sqlc.narg(since)::timestamptz IS NULL OR i.network_created_at >= sqlc.narg(since)::timestamptz)
  AND (sqlc.narg(until)::timestamptz IS NULL OR i.network_created_at < sqlc.narg(until)::timestamptz)
  AND (sqlc.narg(tag)::text IS NULL OR EXISTS (
        SELECT 1 FROM inbox_item_tags t WHERE t.item_id = i.id AND t.tag = sqlc.narg(tag)::text))
ORDER BY i.id DESC
LIMIT sqlc.arg(max_rows)::bigint;
