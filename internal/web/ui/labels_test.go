package ui_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/tribune-social/tribune/internal/apptest"
	"github.com/tribune-social/tribune/internal/posts"
	"github.com/tribune-social/tribune/internal/store"
)

// unlabelled lists the form fields of a page that a screen reader could not
// name: no aria-label, no aria-labelledby pointing at text, no <label>
// around them or naming them with text of its own. A placeholder is not a
// label (it disappears as soon as one types).
func unlabelled(t *testing.T, page string) []string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]*html.Node{}
	labelFor := map[string]*html.Node{}
	var fields []*html.Node
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			if id := attr(n, "id"); id != "" {
				byID[id] = n
			}
			switch n.Data {
			case "label":
				if f := attr(n, "for"); f != "" {
					labelFor[f] = n
				}
			case "input", "select", "textarea":
				switch attr(n, "type") {
				case "hidden", "submit", "button":
				default:
					fields = append(fields, n)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	var out []string
	for _, f := range fields {
		name := strings.TrimSpace(attr(f, "aria-label"))
		for _, id := range strings.Fields(attr(f, "aria-labelledby")) {
			if n := byID[id]; n != nil {
				name += textOf(n, nil)
			}
		}
		if l := labelFor[attr(f, "id")]; l != nil && attr(f, "id") != "" {
			name += textOf(l, f)
		}
		for p := f.Parent; p != nil; p = p.Parent {
			if p.Type == html.ElementNode && p.Data == "label" {
				name += textOf(p, f)
				break
			}
		}
		if strings.TrimSpace(name) == "" {
			out = append(out, fmt.Sprintf("<%s name=%q placeholder=%q>", f.Data, attr(f, "name"), attr(f, "placeholder")))
		}
	}
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// textOf is the text of n less the text of skip (the field itself: a
// textarea's content is not its name), image alt texts included.
func textOf(n, skip *html.Node) string {
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n == skip {
			return
		}
		switch {
		case n.Type == html.TextNode:
			b.WriteString(n.Data)
		case n.Type == html.ElementNode && n.Data == "img":
			b.WriteString(attr(n, "alt"))
		case n.Type == html.ElementNode && (n.Data == "input" || n.Data == "select" || n.Data == "textarea"):
			return // another field's value or options do not name this one
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.TrimSpace(b.String())
}

// Every field of the composer (new post and edit, with channels that have
// their own text and visibility, and media without alt text in the grid),
// of the post page and of the pages the composer links to has a real label.
func TestComposerFieldsAreLabelled(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := apptest.Start(t, apptest.Options{})
	owner, ws := env.Owner(t)
	var ch store.Channel
	for _, name := range []string{"alpha", "beta"} {
		c, err := env.App.Channels.ConnectSandbox(ctx, owner, ws.ID, name)
		if err != nil {
			t.Fatal(err)
		}
		ch = c
	}
	m, err := env.App.Media.Upload(ctx, owner, ws.ID, "pic.png", bytes.NewReader(pngFile(t)), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	v, err := env.App.Posts.Save(ctx, owner, ws.ID, 0, posts.Input{Variants: []posts.VariantInput{{ChannelID: ch.ID, Text: "lamps", MediaIDs: []int64{m.ID}}}}, posts.SaveDraft)
	if err != nil {
		t.Fatal(err)
	}
	b := signIn(t, env)
	for _, path := range []string{
		fmt.Sprintf("/w/%d/compose", ws.ID),
		fmt.Sprintf("/w/%d/posts/%d/edit", ws.ID, v.Post.ID),
		fmt.Sprintf("/w/%d/posts/%d", ws.ID, v.Post.ID),
		fmt.Sprintf("/w/%d/media", ws.ID),
		fmt.Sprintf("/w/%d/channels", ws.ID),
	} {
		resp, page := b.get(path)
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, "<form") {
			t.Fatalf("%s: %d, no form: %.300s", path, resp.StatusCode, page)
		}
		for _, f := range unlabelled(t, page) {
			t.Errorf("%s: the field %s has no label", path, f)
		}
	}
}

// pngFile is a small valid PNG image.
func pngFile(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 4, 3))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
