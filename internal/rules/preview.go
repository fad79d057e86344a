package rules

import (
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/tribune-social/tribune/internal/text/hashtags"
	"github.com/tribune-social/tribune/internal/text/links"
)

// Preview is how a network displays a post in its feed: what the
// composer's live preview draws. Where a network documents nothing (most
// do not document their "see more" cut), the field stays zero and the
// preview shows the whole text rather than an invented cut.
type Preview struct {
	// SeeMoreAt is the number of characters shown before the feed cuts the
	// text with SeeMore; 0 when the network documents no cut.
	SeeMoreAt int
	// SeeMore is the network's own label for the cut, in English, shown
	// after "…".
	SeeMore string
	// LinksClickable is false where links in the text are plain text
	// (Instagram captions).
	LinksClickable bool
	// LinkDisplay is how many characters of a link (scheme removed) are
	// shown before "…"; 0 shows the link in full.
	LinkDisplay int
	// HashtagsLinked: hashtags are shown as links.
	HashtagsLinked bool
	// TagsLinked is how many hashtags become links (the first ones); 0 for
	// all of them.
	TagsLinked int
	// LinkCard: the first link becomes a card (title, image) when the post
	// has no media.
	LinkCard bool
	// GridMax is how many media the feed shows in the post's grid.
	GridMax int
	// Crop is the CSS aspect ratio a single image is cropped to in the
	// feed; "" shows the image uncropped.
	Crop string
	// Visibility: the network has a per-post audience shown on the post.
	Visibility bool
	// Source is the documentation (or the absence of it) the entry follows.
	Source string
}

// previews are each network's display rules. Cuts are only set where a
// network publishes them.
var previews = map[string]Preview{
	"sandbox": {LinksClickable: true, HashtagsLinked: true, LinkCard: true, GridMax: 4,
		Source: "internal/network/sandbox: shows the whole post"},
	// Mastodon shows the whole status (a long one is folded only by some
	// clients, by height, not characters); a link is shown without its
	// scheme and cut after 30 characters with "…" (app/lib/text_formatter.rb,
	// display_url); the preview card is fetched for the first link when the
	// status has no media (docs.joinmastodon.org/entities/PreviewCard).
	"mastodon": {LinksClickable: true, LinkDisplay: 30, HashtagsLinked: true, LinkCard: true, GridMax: 4, Crop: "16 / 9", Visibility: true,
		Source: "https://docs.joinmastodon.org/entities/PreviewCard/ ; mastodon app/lib/text_formatter.rb (links shown 30 characters); no documented cut"},
	// Bluesky shows the whole post (300 graphemes); the app shortens a link
	// to its host and the start of its path; an external embed (link card)
	// and an images embed exclude each other (app.bsky.feed.post embed is a
	// union).
	"bluesky": {LinksClickable: true, LinkDisplay: 30, HashtagsLinked: true, LinkCard: true, GridMax: 4, Crop: "16 / 9",
		Source: "https://docs.bsky.app/docs/advanced-guides/posts (embeds: images or external, not both); no documented cut"},
	// X shows a standard post whole (280 weighted); links display as a
	// shortened t.co display_url, the first becomes a card when there is no
	// media; up to 4 images in a grid.
	"x": {LinksClickable: true, LinkDisplay: 23, HashtagsLinked: true, LinkCard: true, GridMax: 4, Crop: "16 / 9",
		Source: "https://developer.x.com/en/docs/twitter-for-websites/cards/overview/abouts-cards ; display_url in the entities object; no documented cut for standard posts"},
	// LinkedIn documents the cut of introductory text in its ads
	// specifications: about 150 characters before "…see more" on desktop.
	"linkedin": {SeeMoreAt: 150, SeeMore: "see more", LinksClickable: true, HashtagsLinked: true, LinkCard: true, GridMax: 4,
		Source: "https://business.linkedin.com/marketing-solutions/success/ads-guide (introductory text: 150 characters before truncation)"},
	// Meta's ads guide: feed text is truncated after 125 characters with
	// "… See more"; the same guide for Instagram's feed. Instagram captions
	// show links as plain text; a single feed image is shown between 1.91:1
	// and 4:5 (the Graph API refuses other ratios), carousels up to 10.
	"facebook": {SeeMoreAt: 125, SeeMore: "See more", LinksClickable: true, HashtagsLinked: true, LinkCard: true, GridMax: 5,
		Source: "https://www.facebook.com/business/ads-guide (primary text: 125 characters shown in feed)"},
	"instagram": {SeeMoreAt: 125, SeeMore: "more", HashtagsLinked: true, GridMax: 1, Crop: "4 / 5",
		Source: "https://www.facebook.com/business/ads-guide (Instagram feed: 125 characters shown) ; https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media (aspect ratio 4:5 to 1.91:1, links not clickable)"},
	// Threads shows the whole post (500 characters); one link preview per
	// post; a post carries one topic tag, the first hashtag.
	"threads": {LinksClickable: true, HashtagsLinked: true, TagsLinked: 1, LinkCard: true, GridMax: 10,
		Source: "https://developers.facebook.com/docs/threads/posts (link attachment, one tag per post); no documented cut"},
}

// PreviewOf returns how a network displays a post; an unknown network
// shows everything as plain text.
func PreviewOf(network string) Preview {
	return previews[network]
}

// SegmentKind is what a piece of displayed text is.
type SegmentKind string

// Kinds of segments.
const (
	SegmentText    SegmentKind = "text"
	SegmentLink    SegmentKind = "link"
	SegmentHashtag SegmentKind = "hashtag"
	SegmentMention SegmentKind = "mention"
)

// Segment is one piece of a post as the network shows it.
type Segment struct {
	Kind SegmentKind
	// Text is what is shown (a link shortened as the network shows it).
	Text string
	// Href is a link's full address.
	Href string
}

// Displayed is a text as a network shows it in the feed.
type Displayed struct {
	Segments []Segment
	// Cut is true when the feed cuts the text at Preview.SeeMoreAt.
	Cut bool
	// FirstLink is the first link of the text, the one a card is made of.
	FirstLink string
}

var mentionPattern = regexp.MustCompile(`(?:^|[^\p{L}\p{N}_/])(@[A-Za-z0-9_]+(?:@[A-Za-z0-9.-]+[A-Za-z0-9])?)`)

// Display splits text into what the network shows: links (shortened as it
// shortens them), hashtags and mentions marked where it marks them, and the
// text cut at its "see more" when it documents one.
func Display(network, text string) Displayed {
	p := PreviewOf(network)
	opts := links.Default
	switch network {
	case "mastodon":
		opts = links.Mastodon
	case "bluesky":
		opts = links.Bluesky
	case "x":
		opts = links.X
	}
	type span struct {
		start, end int
		kind       SegmentKind
	}
	var spans []span
	var out Displayed
	for _, l := range links.Find(text, opts) {
		if out.FirstLink == "" {
			out.FirstLink = href(l.URL)
		}
		if p.LinksClickable {
			spans = append(spans, span{l.Start, l.End, SegmentLink})
		}
	}
	overlaps := func(s, e int) bool {
		for _, sp := range spans {
			if s < sp.end && e > sp.start {
				return true
			}
		}
		return false
	}
	if p.HashtagsLinked {
		tags := 0
		for _, h := range hashtags.Find(text, hashtags.Default) {
			if overlaps(h.Start, h.End) || (p.TagsLinked > 0 && tags == p.TagsLinked) {
				continue
			}
			tags++
			spans = append(spans, span{h.Start, h.End, SegmentHashtag})
		}
		for _, m := range mentionPattern.FindAllStringSubmatchIndex(text, -1) {
			if !overlaps(m[2], m[3]) {
				spans = append(spans, span{m[2], m[3], SegmentMention})
			}
		}
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })

	// Walk the text, spending the characters the feed shows before its cut.
	budget := -1
	if p.SeeMoreAt > 0 && utf8.RuneCountInString(text) > p.SeeMoreAt {
		budget = p.SeeMoreAt
		out.Cut = true
	}
	add := func(kind SegmentKind, shown, full string) bool {
		if budget >= 0 {
			n := utf8.RuneCountInString(shown)
			if n > budget {
				shown = string([]rune(shown)[:budget])
				kind = SegmentText // a cut link or tag is no longer one
				budget = 0
				if shown != "" {
					out.Segments = append(out.Segments, Segment{Kind: kind, Text: shown})
				}
				return false
			}
			budget -= n
		}
		out.Segments = append(out.Segments, Segment{Kind: kind, Text: shown, Href: full})
		return true
	}
	last := 0
	for _, sp := range spans {
		if !add(SegmentText, text[last:sp.start], "") {
			return out
		}
		raw := text[sp.start:sp.end]
		shown, full := raw, ""
		if sp.kind == SegmentLink {
			full = href(raw)
			shown = shorten(raw, p.LinkDisplay)
		}
		if !add(sp.kind, shown, full) {
			return out
		}
		last = sp.end
	}
	if last < len(text) {
		add(SegmentText, text[last:], "")
	}
	return out
}

// href is the address a link written without a scheme points to.
func href(raw string) string {
	if strings.HasPrefix(raw, "http://") || strings.HasPrefix(raw, "https://") {
		return raw
	}
	return "https://" + raw
}

// shorten shows a link without its scheme and cut after max characters
// with "…", as Mastodon, Bluesky and X display links.
func shorten(raw string, max int) string {
	if max <= 0 {
		return raw
	}
	s := strings.TrimPrefix(strings.TrimPrefix(raw, "https://"), "http://")
	s = strings.TrimPrefix(s, "www.")
	if r := []rune(s); len(r) > max {
		return string(r[:max]) + "…"
	}
	return s
}
