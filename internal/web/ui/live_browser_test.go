package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/live"
	"github.com/tribune-social/tribune/internal/web/ui"
)

// TestLiveInTheBrowser runs static/live.js in Chromium, in French, with two
// members on one conversation: when the owner types a reply, the member's
// page says so without reloading; an event about the conversation makes the
// member's page refetch its part.
func TestLiveInTheBrowser(t *testing.T) {
	exe := chromiumPath(t)
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	owner, ws := env.Owner(t)
	member := env.Member(t, owner, ws.ID, "member@example.test", auth.Analyst)
	var refetches atomic.Int64
	srv := liveHarnessServer(t, env, ws.ID, map[string]int64{"owner": owner.ID, "member": member.ID}, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, refetches.Add(1))
	})
	ownerTab := chromiumTab(t, exe)
	if err := chromedp.Do(ownerTab); err != nil {
		t.Fatalf("Chromium does not start: %v", err)
	}
	// The member's own cookie jar: a second browser context.
	memberTab, cancel2 := chromedp.NewContext(ownerTab, chromedp.WithNewBrowserContext())
	defer cancel2()
	open := func(tab context.Context, email, who string) {
		t.Helper()
		openHarness(t, tab, srv, email, who)
	}
	open(memberTab, member.Email, "member")
	open(ownerTab, owner.Email, "owner")

	if err := chromedp.Do(ownerTab, chromedp.SendKeys(chromedp.CSS(`[data-testid=reply]`), "Bonjour")); err != nil {
		t.Fatal(err)
	}
	want := owner.Name + " est en train de répondre"
	var text string
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(text, want) {
		if time.Now().After(deadline) {
			t.Fatalf("the member's page shows %q, want %q", text, want)
		}
		time.Sleep(100 * time.Millisecond)
		var err error
		if text, err = chromedp.Run(memberTab, chromedp.TextContent(chromedp.CSS(`[data-testid=live-presence]`))); err != nil {
			t.Fatal(err)
		}
	}
	// The owner's own page does not announce the owner.
	own, err := chromedp.Run(ownerTab, chromedp.TextContent(chromedp.CSS(`[data-testid=live-presence]`)))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(own, owner.Name) {
		t.Errorf("the owner's page announces the owner: %q", own)
	}

	before := refetches.Load()
	if err := env.App.Live.Publish(ctx, ws.ID, live.Event{Type: "item.new", Subject: "conv-1"}); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); refetches.Load() < before+2; {
		if time.Now().After(deadline) {
			t.Fatalf("%d refetches after the event, want both pages'", refetches.Load()-before)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The server answered the refetch; the page swaps the part in once
	// the answer arrived, a moment later.
	var part string
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if part, err = chromedp.Run(memberTab, chromedp.TextContent(chromedp.CSS(`[data-testid=refetched]`))); err != nil {
			t.Fatal(err)
		}
		if part != "0" || time.Now().After(deadline) {
			break
		}
	}
	if part == "0" {
		t.Errorf("the member's part was not replaced: %q", part)
	}
}

// chromiumPath is the Chromium the browser tests run, or skips them.
func chromiumPath(t *testing.T) string {
	t.Helper()
	exe := os.Getenv("TRIBUNE_TEST_CHROMIUM")
	if exe == "" {
		t.Skip("browser suite skipped: set TRIBUNE_TEST_CHROMIUM=/usr/bin/chromium")
	}
	return exe
}

// chromiumTab starts a headless Chromium and returns a tab on it, closed
// with the test, that gives up after a minute.
func chromiumTab(t *testing.T, exe string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.Flag("headless", true),
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(t.TempDir()))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelA)
	tab, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	tab, cancelT := context.WithTimeout(tab, 60*time.Second)
	t.Cleanup(cancelT)
	return tab
}

// liveHarnessServer serves Tribune and, at /harness, live.js's harness page
// in French for the user that ?who= names in users (the owner when it names
// none), whose part is refetched from fragment. It returns the server's URL.
func liveHarnessServer(t *testing.T, env *apptest.Env, wsID int64, users map[string]int64, fragment http.HandlerFunc) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/", env.App.Handler)
	mux.HandleFunc("GET /harness", func(w http.ResponseWriter, r *http.Request) {
		me, ok := users[r.URL.Query().Get("who")]
		if !ok {
			me = users["owner"]
		}
		if err := ui.LiveHarness(w, r, wsID, me, "fr", "/harness/fragment"); err != nil {
			http.Error(w, err.Error(), 500)
		}
	})
	mux.HandleFunc("GET /harness/fragment", fragment)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

// openHarness signs email in on tab and opens the harness as who.
func openHarness(t *testing.T, tab context.Context, srv, email, who string) {
	t.Helper()
	if err := chromedp.Do(tab,
		chromedp.Navigate(srv+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=login-email]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=login-email]`), email),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=login-password]`), "correct horse battery"),
		chromedp.Click(chromedp.CSS(`[data-testid=login-submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=nav-menu]`)),
		chromedp.Navigate(srv+"/harness?who="+who),
		chromedp.WaitReady(chromedp.CSS(`[data-testid=reply]`)),
	); err != nil {
		t.Fatal(err)
	}
}
