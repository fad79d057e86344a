// Package crisistest helps tests of the crisis cell: it writes the hourly
// mention rollups the listening pipeline would, straight into the database.
package crisistest

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/store/postgres"
	"github.com/tribune-social/tribune/internal/store/sqlite"
)

// Rollup is one hour of mention_rollups.
type Rollup struct {
	Hour                                  time.Time
	Mentions, Positive, Neutral, Negative int64
}

var placeholder = regexp.MustCompile(`\?`)

// SeedRollups writes a topic of the workspace and its hourly rollups.
func SeedRollups(t testing.TB, st store.Store, workspaceID int64, rows []Rollup) {
	t.Helper()
	ctx := context.Background()
	exec := func(q string, args ...any) {
		t.Helper()
		var err error
		switch s := st.(type) {
		case *sqlite.Store:
			var db *sql.DB
			db, err = sql.Open("sqlite", "file:"+s.Path()+"?_pragma=busy_timeout(10000)&_time_format=sqlite")
			if err == nil {
				_, err = db.ExecContext(ctx, q, args...)
				db.Close()
			}
		case *postgres.Store:
			n := 0
			q = placeholder.ReplaceAllStringFunc(q, func(string) string { n++; return fmt.Sprintf("$%d", n) })
			_, err = s.Pool().Exec(ctx, q, args...)
		default:
			t.Fatalf("unknown store %T", st)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	topic := 9000 + workspaceID
	exec("INSERT INTO listen_topics (id, workspace_id, name, kind, color, created_at) VALUES (?, ?, ?, 'brand', '', ?)", topic, workspaceID, fmt.Sprint("Marque ", topic), time.Now().UTC())
	for _, r := range rows {
		exec("INSERT INTO mention_rollups (workspace_id, topic_id, hour, mentions, positive, neutral, negative, reach) VALUES (?, ?, ?, ?, ?, ?, ?, 0)",
			workspaceID, topic, r.Hour.UTC(), r.Mentions, r.Positive, r.Neutral, r.Negative)
	}
}
