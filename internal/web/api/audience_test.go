package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
)

// Who may change a Sandbox channel's audience, written out by hand
// (PRODUCT.md: managing channels); everyone in the workspace may read it.
var mayManageChannels = []auth.Role{auth.Owner, auth.Admin, auth.SocialMediaMgr}

// A Sandbox channel's simulated audience is read and set through the API
// (and listed in the OpenAPI document); a bad setting is refused with the
// field at fault; a Mastodon-less, non-Sandbox channel has none; only who
// manages channels changes it, every role reads it.
func TestSandboxAudienceThroughTheAPI(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	owner, ws := env.Owner(t)
	ch, err := env.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "audience")
	if err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/api/v1/channels/%d/sandbox-audience", ch.ID)
	call := func(tok, method, body string) (int, map[string]any, string) {
		t.Helper()
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		resp := env.Do(t, tok, method, path, rd)
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var out map[string]any
		_ = json.Unmarshal(raw, &out)
		return resp.StatusCode, out, string(raw)
	}
	tok := env.Token(t, owner)

	st, out, raw := call(tok, http.MethodPut, `{"rate":4,"positive":10,"neutral":20,"negative":70,"languages":["en"],"storm_minutes":2}`)
	if st != http.StatusOK || out["rate"] != 4.0 || out["negative"] != 70.0 || out["storm_until"] == nil {
		t.Fatalf("set: %d %s", st, raw)
	}
	st, out, raw = call(tok, http.MethodGet, "")
	if st != http.StatusOK || out["rate"] != 4.0 || fmt.Sprint(out["languages"]) != "[en]" {
		t.Fatalf("get: %d %s", st, raw)
	}
	for body, want := range map[string]string{
		`{"rate":4,"positive":10,"neutral":20,"negative":20}`: "mix",
		`{"rate":400}`:                            "rate",
		`{"rate":4,"languages":["de"]}`:           "languages",
		`{"rate":4,"storm_minutes":600}`:          "storm_minutes",
		`{"rate":4,"languages":["fr","en","fr"]}`: "languages",
	} {
		if st, _, raw := call(tok, http.MethodPut, body); st != http.StatusUnprocessableEntity || !strings.Contains(raw, want) {
			t.Errorf("%s: %d %s, want 422 about %s", body, st, raw, want)
		}
	}

	// The OpenAPI document lists both operations.
	resp := env.Do(t, "", http.MethodGet, "/api/openapi.json", nil)
	doc, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, id := range []string{`"get-sandbox-audience"`, `"sandbox-audience"`, `"storm_minutes"`} {
		if !strings.Contains(string(doc), id) {
			t.Errorf("the OpenAPI document lacks %s", id)
		}
	}

	// Every role, by hand-written rule.
	for _, role := range auth.Roles {
		if role == auth.Owner {
			continue
		}
		u := env.Member(t, owner, ws.ID, string(role)+"@example.test", role)
		rtok := env.Token(t, u)
		st, _, raw := call(rtok, http.MethodPut, `{"rate":9,"languages":["fr"]}`)
		may := slices.Contains(mayManageChannels, role)
		if may && st != http.StatusOK || !may && st != http.StatusForbidden {
			t.Errorf("%s set the audience: %d %s (may: %v)", role, st, raw, may)
		}
		if st, _, _ := call(rtok, http.MethodGet, ""); st != http.StatusOK {
			t.Errorf("%s reading the audience: %d", role, st)
		}
		if !may {
			if _, out, _ := call(tok, http.MethodGet, ""); out["rate"] == 9.0 && fmt.Sprint(out["languages"]) == "[fr]" {
				t.Errorf("%s was refused but the audience changed", role)
			}
		}
		// Put it back for the next role.
		if st, _, raw := call(tok, http.MethodPut, `{"rate":4,"languages":["en"]}`); st != http.StatusOK {
			t.Fatalf("reset: %d %s", st, raw)
		}
	}
}
