package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/listen/listentest"
	"github.com/tribune-social/tribune/internal/store"
)

func TestListenAlertsAPI(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	owner, ws := env.Owner(t)
	tok := env.Token(t, owner)
	call := func(method, path, body string, want int) string {
		t.Helper()
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		r := env.Do(t, tok, method, fmt.Sprintf("/api/v1/workspaces/%d%s", ws.ID, path), rd)
		raw, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if r.StatusCode != want {
			t.Fatalf("%s %s: %d %s, want %d", method, path, r.StatusCode, raw, want)
		}
		return string(raw)
	}
	// Bad input is refused with the reason, and nothing is saved.
	if got := call("POST", "/listen/alert-rules", `{"name":"x","kind":"volume","channels":["slack"],"slack_url":"https://evil.example/x"}`, 422); !strings.Contains(got, "alert_slack_url") {
		t.Errorf("bad Slack URL: %s", got)
	}
	if got := call("GET", "/listen/alert-rules", "", 200); got != "[]\n" && got != "[]" {
		t.Errorf("rules after a refused create: %s", got)
	}
	created := call("POST", "/listen/alert-rules", `{"name":"Pic","kind":"volume","min_count":5,"cooldown_minutes":60,"channels":["inapp","slack"],"slack_url":"http://127.0.0.1:1/services/T/B/secret"}`, 201)
	var r struct {
		ID              int64  `json:"id"`
		SlackURL        string `json:"slack_url"`
		CooldownMinutes int64  `json:"cooldown_minutes"`
	}
	if err := json.Unmarshal([]byte(created), &r); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(created, "secret") || !strings.Contains(created, `"slack_configured":true`) || r.CooldownMinutes != 60 {
		t.Errorf("created rule shows its Slack secret or lost its cooldown: %s", created)
	}
	// An update without slack_url keeps the saved address.
	call("PUT", fmt.Sprintf("/listen/alert-rules/%d", r.ID), `{"name":"Pic 2","kind":"volume","min_count":5,"channels":["slack"]}`, 200)
	saved, err := env.Store.GetAlertRule(context.Background(), store.GetAlertRuleParams{ID: r.ID, WorkspaceID: ws.ID})
	if err != nil || saved.SlackSealed == nil || saved.Name != "Pic 2" || bytes.Contains(saved.SlackSealed, []byte("secret")) {
		t.Errorf("after update: %+v %v", saved, err)
	}
	if got := call("POST", "/listen/alert-rules/test", `{"name":"t","kind":"volume"}`, 200); got != "[]\n" && got != "[]" {
		t.Errorf("test on an empty workspace: %s", got)
	}
	call("GET", "/listen/signals?window=6h", "", 200)
	call("GET", "/listen/signals?window=2h", "", 422)
	call("DELETE", fmt.Sprintf("/listen/alert-rules/%d", r.ID), "", 204)

	_, a := listentest.FiredAlert(t, env, owner, ws.ID, "Marque", "Pic secret plan")
	// An analyst reads alerts but may not acknowledge them.
	analyst := env.Member(t, owner, ws.ID, "analyst@example.test", auth.Analyst)
	atok := env.Token(t, analyst)
	resp := env.Do(t, atok, "POST", fmt.Sprintf("/api/v1/workspaces/%d/listen/alerts/%d/acknowledge", ws.ID, a.ID), nil)
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Errorf("analyst acknowledging: %d, want 403", resp.StatusCode)
	}
	// Through their own workspace, another workspace's admin reaches
	// nothing of this one's alerts and rules.
	wsB, err := auth.CreateWorkspace(context.Background(), env.Store, owner.OrganizationID, owner.ID, "B", "UTC", ws.CreatedAt)
	if err != nil {
		t.Fatal(err)
	}
	btok := env.Token(t, env.Member(t, owner, wsB.ID, "b@example.test", auth.Admin))
	for _, path := range []string{"/listen/alerts/%d/acknowledge", "/listen/alerts/%d/close"} {
		resp := env.Do(t, btok, "POST", fmt.Sprintf("/api/v1/workspaces/%d"+path, wsB.ID, a.ID), nil)
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Errorf("%s through workspace B: %d, want 404", path, resp.StatusCode)
		}
	}
	resp = env.Do(t, btok, "GET", fmt.Sprintf("/api/v1/workspaces/%d/listen/alerts/%d", wsB.ID, a.ID), nil)
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("get through workspace B: %d, want 404", resp.StatusCode)
	}
	if got := call("POST", fmt.Sprintf("/listen/alerts/%d/acknowledge", a.ID), "", 200); !strings.Contains(got, `"state":"acknowledged"`) {
		t.Errorf("acknowledge: %s", got)
	}
	call("POST", fmt.Sprintf("/listen/alerts/%d/acknowledge", a.ID), "", 409)
	if got := call("POST", fmt.Sprintf("/listen/alerts/%d/close", a.ID), "", 200); !strings.Contains(got, `"state":"closed"`) {
		t.Errorf("close: %s", got)
	}
}
