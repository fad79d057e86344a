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
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/listen/alerts"
	"github.com/tribune-social/tribune/internal/listen/signals/rolluptest"
)

func TestAlertsPageInFrench(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	owner, ws := env.Owner(t)
	if _, err := env.App.Auth.SetPreferences(ctx, owner, auth.Preferences{Name: "Owner", Locale: "fr", Timezone: "Europe/Paris"}); err != nil {
		t.Fatal(err)
	}
	db := rolluptest.Open(t, env.Store)
	topic := db.Topic(ws.ID, "Marque")
	b := signIn(t, env)
	base := fmt.Sprintf("/w/%d/listen", ws.ID)

	// A refused rule keeps what was typed and says why, in French.
	form := url.Values{"name": {"Pic de volume"}, "kind": {"watch"}, "min_count": {"3"}, "cooldown_minutes": {"60"}, "channels": {"inapp"}, "enabled": {"1"}}
	status, body := b.post(base+"/alert-rules", form)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "mots à surveiller") || !strings.Contains(body, `value="Pic de volume"`) {
		t.Fatalf("watch rule without words: %d %.2000s", status, body)
	}
	form.Set("words", "Rappel\n#Boycott")
	if status, body := b.post(base+"/alert-rules", form); status != http.StatusOK || !strings.Contains(body, "Pic de volume") {
		t.Fatalf("create: %d %.2000s", status, body)
	}
	rules, err := env.App.Alerts.Rules(ctx, owner, ws.ID)
	if err != nil || len(rules) != 1 || strings.Join(rules[0].Words, ",") != "rappel,#boycott" {
		t.Fatalf("rules: %+v %v", rules, err)
	}
	// Test the rule: two past hours with the words, far apart, are two alerts.
	now := time.Now().UTC()
	db.Term(ws.ID, topic, now.Add(-5*24*time.Hour), "rappel", 4)
	db.Term(ws.ID, topic, now.Add(-2*24*time.Hour), "#boycott", 9)
	test := url.Values{"name": {"Pic de volume"}, "kind": {"watch"}, "min_count": {"3"}, "cooldown_minutes": {"60"}, "words": {"rappel\n#boycott"}}
	if status, body := b.post(base+"/alerts/test", test); status != http.StatusOK || !strings.Contains(body, "Cette règle aurait envoyé 2 alertes") {
		t.Fatalf("test: %d %.3000s", status, body)
	}
	// It fires now; the page shows the alert; acknowledge it.
	db.Term(ws.ID, topic, now, "rappel", 3)
	if err := env.App.Alerts.EvaluateWorkspace(ctx, ws.ID); err != nil {
		t.Fatal(err)
	}
	list, err := env.App.Alerts.Alerts(ctx, owner, ws.ID)
	if err != nil || len(list) != 1 {
		t.Fatalf("alerts: %+v %v", list, err)
	}
	_, page := b.get(base + "/alerts")
	if !strings.Contains(page, "3 mentions des mots surveillés") || !strings.Contains(page, "ouverte") || !strings.Contains(page, "Alertes") {
		t.Errorf("alerts page: %.3000s", page)
	}
	if status, _ := b.post(fmt.Sprintf("%s/alerts/%d/acknowledge", base, list[0].ID), url.Values{}); status != http.StatusOK {
		t.Errorf("acknowledge: %d", status)
	}
	if a, _ := env.App.Alerts.Get(ctx, owner, ws.ID, list[0].ID); a.State != alerts.StateAcknowledged {
		t.Errorf("state after acknowledge: %s", a.State)
	}
	// The signals page answers, in French, with nothing rising.
	if _, page := b.get(base + "/signals"); !strings.Contains(page, "Signaux faibles") {
		t.Errorf("signals page: %.2000s", page)
	}
}
