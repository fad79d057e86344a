package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
)

// The response target in French, on both databases: the settings page
// saves, the inbox header counts the items past the target and links to
// just them, each highlighted; "mark as answered" takes one out; the
// report page and its CSV show the member's times.
func TestInboxSLAPages(t *testing.T) {
	t.Parallel()
	onBothDatabases(t, func(t *testing.T, env *apptest.Env) {
		f := newFrenchInbox(t, env)
		owner, ws, ctx := f.owner, f.ws, context.Background()
		now := time.Now()
		f.ingest(t, fanComment("late0", "toujours rien late0", now.Add(-3*time.Hour)), fanComment("late1", "toujours rien late1", now.Add(-2*time.Hour)))
		b := newBrowser(t, env, owner.Email)
		base := fmt.Sprintf("/w/%d/inbox", ws.ID)

		body := readBody(b.do(http.MethodGet, base, nil))
		if strings.Contains(body, `data-testid="inbox-overdue-count"`) || !strings.Contains(body, "Délai de première réponse") {
			t.Errorf("without a target the header counts late items, or lacks the settings link")
		}
		body = readBody(b.do(http.MethodGet, base+"/sla", nil))
		for _, want := range []string{"Fixer un délai de première réponse", "Lundi", "Fermé les jours fériés français", "Europe/Paris"} {
			if !strings.Contains(body, want) {
				t.Errorf("settings page lacks %q", want)
			}
		}
		// Open round the clock, 30 minutes: the test does not depend on the hour.
		form := url.Values{"enabled": {"1"}, "target_hours": {"0.5"}, "day": {"0", "1", "2", "3", "4", "5", "6"}, "open": {"00:00"}, "close": {"24:00"}}
		if resp := b.do(http.MethodPost, base+"/sla", form); resp.StatusCode != 303 {
			t.Fatalf("save: %d %s", resp.StatusCode, readBody(resp))
		}
		bad := url.Values{"enabled": {"1"}, "target_hours": {"1"}, "open": {"09:00"}, "close": {"18:00"}}
		if resp := b.do(http.MethodPost, base+"/sla", bad); resp.StatusCode != 422 || !strings.Contains(readBody(resp), "Choisissez au moins un jour ouvré.") {
			t.Errorf("no open day: %d", resp.StatusCode)
		}

		o, err := env.App.Inbox.Overdue(ctx, owner, ws.ID)
		if err != nil || len(o.IDs) != 2 {
			t.Fatalf("overdue %+v %v", o, err)
		}
		body = readBody(b.do(http.MethodGet, base, nil))
		for _, want := range []string{">2 hors délai<", fmt.Sprintf(`data-testid="inbox-overdue-%d"`, o.IDs[0]), "En attente hors délai", "inbox-overdue"} {
			if !strings.Contains(body, want) {
				t.Errorf("list lacks %q", want)
			}
		}
		if resp := b.do(http.MethodPost, fmt.Sprintf("%s/items/%d/responded", base, o.IDs[0]), url.Values{}); resp.StatusCode != 303 {
			t.Fatalf("mark answered: %d", resp.StatusCode)
		}
		body = readBody(b.do(http.MethodGet, base+"?sla=past", nil))
		if !strings.Contains(body, "toujours rien late0") || strings.Contains(body, "toujours rien late1") || !strings.Contains(body, "Tous les éléments") {
			t.Errorf("the past-target view does not hold just the unanswered item")
		}

		body = readBody(b.do(http.MethodGet, base+"/report", nil))
		for _, want := range []string{"Délais de réponse", "Médiane", "90e centile", owner.Name, "Sans réponse à ce jour : 1", "2 h 00"} {
			if !strings.Contains(body, want) {
				t.Errorf("report lacks %q", want)
			}
		}
		resp := b.do(http.MethodGet, base+"/report.csv", nil)
		csv := readBody(resp)
		if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") || !strings.Contains(csv, fmt.Sprintf("member,%d,%s,1,", owner.ID, owner.Name)) {
			t.Errorf("CSV %s:\n%s", resp.Header.Get("Content-Type"), csv)
		}
		// Hours typed with a decimal are whole minutes, rounded.
		form.Set("target_hours", "2.05")
		if resp := b.do(http.MethodPost, base+"/sla", form); resp.StatusCode != 303 {
			t.Fatalf("save 2.05 h: %d", resp.StatusCode)
		}
		if c, err := env.App.Inbox.SLA(ctx, owner, ws.ID); err != nil || c.Target != 123*time.Minute {
			t.Errorf("2.05 h saved as %v %v", c.Target, err)
		}
	})
}
