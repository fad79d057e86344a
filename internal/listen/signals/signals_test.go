package signals_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/listen/signals"
	"github.com/tribune-social/tribune/internal/listen/signals/rolluptest"
	"github.com/tribune-social/tribune/internal/problem"
)

var now = time.Date(2026, 11, 20, 14, 35, 0, 0, time.UTC)

// series builds 8 days of hourly counts: every term has its steady rate,
// and lastHour overrides the count of the hour holding now.
func series(steady map[string]int64, lastHour map[string]int64) signals.Counts {
	c := signals.Counts{}
	h := now.Truncate(time.Hour)
	for term, n := range steady {
		for i := 0; i < 8*24; i++ {
			// A little noise so the deviation is not 0.
			c.Add(term, h.Add(-time.Duration(i)*time.Hour), n+int64(i%3)-1)
		}
	}
	for term, n := range lastHour {
		if c[term] != nil {
			c[term][h] = 0
		}
		c.Add(term, h, n)
	}
	return c
}

func TestDetectRisingAgainstSteady(t *testing.T) {
	t.Parallel()
	p := signals.DefaultParams(time.Hour)
	tests := []struct {
		name     string
		steady   map[string]int64
		last     map[string]int64
		want     []string
		notWants []string
	}{
		{name: "a hashtag that was rare jumps, a steady word does not",
			steady: map[string]int64{"greve": 10, "#boycott": 1},
			last:   map[string]int64{"greve": 11, "#boycott": 40},
			want:   []string{"#boycott"}, notWants: []string{"greve"}},
		{name: "a big steady word at a normal hour is not rising",
			steady:   map[string]int64{"recette": 50},
			last:     map[string]int64{"recette": 56},
			notWants: []string{"recette"}},
		{name: "a brand-new term below the minimum count (5) is not rising",
			last:     map[string]int64{"rappel": 4},
			notWants: []string{"rappel"}},
		{name: "a brand-new term at the minimum count (5) is rising",
			last: map[string]int64{"rappel": 5},
			want: []string{"rappel"}},
		{name: "a steady word doubling is not enough",
			steady:   map[string]int64{"prix": 20},
			last:     map[string]int64{"prix": 40},
			notWants: []string{"prix"}},
		{name: "a steady word tripling and more is rising",
			steady: map[string]int64{"prix": 20},
			last:   map[string]int64{"prix": 90},
			want:   []string{"prix"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := map[string]signals.Rising{}
			for _, r := range signals.Detect(series(tc.steady, tc.last), now, p) {
				got[r.Term] = r
			}
			for _, w := range tc.want {
				if _, ok := got[w]; !ok {
					t.Errorf("%s not rising; got %+v", w, got)
				}
			}
			for _, w := range tc.notWants {
				if r, ok := got[w]; ok {
					t.Errorf("%s rising: %+v", w, r)
				}
			}
		})
	}
}

func TestScoreUsesTheSameWindowOfPreviousDays(t *testing.T) {
	t.Parallel()
	// A term high every day at 14:00 and quiet otherwise: at 14:00 it is
	// normal; the same count at 03:00 is a burst.
	c := signals.Counts{}
	day := now.Truncate(24 * time.Hour)
	for d := 0; d <= 8; d++ {
		for h := 0; h < 24; h++ {
			n := int64(0)
			if h == 14 {
				n = 30 + int64(d%2)
			}
			c.Add("apero", day.Add(time.Duration(-d*24+h)*time.Hour), n)
		}
	}
	p := signals.DefaultParams(time.Hour)
	if got := signals.Detect(c, now, p); len(got) != 0 {
		t.Errorf("at its usual hour: got %+v, want nothing", got)
	}
	night := day.Add(3 * time.Hour)
	c.Add("apero", night, 30)
	if got := signals.Detect(c, night, p); len(got) != 1 {
		t.Errorf("at night: got %+v, want apero rising", got)
	}
}

func TestTermsFoldsAndSplitsHashtags(t *testing.T) {
	t.Parallel()
	got := fmt.Sprint(signals.Terms("Grève à l'Opéra #BoycottÉté !"))
	want := "[greve a l opera boycottete #boycottete]"
	if got != want {
		t.Errorf("Terms = %s, want %s", got, want)
	}
}

func TestRisingOnStoredRollups(t *testing.T) {
	t.Parallel()
	for _, pg := range []bool{false, true} {
		t.Run(map[bool]string{false: "sqlite", true: "postgres"}[pg], func(t *testing.T) {
			t.Parallel()
			env := apptest.Start(t, apptest.Options{Postgres: pg})
			ctx := context.Background()
			owner, ws := env.Owner(t)
			db := rolluptest.Open(t, env.Store)
			topic := db.Topic(ws.ID, "Marque")
			other := db.Topic(ws.ID, "Concurrent")
			h := now.Truncate(time.Hour)
			for i := 1; i <= 8*24; i++ {
				db.Term(ws.ID, topic, h.Add(-time.Duration(i)*time.Hour), "greve", 10)
			}
			db.Term(ws.ID, topic, h, "greve", 10)
			db.Term(ws.ID, topic, h, "#boycott", 25)
			db.Term(ws.ID, other, h, "promo", 30)
			db.Mention(ws.ID, topic, now.Add(-5*time.Minute), "Appel au #Boycott de la marque", "negative")
			db.Mention(ws.ID, topic, now.Add(-6*time.Minute), "Rien à voir", "neutral")
			db.Mention(ws.ID, topic, now.Add(-2*time.Hour), "Vieux #boycott hors fenêtre", "negative")

			env.App.Signals.Now = func() time.Time { return now }
			got, err := env.App.Signals.Rising(ctx, owner, ws.ID, signals.Filter{TopicID: topic})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].Term != "#boycott" || got[0].Count != 25 {
				t.Fatalf("rising = %+v, want #boycott with 25", got)
			}
			if len(got[0].Posts) != 1 || got[0].Posts[0].Text != "Appel au #Boycott de la marque" {
				t.Errorf("carriers = %+v, want the one post of the window with #boycott", got[0].Posts)
			}
			all, err := env.App.Signals.Rising(ctx, owner, ws.ID, signals.Filter{})
			if err != nil || len(all) != 2 {
				t.Errorf("all topics: %+v %v, want #boycott and promo", all, err)
			}
			if _, err := env.App.Signals.Rising(ctx, owner, ws.ID, signals.Filter{Window: 2 * time.Hour}); err != signals.ErrWindow {
				t.Errorf("2 h window: err = %v, want ErrWindow", err)
			}
			// Another workspace's member sees nothing of it.
			wsB, err := auth.CreateWorkspace(ctx, env.Store, owner.OrganizationID, owner.ID, "B", "UTC", ws.CreatedAt)
			if err != nil {
				t.Fatal(err)
			}
			outsider := env.Member(t, owner, wsB.ID, "out@example.test", auth.Admin)
			if _, err := env.App.Signals.Rising(ctx, outsider, ws.ID, signals.Filter{}); err != problem.Forbidden {
				t.Errorf("outsider: err = %v, want Forbidden", err)
			}
		})
	}
}
