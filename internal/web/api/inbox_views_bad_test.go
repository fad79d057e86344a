package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/tribune-social/tribune/internal/apptest"
)

// A view is saved only with values the list accepts: one saved with a
// value the list refuses would fail each time it is opened. The refusal
// names the filter, in both languages, and stores nothing.
func TestInboxViewWithAnUnknownValueIsRefused(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	owner, ws := env.Owner(t)
	tok := env.Token(t, owner)
	views := fmt.Sprintf("/api/v1/workspaces/%d/inbox/views", ws.ID)
	for _, q := range []string{"status=bogus", "kind=tweet", "sentiment=angry", "lang=de", "assignee=bob", "channel=-3",
		"since=yesterday", "since=2026-03-05&until=2026-03-01", "sla=late", "tag=" + strings.Repeat("t", 41),
		"sla=past&tag=vip"} { // the list shows the items past the target on their own

		r := env.Do(t, tok, http.MethodPost, views, strings.NewReader(fmt.Sprintf(`{"name":"v","query":%q}`, q)))
		got := decode[struct {
			Code, Message string
			FR            string `json:"message_fr"`
		}](t, r)
		if r.StatusCode != 422 || got.Code != "invalid_view_query" || got.FR == "" || got.FR == got.Message {
			t.Errorf("view %q: %d %+v, want 422 invalid_view_query in English and French", q, r.StatusCode, got)
		}
	}
	ok := "status=open&kind=comment&sentiment=negative&lang=fr&assignee=none&channel=3&since=2026-03-01&until=2026-03-01&tag=vip"
	if r := env.Do(t, tok, http.MethodPost, views, strings.NewReader(fmt.Sprintf(`{"name":"v","query":%q}`, ok))); r.StatusCode != 201 {
		t.Errorf("a view of valid filters: %d, want 201", r.StatusCode)
	}
	got := decode[struct{ Views []struct{ Name string } }](t, env.Do(t, tok, http.MethodGet, views, nil))
	if len(got.Views) != 1 {
		t.Errorf("views stored: %+v, want only the valid one", got.Views)
	}
}
