// Package rolluptest fills the listening tables of 00019 by direct inserts,
// for the tests of signals and alerts: the ingestion that fills them in
// production (internal/listen) is not needed to test what reads them.
package rolluptest

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite" // the driver the store uses

	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/store/postgres"
	"github.com/tribune-social/tribune/internal/store/sqlite"
)

// DB writes rows straight into a store's database.
type DB struct {
	t    testing.TB
	pg   *postgres.Store
	lite *sql.DB
}

// Open returns a DB on s (SQLite or PostgreSQL).
func Open(t testing.TB, s store.Store) *DB {
	t.Helper()
	switch s := s.(type) {
	case *postgres.Store:
		return &DB{t: t, pg: s}
	case *sqlite.Store:
		// The store's own time format, so that hours compare as it writes them.
		db, err := sql.Open("sqlite", "file:"+s.Path()+"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_time_format=sqlite")
		if err != nil {
			t.Fatal(err)
		}
		db.SetMaxOpenConns(1)
		t.Cleanup(func() { db.Close() })
		return &DB{t: t, lite: db}
	}
	t.Fatalf("rolluptest: unknown store %T", s)
	return nil
}

// Exec runs q with ? placeholders.
func (d *DB) Exec(q string, args ...any) {
	d.t.Helper()
	ctx := context.Background()
	var err error
	if d.pg != nil {
		n := 0
		var b strings.Builder
		for _, r := range q {
			if r == '?' {
				n++
				fmt.Fprintf(&b, "$%d", n)
				continue
			}
			b.WriteRune(r)
		}
		_, err = d.pg.Pool().Exec(ctx, b.String(), args...)
	} else {
		_, err = d.lite.ExecContext(ctx, q, args...)
	}
	if err != nil {
		d.t.Fatalf("%s: %v", q, err)
	}
}

// Topic inserts a topic and returns its id.
func (d *DB) Topic(workspaceID int64, name string) int64 {
	d.t.Helper()
	var id int64
	ctx := context.Background()
	q := "INSERT INTO listen_topics (workspace_id, name, created_at) VALUES (?, ?, ?) RETURNING id"
	var err error
	if d.pg != nil {
		err = d.pg.Pool().QueryRow(ctx, "INSERT INTO listen_topics (workspace_id, name, created_at) VALUES ($1, $2, $3) RETURNING id", workspaceID, name, time.Now().UTC()).Scan(&id)
	} else {
		err = d.lite.QueryRowContext(ctx, q, workspaceID, name, time.Now().UTC()).Scan(&id)
	}
	if err != nil {
		d.t.Fatal(err)
	}
	return id
}

// Volume adds mentions (negative of them negative) to a topic's hour.
func (d *DB) Volume(workspaceID, topicID int64, hour time.Time, mentions, negative int64) {
	d.t.Helper()
	d.Exec(`INSERT INTO mention_rollups (workspace_id, topic_id, hour, mentions, negative, neutral) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (topic_id, hour) DO UPDATE SET mentions = mention_rollups.mentions + excluded.mentions,
    negative = mention_rollups.negative + excluded.negative, neutral = mention_rollups.neutral + excluded.neutral`,
		workspaceID, topicID, hour.UTC().Truncate(time.Hour), mentions, negative, mentions-negative)
}

// Term adds n mentions of term to a topic's hour.
func (d *DB) Term(workspaceID, topicID int64, hour time.Time, term string, n int64) {
	d.t.Helper()
	d.Exec(`INSERT INTO mention_term_rollups (workspace_id, topic_id, hour, term, mentions) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (topic_id, hour, term) DO UPDATE SET mentions = mention_term_rollups.mentions + excluded.mentions`,
		workspaceID, topicID, hour.UTC().Truncate(time.Hour), term, n)
}

// Mention inserts a mention of the topic and returns nothing; its
// external id is made unique from its text and time.
func (d *DB) Mention(workspaceID, topicID int64, at time.Time, text, sentiment string) {
	d.t.Helper()
	ext := fmt.Sprintf("%d-%s", at.UnixNano(), text)
	d.Exec(`INSERT INTO mentions (workspace_id, network, external_id, url, author, text, sentiment, posted_at, received_at)
VALUES (?, 'sandbox', ?, ?, 'fan', ?, ?, ?, ?)`, workspaceID, ext, "https://example.test/"+fmt.Sprint(at.UnixNano()), text, sentiment, at.UTC(), at.UTC())
	d.Exec(`INSERT INTO mention_topics (mention_id, topic_id, workspace_id, posted_at)
SELECT id, ?, workspace_id, posted_at FROM mentions WHERE workspace_id = ? AND network = 'sandbox' AND external_id = ?`, topicID, workspaceID, ext)
}

// TermRow is one hour of one term, for Terms.
type TermRow struct {
	Hour time.Time
	Term string
	N    int64
}

// Terms inserts many term rollups of a topic at once (one transaction),
// for benchmarks; rows must not repeat a (hour, term).
func (d *DB) Terms(workspaceID, topicID int64, rows []TermRow) {
	d.t.Helper()
	ctx := context.Background()
	if d.pg != nil {
		src := make([][]any, len(rows))
		for i, r := range rows {
			src[i] = []any{workspaceID, topicID, r.Hour.UTC().Truncate(time.Hour), r.Term, r.N}
		}
		if _, err := d.pg.Pool().CopyFrom(ctx, pgx.Identifier{"mention_term_rollups"}, []string{"workspace_id", "topic_id", "hour", "term", "mentions"}, pgx.CopyFromRows(src)); err != nil {
			d.t.Fatal(err)
		}
		return
	}
	tx, err := d.lite.BeginTx(ctx, nil)
	if err != nil {
		d.t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit, a no-op
	st, err := tx.PrepareContext(ctx, "INSERT INTO mention_term_rollups (workspace_id, topic_id, hour, term, mentions) VALUES (?, ?, ?, ?, ?)")
	if err != nil {
		d.t.Fatal(err)
	}
	for _, r := range rows {
		if _, err := st.ExecContext(ctx, workspaceID, topicID, r.Hour.UTC().Truncate(time.Hour), r.Term, r.N); err != nil {
			d.t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		d.t.Fatal(err)
	}
}
