package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/listen/signals"
	"github.com/tribune-social/tribune/internal/store"
)

// A mention's address on the weak-signals page is the network's word, as
// on the dashboard (networkHref): only an http(s) one becomes a link; a
// javascript:, data: or scheme-relative one leaves the text unlinked.
func TestSignalPostsLinkOnlyWebAddresses(t *testing.T) {
	for _, c := range []struct {
		url  string
		link bool
	}{
		{"https://social.example/@fan/1", true},
		{"javascript:alert(document.cookie)", false},
		{" JavaScript:alert(1)", false},
		{"data:text/html,<script>alert(1)</script>", false},
		{"//evil.example/x", false},
	} {
		t.Run(c.url, func(t *testing.T) {
			d := signalsData{WS: store.Workspace{ID: 1}, Signals: []signals.Signal{{Rising: signals.Rising{Term: "panne", Count: 9, Ratio: 3},
				Posts: []signals.Post{{ID: 1, Network: "mastodon", URL: c.url, Author: "fan", Text: "grosse panne", PostedAt: time.Now()}}}}}
			var b strings.Builder
			if err := signalsPage(english(t), d, time.UTC).Render(context.Background(), &b); err != nil {
				t.Fatal(err)
			}
			html := strings.ToLower(b.String())
			if !strings.Contains(html, "grosse panne") {
				t.Fatalf("the mention is not shown:\n%s", html)
			}
			for _, bad := range []string{`href="javascript`, `href=" javascript`, `href="data:`, `href="//`} {
				if strings.Contains(html, bad) {
					t.Errorf("a hostile address became a link (%s)", bad)
				}
			}
			if linked := strings.Contains(html, `href="`+c.url+`"`); linked != c.link {
				t.Errorf("linked: %v, want %v", linked, c.link)
			}
		})
	}
}
