package inbox

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/store/storetest"
)

// BenchmarkIngest stores new items in fetches of 100 through Ingest (the
// store, the link to our post, the conversation, the author, the test
// analyzer), on SQLite and, with TRIBUNE_TEST_POSTGRES, on PostgreSQL.
func BenchmarkIngest(b *testing.B) {
	dialects := map[string]func(testing.TB) store.Store{"sqlite": func(tb testing.TB) store.Store { return storetest.NewSQLite(tb) }}
	if os.Getenv(storetest.PostgresEnv) != "" {
		dialects["postgres"] = func(tb testing.TB) store.Store { return storetest.NewPostgres(tb) }
	}
	for name, open := range dialects {
		b.Run(name, func(b *testing.B) {
			st := open(b)
			f := newFixture(b, st)
			ctx := context.Background()
			n := 0
			b.ResetTimer()
			for b.Loop() {
				batch := make([]network.Item, 100)
				for i := range batch {
					n++
					id := fmt.Sprintf("b%d", n)
					batch[i] = network.Item{ExternalID: id, Kind: network.KindComment, Ref: network.Ref{ID: id}, Root: &network.Ref{ID: ourPostID},
						ParentID: ourPostID, ConversationID: ourPostID, Author: network.Author{ExternalID: fmt.Sprintf("u%d", n%500)},
						Text: "Merci pour cette belle collection, livraison rapide", CreatedAt: t0.Add(time.Duration(n) * time.Second)}
				}
				if _, err := f.s.Ingest(ctx, f.ch, batch); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "items/s")
		})
	}
}
