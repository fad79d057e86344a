package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/live"
	"github.com/tribune-social/tribune/internal/web/ui"
)

// A presence's subject is a member's word (any text a heartbeat carries):
// one named "__proto__" must not let live.js write the member onto every
// object of the other members' pages (prototype pollution), while a real
// conversation's presence is still shown.
func TestLivePresenceSubjectCannotPolluteThePage(t *testing.T) {
	exe := os.Getenv("TRIBUNE_TEST_CHROMIUM")
	if exe == "" {
		t.Skip("browser suite skipped: set TRIBUNE_TEST_CHROMIUM=/usr/bin/chromium")
	}
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	owner, ws := env.Owner(t)
	member := env.Member(t, owner, ws.ID, "member@example.test", auth.Contributor)
	mux := http.NewServeMux()
	mux.Handle("/", env.App.Handler)
	mux.HandleFunc("GET /harness", func(w http.ResponseWriter, r *http.Request) {
		if err := ui.LiveHarness(w, r, ws.ID, owner.ID, "fr", "/harness/fragment"); err != nil {
			http.Error(w, err.Error(), 500)
		}
	})
	mux.HandleFunc("GET /harness/fragment", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "0") })
	srv := httptest.NewServer(mux)
	defer srv.Close()

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.Flag("headless", true),
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(t.TempDir()))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	tab, cancel := chromedp.NewContext(actx)
	defer cancel()
	tab, cancelT := context.WithTimeout(tab, 60*time.Second)
	defer cancelT()
	if err := chromedp.Do(tab,
		chromedp.Navigate(srv.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=login-email]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=login-email]`), owner.Email),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=login-password]`), "correct horse battery"),
		chromedp.Click(chromedp.CSS(`[data-testid=login-submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=nav-menu]`)),
		chromedp.Navigate(srv.URL+"/harness"),
		chromedp.WaitReady(chromedp.CSS(`[data-testid=reply]`)),
	); err != nil {
		t.Fatal(err)
	}
	// The stream is open once a first event reaches the page: keep
	// announcing the member on the real conversation until it shows.
	key := fmt.Sprint(member.ID)
	shown := func() string {
		t.Helper()
		text, err := chromedp.Run(tab, chromedp.TextContent(chromedp.CSS(`[data-testid=live-presence]`)))
		if err != nil {
			t.Fatal(err)
		}
		return text
	}
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(shown(), member.Name); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the page never showed the member on the conversation: %q", shown())
		}
		if err := env.App.Live.Heartbeat(ctx, ws.ID, "conv-1", live.Viewer{UserID: member.ID, Name: member.Name, State: live.Viewing}); err != nil {
			t.Fatal(err)
		}
	}
	// Then the hostile subject, and a real one after it: once the second
	// shows, the first was handled.
	if err := env.App.Live.Heartbeat(ctx, ws.ID, "__proto__", live.Viewer{UserID: member.ID, Name: "polluter", State: live.Viewing}); err != nil {
		t.Fatal(err)
	}
	if err := env.App.Live.Heartbeat(ctx, ws.ID, "conv-1", live.Viewer{UserID: member.ID, Name: member.Name, State: live.Replying}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(shown(), "répondre"); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the page never showed the member replying: %q", shown())
		}
	}
	polluted, err := chromedp.Run(tab, chromedp.Evaluate[bool](fmt.Sprintf(`({})[%q] !== undefined`, key)))
	if err != nil {
		t.Fatal(err)
	}
	if polluted {
		t.Errorf("a presence on subject __proto__ wrote member %s onto every object of the page", key)
	}
}
