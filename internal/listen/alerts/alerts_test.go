package alerts_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/listen/alerts"
	"github.com/tribune-social/tribune/internal/listen/signals/rolluptest"
	"github.com/tribune-social/tribune/internal/notify"
	"github.com/tribune-social/tribune/internal/notify/smtptest"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/webhooks"
)

// start is Monday 2026-11-16 09:10 UTC.
var start = time.Date(2026, 11, 16, 9, 10, 0, 0, time.UTC)

type clock struct{ ns atomic.Int64 }

func (c *clock) Now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) Set(t time.Time)         { c.ns.Store(t.UnixNano()) }
func (c *clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

type fixture struct {
	env   *apptest.Env
	owner store.User
	ws    store.Workspace
	topic int64
	db    *rolluptest.DB
	clock *clock
	svc   *alerts.Service
}

func newFixture(t testing.TB, pg, workers bool) *fixture {
	t.Helper()
	env := apptest.Start(t, apptest.Options{Postgres: pg, Workers: workers})
	owner, ws := env.Owner(t)
	db := rolluptest.Open(t, env.Store)
	f := &fixture{env: env, owner: owner, ws: ws, db: db, clock: &clock{}, svc: env.App.Alerts}
	f.clock.Set(start)
	f.svc.Now = f.clock.Now
	f.topic = db.Topic(ws.ID, "Marque")
	return f
}

func dialects(t *testing.T, fn func(t *testing.T, pg bool)) {
	for _, pg := range []bool{false, true} {
		t.Run(map[bool]string{false: "sqlite", true: "postgres"}[pg], func(t *testing.T) {
			t.Parallel()
			fn(t, pg)
		})
	}
}

func (f *fixture) rule(t *testing.T, in alerts.Input) alerts.Rule {
	t.Helper()
	in.Enabled = true
	if in.Name == "" {
		in.Name = "Pic"
	}
	r, err := f.svc.Create(context.Background(), f.owner, f.ws.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (f *fixture) evaluate(t *testing.T) {
	t.Helper()
	if err := f.svc.EvaluateWorkspace(context.Background(), f.ws.ID); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) alerts(t *testing.T) []alerts.Alert {
	t.Helper()
	list, err := f.svc.Alerts(context.Background(), f.owner, f.ws.ID)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func (f *fixture) notifications(t *testing.T) int {
	t.Helper()
	return f.notificationsOf(t, f.owner)
}

// notificationsOf counts u's listening alert notifications.
func (f *fixture) notificationsOf(t *testing.T, u store.User) int {
	t.Helper()
	list, err := f.env.Store.ListNotifications(context.Background(), store.ListNotificationsParams{UserID: u.ID, MaxRows: 1000})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, x := range list {
		if x.Kind == alerts.NotifyAlert {
			n++
		}
	}
	return n
}

// weeks writes n mentions at the same hour as start on each of the
// previous 4 weeks.
func (f *fixture) weeks(n int64) {
	for w := 1; w <= 4; w++ {
		f.db.Volume(f.ws.ID, f.topic, start.Add(-time.Duration(w)*7*24*time.Hour), n, 0)
	}
}

func TestSpikeFiresOnceNotAHundredTimes(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, pg bool) {
		f := newFixture(t, pg, false)
		f.weeks(10)
		f.rule(t, alerts.Input{Kind: alerts.KindVolume, Factor: 3, MinCount: 20, Cooldown: time.Hour})
		// A storm: 100 evaluations a minute apart, 5 more mentions each.
		for i := 0; i < 100; i++ {
			f.db.Volume(f.ws.ID, f.topic, f.clock.Now(), 5, 0)
			f.evaluate(t)
			f.clock.Advance(time.Minute)
		}
		list := f.alerts(t)
		if len(list) != 1 {
			t.Fatalf("alerts = %d, want 1 for one storm", len(list))
		}
		if got := f.notifications(t); got != 1 {
			t.Errorf("notifications = %d, want 1", got)
		}
		a := list[0]
		// The storm crossed 10:00: the alert holds the latest hour's count
		// and the peak of the first one (50 minutes × 5 = 250).
		if a.State != alerts.StateOpen || a.Peak != 250 || a.Value != 250 {
			t.Errorf("alert = %+v, want open, peak 250, value 250", a)
		}
		if len(a.Deliveries) != 1 || a.Deliveries[0].Channel != "inapp" || a.Deliveries[0].Outcome != alerts.OutcomeDelivered {
			t.Errorf("deliveries = %+v, want one in-app delivered", a.Deliveries)
		}
		// Quiet for less than the cooldown: still the same alert.
		f.clock.Advance(30 * time.Minute)
		f.evaluate(t)
		if list := f.alerts(t); list[0].State != alerts.StateOpen {
			t.Errorf("within the cooldown: state %s, want open", list[0].State)
		}
		// Past the cooldown: closed, re-armed.
		f.clock.Advance(time.Hour)
		f.evaluate(t)
		if list := f.alerts(t); list[0].State != alerts.StateClosed {
			t.Errorf("after the cooldown: state %s, want closed", list[0].State)
		}
		// A new storm is a new alert, sent again.
		f.db.Volume(f.ws.ID, f.topic, f.clock.Now(), 100, 0)
		f.evaluate(t)
		f.evaluate(t)
		if list := f.alerts(t); len(list) != 2 || f.notifications(t) != 2 {
			t.Errorf("second storm: %d alerts, %d notifications, want 2 and 2", len(list), f.notifications(t))
		}
	})
}

func TestVolumeNeedsTheMinimumCount(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, pg bool) {
		f := newFixture(t, pg, false)
		// No history at all: any count beats factor × 0, only the minimum holds.
		f.rule(t, alerts.Input{Kind: alerts.KindVolume, Factor: 3, MinCount: 20})
		f.db.Volume(f.ws.ID, f.topic, start, 19, 0)
		f.evaluate(t)
		if n := len(f.alerts(t)); n != 0 {
			t.Fatalf("19 mentions, minimum 20: %d alerts, want 0", n)
		}
		f.db.Volume(f.ws.ID, f.topic, start, 1, 0)
		f.evaluate(t)
		if n := len(f.alerts(t)); n != 1 {
			t.Fatalf("20 mentions, minimum 20: %d alerts, want 1", n)
		}
	})
}

func TestVolumeBaselineIsTheSameHourOfPreviousWeeks(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, pg bool) {
		f := newFixture(t, pg, false)
		// Monday 9:00 is busy every week (100), the other hours are quiet,
		// yesterday at 9:00 included.
		f.weeks(100)
		f.db.Volume(f.ws.ID, f.topic, start.Add(-24*time.Hour), 1, 0)
		f.rule(t, alerts.Input{Kind: alerts.KindVolume, Factor: 3, MinCount: 20})
		f.db.Volume(f.ws.ID, f.topic, start, 150, 0)
		f.evaluate(t)
		if n := len(f.alerts(t)); n != 0 {
			t.Fatalf("150 against 100 usually at this hour: %d alerts, want 0", n)
		}
		f.db.Volume(f.ws.ID, f.topic, start, 150, 0)
		f.evaluate(t)
		list := f.alerts(t)
		if len(list) != 1 || list[0].Value != 300 || list[0].Baseline != 100 {
			t.Fatalf("300 against 100: %+v, want one alert with value 300, baseline 100", list)
		}
		// The same 150 at 14:00, an hour quiet on previous Mondays, fires.
		g := newFixture(t, pg, false)
		g.weeks(100)
		g.rule(t, alerts.Input{Kind: alerts.KindVolume, Factor: 3, MinCount: 20})
		g.clock.Set(start.Add(5 * time.Hour))
		g.db.Volume(g.ws.ID, g.topic, g.clock.Now(), 150, 0)
		g.evaluate(t)
		if n := len(g.alerts(t)); n != 1 {
			t.Errorf("150 at a quiet hour: %d alerts, want 1", n)
		}
	})
}

func TestNegativeShare(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, pg bool) {
		tests := []struct {
			name               string
			mentions, negative int64
			want               int
		}{
			{"30 % negative is below the share", 100, 30, 0},
			{"50 % negative fires", 100, 50, 1},
			{"75 % negative but 15 mentions is below the minimum", 20, 15, 0},
		}
		f := newFixture(t, pg, false)
		for i, tc := range tests {
			// One topic per case, so each starts from nothing.
			topic := f.db.Topic(f.ws.ID, tc.name)
			r, err := f.svc.Create(context.Background(), f.owner, f.ws.ID, alerts.Input{Name: tc.name, Kind: alerts.KindNegative,
				TopicID: topic, Share: 0.4, MinCount: 20, Enabled: true})
			if err != nil {
				t.Fatal(err)
			}
			f.db.Volume(f.ws.ID, topic, start.Add(time.Duration(i)*time.Minute), tc.mentions, tc.negative)
			f.evaluate(t)
			got := 0
			for _, a := range f.alerts(t) {
				if a.RuleID == r.ID {
					got++
				}
			}
			if got != tc.want {
				t.Errorf("%s: %d alerts, want %d", tc.name, got, tc.want)
			}
		}
	})
}

func TestWatchWordsAndNewTerm(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, pg bool) {
		f := newFixture(t, pg, false)
		f.rule(t, alerts.Input{Name: "Mots", Kind: alerts.KindWatch, Words: []string{"Rappel", "#Boycott"}, MinCount: 3})
		f.rule(t, alerts.Input{Name: "Nouveau", Kind: alerts.KindNewTerm, MinCount: 5, Factor: 3})
		f.db.Term(f.ws.ID, f.topic, start, "rappel", 2)
		f.db.Term(f.ws.ID, f.topic, start, "prix", 4)
		f.evaluate(t)
		if n := len(f.alerts(t)); n != 0 {
			t.Fatalf("2 watch words and a term at 4: %d alerts, want 0", n)
		}
		f.db.Term(f.ws.ID, f.topic, start, "#boycott", 1)
		f.db.Term(f.ws.ID, f.topic, start, "prix", 4)
		f.evaluate(t)
		got := map[string]alerts.Alert{}
		for _, a := range f.alerts(t) {
			got[a.Title] = a
		}
		if a := got["Mots"]; a.Value != 3 || strings.Join(a.Terms, ",") != "rappel,#boycott" {
			t.Errorf("watch alert = %+v, want 3 mentions of rappel and #boycott", a)
		}
		if a := got["Nouveau"]; strings.Join(a.Terms, ",") != "prix" || a.Value != 8 {
			t.Errorf("new term alert = %+v, want prix at 8", a)
		}
	})
}

// slackServer is a Slack incoming webhook as its documentation describes
// it: a POST of JSON with a "text", answered 200 "ok"; answers holds the
// statuses to give, in order (then 200).
type slackServer struct {
	mu      sync.Mutex
	answers []int
	got     []*http.Request
	bodies  [][]byte
}

func (s *slackServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.got, s.bodies = append(s.got, r), append(s.bodies, b)
	code := http.StatusOK
	if len(s.answers) > 0 {
		code, s.answers = s.answers[0], s.answers[1:]
	}
	s.mu.Unlock()
	w.WriteHeader(code)
	if code == http.StatusOK {
		io.WriteString(w, "ok")
	} else {
		io.WriteString(w, "channel_not_found")
	}
}

func (s *slackServer) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.got)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestSlackDelivery(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, pg bool) {
		f := newFixture(t, pg, true)
		slack := &slackServer{answers: []int{http.StatusInternalServerError}}
		srv := httptest.NewServer(slack)
		t.Cleanup(srv.Close)
		f.rule(t, alerts.Input{Name: "Pic <Marque>", Kind: alerts.KindVolume, MinCount: 20, Channels: []alerts.Channel{alerts.ChannelSlack},
			SlackURL: srv.URL + "/services/T000/B000/XXXX"})
		f.db.Volume(f.ws.ID, f.topic, start, 40, 0)
		f.evaluate(t)
		// A 500 is retried; the second attempt delivers.
		waitFor(t, "two Slack attempts", func() bool { return slack.count() >= 2 })
		slack.mu.Lock()
		req, body := slack.got[1], slack.bodies[1]
		slack.mu.Unlock()
		if req.Method != http.MethodPost || req.Header.Get("Content-Type") != "application/json" || req.URL.Path != "/services/T000/B000/XXXX" {
			t.Errorf("request = %s %s %s", req.Method, req.URL.Path, req.Header.Get("Content-Type"))
		}
		var msg map[string]any
		if err := json.Unmarshal(body, &msg); err != nil {
			t.Fatal(err)
		}
		text, _ := msg["text"].(string)
		if len(msg) != 1 || !strings.Contains(text, "Pic &lt;Marque&gt;") || !strings.Contains(text, "40") ||
			!strings.Contains(text, "/w/"+strconv.FormatInt(f.ws.ID, 10)+"/listen/alerts|") {
			t.Errorf("payload = %s, want {\"text\": …} naming the rule (escaped), the count and a link", body)
		}
		waitFor(t, "the delivery log", func() bool {
			a := f.alerts(t)
			return len(a) == 1 && len(a[0].Deliveries) == 2
		})
		d := f.alerts(t)[0].Deliveries
		if d[0].Outcome != alerts.OutcomeRetry || !strings.Contains(d[0].Error, "500") || d[1].Outcome != alerts.OutcomeDelivered {
			t.Errorf("deliveries = %+v, want a retry (500) then delivered", d)
		}
		// A refusal that retrying cannot cure (404 channel_not_found) is
		// recorded as failed, once.
		slack.mu.Lock()
		slack.answers = []int{http.StatusNotFound, http.StatusNotFound}
		slack.mu.Unlock()
		f.clock.Advance(24 * time.Hour)
		f.evaluate(t) // closes the first alert
		f.db.Volume(f.ws.ID, f.topic, f.clock.Now(), 40, 0)
		f.evaluate(t)
		waitFor(t, "the failed delivery", func() bool {
			a := f.alerts(t)
			return len(a) == 2 && len(a[0].Deliveries) == 1
		})
		if d := f.alerts(t)[0].Deliveries[0]; d.Outcome != alerts.OutcomeFailed || !strings.Contains(d.Error, "channel_not_found") {
			t.Errorf("delivery = %+v, want failed with Slack's answer", d)
		}
		if n := slack.count(); n != 3 {
			t.Errorf("Slack requests = %d, want 3 (no retry of a 404)", n)
		}
	})
}

func TestSignedWebhookDelivery(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, pg bool) {
		f := newFixture(t, pg, true)
		type hit struct {
			header http.Header
			body   []byte
		}
		hits := make(chan hit, 4)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			hits <- hit{r.Header.Clone(), b}
		}))
		t.Cleanup(srv.Close)
		ep, secret, err := f.env.App.Webhooks.Create(context.Background(), f.owner, f.ws.ID,
			webhooks.Input{URL: srv.URL + "/hook", Events: []webhooks.EventType{webhooks.InboxItemCreated}, Enabled: true})
		if err != nil {
			t.Fatal(err)
		}
		f.rule(t, alerts.Input{Name: "Pic", Kind: alerts.KindVolume, MinCount: 20, Channels: []alerts.Channel{alerts.ChannelWebhook}, WebhookID: ep.ID})
		f.db.Volume(f.ws.ID, f.topic, start, 40, 0)
		f.evaluate(t)
		var h hit
		select {
		case h = <-hits:
		case <-time.After(45 * time.Second):
			t.Fatal("no webhook delivery")
		}
		if got := h.header.Get(webhooks.HeaderEventType); got != "listen.alert" {
			t.Errorf("event type = %q, want listen.alert", got)
		}
		ts := h.header.Get(webhooks.HeaderTimestamp)
		tsn, err := strconv.ParseInt(ts, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := h.header.Get(webhooks.HeaderSignature), webhooks.Sign(secret, tsn, h.body); got != want {
			t.Errorf("signature = %q, want %q", got, want)
		}
		var ev struct {
			Type string         `json:"type"`
			Data alerts.Payload `json:"data"`
		}
		if err := json.Unmarshal(h.body, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Data.Rule != "Pic" || ev.Data.Value != 40 || ev.Data.Kind != alerts.KindVolume {
			t.Errorf("event = %s, want the alert's rule, kind and value", h.body)
		}
		if d := f.alerts(t)[0].Deliveries; len(d) != 1 || d[0].Channel != "webhook" || d[0].Outcome != alerts.OutcomeQueued {
			t.Errorf("deliveries = %+v, want the webhook queued", d)
		}
	})
}

type crisisCalls struct {
	mu    sync.Mutex
	calls []string
}

func (c *crisisCalls) OpenFromAlert(_ context.Context, workspaceID, alertID int64, title string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = append(c.calls, strconv.FormatInt(workspaceID, 10)+"/"+strconv.FormatInt(alertID, 10)+"/"+title)
	return nil
}

func (c *crisisCalls) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.calls)
}

func TestCrisisRuleSwitchesOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false, true)
	sw := &crisisCalls{}
	f.svc.Crisis = sw
	f.rule(t, alerts.Input{Name: "Crise", Kind: alerts.KindVolume, MinCount: 20, Crisis: true})
	for i := 0; i < 10; i++ {
		f.db.Volume(f.ws.ID, f.topic, f.clock.Now(), 30, 0)
		f.evaluate(t)
		f.clock.Advance(time.Minute)
	}
	waitFor(t, "the crisis switch", func() bool { return sw.count() == 1 })
	a := f.alerts(t)[0]
	if want := strconv.FormatInt(f.ws.ID, 10) + "/" + strconv.FormatInt(a.ID, 10) + "/Crise"; sw.calls[0] != want {
		t.Errorf("call = %s, want %s", sw.calls[0], want)
	}
	waitFor(t, "the crisis delivery", func() bool {
		for _, d := range f.alerts(t)[0].Deliveries {
			if d.Channel == "crisis" && d.Outcome == alerts.OutcomeDelivered {
				return true
			}
		}
		return false
	})
	if n := sw.count(); n != 1 {
		t.Errorf("crisis calls = %d, want 1", n)
	}
	// Without a crisis package wired, the failure is recorded, not lost.
	g := newFixture(t, false, true)
	g.svc.Crisis = nil // the app wires internal/crisis; this half is about its absence
	g.rule(t, alerts.Input{Name: "Crise", Kind: alerts.KindVolume, MinCount: 20, Crisis: true})
	g.db.Volume(g.ws.ID, g.topic, start, 30, 0)
	g.evaluate(t)
	waitFor(t, "the failed crisis delivery", func() bool {
		for _, d := range g.alerts(t)[0].Deliveries {
			if d.Channel == "crisis" && d.Outcome == alerts.OutcomeFailed {
				return true
			}
		}
		return false
	})
}

func TestBacktestShowsEachStormOnce(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, pg bool) {
		f := newFixture(t, pg, false)
		// Two storms in the last 30 days: one of 3 hours (with a quiet hour
		// inside, shorter than the cooldown), one of 1 hour; 19 mentions
		// elsewhere (below the minimum).
		day := start.Truncate(time.Hour)
		first := day.Add(-10 * 24 * time.Hour)
		for _, h := range []time.Duration{0, 1, 3} {
			f.db.Volume(f.ws.ID, f.topic, first.Add(h*time.Hour), 50, 0)
		}
		second := day.Add(-2 * 24 * time.Hour)
		f.db.Volume(f.ws.ID, f.topic, second, 60, 0)
		f.db.Volume(f.ws.ID, f.topic, day.Add(-5*24*time.Hour), 19, 0)
		got, err := f.svc.Backtest(context.Background(), f.owner, f.ws.ID, alerts.Input{Kind: alerts.KindVolume, MinCount: 20, Cooldown: 2 * time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || !got[0].From.Equal(first) || got[0].Hours != 3 || !got[0].To.Equal(first.Add(3*time.Hour)) ||
			!got[1].From.Equal(second) || got[1].Peak != 60 {
			t.Errorf("storms = %+v, want [%s ×3 hours, %s peak 60]", got, first, second)
		}
		if _, err := f.svc.Backtest(context.Background(), f.owner, f.ws.ID, alerts.Input{Kind: alerts.KindWatch}); err != alerts.ErrWords {
			t.Errorf("watch rule without words: err = %v, want ErrWords", err)
		}
	})
}

func TestEmailAndKickedEvaluation(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false, true)
	mail := smtptest.Start(t)
	f.svc.SMTP = notify.SMTP{Host: mail.Host, Port: mail.Port, From: "tribune@example.test"}
	// The periodic evaluation runs once at start, then every minute: once
	// it has run, only Kick can evaluate within this test's deadline.
	waitFor(t, "the first periodic evaluation", func() bool {
		counts, err := f.env.Store.JobCounts(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range counts {
			if c.Kind == (alerts.EvaluateArgs{}).Kind() && c.State == "completed" {
				return true
			}
		}
		return false
	})
	f.rule(t, alerts.Input{Name: "Pic courriel", Kind: alerts.KindVolume, MinCount: 20, Channels: []alerts.Channel{alerts.ChannelEmail, alerts.ChannelInApp}})
	f.db.Volume(f.ws.ID, f.topic, start, 40, 0)
	// The ingestion asks for an evaluation in its own transaction; the
	// worker runs it (no direct call here).
	if err := f.env.Store.InTx(context.Background(), func(tx store.Tx) error { return alerts.Kick(context.Background(), tx, f.ws.ID) }); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the e-mail", func() bool { return len(mail.Messages()) == 1 })
	m := mail.Messages()[0]
	body, err := m.Body()
	if err != nil {
		t.Fatal(err)
	}
	if len(m.To) != 1 || m.To[0] != f.owner.Email || !strings.Contains(m.Data, "Pic courriel") || !strings.Contains(body, "40 mentions") ||
		!strings.Contains(body, "/listen/alerts") {
		t.Errorf("e-mail to %v: %s", m.To, m.Data)
	}
	waitFor(t, "the e-mail delivery", func() bool {
		for _, d := range f.alerts(t)[0].Deliveries {
			if d.Channel == "email" && d.Outcome == alerts.OutcomeDelivered {
				return true
			}
		}
		return false
	})
}

// A post at the very end of an hour is stored, and its rules evaluated,
// after the hour turned: the hour that just ended is looked at again for
// alerts.LateHour, once — and a storm already alerted is not alerted again.
func TestPostAtTheEndOfAnHourStillAlerts(t *testing.T) {
	t.Parallel()
	dialects(t, func(t *testing.T, pg bool) {
		f := newFixture(t, pg, false)
		hour := start.Truncate(time.Hour)
		f.rule(t, alerts.Input{Name: "Mots", Kind: alerts.KindWatch, Words: []string{"rappel"}, MinCount: 1, Cooldown: alerts.MinCooldown})
		f.db.Term(f.ws.ID, f.topic, hour, "rappel", 1) // posted at 9:59:58
		f.clock.Set(hour.Add(time.Hour + 20*time.Second))
		f.evaluate(t)
		list := f.alerts(t)
		if len(list) != 1 || !list[0].Hour.Equal(hour) {
			t.Fatalf("evaluated at 10:00:20: alerts %+v, want one for the 9:00 hour", list)
		}
		// Evaluated again within the late window, then after the alert
		// closed (cooldown) while the late window would still be open for
		// the next hour: never a second alert for the 9:00 storm.
		f.clock.Advance(time.Minute)
		f.evaluate(t)
		f.clock.Set(hour.Add(time.Hour + alerts.MinCooldown + time.Minute))
		f.evaluate(t)
		if list := f.alerts(t); len(list) != 1 || list[0].State != alerts.StateClosed {
			t.Fatalf("after the cooldown: alerts %+v, want the one alert, closed", list)
		}
		f.clock.Set(hour.Add(2*time.Hour + time.Minute))
		f.db.Term(f.ws.ID, f.topic, hour.Add(time.Hour), "rappel", 1) // a new post at 10:59
		f.evaluate(t)
		f.evaluate(t)
		if list := f.alerts(t); len(list) != 2 || f.notifications(t) != 2 {
			t.Fatalf("a new post in the 10:00 hour, evaluated at 11:01: %d alerts, %d notifications, want 2 and 2", len(list), f.notifications(t))
		}
		// Past the late window an ended hour is history: no alert for it.
		f.clock.Set(hour.Add(3*time.Hour + alerts.LateHour))
		f.db.Term(f.ws.ID, f.topic, hour.Add(2*time.Hour), "rappel", 1)
		f.evaluate(t)
		if n := len(f.alerts(t)); n != 2 {
			t.Fatalf("evaluated after the late window: %d alerts, want 2", n)
		}
	})
}
