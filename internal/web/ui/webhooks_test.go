package ui_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
)

// The Webhooks page adds an endpoint and shows its secret once; the
// endpoint's page sends a test event that reaches the receiver and appears
// in the delivery log, disables the endpoint, and makes a new secret; a
// refused address keeps what was typed; members who do not manage the
// workspace neither see the link nor open the page.
func TestWebhooksPage(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{Workers: true})
	owner, ws := env.Owner(t)
	env.Member(t, owner, ws.ID, "smm@example.test", auth.SocialMediaMgr)
	var got atomic.Int32
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Tribune-Event-Type") == "webhook.test" {
			got.Add(1)
		}
		_, _ = w.Write([]byte("thanks"))
	}))
	t.Cleanup(rcv.Close)
	b := signIn(t, env)
	base := "/w/" + strconv.FormatInt(ws.ID, 10)

	_, settings := b.get(base + "/settings")
	if !strings.Contains(settings, `data-testid="webhooks-link"`) {
		t.Error("the settings page has no link to the webhooks")
	}
	status, page := b.post(base+"/webhooks", url.Values{"url": {"ftp://x.example.com"}, "events": {"inbox.item.updated"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(page, "ftp://x.example.com") || !strings.Contains(page, `data-testid="form-errors"`) {
		t.Errorf("refused address: %d, want 422 with the address kept and the error shown", status)
	}
	status, page = b.post(base+"/webhooks", url.Values{"url": {rcv.URL + "/hook"}, "events": {"inbox.item.created", "inbox.rule.action"}})
	sec := regexp.MustCompile(`whsec_[A-Za-z0-9_-]+`).FindString(page)
	if status != http.StatusOK || sec == "" || !strings.Contains(page, rcv.URL+"/hook") {
		t.Fatalf("add: %d, secret %q", status, sec)
	}
	_, list := b.get(base + "/webhooks")
	if strings.Contains(list, sec) || strings.Contains(list, "whsec_") {
		t.Error("the list shows the secret again")
	}
	link := regexp.MustCompile(`href="(` + regexp.QuoteMeta(base) + `/webhooks/\d+)"`).FindStringSubmatch(list)
	if link == nil {
		t.Fatal("no link to the endpoint's page")
	}
	detail := link[1]
	if status, _ := b.post(detail+"/test", nil); status != http.StatusOK {
		t.Fatalf("test: %d", status)
	}
	deadline := time.Now().Add(10 * time.Second)
	for got.Load() == 0 || !strings.Contains(page, "thanks") {
		if time.Now().After(deadline) {
			t.Fatalf("the test event did not reach the log (receiver got %d)", got.Load())
		}
		time.Sleep(50 * time.Millisecond)
		_, page = b.get(detail)
	}
	if strings.Contains(page, sec) {
		t.Error("the endpoint's page shows the secret")
	}
	status, page = b.post(detail, url.Values{"url": {rcv.URL + "/hook"}, "events": {"inbox.item.updated"}, "enabled": {"0"}})
	if status != http.StatusOK || !strings.Contains(page, `<option value="0" selected>`) {
		t.Errorf("disable: %d", status)
	}
	status, page = b.post(detail+"/secret", nil)
	if sec2 := regexp.MustCompile(`whsec_[A-Za-z0-9_-]+`).FindString(page); status != http.StatusOK || sec2 == "" || sec2 == sec {
		t.Errorf("new secret: %d %q", status, sec2)
	}

	smm := signInAs(t, env, "smm@example.test")
	if _, s := smm.get(base + "/settings"); strings.Contains(s, `data-testid="webhooks-link"`) {
		t.Error("a social media manager sees the webhooks link")
	}
	for _, p := range []string{base + "/webhooks", detail} {
		if r, _ := smm.get(p); r.StatusCode != http.StatusForbidden {
			t.Errorf("a social media manager opens %s: %d", p, r.StatusCode)
		}
	}
	if status, _ := smm.post(detail+"/delete", nil); status != http.StatusForbidden {
		t.Errorf("a social media manager deletes: %d", status)
	}
	if status, _ := b.post(detail+"/delete", nil); status != http.StatusOK {
		t.Errorf("the owner deletes: %d", status)
	}
}
