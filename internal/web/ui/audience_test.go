package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/config"
)

// The channels page shows a Sandbox channel's audience form beside the
// faults form, filled with what the Sandbox holds; saving it changes the
// audience on the Sandbox, a storm shows until when, a bad mix is refused
// with the reason, and the page reads in French. Who may not manage
// channels sees no form and cannot post it.
func TestSandboxAudienceForm(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	owner, ws := env.Owner(t)
	ch, err := env.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "lively")
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, env, owner.Email)
	page := fmt.Sprintf("/w/%d/channels", ws.ID)
	action := fmt.Sprintf("/w/%d/channels/%d/audience", ws.ID, ch.ID)

	html := readBody(b.do(http.MethodGet, page, nil))
	form := fmt.Sprintf(`data-testid="audience-%d"`, ch.ID)
	if !strings.Contains(html, form) || !strings.Contains(html, `data-testid="faults"`) || !strings.Contains(html, `action="`+action+`"`) {
		t.Fatalf("no audience form beside the faults form:\n%s", html)
	}

	resp := b.do(http.MethodPost, action, url.Values{"rate": {"12,5"}, "positive": {"20"}, "neutral": {"30"}, "negative": {"50"},
		"languages": {"fr"}, "storm_minutes": {"3"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving the audience: %d %s", resp.StatusCode, readBody(resp))
	}
	aud, err := env.App.Channels.SandboxAudience(ctx, owner, ch.ID)
	if err != nil {
		t.Fatal(err)
	}
	if aud.Rate != 12.5 || aud.Positive != 20 || aud.Negative != 50 || len(aud.Languages) != 1 || aud.Languages[0] != "fr" || aud.StormUntil.IsZero() {
		t.Fatalf("the Sandbox holds %+v", aud)
	}
	html = readBody(b.do(http.MethodGet, page, nil))
	for _, want := range []string{`name="rate" type="number" min="0" max="60" step="0.1" size="4" value="12.5"`, `name="negative" type="number" min="0" max="100" size="3" value="50"`,
		`value="fr" checked`, fmt.Sprintf(`data-testid="storm-%d"`, ch.ID)} {
		if !strings.Contains(html, want) {
			t.Errorf("the page does not show %s", want)
		}
	}
	if strings.Contains(html, `value="en" checked`) {
		t.Error("English is ticked for a French-only audience")
	}

	if !strings.Contains(html, `name="end_storm"`) {
		t.Error("no way to end the storm")
	}
	resp = b.do(http.MethodPost, action, url.Values{"rate": {"12.5"}, "positive": {"20"}, "neutral": {"30"}, "negative": {"50"},
		"languages": {"fr"}, "end_storm": {"1"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("ending the storm: %d %s", resp.StatusCode, readBody(resp))
	}
	if html := readBody(b.do(http.MethodGet, page, nil)); strings.Contains(html, fmt.Sprintf(`data-testid="storm-%d"`, ch.ID)) {
		t.Error("the storm still shows after ending it")
	}
	resp = b.do(http.MethodPost, action, url.Values{"rate": {"12.5"}, "positive": {"20"}, "neutral": {"30"}, "negative": {"50"},
		"languages": {"fr"}, "storm_minutes": {"3"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("a storm again: %d", resp.StatusCode)
	}

	resp = b.do(http.MethodPost, action, url.Values{"rate": {"5"}, "positive": {"80"}, "neutral": {"30"}, "negative": {"0"}, "languages": {"en"}})
	if body := readBody(resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "add up to 100") {
		t.Errorf("a mix of 110%%: %d %s", resp.StatusCode, body)
	}
	resp = b.do(http.MethodPost, action, url.Values{"rate": {"5"}})
	if body := readBody(resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "French, English or both") {
		t.Errorf("no language: %d %s", resp.StatusCode, body)
	}

	// In French.
	if resp := b.do(http.MethodPost, "/settings/language", url.Values{"lang": {"fr"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("language: %d", resp.StatusCode)
	}
	html = readBody(b.do(http.MethodGet, page, nil))
	for _, want := range []string{"Messages par minute", "Tempête de commentaires en colère", "Régler l’audience", "Tempête jusqu’à"} {
		if !strings.Contains(html, want) {
			t.Errorf("the French page lacks %q", want)
		}
	}
	resp = b.do(http.MethodPost, action, url.Values{"rate": {"99"}, "languages": {"fr"}})
	if body := readBody(resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Le rythme va de 0 à 60") {
		t.Errorf("rate 99 in French: %d %s", resp.StatusCode, body)
	}

	// Only who manages channels (written out by hand: owner, admin, social
	// media manager) sees the form and may post it; the others see the
	// channel and get 403.
	may := map[auth.Role]bool{auth.Owner: true, auth.Admin: true, auth.SocialMediaMgr: true}
	for _, role := range auth.Roles {
		if role == auth.Owner {
			continue
		}
		u := env.Member(t, owner, ws.ID, string(role)+"@example.test", role)
		rb := newBrowser(t, env, u.Email)
		if html := readBody(rb.do(http.MethodGet, page, nil)); strings.Contains(html, form) != may[role] || !strings.Contains(html, "lively") {
			t.Errorf("%s: the audience form shown %v, want %v", role, strings.Contains(html, form), may[role])
		}
		rate := fmt.Sprint(20 + len(role))
		resp := rb.do(http.MethodPost, action, url.Values{"rate": {rate}, "languages": {"en"}})
		aud, _ := env.App.Channels.SandboxAudience(ctx, owner, ch.ID)
		changed := fmt.Sprint(aud.Rate) == rate
		if may[role] && (resp.StatusCode != http.StatusSeeOther || !changed) || !may[role] && (resp.StatusCode != http.StatusForbidden || changed) {
			t.Errorf("%s posting the audience: %d, changed %v", role, resp.StatusCode, changed)
		}
	}
}

// A separate Sandbox that hangs does not hold the channels page for the
// network timeout: the page shows within a few seconds, the audience form
// without its values.
func TestChannelsPageDoesNotWaitForAHangingSandbox(t *testing.T) {
	t.Parallel()
	var hang atomic.Bool
	var target atomic.Pointer[url.URL]
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hang.Load() {
			<-r.Context().Done()
			return
		}
		httputil.NewSingleHostReverseProxy(target.Load()).ServeHTTP(w, r)
	}))
	t.Cleanup(slow.Close)
	env := apptest.Start(t, apptest.Options{NetworkTimeout: 20 * time.Second, Configure: func(c *config.Config) {
		u, err := url.Parse(c.SandboxURL)
		if err != nil {
			t.Fatal(err)
		}
		target.Store(u)
		c.SandboxURL = slow.URL
	}})
	ctx := context.Background()
	owner, ws := env.Owner(t)
	ch, err := env.App.Channels.ConnectSandbox(ctx, owner, ws.ID, "faraway")
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, env, owner.Email)
	page := fmt.Sprintf("/w/%d/channels", ws.ID)
	if html := readBody(b.do(http.MethodGet, page, nil)); strings.Contains(html, "did not say how its audience is set") {
		t.Fatal("the audience form is empty while the Sandbox answers")
	}
	hang.Store(true)
	start := time.Now()
	html := readBody(b.do(http.MethodGet, page, nil))
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the channels page took %v with a hanging Sandbox", took)
	}
	if !strings.Contains(html, fmt.Sprintf(`data-testid="audience-%d"`, ch.ID)) || !strings.Contains(html, "did not say how its audience is set") {
		t.Errorf("the page does not show the empty audience form:\n%s", html)
	}
}
