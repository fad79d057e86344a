package ui_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/config"
	"github.com/tribune-social/tribune/internal/live"
	"github.com/tribune-social/tribune/internal/web/ui"
)

// stream is an open GET /w/{ws}/events, its events read as they come.
type stream struct {
	events chan live.Event
	closed chan struct{}
}

func openStream(t *testing.T, env *apptest.Env, session, path string) (*stream, int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, env.Server.URL+path, nil)
	req.AddCookie(&http.Cookie{Name: ui.SessionCookie, Value: session})
	req.Header.Set("Accept", "text/event-stream")
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, resp.StatusCode
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q", ct)
	}
	s := &stream{events: make(chan live.Event, 100), closed: make(chan struct{})}
	go func() {
		defer close(s.closed)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				var e live.Event
				if err := json.Unmarshal([]byte(data), &e); err != nil {
					t.Errorf("event %q: %v", data, err)
					return
				}
				s.events <- e
			}
		}
	}()
	return s, resp.StatusCode
}

func (s *stream) next(t *testing.T) live.Event {
	t.Helper()
	select {
	case e := <-s.events:
		return e
	case <-s.closed:
		t.Fatal("stream ended")
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5 s")
	}
	return live.Event{}
}

// TestLiveEventsReachOnlyTheWorkspace: a member of workspace B never hears
// A's events, nor can open A's stream or post presence there; A's members
// hear A's events and each other's presence; a stream ends soon after its
// session does.
func TestLiveEventsReachOnlyTheWorkspace(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			env := apptest.Start(t, apptest.Options{Postgres: dialect == "postgres",
				Configure: func(c *config.Config) { c.LiveHeartbeat = 100 * time.Millisecond }})
			ctx := context.Background()
			owner, wsA := env.Owner(t)
			wsB, err := auth.CreateWorkspace(ctx, env.Store, owner.OrganizationID, owner.ID, "B", "UTC", wsA.CreatedAt)
			if err != nil {
				t.Fatal(err)
			}
			outsider := env.Member(t, owner, wsB.ID, "outsider@example.test", auth.Admin)
			member := env.Member(t, owner, wsA.ID, "member@example.test", auth.Analyst)
			login := func(email string) string {
				tok, _, err := env.App.Auth.Login(ctx, email, "correct horse battery")
				if err != nil {
					t.Fatal(err)
				}
				return tok
			}
			ownerSession, memberSession, outsiderSession := login(owner.Email), login(member.Email), login(outsider.Email)
			pathA, pathB := fmt.Sprintf("/w/%d", wsA.ID), fmt.Sprintf("/w/%d", wsB.ID)

			if _, status := openStream(t, env, outsiderSession, pathA+"/events"); status != http.StatusForbidden && status != http.StatusNotFound {
				t.Errorf("outsider opening A's stream: %d, want 403 or 404", status)
			}
			if _, status := openStream(t, env, "", pathA+"/events"); status != http.StatusSeeOther {
				t.Errorf("no session: %d, want 303 to the sign-in page", status)
			}
			onA, _ := openStream(t, env, memberSession, pathA+"/events")
			onB, _ := openStream(t, env, outsiderSession, pathB+"/events")

			if err := env.App.Live.Publish(ctx, wsA.ID, live.Event{Type: "item.new", Subject: "conv-1", Data: json.RawMessage(`{"item":7}`)}); err != nil {
				t.Fatal(err)
			}
			if got := onA.next(t); got.Type != "item.new" || got.Subject != "conv-1" || string(got.Data) != `{"item":7}` {
				t.Errorf("A's member got %+v", got)
			}
			// The outsider posts presence on A's conversation: refused.
			if status := postPresence(t, env, outsiderSession, pathA, "conv-1", "replying"); status != http.StatusForbidden && status != http.StatusNotFound {
				t.Errorf("outsider's presence on A: %d, want 403 or 404", status)
			}
			if status := postPresence(t, env, memberSession, pathA, "conv-1", "nonsense"); status != http.StatusUnprocessableEntity {
				t.Errorf("unknown state: %d, want 422", status)
			}
			// The owner starts replying: the member's page hears it live,
			// and the member's own reply would be stopped.
			if status := postPresence(t, env, ownerSession, pathA, "conv-1", "replying"); status != http.StatusNoContent {
				t.Fatalf("owner's presence: %d", status)
			}
			got := onA.next(t)
			var v live.Viewer
			_ = json.Unmarshal(got.Data, &v)
			if got.Type != live.TypePresence || got.Subject != "conv-1" || v.UserID != owner.ID || v.State != live.Replying || v.Name != owner.Name {
				t.Errorf("A's member got %+v (%+v), want the owner replying", got, v)
			}
			if err := env.App.Live.CheckReply(wsA.ID, "conv-1", member.ID, false); err == nil {
				t.Error("the member may send a second reply while the owner replies")
			}
			// A page opened now learns who is there at once.
			late, _ := openStream(t, env, memberSession, pathA+"/events")
			if got := late.next(t); got.Type != live.TypePresence || got.Subject != "conv-1" {
				t.Errorf("a page opened later first got %+v, want the presence snapshot", got)
			}

			// B's stream heard none of it: its first event is B's own marker.
			if err := env.App.Live.Publish(ctx, wsB.ID, live.Event{Type: "marker"}); err != nil {
				t.Fatal(err)
			}
			if got := onB.next(t); got.Type != "marker" {
				t.Errorf("B's member heard %+v from workspace A", got)
			}

			// Logout: the stream says so and ends within a heartbeat or two.
			if err := env.App.Auth.Logout(ctx, memberSession); err != nil {
				t.Fatal(err)
			}
			for {
				select {
				case e := <-onA.events:
					if e.Type == "signedout" {
						continue
					}
					if e.Type != live.TypePresence {
						t.Errorf("after logout: %+v", e)
					}
					continue
				case <-onA.closed:
				case <-time.After(5 * time.Second):
					t.Fatal("stream still open 5 s after logout")
				}
				break
			}
		})
	}
}

func postPresence(t *testing.T, env *apptest.Env, session, wsPath, subject, state string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, env.Server.URL+wsPath+"/presence",
		strings.NewReader(url.Values{"subject": {subject}, "state": {state}}.Encode()))
	req.AddCookie(&http.Cookie{Name: ui.SessionCookie, Value: session})
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", env.Server.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestLiveStreamOutlivesTheWriteTimeout: a server with a WriteTimeout (which
// Tribune's does not set today, but a deployment may) would cut every stream
// after it; the stream sets its own deadline per write instead.
func TestLiveStreamOutlivesTheWriteTimeout(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{Configure: func(c *config.Config) { c.LiveHeartbeat = 100 * time.Millisecond }})
	owner, ws := env.Owner(t)
	session, _, err := env.App.Auth.Login(context.Background(), owner.Email, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(env.App.Handler)
	srv.Config.WriteTimeout = 300 * time.Millisecond
	srv.Start()
	t.Cleanup(srv.Close) // before openStream's cleanup, so after it: Close waits for the stream to end
	s, status := openStream(t, &apptest.Env{Server: srv}, session, fmt.Sprintf("/w/%d/events", ws.ID))
	if status != http.StatusOK {
		t.Fatalf("stream: %d", status)
	}
	time.Sleep(time.Second) // over three WriteTimeouts
	if err := env.App.Live.Publish(context.Background(), ws.ID, live.Event{Type: "item.new", Subject: "late"}); err != nil {
		t.Fatal(err)
	}
	if got := s.next(t); got.Subject != "late" {
		t.Errorf("got %+v", got)
	}
}
