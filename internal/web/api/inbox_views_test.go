package api_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
)

// Saved views through the API: an analyst saves a personal view (only the
// filters kept), a bad name is a 422, a colleague neither sees nor changes
// it until it is shared, and then still cannot change it.
func TestInboxViewsThroughTheAPI(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	owner, ws := env.Owner(t)
	tok := env.Token(t, owner)
	analyst := env.Token(t, env.Member(t, owner, ws.ID, "analyst@example.test", auth.Analyst))
	list := fmt.Sprintf("/api/v1/workspaces/%d/inbox/views", ws.ID)
	if r := env.Do(t, analyst, http.MethodPost, list, strings.NewReader(`{"name":" ","query":"status=new"}`)); r.StatusCode != 422 {
		t.Errorf("empty name: %d", r.StatusCode)
	}
	type viewOut struct {
		ID     int64  `json:"id"`
		Name   string `json:"name"`
		Query  string `json:"query"`
		Shared bool   `json:"shared"`
		Mine   bool   `json:"mine"`
	}
	v := decode[viewOut](t, env.Do(t, analyst, http.MethodPost, list, strings.NewReader(`{"name":"Angry","query":"sentiment=negative&before=7"}`)))
	if v.ID == 0 || v.Query != "sentiment=negative" || v.Shared || !v.Mine {
		t.Fatalf("created %+v", v)
	}
	one := fmt.Sprintf("/api/v1/inbox/views/%d", v.ID)
	if r := env.Do(t, analyst, http.MethodGet, one, nil); r.StatusCode != 200 {
		b, _ := io.ReadAll(r.Body)
		t.Fatalf("get: %d %s", r.StatusCode, b)
	}
	if r := env.Do(t, tok, http.MethodGet, one, nil); r.StatusCode != 404 {
		t.Errorf("a colleague reads a personal view: %d", r.StatusCode)
	}
	if r := env.Do(t, analyst, http.MethodPut, one, strings.NewReader(`{"name":"Unhappy","shared":true}`)); r.StatusCode != 200 {
		b, _ := io.ReadAll(r.Body)
		t.Fatalf("rename: %d %s", r.StatusCode, b)
	}
	if got := decode[viewOut](t, env.Do(t, analyst, http.MethodGet, one, nil)); got.Name != "Unhappy" || !got.Shared {
		t.Errorf("renamed %+v", got)
	}
	views := decode[struct {
		Views []viewOut `json:"views"`
	}](t, env.Do(t, tok, http.MethodGet, list, nil))
	if len(views.Views) != 1 || views.Views[0].Mine || views.Views[0].Name != "Unhappy" {
		t.Errorf("the colleague's list %+v, want the shared view, not theirs", views.Views)
	}
	if r := env.Do(t, tok, http.MethodDelete, one, nil); r.StatusCode != 403 {
		t.Errorf("a colleague deletes a shared view: %d", r.StatusCode)
	}
	if r := env.Do(t, analyst, http.MethodDelete, one, nil); r.StatusCode != 204 {
		t.Errorf("the author deletes it: %d", r.StatusCode)
	}
}
