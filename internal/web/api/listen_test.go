package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/listen/source"
)

// Listening through the API: a topic and its query, a syntax error refused
// with its column (the saved query stays), the checker and the preview, a
// source added, and another workspace's ids not found through one's own.
func TestListeningThroughTheAPI(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	owner, ws := env.Owner(t)
	tok := env.Token(t, owner)
	analyst := env.Token(t, env.Member(t, owner, ws.ID, "analyst@example.test", auth.Analyst))
	base := fmt.Sprintf("/api/v1/workspaces/%d/listen", ws.ID)

	type topicOut struct {
		ID      int64  `json:"id"`
		Name    string `json:"name"`
		Kind    string `json:"kind"`
		Queries []struct {
			ID    int64  `json:"id"`
			Query string `json:"query"`
		} `json:"queries"`
	}
	if r := env.Do(t, analyst, http.MethodPost, base+"/topics", strings.NewReader(`{"name":"Acme","kind":"brand"}`)); r.StatusCode != 403 {
		t.Errorf("an analyst adds a topic: %d", r.StatusCode)
	}
	tp := decode[topicOut](t, env.Do(t, tok, http.MethodPost, base+"/topics", strings.NewReader(`{"name":"Acme","kind":"competitor"}`)))
	if tp.ID == 0 || tp.Kind != "competitor" {
		t.Fatalf("created %+v", tp)
	}
	q := decode[struct {
		ID int64 `json:"id"`
	}](t, env.Do(t, tok, http.MethodPost, base+"/queries", strings.NewReader(fmt.Sprintf(`{"topic_id":%d,"query":"acme AND (mug OR cup)"}`, tp.ID))))
	r := env.Do(t, tok, http.MethodPut, fmt.Sprintf("%s/queries/%d", base, q.ID), strings.NewReader(fmt.Sprintf(`{"topic_id":%d,"query":"acme AND (mug"}`, tp.ID)))
	raw, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != 422 || !strings.Contains(string(raw), "column 14: expected a closing parenthesis") || !strings.Contains(string(raw), "message_fr") {
		t.Fatalf("syntax error: %d %s", r.StatusCode, raw)
	}
	got := decode[topicOut](t, env.Do(t, analyst, http.MethodGet, fmt.Sprintf("%s/topics/%d", base, tp.ID), nil))
	if len(got.Queries) != 1 || got.Queries[0].Query != "acme AND (mug OR cup)" {
		t.Fatalf("after the refused edit: %+v", got)
	}
	v := decode[struct {
		Valid  bool   `json:"valid"`
		Column int    `json:"column"`
		FR     string `json:"message_fr"`
	}](t, env.Do(t, analyst, http.MethodPost, base+"/queries/validate", strings.NewReader(`{"query":"\"prix hausse\"~"}`)))
	if v.Valid || v.Column != 15 || v.FR == "" {
		t.Fatalf("validate: %+v", v)
	}
	pv := decode[struct {
		Valid   bool `json:"valid"`
		Count   int  `json:"count"`
		Matches []struct {
			Text string `json:"text"`
		} `json:"matches"`
	}](t, env.Do(t, analyst, http.MethodPost, base+"/queries/preview", strings.NewReader(`{"query":"acme"}`)))
	if !pv.Valid || pv.Matches == nil {
		t.Fatalf("preview: %+v", pv)
	}

	kinds := decode[struct {
		Kinds []struct {
			Name string `json:"name"`
		} `json:"kinds"`
	}](t, env.Do(t, analyst, http.MethodGet, base+"/source-kinds", nil))
	names := map[string]bool{}
	for _, k := range kinds.Kinds {
		names[k.Name] = true
	}
	for _, want := range []string{"sandbox", "jetstream", "firehose", "mastodon", "rss", "reddit", "x"} {
		if !names[want] {
			t.Fatalf("kinds: %+v, %s missing", kinds, want)
		}
	}
	if r := env.Do(t, tok, http.MethodPost, base+"/sources", strings.NewReader(`{"kind":"nope","name":"x"}`)); r.StatusCode != 422 {
		t.Errorf("unknown kind: %d", r.StatusCode)
	}
	src := decode[struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
	}](t, env.Do(t, tok, http.MethodPost, base+"/sources", strings.NewReader(`{"kind":"sandbox","name":"Sandbox"}`)))
	if src.ID == 0 || src.Status == "" {
		t.Fatalf("source %+v", src)
	}
	paused := decode[struct {
		Status string `json:"status"`
	}](t, env.Do(t, tok, http.MethodPut, fmt.Sprintf("%s/sources/%d", base, src.ID), strings.NewReader(`{"name":"Sandbox","enabled":false}`)))
	if paused.Status != "paused" {
		t.Fatalf("paused source: %+v", paused)
	}
	// Ingest reaches the preview (the mention is stored).
	if _, err := env.App.Listen.Ingest(ctx, src.ID, source.Batch{Cursor: "1", Posts: []source.Post{{Network: "sandbox", ExternalID: "x1", Text: "acme mug, love it", Author: "fan"}}}); err != nil {
		t.Fatal(err)
	}
	pv2 := decode[struct {
		Count int `json:"count"`
	}](t, env.Do(t, analyst, http.MethodPost, base+"/queries/preview", strings.NewReader(`{"query":"mug"}`)))
	if pv2.Count != 1 {
		t.Fatalf("preview after ingest: %+v", pv2)
	}

	// Another workspace's admin, through their own workspace, finds none of A's.
	wsB, err := auth.CreateWorkspace(ctx, env.Store, owner.OrganizationID, owner.ID, "B", "UTC", ws.CreatedAt)
	if err != nil {
		t.Fatal(err)
	}
	outsider := env.Token(t, env.Member(t, owner, wsB.ID, "outsider@example.test", auth.Admin))
	baseB := fmt.Sprintf("/api/v1/workspaces/%d/listen", wsB.ID)
	for _, c := range []struct{ method, path, body string }{
		{http.MethodGet, fmt.Sprintf("%s/topics/%d", baseB, tp.ID), ""},
		{http.MethodPut, fmt.Sprintf("%s/topics/%d", baseB, tp.ID), `{"name":"pwned","kind":"brand"}`},
		{http.MethodDelete, fmt.Sprintf("%s/topics/%d", baseB, tp.ID), ""},
		{http.MethodGet, fmt.Sprintf("%s/queries/%d", baseB, q.ID), ""},
		{http.MethodPut, fmt.Sprintf("%s/queries/%d", baseB, q.ID), `{"query":"pwned"}`},
		{http.MethodDelete, fmt.Sprintf("%s/queries/%d", baseB, q.ID), ""},
		{http.MethodPost, baseB + "/queries", fmt.Sprintf(`{"topic_id":%d,"query":"pwned"}`, tp.ID)},
		{http.MethodGet, fmt.Sprintf("%s/sources/%d", baseB, src.ID), ""},
		{http.MethodPut, fmt.Sprintf("%s/sources/%d", baseB, src.ID), `{"name":"pwned"}`},
		{http.MethodDelete, fmt.Sprintf("%s/sources/%d", baseB, src.ID), ""},
		{http.MethodPost, fmt.Sprintf("%s/sources/%d/storm", baseB, src.ID), `{"mode":"on"}`},
	} {
		var body io.Reader
		if c.body != "" {
			body = strings.NewReader(c.body)
		}
		r := env.Do(t, outsider, c.method, c.path, body)
		r.Body.Close()
		if r.StatusCode != 404 {
			t.Errorf("%s %s through workspace B: %d, want 404", c.method, c.path, r.StatusCode)
		}
	}
	if got := decode[topicOut](t, env.Do(t, tok, http.MethodGet, fmt.Sprintf("%s/topics/%d", base, tp.ID), nil)); got.Name != "Acme" || len(got.Queries) != 1 {
		t.Errorf("A's topic changed: %+v", got)
	}
}
