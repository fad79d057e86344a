package ui

import (
	"context"
	"strings"
	"testing"

	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/publish"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/web/i18n"
)

func english(t *testing.T) *i18n.Localizer {
	t.Helper()
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	return b.Localizer("en")
}

// An address a network returns for a post becomes a link only when it is
// http(s): a hostile server's javascript: or data: address is shown as text,
// never as an href.
func TestNetworkAddressBecomesALinkOnlyWhenHTTP(t *testing.T) {
	for _, c := range []struct {
		name, url string
		link      bool
	}{
		{"https", "https://social.example/@alice/1", true},
		{"http", "http://social.example/@alice/1", true},
		{"javascript", "javascript:alert(document.cookie)", false},
		{"javascript with spaces and case", "  JavaScript:alert(1)", false},
		{"data", "data:text/html,<script>alert(1)</script>", false},
		{"scheme-relative", "//evil.example/x", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := posts.VariantView{PostVariant: store.PostVariant{ID: 7, State: string(publish.VariantPublished), Text: "hi", ExternalURL: c.url},
				Channel: store.Channel{Network: "mastodon", Name: "Mastodon · @alice"}}
			var b strings.Builder
			if err := variantCard(english(t), postPageData{WS: store.Workspace{ID: 1}}, v).Render(context.Background(), &b); err != nil {
				t.Fatal(err)
			}
			html := b.String()
			hasLink := strings.Contains(html, `data-testid="view-on-network"`)
			if hasLink != c.link {
				t.Fatalf("link shown: %v, want %v\n%s", hasLink, c.link, html)
			}
			if !c.link {
				if strings.Contains(strings.ToLower(html), `href="javascript`) || strings.Contains(strings.ToLower(html), `href="data`) || strings.Contains(html, `href="//`) {
					t.Errorf("an unsafe address became an href:\n%s", html)
				}
				if !strings.Contains(html, `data-testid="network-address"`) {
					t.Errorf("the address is not shown as text:\n%s", html)
				}
			}
		})
	}
}

// The composer preselects each Mastodon channel's default visibility, or
// the variant's own choice when editing.
func TestComposerPreselectsTheVisibility(t *testing.T) {
	ch := store.Channel{ID: 3, Network: "mastodon", Name: "Mastodon · @alice", DefaultVisibility: "private"}
	other := store.Channel{ID: 4, Network: "bluesky", Name: "Bluesky · alice"}
	for _, c := range []struct {
		name string
		in   posts.Input
		want string
	}{
		{"new post: the channel's default", posts.Input{}, "private"},
		{"editing: the variant's choice", posts.Input{Variants: []posts.VariantInput{{ChannelID: 3, Text: "x", Visibility: "direct"}}}, "direct"},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := composeData{WS: store.Workspace{ID: 1}, Channels: []store.Channel{ch, other}, In: c.in}
			d.fill()
			var b strings.Builder
			if err := composePage(english(t), d).Render(context.Background(), &b); err != nil {
				t.Fatal(err)
			}
			html := b.String()
			if !strings.Contains(html, `<option value="`+c.want+`" selected>`) {
				t.Errorf("%s not preselected:\n%s", c.want, html)
			}
			if strings.Count(html, `name="visibility_`) != 1 || !strings.Contains(html, `name="visibility_3"`) {
				t.Errorf("want one visibility choice, for the Mastodon channel only")
			}
		})
	}
}
