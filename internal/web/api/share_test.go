package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
)

// The API makes, reports and stops the calendar's share link; a member who
// does not manage the workspace may only read its state.
func TestCalendarShareThroughTheAPI(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	owner, ws := env.Owner(t)
	tok := env.Token(t, owner)
	path := fmt.Sprintf("/api/v1/workspaces/%d/calendar-share", ws.ID)
	smm := env.Token(t, env.Member(t, owner, ws.ID, "smm@example.test", auth.SocialMediaMgr))
	if r := env.Do(t, smm, http.MethodPost, path, strings.NewReader(`{}`)); r.StatusCode != 403 {
		t.Errorf("a non-manager makes a link: %d", r.StatusCode)
	}
	r := env.Do(t, tok, http.MethodPost, path, strings.NewReader(`{"show_drafts":true}`))
	var out struct {
		URL string `json:"share_url"`
	}
	_ = json.NewDecoder(r.Body).Decode(&out)
	r.Body.Close()
	if r.StatusCode != 200 || !strings.HasPrefix(out.URL, env.Server.URL+"/shared/") {
		t.Fatalf("rotate: %d %q", r.StatusCode, out.URL)
	}
	if page, err := http.Get(out.URL); err != nil || page.StatusCode != 200 {
		t.Fatalf("shared page: %v %v", page, err)
	}
	r = env.Do(t, smm, http.MethodGet, path, nil)
	var st struct {
		Active     bool `json:"active"`
		ShowDrafts bool `json:"show_drafts"`
	}
	_ = json.NewDecoder(r.Body).Decode(&st)
	r.Body.Close()
	if !st.Active || !st.ShowDrafts {
		t.Errorf("state %+v", st)
	}
	if r := env.Do(t, tok, http.MethodDelete, path, nil); r.StatusCode != 204 {
		t.Errorf("revoke: %d", r.StatusCode)
	}
	if page, err := http.Get(out.URL); err != nil || page.StatusCode != 404 {
		t.Errorf("stopped link: %v %v, want 404", page.StatusCode, err)
	}
}
