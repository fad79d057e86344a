package storetest

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/channels"
	"github.com/tribune-social/tribune/internal/store"
)

// BenchmarkInboxItemWrites writes fetches of 40 items, each with a tag
// and two audit rows, on SQLite, the two ways side by side in the same
// run: the JSON rows of the sqlc queries, and the rows bound as
// parameters (AddInboxItems, AddInboxItemTagRows, AddInboxRuleActionRows),
// which ingestion uses. One op is one fetch in its transaction.
func BenchmarkInboxItemWrites(b *testing.B) {
	ctx := context.Background()
	s := NewSQLite(b)
	org, err := s.CreateOrganization(ctx, store.CreateOrganizationParams{Name: "Acme", CreatedAt: t0})
	if err != nil {
		b.Fatal(err)
	}
	ws, err := s.CreateWorkspace(ctx, store.CreateWorkspaceParams{OrganizationID: org.ID, Name: "Brand", Timezone: "UTC", IcalTokenHash: "tok", CreatedAt: t0})
	if err != nil {
		b.Fatal(err)
	}
	ch, err := s.CreateChannel(ctx, store.CreateChannelParams{WorkspaceID: ws.ID, Network: "sandbox", Name: "one", Handle: "h", ExternalID: "e",
		BaseURL: "http://x", TokenCiphertext: []byte{1}, TokenKeyID: "k1", Status: string(channels.Active), CreatedAt: t0})
	if err != nil {
		b.Fatal(err)
	}
	author, err := s.UpsertInboxAuthor(ctx, store.UpsertInboxAuthorParams{WorkspaceID: ws.ID, Network: "sandbox", ExternalID: "a1", Handle: "fan", UpdatedAt: t0})
	if err != nil {
		b.Fatal(err)
	}
	conv, err := s.UpsertInboxConversation(ctx, store.UpsertInboxConversationParams{WorkspaceID: ws.ID, ChannelID: ch.ID, ExternalID: "post", Kind: "thread", LastItemAt: t0, CreatedAt: t0})
	if err != nil {
		b.Fatal(err)
	}
	next := 0
	fetch := func() []store.InboxItemRow {
		rows := make([]store.InboxItemRow, 40)
		for i := range rows {
			next++
			rows[i] = store.InboxItemRow{WorkspaceID: ws.ID, ChannelID: ch.ID, Network: "sandbox", ExternalID: fmt.Sprintf("i%d", next), Kind: "comment",
				ConversationID: conv, RefID: fmt.Sprintf("i%d", next), RootID: "post", ParentID: "post", AuthorID: author,
				Text: fmt.Sprintf("Toujours pas reçu ma commande, trois semaines d'attente (%d)", next), Lang: "fr", Sentiment: "negative",
				SentimentScore: -0.6, NetworkCreatedAt: store.RowTime(t0.Add(time.Duration(next) * time.Millisecond)), Status: "new", CreatedAt: store.RowTime(t0)}
		}
		return rows
	}
	extras := func(added []store.InsertInboxItemsRow) ([]store.TagRow, []store.RuleActionRow) {
		var tags []store.TagRow
		var audits []store.RuleActionRow
		for _, a := range added {
			tags = append(tags, store.TagRow{ItemID: a.ID, Tag: "delivery"})
			for _, act := range []string{"tag", "priority"} {
				audits = append(audits, store.RuleActionRow{WorkspaceID: ws.ID, ItemID: a.ID, Action: act, Detail: "delivery", Result: "ok",
					CreatedAt: store.RowTime(t0), RuleName: "Delivery"})
			}
		}
		return tags, audits
	}
	ways := []struct {
		name  string
		write func(tx store.Tx, rows []store.InboxItemRow) error
	}{
		{"json", func(tx store.Tx, rows []store.InboxItemRow) error {
			added, err := tx.InsertInboxItems(ctx, store.Rows(rows))
			if err != nil {
				return err
			}
			tags, audits := extras(added)
			if err := tx.AddInboxItemTags(ctx, store.Rows(tags)); err != nil {
				return err
			}
			_, err = tx.AddInboxRuleActions(ctx, store.Rows(audits))
			return err
		}},
		{"rows", func(tx store.Tx, rows []store.InboxItemRow) error {
			added, err := tx.AddInboxItems(ctx, rows)
			if err != nil {
				return err
			}
			tags, audits := extras(added)
			if err := tx.AddInboxItemTagRows(ctx, tags); err != nil {
				return err
			}
			_, err = tx.AddInboxRuleActionRows(ctx, audits)
			return err
		}},
	}
	// Both ways write turn by turn into the same tables, so that neither
	// meets a smaller index than the other, and each is timed by the
	// process's CPU time: on the shared machine the wall clock measures
	// the other sessions as much.
	cpu := make([]time.Duration, len(ways))
	for range b.N {
		for k, w := range ways {
			rows := fetch()
			c0 := cpuTime()
			if err := s.InTx(ctx, func(tx store.Tx) error { return w.write(tx, rows) }); err != nil {
				b.Fatal(err)
			}
			cpu[k] += cpuTime() - c0
		}
	}
	for k, w := range ways {
		b.ReportMetric(float64(cpu[k].Microseconds())/float64(b.N), w.name+"-CPU-µs/fetch")
	}
}

// cpuTime is the CPU time the process has used (user and system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
