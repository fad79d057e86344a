package alerts_test

import (
	"context"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/listen/alerts"
	"github.com/tribune-social/tribune/internal/store"
)

// A kick right after a kicked evaluation has finished evaluates again at once:
// the second batch's alert does not wait for the periodic job (a minute),
// as it did when kicks were unique for a period of 10 s.
func TestKickAfterAnEvaluationEvaluatesAgain(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false, true)
	ctx := context.Background()
	completed := func(n int64) func() bool {
		return func() bool {
			counts, err := f.env.Store.JobCounts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range counts {
				if c.Kind == (alerts.EvaluateArgs{}).Kind() && c.State == "completed" {
					return c.Count >= n
				}
			}
			return false
		}
	}
	waitFor(t, "the first periodic evaluation", completed(1))
	kick := func() {
		if err := f.env.Store.InTx(ctx, func(tx store.Tx) error { return alerts.Kick(ctx, tx, f.ws.ID) }); err != nil {
			t.Fatal(err)
		}
	}
	f.rule(t, alerts.Input{Name: "Volume", Kind: alerts.KindVolume, MinCount: 20})
	f.db.Volume(f.ws.ID, f.topic, start, 40, 0)
	kick()
	waitFor(t, "the first alert", func() bool { return len(f.alerts(t)) == 1 })
	// Once that evaluation has finished (a kick while it still runs is
	// folded into it: see evaluateKicked).
	waitFor(t, "the kicked evaluation to finish", completed(2))

	f.rule(t, alerts.Input{Name: "Négatif", Kind: alerts.KindNegative, Share: 0.5, MinCount: 10})
	f.db.Volume(f.ws.ID, f.topic, start, 60, 60)
	kick()
	deadline := time.Now().Add(8 * time.Second)
	for len(f.alerts(t)) < 2 {
		if time.Now().After(deadline) {
			counts, _ := f.env.Store.JobCounts(ctx)
			t.Fatalf("the second kick raised no alert within 8 s: %+v; jobs %+v", f.alerts(t), counts)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
