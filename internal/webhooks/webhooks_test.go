package webhooks_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/problem"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/webhooks"
)

// onEachDialect runs fn on a running Tribune with workers, on SQLite and on
// PostgreSQL (skipped when the PostgreSQL suite is off).
func onEachDialect(t *testing.T, o apptest.Options, fn func(t *testing.T, env *apptest.Env)) {
	t.Helper()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			o := o
			o.Postgres = dialect == "postgres"
			o.Workers = true
			fn(t, apptest.Start(t, o))
		})
	}
}

// hit is one request a receiver got, verified or not.
type hit struct {
	at       time.Time
	id, typ  string
	event    webhooks.Event
	verified bool
}

// receiver is a webhook receiver that checks signatures the way
// docs/webhooks.md tells integrators to, written here from the document
// rather than with webhooks.Sign; answer decides each reply by its rank.
type receiver struct {
	t      *testing.T
	srv    *httptest.Server
	mu     sync.Mutex
	secret string
	hits   []hit
	answer func(n int, w http.ResponseWriter)
}

func newReceiver(t *testing.T, answer func(n int, w http.ResponseWriter)) *receiver {
	r := &receiver{t: t, answer: answer}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) setSecret(s string) { r.mu.Lock(); r.secret = s; r.mu.Unlock() }

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	secret := r.secret
	h := hit{at: time.Now(), id: req.Header.Get("Tribune-Event-Id"), typ: req.Header.Get("Tribune-Event-Type")}
	// Tribune-Signature: t=<timestamp>,v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>
	var ts, v1 string
	for _, part := range strings.Split(req.Header.Get("Tribune-Signature"), ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			v1 = v
		}
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "." + string(body)))
	want := hex.EncodeToString(mac.Sum(nil))
	sec, err := strconv.ParseInt(ts, 10, 64)
	fresh := err == nil && time.Since(time.Unix(sec, 0)).Abs() < 5*time.Minute
	h.verified = secret != "" && fresh && ts == req.Header.Get("Tribune-Timestamp") && hmac.Equal([]byte(v1), []byte(want))
	_ = json.Unmarshal(body, &h.event)
	r.hits = append(r.hits, h)
	n := len(r.hits)
	r.mu.Unlock()
	if r.answer != nil {
		r.answer(n, w)
	}
}

func (r *receiver) got() []hit {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]hit(nil), r.hits...)
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func emit(t *testing.T, env *apptest.Env, wsID int64, typ webhooks.EventType, data any) {
	t.Helper()
	if err := env.Store.InTx(context.Background(), func(tx store.Tx) error {
		return env.App.Webhooks.Emit(context.Background(), tx, wsID, typ, data)
	}); err != nil {
		t.Fatal(err)
	}
}

func deliveries(t *testing.T, env *apptest.Env, u store.User, wsID, id int64) []store.WebhookDelivery {
	t.Helper()
	list, err := env.App.Webhooks.Deliveries(context.Background(), u, wsID, id)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func outcomes(list []store.WebhookDelivery) string {
	var s []string
	for i := len(list) - 1; i >= 0; i-- { // oldest first
		s = append(s, list[i].Outcome)
	}
	return strings.Join(s, ",")
}

func code(err error) string {
	var pe *problem.Error
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func TestDeliveryIsSignedAndVerifiable(t *testing.T) {
	onEachDialect(t, apptest.Options{}, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		owner, ws := env.Owner(t)
		rcv := newReceiver(t, nil)
		ep, sec, err := env.App.Webhooks.Create(ctx, owner, ws.ID, webhooks.Input{URL: rcv.srv.URL + "/hook", Events: []webhooks.EventType{webhooks.InboxItemCreated}})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(sec, webhooks.SecretPrefix) || len(sec) < 40 {
			t.Fatalf("secret %q: want whsec_ and 32 random bytes", sec)
		}
		rcv.setSecret(sec)
		emit(t, env, ws.ID, webhooks.InboxItemUpdated, map[string]int{"item": 1}) // not subscribed
		emit(t, env, ws.ID, webhooks.InboxItemCreated, map[string]int{"item": 2})
		waitFor(t, "the delivery log", func() bool { return len(deliveries(t, env, owner, ws.ID, ep.ID)) == 1 })
		hits := rcv.got()
		if len(hits) != 1 {
			t.Fatalf("receiver got %d requests, want 1 (the subscribed event only)", len(hits))
		}
		h := hits[0]
		if !h.verified {
			t.Error("the receiver could not verify the signature with the secret shown at creation")
		}
		if h.event.Type != webhooks.InboxItemCreated || h.typ != string(webhooks.InboxItemCreated) || h.event.ID != h.id || h.event.ID == "" ||
			h.event.Workspace.ID != ws.ID || string(h.event.Data) != `{"item":2}` {
			t.Errorf("event %+v (header id %q type %q): want inbox.item.created of workspace %d with its data", h.event, h.id, h.typ, ws.ID)
		}
		d := deliveries(t, env, owner, ws.ID, ep.ID)[0]
		if d.Outcome != string(webhooks.Delivered) || d.Attempt != 1 || d.HTTPStatus != 200 || d.EventID != h.id {
			t.Errorf("log %+v: want attempt 1 delivered with 200", d)
		}

		// Rotating: the old secret no longer verifies, the new one does.
		sec2, err := env.App.Webhooks.RotateSecret(ctx, owner, ws.ID, ep.ID)
		if err != nil || sec2 == sec || !strings.HasPrefix(sec2, webhooks.SecretPrefix) {
			t.Fatalf("rotate: %q, %v", sec2, err)
		}
		emit(t, env, ws.ID, webhooks.InboxItemCreated, map[string]int{"item": 3})
		waitFor(t, "the second delivery", func() bool { return len(rcv.got()) == 2 })
		if rcv.got()[1].verified {
			t.Error("a delivery after rotation verified with the old secret")
		}
		rcv.setSecret(sec2)
		if _, err := env.App.Webhooks.SendTest(ctx, owner, ws.ID, ep.ID); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the test event", func() bool { return len(rcv.got()) == 3 })
		if h := rcv.got()[2]; !h.verified || h.event.Type != webhooks.Test {
			t.Errorf("test event %+v verified=%v: want webhook.test signed with the new secret", h.event, h.verified)
		}
	})
}

func TestRetriesOnServerErrorsThenDeliversOnce(t *testing.T) {
	onEachDialect(t, apptest.Options{}, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		owner, ws := env.Owner(t)
		rcv := newReceiver(t, func(n int, w http.ResponseWriter) {
			switch n {
			case 1:
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = io.WriteString(w, strings.Repeat("é", 2000)) // longer than the log keeps
			case 2:
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusTooManyRequests)
			default:
				w.WriteHeader(http.StatusNoContent)
			}
		})
		ep, sec, err := env.App.Webhooks.Create(ctx, owner, ws.ID, webhooks.Input{URL: rcv.srv.URL, Events: []webhooks.EventType{webhooks.InboxRuleAction}})
		if err != nil {
			t.Fatal(err)
		}
		rcv.setSecret(sec)
		emit(t, env, ws.ID, webhooks.InboxRuleAction, map[string]int{"post": 7})
		waitFor(t, "three attempts", func() bool { return len(deliveries(t, env, owner, ws.ID, ep.ID)) == 3 })
		log := deliveries(t, env, owner, ws.ID, ep.ID)
		if got := outcomes(log); got != "retry,retry,delivered" {
			t.Errorf("outcomes %s, want retry,retry,delivered", got)
		}
		for i, d := range log {
			if want := int64(3 - i); d.Attempt != want {
				t.Errorf("log[%d].Attempt = %d, want %d", i, d.Attempt, want)
			}
		}
		if r := log[2].Response; len(r) > webhooks.MaxResponse+len("…") || !strings.HasSuffix(r, "…") {
			t.Errorf("response kept: %d bytes, want at most %d and marked cut", len(r), webhooks.MaxResponse)
		}
		hits := rcv.got()
		if len(hits) != 3 || hits[0].id != hits[2].id || !hits[2].verified {
			t.Fatalf("hits %+v: want the same event three times", hits)
		}
		if gap := hits[2].at.Sub(hits[1].at); gap < 900*time.Millisecond {
			t.Errorf("retry after a 429 with Retry-After: 1 came %v later, want about a second", gap)
		}
		// Delivered: nothing more arrives, and the endpoint is healthy.
		time.Sleep(500 * time.Millisecond) // longer than the test retry schedule
		if n := len(rcv.got()); n != 3 {
			t.Errorf("receiver got %d requests after success, want 3", n)
		}
		if e, _ := env.App.Webhooks.Get(ctx, owner, ws.ID, ep.ID); e.FailingSince != nil || !e.Enabled {
			t.Errorf("endpoint after success: %+v", e)
		}
	})
}

func TestClientErrorIsNotRetriedAndAttemptsAreBounded(t *testing.T) {
	onEachDialect(t, apptest.Options{}, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		owner, ws := env.Owner(t)
		bad := newReceiver(t, func(_ int, w http.ResponseWriter) { w.WriteHeader(http.StatusBadRequest) })
		down := newReceiver(t, func(_ int, w http.ResponseWriter) { w.WriteHeader(http.StatusBadGateway) })
		ep400, _, err := env.App.Webhooks.Create(ctx, owner, ws.ID, webhooks.Input{URL: bad.srv.URL, Events: []webhooks.EventType{webhooks.InboxItemUpdated}})
		if err != nil {
			t.Fatal(err)
		}
		ep502, _, err := env.App.Webhooks.Create(ctx, owner, ws.ID, webhooks.Input{URL: down.srv.URL, Events: []webhooks.EventType{webhooks.InboxItemUpdated}})
		if err != nil {
			t.Fatal(err)
		}
		emit(t, env, ws.ID, webhooks.InboxItemUpdated, map[string]int{"post": 1})
		max := env.App.Webhooks.MaxAttempts()
		waitFor(t, "the attempts to the failing endpoint", func() bool { return len(deliveries(t, env, owner, ws.ID, ep502.ID)) == max })
		time.Sleep(500 * time.Millisecond) // longer than the test retry schedule: no further attempt
		if got, want := outcomes(deliveries(t, env, owner, ws.ID, ep400.ID)), "failed"; got != want {
			t.Errorf("400: outcomes %s, want %s", got, want)
		}
		if n := len(bad.got()); n != 1 {
			t.Errorf("400: receiver got %d requests, want 1", n)
		}
		want := strings.TrimSuffix(strings.Repeat("retry,", max-1)+"failed", ",")
		if got := outcomes(deliveries(t, env, owner, ws.ID, ep502.ID)); got != want {
			t.Errorf("502: outcomes %s, want %s", got, want)
		}
		if n := len(down.got()); n != max {
			t.Errorf("502: receiver got %d requests, want %d", n, max)
		}
	})
}

func TestRolledBackEventIsNeverDelivered(t *testing.T) {
	onEachDialect(t, apptest.Options{}, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		owner, ws := env.Owner(t)
		rcv := newReceiver(t, nil)
		if _, _, err := env.App.Webhooks.Create(ctx, owner, ws.ID, webhooks.Input{URL: rcv.srv.URL, Events: []webhooks.EventType{webhooks.InboxItemCreated}}); err != nil {
			t.Fatal(err)
		}
		boom := errors.New("the item could not be stored")
		err := env.Store.InTx(ctx, func(tx store.Tx) error {
			if err := env.App.Webhooks.Emit(ctx, tx, ws.ID, webhooks.InboxItemCreated, map[string]string{"which": "rolled back"}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		// An event committed after it: once it arrives, the rolled-back one
		// would have had every chance to arrive first.
		emit(t, env, ws.ID, webhooks.InboxItemCreated, map[string]string{"which": "committed"})
		waitFor(t, "the committed event", func() bool { return len(rcv.got()) >= 1 })
		time.Sleep(300 * time.Millisecond)
		for _, h := range rcv.got() {
			if string(h.event.Data) != `{"which":"committed"}` {
				t.Errorf("delivered %s: an event of a rolled-back transaction", h.event.Data)
			}
		}
	})
}

func TestPrivateAddressesAreRefused(t *testing.T) {
	onEachDialect(t, apptest.Options{RefusePrivateNetworks: true}, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		owner, ws := env.Owner(t)
		events := []webhooks.EventType{webhooks.InboxItemCreated}
		for _, tc := range []struct{ url, code string }{
			{"http://hooks.example.com/in", "webhook_url"},
			{"ftp://hooks.example.com/in", "webhook_url"},
			{"https://user:pw@hooks.example.com/in", "webhook_url"},
			{"https://127.0.0.1/in", "webhook_private_url"},
			{"https://10.1.2.3/in", "webhook_private_url"},
			{"https://169.254.169.254/latest/meta-data", "webhook_private_url"},
			{"https://[::1]/in", "webhook_private_url"},
			{"https://localhost/in", "webhook_private_url"},
			{"https://metadata.google.internal/", "webhook_private_url"},
			{"https://intranet/in", "webhook_private_url"},
		} {
			if _, _, err := env.App.Webhooks.Create(ctx, owner, ws.ID, webhooks.Input{URL: tc.url, Events: events}); code(err) != tc.code {
				t.Errorf("create %s: %v, want %s", tc.url, err, tc.code)
			}
		}
		// A name that resolves to a private address passes the form; the
		// delivery client refuses it when it dials. Simulated by pointing a
		// saved endpoint at a loopback receiver through the store.
		rcv := newReceiver(t, nil)
		ep, _, err := env.App.Webhooks.Create(ctx, owner, ws.ID, webhooks.Input{URL: "https://hooks.example.com/in", Events: events})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := env.Store.UpdateWebhookEndpoint(ctx, store.UpdateWebhookEndpointParams{URL: strings.Replace(rcv.srv.URL, "http:", "https:", 1),
			Events: string(webhooks.InboxItemCreated), Enabled: true, UpdatedAt: time.Now(), ID: ep.ID, WorkspaceID: ws.ID}); err != nil {
			t.Fatal(err)
		}
		emit(t, env, ws.ID, webhooks.InboxItemCreated, map[string]int{"item": 1})
		waitFor(t, "the refused attempt", func() bool { return len(deliveries(t, env, owner, ws.ID, ep.ID)) == 1 })
		time.Sleep(300 * time.Millisecond)
		d := deliveries(t, env, owner, ws.ID, ep.ID)
		if len(d) != 1 || d[0].Outcome != string(webhooks.Failed) || !strings.Contains(d[0].Error, "public https address") {
			t.Errorf("log %+v: want one failed attempt, refused", d)
		}
		if n := len(rcv.got()); n != 0 {
			t.Errorf("the loopback receiver got %d requests", n)
		}
	})
}

func TestOnlyOwnersAndAdminsOfTheWorkspaceManageWebhooks(t *testing.T) {
	onEachDialect(t, apptest.Options{}, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		owner, ws := env.Owner(t)
		admin := env.Member(t, owner, ws.ID, "admin@example.test", auth.Admin)
		smm := env.Member(t, owner, ws.ID, "smm@example.test", auth.SocialMediaMgr)
		ws2, err := env.App.Auth.AddWorkspace(ctx, owner, "Other", "Europe/Paris")
		if err != nil {
			t.Fatal(err)
		}
		stranger := env.Member(t, owner, ws2.ID, "stranger@example.test", auth.Admin)
		rcv := newReceiver(t, nil)
		in := webhooks.Input{URL: rcv.srv.URL, Events: []webhooks.EventType{webhooks.InboxItemCreated}}
		ep, _, err := env.App.Webhooks.Create(ctx, admin, ws.ID, in)
		if err != nil {
			t.Fatalf("an admin creates a webhook: %v", err)
		}
		w := env.App.Webhooks
		for _, tc := range []struct {
			name string
			user store.User
			wsID int64
			want string
		}{
			{"social media manager", smm, ws.ID, "forbidden"},
			{"admin of another workspace, this workspace", stranger, ws.ID, "forbidden"},
			{"admin of another workspace, through their own", stranger, ws2.ID, "not_found"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				calls := map[string]error{}
				_, calls["get"] = w.Get(ctx, tc.user, tc.wsID, ep.ID)
				_, calls["update"] = w.Update(ctx, tc.user, tc.wsID, ep.ID, webhooks.Input{URL: in.URL, Events: in.Events})
				_, calls["rotate"] = w.RotateSecret(ctx, tc.user, tc.wsID, ep.ID)
				_, calls["test"] = w.SendTest(ctx, tc.user, tc.wsID, ep.ID)
				_, calls["deliveries"] = w.Deliveries(ctx, tc.user, tc.wsID, ep.ID)
				calls["delete"] = w.Delete(ctx, tc.user, tc.wsID, ep.ID)
				for op, err := range calls {
					if code(err) != tc.want {
						t.Errorf("%s: %v, want %s", op, err, tc.want)
					}
				}
				if list, err := w.List(ctx, tc.user, tc.wsID); len(list) != 0 {
					t.Errorf("list: %v, %v: want nothing of the other workspace", list, err)
				}
			})
		}
		// An event of the other workspace never reaches this one's endpoint.
		rcv.setSecret("x")
		emit(t, env, ws2.ID, webhooks.InboxItemCreated, map[string]int{"other": 1})
		emit(t, env, ws.ID, webhooks.InboxItemCreated, map[string]int{"mine": 1})
		waitFor(t, "this workspace's event", func() bool { return len(rcv.got()) >= 1 })
		time.Sleep(300 * time.Millisecond)
		for _, h := range rcv.got() {
			if h.event.Workspace.ID != ws.ID {
				t.Errorf("got an event of workspace %d", h.event.Workspace.ID)
			}
		}
		if e, err := w.Get(ctx, owner, ws.ID, ep.ID); err != nil || !e.Enabled {
			t.Errorf("after the others' tries: %+v, %v", e, err)
		}
	})
}

func TestEndpointFailingForDaysIsDisabledAndOwnersTold(t *testing.T) {
	onEachDialect(t, apptest.Options{}, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		owner, ws := env.Owner(t)
		analyst := env.Member(t, owner, ws.ID, "analyst@example.test", auth.Analyst)
		coOwner := env.OrgOwner(t, owner, "co-owner@example.test") // no membership row, may manage webhooks all the same
		rcv := newReceiver(t, func(_ int, w http.ResponseWriter) { w.WriteHeader(http.StatusServiceUnavailable) })
		ep, _, err := env.App.Webhooks.Create(ctx, owner, ws.ID, webhooks.Input{URL: rcv.srv.URL, Events: []webhooks.EventType{webhooks.InboxItemCreated}})
		if err != nil {
			t.Fatal(err)
		}
		long := time.Now().UTC().Add(-webhooks.DefaultDisableAfter - time.Hour)
		if _, err := env.Store.MarkWebhookFailing(ctx, store.MarkWebhookFailingParams{At: &long, ID: ep.ID}); err != nil {
			t.Fatal(err)
		}
		emit(t, env, ws.ID, webhooks.InboxItemCreated, map[string]int{"item": 1})
		waitFor(t, "the endpoint disabled", func() bool {
			e, err := env.App.Webhooks.Get(ctx, owner, ws.ID, ep.ID)
			return err == nil && !e.Enabled
		})
		time.Sleep(500 * time.Millisecond)
		if n := len(rcv.got()); n != 1 {
			t.Errorf("receiver got %d requests, want 1: no retry once disabled", n)
		}
		for _, u := range []store.User{owner, coOwner} {
			notes, err := env.App.Notifier.List(ctx, u)
			if err != nil || len(notes) != 1 || !strings.Contains(notes[0].Title, rcv.srv.URL) {
				t.Errorf("%s's notifications %+v, %v: want one naming the endpoint", u.Email, notes, err)
			}
		}
		if notes, _ := env.App.Notifier.List(ctx, analyst); len(notes) != 0 {
			t.Errorf("an analyst was told: %+v", notes)
		}
		// Later events are not sent to a disabled endpoint; enabling it
		// again forgets the failures.
		emit(t, env, ws.ID, webhooks.InboxItemCreated, map[string]int{"item": 2})
		e, err := env.App.Webhooks.Update(ctx, owner, ws.ID, ep.ID, webhooks.Input{URL: rcv.srv.URL, Events: ep.Events, Enabled: true})
		if err != nil || !e.Enabled || e.FailingSince != nil || e.DisabledReason != "" {
			t.Errorf("enabled again: %+v, %v", e, err)
		}
		time.Sleep(300 * time.Millisecond)
		if n := len(rcv.got()); n != 1 {
			t.Errorf("receiver got %d requests, want 1: the event emitted while disabled is not sent", n)
		}
	})
}

func TestDeliveryLogIsPurged(t *testing.T) {
	onEachDialect(t, apptest.Options{}, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		owner, ws := env.Owner(t)
		ep, _, err := env.App.Webhooks.Create(ctx, owner, ws.ID, webhooks.Input{URL: "https://hooks.example.com/", Events: []webhooks.EventType{webhooks.InboxRuleAction}})
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		for i, at := range []time.Time{now.Add(-webhooks.DefaultKeepDeliveries - time.Hour), now.Add(-time.Hour)} {
			if err := env.Store.AddWebhookDelivery(ctx, store.AddWebhookDeliveryParams{EndpointID: ep.ID, EventID: "evt_" + strconv.Itoa(i),
				EventType: string(webhooks.InboxRuleAction), Attempt: 1, At: at, Outcome: string(webhooks.Delivered), HTTPStatus: 200}); err != nil {
				t.Fatal(err)
			}
		}
		n, err := env.App.Webhooks.PurgeDeliveries(ctx)
		if err != nil || n != 1 {
			t.Fatalf("purged %d, %v: want 1", n, err)
		}
		if d := deliveries(t, env, owner, ws.ID, ep.ID); len(d) != 1 || d[0].EventID != "evt_1" {
			t.Errorf("kept %+v, want the recent attempt", d)
		}
	})
}

func TestDefaultRetryScheduleIsBounded(t *testing.T) {
	var total time.Duration
	for _, d := range webhooks.DefaultRetries() {
		total += d
	}
	s := webhooks.Service{}
	if got := s.MaxAttempts(); got != 9 {
		t.Errorf("MaxAttempts = %d, want 9", got)
	}
	if total < 24*time.Hour || total > 3*24*time.Hour {
		t.Errorf("retries span %v, want between one and three days", total)
	}
}
