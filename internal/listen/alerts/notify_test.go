package alerts_test

import (
	"context"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/listen/alerts"
)

// An alert is told in the app to whoever may read the workspace's
// listening, an organisation owner without a membership row too, and not to
// a member of another workspace of the organisation.
func TestAlertToldToWhoeverMayReadListening(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, pg bool) {
		f := newFixture(t, pg, false)
		coOwner := f.env.OrgOwner(t, f.owner, "co-owner@example.test")
		analyst := f.env.Member(t, f.owner, f.ws.ID, "analyst@example.test", auth.Analyst)
		other, err := f.env.App.Auth.AddWorkspace(context.Background(), f.owner, "Other", "UTC")
		if err != nil {
			t.Fatal(err)
		}
		elsewhere := f.env.Member(t, f.owner, other.ID, "elsewhere@example.test", auth.Admin)
		f.weeks(10)
		f.rule(t, alerts.Input{Kind: alerts.KindVolume, Factor: 3, MinCount: 20, Cooldown: time.Hour})
		f.db.Volume(f.ws.ID, f.topic, f.clock.Now(), 100, 0)
		f.evaluate(t)
		if len(f.alerts(t)) != 1 {
			t.Fatalf("alerts = %d, want 1", len(f.alerts(t)))
		}
		for _, c := range []struct {
			who  string
			n    int
			want int
		}{
			{"co-owner", f.notificationsOf(t, coOwner), 1},
			{"owner", f.notificationsOf(t, f.owner), 1},
			{"analyst", f.notificationsOf(t, analyst), 1},
			{"member of another workspace", f.notificationsOf(t, elsewhere), 0},
		} {
			if c.n != c.want {
				t.Errorf("%s: %d alert notifications, want %d", c.who, c.n, c.want)
			}
		}
	})
}
