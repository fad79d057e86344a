package rules

import (
	"strings"
	"testing"
)

func codes(ps []Problem) string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Field+":"+p.Code)
	}
	return strings.Join(out, ",")
}

func TestCounting(t *testing.T) {
	for _, c := range []struct {
		network, text string
		lim           Limits
		want          int
	}{
		{"x", "hello", Limits{}, 5},
		{"x", "see https://example.com/a/very/long/path/that/is/long", Limits{}, 4 + 23},
		{"x", "日本語", Limits{}, 6},
		{"x", "ok 👍🏽", Limits{}, 3 + 2},
		{"x", "👨‍👩‍👧‍👦", Limits{}, 2},
		{"bluesky", "café", Limits{}, 4},
		{"bluesky", "cafe\u0301", Limits{}, 4},
		{"bluesky", "👨‍👩‍👧‍👦!", Limits{}, 2},
		{"mastodon", "read https://example.com/" + strings.Repeat("a", 100), Limits{}, 5 + 23},
		{"mastodon", "read https://example.com/" + strings.Repeat("a", 100), Limits{URLLength: 30}, 5 + 30},
		{"mastodon", "hi @alice@example.social", Limits{}, 9},
		{"mastodon", "read example.com/" + strings.Repeat("a", 30), Limits{}, 5 + 12 + 30},
		{"mastodon", "read https://ja.wikipedia.org/wiki/東京都庁舎.", Limits{}, 5 + 23 + 1},
		{"x", "read example.com/" + strings.Repeat("a", 30), Limits{}, 5 + 23},
		{"linkedin", "éé", Limits{}, 2},
	} {
		got := CountText(c.network, c.text, c.lim)
		if got.Used != c.want {
			t.Errorf("%s %q: %d, want %d", c.network, c.text, got.Used, c.want)
		}
	}
	if c := CountText("mastodon", "x", Limits{MaxChars: 1000}); c.Max != 1000 {
		t.Errorf("instance limit ignored: %+v", c)
	}
}

// Bluesky's limit counts what the PDS's lexicon check counts (maxGraphemes).
func TestGraphemes(t *testing.T) {
	for text, want := range map[string]int{"abc": 3, "cafe\u0301": 4, "👨‍👩‍👧‍👦": 1, "🇫🇷!": 2} {
		if got := Graphemes(text); got != want {
			t.Errorf("Graphemes(%q) = %d, want %d", text, got, want)
		}
	}
}

func TestValidate(t *testing.T) {
	img := MediaItem{MIME: "image/jpeg", Size: 100_000}
	for _, c := range []struct {
		name, network string
		v             Variant
		want          string
	}{
		{"fine", "bluesky", Variant{Text: "hello"}, ""},
		{"empty", "mastodon", Variant{}, "text:empty"},
		{"bluesky 301", "bluesky", Variant{Text: strings.Repeat("é", 301)}, "text:too_long"},
		{"bluesky 300", "bluesky", Variant{Text: strings.Repeat("é", 300)}, ""},
		{"instagram no media", "instagram", Variant{Text: "hi"}, "media:media_required"},
		{"instagram 31 hashtags", "instagram", Variant{Text: strings.Repeat("#tag ", 31), Media: []MediaItem{img}}, "text:too_many_hashtags"},
		{"instagram 30 hashtags", "instagram", Variant{Text: strings.Repeat("#tag ", 30), Media: []MediaItem{img}}, ""},
		{"instagram png", "instagram", Variant{Text: "x", Media: []MediaItem{{MIME: "image/png", Size: 10}}}, "media[0]:unsupported_type"},
		{"linkedin thread", "linkedin", Variant{Text: "x", Thread: []string{"y"}}, "thread:threads_unsupported"},
		{"bluesky big image", "bluesky", Variant{Text: "x", Media: []MediaItem{{MIME: "image/jpeg", Size: 2_000_000}}}, "media[0]:too_large"},
		{"five images", "mastodon", Variant{Text: "x", Media: []MediaItem{img, img, img, img, img}}, "media:too_many_images"},
		{"tiktok image", "tiktok", Variant{Text: "x", Media: []MediaItem{img}}, "media[0]:unsupported_type,media:video_only"},
		{"thread item too long", "sandbox", Variant{Text: "x", Thread: []string{strings.Repeat("a", 501)}}, "thread[0]:too_long"},
		{"unknown", "myspace", Variant{Text: "x"}, "channel:unknown_network"},
		{"x too long", "x", Variant{Text: strings.Repeat("日", 141)}, "text:too_long"},
	} {
		if got := codes(Validate(c.network, c.v, Limits{})); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	p := Validate("bluesky", Variant{Text: strings.Repeat("a", 301)}, Limits{})
	if len(p) != 1 || p[0].Localized("en") != "Too long: 301 of 300 graphemes." || p[0].Localized("fr") != "Trop long : 301 sur 300 graphèmes." {
		t.Errorf("messages: %+v", p)
	}
}

func TestEveryNetworkOfTheProductIsInTheTable(t *testing.T) {
	for _, k := range []string{"x", "linkedin", "facebook", "instagram", "threads", "tiktok", "pinterest", "youtube", "gbp", "mastodon", "bluesky", "sandbox"} {
		n, ok := Get(k)
		if !ok || n.MaxChars == 0 || n.Source == "" || n.Notes == "" {
			t.Errorf("%s: %+v", k, n)
		}
	}
}

// A Mastodon-compatible server counts as it does, not as Mastodon: at the
// boundary, a status of 500 characters holding a 200-character link fits
// Mastodon (the link counts 23) and not GoToSocial (every character counts).
func TestCountingFollowsTheServer(t *testing.T) {
	link := "https://example.com/" + strings.Repeat("a", 180)
	text := strings.Repeat("b", 500-len(link)-1) + " " + link // 500 code points
	mastodonUsed := 500 - len(link) + 23
	for _, c := range []struct {
		name     string
		lim      Limits
		text     string
		wantUsed int
		want     string
	}{
		{"mastodon fits", Limits{MaxChars: 500, URLLength: 23}, text, mastodonUsed, ""},
		{"gotosocial at 500", Limits{MaxChars: 500, URLLength: 25, Counting: CountCharacters}, text, 500, ""},
		{"gotosocial one over", Limits{MaxChars: 500, URLLength: 25, Counting: CountCharacters}, text + "!", 501, "text:too_long"},
		{"gotosocial mention counts in full", Limits{MaxChars: 500, Counting: CountCharacters}, "hi @alice@example.social", 24, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := CountText("mastodon", c.text, c.lim); got.Used != c.wantUsed || got.Max != 500 {
				t.Errorf("count %+v, want %d of 500", got, c.wantUsed)
			}
			if got := codes(Validate("mastodon", Variant{Text: c.text}, c.lim)); got != c.want {
				t.Errorf("problems %q, want %q", got, c.want)
			}
		})
	}
	// The same 500 characters with the link made longer still: Mastodon
	// accepts, GoToSocial refuses.
	long := strings.Repeat("b", 400) + " https://example.com/" + strings.Repeat("a", 200)
	if got := codes(Validate("mastodon", Variant{Text: long}, Limits{MaxChars: 500, URLLength: 23})); got != "" {
		t.Errorf("mastodon refused a long link it counts as 23: %q", got)
	}
	if got := codes(Validate("mastodon", Variant{Text: long}, Limits{MaxChars: 500, URLLength: 25, Counting: CountCharacters})); got != "text:too_long" {
		t.Errorf("gotosocial: %q, want text:too_long", got)
	}
}
