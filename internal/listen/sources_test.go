package listen

import (
	"context"
	"strings"
	"testing"

	"github.com/tribune-social/tribune/internal/listen/source"
	"github.com/tribune-social/tribune/internal/listen/source/x"
	"github.com/tribune-social/tribune/internal/listen/source/x/xtest"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/store/storetest"
)

// TestDeleteXSourceForgetsItsRule: deleting an X source deletes its
// filtered-stream rule on the app (X would otherwise go on matching it and
// counting it against the app's caps) and leaves the other rules alone;
// when X cannot be reached the source is deleted all the same and the
// answer names the rule left on the app.
func TestDeleteXSourceForgetsItsRule(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		fx := xtest.New(t)
		f := newFixture(t, st)
		f.s.Kinds.Add(x.Kind())
		// The source is built with X's real address; the client takes it
		// to the fake.
		f.s.Deps = source.Deps{HTTP: fx.Client()}
		create := func(name string) Source {
			src, err := f.s.CreateSource(ctx, f.owner, f.ws.ID, SourceInput{Kind: "x", Name: name, Enabled: new(bool),
				Values: map[string]string{"bearer_token": fx.Token, "rule": "tribune lang:fr"}})
			must(t, err)
			return src
		}
		veille := create("veille")
		fx.SetRules([]xtest.Rule{{ID: "1", Value: "tribune lang:fr", Tag: "tribune:veille"}, {ID: "2", Value: "concurrent", Tag: "tribune:other"}})

		got, err := f.s.DeleteSource(ctx, f.owner, f.ws.ID, veille.ID)
		must(t, err)
		if got.Leftover != "" {
			t.Errorf("DeleteSource = %+v, want nothing left over", got)
		}
		rules, _, calls := fx.Snapshot()
		if len(rules) != 1 || rules[0].Tag != "tribune:other" {
			t.Errorf("rules after the delete = %+v, want only the other source's", rules)
		}
		if len(calls) != 1 || !strings.Contains(calls[0], `"delete"`) || !strings.Contains(calls[0], `"1"`) {
			t.Errorf("POST rules calls = %q, want one delete of rule 1", calls)
		}
		if _, err := f.s.Source(ctx, f.owner, f.ws.ID, veille.ID); err == nil {
			t.Error("the source is still there")
		}

		// X out of reach: the source goes, the rule is named.
		gone := create("gone")
		fx.SetRules([]xtest.Rule{{ID: "3", Value: "tribune lang:fr", Tag: "tribune:gone"}})
		fx.Close()
		got, err = f.s.DeleteSource(ctx, f.owner, f.ws.ID, gone.ID)
		must(t, err)
		if want := "tribune:gone — tribune lang:fr"; got.Leftover != want || got.Reason == "" {
			t.Errorf("DeleteSource with X unreachable = %+v, want leftover %q and a reason", got, want)
		}
		if _, err := f.s.Source(ctx, f.owner, f.ws.ID, gone.ID); err == nil {
			t.Error("the source stayed because X could not be reached")
		}
	})
}
