package ui_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/channels"
)

// While the account's rate limit holds, a reply sent from the page is
// refused: the text typed still in its box, and beside it, in
// French, until when the network refuses (in the workspace's time zone);
// an action button's answer says the same, and the conversation's history
// shows both refused, with the reason.
func TestReplyWhileLimitedKeepsTheTextAndSaysUntilWhen(t *testing.T) {
	t.Parallel()
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	f := newFrenchInbox(t, env)
	owner, ws, ch := f.owner, f.ws, f.ch
	it, conv, itemPath := f.only(t, fanComment("q1", "Une question", time.Now()))
	until := time.Now().Add(2 * time.Minute).Truncate(time.Second)
	if err := channels.RateLimited(ctx, env.Store, ch.ID, until); err != nil {
		t.Fatal(err)
	}
	loc, err := time.LoadLocation(ws.Timezone)
	if err != nil {
		t.Fatal(err)
	}
	want := "La limite de requêtes du réseau pour ce compte court jusqu’à " + until.In(loc).Format("15:04:05 MST")
	b := newBrowser(t, env, owner.Email)

	typed := "Bonjour, voici notre réponse"
	// Refused like any reply: Post/Redirect/Get to the conversation, whose
	// page shows the text and the reason (a reload posts nothing).
	resp := b.do(http.MethodPost, itemPath+"/reply", url.Values{"text": {typed}})
	readBody(resp)
	to := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(to, conv+"?draft=") {
		t.Fatalf("reply: got %d to %q, want 303 to %s?draft=…", resp.StatusCode, to, conv)
	}
	body := readBody(b.do(http.MethodGet, to, nil))
	i := strings.Index(body, fmt.Sprintf(`data-testid="reply-text-%d"`, it.ID))
	if i < 0 || !strings.Contains(body[i:], ">"+html.EscapeString(typed)+"</textarea>") {
		t.Errorf("the text typed is not back in the reply box")
	}
	if !strings.Contains(body, fmt.Sprintf(`data-testid="reply-refused-%d">`, it.ID)+html.EscapeString(want)) {
		t.Errorf("the reason beside the box does not say %q", want)
	}

	resp = b.do(http.MethodPost, itemPath+"/act", url.Values{"action": {"like"}})
	if body := readBody(resp); resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, html.EscapeString(want)) {
		t.Errorf("like: got %d, want 429 saying %q", resp.StatusCode, want)
	}

	resp = b.do(http.MethodGet, conv, nil)
	body = readBody(resp)
	note := html.EscapeString("Non envoyé : la limite de requêtes du réseau pour ce compte était atteinte.")
	if strings.Count(body, note) != 2 {
		t.Errorf("the history does not show the reply and the like refused for the limit")
	}
}
