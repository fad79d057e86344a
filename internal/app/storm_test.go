package app_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/crisis"
	"github.com/tribune-social/tribune/internal/listen"
	"github.com/tribune-social/tribune/internal/listen/alerts"
	listensandbox "github.com/tribune-social/tribune/internal/listen/source/sandbox"
	netsandbox "github.com/tribune-social/tribune/internal/network/sandbox"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/publish"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/web/ui"
)

// Issue 15's storm, end to end on the wiring app.New does: the Sandbox's
// public stream turns against the brand; the listening source stores the
// mentions, the ingestion queues the alert evaluation, the crisis rule
// raises one alert (one, however many evaluations the storm lasts), which
// pauses the workspace and opens the incident; a post falling due then is
// held, the Sandbox never receives it, and the incident's report carries
// the storm's curve.
func TestSandboxStormOpensTheCrisis(t *testing.T) {
	t.Parallel()
	for _, d := range []struct {
		name string
		pg   bool
	}{{"sqlite", false}, {"postgres", true}} {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			stormOpensTheCrisis(t, d.pg)
		})
	}
}

func stormOpensTheCrisis(t *testing.T, pg bool) {
	env := apptest.Start(t, apptest.Options{Postgres: pg, Workers: true})
	a := env.App
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	owner, ws := env.Owner(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	brand, err := a.Listen.CreateTopic(ctx, owner, ws.ID, listen.TopicInput{Name: "Maison Lumière", Kind: listen.KindBrand})
	must(err)
	_, err = a.Listen.CreateQuery(ctx, owner, ws.ID, listen.QueryInput{TopicID: brand.ID, Query: `"Maison Lumière"`})
	must(err)
	src, err := a.Listen.CreateSource(ctx, owner, ws.ID, listen.SourceInput{Kind: listensandbox.Name, Name: "Sandbox"})
	must(err)
	// Calm first: the stream's history (two minutes, mostly kind words)
	// stays under the rule.
	_, err = a.Listen.SandboxStorm(ctx, owner, ws.ID, src.ID, netsandbox.StormOff)
	must(err)
	rule, err := a.Alerts.Create(ctx, owner, ws.ID, alerts.Input{Name: "Bad buzz Maison Lumière", Kind: alerts.KindNegative,
		TopicID: brand.ID, Share: 0.3, MinCount: 30, Crisis: true, Enabled: true}.Defaults())
	must(err)

	// A post due in 40 to 100 s, after the storm has (on any sane machine)
	// paused the workspace: it falls due during the crisis.
	ch, err := a.Channels.ConnectSandbox(ctx, owner, ws.ID, "maisonlumiere")
	must(err)
	loc, err := time.LoadLocation(ws.Timezone)
	must(err)
	due := time.Now().Add(100 * time.Second).Truncate(time.Minute)
	const promo = "Soldes d'hiver : -30 % sur toutes les suspensions !"
	post, err := a.Posts.Save(ctx, owner, ws.ID, 0, posts.Input{Variants: []posts.VariantInput{{ChannelID: ch.ID, Text: promo}},
		ScheduledLocal: due.In(loc).Format("2006-01-02T15:04")}, posts.DoSchedule)
	must(err)

	a.ListenRunner.Start(ctx)
	t.Cleanup(a.ListenRunner.Stop) // before the store closes (cleanups run last first)
	must(a.ListenRunner.Sync(ctx))

	stormAt := time.Now()
	st, err := a.Listen.SandboxStorm(ctx, owner, ws.ID, src.ID, netsandbox.StormOn)
	must(err)
	if !st.Storm {
		t.Fatalf("storm switch: %+v, want a storm blowing", st)
	}

	// Conditions, not sleeps: a loaded machine runs the jobs late, never wrongly.
	waitFor := func(what string, within time.Duration, cond func() (bool, string)) {
		t.Helper()
		deadline := time.Now().Add(within)
		for {
			ok, state := cond()
			if ok {
				t.Logf("%s after %s", what, time.Since(stormAt).Round(100*time.Millisecond))
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("still waiting after %s for %s: %s", within, what, state)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	listAlerts := func() []alerts.Alert {
		t.Helper()
		as, err := a.Alerts.Alerts(ctx, owner, ws.ID)
		must(err)
		return as
	}

	// What listening has stored, for a failure's message.
	listening := func() string {
		rs, err := env.Store.ListTopicRollups(ctx, store.ListTopicRollupsParams{TopicID: brand.ID, Since: time.Now().Add(-2 * time.Hour)})
		must(err)
		var n, neg int64
		for _, r := range rs {
			n, neg = n+r.Mentions, neg+r.Negative
		}
		s, err := a.Listen.Source(ctx, owner, ws.ID, src.ID)
		must(err)
		return fmt.Sprintf("brand mentions %d (negative %d), source %s %q", n, neg, s.Status, s.LastError)
	}
	var alert alerts.Alert
	waitFor("the alert", 2*time.Minute, func() (bool, string) {
		as := listAlerts()
		if len(as) > 0 {
			alert = as[0]
		}
		if len(as) > 0 {
			return true, ""
		}
		return false, "no alert yet; " + listening()
	})
	if alert.RuleID != rule.ID || alert.OpenedAt.Before(stormAt.Add(-time.Second)) {
		t.Fatalf("alert %+v: want rule %d's, opened after the storm began (%s)", alert, rule.ID, stormAt)
	}

	var inc crisis.Incident
	waitFor("the incident open with the alert in its timeline", 2*time.Minute, func() (bool, string) {
		cur, err := a.Crisis.Current(ctx, owner, ws.ID)
		if err != nil {
			return false, "no open incident: " + err.Error()
		}
		inc = cur
		for _, e := range cur.Events {
			if e.Kind == string(crisis.KindAlert) && e.RefID != nil && *e.RefID == alert.ID {
				return true, ""
			}
		}
		return false, "incident without the alert"
	})
	w, err := env.Store.GetWorkspace(ctx, ws.ID)
	must(err)
	if w.PausedAt == nil {
		t.Fatal("incident open but publishing not paused")
	}

	// The storm goes on: later evaluations update the one alert (its last
	// firing moves on) and open no second one, nor a second incident. Each
	// stored batch queues one, so twenty seconds of storm are many.
	first := alert.LastFiredAt
	waitFor("later evaluations of the storm", 2*time.Minute, func() (bool, string) {
		as := listAlerts()
		if len(as) != 1 {
			t.Fatalf("%d alerts during one storm, want 1: %+v", len(as), as)
		}
		return as[0].LastFiredAt.Sub(first) >= 20*time.Second, "last fired " + as[0].LastFiredAt.String()
	})

	// The post falls due during the crisis: held, never sent.
	waitFor("the due post held and in the timeline", 3*time.Minute, func() (bool, string) {
		vs, err := env.Store.ListVariantsByPost(ctx, post.Post.ID)
		must(err)
		if len(vs) != 1 {
			t.Fatalf("%d variants, want 1", len(vs))
		}
		if publish.VariantState(vs[0].State) != publish.VariantHeld {
			return false, "variant " + vs[0].State
		}
		// The timeline hears of it just after the hold commits.
		cur, err := a.Crisis.Current(ctx, owner, ws.ID)
		must(err)
		for _, e := range cur.Events {
			if e.Kind == string(crisis.KindHeld) && e.RefID != nil && *e.RefID == vs[0].ID {
				return true, ""
			}
		}
		return false, "variant held, not yet in the timeline"
	})
	for _, p := range env.Sandbox.Received() {
		if p.Text == promo {
			t.Fatalf("the Sandbox received the post due during the crisis: %+v", p)
		}
	}
	if time.Now().Before(due) {
		t.Fatalf("post held at %s, before it was due (%s)", time.Now(), due)
	}

	list, err := a.Crisis.List(ctx, owner, ws.ID)
	must(err)
	if len(list) != 1 {
		t.Fatalf("%d incidents, want 1", len(list))
	}
	if n := len(listAlerts()); n != 1 {
		t.Fatalf("%d alerts at the end of the storm, want 1", n)
	}

	// The report's curve: the storm's mentions in the hours around the opening.
	rep, err := a.Crisis.Report(ctx, owner, ws.ID, inc.ID)
	must(err)
	var mentions, negative int64
	for _, p := range rep.Points {
		mentions += p.Mentions
		negative += p.Negative
	}
	if rep.Peak < 30 || mentions < 30 || negative < 30 {
		t.Fatalf("report curve: peak %d, %d mentions, %d negative over %d points; want the storm in it", rep.Peak, mentions, negative, len(rep.Points))
	}
	// And as the owner's browser gets it: the report page draws the curve
	// from the same hours (each point a circle carrying its count).
	session, _, err := a.Auth.Login(ctx, owner.Email, "correct horse battery")
	must(err)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/w/%d/crisis/incidents/%d/report", env.Server.URL, ws.ID, inc.ID), nil)
	must(err)
	req.AddCookie(&http.Cookie{Name: ui.SessionCookie, Value: session})
	res, err := http.DefaultClient.Do(req)
	must(err)
	page, err := io.ReadAll(res.Body)
	res.Body.Close()
	must(err)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("report page: HTTP %d %.300s", res.StatusCode, page)
	}
	var drawn int64
	points := regexp.MustCompile(`data-mentions="(\d+)"`).FindAllSubmatch(page, -1)
	for _, m := range points {
		n, _ := strconv.ParseInt(string(m[1]), 10, 64)
		drawn += n
	}
	if len(points) != len(rep.Points) || drawn < mentions || !bytes.Contains(page, []byte(`data-series="mentions"`)) {
		t.Fatalf("report page draws %d points summing %d mentions, want %d points with at least the report's %d", len(points), drawn, len(rep.Points), mentions)
	}
}
