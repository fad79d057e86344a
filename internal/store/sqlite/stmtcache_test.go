package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

// The statement cache gives the same answers as parsing every time: the same
// query with other arguments, a query run again while its rows are still
// open, and more distinct queries than the cache holds.
func TestStatementCache(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if _, err := s.writer.ExecContext(ctx, `CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 5; i++ {
		if _, err := s.writer.ExecContext(ctx, `INSERT INTO t (id, v) VALUES (?, ?)`, i, fmt.Sprint("v", i)); err != nil {
			t.Fatal(err)
		}
	}
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	const q = `SELECT v FROM t WHERE id >= ? ORDER BY id`
	rows, err := tx.QueryContext(ctx, q, 1)
	if err != nil {
		t.Fatal(err)
	}
	var outer []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		outer = append(outer, v)
		// The same query while its rows are open: a statement of its own.
		var inner string
		if err := tx.QueryRowContext(ctx, q, 4).Scan(&inner); err != nil || inner != "v4" {
			t.Fatalf("inner query: %q, %v", inner, err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if fmt.Sprint(outer) != "[v1 v2 v3 v4 v5]" {
		t.Errorf("outer rows = %v", outer)
	}
	for i := 0; i < stmtCacheSize+20; i++ {
		var n int
		if err := tx.QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*) + %d FROM t WHERE id > ?`, i), 2).Scan(&n); err != nil || n != 3+i {
			t.Fatalf("query %d: %d, %v", i, n, err)
		}
	}
	var v string
	if err := tx.QueryRowContext(ctx, q, 5).Scan(&v); err != nil || v != "v5" {
		t.Errorf("after evictions: %q, %v", v, err)
	}
	if _, err := tx.ExecContext(ctx, `SELECT * FROM nowhere`); err == nil {
		t.Error("a query on a missing table did not fail")
	}
}
