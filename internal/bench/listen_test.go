package bench

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/listen"
	"github.com/tribune-social/tribune/internal/listen/source"
)

// listenTexts are public posts about a brand, its competitors and its
// industry, French and English; every one matches a query of the
// benchmark, so what is measured is storing matched mentions.
var listenTexts = []string{
	"Ma nouvelle lampe Maison Lumière est arrivée, magnifique dans le salon #deco",
	"Commande Maison Lumière toujours pas livrée après trois semaines #badbuzz",
	"Love my new Maison Lumière floor lamp, the light is so warm",
	"Maison Lumière lamp overheating again, this is dangerous #lampgate",
	"Les néons d'Atelier Néon donnent un style fou à la cuisine",
	"Lustra a encore augmenté ses prix, dommage",
	"Lustra vs Maison Lumière for a dining room chandelier?",
	"Tendance déco : les luminaires en rotin reviennent en force",
	"Quelle température de couleur pour un éclairage de bureau ?",
	"LED bulb prices dropped 20% this year, good news for lighting",
}

// BenchmarkListenStore sends 50,000 matching posts
// (TRIBUNE_BENCH_MENTIONS changes the number) through listen.Service.Ingest
// in batches of 200, as a busy source hands them over: language detection,
// the workspace's query index, the real sentiment model on every post (all
// match), then one transaction per batch storing the mentions, their
// topics, the volume, sentiment and term rollups by hour, day and month,
// the author rollups by day and month, and the source's cursor. It reports stored mentions per second.
func BenchmarkListenStore(b *testing.B) {
	total := envNamed("TRIBUNE_BENCH_MENTIONS", 50000)
	dialects(b, func(b *testing.B, pg bool) {
		ctx := context.Background()
		e := apptest.Start(b, apptest.Options{Postgres: pg})
		owner, ws := e.Owner(b)
		for _, t := range []struct{ name, q string }{
			{"Maison Lumière", `"maison lumiere" OR #lampgate`},
			{"Atelier Néon", `"atelier neon"`},
			{"Lustra", `lustra`},
			{"Industry", `lampe* OR luminaire* OR eclairage OR lighting OR bulb*`},
		} {
			tp, err := e.App.Listen.CreateTopic(ctx, owner, ws.ID, listen.TopicInput{Name: t.name})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := e.App.Listen.CreateQuery(ctx, owner, ws.ID, listen.QueryInput{TopicID: tp.ID, Query: t.q}); err != nil {
				b.Fatal(err)
			}
		}
		src, err := e.App.Listen.CreateSource(ctx, owner, ws.ID, listen.SourceInput{Kind: "sandbox", Name: "bench", Enabled: new(bool)})
		if err != nil {
			b.Fatal(err)
		}
		const batch = 200
		base := time.Now().Add(-24 * time.Hour)
		stored := 0
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			start := time.Now()
			for done := 0; done < total; done += batch {
				bt := source.Batch{Cursor: fmt.Sprint(done + batch)}
				for j := done; j < done+batch && j < total; j++ {
					bt.Posts = append(bt.Posts, source.Post{Network: "sandbox", ExternalID: fmt.Sprintf("b%d-%d", i, j),
						Author: fmt.Sprintf("author%d", j%3000), AuthorFollowers: int64(j % 5000), Text: fmt.Sprintf("%s (%d)", listenTexts[j%len(listenTexts)], j),
						CreatedAt: base.Add(time.Duration(j) * 500 * time.Millisecond)})
				}
				res, err := e.App.Listen.Ingest(ctx, src.ID, bt)
				if err != nil {
					b.Fatal(err)
				}
				if res.Stored != len(bt.Posts) {
					b.Fatalf("batch at %d: %d stored, want %d (every post matches)", done, res.Stored, len(bt.Posts))
				}
				stored += res.Stored
			}
			b.Logf("%d mentions in %s", total, time.Since(start).Round(time.Millisecond))
		}
		b.StopTimer()
		b.ReportMetric(float64(stored)/b.Elapsed().Seconds(), "mentions/s")
	})
}
