package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tribune-social/tribune/internal/store/postgres"
	"github.com/tribune-social/tribune/internal/store/storetest"
)

// River's connections plan each query for its parameters (see Open: a
// cached generic plan of River's scheduler query delayed a burst of posts by
// 20 s), while Tribune's own keep PostgreSQL's default.
func TestRiverPlansEveryQuery(t *testing.T) {
	s := storetest.NewPostgres(t)
	ctx := context.Background()
	var river, own string
	if err := s.RiverPool().QueryRow(ctx, "SHOW plan_cache_mode").Scan(&river); err != nil {
		t.Fatal(err)
	}
	if err := s.Pool().QueryRow(ctx, "SHOW plan_cache_mode").Scan(&own); err != nil {
		t.Fatal(err)
	}
	if river != "force_custom_plan" || own != "auto" {
		t.Errorf("plan_cache_mode: River %q, Tribune %q; want force_custom_plan, auto", river, own)
	}
	var path string
	if err := s.RiverPool().QueryRow(ctx, "SHOW search_path").Scan(&path); err != nil {
		t.Fatal(err)
	}
	if want := s.Pool().Config().ConnConfig.RuntimeParams["search_path"]; path != want {
		t.Errorf("River's search_path %q, want the store's %q", path, want)
	}
}

// The publishing jobs' reads of a set of ids are planned at each execution
// (never kept as a prepared statement whose cached plan outlives the
// table's growth); the other statements stay prepared.
func TestSetReadsArePlannedEachTime(t *testing.T) {
	s := oneConnection(t)
	ctx := context.Background()
	for i := 0; i < 7; i++ {
		if _, err := s.ListPublishPartsOf(ctx, []int64{1, 2}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetPublishTargets(ctx, []int64{1}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ListPublishParts(ctx, 1); err != nil {
			t.Fatal(err)
		}
	}
	if n, _, _ := plans(t, s, "ListPublishPartsOf"); n != 0 {
		t.Errorf("ListPublishPartsOf is a prepared statement (%d)", n)
	}
	if n, _, _ := plans(t, s, "GetPublishTargets"); n != 0 {
		t.Errorf("GetPublishTargets is a prepared statement (%d)", n)
	}
	if n, _, _ := plans(t, s, "ListPublishParts"); n != 1 {
		t.Errorf("ListPublishParts: %d prepared statements, want 1 (the default is kept)", n)
	}
}

// oneConnection opens a store on a migrated database with a pool of one
// connection, so that pg_prepared_statements (per session) sees every
// statement it ran.
func oneConnection(t *testing.T) *postgres.Store {
	t.Helper()
	u := storetest.NewPostgres(t).Pool().Config().ConnString()
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	s, err := postgres.Open(context.Background(), u+sep+"pool_max_conns=1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// plans reads the session's prepared statements of the sqlc query name: how
// many there are, and how many generic and custom plans they ran with.
func plans(t *testing.T, s *postgres.Store, name string) (n, generic, custom int) {
	t.Helper()
	if err := s.Pool().QueryRow(context.Background(), `SELECT count(*), coalesce(sum(generic_plans), 0), coalesce(sum(custom_plans), 0)
		FROM pg_prepared_statements WHERE statement LIKE $1`, "-- name: "+name+" %").Scan(&n, &generic, &custom); err != nil {
		t.Fatal(err)
	}
	return n, generic, custom
}

// ANALYZE keeps no statistics of the full-text index's expression
// (migration 00030): gathering them parsed every sampled text twice, and
// autovacuum analyses a growing inbox often while a backlog is ingested.
func TestAnalyzeSkipsTheSearchExpression(t *testing.T) {
	s := storetest.NewPostgres(t)
	var target int
	if err := s.Pool().QueryRow(context.Background(), `SELECT attstattarget FROM pg_attribute
		WHERE attrelid = 'inbox_items_search'::regclass AND attnum = 1`).Scan(&target); err != nil {
		t.Fatal(err)
	}
	if target != 0 {
		t.Errorf("statistics target of inbox_items_search's expression: %d, want 0 (none gathered)", target)
	}
}
