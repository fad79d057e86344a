package api_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/network"
)

// The list takes since and until as saved views keep them, plain days, read
// as the list page reads them: from the start of the first day to the end
// of the last, in the member's time zone, else the workspace's. An instant
// is still taken, and anything else is refused naming both forms.
func TestInboxListTakesDaysInTheMembersTimeZone(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	owner, ws := env.Owner(t) // no zone of their own; the workspace is in Paris
	tok := env.Token(t, owner)
	nyer := env.Member(t, owner, ws.ID, "ny@example.test", auth.Analyst)
	nyer, err := env.App.Auth.SetPreferences(ctx, nyer, auth.Preferences{Name: nyer.Name, Locale: "en", Timezone: "America/New_York"})
	if err != nil {
		t.Fatal(err)
	}
	nyTok := env.Token(t, nyer)
	ch, err := env.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "brand")
	if err != nil {
		t.Fatal(err)
	}
	env.App.Inbox.Connectors = map[string]network.Connector{"sandbox": inboxNet()}
	// Each item falls on 1 March in some zones and not others (Paris is
	// UTC+1, New York UTC-5 then).
	var items []network.Item
	for _, it := range []struct{ text, at string }{
		{"a", "2026-02-28T23:30:00Z"}, // Paris 1 March 00:30; New York 28 February
		{"b", "2026-03-01T22:30:00Z"}, // 1 March everywhere here
		{"c", "2026-03-01T23:30:00Z"}, // Paris 2 March 00:30; New York 1 March
		{"d", "2026-03-02T04:30:00Z"}, // New York 1 March 23:30; Paris and UTC 2 March
	} {
		at, err := time.Parse(time.RFC3339, it.at)
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, network.Item{ExternalID: it.text, Kind: network.KindComment, Ref: network.Ref{ID: it.text}, ConversationID: "root",
			Root: &network.Ref{ID: "root"}, Author: network.Author{ExternalID: "fan", Handle: "fan"}, Text: it.text, CreatedAt: at})
	}
	if _, err := env.App.Inbox.Ingest(ctx, ch, items); err != nil {
		t.Fatal(err)
	}
	list := fmt.Sprintf("/api/v1/workspaces/%d/inbox?", ws.ID)
	texts := func(t *testing.T, tok, query string) []string {
		t.Helper()
		r := env.Do(t, tok, http.MethodGet, list+query, nil)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("GET ?%s: %d", query, r.StatusCode)
		}
		var out []string
		for _, it := range decode[struct{ Items []itemJSON }](t, r).Items {
			out = append(out, it.Text)
		}
		slices.Sort(out)
		return out
	}
	for _, c := range []struct {
		name, token, query string
		want               []string
	}{
		{"one day in the workspace's zone", tok, "since=2026-03-01&until=2026-03-01", []string{"a", "b"}},
		{"one day in the member's own zone", nyTok, "since=2026-03-01&until=2026-03-01", []string{"b", "c", "d"}},
		{"from a day on", tok, "since=2026-03-02", []string{"c", "d"}},
		{"up to the end of a day", tok, "until=2026-02-28", nil},
		{"instants, as before", tok, "since=2026-03-01T00:00:00Z&until=2026-03-02T00:00:00Z", []string{"b", "c"}},
		{"a day and an instant", nyTok, "since=2026-03-01&until=2026-03-02T00:00:00Z", []string{"b", "c"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := texts(t, c.token, c.query); !slices.Equal(got, c.want) {
				t.Errorf("?%s: %v, want %v", c.query, got, c.want)
			}
		})
	}

	// A view saved with days lists through the API what the page lists.
	r := env.Do(t, tok, http.MethodPost, fmt.Sprintf("/api/v1/workspaces/%d/inbox/views", ws.ID),
		strings.NewReader(`{"name":"1 March","query":"since=2026-03-01&until=2026-03-01"}`))
	view := decode[struct{ Query string }](t, r)
	if got := texts(t, tok, view.Query); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("the saved view's query %q: %v, want [a b]", view.Query, got)
	}

	for _, bad := range []struct{ query, name string }{
		{"since=yesterday", "since"},
		{"until=2026-03-01T09:00", "until"}, // an instant without its offset
		{"since=2026-02-30", "since"},
	} {
		r := env.Do(t, tok, http.MethodGet, list+bad.query, nil)
		got := decode[struct{ Code, Message string }](t, r)
		if r.StatusCode != http.StatusUnprocessableEntity || got.Code != "invalid_date" ||
			!strings.HasPrefix(got.Message, bad.name+" ") || !strings.Contains(got.Message, "YYYY-MM-DD") || !strings.Contains(got.Message, "RFC 3339") {
			t.Errorf("?%s: %d %q %q, want 422 invalid_date naming %s and both forms", bad.query, r.StatusCode, got.Code, got.Message, bad.name)
		}
	}
}

// sla=past lists through the API what the list page's "past the target"
// link lists, and refuses other filters rather than drop them unsaid.
func TestInboxListPastTheTarget(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	owner, ws := env.Owner(t)
	tok := env.Token(t, owner)
	ch, err := env.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "brand")
	if err != nil {
		t.Fatal(err)
	}
	list := fmt.Sprintf("/api/v1/workspaces/%d/inbox", ws.ID)
	if r := env.Do(t, tok, http.MethodPut, list+"/sla", strings.NewReader(slaRoundTheClock)); r.StatusCode != 200 {
		t.Fatalf("set the SLA: %d", r.StatusCode)
	}
	now := time.Now()
	var items []network.Item
	for _, it := range []struct {
		id  string
		ago time.Duration
	}{{"late1", 3 * time.Hour}, {"late2", 2 * time.Hour}, {"fresh", 0}} {
		items = append(items, network.Item{ExternalID: it.id, Kind: network.KindComment, Ref: network.Ref{ID: it.id}, ConversationID: "root",
			Root: &network.Ref{ID: "root"}, Author: network.Author{ExternalID: "fan", Handle: "fan"}, Text: it.id, CreatedAt: now.Add(-it.ago)})
	}
	if _, err := env.App.Inbox.Ingest(ctx, ch, items); err != nil {
		t.Fatal(err)
	}
	all := decode[struct{ Items []itemJSON }](t, env.Do(t, tok, http.MethodGet, list, nil)).Items
	done := all[len(all)-1] // late1, stored first
	if r := env.Do(t, tok, http.MethodPatch, fmt.Sprintf("/api/v1/inbox/items/%d", done.ID), strings.NewReader(`{"status":"done"}`)); r.StatusCode != 200 {
		t.Fatalf("mark done: %d", r.StatusCode)
	}
	page := decode[struct {
		Items      []itemJSON
		NextBefore int64 `json:"next_before"`
	}](t, env.Do(t, tok, http.MethodGet, list+"?sla=past", nil))
	var got []string
	for _, it := range page.Items {
		got = append(got, it.Text)
	}
	if want := []string{"late2"}; !slices.Equal(got, want) || page.NextBefore != 0 {
		t.Errorf("?sla=past: %v (next %d), want %v", got, page.NextBefore, want)
	}
	// The same as the items the overdue count names.
	o := decode[struct{ IDs []int64 }](t, env.Do(t, tok, http.MethodGet, list+"/overdue", nil))
	if len(o.IDs) != 1 || len(page.Items) != 1 || o.IDs[0] != page.Items[0].ID {
		t.Errorf("overdue %v, listed %v", o.IDs, page.Items)
	}

	for _, c := range []struct{ query, code string }{
		{"sla=past&channel=" + fmt.Sprint(ch.ID), "invalid_filter"},
		{"sla=past&q=late", "invalid_filter"},
		{"sla=past&since=2026-03-01", "invalid_filter"},
		{"sla=past&before=5", "invalid_filter"},
		{"sla=late", ""}, // the schema's own enum
	} {
		r := env.Do(t, tok, http.MethodGet, list+"?"+c.query, nil)
		got := decode[struct{ Code, Message string }](t, r)
		if r.StatusCode != http.StatusUnprocessableEntity || got.Code != c.code {
			t.Errorf("?%s: %d %q %q, want 422 %q", c.query, r.StatusCode, got.Code, got.Message, c.code)
		}
	}

	// The OpenAPI document offers it.
	doc := string(openAPIDocument(t))
	if !strings.Contains(doc, `"name":"sla"`) || !strings.Contains(doc, "first-response target, newest first") {
		t.Error("the OpenAPI document does not describe the list's sla filter")
	}
}
