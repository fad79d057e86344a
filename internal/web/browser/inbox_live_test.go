package browser

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tribune-social/tribune/internal/live"
	"github.com/tribune-social/tribune/internal/network"
)

// A new comment on a Sandbox channel appears in the open inbox list and in
// its open conversation without a reload: the page keeps a marker set
// before the comment arrived.
func TestNewSandboxCommentAppearsWithoutReload(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	s := newSite(t)
	comment := func(id string) int64 {
		t.Helper()
		res, err := s.env.App.Inbox.Ingest(context.Background(), s.chs[0], []network.Item{{ExternalID: id, Kind: network.KindComment,
			Ref: network.Ref{ID: id}, ConversationID: "launch", Author: network.Author{ExternalID: "fan", Handle: "fan"},
			Text: "Comment " + id, CreatedAt: time.Now()}})
		if err != nil || len(res.NewIDs) != 1 {
			t.Fatalf("ingest %s: %+v %v", id, res, err)
		}
		return res.NewIDs[0]
	}
	first := comment("c1")
	it, err := s.env.App.Inbox.Item(context.Background(), s.owner, first)
	if err != nil {
		t.Fatal(err)
	}
	run := func(what string, do chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, do); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	// mark sets a marker a reload would lose, then waits until the page's
	// event stream is open (an event sent before is not replayed): Go
	// publishes a probe until the page has heard one.
	mark := func() {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__sameDocument = true; window.__heard = false;
			document.addEventListener("tribune:live", () => { window.__heard = true }); true`)); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(10 * time.Second); ; {
			if err := s.env.App.Live.Publish(context.Background(), s.ws.ID, live.Event{Type: "probe"}); err != nil {
				t.Fatal(err)
			}
			heard, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__heard`))
			if err != nil {
				t.Fatal(err)
			}
			if heard {
				return
			}
			if time.Now().After(deadline) {
				t.Fatal("the page's event stream did not open within 10 s")
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	run("sign in", s.signIn())
	run("open the inbox", chromedp.Navigate(s.url(fmt.Sprintf("/w/%d/inbox", s.ws.ID))))
	run("the first comment", chromedp.WaitVisible(css(`[data-testid=inbox-item-%d]`, first)))
	mark()
	second := comment("c2")
	run("the new comment shows in the list", chromedp.WaitVisible(css(`[data-testid=inbox-item-%d]`, second)))
	same, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__sameDocument === true`))
	if err != nil || !same {
		t.Fatalf("the list reloaded (marker %v, %v)", same, err)
	}

	run("open the conversation", chromedp.Navigate(s.url(fmt.Sprintf("/w/%d/inbox/conversations/%d", s.ws.ID, it.ConversationID))))
	run("its comments", chromedp.WaitVisible(css(`[data-testid=item-%d]`, second)))
	mark()
	third := comment("c3")
	run("the new comment shows in the conversation", chromedp.WaitVisible(css(`[data-testid=item-%d]`, third)))
	same, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__sameDocument === true`))
	if err != nil || !same {
		t.Fatalf("the conversation reloaded (marker %v, %v)", same, err)
	}
}
