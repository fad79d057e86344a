// Package rules is the one table of each network's publishing rules (text
// length and how it is counted, hashtags, media types, sizes and counts,
// threads, first comments, deletion), used by the server before anything is
// scheduled and by the composer's live counter. Each entry names the page of
// the network's documentation it comes from.
package rules

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/tribune-social/tribune/internal/i18n"
)

// Limits are a channel's own limits read from the network (a Mastodon
// instance's max_characters and characters_reserved_per_url, and how the
// server counts); zero values mean the network's default.
type Limits struct {
	MaxChars  int
	URLLength int
	// Counting replaces the network's way of counting when the channel's
	// server counts differently: a GoToSocial server speaks Mastodon's API
	// but counts every character of a link (CountCharacters).
	Counting string
}

// Count is what the composer's counter shows.
type Count struct {
	Used int    `json:"used"`
	Max  int    `json:"max"`
	Unit string `json:"unit"`
}

// Problem is one broken rule.
type Problem struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"` // English fmt format, the catalogue key (internal/i18n)
	Args    []any  `json:"-"`       // values of Message's verbs
}

// Localized returns the message in lang (English when lang is unknown).
func (p Problem) Localized(lang string) string { return i18n.T(lang, p.Message, p.Args...) }

// MarshalJSON writes the problem with its message in English and French.
func (p Problem) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Field     string `json:"field"`
		Code      string `json:"code"`
		Message   string `json:"message"`
		MessageFR string `json:"message_fr"`
	}{p.Field, p.Code, p.Localized("en"), p.Localized("fr")})
}

// MediaItem is an attached file as the rules see it.
type MediaItem struct {
	MIME            string
	Size            int64
	Width, Height   int
	DurationSeconds int
	Alt             string
}

// Variant is the content of one channel's version of a post.
type Variant struct {
	Text, Link, FirstComment string
	Thread                   []string
	Media                    []MediaItem
}

// Ways of counting text.
const (
	CountWeighted   = "weighted"   // X: twitter-text weights, URLs count 23
	CountGraphemes  = "graphemes"  // Bluesky: user-perceived characters
	CountCharacters = "characters" // Unicode code points
	CountMastodon   = "mastodon"   // code points, every URL counts URLLength
)

// Network is one network's rules.
type Network struct {
	Key, Name string
	MaxChars  int
	Counting  string
	URLLength int
	// MaxHashtags is 0 when the network sets no limit.
	MaxHashtags   int
	MediaRequired bool
	// VideoRequired: the network publishes videos only (TikTok, YouTube).
	VideoRequired   bool
	MaxImages       int
	MaxVideos       int
	MixMedia        bool
	ImageTypes      []string
	VideoTypes      []string
	MaxImageBytes   int64
	MaxVideoBytes   int64
	MaxVideoSeconds int
	AltMaxChars     int
	// MessageMaxChars is the limit of a direct message when the network
	// keeps them apart from posts with their own (Bluesky's chat: 1,000
	// graphemes); 0: a direct message is a post and MaxChars holds.
	MessageMaxChars int
	FirstComment    bool
	Threads         bool
	Delete          bool
	Edit            bool
	Link            bool
	// Notes tells the user what the network's API allows or forbids.
	Notes string
	// Source is the documentation the entry follows.
	Source string
}

var (
	jpegPNG     = []string{"image/jpeg", "image/png"}
	commonImage = []string{"image/jpeg", "image/png", "image/gif", "image/webp"}
	mp4         = []string{"video/mp4"}
	mp4mov      = []string{"video/mp4", "video/quicktime"}
)

const mb = 1 << 20

var table = []Network{
	{Key: "sandbox", Name: "Sandbox", MaxChars: 500, Counting: CountCharacters, MaxImages: 4, MaxVideos: 1,
		ImageTypes: commonImage, VideoTypes: mp4, MaxImageBytes: 10 * mb, MaxVideoBytes: 50 * mb, MaxVideoSeconds: 600, AltMaxChars: 1500,
		FirstComment: true, Threads: true, Delete: true, Link: true,
		Notes:  "Simulated network built into Tribune: nothing leaves this machine.",
		Source: "internal/network/sandbox"},
	{Key: "mastodon", Name: "Mastodon", MaxChars: 500, Counting: CountMastodon, URLLength: 23, MaxImages: 4, MaxVideos: 1,
		ImageTypes: commonImage, VideoTypes: []string{"video/mp4", "video/webm", "video/quicktime"}, MaxImageBytes: 16 * mb, MaxVideoBytes: 99 * mb, AltMaxChars: 1500,
		FirstComment: true, Threads: true, Delete: true, Edit: true, Link: true,
		Notes:  "Limits are read from each instance when the channel is connected.",
		Source: "https://docs.joinmastodon.org/methods/statuses/ and /methods/instance/ (configuration.statuses, media_attachments)"},
	{Key: "bluesky", Name: "Bluesky", MaxChars: 300, Counting: CountGraphemes, MaxImages: 4, MaxVideos: 1,
		ImageTypes: commonImage, VideoTypes: mp4, MaxImageBytes: 1_000_000, MaxVideoBytes: 100 * mb, MaxVideoSeconds: 180, AltMaxChars: 2000,
		MessageMaxChars: 1000, FirstComment: true, Threads: true, Delete: true, Link: true,
		Notes:  "Posts cannot be edited after publishing; links, mentions and hashtags become facets.",
		Source: "https://docs.bsky.app/docs/advanced-guides/post-richtext (app.bsky.feed.post: maxGraphemes 300; app.bsky.embed.images: 4 images, 1,000,000 bytes; chat.bsky.convo.defs#messageInput: maxGraphemes 1000)"},
	{Key: "x", Name: "X", MaxChars: 280, Counting: CountWeighted, URLLength: 23, MaxImages: 4, MaxVideos: 1,
		ImageTypes: commonImage, VideoTypes: mp4mov, MaxImageBytes: 5 * mb, MaxVideoBytes: 512 * mb, MaxVideoSeconds: 140, AltMaxChars: 1000,
		FirstComment: true, Threads: true, Delete: true, Link: true,
		Notes:  "280 weighted characters: most CJK characters and emoji count double, every link counts 23.",
		Source: "https://developer.x.com/en/docs/counting-characters and media upload best practices"},
	{Key: "linkedin", Name: "LinkedIn", MaxChars: 3000, Counting: CountCharacters, MaxImages: 20, MaxVideos: 1,
		ImageTypes: []string{"image/jpeg", "image/png", "image/gif"}, VideoTypes: mp4, MaxImageBytes: 36 * mb, MaxVideoBytes: 500 * mb, MaxVideoSeconds: 1800, AltMaxChars: 4086,
		FirstComment: true, Delete: true, Edit: true, Link: true,
		Notes:  "No threads. The first comment is posted through the comments API.",
		Source: "https://learn.microsoft.com/linkedin/marketing/community-management/shares/posts-api (commentary up to 3,000 characters)"},
	{Key: "facebook", Name: "Facebook", MaxChars: 63206, Counting: CountCharacters, MaxImages: 10, MaxVideos: 1,
		ImageTypes: commonImage, VideoTypes: mp4mov, MaxImageBytes: 10 * mb, MaxVideoBytes: 1024 * mb, MaxVideoSeconds: 14400,
		FirstComment: true, Delete: true, Edit: true, Link: true,
		Notes:  "Pages only: the API cannot publish to personal profiles.",
		Source: "https://developers.facebook.com/docs/pages-api/posts"},
	{Key: "instagram", Name: "Instagram", MaxChars: 2200, Counting: CountCharacters, MaxHashtags: 30, MediaRequired: true, MaxImages: 10, MaxVideos: 10, MixMedia: true,
		ImageTypes: []string{"image/jpeg"}, VideoTypes: mp4mov, MaxImageBytes: 8 * mb, MaxVideoBytes: 300 * mb, MaxVideoSeconds: 900,
		FirstComment: true, Delete: false,
		Notes:  "Links in captions are not clickable; publishing needs at least one image or video; the API cannot delete a published post.",
		Source: "https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media (caption 2,200 characters, 30 hashtags, JPEG only)"},
	{Key: "threads", Name: "Threads", MaxChars: 500, Counting: CountCharacters, MaxImages: 20, MaxVideos: 20, MixMedia: true,
		ImageTypes: jpegPNG, VideoTypes: mp4mov, MaxImageBytes: 8 * mb, MaxVideoBytes: 1024 * mb, MaxVideoSeconds: 300,
		FirstComment: true, Threads: true, Delete: true, Link: true,
		Notes:  "Text posts up to 500 characters; one link preview per post.",
		Source: "https://developers.facebook.com/docs/threads/posts"},
	{Key: "tiktok", Name: "TikTok", MaxChars: 2200, Counting: CountCharacters, MediaRequired: true, VideoRequired: true, MaxVideos: 1,
		VideoTypes: []string{"video/mp4", "video/webm", "video/quicktime"}, MaxVideoBytes: 4096 * mb, MaxVideoSeconds: 600,
		Notes:  "Videos only; the API cannot delete or edit a published video.",
		Source: "https://developers.tiktok.com/doc/content-posting-api-reference-direct-post"},
	{Key: "pinterest", Name: "Pinterest", MaxChars: 500, Counting: CountCharacters, MediaRequired: true, MaxImages: 1, MaxVideos: 1,
		ImageTypes: []string{"image/jpeg", "image/png", "image/gif", "image/webp"}, VideoTypes: mp4mov, MaxImageBytes: 20 * mb, MaxVideoBytes: 2048 * mb, MaxVideoSeconds: 900,
		Delete: true, Edit: true, Link: true,
		Notes:  "A Pin needs one image or video and a board; the link is the Pin's destination.",
		Source: "https://developers.pinterest.com/docs/api/v5/pins-create (description 500 characters)"},
	{Key: "youtube", Name: "YouTube", MaxChars: 5000, Counting: CountCharacters, MediaRequired: true, VideoRequired: true, MaxVideos: 1,
		VideoTypes: []string{"video/mp4", "video/quicktime", "video/webm"}, MaxVideoBytes: 256 * 1024 * mb,
		Delete: true, Edit: true, Link: true,
		Notes:  "Videos only; the text is the description (5,000 characters).",
		Source: "https://developers.google.com/youtube/v3/docs/videos (snippet.description up to 5,000 bytes)"},
	{Key: "gbp", Name: "Google Business Profile", MaxChars: 1500, Counting: CountCharacters, MaxImages: 1,
		ImageTypes: jpegPNG, MaxImageBytes: 5 * mb,
		Delete: true, Edit: true, Link: true,
		Notes:  "Local posts: one photo, a call-to-action link; no video through the API.",
		Source: "https://developers.google.com/my-business/reference/rest/v4/accounts.locations.localPosts (summary 1,500 characters)"},
}

// Keys lists the networks Tribune knows, in the table's order: what a
// network filter or condition may name.
func Keys() []string {
	keys := make([]string, len(table))
	for i, n := range table {
		keys[i] = n.Key
	}
	return keys
}

// Get returns a network's rules.
func Get(key string) (Network, bool) {
	for _, n := range table {
		if n.Key == key {
			return n, true
		}
	}
	return Network{}, false
}

func (n Network) withLimits(lim Limits) Network {
	if lim.MaxChars > 0 {
		n.MaxChars = lim.MaxChars
	}
	if lim.URLLength > 0 {
		n.URLLength = lim.URLLength
	}
	if lim.Counting != "" {
		n.Counting = lim.Counting
	}
	return n
}

// CountText counts text the way the network does.
func CountText(network, text string, lim Limits) Count {
	n, ok := Get(network)
	if !ok {
		return Count{Used: CodePoints(text), Unit: CountCharacters}
	}
	n = n.withLimits(lim)
	return Count{Used: n.count(text), Max: n.MaxChars, Unit: unit(n.Counting)}
}

// CountMessage counts a direct message's text the way the network does,
// against its limit for direct messages where it has its own.
func CountMessage(network, text string, lim Limits) Count {
	c := CountText(network, text, lim)
	if n, ok := Get(network); ok && n.MessageMaxChars > 0 {
		c.Max = n.MessageMaxChars
	}
	return c
}

func unit(counting string) string {
	if counting == CountMastodon {
		return CountCharacters
	}
	return counting
}

func (n Network) count(text string) int {
	switch n.Counting {
	case CountWeighted:
		return WeightedLength(text)
	case CountGraphemes:
		return Graphemes(text)
	case CountMastodon:
		return MastodonLength(text, n.URLLength)
	}
	return CodePoints(text)
}

// broken is a Problem; en is an English fmt format in the catalogue.
func broken(field, code, en string, args ...any) Problem {
	return Problem{Field: field, Code: code, Message: en, Args: args}
}

// Validate checks a variant against the network's rules.
func Validate(network string, v Variant, lim Limits) []Problem {
	n, ok := Get(network)
	if !ok {
		return []Problem{broken("channel", "unknown_network", "Tribune has no rules for the network %q.", network)}
	}
	n = n.withLimits(lim)
	var out []Problem
	if strings.TrimSpace(v.Text) == "" && len(v.Media) == 0 {
		out = append(out, broken("text", "empty", "Write some text or attach media."))
	}
	out = append(out, n.checkText("text", v.Text)...)
	if len(v.Thread) > 0 && !n.Threads {
		out = append(out, broken("thread", "threads_unsupported", "%s does not support threads.", n.Name))
	}
	for i, t := range v.Thread {
		field := fmt.Sprintf("thread[%d]", i)
		if strings.TrimSpace(t) == "" {
			out = append(out, broken(field, "empty", "This thread item is empty."))
		}
		out = append(out, n.checkText(field, t)...)
	}
	if v.FirstComment != "" {
		if !n.FirstComment {
			out = append(out, broken("first_comment", "first_comment_unsupported", "%s does not allow a first comment through its API.", n.Name))
		} else {
			out = append(out, n.checkText("first_comment", v.FirstComment)...)
		}
	}
	if v.Link != "" && !n.Link {
		out = append(out, broken("link", "link_unsupported", "%s does not show clickable links: put the address in the text or leave it out.", n.Name))
	}
	return append(out, n.checkMedia(v.Media)...)
}

func (n Network) checkText(field, text string) []Problem {
	var out []Problem
	if used := n.count(text); n.MaxChars > 0 && used > n.MaxChars {
		out = append(out, broken(field, "too_long", tooLong[unit(n.Counting)], used, n.MaxChars))
	}
	if n.MaxHashtags > 0 {
		if h := len(Hashtags(text)); h > n.MaxHashtags {
			out = append(out, broken(field, "too_many_hashtags", "%d hashtags: %s allows %d.", h, n.Name, n.MaxHashtags))
		}
	}
	return out
}

// tooLong is the message for each unit of counting, one catalogue entry
// each so that the unit is translated with the sentence.
var tooLong = map[string]string{
	CountGraphemes:  "Too long: %d of %d graphemes.",
	CountWeighted:   "Too long: %d of %d weighted.",
	CountCharacters: "Too long: %d of %d characters.",
}

func (n Network) checkMedia(media []MediaItem) []Problem {
	var out []Problem
	images, videos := 0, 0
	for i, m := range media {
		field := fmt.Sprintf("media[%d]", i)
		switch {
		case strings.HasPrefix(m.MIME, "image/"):
			images++
			if !slices.Contains(n.ImageTypes, m.MIME) {
				out = append(out, n.typeProblem(field, m.MIME))
			} else if n.MaxImageBytes > 0 && m.Size > n.MaxImageBytes {
				out = append(out, broken(field, "too_large", "This image weighs %s; %s accepts up to %s.", size(m.Size), n.Name, size(n.MaxImageBytes)))
			}
		case strings.HasPrefix(m.MIME, "video/"):
			videos++
			if !slices.Contains(n.VideoTypes, m.MIME) {
				out = append(out, n.typeProblem(field, m.MIME))
			} else {
				if n.MaxVideoBytes > 0 && m.Size > n.MaxVideoBytes {
					out = append(out, broken(field, "too_large", "This video weighs %s; %s accepts up to %s.", size(m.Size), n.Name, size(n.MaxVideoBytes)))
				}
				if n.MaxVideoSeconds > 0 && m.DurationSeconds > n.MaxVideoSeconds {
					out = append(out, broken(field, "too_long_video", "This video lasts %d s; %s accepts up to %d s.", m.DurationSeconds, n.Name, n.MaxVideoSeconds))
				}
			}
		default:
			out = append(out, n.typeProblem(field, m.MIME))
		}
		if n.AltMaxChars > 0 && CodePoints(m.Alt) > n.AltMaxChars {
			out = append(out, broken(field, "alt_too_long", "The alt text is %d characters; %s accepts %d.", CodePoints(m.Alt), n.Name, n.AltMaxChars))
		}
	}
	if n.MediaRequired && len(media) == 0 {
		if n.VideoRequired {
			out = append(out, broken("media", "video_required", "%s publishes videos only: attach one.", n.Name))
		} else {
			out = append(out, broken("media", "media_required", "%s needs at least one image or video.", n.Name))
		}
	}
	if n.VideoRequired && images > 0 {
		out = append(out, broken("media", "video_only", "%s publishes videos only.", n.Name))
	}
	if images > n.MaxImages && !(n.VideoRequired) {
		out = append(out, broken("media", "too_many_images", "%d images: %s accepts up to %d.", images, n.Name, n.MaxImages))
	}
	if videos > n.MaxVideos {
		out = append(out, broken("media", "too_many_videos", "%d videos: %s accepts up to %d.", videos, n.Name, n.MaxVideos))
	}
	if videos > 0 && images > 0 && !n.MixMedia {
		out = append(out, broken("media", "mixed_media", "%s does not mix images and a video in one post.", n.Name))
	}
	return out
}

func (n Network) typeProblem(field, mime string) Problem {
	accepted := strings.Join(append(slices.Clone(n.ImageTypes), n.VideoTypes...), ", ")
	if accepted == "" {
		accepted = "—"
	}
	return broken(field, "unsupported_type", "%s does not accept %s (accepted: %s).", n.Name, mime, accepted)
}

func size(b int64) string {
	if b >= mb {
		return fmt.Sprintf("%.1f MB", float64(b)/mb)
	}
	return fmt.Sprintf("%d kB", b/1000)
}
