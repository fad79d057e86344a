package ui

import (
	"context"
	"strings"
	"testing"

	"github.com/tribune-social/tribune/internal/linkcard"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/rules"
	"github.com/tribune-social/tribune/internal/store"
	"github.com/tribune-social/tribune/internal/web/i18n"
)

// The preview follows each network's display rules: the grid holds what
// the feed shows and counts the rest, a link card only without media,
// the crop of a single image, the thread.
func TestPreviewsFollowTheNetworkRules(t *testing.T) {
	t.Parallel()
	media := []store.Media{}
	ids := []int64{}
	for i := int64(1); i <= 6; i++ {
		media = append(media, store.Media{ID: i, MIME: "image/jpeg", Alt: "photo"})
		ids = append(ids, i)
	}
	view := func(network string, mediaIDs []int64, thread ...string) posts.VariantView {
		return posts.VariantView{PostVariant: store.PostVariant{Text: "Voir https://boutique.fr/soldes", Visibility: "unlisted"},
			Channel: store.Channel{ID: 1, Network: network, Name: network}, MediaIDs: mediaIDs, Thread: thread,
			Count: rules.Count{Used: 10, Max: 500}}
	}
	tests := []struct {
		name      string
		v         posts.VariantView
		shown     int
		more      int
		card      string
		crop      string
		thread    int
		visibilty bool
	}{
		{name: "Mastodon grid of four", v: view("mastodon", ids), shown: 4, more: 2, crop: "pv-grid", visibilty: true},
		{name: "Mastodon card without media", v: view("mastodon", nil), card: "boutique.fr", visibilty: true},
		{name: "Instagram one image cropped 4:5", v: view("instagram", ids[:1]), shown: 1, crop: "pv-crop-4-5"},
		{name: "Instagram no card (links are text)", v: view("instagram", nil)},
		{name: "X single image cropped 16:9", v: view("x", ids[:1]), shown: 1, crop: "pv-crop-16-9"},
		{name: "Bluesky thread", v: view("bluesky", nil, "deux", "trois"), card: "boutique.fr", thread: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := previewsOf([]posts.VariantView{tc.v}, media)[0]
			if len(p.Media) != tc.shown || p.MoreMedia != tc.more {
				t.Errorf("grid shows %d, +%d; want %d, +%d", len(p.Media), p.MoreMedia, tc.shown, tc.more)
			}
			if p.CardHost != tc.card {
				t.Errorf("card %q, want %q", p.CardHost, tc.card)
			}
			if tc.shown > 0 && previewCrop(p) != tc.crop {
				t.Errorf("crop %q, want %q", previewCrop(p), tc.crop)
			}
			if len(p.Thread) != tc.thread {
				t.Errorf("thread of %d, want %d", len(p.Thread), tc.thread)
			}
			if (p.Visibility != "") != tc.visibilty {
				t.Errorf("visibility %q shown: want %v", p.Visibility, tc.visibilty)
			}
		})
	}
}

// A cut the network does not publish exactly is shown as approximate, in
// the user's language; a text under the cut, or a network without one,
// shows no such note.
func TestPreviewSaysTheCutIsApproximate(t *testing.T) {
	t.Parallel()
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("mot ", 60)
	for _, tc := range []struct {
		network, lang, text, want string
	}{
		{"linkedin", "en", long, "Cut at about 150 characters before “…see more”"},
		{"facebook", "fr", long, "Coupé après environ 125 caractères, avant « …Voir plus »"},
		{"instagram", "en", long, "Cut at about 125 characters before “…more”"},
		{"linkedin", "en", "short", ""},
		{"mastodon", "en", long, ""},
	} {
		t.Run(tc.network+"/"+tc.lang, func(t *testing.T) {
			ch := store.Channel{ID: 1, Network: tc.network, Name: tc.network}
			cards := previewsOf([]posts.VariantView{{PostVariant: store.PostVariant{Text: tc.text}, Channel: ch}}, nil)
			var out strings.Builder
			if err := previewPane(b.Localizer(tc.lang), 1, cards[0]).Render(context.Background(), &out); err != nil {
				t.Fatal(err)
			}
			html := out.String()
			note := strings.Contains(html, `data-testid="preview-text-`+tc.network+`-approx"`)
			if note != (tc.want != "") {
				t.Errorf("approximate note shown %v, want %v", note, tc.want != "")
			}
			if tc.want != "" && !strings.Contains(html, tc.want) {
				t.Errorf("preview lacks %q:\n%s", tc.want, html)
			}
		})
	}
}

// Each network's card shows what that network shows: the image, domain and
// title everywhere, the description only where the network prints it; a
// page without metadata shows its host only.
func TestLinkCardAsEachNetworkShowsIt(t *testing.T) {
	t.Parallel()
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	full := linkcard.Card{URL: "https://shop.example/sale", Host: "shop.example", Title: "Spring sale", Description: "Three days only.", Image: "https://shop.example/sale.png"}
	for _, tc := range []struct {
		network            string
		card               linkcard.Card
		title, desc, image bool
	}{
		{"mastodon", full, true, true, true},
		{"bluesky", full, true, true, true},
		{"linkedin", full, true, false, true},
		{"x", full, true, false, true},
		{"facebook", full, true, false, true},
		{"threads", full, true, false, true},
		{"mastodon", linkcard.Card{URL: full.URL, Host: full.Host}, false, false, false},
	} {
		t.Run(tc.network+"/"+tc.card.Title, func(t *testing.T) {
			p := previewCard{Channel: store.Channel{Network: tc.network}, Rules: rules.PreviewOf(tc.network), CardHost: tc.card.Host, CardURL: tc.card.URL, Card: tc.card}
			var out strings.Builder
			if err := linkCardBox(b.Localizer("en"), 7, p).Render(context.Background(), &out); err != nil {
				t.Fatal(err)
			}
			html := out.String()
			for what, c := range map[string]struct {
				marker string
				want   bool
			}{
				"title":       {"Spring sale", tc.title},
				"description": {"Three days only.", tc.desc},
				"image":       {`src="/w/7/compose/linkcard/image?url=https%3A%2F%2Fshop.example%2Fsale"`, tc.image},
				"host only":   {"Link preview made by the network from the page", !tc.title},
				"host":        {"shop.example", true},
			} {
				if got := strings.Contains(html, c.marker); got != c.want {
					t.Errorf("%s shown %v, want %v: %s", what, got, c.want, html)
				}
			}
		})
	}
}
