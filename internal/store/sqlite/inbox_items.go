package sqlite

import (
	"context"
	"math/bits"
	"strings"
	"sync"
	"time"

	"github.com/tribune-social/tribune/internal/store"
)

// AddInboxItems implements store.Tx. On SQLite a fetch's items are bound
// as the parameters of a multi-row INSERT rather than passed as one JSON
// document (InsertInboxItems): unpacking 31 fields a row with jsonb_each
// and ->> was a sixth of the ingestion's CPU time (docs/benchmarks.md,
// "Inbox"). Rows go in chunks whose sizes are powers of two, so that at
// most nine statement texts reach the statement cache whatever the sizes
// of the fetches.
func (t *txStore) AddInboxItems(ctx context.Context, rows []store.InboxItemRow) ([]store.InsertInboxItemsRow, error) {
	var out []store.InsertInboxItemsRow
	for len(rows) > 0 {
		n := min(len(rows), maxItemChunk)
		n = 1 << (bits.Len(uint(n)) - 1) // the largest power of two not above n
		args := make([]any, 0, n*itemColumns)
		for _, r := range rows[:n] {
			args = append(args, r.WorkspaceID, r.ChannelID, r.Network, r.ExternalID, r.Kind, r.ConversationID, r.RefID, r.RefCID, r.RefURL,
				r.RootID, r.RootCID, r.RootURL, r.ParentID, r.PostID, r.VariantID, r.AuthorID, r.Text, r.DeclaredLang, r.Lang, r.Rating,
				r.Sentiment, r.SentimentScore, rowTime(r.NetworkCreatedAt), optTime(r.EditedAt), optTime(r.DeletedAt), r.Hidden, r.Status,
				r.AssigneeID, r.Priority, rowTime(r.CreatedAt), rowTime(r.CreatedAt))
		}
		got, err := t.tx.QueryContext(ctx, insertItemsSQL(n), args...)
		if err != nil {
			return nil, mapErr(err)
		}
		for got.Next() {
			var a store.InsertInboxItemsRow
			if err := got.Scan(&a.ID, &a.ExternalID); err != nil {
				_ = got.Close()
				return nil, mapErr(err)
			}
			out = append(out, a)
		}
		if err := got.Close(); err != nil {
			return nil, mapErr(err)
		}
		if err := got.Err(); err != nil {
			return nil, mapErr(err)
		}
		rows = rows[n:]
	}
	return out, nil
}

// maxItemChunk is the most rows one statement inserts: 256 rows of 31
// parameters stay under SQLite's limit of 32,766.
const maxItemChunk = 256

// itemColumns is the number of parameters per row of insertItemsSQL.
const itemColumns = 31

// insertItemsSQL is the text of the insert of n rows, made once per n.
// A row's priority is normal (1) when the rules set none, and it is
// updated when it is created, as in InsertInboxItems.
func insertItemsSQL(n int) string {
	if s, ok := itemsSQL.Load(n); ok {
		return s.(string)
	}
	var b strings.Builder
	b.WriteString(`INSERT INTO inbox_items (workspace_id, channel_id, network, external_id, kind, conversation_id, ref_id, ref_cid, ref_url,
root_id, root_cid, root_url, parent_id, post_id, variant_id, author_id, text, declared_lang, lang, rating, sentiment, sentiment_score,
network_created_at, edited_at, deleted_at, hidden, status, assignee_id, priority, created_at, updated_at) VALUES `)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,COALESCE(?, 1),?,?)")
	}
	b.WriteString(" ON CONFLICT (channel_id, external_id) DO NOTHING RETURNING id, external_id")
	s, _ := itemsSQL.LoadOrStore(n, b.String())
	return s.(string)
}

var itemsSQL sync.Map // int → string

// rowTime binds a row's time as the driver binds any time (in UTC, the
// layout of _time_format=sqlite), as the JSON rows spell it.
func rowTime(t store.RowTime) time.Time { return time.Time(t).UTC() }

func optTime(t *store.RowTime) any {
	if t == nil {
		return nil
	}
	return rowTime(*t)
}
