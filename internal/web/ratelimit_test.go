package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/channels"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/web/ui"
)

// While an account's rate limit holds, the channel API and the channels
// page (here in French) say until when; a limit that has passed is not
// shown.
func TestChannelShowsItsRateLimitWhileItHolds(t *testing.T) {
	t.Parallel()
	for _, pg := range []bool{false, true} {
		t.Run(map[bool]string{false: "sqlite", true: "postgres"}[pg], func(t *testing.T) {
			t.Parallel()
			env := apptest.Start(t, apptest.Options{Postgres: pg})
			ctx := context.Background()
			owner, ws := env.Owner(t)
			limited, err := env.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "limited")
			if err != nil {
				t.Fatal(err)
			}
			passed, err := env.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "passed")
			if err != nil {
				t.Fatal(err)
			}
			until := time.Now().Add(10 * time.Minute).UTC().Truncate(time.Second)
			if err := channels.RateLimited(ctx, env.Store, limited.ID, until); err != nil {
				t.Fatal(err)
			}
			if err := channels.RateLimited(ctx, env.Store, passed.ID, time.Now().Add(-time.Minute)); err != nil {
				t.Fatal(err)
			}

			resp := env.Do(t, env.Token(t, owner), http.MethodGet, fmt.Sprintf("/api/v1/workspaces/%d/channels", ws.ID), nil)
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var list []struct {
				ID               int64      `json:"id"`
				RateLimitedUntil *time.Time `json:"rate_limited_until"`
			}
			if err := json.Unmarshal(raw, &list); err != nil {
				t.Fatalf("%d %s: %v", resp.StatusCode, raw, err)
			}
			got := map[int64]*time.Time{}
			for _, c := range list {
				got[c.ID] = c.RateLimitedUntil
			}
			if g := got[limited.ID]; g == nil || !g.Equal(until) {
				t.Errorf("API: limited channel rate_limited_until %v, want %v", g, until)
			}
			if g := got[passed.ID]; g != nil {
				t.Errorf("API: a limit that has passed is shown: %v", g)
			}

			must(t, env.Store.UpdateUserPreferences(ctx, store.UpdateUserPreferencesParams{Name: owner.Name, Locale: "fr", Timezone: owner.Timezone, ID: owner.ID}))
			sess, _, err := env.App.Auth.Login(ctx, owner.Email, "correct horse battery")
			if err != nil {
				t.Fatal(err)
			}
			req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/w/%d/channels", env.Server.URL, ws.ID), nil)
			req.AddCookie(&http.Cookie{Name: ui.SessionCookie, Value: sess})
			page, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(page.Body)
			page.Body.Close()
			html := string(body)
			shown := until.In(mustLoc(t, ws.Timezone)).Format("15:04:05")
			if !strings.Contains(html, fmt.Sprintf(`data-testid="rate-limited-%d"`, limited.ID)) || !strings.Contains(html, "Limite de requêtes atteinte jusqu’à "+shown) {
				t.Errorf("channels page (%d) does not show the limited channel's limit until %s in French", page.StatusCode, shown)
			}
			if strings.Contains(html, fmt.Sprintf(`data-testid="rate-limited-%d"`, passed.ID)) {
				t.Errorf("channels page shows a limit that has passed")
			}
		})
	}
}

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
