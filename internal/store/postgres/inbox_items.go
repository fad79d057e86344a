package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tribune-social/tribune/internal/store"
)

// The ingestion's batched writes (a fetch's conversations and items, the
// tags and the audit of its moderation rules) bind their rows as one array
// a column, unnested by the server, rather than as the one JSON document
// the sqlc queries take: encoding the rows as JSON was a seventh of
// Tribune's CPU time for an ingested item on PostgreSQL, and parsing it
// (jsonb_in) a tenth of the server's (docs/benchmarks.md, "Inbox"); pgx
// sends arrays in the binary format, which the server reads without
// parsing text. Still one parameter a column whatever the number of rows,
// one statement a fetch. The sqlc queries stay the reference the storage
// tests compare these with (TestInboxRowWritesStoreAsTheJSONQueries).

// itemsInsert is InsertInboxItems with the rows as arrays.
const itemsInsert = `-- name: AddInboxItemsBound :many
INSERT INTO inbox_items (workspace_id, channel_id, network, external_id, kind, conversation_id, ref_id, ref_cid, ref_url, root_id, root_cid,
                         root_url, parent_id, post_id, variant_id, author_id, text, declared_lang, lang, rating, sentiment, sentiment_score,
                         network_created_at, edited_at, deleted_at, hidden, status, assignee_id, priority, created_at, updated_at)
SELECT r.workspace_id, r.channel_id, r.network, r.external_id, r.kind, r.conversation_id, r.ref_id, r.ref_cid, r.ref_url, r.root_id, r.root_cid,
       r.root_url, r.parent_id, r.post_id, r.variant_id, r.author_id, r.text, r.declared_lang, r.lang, r.rating, r.sentiment, r.sentiment_score,
       r.network_created_at, r.edited_at, r.deleted_at, r.hidden, r.status, r.assignee_id, COALESCE(r.priority, 1), r.created_at, r.created_at
FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::text[], $9::text[], $10::text[],
            $11::text[], $12::text[], $13::text[], $14::bigint[], $15::bigint[], $16::bigint[], $17::text[], $18::text[], $19::text[],
            $20::bigint[], $21::text[], $22::double precision[], $23::timestamptz[], $24::timestamptz[], $25::timestamptz[], $26::boolean[],
            $27::text[], $28::bigint[], $29::bigint[], $30::timestamptz[])
     AS r(workspace_id, channel_id, network, external_id, kind, conversation_id, ref_id, ref_cid, ref_url, root_id, root_cid, root_url,
          parent_id, post_id, variant_id, author_id, text, declared_lang, lang, rating, sentiment, sentiment_score, network_created_at,
          edited_at, deleted_at, hidden, status, assignee_id, priority, created_at)
ON CONFLICT (channel_id, external_id) DO NOTHING
RETURNING id, external_id`

// AddInboxItems implements store.Tx.
func (t *txStore) AddInboxItems(ctx context.Context, rows []store.InboxItemRow) ([]store.InsertInboxItemsRow, error) {
	n := len(rows)
	ws, chs, convs, authors, ratings := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	nets, exts, kinds, refs, refCIDs, refURLs := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	roots, rootCIDs, rootURLs, parents, texts := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	declared, langs, sents, statuses := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	posts, variants, assignees, priorities := make([]*int64, n), make([]*int64, n), make([]*int64, n), make([]*int64, n)
	scores, hidden := make([]float64, n), make([]bool, n)
	netAt, edited, deleted, created := make([]time.Time, n), make([]*time.Time, n), make([]*time.Time, n), make([]time.Time, n)
	for i, r := range rows {
		ws[i], chs[i], nets[i], exts[i], kinds[i], convs[i] = r.WorkspaceID, r.ChannelID, r.Network, r.ExternalID, r.Kind, r.ConversationID
		refs[i], refCIDs[i], refURLs[i], roots[i], rootCIDs[i], rootURLs[i] = r.RefID, r.RefCID, r.RefURL, r.RootID, r.RootCID, r.RootURL
		parents[i], posts[i], variants[i], authors[i], texts[i] = r.ParentID, r.PostID, r.VariantID, r.AuthorID, r.Text
		declared[i], langs[i], ratings[i], sents[i], scores[i] = r.DeclaredLang, r.Lang, r.Rating, r.Sentiment, r.SentimentScore
		netAt[i], edited[i], deleted[i], hidden[i] = rowTime(r.NetworkCreatedAt), optTime(r.EditedAt), optTime(r.DeletedAt), r.Hidden
		statuses[i], assignees[i], priorities[i], created[i] = r.Status, r.AssigneeID, r.Priority, rowTime(r.CreatedAt)
	}
	rs, err := t.db.Query(ctx, itemsInsert, ws, chs, nets, exts, kinds, convs, refs, refCIDs, refURLs, roots, rootCIDs, rootURLs, parents,
		posts, variants, authors, texts, declared, langs, ratings, sents, scores, netAt, edited, deleted, hidden, statuses, assignees, priorities,
		created)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rs, func(r pgx.CollectableRow) (store.InsertInboxItemsRow, error) {
		var a store.InsertInboxItemsRow
		err := r.Scan(&a.ID, &a.ExternalID)
		return a, err
	})
}

// conversationsInsert is UpsertInboxConversations with the rows as arrays.
const conversationsInsert = `-- name: AddInboxConversationsBound :many
INSERT INTO inbox_conversations (workspace_id, channel_id, external_id, kind, post_id, variant_id, last_item_at, created_at)
SELECT r.workspace_id, r.channel_id, r.external_id, r.kind, r.post_id, r.variant_id, r.last_item_at, r.created_at
FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::timestamptz[], $8::timestamptz[])
     AS r(workspace_id, channel_id, external_id, kind, post_id, variant_id, last_item_at, created_at)
ON CONFLICT (channel_id, external_id) DO UPDATE
SET last_item_at = greatest(inbox_conversations.last_item_at, excluded.last_item_at),
    post_id = coalesce(inbox_conversations.post_id, excluded.post_id),
    variant_id = coalesce(inbox_conversations.variant_id, excluded.variant_id)
RETURNING id, external_id`

// AddInboxConversationRows implements store.Tx.
func (t *txStore) AddInboxConversationRows(ctx context.Context, rows []store.ConversationRow) ([]store.UpsertInboxConversationsRow, error) {
	n := len(rows)
	ws, chs, exts, kinds := make([]int64, n), make([]int64, n), make([]string, n), make([]string, n)
	posts, variants, last, created := make([]*int64, n), make([]*int64, n), make([]time.Time, n), make([]time.Time, n)
	for i, r := range rows {
		ws[i], chs[i], exts[i], kinds[i] = r.WorkspaceID, r.ChannelID, r.ExternalID, r.Kind
		posts[i], variants[i], last[i], created[i] = r.PostID, r.VariantID, rowTime(r.LastItemAt), rowTime(r.CreatedAt)
	}
	rs, err := t.db.Query(ctx, conversationsInsert, ws, chs, exts, kinds, posts, variants, last, created)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rs, func(r pgx.CollectableRow) (store.UpsertInboxConversationsRow, error) {
		var c store.UpsertInboxConversationsRow
		err := r.Scan(&c.ID, &c.ExternalID)
		return c, err
	})
}

// tagsInsert is AddInboxItemTags with the rows as arrays. Its ":exec" name
// lets the pipelined transaction send it with the next statement.
const tagsInsert = `-- name: AddInboxItemTagsBound :exec
INSERT INTO inbox_item_tags (item_id, tag)
SELECT r.item_id, r.tag FROM unnest($1::bigint[], $2::text[]) AS r(item_id, tag)
ON CONFLICT DO NOTHING`

// AddInboxItemTagRows implements store.Tx.
func (t *txStore) AddInboxItemTagRows(ctx context.Context, rows []store.TagRow) error {
	items, tags := make([]int64, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		items[i], tags[i] = r.ItemID, r.Tag
	}
	_, err := t.db.Exec(ctx, tagsInsert, items, tags)
	return err
}

// actionsInsert is AddInboxRuleActions with the rows as arrays, inserted
// in their order so that their ids grow in it.
const actionsInsert = `-- name: AddInboxRuleActionsBound :many
INSERT INTO inbox_actions (workspace_id, item_id, user_id, action, detail, result, error, created_at, rule_id, rule_name, undo, previous)
SELECT r.workspace_id, r.item_id, NULL, r.action, r.detail, r.result, r.error, r.created_at, r.rule_id, r.rule_name, r.undo, r.previous
FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::bigint[], $9::text[],
            $10::text[], $11::text[]) WITH ORDINALITY
     AS r(workspace_id, item_id, action, detail, result, error, created_at, rule_id, rule_name, undo, previous, n)
ORDER BY r.n
RETURNING id, item_id, action, rule_id`

// AddInboxRuleActionRows implements store.Tx.
func (t *txStore) AddInboxRuleActionRows(ctx context.Context, rows []store.RuleActionRow) ([]store.AddInboxRuleActionsRow, error) {
	n := len(rows)
	ws, items, rules := make([]int64, n), make([]int64, n), make([]*int64, n)
	actions, details, results, errs := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	names, undos, previous, created := make([]string, n), make([]string, n), make([]string, n), make([]time.Time, n)
	for i, r := range rows {
		ws[i], items[i], actions[i], details[i], results[i], errs[i] = r.WorkspaceID, r.ItemID, r.Action, r.Detail, r.Result, r.Error
		created[i], rules[i], names[i], undos[i], previous[i] = rowTime(r.CreatedAt), r.RuleID, r.RuleName, r.Undo, r.Previous
	}
	rs, err := t.db.Query(ctx, actionsInsert, ws, items, actions, details, results, errs, created, rules, names, undos, previous)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rs, func(r pgx.CollectableRow) (store.AddInboxRuleActionsRow, error) {
		var a store.AddInboxRuleActionsRow
		err := r.Scan(&a.ID, &a.ItemID, &a.Action, &a.RuleID)
		return a, err
	})
}

// rowTime is a row's time as the JSON queries stored it: PostgreSQL rounds
// a text time to the microsecond, pgx's binary time truncates.
func rowTime(t store.RowTime) time.Time { return time.Time(t).Round(time.Microsecond) }

func optTime(t *store.RowTime) *time.Time {
	if t == nil {
		return nil
	}
	v := rowTime(*t)
	return &v
}

// notifySQL sends a change's live events (live.Broker.PublishAllIn) with
// its transaction: PostgreSQL delivers them when it commits, in order. Its
// ":exec" name lets the pipelined transaction send it with the commit.
const notifySQL = `-- name: NotifyAll :exec
SELECT pg_notify($1, m) FROM unnest($2::text[]) AS u(m)`

// Notify implements live.TxNotifier.
func (t *txStore) Notify(ctx context.Context, channel string, payloads []string) error {
	_, err := t.db.Exec(ctx, notifySQL, channel, payloads)
	return err
}

// webhookJobsOfContact selects the webhook jobs whose event is about one of
// a contact's items (every inbox event carries it as data.item).
const webhookJobsOfContact = `kind = 'webhook_deliver'
  AND (args #>> '{data,item,id}')::bigint IN (
      SELECT i.id FROM inbox_items i JOIN contact_authors ca ON ca.author_id = i.author_id WHERE ca.contact_id = $1)`

// labelActions are the rule actions whose detail is a label the team chose
// (as EraseContactItemActions keeps them); an inbox.rule.action event of
// any other (an auto-reply's text) has its detail erased.
const labelActions = `'sentiment', 'status', 'tag', 'untag', 'assign', 'unassign', 'set_priority', 'priority',
  'mark_done', 'hide', 'unhide', 'delete', 'escalate_email', 'escalate_webhook'`

// EraseContactWebhookEvents implements store.Tx. jsonb_set without
// create_missing only replaces what is there, so an event without an
// author gains none. The deliveries' answers go first: they are found
// through the jobs' event ids.
func (t *txStore) EraseContactWebhookEvents(ctx context.Context, contactID int64) error {
	if _, err := t.db.Exec(ctx, `UPDATE webhook_deliveries SET response = '[erased]'
WHERE response <> '' AND response <> '[erased]'
  AND event_id IN (SELECT args ->> 'event_id' FROM river_job WHERE `+webhookJobsOfContact+`)`, contactID); err != nil {
		return err
	}
	if _, err := t.db.Exec(ctx, `UPDATE river_job
SET args = jsonb_set(args, '{data,detail}', '"[erased]"', false)
WHERE args #>> '{data,action}' NOT IN (`+labelActions+`) AND args #>> '{data,detail}' <> ''
  AND `+webhookJobsOfContact, contactID); err != nil {
		return err
	}
	_, err := t.db.Exec(ctx, `UPDATE river_job
SET args = jsonb_set(jsonb_set(jsonb_set(args, '{data,item,text}', '"[erased]"', false),
                               '{data,item,url}', '""', false), '{data,item,author}', '"[erased]"', false)
WHERE `+webhookJobsOfContact, contactID)
	return err
}
