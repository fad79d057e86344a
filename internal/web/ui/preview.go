package ui

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/a-h/templ"

	"github.com/tribune-social/tribune/internal/auth"
	"github.com/tribune-social/tribune/internal/linkcard"
	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/rules"
	"github.com/tribune-social/tribune/internal/store"
)

// previewCard is one channel's post as its network will show it, drawn
// from the network's display rules (rules.Preview) so that the composer
// and the rules table never disagree.
type previewCard struct {
	Channel   store.Channel
	Rules     rules.Preview
	Text      rules.Displayed
	Thread    []rules.Displayed
	Media     []store.Media // the media the feed shows
	MoreMedia int           // media beyond the grid ("+N")
	CardHost  string        // the link card's host, "" without a card
	CardURL   string
	// Card is what the linked page says about itself, once read
	// (linkCards); until then CardSrc is where the preview asks for it.
	Card       linkcard.Card
	CardSrc    string
	Visibility network.Visibility
	Over       bool // the text breaks the network's length
}

// previewsOf builds the preview of every checked variant; media are the
// workspace's, looked up by the variant's ids.
func previewsOf(checks []posts.VariantView, media []store.Media) []previewCard {
	byID := make(map[int64]store.Media, len(media))
	for _, m := range media {
		byID[m.ID] = m
	}
	out := make([]previewCard, 0, len(checks))
	for _, c := range checks {
		p := rules.PreviewOf(c.Channel.Network)
		card := previewCard{Channel: c.Channel, Rules: p, Text: rules.Display(c.Channel.Network, c.Text),
			Visibility: network.Visibility(c.Visibility), Over: c.Count.Max > 0 && c.Count.Used > c.Count.Max}
		if !p.Visibility {
			card.Visibility = ""
		}
		for _, t := range c.Thread {
			card.Thread = append(card.Thread, rules.Display(c.Channel.Network, t))
		}
		for _, id := range c.MediaIDs {
			m, ok := byID[id]
			if !ok {
				continue
			}
			if len(card.Media) < max(p.GridMax, 1) {
				card.Media = append(card.Media, m)
			} else {
				card.MoreMedia++
			}
		}
		link := c.Link
		if link == "" {
			link = card.Text.FirstLink
		}
		// A network shows a link card only when the post has no media.
		if p.LinkCard && link != "" && len(c.MediaIDs) == 0 {
			if u, err := url.Parse(link); err == nil && u.Host != "" {
				card.CardHost, card.CardURL = strings.TrimPrefix(u.Host, "www."), link
			}
		}
		out = append(out, card)
	}
	return out
}

// blockedReasons says, per channel, why the buttons that schedule or
// publish are disabled: the first broken rule of each variant.
func blockedReasons(checks []posts.VariantView, lang string) []string {
	var out []string
	for _, c := range checks {
		if len(c.Problems) > 0 {
			out = append(out, c.Channel.Name+" — "+c.Problems[0].Localized(lang))
		}
	}
	return out
}

// composeUpload uploads a file from the composer (button or drop) through
// the same media use case as the library, and answers the new media as a
// ticked choice for the composer's grid.
func (u *ui) composeUpload(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.Compose)
	if err != nil {
		return err
	}
	m, err := u.upload(w, r, ws.ID)
	if err != nil {
		return err
	}
	return fragment(w, r, mediaChoice(m, true))
}

// segments writes a displayed text with its links and tags marked, with no
// white space between the pieces (the preview keeps the text's own spaces
// and line breaks, which a template would add to).
func segments(d rules.Displayed) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		var b strings.Builder
		for _, s := range d.Segments {
			switch s.Kind {
			case rules.SegmentLink:
				// Only http(s) addresses reach here (rules.Display adds the scheme).
				b.WriteString(`<a class="pv-link" href="` + html.EscapeString(s.Href) + `" rel="noopener noreferrer" target="_blank" tabindex="-1">` + html.EscapeString(s.Text) + `</a>`)
			case rules.SegmentHashtag, rules.SegmentMention:
				b.WriteString(`<span class="pv-tag">` + html.EscapeString(s.Text) + `</span>`)
			default:
				b.WriteString(html.EscapeString(s.Text))
			}
		}
		_, err := io.WriteString(w, b.String())
		return err
	})
}

// linkCards fills each card with its page's metadata when it is remembered
// already, and otherwise points it at composeLinkCard: the page is read
// after the check has answered, so typing never waits for a remote site.
func (u *ui) linkCards(wsID int64, cards []previewCard) {
	for i := range cards {
		c := &cards[i]
		if c.CardURL == "" {
			continue
		}
		if got, ok := u.LinkCards.Cached(c.CardURL); ok {
			c.Card = got
			continue
		}
		c.CardSrc = "/w/" + itoa(wsID) + "/compose/linkcard?" + url.Values{"url": {c.CardURL}, "network": {c.Channel.Network}}.Encode()
	}
}

// composeLinkCard answers one network's link card, read from the page
// (through the safe outgoing client, remembered per address); a page that
// cannot be read gives the card with its host only.
func (u *ui) composeLinkCard(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.Compose)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	c, err := u.LinkCards.Card(r.Context(), currentUser(r), ws.ID, q.Get("url"))
	if err != nil {
		return err
	}
	if c.Err != nil {
		u.Log.Debug("link card", "url", c.URL, "err", c.Err)
	}
	network := q.Get("network")
	card := previewCard{Channel: store.Channel{Network: network}, Rules: rules.PreviewOf(network), CardHost: c.Host, CardURL: c.URL, Card: c}
	return fragment(w, r, linkCardBox(u.loc(r), ws.ID, card))
}

// composeLinkCardImage serves the image of a remembered card: the page's
// Content Security Policy loads images from Tribune only.
func (u *ui) composeLinkCardImage(w http.ResponseWriter, r *http.Request) error {
	ws, _, err := u.workspace(r, auth.Compose)
	if err != nil {
		return err
	}
	mt, data, err := u.LinkCards.Image(r.Context(), currentUser(r), ws.ID, r.URL.Query().Get("url"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", mt)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "private, max-age=3600")
	_, err = w.Write(data)
	return err
}

// cardImageSrc is where the preview loads a card's image from.
func cardImageSrc(wsID int64, pageURL string) string {
	return "/w/" + itoa(wsID) + "/compose/linkcard/image?" + url.Values{"url": {pageURL}}.Encode()
}
