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
	"github.com/tribune-social/tribune/internal/listen"
)

// The listening settings through the API: 13 months of retention until
// set; a value out of 1 to 120 refused with the field named (in English and
// French), the saved value unchanged; an analyst reads but may not change
// it; a good value is saved and is what the retention job reads.
func TestListenSettingsThroughTheAPI(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	owner, ws := env.Owner(t)
	tok := env.Token(t, owner)
	analyst := env.Token(t, env.Member(t, owner, ws.ID, "analyst@example.test", auth.Analyst))
	url := fmt.Sprintf("/api/v1/workspaces/%d/listen/settings", ws.ID)

	if got := decode[listen.Settings](t, env.Do(t, analyst, http.MethodGet, url, nil)); got.RetentionMonths != listen.DefaultRetentionMonths {
		t.Fatalf("default settings %+v, want 13 months", got)
	}
	for _, body := range []string{`{"retention_months":0}`, `{"retention_months":121}`, `{"retention_months":-1}`} {
		r := env.Do(t, tok, http.MethodPut, url, strings.NewReader(body))
		raw, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if r.StatusCode != 422 || !strings.Contains(string(raw), "retention_months") || !strings.Contains(string(raw), "Les mentions sont conservées de 1 à 120 mois.") {
			t.Errorf("PUT %s: %d %s, want 422 naming retention_months, in French too", body, r.StatusCode, raw)
		}
	}
	if r := env.Do(t, tok, http.MethodPut, url, strings.NewReader(`{}`)); r.StatusCode != 422 {
		t.Errorf("PUT without retention_months: %d, want 422", r.StatusCode)
	}
	if r := env.Do(t, analyst, http.MethodPut, url, strings.NewReader(`{"retention_months":24}`)); r.StatusCode != 403 {
		t.Errorf("an analyst sets the retention: %d, want 403", r.StatusCode)
	}
	if got := decode[listen.Settings](t, env.Do(t, tok, http.MethodGet, url, nil)); got.RetentionMonths != 13 {
		t.Fatalf("after refused values %+v, want 13 months", got)
	}
	if got := decode[listen.Settings](t, env.Do(t, tok, http.MethodPut, url, strings.NewReader(`{"retention_months":120}`))); got.RetentionMonths != 120 {
		t.Fatalf("PUT 120 answered %+v", got)
	}
	// What the retention job reads (it lists workspaces with a topic).
	if _, err := env.App.Listen.CreateTopic(ctx, owner, ws.ID, listen.TopicInput{Name: "Acme", Kind: listen.KindBrand}); err != nil {
		t.Fatal(err)
	}
	rows, err := env.Store.ListListenRetention(ctx)
	if err != nil || len(rows) != 1 || rows[0].RetentionMonths != 120 {
		t.Fatalf("retention the job reads: %+v %v, want 120 months", rows, err)
	}
}
