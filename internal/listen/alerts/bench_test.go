package alerts_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/listen/alerts"
	"github.com/tribune-social/tribune/internal/listen/signals"
	"github.com/tribune-social/tribune/internal/listen/signals/rolluptest"
	"github.com/tribune-social/tribune/internal/store/storetest"
)

// BenchmarkEvaluateWorkspace evaluates 40 rules (10 of each kind) of a
// workspace with 5 weeks of hourly volume and 300 terms counted every
// hour for 8 days (57,600 term rollups): the periodic job's work for one
// workspace. Set TRIBUNE_TEST_POSTGRES for the PostgreSQL run.
func BenchmarkEvaluateWorkspace(b *testing.B) {
	for _, pg := range []bool{false, true} {
		b.Run(map[bool]string{false: "sqlite", true: "postgres"}[pg], func(b *testing.B) {
			if pg && os.Getenv(storetest.PostgresEnv) == "" {
				b.Skip("PostgreSQL off")
			}
			f := newFixture(b, pg, false)
			h := start.Truncate(time.Hour)
			for i := 0; i < 5*7*24; i++ {
				f.db.Volume(f.ws.ID, f.topic, h.Add(-time.Duration(i)*time.Hour), 10+int64(i%7), int64(i%3))
			}
			var rows []rolluptest.TermRow
			for term := 0; term < 300; term++ {
				for i := 0; i < 8*24; i++ {
					rows = append(rows, rolluptest.TermRow{Hour: h.Add(-time.Duration(i) * time.Hour), Term: fmt.Sprintf("mot%d", term), N: int64(1 + (term+i)%9)})
				}
			}
			f.db.Terms(f.ws.ID, f.topic, rows)
			ctx := context.Background()
			for i := 0; i < 10; i++ {
				for _, in := range []alerts.Input{
					{Kind: alerts.KindVolume, MinCount: 20},
					{Kind: alerts.KindNegative, MinCount: 5},
					{Kind: alerts.KindWatch, Words: []string{"mot1", "mot2", fmt.Sprintf("mot%d", 100+i)}, MinCount: 50},
					{Kind: alerts.KindNewTerm, MinCount: 5},
				} {
					in.Name, in.Enabled = fmt.Sprintf("%s %d", in.Kind, i), true
					if _, err := f.svc.Create(ctx, f.owner, f.ws.ID, in); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := f.svc.EvaluateWorkspace(ctx, f.ws.ID); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			f.env.App.Signals.Now = f.clock.Now
			t0 := time.Now()
			got, err := f.env.App.Signals.Rising(ctx, f.owner, f.ws.ID, signals.Filter{})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(time.Since(t0).Microseconds())/1000, "signals-page-ms")
			_ = got
		})
	}
}
