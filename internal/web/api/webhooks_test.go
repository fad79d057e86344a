package api_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
)

// The API manages webhooks for owners and admins only, and shows a secret
// only in the answer that made it.
func TestWebhooksAPI(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{RefusePrivateNetworks: true})
	owner, ws := env.Owner(t)
	tok := env.Token(t, owner)
	call := func(t *testing.T, tok, method, path, body string) (int, string) {
		t.Helper()
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		r := env.Do(t, tok, method, fmt.Sprintf("/api/v1/workspaces/%d/webhooks%s", ws.ID, path), rd)
		raw, _ := io.ReadAll(r.Body)
		r.Body.Close()
		return r.StatusCode, string(raw)
	}
	status, raw := call(t, tok, "POST", "", `{"url":"https://hooks.example.com/in","events":["inbox.item.created","inbox.item.updated"]}`)
	if status != http.StatusCreated {
		t.Fatalf("create: %d %s", status, raw)
	}
	var made struct {
		Webhook struct {
			ID     int64    `json:"id"`
			Events []string `json:"events"`
		} `json:"webhook"`
		Secret string `json:"secret"`
	}
	if err := json.Unmarshal([]byte(raw), &made); err != nil || !strings.HasPrefix(made.Secret, "whsec_") {
		t.Fatalf("create: %s %v", raw, err)
	}
	id := fmt.Sprintf("/%d", made.Webhook.ID)
	for _, tc := range []struct{ method, path, body string }{
		{"GET", "", ""}, {"GET", id, ""}, {"GET", id + "/deliveries", ""},
		{"PUT", id, `{"url":"https://hooks.example.com/in","events":["inbox.rule.action"],"enabled":false}`},
		{"POST", id + "/test", ""},
	} {
		status, raw := call(t, tok, tc.method, tc.path, tc.body)
		if status >= 300 {
			t.Errorf("%s %s: %d %s", tc.method, tc.path, status, raw)
		}
		if strings.Contains(raw, made.Secret) || strings.Contains(raw, "whsec_") {
			t.Errorf("%s %s echoed the secret: %s", tc.method, tc.path, raw)
		}
	}
	status, raw = call(t, tok, "POST", id+"/secret", "")
	if status != http.StatusOK || !strings.Contains(raw, "whsec_") || strings.Contains(raw, made.Secret) {
		t.Errorf("rotate: %d %s: want a new secret", status, raw)
	}
	for _, tc := range []struct{ url, code string }{
		{"http://hooks.example.com/in", "webhook_url"},
		{"https://192.168.1.10/in", "webhook_private_url"},
	} {
		status, raw := call(t, tok, "POST", "", fmt.Sprintf(`{"url":%q,"events":["inbox.item.updated"]}`, tc.url))
		if status != http.StatusUnprocessableEntity || !strings.Contains(raw, tc.code) || !strings.Contains(raw, "message_fr") {
			t.Errorf("create %s: %d %s, want 422 %s in both languages", tc.url, status, raw, tc.code)
		}
	}
	if status, raw := call(t, tok, "POST", "", `{"url":"https://hooks.example.com/in","events":["post.deleted"]}`); status != http.StatusUnprocessableEntity {
		t.Errorf("unknown event: %d %s", status, raw)
	}
	// Roles that do not manage the workspace are refused every operation.
	for _, role := range []auth.Role{auth.SocialMediaMgr, auth.CommunityMgr, auth.Contributor, auth.ClientReviewer, auth.Analyst} {
		m := env.Member(t, owner, ws.ID, string(role)+"@example.test", role)
		mt := env.Token(t, m)
		for _, tc := range []struct{ method, path, body string }{
			{"GET", "", ""}, {"POST", "", `{"url":"https://hooks.example.com/x","events":["inbox.item.updated"]}`}, {"GET", id, ""},
			{"PUT", id, `{"url":"https://hooks.example.com/x","events":["inbox.item.updated"]}`}, {"DELETE", id, ""},
			{"POST", id + "/secret", ""}, {"POST", id + "/test", ""}, {"GET", id + "/deliveries", ""},
		} {
			if status, raw := call(t, mt, tc.method, tc.path, tc.body); status != http.StatusForbidden {
				t.Errorf("%s: %s %s: %d %s, want 403", role, tc.method, tc.path, status, raw)
			}
		}
	}
	admin := env.Member(t, owner, ws.ID, "admin@example.test", auth.Admin)
	if status, raw := call(t, env.Token(t, admin), "DELETE", id, ""); status != http.StatusNoContent {
		t.Errorf("admin deletes: %d %s", status, raw)
	}
}
