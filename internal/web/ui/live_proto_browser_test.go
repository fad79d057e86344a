package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/live"
)

// A presence's subject is a member's word (any text a heartbeat carries):
// one named "__proto__" must not let live.js write the member onto every
// object of the other members' pages (prototype pollution), while a real
// conversation's presence is still shown.
func TestLivePresenceSubjectCannotPolluteThePage(t *testing.T) {
	exe := chromiumPath(t)
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	owner, ws := env.Owner(t)
	member := env.Member(t, owner, ws.ID, "member@example.test", auth.Contributor)
	srv := liveHarnessServer(t, env, ws.ID, map[string]int64{"owner": owner.ID}, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "0") })
	tab := chromiumTab(t, exe)
	openHarness(t, tab, srv, owner.Email, "owner")
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
