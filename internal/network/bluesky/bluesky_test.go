package bluesky_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/tribune-social/tribune/internal/network"
	"github.com/tribune-social/tribune/internal/network/bluesky"
	"github.com/tribune-social/tribune/internal/network/bluesky/pdstest"
	"github.com/tribune-social/tribune/internal/network/httpx"
	"github.com/tribune-social/tribune/internal/rules"
)

func resolver(m map[string]string) func(context.Context, string) (string, error) {
	return func(_ context.Context, h string) (string, error) {
		if d, ok := m[h]; ok {
			return d, nil
		}
		return "", errors.New("unknown handle")
	}
}

func TestFacetsUseByteOffsets(t *testing.T) {
	text := "Été 🌞 avec @alice.test : voir https://exemple.fr/été, #Soldes2026 et #2026 (example.com). @nobody.test"
	fs := bluesky.Facets(context.Background(), text, resolver(map[string]string{"alice.test": "did:plc:alice"}))
	got := map[string]string{}
	for _, f := range fs {
		slice := text[f.Index.ByteStart:f.Index.ByteEnd]
		ft := f.Features[0]
		got[slice] = ft.Type + " " + ft.URI + ft.DID + ft.Tag
	}
	want := map[string]string{
		"@alice.test":            "app.bsky.richtext.facet#mention did:plc:alice",
		"https://exemple.fr/été": "app.bsky.richtext.facet#link https://exemple.fr/été",
		"#Soldes2026":            "app.bsky.richtext.facet#tag Soldes2026",
		"example.com":            "app.bsky.richtext.facet#link https://example.com",
	}
	if len(got) != len(want) {
		t.Errorf("facets %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("facet %q = %q, want %q", k, got[k], v)
		}
	}
	// Bytes, not characters: "Été 🌞 avec " is 11 characters but 16 bytes.
	if fs[0].Index.ByteStart != len("Été 🌞 avec ") || fs[0].Index.ByteStart == len([]rune("Été 🌞 avec ")) {
		t.Errorf("mention starts at %d, want byte %d", fs[0].Index.ByteStart, len("Été 🌞 avec "))
	}
}

func pngOf(w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		img.Set(x, x%h, color.RGBA{200, 30, 30, 255})
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return buf.Bytes()
}

func TestAgainstRealPDS(t *testing.T) {
	pds := pdstest.Start(t)
	ctx := context.Background()
	did := pds.CreateAccount(t, "lumiere.test", "lumiere-password-1")
	pds.CreateAccount(t, "alice.test", "alice-password-1")
	c := bluesky.New(httpx.NewClient(httpx.Options{AllowPrivate: true}))
	if _, err := c.Login(ctx, pds.URL(), "lumiere.test", "wrong-password"); network.AsError(err).Kind != network.Unauthorized {
		t.Errorf("wrong password: %v", err)
	}
	acct, err := c.Login(ctx, pds.URL(), "lumiere.test", "lumiere-password-1")
	if err != nil {
		t.Fatal(err)
	}
	if acct.ExternalID != did {
		t.Fatalf("logged in as %s, want %s", acct.ExternalID, did)
	}

	t.Run("post with facets", func(t *testing.T) {
		text := "Été 🌞 avec @alice.test : https://example.com/a #Lampes"
		key := network.NewAttemptKey(time.Now())
		ref, err := c.Publish(ctx, acct, network.PostRequest{AttemptKey: key, Text: text, CreatedAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(ref.ID, "/"+key) || ref.CID == "" {
			t.Errorf("ref %+v: the record key is not the attempt key", ref)
		}
		rec := pds.Record(t, did, key)
		facets, _ := rec["facets"].([]any)
		if len(facets) != 3 {
			t.Fatalf("record facets: %v", rec["facets"])
		}
		seen := map[string]bool{}
		for _, f := range facets {
			idx := f.(map[string]any)["index"].(map[string]any)
			s, e := int(idx["byteStart"].(float64)), int(idx["byteEnd"].(float64))
			seen[text[s:e]] = true
		}
		for _, want := range []string{"@alice.test", "https://example.com/a", "#Lampes"} {
			if !seen[want] {
				t.Errorf("no facet slicing %q: %v", want, seen)
			}
		}
		// The same attempt again creates nothing new.
		again, err := c.Publish(ctx, acct, network.PostRequest{AttemptKey: key, Text: text, CreatedAt: time.Now()})
		if err != nil || again.ID != ref.ID {
			t.Errorf("repeated attempt: %+v %v", again, err)
		}
		if got, err := c.Recover(ctx, acct, network.PostRequest{AttemptKey: key}); err != nil || got.ID != ref.ID {
			t.Errorf("recover landed: %+v %v", got, err)
		}
		if _, err := c.Recover(ctx, acct, network.PostRequest{AttemptKey: network.NewAttemptKey(time.Now())}); !errors.Is(err, network.ErrNotPublished) {
			t.Errorf("recover absent: %v", err)
		}
	})

	t.Run("image with alt text", func(t *testing.T) {
		raw := pngOf(40, 20)
		up, err := c.UploadMedia(ctx, acct, network.Media{Filename: "lamp.png", MIME: "image/png", Size: int64(len(raw)), Width: 40, Height: 20, Alt: "Une lampe rouge",
			Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil }})
		if err != nil {
			t.Fatal(err)
		}
		key := network.NewAttemptKey(time.Now())
		if _, err := c.Publish(ctx, acct, network.PostRequest{AttemptKey: key, Text: "Nouvelle lampe", Media: []network.UploadedMedia{up}, CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		embed, _ := pds.Record(t, did, key)["embed"].(map[string]any)
		images, _ := embed["images"].([]any)
		if len(images) != 1 || images[0].(map[string]any)["alt"] != "Une lampe rouge" {
			t.Errorf("embed %v", embed)
		}
	})

	t.Run("thread and delete", func(t *testing.T) {
		var root, prev *network.Ref
		var refs []network.Ref
		for i, text := range []string{"1/3 fil", "2/3 fil", "3/3 fil"} {
			ref, err := c.Publish(ctx, acct, network.PostRequest{AttemptKey: network.NewAttemptKey(time.Now().Add(time.Duration(i) * time.Millisecond)), Text: text, ReplyTo: prev, Root: root, CreatedAt: time.Now()})
			if err != nil {
				t.Fatal(err)
			}
			refs = append(refs, ref)
			r := ref
			if root == nil {
				root = &r
			}
			prev = &r
		}
		last := pds.Record(t, did, refs[2].ID[strings.LastIndex(refs[2].ID, "/")+1:])
		reply := last["reply"].(map[string]any)
		if reply["root"].(map[string]any)["uri"] != refs[0].ID || reply["parent"].(map[string]any)["uri"] != refs[1].ID {
			t.Errorf("reply refs %v", reply)
		}
		if err := c.Delete(ctx, acct, refs[2]); err != nil {
			t.Fatal(err)
		}
		if live, err := c.CheckLive(ctx, acct, refs[2]); live || err != nil {
			t.Errorf("deleted: live=%v err=%v", live, err)
		}
		if live, err := c.CheckLive(ctx, acct, refs[0]); !live || err != nil {
			t.Errorf("kept: live=%v err=%v", live, err)
		}
	})

	t.Run("over-long post: our validator first, then the PDS", func(t *testing.T) {
		text := strings.Repeat("é", 301)
		if p := rules.Validate("bluesky", rules.Variant{Text: text}, rules.Limits{}); len(p) != 1 || p[0].Code != "too_long" {
			t.Errorf("our validator let a 301-grapheme post through: %+v", p)
		}
		_, err := c.Publish(ctx, acct, network.PostRequest{AttemptKey: network.NewAttemptKey(time.Now()), Text: text, CreatedAt: time.Now()})
		ne := network.AsError(err)
		if ne.Kind != network.Permanent || ne.Status != 400 {
			t.Errorf("the PDS did not refuse 301 graphemes as permanent: %v", err)
		}
	})
}
