package inbox

import (
	"context"
	"slices"
	"testing"

	"github.com/tribune-social/tribune/internal/moderation"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/store/storetest"
)

// At ingestion, a toxicity rule hides an insult on the network and a spam
// rule tags the third copy of one author's text (the first two are not
// spam yet; another author's same text is not either); "Try this rule"
// finds the same ones.
func TestToxicAndSpamRulesAtIngestion(t *testing.T) {
	t.Parallel()
	storetest.ForEachDialect(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		toxic := moderation.Rule{Name: "Toxique", Enabled: true, Order: 1, Conditions: []moderation.Condition{{Kind: moderation.CondToxic}},
			Actions: []moderation.Action{{Kind: moderation.ActHide}}}
		spam := moderation.Rule{Name: "Spam", Enabled: true, Order: 2, Conditions: []moderation.Condition{{Kind: moderation.CondSpam}},
			Actions: []moderation.Action{{Kind: moderation.ActTag, Tag: "spam"}}}
		_, err := f.s.SaveRule(ctx, f.owner, f.ws.ID, toxic)
		must(t, err)
		promo := "Venez voir ma page, promo folle"
		// Comments 1, 4 and 7 are by one author, 5 by another.
		_, err = f.s.Ingest(ctx, f.ch, []network.Item{comment(1, promo), comment(2, "Espèce de c0nnard"), comment(3, "Merci beaucoup")})
		must(t, err)
		got, err := f.s.TryRule(ctx, f.owner, f.ws.ID, spam)
		must(t, err)
		if got.Matched != 0 {
			t.Errorf("try before any repeat: %d matched, want 0", got.Matched)
		}
		_, err = f.s.SaveRule(ctx, f.owner, f.ws.ID, spam)
		must(t, err)
		_, err = f.s.Ingest(ctx, f.ch, []network.Item{comment(4, promo), comment(5, promo), comment(7, "venez voir ma page — PROMO FOLLE !")})
		must(t, err)
		f.runRuleActs(t) // the hides are River jobs queued with the items

		if got := f.conn.actions(); !slices.Equal(got, []string{"hide c2"}) {
			t.Errorf("network saw %v, want [hide c2]", got)
		}
		for _, tc := range []struct {
			id   string
			want []string
		}{{"c1", nil}, {"c2", []string{"hide"}}, {"c3", nil}, {"c4", nil}, {"c5", nil}, {"c7", []string{"tag"}}} {
			var acts []string
			for _, a := range ruleActionsOf(t, f, itemByExternal(t, f, tc.id).ID) {
				acts = append(acts, a.Action)
			}
			if !slices.Equal(acts, tc.want) {
				t.Errorf("%s: rule actions %v, want %v", tc.id, acts, tc.want)
			}
		}
		tried, err := f.s.TryRule(ctx, f.owner, f.ws.ID, spam)
		must(t, err)
		if tried.Matched != 1 || len(tried.ItemIDs) != 1 || tried.ItemIDs[0] != itemByExternal(t, f, "c7").ID {
			t.Errorf("try: %d matched %v, want c7 only", tried.Matched, tried.ItemIDs)
		}
	})
}
