package ui_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/listen"
)

// The listening pages: a topic added, a query typed with a syntax error
// (the editor's live panel marks the place, a save keeps the text and the
// saved query), a valid query's preview, and the sources page with the
// Sandbox form and the pause switch; in French.
func TestListeningPages(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	owner, ws := env.Owner(t)
	b := signIn(t, env)
	base := fmt.Sprintf("/w/%d/listen", ws.ID)
	b.post("/settings/language", url.Values{"lang": {"fr"}})

	_, page := b.get(base)
	for _, want := range []string{`data-testid="listen-tabs"`, "Sujets", "Tableau de bord", "Signaux faibles", "Sources", `href="/w/` + fmt.Sprint(ws.ID) + `/crisis"`, `data-testid="nav-listen"`, "Veille"} {
		if !strings.Contains(page, want) {
			t.Errorf("the topics page lacks %q", want)
		}
	}
	if status, body := b.post(base+"/topics", url.Values{"name": {"Maison Lumière"}, "kind": {"brand"}}); status != 200 || !strings.Contains(body, "Maison Lumière") {
		t.Fatalf("add topic: %d %.300s", status, body)
	}
	ts, err := env.App.Listen.Topics(ctx, owner, ws.ID)
	if err != nil || len(ts) != 1 {
		t.Fatalf("topics %+v %v", ts, err)
	}
	topic := fmt.Sprint(ts[0].ID)

	// As you type: the live panel.
	status, panel := b.post(base+"/check", url.Values{"query": {`lumiere AND (lampe`}, "topic_id": {topic}})
	if status != 200 || !strings.Contains(panel, `data-testid="query-error"`) || !strings.Contains(panel, "colonne 19") || !strings.Contains(panel, "<mark> </mark>") {
		t.Fatalf("check of a broken query: %d %s", status, panel)
	}
	status, panel = b.post(base+"/check", url.Values{"query": {`lumi*re AND lampe`}, "topic_id": {topic}})
	if status != 200 || !strings.Contains(panel, "<mark>*</mark>") {
		t.Fatalf("check with a misplaced star: %d %s", status, panel)
	}
	// A save with the error: refused, the text kept.
	status, body := b.post(base+"/queries", url.Values{"query": {`lumiere AND (lampe`}, "topic_id": {topic}})
	if status != 422 || !strings.Contains(body, "lumiere AND (lampe") || !strings.Contains(body, "colonne 19") {
		t.Fatalf("save of a broken query: %d %.500s", status, body)
	}
	if status, body := b.post(base+"/queries", url.Values{"query": {`lumiere OR "maison lumiere"`}, "topic_id": {topic}}); status != 200 || !strings.Contains(body, "maison lumiere") {
		t.Fatalf("save: %d %.300s", status, body)
	}
	ts, _ = env.App.Listen.Topics(ctx, owner, ws.ID)
	if len(ts[0].Queries) != 1 {
		t.Fatalf("queries %+v", ts[0].Queries)
	}
	q := ts[0].Queries[0]
	// An edit with an error keeps the saved query.
	if status, _ := b.post(fmt.Sprintf("%s/queries/%d", base, q.ID), url.Values{"query": {`lumiere AND`}, "topic_id": {topic}}); status != 422 {
		t.Fatalf("edit with an error: %d", status)
	}
	if got, _ := env.App.Listen.Query(ctx, owner, ws.ID, q.ID); got.Query != q.Query {
		t.Fatalf("the saved query changed to %q", got.Query)
	}

	// Sources: the Sandbox's form, added, paused.
	_, page = b.get(base + "/sources")
	if !strings.Contains(page, `data-testid="source-add-sandbox"`) || !strings.Contains(page, "Flux public du Sandbox") {
		t.Fatalf("sources page: %.500s", page)
	}
	if status, body := b.post(base+"/sources", url.Values{"kind": {"sandbox"}, "name": {"Sandbox public"}}); status != 200 || !strings.Contains(body, "Sandbox public") {
		t.Fatalf("add source: %d %.300s", status, body)
	}
	ss, _ := env.App.Listen.Sources(ctx, owner, ws.ID)
	if len(ss) != 1 {
		t.Fatalf("sources %+v", ss)
	}
	if status, body := b.post(fmt.Sprintf("%s/sources/%d/pause", base, ss[0].ID), url.Values{}); status != 200 || !strings.Contains(body, "en pause") {
		t.Fatalf("pause: %d %.300s", status, body)
	}
	if got, _ := env.App.Listen.Source(ctx, owner, ws.ID, ss[0].ID); got.Status != listen.SourcePaused {
		t.Fatalf("status %s, want paused", got.Status)
	}
	// The preview sees what the source brought.
	status, panel = b.post(base+"/check", url.Values{"query": {`lampe`}, "topic_id": {topic}})
	if status != 200 || !strings.Contains(panel, `data-testid="query-valid"`) {
		t.Fatalf("check of a valid query: %d %s", status, panel)
	}
}
