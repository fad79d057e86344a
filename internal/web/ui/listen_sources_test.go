package ui_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/listen"
	"github.com/tribune-social/tribune/internal/listen/source"
	"github.com/tribune-social/tribune/internal/listen/source/x/xtest"
)

// The retention of mentions, on the sources page: 13 months until set; a
// number out of 1 to 120, or no number, is refused with the reason in
// French, the typed value kept and the saved one unchanged; a good one is
// saved and shown.
func TestListenRetentionPage(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	owner, ws := env.Owner(t)
	b := signIn(t, env)
	b.post("/settings/language", url.Values{"lang": {"fr"}})
	base := fmt.Sprintf("/w/%d/listen", ws.ID)

	_, page := b.get(base + "/sources")
	if !strings.Contains(page, `data-testid="retention-form"`) || !strings.Contains(page, `value="13"`) || !strings.Contains(page, "Conservation") {
		t.Fatalf("the sources page lacks the retention form with 13 months: %.2000s", page)
	}
	for _, typed := range []string{"0", "121", "-3", "douze", ""} {
		status, body := b.post(base+"/settings", url.Values{"retention_months": {typed}})
		if status != 422 || !strings.Contains(body, "Les mentions sont conservées de 1 à 120 mois.") || !strings.Contains(body, `value="`+typed+`"`) {
			t.Errorf("retention %q: %d, want 422 with the reason in French and the value kept: %.1500s", typed, status, body)
		}
	}
	if got, err := env.App.Listen.Settings(ctx, owner, ws.ID); err != nil || got.RetentionMonths != 13 {
		t.Fatalf("after refused values: %+v %v, want 13 months", got, err)
	}
	status, body := b.post(base+"/settings", url.Values{"retention_months": {"24"}})
	if status != 200 || !strings.Contains(body, `data-testid="retention-saved"`) || !strings.Contains(body, `value="24"`) {
		t.Fatalf("retention 24: %d %.1500s", status, body)
	}
	if got, _ := env.App.Listen.Settings(ctx, owner, ws.ID); got.RetentionMonths != 24 {
		t.Fatalf("saved %+v, want 24 months", got)
	}
}

// The sources page refreshes its sources' status by itself: it polls a
// fragment whose cells replace the page's by id (out of band), never the
// forms, and the fragment carries what moved since the page was drawn.
func TestListenSourcesStatusRefreshes(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	owner, ws := env.Owner(t)
	b := signIn(t, env)
	base := fmt.Sprintf("/w/%d/listen", ws.ID)
	tp, err := env.App.Listen.CreateTopic(ctx, owner, ws.ID, listen.TopicInput{Name: "Acme", Kind: listen.KindBrand})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Listen.CreateQuery(ctx, owner, ws.ID, listen.QueryInput{TopicID: tp.ID, Query: "acme"}); err != nil {
		t.Fatal(err)
	}
	src, err := env.App.Listen.CreateSource(ctx, owner, ws.ID, listen.SourceInput{Kind: "sandbox", Name: "Public", Enabled: new(bool)})
	if err != nil {
		t.Fatal(err)
	}
	_, page := b.get(base + "/sources")
	poll := fmt.Sprintf(`hx-get="%s/sources/status" hx-trigger="every 5s" hx-swap="none"`, base)
	if !strings.Contains(page, poll) || !strings.Contains(page, fmt.Sprintf(`id="source-seen-%d"`, src.ID)) {
		t.Fatalf("the sources page does not poll its status: %.3000s", page)
	}

	// Posts arrive after the page was drawn.
	now := time.Now()
	if _, err := env.App.Listen.Ingest(ctx, src.ID, source.Batch{Cursor: "c7", Posts: []source.Post{
		{Network: "sandbox", ExternalID: "1", Author: "a", Text: "Acme is great", CreatedAt: now},
		{Network: "sandbox", ExternalID: "2", Author: "b", Text: "nothing to see", CreatedAt: now},
	}}); err != nil {
		t.Fatal(err)
	}
	resp, frag := b.get(base + "/sources/status")
	status := resp.StatusCode
	for _, want := range []string{
		fmt.Sprintf(`<span id="source-seen-%d" data-testid="source-seen" hx-swap-oob="true">2</span>`, src.ID),
		fmt.Sprintf(`<span id="source-matched-%d" data-testid="source-matched" hx-swap-oob="true">1</span>`, src.ID),
		fmt.Sprintf(`<code id="source-cursor-%d" data-testid="source-cursor" hx-swap-oob="true">c7</code>`, src.ID),
		fmt.Sprintf(`id="source-state-%d" hx-swap-oob="true"`, src.ID),
	} {
		if status != 200 || !strings.Contains(frag, want) {
			t.Errorf("status fragment %d lacks %s: %s", status, want, frag)
		}
	}
	if strings.Contains(frag, "<form") || strings.Contains(frag, "<input") || strings.Contains(frag, "<select") {
		t.Errorf("the status fragment would replace a form: %s", frag)
	}
}

// Deleting an X source while X cannot be reached: the source goes, and
// the page says, in French, which rule is left on the X app.
func TestDeleteXSourceLeftoverShown(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	owner, ws := env.Owner(t)
	b := signIn(t, env)
	b.post("/settings/language", url.Values{"lang": {"fr"}})
	fx := xtest.New(t)
	env.App.Listen.Deps.HTTP = fx.Client()
	src, err := env.App.Listen.CreateSource(ctx, owner, ws.ID, listen.SourceInput{Kind: "x", Name: "veille", Enabled: new(bool),
		Values: map[string]string{"bearer_token": fx.Token, "rule": "tribune"}})
	if err != nil {
		t.Fatal(err)
	}
	fx.Close()
	status, body := b.post(fmt.Sprintf("/w/%d/listen/sources/%d/delete", ws.ID, src.ID), url.Values{})
	if status != 200 || !strings.Contains(body, `data-testid="source-leftover"`) || !strings.Contains(body, "tribune:veille — tribune") ||
		!strings.Contains(body, "La source est supprimée") {
		t.Fatalf("delete with X unreachable: %d %.2000s", status, body)
	}
	if ss, _ := env.App.Listen.Sources(ctx, owner, ws.ID); len(ss) != 0 {
		t.Fatalf("sources after the delete: %+v", ss)
	}
}
