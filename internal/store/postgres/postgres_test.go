package postgres_test

import (
	"context"
	"testing"

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
