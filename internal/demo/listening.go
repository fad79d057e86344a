package demo

import (
	"context"
	"fmt"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/listen"
	"github.com/tribune-social/tribune/internal/listen/source/sandbox"
	"github.com/tribune-social/tribune/internal/store"
)

// demoTopics are the demo's listening topics: the brand, its two
// competitors of the Sandbox's public stream, and the industry.
var demoTopics = []struct {
	name    string
	kind    listen.TopicKind
	queries []string
}{
	{"Maison Lumière", listen.KindBrand, []string{`"maison lumiere" OR #maisonlumiere OR #lampegate OR #lampgate`}},
	{"Atelier Néon", listen.KindCompetitor, []string{`"atelier neon"`}},
	{"Lustra", listen.KindCompetitor, []string{`lustra`}},
	{"Luminaire et déco", listen.KindIndustry, []string{`(lampe* OR luminaire* OR eclairage OR suspension* OR ampoule*) AND NOT "maison lumiere"`,
		`(lamp* OR lighting OR "light fixtures" OR bulb*) AND lang:en`}},
}

// SeedListening gives the demo workspace its listening topics and queries
// and a Sandbox source reading the simulated public stream, so that the
// listening pages show mentions in the first minute of `make run`. It does
// nothing when the demo user is gone or already has topics.
func SeedListening(ctx context.Context, st store.Store, a *auth.Service, ls *listen.Service) error {
	user, err := st.GetUserByEmail(ctx, Email)
	if err != nil {
		return err
	}
	wss, err := a.Workspaces(ctx, user)
	if err != nil || len(wss) == 0 {
		return err
	}
	ws := wss[0].ID
	if ts, err := ls.Topics(ctx, user, ws); err != nil || len(ts) > 0 {
		return err
	}
	for _, t := range demoTopics {
		tp, err := ls.CreateTopic(ctx, user, ws, listen.TopicInput{Name: t.name, Kind: t.kind})
		if err != nil {
			return fmt.Errorf("demo topic %s: %w", t.name, err)
		}
		for _, q := range t.queries {
			if _, err := ls.CreateQuery(ctx, user, ws, listen.QueryInput{TopicID: tp.ID, Query: q}); err != nil {
				return fmt.Errorf("demo query %s: %w", q, err)
			}
		}
	}
	_, err = ls.CreateSource(ctx, user, ws, listen.SourceInput{Kind: sandbox.Name, Name: "Sandbox — flux public"})
	return err
}
