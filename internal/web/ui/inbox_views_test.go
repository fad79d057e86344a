package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
)

// Saved views on the inbox list, in French: the filters are saved under a
// name (paging dropped), listed beside the filters, opened, renamed and
// shared, seen by a colleague without the controls, and deleted.
func TestInboxSavedViewsPage(t *testing.T) {
	t.Parallel()
	onBothDatabases(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		owner, ws := frenchOwner(t, env)
		analyst := env.Member(t, owner, ws.ID, "analyst@example.test", auth.Analyst)
		list := fmt.Sprintf("/w/%d/inbox", ws.ID)
		b := newBrowser(t, env, owner.Email)
		if body := readBody(b.do(http.MethodGet, list+"?sentiment=negative", nil)); !strings.Contains(body, "Vues enregistrées") ||
			!strings.Contains(body, `name="query" value="sentiment=negative"`) {
			t.Errorf("the list offers no saved views in French with the current filters")
		}
		resp := b.do(http.MethodPost, list+"/views", url.Values{"name": {"Mécontents"}, "query": {"sentiment=negative&before=9"}})
		readBody(resp)
		if resp.StatusCode != 303 || resp.Header.Get("Location") != list+"?sentiment=negative" {
			t.Fatalf("save: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		vs, err := env.App.Inbox.Views(ctx, owner, ws.ID)
		if err != nil || len(vs) != 1 || vs[0].Shared {
			t.Fatalf("views: %+v %v", vs, err)
		}
		v := vs[0]
		path := fmt.Sprintf("%s/views/%d", list, v.ID)
		if body := readBody(b.do(http.MethodGet, list, nil)); !strings.Contains(body, "Mécontents") || !strings.Contains(body, `href="`+path+`"`) {
			t.Errorf("the saved view is not listed beside the filters")
		}
		if resp := b.do(http.MethodGet, path, nil); resp.StatusCode != 303 || resp.Header.Get("Location") != list+"?sentiment=negative" {
			t.Errorf("open: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		colleague := newBrowser(t, env, analyst.Email)
		if body := readBody(colleague.do(http.MethodGet, list, nil)); strings.Contains(body, "Mécontents") {
			t.Errorf("a personal view shows to a colleague")
		}
		readBody(b.do(http.MethodPost, path, url.Values{"name": {"Clients mécontents"}, "shared": {"1"}}))
		body := readBody(colleague.do(http.MethodGet, list, nil))
		if !strings.Contains(body, "Clients mécontents") || strings.Contains(body, fmt.Sprintf(`data-testid="inbox-view-delete-%d"`, v.ID)) {
			t.Errorf("the shared view: shown %v, with its author's controls %v", strings.Contains(body, "Clients mécontents"),
				strings.Contains(body, fmt.Sprintf(`data-testid="inbox-view-delete-%d"`, v.ID)))
		}
		if resp := colleague.do(http.MethodPost, path+"/delete", nil); resp.StatusCode != 403 {
			t.Errorf("a colleague deleting the view: %d, want 403", resp.StatusCode)
		}
		readBody(b.do(http.MethodPost, path+"/delete", nil))
		if vs, _ := env.App.Inbox.Views(ctx, owner, ws.ID); len(vs) != 0 {
			t.Errorf("after delete: %+v", vs)
		}
	})
}
