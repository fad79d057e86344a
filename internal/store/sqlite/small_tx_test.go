package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"

	"github.com/tribune-social/tribune/internal/store"
)

// A Small transaction keeps its statement journals in memory (temp_store
// 2, MEMORY) while it runs; the writer goes back to the default (0, files)
// after it, failed or not, so that a statement over a whole table never
// holds its journal in memory.
func TestSmallTransactionsJournalInMemoryOnlyWhileTheyRun(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "tribune.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	tempStore := func(q interface {
		QueryRowContext(context.Context, string, ...any) *sql.Row
	}) int {
		t.Helper()
		var n int
		if err := q.QueryRowContext(ctx, "PRAGMA temp_store").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	fail := errors.New("rolled back")
	for _, c := range []struct {
		name   string
		opts   store.TxOptions
		err    error
		inside int
	}{
		{"small", store.TxOptions{Small: true}, nil, 2},
		{"small, failed", store.TxOptions{Small: true}, fail, 2},
		{"not small", store.TxOptions{Relaxed: true}, nil, 0},
	} {
		var inside int
		err := s.InTxWith(ctx, c.opts, func(tx store.Tx) error {
			inside = tempStore(tx.(*txStore).tx)
			return c.err
		})
		if !errors.Is(err, c.err) {
			t.Fatalf("%s: %v, want %v", c.name, err, c.err)
		}
		if after := tempStore(s.writer); inside != c.inside || after != 0 {
			t.Errorf("%s: temp_store %d inside, %d after; want %d and 0", c.name, inside, after, c.inside)
		}
	}
}
