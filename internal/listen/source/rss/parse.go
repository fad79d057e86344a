package rss

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/net/html/charset"

	"github.com/tribune-social/tribune/internal/listen/source"
	"github.com/tribune-social/tribune/internal/text/htmltext"
)

// feed is what Tribune reads of a feed, whatever its format.
type feed struct {
	Title  string
	Author string
	Lang   string
	Items  []item
}

type item struct {
	ID, Link, Title, Summary, Author, Published, Updated, Lang string
}

// The formats, as their specifications name the elements: RSS 2.0
// (www.rssboard.org/rss-specification), RSS 1.0 (web.resource.org/rss/1.0,
// items beside the channel) and Atom 1.0 (RFC 4287). encoding/xml matches
// an element by local name when the field's tag has no namespace, so
// dc:creator, dc:date and content:encoded are read by name.
type rssDoc struct {
	Channel struct {
		Title    string    `xml:"title"`
		Language string    `xml:"language"`
		Items    []rssItem `xml:"item"`
	} `xml:"channel"`
	Items []rssItem `xml:"item"` // RSS 1.0
}

type rssItem struct {
	Title       string `xml:"title"`
	Link        string `xml:"link"`
	Description string `xml:"description"`
	Encoded     string `xml:"http://purl.org/rss/1.0/modules/content/ encoded"`
	GUID        string `xml:"guid"`
	About       string `xml:"http://www.w3.org/1999/02/22-rdf-syntax-ns# about,attr"`
	PubDate     string `xml:"pubDate"`
	DCDate      string `xml:"http://purl.org/dc/elements/1.1/ date"`
	Author      string `xml:"author"`
	Creator     string `xml:"http://purl.org/dc/elements/1.1/ creator"`
}

type atomDoc struct {
	Title   string       `xml:"title"`
	Lang    string       `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	Authors []atomPerson `xml:"author"`
	Entries []atomEntry  `xml:"entry"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Href string `xml:"href,attr"`
}

// atomText is an Atom text construct (RFC 4287 §3.1): text, escaped
// html, or xhtml inside a div, whose words are in child elements.
type atomText struct {
	Type  string `xml:"type,attr"`
	Text  string `xml:",chardata"`
	Inner string `xml:",innerxml"`
}

func (t atomText) String() string {
	if t.Type == "xhtml" {
		return t.Inner
	}
	return t.Text
}

type atomEntry struct {
	ID        string       `xml:"id"`
	Title     atomText     `xml:"title"`
	Links     []atomLink   `xml:"link"`
	Summary   atomText     `xml:"summary"`
	Content   atomText     `xml:"content"`
	Authors   []atomPerson `xml:"author"`
	Published string       `xml:"published"`
	Updated   string       `xml:"updated"`
	Lang      string       `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
}

// parse reads an RSS or Atom document. A document that is not XML, or
// whose root is not rss, RDF or feed, is not a feed at all: that error
// wraps source.ErrPermanent (the address is wrong, asking again will not
// help). A feed that breaks off or is malformed half-way is reported with
// the line, and retried: publishers mend their feeds.
func parse(body []byte, contentType string) (*feed, error) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.CharsetReader = charset.NewReaderLabel
	dec.Strict = false // real feeds carry HTML entities (&nbsp;) and sloppy markup
	dec.Entity = xml.HTMLEntity
	var root xml.StartElement
	for {
		tok, err := dec.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, notFeed(body, contentType, "it is empty")
			}
			return nil, notFeed(body, contentType, err.Error())
		}
		if se, ok := tok.(xml.StartElement); ok {
			root = se
			break
		}
	}
	switch strings.ToLower(root.Name.Local) {
	case "rss", "rdf":
		var d rssDoc
		if err := dec.DecodeElement(&d, &root); err != nil {
			return nil, malformed(err)
		}
		f := &feed{Title: strings.TrimSpace(d.Channel.Title), Lang: strings.TrimSpace(d.Channel.Language)}
		for _, it := range append(d.Channel.Items, d.Items...) {
			id := strings.TrimSpace(it.GUID)
			if id == "" {
				id = strings.TrimSpace(it.About)
			}
			summary := it.Description
			if summary == "" {
				summary = it.Encoded
			}
			author := strings.TrimSpace(it.Creator)
			if author == "" {
				author = rssAuthor(it.Author)
			}
			published := it.PubDate
			if published == "" {
				published = it.DCDate
			}
			f.Items = append(f.Items, item{ID: id, Link: strings.TrimSpace(it.Link), Title: it.Title, Summary: summary,
				Author: author, Published: published})
		}
		return f, nil
	case "feed":
		var d atomDoc
		if err := dec.DecodeElement(&d, &root); err != nil {
			return nil, malformed(err)
		}
		f := &feed{Title: htmltext.Plain(d.Title), Lang: d.Lang}
		if len(d.Authors) > 0 {
			f.Author = strings.TrimSpace(d.Authors[0].Name)
		}
		for _, e := range d.Entries {
			summary := e.Summary.String()
			if strings.TrimSpace(summary) == "" {
				summary = e.Content.String()
			}
			it := item{ID: strings.TrimSpace(e.ID), Link: atomHref(e.Links), Title: e.Title.String(), Summary: summary,
				Published: e.Published, Updated: e.Updated, Lang: e.Lang}
			if len(e.Authors) > 0 {
				it.Author = strings.TrimSpace(e.Authors[0].Name)
			}
			f.Items = append(f.Items, it)
		}
		return f, nil
	case "html":
		return nil, notFeed(body, contentType, "it is a web page (HTML); look on the site for the address of its RSS or Atom feed")
	}
	return nil, notFeed(body, contentType, fmt.Sprintf("its root element is <%s>, not <rss>, <rdf:RDF> or <feed>", root.Name.Local))
}

// atomHref is the entry's alternate link (the rel Atom assumes when none
// is given), else its first link.
func atomHref(links []atomLink) string {
	for _, l := range links {
		if l.Rel == "" || l.Rel == "alternate" {
			return strings.TrimSpace(l.Href)
		}
	}
	if len(links) > 0 {
		return strings.TrimSpace(links[0].Href)
	}
	return ""
}

// rssAuthor reads RSS 2.0's author, an e-mail address with the name in
// parentheses ("jo@example.com (Jo Martin)"), as the name when there is one.
func rssAuthor(s string) string {
	s = strings.TrimSpace(s)
	if i, j := strings.Index(s, "("), strings.LastIndex(s, ")"); i >= 0 && j > i {
		return strings.TrimSpace(s[i+1 : j])
	}
	return s
}

func notFeed(body []byte, contentType, why string) error {
	if ct := strings.ToLower(contentType); strings.HasPrefix(ct, "text/html") && !bytes.Contains(body[:min(len(body), 512)], []byte("<?xml")) {
		why = "it is a web page (HTML); look on the site for the address of its RSS or Atom feed"
	}
	return fmt.Errorf("%w: rss: the address does not give an RSS or Atom feed: %s", source.ErrPermanent, why)
}

func malformed(err error) error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("rss: the feed is malformed at line %d: %s", se.Line, se.Msg)
	}
	return fmt.Errorf("rss: the feed is malformed: %w", err)
}
