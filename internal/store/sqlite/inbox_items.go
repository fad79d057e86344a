package sqlite

import (
	"context"
	"database/sql"
	"math/bits"
	"strings"
	"sync"
	"time"

	"github.com/tribune-social/tribune/internal/store"
)

// The ingestion's batched writes (a fetch's conversations and items, the
// tags and the audit of its moderation rules) bind their rows as the parameters of a
// multi-row INSERT on SQLite rather than passing them as one JSON document
// as the sqlc queries do: unpacking each field with jsonb_each and ->> was
// a sixth of the ingestion's CPU time (docs/benchmarks.md, "Inbox").
// PostgreSQL keeps the JSON rows (jsonb_to_recordset), one parameter
// whatever their number, which its round trips favour.

// AddInboxItems implements store.Tx.
func (t *txStore) AddInboxItems(ctx context.Context, rows []store.InboxItemRow) ([]store.InsertInboxItemsRow, error) {
	var out []store.InsertInboxItemsRow
	err := insertRows(ctx, t.tx, itemsInsert, rows, func(args []any, r store.InboxItemRow) []any {
		return append(args, r.WorkspaceID, r.ChannelID, r.Network, r.ExternalID, r.Kind, r.ConversationID, r.RefID, r.RefCID, r.RefURL,
			r.RootID, r.RootCID, r.RootURL, r.ParentID, r.PostID, r.VariantID, r.AuthorID, r.Text, r.DeclaredLang, r.Lang, r.Rating,
			r.Sentiment, r.SentimentScore, rowTime(r.NetworkCreatedAt), optTime(r.EditedAt), optTime(r.DeletedAt), r.Hidden, r.Status,
			r.AssigneeID, r.Priority, rowTime(r.CreatedAt), rowTime(r.CreatedAt))
	}, func(rs *sql.Rows) error {
		var a store.InsertInboxItemsRow
		err := rs.Scan(&a.ID, &a.ExternalID)
		out = append(out, a)
		return err
	})
	return out, err
}

// AddInboxConversationRows implements store.Tx.
func (t *txStore) AddInboxConversationRows(ctx context.Context, rows []store.ConversationRow) ([]store.UpsertInboxConversationsRow, error) {
	var out []store.UpsertInboxConversationsRow
	err := insertRows(ctx, t.tx, conversationsInsert, rows, func(args []any, r store.ConversationRow) []any {
		return append(args, r.WorkspaceID, r.ChannelID, r.ExternalID, r.Kind, r.PostID, r.VariantID, rowTime(r.LastItemAt), rowTime(r.CreatedAt))
	}, func(rs *sql.Rows) error {
		var c store.UpsertInboxConversationsRow
		err := rs.Scan(&c.ID, &c.ExternalID)
		out = append(out, c)
		return err
	})
	return out, err
}

// AddInboxItemTagRows implements store.Tx.
func (t *txStore) AddInboxItemTagRows(ctx context.Context, rows []store.TagRow) error {
	return insertRows(ctx, t.tx, tagsInsert, rows, func(args []any, r store.TagRow) []any {
		return append(args, r.ItemID, r.Tag)
	}, nil)
}

// AddInboxRuleActionRows implements store.Tx. The rows are inserted in
// their order, so their ids grow in it.
func (t *txStore) AddInboxRuleActionRows(ctx context.Context, rows []store.RuleActionRow) ([]store.AddInboxRuleActionsRow, error) {
	var out []store.AddInboxRuleActionsRow
	err := insertRows(ctx, t.tx, actionsInsert, rows, func(args []any, r store.RuleActionRow) []any {
		return append(args, r.WorkspaceID, r.ItemID, r.Action, r.Detail, r.Result, r.Error, rowTime(r.CreatedAt), r.RuleID, r.RuleName,
			r.Undo, r.Previous)
	}, func(rs *sql.Rows) error {
		var a store.AddInboxRuleActionsRow
		err := rs.Scan(&a.ID, &a.ItemID, &a.Action, &a.RuleID)
		out = append(out, a)
		return err
	})
	return out, err
}

// multiInsert is a multi-row INSERT: head, then one tuple per row, then
// tail. The texts for each number of rows are made once.
type multiInsert struct {
	head, tuple, tail string
	// columns is the number of parameters in tuple.
	columns int
	texts   sync.Map // int → string
}

// A row's priority is normal (1) when the rules set none, and an item is
// updated when it is created, as in InsertInboxItems.
var itemsInsert = &multiInsert{columns: 31,
	head: `INSERT INTO inbox_items (workspace_id, channel_id, network, external_id, kind, conversation_id, ref_id, ref_cid, ref_url,
root_id, root_cid, root_url, parent_id, post_id, variant_id, author_id, text, declared_lang, lang, rating, sentiment, sentiment_score,
network_created_at, edited_at, deleted_at, hidden, status, assignee_id, priority, created_at, updated_at) VALUES `,
	tuple: "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,COALESCE(?, 1),?,?)",
	tail:  " ON CONFLICT (channel_id, external_id) DO NOTHING RETURNING id, external_id"}

// As UpsertInboxConversations: a conversation already stored keeps its
// post and takes the later of the two last item times.
var conversationsInsert = &multiInsert{columns: 8,
	head:  `INSERT INTO inbox_conversations (workspace_id, channel_id, external_id, kind, post_id, variant_id, last_item_at, created_at) VALUES `,
	tuple: "(?,?,?,?,?,?,?,?)",
	tail: ` ON CONFLICT (channel_id, external_id) DO UPDATE
SET last_item_at = max(inbox_conversations.last_item_at, excluded.last_item_at),
    post_id = coalesce(inbox_conversations.post_id, excluded.post_id),
    variant_id = coalesce(inbox_conversations.variant_id, excluded.variant_id)
RETURNING id, external_id`}

var tagsInsert = &multiInsert{columns: 2,
	head: "INSERT INTO inbox_item_tags (item_id, tag) VALUES ", tuple: "(?,?)", tail: " ON CONFLICT DO NOTHING"}

var actionsInsert = &multiInsert{columns: 11,
	head: `INSERT INTO inbox_actions (workspace_id, item_id, action, detail, result, error, created_at, rule_id, rule_name, undo, previous)
VALUES `,
	tuple: "(?,?,?,?,?,?,?,?,?,?,?)",
	tail:  " RETURNING id, item_id, action, rule_id"}

// maxParams keeps a statement under SQLite's limit of 32,766 parameters.
const maxParams = 32766

func (m *multiInsert) text(n int) string {
	if s, ok := m.texts.Load(n); ok {
		return s.(string)
	}
	var b strings.Builder
	b.WriteString(m.head)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(m.tuple)
	}
	b.WriteString(m.tail)
	s, _ := m.texts.LoadOrStore(n, b.String())
	return s.(string)
}

// insertRows writes rows with m in chunks whose sizes are powers of two,
// so that a few statement texts per kind reach the statement cache
// whatever the sizes of the fetches; scan reads each returned row (nil:
// the statement returns none).
func insertRows[T any](ctx context.Context, tx *sql.Tx, m *multiInsert, rows []T, bind func([]any, T) []any, scan func(*sql.Rows) error) error {
	most := 1 << (bits.Len(uint(maxParams/m.columns)) - 1)
	for len(rows) > 0 {
		n := min(len(rows), most)
		n = 1 << (bits.Len(uint(n)) - 1) // the largest power of two not above n
		args := make([]any, 0, n*m.columns)
		for _, r := range rows[:n] {
			args = bind(args, r)
		}
		rows = rows[n:]
		if scan == nil {
			if _, err := tx.ExecContext(ctx, m.text(n), args...); err != nil {
				return mapErr(err)
			}
			continue
		}
		rs, err := tx.QueryContext(ctx, m.text(n), args...)
		if err != nil {
			return mapErr(err)
		}
		for rs.Next() {
			if err := scan(rs); err != nil {
				_ = rs.Close()
				return mapErr(err)
			}
		}
		if err := rs.Close(); err != nil {
			return mapErr(err)
		}
		if err := rs.Err(); err != nil {
			return mapErr(err)
		}
	}
	return nil
}

// rowTime binds a row's time as the driver binds any time (in UTC, the
// layout of _time_format=sqlite), as the JSON rows spell it.
func rowTime(t store.RowTime) time.Time { return time.Time(t).UTC() }

func optTime(t *store.RowTime) any {
	if t == nil {
		return nil
	}
	return rowTime(*t)
}

// webhookJobsOfContact selects the webhook jobs whose event is about one of
// a contact's items (every inbox event carries it as data.item).
const webhookJobsOfContact = `kind = 'webhook_deliver'
  AND json_extract(args, '$.data.item.id') IN (
      SELECT i.id FROM inbox_items i JOIN contact_authors ca ON ca.author_id = i.author_id WHERE ca.contact_id = ?1)`

// labelActions are the rule actions whose detail is a label the team chose
// (as EraseContactItemActions keeps them); an inbox.rule.action event of
// any other (an auto-reply's text) has its detail erased.
const labelActions = `'sentiment', 'status', 'tag', 'untag', 'assign', 'unassign', 'set_priority', 'priority',
  'mark_done', 'hide', 'unhide', 'delete', 'escalate_email', 'escalate_webhook'`

// EraseContactWebhookEvents implements store.Tx. River keeps args as
// SQLite JSONB; jsonb_replace only replaces what is there, so an event
// without an author gains none. The deliveries' answers go first: they are
// found through the jobs' event ids.
func (t *txStore) EraseContactWebhookEvents(ctx context.Context, contactID int64) error {
	if _, err := t.tx.ExecContext(ctx, `UPDATE webhook_deliveries SET response = '[erased]'
WHERE response <> '' AND response <> '[erased]'
  AND event_id IN (SELECT json_extract(args, '$.event_id') FROM river_job WHERE `+webhookJobsOfContact+`)`, contactID); err != nil {
		return err
	}
	if _, err := t.tx.ExecContext(ctx, `UPDATE river_job
SET args = jsonb_replace(args, '$.data.detail', '[erased]')
WHERE json_extract(args, '$.data.action') NOT IN (`+labelActions+`) AND json_extract(args, '$.data.detail') <> ''
  AND `+webhookJobsOfContact, contactID); err != nil {
		return err
	}
	_, err := t.tx.ExecContext(ctx, `UPDATE river_job
SET args = jsonb_replace(args, '$.data.item.text', '[erased]', '$.data.item.url', '', '$.data.item.author', '[erased]')
WHERE `+webhookJobsOfContact, contactID)
	return err
}
