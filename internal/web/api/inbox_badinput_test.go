package api_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/network"
)

// Bad input on the inbox's routes is refused with a 4xx that names the
// mistake (never a 500, never an empty list that reads as "no such items"),
// and a refused change leaves the item as it was.
func TestInboxBadInputIsRefusedClearly(t *testing.T) {
	t.Parallel()
	in := newBrandInbox(t, apptest.Options{})
	env, owner, ws, tok, ch := in.env, in.owner, in.ws, in.tok, in.ch
	env.App.Inbox.Connectors = map[string]network.Connector{"sandbox": inboxNet()}
	items := []network.Item{{ExternalID: "n1", Kind: network.KindComment, Ref: network.Ref{ID: "n1"}, ConversationID: "root",
		Root: &network.Ref{ID: "root"}, Author: network.Author{ExternalID: "fan", Handle: "fan"}, Text: "hello", CreatedAt: time.Now()}}
	in.ingest(t, items...)
	r := env.Do(t, tok, http.MethodGet, fmt.Sprintf("/api/v1/workspaces/%d/inbox", ws.ID), nil)
	it := decode[struct{ Items []itemJSON }](t, r).Items[0]
	list := fmt.Sprintf("/api/v1/workspaces/%d/inbox", ws.ID)
	item := fmt.Sprintf("/api/v1/inbox/items/%d", it.ID)

	for _, c := range []struct {
		name, method, path, body string
		status                   int
		code                     string // the problem's code; "" for the schema's own validation
	}{
		{"unknown language", "GET", list + "?lang=zz", "", 422, "invalid_lang"},
		{"unknown network", "GET", list + "?network=myspace", "", 422, "invalid_network"},
		{"channel named twice, differently", "GET", list + fmt.Sprintf("?channel=%d&channel_id=%d", ch.ID, ch.ID+1), "", 422, "invalid_filter"},
		{"assignee that is neither a member nor none", "GET", list + "?assignee=nobody", "", 422, "invalid_filter"},
		{"period ending before it starts", "GET", list + "?since=2026-01-01T00:00:00Z&until=2025-01-01T00:00:00Z", "", 422, "invalid_dates"},
		{"an assignee and nobody at once", "GET", list + fmt.Sprintf("?assignee_id=%d&unassigned=true", owner.ID), "", 422, "invalid_filter"},
		{"negative page cursor", "GET", list + "?before=-5", "", 422, "invalid_filter"},
		{"negative channel", "GET", list + "?channel_id=-1", "", 422, "invalid_filter"},
		{"unknown status", "GET", list + "?status=bogus", "", 422, ""},
		{"date that is not one", "GET", list + "?since=yesterday", "", 422, "invalid_date"},
		{"bulk change of nothing", "PATCH", list, fmt.Sprintf(`{"ids":[%d]}`, it.ID), 422, "nothing_to_change"},
		{"bulk change of an unknown item", "PATCH", list, fmt.Sprintf(`{"ids":[%d,999999],"status":"done"}`, it.ID), 404, "not_found"},
		{"assignee outside the workspace", "PATCH", list, fmt.Sprintf(`{"ids":[%d],"status":"done","assignee_id":999999}`, it.ID), 422, "invalid_assignee"},
		{"blank tag", "PATCH", item, `{"status":"done","add_tags":["  "]}`, 422, "invalid_tag"},
		{"blank note", "POST", item + "/notes", `{"body":"   "}`, 422, "invalid_note"},
		{"unknown action", "POST", item + "/actions", `{"action":"explode"}`, 422, ""},
		{"blank reply", "POST", item + "/replies", `{"text":"   "}`, 422, "invalid_reply"},
		{"unknown saved reply", "POST", item + "/replies", `{"saved_reply_id":99999}`, 404, "saved_reply_not_found"},
		{"not JSON", "PATCH", list, `not json`, 400, ""},
		{"unknown item", "GET", "/api/v1/inbox/items/99999", "", 404, "not_found"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var body io.Reader
			if c.body != "" {
				body = strings.NewReader(c.body)
			}
			r := env.Do(t, tok, c.method, c.path, body)
			got := decode[struct{ Code, Message string }](t, r)
			if r.StatusCode != c.status || got.Code != c.code {
				t.Errorf("%s %s: %d %q (%s), want %d %q", c.method, c.path, r.StatusCode, got.Code, got.Message, c.status, c.code)
			}
		})
	}
	// The unknown network is named with the ones the inbox knows.
	got := decode[struct{ Message string }](t, env.Do(t, tok, http.MethodGet, list+"?network=myspace", nil))
	if want := "Unknown network “myspace”: the inbox knows sandbox, mastodon, bluesky"; !strings.HasPrefix(got.Message, want) {
		t.Errorf("unknown network: %q, want it to start %q", got.Message, want)
	}
	// A network's key in capitals is still that network.
	if r := env.Do(t, tok, http.MethodGet, list+"?network=Sandbox", nil); len(decode[struct{ Items []itemJSON }](t, r).Items) != 1 {
		t.Errorf("network=Sandbox does not list the Sandbox's item")
	}
	// The refused changes above left the item as it was.
	if got := decode[itemJSON](t, env.Do(t, tok, http.MethodGet, item, nil)); got.Status != "new" || len(got.Tags) != 0 || got.AssigneeID != nil {
		t.Errorf("after refused changes: %+v, want the item untouched", got)
	}
	// An id given twice is one item changed once.
	r = env.Do(t, tok, http.MethodPatch, list, strings.NewReader(fmt.Sprintf(`{"ids":[%d,%d],"status":"open"}`, it.ID, it.ID)))
	if got := decode[struct{ Updated int }](t, r); r.StatusCode != 200 || got.Updated != 1 {
		t.Errorf("the same id twice: %d %+v, want 1 updated", r.StatusCode, got)
	}
}
